#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
#include "mem.h"
#include "range.h"

#define HTTP_CSP                                                                          \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "         \
    "font-src 'self'; media-src 'self'; connect-src 'self'; form-action 'self'; "       \
    "frame-ancestors 'none'; base-uri 'none'"

/* How long a client refused for want of body memory is asked to wait (seconds). */
#define HTTP_RETRY_AFTER "2"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_hooks hooks;
    const struct config *cfg;
    unsigned port;
    atomic_long in_flight; /* requests begun and not completed: graceful stop waits */
    atomic_size_t body_used; /* bytes of [server] body_budget reserved by requests */
    pthread_mutex_t defer_mu; /* http_state.defer of every request */
    long suspended;           /* connections waiting for deferred work (under defer_mu) */
    pthread_mutex_t log_mu;   /* starting and start_log */
    int starting;             /* in MHD_start_daemon: its messages are kept, not printed */
    char start_log[256];      /* the first of them, for http_start's one line of error */
};

enum http_defer_state {
    DEFER_NONE,
    DEFER_PENDING,   /* http_defer called; the handler has not returned yet */
    DEFER_SUSPENDED, /* the connection waits, holding no thread */
    DEFER_DONE       /* http_deferred_done called: finish and reply */
};

/* Per-request state, from the first call of the access handler to completion. */
struct http_state {
    struct http_server *server;
    struct MHD_Connection *conn;
    struct router_match match;
    enum router_result found;
    unsigned allowed;
    enum router_method method;
    const char *method_name;
    size_t max_body;
    int has_body;
    /* the body: in memory (body, within the budget), or for an upload route in an
     * unlinked temporary file of the media folder (fd), mapped read-only at the end */
    char *body;
    size_t body_len, body_cap;
    size_t reserved;  /* bytes of the server's body budget held */
    int fd;
    char *map;
    size_t map_len;
    int too_large;
    size_t dropped; /* bytes of the body read and dropped since it passed max_body
                     * (at most [server] max_body_drain) */
    int over_budget;  /* no budget or no memory for the body: 503 at its end */
    int io_error;     /* the temporary file could not be written: 500 at the end */
    int io_full;      /* ... because the disk is full: 503 storage_full instead */
    int status;
    /* a reply finished later (http_defer) */
    enum http_defer_state defer;
    http_finish_fn finish;
    void *finish_arg;
    struct timespec start;
    char client_ip[INET6_ADDRSTRLEN];
    char peer_ip[INET6_ADDRSTRLEN]; /* the connection's own peer (client_ip before XFF) */
};

/* ------------------------------------------------------------------ request accessors */

