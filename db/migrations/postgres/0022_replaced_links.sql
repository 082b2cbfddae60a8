-- 0022: links replaced by a newer one (the PostgreSQL twin of
-- db/migrations/sqlite/0022_replaced_links.sql).  When an enrolment gets a new link, the
-- old token's hash is kept here, so that the old letter's link answers 410 ("no longer in
-- use") rather than 404 ("cannot find this link").  Only hashes; the retention purge
-- deletes a purged citizen's rows.
CREATE TABLE replaced_links (
    token_hash   TEXT PRIMARY KEY,
    enrolment_id BIGINT NOT NULL REFERENCES enrolments(id),
    replaced_at  BIGINT NOT NULL
);
CREATE INDEX replaced_links_enrolment ON replaced_links(enrolment_id);
