/* store_staff — the staff side of the store: user accounts, staff sessions, the access log,
 * the caseworker's list, API keys and target groups as administrators manage them, and
 * guidance pack drafts.  See store.h for the contract of each function. */
#include "store.h"
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

/* ------------------------------------------------------------------ users */

#define STORE_USER_COLS                                                                       \
    "id, username, display_name, role, unit, password_hash, disabled, failed_logins,"        \
    " locked_until, created_at"

static void store_user_read(struct db_stmt *s, int col, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = db_col_int64(s, col);
    store_col_copy(s, col + 1, u->username, sizeof u->username);
    store_col_copy(s, col + 2, u->display_name, sizeof u->display_name);
    store_col_copy(s, col + 3, u->role, sizeof u->role);
    store_col_copy(s, col + 4, u->unit, sizeof u->unit);
    store_col_copy(s, col + 5, u->password_hash, sizeof u->password_hash);
    u->disabled = db_col_int(s, col + 6) != 0;
    u->failed_logins = db_col_int(s, col + 7);
    u->locked_until = db_col_int64(s, col + 8);
    u->created_at = db_col_int64(s, col + 9);
}

static enum store_status store_user_one(struct store *st, struct db_stmt *s, struct store_user *out)
{
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_user_read(s, 0, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_user_insert(struct store *st, const struct store_user *u, int64_t now,
                                    int64_t *id)
{
    struct db_stmt *s = store_stmt(st,
                                 "INSERT INTO users(username, display_name, role, unit,"
                                 " password_hash, disabled, created_at) VALUES (?,?,?,?,?,?,?)"
                                 " RETURNING id",
                                 "tttttii", u->username, u->display_name, u->role, u->unit,
                                 u->password_hash, (int64_t)u->disabled, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_user_by_name(struct store *st, const char *username,
                                     struct store_user *out)
{
    return store_user_one(
        st, store_stmt(st, "SELECT " STORE_USER_COLS " FROM users WHERE username = ?", "t",
                       username),
        out);
}

enum store_status store_user_by_id(struct store *st, int64_t id, struct store_user *out)
{
    return store_user_one(
        st, store_stmt(st, "SELECT " STORE_USER_COLS " FROM users WHERE id = ?", "i", id), out);
}

enum store_status store_user_list(struct store *st, struct store_user **out, size_t *n)
{
    struct db_stmt *s = store_stmt(st, "SELECT " STORE_USER_COLS " FROM users ORDER BY username", "");
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        store_user_read(s, 0, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_user_update(struct store *st, const struct store_user *u)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE users SET display_name = ?, role = ?, unit = ?,"
                                      " disabled = ? WHERE id = ?",
                                      "tttii", u->display_name, u->role, u->unit,
                                      (int64_t)u->disabled, u->id)));
}

enum store_status store_user_set_password(struct store *st, int64_t id, const char *hash)
{
    return store_changed(
        st, store_done(st, store_stmt(st, "UPDATE users SET password_hash = ? WHERE id = ?",
                                      "ti", hash, id)));
}

enum store_status store_login_failure_add(struct store *st, int64_t id, int64_t now,
                                          int64_t window_start, unsigned cap, unsigned *count)
{
    *count = 0;
    enum store_status rc = store_done(
        st, store_stmt(st, "DELETE FROM login_failures WHERE user_id = ? AND at <= ?", "ii", id,
                       window_start));
    if (rc != STORE_OK)
        return rc;
    struct db_stmt *s = store_stmt(st, "SELECT count(*) FROM login_failures WHERE user_id = ?", "i",
                                 id);
    if (!s)
        return STORE_ERROR;
    int step = db_step(s);
    if (step == DB_ROW)
        *count = (unsigned)db_col_int64(s, 0);
    db_reset(s);
    if (step != DB_ROW)
        return store_status_of(step);
    if (*count >= cap)
        return STORE_OK;
    (*count)++;
    return store_done(st, store_stmt(st, "INSERT INTO login_failures(user_id, at) VALUES (?,?)",
                                     "ii", id, now));
}

enum store_status store_user_set_lock(struct store *st, int64_t id, int64_t until)
{
    return store_changed(st, store_done(st, store_stmt(st,
                                                       "UPDATE users SET locked_until = ?"
                                                       " WHERE id = ?",
                                                       "ii", until, id)));
}

enum store_status store_user_unlock(struct store *st, int64_t id)
{
    enum store_status rc = store_done(
        st, store_stmt(st, "DELETE FROM login_failures WHERE user_id = ?", "i", id));
    if (rc != STORE_OK)
        return rc;
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE users SET locked_until = 0, failed_logins = 0"
                                      " WHERE id = ?",
                                      "i", id)));
}

