/* store_watch — the citizen sessions' first use and the videos' observed playback
 * (video_views, see db/migrations/sqlite/0007_watching.sql; declared in store.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store.h"
#include "store_internal.h"

/* ------------------------------------------------------------------ sessions */

enum store_status store_session_use(struct store *st, const char *id_hash, int64_t now)
{
    enum store_status rc = store_done(st, store_stmt(st,
                                                     "UPDATE citizen_sessions SET used_at = ?"
                                                     " WHERE id_hash = ? AND used_at IS NULL",
                                                     "it", now, id_hash));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

/* ------------------------------------------------------------------ ranges as text */

/* "a-b,a-b" (milliseconds) into v->ranges; -1 when malformed (then no ranges). */
static int store_watch_ranges_parse(const char *text, struct model_view *v)
{
    const char *p = text;
    while (p && *p) {
        char *end;
        long long a = strtoll(p, &end, 10);
        if (end == p || *end != '-')
            goto bad;
        p = end + 1;
        long long b = strtoll(p, &end, 10);
        if (end == p || (*end && *end != ','))
            goto bad;
        p = *end ? end + 1 : end;
        v->ranges = xrealloc(v->ranges, (v->n_ranges + 1) * sizeof *v->ranges);
        v->ranges[v->n_ranges].a = a;
        v->ranges[v->n_ranges].b = b;
        v->n_ranges++;
    }
    return 0;
bad:
    model_view_clear(v);
    return -1;
}

static char *store_watch_ranges_text(const struct model_view *v)
{
    size_t cap = v->n_ranges * 44 + 1;
    char *out = xmalloc(cap);
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->n_ranges; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%" PRId64 "-%" PRId64, i ? "," : "",
                                v->ranges[i].a, v->ranges[i].b);
    return out;
}

/* ------------------------------------------------------------------ views */

#define STORE_VIEW_COLUMNS                                                                  \
    "video_id, started_at, finished_at, observed, reported_at, duration_ms, ranges,"       \
    " played_ms, ended, skipped, captions_on, transcript_opened, legacy_ended,"             \
    " journal_level, to_end_at, no_media, player_at"

static void store_view_read(struct db_stmt *s, struct model_view *v)
{
    memset(v, 0, sizeof *v);
    v->video_id = db_col_int64(s, 0);
    v->started_at = db_col_int64(s, 1);
    v->finished_at = db_col_int64(s, 2);
    v->observed = db_col_int(s, 3) != 0;
    v->reported_at = db_col_int64(s, 4);
    v->duration_ms = db_col_int64(s, 5);
    store_watch_ranges_parse((const char *)db_col_text(s, 6), v);
    v->played_ms = db_col_int64(s, 7);
    v->ended = db_col_int(s, 8) != 0;
    v->skipped = db_col_int(s, 9) != 0;
    v->captions_on = db_col_int(s, 10) != 0;
    v->transcript_opened = db_col_int(s, 11) != 0;
    v->legacy_ended = db_col_int(s, 12) != 0;
    v->journal_level = db_col_int(s, 13);
    v->to_end_at = db_col_int64(s, 14);
    v->no_media = db_col_int(s, 15);
    v->player_at = db_col_int64(s, 16);
}

enum store_status store_views_read(struct store *st, int64_t enrolment_id,
                                   struct model_view **views, size_t *n)
{
    struct db_stmt *s = store_stmt(st, "SELECT " STORE_VIEW_COLUMNS " FROM video_views"
                                     " WHERE enrolment_id = ?",
                                 "i", enrolment_id);
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        *views = xrealloc(*views, (*n + 1) * sizeof **views);
        store_view_read(s, &(*views)[(*n)++]);
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_view_start(struct store *st, int64_t enrolment_id, int64_t video_id,
                                   int no_media, int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "INSERT INTO video_views(enrolment_id, video_id, started_at, observed,"
                       " no_media, player_at) VALUES (?,?,?,1,?,?) ON CONFLICT DO NOTHING",
                       "iiiii", enrolment_id, video_id, now, (int64_t)no_media,
                       no_media ? (int64_t)0 : now));
    if (rc != STORE_OK)
        return rc;
    /* a row made before: the page now shown with a player for the first time, or now
     * without a playable video */
    if (!no_media)
        return store_done(st, store_stmt(st,
                                         "UPDATE video_views SET player_at = ?"
                                         " WHERE enrolment_id = ? AND video_id = ?"
                                         " AND player_at = 0",
                                         "iii", now, enrolment_id, video_id));
    return store_done(st, store_stmt(st,
                                     "UPDATE video_views SET no_media = ?"
                                     " WHERE enrolment_id = ? AND video_id = ? AND no_media <> ?",
                                     "iiii", (int64_t)no_media, enrolment_id, video_id,
                                     (int64_t)no_media));
}

enum store_status store_view_ensure(struct store *st, int64_t enrolment_id, int64_t video_id,
                                    int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO video_views(enrolment_id, video_id, started_at,"
                                     " observed) VALUES (?,?,?,1) ON CONFLICT DO NOTHING",
                                     "iii", enrolment_id, video_id, now));
}

enum store_status store_view_get(struct store *st, int64_t enrolment_id, int64_t video_id,
                                 struct model_view *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = store_stmt(st, "SELECT " STORE_VIEW_COLUMNS " FROM video_views"
                                     " WHERE enrolment_id = ? AND video_id = ?",
                                 "ii", enrolment_id, video_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_view_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_view_save(struct store *st, int64_t enrolment_id,
                                  const struct model_view *v)
{
    char *ranges = store_watch_ranges_text(v);
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE video_views SET observed = 1, reported_at = ?, duration_ms = ?,"
                       " ranges = ?, played_ms = ?, ended = ?, skipped = ?, captions_on = ?,"
                       " transcript_opened = ?, journal_level = ?, to_end_at = ?"
                       " WHERE enrolment_id = ? AND video_id = ?",
                       "IitiiiiiiIii", v->reported_at, v->duration_ms, ranges, v->played_ms,
                       (int64_t)v->ended, (int64_t)v->skipped, (int64_t)v->captions_on,
                       (int64_t)v->transcript_opened, (int64_t)v->journal_level, v->to_end_at,
                       enrolment_id, v->video_id));
    free(ranges);
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}
