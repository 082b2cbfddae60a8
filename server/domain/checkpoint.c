#include "checkpoint.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "journal.h"
#include "mem.h"
#include "merkle.h"

void checkpoint_message(const struct store_checkpoint *c, struct buf *out)
{
    buf_printf(out, "%s\n%lld\n%s\n%s\n%s\n%s", CHECKPOINT_FORMAT, (long long)c->signed_seq,
               c->head_hash, c->tree_root, c->signed_at, c->key_id);
}

static int checkpoint_hex32(const char *hex, unsigned char out[MERKLE_HASH])
{
    size_t len = 0;
    const char *end = NULL;
    if (!hex || strlen(hex) != 2 * MERKLE_HASH)
        return -1;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -1; /* lower-case hex only: one spelling per hash */
    if (sodium_hex2bin(out, MERKLE_HASH, hex, 2 * MERKLE_HASH, NULL, &len, &end) != 0 ||
        len != MERKLE_HASH)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ taking one */

struct checkpoint_root_walk {
    struct merkle_frontier f;
    int64_t expect;
    int bad;
};

static int checkpoint_root_one(int64_t seq, const char *hash, void *arg)
{
    struct checkpoint_root_walk *w = arg;
    unsigned char h[MERKLE_HASH], leaf[MERKLE_HASH];
    if (seq != w->expect || checkpoint_hex32(hash, h) != 0) {
        w->bad = 1;
        return 1;
    }
    merkle_leaf(h, leaf);
    merkle_frontier_add(&w->f, leaf);
    w->expect++;
    return 0;
}

struct checkpoint_txn {
    const struct signkey *key;
    int64_t now;
    struct store_checkpoint c; /* filled but journal_seq */
    int taken;
};

static enum store_status checkpoint_txn_fn(struct store *st, void *arg)
{
    struct checkpoint_txn *t = arg;
    struct store_checkpoint last;
    enum store_status rc = store_checkpoint_latest(st, &last);
    if (rc == STORE_OK && last.signed_seq >= t->c.signed_seq)
        return STORE_OK; /* someone else signed this far meanwhile */
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return rc;
    json_t *data = checkpoint_json(&t->c);
    rc = journal_append(st, t->now, "checkpoint", "system", "", "", data, &t->c.journal_seq);
    json_decref(data);
    if (rc == STORE_OK)
        rc = store_checkpoint_insert(st, &t->c, t->now);
    if (rc == STORE_OK)
        t->taken = 1;
    return rc;
}

int checkpoint_take(struct store *st, const struct signkey *k, int64_t now, int64_t min_age_s,
                    struct store_checkpoint *out, int *taken)
{
    struct checkpoint_txn t;
    struct store_checkpoint last;
    struct checkpoint_root_walk w;
    struct buf msg = {0};
    unsigned char root[MERKLE_HASH];
    int64_t tail = 0, last_at = 0;
    int rc = -1, have_last = 0;
    memset(&t, 0, sizeof t);
    memset(&w, 0, sizeof w);
    if (taken)
        *taken = 0;
    /* the root is computed in a read snapshot, outside the write lock: the checkpoint
     * covers the head as it was then, even if entries arrive meanwhile */
    store_read_begin(st); /* without it the reads simply run one by one */
    enum store_status s = store_checkpoint_latest(st, &last);
    if (s != STORE_OK && s != STORE_NOT_FOUND)
        goto out;
    have_last = s == STORE_OK;
    if (store_journal_tail(st, &tail, t.c.head_hash) != STORE_OK)
        goto out;
    if (tail == 0) {
        rc = 1;
        goto out;
    }
    if (have_last && clock_parse_rfc3339(last.signed_at, &last_at) != 0)
        last_at = 0;
    if (have_last &&
        (last.journal_seq >= tail || (min_age_s > 0 && now - last_at < min_age_s))) {
        rc = 0; /* the head did not move, or the newest is recent enough */
        goto out;
    }
    w.expect = 1;
    if (store_journal_hashes(st, tail, checkpoint_root_one, &w) != STORE_OK || w.bad ||
        w.f.size != (uint64_t)tail || merkle_frontier_root(&w.f, root) != 0)
        goto out;
    store_read_end(st);
    t.key = k;
    t.now = now;
    t.c.signed_seq = tail;
    sodium_bin2hex(t.c.tree_root, sizeof t.c.tree_root, root, sizeof root);
    clock_format_rfc3339(now, t.c.signed_at);
    snprintf(t.c.key_id, sizeof t.c.key_id, "%s", signkey_id(k));
    snprintf(t.c.public_key, sizeof t.c.public_key, "%s", signkey_public_b64(k));
    checkpoint_message(&t.c, &msg);
    signkey_sign(k, msg.data, msg.len, t.c.signature);
    if (store_txn(st, checkpoint_txn_fn, &t) != STORE_OK)
        goto out;
    if (taken)
        *taken = t.taken;
    rc = 0;
out:
    store_read_end(st);
    buf_free(&msg);
    if (rc == 0 && out && store_checkpoint_latest(st, out) != STORE_OK)
        rc = -1;
    return rc;
}

/* ------------------------------------------------------------------ JSON */

json_t *checkpoint_json(const struct store_checkpoint *c)
{
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "format", CHECKPOINT_FORMAT,
                     "signed_seq", (json_int_t)c->signed_seq, "head_hash", c->head_hash,
                     "tree_root", c->tree_root, "signed_at", c->signed_at, "key_id", c->key_id,
                     "public_key", c->public_key, "signature", c->signature);
}

