/* Unit tests for vault.c's keyed request hash: stable for one key, unlike the plain SHA-256
 * of the same bytes, and different under another database's key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault.h"

static struct vault *open_fresh(char path[64])
{
    char dir[] = "/tmp/vejled-vault-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(path, 64, "%s/key", dir);
    struct vault *v = NULL;
    char err[200];
    assert_int_equal(vault_open(path, &v, err, sizeof err), 0);
    return v;
}

static void remove_key(const char *path)
{
    char dir[64];
    unlink(path);
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
    rmdir(dir);
}

static void test_request_mac_is_keyed(void **state)
{
    (void)state;
    char p1[64], p2[64], a[65], b[65], c[65], plain[65];
    const char body[] = "{\"citizen\":{\"cpr\":\"0101711234\",\"name\":\"Test\"}}";
    struct vault *v1 = open_fresh(p1), *v2 = open_fresh(p2);
    vault_request_mac(v1, body, strlen(body), a);
    vault_request_mac(v1, body, strlen(body), b);
    vault_request_mac(v2, body, strlen(body), c);
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, b);       /* the same request compares equal */
    assert_string_not_equal(a, c);   /* another key file: another hash */
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(plain, sizeof plain, d, sizeof d);
    assert_string_not_equal(a, plain); /* not the unkeyed digest */
    vault_request_mac(v1, body, strlen(body) - 1, b);
    assert_string_not_equal(a, b);
    /* the same master key (re-opened) gives the same hash: replays survive a restart */
    struct vault *again = NULL;
    char err[200];
    assert_int_equal(vault_open(p1, &again, err, sizeof err), 0);
    vault_request_mac(again, body, strlen(body), b);
    assert_string_equal(a, b);
    vault_close(again);
    vault_close(v1);
    vault_close(v2);
    remove_key(p1);
    remove_key(p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_mac_is_keyed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
