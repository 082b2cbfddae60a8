/* content — target groups and their versioned guidance packs.
 *
 * A pack is the content one target group's citizens see: ordered videos (captions,
 * transcript, legal basis, validity dates) each with questions, plus the written guidance
 * text.  Published packs never change, because the documentation must say exactly what a
 * citizen saw: each has a content hash, the SHA-256 of its canonical JSON (sorted keys, no
 * database ids), which every recorded answer refers to.
 *
 * This module reads pack files (db/demo/packs/NAME.json, the format documented in
 * db/demo/README.md), loads them into the store as new published versions when their
 * content changed, and keeps published packs in a read-only in-memory cache shared by all
 * threads (they are immutable, so a cached pack is valid for the life of the process).
 */
#ifndef VEJLED_CONTENT_H
#define VEJLED_CONTENT_H

#include <jansson.h>
#include <stddef.h>

#include "model.h"
#include "store.h"

/* The texts of a pack at most, in characters (utf8.h: "æ" is one).  The pack files
 * (content_pack_parse), publishing (content_pack_check) and the editor's forms hold every
 * text to the same limit, in every language, so that a text one of them takes the others
 * take too.  The written guidance, text versions and captions have [staff]
 * max_content_text (max_text below); the names of groups, which the editor does not
 * change, have none. */
#define CONTENT_TITLE_MAX 200
#define CONTENT_SUMMARY_MAX 1000
#define CONTENT_MEDIA_MAX 200 /* a video's file name */
#define CONTENT_LEGAL_MAX 500 /* the legal basis of a pack or a video */
#define CONTENT_QUESTION_MAX 1000
#define CONTENT_TOPIC_MAX 200
#define CONTENT_EXPLANATION_MAX 2000
#define CONTENT_OPTION_MAX 500

/* Parses one pack document.  Caption paths are read relative to base_dir; max_text is
 * [staff] max_content_text.  On success returns 0 with *pack (free with model_pack_free)
 * and *group (clear with model_group_clear); -1 with a message naming the bad field
 * otherwise. */
int content_pack_parse(const json_t *doc, const char *base_dir, size_t max_text,
                       struct model_pack **pack, struct model_group *group, char *err,
                       size_t errlen);

/* What is wrong with a pack that is to be published (an edited draft). */
struct content_problem {
    const char *code;  /* "date_invalid" (a validity date not "YYYY-MM-DD"; field
                          "valid_from" or "valid_to"), "dates_reversed" (valid_to before
                          valid_from), "video_outside_pack" (a video's own days have none
                          within its pack's), "validity_ended" (content_pack_check_today),
                          "guidance_missing" (no Danish written guidance), "no_videos",
                          "title_missing", "transcript_missing", "media_name",
                          "captions_not_vtt", "no_questions", "too_many_questions" (more
                          than MODEL_MAX_QUESTIONS), "question_text_missing",
                          "topic_missing", "explanation_missing", "too_few_options",
                          "too_many_options" (more
                          than MODEL_MAX_OPTIONS), "option_text_missing", "right_options",
                          "text_too_long" (more characters than its limit, above) */
    size_t video;      /* 1-based, 0 when the pack itself */
    size_t question;   /* 1-based, 0 when the video itself */
    size_t option;     /* text_too_long: 1-based, 0 when not an option's text */
    const char *field; /* text_too_long: "guidance", "legal_basis", "title", "summary",
                          "media", "captions", "transcript", "text", "topic",
                          "explanation" or "option" */
    const char *lang;  /* text_too_long: the text's language, "" for one without */
    size_t max;        /* the limit that was passed (too_many_*, text_too_long), else 0 */
};

/* Checks a pack by the same rules the pack files are held to (content_pack_parse), its
 * long texts at most max_text characters ([staff] max_content_text): 0, or -1 and the
 * first problem in *out. */
int content_pack_check(const struct model_pack *p, size_t max_text, struct content_problem *out);

/* Checks that neither the pack's validity nor a video's ended before today (a day
 * "YYYY-MM-DD"), so that content already outdated is not published as in force: 0, or -1
 * with problem "validity_ended" (video 0: the pack's own dates; field "valid_to"). */
int content_pack_check_today(const struct model_pack *p, const char *today,
                             struct content_problem *out);

/* The canonical JSON of a pack's content (new reference). */
json_t *content_pack_canonical(const struct model_pack *p);

/* Hex SHA-256 of the canonical JSON. */
void content_pack_hash(const struct model_pack *p, char out[MODEL_HASH_HEX + 1]);

/* Loads every packs/NAME.json under demo_dir: creates missing groups and publishes a new
 * version of a group's pack when its content hash differs from the published one and from
 * every earlier version (so a version an administrator published stays in force).
 * Every file is read and checked first (content_pack_parse, max_text as there): one that
 * breaks the pack rules is -1 with a message naming it and the field, and nothing is
 * stored; all files are then stored in one transaction.  With today (a day "YYYY-MM-DD";
 * NULL: every new file is published at once, as the demo's examples are):
 * - a file that would publish content whose validity ended before today is refused the
 *   same way (content_pack_check_today), so outdated rules are not put in force; a file
 *   already published stays as it is;
 * - a file whose pack's rules begin after today is not put in force early: it becomes the
 *   group's draft, planned for that day as a plan confirmed in the editor would be (a
 *   group with nothing published is switched off until then and switched on with it when
 *   the file has it on).  A group with a planned draft of other content is refused the
 *   same way, naming it (one plan per group; a draft that is not planned does not stand in
 *   the way); one whose planned draft is the file's keeps it, and publishes it once its
 *   day has come.
 * Safe to run twice.  *published gets how many versions were published, *planned how
 * many were planned. */
