/* token — random access tokens and their stored hashes.
 *
 * Citizen links, session ids and API keys are bearer secrets.  They are made from 144
 * random bits (libsodium randombytes) written as 24 characters of unpadded base64url, so
 * they fit a URL unescaped, and only their SHA-256 (hex) is ever stored: a stolen database
 * gives no working link.  A token has so much entropy that an unkeyed hash is enough.
 * token_init() must have succeeded before anything else here is called.
 */
#ifndef VEJLED_TOKEN_H
#define VEJLED_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_RANDOM_BYTES 18
#define TOKEN_LEN 24 /* characters, without the NUL */
#define TOKEN_HASH_HEX_LEN 64

/* Initialises libsodium; 0 or -1.  Safe to call more than once. */
int token_init(void);

/* A fresh random token, NUL-terminated. */
void token_new(char out[TOKEN_LEN + 1]);

/* true when s is exactly TOKEN_LEN base64url characters (a cheap check before hashing). */
bool token_is_well_formed(const char *s);

/* Lower-case hex SHA-256 of the len bytes at s, NUL-terminated (s NULL hashes ""). */
void token_hash(const char *s, size_t len, char out[TOKEN_HASH_HEX_LEN + 1]);

/* token_hash for a token that comes again and again (a citizen's session cookie, on every
 * page of a visit): the last few values of up to TOKEN_RECENT_MAX bytes hashed this way on
 * the calling thread are kept with their hash and found again by a constant-time
 * comparison.  Only for tokens, never for personal data; longer values are simply hashed. */
#define TOKEN_RECENT_MAX 40
void token_hash_recent(const char *s, size_t len, char out[TOKEN_HASH_HEX_LEN + 1]);

/* Constant-time comparison of two equal-length strings; false if lengths differ or either
 * is NULL.  Only the lengths are compared in variable time. */
bool token_equal(const char *a, const char *b);

#endif
