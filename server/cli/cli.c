/* cli — the helpers every command uses (cli.h). */
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

/* "vejled: " and the message as one line on stderr. */
static void main_say(const char *fmt, va_list ap)
{
    fprintf(stderr, "vejled: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int main_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    main_say(fmt, ap);
    va_end(ap);
    return EXIT_FAILURE;
}

int main_usage_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    main_say(fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

void main_warn_now(int64_t now)
{
    int64_t real = (int64_t)time(NULL), off = now > real ? now - real : real - now;
    if (off <= 60)
        return;
    fprintf(stderr,
            "vejled: warning: --now is %lld %s %s this machine's clock; every time this run "
            "records (journal, letters, deliveries) will be that time, not the real one\n",
            (long long)(off >= 86400 ? off / 86400 : off >= 3600 ? off / 3600 : off / 60),
            off >= 86400 ? "day(s)" : off >= 3600 ? "hour(s)" : "minute(s)",
            now > real ? "ahead of" : "behind");
}

static const char *main_db_name(const struct config *cfg)
{
    return cfg->db_url[0] ? "the PostgreSQL database" : cfg->db_path;
}

int main_need_db(const struct config *cfg)
{
    if (!cfg->db_url[0] && access(cfg->db_path, F_OK) != 0)
        return main_fail("no database at %s (vejled migrate creates one)", cfg->db_path);
    /* before it is opened for writing, which would switch another program's SQLite file to
     * WAL (or write a header into an empty file) */
    const int made = store_file_migrated(config_db_target(cfg));
    if (made == 0 || made == 2)
        return main_fail("%s is not a vejled database", main_db_name(cfg));
    return 0;
}

int main_check_schema(const struct config *cfg, struct store *st)
{
    if (!store_has_schema(st))
        return main_fail("%s is not a vejled database", main_db_name(cfg));
    return 0;
}

/* Opens the database (creating its folder when asked to) and applies migrations. */
int main_open(const struct config *cfg, enum main_db how, struct store **st)
{
    char err[512], dir[CONFIG_PATH_MAX];
    int applied = 0;
    if (how == MAIN_DB_EXISTING && main_need_db(cfg))
        return -1;
    /* a file that is there may become vejled's only when it holds nothing yet: never add
     * vejled's tables beside another program's (or write into a file that is no database) */
    if (how == MAIN_DB_CREATE && !cfg->db_url[0] && access(cfg->db_path, F_OK) == 0 &&
        store_file_migrated(cfg->db_path) == 0)
        return main_fail("%s holds another program's data, not a vejled database; give a "
                         "new file", cfg->db_path);
    snprintf(dir, sizeof dir, "%s", cfg->db_path);
    char *d = dirname(dir);
    if (how == MAIN_DB_CREATE && strcmp(d, ".") != 0 && mkdir(d, 0750) != 0 &&
        errno != EEXIST)
        return main_fail("cannot create the folder %s", d);
    if (store_open(config_db_target(cfg), cfg->busy_timeout_ms, st, err, sizeof err))
        return main_fail("%s", err);
    if (how == MAIN_DB_EXISTING && main_check_schema(cfg, *st)) {
        store_close(*st);
        *st = NULL;
        return -1;
    }
    if (store_migrate(*st, cfg->migrations_dir, &applied, err, sizeof err)) {
        store_close(*st);
        *st = NULL;
        return main_fail("%s", err);
    }
    if (applied)
        fprintf(stderr, "vejled: applied %d migration(s) to %s\n", applied, main_db_name(cfg));
    return 0;
}

int main_durable(struct store *st)
{
    return store_sync(st) == 0 ? 0 : main_fail("%s", "cannot sync the database log to disk");
}

int main_check_retention(const struct config *cfg)
{
    int64_t days;
    if (cfg->purge_after[0] && purge_parse_period(cfg->purge_after, &days) != 0)
        return main_fail("[retention] purge_after must be a period such as 5y, 60m or 1825d, "
                         "not '%s'", cfg->purge_after);
    return 0;
}

int main_check_key(const struct config *cfg, struct store *st)
{
    /* a missing CPR key is made anew only for a database that has sealed nothing with the
     * old one: a lost key_file line (or a new server without the key) must not start a
     * second key that cannot read the citizens already there */
    unsigned char *box = NULL;
    size_t len = 0;
    enum store_status s = store_sealed_sample(st, &box, &len);
    if (s == STORE_NOT_FOUND)
        return 0;
    if (s != STORE_OK)
        return main_fail("%s", "the database could not be read");
    int rc = 0;
    struct vault *v = NULL;
    char err[512], *plain = NULL;
    size_t n = 0;
    if (access(cfg->key_file, F_OK) != 0) {
        rc = main_fail("the key file %s is missing, but the database holds CPR numbers "
                       "sealed with a key: give this server the installation's key file "
                       "([database] key_file; it is not in the database)",
                       cfg->key_file);
    } else if (vault_open(cfg->key_file, &v, err, sizeof err) != 0) {
        rc = main_fail("%s", err);
    } else if (vault_unseal(v, box, len, &plain, &n) != 0) {
        /* another installation's key would find no citizen again and enrol them anew */
        rc = main_fail("the key file %s does not open the CPR numbers in this database: it "
                       "is not this installation's key (give [database] key_file the one made "
                       "with this database)",
                       cfg->key_file);
    }
    if (plain) {
        sodium_memzero(plain, n);
        free(plain);
    }
    vault_close(v);
    free(box);
    return rc;
}

/* The database (migrated), token and vault for the commands that deliver. */
int main_open_all(const struct config *cfg, struct store **st, struct vault **vault)
{
    char err[512];
    if (main_open(cfg, MAIN_DB_EXISTING, st))
        return -1;
    if (main_check_key(cfg, *st)) {
        store_close(*st);
        *st = NULL;
        return -1;
    }
    if (token_init() || vault_open(cfg->key_file, vault, err, sizeof err)) {
        store_close(*st);
        *st = NULL;
        main_fail("%s", err);
        return -1;
    }
    return 0;
}
