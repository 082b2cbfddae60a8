#include "packedit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
#include "mem.h"

struct packedit_new {
    int64_t group_id;
    int64_t now;
    int64_t pack_id;
};

static enum store_status packedit_draft_txn(struct store *st, void *arg)
{
    struct packedit_new *n = arg;
    int64_t published;
    int version = 0;
    struct model_pack *p = NULL;
    /* a planned draft is not the one to edit for a change now: beside it a draft is made
     * from the version in force (a correction while new rules wait for their day) */
    enum store_status rc = store_pack_draft_id(st, n->group_id, false, &n->pack_id);
    if (rc != STORE_NOT_FOUND)
        return rc; /* the existing draft, or an error */
    rc = store_pack_published_id(st, n->group_id, &published);
    if (rc == STORE_NOT_FOUND) {
        /* a group with nothing published yet (a new one): an empty draft to fill */
        p = xcalloc(1, sizeof *p);
        p->group_id = n->group_id;
        p->legal_basis = xstrdup("");
        for (int l = 0; l < LANG_COUNT; l++)
            p->guidance[l] = xstrdup("");
    } else if (rc != STORE_OK) {
        return rc;
    } else if ((rc = store_pack_load(st, published, &p)) != STORE_OK) {
        return rc;
    }
    if ((rc = store_pack_max_version(st, n->group_id, &version)) == STORE_OK) {
        p->version = version + 1;
        rc = store_pack_insert(st, p, n->now);
        n->pack_id = p->id;
    }
    model_pack_free(p);
    return rc;
}

enum packedit_result packedit_draft(struct store *st, int64_t group_id, int64_t now,
                                    int64_t *pack_id)
{
    struct packedit_new n = {group_id, now, 0};
    enum store_status rc = store_txn(st, packedit_draft_txn, &n);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_FOUND;
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    *pack_id = n.pack_id;
    return PACKEDIT_OK;
}

enum packedit_result packedit_load_draft(struct store *st, int64_t pack_id,
                                         struct model_pack **out)
{
    enum store_status rc = store_pack_load(st, pack_id, out);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_FOUND;
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    if (strcmp((*out)->state, "draft") != 0) {
        model_pack_free(*out);
        *out = NULL;
        return PACKEDIT_NOT_DRAFT;
    }
    return PACKEDIT_OK;
}

/* The draft's translations as stored: "{}" for none. */
static enum store_status packedit_save_translations(struct store *st,
                                                    const struct model_pack *p)
{
    char *text = p->translations && json_object_size(p->translations)
                     ? json_dumps(p->translations, JSON_COMPACT | JSON_SORT_KEYS)
                     : NULL;
    enum store_status rc = store_draft_translations(st, p->id, text ? text : "{}");
    free(text);
    return rc;
}

static enum store_status packedit_save_txn(struct store *st, void *arg)
{
    enum store_status rc = store_draft_save(st, arg);
    return rc == STORE_OK ? packedit_save_translations(st, arg) : rc;
}

enum packedit_result packedit_save(struct store *st, const struct model_pack *draft)
{
    enum store_status rc = store_txn(st, packedit_save_txn, (void *)draft);
    if (rc == STORE_NOT_FOUND || rc == STORE_CONFLICT)
        return PACKEDIT_NOT_DRAFT;
    return rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
}

static enum store_status packedit_replace_txn(struct store *st, void *arg)
{
    enum store_status rc = store_draft_replace(st, arg);
    return rc == STORE_OK ? packedit_save_translations(st, arg) : rc;
}

enum packedit_result packedit_replace(struct store *st, struct model_pack *p)
{
    enum store_status rc = store_txn(st, packedit_replace_txn, p);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_DRAFT;
    return rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
}

/* ------------------------------------------------------------------ structure */

static void packedit_empty(char *t[LANG_COUNT])
{
    for (int l = 0; l < LANG_COUNT; l++)
        t[l] = xstrdup("");
}

/* arr (n elements of size bytes) grown by one zeroed element at the end (*n counts it). */
static void *packedit_grow(void *arr, size_t *n, size_t size)
{
    char *a = xrealloc(arr, (*n + 1) * size);
    memset(a + *n * size, 0, size);
    (*n)++;
    return a;
}

/* Closes the gap of element i (whose contents the caller freed). */
static void packedit_cut(void *arr, size_t *n, size_t size, size_t i)
{
    char *a = arr;
    memmove(a + i * size, a + (i + 1) * size, (*n - i - 1) * size);
    (*n)--;
}

