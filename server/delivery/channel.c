#include "channel.h"

/* the type-checking macros would hide the function names the table below uses */
#define CURL_DISABLE_TYPECHECK
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
#include "dynlib.h"
#include "files.h"
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

void channel_letter_ways(const char *list, const char *email, int *post, int *mail)
{
    *post = channel_enabled(list, "outbox");
    *mail = channel_enabled(list, "smtp") && email && *email;
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

/* The SHA-256 of a file's bytes into out; 0 or -1. */
static int channel_file_sha256(const char *path, char out[CHANNEL_SHA256_HEX + 1])
{
    unsigned char d[crypto_hash_sha256_BYTES], chunk[16384];
    crypto_hash_sha256_state st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_init(&st);
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            crypto_hash_sha256_update(&st, chunk, (size_t)r);
    close(fd);
    if (r < 0)
        return -1;
    crypto_hash_sha256_final(&st, d);
    sodium_bin2hex(out, CHANNEL_SHA256_HEX + 1, d, sizeof d);
    return 0;
}

/* fsync of a folder, so that what was created or renamed in it lasts a power cut. */
static int channel_sync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int rc = fsync(dfd);
    close(dfd);
    return rc;
}

/* Writes path atomically: a temporary file beside it, fsync, rename, fsync of the folder.
 * marker (may be NULL): a file made, empty, right before the rename (and removed again
 * when the write fails).
 * sha256 (may be NULL) gets the SHA-256 of the temporary file as written, read back before
 * the rename: once renamed the file belongs to the pickup, which may take it at once. */
static int channel_write_atomic(const char *dir, const char *name, const void *data, size_t n,
                                char *sha256, const char *marker, char *err, size_t errlen)
{
    char tmp[CONFIG_PATH_MAX + 96], path[CONFIG_PATH_MAX + 96];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        goto fail;
    if (files_write_all(fd, data, n) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        goto fail;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || (sha256 && channel_file_sha256(tmp, sha256) != 0))
        goto fail;
    if (marker) { /* made and synced before the rename: see channel_outbox_write */
        fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd < 0 || close(fd) != 0 || channel_sync_dir(dir) != 0)
            goto fail;
    }
    if (rename(tmp, path) != 0)
        goto fail;
    channel_sync_dir(dir);
    return 0;
fail:
    snprintf(err, errlen, "outbox: cannot write %s: %s", name, strerror(errno));
    if (marker) /* first: a marker without its temporary file means "placed" */
        unlink(marker);
    unlink(tmp);
    return -1;
}

/* ".<message_id>.placed" in dir: made right before the XML is renamed into place, removed
 * once the sending is recorded (channel_outbox_done). */
static void channel_marker_path(const char *dir, const char *message_id, char *out, size_t n)
{
    snprintf(out, n, "%s/.%s.placed", dir, message_id);
}

/* The modification time of path in seconds, or 0 when it cannot be read. */
static int64_t channel_mtime(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_mtim.tv_sec : 0;
}

int channel_outbox_write(const char *dir, const char *message_id, const void *pdf,
                         size_t pdf_len, const void *xml, size_t xml_len,
                         char *xml_sha256, char *pdf_sha256, int64_t *placed_at, char *err,
                         size_t errlen)
{
    char name[64], path[CONFIG_PATH_MAX + 96], marker[CONFIG_PATH_MAX + 96];
    *placed_at = 0;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "outbox: cannot create the folder: %s", strerror(errno));
        return -1;
    }
    channel_marker_path(dir, message_id, marker, sizeof marker);
    snprintf(path, sizeof path, "%s/%s.xml", dir, message_id);
    int64_t xml_at = channel_mtime(path), marker_at = channel_mtime(marker);
    if (!xml_at && marker_at) {
        /* a marker without the XML: renamed and taken by the pickup since, unless the
         * XML's temporary file is still there (the rename never happened) */
        snprintf(path, sizeof path, "%s/.%s.xml.tmp", dir, message_id);
        if (access(path, F_OK) == 0)
            marker_at = 0;
        snprintf(path, sizeof path, "%s/%s.xml", dir, message_id);
    }
    if (xml_at || marker_at) {
        /* placed by an earlier attempt (a repeat after a crash): nothing is written again,
         * and it was placed when the XML (or the marker, made just before its rename) was
         * written.  The hashes are those of the files that lie there, or, when the pickup
         * has taken them, of these bytes (the ones kept with the intent, written then) */
        *placed_at = xml_at ? xml_at : marker_at;
        if (xml_sha256 && channel_file_sha256(path, xml_sha256) != 0)
            channel_sha256(xml, xml_len, xml_sha256);
        snprintf(path, sizeof path, "%s/%s.pdf", dir, message_id);
        if (pdf_sha256 && channel_file_sha256(path, pdf_sha256) != 0)
            channel_sha256(pdf, pdf_len, pdf_sha256);
        return 0;
    }
    /* placed once both are renamed into place, the XML last: that is the success, whether
     * or not the files are still there a moment later (the pickup may take them at once);
     * the marker says so to a later attempt even when they are gone */
    snprintf(name, sizeof name, "%s.pdf", message_id);
    if (channel_write_atomic(dir, name, pdf, pdf_len, pdf_sha256, NULL, err, errlen))
        return -1;
    snprintf(name, sizeof name, "%s.xml", message_id);
    if (channel_write_atomic(dir, name, xml, xml_len, xml_sha256, marker, err, errlen))
        return -1;
    return 0;
}

