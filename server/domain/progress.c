#include "progress.h"
#include "lang.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "journal.h"
#include "meeting.h"
#include "mem.h"

/* ------------------------------------------------------------------ link and session */

struct progress_open {
    const char *token_hash;
    int64_t now;
    unsigned session_hours;
    char *session;
    struct model_enrolment *e;
    enum progress_link result;
};

static enum store_status progress_open_txn(struct store *st, void *arg)
{
    struct progress_open *o = arg;
    enum store_status rc = store_enrolment_by_token(st, o->token_hash, o->e);
    if (rc == STORE_NOT_FOUND) {
        /* a link that a newer one replaced is no longer in use, not unknown */
        rc = store_link_replaced(st, o->token_hash);
        if (rc != STORE_OK && rc != STORE_NOT_FOUND)
            return rc;
        o->result = rc == STORE_OK ? LINK_EXPIRED : LINK_UNKNOWN;
        return STORE_NOT_FOUND;
    }
    if (rc != STORE_OK)
        return rc;
    if (o->e->closed_at) {
        /* closed by a group change, the citizen has a newer link; else the guidance ended */
        int64_t open_id;
        size_t open = 0;
        rc = store_enrolment_open_ids(st, o->e->citizen_id, &open_id, 1, &open);
        if (rc != STORE_OK)
            return rc;
        o->result = open ? LINK_EXPIRED : LINK_CLOSED;
        return STORE_NOT_FOUND;
    }
    if (o->e->token_expires_at <= o->now) {
        o->result = LINK_EXPIRED;
        return STORE_NOT_FOUND;
    }
    if (o->session) {
        char hash[TOKEN_HASH_HEX_LEN + 1];
        token_new(o->session);
        token_hash(o->session, TOKEN_LEN, hash);
        rc = store_session_insert(st, hash, o->e->id, o->now,
                                  o->now + (int64_t)o->session_hours * 3600);
    }
    if (rc == STORE_OK)
        o->result = LINK_OK;
    return rc;
}

enum progress_link progress_open_link(struct store *st, const char *token, int64_t now,
                                      unsigned session_hours, char session[TOKEN_LEN + 1],
                                      struct model_enrolment *e)
{
    if (!token_is_well_formed(token))
        return LINK_UNKNOWN;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(token, TOKEN_LEN, hash);
    struct progress_open o = {hash, now, session_hours, session, e, LINK_ERROR};
    enum store_status rc = session ? store_txn(st, progress_open_txn, &o)
                                   : progress_open_txn(st, &o);
    if (rc == STORE_FULL)
        return LINK_FULL;
    if (rc != STORE_OK && o.result == LINK_OK)
        return LINK_ERROR;
    return o.result;
}

int progress_session(struct store *st, const char *cookie, int64_t now,
                     struct model_enrolment *e, bool *first)
{
    bool used = true;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!cookie || !token_is_well_formed(cookie))
        return -1;
    token_hash_recent(cookie, TOKEN_LEN, hash); /* the same cookie on every page */
    if (store_session_enrolment(st, hash, now, e, &used) != STORE_OK || e->closed_at)
        return -1;
    *first = !used;
    return 0;
}

struct progress_used {
    const char *session_hash;
    const struct model_enrolment *e;
    int64_t now;
    bool closed; /* the enrolment was closed since the session was checked */
};

static enum store_status progress_used_txn(struct store *st, void *arg)
{
    struct progress_used *u = arg;
    /* closed since the session was checked: not opened after the close (as for answers) */
    enum store_status rc = store_enrolment_is_open(st, u->e->id);
    if (rc == STORE_NOT_FOUND)
        u->closed = true;
    if (rc != STORE_OK)
        return rc;
    rc = store_session_use(st, u->session_hash, u->now);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK; /* another request of the same session came first */
    if (rc != STORE_OK)
        return rc;
    rc = store_enrolment_mark(st, u->e->id, "opened_at", u->now);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return rc;
    json_t *data = json_pack("{s:s}", "by", "session");
    rc = journal_append(st, u->now, "link_opened", "citizen", u->e->citizen_uuid, u->e->uuid,
                        data, NULL);
    json_decref(data);
    return rc;
}

