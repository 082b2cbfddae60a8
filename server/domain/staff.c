#include "staff.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cpr.h"
#include "guard.h"
#include "journal.h"
#include "vault.h"
#include "mem.h"
#include "utf8.h"

/* ------------------------------------------------------------------ fields */

enum staff_role staff_role_from_name(const char *name)
{
    if (name && strcmp(name, "caseworker") == 0)
        return ROLE_CASEWORKER;
    if (name && strcmp(name, "admin") == 0)
        return ROLE_ADMIN;
    return ROLE_NONE;
}

static bool staff_ident_ok(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

enum staff_field staff_check_username(const char *s)
{
    if (!staff_ident_ok(s, 1, STORE_USERNAME_MAX))
        return STAFF_USERNAME_BAD;
    if (cpr_within(s))
        return STAFF_NAME_CPR;
    return journal_actor_is_staff(s) ? STAFF_FIELD_OK : STAFF_USERNAME_RESERVED;
}

enum staff_field staff_check_unit(const char *s)
{
    if (!staff_ident_ok(s ? s : "", 0, STORE_USERNAME_MAX))
        return STAFF_UNIT_BAD;
    return s && cpr_within(s) ? STAFF_NAME_CPR : STAFF_FIELD_OK;
}

enum staff_field staff_check_display_name(const char *s)
{
    if (!s)
        return STAFF_FIELD_OK;
    if (!utf8_fits(s, STORE_DISPLAY_NAME_MAX))
        return STAFF_DISPLAY_NAME_BAD;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return STAFF_DISPLAY_NAME_BAD;
    return STAFF_FIELD_OK;
}

enum staff_field staff_check_password(const char *pw, unsigned min_length)
{
    if (!pw)
        return STAFF_PASSWORD_SHORT;
    if (!staff_password_fits(pw))
        return STAFF_PASSWORD_LONG;
    return utf8_chars(pw) < min_length ? STAFF_PASSWORD_SHORT : STAFF_FIELD_OK;
}

bool staff_password_fits(const char *pw)
{
    return utf8_fits(pw, STAFF_PASSWORD_MAX);
}

/* ------------------------------------------------------------------ passwords */

/* argon2id's cost: libsodium's interactive limits (64 MB, 2 passes).  The test build alone
 * takes libsodium's minimum instead when VEJLED_TEST_PWHASH is "fast", as the HTTP suite
 * asks, so that its hundreds of logins and demo accounts do not each fill 64 MB; the hash
 * string names its own cost, so verifying follows whichever made it.  Returns -1 for any
 * other value (named on stderr).  The production build never reads the variable. */
static int staff_pwhash_cost(unsigned long long *ops, size_t *mem)
{
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
#ifdef VEJLED_TESTING
    const char *v = getenv("VEJLED_TEST_PWHASH");
    if (v && *v) {
        if (strcmp(v, "fast") != 0) {
            fprintf(stderr, "vejled: VEJLED_TEST_PWHASH must be 'fast' or empty\n");
            return -1;
        }
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
    }
#endif
    return 0;
}

int staff_password_hash(const char *pw, char out[STORE_PWHASH_MAX + 1])
{
    char h[crypto_pwhash_STRBYTES];
    unsigned long long ops;
    size_t mem;
    if (staff_pwhash_cost(&ops, &mem) || crypto_pwhash_str(h, pw, strlen(pw), ops, mem) != 0)
        return -1;
    snprintf(out, STORE_PWHASH_MAX + 1, "%s", h);
    sodium_memzero(h, sizeof h);
    return 0;
}

bool staff_password_verify(const char *hash, const char *pw)
{
    if (!hash || !*hash || !pw)
        return false;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* The same cost as a real check, for unknown users, so that timing tells nothing. */
static void staff_password_burn(const char *pw)
{
    char h[STORE_PWHASH_MAX + 1];
    if (staff_password_hash(pw, h) == 0)
        sodium_memzero(h, sizeof h);
}

/* ------------------------------------------------------------------ accounts */

struct staff_new_user {
    struct store_user u;
    int64_t now;
    int64_t id;
};

static enum store_status staff_insert_txn(struct store *st, void *arg)
{
    struct staff_new_user *n = arg;
    return store_user_insert(st, &n->u, n->now, &n->id);
}

int staff_user_create(struct store *st, const struct config *cfg, const char *username,
                      const char *display_name, const char *role, const char *unit,
                      const char *password, int64_t now, int64_t *id)
{
    enum staff_field f;
    if ((f = staff_check_username(username)) || (f = staff_check_display_name(display_name)))
        return f;
    if (staff_role_from_name(role) == ROLE_NONE)
        return STAFF_ROLE_BAD;
    if ((f = staff_check_unit(unit)) || (f = staff_check_password(password, cfg->password_min_length)))
        return f;
    struct staff_new_user n;
    memset(&n, 0, sizeof n);
    snprintf(n.u.username, sizeof n.u.username, "%s", username);
    snprintf(n.u.display_name, sizeof n.u.display_name, "%s",
             display_name && *display_name ? display_name : username);
    snprintf(n.u.role, sizeof n.u.role, "%s", role);
    snprintf(n.u.unit, sizeof n.u.unit, "%s", unit ? unit : "");
    if (staff_password_hash(password, n.u.password_hash))
        return -2;
    n.now = now;
    enum store_status rc = store_txn(st, staff_insert_txn, &n);
    sodium_memzero(n.u.password_hash, sizeof n.u.password_hash);
    if (rc == STORE_CONFLICT)
        return -1;
    if (rc != STORE_OK)
        return -2;
    /* the command line and the demo name units freely: a unit named is a unit listed (the
     * administrator's form offers only listed units).  Best effort, after the account: a
     * database not yet migrated to 0015 has no list to add to. */
    if (n.u.unit[0])
        (void)store_unit_ensure(st, n.u.unit, now);
    *id = n.id;
    return STAFF_FIELD_OK;
}

struct staff_pw {
    int64_t id;
    char hash[STORE_PWHASH_MAX + 1];
};

static enum store_status staff_pw_txn(struct store *st, void *arg)
{
    struct staff_pw *p = arg;
    enum store_status rc = store_user_set_password(st, p->id, p->hash);
    return rc == STORE_OK ? store_staff_sessions_end_user(st, p->id) : rc;
}

int staff_user_set_password(struct store *st, const struct config *cfg, int64_t id,
                            const char *password)
{
    enum staff_field f = staff_check_password(password, cfg->password_min_length);
    if (f)
        return f;
    struct staff_pw p = {.id = id};
    if (staff_password_hash(password, p.hash))
        return -2;
    enum store_status rc = store_txn(st, staff_pw_txn, &p);
    sodium_memzero(p.hash, sizeof p.hash);
    return rc == STORE_OK ? STAFF_FIELD_OK : -2;
}

/* ------------------------------------------------------------------ login and sessions */

bool staff_session_live(int64_t created, int64_t last_seen, int64_t now, unsigned idle_minutes,
                        unsigned hours)
{
    return now < created + (int64_t)hours * 3600 && now < last_seen + (int64_t)idle_minutes * 60;
}

/* ------------------------------------------------------------------ failed logins */

struct staff_guard {
    const struct vault *vault;    /* the address is counted only as a keyed hash */
    struct guard_limit per_minute; /* failures per address in any 60 s */
    struct guard_limit window;     /* failures per address in login_address_window_minutes */
};

struct staff_guard *staff_guard_new(const struct config *cfg, const struct vault *vault)
{
    struct staff_guard *g = xcalloc(1, sizeof *g);
    unsigned window_s = cfg->login_address_window_minutes * 60;
    unsigned keep_s = window_s > 60 ? window_s : 60;
    g->vault = vault;
    /* one scope, two windows over the same events (rows in the database: every server
     * counts them) */
    g->per_minute = (struct guard_limit){"login", cfg->login_attempts_per_minute, 60, keep_s};
    /* the window's own limit is never the test: the delay below is */
    g->window = (struct guard_limit){"login", UINT_MAX, window_s, keep_s};
    return g;
}

void staff_guard_free(struct staff_guard *g)
{
    free(g);
}

/* base · 2^steps, at most max (all in seconds). */
static int64_t staff_doubling(int64_t base, unsigned steps, int64_t max)
{
    int64_t v = base;
    for (unsigned i = 0; i < steps && v < max; i++)
        v *= 2;
    return v < max ? v : max;
}

int64_t staff_address_delay(const struct config *cfg, unsigned failures)
{
    if (failures <= cfg->login_address_free_failures)
        return 0;
    return staff_doubling(cfg->login_address_delay_seconds,
                          failures - cfg->login_address_free_failures - 1,
                          cfg->login_address_delay_max_seconds);
}

int64_t staff_account_lock(const struct config *cfg, unsigned failures)
{
    if (failures < cfg->login_max_failures)
        return 0;
    int64_t max = (int64_t)cfg->login_lockout_max_minutes * 60;
    int64_t base = (int64_t)cfg->login_lockout_minutes * 60;
    return staff_doubling(base < max ? base : max, failures - cfg->login_max_failures, max);
}

struct staff_fail {
    const struct config *cfg;
    const struct store_user *user;
    int64_t now;
    int64_t locked_until; /* out: the new lock, 0 when the account did not lock now */
};

/* Records a wrong password for the account; locks it (and logs the lock) when that makes
 * login_max_failures in the window.  A lock that grows while it holds is not logged again:
 * the log shows when an account locked, not every guess after. */
static enum store_status staff_fail_txn(struct store *st, void *arg)
{
    struct staff_fail *f = arg;
    unsigned count = 0;
    f->locked_until = 0;
    /* beyond max + 64 failures the lock is at its longest whatever the settings: more rows
     * would change nothing */
    enum store_status rc = store_login_failure_add(
        st, f->user->id, f->now, f->now - (int64_t)f->cfg->login_account_window_hours * 3600,
        f->cfg->login_max_failures + 64, &count);
    int64_t lock = staff_account_lock(f->cfg, count);
    if (rc != STORE_OK || lock == 0)
        return rc;
    int64_t until = f->now + lock;
    if (until <= f->user->locked_until)
        return STORE_OK;
    rc = store_user_set_lock(st, f->user->id, until);
    if (rc == STORE_OK && f->user->locked_until <= f->now) {
        rc = store_account_log_insert(st, f->now, f->user->id, f->user->username, "locked",
                                      "system", until);
        f->locked_until = until;
    }
    return rc;
}

struct staff_unlock {
    int64_t id;
    const char *admin;
    int64_t now;
};

static enum store_status staff_unlock_txn(struct store *st, void *arg)
{
    struct staff_unlock *u = arg;
    struct store_user user;
    enum store_status rc = store_user_by_id(st, u->id, &user);
    sodium_memzero(user.password_hash, sizeof user.password_hash);
    if (rc == STORE_OK)
        rc = store_user_unlock(st, u->id);
    if (rc == STORE_OK)
        rc = store_account_log_insert(st, u->now, u->id, user.username, "unlocked", u->admin,
                                      0);
    return rc;
}

int staff_user_unlock(struct store *st, int64_t id, const char *admin_name, int64_t now)
{
    struct staff_unlock u = {id, admin_name, now};
    enum store_status rc = store_txn(st, staff_unlock_txn, &u);
    if (rc == STORE_NOT_FOUND)
        return -1;
    if (rc != STORE_OK)
        return -2;
    fprintf(stderr, "vejled: account %lld unlocked by %s\n", (long long)id, admin_name);
    return 0;
}

struct staff_start {
    int64_t user_id;
    int64_t now;
    int64_t expires;
    int64_t idle_s;
    char hash[TOKEN_HASH_HEX_LEN + 1];
};

static enum store_status staff_start_txn(struct store *st, void *arg)
{
    struct staff_start *s = arg;
    /* every login clears away the sessions that have ended, so the table stays small */
    enum store_status rc = store_staff_sessions_purge(st, s->now, s->idle_s);
    if (rc != STORE_OK)
        return rc;
    return store_staff_session_insert(st, s->hash, s->user_id, s->now, s->expires);
}

int staff_session_start(struct store *st, const struct config *cfg, int64_t user_id,
                        int64_t now, char session[TOKEN_LEN + 1])
{
    struct staff_start s = {.user_id = user_id, .now = now,
                            .idle_s = (int64_t)cfg->staff_session_idle_minutes * 60};
    s.expires = now + (int64_t)cfg->staff_session_hours * 3600;
    token_new(session);
    token_hash(session, TOKEN_LEN, s.hash);
    return store_txn(st, staff_start_txn, &s) == STORE_OK ? 0 : -1;
}

/* Counts a failed login for the address (one event: both windows count it). */
static void staff_guard_fail(struct store *st, struct staff_guard *g, const char *addr,
                             int64_t now)
{
    if (guard_hit(st, g->vault, &g->window, addr, now) != 0)
        fprintf(stderr, "vejled: staff: a failed login could not be counted\n");
}

enum staff_login staff_login(struct store *st, const struct config *cfg, struct staff_guard *g,
                             const char *addr, const char *username, const char *password,
                             int64_t now, char session[TOKEN_LEN + 1], struct store_user *user,
                             unsigned *retry_after)
{
    int64_t last = 0;
    unsigned failures = 0;
    if (guard_count(st, g->vault, &g->window, addr, now, &failures, &last) != 0)
        return LOGIN_ERROR;
    int64_t wait = last + staff_address_delay(cfg, failures) - now;
    unsigned minute_wait = guard_wait(st, g->vault, &g->per_minute, addr, now);
    *retry_after = 0;
    if (failures && (wait > 0 || minute_wait > 0)) {
        *retry_after = (unsigned)(wait > (int64_t)minute_wait ? wait : (int64_t)minute_wait);
        return LOGIN_THROTTLED;
    }
    memset(user, 0, sizeof *user);
    if (!username || !password || staff_check_username(username) ||
        !staff_password_fits(password)) {
        staff_password_burn(password ? password : "");
        staff_guard_fail(st, g, addr, now);
        return LOGIN_BAD;
    }
    enum store_status rc = store_user_by_name(st, username, user);
    if (rc == STORE_ERROR || rc == STORE_BUSY)
        return LOGIN_ERROR;
    if (rc == STORE_NOT_FOUND) {
        staff_password_burn(password);
        staff_guard_fail(st, g, addr, now);
        return LOGIN_BAD;
    }
    /* the hash runs whatever the account's state, so time tells nothing either */
    bool ok = staff_password_verify(user->password_hash, password);
    sodium_memzero(user->password_hash, sizeof user->password_hash);
    bool locked = user->locked_until > now && failures > 0;
    if (ok && !user->disabled && !locked)
        return staff_session_start(st, cfg, user->id, now, session) == 0 ? LOGIN_OK
                                                                         : LOGIN_ERROR;
    staff_guard_fail(st, g, addr, now);
    if (!ok) {
        struct staff_fail f = {cfg, user, now, 0};
        if (store_txn(st, staff_fail_txn, &f) != STORE_OK)
            return LOGIN_ERROR;
        if (f.locked_until) {
            char until[CLOCK_RFC3339_LEN + 1];
            clock_format_rfc3339(f.locked_until, until);
            fprintf(stderr, "vejled: account %lld locked until %s after failed logins\n",
                    (long long)user->id, until);
        }
    }
    return LOGIN_BAD;
}

/* A session's "used at" mark, queued to the writer: owned by the writer's callback. */
struct staff_seen {
    char hash[TOKEN_HASH_HEX_LEN + 1];
    int64_t now;
};

static enum store_status staff_seen_txn(struct store *st, void *arg)
{
    const struct staff_seen *m = arg;
    enum store_status rc = store_staff_session_touch(st, m->hash, m->now);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static void staff_seen_done(void *arg, enum store_status result)
{
    (void)result; /* a lost mark costs at most STAFF_SEEN_EVERY_S of idle time */
    free(arg);
}

int staff_session_user(struct store *st, const struct config *cfg, const char *cookie,
                       int64_t now, struct store_user *user, struct writer *w)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    int64_t last_seen = 0;
    if (!cookie || !token_is_well_formed(cookie))
        return -1;
    token_hash(cookie, TOKEN_LEN, hash);
    if (store_staff_session_get(st, hash, now, (int64_t)cfg->staff_session_idle_minutes * 60,
                                user, &last_seen) != STORE_OK)
        return -1;
    sodium_memzero(user->password_hash, sizeof user->password_hash);
    if (w && now - last_seen >= STAFF_SEEN_EVERY_S) {
        struct staff_seen *m = malloc(sizeof *m);
        if (m) {
            memcpy(m->hash, hash, sizeof m->hash);
            m->now = now;
            if (writer_submit(w, WRITER_UNSEEN, staff_seen_txn, m, staff_seen_done, m) != 0)
                free(m);
        }
    }
    return 0;
}

int staff_session_set_lang(struct store *st, const char *cookie, const char *lang)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!cookie || !token_is_well_formed(cookie) || !lang ||
        (strcmp(lang, "da") != 0 && strcmp(lang, "en") != 0))
        return -1;
    token_hash(cookie, TOKEN_LEN, hash);
    return store_staff_session_set_lang(st, hash, lang) == STORE_OK ? 0 : -1;
}

