#include "evidence.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "content.h"
#include "enrol.h"
#include "jobs.h"
#include "journal.h"
#include "lang.h"
#include "letter.h"
#include "meeting.h"
#include "pdf.h"
#include "progress.h"
#include "watch.h"

struct evidence {
    struct pdf *pdf;
    const json_t *strings;
    struct buf line;
    int64_t now;                            /* when the PDF is made */
    const char *copy; /* who downloaded this copy; NULL: the bundle is written beside it */
};

static const char *ev_s(struct evidence *ev, const char *key)
{
    return letter_string(ev->strings, key);
}

/* The label "<prefix>_<code>" from the strings, or the code itself when there is none. */
static const char *ev_label(struct evidence *ev, const char *prefix, const char *code)
{
    char key[128];
    snprintf(key, sizeof key, "%s_%s", prefix, code ? code : "");
    const char *v = json_string_value(json_object_get(ev->strings, key));
    return v ? v : (code ? code : "");
}

/* Who wrote an entry, for people: a label for the program's own actors, "Medarbejder
 * NAME" for staff (appended to out). */
static void ev_actor(struct evidence *ev, const char *actor, struct buf *out)
{
    if (!actor)
        actor = "";
    if (journal_actor_is_staff(actor)) {
        const char *vars[] = {"name", actor, NULL};
        letter_fill(out, ev_s(ev, "actor_staff"), vars);
    } else {
        buf_puts(out, ev_label(ev, "actor", actor));
    }
}

static void ev_time(int64_t t, char *out, size_t n)
{
    if (t)
        clock_format_human(t, "da", out, n);
    else
        snprintf(out, n, "-");
}

/* A journal time (RFC 3339 UTC) as Copenhagen time for people. */
static void ev_at(const char *rfc3339, char *out, size_t n)
{
    int64_t t;
    if (clock_parse_rfc3339(rfc3339, &t) == 0)
        clock_format_human(t, "da", out, n);
    else
        snprintf(out, n, "%s", rfc3339);
}

static const char *ev_data_str(const json_t *entry, const char *key)
{
    const char *v = json_string_value(json_object_get(json_object_get(entry, "data"), key));
    return v ? v : "";
}

/* n of the counted phrase key ("count_attempts", "count_attempts_failed"), in Danish. */
static void ev_count(struct evidence *ev, const char *key, int n, char *out, size_t size)
{
    lang_count(ev->strings, "da", key, n > 0 ? (unsigned long long)n : 0, out, size);
}

/* The letters of an enrolment that are not sent, each as it stands: a channel's copy that
 * was skipped because its link had been replaced after another channel sent the letter; a
 * channel whose last attempt failed (the job failed with that channel's delivery still an
 * intent); a job that failed without any delivery (with the cause when it is one of the
 * known ones: no configured channel reaching the citizen only when that was recorded); a
 * job that ended done without any delivery (before such jobs ended failed, what no channel
 * could carry); and a letter not sent yet: waiting for its next attempt after failed ones,
 * due and not tried yet, under way, or planned. */
struct ev_unsent {
    struct evidence *ev;
    struct store *st;
    int any;
};

static void ev_unsent_line(struct ev_unsent *u, const char *key, const char *const *vars)
{
    buf_reset(&u->ev->line);
    letter_fill(&u->ev->line, ev_s(u->ev, key), vars);
    pdf_text(u->ev->pdf, PDF_BODY, u->ev->line.data);
    u->any = 1;
}

/* A letter job that is pending or running: not sent yet (through the channels that have not
 * sent it, when one has). */
