/* cpr — Danish civil registration numbers (CPR).
 *
 * A CPR number is DDMMYY-SSSS.  Since 2007 the modulus-11 check no longer holds for every
 * number, so validity is: exactly ten digits (an optional single '-' after the sixth is
 * accepted on input) whose first six are a real calendar date, the century following from
 * the seventh digit as the CPR office defines it:
 *   7th digit 0-3 → 1900s;  4 or 9 → 2000s if YY <= 36, else 1900s;
 *   5-8 → 2000s if YY <= 57, else 1800s.
 * The number is personal data of the highest care: these functions never log or print it.
 */
#ifndef VEJLED_CPR_H
#define VEJLED_CPR_H

#include <stdbool.h>

/* Writes the ten digits of a valid CPR (with or without the dash) to out (NUL-terminated)
 * and returns 0; returns -1 (out untouched) when s is not a valid CPR.  s may be NULL. */
int cpr_normalise(const char *s, char out[11]);

/* true when cpr_normalise() would accept s. */
bool cpr_is_valid(const char *s);

/* true when s holds a valid CPR number anywhere in it (ten digits, or six, a dash and four,
 * not part of a longer run of digits): a free-text field that the journal keeps for good
 * must not carry one.  NULL is false. */
bool cpr_within(const char *s);

/* The birth date of a normalised CPR: 0 and *year (4 digits) *month *day, or -1 (outputs
 * untouched) when cpr10 is NULL or not ten digits with a real date. */
int cpr_birth_date(const char *cpr10, int *year, int *month, int *day);

/* "DDMMYY-****" for a normalised CPR: out gets 11 characters and the NUL.  Anything else
 * (NULL, a dash, not a real date) gives "******-****", so nothing half-checked shows. */
void cpr_mask(const char *cpr10, char out[12]);

#endif
