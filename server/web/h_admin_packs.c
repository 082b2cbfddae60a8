/* The administrator's pages for guidance packs as versions: the draft, its texts in every
 * language, videos with their questions and options (added, removed, moved), uploads,
 * preview, the difference from the published version and publishing.  Only administrators
 * reach them (AUTH_STAFF_ADMIN in the route table).  Every form answers bad input with an
 * error summary at the top and stores nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "h_admin.h"
#include "handlers.h"
#include "letter.h"
#include "lix.h"
#include "mediainfo.h"
#include "mem.h"
#include "packedit.h"
#include "utf8.h"

static json_t *h_admin_lix(struct app_call *c, const char *text);
static json_t *h_admin_tongues(struct app_call *c, const struct model_pack *p);
static json_t *h_admin_plan(struct app_call *c, int64_t pack_id, int64_t group_id);
static bool h_admin_behind(const struct store_pack_row *rows, size_t n, int64_t pack_id,
                           int *version, int64_t *published_at);

/* ------------------------------------------------------------------ review */

/* One item of the review list, when vi says there is something to review: the group, the
 * version, where in the pack (NULL: all of it) and what is the matter, said with its day. */
static void h_admin_review_item(struct app_call *c, json_t *list, const struct model_group *g,
                                const struct model_pack *p, const char *where,
                                const struct content_validity_info *vi)
{
    static const char *const keys[] = {[CONTENT_ENDING] = "admin_review_ending",
                                       [CONTENT_NOT_YET] = "admin_review_not_yet",
                                       [CONTENT_ENDED] = "admin_review_ended"};
    char date[64];
    if (vi->state == CONTENT_IN_FORCE ||
        clock_format_human_day(vi->date, model_lang_code(c->lang), date, sizeof date) != 0)
        return;
    char *text = h_staff_fill_text(c, keys[vi->state], "date", date);
    json_t *item = json_pack("{s:s, s:s, s:i, s:s, s:b}", "group", h_staff_name(c, g->name),
                             "slug", g->slug, "version", p->version, "text", text, "ended",
                             vi->state == CONTENT_ENDED);
    free(text);
    if (where)
        json_object_set_new(item, "where", json_string(where));
    if (vi->state == CONTENT_ENDING) {
        char *when = vi->days == 0   ? xstrdup(app_text(c, "admin_review_today"))
                     : vi->days == 1 ? xstrdup(app_text(c, "admin_review_tomorrow"))
                                     : h_staff_fill(c, "admin_review_days", "n",
                                                    (unsigned)vi->days);
        json_object_set_new(item, "when", json_string(when));
        free(when);
    }
    json_array_append_new(list, item);
}

/* The group's planned draft, if it has one: NULL, or its plan (h_admin_plan) when it will
 * be carried out; a plan that will not be (changed since it was confirmed), or was not (its
 * day came and the draft could not be published), is an item of its own in list. */
static json_t *h_admin_review_plan(struct app_call *c, json_t *list, const struct model_group *g)
{
    struct store_pack_row *rows = NULL;
    size_t n = 0;
    int64_t draft = 0;
    if (store_pack_list(c->st, g->id, &rows, &n) != STORE_OK)
        return NULL;
    for (size_t i = 0; i < n && !draft; i++) /* one plan per group */
        if (strcmp(rows[i].state, "draft") == 0 && rows[i].publish_on[0])
            draft = rows[i].id;
    json_t *plan = draft ? h_admin_plan(c, draft, g->id) : NULL;
    bool stale = plan && (json_is_true(json_object_get(plan, "changed")) ||
                          json_is_true(json_object_get(plan, "passed")));
    int version = 0;
    int64_t since = 0;
    if (plan && !stale && h_admin_behind(rows, n, draft, &version, &since)) {
        /* a correction published while it waited: lost on its day unless made there too */
        char v[16], when[64];
        snprintf(v, sizeof v, "%d", version);
        clock_format_human(since, model_lang_code(c->lang), when, sizeof when);
        const char *vars[] = {"date", json_string_value(json_object_get(plan, "day")),
                              "version", v, "published", when, NULL};
        struct buf b = {0};
        letter_fill(&b, app_text(c, "admin_review_plan_behind"), vars);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "group",
                                              h_staff_name(c, g->name), "slug", g->slug,
                                              "text", b.data ? b.data : ""));
        buf_free(&b);
    }
    free(rows);
    if (!stale)
        return plan;
    const char *key = json_is_true(json_object_get(plan, "changed")) ? "admin_review_plan_changed"
                                                                     : "admin_review_plan_passed";
    char *text = h_staff_fill_text(c, key, "date", json_string_value(json_object_get(plan, "day")));
    json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "group", h_staff_name(c, g->name),
                                          "slug", g->slug, "text", text));
    free(text);
    json_decref(plan);
    return NULL;
}

struct h_admin_reviewing {
    struct app_call *c;
    const char *today;
    json_t *list;
    int64_t *published; /* the groups whose published version was reviewed (xrealloc) */
    size_t n_published;
};

/* The review items of one group's published version: the pack, then each video whose own
 * days make it differ. */
static void h_admin_review_pack(const struct model_group *g, const struct model_pack *p,
                                void *arg)
{
    struct h_admin_reviewing *r = arg;
    struct app_call *c = r->c;
    int days = (int)c->app->cfg->review_days;
    struct content_validity_info pack;
    content_validity_of(p->valid_from, p->valid_to, r->today, days, &pack);
    r->published = xrealloc(r->published, (r->n_published + 1) * sizeof *r->published);
    r->published[r->n_published++] = g->id;
    size_t before = json_array_size(r->list);
    h_admin_review_item(c, r->list, g, p, NULL, &pack);
    json_t *item = json_array_get(r->list, before);
    json_t *plan = h_admin_review_plan(c, r->list, g);
    /* a version ending or ended, with its successor planned: when it comes */
    if (plan && item && (pack.state == CONTENT_ENDING || pack.state == CONTENT_ENDED))
        json_object_set(item, "planned", json_object_get(plan, "day"));
    json_decref(plan);
    for (size_t v = 0; v < p->n_videos; v++) {
        struct content_validity_info own;
        content_video_validity(p, &p->videos[v], r->today, days, &own);
        if (own.state == pack.state && strcmp(own.date, pack.date) == 0)
            continue;
        char where[320];
        snprintf(where, sizeof where, "%s %zu: %s", app_text(c, "admin_video_title"), v + 1,
                 p->videos[v].title[LANG_DA]);
        h_admin_review_item(c, r->list, g, p, where, &own);
    }
}

json_t *h_admin_review(struct app_call *c)
{
    char today[CLOCK_DATE_LEN + 1];
    clock_today(today);
    struct h_admin_reviewing r = {c, today, json_array(), NULL, 0};
    content_published_each(c->st, c->app->content, h_admin_review_pack, &r);
    /* a group with nothing published yet (a new one: not seen above) and its first version
     * planned */
    struct model_group *groups = NULL;
    size_t n = 0;
    if (store_group_list(c->st, &groups, &n) == STORE_OK) {
        for (size_t i = 0; i < n; i++) {
            size_t k = 0;
            while (k < r.n_published && r.published[k] != groups[i].id)
                k++;
            if (k == r.n_published)
                json_decref(h_admin_review_plan(c, r.list, &groups[i]));
            model_group_clear(&groups[i]);
        }
        free(groups);
    }
    free(r.published);
    if (json_array_size(r.list) == 0) {
        json_decref(r.list);
        return NULL;
    }
    return json_pack("{s:o}", "items", r.list);
}

/* ------------------------------------------------------------------ packs */

/* Draft pack_id's plan for the pages: {day: "1. januar 2027", changed: edited since the
 * plan was confirmed, passed: its day has come and it is still a draft, switch_on: it
 * switches group group_id on, first: the group has no published version}, or NULL when it
 * has none (or the plan cannot be read: the page then shows none). */
static json_t *h_admin_plan(struct app_call *c, int64_t pack_id, int64_t group_id)
{
    char day[CLOCK_DATE_LEN + 1], today[CLOCK_DATE_LEN + 1], human[64];
    bool changed = false, switch_on = false;
    if (packedit_plan_of(c->st, pack_id, day, &changed, &switch_on) != PACKEDIT_OK || !*day ||
        clock_format_human_day(day, model_lang_code(c->lang), human, sizeof human) != 0)
        return NULL;
    clock_today(today);
    int64_t published;
    return json_pack("{s:I, s:s, s:b, s:b, s:b, s:b}", "id", (json_int_t)pack_id, "day", human,
                     "changed", changed, "passed", strcmp(day, today) <= 0, "switch_on",
                     switch_on, "first",
                     store_pack_published_id(c->st, group_id, &published) == STORE_NOT_FOUND);
}

void h_admin_packs(struct app_call *c)
{
    struct model_group *groups = NULL;
    size_t n = 0;
    if (store_group_list(c->st, &groups, &n) != STORE_OK) {
        h_staff_fail(c);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        struct store_pack_row *rows = NULL;
        size_t nr = 0;
        json_t *versions = json_array();
        int64_t draft = 0; /* the draft to edit for a change now (not planned) */
        bool plan_waits = false;
        if (store_pack_list(c->st, groups[i].id, &rows, &nr) == STORE_OK)
            for (size_t r = 0; r < nr; r++) {
                char key[32];
                snprintf(key, sizeof key, "pack_state_%s", rows[r].state);
                /* "Udgivet 1. dec.", "Trukket tilbage 5. dec. (udgivet 1. dec.)": the state
                 * word once, with its own date */
                json_t *v = json_pack("{s:I, s:i, s:s, s:b, s:b, s:b, s:i}", "id",
                                      (json_int_t)rows[r].id, "version", rows[r].version,
                                      "state", app_text(c, key), "draft",
                                      strcmp(rows[r].state, "draft") == 0, "is_published",
                                      strcmp(rows[r].state, "published") == 0, "is_retired",
                                      strcmp(rows[r].state, "retired") == 0, "enrolments",
                                      rows[r].enrolments);
                h_staff_time(c, v, "published", rows[r].published_at);
                h_staff_time(c, v, "retired", rows[r].retired_at);
                if (strcmp(rows[r].state, "draft") == 0) {
                    if (rows[r].publish_on[0])
                        plan_waits = true;
                    else if (!draft)
                        draft = rows[r].id;
                    json_t *plan = rows[r].publish_on[0]
                                       ? h_admin_plan(c, rows[r].id, groups[i].id)
                                       : NULL;
                    if (plan)
                        json_object_set_new(v, "plan", plan);
                }
                json_array_append_new(versions, v);
            }
        free(rows);
        json_t *g = json_pack("{s:s, s:s, s:b, s:o}", "slug", groups[i].slug, "name",
                              h_staff_name(c, groups[i].name), "has_versions",
                              json_array_size(versions) > 0, "versions", versions);
        if (draft)
            json_object_set_new(g, "draft_id", json_integer((json_int_t)draft));
        /* with a plan waiting, a new draft is a correction of the version in force */
        json_object_set_new(g, "plan_waits", json_boolean(plan_waits));
        json_array_append_new(list, g);
        model_group_clear(&groups[i]);
    }
    free(groups);
    json_t *ctx = json_pack("{s:o}", "groups", list), *review = h_admin_review(c);
    if (review)
        json_object_set_new(ctx, "review", review);
    const char *discarded = http_query(c->req, "slettet"); /* after a draft was deleted */
    json_object_set_new(ctx, "discarded", json_boolean(discarded && strcmp(discarded, "1") == 0));
    app_page(c, 200, "admin/packs", ctx);
}

