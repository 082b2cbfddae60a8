/* writer — group commit: one thread that commits durable writes in batches.
 *
 * A commit is durable once the database's log is synced to disk.  When many citizens
 * submit answers at once, committing each on its own would cap the service at the disk's
 * fsync rate.  So the submissions that matter for documentation go to this single writer:
 * a request queues its transaction function and waits (writer_run blocks its thread;
 * writer_submit calls back instead, so a waiting request holds no thread); the writer takes
 * everything queued (up to batch_max, lingering up to batch_wait_us for more when the batch
 * is not full), runs the functions in queue order inside one transaction, each in its own
 * savepoint (store_txn_batch), commits once, and only once that commit is on disk wakes
 * every waiting request with its own result.  So:
 *   - a request is answered only after its batch is on disk (nothing acknowledged is lost);
 *   - each submission stays all-or-nothing: one that fails is rolled back alone;
 *   - journal entries are appended in queue order inside the batch, so the hash chain is
 *     the same as if each had been committed by itself.
 *
 * Pipelined (SQLite): the writer's connection commits without waiting for the disk
 * (store_defer_syncs) and a second thread, the syncer, syncs the log (store_sync) and then
 * wakes the batch's requests, while the writer already runs the next batch.  So the disk's
 * wait overlaps the next batch's work instead of idling the writer.  One sync covers every
 * batch committed before it began; a failed sync stops the process (abort): what the log
 * holds is then uncertain, and a restart recovers what is on disk.
 * PostgreSQL commits are durable when they return (synchronous_commit = on): there the
 * writer wakes the requests itself after each commit, as before.
 *
 * What others see before it is durable: another connection sees a pipelined commit as soon
 * as it is made, a sync before it is on disk.  Nothing that leaves the process may state
 * it until then: a response that may show it first calls writer_wait_visible(), which
 * returns once every batch in flight that holds a write about what the response shows is
 * durable (a citizen's own page: writes keyed with its enrolment; any other page or API
 * answer: every write not marked WRITER_UNSEEN).  A letter or a webhook goes out only
 * after the scheduler's own commit of its intent (synchronous=FULL: its sync covers every
 * commit before it in the log), and the commands that write out what they read (evidence,
 * stats, verify, backup) sync the log after reading (store_sync).
 *
 * The functions run on the writer's own connection, on the writer's thread: they must only
 * use the store they are given and the argument, which the blocked caller keeps alive.
 */
#ifndef VEJLED_WRITER_H
#define VEJLED_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct writer;

/* Opens the writer's own connection to db_path and starts its thread.  batch_max >= 1
 * submissions per transaction; batch_wait_us: how long a non-full batch waits for more
 * (0: commit what is there at once).  0 and *out, or -1 with err. */
int writer_start(const char *db_path, unsigned busy_timeout_ms, size_t batch_max,
                 unsigned batch_wait_us, struct writer **out, char *err, size_t errlen);

/* What a write is about, for writer_wait_visible(): a citizen's enrolment id (> 0), or
 * WRITER_UNSEEN for bookkeeping that no page or API answer shows (a staff session's
 * last-seen mark). */
#define WRITER_UNSEEN 0
/* writer_wait_visible()'s key for a response that may show any write. */
#define WRITER_ANY (-1)

/* Runs fn(st, arg) in the next batch and returns once that batch is committed (durable)
 * or failed: fn's status, or the commit's failure.  key: what the write is about (above).
 * Safe from any number of threads. */
enum store_status writer_run(struct writer *w, int64_t key, store_txn_fn fn, void *arg);

/* Told the result of a submitted write once its batch is committed or failed.  Runs on
 * the writer's thread, outside its lock: it must be quick and must not block on the disk
 * (waking a waiting request is the intended use); it may call writer_submit. */
typedef void (*writer_done_fn)(void *done_arg, enum store_status result);

/* Queues fn(st, arg) for the next batch without waiting: done(done_arg, result) is called
 * once that batch is durable or failed.  arg and done_arg are the caller's and must stay
 * alive until done has been called.  0, or -1 (the writer is stopping, or no memory) and
 * done is never called. */
int writer_submit(struct writer *w, int64_t key, store_txn_fn fn, void *arg,
                  writer_done_fn done, void *done_arg);

/* Returns once every write in flight (taken into a batch, not yet durable) with this key
 * (an enrolment id; WRITER_ANY: every key but WRITER_UNSEEN) is durable.  Writes queued
 * after the call are not waited for.  Costs one atomic read when nothing is in flight;
 * returns at once without a pipeline (PostgreSQL) or when w is NULL.  Any thread. */
void writer_wait_visible(struct writer *w, int64_t key);

/* Commits what is queued, stops the thread, closes the connection.  NULL is fine.  No
 * writer_run may be in progress or start afterwards. */
void writer_stop(struct writer *w);

/* Counters since start (for the benchmark and /metrics): batches committed and items;
 * syncs: the syncer's syncs (0 without a pipeline). */
void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *items,
                  unsigned long long *syncs);

#endif
