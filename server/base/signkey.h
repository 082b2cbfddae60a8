/* signkey — the Ed25519 key that signs journal checkpoints.
 *
 * The secret is a 32-byte seed in its own file (config [database] sign_key_file, default
 * <database>.sign.key), created with mode 0600 on first start; a file that the group or
 * others may read or write is refused, so a careless copy does not go unnoticed.  The
 * secret is never printed.  The public key is shown as standard base64 of its 32 bytes;
 * its key id is the first 16 hex digits of SHA-256(public key), which names it in every
 * checkpoint so that checkpoints signed before a key change can still be checked.
 */
#ifndef VEJLED_SIGNKEY_H
#define VEJLED_SIGNKEY_H

#include <stddef.h>

#define SIGNKEY_ID_LEN 16
#define SIGNKEY_PUBLIC_B64_LEN 44   /* base64 of 32 bytes, with padding */
#define SIGNKEY_SIG_B64_LEN 88      /* base64 of 64 bytes, with padding */

struct signkey;

/* Reads the key file; when create is set and the file does not exist, makes a new key
 * (0600).  0 and *out (free with signkey_close), or -1 with err. */
int signkey_open(const char *path, int create, struct signkey **out, char *err, size_t errlen);
void signkey_close(struct signkey *k); /* NULL is fine */

/* The public key in base64 (NUL-terminated) and its key id (16 hex + NUL). */
const char *signkey_public_b64(const struct signkey *k);
const char *signkey_id(const struct signkey *k);

/* Signs n bytes; out gets the base64 signature (88 characters + NUL). */
void signkey_sign(const struct signkey *k, const void *msg, size_t n,
                  char out[SIGNKEY_SIG_B64_LEN + 1]);

/* The key id of a base64 public key into out (16 hex + NUL).  0, or -1 when it is not a
 * public key. */
int signkey_id_of(const char *public_b64, char out[SIGNKEY_ID_LEN + 1]);

/* Checks a base64 signature of n bytes against a base64 public key: 0 valid, -1 not
 * (malformed key or signature, or a wrong signature). */
int signkey_verify(const char *public_b64, const void *msg, size_t n, const char *sig_b64);

#endif
