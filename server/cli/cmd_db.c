/* cmd_db — migrate, demo, packs load, apikey, user, verify, backup, copy (cli.h). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "bundle.h"
#include "checkpoint.h"
#include "clock.h"
#include "config.h"
#include "content.h"
#include "enrol.h"
#include "http.h"
#include "jsonmem.h"
#include "evidence.h"
#include "jobs.h"
#include "journal.h"
#include "mem.h"
#include "pdf.h"
#include "purge.h"
#include "staff.h"
#include "scheduler.h"
#include "signkey.h"
#include "stats.h"
#include "store.h"
#include "store_testvfs.h"
#include "token.h"
#include "utf8.h"
#include "vault.h"

#include "cli.h"

/* ------------------------------------------------------------------ commands */

int cmd_migrate(const struct config *cfg)
{
    struct store *st = NULL;
    if (main_open(cfg, MAIN_DB_CREATE, &st))
        return EXIT_FAILURE;
    store_close(st);
    return 0;
}

static int main_demo_citizens(const struct config *cfg, struct store *st, struct vault *vault,
                              struct content_cache *cache)
{
    char path[CONFIG_PATH_MAX + 32];
    json_error_t je;
    int rc = EXIT_FAILURE;
    snprintf(path, sizeof path, "%s/citizens.json", cfg->demo_dir);
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc)
        return main_fail("cannot read %s", path);
    struct jobs_policy policy;
    jobs_policy_from_config(cfg, &policy);
    /* demo citizens may have any language the pages offer */
    struct lang_list langs;
    char lerr[256];
    if (lang_list_load(&langs, cfg->template_dir, lerr, sizeof lerr)) {
        json_decref(doc);
        return main_fail("%s", lerr);
    }
    struct enrol_env env = {st, vault, cache, cfg->public_url, cfg->token_days,
                            cfg->idempotency_hours, cfg->remind_days_before,
                            cfg->max_field_length, &policy, NULL, cfg->max_clock_skew_s, &langs};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "citizens"), i, c)
    {
        int64_t day = clock_now() / 86400 * 86400;
        int64_t meeting = day + json_integer_value(json_object_get(c, "meeting_in_days")) * 86400 +
                          9 * 3600;
        char when[CLOCK_RFC3339_LEN + 1];
        clock_format_rfc3339(meeting, when);
        json_t *body = json_pack(
            "{s:{s:O, s:O, s:O*}, s:O, s:s, s:O, s:O}", "citizen", "cpr",
            json_object_get(c, "cpr"), "name", json_object_get(c, "name"), "email",
            json_object_get(c, "email"), "target_group", json_object_get(c, "target_group"),
            "first_meeting_at", when, "caseworker", json_object_get(c, "caseworker"),
            "language", json_object_get(c, "language"));
        struct enrol_error err;
        json_t *resp = NULL;
        int status;
        enum enrol_result r = enrol_create(&env, body, 0, NULL, &status, &resp, &err);
        json_decref(body);
        if (r == ENROL_CONFLICT && i == 0) {
            char uuid[MODEL_UUID_LEN + 1];
            if (enrol_find_open(&env, json_string_value(json_object_get(c, "cpr")),
                                json_string_value(json_object_get(c, "target_group")),
                                uuid) == ENROL_OK)
                r = enrol_new_link(&env, uuid, "demo", &resp, NULL);
        } else if (r == ENROL_CONFLICT) {
            continue;
        }
        if (r != ENROL_OK) {
            fprintf(stderr, "vejled: demo citizen %zu could not be enrolled: %s\n", i,
                    err.message);
            goto out;
        }
        if (i == 0)
            printf("Demo citizen link (%s): %s\n",
                   json_string_value(json_object_get(c, "target_group")),
                   json_string_value(json_object_get(resp, "link")));
        json_decref(resp);
    }
    rc = 0;
out:
    lang_list_free(&langs);
    json_decref(doc);
    return rc;
}

/* The demo staff: one administrator and two caseworkers in different units (the demo
 * citizens belong to cw1's unit).  Existing accounts are left as they are. */
#define MAIN_DEMO_PASSWORD "demo-vejled-2026"