const char *http_header(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* ------------------------------------------------------------------ replies */

void http_reply_header(struct http_reply *rep, const char *name, const char *value)
{
    if (rep->n_headers >= HTTP_MAX_HEADERS) {
        fprintf(stderr, "vejled: http: too many reply headers\n");
        abort();
    }
    rep->headers[rep->n_headers][0] = xstrdup(name);
    rep->headers[rep->n_headers][1] = xstrdup(value);
    rep->n_headers++;
}

/* ------------------------------------------------------------------ per-thread spares */

/* A worker thread keeps the state of its last finished request and the buffer of its last
 * sent reply for the next request on it: both are larger than malloc's per-thread cache
 * holds, so a fresh allocation and release of each per request went through malloc's slow
 * path (and its consolidation of the small free lists) every time.  A thread has spares
 * once it has begun a request (http_access); what finishes on any other thread (the
 * main thread stopping the server) is freed.  Freed when the thread ends. */
struct http_spare {
    struct http_state *state;
    char *reply; /* a malloc'd buffer of malloc_usable_size(reply) bytes */
};

static pthread_key_t http_spare_key;
static pthread_once_t http_spare_once = PTHREAD_ONCE_INIT;
static int http_spare_ok;

static void http_spare_free(void *p)
{
    struct http_spare *sp = p;
    free(sp->state);
    free(sp->reply);
    free(sp);
}

static void http_spare_init(void)
{
    http_spare_ok = pthread_key_create(&http_spare_key, http_spare_free) == 0;
}

/* The calling thread's spares, made when make is set; NULL otherwise (or out of memory). */
static struct http_spare *http_spare(int make)
{
    pthread_once(&http_spare_once, http_spare_init);
    if (!http_spare_ok)
        return NULL;
    struct http_spare *sp = pthread_getspecific(http_spare_key);
    if (!sp && make && (sp = calloc(1, sizeof *sp)) && pthread_setspecific(http_spare_key, sp)) {
        free(sp);
        sp = NULL;
    }
    return sp;
}

/* libmicrohttpd's release of a sent reply's buffer: kept as the thread's spare. */
static void http_reply_release(void *data)
{
    struct http_spare *sp = http_spare(0);
    if (sp && !sp->reply && malloc_usable_size(data) <= HTTP_SPARE_MAX) {
        sp->reply = data;
        return;
    }
    free(data);
}

void http_buf_reuse(struct buf *b)
{
    struct http_spare *sp = b->data ? NULL : http_spare(0);
    if (!sp || !sp->reply)
        return;
    b->data = sp->reply;
    b->cap = malloc_usable_size(sp->reply);
    b->len = 0;
    b->data[0] = '\0';
    sp->reply = NULL;
}

void http_reply_text(struct http_reply *rep, int status, const char *content_type,
                     const char *body, size_t len)
{
    rep->status = status;
    rep->content_type = content_type;
    buf_reset(&rep->body);
    buf_append(&rep->body, body, len);
}

void http_reply_take(struct http_reply *rep, int status, const char *content_type,
                     struct buf *b)
{
    rep->status = status;
    rep->content_type = content_type;
    buf_free(&rep->body);
    rep->body = *b;
    memset(b, 0, sizeof *b);
}

void http_reply_redirect(struct http_reply *rep, int status, const char *location)
{
    rep->status = status;
    rep->content_type = "text/plain; charset=utf-8";
    buf_reset(&rep->body);
    http_reply_header(rep, "Location", location);
}

void http_reply_file(struct http_reply *rep, int fd, uint64_t size, int64_t mtime,
                     const char *content_type)
{
    if (rep->fd >= 0)
        close(rep->fd);
    rep->status = 200;
    rep->fd = fd;
    rep->fd_size = size;
    rep->fd_mtime = mtime;
    rep->content_type = content_type;
}

static void http_reply_clear(struct http_reply *rep)
{
    buf_free(&rep->body);
    for (size_t i = 0; i < rep->n_headers; i++) {
        free(rep->headers[i][0]);
        free(rep->headers[i][1]);
    }
    rep->n_headers = 0;
    if (rep->fd >= 0)
        close(rep->fd);
    rep->fd = -1;
}

static void http_add_common_headers(struct MHD_Response *resp, int cacheable)
{
    MHD_add_response_header(resp, "Content-Security-Policy", HTTP_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (!cacheable)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
}

/* Builds the libmicrohttpd response for a file reply: ETag, 304, 206 or 416. */
static struct MHD_Response *http_file_response(struct MHD_Connection *conn,
                                               struct http_reply *rep, int *status)
{
    char etag[64], range_hdr[96];
    struct MHD_Response *resp = NULL;
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)rep->fd_size,
             (unsigned long long)rep->fd_mtime);
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        *status = MHD_HTTP_NOT_MODIFIED;
        goto headers;
    }
    uint64_t first = 0, last = 0;
    const char *rh = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Range");
    const char *if_range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Range");
    enum range_result rr = range_parse(rh, rep->fd_size, &first, &last);
    if (if_range && strcmp(if_range, etag) != 0)
        rr = RANGE_NONE; /* the client's copy is stale: send it all */
    if (rr == RANGE_UNSATISFIABLE) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        snprintf(range_hdr, sizeof range_hdr, "bytes */%llu", (unsigned long long)rep->fd_size);
        MHD_add_response_header(resp, "Content-Range", range_hdr);
        *status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
        goto headers;
    }
    if (rr == RANGE_OK) {
        resp = MHD_create_response_from_fd_at_offset64(last - first + 1, rep->fd, first);
        snprintf(range_hdr, sizeof range_hdr, "bytes %llu-%llu/%llu",
                 (unsigned long long)first, (unsigned long long)last,
                 (unsigned long long)rep->fd_size);
        if (resp)
            MHD_add_response_header(resp, "Content-Range", range_hdr);
        *status = MHD_HTTP_PARTIAL_CONTENT;
    } else {
        resp = MHD_create_response_from_fd_at_offset64(rep->fd_size, rep->fd, 0);
        *status = MHD_HTTP_OK;
    }
    if (resp)
        rep->fd = -1; /* libmicrohttpd closes it when the response is destroyed */