static int packedit_video_slug_used(const struct model_pack *p, const char *slug)
{
    for (size_t i = 0; i < p->n_videos; i++)
        if (strcmp(p->videos[i].slug, slug) == 0)
            return 1;
    return 0;
}

/* 1 when a question of p has that slug (key 0) or topic key (key 1) with another topic
 * than topic_da (NULL: any topic). */
static int packedit_question_used(const struct model_pack *p, const char *s, int key,
                                  const char *topic_da)
{
    for (size_t vi = 0; vi < p->n_videos; vi++)
        for (size_t qi = 0; qi < p->videos[vi].n_questions; qi++) {
            const struct model_question *q = &p->videos[vi].questions[qi];
            if (strcmp(key ? q->topic_key : q->slug, s) == 0 &&
                (!topic_da || strcmp(q->topic[LANG_DA] ? q->topic[LANG_DA] : "", topic_da)))
                return 1;
        }
    return 0;
}

struct model_video *packedit_video_add(struct model_pack *p)
{
    char slug[MODEL_SLUG_MAX];
    for (size_t k = p->n_videos + 1;; k++) {
        snprintf(slug, sizeof slug, "video-%zu", k);
        if (!packedit_video_slug_used(p, slug))
            break;
    }
    p->videos = packedit_grow(p->videos, &p->n_videos, sizeof *p->videos);
    struct model_video *v = &p->videos[p->n_videos - 1];
    snprintf(v->slug, sizeof v->slug, "%s", slug);
    packedit_empty(v->title);
    packedit_empty(v->summary);
    packedit_empty(v->captions);
    packedit_empty(v->transcript);
    v->media = xstrdup("");
    v->legal_basis = xstrdup("");
    return v;
}

int packedit_video_remove(struct model_pack *p, size_t i)
{
    if (i >= p->n_videos)
        return -1;
    model_video_free(&p->videos[i]);
    packedit_cut(p->videos, &p->n_videos, sizeof *p->videos, i);
    return 0;
}

int packedit_video_move(struct model_pack *p, size_t i, int up)
{
    if (i >= p->n_videos || (up && i == 0) || (!up && i + 1 >= p->n_videos))
        return -1;
    size_t j = up ? i - 1 : i + 1;
    struct model_video t = p->videos[i];
    p->videos[i] = p->videos[j];
    p->videos[j] = t;
    return 0;
}

void packedit_topic_slug(const char *topic, char out[MODEL_SLUG_MAX])
{
    static const struct {
        const char *utf8, *ascii;
    } danish[] = {{"\xc3\xa6", "ae"}, {"\xc3\x86", "ae"}, {"\xc3\xb8", "oe"},
                  {"\xc3\x98", "oe"}, {"\xc3\xa5", "aa"}, {"\xc3\x85", "aa"}};
    size_t n = 0, max = MODEL_SLUG_MAX - 8; /* room for a "-N" to tell topics apart */
    for (const char *s = topic; *s && n < max;) {
        unsigned char ch = (unsigned char)*s;
        const char *add = NULL;
        char one[2] = {0, 0};
        size_t step = 1;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            one[0] = (char)ch;
            add = one;
        } else if (ch >= 'A' && ch <= 'Z') {
            one[0] = (char)(ch - 'A' + 'a');
            add = one;
        } else {
            for (size_t i = 0; i < sizeof danish / sizeof danish[0]; i++)
                if (strncmp(s, danish[i].utf8, 2) == 0) {
                    add = danish[i].ascii;
                    step = 2;
                }
        }
        if (add) {
            for (; *add && n < max; add++)
                out[n++] = *add;
        } else if (n > 0 && out[n - 1] != '-') {
            out[n++] = '-';
        }
        s += step;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, MODEL_SLUG_MAX, "emne");
}

