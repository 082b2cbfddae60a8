#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum config_kind { CK_STR, CK_UINT, CK_SIZE };

struct config_key {
    const char *section;
    const char *key;
    enum config_kind kind;
    size_t offset;
    size_t size;           /* CK_STR: buffer size */
    unsigned long long min;
    unsigned long long max;
};

#define STR(sec, k, field) {sec, k, CK_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0}
#define UINT(sec, k, field, lo, hi) {sec, k, CK_UINT, offsetof(struct config, field), 0, lo, hi}
#define SIZE(sec, k, field, lo, hi) {sec, k, CK_SIZE, offsetof(struct config, field), 0, lo, hi}

static const struct config_key config_keys[] = {
    STR("server", "public_url", public_url),
    STR("server", "root", root),
    UINT("server", "threads", threads, 1, 256),
    UINT("server", "max_connections", max_connections, 1, 100000),
    UINT("server", "max_connections_per_ip", max_connections_per_ip, 0, 100000),
    STR("server", "trusted_proxy", trusted_proxy),
    SIZE("server", "connection_memory", connection_memory, 8192, 16 * 1024 * 1024),
    UINT("server", "connection_timeout", connection_timeout_s, 1, 3600),
    UINT("server", "shutdown_timeout", shutdown_timeout_s, 0, 3600),
    SIZE("server", "max_body_json", max_body_json, 256, 64 * 1024 * 1024),
    SIZE("server", "max_body_form", max_body_form, 256, 64 * 1024 * 1024),
    SIZE("server", "body_budget", body_budget, 4096, (size_t)4 * 1024 * 1024 * 1024),
    SIZE("server", "max_body_drain", max_body_drain, 0, (size_t)4 * 1024 * 1024 * 1024),
    SIZE("server", "max_form_fields", max_form_fields, 1, 100000),
    SIZE("server", "max_field_length", max_field_length, 16, 1024 * 1024),
    UINT("server", "log_requests", log_requests, 0, 1),
    STR("database", "path", db_path),
    STR("database", "url", db_url),
    STR("database", "key_file", key_file),
    STR("database", "sign_key_file", sign_key_file),
    UINT("database", "checkpoint_minutes", checkpoint_minutes, 1, 60),
    SIZE("database", "max_bundle_bytes", max_bundle_bytes, 1024, (size_t)1 << 30),
    UINT("database", "busy_timeout_ms", busy_timeout_ms, 0, 600000),
    SIZE("database", "batch_max", batch_max, 1, 4096),
    UINT("database", "batch_wait_us", batch_wait_us, 0, 1000000),
    UINT("citizen", "token_days", token_days, 1, 3650),
    UINT("citizen", "session_hours", session_hours, 1, 24 * 30),
    UINT("citizen", "token_misses_per_minute", token_misses_per_minute, 1, 100000),
    STR("citizen", "app_origins", app_origins),
    SIZE("citizen", "watch_max_body", watch_max_body, 256, 32 * 1024),
    SIZE("citizen", "watch_max_ranges", watch_max_ranges, 1, 256),
    UINT("citizen", "watch_reports_per_minute", watch_reports_per_minute, 1, 100000),
    UINT("staff", "session_idle_minutes", staff_session_idle_minutes, 1, 24 * 60),
    UINT("staff", "session_hours", staff_session_hours, 1, 24 * 7),
    UINT("staff", "login_max_failures", login_max_failures, 1, 1000),
    UINT("staff", "login_lockout_minutes", login_lockout_minutes, 1, 24 * 60),
    UINT("staff", "login_lockout_max_minutes", login_lockout_max_minutes, 1, 7 * 24 * 60),
    UINT("staff", "login_account_window_hours", login_account_window_hours, 1, 24 * 30),
    UINT("staff", "login_attempts_per_minute", login_attempts_per_minute, 1, 100000),
    UINT("staff", "login_address_free_failures", login_address_free_failures, 0, 100000),
    UINT("staff", "login_address_delay_seconds", login_address_delay_seconds, 1, 3600),
    UINT("staff", "login_address_delay_max_seconds", login_address_delay_max_seconds, 1, 86400),
    UINT("staff", "login_address_window_minutes", login_address_window_minutes, 1, 24 * 60),
    UINT("staff", "password_min_length", password_min_length, 8, 128),
    UINT("staff", "see_all_units", see_all_units, 0, 1),
    STR("staff", "sso_header", sso_header),
    STR("staff", "sso_secret_header", sso_secret_header),
    STR("staff", "sso_secret", sso_secret),
    SIZE("staff", "max_upload", max_upload, 1024, (size_t)4 * 1024 * 1024 * 1024),
    SIZE("staff", "max_content_text", max_content_text, 256, 16 * 1024 * 1024),
    UINT("staff", "caseload_limit", caseload_limit, 10, 100000),
    UINT("staff", "meeting_soon_days", meeting_soon_days, 0, 60),
    UINT("api", "idempotency_hours", idempotency_hours, 1, 24 * 365),
    UINT("api", "max_clock_skew_s", max_clock_skew_s, 0, 86400),
    STR("content", "media_dir", media_dir),
    STR("content", "static_dir", static_dir),
    STR("content", "template_dir", template_dir),
    STR("content", "migrations_dir", migrations_dir),
    STR("content", "demo_dir", demo_dir),
    STR("content", "openapi_file", openapi_file),
    UINT("content", "review_days", review_days, 0, 365),
    STR("delivery", "channels", channels),
    STR("delivery", "outbox_dir", outbox_dir),
    UINT("delivery", "remind_days_before", remind_days_before, 0, 60),
    UINT("delivery", "scheduler", scheduler, 0, 1),
    UINT("delivery", "remind_hour", remind_hour, 0, 23),
    UINT("delivery", "max_attempts", max_attempts, 1, 100),
    UINT("delivery", "backoff_base_s", backoff_base_s, 1, 86400),
    UINT("delivery", "backoff_max_s", backoff_max_s, 1, 7 * 86400),
    UINT("delivery", "job_lease_s", job_lease_s, 5, 86400),
    UINT("delivery", "claim_batch", claim_batch, 1, 1024),
    STR("delivery", "municipality_name", municipality_name),
    STR("delivery", "sender_cvr", sender_cvr),
    STR("delivery", "municipality_address", municipality_address),
    STR("delivery", "municipality_contact", municipality_contact),
    UINT("smtp", "timeout_s", smtp_timeout_s, 1, 600),
    UINT("webhook", "timeout_s", webhook_timeout_s, 1, 600),
    STR("smtp", "url", smtp_url),
    STR("smtp", "from", smtp_from),
    UINT("smtp", "allow_plain", smtp_allow_plain, 0, 1),
    STR("webhook", "url", webhook_url),
    STR("webhook", "secret", webhook_secret),
    STR("retention", "purge_after", purge_after),
    STR("metrics", "token", metrics_token),
    STR("metrics", "listen", metrics_listen),
    UINT("stats", "minutes_per_send", minutes_per_send, 0, 1440),
    UINT("stats", "max_range_days", stats_max_range_days, 1, 3660),
    UINT("stats", "top_questions", stats_top_questions, 1, 1000),
};

