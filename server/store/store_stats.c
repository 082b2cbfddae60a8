/* store_stats — the store's part for the statistics: sums over the aggregates that
 * migration 0004 keeps by triggers (stats_enrolment, stats_day, stats_question_day), and a
 * full recount to check them.  See store.h ("statistics") and server/domain/stats.h for what the
 * numbers mean. */
#include "store.h"
#include "store_internal.h"

#include <string.h>

/* The Europe/Copenhagen day number of a UTC time x (as in 0004_stats.sql). */
#define STORE_LOCAL_DAY(x)                                                                  \
    "((" x " + CASE WHEN " x " >= unixepoch(date(" x ", 'unixepoch', 'start of year',"    \
    " '+3 months', '-7 days', 'weekday 0')) + 3600 AND " x " < unixepoch(date(" x ","       \
    " 'unixepoch', 'start of year', '+10 months', '-7 days', 'weekday 0')) + 3600"          \
    " THEN 7200 ELSE 3600 END) / 86400)"
/* The same in PostgreSQL, from its own time zone rules (the schema test checks that both
 * agree across the changes to and from summer time). */
#define STORE_LOCAL_DAY_PG(x)                                                               \
    "((to_timestamp(" x ") AT TIME ZONE 'Europe/Copenhagen')::date - DATE '1970-01-01')"

static enum store_status store_stats_steps(struct store *st, struct db_stmt *s,
                                           int (*row)(struct db_stmt *s, void *arg), void *arg)
{
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW)
        if (row(s, arg))
            break;
    db_reset(s);
    if (r != DB_ROW && r != DB_DONE) {
        store_log(st, "statistics");
        return store_status_of(r);
    }
    return STORE_OK;
}

struct store_stats_cells_ctx {
    store_stats_cell_cb cb;
    void *arg;
    enum store_stats_by by;
};

static int store_stats_cell_row(struct db_stmt *s, void *arg)
{
    struct store_stats_cells_ctx *ctx = arg;
    struct store_stats_cell c;
    memset(&c, 0, sizeof c);
    if (ctx->by == STORE_STATS_BY_GROUP)
        c.group_id = db_col_int64(s, 0);
    else
        store_col_copy(s, 0, c.unit, sizeof c.unit);
    int64_t *v[] = {&c.enrolled, &c.opened, &c.completed, &c.declined, &c.due, &c.guided,
                    &c.held,     &c.viewed, &c.sends,     &c.resends};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        *v[i] = db_col_int64(s, (int)i + 1);
    return ctx->cb(&c, ctx->arg);
}

#define STORE_STATS_SUMS(key, table)                                                        \
    "SELECT " key ", sum(enrolled), sum(opened), sum(completed), sum(declined),"            \
    " sum(CASE WHEN day < ?3 THEN due ELSE 0 END), sum(CASE WHEN day < ?3 THEN guided"       \
    " ELSE 0 END), sum(held), sum(viewed), sum(sends), sum(resends) FROM " table             \
    " WHERE day BETWEEN ?1 AND ?2 GROUP BY 1"
#define STORE_STATS_TODAY(key)                                                              \
    "SELECT " key ", 0, 0, 0, 0, sum(due), sum(guided), 0, 0, 0, 0 FROM stats_enrolment"     \
    " WHERE meeting_day = ? AND meeting_at <= ? GROUP BY 1"

enum store_status store_stats_cells(struct store *st, enum store_stats_by by, int64_t from_day,
                                    int64_t to_day, int64_t today, int64_t now,
                                    store_stats_cell_cb cb, void *arg)
{
    struct store_stats_cells_ctx ctx = {cb, arg, by};
    /* first meetings count once they have passed: whole days before today here … */
    struct db_stmt *s =
        by == STORE_STATS_BY_GROUP
            ? store_stmt(st, STORE_STATS_SUMS("group_id", "stats_group_day"), "iii", from_day,
                         to_day, today)
            : store_stmt(st, STORE_STATS_SUMS("unit", "stats_unit_day"), "iii", from_day, to_day,
                         today);
    enum store_status rc = store_stats_steps(st, s, store_stats_cell_row, &ctx);
    if (rc != STORE_OK || today < from_day || today > to_day)
        return rc;
    /* … and today's up to now, one by one */
    s = by == STORE_STATS_BY_GROUP
            ? store_stmt(st, STORE_STATS_TODAY("group_id"), "ii", today, now)
            : store_stmt(st, STORE_STATS_TODAY("unit"), "ii", today, now);
    return store_stats_steps(st, s, store_stats_cell_row, &ctx);
}

