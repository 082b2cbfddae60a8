/* bundle — a citizen's evidence as one self-contained JSON file that anyone can check
 * without the database (`vejled evidence` writes it beside the PDF, `vejled
 * verify-evidence` checks it; the README gives the algorithm for other tools).
 *
 *   {"format": "vejled-evidence-bundle-1", "citizen_uuid": ..., "checkpoint": {...},
 *    "head_proof": [hex, ...],
 *    "entries": [{"seq", "at", "kind", "actor", "citizen_uuid", "enrolment_uuid",
 *                 "data" (the exact text that was hashed), "prev_hash", "hash",
 *                 "proof": [hex, ...]}, ...]}
 *
 * The checkpoint (checkpoint.h) signs the head (seq, hash) and the Merkle root of every
 * entry hash up to it.  Each of the citizen's entries carries its inclusion proof, and
 * head_proof proves the head hash, so the entries are tied to the signed journal while
 * other citizens' entries appear only as subtree hashes inside the proofs.
 */
#ifndef VEJLED_BUNDLE_H
#define VEJLED_BUNDLE_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

#define BUNDLE_FORMAT "vejled-evidence-bundle-1"

/* Builds the bundle of one citizen against checkpoint c: the citizen's entries up to
 * c->signed_seq.  0 and *out (new reference); 1 when the journal no longer matches c (it
 * was changed after c was signed); -1 on a read error. */
int bundle_build(struct store *st, const char *citizen_uuid, const struct store_checkpoint *c,
                 json_t **out);

struct bundle_check {
    int64_t entries;      /* the citizen's entries checked */
    int64_t signed_seq;   /* the checkpoint's */
    char key_id[17];
    char public_key[45];
    char reason[256];     /* the first failure */
};

/* Checks a bundle without the database: the checkpoint's signature, every entry's hash,
 * the links between consecutive entries, every proof against the signed root.  When
 * held (may be NULL) is a checkpoint kept elsewhere (e.g. from the webhook), the bundle's
 * checkpoint must be that one.  0 intact; 1 with out->reason. */
int bundle_verify(const json_t *bundle, const struct store_checkpoint *held,
                  struct bundle_check *out);

#endif
