#include "scheduler.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "clock.h"
#include "content.h"
#include "enrol.h"
#include "fault.h"
#include "jobs.h"
#include "purge.h"
#include "checkpoint.h"
#include "signkey.h"
#include "journal.h"
#include "lang.h"
#include "letter.h"
#include "mem.h"
#include "packedit.h"
#include "store.h"
#include "token.h"

#define SCHEDULER_BATCH_MAX 1024
#define SCHEDULER_POLL_S 30       /* the longest sleep: new journal entries for the webhook */
#define SCHEDULER_LINK_MIN_DAYS 14 /* a letter's link is renewed when it expires sooner */

struct scheduler {
    const struct config *cfg;
    const struct vault *vault;
    const char *public_url;
    struct store *st;
    struct content_cache *cache; /* the server's, borrowed, or own_cache */
    struct content_cache *own_cache;
    /* every language's strings (a letter's own and its translated part): the server's,
     * borrowed, or own_langs, loaded by scheduler_open */
    const struct lang_list *langs;
    struct lang_list own_langs;
    const json_t *strings[LANG_COUNT]; /* Danish and English, within *langs */
    struct jobs_policy policy;
    pthread_t thread;
    int started;
    int64_t purged_at;     /* the last retention purge by this thread */
    struct signkey *key;   /* signs the journal checkpoints */
};

int scheduler_open(const struct config *cfg, const struct vault *vault, const char *public_url,
                   const struct lang_list *langs, struct content_cache *cache,
                   struct scheduler **out, char *err, size_t errlen)
{
    struct scheduler *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->vault = vault;
    s->public_url = public_url;
    jobs_policy_from_config(cfg, &s->policy);
    if (jobs_check_timeouts(cfg, err, errlen) != 0)
        goto fail;
    /* a channel without its address would fail every letter, one by one, for days */
    if (channel_enabled(cfg->channels, "smtp") && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
        snprintf(err, errlen, "[delivery] channels names smtp: [smtp] url must be the mail "
                              "server, smtp://HOST:PORT or smtps://HOST:PORT");
        goto fail;
    }
    if (channel_enabled(cfg->channels, "webhook") &&
        strncmp(cfg->webhook_url, "https://", 8) != 0 &&
        strncmp(cfg->webhook_url, "http://", 7) != 0) {
        snprintf(err, errlen, "[delivery] channels names webhook: [webhook] url must be the "
                              "case system's address, https://…");
        goto fail;
    }
    if (channel_enabled(cfg->channels, "webhook")) {
        unsigned char key[CHANNEL_WEBHOOK_KEY_MAX];
        size_t keylen = 0;
        int bad = channel_webhook_key(cfg->webhook_secret, key, &keylen) != 0;
        sodium_memzero(key, sizeof key);
        if (bad) {
            snprintf(err, errlen,
                     *cfg->webhook_secret
                         ? "[webhook] secret is not whsec_<base64 of random bytes>: what follows "
                           "the prefix is not base64 of at least one byte (a plain secret must "
                           "not begin with that prefix)"
                         : "[webhook] secret must be set: whsec_<base64 of random bytes>, or a "
                           "plain secret used as it stands");
            goto fail;
        }
    }
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, &s->st, err, errlen))
        goto fail;
    if (!langs) {
        if (lang_list_load(&s->own_langs, cfg->template_dir, err, errlen))
            goto fail;
        langs = &s->own_langs;
    }
    s->langs = langs;
    /* a loaded list always has Danish and English (lang_list_load refuses one without) */
    for (int l = 0; l < LANG_COUNT; l++)
        s->strings[l] = lang_find(langs, model_lang_code((enum lang)l))->strings;
    if (signkey_open(cfg->sign_key_file, 1, &s->key, err, errlen))
        goto fail;
    /* the server's pages and letters share one copy of each published version */
    s->cache = cache ? cache : (s->own_cache = content_cache_new());
    *out = s;
    return 0;
fail:
    scheduler_close(s);
    return -1;
}

void scheduler_close(struct scheduler *s)
{
    if (!s)
        return;
    store_close(s->st);
    signkey_close(s->key);
    content_cache_free(s->own_cache);
    lang_list_free(&s->own_langs);
    free(s);
}

/* ------------------------------------------------------------------ the personal link */

struct sched_link {
    struct scheduler *s;
    const struct model_enrolment *e;
    int64_t now;
    char token[TOKEN_LEN + 1];
    int64_t expires;
};

/* The enrolment's current link if it is still good for a while; else a new one (the old
 * stops working), sealed for the next letter and journalled "link_issued". */
static enum store_status sched_link_txn(struct store *st, void *arg)
{
    struct sched_link *l = arg;
    const struct config *cfg = l->s->cfg;
    char stored[MODEL_HASH_HEX + 1], digest[TOKEN_HASH_HEX_LEN + 1];
    unsigned char *box = NULL;
    size_t boxlen = 0;
    int64_t min_days = cfg->token_days / 2 < SCHEDULER_LINK_MIN_DAYS ? cfg->token_days / 2
                                                                      : SCHEDULER_LINK_MIN_DAYS;
    enum store_status rc = store_link_get(st, l->e->id, stored, &box, &boxlen);
    if (rc == STORE_OK) {
        char *plain = NULL;
        size_t n = 0;
        struct model_enrolment cur;
        if (vault_unseal(l->s->vault, box, boxlen, &plain, &n) == 0 && n == TOKEN_LEN) {
            token_hash(plain, n, digest);
            if (store_enrolment_by_token(st, digest, &cur) == STORE_OK && cur.id == l->e->id &&
                cur.token_expires_at > l->now + min_days * 86400) {
                memcpy(l->token, plain, TOKEN_LEN + 1);
                l->expires = cur.token_expires_at;
            }
        }
        free(plain);
    }
    free(box);
    box = NULL;
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return rc;
    if (l->token[0])
        return STORE_OK;
    token_new(l->token);
    token_hash(l->token, TOKEN_LEN, digest);
    l->expires = l->now + (int64_t)cfg->token_days * 86400;
    vault_seal(l->s->vault, l->token, TOKEN_LEN, &box, &boxlen);
    rc = store_enrolment_set_token(st, l->e->id, digest, l->expires, l->now);
    if (rc == STORE_OK)
        rc = store_link_put(st, l->e->id, digest, box, boxlen);
    free(box);
    if (rc != STORE_OK)
        return rc;
    char when[CLOCK_RFC3339_LEN + 1];
    clock_format_rfc3339(l->expires, when);
    json_t *data = json_pack("{s:s, s:s}", "link_expires_at", when, "reason", "letter");
    rc = journal_append(st, l->now, "link_issued", "scheduler", l->e->citizen_uuid, l->e->uuid,
                        data, NULL);
    json_decref(data);
    return rc;
}