int progress_session_used(struct store *st, const char *cookie,
                          const struct model_enrolment *e, int64_t now)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!cookie || !token_is_well_formed(cookie))
        return -1;
    token_hash(cookie, TOKEN_LEN, hash);
    struct progress_used u = {hash, e, now, false};
    enum store_status rc = store_txn(st, progress_used_txn, &u);
    return u.closed ? 1 : rc == STORE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ videos */

struct progress_seen {
    int64_t enrolment_id, video_id;
    enum model_no_media no_media;
    int64_t now;
};

static enum store_status progress_seen_txn(struct store *st, void *arg)
{
    const struct progress_seen *s = arg;
    return store_view_start(st, s->enrolment_id, s->video_id, (int)s->no_media, s->now);
}

int progress_video_seen(struct store *st, const struct model_enrolment *e,
                        const struct model_video *v, enum model_no_media no_media, int64_t now)
{
    struct progress_seen s = {e->id, v->id, no_media, now};
    return store_txn(st, progress_seen_txn, &s) == STORE_OK ? 0 : -1;
}

static json_t *progress_base_data(const struct model_pack *pack, const struct model_video *v)
{
    return json_pack("{s:s, s:i, s:s}", "video", v->slug, "pack_version", pack->version,
                     "content_hash", pack->content_hash);
}

/* The journal data of a playback entry: the video and the facts known now. */
static json_t *progress_watch_data(const struct model_pack *pack, const struct model_video *v,
                                   const struct model_view *view, bool answered)
{
    struct watch_facts f;
    watch_facts_of(view, answered, (int64_t)v->duration_s * 1000, &f);
    json_t *data = progress_base_data(pack, v);
    json_t *w = watch_json(&f, NULL);
    json_object_update(data, w);
    json_decref(w);
    json_object_del(data, "page_viewed");
    return data;
}

struct progress_watch_ctx {
    const struct model_enrolment *e;
    const struct model_pack *pack;
    const struct model_video *v;
    const struct watch_report *r;
    size_t max_ranges;
    int64_t now;
    enum progress_watch result;
};

static enum store_status progress_watch_journal(struct store *st, struct progress_watch_ctx *c,
                                                const char *kind, const struct model_view *view)
{
    json_t *data = progress_watch_data(c->pack, c->v, view, false);
    json_object_del(data, "observed");
    enum store_status rc = journal_append(st, c->now, kind, "citizen", c->e->citizen_uuid,
                                          c->e->uuid, data, NULL);
    json_decref(data);
    return rc;
}

