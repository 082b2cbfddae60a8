#include "range.h"

#include <stdbool.h>
#include <stddef.h>

/* The grammar accepted, OWS being spaces and tabs (RFC 9110 §5.6.3):
 *
 *   OWS "bytes" OWS "=" OWS ( pos OWS "-" OWS [ pos ] | "-" OWS pos ) OWS
 *
 * The unit is compared case-insensitively (§14.1).  Anything else, a ',' included, is
 * RANGE_IGNORE: the caller then serves the whole representation with 200.
 */

static const char *range_skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Reads one or more decimal digits at *p; false on none or on 64-bit overflow. */
static bool range_read_pos(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

/* Matches "bytes" case-insensitively. */
static bool range_read_unit(const char **p)
{
    static const char unit[] = "bytes";
    const char *s = *p;

    for (size_t i = 0; i < sizeof unit - 1; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != unit[i]) /* a NUL never matches, so this stops at the string's end */
            return false;
    }
    *p = s + sizeof unit - 1;
    return true;
}

enum range_result range_parse(const char *header, uint64_t size, uint64_t *first,
                              uint64_t *last)
{
    const char *p = header;
    uint64_t a = 0, b = 0;
    bool suffix = false, open_end = false;

    if (!header || !*header)
        return RANGE_NONE;

    p = range_skip_ows(p);
    if (!range_read_unit(&p))
        return RANGE_IGNORE;
    p = range_skip_ows(p);
    if (*p++ != '=')
        return RANGE_IGNORE;
    p = range_skip_ows(p);

    if (*p == '-') {
        suffix = true;
        p = range_skip_ows(p + 1);
        if (!range_read_pos(&p, &b))
            return RANGE_IGNORE;
    } else {
        if (!range_read_pos(&p, &a))
            return RANGE_IGNORE;
        p = range_skip_ows(p);
        if (*p++ != '-')
            return RANGE_IGNORE;
        p = range_skip_ows(p);
        if (*p >= '0' && *p <= '9') {
            if (!range_read_pos(&p, &b))
                return RANGE_IGNORE;
        } else {
            open_end = true;
        }
    }
    p = range_skip_ows(p);
    if (*p != '\0')
        return RANGE_IGNORE; /* trailing garbage, or a second range after ',' */

    if (!suffix && !open_end && b < a)
        return RANGE_IGNORE; /* invalid range-spec (§14.1.1) */

    if (suffix) {
        /* The last b bytes: "-0" asks for nothing, and an empty file has no last bytes. */
        if (b == 0 || size == 0)
            return RANGE_UNSATISFIABLE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (a >= size)
        return RANGE_UNSATISFIABLE; /* covers size == 0 */
    *first = a;
    *last = open_end || b >= size ? size - 1 : b;
    return RANGE_OK;
}
