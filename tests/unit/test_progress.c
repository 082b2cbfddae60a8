/* Unit tests for progress.c: the chosen-ids list of an answer is bounded (many and long
 * ids fit exactly; a list that does not fit is refused without writing past the buffer)
 * and read back whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

static void test_longest_list_fits(void **state)
{
    (void)state;
    int64_t ids[16];
    for (size_t i = 0; i < 16; i++)
        ids[i] = INT64_MIN + (int64_t)i; /* 20 characters each */
    char out[PROGRESS_CHOSEN_MAX];
    assert_int_equal(progress_format_chosen(ids, 16, out, sizeof out), 0);
    assert_int_equal(strlen(out), 16 * 20 + 15);
    assert_int_equal(strncmp(out, "-9223372036854775808,-9223372036854775807,", 42), 0);
    for (size_t i = 0; i < 16; i++)
        assert_true(progress_chosen_has(out, ids[i]));
    assert_false(progress_chosen_has(out, 7));
}

static void test_too_long_is_refused_within_bounds(void **state)
{
    (void)state;
    int64_t ids[16];
    for (size_t i = 0; i < 16; i++)
        ids[i] = INT64_MAX - (int64_t)i;
    /* a buffer of 256 (the old size) followed by a canary */
    struct {
        char buf[256];
        char canary[64];
    } m;
    memset(m.canary, 0x5a, sizeof m.canary);
    assert_int_equal(progress_format_chosen(ids, 16, m.buf, sizeof m.buf), -1);
    assert_string_equal(m.buf, "");
    for (size_t i = 0; i < sizeof m.canary; i++)
        assert_int_equal((unsigned char)m.canary[i], 0x5a);
    /* the boundary: exactly full fits, one byte less does not */
    char exact[8];
    int64_t two[2] = {123, 45};
    assert_int_equal(progress_format_chosen(two, 2, exact, 7), 0);
    assert_string_equal(exact, "123,45");
    assert_int_equal(progress_format_chosen(two, 2, exact, 6), -1);
    assert_int_equal(progress_format_chosen(two, 0, exact, 1), 0);
    assert_string_equal(exact, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longest_list_fits),
        cmocka_unit_test(test_too_long_is_refused_within_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
