/* fault — test-only fault points (fault.h).  Compiled to nothing without VEJLED_TESTING. */
#include "fault.h"

#ifdef VEJLED_TESTING

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fault_point(const char *name)
{
    const char *f = getenv("VEJLED_FAULT");
    if (f && strcmp(f, name) == 0) {
        fprintf(stderr, "vejled: fault injected: %s\n", name);
        fflush(stderr);
        raise(SIGKILL);
    }
}

int fault_disk_full(enum fault_disk which)
{
    const char *flag = getenv("VEJLED_TEST_DISK_FULL");
    const char *scope = getenv("VEJLED_TEST_DISK_FULL_SCOPE");
    if (!flag || !*flag)
        return 0;
    if (scope && *scope &&
        strcmp(scope, which == FAULT_DISK_DATABASE ? "database" : "files") != 0)
        return 0;
    return access(flag, F_OK) == 0;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int fault_unused;
#endif
