/* watch — what is known about a citizen's watching of one video, and the words for it.
 *
 * The video page's script reports what the player did: the played ranges (the media
 * element's `played` TimeRanges), forward and backward seeks, reaching the end, captions
 * on, the text version opened.  This module merges such reports into the ranges kept per
 * video, decides whether the video was watched to the end (on the player's evidence
 * only), and builds the one sentence every place shows for it (caseworker page, citizen
 * receipt, evidence PDF, API), from the language strings:
 *
 *   played        "afspillet 0:00–0:40 af 0:40 (100 %)"
 *   not played    "svarede uden at afspille videoen" (the script ran, nothing was played)
 *   no script     "siden med videoen blev vist; om videoen blev afspillet, ved vi ikke
 *                 (browseren sendte ingen oplysning om afspilning)"
 *   no media      "videoen kunne ikke vises; teksten til videoen blev vist i stedet" (the
 *                 page was shown without a player: the video's file was missing; "der er
 *                 ingen videofil til denne video; siden tilbød teksten til videoen" when the
 *                 video names none)
 *   older rows    "svarede" (before playback was observed, answering marked a video
 *                 "finished"; that is never shown as watched)
 *
 * Completion (every question answered) is another fact, kept apart by the callers.
 * Pure functions: no database, no HTTP.
 */
#ifndef VEJLED_WATCH_H
#define VEJLED_WATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "model.h"

/* Ranges closer than this are one range (the player's time updates are a few hundred
 * milliseconds apart; two reports of one continuous playback meet within it). */
#define WATCH_JOIN_MS 250
/* Watched to the end: played ranges cover at least this share of the duration (‰). */
#define WATCH_TO_END_PERMILLE 950
/* Played ranges that stop at most this short of the duration reach the end (the last
 * time update comes a little before the player's end). */
#define WATCH_END_SLACK_MS 1000
/* The longest media duration accepted in a report. */
#define WATCH_MAX_DURATION_MS ((int64_t)6 * 3600 * 1000)
/* Played ranges or seeks in one report at most. */
#define WATCH_REPORT_MAX 64

/* One player report, as sent by the page's script. */
struct watch_report {
    int64_t duration_ms; /* 0: not given */
    struct model_range played[WATCH_REPORT_MAX];
    size_t n_played;
    struct model_range seeks[WATCH_REPORT_MAX]; /* a: from, b: to */
    size_t n_seeks;
    bool ended, captions_on, transcript_opened;
};

/* Parses "a-b,a-b" (seconds, decimals allowed, e.g. "0-10.25,12-20") into ranges in
 * milliseconds.  "" is no ranges.  Every range must have 0 <= a, and for played ranges
 * (seeks == false) a <= b; at most max.  0, or -1 for anything else (nothing stored). */
int watch_parse_ranges(const char *text, bool seeks, struct model_range *out, size_t max,
                       size_t *n);

/* Parses a duration in seconds ("40", "39.96") into milliseconds: 0 < d <=
 * WATCH_MAX_DURATION_MS.  0, or -1. */
int watch_parse_duration(const char *text, int64_t *ms);

enum watch_merge {
    WATCH_MERGED = 0,
    WATCH_BOGUS = -1,    /* a range outside 0..duration+1 s, or b < a, or no duration */
    WATCH_TOO_MANY = -2, /* the result would hold more than cap ranges */
};

/* Merges add[] into the sorted, disjoint ranges r[0..*n) (capacity cap), clamping to the
 * duration: overlapping ranges and ranges less than WATCH_JOIN_MS apart become one.  On any
 * refusal r and *n are unchanged. */
enum watch_merge watch_merge(struct model_range *r, size_t *n, size_t cap,
                             const struct model_range *add, size_t n_add, int64_t duration_ms);

/* Total length of sorted, disjoint ranges. */
int64_t watch_covered_ms(const struct model_range *r, size_t n);

/* Share of the duration covered, in per mille (0..1000); 0 without a duration. */
int watch_share_permille(int64_t covered_ms, int64_t duration_ms);

/* Whether a seek from `from` to `to` jumped forward over a part not in the ranges. */
bool watch_seek_skips(const struct model_range *r, size_t n, int64_t from, int64_t to);

/* Whether merged ranges leave a part unplayed before their end: they start later than
 * WATCH_JOIN_MS, or there is more than one.  Played ranges get such a gap only by a forward
 * seek, so this is evidence of skipping that does not depend on the seek's report having
 * arrived (reports can arrive out of order). */
bool watch_ranges_gap(const struct model_range *r, size_t n);

/* Watched to the end, on merged ranges r[0..n) of a media of duration_ms: they cover at
 * least 95 % of the duration, or the player reached the end (ended) and the ranges show
 * it: one range from the start (no watch_ranges_gap) that reaches to within
 * WATCH_END_SLACK_MS of the duration, and no reported seek skipped an unplayed part
 * (skipped).  The player's "ended" alone is not enough: ranges that stop short of the end
 * leave a part unplayed whatever the player said. */
bool watch_is_to_end(const struct model_range *r, size_t n, int64_t duration_ms, bool ended,
                     bool skipped);

/* The journal level of a playback: 0 nothing played, 1 some, 2 ≥ 25 %, 3 ≥ 50 %,
 * 4 ≥ 75 %.  A video_played entry is journalled each time the level rises. */