headers:
    if (resp) {
        MHD_add_response_header(resp, "ETag", etag);
        MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    }
    return resp;
}

static enum MHD_Result http_send(struct MHD_Connection *conn, struct http_state *s,
                                 struct http_reply *rep)
{
    int status = rep->status ? rep->status : 500;
    struct MHD_Response *resp = NULL;
    int cacheable = 0;
    if (rep->fd >= 0 && status == 200) {
        resp = http_file_response(conn, rep, &status);
        cacheable = 1;
    } else {
        size_t len = rep->body.len;
        char *data = buf_detach(&rep->body);
        resp = data ? MHD_create_response_from_buffer_with_free_callback(len, data,
                                                                         http_reply_release)
                    : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
            free(data);
    }
    if (!resp) {
        http_reply_clear(rep);
        return MHD_NO;
    }
    if (s->found == ROUTER_FOUND && (s->match.route->flags & ROUTE_STATIC))
        cacheable = 1;
    http_add_common_headers(resp, cacheable);
    if (rep->content_type)
        MHD_add_response_header(resp, "Content-Type", rep->content_type);
    for (size_t i = 0; i < rep->n_headers; i++)
        MHD_add_response_header(resp, rep->headers[i][0], rep->headers[i][1]);
    s->status = status;
    enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    http_reply_clear(rep);
    return r;
}

/* ------------------------------------------------------------------ checks before the body */

struct http_cl_scan {
    int count;
    int differ;
    int transfer_encoding;
    int te_not_chunked; /* a Transfer-Encoding other than one "chunked" */
    char first[32];
};

static enum MHD_Result http_scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    struct http_cl_scan *sc = cls;
    if (strcasecmp(key, "Content-Length") == 0) {
        if (sc->count++ == 0)
            snprintf(sc->first, sizeof sc->first, "%s", value ? value : "");
        else if (!value || strcmp(sc->first, value) != 0)
            sc->differ = 1;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        if (sc->transfer_encoding++ || !value || strcasecmp(value, "chunked") != 0)
            sc->te_not_chunked = 1;
    }
    return MHD_YES;
}

