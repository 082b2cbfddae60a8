#include "watch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "letter.h"

/* ------------------------------------------------------------------ parsing */

/* A non-negative decimal number of seconds at p (digits, optional '.' and up to three
 * decimals) as milliseconds; *end after it.  0 or -1. */
static int watch_seconds(const char *p, const char **end, int64_t *ms)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    while (*p >= '0' && *p <= '9') {
        if (++digits > 6)
            return -1; /* more than 11 days: bogus */
        whole = whole * 10 + (*p++ - '0');
    }
    if (!digits)
        return -1;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (decimals < 3) {
                frac = frac * 10 + (*p - '0');
                decimals++;
            }
            p++;
        }
        if (!decimals)
            return -1;
    }
    while (decimals++ < 3)
        frac *= 10;
    *ms = whole * 1000 + frac;
    *end = p;
    return 0;
}

int watch_parse_ranges(const char *text, bool seeks, struct model_range *out, size_t max,
                       size_t *n)
{
    *n = 0;
    if (!text)
        return 0;
    const char *p = text;
    while (*p) {
        struct model_range r;
        if (*n >= max || watch_seconds(p, &p, &r.a) || *p++ != '-' ||
            watch_seconds(p, &p, &r.b))
            return -1;
        if (!seeks && r.b < r.a)
            return -1;
        out[(*n)++] = r;
        if (*p == ',' && p[1])
            p++;
        else if (*p)
            return -1;
    }
    return 0;
}

int watch_parse_duration(const char *text, int64_t *ms)
{
    const char *end;
    int64_t d;
    if (!text || watch_seconds(text, &end, &d) || *end || d <= 0 || d > WATCH_MAX_DURATION_MS)
        return -1;
    *ms = d;
    return 0;
}

/* ------------------------------------------------------------------ ranges */

static int watch_range_cmp(const void *x, const void *y)
{
    const struct model_range *a = x, *b = y;
    return (a->a > b->a) - (a->a < b->a);
}

enum watch_merge watch_merge(struct model_range *r, size_t *n, size_t cap,
                             const struct model_range *add, size_t n_add, int64_t duration_ms)
{
    if (!n_add)
        return WATCH_MERGED;
    if (duration_ms <= 0)
        return WATCH_BOGUS;
    /* the player's clock may run a little past the duration it gave */
    for (size_t i = 0; i < n_add; i++)
        if (add[i].a < 0 || add[i].b < add[i].a || add[i].b > duration_ms + 1000)
            return WATCH_BOGUS;
    size_t total = *n + n_add;
    struct model_range *all = malloc(total * sizeof *all);
    if (!all)
        return WATCH_BOGUS;
    memcpy(all, r, *n * sizeof *all);
    for (size_t i = 0; i < n_add; i++) {
        all[*n + i].a = add[i].a < duration_ms ? add[i].a : duration_ms;
        all[*n + i].b = add[i].b < duration_ms ? add[i].b : duration_ms;
    }
    qsort(all, total, sizeof *all, watch_range_cmp);
    size_t m = 0;
    for (size_t i = 0; i < total; i++) {
        if (all[i].b <= all[i].a)
            continue; /* an empty range adds nothing */
        if (m && all[i].a <= all[m - 1].b + WATCH_JOIN_MS) {
            if (all[i].b > all[m - 1].b)
                all[m - 1].b = all[i].b;
        } else {
            all[m++] = all[i];
        }
    }
    enum watch_merge rc = WATCH_TOO_MANY;
    if (m <= cap) {
        memcpy(r, all, m * sizeof *r);
        *n = m;
        rc = WATCH_MERGED;
    }
    free(all);
    return rc;
}

int64_t watch_covered_ms(const struct model_range *r, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += r[i].b - r[i].a;
    return sum;
}

int watch_share_permille(int64_t covered_ms, int64_t duration_ms)
{
    if (duration_ms <= 0 || covered_ms <= 0)
        return 0;
    if (covered_ms >= duration_ms)
        return 1000;
    return (int)(covered_ms * 1000 / duration_ms);
}

