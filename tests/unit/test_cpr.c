/* Unit tests for cpr.c: normalising, the century table, calendar dates and masking.
 * Every number here is made up; none is checked against modulus 11, on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpr.h"

static void expect_date(const char *cpr10, int y, int m, int d)
{
    int year = 0, month = 0, day = 0;
    assert_int_equal(cpr_birth_date(cpr10, &year, &month, &day), 0);
    assert_int_equal(year, y);
    assert_int_equal(month, m);
    assert_int_equal(day, d);
}

static void test_normalise_with_and_without_dash(void **state)
{
    (void)state;
    char out[11];

    assert_int_equal(cpr_normalise("010190-1234", out), 0);
    assert_string_equal(out, "0101901234");
    memset(out, 'x', sizeof out);
    assert_int_equal(cpr_normalise("0101901234", out), 0);
    assert_string_equal(out, "0101901234");
    assert_true(cpr_is_valid("010190-1234"));
    assert_true(cpr_is_valid("0101901234"));
}

static void test_rejects_bad_shapes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",              /* empty */
        "010190123",     /* 9 digits */
        "01019012345",   /* 11 digits */
        "010190-123",    /* 9 digits with dash */
        "010190-12345",  /* 11 digits with dash */
        " 0101901234",   /* leading space */
        "0101901234 ",   /* trailing space */
        "010190 1234",   /* space instead of dash */
        "010190--1234",  /* two dashes */
        "01019-01234",   /* dash in the wrong place */
        "0101901-234",   /* dash in the wrong place */
        "-0101901234",   /* leading dash */
        "0101901234-",   /* trailing dash */
        "010190_1234",   /* other separator */
        "01019O1234",    /* letter O */
        "abcdefghij",    /* letters */
        "010190+1234",   /* plus */
        "０101901234",    /* fullwidth digit zero (U+FF10) */
        "010190\xd9\xa1" "234", /* Arabic-Indic digit one (U+0661) */
        "010190\n1234",  /* newline */
    };
    char out[11] = "untouched!";

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cpr_normalise(bad[i], out), -1);
        assert_false(cpr_is_valid(bad[i]));
    }
    assert_int_equal(cpr_normalise(NULL, out), -1);
    assert_false(cpr_is_valid(NULL));
    assert_string_equal(out, "untouched!"); /* out untouched on every failure */
}

static void test_rejects_embedded_nul(void **state)
{
    (void)state;
    /* The ten digits continue after a NUL: the C string is only five long. */
    static const char s[] = "01019\0" "01234";
    char out[11];
    assert_int_equal(cpr_normalise(s, out), -1);
}

static void test_century_rule(void **state)
{
    (void)state;
    /* 7th digit 0-3: always 1900s. */
    expect_date("0101000000", 1900, 1, 1);
    expect_date("0101991000", 1999, 1, 1);
    expect_date("0101362000", 1936, 1, 1);
    expect_date("0101053999", 1905, 1, 1);
    /* 4 and 9: 2000s up to YY 36, then 1900s. */
    expect_date("0101364000", 2036, 1, 1);
    expect_date("0101374000", 1937, 1, 1);
    expect_date("0101009000", 2000, 1, 1);
    expect_date("0101369999", 2036, 1, 1);
    expect_date("0101379999", 1937, 1, 1);
    /* 5-8: 2000s up to YY 57, then 1800s. */
    expect_date("0101575000", 2057, 1, 1);
    expect_date("0101585000", 1858, 1, 1);
    expect_date("0101576000", 2057, 1, 1);
    expect_date("0101997000", 1899, 1, 1);
    expect_date("0101008999", 2000, 1, 1);
    expect_date("0101588999", 1858, 1, 1);
}

