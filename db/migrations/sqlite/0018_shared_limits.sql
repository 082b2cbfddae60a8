-- 0018: limits per client address counted in the database, so that several servers on one
-- database count one limit (a limit each server counted alone would be the limit times the
-- number of servers).  One row per counted event: a link that did not open ('link'), a
-- failed staff login ('login').  subject is a keyed hash of the address, never the address.
-- Rows older than their scope's window are deleted as new ones come.
CREATE TABLE rate_events (
    scope   TEXT NOT NULL,
    subject TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX rate_events_subject ON rate_events(scope, subject, at);
CREATE INDEX rate_events_at ON rate_events(scope, at);
