/* prerender — whether pages may be served from what was rendered before.
 *
 * The citizen pages are partly made once and reused: each language's strings are rendered
 * into a copy of the templates (tmpl_set_bind), and a pack version's texts in a language
 * are kept as made (h_citizen.c); what a page reads is remembered while nothing changes
 * (store_remember, on the page threads' connections).  The environment variable
 * VEJLED_NO_PRERENDER=1, read once, turns all of that off: every page is then made from
 * scratch, from what the database says.  It exists for the
 * test that proves both ways give the same bytes (tests/http/prerender.test.mjs); a
 * server has no reason to set it.
 */
#ifndef VEJLED_PRERENDER_H
#define VEJLED_PRERENDER_H

/* 1 unless VEJLED_NO_PRERENDER is set to anything but "" or "0". */
int prerender_enabled(void);

#endif
