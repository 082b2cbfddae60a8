#include "journal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const char *const journal_kinds[] = {
    "enrolled", "link_issued", "link_opened", "video_finished", "video_played", "video_watched",
    "transcript_opened", "answers_submitted",
    "asked_topics", "declined", "completed", "meeting_recorded", "meeting_replanned",
    "group_changed", "enrolment_closed",
    "written_guidance_sent", "written_guidance_resent", "reminder_sent", "new_link_sent",
    "letter_failed", "delivery_skipped",
    "citizen_purged",
    "checkpoint", NULL};

static int journal_kind_known(const char *kind)
{
    for (size_t i = 0; journal_kinds[i]; i++)
        if (strcmp(journal_kinds[i], kind) == 0)
            return 1;
    return 0;
}

const char *journal_close_reason(const char *reason)
{
    static const char *const reasons[] = {"job", "education", "benefit_ended", "moved",
                                          "other"};
    for (size_t i = 0; reason && i < sizeof reasons / sizeof *reasons; i++)
        if (strcmp(reason, reasons[i]) == 0)
            return reasons[i];
    return NULL;
}

int journal_actor_is_staff(const char *actor)
{
    static const char *const system_actors[] = {"api",    "citizen", "scheduler", "retention",
                                                "system", "demo",    NULL};
    for (size_t i = 0; system_actors[i]; i++)
        if (strcmp(system_actors[i], actor) == 0)
            return 0;
    return 1;
}

void journal_hash(const struct store_journal_row *r, char out[MODEL_HASH_HEX + 1])
{
    crypto_hash_sha256_state h;
    char seq[24];
    const char nl = '\n';
    snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
    const char *parts[] = {r->prev_hash, seq, r->at, r->kind, r->actor, r->citizen_uuid,
                           r->enrolment_uuid, r->data};
    crypto_hash_sha256_init(&h);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (i)
            crypto_hash_sha256_update(&h, (const unsigned char *)&nl, 1);
        crypto_hash_sha256_update(&h, (const unsigned char *)parts[i], strlen(parts[i]));
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, MODEL_HASH_HEX + 1, digest, sizeof digest);
}

enum store_status journal_append(struct store *st, int64_t now, const char *kind,
                                 const char *actor, const char *citizen_uuid,
                                 const char *enrolment_uuid, const json_t *data, int64_t *seq)
{
    struct store_journal_row r;
    char *text = NULL;
    enum store_status rc;
    memset(&r, 0, sizeof r);
    if (!journal_kind_known(kind)) {
        fprintf(stderr, "vejled: journal kind '%s' is not in journal_kinds\n", kind);
        return STORE_ERROR;
    }
    rc = store_journal_tail(st, &r.seq, r.prev_hash);
    if (rc != STORE_OK)
        goto out;
    if (!r.prev_hash[0])
        snprintf(r.prev_hash, sizeof r.prev_hash, "%s", JOURNAL_GENESIS);
    r.seq++;
    clock_format_rfc3339(now, r.at);
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    snprintf(r.actor, sizeof r.actor, "%s", actor);
    snprintf(r.citizen_uuid, sizeof r.citizen_uuid, "%s", citizen_uuid ? citizen_uuid : "");
    snprintf(r.enrolment_uuid, sizeof r.enrolment_uuid, "%s",
             enrolment_uuid ? enrolment_uuid : "");
    text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
    if (!text) {
        rc = STORE_ERROR;
        goto out;
    }
    r.data = text;
    journal_hash(&r, r.hash);
    rc = store_journal_insert(st, &r);
    if (rc == STORE_OK && seq)
        *seq = r.seq;
out:
    free(text);
    return rc;
}

struct journal_walk {
    struct journal_check *check;
    char prev[MODEL_HASH_HEX + 1];
    int64_t expect_seq;
};

static int journal_verify_one(const struct store_journal_row *r, void *arg)
{
    struct journal_walk *w = arg;
    struct journal_check *c = w->check;
    char hash[MODEL_HASH_HEX + 1];
    c->entries++;
    if (r->seq != w->expect_seq) {
        c->bad_seq = r->seq;
        snprintf(c->reason, sizeof c->reason, "entry %lld is missing before it",
                 (long long)w->expect_seq);
        return 1;
    }
    if (strcmp(r->prev_hash, w->prev) != 0) {
        c->bad_seq = r->seq;
        snprintf(c->reason, sizeof c->reason, "prev_hash does not match the entry before");
        return 1;
    }
    journal_hash(r, hash);
    if (strcmp(hash, r->hash) != 0) {
        c->bad_seq = r->seq;
        snprintf(c->reason, sizeof c->reason, "content does not match its hash");
        return 1;
    }
    memcpy(w->prev, r->hash, sizeof w->prev);
    w->expect_seq++;
    return 0;
}

int journal_verify(struct store *st, struct journal_check *out)
{
    struct journal_walk w;
    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    w.check = out;
    w.expect_seq = 1;
    snprintf(w.prev, sizeof w.prev, "%s", JOURNAL_GENESIS);
    if (store_journal_each(st, NULL, journal_verify_one, &w) != STORE_OK)
        return -1;
    return out->bad_seq ? 1 : 0;
}

/* journal_citizen_json's walk: the entries, and whether a stored data failed to parse. */
struct journal_collect {
    json_t *entries;
    int bad;
};

static int journal_collect(const struct store_journal_row *r, void *arg)
{
    struct journal_collect *w = arg;
    json_error_t e;
    json_t *data = json_loads(r->data, 0, &e);
    if (!data) { /* never shown as something else: the whole answer fails */
        fprintf(stderr, "vejled: journal entry %lld: its data is not JSON\n", (long long)r->seq);
        w->bad = 1;
        return 1;
    }
    json_array_append_new(
        w->entries,
        json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o, s:s, s:s}", "seq", (json_int_t)r->seq, "at",
                  r->at, "kind", r->kind, "actor", r->actor, "enrolment_id",
                  r->enrolment_uuid[0] ? r->enrolment_uuid : NULL, "data", data, "prev_hash",
                  r->prev_hash, "hash", r->hash));
    return 0;
}

json_t *journal_citizen_json(struct store *st, const char *citizen_uuid)
{
    struct journal_collect w = {json_array(), 0};
    if (store_journal_each(st, citizen_uuid, journal_collect, &w) != STORE_OK || w.bad) {
        json_decref(w.entries);
        return NULL;
    }
    return json_pack("{s:o}", "entries", w.entries);
}

void journal_keep_enrolments(json_t *journal, const struct model_enrolment *es, size_t n)
{
    json_t *entries = json_object_get(journal, "entries");
    size_t i = 0;
    while (i < json_array_size(entries)) {
        const char *enr =
            json_string_value(json_object_get(json_array_get(entries, i), "enrolment_id"));
        int keep = !enr;
        for (size_t k = 0; k < n && !keep; k++)
            keep = strcmp(es[k].uuid, enr) == 0;
        if (keep)
            i++;
        else
            json_array_remove(entries, i);
    }
}
