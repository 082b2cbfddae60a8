#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>

#include "mem.h"

#define RATELIMIT_BUCKETS 4096

struct ratelimit_bucket {
    uint64_t key;
    int64_t minute;
    unsigned count;
};

struct ratelimit {
    pthread_mutex_t lock;
    unsigned limit;
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

struct ratelimit *ratelimit_new(unsigned limit)
{
    struct ratelimit *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->limit = limit;
    return r;
}

void ratelimit_free(struct ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static struct ratelimit_bucket *ratelimit_bucket(struct ratelimit *r, const char *addr,
                                                 int64_t now)
{
    uint64_t key = ratelimit_key(addr ? addr : "");
    struct ratelimit_bucket *b = &r->buckets[key % RATELIMIT_BUCKETS];
    int64_t minute = now / 60;
    if (b->minute != minute || b->key != key) {
        if (b->minute != minute || b->count == 0) {
            b->key = key;
            b->minute = minute;
            b->count = 0;
        }
    }
    return b;
}

bool ratelimit_blocked(struct ratelimit *r, const char *addr, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    bool blocked = ratelimit_bucket(r, addr, now)->count >= r->limit;
    pthread_mutex_unlock(&r->lock);
    return blocked;
}

void ratelimit_hit(struct ratelimit *r, const char *addr, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    ratelimit_bucket(r, addr, now)->count++;
    pthread_mutex_unlock(&r->lock);
}
