/* staff — caseworker and administrator accounts, their sessions and who may see what.
 *
 * Accounts have a username, a display name, a role (caseworker or admin), a unit and a
 * password hashed with argon2id (libsodium crypto_pwhash_str); a disabled account cannot
 * log in and its sessions end.
 *
 * Failed logins are counted per client address (in memory, sliding windows) and per
 * account (stored, so it holds across restarts and servers), and slow guessing down
 * without letting a guesser lock the owner out:
 *   - an address that failed more than login_address_free_failures times within
 *     login_address_window_minutes waits login_address_delay_seconds after its latest
 *     failure, doubling with each further failure up to login_address_delay_max_seconds,
 *     and at most login_attempts_per_minute failures fit in any 60 seconds; meanwhile its
 *     logins are not even checked (LOGIN_THROTTLED, with the wait);
 *   - an account with login_max_failures wrong passwords within login_account_window_hours
 *     is locked for login_lockout_minutes, doubling with each further one up to
 *     login_lockout_max_minutes; the lock refuses logins only from addresses that have
 *     failed themselves within their window: from an address with no failures the right
 *     password still works, so a guesser on one address cannot keep the caseworker out on
 *     another.  Each lock and each unlock (an administrator's) is written to the account
 *     log.
 * An unknown user, a wrong password, a disabled account and a locked account give the same
 * answer (LOGIN_BAD) and cost the same time (the password hash runs for each).
 *
 * A session is a random token in a cookie; only its SHA-256 is stored, a fresh one is made
 * at every login, and it ends after session_idle_minutes unused or session_hours after
 * login, whichever comes first.  The CSRF token of a form is derived from the session id,
 * so it is valid exactly as long as the session.
 *
 * Scope is per enrolment: a caseworker sees (and records on) the enrolments that name a
 * caseworker of their own unit, unless see_all_units is set; administrators see every unit.
 *
 * This module knows no HTTP: the web layer passes the client address as a string.
 */
#ifndef VEJLED_STAFF_H
#define VEJLED_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ratelimit.h"
#include "store.h"
#include "token.h"
#include "writer.h"

/* A password's characters at most (utf8.h: "æ" is one), at creation and at login. */
#define STAFF_PASSWORD_MAX 128

enum staff_role { ROLE_NONE = 0, ROLE_CASEWORKER = 1, ROLE_ADMIN = 2 };

/* "caseworker" → ROLE_CASEWORKER, "admin" → ROLE_ADMIN, else ROLE_NONE. */
enum staff_role staff_role_from_name(const char *name);

/* Why an account's fields are refused (the first problem found), or STAFF_FIELD_OK. */
enum staff_field {
    STAFF_FIELD_OK = 0,
    STAFF_USERNAME_BAD,      /* 1–64 of a-z 0-9 . _ - */
    STAFF_USERNAME_RESERVED, /* a name the journal gives an actor that is not staff */
    STAFF_NAME_CPR,          /* a username or unit holding a CPR number (cpr_within): the
                              * journal, the access log and the statistics would keep it */
    STAFF_DISPLAY_NAME_BAD,  /* more than STORE_DISPLAY_NAME_MAX characters, or a control
                              * character */
    STAFF_ROLE_BAD,
    STAFF_UNIT_BAD,          /* 0–64 of a-z 0-9 . _ - */
    STAFF_PASSWORD_SHORT,    /* fewer than password_min_length characters */
    STAFF_PASSWORD_LONG      /* more than STAFF_PASSWORD_MAX characters */
};
/* STAFF_NAME_CPR when it holds a CPR number; STAFF_USERNAME_RESERVED for the journal's own
 * actors ("api", "citizen", "scheduler", …:
 * what a staff account does is journalled under its username, and the record would show
 * it as done by the case system or the citizen); such a name cannot sign in either. */
enum staff_field staff_check_username(const char *s);
/* STAFF_UNIT_BAD, or STAFF_NAME_CPR as for a username. */
enum staff_field staff_check_unit(const char *s);
enum staff_field staff_check_display_name(const char *s);
/* min_length in characters (UTF-8 code points). */
enum staff_field staff_check_password(const char *pw, unsigned min_length);
/* Whether pw has at most STAFF_PASSWORD_MAX characters: the one rule of creating a
 * password and of the login form (a longer one is refused unhashed). */
bool staff_password_fits(const char *pw);

/* argon2id hash of pw into out; 0 or -1 (out of memory). */
int staff_password_hash(const char *pw, char out[STORE_PWHASH_MAX + 1]);
/* true when pw matches hash. */
bool staff_password_verify(const char *hash, const char *pw);

/* Creates an account (fields checked as above, password hashed).  Returns STAFF_FIELD_OK
 * and *id, another enum staff_field value for a bad field, or -1 for a taken username and
 * -2 for a store error. */
int staff_user_create(struct store *st, const struct config *cfg, const char *username,
                      const char *display_name, const char *role, const char *unit,
                      const char *password, int64_t now, int64_t *id);

/* Sets a new password (checked) and ends the user's sessions.  Same returns as create. */
int staff_user_set_password(struct store *st, const struct config *cfg, int64_t id,
                            const char *password);

enum staff_login {
    LOGIN_OK,        /* *session holds the new session id, *user the account */
    LOGIN_BAD,       /* unknown user, wrong password, disabled or locked account */
    LOGIN_THROTTLED, /* this address must wait *retry_after seconds */
    LOGIN_ERROR
};

/* The counters of failed logins per client address: rows in the database (guard.h), so
 * that every server counts them; the address only as a hash keyed by vault.  Made from the
 * [staff] settings; owned by the caller, free with staff_guard_free (NULL is fine). */
