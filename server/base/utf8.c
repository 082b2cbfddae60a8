#include "utf8.h"

#include <stdint.h>

/* The length of the valid sequence at s (of n > 0 bytes): 1 to 4, or 0 when s starts with
 * a byte that begins none (a continuation byte, C0, C1, F5..FF), a sequence cut short, an
 * overlong form, a surrogate or a code point above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t more;
    unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        more = 2;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        more = 3;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n - 1 < more || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k <= more; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return more + 1;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* The characters of s, counted up to stop (SIZE_MAX: all). */
static size_t utf8_count(const char *s, size_t stop)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    if (!s)
        return 0;
    /* the sequence's bytes are looked at only up to the NUL: a cut sequence is invalid */
    while (*u && n < stop) {
        size_t left = u[1] == 0 ? 1 : u[2] == 0 ? 2 : u[3] == 0 ? 3 : 4;
        size_t k = utf8_seq(u, left);
        u += k ? k : 1;
        n++;
    }
    return n;
}

size_t utf8_chars(const char *s)
{
    return utf8_count(s, SIZE_MAX);
}

bool utf8_fits(const char *s, size_t max)
{
    return max == SIZE_MAX || utf8_count(s, max + 1) <= max;
}
