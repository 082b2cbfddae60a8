#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t clock_fixed;

int64_t clock_now(void)
{
    int64_t f = atomic_load(&clock_fixed);
    if (f)
        return f;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t clock_system(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

void clock_set_fixed(int64_t t)
{
    atomic_store(&clock_fixed, t);
}

void clock_init_display_zone(void)
{
    setenv("TZ", "Europe/Copenhagen", 1);
    tzset();
}

void clock_format_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN + 1])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, CLOCK_RFC3339_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int clock_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int clock_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && clock_is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n decimal digits. */
static int clock_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int64_t clock_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01 for a proleptic Gregorian date. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int clock_parse_ymd(const char **p, int *y, int *m, int *d)
{
    if (clock_digits(p, 4, y) || **p != '-')
        return -1;
    (*p)++;
    if (clock_digits(p, 2, m) || **p != '-')
        return -1;
    (*p)++;
    if (clock_digits(p, 2, d))
        return -1;
    if (*y < 1900 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > clock_days_in_month(*y, *m))
        return -1;
    return 0;
}

int clock_parse_date(const char *s, int64_t *out)
{
    int y, m, d;
    if (!s || clock_parse_ymd(&s, &y, &m, &d) || *s)
        return -1;
    *out = clock_days_from_civil(y, m, d) * 86400;
    return 0;
}

void clock_local_date(int64_t t, char out[CLOCK_DATE_LEN + 1])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, CLOCK_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

int64_t clock_local_day_start(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1; /* midnight's own offset, which the zone rules know */
    return (int64_t)mktime(&tm);
}

void clock_today(char out[CLOCK_DATE_LEN + 1])
{
    /* Copenhagen is a whole number of hours from UTC, so its day changes only where a UTC
     * hour begins: the day is kept for the rest of the hour it was worked out in */
    static _Thread_local char day[CLOCK_DATE_LEN + 1];
    static _Thread_local int64_t from, until;
    int64_t now = clock_now();
    if (now < from || now >= until || !day[0]) {
        clock_local_date(now, day);
        from = now - now % 3600;
        until = from + 3600;
    }
    memcpy(out, day, CLOCK_DATE_LEN + 1);
}

int clock_days_between(const char *a, const char *b)
{
    int64_t ta, tb;
    if (clock_parse_date(a, &ta) || clock_parse_date(b, &tb))
        return 0;
    return (int)((tb - ta) / 86400);
}

int clock_parse_rfc3339(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
    if (!s || clock_parse_ymd(&s, &y, &mo, &d))
        return -1;
    if (*s != 'T' && *s != 't')
        return -1;
    s++;
    if (clock_digits(&s, 2, &h) || *s++ != ':' || clock_digits(&s, 2, &mi) || *s++ != ':' ||
        clock_digits(&s, 2, &se))
        return -1;
    if (h > 23 || mi > 59 || se > 60)
        return -1;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return -1;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        sign = *s == '+' ? 1 : -1;
        s++;
        if (clock_digits(&s, 2, &oh) || *s++ != ':' || clock_digits(&s, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
    } else {
        return -1;
    }
    if (*s)
        return -1;
    if (se == 60)
        se = 59;
    int64_t t = clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    t -= sign * (oh * 3600 + om * 60);
    *out = t;
    return 0;
}

static const char *const clock_months_da[] = {"januar", "februar", "marts", "april", "maj",
                                              "juni", "juli", "august", "september",
                                              "oktober", "november", "december"};
static const char *const clock_months_en[] = {"January", "February", "March", "April",
                                              "May", "June", "July", "August",
                                              "September", "October", "November",
                                              "December"};

static void clock_format_local(int64_t t, const char *lang, int with_time, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    /* a language without month names here gets the unambiguous ISO form */
    if (lang && strcmp(lang, "da") != 0 && strcmp(lang, "en") != 0) {
        if (with_time)
            snprintf(out, n, "%d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min);
        else
            snprintf(out, n, "%d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return;
    }
    int da = !lang || strcmp(lang, "en") != 0;
    const char *month = (da ? clock_months_da : clock_months_en)[tm.tm_mon];
    if (da && with_time)
        snprintf(out, n, "%d. %s %d kl. %02d.%02d", tm.tm_mday, month, tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min);
    else if (da)
        snprintf(out, n, "%d. %s %d", tm.tm_mday, month, tm.tm_year + 1900);
    else if (with_time)
        snprintf(out, n, "%d %s %d, %02d:%02d", tm.tm_mday, month, tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min);
    else
        snprintf(out, n, "%d %s %d", tm.tm_mday, month, tm.tm_year + 1900);
}

/* clock_format_local() remembering its last answer per thread: a page asked for many times
 * a second shows the same meeting time each time (the zone's rules do not change while
 * the process runs). */
static void clock_format_remembered(int64_t t, const char *lang, int with_time, char *out,
                                    size_t n)
{
    static _Thread_local struct {
        int valid, with_time;
        int64_t t;
        char lang[16];
        char text[256];
    } last;
    if (!(last.valid && last.t == t && last.with_time == with_time &&
          strcmp(last.lang, lang) == 0)) {
        if (strlen(lang) >= sizeof last.lang) {
            clock_format_local(t, lang, with_time, out, n);
            return;
        }
        clock_format_local(t, lang, with_time, last.text, sizeof last.text);
        last.t = t;
        last.with_time = with_time;
        snprintf(last.lang, sizeof last.lang, "%s", lang);
        last.valid = 1;
    }
    snprintf(out, n, "%s", last.text);
}

void clock_format_human(int64_t t, const char *lang, char *out, size_t n)
{
    clock_format_remembered(t, lang, 1, out, n);
}

void clock_format_human_date(int64_t t, const char *lang, char *out, size_t n)
{
    clock_format_remembered(t, lang, 0, out, n);
}

int clock_format_human_day(const char *day, const char *lang, char *out, size_t n)
{
    int64_t t;
    if (n)
        out[0] = '\0';
    if (!day || clock_parse_date(day, &t) != 0)
        return -1;
    /* midnight UTC of the day is the same day in Copenhagen */
    clock_format_human_date(t, lang, out, n);
    return 0;
}

int64_t clock_add_months(int64_t t, int months)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int total = tm.tm_mon + months;
    int year = tm.tm_year + 1900 + (total >= 0 ? total / 12 : (total - 11) / 12);
    int mon = ((total % 12) + 12) % 12;
    int dim = clock_days_in_month(year, mon + 1);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    if (tm.tm_mday > dim)
        tm.tm_mday = dim;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}