static enum store_status progress_watch_txn(struct store *st, void *arg)
{
    struct progress_watch_ctx *c = arg;
    const struct watch_report *r = c->r;
    struct model_view view;
    enum store_status rc = store_enrolment_is_open(st, c->e->id); /* as for answers */
    if (rc == STORE_NOT_FOUND) {
        c->result = WATCH_REPORT_CLOSED;
        return rc;
    }
    if (rc == STORE_OK)
        rc = store_view_ensure(st, c->e->id, c->v->id, c->now);
    if (rc == STORE_OK)
        rc = store_view_get(st, c->e->id, c->v->id, &view);
    if (rc != STORE_OK)
        return rc;
    bool transcript_before = view.transcript_opened;
    int64_t duration = view.duration_ms > r->duration_ms ? view.duration_ms : r->duration_ms;
    /* room for the merge: the stored ranges, the new ones, and the cap */
    view.ranges = xrealloc(view.ranges, (view.n_ranges + r->n_played + 1) * sizeof *view.ranges);
    enum watch_merge m = watch_merge(view.ranges, &view.n_ranges, c->max_ranges, r->played,
                                     r->n_played, duration);
    if (m != WATCH_MERGED) {
        c->result = m == WATCH_TOO_MANY ? WATCH_REPORT_TOO_MANY : WATCH_REPORT_INVALID;
        rc = STORE_NOT_FOUND; /* rolls back: nothing stored */
        goto out;
    }
    for (size_t i = 0; i < r->n_seeks; i++)
        if (watch_seek_skips(view.ranges, view.n_ranges, r->seeks[i].a, r->seeks[i].b))
            view.skipped = true;
    view.duration_ms = duration;
    view.played_ms = watch_covered_ms(view.ranges, view.n_ranges);
    view.ended |= r->ended;
    view.captions_on |= r->captions_on && r->n_played > 0;
    view.transcript_opened |= r->transcript_opened;
    if (!view.reported_at)
        view.reported_at = c->now;
    /* judged again on every report against everything reported so far, so that the order
     * of the reports does not matter: a longer duration reported later (a player's early
     * estimate, another tab) takes "to the end" back from what the record shows.  The
     * journal keeps a video_watched entry made before, with the figures it was made on. */
    /* against the pack's stated length when the player's is much shorter (watch_judged_ms) */
    const int64_t judged = watch_judged_ms(view.duration_ms, (int64_t)c->v->duration_s * 1000);
    bool to_end = watch_is_to_end(view.ranges, view.n_ranges, judged, view.ended, view.skipped);
    bool to_end_now = to_end && !view.to_end_at;
    if (to_end_now)
        view.to_end_at = c->now;
    else if (!to_end)
        view.to_end_at = 0;
    int level = watch_level(view.played_ms, judged);
    int journal_played = level > view.journal_level && !to_end_now && !view.to_end_at;
    if (level > view.journal_level || to_end_now)
        view.journal_level = to_end_now ? 4 : level;
    rc = store_view_save(st, c->e->id, &view);
    if (rc == STORE_OK && journal_played)
        rc = progress_watch_journal(st, c, "video_played", &view);
    if (rc == STORE_OK && to_end_now)
        rc = progress_watch_journal(st, c, "video_watched", &view);
    if (rc == STORE_OK && view.transcript_opened && !transcript_before) {
        json_t *data = progress_base_data(c->pack, c->v);
        rc = journal_append(st, c->now, "transcript_opened", "citizen", c->e->citizen_uuid,
                            c->e->uuid, data, NULL);
        json_decref(data);
    }
    if (rc == STORE_OK)
        c->result = WATCH_REPORT_OK;
out:
    model_view_clear(&view);
    return rc;
}

enum progress_watch progress_watch_report(struct store *st, const struct model_enrolment *e,
                                          const struct model_pack *pack,
                                          const struct model_video *v,
                                          const struct watch_report *r, size_t max_ranges,
                                          int64_t now)
{
    struct progress_watch_ctx c = {e, pack, v, r, max_ranges, now, WATCH_REPORT_ERROR};
    enum store_status rc = store_txn(st, progress_watch_txn, &c);
    if (rc != STORE_OK && c.result == WATCH_REPORT_OK)
        return WATCH_REPORT_ERROR;
    return c.result;
}

static bool progress_all_answered(const struct model_progress *pr, const struct model_video *v)
{
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        bool found = false;
        for (size_t a = 0; a < pr->n_first && !found; a++)
            found = pr->first[a].question_id == v->questions[qi].id;
        if (!found)
            return false;
    }
    return v->n_questions > 0;
}

void progress_watch_facts(const struct model_progress *pr, const struct model_video *v,
                          struct watch_facts *f)
{
    const struct model_view *view = NULL;
    for (size_t i = 0; i < pr->n_views; i++)
        if (pr->views[i].video_id == v->id)
            view = &pr->views[i];
    watch_facts_of(view, progress_all_answered(pr, v), (int64_t)v->duration_s * 1000, f);
}

/* ------------------------------------------------------------------ answers */

int progress_format_chosen(const int64_t *ids, size_t n, char *out, size_t outlen)
{
    size_t len = 0;
    if (outlen == 0)
        return -1;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + len, outlen - len, "%s%lld", i ? "," : "", (long long)ids[i]);
        if (w < 0 || (size_t)w >= outlen - len) {
            out[0] = '\0';
            return -1;
        }
        len += (size_t)w;
    }
    return 0;
}

