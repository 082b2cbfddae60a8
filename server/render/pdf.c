/* pdf — records a document's operations; pdf_cairo.c draws them, in a child process
 * (`vejled pdf-render`, bytes over pipes) when a renderer is set, else in this process. */
#include "pdf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "pdf_cairo.h"

extern char **environ;

struct pdf {
    struct buf ops; /* the operations so far (pdf_cairo.h) */
};

/* The executable that draws documents, or "" for this process; set once at start. */
static char pdf_renderer[4096];

void pdf_set_renderer(const char *exe)
{
    snprintf(pdf_renderer, sizeof pdf_renderer, "%s", exe ? exe : "");
}

static void pdf_op(struct pdf *p, enum pdf_op op)
{
    buf_putc(&p->ops, (char)op);
}

static void pdf_op_string(struct pdf *p, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    uint32_t len = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    buf_append(&p->ops, &len, sizeof len);
    buf_append(&p->ops, s ? s : "", len);
}

struct pdf *pdf_new(const char *title, int64_t created)
{
    struct pdf *p = xcalloc(1, sizeof *p);
    pdf_op(p, PDF_OP_NEW);
    buf_append(&p->ops, &created, sizeof created);
    pdf_op_string(p, title);
    return p;
}

void pdf_set_info(struct pdf *p, const char *author, const char *subject, const char *keywords)
{
    uint8_t which = (uint8_t)((author ? 1 : 0) | (subject ? 2 : 0) | (keywords ? 4 : 0));
    pdf_op(p, PDF_OP_INFO);
    buf_append(&p->ops, &which, 1);
    pdf_op_string(p, author);
    pdf_op_string(p, subject);
    pdf_op_string(p, keywords);
}

void pdf_set_lang(struct pdf *p, const char *tag)
{
    size_t n = strlen(tag);
    if (n == 0 || n >= 16)
        return;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)tag[i]) && tag[i] != '-')
            return;
    pdf_op(p, PDF_OP_LANG);
    pdf_op_string(p, tag);
}

void pdf_outline_headings(struct pdf *p)
{
    pdf_op(p, PDF_OP_OUTLINE);
}

static void pdf_paragraph(struct pdf *p, enum pdf_style style, const char *utf8, int right)
{
    uint8_t a[2] = {(uint8_t)style, (uint8_t)(right != 0)};
    pdf_op(p, PDF_OP_TEXT);
    buf_append(&p->ops, a, 2);
    pdf_op_string(p, utf8);
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
    pdf_op(p, PDF_OP_SPACE);
    buf_append(&p->ops, &points, sizeof points);
}

