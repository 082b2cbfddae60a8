/* main — the command line: one binary, subcommands (README: command line), and the wiring of the
 * server.  Exit status: 0 success, 1 failure with one clear line on stderr, 2 usage. */
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
#include "vault.h"

#define EXIT_USAGE 2

struct main_opts {
    const char *db;
    const char *listen;
    const char *config;
    const char *name;
    const char *to;
    const char *username;
    const char *role;
    const char *unit;
    const char *display_name;
    const char *now;
    const char *citizen;
    const char *out;
    const char *older_than;
    const char *from;
    const char *format;
    const char *checkpoint;      /* verify-evidence: a checkpoint held elsewhere (file) */
    const char *checkpoint_seq;  /* evidence: build against this stored checkpoint */
    const char *public_key;      /* verify-evidence: the key the checkpoint must carry */
    const char *file;            /* verify-evidence: the bundle */
    int verify;
    int repeat;
    int help;
};

static const char *const main_usage =
    "usage: vejled COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve   [--db PATH] [--listen HOST:PORT] [--config FILE]   run the server\n"
    "  migrate --db PATH                     create or upgrade the schema\n"
    "  demo    --db PATH                     load demo content and citizens\n"
    "  apikey add --db PATH --name NAME      print a new API key (only its hash is kept)\n"
    "  user add --db PATH --username U --role caseworker|admin [--unit UNIT]\n"
    "                                        create a staff account (password on stdin)\n"
    "  verify  --db PATH                     check the journal's hash chain\n"
    "  backup  --db PATH --to FILE           consistent online copy of the database\n"
    "  copy    --from FILE --to postgresql://…  move an SQLite installation to PostgreSQL\n"
    "  jobs list --db PATH                   scheduled jobs and their state\n"
    "  jobs run --db PATH [--now RFC3339]    one scheduler pass, then exit\n"
    "  evidence --db PATH --citizen UUID --out FILE   the citizen's documentation as PDF\n"
    "                                        and a signed evidence bundle (FILE.json)\n"
    "  verify-evidence FILE                  check an evidence bundle without the database\n"
    "  keys show --db PATH                   the public key that signs checkpoints\n"
    "  purge   --db PATH --older-than PERIOD  remove personal data after the retention period\n"
    "  stats   --db PATH [--from DATE --to DATE] [--format json|csv] [--verify]\n"
    "                                        the implementation statistics (aggregates only)\n"
    "\n"
    "Every command also takes --config FILE (the INI file 'serve' reads); its [database]\n"
    "path (or url) stands for --db.  --db and VEJLED_DB win over the file.  --db takes a\n"
    "postgresql:// URL as well as an SQLite file.\n"
    "VEJLED_DB, VEJLED_LISTEN and VEJLED_CONFIG may stand for --db, --listen, --config.\n"
    "'vejled COMMAND --help' tells more about one command.\n";

