#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"
#include "range.h"

#define HTTP_CSP                                                                          \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "         \
    "font-src 'self'; media-src 'self'; connect-src 'self'; form-action 'self'; "       \
    "frame-ancestors 'none'; base-uri 'none'"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_hooks hooks;
    const struct config *cfg;
    unsigned port;
    atomic_long in_flight; /* requests begun and not completed: graceful stop waits */
};

/* Per-request state, from the first call of the access handler to completion. */
struct http_state {
    struct http_server *server;
    struct router_match match;
    enum router_result found;
    unsigned allowed;
    enum router_method method;
    const char *method_name;
    size_t max_body;
    struct buf body;
    int too_large;
    int status;
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

void http_reply_text(struct http_reply *rep, int status, const char *content_type,
                     const char *body, size_t len)
{
    rep->status = status;
    rep->content_type = content_type;
    buf_reset(&rep->body);
    buf_append(&rep->body, body, len);
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
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
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
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
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
    req->body = s->body.data ? s->body.data : "";
    req->body_len = s->body.len;
    req->client_ip = s->client_ip;
    req->peer_ip = s->peer_ip;
    req->conn = conn;
}

/* First call: match, check framing and declared size.  Returns a status to reply at once,
 * or 0 to go on reading the body. */
static int http_first_checks(struct http_state *s, struct MHD_Connection *conn,
                             const char **code)
{
    struct http_cl_scan sc;
    memset(&sc, 0, sizeof sc);
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
                                         : 0;
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
    }
    int has_body = sc.count ? strcmp(sc.first, "0") != 0 : sc.transfer_encoding;
    if (r->body != BODY_NONE && has_body) {
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        const char *want = r->body == BODY_JSON     ? "application/json"
                           : r->body == BODY_UPLOAD ? "multipart/form-data"
                                                    : "application/x-www-form-urlencoded";
        if (!http_type_is(ct, want)) {
            *code = "unsupported_media_type";
            return 415;
        }
    }
    if (r->body == BODY_NONE && has_body) {
        *code = "body_too_large";
        return 413;
    }
    return 0;
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
        s = xcalloc(1, sizeof *s);
        *con_cls = s;
        s->server = server;
        atomic_fetch_add(&server->in_flight, 1);
        clock_gettime(CLOCK_MONOTONIC, &s->start);
        s->method = router_method_from_name(method);
        s->method_name = method;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            /* numeric only (inet_ntop: no resolver, no locale, no allocation) */
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                          s->client_ip, sizeof s->client_ip);
            else if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, s->client_ip,
                          sizeof s->client_ip);
        }
        memcpy(s->peer_ip, s->client_ip, sizeof s->peer_ip);
        http_forwarded_client(s, conn);
        s->found = router_match(server->hooks.routes, server->hooks.n_routes, s->method, url,
                                &s->match, &s->allowed);
        const char *code = NULL;
        int status = http_first_checks(s, conn, &code);
        if (status) {
            http_fill_request(s, conn, url, &req);
            http_error(s, &req, status, code, &rep);
            if (status == 405) {
                char allow[96];
                router_allow_header(s->allowed, allow, sizeof allow);
                http_reply_header(&rep, "Allow", allow);
            }
            return http_send(conn, s, &rep);
        }
        return MHD_YES;
    }

    if (*upload_data_size) {
        if (!s->too_large && s->body.len + *upload_data_size <= s->max_body)
            buf_append(&s->body, upload_data, *upload_data_size);
        else
            s->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }

    http_fill_request(s, conn, url, &req);
    if (s->too_large) {
        http_error(s, &req, 413, "body_too_large", &rep);
        return http_send(conn, s, &rep);
    }
    server->hooks.dispatch(server->hooks.ctx, &req, &rep);
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
    buf_free(&s->body);
    free(s);
    *con_cls = NULL;
    atomic_fetch_sub(&server->in_flight, 1);
}

static void http_log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("vejled: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int http_start(const struct config *cfg, const struct http_hooks *hooks,
               struct http_server **out, char *err, size_t errlen)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
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
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, http_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, http_log_mhd, NULL,
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
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%u (in use, or no permission)",
                 cfg->listen_host, cfg->listen_port);
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
    MHD_stop_daemon(s->daemon);
    free(s);
}
