/* writer (group commit): concurrent writes share transactions, each one all-or-nothing —
 * a write that fails halfway is rolled back alone while the rest of its batch commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"
#include "store_testvfs.h"
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
    j->result = writer_run(j->w, 1 + j->n, job_txn, j);
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
    unsigned long long batches, items, syncs;
    writer_stats(w, &batches, &items, &syncs);
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
        assert_int_equal(writer_submit(w, 1 + i, job_txn, &l.jobs[i], later_done, &items[i]), 0);
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

/* Pipelined: a commit is visible at once, its request is told only once the log is synced,
 * the next batch runs during that sync, and writer_wait_visible() waits for exactly the
 * writes it is asked about.  Syncs are made slow (600 ms) by the test build's VFS. */
#ifdef VEJLED_TESTING
struct flight {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int a_done, b_done;
    int a_done_when_b_ran;
    struct job a, b;
};

static struct flight fl;

static enum store_status flight_b_txn(struct store *st, void *arg)
{
    pthread_mutex_lock(&fl.mu);
    fl.a_done_when_b_ran = fl.a_done;
    pthread_mutex_unlock(&fl.mu);
    return job_txn(st, arg);
}

static void flight_done(void *arg, enum store_status result)
{
    int *flag = arg;
    assert_int_equal(result, STORE_OK);
    pthread_mutex_lock(&fl.mu);
    *flag = 1;
    pthread_cond_broadcast(&fl.cond);
    pthread_mutex_unlock(&fl.mu);
}

static int flight_flag(int *flag)
{
    pthread_mutex_lock(&fl.mu);
    int v = *flag;
    pthread_mutex_unlock(&fl.mu);
    return v;
}

#endif

static void test_the_next_batch_runs_while_the_last_one_syncs(void **state)
{
    (void)state;
#ifndef VEJLED_TESTING
    skip(); /* the slow-sync VFS is in the test build only */
#else
    struct store *st = NULL;
    struct writer *w = NULL;
    char err[256];
    int64_t id;
    setenv("VEJLED_TEST_SYNC_DELAY_MS", "600", 1);
    assert_int_equal(store_testvfs_init(), 0);
    pthread_mutex_init(&fl.mu, NULL);
    pthread_cond_init(&fl.cond, NULL);
    fl.a = (struct job){NULL, 200, STORE_ERROR};  /* even: succeeds */
    fl.b = (struct job){NULL, 202, STORE_ERROR};
    struct job warm = {NULL, 204, STORE_ERROR};
    assert_int_equal(store_open(db, 5000, &st, err, sizeof err), 0);
    assert_int_equal(writer_start(db, 5000, 4, 0, &w, err, sizeof err), 0);
    /* the first commit into a new WAL syncs its header inside the commit: past that */
    assert_int_equal(writer_run(w, 6, job_txn, &warm), STORE_OK);
    unsigned long long batches, items, syncs, synced_before;
    writer_stats(w, &batches, &items, &synced_before);
    assert_int_equal(writer_submit(w, 7, job_txn, &fl.a, flight_done, &fl.a_done), 0);
    /* A is committed and visible to another connection before it is durable */
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        seen = store_apikey_find(st, "k200", &id) == STORE_OK;
        if (!seen)
            usleep(2000);
    }
    assert_true(seen);
    assert_false(flight_flag(&fl.a_done));
    /* the sync thread takes up A's sync (600 ms) at once; on a busy machine it may start a
     * few milliseconds after the commit, and a B committed before that would share A's
     * sync: B is sent well inside A's sync instead */
    usleep(50 * 1000);
    assert_false(flight_flag(&fl.a_done));
    /* a page about another enrolment does not wait for A; B runs during A's sync */
    writer_wait_visible(w, 8);
    assert_false(flight_flag(&fl.a_done));
    assert_int_equal(writer_submit(w, 8, flight_b_txn, &fl.b, flight_done, &fl.b_done), 0);
    /* a page that may show A waits until A is on disk */
    writer_wait_visible(w, 7);
    writer_stats(w, &batches, &items, &syncs);
    assert_true(syncs > synced_before);
    pthread_mutex_lock(&fl.mu);
    while (!fl.a_done || !fl.b_done)
        pthread_cond_wait(&fl.cond, &fl.mu);
    pthread_mutex_unlock(&fl.mu);
    assert_false(fl.a_done_when_b_ran); /* B's batch ran while A's sync was under way */
    writer_wait_visible(w, WRITER_ANY); /* nothing in flight: at once */
    writer_stats(w, &batches, &items, &syncs);
    assert_int_equal(batches, 3);
    assert_int_equal(syncs, 3);
    writer_stop(w);
    store_close(st);
    pthread_mutex_destroy(&fl.mu);
    pthread_cond_destroy(&fl.cond);
