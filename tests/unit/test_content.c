/* content and progress rules: pack parsing and validation, the content hash, publishing a
 * new version only when content changed (old versions stay as they were), and what counts
 * as a right answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "content.h"
#include "mem.h"
#include "packedit.h"
#include "progress.h"
#include "store.h"
#include "token.h"

/* [staff] max_content_text at its default */
#define MAX_TEXT 20000

static const char *const pack_json =
    "{\"group\": {\"slug\": \"testgruppe\", \"name\": {\"da\": \"Testgruppe\", \"en\": \"Test group\"},"
    "  \"resend_months\": 6, \"enabled\": true},"
    " \"example_content\": true, \"legal_basis\": \"LAB (eksempel)\","
    " \"valid_from\": \"2026-01-01\", \"valid_to\": \"2027-06-30\","
    " \"written_guidance\": {\"da\": \"Eksempeltekst.\", \"en\": \"Example text.\"},"
    " \"videos\": [{\"slug\": \"v1\", \"title\": {\"da\": \"Rådighed\", \"en\": \"Availability\"},"
    "   \"transcript\": {\"da\": \"Tekst.\", \"en\": \"Text.\"}, \"media\": \"v1.mp4\","
    "   \"duration_seconds\": 40, \"captions\": {\"da\": \"c/v1.da.vtt\"},"
    "   \"questions\": [{\"slug\": \"q1\", \"kind\": \"single\","
    "     \"topic\": {\"key\": \"raadighed\", \"da\": \"Rådighed\", \"en\": \"Availability\"},"
    "     \"text\": {\"da\": \"Hvad?\", \"en\": \"What?\"}, \"explanation\": {\"da\": \"Fordi.\", \"en\": \"Because.\"},"
    "     \"options\": [{\"text\": {\"da\": \"A\"}, \"correct\": true}, {\"text\": {\"da\": \"B\"}, \"correct\": false}]},"
    "    {\"slug\": \"q2\", \"kind\": \"multiple\","
    "     \"topic\": {\"key\": \"joblog\", \"da\": \"Joblog\", \"en\": \"Job log\"},"
    "     \"text\": {\"da\": \"Hvilke?\"}, \"explanation\": {\"da\": \"Begge.\"},"
    "     \"options\": [{\"text\": {\"da\": \"A\"}, \"correct\": true}, {\"text\": {\"da\": \"B\"}, \"correct\": true},"
    "                   {\"text\": {\"da\": \"C\"}, \"correct\": false}]}]}]}";

struct fixture {
    char dir[64];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char p[160];
    snprintf(f->dir, sizeof f->dir, "/tmp/vejled-content-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(p, sizeof p, "%s/c", f->dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/packs", f->dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/c/v1.da.vtt", f->dir);
    write_file(p, "WEBVTT\n\n00:00.000 --> 00:05.000\nTekst.\n");
    snprintf(p, sizeof p, "%s/packs/test.json", f->dir);
    write_file(p, pack_json);
    assert_int_equal(token_init(), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static struct model_pack *parse_doc(const json_t *doc, const char *dir, size_t max_text,
                                    char *err, size_t n)
{
    struct model_pack *p = NULL;
    struct model_group g;
    int rc = content_pack_parse(doc, dir, max_text, &p, &g, err, n);
    if (rc == 0)
        model_group_clear(&g);
    return rc == 0 ? p : NULL;
}

static struct model_pack *parse(const char *text, const char *dir, char *err, size_t n)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    assert_non_null(doc);
    struct model_pack *p = parse_doc(doc, dir, MAX_TEXT, err, n);
    json_decref(doc);
    return p;
}

static void test_parse_pack(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct model_pack *p = parse(pack_json, f->dir, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->n_videos, 1);
    assert_int_equal(p->videos[0].n_questions, 2);
    assert_true(p->videos[0].questions[1].multiple);
    assert_string_equal(p->videos[0].title[LANG_EN], "Availability");
    assert_string_equal(p->videos[0].questions[1].text[LANG_EN], ""); /* falls back at display */
    assert_true(strncmp(p->videos[0].captions[LANG_DA], "WEBVTT", 6) == 0);
    assert_int_equal(content_question_count(p), 2);
    model_pack_free(p);
}

/* Replaces the first occurrence of from with to in pack_json and expects a parse error
 * naming `field`. */
static void expect_invalid(const char *dir, const char *from, const char *to, const char *field)
{
    char text[4096], err[256];
    const char *at = strstr(pack_json, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - pack_json), pack_json, to,
             at + strlen(from));
    assert_null(parse(text, dir, err, sizeof err));
    if (!strstr(err, field))
        fail_msg("error '%s' does not name '%s'", err, field);
}

static void test_invalid_packs_name_the_field(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f->dir, "\"slug\": \"testgruppe\"", "\"slug\": \"Test Gruppe\"", "group.slug");
    expect_invalid(f->dir, "\"kind\": \"single\"", "\"kind\": \"essay\"", "questions[0].kind");
    expect_invalid(f->dir, "{\"text\": {\"da\": \"B\"}, \"correct\": false}",
                   "{\"text\": {\"da\": \"B\"}, \"correct\": true}", "questions[0]");
    expect_invalid(f->dir, "\"c/v1.da.vtt\"", "\"c/missing.vtt\"", "captions.da");
    expect_invalid(f->dir, "\"media\": \"v1.mp4\"", "\"media\": \"../v1.mp4\"", "media");
    expect_invalid(f->dir, "\"written_guidance\": {\"da\": \"Eksempeltekst.\"",
                   "\"written_guidance\": {\"da\": \"\"", "written_guidance");
    /* validity dates: real days, written YYYY-MM-DD, the last not before the first */
    expect_invalid(f->dir, "\"valid_to\": \"2027-06-30\"", "\"valid_to\": \"2027-02-30\"",
                   "valid_to must be a day");
    expect_invalid(f->dir, "\"valid_to\": \"2027-06-30\"",
                   "\"valid_to\": \"2027-06-30T00:00:00Z\"", "valid_to must be a day");
    expect_invalid(f->dir, "\"valid_to\": \"2027-06-30\"", "\"valid_to\": 20270630",
                   "valid_to must be a day");
    expect_invalid(f->dir, "\"valid_to\": \"2027-06-30\"", "\"valid_to\": \"2025-12-31\"",
                   "valid_to is before valid_from");
    expect_invalid(f->dir, "\"duration_seconds\": 40,",
                   "\"duration_seconds\": 40, \"valid_from\": \"2026-13-01\",",
                   "videos[0].valid_from must be a day");
}

