/* metrics — request counters and latency histograms for GET /metrics (Prometheus text).
 *
 * The HTTP layer reports every finished request (its route row, status and duration)
 * through the observe hook; this module counts them per route pattern and status and
 * sorts the durations into fixed histogram buckets per route.  Labels are route patterns
 * ("/v/{token}"), never raw paths, so no token or personal data can reach a label.
 * Counting takes one mutex per request: cheap next to a request.
 */
#ifndef VEJLED_METRICS_H
#define VEJLED_METRICS_H

#include <stddef.h>

#include "buf.h"
#include "router.h"

struct metrics;

/* Counters for the n routes of table (borrowed: must outlive the metrics). */
struct metrics *metrics_new(const struct route *table, size_t n);
/* NULL is fine. */
void metrics_free(struct metrics *m);

/* One finished request: route NULL when no route matched. */
void metrics_observe(struct metrics *m, const struct route *route, int status, double ms);

/* Appends the Prometheus text exposition of every counter to out. */
void metrics_render(struct metrics *m, struct buf *out);

#endif
