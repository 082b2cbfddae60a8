/* The citizen's pages: the personal link, the overview of the group's videos, a video with
 * its questions, feedback on the answers, declining, and the receipt.  Plain links and
 * forms: everything works without JavaScript; the little script in static/ only reports
 * what the video player did (played ranges, seeks, the end, captions, the text version). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "files.h"
#include "form.h"
#include "handlers.h"
#include "jsonmem.h"
#include "meeting.h"
#include "mem.h"
#include "prerender.h"
#include "progress.h"
#include "receipt.h"

/* ------------------------------------------------------------------ helpers */

/* Members of a page's JSON, without json_pack's format parsing and without a second UTF-8
 * check of texts that were checked when they were loaded (pack, strings, database). */
static void h_citizen_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new_nocheck(o, key, json_string_nocheck(v ? v : ""));
}

static void h_citizen_int(json_t *o, const char *key, json_int_t v)
{
    json_object_set_new_nocheck(o, key, json_integer(v));
}

static void h_citizen_bool(json_t *o, const char *key, int v)
{
    json_object_set_new_nocheck(o, key, json_boolean(v));
}

/* The page language's code ("da" without one). */
static const char *h_citizen_code(const struct app_call *c)
{
    return c->ui ? c->ui->code : "da";
}

/* n of the counted text key ("count_minutes": "{{n}} min.", "دقيقتان") in the page's
 * language, its plural form by the language's rule (lang_count), into out (size bytes). */
static void h_citizen_count_buf(struct app_call *c, char *out, size_t size, const char *key,
                                long long n)
{
    lang_count(app_strings(c), h_citizen_code(c), key, n < 0 ? 0 : (unsigned long long)n, out,
               size);
}

/* The same as o[field]. */
static void h_citizen_count(struct app_call *c, json_t *o, const char *field, const char *key,
                            long long n)
{
    char text[128];
    h_citizen_count_buf(c, text, sizeof text, key, n);
    json_object_set_new_nocheck(o, field, json_string(text));
}

/* Pre-rendered pages and their holes by position (defined with the video page below). */
struct h_citizen_pre;
struct h_citizen_submitted;

#define H_CITIZEN_NOW_VIDEOS 64

/* A request's values for the holes of a pre-rendered page filled by position
 * (h_citizen_fill): what the page shows of this citizen, worked out once. */
struct h_citizen_now {
    struct app_call *c;
    const struct model_pack *pack;
    const struct model_progress *pr;
    const struct h_citizen_submitted *sub; /* the video page's refused form, or NULL */
    const struct model_video *v;           /* the video page's video, or NULL */
    size_t n;                              /* the page's video number; 0: none */
    int media;                             /* the video's file (h_citizen_media_state) */
    char media_src[320];
    struct buf title;                      /* the page's <title>, when it is its own */
    const char *title_text;                /* else the strings' one (may be NULL) */
    /* per video the questions answered (the first H_CITIZEN_NOW_VIDEOS); the overview's
     * sums */
    size_t answered_in[H_CITIZEN_NOW_VIDEOS];
    size_t answered, total, next;
    struct model_group group;
    int have_group;
    const char *group_name;
    char meeting[64];                      /* the meeting still ahead; "": none */
    char meeting_held[64];                 /* the meeting as recorded held; "": none */
    char meeting_passed[64];               /* planned, passed, not recorded; "": none */
    int meeting_over;                      /* held or passed (h_citizen_meeting) */
    char total_text[96];                   /* "af 12 spørgsmål" (count_of_questions) */
    /* the progress line's */
    int all_done, some_left;
    char minutes_left_text[64];            /* "3 min." (count_minutes) */
    size_t videos_done;
};
static void h_citizen_now_clear(struct h_citizen_now *w);
static const struct h_citizen_pre *h_citizen_pre_get(struct app_call *c,
                                                     const struct model_pack *pack, char kind,
                                                     size_t n);
static const tmpl_pre *h_citizen_pre_of(struct app_call *c, const struct model_pack *pack,
                                        char kind, size_t n);
static void h_citizen_now_init(struct h_citizen_now *w, struct app_call *c,
                               const struct model_pack *pack, const struct model_progress *pr,
                               size_t n);
static void h_citizen_page_at(struct app_call *c, int status, const struct h_citizen_now *w,
                              const struct h_citizen_pre *body, const json_t *ctx,
                              const struct h_citizen_pre *layout);
static json_t *h_citizen_videos_data(struct app_call *c, const struct model_pack *pack,
                                     const struct model_progress *pr, int watching, int holes);

static const struct model_pack *h_citizen_pack(struct app_call *c)
{
    return content_cache_get(c->app->content, c->st, c->enrolment.pack_id);
}

/* The day this request's pages are made for: asked once per request, so that a page and
 * the pre-rendered body it is made from agree on it even across midnight. */
static const char *h_citizen_today(struct app_call *c)
{
    if (!c->today[0])
        clock_today(c->today);
    return c->today;
}

/* The validity a citizen's page tells of: video n's on its page (n > 0), the whole pack's
 * on the overview (n == 0).  Ending soon is for the administrator; the citizen is told
 * only of rules that ended or have not begun yet. */
static void h_citizen_validity(struct app_call *c, const struct model_pack *pack, size_t n,
                               struct content_validity_info *out)
{
    /* asked on every page, and it changes only with the day: the thread's last answers */
    static _Thread_local struct {
        int64_t pack_id;
        int version;
        size_t n;
        char day[11];
        struct content_validity_info vi;
    } memo[4];
    static _Thread_local unsigned memo_next;
    const char *today = h_citizen_today(c);
    for (size_t i = 0; i < sizeof memo / sizeof memo[0]; i++)
        if (memo[i].pack_id == pack->id && memo[i].version == pack->version &&
            memo[i].n == n && memcmp(memo[i].day, today, sizeof memo[i].day) == 0) {
            *out = memo[i].vi;
            return;
        }
    if (n)
        content_video_validity(pack, content_video_at(pack, n), today, 0, out);
    else
        content_pack_validity(pack, today, 0, out);
    if (out->state == CONTENT_ENDING)
        out->state = CONTENT_IN_FORCE;
    unsigned k = memo_next++ % (sizeof memo / sizeof memo[0]);
    memo[k].pack_id = pack->id;
    memo[k].version = pack->version;
    memo[k].n = n;
    memcpy(memo[k].day, today, sizeof memo[k].day);
    memo[k].vi = *out;
}

/* The validity notice's values into obj: "validity_ended" or "validity_not_yet", and the
 * day as the page writes dates ("validity_date"). */
static void h_citizen_validity_json(struct app_call *c, const struct model_pack *pack, size_t n,
                                    json_t *obj)
{
    struct content_validity_info vi;
    char text[64];
    h_citizen_validity(c, pack, n, &vi);
    if (vi.state == CONTENT_IN_FORCE ||
        clock_format_human_day(vi.date, h_citizen_code(c), text, sizeof text) != 0)
        return;
    json_object_set_new_nocheck(obj, vi.state == CONTENT_ENDED ? "validity_ended"
                                                               : "validity_not_yet",
                                json_true());
    json_object_set_new_nocheck(obj, "validity_date", json_string(text));
}

static void h_citizen_fail(struct app_call *c)
{
    app_page_error(c, 500, "internal");
}

/* The 1-based video number from the path, or 0. */
static size_t h_citizen_video_n(struct app_call *c, const struct model_pack *pack)
{
    const char *s = c->req->match->params[0];
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || end == s || n < 1 || (size_t)n > pack->n_videos)
        return 0;
    return (size_t)n;
}

/* The pack of the citizen's enrolment and the number of the path's video in it: the
 * number, or 0 having replied (500 without a pack, 404 for a video it does not have). */
static size_t h_citizen_video_of(struct app_call *c, const struct model_pack **pack)
{
    *pack = h_citizen_pack(c);
    if (!*pack) {
        h_citizen_fail(c);
        return 0;
    }
    size_t n = h_citizen_video_n(c, *pack);
    if (!n)
        app_page_error(c, 404, "not_found");
    return n;
}

static const struct model_answer *h_citizen_answer_of(const struct model_answer *a, size_t n,
                                                      int64_t qid)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].question_id == qid)
            return &a[i];
    return NULL;
}

static int h_citizen_asked(const struct model_progress *pr, int64_t qid)
{
    for (size_t i = 0; i < pr->n_asked; i++)
        if (pr->asked[i] == qid)
            return 1;
    return 0;
}

static const struct model_view *h_citizen_view_of(const struct model_progress *pr, int64_t vid)
{
    for (size_t i = 0; i < pr->n_views; i++)
        if (pr->views[i].video_id == vid)
            return &pr->views[i];
    return NULL;
}

/* How many of v's questions have an answer. */
static size_t h_citizen_answered_in(const struct model_video *v, const struct model_progress *pr)
{
    size_t n = 0;
    for (size_t qi = 0; qi < v->n_questions; qi++)
        n += h_citizen_answer_of(pr->first, pr->n_first, v->questions[qi].id) != NULL;
    return n;
}

/* When v's answers were last sent: the latest attempt's time of its latest answered question
 * (0: none answered). */
static int64_t h_citizen_answered_when(const struct model_video *v,
                                       const struct model_progress *pr)
{
    int64_t when = 0;
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_answer *a = h_citizen_answer_of(pr->latest, pr->n_latest,
                                                           v->questions[qi].id);
        if (a && a->answered_at > when)
            when = a->answered_at;
    }
    return when;
}

static json_t *h_citizen_paragraphs(const char *text)
{
    json_t *list = json_array();
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
            n--;
        if (n)
            json_array_append_new(list, json_stringn_nocheck(p, n));
        if (!end)
            break;
        p = end + 2;
        while (*p == '\n')
            p++;
    }
    return list;
}

static void h_citizen_when(struct app_call *c, json_t *ctx, const char *key, int64_t t)
{
    char buf[64];
    if (!t)
        return;
    clock_format_human(t, h_citizen_code(c), buf, sizeof buf);
    json_object_set_new_nocheck(ctx, key, json_string(buf));
}

/* Text in the citizen's language, Danish where there is no translation. */
static const char *h_citizen_text(struct app_call *c, char *const t[LANG_COUNT])
{
    return t[c->lang] && t[c->lang][0] ? t[c->lang] : t[LANG_DA];
}

/* The page language's code when it is not a built-in content column (da, en), else NULL. */
static const char *h_citizen_other_lang(const struct app_call *c)
{
    return c->ui && strcmp(c->ui->code, "da") != 0 && strcmp(c->ui->code, "en") != 0
               ? c->ui->code
               : NULL;
}

/* A pack text in the page language: the pack's translation at path (content.h) for a
 * language other than Danish and English, else the built-in column, else Danish. */
static const char *h_citizen_tr(struct app_call *c, const struct model_pack *pack,
                                const char *path, char *const t[LANG_COUNT])
{
    const char *tr = content_translation(pack, h_citizen_other_lang(c), path);
    return tr ? tr : h_citizen_text(c, t);
}

