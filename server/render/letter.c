#include "letter.h"

#include <string.h>

#include "clock.h"
#include "pdf.h"

const char *letter_string(const json_t *strings, const char *key)
{
    const char *s = json_string_value(json_object_get(strings, key));
    return s ? s : "";
}

void letter_fill(struct buf *out, const char *s, const char *const *vars)
{
    while (*s) {
        const char *open = strstr(s, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            buf_puts(out, s);
            return;
        }
        buf_append(out, s, (size_t)(open - s));
        size_t klen = (size_t)(close - open - 2);
        const char *value = NULL;
        for (size_t i = 0; vars && vars[i]; i += 2)
            if (strlen(vars[i]) == klen && memcmp(vars[i], open + 2, klen) == 0)
                value = vars[i + 1];
        if (value)
            buf_puts(out, value);
        else
            buf_append(out, open, (size_t)(close + 2 - open));
        s = close + 2;
    }
}

static int letter_has_translation(const struct letter *l)
{
    return l->kind == LETTER_GUIDANCE && l->tr_guidance && *l->tr_guidance && l->tr_strings;
}

/* A text into the PDF, one paragraph per blank-line separated block (tmp: scratch). */
static void letter_paragraphs(struct pdf *p, struct buf *tmp, const char *text)
{
    const char *s = text ? text : "";
    while (*s) {
        const char *end = strstr(s, "\n\n");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        buf_reset(tmp);
        buf_append(tmp, s, n);
        if (n)
            pdf_text(p, PDF_BODY, tmp->data);
        s += n;
        while (*s == '\n')
            s++;
    }
}

/* One string with variables filled, as a new C string in tmp (reset first). */
static const char *letter_str(const struct letter *l, struct buf *tmp, const char *key)
{
    char meeting[64], expires[64];
    clock_format_human(l->meeting_at, l->lang, meeting, sizeof meeting);
    clock_format_human_date(l->link_expires, l->lang, expires, sizeof expires);
    const char *vars[] = {"name", l->name, "group", l->group_name, "meeting", meeting,
                          "date", expires, NULL};
    buf_reset(tmp);
    letter_fill(tmp, letter_string(l->strings, key), vars);
    return tmp->data ? tmp->data : "";
}

/* What the guidance rests on, as one sentence or two in tmp ("" when nothing is known):
 * "Vejledningen bygger på …. Reglerne gælder fra … til og med …." */
static const char *letter_basis(const struct letter *l, struct buf *tmp)
{
    char from[64], to[64];
    clock_format_human_day(l->valid_from, l->lang, from, sizeof from);
    clock_format_human_day(l->valid_to, l->lang, to, sizeof to);
    const char *vars[] = {"basis", l->legal_basis ? l->legal_basis : "", "from", from, "to", to,
                          NULL};
    buf_reset(tmp);
    if (l->legal_basis && *l->legal_basis)
        letter_fill(tmp, letter_string(l->strings, "letter_legal_basis"), vars);
    const char *key = *from && *to ? "letter_valid_from_to"
                      : *from      ? "letter_valid_from"
                      : *to        ? "letter_valid_to"
                                   : NULL;
    if (key) {
        if (tmp->len)
            buf_puts(tmp, " ");
        letter_fill(tmp, letter_string(l->strings, key), vars);
    }
    return tmp->data ? tmp->data : "";
}

const char *letter_subject(const struct letter *l)
{
    return letter_string(l->strings, l->kind == LETTER_GUIDANCE ? "mail_subject_guidance"
                                                                 : "mail_subject_reminder");
}

static const char *letter_title_key(const struct letter *l)
{
    return l->kind == LETTER_GUIDANCE ? "letter_title_guidance" : "letter_title_reminder";
}

