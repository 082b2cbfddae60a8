/* store_testvfs — slow syncs and simulated power cuts for tests (store_testvfs.h).
 * Compiled to nothing unless VEJLED_TESTING is defined. */
#include "store_testvfs.h"

#ifdef VEJLED_TESTING

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

#define TV_BLOCK 512
#define TV_TRACKED (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)

/* The synced value of one block, kept until the file's next sync. */
struct tv_block {
    sqlite3_int64 index;
    int len;
    unsigned char data[TV_BLOCK];
};

/* One tracked file (by full path; every handle on it shares this). */
struct tv_track {
    char *path;
    sqlite3_int64 synced;   /* size at the last sync */
    unsigned char *saved;   /* bitmap: block i kept since the last sync */
    size_t saved_bytes;
    struct tv_block *blocks;
    size_t nblocks, cap;
    struct tv_track *next;
};

struct tv_file {
    sqlite3_file base;
    struct tv_track *track; /* NULL: not tracked */
    sqlite3_file *real;     /* the wrapped file, right after this struct */
};

static sqlite3_vfs tv_vfs;
static sqlite3_vfs *tv_real;
static unsigned tv_sync_delay_ms;
static int tv_powerloss;
static uint64_t tv_cut_after; /* events before the cut */
static uint64_t tv_events;
static const char *tv_synchronous;
static pthread_mutex_t tv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tv_track *tv_tracks;

/* ------------------------------------------------------------------ tracking */

static void tv_forget(struct tv_track *t)
{
    for (size_t i = 0; i < t->nblocks; i++) {
        sqlite3_int64 b = t->blocks[i].index;
        t->saved[b / 8] &= (unsigned char)~(1u << (b % 8));
    }
    t->nblocks = 0;
}

static void tv_track_free(struct tv_track *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->saved);
    free(t->blocks);
    free(t);
}

/* Keeps the synced value of every block of [from, to) below the synced size not kept yet. */
static int tv_keep(struct tv_track *t, sqlite3_file *real, sqlite3_int64 from, sqlite3_int64 to)
{
    if (to > t->synced)
        to = t->synced;
    if (from >= to)
        return SQLITE_OK;
    for (sqlite3_int64 b = from / TV_BLOCK; b <= (to - 1) / TV_BLOCK; b++) {
        size_t byte = (size_t)(b / 8);
        if (byte >= t->saved_bytes) {
            size_t n = (byte + 1) * 2;
            unsigned char *m = realloc(t->saved, n);
            if (!m)
                return SQLITE_NOMEM;
            memset(m + t->saved_bytes, 0, n - t->saved_bytes);
            t->saved = m;
            t->saved_bytes = n;
        }
        if (t->saved[byte] & (1u << (b % 8)))
            continue;
        if (t->nblocks == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            struct tv_block *nb = realloc(t->blocks, cap * sizeof *nb);
            if (!nb)
                return SQLITE_NOMEM;
            t->blocks = nb;
            t->cap = cap;
        }
        struct tv_block *k = &t->blocks[t->nblocks];
        sqlite3_int64 off = b * TV_BLOCK;
        k->index = b;
        k->len = (int)(t->synced - off < TV_BLOCK ? t->synced - off : TV_BLOCK);
        int rc = real->pMethods->xRead(real, k->data, k->len, off);
        if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
            return rc;
        t->nblocks++;
        t->saved[byte] |= (unsigned char)(1u << (b % 8));
    }
    return SQLITE_OK;
}

static void tv_write_all(int fd, const unsigned char *p, size_t n, off_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
        off += w;
    }
}

/* A real cut loses the -shm index with the page cache: it is zeroed (not truncated:
 * this process still has it mapped, and a mapping past the end of a file faults). */
