-- 0021: whether a video's page was shown without a playable video.  When the video's file
-- is not on the server the page says so and opens the text version instead of a player;
-- when the video names no file there is no player either.  The record must then say so,
-- not "answered without playing the video".  0: the page had a player (and every row
-- made before this), 1: the file was missing, 2: the video names no file.  Set by the
-- server when it serves the page; played ranges, once reported, say more and win.
ALTER TABLE video_views ADD COLUMN no_media BIGINT NOT NULL DEFAULT 0;