int letter_pdf(const struct letter *l, struct buf *out)
{
    struct buf tmp = {0};
    char date[64];
    const char *title = letter_string(l->strings, letter_title_key(l));
    struct pdf *p = pdf_new(title, l->date);
    pdf_text(p, PDF_HEADING, l->cfg->municipality_name);
    /* the address: '|' separates its lines */
    buf_puts(&tmp, l->cfg->municipality_address);
    for (char *c = tmp.data; c && *c; c++)
        if (*c == '|')
            *c = '\n';
    pdf_text(p, PDF_SMALL, tmp.data ? tmp.data : "");
    clock_format_human_date(l->date, l->lang, date, sizeof date);
    pdf_text_right(p, PDF_BODY, date);
    pdf_space(p, 10);
    pdf_text(p, PDF_BODY, l->name);
    pdf_space(p, 18);
    pdf_text(p, PDF_TITLE, title);
    pdf_text(p, PDF_BOLD, letter_str(l, &tmp, "letter_group"));
    pdf_space(p, 6);
    pdf_text(p, PDF_BODY, letter_str(l, &tmp, "letter_greeting"));
    if (l->kind == LETTER_GUIDANCE) {
        letter_paragraphs(p, &tmp, l->guidance);
        const char *basis = letter_basis(l, &tmp);
        if (*basis)
            pdf_text(p, PDF_SMALL, basis);
    } else {
        pdf_text(p, PDF_BODY, letter_str(l, &tmp, "letter_reminder_text"));
    }
    pdf_space(p, 6);
    pdf_text(p, PDF_BOLD, letter_str(l, &tmp, "letter_link_intro"));
    pdf_text(p, PDF_BODY, l->link);
    pdf_text(p, PDF_SMALL, letter_str(l, &tmp, "letter_link_expires"));
    pdf_space(p, 10);
    pdf_text(p, PDF_BODY, letter_str(l, &tmp, "letter_closing"));
    pdf_text(p, PDF_BODY, l->cfg->municipality_name);
    pdf_space(p, 10);
    pdf_text(p, PDF_BOLD, letter_str(l, &tmp, "letter_contact"));
    pdf_text(p, PDF_SMALL, l->cfg->municipality_contact);
    pdf_text(p, PDF_SMALL, letter_str(l, &tmp, "letter_auto"));
    if (letter_has_translation(l)) {
        /* after the whole Danish letter: the guidance in the citizen's language (a
         * right-to-left text is set right to left: Pango takes each paragraph's direction
         * from its letters) */
        pdf_space(p, 18);
        pdf_text(p, PDF_HEADING, letter_string(l->tr_strings, "letter_translation_heading"));
        pdf_text(p, PDF_SMALL, letter_string(l->tr_strings, "letter_translation_note"));
        pdf_space(p, 4);
        letter_paragraphs(p, &tmp, l->tr_guidance);
    }
    buf_free(&tmp);
    return pdf_finish(p, out);
}

void letter_text(const struct letter *l, struct buf *out)
{
    struct buf tmp = {0};
    buf_printf(out, "%s\n\n", letter_str(l, &tmp, "letter_greeting"));
    if (l->kind == LETTER_GUIDANCE) {
        buf_printf(out, "%s\n%s\n\n%s\n\n", letter_string(l->strings, letter_title_key(l)),
                   letter_str(l, &tmp, "letter_group"), l->guidance ? l->guidance : "");
        const char *basis = letter_basis(l, &tmp);
        if (*basis)
            buf_printf(out, "%s\n\n", basis);
    } else
        buf_printf(out, "%s\n\n", letter_str(l, &tmp, "letter_reminder_text"));
    buf_printf(out, "%s\n%s\n", letter_str(l, &tmp, "letter_link_intro"), l->link);
    buf_printf(out, "%s\n\n", letter_str(l, &tmp, "letter_link_expires"));
    buf_printf(out, "%s\n\n", letter_string(l->strings, "mail_attachment"));
    buf_printf(out, "%s\n%s\n\n", letter_string(l->strings, "letter_closing"),
               l->cfg->municipality_name);
    buf_printf(out, "%s: %s\n", letter_string(l->strings, "letter_contact"),
               l->cfg->municipality_contact);
    if (letter_has_translation(l))
        buf_printf(out, "\n\n%s\n%s\n\n%s\n",
                   letter_string(l->tr_strings, "letter_translation_heading"),
                   letter_string(l->tr_strings, "letter_translation_note"), l->tr_guidance);
    buf_free(&tmp);
}
