#include "pdf_cairo.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ctype.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dynlib.h"
#include "mem.h"
#include "pdf.h"

#define PDF_WIDTH 595.28  /* A4 in points */
#define PDF_HEIGHT 841.89
#define PDF_MARGIN 62.0

/* Every cairo, pango and GObject function used here, found with dlsym() in
 * libpangocairo and the libraries it depends on. */
#define PDF_CAIRO_FUNCTIONS(X)                                                                \
    X(cairo_create) X(cairo_destroy) X(cairo_move_to) X(cairo_pdf_surface_add_outline)        \
    X(cairo_pdf_surface_create_for_stream) X(cairo_pdf_surface_set_metadata)                  \
    X(cairo_show_page) X(cairo_surface_destroy) X(cairo_surface_finish)                       \
    X(cairo_surface_status) X(cairo_tag_begin) X(cairo_tag_end) X(g_object_unref)             \
    X(pango_cairo_create_layout) X(pango_cairo_show_layout_line)                              \
    X(pango_font_description_free) X(pango_font_description_from_string)                      \
    X(pango_layout_get_iter) X(pango_layout_iter_free) X(pango_layout_iter_get_baseline)      \
    X(pango_layout_iter_get_line_extents) X(pango_layout_iter_get_line_readonly)              \
    X(pango_layout_iter_next_line) X(pango_layout_set_alignment)                              \
    X(pango_layout_set_font_description) X(pango_layout_set_text) X(pango_layout_set_width)   \
    X(pango_layout_set_wrap)

#define PDF_CAIRO_FIELD(name) __typeof__(&name) name;
#define PDF_CAIRO_ENTRY(name) DYNLIB_FN(F, name)
static struct {
    PDF_CAIRO_FUNCTIONS(PDF_CAIRO_FIELD)
} F;
static const struct dynlib_fn pdf_cairo_fns[] = {PDF_CAIRO_FUNCTIONS(PDF_CAIRO_ENTRY)};
static int pdf_cairo_loaded; /* 1 loaded, -1 failed; set once under pdf_cairo_once */
static pthread_once_t pdf_cairo_once = PTHREAD_ONCE_INIT;

/* Opens the library (never closed: fontconfig keeps its cache for the process's life). */
static void pdf_cairo_load(void)
{
    char err[256];
    pdf_cairo_loaded = 1;
    if (dynlib_load("libpangocairo-1.0.so.0", pdf_cairo_fns,
                    sizeof pdf_cairo_fns / sizeof pdf_cairo_fns[0], err, sizeof err) != 0) {
        fprintf(stderr, "vejled: the PDF library: %s\n", err);
        pdf_cairo_loaded = -1;
    }
}

struct pdf_doc {
    struct buf bytes;
    cairo_surface_t *surface;
    cairo_t *cr;
    double y;
    int page;        /* 1-based, the page being drawn */
    int outline;     /* 1: titles and headings become bookmarks */
    int title_id;    /* the outline item of the title, 0 (root) before one */
    char lang[16];   /* "" or the document language for the catalog */
};

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int n)
{
    buf_append(closure, data, n);
    return CAIRO_STATUS_SUCCESS;
}

static void pdf_doc_start(struct pdf_doc *p, const char *title, int64_t created)
{
    p->surface = F.cairo_pdf_surface_create_for_stream(pdf_write, &p->bytes, PDF_WIDTH, PDF_HEIGHT);
    char date[32];
    time_t tt = (time_t)created;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
    F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "vejled");
    F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
    p->cr = F.cairo_create(p->surface);
    /* a tagged PDF: the structure tree (Document > H1/H2/P, in drawing order) tells screen
     * readers the headings and the reading order */
    F.cairo_tag_begin(p->cr, "Document", NULL);
    p->y = PDF_MARGIN;
    p->page = 1;
}

static void pdf_doc_info(struct pdf_doc *p, const char *author, const char *subject, const char *keywords)
{
    if (author)
        F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_AUTHOR, author);
    if (subject)
        F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
    if (keywords)
        F.cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_KEYWORDS, keywords);
}

/* The last occurrence of needle in the n bytes at hay, or NULL. */
static const char *pdf_last(const char *hay, size_t n, const char *needle)
{
    const char *found = NULL, *at = hay;
    size_t len = strlen(needle);
    while ((at = memmem(at, n - (size_t)(at - hay), needle, len)) != NULL) {
        found = at;
        at++;
    }
    return found;
}

/* A number after key in the text [from, end), e.g. "/Size 38"; -1 when absent. */
static long pdf_number_after(const char *from, const char *end, const char *key)
{
    const char *k = memmem(from, (size_t)(end - from), key, strlen(key));
    if (!k)
        return -1;
    k += strlen(key);
    while (k < end && (*k == ' ' || *k == '\n' || *k == '\r'))
        k++;
    if (k >= end || !isdigit((unsigned char)*k))
        return -1;
    return strtol(k, NULL, 10);
}

