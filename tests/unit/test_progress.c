/* Unit tests for progress.c: the chosen-ids list of an answer is bounded (many and long
 * ids fit exactly; a list that does not fit is refused without writing past the buffer)
 * and read back whole; against a real temporary database, a citizen's writes made with an
 * enrolment read before the case system closed it (the session checked, then the close)
 * record nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#include <cmocka.h>

#include "progress.h"
#include "store.h"
#include "token.h"
#include "testdb.h"

static void test_longest_list_fits(void **state)
{
    (void)state;
    int64_t ids[16];
    for (size_t i = 0; i < 16; i++)
        ids[i] = INT64_MIN + (int64_t)i; /* 20 characters each */
    char out[PROGRESS_CHOSEN_MAX];
    assert_int_equal(progress_format_chosen(ids, 16, out, sizeof out), 0);
    assert_int_equal(strlen(out), 16 * 20 + 15);
    assert_int_equal(strncmp(out, "-9223372036854775808,-9223372036854775807,", 42), 0);
    for (size_t i = 0; i < 16; i++)
        assert_true(progress_chosen_has(out, ids[i]));
    assert_false(progress_chosen_has(out, 7));
}

static void test_too_long_is_refused_within_bounds(void **state)
{
    (void)state;
    int64_t ids[16];
    for (size_t i = 0; i < 16; i++)
        ids[i] = INT64_MAX - (int64_t)i;
    /* a buffer of 256 (the old size) followed by a canary */
    struct {
        char buf[256];
        char canary[64];
    } m;
    memset(m.canary, 0x5a, sizeof m.canary);
    assert_int_equal(progress_format_chosen(ids, 16, m.buf, sizeof m.buf), -1);
    assert_string_equal(m.buf, "");
    for (size_t i = 0; i < sizeof m.canary; i++)
        assert_int_equal((unsigned char)m.canary[i], 0x5a);
    /* the boundary: exactly full fits, one byte less does not */
    char exact[8];
    int64_t two[2] = {123, 45};
    assert_int_equal(progress_format_chosen(two, 2, exact, 7), 0);
    assert_string_equal(exact, "123,45");
    assert_int_equal(progress_format_chosen(two, 2, exact, 6), -1);
    assert_int_equal(progress_format_chosen(two, 0, exact, 1), 0);
    assert_string_equal(exact, "");
}

static void test_closed_meanwhile_records_nothing(void **state)
{
    (void)state;
    struct testdb db;
    testdb_open(&db, "progress", 1000);
    testdb_enrolments(&db, 1, 4000000000);
    /* the enrolment as the session check read it: open */
    struct model_enrolment e;
    memset(&e, 0, sizeof e);
    e.id = 1;
    e.citizen_id = 1;
    snprintf(e.uuid, sizeof e.uuid, "e1");
    snprintf(e.citizen_uuid, sizeof e.citizen_uuid, "c1");
    e.first_meeting_at = 4000000000;
    assert_int_equal(store_enrolment_is_open(db.st, 1), STORE_OK);
    /* then closed by the case system */
    testdb_exec(&db, "UPDATE enrolments SET closed_at = 1000 WHERE id = 1");
    assert_int_equal(store_enrolment_is_open(db.st, 1), STORE_NOT_FOUND);
    assert_int_equal(store_enrolment_is_open(db.st, 99), STORE_NOT_FOUND);
    int64_t before = testdb_scalar(&db, "SELECT count(*) FROM journal");
    assert_int_equal(progress_decline(db.st, &e, 2000), 2);
    char cookie[TOKEN_LEN + 1];
    token_new(cookie);
    assert_int_equal(progress_session_used(db.st, cookie, &e, 2000), 1);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM enrolments WHERE opened_at IS NOT NULL"),
                     0);
    struct model_pack pack;
    struct model_video v;
    memset(&pack, 0, sizeof pack);
    memset(&v, 0, sizeof v);
    v.id = 1;
    struct watch_report r;
    memset(&r, 0, sizeof r);
    r.duration_ms = 40000;
    r.played[0] = (struct model_range){0, 40000};
    r.n_played = 1;
    r.ended = true;
    assert_int_equal(progress_watch_report(db.st, &e, &pack, &v, &r, 64, 2000),
                     WATCH_REPORT_CLOSED);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM journal"), before);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM video_views"), 0);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM enrolments WHERE declined_at IS NOT NULL"),
                     0);
    testdb_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longest_list_fits),
        cmocka_unit_test(test_too_long_is_refused_within_bounds),
        cmocka_unit_test(test_closed_meanwhile_records_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
