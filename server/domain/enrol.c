#include "enrol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "clock.h"
#include "cpr.h"

#include <ctype.h>
#include "journal.h"
#include "mem.h"
#include "packedit.h"
#include "progress.h"
#include "receipt.h"
#include "token.h"
#include "utf8.h"

/* A target_group that is not a string, or longer than any slug */
#define ENROL_GROUP_NOT_SLUG                                                                 \
    "target_group must be the name (slug) of a target group: a string of at most 63 bytes."

void enrol_new_uuid(char out[MODEL_UUID_LEN + 1])
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

enum model_status enrol_status(const struct model_enrolment *e, int any_progress)
{
    if (e->closed_at)
        return STATUS_CLOSED;
    if (e->completed_at)
        return STATUS_COMPLETED;
    if (e->declined_at)
        return STATUS_DECLINED;
    if (any_progress)
        return STATUS_IN_PROGRESS;
    if (e->opened_at)
        return STATUS_OPENED;
    return STATUS_NOT_OPENED;
}

/* The outcome of a write transaction whose function set r: a write that found the lock
 * held past busy_timeout_ms (ENROL_BUSY) or the disk full (ENROL_FULL) changed nothing and
 * may be asked again; one that failed after the function succeeded is ENROL_ERROR. */
static enum enrol_result enrol_after_txn(enum store_status s, enum enrol_result r)
{
    if (s == STORE_BUSY)
        return ENROL_BUSY;
    if (s == STORE_FULL)
        return ENROL_FULL;
    return r == ENROL_OK && s != STORE_OK ? ENROL_ERROR : r;
}

static enum enrol_result enrol_reject(struct enrol_error *err, const char *code,
                                      const char *field, const char *message)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->message, sizeof err->message, "%s", message);
    return ENROL_INVALID;
}

/* A string member: NULL when absent or null; *bad when present with another type or
 * longer than max. */
static const char *enrol_string(const json_t *obj, const char *key, size_t max, int *bad)
{
    json_t *v = json_object_get(obj, key);
    *bad = 0;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

int enrol_note_fits(const char *note, size_t max)
{
    return utf8_fits(note, max);
}

static int enrol_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"')
            return 0;
    return strlen(s) <= 254;
}

#define ENROL_MEETING_MIN INT64_C(946684800)  /* 2000-01-01T00:00:00Z */
#define ENROL_MEETING_MAX INT64_C(4102444800) /* 2100-01-01T00:00:00Z */

/* What a valid request says, checked before any write. */
struct enrol_request {
    char cpr[11];
    const char *name;
    const char *email;
    struct model_group group;
    int64_t pack_id;
    int64_t first_meeting_at;
    const char *caseworker;
    const char *language;
};

/* The message of 422 invalid_language: it lists the codes the service accepts, so that the
 * caller can correct the request from the answer alone; a list too long for the message
 * ends in "…". */
static void enrol_language_message(const struct enrol_env *env, char *out, size_t n)
{
    static const char *const fallback[] = {"da", "en"};
    size_t count = env->langs ? env->langs->n : 2, len;
    snprintf(out, n, "language must be one of the service's languages:");
    for (size_t i = 0; i < count; i++) {
        const char *code = env->langs ? env->langs->items[i].code : fallback[i];
        len = strlen(out);
        /* room for this code, its separator and the closing "." or ", …" */
        if (len + strlen(code) + 2 + 6 >= n) {
            snprintf(out + len, n - len, " …");
            return;
        }
        snprintf(out + len, n - len, "%s %s", i ? "," : "", code);
    }
    len = strlen(out);
    snprintf(out + len, n - len, ".");
}

static enum enrol_result enrol_validate(const struct enrol_env *env, const json_t *body,
                                        struct enrol_request *rq, struct enrol_error *err)
{
    int bad;
    size_t max = env->max_field_length;
    if (!json_is_object(body))
        return enrol_reject(err, "invalid_body", "", "The body must be a JSON object.");
    json_t *citizen = json_object_get(body, "citizen");
    if (!json_is_object(citizen))
        return enrol_reject(err, "missing_field", "citizen", "citizen must be an object.");
    const char *cpr = enrol_string(citizen, "cpr", 16, &bad);
    /* exactly the 10 digits (the staff search also takes DDMMYY-XXXX; the API as documented) */
    if (bad || !cpr || strlen(cpr) != 10 || cpr_normalise(cpr, rq->cpr) != 0)
        return enrol_reject(err, "invalid_cpr", "citizen.cpr",
                            "citizen.cpr must be 10 digits starting with a valid date (DDMMYY).");
    /* 200 characters, of up to 4 bytes each in UTF-8 (æ, ø and å are two) */
    rq->name = enrol_string(citizen, "name", 4 * 200, &bad);
    if (bad || !rq->name || !*rq->name || !utf8_fits(rq->name, 200))
        return enrol_reject(err, "invalid_name", "citizen.name",
                            "citizen.name is required (at most 200 characters).");
    rq->email = enrol_string(citizen, "email", 254, &bad);
    if (bad || (rq->email && *rq->email && !enrol_email_ok(rq->email)))
        return enrol_reject(err, "invalid_email", "citizen.email",
                            "citizen.email is not an e-mail address.");
    if (rq->email && !*rq->email)
        rq->email = NULL;
    const char *group = enrol_string(body, "target_group", 63, &bad);
    if (bad)
        return enrol_reject(err, "unknown_target_group", "target_group", ENROL_GROUP_NOT_SLUG);
    if (!group)
        return enrol_reject(err, "missing_field", "target_group", "target_group is required.");
    enum store_status s = store_group_by_slug(env->st, group, &rq->group);
    if (s == STORE_NOT_FOUND)
        return enrol_reject(err, "unknown_target_group", "target_group",
                            "target_group is not a known target group.");
    if (s != STORE_OK)
        return ENROL_ERROR;
    if (!rq->group.enabled)
        return enrol_reject(err, "target_group_disabled", "target_group",
                            "This target group is not enabled for self-service yet.");
    s = store_pack_published_id(env->st, rq->group.id, &rq->pack_id);
    if (s == STORE_NOT_FOUND)
        return enrol_reject(err, "no_published_content", "target_group",
                            "This target group has no published guidance yet.");
    if (s != STORE_OK)
        return ENROL_ERROR;
    const char *meeting = enrol_string(body, "first_meeting_at", 64, &bad);
    /* a meeting from 2000 to 2099: beyond that it is a typing error, and the jobs planned
     * from it (months later) must still have four-digit years */
    if (bad || !meeting || clock_parse_rfc3339(meeting, &rq->first_meeting_at) != 0 ||
        rq->first_meeting_at < ENROL_MEETING_MIN || rq->first_meeting_at >= ENROL_MEETING_MAX)
        return enrol_reject(err, "invalid_time", "first_meeting_at",
                            "first_meeting_at must be an RFC 3339 time in 2000-2099, e.g. 2026-12-01T09:00:00Z.");
    rq->caseworker = enrol_string(body, "caseworker", MODEL_SLUG_MAX - 1, &bad);
    if (bad)
        return enrol_reject(err, "invalid_caseworker", "caseworker",
                            "caseworker must be a user name of at most 63 characters.");
    if (cpr_within(rq->caseworker))
        return enrol_reject(err, "invalid_caseworker", "caseworker",
                            "caseworker must be a user name; this one holds a CPR number, "
                            "which the journal must never keep.");
    rq->language = enrol_string(body, "language", LANG_CODE_MAX - 1, &bad);
    if (bad || (rq->language && (env->langs ? !lang_find(env->langs, rq->language)
                                            : strcmp(rq->language, "da") &&
                                                  strcmp(rq->language, "en")))) {
        enrol_reject(err, "invalid_language", "language", "");
        enrol_language_message(env, err->message, sizeof err->message);
        return ENROL_INVALID;
    }
    (void)max;
    return ENROL_OK;
}

