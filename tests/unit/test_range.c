/* Unit tests for range.c: the single-range "bytes=" forms, clamping, 416 cases and
 * everything that must fall back to a plain 200. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "range.h"

#define UNSET UINT64_C(0xDEADBEEF)

static void expect_ok(const char *h, uint64_t size, uint64_t first, uint64_t last)
{
    uint64_t f = UNSET, l = UNSET;
    assert_int_equal(range_parse(h, size, &f, &l), RANGE_OK);
    assert_int_equal(f, first);
    assert_int_equal(l, last);
}

/* For every result but RANGE_OK, *first and *last must stay as they were. */
static void expect_not_ok(const char *h, uint64_t size, enum range_result want)
{
    uint64_t f = UNSET, l = UNSET;
    assert_int_equal(range_parse(h, size, &f, &l), want);
    assert_int_equal(f, UNSET);
    assert_int_equal(l, UNSET);
}

static void test_none(void **state)
{
    (void)state;
    expect_not_ok(NULL, 1000, RANGE_NONE);
    expect_not_ok("", 1000, RANGE_NONE);
    expect_not_ok(NULL, 0, RANGE_NONE);
}

static void test_forms(void **state)
{
    (void)state;
    expect_ok("bytes=0-99", 1000, 0, 99);
    expect_ok("bytes=500-", 1000, 500, 999);
    expect_ok("bytes=-200", 1000, 800, 999);
    expect_ok("bytes=0-0", 1000, 0, 0);
    expect_ok("bytes=999-999", 1000, 999, 999);
    expect_ok("bytes=999-", 1000, 999, 999);
    expect_ok("bytes=0-", 1000, 0, 999);
    expect_ok("bytes=-1", 1000, 999, 999);
    expect_ok("bytes=-1000", 1000, 0, 999);
    expect_ok("bytes=-1", 1, 0, 0);
    expect_ok("bytes=0-1", 2, 0, 1); /* Safari's first probe */
    expect_ok("bytes=007-010", 1000, 7, 10); /* leading zeros are still decimal */
}

static void test_clamping(void **state)
{
    (void)state;
    expect_ok("bytes=-2000", 1000, 0, 999);
    expect_ok("bytes=0-5000", 1000, 0, 999);
    expect_ok("bytes=0-999", 1000, 0, 999);
    expect_ok("bytes=0-1000", 1000, 0, 999);
    expect_ok("bytes=10-18446744073709551615", 1000, 10, 999); /* UINT64_MAX itself fits */
    expect_ok("bytes=-18446744073709551615", 1000, 0, 999);
}

static void test_unsatisfiable(void **state)
{
    (void)state;
    expect_not_ok("bytes=1000-", 1000, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=1000-2000", 1000, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=5000-", 1000, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=-0", 1000, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=-000", 1000, RANGE_UNSATISFIABLE);
    /* An empty representation satisfies no range at all. */
    expect_not_ok("bytes=0-99", 0, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=0-", 0, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=-200", 0, RANGE_UNSATISFIABLE);
    expect_not_ok("bytes=0-0", 0, RANGE_UNSATISFIABLE);
}

static void test_ignored(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "bytes=5-2",            /* last before first */
        "bytes=0-1,5-6",        /* several ranges */
        "bytes=0-1, 5-6",
        "bytes=0-1,",
        "bytes=,0-1",
        "items=0-1",            /* other unit */
        "byte=0-1",
        "bytesx=0-1",
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=--1",
        "bytes=0--1",
        "bytes=-1-",
        "bytes=-1-2",
        "bytes=1",
        "bytes=0-1x",
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=1.5-2",
        "bytes 0-1",            /* no '=' */
        "bytes:0-1",
        "bytes==0-1",
        "=0-1",
        "bytes",
        " ",                    /* not empty, so not RANGE_NONE */
        "bytes=0-1\r\n",        /* only spaces and tabs are OWS */
        "bytes=99999999999999999999999-",   /* 64-bit overflow */
        "bytes=0-99999999999999999999999",
        "bytes=-99999999999999999999999",
        "bytes=18446744073709551616-",       /* UINT64_MAX + 1 */
        "bytes=-18446744073709551616",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_not_ok(bad[i], 1000, RANGE_IGNORE);
    /* Malformed wins over an empty representation. */
    expect_not_ok("bytes=5-2", 0, RANGE_IGNORE);
    expect_not_ok("bytes=0-1,5-6", 0, RANGE_IGNORE);
}

static void test_whitespace_and_case(void **state)
{
    (void)state;
    expect_ok("bytes = 0 - 9", 1000, 0, 9);
    expect_ok("bytes=0 -9", 1000, 0, 9);
    expect_ok("bytes= 500 - ", 1000, 500, 999);
    expect_ok("bytes = - 200", 1000, 800, 999);
    expect_ok("\tbytes\t=\t0\t-\t9\t", 1000, 0, 9);
    expect_ok("  bytes=0-9  ", 1000, 0, 9);
    expect_ok("Bytes=0-9", 1000, 0, 9);
    expect_ok("BYTES=0-9", 1000, 0, 9);
    expect_not_ok("by tes=0-9", 1000, RANGE_IGNORE);
    expect_not_ok("bytes=1 0-20", 1000, RANGE_IGNORE);
}

static void test_large_sizes(void **state)
{
    (void)state;
    const uint64_t big = UINT64_C(10000000000); /* a 10 GB file: past 32 bits */
    expect_ok("bytes=4294967296-", big, UINT64_C(4294967296), big - 1);
    expect_ok("bytes=-1", big, big - 1, big - 1);
    expect_ok("bytes=0-18446744073709551614", UINT64_MAX, 0, UINT64_MAX - 1);
    expect_ok("bytes=-18446744073709551615", UINT64_MAX, 0, UINT64_MAX - 1);
    expect_not_ok("bytes=18446744073709551615-", UINT64_MAX, RANGE_UNSATISFIABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_unsatisfiable),
        cmocka_unit_test(test_ignored),
        cmocka_unit_test(test_whitespace_and_case),
        cmocka_unit_test(test_large_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