/* The bare media type of a Content-Type header, compared case-insensitively. */
static int http_type_is(const char *ct, const char *want)
{
    if (!ct)
        return 0;
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void http_error(struct http_state *s, struct http_request *req, int status,
                       const char *code, struct http_reply *rep)
{
    int api = s->found == ROUTER_FOUND ? (s->match.route->flags & ROUTE_API) != 0
                                       : strncmp(req->path, "/api/", 5) == 0;
    if (s->found == ROUTER_METHOD_NOT_ALLOWED) {
        /* the route the path has, under a method it allows: an API route (say /healthz)
         * answers its 405 in JSON too */
        struct router_match m;
        unsigned allowed = 0;
        unsigned method = s->allowed & (~s->allowed + 1u); /* the lowest allowed method */
        if (router_match(s->server->hooks.routes, s->server->hooks.n_routes,
                         (enum router_method)method, req->path, &m, &allowed) == ROUTER_FOUND)
            api = (m.route->flags & ROUTE_API) != 0;
    }
    s->server->hooks.error(s->server->hooks.ctx, req, api, status, code, rep);
}

/* Behind the trusted reverse proxy the client is the last X-Forwarded-For entry (the one
 * the proxy added; earlier ones are the client's word).  Only a well-formed numeric
 * address replaces the peer's. */
static void http_forwarded_client(struct http_state *s, struct MHD_Connection *conn)
{
    const char *proxy = s->server->cfg->trusted_proxy;
    if (!*proxy || strcmp(s->client_ip, proxy) != 0)
        return;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    char ip[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " \t");
    unsigned char addr[sizeof(struct in6_addr)];
    if (n == 0 || n >= sizeof ip)
        return;
    memcpy(ip, last, n);
    ip[n] = '\0';
    if (inet_pton(AF_INET, ip, addr) == 1 || inet_pton(AF_INET6, ip, addr) == 1)
        memcpy(s->client_ip, ip, n + 1);
}

static void http_fill_request(struct http_state *s, struct MHD_Connection *conn,
                              const char *url, struct http_request *req)
{
    memset(req, 0, sizeof *req);
    req->method = s->method;
    req->path = url;
    req->match = s->found == ROUTER_FOUND ? &s->match : NULL;
    req->body = s->map ? s->map : s->body ? s->body : "";
    req->body_len = s->map ? s->map_len : s->body_len;
    req->client_ip = s->client_ip;
    req->peer_ip = s->peer_ip;
    req->conn = conn;
    req->state = s;
}

/* First call: match, check framing and declared size.  Returns a status to reply at once,
 * or 0 to go on; *declared gets the Content-Length (0 when none). */
static int http_first_checks(struct http_state *s, struct MHD_Connection *conn,
                             const char **code, unsigned long long *declared)
{
    struct http_cl_scan sc;
    memset(&sc, 0, sizeof sc);
    *declared = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, http_scan_header, &sc);
    if (sc.differ) {
        *code = "conflicting_content_length";
        return 400;
    }
    if (sc.count && sc.transfer_encoding) {
        *code = "ambiguous_framing";
        return 400;
    }
    if (sc.te_not_chunked) {
        /* libmicrohttpd decodes only "chunked" and would read any other coding up to the
         * connection's end, where a proxy in front may see a different body: refuse
         * (RFC 9112 §6.3) */
        *code = "bad_request";
        return 400;
    }
    s->has_body = sc.count ? strcmp(sc.first, "0") != 0 : sc.transfer_encoding;
    if (s->found == ROUTER_NOT_FOUND) {
        *code = "not_found";
        return 404;
    }
    if (s->found == ROUTER_METHOD_NOT_ALLOWED) {
        *code = "method_not_allowed";
        return 405;
    }
    const struct route *r = s->match.route;
    const struct config *cfg = s->server->cfg;
    s->max_body = r->max_body ? r->max_body
                  : r->body == BODY_JSON ? cfg->max_body_json
                  : r->body == BODY_FORM ? cfg->max_body_form
                  : r->body == BODY_UPLOAD ? cfg->max_upload + cfg->max_body_form
                                         : HTTP_NO_BODY_MAX;
    if (sc.count) {
        char *end;
        unsigned long long cl = strtoull(sc.first, &end, 10);
        if (end == sc.first || *end) {
            *code = "bad_content_length";
            return 400;
        }
        if (cl > s->max_body) {
            *code = "body_too_large";
            return 413;
        }
        *declared = cl;
    }
    if (r->body != BODY_NONE && s->has_body) {
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        const char *want = r->body == BODY_JSON     ? "application/json"
                           : r->body == BODY_UPLOAD ? "multipart/form-data"
                                                    : "application/x-www-form-urlencoded";
        if (!http_type_is(ct, want)) {
            *code = "unsupported_media_type";
            return 415;
        }
    }
    /* a request that takes no body may still carry an empty one or an empty JSON object
     * (clients that send "{}" with every POST): read, checked in http_no_body_ok */
    return 0;
}

/* ------------------------------------------------------------------ bodies */

/* Reserves n more bytes of the server's body budget for s.  0, or -1 when that would
 * exceed it. */
static int http_budget_take(struct http_state *s, size_t n)
{
    struct http_server *srv = s->server;
    size_t budget = srv->cfg->body_budget;
    size_t used = atomic_load(&srv->body_used);
    do {
        if (n > budget || used > budget - n)
            return -1;
    } while (!atomic_compare_exchange_weak(&srv->body_used, &used, used + n));
    s->reserved += n;
    return 0;
}

static void http_budget_return(struct http_state *s)
{
    if (s->reserved)
        atomic_fetch_sub(&s->server->body_used, s->reserved);
    s->reserved = 0;
}

/* Whether the route's body goes to a temporary file rather than memory. */
static int http_body_on_disk(const struct http_state *s)
{
    return s->found == ROUTER_FOUND && s->match.route->body == BODY_UPLOAD;
}

/* Appends to the in-memory body, growing it within the budget and with an allocation that
 * may fail (a failure refuses the request, it does not stop the service).  0 or -1. */
