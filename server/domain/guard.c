#include "guard.h"

#include <stdio.h>
#include <string.h>

/* The keyed hash of the address within its scope. */
static void guard_subject(const struct vault *v, const struct guard_limit *l, const char *addr,
                           char out[65])
{
    char material[160];
    snprintf(material, sizeof material, "limit:%s:%s", l->scope, addr ? addr : "");
    vault_lookup_hash(v, material, out);
}

int guard_count(struct store *st, const struct vault *v, const struct guard_limit *l,
                 const char *addr, int64_t now, unsigned *count, int64_t *last)
{
    char subject[65];
    guard_subject(v, l, addr, subject);
    return store_rate_count(st, l->scope, subject, now - (int64_t)l->window_s, count, last) ==
                   STORE_OK
               ? 0
               : -1;
}

bool guard_blocked(struct store *st, const struct vault *v, const struct guard_limit *l,
                    const char *addr, int64_t now)
{
    unsigned n = 0;
    if (guard_count(st, v, l, addr, now, &n, NULL) != 0)
        return true;
    return n >= l->limit;
}

unsigned guard_wait(struct store *st, const struct vault *v, const struct guard_limit *l,
                     const char *addr, int64_t now)
{
    char subject[65];
    unsigned n = 0;
    guard_subject(v, l, addr, subject);
    int64_t since = now - (int64_t)l->window_s;
    if (store_rate_count(st, l->scope, subject, since, &n, NULL) != STORE_OK)
        return 60;
    if (n < l->limit)
        return 0;
    /* below the limit once the limit-th newest event has left the window */
    int64_t at = 0;
    if (store_rate_nth(st, l->scope, subject, since, l->limit, &at) != STORE_OK)
        return 60;
    int64_t wait = at + (int64_t)l->window_s - now;
    return wait > 0 ? (unsigned)wait : 1;
}

struct guard_add {
    const char *scope, *subject;
    int64_t now, forget_before;
};

static enum store_status guard_add_txn(struct store *st, void *arg)
{
    const struct guard_add *a = arg;
    return store_rate_add(st, a->scope, a->subject, a->now, a->forget_before);
}

int guard_hit(struct store *st, const struct vault *v, const struct guard_limit *l, const char *addr,
               int64_t now)
{
    char subject[65];
    guard_subject(v, l, addr, subject);
    unsigned keep = l->keep_s > l->window_s ? l->keep_s : l->window_s;
    struct guard_add a = {l->scope, subject, now, now - (int64_t)keep};
    return store_txn(st, guard_add_txn, &a) == STORE_OK ? 0 : -1;
}
