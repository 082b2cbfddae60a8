-- 0006: a published or retired version gets no new videos, questions or options either.
-- The PostgreSQL twin of db/migrations/sqlite/0006_content_insert.sql.
-- 0002 froze updates and deletes; an administrator now also adds and removes videos,
-- questions and options, which is only ever done to a draft.  content_frozen (0002) looks
-- at the new row's pack on an INSERT.
CREATE TRIGGER videos_no_insert BEFORE INSERT ON videos
    FOR EACH ROW EXECUTE FUNCTION content_frozen();
CREATE TRIGGER questions_no_insert BEFORE INSERT ON questions
    FOR EACH ROW EXECUTE FUNCTION content_frozen();
CREATE TRIGGER options_no_insert BEFORE INSERT ON options
    FOR EACH ROW EXECUTE FUNCTION content_frozen();
