-- 0004: statistics — the facts the dashboard needs, kept up to date by triggers, so that a
-- page reads a few thousand aggregate rows however many enrolments and answers there are.
-- The PostgreSQL twin of db/migrations/sqlite/0004_stats.sql: the same tables, the same
-- view stats_delta with its INSTEAD OF trigger, the same triggers by name, the same
-- arithmetic (tests/http/schema.test.mjs feeds both engines the same rows and compares every
-- aggregate row).
--
-- stats_enrolment holds one row per enrolment with every time the metrics look at (copied
-- from enrolments, meetings, deliveries and access_log by the triggers below) and the
-- derived flags (due, guided, viewed).  stats_group_day and stats_unit_day sum those rows
-- per Copenhagen day and target group or unit; stats_question_day sums first attempts per
-- day and question.
-- Every trigger runs inside the writing transaction, so the aggregates commit together
-- with the row that changed them.  With several writers at once (several servers on one
-- database) every sum is changed by INSERT … ON CONFLICT … DO UPDATE, one atomic
-- read-and-add under the row's lock, never by reading a sum and writing it back; and a
-- change of a stats_enrolment row takes away the contribution of the row version it
-- locked (OLD), so concurrent changes of one enrolment serialise.  Deleting base rows (a
-- retention purge) does not touch the aggregates: anonymous statistics stay.
-- server/domain/stats.h defines the metrics; README "Statistics: definitions" explains them.
--
-- Days are Europe/Copenhagen calendar days, as whole days since 1970-01-01, from
-- PostgreSQL's time zone database (copenhagen_day below).  SQLite writes the EU rule out
-- (summer time from the last Sunday of March 01:00 UTC to the last Sunday of October
-- 01:00 UTC); the two agree from 1996, when Denmark's summer time took that rule
-- (schema.test.mjs checks every DST change 1996-2037 to the second).

-- Europe/Copenhagen calendar day of t (UTC seconds) as days since 1970-01-01; NULL for
-- NULL.  Immutable (to_timestamp(double) and timezone(text, timestamptz) are), so that the
-- generated columns below may use it.
CREATE FUNCTION copenhagen_day(t BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ((to_timestamp(t) AT TIME ZONE 'Europe/Copenhagen')::date - DATE '1970-01-01')::bigint
$$;

-- A generated column cannot name another one in PostgreSQL, so meeting_at's expression is
-- written out where SQLite names meeting_at.
CREATE TABLE stats_enrolment (
    enrolment_id     BIGINT PRIMARY KEY,
    citizen_id       BIGINT NOT NULL,
    group_id         BIGINT NOT NULL,
    unit             TEXT NOT NULL,      -- the caseworker's unit when enrolled; '' = none
    created_at       BIGINT NOT NULL,
    first_meeting_at BIGINT NOT NULL,
    opened_at        BIGINT,
    completed_at     BIGINT,
    declined_at      BIGINT,
    closed_at        BIGINT,
    held_at          BIGINT,             -- meetings.held_at
    oral             BIGINT NOT NULL DEFAULT 0, -- meetings.oral_guidance
    letter_at        BIGINT,             -- first send_written_guidance delivery sent
    viewed_at        BIGINT,             -- first staff read of the citizen since enrolled
    meeting_at       BIGINT GENERATED ALWAYS AS (coalesce(held_at, first_meeting_at)) STORED,
    created_day      BIGINT GENERATED ALWAYS AS (copenhagen_day(created_at)) STORED,
    meeting_day      BIGINT GENERATED ALWAYS AS (copenhagen_day(coalesce(held_at, first_meeting_at))) STORED,
    held_day         BIGINT GENERATED ALWAYS AS (copenhagen_day(held_at)) STORED,
    completed_day    BIGINT GENERATED ALWAYS AS (copenhagen_day(completed_at)) STORED,
    -- counted for "correctly guided": not closed by a group change before the meeting
    due              BIGINT GENERATED ALWAYS AS
                         ((closed_at IS NULL OR closed_at >= coalesce(held_at, first_meeting_at))::int) STORED,
    guided           BIGINT GENERATED ALWAYS AS
                         (((closed_at IS NULL OR closed_at >= coalesce(held_at, first_meeting_at))
                           AND coalesce(letter_at <= coalesce(held_at, first_meeting_at), false)
                           AND (completed_at IS NOT NULL OR oral = 1))::int) STORED,
    -- counted for caseworker uptake: the meeting was held and someone read first
    viewed           BIGINT GENERATED ALWAYS AS (coalesce(viewed_at < held_at, false)::int) STORED
);
CREATE INDEX stats_enrolment_citizen ON stats_enrolment(citizen_id);
CREATE INDEX stats_enrolment_meeting ON stats_enrolment(meeting_day, meeting_at, group_id, unit, due, guided);
CREATE INDEX stats_enrolment_completed ON stats_enrolment(completed_day, group_id, unit, letter_at, completed_at);

-- The sums per day and target group, and per day and unit (two tables, so that a page reads
-- days × groups and days × units rows, not days × groups × units).  Triggers write them
-- through the view stats_delta, whose INSTEAD OF trigger adds a change to both.
CREATE TABLE stats_group_day (
    day       BIGINT NOT NULL,
    group_id  BIGINT NOT NULL,
    enrolled  BIGINT NOT NULL DEFAULT 0,  -- by the day the enrolment was created (cohort)
    opened    BIGINT NOT NULL DEFAULT 0,  --   … of those, outcomes as of now
    completed BIGINT NOT NULL DEFAULT 0,
    declined  BIGINT NOT NULL DEFAULT 0,  --   declined and not completed after all
    due       BIGINT NOT NULL DEFAULT 0,  -- by the day of the first meeting
    guided    BIGINT NOT NULL DEFAULT 0,
    held      BIGINT NOT NULL DEFAULT 0,  -- by the day the meeting was held
    viewed    BIGINT NOT NULL DEFAULT 0,
    sends     BIGINT NOT NULL DEFAULT 0,  -- by the day the job's first delivery was sent
    resends   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, group_id)
);

