/* Unit tests for form.c: decoding, rejection of whole forms, limits and lookups.
 *
 * Every body is copied into a heap block of exactly its length, with no NUL after it, so
 * that AddressSanitizer catches any read past len, as a network buffer would have it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

#define BIG ((size_t)1 << 20)

/* Parses the n bytes at s from an exact-size, unterminated copy. */
static enum form_status parse_n(const char *s, size_t n, size_t max_fields, size_t max_len,
                                struct form *out)
{
    char *body = malloc(n ? n : 1);
    assert_non_null(body);
    memcpy(body, s, n);
    enum form_status st = form_parse(body, n, max_fields, max_len, out);
    free(body);
    return st;
}

static enum form_status parse(const char *s, struct form *out)
{
    return parse_n(s, strlen(s), BIG, BIG, out);
}

static void expect_form_status(const char *s, enum form_status want)
{
    struct form f = {NULL, 0};
    assert_int_equal(parse(s, &f), want);
    if (want != FORM_OK) {
        /* A rejected form is empty: nothing half-parsed reaches a handler. */
        assert_null(f.fields);
        assert_int_equal(f.n, 0);
    }
    form_free(&f);
}

static void expect_field(const char *s, const char *name, const char *value)
{
    struct form f = {NULL, 0};
    assert_int_equal(parse(s, &f), FORM_OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.fields[0].name, name);
    assert_string_equal(f.fields[0].value, value);
    form_free(&f);
}

static void test_basic_pairs_in_order(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    assert_int_equal(parse("a=1&b=2&c=3", &f), FORM_OK);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.fields[0].name, "a");
    assert_string_equal(f.fields[0].value, "1");
    assert_string_equal(f.fields[1].name, "b");
    assert_string_equal(f.fields[1].value, "2");
    assert_string_equal(f.fields[2].name, "c");
    assert_string_equal(f.fields[2].value, "3");
    form_free(&f);
    assert_null(f.fields);
    assert_int_equal(f.n, 0);
}

static void test_decoding(void **state)
{
    (void)state;
    expect_field("name=J%C3%B8rgen+Hansen", "name", "J\xc3\xb8rgen Hansen");
    expect_field("name=J%c3%b8rgen", "name", "J\xc3\xb8rgen"); /* lower-case hex */
    expect_field("n=%c3%B8", "n", "\xc3\xb8");                 /* mixed case */
    expect_field("first+name=x", "first name", "x");           /* '+' in names too */
    expect_field("a=%2B", "a", "+");
    expect_field("a=%2b%2B+", "a", "++ ");
    expect_field("a=x%26y%3Dz", "a", "x&y=z");
    expect_field("%3D=1", "=", "1");
    expect_field("%26=%25", "&", "%");
    expect_field("a=%41", "a", "A"); /* escape ends exactly at len */
    expect_field("a=b=c", "a", "b=c"); /* the first '=' splits */
    expect_field("a==", "a", "=");
    expect_field("text=line1%0D%0Aline2", "text", "line1\r\nline2");
    expect_field("e=a%40b.dk", "e", "a@b.dk");
    expect_field("a=\xc3\xa6\xc3\xb8\xc3\xa5", "a", "\xc3\xa6\xc3\xb8\xc3\xa5"); /* raw UTF-8 */
    expect_field("a=%7E~", "a", "~~");
    expect_field("a=+++", "a", "   ");
}

static void test_missing_values(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    expect_field("flag", "flag", "");
    expect_field("flag=", "flag", "");
    assert_int_equal(parse("a&b=&c", &f), FORM_OK);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.fields[0].value, "");
    assert_string_equal(f.fields[1].value, "");
    assert_string_equal(f.fields[2].value, "");
    form_free(&f);
}

static void test_empty_pairs_skipped(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    assert_int_equal(parse("&a=1&&b=2&", &f), FORM_OK);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.fields[0].name, "a");
    assert_string_equal(f.fields[1].name, "b");
    form_free(&f);

    assert_int_equal(parse("&&&", &f), FORM_OK);
    assert_int_equal(f.n, 0);
    form_free(&f);

    assert_int_equal(parse("", &f), FORM_OK);
    assert_int_equal(f.n, 0);
    form_free(&f);

    assert_int_equal(form_parse(NULL, 0, 10, 10, &f), FORM_OK);
    assert_int_equal(f.n, 0);
    assert_null(f.fields);
    form_free(&f);
}

