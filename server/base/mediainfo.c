#include "mediainfo.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* n (1..8) bytes big-endian */
static uint64_t mediainfo_be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Whole seconds of ticks at rate per second, rounded; 0 when it cannot be told. */
static int mediainfo_seconds(uint64_t ticks, uint64_t rate)
{
    if (rate == 0 || ticks == 0 || ticks / rate > MEDIAINFO_MAX_S)
        return 0;
    uint64_t s = (ticks + rate / 2) / rate;
    return s == 0 ? 1 : (int)s;
}

/* ------------------------------------------------------------------ MP4 */

/* The payload of the first box of type in [p, end), its length in *len; NULL if none. */
static const unsigned char *mediainfo_mp4_box(const unsigned char *p, const unsigned char *end,
                                              const char *type, size_t *len)
{
    while (end - p >= 8) {
        uint64_t size = mediainfo_be(p, 4);
        size_t head = 8;
        if (size == 1) { /* a 64-bit size after the type */
            if (end - p < 16)
                return NULL;
            size = mediainfo_be(p + 8, 8);
            head = 16;
        } else if (size == 0) { /* to the end of the file */
            size = (uint64_t)(end - p);
        }
        if (size < head || size > (uint64_t)(end - p))
            return NULL;
        if (memcmp(p + 4, type, 4) == 0) {
            *len = (size_t)size - head;
            return p + head;
        }
        p += size;
    }
    return NULL;
}

static int mediainfo_mp4(const unsigned char *data, size_t len)
{
    size_t moov_len, mvhd_len;
    const unsigned char *moov = mediainfo_mp4_box(data, data + len, "moov", &moov_len);
    const unsigned char *mvhd =
        moov ? mediainfo_mp4_box(moov, moov + moov_len, "mvhd", &mvhd_len) : NULL;
    if (!mvhd || mvhd_len < 20)
        return 0;
    if (mvhd[0] == 1) { /* version 1: 64-bit times and duration */
        if (mvhd_len < 32)
            return 0;
        uint64_t d = mediainfo_be(mvhd + 24, 8);
        return d == UINT64_MAX ? 0 : mediainfo_seconds(d, mediainfo_be(mvhd + 20, 4));
    }
    if (mvhd[0] != 0)
        return 0;
    uint64_t d = mediainfo_be(mvhd + 16, 4);
    return d == UINT32_MAX ? 0 : mediainfo_seconds(d, mediainfo_be(mvhd + 12, 4));
}

/* ------------------------------------------------------------------ WebM / Matroska (EBML) */

/* An EBML variable-length number at *p (before end): an element ID with its marker bits
 * kept (keep_marker), or a size without them; *unknown when a size has all its value bits
 * set.  Moves *p past it.  0, or -1 when it does not fit or is malformed. */
static int mediainfo_vint(const unsigned char **p, const unsigned char *end, int keep_marker,
                          uint64_t *out, int *unknown)
{
    if (*p >= end || **p == 0)
        return -1;
    size_t n = 1;
    while (!(**p & (0x80u >> (n - 1))))
        n++;
    if (n > 8 || (size_t)(end - *p) < n)
        return -1;
    uint64_t v = mediainfo_be(*p, n);
    uint64_t value_bits = (n * 7 >= 64) ? UINT64_MAX : (((uint64_t)1 << (n * 7)) - 1);
    if (!keep_marker) {
        v &= value_bits;
        if (unknown)
            *unknown = v == value_bits;
    }
    *p += n;
    *out = v;
    return 0;
}

#define EBML_SEGMENT 0x18538067u
#define EBML_INFO 0x1549A966u
#define EBML_TIMECODE_SCALE 0x2AD7B1u
#define EBML_DURATION 0x4489u

/* The element of id among those in [p, end) (descending into none): its payload and
 * length; an element of unknown size runs to end.  A container (cut: its file may end
 * inside it) is what there is of it; a value must be whole.  NULL when it is not there. */
static const unsigned char *mediainfo_ebml_find(const unsigned char *p, const unsigned char *end,
                                                uint64_t id, int cut, size_t *len)
{
    while (p < end) {
        uint64_t eid, size;
        int unknown = 0;
        if (mediainfo_vint(&p, end, 1, &eid, NULL) || mediainfo_vint(&p, end, 0, &size, &unknown))
            return NULL;
        if (unknown)
            size = (uint64_t)(end - p);
        if (size > (uint64_t)(end - p)) {
            if (eid != id || !cut)
                return NULL; /* it ends past the bytes given */
            size = (uint64_t)(end - p);
        }
        if (eid == id) {
            *len = (size_t)size;
            return p;
        }
        if (unknown)
            return NULL; /* nothing can be found after an element of unknown size */
        p += size;
    }
    return NULL;
}

static int mediainfo_webm(const unsigned char *data, size_t len)
{
    size_t seg_len, info_len, scale_len, dur_len;
    const unsigned char *seg = mediainfo_ebml_find(data, data + len, EBML_SEGMENT, 1, &seg_len);
    const unsigned char *info =
        seg ? mediainfo_ebml_find(seg, seg + seg_len, EBML_INFO, 0, &info_len) : NULL;
    if (!info)
        return 0;
    const unsigned char *dur =
        mediainfo_ebml_find(info, info + info_len, EBML_DURATION, 0, &dur_len);
    const unsigned char *scale =
        mediainfo_ebml_find(info, info + info_len, EBML_TIMECODE_SCALE, 0, &scale_len);
    uint64_t ns_per_tick = 1000000; /* Matroska's default: milliseconds */
    if (scale && scale_len >= 1 && scale_len <= 8)
        ns_per_tick = mediainfo_be(scale, scale_len);
    double ticks;
    if (dur && dur_len == 4) {
        uint32_t b = (uint32_t)mediainfo_be(dur, 4);
        float f;
        memcpy(&f, &b, sizeof f);
        ticks = f;
    } else if (dur && dur_len == 8) {
        uint64_t b = mediainfo_be(dur, 8);
        double d;
        memcpy(&d, &b, sizeof d);
        ticks = d;
    } else {
        return 0;
    }
    /* NaN, negative, or past a day: not believed */
    double s = ticks * (double)ns_per_tick / 1e9;
    if (!(s > 0) || s > MEDIAINFO_MAX_S)
        return 0;
    int whole = (int)(s + 0.5);
    return whole == 0 ? 1 : whole;
}

/* ------------------------------------------------------------------ the two */

int mediainfo_duration_s(const unsigned char *data, size_t len)
{
    if (!data || len < 8)
        return 0;
    if (memcmp(data + 4, "ftyp", 4) == 0)
        return mediainfo_mp4(data, len);
    if (memcmp(data, "\x1a\x45\xdf\xa3", 4) == 0)
        return mediainfo_webm(data, len);
    return 0;
}

int mediainfo_file_duration_s(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    int s = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
        void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            s = mediainfo_duration_s(m, (size_t)sb.st_size);
            munmap(m, (size_t)sb.st_size);
        }
    }
    close(fd);
    return s;
}
