/* cmd_serve — the server: wiring, signals, the scheduler thread (cli.h). */
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

int cmd_serve(struct config *cfg, int url_given)
{
    struct store *st = NULL;
    struct app app;
    struct http_server *server = NULL;
    struct http_hooks hooks;
    char err[512];
    sigset_t sigs;
    int sig = 0;

    if (main_check_retention(cfg))
        return EXIT_FAILURE;
    if (main_open(cfg, MAIN_DB_CREATE, &st))
        return EXIT_FAILURE;
    if (main_check_key(cfg, st)) {
        store_close(st);
        return EXIT_FAILURE;
    }
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
    if (cfg->scheduler && (scheduler_open(cfg, app.vault, app.public_url, &app.langs,
                                          app.content, &sched, err, sizeof err) ||
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
    app_log_writer(&app);
    app_free(&app);
    free(mcfg);
    fprintf(stderr, "vejled: stopped\n");
    return 0;
}
