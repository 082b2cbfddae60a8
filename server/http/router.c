#include "router.h"

#include <stdio.h>
#include <string.h>

static const struct {
    enum router_method bit;
    const char *name;
} router_methods[] = {
    {ROUTER_GET, "GET"},       {ROUTER_HEAD, "HEAD"},   {ROUTER_POST, "POST"},
    {ROUTER_PUT, "PUT"},       {ROUTER_DELETE, "DELETE"}, {ROUTER_PATCH, "PATCH"},
    {ROUTER_OPTIONS, "OPTIONS"},
};

enum router_method router_method_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof router_methods / sizeof router_methods[0]; i++)
        if (strcmp(name, router_methods[i].name) == 0)
            return router_methods[i].bit;
    return ROUTER_OTHER;
}

void router_allow_header(unsigned bits, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    if (bits & ROUTER_GET)
        bits |= ROUTER_HEAD;
    for (size_t i = 0; i < sizeof router_methods / sizeof router_methods[0]; i++) {
        if (!(bits & router_methods[i].bit))
            continue;
        int w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", router_methods[i].name);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
}

/* Matches path against pattern, capturing parameters into m. */
static int router_path_matches(const char *pattern, const char *path, struct router_match *m)
{
    const char *p = pattern, *s = path;
    m->n_params = 0;
    while (*p) {
        if (*p == '*' && p[1] == '\0') {
            size_t len = strlen(s);
            if (m->n_params >= ROUTER_MAX_PARAMS || len >= ROUTER_PARAM_MAX)
                return 0;
            memcpy(m->params[m->n_params++], s, len + 1);
            return 1;
        }
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                return 0;
            size_t len = strcspn(s, "/");
            if (len == 0 || len >= ROUTER_PARAM_MAX || m->n_params >= ROUTER_MAX_PARAMS)
                return 0;
            memcpy(m->params[m->n_params], s, len);
            m->params[m->n_params++][len] = '\0';
            p = close + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *s == '\0';
}

enum router_result router_match(const struct route *table, size_t n, enum router_method method,
                                const char *path, struct router_match *out, unsigned *allowed)
{
    unsigned path_methods = 0;
    struct router_match m;
    for (size_t i = 0; i < n; i++) {
        if (!router_path_matches(table[i].pattern, path, &m))
            continue;
        unsigned methods = table[i].methods;
        if (methods & ROUTER_GET)
            methods |= ROUTER_HEAD;
        if (methods & method) {
            *out = m;
            out->route = &table[i];
            return ROUTER_FOUND;
        }
        path_methods |= methods;
    }
    if (path_methods) {
        *allowed = path_methods;
        return ROUTER_METHOD_NOT_ALLOWED;
    }
    return ROUTER_NOT_FOUND;
}
