-- 0014: languages as data.  The citizen pages may be shown in any language listed in
-- templates/lang/languages.json, not only Danish and English.
-- The PostgreSQL twin of db/migrations/sqlite/0014_languages.sql.
--
-- enrolments.language keeps its CHECK (da, en): it is the language of the letters, which
-- exist in Danish and English.  language_tag is the citizen's page language, any code
-- ('' on rows from before: their language is enrolments.language).  A well-formed code is
-- 2-11 lowercase letters or '-'; whether the running service offers it is checked there.
-- (SQLite's NOT GLOB '*[^a-z-]*' is the regular expression !~ '[^a-z-]'.)
ALTER TABLE enrolments ADD COLUMN language_tag TEXT NOT NULL DEFAULT ''
    CHECK (language_tag = '' OR (length(language_tag) BETWEEN 2 AND 11
                                 AND language_tag !~ '[^a-z-]'));

-- The pack's texts in languages other than Danish and English, as JSON:
-- {"<code>": {"<path>": "<text>", ...}, ...} with the paths content.c documents
-- ("v.<video slug>.title", "q.<question slug>.text", "q.<question slug>.o<n>", ...).
-- Part of the pack's content (and its hash) when not empty; a published pack's never
-- changes, like its other texts.
ALTER TABLE packs ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';

CREATE TRIGGER packs_translations_frozen BEFORE UPDATE OF translations ON packs
    FOR EACH ROW WHEN (OLD.state <> 'draft')
    EXECUTE FUNCTION refuse_change('a published pack does not change');
