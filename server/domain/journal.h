/* journal — the tamper-evident documentation of what happened to each citizen.
 *
 * The journal is what a sanction or complaint case relies on, so it is append-only (the
 * database refuses UPDATE and DELETE on it) and hash-chained: each entry's hash is
 *
 *   SHA-256( prev_hash "\n" seq "\n" at "\n" kind "\n" actor "\n"
 *            citizen_uuid "\n" enrolment_uuid "\n" data )
 *
 * in lower-case hex, where prev_hash is the previous entry's hash (64 zeros for the
 * first), at is the RFC 3339 UTC time and data the entry's compact JSON.  Changing,
 * inserting or removing any entry breaks every hash after it; `vejled verify` recomputes
 * the chain.  Entries never hold a CPR number or a name: citizens are named by uuid.
 * journal_append() must run inside a store_txn(), which makes the read of the chain's
 * tail and the insert one atomic step.
 */
#ifndef VEJLED_JOURNAL_H
#define VEJLED_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/* Every kind of entry the program writes, NULL-terminated.  journal_append() refuses any
 * other, so this table is complete; each kind has a label "journal_<kind>" in
 * templates/lang/{da,en}.json (tests/http/evidence.test.mjs checks both). */
extern const char *const journal_kinds[];

/* Why an enrolment was closed without a new one (enrolment_closed's "reason"; each has a
 * label "journal_enrolment_closed_<reason>"): the code in its list, else NULL. */
const char *journal_close_reason(const char *reason);

/* The actors the program itself writes ("api", "citizen", "scheduler", "retention",
 * "system", "demo"); any other actor is a staff member's username.  Each has a label
 * "actor_<actor>", staff members "actor_staff" with {{name}}. */
int journal_actor_is_staff(const char *actor);

#define JOURNAL_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Appends one entry (STORE_ERROR, logged, for a kind not in journal_kinds); data (borrowed, may be NULL for {}) is serialised compactly with
 * sorted keys.  *seq (may be NULL) gets the new entry's number. */
enum store_status journal_append(struct store *st, int64_t now, const char *kind,
                                 const char *actor, const char *citizen_uuid,
                                 const char *enrolment_uuid, const json_t *data, int64_t *seq);

/* Computes the hash of an entry as described above (out: 64 hex + NUL). */
void journal_hash(const struct store_journal_row *r, char out[MODEL_HASH_HEX + 1]);

struct journal_check {
    int64_t entries;   /* entries checked */
    int64_t bad_seq;   /* first entry that does not verify, 0 if none */
    char reason[128];  /* why it does not verify */
};

/* Walks the whole chain.  0 if it is intact, 1 if broken (see out), -1 on a read error. */
int journal_verify(struct store *st, struct journal_check *out);

/* The entries of one citizen as the API's {"entries": [...]} object (new reference), or
 * NULL on a read error or a stored data that is not JSON.  Each data is the hashed text
 * parsed: dumped compact with jansson's full precision (app_json_exact) it gives that text
 * again byte for byte. */
json_t *journal_citizen_json(struct store *st, const char *citizen_uuid);

/* Removes from such an object (NULL is fine) every entry of an enrolment that is not one
 * of es[0..n-1]; entries of no enrolment stay.  For a reader who may see only some of a
 * citizen's enrolments: the entries kept are whole, so each still verifies by its hash. */
void journal_keep_enrolments(json_t *journal, const struct model_enrolment *es, size_t n);

#endif