static void test_only_len_bytes_are_read(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    /* The rest of the string is outside the body. */
    assert_int_equal(parse_n("a=1&b=2", 3, BIG, BIG, &f), FORM_OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.fields[0].value, "1");
    form_free(&f);
    /* "%41" cut after "%4" is a broken escape, not "A". */
    assert_int_equal(parse_n("a=%41", 4, BIG, BIG, &f), FORM_MALFORMED);
    assert_int_equal(parse_n("a=%41", 3, BIG, BIG, &f), FORM_MALFORMED);
}

static void test_malformed_escapes(void **state)
{
    (void)state;
    expect_form_status("%2", FORM_MALFORMED);
    expect_form_status("a=%2", FORM_MALFORMED);
    expect_form_status("a=%", FORM_MALFORMED);
    expect_form_status("a=%&b=1", FORM_MALFORMED);
    expect_form_status("a=%zz", FORM_MALFORMED);
    expect_form_status("a=%g0", FORM_MALFORMED);
    expect_form_status("a=%0g", FORM_MALFORMED);
    expect_form_status("a=% 1", FORM_MALFORMED);
    expect_form_status("a=%+1", FORM_MALFORMED);
    expect_form_status("a=%%41", FORM_MALFORMED);
    expect_form_status("a=%u00e6", FORM_MALFORMED);
    expect_form_status("%zz=1", FORM_MALFORMED);
    /* The whole form goes, also when the bad field is not the first. */
    expect_form_status("a=1&b=2&c=%zz", FORM_MALFORMED);
}

static void test_nul_rejected(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    expect_form_status("a=%00", FORM_MALFORMED);
    expect_form_status("%00=a", FORM_MALFORMED);
    expect_form_status("a=x%00y", FORM_MALFORMED);
    /* A raw NUL byte inside len. */
    assert_int_equal(parse_n("a=x\0y", 5, BIG, BIG, &f), FORM_MALFORMED);
    assert_null(f.fields);
    assert_int_equal(parse_n("a=1&\0", 5, BIG, BIG, &f), FORM_MALFORMED);
    assert_null(f.fields);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    expect_form_status("a=%C3%28", FORM_MALFORMED);     /* bad continuation */
    expect_form_status("a=%C0%AF", FORM_MALFORMED);     /* overlong '/' */
    expect_form_status("a=%C1%BF", FORM_MALFORMED);     /* overlong */
    expect_form_status("a=%E0%80%AF", FORM_MALFORMED);  /* overlong, 3 bytes */
    expect_form_status("a=%F0%80%80%AF", FORM_MALFORMED); /* overlong, 4 bytes */
    expect_form_status("a=%ED%A0%80", FORM_MALFORMED);  /* high surrogate U+D800 */
    expect_form_status("a=%ED%BF%BF", FORM_MALFORMED);  /* low surrogate U+DFFF */
    expect_form_status("a=%F4%90%80%80", FORM_MALFORMED); /* U+110000 */
    expect_form_status("a=%F5%80%80%80", FORM_MALFORMED);
    expect_form_status("a=%FF", FORM_MALFORMED);
    expect_form_status("a=%FE", FORM_MALFORMED);
    expect_form_status("a=%80", FORM_MALFORMED);        /* lone continuation */
    expect_form_status("a=%C3", FORM_MALFORMED);        /* truncated 2-byte */
    expect_form_status("a=%E2%82", FORM_MALFORMED);     /* truncated 3-byte */
    expect_form_status("a=%F0%9F%98", FORM_MALFORMED);  /* truncated 4-byte */
    expect_form_status("a=%E2%82x", FORM_MALFORMED);
    expect_form_status("a=%E6", FORM_MALFORMED);        /* Latin-1 'æ' */
    expect_form_status("a=\xe6", FORM_MALFORMED);       /* raw Latin-1 */
    expect_form_status("a=\xc3(", FORM_MALFORMED);
    expect_form_status("%C3%28=1", FORM_MALFORMED);     /* in a name */
    /* A sequence may not straddle the name and the value. */
    expect_form_status("%C3=%B8", FORM_MALFORMED);
}

