-- 0029: a target group that is switched off (a new one, made for a change in the law) can be
-- switched on by the publication of a version: publish_switch_on is 1 when the
-- administrator chose so when confirming the plan, and the publishing transaction then
-- switches the group on with it (packedit.c), so that the case system can enrol citizens in
-- it from the day its rules take effect without anyone at a keyboard at midnight.  Like the
-- plan's day it stays on the version once published, as a record of the plan.
ALTER TABLE packs ADD COLUMN publish_switch_on BIGINT NOT NULL DEFAULT 0
    CHECK (publish_switch_on IN (0, 1));

DROP TRIGGER packs_plan_frozen ON packs;
CREATE TRIGGER packs_plan_frozen BEFORE UPDATE OF publish_on, publish_hash, publish_switch_on
    ON packs
    FOR EACH ROW WHEN (OLD.state <> 'draft')
    EXECUTE FUNCTION refuse_change('a published pack does not change');
