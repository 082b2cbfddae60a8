/* journal: hash chaining, verification, detection of changed, removed and reordered
 * entries, and the exact hash formula documented in journal.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "store.h"
#include "token.h"

struct fixture {
    char dir[64];
    char path[96];
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    int applied;
    snprintf(f->dir, sizeof f->dir, "/tmp/vejled-journal-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/j.db", f->dir);
    assert_int_equal(token_init(), 0);
    assert_int_equal(store_open(f->path, 1000, &f->st, err, sizeof err), 0);
    assert_int_equal(store_migrate(f->st, "db/migrations", &applied, err, sizeof err), 0);
    assert_true(applied >= 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];
    store_close(f->st);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

struct append {
    const char *kind;
    int64_t at;
    json_t *data;
};

static enum store_status append_txn(struct store *st, void *arg)
{
    struct append *a = arg;
    return journal_append(st, a->at, a->kind, "citizen", "c-uuid", "e-uuid", a->data, NULL);
}

static void append(struct store *st, const char *kind, int64_t at)
{
    json_t *data = json_pack("{s:s, s:i}", "video", "raadighed", "n", (int)at % 7);
    struct append a = {kind, at, data};
    assert_int_equal(store_txn(st, append_txn, &a), STORE_OK);
    json_decref(data);
}

/* Runs SQL directly on the file, as someone tampering with it would. */
static void tamper(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("tamper SQL failed: %s", msg);
    sqlite3_close(db);
}

static void test_empty_journal_verifies(void **state)
{
    struct fixture *f = *state;
    struct journal_check c;
    assert_int_equal(journal_verify(f->st, &c), 0);
    assert_int_equal(c.entries, 0);
}

static void test_chain_links_entries(void **state)
{
    struct fixture *f = *state;
    append(f->st, "enrolled", 1000);
    append(f->st, "link_opened", 1001);
    append(f->st, "answers_submitted", 1002);
    json_t *j = journal_citizen_json(f->st, "c-uuid");
    json_t *entries = json_object_get(j, "entries");
    assert_int_equal(json_array_size(entries), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "prev_hash")),
                        JOURNAL_GENESIS);
    for (size_t i = 1; i < 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(entries, i), "prev_hash")),
            json_string_value(json_object_get(json_array_get(entries, i - 1), "hash")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "at")),
                        "1970-01-01T00:16:40Z");
    json_decref(j);
    struct journal_check c;
    assert_int_equal(journal_verify(f->st, &c), 0);
    assert_int_equal(c.entries, 3);
}

static void test_hash_formula_is_the_documented_one(void **state)
{
    (void)state;
    struct store_journal_row r;
    char out[65];
    memset(&r, 0, sizeof r);
    r.seq = 1;
    snprintf(r.at, sizeof r.at, "2026-01-01T00:00:00Z");
    snprintf(r.kind, sizeof r.kind, "enrolled");
    snprintf(r.actor, sizeof r.actor, "api");
    snprintf(r.citizen_uuid, sizeof r.citizen_uuid, "c");
    snprintf(r.enrolment_uuid, sizeof r.enrolment_uuid, "e");
    snprintf(r.prev_hash, sizeof r.prev_hash, "%s", JOURNAL_GENESIS);
    r.data = "{}";
    journal_hash(&r, out);
    /* sha256 of GENESIS\n1\n2026-01-01T00:00:00Z\nenrolled\napi\nc\ne\n{} */
    const char *text = JOURNAL_GENESIS "\n1\n2026-01-01T00:00:00Z\nenrolled\napi\nc\ne\n{}";
    char expect[65];
    token_hash(text, strlen(text), expect);
    assert_string_equal(out, expect);
    r.data = "{\"x\":1}";
    char changed[65];
    journal_hash(&r, changed);
    assert_string_not_equal(out, changed);
}

static void test_database_refuses_update_and_delete(void **state)
{
    struct fixture *f = *state;
    append(f->st, "enrolled", 1000);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE journal SET kind = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM journal", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_changed_data_is_detected(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 5; i++)
        append(f->st, "answers_submitted", 2000 + i);
    tamper(f->path, "DROP TRIGGER journal_no_update;"
                    "UPDATE journal SET data = '{\"video\":\"raadighed\",\"n\":6}' WHERE seq = 3;");
    struct journal_check c;
    assert_int_equal(journal_verify(f->st, &c), 1);
    assert_int_equal(c.bad_seq, 3);
}

static void test_rehashed_entry_breaks_the_next(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 4; i++)
        append(f->st, "answers_submitted", 3000 + i);
    /* a careful forger also rewrites the hash of entry 2: entry 3 no longer links */
    tamper(f->path, "DROP TRIGGER journal_no_update;"
                    "UPDATE journal SET kind = 'declined', hash = '"
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE seq = 2;");
    struct journal_check c;
    assert_int_equal(journal_verify(f->st, &c), 1);
    assert_int_equal(c.bad_seq, 2);
}

static void test_removed_entry_is_detected(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 4; i++)
        append(f->st, "video_finished", 4000 + i);
    tamper(f->path, "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 2;");
    struct journal_check c;
    assert_int_equal(journal_verify(f->st, &c), 1);
    assert_int_equal(c.bad_seq, 3);
}

/* A reader who may see only some enrolments gets their entries and the citizen's own
 * (no enrolment), each whole, in order. */
static void test_keep_enrolments(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:[{s:I, s:s}, {s:I}, {s:I, s:s}, {s:I, s:s}, {s:I, s:s}]}", "entries",
                          "seq", (json_int_t)1, "enrolment_id", "a", "seq", (json_int_t)2,
                          "seq", (json_int_t)3, "enrolment_id", "b", "seq", (json_int_t)4,
                          "enrolment_id", "a", "seq", (json_int_t)5, "enrolment_id", "c");
    assert_non_null(j);
    struct model_enrolment es[2];
    memset(es, 0, sizeof es);
    snprintf(es[0].uuid, sizeof es[0].uuid, "c");
    snprintf(es[1].uuid, sizeof es[1].uuid, "a");
    journal_keep_enrolments(j, es, 2);
    json_t *entries = json_object_get(j, "entries");
    int64_t want[] = {1, 2, 4, 5};
    assert_int_equal(json_array_size(entries), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(entries, i), "seq")),
                         want[i]);
    /* no enrolment at all: only the citizen's own entries */
    journal_keep_enrolments(j, NULL, 0);
    assert_int_equal(json_array_size(entries), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(entries, 0), "seq")), 2);
    journal_keep_enrolments(NULL, es, 2); /* NULL is fine */
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_journal_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_links_entries, setup, teardown),
        cmocka_unit_test(test_hash_formula_is_the_documented_one),
        cmocka_unit_test_setup_teardown(test_database_refuses_update_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_data_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehashed_entry_breaks_the_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_entry_is_detected, setup, teardown),
        cmocka_unit_test(test_keep_enrolments),
    };
    return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
