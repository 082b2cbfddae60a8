-- 0010: signed checkpoints of the journal.  A checkpoint signs (Ed25519) the chain's head
-- (seq and hash) and the Merkle root of every entry hash up to it; it is also journalled
-- as a 'checkpoint' entry, so the case system receives a copy through the webhook.
-- signing_keys keeps every public key that ever signed, so that checkpoints made before a
-- key change stay verifiable.  Both tables are append-only, like the journal.
-- The PostgreSQL twin of db/migrations/sqlite/0010_checkpoints.sql; signed_seq is always
-- given by the store, so it is a plain key.
CREATE TABLE signing_keys (
    key_id        TEXT PRIMARY KEY,          -- first 16 hex digits of SHA-256(public key)
    public_key    TEXT NOT NULL UNIQUE,      -- base64 of the 32-byte Ed25519 public key
    first_used_at BIGINT NOT NULL
);

CREATE TABLE checkpoints (
    signed_seq  BIGINT PRIMARY KEY,          -- the last entry the checkpoint covers
    head_hash   TEXT NOT NULL,               -- that entry's hash
    tree_root   TEXT NOT NULL,               -- Merkle root of entries 1..signed_seq (hex)
    signed_at   TEXT NOT NULL,               -- RFC 3339 UTC
    key_id      TEXT NOT NULL REFERENCES signing_keys(key_id),
    signature   TEXT NOT NULL,               -- base64 Ed25519 signature of the message
    journal_seq BIGINT NOT NULL UNIQUE       -- the 'checkpoint' entry that records it
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change('checkpoints are append-only');
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change('checkpoints are append-only');
CREATE TRIGGER signing_keys_no_update BEFORE UPDATE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_change('signing keys are append-only');
CREATE TRIGGER signing_keys_no_delete BEFORE DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_change('signing keys are append-only');