/* Where a content item's validity stands on a day: the first and last days both count,
 * the review period ends on the last day, and a video is valid where its pack is too. */
static void test_validity(void **state)
{
    (void)state;
    struct content_validity_info vi;
    content_validity_of("", "", "2026-12-07", 60, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    assert_string_equal(vi.date, "");
    content_validity_of("2026-01-01", "2027-06-30", "2026-12-07", 60, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    /* 2027-05-01 is 60 days before 2027-06-30: ending from then on, to the last day */
    content_validity_of("2026-01-01", "2027-06-30", "2027-04-30", 60, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    content_validity_of("2026-01-01", "2027-06-30", "2027-05-01", 60, &vi);
    assert_int_equal(vi.state, CONTENT_ENDING);
    assert_string_equal(vi.date, "2027-06-30");
    assert_int_equal(vi.days, 60);
    content_validity_of("2026-01-01", "2027-06-30", "2027-06-30", 60, &vi);
    assert_int_equal(vi.state, CONTENT_ENDING);
    assert_int_equal(vi.days, 0);
    content_validity_of("2026-01-01", "2027-06-30", "2027-07-01", 60, &vi);
    assert_int_equal(vi.state, CONTENT_ENDED);
    assert_string_equal(vi.date, "2027-06-30");
    /* across a year's end and a leap day */
    content_validity_of("", "2028-03-01", "2027-12-31", 61, &vi);
    assert_int_equal(vi.state, CONTENT_ENDING);
    assert_int_equal(vi.days, 61);
    content_validity_of("", "2028-03-01", "2027-12-31", 60, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    /* not begun: the first day counts as in force */
    content_validity_of("2027-01-01", "", "2026-12-31", 60, &vi);
    assert_int_equal(vi.state, CONTENT_NOT_YET);
    assert_string_equal(vi.date, "2027-01-01");
    content_validity_of("2027-01-01", "", "2027-01-01", 60, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    /* no review period: only the last day itself is "ending" */
    content_validity_of("", "2027-06-30", "2027-06-29", 0, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);

    struct model_video videos[2] = {{.valid_from = "", .valid_to = ""},
                                    {.valid_from = "2027-01-01", .valid_to = "2027-03-31"}};
    struct model_pack p = {.valid_from = "2026-01-01", .valid_to = "2027-06-30",
                           .videos = videos, .n_videos = 2};
    /* a video without dates of its own follows the pack */
    content_video_validity(&p, &videos[0], "2027-07-01", 60, &vi);
    assert_int_equal(vi.state, CONTENT_ENDED);
    assert_string_equal(vi.date, "2027-06-30");
    /* its own dates narrow the pack's */
    content_video_validity(&p, &videos[1], "2026-12-07", 10, &vi);
    assert_int_equal(vi.state, CONTENT_NOT_YET);
    assert_string_equal(vi.date, "2027-01-01");
    content_video_validity(&p, &videos[1], "2027-04-01", 10, &vi);
    assert_int_equal(vi.state, CONTENT_ENDED);
    assert_string_equal(vi.date, "2027-03-31");
    /* the pack as a whole: an ended video before one not begun, the earliest end */
    content_pack_validity(&p, "2026-12-07", 10, &vi);
    assert_int_equal(vi.state, CONTENT_NOT_YET);
    content_pack_validity(&p, "2027-04-01", 10, &vi);
    assert_int_equal(vi.state, CONTENT_ENDED);
    assert_string_equal(vi.date, "2027-03-31");
    content_pack_validity(&p, "2027-02-01", 10, &vi);
    assert_int_equal(vi.state, CONTENT_IN_FORCE);
    content_pack_validity(&p, "2027-03-25", 10, &vi);
    assert_int_equal(vi.state, CONTENT_ENDING);
    assert_string_equal(vi.date, "2027-03-31");
    assert_int_equal(vi.days, 6);
}

/* Publishing checks the dates as the pack files are checked, and refuses content whose
 * validity already ended. */
static void test_check_dates(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct content_problem pr;
    struct model_pack *p = parse(pack_json, f->dir, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(content_pack_check_today(p, "2027-06-30", &pr), 0);
    assert_int_equal(content_pack_check_today(p, "2027-07-01", &pr), -1);
    assert_string_equal(pr.code, "validity_ended");
    assert_int_equal(pr.video, 0);
    snprintf(p->videos[0].valid_to, sizeof p->videos[0].valid_to, "2027-01-31");
    assert_int_equal(content_pack_check_today(p, "2027-02-01", &pr), -1);
    assert_string_equal(pr.code, "validity_ended");
    assert_int_equal(pr.video, 1);
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    snprintf(p->videos[0].valid_from, sizeof p->videos[0].valid_from, "2027-02-01");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "dates_reversed");
    assert_int_equal(pr.video, 1);
    snprintf(p->videos[0].valid_from, sizeof p->videos[0].valid_from, "2027-1-1");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "date_invalid");
    assert_string_equal(pr.field, "valid_from");
    p->videos[0].valid_from[0] = '\0';
    snprintf(p->valid_to, sizeof p->valid_to, "2026-02-29");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "date_invalid");
    assert_string_equal(pr.field, "valid_to");
    assert_int_equal(pr.video, 0);
    model_pack_free(p);
}

/* pack_json with video 1 asking n_questions questions of n_options options each. */
static char *pack_with(size_t n_questions, size_t n_options)
{
    json_error_t je;
    json_t *doc = json_loads(pack_json, 0, &je);
    assert_non_null(doc);
    json_t *qs = json_object_get(json_array_get(json_object_get(doc, "videos"), 0), "questions");
    json_t *q1 = json_deep_copy(json_array_get(qs, 0));
    json_t *opts = json_object_get(q1, "options");
    while (json_array_size(opts) < n_options)
        json_array_append_new(opts, json_pack("{s:{s:s}, s:b}", "text", "da", "C", "correct", 0));
    json_array_clear(qs);
    for (size_t i = 0; i < n_questions; i++) {
        json_t *q = json_deep_copy(q1);
        char slug[32];
        snprintf(slug, sizeof slug, "q%zu", i + 1);
        json_object_set_new(q, "slug", json_string(slug));
        json_array_append_new(qs, q);
    }
    json_decref(q1);
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    return text;
}

/* A video asks no more questions than a citizen can answer in one form, a question offers
 * no more options than an answer can choose. */
static void test_question_and_option_limits(void **state)
{
    struct fixture *f = *state;
    char err[256];
    char *text = pack_with(MODEL_MAX_QUESTIONS, MODEL_MAX_OPTIONS);
    struct model_pack *p = parse(text, f->dir, err, sizeof err);
    free(text);
    assert_non_null(p);
    assert_int_equal(p->videos[0].n_questions, MODEL_MAX_QUESTIONS);
    model_pack_free(p);

    text = pack_with(MODEL_MAX_QUESTIONS + 1, 2);
    assert_null(parse(text, f->dir, err, sizeof err));
    free(text);
    assert_non_null(strstr(err, "videos[0].questions has 33 questions"));
    assert_non_null(strstr(err, "at most 32"));

    text = pack_with(1, MODEL_MAX_OPTIONS + 1);
    assert_null(parse(text, f->dir, err, sizeof err));
    free(text);
    assert_non_null(strstr(err, "videos[0].questions[0].options has 17 options"));
    assert_non_null(strstr(err, "at most 16"));
}

/* A pack file over a limit stops `vejled demo` before anything is stored: not even the
 * good files beside it are published. */
static void test_load_refuses_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    char db[128], err[256], p[160];
    struct store *st;
    int applied, planned = 0, published = -1;
    struct model_group g;
    char *text = pack_with(MODEL_MAX_QUESTIONS + 1, 2);
    char *slug = strstr(text, "testgruppe");
    assert_non_null(slug);
    memcpy(slug, "zzzgruppe", 9); /* another group, in a file read after test.json */
    memmove(slug + 9, slug + 10, strlen(slug + 10) + 1);
    snprintf(p, sizeof p, "%s/packs/zzz.json", f->dir);
    write_file(p, text);
    free(text);
    snprintf(db, sizeof db, "%s/c.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1000, NULL, &published, &planned, err, sizeof err), -1);
    assert_non_null(strstr(err, "zzz.json"));
    assert_non_null(strstr(err, "questions has 33 questions"));
    assert_int_equal(published, 0);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_NOT_FOUND);
    assert_int_equal(store_group_by_slug(st, "zzzgruppe", &g), STORE_NOT_FOUND);
    store_close(st);
}

/* With a day given, files whose rules ended before it are refused and nothing is stored,
 * not even the files before them (one transaction); a version already published stays. */
static void test_load_refuses_ended(void **state)
{
    struct fixture *f = *state;
    char db[128], err[256], p[160];
    struct store *st;
    int applied, planned = 0, published = -1;
    struct model_group g;
    /* a second group read after test.json, whose video 1 ended on 2027-03-31 */
    char *text = strdup(pack_json);
    char *slug = strstr(text, "testgruppe");
    memcpy(slug, "zzzgruppe", 9);
    memmove(slug + 9, slug + 10, strlen(slug + 10) + 1);
    char *media = strstr(text, "\"media\": \"v1.mp4\",");
    assert_non_null(media);
    size_t at = (size_t)(media - text);
    char *with = malloc(strlen(text) + 64);
    snprintf(with, strlen(text) + 64, "%.*s\"valid_to\": \"2027-03-31\", %s", (int)at, text,
             text + at);
    snprintf(p, sizeof p, "%s/packs/zzz.json", f->dir);
    write_file(p, with);
    free(with);
    free(text);
    snprintf(db, sizeof db, "%s/c.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, 1000, "2027-04-01", &published, &planned, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "zzz.json: videos[0].valid_to has passed"));
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_NOT_FOUND);
    assert_int_equal(store_group_by_slug(st, "zzzgruppe", &g), STORE_NOT_FOUND);
    /* on its last day it loads; once published, a later load leaves it and says nothing */
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, 1000, "2027-03-31", &published, &planned, err, sizeof err),
        0);
    assert_int_equal(published, 2);
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, 1001, "2027-07-01", &published, &planned, err, sizeof err),
        0);
    assert_int_equal(published, 0);
    /* without a day (the demo's example content) nothing is checked */
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1002, NULL, &published, &planned, err, sizeof err),
                     0);
    store_close(st);
}