static void ev_unsent_waiting(struct ev_unsent *u, const struct store_job *j, const char *what)
{
    struct evidence *ev = u->ev;
    int running = strcmp(j->state, "running") == 0;
    /* a running job's count includes the attempt under way */
    int failed = running ? j->attempts - 1 : j->attempts;
    char next[64], nfailed[96];
    struct buf detail = {0};
    ev_time(j->next_attempt_at, next, sizeof next);
    ev_count(ev, "count_attempts_failed", failed, nfailed, sizeof nfailed);
    const char *dvars[] = {"next", next, "failed", nfailed, NULL};
    if (!running && failed <= 0 && j->next_attempt_at > ev->now &&
        !j->outbox_sent_at && !j->smtp_sent_at) {
        const char *vars[] = {"what", what, "next", next, NULL};
        ev_unsent_line(u, "evidence_letter_planned", vars);
        return;
    }
    letter_fill(&detail,
                ev_s(ev, running ? (failed > 0 ? "evidence_letter_detail_running_retry"
                                               : "evidence_letter_detail_running")
                                 : failed > 0 ? "evidence_letter_detail_retry"
                                              : "evidence_letter_detail_due"),
                dvars);
    const char *vars[] = {"what", what, "detail", detail.data ? detail.data : "", NULL};
    ev_unsent_line(u, j->outbox_sent_at || j->smtp_sent_at ? "evidence_letter_waiting_rest"
                                                           : "evidence_letter_waiting",
                   vars);
    buf_free(&detail);
}

static int ev_unsent_job(const struct store_job *j, void *arg)
{
    static const char *const channels[] = {"outbox", "smtp"};
    struct ev_unsent *u = arg;
    struct evidence *ev = u->ev;
    char when[64];
    int sent = j->outbox_sent_at || j->smtp_sent_at, tried = 0;
    const char *what = ev_label(ev, "letter", j->kind);
    if (strcmp(j->kind, "deliver_journal") == 0)
        return 0;
    if (strcmp(j->state, "pending") == 0 || strcmp(j->state, "running") == 0) {
        ev_unsent_waiting(u, j, what);
        return 0;
    }
    if (strcmp(j->state, "failed") != 0 && strcmp(j->state, "done") != 0)
        return 0;
    ev_time(j->finished_at, when, sizeof when);
    for (size_t i = 0; i < sizeof channels / sizeof *channels; i++) {
        struct store_delivery d;
        memset(&d, 0, sizeof d);
        if (store_delivery_get(u->st, j->id, channels[i], &d) == STORE_OK) {
            tried = 1;
            if (strcmp(d.state, "skipped") == 0 &&
                strcmp(d.skipped_reason, "link_replaced") == 0) {
                char skipped[64], key[64];
                ev_time(d.skipped_at, skipped, sizeof skipped);
                snprintf(key, sizeof key, "evidence_letter_skipped_%s", channels[i]);
                const char *vars[] = {"when", skipped, "what", what, NULL};
                ev_unsent_line(u, key, vars);
            } else if (strcmp(j->state, "failed") == 0 && strcmp(d.state, "intent") == 0) {
                const char *vars[] = {"when", when, "what", what, "channel",
                                      ev_label(ev, "channel", channels[i]), NULL};
                ev_unsent_line(u, "evidence_letter_not_sent", vars);
            }
        }
        store_delivery_clear(&d);
    }
    if (tried || sent)
        return 0;
    const char *code = strcmp(j->state, "done") == 0 ? "no_channel_reached"
                                                     : jobs_failure_cause(j->last_error);
    if (code && strcmp(code, "no_channel_reached") == 0) {
        const char *vars[] = {"when", when, "what", what, NULL};
        ev_unsent_line(u, "evidence_letter_no_channel", vars);
        return 0;
    }
    char attempts[64], key[64];
    ev_count(ev, "count_attempts", j->attempts, attempts, sizeof attempts);
    snprintf(key, sizeof key, "evidence_failure_%s", code ? code : "");
    const char *vars[] = {"when", when, "what", what, "attempts", attempts, "reason",
                          ev_s(ev, key), NULL};
    ev_unsent_line(u, code ? "evidence_letter_failed_reason" : "evidence_letter_failed", vars);
    return 0;
}

