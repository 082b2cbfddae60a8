/* db_sqlite — the SQLite engine behind db.h (and, for a postgresql:// target, the hand-over
 * to the PostgreSQL driver: db_open() is the one entry point of both).
 *
 * A connection runs in WAL mode with synchronous=FULL (a commit that returned is on disk)
 * and foreign keys on; the test build's VFS may lower synchronous (store_testvfs.h).
 */
#include "db.h"
#include "db_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "store_testvfs.h"

/* After db_log_defer(): the connection's checkpoints run on a thread of their own. */
struct sq_checkpointer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t due_cv;
    int due, stop;
    int copied; /* the checkpointer has copied the WAL since the last hook */
    /* SQ_CHECKPOINT_BYTES and SQ_CHECKPOINT_ALONE_BYTES in this database's pages */
    int frames, alone_frames;
    char *path;
    unsigned busy_ms;
    const char *forced; /* the test build's synchronous level, or NULL */
};

struct db_sqlite {
    struct db base;
    sqlite3 *h;
    /* after db_log_defer(): the WAL file, synced by db_log_sync() from another thread */
    sqlite3_file *wal;
    bool nosync; /* the test build's VEJLED_TEST_SYNCHRONOUS=OFF: a sync syncs nothing */
    struct sq_checkpointer *ckpt;
    unsigned busy_ms;
    sqlite3_stmt *fixed[7]; /* sq_fixed's statements, prepared on first use */
    /* the WAL index's first region in shared memory (SQLite's own mapping, valid while
     * the connection is open), found by the first db_change_mark(); shm_tried: looked */
    const volatile uint32_t *shm;
    bool shm_tried;
};

/* The statements run on every transaction: kept prepared instead of parsed each time. */
static const char *const sq_fixed[7] = {"BEGIN",
                                        "BEGIN IMMEDIATE",
                                        "COMMIT",
                                        "ROLLBACK",
                                        "SAVEPOINT batch_item",
                                        "RELEASE batch_item",
                                        "ROLLBACK TO batch_item"};

/* The checkpointer is woken once the WAL holds this many bytes of pages (16 000 pages of
 * 4 KB, 64 000 of 1 KB; SQLite's own autocheckpoint default is 1000 pages).  Each checkpoint
 * ends with a short one on the writer's connection, which syncs the WAL and the database
 * file while the writer waits, and then the next commit syncs the WAL's new header: so
 * few of those per answer, and a page changed by many commits is copied once per
 * checkpoint.  In bytes, not pages, so that a database with smaller pages does not
 * checkpoint more often per answer.  Should the checkpointer fall behind by
 * SQ_CHECKPOINT_ALONE_BYTES, the writer checkpoints alone. */
#define SQ_CHECKPOINT_BYTES (64L << 20)
#define SQ_CHECKPOINT_ALONE_BYTES (256L << 20)

struct db_sqlite_stmt {
    struct db_stmt base;
    struct db_sqlite *db;
    sqlite3_stmt *h;
};

static struct db_sqlite *conn(struct db *db) { return (struct db_sqlite *)db; }
static struct db_sqlite_stmt *stm(struct db_stmt *s) { return (struct db_sqlite_stmt *)s; }

static enum db_result result_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_OK:
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    case SQLITE_FULL: return DB_FULL;
    default: return DB_ERROR;
    }
}

static void sq_checkpointer_stop(struct sq_checkpointer *k);

static void sq_close(struct db *db)
{
    struct db_sqlite *d = conn(db);
    sq_checkpointer_stop(d->ckpt); /* before the connection its hook points from */
    for (size_t i = 0; i < sizeof d->fixed / sizeof d->fixed[0]; i++)
        sqlite3_finalize(d->fixed[i]);
    sqlite3_close(d->h);
    free(db);
}

static const char *sq_errmsg(struct db *db) { return sqlite3_errmsg(conn(db)->h); }

