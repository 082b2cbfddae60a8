#include "vault.h"

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

struct vault {
    unsigned char seal_key[crypto_secretbox_KEYBYTES];
    unsigned char lookup_key[crypto_generichash_KEYBYTES];
    unsigned char request_key[crypto_auth_hmacsha256_KEYBYTES];
};

static int vault_read_key(const char *path, unsigned char key[crypto_kdf_KEYBYTES], char *err,
                          size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT) { /* the first start: made here */
        unsigned char fresh[crypto_kdf_KEYBYTES];
        crypto_kdf_keygen(fresh);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ssize_t w = write(fd, fresh, sizeof fresh);
            int bad = w != (ssize_t)sizeof fresh || fsync(fd) != 0;
            close(fd);
            sodium_memzero(fresh, sizeof fresh);
            if (bad) {
                unlink(path);
                snprintf(err, errlen, "cannot write key file %s", path);
                return -1;
            }
        }
    }
    return files_read_secret(path, "key file", key, crypto_kdf_KEYBYTES, err, errlen);
}

int vault_open(const char *key_file, struct vault **out, char *err, size_t errlen)
{
    unsigned char master[crypto_kdf_KEYBYTES];
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    if (vault_read_key(key_file, master, err, errlen))
        return -1;
    struct vault *v = xcalloc(1, sizeof *v);
    crypto_kdf_derive_from_key(v->seal_key, sizeof v->seal_key, 1, "vejledsl", master);
    crypto_kdf_derive_from_key(v->lookup_key, sizeof v->lookup_key, 2, "vejledlk", master);
    crypto_kdf_derive_from_key(v->request_key, sizeof v->request_key, 3, "vejledrq", master);
    sodium_memzero(master, sizeof master);
    *out = v;
    return 0;
}

void vault_close(struct vault *v)
{
    if (!v)
        return;
    sodium_memzero(v, sizeof *v);
    free(v);
}

void vault_lookup_hash(const struct vault *v, const char *s, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), v->lookup_key,
                       sizeof v->lookup_key);
    sodium_bin2hex(out, 65, h, sizeof h);
}

void vault_request_mac(const struct vault *v, const void *p, size_t n, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, v->request_key, sizeof v->request_key);
    crypto_auth_hmacsha256_update(&st, p, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

void vault_seal(const struct vault *v, const void *plain, size_t n, unsigned char **box,
                size_t *boxlen)
{
    *boxlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    *box = xmalloc(*boxlen);
    randombytes_buf(*box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(*box + crypto_secretbox_NONCEBYTES, plain, n, *box, v->seal_key);
}

int vault_unseal(const struct vault *v, const unsigned char *box, size_t boxlen, char **plain,
                 size_t *n)
{
    if (boxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return -1;
    size_t len = boxlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *p = xmalloc(len + 1);
    if (crypto_secretbox_open_easy((unsigned char *)p, box + crypto_secretbox_NONCEBYTES,
                                   boxlen - crypto_secretbox_NONCEBYTES, box,
                                   v->seal_key) != 0) {
        free(p);
        return -1;
    }
    p[len] = '\0';
    *plain = p;
    *n = len;
    return 0;
}
