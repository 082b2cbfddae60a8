/* pg_placeholders — `?` and `?N` to $N outside strings, identifiers and comments. */
#include "pg_placeholders.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* Length of a dollar-quote tag ($$ or $tag$) starting at p, or 0 when p starts none. */
static size_t dollar_tag(const char *p)
{
    if (p[0] != '$')
        return 0;
    size_t i = 1;
    if (p[i] != '$') {
        if (!(isalpha((unsigned char)p[i]) || p[i] == '_' || (unsigned char)p[i] >= 0x80))
            return 0;
        while (isalnum((unsigned char)p[i]) || p[i] == '_' || (unsigned char)p[i] >= 0x80)
            i++;
        if (p[i] != '$')
            return 0;
    }
    return i + 1;
}

/* Reads a decimal number at *p (advancing it); -1 when above PG_MAX_PARAMS. */
static long read_number(const char **p)
{
    long n = 0;
    bool big = false;
    while (isdigit((unsigned char)**p)) {
        if (!big)
            n = n * 10 + (**p - '0');
        if (n > PG_MAX_PARAMS)
            big = true;
        (*p)++;
    }
    return big ? -1 : n;
}

char *pg_placeholders(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    /* "?" becomes at most "$65535": six bytes for one */
    char *out = xmalloc(len * 6 + 1);
    char *o = out;
    const char *p = sql;
    long highest = 0;
    *nparams = 0;
    while (*p) {
        char ch = *p;
        bool prev_ident = p > sql && ident_char(p[-1]);
        if (ch == '\'') { /* a string; E'…' allows backslash escapes */
            bool esc = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
                       !(p - 1 > sql && ident_char(p[-2]));
            *o++ = *p++;
            while (*p) {
                if (esc && *p == '\\' && p[1]) {
                    *o++ = *p++;
                    *o++ = *p++;
                    continue;
                }
                if (*p == '\'') {
                    *o++ = *p++;
                    if (*p == '\'') { /* '' inside the string */
                        *o++ = *p++;
                        continue;
                    }
                    break;
                }
                *o++ = *p++;
            }
        } else if (ch == '"') { /* an identifier; "" inside it */
            *o++ = *p++;
            while (*p) {
                if (*p == '"') {
                    *o++ = *p++;
                    if (*p == '"') {
                        *o++ = *p++;
                        continue;
                    }
                    break;
                }
                *o++ = *p++;
            }
        } else if (ch == '-' && p[1] == '-') { /* to the end of the line */
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (ch == '/' && p[1] == '*') { /* nested, as PostgreSQL reads them */
            int depth = 0;
            while (*p) {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    *o++ = *p++;
                    *o++ = *p++;
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    *o++ = *p++;
                    *o++ = *p++;
                    if (depth == 0)
                        break;
                } else {
                    *o++ = *p++;
                }
            }
        } else if (ch == '$' && !prev_ident && isdigit((unsigned char)p[1])) { /* $N */
            *o++ = *p++;
            const char *digits = p;
            long n = read_number(&p);
            if (n < 1)
                goto bad;
            memcpy(o, digits, (size_t)(p - digits));
            o += p - digits;
            if (n > highest)
                highest = n;
        } else if (ch == '$' && !prev_ident && dollar_tag(p)) { /* $tag$ … $tag$ */
            size_t tl = dollar_tag(p);
            const char *tag = p;
            memcpy(o, p, tl);
            o += tl;
            p += tl;
            while (*p && !(p[0] == '$' && strncmp(p, tag, tl) == 0))
                *o++ = *p++;
            if (*p) {
                memcpy(o, p, tl);
                o += tl;
                p += tl;
            }
        } else if (ch == '?') {
            long n;
            p++;
            if (isdigit((unsigned char)*p)) {
                n = read_number(&p);
                if (n < 1)
                    goto bad;
            } else {
                n = highest + 1;
                if (n > PG_MAX_PARAMS)
                    goto bad;
            }
            if (n > highest)
                highest = n;
            o += sprintf(o, "$%ld", n);
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *nparams = (int)highest;
    return out;
bad:
    free(out);
    return NULL;
}
