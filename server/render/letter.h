/* letter — the citizen's letters: the written guidance of the target group (the pack's
 * text) and the reminder before the meeting, as a PDF and as the plain text of an e-mail.
 *
 * Every word comes from the UI strings (templates/lang/{da,en}.json, keys letter_* and
 * mail_*) or from the content pack; the municipality's name, address and contact details
 * from the configuration.  The PDF's creation date is the letter's date, so rendering the
 * same letter twice gives the same bytes.
 */
#ifndef VEJLED_LETTER_H
#define VEJLED_LETTER_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

enum letter_kind { LETTER_GUIDANCE, LETTER_REMINDER };

struct letter {
    const struct config *cfg;  /* municipality_name, _address, _contact */
    const json_t *strings;     /* the UI strings of the citizen's language */
    const char *lang;          /* "da" | "en" */
    enum letter_kind kind;
    const char *name;          /* the citizen's name */
    const char *group_name;
    const char *guidance;      /* LETTER_GUIDANCE: the pack's written guidance */
    const char *link;          /* the personal link */
    int64_t link_expires;
    int64_t meeting_at;
    int64_t date;              /* the letter's date (UTC seconds) */
    /* LETTER_GUIDANCE in a language other than Danish and English: the guidance once more
     * in that language, after the Danish text (the Danish text is the one that applies);
     * NULL for none. */
    const char *tr_guidance;
    const json_t *tr_strings;  /* that language's strings (its heading and note) */
    const char *tr_lang;       /* its code */
    /* LETTER_GUIDANCE: what the guidance rests on, said after it (NULL or "": not said) */
    const char *legal_basis;
    const char *valid_from;    /* "YYYY-MM-DD" Copenhagen days, both included */
    const char *valid_to;
};

/* The PDF, appended to out.  0 or -1. */
int letter_pdf(const struct letter *l, struct buf *out);

/* The e-mail's subject line (borrowed from the strings). */
const char *letter_subject(const struct letter *l);

/* The e-mail's plain text, appended to out. */
void letter_text(const struct letter *l, struct buf *out);

/* s with each {{key}} of vars (NULL-terminated key, value pairs) replaced; appended to out.
 * Shared with the evidence document. */
void letter_fill(struct buf *out, const char *s, const char *const *vars);

/* The string key of strings, "" when missing. */
const char *letter_string(const json_t *strings, const char *key);

#endif
