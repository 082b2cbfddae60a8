-- Fills a vejled database (made by `vejled demo`, so that the demo target groups, packs and
-- questions exist) with national-scale statistics data: :n enrolments over the last 8
-- quarters in every target group, 200 caseworkers in 20 units, meetings, access-log reads,
-- written guidance sent and resent, and :answers answers.  Every row goes in through the
-- normal tables, so the 0004 triggers build the aggregates as they would in production.
-- Run by scripts/bench/stats-gen, which sets the pragmas and the parameters (temp table p;
-- set temp_store before it: changing temp_store drops the temp tables).

CREATE TEMP TABLE i(x INTEGER PRIMARY KEY);
INSERT INTO i WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM p))
SELECT x FROM c;

INSERT OR IGNORE INTO users(username, display_name, role, unit, password_hash, created_at)
SELECT 'bench-cw' || x, '', 'caseworker', 'enhed-' || printf('%02d', x % 20), '', 0 FROM i WHERE x <= 200;

CREATE TEMP TABLE g AS
SELECT row_number() OVER (ORDER BY t.id) - 1 AS k, t.id AS group_id, pk.id AS pack_id
FROM target_groups t JOIN packs pk ON pk.group_id = t.id AND pk.state = 'published';
CREATE TEMP TABLE gq AS
SELECT g.group_id, row_number() OVER (PARTITION BY g.group_id ORDER BY q.id) - 1 AS k,
       q.id AS question_id, count(*) OVER (PARTITION BY g.group_id) AS nq
FROM g JOIN videos v ON v.pack_id = g.pack_id JOIN questions q ON q.video_id = v.id;
CREATE INDEX gq_k ON gq(group_id, k);

CREATE TEMP TABLE base AS SELECT (SELECT coalesce(max(id), 0) FROM citizens) AS c,
    (SELECT coalesce(max(id), 0) FROM enrolments) AS e, (SELECT count(*) FROM g) AS ng,
    (SELECT now FROM p) - 730 * 86400 AS t0;

BEGIN;
INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)
SELECT base.c + x, 'bench-c-' || x, 'bench-l-' || x, x'00', 'Bench', base.t0 FROM i, base;

-- r1..r4: independent pseudo-random numbers 0..99 from x
INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker, first_meeting_at,
    token_hash, token_expires_at, created_at, opened_at, completed_at, declined_at, closed_at)
SELECT base.e + x, 'bench-e-' || x, base.c + x, g.group_id, g.pack_id, 'bench-cw' || (1 + x % 200),
       created + (7 + r2 % 15) * 86400,
       'bench-t-' || x, created + 180 * 86400, created,
       CASE WHEN r1 < 70 THEN created + 3600 * (1 + r3 % 48) END,
       CASE WHEN r1 < 50 THEN created + 3600 * (2 + r3 % 48) + 60 * r4 END,
       CASE WHEN r1 >= 60 AND r1 < 72 THEN created + 7200 END,
       CASE WHEN r4 < 3 THEN created + 86400 END
FROM (SELECT x, base.t0 + x * (730 * 86400 / (SELECT n FROM p)) + (x * 7919) % 3600 AS created,
             (x * 2654435761) % 100 AS r1, (x * 40503) % 100 AS r2, (x * 69069) % 97 AS r3,
             (x * 1103515245) % 101 AS r4 FROM i, base) AS s, base
JOIN g ON g.k = s.x % base.ng;
COMMIT;

BEGIN;
-- meetings held for 80 % of the first meetings that have passed; oral guidance at half
INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by, recorded_at)
SELECT id, first_meeting_at + 600 * (id % 7), id % 2, 'bench', first_meeting_at + 7200
FROM enrolments WHERE uuid LIKE 'bench-e-%' AND first_meeting_at < (SELECT now FROM p)
  AND id % 5 <> 0;
-- the caseworker read the answers the day before 60 % of the meetings
INSERT INTO access_log(at, user_id, username, citizen_id, page)
SELECT e.first_meeting_at - 86400, u.id, u.username, e.citizen_id, 'citizen'
FROM enrolments e JOIN users u ON u.username = e.caseworker
WHERE e.uuid LIKE 'bench-e-%' AND e.id % 10 < 6;
COMMIT;

BEGIN;
-- written guidance: sent a minute after enrolment (through two channels for a third), and
-- resent six months after the first meeting where that has come
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at, state, finished_at)
SELECT 'send_written_guidance', id, 'send_written_guidance:' || uuid, created_at, created_at,
       created_at, 'done', created_at + 60 FROM enrolments WHERE uuid LIKE 'bench-e-%';
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at, state, finished_at)
SELECT 'resend_written_guidance', id, 'resend_written_guidance:' || uuid,
       first_meeting_at + 182 * 86400, first_meeting_at + 182 * 86400, created_at, 'done',
       first_meeting_at + 182 * 86400 + 60
FROM enrolments WHERE uuid LIKE 'bench-e-%' AND closed_at IS NULL
  AND first_meeting_at + 182 * 86400 < (SELECT now FROM p);
INSERT INTO deliveries(job_id, channel, message_id, created_at)
SELECT id, 'outbox', 'bench-m-o-' || id, finished_at - 60 FROM jobs WHERE unique_key LIKE '%:bench-e-%';
INSERT INTO deliveries(job_id, channel, message_id, created_at)
SELECT id, 'smtp', 'bench-m-s-' || id, finished_at - 60 FROM jobs
WHERE unique_key LIKE '%:bench-e-%' AND id % 3 = 0;
UPDATE deliveries SET state = 'sent', sent_at = created_at + 30 WHERE message_id LIKE 'bench-m-%';
COMMIT;

BEGIN;
-- answers: the citizens who opened answer their group's questions in order, again from
-- the start (attempt 2, 3, …) until :answers answers exist; three in four right
CREATE TEMP TABLE j(n INTEGER PRIMARY KEY);
INSERT INTO j SELECT x - 1 FROM i
WHERE x <= ((SELECT answers FROM p) + (SELECT count(*) FROM enrolments WHERE uuid LIKE 'bench-e-%' AND opened_at IS NOT NULL) - 1)
           / (SELECT count(*) FROM enrolments WHERE uuid LIKE 'bench-e-%' AND opened_at IS NOT NULL);
INSERT INTO answers(enrolment_id, question_id, attempt, chosen, correct, answered_at)
SELECT e.id, gq.question_id, 1 + j.n / gq.nq, '[0]', ((e.id * 31 + j.n * 17) % 100) < 75,
       e.opened_at + 60 * j.n
FROM enrolments e, j, gq
WHERE e.uuid LIKE 'bench-e-%' AND e.opened_at IS NOT NULL AND gq.group_id = e.group_id
  AND gq.k = j.n % gq.nq
LIMIT (SELECT answers FROM p);
COMMIT;

SELECT 'enrolments ' || (SELECT count(*) FROM enrolments) || ', answers ' || (SELECT count(*) FROM answers)
    || ', deliveries ' || (SELECT count(*) FROM deliveries) || ', meetings ' || (SELECT count(*) FROM meetings);
