/* jsonmem: a request's JSON comes from the thread's arena and is taken back whole; outside
 * a span, and for large values, jansson's memory is plain malloc memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmem.h"

static json_t *page_tree(int n)
{
    json_t *root = json_object();
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:i, s:s, s:b}", "n", i, "title",
                                              "Rådighed og pligter", "done", i % 2));
    json_object_set_new(root, "videos", list);
    return root;
}

/* The same span twice on one thread: the tree takes nothing from malloc, the second span
 * gets the first's memory again (the arena is reused, not grown), and the values read
 * back right inside the span.  (Under ASan malloc's counters stay 0: the pointer check
 * still holds.) */
static void test_span_reuses_the_arena(void **state)
{
    (void)state;
    jsonmem_begin();
    size_t before = mallinfo2().uordblks;
    json_t *a = page_tree(200);
    size_t grown = mallinfo2().uordblks - before;
    assert_true(grown < 1024); /* 200 objects from malloc would be tens of kilobytes */
    assert_int_equal(json_array_size(json_object_get(a, "videos")), 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(a, "videos"), 199), "title")),
                        "Rådighed og pligter");
    json_decref(a);
    jsonmem_end();

    jsonmem_begin();
    json_t *b = page_tree(200);
    assert_ptr_equal(a, b);
    json_decref(b);
    jsonmem_end();
}

/* Outside a span jansson's memory is malloc's: json_dumps text may go to free(), and a
 * value made before a span may be freed inside it (ASan checks both). */
static void test_outside_a_span_is_malloc(void **state)
{
    (void)state;
    json_t *kept = json_pack("{s:s}", "k", "v");
    char *text = json_dumps(kept, JSON_COMPACT);
    assert_string_equal(text, "{\"k\":\"v\"}");
    free(text);
    jsonmem_begin();
    json_t *inner = page_tree(3);
    json_object_set(inner, "kept", kept); /* a reference, no copy */
    json_decref(kept);                    /* inner holds the last reference */
    json_decref(inner);                   /* frees kept with free(), inside the span */
    jsonmem_end();
}

/* A string larger than an arena block has its bytes from malloc even inside a span; they
 * go back to free() when the value is freed (LeakSanitizer would report them otherwise). */
static void test_large_values_use_malloc(void **state)
{
    (void)state;
    static char big[20000];
    memset(big, 'x', sizeof big - 1);
    jsonmem_begin();
    json_t *s = json_string(big);
    assert_int_equal(json_string_length(s), sizeof big - 1);
    assert_int_equal(json_string_value(s)[12345], 'x');
    json_decref(s);
    jsonmem_end();
}

static void *other_thread(void *arg)
{
    json_t *v = arg;
    json_decref(v); /* a malloc'd value freed on another thread */
    jsonmem_begin();
    json_t *mine = page_tree(50);
    json_decref(mine);
    jsonmem_end();
    return NULL;
}

static void test_threads_have_their_own_arena(void **state)
{
    (void)state;
    pthread_t t;
    json_t *v = json_pack("{s:i}", "x", 1);
    assert_int_equal(pthread_create(&t, NULL, other_thread, v), 0);
    jsonmem_begin();
    json_t *mine = page_tree(50);
    assert_int_equal(json_array_size(json_object_get(mine, "videos")), 50);
    json_decref(mine);
    jsonmem_end();
    pthread_join(t, NULL);
}

int main(void)
{
    jsonmem_install(); /* before any jansson call */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_reuses_the_arena),
        cmocka_unit_test(test_outside_a_span_is_malloc),
        cmocka_unit_test(test_large_values_use_malloc),
        cmocka_unit_test(test_threads_have_their_own_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