/* A written guidance letter of pack sent (at, RFC 3339) on a Copenhagen day outside the
 * pack's validity: which day it was valid to or from, on a line of its own in ev->line. */
static void ev_sent_outside(struct evidence *ev, const struct model_pack *pack, const char *at)
{
    int64_t t;
    char day[CLOCK_DATE_LEN + 1];
    if (!at || clock_parse_rfc3339(at, &t) != 0)
        return;
    clock_local_date(t, day);
    const char *key = *pack->valid_to && strcmp(day, pack->valid_to) > 0 ? "evidence_sent_after"
                      : *pack->valid_from && strcmp(day, pack->valid_from) < 0
                          ? "evidence_sent_before"
                          : NULL;
    if (!key)
        return;
    const char *vars[] = {"from", pack->valid_from, "to", pack->valid_to, NULL};
    buf_puts(&ev->line, "\n");
    letter_fill(&ev->line, ev_s(ev, key), vars);
}

static void ev_letters(struct evidence *ev, struct store *st, int64_t enrolment_id,
                       const struct model_pack *pack, const json_t *entries,
                       const char *enrolment_uuid)
{
    size_t i;
    json_t *e;
    int any = 0;
    pdf_text(ev->pdf, PDF_BOLD, ev_s(ev, "evidence_letters"));
    json_array_foreach(entries, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *enr = json_string_value(json_object_get(e, "enrolment_id"));
        if (!kind || !enr || strcmp(enr, enrolment_uuid) != 0 ||
            (strcmp(kind, "written_guidance_sent") && strcmp(kind, "written_guidance_resent") &&
             strcmp(kind, "reminder_sent") && strcmp(kind, "new_link_sent")))
            continue;
        char when[64], key[64];
        ev_at(json_string_value(json_object_get(e, "at")), when, sizeof when);
        buf_reset(&ev->line);
        char version[24];
        snprintf(version, sizeof version, "%lld",
                 (long long)json_integer_value(
                     json_object_get(json_object_get(e, "data"), "pack_version")));
        /* what the channel did: placed in the outbox for Digital Post, or sent by e-mail */
        watch_journal_key(kind, json_object_get(e, "data"), key, sizeof key);
        const char *vars[] = {"when", when, "what", *ev_s(ev, key) ? ev_s(ev, key)
                                                                   : ev_label(ev, "journal", kind),
                              "channel", ev_label(ev, "channel", ev_data_str(e, "channel")),
                              "version", version, NULL};
        letter_fill(&ev->line, ev_s(ev, "evidence_letter_line"), vars);
        /* the written guidance is the pack's text: sent when its rules applied? */
        if (strncmp(kind, "written_guidance_", 17) == 0 &&
            json_integer_value(json_object_get(json_object_get(e, "data"), "pack_version")) ==
                pack->version)
            ev_sent_outside(ev, pack, json_string_value(json_object_get(e, "at")));
        pdf_text(ev->pdf, PDF_BODY, ev->line.data);
        buf_reset(&ev->line);
        buf_printf(&ev->line, "besked-id %s  sha256 %s  journalpost %lld",
                   ev_data_str(e, "message_id"), ev_data_str(e, "sha256"),
                   (long long)json_integer_value(json_object_get(e, "seq")));
        pdf_text(ev->pdf, PDF_MONO, ev->line.data);
        any = 1;
    }
    struct ev_unsent u = {ev, st, 0};
    if (store_jobs_each(st, enrolment_id, ev_unsent_job, &u) == STORE_OK && u.any)
        any = 1;
    if (!any)
        pdf_text(ev->pdf, PDF_BODY, ev_s(ev, "evidence_none"));
}

/* The page language of the submission that gave the first answer to the question with
 * slug in the video with video_slug in enrolment enr (its answers_submitted entry, attempt
 * 1); NULL when not told.  Matched on the video too: a question's slug need only be unique
 * within its video. */
