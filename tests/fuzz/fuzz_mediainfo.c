/* fuzz_mediainfo: a video file's length read from its container header (mediainfo.h).  The
 * bytes are the file: never a read outside them, and a length within 0..MEDIAINFO_MAX_S.
 * Half of the inputs get an MP4 'ftyp' or a WebM EBML mark in front, so that the parsers
 * behind them are reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mediainfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int s = mediainfo_duration_s(data, size);
    if (s < 0 || s > MEDIAINFO_MAX_S)
        abort();
    if (size < 1)
        return 0;
    /* the same bytes behind a container's mark: an exact-size copy, so ASan sees any overread */
    static const unsigned char mp4[8] = {0, 0, 0, 8, 'f', 't', 'y', 'p'};
    static const unsigned char webm[4] = {0x1a, 0x45, 0xdf, 0xa3};
    const unsigned char *mark = data[0] & 1 ? mp4 : webm;
    size_t mlen = data[0] & 1 ? sizeof mp4 : sizeof webm;
    unsigned char *buf = malloc(mlen + size - 1);
    if (!buf)
        return 0;
    memcpy(buf, mark, mlen);
    memcpy(buf + mlen, data + 1, size - 1);
    s = mediainfo_duration_s(buf, mlen + size - 1);
    free(buf);
    if (s < 0 || s > MEDIAINFO_MAX_S)
        abort();
    return 0;
}
