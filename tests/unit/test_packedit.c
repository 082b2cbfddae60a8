/* Unit tests for packedit.c and content_pack_check(): what an uploaded video must look
 * like, and the rules a draft must meet before it is published. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "packedit.h"

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
    assert_int_equal(content_pack_check(p, &pr), -1);
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
    assert_int_equal(content_pack_check(p, &pr), 0);
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
    assert_int_equal(content_pack_check(p, &pr), 0);
    model_pack_free(p);
    p = pack_new();
    model_option_free(&p->videos[0].questions[0].options[1]);
    p->videos[0].questions[0].n_options = 1;
    expect(p, "too_few_options", 1, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_pack_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
