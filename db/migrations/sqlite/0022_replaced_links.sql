-- 0022: links replaced by a newer one.  When an enrolment gets a new link, the old token's
-- hash is kept here, so that the old letter's link answers "this link is no longer in use,
-- you can get a new one" (410) rather than "we cannot find this link, check that you typed
-- all of it" (404).  Only hashes: a token itself is never stored.  The retention purge
-- deletes a purged citizen's rows with the rest of the link data.
CREATE TABLE replaced_links (
    token_hash   TEXT PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
    replaced_at  INTEGER NOT NULL
);
CREATE INDEX replaced_links_enrolment ON replaced_links(enrolment_id);
