/* ratelimit — counting events per client address in a sliding window.
 *
 * Used where guessing must be slow: unknown citizen links and failed staff logins.  A
 * fixed table of buckets keyed by a hash of the address keeps memory bounded whatever the
 * traffic; each address has a set of buckets to choose from, so addresses share one only
 * when the table is crowded, and sharing only makes the limit stricter for both.
 *
 * The window slides: each bucket keeps its events in RATELIMIT_SLOTS slots of
 * window/(RATELIMIT_SLOTS − 1) seconds (rounded up), and a count covers the slot of `now`
 * and every slot that reaches into the last `window` seconds.  So no `window`-long span
 * ever holds more than the limit (a fixed clock-minute window lets twice the limit
 * through around a minute boundary); an event is remembered at most one slot longer than
 * the window.
 */
#ifndef VEJLED_RATELIMIT_H
#define VEJLED_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 13

struct ratelimit;

/* A limiter allowing `limit` events per address in any window_s seconds (window_s ≥ 1).
 * Owned by the caller; free with ratelimit_free (NULL is fine). */
struct ratelimit *ratelimit_new(unsigned limit, unsigned window_s);
void ratelimit_free(struct ratelimit *r);

/* true when the address has already had `limit` events in the window (nothing is counted
 * by asking). */
bool ratelimit_blocked(struct ratelimit *r, const char *addr, int64_t now);

/* Counts one event for the address. */
void ratelimit_hit(struct ratelimit *r, const char *addr, int64_t now);

/* The events of the address in the window, and (when last is not NULL) the time of its
 * latest event (0 when it has none). */
unsigned ratelimit_count(struct ratelimit *r, const char *addr, int64_t now, int64_t *last);

/* Seconds until the address is below its limit again (0 when it is not blocked). */
unsigned ratelimit_wait(struct ratelimit *r, const char *addr, int64_t now);

#endif
