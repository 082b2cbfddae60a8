/* tmpl — a small mustache-like HTML template renderer.
 *
 * Debian packages no C mustache library, so this is ours.  Templates are compiled once
 * (at start-up) into a token list and rendered many times against a jansson value as the
 * context.  Templates know nothing of HTTP or SQL: a handler builds a json_t and asks for a
 * page by name.
 *
 * Syntax (a subset of mustache, with the one rule that matters for safety: plain output
 * always escapes):
 *   {{name}}              value, HTML-escaped (& < > " ' are escaped)
 *   {{{name}}}            value, raw: visibly different, used only for trusted HTML
 *   {{#name}}…{{/name}}   section: array → once per element (element pushed as context);
 *                         object (even {}) → once with it pushed; true / non-empty string /
 *                         non-zero number → once with it pushed (so {{.}} shows it);
 *                         false, null, missing, [], "", 0 and 0.0 → skipped
 *   {{^name}}…{{/name}}   inverted section: rendered exactly when {{#name}} would not be
 *   {{> name}}            partial: another template of the same set, same context
 *   {{! comment }}        nothing
 *   {{.}}                 the current context value itself
 * Names may be dotted (a.b.c); the first part is looked up from the innermost context
 * outward, the rest inside it.  Strings render as is, integers in decimal, reals with %g,
 * true as "true"; null, false, missing, objects and arrays render as nothing.
 * Whitespace inside tags is ignored ({{ name }} == {{name}}).  A name is letters, digits,
 * '_', '-' and UTF-8 bytes, in parts joined by '.'; a partial name may also hold '/' and '.'.
 * Text outside tags is copied byte for byte (no mustache "standalone line" trimming).
 * Because lookups walk outward, a recursive partial over a tree needs every leaf to carry
 * its own empty list ("kids": []), or it finds its parent's list and hits the depth limit.
 *
 * Compiling is for start-up; once the set is built, any number of threads may render
 * from it at once (rendering only reads the set and allocates nothing but output).
 */
#ifndef VEJLED_TMPL_H
#define VEJLED_TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

typedef struct tmpl_set tmpl_set;

/* A new, empty set; free with tmpl_set_free(). */
tmpl_set *tmpl_set_new(void);

/* Compiles src (len bytes, need not be NUL-terminated; copied) under name (copied).
 * Replaces a template of the same name.  Returns 0, or -1 with "name:line: message" in err
 * (unclosed tag, unclosed, stray or mismatched section close, empty or invalid name,
 * sections nested deeper than 32); on error an existing template of that name stays.
 * err may be NULL; the message is cut to errlen. */
int tmpl_set_add(tmpl_set *set, const char *name, const char *src, size_t len,
                 char *err, size_t errlen);

/* Loads every *.html file below dir (recursively) under its path relative to dir without
 * the extension ("citizen/video" for dir/citizen/video.html).  Names starting with '.' are
 * skipped.  Returns 0 or -1 with err; after an error the set keeps what loaded so far. */
int tmpl_set_load_dir(tmpl_set *set, const char *dir, char *err, size_t errlen);

/* 1 when the set holds a template of that name. */
int tmpl_set_has(const tmpl_set *set, const char *name);

/* Renders template name with ctx (borrowed; may be NULL) appended to out.
 * Returns 0, or -1 for an unknown template/partial or partials nested deeper than 16
 * (out may then hold a partial rendering). */
int tmpl_render(const tmpl_set *set, const char *name, const json_t *ctx, struct buf *out);

/* Binds a value that the root context's member key will hold, as the same pointer, in
 * many renders (a language's strings under "t").  A template rendered with such a root is
 * rendered from a copy in which every {{key.a.b}} and {{{key.a.b}}} is already its text and
 * sections over key.a.b that never or always render are decided: the same bytes, fewer
 * lookups.  The copy of a template is made the first time it is rendered for that value
 * (under a lock; afterwards read without one), so memory goes to the pages actually shown
 * in each language.  This relies on key being a member of the root only: no object pushed
 * by a section may have a member named key (a lookup would find that one first).  value
 * must not change and must outlive the set; after the first bind the set takes no more
 * templates (tmpl_set_add fails).  One key per set, any number of values.  Bind at
 * start-up, before rendering.  0, or -1 (no set, an empty or dotted key, another key). */