void h_admin_draft_new(struct app_call *c)
{
    struct model_group g;
    int64_t id;
    if (store_group_by_slug(c->st, c->req->match->params[0], &g) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return;
    }
    enum packedit_result r = packedit_draft(c->st, g.id, clock_now(), &id);
    model_group_clear(&g);
    if (r == PACKEDIT_NOT_FOUND) {
        app_page_error(c, 404, "not_found");
        return;
    }
    if (r != PACKEDIT_OK) {
        h_staff_fail(c);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/admin/pakke/%lld", (long long)id);
    http_reply_redirect(c->rep, 303, path);
}

/* Replies for a result other than PACKEDIT_OK that means no such draft: 404, 409 when the
 * pack is no longer a draft, the error page when the database failed.  1 when it replied. */
static int h_admin_no_draft(struct app_call *c, enum packedit_result r)
{
    if (r == PACKEDIT_NOT_FOUND)
        app_page_error(c, 404, "not_found");
    else if (r == PACKEDIT_NOT_DRAFT)
        app_page_error(c, 409, "pack_not_draft");
    else if (r == PACKEDIT_ERROR)
        h_staff_fail(c);
    else
        return 0;
    return 1;
}

/* The draft of the path's {id}; NULL having replied (404, or 409 when not a draft). */
static struct model_pack *h_admin_draft_of(struct app_call *c)
{
    struct model_pack *p = NULL;
    int64_t id = h_admin_id(c, 0);
    enum packedit_result r = id ? packedit_load_draft(c->st, id, &p) : PACKEDIT_NOT_FOUND;
    h_admin_no_draft(c, r);
    return r == PACKEDIT_OK ? p : NULL;
}

/* A positive number of the query (?name=N, at most 999), else 0. */
static int h_admin_query_n(struct app_call *c, const char *name)
{
    const char *s = http_query(c->req, name);
    char *end;
    long n = s && *s ? strtol(s, &end, 10) : 0;
    return n >= 1 && n <= 999 && *end == '\0' ? (int)n : 0;
}

/* What the page says after a removal, read back from the address it was sent to
 * (?fjernet=video|spoergsmaal|svar&nr=N[&spm=Q]); nothing for anything else. */
static void h_admin_removed_notice(struct app_call *c, json_t *ctx)
{
    const char *what = http_query(c->req, "fjernet");
    int nr = h_admin_query_n(c, "nr"), q = h_admin_query_n(c, "spm");
    if (!what || !nr)
        return;
    if (strcmp(what, "video") == 0)
        json_object_set_new(ctx, "removed_video", json_pack("{s:i}", "n", nr));
    else if (strcmp(what, "spoergsmaal") == 0)
        json_object_set_new(ctx, "removed_question", json_pack("{s:i}", "n", nr));
    else if (strcmp(what, "svar") == 0 && q)
        json_object_set_new(ctx, "removed_option", json_pack("{s:i, s:i}", "n", nr, "question", q));
}

/* text (a key of the strings) with {{version}} and {{date}} filled in, into ctx[name]. */
static void h_admin_fill_version(struct app_call *c, json_t *ctx, const char *name,
                                 const char *key, int version, const char *date)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *vars[] = {"version", v, "date", date, NULL};
    struct buf b = {0};
    letter_fill(&b, app_text(c, key), vars);
    json_object_set_new(ctx, name, json_string(b.data ? b.data : ""));
    buf_free(&b);
}

/* Whether a version of the group whose versions are rows[n] was published after draft
 * pack_id was made, or after its plan was last confirmed (its changes may not be in the
 * draft): *version and *published_at of it. */
static bool h_admin_behind(const struct store_pack_row *rows, size_t n, int64_t pack_id,
                           int *version, int64_t *published_at)
{
    int64_t made = 0;
    bool behind = false;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == pack_id)
            made = rows[i].publish_confirmed_at > rows[i].created_at
                       ? rows[i].publish_confirmed_at
                       : rows[i].created_at;
    for (size_t i = 0; i < n && made; i++)
        if (strcmp(rows[i].state, "published") == 0 && rows[i].published_at > made) {
            *version = rows[i].version;
            *published_at = rows[i].published_at;
            behind = true;
        }
    return behind;
}

/* What the draft's page says of its group's other versions: "other_plan", when another
 * draft is planned (it will not get this draft's changes: a correction published now is
 * lost on that day unless it is made there too), and "behind", when a version was
 * published after this draft was made (its changes are not in this one). */
static void h_admin_draft_siblings(struct app_call *c, json_t *ctx, const struct model_pack *p)
{
    struct store_pack_row *rows = NULL;
    size_t n = 0;
    int version = 0;
    int64_t since = 0;
    char day[64], when[64];
    if (store_pack_list(c->st, p->group_id, &rows, &n) != STORE_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id != p->id && strcmp(rows[i].state, "draft") == 0 &&
            rows[i].publish_on[0] &&
            clock_format_human_day(rows[i].publish_on, model_lang_code(c->lang), day,
                                   sizeof day) == 0)
            h_admin_fill_version(c, ctx, "other_plan", "admin_publish_plan_waits",
                                 rows[i].version, day);
    bool behind = h_admin_behind(rows, n, p->id, &version, &since);
    free(rows);
    if (behind) {
        clock_format_human(since, model_lang_code(c->lang), when, sizeof when);
        h_admin_fill_version(c, ctx, "behind",
                             json_object_get(ctx, "plan") ? "admin_plan_behind"
                                                          : "admin_draft_behind",
                             version, when);
    }
}

static json_t *h_admin_draft_ctx(struct app_call *c, const struct model_pack *p)
{
    struct model_group g;
    json_t *ctx = json_pack("{s:I, s:i}", "pack_id", (json_int_t)p->id, "version", p->version);
    if (store_group_by_id(c->st, p->group_id, &g) == STORE_OK) {
        json_object_set_new(ctx, "group_name", json_string(h_staff_name(c, g.name)));
        json_object_set_new(ctx, "group_off", json_boolean(!g.enabled));
        model_group_clear(&g);
    }
    json_t *videos = json_array();
    for (size_t vi = 0; vi < p->n_videos; vi++)
        json_array_append_new(videos, json_pack("{s:i, s:s, s:i, s:b, s:b}", "n", (int)vi + 1,
                                                "title", p->videos[vi].title[LANG_DA],
                                                "questions", (int)p->videos[vi].n_questions,
                                                "first", vi == 0, "last", vi + 1 == p->n_videos));
    json_object_set_new(ctx, "videos", videos);
    json_t *tongues = h_admin_tongues(c, p);
    json_object_set_new(ctx, "has_tongues", json_boolean(json_array_size(tongues) > 0));
    json_object_set_new(ctx, "tongues", tongues);
    json_t *plan = h_admin_plan(c, p->id, p->group_id);
    if (plan)
        json_object_set_new(ctx, "plan", plan);
    h_admin_draft_siblings(c, ctx, p);
    if (c->req->method != ROUTER_POST)
        h_admin_removed_notice(c, ctx);
    return ctx;
}

/* The draft's own texts for its form. */
static void h_admin_draft_texts(json_t *ctx, const struct model_pack *p)
{
    json_object_set_new(ctx, "guidance_da", json_string(p->guidance[LANG_DA]));
    json_object_set_new(ctx, "guidance_en", json_string(p->guidance[LANG_EN]));
    json_object_set_new(ctx, "legal_basis", json_string(p->legal_basis));
    json_object_set_new(ctx, "valid_from", json_string(p->valid_from));
    json_object_set_new(ctx, "valid_to", json_string(p->valid_to));
}

/* Sets a text from a form: a browser sends a textarea's line breaks as CRLF, stored as
 * LF so that saving a form unchanged changes nothing. */
static void h_admin_set(char **dst, const char *src)
{
    free(*dst);
    *dst = h_staff_text_lf(src);
}

/* Sets *dst from the posted field name as h_admin_set does and checks it as stored, by
 * the rules publishing and the pack files hold it to (content.h): not empty when missing
 * is given (its error otherwise), at most max characters (too_long otherwise).  Both
 * messages may name the limit ({{max}}).  0, or -1 with the error in ctx. */
static int h_admin_take(struct app_call *c, json_t *ctx, const char *name, const char *posted,
                        char **dst, size_t max, const char *missing, const char *too_long)
{
    h_admin_set(dst, posted);
    if (missing && !**dst) {
        h_staff_error_n(c, ctx, name, missing, "max", (unsigned)max);
        return -1;
    }
    if (!utf8_fits(*dst, max)) {
        h_staff_error_n(c, ctx, name, too_long, "max", (unsigned)max);
        return -1;
    }
    return 0;
}

/* The validity dates of a pack or video form into from and to (each CLOCK_DATE_LEN + 1):
 * both days or empty, and the last not before the first; errors into ctx.  A form without
 * the fields leaves from and to as they are. */
static void h_admin_dates(struct app_call *c, json_t *ctx, char *from, char *to)
{
    const char *f = form_get(&c->form, "valid_from");
    const char *t = form_get(&c->form, "valid_to");
    f = f ? h_staff_text(c, ctx, "valid_from", CLOCK_DATE_LEN, 0, NULL, "admin_err_date") : NULL;
    t = t ? h_staff_text(c, ctx, "valid_to", CLOCK_DATE_LEN, 0, NULL, "admin_err_date") : NULL;
    int ok = 1;
    if (f && !content_date_ok(f)) {
        h_staff_error(c, ctx, "valid_from", "admin_err_date");
        ok = 0;
    }
    if (t && !content_date_ok(t)) {
        h_staff_error(c, ctx, "valid_to", "admin_err_date");
        ok = 0;
    }
    const char *nf = f ? f : from, *nt = t ? t : to;
    if (ok && *nf && *nt && strcmp(nt, nf) < 0) {
        h_staff_error(c, ctx, "valid_to", "admin_err_dates_reversed");
        ok = 0;
    }
    if (!ok)
        return;
    if (f)
        snprintf(from, CLOCK_DATE_LEN + 1, "%s", f);
    if (t)
        snprintf(to, CLOCK_DATE_LEN + 1, "%s", t);
}