static void enrol_time(json_t *obj, const char *key, int64_t t)
{
    char buf[CLOCK_RFC3339_LEN + 1];
    if (!t) {
        json_object_set_new(obj, key, json_null());
        return;
    }
    clock_format_rfc3339(t, buf);
    json_object_set_new(obj, key, json_string(buf));
}

struct enrol_txn {
    const struct enrol_env *env;
    struct enrol_request *rq;
    int64_t api_key_id;
    const char *idem_key;    /* its keyed hash (enrol_create): what is stored */
    const char *idem_legacy; /* the key as sent, looked up for rows stored before keys were
                              * hashed (they expire after idempotency_hours) */
    const char *request_hash;
    int64_t now;
    /* out */
    enum enrol_result result;
    int status;
    json_t *response;
    struct enrol_error *err;
};

/* The letters' policy: env's, or the defaults with env's reminder days. */
static void enrol_policy(const struct enrol_env *env, struct jobs_policy *policy)
{
    if (env->jobs) {
        *policy = *env->jobs;
    } else {
        jobs_policy_defaults(policy);
        policy->remind_days_before = env->remind_days_before;
    }
}

/* Plans the enrolment's jobs (jobs.h) and keeps its link token sealed for the letters. */
static enum store_status enrol_schedule(struct store *st, const struct model_enrolment *e,
                                        const struct enrol_env *env,
                                        const struct model_group *g, const char *token,
                                        int64_t now, json_t *jobs)
{
    struct jobs_policy policy;
    enrol_policy(env, &policy);
    char digest[TOKEN_HASH_HEX_LEN + 1];
    unsigned char *box = NULL;
    size_t boxlen = 0;
    token_hash(token, strlen(token), digest);
    vault_seal(env->vault, token, strlen(token), &box, &boxlen);
    enum store_status rc = store_link_put(st, e->id, digest, box, boxlen);
    free(box);
    if (rc != STORE_OK)
        return rc;
    return jobs_plan_enrolment(st, e, g, &policy, now, jobs);
}

/* Which of a known citizen's contact data the request changes: ["name"], ["email"] or
 * both (new reference), NULL when none.  An e-mail address left out changes nothing. */
static json_t *enrol_contact_changes(const struct model_citizen *c,
                                     const struct enrol_request *rq)
{
    bool name = strcmp(c->name ? c->name : "", rq->name) != 0;
    bool email = rq->email && (!c->email || strcmp(c->email, rq->email) != 0);
    if (!name && !email)
        return NULL;
    json_t *changed = json_array();
    if (name)
        json_array_append_new(changed, json_string("name"));
    if (email)
        json_array_append_new(changed, json_string("email"));
    return changed;
}

/* A caseworker the request names (NULL or "": none) must be a user of this service: the
 * caseworkers' lists find a citizen by the account's unit, so an unknown name (a typing
 * error, an account not made yet) would hide the citizen from every caseworker.  STORE_OK,
 * or STORE_CONFLICT (to roll back) with *err and *result set. */
static enum store_status enrol_caseworker_known(struct store *st, const char *caseworker,
                                                struct enrol_error *err,
                                                enum enrol_result *result)
{
    struct store_user u;
    if (!caseworker || !*caseworker)
        return STORE_OK;
    enum store_status rc = store_user_by_name(st, caseworker, &u);
    if (rc != STORE_NOT_FOUND)
        return rc;
    enrol_reject(err, "invalid_caseworker", "caseworker",
                 "caseworker names no user of this service, so no caseworker would see the "
                 "citizen: give the user name of a caseworker account (vejled user add, or "
                 "/admin/brugere), or leave caseworker out.");
    *result = ENROL_INVALID;
    return STORE_CONFLICT;
}

static enum store_status enrol_create_txn(struct store *st, void *arg)
{
    struct enrol_txn *t = arg;
    const struct enrol_env *env = t->env;
    struct enrol_request *rq = t->rq;
    struct model_citizen citizen;
    struct model_enrolment e;
    unsigned char *box = NULL;
    size_t boxlen = 0;
    char *text = NULL;
    json_t *response = NULL;
    enum store_status rc;
    memset(&citizen, 0, sizeof citizen);
    memset(&e, 0, sizeof e);
    t->result = ENROL_ERROR;

    /* store_txn admits one write transaction at a time on every server (store.h), so a
     * retry with the same key finds the first one's answer, and a second request finds
     * the citizen (and the open enrolment) the first one made */
    char lookup[65];
    vault_lookup_hash(env->vault, rq->cpr, lookup);

    if (t->idem_key) {
        struct store_idem prior;
        int64_t since = t->now - (int64_t)env->idempotency_hours * 3600;
        rc = store_idem_get(st, t->api_key_id, t->idem_key, since, &prior);
        if (rc == STORE_NOT_FOUND)
            rc = store_idem_get(st, t->api_key_id, t->idem_legacy, since, &prior);
        if (rc == STORE_OK) {
            char *plain = NULL;
            size_t n = 0;
            if (strcmp(prior.request_hash, t->request_hash) != 0) {
                enrol_reject(t->err, "idempotency_key_reused", "",
                             "This Idempotency-Key was used for a different request.");
                t->result = ENROL_INVALID;
                rc = STORE_CONFLICT; /* roll back: nothing to write */
            } else if (vault_unseal(env->vault, prior.box, prior.boxlen, &plain, &n) == 0) {
                json_error_t je;
                t->response = json_loadb(plain, n, 0, &je);
                t->status = prior.status;
                t->result = t->response ? ENROL_OK : ENROL_ERROR;
                rc = STORE_OK;
            } else {
                rc = STORE_ERROR;
            }
            free(plain);
            free(prior.box);
            return rc;
        }
        if (rc != STORE_NOT_FOUND)
            return rc;
    }

    if ((rc = enrol_caseworker_known(st, rq->caseworker, t->err, &t->result)) != STORE_OK)
        goto out;
    rc = store_citizen_by_lookup(st, lookup, &citizen);
    bool known = rc == STORE_OK;
    if (rc == STORE_NOT_FOUND) {
        enrol_new_uuid(citizen.uuid);
        vault_seal(env->vault, rq->cpr, strlen(rq->cpr), &box, &boxlen);
        rc = store_citizen_insert(st, citizen.uuid, lookup, box, boxlen, rq->name, rq->email,
                                  t->now, &citizen.id);
    }
    if (rc != STORE_OK)
        goto out;

