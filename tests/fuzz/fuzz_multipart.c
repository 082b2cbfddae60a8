/* fuzz_multipart: the multipart/form-data parser (multipart.h) on any bytes.
 * Input: one byte picking max_parts, then the Content-Type header up to the first '\n'
 * (its boundary found by multipart_boundary), then the body.  Checks the documented
 * contract: on success no more than max_parts parts, each with a non-empty name, every
 * string NUL-terminated inside its array, every part's data inside the body, and
 * multipart_get finds the first part; on error the result is empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_terminated(const char *s)
{
    return memchr(s, '\0', MULTIPART_NAME_MAX) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max_parts = data[0] & 0x0f;
    data++;
    size--;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - data) : size;
    char *ct = malloc(ct_len + 1);
    if (!ct)
        return 0;
    memcpy(ct, data, ct_len);
    ct[ct_len] = '\0';
    /* the body in its own allocation of exactly its size, so ASan sees any overread */
    size_t body_len = nl ? size - ct_len - 1 : 0;
    char *body = malloc(body_len + 1);
    if (!body) {
        free(ct);
        return 0;
    }
    if (body_len)
        memcpy(body, nl + 1, body_len);
    body[body_len] = '\0'; /* the HTTP layer hands bodies NUL-terminated */
    char boundary[80];
    struct multipart m;
    memset(&m, 0, sizeof m);
    if (multipart_boundary(ct, boundary, sizeof boundary) != 0)
        goto out;
    if (strlen(boundary) == 0 || strlen(boundary) > 70)
        abort();
    if (multipart_parse(body, body_len, boundary, max_parts, &m) != 0) {
        if (m.n != 0 || m.parts != NULL)
            abort();
        goto out;
    }
    if (m.n > max_parts)
        abort();
    for (size_t i = 0; i < m.n; i++) {
        const struct multipart_part *p = &m.parts[i];
        if (!fuzz_terminated(p->name) || !fuzz_terminated(p->filename) ||
            !fuzz_terminated(p->content_type) || !p->name[0])
            abort();
        if (p->len && (p->data < body || p->data + p->len > body + body_len))
            abort();
    }
    if (m.n && multipart_get(&m, m.parts[0].name) != &m.parts[0])
        abort();
out:
    multipart_free(&m);
    free(body);
    free(ct);
    return 0;
}
