/* staff — caseworker and administrator accounts, their sessions and who may see what.
 *
 * Accounts have a username, a display name, a role (caseworker or admin), a unit and a
 * password hashed with argon2id (libsodium crypto_pwhash_str); a disabled account cannot
 * log in and its sessions end.  A login checks, in this order: the client address's rate of
 * failed logins (in memory, per minute), the account's lock (after login_max_failures wrong
 * passwords in a row it locks for login_lockout_minutes, stored, so it holds across
 * restarts and servers), then the password.  An unknown user, a wrong password and a
 * disabled account give the same answer and cost the same time.
 *
 * A session is a random token in a cookie; only its SHA-256 is stored, a fresh one is made
 * at every login, and it ends after session_idle_minutes unused or session_hours after
 * login, whichever comes first.  The CSRF token of a form is derived from the session id,
 * so it is valid exactly as long as the session.
 *
 * Scope: a caseworker sees the citizens whose enrolment names a caseworker of their own
 * unit, unless see_all_units is set; administrators see every unit.
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

#define STAFF_PASSWORD_MAX 128 /* bytes */

enum staff_role { ROLE_NONE = 0, ROLE_CASEWORKER = 1, ROLE_ADMIN = 2 };

/* "caseworker" → ROLE_CASEWORKER, "admin" → ROLE_ADMIN, else ROLE_NONE. */
enum staff_role staff_role_from_name(const char *name);

/* Why an account's fields are refused (the first problem found), or STAFF_FIELD_OK. */
enum staff_field {
    STAFF_FIELD_OK = 0,
    STAFF_USERNAME_BAD,      /* 1–64 of a-z 0-9 . _ - */
    STAFF_DISPLAY_NAME_BAD,  /* more than 200 bytes or a control character */
    STAFF_ROLE_BAD,
    STAFF_UNIT_BAD,          /* 0–64 of a-z 0-9 . _ - */
    STAFF_PASSWORD_SHORT,    /* fewer than password_min_length characters */
    STAFF_PASSWORD_LONG      /* more than STAFF_PASSWORD_MAX bytes */
};
enum staff_field staff_check_username(const char *s);
enum staff_field staff_check_unit(const char *s);
enum staff_field staff_check_display_name(const char *s);
/* min_length in characters (UTF-8 code points). */
enum staff_field staff_check_password(const char *pw, unsigned min_length);

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
    LOGIN_BAD,       /* unknown user, wrong password or disabled account */
    LOGIN_LOCKED,    /* the account is locked for now */
    LOGIN_THROTTLED, /* too many failed logins from this address */
    LOGIN_ERROR
};

/* Checks a login as described at the top and, when it succeeds, starts a session. */
enum staff_login staff_login(struct store *st, const struct config *cfg,
                             struct ratelimit *misses, const char *addr, const char *username,
                             const char *password, int64_t now, char session[TOKEN_LEN + 1],
                             struct store_user *user);

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

#endif