enum store_status store_account_log_insert(struct store *st, int64_t now, int64_t user_id,
                                           const char *username, const char *event,
                                           const char *actor, int64_t until)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO account_log(at, user_id, username, event, actor,"
                                     " until) VALUES (?,?,?,?,?,?)",
                                     "iittti", now, user_id, username, event, actor, until));
}

enum store_status store_account_log_list(struct store *st, int64_t user_id, size_t limit,
                                         struct store_account_log_row **out, size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT at, event, actor, until FROM account_log"
                                 " WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                                 "ii", user_id, (int64_t)limit);
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct store_account_log_row *r = &(*out)[(*n)++];
        r->at = db_col_int64(s, 0);
        store_col_copy(s, 1, r->event, sizeof r->event);
        store_col_copy(s, 2, r->actor, sizeof r->actor);
        r->until = db_col_int64(s, 3);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

/* ------------------------------------------------------------------ sessions */

enum store_status store_staff_session_insert(struct store *st, const char *id_hash,
                                             int64_t user_id, int64_t now, int64_t expires)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO staff_sessions(id_hash, user_id, created_at,"
                                     " last_seen_at, expires_at) VALUES (?,?,?,?,?)",
                                     "tiiii", id_hash, user_id, now, now, expires));
}

enum store_status store_staff_session_get(struct store *st, const char *id_hash, int64_t now,
                                          int64_t idle_s, struct store_user *out,
                                          int64_t *last_seen)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT u.id, u.username, u.display_name, u.role, u.unit, u.password_hash, u.disabled,"
        " u.failed_logins, u.locked_until, u.created_at, x.last_seen_at, x.lang"
        " FROM staff_sessions x"
        " JOIN users u ON u.id = x.user_id"
        " WHERE x.id_hash = ?1 AND x.expires_at > ?2 AND x.last_seen_at + ?3 > ?2"
        " AND u.disabled = 0",
        "tii", id_hash, now, idle_s);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_user_read(s, 0, out);
        *last_seen = db_col_int64(s, 10);
        store_col_copy(s, 11, out->lang, sizeof out->lang);
        db_reset(s);
    }
    return rc;
}

enum store_status store_staff_session_touch(struct store *st, const char *id_hash, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "UPDATE staff_sessions SET last_seen_at = ?1"
                                     " WHERE id_hash = ?2 AND last_seen_at < ?1",
                                     "it", now, id_hash));
}

enum store_status store_staff_session_set_lang(struct store *st, const char *id_hash,
                                               const char *lang)
{
    return store_changed(
        st, store_done(st, store_stmt(st, "UPDATE staff_sessions SET lang = ? WHERE id_hash = ?",
                                      "tt", lang, id_hash)));
}

/* ------------------------------------------------------------------ units */

enum store_status store_unit_list(struct store *st, struct store_unit **out, size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT n.id, n.name, n.disabled,"
                                 " (SELECT count(*) FROM users u WHERE u.unit = n.name)"
                                 " FROM units n ORDER BY n.name",
                                 "");
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct store_unit *u = &(*out)[(*n)++];
        memset(u, 0, sizeof *u);
        u->id = db_col_int64(s, 0);
        store_col_copy(s, 1, u->name, sizeof u->name);
        u->disabled = db_col_int(s, 2) != 0;
        u->users = db_col_int64(s, 3);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_unit_insert(struct store *st, const char *name, int64_t now)
{
    return store_done(st, store_stmt(st, "INSERT INTO units(name, created_at) VALUES (?, ?)",
                                     "ti", name, now));
}