static void test_valid_utf8_edges(void **state)
{
    (void)state;
    expect_field("a=%C2%80", "a", "\xc2\x80");               /* U+0080 */
    expect_field("a=%DF%BF", "a", "\xdf\xbf");               /* U+07FF */
    expect_field("a=%E0%A0%80", "a", "\xe0\xa0\x80");        /* U+0800 */
    expect_field("a=%ED%9F%BF", "a", "\xed\x9f\xbf");        /* U+D7FF */
    expect_field("a=%EE%80%80", "a", "\xee\x80\x80");        /* U+E000 */
    expect_field("a=%EF%BF%BF", "a", "\xef\xbf\xbf");        /* U+FFFF */
    expect_field("a=%F0%90%80%80", "a", "\xf0\x90\x80\x80"); /* U+10000 */
    expect_field("a=%F0%9F%98%80", "a", "\xf0\x9f\x98\x80"); /* an emoji */
    expect_field("a=%F4%8F%BF%BF", "a", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
    expect_field("a=%01%7F", "a", "\x01\x7f");               /* controls other than NUL */
}

static void test_empty_name(void **state)
{
    (void)state;
    expect_form_status("=x", FORM_MALFORMED);
    expect_form_status("=", FORM_MALFORMED);
    expect_form_status("==", FORM_MALFORMED);
    expect_form_status("a=1&=2", FORM_MALFORMED);
    expect_form_status("a=1&=", FORM_MALFORMED);
}

static void test_null_body_with_length(void **state)
{
    (void)state;
    struct form f = {NULL, 0};
    assert_int_equal(form_parse(NULL, 5, 10, 10, &f), FORM_MALFORMED);
    assert_null(f.fields);
    assert_int_equal(f.n, 0);
}

static void test_max_fields(void **state)
{
    (void)state;
    struct form f = {NULL, 0};
    const char *s = "a=1&b=2&c=3";

    assert_int_equal(parse_n(s, strlen(s), 3, BIG, &f), FORM_OK);
    assert_int_equal(f.n, 3);
    form_free(&f);
    assert_int_equal(parse_n(s, strlen(s), 2, BIG, &f), FORM_TOO_MANY);
    assert_null(f.fields);
    assert_int_equal(f.n, 0);
    /* Empty pairs are not fields. */
    assert_int_equal(parse_n("a&&b&&", 6, 2, BIG, &f), FORM_OK);
    assert_int_equal(f.n, 2);
    form_free(&f);
    /* 0 allows none. */
    assert_int_equal(parse_n("", 0, 0, BIG, &f), FORM_OK);
    assert_int_equal(parse_n("&", 1, 0, BIG, &f), FORM_OK);
    assert_int_equal(parse_n("a", 1, 0, BIG, &f), FORM_TOO_MANY);
    assert_int_equal(parse_n("a", 1, 1, BIG, &f), FORM_OK);
    form_free(&f);
}

static void test_max_len(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    assert_int_equal(parse_n("abc=defg", 8, 10, 4, &f), FORM_OK);
    form_free(&f);
    assert_int_equal(parse_n("abc=defg", 8, 10, 3, &f), FORM_TOO_LONG); /* value */
    assert_null(f.fields);
    assert_int_equal(parse_n("abcd=x", 6, 10, 3, &f), FORM_TOO_LONG);   /* name */
    assert_int_equal(parse_n("abc", 3, 10, 3, &f), FORM_OK);
    form_free(&f);
    /* The decoded length counts, in bytes. */
    assert_int_equal(parse_n("a=%41%42%43", 11, 10, 3, &f), FORM_OK);
    assert_string_equal(form_get(&f, "a"), "ABC");
    form_free(&f);
    assert_int_equal(parse_n("a=%C3%B8", 8, 10, 2, &f), FORM_OK);
    form_free(&f);
    assert_int_equal(parse_n("a=%C3%B8", 8, 10, 1, &f), FORM_TOO_LONG);
    /* A later field too long drops the earlier ones as well. */
    assert_int_equal(parse_n("a=1&b=12345", 11, 10, 4, &f), FORM_TOO_LONG);
    assert_null(f.fields);
    assert_int_equal(f.n, 0);
}

static void test_get(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    assert_int_equal(parse("t=1&x=0&t=2&T=9&t=3&e=", &f), FORM_OK);
    assert_int_equal(f.n, 6);
    assert_string_equal(form_get(&f, "t"), "1"); /* the first one */
    assert_string_equal(form_get(&f, "T"), "9"); /* names are case-sensitive */
    assert_string_equal(form_get(&f, "e"), "");
    assert_null(form_get(&f, "missing"));
    assert_null(form_get(&f, "t "));
    assert_null(form_get(&f, ""));
    assert_null(form_get(&f, NULL));
    assert_null(form_get(NULL, "t"));
    form_free(&f);
    assert_null(form_get(&f, "t"));
}

static void test_get_all(void **state)
{
    (void)state;
    struct form f = {NULL, 0};
    const char *vals[4] = {NULL, NULL, NULL, NULL};

    assert_int_equal(parse("t=1&x=0&t=2&t=3", &f), FORM_OK);
    assert_int_equal(form_get_all(&f, "t", vals, 4), 3);
    assert_string_equal(vals[0], "1");
    assert_string_equal(vals[1], "2");
    assert_string_equal(vals[2], "3");
    assert_null(vals[3]);

    const char *two[2] = {NULL, NULL};
    assert_int_equal(form_get_all(&f, "t", two, 2), 3); /* more than fit */
    assert_string_equal(two[0], "1");
    assert_string_equal(two[1], "2");

    assert_int_equal(form_get_all(&f, "t", NULL, 0), 3); /* counting only */
    assert_int_equal(form_get_all(&f, "x", vals, 4), 1);
    assert_string_equal(vals[0], "0");
    assert_int_equal(form_get_all(&f, "missing", vals, 4), 0);
    assert_int_equal(form_get_all(&f, NULL, vals, 4), 0);
    assert_int_equal(form_get_all(NULL, "t", vals, 4), 0);
    form_free(&f);
}

static void test_free_is_safe(void **state)
{
    (void)state;
    struct form f = {NULL, 0};

    form_free(NULL);
    form_free(&f);
    assert_int_equal(parse("a=1", &f), FORM_OK);
    form_free(&f);
    form_free(&f); /* twice: empty after the first */
    assert_int_equal(f.n, 0);
    /* A freed form can be parsed into again. */
    assert_int_equal(parse("b=2", &f), FORM_OK);
    assert_string_equal(form_get(&f, "b"), "2");
    form_free(&f);
}

/* Many fields and one huge value: both must go through in one linear pass.  A quadratic
 * parser would take minutes here instead of milliseconds. */
static void test_large_inputs(void **state)
{
    (void)state;
    const size_t pairs = 200000;
    size_t n = pairs * 4;
    char *body = malloc(n);
    struct form f = {NULL, 0};

    assert_non_null(body);
    for (size_t i = 0; i < pairs; i++)
        memcpy(body + i * 4, "a=1&", 4);
    assert_int_equal(form_parse(body, n, pairs, 16, &f), FORM_OK);
    assert_int_equal(f.n, pairs);
    assert_string_equal(f.fields[pairs - 1].value, "1");
    assert_int_equal(form_get_all(&f, "a", NULL, 0), pairs);
    form_free(&f);
    assert_int_equal(form_parse(body, n, pairs - 1, 16, &f), FORM_TOO_MANY);
    assert_null(f.fields);

    /* One value of 800 000 bytes of escapes. */
    memcpy(body, "v=", 2);
    for (size_t i = 2; i + 3 <= n; i += 3)
        memcpy(body + i, "%41", 3);
    size_t vlen = 2 + (n - 2) / 3 * 3;
    assert_int_equal(form_parse(body, vlen, 10, 100, &f), FORM_TOO_LONG);
    assert_int_equal(form_parse(body, vlen, 10, n, &f), FORM_OK);
    assert_int_equal(strlen(form_get(&f, "v")), (n - 2) / 3);
    form_free(&f);

    /* Nothing but separators. */
    memset(body, '&', n);
    assert_int_equal(form_parse(body, n, 1, 16, &f), FORM_OK);
    assert_int_equal(f.n, 0);
    /* Nothing but '=': one empty name. */
    memset(body, '=', n);
    assert_int_equal(form_parse(body, n, 1, 16, &f), FORM_MALFORMED);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_pairs_in_order),
        cmocka_unit_test(test_decoding),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_empty_pairs_skipped),
        cmocka_unit_test(test_only_len_bytes_are_read),
        cmocka_unit_test(test_malformed_escapes),
        cmocka_unit_test(test_nul_rejected),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_valid_utf8_edges),
        cmocka_unit_test(test_empty_name),
        cmocka_unit_test(test_null_body_with_length),
        cmocka_unit_test(test_max_fields),
        cmocka_unit_test(test_max_len),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_get_all),
        cmocka_unit_test(test_free_is_safe),
        cmocka_unit_test(test_large_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
