/* clock: RFC 3339 parsing and formatting, month arithmetic in Copenhagen time (month ends,
 * leap years, DST), the fixed clock, and human formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"

static int64_t at(const char *s)
{
    int64_t t = 0;
    assert_int_equal(clock_parse_rfc3339(s, &t), 0);
    return t;
}

static void test_parse_and_format(void **state)
{
    (void)state;
    char out[CLOCK_RFC3339_LEN + 1];
    assert_int_equal(at("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(at("2026-12-01T09:00:00Z"), 1796115600);
    assert_int_equal(at("2026-12-01T10:00:00+01:00"), 1796115600);
    assert_int_equal(at("2026-12-01T09:00:00.123Z"), 1796115600);
    assert_int_equal(at("2024-02-29T00:00:00Z"), 1709164800);
    clock_format_rfc3339(1796115600, out);
    assert_string_equal(out, "2026-12-01T09:00:00Z");
    int64_t t;
    const char *bad[] = {"", "2026-12-01", "2026-12-01 09:00:00Z", "2026-02-30T00:00:00Z",
                         "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z",
                         "2026-12-01T09:00:00", "2026-12-01T09:00:00+0100", "2026-12-01T09:00:00Zx",
                         "abcd-12-01T09:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(clock_parse_rfc3339(bad[i], &t), -1);
    assert_int_equal(clock_parse_rfc3339(NULL, &t), -1);
    assert_int_equal(clock_parse_date("2026-01-31", &t), 0);
    assert_int_equal(clock_parse_date("2026-02-31", &t), -1);
}

static void test_add_months(void **state)
{
    (void)state;
    char out[CLOCK_RFC3339_LEN + 1];
    /* 09:00 Copenhagen in winter (UTC+1) -> six months later 09:00 in summer (UTC+2) */
    clock_format_rfc3339(clock_add_months(at("2026-01-15T08:00:00Z"), 6), out);
    assert_string_equal(out, "2026-07-15T07:00:00Z");
    /* month ends: 31 August + 6 months = 28 February */
    clock_format_rfc3339(clock_add_months(at("2026-08-31T08:00:00Z"), 6), out);
    assert_string_equal(out, "2027-02-28T09:00:00Z"); /* 10:00 CEST -> 10:00 CET */
    /* leap year: 31 August 2027 + 6 months = 29 February 2028 */
    clock_format_rfc3339(clock_add_months(at("2027-08-31T08:00:00Z"), 6), out);
    assert_string_equal(out, "2028-02-29T09:00:00Z");
    /* across a year end */
    clock_format_rfc3339(clock_add_months(at("2026-11-30T09:00:00Z"), 3), out);
    assert_string_equal(out, "2027-02-28T09:00:00Z");
}

static void test_fixed_clock(void **state)
{
    (void)state;
    clock_set_fixed(1796115600);
    assert_int_equal(clock_now(), 1796115600);
    clock_set_fixed(0);
    assert_true(clock_now() > 1796115600 - 400000000);
}

/* The Copenhagen day: it begins at local midnight (23:00 or 22:00 UTC), and today's is
 * worked out again when the clock passes it. */
static void test_local_date(void **state)
{
    (void)state;
    char day[CLOCK_DATE_LEN + 1];
    int64_t t;
    assert_int_equal(clock_parse_rfc3339("2026-12-06T22:59:59Z", &t), 0);
    clock_local_date(t, day);
    assert_string_equal(day, "2026-12-06");
    clock_local_date(t + 1, day);
    assert_string_equal(day, "2026-12-07");
    assert_int_equal(clock_parse_rfc3339("2027-06-30T21:59:59Z", &t), 0); /* summer time */
    clock_local_date(t, day);
    assert_string_equal(day, "2027-06-30");
    clock_local_date(t + 1, day);
    assert_string_equal(day, "2027-07-01");
    /* today follows the clock, also when the clock is set back */
    clock_set_fixed(t);
    clock_today(day);
    assert_string_equal(day, "2027-06-30");
    clock_set_fixed(t + 1);
    clock_today(day);
    assert_string_equal(day, "2027-07-01");
    clock_set_fixed(t - 86400);
    clock_today(day);
    assert_string_equal(day, "2027-06-29");
    clock_set_fixed(0);
    assert_int_equal(clock_days_between("2027-12-31", "2028-03-01"), 61);
    assert_int_equal(clock_days_between("2027-07-01", "2027-06-30"), -1);
    assert_int_equal(clock_days_between("2027-07-01", "x"), 0);
}

static void test_human(void **state)
{
    (void)state;
    char out[64];
    clock_format_human(at("2026-12-01T09:00:00Z"), "da", out, sizeof out);
    assert_string_equal(out, "1. december 2026 kl. 10.00");
    clock_format_human(at("2026-07-01T09:30:00Z"), "en", out, sizeof out);
    assert_string_equal(out, "1 July 2026, 11:30");
    clock_format_human_date(at("2026-12-01T23:30:00Z"), "da", out, sizeof out);
    assert_string_equal(out, "2. december 2026");
    /* a language without month names here: the ISO form, still Copenhagen time */
    clock_format_human(at("2026-12-01T23:30:00Z"), "ar", out, sizeof out);
    assert_string_equal(out, "2026-12-02 00:30");
    clock_format_human_date(at("2026-07-01T09:30:00Z"), "uk", out, sizeof out);
    assert_string_equal(out, "2026-07-01");
}

/* Midnight in Copenhagen: 23:00 UTC in winter, 22:00 in summer, and on the days the clocks
 * change, the offset midnight itself had. */
static void test_local_day_start(void **state)
{
    (void)state;
    int64_t t, day;
    assert_int_equal(clock_parse_rfc3339("2026-12-07T15:11:00Z", &t), 0);
    assert_int_equal(clock_parse_rfc3339("2026-12-06T23:00:00Z", &day), 0);
    assert_true(clock_local_day_start(t) == day);
    assert_true(clock_local_day_start(day) == day);    /* midnight is its own day's start */
    assert_true(clock_local_day_start(day - 1) == day - 86400);
    assert_int_equal(clock_parse_rfc3339("2026-07-01T21:59:59Z", &t), 0);
    assert_int_equal(clock_parse_rfc3339("2026-06-30T22:00:00Z", &day), 0);
    assert_true(clock_local_day_start(t) == day);
    /* 29 March 2026: the clocks go forward at 02.00; midnight was still winter time */
    assert_int_equal(clock_parse_rfc3339("2026-03-29T12:00:00Z", &t), 0);
    assert_int_equal(clock_parse_rfc3339("2026-03-28T23:00:00Z", &day), 0);
    assert_true(clock_local_day_start(t) == day);
    /* 25 October 2026: back at 03.00; midnight was summer time */
    assert_int_equal(clock_parse_rfc3339("2026-10-25T12:00:00Z", &t), 0);
    assert_int_equal(clock_parse_rfc3339("2026-10-24T22:00:00Z", &day), 0);
    assert_true(clock_local_day_start(t) == day);
}

int main(void)
{
    clock_init_display_zone();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_fixed_clock),
        cmocka_unit_test(test_human),
        cmocka_unit_test(test_local_date),
        cmocka_unit_test(test_local_day_start),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
