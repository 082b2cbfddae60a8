-- 0026: when a job was cancelled while an attempt of it was running (0: never).  The
-- running attempt is not interrupted: what it sends is recorded as sent, but when it
-- ends without sending the job ends cancelled instead of being tried again (a reminder
-- whose meeting was moved or held meanwhile would otherwise go out with the old time).
ALTER TABLE jobs ADD COLUMN cancel_requested_at BIGINT NOT NULL DEFAULT 0;
