#include "writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mem.h"

/* A queued write.  A blocking one (writer_run, done == NULL) is owned by its caller, which
 * frees it once woken; one with a done callback (writer_submit) is owned by the writer,
 * which frees it after calling done.  From the queue it moves to the in-flight list when a
 * batch takes it, and leaves that when its batch is durable (or failed). */
struct writer_item {
    store_txn_fn fn;
    void *arg;
    int64_t key;
    writer_done_fn on_done;
    void *done_arg;
    unsigned long long batch; /* the number of the batch that took it */
    enum store_status result;
    int done;
    pthread_cond_t cond; /* signalled when done: each waiter wakes alone, no herd */
    struct writer_item *next;
};

struct writer {
    pthread_mutex_t mu;
    pthread_cond_t work;    /* an item was queued, or stop */
    pthread_cond_t commit;  /* a batch was committed, or the writer thread ended (syncer) */
    pthread_cond_t durable; /* durable_batch grew (writer_wait_visible) */
    struct writer_item *head, *tail; /* the queue */
    size_t queued;
    /* taken by a batch and not yet ended, oldest first; batches end in the order taken */
    struct writer_item *flight_head, *flight_tail;
    atomic_size_t in_flight; /* the list's length, read without the lock */
    unsigned long long taken_batch;     /* the last batch taken */
    unsigned long long committed_batch; /* the last batch committed (or failed) */
    unsigned long long durable_batch;   /* the last batch ended: durable, requests woken */
    int stopping;
    int writer_ended; /* the writer thread is gone: the syncer ends the rest, then stops */
    pthread_t thread, syncer;
    int started, syncer_started;
    /* commits return before the sync (store_defer_syncs): the syncer ends them; set by the
     * writer thread before its first batch (a writer never used never reads the schema) */
    atomic_int pipelined;
    int set_up;
    int sync_inline; /* deferred syncs without a syncer: the writer syncs after each commit */
    struct store *st;
    size_t batch_max;
    unsigned wait_us;
    /* the batch being committed: arrays of batch_max, used by the writer thread only */
    struct writer_item **batch;
    store_txn_fn *fns;
    void **args;
    enum store_status *results;
    unsigned long long n_batches, n_items, n_syncs;
};

/* Waits (mu held) up to wait_us for the queue to reach batch_max. */
static void writer_linger(struct writer *w)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)w->wait_us * 1000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (w->queued < w->batch_max && !w->stopping)
        if (pthread_cond_timedwait(&w->work, &w->mu, &until) != 0)
            break;
}

/* Ends every in-flight item of a batch up to and including `upto` (mu held on entry and on
 * return; dropped meanwhile): they leave the in-flight list, durable_batch moves on, then
 * their requests learn their results. */
static void writer_end_batches(struct writer *w, unsigned long long upto)
{
    struct writer_item *first = w->flight_head, *last = NULL;
    size_t n = 0;
    for (struct writer_item *it = first; it && it->batch <= upto; it = it->next) {
        last = it;
        n++;
    }
    if (last) {
        w->flight_head = last->next;
        if (!w->flight_head)
            w->flight_tail = NULL;
        last->next = NULL;
        atomic_fetch_sub(&w->in_flight, n);
    } else {
        first = NULL;
    }
    w->durable_batch = upto;
    pthread_cond_broadcast(&w->durable);
    pthread_mutex_unlock(&w->mu);

    /* callbacks first and without the lock: they may queue further writes */
    struct writer_item **link = &first;
    while (*link) {
        struct writer_item *it = *link;
        if (it->on_done) {
            *link = it->next;
            it->on_done(it->done_arg, it->result);
            free(it);
        } else {
            link = &it->next;
        }
    }
    pthread_mutex_lock(&w->mu);
    while (first) {
        struct writer_item *it = first;
        first = it->next;
        it->done = 1; /* its caller may free it from here on */
        pthread_cond_signal(&it->cond);
    }
}

