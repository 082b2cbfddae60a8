/* jobs: due-time arithmetic in Europe/Copenhagen (month ends, leap years, DST), back-off,
 * and against a real temporary SQLite database: planning, atomic claiming (no job twice,
 * lapsed leases claimable again), fenced claims (a stale holder can neither renew nor end a
 * job) and renewed leases, a late batch of a long pass holding a full lease, retry and
 * failure, cancellation and moving; channel timeouts shorter than the lease. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "jobs.h"
#include "store.h"
#include "testdb.h"

static int64_t t(const char *s)
{
    int64_t v = 0;
    assert_int_equal(clock_parse_rfc3339(s, &v), 0);
    return v;
}

static void assert_time(int64_t got, const char *want)
{
    char buf[CLOCK_RFC3339_LEN + 1];
    clock_format_rfc3339(got, buf);
    assert_string_equal(buf, want);
}

/* ------------------------------------------------------------------ arithmetic */

static void test_resend_month_ends(void **state)
{
    (void)state;
    /* 31 August 10:00 summer time + 6 months: 28 February 10:00 winter time */
    assert_time(jobs_resend_at(t("2026-08-31T08:00:00Z"), 6), "2027-02-28T09:00:00Z");
    /* … and in a leap year the 29th */
    assert_time(jobs_resend_at(t("2027-08-31T08:00:00Z"), 6), "2028-02-29T09:00:00Z");
    /* 31 October + 6 months: 30 April */
    assert_time(jobs_resend_at(t("2030-10-31T09:00:00Z"), 6), "2031-04-30T08:00:00Z");
    /* 29 February + 12 months: 28 February; + 48 months: 29 February again */
    assert_time(jobs_resend_at(t("2028-02-29T09:00:00Z"), 12), "2029-02-28T09:00:00Z");
    assert_time(jobs_resend_at(t("2028-02-29T09:00:00Z"), 48), "2032-02-29T09:00:00Z");
    /* across the year end */
    assert_time(jobs_resend_at(t("2026-12-15T09:00:00Z"), 1), "2027-01-15T09:00:00Z");
    /* 2100 is not a leap year */
    assert_time(jobs_resend_at(t("2099-08-31T08:00:00Z"), 6), "2100-02-28T09:00:00Z");
}

static void test_resend_dst(void **state)
{
    (void)state;
    /* 10:00 winter time (09:00Z) + 6 months is 10:00 summer time (08:00Z) */
    assert_time(jobs_resend_at(t("2026-01-15T09:00:00Z"), 6), "2026-07-15T08:00:00Z");
    /* and back */
    assert_time(jobs_resend_at(t("2026-07-15T08:00:00Z"), 6), "2027-01-15T09:00:00Z");
    /* a meeting on the day DST starts (29 March 2026, 10:00 CEST) */
    assert_time(jobs_resend_at(t("2026-03-29T08:00:00Z"), 6), "2026-09-29T08:00:00Z");
    /* from the day DST ends (25 October 2026, 10:00 CET) */
    assert_time(jobs_resend_at(t("2026-10-25T09:00:00Z"), 6), "2027-04-25T08:00:00Z");
}

static void test_remind_local_hour(void **state)
{
    (void)state;
    /* meeting 2 April 2026 10:00 CEST; 3 days before at 09:00 local = 30 March 07:00Z */
    assert_time(jobs_remind_at(t("2026-04-02T08:00:00Z"), 3, 9), "2026-03-30T07:00:00Z");
    /* across the spring change: 28 March is still winter time (08:00Z) */
    assert_time(jobs_remind_at(t("2026-03-31T08:00:00Z"), 3, 9), "2026-03-28T08:00:00Z");
    /* across a month and year end */
    assert_time(jobs_remind_at(t("2027-01-02T09:00:00Z"), 5, 9), "2026-12-28T08:00:00Z");
    /* an early meeting (00:30 local on 1 March 2028) still counts local days: 29 February */
    assert_time(jobs_remind_at(t("2028-02-29T23:30:00Z"), 1, 9), "2028-02-29T08:00:00Z");
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(jobs_backoff(1, 60, 3600), 60);
    assert_int_equal(jobs_backoff(2, 60, 3600), 120);
    assert_int_equal(jobs_backoff(3, 60, 3600), 240);
    assert_int_equal(jobs_backoff(6, 60, 3600), 1920);
    assert_int_equal(jobs_backoff(7, 60, 3600), 3600); /* capped */
    assert_int_equal(jobs_backoff(1000, 60, 3600), 3600);
    assert_int_equal(jobs_backoff(0, 60, 3600), 60);
    assert_int_equal(jobs_backoff(40, 1, 4000000000u), 4000000000); // no overflow
}

