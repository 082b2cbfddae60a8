/* Unit tests for multipart.c: boundaries, parts, file parts, and every malformed shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "multipart.h"

static void test_boundary(void **state)
{
    (void)state;
    char b[80];
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=abc123", b, sizeof b), 0);
    assert_string_equal(b, "abc123");
    assert_int_equal(multipart_boundary("Multipart/Form-Data; charset=x; boundary=\"q q\"", b, sizeof b), 0);
    assert_string_equal(b, "q q");
    assert_int_equal(multipart_boundary("multipart/form-data", b, sizeof b), -1);
    assert_int_equal(multipart_boundary("application/x-www-form-urlencoded; boundary=x", b, sizeof b), -1);
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=", b, sizeof b), -1);
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"open", b, sizeof b), -1);
    assert_int_equal(multipart_boundary(NULL, b, sizeof b), -1);
    char longb[120] = "multipart/form-data; boundary=";
    memset(longb + strlen(longb), 'x', 71);
    assert_int_equal(multipart_boundary(longb, b, sizeof b), -1);
}

static const char BODY[] =
    "--XX\r\n"
    "Content-Disposition: form-data; name=\"csrf\"\r\n"
    "\r\n"
    "token\r\n"
    "--XX\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
    "Content-Type: video/mp4\r\n"
    "\r\n"
    "\x00\x01--X\r\n--\r\n"
    "--XX--\r\n";

static void test_parse(void **state)
{
    (void)state;
    struct multipart m;
    assert_int_equal(multipart_parse(BODY, sizeof BODY - 1, "XX", 10, &m), 0);
    assert_int_equal(m.n, 2);
    const struct multipart_part *c = multipart_get(&m, "csrf");
    assert_non_null(c);
    assert_int_equal(c->len, 5);
    assert_memory_equal(c->data, "token", 5);
    assert_string_equal(c->filename, "");
    const struct multipart_part *f = multipart_get(&m, "file");
    assert_non_null(f);
    assert_string_equal(f->filename, "a.mp4");
    assert_string_equal(f->content_type, "video/mp4");
    assert_int_equal(f->len, 9); /* binary, with a look-alike of the boundary inside */
    assert_memory_equal(f->data, "\x00\x01--X\r\n--", 9);
    assert_null(multipart_get(&m, "nope"));
    multipart_free(&m);
    multipart_free(&m);
    multipart_free(NULL);
}

static void test_malformed(void **state)
{
    (void)state;
    struct multipart m;
    const char *bad[] = {
        "",
        "--XX\r\n\r\nno disposition\r\n--XX--\r\n",
        "--XX\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XX--\r\n",
        "--XX\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XX--\r\n",
        "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing boundary",
        "--YY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--YY--\r\n",
        "--XX\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XX--\r\n",
        "--XXjunk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XX--\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(multipart_parse(bad[i], strlen(bad[i]), "XX", 10, &m), -1);
        assert_int_equal(m.n, 0);
        assert_null(m.parts);
    }
    /* too many parts */
    assert_int_equal(multipart_parse(BODY, sizeof BODY - 1, "XX", 1, &m), -1);
    /* a name longer than the limit */
    char body[600];
    char name[200];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(body, sizeof body, "--XX\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--XX--\r\n", name);
    assert_int_equal(multipart_parse(body, strlen(body), "XX", 10, &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
