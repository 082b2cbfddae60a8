/* stats: every metric on small hand-built datasets in a real temporary SQLite database
 * (rows arranged through a second connection, so the 0004 triggers do the counting), with
 * the right answers worked out by hand in the comments; the small-number rules; periods and
 * Copenhagen days; the CSV and JSON extracts; and the aggregates under concurrent writers
 * against a full recount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "stats.h"
#include "store.h"
#include "testdb.h"

static int64_t t(const char *s)
{
    int64_t v = 0;
    if (clock_parse_rfc3339(s, &v) != 0)
        fail_msg("bad time %s", s);
    return v;
}

struct fixture {
    struct testdb db;
    int64_t next_id;
};

#define exec(f, ...) testdb_exec(&(f)->db, __VA_ARGS__)
#define scalar(f, sql) testdb_scalar(&(f)->db, sql)

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    testdb_open(&f->db, "stats", 5000);
    exec(f, "INSERT INTO target_groups(id, slug, name_da, name_en, created_at) VALUES"
            " (1, 'dagpenge', 'Dagpenge', 'Unemployment benefit', 0),"
            " (2, 'sygedagpenge', 'Sygedagpenge', 'Sickness benefit', 0);"
            /* content goes into drafts, which are then published (0006) */
            "INSERT INTO packs(id, group_id, version, state, created_at) VALUES"
            " (1, 1, 1, 'draft', 0), (2, 2, 1, 'draft', 0);"
            "INSERT INTO videos(id, pack_id, position, slug, title_da) VALUES"
            " (1, 1, 1, 'raadighed', 'Rådighed'), (2, 2, 1, 'medvirken', 'Medvirken');"
            "INSERT INTO questions(id, video_id, position, slug, kind, topic_key, topic_da,"
            " text_da) VALUES (1, 1, 1, 'q1', 'single', 'raadighed', 'Rådighed', 'Skal du søge job?'),"
            " (2, 1, 2, 'q2', 'single', 'raadighed', 'Rådighed', 'Må du holde ferie?'),"
            " (3, 2, 1, 'q3', 'single', 'medvirken', 'Medvirken', 'Skal du møde op?');"
            "UPDATE packs SET state = 'published';"
            "INSERT INTO users(username, role, unit, password_hash, created_at) VALUES"
            " ('cw1', 'caseworker', 'team-nord', '', 0), ('cw2', 'caseworker', 'team-syd', '', 0);");
    f->next_id = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_close(&f->db);
    free(f);
    return 0;
}

/* A citizen with one enrolment; returns the enrolment id (= the citizen id). */
static int64_t enrol(struct fixture *f, int group, const char *caseworker, const char *created,
                     const char *meeting)
{
    int64_t id = f->next_id++;
    exec(f,
         "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
         " VALUES (%lld, 'c%lld', 'l%lld', x'00', 'Navn', 0);"
         "INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker,"
         " first_meeting_at, token_hash, token_expires_at, created_at)"
         " VALUES (%lld, 'e%lld', %lld, %d, %d, '%s', %lld, 'h%lld', 0, %lld);",
         (long long)id, (long long)id, (long long)id, (long long)id, (long long)id,
         (long long)id, group, group, caseworker, (long long)t(meeting), (long long)id,
         (long long)t(created));
    return id;
}

static void mark(struct fixture *f, int64_t e, const char *what, const char *at)
{
    exec(f, "UPDATE enrolments SET %s = %lld WHERE id = %lld", what, (long long)t(at),
         (long long)e);
}

static void meeting(struct fixture *f, int64_t e, const char *held, int oral)
{
    exec(f,
         "INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by, recorded_at)"
         " VALUES (%lld, %lld, %d, 'api', 0) ON CONFLICT(enrolment_id) DO UPDATE SET"
         " held_at = excluded.held_at, oral_guidance = excluded.oral_guidance;"
         "UPDATE enrolments SET oral_guidance_at = CASE WHEN %d THEN %lld END WHERE id = %lld",
         (long long)e, (long long)t(held), oral, oral, (long long)t(held), (long long)e);
}

/* A job of kind for enrolment e, delivered through each channel (intent, then sent at
 * sent; sent NULL: only the intent). */
static void job(struct fixture *f, int64_t e, const char *kind, const char *sent,
                const char *channels)
{
    static int n;
    n++;
    exec(f,
         "INSERT INTO jobs(id, kind, enrolment_id, unique_key, due_at, next_attempt_at,"
         " created_at, state) VALUES (%d, '%s', %lld, 'k%d', 0, 0, 0, 'running')",
         n, kind, (long long)e, n);
    char list[64];
    snprintf(list, sizeof list, "%s", channels);
    for (char *save = NULL, *ch = strtok_r(list, ",", &save); ch;
         ch = strtok_r(NULL, ",", &save)) {
        exec(f,
             "INSERT INTO deliveries(job_id, channel, message_id, created_at)"
             " VALUES (%d, '%s', 'm%d-%s', 0)",
             n, ch, n, ch);
        if (sent)
            exec(f,
                 "UPDATE deliveries SET state = 'sent', sent_at = %lld WHERE job_id = %d"
                 " AND channel = '%s'",
                 (long long)t(sent), n, ch);
    }
    exec(f, "UPDATE jobs SET state = 'done' WHERE id = %d", n);
}

static void access_page(struct fixture *f, int64_t citizen, const char *at, const char *page)
{
    exec(f,
         "INSERT INTO access_log(at, user_id, username, citizen_id, page)"
         " VALUES (%lld, 1, 'cw1', %lld, '%s')",
         (long long)t(at), (long long)citizen, page);
}

static void access_at(struct fixture *f, int64_t citizen, const char *at)
{
    access_page(f, citizen, at, "citizen");
}

