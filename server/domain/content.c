#include "content.h"
#include "lang.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "files.h"
#include "jsonmem.h"
#include "mem.h"
#include "utf8.h"

/* ------------------------------------------------------------------ parsing */

bool content_slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MODEL_SLUG_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

/* Reads {"da": "...", "en": "..."} into out; Danish is required, English optional. */
static int content_lang(const json_t *obj, const char *key, char *out[LANG_COUNT],
                        const char *where, char *err, size_t errlen)
{
    json_t *t = json_object_get(obj, key);
    const char *da = json_string_value(json_object_get(t, "da"));
    const char *en = json_string_value(json_object_get(t, "en"));
    if (!da || !*da) {
        snprintf(err, errlen, "%s.%s.da is missing", where, key);
        return -1;
    }
    out[LANG_DA] = xstrdup(da);
    out[LANG_EN] = xstrdup(en ? en : "");
    return 0;
}

static char *content_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return xstrdup(s ? s : "");
}

static void content_copy(const json_t *obj, const char *key, char *out, size_t n)
{
    const char *s = json_string_value(json_object_get(obj, key));
    snprintf(out, n, "%s", s ? s : "");
}

bool content_date_ok(const char *s)
{
    int64_t t;
    return s && (!*s || (strlen(s) == CLOCK_DATE_LEN && clock_parse_date(s, &t) == 0));
}

/* A pack file's validity dates from obj into from and to (where names obj in err): each
 * "" or a day, and to not before from.  0 or -1. */
static int content_dates(const json_t *obj, char from[11], char to[11], const char *where,
                         char *err, size_t errlen)
{
    static const char *const keys[2] = {"valid_from", "valid_to"};
    char *dst[2] = {from, to};
    for (int i = 0; i < 2; i++) {
        json_t *j = json_object_get(obj, keys[i]);
        const char *s = json_is_null(j) || !j ? "" : json_string_value(j);
        if (!s || !content_date_ok(s)) {
            snprintf(err, errlen, "%s%s%s must be a day written YYYY-MM-DD", where,
                     *where ? "." : "", keys[i]);
            return -1;
        }
        snprintf(dst[i], 11, "%s", s);
    }
    if (*from && *to && strcmp(to, from) < 0) {
        snprintf(err, errlen, "%s%svalid_to is before valid_from", where, *where ? "." : "");
        return -1;
    }
    return 0;
}

static void content_validity_set(struct content_validity_info *out, enum content_validity st,
                                 const char *date, int days)
{
    /* asked on every citizen page: a copy, no printf */
    size_t n = date ? strnlen(date, sizeof out->date - 1) : 0;
    out->state = st;
    if (n)
        memcpy(out->date, date, n);
    out->date[n] = '\0';
    out->days = days;
}

void content_validity_of(const char *from, const char *to, const char *today, int review_days,
                         struct content_validity_info *out)
{
    /* days written YYYY-MM-DD compare as strings */
    if (*to && strcmp(to, today) < 0)
        content_validity_set(out, CONTENT_ENDED, to, 0);
    else if (*from && strcmp(from, today) > 0)
        content_validity_set(out, CONTENT_NOT_YET, from, 0);
    else if (*to && strcmp(to, today) == 0) /* every page asks: no date arithmetic here */
        content_validity_set(out, CONTENT_ENDING, to, 0);
    else if (*to && review_days > 0 && clock_days_between(today, to) <= review_days)
        content_validity_set(out, CONTENT_ENDING, to, clock_days_between(today, to));
    else
        content_validity_set(out, CONTENT_IN_FORCE, NULL, 0);
}

/* The later of two first days, the earlier of two last days ("" is open). */
static const char *content_later(const char *a, const char *b)
{
    return !*a ? b : !*b ? a : strcmp(a, b) >= 0 ? a : b;
}

static const char *content_earlier(const char *a, const char *b)
{
    return !*a ? b : !*b ? a : strcmp(a, b) <= 0 ? a : b;
}

void content_video_days(const struct model_pack *p, const struct model_video *v,
                        const char **from, const char **to)
{
    *from = content_later(p->valid_from, v->valid_from);
    *to = content_earlier(p->valid_to, v->valid_to);
}

/* Whether video v of p is valid on some day: its own days and its pack's overlap. */
static bool content_video_days_meet(const struct model_pack *p, const struct model_video *v)
{
    const char *from, *to;
    content_video_days(p, v, &from, &to);
    return !*from || !*to || strcmp(to, from) >= 0;
}

void content_video_validity(const struct model_pack *p, const struct model_video *v,
                            const char *today, int review_days,
                            struct content_validity_info *out)
{
    const char *from, *to;
    content_video_days(p, v, &from, &to);
    content_validity_of(from, to, today, review_days, out);
}

void content_pack_validity(const struct model_pack *p, const char *today, int review_days,
                           struct content_validity_info *out)
{
    static const int rank[] = {[CONTENT_IN_FORCE] = 0, [CONTENT_ENDING] = 1,
                               [CONTENT_NOT_YET] = 2, [CONTENT_ENDED] = 3};
    content_validity_of(p->valid_from, p->valid_to, today, review_days, out);
    for (size_t i = 0; i < p->n_videos; i++) {
        struct content_validity_info v;
        content_video_validity(p, &p->videos[i], today, review_days, &v);
        int better = rank[v.state] > rank[out->state] ||
                     (v.state == out->state &&
                      (v.state == CONTENT_NOT_YET ? strcmp(v.date, out->date) > 0
                                                  : strcmp(v.date, out->date) < 0));
        if (better)
            *out = v;
    }
}

int content_published_each(struct store *st, struct content_cache *cache,
                           content_published_cb cb, void *arg)
{
    struct model_group *groups = NULL;
    size_t n = 0;
    int rc = 0;
    if (store_group_list(st, &groups, &n) != STORE_OK)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        enum store_status s = store_pack_published_id(st, groups[i].id, &id);
        const struct model_pack *p = s == STORE_OK ? content_cache_get(cache, st, id) : NULL;
        if (s != STORE_OK && s != STORE_NOT_FOUND)
            rc = -1;
        if (p)
            cb(&groups[i], p, arg);
        model_group_clear(&groups[i]);
    }
    free(groups);
    return rc;
}

