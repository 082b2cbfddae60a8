/* db_pg — the PostgreSQL engine behind db.h (libpq).  Being written: until then a
 * postgresql:// target is refused with a clear message. */
#include "db.h"
#include "db_engine.h"

#include <stdio.h>

int db_pg_open(const char *url, unsigned busy_ms, struct db **out, char *err, size_t errlen)
{
    (void)url;
    (void)busy_ms;
    *out = NULL;
    snprintf(err, errlen, "this build has no PostgreSQL support yet");
    return -1;
}