static void answer(struct fixture *f, int64_t e, int q, int attempt, int correct, const char *at)
{
    exec(f,
         "INSERT INTO answers(enrolment_id, question_id, attempt, chosen, correct, answered_at)"
         " VALUES (%lld, %d, %d, '[0]', %d, %lld)",
         (long long)e, q, attempt, correct, (long long)t(at));
}

static void q1_2026(struct stats_period *p)
{
    assert_int_equal(stats_period_parse("2026-01-01", "2026-03-31", 1096, p), STATS_PERIOD_OK);
}

static void report(struct fixture *f, const char *now, struct stats_report *r)
{
    struct stats_period p;
    q1_2026(&p);
    assert_int_equal(stats_report_build(f->db.st, &p, t(now), 5, r), 0);
    /* whatever a test did, the triggers agree with a full recount */
    int64_t diff = -1;
    assert_int_equal(store_stats_verify(f->db.st, &diff), STORE_OK);
    assert_int_equal(diff, 0);
}

static const struct stats_row *group_row(const struct stats_report *r, const char *slug)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (strcmp(r->groups[i].key, slug) == 0)
            return &r->groups[i];
    fail_msg("no group %s", slug);
    return NULL;
}

static const struct stats_row *unit_row(const struct stats_report *r, const char *unit)
{
    for (size_t i = 0; i < r->n_units; i++)
        if (strcmp(r->units[i].key, unit) == 0)
            return &r->units[i];
    fail_msg("no unit '%s'", unit);
    return NULL;
}

static void assert_text(const struct stats_row *row, enum stats_column col, const char *want)
{
    struct stats_value v;
    char text[32];
    stats_value_of(row, 5, col, &v);
    stats_value_text(&v, ',', 1, text, sizeof text);
    assert_string_equal(text, want);
}

/* ------------------------------------------------------------------ days and periods */

