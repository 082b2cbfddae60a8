#include "prerender.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t prerender_once = PTHREAD_ONCE_INIT;
static int prerender_on = 1;

static void prerender_read(void)
{
    const char *v = getenv("VEJLED_NO_PRERENDER");
    prerender_on = !(v && *v && strcmp(v, "0") != 0);
}

int prerender_enabled(void)
{
    pthread_once(&prerender_once, prerender_read);
    return prerender_on;
}
