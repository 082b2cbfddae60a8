/* range — the HTTP Range request header, single range only (RFC 9110 §14).
 *
 * libmicrohttpd 0.9.75 has no Range support, and Safari plays no video without it, so the
 * static file server answers one "bytes=" range with 206 itself.  Several ranges, other
 * units and malformed headers are ignored (the whole file, 200), as the RFC allows.
 */
#ifndef VEJLED_RANGE_H
#define VEJLED_RANGE_H

#include <stdint.h>

enum range_result {
    RANGE_NONE,          /* no header (NULL or empty): serve 200 */
    RANGE_OK,            /* *first..*last (inclusive) lie within size: serve 206 */
    RANGE_UNSATISFIABLE, /* well-formed but starts at/after size, or size is 0: 416 */
    RANGE_IGNORE         /* malformed, not "bytes", or several ranges: serve 200 */
};

/* Parses header against a representation of size bytes.  Forms: "bytes=a-b", "bytes=a-"
 * and "bytes=-n" (the last n bytes, all of them when n >= size); b past the end is clamped
 * to size-1; "bytes=-0" is unsatisfiable; b < a is malformed; the unit is matched
 * case-insensitively; spaces and tabs around '=' and '-' and at either end are tolerated;
 * numbers that overflow 64 bits are malformed.  *first and *last are set only for
 * RANGE_OK. */
enum range_result range_parse(const char *header, uint64_t size, uint64_t *first,
                              uint64_t *last);

#endif
