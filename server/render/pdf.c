/* pdf — records a document's operations; pdf_cairo.c draws them, in a child process
 * (`vejled pdf-render`, bytes over pipes) when a renderer is set, else in this process. */
#include "pdf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
static int pdf_write_all(int fd, const char *p, size_t n)
{
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

/* Reads fd to its end, appended to out; 0 or -1. */
static int pdf_read_all(int fd, struct buf *out)
{
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        buf_append(out, chunk, (size_t)r);
    }
}

/* Draws the operations in a `pdf_renderer pdf-render` child: operations on its standard
 * input, the PDF from its standard output, its errors on ours.  0, or -1. */
static int pdf_render_child(const struct buf *ops, struct buf *out)
{
    int in[2] = {-1, -1}, from[2] = {-1, -1}, rc = -1, status = 0;
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;
    struct buf got = {0};
    sigset_t pipe_sig, old;
    if (pipe2(in, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
        goto out;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    char *argv[] = {pdf_renderer, (char *)"pdf-render", NULL};
    int err = posix_spawn(&pid, pdf_renderer, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(from[1]);
    in[0] = from[1] = -1;
    if (err) {
        fprintf(stderr, "vejled: cannot start the PDF renderer %s: %s\n", pdf_renderer,
                strerror(err));
        pid = -1;
        goto out;
    }
    /* a child that died early must not take this process with SIGPIPE */
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
    int wrote = pdf_write_all(in[1], ops->data, ops->len);
    if (wrote && errno == EPIPE) {
        struct timespec none = {0, 0};
        sigtimedwait(&pipe_sig, NULL, &none);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(in[1]);
    in[1] = -1;
    int read_ok = pdf_read_all(from[0], &got) == 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    if (!wrote && read_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        buf_append(out, got.data, got.len);
        rc = 0;
    } else {
        fprintf(stderr, "vejled: the PDF renderer failed\n");
    }
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (from[i] >= 0)
            close(from[i]);
    }
    buf_free(&got);
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
    int rc = pdf_read_all(0, &ops) == 0 && pdf_cairo_render(ops.data, ops.len, &doc) == 0 &&
                     pdf_write_all(1, doc.data, doc.len) == 0
                 ? 0
                 : 1;
    buf_free(&ops);
    buf_free(&doc);
    return rc;
}
