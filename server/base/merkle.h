/* merkle — the Merkle tree over the journal's entry hashes that a checkpoint signs.
 *
 * A checkpoint signs the chain's head and the root of this tree, so that one citizen's
 * entries can be shown to belong to the signed journal without the other citizens' entries:
 * each entry carries an inclusion proof (about log2(n) hashes of subtrees, which reveal
 * nothing of the entries under them).  The tree is the one of RFC 6962 / RFC 9162 (the
 * Certificate Transparency log), so standard tools and the README's recipe can check it:
 *
 *   leaf i (0-based; the entry with seq i+1) = SHA-256( 0x00 || the entry's 32-byte hash )
 *   node                                     = SHA-256( 0x01 || left || right )
 *   the root of n leaves splits them at the largest power of two below n.
 *
 * Pure functions on 32-byte hashes; no allocation escapes except where a function says so.
 */
#ifndef VEJLED_MERKLE_H
#define VEJLED_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH 32
#define MERKLE_PROOF_MAX 64 /* hashes in a proof of a tree of up to 2^64 leaves */

/* The leaf hash of an entry hash (both 32 bytes). */
void merkle_leaf(const unsigned char entry_hash[MERKLE_HASH], unsigned char out[MERKLE_HASH]);

/* An incrementally built tree that keeps only the roots of its perfect subtrees
 * (at most 64), so a root over millions of entries needs no memory for them.
 * A zeroed struct is an empty tree. */
struct merkle_frontier {
    uint64_t size;                                 /* leaves added */
    unsigned n;                                    /* subtrees held */
    unsigned char sub[MERKLE_PROOF_MAX][MERKLE_HASH]; /* largest (leftmost) first */
};

/* Adds the next leaf (a leaf hash from merkle_leaf()). */
void merkle_frontier_add(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH]);
/* The root of the leaves added so far.  0, or -1 when the tree is empty. */
int merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH]);

/* A whole tree in memory, for making inclusion proofs.  Owns its levels; merkle_tree_free. */
struct merkle_tree {
    size_t n_levels;
    size_t *sizes;           /* nodes per level; level 0 holds the leaves */
    unsigned char **levels;  /* levels[l] has sizes[l] * MERKLE_HASH bytes */
};

/* Builds the tree over n leaf hashes (n >= 1; leaves: n * 32 bytes, copied).  0 or -1. */
int merkle_tree_build(const unsigned char *leaves, size_t n, struct merkle_tree *t);
void merkle_tree_free(struct merkle_tree *t); /* NULL and a zeroed tree are fine */
void merkle_tree_root(const struct merkle_tree *t, unsigned char out[MERKLE_HASH]);
/* The inclusion proof of leaf index (< leaves): *n hashes into proof, deepest first. */
int merkle_tree_proof(const struct merkle_tree *t, size_t index,
                      unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n);

/* RFC 9162 section 2.1.3.2: does the proof lead from leaf (at index of a tree of size
 * leaves) to root?  1 yes, 0 no. */
int merkle_proof_check(const unsigned char leaf[MERKLE_HASH], uint64_t index, uint64_t size,
                       const unsigned char (*proof)[MERKLE_HASH], size_t n,
                       const unsigned char root[MERKLE_HASH]);

#endif