static const struct {
    const char *command;
    const char *help;
} main_helps[] = {
    {"serve", "usage: vejled serve [--db PATH] [--listen HOST:PORT] [--config FILE]\n"
              "Runs the HTTP server until SIGTERM or SIGINT, then stops cleanly.\n"
              "Applies pending migrations first.  --listen with port 0 picks a free port;\n"
              "the address is printed on stderr as 'vejled: listening on URL'.\n"},
    {"migrate", "usage: vejled migrate --db PATH [--config FILE]\n"
                "Creates the database or applies the migrations it lacks.  Safe to run twice.\n"},
    {"demo", "usage: vejled demo --db PATH [--config FILE]\n"
             "Migrates, loads the demo guidance packs (a new version only where content\n"
             "changed) and the demo citizens, and prints a fresh link for the first demo\n"
             "citizen.  Safe to run twice.\n"},
    {"apikey", "usage: vejled apikey add --db PATH --name NAME [--config FILE]\n"
               "Creates an API key for the case system and prints it, alone, on stdout.\n"
               "It cannot be shown again: only its hash is stored.\n"},
    {"user", "usage: vejled user add --db PATH --username U --role caseworker|admin [--unit UNIT]\n"
             "                       [--display-name NAME] [--config FILE]\n"
             "Creates a caseworker or administrator account.  The password is read from the\n"
             "first line of stdin (at least [staff] password_min_length characters) and\n"
             "stored only as an argon2id hash.  Caseworkers see the citizens of their unit.\n"},
    {"verify", "usage: vejled verify --db PATH [--config FILE]\n"
               "Recomputes the journal's hash chain and checks every stored checkpoint (its\n"
               "signature, and that the chain still has the signed head and Merkle root).\n"
               "Exit 0 if intact; 1 and the first entry or checkpoint that does not verify.\n"},
    {"keys", "usage: vejled keys show --db PATH [--config FILE]\n"
             "Prints the public key that signs the journal checkpoints (base64 of the 32-byte\n"
             "Ed25519 key) and its key id (first 16 hex digits of its SHA-256), one per line\n"
             "as 'public_key BASE64' and 'key_id HEX'.  The secret is never printed.\n"},
    {"verify-evidence", "usage: vejled verify-evidence FILE [--checkpoint FILE] [--public-key BASE64]\n"
                        "                              [--config FILE]\n"
                        "Checks an evidence bundle without the database: every entry's hash, the\n"
                        "links between entries, their Merkle proofs up to the signed checkpoint and\n"
                        "its Ed25519 signature.  --checkpoint: a checkpoint held elsewhere (the data\n"
                        "of a 'checkpoint' journal entry as the webhook delivered it), which the\n"
                        "bundle's must equal; --public-key: the key it must be signed with.\n"
                        "Files above [database] max_bundle_bytes are refused.\n"
                        "Exit 0 intact, 1 with the first failure on stderr.\n"},
    {"backup", "usage: vejled backup --db PATH --to FILE [--config FILE]\n"
               "Copies the database consistently while the server runs (SQLite backup API).\n"
               "The key file (PATH.key) is not part of it: back it up once, separately.\n"},
    {"copy", "usage: vejled copy --from FILE.db --to postgresql://… [--config FILE]\n"
             "Copies every row of an SQLite installation into an empty PostgreSQL database:\n"
             "both are migrated first, the source is read in one snapshot, the target written\n"
             "in one transaction (nothing is kept on failure).  Then the row counts of every\n"
             "table are compared on both sides and the journal is verified on the target.\n"
             "Stop the servers on the file before the final copy: what they write after the\n"
             "snapshot is not copied.  The key files are not in the database: give the new\n"
             "servers the same ones ([database] key_file, sign_key_file).\n"},
    {"jobs", "usage: vejled jobs list --db PATH [--config FILE]\n"
             "       vejled jobs run --db PATH [--now RFC3339] [--config FILE]\n"
             "list: every scheduled job (id, kind, enrolment, due time, state, attempts,\n"
             "next attempt, last error), tab-separated with a header line.\n"
             "run: one scheduler pass, exactly what the server's scheduler thread does:\n"
             "every job due at --now (default: now) runs through the configured channels.\n"},
    {"evidence", "usage: vejled evidence --db PATH --citizen UUID --out FILE\n"
                 "                [--checkpoint-seq N] [--config FILE]\n"
                 "Writes one PDF with the citizen's whole documentation trail: letters sent,\n"
                 "what was observed of each video, answers with content version, meeting and notes, journal;\n"
                 "and beside it FILE.json, the evidence bundle: the citizen's journal entries\n"
                 "with Merkle proofs up to a checkpoint signed now (or the stored checkpoint\n"
                 "of --checkpoint-seq N), for 'vejled verify-evidence'.\n"},
    {"purge", "usage: vejled purge --db PATH [--older-than PERIOD] [--now RFC3339] [--config FILE]\n"
              "Removes the personal data (name, e-mail, CPR, meeting notes, links, outbox\n"
              "letters) of every citizen whose last activity is older than PERIOD: N or Nd\n"
              "days, Nm months (30 days), Ny years (365 days); default [retention]\n"
              "purge_after.  Statistics and the journal stay; the journal gets a\n"
              "'citizen_purged' entry per citizen.  Safe to run while the server runs.\n"},
    {"stats", "usage: vejled stats --db PATH [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
              "                    [--format json|csv] [--repeat N] [--verify] [--config FILE]\n"
              "Prints the implementation statistics for the period (default: the current\n"
              "quarter, Copenhagen time) as GET /api/v1/stats answers them (json) or as the\n"
              "dashboard's CSV extract (csv; ';'-separated).  Aggregates only, small counts\n"
              "suppressed.  --repeat N builds the dashboard's figures (the period and the\n"
              "trend over 8 quarters) N times and prints the time per build on stderr.\n"
              "--verify recounts every aggregate from the base tables and exits 1 if any\n"
              "differs.  From --config FILE it reads [stats] minutes_per_send (minutes saved\n"
              "per automatic sending, default 5) and max_range_days.\n"},
};

/* The help text of a command ("" if there is none). */
static const char *main_help_text(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0)
            return main_helps[i].help;
    return "";
}

static int main_help(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0) {
            fputs(main_helps[i].help, stdout);
            return 0;
        }
    fputs(main_usage, stdout);
    return 0;
}

/* The help text of a command (for usage errors on stderr). */
static const char *main_help_of(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0)
            return main_helps[i].help;
    return main_usage;
}

static int main_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int main_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vejled: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_FAILURE;
}