/* The causes the record names are read back from the errors the scheduler writes: the
 * same text on both sides (JOBS_ERR_*), whatever follows it. */
static void test_failure_cause(void **state)
{
    (void)state;
    assert_string_equal(jobs_failure_cause(JOBS_ERR_NO_CHANNEL " (channels = smtp; smtp needs "
                                                               "an e-mail address)"),
                        "no_channel_reached");
    assert_string_equal(jobs_failure_cause(JOBS_ERR_IDENTITY), "identity_unavailable");
    assert_string_equal(jobs_failure_cause(JOBS_ERR_LINK), "link_unavailable");
    assert_string_equal(jobs_failure_cause(JOBS_ERR_RENDER), "render_failed");
    assert_string_equal(jobs_failure_cause(JOBS_ERR_NO_GUIDANCE), "no_guidance");
    assert_string_equal(jobs_failure_cause("cannot read the deliveries"), "internal");
    assert_string_equal(jobs_failure_cause("cannot record the sending"), "internal");
    /* a channel's own answer names no cause of these: the deliveries tell it */
    assert_null(jobs_failure_cause("smtp: 550 mailbox unavailable"));
    assert_null(jobs_failure_cause(""));
    assert_null(jobs_failure_cause(NULL));
}

static void test_policy_from_config(void **state)
{
    (void)state;
    struct config c;
    struct jobs_policy p;
    char err[128];
    config_defaults(&c);
    config_set(&c, "database", "path", "/srv/vejled/v.db", err, sizeof err);
    config_finish(&c);
    assert_string_equal(c.outbox_dir, "/srv/vejled/outbox"); /* beside the database */
    jobs_policy_from_config(&c, &p);
    assert_int_equal(p.remind_days_before, 3);
    assert_int_equal(p.remind_hour, 9);
    assert_int_equal(p.max_attempts, 8);
    assert_int_equal(p.backoff_base_s, 60);
    assert_int_equal(p.backoff_max_s, 21600);
    assert_int_equal(p.lease_s, 600);
    /* every delivery limit is checked */
    assert_int_equal(config_set(&c, "delivery", "max_attempts", "0", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "max_attempts", "101", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "remind_hour", "24", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "claim_batch", "0", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "job_lease_s", "4", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "scheduler", "2", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "smtp", "timeout_s", "0", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "webhook", "timeout_s", "601", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "delivery", "backoff_base_s", "600", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "delivery", "backoff_max_s", "60", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "delivery", "remind_hour", "7", err, sizeof err), 0);
    jobs_policy_from_config(&c, &p);
    assert_int_equal(p.backoff_max_s, 600); /* never below the base */
    assert_int_equal(p.remind_hour, 7);
}

/* ------------------------------------------------------------------ against a database */

struct fixture {
    struct testdb db;
    int64_t enrolment_id;
};

#define exec(f, ...) testdb_exec(&(f)->db, __VA_ARGS__)
#define scalar(f, sql) testdb_scalar(&(f)->db, sql)

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    testdb_open(&f->db, "jobs", 1000);
    exec(f, "INSERT INTO target_groups(id, slug, name_da, name_en, resend_months, created_at)"
            " VALUES (1, 'dagpenge', 'Dagpenge', 'Benefits', 6, 0);"
            "INSERT INTO packs(id, group_id, version, state, created_at) VALUES (1, 1, 1, 'published', 0);"
            "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
            " VALUES (1, 'c1', 'l1', x'00', 'Åse', 0);"
            "INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, first_meeting_at,"
            " token_hash, token_expires_at, created_at)"
            " VALUES (1, 'e1', 1, 1, 1, 1900000000, 'h1', 1990000000, 0);");
    f->enrolment_id = 1;
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

