#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "mem.h"

static int files_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int files_list(const char *dir, const char *suffix, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    size_t slen = strlen(suffix);
    *names = NULL;
    *n = 0;
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= slen || de->d_name[0] == '.' ||
            strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        *names = xrealloc(*names, (*n + 1) * sizeof **names);
        (*names)[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, files_cmp);
    return 0;
}

void files_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int files_read(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, got);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

int files_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    if (n && fault_disk_full(FAULT_DISK_FILES)) {
        errno = ENOSPC;
        return -1;
    }
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) { /* no progress and no error: the disk takes nothing more */
            errno = ENOSPC;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int files_readable(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return 0;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, R_OK) == 0;
}

#define FILES_RECENT 8
#define FILES_RECENT_NAME 128

/* One thread's last answers (names longer than FILES_RECENT_NAME are not kept). */
struct files_recent {
    char dir[FILES_RECENT_NAME], name[FILES_RECENT_NAME];
    int64_t checked_ms;
    int readable;
};

static int64_t files_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int files_readable_recent(const char *dir, const char *name, unsigned max_age_ms)
{
    static _Thread_local struct files_recent recent[FILES_RECENT];
    static _Thread_local unsigned next;
    int64_t now = files_now_ms();
    if (strlen(dir) >= FILES_RECENT_NAME || strlen(name) >= FILES_RECENT_NAME)
        return files_readable(dir, name);
    for (size_t i = 0; i < FILES_RECENT; i++) {
        struct files_recent *r = &recent[i];
        if (r->checked_ms && strcmp(r->name, name) == 0 && strcmp(r->dir, dir) == 0) {
            if (now - r->checked_ms >= (int64_t)max_age_ms) {
                r->readable = files_readable(dir, name);
                r->checked_ms = now;
            }
            return r->readable;
        }
    }
    struct files_recent *r = &recent[next++ % FILES_RECENT];
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->readable = files_readable(dir, name);
    r->checked_ms = now > 0 ? now : 1;
    return r->readable;
}

int files_read_secret(const char *path, const char *what, unsigned char *out, size_t n,
                      char *err, size_t errlen)
{
    struct stat sb;
    int rc = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "the %s %s is not a regular file", what, path);
        goto out;
    }
    /* a key others may read is as good as published */
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "the %s %s may be read or written by others (mode %03o); allow only its owner "
                 "(chmod 600)",
                 what, path, (unsigned)(sb.st_mode & 0777));
        goto out;
    }
    if (sb.st_size != (off_t)n || read(fd, out, n) != (ssize_t)n) {
        snprintf(err, errlen, "the %s %s is damaged (expected %zu bytes)", what, path, n);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}