/* ------------------------------------------------------------------ other languages */

/* A content language of a draft other than Danish and English. */
struct h_admin_tongue {
    const char *code;
    const char *name; /* in the language itself; the code when the service lacks it */
    bool rtl;
};

/* The language of the path's {lang} (params[1]): one of the service's languages other
 * than Danish and English, or one the draft has texts in.  0, or -1 having replied 404. */
static int h_admin_tongue_of(struct app_call *c, const struct model_pack *p,
                             struct h_admin_tongue *out)
{
    const char *code = c->req->match->params[1];
    const struct lang_info *li = lang_find(&c->app->langs, code);
    if (!lang_code_ok(code) || !strcmp(code, "da") || !strcmp(code, "en") ||
        (!li && !packedit_tr_count(p, code))) {
        app_page_error(c, 404, "not_found");
        return -1;
    }
    out->code = code;
    out->name = li ? li->name : code;
    out->rtl = li && li->rtl;
    return 0;
}

/* One text field of a language form: spec and where its Danish source is. */
struct h_admin_tr_spec {
    const char *field; /* the translation path's last part (packedit_tr_path) */
    const char *label; /* UI string key */
    size_t max;        /* characters; 0: [staff] max_content_text */
    int rows;          /* 0: one line */
};

static const struct h_admin_tr_spec h_admin_tr_guidance = {"guidance", "staff_written_guidance",
                                                           0, 12};
static const struct h_admin_tr_spec h_admin_tr_group = {"group.name", "admin_tr_group_name",
                                                        CONTENT_GROUP_NAME_MAX, 0};
static const struct h_admin_tr_spec h_admin_tr_video_specs[] = {
    {"title", "admin_tr_title", CONTENT_TITLE_MAX, 0},
    {"summary", "admin_tr_summary", CONTENT_SUMMARY_MAX, 3},
    {"transcript", "admin_tr_transcript", 0, 8},
    {"captions", "admin_tr_captions", 0, 8},
};
static const struct h_admin_tr_spec h_admin_tr_question[] = {
    {"text", "admin_question_text", CONTENT_QUESTION_MAX, 2},
    {"topic", "admin_question_topic", CONTENT_TOPIC_MAX, 0},
    {"explanation", "admin_question_explanation", CONTENT_EXPLANATION_MAX, 3},
};
static const struct h_admin_tr_spec h_admin_tr_option = {"", "admin_option",
                                                         CONTENT_OPTION_MAX, 0};
#define H_ADMIN_TR_VIDEO_N (sizeof h_admin_tr_video_specs / sizeof h_admin_tr_video_specs[0])
#define H_ADMIN_TR_QUESTION_N (sizeof h_admin_tr_question / sizeof h_admin_tr_question[0])

/* How many texts of p the editor offers in another language (*total), and how many of
 * them p has in code (*done). */
static void h_admin_tr_counts(const struct model_pack *p, const char *code, size_t *done,
                              size_t *total)
{
    char path[PACKEDIT_TR_PATH_MAX];
    *total = 2; /* the target group's name and the written guidance */
    *done = (content_translation(p, code, "group.name") != NULL) +
            (content_translation(p, code, "guidance") != NULL);
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        const struct model_video *v = &p->videos[vi];
        for (size_t f = 0; f < H_ADMIN_TR_VIDEO_N; f++) {
            packedit_tr_path(path, v, NULL, 0, h_admin_tr_video_specs[f].field);
            *done += content_translation(p, code, path) != NULL;
            (*total)++;
        }
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            for (size_t f = 0; f < H_ADMIN_TR_QUESTION_N + q->n_options; f++) {
                int own = f < H_ADMIN_TR_QUESTION_N; /* the question's own, else an option */
                packedit_tr_path(path, v, q, own ? 0 : f - H_ADMIN_TR_QUESTION_N + 1,
                                 own ? h_admin_tr_question[f].field : "");
                *done += content_translation(p, code, path) != NULL;
                (*total)++;
            }
        }
    }
}

static json_t *h_admin_tongue_json(const struct model_pack *p, const char *code,
                                   const char *name, bool rtl)
{
    size_t done, total;
    h_admin_tr_counts(p, code, &done, &total);
    return json_pack("{s:s, s:s, s:s, s:I, s:I}", "code", code, "name", name, "dir",
                     rtl ? "rtl" : "ltr", "texts", (json_int_t)done, "total", (json_int_t)total);
}

/* The draft's other languages for its page: the service's languages other than Danish
 * and English, then any other the draft has texts in. */
static json_t *h_admin_tongues(struct app_call *c, const struct model_pack *p)
{
    json_t *list = json_array();
    const struct lang_list *l = &c->app->langs;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].code, "da") && strcmp(l->items[i].code, "en"))
            json_array_append_new(list, h_admin_tongue_json(p, l->items[i].code,
                                                            l->items[i].name,
                                                            l->items[i].rtl));
    const char *code;
    json_t *texts;
    if (p->translations)
        json_object_foreach(p->translations, code, texts)
            if (!lang_find(l, code))
                json_array_append_new(list, h_admin_tongue_json(p, code, code, false));
    return list;
}

/* Reads (when post) and shows one field: name is the form field, path its translation,
 * danish the text to translate, number a number after the label (0: none).  A posted
 * text goes into p (saved only when the whole form has no errors). */
static json_t *h_admin_tr_field(struct app_call *c, json_t *ctx, struct model_pack *p,
                                const char *code, const struct h_admin_tr_spec *s,
                                const char *name, const char *path, const char *danish,
                                size_t number, int post)
{
    size_t max = s->max ? s->max : c->app->cfg->max_content_text;
    if (post) {
        char *text = NULL;
        /* CRLF as LF, as da and en */
        if (h_admin_take(c, ctx, name, h_staff_field(c, name), &text, max, NULL,
                         "admin_err_text_long") == 0 &&
            !strcmp(s->field, "captions") && *text && strncmp(text, "WEBVTT", 6) != 0)
            h_staff_error(c, ctx, name, "admin_err_captions");
        packedit_tr_set(p, code, path, text);
        free(text);
    }
    char label[160], ek[96];
    const char *l = app_text(c, s->label);
    if (number)
        snprintf(label, sizeof label, "%s %zu", l, number);
    else
        snprintf(label, sizeof label, "%s", l);
    snprintf(ek, sizeof ek, "err_%s", name);
    const char *value = content_translation(p, code, path);
    const char *err = json_string_value(json_object_get(ctx, ek));
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:b}", "name", name, "label", label,
                          "danish", danish ? danish : "", "value", value ? value : "", "area",
                          s->rows > 0, "rows", s->rows, "long_danish", s->rows >= 8);
    if (err)
        json_object_set_new(f, "err", json_string(err));
    return f;
}

/* The language form of video n (1-based) of p: its fields and its questions' (read from
 * the form first when post), as sections for admin/lang. */
static json_t *h_admin_tr_video(struct app_call *c, json_t *ctx, struct model_pack *p,
                                const char *code, size_t n, int post)
{
    struct model_video *v = &p->videos[n - 1];
    char path[PACKEDIT_TR_PATH_MAX], name[64];
    json_t *sections = json_array(), *fields = json_array();
    char *const *da[] = {v->title, v->summary, v->transcript, v->captions};
    for (size_t i = 0; i < H_ADMIN_TR_VIDEO_N; i++) {
        const struct h_admin_tr_spec *s = &h_admin_tr_video_specs[i];
        packedit_tr_path(path, v, NULL, 0, s->field);
        json_array_append_new(fields, h_admin_tr_field(c, ctx, p, code, s, s->field, path,
                                                       da[i][LANG_DA], 0, post));
    }
    json_array_append_new(sections, json_pack("{s:o}", "fields", fields));
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        char *const *qda[] = {q->text, q->topic, q->explanation};
        fields = json_array();
        for (size_t i = 0; i < H_ADMIN_TR_QUESTION_N; i++) {
            const struct h_admin_tr_spec *s = &h_admin_tr_question[i];
            snprintf(name, sizeof name, "q%zu_%s", qi + 1, s->field);
            packedit_tr_path(path, v, q, 0, s->field);
            json_array_append_new(fields, h_admin_tr_field(c, ctx, p, code, s, name, path,
                                                           qda[i][LANG_DA], 0, post));
        }
        for (size_t oi = 0; oi < q->n_options; oi++) {
            snprintf(name, sizeof name, "q%zu_o%zu", qi + 1, oi + 1);
            packedit_tr_path(path, v, q, oi + 1, "");
            json_array_append_new(fields, h_admin_tr_field(c, ctx, p, code, &h_admin_tr_option,
                                                           name, path,
                                                           q->options[oi].text[LANG_DA],
                                                           oi + 1, post));
        }
        char legend[96];
        snprintf(legend, sizeof legend, "%s %zu", app_text(c, "video_question"), qi + 1);
        json_array_append_new(sections,
                              json_pack("{s:s, s:o}", "legend", legend, "fields", fields));
    }
    return sections;
}

/* GET/POST /admin/pakke/{id}/sprog/{lang} and …/sprog/{lang}/video/{n}: the draft's texts
 * in one other language, beside the Danish ones; "" clears a text (the citizen then sees
 * the Danish one).  Saved into the draft's translations, which publishing keeps. */
