/* checkpoint — signed statements of the journal's head, kept outside the database's power.
 *
 * The hash chain shows that an entry was changed, but whoever holds the database can
 * rewrite the whole chain consistently.  A checkpoint is the server's Ed25519 signature
 * (signkey.h) over the message
 *
 *   "vejled-checkpoint-1" "\n" seq "\n" head_hash "\n" tree_root "\n" signed_at "\n" key_id
 *
 * (no final newline): seq and head_hash are the last entry covered, tree_root the hex
 * Merkle root (merkle.h) of the hashes of entries 1..seq, signed_at the RFC 3339 UTC time,
 * key_id the signing key's id.  Each checkpoint is stored (table checkpoints) and journalled
 * as a 'checkpoint' entry, which the webhook delivers to the case system: a copy held
 * elsewhere that a later rewrite of the database cannot match.
 */
#ifndef VEJLED_CHECKPOINT_H
#define VEJLED_CHECKPOINT_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "signkey.h"
#include "store.h"

#define CHECKPOINT_FORMAT "vejled-checkpoint-1"

/* Appends the signed message of c to out. */
void checkpoint_message(const struct store_checkpoint *c, struct buf *out);

/* Takes a checkpoint of the journal at now, unless the newest one already covers
 * everything before its own entry (the head did not move) or is younger than min_age_s.
 * *out (may be NULL) gets the checkpoint that is newest afterwards; *taken (may be NULL)
 * 1 when a new one was made.  0; 1 when the journal is empty (nothing to sign); -1 on a
 * database error. */
int checkpoint_take(struct store *st, const struct signkey *k, int64_t now, int64_t min_age_s,
                    struct store_checkpoint *out, int *taken);

/* The data of a checkpoint's journal entry (new reference), and back.  from_json: 0, or
 * -1 when a field is missing or malformed. */
json_t *checkpoint_json(const struct store_checkpoint *c);
int checkpoint_from_json(const json_t *j, struct store_checkpoint *c);

/* Checks a checkpoint on its own: fields well formed, key id belongs to the public key,
 * signature valid.  0, or -1 with why in reason. */
int checkpoint_check(const struct store_checkpoint *c, char *reason, size_t n);

/* Checks every stored checkpoint against the journal: signature valid, head hash and
 * Merkle root equal to the chain's; and the journal's 'checkpoint' entries against them:
 * each entry is exactly the stored checkpoint that names it, none missing either way.  *checked counts them.  0 all hold; 1 when one does
 * not (*bad_seq its signed seq, reason why); -1 on a read error. */
int checkpoint_verify_all(struct store *st, int64_t *checked, int64_t *bad_seq, char *reason,
                          size_t n);

#endif