struct model_question *packedit_question_add(const struct model_pack *p, struct model_video *v,
                                             const char *topic_da)
{
    char slug[MODEL_SLUG_MAX], base[MODEL_SLUG_MAX], key[MODEL_SLUG_MAX] = "";
    if (v->n_questions >= MODEL_MAX_QUESTIONS)
        return NULL;
    for (size_t k = 1;; k++) {
        snprintf(slug, sizeof slug, "spoergsmaal-%zu", k);
        if (!packedit_question_used(p, slug, 0, NULL))
            break;
    }
    /* the key of the same topic elsewhere in the pack */
    for (size_t vi = 0; vi < p->n_videos && !*key; vi++)
        for (size_t qi = 0; qi < p->videos[vi].n_questions && !*key; qi++)
            if (strcmp(p->videos[vi].questions[qi].topic[LANG_DA], topic_da) == 0)
                snprintf(key, sizeof key, "%s", p->videos[vi].questions[qi].topic_key);
    if (!*key) {
        packedit_topic_slug(topic_da, base);
        snprintf(key, sizeof key, "%s", base);
        for (size_t k = 2; packedit_question_used(p, key, 1, topic_da); k++)
            snprintf(key, sizeof key, "%.40s-%zu", base, k);
    }
    v->questions = packedit_grow(v->questions, &v->n_questions, sizeof *v->questions);
    struct model_question *q = &v->questions[v->n_questions - 1];
    snprintf(q->slug, sizeof q->slug, "%s", slug);
    snprintf(q->topic_key, sizeof q->topic_key, "%s", key);
    packedit_empty(q->topic);
    packedit_empty(q->text);
    packedit_empty(q->explanation);
    return q;
}

int packedit_question_remove(struct model_video *v, size_t i)
{
    if (i >= v->n_questions)
        return -1;
    model_question_free(&v->questions[i]);
    packedit_cut(v->questions, &v->n_questions, sizeof *v->questions, i);
    return 0;
}

struct model_option *packedit_option_add(struct model_question *q)
{
    if (q->n_options >= MODEL_MAX_OPTIONS)
        return NULL;
    q->options = packedit_grow(q->options, &q->n_options, sizeof *q->options);
    struct model_option *o = &q->options[q->n_options - 1];
    packedit_empty(o->text);
    return o;
}

int packedit_option_remove(struct model_question *q, size_t i)
{
    if (i >= q->n_options)
        return -1;
    model_option_free(&q->options[i]);
    packedit_cut(q->options, &q->n_options, sizeof *q->options, i);
    return 0;
}

enum packedit_result packedit_unchanged(struct store *st, const struct model_pack *draft)
{
    int64_t published_id = 0;
    enum store_status rc = store_pack_published_id(st, draft->group_id, &published_id);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_OK; /* the first version: there is nothing to be the same as */
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    struct model_pack *old = NULL;
    if (store_pack_load(st, published_id, &old) != STORE_OK)
        return PACKEDIT_ERROR;
    char a[MODEL_HASH_HEX + 1], b[MODEL_HASH_HEX + 1];
    content_pack_hash(old, a);
    content_pack_hash(draft, b);
    model_pack_free(old);
    return strcmp(a, b) == 0 ? PACKEDIT_UNCHANGED : PACKEDIT_OK;
}

/* What packedit_publish_txn does with a draft that passes every check. */
enum packedit_pub_mode {
    PACKEDIT_PUB_NOW,  /* publishes it */
    PACKEDIT_PUB_PLAN, /* plans it for its first valid day, which must be after today */
    PACKEDIT_PUB_DUE   /* publishes it when it is planned for today or earlier and its
                        * content is what was confirmed; else leaves it as it is */
};

struct packedit_pub {
    int64_t pack_id;
    size_t max_text;
    int64_t now;
    struct content_problem *problem;
    enum packedit_pub_mode mode;
    bool switch_on; /* NOW, PLAN: the group is switched on with the publication */
    enum packedit_result result;
    int version;
    char day[CLOCK_DATE_LEN + 1]; /* PLAN: the day planned */
};

/* A planned draft whose day has come, in the publishing transaction: STORE_OK to publish
 * it (*switch_on: and switch its group on), STORE_NOT_FOUND to leave it (not planned, not
 * yet, or edited since). */
static enum store_status packedit_due_check(struct store *st, const struct model_pack *p,
                                            const char *today, const char *hash,
                                            bool *switch_on)
{
    char day[CLOCK_DATE_LEN + 1], planned[MODEL_HASH_HEX + 1];
    enum store_status rc = store_pack_plan_of(st, p->id, day, planned, switch_on);
    if (rc != STORE_OK)
        return rc;
    if (!*day || strcmp(day, today) > 0 || strcmp(planned, hash) != 0)
        return STORE_NOT_FOUND;
    return STORE_OK;
}

static enum store_status packedit_publish_txn(struct store *st, void *arg)
{
    struct packedit_pub *pb = arg;
    struct model_pack *p = NULL;
    pb->result = packedit_load_draft(st, pb->pack_id, &p);
    if (pb->result != PACKEDIT_OK)
        return pb->result == PACKEDIT_ERROR ? STORE_ERROR : STORE_NOT_FOUND;
    enum store_status rc = STORE_NOT_FOUND;
    char today[CLOCK_DATE_LEN + 1], hash[MODEL_HASH_HEX + 1];
    clock_local_date(pb->now, today);
    content_pack_hash(p, hash);
    pb->version = p->version;
    if (pb->mode == PACKEDIT_PUB_DUE &&
        (rc = packedit_due_check(st, p, today, hash, &pb->switch_on)) != STORE_OK) {
        pb->result = rc == STORE_NOT_FOUND ? PACKEDIT_NOT_FOUND : PACKEDIT_ERROR;
    } else if (content_pack_check(p, pb->max_text, pb->problem) != 0 ||
               content_pack_check_today(p, today, pb->problem) != 0) {
        pb->result = PACKEDIT_INVALID;
        rc = STORE_NOT_FOUND;
    } else if ((pb->result = packedit_unchanged(st, p)) != PACKEDIT_OK) {
        /* the same as the published version: nothing is published; a plan for it has
         * nothing left to do and goes (else rc rolls back) */
        rc = pb->result == PACKEDIT_UNCHANGED && pb->mode == PACKEDIT_PUB_DUE
                 ? store_pack_plan(st, p->id, "", "", false, 0)
                 : STORE_NOT_FOUND;
    } else if (pb->mode == PACKEDIT_PUB_PLAN) {
        int64_t other = 0;
        enum store_status planned = store_pack_draft_id(st, p->group_id, true, &other);
        if (planned != STORE_OK && planned != STORE_NOT_FOUND) {
            pb->result = PACKEDIT_ERROR;
            rc = planned;
        } else if (strcmp(p->valid_from, today) <= 0) {
            pb->problem->code = "not_later";
            pb->result = PACKEDIT_INVALID;
            rc = STORE_NOT_FOUND;
        } else if (planned == STORE_OK && other != p->id) {
            /* one plan per group: two would each replace what the other put in force */
            pb->problem->code = "plan_exists";
            pb->result = PACKEDIT_INVALID;
            rc = STORE_NOT_FOUND;
        } else {
            snprintf(pb->day, sizeof pb->day, "%s", p->valid_from);
            rc = store_pack_plan(st, p->id, p->valid_from, hash, pb->switch_on, pb->now);
            pb->result = rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
        }
    } else {
        rc = store_pack_publish(st, p->id, hash, pb->now);
        /* in the same transaction: the group takes enrolments from the moment its content
         * is there, never before */
        if (rc == STORE_OK && pb->switch_on)
            rc = store_group_switch_on(st, p->group_id);
        pb->result = rc == STORE_OK ? PACKEDIT_OK : PACKEDIT_ERROR;
    }
    model_pack_free(p);
    return rc;
}

static enum packedit_result packedit_pub_run(struct store *st, struct packedit_pub *pb)
{
    enum store_status rc = store_txn(st, packedit_publish_txn, pb);
    if (rc != STORE_OK && pb->result == PACKEDIT_OK)
        return PACKEDIT_ERROR;
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return PACKEDIT_ERROR;
    return pb->result;
}

enum packedit_result packedit_publish(struct store *st, int64_t pack_id, size_t max_text,
                                      int64_t now, bool switch_on,
                                      struct content_problem *problem, int *version)
{
    struct packedit_pub pb = {.pack_id = pack_id, .max_text = max_text, .now = now,
                              .problem = problem, .mode = PACKEDIT_PUB_NOW,
                              .switch_on = switch_on, .result = PACKEDIT_ERROR};
    enum packedit_result r = packedit_pub_run(st, &pb);
    *version = pb.version;
    return r;
}

enum packedit_result packedit_plan(struct store *st, int64_t pack_id, size_t max_text,
                                   int64_t now, bool switch_on,
                                   struct content_problem *problem, int *version,
                                   char day[11])
{
    struct packedit_pub pb = {.pack_id = pack_id, .max_text = max_text, .now = now,
                              .problem = problem, .mode = PACKEDIT_PUB_PLAN,
                              .switch_on = switch_on, .result = PACKEDIT_ERROR};
    enum packedit_result r = packedit_pub_run(st, &pb);
    *version = pb.version;
    snprintf(day, CLOCK_DATE_LEN + 1, "%s", pb.day);
    return r;
}

/* One change to a draft, in a transaction of its own: op on it once it is known to be a
 * draft (result PACKEDIT_NOT_FOUND / PACKEDIT_NOT_DRAFT otherwise, nothing written). */