    char token[TOKEN_LEN + 1], token_digest[TOKEN_HASH_HEX_LEN + 1];
    token_new(token);
    token_hash(token, TOKEN_LEN, token_digest);
    enrol_new_uuid(e.uuid);
    e.citizen_id = citizen.id;
    e.group_id = rq->group.id;
    e.pack_id = rq->pack_id;
    snprintf(e.caseworker, sizeof e.caseworker, "%s", rq->caseworker ? rq->caseworker : "");
    snprintf(e.language, sizeof e.language, "%s", rq->language ? rq->language : "da");
    e.first_meeting_at = rq->first_meeting_at;
    e.created_at = t->now;
    e.token_expires_at = t->now + (int64_t)env->token_days * 86400;
    rc = store_enrolment_insert(st, &e, token_digest);
    if (rc == STORE_CONFLICT) {
        snprintf(t->err->code, sizeof t->err->code, "already_enrolled");
        snprintf(t->err->field, sizeof t->err->field, "target_group");
        snprintf(t->err->message, sizeof t->err->message,
                 "The citizen already has an open enrolment in this target group.");
        t->result = ENROL_CONFLICT;
        goto out;
    }
    if (rc != STORE_OK)
        goto out;
    /* a known citizen's name and e-mail address are the case system's latest: the letters
     * of every open enrolment go to the address it gives now (one it leaves out keeps the
     * address on file); the journal says which changed, never to what */
    json_t *contact = known ? enrol_contact_changes(&citizen, rq) : NULL;
    if (contact && (rc = store_citizen_contact(st, citizen.id, rq->name, rq->email)) != STORE_OK) {
        json_decref(contact);
        goto out;
    }

    const struct model_pack *pack = content_cache_get(env->cache, st, e.pack_id);
    json_t *data = json_pack("{s:s, s:i, s:s, s:s?}", "target_group", rq->group.slug,
                             "pack_version", pack ? pack->version : 0, "content_hash",
                             pack ? pack->content_hash : "", "caseworker",
                             rq->caseworker);
    enrol_time(data, "first_meeting_at", e.first_meeting_at);
    enrol_time(data, "link_expires_at", e.token_expires_at);
    if (contact)
        json_object_set_new(data, "contact_updated", contact);
    rc = journal_append(st, t->now, "enrolled", "api", citizen.uuid, e.uuid, data, NULL);
    json_decref(data);
    if (rc != STORE_OK)
        goto out;

    char link[512];
    snprintf(link, sizeof link, "%s/v/%s", env->public_url, token);
    json_t *jobs = json_array();
    response = json_pack("{s:s, s:s, s:s, s:s, s:o}", "enrolment_id", e.uuid, "citizen_id",
                         citizen.uuid, "target_group", rq->group.slug, "link", link, "jobs",
                         jobs);
    enrol_time(response, "expires_at", e.token_expires_at);
    rc = enrol_schedule(st, &e, env, &rq->group, token, t->now, jobs);
    if (rc != STORE_OK)
        goto out;

    if (t->idem_key) {
        text = json_dumps(response, JSON_COMPACT);
        free(box);
        box = NULL;
        vault_seal(env->vault, text, strlen(text), &box, &boxlen);
        rc = store_idem_put(st, t->api_key_id, t->idem_key, t->request_hash, 201, box, boxlen,
                            citizen.id, t->now);
        if (rc != STORE_OK)
            goto out;
    }
    t->response = response;
    response = NULL;
    t->status = 201;
    t->result = ENROL_OK;
out:
    if (rc != STORE_OK && t->result == ENROL_OK)
        t->result = ENROL_ERROR;
    json_decref(response);
    free(text);
    free(box);
    model_citizen_clear(&citizen);
    return t->result == ENROL_OK ? rc : (rc == STORE_OK ? STORE_CONFLICT : rc);
}

enum enrol_result enrol_create(const struct enrol_env *env, const json_t *body,
                               int64_t api_key_id, const char *idem_key, int *status,
                               json_t **response, struct enrol_error *err)
{
    struct enrol_request rq;
    memset(&rq, 0, sizeof rq);
    memset(err, 0, sizeof *err);
    *response = NULL;
    /* a version planned for today is in force from the day's first enrolment, whether or
     * not the scheduler has come round to it yet */
    enum enrol_result r = ENROL_ERROR;
    if (packedit_publish_due(env->st, clock_now(), NULL) != 0)
        goto out;
    r = enrol_validate(env, body, &rq, err);
    if (r != ENROL_OK)
        goto out;
    char request_hash[65] = "", key_hash[65] = "";
    if (idem_key) { /* keyed: the body holds the CPR, which a plain digest would give away */
        char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        vault_request_mac(env->vault, canon, strlen(canon), request_hash);
        free(canon);
        /* the key itself only hashed too: a case system may build it from the CPR */
        static const char tag[] = "Idempotency-Key\n";
        size_t kn = strlen(idem_key);
        char *k = xmalloc(sizeof tag - 1 + kn);
        memcpy(k, tag, sizeof tag - 1);
        memcpy(k + sizeof tag - 1, idem_key, kn);
        vault_request_mac(env->vault, k, sizeof tag - 1 + kn, key_hash);
        free(k);
    }
    struct enrol_txn t = {env,          &rq,         api_key_id,  idem_key ? key_hash : NULL,
                          idem_key,     request_hash, clock_now(), ENROL_ERROR, 0, NULL, err};
    enum store_status s = store_txn(env->st, enrol_create_txn, &t);
    r = enrol_after_txn(s, t.result);
    if (r != ENROL_OK) {
        json_decref(t.response);
        t.response = NULL;
    }
    *response = t.response;
    *status = t.status;
out:
    model_group_clear(&rq.group);
    return r;
}

/* ------------------------------------------------------------------ describing */

static const struct model_answer *enrol_find_answer(const struct model_answer *a, size_t n,
                                                    int64_t question_id)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].question_id == question_id)
            return &a[i];
    return NULL;
}

static void enrol_add_topic(json_t *list, const char *topic)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (strcmp(json_string_value(v), topic) == 0) return;
    json_array_append_new(list, json_string(topic));
}

/* The enrolment's pack, group and progress (*g and *pr cleared by the caller, also on
 * failure).  NULL on a read error. */
static const struct model_pack *enrol_load(const struct enrol_env *env,
                                           const struct model_enrolment *e,
                                           struct model_group *g, struct model_progress *pr)
{
    const struct model_pack *pack = content_cache_get(env->cache, env->st, e->pack_id);
    if (!pack || store_group_by_id(env->st, e->group_id, g) != STORE_OK ||
        store_progress_load(env->st, e->id, pr) != STORE_OK)
        return NULL;
    return pack;
}

/* A video's "answered" (every question answered) and "watched" (watch_json with strings)
 * into obj: the same facts for the case system and for the citizen. */
/* citizen: the citizen's own app, told in the citizen's words (watch_json_citizen) */
static void enrol_video_facts(const struct model_progress *pr, const struct model_video *v,
                              const json_t *strings, bool citizen, json_t *obj,
                              struct watch_facts *wf)
{
    progress_watch_facts(pr, v, wf);
    json_object_set_new(obj, "answered", json_boolean(wf->answered));
    json_object_set_new(obj, "watched", citizen ? watch_json_citizen(wf, strings)
                                                : watch_json(wf, strings));
}