enum store_status store_unit_ensure(struct store *st, const char *name, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO units(name, created_at) VALUES (?, ?)"
                                     " ON CONFLICT(name) DO NOTHING",
                                     "ti", name, now));
}

enum store_status store_unit_usable(struct store *st, const char *name)
{
    struct db_stmt *s = store_stmt(st, "SELECT 1 FROM units WHERE name = ? AND disabled = 0", "t",
                                 name);
    enum store_status rc = store_row(st, s);
    if (s)
        db_reset(s);
    return rc;
}

struct store_unit_rename_arg {
    int64_t id;
    const char *name;
};

/* A unit renamed keeps its statistics: they are kept under the unit's name (the unit of
 * the enrolment's caseworker when it was made), so they move to the new name with it, and
 * a unit given the old name later starts from nothing.  stats_enrolment's trigger moves
 * each enrolment's share of the day sums; the sendings, which the deliveries' trigger adds
 * by unit, are moved after them, and the old name's rows that are empty then go. */
static enum store_status store_unit_rename_stats(struct store *st, const char *name, int64_t id)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE stats_enrolment SET unit = ?1"
                       " WHERE unit = (SELECT name FROM units WHERE id = ?2)",
                       "ti", name, id));
    if (rc == STORE_OK)
        rc = store_done(
            st, store_stmt(st,
                           "INSERT INTO stats_unit_day(day, unit, sends, resends)"
                           " SELECT day, ?1, sends, resends FROM stats_unit_day"
                           " WHERE unit = (SELECT name FROM units WHERE id = ?2)"
                           " AND (sends <> 0 OR resends <> 0)"
                           " ON CONFLICT(day, unit) DO UPDATE SET"
                           " sends = stats_unit_day.sends + excluded.sends,"
                           " resends = stats_unit_day.resends + excluded.resends",
                           "ti", name, id));
    if (rc == STORE_OK)
        rc = store_done(st, store_stmt(st,
                                       "UPDATE stats_unit_day SET sends = 0, resends = 0"
                                       " WHERE unit = (SELECT name FROM units WHERE id = ?)",
                                       "i", id));
    if (rc == STORE_OK)
        rc = store_done(
            st, store_stmt(st,
                           "DELETE FROM stats_unit_day"
                           " WHERE unit = (SELECT name FROM units WHERE id = ?) AND enrolled = 0"
                           " AND opened = 0 AND completed = 0 AND declined = 0 AND due = 0"
                           " AND guided = 0 AND held = 0 AND viewed = 0",
                           "i", id));
    return rc;
}

static enum store_status store_unit_rename_txn(struct store *st, void *arg)
{
    const struct store_unit_rename_arg *a = arg;
    enum store_status rc = store_unit_rename_stats(st, a->name, a->id);
    if (rc == STORE_OK)
        rc = store_done(
            st, store_stmt(st,
                           "UPDATE users SET unit = ?1 WHERE unit = (SELECT name FROM units WHERE id = ?2)",
                           "ti", a->name, a->id));
    if (rc == STORE_OK)
        rc = store_changed(st, store_done(st, store_stmt(st, "UPDATE units SET name = ? WHERE id = ?",
                                                         "ti", a->name, a->id)));
    return rc;
}

enum store_status store_unit_rename(struct store *st, int64_t id, const char *name)
{
    struct store_unit_rename_arg a = {id, name};
    return store_txn(st, store_unit_rename_txn, &a);
}

enum store_status store_unit_set_disabled(struct store *st, int64_t id, bool disabled)
{
    return store_changed(
        st, store_done(st, store_stmt(st, "UPDATE units SET disabled = ? WHERE id = ?", "ii",
                                      (int64_t)disabled, id)));
}

