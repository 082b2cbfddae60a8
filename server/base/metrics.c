#include "metrics.h"

#include <pthread.h>
#include <stdlib.h>

#include "mem.h"

#define METRICS_STATUSES 12 /* distinct statuses kept per route; more go to "other" */

static const double metrics_buckets_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};
#define METRICS_BUCKETS (sizeof metrics_buckets_ms / sizeof metrics_buckets_ms[0])

struct metrics_route {
    struct {
        int status;
        unsigned long long count;
    } statuses[METRICS_STATUSES];
    unsigned long long other;
    unsigned long long buckets[METRICS_BUCKETS]; /* not cumulative; summed when rendered */
    unsigned long long count;
    double sum_ms;
};

struct metrics {
    pthread_mutex_t mu;
    const struct route *table;
    size_t n;
    struct metrics_route *routes; /* n + 1: the last is "no route" */
};

struct metrics *metrics_new(const struct route *table, size_t n)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->table = table;
    m->n = n;
    m->routes = xcalloc(n + 1, sizeof *m->routes);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m->routes);
    free(m);
}

void metrics_observe(struct metrics *m, const struct route *route, int status, double ms)
{
    size_t i = route && route >= m->table && route < m->table + m->n
                   ? (size_t)(route - m->table)
                   : m->n;
    pthread_mutex_lock(&m->mu);
    struct metrics_route *r = &m->routes[i];
    size_t s = 0;
    while (s < METRICS_STATUSES && r->statuses[s].count && r->statuses[s].status != status)
        s++;
    if (s < METRICS_STATUSES) {
        r->statuses[s].status = status;
        r->statuses[s].count++;
    } else {
        r->other++;
    }
    size_t b = 0;
    while (b < METRICS_BUCKETS && ms > metrics_buckets_ms[b])
        b++;
    if (b < METRICS_BUCKETS)
        r->buckets[b]++;
    r->count++;
    r->sum_ms += ms;
    pthread_mutex_unlock(&m->mu);
}

void metrics_render(struct metrics *m, struct buf *out)
{
    pthread_mutex_lock(&m->mu);
    buf_puts(out, "# HELP vejled_http_requests_total HTTP requests by route pattern and status.\n"
                  "# TYPE vejled_http_requests_total counter\n");
    for (size_t i = 0; i <= m->n; i++) {
        const char *route = i < m->n ? m->table[i].pattern : "(none)";
        const struct metrics_route *r = &m->routes[i];
        for (size_t s = 0; s < METRICS_STATUSES && r->statuses[s].count; s++)
            buf_printf(out, "vejled_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                       route, r->statuses[s].status, r->statuses[s].count);
        if (r->other)
            buf_printf(out, "vejled_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                       route, r->other);
    }
    buf_puts(out, "# HELP vejled_http_request_duration_seconds Time from the first byte of "
                  "the request to the reply, by route pattern.\n"
                  "# TYPE vejled_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->n; i++) {
        const char *route = i < m->n ? m->table[i].pattern : "(none)";
        const struct metrics_route *r = &m->routes[i];
        if (!r->count)
            continue;
        unsigned long long cum = 0;
        for (size_t b = 0; b < METRICS_BUCKETS; b++) {
            cum += r->buckets[b];
            buf_printf(out,
                       "vejled_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                       route, metrics_buckets_ms[b] / 1000.0, cum);
        }
        buf_printf(out,
                   "vejled_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                   "vejled_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                   "vejled_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                   route, r->count, route, r->sum_ms / 1000.0, route, r->count);
    }
    pthread_mutex_unlock(&m->mu);
}
