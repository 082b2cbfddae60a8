/* pdf — flowing text documents as PDF (cairo + pango): letters and evidence documents.
 *
 * The calls below record the document; pdf_finish() has it drawn by pdf_cairo.c, which
 * opens the PDF libraries only then.  With a renderer set (pdf_set_renderer: every
 * `vejled` command sets its own executable) the drawing happens in a child, `vejled
 * pdf-render`, that reads the operations on its standard input and writes the PDF to its
 * standard output; it is kept for the next documents and ends by itself after 10 seconds
 * without one, so the long-running server never maps cairo, pango or fontconfig and a
 * quiet server has no PDF process.  The bytes are the same either way.
 *
 * A document is A4 with fixed margins; each call adds one paragraph, wrapped to the page
 * width and continued on a new page when it does not fit.  Text is plain UTF-8 (never
 * markup), so whatever a name or a guidance text holds is shown as it is.  The creation
 * date is set from the caller's time, so the same input gives the same bytes.  The PDF is
 * tagged: a structure tree Document > H1 (PDF_TITLE) / H2 (PDF_HEADING) / P (every other
 * paragraph) in reading order, for screen readers.
 */
#ifndef VEJLED_PDF_H
#define VEJLED_PDF_H

#include <stdint.h>

#include "buf.h"

enum pdf_style {
    PDF_BODY,    /* 10.5 pt */
    PDF_SMALL,   /* 8.5 pt */
    PDF_BOLD,    /* 10.5 pt bold */
    PDF_HEADING, /* 14 pt bold */
    PDF_TITLE,   /* 18 pt bold */
    PDF_MONO     /* 8 pt monospace: hashes and ids */
};

struct pdf;

/* A new document (title in the PDF's metadata, created UTC seconds).  Never NULL. */
struct pdf *pdf_new(const char *title, int64_t created);

/* Document information: author, subject and keywords (any may be NULL). */
void pdf_set_info(struct pdf *p, const char *author, const char *subject, const char *keywords);

/* The document's language (a BCP 47 tag such as "da": letters, digits and '-', at most 15),
 * for screen readers.  cairo 1.16 cannot write it, so pdf_finish() adds it to the document
 * catalog in an incremental update (a standard PDF appendix: the new catalog, a one-entry
 * cross-reference section and a trailer pointing back to cairo's), together with
 * /PageMode /UseOutlines when there are bookmarks and /DisplayDocTitle.  Ignored when tag
 * is not such a tag. */
void pdf_set_lang(struct pdf *p, const char *tag);

/* From now on every PDF_TITLE and PDF_HEADING paragraph is also a bookmark (the PDF's
 * outline): the title at the top level, the headings under it. */
void pdf_outline_headings(struct pdf *p);

/* One paragraph; right-aligned when right is set. */
void pdf_text(struct pdf *p, enum pdf_style style, const char *utf8);
void pdf_text_right(struct pdf *p, enum pdf_style style, const char *utf8);

/* Vertical space in points. */
void pdf_space(struct pdf *p, double points);

/* Ends the document into out (appended) and frees p.  0, or -1 when cairo failed (or the
 * renderer could not be started or failed; a message is on stderr). */
int pdf_finish(struct pdf *p, struct buf *out);

/* Documents are drawn by `exe pdf-render` (a copy of the path is kept; call before any
 * thread makes a document); NULL or "": in this process (the default). */
void pdf_set_renderer(const char *exe);

/* The `vejled pdf-render` command: documents, one after the other, as frames (a uint64_t
 * length and the bytes) of operations on standard input, each answered by a frame on
 * standard output (a status byte, 0 or 1 for failed, then the PDF); it ends when its input
 * closes or after 10 seconds without a document (the parent starts a new one when it
 * needs one).  The exit status: 0, or 1. */
int pdf_render_main(void);

#endif
