#include "bundle.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "journal.h"
#include "mem.h"
#include "merkle.h"

static int bundle_hex32(const char *hex, unsigned char out[MERKLE_HASH])
{
    size_t len = 0;
    if (!hex || strlen(hex) != 2 * MERKLE_HASH)
        return -1;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -1;
    return sodium_hex2bin(out, MERKLE_HASH, hex, 2 * MERKLE_HASH, NULL, &len, NULL) == 0 &&
                   len == MERKLE_HASH
               ? 0
               : -1;
}

/* ------------------------------------------------------------------ building */

struct bundle_leaves {
    unsigned char *leaves;
    size_t n, cap;
    int bad;
};

static int bundle_leaf(int64_t seq, const char *hash, void *arg)
{
    struct bundle_leaves *l = arg;
    unsigned char h[MERKLE_HASH];
    if (seq != (int64_t)l->n + 1 || bundle_hex32(hash, h) != 0) {
        l->bad = 1;
        return 1;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->leaves = xrealloc(l->leaves, l->cap * MERKLE_HASH);
    }
    merkle_leaf(h, l->leaves + l->n * MERKLE_HASH);
    l->n++;
    return 0;
}

static json_t *bundle_proof(const struct merkle_tree *t, size_t index)
{
    unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH];
    char hex[2 * MERKLE_HASH + 1];
    size_t n = 0;
    json_t *a = json_array();
    merkle_tree_proof(t, index, proof, &n);
    for (size_t i = 0; i < n; i++) {
        sodium_bin2hex(hex, sizeof hex, proof[i], MERKLE_HASH);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

struct bundle_entries {
    json_t *entries;
    const struct merkle_tree *tree;
    int64_t upto;
    int bad; /* an entry could not be put in the bundle */
};

static int bundle_entry(const struct store_journal_row *r, void *arg)
{
    struct bundle_entries *b = arg;
    if (r->seq > b->upto)
        return 1;
    json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "seq",
                          (json_int_t)r->seq, "at", r->at, "kind", r->kind, "actor", r->actor,
                          "citizen_uuid", r->citizen_uuid, "enrolment_uuid", r->enrolment_uuid,
                          "data", r->data, "prev_hash", r->prev_hash, "hash", r->hash, "proof",
                          bundle_proof(b->tree, (size_t)(r->seq - 1)));
    if (!e || json_array_append_new(b->entries, e) != 0) {
        b->bad = 1; /* never a bundle with an entry silently left out */
        return 1;
    }
    return 0;
}

int bundle_build(struct store *st, const char *citizen_uuid, const struct store_checkpoint *c,
                 json_t **out)
{
    struct bundle_leaves l;
    struct merkle_tree t;
    unsigned char root[MERKLE_HASH];
    char hex[2 * MERKLE_HASH + 1];
    json_t *b = NULL;
    int rc = -1;
    memset(&l, 0, sizeof l);
    memset(&t, 0, sizeof t);
    *out = NULL;
    store_read_begin(st);
    if (store_journal_hashes(st, c->signed_seq, bundle_leaf, &l) != STORE_OK)
        goto out;
    if (l.bad || l.n != (size_t)c->signed_seq || merkle_tree_build(l.leaves, l.n, &t) != 0) {
        rc = 1;
        goto out;
    }
    merkle_tree_root(&t, root);
    sodium_bin2hex(hex, sizeof hex, root, sizeof root);
    if (strcmp(hex, c->tree_root) != 0) {
        rc = 1;
        goto out;
    }
    struct bundle_entries e = {json_array(), &t, c->signed_seq, 0};
    b = json_pack("{s:s, s:s, s:o, s:o, s:o}", "format", BUNDLE_FORMAT, "citizen_uuid",
                  citizen_uuid, "checkpoint", checkpoint_json(c), "head_proof",
                  bundle_proof(&t, l.n - 1), "entries", e.entries);
    if (!b || store_journal_each(st, citizen_uuid, bundle_entry, &e) != STORE_OK || e.bad)
        goto out;
    *out = b;
    b = NULL;
    rc = 0;
out:
    store_read_end(st);
    json_decref(b);
    merkle_tree_free(&t);
    free(l.leaves);
    return rc;
}

/* ------------------------------------------------------------------ checking */

