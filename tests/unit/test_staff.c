/* Unit tests for staff.c: the pure rules of accounts and sessions (field checks, password
 * length in characters, session life, scope), the argon2id hash round trip, and the access
 * log's rows for a page of many citizens (against a real temporary database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "staff.h"
#include "testdb.h"

static int setup(void **state)
{
    (void)state;
    clock_init_display_zone();
    return token_init();
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(staff_role_from_name("caseworker"), ROLE_CASEWORKER);
    assert_int_equal(staff_role_from_name("admin"), ROLE_ADMIN);
    assert_int_equal(staff_role_from_name("Admin"), ROLE_NONE);
    assert_int_equal(staff_role_from_name(""), ROLE_NONE);
    assert_int_equal(staff_role_from_name(NULL), ROLE_NONE);
}

static void test_usernames_and_units(void **state)
{
    (void)state;
    assert_int_equal(staff_check_username("cw1"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_username("anne.hansen-2_x"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_username(""), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_username(NULL), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_username("Anne"), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_username("a b"), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_username("<b>"), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_username("søren"), STAFF_USERNAME_BAD);
    /* the journal's names for actors that are not staff */
    for (const char *const *n = (const char *const[]){"api", "citizen", "scheduler", "retention",
                                                      "system", "demo", NULL};
         *n; n++)
        assert_int_equal(staff_check_username(*n), STAFF_USERNAME_RESERVED);
    assert_int_equal(staff_check_username("citizens"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_username("api2"), STAFF_FIELD_OK);
    /* a CPR number would stay in the journal, the access log and the statistics */
    assert_int_equal(staff_check_username("0303905555"), STAFF_NAME_CPR);
    assert_int_equal(staff_check_username("sb-030390-5555"), STAFF_NAME_CPR);
    assert_int_equal(staff_check_username("sb-12345"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_unit("0303905555"), STAFF_NAME_CPR);
    assert_int_equal(staff_check_unit("team-0303905555"), STAFF_NAME_CPR);
    assert_int_equal(staff_check_unit("team-nord"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_unit(""), STAFF_FIELD_OK);
    char name[70];
    memset(name, 'a', sizeof name);
    name[64] = '\0';
    assert_int_equal(staff_check_username(name), STAFF_FIELD_OK);
    name[64] = 'a';
    name[65] = '\0';
    assert_int_equal(staff_check_username(name), STAFF_USERNAME_BAD);
    assert_int_equal(staff_check_unit(""), STAFF_FIELD_OK);
    assert_int_equal(staff_check_unit(NULL), STAFF_FIELD_OK);
    assert_int_equal(staff_check_unit("team-nord"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_unit("Team Nord"), STAFF_UNIT_BAD);
}

static void test_display_names(void **state)
{
    (void)state;
    assert_int_equal(staff_check_display_name("Søren <b>Fed</b> & Co"), STAFF_FIELD_OK);
    assert_int_equal(staff_check_display_name("tab\there"), STAFF_DISPLAY_NAME_BAD);
    assert_int_equal(staff_check_display_name("line\nbreak"), STAFF_DISPLAY_NAME_BAD);
    char long_name[202];
    memset(long_name, 'x', 201);
    long_name[201] = '\0';
    assert_int_equal(staff_check_display_name(long_name), STAFF_DISPLAY_NAME_BAD);
    long_name[200] = '\0';
    assert_int_equal(staff_check_display_name(long_name), STAFF_FIELD_OK);
    /* characters, not bytes: 200 "ø" (400 bytes) fit, 201 do not */
    char wide[2 * 201 + 1];
    for (int i = 0; i < 201; i++)
        memcpy(wide + 2 * i, "\xc3\xb8", 2);
    wide[2 * 201] = '\0';
    assert_int_equal(staff_check_display_name(wide), STAFF_DISPLAY_NAME_BAD);
    wide[2 * 200] = '\0';
    assert_int_equal(staff_check_display_name(wide), STAFF_FIELD_OK);
}

static void test_password_length_in_characters(void **state)
{
    (void)state;
    assert_int_equal(staff_check_password("123456789", 10), STAFF_PASSWORD_SHORT);
    assert_int_equal(staff_check_password("1234567890", 10), STAFF_FIELD_OK);
    /* "ææææææææææ" is 10 characters in 20 bytes; "æææææ" is 5 in 10 */
    assert_int_equal(staff_check_password("\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6", 10),
                     STAFF_PASSWORD_SHORT);
    assert_int_equal(staff_check_password("\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
                                          "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6",
                                          10),
                     STAFF_FIELD_OK);
    char big[STAFF_PASSWORD_MAX + 2];
    memset(big, 'p', sizeof big);
    big[STAFF_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(staff_check_password(big, 10), STAFF_PASSWORD_LONG);
    big[STAFF_PASSWORD_MAX] = '\0';
    assert_int_equal(staff_check_password(big, 10), STAFF_FIELD_OK);
    assert_int_equal(staff_check_password(NULL, 10), STAFF_PASSWORD_SHORT);
    /* the most is in characters too: 128 "æ" (256 bytes) fit, at creation and at login */
    char wide[2 * (STAFF_PASSWORD_MAX + 1) + 1];
    for (int i = 0; i <= STAFF_PASSWORD_MAX; i++)
        memcpy(wide + 2 * i, "\xc3\xa6", 2);
    wide[2 * (STAFF_PASSWORD_MAX + 1)] = '\0';
    assert_int_equal(staff_check_password(wide, 10), STAFF_PASSWORD_LONG);
    assert_false(staff_password_fits(wide));
    wide[2 * STAFF_PASSWORD_MAX] = '\0';
    assert_int_equal(staff_check_password(wide, 10), STAFF_FIELD_OK);
    assert_true(staff_password_fits(wide));
}

static void test_password_hash_round_trip(void **state)
{
    (void)state;
    char h1[STORE_PWHASH_MAX + 1], h2[STORE_PWHASH_MAX + 1];
    assert_int_equal(staff_password_hash("correct horse battery", h1), 0);
    assert_int_equal(staff_password_hash("correct horse battery", h2), 0);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(staff_password_verify(h1, "correct horse battery"));
    assert_true(staff_password_verify(h2, "correct horse battery"));
    assert_false(staff_password_verify(h1, "correct horse batterY"));
    assert_false(staff_password_verify(h1, ""));
    assert_false(staff_password_verify("", "correct horse battery"));
    assert_false(staff_password_verify(NULL, "x"));
    assert_null(strstr(h1, "correct"));
}

static void test_session_life(void **state)
{
    (void)state;
    const int64_t t0 = 1800000000;
    /* idle 30 minutes, absolute 10 hours */
    assert_true(staff_session_live(t0, t0, t0, 30, 10));
    assert_true(staff_session_live(t0, t0, t0 + 30 * 60 - 1, 30, 10));
    assert_false(staff_session_live(t0, t0, t0 + 30 * 60, 30, 10));
    /* used a minute ago, but past the absolute end */
    assert_true(staff_session_live(t0, t0 + 10 * 3600 - 120, t0 + 10 * 3600 - 1, 30, 10));
    assert_false(staff_session_live(t0, t0 + 10 * 3600 - 60, t0 + 10 * 3600, 30, 10));
}

static void test_scope(void **state)
{
    (void)state;
    struct store_user u;
    memset(&u, 0, sizeof u);
    strcpy(u.role, "caseworker");
    strcpy(u.unit, "team-nord");
    assert_string_equal(staff_scope(&u, false), "team-nord");
    assert_string_equal(staff_scope(&u, true), "");
    u.unit[0] = '\0';
    assert_string_equal(staff_scope(&u, false), " "); /* no unit: nobody */
    strcpy(u.role, "admin");
    assert_string_equal(staff_scope(&u, false), "");
}

static void test_csrf_is_per_session(void **state)
{
    (void)state;
    char a[TOKEN_HASH_HEX_LEN + 1], b[TOKEN_HASH_HEX_LEN + 1], a2[TOKEN_HASH_HEX_LEN + 1];
    staff_csrf("AAAAAAAAAAAAAAAAAAAAAAAA", a);
    staff_csrf("AAAAAAAAAAAAAAAAAAAAAAAB", b);
    staff_csrf("AAAAAAAAAAAAAAAAAAAAAAAA", a2);
    assert_string_equal(a, a2);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), TOKEN_HASH_HEX_LEN);
    /* the token is not the session id's own hash (that is what the database stores) */
    char h[TOKEN_HASH_HEX_LEN + 1];
    token_hash("AAAAAAAAAAAAAAAAAAAAAAAA", TOKEN_LEN, h);
    assert_string_not_equal(a, h);
}

static void test_login_delays(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    cfg.login_address_free_failures = 3;
    cfg.login_address_delay_seconds = 2;
    cfg.login_address_delay_max_seconds = 60;
    /* free failures cost nothing, then the wait doubles up to its maximum */
    for (unsigned n = 0; n <= 3; n++)
        assert_int_equal(staff_address_delay(&cfg, n), 0);
    assert_int_equal(staff_address_delay(&cfg, 4), 2);
    assert_int_equal(staff_address_delay(&cfg, 5), 4);
    assert_int_equal(staff_address_delay(&cfg, 8), 32);
    assert_int_equal(staff_address_delay(&cfg, 9), 60);
    assert_int_equal(staff_address_delay(&cfg, 4000000000u), 60);
    cfg.login_address_free_failures = 0;
    assert_int_equal(staff_address_delay(&cfg, 1), 2);

    cfg.login_max_failures = 5;
    cfg.login_lockout_minutes = 15;
    cfg.login_lockout_max_minutes = 100;
    assert_int_equal(staff_account_lock(&cfg, 0), 0);
    assert_int_equal(staff_account_lock(&cfg, 4), 0);
    assert_int_equal(staff_account_lock(&cfg, 5), 15 * 60);
    assert_int_equal(staff_account_lock(&cfg, 6), 30 * 60);
    assert_int_equal(staff_account_lock(&cfg, 7), 60 * 60);
    assert_int_equal(staff_account_lock(&cfg, 8), 100 * 60);
    assert_int_equal(staff_account_lock(&cfg, 4000000000u), 100 * 60);
    /* a first lock longer than the maximum is the maximum */
    cfg.login_lockout_minutes = 200;
    assert_int_equal(staff_account_lock(&cfg, 5), 100 * 60);
}

/* A list shows a citizen with two enrolments twice: one read of their data, one row, in
 * one statement; the same user shown them on the same page again that Copenhagen day adds
 * no row, the next day does.  The citizen page's list leaves those rows out and counts
 * them. */
static void test_access_rows_of_a_list(void **state)
{
    (void)state;
    struct testdb db;
    testdb_open(&db, "access", 1000);
    testdb_exec(&db, "INSERT INTO users(id, username, role, unit, password_hash, created_at)"
                     " VALUES (7, 'cw1', 'caseworker', 'Nord', '', 0),"
                     " (8, 'cw2', 'caseworker', 'Nord', '', 0);"
                     "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
                     " VALUES (1, 'c1', 'l1', x'00', 'Åse', 0), (2, 'c2', 'l2', x'00', 'Bo', 0),"
                     " (3, 'c3', 'l3', x'00', 'Cai', 0);");
    struct store_user by = {.id = 7, .username = "cw1"}, other = {.id = 8, .username = "cw2"};
    /* 2026-12-07 08:00 and 22:30 UTC: 09.00 and 23.30 in Copenhagen, one day; 23:05 UTC is
     * 00.05 the next day */
    const int64_t morning = 1796630400, night = morning + 14 * 3600 + 1800,
                  next = morning + 15 * 3600 + 300;
    const int64_t shown[] = {2, 1, 2, 1};
    assert_int_equal(staff_access_record_shown(db.st, &by, shown, 4, STORE_ACCESS_LIST,
                                               morning),
                     STORE_OK);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log"), 2);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log WHERE page = 'list'"
                                        " AND username = 'cw1' AND user_id = 7"
                                        " AND at = 1796630400 AND citizen_id IN (1, 2)"),
                     2);
    /* later that day: only the citizen not shown before; another user, another page: rows */
    const int64_t more[] = {1, 3, 2};
    assert_int_equal(staff_access_record_shown(db.st, &by, more, 3, STORE_ACCESS_LIST, night),
                     STORE_OK);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log"), 3);
    assert_int_equal(testdb_scalar(&db, "SELECT citizen_id FROM access_log WHERE at = "
                                        "1796682600"),
                     3);
    assert_int_equal(staff_access_record_shown(db.st, &other, more, 3, STORE_ACCESS_LIST,
                                               night),
                     STORE_OK);
    assert_int_equal(staff_access_record_shown(db.st, &by, more, 1, STORE_ACCESS_NAME_SEARCH,
                                               night),
                     STORE_OK);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log"), 7);
    /* the next day, again */
    assert_int_equal(staff_access_record_shown(db.st, &by, more, 3, STORE_ACCESS_LIST, next),
                     STORE_OK);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log"), 10);
    assert_int_equal(staff_access_record_shown(db.st, &by, shown, 0, STORE_ACCESS_LIST, next),
                     STORE_OK); /* an empty page is no read */
    /* a read of the citizen's own page: every time */
    assert_int_equal(staff_access_record(db.st, &by, 1, "citizen", next), STORE_OK);
    assert_int_equal(staff_access_record(db.st, &by, 1, "citizen", next), STORE_OK);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM access_log"), 12);

    struct store_access_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(store_access_list(db.st, 1, "", false, 50, &rows, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].page, "citizen");
    free(rows);
    assert_int_equal(store_access_list(db.st, 1, "Nord", true, 50, &rows, &n), STORE_OK);
    assert_int_equal(n, 6);
    assert_string_equal(rows[2].page, STORE_ACCESS_LIST); /* newest first */
    free(rows);
    assert_int_equal(store_access_list(db.st, 1, "Syd", true, 50, &rows, &n), STORE_OK);
    assert_int_equal(n, 0); /* another unit's reads are not shown */
    free(rows);
    int64_t times = -1, last = -1;
    assert_int_equal(store_access_lists_count(db.st, 1, "", &times, &last), STORE_OK);
    assert_int_equal(times, 4);
    assert_int_equal(last, next);
    testdb_exec(&db, "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
                     " VALUES (4, 'c4', 'l4', x'00', 'Dan', 0)");
    assert_int_equal(store_access_lists_count(db.st, 4, "", &times, &last), STORE_OK);
    assert_int_equal(times, 0);
    assert_int_equal(last, 0);
    testdb_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_usernames_and_units),
        cmocka_unit_test(test_display_names),
        cmocka_unit_test(test_password_length_in_characters),
        cmocka_unit_test(test_password_hash_round_trip),
        cmocka_unit_test(test_session_life),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_csrf_is_per_session),
        cmocka_unit_test(test_login_delays),
        cmocka_unit_test(test_access_rows_of_a_list),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
