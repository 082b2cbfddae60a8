-- 0005: retention purge and operations counters.
-- The PostgreSQL twin of db/migrations/sqlite/0005_retention.sql.
-- purged_at: when the citizen's personal data (name, e-mail, CPR) was removed after the
-- retention period; the rows stay, anonymous, so the statistics and the journal (which
-- never held a name or CPR) are unchanged.
ALTER TABLE citizens ADD COLUMN purged_at BIGINT;
CREATE INDEX citizens_unpurged ON citizens(created_at) WHERE purged_at IS NULL;

-- /metrics counts failed jobs and sent deliveries per channel on every scrape.
CREATE INDEX jobs_failed ON jobs(kind) WHERE state = 'failed';
CREATE INDEX deliveries_sent ON deliveries(channel) WHERE state = 'sent';