enum enrol_result enrol_describe(const struct enrol_env *env, const char *uuid,
                                 json_t **response)
{
    struct model_enrolment e;
    struct model_group g;
    struct model_progress pr;
    memset(&g, 0, sizeof g);
    memset(&pr, 0, sizeof pr);
    *response = NULL;
    enum store_status s = store_enrolment_by_uuid(env->st, uuid, &e);
    if (s == STORE_NOT_FOUND)
        return ENROL_NOT_FOUND;
    if (s != STORE_OK)
        return ENROL_ERROR;
    const struct model_pack *pack = enrol_load(env, &e, &g, &pr);
    if (!pack) {
        model_group_clear(&g);
        model_progress_clear(&pr);
        return ENROL_ERROR;
    }
    json_t *videos = json_array(), *focus = json_array(), *asked = json_array();
    int correct = 0, answered = 0;
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        struct watch_facts wf;
        json_t *jv = json_pack("{s:s, s:s}", "id", v->slug, "title", v->title[LANG_DA]);
        enrol_video_facts(&pr, v, env->strings, false, jv, &wf);
        json_t *qs = json_array();
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            const struct model_answer *a = enrol_find_answer(pr.first, pr.n_first, q->id);
            json_t *chosen = json_array();
            json_t *jq = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", q->slug, "topic",
                                   q->topic[LANG_DA], "topic_key", q->topic_key, "text",
                                   q->text[LANG_DA], "answer", chosen);
            if (a) {
                for (size_t oi = 0; oi < q->n_options; oi++)
                    if (progress_chosen_has(a->chosen, q->options[oi].id))
                        json_array_append_new(chosen, json_string(q->options[oi].text[LANG_DA]));
                json_object_set_new(jq, "correct", json_boolean(a->correct));
                enrol_time(jq, "answered_at", a->answered_at);
                /* the retries are free for learning: the latest says whether it was
                 * understood in the end (the first is what counts) */
                const struct model_answer *l = enrol_find_answer(pr.latest, pr.n_latest, q->id);
                json_object_set_new(jq, "attempts", json_integer(l ? l->attempt : a->attempt));
                json_object_set_new(jq, "latest_correct",
                                    json_boolean(l ? l->correct : a->correct));
                answered++;
                correct += a->correct;
                if (!a->correct)
                    enrol_add_topic(focus, q->topic[LANG_DA]);
            } else {
                json_object_set_new(jq, "correct", json_null());
                json_object_set_new(jq, "answered_at", json_null());
                json_object_set_new(jq, "attempts", json_integer(0));
                json_object_set_new(jq, "latest_correct", json_null());
            }
            for (size_t i = 0; i < pr.n_asked; i++)
                if (pr.asked[i] == q->id)
                    enrol_add_topic(asked, q->topic[LANG_DA]);
            json_array_append_new(qs, jq);
        }
        /* "finished" is the older name of watched.to_end (answering never sets it) */
        json_object_set_new(jv, "finished", json_boolean(wf.to_end));
        json_object_set_new(jv, "questions", qs);
        json_array_append_new(videos, jv);
    }
    int any = pr.n_views > 0 || pr.n_first > 0;
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:{s:i, s:i, s:i}, s:o, s:o, s:o, s:b}",
        "enrolment_id", e.uuid, "citizen_id", e.citizen_uuid, "target_group", g.slug,
        "pack_version", pack->version, "content_hash", pack->content_hash, "status",
        model_status_name(enrol_status(&e, any)), "language", e.language, "score", "correct",
        correct, "answered", answered, "total", (int)content_question_count(pack), "videos",
        videos, "focus_topics", focus, "asked_topics", asked, "oral_guidance_recorded",
        e.oral_guidance_at != 0);
    enrol_time(r, "first_meeting_at", e.first_meeting_at);
    enrol_time(r, "opened_at", e.opened_at);
    enrol_time(r, "completed_at", e.completed_at);
    enrol_time(r, "declined_at", e.declined_at);
    enrol_time(r, "closed_at", e.closed_at);
    enrol_time(r, "link_expires_at", e.token_expires_at);
    json_object_set_new(r, "caseworker", json_string(e.caseworker));
    char ref[RECEIPT_REF_LEN + 1];
    receipt_reference(e.uuid, ref);
    json_object_set_new(r, "receipt_reference", json_string(ref));
    *response = r;
    model_group_clear(&g);
    model_progress_clear(&pr);
    return ENROL_OK;
}

/* A pack text in the language ui: the pack's translation at path for a language other
 * than the built-in Danish and English (content.h), else the built-in column, else Danish. */
static const char *enrol_pack_text(const struct model_pack *pack, const struct lang_info *ui,
                                   const char *path, char *const t[LANG_COUNT])
{
    enum lang base = ui ? ui->base : LANG_DA;
    if (ui && strcmp(ui->code, "da") != 0 && strcmp(ui->code, "en") != 0) {
        const char *tr = content_translation(pack, ui->code, path);
        if (tr)
            return tr;
    }
    return t[base] && t[base][0] ? t[base] : t[LANG_DA];
}

enum enrol_result enrol_own_progress(const struct enrol_env *env, const struct model_enrolment *e,
                                     const struct lang_info *ui, json_t **response)
{
    struct model_group g;
    struct model_progress pr;
    struct store_meeting m;
    enum enrol_result result = ENROL_ERROR;
    json_t *r = NULL;
    char path[MODEL_SLUG_MAX + 16];
    memset(&g, 0, sizeof g);
    memset(&pr, 0, sizeof pr);
    memset(&m, 0, sizeof m);
    *response = NULL;
    const struct model_pack *pack = enrol_load(env, e, &g, &pr);
    if (!pack)
        goto out;
    enum store_status ms = store_meeting_get(env->st, e->id, &m);
    if (ms != STORE_OK && ms != STORE_NOT_FOUND)
        goto out;
    const json_t *strings = ui ? ui->strings : env->strings;
    json_t *videos = json_array();
    int correct = 0, answered = 0;
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        struct watch_facts wf;
        snprintf(path, sizeof path, "v.%s.title", v->slug);
        json_t *jv = json_pack("{s:s, s:s}", "id", v->slug, "title",
                               enrol_pack_text(pack, ui, path, v->title));
        enrol_video_facts(&pr, v, strings, true, jv, &wf);
        json_array_append_new(videos, jv);
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_answer *a =
                enrol_find_answer(pr.first, pr.n_first, v->questions[qi].id);
            answered += a != NULL;
            correct += a && a->correct;
        }
    }
    int any = pr.n_views > 0 || pr.n_first > 0;
    r = json_pack("{s:{s:s, s:s}, s:s, s:s, s:{s:i, s:i, s:i}, s:o, s:b}", "target_group",
                  "slug", g.slug, "name", enrol_pack_text(pack, ui, "group.name", g.name),
                  "language", e->language, "status",
                  model_status_name(enrol_status(e, any)), "score", "correct", correct,
                  "answered", answered, "total", (int)content_question_count(pack), "videos",
                  videos, "meeting_recorded", ms == STORE_OK);
    if (!r)
        goto out;
    /* the meeting: the one recorded, else the one planned */
    enrol_time(r, "meeting_at", ms == STORE_OK ? m.held_at : e->first_meeting_at);
    enrol_time(r, "first_meeting_at", e->first_meeting_at);
    enrol_time(r, "completed_at", e->completed_at);
    enrol_time(r, "declined_at", e->declined_at);
    char ref[RECEIPT_REF_LEN + 1];
    receipt_reference(e->uuid, ref);
    json_object_set_new(r, "receipt_reference", json_string(ref));
    *response = r;
    result = ENROL_OK;
out:
    free(m.note_box);
    model_group_clear(&g);
    model_progress_clear(&pr);
    return result;
}

int64_t enrol_meeting_earliest(const struct model_enrolment *e)
{
    return e->first_meeting_at && e->first_meeting_at < e->created_at ? e->first_meeting_at
                                                                       : e->created_at;
}

enum enrol_result enrol_journal(const struct enrol_env *env, const char *citizen_uuid,
                                json_t **response)
{
    struct model_citizen c;
    *response = NULL;
    enum store_status s = store_citizen_by_uuid(env->st, citizen_uuid, &c);
    if (s == STORE_NOT_FOUND)
        return ENROL_NOT_FOUND;
    if (s != STORE_OK)
        return ENROL_ERROR;
    model_citizen_clear(&c);
    *response = journal_citizen_json(env->st, citizen_uuid);
    return *response ? ENROL_OK : ENROL_ERROR;
}

