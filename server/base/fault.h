/* fault — named fault points for tests, compiled only into the test build.
 *
 * In the test build (-DVEJLED_TESTING, the sanitizer build that `make test` runs the HTTP
 * suite on) fault_point(name) kills the process with SIGKILL when the environment variable
 * VEJLED_FAULT equals name, so a test can stop the program at an exact place (e.g.
 * "after_channel_write": a delivery written but not yet recorded).  In the production
 * build fault_point() is an empty inline function and VEJLED_FAULT is never read.
 */
#ifndef VEJLED_FAULT_H
#define VEJLED_FAULT_H

#ifdef VEJLED_TESTING
/* Kills the process (SIGKILL) when VEJLED_FAULT is name; returns otherwise. */
void fault_point(const char *name);
#else
static inline void fault_point(const char *name)
{
    (void)name;
}
#endif

#endif
