#include "channel.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"

void channel_sha256(const void *p, size_t n, char out[CHANNEL_SHA256_HEX + 1])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, p, n);
    sodium_bin2hex(out, CHANNEL_SHA256_HEX + 1, d, sizeof d);
}

int channel_enabled(const char *list, const char *channel)
{
    size_t n = strlen(channel);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t w = strcspn(p, ", ");
        if (w == n && strncmp(p, channel, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

/* ------------------------------------------------------------------ outbox (MeMo) */

static void channel_xml_text(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&apos;"); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                buf_putc(out, *s);
        }
    }
}

static void channel_xml_el(struct buf *out, int indent, const char *name, const char *text)
{
    buf_printf(out, "%*s<memo:%s>", indent, "", name);
    channel_xml_text(out, text);
    buf_printf(out, "</memo:%s>\n", name);
}

static char *channel_base64(const void *p, size_t n)
{
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b = xmalloc(len);
    sodium_bin2base64(b, len, p, n, sodium_base64_VARIANT_ORIGINAL);
    return b;
}

void channel_memo_xml(const struct channel_memo *m, struct buf *out)
{
    char created[CLOCK_RFC3339_LEN + 1], file[64];
    clock_format_rfc3339(m->created, created);
    snprintf(file, sizeof file, "%s.pdf", m->message_id);
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<memo:Message xmlns:memo=\"https://DigitalPost.dk/MeMo-1\" memoVersion=\"1.1\"\n"
                  "              memoSchVersion=\"1.1.0\">\n"
                  "  <memo:MessageHeader>\n");
    channel_xml_el(out, 4, "messageType", "DIGITALPOST");
    channel_xml_el(out, 4, "messageUUID", m->message_id);
    channel_xml_el(out, 4, "label", m->label);
    channel_xml_el(out, 4, "mandatory", "false");
    channel_xml_el(out, 4, "legalNotification", "false");
    buf_puts(out, "    <memo:Sender>\n");
    channel_xml_el(out, 6, "senderID", m->sender_id);
    channel_xml_el(out, 6, "idType", "CVR");
    channel_xml_el(out, 6, "label", m->sender_name);
    buf_puts(out, "    </memo:Sender>\n    <memo:Recipient>\n");
    channel_xml_el(out, 6, "recipientID", m->cpr);
    channel_xml_el(out, 6, "idType", "CPR");
    channel_xml_el(out, 6, "label", m->name);
    buf_puts(out, "    </memo:Recipient>\n  </memo:MessageHeader>\n  <memo:MessageBody>\n");
    channel_xml_el(out, 4, "createdDateTime", created);
    buf_puts(out, "    <memo:MainDocument>\n");
    channel_xml_el(out, 6, "mainDocumentID", m->message_id);
    channel_xml_el(out, 6, "label", m->label);
    buf_puts(out, "      <memo:File>\n");
    channel_xml_el(out, 8, "encodingFormat", "application/pdf");
    channel_xml_el(out, 8, "filename", file);
    channel_xml_el(out, 8, "language", m->lang);
    char *b64 = channel_base64(m->pdf, m->pdf_len);
    channel_xml_el(out, 8, "content", b64);
    free(b64);
    buf_puts(out, "      </memo:File>\n      <memo:Action>\n");
    channel_xml_el(out, 8, "label", m->action_label);
    channel_xml_el(out, 8, "actionCode", "SELVBETJENING");
    buf_puts(out, "        <memo:EntryPoint>\n");
    channel_xml_el(out, 10, "url", m->link);
    buf_puts(out, "        </memo:EntryPoint>\n      </memo:Action>\n"
                  "    </memo:MainDocument>\n  </memo:MessageBody>\n</memo:Message>\n");
}

/* Writes path atomically: a temporary file beside it, fsync, rename, fsync of the folder. */
static int channel_write_atomic(const char *dir, const char *name, const void *data, size_t n,
                                char *err, size_t errlen)
{
    char tmp[CONFIG_PATH_MAX + 96], path[CONFIG_PATH_MAX + 96];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        goto fail;
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            goto fail;
        }
        p += w;
        n -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0)
        goto fail;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
fail:
    snprintf(err, errlen, "outbox: cannot write %s: %s", name, strerror(errno));
    unlink(tmp);
    return -1;
}

int channel_outbox_write(const char *dir, const struct channel_memo *m,
                         char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen)
{
    char name[64], probe[CONFIG_PATH_MAX + 96];
    struct buf xml = {0};
    int rc = -1;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "outbox: cannot create the folder: %s", strerror(errno));
        return -1;
    }
    channel_memo_xml(m, &xml);
    channel_sha256(xml.data, xml.len, sha256);
    snprintf(probe, sizeof probe, "%s/%s.xml", dir, m->message_id);
    if (access(probe, F_OK) == 0) { /* written before (a repeat after a crash): done */
        rc = 0;
        goto out;
    }
    snprintf(name, sizeof name, "%s.pdf", m->message_id);
    if (channel_write_atomic(dir, name, m->pdf, m->pdf_len, err, errlen))
        goto out;
    snprintf(name, sizeof name, "%s.xml", m->message_id);
    rc = channel_write_atomic(dir, name, xml.data, xml.len, err, errlen);
out:
    buf_free(&xml);
    return rc;
}

