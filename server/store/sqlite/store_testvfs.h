/* store_testvfs — a SQLite VFS for tests that delays syncs, simulates a power cut or a
 * full disk.
 *
 * Only in the test build (compiled with -DVEJLED_TESTING: the sanitizer build `SAN=1` that
 * `make test` runs the HTTP suite on).  The production build has none of it: the
 * functions below are empty inline functions there and no environment variable is read.
 *
 * In the test build store_testvfs_init() reads, once at start (before any database is
 * opened):
 *   VEJLED_TEST_SYNC_DELAY_MS=N     every xSync sleeps N ms before it syncs
 *   VEJLED_TEST_POWERLOSS_SEED=S    power cut: after K file events (tracked writes,
 *                                   truncations and syncs), K drawn from S in
 *                                   1..VEJLED_TEST_POWERLOSS_SPAN (default 2000), every
 *                                   write not yet synced is undone on disk and the process
 *                                   stops itself with SIGKILL
 *   VEJLED_TEST_POWERLOSS_AFTER=K   the same with K given directly
 *   VEJLED_TEST_SYNCHRONOUS=OFF|NORMAL|FULL|EXTRA
 *                                   overrides PRAGMA synchronous (to prove that the power
 *                                   cut test notices a database that does not sync)
 *   VEJLED_TEST_DISK_FULL=PATH      a full disk while a file exists at PATH (fault.h): every
 *                                   write that would make a file of the database longer
 *                                   (the database, its journal, its WAL) fails with
 *                                   SQLITE_FULL, as SQLite's own VFS answers ENOSPC; writes
 *                                   within a file's length still go through (a WAL written
 *                                   again from the top needs no new space).  Read at every
 *                                   write, so a test fills and frees the disk while the
 *                                   server runs.  VEJLED_TEST_DISK_FULL_SCOPE=files leaves
 *                                   the database's writes alone (=database: only them)
 * When any of the first three or VEJLED_TEST_DISK_FULL is set, a VFS wrapping the default
 * one ("unix") is registered as the default; it passes every method through.
 *
 * The power cut leaves exactly what a real power loss could leave: before a byte of the
 * main database, its rollback journal or its WAL is changed (written or truncated away)
 * for the first time since that file's last sync, its synced value is kept in memory
 * (512-byte blocks); xSync drops what was kept once fsync returned.  At the cut, under the
 * lock every tracked write takes, each file gets its kept blocks back and is truncated to
 * its synced size, then fsync; the -shm index (memory-mapped, never synced: a real cut
 * loses it) is zeroed; then SIGKILL.  So the files hold what had been synced and nothing
 * else, and SQLite's next connection rebuilds the index from the WAL.
 * A file's size when this process first opens it counts as synced.
 */
#ifndef VEJLED_STORE_TESTVFS_H
#define VEJLED_STORE_TESTVFS_H

#ifdef VEJLED_TESTING
/* Reads the variables above; registers the VFS when asked.  0, or -1 with a message on
 * stderr when a value is malformed. */
int store_testvfs_init(void);
/* The PRAGMA synchronous value asked for by VEJLED_TEST_SYNCHRONOUS, or NULL (a static
 * string; not to be freed). */
const char *store_testvfs_synchronous(void);
#else
static inline int store_testvfs_init(void)
{
    return 0;
}
static inline const char *store_testvfs_synchronous(void)
{
    return (const char *)0;
}
#endif

#endif
