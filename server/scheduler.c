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
#include "journal.h"
#include "letter.h"
#include "mem.h"
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
    struct content_cache *cache;
    json_t *strings[LANG_COUNT];
    struct jobs_policy policy;
    pthread_t thread;
    int started;
    int64_t purged_at;     /* the last retention purge by this thread */
};

int scheduler_open(const struct config *cfg, const struct vault *vault, const char *public_url,
                   struct scheduler **out, char *err, size_t errlen)
{
    struct scheduler *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->vault = vault;
    s->public_url = public_url;
    jobs_policy_from_config(cfg, &s->policy);
    if (store_open(cfg->db_path, cfg->busy_timeout_ms, &s->st, err, errlen))
        goto fail;
    for (int l = 0; l < LANG_COUNT; l++) {
        char path[CONFIG_PATH_MAX + 32];
        json_error_t je;
        snprintf(path, sizeof path, "%s/lang/%s.json", cfg->template_dir,
                 model_lang_code((enum lang)l));
        s->strings[l] = json_load_file(path, 0, &je);
        if (!json_is_object(s->strings[l])) {
            snprintf(err, errlen, "%s:%d: cannot read the strings", path, je.line);
            goto fail;
        }
    }
    s->cache = content_cache_new();
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
    content_cache_free(s->cache);
    for (int l = 0; l < LANG_COUNT; l++)
        json_decref(s->strings[l]);
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
    rc = store_enrolment_set_token(st, l->e->id, digest, l->expires);
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

struct sched_record {
    int64_t job_id;
    const char *channel;
    const char *message_id;
    const char *sha256;
    int64_t now;
    const char *kind; /* journal kind, NULL: none */
    const struct model_enrolment *e;
    json_t *data;
    int intent; /* 1: record the intent, 0: record it sent */
};

static enum store_status sched_record_txn(struct store *st, void *arg)
{
    struct sched_record *r = arg;
    if (r->intent)
        return store_delivery_intent(st, r->job_id, r->channel, r->message_id, r->now);
    enum store_status rc = store_delivery_sent(st, r->message_id, r->sha256, r->now);
    if (rc == STORE_OK && r->kind)
        rc = journal_append(st, r->now, r->kind, "scheduler", r->e->citizen_uuid, r->e->uuid,
                            r->data, NULL);
    return rc;
}

/* The message id for the job's delivery through channel: the recorded one, or a new one
 * recorded now.  1 when it was sent already, 0 to send, -1 on error. */
static int sched_intent(struct scheduler *s, int64_t job_id, const char *channel, int64_t now,
                        char id[MODEL_UUID_LEN + 1])
{
    struct store_delivery d;
    enum store_status rc = store_delivery_get(s->st, job_id, channel, &d);
    if (rc == STORE_OK) {
        memcpy(id, d.message_id, MODEL_UUID_LEN + 1);
        return strcmp(d.state, "sent") == 0;
    }
    if (rc != STORE_NOT_FOUND)
        return -1;
    enrol_new_uuid(id);
    struct sched_record r = {job_id, channel, id, "", now, NULL, NULL, NULL, 1};
    return store_txn(s->st, sched_record_txn, &r) == STORE_OK ? 0 : -1;
}

static int sched_sent(struct scheduler *s, const struct store_job *j, const char *channel,
                      const char *message_id, const char *sha, int64_t now, const char *kind,
                      const struct model_enrolment *e, json_t *data)
{
    fault_point("after_channel_write");
    json_object_set_new(data, "channel", json_string(channel));
    json_object_set_new(data, "message_id", json_string(message_id));
    json_object_set_new(data, "sha256", json_string(sha));
    struct sched_record r = {j->id, channel, message_id, sha, now, kind, e, data, 0};
    return store_txn(s->st, sched_record_txn, &r) == STORE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ letters */

enum sched_outcome { SCHED_DONE, SCHED_CANCEL, SCHED_RETRY };

struct sched_letter_job {
    struct model_enrolment e;
    struct model_citizen c;
    struct model_group g;
    char cpr[16];
    struct buf pdf;
    struct letter letter;
};

static const char *sched_journal_kind(const char *job_kind)
{
    if (strcmp(job_kind, "send_written_guidance") == 0)
        return "written_guidance_sent";
    if (strcmp(job_kind, "resend_written_guidance") == 0)
        return "written_guidance_resent";
    return "reminder_sent";
}

static enum sched_outcome sched_letter(struct scheduler *s, const struct store_job *j,
                                       int64_t now, struct sched_letter_job *w, char *err,
                                       size_t errlen)
{
    int reminder = strcmp(j->kind, "remind_before_meeting") == 0;
    enum store_status rc = store_enrolment_by_id(s->st, j->enrolment_id, &w->e);
    if (rc == STORE_NOT_FOUND || (rc == STORE_OK && w->e.closed_at)) {
        snprintf(err, errlen, "the enrolment is closed");
        return SCHED_CANCEL;
    }
    if (rc == STORE_OK && reminder && (w->e.completed_at || w->e.declined_at)) {
        snprintf(err, errlen, "the citizen has completed or declined");
        return SCHED_CANCEL;
    }
    int64_t pack_id = 0;
    if (rc == STORE_OK)
        rc = store_citizen_by_uuid(s->st, w->e.citizen_uuid, &w->c);
    if (rc == STORE_OK)
        rc = store_group_by_id(s->st, w->e.group_id, &w->g);
    if (rc == STORE_OK) /* the current published version of the group's guidance */
        rc = store_pack_published_id(s->st, w->e.group_id, &pack_id);
    const struct model_pack *pack = rc == STORE_OK ? content_cache_get(s->cache, s->st, pack_id)
                                                   : NULL;
    if (!pack) {
        snprintf(err, errlen, "cannot read the enrolment or its published guidance");
        return SCHED_RETRY;
    }
    unsigned char *box = NULL;
    size_t boxlen = 0, n = 0;
    char *plain = NULL;
    if (store_citizen_cpr_box(s->st, w->c.id, &box, &boxlen) != STORE_OK ||
        vault_unseal(s->vault, box, boxlen, &plain, &n) != 0 || n >= sizeof w->cpr) {
        free(box);
        free(plain);
        snprintf(err, errlen, "cannot open the citizen's sealed identity");
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
        snprintf(err, errlen, "cannot prepare the personal link");
        return SCHED_RETRY;
    }
    char url[512];
    snprintf(url, sizeof url, "%s/v/%s", s->public_url, link.token);
    enum lang lang = model_lang_from_code(w->e.language);
    const char *guidance = pack->guidance[lang] && *pack->guidance[lang] ? pack->guidance[lang]
                                                                         : pack->guidance[LANG_DA];
    w->letter = (struct letter){s->cfg, s->strings[lang], model_lang_code(lang),
                                reminder ? LETTER_REMINDER : LETTER_GUIDANCE, w->c.name,
                                w->g.name[lang] && *w->g.name[lang] ? w->g.name[lang]
                                                                   : w->g.name[LANG_DA],
                                guidance, url, link.expires, w->e.first_meeting_at, now};
    if (letter_pdf(&w->letter, &w->pdf) != 0) {
        snprintf(err, errlen, "cannot render the letter");
        return SCHED_RETRY;
    }
    char pdf_sha[CHANNEL_SHA256_HEX + 1];
    channel_sha256(w->pdf.data, w->pdf.len, pdf_sha);
    const char *kind = sched_journal_kind(j->kind);
    static const char *const channels[] = {"outbox", "smtp"};
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        const char *ch = channels[i];
        char id[MODEL_UUID_LEN + 1], sha[CHANNEL_SHA256_HEX + 1];
        if (!channel_enabled(s->cfg->channels, ch) || (i == 1 && !w->c.email))
            continue;
        int state = sched_intent(s, j->id, ch, now, id);
        if (state < 0) {
            snprintf(err, errlen, "cannot record the delivery");
            return SCHED_RETRY;
        }
        if (state == 1)
            continue;
        int wrote;
        if (i == 0) {
            struct channel_memo m = {id, letter_string(w->letter.strings,
                                                       reminder ? "letter_title_reminder"
                                                                : "letter_title_guidance"),
                                     s->cfg->sender_cvr, s->cfg->municipality_name, w->cpr,
                                     w->c.name, w->letter.lang, url,
                                     letter_string(w->letter.strings, "letter_link_intro"), now,
                                     w->pdf.data, w->pdf.len};
            wrote = channel_outbox_write(s->cfg->outbox_dir, &m, sha, err, errlen);
        } else {
            struct buf text = {0};
            letter_text(&w->letter, &text);
            struct channel_mail m = {id, w->c.email, letter_subject(&w->letter), text.data,
                                     w->pdf.data, w->pdf.len, "brev.pdf", now};
            wrote = channel_smtp_send(s->cfg, &m, sha, err, errlen);
            buf_free(&text);
        }
        if (wrote != 0)
            return SCHED_RETRY;
        json_t *data = json_pack("{s:s, s:s, s:i, s:s, s:s}", "job", j->kind, "pdf_sha256",
                                 pdf_sha, "pack_version", pack->version, "content_hash",
                                 pack->content_hash, "target_group", w->g.slug);
        int r = sched_sent(s, j, ch, id, sha, now, kind, &w->e, data);
        json_decref(data);
        if (r != 0) {
            snprintf(err, errlen, "cannot record the delivery");
            return SCHED_RETRY;
        }
    }
    return SCHED_DONE;
}

static enum sched_outcome sched_run_letter(struct scheduler *s, const struct store_job *j,
                                           int64_t now, char *err, size_t errlen)
{
    struct sched_letter_job w;
    memset(&w, 0, sizeof w);
    enum sched_outcome o = sched_letter(s, j, now, &w, err, errlen);
    sodium_memzero(w.cpr, sizeof w.cpr);
    buf_free(&w.pdf);
    model_citizen_clear(&w.c);
    model_group_clear(&w.g);
    return o;
}

/* ------------------------------------------------------------------ webhook */

static enum sched_outcome sched_run_webhook(struct scheduler *s, const struct store_job *j,
                                            int64_t now, char *err, size_t errlen)
{
    struct store_journal_row r;
    char *data = NULL, id[MODEL_UUID_LEN + 1], sha[CHANNEL_SHA256_HEX + 1];
    enum sched_outcome o = SCHED_RETRY;
    if (!channel_enabled(s->cfg->channels, "webhook")) {
        snprintf(err, errlen, "the webhook channel is not configured");
        return SCHED_CANCEL;
    }
    enum store_status rc = store_journal_get(s->st, j->ref, &r, &data);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot read journal entry %lld", (long long)j->ref);
        return rc == STORE_NOT_FOUND ? SCHED_CANCEL : SCHED_RETRY;
    }
    int state = sched_intent(s, j->id, "webhook", now, id);
    if (state != 0) {
        free(data);
        if (state < 0)
            snprintf(err, errlen, "cannot record the delivery");
        return state > 0 ? SCHED_DONE : SCHED_RETRY;
    }
    json_error_t je;
    json_t *d = json_loads(data, 0, &je);
    /* the entry exactly as GET /api/v1/citizens/{id}/journal gives it, with its citizen */
    json_t *entry = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:o, s:s, s:s}", "seq",
                              (json_int_t)r.seq, "at", r.at, "kind", r.kind, "actor", r.actor,
                              "citizen_id", r.citizen_uuid[0] ? r.citizen_uuid : NULL,
                              "enrolment_id", r.enrolment_uuid[0] ? r.enrolment_uuid : NULL,
                              "data", d ? d : json_object(), "prev_hash", r.prev_hash, "hash",
                              r.hash);
    char *body = json_dumps(entry, JSON_COMPACT);
    json_decref(entry);
    free(data);
    if (body && channel_webhook_post(s->cfg, id, body, sha, err, errlen) == 0) {
        fault_point("after_channel_write");
        struct sched_record rec = {j->id, "webhook", id, sha, now, NULL, NULL, NULL, 0};
        if (store_txn(s->st, sched_record_txn, &rec) == STORE_OK)
            o = SCHED_DONE;
        else
            snprintf(err, errlen, "cannot record the delivery");
    }
    free(body);
    return o;
}