CREATE TABLE stats_unit_day (
    day       BIGINT NOT NULL,
    unit      TEXT NOT NULL,
    enrolled  BIGINT NOT NULL DEFAULT 0,
    opened    BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0,
    declined  BIGINT NOT NULL DEFAULT 0,
    due       BIGINT NOT NULL DEFAULT 0,
    guided    BIGINT NOT NULL DEFAULT 0,
    held      BIGINT NOT NULL DEFAULT 0,
    viewed    BIGINT NOT NULL DEFAULT 0,
    sends     BIGINT NOT NULL DEFAULT 0,
    resends   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit)
);

CREATE VIEW stats_delta AS
SELECT 0::bigint AS day, 0::bigint AS group_id, ''::text AS unit, 0::bigint AS enrolled,
       0::bigint AS opened, 0::bigint AS completed, 0::bigint AS declined, 0::bigint AS due,
       0::bigint AS guided, 0::bigint AS held, 0::bigint AS viewed, 0::bigint AS sends,
       0::bigint AS resends
WHERE false;

CREATE FUNCTION stats_delta_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_group_day AS g(day, group_id, enrolled, opened, completed, declined, due,
        guided, held, viewed, sends, resends)
    VALUES (NEW.day, NEW.group_id, coalesce(NEW.enrolled, 0), coalesce(NEW.opened, 0),
            coalesce(NEW.completed, 0), coalesce(NEW.declined, 0), coalesce(NEW.due, 0),
            coalesce(NEW.guided, 0), coalesce(NEW.held, 0), coalesce(NEW.viewed, 0),
            coalesce(NEW.sends, 0), coalesce(NEW.resends, 0))
    ON CONFLICT (day, group_id) DO UPDATE SET enrolled = g.enrolled + excluded.enrolled,
        opened = g.opened + excluded.opened, completed = g.completed + excluded.completed,
        declined = g.declined + excluded.declined, due = g.due + excluded.due,
        guided = g.guided + excluded.guided, held = g.held + excluded.held,
        viewed = g.viewed + excluded.viewed, sends = g.sends + excluded.sends,
        resends = g.resends + excluded.resends;
    INSERT INTO stats_unit_day AS u(day, unit, enrolled, opened, completed, declined, due,
        guided, held, viewed, sends, resends)
    VALUES (NEW.day, NEW.unit, coalesce(NEW.enrolled, 0), coalesce(NEW.opened, 0),
            coalesce(NEW.completed, 0), coalesce(NEW.declined, 0), coalesce(NEW.due, 0),
            coalesce(NEW.guided, 0), coalesce(NEW.held, 0), coalesce(NEW.viewed, 0),
            coalesce(NEW.sends, 0), coalesce(NEW.resends, 0))
    ON CONFLICT (day, unit) DO UPDATE SET enrolled = u.enrolled + excluded.enrolled,
        opened = u.opened + excluded.opened, completed = u.completed + excluded.completed,
        declined = u.declined + excluded.declined, due = u.due + excluded.due,
        guided = u.guided + excluded.guided, held = u.held + excluded.held,
        viewed = u.viewed + excluded.viewed, sends = u.sends + excluded.sends,
        resends = u.resends + excluded.resends;
    RETURN NEW;