/* The commits are visible but perhaps not on disk: nothing may acknowledge them, and
 * nothing can take them back; a restart recovers what is on disk. */
static void writer_sync_failed(void)
{
    fprintf(stderr, "vejled: the database log could not be synced to disk; stopping\n");
    abort();
}

static void *writer_syncer(void *arg);
static int writer_thread(pthread_t *t, void *(*fn)(void *), struct writer *w);

/* Before the first batch, on the writer thread: the deferred syncs and the syncer (should
 * the thread not start, the writer syncs each commit itself). */
static void writer_set_up(struct writer *w)
{
    w->set_up = 1;
    if (store_defer_syncs(w->st) != 0)
        return; /* PostgreSQL: every commit is durable when it returns */
    if (writer_thread(&w->syncer, writer_syncer, w) != 0) {
        w->sync_inline = 1;
        return;
    }
    w->syncer_started = 1;
    atomic_store(&w->pipelined, 1);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->work, &w->mu);
        if (!w->head)
            break; /* stopping, and nothing left */
        if (!w->set_up) {
            pthread_mutex_unlock(&w->mu);
            writer_set_up(w);
            pthread_mutex_lock(&w->mu);
        }
        if (w->wait_us)
            writer_linger(w);
        unsigned long long number = ++w->taken_batch;
        size_t n = 0;
        while (w->head && n < w->batch_max) {
            struct writer_item *it = w->head;
            w->head = it->next;
            w->queued--;
            it->next = NULL;
            it->batch = number;
            if (w->flight_tail)
                w->flight_tail->next = it;
            else
                w->flight_head = it;
            w->flight_tail = it;
            w->batch[n++] = it;
        }
        if (!w->head)
            w->tail = NULL;
        atomic_fetch_add(&w->in_flight, n);
        pthread_mutex_unlock(&w->mu);

        for (size_t i = 0; i < n; i++) {
            w->fns[i] = w->batch[i]->fn;
            w->args[i] = w->batch[i]->arg;
        }
        store_txn_batch(w->st, n, w->fns, w->args, w->results);
        for (size_t i = 0; i < n; i++)
            w->batch[i]->result = w->results[i];

        pthread_mutex_lock(&w->mu);
        w->n_batches++;
        w->n_items += n;
        w->committed_batch = number;
        if (atomic_load(&w->pipelined))
            pthread_cond_signal(&w->commit); /* the syncer makes it durable and ends it */
        else if (!w->sync_inline || store_sync(w->st) == 0)
            writer_end_batches(w, number); /* the commit is durable */
        else
            writer_sync_failed();
    }
    w->writer_ended = 1;
    pthread_cond_signal(&w->commit);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The syncer: syncs the log once a batch is committed, then ends every batch committed
 * before the sync began (one sync covers them all), while the writer runs the next. */
static void *writer_syncer(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->committed_batch == w->durable_batch && !w->writer_ended)
            pthread_cond_wait(&w->commit, &w->mu);
        if (w->committed_batch == w->durable_batch)
            break; /* the writer has ended and everything it committed is ended */
        unsigned long long upto = w->committed_batch;
        pthread_mutex_unlock(&w->mu);
        if (store_sync(w->st) != 0)
            writer_sync_failed();
        pthread_mutex_lock(&w->mu);
        w->n_syncs++;
        writer_end_batches(w, upto);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Starts fn on a thread that takes no signals: the process's stop signals are for main's
 * sigwait.  0, or -1. */
static int writer_thread(pthread_t *t, void *(*fn)(void *), struct writer *w)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int failed = pthread_create(t, NULL, fn, w) != 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return failed ? -1 : 0;
}