static const char *h_citizen_vtr(struct app_call *c, const struct model_pack *pack,
                                 const struct model_video *v, const char *field,
                                 char *const t[LANG_COUNT])
{
    if (!h_citizen_other_lang(c)) /* Danish or English: the built-in columns */
        return h_citizen_text(c, t);
    char path[MODEL_SLUG_MAX + 32];
    snprintf(path, sizeof path, "v.%s.%s", v->slug, field);
    return h_citizen_tr(c, pack, path, t);
}

/* field: "text", "topic", "explanation", or "o<n>" for the n-th option. */
static const char *h_citizen_qtr(struct app_call *c, const struct model_pack *pack,
                                 const struct model_video *v, const struct model_question *q,
                                 const char *field, char *const t[LANG_COUNT])
{
    if (!h_citizen_other_lang(c))
        return h_citizen_text(c, t);
    char path[2 * MODEL_SLUG_MAX + 32];
    snprintf(path, sizeof path, "v.%s.q.%s.%s", v->slug, q->slug, field);
    return h_citizen_tr(c, pack, path, t);
}

static const char *h_citizen_otr(struct app_call *c, const struct model_pack *pack,
                                 const struct model_video *v, const struct model_question *q,
                                 size_t oi)
{
    if (!h_citizen_other_lang(c))
        return h_citizen_text(c, q->options[oi].text);
    char field[24];
    snprintf(field, sizeof field, "o%zu", oi + 1);
    return h_citizen_qtr(c, pack, v, q, field, q->options[oi].text);
}

/* A video's length as every citizen page shows it: whole minutes, rounded up, at least 1
 * (a video without a known length counts as 1).  The progress line's sums are sums of
 * these, so the minutes beside each video always add up to the line's. */
static int h_citizen_video_minutes(const struct model_video *v)
{
    return v->duration_s > 0 ? (v->duration_s + 59) / 60 : 1;
}

/* The progress line's numbers: the whole duration and what is left of it in minutes (sums
 * of h_citizen_video_minutes; left: the videos whose questions are not all answered), and
 * the videos done (pr NULL: none done); with answered, each of the first n_answered
 * videos' questions answered there too. */
static void h_citizen_progress_counts(const struct model_pack *pack,
                                      const struct model_progress *pr, int *total, int *left,
                                      size_t *done, size_t *answered, size_t n_answered)
{
    *total = *left = 0;
    *done = 0;
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        int d = h_citizen_video_minutes(v);
        size_t a = pr ? h_citizen_answered_in(v, pr) : 0;
        if (answered && vi < n_answered)
            answered[vi] = a;
        *total += d;
        if (pr && a == v->n_questions)
            (*done)++;
        else
            *left += d;
    }
}

/* The progress line every citizen page shows: video n of the pack (0: none), the whole
 * duration ("ca. 5 min.") and what is left of it (videos whose questions are not all
 * answered; not for a citizen who declined, who has nothing left to do). */
static void h_citizen_progress(struct app_call *c, const struct model_pack *pack,
                               const struct model_progress *pr, size_t n, bool declined,
                               json_t *ctx)
{
    int total, left;
    size_t done;
    h_citizen_progress_counts(pack, pr, &total, &left, &done, NULL, 0);
    json_t *p = json_object();
    h_citizen_int(p, "videos", (int)pack->n_videos);
    h_citizen_count(c, p, "minutes_total_text", "count_minutes", total);
    h_citizen_count(c, p, "minutes_left_text", "count_minutes", left);
    h_citizen_count(c, p, "videos_text", "count_videos", (long long)pack->n_videos);
    h_citizen_int(p, "videos_done", (int)done);
    if (n)
        json_object_set_new_nocheck(p, "video_n", json_integer((json_int_t)n));
    if (pr && done == pack->n_videos)
        json_object_set_new_nocheck(p, "all_done", json_true());
    else if (pr && done && !declined) /* declined: nothing is "left" to do */
        json_object_set_new_nocheck(p, "some_left", json_true());
    json_object_set_new_nocheck(ctx, "progress", p);
}

/* Whether text, a pack text as h_citizen_tr & co. gave it, is the Danish one (da_text) on a
 * page in another language: the pack has no text in the page's language there. */
static int h_citizen_is_da(const struct app_call *c, const char *text, const char *da_text)
{
    return text && *text && text == da_text && c->ui && strcmp(c->ui->code, "da") != 0;
}

/* Sets key to text in o and, when it is shown in Danish on a page in another language
 * (h_citizen_is_da), mark: the page marks that text lang="da", left to right, for screen
 * readers and for the layout of a right-to-left page.  Each mark's name is used at one
 * level of the context only, so an inner value never finds an outer one's. */
static void h_citizen_str_tr(const struct app_call *c, json_t *o, const char *key,
                             const char *mark, const char *text, const char *da_text)
{
    h_citizen_str(o, key, text);
    if (h_citizen_is_da(c, text, da_text))
        json_object_set_new_nocheck(o, mark, json_true());
}

/* A list item {text, <mark>} for a pack text (the feedback's options, the asked topics). */
static json_t *h_citizen_item_tr(const struct app_call *c, const char *mark, const char *text,
                                 const char *da_text)
{
    json_t *o = json_object();
    h_citizen_str_tr(c, o, "text", mark, text, da_text);
    return o;
}

/* What every citizen page shows that is the same for the pack and the language: the
 * pack's languages, the example notices, the municipality, "citizen". */
static json_t *h_citizen_base_fixed(struct app_call *c, const struct model_pack *pack)
{
    json_t *ctx = json_object();
    /* the languages the pack is in: the built-in Danish and English and its translations */
    json_t *langs = json_array();
    json_array_append_new(langs, json_string_nocheck("da"));
    json_array_append_new(langs, json_string_nocheck("en"));
    const char *code;
    json_t *texts;
    if (pack->translations) {
        json_object_foreach(pack->translations, code, texts) {
            json_array_append_new(langs, json_string(code));
        }
    }
    json_object_set_new_nocheck(ctx, "pack_languages", langs);
    /* a language whose texts are example translations (languages.json) says so */
    if (c->ui && c->ui->example)
        json_object_set_new_nocheck(ctx, "example_translation", json_true());
    json_object_set_new_nocheck(ctx, "place", json_string(c->app->cfg->municipality_name));
    json_t *address = json_array();
    const char *a = c->app->cfg->municipality_address;
    while (*a) {
        size_t len = strcspn(a, "|");
        if (len)
            json_array_append_new(address, json_stringn(a, len));
        a += len + (a[len] == '|');
    }
    json_object_set_new_nocheck(ctx, "place_address", address);
    json_object_set_new_nocheck(ctx, "contact", json_string(c->app->cfg->municipality_contact));
    json_object_set_new_nocheck(ctx, "example_content", json_boolean(pack->example_content));
    json_object_set_new_nocheck(ctx, "citizen", json_true());
    return ctx;
}

/* The first meeting as the pages tell it, formatted into the three buffers (each n bytes,
 * "" when it does not apply): ahead, the planned time while it is still to come; held, the
 * time recorded as held; passed, the planned time once it has passed without a record.
 * Returns whether the meeting is over (held or passed: no decline, no moving it). */
static int h_citizen_meeting_texts(struct app_call *c, char *ahead, char *held, char *passed,
                                   size_t n)
{
    struct meeting_state ms;
    const char *code = h_citizen_code(c);
    ahead[0] = held[0] = passed[0] = '\0';
    meeting_state(&c->enrolment, clock_now(), &ms);
    if (ms.held_at)
        clock_format_human(ms.held_at, code, held, n);
    else if (ms.over && ms.planned_at)
        clock_format_human(ms.planned_at, code, passed, n);
    else if (ms.planned_at)
        clock_format_human(ms.planned_at, code, ahead, n);
    return ms.over;
}

/* The same into ctx: "meeting", "meeting_held", "meeting_passed" (each only when it
 * applies), "meeting_over", and "meeting_any" when there is one of the three. */
static void h_citizen_meeting(struct app_call *c, json_t *ctx)
{
    char ahead[64], held[64], passed[64];
    int over = h_citizen_meeting_texts(c, ahead, held, passed, sizeof ahead);
    if (ahead[0])
        h_citizen_str(ctx, "meeting", ahead);
    if (held[0])
        h_citizen_str(ctx, "meeting_held", held);
    if (passed[0])
        h_citizen_str(ctx, "meeting_passed", passed);
    h_citizen_bool(ctx, "meeting_over", over);
    h_citizen_bool(ctx, "meeting_any", ahead[0] || held[0] || passed[0]);
}

/* The group's name and the meeting into ctx. */
static void h_citizen_base_own(struct app_call *c, const struct model_pack *pack, json_t *ctx)
{
    struct model_group g;
    if (store_group_by_id(c->st, c->enrolment.group_id, &g) == STORE_OK) {
        h_citizen_str_tr(c, ctx, "group_name", "group_da",
                         h_citizen_tr(c, pack, "group.name", g.name), g.name[LANG_DA]);
        model_group_clear(&g);
    }
    h_citizen_meeting(c, ctx);
}

/* What every citizen page shows: the above, the group, the meeting. */
static json_t *h_citizen_base(struct app_call *c, const struct model_pack *pack)
{
    json_t *ctx = h_citizen_base_fixed(c, pack);
    h_citizen_base_own(c, pack, ctx);
    return ctx;
}

/* Appends n in decimal at p (room for 20 digits); returns the end. */
static char *h_citizen_put_size(char *p, size_t n)
{
    char digits[20];
    size_t k = 0;
    do
        digits[k++] = (char)('0' + n % 10);
    while ((n /= 10) && k < sizeof digits);
    while (k)
        *p++ = digits[--k];
    return p;
}

/* The <title> of a video's pages: "[Fejl: ][<prefix>: ]Video n af m: <title>" (every
 * part a checked string: the strings' and the pack's texts are checked when loaded). */
static void h_citizen_title_buf(struct app_call *c, struct buf *b, const char *prefix,
                                size_t n, size_t of, const char *title, int errors)
{
    char num[24], *end;
    if (errors) {
        buf_puts(b, app_text(c, "title_error_prefix"));
        buf_puts(b, ": ");
    }
    if (prefix) {
        buf_puts(b, prefix);
        buf_puts(b, ": ");
    }
    buf_puts(b, app_text(c, "video_label"));
    buf_putc(b, ' ');
    end = h_citizen_put_size(num, n);
    buf_append(b, num, (size_t)(end - num));
    buf_putc(b, ' ');
    buf_puts(b, app_text(c, "video_of"));
    buf_putc(b, ' ');
    end = h_citizen_put_size(num, of);
    buf_append(b, num, (size_t)(end - num));
    buf_puts(b, ": ");
    buf_puts(b, title ? title : "");
}

