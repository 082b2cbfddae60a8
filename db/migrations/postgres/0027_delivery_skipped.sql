-- 0027: a delivery that was not sent and never will be is recorded as such: state
-- 'skipped', with why (skipped_reason) and when it was decided (skipped_at).  The one
-- reason so far is 'link_replaced': the letter went out through another channel, and this
-- channel's copy carried a personal link that a newer link had replaced before the copy
-- could be sent; a link that no longer works is not sent, and the new link goes to the
-- citizen in a letter of its own (scheduler.c).  Before, such a delivery stayed an
-- 'intent' for ever.  Rows written before this version are left as they are: what became
-- of them was not recorded, and is not guessed now.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check
    CHECK (state IN ('intent', 'sent', 'skipped'));
ALTER TABLE deliveries ADD COLUMN skipped_at BIGINT;
ALTER TABLE deliveries ADD COLUMN skipped_reason TEXT CHECK (skipped_reason IN ('link_replaced'));
ALTER TABLE deliveries ADD CONSTRAINT deliveries_skipped_check
    CHECK ((state = 'skipped') = (skipped_reason IS NOT NULL AND skipped_at IS NOT NULL));