void h_admin_lang(struct app_call *c)
{
    struct model_pack *p = h_admin_draft_of(c);
    struct h_admin_tongue tg;
    if (!p)
        return;
    if (h_admin_tongue_of(c, p, &tg))
        goto out;
    size_t n = 0;
    if (c->req->match->n_params > 2 && !(n = h_staff_video_n(c, 2, p))) {
        app_page_error(c, 404, "not_found");
        goto out;
    }
    int post = c->req->method == ROUTER_POST;
    json_t *ctx = h_admin_draft_ctx(c, p);
    json_t *sections;
    if (n) {
        sections = h_admin_tr_video(c, ctx, p, tg.code, n, post);
    } else {
        /* the target group's name as the citizen reads it at the top of every page (the
         * Danish name is the group's own, /admin/grupper), then the written guidance */
        struct model_group g = {0};
        json_t *fields = json_array();
        if (store_group_by_id(c->st, p->group_id, &g) != STORE_OK) {
            json_decref(fields);
            json_decref(ctx);
            h_staff_fail(c);
            goto out;
        }
        json_array_append_new(fields, h_admin_tr_field(c, ctx, p, tg.code, &h_admin_tr_group,
                                                       "group_name", "group.name",
                                                       g.name[LANG_DA], 0, post));
        const char *name = content_translation(p, tg.code, "group.name");
        if (post && name && !content_group_name_ok(name, false) &&
            !json_object_get(ctx, "err_group_name"))
            h_staff_error(c, ctx, "group_name", "admin_err_group_name_line");
        model_group_clear(&g);
        json_array_append_new(fields, h_admin_tr_field(c, ctx, p, tg.code, &h_admin_tr_guidance,
                                                       "guidance", "guidance",
                                                       p->guidance[LANG_DA], 0, post));
        sections = json_pack("[{s:o}]", "fields", fields);
    }
    if (post && !h_admin_has_errors(ctx)) {
        json_decref(sections);
        json_decref(ctx);
        if (packedit_save(c->st, p) != PACKEDIT_OK) {
            h_staff_fail(c);
            goto out;
        }
        http_reply_redirect(c->rep, 303, c->req->path);
        goto out;
    }
    char back[96];
    snprintf(back, sizeof back, "/admin/pakke/%lld%s%.16s", (long long)p->id,
             n ? "/sprog/" : "", n ? tg.code : "");
    json_object_set_new(ctx, "sections", sections);
    json_object_set_new(ctx, "tongue", h_admin_tongue_json(p, tg.code, tg.name, tg.rtl));
    json_object_set_new(ctx, "action", json_string(c->req->path));
    json_object_set_new(ctx, "back", json_string(back));
    json_object_set_new(ctx, "back_text",
                        json_string(app_text(c, n ? "admin_tr_back" : "admin_back_to_draft")));
    if (n) {
        json_object_set_new(ctx, "video_n", json_integer((json_int_t)n));
        json_object_set_new(ctx, "video_title", json_string(p->videos[n - 1].title[LANG_DA]));
    }
    app_page(c, post ? 422 : 200, "admin/lang", ctx);
out:
    model_pack_free(p);
}

/* A posted text field and where it goes. */
struct h_admin_text {
    const char *name;
    char **dst;
    size_t max;
    int required;
    const char *missing; /* UI string key when required and empty */
};

/* Reads the posted fields into their places (as stored: h_admin_take) and into ctx as
 * posted, for the form to show again; adds errors to ctx. */
static void h_admin_read_texts(struct app_call *c, json_t *ctx, const struct h_admin_text *f,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *posted = h_staff_field(c, f[i].name);
        json_object_set_new(ctx, f[i].name, json_string(posted));
        h_admin_take(c, ctx, f[i].name, posted, f[i].dst, f[i].max,
                     f[i].required ? f[i].missing : NULL, "admin_err_text_long");
    }
}

void h_admin_draft(struct app_call *c)
{
    struct model_pack *p = h_admin_draft_of(c);
    if (!p)
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    size_t max = c->app->cfg->max_content_text;
    if (c->req->method != ROUTER_POST) {
        h_admin_draft_texts(ctx, p);
        json_object_set_new(ctx, "guidance_da_lix", h_admin_lix(c, p->guidance[LANG_DA]));
        app_page(c, 200, "admin/draft", ctx);
        goto out;
    }
    const struct h_admin_text texts[] = {
        {"guidance_da", &p->guidance[LANG_DA], max, 1, "admin_err_guidance_missing"},
        {"guidance_en", &p->guidance[LANG_EN], max, 0, NULL},
        {"legal_basis", &p->legal_basis, CONTENT_LEGAL_MAX, 0, NULL},
    };
    h_admin_read_texts(c, ctx, texts, sizeof texts / sizeof texts[0]);
    h_admin_dates(c, ctx, p->valid_from, p->valid_to);
    if (h_admin_has_errors(ctx)) {
        json_object_set_new(ctx, "guidance_da_lix", h_admin_lix(c, h_staff_field(c, "guidance_da")));
        app_page(c, 422, "admin/draft", ctx);
        goto out;
    }
    enum packedit_result r = packedit_save(c->st, p);
    json_decref(ctx);
    if (r != PACKEDIT_OK) {
        h_staff_fail(c);
        goto out;
    }
    char path[64];
    snprintf(path, sizeof path, "/admin/pakke/%lld", (long long)p->id);
    http_reply_redirect(c->rep, 303, path);
out:
    model_pack_free(p);
}

/* The video form's context: every field of video v (from the draft or as posted). */
/* The readability of a Danish text for the editor: {text, warn} (warn above
 * LIX_PLAIN_MAX, the plain-language limit for citizens). */
static json_t *h_admin_lix(struct app_call *c, const char *text)
{
    int x = lix_of(text);
    char *msg = x < 0 ? xstrdup(app_text(c, "admin_lix_short"))
                      : h_staff_fill(c, x > LIX_PLAIN_MAX ? "admin_lix_warn" : "admin_lix_ok",
                                     "lix", (unsigned)x);
    json_t *j = json_pack("{s:s, s:b}", "text", msg, "warn", x > LIX_PLAIN_MAX);
    free(msg);
    return j;
}

static const char *h_admin_str(const char *s)
{
    return s ? s : "";
}

/* The video form: every field in Danish and English, with the LIX of the Danish texts. */
static json_t *h_admin_video_json(struct app_call *c, const struct model_video *v, size_t n)
{
    json_t *qs = json_array();
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        const struct model_question *q = &v->questions[qi];
        json_t *opts = json_array();
        for (size_t oi = 0; oi < q->n_options; oi++) {
            char name[48];
            snprintf(name, sizeof name, "q%zu_o%zu", qi + 1, oi + 1);
            json_array_append_new(
                opts, json_pack("{s:s, s:s, s:s, s:i, s:b, s:s}", "name", name, "text",
                                h_admin_str(q->options[oi].text[LANG_DA]), "text_en",
                                h_admin_str(q->options[oi].text[LANG_EN]), "n", (int)oi + 1,
                                "correct", q->options[oi].correct, "q", ""));
        }
        char p[24];
        snprintf(p, sizeof p, "q%zu", qi + 1);
        json_array_append_new(
            qs, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "p", p,
                          "number", (int)qi + 1, "text", h_admin_str(q->text[LANG_DA]),
                          "text_en", h_admin_str(q->text[LANG_EN]), "topic",
                          h_admin_str(q->topic[LANG_DA]), "topic_en",
                          h_admin_str(q->topic[LANG_EN]), "explanation",
                          h_admin_str(q->explanation[LANG_DA]), "explanation_en",
                          h_admin_str(q->explanation[LANG_EN]), "multiple", q->multiple,
                          "options", opts, "text_lix", h_admin_lix(c, q->text[LANG_DA]),
                          "explanation_lix", h_admin_lix(c, q->explanation[LANG_DA])));
    }
    json_t *j = json_pack("{s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "n",
                          (int)n, "video_n", (int)n, "title_da", h_admin_str(v->title[LANG_DA]),
                          "title_en", h_admin_str(v->title[LANG_EN]), "summary_da",
                          h_admin_str(v->summary[LANG_DA]), "summary_en",
                          h_admin_str(v->summary[LANG_EN]), "media", h_admin_str(v->media),
                          "captions_da", h_admin_str(v->captions[LANG_DA]), "captions_en",
                          h_admin_str(v->captions[LANG_EN]), "transcript_da",
                          h_admin_str(v->transcript[LANG_DA]), "transcript_en",
                          h_admin_str(v->transcript[LANG_EN]), "questions", qs);
    json_object_set_new(j, "summary_da_lix", h_admin_lix(c, v->summary[LANG_DA]));
    json_object_set_new(j, "transcript_da_lix", h_admin_lix(c, v->transcript[LANG_DA]));
    json_object_set_new(j, "legal_basis", json_string(h_admin_str(v->legal_basis)));
    json_object_set_new(j, "valid_from", json_string(v->valid_from));
    json_object_set_new(j, "valid_to", json_string(v->valid_to));
    return j;
}

/* What one text field of an editor form may take of the body: its name (at most 30
 * bytes; the longest, "q32_explanation_en", has 18), '=' and '&', and a value of max
 * characters of up to UTF8_CHAR_MAX bytes each, every byte percent-encoded (%XX): 12
 * bytes a character.  A line break is counted as stored, LF, and sent as CRLF, "%0D%0A":
 * 6 bytes, within that. */
static size_t h_admin_field_body(size_t max_chars)
{
    return 32 + 3 * UTF8_CHAR_MAX * max_chars;
}

/* … and a field whose legal values are max bytes of ASCII (the form token, a right
 * mark's option number). */
static size_t h_admin_ascii_body(size_t max)
{
    return 32 + 3 * max;
}

/* The video form (admin/video.html, read by h_admin_video_read): csrf, twelve fields of
 * the video, and per question six texts and per option its two texts and its right mark. */
size_t h_admin_editor_fields(void)
{
    return 1 + 12 + MODEL_MAX_QUESTIONS * (6 + 3 * MODEL_MAX_OPTIONS);
}

size_t h_admin_video_body(size_t max_content_text)
{
    return h_admin_ascii_body(TOKEN_HASH_HEX_LEN) + /* csrf */
           2 * h_admin_field_body(CONTENT_TITLE_MAX) +
           2 * h_admin_field_body(CONTENT_SUMMARY_MAX) + h_admin_field_body(CONTENT_MEDIA_MAX) +
           4 * h_admin_field_body(max_content_text) + /* captions, transcripts */
           h_admin_field_body(CONTENT_LEGAL_MAX) + 2 * h_admin_ascii_body(CLOCK_DATE_LEN);
}

size_t h_admin_editor_body(size_t max_content_text)
{
    size_t video = h_admin_video_body(max_content_text);
    size_t option = 2 * h_admin_field_body(CONTENT_OPTION_MAX) + h_admin_ascii_body(2);
    size_t question = 2 * h_admin_field_body(CONTENT_QUESTION_MAX) +
                      2 * h_admin_field_body(CONTENT_TOPIC_MAX) +
                      2 * h_admin_field_body(CONTENT_EXPLANATION_MAX) +
                      MODEL_MAX_OPTIONS * option;
    return video + MODEL_MAX_QUESTIONS * question;
}

