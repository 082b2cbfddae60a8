-- 0015: units as data, and the staff pages' language per session.
-- units: the units a caseworker can belong to, administered like target groups (added,
-- renamed, disabled; never deleted, since old enrolments and statistics name them).
-- users.unit keeps the unit's name (the unit scope joins on it); a rename changes both in
-- one transaction.  The free-text units already in users become rows here.
CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at INTEGER NOT NULL
);
INSERT INTO units(name, created_at)
    SELECT DISTINCT unit, CAST(strftime('%s', 'now') AS INTEGER) FROM users
    WHERE unit <> '' ORDER BY unit;

-- The language a staff member chose for the staff pages, for the rest of the session.
ALTER TABLE staff_sessions ADD COLUMN lang TEXT NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en'));
