/* clock — the one source of time.
 *
 * Every time the service stores is UTC seconds since the epoch; every time a person reads
 * is shown in Europe/Copenhagen.  Nothing else in the code calls time(): tests and
 * `vejled jobs run --now` set a fixed time here, so that "six months after the first
 * meeting" is tested without waiting.
 */
#ifndef VEJLED_CLOCK_H
#define VEJLED_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_RFC3339_LEN 20 /* "2026-12-01T09:00:00Z" */

/* Now, in UTC seconds: the fixed time if one is set, else the system clock. */
int64_t clock_now(void);

/* The system clock, whatever time is fixed: only for a time another system checks against
 * its own clock (the webhook's signed timestamp), never for what vejled stores or plans. */
int64_t clock_system(void);

/* Fixes the clock at t (UTC seconds); 0 returns to the system clock.  Thread-safe. */
void clock_set_fixed(int64_t t);

/* Sets the process time zone used for display (Europe/Copenhagen); call once at start. */
void clock_init_display_zone(void);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ". */
void clock_format_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN + 1]);

/* Parses an RFC 3339 date-time ("2026-12-01T09:00:00Z", "…T10:00:00+01:00", optional
 * fraction, 't'/'z' accepted) into UTC seconds.  Returns 0 or -1 (invalid calendar dates
 * such as 2026-02-30 are invalid). */
int clock_parse_rfc3339(const char *s, int64_t *out);

/* Parses "YYYY-MM-DD" as midnight UTC of that day.  0 or -1. */
int clock_parse_date(const char *s, int64_t *out);

#define CLOCK_DATE_LEN 10 /* "2026-12-01" */

/* The Copenhagen calendar day of t as "YYYY-MM-DD". */
void clock_local_date(int64_t t, char out[CLOCK_DATE_LEN + 1]);

/* The start (midnight) of t's Copenhagen calendar day, in UTC seconds. */
int64_t clock_local_day_start(int64_t t);

/* Today's Copenhagen calendar day (clock_now()) as "YYYY-MM-DD": worked out again only
 * when the day may have changed, so cheap enough for every page (per thread). */
void clock_today(char out[CLOCK_DATE_LEN + 1]);

/* Whole days from day a to day b ("YYYY-MM-DD" both): negative when b is before a.  0 when
 * either is not a date. */
int clock_days_between(const char *a, const char *b);

/* Writes t as Copenhagen wall time for people: lang "da" (or NULL) → "1. december 2026
 * kl. 10.00", "en" → "1 December 2026, 10:00", any other language → "2026-12-01 10:00"
 * (no month names here for it).  out gets at most n bytes. */
void clock_format_human(int64_t t, const char *lang, char *out, size_t n);

/* Like clock_format_human() without the time of day. */
void clock_format_human_date(int64_t t, const char *lang, char *out, size_t n);

/* A day written "YYYY-MM-DD" as clock_format_human_date() writes it: 0, or -1 (out "")
 * when day is NULL or not a day. */
int clock_format_human_day(const char *day, const char *lang, char *out, size_t n);

/* Adds months to t in Copenhagen wall time (keeps the time of day; the 31st becomes the
 * last day of a shorter month; DST is handled by the zone rules). */
int64_t clock_add_months(int64_t t, int months);

#endif
