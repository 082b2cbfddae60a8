#include "packedit.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct packedit_new {
    int64_t group_id;
    int64_t now;
    int64_t pack_id;
    int missing; /* no published version to copy */
};

static enum store_status packedit_draft_txn(struct store *st, void *arg)
{
    struct packedit_new *n = arg;
    int64_t published;
    int version = 0;
    struct model_pack *p = NULL;
    n->missing = 0;
    enum store_status rc = store_pack_draft_id(st, n->group_id, &n->pack_id);
    if (rc != STORE_NOT_FOUND)
        return rc; /* the existing draft, or an error */
    rc = store_pack_published_id(st, n->group_id, &published);
    if (rc == STORE_NOT_FOUND)
        n->missing = 1;
    if (rc != STORE_OK)
        return rc;
    if ((rc = store_pack_load(st, published, &p)) != STORE_OK)
        return rc;
    if ((rc = store_pack_max_version(st, n->group_id, &version)) == STORE_OK) {
        p->version = version + 1;
        rc = store_pack_insert(st, p, n->now);
        n->pack_id = p->id;
    }
    model_pack_free(p);
    return rc;
}

enum packedit_result packedit_draft(struct store *st, int64_t group_id, int64_t now,
                                    int64_t *pack_id)
{
    struct packedit_new n = {group_id, now, 0, 0};
    enum store_status rc = store_txn(st, packedit_draft_txn, &n);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_FOUND;
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    *pack_id = n.pack_id;
    return PACKEDIT_OK;
}

enum packedit_result packedit_load_draft(struct store *st, int64_t pack_id,
                                         struct model_pack **out)
{
    enum store_status rc = store_pack_load(st, pack_id, out);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_FOUND;
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    if (strcmp((*out)->state, "draft") != 0) {
        model_pack_free(*out);
        *out = NULL;
        return PACKEDIT_NOT_DRAFT;
    }
    return PACKEDIT_OK;
}

static enum store_status packedit_save_txn(struct store *st, void *arg)
{
    return store_draft_save(st, arg);
}

enum packedit_result packedit_save(struct store *st, const struct model_pack *draft)
{
    enum store_status rc = store_txn(st, packedit_save_txn, (void *)draft);
    if (rc == STORE_NOT_FOUND || rc == STORE_CONFLICT)
        return PACKEDIT_NOT_DRAFT;
    return rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
}

struct packedit_pub {
    int64_t pack_id;
    int64_t now;
    struct content_problem *problem;
    enum packedit_result result;
    int version;
};

static enum store_status packedit_publish_txn(struct store *st, void *arg)
{
    struct packedit_pub *pb = arg;
    struct model_pack *p = NULL;
    pb->result = packedit_load_draft(st, pb->pack_id, &p);
    if (pb->result != PACKEDIT_OK)
        return pb->result == PACKEDIT_ERROR ? STORE_ERROR : STORE_NOT_FOUND;
    enum store_status rc = STORE_NOT_FOUND;
    if (content_pack_check(p, pb->problem) != 0) {
        pb->result = PACKEDIT_INVALID;
    } else {
        char hash[MODEL_HASH_HEX + 1];
        content_pack_hash(p, hash);
        rc = store_pack_publish(st, p->id, hash, pb->now);
        pb->version = p->version;
        pb->result = rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
    }
    model_pack_free(p);
    return rc;
}

enum packedit_result packedit_publish(struct store *st, int64_t pack_id, int64_t now,
                                      struct content_problem *problem, int *version)
{
    struct packedit_pub pb = {pack_id, now, problem, PACKEDIT_ERROR, 0};
    enum store_status rc = store_txn(st, packedit_publish_txn, &pb);
    if (rc != STORE_OK && pb.result == PACKEDIT_OK)
        return PACKEDIT_ERROR;
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return PACKEDIT_ERROR;
    *version = pb.version;
    return pb.result;
}

/* ------------------------------------------------------------------ media */

const char *packedit_media_type(const char *data, size_t len, const char *content_type)
{
    const char *ct = content_type ? content_type : "";
    if (len >= 12 && memcmp(data + 4, "ftyp", 4) == 0 && strncasecmp(ct, "video/mp4", 9) == 0)
        return "mp4";
    if (len >= 4 && memcmp(data, "\x1a\x45\xdf\xa3", 4) == 0 &&
        strncasecmp(ct, "video/webm", 10) == 0)
        return "webm";
    return NULL;
}

int packedit_store_media(const char *dir, const char *data, size_t len, const char *ext,
                         char name[MODEL_HASH_HEX + 8])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[MODEL_HASH_HEX + 1], path[1024], tmp[1100];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(name, MODEL_HASH_HEX + 8, "%s.%s", hex, ext);
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    struct stat sb;
    if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
        return 0;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    ok &= close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
