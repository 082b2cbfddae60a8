#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mem.h"

/* ------------------------------------------------------------------ days */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t stats_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void stats_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t stats_floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* The last Sunday of month m of year y at 01:00 UTC (EU summer time changes). */
static int64_t stats_eu_change(int64_t y, unsigned m)
{
    int64_t last = stats_days_from_civil(y, m + 1, 1) - 1;
    int64_t weekday = ((last + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; Sunday = 0 */
    return (last - weekday) * 86400 + 3600;
}

int64_t stats_local_day(int64_t t)
{
    int64_t y;
    unsigned m, d;
    stats_civil_from_days(stats_floor_div(t, 86400), &y, &m, &d);
    int64_t offset = t >= stats_eu_change(y, 3) && t < stats_eu_change(y, 10) ? 7200 : 3600;
    return stats_floor_div(t + offset, 86400);
}

int stats_day_parse(const char *s, int64_t *day)
{
    int64_t t;
    if (!s || strlen(s) != 10 || clock_parse_date(s, &t) != 0)
        return -1;
    int64_t y;
    unsigned m, d;
    stats_civil_from_days(t / 86400, &y, &m, &d);
    if (y < 2000 || y > 2099)
        return -1;
    *day = t / 86400;
    return 0;
}

void stats_day_format(int64_t day, char out[11])
{
    int64_t y;
    unsigned m, d;
    stats_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y % 10000 + 10000) % 10000, m % 100, d % 100);
}

void stats_quarter(int64_t day, struct stats_period *out)
{
    int64_t y;
    unsigned m, d;
    stats_civil_from_days(day, &y, &m, &d);
    unsigned first = (m - 1) / 3 * 3 + 1;
    out->from_day = stats_days_from_civil(y, first, 1);
    out->to_day = (first == 10 ? stats_days_from_civil(y + 1, 1, 1)
                               : stats_days_from_civil(y, first + 3, 1)) - 1;
}

void stats_quarter_key(const struct stats_period *q, char out[8])
{
    int64_t y;
    unsigned m, d;
    stats_civil_from_days(q->from_day, &y, &m, &d);
    snprintf(out, 8, "%04u-%u", (unsigned)(y % 10000 + 10000) % 10000, (m - 1) / 3 % 4 + 1);
}

int stats_quarter_parse(const char *key, struct stats_period *out)
{
    if (!key || strlen(key) != 6 || key[4] != '-' || key[5] < '1' || key[5] > '4')
        return -1;
    static const char *const months[] = {"01", "04", "07", "10"};
    char date[16];
    snprintf(date, sizeof date, "%.4s-%s-01", key, months[key[5] - '1']);
    int64_t day;
    if (stats_day_parse(date, &day) != 0)
        return -1;
    stats_quarter(day, out);
    return 0;
}

enum stats_period_error stats_period_parse(const char *from, const char *to, unsigned max_days,
                                           struct stats_period *out)
{
    if (stats_day_parse(from, &out->from_day) != 0)
        return STATS_PERIOD_BAD_FROM;
    if (stats_day_parse(to, &out->to_day) != 0)
        return STATS_PERIOD_BAD_TO;
    if (out->from_day > out->to_day)
        return STATS_PERIOD_REVERSED;
    if (out->to_day - out->from_day + 1 > (int64_t)max_days)
        return STATS_PERIOD_TOO_LONG;
    return STATS_PERIOD_OK;
}

/* ------------------------------------------------------------------ building rows */

static void stats_counts_add(struct stats_counts *to, const struct store_stats_cell *c)
{
    to->enrolled += c->enrolled;
    to->opened += c->opened;
    to->completed += c->completed;
    to->declined += c->declined;
    to->due += c->due;
    to->guided += c->guided;
    to->held += c->held;
    to->viewed += c->viewed;
    to->sends += c->sends;
    to->resends += c->resends;
}