struct vault;
struct staff_guard;
struct staff_guard *staff_guard_new(const struct config *cfg, const struct vault *vault);
void staff_guard_free(struct staff_guard *g);

/* Seconds an address with `failures` failed logins in its window must wait after the
 * latest (0 while failures ≤ login_address_free_failures).  Pure. */
int64_t staff_address_delay(const struct config *cfg, unsigned failures);
/* Seconds an account with `failures` wrong passwords in its window is locked (0 while
 * failures < login_max_failures).  Pure. */
int64_t staff_account_lock(const struct config *cfg, unsigned failures);

/* Checks a login as described at the top and, when it succeeds, starts a session.  addr is
 * the client address; *retry_after is set for LOGIN_THROTTLED. */
enum staff_login staff_login(struct store *st, const struct config *cfg, struct staff_guard *g,
                             const char *addr, const char *username, const char *password,
                             int64_t now, char session[TOKEN_LEN + 1], struct store_user *user,
                             unsigned *retry_after);

/* An administrator (admin_name) unlocks account id: its failures are forgotten, its lock
 * lifted, and the account log says so.  0, -1 when there is no such account, -2 store
 * error. */
int staff_user_unlock(struct store *st, int64_t id, const char *admin_name, int64_t now);

/* Starts a session for a known user (single sign-on).  0 or -1. */
int staff_session_start(struct store *st, const struct config *cfg, int64_t user_id,
                        int64_t now, char session[TOKEN_LEN + 1]);

/* A session's "last used" mark is renewed at most this often (seconds): the idle timeout
 * counts from the last mark, so it may end a session up to this much early. */
#define STAFF_SEEN_EVERY_S 60

/* The user of a live session cookie: 0 and *user, or -1.  Only reads: with w, a mark older
 * than STAFF_SEEN_EVERY_S is renewed through the group commit writer in the background
 * (the request never waits for it); without w, nothing is marked. */
int staff_session_user(struct store *st, const struct config *cfg, const char *cookie,
                       int64_t now, struct store_user *user, struct writer *w);

/* Sets the staff pages' language ("da" | "en") for the rest of a session.  0, or -1 for
 * another language or no such session. */
int staff_session_set_lang(struct store *st, const char *cookie, const char *lang);

/* Ends a session (logout).  NULL or unknown cookies are fine. */
void staff_session_end(struct store *st, const char *cookie);

/* The form token of a session (hex). */
void staff_csrf(const char *session, char out[TOKEN_HASH_HEX_LEN + 1]);

/* Whether a session of this age is still live: pure, for tests. */
bool staff_session_live(int64_t created, int64_t last_seen, int64_t now, unsigned idle_minutes,
                        unsigned hours);

/* The unit filter for a user: "" (every unit) for admins and when see_all is set, else
 * the user's unit (borrowed from user); a caseworker without a unit gets " ", which
 * matches no unit. */
const char *staff_scope(const struct store_user *user, bool see_all);

/* API keys for the case system: a new key ("vk_" + a random token) is returned once in
 * key; only its SHA-256 is stored.  0 and *id, or -1. */
#define STAFF_APIKEY_LEN (TOKEN_LEN + 3)
int staff_apikey_create(struct store *st, const char *name, int64_t now,
                        char key[STAFF_APIKEY_LEN + 1], int64_t *id);

/* ------------------------------------------------------------------ administration
 * What the administrator's and caseworker's pages change, so that each rule lives here and
 * the handlers only ask. */

/* Adds a unit (STORE_CONFLICT when the name is taken). */
enum store_status staff_unit_add(struct store *st, const char *name, int64_t now);
/* Renames unit id; its accounts move with it (CONFLICT: name taken, NOT_FOUND: no unit). */
enum store_status staff_unit_rename(struct store *st, int64_t id, const char *name);
/* Disables or enables unit id (its accounts keep it; it is not offered for new ones). */
enum store_status staff_unit_set_disabled(struct store *st, int64_t id, bool disabled);
/* Saves an account's display name, role, unit and disabled flag; a disabled account's
 * sessions end in the same transaction. */
enum store_status staff_user_save(struct store *st, const struct store_user *u);
/* Records that `by` read citizen_id's data on `page` (the access log; append-only). */
enum store_status staff_access_record(struct store *st, const struct store_user *by,
                                      int64_t citizen_id, const char *page, int64_t now);
/* Records that `by` was shown the n citizen_ids on `page`, a page that shows many citizens
 * at once (the list, a search by name, the failed letters): a row per citizen the first
 * time each Copenhagen day that this user is shown them on this page (a list opened twenty
 * times a day by every caseworker of a unit would otherwise write its 500 rows twenty
 * times each); a citizen named twice (two enrolments) once; all rows or none.  On
 * PostgreSQL two views at the same instant may both write a citizen's row of the day
 * (logged twice, never not at all). */
enum store_status staff_access_record_shown(struct store *st, const struct store_user *by,
                                            const int64_t *citizen_ids, size_t n,
                                            const char *page, int64_t now);
/* Revokes API key id (NOT_FOUND: no such key, or revoked already). */
enum store_status staff_apikey_revoke(struct store *st, int64_t id, int64_t now);

/* The citizen's CPR number masked for the caseworker's page, "DDMMYY-****" (cpr_mask), so
 * that two citizens of one name are told apart without the number being shown: 0, or -1
 * when none is sealed any more (purged) or it cannot be opened (out is then "").  The
 * whole number is never returned. */
struct vault;
int staff_citizen_cpr_masked(struct store *st, const struct vault *vault, int64_t citizen_id,
                             char out[12]);

#endif