/* Writes n bytes to fd; 0, or -1 (EPIPE when the reader is gone). */
static int pdf_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes from fd into dst; 0, or -1 (end of file or error first). */
static int pdf_read_exact(int fd, void *dst, size_t n)
{
    char *p = dst;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* A frame on the pipes: a uint64_t length, then the bytes (operations to the renderer; a
 * status byte, 0 for a document, then the PDF, from it). */
static int pdf_read_frame(int fd, struct buf *out)
{
    uint64_t len;
    if (pdf_read_exact(fd, &len, sizeof len) || len > ((uint64_t)1 << 34))
        return -1;
    buf_reserve(out, (size_t)len);
    if (pdf_read_exact(fd, out->data + out->len, (size_t)len))
        return -1;
    out->len += (size_t)len;
    out->data[out->len] = '\0';
    return 0;
}

static int pdf_write_frame(int fd, const void *data, size_t n)
{
    uint64_t len = n;
    return pdf_write_all(fd, &len, sizeof len) || pdf_write_all(fd, data, n) ? -1 : 0;
}

/* The renderer child of this process: started for the first document, kept for the next
 * ones (starting one and its font set-up cost more than a letter), gone by itself after
 * PDF_IDLE_S seconds without one (it waits with a timeout), so a quiet server has no
 * PDF process.  One document at a time: the lock is held over a round trip. */
#define PDF_IDLE_S 10
static pthread_mutex_t pdf_child_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t pdf_child_pid = -1;
static int pdf_child_in = -1, pdf_child_out = -1; /* our ends: its stdin, its stdout */

/* The reaper of one child (a detached thread): waits for its end.  Whoever reaps first
 * wins; the other's waitpid fails with ECHILD, which is fine. */
static void *pdf_child_reap(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* Ends the child (closing its input ends it) and reaps it. */
static void pdf_child_end(void)
{
    int status;
    if (pdf_child_in >= 0)
        close(pdf_child_in);
    if (pdf_child_out >= 0)
        close(pdf_child_out);
    pdf_child_in = pdf_child_out = -1;
    if (pdf_child_pid > 0)
        while (waitpid(pdf_child_pid, &status, 0) < 0 && errno == EINTR)
            ;
    pdf_child_pid = -1;
}

/* Starts `pdf_renderer pdf-render` on two pipes; 0 or -1. */
static int pdf_child_start(void)
{
    int in[2] = {-1, -1}, from[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    if (pipe2(in, O_CLOEXEC) || pipe2(from, O_CLOEXEC)) {
        for (int i = 0; i < 2; i++) {
            if (in[i] >= 0)
                close(in[i]);
            if (from[i] >= 0)
                close(from[i]);
        }
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* nothing else of ours */
    char *argv[] = {pdf_renderer, (char *)"pdf-render", NULL};
    pid_t pid;
    int err = posix_spawn(&pid, pdf_renderer, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(from[1]);
    if (err) {
        fprintf(stderr, "vejled: cannot start the PDF renderer %s: %s\n", pdf_renderer,
                strerror(err));
        close(in[1]);
        close(from[0]);
        return -1;
    }
    pdf_child_pid = pid;
    pdf_child_in = in[1];
    pdf_child_out = from[0];
    /* when it ends by itself, it is reaped at once (no zombie until the next document) */
    pthread_t reaper;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&reaper, &attr, pdf_child_reap, (void *)(intptr_t)pid) != 0)
        fprintf(stderr, "vejled: no thread to reap the PDF renderer; it is reaped later\n");
    pthread_attr_destroy(&attr);
    return 0;
}

/* One round trip with the child (started if needed): the operations out, the document
 * back.  1 when the child was gone before answering (it may have timed out: try again
 * with a new one), 0 done, -1 failed. */
static int pdf_child_round(const struct buf *ops, struct buf *out)
{
    int status, rc = -1;
    sigset_t pipe_sig, old;
    struct buf got = {0};
    /* a child that ended by itself is reaped here */
    if (pdf_child_pid > 0 && waitpid(pdf_child_pid, &status, WNOHANG) == pdf_child_pid) {
        pdf_child_pid = -1;
        pdf_child_end();
    }
    if (pdf_child_pid < 0 && pdf_child_start())
        return -1;
    /* a child gone early must not take this process with SIGPIPE */
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
    int wrote = pdf_write_frame(pdf_child_in, ops->data, ops->len);
    if (wrote && errno == EPIPE) {
        struct timespec none = {0, 0};
        sigtimedwait(&pipe_sig, NULL, &none);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (wrote || pdf_read_frame(pdf_child_out, &got) || got.len < 1) {
        rc = 1; /* gone (timed out, or crashed: the next try tells) */
        pdf_child_end();
    } else if (got.data[0] != 0) {
        fprintf(stderr, "vejled: the PDF renderer could not draw a document\n");
    } else {
        buf_append(out, got.data + 1, got.len - 1);
        rc = 0;
    }
    buf_free(&got);
    return rc;
}

/* Draws the operations in the renderer child.  0, or -1. */
static int pdf_render_child(const struct buf *ops, struct buf *out)
{
    pthread_mutex_lock(&pdf_child_lock);
    int rc = pdf_child_round(ops, out);
    if (rc == 1)
        rc = pdf_child_round(ops, out);
    if (rc == 1) {
        fprintf(stderr, "vejled: the PDF renderer ended without a document\n");
        rc = -1;
    }
    pthread_mutex_unlock(&pdf_child_lock);
    return rc;
}

int pdf_finish(struct pdf *p, struct buf *out)
{
    int rc = pdf_renderer[0] ? pdf_render_child(&p->ops, out)
                             : pdf_cairo_render(p->ops.data, p->ops.len, out);
    buf_free(&p->ops);
    free(p);
    return rc;
}

int pdf_render_main(void)
{
    struct buf ops = {0}, doc = {0};
    int rc = 0;
    signal(SIGPIPE, SIG_IGN); /* a parent gone: write fails, the loop ends */
    for (;;) {
        /* wait for the next document at most PDF_IDLE_S seconds */
        struct pollfd pfd = {.fd = 0, .events = POLLIN};
        int ready = poll(&pfd, 1, PDF_IDLE_S * 1000);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break; /* idle (or an error): done */
        buf_reset(&ops);
        if (pdf_read_frame(0, &ops))
            break; /* the parent closed: done */
        buf_reset(&doc);
        buf_putc(&doc, 0);
        if (pdf_cairo_render(ops.data, ops.len, &doc) != 0) {
            buf_reset(&doc);
            buf_putc(&doc, 1);
        }
        if (pdf_write_frame(1, doc.data, doc.len)) {
            rc = 1;
            break;
        }
    }
    buf_free(&ops);
    buf_free(&doc);
    return rc;
}
