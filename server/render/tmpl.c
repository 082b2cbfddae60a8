#include "tmpl.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"

/* How it works.
 *
 * tmpl_set_add() copies the source once and compiles it into a flat array of nodes.  Text
 * nodes point into that copy; tag names are cut out of it in place (the closing brace and
 * the dots of a dotted name are overwritten with NULs), so a compiled template is exactly
 * two allocations and rendering needs none of its own.  A section node records the index
 * just past its body, so the renderer walks [i + 1, end) for the body and jumps to end to
 * skip it; there are no close nodes.
 *
 * Rendering keeps a stack of context values on the C stack.  Sections are at most 32 deep
 * per template and partials at most 16 deep, so the stack has a fixed, small bound.
 * Partials are looked up by name at render time (their name hash is computed at compile
 * time), which is why templates may be added in any order.  Rendering only reads the set,
 * so any number of threads may render at once while nobody adds or frees.
 */

#define TMPL_MAX_SECTIONS 32
#define TMPL_MAX_PARTIALS 16
#define TMPL_MAX_DIR_DEPTH 16
#define TMPL_STACK_MAX (1 + (TMPL_MAX_PARTIALS + 1) * TMPL_MAX_SECTIONS)
/* names of a pre-rendered template whose root lookups are remembered per render */
#define TMPL_MEMO_MAX 255

enum tmpl_op { TMPL_TEXT, TMPL_VAR, TMPL_RAW, TMPL_SECTION, TMPL_INVERTED, TMPL_PARTIAL };

struct tmpl_node {
    enum tmpl_op op;
    unsigned nparts;   /* VAR, RAW, SECTION, INVERTED: parts of a dotted name; 0 is "." */
    size_t end;        /* SECTION, INVERTED: index of the first node after the body */
    const char *str;   /* TEXT: the bytes; others: the name, parts NUL-separated */
    size_t len;        /* TEXT: byte count; VAR, RAW, SECTION, INVERTED: the first part's */
    uint64_t hash;     /* PARTIAL: tmpl_hash_name() of the name */
    int root;          /* VAR, RAW, SECTION, INVERTED: looked up in the root context only
                          (a hole of a pre-rendered template, tmpl_prerender) */
    unsigned slot;     /* a pre-rendered template's lookups of a name it looks up more than
                          once: that name's number, 1 to TMPL_MEMO_MAX; 0: none */
    unsigned hole;     /* a pre-rendered template's hole: its number + 1, the index of its
                          value given by position (tmpl_pre_render_at); 0: none */
};

struct tmpl {
    char *name;
    uint64_t hash;
    char *src;                /* the source copy the nodes point into */
    struct tmpl_node *nodes;
    size_t count;
    size_t cap;
};

struct tmpl_variant;

struct tmpl_set {
    struct tmpl **slots;      /* open addressing, linear probing; cap is a power of two */
    size_t cap;
    size_t count;
    char *bind_key;           /* tmpl_set_bind(): the root member the variants are for */
    struct tmpl_variant *variants;
    size_t n_variants;
    pthread_mutex_t spec_lock; /* taken to make a variant's template */
};

/* The set pre-rendered for one bound value (tmpl_set_bind): spec[i] is the template of
 * slots[i] with the value rendered in, made when first rendered (so a language's copy
 * holds only the pages shown in it). */
struct tmpl_variant {
    const json_t *value;
    _Atomic(struct tmpl *) *spec; /* cap entries */
};

/* A section opened and not yet closed, while compiling. */
struct tmpl_open {
    size_t node;
    size_t name_off;
    size_t name_len;
    unsigned line;
};

struct tmpl_render_state {
    const tmpl_set *set;
    struct tmpl_variant *var; /* NULL: the templates as compiled */
    struct buf *out;
    size_t depth;
    int partials;
    const json_t *stack[TMPL_STACK_MAX];
    /* tmpl_pre_render_raw: a root member given as bytes instead of a JSON string */
    const char *raw_name, *raw;
    size_t raw_len;
    /* a pre-rendered template's lookups that only the root answers, by slot: the root does
     * not change while rendering, so a name found (or not) once is the same answer for the
     * rest of the render (the overview asks for one member eleven times); the compiled
     * templates' nodes have no slots, so a plain render never reads these */
    uint64_t memo_have[(TMPL_MEMO_MAX + 64) / 64]; /* a bit per slot */
    const json_t *memo[TMPL_MEMO_MAX + 1];
    /* tmpl_pre_render_at: the holes' values by number (NULL: holes are looked up by name);
     * a section over one pushes tmpl_scalar_mark, and its value at the same depth here */
    const struct tmpl_val *vals;
    const struct tmpl_val *vstack[TMPL_STACK_MAX];
};

struct tmpl_walk {
    tmpl_set *set;
    struct buf path;
    size_t root_len;
    char *err;
    size_t errlen;
};

static void tmpl_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void tmpl_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* FNV-1a, 64 bit. */
static uint64_t tmpl_hash_name(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void tmpl_free_one(struct tmpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->src);
    free(t->nodes);
    free(t);
}

/* ---- compiling ------------------------------------------------------------------------ */

static struct tmpl_node *tmpl_push_node(struct tmpl *t, enum tmpl_op op)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
    }
    struct tmpl_node *n = &t->nodes[t->count++];
    memset(n, 0, sizeof *n);
    n->op = op;
    return n;
}

static unsigned tmpl_count_lines(const char *s, size_t len)
{
    unsigned n = 0;
    const char *end = s + len;
    while (s < end && (s = memchr(s, '\n', (size_t)(end - s)))) {
        n++;
        s++;
    }
    return n;
}

static int tmpl_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Letters, digits, '_', '-' and any byte of a UTF-8 sequence; partial names also '/' and
 * '.'. */
static int tmpl_is_name_char(char c, int partial)
{
    unsigned char u = (unsigned char)c;
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9'))
        return 1;
    if (u == '_' || u == '-' || u >= 0x80)
        return 1;
    return partial && (u == '/' || u == '.');
}