static enum enrol_result enrol_conflict(struct enrol_error *err, const char *code,
                                        const char *message)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->message, sizeof err->message, "%s", message);
    return ENROL_CONFLICT;
}

/* STORE_OK when citizen_id's personal data is still there; else *result ENROL_CONFLICT
 * "citizen_purged" and a status to roll back.  A purged citizen's enrolment gets no new
 * link, meeting, plan or group: each would store personal data again (a sealed note, a
 * link) or owe a letter that nobody can be sent. */
static enum store_status enrol_not_purged(struct store *st, int64_t citizen_id,
                                          struct enrol_error *err, enum enrol_result *result)
{
    int64_t purged_at = 0;
    enum store_status rc = store_citizen_purged_get(st, citizen_id, &purged_at);
    if (rc != STORE_OK)
        return rc;
    if (purged_at) {
        *result = enrol_conflict(err, "citizen_purged",
                                 "The citizen's personal data was removed after the retention "
                                 "period; enrol the citizen anew.");
        return STORE_CONFLICT;
    }
    return STORE_OK;
}

struct enrol_link_txn {
    const struct enrol_env *env;
    const char *uuid;
    const char *actor;
    int letter; /* 1: a letter carries the new link to the citizen */
    json_t *response;
    enum enrol_result result;
    struct enrol_error *err; /* may be NULL */
};

static enum store_status enrol_link_txn(struct store *st, void *arg)
{
    struct enrol_link_txn *t = arg;
    struct model_enrolment e;
    int64_t now = clock_now();
    enum store_status rc = store_enrolment_by_uuid(st, t->uuid, &e);
    if (rc == STORE_NOT_FOUND) {
        t->result = ENROL_NOT_FOUND;
        return STORE_NOT_FOUND;
    }
    if (rc != STORE_OK)
        return rc;
    if (e.closed_at) { /* a closed enrolment's link stays dead: the open one gets links */
        if (t->err)
            enrol_reject(t->err, "enrolment_closed", "",
                         "The enrolment is closed; ask for a new link on the citizen's open "
                         "enrolment, if there is one.");
        t->result = ENROL_CONFLICT;
        return STORE_NOT_FOUND;
    }
    struct enrol_error ignored;
    rc = enrol_not_purged(st, e.citizen_id, t->err ? t->err : &ignored, &t->result);
    if (rc != STORE_OK)
        return rc == STORE_CONFLICT ? STORE_NOT_FOUND : rc;
    char token[TOKEN_LEN + 1], digest[TOKEN_HASH_HEX_LEN + 1];
    token_new(token);
    token_hash(token, TOKEN_LEN, digest);
    int64_t expires = now + (int64_t)t->env->token_days * 86400;
    rc = store_enrolment_set_token(st, e.id, digest, expires, now);
    /* a lost link's holder may have opened it: what it opened ends with it (the citizen
     * opens the new link from the letter) */
    if (rc == STORE_OK)
        rc = store_sessions_end(st, e.id);
    if (rc != STORE_OK)
        return rc;
    /* the letters carry the current link (see enrol_schedule) */
    unsigned char *box = NULL;
    size_t boxlen = 0;
    vault_seal(t->env->vault, token, TOKEN_LEN, &box, &boxlen);
    rc = store_link_put(st, e.id, digest, box, boxlen);
    free(box);
    if (rc != STORE_OK)
        return rc;
    json_t *data = json_object();
    int64_t seq = 0;
    enrol_time(data, "link_expires_at", expires);
    if (t->letter)
        json_object_set_new(data, "reason", json_string("new_link_letter"));
    rc = journal_append(st, now, "link_issued", t->actor, e.citizen_uuid, e.uuid, data, &seq);
    json_decref(data);
    if (rc != STORE_OK)
        return rc;
    json_t *jobs = json_array();
    if (t->letter && (rc = jobs_new_link(st, &e, seq, now, jobs)) != STORE_OK) {
        json_decref(jobs);
        return rc;
    }
    char link[512];
    snprintf(link, sizeof link, "%s/v/%s", t->env->public_url, token);
    t->response = json_pack("{s:s, s:o}", "link", link, "jobs", jobs);
    enrol_time(t->response, "expires_at", expires);
    t->result = ENROL_OK;
    return STORE_OK;
}

static enum enrol_result enrol_link(const struct enrol_env *env, const char *enrolment_uuid,
                                    const char *actor, int letter, json_t **response,
                                    struct enrol_error *err)
{
    struct enrol_link_txn t = {env, enrolment_uuid, actor, letter, NULL, ENROL_ERROR, err};
    enum store_status rc = store_txn(env->st, enrol_link_txn, &t);
    t.result = enrol_after_txn(rc, t.result);
    if (t.result != ENROL_OK) {
        json_decref(t.response);
        t.response = NULL;
    }
    *response = t.response;
    return t.result;
}

enum enrol_result enrol_new_link(const struct enrol_env *env, const char *enrolment_uuid,
                                 const char *actor, json_t **response, struct enrol_error *err)
{
    return enrol_link(env, enrolment_uuid, actor, 0, response, err);
}

enum enrol_result enrol_new_link_letter(const struct enrol_env *env, const char *enrolment_uuid,
                                        const char *actor, json_t **response,
                                        struct enrol_error *err)
{
    return enrol_link(env, enrolment_uuid, actor, 1, response, err);
}

enum enrol_result enrol_find_open(const struct enrol_env *env, const char *cpr,
                                  const char *group_slug, char uuid[MODEL_UUID_LEN + 1])
{
    char norm[11], lookup[65];
    struct model_citizen c;
    struct model_group g;
    struct model_enrolment e;
    enum enrol_result r = ENROL_NOT_FOUND;
    if (cpr_normalise(cpr, norm) != 0)
        return ENROL_NOT_FOUND;
    vault_lookup_hash(env->vault, norm, lookup);
    if (store_citizen_by_lookup(env->st, lookup, &c) != STORE_OK)
        return ENROL_NOT_FOUND;
    if (store_group_by_slug(env->st, group_slug, &g) == STORE_OK) {
        if (store_enrolment_open(env->st, c.id, g.id, &e) == STORE_OK) {
            memcpy(uuid, e.uuid, MODEL_UUID_LEN + 1);
            r = ENROL_OK;
        }
        model_group_clear(&g);
    }
    model_citizen_clear(&c);
    return r;
}

/* ------------------------------------------------------------------ meeting, group change */

/* An RFC 3339 member in 2000-2099: 0 and *out, or -1 (absent when required, or invalid). */
static int enrol_time_member(const json_t *body, const char *key, int required, int64_t *out)
{
    int bad;
    const char *s = enrol_string(body, key, 64, &bad);
    if (bad || (!s && required))
        return -1;
    if (!s)
        return 0;
    if (clock_parse_rfc3339(s, out) != 0 || *out < ENROL_MEETING_MIN || *out >= ENROL_MEETING_MAX)
        return -1;
    return 0;
}

/* The enrolment uuid names, open: STORE_OK with *e; else *result (ENROL_NOT_FOUND, or
 * ENROL_CONFLICT "enrolment_closed" with closed_message in err) and a status to roll back. */
