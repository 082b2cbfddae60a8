/* Operations endpoints: GET /metrics in the Prometheus text format (version 0.0.4).
 * Request counts and latency per route pattern (metrics.c), the group commit counters
 * (writer.c), jobs and deliveries, and the validity of the published guidance.  No personal data: labels are route patterns and status codes. */
#include <stdio.h>

#include "clock.h"
#include "handlers.h"
#include "packedit.h"

void h_ops_metrics(struct app_call *c)
{
    struct buf out = {0};
    unsigned long long batches = 0, items = 0, syncs = 0;
    metrics_render(c->app->metrics, &out);
    writer_stats(c->app->writer, &batches, &items, &syncs);
    buf_printf(&out,
               "# HELP vejled_answer_submissions_total Answer submissions committed by the "
               "group commit writer.\n"
               "# TYPE vejled_answer_submissions_total counter\n"
               "vejled_answer_submissions_total %llu\n"
               "# HELP vejled_answer_transactions_total Transactions those submissions took "
               "(each acknowledged only once on disk).\n"
               "# TYPE vejled_answer_transactions_total counter\n"
               "vejled_answer_transactions_total %llu\n"
               "# HELP vejled_answer_syncs_total Syncs of the database log by the writer's "
               "sync thread, each while the next transaction ran (SQLite; one sync may "
               "cover several transactions).\n"
               "# TYPE vejled_answer_syncs_total counter\n"
               "vejled_answer_syncs_total %llu\n",
               items, batches, syncs);
    struct store_ops_counts k;
    if (store_ops_counts(c->st, clock_now(), &k) == STORE_OK)
        buf_printf(&out,
                   "# HELP vejled_jobs Scheduled jobs by state (due: pending and due now).\n"
                   "# TYPE vejled_jobs gauge\n"
                   "vejled_jobs{state=\"due\"} %lld\n"
                   "vejled_jobs{state=\"pending\"} %lld\n"
                   "vejled_jobs{state=\"running\"} %lld\n"
                   "vejled_jobs{state=\"failed\"} %lld\n"
                   "# HELP vejled_deliveries_sent_total Messages sent, by channel.\n"
                   "# TYPE vejled_deliveries_sent_total counter\n"
                   "vejled_deliveries_sent_total{channel=\"outbox\"} %lld\n"
                   "vejled_deliveries_sent_total{channel=\"smtp\"} %lld\n"
                   "vejled_deliveries_sent_total{channel=\"webhook\"} %lld\n",
                   (long long)k.jobs_due, (long long)k.jobs_pending, (long long)k.jobs_running,
                   (long long)k.jobs_failed, (long long)k.sent_outbox, (long long)k.sent_smtp,
                   (long long)k.sent_webhook);
    struct store_journal_backlog q;
    if (store_journal_backlog_get(c->st, &q) == STORE_OK) {
        int64_t waited = q.waiting > 0 && q.head_queued_at < clock_now()
                             ? clock_now() - q.head_queued_at
                             : 0;
        buf_printf(&out,
                   "# HELP vejled_journal_undelivered Journal entries not yet delivered to "
                   "the case system by the webhook (they go in order: all wait for the "
                   "first).\n"
                   "# TYPE vejled_journal_undelivered gauge\n"
                   "vejled_journal_undelivered %lld\n"
                   "# HELP vejled_journal_undelivered_oldest_seconds How long the first of "
                   "them has waited since it was queued (0 when none waits).\n"
                   "# TYPE vejled_journal_undelivered_oldest_seconds gauge\n"
                   "vejled_journal_undelivered_oldest_seconds %lld\n"
                   "# HELP vejled_journal_delivery_attempts Attempts made at the first of "
                   "them: more than one means the case system has not taken it (it is never "
                   "given up).\n"
                   "# TYPE vejled_journal_delivery_attempts gauge\n"
                   "vejled_journal_delivery_attempts %d\n",
                   (long long)q.waiting, (long long)waited, q.head_attempts);
    }
    size_t v[4];
    char today[CLOCK_DATE_LEN + 1];
    clock_today(today);
    if (content_published_validity(c->st, c->app->content, today, (int)c->app->cfg->review_days,
                                   v) == 0)
        buf_printf(&out,
                   "# HELP vejled_content_published Target groups by the validity of their "
                   "published guidance (the pack and its videos; ending: within [content] "
                   "review_days).\n"
                   "# TYPE vejled_content_published gauge\n"
                   "vejled_content_published{validity=\"in_force\"} %zu\n"
                   "vejled_content_published{validity=\"ending\"} %zu\n"
                   "vejled_content_published{validity=\"not_yet\"} %zu\n"
                   "vejled_content_published{validity=\"ended\"} %zu\n",
                   v[CONTENT_IN_FORCE], v[CONTENT_ENDING], v[CONTENT_NOT_YET], v[CONTENT_ENDED]);
    size_t plans[3];
    if (packedit_plans_count(c->st, today, plans) == 0)
        buf_printf(&out,
                   "# HELP vejled_content_planned Drafts planned to be published on their "
                   "first valid day: waiting for it, changed since the plan was confirmed "
                   "(not published on the day), or overdue (the day has come, still a draft).\n"
                   "# TYPE vejled_content_planned gauge\n"
                   "vejled_content_planned{state=\"waiting\"} %zu\n"
                   "vejled_content_planned{state=\"changed\"} %zu\n"
                   "vejled_content_planned{state=\"overdue\"} %zu\n",
                   plans[0], plans[1], plans[2]);
    http_reply_text(c->rep, 200, "text/plain; version=0.0.4; charset=utf-8",
                    out.data ? out.data : "", out.len);
    buf_free(&out);
}
