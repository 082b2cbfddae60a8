-- 0004: statistics — the facts the dashboard needs, kept up to date by triggers, so that a
-- page reads a few thousand aggregate rows however many enrolments and answers there are.
--
-- stats_enrolment holds one row per enrolment with every time the metrics look at (copied
-- from enrolments, meetings, deliveries and access_log by the triggers below) and the
-- derived flags (due, guided, viewed).  stats_group_day and stats_unit_day sum those rows
-- per Copenhagen day and target group or unit; stats_question_day sums first attempts per
-- day and question.
-- Every trigger runs inside the writing transaction, so the aggregates commit together
-- with the row that changed them: they are exactly as correct as the data under any
-- number of concurrent writers (SQLite has one writer at a time).  Deleting base rows
-- (a retention purge) does not touch the aggregates: anonymous statistics stay.
-- server/domain/stats.h defines the metrics; README "Statistics: definitions" explains them.
--
-- Days are Europe/Copenhagen calendar days, as whole days since 1970-01-01: the UTC time
-- plus 2 hours in summer time (EU rule: from the last Sunday of March 01:00 UTC to the
-- last Sunday of October 01:00 UTC), else plus 1 hour, divided by 86400.  That expression
-- is written out where needed (SQL has no functions of its own); search for "weekday 0".

