/* checkpoint, merkle, signkey, bundle: the Merkle tree against a direct reading of RFC 6962,
 * the key file's handling, signing and checking checkpoints, and evidence bundles that
 * verify — and fail on a changed entry, a changed hash, a wrong signature, a wrong proof,
 * and a journal rewritten consistently after it was signed. */
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testdb.h"

#include <jansson.h>
#include <string.h>

#include "bundle.h"
#include "checkpoint.h"
#include "journal.h"
#include "merkle.h"
#include "signkey.h"
#include "token.h"

/* ------------------------------------------------------------------ merkle */

/* MTH of RFC 6962 section 2.1, recursively, as written there. */
static void ref_mth(const unsigned char *leaves, size_t n, unsigned char out[32])
{
    if (n == 1) {
        memcpy(out, leaves, 32);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    unsigned char l[32], r[32], buf[65];
    ref_mth(leaves, k, l);
    ref_mth(leaves + k * 32, n - k, r);
    buf[0] = 1;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    crypto_hash_sha256(out, buf, sizeof buf);
}

static void test_merkle_matches_rfc6962(void **state)
{
    (void)state;
    unsigned char leaves[70 * 32];
    for (size_t i = 0; i < 70; i++) {
        unsigned char h[32];
        crypto_hash_sha256(h, (const unsigned char *)&i, sizeof i);
        merkle_leaf(h, leaves + i * 32);
    }
    for (size_t n = 1; n <= 70; n++) {
        unsigned char want[32], got[32], front[32];
        struct merkle_tree t;
        struct merkle_frontier f;
        memset(&f, 0, sizeof f);
        ref_mth(leaves, n, want);
        assert_int_equal(merkle_tree_build(leaves, n, &t), 0);
        merkle_tree_root(&t, got);
        assert_memory_equal(got, want, 32);
        for (size_t i = 0; i < n; i++)
            merkle_frontier_add(&f, leaves + i * 32);
        assert_int_equal(merkle_frontier_root(&f, front), 0);
        assert_memory_equal(front, want, 32);
        for (size_t i = 0; i < n; i++) {
            unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH];
            size_t np = 0;
            assert_int_equal(merkle_tree_proof(&t, i, proof, &np), 0);
            assert_true(merkle_proof_check(leaves + i * 32, i, n,
                                           (const unsigned char(*)[MERKLE_HASH])proof, np, want));
            /* another leaf, another index or a changed proof hash does not prove it */
            if (n > 1) {
                assert_false(merkle_proof_check(leaves + ((i + 1) % n) * 32, i, n,
                                                (const unsigned char(*)[MERKLE_HASH])proof, np,
                                                want));
                assert_false(merkle_proof_check(leaves + i * 32, (i + 1) % n, n,
                                                (const unsigned char(*)[MERKLE_HASH])proof, np,
                                                want));
                proof[np - 1][5] ^= 1;
                assert_false(merkle_proof_check(leaves + i * 32, i, n,
                                                (const unsigned char(*)[MERKLE_HASH])proof, np,
                                                want));
            }
        }
        merkle_tree_free(&t);
    }
    unsigned char r[32];
    struct merkle_frontier empty;
    memset(&empty, 0, sizeof empty);
    assert_int_equal(merkle_frontier_root(&empty, r), -1);
}

/* ------------------------------------------------------------------ signkey */

static void test_key_file_made_0600_and_loose_one_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/vejled-signkey-XXXXXX", path[64], err[256];
    struct signkey *k = NULL, *again = NULL;
    struct stat sb;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/k", dir);
    assert_int_equal(signkey_open(path, 0, &k, err, sizeof err), -1); /* not made unasked */
    assert_int_equal(signkey_open(path, 1, &k, err, sizeof err), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    assert_int_equal(signkey_open(path, 1, &again, err, sizeof err), 0);
    assert_string_equal(signkey_public_b64(k), signkey_public_b64(again)); /* kept */
    assert_int_equal(strlen(signkey_id(k)), SIGNKEY_ID_LEN);
    char id[SIGNKEY_ID_LEN + 1];
    assert_int_equal(signkey_id_of(signkey_public_b64(k), id), 0);
    assert_string_equal(id, signkey_id(k));
    char sig[SIGNKEY_SIG_B64_LEN + 1];
    signkey_sign(k, "hello", 5, sig);
    assert_int_equal(signkey_verify(signkey_public_b64(k), "hello", 5, sig), 0);
    assert_int_equal(signkey_verify(signkey_public_b64(k), "hellO", 5, sig), -1);
    assert_int_equal(signkey_verify("not a key", "hello", 5, sig), -1);
    signkey_close(again);
    again = NULL;
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(signkey_open(path, 1, &again, err, sizeof err), -1);
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(again);
    signkey_close(k);
    unlink(path);
    rmdir(dir);
}

