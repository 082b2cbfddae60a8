/* cli — what the command line's files share (server/main.c parses and dispatches;
 * server/cli/cmd_*.c carry out one group of commands each).  Exit status: 0 success, 1
 * failure with one clear line on stderr, 2 usage. */
#ifndef VEJLED_CLI_H
#define VEJLED_CLI_H

#include "config.h"
#include "store.h"
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
    const char *dir;             /* packs load: the folder of pack files */
    const char *job;             /* jobs retry: the failed letter job's id */
    int verify;
    int repeat;
    int help;
    char given[32]; /* the letters (main_longopts' values) of the flags given, each once */
};

/* help.c: the usage text, and the help of a command ("" if there is none; main_help_of:
 * the usage text then), main_help prints it on stdout and returns 0. */
extern const char *const main_usage;
const char *main_help_text(const char *command);
const char *main_help_of(const char *command);
int main_help(const char *command);
/* Lists every command that has a help text: 1 when command is one. */
int main_known(const char *command);

/* Prints "vejled: " and the message on stderr; returns EXIT_FAILURE. */
int main_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a flag's value that is not allowed (a usage error): one line, EXIT_USAGE. */
int main_usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A --now more than a minute away from this machine's clock: says on stderr that every time
 * the run records (journal entries, letters, deliveries) will be that time, not the real
 * one.  Such a run is for tests and rehearsals on a copy of the database. */
void main_warn_now(int64_t now);
/* Refuses (EXIT_FAILURE, one line) when the database is an SQLite file that does not
 * exist, before anything is opened or created: only the commands whose job is to make a
 * database (migrate, demo, serve's first start, copy's target) may make one, so that a
 * mistyped --db fails instead of working on a new, empty database.  0 when it exists (or
 * is a PostgreSQL URL, which names a database its owner created). */
int main_need_db(const struct config *cfg);
/* Refuses (EXIT_FAILURE, one line) a database vejled has never migrated (an empty file, a
 * foreign SQLite file, an empty PostgreSQL database).  0 when it holds vejled's schema. */
int main_check_schema(const struct config *cfg, struct store *st);
/* Whether main_open may make a new database or only opens an existing one. */
enum main_db { MAIN_DB_CREATE, MAIN_DB_EXISTING };
/* Opens the database and applies migrations; MAIN_DB_CREATE creates the file and its
 * folder when missing, MAIN_DB_EXISTING refuses a missing or non-vejled database first
 * (main_need_db, main_check_schema).  0, or -1 having said why. */
int main_open(const struct config *cfg, enum main_db how, struct store **st);
/* Before a command writes out what it read: a running server's newest commits may not be
 * on disk yet (its writer syncs them a moment later, store/writer.h), so the log is synced
 * here, after the reads; what the output states is then on disk.  0, or 1 having said
 * why. */
int main_durable(struct store *st);
/* Refuses (EXIT_FAILURE, one line) a [retention] purge_after that is set but not a period
 * (what serve and jobs run check at start).  0 when unset or well formed. */
int main_check_retention(const struct config *cfg);
/* Refuses (EXIT_FAILURE, one line) when the CPR key file is missing but the database holds
 * CPR numbers sealed with a key (a second key would not read them), or when it does not
 * open them (another installation's key).  0 when all is well. */
int main_check_key(const struct config *cfg, struct store *st);
/* The existing database (migrated, MAIN_DB_EXISTING), token and vault for the commands
 * that deliver.  0 or -1. */
int main_open_all(const struct config *cfg, struct store **st, struct vault **vault);

/* cmd_db.c: the database and its accounts */
int cmd_migrate(const struct config *cfg);
int cmd_demo(const struct config *cfg);
int cmd_apikey(const struct config *cfg, const char *name);
int cmd_user(const struct config *cfg, const struct main_opts *o);
int cmd_verify(const struct config *cfg);
int cmd_backup(const struct config *cfg, const char *to);
/* Loads the pack files under dir (dir/packs/NAME.json, captions beside) as `vejled demo`
 * loads the demo's, and nothing else: no staff, no citizens. */
int cmd_packs_load(const struct config *cfg, const char *dir);
int cmd_copy(const struct config *cfg, const char *from, const char *to);
/* cmd_ops.c: jobs, retention, statistics */
int cmd_jobs(const struct config *cfg, int config_given, const char *what, const char *now_text,
             const char *job);
int cmd_purge(const struct config *cfg, const char *older_than, const char *now_text);
int cmd_stats(const struct config *cfg, const struct main_opts *o);
/* cmd_evidence.c: evidence documents, signing keys, bundles */
int cmd_evidence(const struct config *cfg, const struct main_opts *o);
int cmd_keys(const struct config *cfg);
int cmd_verify_evidence(const struct config *cfg, const struct main_opts *o);
/* cmd_serve.c: the server */
int cmd_serve(struct config *cfg, int url_given);

#endif