/* Appends the incremental update with the language to the finished document in b.
 * Leaves b as it is when cairo's trailer or catalog is not as expected. */
static void pdf_add_catalog_entries(struct buf *b, const char *lang, int outline)
{
    const char *d = b->data, *end = b->data + b->len;
    const char *trailer = pdf_last(d, b->len, "\ntrailer");
    const char *startxref = pdf_last(d, b->len, "\nstartxref");
    if (!trailer || !startxref || startxref < trailer)
        return;
    long size = pdf_number_after(trailer, startxref, "/Size");
    long root = pdf_number_after(trailer, startxref, "/Root");
    long info = pdf_number_after(trailer, startxref, "/Info");
    long prev = pdf_number_after(startxref, end, "startxref");
    char head[32];
    snprintf(head, sizeof head, "\n%ld 0 obj", root);
    const char *obj = root > 0 ? pdf_last(d, (size_t)(trailer - d), head) : NULL;
    if (size <= 0 || prev < 0 || !obj)
        return;
    const char *open = memmem(obj, (size_t)(trailer - obj), "<<", 2);
    const char *endobj = memmem(obj, (size_t)(trailer - obj), "endobj", 6);
    const char *close = open && endobj ? pdf_last(open, (size_t)(endobj - open), ">>") : NULL;
    if (!close || memmem(open, (size_t)(close - open), "/Lang", 5))
        return;
    int page_mode = outline && !memmem(open, (size_t)(close - open), "/PageMode", 9);
    struct buf add = {0};
    size_t offset = b->len + 1; /* the object starts after the newline below */
    buf_printf(&add, "\n%ld 0 obj\n", root);
    buf_append(&add, open, (size_t)(close - open));
    buf_printf(&add, "   /Lang (%s)\n   /ViewerPreferences << /DisplayDocTitle true >>\n%s>>\n"
                     "endobj\n",
               lang, page_mode ? "   /PageMode /UseOutlines\n" : "");
    size_t xref = b->len + add.len;
    buf_printf(&add, "xref\n%ld 1\n%010zu 00000 n \ntrailer\n<< /Size %ld\n   /Root %ld 0 R\n",
               root, offset, size, root);
    if (info > 0)
        buf_printf(&add, "   /Info %ld 0 R\n", info);
    buf_printf(&add, "   /Prev %ld\n>>\nstartxref\n%zu\n%%%%EOF\n", prev, xref);
    buf_append(b, add.data, add.len);
    buf_free(&add);
}

static const char *pdf_font(enum pdf_style s)
{
    switch (s) {
    case PDF_SMALL: return "DejaVu Sans 8.5";
    case PDF_BOLD: return "DejaVu Sans Bold 10.5";
    case PDF_HEADING: return "DejaVu Sans Bold 14";
    case PDF_TITLE: return "DejaVu Sans Bold 18";
    case PDF_MONO: return "DejaVu Sans Mono 8";
    case PDF_BODY: break;
    }
    return "DejaVu Sans 10.5";
}