struct plan_txn {
    struct model_enrolment e;
    struct model_group g;
    struct jobs_policy p;
    int64_t now;
    json_t *jobs;
};

static enum store_status plan_txn(struct store *st, void *arg)
{
    struct plan_txn *pt = arg;
    return jobs_plan_enrolment(st, &pt->e, &pt->g, &pt->p, pt->now, pt->jobs);
}

static void plan(struct fixture *f, int64_t meeting, int64_t now, json_t *jobs)
{
    struct plan_txn pt;
    memset(&pt, 0, sizeof pt);
    pt.e.id = f->enrolment_id;
    snprintf(pt.e.uuid, sizeof pt.e.uuid, "e1");
    pt.e.first_meeting_at = meeting;
    pt.g.resend_months = 6;
    jobs_policy_defaults(&pt.p);
    pt.now = now;
    pt.jobs = jobs;
    assert_int_equal(store_txn(f->db.st, plan_txn, &pt), STORE_OK);
}

static void test_plan_once(void **state)
{
    struct fixture *f = *state;
    json_t *jobs = json_array();
    int64_t now = t("2026-11-23T12:00:00Z");
    plan(f, t("2026-12-01T09:00:00Z"), now, jobs);
    assert_int_equal(json_array_size(jobs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 1), "due_at")),
                        "2026-11-28T08:00:00Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 2), "due_at")),
                        "2027-06-01T08:00:00Z");
    /* planning again changes nothing: the unique keys */
    plan(f, t("2026-12-01T09:00:00Z"), now, NULL);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs"), 3);
    json_decref(jobs);
}

static void test_plan_no_reminder_when_too_late(void **state)
{
    struct fixture *f = *state;
    json_t *jobs = json_array();
    /* meeting tomorrow: three days before is past */
    plan(f, t("2026-11-24T09:00:00Z"), t("2026-11-23T12:00:00Z"), jobs);
    assert_int_equal(json_array_size(jobs), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE kind = 'remind_before_meeting'"), 0);
    json_decref(jobs);
}

struct claim_txn {
    int64_t now, lease;
    const char *kind;
    const char *claim; /* NULL: "A" */
    struct store_job out[16];
    size_t n;
};

static enum store_status claim_txn(struct store *st, void *arg)
{
    struct claim_txn *c = arg;
    return store_jobs_claim(st, c->now, c->lease, c->kind, c->claim ? c->claim : "A", c->out,
                            16, &c->n);
}

static size_t claim(struct fixture *f, struct store *st, int64_t now, struct claim_txn *c)
{
    memset(c, 0, sizeof *c);
    c->now = now;
    c->lease = 600;
    assert_int_equal(store_txn(st ? st : f->db.st, claim_txn, c), STORE_OK);
    return c->n;
}

static void test_claim_due_only_once(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    struct store *other;
    char err[256];
    int64_t now = t("2026-11-23T12:00:00Z");
    plan(f, t("2026-12-01T09:00:00Z"), now, NULL);
    /* before anything is due */
    assert_int_equal(claim(f, NULL, now - 1, &c), 0);
    /* the send is due now: claimed, running, one attempt */
    assert_int_equal(claim(f, NULL, now, &c), 1);
    assert_string_equal(c.out[0].kind, "send_written_guidance");
    assert_int_equal(c.out[0].attempts, 1);
    assert_string_equal(c.out[0].state, "running");
    /* a second connection (another scheduler, or `jobs run`) gets nothing */
    assert_int_equal(store_open(f->db.path, 1000, &other, err, sizeof err), 0);
    assert_int_equal(claim(f, other, now + 60, &c), 0);
    /* until the lease has run out (the first one died): then it is claimable again */
    assert_int_equal(claim(f, other, now + 600, &c), 1);
    assert_int_equal(c.out[0].attempts, 2);
    store_close(other);
    /* after downtime, everything due runs once: the send whose claimer died again, the
     * reminder and the resend, oldest first */
    assert_int_equal(claim(f, NULL, t("2028-01-01T00:00:00Z"), &c), 3);
    assert_string_equal(c.out[0].kind, "send_written_guidance");
    assert_string_equal(c.out[1].kind, "remind_before_meeting");
    assert_string_equal(c.out[2].kind, "resend_written_guidance");
    assert_int_equal(claim(f, NULL, t("2028-01-01T00:00:01Z"), &c), 0);
}

static void test_claim_batch_limit(void **state)
{
    struct fixture *f = *state;
    char key[32];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(store_job_insert_ref(f->db.st, "send_written_guidance", 0, 0, key, 100 + i, 0),
                         STORE_OK);
    }
    struct claim_txn c;
    assert_int_equal(claim(f, NULL, 1000, &c), 16);
    assert_int_equal(c.out[0].due_at, 100); /* oldest first */
    assert_int_equal(claim(f, NULL, 1000, &c), 16);
    assert_int_equal(claim(f, NULL, 1000, &c), 8);
    assert_int_equal(claim(f, NULL, 1000, &c), 0);
}

