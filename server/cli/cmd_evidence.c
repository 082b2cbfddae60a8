/* cmd_evidence — evidence, keys, verify-evidence (cli.h). */
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
        long long seq = strtoll(seq_text, NULL, 10); /* checked by cmd_evidence */
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

int cmd_evidence(const struct config *cfg, const struct main_opts *o)
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
    if (o->checkpoint_seq) { /* a usage error before anything is opened */
        char *end = NULL;
        long long seq = strtoll(o->checkpoint_seq, &end, 10);
        if (!*o->checkpoint_seq || *end || seq < 1)
            return main_usage_fail("--checkpoint-seq must be a journal seq (a positive number)");
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
    if (main_durable(st))
        goto out;
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

int cmd_keys(const struct config *cfg)
{
    struct signkey *key = NULL;
    char err[512];
    if (access(cfg->sign_key_file, F_OK) != 0 && errno == ENOENT)
        return main_fail("no signing key at %s: the server makes it on its first start; if it "
                         "has run, [database] sign_key_file names the key it made",
                         cfg->sign_key_file);
    if (signkey_open(cfg->sign_key_file, 0, &key, err, sizeof err))
        return main_fail("%s", err);
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

int cmd_verify_evidence(const struct config *cfg, const struct main_opts *o)
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
