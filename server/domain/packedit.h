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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "store.h"

enum packedit_result {
    PACKEDIT_OK,
    PACKEDIT_NOT_FOUND, /* no such group / pack, or it has no published version to copy */
    PACKEDIT_NOT_DRAFT, /* the pack is published or retired: it cannot change */
    PACKEDIT_INVALID,   /* see the problem */
    PACKEDIT_UNCHANGED, /* the draft's content is the published version's: nothing to publish */
    PACKEDIT_ERROR
};

/* The group's draft that is not planned, made from its published version if it has none
 * (an empty one when nothing was published yet): *pack_id.  A planned draft is not it: a
 * correction to the version in force is made beside the plan, and published now while the
 * plan waits for its day.  PACKEDIT_NOT_FOUND for a group that does not exist. */
enum packedit_result packedit_draft(struct store *st, int64_t group_id, int64_t now,
                                    int64_t *pack_id);

/* Deletes the draft with everything in it (a plan for it goes too); the group's published
 * version, if any, is untouched, and its next draft is made from that again.
 * PACKEDIT_NOT_FOUND when there is no such pack, PACKEDIT_NOT_DRAFT when it is published
 * or retired (published content is never deleted). */
enum packedit_result packedit_discard(struct store *st, int64_t pack_id);

/* Loads a draft for editing (free with model_pack_free). */
enum packedit_result packedit_load_draft(struct store *st, int64_t pack_id,
                                         struct model_pack **out);

/* Writes an edited draft (every text, matched by id). */
enum packedit_result packedit_save(struct store *st, const struct model_pack *draft);

/* Structural edits of a loaded draft, in memory; packedit_replace() writes them.  An added
 * video, question or option has every text "" (for the caller to fill) and goes last; a
 * draft may be incomplete (a video without questions, a question without options) until
 * it is published, when content_pack_check() holds it to the pack rules.  Indexes are
 * 0-based; a remove or move with an index out of range returns -1 and changes nothing. */
/* Appends a video with a slug no other video of p has ("video-N"). */
struct model_video *packedit_video_add(struct model_pack *p);
int packedit_video_remove(struct model_pack *p, size_t i);
/* Swaps video i with the one before it (up) or after it (!up). */
int packedit_video_move(struct model_pack *p, size_t i, int up);
/* Appends a question to v (a video of p) about the Danish topic: its slug is new in p, its
 * topic key that of a question of p with the same topic, else made from the topic's
 * words and new in p (so the statistics count the topic as one).  NULL, with nothing
 * changed, when v already has MODEL_MAX_QUESTIONS. */
struct model_question *packedit_question_add(const struct model_pack *p, struct model_video *v,
                                             const char *topic_da);
int packedit_question_remove(struct model_video *v, size_t i);
/* Appends an option to q; NULL, with nothing changed, when q already has
 * MODEL_MAX_OPTIONS. */
struct model_option *packedit_option_add(struct model_question *q);
int packedit_option_remove(struct model_question *q, size_t i);
/* The topic key made from a topic's words: a–z, 0–9 and '-' (æ ø å as ae oe aa), "emne"
 * when none is left. */
void packedit_topic_slug(const char *topic, char out[MODEL_SLUG_MAX]);

/* Writes the draft's whole tree (after structural edits): every video, question and
 * option of the stored draft is replaced by p's, which get new ids.  PACKEDIT_NOT_DRAFT
 * when p is no longer a draft. */
enum packedit_result packedit_replace(struct store *st, struct model_pack *p);

/* Whether a draft's content (content_pack_hash) is that of its group's published version:
 * PACKEDIT_UNCHANGED, else PACKEDIT_OK (also when nothing is published yet), or
 * PACKEDIT_ERROR. */
enum packedit_result packedit_unchanged(struct store *st, const struct model_pack *draft);

/* Publishes the draft as described at the top (content_pack_check, max_text as there),
 * switching its group on in the same transaction when switch_on (a group that is switched
 * off takes no enrolments);
 * *problem says why not on PACKEDIT_INVALID; PACKEDIT_UNCHANGED, with nothing written (no
 * new version, the published one stays, the group as it was), when the draft is the same
 * as the published version.  *version gets the published version number. */
enum packedit_result packedit_publish(struct store *st, int64_t pack_id, size_t max_text,
                                      int64_t now, bool switch_on,
                                      struct content_problem *problem, int *version);

/* ------------------------------------------------------------------ planned publication
 *
 * A draft whose rules begin on a later day (its valid_from after today in Copenhagen) may
 * be planned instead of published: the version in force stays in force, and on that day
 * the draft is published as packedit_publish() would, so that a citizen enrolled on that
 * day gets the new rules and one enrolled the day before the old.  The plan keeps the
 * draft's content hash as it was confirmed; a draft edited after it was planned is not
 * published on the day (it is shown as changed until the plan is confirmed again or taken
 * away), since what was confirmed is no longer what would be published. */

/* Plans the draft for its first valid day, after the same checks as packedit_publish();
 * when switch_on its publication on that day switches its group on (as packedit_publish()
 * does), so that a new group takes enrolments from the first day of its rules.
 * PACKEDIT_INVALID with problem code "not_later" when that day is not after today (then
 * it is published, not planned), "plan_exists" when another draft of the group is planned
 * (one plan per group).  *version the draft's version, day its first day. */
