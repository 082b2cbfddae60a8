-- 0007: watching and opening as observed.
-- The PostgreSQL twin of db/migrations/sqlite/0007_watching.sql.
--
-- Opening: a citizen link only starts a session; the link counts as opened (enrolments.
-- opened_at, the statistics, the journal's link_opened) on the first request that carries
-- that session back, which a link scanner fetching the link without keeping cookies never
-- makes.  Sessions made before this migration were counted when the link was fetched, so
-- they count as used already.
ALTER TABLE citizen_sessions ADD COLUMN used_at BIGINT;
UPDATE citizen_sessions SET used_at = created_at;

-- Watching: what the video player reported, merged per citizen and video.
--   observed           1: the row was made since playback is observed; 0: an older row,
--                      whose finished_at may have been set by answering (never evidence of
--                      watching)
--   reported_at        first player report (the page's script ran)
--   duration_ms        the media's duration as the player gave it (the largest reported)
--   ranges             the played ranges, merged and sorted: "a-b,a-b" in milliseconds
--   played_ms          their total length
--   ended              the player reported the end of the media
--   skipped            a forward seek jumped over a part not played (before it was played)
--   captions_on        captions were shown during playback
--   transcript_opened  the text version was opened
--   journal_level      how far video_played entries have been journalled (0 none, 1 some
--                      playback, 2/3/4 a quarter/half/three quarters played)
--   to_end_at          when it became watched to the end (>= 95 % played, or the end
--                      reached without skipping)
--   legacy_ended       an older row whose player reported the end (journal video_finished
--                      reported_by player)
ALTER TABLE video_views ADD COLUMN observed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN reported_at BIGINT;
ALTER TABLE video_views ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN ranges TEXT NOT NULL DEFAULT '';
ALTER TABLE video_views ADD COLUMN played_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN ended BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN captions_on BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN transcript_opened BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN journal_level BIGINT NOT NULL DEFAULT 0;
ALTER TABLE video_views ADD COLUMN to_end_at BIGINT;
ALTER TABLE video_views ADD COLUMN legacy_ended BIGINT NOT NULL DEFAULT 0;

-- journal.data is JSON text; ->> reads what SQLite's json_extract reads.
UPDATE video_views SET legacy_ended = 1
WHERE (enrolment_id, video_id) IN (
    SELECT e.id, v.id
    FROM journal j
    JOIN enrolments e ON e.uuid = j.enrolment_uuid
    JOIN videos v ON v.pack_id = e.pack_id AND v.slug = j.data::jsonb ->> 'video'
    WHERE j.kind = 'video_finished' AND j.data::jsonb ->> 'reported_by' = 'player');
