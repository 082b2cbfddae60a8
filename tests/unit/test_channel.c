/* Unit tests for channel.c: Standard Webhooks keys and signatures (the specification's own
 * example), the outbox's repeat-safe write with the hashes of what lies there, and the
 * e-mail message as a pure function of its input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "channel.h"
#include "config.h"

static void test_key_whsec_is_base64_decoded(void **state)
{
    (void)state;
    unsigned char key[CHANNEL_WEBHOOK_KEY_MAX];
    size_t n = 0;
    /* whsec_ + base64 of the bytes 0x00 0x01 0xfe 0xff */
    assert_int_equal(channel_webhook_key("whsec_AAH+/w==", key, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(key, "\x00\x01\xfe\xff", 4);
}

static void test_key_plain_is_its_own_bytes(void **state)
{
    (void)state;
    unsigned char key[CHANNEL_WEBHOOK_KEY_MAX];
    size_t n = 0;
    assert_int_equal(channel_webhook_key("plain-æøå", key, &n), 0);
    assert_int_equal(n, strlen("plain-æøå"));
    assert_memory_equal(key, "plain-æøå", n);
}

static void test_key_bad(void **state)
{
    (void)state;
    unsigned char key[CHANNEL_WEBHOOK_KEY_MAX];
    size_t n = 99;
    static const char *const bad[] = {"", "whsec_", "whsec_!!!!", "whsec_AAH+/w", "whsec_AAH+/w==x",
                                      "whsec_AAH-_w=="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(channel_webhook_key(bad[i], key, &n), -1);
        assert_int_equal(n, 0);
    }
    char longer[CHANNEL_WEBHOOK_KEY_MAX + 2];
    memset(longer, 'k', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(channel_webhook_key(longer, key, &n), -1);
}

static void sign(const char *secret, const char *id, int64_t ts, const char *body,
                 char out[CHANNEL_WEBHOOK_SIG_MAX])
{
    unsigned char key[CHANNEL_WEBHOOK_KEY_MAX];
    size_t n = 0;
    assert_int_equal(channel_webhook_key(secret, key, &n), 0);
    channel_webhook_signature(key, n, id, ts, body, strlen(body), out);
}

static void test_signature_specification_example(void **state)
{
    (void)state;
    char sig[CHANNEL_WEBHOOK_SIG_MAX];
    /* the example of the Standard Webhooks specification */
    sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
         "{\"test\": 2432232314}", sig);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* a plain secret signs with its UTF-8 bytes (as the npm package standardwebhooks does
     * with new Webhook(Buffer.from(secret, 'utf8'), {format: 'raw'})) */
    sign("plain-æøå", "id1", 1700000000, "body", sig);
    assert_string_equal(sig, "v1,tAc+EVymkqGvW/4TgC5TkoCO/8OHi1/Q+JehQf+SkO8=");
    /* the timestamp and the id are signed */
    char other[CHANNEL_WEBHOOK_SIG_MAX];
    sign("plain-æøå", "id1", 1700000001, "body", other);
    assert_string_not_equal(sig, other);
    sign("plain-æøå", "id2", 1700000000, "body", other);
    assert_string_not_equal(sig, other);
}

static void file_sha(const char *path, char out[CHANNEL_SHA256_HEX + 1])
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    channel_sha256(buf, n, out);
}