struct finish_txn {
    int64_t id;
    const char *state;
    int64_t next;
    const char *claim; /* NULL: "A" */
};

static enum store_status finish_txn(struct store *st, void *arg)
{
    struct finish_txn *ft = arg;
    return store_job_finish(st, ft->id, ft->claim ? ft->claim : "A", ft->state,
                            "connection refused", ft->next, 5, NULL);
}

struct renew_txn {
    int64_t id;
    const char *claim;
    int64_t now;
};

static enum store_status renew_txn(struct store *st, void *arg)
{
    struct renew_txn *r = arg;
    return store_job_renew(st, r->id, r->claim, r->now);
}

/* A claim whose lease ran out and was taken over is fenced out: it can neither renew nor
 * end the job; the new holder can. */
static void test_claim_is_fenced(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    assert_int_equal(store_job_insert_ref(f->db.st, "send_written_guidance", 1, 0, "k", 100, 0),
                     STORE_OK);
    assert_int_equal(claim(f, NULL, 100, &c), 1);
    assert_string_equal(c.out[0].claim, "A");
    int64_t id = c.out[0].id;
    /* the holder renews while it holds the job */
    struct renew_txn r = {id, "A", 200};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_OK);
    /* a stranger's token renews nothing */
    r = (struct renew_txn){id, "B", 250};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_CONFLICT);
    /* the lease (from the renewal at 200) runs out at 800: another scheduler claims it */
    memset(&c, 0, sizeof c);
    c.now = 800;
    c.lease = 600;
    c.claim = "B";
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.out[0].claim, "B");
    /* the first holder comes back: its renewal and its result are refused, nothing changes */
    r = (struct renew_txn){id, "A", 900};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_CONFLICT);
    struct finish_txn ft = {id, "done", 0, "A"};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_CONFLICT);
    ft = (struct finish_txn){id, "pending", 5000, "A"};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_CONFLICT);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'running'"
                               " AND claim_token = 'B' AND locked_at = 800 AND attempts = 2"), 1);
    /* the new holder ends it; then no claim can touch it */
    ft = (struct finish_txn){id, "done", 0, "B"};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_OK);
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_CONFLICT);
    r = (struct renew_txn){id, "B", 1000};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_CONFLICT);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'done'"
                               " AND claim_token IS NULL"), 1);
}

/* A renewed lease is not claimable until it runs out again, counted from the renewal. */
static void test_renewal_keeps_the_job(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    assert_int_equal(store_job_insert_ref(f->db.st, "send_written_guidance", 1, 0, "k", 100, 0),
                     STORE_OK);
    assert_int_equal(claim(f, NULL, 100, &c), 1);
    int64_t id = c.out[0].id, at = 0;
    struct renew_txn r = {id, "A", 650};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_OK);
    assert_int_equal(store_jobs_next(f->db.st, 600, &at), STORE_OK);
    assert_int_equal(at, 1250);
    assert_int_equal(claim(f, NULL, 700, &c), 0);  /* would have lapsed without the renewal */
    assert_int_equal(claim(f, NULL, 1249, &c), 0);
    /* a renewal never moves the lease back (a pass with an older --now) */
    r = (struct renew_txn){id, "A", 300};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_OK);
    assert_int_equal(claim(f, NULL, 1249, &c), 0);
    assert_int_equal(claim(f, NULL, 1250, &c), 1);
}