static int config_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The nearest parent of the binary's folder that holds db/migrations. */
static void config_find_root(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        for (int depth = 0; depth < 4; depth++) {
            char *slash = strrchr(exe, '/');
            if (!slash || slash == exe)
                break;
            *slash = '\0';
            char probe[PATH_MAX + 32];
            snprintf(probe, sizeof probe, "%s/db/migrations", exe);
            if (config_is_dir(probe) && strlen(exe) < n) {
                memcpy(out, exe, strlen(exe) + 1);
                return;
            }
        }
    }
    snprintf(out, n, ".");
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    config_find_root(c->root, sizeof c->root);
    c->threads = 4;
    c->max_connections = 512;
    c->max_connections_per_ip = 128;
    /* libmicrohttpd clears all of it before every request of a kept-alive connection:
     * request headers up to about half of it fit (7.5 KB at 16 KB) */
    c->connection_memory = 16 * 1024;
    c->connection_timeout_s = 30;
    c->shutdown_timeout_s = 10;
    c->max_body_json = 64 * 1024;
    c->max_body_form = 32 * 1024;
    c->body_budget = 16 * 1024 * 1024;
    c->max_body_drain = 4 * 1024 * 1024;
    c->max_form_fields = 200;
    c->max_field_length = 4000;
    c->log_requests = 1;
    snprintf(c->db_path, sizeof c->db_path, "var/vejled.db");
    c->busy_timeout_ms = 5000;
    c->checkpoint_minutes = 60;
    c->max_bundle_bytes = (size_t)64 << 20;
    c->batch_max = 256;
    c->batch_wait_us = 0;
    c->token_days = 180;
    c->session_hours = 24;
    c->token_misses_per_minute = 30;
    c->watch_max_body = 2048;
    c->watch_max_ranges = 64;
    c->watch_reports_per_minute = 30;
    c->idempotency_hours = 24;
    c->max_clock_skew_s = 300;
    c->staff_session_idle_minutes = 30;
    c->staff_session_hours = 10;
    c->login_max_failures = 5;
    c->login_lockout_minutes = 15;
    c->login_lockout_max_minutes = 24 * 60;
    c->login_account_window_hours = 24;
    c->login_attempts_per_minute = 20;
    c->login_address_free_failures = 10;
    c->login_address_delay_seconds = 1;
    c->login_address_delay_max_seconds = 900;
    c->login_address_window_minutes = 60;
    c->password_min_length = 10;
    c->max_upload = 64 * 1024 * 1024;
    c->caseload_limit = 500;
    c->meeting_soon_days = 3;
    c->max_content_text = 20000;
    c->review_days = 60;
    snprintf(c->channels, sizeof c->channels, "outbox");
    c->scheduler = 1;
    c->remind_hour = 9;
    c->max_attempts = 8;
    c->backoff_base_s = 60;
    c->backoff_max_s = 6 * 3600;
    c->job_lease_s = 600;
    c->claim_batch = 200;
    snprintf(c->municipality_name, sizeof c->municipality_name, "Jobcenter Eksempelby");
    snprintf(c->sender_cvr, sizeof c->sender_cvr, "12345678");
    snprintf(c->municipality_address, sizeof c->municipality_address,
             "Rådhuspladsen 1|9999 Eksempelby");
    snprintf(c->municipality_contact, sizeof c->municipality_contact,
             "Ring 70 10 20 30 (man-fre 9-15) eller skriv til jobcenter@example.dk");
    c->smtp_timeout_s = 30;
    c->webhook_timeout_s = 15;
    snprintf(c->media_dir, sizeof c->media_dir, "var/media");
    snprintf(c->smtp_from, sizeof c->smtp_from, "jobcenter@example.dk");
    c->remind_days_before = 3;
    c->minutes_per_send = 5;
    c->stats_max_range_days = 1096;
    c->stats_top_questions = 10;
}