/* Reads the posted video form into v (a copy of the draft's video); adds errors to ctx. */
static void h_admin_video_read(struct app_call *c, json_t *ctx, struct model_video *v)
{
    size_t max = c->app->cfg->max_content_text;
    const struct h_admin_text fields[] = {
        {"title_da", &v->title[LANG_DA], CONTENT_TITLE_MAX, 1, "admin_err_title_missing"},
        {"title_en", &v->title[LANG_EN], CONTENT_TITLE_MAX, 0, NULL},
        {"summary_da", &v->summary[LANG_DA], CONTENT_SUMMARY_MAX, 0, NULL},
        {"summary_en", &v->summary[LANG_EN], CONTENT_SUMMARY_MAX, 0, NULL},
        {"captions_da", &v->captions[LANG_DA], max, 0, NULL},
        {"captions_en", &v->captions[LANG_EN], max, 0, NULL},
        {"transcript_da", &v->transcript[LANG_DA], max, 1, "admin_err_transcript_missing"},
        {"transcript_en", &v->transcript[LANG_EN], max, 0, NULL},
        {"media", &v->media, CONTENT_MEDIA_MAX, 0, NULL},
    };
    /* a file name is checked when it changes: the draft may name a file that this
     * installation's media folder lacks (the text version is shown then) */
    char *old_media = xstrdup(v->media ? v->media : "");
    h_admin_read_texts(c, ctx, fields, sizeof fields / sizeof fields[0]);
    /* the video's own legal basis and validity: a form without them leaves them */
    const char *legal = form_get(&c->form, "legal_basis");
    if (legal)
        h_admin_take(c, ctx, "legal_basis", legal, &v->legal_basis, CONTENT_LEGAL_MAX, NULL,
                     "admin_err_text_long");
    h_admin_dates(c, ctx, v->valid_from, v->valid_to);
    for (int l = 0; l < LANG_COUNT; l++)
        if (*v->captions[l] && strncmp(v->captions[l], "WEBVTT", 6) != 0)
            h_staff_error(c, ctx, l == LANG_DA ? "captions_da" : "captions_en",
                          "admin_err_captions");
    int media_changed = strcmp(old_media, v->media) != 0;
    free(old_media);
    if (*v->media && media_changed) {
        struct stat sb;
        char path[CONFIG_PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", c->app->cfg->media_dir, v->media);
        if (strchr(v->media, '/') || strstr(v->media, "..") || stat(path, &sb) != 0 ||
            !S_ISREG(sb.st_mode))
            h_staff_error(c, ctx, "media", "admin_err_media");
        else /* the stated length is the file's own (0: it does not say) */
            v->duration_s = mediainfo_file_duration_s(path);
    }
    for (size_t qi = 0; qi < v->n_questions; qi++) {
        struct model_question *q = &v->questions[qi];
        char name[48], field[48];
        snprintf(name, sizeof name, "q%zu_text", qi + 1);
        h_admin_take(c, ctx, name, h_staff_field(c, name), &q->text[LANG_DA],
                     CONTENT_QUESTION_MAX, "admin_err_question_text", "admin_err_question_text");
        snprintf(name, sizeof name, "q%zu_topic", qi + 1);
        h_admin_take(c, ctx, name, h_staff_field(c, name), &q->topic[LANG_DA], CONTENT_TOPIC_MAX,
                     "admin_err_topic", "admin_err_topic");
        snprintf(name, sizeof name, "q%zu_explanation", qi + 1);
        /* the feedback after an answer explains: required, as publishing requires it */
        h_admin_take(c, ctx, name, h_staff_field(c, name), &q->explanation[LANG_DA],
                     CONTENT_EXPLANATION_MAX, "admin_err_explanation", "admin_err_explanation");
        /* the English texts: optional; a form without them leaves them as they are */
        struct {
            const char *suffix;
            char **dst;
            size_t max;
        } en[] = {{"text_en", &q->text[LANG_EN], CONTENT_QUESTION_MAX},
                  {"topic_en", &q->topic[LANG_EN], CONTENT_TOPIC_MAX},
                  {"explanation_en", &q->explanation[LANG_EN], CONTENT_EXPLANATION_MAX}};
        for (size_t k = 0; k < sizeof en / sizeof en[0]; k++) {
            snprintf(name, sizeof name, "q%zu_%s", qi + 1, en[k].suffix);
            const char *val = form_get(&c->form, name);
            if (val)
                h_admin_take(c, ctx, name, val, en[k].dst, en[k].max, NULL,
                             "admin_err_text_long");
        }
        snprintf(name, sizeof name, "q%zu_right", qi + 1);
        const char *rights[MODEL_MAX_OPTIONS];
        size_t nr = form_get_all(&c->form, name, rights, MODEL_MAX_OPTIONS);
        size_t right = 0;
        for (size_t oi = 0; oi < q->n_options; oi++) {
            char oname[48];
            snprintf(oname, sizeof oname, "q%zu_o%zu", qi + 1, oi + 1);
            h_admin_take(c, ctx, oname, h_staff_field(c, oname), &q->options[oi].text[LANG_DA],
                         CONTENT_OPTION_MAX, "admin_err_option", "admin_err_option");
            char ename[56];
            snprintf(ename, sizeof ename, "q%zu_o%zu_en", qi + 1, oi + 1);
            const char *oen = form_get(&c->form, ename);
            if (oen)
                h_admin_take(c, ctx, ename, oen, &q->options[oi].text[LANG_EN],
                             CONTENT_OPTION_MAX, NULL, "admin_err_text_long");
            char want[24];
            snprintf(want, sizeof want, "%zu", oi + 1);
            q->options[oi].correct = false;
            for (size_t i = 0; i < nr && i < MODEL_MAX_OPTIONS; i++)
                if (strcmp(rights[i], want) == 0)
                    q->options[oi].correct = true;
            right += q->options[oi].correct;
        }
        snprintf(field, sizeof field, "q%zu_o1", qi + 1);
        /* a question added without options yet has nothing to mark (publishing says so) */
        if (q->n_options && (right == 0 || (!q->multiple && right != 1)))
            h_staff_error(c, ctx, field, "admin_err_right");
    }
}

/* The label of a field of the video form as its error summary names it ("Titel (dansk)",
 * "Spørgsmål 2", "Spørgsmål 2 (engelsk)", "Spørgsmål 2: Emne (dansk)", "Spørgsmål 2:
 * Svarmulighed 3 (engelsk)"), or NULL: the form repeats the same few messages for many
 * fields.  Returns a new string. */
static char *h_admin_field_label(const struct app_call *c, const char *field)
{
    unsigned qn = 0, on = 0;
    int used = 0;
    if (sscanf(field, "q%u_o%u%n", &qn, &on, &used) == 2 && qn && on &&
        (!field[used] || strcmp(field + used, "_en") == 0)) {
        char *q = h_staff_fill(c, "admin_where_question", "n", qn);
        char *o = h_staff_fill(c, "admin_where_option", "m", on);
        struct buf b = {0};
        buf_printf(&b, "%s: %s", q, o);
        if (field[used])
            buf_printf(&b, " %s", app_text(c, "admin_where_english"));
        free(q);
        free(o);
        return buf_detach(&b);
    }
    used = 0;
    if (sscanf(field, "q%u_%n", &qn, &used) == 1 && qn && used) {
        static const struct {
            const char *suffix, *key;
        } part[] = {{"text", NULL}, /* the question itself: "Spørgsmål 2" */
                    {"text_en", "admin_where_english"},
                    {"topic", "admin_question_topic_da"},
                    {"topic_en", "admin_question_topic_en"},
                    {"explanation", "admin_question_explanation_da"},
                    {"explanation_en", "admin_question_explanation_en"}};
        for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
            if (strcmp(field + used, part[i].suffix) != 0)
                continue;
            char *q = h_staff_fill(c, "admin_where_question", "n", qn);
            if (!part[i].key)
                return q;
            struct buf b = {0};
            buf_printf(&b, strcmp(part[i].suffix, "text_en") == 0 ? "%s %s" : "%s: %s", q,
                       app_text(c, part[i].key));
            free(q);
            return buf_detach(&b);
        }
        return NULL;
    }
    char key[64];
    snprintf(key, sizeof key, "admin_%s", field); /* title_da, media, transcript_en, … */
    const char *label = app_text(c, key);
    return *label ? xstrdup(label) : NULL;
}

/* Video n's form; heading: the title the heading names, the stored one (a refused form
 * shows the fields as sent, its heading the video as it still is).  Each error in the
 * summary is told with its field's label. */
static void h_admin_video_page(struct app_call *c, int status, const struct model_pack *p,
                               size_t n, const char *heading, json_t *ctx)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ctx, "errors"), i, e)
    {
        char *label = h_admin_field_label(c, json_string_value(json_object_get(e, "field_id")));
        if (label)
            json_object_set_new(e, "label", json_string(label));
        free(label);
    }
    json_t *v = h_admin_video_json(c, &p->videos[n - 1], n);
    /* refused dates are shown as sent (the video keeps its own until they are right) */
    static const char *const dates[] = {"valid_from", "valid_to"};
    for (size_t k = 0; k < 2; k++)
        if (json_is_string(json_object_get(ctx, dates[k])))
            json_object_set(v, dates[k], json_object_get(ctx, dates[k]));
    json_object_set_new(v, "heading_title", json_string(heading));
    json_object_set_new(ctx, "video", v);
    app_page(c, status, "admin/video", ctx);
}

/* The draft and video number of the path: 0, or -1 having replied (*p is then NULL). */
static int h_admin_video_of(struct app_call *c, struct model_pack **p, size_t *n)
{
    *p = h_admin_draft_of(c);
    if (!*p)
        return -1;
    *n = h_staff_video_n(c, 1, *p);
    if (*n)
        return 0;
    app_page_error(c, 404, "not_found");
    model_pack_free(*p);
    *p = NULL;
    return -1;
}

/* Saves the edited draft and goes back to video n's form. */
static void h_admin_video_saved(struct app_call *c, const struct model_pack *p, size_t n)
{
    if (packedit_save(c->st, p) != PACKEDIT_OK) {
        h_staff_fail(c);
        return;
    }
    char path[96];
    snprintf(path, sizeof path, "/admin/pakke/%lld/video/%zu", (long long)p->id, n);
    http_reply_redirect(c->rep, 303, path);
}

void h_admin_draft_video(struct app_call *c)
{
    struct model_pack *p;
    size_t n;
    if (h_admin_video_of(c, &p, &n))
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    char *stored = xstrdup(h_admin_str(p->videos[n - 1].title[LANG_DA]));
    if (c->req->method == ROUTER_POST)
        h_admin_video_read(c, ctx, &p->videos[n - 1]);
    if (c->req->method != ROUTER_POST || h_admin_has_errors(ctx)) {
        h_admin_video_page(c, c->req->method == ROUTER_POST ? 422 : 200, p, n, stored, ctx);
    } else {
        json_decref(ctx);
        h_admin_video_saved(c, p, n);
    }
    free(stored);
    model_pack_free(p);
}

/* The extension of the uploaded file f when it is a video within [staff] max_upload;
 * NULL with an error in ctx otherwise. */
static const char *h_admin_upload_check(struct app_call *c, json_t *ctx,
                                        const struct multipart_part *f)
{
    const char *ext = NULL;
    if (!f || !f->filename[0] || f->len == 0)
        h_staff_error(c, ctx, "file", "admin_err_file_missing");
    else if (f->len > c->app->cfg->max_upload)
        h_staff_error(c, ctx, "file", "admin_err_file_large");
    else if (!(ext = packedit_media_type(f->data, f->len, f->content_type)))
        h_staff_error(c, ctx, "file", "admin_err_file_type");
    return ext;
}

