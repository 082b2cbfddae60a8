/* Unit tests for watch.c: merging the player's played ranges (overlaps, adjacency, order,
 * bounds, the cap, bogus values), the 95 % and seek-past rules for "watched to the end",
 * the m:ss wording and the sentence every place shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "watch.h"

#define R(x, y) ((struct model_range){(x), (y)})

static void assert_ranges(const struct model_range *r, size_t n, const struct model_range *want,
                          size_t n_want)
{
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].a, want[i].a);
        assert_int_equal(r[i].b, want[i].b);
    }
}

static void test_merge_overlap_adjacent_order(void **state)
{
    (void)state;
    struct model_range r[16];
    size_t n = 0;
    /* out of order, overlapping, touching, and one 200 ms gap (within the join margin) */
    struct model_range add[] = {R(20000, 30000), R(0, 5000), R(4000, 10000), R(10000, 12000),
                                R(12200, 15000)};
    assert_int_equal(watch_merge(r, &n, 16, add, 5, 40000), WATCH_MERGED);
    struct model_range want[] = {R(0, 15000), R(20000, 30000)};
    assert_ranges(r, n, want, 2);
    /* a later report fills the gap: one range */
    struct model_range gap[] = {R(14000, 21000)};
    assert_int_equal(watch_merge(r, &n, 16, gap, 1, 40000), WATCH_MERGED);
    struct model_range one[] = {R(0, 30000)};
    assert_ranges(r, n, one, 1);
    assert_int_equal(watch_covered_ms(r, n), 30000);
    /* a gap wider than the margin stays a gap */
    struct model_range apart[] = {R(30300, 31000)};
    assert_int_equal(watch_merge(r, &n, 16, apart, 1, 40000), WATCH_MERGED);
    assert_int_equal(n, 2);
    /* the same report twice changes nothing */
    assert_int_equal(watch_merge(r, &n, 16, apart, 1, 40000), WATCH_MERGED);
    assert_int_equal(n, 2);
    assert_int_equal(watch_covered_ms(r, n), 30700);
}

static void test_merge_bounds_and_bogus(void **state)
{
    (void)state;
    struct model_range r[8] = {R(0, 1000)};
    size_t n = 1;
    /* a little past the duration is clamped to it */
    struct model_range past[] = {R(39000, 40500)};
    assert_int_equal(watch_merge(r, &n, 8, past, 1, 40000), WATCH_MERGED);
    assert_int_equal(r[1].b, 40000);
    /* far past it, negative, reversed, or without a duration: refused, nothing changed */
    struct model_range before[8];
    memcpy(before, r, sizeof r);
    size_t n_before = n;
    struct model_range far[] = {R(0, 50000)};
    struct model_range neg[] = {R(-1, 100)};
    struct model_range rev[] = {R(5000, 4000)};
    assert_int_equal(watch_merge(r, &n, 8, far, 1, 40000), WATCH_BOGUS);
    assert_int_equal(watch_merge(r, &n, 8, neg, 1, 40000), WATCH_BOGUS);
    assert_int_equal(watch_merge(r, &n, 8, rev, 1, 40000), WATCH_BOGUS);
    assert_int_equal(watch_merge(r, &n, 8, far, 1, 0), WATCH_BOGUS);
    assert_int_equal(n, n_before);
    assert_memory_equal(r, before, sizeof r);
    /* empty ranges add nothing */
    struct model_range empty[] = {R(5000, 5000)};
    assert_int_equal(watch_merge(r, &n, 8, empty, 1, 40000), WATCH_MERGED);
    assert_int_equal(n, n_before);
}

static void test_merge_cap(void **state)
{
    (void)state;
    struct model_range r[8];
    size_t n = 0;
    struct model_range three[] = {R(0, 1000), R(5000, 6000), R(10000, 11000)};
    assert_int_equal(watch_merge(r, &n, 3, three, 3, 40000), WATCH_MERGED);
    struct model_range fourth[] = {R(20000, 21000)};
    assert_int_equal(watch_merge(r, &n, 3, fourth, 1, 40000), WATCH_TOO_MANY);
    assert_int_equal(n, 3);
    assert_int_equal(r[2].a, 10000);
    /* one that joins two keeps it under the cap */
    struct model_range join[] = {R(900, 5100)};
    assert_int_equal(watch_merge(r, &n, 3, join, 1, 40000), WATCH_MERGED);
    assert_int_equal(n, 2);
}