static const char *ev_answer_language(const json_t *entries, const char *enr,
                                      const char *video_slug, const char *slug)
{
    size_t i, j;
    json_t *e, *a;
    json_array_foreach(entries, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *id = json_string_value(json_object_get(e, "enrolment_id"));
        if (!kind || !id || strcmp(kind, "answers_submitted") != 0 || strcmp(id, enr) != 0)
            continue;
        const json_t *data = json_object_get(e, "data");
        const char *video = json_string_value(json_object_get(data, "video"));
        if (!video || strcmp(video, video_slug) != 0)
            continue;
        json_array_foreach(json_object_get(data, "answers"), j, a)
        {
            const char *q = json_string_value(json_object_get(a, "question"));
            if (q && strcmp(q, slug) == 0 &&
                json_integer_value(json_object_get(a, "attempt")) == 1)
                return json_string_value(json_object_get(data, "language"));
        }
    }
    return NULL;
}

/* An answer given on a Copenhagen day outside its video's validity: which day it was
 * valid to or from, on a line of its own in ev->line. */
static void ev_answered_outside(struct evidence *ev, const struct model_pack *pack,
                                const struct model_video *v, int64_t answered_at)
{
    const char *from, *to;
    char day[CLOCK_DATE_LEN + 1];
    content_video_days(pack, v, &from, &to);
    clock_local_date(answered_at, day);
    const char *key = *to && strcmp(day, to) > 0       ? "evidence_answered_after"
                      : *from && strcmp(day, from) < 0 ? "evidence_answered_before"
                                                       : NULL;
    if (!key)
        return;
    const char *vars[] = {"from", from, "to", to, NULL};
    buf_puts(&ev->line, "\n");
    letter_fill(&ev->line, ev_s(ev, key), vars);
}

static void ev_progress(struct evidence *ev, const struct model_pack *pack,
                        const struct model_progress *pr, const json_t *entries,
                        const char *enr)
{
    char when[64];
    int any = 0;
    /* per video what is known of its playback, in the words every place uses (watch.h);
     * answering is listed apart below and never counts as watching */
    pdf_text(ev->pdf, PDF_BOLD, ev_s(ev, "evidence_videos"));
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        struct watch_facts wf;
        progress_watch_facts(pr, &pack->videos[vi], &wf);
        buf_reset(&ev->line);
        buf_printf(&ev->line, "%s: ", pack->videos[vi].title[LANG_DA]);
        watch_sentence(&wf, ev->strings, &ev->line);
        if (pack->videos[vi].legal_basis && *pack->videos[vi].legal_basis) {
            const char *vars[] = {"basis", pack->videos[vi].legal_basis, NULL};
            buf_puts(&ev->line, "\n");
            letter_fill(&ev->line, ev_s(ev, "evidence_legal_basis"), vars);
        }
        /* a video's own days, where they narrow the version's */
        const char *from, *to;
        content_video_days(pack, &pack->videos[vi], &from, &to);
        if (strcmp(from, pack->valid_from) != 0 || strcmp(to, pack->valid_to) != 0) {
            const char *vars[] = {"from", *from ? from : "-", "to",
                                  *to ? to : ev_s(ev, "evidence_valid_open"), NULL};
            buf_puts(&ev->line, "\n");
            letter_fill(&ev->line, ev_s(ev, "evidence_video_validity"), vars);
        }
        pdf_text(ev->pdf, PDF_BODY, ev->line.data);
        any = 1;
    }
    if (!any)
        pdf_text(ev->pdf, PDF_BODY, ev_s(ev, "evidence_none"));
    any = 0;
    pdf_text(ev->pdf, PDF_BOLD, ev_s(ev, "evidence_answers"));
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            for (size_t a = 0; a < pr->n_first; a++) {
                if (pr->first[a].question_id != q->id)
                    continue;
                ev_time(pr->first[a].answered_at, when, sizeof when);
                buf_reset(&ev->line);
                buf_printf(&ev->line, "%s — %s\nSvar: ", when, q->text[LANG_DA]);
                int n = 0;
                for (size_t oi = 0; oi < q->n_options; oi++)
                    if (progress_chosen_has(pr->first[a].chosen, q->options[oi].id))
                        buf_printf(&ev->line, "%s%s", n++ ? "; " : "", q->options[oi].text[LANG_DA]);
                buf_printf(&ev->line, " (%s)", ev_s(ev, pr->first[a].correct ? "evidence_correct"
                                                                             : "evidence_wrong"));
                /* answered on a page in another language: which, and that the texts here
                 * are the Danish ones */
                const char *lang = ev_answer_language(entries, enr, v->slug, q->slug);
                if (lang && strcmp(lang, "da") != 0) {
                    const char *vars[] = {"language", lang_name_for(NULL, ev->strings, lang),
                                          NULL};
                    buf_puts(&ev->line, "\n");
                    letter_fill(&ev->line, ev_s(ev, "evidence_answer_language"), vars);
                }
                ev_answered_outside(ev, pack, v, pr->first[a].answered_at);
                pdf_text(ev->pdf, PDF_BODY, ev->line.data);
                any = 1;
            }
        }
    }
    if (!any)
        pdf_text(ev->pdf, PDF_BODY, ev_s(ev, "evidence_none"));
}