void staff_session_end(struct store *st, const char *cookie)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!cookie || !token_is_well_formed(cookie))
        return;
    token_hash(cookie, TOKEN_LEN, hash);
    store_staff_session_delete(st, hash);
}

void staff_csrf(const char *session, char out[TOKEN_HASH_HEX_LEN + 1])
{
    char material[TOKEN_LEN + 16];
    snprintf(material, sizeof material, "staff-csrf:%s", session ? session : "");
    token_hash(material, strlen(material), out);
}

const char *staff_scope(const struct store_user *user, bool see_all)
{
    if (see_all || staff_role_from_name(user->role) == ROLE_ADMIN)
        return "";
    /* a caseworker without a unit sees nobody: " " is no unit's name */
    return user->unit[0] ? user->unit : " ";
}

/* ------------------------------------------------------------------ API keys */

struct staff_key {
    const char *name;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    int64_t now;
    int64_t id;
};

static enum store_status staff_key_txn(struct store *st, void *arg)
{
    struct staff_key *k = arg;
    return store_apikey_insert(st, k->name, k->hash, k->now, &k->id);
}

int staff_apikey_create(struct store *st, const char *name, int64_t now,
                        char key[STAFF_APIKEY_LEN + 1], int64_t *id)
{
    char raw[TOKEN_LEN + 1];
    struct staff_key k = {.name = name, .now = now};
    token_new(raw);
    snprintf(key, STAFF_APIKEY_LEN + 1, "vk_%s", raw);
    token_hash(key, strlen(key), k.hash);
    if (store_txn(st, staff_key_txn, &k) != STORE_OK)
        return -1;
    *id = k.id;
    return 0;
}

