-- 0011: lockout that protects without excluding.
-- login_failures: one row per wrong password for an account, so the lock counts failures in
-- a sliding window ([staff] login_account_window_hours) and grows with each further one;
-- rows older than the window are deleted as new ones come.  users.locked_until stays the
-- lock itself; users.failed_logins is no longer used (the rows here are the count).
CREATE TABLE login_failures (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(user_id, at);

-- account_log: every lock and unlock of a staff account, append-only like access_log
-- (which holds staff reads of citizens' data).  actor: 'system' for a lock the failed
-- logins caused, else the administrator's username; until: when the lock ends (0 unlock).
CREATE TABLE account_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    username TEXT NOT NULL,
    event    TEXT NOT NULL CHECK (event IN ('locked', 'unlocked')),
    actor    TEXT NOT NULL,
    until    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_log_user ON account_log(user_id, id);
CREATE TRIGGER account_log_no_update BEFORE UPDATE ON account_log
BEGIN SELECT RAISE(ABORT, 'the account log is append-only'); END;
CREATE TRIGGER account_log_no_delete BEFORE DELETE ON account_log
BEGIN SELECT RAISE(ABORT, 'the account log is append-only'); END;