int writer_start(const char *db_path, unsigned busy_timeout_ms, size_t batch_max,
                 unsigned batch_wait_us, struct writer **out, char *err, size_t errlen)
{
    struct writer *w = xcalloc(1, sizeof *w);
    pthread_condattr_t ca;
    if (batch_max < 1)
        batch_max = 1;
    w->batch_max = batch_max;
    w->wait_us = batch_wait_us;
    if (store_open(db_path, busy_timeout_ms, &w->st, err, errlen)) {
        free(w);
        return -1;
    }
    w->batch = xcalloc(batch_max, sizeof *w->batch);
    w->fns = xcalloc(batch_max, sizeof *w->fns);
    w->args = xcalloc(batch_max, sizeof *w->args);
    w->results = xcalloc(batch_max, sizeof *w->results);
    atomic_init(&w->in_flight, 0);
    atomic_init(&w->pipelined, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->work, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&w->commit, NULL);
    pthread_cond_init(&w->durable, NULL);
    if (writer_thread(&w->thread, writer_main, w) != 0) {
        snprintf(err, errlen, "cannot start the writer thread");
        writer_stop(w);
        return -1;
    }
    w->started = 1;
    *out = w;
    return 0;
}

/* Appends it to the queue and wakes the writer (mu held); the queue owns it from here. */
static void writer_enqueue(struct writer *w, struct writer_item *it)
{
    if (w->tail)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    w->queued++;
    pthread_cond_signal(&w->work);
}

enum store_status writer_run(struct writer *w, int64_t key, store_txn_fn fn, void *arg)
{
    struct writer_item *it = xcalloc(1, sizeof *it); /* freed here once the writer is done */
    enum store_status result = STORE_ERROR;
    it->fn = fn;
    it->arg = arg;
    it->key = key;
    it->result = STORE_ERROR;
    pthread_cond_init(&it->cond, NULL);
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        writer_enqueue(w, it);
        while (!it->done)
            pthread_cond_wait(&it->cond, &w->mu);
        result = it->result;
    }
    pthread_mutex_unlock(&w->mu);
    pthread_cond_destroy(&it->cond);
    free(it);
    return result;
}

int writer_submit(struct writer *w, int64_t key, store_txn_fn fn, void *arg,
                  writer_done_fn done, void *done_arg)
{
    struct writer_item *it = calloc(1, sizeof *it); /* freed by the writer after done */
    if (!it)
        return -1;
    it->fn = fn;
    it->arg = arg;
    it->key = key;
    it->on_done = done;
    it->done_arg = done_arg;
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        free(it);
        return -1;
    }
    writer_enqueue(w, it);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

void writer_wait_visible(struct writer *w, int64_t key)
{
    if (!w || atomic_load(&w->in_flight) == 0 || !atomic_load(&w->pipelined))
        return;
    pthread_mutex_lock(&w->mu);
    unsigned long long need = 0;
    for (const struct writer_item *it = w->flight_head; it; it = it->next)
        if (it->key != WRITER_UNSEEN && (key == WRITER_ANY || it->key == key))
            need = it->batch; /* the list is in batch order: the last match is the newest */
    while (w->durable_batch < need)
        pthread_cond_wait(&w->durable, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *items,
                  unsigned long long *syncs)
{
    pthread_mutex_lock(&w->mu);
    *batches = w->n_batches;
    *items = w->n_items;
    *syncs = w->n_syncs;
    pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    if (!w->started)
        w->writer_ended = 1; /* no writer thread: the syncer has nothing to wait for */
    pthread_cond_signal(&w->work);
    pthread_cond_signal(&w->commit);
    pthread_mutex_unlock(&w->mu);
    if (w->started)
        pthread_join(w->thread, NULL);
    if (w->syncer_started)
        pthread_join(w->syncer, NULL); /* after it has ended what the writer committed */
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->commit);
    pthread_cond_destroy(&w->durable);
    pthread_mutex_destroy(&w->mu);
    store_close(w->st);
    free(w->batch);
    free(w->fns);
    free(w->args);
    free(w->results);
    free(w);
}