struct content_counting {
    const char *today;
    int review_days;
    size_t *counts;
};

static void content_count_one(const struct model_group *g, const struct model_pack *p,
                              void *arg)
{
    (void)g;
    struct content_counting *k = arg;
    struct content_validity_info vi;
    content_pack_validity(p, k->today, k->review_days, &vi);
    k->counts[vi.state]++;
}

int content_published_validity(struct store *st, struct content_cache *cache, const char *today,
                               int review_days, size_t counts[4])
{
    struct content_counting k = {today, review_days, counts};
    memset(counts, 0, 4 * sizeof *counts);
    return content_published_each(st, cache, content_count_one, &k);
}

static char *content_read_file(const char *path)
{
    struct buf b = {0};
    if (files_read(path, &b) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* A single-choice question has exactly one right option, a multiple-choice one at least
 * one. */
static int content_rights_ok(bool multiple, size_t right)
{
    return right > 0 && (multiple || right == 1);
}

static int content_question_parse(const json_t *jq, struct model_question *q, const char *where,
                                  char *err, size_t errlen)
{
    content_copy(jq, "slug", q->slug, sizeof q->slug);
    if (!content_slug_ok(q->slug)) {
        snprintf(err, errlen, "%s.slug is missing or not a slug", where);
        return -1;
    }
    const char *kind = json_string_value(json_object_get(jq, "kind"));
    if (!kind || (strcmp(kind, "single") && strcmp(kind, "multiple"))) {
        snprintf(err, errlen, "%s.kind must be single or multiple", where);
        return -1;
    }
    q->multiple = strcmp(kind, "multiple") == 0;
    json_t *topic = json_object_get(jq, "topic");
    content_copy(topic, "key", q->topic_key, sizeof q->topic_key);
    if (!content_slug_ok(q->topic_key)) {
        snprintf(err, errlen, "%s.topic.key is missing or not a slug", where);
        return -1;
    }
    q->topic[LANG_DA] = content_str(topic, "da");
    q->topic[LANG_EN] = content_str(topic, "en");
    if (content_lang(jq, "text", q->text, where, err, errlen) ||
        content_lang(jq, "explanation", q->explanation, where, err, errlen))
        return -1;
    json_t *opts = json_object_get(jq, "options");
    size_t n = json_array_size(opts), right = 0;
    if (n < 2) {
        snprintf(err, errlen, "%s.options needs at least two options", where);
        return -1;
    }
    if (n > MODEL_MAX_OPTIONS) {
        snprintf(err, errlen, "%s.options has %zu options; a question has at most %d (the "
                 "most an answer can choose)", where, n, MODEL_MAX_OPTIONS);
        return -1;
    }
    q->options = xcalloc(n, sizeof *q->options);
    for (size_t i = 0; i < n; i++) {
        json_t *jo = json_array_get(opts, i);
        char w[160];
        snprintf(w, sizeof w, "%s.options[%zu]", where, i);
        q->n_options++;
        if (content_lang(jo, "text", q->options[i].text, w, err, errlen))
            return -1;
        q->options[i].correct = json_is_true(json_object_get(jo, "correct"));
        right += q->options[i].correct;
    }
    if (!content_rights_ok(q->multiple, right)) {
        snprintf(err, errlen, "%s: a single-choice question needs exactly one right option,"
                 " a multiple-choice question at least one", where);
        return -1;
    }
    return 0;
}

static int content_video_parse(const json_t *jv, const char *base_dir, struct model_video *v,
                               const char *where, char *err, size_t errlen)
{
    content_copy(jv, "slug", v->slug, sizeof v->slug);
    if (!content_slug_ok(v->slug)) {
        snprintf(err, errlen, "%s.slug is missing or not a slug", where);
        return -1;
    }
    if (content_lang(jv, "title", v->title, where, err, errlen) ||
        content_lang(jv, "transcript", v->transcript, where, err, errlen))
        return -1;
    v->summary[LANG_DA] = content_str(json_object_get(jv, "summary"), "da");
    v->summary[LANG_EN] = content_str(json_object_get(jv, "summary"), "en");
    v->media = content_str(jv, "media");
    if (strchr(v->media, '/') || strstr(v->media, "..")) {
        snprintf(err, errlen, "%s.media must be a plain file name", where);
        return -1;
    }
    v->duration_s = (int)json_integer_value(json_object_get(jv, "duration_seconds"));
    v->legal_basis = content_str(jv, "legal_basis");
    if (content_dates(jv, v->valid_from, v->valid_to, where, err, errlen))
        return -1;
    json_t *caps = json_object_get(jv, "captions");
    static const char *const codes[LANG_COUNT] = {"da", "en"};
    for (int l = 0; l < LANG_COUNT; l++) {
        const char *rel = json_string_value(json_object_get(caps, codes[l]));
        if (!rel) {
            v->captions[l] = xstrdup("");
            continue;
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", base_dir, rel);
        v->captions[l] = content_read_file(path);
        if (!v->captions[l] || strncmp(v->captions[l], "WEBVTT", 6) != 0) {
            snprintf(err, errlen, "%s.captions.%s: %s is missing or not WebVTT", where,
                     codes[l], rel);
            return -1;
        }
    }
    json_t *qs = json_object_get(jv, "questions");
    size_t n = json_array_size(qs);
    if (n == 0) {
        snprintf(err, errlen, "%s.questions is empty", where);
        return -1;
    }
    if (n > MODEL_MAX_QUESTIONS) {
        snprintf(err, errlen, "%s.questions has %zu questions; a video has at most %d (a "
                 "citizen answers them in one form)", where, n, MODEL_MAX_QUESTIONS);
        return -1;
    }
    v->questions = xcalloc(n, sizeof *v->questions);
    for (size_t i = 0; i < n; i++) {
        char w[128];
        snprintf(w, sizeof w, "%s.questions[%zu]", where, i);
        v->n_questions++;
        if (content_question_parse(json_array_get(qs, i), &v->questions[i], w, err, errlen))
            return -1;
    }
    return 0;
}

/* Where a translation's path points in p. */
struct content_at {
    const char *field; /* content_problem.field's names; "group" for the group's texts */
    size_t video, question, option; /* 1-based; 0 when not under one */
};

/* 1 when path names a translatable text of p (content.h lists the paths), with where it
 * points in *at; else 0. */
static int content_path_at(const struct model_pack *p, const char *path, struct content_at *at)
{
    memset(at, 0, sizeof *at);
    if (strcmp(path, "group.name") == 0 || strcmp(path, "group.description") == 0) {
        at->field = "group";
        return 1;
    }
    if (strcmp(path, "guidance") == 0) {
        at->field = "guidance";
        return 1;
    }
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        const struct model_video *v = &p->videos[vi];
        char pre[MODEL_SLUG_MAX + 8];
        int n = snprintf(pre, sizeof pre, "v.%s.", v->slug);
        if (strncmp(path, pre, (size_t)n) != 0)
            continue;
        const char *rest = path + n;
        static const char *const own[] = {"title", "summary", "transcript", "captions"};
        at->video = vi + 1;
        for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
            if (!strcmp(rest, own[k])) {
                at->field = own[k];
                return 1;
            }
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            char qp[MODEL_SLUG_MAX + 8];
            int m = snprintf(qp, sizeof qp, "q.%s.", q->slug);
            if (strncmp(rest, qp, (size_t)m) != 0)
                continue;
            const char *f = rest + m;
            static const char *const qown[] = {"text", "topic", "explanation"};
            at->question = qi + 1;
            for (size_t k = 0; k < sizeof qown / sizeof qown[0]; k++)
                if (!strcmp(f, qown[k])) {
                    at->field = qown[k];
                    return 1;
                }
            char *end;
            long o = f[0] == 'o' ? strtol(f + 1, &end, 10) : 0;
            if (o >= 1 && (size_t)o <= q->n_options && !*end && f[1] != '0') {
                at->field = "option";
                at->option = (size_t)o;
                return 1;
            }
        }
    }
    memset(at, 0, sizeof *at);
    return 0;
}

/* The pack file's "translations": {"<code>": {"<path>": "<text>"}}; a "….captions" text is
 * the path of a WebVTT file (relative to base_dir), read in here.  Absent: none. */
static int content_translations_parse(const json_t *jt, const char *base_dir,
                                      struct model_pack *p, char *err, size_t errlen)
{
    if (!jt)
        return 0;
    if (!json_is_object(jt)) {
        snprintf(err, errlen, "translations must be an object");
        return -1;
    }
    json_t *out = json_object();
    const char *code, *path;
    json_t *texts, *text;
    json_object_foreach((json_t *)jt, code, texts) {
        if (!lang_code_ok(code) || !strcmp(code, "da") || !strcmp(code, "en") ||
            !json_is_object(texts)) {
            snprintf(err, errlen, "translations.%.16s: a language code other than da and en "
                     "with an object of texts", code);
            goto fail;
        }
        json_t *mine = json_object();
        json_object_set_new(out, code, mine);
        json_object_foreach(texts, path, text) {
            const char *t = json_string_value(text);
            struct content_at at;
            if (!t || !*t || !content_path_at(p, path, &at)) {
                snprintf(err, errlen, "translations.%s.%.80s: not a text of this pack", code,
                         path);
                goto fail;
            }
            size_t n = strlen(path);
            if (n > 9 && strcmp(path + n - 9, ".captions") == 0) {
                char file[1024];
                snprintf(file, sizeof file, "%s/%s", base_dir, t);
                char *vtt = strstr(t, "..") ? NULL : content_read_file(file);
                if (!vtt || strncmp(vtt, "WEBVTT", 6) != 0) {
                    free(vtt);
                    snprintf(err, errlen, "translations.%s.%.80s: %.80s is missing or not "
                             "WebVTT", code, path, t);
                    goto fail;
                }
                json_object_set_new(mine, path, json_string(vtt));
                free(vtt);
            } else {
                json_object_set(mine, path, text);
            }
        }
    }
    if (json_object_size(out))
        p->translations = out;
    else
        json_decref(out);
    return 0;
fail:
    json_decref(out);
    return -1;
}

const char *content_translation(const struct model_pack *p, const char *code, const char *path)
{
    if (!p->translations || !code)
        return NULL;
    const char *t = json_string_value(json_object_get(json_object_get(p->translations, code),
                                                      path));
    return t && *t ? t : NULL;
}

/* ------------------------------------------------------------------ text limits */

static int content_problem(struct content_problem *out, const char *code, size_t video,
                           size_t question, size_t max)
{
    memset(out, 0, sizeof *out);
    out->code = code;
    out->video = video;
    out->question = question;
    out->lang = "";
    out->max = max;
    return -1;
}

/* The limit of a text by its field (content_problem.field): max_text for the long ones,
 * 0 for the group's texts, which have none. */
static size_t content_field_max(const char *field, size_t max_text)
{
    static const struct {
        const char *field;
        size_t max;
    } limits[] = {
        {"legal_basis", CONTENT_LEGAL_MAX}, {"title", CONTENT_TITLE_MAX},
        {"summary", CONTENT_SUMMARY_MAX},   {"media", CONTENT_MEDIA_MAX},
        {"text", CONTENT_QUESTION_MAX},     {"topic", CONTENT_TOPIC_MAX},
        {"explanation", CONTENT_EXPLANATION_MAX}, {"option", CONTENT_OPTION_MAX},
    };
    if (!strcmp(field, "guidance") || !strcmp(field, "captions") ||
        !strcmp(field, "transcript"))
        return max_text;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (!strcmp(field, limits[i].field))
            return limits[i].max;
    return 0;
}

/* 0 when text (at at, in lang) has at most its field's characters; -1 with the problem in
 * *out otherwise. */
static int content_fit(const char *text, const struct content_at *at, const char *lang,
                       size_t max_text, struct content_problem *out)
{
    size_t max = content_field_max(at->field, max_text);
    if (!max || utf8_fits(text, max))
        return 0;
    content_problem(out, "text_too_long", at->video, at->question, max);
    out->option = at->option;
    out->field = at->field;
    out->lang = lang;
    return -1;
}

/* The texts of p in languages other than Danish and English, as content_texts_fit. */
static int content_translations_fit(const struct model_pack *p, size_t max_text,
                                    struct content_problem *out)
{
    const char *code, *path;
    json_t *texts, *text;
    struct content_at at;
    int rc = 0;
    if (!p->translations)
        return 0;
    json_object_foreach(p->translations, code, texts) {
        json_object_foreach(texts, path, text) {
            if (!rc && content_path_at(p, path, &at))
                rc = content_fit(json_string_value(text), &at, code, max_text, out);
        }
    }
    return rc;
}

/* Every text of p with a limit, in Danish, English and every other language: 0 when all
 * fit, else -1 and the first that does not in *out. */
static int content_texts_fit(const struct model_pack *p, size_t max_text,
                             struct content_problem *out)
{
    static const char *const codes[LANG_COUNT] = {"da", "en"};
    struct content_at at = {"legal_basis", 0, 0, 0};
    if (content_fit(p->legal_basis, &at, "", max_text, out))
        return -1;
    at.field = "guidance";
    for (int l = 0; l < LANG_COUNT; l++)
        if (content_fit(p->guidance[l], &at, codes[l], max_text, out))
            return -1;
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        const struct model_video *v = &p->videos[vi];
        at = (struct content_at){"media", vi + 1, 0, 0};
        if (content_fit(v->media, &at, "", max_text, out))
            return -1;
        at.field = "legal_basis";
        if (content_fit(v->legal_basis, &at, "", max_text, out))
            return -1;
        for (int l = 0; l < LANG_COUNT; l++) {
            const struct {
                const char *field;
                const char *text;
            } own[] = {{"title", v->title[l]},
                       {"summary", v->summary[l]},
                       {"captions", v->captions[l]},
                       {"transcript", v->transcript[l]}};
            for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) {
                at.field = own[k].field;
                if (content_fit(own[k].text, &at, codes[l], max_text, out))
                    return -1;
            }
        }
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            for (int l = 0; l < LANG_COUNT; l++) {
                at = (struct content_at){"text", vi + 1, qi + 1, 0};
                if (content_fit(q->text[l], &at, codes[l], max_text, out))
                    return -1;
                at.field = "topic";
                if (content_fit(q->topic[l], &at, codes[l], max_text, out))
                    return -1;
                at.field = "explanation";
                if (content_fit(q->explanation[l], &at, codes[l], max_text, out))
                    return -1;
                at.field = "option";
                for (size_t oi = 0; oi < q->n_options; oi++) {
                    at.option = oi + 1;
                    if (content_fit(q->options[oi].text[l], &at, codes[l], max_text, out))
                        return -1;
                }
            }
        }
    }
    return content_translations_fit(p, max_text, out);
}

