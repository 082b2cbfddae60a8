/* store — everything that touches the database, SQLite or PostgreSQL.
 *
 * The only face of the database the rest of the program sees; the engines sit behind
 * db.h (store/sqlite/, store/pg/).  A struct store is one connection with its cache of
 * prepared statements; it belongs to one thread at a time (the HTTP layer keeps one per
 * worker thread).  A commit that returned is durable: SQLite runs in WAL mode with
 * synchronous=FULL, PostgreSQL with synchronous_commit=on.  Nothing acknowledged is lost.
 *
 * Writes go through store_txn(), the one transaction runner: it begins a write
 * transaction (one at a time across every server on the database: SQLite's BEGIN
 * IMMEDIATE, PostgreSQL's journal lock taken first), calls the caller's
 * function, commits when it returns STORE_OK and rolls back otherwise, and runs the whole
 * function again when the engine reports it busy (a lock, a serialization failure or a
 * deadlock).  So a caller's function must have no effect outside the database (or be
 * safe to repeat).
 *
 * Every statement is a prepared statement with bound parameters, prepared once per
 * connection and reused; binding a different number of parameters than the statement has
 * is a hard error.  The schema is changed only by the numbered files in
 * db/migrations/<dialect>/.
 */
#ifndef VEJLED_STORE_H
#define VEJLED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum store_status {
    STORE_ERROR = -1,    /* hard error; logged */
    STORE_OK = 0,
    STORE_NOT_FOUND = 1, /* no such row */
    STORE_CONFLICT = 2,  /* a unique constraint said no */
    STORE_BUSY = 3,      /* locked; store_txn retries */
    STORE_FULL = 4       /* the disk is full: nothing was written (logged); not retried */
};

struct store;

/* Whether the database at target was made by vejled, asked without changing it: 1; 2 when
 * it holds no table yet (vejled may make it one); 0 when it holds another program's tables or
 * is not a database; -1 when that cannot be told before opening it (db_file_migrated). */
int store_file_migrated(const char *target);

/* Opens the database: a postgresql:// URL, else an SQLite file (created if needed).  0
 * and *out, or -1 with err. */
int store_open(const char *target, unsigned busy_timeout_ms, struct store **out, char *err,
               size_t errlen);
/* True when target (as for store_open) names a PostgreSQL database. */
bool store_target_is_postgres(const char *target);
/* True when the connection is to PostgreSQL. */
bool store_is_postgres(const struct store *st);
/* Finalises every statement and closes.  NULL is fine. */
void store_close(struct store *st);
/* From now on (on), or no longer, the store remembers the reads a citizen's page repeats
 * (a session's enrolment, an enrolment's progress, a target group) and answers them
 * again without a query as long as nothing has been committed to the database since, by
 * any connection of any process (store_internal.h, "remembered reads").  For the
 * server's page threads; SQLite only (PostgreSQL connections always query).  Off when
 * opened. */
void store_remember(struct store *st, bool on);
/* How many reads the store has answered from what it remembers (tests). */
uint64_t store_remembered(const struct store *st);
#ifdef VEJLED_TESTING
/* Test builds: how many statements this thread has run on any store so far. */
uint64_t store_thread_statements_count(void);
#endif

/* Applies every NNNN_*.sql file of this backend's dialect (root/sqlite/ for SQLite) not
 * yet applied, each in its own transaction, in order.  *applied gets how many ran.  0 or
 * -1 with err. */
int store_migrate(struct store *st, const char *root, int *applied, char *err, size_t errlen);

typedef enum store_status (*store_txn_fn)(struct store *st, void *arg);
/* Runs fn inside BEGIN IMMEDIATE … COMMIT (see top).  Returns what fn returned, or
 * STORE_ERROR/STORE_BUSY when the transaction itself failed. */
enum store_status store_txn(struct store *st, store_txn_fn fn, void *arg);

/* Group commit: runs fns[i](st, args[i]) for every i in order inside ONE BEGIN IMMEDIATE
 * … COMMIT, each in its own SAVEPOINT, so a function that fails is rolled back alone
 * (results[i] gets its status) while the others commit together with one sync to disk.
 * When the commit itself fails every results[i] gets that failure and nothing is kept;
 * on busy the whole batch runs again (so the functions must be safe to repeat, as for
 * store_txn).  Returns the commit's status. */
enum store_status store_txn_batch(struct store *st, size_t n, const store_txn_fn *fns,
                                  void *const *args, enum store_status *results);

/* Commits on this store return before they are on disk (db_log_defer(): SQLite's WAL
 * with synchronous=NORMAL) until store_sync() makes them durable; for the group
 * commit's writer, which syncs one batch while it runs the next.  0, or -1 when the engine
 * commits durably anyway (PostgreSQL) and nothing changed. */
int store_defer_syncs(struct store *st);
/* Once per process, first thing (before store_testvfs_init and any store_open): the
 * database engines' process-wide settings (db_process_init). */
void store_process_init(void);
/* Makes every commit in the database's log so far durable (db_log_sync(): may run on
 * another thread than the store's own once store_defer_syncs() succeeded).  0, or -1 when the
 * sync failed. */
int store_sync(struct store *st);

/* A read snapshot: the statements until store_read_end() see one consistent state of the
 * database and take SQLite's file locks once instead of once per statement; it begins
 * with the first statement (a read answered from what the store remembers needs none).
 * For reads only: a write inside could meet a newer snapshot of another connection and
 * fail, so end the snapshot before writing (store_txn() ends one itself).  Not nested: a
 * second begin while one is open does nothing.  0 (a BEGIN that then fails is logged and
 * fails that statement). */
int store_read_begin(struct store *st);
/* Ends the read snapshot, if one is open. */
void store_read_end(struct store *st);

/* True when the database has been migrated by vejled (it holds schema_migrations); false
 * for a new, empty or foreign database.  Logs nothing. */
bool store_has_schema(struct store *st);
/* 0 when the database answers a trivial query. */
int store_ping(struct store *st);

/* Copies the database online (SQLite backup API, db_backup) into a new file at dest, mode
 * 0600; PostgreSQL:
 * -1 with err naming pg_dump / pg_basebackup. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen);

/* ---- moving an installation (store_copy.c) ---- */
typedef void (*store_copy_cb)(const char *table, int64_t rows, void *arg);
/* Copies every row of the SQLite database `from` into the PostgreSQL database `to`, which
 * must be migrated to the same versions and empty: one snapshot of the source, one
 * transaction on the target, the target's triggers set aside meanwhile (the aggregates
 * arrive as they are), identity columns continued after the copied ids.  cb (may be NULL)
 * hears each table and its row count.  0, or -1 with err (nothing is kept on the target). */