bool watch_seek_skips(const struct model_range *r, size_t n, int64_t from, int64_t to)
{
    if (to <= from + WATCH_JOIN_MS)
        return false; /* backwards, or a nudge */
    /* covered when one range holds [from, to] (ranges are merged, so it is one) */
    for (size_t i = 0; i < n; i++)
        if (r[i].a <= from + WATCH_JOIN_MS && r[i].b + WATCH_JOIN_MS >= to)
            return false;
    return true;
}

bool watch_ranges_gap(const struct model_range *r, size_t n)
{
    return n > 1 || (n == 1 && r[0].a > WATCH_JOIN_MS);
}

bool watch_is_to_end(const struct model_range *r, size_t n, int64_t duration_ms, bool ended,
                     bool skipped)
{
    if (duration_ms <= 0 || n == 0)
        return false;
    if (watch_share_permille(watch_covered_ms(r, n), duration_ms) >= WATCH_TO_END_PERMILLE)
        return true;
    return ended && !skipped && !watch_ranges_gap(r, n) &&
           r[n - 1].b + WATCH_END_SLACK_MS >= duration_ms;
}

int watch_level(int64_t covered_ms, int64_t duration_ms)
{
    if (covered_ms <= 0)
        return 0;
    int q = watch_share_permille(covered_ms, duration_ms) / 250; /* 0..4 */
    return q >= 3 ? 4 : q + 1;
}

/* ------------------------------------------------------------------ words */