enum packedit_result packedit_plan(struct store *st, int64_t pack_id, size_t max_text,
                                   int64_t now, bool switch_on,
                                   struct content_problem *problem, int *version,
                                   char day[11]);

/* Takes the draft's plan away (it stays a draft).  PACKEDIT_NOT_FOUND when there is no such
 * pack, PACKEDIT_NOT_DRAFT when it is no longer a draft (its day came and it was
 * published). */
enum packedit_result packedit_unplan(struct store *st, int64_t pack_id);

/* The draft's plan: day "" when none; *changed when the draft was edited after the plan
 * was confirmed (then it will not be published on that day); *switch_on (NULL: not asked)
 * when its publication will switch its group on. */
enum packedit_result packedit_plan_of(struct store *st, int64_t pack_id, char day[11],
                                      bool *changed, bool *switch_on);

/* The planned drafts on day today, by what becomes of them: n[0] waiting for their day,
 * n[1] changed since the plan was confirmed (they will not be published), n[2] overdue
 * (their day has come and they are still drafts).  0, or -1 when the database failed. */
int packedit_plans_count(struct store *st, const char *today, size_t n[3]);

/* The group's planned draft (planned), or its newest draft that is not planned (!planned),
 * if it has one (*pack_id); PACKEDIT_NOT_FOUND when it has none. */
enum packedit_result packedit_draft_of(struct store *st, int64_t group_id, bool planned,
                                       int64_t *pack_id);

/* Publishes every planned draft whose day has come (the Copenhagen day of now) and whose
 * content is still what was confirmed, each in a transaction of its own; one that is the
 * same as its group's published version loses its plan.  Run by the scheduler on every
 * pass and before every enrolment, so that none on that day gets the old version.
 * *published (may be NULL): how many were published.  0, or -1 when the database failed. */
int packedit_publish_due(struct store *st, int64_t now, int *published);

/* The file extension ("mp4" or "webm") of an uploaded video, judged by its first bytes
 * (an MP4 'ftyp' box, a WebM/Matroska EBML header) and its declared content type
 * (video/mp4, video/webm), which must agree; NULL when it is not such a video. */
const char *packedit_media_type(const char *data, size_t len, const char *content_type);

/* Stores a video under its content-addressed name (hex SHA-256 + "." + ext) in dir:
 * written to a temporary file, flushed and renamed, so a file of that name is always
 * whole; an existing file of that name is the same content and is kept.  name gets the
 * file name.  0, -1, or PACKEDIT_MEDIA_FULL when the disk had no room (ENOSPC, EDQUOT):
 * nothing is left behind either way. */
#define PACKEDIT_MEDIA_FULL (-2)
int packedit_store_media(const char *dir, const char *data, size_t len, const char *ext,
                         char name[MODEL_HASH_HEX + 8]);

/* ------------------------------------------------------------------ other languages
 *
 * A draft's texts in languages other than Danish and English are its translations
 * (model_pack.translations, the paths content.h lists): the editor sets them one by one,
 * and a removed video, question or option takes its texts along (the later options'
 * texts move up with them), so that publishing keeps exactly what the editor shows. */

#define PACKEDIT_TR_PATH_MAX 192

/* The translation path of a field into out (PACKEDIT_TR_PATH_MAX bytes): the pack's
 * "guidance" (v NULL), a video's "v.<video>.<field>" (q NULL), a question's
 * "v.<video>.q.<question>.<field>", or its option's "v.<video>.q.<question>.o<option>"
 * (option 1-based; 0 for a question's own field). */
void packedit_tr_path(char out[PACKEDIT_TR_PATH_MAX], const struct model_video *v,
                      const struct model_question *q, size_t option, const char *field);

/* Sets p's text of path in language code; "" (or NULL) removes it, and a language left
 * without texts goes (the translations too when none is left). */
void packedit_tr_set(struct model_pack *p, const char *code, const char *path, const char *text);

/* How many texts p has in language code. */
size_t packedit_tr_count(const struct model_pack *p, const char *code);

/* Forgets the texts of what is about to be removed (1-based positions): video (question
 * 0), one question of it (option 0), or one option, whose later options' texts are
 * renumbered to stay with them.  Call it before the matching packedit_*_remove(). */
void packedit_tr_drop(struct model_pack *p, size_t video, size_t question, size_t option);

/* One difference between a published pack and a draft of it, field by field; positions
 * are 1-based and 0 where they do not apply (video 0: the pack itself).  field names the
 * field ("guidance", "legal_basis", "valid_from", "valid_to", "video", "title", "summary",
 * "media", "captions", "transcript", "question", "topic", "text", "explanation",
 * "multiple", "option", "correct"); lang is "da", "en", another language's code (its
 * text from the packs' translations, after Danish and English, languages in code order)
 * or "" for a field without one.
 * "video", "question" and "option" are a whole part added (before NULL) or removed (after
 * NULL); otherwise before and after are the two texts ("ja"/"nej" for yes/no fields). */
struct packedit_change {
    size_t video, question, option;
    const char *field;
    const char *lang;
    const char *before; /* NULL: not in the published version */
    const char *after;  /* NULL: not in the draft */
};
typedef void (*packedit_change_cb)(const struct packedit_change *ch, void *arg);
/* Calls cb for every difference from old (NULL: nothing published) to draft, in reading
 * order, matching videos, questions and options by position.  Returns how many. */
size_t packedit_diff(const struct model_pack *old, const struct model_pack *draft,
                     packedit_change_cb cb, void *arg);

#endif