static void test_outbox_repeat_keeps_the_first_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/vejled-channel-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[CONFIG_PATH_MAX], err[200] = "";
    snprintf(out, sizeof out, "%s/outbox", dir);
    const char *id = "6f1c1f8e-1111-4222-8333-444455556666";
    char xs[CHANNEL_SHA256_HEX + 1], ps[CHANNEL_SHA256_HEX + 1], want[CHANNEL_SHA256_HEX + 1];
    int64_t placed_at = -1;
    assert_int_equal(channel_outbox_write(out, id, "PDF-1", 5, "<xml-1/>", 8, xs, ps,
                                          &placed_at, err, sizeof err),
                     0);
    assert_int_equal(placed_at, 0); /* placed now */
    channel_sha256("<xml-1/>", 8, want);
    assert_string_equal(xs, want);
    channel_sha256("PDF-1", 5, want);
    assert_string_equal(ps, want);
    char path[CONFIG_PATH_MAX + 64], disk[CHANNEL_SHA256_HEX + 1], marker[CONFIG_PATH_MAX + 64];
    snprintf(marker, sizeof marker, "%s/.%s.placed", out, id);
    assert_int_equal(access(marker, F_OK), 0);
    /* the files placed an hour ago, as a crashed attempt left them */
    struct timespec hour_ago[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
    snprintf(path, sizeof path, "%s/%s.xml", out, id);
    assert_int_equal(utimensat(AT_FDCWD, path, hour_ago, 0), 0);
    /* a repeat with other bytes writes nothing, reports the files that lie there and when
     * they were placed */
    assert_int_equal(channel_outbox_write(out, id, "PDF-2", 5, "<xml-2/>", 8, xs, ps,
                                          &placed_at, err, sizeof err),
                     0);
    assert_int_equal(placed_at, hour_ago[1].tv_sec);
    file_sha(path, disk);
    assert_string_equal(xs, disk);
    channel_sha256("<xml-1/>", 8, want);
    assert_string_equal(disk, want);
    snprintf(path, sizeof path, "%s/%s.pdf", out, id);
    file_sha(path, disk);
    assert_string_equal(ps, disk);
    /* the pickup takes the files: the marker still says the letter was placed, and when;
     * a repeat places nothing again and reports the bytes kept with the intent */
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.xml", out, id);
    unlink(path);
    assert_int_equal(utimensat(AT_FDCWD, marker, hour_ago, 0), 0);
    assert_int_equal(channel_outbox_write(out, id, "PDF-1", 5, "<xml-1/>", 8, xs, ps,
                                          &placed_at, err, sizeof err),
                     0);
    assert_int_equal(placed_at, hour_ago[1].tv_sec);
    assert_int_equal(access(path, F_OK), -1);
    channel_sha256("<xml-1/>", 8, want);
    assert_string_equal(xs, want);
    /* a marker whose XML was never renamed (its temporary file is there): written anew */
    char tmp[CONFIG_PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s/.%s.xml.tmp", out, id);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs("<xml-", f); /* cut short */
    fclose(f);
    assert_int_equal(channel_outbox_write(out, id, "PDF-1", 5, "<xml-1/>", 8, xs, ps,
                                          &placed_at, err, sizeof err),
                     0);
    assert_int_equal(placed_at, 0);
    file_sha(path, disk);
    assert_string_equal(disk, want);
    assert_int_equal(access(tmp, F_OK), -1);
    /* recorded: the marker goes */
    channel_outbox_done(out, id);
    assert_int_equal(access(marker, F_OK), -1);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.pdf", out, id);
    unlink(path);
    rmdir(out);
    rmdir(dir);
}

static void test_mail_message_is_a_pure_function(void **state)
{
    (void)state;
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.municipality_name, sizeof cfg.municipality_name, "Jobcenter Æby");
    snprintf(cfg.smtp_from, sizeof cfg.smtp_from, "jobcenter@example.dk");
    struct channel_mail m = {"6f1c1f8e-1111-4222-8333-444455556666", "a@example.dk", "Emne",
                             "Tekst", "PDF", 3, "brev.pdf", 1700000000};
    struct buf a = {0}, b = {0};
    channel_mail_message(&cfg, &m, &a);
    channel_mail_message(&cfg, &m, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_non_null(strstr(a.data, "Message-ID: <6f1c1f8e-1111-4222-8333-444455556666@vejled>"));
    assert_non_null(strstr(a.data, "Date: Tue, 14 Nov 2023 22:13:20 +0000"));
    buf_free(&a);
    buf_free(&b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_whsec_is_base64_decoded),
        cmocka_unit_test(test_key_plain_is_its_own_bytes),
        cmocka_unit_test(test_key_bad),
        cmocka_unit_test(test_signature_specification_example),
        cmocka_unit_test(test_outbox_repeat_keeps_the_first_files),
        cmocka_unit_test(test_mail_message_is_a_pure_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
