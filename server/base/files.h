/* files — the few file-system chores several modules share: the sorted names of a
 * folder's files with a given ending (migrations, pack files), and reading a whole file. */
#ifndef VEJLED_FILES_H
#define VEJLED_FILES_H

#include <stddef.h>

#include "buf.h"

/* The names (not paths) of the entries of dir ending in suffix, sorted bytewise.
 * 0 with *names (free with files_free_names) and *n, or -1 (errno set) when dir cannot
 * be read. */
int files_list(const char *dir, const char *suffix, char ***names, size_t *n);
void files_free_names(char **names, size_t n);

/* Appends the whole file at path to out.  0 or -1. */
int files_read(const char *path, struct buf *out);

/* Reads a secret key of exactly n bytes from path into out: a regular file (no symlink)
 * that neither group nor others may read or write.  what names the file in err ("key
 * file", "signing key file").  0, or -1 with err. */
int files_read_secret(const char *path, const char *what, unsigned char *out, size_t n,
                      char *err, size_t errlen);

/* Writes all n bytes of data to fd (again after EINTR and short writes).  0, or -1 with
 * errno (ENOSPC: the disk is full).  The test build's full-disk switch (fault.h) makes it
 * fail with ENOSPC. */
int files_write_all(int fd, const void *data, size_t n);

/* 1 when dir/name is a regular file that can be read, else 0. */
int files_readable(const char *dir, const char *name);
/* files_readable() as it was at most max_age_ms ago: the answers are kept per thread for
 * the last few names asked about, so that a page asked for thousands of times a second
 * does not cost a file-system call each time.  A file that appears or goes is noticed
 * within max_age_ms. */
int files_readable_recent(const char *dir, const char *name, unsigned max_age_ms);

#endif
