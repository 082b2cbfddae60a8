/* lang: language codes, the list as data (per-key fallback to Danish, what a bad list is),
 * Accept-Language matching; receipt: the receipt reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "lang.h"
#include "receipt.h"

static char dir[] = "/tmp/vejled-test-lang-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/lang/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void put_list(const char *list)
{
    put("languages.json", list);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/lang", dir);
    mkdir(path, 0700);
    put("da.json", "{\"a\": \"en\", \"b\": \"to\"}");
    put("en.json", "{\"a\": \"one\"}");
    put("ar.json", "{\"b\": \"اثنان\"}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *files[] = {"da.json", "en.json", "ar.json", "languages.json", "xx.json"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/lang/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/lang", dir);
    rmdir(path);
    rmdir(dir);
    return 0;
}

static void test_code_ok(void **state)
{
    (void)state;
    assert_true(lang_code_ok("da"));
    assert_true(lang_code_ok("pt-br"));
    assert_false(lang_code_ok(NULL));
    assert_false(lang_code_ok("d"));
    assert_false(lang_code_ok("DA"));
    assert_false(lang_code_ok("-da"));
    assert_false(lang_code_ok("da-"));
    assert_false(lang_code_ok("../x"));
    assert_false(lang_code_ok("abcdefghijkl")); /* 12: one too long */
    assert_true(lang_code_ok("abcdefghijk"));
}

static void test_load_and_fallback(void **state)
{
    (void)state;
    struct lang_list l;
    char err[256];
    put_list("[{\"code\": \"da\", \"name\": \"Dansk\", \"dir\": \"ltr\"},"
             " {\"code\": \"en\", \"name\": \"English\"},"
             " {\"code\": \"ar\", \"name\": \"العربية\", \"dir\": \"rtl\", \"example\": true}]");
    assert_int_equal(lang_list_load(&l, dir, err, sizeof err), 0);
    assert_int_equal(l.n, 3);
    assert_true(lang_find(&l, "ar")->example);
    assert_false(lang_find(&l, "da")->example);
    const struct lang_info *ar = lang_find(&l, "ar");
    assert_non_null(ar);
    assert_true(ar->rtl);
    assert_int_equal(ar->base, LANG_DA);
    assert_int_equal(lang_find(&l, "en")->base, LANG_EN);
    assert_false(lang_find(&l, "en")->rtl);
    /* its own string, and Danish for the one it lacks */
    assert_string_equal(json_string_value(json_object_get(ar->strings, "b")), "اثنان");
    assert_string_equal(json_string_value(json_object_get(ar->strings, "a")), "en");
    assert_string_equal(json_string_value(json_object_get(lang_find(&l, "en")->strings, "b")),
                        "to");
    assert_null(lang_find(&l, "xx"));
    assert_null(lang_find(&l, NULL));
    json_t *j = lang_list_json(&l, "ar", NULL);
    assert_int_equal(json_array_size(j), 3);
    assert_true(json_is_true(json_object_get(json_array_get(j, 2), "current")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 2), "dir")), "rtl");
    json_decref(j);
    /* only the pack's languages, and the current one in any case */
    json_t *only = json_pack("[s]", "en");
    j = lang_list_json(&l, "da", only);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "code")), "en");
    json_decref(j);
    j = lang_list_json(&l, "ar", only);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
    json_decref(only);
    lang_list_free(&l);
    lang_list_free(NULL);
}

static void test_bad_lists(void **state)
{
    (void)state;
    struct lang_list l;
    char err[256];
    const char *bad[] = {
        "{}",
        "[{\"code\": \"da\", \"name\": \"Dansk\"}]",                              /* no en */
        "[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"en\", \"name\": \"E\"},"
        " {\"code\": \"da\", \"name\": \"Igen\"}]",                                /* twice */
        "[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"en\", \"name\": \"E\","
        " \"dir\": \"up\"}]",                                                      /* dir */
        "[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"en\", \"name\": \"E\"},"
        " {\"code\": \"xx\", \"name\": \"X\"}]",                          /* no xx.json */
        "[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"EN\", \"name\": \"E\"}]",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_list(bad[i]);
        err[0] = '\0';
        assert_int_equal(lang_list_load(&l, dir, err, sizeof err), -1);
        assert_true(err[0] != '\0');
        assert_int_equal(l.n, 0);
    }
    put("xx.json", "[1]");
    put_list("[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"en\", \"name\": \"E\"},"
             " {\"code\": \"xx\", \"name\": \"X\"}]");
    assert_int_equal(lang_list_load(&l, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "not an object"));
    /* a string given twice in one file: refused, naming the file and the key */
    put("xx.json", "{\"a\": \"en\",\n \"a\": \"to\"}");
    assert_int_equal(lang_list_load(&l, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "xx.json:2"));
    assert_non_null(strstr(err, "duplicate"));
}

static void test_accept_language(void **state)
{
    (void)state;
    struct lang_list l;
    char err[256];
    put_list("[{\"code\": \"da\", \"name\": \"Dansk\"}, {\"code\": \"en\", \"name\": \"E\"},"
             " {\"code\": \"ar\", \"name\": \"A\", \"dir\": \"rtl\"}]");
    assert_int_equal(lang_list_load(&l, dir, err, sizeof err), 0);
    assert_null(lang_from_accept(&l, NULL));
    assert_null(lang_from_accept(&l, ""));
    assert_null(lang_from_accept(&l, "fr, de;q=0.9"));
    assert_string_equal(lang_from_accept(&l, "ar")->code, "ar");
    assert_string_equal(lang_from_accept(&l, "ar-SA,ar;q=0.9")->code, "ar"); /* primary */
    assert_string_equal(lang_from_accept(&l, "EN-gb")->code, "en");
    assert_string_equal(lang_from_accept(&l, "fr;q=1, en;q=0.4, da;q=0.8")->code, "da");
    assert_string_equal(lang_from_accept(&l, "da;q=0.5 , ar ; q=0.6")->code, "ar");
    assert_string_equal(lang_from_accept(&l, "en, da")->code, "en"); /* a tie: the first */
    assert_null(lang_from_accept(&l, "ar;q=0"));                     /* q=0: never */
    assert_string_equal(lang_from_accept(&l, "ar;q=2, en;q=0.1")->code, "en"); /* bad q */
    assert_string_equal(lang_from_accept(&l, "*;q=0.1, da")->code, "da");
    assert_null(lang_from_accept(&l, ";;;,,,=q"));
    lang_list_free(&l);
}

static void test_receipt_reference(void **state)
{
    (void)state;
    char a[RECEIPT_REF_LEN + 1], b[RECEIPT_REF_LEN + 1], c[RECEIPT_REF_LEN + 1];
    receipt_reference("6f1c2a4e-0000-4000-8000-000000000001", a);
    receipt_reference("6f1c2a4e-0000-4000-8000-000000000001", b);
    receipt_reference("6f1c2a4e-0000-4000-8000-000000000002", c);
    assert_string_equal(a, b);                /* stable */
    assert_string_not_equal(a, c);            /* another enrolment, another reference */
    assert_int_equal(strlen(a), RECEIPT_REF_LEN);
    assert_memory_equal(a, "VJ-", 3);
    assert_int_equal(a[8], '-');
    for (int i = 3; i < RECEIPT_REF_LEN; i++) {
        if (i == 8)
            continue;
        assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_ok),
        cmocka_unit_test(test_load_and_fallback),
        cmocka_unit_test(test_bad_lists),
        cmocka_unit_test(test_accept_language),
        cmocka_unit_test(test_receipt_reference),
    };
    return cmocka_run_group_tests_name("lang", tests, setup, teardown);
}
