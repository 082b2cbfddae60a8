/* ratelimit — counting events per client address in fixed one-minute windows.
 *
 * Used where guessing must be slow: unknown citizen links (and, later, logins).  A fixed
 * table of buckets keyed by a hash of the address keeps memory bounded whatever the
 * traffic; two addresses sharing a bucket only make the limit stricter for both.
 */
#ifndef VEJLED_RATELIMIT_H
#define VEJLED_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* A limiter allowing `limit` events per address per minute. */
struct ratelimit *ratelimit_new(unsigned limit);
void ratelimit_free(struct ratelimit *r);

/* true when the address is already over its limit in the current minute (nothing is
 * counted by asking). */
bool ratelimit_blocked(struct ratelimit *r, const char *addr, int64_t now);

/* Counts one event for the address. */
void ratelimit_hit(struct ratelimit *r, const char *addr, int64_t now);

#endif