int tmpl_set_bind(tmpl_set *set, const char *key, const json_t *value);

/* A template pre-rendered against the part of its context that is the same for many
 * renders (tmpl_prerender). */
typedef struct tmpl_pre tmpl_pre;

/* A hole in a fixed context (tmpl_prerender): a value known only when rendering, as the
 * member name of the root context then.  A hole's value must be a scalar (a string, a
 * number, true, false or null; missing is false).  A new reference. */
json_t *tmpl_hole(const char *name);

/* Pre-renders template name of set (the copy bound to bound, tmpl_set_bind, or NULL)
 * against fixed, an object whose values are the same for many renders, with holes for the
 * values that are not.  Every lookup that fixed answers becomes text (sections over fixed
 * arrays are unrolled); lookups of holes and of names fixed does not have stay.
 * tmpl_pre_render(pre, ctx) then gives exactly what tmpl_render gives for the root
 * context fixed + ctx (ctx's members beside fixed's, every hole's value as ctx's member of
 * the hole's name), provided fixed's root and ctx have no member name in common.  NULL when
 * the template cannot be pre-rendered so that this holds (a name that a value known only
 * when rendering might answer before a fixed one, an array element that is a hole, an
 * unknown partial): render it as usual then.  fixed is kept (a reference is taken); it and
 * the set must outlive the result, which any number of threads may render at once. */
tmpl_pre *tmpl_prerender(const tmpl_set *set, const char *name, const json_t *bound,
                         json_t *fixed);

/* Renders pre with ctx (the values of the holes and the members fixed has not) appended to
 * out; set is the one pre was made from.  0 or -1 as tmpl_render. */
int tmpl_pre_render(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx, struct buf *out);
/* The same with the root member `name` given as raw_len bytes at raw instead of a string
 * in ctx (which must not have that member): a {{{name}}} that would have found the root's
 * member gets the bytes unescaped, without copying them into a JSON string first (a page's
 * body into its layout).  Only for names the template uses as {{{name}}} alone. */
int tmpl_pre_render_raw(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx,
                        const char *name, const char *raw, size_t raw_len, struct buf *out);

/* Holes filled by position: a pre-rendered template numbers its holes 0, 1, … in the order
 * they first occur, and a render may give their values as an array in that order instead
 * of as members of a JSON object (no object to build, no name to look up per hole). */
size_t tmpl_pre_holes(const tmpl_pre *pre);
/* The name of hole i (i < tmpl_pre_holes(pre)), as given to tmpl_hole; owned by pre. */
const char *tmpl_pre_hole_name(const tmpl_pre *pre, size_t i);

/* A hole's value given by position: what the root member of the hole's name would hold.
 * Zeroed is missing (false). */
enum tmpl_val_kind { TMPL_VAL_MISSING = 0, TMPL_VAL_TRUE, TMPL_VAL_INT, TMPL_VAL_STR };
struct tmpl_val {
    enum tmpl_val_kind kind;
    long long i;   /* TMPL_VAL_INT */
    const char *s; /* TMPL_VAL_STR: len bytes of UTF-8, borrowed for the render */
    size_t len;
};

/* tmpl_pre_render_raw with the holes' values by position: vals[i] is the value of hole i
 * (tmpl_pre_hole_name), tmpl_pre_holes(pre) of them; the root members that are not holes
 * come from ctx (borrowed; NULL: none).  The same bytes as tmpl_pre_render_raw with a ctx
 * that has every hole's value as the member of its name.  raw_name may be NULL. */
int tmpl_pre_render_at(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx,
                       const struct tmpl_val *vals, const char *raw_name, const char *raw,
                       size_t raw_len, struct buf *out);

void tmpl_pre_free(tmpl_pre *pre);

/* Appends s (len bytes) to out with & < > " ' escaped. */
void tmpl_escape_html(struct buf *out, const char *s, size_t len);

/* Frees the set and every template in it.  NULL is fine. */
void tmpl_set_free(tmpl_set *set);

#endif