/* Checks the name src[a, b) and, for a value or section name, counts its dotted parts into
 * *nparts (0 for "."); -1 when it is not a valid name. */
static int tmpl_check_name(const char *src, size_t a, size_t b, int partial, unsigned *nparts)
{
    *nparts = 0;
    if (!partial && b - a == 1 && src[a] == '.')
        return 0;
    unsigned parts = 1;
    size_t part_len = 0;
    for (size_t i = a; i < b; i++) {
        if (!partial && src[i] == '.') {
            if (part_len == 0)
                return -1;
            parts++;
            part_len = 0;
            continue;
        }
        if (!tmpl_is_name_char(src[i], partial))
            return -1;
        part_len++;
    }
    if (part_len == 0)
        return -1;
    *nparts = partial ? 0 : parts;
    return 0;
}

static struct tmpl *tmpl_compile(const char *name, const char *src, size_t len, char *err,
                                 size_t errlen)
{
    struct tmpl *t = xcalloc(1, sizeof *t);
    struct tmpl_open open[TMPL_MAX_SECTIONS];
    size_t depth = 0;
    unsigned line = 1;
    size_t pos = 0;

    t->name = xstrdup(name);
    t->hash = tmpl_hash_name(name);
    t->src = xmalloc(len + 1);
    if (len)
        memcpy(t->src, src, len);
    t->src[len] = '\0';

    while (pos < len) {
        const char *o = memmem(src + pos, len - pos, "{{", 2);
        size_t start = o ? (size_t)(o - src) : len;
        if (start > pos) {
            struct tmpl_node *n = tmpl_push_node(t, TMPL_TEXT);
            n->str = t->src + pos;
            n->len = start - pos;
            line += tmpl_count_lines(src + pos, start - pos);
        }
        if (!o)
            break;

        unsigned tag_line = line;
        int triple = start + 2 < len && src[start + 2] == '{';
        size_t delim = triple ? 3 : 2;
        size_t inner = start + delim;
        const char *c = memmem(src + inner, len - inner, triple ? "}}}" : "}}", delim);
        if (!c) {
            tmpl_set_error(err, errlen, "%s:%u: unclosed tag (no '%s' after '%s')", name,
                           tag_line, triple ? "}}}" : "}}", triple ? "{{{" : "{{");
            goto fail;
        }
        size_t a = inner, b = (size_t)(c - src);
        pos = b + delim;
        line += tmpl_count_lines(src + start, pos - start);

        while (a < b && tmpl_is_space(src[a]))
            a++;
        while (b > a && tmpl_is_space(src[b - 1]))
            b--;
        char sigil = 0;
        if (!triple && a < b && strchr("#^/>!", src[a])) {
            sigil = src[a++];
            while (a < b && tmpl_is_space(src[a]))
                a++;
        }
        if (sigil == '!')
            continue;
        if (a == b) {
            tmpl_set_error(err, errlen, "%s:%u: empty name in tag", name, tag_line);
            goto fail;
        }
        unsigned nparts;
        if (tmpl_check_name(src, a, b, sigil == '>', &nparts) < 0) {
            tmpl_set_error(err, errlen, "%s:%u: invalid name '%.*s'", name, tag_line,
                           (int)(b - a), src + a);
            goto fail;
        }

        if (sigil == '/') {
            if (depth == 0) {
                tmpl_set_error(err, errlen, "%s:%u: stray close '%.*s'", name, tag_line,
                               (int)(b - a), src + a);
                goto fail;
            }
            struct tmpl_open *top = &open[depth - 1];
            if (top->name_len != b - a || memcmp(src + top->name_off, src + a, b - a) != 0) {
                tmpl_set_error(err, errlen,
                               "%s:%u: mismatched close '%.*s' for section '%.*s' opened "
                               "on line %u",
                               name, tag_line, (int)(b - a), src + a, (int)top->name_len,
                               src + top->name_off, top->line);
                goto fail;
            }
            t->nodes[top->node].end = t->count;
            depth--;
            continue;
        }

        enum tmpl_op op = triple        ? TMPL_RAW
                          : sigil == '#' ? TMPL_SECTION
                          : sigil == '^' ? TMPL_INVERTED
                          : sigil == '>' ? TMPL_PARTIAL
                                         : TMPL_VAR;
        if (op == TMPL_SECTION || op == TMPL_INVERTED) {
            if (depth == TMPL_MAX_SECTIONS) {
                tmpl_set_error(err, errlen, "%s:%u: sections nested deeper than %d", name,
                               tag_line, TMPL_MAX_SECTIONS);
                goto fail;
            }
            open[depth++] = (struct tmpl_open){t->count, a, b - a, tag_line};
        }

        /* Cut the name out of the copy: b is inside the tag, so no text node sees it. */
        struct tmpl_node *n = tmpl_push_node(t, op);
        n->str = t->src + a;
        n->nparts = nparts;
        t->src[b] = '\0';
        if (op == TMPL_PARTIAL)
            n->hash = tmpl_hash_name(n->str);
        else if (nparts > 1)
            for (size_t i = a; i < b; i++)
                if (t->src[i] == '.')
                    t->src[i] = '\0';
        if (op != TMPL_PARTIAL)
            n->len = strlen(n->str);
    }

    if (depth > 0) {
        struct tmpl_open *top = &open[depth - 1];
        tmpl_set_error(err, errlen, "%s:%u: unclosed section '%.*s'", name, top->line,
                       (int)top->name_len, src + top->name_off);
        goto fail;
    }
    /* held for the process's life: no room for nodes that will never come */
    if (t->count && t->count < t->cap) {
        t->nodes = xrealloc(t->nodes, t->count * sizeof *t->nodes);
        t->cap = t->count;
    }
    return t;

fail:
    tmpl_free_one(t);
    return NULL;
}

/* ---- the set -------------------------------------------------------------------------- */

/* The slot holding name, or the empty slot where it would go. */
static size_t tmpl_find_slot(const tmpl_set *set, const char *name, uint64_t hash)
{
    size_t mask = set->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const struct tmpl *t = set->slots[i];
        if (!t || (t->hash == hash && strcmp(t->name, name) == 0))
            return i;
    }
}