enum store_status store_staff_session_delete(struct store *st, const char *id_hash)
{
    return store_done(st,
                      store_stmt(st, "DELETE FROM staff_sessions WHERE id_hash = ?", "t", id_hash));
}

enum store_status store_staff_sessions_purge(struct store *st, int64_t now, int64_t idle_s)
{
    return store_done(st, store_stmt(st,
                                     "DELETE FROM staff_sessions WHERE expires_at <= ?1"
                                     " OR last_seen_at + ?2 <= ?1",
                                     "ii", now, idle_s));
}

enum store_status store_staff_sessions_end_user(struct store *st, int64_t user_id)
{
    return store_done(st,
                      store_stmt(st, "DELETE FROM staff_sessions WHERE user_id = ?", "i", user_id));
}

/* ------------------------------------------------------------------ access log */

enum store_status store_access_insert(struct store *st, int64_t user_id, const char *username,
                                      int64_t citizen_id, const char *page, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO access_log(at, user_id, username, citizen_id,"
                                     " page) VALUES (?,?,?,?,?)",
                                     "iitit", now, user_id, username, citizen_id, page));
}

enum store_status store_access_insert_many(struct store *st, int64_t user_id,
                                           const char *username, const int64_t *citizen_ids,
                                           size_t n, const char *page, int64_t now,
                                           int64_t since)
{
    if (n == 0)
        return STORE_OK;
    /* one statement for the whole list (a round trip per row would cost a list of 500 on
     * PostgreSQL tens of milliseconds): the ids go in as one JSON array */
    struct buf ids = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&ids, "%c%lld", i ? ',' : '[', (long long)citizen_ids[i]);
    buf_puts(&ids, "]");
    /* the citizens this user was shown on this page since `since` are read once, from
     * the index access_log_shown (migration 0031), not looked up one by one */
#define STORE_ACCESS_NOT_SINCE                                                              \
    " WHERE c NOT IN (SELECT a.citizen_id FROM access_log a WHERE a.user_id = ?2"            \
    " AND a.page = ?4 AND a.at >= ?6)"
    const char *sql =
        store_is_postgres(st)
            ? "INSERT INTO access_log(at, user_id, username, citizen_id, page)"
              " SELECT ?1, ?2, ?3, c, ?4 FROM (SELECT DISTINCT CAST(x AS BIGINT) AS c"
              " FROM jsonb_array_elements_text(CAST(?5 AS jsonb)) AS t(x)) s"
              STORE_ACCESS_NOT_SINCE
            : "INSERT INTO access_log(at, user_id, username, citizen_id, page)"
              " SELECT ?1, ?2, ?3, c, ?4 FROM (SELECT DISTINCT CAST(value AS INTEGER) AS c"
              " FROM json_each(?5)) s" STORE_ACCESS_NOT_SINCE;
#undef STORE_ACCESS_NOT_SINCE
    enum store_status rc = store_done(st, store_stmt(st, sql, "iittti", now, user_id, username,
                                                     page, ids.data, since));
    buf_free(&ids);
    return rc;
}

/* The pages whose rows the citizen page counts rather than lists (store_access_list's
 * with_lists, store_access_lists_count): the list and a search by name, which show a
 * citizen every day they are open (the failed letters, seldom, are listed). */
#define STORE_ACCESS_LISTS "('" STORE_ACCESS_LIST "', '" STORE_ACCESS_NAME_SEARCH "')"

enum store_status store_access_list(struct store *st, int64_t citizen_id, const char *unit,
                                    bool with_lists, size_t limit,
                                    struct store_access_row **out, size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT a.at, a.username, coalesce(u.display_name, ''), a.page"
                                 " FROM access_log a LEFT JOIN users u ON u.id = a.user_id"
                                 " WHERE a.citizen_id = ?1 AND (?2 = '' OR u.unit = ?2)"
                                 " AND (?4 = 1 OR a.page NOT IN " STORE_ACCESS_LISTS ")"
                                 " ORDER BY a.at DESC, a.id DESC LIMIT ?3",
                                 "itii", citizen_id, unit, (int64_t)limit,
                                 (int64_t)(with_lists ? 1 : 0));
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct store_access_row *r = &(*out)[(*n)++];
        r->at = db_col_int64(s, 0);
        store_col_copy(s, 1, r->username, sizeof r->username);
        store_col_copy(s, 2, r->display_name, sizeof r->display_name);
        store_col_copy(s, 3, r->page, sizeof r->page);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_access_lists_count(struct store *st, int64_t citizen_id,
                                          const char *unit, int64_t *count, int64_t *last_at)
{
    *count = 0;
    *last_at = 0;
    struct db_stmt *s = store_stmt(st,
                                   "SELECT count(*), coalesce(max(a.at), 0) FROM access_log a"
                                   " LEFT JOIN users u ON u.id = a.user_id"
                                   " WHERE a.citizen_id = ?1 AND (?2 = '' OR u.unit = ?2)"
                                   " AND a.page IN " STORE_ACCESS_LISTS,
                                   "it", citizen_id, unit);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *count = db_col_int64(s, 0);
    *last_at = db_col_int64(s, 1);
    db_reset(s);
    return STORE_OK;
}

/* ------------------------------------------------------------------ caseload */

/* An enrolment e is in the unit of parameter ?N ('' = every unit) when its caseworker's
 * account belongs to that unit. */
#define STORE_IN_UNIT(n)                                                                      \
    "(?" #n " = '' OR EXISTS (SELECT 1 FROM users u WHERE u.username = e.caseworker"          \
    " AND u.unit = ?" #n "))"

#define STORE_IDS_SQLITE(x) "group_concat(" x ")"
#define STORE_IDS_PG(x) "string_agg(CAST(" x " AS TEXT), ',')"

/* A meeting still to come: not recorded, planned at or after ?8. */
#define STORE_CASELOAD_UPCOMING                                                             \
    "(e.first_meeting_at >= ?8 AND NOT EXISTS (SELECT 1 FROM meetings m"                     \
    " WHERE m.enrolment_id = e.id))"

/* The caseworker's list; POS: the dialect's substring position function, IDS(x): the
 * dialect's comma-separated list of the integers x of a group. */
#define STORE_CASELOAD_SQL(POS, IDS)                                                        \
    "SELECT e.id, e.uuid, e.citizen_id, c.uuid, e.group_id, e.pack_id, p.version,"          \
    " e.caseworker, e.language, e.first_meeting_at, e.token_expires_at, e.created_at,"      \
    " e.opened_at, e.completed_at, e.declined_at, e.closed_at, e.oral_guidance_at,"         \
    " (SELECT m.held_at FROM meetings m WHERE m.enrolment_id = e.id),"                      \
    " c.name, g.slug, g.name_da,"                                                           \
    " (SELECT count(*) FROM answers a WHERE a.enrolment_id = e.id AND a.attempt = 1),"      \
    " (SELECT count(*) FROM answers a WHERE a.enrolment_id = e.id AND a.attempt = 1"        \
    "   AND a.correct = 1),"                                                                \
    " (SELECT count(*) FROM asked_topics t WHERE t.enrolment_id = e.id),"                   \
    " EXISTS (SELECT 1 FROM video_views v WHERE v.enrolment_id = e.id),"                    \
    " (SELECT " IDS("a.question_id") " FROM answers a WHERE a.enrolment_id = e.id"           \
    "   AND a.attempt = 1 AND a.correct = 0),"                                              \
    " (SELECT " IDS("t.question_id") " FROM asked_topics t WHERE t.enrolment_id = e.id)"     \
    " FROM enrolments e JOIN citizens c ON c.id = e.citizen_id"                             \
    " JOIN packs p ON p.id = e.pack_id JOIN target_groups g ON g.id = e.group_id"           \
    " WHERE e.closed_at IS NULL AND " STORE_IN_UNIT(1)                                      \
    " AND (?2 = '' OR g.slug = ?2)"                                                         \
    " AND e.first_meeting_at >= ?3 AND e.first_meeting_at < ?4"                             \
    " AND (?5 = '' OR " POS "(lower(c.name), lower(?5)) > 0)"                               \
    " AND (?6 = 0 OR e.citizen_id = ?6)"                                                    \
    " AND (?9 = '' OR e.caseworker = ?9)"                                                   \
    " ORDER BY " STORE_CASELOAD_UPCOMING " DESC,"                                            \
    " CASE WHEN " STORE_CASELOAD_UPCOMING " THEN e.first_meeting_at"                        \
    "  ELSE -e.first_meeting_at END, e.id LIMIT ?7"