/* ------------------------------------------------------------------ libcurl */

struct channel_upload {
    const char *data;
    size_t left;
};

static size_t channel_read(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct channel_upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

static size_t channel_discard(char *p, size_t size, size_t nmemb, void *arg)
{
    (void)p;
    (void)arg;
    return size * nmemb;
}

static pthread_once_t channel_curl_once = PTHREAD_ONCE_INIT;
static void channel_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* RFC 2047 encoded word for a header with non-ASCII text. */
static void channel_header_utf8(struct buf *out, const char *s)
{
    char *b64 = channel_base64(s, strlen(s));
    buf_printf(out, "=?UTF-8?B?%s?=", b64);
    free(b64);
}

static void channel_mime(const struct config *cfg, const struct channel_mail *m, struct buf *out)
{
    char date[64];
    time_t tt = (time_t)m->date;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(out, "Date: %s\r\nFrom: ", date);
    channel_header_utf8(out, cfg->municipality_name);
    buf_printf(out, " <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@vejled>\r\nSubject: ", cfg->smtp_from,
               m->to, m->message_id);
    channel_header_utf8(out, m->subject);
    buf_printf(out, "\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"vejled-%s\"\r\n\r\n"
                    "--vejled-%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n",
               m->message_id, m->message_id);
    char *b64 = channel_base64(m->text, strlen(m->text));
    for (size_t i = 0, n = strlen(b64); i < n; i += 76)
        buf_printf(out, "%.76s\r\n", b64 + i);
    free(b64);
    if (m->pdf) {
        buf_printf(out, "--vejled-%s\r\nContent-Type: application/pdf; name=\"%s\"\r\n"
                        "Content-Disposition: attachment; filename=\"%s\"\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n",
                   m->message_id, m->pdf_name, m->pdf_name);
        b64 = channel_base64(m->pdf, m->pdf_len);
        for (size_t i = 0, n = strlen(b64); i < n; i += 76)
            buf_printf(out, "%.76s\r\n", b64 + i);
        free(b64);
    }
    buf_printf(out, "--vejled-%s--\r\n", m->message_id);
}

int channel_smtp_send(const struct config *cfg, const struct channel_mail *m,
                      char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen)
{
    struct buf msg = {0};
    struct curl_slist *rcpt = NULL;
    char to[300];
    int rc = -1;
    if (!*cfg->smtp_url) {
        snprintf(err, errlen, "smtp: no [smtp] url configured");
        return -1;
    }
    pthread_once(&channel_curl_once, channel_curl_init);
    channel_mime(cfg, m, &msg);
    channel_sha256(msg.data, msg.len, sha256);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "smtp: cannot start libcurl");
        goto out;
    }
    snprintf(to, sizeof to, "<%s>", m->to);
    rcpt = curl_slist_append(rcpt, to);
    char from[300];
    snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
    struct channel_upload up = {msg.data, msg.len};
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    /* letters hold personal data: TLS (STARTTLS, or smtps://) unless a local relay is
     * explicitly allowed to take them in plain text */
    curl_easy_setopt(c, CURLOPT_USE_SSL, cfg->smtp_allow_plain ? CURLUSESSL_NONE : CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, channel_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->smtp_timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->smtp_timeout_s);
    CURLcode res = curl_easy_perform(c);
    if (res == CURLE_USE_SSL_FAILED) {
        snprintf(err, errlen, "smtp: the server offers no STARTTLS and TLS is required "
                              "([smtp] allow_plain = 1 only for a local relay)");
        goto out;
    }
    if (res != CURLE_OK) {
        snprintf(err, errlen, "smtp: %s", curl_easy_strerror(res));
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(rcpt);
    if (c)
        curl_easy_cleanup(c);
    buf_free(&msg);
    return rc;
}

int channel_webhook_post(const struct config *cfg, const char *delivery_id, const char *body,
                         char sha256[CHANNEL_SHA256_HEX + 1], char *err, size_t errlen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1], header[128], id[160];
    struct curl_slist *headers = NULL;
    int rc = -1;
    if (!*cfg->webhook_url) {
        snprintf(err, errlen, "webhook: no [webhook] url configured");
        return -1;
    }
    pthread_once(&channel_curl_once, channel_curl_init);
    size_t n = strlen(body);
    channel_sha256(body, n, sha256);
    /* HMAC-SHA256 with the secret as key (hashed first when longer than a block, as RFC
     * 2104 says; libsodium's _init does exactly that) */
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)cfg->webhook_secret,
                                strlen(cfg->webhook_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "webhook: cannot start libcurl");
        return -1;
    }
    snprintf(header, sizeof header, "X-Vejled-Signature: sha256=%s", hex);
    snprintf(id, sizeof id, "X-Vejled-Delivery: %s", delivery_id);
    headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
    headers = curl_slist_append(headers, header);
    headers = curl_slist_append(headers, id);
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, cfg->webhook_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, channel_discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->webhook_timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->webhook_timeout_s);
    CURLcode res = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (res != CURLE_OK)
        snprintf(err, errlen, "webhook: %s", curl_easy_strerror(res));
    else if (status < 200 || status > 299)
        snprintf(err, errlen, "webhook: HTTP %ld", status);
    else
        rc = 0;
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return rc;
}
