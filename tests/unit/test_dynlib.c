/* dynlib: a library opened on first use and its functions found by name; a missing library
 * or function is an error that names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "dynlib.h"

#define M_FUNCTIONS(X) X(cos) X(sqrt)
#define M_FIELD(name) __typeof__(&name) name;
#define M_ENTRY(name) DYNLIB_FN(M, name)
static struct {
    M_FUNCTIONS(M_FIELD)
} M;
static const struct dynlib_fn m_fns[] = {M_FUNCTIONS(M_ENTRY)};

static void test_functions_are_found_and_called(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(dynlib_load("libm.so.6", m_fns, 2, err, sizeof err), 0);
    assert_non_null(M.cos);
    assert_non_null(M.sqrt);
    assert_true(M.cos(0.0) == 1.0);
    assert_true(M.sqrt(16.0) == 4.0);
}

static void test_a_missing_function_is_named(void **state)
{
    (void)state;
    void (*nothing)(void) = NULL;
    const struct dynlib_fn fns[] = {{"vejled_no_such_function", (void **)&nothing}};
    char err[256] = "";
    assert_int_equal(dynlib_load("libm.so.6", fns, 1, err, sizeof err), -1);
    assert_string_equal(err, "libm.so.6 lacks vejled_no_such_function");
    assert_null(nothing);
}

static void test_a_missing_library_is_named(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(dynlib_load("libvejled-none.so.9", m_fns, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot load libvejled-none.so.9: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions_are_found_and_called),
        cmocka_unit_test(test_a_missing_function_is_named),
        cmocka_unit_test(test_a_missing_library_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
