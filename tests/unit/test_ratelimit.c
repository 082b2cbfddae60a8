/* ratelimit: the window slides (no double limit around a minute boundary), it forgets
 * events that left the window, addresses are counted apart, and the wait it reports ends
 * when the address may act again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "ratelimit.h"

#define MINUTE_START 1796115600 /* 2026-12-01T09:00:00Z, a whole minute */

static void test_minute_boundary(void **state)
{
    (void)state;
    struct ratelimit *r = ratelimit_new(20, 60);
    /* 20 events in the last second of one clock minute ... */
    for (int i = 0; i < 20; i++) {
        assert_false(ratelimit_blocked(r, "10.0.0.1", MINUTE_START + 59));
        ratelimit_hit(r, "10.0.0.1", MINUTE_START + 59);
    }
    assert_true(ratelimit_blocked(r, "10.0.0.1", MINUTE_START + 59));
    /* ... and none more in the first seconds of the next: per clock minute, 20 more would
     * have fitted here */
    for (int s = 60; s < 119; s++)
        assert_true(ratelimit_blocked(r, "10.0.0.1", MINUTE_START + s));
    assert_int_equal(ratelimit_count(r, "10.0.0.1", MINUTE_START + 100, NULL), 20);
    /* once the burst has left the window the address may go on */
    assert_false(ratelimit_blocked(r, "10.0.0.1", MINUTE_START + 59 + 66));
    assert_int_equal(ratelimit_count(r, "10.0.0.1", MINUTE_START + 59 + 66, NULL), 0);
    ratelimit_free(r);
}

static void test_no_span_holds_more_than_the_limit(void **state)
{
    (void)state;
    /* one attempt a second whenever allowed: no 60-second span ever holds more than 20 */
    struct ratelimit *r = ratelimit_new(20, 60);
    int64_t times[2000];
    int n = 0;
    for (int64_t t = MINUTE_START - 7; t < MINUTE_START + 1200 && n < 2000; t++)
        if (!ratelimit_blocked(r, "10.0.0.2", t)) {
            ratelimit_hit(r, "10.0.0.2", t);
            times[n++] = t;
        }
    assert_true(n >= 20 * 15); /* it does let the address go on, about 20 a minute */
    for (int i = 0; i + 20 < n; i++)
        assert_true(times[i + 20] - times[i] >= 60);
    ratelimit_free(r);
}

static void test_addresses_apart_and_wait(void **state)
{
    (void)state;
    struct ratelimit *r = ratelimit_new(3, 60);
    int64_t last = -1;
    assert_int_equal(ratelimit_count(r, "10.0.0.3", MINUTE_START, &last), 0);
    assert_int_equal(last, 0);
    for (int i = 0; i < 3; i++)
        ratelimit_hit(r, "10.0.0.3", MINUTE_START + 10 + i);
    assert_true(ratelimit_blocked(r, "10.0.0.3", MINUTE_START + 20));
    assert_false(ratelimit_blocked(r, "10.0.0.4", MINUTE_START + 20));
    assert_int_equal(ratelimit_count(r, "10.0.0.3", MINUTE_START + 20, &last), 3);
    assert_int_equal(last, MINUTE_START + 12);
    unsigned wait = ratelimit_wait(r, "10.0.0.3", MINUTE_START + 20);
    assert_true(wait >= 50 && wait <= 65);
    assert_true(ratelimit_blocked(r, "10.0.0.3", MINUTE_START + 20 + wait - 1));
    assert_false(ratelimit_blocked(r, "10.0.0.3", MINUTE_START + 20 + wait));
    assert_int_equal(ratelimit_wait(r, "10.0.0.4", MINUTE_START + 20), 0);
    /* a long window: an hour, in slots of five minutes */
    struct ratelimit *h = ratelimit_new(100, 3600);
    ratelimit_hit(h, "10.0.0.5", MINUTE_START);
    assert_int_equal(ratelimit_count(h, "10.0.0.5", MINUTE_START + 3599, NULL), 1);
    assert_int_equal(ratelimit_count(h, "10.0.0.5", MINUTE_START + 3900, NULL), 0);
    ratelimit_free(h);
    ratelimit_free(r);
    ratelimit_free(NULL);
}

static void test_many_addresses_rarely_share(void **state)
{
    (void)state;
    /* a thousand guessing addresses: an address that did nothing still counts nothing,
     * nearly always (a table where each address has one bucket would mix about a fifth of
     * them with a guesser's) */
    struct ratelimit *r = ratelimit_new(5, 3600);
    char addr[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "198.51.%d.%d", i / 250, i % 250);
        ratelimit_hit(r, addr, MINUTE_START);
    }
    int shared = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(addr, sizeof addr, "203.0.%d.%d", i / 100, i % 100);
        shared += ratelimit_count(r, addr, MINUTE_START + 1, NULL) > 0;
    }
    assert_true(shared <= 4);
    /* and every guesser is still counted */
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "198.51.%d.%d", i / 250, i % 250);
        assert_true(ratelimit_count(r, addr, MINUTE_START + 2, NULL) >= 1);
    }
    ratelimit_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minute_boundary),
        cmocka_unit_test(test_no_span_holds_more_than_the_limit),
        cmocka_unit_test(test_addresses_apart_and_wait),
        cmocka_unit_test(test_many_addresses_rarely_share),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
