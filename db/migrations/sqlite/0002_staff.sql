-- 0002: staff — caseworker and administrator accounts, their sessions, the access log of
-- who read which citizen's data, and the rules that keep published content unchanged.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name   TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL CHECK (role IN ('caseworker', 'admin')),
    unit           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,             -- argon2id (crypto_pwhash_str); '' = no password login
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0, -- consecutive wrong passwords
    locked_until   INTEGER NOT NULL DEFAULT 0, -- UTC seconds; 0 = not locked
    created_at     INTEGER NOT NULL
);
CREATE INDEX users_unit ON users(unit);

-- Only the SHA-256 of a session id is stored.
CREATE TABLE staff_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL              -- the absolute end
) WITHOUT ROWID;
CREATE INDEX staff_sessions_user ON staff_sessions(user_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions(expires_at);

-- A caseworker's unit scope joins enrolments to users by the caseworker's username.
CREATE INDEX enrolments_caseworker ON enrolments(caseworker) WHERE closed_at IS NULL;

-- One row per staff read of a citizen's data; append-only like the journal.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    username   TEXT NOT NULL,
    citizen_id INTEGER NOT NULL REFERENCES citizens(id),
    page       TEXT NOT NULL
);
CREATE INDEX access_log_citizen ON access_log(citizen_id, at);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;

-- Published and retired content is never changed in place: only drafts are edited.
CREATE TRIGGER packs_frozen BEFORE UPDATE OF group_id, version, example_content, legal_basis,
    valid_from, valid_to, guidance_da, guidance_en ON packs WHEN OLD.state <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER packs_no_unretire BEFORE UPDATE OF state ON packs
    WHEN OLD.state = 'retired' OR (OLD.state = 'published' AND NEW.state <> 'retired')
BEGIN SELECT RAISE(ABORT, 'a published version only retires'); END;
CREATE TRIGGER videos_frozen BEFORE UPDATE ON videos
    WHEN (SELECT state FROM packs WHERE id = OLD.pack_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER questions_frozen BEFORE UPDATE ON questions
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id WHERE v.id = OLD.video_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER options_frozen BEFORE UPDATE ON options
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id
          JOIN questions q ON q.video_id = v.id WHERE q.id = OLD.question_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER packs_no_delete BEFORE DELETE ON packs WHEN OLD.state <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER videos_no_delete BEFORE DELETE ON videos
    WHEN (SELECT state FROM packs WHERE id = OLD.pack_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER questions_no_delete BEFORE DELETE ON questions
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id WHERE v.id = OLD.video_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER options_no_delete BEFORE DELETE ON options
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id
          JOIN questions q ON q.video_id = v.id WHERE q.id = OLD.question_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