int store_copy(struct store *from, struct store *to, store_copy_cb cb, void *arg, char *err,
               size_t errlen);
/* Calls cb with every table and its row count, by table name. */
enum store_status store_table_counts(struct store *st, store_copy_cb cb, void *arg);

/* ---- content ---- */
/* Adds group g (a pack file's) or finds the one of its slug, whose names, interval and
 * switch stay as they are (the administrator's); its id into id. */
enum store_status store_group_upsert(struct store *st, const struct model_group *g,
                                     int64_t now, int64_t *id);
/* Fills out (clear with model_group_clear). */
enum store_status store_group_by_slug(struct store *st, const char *slug,
                                      struct model_group *out);
enum store_status store_group_by_id(struct store *st, int64_t id, struct model_group *out);
/* Every group, in slug order; *out is an array of *n (clear each, free the array). */
enum store_status store_group_list(struct store *st, struct model_group **out, size_t *n);

/* Inserts the pack with its whole tree as a draft; fills every id in p. */
enum store_status store_pack_insert(struct store *st, struct model_pack *p, int64_t now);
/* Makes pack_id the published pack of its group with hash; the previous one retires. */
enum store_status store_pack_publish(struct store *st, int64_t pack_id, const char *hash,
                                     int64_t now);
enum store_status store_pack_published_id(struct store *st, int64_t group_id, int64_t *id);
/* Loads a pack with its videos, questions and options (free with model_pack_free). */
enum store_status store_pack_load(struct store *st, int64_t pack_id, struct model_pack **out);

/* ---- citizens, enrolments, sessions ---- */
enum store_status store_citizen_by_lookup(struct store *st, const char *lookup,
                                          struct model_citizen *out);
enum store_status store_citizen_by_uuid(struct store *st, const char *uuid,
                                        struct model_citizen *out);
enum store_status store_citizen_insert(struct store *st, const char *uuid, const char *lookup,
                                       const void *box, size_t boxlen, const char *name,
                                       const char *email, int64_t now, int64_t *id);
/* Whether citizen id's personal data was purged (retention): STORE_OK with *purged_at (0:
 * not purged), STORE_NOT_FOUND for no such citizen. */
enum store_status store_citizen_purged_get(struct store *st, int64_t id, int64_t *purged_at);
/* Sets a known citizen's name, and e-mail address unless email is NULL (the one on file
 * stays); STORE_NOT_FOUND for no such citizen or one purged. */
enum store_status store_citizen_contact(struct store *st, int64_t id, const char *name,
                                        const char *email);

/* STORE_CONFLICT when the citizen has an open enrolment in that group. */
enum store_status store_enrolment_insert(struct store *st, struct model_enrolment *e,
                                         const char *token_hash);
enum store_status store_enrolment_by_uuid(struct store *st, const char *uuid,
                                          struct model_enrolment *out);
enum store_status store_enrolment_by_id(struct store *st, int64_t id,
                                        struct model_enrolment *out);
/* The open enrolment of a citizen in a group. */
enum store_status store_enrolment_open(struct store *st, int64_t citizen_id, int64_t group_id,
                                       struct model_enrolment *out);
enum store_status store_enrolment_by_token(struct store *st, const char *token_hash,
                                           struct model_enrolment *out);
/* Whether enrolment id is still open: STORE_OK, or STORE_NOT_FOUND when it is closed (or
 * gone).  Asked inside a citizen's write, since the case system may close the enrolment
 * between the request's session check and its transaction. */
enum store_status store_enrolment_is_open(struct store *st, int64_t id);
/* Sets the named moment (opened_at, completed_at, declined_at) if it is not set yet;
 * STORE_NOT_FOUND when it already was. */
enum store_status store_enrolment_mark(struct store *st, int64_t id, const char *what,
                                       int64_t at);
/* Gives the enrolment a new link token (the old one stops working, and its hash is kept
 * as replaced at `now`: store_link_replaced). */
enum store_status store_enrolment_set_token(struct store *st, int64_t id, const char *token_hash,
                                            int64_t expires_at, int64_t now);
/* When the enrolment's current link was issued to replace another (*issued_at; 0: the link
 * is the first one), and when it was first opened since (*opened_at: the first use of a
 * session begun at or after that time; 0: not yet). */
enum store_status store_link_times_get(struct store *st, int64_t enrolment_id, int64_t *issued_at,
                                   int64_t *opened_at);
/* Ends every citizen session of the enrolment (the link that opened them was replaced). */
enum store_status store_sessions_end(struct store *st, int64_t enrolment_id);
/* Whether token_hash is a link that a newer one replaced: STORE_OK, or STORE_NOT_FOUND. */
enum store_status store_link_replaced(struct store *st, const char *token_hash);
enum store_status store_enrolment_set_language(struct store *st, int64_t id, const char *lang);

enum store_status store_session_insert(struct store *st, const char *id_hash,
                                       int64_t enrolment_id, int64_t now, int64_t expires);
/* The enrolment of a live session (expires_at > now), and whether a request has carried
 * the session back yet (*used); one statement (a citizen's every request starts with it). */
enum store_status store_session_enrolment(struct store *st, const char *id_hash, int64_t now,
                                          struct model_enrolment *out, bool *used);
/* Marks the session used (its first request back); STORE_NOT_FOUND when it was already. */
enum store_status store_session_use(struct store *st, const char *id_hash, int64_t now);

/* ---- progress ---- */
/* The video's page was shown: makes its view row (observed playback) the first time.
 * no_media (enum model_no_media) not 0: the page was shown without a playable video; kept
 * on the row (made or not), a later showing with a player does not clear it.  no_media 0:
 * shown with a player, whose first time is kept (player_at). */
enum store_status store_view_start(struct store *st, int64_t enrolment_id, int64_t video_id,
                                   int no_media, int64_t now);
/* Makes the view row if there is none, saying nothing of how the page was shown (a
 * player's report: the page's script runs with and without a playable video). */
enum store_status store_view_ensure(struct store *st, int64_t enrolment_id, int64_t video_id,
                                    int64_t now);
/* One view row with its observed playback (clear with model_view_clear); STORE_NOT_FOUND
 * when the page was never shown. */
enum store_status store_view_get(struct store *st, int64_t enrolment_id, int64_t video_id,
                                 struct model_view *out);
