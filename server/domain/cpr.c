#include "cpr.h"

#include <stddef.h>
#include <string.h>

/* Nothing in this file may print, log or format the number: it only ever moves between the
 * caller's buffers. */

static bool cpr_is_digit(char c)
{
    /* Not isdigit(): that depends on the locale, and only ASCII digits are CPR digits. */
    return c >= '0' && c <= '9';
}

static bool cpr_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int cpr_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && cpr_is_leap(y) ? 29 : days[m - 1];
}

/* The date of ten ASCII digits d[0..9] per the CPR office's century table; 0 or -1 when
 * DDMMYY is no real calendar date. */
static int cpr_date_of(const char d[10], int *year, int *month, int *day)
{
    int dd = (d[0] - '0') * 10 + (d[1] - '0');
    int mm = (d[2] - '0') * 10 + (d[3] - '0');
    int yy = (d[4] - '0') * 10 + (d[5] - '0');
    int seventh = d[6] - '0';
    int century;

    if (seventh <= 3)
        century = 1900;
    else if (seventh == 4 || seventh == 9)
        century = yy <= 36 ? 2000 : 1900;
    else
        century = yy <= 57 ? 2000 : 1800;

    int y = century + yy;
    if (mm < 1 || mm > 12 || dd < 1 || dd > cpr_days_in_month(y, mm))
        return -1;
    *year = y;
    *month = mm;
    *day = dd;
    return 0;
}

/* true when s is exactly ten ASCII digits, NUL-terminated, with a real date. */
static bool cpr_is_normalised(const char *s)
{
    int y, m, d;
    if (!s)
        return false;
    for (int i = 0; i < 10; i++)
        if (!cpr_is_digit(s[i])) /* stops at a NUL, so never reads past a short string */
            return false;
    return s[10] == '\0' && cpr_date_of(s, &y, &m, &d) == 0;
}

int cpr_normalise(const char *s, char out[11])
{
    char digits[11];
    size_t n = 0;

    if (!s)
        return -1;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (i == 6 && s[i] == '-' && n == 6)
            continue;
        if (n == 10 || !cpr_is_digit(s[i]))
            return -1;
        digits[n++] = s[i];
    }
    if (n != 10)
        return -1;
    digits[10] = '\0';
    if (!cpr_is_normalised(digits))
        return -1;
    memcpy(out, digits, sizeof digits);
    return 0;
}

bool cpr_is_valid(const char *s)
{
    char tmp[11];
    return cpr_normalise(s, tmp) == 0;
}

int cpr_birth_date(const char *cpr10, int *year, int *month, int *day)
{
    if (!cpr_is_normalised(cpr10))
        return -1;
    return cpr_date_of(cpr10, year, month, day);
}

void cpr_mask(const char *cpr10, char out[12])
{
    if (cpr_is_normalised(cpr10)) {
        memcpy(out, cpr10, 6);
        memcpy(out + 6, "-****", 6);
    } else {
        memcpy(out, "******-****", 12);
    }
}

bool cpr_within(const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (p > s && cpr_is_digit(p[-1]))
            continue; /* only from the start of a run of digits */
        char part[12];
        size_t n = 0;
        for (const char *q = p; *q && n < 11 && (cpr_is_digit(*q) || (*q == '-' && n == 6));
             q++)
            part[n++] = *q;
        part[n] = 0;
        for (size_t len = 10; len <= 11 && len <= n; len++) {
            char cand[12];
            memcpy(cand, part, len);
            cand[len] = 0;
            if (!cpr_is_digit(p[len]) && cpr_is_valid(cand))
                return true;
        }
    }
    return false;
}