void h_admin_draft_upload(struct app_call *c)
{
    struct model_pack *p;
    size_t n;
    if (h_admin_video_of(c, &p, &n))
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    const struct multipart_part *f = multipart_get(&c->upload, "file");
    const char *ext = h_admin_upload_check(c, ctx, f);
    char name[MODEL_HASH_HEX + 8];
    int stored;
    if (h_admin_has_errors(ctx)) {
        h_admin_video_page(c, 422, p, n, h_admin_str(p->videos[n - 1].title[LANG_DA]), ctx);
    } else if ((stored = packedit_store_media(c->app->cfg->media_dir, f->data, f->len, ext,
                                              name)) != 0) {
        json_decref(ctx);
        if (stored == PACKEDIT_MEDIA_FULL)
            app_reply_full(c, false);
        else
            h_staff_fail(c);
    } else {
        json_decref(ctx);
        h_admin_set(&p->videos[n - 1].media, name);
        /* the stated length is the new file's own, never the replaced file's (0: it does not
         * say; "to the end" then rests on the player's length) */
        p->videos[n - 1].duration_s = mediainfo_duration_s((const unsigned char *)f->data, f->len);
        h_admin_video_saved(c, p, n);
    }
    model_pack_free(p);
}

/* ------------------------------------------------------------------ adding and removing */

/* A number of the path (1-based) when within count: the 0-based index, or -1. */
static long h_admin_index(const char *s, size_t count)
{
    char *end;
    long n = strtol(s, &end, 10);
    return (*end || end == s || n < 1 || (size_t)n > count) ? -1 : n - 1;
}

/* The draft of the path and the video, question and option its further numbers name (as
 * many as the route has: *depth), each checked against the draft: 0, or -1 having replied
 * 404 (*p is then NULL). */
static int h_admin_path(struct app_call *c, struct model_pack **p, size_t idx[3], size_t *depth)
{
    const struct router_match *m = c->req->match;
    *p = h_admin_draft_of(c);
    if (!*p)
        return -1;
    *depth = m->n_params - 1;
    const struct model_video *v = NULL;
    const struct model_question *q = NULL;
    for (size_t d = 0; d < *depth && d < 3; d++) {
        size_t count = d == 0 ? (*p)->n_videos : d == 1 ? v->n_questions : q->n_options;
        long i = h_admin_index(m->params[d + 1], count);
        if (i < 0) {
            app_page_error(c, 404, "not_found");
            model_pack_free(*p);
            *p = NULL;
            return -1;
        }
        idx[d] = (size_t)i;
        if (d == 0)
            v = &(*p)->videos[i];
        else if (d == 1)
            q = &v->questions[i];
    }
    return 0;
}

/* Writes the draft's changed structure and goes back to the draft (video 0) or to video's
 * form. */
static void h_admin_replaced(struct app_call *c, struct model_pack *p, size_t video,
                             const char *query)
{
    enum packedit_result r = packedit_replace(c->st, p);
    if (r == PACKEDIT_NOT_DRAFT) {
        app_page_error(c, 409, "pack_not_draft");
    } else if (r != PACKEDIT_OK) {
        h_staff_fail(c);
    } else {
        char path[192];
        int n = snprintf(path, sizeof path, "/admin/pakke/%lld", (long long)p->id);
        if (video)
            n += snprintf(path + n, sizeof path - (size_t)n, "/video/%zu", video);
        if (query)
            snprintf(path + n, sizeof path - (size_t)n, "?%s", query);
        http_reply_redirect(c->rep, 303, path);
    }
}

enum h_admin_in { IN_LINE, IN_AREA, IN_FILE, IN_CHECK, IN_KIND };

/* One field of an "add" form (admin/add): its name, label and hint (UI string keys). */
struct h_admin_in_spec {
    const char *name;
    const char *label;
    enum h_admin_in in;
    const char *hint;
};

struct h_admin_add_form {
    const char *heading;  /* UI string key, followed by the number in heading_n if any */
    const char *submit;
    const struct h_admin_in_spec *fields;
    size_t n;
    int multipart;
    /* under a video: sets the form's defaults in ctx and, when post, reads it into the
     * draft p (adding errors to ctx) */
    void (*fill)(struct app_call *c, json_t *ctx, struct model_pack *p, const size_t idx[3],
                 int post);
};

/* The fields of an add form with what was posted (ctx[name]) and their errors. */
static json_t *h_admin_fields(const struct app_call *c, const json_t *ctx,
                              const struct h_admin_add_form *form)
{
    json_t *out = json_array();
    for (size_t i = 0; i < form->n; i++) {
        const struct h_admin_in_spec *s = &form->fields[i];
        char ek[96], described[160];
        snprintf(ek, sizeof ek, "err_%s", s->name);
        const char *value = json_string_value(json_object_get(ctx, s->name));
        const char *err = json_string_value(json_object_get(ctx, ek));
        /* aria-describedby: the hint and the error message, as either is there */
        snprintf(described, sizeof described, "%s%s%s%s%s", s->hint ? s->name : "",
                 s->hint ? "-hint" : "", s->hint && err ? " " : "", err ? s->name : "",
                 err ? "-error" : "");
        value = value ? value : "";
        json_t *f = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:i, s:b}", "name",
            s->name, "label", app_text(c, s->label), "value", value, "err", err ? err : "",
            "hint", s->hint ? app_text(c, s->hint) : "", "described", described, "is_field",
            s->in <= IN_FILE, "is_line", s->in == IN_LINE, "is_area", s->in == IN_AREA,
            "is_file", s->in == IN_FILE, "is_check", s->in == IN_CHECK, "is_kind",
            s->in == IN_KIND, "rows", 4, "checked", *value != 0);
        if (s->in == IN_KIND) {
            json_t *choices = json_array();
            static const char *const kinds[] = {"single", "multiple"};
            for (size_t k = 0; k < 2; k++) {
                char id[64], key[48];
                snprintf(id, sizeof id, k ? "%s_%s" : "%s", s->name, kinds[k]);
                snprintf(key, sizeof key, "admin_kind_%s", kinds[k]);
                json_array_append_new(choices,
                                      json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", id, "name",
                                                s->name, "value", kinds[k], "label",
                                                app_text(c, key), "checked",
                                                strcmp(value, kinds[k]) == 0));
            }
            json_object_set_new(f, "choices", choices);
        }
        json_array_append_new(out, f);
    }
    return out;
}

/* Renders an add form posting to its own path, with a link back to back. */
static void h_admin_add_page(struct app_call *c, int status, json_t *ctx,
                             const struct h_admin_add_form *form, size_t heading_n,
                             const char *back, const char *back_key)
{
    char heading[256];
    int hn = snprintf(heading, sizeof heading, "%s", app_text(c, form->heading));
    if (heading_n && hn > 0 && (size_t)hn < sizeof heading)
        snprintf(heading + hn, sizeof heading - (size_t)hn, " %zu", heading_n);
    json_object_set_new(ctx, "heading", json_string(heading));
    json_object_set_new(ctx, "submit", json_string(app_text(c, form->submit)));
    json_object_set_new(ctx, "back", json_string(back));
    json_object_set_new(ctx, "back_text", json_string(app_text(c, back_key)));
    json_object_set_new(ctx, "action", json_string(c->req->path));
    json_object_set_new(ctx, "multipart", json_boolean(form->multipart));
    json_object_set_new(ctx, "fields", h_admin_fields(c, ctx, form));
    app_page(c, status, "admin/add", ctx);
}

static const struct h_admin_in_spec h_admin_video_fields[] = {
    {"title_da", "admin_title_da", IN_LINE, NULL},
    {"title_en", "admin_title_en", IN_LINE, NULL},
    {"summary_da", "admin_summary_da", IN_AREA, NULL},
    {"media", "admin_media", IN_LINE, "admin_media_hint"},
    {"file", "admin_upload_file", IN_FILE, "admin_upload_hint"},
    {"captions_da", "admin_captions_da", IN_AREA, "admin_captions_hint"},
    {"captions_en", "admin_captions_en", IN_AREA, NULL},
    {"transcript_da", "admin_transcript_da", IN_AREA, NULL},
    {"transcript_en", "admin_transcript_en", IN_AREA, NULL},
};
static const struct h_admin_add_form h_admin_video_form = {
    "admin_video_new_title", "admin_video_add", h_admin_video_fields,
    sizeof h_admin_video_fields / sizeof h_admin_video_fields[0], 1, NULL};

void h_admin_video_new(struct app_call *c)
{
    struct model_pack *p = h_admin_draft_of(c);
    if (!p)
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    char back[64];
    snprintf(back, sizeof back, "/admin/pakke/%lld", (long long)p->id);
    if (c->req->method != ROUTER_POST) {
        h_admin_add_page(c, 200, ctx, &h_admin_video_form, 0, back, "admin_back_to_draft");
        goto out;
    }
    struct model_video *v = packedit_video_add(p);
    h_admin_video_read(c, ctx, v);
    /* a file is optional here: a chosen one is checked, and stored only when all is well */
    const struct multipart_part *f = multipart_get(&c->upload, "file");
    const char *ext = f && f->filename[0] ? h_admin_upload_check(c, ctx, f) : NULL;
    char name[MODEL_HASH_HEX + 8];
    if (h_admin_has_errors(ctx)) {
        h_admin_add_page(c, 422, ctx, &h_admin_video_form, 0, back, "admin_back_to_draft");
        goto out;
    }
    json_decref(ctx);
    int stored = ext ? packedit_store_media(c->app->cfg->media_dir, f->data, f->len, ext, name) : 0;
    if (stored == PACKEDIT_MEDIA_FULL) {
        app_reply_full(c, false);
        goto out;
    }
    if (stored != 0) {
        h_staff_fail(c);
        goto out;
    }
    if (ext) {
        h_admin_set(&v->media, name);
        v->duration_s = mediainfo_duration_s((const unsigned char *)f->data, f->len);
    }
    h_admin_replaced(c, p, p->n_videos, NULL);
out:
    model_pack_free(p);
}

/* An add form under video idx[0] (heading number: the last number of the path): shown on
 * GET; on POST read by form->fill into the draft and, when all is well, written, and back
 * to the video's page. */
static void h_admin_add_under_video(struct app_call *c, const struct h_admin_add_form *form)
{
    struct model_pack *p;
    size_t idx[3], depth;
    if (h_admin_path(c, &p, idx, &depth))
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    int post = c->req->method == ROUTER_POST;
    char back[96];
    snprintf(back, sizeof back, "/admin/pakke/%lld/video/%zu", (long long)p->id, idx[0] + 1);
    form->fill(c, ctx, p, idx, post);
    if (!post || h_admin_has_errors(ctx)) {
        h_admin_add_page(c, post ? 422 : 200, ctx, form, idx[depth - 1] + 1, back,
                         "admin_back_to_video");
    } else {
        json_decref(ctx);
        h_admin_replaced(c, p, idx[0] + 1, NULL);
    }
    model_pack_free(p);
}

