/* Unit tests for mediainfo.c: a video's length from its MP4 movie header (version 0 and 1)
 * or its WebM segment information (a 4- or 8-byte float, the default and a set timecode
 * scale), and nothing believed from bytes that do not say it (other files, headers cut
 * short, sizes past the end, no duration, more than a day).  The files are built here,
 * box by box and element by element. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediainfo.h"

struct bytes {
    unsigned char b[512];
    size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void be(struct bytes *o, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o->b[o->n + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    o->n += n;
}

/* An MP4 of ftyp, a free box, and moov > mvhd of version ver with timescale and duration. */
static struct bytes mp4(int ver, uint32_t timescale, uint64_t duration)
{
    struct bytes o = {{0}, 0};
    be(&o, 16, 4);
    put(&o, "ftypisom\0\0\0\0", 12); /* a 16-byte box: type, brand, minor version */
    be(&o, 12, 4);
    put(&o, "free", 4);
    put(&o, "xxxx", 4);
    size_t mvhd = ver == 1 ? 8 + 4 + 8 + 8 + 4 + 8 : 8 + 4 + 4 + 4 + 4 + 4;
    be(&o, 8 + mvhd, 4);
    put(&o, "moov", 4);
    be(&o, mvhd, 4);
    put(&o, "mvhd", 4);
    be(&o, (uint64_t)ver << 24, 4);
    be(&o, 1, ver == 1 ? 8 : 4); /* created */
    be(&o, 2, ver == 1 ? 8 : 4); /* modified */
    be(&o, timescale, 4);
    be(&o, duration, ver == 1 ? 8 : 4);
    return o;
}

static void test_mp4(void **state)
{
    (void)state;
    struct bytes f = mp4(0, 1000, 40040);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 40);
    f = mp4(0, 90000, 90000 * 31 + 45000); /* 31.5 s: to the nearest */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 32);
    f = mp4(1, 600, 600ull * 3599);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 3599);
    f = mp4(0, 1000, 200); /* 0.2 s: at least 1 */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 1);
    /* not told: no timescale, no duration, "unknown", more than a day, another version */
    f = mp4(0, 0, 40000);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = mp4(0, 1000, 0);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = mp4(0, 1000, UINT32_MAX);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = mp4(1, 1, MEDIAINFO_MAX_S + 1);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = mp4(0, 1000, 40000);
    f.b[44] = 2; /* the mvhd's version byte (ftyp 16, free 12, moov and mvhd headers 16) */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    /* cut short anywhere: nothing read past the end, nothing told */
    struct bytes whole = mp4(1, 1000, 40000);
    for (size_t n = 0; n < whole.n; n++) {
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, whole.b, n);
        assert_int_equal(mediainfo_duration_s(cut, n), 0);
        free(cut);
    }
    /* a box whose size runs past the end, one of size 0 (to the end), a 64-bit size */
    f = mp4(0, 1000, 40000);
    f.b[16 + 3] = 200; /* the free box: 200 bytes */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    struct bytes g = {{0}, 0};
    be(&g, 8, 4);
    put(&g, "ftyp", 4);
    be(&g, 1, 4);
    put(&g, "free", 4);
    be(&g, 16, 8); /* a 64-bit size: the box is its header alone */
    struct bytes tail = mp4(0, 1000, 40000);
    put(&g, tail.b + 28, tail.n - 28); /* the moov box */
    assert_int_equal(mediainfo_duration_s(g.b, g.n), 40);
    struct bytes z = mp4(0, 1000, 40000);
    memset(z.b + 28, 0, 4); /* the moov's size 0: to the end of the file */
    assert_int_equal(mediainfo_duration_s(z.b, z.n), 40);
}

/* An EBML element: id (its bytes as written), a one-byte size, the payload. */
static void el(struct bytes *o, uint32_t id, const unsigned char *p, size_t n)
{
    size_t idn = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
    be(o, id, idn);
    assert_true(n < 127);
    be(o, 0x80 | n, 1);
    put(o, p, n);
}