/* A group added by an administrator starts off; it is switched on only with a published
 * version, and a refused save changes nothing, its names included. */
static void test_group_add_and_save(void **state)
{
    struct fixture *f = *state;
    char db[128], err[256];
    struct store *st;
    int applied, planned = 0, published;
    const char *field = "";
    snprintf(db, sizeof db, "%s/g.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    struct model_group g = {.slug = "ny-ydelse", .name = {"Ny ydelse", "New benefit"},
                            .resend_months = 6, .enabled = true};
    int64_t id;
    assert_int_equal(content_group_add(st, &g, 1000, &id, &field), CONTENT_GROUP_OK);
    assert_int_equal(content_group_add(st, &g, 1000, &id, &field), CONTENT_GROUP_EXISTS);
    struct model_group got;
    assert_int_equal(store_group_by_slug(st, "ny-ydelse", &got), STORE_OK);
    assert_false(got.enabled); /* off, whatever was asked */
    model_group_clear(&got);
    assert_int_equal(content_group_save(st, id, true, 12, "Omdøbt", "", &field),
                     CONTENT_GROUP_NO_CONTENT);
    assert_int_equal(store_group_by_slug(st, "ny-ydelse", &got), STORE_OK);
    assert_string_equal(got.name[LANG_DA], "Ny ydelse");
    assert_int_equal(got.resend_months, 6);
    model_group_clear(&got);
    assert_int_equal(content_group_save(st, id, false, 12, " ", "", &field), CONTENT_GROUP_INVALID);
    assert_string_equal(field, "name_da");
    assert_int_equal(content_group_save(st, id, false, 12, "Omdøbt", "", &field), CONTENT_GROUP_OK);
    assert_int_equal(store_group_by_slug(st, "ny-ydelse", &got), STORE_OK);
    assert_string_equal(got.name[LANG_DA], "Omdøbt");
    model_group_clear(&got);
    /* with a published version it is switched on */
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1000, NULL, &published, &planned, err, sizeof err), 0);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &got), STORE_OK);
    assert_int_equal(content_group_save(st, got.id, true, 6, "Testgruppe", "", &field),
                     CONTENT_GROUP_OK);
    model_group_clear(&got);
    store_close(st);
}