/* Names the text of a text_too_long problem as the pack file does ("videos[0].title.da",
 * "translations.ar.v.raadighed.q.raadighed-1.o2") and its limit, in err. */
static void content_too_long_say(const struct model_pack *p, const struct content_problem *pr,
                                 char *err, size_t errlen)
{
    const struct model_video *v = pr->video ? &p->videos[pr->video - 1] : NULL;
    const struct model_question *q = v && pr->question ? &v->questions[pr->question - 1] : NULL;
    char at[320];
    int n = 0;
    if (*pr->lang && strcmp(pr->lang, "da") && strcmp(pr->lang, "en")) {
        n = snprintf(at, sizeof at, "translations.%s.", pr->lang);
        if (v)
            n += snprintf(at + n, sizeof at - (size_t)n, "v.%s.", v->slug);
        if (q)
            n += snprintf(at + n, sizeof at - (size_t)n, "q.%s.", q->slug);
        if (pr->option)
            snprintf(at + n, sizeof at - (size_t)n, "o%zu", pr->option);
        else
            snprintf(at + n, sizeof at - (size_t)n, "%s", pr->field);
    } else {
        if (v)
            n = snprintf(at, sizeof at, "videos[%zu].", pr->video - 1);
        if (q)
            n += snprintf(at + n, sizeof at - (size_t)n, "questions[%zu].", pr->question - 1);
        if (pr->option)
            n += snprintf(at + n, sizeof at - (size_t)n, "options[%zu].text",
                          pr->option - 1);
        else
            n += snprintf(at + n, sizeof at - (size_t)n, "%s",
                          strcmp(pr->field, "guidance") ? pr->field : "written_guidance");
        if (*pr->lang)
            snprintf(at + n, sizeof at - (size_t)n, ".%s", pr->lang);
    }
    snprintf(err, errlen, "%s is longer than %zu characters", at, pr->max);
}

