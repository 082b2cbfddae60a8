#include "signkey.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "mem.h"

struct signkey {
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    char pk_b64[SIGNKEY_PUBLIC_B64_LEN + 1];
    char id[SIGNKEY_ID_LEN + 1];
};

static int signkey_create(const char *path, char *err, size_t errlen)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    int rc = -1;
    randombytes_buf(seed, sizeof seed);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            rc = 0; /* another process made it first: read that one */
        else
            snprintf(err, errlen, "cannot create the signing key file %s: %s", path,
                     strerror(errno));
        goto out;
    }
    ssize_t w = write(fd, seed, sizeof seed);
    int bad = w != (ssize_t)sizeof seed || fsync(fd) != 0;
    close(fd);
    if (bad) {
        unlink(path);
        snprintf(err, errlen, "cannot write the signing key file %s", path);
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int signkey_open(const char *path, int create, struct signkey **out, char *err, size_t errlen)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    struct signkey *k = NULL;
    int rc = -1;
    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        goto out;
    }
    if (create && access(path, F_OK) != 0 && errno == ENOENT &&
        signkey_create(path, err, errlen) != 0)
        goto out;
    if (files_read_secret(path, "signing key file", seed, sizeof seed, err, errlen) != 0)
        goto out;
    k = xcalloc(1, sizeof *k);
    crypto_sign_seed_keypair(k->pk, k->sk, seed);
    sodium_bin2base64(k->pk_b64, sizeof k->pk_b64, k->pk, sizeof k->pk,
                      sodium_base64_VARIANT_ORIGINAL);
    if (signkey_id_of(k->pk_b64, k->id) != 0)
        goto out;
    *out = k;
    k = NULL;
    rc = 0;
out:
    sodium_memzero(seed, sizeof seed);
    signkey_close(k);
    return rc;
}

void signkey_close(struct signkey *k)
{
    if (!k)
        return;
    sodium_memzero(k, sizeof *k);
    free(k);
}

const char *signkey_public_b64(const struct signkey *k)
{
    return k->pk_b64;
}

const char *signkey_id(const struct signkey *k)
{
    return k->id;
}

void signkey_sign(const struct signkey *k, const void *msg, size_t n,
                  char out[SIGNKEY_SIG_B64_LEN + 1])
{
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, n, k->sk);
    sodium_bin2base64(out, SIGNKEY_SIG_B64_LEN + 1, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
}

/* Decodes exactly n bytes of standard base64 (the whole string). */
static int signkey_b64(const char *s, unsigned char *out, size_t n)
{
    size_t len = 0;
    const char *end = NULL;
    if (!s || sodium_base642bin(out, n, s, strlen(s), NULL, &len, &end,
                                sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != n || *end)
        return -1;
    return 0;
}

int signkey_id_of(const char *public_b64, char out[SIGNKEY_ID_LEN + 1])
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], h[crypto_hash_sha256_BYTES];
    if (signkey_b64(public_b64, pk, sizeof pk) != 0)
        return -1;
    crypto_hash_sha256(h, pk, sizeof pk);
    sodium_bin2hex(out, SIGNKEY_ID_LEN + 1, h, SIGNKEY_ID_LEN / 2);
    return 0;
}

int signkey_verify(const char *public_b64, const void *msg, size_t n, const char *sig_b64)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    if (sodium_init() < 0 || signkey_b64(public_b64, pk, sizeof pk) != 0 ||
        signkey_b64(sig_b64, sig, sizeof sig) != 0)
        return -1;
    return crypto_sign_verify_detached(sig, msg, n, pk) == 0 ? 0 : -1;
}