int content_load_dir(struct store *st, const char *demo_dir, size_t max_text, int64_t now,
                     const char *today, int *published, int *planned, char *err,
                     size_t errlen);

struct content_cache;
struct content_cache *content_cache_new(void);
void content_cache_free(struct content_cache *c);
/* The pack with that id, loaded once and kept (borrowed: valid until the cache is freed).
 * NULL if it does not exist.  Thread-safe. */
const struct model_pack *content_cache_get(struct content_cache *c, struct store *st,
                                           int64_t pack_id);

/* A text of the pack in a language other than Danish and English, from the pack file's
 * "translations" ({"<code>": {"<path>": "<text>"}}); NULL when it has none.  Paths:
 * "group.name", "group.description", "guidance" (the written guidance), "v.<video>.title", "v.<video>.summary",
 * "v.<video>.transcript", "v.<video>.captions" (WebVTT; the file's path in the pack file),
 * "v.<video>.q.<question>.text", "….topic", "….explanation", "v.<video>.q.<question>.o<n>"
 * (the n-th option, from 1).  Borrowed from p. */
const char *content_translation(const struct model_pack *p, const char *code, const char *path);

/* Finds a video by 1-based position; NULL if out of range. */
const struct model_video *content_video_at(const struct model_pack *p, size_t position);
/* Finds a question of the pack by id; *video_index gets its video's 0-based index. */
const struct model_question *content_question_by_id(const struct model_pack *p, int64_t id,
                                                    size_t *video_index);
size_t content_question_count(const struct model_pack *p);

/* ------------------------------------------------------------------ validity
 *
 * Every pack and every video carries its legal basis and the days it is valid
 * (valid_from, valid_to: "YYYY-MM-DD" Copenhagen calendar days, both included; "" is
 * open), so that a change in the law makes an administrator review the content instead of
 * citizens silently being shown outdated rules.  A video is valid where both it and its
 * pack are. */

/* "" or a real calendar day written "YYYY-MM-DD". */
bool content_date_ok(const char *s);

enum content_validity {
    CONTENT_IN_FORCE, /* valid today, not ending within the review period */
    CONTENT_ENDING,   /* valid today; its last day is within the review period */
    CONTENT_NOT_YET,  /* its first day is after today */
    CONTENT_ENDED     /* its last day was before today */
};

struct content_validity_info {
    enum content_validity state;
    char date[11]; /* ENDING and ENDED: the last day; NOT_YET: the first day; else "" */
    int days;      /* ENDING: days from today to the last day (0: today is the last) */
};

/* The validity of dates from..to on today, with review_days the review period. */
void content_validity_of(const char *from, const char *to, const char *today, int review_days,
                         struct content_validity_info *out);

/* The days video v of pack p is valid: the later of the two first days, the earlier of
 * the two last days (borrowed from p and v; "" is open). */
void content_video_days(const struct model_pack *p, const struct model_video *v,
                        const char **from, const char **to);

/* The validity of video v of pack p on its days (content_video_days). */
void content_video_validity(const struct model_pack *p, const struct model_video *v,
                            const char *today, int review_days,
                            struct content_validity_info *out);

/* The pack's validity for a notice about all of it: ENDED when it or any video has ended
 * (the earliest such last day), else NOT_YET when any has not begun (the latest first
 * day), else ENDING (the earliest last day), else IN_FORCE. */
void content_pack_validity(const struct model_pack *p, const char *today, int review_days,
                           struct content_validity_info *out);

/* Calls cb with every target group that has a published version, and that version (from
 * cache), in slug order.  0, or -1 when the store fails (cb may have been called for some). */
typedef void (*content_published_cb)(const struct model_group *g, const struct model_pack *p,
                                     void *arg);
int content_published_each(struct store *st, struct content_cache *cache,
                           content_published_cb cb, void *arg);

/* How many target groups' published versions are in each validity state on day today,
 * the pack and its videos taken together (content_pack_validity, review_days as there):
 * counts indexed by enum content_validity.  0, or -1 when the store fails. */
int content_published_validity(struct store *st, struct content_cache *cache, const char *today,
                               int review_days, size_t counts[4]);

/* A slug (of a group, video, question or topic): 1 to MODEL_SLUG_MAX - 1 of a-z, 0-9, -. */
bool content_slug_ok(const char *s);

/* The longest name of a target group, in characters. */
#define CONTENT_GROUP_NAME_MAX 200

enum content_group_result {
    CONTENT_GROUP_OK,
    CONTENT_GROUP_INVALID, /* *field names what: "slug", "name_da", "name_en", "resend" */
    CONTENT_GROUP_EXISTS,  /* a group has that slug */
    CONTENT_GROUP_NO_CONTENT, /* switched on, but it has no published version */
    CONTENT_GROUP_ERROR
};

/* Adds target group g (its slug, names and resend interval; it starts switched off: it has
 * no content yet, and the case system's enrolments in it are refused until an
 * administrator publishes its first version and switches it on): *id. */
enum content_group_result content_group_add(struct store *st, const struct model_group *g,
                                            int64_t now, int64_t *id, const char **field);

/* A group's name: within CONTENT_GROUP_NAME_MAX characters, on one line without control
 * characters, not only spaces; "" only when not required (the English one). */
bool content_group_name_ok(const char *s, bool required);

/* Saves group id's names (content_group_name_ok), whether it takes new enrolments and its resend
 * interval (1 to 60 months), in one transaction; a group is switched on only when it has a
 * published version (else CONTENT_GROUP_NO_CONTENT, nothing saved). */
enum content_group_result content_group_save(struct store *st, int64_t id, bool enabled,
                                             int resend_months, const char *name_da,
                                             const char *name_en, const char **field);

#endif