static const struct tmpl *tmpl_find(const tmpl_set *set, const char *name, uint64_t hash)
{
    return set->slots[tmpl_find_slot(set, name, hash)];
}

static void tmpl_grow_set(tmpl_set *set)
{
    struct tmpl **old = set->slots;
    size_t old_cap = set->cap;
    set->cap *= 2;
    set->slots = xcalloc(set->cap, sizeof *set->slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            set->slots[tmpl_find_slot(set, old[i]->name, old[i]->hash)] = old[i];
    free(old);
}

tmpl_set *tmpl_set_new(void)
{
    tmpl_set *set = xcalloc(1, sizeof *set);
    pthread_mutex_init(&set->spec_lock, NULL);
    set->cap = 64;
    set->slots = xcalloc(set->cap, sizeof *set->slots);
    return set;
}

int tmpl_set_add(tmpl_set *set, const char *name, const char *src, size_t len, char *err,
                 size_t errlen)
{
    if (!name || !*name) {
        tmpl_set_error(err, errlen, "empty template name");
        return -1;
    }
    if (!src && len > 0) {
        tmpl_set_error(err, errlen, "%s: no source", name);
        return -1;
    }
    if (set->n_variants) {
        tmpl_set_error(err, errlen, "%s: the set is bound already", name);
        return -1;
    }
    struct tmpl *t = tmpl_compile(name, src ? src : "", len, err, errlen);
    if (!t)
        return -1;

    size_t i = tmpl_find_slot(set, t->name, t->hash);
    if (set->slots[i]) {
        tmpl_free_one(set->slots[i]);
        set->slots[i] = t;
        return 0;
    }
    set->slots[i] = t;
    set->count++;
    if (set->count * 4 >= set->cap * 3)
        tmpl_grow_set(set);
    return 0;
}

int tmpl_set_has(const tmpl_set *set, const char *name)
{
    return set && name && tmpl_find(set, name, tmpl_hash_name(name)) != NULL;
}

void tmpl_set_free(tmpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n_variants; i++) {
        for (size_t k = 0; k < set->cap; k++)
            tmpl_free_one(atomic_load(&set->variants[i].spec[k]));
        free(set->variants[i].spec);
    }
    free(set->variants);
    pthread_mutex_destroy(&set->spec_lock);
    free(set->bind_key);
    for (size_t i = 0; i < set->cap; i++)
        tmpl_free_one(set->slots[i]);
    free(set->slots);
    free(set);
}

/* ---- loading a folder ----------------------------------------------------------------- */

static int tmpl_read_file(const char *path, struct buf *out, char *err, size_t errlen)
{
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        tmpl_set_error(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        buf_reserve(out, 8192);
        size_t n = fread(out->data + out->len, 1, out->cap - out->len - 1, f);
        out->len += n;
        out->data[out->len] = '\0';
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        tmpl_set_error(err, errlen, "%s: read error", path);
        goto out;
    }
    rc = 0;
out:
    if (f)
        fclose(f);
    return rc;
}

static int tmpl_has_html_suffix(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".html") == 0;
}

