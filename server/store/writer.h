/* writer — group commit: one thread that commits durable writes in batches.
 *
 * With synchronous=FULL every commit waits for the disk (an fsync of the WAL).  When many
 * citizens submit answers at once, committing each on its own would cap the service at
 * the disk's fsync rate.  So the submissions that matter for documentation go to this
 * single writer: a request queues its transaction function and waits (writer_run blocks
 * its thread; writer_submit calls back instead, so a waiting request holds no thread); the writer
 * takes everything queued (up to batch_max, lingering up to batch_wait_us for more when
 * the batch is not full), runs the functions in queue order inside one transaction, each
 * in its own savepoint (store_txn_batch), commits once, and only then wakes every waiting
 * request with its own result.  So:
 *   - a request is answered only after its batch is on disk (nothing acknowledged is lost);
 *   - each submission stays all-or-nothing: one that fails is rolled back alone;
 *   - journal entries are appended in queue order inside the batch, so the hash chain is
 *     the same as if each had been committed by itself.
 * While one batch is being synced the next one fills, so batches grow with the load.
 * The functions run on the writer's own connection, on the writer's thread: they must only
 * use the store they are given and the argument, which the blocked caller keeps alive.
 */
#ifndef VEJLED_WRITER_H
#define VEJLED_WRITER_H

#include <stddef.h>

#include "store.h"

struct writer;

/* Opens the writer's own connection to db_path and starts its thread.  batch_max >= 1
 * submissions per transaction; batch_wait_us: how long a non-full batch waits for more
 * (0: commit what is there at once).  0 and *out, or -1 with err. */
int writer_start(const char *db_path, unsigned busy_timeout_ms, size_t batch_max,
                 unsigned batch_wait_us, struct writer **out, char *err, size_t errlen);

/* Runs fn(st, arg) in the next batch and returns once that batch is committed (durable)
 * or failed: fn's status, or the commit's failure.  Safe from any number of threads. */
enum store_status writer_run(struct writer *w, store_txn_fn fn, void *arg);

/* Told the result of a submitted write once its batch is committed or failed.  Runs on
 * the writer's thread, outside its lock: it must be quick and must not block on the disk
 * (waking a waiting request is the intended use); it may call writer_submit. */
typedef void (*writer_done_fn)(void *done_arg, enum store_status result);

/* Queues fn(st, arg) for the next batch without waiting: done(done_arg, result) is called
 * once that batch is durable or failed.  arg and done_arg are the caller's and must stay
 * alive until done has been called.  0, or -1 (the writer is stopping, or no memory) and
 * done is never called. */
int writer_submit(struct writer *w, store_txn_fn fn, void *arg, writer_done_fn done,
                  void *done_arg);

/* Commits what is queued, stops the thread, closes the connection.  NULL is fine.  No
 * writer_run may be in progress or start afterwards. */
void writer_stop(struct writer *w);

/* Counters since start (for the benchmark and /metrics): batches committed and items. */
void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *items);

#endif