struct packedit_draft_op {
    int64_t pack_id;
    enum store_status (*op)(struct store *st, int64_t pack_id);
    enum packedit_result result;
};

static enum store_status packedit_draft_op_txn(struct store *st, void *arg)
{
    struct packedit_draft_op *d = arg;
    struct model_pack *p = NULL;
    d->result = packedit_load_draft(st, d->pack_id, &p); /* which of the two it is not */
    model_pack_free(p);
    if (d->result != PACKEDIT_OK)
        return d->result == PACKEDIT_ERROR ? STORE_ERROR : STORE_NOT_FOUND;
    enum store_status rc = d->op(st, d->pack_id);
    if (rc != STORE_OK)
        d->result = PACKEDIT_ERROR;
    return rc;
}

static enum packedit_result packedit_draft_op_run(struct store *st, int64_t pack_id,
                                                  enum store_status (*op)(struct store *,
                                                                          int64_t))
{
    struct packedit_draft_op d = {pack_id, op, PACKEDIT_ERROR};
    enum store_status rc = store_txn(st, packedit_draft_op_txn, &d);
    return rc == STORE_OK || rc == STORE_NOT_FOUND ? d.result : PACKEDIT_ERROR;
}

static enum store_status packedit_unplan_op(struct store *st, int64_t pack_id)
{
    return store_pack_plan(st, pack_id, "", "", false, 0);
}

enum packedit_result packedit_discard(struct store *st, int64_t pack_id)
{
    return packedit_draft_op_run(st, pack_id, store_draft_delete);
}

enum packedit_result packedit_unplan(struct store *st, int64_t pack_id)
{
    return packedit_draft_op_run(st, pack_id, packedit_unplan_op);
}

enum packedit_result packedit_plan_of(struct store *st, int64_t pack_id, char day[11],
                                      bool *changed, bool *switch_on)
{
    char planned[MODEL_HASH_HEX + 1];
    *changed = false;
    enum store_status rc = store_pack_plan_of(st, pack_id, day, planned, switch_on);
    if (rc == STORE_NOT_FOUND)
        return PACKEDIT_NOT_DRAFT;
    if (rc != STORE_OK)
        return PACKEDIT_ERROR;
    if (!*day)
        return PACKEDIT_OK;
    struct model_pack *p = NULL;
    if (store_pack_load(st, pack_id, &p) != STORE_OK)
        return PACKEDIT_ERROR;
    char hash[MODEL_HASH_HEX + 1];
    content_pack_hash(p, hash);
    model_pack_free(p);
    *changed = strcmp(hash, planned) != 0;
    return PACKEDIT_OK;
}

int packedit_plans_count(struct store *st, const char *today, size_t n[3])
{
    int64_t *ids = NULL;
    size_t count = 0;
    int rc = 0;
    n[0] = n[1] = n[2] = 0;
    /* every plan: no day is later than this one */
    if (store_pack_plans_due(st, "9999-12-31", &ids, &count) != STORE_OK)
        return -1;
    for (size_t i = 0; i < count; i++) {
        char day[CLOCK_DATE_LEN + 1];
        bool changed = false;
        enum packedit_result r = packedit_plan_of(st, ids[i], day, &changed, NULL);
        if (r == PACKEDIT_ERROR)
            rc = -1;
        if (r != PACKEDIT_OK || !*day)
            continue; /* published or taken away meanwhile */
        n[changed ? 1 : strcmp(day, today) <= 0 ? 2 : 0]++;
    }
    free(ids);
    return rc;
}

enum packedit_result packedit_draft_of(struct store *st, int64_t group_id, bool planned,
                                       int64_t *pack_id)
{
    enum store_status rc = store_pack_draft_id(st, group_id, planned, pack_id);
    return rc == STORE_OK          ? PACKEDIT_OK
           : rc == STORE_NOT_FOUND ? PACKEDIT_NOT_FOUND
                                   : PACKEDIT_ERROR;
}

int packedit_publish_due(struct store *st, int64_t now, int *published)
{
    char today[CLOCK_DATE_LEN + 1];
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = 0;
    if (published)
        *published = 0;
    clock_local_date(now, today);
    if (store_pack_plans_due(st, today, &ids, &n) != STORE_OK)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct content_problem problem = {.code = "", .lang = ""};
        /* no text limit: the content is the content confirmed, which met the limit then */
        struct packedit_pub pb = {.pack_id = ids[i], .max_text = SIZE_MAX, .now = now,
                                  .problem = &problem, .mode = PACKEDIT_PUB_DUE,
                                  .result = PACKEDIT_ERROR};
        enum packedit_result r = packedit_pub_run(st, &pb);
        if (r == PACKEDIT_OK && published)
            (*published)++;
        else if (r == PACKEDIT_ERROR)
            rc = -1;
    }
    free(ids);
    return rc;
}

