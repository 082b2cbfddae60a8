/* router: literal, parameter and tail patterns; 404 versus 405 with the Allow list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "router.h"

static const struct route table[] = {
    {ROUTER_POST, "/api/v1/enrolments", (void *)1, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/enrolments/{id}", (void *)2, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/citizens/{id}/journal", (void *)3, AUTH_API_KEY, BODY_NONE, 0, 0},
    {ROUTER_GET | ROUTER_POST, "/borger/fravalg", (void *)4, AUTH_CITIZEN, BODY_FORM, 0, 0},
    {ROUTER_GET, "/borger/video/{n}/tekst/{lang}", (void *)5, AUTH_CITIZEN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/static/*", (void *)6, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
};
#define N (sizeof table / sizeof table[0])

static void test_literal_and_params(void **state)
{
    (void)state;
    struct router_match m;
    unsigned allowed = 0;
    assert_int_equal(router_match(table, N, ROUTER_POST, "/api/v1/enrolments", &m, &allowed),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route->handler, (void *)1);
    assert_int_equal(m.n_params, 0);
    assert_int_equal(router_match(table, N, ROUTER_GET, "/api/v1/enrolments/abc-123", &m, &allowed),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route->handler, (void *)2);
    assert_string_equal(m.params[0], "abc-123");
    assert_int_equal(router_match(table, N, ROUTER_GET, "/borger/video/3/tekst/en", &m, &allowed),
                     ROUTER_FOUND);
    assert_int_equal(m.n_params, 2);
    assert_string_equal(m.params[0], "3");
    assert_string_equal(m.params[1], "en");
}

static void test_params_are_one_nonempty_segment(void **state)
{
    (void)state;
    struct router_match m;
    unsigned allowed = 0;
    assert_int_equal(router_match(table, N, ROUTER_GET, "/api/v1/enrolments/", &m, &allowed),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match(table, N, ROUTER_GET, "/api/v1/enrolments/a/b", &m, &allowed),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match(table, N, ROUTER_GET, "/api/v1/enrolments/a/", &m, &allowed),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match(table, N, ROUTER_GET, "/api/v1/citizens/x/journalx", &m, &allowed),
                     ROUTER_NOT_FOUND);
    char long_path[600] = "/api/v1/enrolments/";
    memset(long_path + strlen(long_path), 'a', 300);
    assert_int_equal(router_match(table, N, ROUTER_GET, long_path, &m, &allowed),
                     ROUTER_NOT_FOUND);
}

static void test_tail_wildcard(void **state)
{
    (void)state;
    struct router_match m;
    unsigned allowed = 0;
    assert_int_equal(router_match(table, N, ROUTER_GET, "/static/css/vejled.css", &m, &allowed),
                     ROUTER_FOUND);
    assert_string_equal(m.params[0], "css/vejled.css");
    assert_int_equal(router_match(table, N, ROUTER_GET, "/staticx", &m, &allowed),
                     ROUTER_NOT_FOUND);
}

static void test_method_not_allowed_lists_methods(void **state)
{
    (void)state;
    struct router_match m;
    unsigned allowed = 0;
    char allow[64];
    assert_int_equal(router_match(table, N, ROUTER_DELETE, "/api/v1/enrolments", &m, &allowed),
                     ROUTER_METHOD_NOT_ALLOWED);
    router_allow_header(allowed, allow, sizeof allow);
    assert_string_equal(allow, "POST");
    assert_int_equal(router_match(table, N, ROUTER_PUT, "/borger/fravalg", &m, &allowed),
                     ROUTER_METHOD_NOT_ALLOWED);
    router_allow_header(allowed, allow, sizeof allow);
    assert_string_equal(allow, "GET, HEAD, POST");
}

static void test_get_routes_answer_head(void **state)
{
    (void)state;
    struct router_match m;
    unsigned allowed = 0;
    assert_int_equal(router_match(table, N, ROUTER_HEAD, "/static/x.css", &m, &allowed),
                     ROUTER_FOUND);
    assert_int_equal(router_method_from_name("HEAD"), ROUTER_HEAD);
    assert_int_equal(router_method_from_name("BREW"), ROUTER_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params),
        cmocka_unit_test(test_params_are_one_nonempty_segment),
        cmocka_unit_test(test_tail_wildcard),
        cmocka_unit_test(test_method_not_allowed_lists_methods),
        cmocka_unit_test(test_get_routes_answer_head),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