static void ev_meeting(struct evidence *ev, const json_t *m)
{
    pdf_text(ev->pdf, PDF_BOLD, ev_s(ev, "evidence_meeting"));
    if (!json_is_object(m)) {
        pdf_text(ev->pdf, PDF_BODY, ev_s(ev, "evidence_none"));
        return;
    }
    char when[64];
    ev_at(json_string_value(json_object_get(m, "held_at")), when, sizeof when);
    buf_reset(&ev->line);
    struct buf who = {0};
    ev_actor(ev, json_string_value(json_object_get(m, "recorded_by")), &who);
    const char *vars[] = {"when", when, "oral",
                          ev_s(ev, json_is_true(json_object_get(m, "oral_guidance"))
                                       ? "evidence_yes"
                                       : "evidence_no"),
                          "by", who.data ? who.data : "", NULL};
    letter_fill(&ev->line, ev_s(ev, "evidence_meeting_line"), vars);
    buf_free(&who);
    pdf_text(ev->pdf, PDF_BODY, ev->line.data);
    const char *note = json_string_value(json_object_get(m, "note"));
    if (note) {
        buf_reset(&ev->line);
        buf_printf(&ev->line, "Note: %s", note);
        pdf_text(ev->pdf, PDF_BODY, ev->line.data);
    }
}

