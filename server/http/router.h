/* router — the one route table and its matcher.
 *
 * As in the GNU Taler exchange, every URL the service answers is one row of a static table:
 * method, pattern, handler, the kind of authentication, the kind of body and its size cap.
 * The HTTP layer matches a request here before reading its body, so 404, 405, 413 and 415
 * are answered in one place and a handler only ever sees a request that matched its row.
 *
 * Patterns are literal segments, "{name}" (one non-empty segment, at most
 * ROUTER_MAX_PARAMS per route) and a final "*" (the rest of the path, possibly empty).
 * The router knows no HTTP library and no handler type beyond an opaque pointer.
 */
#ifndef VEJLED_ROUTER_H
#define VEJLED_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_PARAM_MAX 256 /* bytes of one captured segment, with the NUL */

enum router_method {
    ROUTER_GET = 1 << 0,
    ROUTER_HEAD = 1 << 1,
    ROUTER_POST = 1 << 2,
    ROUTER_PUT = 1 << 3,
    ROUTER_DELETE = 1 << 4,
    ROUTER_PATCH = 1 << 5,
    ROUTER_OPTIONS = 1 << 6,
    ROUTER_OTHER = 1 << 7
};

enum router_auth {
    AUTH_NONE,    /* public */
    AUTH_API_KEY, /* Authorization: Bearer <api key> */
    AUTH_CITIZEN, /* a citizen session cookie */
    AUTH_CITIZEN_APP, /* a citizen session cookie, or the citizen's link token as bearer */
    AUTH_METRICS, /* GET /metrics: [metrics] token as bearer, or (no token) a loopback client */
    AUTH_STAFF_LOGIN,      /* the staff login page: public, with a pre-login form token */
    AUTH_STAFF_CASEWORKER, /* a staff session of a caseworker or an administrator */
    AUTH_STAFF_ADMIN       /* a staff session of an administrator (others: 403) */
};

enum router_body {
    BODY_NONE, /* no body accepted */
    BODY_JSON, /* application/json */
    BODY_FORM, /* application/x-www-form-urlencoded */
    BODY_UPLOAD /* multipart/form-data (file uploads); cap: [staff] max_upload */
};

enum router_flags {
    ROUTE_API = 1 << 0,    /* errors as JSON ({"error": {...}}) instead of pages */
    ROUTE_STATIC = 1 << 1, /* cacheable, no Cache-Control: no-store */
    ROUTE_CITIZEN = 1 << 2, /* a citizen's personal page */
    /* a GET (or HEAD) of this route reads the database in one snapshot: the handler only
     * reads, or ends the snapshot (store_read_end) before it writes */
    ROUTE_READ_SNAPSHOT = 1 << 3,
    /* readable from the origins in [citizen] app_origins (CORS; OPTIONS answers the
     * preflight) */
    ROUTE_CORS = 1 << 4,
    /* a form whose fields may hold more than [server] max_body_form: its body limit (and
     * field count) is what they may hold, worked out from the configuration at start
     * (app.c), and max_body is 0 */
    ROUTE_SIZED = 1 << 5
};

struct route {
    unsigned methods;      /* enum router_method bits; GET also answers HEAD */
    const char *pattern;
    void *handler;         /* opaque to the router */
    enum router_auth auth;
    enum router_body body;
    size_t max_body;       /* 0: the configured default for the body kind */
    unsigned flags;        /* enum router_flags */
};

struct router_match {
    const struct route *route;
    size_t n_params;
    char params[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX];
};

enum router_result {
    ROUTER_FOUND,
    ROUTER_NOT_FOUND,
    ROUTER_METHOD_NOT_ALLOWED /* the path matched, the method did not: see *allowed */
};

/* Maps a method name ("GET") to its bit; unknown names give ROUTER_OTHER. */
enum router_method router_method_from_name(const char *name);

/* Finds the first row matching method and path (path without query string).  On
 * ROUTER_METHOD_NOT_ALLOWED, *allowed gets the methods the path does have. */
enum router_result router_match(const struct route *table, size_t n, enum router_method method,
                                const char *path, struct router_match *out, unsigned *allowed);

/* Writes the methods in bits as "GET, HEAD, POST" for an Allow header. */
void router_allow_header(unsigned bits, char *out, size_t n);

#endif