int progress_chosen_has(const char *chosen, int64_t id)
{
    const char *p = chosen;
    while (*p) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            return 0;
        if (v == id)
            return 1;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

int progress_is_correct(const struct model_question *q, const int64_t *chosen, size_t n)
{
    size_t right = 0;
    for (size_t oi = 0; oi < q->n_options; oi++) {
        int picked = 0;
        for (size_t i = 0; i < n; i++)
            picked |= chosen[i] == q->options[oi].id;
        if (picked != (int)q->options[oi].correct)
            return 0;
        right += q->options[oi].correct;
    }
    return right > 0;
}

static int progress_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const struct progress_choice *progress_choice_for(const struct progress_choice *c,
                                                         size_t n, int64_t qid)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].question_id == qid)
            return &c[i];
    return NULL;
}

static void progress_problem(struct progress_problems *p, size_t qi, int kind)
{
    if (p->n < sizeof p->items / sizeof p->items[0]) {
        p->items[p->n].question_index = qi;
        p->items[p->n].kind = kind;
        p->n++;
    }
}

struct progress_submit_ctx {
    const struct model_enrolment *e;
    const struct model_pack *pack;
    const struct model_video *v;
    const struct progress_choice *choices;
    size_t n_choices;
    const int64_t *asked;
    size_t n_asked;
    int64_t now;
    char language[LANG_CODE_MAX]; /* the page language the citizen answered in */
};

static enum store_status progress_submit_txn(struct store *st, void *arg)
{
    struct progress_submit_ctx *c = arg;
    const struct model_video *v = c->v;
    /* closed since the session was checked (the case system's close or group change):
     * nothing is recorded, as if the close had come first */
    enum store_status rc = store_enrolment_is_open(st, c->e->id);
    if (rc != STORE_OK)
        return rc;
    json_t *answers = json_array(), *topics = json_array();
    int asked_changed = 0, first_answer = 0;

    for (size_t qi = 0; qi < v->n_questions && rc == STORE_OK; qi++) {
        const struct model_question *q = &v->questions[qi];
        const struct progress_choice *ch = progress_choice_for(c->choices, c->n_choices, q->id);
        int64_t sorted[MODEL_MAX_OPTIONS];
        memcpy(sorted, ch->options, ch->n_options * sizeof *sorted);
        qsort(sorted, ch->n_options, sizeof *sorted, progress_id_cmp);
        char chosen[PROGRESS_CHOSEN_MAX];
        if (progress_format_chosen(sorted, ch->n_options, chosen, sizeof chosen) != 0) {
            rc = STORE_ERROR; /* cannot happen: room for every id a choice can hold */
            break;
        }
        json_t *positions = json_array();
        for (size_t i = 0; i < ch->n_options; i++) {
            for (size_t oi = 0; oi < q->n_options; oi++)
                if (q->options[oi].id == sorted[i])
                    json_array_append_new(positions, json_integer((json_int_t)oi + 1));
        }
        int correct = progress_is_correct(q, sorted, ch->n_options);
        int attempt = 0;
        rc = store_answer_insert(st, c->e->id, q->id, chosen, correct, c->now, &attempt);
        first_answer |= rc == STORE_OK && attempt == 1;
        json_array_append_new(answers,
                              json_pack("{s:s, s:s, s:o, s:b, s:i}", "question", q->slug,
                                        "topic", q->topic_key, "chosen", positions, "correct",
                                        correct, "attempt", attempt));
        int on = 0;
        for (size_t i = 0; i < c->n_asked; i++)
            on |= c->asked[i] == q->id;
        if (rc == STORE_OK) {
            enum store_status a = store_asked_set(st, c->e->id, q->id, on, c->now);
            if (a == STORE_OK)
                asked_changed = 1;
            else if (a != STORE_NOT_FOUND)
                rc = a;
        }
        if (on)
            json_array_append_new(topics, json_string(q->topic_key));
    }
    if (rc == STORE_OK) {
        /* what was known of the playback when the citizen answered */
        struct model_view view;
        enum store_status g = store_view_get(st, c->e->id, v->id, &view);
        if (g != STORE_OK && g != STORE_NOT_FOUND)
            rc = g;
        json_t *data = progress_base_data(c->pack, v);
        json_t *watched = progress_watch_data(c->pack, v, g == STORE_OK ? &view : NULL, true);
        json_t *w = json_pack("{s:O, s:O, s:O, s:O}", "observed",
                              json_object_get(watched, "observed"), "seconds",
                              json_object_get(watched, "seconds"), "share",
                              json_object_get(watched, "share"), "to_end",
                              json_object_get(watched, "to_end"));
        json_object_set_new(data, "watched", w);
        json_decref(watched);
        if (g == STORE_OK)
            model_view_clear(&view);
        json_object_set(data, "answers", answers);
        json_object_set_new(data, "language", json_string(c->language));
        if (rc == STORE_OK)
            rc = journal_append(st, c->now, "answers_submitted", "citizen", c->e->citizen_uuid,
                            c->e->uuid, data, NULL);
        json_decref(data);
    }
    if (rc == STORE_OK && asked_changed) {
        json_t *data = progress_base_data(c->pack, v);
        json_object_set(data, "topics", topics);
        rc = journal_append(st, c->now, "asked_topics", "citizen", c->e->citizen_uuid,
                            c->e->uuid, data, NULL);
        json_decref(data);
    }
    if (rc == STORE_OK && first_answer) {
        /* completed when every question of the pack has an answer: only a first answer
         * can complete it (a later attempt leaves the set of answered questions as the
         * submission that completed or did not complete it left it) */
        size_t answered = 0;
        rc = store_answered_count(st, c->e->id, &answered);
        if (rc == STORE_OK) {
            int done = answered >= content_question_count(c->pack);
            if (done) {
                enum store_status m = store_enrolment_mark(st, c->e->id, "completed_at", c->now);
                if (m == STORE_OK) {
                    json_t *data = json_pack("{s:i, s:s}", "pack_version", c->pack->version,
                                             "content_hash", c->pack->content_hash);
                    rc = journal_append(st, c->now, "completed", "citizen", c->e->citizen_uuid,
                                        c->e->uuid, data, NULL);
                    json_decref(data);
                    if (rc == STORE_OK)
                        rc = jobs_citizen_done(st, c->e->id, c->now);
                } else if (m != STORE_NOT_FOUND) {
                    rc = m;
                }
            }
        }
    }
    json_decref(answers);
    json_decref(topics);
    return rc;
}

