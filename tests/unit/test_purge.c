/* Retention periods: what `vejled purge --older-than` and [retention] purge_after accept;
 * against a real temporary database, that a purge takes the citizen's Idempotency-Key
 * answers and sealed letters with it, and that expired answers are deleted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "purge.h"
#include "store.h"
#include "testdb.h"

static void test_period_units(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(purge_parse_period("30d", &d), 0);
    assert_int_equal(d, 30);
    assert_int_equal(purge_parse_period("400d", &d), 0);
    assert_int_equal(d, 400);
    assert_int_equal(purge_parse_period("18m", &d), 0);
    assert_int_equal(d, 18 * 30);
    assert_int_equal(purge_parse_period("5y", &d), 0);
    assert_int_equal(d, 5 * 365);
    assert_int_equal(purge_parse_period("200y", &d), 0);
    assert_int_equal(d, 200 * 365);
}

static void test_period_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "5", "1825", "0", "0d", "-5", "+5", " 5", "5 ", "5w", "5dd", "d",
                                      "y5", "201y", "99999999999999999999", "5.5y", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t d = -1;
        assert_int_equal(purge_parse_period(bad[i], &d), -1);
        assert_int_equal(d, -1); /* untouched */
    }
    int64_t d = -1;
    assert_int_equal(purge_parse_period(NULL, &d), -1);
}

struct purge_arg {
    int64_t citizen_id;
};

static enum store_status purge_one_txn(struct store *st, void *arg)
{
    return store_citizen_purge(st, ((struct purge_arg *)arg)->citizen_id, 5000);
}

static void test_purge_takes_replays_and_letters(void **state)
{
    (void)state;
    struct testdb db;
    int n = -1;
    testdb_open(&db, "purge", 1000);
    testdb_enrolments(&db, 2, 0);
    testdb_exec(&db,
                "INSERT INTO jobs(id, kind, enrolment_id, unique_key, due_at, next_attempt_at,"
                " created_at) VALUES (1, 'send_written_guidance', 1, 'k1', 0, 0, 0),"
                " (2, 'send_written_guidance', 2, 'k2', 0, 0, 0);"
                "INSERT INTO deliveries(job_id, channel, message_id, payload_box, pdf_box,"
                " created_at) VALUES (1, 'outbox', 'm1', x'01', x'02', 0),"
                " (2, 'outbox', 'm2', x'01', x'02', 0);"
                "INSERT INTO api_keys(id, name, key_hash, created_at) VALUES (1, 'cs', 'kh', 0);"
                "INSERT INTO idempotency(api_key_id, key, request_hash, status, response_box,"
                " citizen_id, created_at) VALUES (1, 'a', 'r', 201, x'00', 1, 1000),"
                " (1, 'b', 'r', 201, x'00', 2, 1000), (1, 'c', 'r', 201, x'00', 2, 4000);");
    struct purge_arg a = {1};
    assert_int_equal(store_txn(db.st, purge_one_txn, &a), STORE_OK);
    /* the purged citizen's replay and sealed letter are gone, the other's stay */
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM idempotency WHERE citizen_id = 1"), 0);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM idempotency WHERE citizen_id = 2"), 2);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM deliveries WHERE job_id = 1"
                                        " AND payload_box IS NULL AND pdf_box IS NULL"), 1);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM deliveries WHERE job_id = 2"
                                        " AND payload_box IS NOT NULL AND pdf_box IS NOT NULL"), 1);
    /* expiry: made before 4000 goes, the rest stays */
    assert_int_equal(store_idem_expire(db.st, 4000, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(testdb_scalar(&db, "SELECT count(*) FROM idempotency WHERE key = 'c'"), 1);
    assert_int_equal(store_idem_expire(db.st, 4000, &n), STORE_OK);
    assert_int_equal(n, 0);
    testdb_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_units),
        cmocka_unit_test(test_period_rejects),
        cmocka_unit_test(test_purge_takes_replays_and_letters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
