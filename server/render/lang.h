/* lang — the languages of the citizen pages, as data.
 *
 * templates/lang/languages.json lists the languages ([{"code", "name", "dir"}], name in
 * the language itself, dir "ltr" or "rtl"); templates/lang/<code>.json holds each one's UI
 * strings.  A language's strings are the Danish ones with its own laid over them, so a
 * key it lacks shows in Danish.  Adding a language is adding a line and a file: no code.
 * Danish ("da") and English ("en") must be in the list: the model's built-in content
 * columns are Danish and English (enum lang), every other language's pack texts are the
 * pack's translations (model_pack.translations) with Danish where one is missing.
 *
 * The list is built once at start and only read afterwards (any thread).
 */
#ifndef VEJLED_LANG_H
#define VEJLED_LANG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "tmpl.h"

#define LANG_CODE_MAX 12 /* "da", "ar", "pt-br": lowercase letters and '-', 2–11 chars */
#define LANG_MAX 32

struct lang_info {
    char code[LANG_CODE_MAX];
    char name[64];       /* in the language itself: "Dansk", "العربية" */
    bool rtl;            /* written right to left */
    bool example;        /* "example": true — its texts are example translations (the
                          * pages say so) */
    enum lang base;      /* built-in content column: LANG_EN for "en", else LANG_DA */
    json_t *strings;     /* the UI strings, Danish for every key it lacks (owned) */
};

struct lang_list {
    struct lang_info items[LANG_MAX];
    size_t n;
};

/* Loads dir/lang/languages.json ([{"code", "name", "dir", "example"}]) and every language's dir/lang/<code>.json into *l.
 * 0, or -1 with a message (bad list, duplicate or malformed code, da or en missing, a
 * strings file that is not a JSON object, more than LANG_MAX languages).  On error *l is
 * left empty.  Free with lang_list_free(). */
int lang_list_load(struct lang_list *l, const char *dir, char *err, size_t errlen);
void lang_list_free(struct lang_list *l);

/* Pre-renders set for every language's strings under "t" (tmpl_set_bind), unless
 * pre-rendering is off (prerender.h).  l must outlive set.  0 or -1. */
int lang_list_bind(const struct lang_list *l, tmpl_set *set);

/* 1 when code is a well-formed language code (see LANG_CODE_MAX), else 0. */
int lang_code_ok(const char *code);

/* The language with that code; NULL if none (or code NULL).  Borrowed from l. */
const struct lang_info *lang_find(const struct lang_list *l, const char *code);

/* The name of the language code for a reader of strings (a language's UI strings):
 * strings' "lang_name_<code>" ("arabisk"), else the language's own name in l (l may be
 * NULL; "العربية"), else the code itself.  Borrowed from strings, l or code. */
const char *lang_name_for(const struct lang_list *l, const json_t *strings, const char *code);

/* The best of l's languages for an Accept-Language header ("ar-SA,ar;q=0.9,en;q=0.5"):
 * the highest q that names one (exactly, or by its primary subtag); q=0 never; ties go
 * to the one listed first in the header.  NULL when none matches or header is NULL. */
const struct lang_info *lang_from_accept(const struct lang_list *l, const char *header);

/* Plural categories (CLDR cardinal): which form of a counted word a number takes. */
enum lang_plural {
    LANG_PLURAL_ZERO,
    LANG_PLURAL_ONE,
    LANG_PLURAL_TWO,
    LANG_PLURAL_FEW,
    LANG_PLURAL_MANY,
    LANG_PLURAL_OTHER
};

/* The category of the whole number n in the language code, by its CLDR rule: Arabic ("ar")
 * zero 0, one 1, two 2, few n%100 in 3..10, many n%100 in 11..99, other the rest;
 * Ukrainian ("uk") one n%10 = 1 but not n%100 = 11, few n%10 in 2..4 but not n%100 in
 * 12..14, many the rest; Danish, English and every other language one 1, other the rest. */
enum lang_plural lang_plural_of(const char *code, unsigned long long n);

/* "zero", "one", "two", "few", "many", "other". */
const char *lang_plural_name(enum lang_plural p);

/* The phrase for n of the counted text key into out (size bytes, NUL-terminated; where it
 * does not fit, cut short before the character that does not fit whole); its length.  The
 * phrase is strings' "<key>_<category>" (lang_plural_of the language code), else
 * "<key>_other", else "<key>", with every "{{n}}" in it replaced by n in decimal; nothing
 * found: n alone.  A language's file may give only the forms it has (Danish "_one" and
 * "_other"; Arabic all six). */
size_t lang_count(const json_t *strings, const char *code, const char *key,
                  unsigned long long n, char *out, size_t size);

/* [{"code", "name", "dir", "current"}] for the language switch (new reference): every
 * language of l, or (only not NULL) those whose code is in the JSON array only, and the
 * current one in any case. */
json_t *lang_list_json(const struct lang_list *l, const char *current, const json_t *only);

#endif