/* The problems with a submission (problems->n 0: none). */
static void progress_submit_check(const struct model_pack *pack, const struct model_video *v,
                                  const struct progress_choice *choices, size_t n_choices,
                                  const int64_t *asked, size_t n_asked,
                                  struct progress_problems *problems)
{
    memset(problems, 0, sizeof *problems);
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        const struct progress_choice *ch = progress_choice_for(choices, n_choices, q->id);
        if (!ch || ch->n_options == 0) {
            progress_problem(problems, qi, PROBLEM_MISSING);
            continue;
        }
        if (!q->multiple && ch->n_options > 1) {
            progress_problem(problems, qi, PROBLEM_ONE_ONLY);
            continue;
        }
        for (size_t i = 0; i < ch->n_options; i++) {
            int known = 0;
            for (size_t oi = 0; oi < q->n_options; oi++)
                known |= q->options[oi].id == ch->options[i];
            for (size_t j = 0; j < i; j++)
                known &= ch->options[j] != ch->options[i];
            if (!known) {
                progress_problem(problems, qi, PROBLEM_INVALID);
                break;
            }
        }
    }
    for (size_t i = 0; i < n_asked; i++) {
        size_t vi;
        const struct model_question *q = content_question_by_id(pack, asked[i], &vi);
        if (!q || &pack->videos[vi] != v)
            progress_problem(problems, 0, PROBLEM_INVALID);
    }
}

enum progress_submit progress_submit_answers(struct store *st, struct writer *w,
                                             const struct model_enrolment *e,
                                             const struct model_pack *pack,
                                             const struct model_video *v,
                                             const struct progress_choice *choices,
                                             size_t n_choices, const int64_t *asked,
                                             size_t n_asked, const char *language,
                                             int64_t now, struct progress_problems *problems)
{
    progress_submit_check(pack, v, choices, n_choices, asked, n_asked, problems);
    if (problems->n)
        return SUBMIT_INVALID;
    struct progress_submit_ctx c = {e, pack, v, choices, n_choices, asked, n_asked, now, ""};
    snprintf(c.language, sizeof c.language, "%s", language);
    enum store_status rc = w ? writer_run(w, e->id, progress_submit_txn, &c)
                             : store_txn(st, progress_submit_txn, &c);
    return rc == STORE_OK ? SUBMIT_OK : SUBMIT_ERROR;
}