int content_pack_parse(const json_t *doc, const char *base_dir, size_t max_text,
                       struct model_pack **pack, struct model_group *group, char *err,
                       size_t errlen)
{
    struct model_pack *p = xcalloc(1, sizeof *p);
    json_t *jg = json_object_get(doc, "group");
    memset(group, 0, sizeof *group);
    content_copy(jg, "slug", group->slug, sizeof group->slug);
    if (!content_slug_ok(group->slug)) {
        snprintf(err, errlen, "group.slug is missing or not a slug");
        goto fail;
    }
    if (content_lang(jg, "name", group->name, "group", err, errlen))
        goto fail;
    group->description[LANG_DA] = content_str(json_object_get(jg, "description"), "da");
    group->description[LANG_EN] = content_str(json_object_get(jg, "description"), "en");
    json_t *rm = json_object_get(jg, "resend_months");
    group->resend_months = rm ? (int)json_integer_value(rm) : 6;
    if (group->resend_months < 1 || group->resend_months > 60) {
        snprintf(err, errlen, "group.resend_months must be 1 to 60");
        goto fail;
    }
    json_t *en = json_object_get(jg, "enabled");
    group->enabled = en ? json_is_true(en) : true;

    p->example_content = json_is_true(json_object_get(doc, "example_content"));
    p->legal_basis = content_str(doc, "legal_basis");
    if (content_dates(doc, p->valid_from, p->valid_to, "", err, errlen))
        goto fail;
    if (content_lang(doc, "written_guidance", p->guidance, "pack", err, errlen))
        goto fail;
    json_t *vs = json_object_get(doc, "videos");
    size_t n = json_array_size(vs);
    if (n == 0) {
        snprintf(err, errlen, "videos is empty");
        goto fail;
    }
    p->videos = xcalloc(n, sizeof *p->videos);
    for (size_t i = 0; i < n; i++) {
        char w[64];
        snprintf(w, sizeof w, "videos[%zu]", i);
        p->n_videos++;
        if (content_video_parse(json_array_get(vs, i), base_dir, &p->videos[i], w, err, errlen))
            goto fail;
        if (!content_video_days_meet(p, &p->videos[i])) {
            snprintf(err, errlen, "%s: valid_from..valid_to has no day within the pack's", w);
            goto fail;
        }
    }
    if (content_translations_parse(json_object_get(doc, "translations"), base_dir, p, err,
                                   errlen))
        goto fail;
    struct content_problem pr;
    if (content_texts_fit(p, max_text, &pr)) {
        content_too_long_say(p, &pr, err, errlen);
        goto fail;
    }
    *pack = p;
    return 0;
fail:
    model_pack_free(p);
    model_group_clear(group);
    return -1;
}

