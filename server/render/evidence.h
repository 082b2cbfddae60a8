/* evidence — one PDF per citizen with the whole documentation trail, for a sanction or
 * complaint case: per enrolment the letters sent (when, channel, message id, SHA-256),
 * the videos watched to the end, the first answers with the content version, the meeting
 * with the caseworker's note; then every journal entry with its hash.  Built from the
 * journal and the store; never contains the CPR.  In Danish (the caseworker's language).
 *
 * For the CLI (`vejled evidence`, with its bundle beside the PDF) and for the staff pages'
 * download (a copy without a bundle).
 */
#ifndef VEJLED_EVIDENCE_H
#define VEJLED_EVIDENCE_H

#include "buf.h"
#include "config.h"
#include "store.h"
#include "vault.h"

/* Appends the PDF to out; cp (borrowed, may be NULL) is the signed checkpoint the PDF
 * names (the one its evidence bundle is checked against).  0; 1 when there is no such
 * citizen; -1 with err. */
int evidence_pdf(const struct config *cfg, struct store *st, const struct vault *vault,
                 const char *citizen_uuid, const struct store_checkpoint *cp, struct buf *out,
                 char *err, size_t errlen);

/* The same for a reader who may see only the enrolments whose caseworker belongs to unit
 * ("" = every enrolment, as evidence_pdf): the other enrolments and their journal entries
 * are left out; cp as for evidence_pdf.  downloaded_by NULL: the PDF of `vejled evidence`,
 * with its bundle beside it (what evidence_pdf makes); else a copy downloaded on the staff
 * pages by that user ("Name (username)"), made without a bundle: its texts say so, who
 * downloaded it and when (as it is made), and with a unit that it shows only what that unit
 * may see. */
int evidence_pdf_unit(const struct config *cfg, struct store *st, const struct vault *vault,
                      const char *citizen_uuid, const char *unit,
                      const struct store_checkpoint *cp, const char *downloaded_by,
                      struct buf *out, char *err, size_t errlen);

#endif
