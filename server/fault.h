/* fault — named fault points for tests, compiled only into the test build.
 *
 * In the test build (-DVEJLED_TESTING, the sanitizer build that `make test` runs the HTTP
 * suite on) fault_point(name, detail) kills the process with SIGKILL when the environment
 * variable VEJLED_FAULT is name, or "name:detail", so a test can stop the program at an
 * exact place (e.g. "after_channel_write": a delivery written but not yet recorded;
 * "after_channel_write:smtp": only after the SMTP channel's).  In the production build
 * fault_point() is an empty inline function and VEJLED_FAULT is never read.
 */
#ifndef VEJLED_FAULT_H
#define VEJLED_FAULT_H

#ifdef VEJLED_TESTING
/* Kills the process (SIGKILL) when VEJLED_FAULT is name or "name:detail" (detail may be
 * NULL: then only name); returns otherwise. */
void fault_point(const char *name, const char *detail);
#else
static inline void fault_point(const char *name, const char *detail)
{
    (void)name;
    (void)detail;
}
#endif

#endif