/* The same as the page's "page_title" in ctx. */
static void h_citizen_title(struct app_call *c, json_t *ctx, const char *prefix, size_t n,
                            size_t of, const char *title, int errors)
{
    struct buf b = {0};
    h_citizen_title_buf(c, &b, prefix, n, of, title, errors);
    json_object_set_new_nocheck(ctx, "page_title", json_stringn_nocheck(b.data, b.len));
    buf_free(&b);
}

/* The most fields an answer form may hold: csrf, the page's language, every option of
 * every question chosen and an asked-about mark per question (the pack rules, model.h). */
#define H_CITIZEN_ANSWER_FIELDS (2 + MODEL_MAX_QUESTIONS * (MODEL_MAX_OPTIONS + 1))

/* Parses the form body; on failure replies (400/403) and returns -1.  It may have [server]
 * max_form_fields fields, or as many as an answer form may legally hold when that is more. */
static int h_citizen_form(struct app_call *c, struct form *f)
{
    const struct config *cfg = c->app->cfg;
    size_t fields = cfg->max_form_fields > H_CITIZEN_ANSWER_FIELDS ? cfg->max_form_fields
                                                                   : H_CITIZEN_ANSWER_FIELDS;
    memset(f, 0, sizeof *f);
    if (form_parse(c->req->body, c->req->body_len, fields, cfg->max_field_length, f) !=
        FORM_OK) {
        app_page_error(c, 400, "bad_request");
        return -1;
    }
    const char *csrf = form_get(f, "csrf");
    if (!csrf || !token_equal(csrf, c->csrf)) {
        form_free(f);
        app_page_error(c, 403, "forbidden");
        return -1;
    }
    return 0;
}

static void h_citizen_redirect(struct app_call *c, const char *path)
{
    http_reply_redirect(c->rep, 303, path);
}

/* ------------------------------------------------------------------ link */

void h_citizen_home(struct app_call *c)
{
    json_t *ctx = json_object();
    app_sessionless_language(c, ctx);
    app_page(c, 200, "home", ctx);
}

void h_citizen_link(struct app_call *c)
{
    struct app *app = c->app;
    const char *ip = c->req->client_ip;
    int64_t now = clock_now();
    char session[TOKEN_LEN + 1];
    if (guard_blocked(c->st, app->vault, &app->link_guard, ip, now)) {
        app_page_error(c, 429, "too_many_requests");
        http_reply_header(c->rep, "Retry-After", "60");
        return;
    }
    /* a HEAD (link scanners) only learns whether the link is good: no session */
    int head = c->req->method == ROUTER_HEAD;
    enum progress_link r = progress_open_link(c->st, c->req->match->params[0], now,
                                              app->cfg->session_hours, head ? NULL : session,
                                              &c->enrolment);
    if (r == LINK_UNKNOWN || r == LINK_EXPIRED || r == LINK_CLOSED) {
        guard_hit(c->st, app->vault, &app->link_guard, ip, now);
        app_page_error(c, r == LINK_UNKNOWN ? 404 : 410,
                       r == LINK_UNKNOWN   ? "link_unknown"
                       : r == LINK_CLOSED ? "link_closed"
                                          : "link_expired");
        return;
    }
    if (r == LINK_FULL) {
        app_reply_full(c, false);
        return;
    }
    if (r != LINK_OK) {
        h_citizen_fail(c);
        return;
    }
    if (head) {
        h_citizen_redirect(c, "/borger");
        return;
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Lax%s",
             APP_CITIZEN_COOKIE, session, app->cfg->session_hours * 3600,
             app_cookie_secure(c));
    http_reply_header(c->rep, "Set-Cookie", cookie);
    h_citizen_redirect(c, "/borger");
}

/* ------------------------------------------------------------------ overview */

/* Adds what the overview and the receipt both show: the videos with their state, the
 * answered/total counts, the next video to do, and the topics marked to ask about; with
 * watching (the receipt), what is known of each video's playback and all_watched. */
/* The names of the holes of a pre-rendered video page (tmpl_prerender): per question qi
 * "a<qi>" asked, "b<qi>" answered before, "e<qi>" error, "p<k>.<qi>" problem k, per option
 * "c<qi>.<oi>" checked; the video's "vm" media, "vmm" media missing, "vnp" no player. */
/* "<kind><a>" or "<kind><a>.<b>" (without snprintf: a page names dozens of holes). */
static void h_citizen_hole_name(char *out, size_t len, const char *kind, size_t a, size_t b,
                                int two)
{
    char tmp[96];
    size_t k = strlen(kind);
    if (k <= sizeof tmp - 2 * 20 - 2) {
        memcpy(tmp, kind, k);
        char *p = h_citizen_put_size(tmp + k, a);
        if (two) {
            *p++ = '.';
            p = h_citizen_put_size(p, b);
        }
        if ((size_t)(p - tmp) < len) {
            memcpy(out, tmp, (size_t)(p - tmp));
            out[p - tmp] = '\0';
            return;
        }
    }
    if (two) /* does not fit (not with the callers' buffers): cut as snprintf cuts */
        snprintf(out, len, "%s%zu.%zu", kind, a, b);
    else
        snprintf(out, len, "%s%zu", kind, a);
}

/* Sets o[key] to true when on (holes NULL); with holes, o[key] is the hole name. */
static void h_citizen_flag_or_hole(json_t *o, const char *key, int on, int holes,
                                   const char *name)
{
    if (holes)
        json_object_set_new_nocheck(o, key, tmpl_hole(name));
    else if (on)
        json_object_set_new_nocheck(o, key, json_true());
}

/* The overview's and the receipt's list of videos, {"videos": [...]}: with holes, the
 * citizen's values are holes ("d<vi>" done, "n<vi>" answered; watching: "w<vi>" watched,
 * "t<vi>" what is known of the playback) and pr is unused. */
static json_t *h_citizen_videos_data(struct app_call *c, const struct model_pack *pack,
                                     const struct model_progress *pr, int watching, int holes)
{
    json_t *data = json_object(), *videos = json_array();
    char hole[32];
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        size_t a = holes ? 0 : h_citizen_answered_in(v, pr);
        json_t *item = json_object();
        h_citizen_int(item, "n", (int)vi + 1);
        h_citizen_str_tr(c, item, "title", "title_da", h_citizen_vtr(c, pack, v, "title", v->title),
                         v->title[LANG_DA]);
        h_citizen_str_tr(c, item, "summary", "summary_da",
                         h_citizen_vtr(c, pack, v, "summary", v->summary), v->summary[LANG_DA]);
        h_citizen_count(c, item, "minutes_text", "count_minutes", h_citizen_video_minutes(v));
        h_citizen_count(c, item, "questions_text", "count_of_questions", (long long)v->n_questions);
        h_citizen_hole_name(hole, sizeof hole, "d", vi, 0, 0);
        if (holes)
            json_object_set_new_nocheck(item, "done", tmpl_hole(hole));
        else
            h_citizen_bool(item, "done", a == v->n_questions);
        h_citizen_hole_name(hole, sizeof hole, "n", vi, 0, 0);
        if (holes)
            json_object_set_new_nocheck(item, "answered", tmpl_hole(hole));
        else
            h_citizen_int(item, "answered", (int)a);
        h_citizen_int(item, "questions", (int)v->n_questions);
        if (watching && holes) {
            h_citizen_hole_name(hole, sizeof hole, "w", vi, 0, 0);
            json_object_set_new_nocheck(item, "watched", tmpl_hole(hole));
            h_citizen_hole_name(hole, sizeof hole, "t", vi, 0, 0);
            json_object_set_new_nocheck(item, "watch_text", tmpl_hole(hole));
            h_citizen_hole_name(hole, sizeof hole, "u", vi, 0, 0);
            json_object_set_new_nocheck(item, "answered_at", tmpl_hole(hole));
        } else if (watching) {
            h_citizen_when(c, item, "answered_at", h_citizen_answered_when(v, pr));
            struct watch_facts wf;
            struct buf said = {0};
            progress_watch_facts(pr, v, &wf);
            watch_sentence_citizen(&wf, app_strings(c), &said);
            json_object_set_new_nocheck(item, "watched", json_boolean(wf.to_end));
            json_object_set_new_nocheck(item, "watch_text",
                                        json_string(said.data ? said.data : ""));
            buf_free(&said);
        }
        json_array_append_new(videos, item);
    }
    json_object_set_new_nocheck(data, "videos", videos);
    if (!watching)
        h_citizen_validity_json(c, pack, 0, data);
    return data;
}

/* Adds what the overview and the receipt both show: the videos with their state (with pre,
 * only the values of h_citizen_videos_data's holes: the list is pre-rendered), the
 * answered/total counts, the next video to do, and the topics marked to ask about; with
 * watching (the receipt), what is known of each video's playback and all_watched. */
static void h_citizen_summary(struct app_call *c, const struct model_pack *pack,
                              const struct model_progress *pr, int watching, int pre,
                              json_t *ctx)
{
    json_t *topics = json_array();
    size_t answered = 0, total = 0, next = 0;
    int all_watched = pack->n_videos > 0;
    char hole[32];
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        size_t a = h_citizen_answered_in(v, pr);
        int done = a == v->n_questions;
        answered += a;
        total += v->n_questions;
        if (!done && !next)
            next = vi + 1;
        if (pre) {
            h_citizen_hole_name(hole, sizeof hole, "d", vi, 0, 0);
            if (done)
                json_object_set_new_nocheck(ctx, hole, json_true());
            h_citizen_hole_name(hole, sizeof hole, "n", vi, 0, 0);
            json_object_set_new_nocheck(ctx, hole, json_integer((json_int_t)a));
        }
        if (watching) {
            struct watch_facts wf;
            progress_watch_facts(pr, v, &wf);
            all_watched &= wf.to_end;
            if (pre) {
                struct buf said = {0};
                watch_sentence_citizen(&wf, app_strings(c), &said);
                h_citizen_hole_name(hole, sizeof hole, "w", vi, 0, 0);
                if (wf.to_end)
                    json_object_set_new_nocheck(ctx, hole, json_true());
                h_citizen_hole_name(hole, sizeof hole, "t", vi, 0, 0);
                json_object_set_new_nocheck(ctx, hole, json_string(said.data ? said.data : ""));
                buf_free(&said);
                h_citizen_hole_name(hole, sizeof hole, "u", vi, 0, 0);
                h_citizen_when(c, ctx, hole, h_citizen_answered_when(v, pr));
            }
        }
        for (size_t qi = 0; qi < v->n_questions; qi++)
            if (h_citizen_asked(pr, v->questions[qi].id))
                json_array_append_new(
                    topics, h_citizen_item_tr(c, "topic_da",
                                              h_citizen_qtr(c, pack, v, &v->questions[qi],
                                                            "topic", v->questions[qi].topic),
                                              v->questions[qi].topic[LANG_DA]));
    }
    if (!pre) {
        json_t *data = h_citizen_videos_data(c, pack, pr, watching, 0);
        json_object_update(ctx, data);
        json_decref(data);
    }
    if (watching)
        json_object_set_new_nocheck(ctx, "all_watched", json_boolean(all_watched));
    json_object_set_new_nocheck(ctx, "has_asked", json_boolean(json_array_size(topics) > 0));
    json_object_set_new_nocheck(ctx, "asked_topics", topics);
    json_object_set_new_nocheck(ctx, "answered", json_integer((json_int_t)answered));
    json_object_set_new_nocheck(ctx, "total", json_integer((json_int_t)total));
    h_citizen_count(c, ctx, "total_text", "count_of_questions", (long long)total);
    json_object_set_new_nocheck(ctx, "percent",
                        json_integer(total ? (json_int_t)(answered * 100 / total) : 0));
    json_object_set_new_nocheck(ctx, "started", json_boolean(answered > 0));
    /* something to show on the receipt: an answer, or a video's page opened */
    json_object_set_new_nocheck(ctx, "documented", json_boolean(answered > 0 || pr->n_views > 0));
    json_object_set_new_nocheck(ctx, "declined", json_boolean(c->enrolment.declined_at != 0));
    if (next)
        json_object_set_new_nocheck(ctx, "next_n", json_integer((json_int_t)next));
}

