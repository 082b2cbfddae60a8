/* LIX, Danish readability: the counts and the number on known examples, and the demo's
 * citizen-facing Danish texts held to the plain-language limit (LIX_PLAIN_MAX). */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lix.h"

static void counts(const char *text, unsigned words, unsigned long_words, unsigned sentences)
{
    struct lix_counts n;
    lix_count(text, &n);
    assert_int_equal(n.words, words);
    assert_int_equal(n.long_words, long_words);
    assert_int_equal(n.sentences, sentences);
}

static void test_counts(void **state)
{
    (void)state;
    counts(NULL, 0, 0, 0);
    counts("", 0, 0, 0);
    /* letters, not bytes: "købmænd" has 7 (long), "søndag" 6 (not) */
    counts("søndag købmænd", 2, 1, 1);
    /* a hyphen joins: "a-kassen" is one word of seven letters */
    counts("a-kassen", 1, 1, 1);
    /* a colon ends a sentence; each list line without a mark is one */
    counts("Du skal:\n- søge job\n- komme til møder\n- have et CV på Jobnet", 12, 0, 4);
    /* a point between two characters does not end a sentence; one before a space does */
    counts("Mødet er kl. 10.00.", 5, 0, 2);
    counts("Hvad nu? Ring! Tak.", 4, 0, 3);
    /* several marks in a row end one sentence */
    counts("Hvad?! Nej...", 2, 0, 2);
}

static void test_known_values(void **state)
{
    (void)state;
    /* 18 words, 2 sentences, 3 long (aftaler, jobcentret, a-kassen): 9 + 16.7 = 25.7 */
    assert_int_equal(lix_of("Du skal søge job hele tiden. Du aftaler med jobcentret og a-kassen, "
                            "hvor mange job du skal søge."),
                     26);
    /* 13 words, 2 sentences, 10 long: 6.5 + 76.9 = 83.4 */
    assert_int_equal(lix_of("Arbejdsløshedsforsikringen administreres af arbejdsløshedskasserne "
                            "under betydelig myndighedskontrol. Ansøgningen behandles "
                            "individuelt efter gældende lovgivning."),
                     83);
    /* 12 words in 4 sentences, none long: 3 */
    assert_int_equal(lix_of("Du skal:\n- søge job\n- komme til møder\n- have et CV på Jobnet"), 3);
    /* too short to measure */
    assert_int_equal(lix_of("Ja tak."), -1);
    assert_int_equal(lix_of(""), -1);
    assert_int_equal(lix_of(NULL), -1);
}

/* Every Danish text a citizen reads in a demo pack ("da" of a description, the written
 * guidance, a title, summary, transcript, question, option or explanation; not a group's
 * name, a topic label or a captions file name). */
static int demo_bad;

static void demo_walk(const json_t *j, const char *key, const char *file, const char *path)
{
    if (json_is_object(j)) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, k);
            if (strcmp(k, "da") == 0 && json_is_string(v)) {
                if (strcmp(key, "name") == 0 || strcmp(key, "topic") == 0 ||
                    strcmp(key, "captions") == 0)
                    continue;
                int x = lix_of(json_string_value(v));
                if (x > LIX_PLAIN_MAX) {
                    fprintf(stderr, "%s %s: LIX %d > %d: %.120s\n", file, sub, x,
                            LIX_PLAIN_MAX, json_string_value(v));
                    demo_bad++;
                }
            } else {
                demo_walk(v, k, file, sub);
            }
        }
    } else if (json_is_array(j)) {
        size_t i;
        const json_t *v;
        json_array_foreach((json_t *)j, i, v) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%zu", path, i);
            demo_walk(v, key, file, sub);
        }
    }
}

static void test_demo_packs_plain(void **state)
{
    (void)state;
    const char *root = getenv("VEJLED_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/db/demo/packs", root && *root ? root : ".");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    demo_bad = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        json_error_t err;
        json_t *j = json_load_file(path, 0, &err);
        assert_non_null(j);
        demo_walk(j, "", e->d_name, "");
        json_decref(j);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
    assert_int_equal(demo_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_demo_packs_plain),
    };
    return cmocka_run_group_tests_name("lix", tests, NULL, NULL);
}