/* ------------------------------------------------------------------ deliveries */

/* The letter that was sent is the letter that is hashed.  A letter is rendered once, when
 * the intent to send it is recorded, and the exact bytes of every channel (outbox XML and
 * PDF, the e-mail message) are committed with that intent, sealed with the vault key; an
 * attempt after a crash sends those stored bytes, and the journal's sha256 and pdf_sha256
 * are hashes of them.  Rendering again as a pure function of data fixed in the intent was
 * the alternative, but too much of a letter can change between two attempts: the published
 * guidance, the citizen's link (a caseworker's new link, the renewal before expiry), the
 * municipality's settings, the strings and even the fonts after an upgrade.  The sealed
 * copies are dropped when the job ends (done or cancelled) and by the retention purge. */

#define SCHED_LETTER_CHANNELS 2
static const char *const sched_letter_channels[SCHED_LETTER_CHANNELS] = {"outbox", "smtp"};

struct sched_intents {
    const struct store_job *j;
    const char *channel[SCHED_LETTER_CHANNELS];
    struct store_delivery *d[SCHED_LETTER_CHANNELS];
    size_t n;
    int64_t now;
};

static enum store_status sched_intents_txn(struct store *st, void *arg)
{
    struct sched_intents *t = arg;
    /* only while the job is ours (renewing its lease) */
    enum store_status rc = store_job_renew(st, t->j->id, t->j->claim, clock_now());
    for (size_t i = 0; i < t->n && rc == STORE_OK; i++)
        rc = store_delivery_intent(st, t->j->id, t->channel[i], t->d[i], t->now);
    return rc;
}

struct sched_record {
    const struct store_job *j;
    const char *message_id;
    const char *sha256;
    int64_t at; /* when the channel took it: read right after its write returned */
    const char *kind; /* journal kind, NULL: none */
    const struct model_enrolment *e;
    json_t *data;
};

static enum store_status sched_record_txn(struct store *st, void *arg)
{
    struct sched_record *r = arg;
    enum store_status rc = store_job_renew(st, r->j->id, r->j->claim, clock_now());
    if (rc == STORE_OK)
        rc = store_delivery_sent(st, r->message_id, r->sha256, r->at);
    if (rc == STORE_OK && r->kind)
        rc = journal_append(st, r->at, r->kind, "scheduler", r->e->citizen_uuid, r->e->uuid,
                            r->data, NULL);
    return rc;
}

/* Test build only (fault.h): "after_channel_write" stops the process after any channel's
 * write, "after_channel_write:<channel>" only after that channel's. */
static void sched_fault_point(const char *channel)
{
    char named[64];
    snprintf(named, sizeof named, "after_channel_write:%s", channel);
    fault_point("after_channel_write");
    fault_point(named);
}

/* ------------------------------------------------------------------ letters */

/* SCHED_FAIL: the job cannot succeed however often it is tried (no configured channel
 * reaches the citizen): it ends failed at once.  SCHED_LOST: the claim was lost (the lease
 * ran out and another scheduler claimed the job): nothing more may be sent or recorded for
 * it, and its end is the other one's. */
enum sched_outcome { SCHED_DONE, SCHED_CANCEL, SCHED_RETRY, SCHED_FAIL, SCHED_LOST };

/* A write under the job's claim that failed: SCHED_LOST when another scheduler holds the
 * job now (STORE_CONFLICT: err says lost), else SCHED_RETRY (err says failed). */
static enum sched_outcome sched_write_failed(enum store_status rc, const char *failed,
                                             const char *lost, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", rc == STORE_CONFLICT ? lost : failed);
    return rc == STORE_CONFLICT ? SCHED_LOST : SCHED_RETRY;
}

/* Renews the job's lease (a webhook's repeat, before its post). */
static enum store_status sched_renew_txn(struct store *st, void *arg)
{
    const struct store_job *j = arg;
    return store_job_renew(st, j->id, j->claim, clock_now());
}

struct sched_letter_job {
    struct model_enrolment e;
    struct model_citizen c;
    struct model_group g;
    char cpr[16];
    struct buf pdf;
    int want[SCHED_LETTER_CHANNELS];  /* the channel carries this letter */
    int have[SCHED_LETTER_CHANNELS];  /* an intent with its payload is recorded */
    int fresh; /* the recorded letter carried a link no longer in use: written anew, now */
    struct store_delivery d[SCHED_LETTER_CHANNELS];
    const char *reason; /* "channel_refused" when a channel did not take it; other causes
                         * are read from err (jobs_failure_cause) */
};

static const char *sched_journal_kind(const char *job_kind)
{
    if (strcmp(job_kind, "send_written_guidance") == 0)
        return "written_guidance_sent";
    if (strcmp(job_kind, "resend_written_guidance") == 0)
        return "written_guidance_resent";
    if (strcmp(job_kind, "send_new_link") == 0)
        return "new_link_sent";
    return "reminder_sent";
}

/* Whether the letter recorded with intent d carries a link that a newer one has replaced
 * since (its token no longer opens the enrolment).  Letters recorded before intents named
 * their link: no. */
static int sched_letter_link_replaced(struct scheduler *s, const struct store_delivery *d,
                                      const struct model_enrolment *e)
{
    struct model_enrolment cur;
    if (!d->link_hash[0])
        return 0;
    enum store_status rc = store_enrolment_by_token(s->st, d->link_hash, &cur);
    return rc == STORE_NOT_FOUND || (rc == STORE_OK && cur.id != e->id);
}

/* The letter's PDF in w->pdf: the one an earlier intent of this job holds (every channel of
 * a job carries the same letter), else rendered now for the time `at`.  *data gets the
 * journal data that belongs to that PDF. */