void h_citizen_overview(struct app_call *c)
{
    const struct model_pack *pack = h_citizen_pack(c);
    struct model_progress pr;
    if (!pack || store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    const struct h_citizen_pre *body = h_citizen_pre_get(c, pack, 'o', 0);
    const struct h_citizen_pre *layout = h_citizen_pre_get(c, pack, 'L', 0);
    if (body && layout) {
        /* pre-rendered body and layout: only the holes' values, no JSON */
        struct h_citizen_now w;
        h_citizen_now_init(&w, c, pack, &pr, 0);
        h_citizen_page_at(c, 200, &w, body, NULL, layout);
        h_citizen_now_clear(&w);
    } else {
        json_t *ctx = h_citizen_base(c, pack);
        h_citizen_summary(c, pack, &pr, 0, 0, ctx);
        h_citizen_progress(c, pack, &pr, 0, c->enrolment.declined_at != 0, ctx);
        json_object_set_new_nocheck(
            ctx, "completed",
            json_boolean(json_integer_value(json_object_get(ctx, "answered")) ==
                         json_integer_value(json_object_get(ctx, "total"))));
        app_page(c, 200, "citizen/overview", ctx);
    }
    model_progress_clear(&pr);
}

/* ------------------------------------------------------------------ video and answers */

struct h_citizen_submitted {
    const struct progress_choice *choices;
    size_t n_choices;
    const struct progress_problems *problems;
    const int64_t *asked;
    size_t n_asked;
};

/* The captions of v in the language code (WebVTT), or NULL when it has none. */
static const char *h_citizen_captions_in(const struct model_pack *pack,
                                         const struct model_video *v, const char *code)
{
    const char *vtt = NULL;
    if (strcmp(code, "da") == 0 || strcmp(code, "en") == 0) {
        vtt = v->captions[model_lang_from_code(code)];
    } else {
        char path[MODEL_SLUG_MAX + 16];
        snprintf(path, sizeof path, "v.%s.captions", v->slug);
        vtt = content_translation(pack, code, path);
    }
    return vtt && *vtt ? vtt : NULL;
}

/* What of a video page is the citizen's, the same for both ways of making it. */

/* Whether question q is marked to ask about: as submitted, else as stored. */
static int h_citizen_q_asked(const struct model_progress *pr, const struct h_citizen_submitted *sub,
                             const struct model_question *q)
{
    int asked = 0;
    if (!sub)
        return h_citizen_asked(pr, q->id);
    for (size_t i = 0; i < sub->n_asked; i++)
        asked |= sub->asked[i] == q->id;
    return asked;
}

/* Whether option oi of q was chosen in the submitted form (nothing is, without one). */
static int h_citizen_o_checked(const struct h_citizen_submitted *sub,
                               const struct model_question *q, size_t oi)
{
    const struct progress_choice *ch = NULL;
    int checked = 0;
    for (size_t i = 0; sub && i < sub->n_choices; i++)
        if (sub->choices[i].question_id == q->id)
            ch = &sub->choices[i];
    for (size_t i = 0; ch && i < ch->n_options; i++)
        checked |= ch->options[i] == q->options[oi].id;
    return checked;
}

static const char *const h_citizen_problem_names[] = {"missing", "one_only", "invalid"};

static size_t h_citizen_problem_index(int kind)
{
    return kind == PROBLEM_MISSING ? 0 : kind == PROBLEM_ONE_ONLY ? 1 : 2;
}

/* The kinds of the form's problems with question qi, one bit each (problem_index). */
static unsigned h_citizen_q_problems(const struct h_citizen_submitted *sub, size_t qi)
{
    unsigned bits = 0;
    for (size_t i = 0; sub && sub->problems && i < sub->problems->n; i++)
        if (sub->problems->items[i].question_index == qi)
            bits |= 1u << h_citizen_problem_index(sub->problems->items[i].kind);
    return bits;
}

/* The video's file: 0 none, 1 named but not (yet) on this server, 2 there. */
static int h_citizen_media_state(struct app_call *c, const struct model_video *v)
{
    if (!v->media || !v->media[0])
        return 0;
    return files_readable_recent(c->app->cfg->media_dir, v->media, 1000) ? 2 : 1;
}

/* The video page's values {video, questions, total_videos, prev_n}: with holes, the
 * citizen's values are holes (pr and sub unused) and the rest is the same for every
 * citizen on this pack version, video and language (pre-rendered once). */
static json_t *h_citizen_video_data(struct app_call *c, const struct model_pack *pack, size_t n,
                                    const struct model_progress *pr,
                                    const struct h_citizen_submitted *sub, int holes)
{
    const struct model_video *v = content_video_at(pack, n);
    json_t *data = json_object();
    json_t *questions = json_array(), *captions = json_array();
    char hole[48];
    /* the language the form is shown in, sent back with it: the answers are recorded as
     * given in it, whatever the session's language is by then (another tab, Back after
     * switching) */
    h_citizen_str(data, "form_lang", h_citizen_code(c));
    /* a track for every language the video has captions in: the built-in Danish and
     * English, and the pack's translations; the page language's is the default */
    for (size_t l = 0; l < c->app->langs.n; l++) {
        const struct lang_info *li = &c->app->langs.items[l];
        const char *vtt = h_citizen_captions_in(pack, v, li->code);
        if (!vtt)
            continue;
        char src[96];
        snprintf(src, sizeof src, "/borger/video/%zu/tekst/%s", n, li->code);
        json_t *track = json_object();
        h_citizen_str(track, "src", src);
        h_citizen_str(track, "srclang", li->code);
        h_citizen_str(track, "label", li->name);
        h_citizen_bool(track, "default", c->ui ? li == c->ui : strcmp(li->code, "da") == 0);
        json_array_append_new(captions, track);
    }
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        json_t *options = json_array();
        for (size_t oi = 0; oi < q->n_options; oi++) {
            char input_id[48];
            snprintf(input_id, sizeof input_id, "q%lld-%zu", (long long)q->id, oi + 1);
            json_t *opt = json_object();
            h_citizen_int(opt, "id", (json_int_t)q->options[oi].id);
            h_citizen_str_tr(c, opt, "text", "opt_da", h_citizen_otr(c, pack, v, q, oi),
                             q->options[oi].text[LANG_DA]);
            h_citizen_str(opt, "input_id", input_id);
            h_citizen_hole_name(hole, sizeof hole, "c", qi, oi, 1);
            if (holes)
                json_object_set_new_nocheck(opt, "checked", tmpl_hole(hole));
            else
                h_citizen_bool(opt, "checked", h_citizen_o_checked(sub, q, oi));
            json_array_append_new(options, opt);
        }
        char name[32];
        snprintf(name, sizeof name, "q%lld", (long long)q->id);
        json_t *jq = json_object();
        h_citizen_int(jq, "id", (json_int_t)q->id);
        h_citizen_int(jq, "number", (int)qi + 1);
        h_citizen_str(jq, "name", name);
        h_citizen_str_tr(c, jq, "text", "q_da", h_citizen_qtr(c, pack, v, q, "text", q->text),
                         q->text[LANG_DA]);
        h_citizen_bool(jq, "multiple", q->multiple);
        h_citizen_str(jq, "topic", h_citizen_qtr(c, pack, v, q, "topic", q->topic));
        json_object_set_new_nocheck(jq, "options", options);
        h_citizen_hole_name(hole, sizeof hole, "a", qi, 0, 0);
        if (holes)
            json_object_set_new_nocheck(jq, "asked", tmpl_hole(hole));
        else
            h_citizen_bool(jq, "asked", h_citizen_q_asked(pr, sub, q));
        h_citizen_hole_name(hole, sizeof hole, "b", qi, 0, 0);
        if (holes)
            json_object_set_new_nocheck(jq, "answered_before", tmpl_hole(hole));
        else
            h_citizen_bool(jq, "answered_before",
                           h_citizen_answer_of(pr->latest, pr->n_latest, q->id) != NULL);
        unsigned problems = holes ? 0 : h_citizen_q_problems(sub, qi);
        h_citizen_hole_name(hole, sizeof hole, "e", qi, 0, 0);
        h_citizen_flag_or_hole(jq, "error", problems != 0, holes, hole);
        for (size_t k = 0; k < 3; k++) {
            h_citizen_hole_name(hole, sizeof hole, "p", k, qi, 1);
            h_citizen_flag_or_hole(jq, h_citizen_problem_names[k], problems & (1u << k), holes,
                                   hole);
        }
        json_array_append_new(questions, jq);
    }
    json_t *video = json_object();
    h_citizen_int(video, "n", (int)n);
    h_citizen_count(c, video, "minutes_text", "count_minutes", h_citizen_video_minutes(v));
    h_citizen_str_tr(c, video, "title", "title_da", h_citizen_vtr(c, pack, v, "title", v->title),
                     v->title[LANG_DA]);
    h_citizen_str_tr(c, video, "summary", "summary_da",
                     h_citizen_vtr(c, pack, v, "summary", v->summary), v->summary[LANG_DA]);
    json_object_set_new_nocheck(video, "captions", captions);
    const char *transcript = h_citizen_vtr(c, pack, v, "transcript", v->transcript);
    json_object_set_new_nocheck(video, "transcript", h_citizen_paragraphs(transcript));
    if (h_citizen_is_da(c, transcript, v->transcript[LANG_DA]))
        json_object_set_new_nocheck(video, "transcript_da", json_true());
    /* the video's own legal basis, else its pack's; the last day it is valid (its own or
     * its pack's, the earlier), written as the page's other dates are */
    h_citizen_str(video, "legal_basis", *v->legal_basis ? v->legal_basis : pack->legal_basis);
    const char *valid_from, *valid_to;
    char day[64];
    content_video_days(pack, v, &valid_from, &valid_to);
    if (clock_format_human_day(valid_to, h_citizen_code(c), day, sizeof day) == 0)
        h_citizen_str(video, "valid_to", day);
    h_citizen_validity_json(c, pack, n, video);
    /* a video whose file is not (yet) on this server: the page says so and opens the
     * transcript instead of showing a player that cannot play (h_citizen_video records
     * that the page was shown so, and the record says the video could not be shown);
     * without a player the page's script still reports a text version opened */
    /* the file's type as its name says (an upload is stored as <sha256>.mp4 or .webm): a
     * browser that cannot play it skips it instead of fetching it */
    size_t ml = strlen(v->media);
    h_citizen_str(video, "media_type",
                  ml > 5 && strcmp(v->media + ml - 5, ".webm") == 0 ? "video/webm" : "video/mp4");
    int media = holes ? 0 : h_citizen_media_state(c, v);
    h_citizen_flag_or_hole(video, "media_missing", media == 1, holes, "vmm");
    if (holes) {
        json_object_set_new_nocheck(video, "media", tmpl_hole("vm"));
    } else if (media == 2) {
        char src[320];
        snprintf(src, sizeof src, "/media/%s", v->media);
        json_object_set_new_nocheck(video, "media", json_string(src));
    }
    h_citizen_flag_or_hole(video, "no_player", media != 2, holes, "vnp");
    json_object_set_new_nocheck(data, "video", video);
    json_object_set_new_nocheck(data, "questions", questions);
    h_citizen_int(data, "total_videos", (json_int_t)pack->n_videos);
    if (n > 1)
        h_citizen_int(data, "prev_n", (json_int_t)n - 1);
    return data;
}