static int ev_enrolment(struct evidence *ev, struct store *st, const struct vault *vault,
                        int64_t id, const json_t *entries)
{
    struct model_enrolment e;
    struct model_group g;
    struct model_progress pr;
    struct model_pack *pack = NULL;
    char planned[64], created[64], closed[64];
    memset(&g, 0, sizeof g);
    memset(&pr, 0, sizeof pr);
    int rc = -1;
    if (store_enrolment_by_id(st, id, &e) != STORE_OK ||
        store_group_by_id(st, e.group_id, &g) != STORE_OK ||
        store_pack_load(st, e.pack_id, &pack) != STORE_OK ||
        store_progress_load(st, e.id, &pr) != STORE_OK)
        goto out;
    char version[16];
    snprintf(version, sizeof version, "%d", pack->version);
    const char *vars[] = {"id", e.uuid, "group", g.name[LANG_DA], "version", version, NULL};
    buf_reset(&ev->line);
    letter_fill(&ev->line, ev_s(ev, "evidence_enrolment"), vars);
    pdf_space(ev->pdf, 8);
    pdf_text(ev->pdf, PDF_HEADING, ev->line.data);
    ev_time(e.created_at, created, sizeof created);
    ev_time(e.first_meeting_at, planned, sizeof planned);
    ev_time(e.closed_at, closed, sizeof closed);
    buf_reset(&ev->line);
    const char *svars[] = {"created", created, "planned", planned, "status",
                           ev_label(ev, "status",
                                    model_status_name(enrol_status(&e, pr.n_views > 0 ||
                                                                           pr.n_first > 0))),
                           "closed", closed, NULL};
    letter_fill(&ev->line, ev_s(ev, "evidence_enrolment_line"), svars);
    const char *lvars0[] = {"language", lang_name_for(NULL, ev->strings, e.language), NULL};
    buf_puts(&ev->line, "\n");
    letter_fill(&ev->line, ev_s(ev, "evidence_enrolment_language"), lvars0);
    pdf_text(ev->pdf, PDF_BODY, ev->line.data);
    /* the content version's legal basis and validity, as the citizen was shown it */
    const char *lvars[] = {"basis", pack->legal_basis && *pack->legal_basis ? pack->legal_basis
                                                                          : ev_s(ev, "evidence_legal_basis_none"),
                           "from", *pack->valid_from ? pack->valid_from : "-", "to",
                           *pack->valid_to ? pack->valid_to : ev_s(ev, "evidence_valid_open"),
                           NULL};
    buf_reset(&ev->line);
    letter_fill(&ev->line, ev_s(ev, "evidence_legal_basis"), lvars);
    buf_puts(&ev->line, "\n");
    letter_fill(&ev->line, ev_s(ev, "evidence_validity"), lvars);
    pdf_text(ev->pdf, PDF_BODY, ev->line.data);
    buf_reset(&ev->line);
    const char *hvars[] = {"hash", pack->content_hash, NULL};
    letter_fill(&ev->line, ev_s(ev, "evidence_content_hash"), hvars);
    pdf_text(ev->pdf, PDF_MONO, ev->line.data);
    ev_letters(ev, st, e.id, pack, entries, e.uuid);
    ev_progress(ev, pack, &pr, entries, e.uuid);
    json_t *m = meeting_json(st, vault, e.id);
    if (!m)
        goto out;
    ev_meeting(ev, m);
    json_decref(m);
    rc = 0;
out:
    model_pack_free(pack);
    model_progress_clear(&pr);
    model_group_clear(&g);
    return rc;
}

/* The journal, entry by entry; one after the checkpoint cp (when given) says it is not in
 * the evidence bundle (in a downloaded copy, which has none: that it came after it). */
static void ev_journal(struct evidence *ev, const json_t *entries,
                       const struct store_checkpoint *cp)
{
    size_t i;
    json_t *e;
    pdf_space(ev->pdf, 8);
    pdf_text(ev->pdf, PDF_HEADING, ev_s(ev, "evidence_journal"));
    pdf_text(ev->pdf, PDF_SMALL,
             ev_s(ev, ev->copy ? "evidence_journal_intro_copy" : "evidence_journal_intro"));
    json_array_foreach(entries, i, e)
    {
        char when[64], key[64];
        const char *kind = json_string_value(json_object_get(e, "kind"));
        ev_at(json_string_value(json_object_get(e, "at")), when, sizeof when);
        /* the kind's label; an older video_finished says whether answering set it */
        watch_journal_key(kind, json_object_get(e, "data"), key, sizeof key);
        const char *label = ev_s(ev, key);
        buf_reset(&ev->line);
        buf_printf(&ev->line, "#%lld  %s  %s — ",
                   (long long)json_integer_value(json_object_get(e, "seq")), when,
                   *label ? label : (kind ? kind : ""));
        ev_actor(ev, json_string_value(json_object_get(e, "actor")), &ev->line);
        if (cp && json_integer_value(json_object_get(e, "seq")) > cp->signed_seq)
            buf_printf(&ev->line, " (%s)", ev_s(ev, ev->copy ? "evidence_journal_after_copy"
                                                              : "evidence_journal_after"));
        pdf_text(ev->pdf, PDF_BOLD, ev->line.data);
        buf_reset(&ev->line);
        buf_printf(&ev->line, "hash %s", json_string_value(json_object_get(e, "hash")));
        pdf_text(ev->pdf, PDF_MONO, ev->line.data);
    }
}