static int main_demo_users(const struct config *cfg, struct store *st)
{
    static const struct {
        const char *username, *display_name, *role, *unit;
    } users[] = {
        {"admin", "Demo Administrator", "admin", "jobcenter"},
        {"cw1", "Demo Sagsbehandler Nord", "caseworker", "team-nord"},
        {"cw2", "Demo Sagsbehandler Syd", "caseworker", "team-syd"},
    };
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        int64_t id;
        int r = staff_user_create(st, cfg, users[i].username, users[i].display_name,
                                  users[i].role, users[i].unit, MAIN_DEMO_PASSWORD, clock_now(),
                                  &id);
        if (r != 0 && r != -1)
            return main_fail("demo user %s could not be created", users[i].username);
    }
    fprintf(stderr,
            "vejled: demo staff: administrator 'admin', caseworkers 'cw1' (team-nord, has the demo\n"
            "        citizens) and 'cw2' (team-syd); demo password '%s'. Log in at /medarbejder/login\n",
            MAIN_DEMO_PASSWORD);
    return 0;
}

int cmd_demo(const struct config *cfg)
{
    struct store *st = NULL;
    struct vault *vault = NULL;
    struct content_cache *cache = NULL;
    char err[512];
    int published = 0, rc = EXIT_FAILURE;
    if (main_open(cfg, MAIN_DB_CREATE, &st) || main_check_key(cfg, st))
        goto out;
    if (token_init() || vault_open(cfg->key_file, &vault, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    int planned = 0; /* none: without a day, every new file is published */
    if (content_load_dir(st, cfg->demo_dir, cfg->max_content_text, clock_now(), NULL, &published,
                         &planned, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    if (published)
        fprintf(stderr, "vejled: published %d demo guidance pack version(s)\n", published);
    if (main_demo_users(cfg, st))
        goto out;
    cache = content_cache_new();
    rc = main_demo_citizens(cfg, st, vault, cache);
out:
    content_cache_free(cache);
    vault_close(vault);
    store_close(st);
    return rc;
}

int cmd_packs_load(const struct config *cfg, const char *dir)
{
    struct store *st = NULL;
    char err[1024];
    int published = 0, planned = 0, rc = EXIT_FAILURE;
    if (!dir || !*dir)
        return main_usage_fail("%s", "packs load needs --dir DIR (the folder that holds packs/)");
    if (main_open(cfg, MAIN_DB_EXISTING, &st))
        goto out;
    /* unlike the demo's example content, a job centre's rules that ended are not loaded,
     * and rules that begin later are planned for their first day, not put in force now */
    int64_t now = clock_now();
    char today[CLOCK_DATE_LEN + 1];
    clock_local_date(now, today);
    if (content_load_dir(st, dir, cfg->max_content_text, now, today, &published, &planned,
                         err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    fprintf(stderr, "vejled: published %d guidance pack version(s) from %s\n", published, dir);
    if (planned)
        fprintf(stderr,
                "vejled: planned %d guidance pack version(s) whose rules begin later, each "
                "for its first day (/admin/pakker shows the plans)\n",
                planned);
    rc = 0;
out:
    store_close(st);
    return rc;
}

int cmd_apikey(const struct config *cfg, const char *name)
{
    struct store *st = NULL;
    char key[STAFF_APIKEY_LEN + 1];
    int64_t id;
    if (!name || !*name || !utf8_fits(name, STORE_APIKEY_NAME_MAX)) {
        fprintf(stderr, "vejled: apikey add needs --name NAME (1 to %d characters)\n",
                STORE_APIKEY_NAME_MAX);
        return EXIT_USAGE;
    }
    if (token_init())
        return main_fail("%s", "libsodium failed to initialise");
    if (main_open(cfg, MAIN_DB_EXISTING, &st))
        return EXIT_FAILURE;
    int rc = staff_apikey_create(st, name, clock_now(), key, &id);
    store_close(st);
    if (rc != 0)
        return main_fail("%s", "the key could not be stored");
    printf("%s\n", key);
    fprintf(stderr, "vejled: API key '%s' created; it is shown only this once\n", name);
    return 0;
}

/* The first line of stdin, without its line end; -1 if there is none or it is too long. */
static int main_read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin))
        return -1;
    size_t len = strlen(out);
    if (len == n - 1 && out[len - 1] != '\n')
        return -1;
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return 0;
}

int cmd_user(const struct config *cfg, const struct main_opts *o)
{
    struct store *st = NULL;
    char pw[STAFF_PASSWORD_MAX * UTF8_CHAR_MAX + 4]; /* its line end and the NUL */
    int64_t id;
    if (!o->username || !o->role) {
        fputs(main_help_text("user"), stderr);
        return EXIT_USAGE;
    }
    if (staff_check_username(o->username) == STAFF_USERNAME_BAD)
        return main_usage_fail("--username must be 1 to 64 of a-z, 0-9, '.', '_' and '-'");
    if (staff_check_username(o->username) == STAFF_NAME_CPR) /* not echoed */
        return main_usage_fail("--username must not hold a CPR number: the journal and the "
                               "access log keep the username");
    if (staff_check_username(o->username) == STAFF_USERNAME_RESERVED)
        return main_usage_fail("--username '%s' is the journal's name for an actor that is not "
                               "staff (api, citizen, scheduler, retention, system, demo); "
                               "choose another", o->username);
    if (staff_role_from_name(o->role) == ROLE_NONE)
        return main_usage_fail("--role must be caseworker or admin");
    if (staff_check_unit(o->unit) == STAFF_UNIT_BAD)
        return main_usage_fail("--unit must be up to 64 of a-z, 0-9, '.', '_' and '-'");
    if (staff_check_unit(o->unit) == STAFF_NAME_CPR) /* not echoed */
        return main_usage_fail("--unit must not hold a CPR number: the access log and the "
                               "statistics keep the unit");
    if (main_need_db(cfg)) /* before the password is asked for */
        return EXIT_FAILURE;
    if (main_read_password(pw, sizeof pw))
        return main_fail("give the password on the first line of stdin (at most %d characters)",
                         STAFF_PASSWORD_MAX);
    if (token_init())
        return main_fail("%s", "libsodium failed to initialise");
    if (main_open(cfg, MAIN_DB_EXISTING, &st))
        return EXIT_FAILURE;
    int r = staff_user_create(st, cfg, o->username, o->display_name, o->role, o->unit, pw,
                              clock_now(), &id);
    sodium_memzero(pw, sizeof pw);
    store_close(st);
    if (r == -1)
        return main_fail("the username '%s' is taken", o->username);
    if (r == STAFF_PASSWORD_SHORT)
        return main_fail("the password must be at least %u characters",
                         cfg->password_min_length);
    if (r == STAFF_PASSWORD_LONG)
        return main_fail("the password must be at most %d characters", STAFF_PASSWORD_MAX);
    if (r == STAFF_DISPLAY_NAME_BAD)
        return main_usage_fail("--display-name must be at most %d characters without control "
                               "characters", STORE_DISPLAY_NAME_MAX);
    if (r != 0)
        return main_fail("%s", "the user could not be stored");
    fprintf(stderr, "vejled: %s '%s' created\n", o->role, o->username);
    return 0;
}

int cmd_verify(const struct config *cfg)
{
    struct store *st = NULL;
    struct journal_check check;
    char err[512];
    if (main_need_db(cfg))
        return EXIT_FAILURE;
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, &st, err, sizeof err))
        return main_fail("%s", err);
    if (main_check_schema(cfg, st)) {
        store_close(st);
        return EXIT_FAILURE;
    }
    int r = journal_verify(st, &check);
    int64_t checkpoints = 0, bad_cp = 0;
    char reason[256];
    int rc_cp = r == 0 ? checkpoint_verify_all(st, &checkpoints, &bad_cp, reason, sizeof reason)
                       : 0;
    int unsynced = r == 0 && rc_cp == 0 && main_durable(st);
    store_close(st);
    if (unsynced)
        return EXIT_FAILURE;
    if (r < 0 || rc_cp < 0)
        return main_fail("%s", "the journal could not be read");
    if (r > 0) {
        fprintf(stderr, "vejled: journal broken at entry %lld: %s\n", (long long)check.bad_seq,
                check.reason);
        printf("broken %lld\n", (long long)check.bad_seq);
        return EXIT_FAILURE;
    }
    if (rc_cp > 0) {
        fprintf(stderr, "vejled: checkpoint of entry %lld does not verify: %s\n",
                (long long)bad_cp, reason);
        printf("broken checkpoint %lld\n", (long long)bad_cp);
        return EXIT_FAILURE;
    }
    printf("journal intact: %lld entries, %lld signed checkpoints\n", (long long)check.entries,
           (long long)checkpoints);
    return 0;
}

int cmd_backup(const struct config *cfg, const char *to)
{
    struct store *st = NULL;
    char err[512];
    if (!to) {
        fprintf(stderr, "vejled: backup needs --to FILE\n");
        return EXIT_USAGE;
    }
    if (access(to, F_OK) == 0)
        return main_fail("%s already exists; choose a new file", to);
    if (main_need_db(cfg))
        return EXIT_FAILURE;
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, &st, err, sizeof err))
        return main_fail("%s", err);
    if (main_check_schema(cfg, st)) {
        store_close(st);
        return EXIT_FAILURE;
    }
    int r = store_backup(st, to, err, sizeof err);
    int unsynced = r == 0 && main_durable(st); /* the copy holds nothing the disk may lose */
    store_close(st);
    if (r)
        return main_fail("%s", err);
    if (unsynced)
        return EXIT_FAILURE;
    fprintf(stderr, "vejled: backup written to %s\n", to);
    return 0;
}

/* ------------------------------------------------------------------ copy */

struct main_counts {
    int n;
    char table[64][64];
    int64_t rows[64];
};

static void main_copied(const char *table, int64_t rows, void *arg)
{
    (void)arg;
    printf("%-28s %lld\n", table, (long long)rows);
}

static void main_count(const char *table, int64_t rows, void *arg)
{
    struct main_counts *c = arg;
    if (c->n < 64) {
        snprintf(c->table[c->n], sizeof c->table[c->n], "%s", table);
        c->rows[c->n++] = rows;
    }
}

int cmd_copy(const struct config *cfg, const char *from, const char *to)
{
    struct store *src = NULL, *dst = NULL;
    struct main_counts a, b;
    struct journal_check check;
    char err[512];
    int rc = EXIT_FAILURE, applied = 0;
    if (!from || !to || !store_target_is_postgres(to) || store_target_is_postgres(from)) {
        fprintf(stderr, "vejled: copy needs --from FILE.db --to postgresql://…\n");
        return EXIT_USAGE;
    }
    if (access(from, R_OK) != 0)
        return main_fail("no database at %s", from);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (store_open(from, cfg->busy_timeout_ms, &src, err, sizeof err) ||
        store_migrate(src, cfg->migrations_dir, &applied, err, sizeof err) ||
        store_open(to, cfg->busy_timeout_ms, &dst, err, sizeof err) ||
        store_migrate(dst, cfg->migrations_dir, &applied, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    if (store_copy(src, dst, main_copied, NULL, err, sizeof err)) {
        main_fail("copy failed, nothing kept: %s", err);
        goto out;
    }
    if (store_table_counts(src, main_count, &a) != STORE_OK ||
        store_table_counts(dst, main_count, &b) != STORE_OK) {
        main_fail("cannot count the rows");
        goto out;
    }
    int64_t total = 0;
    for (int i = 0; i < a.n; i++) {
        int64_t other = -1;
        for (int j = 0; j < b.n; j++)
            if (strcmp(a.table[i], b.table[j]) == 0)
                other = b.rows[j];
        if (other != a.rows[i]) {
            main_fail("table %s: %lld rows in the file, %lld in PostgreSQL", a.table[i],
                      (long long)a.rows[i], (long long)other);
            goto out;
        }
        total += a.rows[i];
    }
    if (a.n != b.n) {
        main_fail("the file has %d tables, PostgreSQL %d", a.n, b.n);
        goto out;
    }
    if (journal_verify(dst, &check) != 0) {
        main_fail("the copied journal does not verify at entry %lld: %s",
                  (long long)check.bad_seq, check.reason);
        goto out;
    }
    printf("copied: %d tables, %lld rows, the same counts on both sides; journal intact "
           "(%lld entries)\n",
           a.n, (long long)total, (long long)check.entries);
    rc = 0;
out:
    store_close(src);
    store_close(dst);
    return rc;
}
