/* stats — the implementation metrics, defined once: what the dashboard, the CSV extract,
 * `GET /api/v1/stats` and `vejled stats` show.
 *
 * Every figure is for a period of whole Europe/Copenhagen days (from and to inclusive) and
 * comes per target group, per unit (the unit of the enrolment's caseworker when the
 * enrolment was made; the "no unit" row when the caseworker has no account or no unit) and
 * in total.  Units with no figure in the period are not listed.  The no-unit row comes last;
 * it is "unit": null in JSON and STATS_NO_UNIT_CSV in the CSV's key and name columns (no
 * unit name can look like it: unit names are a-z 0-9 . _ -):
 *
 *   enrolled        enrolments created in the period (the cohort); a group change makes a
 *                   new enrolment in the new group, so it counts there too
 *   opened, completed, declined, not opened
 *                   of the cohort, as of now: link opened (the citizen's browser came back
 *                   with the session the link set, never a link scanner's fetch); every
 *                   question answered;
 *                   said "I'd rather hear it at the meeting" and not completed after all
 *                   (declined then completed counts as completed); enrolled − opened
 *   first meetings passed
 *                   enrolments whose first meeting (held_at when the meeting was recorded,
 *                   else the planned first_meeting_at) lies in the period and is not after
 *                   now, except those closed by a group change before that meeting
 *   correctly guided
 *                   of those: the written guidance (a send_written_guidance delivery) was
 *                   sent at or before the meeting, AND the citizen completed the videos or
 *                   the meeting recorded oral guidance.  Goal: STATS_GOAL_GUIDED
 *   meetings held, answers viewed before
 *                   meetings recorded as held in the period; of those, the ones where
 *                   staff read the citizen's data (access log) after enrolment and before
 *                   the meeting — caseworker uptake = viewed ÷ held
 *   written guidance sent, resends sent
 *                   send_written_guidance and resend_written_guidance jobs whose first
 *                   delivery (any channel; once per job) was sent in the period
 *   minutes saved   minutes_per_send × (sent + resent)
 *   median hours to completion
 *                   over enrolments completed in the period, the median time from their
 *                   first written guidance sent to completion (only when sent before)
 *   question error rate, topic misunderstanding rate
 *                   first attempts (answers.attempt = 1) made in the period that were wrong
 *                   ÷ first attempts, per question and per target group and topic
 * Rates are the first count ÷ the second.
 *
 * Small numbers: any count from 1 to 4 is shown as "<5" (JSON null), and a figure worked
 * out from counts is not shown ("–", JSON null) when it would rest on a hidden count: a rate
 * whose denominator is below 5 or whose numerator is hidden, "not opened" when opened is
 * hidden, minutes saved when sendings or resendings are — in every output.  Shares are
 * rounded down, so a shown 90.0 % always reaches the goal.
 * The sums come from aggregates that triggers keep in the writing transaction (0004), so a
 * page reads a few thousand rows at any scale.  No HTTP here, no SQL.
 */
#ifndef VEJLED_STATS_H
#define VEJLED_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "model.h"
#include "store.h"

#define STATS_SMALL 5          /* counts below this (and above 0) are not shown */
#define STATS_GOAL_GUIDED 0.90 /* the goal for the share correctly guided */
#define STATS_TREND_QUARTERS 8

/* ------------------------------------------------------------------ days and periods */

/* Inclusive range of Copenhagen day numbers (days since 1970-01-01 of the local date). */
struct stats_period {
    int64_t from_day;
    int64_t to_day;
};

/* The Copenhagen calendar day of UTC time t (same rule as the SQL in 0004). */
int64_t stats_local_day(int64_t t);
/* "YYYY-MM-DD" → day number; 0 or -1 (not a real date, years 2000-2099). */
int stats_day_parse(const char *s, int64_t *day);
/* Day number → "YYYY-MM-DD". */
void stats_day_format(int64_t day, char out[11]);
/* The calendar quarter holding day. */
void stats_quarter(int64_t day, struct stats_period *out);
/* "2026-1" for the first quarter of 2026 (the quarter picker's value). */
void stats_quarter_key(const struct stats_period *q, char out[8]);
/* "2026-1" → the quarter; 0 or -1. */
int stats_quarter_parse(const char *key, struct stats_period *out);

