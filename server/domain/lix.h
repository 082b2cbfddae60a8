/* lix — how easy a Danish text is to read: LIX (Björnsson's läsbarhetsindex), the words
 * per sentence plus the percentage of long words (more than LIX_LONG_LETTERS letters).
 * Below 30 is very easy, 30–40 easy (everyday texts), above 40 the plain-language goal
 * for citizens is missed.  Pure functions of the text; nothing is allocated.
 *
 * A word is a run of letters and digits (UTF-8: a character beyond ASCII counts as a
 * letter), joined across a hyphen ("a-kasse" is one word of six letters).  A sentence
 * ends at . ! ? or : followed by a space, a line break or the end, at a line break after
 * a line without such a mark (a list item), and at the end of the text.  A point between
 * two characters ("kl. 10.00" has one, "10.00" none) does not end a sentence. */
#ifndef VEJLED_LIX_H
#define VEJLED_LIX_H

#define LIX_LONG_LETTERS 6 /* a long word has more letters than this */
#define LIX_MIN_WORDS 10   /* fewer words than this: too short to measure */
#define LIX_PLAIN_MAX 40   /* the plain-language limit for citizen-facing Danish */

struct lix_counts {
    unsigned words;
    unsigned long_words;
    unsigned sentences;
};

/* Counts the words, long words and sentences of a NUL-terminated UTF-8 text (NULL: 0). */
void lix_count(const char *text, struct lix_counts *out);

/* The text's LIX rounded to a whole number, or -1 when it has fewer than LIX_MIN_WORDS
 * words. */
int lix_of(const char *text);

#endif