static enum store_status enrol_open_enrolment(struct store *st, const char *uuid,
                                              struct model_enrolment *e,
                                              const char *closed_message,
                                              struct enrol_error *err,
                                              enum enrol_result *result)
{
    enum store_status rc = store_enrolment_by_uuid(st, uuid, e);
    if (rc == STORE_NOT_FOUND)
        *result = ENROL_NOT_FOUND;
    if (rc != STORE_OK)
        return rc;
    if (e->closed_at) {
        *result = enrol_conflict(err, "enrolment_closed", closed_message);
        return STORE_CONFLICT;
    }
    return STORE_OK;
}

struct enrol_meeting_txn {
    const struct enrol_env *env;
    const char *uuid;
    const char *actor;
    int64_t held_at;
    int oral;
    const char *note;
    int64_t now;
    enum enrol_result result;
    struct enrol_error *err;
};

static enum store_status enrol_meeting_txn(struct store *st, void *arg)
{
    struct enrol_meeting_txn *t = arg;
    struct model_enrolment e;
    struct model_group g;
    unsigned char *box = NULL;
    size_t boxlen = 0;
    json_t *data = NULL;
    int64_t resend_at = 0;
    memset(&g, 0, sizeof g);
    t->result = ENROL_ERROR;
    enum store_status rc = enrol_open_enrolment(
        st, t->uuid, &e, "The enrolment is closed; record the meeting on the open one.", t->err,
        &t->result);
    if (rc == STORE_OK)
        rc = enrol_not_purged(st, e.citizen_id, t->err, &t->result);
    if (rc != STORE_OK)
        goto out;
    /* a meeting before the enrolment began would date the evidence and the statistics
     * before the citizen was enrolled, and make the resend fall due at once (unless it was
     * planned before: the case system registered the citizen late) */
    if (t->held_at < enrol_meeting_earliest(&e)) {
        char began[CLOCK_RFC3339_LEN + 1], msg[160];
        clock_format_rfc3339(enrol_meeting_earliest(&e), began);
        snprintf(msg, sizeof msg, "held_at must not be before %s (when the enrolment began, or "
                                  "its first meeting as planned when that was earlier).",
                 began);
        enrol_reject(t->err, "invalid_time", "held_at", msg);
        t->result = ENROL_INVALID;
        rc = STORE_CONFLICT;
        goto out;
    }
    rc = store_group_by_id(st, e.group_id, &g);
    if (rc != STORE_OK)
        goto out;
    data = json_pack("{s:b}", "oral_guidance", t->oral);
    enrol_time(data, "held_at", t->held_at);
    if (t->note && *t->note) {
        char digest[65];
        vault_seal(t->env->vault, t->note, strlen(t->note), &box, &boxlen);
        /* keyed: a short note must not be guessable from the journal */
        vault_lookup_hash(t->env->vault, t->note, digest);
        json_object_set_new(data, "note_digest", json_string(digest));
    }
    rc = store_meeting_put(st, e.id, t->held_at, t->oral, box, boxlen, t->actor, t->now);
    if (rc == STORE_OK)
        rc = jobs_meeting_held(st, &e, &g, t->held_at, t->now, &resend_at);
    if (rc != STORE_OK)
        goto out;
    if (t->held_at != e.first_meeting_at)
        enrol_time(data, "planned_at", e.first_meeting_at);
    if (resend_at)
        enrol_time(data, "resend_due_at", resend_at);
    rc = journal_append(st, t->now, "meeting_recorded", t->actor, e.citizen_uuid, e.uuid, data,
                        NULL);
    if (rc == STORE_OK)
        t->result = ENROL_OK;
out:
    json_decref(data);
    free(box);
    model_group_clear(&g);
    return rc;
}

enum enrol_result enrol_record_meeting(const struct enrol_env *env, const char *enrolment_uuid,
                                       const json_t *body, const char *actor,
                                       json_t **response, struct enrol_error *err)
{
    int bad;
    memset(err, 0, sizeof *err);
    *response = NULL;
    struct enrol_meeting_txn t = {env, enrolment_uuid, actor, 0, 0, NULL, clock_now(),
                                  ENROL_ERROR, err};
    if (!json_is_object(body))
        return enrol_reject(err, "invalid_body", "", "The body must be a JSON object.");
    if (enrol_time_member(body, "held_at", 1, &t.held_at) != 0 ||
        t.held_at > t.now + 86400)
        return enrol_reject(err, "invalid_time", "held_at",
                            "held_at must be an RFC 3339 time in 2000-2099, at most a day "
                            "ahead of now.");
    json_t *oral = json_object_get(body, "oral_guidance");
    if (!json_is_boolean(oral))
        return enrol_reject(err, "invalid_oral_guidance", "oral_guidance",
                            "oral_guidance must be true or false.");
    t.oral = json_is_true(oral);
    t.note = enrol_string(body, "note", 4 * env->max_field_length, &bad);
    if (bad || (t.note && !enrol_note_fits(t.note, env->max_field_length))) {
        char msg[120];
        snprintf(msg, sizeof msg, "note must be a text of at most %zu characters.",
                 env->max_field_length);
        return enrol_reject(err, "invalid_note", "note", msg);
    }
    enum store_status s = store_txn(env->st, enrol_meeting_txn, &t);
    t.result = enrol_after_txn(s, t.result);
    if (t.result != ENROL_OK)
        return t.result;
    return enrol_describe(env, enrolment_uuid, response);
}

/* ------------------------------------------------------------------ meeting planned anew */

struct enrol_replan_txn {
    const struct enrol_env *env;
    const char *uuid;
    const char *actor;
    int64_t at;
    int64_t now;
    enum enrol_result result;
    struct enrol_error *err;
};

static enum store_status enrol_replan_txn(struct store *st, void *arg)
{
    struct enrol_replan_txn *t = arg;
    struct model_enrolment e;
    struct model_group g;
    struct store_meeting m;
    struct jobs_policy policy;
    json_t *data = NULL;
    int64_t remind_at = 0, resend_at = 0;
    memset(&g, 0, sizeof g);
    memset(&m, 0, sizeof m);
    t->result = ENROL_ERROR;
    enum store_status rc = enrol_open_enrolment(
        st, t->uuid, &e, "The enrolment is closed; plan the meeting on the open one.", t->err,
        &t->result);
    if (rc == STORE_OK)
        rc = enrol_not_purged(st, e.citizen_id, t->err, &t->result);
    if (rc != STORE_OK)
        goto out;
    rc = store_meeting_get(st, e.id, &m);
    free(m.note_box);
    if (rc == STORE_OK) {
        t->result = enrol_conflict(t->err, "meeting_recorded",
                                   "The meeting has been recorded as held; to correct when, "
                                   "record it again (POST .../meeting).");
        rc = STORE_CONFLICT;
        goto out;
    }
    if (rc != STORE_NOT_FOUND)
        goto out;
    if (e.first_meeting_at == t->at) { /* the same time again: nothing changes */
        t->result = ENROL_OK;
        rc = STORE_OK;
        goto out;
    }
    rc = store_group_by_id(st, e.group_id, &g);
    if (rc != STORE_OK)
        goto out;
    data = json_object();
    enrol_time(data, "from", e.first_meeting_at);
    enrol_time(data, "to", t->at);
    rc = store_enrolment_set_meeting(st, e.id, t->at);
    if (rc != STORE_OK)
        goto out;
    e.first_meeting_at = t->at;
    enrol_policy(t->env, &policy);
    rc = jobs_meeting_replanned(st, &e, &g, &policy, t->now, &remind_at, &resend_at);
    if (rc != STORE_OK)
        goto out;
    if (remind_at)
        enrol_time(data, "reminder_due_at", remind_at);
    if (resend_at)
        enrol_time(data, "resend_due_at", resend_at);
    rc = journal_append(st, t->now, "meeting_replanned", t->actor, e.citizen_uuid, e.uuid, data,
                        NULL);
    if (rc == STORE_OK)
        t->result = ENROL_OK;
out:
    json_decref(data);
    model_group_clear(&g);
    return rc;
}

