/* cmd_ops — jobs, purge, stats (cli.h). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "bundle.h"
#include "checkpoint.h"
#include "clock.h"
#include "config.h"
#include "content.h"
#include "enrol.h"
#include "http.h"
#include "jsonmem.h"
#include "evidence.h"
#include "jobs.h"
#include "journal.h"
#include "mem.h"
#include "pdf.h"
#include "purge.h"
#include "staff.h"
#include "scheduler.h"
#include "signkey.h"
#include "stats.h"
#include "store.h"
#include "store_testvfs.h"
#include "token.h"
#include "vault.h"

#include "cli.h"

static int main_job_row(const struct store_job *j, void *arg)
{
    char due[CLOCK_RFC3339_LEN + 1], next[CLOCK_RFC3339_LEN + 1];
    (void)arg;
    clock_format_rfc3339(j->due_at, due);
    clock_format_rfc3339(j->next_attempt_at, next);
    printf("%lld\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)j->id, j->kind,
           j->enrolment_uuid[0] ? j->enrolment_uuid : "-", due, j->state, j->attempts,
           strcmp(j->state, "pending") == 0 ? next : "-", j->last_error[0] ? j->last_error : "-");
    return 0;
}

/* jobs retry --job N: a failed letter made pending again (jobs_retry_letter). */
static int main_jobs_retry(struct store *st, const char *job)
{
    char *end = NULL;
    long long id = job && *job ? strtoll(job, &end, 10) : 0;
    if (!job || !*job || *end || id <= 0) {
        fprintf(stderr, "vejled: jobs retry needs --job N (a failed letter's id: jobs list)\n");
        return EXIT_USAGE;
    }
    switch (jobs_retry_letter(st, id, clock_now())) {
    case JOBS_RETRY_OK:
        fprintf(stderr, "vejled: job %lld is pending again: the scheduler's next pass sends it\n",
                id);
        return 0;
    case JOBS_RETRY_NOT_FOUND:
        return main_fail("no letter job %lld (jobs list shows every job)", id);
    case JOBS_RETRY_NOT_FAILED:
        return main_fail("job %lld has not failed (it is sent, pending or cancelled), or its "
                         "enrolment is closed: nothing changed", id);
    default:
        return main_fail("%s", "the database failed; nothing changed");
    }
}

/* jobs skip --job N: the first journal entry owed to the case system given up
 * (jobs_skip_journal). */
static int main_jobs_skip(struct store *st, const char *job)
{
    char *end = NULL;
    long long id = job && *job ? strtoll(job, &end, 10) : 0;
    if (!job || !*job || *end || id <= 0) {
        fprintf(stderr, "vejled: jobs skip needs --job N (the first deliver_journal job still "
                        "pending: jobs list)\n");
        return EXIT_USAGE;
    }
    switch (jobs_skip_journal(st, id, clock_now())) {
    case JOBS_RETRY_OK:
        fprintf(stderr, "vejled: job %lld skipped: its journal entry will not be delivered by "
                        "the webhook; a delivery_skipped entry saying so goes to the case system "
                        "next, and the entries after it follow\n",
                id);
        return 0;
    case JOBS_RETRY_NOT_FOUND:
        return main_fail("job %lld is not the first journal entry waiting for the webhook's "
                         "next attempt (jobs list; an attempt under way cannot be skipped): "
                         "nothing changed", id);
    default:
        return main_fail("%s", "the database failed; nothing changed");
    }
}

