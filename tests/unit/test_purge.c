/* Retention periods: what `vejled purge --older-than` and [retention] purge_after accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "purge.h"

static void test_period_units(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(purge_parse_period("30", &d), 0);
    assert_int_equal(d, 30);
    assert_int_equal(purge_parse_period("400d", &d), 0);
    assert_int_equal(d, 400);
    assert_int_equal(purge_parse_period("18m", &d), 0);
    assert_int_equal(d, 18 * 30);
    assert_int_equal(purge_parse_period("5y", &d), 0);
    assert_int_equal(d, 5 * 365);
    assert_int_equal(purge_parse_period("200y", &d), 0);
    assert_int_equal(d, 200 * 365);
}

static void test_period_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "0", "0d", "-5", "+5", " 5", "5 ", "5w", "5dd", "d",
                                      "y5", "201y", "99999999999999999999", "5.5y", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t d = -1;
        assert_int_equal(purge_parse_period(bad[i], &d), -1);
        assert_int_equal(d, -1); /* untouched */
    }
    int64_t d = -1;
    assert_int_equal(purge_parse_period(NULL, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_units),
        cmocka_unit_test(test_period_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