enum store_status store_caseload_each(struct store *st, const struct store_caseload_filter *f,
                                      store_caseload_cb cb, void *arg)
{
    struct db_stmt *s = store_stmt(
        st,
        store_is_postgres(st) ? STORE_CASELOAD_SQL("strpos", STORE_IDS_PG)
                              : STORE_CASELOAD_SQL("instr", STORE_IDS_SQLITE),
        "ttiitiiit", f->unit, f->group_slug, f->meeting_from, f->meeting_to, f->name,
        f->citizen_id, (int64_t)f->limit, f->upcoming_from, f->caseworker ? f->caseworker : "");
    if (!s)
        return STORE_ERROR;
    int rc;
    struct store_caseload_row row;
    while ((rc = db_step(s)) == DB_ROW) {
        memset(&row, 0, sizeof row);
        store_enrolment_read(s, &row.e);
        store_col_copy(s, 18, row.citizen_name, sizeof row.citizen_name);
        store_col_copy(s, 19, row.group_slug, sizeof row.group_slug);
        store_col_copy(s, 20, row.group_name, sizeof row.group_name);
        row.answered = db_col_int(s, 21);
        row.correct = db_col_int(s, 22);
        row.asked = db_col_int(s, 23);
        row.any_progress = db_col_int(s, 24) != 0 || row.answered > 0;
        row.held_at = row.e.held_at;
        if (!db_col_null(s, 25))
            store_col_copy(s, 25, row.wrong_ids, sizeof row.wrong_ids);
        if (!db_col_null(s, 26))
            store_col_copy(s, 26, row.asked_ids, sizeof row.asked_ids);
        if (cb(&row, arg)) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_citizen_in_unit(struct store *st, int64_t citizen_id, const char *unit)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT 1 FROM enrolments e WHERE e.citizen_id = ?1 AND " STORE_IN_UNIT(2) " LIMIT 1",
        "it", citizen_id, unit);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc;
}

enum store_status store_citizen_enrolments(struct store *st, int64_t citizen_id,
                                           const char *unit, struct model_enrolment **out,
                                           size_t *n)
{
    struct db_stmt *s = store_stmt(st, STORE_ENROLMENT_SELECT
                                 " WHERE e.citizen_id = ?1 AND " STORE_IN_UNIT(2)
                                 " ORDER BY e.created_at DESC, e.id DESC",
                                 "it", citizen_id, unit);
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        store_enrolment_read(s, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

/* ------------------------------------------------------------------ API keys, groups */

enum store_status store_apikey_list(struct store *st, struct store_apikey_row **out, size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT id, name, created_at, coalesce(revoked_at, 0)"
                                 " FROM api_keys ORDER BY id",
                                 "");
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct store_apikey_row *r = &(*out)[(*n)++];
        r->id = db_col_int64(s, 0);
        store_col_copy(s, 1, r->name, sizeof r->name);
        r->created_at = db_col_int64(s, 2);
        r->revoked_at = db_col_int64(s, 3);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_apikey_revoke(struct store *st, int64_t id, int64_t now)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE api_keys SET revoked_at = ? WHERE id = ?"
                                      " AND revoked_at IS NULL",
                                      "ii", now, id)));
}

