/* pg_placeholders — SQLite's parameter placeholders rewritten for PostgreSQL.
 *
 * The store writes `?` (the next number) and `?N` (number N, 1-based; a later bare `?`
 * takes the highest number used so far plus one).  PostgreSQL wants $N.  The rewrite
 * leaves alone what is inside '…' strings (also E'…' with backslash escapes), "…"
 * identifiers, $tag$…$tag$ bodies, -- comments and (nested) slash-star comments.  A $N
 * already in the text is kept and counted.  A pure function: no connection, no state.
 */
#ifndef VEJLED_PG_PLACEHOLDERS_H
#define VEJLED_PG_PLACEHOLDERS_H

/* The largest parameter number PostgreSQL accepts in one statement. */
#define PG_MAX_PARAMS 65535

/* Rewrites sql into a new string (the caller free()s it) and sets *nparams to the highest
 * parameter number used (0 for none; with numbers 1..N all used, the number of distinct
 * parameters).  NULL for a malformed placeholder (?0, a number above PG_MAX_PARAMS). */
char *pg_placeholders(const char *sql, int *nparams);

#endif
