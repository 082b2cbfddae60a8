/* http — the HTTP server: libmicrohttpd in, our own request and reply types out.
 *
 * The only module that includes microhttpd.h.  It runs libmicrohttpd 0.9.75 with a thread
 * pool over epoll, and does centrally what every route needs, so that no handler can
 * forget it:
 *   - matches the route (router) before the body is read: 404, 405 (with Allow) and 415
 *     are answered at once;
 *   - rejects request smuggling shapes: two different Content-Length headers, and
 *     Content-Length together with Transfer-Encoding (400);
 *   - caps the body: a Content-Length over the route's limit is 413 before a byte is read,
 *     and a body that grows past it while arriving is 413 too (libmicrohttpd caps nothing);
 *   - decides before reading: a request with a body is first shown, headers only, to the
 *     admit hook (authentication and role), so a refused request costs its headers, never
 *     its body; an early answer closes the connection, so the rest is not read at all;
 *   - bounds the memory of bodies: in-memory bodies (forms, JSON) share one budget,
 *     [server] body_budget, and get fallible allocations: over the budget, or out of
 *     memory, the answer is 503 with Retry-After, never an abort; upload bodies
 *     (multipart) go to an unlinked temporary file in the media folder, not to memory
 *     (a full disk there: 503 storage_full with Retry-After HTTP_RETRY_AFTER_FULL);
 *   - lets a handler defer its reply (http_defer): the connection is suspended and holds
 *     no thread until the work it waits for (a group commit) is done;
 *   - adds the security headers to every reply (CSP without inline script,
 *     frame-ancestors 'none', nosniff, Referrer-Policy same-origin) and Cache-Control:
 *     no-store on everything that is not a static file;
 *   - serves file replies with a strong ETag, 304 on If-None-Match, and one byte range
 *     (206/416), which libmicrohttpd lacks and Safari needs to play video;
 *   - logs one line per request: time, method, route pattern (never the raw path, which
 *     may hold a token), status, duration.
 * What happens after a match is the caller's: struct http_hooks gives the route table, a
 * dispatcher that authenticates and calls the handler, and an error-reply builder.
 */
#ifndef VEJLED_HTTP_H
#define VEJLED_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "router.h"

#define HTTP_MAX_HEADERS 12

struct http_request {
    enum router_method method;
    const char *path;               /* without the query string */
    const struct router_match *match;
    const char *body;               /* NUL-terminated copy, body_len bytes; "" if none */
    size_t body_len;
    const char *client_ip;          /* textual address of the client (behind the trusted
                                       proxy: the X-Forwarded-For entry it added) */
    const char *peer_ip;            /* textual address of the connection's peer itself */
    void *conn;                     /* opaque: for the accessors below */
    void *state;                    /* opaque: the request's own state (http_defer) */
};

/* A request header, query argument or cookie by name; NULL if absent.  Borrowed. */
const char *http_header(const struct http_request *r, const char *name);
const char *http_query(const struct http_request *r, const char *name);
const char *http_cookie(const struct http_request *r, const char *name);

struct http_reply {
    int status;                     /* 0 until a handler sets it; 500 if it never does */
    const char *content_type;       /* static string */
    struct buf body;
    char *headers[HTTP_MAX_HEADERS][2]; /* owned name/value pairs */
    size_t n_headers;
    int fd;                         /* >= 0: send this file (owned: closed by http) */
    uint64_t fd_size;
    int64_t fd_mtime;
};

/* Retry-After, in seconds, of a reply that found the disk full (storage_full): space comes
 * back when a person frees it, not within a moment. */
#define HTTP_RETRY_AFTER_FULL "60"

/* Adds a header (copied).  Beyond HTTP_MAX_HEADERS it aborts: a programming error. */
void http_reply_header(struct http_reply *rep, const char *name, const char *value);
/* Sets status, content type and body (copied). */
void http_reply_text(struct http_reply *rep, int status, const char *content_type,
                     const char *body, size_t len);
/* Gives the empty buffer b (data NULL) the buffer of a reply this thread sent before, if
 * one is kept, so that the next reply renders into memory already there; else nothing.
 * Buffers up to HTTP_SPARE_MAX bytes are kept, one per thread. */
#define HTTP_SPARE_MAX (256 * 1024)

/* What a request that takes no body may carry all the same: an empty JSON object with some
 * white space ("{}"); more is 413, anything else 400 body_not_allowed. */
#define HTTP_NO_BODY_MAX 64
void http_buf_reuse(struct buf *b);
/* The same with the bytes of b, taken over without a copy (b is left empty). */
void http_reply_take(struct http_reply *rep, int status, const char *content_type,
                     struct buf *b);
/* Sends a redirect (Location: location) with the given 3xx status. */
void http_reply_redirect(struct http_reply *rep, int status, const char *location);
/* Sends the open file fd (ownership passes to http) with the given type. */
void http_reply_file(struct http_reply *rep, int fd, uint64_t size, int64_t mtime,
                     const char *content_type);

/* A deferred reply.  A handler that has started work finishing on another thread calls
 * http_defer(req, finish, arg) and returns without a status; the connection then waits,
 * suspended (it holds no server thread), until http_deferred_done(d) is called once, from
 * any thread.  Then finish(arg, req, rep) fills the reply on a server thread.  When the
 * request ends without a reply (the client went away, the server stops), finish(arg, NULL,
 * NULL) is called instead.  finish is called exactly once and owns arg. */
typedef void (*http_finish_fn)(void *arg, struct http_request *req, struct http_reply *rep);
struct http_deferred;
struct http_deferred *http_defer(struct http_request *req, http_finish_fn finish, void *arg);
void http_deferred_done(struct http_deferred *d);

struct http_hooks {
    void *ctx;
    const struct route *routes;
    size_t n_routes;
    /* Runs a matched request; fills rep. */
    void (*dispatch)(void *ctx, struct http_request *req, struct http_reply *rep);
    /* Optional: runs on the headers of a matched request that has a body, before any body
     * byte is read (req->body is empty).  0 to read the body, or non-0 having filled rep
     * with the refusal. */
    int (*admit)(void *ctx, struct http_request *req, struct http_reply *rep);
    /* Optional: an OPTIONS request without a body for a path the table has under other
     * methods (allowed: their bits), e.g. a browser's CORS preflight.  0 having filled rep,
     * or non-0 to answer it 405 like any other method the path lacks. */
    int (*preflight)(void *ctx, struct http_request *req, unsigned allowed,
                     struct http_reply *rep);
    /* Fills rep with an error reply (status, machine code, and whether the route is API). */
    void (*error)(void *ctx, const struct http_request *req, int api, int status,
                  const char *code, struct http_reply *rep);
    /* Optional: told of every finished request (route NULL when none matched). */
    void (*observe)(void *ctx, const struct route *route, int status, double ms);
};

struct http_server;

/* Starts serving on cfg's listen address (port 0: any free port).  0 and *out, or -1. */
int http_start(const struct config *cfg, const struct http_hooks *hooks,
               struct http_server **out, char *err, size_t errlen);
/* The port actually bound. */
unsigned http_port(const struct http_server *s);
/* Stops accepting, lets what is in flight finish (for up to cfg's shutdown_timeout
 * seconds), then closes every connection and frees everything.  NULL is fine. */
void http_stop(struct http_server *s);

#endif