static char *config_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* "HOST:PORT" into host (n bytes) and *port.  0 or -1. */
static int config_hostport(const char *hostport, char *host, size_t n, unsigned *port)
{
    const char *colon = strrchr(hostport, ':');
    if (!colon || colon == hostport || (size_t)(colon - hostport) >= n)
        return -1;
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || p > 65535)
        return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    *port = (unsigned)p;
    return 0;
}

int config_set_listen(struct config *c, const char *hostport)
{
    return config_hostport(hostport, c->listen_host, sizeof c->listen_host, &c->listen_port);
}

/* An origin as a browser sends it: "http" or "https", "://", a host in lower case (letters,
 * digits, '.', '-', or an IPv6 address in brackets), an optional port, nothing more. */
static int config_origin_well_formed(const char *o, size_t len)
{
    const char *end = o + len;
    if (len > 7 && strncmp(o, "http://", 7) == 0)
        o += 7;
    else if (len > 8 && strncmp(o, "https://", 8) == 0)
        o += 8;
    else
        return 0;
    const char *host = o;
    if (*o == '[') {
        const char *close = memchr(o, ']', (size_t)(end - o));
        if (!close || close == o + 1)
            return 0;
        for (o++; o < close; o++)
            if (!isxdigit((unsigned char)*o) || isupper((unsigned char)*o))
                if (*o != ':' && *o != '.')
                    return 0;
        o = close + 1;
    } else {
        while (o < end && (islower((unsigned char)*o) || isdigit((unsigned char)*o) ||
                           *o == '.' || *o == '-'))
            o++;
        if (o == host)
            return 0;
    }
    if (o < end && *o == ':') {
        const char *digits = ++o;
        while (o < end && isdigit((unsigned char)*o))
            o++;
        if (o == digits || o - digits > 5)
            return 0;
    }
    return o == end;
}

