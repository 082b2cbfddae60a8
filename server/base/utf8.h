/* utf8 — UTF-8 as people count it.
 *
 * Limits a person is told ("højst 200 tegn", "at most 200 characters") count characters:
 * Unicode code points, so "æ" (two bytes) is one and "ب" (two bytes) is one.  Every such
 * limit is checked with utf8_chars(), on every path that holds a text to it (forms, the
 * API, pack files, publishing), so that a text accepted on one is accepted on the others.
 * The decoding is strict RFC 3629: no overlong forms, no UTF-16 surrogates, nothing
 * above U+10FFFF. */
#ifndef VEJLED_UTF8_H
#define VEJLED_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The most bytes one character takes. */
#define UTF8_CHAR_MAX 4

/* Whether the n bytes at s are valid UTF-8 (n may hold no NUL; s need not end in one). */
bool utf8_valid(const char *s, size_t n);

/* The characters of the NUL-terminated s: its valid sequences, each one, and every byte
 * that is not part of a valid sequence one more (as a reader that shows U+FFFD for it
 * would), so a text is never fewer characters than its bytes / UTF8_CHAR_MAX.  NULL: 0. */
size_t utf8_chars(const char *s);

/* Whether s has at most max characters (utf8_chars); stops counting past max. */
bool utf8_fits(const char *s, size_t max);

#endif