static int sched_letter_pdf(struct scheduler *s, const struct store_job *j,
                            struct sched_letter_job *w, const struct model_pack *pack,
                            const struct letter *l, json_t **data)
{
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++) {
        char *plain = NULL;
        size_t n = 0;
        json_error_t je;
        if (!w->have[i] || !w->d[i].pdf_box ||
            vault_unseal(s->vault, w->d[i].pdf_box, w->d[i].pdf_boxlen, &plain, &n) != 0)
            continue;
        buf_append(&w->pdf, plain, n);
        sodium_memzero(plain, n);
        free(plain);
        *data = json_loads(w->d[i].data ? w->d[i].data : "{}", 0, &je);
        return *data ? 0 : -1;
    }
    if (letter_pdf(l, &w->pdf) != 0)
        return -1;
    char pdf_sha[CHANNEL_SHA256_HEX + 1];
    channel_sha256(w->pdf.data, w->pdf.len, pdf_sha);
    char expires[CLOCK_RFC3339_LEN + 1];
    clock_format_rfc3339(l->link_expires, expires);
    *data = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "job", j->kind, "pdf_sha256", pdf_sha,
                      "pack_version", pack->version, "content_hash", pack->content_hash,
                      "target_group", w->g.slug, "link_expires_at", expires);
    /* the language the guidance was given in after the Danish text, when it was */
    if (*data && l->tr_lang)
        json_object_set_new(*data, "language", json_string(l->tr_lang));
    /* a reminder names the meeting it reminds of: checked again before it is sent */
    if (*data && l->kind == LETTER_REMINDER && l->meeting_at) {
        char meeting[CLOCK_RFC3339_LEN + 1];
        clock_format_rfc3339(l->meeting_at, meeting);
        json_object_set_new(*data, "meeting_at", json_string(meeting));
    }
    return *data ? 0 : -1;
}

/* Renders the letter once for every channel that has no intent yet and records those
 * intents, each with the exact bytes it will send, in one transaction.  The letter's time
 * is that of the job's first intent (now when there is none). */
static enum sched_outcome sched_letter_prepare(struct scheduler *s, const struct store_job *j,
                                               int64_t now, struct sched_letter_job *w,
                                               char *err, size_t errlen)
{
    int reminder = strcmp(j->kind, "remind_before_meeting") == 0;
    int64_t pack_id = 0, at = now;
    enum sched_outcome o = SCHED_RETRY;
    json_t *data = NULL;
    char *dumped = NULL;
    struct buf payload[SCHED_LETTER_CHANNELS] = {{0}};
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++)
        if (!w->fresh && w->d[i].message_id[0] && w->d[i].created_at < at)
            at = w->d[i].created_at;
    enum store_status rc = store_group_by_id(s->st, w->e.group_id, &w->g);
    if (rc == STORE_OK) /* the current published version of the group's guidance */
        rc = store_pack_published_id(s->st, w->e.group_id, &pack_id);
    const struct model_pack *pack = rc == STORE_OK ? content_cache_get(s->cache, s->st, pack_id)
                                                   : NULL;
    if (!pack) { /* a group with no published guidance is not a fault of the database */
        snprintf(err, errlen, "%s",
                 rc == STORE_NOT_FOUND ? JOBS_ERR_NO_GUIDANCE
                                       : "cannot read the enrolment or its published guidance");
        return SCHED_RETRY;
    }
    unsigned char *box = NULL;
    size_t boxlen = 0, n = 0;
    char *plain = NULL;
    if (store_citizen_cpr_box(s->st, w->c.id, &box, &boxlen) != STORE_OK ||
        vault_unseal(s->vault, box, boxlen, &plain, &n) != 0 || n >= sizeof w->cpr) {
        free(box);
        free(plain);
        snprintf(err, errlen, "%s", JOBS_ERR_IDENTITY);
        return SCHED_RETRY;
    }
    memcpy(w->cpr, plain, n + 1);
    sodium_memzero(plain, n);
    free(box);
    free(plain);

    struct sched_link link;
    memset(&link, 0, sizeof link);
    link.s = s;
    link.e = &w->e;
    link.now = now;
    if (store_txn(s->st, sched_link_txn, &link) != STORE_OK) {
        snprintf(err, errlen, "%s", JOBS_ERR_LINK);
        return SCHED_RETRY;
    }
    char url[512], link_hash[TOKEN_HASH_HEX_LEN + 1];
    snprintf(url, sizeof url, "%s/v/%s", s->public_url, link.token);
    token_hash(link.token, TOKEN_LEN, link_hash);
    sodium_memzero(link.token, sizeof link.token);
    enum lang lang = model_lang_from_code(w->e.language);
    const char *guidance = pack->guidance[lang] && *pack->guidance[lang] ? pack->guidance[lang]
                                                                         : pack->guidance[LANG_DA];
    struct letter l = {s->cfg, s->strings[lang], model_lang_code(lang),
                       reminder ? LETTER_REMINDER : LETTER_GUIDANCE, w->c.name,
                       w->g.name[lang] && *w->g.name[lang] ? w->g.name[lang] : w->g.name[LANG_DA],
                       guidance, url, link.expires, w->e.first_meeting_at, at,
                       NULL, NULL, NULL, pack->legal_basis, pack->valid_from, pack->valid_to};
    /* a citizen in another language than Danish and English: the Danish letter, then the
     * guidance in their language when the pack has it */
    const struct lang_info *other = lang_find(s->langs, w->e.language);
    if (!reminder && other && other->base == LANG_DA && strcmp(other->code, "da") != 0 &&
        (l.tr_guidance = content_translation(pack, other->code, "guidance"))) {
        l.tr_strings = other->strings;
        l.tr_lang = other->code;
    }
    if (sched_letter_pdf(s, j, w, pack, &l, &data) != 0) {
        snprintf(err, errlen, "%s", JOBS_ERR_RENDER);
        goto out;
    }
    dumped = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    struct sched_intents t = {j, {NULL}, {NULL}, 0, now};
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++) {
        struct store_delivery *d = &w->d[i];
        if (!w->want[i] || w->have[i])
            continue;
        if (!d->message_id[0]) /* else an intent recorded without its bytes: keep its id */
            enrol_new_uuid(d->message_id);
        if (i == 0) {
            struct channel_memo m = {d->message_id,
                                     letter_string(l.strings, reminder ? "letter_title_reminder"
                                                                       : "letter_title_guidance"),
                                     s->cfg->sender_cvr, s->cfg->municipality_name, w->cpr,
                                     w->c.name, l.lang, url,
                                     letter_string(l.strings, "letter_link_intro"), at,
                                     w->pdf.data, w->pdf.len};
            channel_memo_xml(&m, &payload[i]);
        } else {
            struct buf text = {0};
            letter_text(&l, &text);
            struct channel_mail m = {d->message_id, w->c.email, letter_subject(&l), text.data,
                                     w->pdf.data, w->pdf.len, "brev.pdf", at};
            channel_mail_message(s->cfg, &m, &payload[i]);
            buf_free(&text);
        }
        channel_sha256(payload[i].data, payload[i].len, d->sha256);
        store_delivery_clear(d);
        d->data = xstrdup(dumped);
        vault_seal(s->vault, payload[i].data, payload[i].len, &d->payload_box,
                   &d->payload_boxlen);
        vault_seal(s->vault, w->pdf.data, w->pdf.len, &d->pdf_box, &d->pdf_boxlen);
        snprintf(d->state, sizeof d->state, "intent");
        snprintf(d->link_hash, sizeof d->link_hash, "%s", link_hash);
        d->created_at = at;
        t.channel[t.n] = sched_letter_channels[i];
        t.d[t.n++] = d;
    }
    rc = store_txn(s->st, sched_intents_txn, &t);
    if (rc != STORE_OK) {
        o = sched_write_failed(rc, "cannot record the delivery", "the claim was lost", err,
                               errlen);
        goto out;
    }
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++)
        w->have[i] |= w->want[i];
    o = SCHED_DONE;
