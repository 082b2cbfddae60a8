/* multipart — multipart/form-data bodies (RFC 7578), for the administrator's video upload.
 *
 * A plain HTML form with a file input must work without JavaScript, and such a form posts
 * multipart/form-data.  The body is already readable as one piece (the HTTP layer caps its
 * size and keeps an upload in a temporary file mapped into memory), so parsing only finds the parts: each part's name, file name and content type are copied
 * out, its data points into the body.  Anything malformed (no boundary, a part without
 * Content-Disposition form-data and a name, no closing boundary, too many parts, a name
 * or file name too long) rejects the whole body.
 */
#ifndef VEJLED_MULTIPART_H
#define VEJLED_MULTIPART_H

#include <stddef.h>

#define MULTIPART_NAME_MAX 128

struct multipart_part {
    char name[MULTIPART_NAME_MAX];
    char filename[MULTIPART_NAME_MAX]; /* "" when the part is not a file */
    char content_type[MULTIPART_NAME_MAX];
    const char *data;                  /* borrowed from the body */
    size_t len;
};

struct multipart {
    struct multipart_part *parts;      /* owned */
    size_t n;
};

/* The boundary parameter of a multipart/form-data Content-Type into out (at most 70
 * characters, RFC 2046).  0 or -1. */
int multipart_boundary(const char *content_type, char *out, size_t n);

/* Parses body (len bytes) with boundary into out (zeroed before).  0, or -1 with out empty. */
int multipart_parse(const char *body, size_t len, const char *boundary, size_t max_parts,
                    struct multipart *out);

/* The first part called name, or NULL.  Borrowed. */
const struct multipart_part *multipart_get(const struct multipart *m, const char *name);

void multipart_free(struct multipart *m);

#endif