int cmd_jobs(const struct config *cfg, int config_given, const char *what, const char *now_text,
             const char *job)
{
    struct store *st = NULL;
    struct vault *vault = NULL;
    struct scheduler *sched = NULL;
    struct scheduler_stats stats;
    char err[512];
    int64_t now = 0;
    int rc = EXIT_FAILURE;
    if (now_text && (strcmp(what, "run") != 0 || clock_parse_rfc3339(now_text, &now) != 0)) {
        fprintf(stderr, "vejled: --now must be an RFC 3339 time (jobs run only)\n");
        return EXIT_USAGE;
    }
    const bool retry = strcmp(what, "retry") == 0, skip = strcmp(what, "skip") == 0;
    if (job && !retry && !skip) {
        fprintf(stderr, "vejled: --job is for jobs retry and jobs skip only\n");
        return EXIT_USAGE;
    }
    if (retry || skip) {
        if (main_open(cfg, MAIN_DB_EXISTING, &st))
            return EXIT_FAILURE;
        rc = retry ? main_jobs_retry(st, job) : main_jobs_skip(st, job);
        store_close(st);
        return rc;
    }
    if (main_open_all(cfg, &st, &vault))
        return EXIT_FAILURE;
    if (strcmp(what, "list") == 0) {
        printf("id\tkind\tenrolment\tdue_at\tstate\tattempts\tnext_attempt_at\tlast_error\n");
        rc = store_jobs_each(st, 0, main_job_row, NULL) == STORE_OK ? 0 : EXIT_FAILURE;
        goto out;
    }
    /* without the file serve reads, the letters go by the default channel with links to the
     * default address (right for `make run`, wrong for a server with a configuration): say so */
    if (!config_given)
        fprintf(stderr, "vejled: note: no configuration (--config FILE or VEJLED_CONFIG): letters "
                        "go by '%s' (outbox %s) with links to %s\n",
                cfg->channels, cfg->outbox_dir, cfg->public_url);
    if (main_check_retention(cfg))
        goto out;
    if (now) {
        main_warn_now(now);
        clock_set_fixed(now);
    }
    if (scheduler_open(cfg, vault, cfg->public_url, NULL, NULL, &sched, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    if (scheduler_pass(sched, clock_now(), &stats) != 0) {
        main_fail("%s", "the scheduler pass failed (see above); jobs already ended stay ended");
        goto out;
    }
    fprintf(stderr, "vejled: jobs run: %d claimed, %d done, %d retried, %d failed, %d cancelled\n",
            stats.claimed, stats.done, stats.retried, stats.failed, stats.cancelled);
    size_t purged = 0;
    if (scheduler_purge(sched, clock_now(), &purged) != 0) {
        main_fail("%s", "the retention purge failed (see above); citizens purged so far stay "
                        "purged");
        goto out;
    }
    if (cfg->purge_after[0])
        fprintf(stderr, "vejled: jobs run: retention purge ([retention] purge_after = %s): "
                        "%zu citizen(s)\n", cfg->purge_after, purged);
    rc = 0;
out:
    scheduler_close(sched);
    vault_close(vault);
    store_close(st);
    return rc;
}

int cmd_purge(const struct config *cfg, const char *older_than, const char *now_text)
{
    struct store *st = NULL;
    int64_t days = 0, now = clock_now();
    size_t purged = 0;
    const char *period = older_than ? older_than : cfg->purge_after;
    if (!period || !*period || purge_parse_period(period, &days) != 0) {
        fprintf(stderr, "vejled: purge needs --older-than PERIOD (e.g. 1825d, 60m, 5y) or "
                        "[retention] purge_after in the config\n");
        return EXIT_USAGE;
    }
    if (now_text && clock_parse_rfc3339(now_text, &now) != 0) {
        fprintf(stderr, "vejled: --now must be an RFC 3339 time\n");
        return EXIT_USAGE;
    }
    if (main_open(cfg, MAIN_DB_EXISTING, &st))
        return EXIT_FAILURE;
    if (now_text)
        main_warn_now(now);
    int rc = purge_run(st, days, now, cfg->outbox_dir, &purged);
    store_close(st);
    if (rc != 0)
        return main_fail("%s", "the purge failed (see above); citizens purged so far stay purged");
    fprintf(stderr, "vejled: purge: %zu citizen(s) older than %lld days purged\n", purged,
            (long long)days);
    return 0;
}

static double main_ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int main_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cmd_stats(const struct config *cfg, const struct main_opts *o)
{
    struct store *st = NULL;
    struct stats_report r;
    struct stats_period p;
    int rc = EXIT_FAILURE;
    int csv = o->format && strcmp(o->format, "csv") == 0;
    if ((o->format && !csv && strcmp(o->format, "json") != 0) || (!o->from != !o->to) ||
        o->repeat < 0 || o->repeat > 10000) {
        fputs(main_help_of("stats"), stderr);
        return EXIT_USAGE;
    }
    if (o->from) {
        enum stats_period_error pe = stats_period_parse(o->from, o->to, cfg->stats_max_range_days, &p);
        if (pe == STATS_PERIOD_BAD_FROM || pe == STATS_PERIOD_BAD_TO)
            return main_usage_fail("--%s must be a date YYYY-MM-DD in 2000-2099",
                             pe == STATS_PERIOD_BAD_FROM ? "from" : "to");
        if (pe == STATS_PERIOD_REVERSED)
            return main_usage_fail("--from must not be after --to");
        if (pe == STATS_PERIOD_TOO_LONG)
            return main_usage_fail("the period may be at most %u days ([stats] max_range_days)",
                             cfg->stats_max_range_days);
    } else {
        stats_quarter(stats_local_day(clock_now()), &p);
    }
    if (main_open(cfg, MAIN_DB_EXISTING, &st))
        return EXIT_FAILURE;
    if (o->verify) {
        int64_t diff = 0;
        if (store_stats_verify(st, &diff) != STORE_OK) {
            main_fail("%s", "the statistics could not be recounted");
            goto out;
        }
        if (diff) {
            main_fail("%lld aggregate rows differ from a recount", (long long)diff);
            goto out;
        }
        fprintf(stderr, "vejled: every statistics aggregate agrees with a recount\n");
        rc = 0;
        goto out;
    }
    if (o->repeat > 0) {
        double *ms = xcalloc((size_t)o->repeat, sizeof *ms);
        for (int i = 0; i < o->repeat; i++) {
            struct timespec t0;
            struct stats_trend tr;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            int bad = stats_report_build(st, &p, clock_now(), cfg->minutes_per_send, &r) ||
                      stats_trend_build(st, p.to_day, STATS_TREND_QUARTERS, clock_now(), &tr);
            ms[i] = main_ms_since(&t0);
            stats_report_free(&r);
            stats_trend_free(&tr);
            if (bad) {
                free(ms);
                main_fail("%s", "the statistics could not be read");
                goto out;
            }
        }
        qsort(ms, (size_t)o->repeat, sizeof *ms, main_cmp_double);
        fprintf(stderr, "vejled: dashboard figures built %d times: median %.1f ms, max %.1f ms\n",
                o->repeat, ms[o->repeat / 2], ms[o->repeat - 1]);
        free(ms);
    }
    if (stats_report_build(st, &p, clock_now(), cfg->minutes_per_send, &r) != 0) {
        main_fail("%s", "the statistics could not be read");
        goto out;
    }
    if (main_durable(st)) {
        stats_report_free(&r);
        goto out;
    }
    if (csv) {
        struct buf out = {0};
        stats_report_csv(&r, ';', &out);
        fwrite(out.data, 1, out.len, stdout);
        buf_free(&out);
    } else {
        json_t *j = stats_report_json(&r);
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        fputc('\n', stdout);
        json_decref(j);
    }
    stats_report_free(&r);
    rc = 0;
out:
    store_close(st);
    return rc;
}