void channel_outbox_done(const char *dir, const char *message_id)
{
    char marker[CONFIG_PATH_MAX + 96];
    channel_marker_path(dir, message_id, marker, sizeof marker);
    if (unlink(marker) != 0 && errno != ENOENT)
        fprintf(stderr, "vejled: outbox: cannot remove a placement marker: %s\n",
                strerror(errno));
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

/* libcurl (and the TLS, SSH, LDAP and Kerberos libraries under it: about 3 MB resident)
 * is not linked: it is opened with dlopen() the first time a letter goes out by SMTP or
 * webhook, so a server that has not sent one does not map it. */
#define CHANNEL_CURL_FUNCTIONS(X)                                                             \
    X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_perform)         \
    X(curl_easy_setopt) X(curl_easy_strerror) X(curl_global_init) X(curl_slist_append)        \
    X(curl_slist_free_all)
#define CHANNEL_CURL_FIELD(name) __typeof__(&name) name;
#define CHANNEL_CURL_ENTRY(name) DYNLIB_FN(F, name)
static struct {
    CHANNEL_CURL_FUNCTIONS(CHANNEL_CURL_FIELD)
} F;
static const struct dynlib_fn channel_curl_fns[] = {CHANNEL_CURL_FUNCTIONS(CHANNEL_CURL_ENTRY)};
static int channel_curl_ok; /* 1 when F is filled; set once under channel_curl_once */

static pthread_once_t channel_curl_once = PTHREAD_ONCE_INIT;
static void channel_curl_init(void)
{
    char err[256];
    if (dynlib_load("libcurl.so.4", channel_curl_fns,
                    sizeof channel_curl_fns / sizeof channel_curl_fns[0], err, sizeof err) != 0) {
        fprintf(stderr, "vejled: %s\n", err);
        return;
    }
    channel_curl_ok = 1;
    F.curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* RFC 2047 encoded word for a header with non-ASCII text. */
static void channel_header_utf8(struct buf *out, const char *s)
{
    char *b64 = channel_base64(s, strlen(s));
    buf_printf(out, "=?UTF-8?B?%s?=", b64);
    free(b64);
}

void channel_mail_message(const struct config *cfg, const struct channel_mail *m,
                          struct buf *out)
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

int channel_smtp_send(const struct config *cfg, const char *to_addr, const void *msg,
                      size_t len, char *err, size_t errlen)
{
    struct curl_slist *rcpt = NULL;
    char to[300];
    int rc = -1;
    if (!*cfg->smtp_url) {
        snprintf(err, errlen, "smtp: no [smtp] url configured");
        return -1;
    }
    pthread_once(&channel_curl_once, channel_curl_init);
    CURL *c = channel_curl_ok ? F.curl_easy_init() : NULL;
    if (!c) {
        snprintf(err, errlen, "smtp: cannot start libcurl");
        goto out;
    }
    snprintf(to, sizeof to, "<%s>", to_addr);
    rcpt = F.curl_slist_append(rcpt, to);
    char from[300];
    snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
    struct channel_upload up = {msg, len};
    F.curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    F.curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    F.curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    /* letters hold personal data: TLS (STARTTLS, or smtps://) unless a local relay is
     * explicitly allowed to take them in plain text */
    F.curl_easy_setopt(c, CURLOPT_USE_SSL, cfg->smtp_allow_plain ? CURLUSESSL_NONE : CURLUSESSL_ALL);
    F.curl_easy_setopt(c, CURLOPT_READFUNCTION, channel_read);
    F.curl_easy_setopt(c, CURLOPT_READDATA, &up);
    F.curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    F.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    F.curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->smtp_timeout_s);
    F.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->smtp_timeout_s);
    CURLcode res = F.curl_easy_perform(c);
    if (res == CURLE_USE_SSL_FAILED) {
        snprintf(err, errlen, "smtp: the server offers no STARTTLS and TLS is required "
                              "([smtp] allow_plain = 1 only for a local relay)");
        goto out;
    }
    if (res != CURLE_OK) {
        snprintf(err, errlen, "smtp: %s", F.curl_easy_strerror(res));
        goto out;
    }
    rc = 0;
