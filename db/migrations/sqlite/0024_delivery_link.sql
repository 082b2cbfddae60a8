-- 0024: the link a letter carries, as the hash of its token (never the token), so that a
-- letter recorded before a new link was issued is not sent with the link that no longer
-- works (scheduler.c: it is written anew, or left to the letter with the new link).  NULL
-- for webhook deliveries and for letters recorded before this version.
ALTER TABLE deliveries ADD COLUMN link_hash TEXT;
