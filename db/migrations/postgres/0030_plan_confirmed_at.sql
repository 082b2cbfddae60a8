-- 0030: when a draft's plan was last confirmed (seconds since the epoch; 0 when it is not
-- planned).  A version published after that, a correction made beside the plan, is not in
-- the planned draft unless the administrator made it there too: the pages say so until the
-- plan is confirmed again (h_admin_packs.c).  Like the plan's day it stays on the version
-- once published.
ALTER TABLE packs ADD COLUMN publish_confirmed_at BIGINT NOT NULL DEFAULT 0;

DROP TRIGGER packs_plan_frozen ON packs;
CREATE TRIGGER packs_plan_frozen
    BEFORE UPDATE OF publish_on, publish_hash, publish_switch_on, publish_confirmed_at ON packs
    FOR EACH ROW WHEN (OLD.state <> 'draft')
    EXECUTE FUNCTION refuse_change('a published pack does not change');