out:
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++) {
        if (payload[i].data)
            sodium_memzero(payload[i].data, payload[i].len);
        buf_free(&payload[i]);
    }
    sodium_memzero(url, sizeof url);
    json_decref(data);
    free(dumped);
    return o;
}

/* Whether the letter still goes out, judged before it is made and again right before each
 * channel's send (a pass, or the other channel, may have taken long), against the job and
 * the enrolment as they are then; w->e is read anew.  Not when the job was cancelled after
 * it was claimed (store_jobs_cancel marks a running job) or the enrolment is closed; a
 * reminder not when the citizen completed or declined, the meeting was held, moved from the
 * one its letter d names (d NULL: none written yet), or has begun.  SCHED_DONE to go on,
 * SCHED_CANCEL, or SCHED_RETRY (err says why). */
static enum sched_outcome sched_letter_due(struct scheduler *s, const struct store_job *j,
                                           struct sched_letter_job *w,
                                           const struct store_delivery *d, char *err,
                                           size_t errlen)
{
    bool cancelled;
    if (store_job_cancel_requested(s->st, j->id, &cancelled) != STORE_OK) {
        snprintf(err, errlen, "cannot read the job");
        return SCHED_RETRY;
    }
    if (cancelled) {
        snprintf(err, errlen, "cancelled after it was claimed (the meeting moved, the enrolment "
                              "closed or the citizen's data was purged): nothing more is sent");
        return SCHED_CANCEL;
    }
    enum store_status rc = store_enrolment_by_id(s->st, j->enrolment_id, &w->e);
    if (rc == STORE_NOT_FOUND || (rc == STORE_OK && w->e.closed_at)) {
        snprintf(err, errlen, "the enrolment is closed");
        return SCHED_CANCEL;
    }
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot read the enrolment");
        return SCHED_RETRY;
    }
    if (strcmp(j->kind, "remind_before_meeting") != 0)
        return SCHED_DONE;
    if (w->e.completed_at || w->e.declined_at || w->e.held_at) {
        snprintf(err, errlen, "the citizen has completed or declined, or the meeting was held");
        return SCHED_CANCEL;
    }
    json_error_t je;
    json_t *data = d ? json_loads(d->data ? d->data : "{}", 0, &je) : NULL;
    const char *named = json_string_value(json_object_get(data, "meeting_at"));
    int64_t at = 0;
    int moved = !w->e.first_meeting_at ||
                (named && (clock_parse_rfc3339(named, &at) != 0 || at != w->e.first_meeting_at));
    json_decref(data);
    if (moved) {
        snprintf(err, errlen, "the meeting was moved after the reminder was written: it is not "
                              "sent with the old time");
        return SCHED_CANCEL;
    }
    /* a reminder of a meeting that has begun would arrive too late to be of use, and would
     * document a reminder the citizen never had in time (the scheduler was down or late) */
    if (clock_now() >= w->e.first_meeting_at) {
        snprintf(err, errlen, "the meeting time has passed: a reminder is not sent afterwards");
        return SCHED_CANCEL;
    }
    return SCHED_DONE;
}

struct sched_send_check {
    struct scheduler *s;
    const struct store_job *j;
    struct sched_letter_job *w;
    const struct store_delivery *d;
    char *err;
    size_t errlen;
    enum sched_outcome o;
};

static enum store_status sched_send_check_txn(struct store *st, void *arg)
{
    struct sched_send_check *k = arg;
    enum store_status rc = store_job_renew(st, k->j->id, k->j->claim, clock_now());
    if (rc == STORE_OK)
        k->o = sched_letter_due(k->s, k->j, k->w, k->d, k->err, k->errlen);
    return rc;
}

/* Right before channel i's send: renews the lease, so that it outlasts the write (every
 * channel's timeout is shorter than the lease), and judges whether the letter still goes
 * out (sched_letter_due), both in one write transaction.  A meeting moved, a group changed,
 * a purge or a new link cancel the job under the same write lock, so each of them either
 * committed before this check, and nothing is sent, or comes after a send already under
 * way.  SCHED_DONE to send, SCHED_CANCEL, SCHED_LOST or SCHED_RETRY (err says why). */