/* Writes the observed playback of v (v->video_id) and marks the row observed;
 * STORE_NOT_FOUND when there is no row. */
enum store_status store_view_save(struct store *st, int64_t enrolment_id,
                                  const struct model_view *v);
/* Adds the next attempt; *attempt gets its number. */
enum store_status store_answer_insert(struct store *st, int64_t enrolment_id,
                                      int64_t question_id, const char *chosen, int correct,
                                      int64_t now, int *attempt);
/* Sets (on) or clears the asked-about mark; STORE_NOT_FOUND when nothing changed. */
enum store_status store_asked_set(struct store *st, int64_t enrolment_id, int64_t question_id,
                                  int on, int64_t now);
/* How many questions of the enrolment have an answer (a first attempt) into *n. */
enum store_status store_answered_count(struct store *st, int64_t enrolment_id, size_t *n);
/* Loads everything the citizen did in the enrolment (clear with model_progress_clear). */
enum store_status store_progress_load(struct store *st, int64_t enrolment_id,
                                      struct model_progress *out);

/* ---- journal ---- */
struct store_journal_row {
    int64_t seq;
    char at[24];
    char kind[32];
    char actor[80];
    char citizen_uuid[MODEL_UUID_LEN + 1];
    char enrolment_uuid[MODEL_UUID_LEN + 1];
    const char *data; /* borrowed: valid during the callback only */
    char prev_hash[MODEL_HASH_HEX + 1];
    char hash[MODEL_HASH_HEX + 1];
};
/* The last entry's seq and hash; seq 0 and "" when the journal is empty. */
enum store_status store_journal_tail(struct store *st, int64_t *seq,
                                     char hash[MODEL_HASH_HEX + 1]);
enum store_status store_journal_insert(struct store *st, const struct store_journal_row *r);
typedef int (*store_journal_cb)(const struct store_journal_row *r, void *arg);
/* Calls cb for each entry in seq order: all of them (citizen_uuid NULL) or one citizen's.
 * Stops early when cb returns non-zero (and returns STORE_OK). */
enum store_status store_journal_each(struct store *st, const char *citizen_uuid,
                                     store_journal_cb cb, void *arg);
/* The same for the entries of one kind (all citizens), in seq order. */
enum store_status store_journal_each_kind(struct store *st, const char *kind,
                                          store_journal_cb cb, void *arg);

/* ---- checkpoints (store_checkpoint.c) ---- */
struct store_checkpoint {
    int64_t signed_seq;   /* the last journal entry it covers */
    char head_hash[MODEL_HASH_HEX + 1];
    char tree_root[MODEL_HASH_HEX + 1];
    char signed_at[24];
    char key_id[17];
    char public_key[45];  /* base64 */
    char signature[89];   /* base64 */
    int64_t journal_seq;  /* its own 'checkpoint' journal entry */
};
/* Stores a checkpoint and (once) its public key. */
enum store_status store_checkpoint_insert(struct store *st, const struct store_checkpoint *c,
                                          int64_t now);
/* The newest checkpoint (STORE_NOT_FOUND when there is none), or the one covering exactly
 * signed_seq. */
enum store_status store_checkpoint_latest(struct store *st, struct store_checkpoint *c);
enum store_status store_checkpoint_get(struct store *st, int64_t signed_seq,
                                       struct store_checkpoint *c);
typedef int (*store_checkpoint_cb)(const struct store_checkpoint *c, void *arg);
/* Every checkpoint, oldest first; stops when cb returns non-zero. */
enum store_status store_checkpoint_each(struct store *st, store_checkpoint_cb cb, void *arg);
typedef int (*store_hash_cb)(int64_t seq, const char *hash, void *arg);
/* The seq and hash of every journal entry up to seq upto, in order; stops when cb returns
 * non-zero. */
enum store_status store_journal_hashes(struct store *st, int64_t upto, store_hash_cb cb,
                                       void *arg);

/* ---- limits per client address, shared by all servers (store_ops.c) ---- */
/* The events of (scope, subject) after `since`: how many, and the newest one's time (0
 * when none; last may be NULL). */
enum store_status store_rate_count(struct store *st, const char *scope, const char *subject,
                                   int64_t since, unsigned *count, int64_t *last);
/* The time of the k-th newest event (k from 1) of (scope, subject) after since;
 * STORE_NOT_FOUND when there are fewer. */
enum store_status store_rate_nth(struct store *st, const char *scope, const char *subject,
                                 int64_t since, unsigned k, int64_t *at);
/* Records one event at now and forgets the scope's events at or before forget_before. */
enum store_status store_rate_add(struct store *st, const char *scope, const char *subject,
                                 int64_t now, int64_t forget_before);

/* ---- jobs ---- */
/* Inserts a job; nothing when its unique key was ever planned (whatever its state).
 * *inserted (may be NULL): 1 when it was inserted, else 0. */
enum store_status store_job_insert(struct store *st, const char *kind, int64_t enrolment_id,
                                   const char *unique_key, int64_t due_at, int64_t now,
                                   int *inserted);
/* How many jobs of that kind were ever planned for the enrolment (any state). */
enum store_status store_jobs_planned(struct store *st, int64_t enrolment_id, const char *kind,
                                     int64_t *n);

/* ---- API keys and idempotency ---- */
enum store_status store_apikey_insert(struct store *st, const char *name, const char *key_hash,
                                      int64_t now, int64_t *id);
/* The id of a key that is not revoked. */
enum store_status store_apikey_find(struct store *st, const char *key_hash, int64_t *id);

struct store_idem {
    char request_hash[MODEL_HASH_HEX + 1];
    int status;
    void *box;      /* owned: free() */
    size_t boxlen;
};
enum store_status store_idem_get(struct store *st, int64_t api_key_id, const char *key,
                                 int64_t not_before, struct store_idem *out);
/* request_hash: the keyed hash of the request (vault_request_mac), never a plain digest
 * of personal data; citizen_id: whose answer it is (0: none), so that a purge deletes it. */
enum store_status store_idem_put(struct store *st, int64_t api_key_id, const char *key,
                                 const char *request_hash, int status, const void *box,
                                 size_t boxlen, int64_t citizen_id, int64_t now);

/* ------------------------------------------------------------------ jobs and deliveries
 * (store_jobs.c) */

/* The first meeting of an enrolment; note_box is the sealed note (NULL, 0 when none). */
struct store_meeting {
    int64_t held_at;
    int oral_guidance;
    unsigned char *note_box; /* owned: free() */
    size_t note_boxlen;
    char recorded_by[80];
    int64_t recorded_at;
};
/* Records (or corrects) the meeting and sets enrolments.oral_guidance_at to held_at when
 * oral is set, NULL otherwise. */
