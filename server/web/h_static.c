/* Static files (CSS, JS, fonts, icons) and media (videos) from their folders, with the
 * HTTP layer adding ETag and Range.  Paths are checked segment by segment: no "..", no
 * hidden files, nothing outside the folder. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers.h"

static const struct {
    const char *ext;
    const char *type;
} h_static_types[] = {
    {".css", "text/css; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},            {".png", "image/png"},
    {".jpg", "image/jpeg"},               {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},             {".woff", "font/woff"},
    {".ttf", "font/ttf"},                 {".mp4", "video/mp4"},
    {".webm", "video/webm"},              {".vtt", "text/vtt; charset=utf-8"},
    {".json", "application/json"},        {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

static const char *h_static_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof h_static_types / sizeof h_static_types[0]; i++)
            if (strcmp(dot, h_static_types[i].ext) == 0)
                return h_static_types[i].type;
    return NULL;
}

/* A relative path whose every segment is a plain visible name. */
static int h_static_path_ok(const char *rel)
{
    if (!*rel || *rel == '/')
        return 0;
    const char *seg = rel;
    for (;;) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || seg[0] == '.')
            return 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)seg[i] < 0x20 || seg[i] == '\\')
                return 0;
        if (!seg[n])
            return 1;
        seg += n + 1;
    }
}

static void h_static_serve(struct app_call *c, const char *root)
{
    const char *rel = c->req->match->params[0];
    const char *type = h_static_type(rel);
    char path[CONFIG_PATH_MAX + ROUTER_PARAM_MAX + 2];
    struct stat st;
    if (!h_static_path_ok(rel) || !type) {
        app_page_error(c, 404, "not_found");
        return;
    }
    snprintf(path, sizeof path, "%s/%s", root, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        app_page_error(c, 404, "not_found");
        return;
    }
    http_reply_file(c->rep, fd, (uint64_t)st.st_size, (int64_t)st.st_mtime, type);
    http_reply_header(c->rep, "Cache-Control", "public, max-age=3600");
}

void h_static_file(struct app_call *c)
{
    h_static_serve(c, c->app->cfg->static_dir);
}

void h_static_media(struct app_call *c)
{
    h_static_serve(c, c->app->cfg->media_dir);
}