static int main_parse(int argc, char **argv, struct main_opts *o)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"listen", required_argument, NULL, 'l'},
        {"config", required_argument, NULL, 'c'}, {"name", required_argument, NULL, 'n'},
        {"to", required_argument, NULL, 't'},     {"help", no_argument, NULL, 'h'},
        {"username", required_argument, NULL, 'u'}, {"role", required_argument, NULL, 'r'},
        {"unit", required_argument, NULL, 'U'},   {"display-name", required_argument, NULL, 'D'},
        {"now", required_argument, NULL, 'w'},    {"citizen", required_argument, NULL, 'z'},
        {"out", required_argument, NULL, 'o'},    {"older-than", required_argument, NULL, 'g'},
        {"from", required_argument, NULL, 'f'},   {"format", required_argument, NULL, 'F'},
        {"verify", no_argument, NULL, 'V'},       {"repeat", required_argument, NULL, 'R'},
        {"checkpoint", required_argument, NULL, 'K'},
        {"checkpoint-seq", required_argument, NULL, 'S'},
        {"public-key", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->db = getenv("VEJLED_DB");
    o->listen = getenv("VEJLED_LISTEN");
    o->config = getenv("VEJLED_CONFIG");
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': o->db = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'c': o->config = optarg; break;
        case 'n': o->name = optarg; break;
        case 't': o->to = optarg; break;
        case 'h': o->help = 1; break;
        case 'u': o->username = optarg; break;
        case 'r': o->role = optarg; break;
        case 'U': o->unit = optarg; break;
        case 'D': o->display_name = optarg; break;
        case 'w': o->now = optarg; break;
        case 'z': o->citizen = optarg; break;
        case 'o': o->out = optarg; break;
        case 'g': o->older_than = optarg; break;
        case 'f': o->from = optarg; break;
        case 'F': o->format = optarg; break;
        case 'V': o->verify = 1; break;
        case 'R': o->repeat = atoi(optarg); break;
        case 'K': o->checkpoint = optarg; break;
        case 'S': o->checkpoint_seq = optarg; break;
        case 'P': o->public_key = optarg; break;
        default:
            fprintf(stderr, "vejled: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vejled: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Builds the configuration from defaults, the file and the flags (--db and VEJLED_DB win
 * over the file's [database] path).  need_db: the command works on a database the operator
 * must name, by --db, VEJLED_DB or the file's [database] path; without any of them it is a
 * usage error (EXIT_USAGE), never the default database by accident.  Returns 0, or an exit
 * status. */
static int main_config(const struct main_opts *o, const char *command, int need_db,
                       struct config *cfg, int *url_given)
{
    char err[512], fallback[CONFIG_PATH_MAX];
    config_defaults(cfg);
    memcpy(fallback, cfg->db_path, sizeof fallback);
    cfg->db_path[0] = '\0'; /* tells whether the file names a database */
    if (o->config && config_load_file(cfg, o->config, err, sizeof err))
        return main_fail("%s", err);
    if (o->db && config_set(cfg, "database", "path", o->db, err, sizeof err))
        return main_fail("%s", err);
    if (!cfg->db_path[0]) {
        if (need_db && !cfg->db_url[0]) {
            fprintf(stderr, "vejled: %s needs --db PATH (or VEJLED_DB, or [database] path in "
                            "--config FILE)\n", command);
            return EXIT_USAGE;
        }
        memcpy(cfg->db_path, fallback, sizeof cfg->db_path);
    }
    if (o->listen && config_set_listen(cfg, o->listen))
        return main_fail("--listen must be HOST:PORT, not '%s'", o->listen);
    *url_given = cfg->public_url[0] != '\0';
    config_finish(cfg);
    return 0;
}

/* Opens the database (creating its folder) and applies migrations. */
static int main_open(const struct config *cfg, struct store **st)
{
    char err[512], dir[CONFIG_PATH_MAX];
    int applied = 0;
    snprintf(dir, sizeof dir, "%s", cfg->db_path);
    char *d = dirname(dir);
    if (strcmp(d, ".") != 0 && mkdir(d, 0750) != 0 && errno != EEXIST)
        return main_fail("cannot create the folder %s", d);
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, st, err, sizeof err))
        return main_fail("%s", err);
    if (store_migrate(*st, cfg->migrations_dir, &applied, err, sizeof err)) {
        store_close(*st);
        *st = NULL;
        return main_fail("%s", err);
    }
    if (applied)
        fprintf(stderr, "vejled: applied %d migration(s) to %s\n", applied,
                cfg->db_url[0] ? "the PostgreSQL database" : cfg->db_path);
    return 0;
}

/* ------------------------------------------------------------------ commands */

