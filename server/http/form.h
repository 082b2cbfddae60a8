/* form — application/x-www-form-urlencoded bodies and query strings.
 *
 * Citizen and staff pages are plain HTML forms that must work without JavaScript, so the
 * forms they post are parsed here: '&'-separated name=value pairs, '+' as space, %XX
 * escapes.  Input that is not valid UTF-8 after decoding, holds a NUL, or has a broken
 * escape is rejected whole: a handler never sees half a form.
 */
#ifndef VEJLED_FORM_H
#define VEJLED_FORM_H

#include <stddef.h>

struct form_field {
    char *name;  /* decoded, owned by the form */
    char *value; /* decoded, owned by the form; "" for "name" or "name=" */
};

struct form {
    struct form_field *fields; /* in input order; repeated names are kept */
    size_t n;
};

enum form_status {
    FORM_OK = 0,
    FORM_MALFORMED = -1, /* bad %-escape, NUL, invalid UTF-8, empty name */
    FORM_TOO_MANY = -2,  /* more than max_fields fields */
    FORM_TOO_LONG = -3   /* a decoded name or value longer than max_len bytes */
};

/* Parses len bytes of body into out (which must be zeroed or freed before).  body need not
 * be NUL-terminated; it may be NULL when len is 0.  Empty pairs ("a=1&&b=2", trailing '&')
 * are skipped; a pair without '=' has the value "", and a pair's first '=' splits it (later
 * ones belong to the value).  max_fields and max_len are exact limits (0 allows none, it
 * does not mean unlimited).  The first problem in input order decides the status.  On any
 * error out is left empty. */
enum form_status form_parse(const char *body, size_t len, size_t max_fields, size_t max_len,
                            struct form *out);

/* Appends one field (value: len bytes, copied), held to the same rules as form_parse: a
 * value with a NUL or invalid UTF-8, or an empty name, is FORM_MALFORMED and adds nothing.
 * For the text fields of a multipart form. */
enum form_status form_add(struct form *f, const char *name, const char *value, size_t len);

/* The first value of name, or NULL.  Borrowed from f. */
const char *form_get(const struct form *f, const char *name);

/* Fills vals (borrowed) with up to max values of name in order; returns how many there are
 * in all (may exceed max). */
size_t form_get_all(const struct form *f, const char *name, const char **vals, size_t max);

/* Frees everything in f and leaves it empty.  NULL is fine. */
void form_free(struct form *f);

#endif