/* A pass that outlives the lease: the batch it claims late holds a full lease from that
 * claim, so another scheduler cannot take those jobs at once (stamped with the pass's start
 * they were lapsed the moment they were claimed, and were taken over again and again). */
static void test_late_batch_holds_a_full_lease(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    for (int i = 0; i < 20; i++) {
        char key[32];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(store_job_insert_ref(f->db.st, "send_written_guidance", 1, 0, key, 100, 0),
                         STORE_OK);
    }
    /* the pass began at 1000 (its --now: 5000); its first batch goes at once */
    assert_int_equal(jobs_claim_time(5000, 1000, 1000), 5000);
    assert_int_equal(claim(f, NULL, jobs_claim_time(5000, 1000, 1000), &c), 16);
    /* 599 s later it claims the rest: stamped 5599, not 5000 */
    int64_t late = jobs_claim_time(5000, 1000, 1599);
    assert_int_equal(late, 5599);
    assert_int_equal(claim(f, NULL, late, &c), 4);
    int64_t id = c.out[0].id;
    /* other schedulers, right after the first batch's lease ran out: they take the first
     * batch, but the late one is not lapsed (stamped 5000 it would be) */
    memset(&c, 0, sizeof c);
    c.now = 5601;
    c.lease = 600;
    c.claim = "B";
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 16);
    for (size_t i = 0; i < c.n; i++)
        assert_true(c.out[i].id != id);
    c.n = 0;
    c.now = 5602;
    c.claim = "C";
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 0);
    /* so the late batch's holder still holds its jobs and ends them */
    struct renew_txn r = {id, "A", 5603};
    assert_int_equal(store_txn(f->db.st, renew_txn, &r), STORE_OK);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE claim_token = 'A' AND attempts = 1"), 4);
    /* a clock that went back never moves the stamp before the pass's time */
    assert_int_equal(jobs_claim_time(5000, 1000, 900), 5000);
}

static void test_timeouts_shorter_than_the_lease(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    config_finish(&c);
    assert_int_equal(jobs_check_timeouts(&c, err, sizeof err), 0); /* the defaults fit */
    assert_int_equal(config_set(&c, "delivery", "channels", "outbox,smtp,webhook", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "delivery", "job_lease_s", "30", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "smtp", "timeout_s", "29", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "webhook", "timeout_s", "15", err, sizeof err), 0);
    assert_int_equal(jobs_check_timeouts(&c, err, sizeof err), 0);
    assert_int_equal(config_set(&c, "smtp", "timeout_s", "30", err, sizeof err), 0);
    assert_int_equal(jobs_check_timeouts(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "[smtp] timeout_s (30) must be shorter than [delivery] job_lease_s (30)"));
    assert_int_equal(config_set(&c, "smtp", "timeout_s", "10", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "webhook", "timeout_s", "31", err, sizeof err), 0);
    assert_int_equal(jobs_check_timeouts(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "[webhook] timeout_s"));
    /* a channel that is not used does not count */
    assert_int_equal(config_set(&c, "delivery", "channels", "outbox,smtp", err, sizeof err), 0);
    assert_int_equal(jobs_check_timeouts(&c, err, sizeof err), 0);
}

static void test_retry_then_done(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    int64_t at;
    assert_int_equal(store_job_insert_ref(f->db.st, "send_written_guidance", 1, 0, "k", 100, 0),
                     STORE_OK);
    assert_int_equal(claim(f, NULL, 100, &c), 1);
    struct finish_txn ft = {c.out[0].id, "pending", 100 + jobs_backoff(1, 60, 3600), NULL};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_OK);
    assert_int_equal(store_jobs_next(f->db.st, 600, &at), STORE_OK);
    assert_int_equal(at, 160);
    assert_int_equal(claim(f, NULL, 159, &c), 0);
    assert_int_equal(claim(f, NULL, 160, &c), 1);
    assert_int_equal(c.out[0].attempts, 2);
    ft = (struct finish_txn){c.out[0].id, "done", 0, NULL};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_OK);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'done' AND finished_at = 5"), 1);
    assert_int_equal(store_jobs_next(f->db.st, 600, &at), STORE_NOT_FOUND);
    assert_int_equal(claim(f, NULL, 1000000, &c), 0);
}

