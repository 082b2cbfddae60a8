/* mediainfo — a video file's length, read from its container's own header: the MP4 movie
 * header ('moov' > 'mvhd': duration ÷ timescale) or the WebM/Matroska segment information
 * (Segment > Info: Duration × TimecodeScale).  Nothing is decoded; every length and offset
 * is checked against the bytes given. */
#ifndef VEJLED_MEDIAINFO_H
#define VEJLED_MEDIAINFO_H

#include <stddef.h>

/* Longest length told, in seconds (a day): a header that says more is not believed. */
#define MEDIAINFO_MAX_S 86400

/* The length in whole seconds (rounded to the nearest, at least 1 for any length above
 * zero) of the MP4 or WebM file in data[0..len), or 0 when the bytes do not tell it (not
 * such a file, a header cut short, no or an unknown duration, more than MEDIAINFO_MAX_S). */
int mediainfo_duration_s(const unsigned char *data, size_t len);

/* The same for the file at path (read whole; 0 when it cannot be read). */
int mediainfo_file_duration_s(const char *path);

#endif