static void test_parse(void **state)
{
    (void)state;
    struct model_range r[4];
    size_t n = 9;
    assert_int_equal(watch_parse_ranges("0-10.25,12-20", false, r, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].b, 10250);
    assert_int_equal(r[1].a, 12000);
    assert_int_equal(watch_parse_ranges("", false, r, 4, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(watch_parse_ranges(NULL, false, r, 4, &n), 0);
    /* a seek may go backwards; a played range may not */
    assert_int_equal(watch_parse_ranges("30-5", true, r, 4, &n), 0);
    assert_int_equal(watch_parse_ranges("30-5", false, r, 4, &n), -1);
    const char *bogus[] = {"-1-5", "1-", "a-b", "1-2,", "1-2;3-4", "NaN-1", "1e3-2", "1.-2",
                           "1-Infinity", "9999999-1", "1-2,3-4,5-6,7-8,9-10", " 1-2"};
    for (size_t i = 0; i < sizeof bogus / sizeof *bogus; i++)
        assert_int_equal(watch_parse_ranges(bogus[i], false, r, 4, &n), -1);
    int64_t d = 0;
    assert_int_equal(watch_parse_duration("39.96", &d), 0);
    assert_int_equal(d, 39960);
    assert_int_equal(watch_parse_duration("0", &d), -1);
    assert_int_equal(watch_parse_duration("Infinity", &d), -1);
    assert_int_equal(watch_parse_duration("30000", &d), -1); /* over six hours */
}

static void test_to_end_rules(void **state)
{
    (void)state;
    /* 95 % of the duration is watched to the end, 94.9 % is not */
    struct model_range p95[] = {R(0, 38000)}, p949[] = {R(0, 37960)};
    assert_true(watch_is_to_end(p95, 1, 40000, false, false));
    assert_false(watch_is_to_end(p949, 1, 40000, false, false));
    /* the end reached without skipping counts when the played range reaches the end (a
     * short video: 0:00–0:09.2 of 0:10 is 92 %) ... */
    struct model_range short_end[] = {R(0, 9200)};
    assert_true(watch_is_to_end(short_end, 1, 10000, true, false));
    assert_false(watch_is_to_end(short_end, 1, 10000, false, false));
    assert_false(watch_is_to_end(short_end, 1, 10000, true, true));
    /* ... and not when the ranges stop short of it, whatever the player said: 0:00–0:20
     * of 0:40 and "ended" is half of it */
    struct model_range half[] = {R(0, 20000)};
    assert_false(watch_is_to_end(half, 1, 40000, true, false));
    struct model_range almost[] = {R(0, 8900)};
    assert_false(watch_is_to_end(almost, 1, 10000, true, false));
    /* nor with a gap before the end (started late, or two ranges) */
    struct model_range late_end[] = {R(1000, 10000)}, two[] = {R(0, 4000), R(5000, 10000)};
    assert_false(watch_is_to_end(late_end, 1, 10000, true, false));
    assert_false(watch_is_to_end(two, 2, 10000, true, false));
    assert_false(watch_is_to_end(half, 0, 40000, true, false));
    assert_false(watch_is_to_end(half, 1, 0, true, false));
    /* seeking past a part not played is a skip; within played ranges or backwards not */
    struct model_range r[] = {R(0, 10000), R(30000, 40000)};
    assert_true(watch_seek_skips(r, 2, 5000, 35000));
    assert_true(watch_seek_skips(r, 1, 9000, 39000));
    assert_false(watch_seek_skips(r, 2, 2000, 9000));
    /* a gap in the played ranges is a skip whatever the seek reports said (they can arrive
     * after the report of the end): two ranges, or one that starts late */
    assert_true(watch_ranges_gap(r, 2));
    assert_false(watch_ranges_gap(r, 1));
    struct model_range late[] = {R(4500, 6000)};
    assert_true(watch_ranges_gap(late, 1));
    struct model_range early[] = {R(200, 6000)};
    assert_false(watch_ranges_gap(early, 1));
    assert_false(watch_ranges_gap(r, 0));
    assert_false(watch_seek_skips(r, 2, 35000, 1000));
    assert_false(watch_seek_skips(r, 2, 10000, 10100));
    /* levels for the journal: some, 25 %, 50 %, 75 % */
    assert_int_equal(watch_level(0, 40000), 0);
    assert_int_equal(watch_level(1000, 40000), 1);
    assert_int_equal(watch_level(10000, 40000), 2);
    assert_int_equal(watch_level(20000, 40000), 3);
    assert_int_equal(watch_level(30000, 40000), 4);
    assert_int_equal(watch_level(40000, 40000), 4);
}

static void test_format(void **state)
{
    (void)state;
    char t[16];
    watch_format_time(0, t, sizeof t);
    assert_string_equal(t, "0:00");
    watch_format_time(39600, t, sizeof t);
    assert_string_equal(t, "0:40");
    watch_format_time(125000, t, sizeof t);
    assert_string_equal(t, "2:05");
    struct buf b = {0};
    struct model_range r[] = {R(0, 10000), R(20000, 40000)};
    watch_format_ranges(r, 2, &b);
    assert_string_equal(b.data, "0:00\xE2\x80\x93" "0:10, 0:20\xE2\x80\x93" "0:40");
    buf_free(&b);
}

static json_t *strings(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "watch_player_shown",
                     "ved et andet besøg blev siden vist med videoen, men der blev ikke "
                     "registreret nogen afspilning",
                     "watch_no_media",
                     "videoen kunne ikke vises; teksten til videoen blev vist i stedet",
                     "watch_no_file",
                     "der er ingen videofil til denne video; siden tilbød teksten til videoen",
                     "watch_played",
                     "afspillet {{ranges}} af {{duration}} ({{share}} %)", "watch_to_end",
                     "set til ende", "watch_answered_not_played",
                     "svarede uden at afspille videoen", "watch_not_played",
                     "siden blev vist; videoen blev ikke afspillet", "watch_no_script",
                     "siden med videoen blev vist; om videoen blev afspillet, ved vi ikke (browseren sendte ingen oplysning om afspilning)",
                     "watch_legacy_answered", "svarede", "watch_legacy_viewed",
                     "siden blev vist (før afspilning blev registreret)", "watch_transcript",
                     "tekstversionen blev åbnet", "watch_captions", "undertekster slået til",
                     "watch_not_viewed", "videoens side blev ikke åbnet",
                     "watch_length_differs",
                     "afspilleren angav videoens længde til {{reported}}, men videoen er "
                     "opgivet til {{stated}}");
}

static const char *said(const struct model_view *v, bool answered, struct buf *b)
{
    struct watch_facts f;
    json_t *s = strings();
    buf_reset(b);
    watch_facts_of(v, answered, 0, &f);
    watch_sentence(&f, s, b);
    json_decref(s);
    return b->data ? b->data : "";
}

/* The sentence of v with the pack's stated length stated_ms. */
static const char *said_stated(const struct model_view *v, int64_t stated_ms, struct buf *b)
{
    struct watch_facts f;
    json_t *s = strings();
    buf_reset(b);
    watch_facts_of(v, true, stated_ms, &f);
    watch_sentence(&f, s, b);
    json_decref(s);
    return b->data ? b->data : "";
}

static void test_length_differs(void **state)
{
    (void)state;
    /* a tenth of the stated length, at least 2 s, either way */
    assert_false(watch_length_differs(39600, 40000));
    assert_false(watch_length_differs(36000, 40000));
    assert_true(watch_length_differs(35900, 40000));
    assert_true(watch_length_differs(44100, 40000));
    assert_false(watch_length_differs(3000, 5000)); /* 2 s at least */
    assert_true(watch_length_differs(2900, 5000));
    assert_false(watch_length_differs(600000, 650000));
    assert_true(watch_length_differs(580000, 650000));
    assert_false(watch_length_differs(1000, 0)); /* no stated length: nothing to compare */
    assert_false(watch_length_differs(0, 40000));
    /* the length judged against: the player's, unless it is much shorter than the stated */
    assert_int_equal(watch_judged_ms(1000, 40000), 40000);
    assert_int_equal(watch_judged_ms(36000, 40000), 36000); /* within a tenth */
    assert_int_equal(watch_judged_ms(60000, 40000), 60000); /* longer: the player's */
    assert_int_equal(watch_judged_ms(1000, 0), 1000);       /* nothing stated */
    /* "to the end" of a 1 s file is not a 40 s video's, even when a view was stored so (by a
     * release that judged against the player's length alone); the sentence says both */
    struct buf b = {0};
    struct model_range one[] = {R(0, 1000)};
    struct model_view v = {.video_id = 1, .started_at = 1, .observed = true, .reported_at = 2,
                           .duration_ms = 1000, .ranges = one, .n_ranges = 1, .to_end_at = 3,
                           .ended = true};
    assert_string_equal(said_stated(&v, 40000, &b),
                        "afspillet 0:00\xE2\x80\x93" "0:01 af 0:40 (3 %); "
                        "afspilleren angav videoens længde til 0:01, men videoen er opgivet "
                        "til 0:40");
    struct watch_facts wf;
    watch_facts_of(&v, true, 40000, &wf);
    assert_false(wf.to_end);
    assert_int_equal(wf.share_permille, 25);
    /* all 40 s played of the 1 s file's report: to the end of the stated length too */
    struct model_range all[] = {R(0, 40000)};
    struct model_view whole = v;
    whole.ranges = all;
    watch_facts_of(&whole, true, 40000, &wf);
    assert_true(wf.to_end);
    struct model_range full[] = {R(0, 39600)};
    struct model_view ok = {.video_id = 1, .started_at = 1, .observed = true, .reported_at = 2,
                            .duration_ms = 39600, .ranges = full, .n_ranges = 1,
                            .to_end_at = 3};
    assert_string_equal(said_stated(&ok, 40000, &b),
                        "afspillet 0:00\xE2\x80\x93" "0:40 af 0:40 (100 %); set til ende");
    assert_string_equal(said_stated(&ok, 0, &b),
                        "afspillet 0:00\xE2\x80\x93" "0:40 af 0:40 (100 %); set til ende");
    buf_free(&b);
}

static void test_sentence(void **state)
{
    (void)state;
    struct buf b = {0};
    struct model_range full[] = {R(0, 40000)};
    struct model_view v = {.video_id = 1, .started_at = 1, .observed = true, .reported_at = 2,
                           .duration_ms = 40000, .ranges = full, .n_ranges = 1,
                           .to_end_at = 3};
    assert_string_equal(said(&v, true, &b),
                         "afspillet 0:00\xE2\x80\x93" "0:40 af 0:40 (100 %); set til ende");
    /* the script ran, nothing played: answered without playing */
    struct model_view none = {.video_id = 1, .started_at = 1, .observed = true, .reported_at = 2,
                              .duration_ms = 40000, .transcript_opened = true};
    assert_string_equal(said(&none, true, &b),
                        "svarede uden at afspille videoen; tekstversionen blev åbnet");
    assert_string_equal(said(&none, false, &b),
                        "siden blev vist; videoen blev ikke afspillet; tekstversionen blev åbnet");
    /* no report at all: no JavaScript */
    struct model_view noscript = {.video_id = 1, .started_at = 1, .observed = true};
    assert_string_equal(said(&noscript, true, &b),
                        "siden med videoen blev vist; om videoen blev afspillet, ved vi ikke (browseren sendte ingen oplysning om afspilning)");
    /* shown without a playable video (its file missing): never "without playing", with
     * or without a report from the page's script, answered or not */
    struct model_view missing = {.video_id = 1, .started_at = 1, .observed = true,
                                 .reported_at = 2, .no_media = MODEL_MEDIA_MISSING};
    const char *could_not = "videoen kunne ikke vises; teksten til videoen blev vist i stedet";
    assert_string_equal(said(&missing, true, &b), could_not);
    assert_string_equal(said(&missing, false, &b), could_not);
    missing.reported_at = 0;
    assert_string_equal(said(&missing, true, &b), could_not);
    struct watch_facts nf;
    watch_facts_of(&missing, true, 0, &nf);
    json_t *nj = watch_json(&nf, NULL);
    assert_string_equal(json_string_value(json_object_get(nj, "observed")), "no_media");
    json_decref(nj);
    /* the video names no file: the page offered its text; opening it is told */
    struct model_view nofile = {.video_id = 1, .started_at = 1, .observed = true,
                                .reported_at = 2, .transcript_opened = true,
                                .no_media = MODEL_MEDIA_NO_FILE};
    assert_string_equal(said(&nofile, true, &b),
                        "der er ingen videofil til denne video; siden tilbød teksten til "
                        "videoen; tekstversionen blev åbnet");
    watch_facts_of(&nofile, true, 0, &nf);
    assert_int_equal(nf.observed, WATCH_NO_FILE);
    assert_string_equal(watch_observed_name(nf.observed), "no_file");
    /* shown with a player at another visit, nothing played: both are said, the observed
     * stays no_media (the citizen may have answered without the video) */
    missing.player_at = 3;
    assert_string_equal(said(&missing, true, &b),
                        "videoen kunne ikke vises; teksten til videoen blev vist i stedet; ved et "
                        "andet besøg blev siden vist med videoen, men der blev ikke registreret "
                        "nogen afspilning");
    watch_facts_of(&missing, true, 0, &nf);
    assert_int_equal(nf.observed, WATCH_NO_MEDIA);
    nj = watch_json(&nf, NULL);
    assert_true(json_is_true(json_object_get(nj, "player_shown")));
    json_decref(nj);
    nofile.player_at = 3;
    assert_string_equal(said(&nofile, true, &b),
                        "der er ingen videofil til denne video; siden tilbød teksten til "
                        "videoen; ved et andet besøg blev siden vist med videoen, men der blev "
                        "ikke registreret nogen afspilning; tekstversionen blev åbnet");
    nofile.player_at = 0;
    /* a page with a player only: player_shown is for the no-media facts alone */
    struct model_view withplayer = {.video_id = 1, .started_at = 1, .observed = true,
                                    .reported_at = 2, .player_at = 1};
    watch_facts_of(&withplayer, true, 0, &nf);
    assert_int_equal(nf.observed, WATCH_NOT_PLAYED);
    assert_false(nf.player_shown);
    /* the file came later and was played: the played facts win */
    struct model_range later[] = {R(0, 40000)};
    struct model_view came = {.video_id = 1, .started_at = 1, .observed = true,
                              .reported_at = 2, .duration_ms = 40000, .ranges = later,
                              .n_ranges = 1, .to_end_at = 3, .no_media = MODEL_MEDIA_MISSING};
    assert_string_equal(said(&came, true, &b),
                        "afspillet 0:00\xE2\x80\x93" "0:40 af 0:40 (100 %); set til ende");
    /* an older row "finished" by answering: answered, never watched */
    struct model_view legacy = {.video_id = 1, .started_at = 1, .finished_at = 5};
    assert_string_equal(said(&legacy, true, &b),
                        "svarede; siden blev vist (før afspilning blev registreret)");
    struct watch_facts f;
    watch_facts_of(&legacy, true, 0, &f);
    assert_false(f.to_end);
    json_t *j = watch_json(&f, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "observed")), "legacy");
    assert_true(json_is_false(json_object_get(j, "to_end")));
    json_decref(j);
    /* partial playback: share rounded, ranges merged */
    struct model_range part[] = {R(0, 10000), R(20000, 30000)};
    struct model_view half = {.video_id = 1, .started_at = 1, .observed = true, .reported_at = 2,
                              .duration_ms = 40000, .ranges = part, .n_ranges = 2};
    assert_string_equal(said(&half, false, &b),
                        "afspillet 0:00\xE2\x80\x93" "0:10, 0:20\xE2\x80\x93" "0:30 af 0:40 (50 %)");
    watch_facts_of(&half, false, 0, &f);
    j = watch_json(&f, NULL);
    assert_true(json_real_value(json_object_get(j, "share")) == 0.5);
    assert_true(json_real_value(json_object_get(j, "seconds")) == 20.0);
    assert_int_equal(json_array_size(json_object_get(j, "ranges")), 2);
    json_decref(j);
    assert_string_equal(said(NULL, false, &b), "videoens side blev ikke åbnet");
    buf_free(&b);
}