/* ------------------------------------------------------------------ checkpoints, bundles */

struct fixture {
    struct testdb db;
    char keypath[128];
    struct signkey *key;
};

struct append {
    const char *kind, *citizen;
    int n;
};

static enum store_status append_txn(struct store *st, void *arg)
{
    const struct append *a = arg;
    json_t *data = json_pack("{s:i, s:s}", "n", a->n, "note", "æøå \"q\"");
    enum store_status rc = journal_append(st, 1700000000 + a->n, a->kind, "citizen", a->citizen,
                                          "e-uuid", data, NULL);
    json_decref(data);
    return rc;
}

static void append(struct fixture *f, const char *citizen, int n)
{
    struct append a = {"video_finished", citizen, n};
    assert_int_equal(store_txn(f->db.st, append_txn, &a), STORE_OK);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_int_equal(token_init(), 0);
    testdb_open(&f->db, "checkpoint", 1000);
    snprintf(f->keypath, sizeof f->keypath, "%s/sign.key", f->db.dir);
    assert_int_equal(signkey_open(f->keypath, 1, &f->key, err, sizeof err), 0);
    /* two citizens, interleaved, so a bundle has to prove across the other's entries */
    for (int i = 1; i <= 11; i++)
        append(f, i % 3 == 0 ? "citizen-a" : "citizen-b", i);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    signkey_close(f->key);
    testdb_close(&f->db);
    free(f);
    return 0;
}

static json_t *bundle_of(struct fixture *f, const char *citizen, struct store_checkpoint *cp)
{
    json_t *b = NULL;
    assert_int_equal(bundle_build(f->db.st, citizen, cp, &b), 0);
    return b;
}

static void test_checkpoint_taken_when_head_moved(void **state)
{
    struct fixture *f = *state;
    struct store_checkpoint cp, again;
    int taken = 0;
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800000000, 3600, &cp, &taken), 0);
    assert_int_equal(taken, 1);
    assert_int_equal(cp.signed_seq, 11);
    assert_int_equal(cp.journal_seq, 12); /* journalled right after what it signs */
    assert_int_equal(testdb_scalar(&f->db, "SELECT count(*) FROM journal WHERE kind = 'checkpoint'"
                                          " AND json_extract(data, '$.signed_seq') = 11"
                                          " AND json_extract(data, '$.signature') IS NOT NULL"),
                     1);
    /* the head did not move (only the checkpoint's own entry came): none taken */
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800009000, 3600, &again, &taken), 0);
    assert_int_equal(taken, 0);
    assert_int_equal(again.signed_seq, 11);
    /* it moved, but the last is younger than min_age: none; later: one */
    append(f, "citizen-a", 20);
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800000100, 3600, &again, &taken), 0);
    assert_int_equal(taken, 0);
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800003600, 3600, &again, &taken), 0);
    assert_int_equal(taken, 1);
    assert_int_equal(again.signed_seq, 13);
    char reason[256];
    assert_int_equal(checkpoint_check(&cp, reason, sizeof reason), 0);
    int64_t n = 0, bad = 0;
    assert_int_equal(checkpoint_verify_all(f->db.st, &n, &bad, reason, sizeof reason), 0);
    assert_int_equal(n, 2);
    /* the stored public key and the signature are what checks it */
    cp.signature[3] = cp.signature[3] == 'A' ? 'B' : 'A';
    assert_int_equal(checkpoint_check(&cp, reason, sizeof reason), -1);
}