enum store_status store_meeting_put(struct store *st, int64_t enrolment_id, int64_t held_at,
                                    int oral, const void *note_box, size_t note_boxlen,
                                    const char *actor, int64_t now);
enum store_status store_meeting_get(struct store *st, int64_t enrolment_id,
                                    struct store_meeting *out);
/* The first meeting planned anew at `at` (an open enrolment). */
enum store_status store_enrolment_set_meeting(struct store *st, int64_t id, int64_t at);
/* Closes an open enrolment; STORE_NOT_FOUND when it was closed already. */
enum store_status store_enrolment_close(struct store *st, int64_t id, int64_t at);
/* Ids of the citizen's open enrolments (at most max; *n how many). */
enum store_status store_enrolment_open_ids(struct store *st, int64_t citizen_id, int64_t *ids,
                                           size_t max, size_t *n);
/* Ids of all the citizen's enrolments, open and closed, oldest first. */
enum store_status store_enrolment_all_ids(struct store *st, int64_t citizen_id, int64_t *ids,
                                          size_t max, size_t *n);
/* One citizen's sealed CPR number (purged ones have none): STORE_OK with *box (caller
 * frees) and *len, or STORE_NOT_FOUND when none is sealed. */
enum store_status store_sealed_sample(struct store *st, unsigned char **box, size_t *len);
/* The sealed CPR of a citizen (*box owned by the caller: free()). */
enum store_status store_citizen_cpr_box(struct store *st, int64_t citizen_id, unsigned char **box,
                                        size_t *boxlen);
/* The sealed link token of an enrolment and the hash of the token it holds. */
enum store_status store_link_put(struct store *st, int64_t enrolment_id, const char *token_hash,
                                 const void *box, size_t boxlen);
/* *box owned by the caller (free()). */
enum store_status store_link_get(struct store *st, int64_t enrolment_id,
                                 char token_hash[MODEL_HASH_HEX + 1], unsigned char **box,
                                 size_t *boxlen);

#define STORE_CLAIM_MAX 32

struct store_job {
    int64_t id;
    char kind[32];
    int64_t enrolment_id; /* 0 when none */
    char enrolment_uuid[MODEL_UUID_LEN + 1];
    int64_t ref;
    int64_t due_at;
    char state[12];
    int attempts;
    int64_t next_attempt_at;
    char last_error[200];
    char claim[STORE_CLAIM_MAX + 1]; /* the claim token it was claimed with ("" when listed) */
    /* listed only (store_jobs_each), 0 when none: when it ended (done, failed, cancelled),
     * when its letter was sent through the outbox and by e-mail, and when the copy of a
     * channel was skipped because its link had been replaced (store_delivery_skipped) */
    int64_t finished_at;
    int64_t outbox_sent_at;
    int64_t smtp_sent_at;
    int64_t outbox_link_replaced_at;
    int64_t smtp_link_replaced_at;
};
/* A letter job that failed for good, of an enrolment still open: what the administrator's
 * list of letters to send again shows. */
struct store_failed_letter {
    int64_t job_id;
    char kind[32];
    int attempts;
    char last_error[200];
    int64_t failed_at;
    int64_t citizen_id;
    char citizen_uuid[MODEL_UUID_LEN + 1];
    char citizen_name[256]; /* "" when purged */
    char group_name[LANG_COUNT][256]; /* the target group's names ("" when it has none) */
    bool sent_outbox, sent_smtp; /* a channel that did send it before the job failed */
};
typedef int (*store_failed_letter_cb)(const struct store_failed_letter *l, void *arg);
/* The failed letters of open enrolments, the latest failure first, at most limit; cb
 * returns non-zero to stop. */
enum store_status store_letters_failed_list(struct store *st, size_t limit,
                                            store_failed_letter_cb cb, void *arg);
/* How many there are. */
enum store_status store_letters_failed_count(struct store *st, int64_t *n);
/* Failed letter job job_id made pending again, due at now with no attempts made (its
 * deliveries so far stay as they are: a channel that took it is not asked again).
 * STORE_NOT_FOUND when there is no such letter job, STORE_CONFLICT when it is not failed
 * or its enrolment is closed.  Run it in a transaction. */
enum store_status store_letter_retry(struct store *st, int64_t job_id, int64_t now);
/* Inserts a job with a reference (see 0003); nothing when the unique key exists. */
enum store_status store_job_insert_ref(struct store *st, const char *kind, int64_t enrolment_id,
                                       int64_t ref, const char *unique_key, int64_t due_at,
                                       int64_t now);
/* Claims up to max jobs due at now (pending with next_attempt_at <= now, or running with a
 * lease older than lease_s) in one UPDATE … RETURNING: state 'running', locked_at now,
 * attempts + 1, claim_token claim (a fresh random string of at most STORE_CLAIM_MAX
 * characters: whoever claims a job next gets another).  kind NULL: every kind but
 * deliver_journal; else only that kind, in ref order.  out[] gets *n jobs. */
enum store_status store_jobs_claim(struct store *st, int64_t now, int64_t lease_s,
                                   const char *kind, const char *claim, struct store_job *out,
                                   size_t max, size_t *n);
/* Renews the lease of a job still held with claim (locked_at now).  STORE_CONFLICT when
 * the claim was lost: the lease ran out and another scheduler claimed the job (or ended
 * it); the caller must then not send or record anything for it. */
enum store_status store_job_renew(struct store *st, int64_t id, const char *claim, int64_t now);
/* *requested: the job was cancelled while it was claimed (store_jobs_cancel marks a running
 * job instead of ending it); its holder then sends nothing more. */
enum store_status store_job_cancel_requested(struct store *st, int64_t id, bool *requested);
/* Ends a job held with claim (STORE_CONFLICT, nothing changed, when the claim was lost):
 * state done | failed | cancelled, or pending again at next_attempt_at
 * (a retry).  error may be "" or NULL.  done and cancelled also drop the sealed letters of
 * the job's deliveries (failed keeps them, so that a job set pending again sends the same).
 * A job cancelled while it ran (store_jobs_cancel) ends cancelled whatever state says,
 * unless state is done.  *final (may be NULL) gets the state the job was given. */
enum store_status store_job_finish(struct store *st, int64_t id, const char *claim,
                                   const char *state, const char *error,
                                   int64_t next_attempt_at, int64_t now, const char **final);