static enum sched_outcome sched_send_check(struct scheduler *s, const struct store_job *j,
                                           struct sched_letter_job *w, int i, char *err,
                                           size_t errlen)
{
    struct sched_send_check k = {s, j, w, &w->d[i], err, errlen, SCHED_RETRY};
    enum store_status rc = store_txn(s->st, sched_send_check_txn, &k);
    if (rc == STORE_OK)
        return k.o;
    return sched_write_failed(rc, "cannot renew the lease", "the claim was lost", err, errlen);
}

/* Sends the bytes recorded with the intent through channel i, then records it sent and
 * journals it with the hashes of exactly those bytes, at the time the channel took them.
 * SCHED_DONE, SCHED_CANCEL, SCHED_RETRY or SCHED_LOST (err says why). */
static enum sched_outcome sched_letter_send(struct scheduler *s, const struct store_job *j,
                                            struct sched_letter_job *w, int i, char *err,
                                            size_t errlen)
{
    struct store_delivery *d = &w->d[i];
    const char *channel = sched_letter_channels[i];
    char *msg = NULL, *pdf = NULL, sha[CHANNEL_SHA256_HEX + 1], pdf_sha[CHANNEL_SHA256_HEX + 1];
    size_t msg_len = 0, pdf_len = 0;
    json_t *data = NULL;
    json_error_t je;
    int rc = -1;
    enum sched_outcome o = sched_send_check(s, j, w, i, err, errlen);
    if (o != SCHED_DONE)
        return o;
    o = SCHED_RETRY;
    if (vault_unseal(s->vault, d->payload_box, d->payload_boxlen, &msg, &msg_len) != 0 ||
        (i == 0 && vault_unseal(s->vault, d->pdf_box, d->pdf_boxlen, &pdf, &pdf_len) != 0)) {
        snprintf(err, errlen, "cannot open the sealed letter of %s", channel);
        goto out;
    }
    memcpy(sha, d->sha256, sizeof sha);
    sha[CHANNEL_SHA256_HEX] = 0;
    int64_t placed_at = 0;
    if (i == 0) /* the outbox: the hashes of the files as they lie there */
        rc = channel_outbox_write(s->cfg->outbox_dir, d->message_id, pdf, pdf_len, msg, msg_len,
                                  sha, pdf_sha, &placed_at, err, errlen);
    else
        rc = channel_smtp_send(s->cfg, w->c.email, msg, msg_len, err, errlen);
    /* sent when the channel took it, not when the pass or the job began (a slow mail server
     * can hold a batch for many minutes), nor when a repeat after a crash found the letter
     * placed (up to a lease later) */
    int64_t sent_at = placed_at ? placed_at : clock_now();
    if (rc != 0) {
        w->reason = "channel_refused";
        goto out;
    }
    sched_fault_point(channel);
    data = json_loads(d->data ? d->data : "{}", 0, &je);
    if (!data)
        data = json_object();
    if (i == 0)
        json_object_set_new(data, "pdf_sha256", json_string(pdf_sha));
    json_object_set_new(data, "channel", json_string(channel));
    json_object_set_new(data, "message_id", json_string(d->message_id));
    json_object_set_new(data, "sha256", json_string(sha));
    struct sched_record r = {j, d->message_id, sha, sent_at, sched_journal_kind(j->kind), &w->e,
                             data};
    enum store_status st = store_txn(s->st, sched_record_txn, &r);
    if (st != STORE_OK) {
        o = sched_write_failed(st, "cannot record the delivery",
                               "the claim was lost after sending", err, errlen);
        goto out;
    }
    if (i == 0)
        channel_outbox_done(s->cfg->outbox_dir, d->message_id);
    o = SCHED_DONE;
out:
    if (msg)
        sodium_memzero(msg, msg_len);
    if (pdf)
        sodium_memzero(pdf, pdf_len);
    free(msg);
    free(pdf);
    json_decref(data);
    return o;
}

struct sched_skip {
    const struct store_job *j;
    const char *message_id;
    int64_t at;
};

static enum store_status sched_skip_txn(struct store *st, void *arg)
{
    struct sched_skip *k = arg;
    enum store_status rc = store_job_renew(st, k->j->id, k->j->claim, clock_now());
    if (rc == STORE_OK)
        rc = store_delivery_skipped(st, k->message_id, "link_replaced", k->at);
    return rc;
}

/* Channel i's copy of a letter that another channel has sent carries a link that a newer
 * one has replaced: it is not sent, and that is recorded (the delivery 'skipped', its
 * sealed copy dropped) so that the record says what became of it.  SCHED_DONE, SCHED_LOST
 * or SCHED_RETRY (err says why). */
static enum sched_outcome sched_letter_skip(struct scheduler *s, const struct store_job *j,
                                            struct sched_letter_job *w, int i, char *err,
                                            size_t errlen)
{
    struct sched_skip k = {j, w->d[i].message_id, clock_now()};
    enum store_status rc = store_txn(s->st, sched_skip_txn, &k);
    if (rc == STORE_OK) {
        snprintf(w->d[i].state, sizeof w->d[i].state, "skipped");
        return SCHED_DONE;
    }
    return sched_write_failed(rc, "cannot record the delivery as skipped", "the claim was lost",
                              err, errlen);
}