/* The layout's values on a citizen page of pack in the call's language, as app_page adds
 * them (the language, the switch's list of the pack's languages) and as h_citizen_base
 * does (example content and translation notices, "citizen"), with holes for the values of
 * each page and request. */
static json_t *h_citizen_layout_data(struct app_call *c, const struct model_pack *pack)
{
    const struct lang_info *ui = c->ui ? c->ui : lang_find(&c->app->langs, "da");
    json_t *data = json_object(), *base = h_citizen_base_fixed(c, pack);
    json_object_set(data, "t", ui->strings);
    h_citizen_str(data, "lang", ui->code);
    h_citizen_str(data, "dir", ui->rtl ? "rtl" : "ltr");
    h_citizen_bool(data, "lang_da", strcmp(ui->code, "da") == 0);
    if (c->app->langs.n > 1)
        json_object_set_new_nocheck(data, "languages",
                                    lang_list_json(&c->app->langs, ui->code,
                                                   json_object_get(base, "pack_languages")));
    json_object_update(data, base);
    json_decref(base);
    json_object_del(data, "pack_languages");
    /* never on a citizen page (a staff page's, a page without a session's) */
    h_citizen_bool(data, "staff_page", 0);
    h_citizen_bool(data, "staff", 0);
    h_citizen_bool(data, "link_switch", 0);
    if (!json_object_get(data, "example_translation"))
        h_citizen_bool(data, "example_translation", 0);
    static const char *const holes[] = {"csrf", "back", "page_title", "body"};
    for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
        json_object_set_new_nocheck(data, holes[i], tmpl_hole(holes[i]));
    return data;
}

/* The bodies of the video pages, the overview and the receipt pre-rendered per published
 * pack version (and video) and language (h_citizen_video_data or h_citizen_videos_data
 * with holes, tmpl_prerender), made when first asked for and kept for the process's life:
 * a published version never changes (a new one has a new pack id, and is pre-rendered
 * when a citizen on it first opens a page).  Readers scan without a lock (an entry is
 * complete before the count that shows it); makers take the lock. */
#define H_CITIZEN_PRE_MAX 4096

/* The most holes a page filled by position has (a video page: about ten per question);
 * a page with more is made as usual. */
#define H_CITIZEN_HOLES_MAX 512

/* What a hole of a page filled by position holds.  Its name (tmpl_hole) is the kind's
 * prefix and its numbers (h_citizen_hole_name): the video page's per question qi
 * "c<qi>.<oi>" option oi checked, "a<qi>" asked about, "b<qi>" answered before, "e<qi>"
 * an error, "p<k>.<qi>" problem k, and the video's "vm" media, "vmm" media missing, "vnp"
 * no player; the overview's per video vi "d<vi>" done and "n<vi>" answered, and
 * h_citizen_overview_holes'; the layout's csrf, back, page_title and body, and the
 * progress line's (h_citizen_layout_data_at). */
enum h_citizen_hk {
    HK_CHECKED, HK_ASKED, HK_BEFORE, HK_ERROR, HK_PROBLEM, HK_MEDIA, HK_MEDIA_MISSING,
    HK_NO_PLAYER, HK_DONE, HK_N_ANSWERED, HK_ANSWERED, HK_TOTAL, HK_PERCENT, HK_GROUP,
    HK_MEETING, HK_NEXT, HK_DECLINED, HK_COMPLETED, HK_STARTED, HK_CSRF, HK_BACK, HK_TITLE,
    HK_BODY, HK_P_LEFT, HK_P_DONE, HK_P_VIDEO, HK_P_ALL, HK_P_SOME, HK_GROUP_DA,
    HK_MEETING_HELD, HK_MEETING_PASSED, HK_MEETING_OVER, HK_TOTAL_TEXT
};

static const struct {
    const char *prefix;
    enum h_citizen_hk kind;
    unsigned nums; /* numbers after the prefix, '.' between two */
} h_citizen_hks[] = {
    {"c", HK_CHECKED, 2},      {"a", HK_ASKED, 1},         {"b", HK_BEFORE, 1},
    {"e", HK_ERROR, 1},        {"p", HK_PROBLEM, 2},       {"vm", HK_MEDIA, 0},
    {"vmm", HK_MEDIA_MISSING, 0}, {"vnp", HK_NO_PLAYER, 0}, {"d", HK_DONE, 1},
    {"n", HK_N_ANSWERED, 1},   {"sa", HK_ANSWERED, 0},     {"st", HK_TOTAL, 0},
    {"sp", HK_PERCENT, 0},     {"sg", HK_GROUP, 0},        {"sm", HK_MEETING, 0},
    {"sn", HK_NEXT, 0},        {"sd", HK_DECLINED, 0},     {"sc", HK_COMPLETED, 0},
    {"ss", HK_STARTED, 0},     {"csrf", HK_CSRF, 0},       {"back", HK_BACK, 0},
    {"page_title", HK_TITLE, 0}, {"body", HK_BODY, 0},     {"Pl", HK_P_LEFT, 0},
    {"Pd", HK_P_DONE, 0},      {"Pn", HK_P_VIDEO, 0},      {"Pa", HK_P_ALL, 0},
    {"Ps", HK_P_SOME, 0},      {"sG", HK_GROUP_DA, 0},     {"sh", HK_MEETING_HELD, 0},
    {"sq", HK_MEETING_PASSED, 0}, {"so", HK_MEETING_OVER, 0},  {"sT", HK_TOTAL_TEXT, 0},
};

struct h_citizen_hole {
    enum h_citizen_hk kind;
    unsigned a, b; /* the name's numbers */
};

/* Reads hole name s into h; 0, or -1 for a name that is none of h_citizen_hks'. */
static int h_citizen_hole_parse(const char *s, struct h_citizen_hole *h)
{
    size_t k = strcspn(s, "0123456789");
    for (size_t i = 0; i < sizeof h_citizen_hks / sizeof h_citizen_hks[0]; i++) {
        if (strlen(h_citizen_hks[i].prefix) != k || memcmp(s, h_citizen_hks[i].prefix, k) != 0)
            continue;
        const char *p = s + k;
        unsigned num[2] = {0, 0};
        for (unsigned j = 0; j < h_citizen_hks[i].nums; j++) {
            if (j && *p++ != '.')
                return -1;
            if (*p < '0' || *p > '9')
                return -1;
            char *end;
            unsigned long x = strtoul(p, &end, 10);
            if (x > 65535)
                return -1;
            num[j] = (unsigned)x;
            p = end;
        }
        if (*p)
            return -1;
        h->kind = h_citizen_hks[i].kind;
        h->a = num[0];
        h->b = num[1];
        return 0;
    }
    return -1;
}

struct h_citizen_pre {
    int64_t pack_id;
    int version;
    const struct lang_info *ui;
    char kind; /* 'v' video page n, 'o' overview, 'L' the layout for these two (holes by
                  position); 'r' receipt, 'l' the layout for the others (holes by name) */
    size_t n;
    enum content_validity validity; /* 'v', 'o': what the page's validity notice says
                                       (h_citizen_validity); a new one once the day
                                       changes it */
    tmpl_pre *pre; /* NULL: this one cannot be pre-rendered; made as usual */
    struct h_citizen_hole *holes; /* 'v', 'o', 'L': what each hole holds, by its number */
    size_t n_holes;
    char *title; /* 'v': the page's <title> when the form has no errors */
};
static struct h_citizen_pre h_citizen_pres[H_CITIZEN_PRE_MAX];
static _Atomic size_t h_citizen_n_pres;
static pthread_mutex_t h_citizen_pre_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct h_citizen_pre *h_citizen_pre_find(const struct model_pack *pack,
                                                      const struct lang_info *ui, char kind,
                                                      size_t n, enum content_validity validity,
                                                      size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct h_citizen_pre *e = &h_citizen_pres[i];
        if (e->pack_id == pack->id && e->version == pack->version && e->ui == ui &&
            e->kind == kind && e->n == n && e->validity == validity)
            return e;
    }
    return NULL;
}

/* The overview's own values as holes, beside h_citizen_videos_data's (its by-name
 * counterparts: h_citizen_summary, h_citizen_base_own). */