static void pdf_paragraph(struct pdf_doc *p, enum pdf_style style, const char *utf8, int right)
{
    PangoLayout *layout = F.pango_cairo_create_layout(p->cr);
    PangoFontDescription *font = F.pango_font_description_from_string(pdf_font(style));
    F.pango_layout_set_font_description(layout, font);
    F.pango_font_description_free(font);
    F.pango_layout_set_width(layout, (int)((PDF_WIDTH - 2 * PDF_MARGIN) * PANGO_SCALE));
    F.pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    F.pango_layout_set_alignment(layout, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    F.pango_layout_set_text(layout, utf8, -1);
    PangoLayoutIter *it = F.pango_layout_get_iter(layout);
    int first = 1;
    const char *tag = style == PDF_TITLE ? "H1" : style == PDF_HEADING ? "H2" : "P";
    F.cairo_tag_begin(p->cr, tag, NULL);
    do {
        PangoRectangle logical;
        F.pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE;
        double x = (double)logical.x / PANGO_SCALE;
        double baseline = (double)(F.pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
        if (p->y + h > PDF_HEIGHT - PDF_MARGIN) {
            F.cairo_show_page(p->cr);
            p->y = PDF_MARGIN;
            p->page++;
        }
        if (first && p->outline && (style == PDF_TITLE || style == PDF_HEADING)) {
            char dest[64];
            snprintf(dest, sizeof dest, "page=%d pos=[%.1f %.1f]", p->page, PDF_MARGIN, p->y);
            int id = F.cairo_pdf_surface_add_outline(
                p->surface, style == PDF_TITLE ? CAIRO_PDF_OUTLINE_ROOT : p->title_id, utf8,
                dest, style == PDF_TITLE ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
            if (style == PDF_TITLE)
                p->title_id = id;
        }
        first = 0;
        F.cairo_move_to(p->cr, PDF_MARGIN + x, p->y + baseline);
        F.pango_cairo_show_layout_line(p->cr, F.pango_layout_iter_get_line_readonly(it));
        p->y += h;
    } while (F.pango_layout_iter_next_line(it));
    F.cairo_tag_end(p->cr, tag);
    F.pango_layout_iter_free(it);
    F.g_object_unref(layout);
    p->y += style == PDF_HEADING || style == PDF_TITLE ? 8 : 5;
}

static int pdf_doc_finish(struct pdf_doc *p, struct buf *out)
{
    F.cairo_tag_end(p->cr, "Document");
    F.cairo_destroy(p->cr);
    F.cairo_surface_finish(p->surface);
    int ok = F.cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS;
    F.cairo_surface_destroy(p->surface);
    if (ok && p->lang[0])
        pdf_add_catalog_entries(&p->bytes, p->lang, p->title_id != 0);
    if (ok)
        buf_append(out, p->bytes.data, p->bytes.len);
    buf_free(&p->bytes);
    return ok ? 0 : -1;
}

/* A reader over the recorded operations: each take fails (returns -1) past the end. */
struct pdf_reader {
    const char *at, *end;
};

static int pdf_take(struct pdf_reader *r, void *dst, size_t n)
{
    if ((size_t)(r->end - r->at) < n)
        return -1;
    memcpy(dst, r->at, n);
    r->at += n;
    return 0;
}

/* A string of the operations as a NUL-terminated copy in *out (the caller frees it). */
static int pdf_take_string(struct pdf_reader *r, char **out)
{
    uint32_t len;
    if (pdf_take(r, &len, sizeof len) || (size_t)(r->end - r->at) < len)
        return -1;
    *out = xmalloc((size_t)len + 1);
    memcpy(*out, r->at, len);
    (*out)[len] = '\0';
    r->at += len;
    return 0;
}

/* Replays the operations after PDF_OP_NEW into the started document p. */
static int pdf_replay(struct pdf_doc *p, struct pdf_reader *r)
{
    int rc = 0;
    while (rc == 0 && r->at < r->end) {
        unsigned char op = (unsigned char)*r->at++;
        char *s[3] = {NULL, NULL, NULL};
        uint8_t a = 0, b = 0;
        double d;
        switch (op) {
        case PDF_OP_INFO:
            rc = pdf_take(r, &a, 1) || pdf_take_string(r, &s[0]) || pdf_take_string(r, &s[1]) ||
                 pdf_take_string(r, &s[2]);
            if (!rc)
                pdf_doc_info(p, a & 1 ? s[0] : NULL, a & 2 ? s[1] : NULL, a & 4 ? s[2] : NULL);
            break;
        case PDF_OP_LANG:
            rc = pdf_take_string(r, &s[0]);
            if (!rc && strlen(s[0]) < sizeof p->lang)
                memcpy(p->lang, s[0], strlen(s[0]) + 1);
            break;
        case PDF_OP_OUTLINE:
            p->outline = 1;
            break;
        case PDF_OP_TEXT:
            rc = pdf_take(r, &a, 1) || pdf_take(r, &b, 1) || pdf_take_string(r, &s[0]);
            if (!rc && a > PDF_MONO)
                rc = -1;
            if (!rc)
                pdf_paragraph(p, (enum pdf_style)a, s[0], b != 0);
            break;
        case PDF_OP_SPACE:
            rc = pdf_take(r, &d, sizeof d);
            if (!rc)
                p->y += d;
            break;
        default:
            rc = -1;
        }
        free(s[0]);
        free(s[1]);
        free(s[2]);
    }
    return rc;
}

int pdf_cairo_render(const char *ops, size_t n, struct buf *out)
{
    struct pdf_reader r = {ops, ops + n};
    struct pdf_doc p;
    int64_t created;
    char *title = NULL;
    pthread_once(&pdf_cairo_once, pdf_cairo_load);
    if (pdf_cairo_loaded != 1)
        return -1;
    if (n < 1 || *r.at++ != PDF_OP_NEW || pdf_take(&r, &created, sizeof created) ||
        pdf_take_string(&r, &title)) {
        free(title);
        fprintf(stderr, "vejled: malformed PDF operations\n");
        return -1;
    }
    memset(&p, 0, sizeof p);
    pdf_doc_start(&p, title, created);
    free(title);
    int bad = pdf_replay(&p, &r);
    int rc = pdf_doc_finish(&p, out);
    if (bad) {
        fprintf(stderr, "vejled: malformed PDF operations\n");
        return -1;
    }
    return rc;
}

#if defined(__SANITIZE_ADDRESS__)
/* fontconfig (under pango) keeps its font cache for the life of the process and never
 * frees it; that is not ours to fix, so the sanitizer build does not report it.  Any
 * other leak is still reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif
