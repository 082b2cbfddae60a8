/* Unit tests for packedit.c and content_pack_check(): what an uploaded video must look
 * like, and the rules a draft must meet before it is published. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "mem.h"
#include "packedit.h"

/* [staff] max_content_text at its default */
#define MAX_TEXT 20000

static void test_media_type(void **state)
{
    (void)state;
    const char mp4[16] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 1};
    const char webm[8] = {0x1a, 0x45, (char)0xdf, (char)0xa3, 1, 0, 0, 0};
    assert_string_equal(packedit_media_type(mp4, sizeof mp4, "video/mp4"), "mp4");
    assert_string_equal(packedit_media_type(mp4, sizeof mp4, "VIDEO/MP4"), "mp4");
    assert_string_equal(packedit_media_type(webm, sizeof webm, "video/webm"), "webm");
    /* the declared type and the bytes must agree */
    assert_null(packedit_media_type(mp4, sizeof mp4, "video/webm"));
    assert_null(packedit_media_type(webm, sizeof webm, "video/mp4"));
    assert_null(packedit_media_type(mp4, sizeof mp4, "text/html"));
    assert_null(packedit_media_type(mp4, sizeof mp4, NULL));
    assert_null(packedit_media_type("<html>hello</html>", 18, "video/mp4"));
    assert_null(packedit_media_type(mp4, 8, "video/mp4")); /* too short */
}

/* A pack with one video, one single-choice question, two options. */
static struct model_pack *pack_new(void)
{
    struct model_pack *p = xcalloc(1, sizeof *p);
    p->guidance[LANG_DA] = xstrdup("Du har ret til og pligt til …");
    p->n_videos = 1;
    p->videos = xcalloc(1, sizeof *p->videos);
    struct model_video *v = &p->videos[0];
    v->title[LANG_DA] = xstrdup("Titel");
    v->transcript[LANG_DA] = xstrdup("Tekst");
    v->media = xstrdup("film.mp4");
    v->captions[LANG_DA] = xstrdup("WEBVTT\n");
    v->captions[LANG_EN] = xstrdup("");
    v->n_questions = 1;
    v->questions = xcalloc(1, sizeof *v->questions);
    struct model_question *q = &v->questions[0];
    q->text[LANG_DA] = xstrdup("Spørgsmål?");
    q->topic[LANG_DA] = xstrdup("Emne");
    q->explanation[LANG_DA] = xstrdup("Fordi …");
    q->n_options = 2;
    q->options = xcalloc(2, sizeof *q->options);
    q->options[0].text[LANG_DA] = xstrdup("Ja");
    q->options[0].correct = true;
    q->options[1].text[LANG_DA] = xstrdup("Nej");
    return p;
}

static void replace(char **dst, const char *s)
{
    free(*dst);
    *dst = xstrdup(s);
}

static void expect(struct model_pack *p, const char *code, size_t video, size_t question)
{
    struct content_problem pr;
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, code);
    assert_int_equal(pr.video, video);
    assert_int_equal(pr.question, question);
    model_pack_free(p);
}

static void test_pack_check(void **state)
{
    (void)state;
    struct content_problem pr;
    struct model_pack *p = pack_new();
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    model_pack_free(p);

    p = pack_new();
    replace(&p->videos[0].title[LANG_DA], "");
    expect(p, "title_missing", 1, 0);
    p = pack_new();
    replace(&p->videos[0].transcript[LANG_DA], "");
    expect(p, "transcript_missing", 1, 0);
    p = pack_new();
    replace(&p->videos[0].media, "../secret");
    expect(p, "media_name", 1, 0);
    p = pack_new();
    replace(&p->videos[0].captions[LANG_EN], "not vtt");
    expect(p, "captions_not_vtt", 1, 0);
    p = pack_new();
    replace(&p->videos[0].questions[0].text[LANG_DA], "");
    expect(p, "question_text_missing", 1, 1);
    p = pack_new();
    replace(&p->videos[0].questions[0].topic[LANG_DA], "");
    expect(p, "topic_missing", 1, 1);
    p = pack_new();
    replace(&p->videos[0].questions[0].explanation[LANG_DA], "");
    expect(p, "explanation_missing", 1, 1);
    /* the written guidance is the letter: not published without its Danish text */
    p = pack_new();
    replace(&p->guidance[LANG_DA], "");
    expect(p, "guidance_missing", 0, 0);
    p = pack_new();
    replace(&p->videos[0].questions[0].options[1].text[LANG_DA], "");
    expect(p, "option_text_missing", 1, 1);
    p = pack_new();
    p->videos[0].questions[0].options[0].correct = false;
    expect(p, "right_options", 1, 1);
    p = pack_new();
    p->videos[0].questions[0].options[1].correct = true; /* two right, single choice */
    expect(p, "right_options", 1, 1);
    p = pack_new();
    p->videos[0].questions[0].multiple = true;
    p->videos[0].questions[0].options[1].correct = true; /* two right, multiple choice: fine */
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    model_pack_free(p);
    p = pack_new();
    model_option_free(&p->videos[0].questions[0].options[1]);
    p->videos[0].questions[0].n_options = 1;
    expect(p, "too_few_options", 1, 1);
}

/* A video may have no more questions than a citizen can answer in one form, a question no
 * more options than an answer can choose: publishing refuses more, and the editor adds
 * none beyond them, changing nothing. */
static void test_question_and_option_limits(void **state)
{
    (void)state;
    struct content_problem pr;
    struct model_pack *p = pack_new();
    struct model_video *v = &p->videos[0];
    while (v->n_questions < MODEL_MAX_QUESTIONS) {
        struct model_question *q = packedit_question_add(p, v, "Emne");
        assert_non_null(q);
        replace(&q->text[LANG_DA], "Spørgsmål?");
        replace(&q->topic[LANG_DA], "Emne");
        replace(&q->explanation[LANG_DA], "Fordi.");
        for (int i = 0; i < 2; i++) {
            struct model_option *o = packedit_option_add(q);
            assert_non_null(o);
            replace(&o->text[LANG_DA], i ? "Nej" : "Ja");
            o->correct = i == 0;
        }
    }
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0); /* the most there may be: publishable */
    struct model_question *first = v->questions;
    assert_null(packedit_question_add(p, v, "Emne"));
    assert_int_equal(v->n_questions, MODEL_MAX_QUESTIONS);
    assert_ptr_equal(v->questions, first);
    /* one question more, from a stored draft or a pack file: refused by the pack rules */
    v->questions = xrealloc(v->questions, (MODEL_MAX_QUESTIONS + 1) * sizeof *v->questions);
    struct model_question *extra = &v->questions[MODEL_MAX_QUESTIONS];
    memset(extra, 0, sizeof *extra);
    v->n_questions++;
    replace(&extra->text[LANG_DA], "Spørgsmål?");
    replace(&extra->topic[LANG_DA], "Emne");
    replace(&extra->explanation[LANG_DA], "Fordi.");
    for (int i = 0; i < 2; i++) {
        struct model_option *o = packedit_option_add(extra);
        replace(&o->text[LANG_DA], i ? "Nej" : "Ja");
        o->correct = i == 0;
    }
    expect(p, "too_many_questions", 1, 0);

    p = pack_new();
    struct model_question *q = &p->videos[0].questions[0];
    while (q->n_options < MODEL_MAX_OPTIONS)
        replace(&packedit_option_add(q)->text[LANG_DA], "Måske");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    struct model_option *opts = q->options;
    assert_null(packedit_option_add(q));
    assert_int_equal(q->n_options, MODEL_MAX_OPTIONS);
    assert_ptr_equal(q->options, opts);
    q->options = xrealloc(q->options, (MODEL_MAX_OPTIONS + 1) * sizeof *q->options);
    memset(&q->options[MODEL_MAX_OPTIONS], 0, sizeof *q->options);
    q->options[MODEL_MAX_OPTIONS].text[LANG_DA] = xstrdup("Aldrig");
    q->n_options++;
    expect(p, "too_many_options", 1, 1);
}

static void test_topic_slug(void **state)
{
    (void)state;
    char out[MODEL_SLUG_MAX];
    packedit_topic_slug("  Æbler og ØL på Ærø! ", out);
    assert_string_equal(out, "aebler-og-oel-paa-aeroe");
    packedit_topic_slug("Rådighed & ferie", out);
    assert_string_equal(out, "raadighed-ferie");
    packedit_topic_slug("!!! ???", out);
    assert_string_equal(out, "emne");
    packedit_topic_slug("", out);
    assert_string_equal(out, "emne");
    char longer[300];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    packedit_topic_slug(longer, out);
    assert_true(strlen(out) > 0 && strlen(out) <= MODEL_SLUG_MAX - 8);
}

