-- 0032: the citizen page lists a citizen's latest reads except the list's and the name
-- search's, and counts those in one line.  Those rows pile up (one a day for each member of
-- staff shown the citizen), so the citizen's index now holds the page and the user too: the
-- latest reads are read newest first from the index and the reading stops at the page's
-- limit, and the count reads the index alone, not every row of the table.  The queries
-- by citizen and time use it as before.
DROP INDEX access_log_citizen;
CREATE INDEX access_log_citizen ON access_log(citizen_id, at, page, user_id);