static enum db_result sq_exec(struct db *db, const char *sql)
{
    struct db_sqlite *d = conn(db);
    for (size_t i = 0; i < sizeof sq_fixed / sizeof sq_fixed[0]; i++) {
        if (strcmp(sql, sq_fixed[i]) != 0)
            continue;
        if (!d->fixed[i] && sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                               &d->fixed[i], NULL) != SQLITE_OK)
            break;
        int rc = sqlite3_step(d->fixed[i]);
        sqlite3_reset(d->fixed[i]);
        return result_of(rc);
    }
    return result_of(sqlite3_exec(d->h, sql, NULL, NULL, NULL));
}

static enum db_result sq_begin(struct db *db, enum db_begin kind)
{
    return sq_exec(db, kind == DB_BEGIN_WRITE ? "BEGIN IMMEDIATE" : "BEGIN");
}

static enum db_result sq_serialize(struct db *db, int64_t key)
{
    (void)db;
    (void)key; /* BEGIN IMMEDIATE admits one writer at a time already */
    return DB_DONE;
}

static int64_t sq_changes(struct db *db) { return sqlite3_changes64(conn(db)->h); }

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The copy is taken in one backup step: one read transaction, so it is the database as of
 * one moment, and writers go on meanwhile (WAL).  Stepping a few pages at a time would
 * restart from the first page after every write by another connection, and under steady
 * answers it never finished.  The file is created here, exclusively and readable by the
 * owner only (it holds the encrypted CPR numbers and every answer); on failure it is
 * removed again. */
static int sq_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
    int rc = -1, created = 0;
    sqlite3 *to = NULL;
    sqlite3_backup *b = NULL;
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", dest, strerror(errno));
        goto out;
    }
    created = 1;
    close(fd);
    if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", dest, to ? sqlite3_errmsg(to) : "no memory");
        goto out;
    }
    b = sqlite3_backup_init(to, "main", conn(db)->h, "main");
    if (!b) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(to));
        goto out;
    }
    int step;
    for (int tries = 0; (step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
                        step == SQLITE_LOCKED;
         tries++) {
        if (tries == 500) /* 5 s: a writer holds the destination or the source locked */
            break;
        sleep_ms(10);
    }
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(step));
        goto out;
    }
    rc = 0;
out:
    if (b && sqlite3_backup_finish(b) != SQLITE_OK && rc == 0) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(to));
        rc = -1;
    }
    sqlite3_close(to);
    if (rc != 0 && created) {
        unlink(dest);
        char side[4096];
        snprintf(side, sizeof side, "%s-journal", dest);
        unlink(side);
    }
    return rc;
}

static enum db_result sq_secure_delete(struct db *db)
{
    return sq_exec(db, "PRAGMA secure_delete = ON");
}

static enum db_result sq_truncate_wal(struct db *db)
{
    int logged = 0, done = 0;
    int r = sqlite3_wal_checkpoint_v2(conn(db)->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, &logged,
                                      &done);
    return r == SQLITE_OK ? DB_DONE : result_of(r); /* BUSY: a reader holds old pages */
}

/* The WAL file's handle (opened by SQLite with the connection's first read and kept until
 * it closes), or NULL when the connection is not in WAL mode. */