/* Sets draft's first valid day (unless NULL) and Danish written guidance, and saves it. */
static void edit_draft(struct store *st, int64_t draft, const char *from, const char *guidance)
{
    struct model_pack *p;
    assert_int_equal(packedit_load_draft(st, draft, &p), PACKEDIT_OK);
    if (from)
        snprintf(p->valid_from, sizeof p->valid_from, "%s", from);
    free(p->guidance[LANG_DA]);
    p->guidance[LANG_DA] = xstrdup(guidance);
    assert_int_equal(packedit_save(st, p), PACKEDIT_OK);
    model_pack_free(p);
}

/* A draft whose rules begin later is planned and published on its first day (in
 * Copenhagen), only while it is what was confirmed, switching its group on with it when so
 * planned; a plan can be taken away; a draft whose rules already apply is not planned; a
 * plan with nothing new to publish goes, and switches nothing on. */
static void test_planned_publication(void **state)
{
    struct fixture *f = *state;
    char db[128], err[256], day[CLOCK_DATE_LEN + 1];
    struct store *st;
    int applied, planned = 0, published, version;
    bool changed, switch_on;
    int64_t now, eve, newyear, march, gid, v1, draft, id;
    struct content_problem pr = {.code = "", .lang = ""};
    clock_init_display_zone(); /* days are Copenhagen's */
    assert_int_equal(clock_parse_rfc3339("2026-12-15T10:00:00Z", &now), 0);
    assert_int_equal(clock_parse_rfc3339("2026-12-31T22:30:00Z", &eve), 0);     /* 23:30 */
    assert_int_equal(clock_parse_rfc3339("2026-12-31T23:30:00Z", &newyear), 0); /* 00:30 */
    assert_int_equal(clock_parse_rfc3339("2027-03-01T09:00:00Z", &march), 0);
    snprintf(db, sizeof db, "%s/plan.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, now, NULL, &published, &planned, err, sizeof err), 0);
    struct model_group g;
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_OK);
    gid = g.id;
    model_group_clear(&g);
    assert_int_equal(store_pack_published_id(st, gid, &v1), STORE_OK);

    /* new rules from 1 January, for a group switched off until then, which they switch on */
    assert_int_equal(store_group_settings(st, gid, false, 6), STORE_OK);
    assert_int_equal(packedit_draft(st, gid, now, &draft), PACKEDIT_OK);
    edit_draft(st, draft, "2027-01-01", "De nye regler.");
    assert_int_equal(packedit_plan(st, draft, MAX_TEXT, now, true, &pr, &version, day),
                     PACKEDIT_OK);
    assert_string_equal(day, "2027-01-01");
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "2027-01-01");
    assert_false(changed);
    assert_true(switch_on);
    /* the evening before, in Copenhagen: the old version stays, the group off */
    assert_int_equal(packedit_publish_due(st, eve, &published), 0);
    assert_int_equal(published, 0);
    assert_int_equal(store_pack_published_id(st, gid, &id), STORE_OK);
    assert_int_equal(id, v1);
    assert_int_equal(store_group_by_id(st, gid, &g), STORE_OK);
    assert_false(g.enabled);
    model_group_clear(&g);
    /* half past midnight: the new one, once, and the group on */
    assert_int_equal(packedit_publish_due(st, newyear, &published), 0);
    assert_int_equal(published, 1);
    assert_int_equal(store_pack_published_id(st, gid, &id), STORE_OK);
    assert_int_equal(id, draft);
    assert_int_equal(store_group_by_id(st, gid, &g), STORE_OK);
    assert_true(g.enabled);
    model_group_clear(&g);
    assert_int_equal(packedit_publish_due(st, newyear, &published), 0);
    assert_int_equal(published, 0);
    assert_int_equal(packedit_unplan(st, draft), PACKEDIT_NOT_DRAFT);
    int64_t in_force = draft;

    /* edited after the plan was confirmed: not published on the day */
    assert_int_equal(packedit_draft(st, gid, newyear, &draft), PACKEDIT_OK);
    edit_draft(st, draft, "2027-03-01", "Fra marts.");
    assert_int_equal(packedit_plan(st, draft, MAX_TEXT, newyear, false, &pr, &version, day),
                     PACKEDIT_OK);
    edit_draft(st, draft, NULL, "Fra marts, rettet.");
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "2027-03-01");
    assert_true(changed);
    assert_int_equal(packedit_publish_due(st, march, &published), 0);
    assert_int_equal(published, 0);
    assert_int_equal(store_pack_published_id(st, gid, &id), STORE_OK);
    assert_int_equal(id, in_force);
    /* taken away */
    assert_int_equal(packedit_unplan(st, draft), PACKEDIT_OK);
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "");
    assert_false(changed);

    /* rules that already apply are published, not planned */
    assert_int_equal(packedit_plan(st, draft, MAX_TEXT, march, false, &pr, &version, day),
                     PACKEDIT_INVALID);
    assert_string_equal(pr.code, "not_later");
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "");

    /* nothing new to publish: not planned; a plan already made for it goes on its day */
    struct model_pack *cur;
    assert_int_equal(store_pack_load(st, in_force, &cur), STORE_OK);
    edit_draft(st, draft, cur->valid_from, cur->guidance[LANG_DA]);
    char hash[MODEL_HASH_HEX + 1];
    content_pack_hash(cur, hash); /* the draft's content, the same */
    model_pack_free(cur);
    assert_int_equal(packedit_plan(st, draft, MAX_TEXT, now, false, &pr, &version, day),
                     PACKEDIT_UNCHANGED);
    assert_int_equal(store_group_settings(st, gid, false, 6), STORE_OK);
    assert_int_equal(store_pack_plan(st, draft, "2027-03-01", hash, true, march), STORE_OK);
    assert_int_equal(packedit_publish_due(st, march, &published), 0);
    assert_int_equal(published, 0);
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "");
    assert_false(switch_on);
    assert_int_equal(store_pack_published_id(st, gid, &id), STORE_OK);
    assert_int_equal(id, in_force);
    assert_int_equal(store_group_by_id(st, gid, &g), STORE_OK);
    assert_false(g.enabled); /* nothing was published, so nothing was switched on */
    model_group_clear(&g);
    store_close(st);
}