void watch_format_time(int64_t ms, char *out, size_t n)
{
    int64_t s = ms < 0 ? 0 : (ms + 500) / 1000;
    snprintf(out, n, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

void watch_format_ranges(const struct model_range *r, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        char a[24], b[24];
        watch_format_time(r[i].a, a, sizeof a);
        watch_format_time(r[i].b, b, sizeof b);
        buf_printf(out, "%s%s\xE2\x80\x93%s", i ? ", " : "", a, b);
    }
}

void watch_facts_of(const struct model_view *v, bool answered, int64_t stated_ms,
                    struct watch_facts *f)
{
    memset(f, 0, sizeof *f);
    f->answered = answered;
    f->stated_ms = stated_ms;
    if (!v) {
        f->observed = WATCH_NOT_VIEWED;
        return;
    }
    f->page_viewed = true;
    f->legacy_ended = v->legacy_ended;
    if (!v->observed && !v->reported_at) {
        f->observed = WATCH_LEGACY;
        return;
    }
    f->played_ms = v->reported_at ? watch_covered_ms(v->ranges, v->n_ranges) : 0;
    if (f->played_ms > 0)
        f->observed = WATCH_PLAYED;
    else if (v->no_media) {
        f->observed = v->no_media == MODEL_MEDIA_NO_FILE ? WATCH_NO_FILE : WATCH_NO_MEDIA;
        f->player_shown = v->player_at != 0;
    }
    else if (v->reported_at)
        f->observed = WATCH_NOT_PLAYED;
    else
        f->observed = WATCH_NO_SCRIPT;
    if (!v->reported_at)
        return;
    f->duration_ms = v->duration_ms;
    f->judged_ms = watch_judged_ms(v->duration_ms, stated_ms);
    f->share_permille = watch_share_permille(f->played_ms, f->judged_ms);
    /* a view stored "to the end" on the player's length alone (before the stated length was
     * weighed) is judged again, so that an old record does not keep saying it */
    f->to_end = v->to_end_at != 0 &&
                (f->judged_ms == v->duration_ms ||
                 watch_is_to_end(v->ranges, v->n_ranges, f->judged_ms, v->ended, v->skipped));
    f->ended = v->ended;
    f->skipped = v->skipped;
    f->captions_on = v->captions_on;
    f->transcript_opened = v->transcript_opened;
    f->ranges = v->ranges;
    f->n_ranges = v->n_ranges;
}

const char *watch_observed_name(enum watch_observed o)
{
    switch (o) {
    case WATCH_NO_SCRIPT:
        return "no_script";
    case WATCH_NOT_PLAYED:
        return "not_played";
    case WATCH_PLAYED:
        return "played";
    case WATCH_LEGACY:
        return "legacy";
    case WATCH_NO_MEDIA:
        return "no_media";
    case WATCH_NO_FILE:
        return "no_file";
    case WATCH_NOT_VIEWED:
        break;
    }
    return "not_viewed";
}

bool watch_length_differs(int64_t reported_ms, int64_t stated_ms)
{
    if (stated_ms <= 0 || reported_ms <= 0)
        return false;
    int64_t slack = stated_ms / 10 > 2000 ? stated_ms / 10 : 2000;
    int64_t d = reported_ms > stated_ms ? reported_ms - stated_ms : stated_ms - reported_ms;
    return d > slack;
}

int64_t watch_judged_ms(int64_t reported_ms, int64_t stated_ms)
{
    return reported_ms < stated_ms && watch_length_differs(reported_ms, stated_ms) ? stated_ms
                                                                                    : reported_ms;
}

/* The text of key ("watch_…"); for the citizen, its "watch_citizen_…" wording where the
 * strings have one (the record's words, plainer). */
static const char *watch_text(const json_t *strings, bool citizen, const char *key)
{
    if (citizen && strncmp(key, "watch_", 6) == 0) {
        char own[80];
        snprintf(own, sizeof own, "watch_citizen_%s", key + 6);
        const char *t = json_string_value(json_object_get(strings, own));
        if (t)
            return t;
    }
    return letter_string(strings, key);
}

static void watch_part_in(struct buf *out, const json_t *strings, bool citizen, const char *key)
{
    if (out->len)
        buf_puts(out, "; ");
    buf_puts(out, watch_text(strings, citizen, key));
}

#define watch_part(out, strings, key) watch_part_in(out, strings, citizen, key)

static void watch_sentence_in(const struct watch_facts *f, const json_t *strings, bool citizen,
                              struct buf *out)
{
    struct buf own = {0};
    switch (f->observed) {
    case WATCH_NOT_VIEWED:
        watch_part(&own, strings, f->answered ? "watch_legacy_answered" : "watch_not_viewed");
        break;
    case WATCH_LEGACY:
        if (f->answered)
            watch_part(&own, strings, "watch_legacy_answered");
        watch_part(&own, strings, f->legacy_ended ? "watch_legacy_ended" : "watch_legacy_viewed");
        break;
    case WATCH_NO_SCRIPT:
        watch_part(&own, strings, "watch_no_script");
        break;
    case WATCH_NOT_PLAYED:
        watch_part(&own, strings, f->answered ? "watch_answered_not_played" : "watch_not_played");
        break;
    case WATCH_NO_MEDIA:
    case WATCH_NO_FILE:
        watch_part(&own, strings,
                   f->observed == WATCH_NO_FILE ? "watch_no_file" : "watch_no_media");
        if (f->player_shown)
            watch_part(&own, strings, "watch_player_shown");
        break;
    case WATCH_PLAYED: {
        struct buf ranges = {0};
        char duration[24], share[16];
        watch_format_ranges(f->ranges, f->n_ranges, &ranges);
        watch_format_time(f->judged_ms ? f->judged_ms : f->duration_ms, duration,
                          sizeof duration);
        snprintf(share, sizeof share, "%d", (f->share_permille + 5) / 10);
        const char *vars[] = {"ranges", ranges.data ? ranges.data : "", "duration", duration,
                              "share", share, NULL};
        if (own.len)
            buf_puts(&own, "; ");
        letter_fill(&own, watch_text(strings, citizen, "watch_played"), vars);
        buf_free(&ranges);
        if (f->to_end)
            watch_part(&own, strings, "watch_to_end");
        /* the two lengths are for the record's reader; the citizen is told what played */
        if (!citizen && watch_length_differs(f->duration_ms, f->stated_ms)) {
            char stated[24], reported[24];
            watch_format_time(f->stated_ms, stated, sizeof stated);
            watch_format_time(f->duration_ms, reported, sizeof reported);
            const char *lv[] = {"reported", reported, "stated", stated, NULL};
            buf_puts(&own, "; ");
            letter_fill(&own, letter_string(strings, "watch_length_differs"), lv);
        }
        if (f->captions_on)
            watch_part(&own, strings, "watch_captions");
        break;
    }
    }
    if (f->transcript_opened)
        watch_part(&own, strings, "watch_transcript");
    if (own.len)
        buf_append(out, own.data, own.len);
    buf_free(&own);
}

#undef watch_part

void watch_sentence(const struct watch_facts *f, const json_t *strings, struct buf *out)
{
    watch_sentence_in(f, strings, false, out);
}

void watch_sentence_citizen(const struct watch_facts *f, const json_t *strings, struct buf *out)
{
    watch_sentence_in(f, strings, true, out);
}

static json_t *watch_json_in(const struct watch_facts *f, const json_t *strings, bool citizen)
{
    json_t *ranges = json_array();
    for (size_t i = 0; i < f->n_ranges; i++)
        json_array_append_new(ranges, json_pack("[f, f]", round(f->ranges[i].a / 100.0) / 10.0,
                                                round(f->ranges[i].b / 100.0) / 10.0));
    json_t *j = json_pack(
        "{s:s, s:b, s:f, s:f, s:f, s:o, s:b, s:b, s:b, s:b, s:b, s:b}", "observed",
        watch_observed_name(f->observed), "page_viewed", f->page_viewed, "seconds",
        round(f->played_ms / 100.0) / 10.0, "duration", round(f->duration_ms / 100.0) / 10.0,
        "share", f->share_permille / 1000.0, "ranges", ranges, "to_end", f->to_end, "ended",
        f->ended, "skipped", f->skipped, "captions_on", f->captions_on, "transcript_opened",
        f->transcript_opened, "player_shown", f->player_shown);
    /* the share and to_end were judged against the pack's stated length, not the player's
     * (watch_judged_ms): the record names it, so that its figures add up */
    if (f->judged_ms && f->judged_ms != f->duration_ms)
        json_object_set_new(j, "stated_duration", json_real(round(f->judged_ms / 100.0) / 10.0));
    if (strings) {
        struct buf text = {0};
        watch_sentence_in(f, strings, citizen, &text);
        json_object_set_new(j, "text", json_string(text.data ? text.data : ""));
        buf_free(&text);
    }
    return j;
}

void watch_journal_key(const char *kind, const json_t *data, char *key, size_t n)
{
    const char *by = json_string_value(json_object_get(data, "reported_by"));
    const char *channel = json_string_value(json_object_get(data, "channel"));
    /* a closed enrolment's reason names its own text, when it is one the texts know */
    const char *reason = journal_close_reason(json_string_value(json_object_get(data, "reason")));
    int letter = kind && (strcmp(kind, "written_guidance_sent") == 0 ||
                          strcmp(kind, "written_guidance_resent") == 0 ||
                          strcmp(kind, "reminder_sent") == 0 || strcmp(kind, "new_link_sent") == 0);
    if (kind && strcmp(kind, "video_finished") == 0 && (!by || strcmp(by, "player") != 0))
        snprintf(key, n, "journal_video_finished_answers");
    else if (letter && channel && (strcmp(channel, "outbox") == 0 || strcmp(channel, "smtp") == 0))
        snprintf(key, n, "journal_%s_%s", kind, channel);
    else if (kind && strcmp(kind, "letter_failed") == 0 &&
             json_array_size(json_object_get(data, "sent_by")) > 0 &&
             json_array_size(json_object_get(data, "not_sent")) == 1 &&
             (channel = json_string_value(json_array_get(json_object_get(data, "not_sent"), 0))) &&
             (strcmp(channel, "outbox") == 0 || strcmp(channel, "smtp") == 0))
        /* a letter one channel sent: the label names the copy that is missing */
        snprintf(key, n, "journal_letter_failed_%s", channel);
    else if (kind && strcmp(kind, "enrolment_closed") == 0 && reason)
        snprintf(key, n, "journal_enrolment_closed_%s", reason);
    else
        snprintf(key, n, "journal_%s", kind ? kind : "");
}

json_t *watch_json(const struct watch_facts *f, const json_t *strings)
{
    return watch_json_in(f, strings, false);
}

json_t *watch_json_citizen(const struct watch_facts *f, const json_t *strings)
{
    return watch_json_in(f, strings, true);
}