int watch_level(int64_t covered_ms, int64_t duration_ms);

/* "m:ss" of a time in milliseconds, rounded to the nearest second. */
void watch_format_time(int64_t ms, char *out, size_t n);

/* "0:00–0:40" or "0:00–0:10, 0:20–0:40" (en dash, U+2013) into out (appended). */
void watch_format_ranges(const struct model_range *r, size_t n, struct buf *out);

/* What is known of one video. */
enum watch_observed {
    WATCH_NOT_VIEWED,  /* the video's page was never shown */
    WATCH_NO_SCRIPT,   /* shown, but the player never reported (no JavaScript) */
    WATCH_NOT_PLAYED,  /* the player reported, nothing was played */
    WATCH_PLAYED,      /* the player reported played ranges */
    WATCH_LEGACY,      /* a row from before playback was observed */
    WATCH_NO_MEDIA,    /* shown without a player, the video's file missing; nothing played */
    WATCH_NO_FILE      /* shown without a player, the video names no file; nothing played */
};

struct watch_facts {
    enum watch_observed observed;
    bool answered;    /* every question of the video has an answer (given by the caller) */
    bool page_viewed;
    int64_t played_ms, duration_ms; /* duration_ms: the player's (the file's length) */
    int64_t judged_ms;              /* what share and to_end are judged against */
    int64_t stated_ms;              /* the pack's stated length of the video, 0 if none */
    int share_permille;
    bool to_end, ended, skipped, captions_on, transcript_opened, legacy_ended;
    bool player_shown; /* WATCH_NO_MEDIA / WATCH_NO_FILE: at another visit the page was
                        * shown with a playable video (nothing played was reported) */
    const struct model_range *ranges; /* borrowed from the view */
    size_t n_ranges;
};

/* The facts of view v (NULL: the page was never shown); answered as above; stated_ms the
 * pack's stated length of the video (0: none), against which the share and "to the end" are
 * judged when the player's is much shorter (watch_judged_ms).  A page shown
 * without a playable video (v->no_media) is WATCH_NO_MEDIA or WATCH_NO_FILE unless played
 * ranges were reported (the file came later and was played: the played facts win); if it
 * was also shown with one (v->player_at), player_shown says so. */
void watch_facts_of(const struct model_view *v, bool answered, int64_t stated_ms,
                    struct watch_facts *f);

/* "played", "not_played", "no_script", "not_viewed", "legacy", "no_media", "no_file". */
const char *watch_observed_name(enum watch_observed o);

/* True when the player's length of a video (reported_ms) and the pack's stated one
 * (stated_ms, 0: none) disagree by more than a tenth of the stated length, at least 2 s:
 * a reader is told both. */
bool watch_length_differs(int64_t reported_ms, int64_t stated_ms);

/* The length a video's played share and "to the end" are judged against: the player's
 * (reported_ms), unless it is shorter than the pack's stated one by more than
 * watch_length_differs allows; then the stated one.  A player that reports a 2 s length for a
 * video stated as 40 s (a cut or replaced file, or a report made up) is not taken at its word
 * that 2 s played are the whole video: the record may say less than the citizen saw, never
 * more. */
int64_t watch_judged_ms(int64_t reported_ms, int64_t stated_ms);

/* The sentence for the facts, in the language of strings (the templates' lang JSON;
 * keys watch_*), appended to out.  Played facts whose length differs from the stated one
 * (watch_length_differs) say both lengths. */
void watch_sentence(const struct watch_facts *f, const json_t *strings, struct buf *out);

/* The same for the citizen's own receipt: the same facts, in the plainer "watch_citizen_…"
 * words where the strings have them, without the lengths' technical remark. */
void watch_sentence_citizen(const struct watch_facts *f, const json_t *strings, struct buf *out);

/* The facts as JSON (new reference; the caller owns it):
 * {"observed", "page_viewed", "seconds", "duration", "share", "ranges": [[a, b]],
 *  "to_end", "ended", "skipped", "captions_on", "transcript_opened", "player_shown",
 *  "stated_duration", "text"}
 * (seconds with one decimal; share 0–1 with three; stated_duration only when the share and
 * to_end were judged against the pack's stated length rather than the player's duration;
 * text: watch_sentence with strings, left out when strings is NULL). */
json_t *watch_json(const struct watch_facts *f, const json_t *strings);
/* The same with the citizen's text (watch_sentence_citizen): for the citizen's own app. */
json_t *watch_json_citizen(const struct watch_facts *f, const json_t *strings);

/* The language key that labels a journal entry of kind with data: "journal_<kind>",
 * except older video_finished entries, which say who reported them
 * ("journal_video_finished_answers": the citizen answered; "journal_video_finished": the
 * player reported the end), and a letter's sending, which says what its channel did
 * ("journal_<kind>_outbox": placed in the outbox for Digital Post, "journal_<kind>_smtp":
 * sent by e-mail), and a letter that failed for good after one channel sent it, which names
 * the copy that is missing ("journal_letter_failed_smtp": the e-mail, the letter being in
 * the outbox; "journal_letter_failed_outbox": the outbox's, the e-mail sent).  Written into
 * key (at least 64 bytes). */
void watch_journal_key(const char *kind, const json_t *data, char *key, size_t n);

#endif