/* ------------------------------------------------------------------ other languages */

void packedit_tr_path(char out[PACKEDIT_TR_PATH_MAX], const struct model_video *v,
                      const struct model_question *q, size_t option, const char *field)
{
    if (!v)
        snprintf(out, PACKEDIT_TR_PATH_MAX, "%s", field);
    else if (!q)
        snprintf(out, PACKEDIT_TR_PATH_MAX, "v.%s.%s", v->slug, field);
    else if (option)
        snprintf(out, PACKEDIT_TR_PATH_MAX, "v.%s.q.%s.o%zu", v->slug, q->slug, option);
    else
        snprintf(out, PACKEDIT_TR_PATH_MAX, "v.%s.q.%s.%s", v->slug, q->slug, field);
}

/* Drops the language code when it has no texts left, and the translations when no
 * language is left. */
static void packedit_tr_tidy(struct model_pack *p, const char *code)
{
    json_t *mine = json_object_get(p->translations, code);
    if (mine && json_object_size(mine) == 0)
        json_object_del(p->translations, code);
    if (p->translations && json_object_size(p->translations) == 0) {
        json_decref(p->translations);
        p->translations = NULL;
    }
}

void packedit_tr_set(struct model_pack *p, const char *code, const char *path, const char *text)
{
    if (!text || !*text) {
        if (p->translations) {
            json_object_del(json_object_get(p->translations, code), path);
            packedit_tr_tidy(p, code);
        }
        return;
    }
    if (!p->translations)
        p->translations = json_object();
    json_t *mine = json_object_get(p->translations, code);
    if (!mine) {
        mine = json_object();
        json_object_set_new(p->translations, code, mine);
    }
    json_object_set_new(mine, path, json_string(text));
    packedit_tr_tidy(p, code);
}

size_t packedit_tr_count(const struct model_pack *p, const char *code)
{
    return p->translations ? json_object_size(json_object_get(p->translations, code)) : 0;
}

void packedit_tr_drop(struct model_pack *p, size_t video, size_t question, size_t option)
{
    if (!p->translations || video < 1 || video > p->n_videos)
        return;
    const struct model_video *v = &p->videos[video - 1];
    const struct model_question *q = NULL;
    if (question) {
        if (question > v->n_questions)
            return;
        q = &v->questions[question - 1];
        if (option > q->n_options)
            return;
    }
    char prefix[PACKEDIT_TR_PATH_MAX];
    packedit_tr_path(prefix, v, q, 0, "");
    size_t plen = strlen(prefix);
    const char *code, *path;
    json_t *texts, *text;
    void *tmp;
    json_object_foreach_safe(p->translations, tmp, code, texts) {
        json_t *kept = json_object();
        json_object_foreach(texts, path, text) {
            if (strncmp(path, prefix, plen) != 0) {
                json_object_set(kept, path, text);
                continue;
            }
            /* a question's option: the removed one goes, later ones move up */
            const char *f = path + plen;
            char *end = (char *)f;
            long o = option && f[0] == 'o' ? strtol(f + 1, &end, 10) : 0;
            if (o > 0 && !*end && (size_t)o != option) {
                char moved[PACKEDIT_TR_PATH_MAX];
                packedit_tr_path(moved, v, q, (size_t)o > option ? (size_t)o - 1 : (size_t)o,
                                 "");
                json_object_set(kept, moved, text);
            } else if (option && o <= 0) {
                json_object_set(kept, path, text); /* the question's own texts stay */
            }
        }
        json_object_set_new(p->translations, code, kept);
    }
    json_object_foreach_safe(p->translations, tmp, code, texts)
        if (json_object_size(texts) == 0)
            json_object_del(p->translations, code);
    if (json_object_size(p->translations) == 0) {
        json_decref(p->translations);
        p->translations = NULL;
    }
}

/* ------------------------------------------------------------------ media */

const char *packedit_media_type(const char *data, size_t len, const char *content_type)
{
    const char *ct = content_type ? content_type : "";
    if (len >= 12 && memcmp(data + 4, "ftyp", 4) == 0 && strncasecmp(ct, "video/mp4", 9) == 0)
        return "mp4";
    if (len >= 4 && memcmp(data, "\x1a\x45\xdf\xa3", 4) == 0 &&
        strncasecmp(ct, "video/webm", 10) == 0)
        return "webm";
    return NULL;
}

