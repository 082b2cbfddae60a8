/* fuzz_tmpl: the template compiler and renderer (tmpl.h).  The input is a template
 * source, optionally followed by a NUL and a JSON context.  It is added both as "page"
 * and as the partial "p", so recursion and partials are exercised; a compile error is
 * fine, a crash, leak or unbounded recursion is not.  Plain {{x}} output must never
 * carry a raw '<' from the context. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_ctx[] =
    "{\"a\":\"<x>\",\"n\":3,\"t\":true,\"f\":false,\"l\":[1,{\"a\":\"y\"},[]],"
    "\"o\":{\"b\":{\"c\":\"&\"}},\"e\":\"\",\"z\":null,\"kids\":[]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    size_t src_len = size;
    const uint8_t *nul = memchr(data, 0, size);
    json_t *ctx = NULL;
    if (nul) {
        src_len = (size_t)(nul - data);
        ctx = json_loadb((const char *)nul + 1, size - src_len - 1, JSON_DECODE_ANY, NULL);
    }
    if (!ctx)
        ctx = json_loads(default_ctx, 0, NULL);
    tmpl_set *set = tmpl_set_new();
    char err[128];
    int ok_page = tmpl_set_add(set, "page", src, src_len, err, sizeof err) == 0;
    tmpl_set_add(set, "p", src, src_len, err, sizeof err);
    const char safe[] = "[{{a}}]{{#l}}{{a}}{{/l}}{{> p}}";
    if (tmpl_set_add(set, "safe", safe, sizeof safe - 1, err, sizeof err) != 0)
        abort();
    struct buf out = {0};
    if (ok_page)
        tmpl_render(set, "page", ctx, &out);
    buf_free(&out);
    buf_init(&out);
    if (tmpl_render(set, "safe", ctx, &out) == 0 && out.len >= 2 && out.data[0] == '[') {
        /* the escaped {{a}} part, up to the first ']' we wrote, holds no raw '<' */
        const char *close = memchr(out.data, ']', out.len);
        if (close && memchr(out.data, '<', (size_t)(close - out.data)))
            abort();
    }
    buf_free(&out);
    tmpl_set_free(set);
    json_decref(ctx);
    return 0;
}
