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

#include "cli.h"


static const struct option main_longopts[] = {
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
        {"dir", required_argument, NULL, 'I'},
        {"job", required_argument, NULL, 'J'},
        {NULL, 0, NULL, 0}};

/* The flags each command takes besides --db, --listen, --config and --help (the letters of
 * main_longopts): any other is a usage error, not silently ignored. */
static const struct {
    const char *command;
    const char *flags;
} main_command_flags[] = {
    {"serve", ""},      {"migrate", ""},         {"demo", ""},     {"apikey", "n"},
    {"user", "urUD"},   {"verify", ""},          {"keys", ""},     {"verify-evidence", "KP"},
    {"backup", "t"},    {"copy", "ft"},          {"jobs", "wJ"},    {"evidence", "zoS"},
    {"purge", "gw"},    {"stats", "ftFRV"},   {"packs", "I"},
};

/* 0 when every flag given is one the command takes, else EXIT_USAGE after a message. */
static int main_flags_taken(const char *command, const struct main_opts *o)
{
    const char *own = NULL;
    for (size_t i = 0; i < sizeof main_command_flags / sizeof main_command_flags[0]; i++)
        if (strcmp(main_command_flags[i].command, command) == 0)
            own = main_command_flags[i].flags;
    if (!own)
        return 0; /* an unknown command is refused by its caller */
    for (const char *g = o->given; *g; g++) {
        if (strchr("dlch", *g) || strchr(own, *g))
            continue;
        for (const struct option *lo = main_longopts; lo->name; lo++)
            if (lo->val == *g)
                return main_usage_fail("%s does not take --%s", command, lo->name);
    }
    return 0;
}

static int main_parse(int argc, char **argv, struct main_opts *o)
{
    const struct option *longopts = main_longopts;
    memset(o, 0, sizeof *o);
    o->db = getenv("VEJLED_DB");
    o->listen = getenv("VEJLED_LISTEN");
    o->config = getenv("VEJLED_CONFIG");
    int ch;
    opterr = 0;
    optind = 1;
    size_t ngiven = 0;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch > 0 && ch < 128 && !strchr(o->given, ch) && ngiven + 1 < sizeof o->given)
            o->given[ngiven++] = (char)ch;
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
        case 'I': o->dir = optarg; break;
        case 'J': o->job = optarg; break;
        case 'V': o->verify = 1; break;
        case 'R': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 0 || n > 10000) {
                fprintf(stderr, "vejled: --repeat must be a whole number from 0 to 10000, not "
                                "'%s'\n", optarg);
                return -1;
            }
            o->repeat = (int)n;
            break;
        }
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
        return main_usage_fail("--listen must be HOST:PORT, not '%s'", o->listen);
    *url_given = cfg->public_url[0] != '\0';
    config_finish(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    struct main_opts o;
    struct config cfg;
    int url_given = 0;
    jsonmem_install(); /* before any jansson call (jsonmem.h) */
    store_process_init();
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
    /* commands with a verb: "user add", "apikey add", "jobs list|run|retry|skip" */
    static const struct {
        const char *command;
        const char *verbs[4];
    } with_verb[] = {{"user", {"add"}},
                     {"apikey", {"add"}},
                     {"jobs", {"list", "run", "retry", "skip"}},
                     {"keys", {"show"}},
                     {"packs", {"load"}}};
    for (size_t i = 0; i < sizeof with_verb / sizeof with_verb[0]; i++) {
        if (strcmp(command, with_verb[i].command) != 0)
            continue;
        int ok = 0;
        for (size_t v = 0; argc >= 3 && v < sizeof with_verb[i].verbs / sizeof *with_verb[i].verbs &&
                           with_verb[i].verbs[v];
             v++)
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
    if (main_flags_taken(command, &o))
        return EXIT_USAGE;
    clock_init_display_zone();
    if (strcmp(command, "serve") == 0) {
        int rc = main_config(&o, command, 0, &cfg, &url_given);
        return rc ? rc : cmd_serve(&cfg, url_given);
    }
    if (!main_known(command)) {
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
    if (strcmp(command, "packs") == 0)
        return cmd_packs_load(&cfg, o.dir);
    if (strcmp(command, "apikey") == 0)
        return cmd_apikey(&cfg, o.name);
    if (strcmp(command, "user") == 0)
        return cmd_user(&cfg, &o);
    if (strcmp(command, "verify") == 0)
        return cmd_verify(&cfg);
    if (strcmp(command, "backup") == 0)
        return cmd_backup(&cfg, o.to);
    if (strcmp(command, "jobs") == 0)
        return cmd_jobs(&cfg, o.config != NULL, argv[2], o.now, o.job);
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