enum enrol_result enrol_replan_meeting(const struct enrol_env *env, const char *enrolment_uuid,
                                       const json_t *body, const char *actor,
                                       json_t **response, struct enrol_error *err)
{
    memset(err, 0, sizeof *err);
    *response = NULL;
    struct enrol_replan_txn t = {env, enrolment_uuid, actor, 0, clock_now(), ENROL_ERROR, err};
    if (!json_is_object(body))
        return enrol_reject(err, "invalid_body", "", "The body must be a JSON object.");
    if (enrol_time_member(body, "first_meeting_at", 1, &t.at) != 0)
        return enrol_reject(err, "invalid_time", "first_meeting_at",
                            "first_meeting_at must be an RFC 3339 time in 2000-2099, e.g. "
                            "2026-12-01T09:00:00Z.");
    enum store_status s = store_txn(env->st, enrol_replan_txn, &t);
    t.result = enrol_after_txn(s, t.result);
    if (t.result != ENROL_OK)
        return t.result;
    return enrol_describe(env, enrolment_uuid, response);
}

/* The optional time member field of body (default now): 0 with *at, or -1 with err filled
 * (422 invalid_time) when it is not an RFC 3339 time in 2000-2099 or lies more than
 * env->max_clock_skew_s ahead of now: when a change in the case system took effect. */
static int enrol_effective_time(const struct enrol_env *env, const json_t *body,
                                const char *field, int64_t now, int64_t *at,
                                struct enrol_error *err)
{
    *at = now;
    if (enrol_time_member(body, field, 0, at) == 0 &&
        *at <= now + (int64_t)env->max_clock_skew_s)
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg,
             "%s must be an RFC 3339 time in 2000-2099, at most %u seconds ahead of now ([api] "
             "max_clock_skew_s).",
             field, env->max_clock_skew_s);
    enrol_reject(err, "invalid_time", field, msg);
    return -1;
}

/* STORE_OK when time at (member field) is not before enrolment e began; else 422
 * invalid_time in err and *result, and STORE_CONFLICT to roll back: ending it before it
 * began would give it a negative life and move its figures. */
static enum store_status enrol_after_start(const struct model_enrolment *e, int64_t at,
                                           const char *field, struct enrol_error *err,
                                           enum enrol_result *result)
{
    if (at >= e->created_at)
        return STORE_OK;
    char began[CLOCK_RFC3339_LEN + 1], msg[160];
    clock_format_rfc3339(e->created_at, began);
    snprintf(msg, sizeof msg, "%s must not be before the enrolment began (%s).", field, began);
    enrol_reject(err, "invalid_time", field, msg);
    *result = ENROL_INVALID;
    return STORE_CONFLICT;
}

/* ------------------------------------------------------------------ closing */

struct enrol_close_txn {
    const struct enrol_env *env;
    const char *uuid;
    const char *actor;
    const char *reason;
    int64_t closed_at;
    int64_t now;
    enum enrol_result result;
    struct enrol_error *err;
};

static enum store_status enrol_close_txn(struct store *st, void *arg)
{
    struct enrol_close_txn *t = arg;
    struct model_enrolment e;
    int cancelled = 0;
    t->result = ENROL_ERROR;
    enum store_status rc = enrol_open_enrolment(st, t->uuid, &e, "The enrolment is closed already.",
                                                t->err, &t->result);
    if (rc != STORE_OK)
        return rc;
    if ((rc = enrol_after_start(&e, t->closed_at, "closed_at", t->err, &t->result)) != STORE_OK)
        return rc;
    rc = store_enrolment_close(st, e.id, t->closed_at);
    if (rc == STORE_OK)
        rc = jobs_cancel_enrolment(st, e.id, t->now, &cancelled);
    if (rc != STORE_OK)
        return rc;
    json_t *data = json_pack("{s:s, s:i}", "reason", t->reason, "jobs_cancelled", cancelled);
    enrol_time(data, "closed_at", t->closed_at);
    rc = journal_append(st, t->now, "enrolment_closed", t->actor, e.citizen_uuid, e.uuid, data,
                        NULL);
    json_decref(data);
    if (rc == STORE_OK)
        t->result = ENROL_OK;
    return rc;
}

enum enrol_result enrol_close(const struct enrol_env *env, const char *enrolment_uuid,
                              const json_t *body, const char *actor, json_t **response,
                              struct enrol_error *err)
{
    int bad;
    memset(err, 0, sizeof *err);
    *response = NULL;
    struct enrol_close_txn t = {env, enrolment_uuid, actor, NULL, 0, clock_now(), ENROL_ERROR,
                                err};
    if (!json_is_object(body))
        return enrol_reject(err, "invalid_body", "", "The body must be a JSON object.");
    const char *reason = enrol_string(body, "reason", 32, &bad);
    t.reason = bad ? NULL : journal_close_reason(reason);
    if (!t.reason)
        return enrol_reject(err, "invalid_reason", "reason",
                            "reason is required: job, education, benefit_ended, moved or "
                            "other.");
    if (enrol_effective_time(env, body, "closed_at", t.now, &t.closed_at, err) != 0)
        return ENROL_INVALID;
    enum store_status s = store_txn(env->st, enrol_close_txn, &t);
    t.result = enrol_after_txn(s, t.result);
    if (t.result != ENROL_OK)
        return t.result;
    return enrol_describe(env, enrolment_uuid, response);
}

struct enrol_group_txn {
    const struct enrol_env *env;
    const char *citizen_uuid;
    const char *actor;
    const struct model_group *group;
    const char *caseworker; /* NULL: the old enrolment's */
    int64_t pack_id;
    int64_t changed_at;
    int64_t next_meeting_at;
    int64_t now;
    json_t *response;
    enum enrol_result result;
    struct enrol_error *err;
};

#define ENROL_OPEN_MAX 16

/* Closes the citizen's open enrolments (cancelling their jobs, journalling
 * "group_changed"); *old gets the first of them. */
