#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

int dynlib_load(const char *soname, const struct dynlib_fn *fns, size_t n, char *err,
                size_t errlen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "cannot load %s: %s", soname, dlerror());
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(*fns[i].slot = dlsym(h, fns[i].name))) {
            snprintf(err, errlen, "%s lacks %s", soname, fns[i].name);
            return -1;
        }
    }
    return 0;
}
