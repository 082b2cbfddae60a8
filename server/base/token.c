#include "token.h"

#include <sodium.h>
#include <string.h>

/* 18 bytes are exactly 24 base64 characters, so no padding is ever needed or dropped. */
_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_RANDOM_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   TOKEN_LEN + 1,
               "TOKEN_LEN must be the unpadded base64 length of TOKEN_RANDOM_BYTES");
_Static_assert(crypto_hash_sha256_BYTES * 2 == TOKEN_HASH_HEX_LEN,
               "TOKEN_HASH_HEX_LEN must be the hex length of a SHA-256");

int token_init(void)
{
    /* 0 on first success, 1 when already done, -1 on failure. */
    return sodium_init() < 0 ? -1 : 0;
}

void token_new(char out[TOKEN_LEN + 1])
{
    unsigned char raw[TOKEN_RANDOM_BYTES];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static bool token_is_base64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

bool token_is_well_formed(const char *s)
{
    if (!s)
        return false;
    for (size_t i = 0; i < TOKEN_LEN; i++)
        if (!token_is_base64url(s[i])) /* a NUL fails here: no read past a short string */
            return false;
    return s[TOKEN_LEN] == '\0';
}

void token_hash(const char *s, size_t len, char out[TOKEN_HASH_HEX_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, (const unsigned char *)(s ? s : ""), s ? len : 0);
    sodium_bin2hex(out, TOKEN_HASH_HEX_LEN + 1, digest, sizeof digest);
}

#define TOKEN_RECENT_SLOTS 4

struct token_recent {
    size_t len; /* 0: empty */
    char in[TOKEN_RECENT_MAX];
    char out[TOKEN_HASH_HEX_LEN + 1];
};

static _Thread_local struct token_recent token_recent[TOKEN_RECENT_SLOTS];
static _Thread_local unsigned token_recent_next;

void token_hash_recent(const char *s, size_t len, char out[TOKEN_HASH_HEX_LEN + 1])
{
    if (!s || !len || len > TOKEN_RECENT_MAX) {
        token_hash(s, len, out);
        return;
    }
    for (size_t i = 0; i < TOKEN_RECENT_SLOTS; i++) {
        const struct token_recent *r = &token_recent[i];
        if (r->len == len && sodium_memcmp(r->in, s, len) == 0) {
            memcpy(out, r->out, TOKEN_HASH_HEX_LEN + 1);
            return;
        }
    }
    token_hash(s, len, out);
    struct token_recent *r = &token_recent[token_recent_next++ % TOKEN_RECENT_SLOTS];
    r->len = len;
    memcpy(r->in, s, len);
    memcpy(r->out, out, TOKEN_HASH_HEX_LEN + 1);
}

bool token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    if (strlen(b) != n)
        return false; /* only the length leaks, and token lengths are public */
    return sodium_memcmp(a, b, n) == 0;
}
