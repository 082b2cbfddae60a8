/* config: defaults, INI parsing, named limits with ranges, unknown keys rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char *write_ini(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/vejled-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    config_finish(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_string_equal(c.key_file, "var/vejled.db.key");
    assert_int_equal(c.max_body_json, 65536);
    assert_int_equal(c.max_body_form, 32768);
    assert_true(c.token_misses_per_minute > 0);
    assert_non_null(strstr(c.migrations_dir, "db/migrations"));
}

static void test_file_overrides(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_defaults(&c);
    char *p = write_ini("# comment\n[server]\nlisten = 127.0.0.1:9090\npublic_url = \"https://vejled.example.dk/\"\n"
                        "max_body_json = 1024\n\n[database]\npath=/srv/v.db\n[delivery]\nchannels = outbox,smtp\n");
    assert_int_equal(config_load_file(&c, p, err, sizeof err), 0);
    unlink(p);
    config_finish(&c);
    assert_int_equal(c.listen_port, 9090);
    assert_string_equal(c.public_url, "https://vejled.example.dk");
    assert_int_equal(c.max_body_json, 1024);
    assert_string_equal(c.db_path, "/srv/v.db");
    assert_string_equal(c.key_file, "/srv/v.db.key");
    assert_string_equal(c.channels, "outbox,smtp");
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    const char *bad[] = {"[server]\nthreads = 0\n", "[server]\nthreads = many\n",
                         "[server]\nno_such_key = 1\n", "key = 1\n", "[server\n",
                         "[server]\nlisten = nowhere\n", "[server]\nmax_body_json = -5\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_defaults(&c);
        char *p = write_ini(bad[i]);
        assert_int_equal(config_load_file(&c, p, err, sizeof err), -1);
        assert_non_null(strstr(err, p));
        assert_non_null(strstr(err, ":"));
        unlink(p);
    }
    config_defaults(&c);
    assert_int_equal(config_load_file(&c, "/nonexistent/vejled.ini", err, sizeof err), -1);
}

static void test_listen_parsing(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_int_equal(config_set_listen(&c, "127.0.0.1:0"), 0);
    assert_int_equal(c.listen_port, 0);
    assert_int_equal(config_set_listen(&c, "::1:8081"), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(config_set_listen(&c, "127.0.0.1:70000"), -1);
    assert_int_equal(config_set_listen(&c, ":80"), -1);
    assert_int_equal(config_set_listen(&c, "127.0.0.1"), -1);
}

static void test_app_origins(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_defaults(&c);
    assert_string_equal(c.app_origins, "");
    assert_false(config_origin_listed(c.app_origins, "https://app.kommune.dk"));
    assert_int_equal(config_set(&c, "citizen", "app_origins",
                                "https://app.kommune.dk, http://localhost:5173,http://[::1]:8080",
                                err, sizeof err), 0);
    assert_true(config_origin_listed(c.app_origins, "https://app.kommune.dk"));
    assert_true(config_origin_listed(c.app_origins, "http://localhost:5173"));
    assert_true(config_origin_listed(c.app_origins, "http://[::1]:8080"));
    assert_false(config_origin_listed(c.app_origins, "https://app.kommune.d"));
    assert_false(config_origin_listed(c.app_origins, "https://app.kommune.dk.evil.dk"));
    assert_false(config_origin_listed(c.app_origins, "http://localhost"));
    assert_false(config_origin_listed(c.app_origins, "null"));
    assert_false(config_origin_listed(c.app_origins, ""));
    assert_false(config_origin_listed(c.app_origins, NULL));
    const char *bad[] = {"app.kommune.dk", "https://app.kommune.dk/", "https://x.dk/p", "ftp://x.dk",
                         "*", "https://App.dk", "https://x.dk:", "https://x.dk:123456", "https://",
                         "http://[]", "https://x.dk;y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char value[128];
        snprintf(value, sizeof value, "https://ok.dk, %s", bad[i]);
        err[0] = '\0';
        assert_int_equal(config_set(&c, "citizen", "app_origins", value, err, sizeof err), -1);
        assert_non_null(strstr(err, "[citizen] app_origins"));
        assert_non_null(strstr(err, bad[i]));
    }
    /* a refused value leaves the one before */
    assert_true(config_origin_listed(c.app_origins, "http://localhost:5173"));
}

/* Values that would fail quietly later are refused when read: an unknown channel (every
 * letter would fail), a proxy that is not an address (it would never match the peer), a
 * claim batch above the scheduler's bound. */
static void test_channels_proxy_batch(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "delivery", "channels", "outbox, smtp,webhook", err, sizeof err), 0);
    assert_string_equal(c.channels, "outbox, smtp,webhook");
    static const char *const bad_channels[] = {"outbox,sms", "email", "", " , ", "outbox,Smtp"};
    for (size_t i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++) {
        err[0] = '\0';
        assert_int_equal(config_set(&c, "delivery", "channels", bad_channels[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "[delivery] channels"));
    }
    assert_non_null(strstr(err, "unknown channel 'Smtp'"));
    assert_string_equal(c.channels, "outbox, smtp,webhook"); /* unchanged */

    assert_int_equal(config_set(&c, "server", "trusted_proxy", "127.0.0.1", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "server", "trusted_proxy", "::1", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "server", "trusted_proxy", "", err, sizeof err), 0);
    static const char *const bad_proxy[] = {"localhost", "127.0.0.1:8080", "10.0.0.0/8", "1.2.3"};
    for (size_t i = 0; i < sizeof bad_proxy / sizeof bad_proxy[0]; i++) {
        err[0] = '\0';
        assert_int_equal(config_set(&c, "server", "trusted_proxy", bad_proxy[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "[server] trusted_proxy must be the proxy's numeric address"));
        assert_non_null(strstr(err, bad_proxy[i]));
    }

    assert_int_equal(config_set(&c, "delivery", "claim_batch", "1024", err, sizeof err), 0);
    assert_int_equal(c.claim_batch, 1024);
    assert_int_equal(config_set(&c, "delivery", "claim_batch", "1025", err, sizeof err), -1);
    assert_non_null(strstr(err, "from 1 to 1024"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_overrides),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_listen_parsing),
        cmocka_unit_test(test_app_origins),
        cmocka_unit_test(test_channels_proxy_batch),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
