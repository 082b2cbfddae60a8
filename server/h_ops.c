/* Operations endpoints: GET /metrics in the Prometheus text format (version 0.0.4).
 * Request counts and latency per route pattern (metrics.c) and the group commit counters
 * (writer.c).  No personal data: labels are route patterns and status codes. */
#include <stdio.h>

#include "handlers.h"

void h_ops_metrics(struct app_call *c)
{
    struct buf out = {0};
    unsigned long long batches = 0, items = 0;
    metrics_render(c->app->metrics, &out);
    writer_stats(c->app->writer, &batches, &items);
    buf_printf(&out,
               "# HELP vejled_answer_submissions_total Answer submissions committed by the "
               "group commit writer.\n"
               "# TYPE vejled_answer_submissions_total counter\n"
               "vejled_answer_submissions_total %llu\n"
               "# HELP vejled_answer_transactions_total Durable transactions (one sync each) "
               "those submissions took.\n"
               "# TYPE vejled_answer_transactions_total counter\n"
               "vejled_answer_transactions_total %llu\n",
               items, batches);
    http_reply_text(c->rep, 200, "text/plain; version=0.0.4; charset=utf-8",
                    out.data ? out.data : "", out.len);
    buf_free(&out);
}