static void tv_zero_shm(const char *wal_path)
{
    size_t n = strlen(wal_path);
    if (n < 4 || strcmp(wal_path + n - 4, "-wal") != 0)
        return;
    char *shm = strdup(wal_path);
    if (!shm)
        return;
    memcpy(shm + n - 4, "-shm", 4);
    int fd = open(shm, O_RDWR | O_CLOEXEC);
    free(shm);
    if (fd < 0)
        return;
    static const unsigned char zero[TV_BLOCK];
    off_t size = lseek(fd, 0, SEEK_END);
    for (off_t off = 0; off < size; off += TV_BLOCK)
        tv_write_all(fd, zero, (size_t)(size - off < TV_BLOCK ? size - off : TV_BLOCK), off);
    fsync(fd);
    close(fd);
}

/* The power cut (tv_lock held, never released): every tracked file back to what was
 * synced, the -shm index zeroed, then SIGKILL. */
static void tv_cut(void)
{
    for (struct tv_track *t = tv_tracks; t; t = t->next) {
        int fd = open(t->path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        for (size_t i = 0; i < t->nblocks; i++)
            tv_write_all(fd, t->blocks[i].data, (size_t)t->blocks[i].len,
                         (off_t)(t->blocks[i].index * TV_BLOCK));
        if (ftruncate(fd, (off_t)t->synced) != 0)
            perror("vejled: test power cut: ftruncate");
        fsync(fd);
        close(fd);
    }
    for (struct tv_track *t = tv_tracks; t; t = t->next)
        tv_zero_shm(t->path);
    fprintf(stderr, "vejled: test power cut after %" PRIu64 " file events\n", tv_events);
    fflush(stderr);
    raise(SIGKILL);
    _exit(137);
}

/* Counts one event; cuts the power when it is the chosen one (tv_lock held). */
static void tv_event(void)
{
    if (++tv_events >= tv_cut_after)
        tv_cut();
}

/* ------------------------------------------------------------------ file methods */

static int tv_close(sqlite3_file *f)
{
    struct tv_file *p = (struct tv_file *)f;
    int rc = p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
    p->base.pMethods = NULL;
    return rc;
}

static int tv_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xRead(p->real, buf, n, off);
}

/* The full disk (fault_disk_full()): a write that would make the file longer finds no
 * space; one within the file's length overwrites blocks it already has, as on a real disk. */
static int tv_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    struct tv_file *p = (struct tv_file *)f;
    sqlite3_int64 size = 0;
    if (fault_disk_full(FAULT_DISK_DATABASE) && (p->real->pMethods->xFileSize(p->real, &size) != SQLITE_OK ||
                              off + n > size))
        return SQLITE_FULL;
    if (!p->track)
        return p->real->pMethods->xWrite(p->real, buf, n, off);
    pthread_mutex_lock(&tv_lock);
    tv_event();
    int rc = tv_keep(p->track, p->real, off, off + n);
    if (rc == SQLITE_OK)
        rc = p->real->pMethods->xWrite(p->real, buf, n, off);
    pthread_mutex_unlock(&tv_lock);
    return rc;
}

static int tv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct tv_file *p = (struct tv_file *)f;
    if (!p->track)
        return p->real->pMethods->xTruncate(p->real, size);
    pthread_mutex_lock(&tv_lock);
    tv_event();
    int rc = tv_keep(p->track, p->real, size, p->track->synced);
    if (rc == SQLITE_OK)
        rc = p->real->pMethods->xTruncate(p->real, size);
    pthread_mutex_unlock(&tv_lock);
    return rc;
}

static int tv_sync(sqlite3_file *f, int flags)
{
    struct tv_file *p = (struct tv_file *)f;
    if (tv_sync_delay_ms) {
        struct timespec ts = {(time_t)(tv_sync_delay_ms / 1000),
                              (long)(tv_sync_delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (!p->track)
        return p->real->pMethods->xSync(p->real, flags);
    pthread_mutex_lock(&tv_lock);
    tv_event();
    int rc = p->real->pMethods->xSync(p->real, flags);
    sqlite3_int64 size = 0;
    if (rc == SQLITE_OK)
        rc = p->real->pMethods->xFileSize(p->real, &size);
    if (rc == SQLITE_OK) {
        p->track->synced = size;
        tv_forget(p->track);
    }
    pthread_mutex_unlock(&tv_lock);
    return rc;
}

static int tv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xFileSize(p->real, size);
}

static int tv_lock_file(sqlite3_file *f, int level)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xLock(p->real, level);
}

static int tv_unlock(sqlite3_file *f, int level)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xUnlock(p->real, level);
}