#endif
}

/* Checkpoints keep up with a writer that never stops: the WAL is copied into the database
 * file and written again from the top, so its file stays near the checkpoint size (64 MB of
 * pages, db_sqlite.c's SQ_CHECKPOINT_BYTES) instead of holding every commit.  Each commit
 * here writes a 20 KB row, 8000 commits one after the other: about 160 MB in all.  The size
 * is in bytes whatever the database's page size: a new database (1 KB pages) and one made
 * with SQLite's 4 KB pages by an older version both checkpoint at the same WAL size. */
#define FILL_COMMITS 8000
#define CHECKPOINT_BYTES (64L << 20)

static enum store_status fill_txn(struct store *st, void *arg)
{
    (void)arg;
    return store_done(st, store_stmt(st, "INSERT INTO fill(x) VALUES (zeroblob(20000))", ""));
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Fills the database at path through a writer; the WAL's largest size seen in *most. */
static void fill(const char *path, long page, long *most)
{
    struct store *st = NULL;
    struct writer *w = NULL;
    char err[256], wal[300];
    assert_int_equal(store_open(path, 5000, &st, err, sizeof err), 0);
    struct db_stmt *s = store_stmt(st, "PRAGMA page_size", "");
    assert_int_equal(store_row(st, s), STORE_OK);
    assert_int_equal(db_col_int64(s, 0), page);
    db_reset(s);
    assert_int_equal(store_done(st, store_stmt(st, "CREATE TABLE fill(x BLOB)", "")), STORE_OK);
    assert_int_equal(writer_start(path, 5000, 4, 0, &w, err, sizeof err), 0);
    snprintf(wal, sizeof wal, "%s-wal", path);
    *most = 0;
    for (int i = 0; i < FILL_COMMITS; i++) {
        assert_int_equal(writer_run(w, 1, fill_txn, NULL), STORE_OK);
        long n = file_size(wal);
        *most = n > *most ? n : *most;
    }
    writer_stop(w);
    s = store_stmt(st, "SELECT count(*) FROM fill", "");
    assert_int_equal(store_row(st, s), STORE_OK);
    assert_int_equal(db_col_int64(s, 0), FILL_COMMITS);
    db_reset(s);
    /* most rows are in the database file (the last commits may still be in the WAL) */
    assert_true(file_size(path) > (long)FILL_COMMITS * 20000 / 2);
    store_close(st);
}

/* Every commit went through the WAL (about 160 MB), yet it never held more than twice the
 * checkpoint size (each page with its 24-byte frame header): it was copied and started
 * from the top again, more than once; and it did reach half of it, so the checkpoints were
 * not woken by a count of pages meant for larger ones. */
static void assert_wal_bounded(long most, long page)
{
    long frames = CHECKPOINT_BYTES / page;
    assert_true(most > frames / 2 * (page + 24));
    assert_true(most < 2 * frames * (page + 24));
}

static void test_checkpoints_keep_the_wal_small_under_constant_writes(void **state)
{
    (void)state;
    char path[300];
    long most = 0;
    snprintf(path, sizeof path, "%s/fill-new.db", dir);
    fill(path, 1024, &most); /* a database made now */
    assert_wal_bounded(most, 1024);

    /* a database made with 4 KB pages keeps them, and its checkpoints the same WAL size */
    snprintf(path, sizeof path, "%s/fill-4k.db", dir);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;"
                                     "CREATE TABLE made_before(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    fill(path, 4096, &most);
    assert_wal_bounded(most, 4096);
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
        cmocka_unit_test(test_checkpoints_keep_the_wal_small_under_constant_writes),
        cmocka_unit_test(test_the_next_batch_runs_while_the_last_one_syncs), /* last: slow VFS */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
