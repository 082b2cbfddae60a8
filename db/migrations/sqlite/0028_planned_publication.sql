-- 0028: a draft may be planned to be published on a later day, the first day its rules are
-- in force, so that the version in force stays in force until then and a new enrolment on
-- that day gets the new one.  publish_on is that day ('' when the draft is not planned);
-- publish_hash is the draft's content hash when the administrator confirmed the plan: on
-- the day the draft is published only while its content is still what was confirmed
-- (packedit.c).  Both stay on the version once it is published, as a record of the plan.
ALTER TABLE packs ADD COLUMN publish_on TEXT NOT NULL DEFAULT '';
ALTER TABLE packs ADD COLUMN publish_hash TEXT NOT NULL DEFAULT '';

CREATE TRIGGER packs_plan_frozen BEFORE UPDATE OF publish_on, publish_hash ON packs
WHEN OLD.state <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published pack does not change');
END;