enum stats_period_error {
    STATS_PERIOD_OK = 0,
    STATS_PERIOD_BAD_FROM,  /* missing or not YYYY-MM-DD */
    STATS_PERIOD_BAD_TO,    /* missing or not YYYY-MM-DD */
    STATS_PERIOD_REVERSED,  /* from after to */
    STATS_PERIOD_TOO_LONG   /* more than max_days days */
};
/* Checks and converts a from/to pair. */
enum stats_period_error stats_period_parse(const char *from, const char *to, unsigned max_days,
                                           struct stats_period *out);

/* ------------------------------------------------------------------ the report */

struct stats_counts {
    int64_t enrolled, opened, completed, declined;
    int64_t due, guided;   /* first meetings passed; correctly guided */
    int64_t held, viewed;  /* meetings held; answers viewed before */
    int64_t sends, resends;
};

/* One line of the table: a target group, a unit or the total. */
struct stats_row {
    char key[MODEL_SLUG_MAX + 8];      /* group slug or unit ("" = none; "total") */
    char name[LANG_COUNT][256];        /* group name; unit and total: "" */
    int64_t group_id;                  /* groups only */
    struct stats_counts c;
    int64_t *delays;                   /* owned: seconds letter → completion */
    size_t n_delays, cap_delays;
    double median_hours;               /* valid when n_delays > 0 */
};

/* Where an item stands in a "most wrong" list (questions, topics): a shown error rate above
 * 0; wrong answers whose rate is hidden (1-4 wrong, or fewer than 5 answers); no wrong
 * answer.  The lists come in this order; only the first is ordered by rate, the others by
 * group and position, so that an item's place does not reveal a hidden rate. */
enum stats_wrong { STATS_WRONG_SHOWN, STATS_WRONG_HIDDEN, STATS_WRONG_NONE };
enum stats_wrong stats_wrong_of(bool rate_shown, int64_t wrong);

struct stats_question {
    struct store_stats_question q;
    bool rate_shown;
    double error_rate;
    enum stats_wrong wrong_rank;
};

struct stats_topic {
    char group_slug[MODEL_SLUG_MAX];
    char topic_key[MODEL_SLUG_MAX];
    char topic[LANG_COUNT][256];
    int64_t answered, wrong;
    bool rate_shown;
    double error_rate;
    enum stats_wrong wrong_rank;
};

struct stats_report {
    struct stats_period period;
    int64_t now;
    unsigned minutes_per_send;
    struct stats_row total;
    struct stats_row *groups;          /* every target group, by slug */
    size_t n_groups;
    struct stats_row *units;           /* units with any figure, by name; "" (no unit) last */
    size_t n_units;
    struct stats_question *questions;  /* by enum stats_wrong; shown rates highest first */
    size_t n_questions;
    struct stats_topic *topics;        /* the same order */
    size_t n_topics;
};

/* Builds the report for period p as of now.  0, or -1 (store error; out is cleared). */
int stats_report_build(struct store *st, const struct stats_period *p, int64_t now,
                       unsigned minutes_per_send, struct stats_report *out);
void stats_report_free(struct stats_report *r);

/* The trend: the n quarters up to and including the one holding last_day, per group. */
struct stats_trend {
    struct stats_period quarters[STATS_TREND_QUARTERS]; /* oldest first */
    size_t n_quarters;
    struct stats_row *rows;            /* n_groups × n_quarters: rows[g * n_quarters + q] */
    size_t n_groups;
};
int stats_trend_build(struct store *st, int64_t last_day, size_t n_quarters, int64_t now,
                      struct stats_trend *out);
void stats_trend_free(struct stats_trend *t);

/* ------------------------------------------------------------------ the figures of a row */

enum stats_column {
    STATS_COL_ENROLLED,
    STATS_COL_OPENED,
    STATS_COL_NOT_OPENED,
    STATS_COL_COMPLETED,
    STATS_COL_DECLINED,
    STATS_COL_OPENED_RATE,
    STATS_COL_COMPLETED_RATE,
    STATS_COL_DECLINED_RATE,
    STATS_COL_DUE,
    STATS_COL_GUIDED,
    STATS_COL_GUIDED_RATE,
    STATS_COL_HELD,
    STATS_COL_VIEWED,
    STATS_COL_VIEWED_RATE,
    STATS_COL_SENDS,
    STATS_COL_RESENDS,
    STATS_COL_MINUTES_SAVED,
    STATS_COL_MEDIAN_HOURS,
    STATS_COL_COUNT
};

enum stats_kind { STATS_KIND_COUNT, STATS_KIND_SHARE /* 0..1 */, STATS_KIND_HOURS };

/* The column's machine name ("enrolled", "correctly_guided_rate", …): CSV header, JSON
 * member (rates without "_rate", inside "rates") and template string key "stats_col_…". */
const char *stats_column_key(enum stats_column col);
enum stats_kind stats_column_kind(enum stats_column col);

enum stats_shown { STATS_SHOWN, STATS_SUPPRESSED /* "<5" */, STATS_NONE /* not shown */ };
struct stats_value {
    enum stats_kind kind;
    enum stats_shown shown;
    double x;              /* the count, the share (0..1) or the hours */
    bool empty;            /* STATS_NONE because there is nothing at all (a share of 0, a
                            * median of no values); else STATS_NONE is hidden: worked out
                            * from too few, or from a count that is hidden */
    int64_t num, den;      /* a shown share: its counts (the text and the goal use them) */
    bool below;            /* a share hidden for its numerator alone (1 to STATS_SMALL - 1
                            * of a denominator of at least STATS_SMALL): it is at most
                            * (STATS_SMALL - 1) / STATS_SMALL, whatever the hidden count */
};
/* What a hidden figure that is no count (a share, minutes, a median, a difference with a
 * hidden count) reads as: an en dash, explained beside every table — never "<5". */
#define STATS_HIDDEN_MARK "\xE2\x80\x93"
/* One figure of a row, with the small-number rules applied. */
void stats_value_of(const struct stats_row *r, unsigned minutes_per_send, enum stats_column col,
                    struct stats_value *out);
/* The guided share v, shown or not, is known to fall short of STATS_GOAL_GUIDED: shown
 * and below it, or hidden for its numerator alone (v->below), which puts it at most at
 * (STATS_SMALL - 1) / STATS_SMALL, below the goal.  A goal card must not turn a result this
 * far short of the goal into one that looks unknown. */
bool stats_goal_missed(const struct stats_value *v);
/* A count: shown when 0 or at least STATS_SMALL, else suppressed. */
void stats_value_count(int64_t n, struct stats_value *out);
/* A share num ÷ den: shown when den ≥ STATS_SMALL and num is shown itself. */
void stats_value_share(int64_t num, int64_t den, struct stats_value *out);
/* Writes a value for people or spreadsheets: counts as integers, "<5" when suppressed,
 * STATS_HIDDEN_MARK when hidden otherwise, "" when there is nothing to count; shares as
 * percent with one decimal ROUNDED DOWN (89.96 % is "89.9", so a shown "90.0" always
 * reaches the goal), hours with one decimal, using decimal (',' or '.') and appending " %"
 * to shares when percent_sign is set. */
void stats_value_text(const struct stats_value *v, char decimal, int percent_sign, char *out,
                      size_t n);
/* A shown share in tenths of a per cent, rounded down as its text; -1 when not shown. */
int64_t stats_share_permille(const struct stats_value *v);
/* Whether a shown share reaches STATS_GOAL_GUIDED, judged on the figure as shown (rounded
 * down, so the two never disagree). */
bool stats_goal_met(const struct stats_value *v);
/* A share for JSON: rounded down to four decimals. */
double stats_share_json(const struct stats_value *v);
/* The no-unit row's key and name in the CSV extract: a stable value, never a unit name. */
#define STATS_NO_UNIT_CSV "(ingen enhed)"

/* Whether every figure of a row is 0: no citizen in the period (the dashboard folds such
 * target groups into one line; such units are not listed). */
bool stats_row_idle(const struct stats_row *r);

/* Whether a count is shown (0 or at least STATS_SMALL). */
bool stats_count_shown(int64_t n);

/* ------------------------------------------------------------------ extracts */

/* The GET /api/v1/stats answer: {"from", "to", "generated_at", "small_count_threshold",
 * "goal_correctly_guided", "minutes_per_send", "target_groups": [...], "total": {...},
 * "units": [...], "questions": [...]} — counts null when suppressed, rates null when not
 * shown.  New reference. */
json_t *stats_report_json(const struct stats_report *r);

/* The same table as CSV: UTF-8 byte order mark, a header row, then one line per target
 * group, the total and one per unit; separator sep (',' or ';'; with ';' decimals use
 * ','), quoted where needed, CRLF line ends.  No person is named in it. */
void stats_report_csv(const struct stats_report *r, char sep, struct buf *out);

#endif
