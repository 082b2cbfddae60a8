/* fault — named fault points for tests, compiled only into the test build.
 *
 * In the test build (-DVEJLED_TESTING, the sanitizer build that `make test` runs the HTTP
 * suite on) fault_point(name) kills the process with SIGKILL when the environment variable
 * VEJLED_FAULT equals name, so a test can stop the program at an exact place (e.g.
 * "after_channel_write": a delivery written but not yet recorded).  In the production
 * build fault_point() is an empty inline function and VEJLED_FAULT is never read.
 *
 * A full disk, switched at run time: while a file exists at the path that the environment
 * variable VEJLED_TEST_DISK_FULL names, fault_disk_full() is true.  Then every write that
 * would grow a file of the database (its WAL and journal included) fails with SQLITE_FULL
 * in the test VFS (store_testvfs.h; the variable registers it), as SQLite's own VFS answers
 * ENOSPC there, and files_write_all() (the outbox's letters, the media files, uploads)
 * fails with ENOSPC before it writes a byte.  The test creates the file to fill the disk
 * and removes it to give the space back, without restarting the server.
 * VEJLED_TEST_DISK_FULL_SCOPE=database or =files fills only that one (the outbox may lie on
 * another file system than the database); unset, both.  In the production build
 * fault_disk_full() is an inline 0 and neither variable is ever read.
 */
#ifndef VEJLED_FAULT_H
#define VEJLED_FAULT_H

#ifdef VEJLED_TESTING
/* Kills the process (SIGKILL) when VEJLED_FAULT is name; returns otherwise. */
void fault_point(const char *name);
/* Which writes a full disk refuses. */
enum fault_disk { FAULT_DISK_DATABASE, FAULT_DISK_FILES };
/* 1 while the file named by VEJLED_TEST_DISK_FULL exists and the scope takes in which,
 * else 0.  Any thread. */
int fault_disk_full(enum fault_disk which);
#else
static inline void fault_point(const char *name)
{
    (void)name;
}
enum fault_disk { FAULT_DISK_DATABASE, FAULT_DISK_FILES };
static inline int fault_disk_full(enum fault_disk which)
{
    (void)which;
    return 0;
}
#endif

#endif
