#include "jsonmem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define JSONMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSONMEM_ASAN 1
#endif
#endif
#ifdef JSONMEM_ASAN
#include <sanitizer/asan_interface.h>
#define JSONMEM_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define JSONMEM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define JSONMEM_POISON(p, n) ((void)(p), (void)(n))
#define JSONMEM_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define JSONMEM_CHUNK (32 * 1024)              /* arena chunk size */
#define JSONMEM_CHUNKS 1024                    /* chunks in the reserved range (32 MiB) */
#define JSONMEM_BIG (4 * 1024)                 /* larger values always come from malloc */
#define JSONMEM_KEEP 2                         /* chunks a thread keeps between requests */

/* A chunk's first bytes link it into a thread's list or the free list. */
struct jsonmem_chunk {
    struct jsonmem_chunk *next;
    size_t used; /* bytes handed out, counted from the chunk's start (header included) */
};
#define JSONMEM_HEAD ((sizeof(struct jsonmem_chunk) + 15) & ~(size_t)15)

/* A thread's arena: its chunks (kept across requests) and the one being filled. */
struct jsonmem_arena {
    struct jsonmem_chunk *first, *current;
    int active;
};

static pthread_key_t jsonmem_key;
/* the calling thread's arena (the key's value, read on every allocation without
 * pthread_getspecific); set by jsonmem_begin, the key's destructor frees it */
static _Thread_local struct jsonmem_arena *jsonmem_self;
static unsigned char *jsonmem_base; /* the reserved range; NULL: no arena at all */
static pthread_mutex_t jsonmem_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t jsonmem_carved;               /* chunks carved from the range so far */
static struct jsonmem_chunk *jsonmem_spare; /* chunks given back by threads */

static int jsonmem_in_range(const void *p)
{
    const unsigned char *b = p;
    return jsonmem_base && b >= jsonmem_base &&
           b < jsonmem_base + (size_t)JSONMEM_CHUNK * JSONMEM_CHUNKS;
}

/* A chunk for the calling thread, or NULL when the range is used up. */
static struct jsonmem_chunk *jsonmem_chunk_get(void)
{
    struct jsonmem_chunk *c = NULL;
    pthread_mutex_lock(&jsonmem_lock);
    if (jsonmem_spare) {
        c = jsonmem_spare; /* its head stays unpoisoned while it is spare */
        jsonmem_spare = c->next;
    } else if (jsonmem_carved < JSONMEM_CHUNKS) {
        c = (struct jsonmem_chunk *)(jsonmem_base + (size_t)JSONMEM_CHUNK * jsonmem_carved++);
    }
    pthread_mutex_unlock(&jsonmem_lock);
    if (c) {
        JSONMEM_UNPOISON(c, JSONMEM_HEAD);
        c->next = NULL;
        c->used = JSONMEM_HEAD;
        JSONMEM_POISON((unsigned char *)c + JSONMEM_HEAD, JSONMEM_CHUNK - JSONMEM_HEAD);
    }
    return c;
}

static void jsonmem_chunk_put(struct jsonmem_chunk *c)
{
    JSONMEM_POISON((unsigned char *)c + JSONMEM_HEAD, JSONMEM_CHUNK - JSONMEM_HEAD);
    pthread_mutex_lock(&jsonmem_lock);
    c->next = jsonmem_spare;
    jsonmem_spare = c;
    pthread_mutex_unlock(&jsonmem_lock);
}

/* Thread exit: its chunks go back for other threads. */
static void jsonmem_arena_free(void *p)
{
    struct jsonmem_arena *a = p;
    jsonmem_self = NULL; /* on the exiting thread itself: later JSON comes from malloc */
    for (struct jsonmem_chunk *c = a->first, *next; c; c = next) {
        next = c->next;
        jsonmem_chunk_put(c);
    }
    free(a);
}

static void *jsonmem_malloc(size_t size)
{
    struct jsonmem_arena *a = jsonmem_self;
    if (!a || !a->active || size > JSONMEM_BIG)
        return malloc(size);
    size_t need = (size + 15) & ~(size_t)15;
    struct jsonmem_chunk *c = a->current;
    if (!c || c->used + need > JSONMEM_CHUNK) {
        if (c && c->next) {
            c = c->next; /* kept from an earlier request, already empty */
        } else {
            struct jsonmem_chunk *fresh = jsonmem_chunk_get();
            if (!fresh)
                return malloc(size);
            if (c)
                c->next = fresh;
            else
                a->first = fresh;
            c = fresh;
        }
        a->current = c;
    }
    unsigned char *p = (unsigned char *)c + c->used;
    c->used += need;
    JSONMEM_UNPOISON(p, size);
    return p;
}

static void jsonmem_free(void *p)
{
    if (!jsonmem_in_range(p))
        free(p); /* an arena block is taken back with its whole arena at jsonmem_end */
}

static void jsonmem_setup(void)
{
    if (pthread_key_create(&jsonmem_key, jsonmem_arena_free) != 0)
        return;
    /* reserved, not committed: only the pages of chunks in use become resident */
    void *m = mmap(NULL, (size_t)JSONMEM_CHUNK * JSONMEM_CHUNKS, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return; /* no arena: everything comes from malloc */
    jsonmem_base = m;
    JSONMEM_POISON(jsonmem_base, (size_t)JSONMEM_CHUNK * JSONMEM_CHUNKS);
}

void jsonmem_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, jsonmem_setup);
    json_set_alloc_funcs(jsonmem_malloc, jsonmem_free);
}

void jsonmem_begin(void)
{
    if (!jsonmem_base)
        return;
    struct jsonmem_arena *a = pthread_getspecific(jsonmem_key);
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a)
            return; /* everything simply comes from malloc */
        if (pthread_setspecific(jsonmem_key, a) != 0) {
            free(a);
            return;
        }
    }
    jsonmem_self = a;
    a->active = 1;
}

int jsonmem_pause(void)
{
    struct jsonmem_arena *a = jsonmem_self;
    if (!a || !a->active)
        return 0;
    a->active = 0;
    return 1;
}

void jsonmem_resume(int paused)
{
    struct jsonmem_arena *a = jsonmem_self;
    if (paused && a)
        a->active = 1;
}

void jsonmem_end(void)
{
    if (!jsonmem_base)
        return;
    struct jsonmem_arena *a = pthread_getspecific(jsonmem_key);
    if (!a || !a->active)
        return;
    a->active = 0;
    /* keep a few chunks for the next request, give the rest back */
    size_t kept = 0;
    struct jsonmem_chunk **link = &a->first;
    while (*link) {
        struct jsonmem_chunk *c = *link;
        if (kept < JSONMEM_KEEP) {
            c->used = JSONMEM_HEAD;
            JSONMEM_POISON((unsigned char *)c + JSONMEM_HEAD, JSONMEM_CHUNK - JSONMEM_HEAD);
            kept++;
            link = &c->next;
        } else {
            *link = c->next;
            jsonmem_chunk_put(c);
        }
    }
    a->current = a->first;
}
