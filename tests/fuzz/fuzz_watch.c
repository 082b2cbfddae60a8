/* fuzz_watch: the player report's range parser and the merge (watch.h).  The input is two
 * range lists separated by '|': what is stored, then a report.  Merged ranges must stay
 * sorted, disjoint, within the duration and under the cap; a refusal changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *report = strchr(text, '|');
    if (report)
        *report++ = '\0';
    struct model_range stored[WATCH_REPORT_MAX + CAP], add[WATCH_REPORT_MAX], seeks[WATCH_REPORT_MAX];
    size_t n = 0, n_add = 0, n_seeks = 0;
    const int64_t duration = 60000;
    if (watch_parse_ranges(text, false, add, WATCH_REPORT_MAX, &n_add) == 0) {
        for (size_t i = 0; i < n_add; i++)
            if (add[i].a > add[i].b)
                abort();
        watch_merge(stored, &n, CAP, add, n_add, duration);
    }
    if (report && watch_parse_ranges(report, false, add, WATCH_REPORT_MAX, &n_add) == 0) {
        struct model_range before[CAP];
        size_t n_before = n;
        memcpy(before, stored, n * sizeof *stored);
        enum watch_merge m = watch_merge(stored, &n, CAP, add, n_add, duration);
        if (m != WATCH_MERGED && (n != n_before || memcmp(before, stored, n * sizeof *stored)))
            abort();
    }
    for (size_t i = 0; i < n; i++) {
        if (stored[i].a < 0 || stored[i].b <= stored[i].a || stored[i].b > duration)
            abort();
        if (i && stored[i].a <= stored[i - 1].b + WATCH_JOIN_MS)
            abort();
    }
    if (n > CAP || watch_covered_ms(stored, n) > duration)
        abort();
    if (report && watch_parse_ranges(report, true, seeks, WATCH_REPORT_MAX, &n_seeks) == 0)
        for (size_t i = 0; i < n_seeks; i++)
            (void)watch_seek_skips(stored, n, seeks[i].a, seeks[i].b);
    free(text);
    return 0;
}