/* A WebM: the EBML header, a Segment (unknown size when open) holding a SeekHead and an Info
 * with the timecode scale (0: none given) and the duration as a float of fbytes. */
static struct bytes webm(uint64_t scale, double duration, int fbytes, int open)
{
    struct bytes info = {{0}, 0}, seg = {{0}, 0}, o = {{0}, 0};
    if (scale) {
        unsigned char s[4] = {(unsigned char)(scale >> 24), (unsigned char)(scale >> 16),
                              (unsigned char)(scale >> 8), (unsigned char)scale};
        el(&info, 0x2AD7B1, s, 4);
    }
    if (fbytes == 4) {
        float f = (float)duration;
        uint32_t b;
        memcpy(&b, &f, 4);
        struct bytes d = {{0}, 0};
        be(&d, b, 4);
        el(&info, 0x4489, d.b, 4);
    } else if (fbytes == 8) {
        uint64_t b;
        memcpy(&b, &duration, 8);
        struct bytes d = {{0}, 0};
        be(&d, b, 8);
        el(&info, 0x4489, d.b, 8);
    }
    el(&seg, 0x114D9B74, (const unsigned char *)"seek", 4); /* a SeekHead before it */
    el(&seg, 0x1549A966, info.b, info.n);
    el(&o, 0x1A45DFA3, (const unsigned char *)"\x42\x82\x84webm", 7);
    if (open) {
        be(&o, 0x18538067, 4);
        be(&o, 0x01FFFFFFFFFFFFFFull, 8); /* an 8-byte size, all ones: unknown */
        put(&o, seg.b, seg.n);
    } else {
        el(&o, 0x18538067, seg.b, seg.n);
    }
    return o;
}

static void test_webm(void **state)
{
    (void)state;
    struct bytes f = webm(0, 40040.0, 8, 0); /* milliseconds by default */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 40);
    f = webm(1000000, 31600.0, 4, 1);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 32);
    f = webm(1000000000, 44.2, 8, 1); /* a scale of whole seconds */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 44);
    /* not told: no duration, zero, negative, more than a day, a 2-byte float */
    f = webm(0, 0, 0, 0);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = webm(0, 0.0, 8, 0);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = webm(0, -5000.0, 8, 0);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    f = webm(0, 1000.0 * (MEDIAINFO_MAX_S + 1), 8, 0);
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
    /* cut short anywhere: nothing read past the end, nothing invented */
    struct bytes whole = webm(1000000, 40000.0, 8, 0);
    for (size_t n = 0; n < whole.n; n++) {
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, whole.b, n);
        assert_int_equal(mediainfo_duration_s(cut, n), 0); /* the Info is the last element */
        free(cut);
    }
    /* a zero byte where an element's ID begins: malformed */
    f = webm(0, 40000.0, 8, 0);
    f.b[12] = 0; /* after the 12-byte EBML header: the Segment's ID */
    assert_int_equal(mediainfo_duration_s(f.b, f.n), 0);
}

static void test_other_bytes(void **state)
{
    (void)state;
    const unsigned char text[] = "hello, not a video at all";
    assert_int_equal(mediainfo_duration_s(text, sizeof text), 0);
    assert_int_equal(mediainfo_duration_s(NULL, 0), 0);
    assert_int_equal(mediainfo_duration_s(text, 3), 0);
    /* a fake MP4 as the upload tests send: an ftyp and filler, no movie header */
    unsigned char fake[200];
    memset(fake, 7, sizeof fake);
    memcpy(fake, "\0\0\0\x18" "ftypisom", 12);
    assert_int_equal(mediainfo_duration_s(fake, sizeof fake), 0);
    assert_int_equal(mediainfo_file_duration_s("/nonexistent/file.mp4"), 0);
    /* a file: the same as its bytes */
    char path[] = "/tmp/vejled-mediainfo-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct bytes f = mp4(0, 1000, 40000);
    assert_int_equal(write(fd, f.b, f.n), (long)f.n);
    close(fd);
    assert_int_equal(mediainfo_file_duration_s(path), 40);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mp4),
        cmocka_unit_test(test_webm),
        cmocka_unit_test(test_other_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