struct finish_final_txn {
    int64_t id;
    const char *state;
    const char *final;
};

static enum store_status finish_final_txn(struct store *st, void *arg)
{
    struct finish_final_txn *ft = arg;
    return store_job_finish(st, ft->id, "A", ft->state, "timed out", 0, 7, &ft->final);
}

struct cancel_kind_txn {
    const char *kind;
    int n;
};

static enum store_status cancel_kind_txn(struct store *st, void *arg)
{
    struct cancel_kind_txn *ct = arg;
    return store_jobs_cancel(st, 1, ct->kind, 6, &ct->n);
}

/* A job cancelled while an attempt runs keeps its claim (what it sends is still recorded),
 * but when the attempt fails it ends cancelled instead of pending or failed; one that
 * succeeds ends done. */
static void test_cancelled_while_running_is_not_retried(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    assert_int_equal(store_job_insert_ref(f->db.st, "remind_before_meeting", 1, 0, "r1", 100, 0),
                     STORE_OK);
    assert_int_equal(store_job_insert_ref(f->db.st, "remind_before_meeting", 1, 0, "r2", 100, 0),
                     STORE_OK);
    assert_int_equal(claim(f, NULL, 100, &c), 2);
    int64_t a = c.out[0].id, b = c.out[1].id;
    struct cancel_kind_txn ct = {"remind_before_meeting", 0};
    assert_int_equal(store_txn(f->db.st, cancel_kind_txn, &ct), STORE_OK);
    assert_int_equal(ct.n, 0); /* none pending */
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'running'"
                               " AND cancel_requested_at = 6"), 2);
    /* the claim still holds: renewing works */
    assert_int_equal(store_job_renew(f->db.st, a, "A", 101), STORE_OK);
    /* the attempt failed: not pending again, not failed, cancelled */
    struct finish_final_txn fa = {a, "pending", NULL};
    assert_int_equal(store_txn(f->db.st, finish_final_txn, &fa), STORE_OK);
    assert_string_equal(fa.final, "cancelled");
    struct finish_final_txn fb = {b, "done", NULL};
    assert_int_equal(store_txn(f->db.st, finish_final_txn, &fb), STORE_OK);
    assert_string_equal(fb.final, "done");
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'cancelled'"
                               " AND finished_at = 7"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'done'"), 1);
    /* nothing comes back */
    assert_int_equal(claim(f, NULL, 1000000, &c), 0);
}

struct cancel_txn {
    int64_t now;
    int n;
    int64_t held;
    int64_t resend;
};

static enum store_status cancel_txn(struct store *st, void *arg)
{
    struct cancel_txn *ct = arg;
    return jobs_cancel_enrolment(st, 1, ct->now, &ct->n);
}

static enum store_status held_txn(struct store *st, void *arg)
{
    struct cancel_txn *ct = arg;
    struct model_enrolment e = {.id = 1};
    struct model_group g = {.resend_months = 6};
    return jobs_meeting_held(st, &e, &g, ct->held, ct->now, &ct->resend);
}

static void test_cancel_and_move(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    int64_t now = t("2026-11-23T12:00:00Z");
    plan(f, t("2026-12-01T09:00:00Z"), now, NULL);
    assert_int_equal(claim(f, NULL, now, &c), 1); /* the send is running */
    /* the meeting is held on another day (14:00 CET): the resend moves, the reminder goes */
    struct cancel_txn ct = {now, 0, t("2026-12-03T13:00:00Z"), 0};
    assert_int_equal(store_txn(f->db.st, held_txn, &ct), STORE_OK);
    assert_time(ct.resend, "2027-06-03T12:00:00Z"); /* 14:00 local, winter → summer */
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE kind = 'remind_before_meeting'"
                               " AND state = 'cancelled'"), 1);
    /* closing cancels what is pending, not what is running */
    assert_int_equal(store_txn(f->db.st, cancel_txn, &ct), STORE_OK);
    assert_int_equal(ct.n, 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'pending'"), 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE state = 'running'"), 1);
    /* years later only that running one comes back (its lease lapsed; the runner then sees
     * the enrolment closed) */
    assert_int_equal(claim(f, NULL, t("2030-01-01T00:00:00Z"), &c), 1);
    assert_string_equal(c.out[0].kind, "send_written_guidance");
}

