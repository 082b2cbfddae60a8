/* mem — allocation that never returns NULL.
 *
 * Out of memory is not a condition this service can recover from in any useful way, so,
 * as in Redis, every allocation goes through these wrappers, which abort with a message
 * instead of making every caller "handle" NULL.  Everything they return is freed with
 * free().
 */
#ifndef VEJLED_MEM_H
#define VEJLED_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Copies of s (or of its first n bytes, NUL-terminated); NULL in gives NULL out. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