/* The entries of [citizen] app_origins are separated by commas (and spaces). */
#define CONFIG_ORIGIN_SEP ", \t"

int config_origins_check(const char *list, char *err, size_t errlen)
{
    for (const char *p = list + strspn(list, CONFIG_ORIGIN_SEP); *p; p += strspn(p, CONFIG_ORIGIN_SEP)) {
        size_t len = strcspn(p, CONFIG_ORIGIN_SEP);
        if (!config_origin_well_formed(p, len)) {
            snprintf(err, errlen, "[citizen] app_origins: \"%.*s\" is not an origin like"
                     " https://app.kommune.dk (scheme, lower-case host, optional port, no path)",
                     (int)(len > 100 ? 100 : len), p);
            return -1;
        }
        p += len;
    }
    return 0;
}

int config_channels_check(const char *list, char *err, size_t errlen)
{
    static const char *const known[] = {"outbox", "smtp", "webhook"};
    int any = 0;
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t w = strcspn(p, ", ");
        if (!w)
            break;
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok |= strlen(known[i]) == w && strncmp(p, known[i], w) == 0;
        if (!ok) {
            snprintf(err, errlen,
                     "[delivery] channels: unknown channel '%.*s' (outbox, smtp, webhook)",
                     (int)(w > 32 ? 32 : w), p);
            return -1;
        }
        any = 1;
        p += w;
    }
    if (!any) {
        snprintf(err, errlen, "[delivery] channels must name at least one of outbox, smtp, "
                              "webhook");
        return -1;
    }
    return 0;
}

int config_origin_listed(const char *list, const char *origin)
{
    size_t n = origin ? strlen(origin) : 0;
    const char *p = list;
    if (!n)
        return 0;
    for (p += strspn(p, CONFIG_ORIGIN_SEP); *p; p += strspn(p, CONFIG_ORIGIN_SEP)) {
        size_t len = strcspn(p, CONFIG_ORIGIN_SEP);
        if (len == n && strncmp(p, origin, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

int config_set(struct config *c, const char *section, const char *key, const char *value,
               char *err, size_t errlen)
{
    if (strcmp(section, "server") == 0 && strcmp(key, "listen") == 0) {
        if (config_set_listen(c, value) == 0)
            return 0;
        snprintf(err, errlen, "[server] listen must be HOST:PORT");
        return -1;
    }
    if (strcmp(section, "metrics") == 0 && strcmp(key, "listen") == 0 && *value) {
        char host[sizeof c->listen_host];
        unsigned port;
        if (config_hostport(value, host, sizeof host, &port) != 0) {
            snprintf(err, errlen, "[metrics] listen must be HOST:PORT");
            return -1;
        }
    }
    if (strcmp(section, "citizen") == 0 && strcmp(key, "app_origins") == 0 &&
        config_origins_check(value, err, errlen) != 0)
        return -1;
    if (strcmp(section, "delivery") == 0 && strcmp(key, "channels") == 0 &&
        config_channels_check(value, err, errlen) != 0)
        return -1;
    if (strcmp(section, "server") == 0 && strcmp(key, "trusted_proxy") == 0 && *value) {
        unsigned char addr[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1) {
            snprintf(err, errlen,
                     "[server] trusted_proxy must be the proxy's numeric address (e.g. "
                     "127.0.0.1 or ::1), not '%.64s'",
                     value);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
        const struct config_key *k = &config_keys[i];
        if (strcmp(k->section, section) != 0 || strcmp(k->key, key) != 0)
            continue;
        char *field = (char *)c + k->offset;
        if (k->kind == CK_STR) {
            if (strlen(value) >= k->size) {
                snprintf(err, errlen, "[%s] %s is too long", section, key);
                return -1;
            }
            memcpy(field, value, strlen(value) + 1);
            return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-' || v < k->min || v > k->max) {
            snprintf(err, errlen, "[%s] %s must be a whole number from %llu to %llu", section,
                     key, k->min, k->max);
            return -1;
        }
        if (k->kind == CK_UINT)
            *(unsigned *)(void *)field = (unsigned)v;
        else
            *(size_t *)(void *)field = (size_t)v;
        return 0;
    }
    snprintf(err, errlen, "unknown setting [%s] %s", section, key);
    return -1;
}

/* Whether any setting lives in that section. */
static bool config_section_known(const char *section)
{
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        if (strcmp(config_keys[i].section, section) == 0)
            return true;
    return false;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
    int rc = -1;
    char line[1024];
    char section[64] = "";
    unsigned lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = config_trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1] || (size_t)(close - s - 1) >= sizeof section) {
                snprintf(err, errlen, "%s:%u: bad section header", path, lineno);
                goto out;
            }
            *close = '\0';
            snprintf(section, sizeof section, "%s", config_trim(s + 1));
            if (!config_section_known(section)) { /* even with no key in it */
                snprintf(err, errlen, "%s:%u: unknown section [%s]", path, lineno, section);
                goto out;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !*section) {
            snprintf(err, errlen, "%s:%u: expected key = value inside a [section]", path,
                     lineno);
            goto out;
        }
        *eq = '\0';
        char *key = config_trim(s);
        char *value = config_trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value[vlen - 1] = '\0';
            value++;
        }
        char msg[256];
        if (config_set(c, section, key, value, msg, sizeof msg)) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
            goto out;
        }
    }
    rc = 0;
out:
    if (f)
        fclose(f);
    return rc;
}

