-- 0020: the statistics' index on answers holds first attempts only.  The statistics count
-- first answers per question and day (attempt = 1); a later attempt is kept for the
-- caseworker but never counted, so it no longer writes an index page of its own, and the
-- statistics' check reads first answers from the index alone (question, time, correct).
DROP INDEX answers_question;
CREATE INDEX answers_question ON answers(question_id, answered_at, correct) WHERE attempt = 1;
