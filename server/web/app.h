/* app — wiring: the running service's shared state, the route table and the dispatcher.
 *
 * main builds one struct app at start (config, key vault, templates, UI strings, content
 * cache, rate limiter) and hands it to the HTTP layer.  A request with a body is first
 * admitted on its headers alone (authentication, role, Origin: the refusal costs no body
 * byte); for every matched request the
 * dispatcher gets the worker thread's own database connection, authenticates as the route
 * row says (API key, citizen session + CSRF and Origin checks on forms, staff session with
 * its role, the Origin check and the CSRF token of every staff form), and calls the
 * handler with a struct app_call.  Staff handlers never check roles or form tokens
 * themselves: a request that reaches them already passed.  Handlers reply through the helpers here, so pages always
 * get the layout and the strings of the citizen's language, and API errors always get the
 * documented error shape.
 */
#ifndef VEJLED_APP_H
#define VEJLED_APP_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "content.h"
#include "enrol.h"
#include "jobs.h"
#include "form.h"
#include "http.h"
#include "lang.h"
#include "metrics.h"
#include "model.h"
#include "multipart.h"
#include "ratelimit.h"
#include "staff.h"
#include "store.h"
#include "tmpl.h"
#include "token.h"
#include "signkey.h"
#include "guard.h"
#include "vault.h"
#include "writer.h"

#define APP_CITIZEN_COOKIE "vejled_borger"
#define APP_STAFF_COOKIE "vejled_ansat"
#define APP_LOGIN_COOKIE "vejled_login"

struct app {
    const struct config *cfg;
    struct vault *vault;
    struct signkey *signkey;       /* signs the checkpoint an evidence export takes */
    tmpl_set *templates;
    json_t *strings[LANG_COUNT];   /* Danish and English UI strings (borrowed from langs) */
    struct lang_list langs;        /* every language of the citizen pages (templates/lang/) */
    struct content_cache *content;
    struct guard_limit link_guard; /* citizen links that did not open, per address (shared) */
    struct ratelimit *watch_reports; /* player reports per citizen session */
    struct staff_guard *login_guard; /* failed staff logins per address */
    char public_url[256];          /* where citizen links point; final once app_publish()
                                      opened the gate (requests wait for it) */
    pthread_mutex_t gate_lock;     /* the start gate: requests wait until public_url is */
    pthread_cond_t gate_cond;      /* final (its port is known only once http listens) */
    _Atomic int gate_open;         /* set under gate_lock; read without it once set */
    int secure_cookies;            /* public_url is https */
    pthread_key_t store_key;
    pthread_key_t scratch_key;     /* per-thread render buffers (app_render), kept warm */
    struct writer *writer;         /* group commit of answer submissions */
    struct route *routes;          /* the route table as served (app.c: app_routes with
                                      the ROUTE_SIZED rows' body limits) */
    size_t n_routes;
    struct metrics *metrics;       /* GET /metrics */
    char *openapi;                 /* GET /api/v1/openapi.json: the document, compact (owned) */
};

struct app_call {
    struct app *app;
    struct http_request *req;
    struct http_reply *rep;
    struct store *st;
    int64_t api_key_id;                  /* AUTH_API_KEY */
    struct model_enrolment enrolment;    /* AUTH_CITIZEN */
    char csrf[TOKEN_HASH_HEX_LEN + 1];   /* AUTH_CITIZEN: the form token of this session */
    enum lang lang;                      /* the built-in content column for ui */
    const struct lang_info *ui;          /* the page language (NULL: Danish) */
    struct store_user user;              /* AUTH_STAFF_*: the logged-in user (no hash) */
    char session[TOKEN_LEN + 1];         /* AUTH_STAFF_*: the session id, or the pre-login
                                            token on AUTH_STAFF_LOGIN */
    struct form form;                    /* staff BODY_FORM: parsed, CSRF already checked */
    struct multipart upload;             /* staff BODY_UPLOAD: parsed, CSRF already checked */
    int deferred;                        /* the reply comes later (app_write_later) */
    char today[11];                      /* the day of this request ("YYYY-MM-DD"),
                                            once asked for (h_citizen); "" before */
};

typedef void (*app_handler)(struct app_call *c);

/* Loads templates and strings and prepares the shared state.  0, or -1 with err. */
int app_init(struct app *app, const struct config *cfg, char *err, size_t errlen);
/* Stops the group commit (committing what is queued) and frees; says nothing, so that a
 * server that fails to start prints only why. */
void app_free(struct app *app);
/* The group commit's counts on stderr, for the log of a server that served and stopped. */
void app_log_writer(const struct app *app);

/* Sets the final public_url (NULL: keep the configured one) and lets the requests that
 * arrived since http_start() go on.  Call once, right after http_start(). */
void app_publish(struct app *app, const char *public_url);

/* The hooks (routes, dispatcher, error builder) for http_start(). */
void app_http_hooks(struct app *app, struct http_hooks *out);
/* The same for the metrics listener ([metrics] listen): GET /metrics only. */
void app_metrics_hooks(struct app *app, struct http_hooks *out);

