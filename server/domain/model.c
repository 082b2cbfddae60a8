#include "model.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void model_free_lang(char *t[LANG_COUNT])
{
    for (int i = 0; i < LANG_COUNT; i++) {
        free(t[i]);
        t[i] = NULL;
    }
}

void model_option_free(struct model_option *o)
{
    if (o)
        model_free_lang(o->text);
}

void model_question_free(struct model_question *q)
{
    if (!q)
        return;
    model_free_lang(q->topic);
    model_free_lang(q->text);
    model_free_lang(q->explanation);
    for (size_t i = 0; i < q->n_options; i++)
        model_option_free(&q->options[i]);
    free(q->options);
    q->options = NULL;
    q->n_options = 0;
}

void model_video_free(struct model_video *v)
{
    if (!v)
        return;
    model_free_lang(v->title);
    model_free_lang(v->summary);
    model_free_lang(v->captions);
    model_free_lang(v->transcript);
    free(v->media);
    free(v->legal_basis);
    v->media = v->legal_basis = NULL;
    for (size_t i = 0; i < v->n_questions; i++)
        model_question_free(&v->questions[i]);
    free(v->questions);
    v->questions = NULL;
    v->n_questions = 0;
}

void model_pack_free(struct model_pack *p)
{
    if (!p)
        return;
    model_free_lang(p->guidance);
    free(p->legal_basis);
    for (size_t i = 0; i < p->n_videos; i++)
        model_video_free(&p->videos[i]);
    free(p->videos);
    json_decref(p->translations);
    free(p);
}

void model_group_clear(struct model_group *g)
{
    if (!g)
        return;
    model_free_lang(g->name);
    model_free_lang(g->description);
}

void model_group_copy(struct model_group *dst, const struct model_group *src)
{
    *dst = *src;
    for (int i = 0; i < LANG_COUNT; i++) {
        dst->name[i] = src->name[i] ? xstrdup(src->name[i]) : NULL;
        dst->description[i] = src->description[i] ? xstrdup(src->description[i]) : NULL;
    }
}

void model_citizen_clear(struct model_citizen *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->email);
    c->name = c->email = NULL;
}

void model_view_clear(struct model_view *v)
{
    if (!v)
        return;
    free(v->ranges);
    v->ranges = NULL;
    v->n_ranges = 0;
}

void model_progress_clear(struct model_progress *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_views; i++)
        model_view_clear(&p->views[i]);
    free(p->views);
    free(p->first);
    free(p->latest);
    free(p->asked);
    memset(p, 0, sizeof *p);
}

/* A new array holding a copy of n elements of size each from src; NULL when n is 0. */
static void *model_dup_array(const void *src, size_t n, size_t size)
{
    if (!n)
        return NULL;
    void *p = xmalloc(n * size);
    memcpy(p, src, n * size);
    return p;
}

void model_progress_copy(struct model_progress *dst, const struct model_progress *src)
{
    *dst = *src;
    dst->views = model_dup_array(src->views, src->n_views, sizeof *src->views);
    for (size_t i = 0; i < src->n_views; i++)
        dst->views[i].ranges = model_dup_array(src->views[i].ranges, src->views[i].n_ranges,
                                               sizeof *src->views[i].ranges);
    dst->first = model_dup_array(src->first, src->n_first, sizeof *src->first);
    dst->latest = model_dup_array(src->latest, src->n_latest, sizeof *src->latest);
    dst->asked = model_dup_array(src->asked, src->n_asked, sizeof *src->asked);
}

enum lang model_lang_from_code(const char *code)
{
    return code && strcmp(code, "en") == 0 ? LANG_EN : LANG_DA;
}

const char *model_lang_code(enum lang l)
{
    return l == LANG_EN ? "en" : "da";
}

const char *model_status_name(enum model_status s)
{
    switch (s) {
    case STATUS_NOT_OPENED: return "not_opened";
    case STATUS_OPENED: return "opened";
    case STATUS_IN_PROGRESS: return "in_progress";
    case STATUS_COMPLETED: return "completed";
    case STATUS_DECLINED: return "declined";
    case STATUS_CLOSED: return "closed";
    }
    return "not_opened";
}