static int http_body_append(struct http_state *s, const char *data, size_t n)
{
    size_t need = s->body_len + n + 1; /* callers keep body_len + n <= max_body */
    if (need > s->body_cap) {
        size_t cap = s->reserved >= need ? s->reserved : s->body_cap ? s->body_cap : 1024;
        while (cap < need)
            cap *= 2;
        if (cap > s->max_body + 1)
            cap = s->max_body + 1;
        if (cap > s->reserved && http_budget_take(s, cap - s->reserved))
            return -1;
        char *p = realloc(s->body, cap);
        if (!p)
            return -1;
        s->body = p;
        s->body_cap = cap;
    }
    memcpy(s->body + s->body_len, data, n);
    s->body_len += n;
    s->body[s->body_len] = '\0';
    return 0;
}

/* Opens the upload's temporary file in the media folder, unlinked at once: it lives only
 * as long as the request, and nothing is left on disk however the request ends.  0 or -1. */
static int http_upload_open(struct http_state *s)
{
    const char *dir = s->server->cfg->media_dir;
    char path[CONFIG_PATH_MAX + 32];
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return -1;
    if (snprintf(path, sizeof path, "%s/.upload-XXXXXX", dir) >= (int)sizeof path)
        return -1;
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return -1;
    unlink(path);
    s->fd = fd;
    return 0;
}

/* Keeps a piece of the body as it arrives (called once per piece). */
static void http_body_piece(struct http_state *s, const char *data, size_t n)
{
    size_t so_far = http_body_on_disk(s) ? s->map_len : s->body_len;
    if (s->too_large)
        s->dropped += n;
    if (s->status || s->too_large || s->over_budget || s->io_error)
        return; /* the reply is decided (or sent): the rest is read and dropped */
    if (so_far + n > s->max_body) {
        s->too_large = 1;
        s->dropped = n;
        return;
    }
    if (!http_body_on_disk(s)) {
        if (http_body_append(s, data, n))
            s->over_budget = 1;
        return;
    }
    if ((s->fd < 0 && http_upload_open(s)) || files_write_all(s->fd, data, n)) {
        s->io_error = 1;
        s->io_full = errno == ENOSPC || errno == EDQUOT;
        return;
    }
    s->map_len += n; /* the file's length so far; mapped at the end */
}

/* Whether the body of a request that takes none is empty in effect: nothing but white
 * space, or an empty JSON object. */
static int http_no_body_ok(const struct http_state *s)
{
    const char *p = s->body, *end = s->body ? s->body + s->body_len : NULL;
    int braces = 0;
    for (; p && p < end; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            continue;
        if ((*p == '{' && braces == 0) || (*p == '}' && braces == 1))
            braces++;
        else
            return 0;
    }
    return braces == 0 || braces == 2;
}

/* Maps the uploaded file (with a NUL after it, as every body has) for reading.  0 or -1. */
static int http_upload_map(struct http_state *s)
{
    if (s->fd < 0)
        return 0; /* no body */
    if (files_write_all(s->fd, "", 1))
        return -1;
    void *m = mmap(NULL, s->map_len + 1, PROT_READ, MAP_PRIVATE, s->fd, 0);
    if (m == MAP_FAILED)
        return -1;
    s->map = m;
    return 0;
}

static void http_body_free(struct http_state *s)
{
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_cap = 0;
    if (s->map)
        munmap(s->map, s->map_len + 1);
    s->map = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    http_budget_return(s);
}

/* ------------------------------------------------------------------ deferred replies */

struct http_deferred *http_defer(struct http_request *req, http_finish_fn finish, void *arg)
{
    struct http_state *s = req->state;
    pthread_mutex_lock(&s->server->defer_mu);
    s->defer = DEFER_PENDING;
    s->finish = finish;
    s->finish_arg = arg;
    pthread_mutex_unlock(&s->server->defer_mu);
    return (struct http_deferred *)s;
}

void http_deferred_done(struct http_deferred *d)
{
    struct http_state *s = (struct http_state *)d;
    struct http_server *srv = s->server;
    pthread_mutex_lock(&srv->defer_mu);
    enum http_defer_state was = s->defer;
    s->defer = DEFER_DONE;
    /* once resumed, the request may complete (and s be freed) at any moment: s is not
     * touched after this */
    if (was == DEFER_SUSPENDED) {
        MHD_resume_connection(s->conn);
        srv->suspended--;
    }
    pthread_mutex_unlock(&srv->defer_mu);
}

