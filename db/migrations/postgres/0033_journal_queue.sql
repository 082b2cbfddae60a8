-- 0033: the webhook's queue of journal entries.
-- Its head (the waiting entry with the lowest seq) was found through jobs(kind, ref), which
-- also holds every entry ever delivered: each pass, and each entry it delivered, walked past
-- all of them (a million delivered entries: about 0.3 s on SQLite, 0.1 s on PostgreSQL per
-- entry).  This index holds only the entries still waiting, so the head, the next due time
-- and the queue's length are read from it alone.
CREATE INDEX jobs_journal_waiting ON jobs(ref, id)
    WHERE kind = 'deliver_journal' AND state IN ('pending', 'running');
-- An entry's delivery is never given up any more: later entries waited for it only while it
-- was retried, and went out after it once it was marked failed, so the case system never
-- got it.  Such entries are owed again, due at once; the receiver drops a repeat by its
-- webhook-id or seq, and orders by seq.
UPDATE jobs SET state = 'pending', next_attempt_at = 0, finished_at = NULL
    WHERE kind = 'deliver_journal' AND state = 'failed';