/* Cancels the pending jobs of an enrolment, of one kind or all letter jobs (kind NULL).
 * The journal's delivery to the case system (deliver_journal) is never cancelled: the
 * entries about a closed enrolment are owed to the case system like any other.  *n (may
 * be NULL) how many.  A running job of those is marked cancelled-while-running instead:
 * its attempt goes on (a letter it sends is recorded as sent), but it is never tried
 * again (store_job_finish ends it cancelled). */
enum store_status store_jobs_cancel(struct store *st, int64_t enrolment_id, const char *kind,
                                    int64_t now, int *n);
/* Cancels the pending letter jobs of every enrolment of a citizen (the retention purge: the
 * letters would go to a person whose name and CPR are gone); deliver_journal goes on.  *n
 * (may be NULL) how many. */
enum store_status store_jobs_cancel_citizen(struct store *st, int64_t citizen_id, int64_t now,
                                            int *n);
/* Moves the pending job of that kind of an enrolment to due_at.  STORE_NOT_FOUND when there
 * is none pending. */
enum store_status store_jobs_move(struct store *st, int64_t enrolment_id, const char *kind,
                                  int64_t due_at);
/* The earliest time anything becomes claimable (pending next attempt, or a running job's
 * lease end); STORE_NOT_FOUND when nothing is scheduled. */
enum store_status store_jobs_next(struct store *st, int64_t lease_s, int64_t *at);
typedef int (*store_job_cb)(const struct store_job *j, void *arg);
/* Every job (enrolment_id 0) or one enrolment's, by due time then id. */
enum store_status store_jobs_each(struct store *st, int64_t enrolment_id, store_job_cb cb,
                                  void *arg);
/* Whether journal entry seq was delivered to the case system: STORE_OK with *sent_at the
 * time its webhook delivery was recorded sent, STORE_NOT_FOUND when it was not (no webhook,
 * or not yet). */
enum store_status store_journal_delivered(struct store *st, int64_t seq, int64_t *sent_at);
/* The journal's queue to the webhook: how many entries are still owed, and the first of them
 * (the one the others wait for).  All zero and "" when none is owed. */
struct store_journal_backlog {
    int64_t waiting;         /* entries queued and not yet delivered */
    int64_t head_seq;        /* the first of them */
    int64_t head_queued_at;  /* when it was queued (the pass after it was written) */
    int head_attempts;       /* attempts made at it */
    int64_t head_next_at;    /* when it is tried next; 0 while an attempt is under way */
    bool head_running;       /* an attempt is under way */
    char head_error[200];    /* its last attempt's error, "" when none failed */
};
enum store_status store_journal_backlog_get(struct store *st, struct store_journal_backlog *out);
/* The first journal entry owed to the webhook, when it waits for a later attempt after a
 * failed one, made due at now (its attempts stay counted: they say how long the case system
 * has refused it).  STORE_NOT_FOUND when no entry is owed, or the first is being tried, or
 * is due already.  Run it in a transaction. */
enum store_status store_journal_retry_now(struct store *st, int64_t now);
/* Job job_id, when it is the first journal entry owed to the webhook and waits for its next
 * attempt (not under way), given up: cancelled at now, its last error kept after "skipped
 * by an operator: ".  *seq gets the entry's seq, *attempts the attempts made.
 * STORE_NOT_FOUND when job_id is no such job (another kind, not the first owed, under way,
 * delivered or ended).  Run it in a transaction. */
enum store_status store_journal_skip(struct store *st, int64_t job_id, int64_t now,
                                     int64_t *seq, int *attempts);
/* Queues a deliver_journal job for every journal entry after the last one queued. */
enum store_status store_jobs_queue_journal(struct store *st, int64_t now, int *n);
/* One journal entry by seq (data owned by the caller: free()). */
enum store_status store_journal_get(struct store *st, int64_t seq, struct store_journal_row *r,
                                    char **data);

struct store_delivery {
    char message_id[MODEL_UUID_LEN + 1];
    char state[8];                /* intent | sent | skipped */
    char sha256[MODEL_HASH_HEX + 1];
    int64_t created_at;           /* when the intent was recorded: the letter's time */
    char link_hash[MODEL_HASH_HEX + 1]; /* the hash of the link's token the letter carries;
                                         * "" for none (webhook, older letters) */
    int64_t sent_at;
    int64_t skipped_at;           /* skipped: when that was decided; else 0 */
    char skipped_reason[16];      /* skipped: why ("link_replaced"); else "" */
    char *data;                   /* journal data fixed at the intent, JSON (owned) */
    unsigned char *payload_box;   /* sealed bytes to send, NULL when none (owned) */
    size_t payload_boxlen;
    unsigned char *pdf_box;       /* sealed letter PDF, NULL when none (owned) */
    size_t pdf_boxlen;
};
/* Frees what a store_delivery owns (NULL is fine); the struct can be reused. */
void store_delivery_clear(struct store_delivery *d);
/* The delivery of a job through a channel: STORE_NOT_FOUND when not attempted yet.  out
 * owns its buffers: store_delivery_clear(). */
enum store_status store_delivery_get(struct store *st, int64_t job_id, const char *channel,
                                     struct store_delivery *out);
/* Records the intent to send d->message_id through channel (committed before the channel
 * write) with what is fixed then: sha256, data, the sealed payload and PDF (webhook: the
 * body is the immutable journal entry, so all of these may be empty/NULL).  An intent of
 * that job and channel still in state 'intent' gets these (its message id stays). */
enum store_status store_delivery_intent(struct store *st, int64_t job_id, const char *channel,
                                        const struct store_delivery *d, int64_t now);
/* Marks it sent and drops its sealed payload; sha256 NULL keeps the one of the intent. */
enum store_status store_delivery_sent(struct store *st, const char *message_id,
                                      const char *sha256, int64_t now);
/* Marks an intent skipped at now for reason (the schema allows "link_replaced": the letter
 * went out through another channel and this copy's link had been replaced since): it is
 * never sent, and its sealed payload and PDF are dropped.  STORE_NOT_FOUND when no intent
 * has that message id. */
enum store_status store_delivery_skipped(struct store *st, const char *message_id,
                                         const char *reason, int64_t now);

/* ------------------------------------------------------------------ staff: users, sessions,
 * access log, content drafts (store_staff.c) */

#define STORE_USERNAME_MAX 64
#define STORE_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
/* A display name's characters at most (of up to four bytes each: the buffers below). */
#define STORE_DISPLAY_NAME_MAX 200
#define STORE_DISPLAY_NAME_SIZE (STORE_DISPLAY_NAME_MAX * 4 + 1)

