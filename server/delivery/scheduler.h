/* scheduler — runs the due jobs (jobs.h) through the configured channels (channel.h).
 *
 * A scheduler has its own database connection, content cache and UI strings; one pass
 * claims every job due at `now` (atomically, so a second scheduler or `vejled jobs run`
 * never gets the same job), runs each outside any request, and ends it: done (sent through
 * at least one channel), cancelled (the enrolment is closed, the citizen completed before a
 * reminder, or the meeting a reminder is for has begun), pending again after an exponential
 * back-off, or failed after max_attempts, or at once when no configured channel reaches the
 * citizen (last_error says so).  `vejled jobs run` is one
 * pass; `vejled serve` runs passes on a thread that sleeps until the next due time or until
 * jobs_wake().
 *
 * Exactly once per job and channel: the message id is committed (deliveries, state
 * 'intent') before the channel is written, together with the letter rendered once and the
 * exact bytes each channel sends (sealed), and those bytes are written again with the same
 * id after a crash; the outbox skips a message it already holds, SMTP receivers see the
 * same Message-ID and the same message.  The sending is journalled, with the hashes of what
 * was delivered, in the transaction that marks it sent.
 * Fault point (test build only, fault.h): "after_channel_write" right after a channel
 * write, before it is recorded; "after_channel_write:<channel>" only after that channel's
 * (outbox, smtp, webhook).
 */
#ifndef VEJLED_SCHEDULER_H
#define VEJLED_SCHEDULER_H

#include <stdint.h>

#include "config.h"
#include "lang.h"
#include "vault.h"

struct scheduler;
struct content_cache; /* content.h */

struct scheduler_stats {
    int claimed;
    int done;
    int cancelled;
    int retried;
    int failed;
    int lost;      /* claims lost to another scheduler (lease ran out): result refused */
};

/* Opens the scheduler's connection.  public_url is borrowed (it may change until the first
 * pass: serve learns its port late).  langs: the languages' strings, borrowed from the
 * caller for the scheduler's life (the server's pages and letters share one copy), or NULL
 * to load them from cfg->template_dir.  cache: the published versions, borrowed likewise
 * (content_cache is safe across threads), or NULL for one of its own.  0, or -1 with
 * err. */
int scheduler_open(const struct config *cfg, const struct vault *vault, const char *public_url,
                   const struct lang_list *langs, struct content_cache *cache,
                   struct scheduler **out, char *err, size_t errlen);
void scheduler_close(struct scheduler *s);

/* One pass at now: every due job, then the expired Idempotency-Key answers are deleted
 * ([api] idempotency_hours).  0, or -1 when the database failed (jobs already ended stay
 * ended). */
int scheduler_pass(struct scheduler *s, int64_t now, struct scheduler_stats *stats);

/* The retention purge ([retention] purge_after), when it is set and this scheduler has not
 * purged in the last day (the thread: once a day; `vejled jobs run`, a new scheduler each
 * time: every pass).  *purged (may be NULL) the citizens purged.  0 (also when off), or -1
 * when the database failed (citizens purged so far stay purged). */
int scheduler_purge(struct scheduler *s, int64_t now, size_t *purged);

/* Starts the thread; scheduler_stop() lets the running job finish, then joins. */
int scheduler_start(struct scheduler *s);
void scheduler_stop(struct scheduler *s);

#endif