END;
$$;
CREATE TRIGGER stats_delta_add INSTEAD OF INSERT ON stats_delta
    FOR EACH ROW EXECUTE FUNCTION stats_delta_add();

CREATE TABLE stats_question_day (
    day         BIGINT NOT NULL,          -- the day of the first attempt
    question_id BIGINT NOT NULL,
    answered    BIGINT NOT NULL DEFAULT 0,
    wrong       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, question_id)
);

-- ---------------------------------------------------------------- stats_enrolment → the day sums
-- A row adds its contribution; a change takes the old one away and adds the new one.

CREATE FUNCTION stats_enrolment_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (NEW.created_day, NEW.group_id, NEW.unit, 1, (NEW.opened_at IS NOT NULL)::int,
            (NEW.completed_at IS NOT NULL)::int,
            (NEW.declined_at IS NOT NULL AND NEW.completed_at IS NULL)::int);
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (NEW.meeting_day, NEW.group_id, NEW.unit, NEW.due, NEW.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT NEW.held_day, NEW.group_id, NEW.unit, 1, NEW.viewed WHERE NEW.held_at IS NOT NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_enrolment_add AFTER INSERT ON stats_enrolment
    FOR EACH ROW EXECUTE FUNCTION stats_enrolment_add();

CREATE FUNCTION stats_enrolment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (OLD.created_day, OLD.group_id, OLD.unit, -1, -(OLD.opened_at IS NOT NULL)::int,
            -(OLD.completed_at IS NOT NULL)::int,
            -(OLD.declined_at IS NOT NULL AND OLD.completed_at IS NULL)::int);
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (OLD.meeting_day, OLD.group_id, OLD.unit, -OLD.due, -OLD.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT OLD.held_day, OLD.group_id, OLD.unit, -1, -OLD.viewed WHERE OLD.held_at IS NOT NULL;
    INSERT INTO stats_delta(day, group_id, unit, enrolled, opened, completed, declined)
    VALUES (NEW.created_day, NEW.group_id, NEW.unit, 1, (NEW.opened_at IS NOT NULL)::int,
            (NEW.completed_at IS NOT NULL)::int,
            (NEW.declined_at IS NOT NULL AND NEW.completed_at IS NULL)::int);
    INSERT INTO stats_delta(day, group_id, unit, due, guided)
    VALUES (NEW.meeting_day, NEW.group_id, NEW.unit, NEW.due, NEW.guided);
    INSERT INTO stats_delta(day, group_id, unit, held, viewed)
    SELECT NEW.held_day, NEW.group_id, NEW.unit, 1, NEW.viewed WHERE NEW.held_at IS NOT NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_enrolment_change AFTER UPDATE ON stats_enrolment
    FOR EACH ROW EXECUTE FUNCTION stats_enrolment_change();

-- ---------------------------------------------------------------- base tables → stats_enrolment

CREATE FUNCTION stats_enrolment_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_enrolment(enrolment_id, citizen_id, group_id, unit, created_at,
        first_meeting_at, opened_at, completed_at, declined_at, closed_at)
    VALUES (NEW.id, NEW.citizen_id, NEW.group_id,
            coalesce((SELECT unit FROM users WHERE username = NEW.caseworker), ''),
            NEW.created_at, NEW.first_meeting_at, NEW.opened_at, NEW.completed_at,
            NEW.declined_at, NEW.closed_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_enrolment_new AFTER INSERT ON enrolments
    FOR EACH ROW EXECUTE FUNCTION stats_enrolment_new();

CREATE FUNCTION stats_enrolment_moments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_enrolment SET first_meeting_at = NEW.first_meeting_at,
        opened_at = NEW.opened_at, completed_at = NEW.completed_at,
        declined_at = NEW.declined_at, closed_at = NEW.closed_at
    WHERE enrolment_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_enrolment_moments AFTER UPDATE OF first_meeting_at, opened_at,
    completed_at, declined_at, closed_at ON enrolments
    FOR EACH ROW
    WHEN (NEW.first_meeting_at IS DISTINCT FROM OLD.first_meeting_at
          OR NEW.opened_at IS DISTINCT FROM OLD.opened_at
          OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
          OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
          OR NEW.closed_at IS DISTINCT FROM OLD.closed_at)
    EXECUTE FUNCTION stats_enrolment_moments();

CREATE FUNCTION stats_meeting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_enrolment SET held_at = NEW.held_at, oral = NEW.oral_guidance
    WHERE enrolment_id = NEW.enrolment_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_meeting_new AFTER INSERT ON meetings
    FOR EACH ROW EXECUTE FUNCTION stats_meeting();
CREATE TRIGGER stats_meeting_change AFTER UPDATE OF held_at, oral_guidance ON meetings
    FOR EACH ROW
    WHEN (NEW.held_at IS DISTINCT FROM OLD.held_at
          OR NEW.oral_guidance IS DISTINCT FROM OLD.oral_guidance)
    EXECUTE FUNCTION stats_meeting();

-- The first read of the citizen's data by staff since the enrolment was created (an
-- administrator listing the access log itself reads no answers).
CREATE FUNCTION stats_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_enrolment SET viewed_at = NEW.at
    WHERE citizen_id = NEW.citizen_id AND created_at <= NEW.at
      AND (viewed_at IS NULL OR viewed_at > NEW.at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_access AFTER INSERT ON access_log
    FOR EACH ROW WHEN (NEW.page <> 'access_log')
    EXECUTE FUNCTION stats_access();

-- A written-guidance job counts once, on the day its first delivery (any channel) was sent.
-- (SQLite's WHEN also asks that no other delivery of the job is sent yet; a WHEN cannot hold
-- a subquery here, so the function asks.)
CREATE FUNCTION stats_delivery_sent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = NEW.job_id AND d.state = 'sent'
               AND d.id <> NEW.id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO stats_delta(day, group_id, unit, sends, resends)
    SELECT copenhagen_day(NEW.sent_at), s.group_id, s.unit,
           (j.kind = 'send_written_guidance')::int, (j.kind = 'resend_written_guidance')::int
    FROM jobs j JOIN stats_enrolment s ON s.enrolment_id = j.enrolment_id
    WHERE j.id = NEW.job_id AND j.kind IN ('send_written_guidance', 'resend_written_guidance');
    UPDATE stats_enrolment SET letter_at = NEW.sent_at
    WHERE enrolment_id = (SELECT enrolment_id FROM jobs WHERE id = NEW.job_id
                          AND kind = 'send_written_guidance')
      AND (letter_at IS NULL OR letter_at > NEW.sent_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_delivery_sent AFTER UPDATE OF state ON deliveries
    FOR EACH ROW
    WHEN (NEW.state = 'sent' AND OLD.state <> 'sent' AND NEW.sent_at IS NOT NULL)
    EXECUTE FUNCTION stats_delivery_sent();

-- ---------------------------------------------------------------- answers → stats_question_day

CREATE FUNCTION stats_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_question_day AS q(day, question_id, answered, wrong)
    VALUES (copenhagen_day(NEW.answered_at), NEW.question_id, 1, (NEW.correct = 0)::int)
    ON CONFLICT (day, question_id) DO UPDATE SET answered = q.answered + 1,
        wrong = q.wrong + excluded.wrong;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_answer AFTER INSERT ON answers
    FOR EACH ROW WHEN (NEW.attempt = 1)
    EXECUTE FUNCTION stats_answer();

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
SELECT copenhagen_day(t) AS day, group_id, unit,
       sum((kind = 'send_written_guidance')::int), sum((kind = 'resend_written_guidance')::int)
FROM (SELECT j.kind, s.group_id, s.unit, min(d.sent_at) AS t
      FROM jobs j JOIN deliveries d ON d.job_id = j.id AND d.state = 'sent'
      JOIN stats_enrolment s ON s.enrolment_id = j.enrolment_id
      WHERE j.kind IN ('send_written_guidance', 'resend_written_guidance')
      GROUP BY j.id, j.kind, s.group_id, s.unit) AS first_sends
GROUP BY 1, 2, 3;

INSERT INTO stats_question_day(day, question_id, answered, wrong)
SELECT copenhagen_day(answered_at), question_id, count(*), sum((correct = 0)::int)
FROM answers WHERE attempt = 1 GROUP BY 1, 2;