enum store_status store_group_insert(struct store *st, const struct model_group *g, int64_t now,
                                     int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO target_groups(slug, name_da, name_en, description_da, description_en,"
        " resend_months, enabled, created_at) VALUES (?,?,?,'','',?,?,?) RETURNING id",
        "tttiii", g->slug, g->name[LANG_DA], g->name[LANG_EN], (int64_t)g->resend_months,
        (int64_t)g->enabled, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_group_names(struct store *st, int64_t id, const char *name_da,
                                    const char *name_en)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE target_groups SET name_da = ?, name_en = ?"
                                      " WHERE id = ?",
                                      "tti", name_da, name_en, id)));
}

enum store_status store_group_settings(struct store *st, int64_t id, bool enabled,
                                       int resend_months)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE target_groups SET enabled = ?, resend_months = ?"
                                      " WHERE id = ?",
                                      "iii", (int64_t)enabled, (int64_t)resend_months, id)));
}

enum store_status store_group_switch_on(struct store *st, int64_t id)
{
    return store_changed(st, store_done(st, store_stmt(st,
                                                       "UPDATE target_groups SET enabled = 1"
                                                       " WHERE id = ?",
                                                       "i", id)));
}

/* ------------------------------------------------------------------ packs and drafts */

enum store_status store_pack_list(struct store *st, int64_t group_id,
                                  struct store_pack_row **out, size_t *n)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT p.id, p.version, p.state, p.created_at, coalesce(p.published_at, 0),"
        " coalesce(p.retired_at, 0),"
        " (SELECT count(*) FROM enrolments e WHERE e.pack_id = p.id), p.publish_on,"
        " p.publish_hash, p.publish_switch_on, p.publish_confirmed_at FROM packs p"
        " WHERE p.group_id = ?"
        " ORDER BY p.version DESC",
        "i", group_id);
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct store_pack_row *r = &(*out)[(*n)++];
        r->id = db_col_int64(s, 0);
        r->version = db_col_int(s, 1);
        store_col_copy(s, 2, r->state, sizeof r->state);
        r->created_at = db_col_int64(s, 3);
        r->published_at = db_col_int64(s, 4);
        r->retired_at = db_col_int64(s, 5);
        r->enrolments = db_col_int(s, 6);
        store_col_copy(s, 7, r->publish_on, sizeof r->publish_on);
        store_col_copy(s, 8, r->publish_hash, sizeof r->publish_hash);
        r->publish_switch_on = db_col_int(s, 9) != 0;
        r->publish_confirmed_at = db_col_int64(s, 10);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

enum store_status store_pack_plan(struct store *st, int64_t pack_id, const char *day,
                                  const char *hash, bool switch_on, int64_t at)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE packs SET publish_on = ?, publish_hash = ?,"
                                      " publish_switch_on = ?, publish_confirmed_at = ?"
                                      " WHERE id = ? AND state = 'draft'",
                                      "ttiii", day, hash, (int64_t)switch_on,
                                      *day ? at : (int64_t)0, pack_id)));
}

enum store_status store_pack_plans_due(struct store *st, const char *today, int64_t **ids,
                                       size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT id FROM packs WHERE state = 'draft'"
                                   " AND publish_on <> '' AND publish_on <= ?"
                                   " ORDER BY publish_on, id",
                                   "t", today);
    *ids = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = db_col_int64(s, 0);
    }
    db_reset(s);
    if (rc != DB_DONE) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return store_status_of(rc);
    }
    return STORE_OK;
}

enum store_status store_pack_plan_of(struct store *st, int64_t pack_id, char day[11],
                                     char hash[MODEL_HASH_HEX + 1], bool *switch_on)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT publish_on, publish_hash, publish_switch_on"
                                   " FROM packs WHERE id = ? AND state = 'draft'",
                                   "i", pack_id);
    enum store_status rc = store_row(st, s);
    day[0] = hash[0] = '\0';
    if (switch_on)
        *switch_on = false;
    if (rc == STORE_OK) {
        store_col_copy(s, 0, day, 11);
        store_col_copy(s, 1, hash, MODEL_HASH_HEX + 1);
        if (switch_on)
            *switch_on = db_col_int(s, 2) != 0;
        db_reset(s);
    }
    return rc;
}