struct store_stats_q_ctx {
    store_stats_question_cb cb;
    void *arg;
};

static int store_stats_question_row(struct db_stmt *s, void *arg)
{
    struct store_stats_q_ctx *ctx = arg;
    struct store_stats_question q;
    memset(&q, 0, sizeof q);
    q.question_id = db_col_int64(s, 0);
    store_col_copy(s, 1, q.group_slug, sizeof q.group_slug);
    q.pack_version = db_col_int(s, 2);
    q.video_position = db_col_int(s, 3);
    store_col_copy(s, 4, q.video_title[LANG_DA], sizeof q.video_title[LANG_DA]);
    store_col_copy(s, 5, q.video_title[LANG_EN], sizeof q.video_title[LANG_EN]);
    q.position = db_col_int(s, 6);
    store_col_copy(s, 7, q.text[LANG_DA], sizeof q.text[LANG_DA]);
    store_col_copy(s, 8, q.text[LANG_EN], sizeof q.text[LANG_EN]);
    store_col_copy(s, 9, q.topic_key, sizeof q.topic_key);
    store_col_copy(s, 10, q.topic[LANG_DA], sizeof q.topic[LANG_DA]);
    store_col_copy(s, 11, q.topic[LANG_EN], sizeof q.topic[LANG_EN]);
    q.answered = db_col_int64(s, 12);
    q.wrong = db_col_int64(s, 13);
    return ctx->cb(&q, ctx->arg);
}

enum store_status store_stats_questions(struct store *st, int64_t from_day, int64_t to_day,
                                        store_stats_question_cb cb, void *arg)
{
    struct store_stats_q_ctx ctx = {cb, arg};
    return store_stats_steps(
        st,
        store_stmt(st,
                   "SELECT q.id, g.slug, p.version, v.position, v.title_da, v.title_en,"
                   " q.position, q.text_da, q.text_en, q.topic_key, q.topic_da, q.topic_en,"
                   " s.answered, s.wrong FROM (SELECT question_id, sum(answered) AS answered,"
                   " sum(wrong) AS wrong FROM stats_question_day WHERE day BETWEEN ? AND ?"
                   " GROUP BY question_id) s JOIN questions q ON q.id = s.question_id"
                   " JOIN videos v ON v.id = q.video_id JOIN packs p ON p.id = v.pack_id"
                   " JOIN target_groups g ON g.id = p.group_id"
                   " ORDER BY g.slug, p.version, v.position, q.position",
                   "ii", from_day, to_day),
        store_stats_question_row, &ctx);
}

struct store_stats_d_ctx {
    store_stats_delay_cb cb;
    void *arg;
};

static int store_stats_delay_row(struct db_stmt *s, void *arg)
{
    struct store_stats_d_ctx *ctx = arg;
    const char *unit = db_col_text(s, 1);
    return ctx->cb(db_col_int64(s, 0), unit ? unit : "",
                   db_col_int64(s, 2), ctx->arg);
}

enum store_status store_stats_delays(struct store *st, int64_t from_day, int64_t to_day,
                                     store_stats_delay_cb cb, void *arg)
{
    struct store_stats_d_ctx ctx = {cb, arg};
    return store_stats_steps(
        st,
        store_stmt(st,
                   "SELECT group_id, unit, completed_at - letter_at FROM stats_enrolment"
                   " WHERE completed_day BETWEEN ? AND ? AND letter_at <= completed_at",
                   "ii", from_day, to_day),
        store_stats_delay_row, &ctx);
}