/* ------------------------------------------------------------------ a pass */

struct sched_finish {
    const struct store_job *j;
    const char *state;
    const char *error;
    int64_t next;
    int64_t now;
};

static enum store_status sched_finish_txn(struct store *st, void *arg)
{
    struct sched_finish *f = arg;
    return store_job_finish(st, f->j->id, f->state, f->error, f->next, f->now);
}

/* Runs one claimed job and ends it.  0 when it succeeded, 1 when it will be retried or
 * failed, -1 when its end could not be recorded. */
static int sched_run(struct scheduler *s, const struct store_job *j, int64_t now,
                     struct scheduler_stats *stats)
{
    char err[200] = "";
    enum sched_outcome o = strcmp(j->kind, "deliver_journal") == 0
                               ? sched_run_webhook(s, j, now, err, sizeof err)
                               : sched_run_letter(s, j, now, err, sizeof err);
    struct sched_finish f = {j, "done", "", 0, now};
    if (o == SCHED_CANCEL) {
        f.state = "cancelled";
        f.error = err;
        stats->cancelled++;
    } else if (o == SCHED_RETRY && (unsigned)j->attempts >= s->policy.max_attempts) {
        f.state = "failed";
        f.error = err;
        stats->failed++;
        fprintf(stderr, "vejled: job %lld (%s) failed after %d attempts: %s\n", (long long)j->id,
                j->kind, j->attempts, err);
    } else if (o == SCHED_RETRY) {
        f.state = "pending";
        f.error = err;
        f.next = now + jobs_backoff((unsigned)j->attempts, s->policy.backoff_base_s,
                                    s->policy.backoff_max_s);
        stats->retried++;
        fprintf(stderr, "vejled: job %lld (%s) attempt %d: %s; retry in %llds\n",
                (long long)j->id, j->kind, j->attempts, err, (long long)(f.next - now));
    } else {
        stats->done++;
    }
    if (store_txn(s->st, sched_finish_txn, &f) != STORE_OK)
        return -1;
    return o == SCHED_DONE || o == SCHED_CANCEL ? 0 : 1;
}