static void config_under_root(const struct config *c, char *field, size_t n, const char *rel)
{
    if (*field)
        return;
    int w = snprintf(field, n, "%s/%s", c->root, rel);
    if (w < 0 || (size_t)w >= n)
        snprintf(field, n, "%s", rel); /* root too long: relative to the current folder */
}

const char *config_db_target(const struct config *c)
{
    return *c->db_url ? c->db_url : c->db_path;
}

static bool config_is_pg_url(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

void config_finish(struct config *c)
{
    /* --db postgresql://… (or path = a URL) means the URL; the key files and the outbox
     * then default to their places beside the default file */
    if (config_is_pg_url(c->db_path)) {
        snprintf(c->db_url, sizeof c->db_url, "%s", c->db_path);
        snprintf(c->db_path, sizeof c->db_path, "var/vejled.db");
    }
    if (!*c->key_file)
        snprintf(c->key_file, sizeof c->key_file, "%.*s.key", (int)(sizeof c->key_file - 5),
                 c->db_path);
    if (!*c->sign_key_file)
        snprintf(c->sign_key_file, sizeof c->sign_key_file, "%.*s.sign.key",
                 (int)(sizeof c->sign_key_file - 10), c->db_path);
    if (!*c->public_url)
        snprintf(c->public_url, sizeof c->public_url, "http://%s:%u", c->listen_host,
                 c->listen_port);
    size_t n = strlen(c->public_url);
    while (n && c->public_url[n - 1] == '/')
        c->public_url[--n] = '\0';
    if (!*c->outbox_dir) { /* beside the database: var/vejled.db → var/outbox */
        const char *slash = strrchr(c->db_path, '/');
        int dir = slash ? (int)(slash - c->db_path) : 0;
        snprintf(c->outbox_dir, sizeof c->outbox_dir, "%.*s%soutbox", dir, c->db_path,
                 slash ? "/" : "");
    }
    config_under_root(c, c->static_dir, sizeof c->static_dir, "build/static");
    config_under_root(c, c->template_dir, sizeof c->template_dir, "templates");
    config_under_root(c, c->migrations_dir, sizeof c->migrations_dir, "db/migrations");
    config_under_root(c, c->demo_dir, sizeof c->demo_dir, "db/demo");
    config_under_root(c, c->openapi_file, sizeof c->openapi_file, "openapi.json");
}