static enum sched_outcome sched_letter(struct scheduler *s, const struct store_job *j,
                                       int64_t now, struct sched_letter_job *w, char *err,
                                       size_t errlen)
{
    int missing = 0;
    enum sched_outcome o = sched_letter_due(s, j, w, NULL, err, errlen);
    if (o != SCHED_DONE)
        return o;
    enum store_status rc = store_citizen_by_uuid(s->st, w->e.citizen_uuid, &w->c);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot read the citizen");
        return SCHED_RETRY;
    }
    channel_letter_ways(s->cfg->channels, w->c.email, &w->want[0], &w->want[1]);
    int wanted = 0, sent = 0;
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++) {
        rc = store_delivery_get(s->st, j->id, sched_letter_channels[i], &w->d[i]);
        if (rc != STORE_OK && rc != STORE_NOT_FOUND) {
            snprintf(err, errlen, "cannot read the deliveries");
            return SCHED_RETRY;
        }
        /* a copy recorded as skipped is settled: it is never sent */
        if (rc == STORE_OK && strcmp(w->d[i].state, "skipped") == 0)
            w->want[i] = 0;
        /* sent, or an intent with its bytes; an intent without them (recorded before
         * letters were stored) gets them now, under its message id */
        w->have[i] = rc == STORE_OK && (strcmp(w->d[i].state, "sent") == 0 ||
                                        w->d[i].payload_box);
        missing |= w->want[i] && !w->have[i];
        wanted |= w->want[i];
        sent |= rc == STORE_OK && strcmp(w->d[i].state, "sent") == 0;
    }
    /* no channel carries the letter (only smtp or webhook configured, and no e-mail
     * address): nothing was sent, and trying again changes nothing until a caseworker or
     * the configuration does */
    if (!wanted && !sent) {
        snprintf(err, errlen,
                 JOBS_ERR_NO_CHANNEL " (channels = %.40s; smtp needs an e-mail address)",
                 s->cfg->channels);
        return SCHED_FAIL;
    }
    /* a letter recorded before a new link was issued carries a link that no longer works.
     * Not sent anywhere yet: it is written anew with the current link (and dated now).
     * Already sent through one channel: the other channels do not send the dead link, and
     * their copies are recorded skipped; the letter that comes with every new link
     * (send_new_link) reaches the citizen there. */
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++) {
        if (!w->have[i] || strcmp(w->d[i].state, "sent") == 0 ||
            !sched_letter_link_replaced(s, &w->d[i], &w->e))
            continue;
        if (sent) {
            /* only a copy this channel would have sent is skipped; one it no longer
             * carries (the configuration or the address changed) stays as it was */
            if (w->want[i] && (o = sched_letter_skip(s, j, w, i, err, errlen)) != SCHED_DONE)
                return o;
            w->want[i] = 0;
        } else {
            w->have[i] = 0;
            w->fresh = 1;
            missing |= w->want[i];
        }
    }
    if (missing)
        o = sched_letter_prepare(s, j, now, w, err, errlen);
    for (int i = 0; o == SCHED_DONE && i < SCHED_LETTER_CHANNELS; i++) {
        if (!w->want[i] || !w->have[i] || strcmp(w->d[i].state, "sent") == 0)
            continue;
        /* judged again right before the send, with the lease's renewal (a batch's job
         * waits for the ones before it): what was sent before stays recorded, nothing more
         * is sent */
        o = sched_letter_send(s, j, w, i, err, errlen);
    }
    return o;
}

/* *reason gets the category of a failure (letter_failed's reason), or NULL (internal). */
static enum sched_outcome sched_run_letter(struct scheduler *s, const struct store_job *j,
                                           int64_t now, const char **reason, char *err,
                                           size_t errlen)
{
    struct sched_letter_job w;
    memset(&w, 0, sizeof w);
    enum sched_outcome o = sched_letter(s, j, now, &w, err, errlen);
    *reason = w.reason ? w.reason : jobs_failure_cause(err);
    sodium_memzero(w.cpr, sizeof w.cpr);
    if (w.pdf.data)
        sodium_memzero(w.pdf.data, w.pdf.len);
    buf_free(&w.pdf);
    for (int i = 0; i < SCHED_LETTER_CHANNELS; i++)
        store_delivery_clear(&w.d[i]);
    model_citizen_clear(&w.c);
    model_group_clear(&w.g);
    return o;
}

/* ------------------------------------------------------------------ webhook */

/* The webhook's body is the journal entry, which the database never changes: built again
 * on a retry it is the same bytes, so only its hash is kept with the intent.  webhook-id is
 * the delivery's message id (the same on every attempt), webhook-timestamp this attempt's. */
static enum sched_outcome sched_run_webhook(struct scheduler *s, const struct store_job *j,
                                            int64_t now, char *err, size_t errlen)
{
    struct store_journal_row r;
    struct store_delivery d;
    char *data = NULL, *body = NULL, sha[CHANNEL_SHA256_HEX + 1];
    enum sched_outcome o = SCHED_RETRY;
    memset(&d, 0, sizeof d);
    if (!channel_enabled(s->cfg->channels, "webhook")) {
        snprintf(err, errlen, "the webhook channel is not configured");
        return SCHED_CANCEL;
    }
    enum store_status rc = store_journal_get(s->st, j->ref, &r, &data);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot read journal entry %lld", (long long)j->ref);
        return rc == STORE_NOT_FOUND ? SCHED_CANCEL : SCHED_RETRY;
    }
    json_error_t je;
    json_t *jd = json_loads(data, 0, &je);
    /* the entry exactly as GET /api/v1/citizens/{id}/journal gives it, with its citizen */
    json_t *entry = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:o, s:s, s:s}", "seq",
                              (json_int_t)r.seq, "at", r.at, "kind", r.kind, "actor", r.actor,
                              "citizen_id", r.citizen_uuid[0] ? r.citizen_uuid : NULL,
                              "enrolment_id", r.enrolment_uuid[0] ? r.enrolment_uuid : NULL,
                              "data", jd ? jd : json_object(), "prev_hash", r.prev_hash, "hash",
                              r.hash);
    body = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
    json_decref(entry);
    free(data);
    if (!body) {
        snprintf(err, errlen, "cannot build journal entry %lld", (long long)j->ref);
        goto out;
    }
    rc = store_delivery_get(s->st, j->id, "webhook", &d);
    if (rc == STORE_OK && strcmp(d.state, "sent") == 0) {
        o = SCHED_DONE;
        goto out;
    }
    if (rc == STORE_NOT_FOUND) { /* recording the intent renews the lease too */
        enrol_new_uuid(d.message_id);
        channel_sha256(body, strlen(body), d.sha256);
        struct sched_intents t = {j, {"webhook"}, {&d}, 1, now};
        rc = store_txn(s->st, sched_intents_txn, &t);
    } else if (rc == STORE_OK) { /* a repeat: renew the lease before the post */
        rc = store_txn(s->st, sched_renew_txn, (void *)j);
    }
    if (rc != STORE_OK) {
        o = sched_write_failed(rc, "cannot record the delivery", "the claim was lost", err,
                               errlen);
        goto out;
    }
    if (channel_webhook_post(s->cfg, d.message_id, clock_system(), body, sha, err, errlen) != 0)
        goto out;
    int64_t sent_at = clock_now(); /* when the case system took it */
    sched_fault_point("webhook");
    struct sched_record rec = {j, d.message_id, sha, sent_at, NULL, NULL, NULL};
    rc = store_txn(s->st, sched_record_txn, &rec);
    o = rc == STORE_OK ? SCHED_DONE
                       : sched_write_failed(rc, "cannot record the delivery",
                                            "the claim was lost after sending", err, errlen);