/* ------------------------------------------------------------------ canonical form */

static int content_empty(const char *s)
{
    return !s || !*s;
}

/* Validity dates from..to of the pack (video 0) or a video: 0, or -1 with the problem. */
static int content_dates_check(const char *from, const char *to, size_t video,
                               struct content_problem *out)
{
    if (!content_date_ok(from) || !content_date_ok(to)) {
        content_problem(out, "date_invalid", video, 0, 0);
        out->field = content_date_ok(from) ? "valid_to" : "valid_from";
        return -1;
    }
    if (*from && *to && strcmp(to, from) < 0) {
        content_problem(out, "dates_reversed", video, 0, 0);
        out->field = "valid_to";
        return -1;
    }
    return 0;
}

int content_pack_check(const struct model_pack *p, size_t max_text, struct content_problem *out)
{
    if (content_dates_check(p->valid_from, p->valid_to, 0, out))
        return -1;
    /* the written guidance is the letter the law requires: never sent without its text */
    if (content_empty(p->guidance[LANG_DA]))
        return content_problem(out, "guidance_missing", 0, 0, 0);
    if (p->n_videos == 0)
        return content_problem(out, "no_videos", 0, 0, 0);
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        const struct model_video *v = &p->videos[vi];
        if (content_dates_check(v->valid_from, v->valid_to, vi + 1, out))
            return -1;
        if (!content_video_days_meet(p, v))
            return content_problem(out, "video_outside_pack", vi + 1, 0, 0);
        if (content_empty(v->title[LANG_DA]))
            return content_problem(out, "title_missing", vi + 1, 0, 0);
        if (content_empty(v->transcript[LANG_DA]))
            return content_problem(out, "transcript_missing", vi + 1, 0, 0);
        if (v->media && (strchr(v->media, '/') || strstr(v->media, "..")))
            return content_problem(out, "media_name", vi + 1, 0, 0);
        for (int l = 0; l < LANG_COUNT; l++)
            if (!content_empty(v->captions[l]) && strncmp(v->captions[l], "WEBVTT", 6) != 0)
                return content_problem(out, "captions_not_vtt", vi + 1, 0, 0);
        if (v->n_questions == 0)
            return content_problem(out, "no_questions", vi + 1, 0, 0);
        if (v->n_questions > MODEL_MAX_QUESTIONS)
            return content_problem(out, "too_many_questions", vi + 1, 0, MODEL_MAX_QUESTIONS);
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            size_t right = 0;
            if (content_empty(q->text[LANG_DA]))
                return content_problem(out, "question_text_missing", vi + 1, qi + 1, 0);
            if (content_empty(q->topic[LANG_DA]))
                return content_problem(out, "topic_missing", vi + 1, qi + 1, 0);
            /* the feedback after an answer explains: a citizen is never left with right or
             * wrong alone */
            if (content_empty(q->explanation[LANG_DA]))
                return content_problem(out, "explanation_missing", vi + 1, qi + 1, 0);
            if (q->n_options < 2)
                return content_problem(out, "too_few_options", vi + 1, qi + 1, 0);
            if (q->n_options > MODEL_MAX_OPTIONS)
                return content_problem(out, "too_many_options", vi + 1, qi + 1, MODEL_MAX_OPTIONS);
            for (size_t oi = 0; oi < q->n_options; oi++) {
                if (content_empty(q->options[oi].text[LANG_DA]))
                    return content_problem(out, "option_text_missing", vi + 1, qi + 1, 0);
                right += q->options[oi].correct;
            }
            if (!content_rights_ok(q->multiple, right))
                return content_problem(out, "right_options", vi + 1, qi + 1, 0);
        }
    }
    return content_texts_fit(p, max_text, out);
}

int content_pack_check_today(const struct model_pack *p, const char *today,
                             struct content_problem *out)
{
    for (size_t vi = 0; vi <= p->n_videos; vi++) {
        const char *to = vi ? p->videos[vi - 1].valid_to : p->valid_to;
        if (*to && strcmp(to, today) < 0) {
            content_problem(out, "validity_ended", vi, 0, 0);
            out->field = "valid_to";
            return -1;
        }
    }
    return 0;
}

static json_t *content_lang_json(char *const t[LANG_COUNT])
{
    return json_pack("{s:s, s:s}", "da", t[LANG_DA] ? t[LANG_DA] : "", "en",
                     t[LANG_EN] ? t[LANG_EN] : "");
}

