/* Benchmark: finding and claiming the due jobs of a scheduler pass (store_jobs_claim, the
 * scheduler's own code path) in a database of N enrolments.  Delivery is excluded.
 * Built and run by scripts/bench/scheduler.sh; usage: claim DB NOW BATCH */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store.h"

struct claim {
    int64_t now;
    struct store_job *out;
    size_t max, n;
};

static enum store_status claim_txn(struct store *st, void *arg)
{
    struct claim *c = arg;
    return store_jobs_claim(st, c->now, 600, NULL, "bench", c->out, c->max, &c->n);
}

int main(int argc, char **argv)
{
    struct store *st;
    char err[256];
    if (argc != 4 || store_open(argv[1], 5000, &st, err, sizeof err)) {
        fprintf(stderr, "usage: claim DB NOW BATCH\n");
        return 2;
    }
    struct claim c = {atoll(argv[2]), NULL, (size_t)atoll(argv[3]), 0};
    c.out = calloc(c.max, sizeof *c.out);
    struct timespec a, b;
    size_t total = 0;
    int rounds = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        if (store_txn(st, claim_txn, &c) != STORE_OK)
            return 1;
        total += c.n;
        rounds++;
    } while (c.n == c.max);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    printf("claimed %zu due jobs in %d transaction(s) of up to %zu: %.2f ms\n", total, rounds,
           c.max, ms);
    free(c.out);
    store_close(st);
    return 0;
}
