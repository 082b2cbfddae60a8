#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define RATELIMIT_BUCKETS 4096
#define RATELIMIT_WAYS 8

struct ratelimit_bucket {
    uint64_t key;
    int64_t slot;                     /* the newest slot number counted in (time / slot_s) */
    int64_t last;                     /* time of the latest event */
    unsigned count[RATELIMIT_SLOTS];  /* events per slot, index slot % RATELIMIT_SLOTS */
};

struct ratelimit {
    pthread_mutex_t lock;
    unsigned limit;
    int64_t slot_s;
    struct ratelimit_bucket buckets[RATELIMIT_BUCKETS];
};

static uint64_t ratelimit_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

struct ratelimit *ratelimit_new(unsigned limit, unsigned window_s)
{
    struct ratelimit *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->limit = limit;
    if (window_s < 1)
        window_s = 1;
    r->slot_s = ((int64_t)window_s + RATELIMIT_SLOTS - 2) / (RATELIMIT_SLOTS - 1);
    return r;
}

void ratelimit_free(struct ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static unsigned ratelimit_sum(const struct ratelimit_bucket *b)
{
    unsigned n = 0;
    for (int i = 0; i < RATELIMIT_SLOTS; i++)
        n += b->count[i];
    return n;
}

/* Clears the slots of b that fell out of the window at now.  Under lock. */
static void ratelimit_advance(const struct ratelimit *r, struct ratelimit_bucket *b, int64_t now)
{
    int64_t slot = now / r->slot_s;
    if (slot < b->slot) /* a thread that read the clock a moment before another: count it
                         * as now, never forget events because of it */
        slot = b->slot;
    if (slot - b->slot >= RATELIMIT_SLOTS) {
        memset(b->count, 0, sizeof b->count);
    } else {
        for (int64_t s = b->slot + 1; s <= slot; s++)
            b->count[s % RATELIMIT_SLOTS] = 0;
    }
    b->slot = slot;
}

/* The address's bucket, its old slots cleared.  The table is set-associative: an address
 * may sit in any of RATELIMIT_WAYS buckets of its set, so that addresses rarely share one
 * (a shared bucket makes an address that did nothing look like one that failed); only when
 * every bucket of the set is busy with other addresses does it share one.  Under lock. */
static struct ratelimit_bucket *ratelimit_bucket(struct ratelimit *r, const char *addr,
                                                 int64_t now)
{
    uint64_t key = ratelimit_key(addr ? addr : "");
    struct ratelimit_bucket *set =
        &r->buckets[(key % (RATELIMIT_BUCKETS / RATELIMIT_WAYS)) * RATELIMIT_WAYS];
    struct ratelimit_bucket *idle = NULL;
    for (int i = 0; i < RATELIMIT_WAYS; i++) {
        ratelimit_advance(r, &set[i], now);
        if (set[i].key == key)
            return &set[i];
        if (!idle && ratelimit_sum(&set[i]) == 0)
            idle = &set[i];
    }
    if (!idle)
        return &set[(key >> 32) % RATELIMIT_WAYS];
    idle->key = key;
    idle->last = 0;
    return idle;
}

bool ratelimit_blocked(struct ratelimit *r, const char *addr, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    bool blocked = ratelimit_sum(ratelimit_bucket(r, addr, now)) >= r->limit;
    pthread_mutex_unlock(&r->lock);
    return blocked;
}

void ratelimit_hit(struct ratelimit *r, const char *addr, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    struct ratelimit_bucket *b = ratelimit_bucket(r, addr, now);
    b->count[b->slot % RATELIMIT_SLOTS]++;
    if (now > b->last)
        b->last = now;
    pthread_mutex_unlock(&r->lock);
}

unsigned ratelimit_count(struct ratelimit *r, const char *addr, int64_t now, int64_t *last)
{
    pthread_mutex_lock(&r->lock);
    struct ratelimit_bucket *b = ratelimit_bucket(r, addr, now);
    unsigned n = ratelimit_sum(b);
    if (last)
        *last = n ? b->last : 0;
    pthread_mutex_unlock(&r->lock);
    return n;
}

unsigned ratelimit_wait(struct ratelimit *r, const char *addr, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    struct ratelimit_bucket *b = ratelimit_bucket(r, addr, now);
    unsigned n = ratelimit_sum(b);
    int64_t wait = 0;
    /* drop the oldest slots until fewer than limit remain: the wait ends when the last
     * of them leaves the window */
    for (int64_t s = b->slot - (RATELIMIT_SLOTS - 1); n >= r->limit && s <= b->slot; s++) {
        n -= b->count[((s % RATELIMIT_SLOTS) + RATELIMIT_SLOTS) % RATELIMIT_SLOTS];
        wait = (s + RATELIMIT_SLOTS) * r->slot_s - now;
    }
    pthread_mutex_unlock(&r->lock);
    return wait > 0 ? (unsigned)wait : 0;
}