json_t *content_pack_canonical(const struct model_pack *p)
{
    json_t *videos = json_array();
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        const struct model_video *v = &p->videos[vi];
        json_t *questions = json_array();
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            json_t *options = json_array();
            for (size_t oi = 0; oi < q->n_options; oi++)
                json_array_append_new(options,
                                      json_pack("{s:o, s:b}", "text",
                                                content_lang_json(q->options[oi].text),
                                                "correct", q->options[oi].correct));
            json_array_append_new(
                questions,
                json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:o, s:o}", "slug", q->slug,
                          "kind", q->multiple ? "multiple" : "single", "topic", "key",
                          q->topic_key, "da", q->topic[LANG_DA], "en", q->topic[LANG_EN],
                          "text", content_lang_json(q->text), "explanation",
                          content_lang_json(q->explanation), "options", options));
        }
        json_array_append_new(
            videos,
            json_pack("{s:s, s:o, s:o, s:s, s:i, s:o, s:o, s:s, s:s, s:s, s:o}", "slug",
                      v->slug, "title", content_lang_json(v->title), "summary",
                      content_lang_json(v->summary), "media", v->media, "duration_seconds",
                      v->duration_s, "captions", content_lang_json(v->captions), "transcript",
                      content_lang_json(v->transcript), "legal_basis", v->legal_basis,
                      "valid_from", v->valid_from, "valid_to", v->valid_to, "questions",
                      questions));
    }
    json_t *doc = json_pack("{s:b, s:s, s:s, s:s, s:o, s:o}", "example_content",
                            p->example_content, "legal_basis", p->legal_basis, "valid_from",
                            p->valid_from, "valid_to", p->valid_to, "written_guidance",
                            content_lang_json(p->guidance), "videos", videos);
    /* only when there are any, so a pack without translations keeps the hash it had */
    if (p->translations && json_object_size(p->translations))
        json_object_set(doc, "translations", p->translations);
    return doc;
}

void content_pack_hash(const struct model_pack *p, char out[MODEL_HASH_HEX + 1])
{
    json_t *doc = content_pack_canonical(p);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, MODEL_HASH_HEX + 1, h, sizeof h);
    free(text);
    json_decref(doc);
}

/* ------------------------------------------------------------------ loading */

struct content_publish {
    struct model_pack *pack;
    struct model_group *group;
    const char *hash;
    int64_t now;
    const char *today;              /* NULL, or refuse content whose validity ended and
                                     * plan content whose validity begins later */
    int published;                  /* out: 1 when a version was published */
    int planned;                    /* out: 1 when a draft was planned for its first day */
    int draft_version;              /* out: the group's planned draft that stood in the way
                                     * of a plan (STORE_CONFLICT), else 0 */
    struct content_problem *ended; /* set (and STORE_CONFLICT) when it would publish that */
};

/* The group's planned draft (*id 0 when it has none), its version, and whether its
 * content is cp's. */
static enum store_status content_draft_of(struct store *st, const struct content_publish *cp,
                                          int64_t *id, int *version, bool *same)
{
    *id = 0;
    *version = 0;
    *same = false;
    enum store_status rc = store_pack_draft_id(st, cp->pack->group_id, true, id);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    struct model_pack *d = NULL;
    if ((rc = store_pack_load(st, *id, &d)) != STORE_OK)
        return rc;
    char hash[MODEL_HASH_HEX + 1];
    content_pack_hash(d, hash);
    *version = d->version;
    *same = strcmp(hash, cp->hash) == 0;
    model_pack_free(d);
    return STORE_OK;
}

/* Publishes the group's draft `draft`, whose content is cp's: a file planned by an earlier
 * load whose day has come before the scheduler's pass published it.  The group is
 * switched on with it when its plan said so, as on its day. */
static enum store_status content_publish_draft(struct store *st, struct content_publish *cp,
                                               int64_t draft)
{
    char day[CLOCK_DATE_LEN + 1], planned[MODEL_HASH_HEX + 1];
    bool switch_on = false;
    enum store_status rc = store_pack_plan_of(st, draft, day, planned, &switch_on);
    if (rc == STORE_OK)
        rc = store_pack_publish(st, draft, cp->hash, cp->now);
    if (rc == STORE_OK && switch_on)
        rc = store_group_switch_on(st, cp->pack->group_id);
    if (rc == STORE_OK)
        cp->published = 1;
    return rc;
}

/* Stores cp's pack as the group's draft, planned for its first day, which is after today:
 * the version in force stays in force until then (packedit_publish_due publishes it on the
 * day, as a plan confirmed in the editor).  A group with nothing published (switched off:
 * content_publish_one) is switched on with its first version when the file has it on. */
static enum store_status content_plan_one(struct store *st, struct content_publish *cp,
                                          bool has_published)
{
    int highest = 0;
    enum store_status rc = store_pack_max_version(st, cp->pack->group_id, &highest);
    if (rc != STORE_OK)
        return rc;
    cp->pack->version = highest + 1;
    if ((rc = store_pack_insert(st, cp->pack, cp->now)) != STORE_OK)
        return rc;
    bool switch_on = !has_published && cp->group->enabled;
    rc = store_pack_plan(st, cp->pack->id, cp->pack->valid_from, cp->hash, switch_on, cp->now);
    if (rc == STORE_OK)
        cp->planned = 1;
    return rc;
}