static enum store_status enrol_close_for_change(struct store *st, struct enrol_group_txn *t,
                                                int64_t citizen_id, const char *new_uuid,
                                                struct model_enrolment *old)
{
    int64_t ids[ENROL_OPEN_MAX];
    size_t n = 0;
    enum store_status rc = store_enrolment_open_ids(st, citizen_id, ids, ENROL_OPEN_MAX, &n);
    if (rc != STORE_OK)
        return rc;
    if (n == 0) {
        enrol_reject(t->err, "no_open_enrolment", "", "The citizen has no open enrolment.");
        t->result = ENROL_CONFLICT;
        return STORE_CONFLICT;
    }
    for (size_t i = 0; i < n; i++) {
        struct model_enrolment e;
        struct model_group from;
        int cancelled = 0;
        rc = store_enrolment_by_id(st, ids[i], &e);
        if (rc != STORE_OK)
            return rc;
        if (e.group_id == t->group->id) {
            enrol_reject(t->err, "already_enrolled", "target_group",
                         "The citizen already has an open enrolment in this target group.");
            t->result = ENROL_CONFLICT;
            return STORE_CONFLICT;
        }
        /* the change happened while this enrolment was open */
        if ((rc = enrol_after_start(&e, t->changed_at, "changed_at", t->err, &t->result)) !=
            STORE_OK)
            return rc;
        if (i == 0)
            *old = e;
        rc = store_group_by_id(st, e.group_id, &from);
        if (rc != STORE_OK)
            return rc;
        json_t *data = json_pack("{s:s, s:s, s:s}", "from", from.slug, "to", t->group->slug,
                                 "new_enrolment_id", new_uuid);
        model_group_clear(&from);
        enrol_time(data, "changed_at", t->changed_at);
        rc = store_enrolment_close(st, e.id, t->changed_at);
        if (rc == STORE_OK)
            rc = jobs_cancel_enrolment(st, e.id, t->now, &cancelled);
        json_object_set_new(data, "jobs_cancelled", json_integer(cancelled));
        if (rc == STORE_OK)
            rc = journal_append(st, t->now, "group_changed", t->actor, e.citizen_uuid, e.uuid,
                                data, NULL);
        json_decref(data);
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

static enum store_status enrol_group_txn(struct store *st, void *arg)
{
    struct enrol_group_txn *t = arg;
    const struct enrol_env *env = t->env;
    struct model_citizen c;
    struct model_enrolment old, e;
    memset(&e, 0, sizeof e);
    t->result = ENROL_ERROR;
    enum store_status rc = store_citizen_by_uuid(st, t->citizen_uuid, &c);
    if (rc == STORE_NOT_FOUND)
        t->result = ENROL_NOT_FOUND;
    if (rc != STORE_OK)
        return rc;
    if ((rc = enrol_not_purged(st, c.id, t->err, &t->result)) != STORE_OK ||
        (rc = enrol_caseworker_known(st, t->caseworker, t->err, &t->result)) != STORE_OK) {
        model_citizen_clear(&c);
        return rc;
    }
    enrol_new_uuid(e.uuid);
    rc = enrol_close_for_change(st, t, c.id, e.uuid, &old);
    if (rc != STORE_OK)
        goto out;

    char token[TOKEN_LEN + 1], digest[TOKEN_HASH_HEX_LEN + 1];
    token_new(token);
    token_hash(token, TOKEN_LEN, digest);
    e.citizen_id = c.id;
    e.group_id = t->group->id;
    e.pack_id = t->pack_id;
    if (t->caseworker)
        snprintf(e.caseworker, sizeof e.caseworker, "%s", t->caseworker);
    else
        memcpy(e.caseworker, old.caseworker, sizeof e.caseworker);
    memcpy(e.language, old.language, sizeof e.language);
    e.first_meeting_at = t->next_meeting_at;
    e.created_at = t->changed_at; /* the new group counts from the change, as the old one
                                   * stops counting then; the link is issued now */
    e.token_expires_at = t->now + (int64_t)env->token_days * 86400;
    rc = store_enrolment_insert(st, &e, digest);
    if (rc == STORE_OK && e.created_at < t->now) /* dated back: reads since count */
        rc = store_stats_reads_since_made(st, e.id);
    if (rc != STORE_OK)
        goto out;
    const struct model_pack *pack = content_cache_get(env->cache, st, e.pack_id);
    json_t *data = json_pack("{s:s, s:i, s:s, s:s, s:s}", "target_group", t->group->slug,
                             "pack_version", pack ? pack->version : 0, "content_hash",
                             pack ? pack->content_hash : "", "caseworker", e.caseworker,
                             "previous_enrolment_id", old.uuid);
    enrol_time(data, "first_meeting_at", e.first_meeting_at);
    enrol_time(data, "link_expires_at", e.token_expires_at);
    rc = journal_append(st, t->now, "enrolled", t->actor, c.uuid, e.uuid, data, NULL);
    json_decref(data);
    if (rc != STORE_OK)
        goto out;
    char link[512];
    snprintf(link, sizeof link, "%s/v/%s", env->public_url, token);
    json_t *jobs = json_array();
    t->response = json_pack("{s:s, s:s, s:s, s:s, s:o}", "enrolment_id", e.uuid, "citizen_id",
                            c.uuid, "target_group", t->group->slug, "link", link, "jobs", jobs);
    enrol_time(t->response, "expires_at", e.token_expires_at);
    rc = enrol_schedule(st, &e, env, t->group, token, t->now, jobs);
    if (rc == STORE_OK)
        t->result = ENROL_OK;
out:
    model_citizen_clear(&c);
    if (rc != STORE_OK) {
        json_decref(t->response);
        t->response = NULL;
    }
    return rc;
}

enum enrol_result enrol_change_group(const struct enrol_env *env, const char *citizen_uuid,
                                     const json_t *body, const char *actor, int *status,
                                     json_t **response, struct enrol_error *err)
{
    int bad;
    struct model_group g;
    memset(&g, 0, sizeof g);
    memset(err, 0, sizeof *err);
    *response = NULL;
    struct enrol_group_txn t = {env, citizen_uuid, actor, &g, NULL, 0, 0, 0, clock_now(),
                                NULL, ENROL_ERROR, err};
    enum enrol_result r = ENROL_ERROR;
    if (packedit_publish_due(env->st, t.now, NULL) != 0) /* as in enrol_create */
        goto out;
    r = ENROL_INVALID;
    if (!json_is_object(body)) {
        enrol_reject(err, "invalid_body", "", "The body must be a JSON object.");
        goto out;
    }
    const char *slug = enrol_string(body, "target_group", 63, &bad);
    if (bad || !slug) {
        enrol_reject(err, bad ? "unknown_target_group" : "missing_field", "target_group",
                     bad ? ENROL_GROUP_NOT_SLUG : "target_group is required.");
        goto out;
    }
    enum store_status s = store_group_by_slug(env->st, slug, &g);
    if (s == STORE_NOT_FOUND || (s == STORE_OK && !g.enabled)) {
        enrol_reject(err, "unknown_target_group", "target_group",
                     "target_group is not a known, enabled target group.");
        goto out;
    }
    if (s == STORE_OK)
        s = store_pack_published_id(env->st, g.id, &t.pack_id);
    if (s == STORE_NOT_FOUND) {
        enrol_reject(err, "no_published_content", "target_group",
                     "This target group has no published guidance yet.");
        goto out;
    }
    r = ENROL_ERROR;
    if (s != STORE_OK)
        goto out;
    r = ENROL_INVALID;
    t.caseworker = enrol_string(body, "caseworker", MODEL_SLUG_MAX - 1, &bad);
    if (bad || cpr_within(t.caseworker)) {
        enrol_reject(err, "invalid_caseworker", "caseworker",
                     bad ? "caseworker must be a user name of at most 63 characters."
                         : "caseworker must be a user name; this one holds a CPR number, "
                           "which the journal must never keep.");
        goto out;
    }
    if (enrol_effective_time(env, body, "changed_at", t.now, &t.changed_at, err) != 0)
        goto out;
    if (enrol_time_member(body, "next_meeting_at", 1, &t.next_meeting_at) != 0) {
        enrol_reject(err, "invalid_time", "next_meeting_at",
                     "next_meeting_at must be an RFC 3339 time in 2000-2099.");
        goto out;
    }
    s = store_txn(env->st, enrol_group_txn, &t);
    r = enrol_after_txn(s, t.result);
    if (r != ENROL_OK) {
        json_decref(t.response);
        t.response = NULL;
    }
    *response = t.response;
    *status = 201;
out:
    model_group_clear(&g);
    return r;
}