out:
    F.curl_slist_free_all(rcpt);
    if (c)
        F.curl_easy_cleanup(c);
    return rc;
}

int channel_webhook_key(const char *secret, unsigned char key[CHANNEL_WEBHOOK_KEY_MAX],
                        size_t *len)
{
    static const char prefix[] = "whsec_";
    size_t n = strlen(secret);
    *len = 0;
    if (strncmp(secret, prefix, sizeof prefix - 1) != 0) {
        if (n == 0 || n > CHANNEL_WEBHOOK_KEY_MAX)
            return -1;
        memcpy(key, secret, n);
        *len = n;
        return 0;
    }
    const char *b64 = secret + sizeof prefix - 1, *end = NULL;
    size_t b64len = strlen(b64);
    if (b64len == 0 ||
        sodium_base642bin(key, CHANNEL_WEBHOOK_KEY_MAX, b64, b64len, NULL, len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64len || *len == 0) {
        *len = 0;
        return -1;
    }
    return 0;
}

void channel_webhook_signature(const unsigned char *key, size_t keylen, const char *id,
                               int64_t timestamp, const char *body, size_t n,
                               char out[CHANNEL_WEBHOOK_SIG_MAX])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];
    int tslen = snprintf(ts, sizeof ts, "%lld", (long long)timestamp);
    /* HMAC-SHA256 (a key longer than a block is hashed first, as RFC 2104 says; libsodium's
     * _init does exactly that) of id "." timestamp "." body */
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)tslen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, CHANNEL_WEBHOOK_SIG_MAX - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(&st, sizeof st);
}

int channel_webhook_post(const struct config *cfg, const char *id, int64_t timestamp,
                         const char *body, char sha256[CHANNEL_SHA256_HEX + 1], char *err,
                         size_t errlen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES], key[CHANNEL_WEBHOOK_KEY_MAX];
    char hex[2 * sizeof mac + 1], legacy[128], sig[CHANNEL_WEBHOOK_SIG_MAX];
    char h_id[160], h_ts[64], h_sig[CHANNEL_WEBHOOK_SIG_MAX + 32], h_legacy_id[160];
    struct curl_slist *headers = NULL;
    size_t keylen = 0;
    int rc = -1;
    if (!*cfg->webhook_url) {
        snprintf(err, errlen, "webhook: no [webhook] url configured");
        return -1;
    }
    if (channel_webhook_key(cfg->webhook_secret, key, &keylen) != 0) {
        snprintf(err, errlen, "webhook: [webhook] secret is missing or not whsec_<base64>");
        return -1;
    }
    pthread_once(&channel_curl_once, channel_curl_init);
    size_t n = strlen(body);
    channel_sha256(body, n, sha256);
    channel_webhook_signature(key, keylen, id, timestamp, body, n, sig);
    sodium_memzero(key, sizeof key);
    /* deprecated, for one release: HMAC of the body alone, keyed with the secret string */
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)cfg->webhook_secret,
                                strlen(cfg->webhook_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    CURL *c = channel_curl_ok ? F.curl_easy_init() : NULL;
    if (!c) {
        snprintf(err, errlen, "webhook: cannot start libcurl");
        return -1;
    }
    snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)timestamp);
    snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
    snprintf(legacy, sizeof legacy, "X-Vejled-Signature: sha256=%s", hex);
    snprintf(h_legacy_id, sizeof h_legacy_id, "X-Vejled-Delivery: %s", id);
    headers = F.curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
    headers = F.curl_slist_append(headers, h_id);
    headers = F.curl_slist_append(headers, h_ts);
    headers = F.curl_slist_append(headers, h_sig);
    headers = F.curl_slist_append(headers, legacy);
    headers = F.curl_slist_append(headers, h_legacy_id);
    headers = F.curl_slist_append(headers, "Expect:");
    F.curl_easy_setopt(c, CURLOPT_URL, cfg->webhook_url);
    F.curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    F.curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    F.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
    F.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, channel_discard);
    F.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    F.curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->webhook_timeout_s);
    F.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->webhook_timeout_s);
    CURLcode res = F.curl_easy_perform(c);
    long status = 0;
    F.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (res != CURLE_OK)
        snprintf(err, errlen, "webhook: %s", F.curl_easy_strerror(res));
    else if (status < 200 || status > 299)
        snprintf(err, errlen, "webhook: HTTP %ld", status);
    else
        rc = 0;
    F.curl_slist_free_all(headers);
    F.curl_easy_cleanup(c);
    return rc;
}
