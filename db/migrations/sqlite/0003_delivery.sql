-- 0003: the first meeting, the sealed personal link for letters, the scheduler's lease and
-- reference, and the record of every sending (deliveries) for exactly-once delivery.

-- The first meeting as the caseworker or the case system recorded it.  The note is personal
-- data: it is kept only sealed with the vault key (like the CPR); the journal holds its hash.
CREATE TABLE meetings (
    enrolment_id  INTEGER PRIMARY KEY REFERENCES enrolments(id),
    held_at       INTEGER NOT NULL,
    oral_guidance INTEGER NOT NULL CHECK (oral_guidance IN (0, 1)),
    note_box      BLOB,
    recorded_by   TEXT NOT NULL,
    recorded_at   INTEGER NOT NULL
);

-- The citizen's current link token, sealed, so that a letter can carry the very link the
-- case system got at enrolment.  token_hash says which token the box holds: when it no
-- longer matches enrolments.token_hash (a new link was issued) the letter issues a new one.
CREATE TABLE enrolment_links (
    enrolment_id INTEGER PRIMARY KEY REFERENCES enrolments(id),
    token_hash   TEXT NOT NULL,
    token_box    BLOB NOT NULL
);

-- locked_at: when a job was claimed (state 'running'); a running job whose lease ran out
-- (the process died) is claimable again.  ref: what the job is about besides the enrolment
-- (deliver_journal: the journal seq).
ALTER TABLE jobs ADD COLUMN locked_at INTEGER;
ALTER TABLE jobs ADD COLUMN ref INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_lease ON jobs(locked_at) WHERE state = 'running';
CREATE INDEX jobs_kind_ref ON jobs(kind, ref);

-- One row per job and channel: the intent (message id chosen) is committed before the
-- channel is written, 'sent' after.  A run that finds an intent repeats the write with the
-- same message id, which every channel treats as the same message.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs(id),
    channel    TEXT NOT NULL CHECK (channel IN ('outbox', 'smtp', 'webhook')),
    message_id TEXT NOT NULL UNIQUE,
    state      TEXT NOT NULL DEFAULT 'intent' CHECK (state IN ('intent', 'sent')),
    sha256     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    UNIQUE (job_id, channel)
);
