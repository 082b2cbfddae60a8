/* config — every setting of the service, read once at start and then passed as const.
 *
 * Sources, later winning: built-in defaults (so `make run` needs no file), the INI file
 * given with --config / VEJLED_CONFIG, then the command-line flags.  Every limit the
 * service enforces (body sizes, field lengths, connection counts, rates) is named here,
 * so that it can be read in one place, changed per installation and tested.  Unknown
 * sections or keys are errors: a typo must not silently leave a default in force.
 */
#ifndef VEJLED_CONFIG_H
#define VEJLED_CONFIG_H

#include <stddef.h>

#define CONFIG_PATH_MAX 512

struct config {
    /* [server] */
    char listen_host[64];
    unsigned listen_port;
    char public_url[256];          /* base of the citizen links, without trailing '/' */
    char root[CONFIG_PATH_MAX];    /* folder holding templates/, db/, build/static */
    unsigned threads;              /* libmicrohttpd thread pool */
    unsigned max_connections;
    unsigned max_connections_per_ip; /* 0: no limit (behind a reverse proxy) */
    char trusted_proxy[64];         /* peer whose X-Forwarded-For names the client; "" none */
    size_t connection_memory;      /* bytes of header/read buffer per connection */
    unsigned connection_timeout_s; /* idle connection timeout */
    unsigned shutdown_timeout_s;   /* SIGTERM: how long in-flight requests may finish */
    size_t max_body_json;          /* API request bodies */
    size_t max_body_form;          /* HTML form bodies */
    size_t body_budget;            /* request body bytes held in memory, all requests */
    size_t max_body_drain;         /* bytes of a body past its limit read and dropped so that
                                    * the 413 can be sent at its end; past them the connection
                                    * is closed without an answer */
    size_t max_form_fields;
    size_t max_field_length;       /* any single decoded form field or JSON string */
    unsigned log_requests;         /* 1: one line per request on stderr */

    /* [database] */
    char db_path[CONFIG_PATH_MAX];  /* the SQLite file (when url is empty) */
    char db_url[1024];              /* postgresql://… : PostgreSQL instead of the file */
    char key_file[CONFIG_PATH_MAX]; /* secret key protecting CPR numbers; "" → <db>.key */
    char sign_key_file[CONFIG_PATH_MAX]; /* Ed25519 key signing checkpoints; "" → <db>.sign.key */
    unsigned checkpoint_minutes;    /* the scheduler signs the moved journal head this often */
    size_t max_bundle_bytes;        /* verify-evidence reads bundles up to this size */
    unsigned busy_timeout_ms;
    size_t batch_max;               /* group commit: answer submissions per transaction */
    unsigned batch_wait_us;         /* group commit: how long a non-full batch waits */

    /* [citizen] */
    unsigned token_days;            /* a letter's link is valid this long */
    unsigned session_hours;         /* a citizen browser session */
    unsigned token_misses_per_minute; /* unknown-link attempts per address before 429 */
    char app_origins[512];          /* origins (comma-separated) the citizen app may call
                                       GET /api/v1/me from (CORS); "" none */
    size_t watch_max_body;          /* bytes of one player report (413 above) */
    size_t watch_max_ranges;        /* separate played ranges kept per video (422 above) */
    unsigned watch_reports_per_minute; /* player reports per session per minute (429 above) */

    /* [staff] */
    unsigned staff_session_idle_minutes; /* a staff session ends after this long unused */
    unsigned staff_session_hours;       /* … and this long after login, whatever happens */
    unsigned login_max_failures;        /* wrong passwords for one account in its window
                                         * before it locks (for addresses that failed) */
    unsigned login_lockout_minutes;     /* the first lock; each further failure doubles it */
    unsigned login_lockout_max_minutes; /* … up to this */
    unsigned login_account_window_hours; /* how long an account's failures count */
    unsigned login_attempts_per_minute; /* failed logins per client address in any 60 s */
    unsigned login_address_free_failures; /* failed logins from one address in its window
                                           * before it must wait between attempts */
    unsigned login_address_delay_seconds; /* the first wait; doubles with each failure … */
    unsigned login_address_delay_max_seconds; /* … up to this */
    unsigned login_address_window_minutes; /* how long an address's failures count */
    unsigned password_min_length;       /* characters */
    unsigned see_all_units;             /* 1: caseworkers see every unit's citizens */
    char sso_header[64];                /* header naming the user, from trusted_proxy only */
    char sso_secret_header[64];         /* header carrying the proxy's shared secret; "" none */
    char sso_secret[128];               /* its value; the SSO header counts only with it */
    size_t max_upload;                  /* bytes of one uploaded video */
    size_t max_content_text;            /* characters of a guidance text, transcript or captions */
    unsigned caseload_limit;            /* rows on the caseworker's list at most */
    unsigned meeting_soon_days;         /* list flag: meeting within this many days, link not opened */