static void stats_row_delay(struct stats_row *r, int64_t seconds)
{
    if (r->n_delays == r->cap_delays) {
        r->cap_delays = r->cap_delays ? r->cap_delays * 2 : 64;
        r->delays = xrealloc(r->delays, r->cap_delays * sizeof *r->delays);
    }
    r->delays[r->n_delays++] = seconds;
}

static void stats_swap(int64_t *a, int64_t *b)
{
    int64_t t = *a;
    *a = *b;
    *b = t;
}

/* Rearranges a[0..n) so that a[k] holds the k-th smallest value (0-based), with nothing
 * larger before it and nothing smaller after it (quickselect, median-of-three pivot: O(n)
 * on average, where sorting 60,000 delays a quarter took most of a page's time). */
static int64_t stats_select(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            stats_swap(&a[mid], &a[lo]);
        if (a[hi] < a[lo])
            stats_swap(&a[hi], &a[lo]);
        if (a[hi] < a[mid])
            stats_swap(&a[hi], &a[mid]);
        int64_t pivot = a[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                stats_swap(&a[i], &a[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

static void stats_row_median(struct stats_row *r)
{
    if (!r->n_delays)
        return;
    size_t h = r->n_delays / 2;
    double upper = (double)stats_select(r->delays, r->n_delays, h), s = upper;
    if (r->n_delays % 2 == 0) {
        /* the lower middle: the largest of what now lies before the upper one */
        int64_t lower = r->delays[0];
        for (size_t i = 1; i < h; i++)
            if (r->delays[i] > lower)
                lower = r->delays[i];
        s = ((double)lower + upper) / 2.0;
    }
    r->median_hours = s / 3600.0;
}

static void stats_row_clear(struct stats_row *r)
{
    free(r->delays);
    memset(r, 0, sizeof *r);
}

struct stats_build {
    struct stats_report *r;
    struct stats_row *groups; /* where group cells go (the report's, or a trend column) */
    size_t n_groups;
    size_t stride;            /* trend: rows per group */
    int by_unit;              /* the cells are units' */
    size_t last_unit;         /* the unit row found last */
};

static struct stats_row *stats_group_row(struct stats_build *b, int64_t group_id)
{
    for (size_t i = 0; i < b->n_groups; i++)
        if (b->groups[i * b->stride].group_id == group_id)
            return &b->groups[i * b->stride];
    return NULL;
}

static struct stats_row *stats_unit_row(struct stats_build *b, const char *unit)
{
    struct stats_report *r = b->r;
    /* the rows come sorted by day, group and unit: mostly the same unit as the last */
    if (b->last_unit < r->n_units && strcmp(r->units[b->last_unit].key, unit) == 0)
        return &r->units[b->last_unit];
    for (size_t i = 0; i < r->n_units; i++)
        if (strcmp(r->units[i].key, unit) == 0)
            return &r->units[b->last_unit = i];
    r->units = xrealloc(r->units, (r->n_units + 1) * sizeof *r->units);
    b->last_unit = r->n_units;
    struct stats_row *u = &r->units[r->n_units++];
    memset(u, 0, sizeof *u);
    snprintf(u->key, sizeof u->key, "%s", unit);
    return u;
}

static int stats_on_cell(const struct store_stats_cell *c, void *arg)
{
    struct stats_build *b = arg;
    if (b->by_unit) {
        stats_counts_add(&stats_unit_row(b, c->unit)->c, c);
        return 0;
    }
    struct stats_row *g = stats_group_row(b, c->group_id);
    if (g)
        stats_counts_add(&g->c, c);
    if (b->r)
        stats_counts_add(&b->r->total.c, c);
    return 0;
}

static int stats_on_delay(int64_t group_id, const char *unit, int64_t seconds, void *arg)
{
    struct stats_build *b = arg;
    struct stats_row *g = stats_group_row(b, group_id);
    if (g)
        stats_row_delay(g, seconds);
    stats_row_delay(&b->r->total, seconds);
    stats_row_delay(stats_unit_row(b, unit), seconds);
    return 0;
}

/* One row per target group (by slug), into rows[i * stride]. */
static int stats_group_rows(struct store *st, size_t stride, struct stats_row **rows,
                            size_t *n)
{
    struct model_group *groups = NULL;
    size_t ng = 0;
    if (store_group_list(st, &groups, &ng) != STORE_OK)
        return -1;
    *rows = xcalloc(ng ? ng * stride : 1, sizeof **rows);
    for (size_t i = 0; i < ng; i++) {
        for (size_t k = 0; k < stride; k++) {
            struct stats_row *row = &(*rows)[i * stride + k];
            row->group_id = groups[i].id;
            snprintf(row->key, sizeof row->key, "%s", groups[i].slug);
            for (int l = 0; l < LANG_COUNT; l++)
                snprintf(row->name[l], sizeof row->name[l], "%s",
                         groups[i].name[l] ? groups[i].name[l] : "");
        }
        model_group_clear(&groups[i]);
    }
    free(groups);
    *n = ng;
    return 0;
}

/* By name; the no-unit row ("") last. */
static int stats_cmp_units(const void *a, const void *b)
{
    const char *x = ((const struct stats_row *)a)->key, *y = ((const struct stats_row *)b)->key;
    if (!*x || !*y)
        return (!*x) - (!*y);
    return strcmp(x, y);
}

/* The order of a "most wrong" list, truthful under the small-number rules: first the
 * items with a shown error rate above 0, highest first (then by more answers); then those
 * with wrong answers whose rate is hidden (1-4 wrong, or fewer than 5 answers), in a
 * neutral order — never by the hidden rate, so their place says nothing of it; last those
 * with no wrong answer at all.  Which tier an item is in follows from its shown counts
 * alone: "wrong" is 0 (shown) or at least 5 when the rate is shown above 0. */
enum stats_wrong stats_wrong_of(bool rate_shown, int64_t wrong)
{
    if (wrong <= 0)
        return STATS_WRONG_NONE;
    return rate_shown ? STATS_WRONG_SHOWN : STATS_WRONG_HIDDEN;
}

/* Tier, then (shown tier only) the rate, highest first, and more answers; 0 when the
 * neutral order decides. */
static int stats_cmp_rate(enum stats_wrong ta, double ra, int64_t na, enum stats_wrong tb,
                          double rb, int64_t nb)
{
    if (ta != tb)
        return ta < tb ? -1 : 1;
    if (ta != STATS_WRONG_SHOWN)
        return 0;
    if (ra != rb)
        return ra > rb ? -1 : 1;
    return (na < nb) - (na > nb);
}

/* Within a tier: by group, video and position in the video (the pack's own order). */
static int stats_cmp_questions(const void *a, const void *b)
{
    const struct stats_question *x = a, *y = b;
    int c = stats_cmp_rate(x->wrong_rank, x->error_rate, x->q.answered, y->wrong_rank,
                           y->error_rate, y->q.answered);
    if (c)
        return c;
    c = strcmp(x->q.group_slug, y->q.group_slug);
    if (c)
        return c;
    if (x->q.pack_version != y->q.pack_version)
        return x->q.pack_version < y->q.pack_version ? -1 : 1;
    if (x->q.video_position != y->q.video_position)
        return x->q.video_position < y->q.video_position ? -1 : 1;
    if (x->q.position != y->q.position)
        return x->q.position < y->q.position ? -1 : 1;
    return (x->q.question_id > y->q.question_id) - (x->q.question_id < y->q.question_id);
}

static int stats_cmp_topics(const void *a, const void *b)
{
    const struct stats_topic *x = a, *y = b;
    int c = stats_cmp_rate(x->wrong_rank, x->error_rate, x->answered, y->wrong_rank,
                           y->error_rate, y->answered);
    if (c)
        return c;
    c = strcmp(x->group_slug, y->group_slug);
    return c ? c : strcmp(x->topic_key, y->topic_key);
}

/* A share num/den is shown when den ≥ STATS_SMALL and num itself is shown. */
static bool stats_share(int64_t num, int64_t den, double *out)
{
    if (den < STATS_SMALL || !stats_count_shown(num))
        return false;
    *out = (double)num / (double)den;
    return true;
}

static int stats_on_question(const struct store_stats_question *q, void *arg)
{
    struct stats_report *r = arg;
    r->questions = xrealloc(r->questions, (r->n_questions + 1) * sizeof *r->questions);
    struct stats_question *s = &r->questions[r->n_questions++];
    memset(s, 0, sizeof *s);
    s->q = *q;
    s->rate_shown = stats_share(q->wrong, q->answered, &s->error_rate);
    s->wrong_rank = stats_wrong_of(s->rate_shown, q->wrong);
    struct stats_topic *t = NULL;
    for (size_t i = 0; i < r->n_topics && !t; i++)
        if (strcmp(r->topics[i].group_slug, q->group_slug) == 0 &&
            strcmp(r->topics[i].topic_key, q->topic_key) == 0)
            t = &r->topics[i];
    if (!t) {
        r->topics = xrealloc(r->topics, (r->n_topics + 1) * sizeof *r->topics);
        t = &r->topics[r->n_topics++];
        memset(t, 0, sizeof *t);
        snprintf(t->group_slug, sizeof t->group_slug, "%s", q->group_slug);
        snprintf(t->topic_key, sizeof t->topic_key, "%s", q->topic_key);
        for (int l = 0; l < LANG_COUNT; l++)
            snprintf(t->topic[l], sizeof t->topic[l], "%s", q->topic[l]);
    }
    t->answered += q->answered;
    t->wrong += q->wrong;
    return 0;
}

void stats_report_free(struct stats_report *r)
{
    if (!r)
        return;
    stats_row_clear(&r->total);
    for (size_t i = 0; i < r->n_groups; i++)
        stats_row_clear(&r->groups[i]);
    for (size_t i = 0; i < r->n_units; i++)
        stats_row_clear(&r->units[i]);
    free(r->groups);
    free(r->units);
    free(r->questions);
    free(r->topics);
    memset(r, 0, sizeof *r);
}

int stats_report_build(struct store *st, const struct stats_period *p, int64_t now,
                       unsigned minutes_per_send, struct stats_report *out)
{
    memset(out, 0, sizeof *out);
    out->period = *p;
    out->now = now;
    out->minutes_per_send = minutes_per_send;
    snprintf(out->total.key, sizeof out->total.key, "total");
    if (stats_group_rows(st, 1, &out->groups, &out->n_groups) != 0)
        goto fail;
    struct stats_build b = {out, out->groups, out->n_groups, 1, 0, 0};
    struct stats_build bu = {out, NULL, 0, 1, 1, 0};
    int64_t today = stats_local_day(now);
    if (store_stats_cells(st, STORE_STATS_BY_GROUP, p->from_day, p->to_day, today, now,
                          stats_on_cell, &b) != STORE_OK ||
        store_stats_cells(st, STORE_STATS_BY_UNIT, p->from_day, p->to_day, today, now,
                          stats_on_cell, &bu) != STORE_OK ||
        store_stats_delays(st, p->from_day, p->to_day, stats_on_delay, &b) != STORE_OK ||
        store_stats_questions(st, p->from_day, p->to_day, stats_on_question, out) != STORE_OK)
        goto fail;
    stats_row_median(&out->total);
    for (size_t i = 0; i < out->n_groups; i++)
        stats_row_median(&out->groups[i]);
    for (size_t i = 0; i < out->n_units; i++)
        stats_row_median(&out->units[i]);
    /* a unit whose every figure is 0 (a day row that went back to 0, meetings not passed
     * yet) has no figure in the period: not listed */
    size_t kept = 0;
    for (size_t i = 0; i < out->n_units; i++) {
        if (stats_row_idle(&out->units[i]))
            stats_row_clear(&out->units[i]);
        else
            out->units[kept++] = out->units[i];
    }
    out->n_units = kept;
    if (out->n_units)
        qsort(out->units, out->n_units, sizeof *out->units, stats_cmp_units);
    for (size_t i = 0; i < out->n_topics; i++) {
        struct stats_topic *t = &out->topics[i];
        t->rate_shown = stats_share(t->wrong, t->answered, &t->error_rate);
        t->wrong_rank = stats_wrong_of(t->rate_shown, t->wrong);
    }
    if (out->n_questions)
        qsort(out->questions, out->n_questions, sizeof *out->questions, stats_cmp_questions);
    if (out->n_topics)
        qsort(out->topics, out->n_topics, sizeof *out->topics, stats_cmp_topics);
    return 0;
fail:
    stats_report_free(out);
    return -1;
}

void stats_trend_free(struct stats_trend *t)
{
    if (!t)
        return;
    free(t->rows); /* trend rows collect no delays */
    memset(t, 0, sizeof *t);
}

int stats_trend_build(struct store *st, int64_t last_day, size_t n_quarters, int64_t now,
                      struct stats_trend *out)
{
    memset(out, 0, sizeof *out);
    if (n_quarters < 1 || n_quarters > STATS_TREND_QUARTERS)
        return -1;
    out->n_quarters = n_quarters;
    struct stats_period q;
    stats_quarter(last_day, &q);
    for (size_t i = n_quarters; i-- > 0;) {
        out->quarters[i] = q;
        stats_quarter(q.from_day - 1, &q);
    }
    if (stats_group_rows(st, n_quarters, &out->rows, &out->n_groups) != 0)
        return -1;
    for (size_t i = 0; i < n_quarters; i++) {
        struct stats_build b = {NULL, out->rows + i, out->n_groups, n_quarters, 0, 0};
        if (store_stats_cells(st, STORE_STATS_BY_GROUP, out->quarters[i].from_day,
                              out->quarters[i].to_day, stats_local_day(now), now, stats_on_cell,
                              &b) != STORE_OK) {
            stats_trend_free(out);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ figures */

static const char *const stats_keys[STATS_COL_COUNT] = {
    [STATS_COL_ENROLLED] = "enrolled",
    [STATS_COL_OPENED] = "opened",
    [STATS_COL_NOT_OPENED] = "not_opened",
    [STATS_COL_COMPLETED] = "completed",
    [STATS_COL_DECLINED] = "declined",
    [STATS_COL_OPENED_RATE] = "opened_rate",
    [STATS_COL_COMPLETED_RATE] = "completed_rate",
    [STATS_COL_DECLINED_RATE] = "declined_rate",
    [STATS_COL_DUE] = "first_meetings_passed",
    [STATS_COL_GUIDED] = "correctly_guided",
    [STATS_COL_GUIDED_RATE] = "correctly_guided_rate",
    [STATS_COL_HELD] = "meetings_held",
    [STATS_COL_VIEWED] = "answers_viewed_before_meeting",
    [STATS_COL_VIEWED_RATE] = "caseworker_uptake_rate",
    [STATS_COL_SENDS] = "written_guidance_sent",
    [STATS_COL_RESENDS] = "resends_sent",
    [STATS_COL_MINUTES_SAVED] = "minutes_saved",
    [STATS_COL_MEDIAN_HOURS] = "median_hours_to_completion",
};

const char *stats_column_key(enum stats_column col)
{
    return col < STATS_COL_COUNT ? stats_keys[col] : "";
}

enum stats_kind stats_column_kind(enum stats_column col)
{
    switch (col) {
    case STATS_COL_OPENED_RATE:
    case STATS_COL_COMPLETED_RATE:
    case STATS_COL_DECLINED_RATE:
    case STATS_COL_GUIDED_RATE:
    case STATS_COL_VIEWED_RATE: return STATS_KIND_SHARE;
    case STATS_COL_MEDIAN_HOURS: return STATS_KIND_HOURS;
    default: return STATS_KIND_COUNT;
    }
}

bool stats_row_idle(const struct stats_row *r)
{
    const struct stats_counts *c = &r->c;
    return !c->enrolled && !c->opened && !c->completed && !c->declined && !c->due &&
           !c->guided && !c->held && !c->viewed && !c->sends && !c->resends && !r->n_delays;
}

bool stats_count_shown(int64_t n)
{
    return n <= 0 || n >= STATS_SMALL;
}

void stats_value_count(int64_t n, struct stats_value *out)
{
    memset(out, 0, sizeof *out);
    out->kind = STATS_KIND_COUNT;
    out->shown = stats_count_shown(n) ? STATS_SHOWN : STATS_SUPPRESSED;
    out->x = out->shown == STATS_SHOWN ? (double)n : 0;
}

void stats_value_share(int64_t num, int64_t den, struct stats_value *out)
{
    memset(out, 0, sizeof *out);
    out->kind = STATS_KIND_SHARE;
    out->shown = stats_share(num, den, &out->x) ? STATS_SHOWN : STATS_NONE;
    out->empty = den <= 0;
    out->below = out->shown != STATS_SHOWN && den >= STATS_SMALL && num > 0;
    if (out->shown == STATS_SHOWN) {
        out->num = num;
        out->den = den;
    }
}

/* A figure worked out from counts of which one is hidden: not shown at all ("–"), never
 * "<5" (a mark for a count of people) and never a value that gives the hidden count away. */
static void stats_value_derived_hidden(enum stats_kind kind, struct stats_value *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->shown = STATS_NONE;
}

void stats_value_of(const struct stats_row *r, unsigned minutes_per_send, enum stats_column col,
                    struct stats_value *out)
{
    const struct stats_counts *c = &r->c;
    memset(out, 0, sizeof *out);
    switch (col) {
    case STATS_COL_ENROLLED: stats_value_count(c->enrolled, out); return;
    case STATS_COL_OPENED: stats_value_count(c->opened, out); return;
    case STATS_COL_NOT_OPENED:
        /* enrolled − opened: with opened hidden it would give opened away */
        if (!stats_count_shown(c->opened))
            stats_value_derived_hidden(STATS_KIND_COUNT, out);
        else
            stats_value_count(c->enrolled - c->opened, out);
        return;
    case STATS_COL_COMPLETED: stats_value_count(c->completed, out); return;
    case STATS_COL_DECLINED: stats_value_count(c->declined, out); return;
    case STATS_COL_OPENED_RATE: stats_value_share(c->opened, c->enrolled, out); return;
    case STATS_COL_COMPLETED_RATE: stats_value_share(c->completed, c->enrolled, out); return;
    case STATS_COL_DECLINED_RATE: stats_value_share(c->declined, c->enrolled, out); return;
    case STATS_COL_DUE: stats_value_count(c->due, out); return;
    case STATS_COL_GUIDED: stats_value_count(c->guided, out); return;
    case STATS_COL_GUIDED_RATE: stats_value_share(c->guided, c->due, out); return;
    case STATS_COL_HELD: stats_value_count(c->held, out); return;
    case STATS_COL_VIEWED: stats_value_count(c->viewed, out); return;
    case STATS_COL_VIEWED_RATE: stats_value_share(c->viewed, c->held, out); return;
    case STATS_COL_SENDS: stats_value_count(c->sends, out); return;
    case STATS_COL_RESENDS: stats_value_count(c->resends, out); return;
    case STATS_COL_MINUTES_SAVED:
        /* minutes are no count of people ("<5" minutes would be false) and would give the
         * number of sendings away, or with the other count shown the hidden one: shown only
         * when both counts are */
        if (!stats_count_shown(c->sends) || !stats_count_shown(c->resends)) {
            stats_value_derived_hidden(STATS_KIND_COUNT, out);
            return;
        }
        stats_value_count(c->sends + c->resends, out);
        out->x *= minutes_per_send;
        return;
    case STATS_COL_MEDIAN_HOURS:
        out->kind = STATS_KIND_HOURS;
        out->shown = r->n_delays >= STATS_SMALL ? STATS_SHOWN : STATS_NONE;
        out->x = out->shown == STATS_SHOWN ? r->median_hours : 0;
        out->empty = r->n_delays == 0;
        return;
    case STATS_COL_COUNT: break;
    }
    out->shown = STATS_NONE;
    out->empty = true;
}

int64_t stats_share_permille(const struct stats_value *v)
{
    if (v->kind != STATS_KIND_SHARE || v->shown != STATS_SHOWN || v->den <= 0)
        return -1;
    return v->num * 1000 / v->den; /* rounded down: never shows a goal reached that is not */
}

bool stats_goal_missed(const struct stats_value *v)
{
    if (v->kind != STATS_KIND_SHARE)
        return false;
    if (v->shown == STATS_SHOWN)
        return !stats_goal_met(v);
    /* hidden for its numerator alone: at most (STATS_SMALL - 1) / STATS_SMALL */
    return v->below && (double)(STATS_SMALL - 1) / STATS_SMALL < STATS_GOAL_GUIDED;
}

bool stats_goal_met(const struct stats_value *v)
{
    int64_t pm = stats_share_permille(v);
    return pm >= 0 && pm >= (int64_t)(STATS_GOAL_GUIDED * 1000.0 + 0.5);
}

double stats_share_json(const struct stats_value *v)
{
    if (v->kind != STATS_KIND_SHARE || v->den <= 0)
        return v->x;
    return (double)(v->num * 10000 / v->den) / 10000.0;
}

void stats_value_text(const struct stats_value *v, char decimal, int percent_sign, char *out,
                      size_t n)
{
    if (v->shown == STATS_SUPPRESSED) {
        snprintf(out, n, "<%d", STATS_SMALL);
        return;
    }
    if (v->shown == STATS_NONE) {
        /* hidden: an en dash; nothing to count: empty */
        snprintf(out, n, "%s", v->empty ? "" : STATS_HIDDEN_MARK);
        return;
    }
    if (v->kind == STATS_KIND_SHARE) {
        int64_t pm = stats_share_permille(v);
        snprintf(out, n, "%lld%c%lld%s", (long long)(pm / 10), decimal, (long long)(pm % 10),
                 percent_sign ? " %" : "");
        return;
    }
    if (v->kind == STATS_KIND_HOURS) {
        snprintf(out, n, "%.1f", round(v->x * 10.0) / 10.0);
        char *dot = strchr(out, '.');
        if (dot)
            *dot = decimal;
        return;
    }
    snprintf(out, n, "%.0f", v->x);
}

/* ------------------------------------------------------------------ extracts */

/* Adds the figures of r to o (returned). */
static json_t *stats_row_json(json_t *o, const struct stats_row *r, unsigned minutes_per_send)
{
    json_t *rates = json_object();
    for (int col = 0; col < STATS_COL_COUNT; col++) {
        struct stats_value v;
        stats_value_of(r, minutes_per_send, (enum stats_column)col, &v);
        const char *key = stats_keys[col];
        json_t *val = v.shown != STATS_SHOWN          ? json_null()
                      : v.kind == STATS_KIND_SHARE ? json_real(stats_share_json(&v))
                      : v.kind != STATS_KIND_COUNT ? json_real(round(v.x * 10000.0) / 10000.0)
                                                   : json_integer((json_int_t)v.x);
        if (v.kind == STATS_KIND_SHARE) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(strlen(key) - 5), key);
            json_object_set_new(rates, name, val);
        } else {
            json_object_set_new(o, key, val);
        }
    }
    json_object_set_new(o, "rates", rates);
    return o;
}

json_t *stats_report_json(const struct stats_report *r)
{
    char from[11], to[11], at[CLOCK_RFC3339_LEN + 1];
    stats_day_format(r->period.from_day, from);
    stats_day_format(r->period.to_day, to);
    clock_format_rfc3339(r->now, at);
    json_t *groups = json_array(), *units = json_array(), *questions = json_array();
    for (size_t i = 0; i < r->n_groups; i++) {
        json_t *g = json_pack("{s:s, s:s}", "target_group", r->groups[i].key, "name",
                              r->groups[i].name[LANG_DA]);
        json_array_append_new(groups, stats_row_json(g, &r->groups[i], r->minutes_per_send));
    }
    for (size_t i = 0; i < r->n_units; i++) {
        const char *key = r->units[i].key;
        json_t *u = json_pack("{s:o}", "unit", *key ? json_string(key) : json_null());
        json_array_append_new(units, stats_row_json(u, &r->units[i], r->minutes_per_send));
    }
    for (size_t i = 0; i < r->n_questions; i++) {
        const struct stats_question *q = &r->questions[i];
        json_t *a = json_pack("{s:I, s:s, s:i, s:i, s:s, s:i, s:s, s:s}", "question_id",
                              (json_int_t)q->q.question_id, "target_group", q->q.group_slug,
                              "pack_version", q->q.pack_version, "video", q->q.video_position,
                              "video_title", q->q.video_title[LANG_DA], "question",
                              q->q.position, "text", q->q.text[LANG_DA], "topic",
                              q->q.topic_key);
        struct stats_value v;
        stats_value_count(q->q.answered, &v);
        json_object_set_new(a, "first_attempts",
                            v.shown == STATS_SHOWN ? json_integer((json_int_t)v.x) : json_null());
        stats_value_count(q->q.wrong, &v);
        json_object_set_new(a, "wrong",
                            v.shown == STATS_SHOWN ? json_integer((json_int_t)v.x) : json_null());
        stats_value_share(q->q.wrong, q->q.answered, &v);
        json_object_set_new(a, "error_rate",
                            v.shown == STATS_SHOWN ? json_real(stats_share_json(&v)) : json_null());
        json_array_append_new(questions, a);
    }
    return json_pack("{s:s, s:s, s:s, s:i, s:f, s:i, s:o, s:o, s:o, s:o}", "from", from, "to",
                     to, "generated_at", at, "small_count_threshold", STATS_SMALL,
                     "goal_correctly_guided", STATS_GOAL_GUIDED, "minutes_per_send",
                     (int)r->minutes_per_send, "target_groups", groups, "total",
                     stats_row_json(json_object(), &r->total, r->minutes_per_send), "units", units,
                     "questions", questions);
}

static void stats_csv_field(struct buf *out, const char *s, char sep)
{
    if (!strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
        buf_puts(out, s);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

static void stats_csv_row(struct buf *out, const struct stats_report *r, const char *dimension,
                          const struct stats_row *row, char sep, const char *from,
                          const char *to)
{
    char decimal = sep == ';' ? ',' : '.';
    int no_unit = strcmp(dimension, "unit") == 0 && !row->key[0];
    buf_printf(out, "%s%c%s%c%s%c", from, sep, to, sep, dimension, sep);
    stats_csv_field(out, no_unit ? STATS_NO_UNIT_CSV : row->key, sep);
    buf_putc(out, sep);
    stats_csv_field(out, no_unit ? STATS_NO_UNIT_CSV : row->name[LANG_DA], sep);
    for (int col = 0; col < STATS_COL_COUNT; col++) {
        struct stats_value v;
        char text[32];
        stats_value_of(row, r->minutes_per_send, (enum stats_column)col, &v);
        stats_value_text(&v, decimal, 0, text, sizeof text);
        buf_putc(out, sep);
        buf_puts(out, text);
    }
    buf_puts(out, "\r\n");
}

void stats_report_csv(const struct stats_report *r, char sep, struct buf *out)
{
    char from[11], to[11];
    stats_day_format(r->period.from_day, from);
    stats_day_format(r->period.to_day, to);
    buf_puts(out, "\xEF\xBB\xBF");
    buf_printf(out, "from%cto%cdimension%ckey%cname", sep, sep, sep, sep);
    for (int col = 0; col < STATS_COL_COUNT; col++) {
        buf_putc(out, sep);
        buf_puts(out, stats_keys[col]);
    }
    buf_puts(out, "\r\n");
    for (size_t i = 0; i < r->n_groups; i++)
        stats_csv_row(out, r, "target_group", &r->groups[i], sep, from, to);
    stats_csv_row(out, r, "total", &r->total, sep, from, to);
    for (size_t i = 0; i < r->n_units; i++)
        stats_csv_row(out, r, "unit", &r->units[i], sep, from, to);
}