/* ------------------------------------------------------------------ administration */

enum store_status staff_unit_add(struct store *st, const char *name, int64_t now)
{
    return store_unit_insert(st, name, now);
}

enum store_status staff_unit_rename(struct store *st, int64_t id, const char *name)
{
    return store_unit_rename(st, id, name); /* one transaction of its own */
}

enum store_status staff_unit_set_disabled(struct store *st, int64_t id, bool disabled)
{
    return store_unit_set_disabled(st, id, disabled);
}

static enum store_status staff_user_save_txn(struct store *st, void *arg)
{
    const struct store_user *u = arg;
    enum store_status rc = store_user_update(st, u);
    if (rc == STORE_OK && u->disabled)
        rc = store_staff_sessions_end_user(st, u->id);
    return rc;
}

enum store_status staff_user_save(struct store *st, const struct store_user *u)
{
    return store_txn(st, staff_user_save_txn, (void *)u);
}

enum store_status staff_access_record(struct store *st, const struct store_user *by,
                                      int64_t citizen_id, const char *page, int64_t now)
{
    return store_access_insert(st, by->id, by->username, citizen_id, page, now);
}

enum store_status staff_access_record_shown(struct store *st, const struct store_user *by,
                                            const int64_t *citizen_ids, size_t n,
                                            const char *page, int64_t now)
{
    return store_access_insert_many(st, by->id, by->username, citizen_ids, n, page, now,
                                    clock_local_day_start(now));
}

enum store_status staff_apikey_revoke(struct store *st, int64_t id, int64_t now)
{
    return store_apikey_revoke(st, id, now);
}

int staff_citizen_cpr_masked(struct store *st, const struct vault *vault, int64_t citizen_id,
                             char out[12])
{
    unsigned char *box = NULL;
    size_t boxlen = 0, n = 0;
    char *plain = NULL;
    int rc = -1;
    out[0] = '\0';
    if (store_citizen_cpr_box(st, citizen_id, &box, &boxlen) != STORE_OK || !box || !boxlen)
        goto out;
    if (vault_unseal(vault, box, boxlen, &plain, &n) != 0 || n != 10)
        goto out;
    cpr_mask(plain, out);
    rc = 0;
out:
    if (plain) {
        sodium_memzero(plain, n);
        free(plain);
    }
    free(box);
    return rc;
}