static void test_structure(void **state)
{
    (void)state;
    struct content_problem pr;
    struct model_pack *p = pack_new();
    snprintf(p->videos[0].slug, sizeof p->videos[0].slug, "video-2");
    snprintf(p->videos[0].questions[0].slug, MODEL_SLUG_MAX, "spoergsmaal-1");
    snprintf(p->videos[0].questions[0].topic_key, MODEL_SLUG_MAX, "emne-fra-fil");

    /* a new video: a slug of its own, every text "" (not NULL), last */
    struct model_video *v = packedit_video_add(p);
    assert_int_equal(p->n_videos, 2);
    assert_string_equal(v->slug, "video-3");
    assert_non_null(v->title[LANG_EN]);
    assert_string_equal(v->media, "");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "title_missing");
    assert_int_equal(pr.video, 2);
    replace(&v->title[LANG_DA], "Ny");
    replace(&v->transcript[LANG_DA], "Tekst");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "no_questions");

    /* a question on a topic the pack has: the same key; a new topic: a key of its words */
    struct model_question *q = packedit_question_add(p, v, "Emne");
    assert_string_equal(q->slug, "spoergsmaal-2");
    assert_string_equal(q->topic_key, "emne-fra-fil");
    replace(&q->topic[LANG_DA], "Emne");
    replace(&q->text[LANG_DA], "Hvad?");
    replace(&q->explanation[LANG_DA], "Fordi.");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "too_few_options");
    q = packedit_question_add(p, v, "Rådighed & ferie");
    assert_string_equal(q->topic_key, "raadighed-ferie");
    replace(&q->topic[LANG_DA], "Rådighed og ferie?"); /* the same key, another topic */
    struct model_question *q3 = packedit_question_add(p, v, "Rådighed & ferie");
    assert_string_equal(q3->topic_key, "raadighed-ferie-2");
    assert_string_equal(q3->slug, "spoergsmaal-4");
    assert_int_equal(packedit_question_remove(v, 2), 0);
    assert_int_equal(packedit_question_remove(v, 2), -1);
    assert_int_equal(packedit_question_remove(v, 1), 0);
    assert_int_equal(v->n_questions, 1);

    /* options: two, one right, and the pack passes */
    q = &v->questions[0];
    struct model_option *o = packedit_option_add(q);
    replace(&o->text[LANG_DA], "Ja");
    o->correct = true;
    o = packedit_option_add(q);
    replace(&o->text[LANG_DA], "Nej");
    o = packedit_option_add(q);
    replace(&o->text[LANG_DA], "Måske");
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), 0);
    assert_int_equal(packedit_option_remove(q, 3), -1);
    assert_int_equal(packedit_option_remove(q, 1), 0);
    assert_string_equal(q->options[1].text[LANG_DA], "Måske");
    assert_int_equal(packedit_option_remove(q, 0), 0);
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "too_few_options");

    /* moving and removing videos */
    assert_int_equal(packedit_video_move(p, 0, 1), -1); /* the first cannot go up */
    assert_int_equal(packedit_video_move(p, 1, 0), -1); /* the last cannot go down */
    assert_int_equal(packedit_video_move(p, 5, 0), -1);
    assert_int_equal(packedit_video_move(p, 0, 0), 0);
    assert_string_equal(p->videos[0].slug, "video-3");
    assert_string_equal(p->videos[1].slug, "video-2");
    assert_int_equal(packedit_video_move(p, 1, 1), 0);
    assert_string_equal(p->videos[0].slug, "video-2");
    assert_int_equal(packedit_video_remove(p, 2), -1);
    assert_int_equal(packedit_video_remove(p, 0), 0);
    assert_int_equal(p->n_videos, 1);
    assert_string_equal(p->videos[0].slug, "video-3");
    assert_int_equal(packedit_video_remove(p, 0), 0);
    assert_int_equal(content_pack_check(p, MAX_TEXT, &pr), -1);
    assert_string_equal(pr.code, "no_videos");
    model_pack_free(p);
}

/* The publish diff: what changed, where, field by field. */
struct seen {
    char lines[16][256];
    size_t n;
};