/* After the handler: suspends the connection when its reply is deferred and not done yet.
 * 1 when suspended (the access handler returns), 0 to finish and reply now. */
static int http_suspend_if_waiting(struct http_state *s, struct MHD_Connection *conn)
{
    int suspended = 0;
    pthread_mutex_lock(&s->server->defer_mu);
    if (s->defer == DEFER_PENDING) {
        MHD_suspend_connection(conn);
        s->defer = DEFER_SUSPENDED;
        s->server->suspended++;
        suspended = 1;
    }
    pthread_mutex_unlock(&s->server->defer_mu);
    return suspended;
}

/* Lets the deferred reply's owner build it (rep) or, with rep NULL, release it. */
static void http_finish(struct http_state *s, struct http_request *req, struct http_reply *rep)
{
    http_finish_fn finish = s->finish;
    void *arg = s->finish_arg;
    s->finish = NULL;
    s->finish_arg = NULL;
    s->defer = DEFER_NONE;
    if (finish)
        finish(arg, req, rep);
}

/* ------------------------------------------------------------------ the access handler */

/* An answer given before the body was read: the connection closes after it, so the rest
 * of the body is never read, let alone kept. */
static enum MHD_Result http_refuse(struct http_state *s, struct MHD_Connection *conn,
                                   struct http_request *req, int status, const char *code,
                                   struct http_reply *rep)
{
    if (status)
        http_error(s, req, status, code, rep);
    if (rep->status == 405) {
        char allow[96];
        router_allow_header(s->allowed, allow, sizeof allow);
        http_reply_header(rep, "Allow", allow);
    }
    if (rep->status == 503)
        http_reply_header(rep, "Retry-After", HTTP_RETRY_AFTER);
    if (s->has_body)
        http_reply_header(rep, "Connection", "close");
    return http_send(conn, s, rep);
}

/* An IPv4 address as inet_ntop writes it ("192.0.2.1"), without its sprintf (every
 * request); out has room for INET_ADDRSTRLEN. */
static void http_ipv4_text(const struct in_addr *a, char *out)
{
    const unsigned char *b = (const unsigned char *)&a->s_addr;
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

static void http_client_address(struct http_state *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        /* numeric only (inet_ntop: no resolver, no locale, no allocation) */
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, s->client_ip,
                      sizeof s->client_ip);
        else if (sa->sa_family == AF_INET)
            http_ipv4_text(&((const struct sockaddr_in *)sa)->sin_addr, s->client_ip);
    }
    memcpy(s->peer_ip, s->client_ip, sizeof s->peer_ip);
    http_forwarded_client(s, conn);
}

/* The first call, on the headers alone: everything that can refuse the request is decided
 * here (route, method, framing, declared size, type, authentication and role, the body
 * budget), so a refused request costs its headers, never its body. */
static enum MHD_Result http_begin(struct http_server *server, struct http_state *s,
                                  struct MHD_Connection *conn, const char *url,
                                  struct http_reply *rep)
{
    struct http_request req;
    const char *code = NULL;
    unsigned long long declared = 0;
    s->found = router_match(server->hooks.routes, server->hooks.n_routes, s->method, url,
                            &s->match, &s->allowed);
    int status = http_first_checks(s, conn, &code, &declared);
    http_fill_request(s, conn, url, &req);
    if (status == 405 && s->method == ROUTER_OPTIONS && !s->has_body &&
        server->hooks.preflight &&
        server->hooks.preflight(server->hooks.ctx, &req, s->allowed, rep) == 0)
        return http_send(conn, s, rep);
    if (status)
        return http_refuse(s, conn, &req, status, code, rep);
    if (!s->has_body)
        return MHD_YES;
    if (server->hooks.admit && server->hooks.admit(server->hooks.ctx, &req, rep) != 0)
        return http_refuse(s, conn, &req, 0, NULL, rep);
    /* a declared in-memory body takes its whole share of the budget now */
    if (!http_body_on_disk(s) && declared && http_budget_take(s, (size_t)declared + 1))
        return http_refuse(s, conn, &req, 503, "busy", rep);
    return MHD_YES;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version,
                                   const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
    (void)version;
    struct http_server *server = cls;
    struct http_state *s = *con_cls;
    struct http_request req;
    struct http_reply rep;
    memset(&rep, 0, sizeof rep);
    rep.fd = -1;

