/* store_content — target groups and guidance packs: the store's part for content
 * (declared in store.h, "content"). */
#include "store.h"
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------ content */

enum store_status store_group_upsert(struct store *st, const struct model_group *g,
                                     int64_t now, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO target_groups(slug, name_da, name_en, description_da, description_en,"
        " resend_months, enabled, created_at) VALUES (?,?,?,?,?,?,?,?)"
        /* a group that exists keeps its names, interval and switch: they are the
         * administrator's (/admin/grupper), not the pack file's */
        " ON CONFLICT(slug) DO UPDATE SET description_da = excluded.description_da,"
        " description_en = excluded.description_en RETURNING id",
        "tttttiii", g->slug, g->name[LANG_DA], g->name[LANG_EN], g->description[LANG_DA],
        g->description[LANG_EN], (int64_t)g->resend_months, (int64_t)g->enabled, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

#define STORE_GROUP_COLS \
    "id, slug, name_da, name_en, description_da, description_en, resend_months, enabled"

static void store_group_read(struct db_stmt *s, struct model_group *g)
{
    memset(g, 0, sizeof *g);
    g->id = db_col_int64(s, 0);
    store_col_copy(s, 1, g->slug, sizeof g->slug);
    g->name[LANG_DA] = store_col_dup(s, 2);
    g->name[LANG_EN] = store_col_dup(s, 3);
    g->description[LANG_DA] = store_col_dup(s, 4);
    g->description[LANG_EN] = store_col_dup(s, 5);
    g->resend_months = db_col_int(s, 6);
    g->enabled = db_col_int(s, 7) != 0;
}

enum store_status store_group_by_slug(struct store *st, const char *slug,
                                      struct model_group *out)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups WHERE slug = ?", "t", slug);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_group_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_group_by_id(struct store *st, int64_t id, struct model_group *out)
{
    struct db_mark mark;
    int remember = store_memo_mark(st, &mark) == 0;
    if (remember && store_memo_group(st, &mark, id, out))
        return STORE_OK;
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups WHERE id = ?", "i", id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_group_read(s, out);
        db_reset(s);
        if (remember)
            store_memo_put_group(st, &mark, id, out);
    }
    return rc;
}

enum store_status store_group_list(struct store *st, struct model_group **out, size_t *n)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups ORDER BY slug", "");
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        store_group_read(s, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

/* Inserts p's videos, questions and options under pack p->id; fills their ids. */
static enum store_status store_pack_insert_videos(struct store *st, struct model_pack *p)
{
    struct db_stmt *s;
    enum store_status rc;
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        struct model_video *v = &p->videos[vi];
        s = store_stmt(
            st,
            "INSERT INTO videos(pack_id, position, slug, title_da, title_en, summary_da,"
            " summary_en, media, duration_s, captions_da, captions_en, transcript_da,"
            " transcript_en, legal_basis, valid_from, valid_to)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            "iittttttittttttt", p->id, (int64_t)vi + 1, v->slug, v->title[LANG_DA],
            v->title[LANG_EN], v->summary[LANG_DA], v->summary[LANG_EN], v->media,
            (int64_t)v->duration_s, v->captions[LANG_DA], v->captions[LANG_EN],
            v->transcript[LANG_DA], v->transcript[LANG_EN], v->legal_basis, v->valid_from,
            v->valid_to);
        if ((rc = store_row(st, s)) != STORE_OK)
            return rc;
        v->id = db_col_int64(s, 0);
        db_reset(s);
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            struct model_question *q = &v->questions[qi];
            s = store_stmt(
                st,
                "INSERT INTO questions(video_id, position, slug, kind, topic_key, topic_da,"
                " topic_en, text_da, text_en, explanation_da, explanation_en)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                "iittttttttt", v->id, (int64_t)qi + 1, q->slug,
                q->multiple ? "multiple" : "single", q->topic_key, q->topic[LANG_DA],
                q->topic[LANG_EN], q->text[LANG_DA], q->text[LANG_EN], q->explanation[LANG_DA],
                q->explanation[LANG_EN]);
            if ((rc = store_row(st, s)) != STORE_OK)
                return rc;
            q->id = db_col_int64(s, 0);
            db_reset(s);
            for (size_t oi = 0; oi < q->n_options; oi++) {
                struct model_option *o = &q->options[oi];
                s = store_stmt(st,
                               "INSERT INTO options(question_id, position, text_da, text_en,"
                               " correct) VALUES (?,?,?,?,?) RETURNING id",
                               "iitti", q->id, (int64_t)oi + 1, o->text[LANG_DA],
                               o->text[LANG_EN], (int64_t)o->correct);
                if ((rc = store_row(st, s)) != STORE_OK)
                    return rc;
                o->id = db_col_int64(s, 0);
                db_reset(s);
            }
        }
    }
    return STORE_OK;
}