static void test_bundle_verifies_and_fails_when_changed(void **state)
{
    struct fixture *f = *state;
    struct store_checkpoint cp;
    struct bundle_check chk;
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800000000, 0, &cp, NULL), 0);
    json_t *b = bundle_of(f, "citizen-a", &cp);
    assert_int_equal(bundle_verify(b, NULL, &chk), 0);
    assert_int_equal(chk.entries, 3); /* seq 3, 6, 9 */
    assert_int_equal(chk.signed_seq, 11);
    assert_string_equal(chk.public_key, signkey_public_b64(f->key));
    /* nothing of the other citizen in it */
    char *text = json_dumps(b, 0);
    assert_null(strstr(text, "citizen-b"));
    free(text);
    assert_int_equal(bundle_verify(b, &cp, &chk), 0); /* the held copy is the same */

    json_t *c = json_deep_copy(b); /* a changed entry */
    json_t *e = json_array_get(json_object_get(c, "entries"), 1);
    json_object_set_new(e, "data", json_string("{\"n\":7,\"note\":\"æøå \\\"q\\\"\"}"));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "entry 6: content does not match its hash"));
    json_decref(c);

    c = json_deep_copy(b); /* a changed entry with its hash recomputed: not in the tree */
    e = json_array_get(json_object_get(c, "entries"), 1);
    json_object_set_new(e, "kind", json_string("declined"));
    struct store_journal_row r;
    memset(&r, 0, sizeof r);
    r.seq = 6;
    snprintf(r.at, sizeof r.at, "%s", json_string_value(json_object_get(e, "at")));
    snprintf(r.kind, sizeof r.kind, "declined");
    snprintf(r.actor, sizeof r.actor, "citizen");
    snprintf(r.citizen_uuid, sizeof r.citizen_uuid, "citizen-a");
    snprintf(r.enrolment_uuid, sizeof r.enrolment_uuid, "e-uuid");
    r.data = json_string_value(json_object_get(e, "data"));
    snprintf(r.prev_hash, sizeof r.prev_hash, "%s",
             json_string_value(json_object_get(e, "prev_hash")));
    journal_hash(&r, r.hash);
    json_object_set_new(e, "hash", json_string(r.hash));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "entry 6 is not in the signed journal"));
    json_decref(c);

    c = json_deep_copy(b); /* a changed recorded hash */
    e = json_array_get(json_object_get(c, "entries"), 0);
    json_object_set_new(e, "hash", json_string("0000000000000000000000000000000000000000000000000000000000000001"));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "entry 3: content does not match its hash"));
    json_decref(c);

    c = json_deep_copy(b); /* a wrong signature */
    json_t *cpj = json_object_get(c, "checkpoint");
    char sig[SIGNKEY_SIG_B64_LEN + 1];
    signkey_sign(f->key, "something else", 14, sig);
    json_object_set_new(cpj, "signature", json_string(sig));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "signature is not valid"));
    json_decref(c);

    c = json_deep_copy(b); /* another key, the key id left as it was */
    cpj = json_object_get(c, "checkpoint");
    json_object_set_new(cpj, "public_key", json_string("JNbU0cokO4Xs7liMeY3JgKmaJ2oeyv8qjdBC4F2M9mI="));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "key id does not belong"));
    json_decref(c);

    c = json_deep_copy(b); /* a signed head that is not the tree's */
    json_array_set_new(json_object_get(c, "head_proof"), 0,
                       json_string("1111111111111111111111111111111111111111111111111111111111111111"));
    assert_int_equal(bundle_verify(c, NULL, &chk), 1);
    assert_non_null(strstr(chk.reason, "head hash is not in the signed tree"));
    json_decref(c);

    c = json_deep_copy(b); /* an entry dropped from the middle still verifies alone ... */
    json_array_remove(json_object_get(c, "entries"), 1);
    assert_int_equal(bundle_verify(c, NULL, &chk), 0);
    json_decref(c);
    json_decref(b);
}

/* The attack the checkpoints are for: the whole chain rewritten consistently in the
 * database after a checkpoint was signed.  The journal verifies, but not against the
 * checkpoint, and a bundle against a held copy fails. */