struct store_user {
    int64_t id;
    char username[STORE_USERNAME_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_SIZE];
    char role[16];                  /* caseworker | admin */
    char unit[STORE_USERNAME_MAX + 1];
    char password_hash[STORE_PWHASH_MAX + 1];
    bool disabled;
    int failed_logins;
    int64_t locked_until;
    int64_t created_at;
    char lang[8];                   /* session reads only: the session's language, else "" */
};

/* STORE_CONFLICT when the username is taken; *id gets the new row's id. */
enum store_status store_user_insert(struct store *st, const struct store_user *u, int64_t now,
                                    int64_t *id);
enum store_status store_user_by_name(struct store *st, const char *username,
                                     struct store_user *out);
enum store_status store_user_by_id(struct store *st, int64_t id, struct store_user *out);
/* Every user in username order; *out an array of *n (free()). */
enum store_status store_user_list(struct store *st, struct store_user **out, size_t *n);
/* Sets display name, role, unit and disabled of user id (NOT_FOUND if none). */
enum store_status store_user_update(struct store *st, const struct store_user *u);
/* Sets a new password hash (a lock stays: only an unlock or its end lifts it). */
enum store_status store_user_set_password(struct store *st, int64_t id, const char *hash);
/* A wrong password for account id at now: forgets the account's failures at or before
 * window_start, records this one unless `cap` are already in the window (so a flood of
 * guesses cannot grow the table without bound), and gives the failures now in the window
 * in *count. */
enum store_status store_login_failure_add(struct store *st, int64_t id, int64_t now,
                                          int64_t window_start, unsigned cap, unsigned *count);
/* Sets the account's lock: refused logins until `until` (UTC seconds; 0 none). */
enum store_status store_user_set_lock(struct store *st, int64_t id, int64_t until);
/* Forgets the account's failures and lifts its lock (NOT_FOUND if no such account). */
enum store_status store_user_unlock(struct store *st, int64_t id);

/* The account log: every lock and unlock of a staff account (append-only).  event
 * "locked" | "unlocked"; actor "system" or the administrator's username; until the end of
 * the lock (0 for an unlock). */
enum store_status store_account_log_insert(struct store *st, int64_t now, int64_t user_id,
                                           const char *username, const char *event,
                                           const char *actor, int64_t until);
struct store_account_log_row {
    int64_t at;
    char event[16];
    char actor[STORE_USERNAME_MAX + 1];
    int64_t until;
};
/* The newest `limit` rows for an account, newest first; *out an array of *n (free()). */
enum store_status store_account_log_list(struct store *st, int64_t user_id, size_t limit,
                                         struct store_account_log_row **out, size_t *n);

enum store_status store_staff_session_insert(struct store *st, const char *id_hash,
                                             int64_t user_id, int64_t now, int64_t expires);
/* The user of a live session (not expired, used within idle_s, user not disabled) and when
 * it was last marked used.  Reads only. */
enum store_status store_staff_session_get(struct store *st, const char *id_hash, int64_t now,
                                          int64_t idle_s, struct store_user *out,
                                          int64_t *last_seen);
/* Marks a session used at now (never back in time). */
enum store_status store_staff_session_touch(struct store *st, const char *id_hash, int64_t now);
enum store_status store_staff_session_delete(struct store *st, const char *id_hash);
/* Sets the language ("da" | "en") of a session for the rest of it (NOT_FOUND if none). */
enum store_status store_staff_session_set_lang(struct store *st, const char *id_hash,
                                               const char *lang);
/* Deletes the sessions that ended before now (absolute end, or idle_s unused). */
enum store_status store_staff_sessions_purge(struct store *st, int64_t now, int64_t idle_s);
/* Ends every session of a user (disabled, password reset). */
enum store_status store_staff_sessions_end_user(struct store *st, int64_t user_id);

/* Units: the units a staff account can belong to (db/migrations/sqlite/0015).  users.unit holds
 * a unit's name. */
struct store_unit {
    int64_t id;
    char name[STORE_USERNAME_MAX + 1];
    bool disabled;
    int64_t users; /* accounts in the unit */
};
/* Every unit by name; *out an array of *n (free()). */
enum store_status store_unit_list(struct store *st, struct store_unit **out, size_t *n);
/* STORE_CONFLICT when the name is taken. */
enum store_status store_unit_insert(struct store *st, const char *name, int64_t now);
/* Adds the unit unless it exists (the command line's user add). */
enum store_status store_unit_ensure(struct store *st, const char *name, int64_t now);
/* OK when a unit of that name exists and is not disabled, else NOT_FOUND. */
enum store_status store_unit_usable(struct store *st, const char *name);
/* Renames unit id and moves its accounts with it, in one transaction (CONFLICT when the
 * new name is taken, NOT_FOUND when there is no such unit). */
enum store_status store_unit_rename(struct store *st, int64_t id, const char *name);
/* Disables or enables unit id (its accounts keep it; it is not offered for new ones). */
enum store_status store_unit_set_disabled(struct store *st, int64_t id, bool disabled);

/* The access log: one row per staff read of a citizen's data. */
enum store_status store_access_insert(struct store *st, int64_t user_id, const char *username,
                                      int64_t citizen_id, const char *page, int64_t now);
/* One row for each of the n citizen_ids (one for an id named twice) for one read of a page
 * that shows many citizens at once, but none for a citizen this user already has a row for
 * on this page at or after since; in one statement: all rows or none. */
enum store_status store_access_insert_many(struct store *st, int64_t user_id,
                                           const char *username, const int64_t *citizen_ids,
                                           size_t n, const char *page, int64_t now,
                                           int64_t since);
/* The access log's names for the caseworker's list of citizens and for a search by name:
 * of the pages that show many citizens at once, the two whose rows the citizen page counts
 * in one line rather than lists (store_access_list, store_access_lists_count). */
#define STORE_ACCESS_LIST "list"
#define STORE_ACCESS_NAME_SEARCH "name_search"
struct store_access_row {
    int64_t at;
    char username[STORE_USERNAME_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_SIZE];
    char page[32];
};
/* The newest `limit` rows for a citizen, newest first, made by staff of unit ("" = by
 * anyone), the list's and the name search's rows only when with_lists; *out an array of *n
 * (free()). */
enum store_status store_access_list(struct store *st, int64_t citizen_id, const char *unit,
                                    bool with_lists, size_t limit,
                                    struct store_access_row **out, size_t *n);
