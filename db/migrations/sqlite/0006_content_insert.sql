-- 0006: a published or retired version gets no new videos, questions or options either.
-- 0002 froze updates and deletes; an administrator now also adds and removes videos,
-- questions and options, which is only ever done to a draft.
CREATE TRIGGER videos_no_insert BEFORE INSERT ON videos
    WHEN (SELECT state FROM packs WHERE id = NEW.pack_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER questions_no_insert BEFORE INSERT ON questions
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id WHERE v.id = NEW.video_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
CREATE TRIGGER options_no_insert BEFORE INSERT ON options
    WHEN (SELECT p.state FROM packs p JOIN videos v ON v.pack_id = p.id
          JOIN questions q ON q.video_id = v.id WHERE q.id = NEW.question_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'published content is never changed in place'); END;
