/* guard — limits per client address that every server counts together.
 *
 * Where guessing must be slow (citizen links that do not open, failed staff logins) each
 * event is a row in the database (store_rate_*), so that servers sharing one database
 * count one limit.  The address is kept only as a keyed hash (the vault's look-up key).
 * Windows slide: a count covers exactly the last window_s seconds.  A limiter that only
 * one server needs and that may reset with it (playback reports per session) is the
 * in-memory ratelimit.h.
 */
#ifndef VEJLED_GUARD_H
#define VEJLED_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "vault.h"

struct guard_limit {
    const char *scope;  /* "link", "login" */
    unsigned limit;     /* events allowed in any window */
    unsigned window_s;  /* ≥ 1 */
    unsigned keep_s;    /* how long the scope's events are kept (≥ every window it is
                         * asked about) */
};

/* The events of addr in the limit's window; *last the newest one's time (0 when none; may
 * be NULL).  0, or -1 (the database failed: the caller refuses). */
int guard_count(struct store *st, const struct vault *v, const struct guard_limit *l,
                 const char *addr, int64_t now, unsigned *count, int64_t *last);
/* true when addr has had `limit` events in the window already; a database failure counts
 * as blocked. */
bool guard_blocked(struct store *st, const struct vault *v, const struct guard_limit *l,
                    const char *addr, int64_t now);
/* Seconds until addr is below the limit again (0 when it is; 60 when the database fails). */
unsigned guard_wait(struct store *st, const struct vault *v, const struct guard_limit *l,
                     const char *addr, int64_t now);
/* Counts one event for addr (its own transaction).  0 or -1. */
int guard_hit(struct store *st, const struct vault *v, const struct guard_limit *l, const char *addr,
               int64_t now);

#endif