static void h_admin_question_fill(struct app_call *c, json_t *ctx, struct model_pack *p,
                                  const size_t idx[3], int post)
{
    const char *kind = post ? h_staff_field(c, "kind") : "single";
    json_object_set_new(ctx, "kind", json_string(kind));
    struct model_video *v = &p->videos[idx[0]];
    if (v->n_questions >= MODEL_MAX_QUESTIONS) {
        /* said at once: a citizen could not answer one more (model.h) */
        h_staff_error_n(c, ctx, "text_da", "admin_err_too_many_questions", "max",
                        MODEL_MAX_QUESTIONS);
        return;
    }
    if (!post)
        return;
    struct model_question *q = packedit_question_add(p, v, h_staff_field(c, "topic_da"));
    const struct h_admin_text fields[] = {
        {"text_da", &q->text[LANG_DA], CONTENT_QUESTION_MAX, 1, "admin_err_question_text"},
        {"text_en", &q->text[LANG_EN], CONTENT_QUESTION_MAX, 0, NULL},
        {"topic_da", &q->topic[LANG_DA], CONTENT_TOPIC_MAX, 1, "admin_err_topic"},
        {"topic_en", &q->topic[LANG_EN], CONTENT_TOPIC_MAX, 0, NULL},
        {"explanation_da", &q->explanation[LANG_DA], CONTENT_EXPLANATION_MAX, 1,
         "admin_err_explanation"},
        {"explanation_en", &q->explanation[LANG_EN], CONTENT_EXPLANATION_MAX, 0, NULL},
    };
    h_admin_read_texts(c, ctx, fields, sizeof fields / sizeof fields[0]);
    if (strcmp(kind, "single") != 0 && strcmp(kind, "multiple") != 0)
        h_staff_error(c, ctx, "kind", "admin_err_kind");
    q->multiple = strcmp(kind, "multiple") == 0;
}

static const struct h_admin_in_spec h_admin_question_fields[] = {
    {"text_da", "admin_question_text_da", IN_AREA, NULL},
    {"text_en", "admin_question_text_en", IN_AREA, NULL},
    {"kind", "admin_question_kind", IN_KIND, NULL},
    {"topic_da", "admin_question_topic_da", IN_LINE, "admin_topic_hint"},
    {"topic_en", "admin_question_topic_en", IN_LINE, NULL},
    {"explanation_da", "admin_question_explanation_da", IN_AREA, NULL},
    {"explanation_en", "admin_question_explanation_en", IN_AREA, NULL},
};
static const struct h_admin_add_form h_admin_question_form = {
    "admin_question_new_title", "admin_question_add", h_admin_question_fields,
    sizeof h_admin_question_fields / sizeof h_admin_question_fields[0], 0,
    h_admin_question_fill};

void h_admin_question_new(struct app_call *c)
{
    h_admin_add_under_video(c, &h_admin_question_form);
}

static void h_admin_option_fill(struct app_call *c, json_t *ctx, struct model_pack *p,
                                const size_t idx[3], int post)
{
    struct model_question *q = &p->videos[idx[0]].questions[idx[1]];
    json_object_set_new(ctx, "lead", json_string(q->text[LANG_DA]));
    if (q->n_options >= MODEL_MAX_OPTIONS) {
        h_staff_error_n(c, ctx, "text_da", "admin_err_too_many_options", "max",
                        MODEL_MAX_OPTIONS);
        return;
    }
    if (!post)
        return;
    size_t right = 0;
    for (size_t oi = 0; oi < q->n_options; oi++)
        right += q->options[oi].correct;
    struct model_option *o = packedit_option_add(q);
    const struct h_admin_text fields[] = {
        {"text_da", &o->text[LANG_DA], CONTENT_OPTION_MAX, 1, "admin_err_option"},
        {"text_en", &o->text[LANG_EN], CONTENT_OPTION_MAX, 0, NULL},
    };
    h_admin_read_texts(c, ctx, fields, sizeof fields / sizeof fields[0]);
    o->correct = *h_staff_field(c, "right") != 0;
    json_object_set_new(ctx, "right", json_string(o->correct ? "ja" : ""));
    if (o->correct && !q->multiple && right > 0)
        h_staff_error(c, ctx, "right", "admin_err_right_taken");
}

static const struct h_admin_in_spec h_admin_option_fields[] = {
    {"text_da", "admin_option_text_da", IN_LINE, NULL},
    {"text_en", "admin_option_text_en", IN_LINE, NULL},
    {"right", "admin_option_right", IN_CHECK, NULL},
};
static const struct h_admin_add_form h_admin_option_form = {
    "admin_option_new_title", "admin_option_add", h_admin_option_fields,
    sizeof h_admin_option_fields / sizeof h_admin_option_fields[0], 0, h_admin_option_fill};

void h_admin_option_new(struct app_call *c)
{
    h_admin_add_under_video(c, &h_admin_option_form);
}

/* The confirmation step of a removal: what goes (a video with its questions, a question
 * with its options, an option), and a form that removes it (confirm=ja). */
static void h_admin_remove_confirm(struct app_call *c, const struct model_pack *p,
                                   const size_t idx[3], size_t depth)
{
    const struct model_video *v = &p->videos[idx[0]];
    json_t *ctx = h_admin_draft_ctx(c, p);
    char back[96];
    int n = snprintf(back, sizeof back, "/admin/pakke/%lld", (long long)p->id);
    if (depth > 1)
        snprintf(back + n, sizeof back - (size_t)n, "/video/%zu", idx[0] + 1);
    json_object_set_new(ctx, "action", json_string(c->req->path));
    json_object_set_new(ctx, "back", json_string(back));
    if (depth == 1) {
        json_object_set_new(ctx, "remove_video",
                            json_pack("{s:i, s:s, s:i}", "n", (int)idx[0] + 1, "title",
                                      v->title[LANG_DA] ? v->title[LANG_DA] : "", "questions",
                                      (int)v->n_questions));
    } else if (depth == 2) {
        const struct model_question *q = &v->questions[idx[1]];
        json_object_set_new(ctx, "remove_question",
                            json_pack("{s:i, s:i, s:s, s:i}", "n", (int)idx[1] + 1, "video",
                                      (int)idx[0] + 1, "text",
                                      q->text[LANG_DA] ? q->text[LANG_DA] : "", "options",
                                      (int)q->n_options));
    } else {
        const struct model_question *q = &v->questions[idx[1]];
        const struct model_option *o = &q->options[idx[2]];
        json_object_set_new(ctx, "remove_option",
                            json_pack("{s:i, s:i, s:i, s:s}", "n", (int)idx[2] + 1, "question",
                                      (int)idx[1] + 1, "video", (int)idx[0] + 1, "text",
                                      o->text[LANG_DA] ? o->text[LANG_DA] : ""));
    }
    app_page(c, 200, "admin/remove", ctx);
}

/* POST …/fjern: without confirm=ja the confirmation page; with it, removes and goes back
 * to the draft or the video, which then says what was removed. */
void h_admin_remove(struct app_call *c)
{
    struct model_pack *p;
    size_t idx[3], depth;
    if (h_admin_path(c, &p, idx, &depth))
        return;
    if (strcmp(h_staff_field(c, "confirm"), "ja") != 0) {
        h_admin_remove_confirm(c, p, idx, depth);
        model_pack_free(p);
        return;
    }
    struct model_video *v = &p->videos[idx[0]];
    char notice[64];
    /* the texts in other languages go with what is removed */
    packedit_tr_drop(p, idx[0] + 1, depth > 1 ? idx[1] + 1 : 0, depth > 2 ? idx[2] + 1 : 0);
    if (depth == 1) {
        packedit_video_remove(p, idx[0]);
        snprintf(notice, sizeof notice, "fjernet=video&nr=%zu", idx[0] + 1);
    } else if (depth == 2) {
        packedit_question_remove(v, idx[1]);
        snprintf(notice, sizeof notice, "fjernet=spoergsmaal&nr=%zu", idx[1] + 1);
    } else {
        packedit_option_remove(&v->questions[idx[1]], idx[2]);
        snprintf(notice, sizeof notice, "fjernet=svar&nr=%zu&spm=%zu", idx[2] + 1, idx[1] + 1);
    }
    h_admin_replaced(c, p, depth == 1 ? 0 : idx[0] + 1, notice);
    model_pack_free(p);
}

void h_admin_video_move(struct app_call *c)
{
    struct model_pack *p;
    size_t idx[3], depth;
    if (h_admin_path(c, &p, idx, &depth))
        return;
    const char *dir = h_staff_field(c, "retning");
    int up = strcmp(dir, "op") == 0;
    if ((!up && strcmp(dir, "ned") != 0) || packedit_video_move(p, idx[0], up) != 0) {
        json_t *ctx = h_admin_draft_ctx(c, p);
        h_admin_draft_texts(ctx, p);
        h_staff_error(c, ctx, "video-list", "admin_err_move");
        app_page(c, 422, "admin/draft", ctx);
    } else {
        h_admin_replaced(c, p, 0, NULL);
    }
    model_pack_free(p);
}

/* Any version of a pack, for the read-only preview; NULL having replied 404. */
static struct model_pack *h_admin_any_pack(struct app_call *c)
{
    struct model_pack *p = NULL;
    int64_t id = h_admin_id(c, 0);
    if (!id || store_pack_load(c->st, id, &p) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return NULL;
    }
    return p;
}

void h_admin_preview(struct app_call *c)
{
    struct model_pack *p = h_admin_any_pack(c);
    if (!p)
        return;
    size_t n = 0;
    if (c->req->match->n_params > 1 && !(n = h_staff_video_n(c, 1, p))) {
        app_page_error(c, 404, "not_found");
        model_pack_free(p);
        return;
    }
    char base[64];
    snprintf(base, sizeof base, "/admin/pakke/%lld/vis", (long long)p->id);
    json_t *ctx = json_pack("{s:b, s:I, s:b}", "preview", 1, "pack_id", (json_int_t)p->id,
                            "is_draft", strcmp(p->state, "draft") == 0);
    h_staff_pack_page(c, p, n, base, ctx);
    model_pack_free(p);
}

void h_admin_preview_captions(struct app_call *c)
{
    struct model_pack *p = h_admin_any_pack(c);
    if (!p)
        return;
    h_staff_pack_captions(c, p, h_staff_video_n(c, 1, p), c->req->match->params[2]);
    model_pack_free(p);
}