int packedit_store_media(const char *dir, const char *data, size_t len, const char *ext,
                         char name[MODEL_HASH_HEX + 8])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[MODEL_HASH_HEX + 1], path[1024], tmp[1100];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(name, MODEL_HASH_HEX + 8, "%s.%s", hex, ext);
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    struct stat sb;
    if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
        return 0;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return errno == ENOSPC || errno == EDQUOT ? PACKEDIT_MEDIA_FULL : -1;
    int ok = files_write_all(fd, data, len) == 0 && fsync(fd) == 0;
    int err = ok ? 0 : errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        unlink(tmp);
        return err == ENOSPC || err == EDQUOT ? PACKEDIT_MEDIA_FULL : -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ differences */

struct packedit_differ {
    packedit_change_cb cb;
    void *arg;
    size_t n;
    const struct model_pack *old, *draft;
    const char **codes; /* the other languages of either pack, sorted */
    size_t n_codes;
    const struct model_video *va, *vb; /* the videos being compared, NULL: the pack */
};

static const char *const packedit_langs[LANG_COUNT] = {"da", "en"};

static void packedit_emit(struct packedit_differ *d, size_t v, size_t q, size_t o,
                          const char *field, const char *lang, const char *before,
                          const char *after)
{
    struct packedit_change ch = {v, q, o, field, lang, before, after};
    d->cb(&ch, d->arg);
    d->n++;
}

static void packedit_text(struct packedit_differ *d, size_t v, size_t q, size_t o,
                          const char *field, const char *lang, const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    if (strcmp(a, b) != 0)
        packedit_emit(d, v, q, o, field, lang, a, b);
}

/* The field in every other language: qa, qb the questions compared (NULL: a video's or
 * the pack's field), o the option (1-based, 0: none). */
static void packedit_others(struct packedit_differ *d, size_t v, size_t q, size_t o,
                            const char *field, const struct model_question *qa,
                            const struct model_question *qb)
{
    char pa[PACKEDIT_TR_PATH_MAX], pb[PACKEDIT_TR_PATH_MAX];
    packedit_tr_path(pa, d->va, qa, o, field);
    packedit_tr_path(pb, d->vb, qb, o, field);
    for (size_t i = 0; i < d->n_codes; i++)
        packedit_text(d, v, q, o, field, d->codes[i], content_translation(d->old, d->codes[i], pa),
                      content_translation(d->draft, d->codes[i], pb));
}

static void packedit_texts(struct packedit_differ *d, size_t v, size_t q, size_t o,
                           const char *field, char *const *a, char *const *b)
{
    for (int l = 0; l < LANG_COUNT; l++)
        packedit_text(d, v, q, o, field, packedit_langs[l], a[l], b[l]);
}

static const char *packedit_yes(bool b)
{
    return b ? "ja" : "nej";
}

static void packedit_diff_question(struct packedit_differ *d, size_t v, size_t q,
                                   const struct model_question *a,
                                   const struct model_question *b)
{
    packedit_texts(d, v, q, 0, "text", a->text, b->text);
    packedit_others(d, v, q, 0, "text", a, b);
    packedit_texts(d, v, q, 0, "topic", a->topic, b->topic);
    packedit_others(d, v, q, 0, "topic", a, b);
    packedit_texts(d, v, q, 0, "explanation", a->explanation, b->explanation);
    packedit_others(d, v, q, 0, "explanation", a, b);
    if (a->multiple != b->multiple)
        packedit_emit(d, v, q, 0, "multiple", "", packedit_yes(a->multiple),
                      packedit_yes(b->multiple));
    size_t n = a->n_options > b->n_options ? a->n_options : b->n_options;
    for (size_t o = 0; o < n; o++) {
        const struct model_option *x = o < a->n_options ? &a->options[o] : NULL;
        const struct model_option *y = o < b->n_options ? &b->options[o] : NULL;
        if (!x || !y) {
            const struct model_option *z = x ? x : y;
            packedit_emit(d, v, q, o + 1, "option", "da", x ? z->text[LANG_DA] : NULL,
                          y ? z->text[LANG_DA] : NULL);
            continue;
        }
        packedit_texts(d, v, q, o + 1, "option", x->text, y->text);
        packedit_others(d, v, q, o + 1, "option", a, b);
        if (x->correct != y->correct)
            packedit_emit(d, v, q, o + 1, "correct", "", packedit_yes(x->correct),
                          packedit_yes(y->correct));
    }
}

