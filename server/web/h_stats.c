/* The administrator's implementation dashboard (/admin/statistik), its CSV extract
 * (/admin/statistik.csv) and the page behind each question on it
 * (/admin/statistik/spoergsmaal/{id}).  The figures and the small-number rules are the
 * stats module's; here they become a template context: headline cards for the period, a
 * short table per target group and per unit (every figure in a full table behind a
 * details), a bar chart of correctly guided per group against the 90 % goal, one line
 * chart of the last quarters (the geometry is computed here, the SVG markup is in the
 * template) and the questions with the highest error rates.  A plain GET form picks the
 * quarter, so it works without JavaScript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "content.h"
#include "handlers.h"
#include "stats.h"

static char h_stats_decimal(enum lang l)
{
    return l == LANG_DA ? ',' : '.';
}

/* The quarter asked for (?kvartal=2026-1), else the current one.  -1 when one was asked
 * for and it is not a quarter. */
static int h_stats_quarter(struct app_call *c, struct stats_period *p)
{
    const char *q = http_query(c->req, "kvartal");
    if (q && *q)
        return stats_quarter_parse(q, p);
    stats_quarter(stats_local_day(clock_now()), p);
    return 0;
}

static json_t *h_stats_quarter_json(const struct stats_period *q)
{
    char key[8];
    stats_quarter_key(q, key);
    return json_pack("{s:s, s:s%, s:s%, s:s%}", "key", key, "year", key, (size_t)4, "yy",
                     key + 2, (size_t)2, "q", key + 5, (size_t)1);
}

/* Sets on o (returned) why a figure is not shown: "none" (not shown at all), "empty" (there
 * is nothing: "ingen data") or "hidden" (too few to show: "skjult (under 5)"). */
static json_t *h_stats_not_shown(json_t *o, const struct stats_value *v)
{
    json_object_set_new(o, "none", json_boolean(v->shown == STATS_NONE));
    json_object_set_new(o, "empty", json_boolean(v->shown == STATS_NONE && v->empty));
    json_object_set_new(o, "hidden", json_boolean(v->shown == STATS_NONE && !v->empty));
    return o;
}

static json_t *h_stats_cells(const struct stats_report *r, const struct stats_row *row,
                             enum lang lang)
{
    json_t *cells = json_array();
    for (int col = 0; col < STATS_COL_COUNT; col++) {
        struct stats_value v;
        char text[32];
        stats_value_of(row, r->minutes_per_send, (enum stats_column)col, &v);
        stats_value_text(&v, h_stats_decimal(lang), 1, text, sizeof text);
        json_t *cell = json_pack("{s:s, s:b}", "text", text, "suppressed",
                                 v.shown == STATS_SUPPRESSED);
        json_array_append_new(cells, h_stats_not_shown(cell, &v));
    }
    return cells;
}


/* The few figures a reader looks for first: the headline cards and the columns of the
 * per-group table; every other figure is in the full table behind a details. */
static const enum stats_column h_stats_headline[] = {
    STATS_COL_ENROLLED, STATS_COL_OPENED_RATE, STATS_COL_COMPLETED_RATE, STATS_COL_GUIDED_RATE,
    STATS_COL_MINUTES_SAVED,
};
#define H_STATS_N_HEADLINE (sizeof h_stats_headline / sizeof h_stats_headline[0])

static json_t *h_stats_col_label(struct app_call *c, enum stats_column col)
{
    char name[64];
    snprintf(name, sizeof name, "stats_col_%s", stats_column_key(col));
    json_t *label = json_object_get(c->app->strings[c->lang], name);
    return label ? json_incref(label) : json_string(name);
}

static json_t *h_stats_short_cells(const struct stats_report *r, const struct stats_row *row,
                                   enum lang lang)
{
    json_t *cells = json_array();
    for (size_t i = 0; i < H_STATS_N_HEADLINE; i++) {
        struct stats_value v;
        char text[32];
        stats_value_of(row, r->minutes_per_send, h_stats_headline[i], &v);
        stats_value_text(&v, h_stats_decimal(lang), 1, text, sizeof text);
        json_array_append_new(cells, h_stats_not_shown(json_pack("{s:s}", "text", text), &v));
    }
    return cells;
}