    if (!s) {
        struct http_spare *sp = http_spare(1);
        if (sp && sp->state) { /* the last request's, on this thread */
            s = sp->state;
            sp->state = NULL;
            memset(s, 0, sizeof *s);
        } else {
            s = calloc(1, sizeof *s); /* freed (or kept as a spare) in http_completed */
        }
        if (!s)
            return MHD_NO; /* no memory: drop this connection, keep serving the others */
        *con_cls = s;
        s->server = server;
        s->conn = conn;
        s->fd = -1;
        atomic_fetch_add(&server->in_flight, 1);
        clock_gettime(CLOCK_MONOTONIC, &s->start);
        s->method = router_method_from_name(method);
        /* the log names only a method it knows: an unknown one may be any token at all */
        s->method_name = s->method == ROUTER_OTHER ? "other" : method;
        http_client_address(s, conn);
        return http_begin(server, s, conn, url, &rep);
    }

    if (s->defer == DEFER_DONE) {
        /* resumed: the deferred work is done; its owner builds the reply */
        http_fill_request(s, conn, url, &req);
        http_finish(s, &req, &rep);
        return http_send(conn, s, &rep);
    }

    if (*upload_data_size) {
        http_body_piece(s, upload_data, *upload_data_size);
        *upload_data_size = 0;
        /* past the limit (a chunked body declares no size) the rest is read and dropped so
         * that the 413 can be sent at its end (libmicrohttpd 0.9.75 queues no reply while a
         * body is coming in), but only [server] max_body_drain bytes of it: a body that goes
         * on beyond that has its connection closed without a reply, never read for as long
         * as it is sent */
        if (s->too_large && s->dropped > server->cfg->max_body_drain)
            return MHD_NO;
        return MHD_YES;
    }

    if (!s->too_large && !s->over_budget && !s->io_error && http_upload_map(s)) {
        s->io_error = 1;
        s->io_full = errno == ENOSPC || errno == EDQUOT;
    }
    http_fill_request(s, conn, url, &req);
    if (s->too_large) {
        http_error(s, &req, 413, "body_too_large", &rep);
        return http_send(conn, s, &rep);
    }
    if (s->over_budget) {
        http_error(s, &req, 503, "busy", &rep);
        http_reply_header(&rep, "Retry-After", HTTP_RETRY_AFTER);
        return http_send(conn, s, &rep);
    }
    if (s->io_error) {
        /* the upload's temporary file could not be written: nothing is kept (it was
         * unlinked when made); a full disk is said as such, with when to try again */
        fprintf(stderr, "vejled: cannot keep an upload in %s%s\n", server->cfg->media_dir,
                s->io_full ? ": no space left on the disk" : "");
        if (s->io_full) {
            http_error(s, &req, 503, "storage_full", &rep);
            http_reply_header(&rep, "Retry-After", HTTP_RETRY_AFTER_FULL);
        } else {
            http_error(s, &req, 500, "internal", &rep);
        }
        return http_send(conn, s, &rep);
    }
    if (s->found == ROUTER_FOUND && s->match.route->body == BODY_NONE && !http_no_body_ok(s)) {
        http_error(s, &req, 400, "body_not_allowed", &rep);
        return http_send(conn, s, &rep);
    }
    server->hooks.dispatch(server->hooks.ctx, &req, &rep);
    if (s->finish) { /* set by http_defer, on this thread */
        /* a deferred reply is built by its finish function alone */
        http_reply_clear(&rep);
        memset(&rep, 0, sizeof rep);
        rep.fd = -1;
        if (http_suspend_if_waiting(s, conn))
            return MHD_YES;
        http_finish(s, &req, &rep);
    }
    return http_send(conn, s, &rep);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *server = cls;
    struct http_state *s = *con_cls;
    if (!s)
        return;
    http_finish(s, NULL, NULL); /* a deferred reply never sent: released */
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (double)(end.tv_sec - s->start.tv_sec) * 1e3 +
                (double)(end.tv_nsec - s->start.tv_nsec) / 1e6;
    if (server->hooks.observe)
        server->hooks.observe(server->hooks.ctx,
                              s->found == ROUTER_FOUND ? s->match.route : NULL, s->status, ms);
    if (server->cfg->log_requests) {
        char at[CLOCK_RFC3339_LEN + 1];
        clock_format_rfc3339(clock_now(), at);
        const char *route = s->found == ROUTER_FOUND ? s->match.route->pattern
                            : s->found == ROUTER_METHOD_NOT_ALLOWED ? "(method)"
                                                                    : "(none)";
        /* logfmt after the time: easy for journald/Loki; never the raw path */
        fprintf(stderr, "%s http method=%s route=%s status=%d duration_ms=%.1f\n", at,
                s->method_name ? s->method_name : "?", route, s->status, ms);
    }
    http_body_free(s);
    struct http_spare *sp = http_spare(0);
    if (sp && !sp->state)
        sp->state = s;
    else
        free(s);
    *con_cls = NULL;
    atomic_fetch_sub(&server->in_flight, 1);
}

