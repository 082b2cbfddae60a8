/* fuzz_router: the route matcher (router.h) against the service's route patterns.
 * Byte 0 picks the method, the rest is the path.  A match's parameters are non-empty,
 * hold no '/', and fit ROUTER_PARAM_MAX; METHOD_NOT_ALLOWED comes with an Allow set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct route table[] = {
    {ROUTER_POST, "/api/v1/enrolments", (void *)1, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/enrolments/{id}", (void *)2, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/citizens/{id}/journal", (void *)3, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/healthz", (void *)4, AUTH_NONE, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/", (void *)5, AUTH_NONE, BODY_NONE, 0, 0},
    {ROUTER_GET, "/v/{token}", (void *)6, AUTH_NONE, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger", (void *)7, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}", (void *)8, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_POST, "/borger/video/{n}", (void *)9, AUTH_CITIZEN, BODY_FORM, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}/tekst/{lang}", (void *)10, AUTH_CITIZEN, BODY_NONE, 0, 0},
    {ROUTER_GET | ROUTER_POST, "/borger/fravalg", (void *)11, AUTH_CITIZEN, BODY_FORM, 0, 0},
    {ROUTER_GET, "/static/*", (void *)12, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
    {ROUTER_GET, "/media/*", (void *)13, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
};
#define N (sizeof table / sizeof table[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum router_method method = (enum router_method)(1u << (data[0] & 7));
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    struct router_match m;
    unsigned allowed = 0;
    enum router_result r = router_match(table, N, method, path, &m, &allowed);
    if (r == ROUTER_FOUND) {
        if (m.n_params > ROUTER_MAX_PARAMS)
            abort();
        int tail = strchr(m.route->pattern, '*') != NULL;
        for (size_t i = 0; i < m.n_params; i++) {
            size_t n = strnlen(m.params[i], ROUTER_PARAM_MAX);
            if (n >= ROUTER_PARAM_MAX)
                abort();
            if (!tail && (n == 0 || strchr(m.params[i], '/')))
                abort();
        }
    } else if (r == ROUTER_METHOD_NOT_ALLOWED) {
        if (!allowed || (allowed & method))
            abort();
        char allow[128];
        router_allow_header(allowed, allow, sizeof allow);
        if (!allow[0])
            abort();
    }
    free(path);
    return 0;
}
