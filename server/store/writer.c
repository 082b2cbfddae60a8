#include "writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mem.h"

/* A queued write.  A blocking one (writer_run, done == NULL) is owned by its caller, which
 * frees it once woken; one with a done callback (writer_submit) is owned by the writer,
 * which frees it after calling done. */
struct writer_item {
    store_txn_fn fn;
    void *arg;
    writer_done_fn on_done;
    void *done_arg;
    enum store_status result;
    int done;
    pthread_cond_t cond; /* signalled when done: each waiter wakes alone, no herd */
    struct writer_item *next;
};

struct writer {
    pthread_mutex_t mu;
    pthread_cond_t work;   /* an item was queued, or stop */
    struct writer_item *head, *tail;
    size_t queued;
    int stopping;
    pthread_t thread;
    int started;
    struct store *st;
    size_t batch_max;
    unsigned wait_us;
    /* the batch being committed: arrays of batch_max, used by the writer thread only */
    struct writer_item **batch;
    store_txn_fn *fns;
    void **args;
    enum store_status *results;
    unsigned long long n_batches, n_items;
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

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->work, &w->mu);
        if (!w->head)
            break; /* stopping, and nothing left */
        if (w->wait_us)
            writer_linger(w);
        size_t n = 0;
        while (w->head && n < w->batch_max) {
            w->batch[n] = w->head;
            w->head = w->head->next;
            w->queued--;
            n++;
        }
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->mu);

        for (size_t i = 0; i < n; i++) {
            w->fns[i] = w->batch[i]->fn;
            w->args[i] = w->batch[i]->arg;
        }
        store_txn_batch(w->st, n, w->fns, w->args, w->results);

        /* callbacks first and without the lock: they may queue further writes */
        for (size_t i = 0; i < n; i++) {
            struct writer_item *it = w->batch[i];
            if (it->on_done) {
                it->on_done(it->done_arg, w->results[i]);
                free(it);
                w->batch[i] = NULL;
            }
        }
        pthread_mutex_lock(&w->mu);
        for (size_t i = 0; i < n; i++) {
            if (!w->batch[i])
                continue;
            w->batch[i]->result = w->results[i];
            w->batch[i]->done = 1;
            pthread_cond_signal(&w->batch[i]->cond);
        }
        w->n_batches++;
        w->n_items += n;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
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
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->work, &ca);
    pthread_condattr_destroy(&ca);
    /* the thread takes no signals: the process's stop signals are for main's sigwait */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int failed = pthread_create(&w->thread, NULL, writer_main, w) != 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (failed) {
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

enum store_status writer_run(struct writer *w, store_txn_fn fn, void *arg)
{
    struct writer_item *it = xcalloc(1, sizeof *it); /* freed here once the writer is done */
    enum store_status result = STORE_ERROR;
    it->fn = fn;
    it->arg = arg;
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

int writer_submit(struct writer *w, store_txn_fn fn, void *arg, writer_done_fn done,
                  void *done_arg)
{
    struct writer_item *it = calloc(1, sizeof *it); /* freed by the writer after done */
    if (!it)
        return -1;
    it->fn = fn;
    it->arg = arg;
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

void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *items)
{
    pthread_mutex_lock(&w->mu);
    *batches = w->n_batches;
    *items = w->n_items;
    pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    if (w->started)
        pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    store_close(w->st);
    free(w->batch);
    free(w->fns);
    free(w->args);
    free(w->results);
    free(w);
}