/* Publishes cp's pack as its group's new version when its content is new to the group. */
static enum store_status content_publish_one(struct store *st, struct content_publish *cp)
{
    bool later = cp->today && strcmp(cp->pack->valid_from, cp->today) > 0;
    /* a group this file makes, for rules that begin later, has nothing in force until
     * then: made switched off (it takes no enrolments without content), it is switched on
     * with its first version (content_plan_one); a group that exists keeps its switch */
    struct model_group made = *cp->group;
    if (later)
        made.enabled = false;
    enum store_status rc = store_group_upsert(st, &made, cp->now, &cp->pack->group_id);
    if (rc != STORE_OK)
        return rc;
    int64_t current = 0;
    int highest = 0;
    rc = store_pack_published_id(st, cp->pack->group_id, &current);
    if (rc == STORE_OK) {
        struct model_pack *old = NULL;
        if ((rc = store_pack_load(st, current, &old)) != STORE_OK)
            return rc;
        int same = strcmp(old->content_hash, cp->hash) == 0;
        model_pack_free(old);
        if (same)
            return STORE_OK;
        /* a file already loaded once, since replaced by an administrator's version: the
         * administrator's edits stand */
        rc = store_pack_hash_seen(st, cp->pack->group_id, cp->hash);
        if (rc == STORE_OK)
            return STORE_OK;
        if (rc != STORE_NOT_FOUND)
            return rc;
    } else if (rc != STORE_NOT_FOUND) {
        return rc;
    }
    if (cp->today && content_pack_check_today(cp->pack, cp->today, cp->ended) != 0)
        return STORE_CONFLICT; /* rolls every file back; the caller says why */
    int64_t draft;
    bool same;
    if ((rc = content_draft_of(st, cp, &draft, &cp->draft_version, &same)) != STORE_OK)
        return rc;
    if (draft && same) {
        /* loaded before (or made so in the editor): the draft and its plan stand until
         * its day; on or after it, that draft is what is published */
        cp->draft_version = 0;
        return later ? STORE_OK : content_publish_draft(st, cp, draft);
    }
    if (later) {
        /* one plan per group, and a planned draft is an administrator's work (or another
         * file's): a file does not replace it */
        if (draft)
            return STORE_CONFLICT; /* rolls every file back; the caller says why */
        return content_plan_one(st, cp, current != 0);
    }
    cp->draft_version = 0;
    /* the number after every version's: a retired version or a draft may hold a higher
     * one than the published version (and trying numbers until one is free would end the
     * transaction at the first conflict on PostgreSQL) */
    if ((rc = store_pack_max_version(st, cp->pack->group_id, &highest)) != STORE_OK)
        return rc;
    cp->pack->version = highest + 1;
    if ((rc = store_pack_insert(st, cp->pack, cp->now)) != STORE_OK)
        return rc;
    rc = store_pack_publish(st, cp->pack->id, cp->hash, cp->now);
    if (rc == STORE_OK)
        cp->published = 1;
    return rc;
}

struct content_load {
    struct model_pack **packs;
    struct model_group *groups;
    size_t n;
    int64_t now;
    const char *today;
    int published;
    int planned;
    int draft_version;             /* file `at` failed for its group's draft of this version */
    size_t at;                     /* the file being stored, or the one that failed */
    struct content_problem ended;  /* .code set when file `at` has ended */
};

/* Every file in one transaction: all are stored, or none. */
static enum store_status content_load_txn(struct store *st, void *arg)
{
    struct content_load *l = arg;
    l->published = 0;
    l->ended.code = NULL;
    l->planned = 0;
    l->draft_version = 0;
    for (l->at = 0; l->at < l->n; l->at++) {
        char hash[MODEL_HASH_HEX + 1];
        content_pack_hash(l->packs[l->at], hash);
        struct content_publish cp = {l->packs[l->at], &l->groups[l->at], hash, l->now,
                                     l->today, 0, 0, 0, &l->ended};
        enum store_status rc = content_publish_one(st, &cp);
        l->draft_version = cp.draft_version;
        if (rc != STORE_OK)
            return rc;
        l->published += cp.published;
        l->planned += cp.planned;
    }
    return STORE_OK;
}

int content_load_dir(struct store *st, const char *demo_dir, size_t max_text, int64_t now,
                     const char *today, int *published, int *planned, char *err,
                     size_t errlen)
{
    int rc = -1;
    char dir[1024];
    char **names = NULL;
    size_t n = 0, parsed = 0;
    struct model_pack **packs = NULL;
    struct model_group *groups = NULL;
    *published = *planned = 0;
    snprintf(dir, sizeof dir, "%s/packs", demo_dir);
    if (files_list(dir, ".json", &names, &n) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
        goto out;
    }
    /* every file is read and checked before any is stored: a bad one changes nothing */
    packs = xcalloc(n ? n : 1, sizeof *packs);
    groups = xcalloc(n ? n : 1, sizeof *groups);
    for (; parsed < n; parsed++) {
        char path[1200], msg[256];
        json_error_t je;
        snprintf(path, sizeof path, "%s/%s", dir, names[parsed]);
        json_t *doc = json_load_file(path, 0, &je);
        if (!doc) {
            snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
            goto out;
        }
        int bad = content_pack_parse(doc, demo_dir, max_text, &packs[parsed], &groups[parsed],
                                     msg, sizeof msg);
        json_decref(doc);
        if (bad) {
            snprintf(err, errlen, "%s: %s", path, msg);
            goto out;
        }
    }
    struct content_load l = {packs, groups, n, now, today, 0, 0, 0, 0, {0}};
    if (store_txn(st, content_load_txn, &l) != STORE_OK) {
        if (l.draft_version)
            snprintf(err, errlen, "%s/%s: its rules begin on %s, so it would be planned for "
                     "target group '%s', but the group has a planned draft already (version "
                     "%d): take its plan away or delete it on /admin/pakker first; nothing was "
                     "loaded", dir, names[l.at], packs[l.at]->valid_from, groups[l.at].slug,
                     l.draft_version);
        else if (l.ended.code && l.ended.video)
            snprintf(err, errlen, "%s/%s: videos[%zu].valid_to has passed (or its pack's): its "
                     "rules are no longer in force; nothing was loaded",
                     dir, names[l.at], l.ended.video - 1);
        else if (l.ended.code)
            snprintf(err, errlen, "%s/%s: valid_to has passed: its rules are no longer in "
                     "force; nothing was loaded", dir, names[l.at]);
        else
            snprintf(err, errlen, "%s/%s: could not be stored; nothing was loaded", dir,
                     names[l.at < n ? l.at : 0]);
        goto out;
    }
    *published = l.published;
    *planned = l.planned;
    rc = 0;
out:
    for (size_t i = 0; i < parsed; i++) {
        model_pack_free(packs[i]);
        model_group_clear(&groups[i]);
    }
    free(packs);
    free(groups);
    files_free_names(names, n);
    return rc;
}

/* ------------------------------------------------------------------ cache */

/* Published pack versions never change, so the cache only grows: a list, newest first,
 * that pages walk without a lock (the head is published with release after the entry is
 * whole); a miss loads under the lock, one loader at a time. */
