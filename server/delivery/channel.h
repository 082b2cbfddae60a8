/* channel — the ways a message leaves vejled.
 *
 *   outbox   files for Digital Post: <id>.pdf and <id>.xml (MeMo-style message holding the
 *            PDF as main document and the personal link as a self-service action), each
 *            written to a temporary file, fsynced and renamed into outbox_dir; the XML last,
 *            so a present XML means a complete message.  Named by message id: writing the
 *            same message again changes nothing.  The one place a CPR is written.
 *   smtp     an e-mail with the letter attached, through libcurl to [smtp] url.  The
 *            Message-ID is the message id, so a receiver can drop a repeat.
 *   webhook  one journal entry as JSON POSTed to [webhook] url, signed as the Standard
 *            Webhooks specification says: webhook-id (the delivery's message id, the same on
 *            every retry), webhook-timestamp (unix seconds of this attempt, from the system
 *            clock: the receiver compares it with its own) and webhook-signature
 *            "v1,<base64 HMAC-SHA256 of id.timestamp.body>".  The key is the [webhook] secret:
 *            "whsec_<base64>" is the base64-decoded bytes, any other secret its own bytes.
 *            X-Vejled-Signature: sha256=<hex HMAC-SHA256 of the body with the secret string
 *            as it stands> is still sent, for one release (deprecated).
 *
 * The outbox and SMTP functions send bytes made beforehand (channel_memo_xml,
 * channel_mail_message), so that what the scheduler recorded and hashed at the intent is
 * exactly what goes out, on every attempt.
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
/* Which of the list's channels carry a letter to a citizen with e-mail address email (NULL
 * or "": none): *post the outbox (Digital Post) when it is listed, *mail smtp when it is
 * listed and the citizen has an address.  Neither: no letter can reach the citizen. */
void channel_letter_ways(const char *list, const char *email, int *post, int *mail);

/* The MeMo-style XML of a message (appended to out). */
void channel_memo_xml(const struct channel_memo *m, struct buf *out);

/* Writes <message_id>.pdf and <message_id>.xml with exactly these bytes into dir (created
 * when missing), each written, fsynced and renamed into place (the XML last): 0 once both
 * are placed, whether or not the pickup has taken them since.  Right before the XML's
 * rename an empty marker, .<message_id>.placed, is made and synced: when an earlier attempt
 * placed the letter (a repeat after a crash), the XML or, if the pickup has taken the
 * files, the marker says so, and nothing is written again; *placed_at then gets the time
 * it was placed (the file's modification time), else 0 (placed now).  xml_sha256 and
 * pdf_sha256 (each may be NULL) get the SHA-256 of the files as written (read back before
 * the rename), or of those an earlier attempt placed; of these bytes when those are gone
 * already.  The pickup ignores files whose name begins with a dot. */
int channel_outbox_write(const char *dir, const char *message_id, const void *pdf,
                         size_t pdf_len, const void *xml, size_t xml_len,
                         char *xml_sha256, char *pdf_sha256, int64_t *placed_at, char *err,
                         size_t errlen);

/* Removes the placement marker of message_id once its sending is recorded. */
void channel_outbox_done(const char *dir, const char *message_id);

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

/* The whole e-mail (headers, text and the PDF attached, MIME) appended to out: the bytes
 * channel_smtp_send() sends. */
void channel_mail_message(const struct config *cfg, const struct channel_mail *m,
                          struct buf *out);

/* Sends msg (from channel_mail_message) to the address `to` through [smtp] url. */
int channel_smtp_send(const struct config *cfg, const char *to, const void *msg, size_t len,
                      char *err, size_t errlen);

#define CHANNEL_WEBHOOK_KEY_MAX 256
#define CHANNEL_WEBHOOK_SIG_MAX 64 /* "v1," + base64 of 32 bytes + NUL */

/* The signing key of a [webhook] secret: "whsec_<base64>" decoded, any other secret its own
 * bytes.  0 with key[*len], or -1 when the secret is empty or "whsec_" is not followed by
 * valid base64 (standard alphabet, padded). */
int channel_webhook_key(const char *secret, unsigned char key[CHANNEL_WEBHOOK_KEY_MAX],
                        size_t *len);

/* The webhook-signature header value for a message: "v1," and the base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>" with key. */
void channel_webhook_signature(const unsigned char *key, size_t keylen, const char *id,
                               int64_t timestamp, const char *body, size_t n,
                               char out[CHANNEL_WEBHOOK_SIG_MAX]);

/* POSTs body, signed (see above) with id as webhook-id and timestamp as webhook-timestamp. */
int channel_webhook_post(const struct config *cfg, const char *id, int64_t timestamp,
                         const char *body, char sha256[CHANNEL_SHA256_HEX + 1], char *err,
                         size_t errlen);

/* lower-case hex SHA-256 of n bytes. */
void channel_sha256(const void *p, size_t n, char out[CHANNEL_SHA256_HEX + 1]);

#endif