static void test_journal_key(void **state)
{
    (void)state;
    char key[64];
    json_t *answers = json_pack("{s:s}", "reported_by", "answers");
    json_t *player = json_pack("{s:s}", "reported_by", "player");
    watch_journal_key("video_finished", answers, key, sizeof key);
    assert_string_equal(key, "journal_video_finished_answers");
    watch_journal_key("video_finished", player, key, sizeof key);
    assert_string_equal(key, "journal_video_finished");
    watch_journal_key("video_watched", NULL, key, sizeof key);
    assert_string_equal(key, "journal_video_watched");
    json_decref(answers);
    json_decref(player);
}

/* A letter's sending is labelled by what its channel did: the outbox only holds it for
 * Digital Post, which is not the same as sending it. */
static void test_journal_key_letter_channel(void **state)
{
    (void)state;
    char key[64];
    json_t *outbox = json_pack("{s:s}", "channel", "outbox");
    json_t *smtp = json_pack("{s:s}", "channel", "smtp");
    json_t *other = json_pack("{s:s}", "channel", "fax");
    watch_journal_key("written_guidance_sent", outbox, key, sizeof key);
    assert_string_equal(key, "journal_written_guidance_sent_outbox");
    watch_journal_key("written_guidance_resent", smtp, key, sizeof key);
    assert_string_equal(key, "journal_written_guidance_resent_smtp");
    watch_journal_key("reminder_sent", outbox, key, sizeof key);
    assert_string_equal(key, "journal_reminder_sent_outbox");
    watch_journal_key("new_link_sent", smtp, key, sizeof key);
    assert_string_equal(key, "journal_new_link_sent_smtp");
    watch_journal_key("new_link_sent", other, key, sizeof key);
    assert_string_equal(key, "journal_new_link_sent");
    watch_journal_key("written_guidance_sent", NULL, key, sizeof key);
    assert_string_equal(key, "journal_written_guidance_sent");
    watch_journal_key("meeting_recorded", outbox, key, sizeof key);
    assert_string_equal(key, "journal_meeting_recorded");
    /* a closed enrolment's reason names its own text; one the texts do not know, none */
    json_t *job = json_pack("{s:s}", "reason", "job");
    json_t *odd = json_pack("{s:s}", "reason", "../x");
    watch_journal_key("enrolment_closed", job, key, sizeof key);
    assert_string_equal(key, "journal_enrolment_closed_job");
    watch_journal_key("enrolment_closed", odd, key, sizeof key);
    assert_string_equal(key, "journal_enrolment_closed");
    watch_journal_key("enrolment_closed", NULL, key, sizeof key);
    assert_string_equal(key, "journal_enrolment_closed");
    json_decref(job);
    json_decref(odd);
    json_decref(outbox);
    json_decref(smtp);
    json_decref(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_overlap_adjacent_order),
        cmocka_unit_test(test_merge_bounds_and_bogus),
        cmocka_unit_test(test_merge_cap),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_to_end_rules),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_sentence),
        cmocka_unit_test(test_length_differs),
        cmocka_unit_test(test_journal_key),
        cmocka_unit_test(test_journal_key_letter_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
