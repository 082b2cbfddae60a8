#include "pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
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
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    int ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(p->surface);
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
