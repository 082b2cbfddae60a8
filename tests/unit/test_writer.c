/* writer (group commit): concurrent writes share transactions, each one all-or-nothing —
 * a write that fails halfway is rolled back alone while the rest of its batch commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"

#define THREADS 16

static char dir[] = "/tmp/vejled-test-writer-XXXXXX";
static char db[256];

struct job {
    struct writer *w;
    int n;
    enum store_status result;
};

/* Inserts key "k<n>", then, for odd n, a duplicate of "shared": odd jobs fail halfway. */
static enum store_status job_txn(struct store *st, void *arg)
{
    struct job *j = arg;
    char hash[32];
    int64_t id;
    snprintf(hash, sizeof hash, "k%d", j->n);
    enum store_status rc = store_apikey_insert(st, "t", hash, 1, &id);
    if (rc == STORE_OK && j->n % 2)
        rc = store_apikey_insert(st, "t", "shared", 1, &id);
    return rc;
}

static void *job_thread(void *arg)
{
    struct job *j = arg;
    j->result = writer_run(j->w, job_txn, j);
    return NULL;
}

static void test_batches_are_all_or_nothing_per_item(void **state)
{
    (void)state;
    struct store *st = NULL;
    struct writer *w = NULL;
    char err[256];
    int applied;
    int64_t id;
    assert_int_equal(store_open(db, 5000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(store_apikey_insert(st, "t", "shared", 1, &id), STORE_OK);
    assert_int_equal(writer_start(db, 5000, 4, 50000, &w, err, sizeof err), 0);

    pthread_t th[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){w, i, STORE_ERROR};
        pthread_create(&th[i], NULL, job_thread, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        char hash[32];
        snprintf(hash, sizeof hash, "k%d", i);
        assert_int_equal(jobs[i].result, i % 2 ? STORE_CONFLICT : STORE_OK);
        /* the failed ones left nothing behind, the others are committed */
        assert_int_equal(store_apikey_find(st, hash, &id), i % 2 ? STORE_NOT_FOUND : STORE_OK);
    }
    unsigned long long batches, items;
    writer_stats(w, &batches, &items);
    assert_int_equal(items, THREADS);
    assert_true(batches >= THREADS / 4); /* batch_max 4 */
    assert_true(batches < THREADS);      /* and they did share transactions */
    writer_stop(w);
    store_close(st);
}

/* writer_submit: queued without waiting; each done callback comes once, after its batch,
 * with the item's own result, and may queue more. */
struct later {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int calls;
    enum store_status results[THREADS];
    struct job jobs[THREADS];
};

struct later_item {
    struct later *l;
    int i;
};

static void later_done(void *arg, enum store_status result)
{
    struct later_item *it = arg;
    pthread_mutex_lock(&it->l->mu);
    it->l->results[it->i] = result;
    it->l->calls++;
    pthread_cond_signal(&it->l->cond);
    pthread_mutex_unlock(&it->l->mu);
}

static void test_submit_calls_back_once_with_each_result(void **state)
{
    (void)state;
    struct store *st = NULL;
    struct writer *w = NULL;
    char err[256];
    int64_t id;
    static struct later l;
    struct later_item items[THREADS];
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cond, NULL);
    assert_int_equal(store_open(db, 5000, &st, err, sizeof err), 0);
    assert_int_equal(writer_start(db, 5000, 4, 0, &w, err, sizeof err), 0);
    for (int i = 0; i < THREADS; i++) {
        /* keys 100.. so that they do not meet the first test's */
        l.jobs[i] = (struct job){w, 100 + i, STORE_ERROR};
        l.results[i] = STORE_ERROR;
        items[i] = (struct later_item){&l, i};
        assert_int_equal(writer_submit(w, job_txn, &l.jobs[i], later_done, &items[i]), 0);
    }
    pthread_mutex_lock(&l.mu);
    while (l.calls < THREADS)
        pthread_cond_wait(&l.cond, &l.mu);
    pthread_mutex_unlock(&l.mu);
    for (int i = 0; i < THREADS; i++) {
        char hash[32];
        snprintf(hash, sizeof hash, "k%d", 100 + i);
        assert_int_equal(l.results[i], (100 + i) % 2 ? STORE_CONFLICT : STORE_OK);
        assert_int_equal(store_apikey_find(st, hash, &id), (100 + i) % 2 ? STORE_NOT_FOUND : STORE_OK);
    }
    writer_stop(w);
    assert_int_equal(l.calls, THREADS); /* once each, none after the stop */
    pthread_mutex_destroy(&l.mu);
    pthread_cond_destroy(&l.cond);
    store_close(st);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/w.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_are_all_or_nothing_per_item),
        cmocka_unit_test(test_submit_calls_back_once_with_each_result),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
