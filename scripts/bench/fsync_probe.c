/* fsync_probe — how many write+fsync round trips per second the disk under DIR gives.
 *
 * The yardstick for durable commits: SQLite with synchronous=FULL syncs its WAL once per
 * commit, so without group commit the service could not acknowledge more answers per
 * second than this.  Writes 4 KiB at the start of a temp file and fsyncs it, for SECONDS
 * (default 2) or at most 200000 times, then prints "fsync/s: N" and removes the file.
 * usage: fsync_probe DIR [SECONDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fsync_probe DIR [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    char path[4096];
    snprintf(path, sizeof path, "%s/fsync-probe-%d.tmp", argv[1], (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    char block[4096];
    memset(block, 'x', sizeof block);
    long n = 0;
    double start = now_s(), t = start;
    while (n < 200000 && t - start < seconds) {
        block[0] = (char)n;
        if (pwrite(fd, block, sizeof block, 0) != (ssize_t)sizeof block || fsync(fd) != 0) {
            perror("write/fsync");
            close(fd);
            unlink(path);
            return 1;
        }
        n++;
        t = now_s();
    }
    close(fd);
    unlink(path);
    printf("fsync/s: %.0f\n", (double)n / (t - start));
    return 0;
}