static void test_journal_jobs_in_order(void **state)
{
    struct fixture *f = *state;
    struct claim_txn c;
    int n = 0;
    exec(f, "INSERT INTO journal(seq, at, kind, actor, data, prev_hash, hash) VALUES"
            " (1, 'a', 'k', 'x', '{}', 'p', 'h1'), (2, 'a', 'k', 'x', '{}', 'h1', 'h2'),"
            " (3, 'a', 'k', 'x', '{}', 'h2', 'h3');");
    assert_int_equal(store_jobs_queue_journal(f->db.st, 100, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(store_jobs_queue_journal(f->db.st, 100, &n), STORE_OK);
    assert_int_equal(n, 0);
    memset(&c, 0, sizeof c);
    c.now = 100;
    c.lease = 600;
    c.kind = "deliver_journal";
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.out[0].ref, 1);
    /* the head failed and waits: nothing after it may overtake it */
    struct finish_txn ft = {c.out[0].id, "pending", 200, NULL};
    assert_int_equal(store_txn(f->db.st, finish_txn, &ft), STORE_OK);
    c.now = 150;
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 0);
    int64_t at;
    assert_int_equal(store_jobs_next(f->db.st, 600, &at), STORE_OK);
    assert_int_equal(at, 200);
    /* generic claims never take journal deliveries */
    assert_int_equal(claim(f, NULL, 1000, &c), 0);
    c.now = 200;
    c.kind = "deliver_journal";
    assert_int_equal(store_txn(f->db.st, claim_txn, &c), STORE_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.out[0].ref, 1);
    assert_int_equal(c.out[0].attempts, 2);
}

struct new_link_txn {
    int64_t enrolment_id;
    int64_t seq;
    int64_t now;
    json_t *jobs;
};

static enum store_status new_link_txn(struct store *st, void *arg)
{
    struct new_link_txn *t = arg;
    struct model_enrolment e;
    memset(&e, 0, sizeof e);
    e.id = t->enrolment_id;
    snprintf(e.uuid, sizeof e.uuid, "e1");
    return jobs_new_link(st, &e, t->seq, t->now, t->jobs);
}

/* Each new link a caseworker issues gets its own letter, due at once, keyed by the journal
 * entry that issued it: issuing twice is two letters, the same entry never twice. */
static void test_new_link_letter(void **state)
{
    struct fixture *f = *state;
    int64_t now = t("2026-11-23T12:00:00Z");
    json_t *jobs = json_array();
    struct new_link_txn a = {f->enrolment_id, 7, now, jobs};
    assert_int_equal(store_txn(f->db.st, new_link_txn, &a), STORE_OK);
    assert_int_equal(json_array_size(jobs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 0), "kind")),
                        "send_new_link");
    assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 0), "due_at")),
                        "2026-11-23T12:00:00Z");
    assert_int_equal(store_txn(f->db.st, new_link_txn, &a), STORE_OK); /* the same entry */
    struct new_link_txn b = {f->enrolment_id, 9, now, NULL};
    assert_int_equal(store_txn(f->db.st, new_link_txn, &b), STORE_OK);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE kind = 'send_new_link'"), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM jobs WHERE kind = 'send_new_link' AND ref = 7"
                               " AND unique_key = 'send_new_link:e1:7' AND state = 'pending'"),
                     1);
    struct claim_txn c;
    assert_int_equal(claim(f, NULL, now, &c), 2);
    json_decref(jobs);
}

int main(void)
{
    clock_init_display_zone();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_cause),
        cmocka_unit_test(test_resend_month_ends),
        cmocka_unit_test(test_resend_dst),
        cmocka_unit_test(test_remind_local_hour),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_policy_from_config),
        cmocka_unit_test_setup_teardown(test_plan_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_no_reminder_when_too_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_due_only_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_batch_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_jobs_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_link_letter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_is_fenced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renewal_keeps_the_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_batch_holds_a_full_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_while_running_is_not_retried, setup,
                                        teardown),
        cmocka_unit_test(test_timeouts_shorter_than_the_lease),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