/* With a day given, a file whose rules begin later is not put in force early: it becomes
 * its group's draft, planned for its first day (a new group off until then, switched on
 * with it); loaded again it stays as it is; other content while that draft waits is
 * refused, naming the draft, and stores nothing; on the day the draft itself is published
 * (by the scheduler, or by a load that comes first); with a version in force, a later
 * file's plan leaves it in force and the group's switch as it is. */
static void test_load_plans_later(void **state)
{
    struct fixture *f = *state;
    char db[128], err[1024], p[160], day[CLOCK_DATE_LEN + 1];
    struct store *st;
    int applied, planned = -1, published = -1, highest;
    bool changed, switch_on;
    int64_t draft, id, dec, newyear, later_made = 1767175200; /* 2025-12-31T10:00:00Z */
    struct model_group g;
    clock_init_display_zone();
    assert_int_equal(clock_parse_rfc3339("2025-12-15T10:00:00Z", &dec), 0);
    assert_int_equal(clock_parse_rfc3339("2025-12-31T23:30:00Z", &newyear), 0); /* 00:30 */
    snprintf(db, sizeof db, "%s/later.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);

    /* the file's rules begin on 2026-01-01: on 2025-12-15 it is planned, not published */
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, dec, "2025-12-15", &published, &planned, err,
                         sizeof err),
        0);
    assert_int_equal(published, 0);
    assert_int_equal(planned, 1);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_OK);
    assert_false(g.enabled); /* no content yet: no enrolments */
    assert_int_equal(store_pack_published_id(st, g.id, &id), STORE_NOT_FOUND);
    assert_int_equal(packedit_draft_of(st, g.id, true, &draft), PACKEDIT_OK);
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "2026-01-01");
    assert_false(changed);
    assert_true(switch_on); /* the file has the group on */

    /* again: nothing new */
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, dec, "2025-12-15", &published, &planned, err,
                         sizeof err),
        0);
    assert_int_equal(published + planned, 0);
    assert_int_equal(store_pack_max_version(st, g.id, &highest), STORE_OK);
    assert_int_equal(highest, 1);

    /* other content while that draft waits: refused, naming it; nothing stored */
    char *other = strdup(pack_json);
    char *text = strstr(other, "Eksempeltekst.");
    assert_non_null(text);
    memcpy(text, "Andenteksttt.", 13);
    snprintf(p, sizeof p, "%s/packs/test.json", f->dir);
    write_file(p, other);
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, dec, "2025-12-15", &published, &planned, err,
                         sizeof err),
        -1);
    assert_non_null(strstr(err, "test.json: its rules begin on 2026-01-01"));
    assert_non_null(strstr(err, "has a planned draft already (version 1)"));
    assert_int_equal(store_pack_max_version(st, g.id, &highest), STORE_OK);
    assert_int_equal(highest, 1);
    write_file(p, pack_json);

    /* its day: the scheduler publishes that draft and switches the group on */
    assert_int_equal(packedit_publish_due(st, newyear, &published), 0);
    assert_int_equal(published, 1);
    assert_int_equal(store_pack_published_id(st, g.id, &id), STORE_OK);
    assert_int_equal(id, draft);
    model_group_clear(&g);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_OK);
    assert_true(g.enabled);

    /* with version 1 in force and an administrator's draft that is not planned (it does
     * not stand in the way): a later file is planned beside it, version 1 stays, the group
     * on */
    int64_t own;
    assert_int_equal(packedit_draft(st, g.id, later_made, &own), PACKEDIT_OK);
    write_file(p, other);
    free(other);
    int64_t later = 0;
    assert_int_equal(clock_parse_rfc3339("2025-12-31T10:00:00Z", &later), 0);
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, later, "2025-12-31", &published, &planned, err,
                         sizeof err),
        0);
    assert_int_equal(planned, 1);
    assert_int_equal(store_pack_published_id(st, g.id, &id), STORE_OK);
    assert_int_equal(id, draft);
    assert_int_equal(packedit_draft_of(st, g.id, true, &draft), PACKEDIT_OK);
    assert_true(draft != own);
    assert_int_equal(packedit_plan_of(st, draft, day, &changed, &switch_on), PACKEDIT_OK);
    assert_string_equal(day, "2026-01-01");
    assert_false(switch_on);
    model_group_clear(&g);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_OK);
    assert_true(g.enabled);
    /* loaded again on its day, before the scheduler's pass: that draft is published, not a
     * copy of it, and no draft is left */
    assert_int_equal(
        content_load_dir(st, f->dir, MAX_TEXT, newyear, "2026-01-01", &published, &planned,
                         err, sizeof err),
        0);
    assert_int_equal(published, 1);
    assert_int_equal(planned, 0);
    assert_int_equal(store_pack_published_id(st, g.id, &id), STORE_OK);
    assert_int_equal(id, draft);
    assert_int_equal(packedit_draft_of(st, g.id, true, &id), PACKEDIT_NOT_FOUND);
    assert_int_equal(packedit_draft_of(st, g.id, false, &id), PACKEDIT_OK);
    assert_int_equal(id, own); /* the administrator's draft is still there */
    assert_int_equal(store_pack_max_version(st, g.id, &highest), STORE_OK);
    assert_int_equal(highest, 3);
    model_group_clear(&g);
    store_close(st);
}