CREATE TABLE stats_enrolment (
    enrolment_id     INTEGER PRIMARY KEY,
    citizen_id       INTEGER NOT NULL,
    group_id         INTEGER NOT NULL,
    unit             TEXT NOT NULL,      -- the caseworker's unit when enrolled; '' = none
    created_at       INTEGER NOT NULL,
    first_meeting_at INTEGER NOT NULL,
    opened_at        INTEGER,
    completed_at     INTEGER,
    declined_at      INTEGER,
    closed_at        INTEGER,
    held_at          INTEGER,            -- meetings.held_at
    oral             INTEGER NOT NULL DEFAULT 0, -- meetings.oral_guidance
    letter_at        INTEGER,            -- first send_written_guidance delivery sent
    viewed_at        INTEGER,            -- first staff read of the citizen since enrolled
    meeting_at       INTEGER AS (coalesce(held_at, first_meeting_at)) STORED,
    created_day      INTEGER AS ((created_at + CASE WHEN created_at >= unixepoch(date(created_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND created_at < unixepoch(date(created_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400) STORED,
    meeting_day      INTEGER AS ((meeting_at + CASE WHEN meeting_at >= unixepoch(date(meeting_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND meeting_at < unixepoch(date(meeting_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400) STORED,
    held_day         INTEGER AS ((held_at + CASE WHEN held_at >= unixepoch(date(held_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND held_at < unixepoch(date(held_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400) STORED,
    completed_day    INTEGER AS ((completed_at + CASE WHEN completed_at >= unixepoch(date(completed_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND completed_at < unixepoch(date(completed_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400) STORED,
    -- counted for "correctly guided": not closed by a group change before the meeting
    due              INTEGER AS (closed_at IS NULL OR closed_at >= meeting_at) STORED,
    guided           INTEGER AS ((closed_at IS NULL OR closed_at >= meeting_at)
                                 AND ifnull(letter_at <= meeting_at, 0)
                                 AND (completed_at IS NOT NULL OR oral = 1)) STORED,
    -- counted for caseworker uptake: the meeting was held and someone read first
    viewed           INTEGER AS (ifnull(viewed_at < held_at, 0)) STORED
);
CREATE INDEX stats_enrolment_citizen ON stats_enrolment(citizen_id);
CREATE INDEX stats_enrolment_meeting ON stats_enrolment(meeting_day, meeting_at, group_id, unit, due, guided);
CREATE INDEX stats_enrolment_completed ON stats_enrolment(completed_day, group_id, unit, letter_at, completed_at);

-- The sums per day and target group, and per day and unit (two tables, so that a page reads
-- days × groups and days × units rows, not days × groups × units).  Triggers write them
-- through the view stats_delta, whose INSTEAD OF trigger adds a change to both.
CREATE TABLE stats_group_day (
    day       INTEGER NOT NULL,
    group_id  INTEGER NOT NULL,
    enrolled  INTEGER NOT NULL DEFAULT 0,  -- by the day the enrolment was created (cohort)
    opened    INTEGER NOT NULL DEFAULT 0,  --   … of those, outcomes as of now
    completed INTEGER NOT NULL DEFAULT 0,
    declined  INTEGER NOT NULL DEFAULT 0,  --   declined and not completed after all
    due       INTEGER NOT NULL DEFAULT 0,  -- by the day of the first meeting
    guided    INTEGER NOT NULL DEFAULT 0,
    held      INTEGER NOT NULL DEFAULT 0,  -- by the day the meeting was held
    viewed    INTEGER NOT NULL DEFAULT 0,
    sends     INTEGER NOT NULL DEFAULT 0,  -- by the day the job's first delivery was sent
    resends   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, group_id)
) WITHOUT ROWID;

CREATE TABLE stats_unit_day (
    day       INTEGER NOT NULL,
    unit      TEXT NOT NULL,
    enrolled  INTEGER NOT NULL DEFAULT 0,
    opened    INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    declined  INTEGER NOT NULL DEFAULT 0,
    due       INTEGER NOT NULL DEFAULT 0,
    guided    INTEGER NOT NULL DEFAULT 0,
    held      INTEGER NOT NULL DEFAULT 0,
    viewed    INTEGER NOT NULL DEFAULT 0,
    sends     INTEGER NOT NULL DEFAULT 0,
    resends   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit)
) WITHOUT ROWID;

CREATE VIEW stats_delta AS
SELECT 0 AS day, 0 AS group_id, '' AS unit, 0 AS enrolled, 0 AS opened, 0 AS completed,
       0 AS declined, 0 AS due, 0 AS guided, 0 AS held, 0 AS viewed, 0 AS sends, 0 AS resends
WHERE 0;

CREATE TRIGGER stats_delta_add INSTEAD OF INSERT ON stats_delta BEGIN
    INSERT INTO stats_group_day(day, group_id, enrolled, opened, completed, declined, due,
        guided, held, viewed, sends, resends)
    VALUES (NEW.day, NEW.group_id, ifnull(NEW.enrolled, 0), ifnull(NEW.opened, 0),
            ifnull(NEW.completed, 0), ifnull(NEW.declined, 0), ifnull(NEW.due, 0),
            ifnull(NEW.guided, 0), ifnull(NEW.held, 0), ifnull(NEW.viewed, 0),
            ifnull(NEW.sends, 0), ifnull(NEW.resends, 0))
    ON CONFLICT DO UPDATE SET enrolled = enrolled + excluded.enrolled,
        opened = opened + excluded.opened, completed = completed + excluded.completed,
        declined = declined + excluded.declined, due = due + excluded.due,
        guided = guided + excluded.guided, held = held + excluded.held,
        viewed = viewed + excluded.viewed, sends = sends + excluded.sends,
        resends = resends + excluded.resends;
    INSERT INTO stats_unit_day(day, unit, enrolled, opened, completed, declined, due,
        guided, held, viewed, sends, resends)
    VALUES (NEW.day, NEW.unit, ifnull(NEW.enrolled, 0), ifnull(NEW.opened, 0),
            ifnull(NEW.completed, 0), ifnull(NEW.declined, 0), ifnull(NEW.due, 0),
            ifnull(NEW.guided, 0), ifnull(NEW.held, 0), ifnull(NEW.viewed, 0),
            ifnull(NEW.sends, 0), ifnull(NEW.resends, 0))
    ON CONFLICT DO UPDATE SET enrolled = enrolled + excluded.enrolled,
        opened = opened + excluded.opened, completed = completed + excluded.completed,
        declined = declined + excluded.declined, due = due + excluded.due,
        guided = guided + excluded.guided, held = held + excluded.held,
        viewed = viewed + excluded.viewed, sends = sends + excluded.sends,
        resends = resends + excluded.resends;
END;

CREATE TABLE stats_question_day (
    day         INTEGER NOT NULL,          -- the day of the first attempt
    question_id INTEGER NOT NULL,
    answered    INTEGER NOT NULL DEFAULT 0,
    wrong       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, question_id)
) WITHOUT ROWID;

-- ---------------------------------------------------------------- stats_enrolment → the day sums
-- A row adds its contribution; a change takes the old one away and adds the new one.

CREATE TRIGGER stats_enrolment_add AFTER INSERT ON stats_enrolment BEGIN
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (NEW.created_day, NEW.group_id, NEW.unit, 1, NEW.opened_at IS NOT NULL,
            NEW.completed_at IS NOT NULL, NEW.declined_at IS NOT NULL AND NEW.completed_at IS NULL);
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (NEW.meeting_day, NEW.group_id, NEW.unit, NEW.due, NEW.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT NEW.held_day, NEW.group_id, NEW.unit, 1, NEW.viewed WHERE NEW.held_at IS NOT NULL;
END;

CREATE TRIGGER stats_enrolment_change AFTER UPDATE ON stats_enrolment BEGIN
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (OLD.created_day, OLD.group_id, OLD.unit, -1, -(OLD.opened_at IS NOT NULL),
            -(OLD.completed_at IS NOT NULL), -(OLD.declined_at IS NOT NULL AND OLD.completed_at IS NULL));
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (OLD.meeting_day, OLD.group_id, OLD.unit, -OLD.due, -OLD.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT OLD.held_day, OLD.group_id, OLD.unit, -1, -OLD.viewed WHERE OLD.held_at IS NOT NULL;
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (NEW.created_day, NEW.group_id, NEW.unit, 1, NEW.opened_at IS NOT NULL,
            NEW.completed_at IS NOT NULL, NEW.declined_at IS NOT NULL AND NEW.completed_at IS NULL);
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (NEW.meeting_day, NEW.group_id, NEW.unit, NEW.due, NEW.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT NEW.held_day, NEW.group_id, NEW.unit, 1, NEW.viewed WHERE NEW.held_at IS NOT NULL;
END;

-- ---------------------------------------------------------------- base tables → stats_enrolment

CREATE TRIGGER stats_enrolment_new AFTER INSERT ON enrolments BEGIN
    INSERT INTO stats_enrolment(enrolment_id, citizen_id, group_id, unit, created_at,
        first_meeting_at, opened_at, completed_at, declined_at, closed_at)
    VALUES (NEW.id, NEW.citizen_id, NEW.group_id,
            coalesce((SELECT unit FROM users WHERE username = NEW.caseworker), ''),
            NEW.created_at, NEW.first_meeting_at, NEW.opened_at, NEW.completed_at,
            NEW.declined_at, NEW.closed_at);
END;

CREATE TRIGGER stats_enrolment_moments AFTER UPDATE OF first_meeting_at, opened_at,
    completed_at, declined_at, closed_at ON enrolments
WHEN NEW.first_meeting_at IS NOT OLD.first_meeting_at OR NEW.opened_at IS NOT OLD.opened_at
  OR NEW.completed_at IS NOT OLD.completed_at OR NEW.declined_at IS NOT OLD.declined_at
  OR NEW.closed_at IS NOT OLD.closed_at
BEGIN
    UPDATE stats_enrolment SET first_meeting_at = NEW.first_meeting_at,
        opened_at = NEW.opened_at, completed_at = NEW.completed_at,
        declined_at = NEW.declined_at, closed_at = NEW.closed_at
    WHERE enrolment_id = NEW.id;
END;

CREATE TRIGGER stats_meeting_new AFTER INSERT ON meetings BEGIN
    UPDATE stats_enrolment SET held_at = NEW.held_at, oral = NEW.oral_guidance
    WHERE enrolment_id = NEW.enrolment_id;
END;

CREATE TRIGGER stats_meeting_change AFTER UPDATE OF held_at, oral_guidance ON meetings
WHEN NEW.held_at IS NOT OLD.held_at OR NEW.oral_guidance IS NOT OLD.oral_guidance
BEGIN
    UPDATE stats_enrolment SET held_at = NEW.held_at, oral = NEW.oral_guidance
    WHERE enrolment_id = NEW.enrolment_id;
END;

-- The first read of the citizen's data by staff since the enrolment was created (an
-- administrator listing the access log itself reads no answers).
CREATE TRIGGER stats_access AFTER INSERT ON access_log WHEN NEW.page <> 'access_log' BEGIN
    UPDATE stats_enrolment SET viewed_at = NEW.at
    WHERE citizen_id = NEW.citizen_id AND created_at <= NEW.at
      AND (viewed_at IS NULL OR viewed_at > NEW.at);
END;

-- A written-guidance job counts once, on the day its first delivery (any channel) was sent.
CREATE TRIGGER stats_delivery_sent AFTER UPDATE OF state ON deliveries
WHEN NEW.state = 'sent' AND OLD.state <> 'sent' AND NEW.sent_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = NEW.job_id AND d.state = 'sent'
                  AND d.id <> NEW.id)
BEGIN
    INSERT INTO stats_delta(day, group_id, unit, sends, resends)
    SELECT (NEW.sent_at + CASE WHEN NEW.sent_at >= unixepoch(date(NEW.sent_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND NEW.sent_at < unixepoch(date(NEW.sent_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400,
           s.group_id, s.unit, j.kind = 'send_written_guidance', j.kind = 'resend_written_guidance'
    FROM jobs j JOIN stats_enrolment s ON s.enrolment_id = j.enrolment_id
    WHERE j.id = NEW.job_id AND j.kind IN ('send_written_guidance', 'resend_written_guidance');
    UPDATE stats_enrolment SET letter_at = NEW.sent_at
    WHERE enrolment_id = (SELECT enrolment_id FROM jobs WHERE id = NEW.job_id
                          AND kind = 'send_written_guidance')
      AND (letter_at IS NULL OR letter_at > NEW.sent_at);
END;

-- ---------------------------------------------------------------- answers → stats_question_day

CREATE TRIGGER stats_answer AFTER INSERT ON answers WHEN NEW.attempt = 1 BEGIN
    INSERT INTO stats_question_day(day, question_id, answered, wrong)
    VALUES ((NEW.answered_at + CASE WHEN NEW.answered_at >= unixepoch(date(NEW.answered_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND NEW.answered_at < unixepoch(date(NEW.answered_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400,
            NEW.question_id, 1, NEW.correct = 0)
    ON CONFLICT DO UPDATE SET answered = answered + 1, wrong = wrong + excluded.wrong;
END;

-- ---------------------------------------------------------------- what existed before 0004

INSERT INTO stats_enrolment(enrolment_id, citizen_id, group_id, unit, created_at,
    first_meeting_at, opened_at, completed_at, declined_at, closed_at, held_at, oral,
    letter_at, viewed_at)
SELECT e.id, e.citizen_id, e.group_id, coalesce(u.unit, ''), e.created_at, e.first_meeting_at,
       e.opened_at, e.completed_at, e.declined_at, e.closed_at, m.held_at,
       coalesce(m.oral_guidance, 0),
       (SELECT min(d.sent_at) FROM jobs j JOIN deliveries d ON d.job_id = j.id
        WHERE j.enrolment_id = e.id AND j.kind = 'send_written_guidance' AND d.state = 'sent'),
       (SELECT min(a.at) FROM access_log a WHERE a.citizen_id = e.citizen_id AND a.at >= e.created_at
        AND a.page <> 'access_log')
FROM enrolments e LEFT JOIN users u ON u.username = e.caseworker
LEFT JOIN meetings m ON m.enrolment_id = e.id;

INSERT INTO stats_delta(day, group_id, unit, sends, resends)
SELECT (t + CASE WHEN t >= unixepoch(date(t, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND t < unixepoch(date(t, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400 AS day,
       group_id, unit, sum(kind = 'send_written_guidance'), sum(kind = 'resend_written_guidance')
FROM (SELECT j.kind, s.group_id, s.unit, min(d.sent_at) AS t
      FROM jobs j JOIN deliveries d ON d.job_id = j.id AND d.state = 'sent'
      JOIN stats_enrolment s ON s.enrolment_id = j.enrolment_id
      WHERE j.kind IN ('send_written_guidance', 'resend_written_guidance') GROUP BY j.id)
GROUP BY 1, 2, 3;

INSERT INTO stats_question_day(day, question_id, answered, wrong)
SELECT (answered_at + CASE WHEN answered_at >= unixepoch(date(answered_at, 'unixepoch', 'start of year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND answered_at < unixepoch(date(answered_at, 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400,
       question_id, count(*), sum(correct = 0)
FROM answers WHERE attempt = 1 GROUP BY 1, 2;
