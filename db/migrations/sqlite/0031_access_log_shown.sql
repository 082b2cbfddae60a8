-- 0031: the pages that show many citizens at once (the caseworker's list, a search by name,
-- the failed letters) log a citizen the first time each day that a member of staff is shown
-- them there: each view reads which citizens that user has a row for on that page since the
-- day began, and writes rows for the others.  This index reads those rows of the day alone,
-- from the index itself.
CREATE INDEX access_log_shown ON access_log(user_id, page, at, citizen_id);
