/* fuzz_form: the urlencoded form parser (form.h) on any bytes.
 * The first byte picks the limits, so the TOO_MANY and TOO_LONG paths are reached too.
 * Checks the documented contract: on success every name is non-empty, no field holds a
 * NUL, and form_get finds the first field; on error the form is empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max_fields = 64, max_len = 1024;
    if (size > 0) {
        max_fields = data[0] & 0x0f;
        max_len = (size_t)(data[0] >> 4) * 16;
        data++;
        size--;
    }
    struct form f;
    memset(&f, 0, sizeof f);
    enum form_status rc = form_parse((const char *)data, size, max_fields, max_len, &f);
    if (rc != FORM_OK) {
        if (f.n != 0 || f.fields != NULL)
            abort();
        return 0;
    }
    if (f.n > max_fields)
        abort();
    for (size_t i = 0; i < f.n; i++) {
        if (!f.fields[i].name[0] || strlen(f.fields[i].name) > max_len ||
            strlen(f.fields[i].value) > max_len)
            abort();
    }
    if (f.n && form_get(&f, f.fields[0].name) != f.fields[0].value)
        abort();
    const char *vals[4];
    if (f.n && form_get_all(&f, f.fields[0].name, vals, 4) == 0)
        abort();
    form_free(&f);
    return 0;
}
