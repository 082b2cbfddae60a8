#include "form.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"

/* How a body is taken apart.
 *
 * The body is a byte range, not a C string: it comes straight from the network, is not
 * NUL-terminated and may hold anything.  It is walked once, left to right: memchr() finds
 * the next '&', a second memchr() within that pair finds the first '=' (later '='s belong
 * to the value), and each half is decoded into a buffer of its own that is never larger
 * than max_len + 1 bytes, however long the raw half is.  Every byte is looked at a bounded
 * number of times, so the work is linear in len; the field array grows by doubling.
 *
 * Decoding stops at the first problem and the whole form is dropped: a handler sees all of
 * a form or none of it.  When a field is both too long and malformed, whichever problem
 * comes first in the text is the one reported.
 */

static int form_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the n bytes at s ('+' → space, %XX → byte) into a new string in *out. */
static enum form_status form_decode(const char *s, size_t n, size_t max_len, char **out)
{
    enum form_status st = FORM_MALFORMED;
    size_t cap = n < max_len ? n : max_len;
    char *d = xmalloc(cap + 1);
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (n - i < 3)
                goto out;
            int hi = form_hex_value((unsigned char)s[i + 1]);
            int lo = form_hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                goto out;
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0')
            goto out;
        if (len == cap) {
            st = FORM_TOO_LONG;
            goto out;
        }
        d[len++] = (char)c;
    }
    d[len] = '\0';
    if (!utf8_valid(d, len))
        goto out;
    *out = d;
    d = NULL;
    st = FORM_OK;
out:
    free(d);
    return st;
}

static void form_push(struct form *f, size_t *cap, char *name, char *value)
{
    if (f->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        f->fields = xrealloc(f->fields, *cap * sizeof *f->fields);
    }
    f->fields[f->n].name = name;
    f->fields[f->n].value = value;
    f->n++;
}

enum form_status form_parse(const char *body, size_t len, size_t max_fields, size_t max_len,
                            struct form *out)
{
    enum form_status st = FORM_MALFORMED;
    struct form f = {NULL, 0};
    size_t cap = 0;
    char *name = NULL, *value = NULL;
    size_t pos = 0;

    out->fields = NULL;
    out->n = 0;
    if (!body && len)
        goto out;

    while (pos < len) {
        const char *pair = body + pos;
        const char *amp = memchr(pair, '&', len - pos);
        size_t plen = amp ? (size_t)(amp - pair) : len - pos;

        pos += plen;
        if (amp)
            pos++;
        if (plen == 0)
            continue; /* "a=1&&b=2", a leading or trailing '&' */
        if (f.n == max_fields) {
            st = FORM_TOO_MANY;
            goto out;
        }

        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        if (nlen == 0) {
            st = FORM_MALFORMED; /* "=x" */
            goto out;
        }
        st = form_decode(pair, nlen, max_len, &name);
        if (st != FORM_OK)
            goto out;
        if (eq)
            st = form_decode(eq + 1, plen - nlen - 1, max_len, &value);
        else
            value = xstrdup("");
        if (st != FORM_OK)
            goto out;
        form_push(&f, &cap, name, value);
        name = value = NULL;
    }
    *out = f;
    f.fields = NULL;
    f.n = 0;
    st = FORM_OK;
out:
    free(name);
    free(value);
    form_free(&f);
    return st;
}

enum form_status form_add(struct form *f, const char *name, const char *value, size_t len)
{
    if (!*name || memchr(value, '\0', len) ||
        !utf8_valid(name, strlen(name)) || !utf8_valid(value, len))
        return FORM_MALFORMED;
    f->fields = xrealloc(f->fields, (f->n + 1) * sizeof *f->fields);
    f->fields[f->n].name = xstrdup(name);
    f->fields[f->n].value = xstrndup(value, len);
    f->n++;
    return FORM_OK;
}

const char *form_get(const struct form *f, const char *name)
{
    if (!f || !name)
        return NULL;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

size_t form_get_all(const struct form *f, const char *name, const char **vals, size_t max)
{
    size_t count = 0;

    if (!f || !name)
        return 0;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->fields[i].name, name) != 0)
            continue;
        if (count < max && vals)
            vals[count] = f->fields[i].value;
        count++;
    }
    return count;
}

void form_free(struct form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->fields[i].name);
        free(f->fields[i].value);
    }
    free(f->fields);
    f->fields = NULL;
    f->n = 0;
}