/* ------------------------------------------------------------------ recount */

/* The per-enrolment facts as the base tables say them now.  "Viewed": the first read by
 * staff of a page that shows the citizen's answers (the citizen page, the evidence
 * document; migration 0023's trigger names the same pages). */
#define STORE_STATS_FACTS                                                                   \
    "SELECT e.id, e.citizen_id, e.group_id, e.created_at, e.first_meeting_at, e.opened_at," \
    " e.completed_at, e.declined_at, e.closed_at, m.held_at, coalesce(m.oral_guidance, 0),"  \
    " (SELECT min(d.sent_at) FROM jobs j JOIN deliveries d ON d.job_id = j.id"              \
    "  WHERE j.enrolment_id = e.id AND j.kind = 'send_written_guidance'"                    \
    "  AND d.state = 'sent'),"                                                              \
    " (SELECT min(a.at) FROM access_log a WHERE a.citizen_id = e.citizen_id"                 \
    "  AND a.at >= e.created_at AND a.page IN ('citizen', 'evidence'))"                     \
    " FROM enrolments e LEFT JOIN meetings m ON m.enrolment_id = e.id"
#define STORE_STATS_KEPT                                                                    \
    "SELECT enrolment_id, citizen_id, group_id, created_at, first_meeting_at, opened_at,"   \
    " completed_at, declined_at, closed_at, held_at, oral, letter_at, viewed_at"            \
    " FROM stats_enrolment"

/* The day sums recounted from stats_enrolment and the deliveries, by key (group_id or
 * unit), without rows that are all 0.  B(x) turns a truth value into 0 or 1 (SQLite's
 * already is one), DAY(x) is the local day number of the dialect. */
#define STORE_STATS_DAYS(key, B, DAY)                                                       \
    "SELECT day, " key ", sum(a), sum(b), sum(c), sum(d), sum(e), sum(f), sum(g), sum(h),"   \
    " sum(i), sum(j) FROM ("                                                                \
    " SELECT created_day AS day, group_id, unit, 1 AS a, " B("opened_at IS NOT NULL") " AS b,"\
    "  " B("completed_at IS NOT NULL") " AS c,"                                              \
    "  " B("declined_at IS NOT NULL AND completed_at IS NULL") " AS d,"                      \
    "  0 AS e, 0 AS f, 0 AS g, 0 AS h, 0 AS i, 0 AS j FROM stats_enrolment"                  \
    " UNION ALL SELECT meeting_day, group_id, unit, 0, 0, 0, 0, due, guided, 0, 0, 0, 0"     \
    "  FROM stats_enrolment"                                                                \
    " UNION ALL SELECT held_day, group_id, unit, 0, 0, 0, 0, 0, 0, 1, viewed, 0, 0"          \
    "  FROM stats_enrolment WHERE held_at IS NOT NULL"                                      \
    " UNION ALL SELECT " DAY("t") ", group_id, unit, 0, 0, 0, 0, 0, 0, 0, 0,"                \
    "  " B("kind = 'send_written_guidance'") ", " B("kind = 'resend_written_guidance'")      \
    "  FROM (SELECT j.kind, s.group_id, s.unit, min(d.sent_at) AS t FROM jobs j"            \
    "  JOIN deliveries d ON d.job_id = j.id AND d.state = 'sent'"                           \
    "  JOIN stats_enrolment s ON s.enrolment_id = j.enrolment_id"                           \
    "  WHERE j.kind IN ('send_written_guidance', 'resend_written_guidance')"                \
    "  GROUP BY j.id, j.kind, s.group_id, s.unit) sent"                                     \
    ") days GROUP BY 1, 2 HAVING sum(a) <> 0 OR sum(b) <> 0 OR sum(c) <> 0 OR sum(d) <> 0"   \
    " OR sum(e) <> 0 OR sum(f) <> 0 OR sum(g) <> 0 OR sum(h) <> 0 OR sum(i) <> 0"            \
    " OR sum(j) <> 0"