struct sched_claim {
    int64_t now;
    int64_t lease;
    const char *kind;
    struct store_job *out;
    size_t max;
    size_t n;
};

static enum store_status sched_claim_txn(struct store *st, void *arg)
{
    struct sched_claim *c = arg;
    return store_jobs_claim(st, c->now, c->lease, c->kind, c->out, c->max, &c->n);
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
    memset(stats, 0, sizeof *stats);
    /* letters: every due job once, a batch at a time */
    for (;;) {
        struct sched_claim c = {now, s->policy.lease_s, NULL, jobs, max, 0};
        if (store_txn(s->st, sched_claim_txn, &c) != STORE_OK)
            goto out;
        stats->claimed += (int)c.n;
        for (size_t i = 0; i < c.n; i++) /* a claimed job runs even when stopping */
            if (sched_run(s, &jobs[i], now, stats) < 0)
                goto out;
        if (c.n < max || jobs_stopping())
            break;
    }
    /* the journal to the case system, in order: stop at the first that fails */
    if (channel_enabled(s->cfg->channels, "webhook")) {
        if (store_txn(s->st, sched_queue_txn, &now) != STORE_OK)
            goto out;
        while (!jobs_stopping()) {
            struct sched_claim c = {now, s->policy.lease_s, "deliver_journal", jobs, 1, 0};
            if (store_txn(s->st, sched_claim_txn, &c) != STORE_OK)
                goto out;
            if (c.n == 0)
                break;
            stats->claimed++;
            int r = sched_run(s, &jobs[0], now, stats);
            if (r < 0)
                goto out;
            if (r > 0)
                break;
        }
    }
    rc = 0;
out:
    free(jobs);
    return rc;
}

/* ------------------------------------------------------------------ the thread */

/* The retention purge, once a day when [retention] purge_after is set. */
static void sched_purge(struct scheduler *s, int64_t now)
{
    int64_t days = 0;
    size_t n = 0;
    if (!s->cfg->purge_after[0] || now - s->purged_at < 86400 ||
        purge_parse_period(s->cfg->purge_after, &days) != 0)
        return;
    s->purged_at = now;
    if (purge_run(s->st, days, now, s->cfg->outbox_dir, &n) != 0)
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
            fprintf(stderr, "vejled: scheduler: %d job(s): %d done, %d retried, %d failed, %d cancelled\n",
                    stats.claimed, stats.done, stats.retried, stats.failed, stats.cancelled);
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
