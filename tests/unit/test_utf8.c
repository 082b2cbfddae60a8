/* utf8: characters as a person counts them (code points), strict validity, and what an
 * invalid byte counts for: one character, so that no text has fewer characters than its
 * bytes / UTF8_CHAR_MAX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_chars_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars(NULL), 0);
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    /* æ, ø, å: two bytes each, one character each */
    assert_int_equal(strlen("æøå"), 6);
    assert_int_equal(utf8_chars("æøå"), 3);
    assert_int_equal(utf8_chars("Rådighed"), 8);
    /* Arabic letters: two bytes each */
    assert_int_equal(utf8_chars("مرحبا"), 5);
    /* three bytes (€, U+20AC), four bytes (U+1F600) */
    assert_int_equal(utf8_chars("\xE2\x82\xAC"), 1);
    assert_int_equal(utf8_chars("\xF0\x9F\x98\x80"), 1);
    /* the edges of each length: U+007F, U+0080, U+07FF, U+0800, U+FFFF, U+10000,
     * U+10FFFF, and U+D7FF / U+E000 around the surrogates */
    assert_int_equal(utf8_chars("\x7F"), 1);
    assert_int_equal(utf8_chars("\xC2\x80"), 1);
    assert_int_equal(utf8_chars("\xDF\xBF"), 1);
    assert_int_equal(utf8_chars("\xE0\xA0\x80"), 1);
    assert_int_equal(utf8_chars("\xEF\xBF\xBF"), 1);
    assert_int_equal(utf8_chars("\xF0\x90\x80\x80"), 1);
    assert_int_equal(utf8_chars("\xF4\x8F\xBF\xBF"), 1);
    assert_int_equal(utf8_chars("\xED\x9F\xBF\xEE\x80\x80"), 2);
    /* a line break is a character like any other */
    assert_int_equal(utf8_chars("a\nb\r\nc"), 6);
}

static void test_chars_invalid(void **state)
{
    (void)state;
    /* stray continuation bytes: one each (a count of lead bytes would say 0) */
    assert_int_equal(utf8_chars("\x80\x80\x80"), 3);
    assert_int_equal(utf8_chars("a\xBF" "b"), 3);
    /* overlong forms of "/" and of U+0000..U+07FF, U+0800..U+FFFF: every byte one */
    assert_int_equal(utf8_chars("\xC0\xAF"), 2);
    assert_int_equal(utf8_chars("\xC1\xBF"), 2);
    assert_int_equal(utf8_chars("\xE0\x9F\xBF"), 3);
    assert_int_equal(utf8_chars("\xF0\x8F\xBF\xBF"), 4);
    /* a UTF-16 surrogate (U+D800) and a code point above U+10FFFF */
    assert_int_equal(utf8_chars("\xED\xA0\x80"), 3);
    assert_int_equal(utf8_chars("\xF4\x90\x80\x80"), 4);
    /* bytes that begin nothing */
    assert_int_equal(utf8_chars("\xF5\xFE\xFF"), 3);
    /* a sequence cut short, at the end and before an ASCII byte: the valid rest counts
     * as itself */
    assert_int_equal(utf8_chars("\xE6\x97"), 2);
    assert_int_equal(utf8_chars("\xF0\x9F\x98"), 3);
    assert_int_equal(utf8_chars("\xC3" "a"), 2);
    assert_int_equal(utf8_chars("\xE2\x82" "\xC3\xA6"), 3);
    /* never fewer characters than bytes / 4, whatever the bytes */
    unsigned char all[256];
    for (int i = 0; i < 255; i++)
        all[i] = (unsigned char)(i + 1);
    all[255] = 0;
    size_t n = utf8_chars((const char *)all);
    assert_true(n * UTF8_CHAR_MAX >= 255);
    assert_true(n <= 255);
}

static void test_fits(void **state)
{
    (void)state;
    char s[64];
    /* 10 characters of 2 bytes: fits 10, not 9, though it is 20 bytes */
    memset(s, 0, sizeof s);
    for (int i = 0; i < 10; i++)
        memcpy(s + 2 * i, "æ", 2);
    assert_int_equal(strlen(s), 20);
    assert_true(utf8_fits(s, 10));
    assert_true(utf8_fits(s, 11));
    assert_false(utf8_fits(s, 9));
    assert_true(utf8_fits("", 0));
    assert_true(utf8_fits(NULL, 0));
    assert_false(utf8_fits("a", 0));
    assert_true(utf8_fits("abc", SIZE_MAX));
    /* invalid bytes count against the limit like characters */
    assert_false(utf8_fits("\x80\x80\x80", 2));
    assert_true(utf8_fits("\x80\x80\x80", 3));
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("æøå", 6));
    assert_true(utf8_valid("\xF4\x8F\xBF\xBF", 4));
    /* a length that cuts a sequence is invalid, whatever follows */
    assert_false(utf8_valid("æ", 1));
    assert_false(utf8_valid("\xC0\xAF", 2));
    assert_false(utf8_valid("\xED\xA0\x80", 3));
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4));
    assert_false(utf8_valid("\x80", 1));
    assert_false(utf8_valid("\xFF", 1));
    assert_false(utf8_valid("\xE2\x82" "a", 3));
    /* what is valid counts its code points; what is not is never fewer */
    const char *v = "Spørgsmål om rådighed";
    assert_true(utf8_valid(v, strlen(v)));
    assert_int_equal(utf8_chars(v), 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chars_valid),
        cmocka_unit_test(test_chars_invalid),
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