/* The signed checkpoint in words: what it covers, when, with which key, and whether its
 * journal entry has reached the case system (a webhook delivery recorded sent) — said
 * only as it stands in the deliveries. */
static void ev_checkpoint(struct evidence *ev, struct store *st,
                          const struct store_checkpoint *cp, const json_t *entries)
{
    char when[64], seq[24], entry[24], delivered[64];
    int64_t sent_at = 0;
    struct buf delivery = {0};
    pdf_space(ev->pdf, 8);
    pdf_text(ev->pdf, PDF_HEADING, ev_s(ev, "evidence_checkpoint"));
    ev_at(cp->signed_at, when, sizeof when);
    snprintf(seq, sizeof seq, "%lld", (long long)cp->signed_seq);
    snprintf(entry, sizeof entry, "%lld", (long long)cp->journal_seq);
    int sent = cp->journal_seq > 0 &&
               store_journal_delivered(st, cp->journal_seq, &sent_at) == STORE_OK;
    ev_time(sent_at, delivered, sizeof delivered);
    const char *dvars[] = {"entry", entry, "delivered", delivered, NULL};
    letter_fill(&delivery, ev_s(ev, sent ? "evidence_checkpoint_delivered"
                                         : "evidence_checkpoint_not_delivered"),
                dvars);
    const char *vars[] = {"seq", seq, "when", when, "key_id", cp->key_id, "delivery",
                          delivery.data ? delivery.data : "", NULL};
    buf_reset(&ev->line);
    letter_fill(&ev->line, ev_s(ev, "evidence_checkpoint_text"), vars);
    buf_free(&delivery);
    /* what the bundle beside it holds: the citizen's entries up to the signed one (in a
     * downloaded copy, which has no bundle: which of the entries it shows are covered) */
    size_t covered = 0, later = 0, i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (json_integer_value(json_object_get(e, "seq")) <= cp->signed_seq)
            covered++;
        else
            later++;
    }
    char ncovered[24], nlater[24];
    snprintf(ncovered, sizeof ncovered, "%zu", covered);
    snprintf(nlater, sizeof nlater, "%zu", later);
    const char *cvars[] = {"count", ncovered, "seq", seq, NULL};
    const char *lvars[] = {"count", nlater, "seq", seq, NULL};
    buf_puts(&ev->line, " ");
    const char *copy = ev->copy ? "_copy" : "";
    char key[48];
    snprintf(key, sizeof key, "evidence_checkpoint_%s%s", covered ? "covered" : "none", copy);
    letter_fill(&ev->line, ev_s(ev, key), cvars);
    if (later) {
        buf_puts(&ev->line, " ");
        snprintf(key, sizeof key, "evidence_checkpoint_later%s", copy);
        letter_fill(&ev->line, ev_s(ev, key), lvars);
    }
    pdf_text(ev->pdf, PDF_BODY, ev->line.data);
    const char *hvars[] = {"hash", cp->head_hash, "root", cp->tree_root, "key", cp->public_key,
                           NULL};
    buf_reset(&ev->line);
    letter_fill(&ev->line, ev_s(ev, "evidence_checkpoint_values"), hvars);
    pdf_text(ev->pdf, PDF_MONO, ev->line.data);
}

int evidence_pdf(const struct config *cfg, struct store *st, const struct vault *vault,
                 const char *citizen_uuid, const struct store_checkpoint *cp, struct buf *out,
                 char *err, size_t errlen)
{
    return evidence_pdf_unit(cfg, st, vault, citizen_uuid, "", cp, NULL, out, err, errlen);
}