/* The calling thread's database connection (opened on first use, closed at thread exit);
 * NULL if it cannot be opened. */
struct store *app_store(struct app *app);

/* Finishes a reply deferred by app_write_later: result is the write's status once its
 * batch is durable (or failed).  c has the app, the request, the reply, the language and
 * form token of the call that deferred, and no store: it builds the reply only. */
typedef void (*app_written_fn)(struct app_call *c, enum store_status result, void *arg);

/* Runs fn(st, arg) in the group commit writer's next batch without holding this thread:
 * the handler returns at once and the connection waits; once the batch is durable,
 * done(c', result, arg) builds the reply, then free_arg(arg) (may be NULL) releases arg.
 * arg must own everything fn reads.  key: what the write is about (writer.h: the
 * enrolment's id, or WRITER_UNSEEN). */
void app_write_later(struct app_call *c, int64_t key, store_txn_fn fn, void *arg,
                     app_written_fn done, void (*free_arg)(void *arg));

/* Replies with page (a template name) in the layout; ctx (stolen, may be NULL) gets the
 * strings "t", "lang" and the CSRF token added. */
void app_page(struct app_call *c, int status, const char *page, json_t *ctx);
/* The same with the page's body rendered from pre (tmpl_prerender of page against its
 * fixed values) and the layout from layout_pre (of "layout" against the values app_page
 * adds: lang, dir, lang_da, languages, with holes for csrf, back, page_title and body);
 * NULL: rendered as app_page does.  ctx holds the other values, the holes' among them. */
void app_page_pre(struct app_call *c, int status, const char *page, const tmpl_pre *pre,
                  const tmpl_pre *layout_pre, json_t *ctx);
/* The same with the holes by position (tmpl_pre_render_at): the body from pre with vals
 * (one per tmpl_pre_holes(pre)) and ctx (borrowed, may be NULL: the body's other values),
 * the layout from layout_pre with layout_vals alone, its body hole given as the body's
 * bytes.  The caller fills every hole, the layout's csrf, back and page_title among them
 * (app_back, app_page_title). */
void app_page_at(struct app_call *c, int status, const tmpl_pre *pre, const struct tmpl_val *vals,
                 const json_t *ctx, const tmpl_pre *layout_pre, const struct tmpl_val *layout_vals);
/* What app_page gives the layout as "back" (the language switch returns there): the
 * request's path on a citizen page, else NULL. */
const char *app_back(const struct app_call *c);
/* The <title> app_page gives page (the strings' "title_" + page name, '/' as '_'), or
 * NULL when the strings have none. */
const char *app_page_title(const struct app_call *c, const char *page);
/* Replies with JSON (body stolen); real numbers with 15 significant digits (0.9, not
 * 0.90000000000000002). */
void app_json(struct app_call *c, int status, json_t *body);
/* The same with real numbers as the journal hashes them (17 digits, jansson's default), so
 * that a journal entry's data is the hashed text byte for byte. */
void app_json_exact(struct app_call *c, int status, json_t *body);
/* Replies with the API's error shape; status from the registry unless given (non-0). */
void app_api_error(struct app_call *c, int status, const char *code, const char *message,
                   const char *field);
/* For a citizen page without a session (the home page, error pages): the page language
 * from ?sprog=, else Accept-Language, else Danish (unless the call has one already), and a
 * language switch by links in ctx (borrowed). */
void app_sessionless_language(struct app_call *c, json_t *ctx);

/* Replies with the friendly error page for status (404, 410, 403, 429, 500, …); a
 * citizen's is in the session's language, else as app_sessionless_language() says. */
void app_page_error(struct app_call *c, int status, const char *kind);

/* A write that found the disk full and changed nothing: 503 with Retry-After
 * (HTTP_RETRY_AFTER_FULL), as the API's `storage_full` (api) or the "unavailable" page. */
void app_reply_full(struct app_call *c, bool api);
/* Whether back is a page of this site under one of prefixes (NULL-terminated) to return to
 * after a form: at most max bytes of printable ASCII, never "//" (another host) or a
 * backslash, so that it is safe as a Location. */
bool app_back_ok(const char *back, const char *const prefixes[], size_t max);

/* The enrolment domain's environment for this call (policy is filled and pointed to). */
void app_enrol_env(struct app_call *c, struct enrol_env *env, struct jobs_policy *policy);

/* The UI strings of the call's page language (Danish for the keys it lacks).  Borrowed. */
const json_t *app_strings(const struct app_call *c);

/* A UI string of the call's language by key ("" if there is none).  Borrowed. */
const char *app_text(const struct app_call *c, const char *key);

/* "; Secure" when cookies must be Secure: public_url is https, or the trusted proxy says
 * X-Forwarded-Proto: https.  "" otherwise. */
const char *app_cookie_secure(const struct app_call *c);

/* Sets the staff session cookie (max_age 0 removes it). */
void app_staff_cookie(struct app_call *c, const char *value, unsigned max_age);

#endif