    /* [api] */
    unsigned idempotency_hours;     /* how long an Idempotency-Key answer is kept */
    unsigned max_clock_skew_s;      /* a group change's changed_at may lie this far ahead */

    /* [content] */
    char media_dir[CONFIG_PATH_MAX];
    char static_dir[CONFIG_PATH_MAX];
    char template_dir[CONFIG_PATH_MAX];
    char migrations_dir[CONFIG_PATH_MAX];
    char demo_dir[CONFIG_PATH_MAX];
    char openapi_file[CONFIG_PATH_MAX]; /* served at GET /api/v1/openapi.json */
    unsigned review_days; /* the administrator is told this many days before published
                             content's last valid day */

    /* [delivery] [smtp] [webhook] — used by the scheduler */
    char channels[128];
    char outbox_dir[CONFIG_PATH_MAX];
    char smtp_url[256];
    char smtp_from[256];
    char webhook_url[256];
    char webhook_secret[256];
    unsigned remind_days_before;
    unsigned scheduler;             /* 1: `serve` runs the scheduler thread */
    unsigned remind_hour;           /* local hour the reminder goes out */
    unsigned max_attempts;          /* delivery attempts before a job is failed */
    unsigned backoff_base_s;        /* first retry after this long, doubling … */
    unsigned backoff_max_s;         /* … up to this */
    unsigned job_lease_s;           /* a running job older than this is claimable again */
    unsigned claim_batch;           /* jobs claimed per step of a scheduler pass */
    char municipality_name[128];    /* letter header */
    char sender_cvr[16];            /* Digital Post sender (the municipality's CVR) */
    char municipality_address[256]; /* letter header; '|' separates lines */
    char municipality_contact[256]; /* letter footer: phone, hours, e-mail */
    unsigned smtp_timeout_s;
    unsigned smtp_allow_plain;      /* 1: SMTP without STARTTLS (a local relay only) */
    unsigned webhook_timeout_s;

    /* [retention] */
    char purge_after[32];           /* "" off; else a period ("5y", "1825d"): the scheduler
                                     * purges personal data this long after the last activity,
                                     * once a day */
    /* [metrics] */
    char metrics_token[128];        /* bearer token for GET /metrics; "" → loopback only */
    char metrics_listen[80];        /* HOST:PORT of a listener serving only /metrics; "" none
                                     * (then /metrics is on the main listener) */
    /* [stats] */
    unsigned minutes_per_send;      /* caseworker minutes one automatic sending saves */
    unsigned stats_max_range_days;  /* the longest period one statistics request may ask */
    unsigned stats_top_questions;   /* questions listed on the dashboard, highest error first */
};

/* Fills c with the defaults.  root is found from the running binary (the nearest parent
 * folder holding db/migrations), else the current folder; paths default below it. */
void config_defaults(struct config *c);

/* Reads an INI file over c.  Returns 0, or -1 with a message naming file and line in err. */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);

/* Sets one value by section and key, as from the file (used by flags and tests).
 * Returns 0, or -1 with a message in err. */
int config_set(struct config *c, const char *section, const char *key, const char *value,
               char *err, size_t errlen);

/* Parses "HOST:PORT" into c.  0 or -1. */
int config_set_listen(struct config *c, const char *hostport);

/* Checks an origin list ([citizen] app_origins): comma-separated entries, each an origin as
 * browsers send it: "http" or "https", a lower-case host (or [IPv6]), an optional port, no
 * path ("https://app.kommune.dk", "http://localhost:5173").  0, or -1 with err. */
int config_origins_check(const char *list, char *err, size_t errlen);
/* Checks [delivery] channels: comma-separated, each outbox, smtp or webhook, at least one.
 * 0, or -1 with err. */
int config_channels_check(const char *list, char *err, size_t errlen);

/* Whether origin (may be NULL) is exactly one of the list's entries. */
int config_origin_listed(const char *list, const char *origin);

/* Fills the derived defaults (key file beside the database, public_url from listen) once
 * all sources are read. */
void config_finish(struct config *c);

/* What the store opens: [database] url when set, else the SQLite file. */
const char *config_db_target(const struct config *c);

#endif
