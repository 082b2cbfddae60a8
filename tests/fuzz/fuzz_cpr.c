/* fuzz_cpr: the CPR validator (cpr.h).  Whatever is accepted normalises to ten digits
 * with a real birth date, is accepted again in its normalised form, and masks to
 * "DDMMYY-****". */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[64];
    if (size >= sizeof s)
        size = sizeof s - 1;
    memcpy(s, data, size);
    s[size] = '\0';
    char out[11], again[11], mask[12];
    memset(out, 'x', sizeof out);
    int rc = cpr_normalise(s, out);
    if ((rc == 0) != cpr_is_valid(s))
        abort();
    cpr_mask(s, mask); /* any input: must not crash, always 11 characters */
    if (strlen(mask) != 11)
        abort();
    if (rc != 0) {
        if (out[0] != 'x')
            abort(); /* out untouched on failure */
        return 0;
    }
    if (strlen(out) != 10)
        abort();
    for (int i = 0; i < 10; i++)
        if (!isdigit((unsigned char)out[i]))
            abort();
    if (cpr_normalise(out, again) != 0 || strcmp(out, again) != 0)
        abort();
    int y, m, d;
    if (cpr_birth_date(out, &y, &m, &d) != 0 || y < 1858 || y > 2057 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        abort();
    cpr_mask(out, mask);
    if (memcmp(mask, out, 6) != 0 || strcmp(mask + 6, "-****") != 0)
        abort();
    return 0;
}
