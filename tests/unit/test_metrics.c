/* metrics: counts per route and status, "(none)" for unmatched, cumulative buckets, and
 * statuses beyond the per-route slots counted as "other". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "metrics.h"

static const struct route table[] = {
    {ROUTER_GET, "/a", (void *)1, AUTH_NONE, BODY_NONE, 0, 0},
    {ROUTER_GET, "/b/{id}", (void *)2, AUTH_NONE, BODY_NONE, 0, 0},
};

static void test_counts_and_buckets(void **state)
{
    (void)state;
    struct metrics *m = metrics_new(table, 2);
    metrics_observe(m, &table[0], 200, 0.5);
    metrics_observe(m, &table[0], 200, 3.0);
    metrics_observe(m, &table[0], 404, 7000.0);
    metrics_observe(m, NULL, 404, 1.0);
    struct buf out = {0};
    metrics_render(m, &out);
    assert_non_null(strstr(out.data, "vejled_http_requests_total{route=\"/a\",status=\"200\"} 2\n"));
    assert_non_null(strstr(out.data, "vejled_http_requests_total{route=\"/a\",status=\"404\"} 1\n"));
    assert_non_null(strstr(out.data, "vejled_http_requests_total{route=\"(none)\",status=\"404\"} 1\n"));
    assert_null(strstr(out.data, "route=\"/b/{id}\"")); /* never requested: no lines */
    assert_non_null(strstr(out.data, "_bucket{route=\"/a\",le=\"0.001\"} 1\n"));
    assert_non_null(strstr(out.data, "_bucket{route=\"/a\",le=\"0.005\"} 2\n"));
    assert_non_null(strstr(out.data, "_bucket{route=\"/a\",le=\"5\"} 2\n"));
    assert_non_null(strstr(out.data, "_bucket{route=\"/a\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(out.data, "_count{route=\"/a\"} 3\n"));
    buf_free(&out);
    metrics_free(m);
}

static void test_other_statuses(void **state)
{
    (void)state;
    struct metrics *m = metrics_new(table, 2);
    for (int s = 0; s < 20; s++)
        metrics_observe(m, &table[1], 200 + s, 1.0);
    struct buf out = {0};
    metrics_render(m, &out);
    assert_non_null(strstr(out.data, "{route=\"/b/{id}\",status=\"211\"} 1\n"));
    assert_null(strstr(out.data, "status=\"212\""));
    assert_non_null(strstr(out.data, "{route=\"/b/{id}\",status=\"other\"} 8\n"));
    buf_free(&out);
    metrics_free(m);
    metrics_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_buckets),
        cmocka_unit_test(test_other_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
