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

/* The plural rule of each language (CLDR cardinal, whole numbers). */
/* Each of the n numbers is of plural category want in the language code. */
static void plurals_are(const char *code, const unsigned long long *nums, size_t n,
                        enum lang_plural want)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(lang_plural_of(code, nums[i]), want);
}

static void test_plural_rules(void **state)
{
    (void)state;
    /* Danish and English, and a language with no rule of its own: one for 1, else other */
    static const char *const simple[] = {"da", "en", "so", NULL};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        assert_int_equal(lang_plural_of(simple[i], 0), LANG_PLURAL_OTHER);
        assert_int_equal(lang_plural_of(simple[i], 1), LANG_PLURAL_ONE);
        assert_int_equal(lang_plural_of(simple[i], 2), LANG_PLURAL_OTHER);
        assert_int_equal(lang_plural_of(simple[i], 11), LANG_PLURAL_OTHER);
        assert_int_equal(lang_plural_of(simple[i], 21), LANG_PLURAL_OTHER);
        assert_int_equal(lang_plural_of(simple[i], 101), LANG_PLURAL_OTHER);
    }
    /* Ukrainian: one 1, 21, 31, 101 (not 11, 111); few 2–4, 22–24 (not 12–14); many the rest */
    static const unsigned long long uk_one[] = {1, 21, 31, 101, 1001};
    static const unsigned long long uk_few[] = {2, 3, 4, 22, 23, 24, 102, 1004};
    static const unsigned long long uk_many[] = {0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25,
                                                 100, 111, 112, 114};
    plurals_are("uk", uk_one, sizeof uk_one / sizeof uk_one[0], LANG_PLURAL_ONE);
    plurals_are("uk", uk_few, sizeof uk_few / sizeof uk_few[0], LANG_PLURAL_FEW);
    plurals_are("uk", uk_many, sizeof uk_many / sizeof uk_many[0], LANG_PLURAL_MANY);
    /* Arabic: zero 0, one 1, two 2, few n%100 3–10, many n%100 11–99, other 100–102, … */
    assert_int_equal(lang_plural_of("ar", 0), LANG_PLURAL_ZERO);
    assert_int_equal(lang_plural_of("ar", 1), LANG_PLURAL_ONE);
    assert_int_equal(lang_plural_of("ar", 2), LANG_PLURAL_TWO);
    static const unsigned long long ar_few[] = {3, 7, 10, 103, 110, 1003};
    static const unsigned long long ar_many[] = {11, 12, 26, 99, 111, 199, 1011};
    static const unsigned long long ar_other[] = {100, 101, 102, 200, 1000, 1002};
    plurals_are("ar", ar_few, sizeof ar_few / sizeof ar_few[0], LANG_PLURAL_FEW);
    plurals_are("ar", ar_many, sizeof ar_many / sizeof ar_many[0], LANG_PLURAL_MANY);
    plurals_are("ar", ar_other, sizeof ar_other / sizeof ar_other[0], LANG_PLURAL_OTHER);
    assert_string_equal(lang_plural_name(LANG_PLURAL_FEW), "few");
}

static void count_is(const json_t *strings, const char *code, const char *key,
                     unsigned long long n, const char *want)
{
    char out[128];
    assert_int_equal(lang_count(strings, code, key, n, out, sizeof out), strlen(want));
    assert_string_equal(out, want);
}

/* lang_count where the phrase does not fit: cut before the first character that does
 * not fit whole, never inside one. */
static void test_count_into_cut(void **state)
{
    (void)state;
    json_t *s = json_pack("{s:s, s:s}", "m_other", "{{n}} دقيقة", "d_other", "{{n}} minutter");
    char out[8];
    /* "12 " is 3 bytes, then two-byte letters: 3 + 2 + 2 = 7 fit, the third does not */
    assert_int_equal(lang_count(s, "ar", "m", 12, out, sizeof out), 7);
    assert_string_equal(out, "12 دق");
    assert_int_equal(lang_count(s, "ar", "m", 12, out, 7), 5);
    assert_string_equal(out, "12 د");
    assert_int_equal(lang_count(s, "da", "d", 3, out, sizeof out), 7);
    assert_string_equal(out, "3 minut");
    assert_int_equal(lang_count(s, "da", "d", 3, out, 1), 0);
    assert_string_equal(out, "");
    assert_int_equal(lang_count(s, "da", "missing", 18446744073709551615ULL, out, sizeof out), 7);
    assert_string_equal(out, "1844674");
    char big[32];
    assert_int_equal(lang_count(s, "da", "missing", 18446744073709551615ULL, big, sizeof big), 20);
    assert_string_equal(big, "18446744073709551615");
    json_decref(s);
}

/* Counted phrases: the category's form, else "_other", else the plain key, else the number;
 * every "{{n}}" replaced. */