int evidence_pdf_unit(const struct config *cfg, struct store *st, const struct vault *vault,
                      const char *citizen_uuid, const char *unit,
                      const struct store_checkpoint *cp, const char *downloaded_by,
                      struct buf *out, char *err, size_t errlen)
{
    struct model_citizen c;
    struct evidence ev;
    char path[CONFIG_PATH_MAX + 32], now[64];
    json_error_t je;
    json_t *strings = NULL, *journal = NULL;
    struct model_enrolment *es = NULL;
    size_t n = 0;
    int rc = -1;
    memset(&ev, 0, sizeof ev);
    enum store_status s = store_citizen_by_uuid(st, citizen_uuid, &c);
    if (s == STORE_NOT_FOUND) {
        snprintf(err, errlen, "no citizen with that id");
        return 1;
    }
    if (s != STORE_OK) {
        snprintf(err, errlen, "cannot read the citizen");
        return -1;
    }
    snprintf(path, sizeof path, "%s/lang/da.json", cfg->template_dir);
    strings = json_load_file(path, 0, &je);
    journal = journal_citizen_json(st, citizen_uuid);
    const json_t *entries = json_object_get(journal, "entries");
    if (!strings || !entries || store_citizen_enrolments(st, c.id, unit, &es, &n) != STORE_OK) {
        snprintf(err, errlen, "cannot read the strings, the journal or the enrolments");
        goto out;
    }
    journal_keep_enrolments(journal, es, n);
    ev.strings = strings;
    ev.now = clock_now();
    ev.copy = downloaded_by;
    ev.pdf = pdf_new(ev_s(&ev, "evidence_title"), ev.now);
    pdf_set_info(ev.pdf, cfg->municipality_name, ev_s(&ev, "evidence_subject"),
                 ev_s(&ev, "evidence_keywords"));
    pdf_outline_headings(ev.pdf);
    pdf_set_lang(ev.pdf, "da");
    pdf_text(ev.pdf, PDF_TITLE, ev_s(&ev, "evidence_title"));
    pdf_text(ev.pdf, PDF_HEADING, c.name);
    clock_format_human(ev.now, "da", now, sizeof now);
    const char *vars[] = {"citizen", c.uuid, "date", now, NULL};
    letter_fill(&ev.line, ev_s(&ev, "evidence_intro"), vars);
    if (downloaded_by) { /* who downloaded this copy, and which entries it shows */
        const char *cvars[] = {"by", downloaded_by, "date", now, "unit", unit ? unit : "", NULL};
        buf_puts(&ev.line, " ");
        letter_fill(&ev.line, ev_s(&ev, "evidence_copy_by"), cvars);
        buf_puts(&ev.line, " ");
        letter_fill(&ev.line, ev_s(&ev, unit && *unit ? "evidence_copy_unit" : "evidence_copy_all"),
                    cvars);
    }
    pdf_text(ev.pdf, PDF_SMALL, ev.line.data);
    pdf_text(ev.pdf, PDF_SMALL, cfg->municipality_name);
    for (size_t i = 0; i < n; i++) /* oldest first */
        if (ev_enrolment(&ev, st, vault, es[n - 1 - i].id, entries) != 0) {
            snprintf(err, errlen, "cannot read enrolment %zu of the citizen", i + 1);
            goto out;
        }
    ev_journal(&ev, entries, cp);
    if (cp)
        ev_checkpoint(&ev, st, cp, entries);
    rc = pdf_finish(ev.pdf, out);
    ev.pdf = NULL;
    if (rc)
        snprintf(err, errlen, "cannot make the PDF");
out:
    if (ev.pdf) {
        struct buf discard = {0};
        pdf_finish(ev.pdf, &discard);
        buf_free(&discard);
    }
    buf_free(&ev.line);
    free(es);
    json_decref(strings);
    json_decref(journal);
    model_citizen_clear(&c);
    return rc;
}