static json_t *h_stats_rows(const struct stats_report *r, const struct stats_row *rows, size_t n,
                            enum lang lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:o, s:o}", "key", rows[i].key,
                                           "name",
                                           rows[i].name[lang][0] ? rows[i].name[lang]
                                                                 : rows[i].key,
                                           "no_unit", rows[i].key[0] == '\0', "cells",
                                           h_stats_cells(r, &rows[i], lang), "short",
                                           h_stats_short_cells(r, &rows[i], lang)));
    return a;
}

/* The headline cards: the period's totals; a figure that cannot be shown says why. */
static json_t *h_stats_cards(struct app_call *c, const struct stats_report *r)
{
    json_t *cards = json_array();
    for (size_t i = 0; i < H_STATS_N_HEADLINE; i++) {
        struct stats_value v;
        char text[32];
        stats_value_of(&r->total, r->minutes_per_send, h_stats_headline[i], &v);
        stats_value_text(&v, h_stats_decimal(c->lang), 1, text, sizeof text);
        const bool goal = h_stats_headline[i] == STATS_COL_GUIDED_RATE;
        /* judged on the figure as shown (rounded down): "90,0 %" is always the goal met */
        json_t *card = json_pack(
            "{s:o, s:s, s:b, s:b, s:b, s:b, s:b}", "label",
            h_stats_col_label(c, h_stats_headline[i]), "value", text, "suppressed",
            v.shown == STATS_SUPPRESSED, "goal_card", goal, "reached",
            goal && v.shown == STATS_SHOWN && stats_goal_met(&v), "missed",
            goal && stats_goal_missed(&v), "share",
            v.kind == STATS_KIND_SHARE);
        json_array_append_new(cards, h_stats_not_shown(card, &v));
    }
    return cards;
}

/* A group's name in the page's language from its slug (the slug itself only for a group
 * that is no longer in the report). */
static const char *h_stats_group_name(const struct stats_report *r, const char *slug,
                                      enum lang lang)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (strcmp(r->groups[i].key, slug) == 0)
            return r->groups[i].name[lang][0]   ? r->groups[i].name[lang]
                   : r->groups[i].name[LANG_DA][0] ? r->groups[i].name[LANG_DA]
                                                   : slug;
    return slug;
}

/* The chart of correctly guided per target group in the period: a bar per group against
 * the goal, as an HTML list whose bars are widths in whole per cent (classes vejled-wN), so
 * that long names wrap and a phone shows it at the page's text size. */
static json_t *h_stats_guided_chart(const struct stats_report *r, enum lang lang)
{
    json_t *bars = json_array();
    for (size_t i = 0; i < r->n_groups; i++) {
        const struct stats_row *row = &r->groups[i];
        if (stats_row_idle(row))
            continue; /* named once under the table, "no citizens in the period" */
        struct stats_value v;
        char text[32];
        stats_value_of(row, 0, STATS_COL_GUIDED_RATE, &v);
        stats_value_text(&v, h_stats_decimal(lang), 1, text, sizeof text);
        int pct = v.shown == STATS_SHOWN ? (int)(stats_share_permille(&v) / 10) : 0;
        json_array_append_new(
            bars, h_stats_not_shown(json_pack("{s:s, s:s, s:b, s:i, s:b}", "name",
                            row->name[lang][0] ? row->name[lang] : row->key, "value", text,
                            "shown", v.shown == STATS_SHOWN, "pct", pct < 0 ? 0 : pct > 100 ? 100 : pct,
                            "met", v.shown == STATS_SHOWN && stats_goal_met(&v)), &v));
    }
    return json_pack("{s:o}", "bars", bars);
}

static void h_stats_text(const struct stats_row *row, enum stats_column col, enum lang lang,
                         char *out, size_t n)
{
    struct stats_value v;
    stats_value_of(row, 0, col, &v);
    stats_value_text(&v, h_stats_decimal(lang), 1, out, n);
}

