-- 0025: when a video's page was first shown with a playable video (0: never).  A page
-- shown once without one (0021's no_media) keeps saying so, because the citizen may have
-- answered then; with this the record can add that at another visit the page had the
-- video, instead of reading as if the video could never be seen.  Rows made before this
-- whose page had a player get the time the page was first shown.
ALTER TABLE video_views ADD COLUMN player_at BIGINT NOT NULL DEFAULT 0;
UPDATE video_views SET player_at = started_at WHERE no_media = 0;
