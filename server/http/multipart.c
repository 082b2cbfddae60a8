#include "multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

int multipart_boundary(const char *ct, char *out, size_t n)
{
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
        return -1;
    const char *p = ct + 19;
    while ((p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t len;
        if (*p == '"') {
            p++;
            const char *end = strchr(p, '"');
            if (!end)
                return -1;
            len = (size_t)(end - p);
        } else {
            len = strcspn(p, "; \t");
        }
        if (len == 0 || len > 70 || len >= n)
            return -1;
        memcpy(out, p, len);
        out[len] = '\0';
        return 0;
    }
    return -1;
}

/* Copies a parameter (name="value") of a Content-Disposition line into out. */
static int multipart_param(const char *line, size_t linelen, const char *key, char *out,
                           size_t n)
{
    size_t klen = strlen(key);
    out[0] = '\0';
    for (size_t i = 0; i + klen + 2 <= linelen; i++) {
        if ((i == 0 || line[i - 1] == ' ' || line[i - 1] == ';') &&
            strncasecmp(line + i, key, klen) == 0 && line[i + klen] == '=' &&
            line[i + klen + 1] == '"') {
            const char *v = line + i + klen + 2;
            const char *end = memchr(v, '"', linelen - (size_t)(v - line));
            if (!end || (size_t)(end - v) >= n)
                return -1;
            memcpy(out, v, (size_t)(end - v));
            out[end - v] = '\0';
            return 1;
        }
    }
    return 0;
}

/* Reads the headers of one part (from p to the blank line); fills part, *data gets where
 * its data begins.  0 or -1. */
static int multipart_headers(const char *p, const char *end, struct multipart_part *part,
                             const char **data)
{
    int named = 0;
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol)
            return -1;
        if (eol == p) {
            *data = p + 2;
            return named ? 0 : -1;
        }
        size_t len = (size_t)(eol - p);
        if (len > 1024)
            return -1;
        if (len > 20 && strncasecmp(p, "Content-Disposition:", 20) == 0) {
            const char *v = p + 20;
            while (*v == ' ')
                v++;
            if (strncasecmp(v, "form-data", 9) != 0)
                return -1;
            if (multipart_param(p, len, "name", part->name, sizeof part->name) != 1 ||
                !part->name[0] ||
                multipart_param(p, len, "filename", part->filename, sizeof part->filename) < 0)
                return -1;
            named = 1;
        } else if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
            const char *v = p + 13;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(eol - v);
            if (vl >= sizeof part->content_type)
                return -1;
            memcpy(part->content_type, v, vl);
            part->content_type[vl] = '\0';
        }
        p = eol + 2;
    }
    return -1;
}

int multipart_parse(const char *body, size_t len, const char *boundary, size_t max_parts,
                    struct multipart *out)
{
    char delim[80];
    int dn = snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    if (dn <= 4 || (size_t)dn >= sizeof delim || !body)
        return -1;
    memset(out, 0, sizeof *out);
    const char *end = body + len;
    /* the first boundary may come without the leading CRLF */
    if (len < (size_t)dn - 2 || memcmp(body, delim + 2, (size_t)dn - 2) != 0)
        goto fail;
    const char *p = body + dn - 2;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return 0; /* the closing boundary */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n' || out->n >= max_parts)
            goto fail;
        p += 2;
        struct multipart_part part;
        memset(&part, 0, sizeof part);
        const char *data;
        if (multipart_headers(p, end, &part, &data))
            goto fail;
        const char *next = memmem(data, (size_t)(end - data), delim, (size_t)dn);
        if (!next)
            goto fail;
        part.data = data;
        part.len = (size_t)(next - data);
        out->parts = xrealloc(out->parts, (out->n + 1) * sizeof *out->parts);
        out->parts[out->n++] = part;
        p = next + dn;
    }
fail:
    multipart_free(out);
    return -1;
}

const struct multipart_part *multipart_get(const struct multipart *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->parts[i].name, name) == 0)
            return &m->parts[i];
    return NULL;
}

void multipart_free(struct multipart *m)
{
    if (!m)
        return;
    free(m->parts);
    m->parts = NULL;
    m->n = 0;
}
