#include "merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void merkle_leaf(const unsigned char entry_hash[MERKLE_HASH], unsigned char out[MERKLE_HASH])
{
    crypto_hash_sha256_state h;
    const unsigned char prefix = 0x00;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, &prefix, 1);
    crypto_hash_sha256_update(&h, entry_hash, MERKLE_HASH);
    crypto_hash_sha256_final(&h, out);
}

static void merkle_node(const unsigned char *left, const unsigned char *right,
                        unsigned char out[MERKLE_HASH])
{
    crypto_hash_sha256_state h;
    const unsigned char prefix = 0x01;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, &prefix, 1);
    crypto_hash_sha256_update(&h, left, MERKLE_HASH);
    crypto_hash_sha256_update(&h, right, MERKLE_HASH);
    crypto_hash_sha256_final(&h, out);
}

void merkle_frontier_add(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH])
{
    unsigned char h[MERKLE_HASH];
    memcpy(h, leaf, MERKLE_HASH);
    /* every set low bit of size is a perfect subtree of that height waiting for a partner */
    for (uint64_t s = f->size; s & 1; s >>= 1) {
        f->n--;
        merkle_node(f->sub[f->n], h, h);
    }
    memcpy(f->sub[f->n++], h, MERKLE_HASH);
    f->size++;
}

int merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH])
{
    if (f->n == 0)
        return -1;
    unsigned char r[MERKLE_HASH];
    memcpy(r, f->sub[f->n - 1], MERKLE_HASH);
    for (unsigned i = f->n - 1; i-- > 0;)
        merkle_node(f->sub[i], r, r);
    memcpy(out, r, MERKLE_HASH);
    return 0;
}

/* Pairing level by level and carrying an odd last node up unchanged gives exactly the
 * RFC 6962 tree (its split at the largest power of two keeps every left subtree perfect). */
int merkle_tree_build(const unsigned char *leaves, size_t n, struct merkle_tree *t)
{
    memset(t, 0, sizeof *t);
    if (n == 0)
        return -1;
    size_t levels = 1;
    for (size_t m = n; m > 1; m = (m + 1) / 2)
        levels++;
    t->sizes = xcalloc(levels, sizeof *t->sizes);
    t->levels = xcalloc(levels, sizeof *t->levels);
    t->n_levels = levels;
    t->sizes[0] = n;
    t->levels[0] = xmalloc(n * MERKLE_HASH);
    memcpy(t->levels[0], leaves, n * MERKLE_HASH);
    for (size_t l = 1; l < levels; l++) {
        size_t below = t->sizes[l - 1], m = (below + 1) / 2;
        const unsigned char *b = t->levels[l - 1];
        unsigned char *a = xmalloc(m * MERKLE_HASH);
        for (size_t i = 0; i < m; i++) {
            if (2 * i + 1 < below)
                merkle_node(b + 2 * i * MERKLE_HASH, b + (2 * i + 1) * MERKLE_HASH,
                            a + i * MERKLE_HASH);
            else
                memcpy(a + i * MERKLE_HASH, b + 2 * i * MERKLE_HASH, MERKLE_HASH);
        }
        t->sizes[l] = m;
        t->levels[l] = a;
    }
    return 0;
}

void merkle_tree_free(struct merkle_tree *t)
{
    if (!t)
        return;
    for (size_t l = 0; l < t->n_levels; l++)
        free(t->levels[l]);
    free(t->levels);
    free(t->sizes);
    memset(t, 0, sizeof *t);
}

void merkle_tree_root(const struct merkle_tree *t, unsigned char out[MERKLE_HASH])
{
    memcpy(out, t->levels[t->n_levels - 1], MERKLE_HASH);
}

int merkle_tree_proof(const struct merkle_tree *t, size_t index,
                      unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n)
{
    *n = 0;
    if (t->n_levels == 0 || index >= t->sizes[0])
        return -1;
    for (size_t l = 0; l + 1 < t->n_levels; l++, index /= 2) {
        size_t sib = index ^ 1;
        if (sib < t->sizes[l])
            memcpy(proof[(*n)++], t->levels[l] + sib * MERKLE_HASH, MERKLE_HASH);
    }
    return 0;
}

int merkle_proof_check(const unsigned char leaf[MERKLE_HASH], uint64_t index, uint64_t size,
                       const unsigned char (*proof)[MERKLE_HASH], size_t n,
                       const unsigned char root[MERKLE_HASH])
{
    if (index >= size)
        return 0;
    uint64_t fn = index, sn = size - 1;
    unsigned char r[MERKLE_HASH];
    memcpy(r, leaf, MERKLE_HASH);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            merkle_node(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH) == 0;
}