static int checkpoint_copy(const json_t *j, const char *key, char *out, size_t n)
{
    const char *v = json_string_value(json_object_get(j, key));
    if (!v || strlen(v) >= n)
        return -1;
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

int checkpoint_from_json(const json_t *j, struct store_checkpoint *c)
{
    memset(c, 0, sizeof *c);
    const json_t *seq = json_object_get(j, "signed_seq");
    const char *format = json_string_value(json_object_get(j, "format"));
    if (!json_is_integer(seq) || json_integer_value(seq) < 1 || !format ||
        strcmp(format, CHECKPOINT_FORMAT) != 0)
        return -1;
    c->signed_seq = json_integer_value(seq);
    if (checkpoint_copy(j, "head_hash", c->head_hash, sizeof c->head_hash) ||
        checkpoint_copy(j, "tree_root", c->tree_root, sizeof c->tree_root) ||
        checkpoint_copy(j, "signed_at", c->signed_at, sizeof c->signed_at) ||
        checkpoint_copy(j, "key_id", c->key_id, sizeof c->key_id) ||
        checkpoint_copy(j, "public_key", c->public_key, sizeof c->public_key) ||
        checkpoint_copy(j, "signature", c->signature, sizeof c->signature))
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ checking */

int checkpoint_check(const struct store_checkpoint *c, char *reason, size_t n)
{
    unsigned char h[MERKLE_HASH];
    char id[SIGNKEY_ID_LEN + 1];
    struct buf msg = {0};
    int rc = -1;
    if (c->signed_seq < 1 || checkpoint_hex32(c->head_hash, h) != 0 ||
        checkpoint_hex32(c->tree_root, h) != 0) {
        snprintf(reason, n, "the checkpoint's seq, head hash or tree root is malformed");
        goto out;
    }
    if (signkey_id_of(c->public_key, id) != 0 || strcmp(id, c->key_id) != 0) {
        snprintf(reason, n, "the checkpoint's key id does not belong to its public key");
        goto out;
    }
    checkpoint_message(c, &msg);
    if (signkey_verify(c->public_key, msg.data, msg.len, c->signature) != 0) {
        snprintf(reason, n, "the checkpoint's signature is not valid for key %s", c->key_id);
        goto out;
    }
    rc = 0;
out:
    buf_free(&msg);
    return rc;
}

struct checkpoint_all {
    struct store_checkpoint *list;
    size_t n, cap, next;
    struct merkle_frontier f;
    int64_t expect;
    int64_t bad_seq;
    char *reason;
    size_t reason_n;
};

static int checkpoint_collect(const struct store_checkpoint *c, void *arg)
{
    struct checkpoint_all *a = arg;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->list = xrealloc(a->list, a->cap * sizeof *a->list);
    }
    a->list[a->n++] = *c;
    return 0;
}

static int checkpoint_verify_one(int64_t seq, const char *hash, void *arg)
{
    struct checkpoint_all *a = arg;
    unsigned char h[MERKLE_HASH], leaf[MERKLE_HASH], root[MERKLE_HASH];
    char hex[2 * MERKLE_HASH + 1];
    if (seq != a->expect || checkpoint_hex32(hash, h) != 0) {
        a->bad_seq = a->list[a->next].signed_seq;
        snprintf(a->reason, a->reason_n, "journal entry %lld is missing or malformed",
                 (long long)a->expect);
        return 1;
    }
    merkle_leaf(h, leaf);
    merkle_frontier_add(&a->f, leaf);
    a->expect++;
    while (a->next < a->n && a->list[a->next].signed_seq == seq) {
        const struct store_checkpoint *c = &a->list[a->next];
        merkle_frontier_root(&a->f, root);
        sodium_bin2hex(hex, sizeof hex, root, sizeof root);
        if (checkpoint_check(c, a->reason, a->reason_n) != 0) {
            a->bad_seq = c->signed_seq;
            return 1;
        }
        if (strcmp(c->head_hash, hash) != 0 || strcmp(c->tree_root, hex) != 0) {
            a->bad_seq = c->signed_seq;
            snprintf(a->reason, a->reason_n,
                     "the journal no longer matches the checkpoint signed at %s (key %s)",
                     c->signed_at, c->key_id);
            return 1;
        }
        a->next++;
    }
    return a->next == a->n; /* past the last checkpoint: done */
}

/* The journal's own 'checkpoint' entries (what the case system received) against the
 * stored checkpoints, which were checked against the chain: each entry must be exactly one
 * stored checkpoint that names it, and each stored checkpoint must have its entry. */
struct checkpoint_entries {
    struct checkpoint_all *a;
    size_t matched;
};

static int checkpoint_entry_one(const struct store_journal_row *r, void *arg)
{
    struct checkpoint_entries *e = arg;
    struct checkpoint_all *a = e->a;
    struct store_checkpoint c;
    json_t *j = json_loads(r->data, 0, NULL);
    int ok = j && checkpoint_from_json(j, &c) == 0;
    json_decref(j);
    if (!ok) {
        a->bad_seq = r->seq;
        snprintf(a->reason, a->reason_n, "journal entry %lld (checkpoint) does not hold a "
                                          "checkpoint", (long long)r->seq);
        return 1;
    }
    /* the stored list is in signed_seq order, and so are the entries (each signs further) */
    if (e->matched < a->n && a->list[e->matched].signed_seq < c.signed_seq) {
        const struct store_checkpoint *lost = &a->list[e->matched];
        a->bad_seq = lost->signed_seq;
        snprintf(a->reason, a->reason_n, "the checkpoint signed at %s has no journal entry",
                 lost->signed_at);
        return 1;
    }
    const struct store_checkpoint *s = e->matched < a->n ? &a->list[e->matched] : NULL;
    if (!s || s->signed_seq != c.signed_seq) {
        a->bad_seq = c.signed_seq;
        snprintf(a->reason, a->reason_n,
                 "journal entry %lld records a checkpoint signed at %s that is not stored",
                 (long long)r->seq, c.signed_at);
        return 1;
    }
    if (s->journal_seq != r->seq || strcmp(s->head_hash, c.head_hash) != 0 ||
        strcmp(s->tree_root, c.tree_root) != 0 || strcmp(s->signed_at, c.signed_at) != 0 ||
        strcmp(s->key_id, c.key_id) != 0 || strcmp(s->public_key, c.public_key) != 0 ||
        strcmp(s->signature, c.signature) != 0) {
        a->bad_seq = c.signed_seq;
        snprintf(a->reason, a->reason_n,
                 "journal entry %lld differs from the checkpoint signed at %s", (long long)r->seq,
                 s->signed_at);
        return 1;
    }
    e->matched++;
    return 0;
}

int checkpoint_verify_all(struct store *st, int64_t *checked, int64_t *bad_seq, char *reason,
                          size_t n)
{
    struct checkpoint_all a;
    int rc = -1;
    memset(&a, 0, sizeof a);
    a.expect = 1;
    a.reason = reason;
    a.reason_n = n;
    *checked = 0;
    *bad_seq = 0;
    reason[0] = '\0';
    if (store_checkpoint_each(st, checkpoint_collect, &a) != STORE_OK)
        goto out;
    if (a.n && store_journal_hashes(st, a.list[a.n - 1].signed_seq, checkpoint_verify_one, &a) !=
                   STORE_OK)
        goto out;
    if (!a.bad_seq && a.next < a.n) {
        a.bad_seq = a.list[a.next].signed_seq;
        snprintf(reason, n, "the journal is shorter than the checkpoint signed at %s",
                 a.list[a.next].signed_at);
    }
    if (!a.bad_seq) {
        struct checkpoint_entries e = {&a, 0};
        if (store_journal_each_kind(st, "checkpoint", checkpoint_entry_one, &e) != STORE_OK)
            goto out;
        if (!a.bad_seq && e.matched < a.n) {
            a.bad_seq = a.list[e.matched].signed_seq;
            snprintf(reason, n, "the checkpoint signed at %s has no journal entry",
                     a.list[e.matched].signed_at);
        }
    }
    *checked = (int64_t)a.next;
    *bad_seq = a.bad_seq;
    rc = a.bad_seq ? 1 : 0;
out:
    free(a.list);
    return rc;
}
