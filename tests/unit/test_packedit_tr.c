/* Unit tests for a draft's texts in other languages (packedit_tr_*): set and clear, what
 * a removed video, question or option takes along, and the publish diff in those
 * languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "packedit.h"

/* [staff] max_content_text at its default */
#define MAX_TEXT 20000

/* A pack with video "v1" holding question "q1" with three options. */
static struct model_pack *pack_new(void)
{
    struct model_pack *p = xcalloc(1, sizeof *p);
    struct model_video *v = packedit_video_add(p);
    snprintf(v->slug, sizeof v->slug, "v1");
    struct model_question *q = packedit_question_add(p, v, "Emne");
    snprintf(q->slug, sizeof q->slug, "q1");
    for (int i = 0; i < 3; i++)
        packedit_option_add(q);
    return p;
}

static const char *tr(const struct model_pack *p, const char *code, const char *path)
{
    return content_translation(p, code, path);
}

static void test_paths(void **state)
{
    (void)state;
    struct model_pack *p = pack_new();
    char path[PACKEDIT_TR_PATH_MAX];
    packedit_tr_path(path, NULL, NULL, 0, "guidance");
    assert_string_equal(path, "guidance");
    packedit_tr_path(path, &p->videos[0], NULL, 0, "title");
    assert_string_equal(path, "v.v1.title");
    packedit_tr_path(path, &p->videos[0], &p->videos[0].questions[0], 0, "topic");
    assert_string_equal(path, "v.v1.q.q1.topic");
    packedit_tr_path(path, &p->videos[0], &p->videos[0].questions[0], 2, "");
    assert_string_equal(path, "v.v1.q.q1.o2");
    model_pack_free(p);
}

static void test_set_clear(void **state)
{
    (void)state;
    struct model_pack *p = pack_new();
    packedit_tr_set(p, "ar", "v.v1.title", "عنوان");
    packedit_tr_set(p, "uk", "guidance", "Текст");
    assert_string_equal(tr(p, "ar", "v.v1.title"), "عنوان");
    assert_int_equal(packedit_tr_count(p, "ar"), 1);
    packedit_tr_set(p, "ar", "v.v1.title", "عنوان جديد");
    assert_string_equal(tr(p, "ar", "v.v1.title"), "عنوان جديد");
    /* "" clears; a language without texts goes, then the translations */
    packedit_tr_set(p, "ar", "v.v1.title", "");
    assert_null(tr(p, "ar", "v.v1.title"));
    assert_null(json_object_get(p->translations, "ar"));
    packedit_tr_set(p, "uk", "guidance", NULL);
    assert_null(p->translations);
    packedit_tr_set(p, "ar", "nothing", ""); /* clearing what is not there: nothing */
    assert_null(p->translations);
    model_pack_free(p);
}