static int tv_check_reserved(sqlite3_file *f, int *out)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xCheckReservedLock(p->real, out);
}

static int tv_file_control(sqlite3_file *f, int op, void *arg)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xFileControl(p->real, op, arg);
}

static int tv_sector_size(sqlite3_file *f)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xSectorSize(p->real);
}

static int tv_device(sqlite3_file *f)
{
    struct tv_file *p = (struct tv_file *)f;
    return p->real->pMethods->xDeviceCharacteristics(p->real);
}

static int tv_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **pp)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion < 2)
        return SQLITE_IOERR_SHMMAP;
    return p->real->pMethods->xShmMap(p->real, region, size, extend, pp);
}

static int tv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion < 2)
        return SQLITE_IOERR_SHMLOCK;
    return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

static void tv_shm_barrier(sqlite3_file *f)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion >= 2)
        p->real->pMethods->xShmBarrier(p->real);
}

static int tv_shm_unmap(sqlite3_file *f, int del)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion < 2)
        return SQLITE_OK;
    return p->real->pMethods->xShmUnmap(p->real, del);
}

static int tv_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion < 3) {
        *pp = NULL;
        return SQLITE_OK;
    }
    return p->real->pMethods->xFetch(p->real, off, n, pp);
}

static int tv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *ptr)
{
    struct tv_file *p = (struct tv_file *)f;
    if (p->real->pMethods->iVersion < 3)
        return SQLITE_OK;
    return p->real->pMethods->xUnfetch(p->real, off, ptr);
}

static const sqlite3_io_methods tv_methods = {
    3,
    tv_close,
    tv_read,
    tv_write,
    tv_truncate,
    tv_sync,
    tv_file_size,
    tv_lock_file,
    tv_unlock,
    tv_check_reserved,
    tv_file_control,
    tv_sector_size,
    tv_device,
    tv_shm_map,
    tv_shm_lock,
    tv_shm_barrier,
    tv_shm_unmap,
    tv_fetch,
    tv_unfetch,
};

/* ------------------------------------------------------------------ VFS methods */

/* The track for path, made when missing (tv_lock held).  NULL when out of memory. */
static struct tv_track *tv_track_of(const char *path, sqlite3_file *real)
{
    for (struct tv_track *t = tv_tracks; t; t = t->next)
        if (strcmp(t->path, path) == 0)
            return t;
    struct tv_track *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        tv_track_free(t);
        return NULL;
    }
    if (real->pMethods->xFileSize(real, &t->synced) != SQLITE_OK)
        t->synced = 0;
    t->next = tv_tracks;
    tv_tracks = t;
    return t;
}

static int tv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    struct tv_file *p = (struct tv_file *)f;
    p->base.pMethods = NULL;
    p->track = NULL;
    p->real = (sqlite3_file *)(p + 1);
    int rc = tv_real->xOpen(tv_real, name, p->real, flags, out);
    if (rc != SQLITE_OK || !p->real->pMethods)
        return rc;
    if (tv_powerloss && name && (flags & TV_TRACKED)) {
        pthread_mutex_lock(&tv_lock);
        p->track = tv_track_of(name, p->real);
        pthread_mutex_unlock(&tv_lock);
        if (!p->track) {
            p->real->pMethods->xClose(p->real);
            return SQLITE_NOMEM;
        }
    }
    p->base.pMethods = &tv_methods;
    return SQLITE_OK;
}