enum store_status store_pack_insert(struct store *st, struct model_pack *p, int64_t now)
{
    char *tr = p->translations ? json_dumps(p->translations, JSON_COMPACT | JSON_SORT_KEYS)
                               : NULL;
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO packs(group_id, version, state, example_content, legal_basis, valid_from,"
        " valid_to, guidance_da, guidance_en, created_at) VALUES (?,?,'draft',?,?,?,?,?,?,?)"
        " RETURNING id",
        "iiittttti", p->group_id, (int64_t)p->version, (int64_t)p->example_content,
        p->legal_basis, p->valid_from, p->valid_to, p->guidance[LANG_DA], p->guidance[LANG_EN],
        now);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK) {
        free(tr);
        return rc;
    }
    p->id = db_col_int64(s, 0);
    db_reset(s);
    /* only a pack with translations names the column (added by migration 0014) */
    if (tr) {
        rc = store_done(st, store_stmt(st, "UPDATE packs SET translations = ? WHERE id = ?", "ti",
                                       tr, p->id));
        free(tr);
        if (rc != STORE_OK)
            return rc;
    }
    snprintf(p->state, sizeof p->state, "draft");
    return store_pack_insert_videos(st, p);
}

/* Deletes every video, question and option of draft pack_id (STORE_NOT_FOUND when it is
 * not a draft; the database refuses it for published content in any case). */
static enum store_status store_draft_clear(struct store *st, int64_t pack_id)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT 1 FROM packs WHERE id = ? AND state = 'draft'", "i", pack_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    db_reset(s);
    static const char *const del[] = {
        ("DELETE FROM options WHERE question_id IN (SELECT q.id FROM questions q"
         " JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ?)"),
        "DELETE FROM questions WHERE video_id IN (SELECT id FROM videos WHERE pack_id = ?)",
        "DELETE FROM videos WHERE pack_id = ?",
    };
    for (size_t i = 0; rc == STORE_OK && i < sizeof del / sizeof del[0]; i++)
        rc = store_done(st, store_stmt(st, del[i], "i", pack_id));
    return rc;
}

enum store_status store_draft_replace(struct store *st, struct model_pack *p)
{
    enum store_status rc = store_draft_clear(st, p->id);
    return rc == STORE_OK ? store_pack_insert_videos(st, p) : rc;
}

enum store_status store_draft_delete(struct store *st, int64_t pack_id)
{
    enum store_status rc = store_draft_clear(st, pack_id);
    if (rc != STORE_OK)
        return rc;
    /* a draft, as store_draft_clear found it in this transaction */
    return store_done(st, store_stmt(st, "DELETE FROM packs WHERE id = ? AND state = 'draft'",
                                     "i", pack_id));
}

enum store_status store_pack_publish(struct store *st, int64_t pack_id, const char *hash,
                                     int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE packs SET state = 'retired', retired_at = ?"
                       " WHERE state = 'published' AND group_id ="
                       " (SELECT group_id FROM packs WHERE id = ?)",
                       "ii", now, pack_id));
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st,
                                     "UPDATE packs SET state = 'published', published_at = ?,"
                                     " content_hash = ? WHERE id = ? AND state = 'draft'",
                                     "iti", now, hash, pack_id));
}