/* A checked submission with its own copies, for a write that outlives the request's call. */
struct progress_submission {
    struct model_enrolment e;
    struct progress_choice choices[PROGRESS_MAX_QUESTIONS];
    int64_t asked[PROGRESS_MAX_ASKED];
    struct progress_submit_ctx ctx; /* points into the copies above */
};

enum progress_submit progress_submission_new(const struct model_enrolment *e,
                                             const struct model_pack *pack,
                                             const struct model_video *v,
                                             const struct progress_choice *choices,
                                             size_t n_choices, const int64_t *asked,
                                             size_t n_asked, const char *language,
                                             int64_t now, struct progress_problems *problems,
                                             struct progress_submission **out)
{
    *out = NULL;
    progress_submit_check(pack, v, choices, n_choices, asked, n_asked, problems);
    if (problems->n)
        return SUBMIT_INVALID;
    if (n_choices > PROGRESS_MAX_QUESTIONS || n_asked > PROGRESS_MAX_ASKED)
        return SUBMIT_ERROR;
    struct progress_submission *s = calloc(1, sizeof *s);
    if (!s)
        return SUBMIT_ERROR;
    s->e = *e;
    memcpy(s->choices, choices, n_choices * sizeof *choices);
    memcpy(s->asked, asked, n_asked * sizeof *asked);
    struct progress_submit_ctx c = {&s->e, pack, v, s->choices, n_choices, s->asked,
                                    n_asked, now, ""};
    snprintf(c.language, sizeof c.language, "%s", language);
    s->ctx = c;
    *out = s;
    return SUBMIT_OK;
}

enum store_status progress_submission_txn(struct store *st, void *submission)
{
    struct progress_submission *s = submission;
    return progress_submit_txn(st, &s->ctx);
}

void progress_submission_free(void *submission)
{
    free(submission);
}

/* ------------------------------------------------------------------ decline, language */

struct progress_decline_ctx {
    const struct model_enrolment *e;
    int64_t now;
    int refused; /* out: the meeting is over */
};

static enum store_status progress_decline_txn(struct store *st, void *arg)
{
    struct progress_decline_ctx *d = arg;
    enum store_status open = store_enrolment_is_open(st, d->e->id); /* as for answers */
    if (open == STORE_NOT_FOUND) {
        d->refused = 2;
        return STORE_OK;
    }
    if (open != STORE_OK)
        return open;
    /* after the meeting there is no meeting left to hear it at (a citizen who chose it
     * before keeps that choice); the enrolment as it is now, inside the transaction (a
     * meeting recorded or moved since the page read it counts) */
    if (!d->e->declined_at) {
        struct model_enrolment now_e;
        struct meeting_state ms;
        enum store_status rc = store_enrolment_by_id(st, d->e->id, &now_e);
        if (rc != STORE_OK)
            return rc == STORE_NOT_FOUND ? STORE_OK : rc;
        meeting_state(&now_e, d->now, &ms);
        if (ms.over) {
            d->refused = 1;
            return STORE_OK;
        }
    }
    enum store_status rc = store_enrolment_mark(st, d->e->id, "declined_at", d->now);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    rc = journal_append(st, d->now, "declined", "citizen", d->e->citizen_uuid, d->e->uuid,
                        NULL, NULL);
    /* the meeting will give the guidance: no reminder to watch the videos */
    return rc == STORE_OK ? jobs_citizen_done(st, d->e->id, d->now) : rc;
}

int progress_decline(struct store *st, const struct model_enrolment *e, int64_t now)
{
    struct progress_decline_ctx d = {e, now, 0};
    if (store_txn(st, progress_decline_txn, &d) != STORE_OK)
        return -1;
    return d.refused;
}

int progress_set_language(struct store *st, const struct model_enrolment *e, const char *lang)
{
    if (!lang_code_ok(lang))
        return -1;
    return store_enrolment_set_language(st, e->id, lang) == STORE_OK ? 0 : -1;
}
