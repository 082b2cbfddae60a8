/* dynlib — a shared library opened with dlopen() when it is first needed, and the functions
 * used from it found by name, so that a process that never needs it never maps it (libpq,
 * libcurl, the PDF stack).
 *
 * A module lists its functions once, as an X-macro over their names, and keeps them in a
 * struct of pointers typed after the library's own declarations:
 *
 *     #define MOD_FUNCTIONS(X) X(curl_easy_init) X(curl_easy_perform)
 *     #define MOD_FIELD(name) __typeof__(&name) name;
 *     #define MOD_ENTRY(name) DYNLIB_FN(F, name)
 *     static struct { MOD_FUNCTIONS(MOD_FIELD) } F;
 *     static const struct dynlib_fn mod_fns[] = { MOD_FUNCTIONS(MOD_ENTRY) };
 *
 * then calls dynlib_load() once (under a pthread_once) before the first use of F.
 */
#ifndef VEJLED_DYNLIB_H
#define VEJLED_DYNLIB_H

#include <stddef.h>

struct dynlib_fn {
    const char *name;
    void **slot; /* the struct field the function's address is stored in */
};

/* The entry of a struct dynlib_fn table for the field `name` of the struct `fns`.  Storing
 * a function's address through a void ** is POSIX's own way with dlsym (dlsym(3)). */
#define DYNLIB_FN(fns, name) {#name, (void **)&(fns).name},

/* Opens soname (RTLD_NOW | RTLD_LOCAL; never closed) and stores every function of fns[]
 * into its slot.  0; or -1 with err ("cannot load soname: …" or "soname lacks name"), when
 * a slot may be filled or not: none may be used then. */
int dynlib_load(const char *soname, const struct dynlib_fn *fns, size_t n, char *err,
                size_t errlen);

#endif