static void test_count_forms(void **state)
{
    (void)state;
    json_t *s = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "m_zero", "{{n}} دقيقة", "m_one", "دقيقة واحدة", "m_two", "دقيقتان",
                          "m_few", "{{n}} دقائق", "m_many", "{{n}} دقيقة", "m_other",
                          "{{n}} دقيقة", "plain", "{{n}} x {{n}}", "v_other", "{{n}} videoer");
    count_is(s, "ar", "m", 0, "0 دقيقة");
    count_is(s, "ar", "m", 1, "دقيقة واحدة");
    count_is(s, "ar", "m", 2, "دقيقتان");
    count_is(s, "ar", "m", 3, "3 دقائق");
    count_is(s, "ar", "m", 10, "10 دقائق");
    count_is(s, "ar", "m", 11, "11 دقيقة");
    count_is(s, "ar", "m", 100, "100 دقيقة");
    count_is(s, "da", "v", 1, "1 videoer"); /* no "_one": the "_other" form */
    count_is(s, "da", "plain", 7, "7 x 7");
    count_is(s, "da", "missing", 42, "42");
    json_decref(s);
}

/* The shipped strings: every count reads right in each language of the citizen pages. */
static void test_count_shipped(void **state)
{
    (void)state;
    struct lang_list l;
    char err[256] = "";
    if (lang_list_load(&l, "templates", err, sizeof err) != 0) {
        fprintf(stderr, "templates/lang: %s (run from the repository's top)\n", err);
        fail();
    }
    const json_t *da = lang_find(&l, "da")->strings, *en = lang_find(&l, "en")->strings;
    const json_t *uk = lang_find(&l, "uk")->strings, *ar = lang_find(&l, "ar")->strings;
    count_is(da, "da", "count_videos", 1, "1 video");
    count_is(da, "da", "count_videos", 4, "4 videoer");
    count_is(da, "da", "count_minutes", 1, "1 min.");
    count_is(da, "da", "count_of_questions", 12, "af 12 spørgsmål");
    count_is(en, "en", "count_videos", 1, "1 video");
    count_is(en, "en", "count_of_questions", 1, "of 1 question");
    count_is(en, "en", "count_of_questions", 12, "of 12 questions");
    count_is(uk, "uk", "count_of_questions", 1, "з 1 запитання");
    count_is(uk, "uk", "count_of_questions", 3, "з 3 запитань");
    count_is(uk, "uk", "count_of_questions", 12, "з 12 запитань");
    count_is(uk, "uk", "count_of_questions", 21, "з 21 запитання");
    count_is(uk, "uk", "count_minutes", 5, "5 хв.");
    count_is(ar, "ar", "count_minutes", 1, "دقيقة واحدة");
    count_is(ar, "ar", "count_minutes", 2, "دقيقتان");
    count_is(ar, "ar", "count_minutes", 3, "3 دقائق");
    count_is(ar, "ar", "count_minutes", 11, "11 دقيقة");
    count_is(ar, "ar", "count_minutes", 100, "100 دقيقة");
    count_is(ar, "ar", "count_videos", 1, "مقطع فيديو واحد");
    count_is(ar, "ar", "count_videos", 2, "مقطعا فيديو");
    count_is(ar, "ar", "count_videos", 4, "4 مقاطع فيديو");
    count_is(ar, "ar", "count_videos", 12, "12 مقطع فيديو");
    count_is(ar, "ar", "count_of_questions", 1, "من سؤال واحد");
    count_is(ar, "ar", "count_of_questions", 2, "من سؤالين");
    count_is(ar, "ar", "count_of_questions", 3, "من 3 أسئلة");
    count_is(ar, "ar", "count_of_questions", 12, "من 12 سؤالًا");
    /* a language with more forms than Danish gives each of them itself: none falls back to
     * the Danish form of that category (the strings are Danish under each language's own) */
    static const char *const keys[] = {"count_minutes", "count_videos", "count_of_questions"};
    static const struct {
        const char *code;
        const char *cats[6];
    } own[] = {{"uk", {"one", "few", "many", "other"}},
               {"ar", {"zero", "one", "two", "few", "many", "other"}}};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        const json_t *strings = lang_find(&l, own[i].code)->strings;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            for (size_t c = 0; c < 6 && own[i].cats[c]; c++) {
                char name[96];
                snprintf(name, sizeof name, "%s_%s", keys[k], own[i].cats[c]);
                const char *mine = json_string_value(json_object_get(strings, name));
                const char *danish = json_string_value(json_object_get(da, name));
                assert_non_null(mine);
                assert_true(!danish || strcmp(mine, danish) != 0);
            }
    }
    lang_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_ok),
        cmocka_unit_test(test_load_and_fallback),
        cmocka_unit_test(test_bad_lists),
        cmocka_unit_test(test_accept_language),
        cmocka_unit_test(test_receipt_reference),
        cmocka_unit_test(test_plural_rules),
        cmocka_unit_test(test_count_forms),
        cmocka_unit_test(test_count_into_cut),
        cmocka_unit_test(test_count_shipped),
    };
    return cmocka_run_group_tests_name("lang", tests, setup, teardown);
}