out:
    store_delivery_clear(&d);
    free(body);
    return o;
}

/* ------------------------------------------------------------------ a pass */

struct sched_finish {
    const struct store_job *j;
    const char *state;
    const char *error;
    const char *reason; /* a letter's failure: letter_failed's reason */
    int64_t next;
    int64_t now;
    const char *final; /* the state the job was given (cancelled when it was meanwhile) */
};

/* A letter that failed for good is journalled (letter_failed) in the transaction that ends
 * its job, so the case system learns of it like of a letter sent.  Only fixed words: the
 * job kind, the attempts and the reason's category, never a remote server's text. */
static enum store_status sched_finish_txn(struct store *st, void *arg)
{
    struct sched_finish *f = arg;
    struct model_enrolment e;
    enum store_status rc = store_job_finish(st, f->j->id, f->j->claim, f->state, f->error,
                                            f->next, f->now, &f->final);
    if (rc != STORE_OK || strcmp(f->final, "failed") != 0 ||
        strcmp(f->j->kind, "deliver_journal") == 0)
        return rc;
    rc = store_enrolment_by_id(st, f->j->enrolment_id, &e);
    if (rc != STORE_OK)
        return rc;
    json_t *data = json_pack("{s:s, s:i, s:s}", "letter", f->j->kind, "attempts", f->j->attempts,
                             "reason", f->reason ? f->reason : "internal");
    /* a channel that did send it before the others failed (its own …_sent entry came
     * first): the entry names which copy is missing, so that it never reads as "nothing
     * was sent" when the letter reached Digital Post */
    json_t *sent_by = json_array(), *not_sent = json_array();
    for (int i = 0; i < SCHED_LETTER_CHANNELS && rc == STORE_OK; i++) {
        struct store_delivery d;
        memset(&d, 0, sizeof d);
        rc = store_delivery_get(st, f->j->id, sched_letter_channels[i], &d);
        if (rc == STORE_OK && strcmp(d.state, "sent") == 0)
            json_array_append_new(sent_by, json_string(sched_letter_channels[i]));
        else if (rc == STORE_OK && strcmp(d.state, "intent") == 0)
            json_array_append_new(not_sent, json_string(sched_letter_channels[i]));
        store_delivery_clear(&d);
        if (rc == STORE_NOT_FOUND)
            rc = STORE_OK;
    }
    if (rc == STORE_OK && data && json_array_size(sent_by) > 0) {
        json_object_set(data, "sent_by", sent_by);
        json_object_set(data, "not_sent", not_sent);
    }
    json_decref(sent_by);
    json_decref(not_sent);
    if (rc != STORE_OK) {
        json_decref(data);
        return rc;
    }
    rc = data ? journal_append(st, f->now, "letter_failed", "scheduler", e.citizen_uuid, e.uuid,
                               data, NULL)
              : STORE_ERROR;
    json_decref(data);
    return rc;
}

/* Runs one claimed job and ends it.  0 when it succeeded, 1 when it will be retried or
 * failed, -1 when its end could not be recorded.  Every time it records is read when the
 * thing happens (the pass may have begun long before: a batch of slow sends). */
static int sched_run(struct scheduler *s, const struct store_job *j,
                     struct scheduler_stats *stats)
{
    char err[200] = "";
    const char *reason = NULL;
    int64_t now = clock_now();
    /* every write for the job (intent, sending, record, end) renews or checks its claim */
    /* the journal's delivery is never given up by itself: the entries after it wait for it,
     * and the case system must get every entry (an operator sees the queue on /metrics and
     * /admin, and only an operator gives one up: vejled jobs skip) */
    const bool journal = strcmp(j->kind, "deliver_journal") == 0;
    enum sched_outcome o = journal ? sched_run_webhook(s, j, now, err, sizeof err)
                                   : sched_run_letter(s, j, now, &reason, err, sizeof err);
    now = clock_now();
    struct sched_finish f = {j, "done", "", reason, 0, now, NULL};
    int *count = &stats->done; /* counted once the end is recorded */
    if (o == SCHED_LOST) {
        stats->lost++;
        fprintf(stderr, "vejled: job %lld (%s): %s: its lease ran out and another scheduler "
                        "claimed it; this run's result is refused\n",
                (long long)j->id, j->kind, err);
        return 1;
    }
    if (o == SCHED_CANCEL) {
        f.state = "cancelled";
        f.error = err;
        count = &stats->cancelled;
    } else if (o == SCHED_FAIL ||
               (o == SCHED_RETRY && (unsigned)j->attempts >= s->policy.max_attempts &&
                !journal)) {
        f.state = "failed";
        f.error = err;
        count = &stats->failed;
        fprintf(stderr, "vejled: job %lld (%s) failed after %d attempt(s): %s\n",
                (long long)j->id, j->kind, j->attempts, err);
    } else if (o == SCHED_RETRY) {
        f.state = "pending";
        f.error = err;
        f.next = now + jobs_backoff((unsigned)j->attempts, s->policy.backoff_base_s,
                                    s->policy.backoff_max_s);
        count = &stats->retried;
        fprintf(stderr, "vejled: job %lld (%s) attempt %d: %s; retry in %llds\n",
                (long long)j->id, j->kind, j->attempts, err, (long long)(f.next - now));
    }
    enum store_status rc = store_txn(s->st, sched_finish_txn, &f);
    if (rc == STORE_OK && f.final && strcmp(f.final, f.state) != 0 &&
        strcmp(f.final, "cancelled") == 0) { /* cancelled while it ran */
        count = &stats->cancelled;
        o = SCHED_CANCEL;
        fprintf(stderr, "vejled: job %lld (%s) was cancelled while this attempt ran: it ends "
                        "cancelled, not %s\n",
                (long long)j->id, j->kind, f.state);
    }
    if (rc == STORE_CONFLICT) {
        stats->lost++;
        fprintf(stderr, "vejled: job %lld (%s): the claim was lost before the job ended: its "
                        "lease ran out and another scheduler claimed it; this run's result (%s) "
                        "is refused\n",
                (long long)j->id, j->kind, f.state);
        return 1;
    }
    if (rc != STORE_OK)
        return -1;
    (*count)++;
    return o == SCHED_DONE || o == SCHED_CANCEL ? 0 : 1;
}

