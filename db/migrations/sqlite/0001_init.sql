-- 0001: the walking skeleton — content, citizens, enrolments, progress, journal, API keys.
-- All times are UTC seconds since the epoch, except journal.at, which is the RFC 3339 text
-- that is hashed and exported, so that the case system can recompute every hash.

CREATE TABLE target_groups (
    id             INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 63),
    name_da        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_da TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    resend_months  INTEGER NOT NULL DEFAULT 6 CHECK (resend_months BETWEEN 1 AND 60),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at     INTEGER NOT NULL
);

-- A guidance pack is the versioned content of one target group.  Published packs are
-- never edited in place: documentation must say exactly what the citizen saw.
CREATE TABLE packs (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES target_groups(id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'published', 'retired')),
    example_content INTEGER NOT NULL DEFAULT 0 CHECK (example_content IN (0, 1)),
    legal_basis     TEXT NOT NULL DEFAULT '',
    valid_from      TEXT NOT NULL DEFAULT '',
    valid_to        TEXT NOT NULL DEFAULT '',
    guidance_da     TEXT NOT NULL DEFAULT '',
    guidance_en     TEXT NOT NULL DEFAULT '',
    content_hash    TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    published_at    INTEGER,
    retired_at      INTEGER,
    UNIQUE (group_id, version)
);
CREATE UNIQUE INDEX packs_one_published ON packs(group_id) WHERE state = 'published';

CREATE TABLE videos (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER NOT NULL REFERENCES packs(id),
    position      INTEGER NOT NULL,
    slug          TEXT NOT NULL,
    title_da      TEXT NOT NULL,
    title_en      TEXT NOT NULL DEFAULT '',
    summary_da    TEXT NOT NULL DEFAULT '',
    summary_en    TEXT NOT NULL DEFAULT '',
    media         TEXT NOT NULL DEFAULT '',
    duration_s    INTEGER NOT NULL DEFAULT 0,
    captions_da   TEXT NOT NULL DEFAULT '',
    captions_en   TEXT NOT NULL DEFAULT '',
    transcript_da TEXT NOT NULL DEFAULT '',
    transcript_en TEXT NOT NULL DEFAULT '',
    legal_basis   TEXT NOT NULL DEFAULT '',
    valid_from    TEXT NOT NULL DEFAULT '',
    valid_to      TEXT NOT NULL DEFAULT '',
    UNIQUE (pack_id, slug),
    UNIQUE (pack_id, position)
);

CREATE TABLE questions (
    id             INTEGER PRIMARY KEY,
    video_id       INTEGER NOT NULL REFERENCES videos(id),
    position       INTEGER NOT NULL,
    slug           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('single', 'multiple')),
    topic_key      TEXT NOT NULL,
    topic_da       TEXT NOT NULL,
    topic_en       TEXT NOT NULL DEFAULT '',
    text_da        TEXT NOT NULL,
    text_en        TEXT NOT NULL DEFAULT '',
    explanation_da TEXT NOT NULL DEFAULT '',
    explanation_en TEXT NOT NULL DEFAULT '',
    UNIQUE (video_id, position)
);

CREATE TABLE options (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions(id),
    position    INTEGER NOT NULL,
    text_da     TEXT NOT NULL,
    text_en     TEXT NOT NULL DEFAULT '',
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    UNIQUE (question_id, position)
);

-- The CPR is kept only encrypted (cpr_box) and as a keyed hash for look-up (cpr_lookup);
-- the key lives outside the database.
CREATE TABLE citizens (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    cpr_lookup TEXT NOT NULL UNIQUE,
    cpr_box    BLOB NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE enrolments (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    citizen_id       INTEGER NOT NULL REFERENCES citizens(id),
    group_id         INTEGER NOT NULL REFERENCES target_groups(id),
    pack_id          INTEGER NOT NULL REFERENCES packs(id),
    caseworker       TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
    first_meeting_at INTEGER NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    token_expires_at INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    opened_at        INTEGER,
    completed_at     INTEGER,
    declined_at      INTEGER,
    closed_at        INTEGER,
    oral_guidance_at INTEGER
);
CREATE UNIQUE INDEX enrolments_one_open ON enrolments(citizen_id, group_id) WHERE closed_at IS NULL;
CREATE INDEX enrolments_meeting ON enrolments(first_meeting_at);

CREATE TABLE citizen_sessions (
    id_hash      TEXT PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE video_views (
    enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
    video_id     INTEGER NOT NULL REFERENCES videos(id),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    PRIMARY KEY (enrolment_id, video_id)
) WITHOUT ROWID;

-- Every attempt is kept; the first is what caseworkers and statistics see.
CREATE TABLE answers (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
    question_id  INTEGER NOT NULL REFERENCES questions(id),
    attempt      INTEGER NOT NULL CHECK (attempt >= 1),
    chosen       TEXT NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at  INTEGER NOT NULL,
    UNIQUE (enrolment_id, question_id, attempt)
);
CREATE INDEX answers_question ON answers(question_id, attempt, correct);

CREATE TABLE asked_topics (
    enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
    question_id  INTEGER NOT NULL REFERENCES questions(id),
    asked_at     INTEGER NOT NULL,
    PRIMARY KEY (enrolment_id, question_id)
) WITHOUT ROWID;

-- The documentation: append-only, each entry's hash covers the previous entry's hash.
CREATE TABLE journal (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    citizen_uuid   TEXT NOT NULL DEFAULT '',
    enrolment_uuid TEXT NOT NULL DEFAULT '',
    data           TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL UNIQUE
);
CREATE INDEX journal_citizen ON journal(citizen_uuid, seq);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- Scheduled actions; the unique key makes each happen once.  Run by the scheduler.
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    enrolment_id    INTEGER REFERENCES enrolments(id),
    unique_key      TEXT NOT NULL UNIQUE,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX jobs_due ON jobs(next_attempt_at) WHERE state = 'pending';
CREATE INDEX jobs_enrolment ON jobs(enrolment_id);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- The first answer to a request with an Idempotency-Key, sealed (it holds the link).
CREATE TABLE idempotency (
    api_key_id   INTEGER NOT NULL REFERENCES api_keys(id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response_box BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, key)
) WITHOUT ROWID;
