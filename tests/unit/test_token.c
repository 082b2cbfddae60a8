/* Unit tests for token.c: fresh tokens, their shape, SHA-256 vectors and comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

static int setup(void **state)
{
    (void)state;
    return token_init();
}

static void test_init_twice(void **state)
{
    (void)state;
    assert_int_equal(token_init(), 0);
    assert_int_equal(token_init(), 0);
}

static void test_new_is_well_formed(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++) {
        char t[TOKEN_LEN + 1];
        memset(t, 'x', sizeof t);
        token_new(t);
        assert_int_equal(strlen(t), TOKEN_LEN);
        assert_true(token_is_well_formed(t));
        assert_null(strchr(t, '=')); /* no padding */
        assert_null(strchr(t, '+')); /* url-safe alphabet */
        assert_null(strchr(t, '/'));
    }
}

static void test_new_differs(void **state)
{
    (void)state;
    char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

    token_new(a);
    token_new(b);
    assert_string_not_equal(a, b);
    assert_false(token_equal(a, b));
    assert_true(token_equal(a, a));
}

static void test_well_formed(void **state)
{
    (void)state;
    assert_true(token_is_well_formed("abcdefghijklmnopqrstuvwx"));
    assert_true(token_is_well_formed("ABCDEFGHIJKLMNOPQRSTUVWX"));
    assert_true(token_is_well_formed("0123456789-_0123456789-_"));
    assert_true(token_is_well_formed("________________________"));

    assert_false(token_is_well_formed(NULL));
    assert_false(token_is_well_formed(""));
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvw"));   /* 23 */
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvwxy")); /* 25 */
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvw="));  /* padding */
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvw+"));  /* standard base64 */
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvw/"));
    assert_false(token_is_well_formed("abcdefghijk mnopqrstuvwx"));
    assert_false(token_is_well_formed("abcdefghijk.mnopqrstuvwx"));
    assert_false(token_is_well_formed("abcdefghijk%mnopqrstuvwx"));
    assert_false(token_is_well_formed("abcdefghijklmnopqrstuvwx\n"));
    assert_false(token_is_well_formed("\xc3\xa6" "bcdefghijklmnopqrstuvw")); /* 'æ', 24 bytes */
}

static void test_well_formed_short_string_not_overread(void **state)
{
    (void)state;
    /* A 3-byte heap block: the check must stop at the NUL (ASan watches). */
    char *s = malloc(3);
    assert_non_null(s);
    memcpy(s, "ab", 3);
    assert_false(token_is_well_formed(s));
    free(s);
}

static void test_hash_vectors(void **state)
{
    (void)state;
    char h[TOKEN_HASH_HEX_LEN + 1];

    /* FIPS 180-2 test vectors. */
    token_hash("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    token_hash("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    token_hash(NULL, 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    token_hash(two, strlen(two), h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_int_equal(strlen(h), TOKEN_HASH_HEX_LEN);

    /* Only len bytes count. */
    token_hash("abcdef", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hash_is_lower_hex(void **state)
{
    (void)state;
    char t[TOKEN_LEN + 1], h[TOKEN_HASH_HEX_LEN + 1];

    token_new(t);
    token_hash(t, TOKEN_LEN, h);
    assert_int_equal(strlen(h), TOKEN_HASH_HEX_LEN);
    for (size_t i = 0; i < TOKEN_HASH_HEX_LEN; i++)
        assert_true((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'));
    /* The stored hash is not the token. */
    assert_null(strstr(h, t));
}

/* token_hash_recent gives token_hash's answer every time: for values seen before (found
 * again), after more values than it keeps, for values of the same length that differ in
 * one byte, and for values too long to keep. */
static void test_hash_recent_is_token_hash(void **state)
{
    (void)state;
    char tokens[9][TOKEN_LEN + 1];
    for (size_t i = 0; i < 9; i++)
        token_new(tokens[i]);
    memcpy(tokens[8], tokens[0], TOKEN_LEN);
    tokens[8][TOKEN_LEN - 1] = tokens[0][TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
    char want[TOKEN_HASH_HEX_LEN + 1], got[TOKEN_HASH_HEX_LEN + 1];
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < 9; i++) {
            size_t k = (i * 5 + (size_t)round) % 9; /* 0 and 8 differ in the last byte */
            token_hash(tokens[k], TOKEN_LEN, want);
            token_hash_recent(tokens[k], TOKEN_LEN, got);
            assert_string_equal(got, want);
            token_hash_recent(tokens[k], TOKEN_LEN, got); /* now certainly kept */
            assert_string_equal(got, want);
            token_hash_recent(tokens[k], TOKEN_LEN - 1, got); /* a prefix is another value */
            token_hash(tokens[k], TOKEN_LEN - 1, want);
            assert_string_equal(got, want);
        }
    char longer[TOKEN_RECENT_MAX + 8];
    memset(longer, 'x', sizeof longer);
    token_hash(longer, sizeof longer, want);
    token_hash_recent(longer, sizeof longer, got);
    assert_string_equal(got, want);
    token_hash("", 0, want);
    token_hash_recent(NULL, 0, got);
    assert_string_equal(got, want);
}

static void test_equal(void **state)
{
    (void)state;
    assert_true(token_equal("abc", "abc"));
    assert_true(token_equal("", ""));
    assert_false(token_equal("abc", "abd"));
    assert_false(token_equal("abc", "Abc"));
    assert_false(token_equal("abc", "abcd")); /* different lengths */
    assert_false(token_equal("abcd", "abc"));
    assert_false(token_equal("", "a"));
    assert_false(token_equal(NULL, "abc"));
    assert_false(token_equal("abc", NULL));
    assert_false(token_equal(NULL, NULL));

    char h1[TOKEN_HASH_HEX_LEN + 1], h2[TOKEN_HASH_HEX_LEN + 1];
    token_hash("abc", 3, h1);
    token_hash("abc", 3, h2);
    assert_true(token_equal(h1, h2));
    token_hash("abd", 3, h2);
    assert_false(token_equal(h1, h2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_twice),
        cmocka_unit_test(test_hash_recent_is_token_hash),
        cmocka_unit_test(test_new_is_well_formed),
        cmocka_unit_test(test_new_differs),
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_well_formed_short_string_not_overread),
        cmocka_unit_test(test_hash_vectors),
        cmocka_unit_test(test_hash_is_lower_hex),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
