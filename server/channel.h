/* channel — the ways a message leaves vejled.
 *
 *   outbox   files for Digital Post: <id>.pdf and <id>.xml (MeMo-style message holding the
 *            PDF as main document and the personal link as a self-service action), each
 *            written to a temporary file, fsynced and renamed into outbox_dir; the XML last,
 *            so a present XML means a complete message.  Named by message id: writing the
 *            same message again changes nothing.  The one place a CPR is written.
 *   smtp     an e-mail with the letter attached, through libcurl to [smtp] url.  The
 *            Message-ID is the message id, so a receiver can drop a repeat.
 *   webhook  one journal entry as JSON POSTed to [webhook] url with
 *            X-Vejled-Signature: sha256=<hex HMAC-SHA256 of the body with [webhook] secret>.
 *
 * Every function returns 0 or -1 with a short reason in err (never personal data) and
 * gives the lower-case hex SHA-256 of exactly what was sent in sha256.
 */
#ifndef VEJLED_CHANNEL_H
#define VEJLED_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

#define CHANNEL_SHA256_HEX 64

struct channel_memo {
    const char *message_id;  /* UUID v4 */
    const char *label;       /* the letter's title */
    const char *sender_id;   /* the municipality's CVR */
    const char *sender_name;
    const char *cpr;         /* the recipient */
    const char *name;
    const char *lang;
    const char *link;
    const char *action_label;
    int64_t created;
    const void *pdf;
    size_t pdf_len;
};

/* 1 when channel (outbox, smtp, webhook) is in the comma-separated list. */
int channel_enabled(const char *list, const char *channel);

/* The MeMo-style XML of a message (appended to out). */
void channel_memo_xml(const struct channel_memo *m, struct buf *out);

int channel_outbox_write(const char *dir, const struct channel_memo *m,
                         char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen);

struct channel_mail {
    const char *message_id;
    const char *to;
    const char *subject;
    const char *text;
    const void *pdf;        /* may be NULL */
    size_t pdf_len;
    const char *pdf_name;
    int64_t date;
};

int channel_smtp_send(const struct config *cfg, const struct channel_mail *m,
                      char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen);

int channel_webhook_post(const struct config *cfg, const char *delivery_id, const char *body,
                         char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen);

/* lower-case hex SHA-256 of n bytes. */
void channel_sha256(const void *p, size_t n, char out[CHANNEL_SHA256_HEX + 1]);

#endif