static void packedit_diff_video(struct packedit_differ *d, size_t v, const struct model_video *a,
                                const struct model_video *b)
{
    d->va = a;
    d->vb = b;
    packedit_texts(d, v, 0, 0, "title", a->title, b->title);
    packedit_others(d, v, 0, 0, "title", NULL, NULL);
    packedit_texts(d, v, 0, 0, "summary", a->summary, b->summary);
    packedit_others(d, v, 0, 0, "summary", NULL, NULL);
    packedit_text(d, v, 0, 0, "media", "", a->media, b->media);
    packedit_texts(d, v, 0, 0, "captions", a->captions, b->captions);
    packedit_others(d, v, 0, 0, "captions", NULL, NULL);
    packedit_texts(d, v, 0, 0, "transcript", a->transcript, b->transcript);
    packedit_others(d, v, 0, 0, "transcript", NULL, NULL);
    packedit_text(d, v, 0, 0, "legal_basis", "", a->legal_basis, b->legal_basis);
    packedit_text(d, v, 0, 0, "valid_from", "", a->valid_from, b->valid_from);
    packedit_text(d, v, 0, 0, "valid_to", "", a->valid_to, b->valid_to);
    size_t n = a->n_questions > b->n_questions ? a->n_questions : b->n_questions;
    for (size_t q = 0; q < n; q++) {
        const struct model_question *x = q < a->n_questions ? &a->questions[q] : NULL;
        const struct model_question *y = q < b->n_questions ? &b->questions[q] : NULL;
        if (x && y)
            packedit_diff_question(d, v, q + 1, x, y);
        else
            packedit_emit(d, v, q + 1, 0, "question", "da", x ? x->text[LANG_DA] : NULL,
                          y ? y->text[LANG_DA] : NULL);
    }
}

static int packedit_code_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The other languages either pack has texts in, sorted (borrowed from the packs; free()
 * the array). */
static const char **packedit_codes(const struct model_pack *a, const struct model_pack *b,
                                   size_t *n)
{
    size_t max = (a->translations ? json_object_size(a->translations) : 0) +
                 (b->translations ? json_object_size(b->translations) : 0);
    const char **codes = xcalloc(max ? max : 1, sizeof *codes);
    const struct model_pack *both[2] = {a, b};
    *n = 0;
    for (int k = 0; k < 2; k++) {
        const char *code;
        json_t *texts;
        if (!both[k]->translations)
            continue;
        json_object_foreach(both[k]->translations, code, texts) {
            size_t i = 0;
            while (i < *n && strcmp(codes[i], code) != 0)
                i++;
            if (i == *n)
                codes[(*n)++] = code;
        }
    }
    qsort(codes, *n, sizeof *codes, packedit_code_cmp);
    return codes;
}

size_t packedit_diff(const struct model_pack *old, const struct model_pack *draft,
                     packedit_change_cb cb, void *arg)
{
    static const struct model_pack none;
    if (!old)
        old = &none;
    struct packedit_differ d = {cb, arg, 0, old, draft, NULL, 0, NULL, NULL};
    d.codes = packedit_codes(old, draft, &d.n_codes);
    /* the group's name in another language (its Danish and English are the group's own) */
    packedit_others(&d, 0, 0, 0, "group.name", NULL, NULL);
    packedit_texts(&d, 0, 0, 0, "guidance", old->guidance, draft->guidance);
    packedit_others(&d, 0, 0, 0, "guidance", NULL, NULL);
    packedit_text(&d, 0, 0, 0, "legal_basis", "", old->legal_basis, draft->legal_basis);
    packedit_text(&d, 0, 0, 0, "valid_from", "", old->valid_from, draft->valid_from);
    packedit_text(&d, 0, 0, 0, "valid_to", "", old->valid_to, draft->valid_to);
    size_t n = old->n_videos > draft->n_videos ? old->n_videos : draft->n_videos;
    for (size_t v = 0; v < n; v++) {
        const struct model_video *x = v < old->n_videos ? &old->videos[v] : NULL;
        const struct model_video *y = v < draft->n_videos ? &draft->videos[v] : NULL;
        if (x && y)
            packedit_diff_video(&d, v + 1, x, y);
        else
            packedit_emit(&d, v + 1, 0, 0, "video", "da", x ? x->title[LANG_DA] : NULL,
                          y ? y->title[LANG_DA] : NULL);
    }
    free(d.codes);
    return d.n;
}