static void test_hash_is_stable_and_follows_content(void **state)
{
    struct fixture *f = *state;
    char err[256], h1[65], h2[65], h3[65];
    struct model_pack *a = parse(pack_json, f->dir, err, sizeof err);
    struct model_pack *b = parse(pack_json, f->dir, err, sizeof err);
    content_pack_hash(a, h1);
    content_pack_hash(b, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    free(b->videos[0].questions[0].explanation[LANG_DA]);
    b->videos[0].questions[0].explanation[LANG_DA] = strdup("Fordi!");
    content_pack_hash(b, h3);
    assert_string_not_equal(h1, h3);
    model_pack_free(a);
    model_pack_free(b);
}

/* pack_json with a "translations" section (text) inserted before "videos". */
static struct model_pack *parse_with(const char *dir, const char *translations, char *err,
                                     size_t n)
{
    char text[8192];
    const char *at = strstr(pack_json, " \"videos\":");
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s \"translations\": %s,%s", (int)(at - pack_json), pack_json,
             translations, at);
    return parse(text, dir, err, n);
}

static void test_translations(void **state)
{
    struct fixture *f = *state;
    char err[256], plain[65], with[65], p[160];
    snprintf(p, sizeof p, "%s/c/v1.ar.vtt", f->dir);
    write_file(p, "WEBVTT\n\n00:00.000 --> 00:05.000\nنص.\n");
    struct model_pack *a = parse(pack_json, f->dir, err, sizeof err);
    assert_null(a->translations);
    json_t *canon = content_pack_canonical(a);
    assert_null(json_object_get(canon, "translations")); /* old packs keep their hash */
    json_decref(canon);
    content_pack_hash(a, plain);
    struct model_pack *b = parse_with(f->dir,
        "{\"ar\": {\"group.name\": \"مجموعة\", \"v.v1.title\": \"الإتاحة\","
        " \"v.v1.q.q2.o3\": \"ج\", \"v.v1.captions\": \"c/v1.ar.vtt\"}}", err, sizeof err);
    assert_non_null(b);
    assert_string_equal(content_translation(b, "ar", "v.v1.title"), "الإتاحة");
    assert_string_equal(content_translation(b, "ar", "v.v1.q.q2.o3"), "ج");
    assert_true(strncmp(content_translation(b, "ar", "v.v1.captions"), "WEBVTT", 6) == 0);
    assert_null(content_translation(b, "ar", "v.v1.summary"));
    assert_null(content_translation(b, "uk", "v.v1.title"));
    assert_null(content_translation(b, NULL, "v.v1.title"));
    assert_null(content_translation(a, "ar", "v.v1.title"));
    content_pack_hash(b, with);
    assert_string_not_equal(plain, with); /* translations are content */
    model_pack_free(a);
    model_pack_free(b);
    /* what is refused, naming the field */
    const char *bad[][2] = {
        {"[]", "translations"},
        {"{\"da\": {\"v.v1.title\": \"x\"}}", "translations.da"},
        {"{\"AR\": {\"v.v1.title\": \"x\"}}", "translations.AR"},
        {"{\"ar\": {\"v.v2.title\": \"x\"}}", "v.v2.title"},
        {"{\"ar\": {\"v.v1.q.q1.o3\": \"x\"}}", "v.v1.q.q1.o3"},
        {"{\"ar\": {\"v.v1.q.q1.o0\": \"x\"}}", "v.v1.q.q1.o0"},
        {"{\"ar\": {\"v.v1.title\": \"\"}}", "v.v1.title"},
        {"{\"ar\": {\"v.v1.captions\": \"c/none.vtt\"}}", "c/none.vtt"},
        {"{\"ar\": {\"v.v1.captions\": \"../c/v1.ar.vtt\"}}", "v.v1.captions"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(parse_with(f->dir, bad[i][0], err, sizeof err));
        if (!strstr(err, bad[i][1]))
            fail_msg("error '%s' does not name '%s'", err, bad[i][1]);
    }
}

static void test_load_publishes_only_on_change(void **state)
{
    struct fixture *f = *state;
    char db[128], err[256], p[160];
    struct store *st;
    int applied, planned = 0, published;
    int64_t first = 0, second = 0, group_id;
    struct model_group g;
    snprintf(db, sizeof db, "%s/c.db", f->dir);
    assert_int_equal(store_open(db, 1000, &st, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(store_migrate(st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1000, NULL, &published, &planned, err, sizeof err), 0);
    assert_int_equal(published, 1);
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1001, NULL, &published, &planned, err, sizeof err), 0);
    assert_int_equal(published, 0);
    assert_int_equal(store_group_by_slug(st, "testgruppe", &g), STORE_OK);
    group_id = g.id;
    model_group_clear(&g);
    assert_int_equal(store_pack_published_id(st, group_id, &first), STORE_OK);

    /* changed content: version 2 is published, version 1 retires and keeps its text */
    char *changed = strdup(pack_json);
    char *w = strstr(changed, "Fordi.");
    memcpy(w, "Derfor", 6);
    snprintf(p, sizeof p, "%s/packs/test.json", f->dir);
    write_file(p, changed);
    free(changed);
    assert_int_equal(content_load_dir(st, f->dir, MAX_TEXT, 1002, NULL, &published, &planned, err, sizeof err), 0);
    assert_int_equal(published, 1);
    assert_int_equal(store_pack_published_id(st, group_id, &second), STORE_OK);
    assert_int_not_equal(first, second);
    struct model_pack *old = NULL, *cur = NULL;
    assert_int_equal(store_pack_load(st, first, &old), STORE_OK);
    assert_int_equal(store_pack_load(st, second, &cur), STORE_OK);
    assert_string_equal(old->state, "retired");
    assert_int_equal(old->version, 1);
    assert_int_equal(cur->version, 2);
    assert_string_equal(old->videos[0].questions[0].explanation[LANG_DA], "Fordi.");
    assert_string_equal(cur->videos[0].questions[0].explanation[LANG_DA], "Derfor");
    assert_string_not_equal(old->content_hash, cur->content_hash);

    /* the cache serves published and retired packs */
    struct content_cache *cache = content_cache_new();
    const struct model_pack *c1 = content_cache_get(cache, st, first);
    assert_non_null(c1);
    assert_ptr_equal(c1, content_cache_get(cache, st, first));
    assert_null(content_cache_get(cache, st, 999999));
    content_cache_free(cache);
    model_pack_free(old);
    model_pack_free(cur);
    store_close(st);
}

static void test_right_answer_rule(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct model_pack *p = parse(pack_json, f->dir, err, sizeof err);
    /* give the options ids as the store would */
    int64_t id = 10;
    for (size_t qi = 0; qi < 2; qi++)
        for (size_t oi = 0; oi < p->videos[0].questions[qi].n_options; oi++)
            p->videos[0].questions[qi].options[oi].id = id++;
    const struct model_question *single = &p->videos[0].questions[0]; /* 10 right, 11 wrong */
    const struct model_question *multi = &p->videos[0].questions[1];  /* 12, 13 right; 14 wrong */
    int64_t a[] = {10}, b[] = {11}, c[] = {12, 13}, d[] = {12}, e[] = {12, 13, 14}, g[] = {13, 12};
    assert_true(progress_is_correct(single, a, 1));
    assert_false(progress_is_correct(single, b, 1));
    assert_true(progress_is_correct(multi, c, 2));
    assert_true(progress_is_correct(multi, g, 2));
    assert_false(progress_is_correct(multi, d, 1));
    assert_false(progress_is_correct(multi, e, 3));
    assert_false(progress_is_correct(multi, NULL, 0));
    assert_true(progress_chosen_has("12,13", 13));
    assert_false(progress_chosen_has("12,130", 13));
    model_pack_free(p);
}

/* n times the UTF-8 character ch (a string of one character), in a new string. */
static char *repeat(const char *ch, size_t n)
{
    size_t len = strlen(ch);
    char *out = malloc(len * n + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, ch, len);
    out[len * n] = '\0';
    return out;
}

/* pack_json (new reference) with the string at the path that follows n (its keys and
 * array indexes, then NULL) set to n times ch; objects missing on the way are made. */
static json_t *pack_text(const char *ch, size_t n, ...)
{
    json_error_t je;
    json_t *doc = json_loads(pack_json, 0, &je), *at = doc;
    assert_non_null(doc);
    va_list ap;
    va_start(ap, n);
    const char *key = va_arg(ap, const char *), *next;
    while ((next = va_arg(ap, const char *))) {
        json_t *in = json_is_array(at) ? json_array_get(at, (size_t)atoi(key))
                                       : json_object_get(at, key);
        if (!in) { /* a missing object on the way (translations) */
            in = json_object();
            json_object_set_new(at, key, in);
        }
        at = in;
        key = next;
    }
    va_end(ap);
    char *text = repeat(ch, n);
    if (json_is_array(at))
        json_array_set_new(at, (size_t)atoi(key), json_string(text));
    else
        json_object_set_new(at, key, json_string(text));
    free(text);
    return doc;
}

/* Whether doc (taken) parses; when not, its error must name want. */
static int parses(const char *dir, size_t max_text, const char *want, json_t *doc)
{
    char err[256] = "";
    struct model_pack *p = parse_doc(doc, dir, max_text, err, sizeof err);
    json_decref(doc);
    if (p) {
        model_pack_free(p);
        return 1;
    }
    if (want && !strstr(err, want))
        fail_msg("error '%s' does not name '%s'", err, want);
    return 0;
}

/* Every text of a pack file is held to its limit in characters, not bytes: a text of
 * exactly the limit in "æ" (twice as many bytes) or Arabic letters loads, one character
 * more is refused, naming the text as the file has it. */
static void test_text_limits_in_characters(void **state)
{
    struct fixture *f = *state;
    const char *d = f->dir;
#define AT_LIMIT(max_text, ch, n, ...)                                                        \
    assert_true(parses(d, max_text, NULL, pack_text(ch, n, __VA_ARGS__, NULL)))
#define OVER(max_text, want, ch, n, ...)                                                      \
    assert_false(parses(d, max_text, want, pack_text(ch, n, __VA_ARGS__, NULL)))
    AT_LIMIT(MAX_TEXT, "æ", CONTENT_TITLE_MAX, "videos", "0", "title", "da");
    OVER(MAX_TEXT, "videos[0].title.da is longer than 200 characters", "æ",
         CONTENT_TITLE_MAX + 1, "videos", "0", "title", "da");
    AT_LIMIT(MAX_TEXT, "ø", CONTENT_SUMMARY_MAX, "videos", "0", "summary", "en");
    OVER(MAX_TEXT, "videos[0].summary.en is longer than 1000", "ø", CONTENT_SUMMARY_MAX + 1,
         "videos", "0", "summary", "en");
    AT_LIMIT(MAX_TEXT, "å", CONTENT_LEGAL_MAX, "legal_basis");
    OVER(MAX_TEXT, "legal_basis is longer than 500", "å", CONTENT_LEGAL_MAX + 1, "legal_basis");
    AT_LIMIT(MAX_TEXT, "å", CONTENT_MEDIA_MAX, "videos", "0", "media");
    OVER(MAX_TEXT, "videos[0].media is longer than 200", "å", CONTENT_MEDIA_MAX + 1, "videos",
         "0", "media");
    AT_LIMIT(MAX_TEXT, "æ", CONTENT_QUESTION_MAX, "videos", "0", "questions", "1", "text", "da");
    OVER(MAX_TEXT, "videos[0].questions[1].text.da is longer than 1000", "æ",
         CONTENT_QUESTION_MAX + 1, "videos", "0", "questions", "1", "text", "da");
    AT_LIMIT(MAX_TEXT, "æ", CONTENT_TOPIC_MAX, "videos", "0", "questions", "0", "topic", "en");
    OVER(MAX_TEXT, "videos[0].questions[0].topic.en is longer than 200", "æ",
         CONTENT_TOPIC_MAX + 1, "videos", "0", "questions", "0", "topic", "en");
    AT_LIMIT(MAX_TEXT, "ø", CONTENT_EXPLANATION_MAX, "videos", "0", "questions", "0",
             "explanation", "en");
    OVER(MAX_TEXT, "videos[0].questions[0].explanation.en is longer than 2000", "ø",
         CONTENT_EXPLANATION_MAX + 1, "videos", "0", "questions", "0", "explanation", "en");
    AT_LIMIT(MAX_TEXT, "æ", CONTENT_OPTION_MAX, "videos", "0", "questions", "1", "options",
             "2", "text", "da");
    OVER(MAX_TEXT, "videos[0].questions[1].options[2].text.da is longer than 500", "æ",
         CONTENT_OPTION_MAX + 1, "videos", "0", "questions", "1", "options", "2", "text", "da");
    /* the long texts at [staff] max_content_text, here 300 */
    AT_LIMIT(300, "æ", 300, "written_guidance", "da");
    OVER(300, "written_guidance.da is longer than 300", "æ", 301, "written_guidance", "da");
    AT_LIMIT(300, "æ", 300, "videos", "0", "transcript", "en");
    OVER(300, "videos[0].transcript.en is longer than 300", "æ", 301, "videos", "0",
         "transcript", "en");
    /* the other languages by the same limits: 200 Arabic letters are 400 bytes */
    AT_LIMIT(MAX_TEXT, "ب", CONTENT_TITLE_MAX, "translations", "ar", "v.v1.title");
    OVER(MAX_TEXT, "translations.ar.v.v1.title is longer than 200", "ب", CONTENT_TITLE_MAX + 1,
         "translations", "ar", "v.v1.title");
    AT_LIMIT(MAX_TEXT, "ї", CONTENT_OPTION_MAX, "translations", "uk", "v.v1.q.q2.o3");
    OVER(MAX_TEXT, "translations.uk.v.v1.q.q2.o3 is longer than 500", "ї",
         CONTENT_OPTION_MAX + 1, "translations", "uk", "v.v1.q.q2.o3");
    OVER(300, "translations.ar.guidance is longer than 300", "ب", 301, "translations", "ar",
         "guidance");
    /* a group's name has no limit of its own here */
    AT_LIMIT(MAX_TEXT, "æ", 5000, "group", "name", "da");
#undef AT_LIMIT
#undef OVER
}

/* Captions are read from their file and held to max_content_text like the text version. */
static void test_caption_file_limit(void **state)
{
    struct fixture *f = *state;
    char path[160], err[256];
    char *body = repeat("æ", 293); /* "WEBVTT\n" and 293 characters: 300 */
    char vtt[1024];
    snprintf(vtt, sizeof vtt, "WEBVTT\n%s", body);
    free(body);
    snprintf(path, sizeof path, "%s/c/v1.da.vtt", f->dir);
    write_file(path, vtt);
    json_error_t je;
    json_t *doc = json_loads(pack_json, 0, &je);
    struct model_pack *p = parse_doc(doc, f->dir, 300, err, sizeof err);
    assert_non_null(p);
    model_pack_free(p);
    assert_null(parse_doc(doc, f->dir, 299, err, sizeof err));
    assert_non_null(strstr(err, "videos[0].captions.da is longer than 299 characters"));
    json_decref(doc);
}

/* Publishing holds a draft to the same limits (content_pack_check), naming where. */
static void test_check_counts_characters(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct content_problem pr;
    struct model_pack *p = parse(pack_json, f->dir, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    struct model_option *o = &p->videos[0].questions[1].options[1];
    free(o->text[LANG_EN]);
    o->text[LANG_EN] = repeat("æ", CONTENT_OPTION_MAX); /* 1000 bytes: fits */
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    free(o->text[LANG_EN]);
    o->text[LANG_EN] = repeat("æ", CONTENT_OPTION_MAX + 1);
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "text_too_long");
    assert_string_equal(pr.field, "option");
    assert_string_equal(pr.lang, "en");
    assert_int_equal(pr.video, 1);
    assert_int_equal(pr.question, 2);
    assert_int_equal(pr.option, 2);
    assert_int_equal(pr.max, CONTENT_OPTION_MAX);
    /* the long texts by the limit given */
    free(o->text[LANG_EN]);
    o->text[LANG_EN] = repeat("x", 3);
    free(p->guidance[LANG_DA]);
    p->guidance[LANG_DA] = repeat("ø", 300);
    assert_int_equal(content_pack_check(p, 300, &pr), 0);
    assert_int_equal(content_pack_check(p, 299, &pr), -1);
    assert_string_equal(pr.field, "guidance");
    assert_string_equal(pr.lang, "da");
    assert_int_equal(pr.video, 0);
    assert_int_equal(pr.max, 299);
    model_pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_pack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_packs_name_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_question_and_option_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_and_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_add_and_save, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planned_publication, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_plans_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_is_stable_and_follows_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_publishes_only_on_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_right_answer_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_limits_in_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caption_file_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_counts_characters, setup, teardown),
        cmocka_unit_test(test_validity),
        cmocka_unit_test_setup_teardown(test_check_dates, setup, teardown),
    };
    return cmocka_run_group_tests_name("content", tests, NULL, NULL);
}
