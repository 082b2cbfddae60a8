/* pdf_cairo — draws a recorded document (pdf.c's operations) with cairo and pango.
 *
 * The PDF stack (cairo, pango, fontconfig, glib, freetype, harfbuzz: about 4 MB of
 * libraries, and fontconfig's cache once a font is used) is not linked into vejled: it is
 * opened with dlopen() the first time a document is drawn, in whatever process draws it.
 * `vejled serve` never draws one itself: pdf.c hands the operations to a short-lived
 * `vejled pdf-render` child (pdf_set_renderer), so the server never maps the stack.
 */
#ifndef VEJLED_PDF_CAIRO_H
#define VEJLED_PDF_CAIRO_H

#include <stddef.h>

#include "buf.h"

/* The recorded operations, in call order.  Each is one byte, then its arguments: numbers
 * in this machine's byte order (the child is the same binary on the same machine),
 * strings as a uint32_t length and the bytes. */
enum pdf_op {
    PDF_OP_NEW = 1, /* int64_t created, string title */
    PDF_OP_INFO,    /* uint8_t which (1 author, 2 subject, 4 keywords), three strings */
    PDF_OP_LANG,    /* string tag (already checked) */
    PDF_OP_OUTLINE, /* nothing */
    PDF_OP_TEXT,    /* uint8_t style, uint8_t right, string */
    PDF_OP_SPACE    /* double points */
};

/* Draws the operations (n bytes, the format pdf.c writes) and appends the PDF to out.
 * 0, or -1 when the operations are malformed, the library cannot be opened (message on
 * stderr) or cairo failed (out may then hold part of a document). */
int pdf_cairo_render(const char *ops, size_t n, struct buf *out);

#endif