enum store_status store_pack_draft_id(struct store *st, int64_t group_id, bool planned,
                                      int64_t *id)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT id FROM packs WHERE group_id = ? AND state = 'draft'"
                                 " AND CASE WHEN publish_on <> '' THEN 1 ELSE 0 END = ?"
                                 " ORDER BY version DESC LIMIT 1",
                                 "ii", group_id, (int64_t)planned);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_pack_hash_seen(struct store *st, int64_t group_id, const char *hash)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT 1 FROM packs WHERE group_id = ? AND content_hash = ?"
                                 " AND state <> 'draft' LIMIT 1",
                                 "it", group_id, hash);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc;
}

enum store_status store_pack_max_version(struct store *st, int64_t group_id, int *version)
{
    struct db_stmt *s = store_stmt(st, "SELECT coalesce(max(version), 0) FROM packs WHERE group_id = ?",
                                 "i", group_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *version = db_col_int(s, 0);
        db_reset(s);
    }
    return rc;
}

static enum store_status store_draft_save_video(struct store *st, const struct model_video *v)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE videos SET title_da = ?, title_en = ?, summary_da = ?,"
                       " summary_en = ?, media = ?, duration_s = ?, captions_da = ?,"
                       " captions_en = ?, transcript_da = ?, transcript_en = ?, legal_basis = ?,"
                       " valid_from = ?, valid_to = ? WHERE id = ?",
                       "tttttittttttti", v->title[LANG_DA], v->title[LANG_EN],
                       v->summary[LANG_DA], v->summary[LANG_EN], v->media,
                       (int64_t)v->duration_s, v->captions[LANG_DA], v->captions[LANG_EN],
                       v->transcript[LANG_DA], v->transcript[LANG_EN], v->legal_basis,
                       v->valid_from, v->valid_to, v->id));
    for (size_t qi = 0; rc == STORE_OK && qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        rc = store_done(
            st, store_stmt(st,
                           "UPDATE questions SET kind = ?, topic_da = ?, topic_en = ?,"
                           " text_da = ?, text_en = ?, explanation_da = ?, explanation_en = ?"
                           " WHERE id = ?",
                           "ttttttti",
                           q->multiple ? "multiple" : "single", q->topic[LANG_DA],
                           q->topic[LANG_EN], q->text[LANG_DA], q->text[LANG_EN],
                           q->explanation[LANG_DA], q->explanation[LANG_EN], q->id));
        for (size_t oi = 0; rc == STORE_OK && oi < q->n_options; oi++) {
            const struct model_option *o = &q->options[oi];
            rc = store_done(st, store_stmt(st,
                                           "UPDATE options SET text_da = ?, text_en = ?,"
                                           " correct = ? WHERE id = ?",
                                           "ttii", o->text[LANG_DA], o->text[LANG_EN],
                                           (int64_t)o->correct, o->id));
        }
    }
    return rc;
}

enum store_status store_draft_save(struct store *st, const struct model_pack *p)
{
    enum store_status rc = store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE packs SET guidance_da = ?, guidance_en = ?,"
                                      " legal_basis = ?, valid_from = ?, valid_to = ?"
                                      " WHERE id = ? AND state = 'draft'",
                                      "ttttti",
                                      p->guidance[LANG_DA], p->guidance[LANG_EN],
                                      p->legal_basis, p->valid_from, p->valid_to, p->id)));
    for (size_t vi = 0; rc == STORE_OK && vi < p->n_videos; vi++)
        rc = store_draft_save_video(st, &p->videos[vi]);
    return rc;
}

enum store_status store_draft_translations(struct store *st, int64_t pack_id, const char *json)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE packs SET translations = ? WHERE id = ?"
                                      " AND state = 'draft'",
                                      "ti", json, pack_id)));
}