static void collect(const struct packedit_change *ch, void *arg)
{
    struct seen *s = arg;
    assert_true(s->n < 16);
    snprintf(s->lines[s->n++], sizeof s->lines[0], "%zu.%zu.%zu %s %s: %s -> %s", ch->video,
             ch->question, ch->option, ch->field, ch->lang, ch->before ? ch->before : "(none)",
             ch->after ? ch->after : "(none)");
}

static void test_diff(void **state)
{
    (void)state;
    struct model_pack *old = pack_new(), *draft = pack_new();
    struct seen s = {0};
    /* the same: nothing */
    assert_int_equal(packedit_diff(old, draft, collect, &s), 0);
    /* a Danish title, an English question text, a right answer and a new option */
    replace(&draft->videos[0].title[LANG_DA], "Ny titel");
    replace(&draft->videos[0].questions[0].text[LANG_EN], "Question?");
    draft->videos[0].questions[0].options[0].correct = false;
    draft->videos[0].questions[0].options[1].correct = true;
    struct model_question *q = &draft->videos[0].questions[0];
    q->options = xrealloc(q->options, 3 * sizeof *q->options);
    memset(&q->options[2], 0, sizeof q->options[2]);
    q->options[2].text[LANG_DA] = xstrdup("Måske");
    q->n_options = 3;
    assert_int_equal(packedit_diff(old, draft, collect, &s), 5);
    assert_string_equal(s.lines[0], "1.0.0 title da: Titel -> Ny titel");
    assert_string_equal(s.lines[1], "1.1.0 text en:  -> Question?");
    assert_string_equal(s.lines[2], "1.1.1 correct : ja -> nej");
    assert_string_equal(s.lines[3], "1.1.2 correct : nej -> ja");
    assert_string_equal(s.lines[4], "1.1.3 option da: (none) -> Måske");
    /* nothing published: every part is new */
    s.n = 0;
    assert_true(packedit_diff(NULL, old, collect, &s) > 0);
    assert_string_equal(s.lines[s.n - 1], "1.0.0 video da: (none) -> Titel");
    /* a removed video (the written guidance the same) */
    s.n = 0;
    struct model_pack none = {0};
    none.guidance[LANG_DA] = old->guidance[LANG_DA]; /* borrowed, not freed */
    assert_int_equal(packedit_diff(old, &none, collect, &s), 1);
    assert_string_equal(s.lines[0], "1.0.0 video da: Titel -> (none)");
    model_pack_free(old);
    model_pack_free(draft);
}

/* Files in dir (not . and ..). */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* A video is stored whole under its hash; a disk with no room says so apart from other
 * failures and leaves nothing behind. */
static void test_store_media(void **state)
{
    (void)state;
    char dir[] = "/tmp/vejled-media-XXXXXX", name[MODEL_HASH_HEX + 8], path[128];
    assert_non_null(mkdtemp(dir));
    const char film[] = "not really a film";
    assert_int_equal(packedit_store_media(dir, film, sizeof film, "mp4", name), 0);
    assert_int_equal(strlen(name), MODEL_HASH_HEX + 4);
    assert_int_equal(count_files(dir), 1);
    /* the same bytes again: kept */
    assert_int_equal(packedit_store_media(dir, film, sizeof film, "mp4", name), 0);
    assert_int_equal(count_files(dir), 1);
#ifdef VEJLED_TESTING
    /* the test build's full disk (fault.h): FULL, and no temporary file left */
    char flag[160];
    snprintf(flag, sizeof flag, "%s.full", dir);
    FILE *f = fopen(flag, "w");
    assert_non_null(f);
    fclose(f);
    setenv("VEJLED_TEST_DISK_FULL", flag, 1);
    const char other[] = "another film";
    assert_int_equal(packedit_store_media(dir, other, sizeof other, "mp4", name),
                     PACKEDIT_MEDIA_FULL);
    assert_int_equal(count_files(dir), 1);
    unsetenv("VEJLED_TEST_DISK_FULL");
    unlink(flag);
    assert_int_equal(packedit_store_media(dir, other, sizeof other, "mp4", name), 0);
    assert_int_equal(count_files(dir), 2);
#endif
    /* a folder that cannot be made: an error that is not FULL */
    snprintf(path, sizeof path, "%s/%s/sub", dir, name);
    assert_int_equal(packedit_store_media(path, film, sizeof film, "mp4", name), -1);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_pack_check),
        cmocka_unit_test(test_question_and_option_limits),
        cmocka_unit_test(test_topic_slug),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_store_media),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
