-- 0009: the letter that was sent is the letter that is hashed, no personal data in the
-- idempotency cache, and fenced job claims.
-- The PostgreSQL twin of db/migrations/sqlite/0009_delivery_integrity.sql.

-- A letter is rendered once, when its intent is recorded: the exact bytes each channel
-- sends are stored with the intent, sealed with the vault key (they hold the name, the link
-- and, in the outbox XML, the CPR), and a repeat after a crash sends those bytes again.
--   payload_box  outbox: the MeMo XML; smtp: the whole e-mail message.  Cleared once sent.
--   pdf_box      the letter's PDF (the outbox's .pdf file, the e-mail's attachment), kept
--                until the job ends so that every channel of a job carries the same letter.
--   data         the journal entry's data fixed at the intent (pack version, content hash,
--                pdf_sha256, …) as compact JSON.
-- sha256 (0003) is now set at the intent: the hash of payload_box's plain bytes.
ALTER TABLE deliveries ADD COLUMN payload_box BYTEA;
ALTER TABLE deliveries ADD COLUMN pdf_box BYTEA;
ALTER TABLE deliveries ADD COLUMN data TEXT NOT NULL DEFAULT '{}';

-- The idempotency cache held an unkeyed SHA-256 of the enrolment body (CPR, name, e-mail):
-- the CPR could be found again by trying every number.  From now on request_hash is an
-- HMAC keyed with the database's secret, rows are deleted after [api] idempotency_hours and
-- with the citizen's data at a purge (citizen_id says whose answer a row holds).  The old
-- rows cannot be rehashed (the bodies are not kept); they are replay caches for 24 hours
-- by default, so they are dropped: a client repeating an old request after the upgrade
-- gets 409 already_enrolled instead of the replayed answer.
DELETE FROM idempotency;
ALTER TABLE idempotency ADD COLUMN citizen_id BIGINT REFERENCES citizens(id);
CREATE INDEX idempotency_created ON idempotency(created_at);
CREATE INDEX idempotency_citizen ON idempotency(citizen_id);

-- Fenced claims: every claim writes a fresh random claim_token, and renewing the lease,
-- recording a sending and ending the job all require it, so a scheduler whose lease ran
-- out (a slow pass) and whose job another one claimed can neither send, record nor end it.
ALTER TABLE jobs ADD COLUMN claim_token TEXT;
