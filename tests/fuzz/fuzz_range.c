/* fuzz_range: the Range header parser (range.h).  The first 8 bytes are the
 * representation's size, the rest the header.  RANGE_OK must give first <= last < size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t rsize = 0;
    if (size >= 8) {
        memcpy(&rsize, data, 8);
        data += 8;
        size -= 8;
    }
    if (size & 1) /* half of the inputs use a small, realistic size */
        rsize %= 100000;
    char *h = malloc(size + 1);
    memcpy(h, data, size);
    h[size] = '\0';
    uint64_t first = 7, last = 7;
    enum range_result r = range_parse(h, rsize, &first, &last);
    if (r == RANGE_OK && (first > last || last >= rsize))
        abort();
    if (r != RANGE_OK && (first != 7 || last != 7))
        abort();
    if (!*h && r != RANGE_NONE)
        abort();
    free(h);
    return 0;
}
