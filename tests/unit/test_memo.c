/* Remembered reads (store_remember): a session's enrolment, an enrolment's progress and a
 * target group are answered again without a query while nothing is committed, and never
 * once something is, by another connection or another process; inside a read snapshot
 * only before its first statement; inside a write transaction never. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "store.h"
#include "testdb.h"

static int setup(void **state)
{
    struct testdb *d = calloc(1, sizeof *d);
    testdb_open(d, "memo", 1000);
    testdb_exec(d, "INSERT INTO target_groups(id, slug, name_da, name_en, resend_months,"
                   " created_at) VALUES (1, 'dagpenge', 'Dagpenge', 'Benefits', 6, 0);"
                   "INSERT INTO packs(id, group_id, version, state, created_at)"
                   " VALUES (1, 1, 1, 'published', 0);"
                   "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
                   " VALUES (1, 'c1', 'l1', x'00', 'Åse', 0);"
                   "INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id,"
                   " first_meeting_at, token_hash, token_expires_at, created_at)"
                   " VALUES (1, 'e1', 1, 1, 1, 1900000000, 'h1', 1990000000, 0);"
                   "INSERT INTO citizen_sessions(id_hash, enrolment_id, created_at, expires_at)"
                   " VALUES ('s1', 1, 0, 2000);");
    store_remember(d->st, true);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    struct testdb *d = *state;
    testdb_close(d);
    free(d);
    return 0;
}

static void group_name_is(struct store *st, const char *want)
{
    struct model_group g;
    assert_int_equal(store_group_by_id(st, 1, &g), STORE_OK);
    assert_string_equal(g.name[LANG_DA], want);
    model_group_clear(&g);
}

static void test_group_until_a_commit(void **state)
{
    struct testdb *d = *state;
    group_name_is(d->st, "Dagpenge");
    assert_int_equal(store_remembered(d->st), 0);
    group_name_is(d->st, "Dagpenge");
    assert_int_equal(store_remembered(d->st), 1);
    /* another connection renames it: the next read asks the database */
    testdb_exec(d, "UPDATE target_groups SET name_da = 'Ledige' WHERE id = 1");
    group_name_is(d->st, "Ledige");
    assert_int_equal(store_remembered(d->st), 1);
    group_name_is(d->st, "Ledige");
    assert_int_equal(store_remembered(d->st), 2);
    /* another process renames it */
    char cmd[300];
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"UPDATE target_groups SET name_da = 'Dagpengemodtagere'\"", d->path);
    assert_int_equal(system(cmd), 0);
    group_name_is(d->st, "Dagpengemodtagere");
    assert_int_equal(store_remembered(d->st), 2);
    /* a commit to anything else forgets it too */
    testdb_exec(d, "UPDATE citizens SET name = 'Åse B' WHERE id = 1");
    group_name_is(d->st, "Dagpengemodtagere");
    assert_int_equal(store_remembered(d->st), 2);
    /* not remembering: every read asks */
    store_remember(d->st, false);
    group_name_is(d->st, "Dagpengemodtagere");
    group_name_is(d->st, "Dagpengemodtagere");
    assert_int_equal(store_remembered(d->st), 0);
}

static void test_session_expiry_and_removal(void **state)
{
    struct testdb *d = *state;
    struct model_enrolment e;
    bool used = true;
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    assert_int_equal(e.id, 1);
    assert_false(used);
    memset(&e, 0, sizeof e);
    assert_int_equal(store_session_enrolment(d->st, "s1", 1500, &e, &used), STORE_OK);
    assert_int_equal(store_remembered(d->st), 1);
    assert_int_equal(e.id, 1);
    assert_string_equal(e.uuid, "e1");
    assert_string_equal(e.citizen_uuid, "c1");
    /* past its expiry the remembered session is not given */
    assert_int_equal(store_session_enrolment(d->st, "s1", 2000, &e, &used), STORE_NOT_FOUND);
    assert_int_equal(store_remembered(d->st), 1);
    assert_int_equal(store_session_enrolment(d->st, "other", 1000, &e, &used), STORE_NOT_FOUND);
    /* used by another connection: the flag comes from the database again */
    testdb_exec(d, "UPDATE citizen_sessions SET used_at = 5 WHERE id_hash = 's1'");
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    assert_true(used);
    /* ended by another connection */
    testdb_exec(d, "DELETE FROM citizen_sessions WHERE id_hash = 's1'");
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_NOT_FOUND);
}

/* The session's enrolment carries the first meeting as recorded: none, then, once another
 * connection records it, its time; remembered again only while nothing else is committed. */
