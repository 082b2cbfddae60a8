#include "pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

#define PDF_WIDTH 595.28  /* A4 in points */
#define PDF_HEIGHT 841.89
#define PDF_MARGIN 62.0

struct pdf {
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

struct pdf *pdf_new(const char *title, int64_t created)
{
    struct pdf *p = xcalloc(1, sizeof *p);
    p->surface = cairo_pdf_surface_create_for_stream(pdf_write, &p->bytes, PDF_WIDTH, PDF_HEIGHT);
    char date[32];
    time_t tt = (time_t)created;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "vejled");
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
    p->cr = cairo_create(p->surface);
    /* a tagged PDF: the structure tree (Document > H1/H2/P, in drawing order) tells screen
     * readers the headings and the reading order */
    cairo_tag_begin(p->cr, "Document", NULL);
    p->y = PDF_MARGIN;
    p->page = 1;
    return p;
}

void pdf_set_info(struct pdf *p, const char *author, const char *subject, const char *keywords)
{
    if (author)
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_AUTHOR, author);
    if (subject)
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
    if (keywords)
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_KEYWORDS, keywords);
}

void pdf_set_lang(struct pdf *p, const char *tag)
{
    size_t n = strlen(tag);
    if (n == 0 || n >= sizeof p->lang)
        return;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)tag[i]) && tag[i] != '-')
            return;
    memcpy(p->lang, tag, n + 1);
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

void pdf_outline_headings(struct pdf *p)
{
    p->outline = 1;
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

static void pdf_paragraph(struct pdf *p, enum pdf_style style, const char *utf8, int right)
{
    PangoLayout *layout = pango_cairo_create_layout(p->cr);
    PangoFontDescription *font = pango_font_description_from_string(pdf_font(style));
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout, (int)((PDF_WIDTH - 2 * PDF_MARGIN) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout, utf8, -1);
    PangoLayoutIter *it = pango_layout_get_iter(layout);
    int first = 1;
    const char *tag = style == PDF_TITLE ? "H1" : style == PDF_HEADING ? "H2" : "P";
    cairo_tag_begin(p->cr, tag, NULL);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE;
        double x = (double)logical.x / PANGO_SCALE;
        double baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
        if (p->y + h > PDF_HEIGHT - PDF_MARGIN) {
            cairo_show_page(p->cr);
            p->y = PDF_MARGIN;
            p->page++;
        }
        if (first && p->outline && (style == PDF_TITLE || style == PDF_HEADING)) {
            char dest[64];
            snprintf(dest, sizeof dest, "page=%d pos=[%.1f %.1f]", p->page, PDF_MARGIN, p->y);
            int id = cairo_pdf_surface_add_outline(
                p->surface, style == PDF_TITLE ? CAIRO_PDF_OUTLINE_ROOT : p->title_id, utf8,
                dest, style == PDF_TITLE ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
            if (style == PDF_TITLE)
                p->title_id = id;
        }
        first = 0;
        cairo_move_to(p->cr, PDF_MARGIN + x, p->y + baseline);
        pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        p->y += h;
    } while (pango_layout_iter_next_line(it));
    cairo_tag_end(p->cr, tag);
    pango_layout_iter_free(it);
    g_object_unref(layout);
    p->y += style == PDF_HEADING || style == PDF_TITLE ? 8 : 5;
}

void pdf_text(struct pdf *p, enum pdf_style style, const char *utf8)
{
    pdf_paragraph(p, style, utf8, 0);
}

void pdf_text_right(struct pdf *p, enum pdf_style style, const char *utf8)
{
    pdf_paragraph(p, style, utf8, 1);
}

void pdf_space(struct pdf *p, double points)
{
    p->y += points;
}

int pdf_finish(struct pdf *p, struct buf *out)
{
    cairo_tag_end(p->cr, "Document");
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    int ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(p->surface);
    if (ok && p->lang[0])
        pdf_add_catalog_entries(&p->bytes, p->lang, p->title_id != 0);
    if (ok)
        buf_append(out, p->bytes.data, p->bytes.len);
    buf_free(&p->bytes);
    free(p);
    return ok ? 0 : -1;
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