/* A count and a share (num of den) for people. */
static void h_stats_share_texts(int64_t num, int64_t den, enum lang lang, char *num_out,
                                char *den_out, char *share_out, size_t n)
{
    struct stats_value v;
    stats_value_count(num, &v);
    stats_value_text(&v, h_stats_decimal(lang), 1, num_out, n);
    stats_value_count(den, &v);
    stats_value_text(&v, h_stats_decimal(lang), 1, den_out, n);
    stats_value_share(num, den, &v);
    stats_value_text(&v, h_stats_decimal(lang), 1, share_out, n);
}

/* The trend: one line chart of correctly guided per quarter, a line per target group,
 * against the goal line; the same figures as a table (groups × quarters) in the template.
 * A quarter whose share cannot be shown breaks the line. */
#define H_STATS_TREND_W 720
#define H_STATS_TREND_H 260
#define H_STATS_TREND_LEFT 56
#define H_STATS_TREND_RIGHT 700
#define H_STATS_TREND_TOP 16
#define H_STATS_TREND_BOTTOM 216
#define H_STATS_SERIES 9 /* colours (vejled-series-0…8 in the CSS and the template) */

static int h_stats_trend_y(double share)
{
    return H_STATS_TREND_BOTTOM -
           (int)(share * (H_STATS_TREND_BOTTOM - H_STATS_TREND_TOP) + 0.5);
}

static json_t *h_stats_trend(const struct stats_trend *tr, enum lang lang)
{
    json_t *series = json_array(), *quarters = json_array();
    const size_t nq = tr->n_quarters;
    const int step = nq > 1 ? (H_STATS_TREND_RIGHT - H_STATS_TREND_LEFT) / (int)(nq - 1) : 0;
    for (size_t q = 0; q < nq; q++) {
        json_t *jq = h_stats_quarter_json(&tr->quarters[q]);
        json_object_set_new(jq, "x", json_integer(H_STATS_TREND_LEFT + (int)q * step));
        json_object_set_new(jq, "label_y", json_integer(H_STATS_TREND_BOTTOM + 20));
        json_array_append_new(quarters, jq);
    }
    for (size_t g = 0; g < tr->n_groups; g++) {
        const struct stats_row *first = &tr->rows[g * nq];
        json_t *cells = json_array(), *segments = json_array(), *points = json_array();
        struct buf line = {0};
        for (size_t q = 0; q <= nq; q++) {
            struct stats_value v = {0};
            if (q < nq) {
                char guided[32];
                stats_value_of(&first[q], 0, STATS_COL_GUIDED_RATE, &v);
                h_stats_text(&first[q], STATS_COL_GUIDED_RATE, lang, guided, sizeof guided);
                json_array_append_new(
                    cells, h_stats_not_shown(json_pack("{s:s}", "text", guided), &v));
            }
            if (q < nq && v.shown == STATS_SHOWN) {
                char pt[32];
                int x = H_STATS_TREND_LEFT + (int)q * step, y = h_stats_trend_y(v.x);
                snprintf(pt, sizeof pt, "%s%d,%d", line.len ? " " : "", x, y);
                buf_append(&line, pt, strlen(pt));
                json_array_append_new(points, json_pack("{s:i, s:i}", "cx", x, "cy", y));
            } else if (line.len) {
                json_array_append_new(segments,
                                      json_pack("{s:s%}", "points", line.data, line.len));
                buf_reset(&line);
            }
        }
        buf_free(&line);
        json_array_append_new(
            series, json_pack("{s:s, s:s, s:i, s:o, s:o, s:o}", "key", first->key, "name",
                              first->name[lang][0] ? first->name[lang] : first->key, "colour",
                              (int)(g % H_STATS_SERIES), "cells", cells, "segments", segments,
                              "points", points));
    }
    return json_pack("{s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "series", series,
                     "quarters", quarters, "width", H_STATS_TREND_W, "height", H_STATS_TREND_H,
                     "left", H_STATS_TREND_LEFT, "right", H_STATS_TREND_RIGHT, "top_y",
                     H_STATS_TREND_TOP, "base_y", H_STATS_TREND_BOTTOM, "mid_y",
                     h_stats_trend_y(0.5), "goal_y", h_stats_trend_y(STATS_GOAL_GUIDED));
}

/* The questions of one tier of the "most wrong" order (enum stats_wrong), at most top:
 * the shown rates ranked, the hidden ones listed apart and unranked; none without a wrong
 * answer. */
static json_t *h_stats_questions(const struct stats_report *r, enum stats_wrong tier,
                                 unsigned top, enum lang lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_questions && json_array_size(a) < top; i++) {
        const struct stats_question *q = &r->questions[i];
        if (q->wrong_rank != tier)
            continue;
        char rate[32], href[64], answered[32], wrong[32];
        h_stats_share_texts(q->q.wrong, q->q.answered, lang, wrong, answered, rate, sizeof rate);
        snprintf(href, sizeof href, "/admin/statistik/spoergsmaal/%lld",
                 (long long)q->q.question_id);
        json_array_append_new(
            a, json_pack("{s:i, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "rank",
                         (int)json_array_size(a) + 1, "group", h_stats_group_name(r, q->q.group_slug, lang), "video", q->q.video_position,
                         "question", q->q.position, "video_title",
                         q->q.video_title[lang][0] ? q->q.video_title[lang]
                                                   : q->q.video_title[LANG_DA],
                         "text", q->q.text[lang][0] ? q->q.text[lang] : q->q.text[LANG_DA],
                         "topic", q->q.topic[lang][0] ? q->q.topic[lang] : q->q.topic[LANG_DA],
                         "answered", answered, "wrong", wrong, "rate", rate, "href", href));
    }
    return a;
}

static json_t *h_stats_topics(const struct stats_report *r, enum stats_wrong tier, unsigned top,
                              enum lang lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_topics && json_array_size(a) < top; i++) {
        const struct stats_topic *t = &r->topics[i];
        if (t->wrong_rank != tier)
            continue;
        char rate[32], answered[32], wrong[32];
        h_stats_share_texts(t->wrong, t->answered, lang, wrong, answered, rate, sizeof rate);
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "group",
                         h_stats_group_name(r, t->group_slug, lang), "topic",
                         t->topic[lang][0] ? t->topic[lang] : t->topic[LANG_DA], "answered",
                         answered, "wrong", wrong, "rate", rate));
    }
    return a;
}

void h_stats_page(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    struct stats_period p, cur;
    struct stats_report r;
    struct stats_trend tr;
    int64_t now = clock_now();
    int bad = h_stats_quarter(c, &p) != 0;
    if (bad)
        stats_quarter(stats_local_day(now), &p);
    if (stats_report_build(c->st, &p, now, cfg->minutes_per_send, &r) != 0) {
        app_page_error(c, 500, "internal");
        return;
    }
    if (stats_trend_build(c->st, p.to_day, STATS_TREND_QUARTERS, now, &tr) != 0) {
        stats_report_free(&r);
        app_page_error(c, 500, "internal");
        return;
    }
    enum lang lang = c->lang;
    const char *code = model_lang_code(lang);
    char from[64], to[64], key[8], goal[32], total_guided[32];
    clock_format_human_date(p.from_day * 86400 + 43200, code, from, sizeof from);
    clock_format_human_date(p.to_day * 86400 + 43200, code, to, sizeof to);
    stats_quarter_key(&p, key);
    /* the picker: this quarter and the eleven before it */
    json_t *quarters = json_array();
    stats_quarter(stats_local_day(now), &cur);
    for (int i = 0; i < 12; i++) {
        json_t *q = h_stats_quarter_json(&cur);
        json_object_set_new(q, "selected", json_boolean(cur.from_day == p.from_day));
        json_array_append_new(quarters, q);
        stats_quarter(cur.from_day - 1, &cur);
    }
    json_t *cols = json_array();
    for (int col = 0; col < STATS_COL_COUNT; col++) {
        char name[64];
        snprintf(name, sizeof name, "stats_col_%s", stats_column_key((enum stats_column)col));
        json_t *label = json_object_get(c->app->strings[lang], name);
        json_array_append_new(cols, json_pack("{s:O}", "label", label ? label : json_string(name)));
    }
    struct stats_value gv;
    stats_value_of(&r.total, 0, STATS_COL_GUIDED_RATE, &gv);
    h_stats_text(&r.total, STATS_COL_GUIDED_RATE, lang, total_guided, sizeof total_guided);
    struct stats_value goal_v = {STATS_KIND_SHARE, STATS_SHOWN, STATS_GOAL_GUIDED, false,
                                 (int64_t)(STATS_GOAL_GUIDED * 1000.0 + 0.5), 1000, false};
    stats_value_text(&goal_v, h_stats_decimal(lang), 1, goal, sizeof goal);
    json_t *total = json_pack("{s:s, s:o}", "key", "total", "cells",
                              h_stats_cells(&r, &r.total, lang));
    json_t *ctx = json_pack(
        "{s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
        " s:b, s:b, s:i}",
        "from", from, "to", to, "quarter", key, "quarters", quarters, "bad_quarter", bad,
        "goal", goal, "total_guided", total_guided, "goal_reached",
        gv.shown == STATS_SHOWN && stats_goal_met(&gv), "goal_missed",
        gv.shown == STATS_SHOWN && !stats_goal_met(&gv), "goal_unknown",
        gv.shown != STATS_SHOWN, "cols", cols, "groups",
        h_stats_rows(&r, r.groups, r.n_groups, lang), "total", total, "units",
        h_stats_rows(&r, r.units, r.n_units, lang), "trend", h_stats_trend(&tr, lang),
        "questions", h_stats_questions(&r, STATS_WRONG_SHOWN, cfg->stats_top_questions, lang),
        "topics", h_stats_topics(&r, STATS_WRONG_SHOWN, cfg->stats_top_questions, lang),
        "any_units", r.n_units > 0, "any_questions", r.n_questions > 0, "minutes_per_send",
        (int)cfg->minutes_per_send);
    /* a period not over yet: its figures still move (opened, completed, meetings to come) */
    json_object_set_new(ctx, "period_open", json_boolean(p.to_day >= stats_local_day(now)));
    json_object_set_new(ctx, "hidden_questions", h_stats_questions(&r, STATS_WRONG_HIDDEN,
                                                                   cfg->stats_top_questions, lang));
    json_object_set_new(ctx, "hidden_topics",
                        h_stats_topics(&r, STATS_WRONG_HIDDEN, cfg->stats_top_questions, lang));
    json_object_set_new(ctx, "any_wrong_shown",
                        json_boolean(json_array_size(json_object_get(ctx, "questions")) > 0));
    json_object_set_new(ctx, "any_wrong_hidden", json_boolean(json_array_size(
                                                     json_object_get(ctx, "hidden_questions")) > 0));
    json_object_set_new(ctx, "any_topics_shown",
                        json_boolean(json_array_size(json_object_get(ctx, "topics")) > 0));
    json_object_set_new(ctx, "any_topics_hidden",
                        json_boolean(json_array_size(json_object_get(ctx, "hidden_topics")) > 0));
    json_t *short_cols = json_array(), *short_groups = json_array(), *idle = json_array();
    for (size_t i = 0; i < H_STATS_N_HEADLINE; i++)
        json_array_append_new(short_cols,
                              json_pack("{s:o}", "label", h_stats_col_label(c, h_stats_headline[i])));
    /* target groups with no citizen in the period: one line under the table, not a row of
     * zeros and "ingen data" each */
    for (size_t i = 0; i < r.n_groups; i++) {
        const char *name = r.groups[i].name[lang][0] ? r.groups[i].name[lang] : r.groups[i].key;
        if (stats_row_idle(&r.groups[i])) {
            json_array_append_new(idle, json_pack("{s:s, s:s}", "key", r.groups[i].key,
                                                  "name", name));
            continue;
        }
        json_array_append_new(short_groups,
                              json_pack("{s:s, s:s, s:o}", "key", r.groups[i].key, "name", name,
                                        "cells", h_stats_short_cells(&r, &r.groups[i], lang)));
    }
    struct buf names = {0};
    size_t ni;
    json_t *it;
    json_array_foreach(idle, ni, it) {
        if (ni)
            buf_puts(&names, ", ");
        buf_puts(&names, json_string_value(json_object_get(it, "name")));
    }
    json_object_set_new(ctx, "idle_groups", idle);
    json_object_set_new(ctx, "idle_names", json_stringn(names.data ? names.data : "", names.len));
    buf_free(&names);
    json_object_set_new(ctx, "any_idle_groups", json_boolean(json_array_size(idle) > 0));
    json_object_set_new(ctx, "any_active_groups",
                        json_boolean(json_array_size(short_groups) > 0));
    json_object_set_new(ctx, "short_cols", short_cols);
    json_object_set_new(ctx, "short_groups", short_groups);
    json_object_set_new(ctx, "short_total", h_stats_short_cells(&r, &r.total, lang));
    json_object_set_new(ctx, "cards", h_stats_cards(c, &r));
    json_object_set_new(ctx, "guided_chart", h_stats_guided_chart(&r, lang));
    stats_trend_free(&tr);
    stats_report_free(&r);
    app_page(c, bad ? 400 : 200, "admin/statistik", ctx);
}

void h_stats_csv(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    struct stats_period p;
    struct stats_report r;
    const char *sep = http_query(c->req, "sep");
    if (h_stats_quarter(c, &p) != 0 ||
        (sep && strcmp(sep, "semicolon") != 0 && strcmp(sep, "comma") != 0)) {
        app_page_error(c, 400, "bad_request");
        return;
    }
    if (stats_report_build(c->st, &p, clock_now(), cfg->minutes_per_send, &r) != 0) {
        app_page_error(c, 500, "internal");
        return;
    }
    struct buf out = {0};
    stats_report_csv(&r, sep && strcmp(sep, "semicolon") == 0 ? ';' : ',', &out);
    stats_report_free(&r);
    char key[8], disposition[96];
    stats_quarter_key(&p, key);
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"vejled-statistik-%s.csv\"", key);
    http_reply_text(c->rep, 200, "text/csv; charset=utf-8", out.data ? out.data : "", out.len);
    http_reply_header(c->rep, "Content-Disposition", disposition);
    buf_free(&out);
}

void h_stats_question(struct app_call *c)
{
    const char *s = c->req->match->params[0];
    char *end;
    long long id = strtoll(s, &end, 10);
    int64_t pack_id = 0;
    if (*end || end == s || id < 1 || store_question_pack(c->st, id, &pack_id) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return;
    }
    const struct model_pack *pack = content_cache_get(c->app->content, c->st, pack_id);
    size_t vi = 0;
    const struct model_question *q = pack ? content_question_by_id(pack, id, &vi) : NULL;
    if (!q) {
        app_page_error(c, 404, "not_found");
        return;
    }
    enum lang l = c->lang;
    const struct model_video *v = &pack->videos[vi];
#define H_STATS_TEXT(x) ((x)[l] && *(x)[l] ? (x)[l] : (x)[LANG_DA] ? (x)[LANG_DA] : "")
    json_t *options = json_array();
    for (size_t i = 0; i < q->n_options; i++)
        json_array_append_new(options, json_pack("{s:s, s:b}", "text",
                                                 H_STATS_TEXT(q->options[i].text), "correct",
                                                 q->options[i].correct));
    json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:i, s:s}", "video_title",
                            H_STATS_TEXT(v->title), "transcript", H_STATS_TEXT(v->transcript),
                            "text", H_STATS_TEXT(q->text), "explanation",
                            H_STATS_TEXT(q->explanation), "options", options, "topic",
                            H_STATS_TEXT(q->topic), "version", pack->version, "video",
                            (int)vi + 1, "multiple", q->multiple ? "1" : "");
#undef H_STATS_TEXT
    /* the whole video, as caseworkers see it in training mode */
    struct model_group g;
    memset(&g, 0, sizeof g);
    if (store_group_by_id(c->st, pack->group_id, &g) == STORE_OK) {
        char href[MODEL_SLUG_MAX + 64];
        snprintf(href, sizeof href, "/medarbejder/traening/%s/%zu", g.slug, vi + 1);
        json_object_set_new(ctx, "training_href", json_string(href));
    }
    model_group_clear(&g);
    app_page(c, 200, "admin/statistik_spoergsmaal", ctx);
}