static void test_rewritten_chain_does_not_match_checkpoint(void **state)
{
    struct fixture *f = *state;
    struct store_checkpoint cp;
    struct journal_check jc;
    struct bundle_check chk;
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800000000, 0, &cp, NULL), 0);
    json_t *held = bundle_of(f, "citizen-a", &cp);
    testdb_exec(&f->db, "DROP TRIGGER journal_no_update");
    testdb_exec(&f->db, "UPDATE journal SET data = '{\"n\":6,\"note\":\"changed\"}' WHERE seq = 6");
    /* re-hash every entry from the changed one on, as an attacker with the database would */
    char prev[MODEL_HASH_HEX + 1];
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(f->db.raw,
                                        "SELECT seq, at, kind, actor, citizen_uuid,"
                                        " enrolment_uuid, data, prev_hash FROM journal ORDER BY seq",
                                        -1, &s, NULL),
                     SQLITE_OK);
    int first = 1;
    char updates[8192] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_journal_row r;
        memset(&r, 0, sizeof r);
        r.seq = sqlite3_column_int64(s, 0);
        snprintf(r.at, sizeof r.at, "%s", sqlite3_column_text(s, 1));
        snprintf(r.kind, sizeof r.kind, "%s", sqlite3_column_text(s, 2));
        snprintf(r.actor, sizeof r.actor, "%s", sqlite3_column_text(s, 3));
        snprintf(r.citizen_uuid, sizeof r.citizen_uuid, "%s", sqlite3_column_text(s, 4));
        snprintf(r.enrolment_uuid, sizeof r.enrolment_uuid, "%s", sqlite3_column_text(s, 5));
        r.data = (const char *)sqlite3_column_text(s, 6);
        snprintf(r.prev_hash, sizeof r.prev_hash, "%s",
                 first ? (const char *)sqlite3_column_text(s, 7) : prev);
        journal_hash(&r, r.hash);
        size_t len = strlen(updates);
        snprintf(updates + len, sizeof updates - len,
                 "UPDATE journal SET prev_hash = '%s', hash = 'x%lld' WHERE seq = %lld;"
                 "UPDATE journal SET hash = '%s' WHERE seq = %lld;",
                 r.prev_hash, (long long)r.seq, (long long)r.seq, r.hash, (long long)r.seq);
        memcpy(prev, r.hash, sizeof prev);
        first = 0;
    }
    sqlite3_finalize(s);
    testdb_exec(&f->db, "%s", updates);
    assert_int_equal(journal_verify(f->db.st, &jc), 0); /* the chain alone looks intact */
    char reason[256];
    int64_t n = 0, bad = 0;
    assert_int_equal(checkpoint_verify_all(f->db.st, &n, &bad, reason, sizeof reason), 1);
    assert_int_equal(bad, 11);
    assert_non_null(strstr(reason, "no longer matches the checkpoint"));
    json_t *b = NULL;
    assert_int_equal(bundle_build(f->db.st, "citizen-a", &cp, &b), 1); /* refused */
    assert_null(b);
    /* a new checkpoint over the rewritten chain signs a different head ... */
    int taken = 0;
    struct store_checkpoint now;
    append(f, "citizen-b", 30);
    assert_int_equal(checkpoint_take(f->db.st, f->key, 1800009999, 0, &now, &taken), 0);
    assert_int_equal(taken, 1);
    b = bundle_of(f, "citizen-a", &now);
    assert_int_equal(bundle_verify(b, NULL, &chk), 0); /* consistent in itself */
    /* ... which the checkpoint held elsewhere exposes */
    assert_int_equal(bundle_verify(b, &cp, &chk), 1);
    assert_non_null(strstr(chk.reason, "is not the one held elsewhere"));
    /* and the bundle made before the rewrite still verifies against it */
    assert_int_equal(bundle_verify(held, &cp, &chk), 0);
    json_decref(b);
    json_decref(held);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merkle_matches_rfc6962),
        cmocka_unit_test(test_key_file_made_0600_and_loose_one_refused),
        cmocka_unit_test_setup_teardown(test_checkpoint_taken_when_head_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_verifies_and_fails_when_changed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_chain_does_not_match_checkpoint, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