/* How many times staff of unit ("" = anyone) were shown the citizen in the list or a
 * search by name, and the last time (0, 0 when never). */
enum store_status store_access_lists_count(struct store *st, int64_t citizen_id,
                                          const char *unit, int64_t *count, int64_t *last_at);

/* The caseworker's list: open enrolments with their citizen, group and counts. */
struct store_caseload_filter {
    const char *unit;       /* "" = every unit */
    const char *group_slug; /* "" = every group */
    int64_t meeting_from;   /* first_meeting_at >= this */
    int64_t meeting_to;     /* first_meeting_at < this */
    const char *name;       /* "" or a part of the citizen's name */
    int64_t citizen_id;     /* 0 or only this citizen */
    size_t limit;
    int64_t upcoming_from;  /* meetings not recorded and not before this come first */
    const char *caseworker; /* "" = anyone's, else only this user name's enrolments */
};
struct store_caseload_row {
    struct model_enrolment e;
    char citizen_name[256];
    char group_slug[MODEL_SLUG_MAX];
    char group_name[256];
    int answered;           /* first attempts */
    int correct;            /* first attempts that were right */
    int asked;              /* topics marked to ask about */
    bool any_progress;      /* a video opened or a question answered */
    int64_t held_at;        /* the first meeting as recorded; 0: not recorded */
    char wrong_ids[512];    /* question ids answered wrong at the first attempt, "1,5,9" */
    char asked_ids[512];    /* question ids marked to ask about */
};
typedef int (*store_caseload_cb)(const struct store_caseload_row *r, void *arg);
/* Calls cb for each row: first the meetings still to come (not recorded, planned at or
 * after f->upcoming_from), soonest first, then the others, latest first; stops when cb
 * returns non-zero. */
enum store_status store_caseload_each(struct store *st, const struct store_caseload_filter *f,
                                      store_caseload_cb cb, void *arg);
/* STORE_OK when the citizen has an enrolment whose caseworker belongs to unit ("" = any
 * unit: the citizen exists), else STORE_NOT_FOUND. */
enum store_status store_citizen_in_unit(struct store *st, int64_t citizen_id, const char *unit);
/* A citizen's enrolments whose caseworker belongs to unit ("" = every unit), newest
 * first; *out an array of *n (free()). */
enum store_status store_citizen_enrolments(struct store *st, int64_t citizen_id,
                                           const char *unit, struct model_enrolment **out,
                                           size_t *n);

/* API keys for the administrator's page.  A key's name has at most STORE_APIKEY_NAME_MAX
 * characters, of up to four bytes each. */
#define STORE_APIKEY_NAME_MAX 100
struct store_apikey_row {
    int64_t id;
    char name[STORE_APIKEY_NAME_MAX * 4 + 1];
    int64_t created_at;
    int64_t revoked_at;
};
enum store_status store_apikey_list(struct store *st, struct store_apikey_row **out, size_t *n);
/* NOT_FOUND when there is no such key or it was already revoked. */
enum store_status store_apikey_revoke(struct store *st, int64_t id, int64_t now);

/* A new target group g (its slug, names, resend interval and enabled flag; no
 * descriptions): *id.  STORE_CONFLICT when a group has the slug. */
enum store_status store_group_insert(struct store *st, const struct model_group *g, int64_t now,
                                     int64_t *id);
/* A target group's names (STORE_NOT_FOUND for no such group). */
enum store_status store_group_names(struct store *st, int64_t id, const char *name_da,
                                    const char *name_en);
/* Target group settings (enable/disable, resend interval). */
enum store_status store_group_settings(struct store *st, int64_t id, bool enabled,
                                       int resend_months);
/* Switches target group id on (STORE_NOT_FOUND for no such group). */
enum store_status store_group_switch_on(struct store *st, int64_t id);

/* Pack versions of a group, newest first. */
struct store_pack_row {
    int64_t id;
    int version;
    char state[12];
    int64_t created_at;
    int64_t published_at;
    int64_t retired_at;
    int enrolments;         /* enrolments on this version */
    /* a draft planned to be published on day publish_on, its content hash publish_hash when
     * the plan was confirmed; both "" when it is not planned */
    char publish_on[11];
    char publish_hash[MODEL_HASH_HEX + 1];
    bool publish_switch_on; /* the plan switches the group on when it publishes the draft */
    int64_t publish_confirmed_at; /* when the plan was last confirmed; 0: not planned */
};
enum store_status store_pack_list(struct store *st, int64_t group_id,
                                  struct store_pack_row **out, size_t *n);
/* Plans draft pack_id to be published on day ("YYYY-MM-DD"), its content hash being hash
 * when the plan was confirmed (at), switching its group on then when switch_on; day and
 * hash "" (switch_on false) take the plan away.  STORE_NOT_FOUND when it is not a draft. */
enum store_status store_pack_plan(struct store *st, int64_t pack_id, const char *day,
                                  const char *hash, bool switch_on, int64_t at);
/* The drafts planned for day today or earlier, oldest plan first: *ids (free) and *n. */
enum store_status store_pack_plans_due(struct store *st, const char *today, int64_t **ids,
                                       size_t *n);
/* Draft pack_id's plan: day and hash "" (*switch_on false; switch_on may be NULL) when it
 * has none.  STORE_NOT_FOUND when it is not a draft. */
enum store_status store_pack_plan_of(struct store *st, int64_t pack_id, char day[11],
                                     char hash[MODEL_HASH_HEX + 1], bool *switch_on);
/* The id of the group's newest draft that is planned (planned) or is not (!planned), if it
 * has one. */
enum store_status store_pack_draft_id(struct store *st, int64_t group_id, bool planned,
                                      int64_t *id);
/* STORE_OK when some version of the group (published or retired) has that content hash. */
enum store_status store_pack_hash_seen(struct store *st, int64_t group_id, const char *hash);
/* The highest version number of the group (0 if none). */
enum store_status store_pack_max_version(struct store *st, int64_t group_id, int *version);
/* Writes every text of a draft pack (guidance, videos, questions, options) from p, matched
 * by id.  STORE_NOT_FOUND when p is not a draft (the database refuses changes to
 * published content in any case). */
enum store_status store_draft_save(struct store *st, const struct model_pack *p);
/* Deletes draft pack_id with its videos, questions and options.  STORE_NOT_FOUND when it
 * is not a draft.  Run it in a transaction. */