struct content_cache_entry {
    struct model_pack *pack;
    struct content_cache_entry *next;
};

struct content_cache {
    pthread_mutex_t lock; /* held while a pack is loaded and added */
    _Atomic(struct content_cache_entry *) head;
};

struct content_cache *content_cache_new(void)
{
    struct content_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    atomic_init(&c->head, NULL);
    return c;
}

void content_cache_free(struct content_cache *c)
{
    if (!c)
        return;
    struct content_cache_entry *e = atomic_load_explicit(&c->head, memory_order_acquire);
    while (e) {
        struct content_cache_entry *next = e->next;
        model_pack_free(e->pack);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static const struct model_pack *content_cache_find(struct content_cache *c, int64_t pack_id)
{
    for (const struct content_cache_entry *e =
             atomic_load_explicit(&c->head, memory_order_acquire);
         e; e = e->next)
        if (e->pack->id == pack_id)
            return e->pack;
    return NULL;
}

const struct model_pack *content_cache_get(struct content_cache *c, struct store *st,
                                           int64_t pack_id)
{
    const struct model_pack *found = content_cache_find(c, pack_id);
    if (found)
        return found;
    pthread_mutex_lock(&c->lock);
    found = content_cache_find(c, pack_id); /* another thread may have loaded it meanwhile */
    if (!found) {
        struct model_pack *p = NULL;
        /* the cached pack outlives the request: its translations (JSON) from malloc, not
         * from the request's arena */
        int paused = jsonmem_pause();
        enum store_status rc = store_pack_load(st, pack_id, &p);
        jsonmem_resume(paused);
        if (rc == STORE_OK) {
            if (strcmp(p->state, "draft") == 0) {
                model_pack_free(p); /* drafts change: never cached */
            } else {
                struct content_cache_entry *e = xmalloc(sizeof *e);
                e->pack = p;
                e->next = atomic_load_explicit(&c->head, memory_order_relaxed);
                atomic_store_explicit(&c->head, e, memory_order_release);
                found = p;
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

const struct model_video *content_video_at(const struct model_pack *p, size_t position)
{
    return position >= 1 && position <= p->n_videos ? &p->videos[position - 1] : NULL;
}

const struct model_question *content_question_by_id(const struct model_pack *p, int64_t id,
                                                    size_t *video_index)
{
    for (size_t vi = 0; vi < p->n_videos; vi++)
        for (size_t qi = 0; qi < p->videos[vi].n_questions; qi++)
            if (p->videos[vi].questions[qi].id == id) {
                if (video_index)
                    *video_index = vi;
                return &p->videos[vi].questions[qi];
            }
    return NULL;
}

size_t content_question_count(const struct model_pack *p)
{
    size_t n = 0;
    for (size_t vi = 0; vi < p->n_videos; vi++)
        n += p->videos[vi].n_questions;
    return n;
}

/* A name of one line: no control character, and not only white space (a name of spaces
 * would show as none); "" is for an optional name to say. */
bool content_group_name_ok(const char *s, bool required)
{
    int seen = 0;
    if (!s || !utf8_fits(s, CONTENT_GROUP_NAME_MAX))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        seen |= *p != ' ';
    }
    return seen || (!required && !*s);
}

/* Both names of a group: 0, or -1 with *field "name_da" or "name_en". */
static int content_group_names_check(const char *da, const char *en, const char **field)
{
    if (!content_group_name_ok(da, 1)) {
        *field = "name_da";
        return -1;
    }
    if (!content_group_name_ok(en, 0)) {
        *field = "name_en";
        return -1;
    }
    return 0;
}

enum content_group_result content_group_add(struct store *st, const struct model_group *g,
                                            int64_t now, int64_t *id, const char **field)
{
    if (!content_slug_ok(g->slug)) {
        *field = "slug";
        return CONTENT_GROUP_INVALID;
    }
    if (content_group_names_check(g->name[LANG_DA], g->name[LANG_EN], field))
        return CONTENT_GROUP_INVALID;
    if (g->resend_months < 1 || g->resend_months > 60) {
        *field = "resend";
        return CONTENT_GROUP_INVALID;
    }
    struct model_group off = *g;
    off.enabled = false;
    enum store_status rc = store_group_insert(st, &off, now, id);
    return rc == STORE_OK         ? CONTENT_GROUP_OK
           : rc == STORE_CONFLICT ? CONTENT_GROUP_EXISTS
                                  : CONTENT_GROUP_ERROR;
}

struct content_group_change {
    int64_t id;
    bool enabled;
    int resend_months;
    const char *name_da, *name_en;
    bool no_content; /* out: switched on without a published version (nothing saved) */
};

static enum store_status content_group_save_txn(struct store *st, void *arg)
{
    struct content_group_change *g = arg;
    g->no_content = false;
    if (g->enabled) {
        /* asked in the transaction that saves the switch: a group is never on without
         * content, whoever else acts at the same moment */
        int64_t published;
        enum store_status rc = store_pack_published_id(st, g->id, &published);
        if (rc == STORE_NOT_FOUND) {
            g->no_content = true;
            return STORE_CONFLICT;
        }
        if (rc != STORE_OK)
            return rc;
    }
    enum store_status rc = store_group_settings(st, g->id, g->enabled, g->resend_months);
    return rc == STORE_OK ? store_group_names(st, g->id, g->name_da, g->name_en) : rc;
}

enum content_group_result content_group_save(struct store *st, int64_t id, bool enabled,
                                             int resend_months, const char *name_da,
                                             const char *name_en, const char **field)
{
    if (content_group_names_check(name_da, name_en, field))
        return CONTENT_GROUP_INVALID;
    if (resend_months < 1 || resend_months > 60) {
        *field = "resend";
        return CONTENT_GROUP_INVALID;
    }
    struct content_group_change g = {id, enabled, resend_months, name_da, name_en, false};
    enum store_status rc = store_txn(st, content_group_save_txn, &g);
    return rc == STORE_OK ? CONTENT_GROUP_OK
           : g.no_content ? CONTENT_GROUP_NO_CONTENT
                          : CONTENT_GROUP_ERROR;
}