struct sched_claim {
    int64_t now;
    int64_t lease;
    const char *kind;
    char claim[TOKEN_LEN + 1]; /* fresh per claim: fences out a holder whose lease ran out */
    struct store_job *out;
    size_t max;
    size_t n;
};

static enum store_status sched_claim_txn(struct store *st, void *arg)
{
    struct sched_claim *c = arg;
    token_new(c->claim);
    return store_jobs_claim(st, c->now, c->lease, c->kind, c->claim, c->out, c->max, &c->n);
}

static enum store_status sched_queue_txn(struct store *st, void *arg)
{
    return store_jobs_queue_journal(st, *(int64_t *)arg, NULL);
}

int scheduler_pass(struct scheduler *s, int64_t now, struct scheduler_stats *stats)
{
    size_t max = s->cfg->claim_batch < SCHEDULER_BATCH_MAX ? s->cfg->claim_batch
                                                            : SCHEDULER_BATCH_MAX;
    struct store_job *jobs = xcalloc(max, sizeof *jobs);
    int rc = -1;
    int64_t started = clock_now();
    memset(stats, 0, sizeof *stats);
    /* content versions planned for today: published first thing on the day */
    int planned = 0;
    if (packedit_publish_due(s->st, now, &planned) != 0)
        goto out;
    if (planned)
        fprintf(stderr, "vejled: published %d planned content version(s)\n", planned);
    /* letters: every due job once, a batch at a time; each batch's lease starts when it is
     * claimed, not when the pass began */
    for (;;) {
        struct sched_claim c = {jobs_claim_time(now, started, clock_now()), s->policy.lease_s,
                                NULL, "", jobs, max, 0};
        if (store_txn(s->st, sched_claim_txn, &c) != STORE_OK)
            goto out;
        stats->claimed += (int)c.n;
        for (size_t i = 0; i < c.n; i++) /* a claimed job runs even when stopping */
            if (sched_run(s, &jobs[i], stats) < 0)
                goto out;
        if (c.n < max || jobs_stopping())
            break;
    }
    /* a signed checkpoint when the head moved and the last one is old enough; journalled
     * before the webhook queue below, so the case system receives its copy in this pass */
    if (checkpoint_take(s->st, s->key, clock_now(), (int64_t)s->cfg->checkpoint_minutes * 60,
                        NULL, NULL) < 0)
        fprintf(stderr, "vejled: checkpoint failed; trying again on the next pass\n");
    /* the journal to the case system, in order: stop at the first that fails */
    if (channel_enabled(s->cfg->channels, "webhook")) {
        int64_t queued = clock_now();
        if (store_txn(s->st, sched_queue_txn, &queued) != STORE_OK)
            goto out;
        while (!jobs_stopping()) {
            struct sched_claim c = {jobs_claim_time(now, started, clock_now()),
                                    s->policy.lease_s, "deliver_journal", "", jobs, 1, 0};
            if (store_txn(s->st, sched_claim_txn, &c) != STORE_OK)
                goto out;
            if (c.n == 0)
                break;
            stats->claimed++;
            int r = sched_run(s, &jobs[0], stats);
            if (r < 0)
                goto out;
            if (r > 0)
                break;
        }
    }
    /* the Idempotency-Key answers nobody can replay any more: their keyed request hashes
     * and sealed answers go (every pass, so `vejled jobs run` from cron does it too) */
    if (store_idem_expire(s->st, clock_now() - (int64_t)s->cfg->idempotency_hours * 3600,
                          NULL) != STORE_OK)
        goto out;
    rc = 0;
out:
    free(jobs);
    return rc;
}

/* ------------------------------------------------------------------ the thread */

int scheduler_purge(struct scheduler *s, int64_t now, size_t *purged)
{
    int64_t days = 0;
    size_t n = 0;
    if (purged)
        *purged = 0;
    if (!s->cfg->purge_after[0] || (s->purged_at && now - s->purged_at < 86400) ||
        purge_parse_period(s->cfg->purge_after, &days) != 0)
        return 0;
    s->purged_at = now;
    int rc = purge_run(s->st, days, now, s->cfg->outbox_dir, &n);
    if (purged)
        *purged = n;
    return rc;
}

/* The thread's purge, once a day when [retention] purge_after is set. */
static void sched_purge(struct scheduler *s, int64_t now)
{
    size_t n = 0;
    if (scheduler_purge(s, now, &n) != 0)
        fprintf(stderr, "vejled: retention purge failed; trying again tomorrow\n");
    else if (n)
        fprintf(stderr, "vejled: retention purge: %zu citizen(s)\n", n);
}

static void *scheduler_main(void *arg)
{
    struct scheduler *s = arg;
    struct scheduler_stats stats;
    while (!jobs_stopping()) {
        int64_t now = clock_now();
        if (scheduler_pass(s, now, &stats) != 0)
            fprintf(stderr, "vejled: scheduler pass failed; trying again shortly\n");
        else if (stats.claimed)
            fprintf(stderr, "vejled: scheduler: %d job(s): %d done, %d retried, %d failed, "
                            "%d cancelled, %d lost to another scheduler\n",
                    stats.claimed, stats.done, stats.retried, stats.failed, stats.cancelled,
                    stats.lost);
        now = clock_now(); /* the pass may have taken long */
        sched_purge(s, now);
        int64_t next = 0, until = now + SCHEDULER_POLL_S;
        if (store_jobs_next(s->st, s->policy.lease_s, &next) == STORE_OK && next < until)
            until = next > now ? next : now + 1;
        jobs_wait(until);
    }
    return NULL;
}

int scheduler_start(struct scheduler *s)
{
    if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0)
        return -1;
    s->started = 1;
    return 0;
}

void scheduler_stop(struct scheduler *s)
{
    jobs_stop();
    if (s && s->started) {
        pthread_join(s->thread, NULL);
        s->started = 0;
    }
}