/* The text a text_too_long problem is about, as the page names it: "Forklaring (dansk)",
 * "Svarmulighed 3 (العربية)". */
static json_t *h_admin_problem_field(struct app_call *c, const struct content_problem *problem)
{
    char key[64], lang[96] = "", out[256];
    snprintf(key, sizeof key, "admin_diff_field_%s", problem->field);
    if (!strcmp(problem->lang, "da") || !strcmp(problem->lang, "en")) {
        char lang_key[32];
        snprintf(lang_key, sizeof lang_key, "admin_diff_lang_%s", problem->lang);
        snprintf(lang, sizeof lang, " (%s)", app_text(c, lang_key));
    } else if (*problem->lang) {
        const struct lang_info *li = lang_find(&c->app->langs, problem->lang);
        snprintf(lang, sizeof lang, " (%s)", li ? li->name : problem->lang);
    }
    if (problem->option)
        snprintf(out, sizeof out, "%s %zu%s", app_text(c, key), problem->option, lang);
    else
        snprintf(out, sizeof out, "%s%s", app_text(c, key), lang);
    return json_string(out);
}

/* The draft page again with the first problem that stops publishing. */
static void h_admin_publish_invalid(struct app_call *c, const struct content_problem *problem)
{
    struct model_pack *p = h_admin_draft_of(c);
    if (!p)
        return;
    json_t *ctx = h_admin_draft_ctx(c, p);
    char key[64];
    snprintf(key, sizeof key, "pack_err_%s", problem->code);
    h_admin_draft_texts(ctx, p);
    json_object_set_new(ctx, "guidance_da_lix", h_admin_lix(c, p->guidance[LANG_DA]));
    /* the texts of a limit name it ({{max}}); a text too long is named below */
    h_staff_error_n(c, ctx, "publish", key, "max", (unsigned)problem->max);
    if (problem->field)
        json_object_set_new(ctx, "problem_field", h_admin_problem_field(c, problem));
    if (problem->video)
        json_object_set_new(ctx, "problem_video", json_integer((json_int_t)problem->video));
    if (problem->question)
        json_object_set_new(ctx, "problem_question", json_integer((json_int_t)problem->question));
    app_page(c, 422, "admin/draft", ctx);
    model_pack_free(p);
}

struct h_admin_changes {
    struct app_call *c;
    json_t *list;
};

/* One difference for the confirmation page: where, which field, old → new. */
static void h_admin_change(const struct packedit_change *ch, void *arg)
{
    struct h_admin_changes *d = arg;
    struct app_call *c = d->c;
    struct buf where = {0};
    char part[160], key[64];
    if (!ch->video) {
        snprintf(part, sizeof part, "%s", app_text(c, "admin_diff_pack"));
        buf_append(&where, part, strlen(part));
    } else {
        snprintf(part, sizeof part, "%s %zu", app_text(c, "admin_video_title"), ch->video);
        buf_append(&where, part, strlen(part));
        if (ch->question) {
            snprintf(part, sizeof part, ", %s %zu", app_text(c, "admin_diff_question"),
                     ch->question);
            buf_append(&where, part, strlen(part));
        }
        if (ch->option) {
            snprintf(part, sizeof part, ", %s %zu", app_text(c, "admin_diff_option"), ch->option);
            buf_append(&where, part, strlen(part));
        }
    }
    buf_append(&where, "", 1);
    snprintf(key, sizeof key, "admin_diff_field_%s", ch->field);
    char field[160];
    const struct lang_info *other = NULL;
    if (*ch->lang && strcmp(ch->lang, "da") && strcmp(ch->lang, "en")) {
        /* another language: named in itself (its texts are marked with it below) */
        other = lang_find(&c->app->langs, ch->lang);
        snprintf(field, sizeof field, "%s", app_text(c, key));
    } else if (*ch->lang) {
        char lang_key[32];
        snprintf(lang_key, sizeof lang_key, "admin_diff_lang_%s", ch->lang);
        snprintf(field, sizeof field, "%s (%s)", app_text(c, key), app_text(c, lang_key));
    } else {
        snprintf(field, sizeof field, "%s", app_text(c, key));
    }
    json_t *row = json_pack("{s:s, s:s, s:b, s:b, s:b}", "where", where.data, "field", field,
                            "added", ch->before == NULL, "removed", ch->after == NULL, "changed",
                            ch->before && ch->after);
    buf_free(&where);
    if (*ch->lang && strcmp(ch->lang, "da") && strcmp(ch->lang, "en"))
        json_object_set_new(row, "lang_name", json_string(other ? other->name : ch->lang));
    if (*ch->lang) {
        json_object_set_new(row, "text_lang", json_string(ch->lang));
        json_object_set_new(row, "text_dir", json_string(other && other->rtl ? "rtl" : "ltr"));
    }
    if (ch->before) {
        json_object_set_new(row, "before", json_string(ch->before));
        json_object_set_new(row, "before_empty", json_boolean(!*ch->before));
    }
    if (ch->after) {
        json_object_set_new(row, "after", json_string(ch->after));
        json_object_set_new(row, "after_empty", json_boolean(!*ch->after));
    }
    json_array_append_new(d->list, row);
}

/* The confirmation step: the draft's differences from the published version, field by
 * field, and a form that publishes (confirm=ja). */
static void h_admin_publish_confirm(struct app_call *c, const struct model_pack *p)
{
    int64_t published_id = 0;
    const struct model_pack *old = NULL;
    if (store_pack_published_id(c->st, p->group_id, &published_id) == STORE_OK)
        old = content_cache_get(c->app->content, c->st, published_id);
    json_t *ctx = h_admin_draft_ctx(c, p);
    struct h_admin_changes d = {c, json_array()};
    size_t n = packedit_diff(old, p, h_admin_change, &d);
    json_object_set_new(ctx, "changes", d.list);
    json_object_set_new(ctx, "n_changes", json_integer((json_int_t)n));
    json_object_set_new(ctx, "has_changes", json_boolean(n > 0));
    json_object_set_new(ctx, "first_version", json_boolean(old == NULL));
    if (old)
        json_object_set_new(ctx, "published_version", json_integer(old->version));
    char today[CLOCK_DATE_LEN + 1], first[64];
    clock_today(today);
    /* one plan per group: with another waiting, this one is published now or not at all */
    if (strcmp(p->valid_from, today) > 0 && !json_object_get(ctx, "other_plan") &&
        clock_format_human_day(p->valid_from, model_lang_code(c->lang), first, sizeof first) == 0)
        json_object_set_new(ctx, "plannable", json_pack("{s:s}", "day", first));
    app_page(c, 200, "admin/publish", ctx);
}

/* POST /admin/pakke/{id}/udgiv: without confirm=ja the confirmation page (after the same
 * checks as publishing, so a draft that cannot be published says so at once); with it,
 * publishes. */
void h_admin_publish(struct app_call *c)
{
    struct content_problem problem = {.code = "", .lang = ""};
    int version = 0;
    int64_t id = h_admin_id(c, 0);
    if (strcmp(h_staff_field(c, "confirm"), "ja") != 0) {
        struct model_pack *p = h_admin_draft_of(c); /* replies 404 or 409 itself */
        if (!p)
            return;
        char today[CLOCK_DATE_LEN + 1];
        clock_today(today);
        if (content_pack_check(p, c->app->cfg->max_content_text, &problem) != 0 ||
            content_pack_check_today(p, today, &problem) != 0) {
            model_pack_free(p);
            h_admin_publish_invalid(c, &problem);
            return;
        }
        enum packedit_result same = packedit_unchanged(c->st, p);
        if (same != PACKEDIT_OK) {
            model_pack_free(p);
            if (same == PACKEDIT_UNCHANGED) {
                problem.code = "unchanged";
                h_admin_publish_invalid(c, &problem);
            } else {
                h_staff_fail(c);
            }
            return;
        }
        h_admin_publish_confirm(c, p);
        model_pack_free(p);
        return;
    }
    /* when=planlagt: on the draft's first valid day instead of now; slaa_til=ja: the group
     * (switched off, and the page offered it) is switched on with the publication */
    int plan = strcmp(h_staff_field(c, "when"), "planlagt") == 0;
    bool switch_on = strcmp(h_staff_field(c, "slaa_til"), "ja") == 0;
    char day[CLOCK_DATE_LEN + 1];
    enum packedit_result r =
        !id    ? PACKEDIT_NOT_FOUND
        : plan ? packedit_plan(c->st, id, c->app->cfg->max_content_text, clock_now(), switch_on,
                               &problem, &version, day)
               : packedit_publish(c->st, id, c->app->cfg->max_content_text, clock_now(),
                                  switch_on, &problem, &version);
    if (r == PACKEDIT_NOT_FOUND) {
        app_page_error(c, 404, "not_found");
    } else if (r == PACKEDIT_NOT_DRAFT) {
        app_page_error(c, 409, "pack_not_draft");
    } else if (r == PACKEDIT_INVALID) {
        h_admin_publish_invalid(c, &problem);
    } else if (r == PACKEDIT_UNCHANGED) {
        problem.code = "unchanged";
        h_admin_publish_invalid(c, &problem);
    } else if (r != PACKEDIT_OK) {
        h_staff_fail(c);
    } else {
        http_reply_redirect(c->rep, 303, "/admin/pakker");
    }
}

/* POST /admin/pakke/{id}/slet: without confirm=ja the confirmation page (what goes, and
 * that the published version stays); with it, the draft is deleted. */
void h_admin_discard(struct app_call *c)
{
    if (strcmp(h_staff_field(c, "confirm"), "ja") != 0) {
        struct model_pack *p = h_admin_draft_of(c); /* replies 404 or 409 itself */
        if (!p)
            return;
        json_t *ctx = h_admin_draft_ctx(c, p);
        int64_t published;
        json_object_set_new(ctx, "has_published",
                            json_boolean(store_pack_published_id(c->st, p->group_id,
                                                                 &published) == STORE_OK));
        model_pack_free(p);
        app_page(c, 200, "admin/discard", ctx);
        return;
    }
    int64_t id = h_admin_id(c, 0);
    enum packedit_result r = id ? packedit_discard(c->st, id) : PACKEDIT_NOT_FOUND;
    if (!h_admin_no_draft(c, r))
        http_reply_redirect(c->rep, 303, "/admin/pakker?slettet=1");
}

/* POST /admin/pakke/{id}/plan/fortryd: the draft is no longer planned (it stays a draft). */
void h_admin_unplan(struct app_call *c)
{
    int64_t id = h_admin_id(c, 0);
    enum packedit_result r = id ? packedit_unplan(c->st, id) : PACKEDIT_NOT_FOUND;
    if (!h_admin_no_draft(c, r))
        http_reply_redirect(c->rep, 303, "/admin/pakker");
}