static void test_drop(void **state)
{
    (void)state;
    struct model_pack *p = pack_new();
    const char *paths[] = {"v.v1.title", "v.v1.q.q1.text", "v.v1.q.q1.o1", "v.v1.q.q1.o2",
                           "v.v1.q.q1.o3", "guidance"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        packedit_tr_set(p, "ar", paths[i], paths[i]);
    packedit_tr_set(p, "uk", "v.v1.q.q1.o3", "три");
    /* option 2 goes: 3 becomes 2 with its text, the question's own texts stay */
    packedit_tr_drop(p, 1, 1, 2);
    assert_string_equal(tr(p, "ar", "v.v1.q.q1.o1"), "v.v1.q.q1.o1");
    assert_string_equal(tr(p, "ar", "v.v1.q.q1.o2"), "v.v1.q.q1.o3");
    assert_null(tr(p, "ar", "v.v1.q.q1.o3"));
    assert_string_equal(tr(p, "ar", "v.v1.q.q1.text"), "v.v1.q.q1.text");
    assert_string_equal(tr(p, "uk", "v.v1.q.q1.o2"), "три");
    /* the question goes: all of its texts */
    packedit_tr_drop(p, 1, 1, 0);
    assert_null(tr(p, "ar", "v.v1.q.q1.text"));
    assert_null(tr(p, "ar", "v.v1.q.q1.o1"));
    assert_null(json_object_get(p->translations, "uk"));
    assert_string_equal(tr(p, "ar", "v.v1.title"), "v.v1.title");
    /* out of range: nothing */
    packedit_tr_drop(p, 2, 0, 0);
    packedit_tr_drop(p, 1, 5, 0);
    assert_int_equal(packedit_tr_count(p, "ar"), 2);
    /* the video goes: the pack's guidance stays */
    packedit_tr_drop(p, 1, 0, 0);
    assert_null(tr(p, "ar", "v.v1.title"));
    assert_string_equal(tr(p, "ar", "guidance"), "guidance");
    packedit_tr_drop(p, 1, 0, 0);
    assert_int_equal(packedit_tr_count(p, "ar"), 1);
    packedit_tr_set(p, "ar", "guidance", "");
    assert_null(p->translations);
    model_pack_free(p);
}

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
    packedit_tr_set(old, "uk", "v.v1.title", "Назва");
    packedit_tr_set(draft, "uk", "v.v1.title", "Назва");
    assert_int_equal(packedit_diff(old, draft, collect, &s), 0);
    /* a new Arabic title and option, a removed Ukrainian title, the guidance */
    packedit_tr_set(draft, "ar", "v.v1.title", "عنوان");
    packedit_tr_set(draft, "ar", "v.v1.q.q1.o2", "نعم");
    packedit_tr_set(draft, "ar", "guidance", "إرشاد");
    packedit_tr_set(draft, "uk", "v.v1.title", "");
    assert_int_equal(packedit_diff(old, draft, collect, &s), 4);
    assert_string_equal(s.lines[0], "0.0.0 guidance ar:  -> إرشاد");
    assert_string_equal(s.lines[1], "1.0.0 title ar:  -> عنوان");
    assert_string_equal(s.lines[2], "1.0.0 title uk: Назва -> ");
    assert_string_equal(s.lines[3], "1.1.2 option ar:  -> نعم");
    /* nothing published: the pack's own texts are new too (a new video is one change) */
    s.n = 0;
    packedit_diff(NULL, draft, collect, &s);
    int found = 0;
    for (size_t i = 0; i < s.n; i++)
        found += strcmp(s.lines[i], "0.0.0 guidance ar:  -> إرشاد") == 0;
    assert_int_equal(found, 1);
    model_pack_free(old);
    model_pack_free(draft);
}

/* A pack file with one text in Arabic at path (new reference). */
static json_t *doc_with(const char *path)
{
    json_t *doc = json_loads(
        "{\"group\": {\"slug\": \"g\", \"name\": {\"da\": \"G\"}},"
        " \"written_guidance\": {\"da\": \"Tekst\"},"
        " \"videos\": [{\"slug\": \"v1\", \"title\": {\"da\": \"T\"},"
        " \"transcript\": {\"da\": \"X\"}, \"questions\": [{\"slug\": \"q1\","
        " \"kind\": \"single\", \"topic\": {\"key\": \"emne\", \"da\": \"Emne\"},"
        " \"text\": {\"da\": \"?\"}, \"explanation\": {\"da\": \"!\"},"
        " \"options\": [{\"text\": {\"da\": \"Ja\"}, \"correct\": true},"
        " {\"text\": {\"da\": \"Nej\"}}]}]}]}",
        0, NULL);
    assert_non_null(doc);
    json_object_set_new(doc, "translations",
                        json_pack("{s:{s:s}}", "ar", path, "\xd8\xa5\xd8\xb1\xd8\xb4\xd8\xa7\xd8\xaf"));
    return doc;
}

/* A pack file may carry the written guidance in another language ("guidance"). */
static void test_parse_guidance(void **state)
{
    (void)state;
    char err[200];
    struct model_pack *p = NULL;
    struct model_group g;
    json_t *doc = doc_with("guidance");
    assert_int_equal(content_pack_parse(doc, ".", MAX_TEXT, &p, &g, err, sizeof err), 0);
    assert_string_equal(content_translation(p, "ar", "guidance"), "إرشاد");
    model_pack_free(p);
    model_group_clear(&g);
    json_decref(doc);
    doc = doc_with("guidanc");
    assert_int_equal(content_pack_parse(doc, ".", MAX_TEXT, &p, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a text of this pack"));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_set_clear),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_parse_guidance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