static void test_session_meeting_recorded(void **state)
{
    struct testdb *d = *state;
    struct model_enrolment e;
    bool used;
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    assert_int_equal(e.held_at, 0);
    assert_int_equal(e.first_meeting_at, 1900000000);
    testdb_exec(d, "INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by,"
                   " recorded_at) VALUES (1, 1899990000, 1, 'cw1', 1899990100)");
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    assert_int_equal(e.held_at, 1899990000);
    assert_int_equal(store_remembered(d->st), 0);
    memset(&e, 0, sizeof e);
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    assert_int_equal(store_remembered(d->st), 1);
    assert_int_equal(e.held_at, 1899990000);
    /* the same read by id, as the pages after a link and the domain's checks do it */
    memset(&e, 0, sizeof e);
    assert_int_equal(store_enrolment_by_id(d->st, 1, &e), STORE_OK);
    assert_int_equal(e.held_at, 1899990000);
}

static void asked_are(struct store *st, size_t n, const int64_t *want)
{
    struct model_progress pr;
    assert_int_equal(store_progress_load(st, 1, &pr), STORE_OK);
    assert_int_equal(pr.n_asked, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pr.asked[i], want[i]);
    model_progress_clear(&pr);
}

static void test_progress_copies(void **state)
{
    struct testdb *d = *state;
    const int64_t one[] = {11}, two[] = {11, 12};
    testdb_exec(d, "INSERT INTO asked_topics(enrolment_id, question_id, asked_at)"
                   " VALUES (1, 11, 0)");
    asked_are(d->st, 1, one);
    asked_are(d->st, 1, one); /* remembered: a copy, freed by the caller each time */
    assert_int_equal(store_remembered(d->st), 1);
    testdb_exec(d, "INSERT INTO asked_topics(enrolment_id, question_id, asked_at)"
                   " VALUES (1, 12, 0)");
    asked_are(d->st, 2, two);
    asked_are(d->st, 2, two);
    assert_int_equal(store_remembered(d->st), 2);
}

static void test_read_snapshot(void **state)
{
    struct testdb *d = *state;
    group_name_is(d->st, "Dagpenge"); /* remembered outside */
    uint64_t hits;
    /* a snapshot whose reads are all remembered runs no statement */
    store_read_begin(d->st);
    group_name_is(d->st, "Dagpenge");
    assert_int_equal(store_remembered(d->st), 1);
    store_read_end(d->st);
    /* once the snapshot has run a statement, nothing remembered is given: the snapshot
     * may be newer than the mark taken before it */
    store_read_begin(d->st);
    struct model_enrolment e;
    bool used;
    assert_int_equal(store_session_enrolment(d->st, "s1", 1000, &e, &used), STORE_OK);
    group_name_is(d->st, "Dagpenge");
    assert_int_equal(store_remembered(d->st), 1);
    store_read_end(d->st);
    /* a snapshot answered from memory shows the state at its begin, as a snapshot
     * that began with a statement then would: a commit after it is seen after it */
    store_read_begin(d->st);
    testdb_exec(d, "UPDATE target_groups SET name_da = 'Ledige' WHERE id = 1");
    group_name_is(d->st, "Dagpenge");
    store_read_end(d->st);
    group_name_is(d->st, "Ledige");
    /* a commit between the mark and the snapshot's first statement: the snapshot reads
     * the newer state, and nothing remembered from before is mixed in */
    store_read_begin(d->st);
    testdb_exec(d, "UPDATE target_groups SET name_da = 'Dagpenge' WHERE id = 1");
    struct model_progress pr;
    assert_int_equal(store_progress_load(d->st, 1, &pr), STORE_OK);
    model_progress_clear(&pr);
    hits = store_remembered(d->st);
    group_name_is(d->st, "Dagpenge");
    assert_int_equal(store_remembered(d->st), hits);
    store_read_end(d->st);
    group_name_is(d->st, "Dagpenge");
}

/* In a write transaction: changes its group, reads it back, then fails (rolled back). */
static enum store_status change_read_fail(struct store *st, void *arg)
{
    int *seen = arg;
    struct model_group g;
    if (store_group_settings(st, 1, true, 3) != STORE_OK ||
        store_group_by_id(st, 1, &g) != STORE_OK)
        return STORE_CONFLICT;
    *seen = g.resend_months;
    model_group_clear(&g);
    return STORE_CONFLICT;
}

static void test_write_transaction(void **state)
{
    struct testdb *d = *state;
    struct model_group g;
    group_name_is(d->st, "Dagpenge");
    group_name_is(d->st, "Dagpenge");
    uint64_t hits = store_remembered(d->st);
    int seen = 0;
    assert_int_equal(store_txn(d->st, change_read_fail, &seen), STORE_CONFLICT);
    assert_int_equal(seen, 3); /* its own write, not what was remembered */
    assert_int_equal(store_remembered(d->st), hits);
    /* rolled back: the uncommitted read was not remembered */
    assert_int_equal(store_group_by_id(d->st, 1, &g), STORE_OK);
    assert_int_equal(g.resend_months, 6);
    model_group_clear(&g);
    assert_int_equal(testdb_scalar(d, "SELECT resend_months FROM target_groups"), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group_until_a_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry_and_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_meeting_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
