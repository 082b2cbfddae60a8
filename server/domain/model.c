#include "model.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