enum store_status store_pack_published_id(struct store *st, int64_t group_id, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT id FROM packs WHERE group_id = ? AND state = 'published'", "i", group_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_pack_load(struct store *st, int64_t pack_id, struct model_pack **out)
{
    struct model_pack *p = NULL;
    enum store_status rc;
    struct db_stmt *s = store_stmt(
        st,
        "SELECT id, group_id, version, state, example_content, legal_basis, valid_from,"
        " valid_to, guidance_da, guidance_en, content_hash, translations FROM packs WHERE id = ?",
        "i", pack_id);
    if ((rc = store_row(st, s)) != STORE_OK)
        return rc;
    p = xcalloc(1, sizeof *p);
    p->id = db_col_int64(s, 0);
    p->group_id = db_col_int64(s, 1);
    p->version = db_col_int(s, 2);
    store_col_copy(s, 3, p->state, sizeof p->state);
    p->example_content = db_col_int(s, 4) != 0;
    p->legal_basis = store_col_dup(s, 5);
    store_col_copy(s, 6, p->valid_from, sizeof p->valid_from);
    store_col_copy(s, 7, p->valid_to, sizeof p->valid_to);
    p->guidance[LANG_DA] = store_col_dup(s, 8);
    p->guidance[LANG_EN] = store_col_dup(s, 9);
    store_col_copy(s, 10, p->content_hash, sizeof p->content_hash);
    const char *tr = (const char *)db_col_text(s, 11);
    p->translations = tr ? json_loads(tr, 0, NULL) : NULL;
    if (p->translations && (!json_is_object(p->translations) ||
                            json_object_size(p->translations) == 0)) {
        json_decref(p->translations);
        p->translations = NULL;
    }
    db_reset(s);

    s = store_stmt(st,
                   "SELECT id, slug, title_da, title_en, summary_da, summary_en, media,"
                   " duration_s, captions_da, captions_en, transcript_da, transcript_en,"
                   " legal_basis, valid_from, valid_to FROM videos WHERE pack_id = ?"
                   " ORDER BY position",
                   "i", pack_id);
    if (!s)
        goto fail;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        p->videos = xrealloc(p->videos, (p->n_videos + 1) * sizeof *p->videos);
        struct model_video *v = &p->videos[p->n_videos++];
        memset(v, 0, sizeof *v);
        v->id = db_col_int64(s, 0);
        store_col_copy(s, 1, v->slug, sizeof v->slug);
        v->title[LANG_DA] = store_col_dup(s, 2);
        v->title[LANG_EN] = store_col_dup(s, 3);
        v->summary[LANG_DA] = store_col_dup(s, 4);
        v->summary[LANG_EN] = store_col_dup(s, 5);
        v->media = store_col_dup(s, 6);
        v->duration_s = db_col_int(s, 7);
        v->captions[LANG_DA] = store_col_dup(s, 8);
        v->captions[LANG_EN] = store_col_dup(s, 9);
        v->transcript[LANG_DA] = store_col_dup(s, 10);
        v->transcript[LANG_EN] = store_col_dup(s, 11);
        v->legal_basis = store_col_dup(s, 12);
        store_col_copy(s, 13, v->valid_from, sizeof v->valid_from);
        store_col_copy(s, 14, v->valid_to, sizeof v->valid_to);
    }
    db_reset(s);
    if (r != DB_DONE)
        goto fail;

    for (size_t vi = 0; vi < p->n_videos; vi++) {
        struct model_video *v = &p->videos[vi];
        s = store_stmt(st,
                       "SELECT id, slug, kind, topic_key, topic_da, topic_en, text_da, text_en,"
                       " explanation_da, explanation_en FROM questions WHERE video_id = ?"
                       " ORDER BY position",
                       "i", v->id);
        if (!s)
            goto fail;
        while ((r = db_step(s)) == DB_ROW) {
            v->questions = xrealloc(v->questions, (v->n_questions + 1) * sizeof *v->questions);
            struct model_question *q = &v->questions[v->n_questions++];
            memset(q, 0, sizeof *q);
            q->id = db_col_int64(s, 0);
            store_col_copy(s, 1, q->slug, sizeof q->slug);
            q->multiple = strcmp((const char *)db_col_text(s, 2), "multiple") == 0;
            store_col_copy(s, 3, q->topic_key, sizeof q->topic_key);
            q->topic[LANG_DA] = store_col_dup(s, 4);
            q->topic[LANG_EN] = store_col_dup(s, 5);
            q->text[LANG_DA] = store_col_dup(s, 6);
            q->text[LANG_EN] = store_col_dup(s, 7);
            q->explanation[LANG_DA] = store_col_dup(s, 8);
            q->explanation[LANG_EN] = store_col_dup(s, 9);
        }
        db_reset(s);
        if (r != DB_DONE)
            goto fail;
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            struct model_question *q = &v->questions[qi];
            s = store_stmt(st,
                           "SELECT id, text_da, text_en, correct FROM options"
                           " WHERE question_id = ? ORDER BY position",
                           "i", q->id);
            if (!s)
                goto fail;
            while ((r = db_step(s)) == DB_ROW) {
                q->options = xrealloc(q->options, (q->n_options + 1) * sizeof *q->options);
                struct model_option *o = &q->options[q->n_options++];
                memset(o, 0, sizeof *o);
                o->id = db_col_int64(s, 0);
                o->text[LANG_DA] = store_col_dup(s, 1);
                o->text[LANG_EN] = store_col_dup(s, 2);
                o->correct = db_col_int(s, 3) != 0;
            }
            db_reset(s);
            if (r != DB_DONE)
                goto fail;
        }
    }
    *out = p;
    return STORE_OK;
fail:
    store_log(st, "load pack");
    model_pack_free(p);
    return STORE_ERROR;
}
