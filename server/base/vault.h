/* vault — protection of personal identifiers at rest.
 *
 * A CPR number is stored only sealed (XSalsa20-Poly1305, libsodium secretbox) and as a
 * keyed hash (BLAKE2b) that finds a citizen again without decrypting anything.  Both keys
 * are derived from one 32-byte master key kept in a file outside the database (mode 0600,
 * created on first start), so a copied database alone reveals no CPR.  Back the key file up
 * once, separately from the database backups.  Also seals the stored answers to
 * Idempotency-Key requests, which hold citizen links, and keys the hash of their bodies.
 */
#ifndef VEJLED_VAULT_H
#define VEJLED_VAULT_H

#include <stddef.h>

struct vault;

/* Reads the master key from key_file, creating it (0600) if it does not exist.
 * 0 and *out, or -1 with err. */
int vault_open(const char *key_file, struct vault **out, char *err, size_t errlen);
void vault_close(struct vault *v);

/* Keyed hex hash of s for look-ups: same input, same output, useless without the key. */
void vault_lookup_hash(const struct vault *v, const char *s, char out[65]);

/* Keyed hex HMAC-SHA256 of n bytes with a key of its own (derived from the master key):
 * what an Idempotency-Key request is compared by.  Without the key file it cannot be
 * recomputed, so trying every CPR number against it finds nothing. */
void vault_request_mac(const struct vault *v, const void *p, size_t n, char out[65]);

/* Seals n bytes; *box (caller frees) gets nonce || ciphertext, *boxlen its size. */
void vault_seal(const struct vault *v, const void *plain, size_t n, unsigned char **box,
                size_t *boxlen);

/* Opens a box from vault_seal(): 0 and *plain (caller frees; NUL-terminated, *n bytes),
 * or -1 when it is damaged or sealed with another key. */
int vault_unseal(const struct vault *v, const unsigned char *box, size_t boxlen, char **plain,
                 size_t *n);

#endif