#define STORE_STATS_DAYS_KEPT(key, table)                                                   \
    "SELECT day, " key ", enrolled, opened, completed, declined, due, guided, held, viewed," \
    " sends, resends FROM " table " WHERE enrolled <> 0 OR opened <> 0 OR completed <> 0"    \
    " OR declined <> 0 OR due <> 0 OR guided <> 0 OR held <> 0 OR viewed <> 0"               \
    " OR sends <> 0 OR resends <> 0"
#define STORE_STATS_DIFF(a, b) " + (SELECT count(*) FROM (" a " EXCEPT " b ") x)"
#define STORE_STATS_QUESTIONS(B, DAY)                                                       \
    "SELECT " DAY("answered_at") ", question_id, count(*), sum(" B("correct = 0") ")"       \
    " FROM answers WHERE attempt = 1 GROUP BY 1, 2"
#define STORE_STATS_QUESTIONS_KEPT                                                          \
    "SELECT day, question_id, answered, wrong FROM stats_question_day WHERE answered <> 0"
#define STORE_STATS_VERIFY(B, DAY)                                                          \
    "SELECT 0" STORE_STATS_DIFF(STORE_STATS_FACTS, STORE_STATS_KEPT)                         \
    STORE_STATS_DIFF(STORE_STATS_KEPT, STORE_STATS_FACTS)                                    \
    STORE_STATS_DIFF(STORE_STATS_DAYS("group_id", B, DAY),                                   \
                     STORE_STATS_DAYS_KEPT("group_id", "stats_group_day"))                   \
    STORE_STATS_DIFF(STORE_STATS_DAYS_KEPT("group_id", "stats_group_day"),                   \
                     STORE_STATS_DAYS("group_id", B, DAY))                                   \
    STORE_STATS_DIFF(STORE_STATS_DAYS("unit", B, DAY),                                       \
                     STORE_STATS_DAYS_KEPT("unit", "stats_unit_day"))                        \
    STORE_STATS_DIFF(STORE_STATS_DAYS_KEPT("unit", "stats_unit_day"),                        \
                     STORE_STATS_DAYS("unit", B, DAY))                                       \
    STORE_STATS_DIFF(STORE_STATS_QUESTIONS(B, DAY), STORE_STATS_QUESTIONS_KEPT)              \
    STORE_STATS_DIFF(STORE_STATS_QUESTIONS_KEPT, STORE_STATS_QUESTIONS(B, DAY))
#define STORE_BOOL_SQLITE(x) "(" x ")"
#define STORE_BOOL_PG(x) "(" x ")::int"

enum store_status store_stats_reads_since_made(struct store *st, int64_t enrolment_id)
{
    /* the pages that show the answers: the same as the access log's trigger and the
     * recount (migration 0023) */
    return store_done(
        st, store_stmt(st,
                       "UPDATE stats_enrolment SET viewed_at = (SELECT min(a.at) FROM access_log a"
                       " WHERE a.citizen_id = stats_enrolment.citizen_id"
                       " AND a.at >= stats_enrolment.created_at"
                       " AND a.page IN ('citizen', 'evidence'))"
                       " WHERE enrolment_id = ? AND viewed_at IS NULL",
                       "i", enrolment_id));
}

enum store_status store_stats_verify(struct store *st, int64_t *differences)
{
    *differences = 0;
    struct db_stmt *s = store_stmt(
        st,
        store_is_postgres(st) ? STORE_STATS_VERIFY(STORE_BOOL_PG, STORE_LOCAL_DAY_PG)
                              : STORE_STATS_VERIFY(STORE_BOOL_SQLITE, STORE_LOCAL_DAY),
        "");
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *differences = db_col_int64(s, 0);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_question_pack(struct store *st, int64_t question_id, int64_t *pack_id)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT v.pack_id FROM questions q JOIN videos v"
                                 " ON v.id = q.video_id WHERE q.id = ?",
                                 "i", question_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *pack_id = db_col_int64(s, 0);
    db_reset(s);
    return STORE_OK;
}
