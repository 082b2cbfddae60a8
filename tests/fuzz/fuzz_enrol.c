/* fuzz_enrol: the enrolment request of POST /api/v1/enrolments, from the raw body on.
 *
 * The input is the request body as the API receives it: parsed by jansson exactly as
 * h_api_enrol does, then validated and (when valid) written by enrol_create() against a
 * throw-away database with the demo content, made once per process in a temp folder.
 * Checked: a rejected request names a field code and never echoes the CPR; an accepted
 * one answers 201 with a link.  Run from the repository root (db/migrations, db/demo). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "content.h"
#include "enrol.h"
#include "store.h"
#include "token.h"
#include "vault.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static struct vault *vault;
static struct content_cache *cache;
static char dir[] = "/tmp/vejled-fuzz-enrol-XXXXXX";

static void fuzz_cleanup(void)
{
    char cmd[128];
    content_cache_free(cache);
    vault_close(vault);
    store_close(st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_enrol: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[256], key[256], err[512];
    int applied = 0, published = 0, planned = 0;
    struct config cfg;
    config_defaults(&cfg); /* [staff] max_content_text for the demo packs */
    if (!mkdtemp(dir) || token_init())
        abort();
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    snprintf(key, sizeof key, "%s/fuzz.key", dir);
    if (store_open(path, 5000, &st, err, sizeof err) ||
        store_migrate(st, "db/migrations", &applied, err, sizeof err) ||
        vault_open(key, &vault, err, sizeof err) ||
        content_load_dir(st, "db/demo", cfg.max_content_text, clock_now(), NULL, &published,
                         &planned, err, sizeof err)) {
        fprintf(stderr, "fuzz_enrol: setup failed (run from the repository root): %s\n", err);
        abort();
    }
    cache = content_cache_new();
    atexit(fuzz_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!body)
        return 0;
    struct jobs_policy policy;
    jobs_policy_defaults(&policy);
    struct enrol_env env = {st, vault, cache, "http://127.0.0.1:1", 30, 24, 2, 1000, &policy, NULL, 300,
                            NULL /* languages: da, en */};
    struct enrol_error err;
    json_t *resp = NULL;
    int status = 0;
    enum enrol_result r = enrol_create(&env, body, 1, NULL, &status, &resp, &err);
    if (r == ENROL_INVALID || r == ENROL_CONFLICT) {
        if (!err.code[0] || resp)
            abort();
        /* the CPR as sent must never come back in a message */
        json_t *cpr = json_object_get(json_object_get(body, "citizen"), "cpr");
        if (json_is_string(cpr) && json_string_length(cpr) >= 6 &&
            strstr(err.message, json_string_value(cpr)))
            abort();
    } else if (r == ENROL_OK) {
        if (status != 201 || !json_is_string(json_object_get(resp, "link")))
            abort();
    }
    json_decref(resp);
    json_decref(body);
    return 0;
}