static int tv_delete(sqlite3_vfs *vfs, const char *name, int dir_sync)
{
    (void)vfs;
    if (!tv_powerloss)
        return tv_real->xDelete(tv_real, name, dir_sync);
    pthread_mutex_lock(&tv_lock);
    int rc = tv_real->xDelete(tv_real, name, dir_sync);
    for (struct tv_track **pp = &tv_tracks; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->path, name) == 0) {
            struct tv_track *t = *pp;
            *pp = t->next;
            tv_track_free(t);
            break;
        }
    }
    pthread_mutex_unlock(&tv_lock);
    return rc;
}

/* ------------------------------------------------------------------ set-up */

static int tv_env_u64(const char *name, uint64_t *out)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || v[0] == '-') {
        fprintf(stderr, "vejled: %s is not a number: %s\n", name, v);
        return -1;
    }
    *out = n;
    return 1;
}

static uint64_t tv_splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

int store_testvfs_init(void)
{
    uint64_t delay = 0, seed = 0, span = 2000, after = 0;
    int has_delay = tv_env_u64("VEJLED_TEST_SYNC_DELAY_MS", &delay);
    int has_seed = tv_env_u64("VEJLED_TEST_POWERLOSS_SEED", &seed);
    int has_span = tv_env_u64("VEJLED_TEST_POWERLOSS_SPAN", &span);
    int has_after = tv_env_u64("VEJLED_TEST_POWERLOSS_AFTER", &after);
    if (has_delay < 0 || has_seed < 0 || has_span < 0 || has_after < 0)
        return -1;
    if (delay > 60000 || span == 0) {
        fprintf(stderr, "vejled: VEJLED_TEST_SYNC_DELAY_MS at most 60000, "
                        "VEJLED_TEST_POWERLOSS_SPAN at least 1\n");
        return -1;
    }
    const char *sync = getenv("VEJLED_TEST_SYNCHRONOUS");
    if (sync && *sync) {
        static const char *const levels[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
            if (strcmp(sync, levels[i]) == 0)
                tv_synchronous = levels[i];
        if (!tv_synchronous) {
            fprintf(stderr, "vejled: VEJLED_TEST_SYNCHRONOUS is OFF, NORMAL, FULL or EXTRA\n");
            return -1;
        }
    }
    tv_sync_delay_ms = (unsigned)delay;
    if (has_after) {
        tv_powerloss = 1;
        tv_cut_after = after ? after : 1;
    } else if (has_seed) {
        tv_powerloss = 1;
        tv_cut_after = 1 + tv_splitmix(seed) % span;
    }
    const char *full = getenv("VEJLED_TEST_DISK_FULL");
    const char *scope = getenv("VEJLED_TEST_DISK_FULL_SCOPE");
    if (scope && *scope && strcmp(scope, "database") != 0 && strcmp(scope, "files") != 0) {
        fprintf(stderr, "vejled: VEJLED_TEST_DISK_FULL_SCOPE is database or files\n");
        return -1;
    }
    if (!has_delay && !tv_powerloss && !(full && *full))
        return 0;
    tv_real = sqlite3_vfs_find(NULL);
    if (!tv_real) {
        fprintf(stderr, "vejled: no default SQLite VFS\n");
        return -1;
    }
    tv_vfs = *tv_real;
    tv_vfs.pNext = NULL;
    tv_vfs.zName = "vejled-test";
    tv_vfs.szOsFile = (int)sizeof(struct tv_file) + tv_real->szOsFile;
    tv_vfs.xOpen = tv_open;
    tv_vfs.xDelete = tv_delete;
    if (sqlite3_vfs_register(&tv_vfs, 1) != SQLITE_OK) {
        fprintf(stderr, "vejled: cannot register the test VFS\n");
        return -1;
    }
    if (tv_powerloss)
        fprintf(stderr, "vejled: test power cut armed after %" PRIu64 " file events\n",
                tv_cut_after);
    return 0;
}

const char *store_testvfs_synchronous(void)
{
    return tv_synchronous;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int store_testvfs_unused;
#endif
