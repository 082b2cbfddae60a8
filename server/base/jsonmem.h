/* jsonmem — jansson's allocator, with a per-thread arena for one request's page JSON.
 *
 * A page is rendered from a tree of a few hundred small JSON values that lives exactly as
 * long as the request.  Allocating each from malloc and freeing each again cost about a
 * fifth of a page's CPU (and malloc's arena locks, shared by many worker threads).  So
 * between jsonmem_begin() and jsonmem_end() on a thread, jansson's allocations come from
 * that thread's arena (bump allocation; free is a no-op), and jsonmem_end() takes the
 * whole arena back at once.  Outside that span, and for large values, allocations go to
 * malloc as before.
 *
 * Arena chunks are carved from one reserved address range, so a free can tell an arena
 * block (nothing to do) from a malloc'd one (free()) by its address alone, on any thread
 * at any time; outside a span jansson's memory is plain malloc memory (json_dumps text
 * may be freed with free()).  What must not happen is USING an arena value after
 * jsonmem_end() on its thread, or free()ing jansson-allocated text made inside a span:
 * a span may only hold values that do not outlive it (it is for handlers that build a
 * page and keep nothing).  Under AddressSanitizer the arena is poisoned when taken back,
 * so a use after the span is caught by the tests.
 *
 * jsonmem_install() must run before the first jansson call of the process (jansson
 * requires that its allocator is not changed while values exist).  Without it begin and
 * end do nothing.
 */
#ifndef VEJLED_JSONMEM_H
#define VEJLED_JSONMEM_H

/* Makes jansson allocate through this module.  Once, first thing in main. */
void jsonmem_install(void);

/* From here until jsonmem_end() on this thread, jansson's small allocations come from the
 * thread's arena.  Not nested: a begin inside a span does nothing. */
void jsonmem_begin(void);

/* Ends the span and takes the arena back (every arena value of the span is gone). */
void jsonmem_end(void);

/* Inside a span, values that must outlive it (a pack loaded into the process-wide content
 * cache) are made between jsonmem_pause() and jsonmem_resume(paused), from malloc; the
 * span's arena values made before stay valid.  jsonmem_pause returns whether a span was
 * active (pass it to jsonmem_resume); outside a span both do nothing. */
int jsonmem_pause(void);
void jsonmem_resume(int paused);

#endif