static void test_days(void **state)
{
    (void)state;
    int64_t d;
    char s[11];
    assert_int_equal(stats_day_parse("2026-01-01", &d), 0);
    stats_day_format(d, s);
    assert_string_equal(s, "2026-01-01");
    /* 23:30 UTC on New Year's Eve is already 1 January in Copenhagen (winter, +1) */
    assert_int_equal(stats_local_day(t("2025-12-31T23:30:00Z")), d);
    assert_int_equal(stats_local_day(t("2025-12-31T22:59:59Z")), d - 1);
    /* summer time (+2): 31 March 22:30 UTC is 1 April */
    assert_int_equal(stats_day_parse("2026-04-01", &d), 0);
    assert_int_equal(stats_local_day(t("2026-03-31T22:30:00Z")), d);
    assert_int_equal(stats_local_day(t("2026-03-31T21:59:59Z")), d - 1);
    /* the change days: 29 March and 25 October 2026 */
    assert_int_equal(stats_day_parse("2026-03-29", &d), 0);
    assert_int_equal(stats_local_day(t("2026-03-29T22:30:00Z")), d + 1); /* +2 after 01:00Z */
    assert_int_equal(stats_day_parse("2026-10-25", &d), 0);
    assert_int_equal(stats_local_day(t("2026-10-25T22:30:00Z")), d);     /* +1 again */
    assert_int_equal(stats_local_day(t("2026-10-24T22:30:00Z")), d);     /* +2 still */
    /* the C rule and the SQL rule of 0004 agree on every hour of 2026-2027 */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (?1 + CASE WHEN ?1 >= unixepoch(date(?1, 'unixepoch', 'start of"
                           " year', '+3 months', '-7 days', 'weekday 0')) + 3600 AND ?1 <"
                           " unixepoch(date(?1, 'unixepoch', 'start of year', '+10 months',"
                           " '-7 days', 'weekday 0')) + 3600 THEN 7200 ELSE 3600 END) / 86400",
                           -1, &q, NULL),
        SQLITE_OK);
    for (int64_t x = t("2026-01-01T00:30:00Z"); x < t("2028-01-01T00:00:00Z"); x += 3600) {
        sqlite3_bind_int64(q, 1, x);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(q, 0), stats_local_day(x));
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void test_periods(void **state)
{
    (void)state;
    struct stats_period p, q;
    char s[11], key[8];
    assert_int_equal(stats_period_parse("2026-01-01", "2026-03-31", 1096, &p), STATS_PERIOD_OK);
    assert_int_equal(p.to_day - p.from_day, 89);
    assert_int_equal(stats_period_parse("2026-1-01", "2026-03-31", 1096, &p), STATS_PERIOD_BAD_FROM);
    assert_int_equal(stats_period_parse(NULL, "2026-03-31", 1096, &p), STATS_PERIOD_BAD_FROM);
    assert_int_equal(stats_period_parse("2026-01-01", "2026-02-30", 1096, &p), STATS_PERIOD_BAD_TO);
    assert_int_equal(stats_period_parse("2026-04-01", "2026-03-31", 1096, &p), STATS_PERIOD_REVERSED);
    assert_int_equal(stats_period_parse("2026-01-01", "2026-01-01", 1096, &p), STATS_PERIOD_OK);
    assert_int_equal(stats_period_parse("2020-01-01", "2023-01-01", 1096, &p), STATS_PERIOD_TOO_LONG);
    assert_int_equal(stats_period_parse("2020-01-01", "2022-12-31", 1096, &p), STATS_PERIOD_OK);
    assert_int_equal(stats_period_parse("1999-12-31", "2000-01-01", 1096, &p), STATS_PERIOD_BAD_FROM);
    /* quarters */
    assert_int_equal(stats_day_parse("2026-08-15", &p.from_day), 0);
    stats_quarter(p.from_day, &q);
    stats_day_format(q.from_day, s);
    assert_string_equal(s, "2026-07-01");
    stats_day_format(q.to_day, s);
    assert_string_equal(s, "2026-09-30");
    stats_quarter_key(&q, key);
    assert_string_equal(key, "2026-3");
    assert_int_equal(stats_quarter_parse("2026-4", &q), 0);
    stats_day_format(q.to_day, s);
    assert_string_equal(s, "2026-12-31");
    assert_int_equal(stats_quarter_parse("2026-5", &q), -1);
    assert_int_equal(stats_quarter_parse("26-1", &q), -1);
    assert_int_equal(stats_quarter_parse("2026-1x", &q), -1);
}

static void test_config_keys(void **state)
{
    (void)state;
    struct config c;
    char err[128];
    struct stats_period p;
    config_defaults(&c);
    assert_int_equal(c.minutes_per_send, 5);
    assert_int_equal(c.stats_max_range_days, 1096);
    assert_int_equal(c.stats_top_questions, 10);
    assert_int_equal(config_set(&c, "stats", "max_range_days", "31", err, sizeof err), 0);
    assert_int_equal(stats_period_parse("2026-01-01", "2026-01-31", c.stats_max_range_days, &p),
                     STATS_PERIOD_OK);
    assert_int_equal(stats_period_parse("2026-01-01", "2026-02-01", c.stats_max_range_days, &p),
                     STATS_PERIOD_TOO_LONG);
    assert_int_equal(config_set(&c, "stats", "max_range_days", "0", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "stats", "minutes_per_send", "1441", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "stats", "minutes_per_send", "0", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "stats", "top_questions", "0", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "stats", "top", "3", err, sizeof err), -1);
}

/* ------------------------------------------------------------------ shown figures */

static void share_text(int64_t num, int64_t den, const char *want, bool met)
{
    struct stats_value v;
    char text[32];
    stats_value_share(num, den, &v);
    stats_value_text(&v, ',', 1, text, sizeof text);
    assert_string_equal(text, want);
    assert_int_equal(stats_goal_met(&v), met);
}

/* A share is rounded down, and the goal judged on the figure as shown: the text never says
 * 90,0 % of a share that misses the goal, nor less of one that reaches it. */
static void test_goal_edge(void **state)
{
    (void)state;
    share_text(2249, 2500, "89,9 %", false); /* 89.96 %: rounded it would read 90,0 % */
    share_text(8999, 10000, "89,9 %", false);
    share_text(9, 10, "90,0 %", true);
    share_text(18, 20, "90,0 %", true);
    share_text(2251, 2500, "90,0 %", true);  /* 90.04 % */
    share_text(19, 20, "95,0 %", true);
    share_text(7, 13, "53,8 %", false);      /* 53.846… */
    share_text(5, 5, "100,0 %", true);
    share_text(0, 5, "0,0 %", false);
    /* for every share of up to 400 first meetings the text and the judgement agree */
    for (int64_t den = 5; den <= 400; den++)
        for (int64_t num = 0; num <= den; num++) {
            struct stats_value v;
            char text[32];
            stats_value_share(num, den, &v);
            stats_value_text(&v, '.', 0, text, sizeof text);
            assert_int_equal(stats_goal_met(&v), strtod(text, NULL) >= 90.0);
            assert_int_equal(stats_goal_met(&v), num * 10 >= den * 9);
            /* missed exactly when not met: shown, or hidden for a count of 1-4 of them */
            assert_int_equal(stats_goal_missed(&v), num * 10 < den * 9);
        }
    /* too few to judge (fewer than 5 first meetings): neither met nor missed */
    struct stats_value v;
    stats_value_share(3, 4, &v);
    assert_false(stats_goal_met(&v));
    assert_false(stats_goal_missed(&v));
    assert_int_equal(v.shown, STATS_NONE);
    /* 3 of 200 guided: the share is hidden (3 is a count of under 5), and still known to
     * miss the goal, as every share of at most 4 of 5 or more does */
    stats_value_share(3, 200, &v);
    assert_int_equal(v.shown, STATS_NONE);
    assert_false(stats_goal_met(&v));
    assert_true(stats_goal_missed(&v));
    stats_value_share(0, 0, &v); /* nothing to count */
    assert_false(stats_goal_missed(&v));
}

/* ------------------------------------------------------------------ citizen uptake */

static void test_cohort(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *m = "2026-05-01T08:00:00Z";
    int64_t e1 = enrol(f, 1, "cw1", "2026-01-10T10:00:00Z", m);
    int64_t e2 = enrol(f, 1, "cw1", "2026-01-10T10:00:00Z", m);
    int64_t e3 = enrol(f, 1, "cw1", "2026-01-10T10:00:00Z", m);
    int64_t e4 = enrol(f, 1, "cw1", "2026-01-10T10:00:00Z", m);
    enrol(f, 1, "cw1", "2026-01-10T10:00:00Z", m);                   /* e5: nothing */
    int64_t e6 = enrol(f, 1, "cw2", "2026-02-10T10:00:00Z", m);
    enrol(f, 1, "cw2", "2025-12-31T23:30:00Z", m);                   /* e7: 1 Jan locally */
    int64_t e8 = enrol(f, 1, "cw2", "2026-03-31T22:30:00Z", m);     /* 1 April locally: out */
    enrol(f, 2, "ghost", "2026-02-01T10:00:00Z", m);                 /* e9: no such user */
    mark(f, e1, "opened_at", "2026-01-11T10:00:00Z");
    mark(f, e2, "opened_at", "2026-01-11T10:00:00Z");
    mark(f, e2, "completed_at", "2026-01-12T10:00:00Z");
    mark(f, e3, "opened_at", "2026-01-11T10:00:00Z");
    mark(f, e3, "declined_at", "2026-01-11T11:00:00Z");
    /* e4 declined, then completed after all: completed, not declined */
    mark(f, e4, "opened_at", "2026-01-11T10:00:00Z");
    mark(f, e4, "declined_at", "2026-01-11T11:00:00Z");
    mark(f, e4, "completed_at", "2026-02-11T11:00:00Z");
    /* outcomes as of now: opened after the period still counts for its cohort */
    mark(f, e6, "opened_at", "2026-04-20T10:00:00Z");
    mark(f, e8, "opened_at", "2026-04-02T10:00:00Z");
    report(f, "2026-05-01T12:00:00Z", &r);
    /* enrolled e1-e7 and e9 = 8; opened e1,e2,e3,e4,e6 = 5; completed e2,e4 = 2;
     * declined e3 = 1; not opened e5,e7,e9 = 3 */
    assert_int_equal(r.total.c.enrolled, 8);
    assert_int_equal(r.total.c.opened, 5);
    assert_int_equal(r.total.c.completed, 2);
    assert_int_equal(r.total.c.declined, 1);
    const struct stats_row *dp = group_row(&r, "dagpenge"), *sd = group_row(&r, "sygedagpenge");
    assert_int_equal(dp->c.enrolled, 7);
    assert_int_equal(sd->c.enrolled, 1);
    assert_text(&r.total, STATS_COL_ENROLLED, "8");
    assert_text(&r.total, STATS_COL_OPENED, "5");
    assert_text(&r.total, STATS_COL_NOT_OPENED, "<5");
    assert_text(&r.total, STATS_COL_COMPLETED, "<5");
    assert_text(&r.total, STATS_COL_OPENED_RATE, "62,5 %");
    assert_text(&r.total, STATS_COL_COMPLETED_RATE, "–"); /* 2 is hidden, so is 2/8 */
    assert_text(dp, STATS_COL_OPENED_RATE, "71,4 %");    /* 5/7 */
    assert_text(sd, STATS_COL_ENROLLED, "<5");
    assert_text(sd, STATS_COL_OPENED, "0");
    assert_text(sd, STATS_COL_OPENED_RATE, "–");         /* denominator 1 */
    /* units: cw1's five in team-nord, cw2's two (e6, e7) in team-syd, the ghost's in "" */
    assert_int_equal(r.n_units, 3);
    assert_string_equal(r.units[0].key, "team-nord");
    assert_string_equal(r.units[2].key, ""); /* the no-unit row last */
    assert_int_equal(unit_row(&r, "")->c.enrolled, 1);
    assert_int_equal(unit_row(&r, "team-nord")->c.enrolled, 5);
    assert_int_equal(unit_row(&r, "team-nord")->c.completed, 2);
    assert_int_equal(unit_row(&r, "team-syd")->c.enrolled, 2);
    assert_int_equal(unit_row(&r, "team-syd")->c.opened, 1);
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ correctly guided */

static void test_correctly_guided(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *c = "2026-01-05T10:00:00Z";
    /* g1: letter before the meeting, completed → guided */
    int64_t g1 = enrol(f, 1, "cw1", c, "2026-02-01T09:00:00Z");
    job(f, g1, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox,smtp");
    mark(f, g1, "completed_at", "2026-01-20T10:00:00Z");
    /* g2: letter before, oral guidance at the meeting → guided */
    int64_t g2 = enrol(f, 1, "cw1", c, "2026-02-02T09:00:00Z");
    job(f, g2, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox");
    meeting(f, g2, "2026-02-02T09:00:00Z", 1);
    /* g3: letter only after the meeting → due, not guided */
    int64_t g3 = enrol(f, 1, "cw1", c, "2026-02-03T09:00:00Z");
    job(f, g3, "send_written_guidance", "2026-02-04T09:00:00Z", "outbox");
    mark(f, g3, "completed_at", "2026-01-20T10:00:00Z");
    /* g4: no letter at all, oral guidance → not guided */
    int64_t g4 = enrol(f, 1, "cw1", c, "2026-02-04T09:00:00Z");
    job(f, g4, "send_written_guidance", NULL, "outbox"); /* only the intent */
    meeting(f, g4, "2026-02-04T09:00:00Z", 1);
    /* g5: only a resend before the meeting; not completed, no oral → not guided */
    int64_t g5 = enrol(f, 1, "cw1", c, "2026-02-05T09:00:00Z");
    job(f, g5, "resend_written_guidance", "2026-01-06T09:00:00Z", "outbox");
    meeting(f, g5, "2026-02-05T09:00:00Z", 0);
    /* g6: closed by a group change before its meeting → not counted at all */
    int64_t g6 = enrol(f, 1, "cw1", c, "2026-02-06T09:00:00Z");
    job(f, g6, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox");
    mark(f, g6, "completed_at", "2026-01-20T10:00:00Z");
    mark(f, g6, "closed_at", "2026-01-25T10:00:00Z");
    /* g7: meeting not yet held (after now) → not counted */
    int64_t g7 = enrol(f, 1, "cw1", c, "2026-03-20T09:00:00Z");
    job(f, g7, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox");
    mark(f, g7, "completed_at", "2026-01-20T10:00:00Z");
    /* g8: meeting today before now → counted, guided */
    int64_t g8 = enrol(f, 1, "cw1", c, "2026-03-15T08:00:00Z");
    job(f, g8, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox");
    mark(f, g8, "completed_at", "2026-01-20T10:00:00Z");
    /* g9: meeting today after now → not yet */
    int64_t g9 = enrol(f, 1, "cw1", c, "2026-03-15T14:00:00Z");
    job(f, g9, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox");
    mark(f, g9, "completed_at", "2026-01-20T10:00:00Z");
    /* g10: planned after now, but held early on 10 March → counted on the held day, guided */
    int64_t g10 = enrol(f, 2, "cw2", c, "2026-03-20T09:00:00Z");
    job(f, g10, "send_written_guidance", "2026-03-01T09:00:00Z", "outbox");
    mark(f, g10, "completed_at", "2026-03-02T10:00:00Z");
    meeting(f, g10, "2026-03-10T09:00:00Z", 0);
    /* g11: planned in the period, held in December → not in this period */
    int64_t g11 = enrol(f, 1, "cw1", "2025-11-05T10:00:00Z", "2026-02-10T09:00:00Z");
    meeting(f, g11, "2025-12-20T09:00:00Z", 1);
    /* g12: letter sent the very second of the meeting ("at or before") with oral → guided */
    int64_t g12 = enrol(f, 1, "cw1", c, "2026-02-12T09:00:00Z");
    job(f, g12, "send_written_guidance", "2026-02-12T09:00:00Z", "webhook");
    meeting(f, g12, "2026-02-12T09:00:00Z", 1);
    report(f, "2026-03-15T12:00:00Z", &r);
    /* due: g1 g2 g3 g4 g5 g8 g10 g12 = 8; guided: g1 g2 g8 g10 g12 = 5 */
    assert_int_equal(r.total.c.due, 8);
    assert_int_equal(r.total.c.guided, 5);
    assert_text(&r.total, STATS_COL_GUIDED_RATE, "62,5 %");
    assert_int_equal(group_row(&r, "sygedagpenge")->c.due, 1);
    assert_int_equal(group_row(&r, "sygedagpenge")->c.guided, 1);
    assert_int_equal(unit_row(&r, "team-syd")->c.guided, 1);
    stats_report_free(&r);

    /* an hour later g9's meeting is still ahead; at 15:00 it has passed (due, guided) */
    report(f, "2026-03-15T15:00:00Z", &r);
    assert_int_equal(r.total.c.due, 9);
    assert_int_equal(r.total.c.guided, 6);
    stats_report_free(&r);
    /* the next day, from the daily sums: the same */
    report(f, "2026-03-16T09:00:00Z", &r);
    assert_int_equal(r.total.c.due, 9);
    assert_int_equal(r.total.c.guided, 6);
    stats_report_free(&r);

    /* the meeting of g3 is re-recorded as held after the letter: now guided (completed) */
    meeting(f, g3, "2026-02-05T09:00:00Z", 0);
    report(f, "2026-03-16T09:00:00Z", &r);
    assert_int_equal(r.total.c.guided, 7);
    assert_int_equal(r.total.c.due, 9);
    assert_int_equal(r.total.c.held, 6); /* g2 g3 g4 g5 g10 g12 (g11 was in December) */
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ caseworker uptake */

static void test_caseworker_uptake(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *c = "2026-01-05T10:00:00Z";
    /* v1: read before the meeting (the meeting was recorded first) → viewed */
    int64_t v1 = enrol(f, 1, "cw1", c, "2026-02-01T09:00:00Z");
    meeting(f, v1, "2026-02-01T09:00:00Z", 1);
    access_at(f, v1, "2026-01-20T10:00:00Z");
    /* v2: read only after the meeting → does not count */
    int64_t v2 = enrol(f, 1, "cw1", c, "2026-02-02T09:00:00Z");
    meeting(f, v2, "2026-02-02T09:00:00Z", 1);
    access_at(f, v2, "2026-02-03T10:00:00Z");
    /* v3: read before the enrolment existed (an earlier enrolment) → does not count */
    access_at(f, 3, "2025-12-01T10:00:00Z");
    int64_t v3 = enrol(f, 1, "cw1", c, "2026-02-03T09:00:00Z");
    meeting(f, v3, "2026-02-03T09:00:00Z", 0);
    /* v4: answers never read: an administrator listing its access log and a caseworker
     * opening the meeting form read no answers */
    int64_t v4 = enrol(f, 1, "cw1", c, "2026-02-04T09:00:00Z");
    access_page(f, v4, "2026-01-20T10:00:00Z", "access_log");
    access_page(f, v4, "2026-01-21T10:00:00Z", "meeting");
    meeting(f, v4, "2026-02-04T09:00:00Z", 0);
    /* v5: read before and after → viewed */
    int64_t v5 = enrol(f, 2, "cw2", c, "2026-02-05T09:00:00Z");
    access_at(f, v5, "2026-02-10T10:00:00Z");
    access_at(f, v5, "2026-01-10T10:00:00Z");
    meeting(f, v5, "2026-02-05T09:00:00Z", 0);
    /* v6: read, but the meeting is not recorded as held → not in the count */
    int64_t v6 = enrol(f, 1, "cw1", c, "2026-02-06T09:00:00Z");
    access_at(f, v6, "2026-01-20T10:00:00Z");
    /* v7: held in April → another period */
    int64_t v7 = enrol(f, 1, "cw1", c, "2026-04-06T09:00:00Z");
    access_at(f, v7, "2026-01-20T10:00:00Z");
    meeting(f, v7, "2026-04-06T09:00:00Z", 0);
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.total.c.held, 5);   /* v1-v5 */
    assert_int_equal(r.total.c.viewed, 2); /* v1, v5 */
    assert_text(&r.total, STATS_COL_VIEWED, "<5");
    assert_text(&r.total, STATS_COL_VIEWED_RATE, "–");
    assert_text(&r.total, STATS_COL_HELD, "5");
    assert_int_equal(unit_row(&r, "team-syd")->c.viewed, 1);
    stats_report_free(&r);
    /* three more read before their meetings (one of them in the evidence document, which
     * shows the answers too): 5 of 8 */
    for (int i = 0; i < 3; i++) {
        int64_t v = enrol(f, 1, "cw1", c, "2026-03-01T09:00:00Z");
        access_page(f, v, "2026-02-27T10:00:00Z", i == 0 ? "evidence" : "citizen");
        meeting(f, v, "2026-03-01T09:00:00Z", 0);
    }
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_text(&r.total, STATS_COL_VIEWED_RATE, "62,5 %");
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ sendings and time saved */

static void test_sends(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", "2026-02-01T09:00:00Z");
    job(f, e, "send_written_guidance", "2026-01-05T10:01:00Z", "outbox,smtp"); /* once */
    job(f, e, "resend_written_guidance", "2026-02-10T10:01:00Z", "outbox");
    job(f, e, "send_written_guidance", NULL, "outbox");                        /* not sent */
    job(f, e, "send_written_guidance", "2026-04-02T10:00:00Z", "outbox");      /* April */
    job(f, e, "deliver_journal", "2026-01-05T10:02:00Z", "webhook");           /* not a letter */
    job(f, e, "remind_before_meeting", "2026-01-29T08:00:00Z", "outbox");      /* not a letter */
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.total.c.sends, 1);
    assert_int_equal(r.total.c.resends, 1);
    assert_text(&r.total, STATS_COL_MINUTES_SAVED, "–"); /* minutes are no count: no "<5" */
    stats_report_free(&r);
    for (int i = 0; i < 4; i++)
        job(f, e, "send_written_guidance", "2026-03-05T10:01:00Z", "outbox,smtp,webhook");
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.total.c.sends, 5);
    assert_text(&r.total, STATS_COL_SENDS, "5");
    assert_text(&r.total, STATS_COL_RESENDS, "<5");
    /* 30 minutes (5 × 6) would give the hidden resend away: 30 / 5 − 5 */
    assert_text(&r.total, STATS_COL_MINUTES_SAVED, "–");
    for (int i = 0; i < 4; i++)
        job(f, e, "resend_written_guidance", "2026-03-06T10:01:00Z", "outbox");
    stats_report_free(&r);
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_text(&r.total, STATS_COL_MINUTES_SAVED, "50"); /* 5 min × (5 + 5) */
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ questions and topics */

static void test_questions(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *m = "2026-05-01T08:00:00Z";
    /* q1: 10 first attempts, 5 wrong (retries ignored); q2: 5, none wrong; q3: 3, 3 wrong */
    for (int i = 0; i < 10; i++) {
        int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", m);
        answer(f, e, 1, 1, i % 2, "2026-01-06T10:00:00Z");
        if (i % 2 == 0)
            answer(f, e, 1, 2, 1, "2026-01-06T10:01:00Z");
        if (i < 5)
            answer(f, e, 2, 1, 1, "2026-01-06T10:02:00Z");
        if (i < 3)
            answer(f, e, 3, 1, 0, "2026-01-06T10:02:00Z");
    }
    /* a first attempt in April is another period */
    answer(f, 1, 3, 2, 0, "2026-04-06T10:00:00Z");
    int64_t late = enrol(f, 2, "cw1", "2026-04-05T10:00:00Z", m);
    answer(f, late, 3, 1, 0, "2026-04-06T10:00:00Z");
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.n_questions, 3);
    /* a shown rate above 0 first (q1 50 %), then wrong answers with a hidden rate (q3: 3 of
     * 3), last no wrong answer (q2 0 %): 0 % never ranks above a question with errors */
    assert_int_equal(r.questions[0].q.question_id, 1);
    assert_int_equal(r.questions[0].q.answered, 10);
    assert_int_equal(r.questions[0].q.wrong, 5);
    assert_true(r.questions[0].rate_shown);
    assert_true(r.questions[0].error_rate == 0.5);
    assert_int_equal(r.questions[0].wrong_rank, STATS_WRONG_SHOWN);
    assert_string_equal(r.questions[0].q.text[LANG_DA], "Skal du søge job?");
    assert_string_equal(r.questions[0].q.group_slug, "dagpenge");
    assert_int_equal(r.questions[1].q.question_id, 3);
    assert_int_equal(r.questions[1].q.answered, 3);
    assert_false(r.questions[1].rate_shown);
    assert_int_equal(r.questions[1].wrong_rank, STATS_WRONG_HIDDEN);
    assert_int_equal(r.questions[2].q.question_id, 2);
    assert_true(r.questions[2].rate_shown);
    assert_true(r.questions[2].error_rate == 0.0);
    assert_int_equal(r.questions[2].wrong_rank, STATS_WRONG_NONE);
    /* topics: dagpenge/raadighed 5 of 15 wrong; sygedagpenge/medvirken hidden */
    assert_int_equal(r.n_topics, 2);
    assert_string_equal(r.topics[0].topic_key, "raadighed");
    assert_int_equal(r.topics[0].answered, 15);
    assert_int_equal(r.topics[0].wrong, 5);
    assert_true(r.topics[0].rate_shown);
    assert_false(r.topics[1].rate_shown);
    assert_int_equal(r.topics[1].wrong_rank, STATS_WRONG_HIDDEN);
    stats_report_free(&r);
}

/* Hidden rates are ordered by group and position, never by the rate they hide; items
 * without a wrong answer come last whether their rate is shown or not. */
static void test_wrong_order(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *m = "2026-05-01T08:00:00Z";
    /* q1: 4 of 5 wrong (hidden: numerator under 5); q2: 1 of 6 wrong (hidden, more
     * answers); q3: 0 of 6 (a shown 0 %) */
    for (int i = 0; i < 6; i++) {
        int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", m);
        if (i < 5)
            answer(f, e, 1, 1, i == 0, "2026-01-06T10:00:00Z");
        answer(f, e, 2, 1, i != 0, "2026-01-06T10:01:00Z");
        answer(f, enrol(f, 2, "cw1", "2026-01-05T10:00:00Z", m), 3, 1, 1,
               "2026-01-06T10:00:00Z");
    }
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.n_questions, 3);
    /* by position in the video: not by the hidden rates, nor by q2's more answers; the
     * shown 0 % last */
    assert_int_equal(r.questions[0].q.question_id, 1);
    assert_int_equal(r.questions[1].q.question_id, 2);
    assert_int_equal(r.questions[0].wrong_rank, STATS_WRONG_HIDDEN);
    assert_int_equal(r.questions[1].wrong_rank, STATS_WRONG_HIDDEN);
    assert_int_equal(r.questions[2].q.question_id, 3);
    assert_true(r.questions[2].rate_shown);
    assert_int_equal(r.questions[2].wrong_rank, STATS_WRONG_NONE);
    stats_report_free(&r);
    assert_int_equal(stats_wrong_of(true, 0), STATS_WRONG_NONE);
    assert_int_equal(stats_wrong_of(false, 0), STATS_WRONG_NONE);
    assert_int_equal(stats_wrong_of(false, 4), STATS_WRONG_HIDDEN);
    assert_int_equal(stats_wrong_of(true, 5), STATS_WRONG_SHOWN);
}

/* ------------------------------------------------------------------ median */

static void test_median(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    const char *m = "2026-05-01T08:00:00Z";
    static const int hours[] = {1, 2, 10, 4, 30};
    for (int i = 0; i < 5; i++) {
        int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", m);
        job(f, e, "send_written_guidance", "2026-01-05T10:00:00Z", "outbox");
        char at[32];
        snprintf(at, sizeof at, "2026-01-%02dT%02d:00:00Z", 5 + (10 + hours[i]) / 24,
                 (10 + hours[i]) % 24);
        mark(f, e, "completed_at", at);
        if (i == 2) {
            report(f, "2026-05-01T12:00:00Z", &r);
            /* 1, 2, 10 h: median 2 h, but from 3 values: not shown */
            assert_int_equal(r.total.n_delays, 3);
            assert_true(r.total.median_hours == 2.0);
            assert_text(&r.total, STATS_COL_MEDIAN_HOURS, "–");
            stats_report_free(&r);
        }
    }
    /* completed before any letter: not in the median */
    int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", m);
    mark(f, e, "completed_at", "2026-01-05T11:00:00Z");
    job(f, e, "send_written_guidance", "2026-01-05T12:00:00Z", "outbox");
    report(f, "2026-05-01T12:00:00Z", &r);
    /* 1, 2, 4, 10, 30 h → 4 h */
    assert_int_equal(r.total.n_delays, 5);
    assert_text(&r.total, STATS_COL_MEDIAN_HOURS, "4,0");
    assert_true(group_row(&r, "dagpenge")->median_hours == 4.0);
    stats_report_free(&r);
    /* a sixth, 6 h: the mean of the middle two (4 + 6) / 2 */
    e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", m);
    job(f, e, "send_written_guidance", "2026-01-05T10:00:00Z", "outbox");
    mark(f, e, "completed_at", "2026-01-05T16:00:00Z");
    report(f, "2026-05-01T12:00:00Z", &r);
    assert_true(r.total.median_hours == 5.0);
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ trend, extracts */

static void test_trend(void **state)
{
    struct fixture *f = *state;
    struct stats_trend tr;
    const char *m = "2026-05-01T08:00:00Z";
    for (int i = 0; i < 6; i++)
        enrol(f, 1, "cw1", "2025-11-05T10:00:00Z", m); /* Q4 2025 */
    for (int i = 0; i < 7; i++)
        enrol(f, 2, "cw1", "2026-02-05T10:00:00Z", m); /* Q1 2026 */
    int64_t day;
    assert_int_equal(stats_day_parse("2026-02-15", &day), 0);
    assert_int_equal(stats_trend_build(f->db.st, day, 3, t("2026-05-01T12:00:00Z"), &tr), 0);
    assert_int_equal(tr.n_quarters, 3);
    assert_int_equal(tr.n_groups, 2);
    char key[8];
    stats_quarter_key(&tr.quarters[0], key);
    assert_string_equal(key, "2025-3");
    stats_quarter_key(&tr.quarters[2], key);
    assert_string_equal(key, "2026-1");
    /* rows[g * 3 + q]: dagpenge (g 0), sygedagpenge (g 1) */
    assert_string_equal(tr.rows[0].key, "dagpenge");
    assert_int_equal(tr.rows[0 * 3 + 0].c.enrolled, 0);
    assert_int_equal(tr.rows[0 * 3 + 1].c.enrolled, 6);
    assert_int_equal(tr.rows[0 * 3 + 2].c.enrolled, 0);
    assert_int_equal(tr.rows[1 * 3 + 2].c.enrolled, 7);
    stats_trend_free(&tr);
    assert_int_equal(stats_trend_build(f->db.st, day, 9, 0, &tr), -1);
}

static void test_extracts(void **state)
{
    struct fixture *f = *state;
    struct stats_report r;
    for (int i = 0; i < 6; i++) {
        int64_t e = enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", "2026-02-01T09:00:00Z");
        if (i < 5)
            mark(f, e, "opened_at", "2026-01-06T10:00:00Z");
    }
    enrol(f, 2, "cw2", "2026-01-05T10:00:00Z", "2026-02-01T09:00:00Z");
    enrol(f, 2, "ghost", "2026-01-05T10:00:00Z", "2026-02-01T09:00:00Z"); /* no account */
    report(f, "2026-05-01T12:00:00Z", &r);
    struct buf csv = {0};
    stats_report_csv(&r, ';', &csv);
    buf_putc(&csv, '\0');
    const char *head = "\xEF\xBB\xBF" "from;to;dimension;key;name;enrolled;opened;";
    assert_memory_equal(csv.data, head, strlen(head));
    assert_non_null(strstr(csv.data, "\r\n2026-01-01;2026-03-31;target_group;dagpenge;Dagpenge;6;5;<5;0;0;83,3;0,0;0,0;"));
    assert_non_null(strstr(csv.data, "\r\n2026-01-01;2026-03-31;target_group;sygedagpenge;Sygedagpenge;<5;0;<5;"));
    assert_non_null(strstr(csv.data, "\r\n2026-01-01;2026-03-31;total;total;;8;5;<5;"));
    assert_non_null(strstr(csv.data, "\r\n2026-01-01;2026-03-31;unit;team-nord;;6;5;"));
    /* the no-unit row: labelled, and the last line */
    const char *no_unit = strstr(csv.data, "\r\n2026-01-01;2026-03-31;unit;(ingen enhed);(ingen enhed);<5;0;");
    assert_non_null(no_unit);
    assert_null(strstr(no_unit + 2, "\r\n2026-01-01"));
    assert_null(strstr(csv.data, "unit;;")); /* never an empty key */
    assert_null(strstr(csv.data, "Navn")); /* the citizens' name */
    buf_free(&csv);
    stats_report_csv(&r, ',', &csv);
    buf_putc(&csv, '\0');
    assert_non_null(strstr(csv.data, ",dagpenge,Dagpenge,6,5,<5,0,0,83.3,0.0,0.0,"));
    buf_free(&csv);

    json_t *j = stats_report_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "from")), "2026-01-01");
    assert_string_equal(json_string_value(json_object_get(j, "to")), "2026-03-31");
    json_t *g = json_array_get(json_object_get(j, "target_groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "target_group")), "dagpenge");
    assert_int_equal(json_integer_value(json_object_get(g, "enrolled")), 6);
    assert_true(json_is_null(json_object_get(g, "not_opened")));
    assert_true(json_is_integer(json_object_get(g, "declined")));
    json_t *rates = json_object_get(g, "rates");
    assert_true(json_real_value(json_object_get(rates, "opened")) == 0.8333);
    assert_true(json_real_value(json_object_get(rates, "correctly_guided")) == 0.0);
    assert_true(json_is_integer(json_object_get(g, "correctly_guided")));
    assert_true(json_is_null(json_object_get(g, "median_hours_to_completion")));
    g = json_array_get(json_object_get(j, "target_groups"), 1);
    assert_true(json_is_null(json_object_get(g, "enrolled")));
    assert_int_equal(json_integer_value(json_object_get(j, "small_count_threshold")), 5);
    json_t *units = json_object_get(j, "units");
    assert_int_equal(json_array_size(units), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(units, 0), "unit")),
                        "team-nord");
    json_t *none = json_object_get(json_array_get(units, 2), "unit");
    assert_non_null(none);
    assert_true(json_is_null(none)); /* "unit": null, present, not "" */
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "Navn"));
    free(text);
    json_decref(j);
    stats_report_free(&r);
}

/* ------------------------------------------------------------------ concurrent writers */

#define WRITERS 4
#define PER_WRITER 150

struct writer {
    const char *path;
    int64_t first_enrolment;
    int failures;
};

struct answer_txn {
    int64_t enrolment, question;
    int correct;
    int64_t at;
};

static enum store_status answer_txn(struct store *st, void *arg)
{
    struct answer_txn *a = arg;
    int attempt;
    return store_answer_insert(st, a->enrolment, a->question, "[0]", a->correct, a->at,
                               &attempt);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct store *st = NULL;
    char err[256];
    if (store_open(w->path, 10000, &st, err, sizeof err)) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < PER_WRITER; i++) {
        /* five attempts at each of 10 enrolments × 3 questions: only the first counts */
        struct answer_txn a = {w->first_enrolment + i % 10, 1 + i / 10 % 3, i % 3 == 0,
                               t("2026-01-06T10:00:00Z") + i * 3600};
        if (store_txn(st, answer_txn, &a) != STORE_OK)
            w->failures++;
    }
    store_close(st);
    return NULL;
}

static volatile int readers_stop;

static int count_question(const struct store_stats_question *q, void *arg)
{
    *(int64_t *)arg += q->answered;
    return 0;
}

static void *reader_main(void *arg)
{
    struct writer *w = arg;
    struct store *st = NULL;
    char err[256];
    int64_t last = 0;
    if (store_open(w->path, 10000, &st, err, sizeof err)) {
        w->failures++;
        return NULL;
    }
    int64_t from, to;
    stats_day_parse("2026-01-01", &from);
    stats_day_parse("2026-12-31", &to);
    while (!readers_stop) {
        int64_t n = 0;
        if (store_stats_questions(st, from, to, count_question, &n) != STORE_OK)
            w->failures++;
        /* a reader never sees the count go down (each read is one snapshot) */
        if (n < last)
            w->failures++;
        last = n;
    }
    store_close(st);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    struct fixture *f = *state;
    for (int w = 0; w < WRITERS; w++)
        for (int i = 0; i < 10; i++)
            enrol(f, 1, "cw1", "2026-01-05T10:00:00Z", "2026-05-01T08:00:00Z");
    pthread_t threads[WRITERS + 1];
    struct writer ws[WRITERS + 1];
    readers_stop = 0;
    for (int w = 0; w <= WRITERS; w++) {
        ws[w] = (struct writer){f->db.path, 1 + w * 10, 0};
        assert_int_equal(
            pthread_create(&threads[w], NULL, w < WRITERS ? writer_main : reader_main, &ws[w]),
            0);
    }
    for (int w = 0; w < WRITERS; w++)
        assert_int_equal(pthread_join(threads[w], NULL), 0);
    readers_stop = 1;
    assert_int_equal(pthread_join(threads[WRITERS], NULL), 0);
    for (int w = 0; w <= WRITERS; w++)
        assert_int_equal(ws[w].failures, 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM answers"), WRITERS * PER_WRITER);
    /* 10 enrolments × 3 questions per writer have a first attempt */
    assert_int_equal(scalar(f, "SELECT sum(answered) FROM stats_question_day"), WRITERS * 30);
    assert_int_equal(scalar(f, "SELECT sum(wrong) FROM stats_question_day"),
                     scalar(f, "SELECT count(*) FROM answers WHERE attempt = 1 AND correct = 0"));
    int64_t diff = -1;
    assert_int_equal(store_stats_verify(f->db.st, &diff), STORE_OK);
    assert_int_equal(diff, 0);
    /* and the recount does notice an aggregate that is off */
    exec(f, "UPDATE stats_question_day SET wrong = wrong + 1 WHERE question_id = 1 AND"
            " day = (SELECT min(day) FROM stats_question_day WHERE question_id = 1)");
    assert_int_equal(store_stats_verify(f->db.st, &diff), STORE_OK);
    assert_true(diff > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_config_keys),
        cmocka_unit_test(test_goal_edge),
        cmocka_unit_test_setup_teardown(test_cohort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correctly_guided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caseworker_uptake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_questions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_median, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extracts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