static void h_citizen_overview_holes(json_t *fixed)
{
    static const char *const names[][2] = {
        {"answered", "sa"}, {"total", "st"},     {"percent", "sp"},
        {"group_name", "sg"}, {"group_da", "sG"}, {"meeting", "sm"}, {"next_n", "sn"},
        {"declined", "sd"}, {"completed", "sc"}, {"started", "ss"},
        {"meeting_held", "sh"}, {"meeting_passed", "sq"}, {"meeting_over", "so"},
        {"total_text", "sT"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_set_new_nocheck(fixed, names[i][0], tmpl_hole(names[i][1]));
}

/* The layout of the pages with holes by position: h_citizen_layout_data with the progress
 * line's values, the pack's fixed and the citizen's as holes (h_citizen_progress). */
static json_t *h_citizen_layout_data_at(struct app_call *c, const struct model_pack *pack)
{
    json_t *data = h_citizen_layout_data(c, pack), *p = json_object();
    int total, left;
    size_t done;
    h_citizen_progress_counts(pack, NULL, &total, &left, &done, NULL, 0);
    h_citizen_int(p, "videos", (int)pack->n_videos);
    h_citizen_count(c, p, "minutes_total_text", "count_minutes", total);
    h_citizen_count(c, p, "videos_text", "count_videos", (long long)pack->n_videos);
    static const char *const names[][2] = {{"minutes_left_text", "Pl"}, {"videos_done", "Pd"},
                                           {"video_n", "Pn"},      {"all_done", "Pa"},
                                           {"some_left", "Ps"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_set_new_nocheck(p, names[i][0], tmpl_hole(names[i][1]));
    json_object_set_new_nocheck(data, "progress", p);
    return data;
}

/* What pre's holes hold (h_citizen_hole_parse), into e; -1 when one is none of those or
 * there are more than a page's render takes. */
static int h_citizen_pre_holes(struct h_citizen_pre *e)
{
    size_t n = tmpl_pre_holes(e->pre);
    if (n > H_CITIZEN_HOLES_MAX)
        return -1;
    e->holes = xcalloc(n ? n : 1, sizeof *e->holes);
    e->n_holes = n;
    for (size_t i = 0; i < n; i++)
        if (h_citizen_hole_parse(tmpl_pre_hole_name(e->pre, i), &e->holes[i]) != 0) {
            free(e->holes);
            e->holes = NULL;
            e->n_holes = 0;
            return -1;
        }
    return 0;
}

static const struct h_citizen_pre *h_citizen_pre_get(struct app_call *c,
                                                     const struct model_pack *pack, char kind,
                                                     size_t n)
{
    if (!prerender_enabled() || strcmp(pack->state, "draft") == 0)
        return NULL;
    struct content_validity_info vi = {.state = CONTENT_IN_FORCE};
    if (kind == 'v' || kind == 'o')
        h_citizen_validity(c, pack, kind == 'v' ? n : 0, &vi);
    const struct h_citizen_pre *e =
        h_citizen_pre_find(pack, c->ui, kind, n, vi.state,
                           atomic_load_explicit(&h_citizen_n_pres, memory_order_acquire));
    if (e)
        return e->pre ? e : NULL;
    pthread_mutex_lock(&h_citizen_pre_lock);
    size_t count = atomic_load_explicit(&h_citizen_n_pres, memory_order_relaxed);
    e = h_citizen_pre_find(pack, c->ui, kind, n, vi.state, count);
    if (!e && count < H_CITIZEN_PRE_MAX) {
        struct h_citizen_pre *made = &h_citizen_pres[count];
        /* kept for the process's life: from malloc, not from the request's arena */
        int paused = jsonmem_pause();
        json_t *fixed = kind == 'v'   ? h_citizen_video_data(c, pack, n, NULL, NULL, 1)
                        : kind == 'l' ? h_citizen_layout_data(c, pack)
                        : kind == 'L' ? h_citizen_layout_data_at(c, pack)
                                      : h_citizen_videos_data(c, pack, NULL, kind == 'r', 1);
        if (kind == 'v') /* the form's token: in the layout's holes too */
            json_object_set_new_nocheck(fixed, "csrf", tmpl_hole("csrf"));
        if (kind == 'o')
            h_citizen_overview_holes(fixed);
        made->pre = tmpl_prerender(c->app->templates,
                                   kind == 'v'   ? "citizen/video"
                                   : kind == 'o' ? "citizen/overview"
                                   : kind == 'r' ? "citizen/receipt"
                                                 : "layout",
                                   app_strings(c), fixed);
        json_decref(fixed);
        made->holes = NULL;
        made->n_holes = 0;
        made->title = NULL;
        if (kind == 'v') {
            const struct model_video *v = content_video_at(pack, n);
            struct buf title = {0};
            h_citizen_title_buf(c, &title, NULL, n, pack->n_videos,
                                h_citizen_vtr(c, pack, v, "title", v->title), 0);
            buf_putc(&title, '\0');
            made->title = buf_detach(&title);
        }
        if (made->pre && (kind == 'v' || kind == 'o' || kind == 'L') &&
            h_citizen_pre_holes(made) != 0) {
            fprintf(stderr, "vejled: a pre-rendered citizen page has a hole this server does "
                            "not fill; made as usual\n");
            tmpl_pre_free(made->pre);
            made->pre = NULL;
        }
        jsonmem_resume(paused);
        made->pack_id = pack->id;
        made->version = pack->version;
        made->ui = c->ui;
        made->kind = kind;
        made->n = n;
        made->validity = vi.state;
        atomic_store_explicit(&h_citizen_n_pres, count + 1, memory_order_release);
        e = made;
    }
    pthread_mutex_unlock(&h_citizen_pre_lock);
    return e && e->pre ? e : NULL;
}

static const tmpl_pre *h_citizen_pre_of(struct app_call *c, const struct model_pack *pack,
                                        char kind, size_t n)
{
    const struct h_citizen_pre *e = h_citizen_pre_get(c, pack, kind, n);
    return e ? e->pre : NULL;
}

/* A string value (NULL: missing). */
static void h_citizen_val_str(struct tmpl_val *tv, const char *s, size_t len)
{
    if (!s)
        return;
    tv->kind = TMPL_VAL_STR;
    tv->s = s;
    tv->len = len;
}

/* A NUL-terminated string value; NULL and "" are missing. */
static void h_citizen_val_cstr(struct tmpl_val *tv, const char *s)
{
    if (s && *s)
        h_citizen_val_str(tv, s, strlen(s));
}

static void h_citizen_val_int(struct tmpl_val *tv, long long i)
{
    tv->kind = TMPL_VAL_INT;
    tv->i = i;
}

/* The questions of video vi (an index of w's pack) answered: counted once per request. */
static size_t h_citizen_now_answered(const struct h_citizen_now *w, size_t vi)
{
    if (vi < H_CITIZEN_NOW_VIDEOS)
        return w->answered_in[vi];
    return h_citizen_answered_in(&w->pack->videos[vi], w->pr);
}

/* The values of e's holes for this request into vals (e->n_holes of them). */
static void h_citizen_fill(const struct h_citizen_now *w, const struct h_citizen_pre *e,
                           struct tmpl_val *vals)
{
    const struct model_video *v = w->v;
    for (size_t i = 0; i < e->n_holes; i++) {
        const struct h_citizen_hole *h = &e->holes[i];
        struct tmpl_val *tv = &vals[i];
        const struct model_question *q = v && h->a < v->n_questions ? &v->questions[h->a] : NULL;
        const struct model_video *vi = h->a < w->pack->n_videos ? &w->pack->videos[h->a] : NULL;
        int on = 0;
        memset(tv, 0, sizeof *tv);
        switch (h->kind) {
        case HK_CHECKED:
            on = w->sub && q && h->b < q->n_options && h_citizen_o_checked(w->sub, q, h->b);
            break;
        case HK_ASKED:
            on = q && h_citizen_q_asked(w->pr, w->sub, q);
            break;
        case HK_BEFORE:
            on = q && h_citizen_answer_of(w->pr->latest, w->pr->n_latest, q->id) != NULL;
            break;
        case HK_ERROR:
            on = w->sub && q && h_citizen_q_problems(w->sub, h->a) != 0;
            break;
        case HK_PROBLEM: /* "p<k>.<qi>" */
            on = w->sub && v && h->b < v->n_questions && h->a < 3 &&
                 (h_citizen_q_problems(w->sub, h->b) & (1u << h->a));
            break;
        case HK_MEDIA:
            if (w->media == 2)
                h_citizen_val_cstr(tv, w->media_src);
            break;
        case HK_MEDIA_MISSING:
            on = w->media == 1;
            break;
        case HK_NO_PLAYER:
            on = w->media != 2;
            break;
        case HK_DONE:
            on = vi && h_citizen_now_answered(w, h->a) == vi->n_questions;
            break;
        case HK_N_ANSWERED:
            if (vi)
                h_citizen_val_int(tv, (long long)h_citizen_now_answered(w, h->a));
            break;
        case HK_ANSWERED:
            h_citizen_val_int(tv, (long long)w->answered);
            break;
        case HK_TOTAL:
            h_citizen_val_int(tv, (long long)w->total);
            break;
        case HK_PERCENT:
            h_citizen_val_int(tv, w->total ? (long long)(w->answered * 100 / w->total) : 0);
            break;
        case HK_GROUP:
            h_citizen_val_cstr(tv, w->group_name);
            break;
        case HK_GROUP_DA:
            on = w->have_group && h_citizen_is_da(w->c, w->group_name, w->group.name[LANG_DA]);
            break;
        case HK_MEETING:
            h_citizen_val_cstr(tv, w->meeting);
            break;
        case HK_MEETING_HELD:
            h_citizen_val_cstr(tv, w->meeting_held);
            break;
        case HK_MEETING_PASSED:
            h_citizen_val_cstr(tv, w->meeting_passed);
            break;
        case HK_MEETING_OVER:
            on = w->meeting_over;
            break;
        case HK_NEXT:
            if (w->next)
                h_citizen_val_int(tv, (long long)w->next);
            break;
        case HK_DECLINED:
            on = w->c->enrolment.declined_at != 0;
            break;
        case HK_COMPLETED:
            on = w->answered == w->total;
            break;
        case HK_STARTED:
            on = w->answered > 0;
            break;
        case HK_CSRF:
            h_citizen_val_cstr(tv, w->c->csrf);
            break;
        case HK_BACK:
            h_citizen_val_cstr(tv, app_back(w->c));
            break;
        case HK_TITLE:
            if (w->title.data)
                h_citizen_val_str(tv, w->title.data, w->title.len);
            else
                h_citizen_val_cstr(tv, w->title_text);
            break;
        case HK_BODY: /* the layout's body: given as bytes */
            break;
        case HK_P_LEFT:
            h_citizen_val_cstr(tv, w->minutes_left_text);
            break;
        case HK_TOTAL_TEXT:
            h_citizen_val_cstr(tv, w->total_text);
            break;
        case HK_P_DONE:
            h_citizen_val_int(tv, (long long)w->videos_done);
            break;
        case HK_P_VIDEO:
            if (w->n)
                h_citizen_val_int(tv, (long long)w->n);
            break;
        case HK_P_ALL:
            on = w->all_done;
            break;
        case HK_P_SOME:
            on = w->some_left;
            break;
        }
        if (on)
            tv->kind = TMPL_VAL_TRUE;
    }
}

/* What every page with holes by position needs: the progress line's values and, on the
 * overview (n 0), the overview's own. */
static void h_citizen_now_init(struct h_citizen_now *w, struct app_call *c,
                               const struct model_pack *pack, const struct model_progress *pr,
                               size_t n)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->pack = pack;
    w->pr = pr;
    w->n = n;
    int total, left;
    h_citizen_progress_counts(pack, pr, &total, &left, &w->videos_done,
                              w->answered_in, H_CITIZEN_NOW_VIDEOS);
    w->all_done = w->videos_done == pack->n_videos;
    h_citizen_count_buf(c, w->minutes_left_text, sizeof w->minutes_left_text, "count_minutes",
                        left);
    /* declined: nothing is "left" to do (the line gives the whole time instead) */
    w->some_left = !w->all_done && w->videos_done > 0 && !c->enrolment.declined_at;
    if (n)
        return;
    for (size_t vi = 0; vi < pack->n_videos; vi++) {
        const struct model_video *v = &pack->videos[vi];
        size_t a = h_citizen_now_answered(w, vi);
        w->answered += a;
        w->total += v->n_questions;
        if (a != v->n_questions && !w->next)
            w->next = vi + 1;
    }
    h_citizen_count_buf(c, w->total_text, sizeof w->total_text, "count_of_questions",
                        (long long)w->total);
    if (store_group_by_id(c->st, c->enrolment.group_id, &w->group) == STORE_OK) {
        w->have_group = 1;
        w->group_name = h_citizen_tr(c, pack, "group.name", w->group.name);
    }
    w->meeting_over = h_citizen_meeting_texts(c, w->meeting, w->meeting_held,
                                              w->meeting_passed, sizeof w->meeting);
    w->title_text = app_page_title(c, "citizen/overview");
}

static void h_citizen_now_clear(struct h_citizen_now *w)
{
    if (w->have_group)
        model_group_clear(&w->group);
    buf_free(&w->title);
}

/* Replies with the page made from body and layout, their holes filled from w; ctx (borrowed,
 * may be NULL) has the body's other values. */
static void h_citizen_page_at(struct app_call *c, int status, const struct h_citizen_now *w,
                              const struct h_citizen_pre *body, const json_t *ctx,
                              const struct h_citizen_pre *layout)
{
    struct tmpl_val vals[H_CITIZEN_HOLES_MAX], layout_vals[H_CITIZEN_HOLES_MAX];
    h_citizen_fill(w, body, vals);
    h_citizen_fill(w, layout, layout_vals);
    app_page_at(c, status, body->pre, vals, ctx, layout->pre, layout_vals);
}

/* The list of the form's problems, for the summary at the top of the page. */
static json_t *h_citizen_errors(const struct model_video *v, const struct h_citizen_submitted *sub)
{
    json_t *errors = json_array();
    for (size_t i = 0; sub && sub->problems && i < sub->problems->n; i++) {
        size_t qi = sub->problems->items[i].question_index;
        /* the question's fieldset (its id is the field's name): a jump there shows the
         * question itself, where a jump to its first answer would hide it above */
        char field_id[40];
        snprintf(field_id, sizeof field_id, "q%lld", (long long)v->questions[qi].id);
        json_t *e = json_object();
        h_citizen_str(e, "field_id", field_id);
        h_citizen_int(e, "number", (int)qi + 1);
        h_citizen_bool(e, h_citizen_problem_names[h_citizen_problem_index(sub->problems->items[i].kind)], 1);
        json_array_append_new(errors, e);
    }
    return errors;
}

/* The video page with the citizen's progress pr (the caller's; loaded and cleared by it);
 * media: the video's file as h_citizen_media_state found it for this request. */
static void h_citizen_video_page(struct app_call *c, const struct model_pack *pack, size_t n,
                                 const struct model_progress *pr,
                                 const struct h_citizen_submitted *sub, int media)
{
    const struct model_video *v = content_video_at(pack, n);
    const struct h_citizen_pre *body = h_citizen_pre_get(c, pack, 'v', n);
    const struct h_citizen_pre *layout = h_citizen_pre_get(c, pack, 'L', 0);
    int status = sub && sub->problems ? 422 : 200;
    int has_errors = sub && sub->problems && sub->problems->n > 0;
    if (body && layout) {
        /* pre-rendered body and layout: the holes' values, and the list of the form's
         * problems when there are any */
        struct h_citizen_now w;
        h_citizen_now_init(&w, c, pack, pr, n);
        w.sub = sub;
        w.v = v;
        w.media = media;
        if (w.media == 2)
            snprintf(w.media_src, sizeof w.media_src, "/media/%s", v->media);
        if (has_errors)
            h_citizen_title_buf(c, &w.title, NULL, n, pack->n_videos,
                                h_citizen_vtr(c, pack, v, "title", v->title), 1);
        else
            w.title_text = body->title; /* the same for every citizen */
        json_t *ctx = NULL;
        if (has_errors) {
            ctx = json_object();
            json_object_set_new_nocheck(ctx, "has_errors", json_true());
            json_object_set_new_nocheck(ctx, "errors", h_citizen_errors(v, sub));
        }
        h_citizen_page_at(c, status, &w, body, ctx, layout);
        json_decref(ctx);
        h_citizen_now_clear(&w);
        return;
    }
    json_t *ctx = h_citizen_base(c, pack);
    json_t *data = h_citizen_video_data(c, pack, n, pr, sub, 0);
    json_object_update(ctx, data);
    json_decref(data);
    json_object_set_new_nocheck(ctx, "has_errors", json_boolean(has_errors));
    json_object_set_new_nocheck(ctx, "errors", h_citizen_errors(v, sub));
    h_citizen_progress(c, pack, pr, n, c->enrolment.declined_at != 0, ctx);
    h_citizen_title(c, ctx, NULL, n, pack->n_videos, h_citizen_vtr(c, pack, v, "title", v->title),
                    has_errors);
    app_page(c, status, "citizen/video", ctx);
}

void h_citizen_video(struct app_call *c)
{
    const struct model_pack *pack;
    size_t n = h_citizen_video_of(c, &pack);
    if (!n)
        return;
    const struct model_video *v = content_video_at(pack, n);
    struct model_progress pr;
    if (store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    /* the first visit records that the video was started, a visit whose page has no
     * playable video (the file missing, or none named) records that, so the record does
     * not read as if the citizen chose not to play it, and the first visit with a player
     * after such a one records that too: writes, so the read snapshot ends first; other
     * visits only read */
    int media = h_citizen_media_state(c, v);
    enum model_no_media no_media = media == 2   ? MODEL_MEDIA_PLAYER
                                   : media == 1 ? MODEL_MEDIA_MISSING
                                                : MODEL_MEDIA_NO_FILE;
    const struct model_view *seen = h_citizen_view_of(&pr, v->id);
    if (!seen || (no_media != MODEL_MEDIA_PLAYER && seen->no_media != (int)no_media) ||
        (no_media == MODEL_MEDIA_PLAYER && !seen->player_at)) {
        store_read_end(c->st);
        progress_video_seen(c->st, &c->enrolment, v, no_media, clock_now());
    }
    h_citizen_video_page(c, pack, n, &pr, NULL, media);
    model_progress_clear(&pr);
}

/* Collects the form's answers for v's questions and the asked-about marks. */
static int h_citizen_collect(const struct form *f, const struct model_video *v,
                             struct progress_choice *choices, int64_t *asked, size_t *n_asked)
{
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        char name[32];
        const char *vals[MODEL_MAX_OPTIONS];
        snprintf(name, sizeof name, "q%lld", (long long)v->questions[qi].id);
        size_t n = form_get_all(f, name, vals, MODEL_MAX_OPTIONS);
        if (n > MODEL_MAX_OPTIONS)
            return -1;
        choices[qi].question_id = v->questions[qi].id;
        choices[qi].n_options = 0;
        for (size_t i = 0; i < n; i++) {
            char *end;
            long long id = strtoll(vals[i], &end, 10);
            if (*end || end == vals[i])
                id = -1; /* reported as an invalid choice */
            choices[qi].options[choices[qi].n_options++] = id;
        }
    }
    const char *vals[PROGRESS_MAX_ASKED];
    size_t n = form_get_all(f, "ask", vals, PROGRESS_MAX_ASKED);
    if (n > PROGRESS_MAX_ASKED)
        return -1;
    *n_asked = 0;
    for (size_t i = 0; i < n; i++) {
        char *end;
        long long id = strtoll(vals[i], &end, 10);
        asked[(*n_asked)++] = (*end || end == vals[i]) ? -1 : id;
    }
    return 0;
}

/* The answers are durable (or failed): on to the feedback of the same video. */
static void h_citizen_answered(struct app_call *c, enum store_status result, void *arg)
{
    (void)arg;
    if (result == STORE_FULL) { /* nothing was stored: the same answers again, later */
        app_reply_full(c, false);
        return;
    }
    if (result == STORE_NOT_FOUND) { /* closed since the session was checked: as if before */
        app_page_error(c, 403, "session_required");
        return;
    }
    if (result != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    char path[64];
    unsigned long n = strtoul(c->req->match->params[0], NULL, 10);
    snprintf(path, sizeof path, "/borger/video/%lu/svar", n);
    h_citizen_redirect(c, path);
}

void h_citizen_answer(struct app_call *c)
{
    const struct model_pack *pack;
    struct form f;
    struct progress_choice choices[PROGRESS_MAX_QUESTIONS];
    int64_t asked[PROGRESS_MAX_ASKED];
    size_t n_asked = 0;
    struct progress_problems problems;
    size_t n = h_citizen_video_of(c, &pack);
    if (!n)
        return;
    if (h_citizen_form(c, &f))
        return;
    const struct model_video *v = content_video_at(pack, n);
    /* the pack rules keep a video within PROGRESS_MAX_QUESTIONS (model.h): only a stored
     * pack that broke them, or a forged form, is refused here */
    if (v->n_questions > PROGRESS_MAX_QUESTIONS ||
        h_citizen_collect(&f, v, choices, asked, &n_asked)) {
        app_page_error(c, 400, "bad_request");
        goto out;
    }
    /* the language of the page the form came from (a form without it, or with one the
     * service does not have: the session's) */
    const char *form_lang = form_get(&f, "sprog");
    const struct lang_info *shown = form_lang ? lang_find(&c->app->langs, form_lang) : NULL;
    struct progress_submission *pending = NULL;
    enum progress_submit r = progress_submission_new(&c->enrolment, pack, v, choices,
                                                     v->n_questions, asked, n_asked,
                                                     shown ? shown->code : h_citizen_code(c),
                                                     clock_now(), &problems, &pending);
    if (r == SUBMIT_INVALID) {
        struct h_citizen_submitted sub = {choices, v->n_questions, &problems, asked, n_asked};
        struct model_progress pr;
        if (store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
            h_citizen_fail(c);
            goto out;
        }
        h_citizen_video_page(c, pack, n, &pr, &sub, h_citizen_media_state(c, v));
        model_progress_clear(&pr);
    } else if (r == SUBMIT_OK) {
        /* the reply waits for the group commit without holding this thread */
        app_write_later(c, c->enrolment.id, progress_submission_txn, pending,
                        h_citizen_answered, progress_submission_free);
    } else {
        h_citizen_fail(c);
    }
out:
    form_free(&f);
}

void h_citizen_feedback(struct app_call *c)
{
    const struct model_pack *pack;
    struct model_progress pr;
    size_t n = h_citizen_video_of(c, &pack);
    if (!n)
        return;
    if (store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    const struct model_video *v = content_video_at(pack, n);
    json_t *ctx = h_citizen_base(c, pack);
    json_t *questions = json_array();
    int all_right = 1, any = 0, n_right = 0, n_answered = 0;
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        const struct model_answer *a = h_citizen_answer_of(pr.latest, pr.n_latest, q->id);
        if (!a)
            continue;
        any = 1;
        json_t *chosen = json_array(), *right = json_array();
        for (size_t oi = 0; oi < q->n_options; oi++) {
            const char *text = h_citizen_otr(c, pack, v, q, oi);
            const char *da_text = q->options[oi].text[LANG_DA];
            if (progress_chosen_has(a->chosen, q->options[oi].id))
                json_array_append_new(chosen, h_citizen_item_tr(c, "opt_da", text, da_text));
            if (q->options[oi].correct)
                json_array_append_new(right, h_citizen_item_tr(c, "opt_da", text, da_text));
        }
        all_right &= a->correct;
        n_right += a->correct;
        n_answered++;
        json_t *jq = json_object();
        h_citizen_int(jq, "number", (int)qi + 1);
        h_citizen_str_tr(c, jq, "text", "q_da", h_citizen_qtr(c, pack, v, q, "text", q->text),
                         q->text[LANG_DA]);
        h_citizen_bool(jq, "correct", a->correct);
        json_object_set_new_nocheck(jq, "chosen", chosen);
        json_object_set_new_nocheck(jq, "right", right);
        h_citizen_str_tr(c, jq, "explanation", "expl_da",
                         h_citizen_qtr(c, pack, v, q, "explanation", q->explanation),
                         q->explanation[LANG_DA]);
        h_citizen_str(jq, "topic", h_citizen_qtr(c, pack, v, q, "topic", q->topic));
        h_citizen_bool(jq, "asked", h_citizen_asked(&pr, q->id));
        json_array_append_new(questions, jq);
    }
    h_citizen_progress(c, pack, &pr, n, c->enrolment.declined_at != 0, ctx);
    model_progress_clear(&pr);
    if (!any) {
        json_decref(ctx);
        json_decref(questions);
        char path[48];
        snprintf(path, sizeof path, "/borger/video/%zu", n);
        h_citizen_redirect(c, path);
        return;
    }
    json_t *video = json_object();
    h_citizen_int(video, "n", (int)n);
    h_citizen_str_tr(c, video, "title", "title_da", h_citizen_vtr(c, pack, v, "title", v->title),
                     v->title[LANG_DA]);
    json_object_set_new_nocheck(ctx, "video", video);
    json_object_set_new_nocheck(ctx, "questions", questions);
    json_object_set_new_nocheck(ctx, "all_right", json_boolean(all_right));
    json_object_set_new_nocheck(ctx, "n_right", json_integer(n_right));
    json_object_set_new_nocheck(ctx, "n_answered", json_integer(n_answered));
    if (n < pack->n_videos)
        json_object_set_new_nocheck(ctx, "next_n", json_integer((json_int_t)n + 1));
    h_citizen_title(c, ctx, app_text(c, "feedback_title"), n, pack->n_videos,
                    h_citizen_vtr(c, pack, v, "title", v->title), 0);
    app_page_pre(c, 200, "citizen/feedback", NULL, h_citizen_pre_of(c, pack, 'l', 0), ctx);
}

/* A flag field of a player report: "1" on, absent or "0" off; -1 for anything else. */
static int h_citizen_flag(const struct form *f, const char *name, bool *out)
{
    const char *v = form_get(f, name);
    *out = v && strcmp(v, "1") == 0;
    return !v || strcmp(v, "0") == 0 || *out ? 0 : -1;
}

/* POST /borger/video/{n}/afspilning: a report from the video page's script (form body:
 * csrf, d duration in seconds, p played ranges "a-b,a-b", s seeks "from-to,…", e ended,
 * c captions on, t text version opened; every field but csrf optional).  204, or 400
 * bogus, 413 over [citizen] watch_max_body, 422 over watch_max_ranges, 429 over
 * watch_reports_per_minute per session; a refused report changes nothing. */
void h_citizen_playback(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    const struct model_pack *pack;
    struct form f;
    struct watch_report rep;
    int64_t now = clock_now();
    if (c->req->body_len > cfg->watch_max_body) {
        app_page_error(c, 413, "body_too_large");
        return;
    }
    /* the limit is per session: the CSRF token is derived from it (and says nothing of it) */
    if (ratelimit_blocked(c->app->watch_reports, c->csrf, now)) {
        app_page_error(c, 429, "too_many_requests");
        http_reply_header(c->rep, "Retry-After", "60");
        return;
    }
    ratelimit_hit(c->app->watch_reports, c->csrf, now);
    size_t n = h_citizen_video_of(c, &pack);
    if (!n)
        return;
    if (h_citizen_form(c, &f))
        return;
    memset(&rep, 0, sizeof rep);
    const char *d = form_get(&f, "d");
    if ((d && watch_parse_duration(d, &rep.duration_ms)) ||
        watch_parse_ranges(form_get(&f, "p"), false, rep.played, WATCH_REPORT_MAX,
                           &rep.n_played) ||
        watch_parse_ranges(form_get(&f, "s"), true, rep.seeks, WATCH_REPORT_MAX, &rep.n_seeks) ||
        h_citizen_flag(&f, "e", &rep.ended) || h_citizen_flag(&f, "c", &rep.captions_on) ||
        h_citizen_flag(&f, "t", &rep.transcript_opened)) {
        app_page_error(c, 400, "bad_request");
        goto out;
    }
    switch (progress_watch_report(c->st, &c->enrolment, pack, content_video_at(pack, n), &rep,
                                  cfg->watch_max_ranges, now)) {
    case WATCH_REPORT_OK:
        http_reply_text(c->rep, 204, NULL, "", 0);
        break;
    case WATCH_REPORT_INVALID:
        app_page_error(c, 400, "bad_request");
        break;
    case WATCH_REPORT_TOO_MANY:
        app_page_error(c, 422, "bad_request");
        break;
    case WATCH_REPORT_CLOSED: /* closed since the session was checked: as if before */
        app_page_error(c, 403, "session_required");
        break;
    case WATCH_REPORT_ERROR:
        h_citizen_fail(c);
        break;
    }
out:
    form_free(&f);
}

void h_citizen_captions(struct app_call *c)
{
    const struct model_pack *pack;
    size_t n = h_citizen_video_of(c, &pack);
    if (!n)
        return;
    const char *lang = c->req->match->params[1];
    const char *vtt = lang_find(&c->app->langs, lang)
                          ? h_citizen_captions_in(pack, content_video_at(pack, n), lang)
                          : NULL;
    if (!vtt) {
        app_page_error(c, 404, "not_found");
        return;
    }
    http_reply_text(c->rep, 200, "text/vtt; charset=utf-8", vtt, strlen(vtt));
}

/* ------------------------------------------------------------------ decline, receipt, language */

/* The decline page: the offer, the choice made, or (the meeting over and nothing chosen)
 * that it can no longer be chosen; refused: a POST that came too late (409). */
static void h_citizen_decline_page(struct app_call *c, const struct model_pack *pack,
                                   int refused)
{
    struct model_progress pr;
    if (store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    json_t *ctx = h_citizen_base(c, pack);
    json_object_set_new_nocheck(ctx, "declined", json_boolean(c->enrolment.declined_at != 0));
    if (refused)
        json_object_set_new_nocheck(ctx, "refused", json_true());
    h_citizen_when(c, ctx, "declined_at", c->enrolment.declined_at);
    h_citizen_progress(c, pack, &pr, 0, c->enrolment.declined_at != 0, ctx);
    model_progress_clear(&pr);
    app_page_pre(c, refused ? 409 : 200, "citizen/decline", NULL,
                 h_citizen_pre_of(c, pack, 'l', 0), ctx);
}

void h_citizen_decline(struct app_call *c)
{
    const struct model_pack *pack = h_citizen_pack(c);
    struct form f;
    if (!pack) {
        h_citizen_fail(c);
        return;
    }
    if (c->req->method != ROUTER_POST) {
        h_citizen_decline_page(c, pack, 0);
        return;
    }
    if (h_citizen_form(c, &f))
        return;
    form_free(&f);
    int r = progress_decline(c->st, &c->enrolment, clock_now());
    if (r == 1) { /* the meeting is over: nothing changed, the page says why */
        h_citizen_decline_page(c, pack, 1);
        return;
    }
    if (r == 2) { /* closed since the session was checked: as if before */
        app_page_error(c, 403, "session_required");
        return;
    }
    if (r != 0) {
        h_citizen_fail(c);
        return;
    }
    /* the receipt confirms the choice (and that it costs nothing) */
    h_citizen_redirect(c, "/borger/kvittering");
}

void h_citizen_receipt(struct app_call *c)
{
    const struct model_pack *pack = h_citizen_pack(c);
    struct model_progress pr;
    if (!pack || store_progress_load(c->st, c->enrolment.id, &pr) != STORE_OK) {
        h_citizen_fail(c);
        return;
    }
    const tmpl_pre *pre = h_citizen_pre_of(c, pack, 'r', 0);
    json_t *ctx = h_citizen_base(c, pack);
    h_citizen_summary(c, pack, &pr, 1, pre != NULL, ctx);
    h_citizen_progress(c, pack, &pr, 0, c->enrolment.declined_at != 0, ctx);
    json_object_set_new_nocheck(ctx, "completed", json_boolean(c->enrolment.completed_at != 0));
    h_citizen_when(c, ctx, "completed_at", c->enrolment.completed_at);
    h_citizen_when(c, ctx, "declined_at", c->enrolment.declined_at);
    h_citizen_when(c, ctx, "now", clock_now());
    char ref[RECEIPT_REF_LEN + 1];
    receipt_reference(c->enrolment.uuid, ref);
    json_object_set_new_nocheck(ctx, "reference", json_string(ref));
    /* done: every question answered, or the guidance taken at the meeting instead */
    json_object_set_new_nocheck(ctx, "finished", json_boolean(c->enrolment.completed_at != 0 ||
                                                      c->enrolment.declined_at != 0));
    model_progress_clear(&pr);
    app_page_pre(c, 200, "citizen/receipt", pre, h_citizen_pre_of(c, pack, 'l', 0), ctx);
}

void h_citizen_language(struct app_call *c)
{
    struct form f;
    if (h_citizen_form(c, &f))
        return;
    const char *lang = form_get(&f, "lang");
    const char *back = form_get(&f, "back");
    /* only a language the service offers (templates/lang/languages.json) */
    if (!lang || !lang_find(&c->app->langs, lang) ||
        progress_set_language(c->st, &c->enrolment, lang) != 0) {
        app_page_error(c, 400, "bad_request");
        goto out;
    }
    /* only back to one of our own citizen pages */
    static const char *const citizen_pages[] = {"/borger", NULL};
    if (!app_back_ok(back, citizen_pages, 64))
        back = "/borger";
    h_citizen_redirect(c, back);
out:
    form_free(&f);
}