enum store_status store_draft_delete(struct store *st, int64_t pack_id);
/* Replaces every video, question and option of the draft p->id by p's own (added, removed
 * or moved ones too) and fills in their new ids.  STORE_NOT_FOUND when p->id is not a
 * draft.  Run it in a transaction. */
enum store_status store_draft_replace(struct store *st, struct model_pack *p);
/* Writes the draft's texts in other languages: json is the translations object as text
 * ("{}" for none).  STORE_NOT_FOUND when pack_id is not a draft. */
enum store_status store_draft_translations(struct store *st, int64_t pack_id, const char *json);
/* ------------------------------------------------------------------ operations: retention
 * purge and counters for /metrics (store_ops.c) */

struct store_ops_counts {
    int64_t jobs_due;      /* pending and due now */
    int64_t jobs_pending;  /* pending, due or not */
    int64_t jobs_running;
    int64_t jobs_failed;
    int64_t sent_outbox, sent_smtp, sent_webhook; /* deliveries sent, per channel */
};
enum store_status store_ops_counts(struct store *st, int64_t now, struct store_ops_counts *out);

/* Up to max ids of citizens not purged yet whose last sign of activity (created, any
 * enrolment's creation, opening, completion, decline, closing, planned or held meeting)
 * lies before `before`; *n gets how many. */
enum store_status store_purge_candidates(struct store *st, int64_t before, int64_t *ids,
                                         size_t max, size_t *n);
/* Whether that citizen is still such a candidate: STORE_OK, or STORE_NOT_FOUND when
 * active again (enrolled anew, opened, met) or purged meanwhile.  Asked inside the purge's
 * own transaction, since another server may have enrolled the citizen after the list was
 * read. */
enum store_status store_purge_candidate(struct store *st, int64_t citizen_id, int64_t before);

/* The public id of citizen id. */
enum store_status store_citizen_uuid(struct store *st, int64_t citizen_id,
                                     char uuid[MODEL_UUID_LEN + 1]);

/* The outbox message ids of a citizen's letters (for removing the files, which hold the
 * CPR); cb is called with each. */
typedef int (*store_message_cb)(const char *message_id, void *arg);
enum store_status store_citizen_outbox_messages(struct store *st, int64_t citizen_id,
                                                store_message_cb cb, void *arg);

/* Removes a citizen's personal data (name, e-mail, sealed CPR and its look-up hash, sealed
 * meeting notes and links, sessions, stored Idempotency-Key answers, the sealed letters of
 * deliveries; links stop working) and sets purged_at.  Inside a txn.  STORE_NOT_FOUND when already purged. */
enum store_status store_citizen_purge(struct store *st, int64_t citizen_id, int64_t now);
/* Deletes the stored Idempotency-Key answers made before `before` (they are no longer
 * replayed); *n (may be NULL) how many. */
enum store_status store_idem_expire(struct store *st, int64_t before, int *n);

/* Overwrites freed space from now on (PRAGMA secure_delete) and, after a purge, moves the
 * WAL into the database file and truncates it, so that removed data leaves the files. */
enum store_status store_secure_delete(struct store *st);
enum store_status store_checkpoint_truncate(struct store *st);

/* ------------------------------------------------------------------ statistics
 * (store_stats.c): sums over the aggregates of migration 0004, which triggers keep in step
 * with every write.  Days are Europe/Copenhagen day numbers (days since 1970-01-01 of the
 * local calendar date); ranges are inclusive.  server/domain/stats.h says what each sum means. */

enum store_stats_by { STORE_STATS_BY_GROUP, STORE_STATS_BY_UNIT };

/* The sums of one target group or one unit over a range of days. */
struct store_stats_cell {
    int64_t group_id;                   /* STORE_STATS_BY_GROUP */
    char unit[STORE_USERNAME_MAX + 1];  /* STORE_STATS_BY_UNIT; "" = no unit */
    int64_t enrolled, opened, completed, declined; /* enrolments created in the range */
    int64_t due, guided;                /* first meetings in the range that have passed */
    int64_t held, viewed;               /* meetings held in the range */
    int64_t sends, resends;             /* written-guidance jobs first sent in the range */
};
typedef int (*store_stats_cell_cb)(const struct store_stats_cell *c, void *arg);
/* Calls cb with the sums per group (or per unit) over [from_day, to_day]; first meetings
 * count when on a day before today, or on today at or before now.  A group or unit may come
 * twice (once more for today's meetings): add them up.  Stops when cb returns non-zero. */
enum store_status store_stats_cells(struct store *st, enum store_stats_by by, int64_t from_day,
                                    int64_t to_day, int64_t today, int64_t now,
                                    store_stats_cell_cb cb, void *arg);

/* First attempts at one question over a range of days, with what the question is. */
struct store_stats_question {
    int64_t question_id;
    char group_slug[MODEL_SLUG_MAX];
    int pack_version;
    int video_position;                 /* 1-based */
    char video_title[LANG_COUNT][256];
    int position;                       /* of the question in its video, 1-based */
    char text[LANG_COUNT][512];
    char topic_key[MODEL_SLUG_MAX];
    char topic[LANG_COUNT][256];
    int64_t answered, wrong;
};
typedef int (*store_stats_question_cb)(const struct store_stats_question *q, void *arg);
/* Every question answered (first attempt) in [from_day, to_day], by group, version, video
 * and position. */
enum store_status store_stats_questions(struct store *st, int64_t from_day, int64_t to_day,
                                        store_stats_question_cb cb, void *arg);

/* unit is borrowed: valid during the call only. */
typedef int (*store_stats_delay_cb)(int64_t group_id, const char *unit, int64_t seconds,
                                    void *arg);
/* For each enrolment completed on a day in [from_day, to_day] whose written guidance was
 * sent before: the seconds from the first sending to completion. */
enum store_status store_stats_delays(struct store *st, int64_t from_day, int64_t to_day,
                                     store_stats_delay_cb cb, void *arg);

/* The pack a question belongs to. */
enum store_status store_question_pack(struct store *st, int64_t question_id, int64_t *pack_id);

/* An enrolment made with a time in the past (a group change dated back): the staff reads
 * of the citizen's answers logged since that time count as read for it, as the recount
 * counts them (the trigger on the access log only sees reads logged after the enrolment's
 * row).  The day sums follow through stats_enrolment's own trigger. */
enum store_status store_stats_reads_since_made(struct store *st, int64_t enrolment_id);

/* Recounts every aggregate from the base tables and compares: *differences gets how many
 * rows disagree (0 when the triggers kept everything right). */
enum store_status store_stats_verify(struct store *st, int64_t *differences);

#endif
