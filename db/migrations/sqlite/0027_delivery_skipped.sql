-- 0027: a delivery that was not sent and never will be is recorded as such: state
-- 'skipped', with why (skipped_reason) and when it was decided (skipped_at).  The one
-- reason so far is 'link_replaced': the letter went out through another channel, and this
-- channel's copy carried a personal link that a newer link had replaced before the copy
-- could be sent; a link that no longer works is not sent, and the new link goes to the
-- citizen in a letter of its own (scheduler.c).  Before, such a delivery stayed an
-- 'intent' for ever.  Rows written before this version are left as they are: what became
-- of them was not recorded, and is not guessed now.
-- SQLite cannot change a column's CHECK: the table is made again with the same columns,
-- rows, index and trigger (as 0019 did for the journal), and the two new columns.
CREATE TABLE deliveries_new (
    id             INTEGER PRIMARY KEY,
    job_id         INTEGER NOT NULL REFERENCES jobs(id),
    channel        TEXT NOT NULL CHECK (channel IN ('outbox', 'smtp', 'webhook')),
    message_id     TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL DEFAULT 'intent' CHECK (state IN ('intent', 'sent', 'skipped')),
    sha256         TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    sent_at        INTEGER,
    payload_box    BLOB,
    pdf_box        BLOB,
    data           TEXT NOT NULL DEFAULT '{}',
    link_hash      TEXT,
    skipped_at     INTEGER,
    skipped_reason TEXT CHECK (skipped_reason IN ('link_replaced')),
    UNIQUE (job_id, channel),
    CHECK ((state = 'skipped') = (skipped_reason IS NOT NULL AND skipped_at IS NOT NULL))
);
INSERT INTO deliveries_new(id, job_id, channel, message_id, state, sha256, created_at, sent_at,
                           payload_box, pdf_box, data, link_hash)
SELECT id, job_id, channel, message_id, state, sha256, created_at, sent_at, payload_box,
       pdf_box, data, link_hash
FROM deliveries ORDER BY id;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
-- 0005
CREATE INDEX deliveries_sent ON deliveries(channel) WHERE state = 'sent';
-- 0004: a written-guidance job counts once, on the day its first delivery (any channel)
-- was sent.
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