static int bundle_fail(struct bundle_check *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bundle_fail(struct bundle_check *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
    return 1;
}

/* Does the proof (a JSON array of hex) lead from the entry hash at seq to the root? */
static int bundle_proves(const char *hash_hex, int64_t seq, const json_t *proof,
                         const struct store_checkpoint *c, const unsigned char root[MERKLE_HASH])
{
    unsigned char h[MERKLE_HASH], leaf[MERKLE_HASH];
    unsigned char path[MERKLE_PROOF_MAX][MERKLE_HASH];
    size_t n = json_array_size(proof);
    if (!json_is_array(proof) || n > MERKLE_PROOF_MAX || bundle_hex32(hash_hex, h) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (bundle_hex32(json_string_value(json_array_get(proof, i)), path[i]) != 0)
            return 0;
    merkle_leaf(h, leaf);
    return merkle_proof_check(leaf, (uint64_t)(seq - 1), (uint64_t)c->signed_seq,
                              (const unsigned char(*)[MERKLE_HASH])path, n, root);
}

static const char *bundle_str(const json_t *e, const char *key)
{
    return json_string_value(json_object_get(e, key));
}

int bundle_verify(const json_t *bundle, const struct store_checkpoint *held,
                  struct bundle_check *out)
{
    struct store_checkpoint c;
    unsigned char root[MERKLE_HASH];
    memset(out, 0, sizeof *out);
    const char *format = bundle_str(bundle, "format");
    const char *citizen = bundle_str(bundle, "citizen_uuid");
    const json_t *entries = json_object_get(bundle, "entries");
    if (!format || strcmp(format, BUNDLE_FORMAT) != 0 || !citizen || !json_is_array(entries))
        return bundle_fail(out, "not an evidence bundle (format %s expected)", BUNDLE_FORMAT);
    if (checkpoint_from_json(json_object_get(bundle, "checkpoint"), &c) != 0)
        return bundle_fail(out, "the bundle's checkpoint is missing or malformed");
    out->signed_seq = c.signed_seq;
    snprintf(out->key_id, sizeof out->key_id, "%s", c.key_id);
    snprintf(out->public_key, sizeof out->public_key, "%s", c.public_key);
    if (checkpoint_check(&c, out->reason, sizeof out->reason) != 0)
        return 1;
    if (held && (held->signed_seq != c.signed_seq || strcmp(held->head_hash, c.head_hash) ||
                 strcmp(held->tree_root, c.tree_root)))
        return bundle_fail(out,
                           "the bundle's checkpoint (seq %lld, root %.16s…) is not the one held "
                           "elsewhere (seq %lld, root %.16s…)",
                           (long long)c.signed_seq, c.tree_root, (long long)held->signed_seq,
                           held->tree_root);
    bundle_hex32(c.tree_root, root);
    if (!bundle_proves(c.head_hash, c.signed_seq, json_object_get(bundle, "head_proof"), &c,
                       root))
        return bundle_fail(out, "the head hash is not in the signed tree (head_proof)");
    size_t i;
    const json_t *e;
    int64_t prev_seq = 0;
    char prev_hash[MODEL_HASH_HEX + 1] = "";
    json_array_foreach(entries, i, e)
    {
        struct store_journal_row r;
        char hash[MODEL_HASH_HEX + 1];
        const json_t *seq = json_object_get(e, "seq");
        memset(&r, 0, sizeof r);
        if (!json_is_integer(seq) || json_integer_value(seq) < 1)
            return bundle_fail(out, "entry %zu has no seq", i + 1);
        r.seq = json_integer_value(seq);
        const char *fields[] = {"at", "kind", "actor", "citizen_uuid", "enrolment_uuid",
                                "prev_hash", "hash"};
        char *dest[] = {r.at, r.kind, r.actor, r.citizen_uuid, r.enrolment_uuid, r.prev_hash,
                        r.hash};
        const size_t sizes[] = {sizeof r.at, sizeof r.kind, sizeof r.actor, sizeof r.citizen_uuid,
                                sizeof r.enrolment_uuid, sizeof r.prev_hash, sizeof r.hash};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            const char *v = bundle_str(e, fields[f]);
            if (!v || strlen(v) >= sizes[f])
                return bundle_fail(out, "entry %lld: field %s is missing or too long",
                                   (long long)r.seq, fields[f]);
            memcpy(dest[f], v, strlen(v) + 1);
        }
        r.data = bundle_str(e, "data");
        if (!r.data)
            return bundle_fail(out, "entry %lld: field data is missing", (long long)r.seq);
        if (strcmp(r.citizen_uuid, citizen) != 0)
            return bundle_fail(out, "entry %lld belongs to another citizen", (long long)r.seq);
        if (r.seq <= prev_seq)
            return bundle_fail(out, "entry %lld is out of order", (long long)r.seq);
        if (r.seq > c.signed_seq)
            return bundle_fail(out, "entry %lld is after the checkpoint (seq %lld)",
                               (long long)r.seq, (long long)c.signed_seq);
        journal_hash(&r, hash);
        if (strcmp(hash, r.hash) != 0)
            return bundle_fail(out, "entry %lld: content does not match its hash",
                               (long long)r.seq);
        if ((r.seq == 1 && strcmp(r.prev_hash, JOURNAL_GENESIS) != 0) ||
            (prev_seq && r.seq == prev_seq + 1 && strcmp(r.prev_hash, prev_hash) != 0))
            return bundle_fail(out, "entry %lld: prev_hash does not match the entry before",
                               (long long)r.seq);
        if (r.seq == c.signed_seq && strcmp(r.hash, c.head_hash) != 0)
            return bundle_fail(out, "entry %lld is not the signed head", (long long)r.seq);
        if (!bundle_proves(r.hash, r.seq, json_object_get(e, "proof"), &c, root))
            return bundle_fail(out, "entry %lld is not in the signed journal (its proof does "
                                    "not lead to the checkpoint's tree root)",
                               (long long)r.seq);
        prev_seq = r.seq;
        memcpy(prev_hash, r.hash, sizeof prev_hash);
        out->entries++;
    }
    return 0;
}