static sqlite3_file *sq_wal_file(struct db_sqlite *d)
{
    sqlite3_file *f = NULL;
    if (sqlite3_exec(d->h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_file_control(d->h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods)
        return NULL;
    const char *mode = NULL;
    sqlite3_stmt *q = NULL;
    int wal = sqlite3_prepare_v2(d->h, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
              sqlite3_step(q) == SQLITE_ROW &&
              (mode = (const char *)sqlite3_column_text(q, 0)) && strcmp(mode, "wal") == 0;
    sqlite3_finalize(q);
    return wal ? f : NULL;
}

/* The checkpointer: its own connection (opened at the first checkpoint), woken by the
 * deferring connection's WAL hook once the WAL holds SQ_CHECKPOINT_BYTES of pages.  A
 * PASSIVE checkpoint syncs the WAL, copies what no reader still needs into the database
 * file and syncs that (synchronous=FULL on this connection); it never waits for the
 * writer, and the writer never waits for it (in WAL mode the two do not block each other). */
static void *sq_checkpointer_main(void *arg)
{
    struct sq_checkpointer *k = arg;
    sqlite3 *h = NULL;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->due && !k->stop)
            pthread_cond_wait(&k->due_cv, &k->mu);
        if (k->stop)
            break;
        k->due = 0;
        pthread_mutex_unlock(&k->mu);
        if (!h) {
            char pragma[48];
            snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", k->forced ? k->forced : "FULL");
            if (sqlite3_open_v2(k->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
                    SQLITE_OK ||
                sqlite3_exec(h, pragma, NULL, NULL, NULL) != SQLITE_OK) {
                fprintf(stderr, "vejled: cannot open the database for checkpoints: %s\n",
                        h ? sqlite3_errmsg(h) : "out of memory");
                sqlite3_close(h);
                h = NULL;
            } else {
                sqlite3_busy_timeout(h, (int)k->busy_ms);
            }
        }
        /* PASSIVE: copies the WAL into the database file and syncs both while the writer
         * goes on; BUSY (another checkpoint is running) is fine: the next commit asks
         * again.  Frames committed meanwhile are left for the writer (sq_wal_hook). */
        int logged = 0, copied = 0;
        if (h && sqlite3_wal_checkpoint_v2(h, "main", SQLITE_CHECKPOINT_PASSIVE, &logged,
                                           &copied) == SQLITE_OK) {
            pthread_mutex_lock(&k->mu);
            k->copied = 1;
            pthread_mutex_unlock(&k->mu);
        }
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    sqlite3_close(h);
    return NULL;
}

/* On the deferring connection's thread, after each of its commits: past
 * SQ_CHECKPOINT_BYTES the checkpointer is woken; once it has copied the WAL, this
 * connection checkpoints what was committed meanwhile (a few frames: a short pause
 * between two commits), so that the checkpoint is complete and the next commit can start
 * the WAL from the top again; a checkpoint on another connection could not finish while
 * this one keeps committing.  Should the checkpointer fall far behind, this connection
 * checkpoints alone, as SQLite's own autocheckpoint would. */
static int sq_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
    struct sq_checkpointer *k = arg;
    if (frames < k->frames)
        return SQLITE_OK;
    pthread_mutex_lock(&k->mu);
    int finish = k->copied || frames >= k->alone_frames;
    k->copied = 0;
    k->due = !finish;
    if (k->due)
        pthread_cond_signal(&k->due_cv);
    pthread_mutex_unlock(&k->mu);
    if (finish)
        sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* The database's page size in bytes, or 0. */
static long sq_page_size(struct db_sqlite *d)
{
    sqlite3_stmt *q = NULL;
    long size = 0;
    if (sqlite3_prepare_v2(d->h, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        size = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return size;
}

static struct sq_checkpointer *sq_checkpointer_start(struct db_sqlite *d, const char *forced)
{
    const char *path = sqlite3_db_filename(d->h, "main");
    long page = sq_page_size(d);
    if (!path || !*path || page <= 0)
        return NULL;
    struct sq_checkpointer *k = xcalloc(1, sizeof *k);
    k->frames = (int)(SQ_CHECKPOINT_BYTES / page);
    k->alone_frames = (int)(SQ_CHECKPOINT_ALONE_BYTES / page);
    k->path = xstrdup(path);
    k->busy_ms = d->busy_ms;
    k->forced = forced;
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->due_cv, NULL);
    sigset_t all, old; /* the process's stop signals are for main's sigwait */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int failed = pthread_create(&k->thread, NULL, sq_checkpointer_main, k) != 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (failed) {
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->due_cv);
        free(k->path);
        free(k);
        return NULL;
    }
    return k;
}

static void sq_checkpointer_stop(struct sq_checkpointer *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    pthread_cond_signal(&k->due_cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->due_cv);
    free(k->path);
    free(k);
}

/* synchronous=NORMAL in WAL mode: a commit writes its frames and returns.  A commit is made
 * durable by syncing the WAL file, which is what synchronous=FULL would have done inside
 * the commit (fdatasync of the whole file: every earlier commit with it).  The checkpoints
 * move to a thread of their own, so that copying the WAL into the database file and
 * syncing both never holds up the next commit. */
static int sq_log_defer(struct db *db)
{
    struct db_sqlite *d = conn(db);
    const char *forced = store_testvfs_synchronous(); /* NULL outside the test build */
    sqlite3_file *wal = sq_wal_file(d);
    if (!wal)
        return -1;
    if (!forced && sqlite3_exec(d->h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    d->nosync = forced && strcmp(forced, "OFF") == 0;
    d->wal = wal;
    d->ckpt = sq_checkpointer_start(d, forced);
    if (d->ckpt)
        sqlite3_wal_hook(d->h, sq_wal_hook, d->ckpt); /* in place of wal_autocheckpoint */
    return 0;
}

static int sq_log_sync(struct db *db)
{
    struct db_sqlite *d = conn(db);
    if (d->nosync)
        return 0;
    sqlite3_file *f = d->wal ? d->wal : sq_wal_file(d);
    if (!f)
        return 0; /* not in WAL mode: every commit synced itself (synchronous=FULL) */
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -1;
}

/* The WAL index (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): its
 * first 32 KB region begins with two copies of a 48-byte header.  A commit writes the
 * second copy, then (after a memory barrier) the first; a reader reads the first, then
 * the second, and trusts them only when they are equal, as SQLite's own readers do.  The
 * header changes with every commit: its change counter, last frame, frame checksum and
 * (when the WAL starts again from the top) salts. */
#define SQ_SHM_REGION 32768
#define SQ_SHM_HDR_WORDS (DB_MARK_LEN / 4)
#define SQ_SHM_ISINIT_BYTE 12 /* u8 isInit after iVersion, unused, iChange */

static const volatile uint32_t *sq_shm(struct db_sqlite *d)
{
    if (d->shm_tried)
        return d->shm;
    d->shm_tried = true;
    sqlite3_file *f = NULL;
    volatile void *p = NULL;
    /* the shared memory is attached by the connection's first read in WAL mode */
    if (sq_wal_file(d) &&
        sqlite3_file_control(d->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f &&
        f->pMethods && f->pMethods->iVersion >= 2 && f->pMethods->xShmMap &&
        f->pMethods->xShmMap(f, 0, SQ_SHM_REGION, 0, &p) == SQLITE_OK)
        d->shm = (const volatile uint32_t *)p;
    return d->shm;
}

static int sq_change_mark(struct db *db, struct db_mark *out)
{
    struct db_sqlite *d = conn(db);
    if (sqlite3_txn_state(d->h, "main") != SQLITE_TXN_NONE)
        return -1;
    const volatile uint32_t *h = sq_shm(d);
    if (!h)
        return -1;
    uint32_t first[SQ_SHM_HDR_WORDS], second[SQ_SHM_HDR_WORDS];
    for (size_t i = 0; i < SQ_SHM_HDR_WORDS; i++)
        first[i] = __atomic_load_n(&h[i], __ATOMIC_ACQUIRE);
    /* acquire loads: none of the second copy's is read before the first copy's */
    for (size_t i = 0; i < SQ_SHM_HDR_WORDS; i++)
        second[i] = __atomic_load_n(&h[SQ_SHM_HDR_WORDS + i], __ATOMIC_ACQUIRE);
    if (memcmp(first, second, sizeof first) != 0 ||
        ((const unsigned char *)first)[SQ_SHM_ISINIT_BYTE] != 1)
        return -1;
    memcpy(out->b, first, sizeof out->b);
    return 0;
}

/* ---- statements ---- */

static struct db_stmt *sq_prepare(struct db *db, const char *sql)
{
    sqlite3_stmt *h = NULL;
    if (sqlite3_prepare_v3(conn(db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL) !=
        SQLITE_OK)
        return NULL;
    struct db_sqlite_stmt *s = xcalloc(1, sizeof *s);
    s->base.engine = db->engine;
    s->db = conn(db);
    s->h = h;
    return &s->base;
}

static void sq_finalize(struct db_stmt *s)
{
    sqlite3_finalize(stm(s)->h);
    free(s);
}

static int sq_param_count(struct db_stmt *s) { return sqlite3_bind_parameter_count(stm(s)->h); }

static void sq_reset(struct db_stmt *s)
{
    sqlite3_reset(stm(s)->h);
    sqlite3_clear_bindings(stm(s)->h);
}

static int sq_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    return sqlite3_bind_int64(stm(s)->h, idx, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct db_stmt *s, int idx, const char *v)
{
    return sqlite3_bind_text(stm(s)->h, idx, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    return sqlite3_bind_blob64(stm(s)->h, idx, p, n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_null(struct db_stmt *s, int idx, enum db_type type)
{
    (void)type;
    return sqlite3_bind_null(stm(s)->h, idx) == SQLITE_OK ? 0 : -1;
}

static enum db_result sq_step(struct db_stmt *s) { return result_of(sqlite3_step(stm(s)->h)); }

static bool sq_col_null(struct db_stmt *s, int col)
{
    return sqlite3_column_type(stm(s)->h, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(struct db_stmt *s, int col)
{
    return sqlite3_column_int64(stm(s)->h, col);
}

static double sq_col_double(struct db_stmt *s, int col)
{
    return sqlite3_column_double(stm(s)->h, col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(stm(s)->h, col);
}

static const void *sq_col_blob(struct db_stmt *s, int col)
{
    return sqlite3_column_blob(stm(s)->h, col);
}

static size_t sq_col_bytes(struct db_stmt *s, int col)
{
    return (size_t)sqlite3_column_bytes(stm(s)->h, col);
}

static const struct db_engine sqlite_engine = {
    .dialect = DB_SQLITE,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .exec = sq_exec,
    .begin = sq_begin,
    .serialize = sq_serialize,
    .changes = sq_changes,
    .backup = sq_backup,
    .secure_delete = sq_secure_delete,
    .truncate_wal = sq_truncate_wal,
    .log_defer = sq_log_defer,
    .log_sync = sq_log_sync,
    .change_mark = sq_change_mark,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .param_count = sq_param_count,
    .reset = sq_reset,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_null = sq_col_null,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_bytes = sq_col_bytes,
};

/* SQLite's mutexes as adaptive pthread mutexes: a thread that finds one taken spins a
 * little before it sleeps.  Every read transaction takes the WAL index's mutex, shared by
 * all connections to the file, twice; with the default mutexes the server's threads went
 * to sleep and woke each other (a futex system call each way) on almost every page. */
struct sqlite3_mutex {
    pthread_mutex_t m;
};

static struct sqlite3_mutex sq_mutex_static[16]; /* SQLITE_MUTEX_STATIC_* (2 … 13 today) */

static void sq_mutex_make(pthread_mutex_t *m, int type)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, type);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

static int sq_mutex_init(void)
{
    static int done;
    if (!done) {
        for (size_t i = 0; i < sizeof sq_mutex_static / sizeof sq_mutex_static[0]; i++)
            sq_mutex_make(&sq_mutex_static[i].m, PTHREAD_MUTEX_ADAPTIVE_NP);
        done = 1;
    }
    return SQLITE_OK;
}

static int sq_mutex_end(void) { return SQLITE_OK; }

static sqlite3_mutex *sq_mutex_alloc(int id)
{
    if (id == SQLITE_MUTEX_FAST || id == SQLITE_MUTEX_RECURSIVE) {
        sqlite3_mutex *p = malloc(sizeof *p); /* not sqlite3_malloc: it may take a mutex */
        if (p)
            sq_mutex_make(&p->m, id == SQLITE_MUTEX_RECURSIVE ? PTHREAD_MUTEX_RECURSIVE
                                                              : PTHREAD_MUTEX_ADAPTIVE_NP);
        return p;
    }
    if (id >= 2 && (size_t)(id - 2) < sizeof sq_mutex_static / sizeof sq_mutex_static[0])
        return &sq_mutex_static[id - 2];
    return NULL;
}

static void sq_mutex_free(sqlite3_mutex *p)
{
    pthread_mutex_destroy(&p->m);
    free(p);
}

static void sq_mutex_enter(sqlite3_mutex *p) { pthread_mutex_lock(&p->m); }

static int sq_mutex_try(sqlite3_mutex *p)
{
    return pthread_mutex_trylock(&p->m) == 0 ? SQLITE_OK : SQLITE_BUSY;
}

static void sq_mutex_leave(sqlite3_mutex *p) { pthread_mutex_unlock(&p->m); }

/* Only SQLite's debug builds ask (in assertions). */
static int sq_mutex_held(sqlite3_mutex *p)
{
    (void)p;
    return 1;
}

void db_sqlite_process_init(void)
{
    static const sqlite3_mutex_methods mutexes = {
        sq_mutex_init, sq_mutex_end,   sq_mutex_alloc, sq_mutex_free, sq_mutex_enter,
        sq_mutex_try,  sq_mutex_leave, sq_mutex_held,  sq_mutex_held};
    /* no memory statistics: keeping them takes one process-wide lock around every
     * allocation SQLite makes, which the server's threads then queue for */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MUTEX, &mutexes);
}

int db_sqlite_file_migrated(const char *path)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    int r = -1;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto out;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT coalesce(max(name = 'schema_migrations'), 0), count(*)"
                                " FROM sqlite_master WHERE type = 'table'",
                                -1, &q, NULL);
    if (rc == SQLITE_NOTADB) {
        r = 0;
        goto out;
    }
    if (rc != SQLITE_OK)
        goto out;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        r = sqlite3_column_int(q, 0) ? 1 : sqlite3_column_int(q, 1) == 0 ? 2 : 0;
    else
        r = rc == SQLITE_NOTADB ? 0 : -1;
out:
    sqlite3_finalize(q);
    sqlite3_close(h);
    return r;
}

int db_sqlite_open(const char *path, unsigned busy_ms, struct db **out, char *err,
                   size_t errlen)
{
    struct db_sqlite *d = xcalloc(1, sizeof *d);
    d->base.engine = &sqlite_engine;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 d->h ? sqlite3_errmsg(d->h) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(d->h, (int)busy_ms);
    d->busy_ms = busy_ms;
    sqlite3_extended_result_codes(d->h, 1);
    /* cache_size: 2 MB of pages per connection (SQLite's own default).  The file's pages
     * are in the kernel's cache anyway; with 8 MB a server's six or more connections grew
     * to 40 MB of RSS as the working set grew, for no speed on the pages or the dashboard. */
    /* page_size: a database made here gets 1 KB pages (it keeps the size it was made with;
     * the pragma does nothing once the file holds one).  An answer changes a few index
     * pages far apart (a citizen's answers, the citizen's journal entries), each written
     * whole into the WAL at every commit and synced: with 1 KB pages instead of SQLite's
     * 4 KB a durable answer writes less than half the bytes (9.5 against 21 KB measured)
     * and the same load commits 1.14 times as many durable answers; the pages read as
     * fast (docs/performance.md, the eighth round). */
    static const char *const pragmas =
        "PRAGMA page_size=1024;"
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2000;";
    char *msg = NULL;
    if (sqlite3_exec(d->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    const char *sync = store_testvfs_synchronous(); /* NULL outside the test build */
    if (sync) {
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", sync);
        if (sqlite3_exec(d->h, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "cannot configure database %s", path);
            goto fail;
        }
    }
    *out = &d->base;
    return 0;
fail:
    sq_close(&d->base);
    return -1;
}
