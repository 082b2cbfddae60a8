#include "purge.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "model.h"

#define PURGE_BATCH 256
#define PURGE_MAX_DAYS (365 * 200)

int purge_parse_period(const char *s, int64_t *days)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return -1;
    long long n = strtoll(s, &end, 10);
    if (errno || n < 1)
        return -1;
    long long unit;
    if (*end == 'd') /* a bare number is refused: "5" meant as years would purge after days */
        unit = 1, end++;
    else if (*end == 'm')
        unit = 30, end++;
    else if (*end == 'y')
        unit = 365, end++;
    else
        return -1;
    if (*end || n > PURGE_MAX_DAYS / unit)
        return -1;
    *days = n * unit;
    return 0;
}

struct purge_one {
    int64_t citizen_id;
    int64_t now;
    int64_t days;
    const char *outbox_dir; /* NULL or "": no outbox */
};

struct purge_files {
    const char *dir;
};

static int purge_unlink(const char *message_id, void *arg);

/* One citizen, if still a candidate under the write lock: the list was read before, and
 * another server may have enrolled the citizen again since.  The outbox files first, in
 * the same transaction (no letter can be recorded for the citizen meanwhile): if the
 * purge then fails, the files are gone and the next run purges the rest. */
static enum store_status purge_txn(struct store *st, void *arg)
{
    struct purge_one *p = arg;
    char uuid[MODEL_UUID_LEN + 1];
    enum store_status rc = store_purge_candidate(st, p->citizen_id, p->now - p->days * 86400);
    if (rc == STORE_OK && p->outbox_dir && *p->outbox_dir) {
        struct purge_files f = {p->outbox_dir};
        rc = store_citizen_outbox_messages(st, p->citizen_id, purge_unlink, &f);
    }
    if (rc == STORE_OK)
        rc = store_citizen_uuid(st, p->citizen_id, uuid);
    if (rc != STORE_OK)
        return rc;
    rc = store_citizen_purge(st, p->citizen_id, p->now);
    int cancelled = 0;
    if (rc == STORE_OK)
        rc = store_jobs_cancel_citizen(st, p->citizen_id, p->now, &cancelled);
    if (rc != STORE_OK)
        return rc;
    json_t *data = json_pack("{s:s, s:I, s:i}", "reason", "retention", "retention_days",
                             (json_int_t)p->days, "letters_cancelled", cancelled);
    rc = journal_append(st, p->now, "citizen_purged", "retention", uuid, "", data, NULL);
    json_decref(data);
    return rc;
}

static int purge_unlink(const char *message_id, void *arg)
{
    struct purge_files *f = arg;
    static const char *const ext[] = {".xml", ".pdf"};
    /* a message id is a UUID: nothing in it can leave the folder */
    if (strspn(message_id, "0123456789abcdef-") != strlen(message_id))
        return 0;
    for (size_t i = 0; i < 5; i++) {
        /* the files, and what a pass stopped between writing and renaming left of them
         * (".<name>.tmp", channel.c): those hold the CPR too; and the placement marker
         * (empty, but named by the letter) */
        char path[4096];
        if (i == 4)
            snprintf(path, sizeof path, "%s/.%s.placed", f->dir, message_id);
        else
            snprintf(path, sizeof path, i < 2 ? "%s/%s%s" : "%s/.%s%s.tmp", f->dir,
                     message_id, ext[i % 2]);
        if (unlink(path) != 0 && errno != ENOENT)
            fprintf(stderr, "vejled: purge: cannot remove an outbox file: %s\n", strerror(errno));
    }
    return 0;
}

int purge_run(struct store *st, int64_t days, int64_t now, const char *outbox_dir,
              size_t *purged)
{
    int64_t ids[PURGE_BATCH];
    size_t n = 0;
    *purged = 0;
    if (store_secure_delete(st) != STORE_OK)
        return -1;
    do {
        if (store_purge_candidates(st, now - days * 86400, ids, PURGE_BATCH, &n) != STORE_OK)
            return -1;
        size_t skipped = 0;
        for (size_t i = 0; i < n; i++) {
            struct purge_one one = {ids[i], now, days, outbox_dir};
            enum store_status rc = store_txn(st, purge_txn, &one);
            if (rc == STORE_OK)
                (*purged)++;
            else if (rc == STORE_NOT_FOUND)
                skipped++; /* active again: not a candidate any more */
            else
                return -1;
        }
        if (skipped == n)
            break; /* the same full batch again would be read */
    } while (n == PURGE_BATCH);
    if (*purged && store_checkpoint_truncate(st) == STORE_BUSY)
        fprintf(stderr, "vejled: purge: readers kept the WAL; it is truncated at the next "
                        "checkpoint\n");
    return 0;
}