static void test_calendar_dates(void **state)
{
    (void)state;
    /* 29 February depends on the century the 7th digit picks. */
    assert_true(cpr_is_valid("290200-4000"));  /* 2000: leap (divisible by 400) */
    expect_date("2902004000", 2000, 2, 29);
    assert_false(cpr_is_valid("290200-0000")); /* 1900: not leap (divisible by 100) */
    assert_true(cpr_is_valid("290296-1234"));  /* 1996: leap */
    assert_false(cpr_is_valid("290297-1234")); /* 1997 */
    assert_true(cpr_is_valid("290256-5000"));  /* 2056: leap */
    assert_false(cpr_is_valid("290258-5000")); /* 1858 */
    assert_true(cpr_is_valid("290236-9000"));  /* 2036: leap */
    assert_true(cpr_is_valid("290236-0000"));  /* 1936: leap too */
    assert_false(cpr_is_valid("290237-9000")); /* 1937 */
    assert_false(cpr_is_valid("300200-4000")); /* no 30 February */
    assert_true(cpr_is_valid("280297-1234"));

    /* Month lengths and bounds. */
    assert_true(cpr_is_valid("310190-1234"));
    assert_false(cpr_is_valid("320190-1234"));
    assert_false(cpr_is_valid("310490-1234")); /* April has 30 */
    assert_true(cpr_is_valid("300490-1234"));
    assert_true(cpr_is_valid("311290-1234"));
    assert_false(cpr_is_valid("000190-1234")); /* day 0 */
    assert_false(cpr_is_valid("010090-1234")); /* month 0 */
    assert_false(cpr_is_valid("011390-1234")); /* month 13 */
    assert_false(cpr_is_valid("999999-9999"));
}

static void test_birth_date_needs_normalised(void **state)
{
    (void)state;
    int y = -7, m = -7, d = -7;

    assert_int_equal(cpr_birth_date("010190-1234", &y, &m, &d), -1); /* dash: not normalised */
    assert_int_equal(cpr_birth_date("01019012345", &y, &m, &d), -1);
    assert_int_equal(cpr_birth_date("010190123", &y, &m, &d), -1);
    assert_int_equal(cpr_birth_date("3102901234", &y, &m, &d), -1);
    assert_int_equal(cpr_birth_date("", &y, &m, &d), -1);
    assert_int_equal(cpr_birth_date(NULL, &y, &m, &d), -1);
    assert_int_equal(y, -7); /* outputs untouched */
    assert_int_equal(m, -7);
    assert_int_equal(d, -7);
    expect_date("1512875678", 1887, 12, 15);
}

static void test_mask(void **state)
{
    (void)state;
    char out[12];

    memset(out, 'x', sizeof out);
    cpr_mask("0101901234", out);
    assert_string_equal(out, "010190-****");
    assert_int_equal(strlen(out), 11);

    cpr_mask("2902004000", out);
    assert_string_equal(out, "290200-****");

    /* Anything that is not a normalised CPR is masked whole. */
    cpr_mask(NULL, out);
    assert_string_equal(out, "******-****");
    cpr_mask("010190-1234", out);
    assert_string_equal(out, "******-****");
    cpr_mask("01019", out);
    assert_string_equal(out, "******-****");
    cpr_mask("2902000000", out); /* 1900-02-29 */
    assert_string_equal(out, "******-****");
}

static void test_normalise_then_mask(void **state)
{
    (void)state;
    char norm[11], masked[12];

    assert_int_equal(cpr_normalise("241299-9876", norm), 0);
    cpr_mask(norm, masked);
    assert_string_equal(masked, "241299-****");
    /* The serial digits appear nowhere in the mask. */
    assert_null(strstr(masked, "9876"));
}

static void test_within(void **state)
{
    (void)state;
    assert_true(cpr_within("0303905555"));
    assert_true(cpr_within("030390-5555"));
    assert_true(cpr_within("sb-0303905555"));
    assert_true(cpr_within("x 030390-5555 y"));
    assert_false(cpr_within(NULL));
    assert_false(cpr_within(""));
    assert_false(cpr_within("cw1"));
    assert_false(cpr_within("cw1234567890"));   /* no date in it */
    assert_false(cpr_within("03039055551"));    /* part of a longer run of digits */
    assert_false(cpr_within("10303905555"));
    assert_false(cpr_within("3213991234"));     /* no such date */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise_with_and_without_dash),
        cmocka_unit_test(test_rejects_bad_shapes),
        cmocka_unit_test(test_rejects_embedded_nul),
        cmocka_unit_test(test_century_rule),
        cmocka_unit_test(test_calendar_dates),
        cmocka_unit_test(test_birth_date_needs_normalised),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_normalise_then_mask),
        cmocka_unit_test(test_within),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