/* Loads everything below w->path, which is a folder; depth counts folders below the root. */
static int tmpl_load_tree(struct tmpl_walk *w, int depth)
{
    int rc = -1;
    struct buf text = {0};
    char *name = NULL;
    DIR *d = opendir(w->path.data);
    if (!d) {
        tmpl_set_error(w->err, w->errlen, "%s: %s", w->path.data, strerror(errno));
        goto out;
    }
    size_t base = w->path.len;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) {
                w->path.len = base;
                w->path.data[base] = '\0';
                tmpl_set_error(w->err, w->errlen, "%s: %s", w->path.data, strerror(errno));
                goto out;
            }
            break;
        }
        if (e->d_name[0] == '.')
            continue; /* ".", "..", hidden files and editor droppings */

        w->path.len = base;
        w->path.data[base] = '\0';
        buf_putc(&w->path, '/');
        buf_puts(&w->path, e->d_name);

        struct stat st;
        if (stat(w->path.data, &st) != 0) {
            tmpl_set_error(w->err, w->errlen, "%s: %s", w->path.data, strerror(errno));
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth >= TMPL_MAX_DIR_DEPTH) {
                tmpl_set_error(w->err, w->errlen, "%s: folders nested deeper than %d",
                               w->path.data, TMPL_MAX_DIR_DEPTH);
                goto out;
            }
            if (tmpl_load_tree(w, depth + 1) < 0)
                goto out;
        } else if (S_ISREG(st.st_mode) && tmpl_has_html_suffix(e->d_name)) {
            buf_reset(&text);
            if (tmpl_read_file(w->path.data, &text, w->err, w->errlen) < 0)
                goto out;
            free(name);
            const char *rel = w->path.data + w->root_len + 1;
            name = xstrndup(rel, strlen(rel) - 5);
            if (tmpl_set_add(w->set, name, text.data, text.len, w->err, w->errlen) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    if (d)
        closedir(d);
    buf_free(&text);
    free(name);
    return rc;
}

int tmpl_set_load_dir(tmpl_set *set, const char *dir, char *err, size_t errlen)
{
    struct tmpl_walk w = {set, {0}, 0, err, errlen};
    buf_puts(&w.path, dir);
    w.root_len = w.path.len;
    int rc = tmpl_load_tree(&w, 0);
    buf_free(&w.path);
    return rc;
}

/* ---- rendering ------------------------------------------------------------------------ */

static const char *const tmpl_escapes[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

/* Where the first of the five characters tmpl_escapes has lies in s (len bytes), or len:
 * five memchr scans (many bytes per instruction) where the byte loop takes several
 * instructions per byte; worth it from a few dozen bytes on (a form token, a title). */
static size_t tmpl_first_special(const char *s, size_t len)
{
    static const char specials[] = "&<>\"'";
    size_t first = len;
    for (size_t k = 0; k < sizeof specials - 1 && first; k++) {
        const char *p = memchr(s, specials[k], first);
        if (p)
            first = (size_t)(p - s);
    }
    return first;
}

void tmpl_escape_html(struct buf *out, const char *s, size_t len)
{
    size_t run = 0, from = len >= 32 ? tmpl_first_special(s, len) : 0;
    buf_reserve(out, len);
    for (size_t i = from; i < len; i++) {
        const char *e = tmpl_escapes[(unsigned char)s[i]];
        if (!e)
            continue;
        buf_append(out, s + run, i - run);
        buf_puts(out, e);
        run = i + 1;
    }
    buf_append(out, s + run, len - run);
}

/* What tmpl_put_value prints for an integer, without snprintf (a tenth of a page). */
static void tmpl_put_int(struct buf *out, long long x)
{
    char num[24];
    unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    char *e = num + sizeof num, *d = e;
    do
        *--d = (char)('0' + u % 10);
    while (u /= 10);
    if (x < 0)
        *--d = '-';
    buf_append(out, d, (size_t)(e - d));
}

static void tmpl_put_value(struct buf *out, const json_t *v, int escape)
{
    char num[64];
    int n;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        if (escape)
            tmpl_escape_html(out, json_string_value(v), json_string_length(v));
        else
            buf_append(out, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        tmpl_put_int(out, (long long)json_integer_value(v));
        return;
    case JSON_REAL:
        n = snprintf(num, sizeof num, "%g", json_real_value(v));
        break;
    case JSON_TRUE:
        buf_append(out, "true", 4);
        return;
    default:
        return;
    }
    if (n > 0)
        buf_append(out, num, (size_t)n < sizeof num ? (size_t)n : sizeof num - 1);
}

/* tmpl_put_value for a value given by position: the same text as the JSON value. */
static void tmpl_put_val(struct buf *out, const struct tmpl_val *v, int escape)
{
    switch (v->kind) {
    case TMPL_VAL_STR:
        if (escape)
            tmpl_escape_html(out, v->s, v->len);
        else
            buf_append(out, v->s, v->len);
        return;
    case TMPL_VAL_INT:
        tmpl_put_int(out, v->i);
        return;
    case TMPL_VAL_TRUE:
        buf_append(out, "true", 4);
        return;
    case TMPL_VAL_MISSING:
        return;
    }
}

static int tmpl_val_truthy(const struct tmpl_val *v)
{
    return v->kind == TMPL_VAL_TRUE || (v->kind == TMPL_VAL_INT && v->i != 0) ||
           (v->kind == TMPL_VAL_STR && v->len > 0);
}

static int tmpl_is_truthy(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
    case JSON_TRUE:
        return 1;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    default:
        return 0;
    }
}

/* The first part from the innermost object that has it, outward; the rest inside it. */
static const json_t *tmpl_lookup_in(const struct tmpl_render_state *rs,
                                    const struct tmpl_node *n)
{
    const char *part = n->str;
    const json_t *v = NULL;
    if (n->root)
        v = json_is_object(rs->stack[0]) ? json_object_getn(rs->stack[0], part, n->len) : NULL;
    for (size_t i = rs->depth; !n->root && i-- > 0 && !v;)
        if (json_is_object(rs->stack[i]))
            v = json_object_getn(rs->stack[i], part, n->len);
    for (unsigned k = 1; v && k < n->nparts; k++) {
        part += strlen(part) + 1;
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
    }
    return v;
}

/* tmpl_lookup_in, remembered per render where only the root can answer: a hole, or any
 * name while no section has pushed a context. */
static const json_t *tmpl_lookup(struct tmpl_render_state *rs, const struct tmpl_node *n)
{
    if (n->nparts == 0)
        return rs->stack[rs->depth - 1];
    if (!n->slot || (!n->root && rs->depth != 1))
        return tmpl_lookup_in(rs, n);
    uint64_t bit = 1ULL << (n->slot % 64);
    if (!(rs->memo_have[n->slot / 64] & bit)) {
        rs->memo[n->slot] = tmpl_lookup_in(rs, n);
        rs->memo_have[n->slot / 64] |= bit;
    }
    return rs->memo[n->slot];
}

/* A section over a value given by position pushes this: a scalar, so lookups pass it by
 * as they pass any scalar, and "." finds the value in the render state's vstack. */
static json_t tmpl_scalar_mark = {JSON_NULL, (size_t)-1};

/* Node n's value when it is given by position: a hole's with vals, or "." where a section
 * over such a value pushed it; NULL when n is looked up in the contexts. */
static const struct tmpl_val *tmpl_val_of(const struct tmpl_render_state *rs,
                                          const struct tmpl_node *n)
{
    if (n->hole && rs->vals)
        return &rs->vals[n->hole - 1];
    if (n->nparts == 0 && rs->stack[rs->depth - 1] == &tmpl_scalar_mark)
        return rs->vstack[rs->depth - 1];
    return NULL;
}

static int tmpl_render_nodes(struct tmpl_render_state *rs, const struct tmpl *t, size_t i,
                             size_t end);
static const struct tmpl *tmpl_get(const tmpl_set *set, struct tmpl_variant *var,
                                   const char *name, uint64_t hash);

/* Renders the body of section node n once with v pushed as the context. */
static int tmpl_render_with(struct tmpl_render_state *rs, const struct tmpl *t,
                            const struct tmpl_node *n, const json_t *v)
{
    if (rs->depth == TMPL_STACK_MAX)
        return -1; /* cannot happen with the compile-time limits; kept as a guard */
    rs->stack[rs->depth++] = v;
    int rc = tmpl_render_nodes(rs, t, (size_t)(n - t->nodes) + 1, n->end);
    rs->depth--;
    return rc;
}

/* Renders the body of section node n once with the value tv (given by position) pushed. */
static int tmpl_render_with_val(struct tmpl_render_state *rs, const struct tmpl *t,
                                const struct tmpl_node *n, const struct tmpl_val *tv)
{
    if (rs->depth == TMPL_STACK_MAX)
        return -1;
    rs->vstack[rs->depth] = tv;
    return tmpl_render_with(rs, t, n, &tmpl_scalar_mark);
}

static int tmpl_render_nodes(struct tmpl_render_state *rs, const struct tmpl *t, size_t i,
                             size_t end)
{
    while (i < end) {
        const struct tmpl_node *n = &t->nodes[i];
        const json_t *v;
        const struct tmpl_val *tv = n->op == TMPL_TEXT ? NULL : tmpl_val_of(rs, n);
        switch (n->op) {
        case TMPL_TEXT:
            buf_append(rs->out, n->str, n->len);
            i++;
            break;
        case TMPL_VAR:
        case TMPL_RAW:
            v = tv ? NULL : tmpl_lookup(rs, n);
            if (!v && (!tv || tv->kind == TMPL_VAL_MISSING) && n->op == TMPL_RAW &&
                rs->raw_name && n->nparts == 1 && strcmp(n->str, rs->raw_name) == 0)
                buf_append(rs->out, rs->raw, rs->raw_len); /* what the root member would be */
            else if (tv)
                tmpl_put_val(rs->out, tv, n->op == TMPL_VAR);
            else
                tmpl_put_value(rs->out, v, n->op == TMPL_VAR);
            i++;
            break;
        case TMPL_SECTION:
            if (tv) {
                if (tmpl_val_truthy(tv) && tmpl_render_with_val(rs, t, n, tv) < 0)
                    return -1;
                i = n->end;
                break;
            }
            v = tmpl_lookup(rs, n);
            if (json_is_array(v)) {
                for (size_t k = 0; k < json_array_size(v); k++)
                    if (tmpl_render_with(rs, t, n, json_array_get(v, k)) < 0)
                        return -1;
            } else if (tmpl_is_truthy(v)) {
                if (tmpl_render_with(rs, t, n, v) < 0)
                    return -1;
            }
            i = n->end;
            break;
        case TMPL_INVERTED:
            if (!(tv ? tmpl_val_truthy(tv) : tmpl_is_truthy(tmpl_lookup(rs, n))) &&
                tmpl_render_nodes(rs, t, i + 1, n->end) < 0)
                return -1;
            i = n->end;
            break;
        case TMPL_PARTIAL: {
            if (rs->partials >= TMPL_MAX_PARTIALS)
                return -1;
            const struct tmpl *p = tmpl_get(rs->set, rs->var, n->str, n->hash);
            if (!p)
                return -1;
            rs->partials++;
            int rc = tmpl_render_nodes(rs, p, 0, p->count);
            rs->partials--;
            if (rc < 0)
                return -1;
            i++;
            break;
        }
        }
    }
    return 0;
}

/* ---- pre-rendering bound values ------------------------------------------------------- */

/* While specialising one template: the nodes so far, their literal text (the TEXT nodes'
 * bytes, as offsets until the end, since the buffer moves as it grows), and whether the
 * last node is a TEXT node that more text may be appended to. */
struct tmpl_spec {
    struct tmpl *t;
    struct buf lits;
    int open_text;
    const char *key;
    const json_t *value;
};

static void tmpl_spec_text(struct tmpl_spec *sp, const char *s, size_t n)
{
    if (!n)
        return;
    if (!sp->open_text) {
        struct tmpl_node *node = tmpl_push_node(sp->t, TMPL_TEXT);
        node->hash = sp->lits.len; /* the offset, made a pointer at the end */
        sp->open_text = 1;
    }
    buf_append(&sp->lits, s, n);
    sp->t->nodes[sp->t->count - 1].len += n;
}

/* The bound value's member a node names, when the name starts with the bound key: 1 and
 * *v (NULL for a missing member); 0 for any other name. */
static int tmpl_spec_lookup(const struct tmpl_spec *sp, const struct tmpl_node *n,
                            const json_t **v)
{
    if (n->nparts == 0 || strcmp(n->str, sp->key) != 0)
        return 0;
    const char *part = n->str;
    const json_t *x = sp->value;
    for (unsigned k = 1; x && k < n->nparts; k++) {
        part += strlen(part) + 1;
        x = json_is_object(x) ? json_object_get(x, part) : NULL;
    }
    *v = x;
    return 1;
}

/* Copies the nodes [i, end) of src into sp with every value of the bound key rendered. */
static void tmpl_spec_nodes(struct tmpl_spec *sp, const struct tmpl *src, size_t i, size_t end)
{
    while (i < end) {
        const struct tmpl_node *n = &src->nodes[i];
        const json_t *v = NULL;
        int bound = n->op != TMPL_TEXT && n->op != TMPL_PARTIAL && tmpl_spec_lookup(sp, n, &v);
        if (n->op == TMPL_TEXT) {
            tmpl_spec_text(sp, n->str, n->len);
            i++;
        } else if (bound && (n->op == TMPL_VAR || n->op == TMPL_RAW)) {
            struct buf text = {0};
            tmpl_put_value(&text, v, n->op == TMPL_VAR);
            tmpl_spec_text(sp, text.data, text.len);
            buf_free(&text);
            i++;
        } else if (bound && n->op == TMPL_SECTION && !json_is_array(v) && !tmpl_is_truthy(v)) {
            i = n->end; /* never rendered */
        } else if (bound && n->op == TMPL_INVERTED) {
            if (!tmpl_is_truthy(v)) /* always rendered, in the same context */
                tmpl_spec_nodes(sp, src, i + 1, n->end);
            i = n->end;
        } else {
            /* a section (or one over a bound value that renders: it pushes that value, a
             * lookup inside may name it as "."), a partial, any other value: kept */
            size_t at = sp->t->count;
            struct tmpl_node copy = *n;
            *tmpl_push_node(sp->t, n->op) = copy;
            sp->open_text = 0;
            if (n->op == TMPL_SECTION || n->op == TMPL_INVERTED) {
                tmpl_spec_nodes(sp, src, i + 1, n->end);
                sp->t->nodes[at].end = sp->t->count;
                sp->open_text = 0;
                i = n->end;
            } else {
                i++;
            }
        }
    }
}

/* A copy of src with the bound value rendered in; its TEXT nodes point into its own src,
 * its names into the original's. */
static struct tmpl *tmpl_specialise(const struct tmpl *src, const char *key, const json_t *value)
{
    struct tmpl_spec sp = {.t = xcalloc(1, sizeof *sp.t), .key = key, .value = value};
    sp.t->name = xstrdup(src->name);
    sp.t->hash = src->hash;
    tmpl_spec_nodes(&sp, src, 0, src->count);
    buf_putc(&sp.lits, '\0');
    sp.t->src = buf_detach(&sp.lits);
    for (size_t i = 0; i < sp.t->count; i++) {
        struct tmpl_node *n = &sp.t->nodes[i];
        if (n->op == TMPL_TEXT) {
            n->str = sp.t->src + n->hash;
            n->hash = 0;
        }
    }
    return sp.t;
}

int tmpl_set_bind(tmpl_set *set, const char *key, const json_t *value)
{
    if (!set || !key || !*key || strchr(key, '.') || !value)
        return -1;
    if (set->bind_key && strcmp(set->bind_key, key) != 0)
        return -1;
    for (size_t i = 0; i < set->n_variants; i++)
        if (set->variants[i].value == value)
            return 0;
    if (!set->bind_key)
        set->bind_key = xstrdup(key);
    set->variants = xrealloc(set->variants, (set->n_variants + 1) * sizeof *set->variants);
    struct tmpl_variant *v = &set->variants[set->n_variants++];
    v->value = value;
    v->spec = xcalloc(set->cap, sizeof *v->spec);
    for (size_t i = 0; i < set->cap; i++)
        atomic_init(&v->spec[i], NULL);
    return 0;
}

/* The template name of set, or with var its pre-rendered copy (made now if it is the first
 * render of it); NULL when there is none. */
static const struct tmpl *tmpl_get(const tmpl_set *set, struct tmpl_variant *var,
                                   const char *name, uint64_t hash)
{
    size_t i = tmpl_find_slot(set, name, hash);
    const struct tmpl *t = set->slots[i];
    if (!t || !var)
        return t;
    struct tmpl *made = atomic_load_explicit(&var->spec[i], memory_order_acquire);
    if (made)
        return made;
    pthread_mutex_t *lock = (pthread_mutex_t *)&set->spec_lock;
    pthread_mutex_lock(lock);
    made = atomic_load_explicit(&var->spec[i], memory_order_relaxed);
    if (!made) {
        made = tmpl_specialise(t, set->bind_key, var->value);
        atomic_store_explicit(&var->spec[i], made, memory_order_release);
    }
    pthread_mutex_unlock(lock);
    return made;
}

/* ---- pre-rendering against fixed values ----------------------------------------------- */

/* A hole: {"\001hole": "name"}. */
#define TMPL_HOLE_KEY "\001hole"

json_t *tmpl_hole(const char *name)
{
    json_t *h = json_object();
    json_object_set_new_nocheck(h, TMPL_HOLE_KEY, json_string_nocheck(name));
    return h;
}

/* The name of hole v, or NULL when v is not a hole. */
static const char *tmpl_hole_name(const json_t *v)
{
    return json_is_object(v) && json_object_size(v) == 1
               ? json_string_value(json_object_get(v, TMPL_HOLE_KEY))
               : NULL;
}

struct tmpl_pre {
    struct tmpl *t; /* TEXT nodes into t->src; the others' names into the set's templates or
                       into fixed (holes) */
    json_t *fixed;  /* kept for the holes' names */
    const char **holes; /* hole number → name (into fixed) */
    size_t n_holes;
};

/* A frame while pre-rendering: a fixed value, or a value only known when rendering. */
enum tmpl_frame_kind { TMPL_FRAME_FIXED, TMPL_FRAME_SCALAR, TMPL_FRAME_OPAQUE };

struct tmpl_frame {
    enum tmpl_frame_kind kind;
    const json_t *value; /* FIXED */
};

struct tmpl_pre_state {
    struct tmpl_spec sp;
    const tmpl_set *set;
    struct tmpl_variant *var;
    struct tmpl_frame stack[TMPL_STACK_MAX];
    size_t depth;
    int partials;
    int failed;
    const char **holes; /* the holes' names in the order they first occur */
    size_t n_holes, cap_holes;
};

enum tmpl_res { TMPL_RES_FIXED, TMPL_RES_HOLE, TMPL_RES_LATER, TMPL_RES_FAIL };

/* Where node n's value comes from: fixed (*v), a hole (*hole), a lookup when rendering
 * (the same name: nothing fixed can answer it, or only what is known then), or neither
 * safely (a fixed value that a value known only later might hide). */
static enum tmpl_res tmpl_pre_resolve(const struct tmpl_pre_state *ps, const struct tmpl_node *n,
                                      const json_t **v, const char **hole)
{
    if (n->root)
        return TMPL_RES_LATER; /* a hole already (a pre-rendered partial): kept */
    if (n->nparts == 0) {
        const struct tmpl_frame *top = &ps->stack[ps->depth - 1];
        if (top->kind != TMPL_FRAME_FIXED)
            return TMPL_RES_LATER;
        *v = top->value;
        return (*hole = tmpl_hole_name(*v)) ? TMPL_RES_HOLE : TMPL_RES_FIXED;
    }
    const char *part = n->str;
    size_t i = ps->depth;
    const json_t *x = NULL;
    while (i-- > 0) {
        const struct tmpl_frame *f = &ps->stack[i];
        if (f->kind == TMPL_FRAME_SCALAR)
            continue; /* no members */
        if (f->kind == TMPL_FRAME_OPAQUE) {
            /* answered when rendering, unless a fixed frame below also has the name */
            for (size_t k = i; k-- > 0;)
                if (ps->stack[k].kind == TMPL_FRAME_FIXED && json_is_object(ps->stack[k].value) &&
                    json_object_get(ps->stack[k].value, part))
                    return TMPL_RES_FAIL;
            return TMPL_RES_LATER;
        }
        if (json_is_object(f->value) && !tmpl_hole_name(f->value) &&
            (x = json_object_get(f->value, part)) != NULL)
            break;
    }
    if (!x)
        return TMPL_RES_LATER; /* not fixed: a member of the context given when rendering */
    for (unsigned k = 1; k < n->nparts; k++) {
        if (tmpl_hole_name(x))
            return TMPL_RES_FAIL; /* a member of a hole */
        part += strlen(part) + 1;
        x = json_is_object(x) ? json_object_get(x, part) : NULL;
        if (!x)
            break;
    }
    *v = x;
    return x && (*hole = tmpl_hole_name(x)) ? TMPL_RES_HOLE : TMPL_RES_FIXED;
}

static void tmpl_pre_nodes(struct tmpl_pre_state *ps, const struct tmpl *src, size_t i,
                           size_t end);

/* Pre-renders the body of section n with a frame pushed. */
static void tmpl_pre_with(struct tmpl_pre_state *ps, const struct tmpl *src,
                          const struct tmpl_node *n, enum tmpl_frame_kind kind, const json_t *v)
{
    if (ps->depth == TMPL_STACK_MAX) {
        ps->failed = 1;
        return;
    }
    ps->stack[ps->depth].kind = kind;
    ps->stack[ps->depth].value = v;
    ps->depth++;
    tmpl_pre_nodes(ps, src, (size_t)(n - src->nodes) + 1, n->end);
    ps->depth--;
}

/* Keeps node n (a lookup when rendering); a hole's node looks its name up in the root. */
static size_t tmpl_pre_keep(struct tmpl_pre_state *ps, const struct tmpl_node *n, const char *hole)
{
    size_t at = ps->sp.t->count;
    struct tmpl_node copy = *n;
    copy.hole = 0;
    if (hole) {
        copy.str = hole;
        copy.nparts = 1;
        copy.len = strlen(hole);
        copy.root = 1;
        size_t k = 0;
        while (k < ps->n_holes && strcmp(ps->holes[k], hole) != 0)
            k++;
        if (k == ps->n_holes) {
            if (ps->n_holes == ps->cap_holes) {
                ps->cap_holes = ps->cap_holes ? 2 * ps->cap_holes : 16;
                ps->holes = xrealloc(ps->holes, ps->cap_holes * sizeof *ps->holes);
            }
            ps->holes[ps->n_holes++] = hole;
        }
        copy.hole = (unsigned)k + 1;
    }
    *tmpl_push_node(ps->sp.t, n->op) = copy;
    ps->sp.open_text = 0;
    return at;
}

static void tmpl_pre_nodes(struct tmpl_pre_state *ps, const struct tmpl *src, size_t i,
                           size_t end)
{
    while (i < end && !ps->failed) {
        const struct tmpl_node *n = &src->nodes[i];
        const json_t *v = NULL;
        const char *hole = NULL;
        enum tmpl_res r = TMPL_RES_LATER;
        if (n->op != TMPL_TEXT && n->op != TMPL_PARTIAL)
            r = tmpl_pre_resolve(ps, n, &v, &hole);
        if (r == TMPL_RES_FAIL) {
            ps->failed = 1;
            return;
        }
        switch (n->op) {
        case TMPL_TEXT:
            tmpl_spec_text(&ps->sp, n->str, n->len);
            i++;
            break;
        case TMPL_VAR:
        case TMPL_RAW:
            if (r == TMPL_RES_FIXED) {
                struct buf text = {0};
                tmpl_put_value(&text, v, n->op == TMPL_VAR);
                tmpl_spec_text(&ps->sp, text.data, text.len);
                buf_free(&text);
            } else {
                tmpl_pre_keep(ps, n, hole);
            }
            i++;
            break;
        case TMPL_SECTION:
            if (r == TMPL_RES_FIXED && json_is_array(v)) {
                for (size_t k = 0; k < json_array_size(v) && !ps->failed; k++) {
                    if (tmpl_hole_name(json_array_get(v, k)))
                        ps->failed = 1; /* an element that is a hole: not supported */
                    else
                        tmpl_pre_with(ps, src, n, TMPL_FRAME_FIXED, json_array_get(v, k));
                }
            } else if (r == TMPL_RES_FIXED) {
                if (tmpl_is_truthy(v))
                    tmpl_pre_with(ps, src, n, TMPL_FRAME_FIXED, v);
            } else {
                /* known when rendering: kept, its body pre-rendered under a frame that
                 * has no members (a hole is a scalar) or unknown ones */
                size_t at = tmpl_pre_keep(ps, n, hole);
                tmpl_pre_with(ps, src, n, r == TMPL_RES_HOLE ? TMPL_FRAME_SCALAR : TMPL_FRAME_OPAQUE,
                              NULL);
                ps->sp.t->nodes[at].end = ps->sp.t->count;
                ps->sp.open_text = 0;
            }
            i = n->end;
            break;
        case TMPL_INVERTED:
            if (r == TMPL_RES_FIXED) {
                if (!tmpl_is_truthy(v))
                    tmpl_pre_nodes(ps, src, i + 1, n->end);
            } else {
                size_t at = tmpl_pre_keep(ps, n, hole);
                tmpl_pre_nodes(ps, src, i + 1, n->end);
                ps->sp.t->nodes[at].end = ps->sp.t->count;
                ps->sp.open_text = 0;
            }
            i = n->end;
            break;
        case TMPL_PARTIAL: {
            /* pre-rendered in place, in the same frames */
            const struct tmpl *p = ps->partials < TMPL_MAX_PARTIALS
                                       ? tmpl_get(ps->set, ps->var, n->str, n->hash)
                                       : NULL;
            if (!p) {
                ps->failed = 1;
                return;
            }
            ps->partials++;
            tmpl_pre_nodes(ps, p, 0, p->count);
            ps->partials--;
            i++;
            break;
        }
        }
    }
}

/* 1 when lookup nodes a and b name the same thing (parts NUL-separated). */
static int tmpl_same_name(const struct tmpl_node *a, const struct tmpl_node *b)
{
    if (a->nparts != b->nparts)
        return 0;
    const char *p = a->str, *q = b->str;
    for (unsigned k = 0; k < a->nparts; k++) {
        if (strcmp(p, q) != 0)
            return 0;
        p += strlen(p) + 1;
        q += strlen(q) + 1;
    }
    return 1;
}

static int tmpl_is_lookup(const struct tmpl_node *n)
{
    return n->op != TMPL_TEXT && n->op != TMPL_PARTIAL && n->nparts > 0;
}

/* Numbers the names t looks up more than once (slot), for tmpl_lookup's memory; a name
 * looked up once, or past TMPL_MEMO_MAX, is looked up as it comes. */
static void tmpl_pre_slots(struct tmpl *t)
{
    unsigned used = 0;
    for (size_t i = 0; i < t->count; i++) {
        struct tmpl_node *n = &t->nodes[i];
        if (!tmpl_is_lookup(n) || n->slot)
            continue;
        unsigned slot = 0;
        for (size_t j = i + 1; j < t->count; j++) {
            struct tmpl_node *m = &t->nodes[j];
            if (!tmpl_is_lookup(m) || m->slot || !tmpl_same_name(n, m))
                continue;
            if (!slot && used == TMPL_MEMO_MAX)
                return;
            if (!slot)
                slot = ++used;
            n->slot = m->slot = slot;
        }
    }
}

tmpl_pre *tmpl_prerender(const tmpl_set *set, const char *name, const json_t *bound,
                         json_t *fixed)
{
    if (!set || !name || !json_is_object(fixed))
        return NULL;
    struct tmpl_variant *var = NULL;
    for (size_t i = 0; bound && i < set->n_variants; i++)
        if (set->variants[i].value == bound)
            var = &set->variants[i];
    const struct tmpl *src = tmpl_get(set, var, name, tmpl_hash_name(name));
    if (!src)
        return NULL;
    struct tmpl_pre_state *ps = xcalloc(1, sizeof *ps);
    ps->set = set;
    ps->var = var;
    ps->sp.t = xcalloc(1, sizeof *ps->sp.t);
    ps->sp.t->name = xstrdup(src->name);
    ps->sp.t->hash = src->hash;
    ps->stack[0].kind = TMPL_FRAME_FIXED;
    ps->stack[0].value = fixed;
    ps->depth = 1;
    tmpl_pre_nodes(ps, src, 0, src->count);
    buf_putc(&ps->sp.lits, '\0');
    ps->sp.t->src = buf_detach(&ps->sp.lits);
    for (size_t i = 0; i < ps->sp.t->count; i++) {
        struct tmpl_node *n = &ps->sp.t->nodes[i];
        if (n->op == TMPL_TEXT) {
            n->str = ps->sp.t->src + n->hash;
            n->hash = 0;
        }
    }
    tmpl_pre_slots(ps->sp.t);
    tmpl_pre *pre = NULL;
    if (ps->failed) {
        tmpl_free_one(ps->sp.t);
        free(ps->holes);
    } else {
        pre = xmalloc(sizeof *pre);
        pre->t = ps->sp.t;
        pre->fixed = json_incref(fixed);
        pre->holes = ps->holes;
        pre->n_holes = ps->n_holes;
    }
    free(ps);
    return pre;
}

int tmpl_pre_render(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx, struct buf *out)
{
    return tmpl_pre_render_raw(set, pre, ctx, NULL, NULL, 0, out);
}

int tmpl_pre_render_raw(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx,
                        const char *name, const char *raw, size_t raw_len, struct buf *out)
{
    return tmpl_pre_render_at(set, pre, ctx, NULL, name, raw, raw_len, out);
}

size_t tmpl_pre_holes(const tmpl_pre *pre)
{
    return pre ? pre->n_holes : 0;
}

const char *tmpl_pre_hole_name(const tmpl_pre *pre, size_t i)
{
    return pre && i < pre->n_holes ? pre->holes[i] : NULL;
}

int tmpl_pre_render_at(const tmpl_set *set, const tmpl_pre *pre, const json_t *ctx,
                       const struct tmpl_val *vals, const char *name, const char *raw,
                       size_t raw_len, struct buf *out)
{
    if (!set || !pre)
        return -1;
    struct tmpl_render_state rs;
    rs.set = set;
    rs.var = NULL;
    rs.out = out;
    rs.depth = 1;
    rs.partials = 0;
    rs.stack[0] = ctx;
    rs.raw_name = name;
    rs.raw = raw;
    rs.raw_len = raw_len;
    rs.vals = vals;
    memset(rs.memo_have, 0, sizeof rs.memo_have);
    return tmpl_render_nodes(&rs, pre->t, 0, pre->t->count);
}

void tmpl_pre_free(tmpl_pre *pre)
{
    if (!pre)
        return;
    tmpl_free_one(pre->t);
    json_decref(pre->fixed);
    free(pre->holes);
    free(pre);
}

int tmpl_render(const tmpl_set *set, const char *name, const json_t *ctx, struct buf *out)
{
    if (!set || !name)
        return -1;
    struct tmpl_render_state rs;
    rs.var = NULL;
    rs.raw_name = rs.raw = NULL;
    rs.raw_len = 0;
    rs.vals = NULL;
    /* a root whose bound member is a bound value: that value's pre-rendered templates */
    if (set->n_variants && json_is_object(ctx)) {
        const json_t *v = json_object_get(ctx, set->bind_key);
        for (size_t i = 0; v && i < set->n_variants; i++)
            if (set->variants[i].value == v) {
                rs.var = &set->variants[i];
                break;
            }
    }
    const struct tmpl *t = tmpl_get(set, rs.var, name, tmpl_hash_name(name));
    if (!t)
        return -1;
    rs.set = set;
    rs.out = out;
    rs.depth = 1;
    rs.partials = 0;
    rs.stack[0] = ctx;
    return tmpl_render_nodes(&rs, t, 0, t->count);
}