static int cmd_migrate(const struct config *cfg)
{
    struct store *st = NULL;
    if (main_open(cfg, &st))
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

static int cmd_demo(const struct config *cfg)
{
    struct store *st = NULL;
    struct vault *vault = NULL;
    struct content_cache *cache = NULL;
    char err[512];
    int published = 0, rc = EXIT_FAILURE;
    if (main_open(cfg, &st))
        goto out;
    if (token_init() || vault_open(cfg->key_file, &vault, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    if (content_load_dir(st, cfg->demo_dir, clock_now(), &published, err, sizeof err)) {
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

static int cmd_apikey(const struct config *cfg, const char *name)
{
    struct store *st = NULL;
    char key[STAFF_APIKEY_LEN + 1];
    int64_t id;
    if (!name || !*name || strlen(name) > 100) {
        fprintf(stderr, "vejled: apikey add needs --name NAME (1 to 100 characters)\n");
        return EXIT_USAGE;
    }
    if (token_init())
        return main_fail("%s", "libsodium failed to initialise");
    if (main_open(cfg, &st))
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

static int cmd_user(const struct config *cfg, const struct main_opts *o)
{
    struct store *st = NULL;
    char pw[STAFF_PASSWORD_MAX + 4];
    int64_t id;
    if (!o->username || !o->role) {
        fputs(main_help_text("user"), stderr);
        return EXIT_USAGE;
    }
    if (staff_check_username(o->username))
        return main_fail("--username must be 1 to 64 of a-z, 0-9, '.', '_' and '-'");
    if (staff_role_from_name(o->role) == ROLE_NONE)
        return main_fail("--role must be caseworker or admin");
    if (staff_check_unit(o->unit))
        return main_fail("--unit must be up to 64 of a-z, 0-9, '.', '_' and '-'");
    if (main_read_password(pw, sizeof pw))
        return main_fail("give the password on the first line of stdin (at most %d bytes)",
                         STAFF_PASSWORD_MAX);
    if (token_init())
        return main_fail("%s", "libsodium failed to initialise");
    if (main_open(cfg, &st))
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
        return main_fail("the password must be at most %d bytes", STAFF_PASSWORD_MAX);
    if (r == STAFF_DISPLAY_NAME_BAD)
        return main_fail("--display-name must be at most 200 bytes without control characters");
    if (r != 0)
        return main_fail("%s", "the user could not be stored");
    fprintf(stderr, "vejled: %s '%s' created\n", o->role, o->username);
    return 0;
}

static int cmd_verify(const struct config *cfg)
{
    struct store *st = NULL;
    struct journal_check check;
    char err[512];
    if (!cfg->db_url[0] && access(cfg->db_path, R_OK) != 0)
        return main_fail("no database at %s", cfg->db_path);
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, &st, err, sizeof err))
        return main_fail("%s", err);
    int r = journal_verify(st, &check);
    int64_t checkpoints = 0, bad_cp = 0;
    char reason[256];
    int rc_cp = r == 0 ? checkpoint_verify_all(st, &checkpoints, &bad_cp, reason, sizeof reason)
                       : 0;
    store_close(st);
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

static int cmd_backup(const struct config *cfg, const char *to)
{
    struct store *st = NULL;
    char err[512];
    if (!to) {
        fprintf(stderr, "vejled: backup needs --to FILE\n");
        return EXIT_USAGE;
    }
    if (access(to, F_OK) == 0)
        return main_fail("%s already exists; choose a new file", to);
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, &st, err, sizeof err))
        return main_fail("%s", err);
    int r = store_backup(st, to, err, sizeof err);
    store_close(st);
    if (r)
        return main_fail("%s", err);
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

static int cmd_copy(const struct config *cfg, const char *from, const char *to)
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

/* The database (migrated), token and vault for the commands that deliver. */
static int main_open_all(const struct config *cfg, struct store **st, struct vault **vault)
{
    char err[512];
    if (main_open(cfg, st))
        return -1;
    if (token_init() || vault_open(cfg->key_file, vault, err, sizeof err)) {
        store_close(*st);
        *st = NULL;
        main_fail("%s", err);
        return -1;
    }
    return 0;
}

static int main_job_row(const struct store_job *j, void *arg)
{
    char due[CLOCK_RFC3339_LEN + 1], next[CLOCK_RFC3339_LEN + 1];
    (void)arg;
    clock_format_rfc3339(j->due_at, due);
    clock_format_rfc3339(j->next_attempt_at, next);
    printf("%lld\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)j->id, j->kind,
           j->enrolment_uuid[0] ? j->enrolment_uuid : "-", due, j->state, j->attempts,
           strcmp(j->state, "pending") == 0 ? next : "-", j->last_error[0] ? j->last_error : "-");
    return 0;
}

static int cmd_jobs(const struct config *cfg, const char *what, const char *now_text)
{
    struct store *st = NULL;
    struct vault *vault = NULL;
    struct scheduler *sched = NULL;
    struct scheduler_stats stats;
    char err[512];
    int64_t now = 0;
    int rc = EXIT_FAILURE;
    if (now_text && (strcmp(what, "run") != 0 || clock_parse_rfc3339(now_text, &now) != 0)) {
        fprintf(stderr, "vejled: --now must be an RFC 3339 time (jobs run only)\n");
        return EXIT_USAGE;
    }
    if (main_open_all(cfg, &st, &vault))
        return EXIT_FAILURE;
    if (strcmp(what, "list") == 0) {
        printf("id\tkind\tenrolment\tdue_at\tstate\tattempts\tnext_attempt_at\tlast_error\n");
        rc = store_jobs_each(st, 0, main_job_row, NULL) == STORE_OK ? 0 : EXIT_FAILURE;
        goto out;
    }
    if (now)
        clock_set_fixed(now);
    if (scheduler_open(cfg, vault, cfg->public_url, &sched, err, sizeof err)) {
        main_fail("%s", err);
        goto out;
    }
    if (scheduler_pass(sched, clock_now(), &stats) != 0) {
        main_fail("%s", "the scheduler pass failed (see above); jobs already ended stay ended");
        goto out;
    }
    fprintf(stderr, "vejled: jobs run: %d claimed, %d done, %d retried, %d failed, %d cancelled\n",
            stats.claimed, stats.done, stats.retried, stats.failed, stats.cancelled);
    rc = 0;
out:
    scheduler_close(sched);
    vault_close(vault);
    store_close(st);
    return rc;
}

static int cmd_purge(const struct config *cfg, const char *older_than, const char *now_text)
{
    struct store *st = NULL;
    int64_t days = 0, now = clock_now();
    size_t purged = 0;
    const char *period = older_than ? older_than : cfg->purge_after;
    if (!period || !*period || purge_parse_period(period, &days) != 0) {
        fprintf(stderr, "vejled: purge needs --older-than PERIOD (e.g. 1825d, 60m, 5y) or "
                        "[retention] purge_after in the config\n");
        return EXIT_USAGE;
    }
    if (now_text && clock_parse_rfc3339(now_text, &now) != 0) {
        fprintf(stderr, "vejled: --now must be an RFC 3339 time\n");
        return EXIT_USAGE;
    }
    if (main_open(cfg, &st))
        return EXIT_FAILURE;
    int rc = purge_run(st, days, now, cfg->outbox_dir, &purged);
    store_close(st);
    if (rc != 0)
        return main_fail("%s", "the purge failed (see above); citizens purged so far stay purged");
    fprintf(stderr, "vejled: purge: %zu citizen(s) older than %lld days purged\n", purged,
            (long long)days);
    return 0;
}

/* Writes n bytes to a new or replaced file.  0 or -1. */
static int main_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(data, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

/* The checkpoint a bundle is made against: a new one now (unless the head did not move),
 * or the stored one covering --checkpoint-seq.  0, or 1 after a message. */
static int main_evidence_checkpoint(const struct config *cfg, struct store *st,
                                    const char *seq_text, struct store_checkpoint *cp)
{
    char err[512];
    struct signkey *key = NULL;
    if (seq_text) {
        char *end = NULL;
        long long seq = strtoll(seq_text, &end, 10);
        if (!*seq_text || *end || seq < 1)
            return main_fail("--checkpoint-seq must be a journal seq (a positive number)");
        enum store_status s = store_checkpoint_get(st, seq, cp);
        if (s == STORE_NOT_FOUND)
            return main_fail("no stored checkpoint covers exactly entry %lld", seq);
        return s == STORE_OK ? 0 : main_fail("%s", "the checkpoints could not be read");
    }
    if (signkey_open(cfg->sign_key_file, 1, &key, err, sizeof err))
        return main_fail("%s", err);
    int r = checkpoint_take(st, key, clock_now(), 0, cp, NULL);
    signkey_close(key);
    if (r == 1)
        return main_fail("%s", "the journal is empty: nothing to sign");
    return r == 0 ? 0 : main_fail("%s", "the checkpoint could not be taken");
}

static int cmd_evidence(const struct config *cfg, const struct main_opts *o)
{
    struct store *st = NULL;
    struct vault *vault = NULL;
    struct buf pdf = {0}, path = {0};
    struct store_checkpoint cp;
    json_t *bundle = NULL;
    char *text = NULL;
    char err[512];
    int rc = EXIT_FAILURE;
    if (!o->citizen || !o->out) {
        fprintf(stderr, "vejled: evidence needs --citizen UUID and --out FILE\n");
        return EXIT_USAGE;
    }
    if (main_open_all(cfg, &st, &vault))
        return EXIT_FAILURE;
    struct model_citizen who;
    enum store_status found = store_citizen_by_uuid(st, o->citizen, &who);
    if (found == STORE_OK)
        model_citizen_clear(&who);
    if (found != STORE_OK) { /* before anything is signed: a wrong id changes nothing */
        main_fail("%s", found == STORE_NOT_FOUND ? "no citizen with that id"
                                                 : "cannot read the citizen");
        goto out;
    }
    if (main_evidence_checkpoint(cfg, st, o->checkpoint_seq, &cp))
        goto out;
    int r = evidence_pdf(cfg, st, vault, o->citizen, &cp, &pdf, err, sizeof err);
    if (r != 0) {
        main_fail("%s", err);
        goto out;
    }
    r = bundle_build(st, o->citizen, &cp, &bundle);
    if (r != 0) {
        main_fail("%s", r > 0 ? "the journal no longer matches the checkpoint: it was changed "
                                "after the checkpoint was signed"
                              : "the journal could not be read");
        goto out;
    }
    text = json_dumps(bundle, JSON_INDENT(1) | JSON_SORT_KEYS);
    buf_printf(&path, "%s.json", o->out);
    if (main_write_file(o->out, pdf.data, pdf.len) != 0 || !text ||
        main_write_file(path.data, text, strlen(text)) != 0) {
        main_fail("cannot write %s or %s", o->out, path.data);
        goto out;
    }
    fprintf(stderr,
            "vejled: evidence written to %s (%zu bytes) and %s (checkpoint of entry %lld, "
            "key %s)\n",
            o->out, pdf.len, path.data, (long long)cp.signed_seq, cp.key_id);
    rc = 0;
out:
    free(text);
    json_decref(bundle);
    buf_free(&pdf);
    buf_free(&path);
    vault_close(vault);
    store_close(st);
    return rc;
}

static int cmd_keys(const struct config *cfg)
{
    struct signkey *key = NULL;
    char err[512];
    if (signkey_open(cfg->sign_key_file, 0, &key, err, sizeof err))
        return main_fail("%s (the server makes the key on its first start)", err);
    printf("public_key %s\nkey_id %s\n", signkey_public_b64(key), signkey_id(key));
    signkey_close(key);
    return 0;
}

/* Reads a JSON file (at most limit bytes): a new reference, or NULL after a message. */
static json_t *main_read_json(const char *path, size_t limit)
{
    json_error_t je;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        main_fail("cannot read %s", path);
        return NULL;
    }
    if ((size_t)sb.st_size > limit) {
        main_fail("%s is larger than %zu bytes", path, limit);
        return NULL;
    }
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        main_fail("%s is not JSON (line %d: %s)", path, je.line, je.text);
    return j;
}

static int cmd_verify_evidence(const struct config *cfg, const struct main_opts *o)
{
    struct bundle_check check;
    struct store_checkpoint held;
    json_t *bundle = NULL, *cp = NULL;
    int rc = EXIT_FAILURE;
    if (!o->file) {
        fputs(main_help_of("verify-evidence"), stderr);
        return EXIT_USAGE;
    }
    bundle = main_read_json(o->file, cfg->max_bundle_bytes);
    if (!bundle)
        goto out;
    if (o->checkpoint) {
        char reason[256];
        cp = main_read_json(o->checkpoint, cfg->max_bundle_bytes);
        if (!cp)
            goto out;
        /* a journal entry as the webhook delivers it holds the checkpoint in its data */
        const json_t *data = json_object_get(cp, "data");
        if (checkpoint_from_json(json_is_object(data) ? data : cp, &held) != 0) {
            main_fail("%s is not a checkpoint", o->checkpoint);
            goto out;
        }
        if (checkpoint_check(&held, reason, sizeof reason) != 0) {
            main_fail("the checkpoint in %s: %s", o->checkpoint, reason);
            goto out;
        }
    }
    if (bundle_verify(bundle, o->checkpoint ? &held : NULL, &check) != 0) {
        main_fail("%s", check.reason);
        goto out;
    }
    if (o->public_key && strcmp(o->public_key, check.public_key) != 0) {
        main_fail("the bundle is signed with key %s, not with the key given", check.key_id);
        goto out;
    }
    printf("evidence intact: %lld entries, checkpoint of entry %lld signed by key %s (%s)\n",
           (long long)check.entries, (long long)check.signed_seq, check.key_id,
           check.public_key);
    rc = 0;
out:
    json_decref(bundle);
    json_decref(cp);
    return rc;
}

static double main_ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int main_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmd_stats(const struct config *cfg, const struct main_opts *o)
{
    struct store *st = NULL;
    struct stats_report r;
    struct stats_period p;
    int rc = EXIT_FAILURE;
    int csv = o->format && strcmp(o->format, "csv") == 0;
    if ((o->format && !csv && strcmp(o->format, "json") != 0) || (!o->from != !o->to) ||
        o->repeat < 0 || o->repeat > 10000) {
        fputs(main_help_of("stats"), stderr);
        return EXIT_USAGE;
    }
    if (o->from) {
        enum stats_period_error pe = stats_period_parse(o->from, o->to, cfg->stats_max_range_days, &p);
        if (pe == STATS_PERIOD_BAD_FROM || pe == STATS_PERIOD_BAD_TO)
            return main_fail("--%s must be a date YYYY-MM-DD in 2000-2099",
                             pe == STATS_PERIOD_BAD_FROM ? "from" : "to");
        if (pe == STATS_PERIOD_REVERSED)
            return main_fail("--from must not be after --to");
        if (pe == STATS_PERIOD_TOO_LONG)
            return main_fail("the period may be at most %u days ([stats] max_range_days)",
                             cfg->stats_max_range_days);
    } else {
        stats_quarter(stats_local_day(clock_now()), &p);
    }
    if (main_open(cfg, &st))
        return EXIT_FAILURE;
    if (o->verify) {
        int64_t diff = 0;
        if (store_stats_verify(st, &diff) != STORE_OK) {
            main_fail("%s", "the statistics could not be recounted");
            goto out;
        }
        if (diff) {
            main_fail("%lld aggregate rows differ from a recount", (long long)diff);
            goto out;
        }
        fprintf(stderr, "vejled: every statistics aggregate agrees with a recount\n");
        rc = 0;
        goto out;
    }
    if (o->repeat > 0) {
        double *ms = xcalloc((size_t)o->repeat, sizeof *ms);
        for (int i = 0; i < o->repeat; i++) {
            struct timespec t0;
            struct stats_trend tr;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            int bad = stats_report_build(st, &p, clock_now(), cfg->minutes_per_send, &r) ||
                      stats_trend_build(st, p.to_day, STATS_TREND_QUARTERS, clock_now(), &tr);
            ms[i] = main_ms_since(&t0);
            stats_report_free(&r);
            stats_trend_free(&tr);
            if (bad) {
                free(ms);
                main_fail("%s", "the statistics could not be read");
                goto out;
            }
        }
        qsort(ms, (size_t)o->repeat, sizeof *ms, main_cmp_double);
        fprintf(stderr, "vejled: dashboard figures built %d times: median %.1f ms, max %.1f ms\n",
                o->repeat, ms[o->repeat / 2], ms[o->repeat - 1]);
        free(ms);
    }
    if (stats_report_build(st, &p, clock_now(), cfg->minutes_per_send, &r) != 0) {
        main_fail("%s", "the statistics could not be read");
        goto out;
    }
    if (csv) {
        struct buf out = {0};
        stats_report_csv(&r, ';', &out);
        fwrite(out.data, 1, out.len, stdout);
        buf_free(&out);
    } else {
        json_t *j = stats_report_json(&r);
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        fputc('\n', stdout);
        json_decref(j);
    }
    stats_report_free(&r);
    rc = 0;
out:
    store_close(st);
    return rc;
}

static int cmd_serve(struct config *cfg, int url_given)
{
    struct store *st = NULL;
    struct app app;
    struct http_server *server = NULL;
    struct http_hooks hooks;
    char err[512];
    sigset_t sigs;
    int sig = 0;

    int64_t purge_days;
    if (cfg->purge_after[0] && purge_parse_period(cfg->purge_after, &purge_days) != 0)
        return main_fail("[retention] purge_after must be a period such as 5y, 60m or 1825d, "
                         "not '%s'", cfg->purge_after);
    if (main_open(cfg, &st))
        return EXIT_FAILURE;
    store_close(st);
    struct signkey *key = NULL; /* made on first start; a key others may read stops here */
    if (signkey_open(cfg->sign_key_file, 1, &key, err, sizeof err))
        return main_fail("%s", err);
    signkey_close(key);
    if (app_init(&app, cfg, err, sizeof err))
        return main_fail("%s", err);
    /* block the stop signals in every thread; main waits for them below */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    app_http_hooks(&app, &hooks);
    if (http_start(cfg, &hooks, &server, err, sizeof err)) {
        app_free(&app);
        return main_fail("%s", err);
    }
    char url[sizeof app.public_url];
    snprintf(url, sizeof url, "http://%s:%u", cfg->listen_host, http_port(server));
    app_publish(&app, url_given ? NULL : url); /* the requests waiting for it go on */
    /* [metrics] listen: GET /metrics on its own address, one thread, the same limits */
    struct config *mcfg = NULL;
    struct http_server *mserver = NULL;
    if (*cfg->metrics_listen) {
        struct http_hooks mhooks;
        mcfg = xmalloc(sizeof *mcfg);
        *mcfg = *cfg;
        mcfg->threads = 1;
        app_metrics_hooks(&app, &mhooks);
        if (config_set_listen(mcfg, cfg->metrics_listen) ||
            http_start(mcfg, &mhooks, &mserver, err, sizeof err)) {
            http_stop(server);
            app_free(&app);
            free(mcfg);
            return main_fail("[metrics] listen: %s", err);
        }
        fprintf(stderr, "vejled: metrics on http://%s:%u/metrics\n", mcfg->listen_host,
                http_port(mserver));
    }
    struct scheduler *sched = NULL;
    if (cfg->scheduler && (scheduler_open(cfg, app.vault, app.public_url, &sched, err,
                                          sizeof err) ||
                           scheduler_start(sched))) {
        http_stop(mserver);
        http_stop(server);
        scheduler_close(sched);
        app_free(&app);
        free(mcfg);
        return main_fail("cannot start the scheduler: %s", err);
    }
    fprintf(stderr, "vejled: listening on http://%s:%u\n", cfg->listen_host, http_port(server));
    while (sigwait(&sigs, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
        ;
    fprintf(stderr, "vejled: stopping (signal %d)\n", sig);
    http_stop(mserver);
    http_stop(server);
    scheduler_stop(sched); /* lets a running job finish */
    scheduler_close(sched);
    app_free(&app);
    free(mcfg);
    fprintf(stderr, "vejled: stopped\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct main_opts o;
    struct config cfg;
    int url_given = 0;
    jsonmem_install(); /* before any jansson call (jsonmem.h) */
    if (store_testvfs_init()) /* test build only; before any database is opened */
        return EXIT_FAILURE;
    /* internal: draws one PDF for a vejled process (pdf.h); not for people */
    if (argc == 2 && strcmp(argv[1], "pdf-render") == 0)
        return pdf_render_main();
    /* every document is drawn in a child, so no vejled process maps the PDF libraries for
     * longer than one document */
    if (access("/proc/self/exe", X_OK) == 0)
        pdf_set_renderer("/proc/self/exe");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(main_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *command = argv[1];
    int shift = 1;
    /* commands with a verb: "user add", "apikey add", "jobs list|run" */
    static const struct {
        const char *command;
        const char *verbs[3];
    } with_verb[] = {{"user", {"add"}}, {"apikey", {"add"}}, {"jobs", {"list", "run"}},
                     {"keys", {"show"}}};
    for (size_t i = 0; i < sizeof with_verb / sizeof with_verb[0]; i++) {
        if (strcmp(command, with_verb[i].command) != 0)
            continue;
        int ok = 0;
        for (size_t v = 0; argc >= 3 && v < 3 && with_verb[i].verbs[v]; v++)
            ok |= strcmp(argv[2], with_verb[i].verbs[v]) == 0;
        if (!ok) {
            if (argc >= 3 && strcmp(argv[2], "--help") == 0)
                return main_help(command);
            fputs(main_help_text(command), stderr);
            return EXIT_USAGE;
        }
        shift = 2;
    }
    /* verify-evidence FILE: the bundle is the one positional argument */
    const char *file = NULL;
    if (strcmp(command, "verify-evidence") == 0 && argc >= 3 && argv[2][0] != '-') {
        file = argv[2];
        shift = 2;
    }
    if (main_parse(argc - shift, argv + shift, &o))
        return EXIT_USAGE;
    o.file = file;
    if (o.help)
        return main_help(command);
    clock_init_display_zone();
    if (strcmp(command, "serve") == 0) {
        int rc = main_config(&o, command, 0, &cfg, &url_given);
        return rc ? rc : cmd_serve(&cfg, url_given);
    }
    int known = 0;
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        known |= strcmp(main_helps[i].command, command) == 0;
    if (!known) {
        fprintf(stderr, "vejled: unknown command '%s'\n%s", command, main_usage);
        return EXIT_USAGE;
    }
    if (strcmp(command, "copy") == 0) { /* two databases, named by --from and --to */
        int rc = main_config(&o, command, 0, &cfg, &url_given);
        return rc ? rc : cmd_copy(&cfg, o.from, o.to);
    }
    if (strcmp(command, "verify-evidence") == 0) { /* no database, only the config */
        int rc = main_config(&o, command, 0, &cfg, &url_given);
        if (rc)
            return rc;
        return cmd_verify_evidence(&cfg, &o);
    }
    int rc = main_config(&o, command, 1, &cfg, &url_given);
    if (rc)
        return rc;
    if (strcmp(command, "migrate") == 0)
        return cmd_migrate(&cfg);
    if (strcmp(command, "demo") == 0)
        return cmd_demo(&cfg);
    if (strcmp(command, "apikey") == 0)
        return cmd_apikey(&cfg, o.name);
    if (strcmp(command, "user") == 0)
        return cmd_user(&cfg, &o);
    if (strcmp(command, "verify") == 0)
        return cmd_verify(&cfg);
    if (strcmp(command, "backup") == 0)
        return cmd_backup(&cfg, o.to);
    if (strcmp(command, "jobs") == 0)
        return cmd_jobs(&cfg, argv[2], o.now);
    if (strcmp(command, "evidence") == 0)
        return cmd_evidence(&cfg, &o);
    if (strcmp(command, "keys") == 0)
        return cmd_keys(&cfg);
    if (strcmp(command, "purge") == 0)
        return cmd_purge(&cfg, o.older_than, o.now);
    if (strcmp(command, "stats") == 0)
        return cmd_stats(&cfg, &o);
    return EXIT_USAGE;
}