/* libmicrohttpd's messages: on stderr while the server runs; while it starts, the first
 * is kept for http_start's error, so that a server that cannot start says why in one line. */
static void http_log_mhd(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;
    pthread_mutex_lock(&s->log_mu);
    if (!s->starting) {
        fputs("vejled: libmicrohttpd: ", stderr);
        vfprintf(stderr, fmt, ap);
    } else if (!s->start_log[0]) {
        vsnprintf(s->start_log, sizeof s->start_log, fmt, ap);
        s->start_log[strcspn(s->start_log, "\r\n")] = '\0';
    }
    pthread_mutex_unlock(&s->log_mu);
}

int http_start(const struct config *cfg, const struct http_hooks *hooks,
               struct http_server **out, char *err, size_t errlen)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
    /* suspend/resume: a request waiting for its group commit holds no thread */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (inet_pton(AF_INET, cfg->listen_host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)cfg->listen_port);
    } else if (inet_pton(AF_INET6, cfg->listen_host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)cfg->listen_port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errlen, "listen address %s is not a numeric IP address", cfg->listen_host);
        free(s);
        return -1;
    }
    s->hooks = *hooks;
    s->cfg = cfg;
    pthread_mutex_init(&s->defer_mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    s->starting = 1;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, http_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, http_log_mhd, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        /* one address cannot take every connection (slowloris); 0 is no limit */
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_NOTIFY_COMPLETED, http_completed, s,
        MHD_OPTION_END);
    pthread_mutex_lock(&s->log_mu);
    s->starting = 0;
    pthread_mutex_unlock(&s->log_mu);
    if (!s->daemon) {
        if (s->start_log[0])
            snprintf(err, errlen, "cannot listen on %s:%u (libmicrohttpd: %s)",
                     cfg->listen_host, cfg->listen_port, s->start_log);
        else
            snprintf(err, errlen, "cannot listen on %s:%u (in use, or no permission)",
                     cfg->listen_host, cfg->listen_port);
        pthread_mutex_destroy(&s->defer_mu);
        pthread_mutex_destroy(&s->log_mu);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->listen_port;
    *out = s;
    return 0;
}

unsigned http_port(const struct http_server *s)
{
    return s->port;
}

/* Graceful stop: stop accepting (quiesce), let the requests in flight finish for up to
 * shutdown_timeout seconds, then close everything. */
void http_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd); /* new connections are refused from here on */
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (unsigned long waited = 0;
         atomic_load(&s->in_flight) > 0 && waited < s->cfg->shutdown_timeout_s * 100UL; waited++)
        nanosleep(&pause, NULL);
    if (atomic_load(&s->in_flight) > 0)
        fprintf(stderr, "vejled: %ld request(s) still in flight after %u s; closing them\n",
                (long)atomic_load(&s->in_flight), s->cfg->shutdown_timeout_s);
    /* a request waiting for its group commit is resumed when its batch is durable (the
     * writer stops after this); libmicrohttpd cannot close a suspended connection, so
     * those are waited for however long the disk takes */
    for (;;) {
        pthread_mutex_lock(&s->defer_mu);
        long waiting = s->suspended;
        pthread_mutex_unlock(&s->defer_mu);
        if (waiting == 0)
            break;
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->defer_mu);
    pthread_mutex_destroy(&s->log_mu);
    free(s);
}
