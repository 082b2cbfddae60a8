/* packedit — guidance packs as versions: draft → published → retired.
 *
 * Published content is never changed in place, because the documentation must say exactly
 * what a citizen saw (the database refuses it too: migration 0002).  An administrator
 * makes a draft, a full copy of the group's published version under the next version
 * number, edits its texts, videos, questions and right answers, previews it, and publishes
 * it: the draft is checked by the same rules as the pack files (content_pack_check), gets
 * its content hash (content_pack_hash), becomes the published version and the previous one
 * retires, all in one transaction.  Citizens already enrolled keep the version they were
 * enrolled on; new enrolments get the new one.  A group has at most one draft.
 */
#ifndef VEJLED_PACKEDIT_H
#define VEJLED_PACKEDIT_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "store.h"

enum packedit_result {
    PACKEDIT_OK,
    PACKEDIT_NOT_FOUND, /* no such group / pack, or it has no published version to copy */
    PACKEDIT_NOT_DRAFT, /* the pack is published or retired: it cannot change */
    PACKEDIT_INVALID,   /* see the problem */
    PACKEDIT_ERROR
};

/* The group's draft, made from its published version if it has none: *pack_id. */
enum packedit_result packedit_draft(struct store *st, int64_t group_id, int64_t now,
                                    int64_t *pack_id);

/* Loads a draft for editing (free with model_pack_free). */
enum packedit_result packedit_load_draft(struct store *st, int64_t pack_id,
                                         struct model_pack **out);

/* Writes an edited draft (every text, matched by id). */
enum packedit_result packedit_save(struct store *st, const struct model_pack *draft);

/* Publishes the draft as described at the top; *problem says why not on PACKEDIT_INVALID.
 * *version gets the published version number. */
enum packedit_result packedit_publish(struct store *st, int64_t pack_id, int64_t now,
                                      struct content_problem *problem, int *version);

/* The file extension ("mp4" or "webm") of an uploaded video, judged by its first bytes
 * (an MP4 'ftyp' box, a WebM/Matroska EBML header) and its declared content type
 * (video/mp4, video/webm), which must agree; NULL when it is not such a video. */
const char *packedit_media_type(const char *data, size_t len, const char *content_type);

/* Stores a video under its content-addressed name (hex SHA-256 + "." + ext) in dir:
 * written to a temporary file, flushed and renamed, so a file of that name is always
 * whole; an existing file of that name is the same content and is kept.  name gets the
 * file name.  0 or -1. */
int packedit_store_media(const char *dir, const char *data, size_t len, const char *ext,
                         char name[MODEL_HASH_HEX + 8]);

#endif
