/* model — the plain data types the store fills and the domain works on.
 *
 * No behaviour lives here, only shapes.  Text that a person reads comes in Danish and
 * English: arrays indexed by enum lang.  Every char * is owned by the struct that holds it
 * and freed by the matching model_*_free() function; fixed arrays hold short identifiers.
 * Times are UTC seconds (0 = not set).
 */
#ifndef VEJLED_MODEL_H
#define VEJLED_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The built-in content columns: Danish and English.  Any other language of the citizen
 * pages (lang.h) has its pack texts in model_pack.translations, Danish where one lacks. */
enum lang { LANG_DA = 0, LANG_EN = 1, LANG_COUNT = 2 };

struct json_t; /* jansson's */

#define MODEL_SLUG_MAX 64
#define MODEL_UUID_LEN 36
#define MODEL_HASH_HEX 64

/* A video's questions at most: the citizen answers all of them in one form (progress.h),
 * so the pack files (content_pack_parse), publishing (content_pack_check) and the editor
 * (packedit_question_add) hold a video to it. */
#define MODEL_MAX_QUESTIONS 32
/* A question's options at most: a multiple-choice answer may choose every one of them,
 * and an answer holds at most this many (progress.h); held to like MODEL_MAX_QUESTIONS. */
#define MODEL_MAX_OPTIONS 16

/* Room for a comma-separated list of option ids: MODEL_MAX_OPTIONS ids of at most 20
 * characters ("-9223372036854775808"), the commas and the NUL. */
#define MODEL_CHOSEN_MAX (MODEL_MAX_OPTIONS * 21 + 1)

struct model_option {
    int64_t id;
    char *text[LANG_COUNT];
    bool correct;
};

struct model_question {
    int64_t id;
    char slug[MODEL_SLUG_MAX];
    bool multiple; /* several options may be right */
    char topic_key[MODEL_SLUG_MAX];
    char *topic[LANG_COUNT];
    char *text[LANG_COUNT];
    char *explanation[LANG_COUNT];
    struct model_option *options;
    size_t n_options;
};

struct model_video {
    int64_t id;
    char slug[MODEL_SLUG_MAX];
    char *title[LANG_COUNT];
    char *summary[LANG_COUNT];
    char *media;                 /* file name in the media folder, "" if none */
    int duration_s;
    char *captions[LANG_COUNT];  /* WebVTT text, "" if none */
    char *transcript[LANG_COUNT];
    char *legal_basis;
    char valid_from[11];         /* YYYY-MM-DD or "" */
    char valid_to[11];
    struct model_question *questions;
    size_t n_questions;
};

struct model_pack {
    int64_t id;
    int64_t group_id;
    int version;
    char state[12];              /* draft | published | retired */
    bool example_content;
    char *legal_basis;
    char valid_from[11];
    char valid_to[11];
    char *guidance[LANG_COUNT];  /* the written guidance text */
    /* texts in other languages: {"<code>": {"<path>": "<text>"}} (content.h names the
     * paths); NULL when none.  Owned: model_pack_free releases it. */
    struct json_t *translations;
    char content_hash[MODEL_HASH_HEX + 1];
    struct model_video *videos;
    size_t n_videos;
};

struct model_group {
    int64_t id;
    char slug[MODEL_SLUG_MAX];
    char *name[LANG_COUNT];
    char *description[LANG_COUNT];
    int resend_months;
    bool enabled;
};

struct model_citizen {
    int64_t id;
    char uuid[MODEL_UUID_LEN + 1];
    char *name;
    char *email; /* NULL when none */
};

enum model_status {
    STATUS_NOT_OPENED,
    STATUS_OPENED,
    STATUS_IN_PROGRESS,
    STATUS_COMPLETED,
    STATUS_DECLINED,
    STATUS_CLOSED
};

struct model_enrolment {
    int64_t id;
    char uuid[MODEL_UUID_LEN + 1];
    int64_t citizen_id;
    char citizen_uuid[MODEL_UUID_LEN + 1];
    int64_t group_id;
    int64_t pack_id;
    int pack_version;
    char caseworker[MODEL_SLUG_MAX];
    char language[12];           /* the page language's code (lang.h): "da", "ar", … */
    int64_t first_meeting_at;
    int64_t token_expires_at;
    int64_t created_at;
    int64_t opened_at;
    int64_t completed_at;
    int64_t declined_at;
    int64_t closed_at;
    int64_t oral_guidance_at;
    int64_t held_at;             /* the first meeting as recorded held; 0: not recorded */
};

/* What a citizen did in one enrolment, loaded in one go for a page. */
/* A played part of a video, in milliseconds from its start: [a, b). */
struct model_range {
    int64_t a, b;
};

/* How a video's page was shown (model_view.no_media; db/migrations/sqlite/0021). */
enum model_no_media {
    MODEL_MEDIA_PLAYER = 0,  /* with a player (and every row from before it was recorded) */
    MODEL_MEDIA_MISSING = 1, /* without: the video's file was not on the server */
    MODEL_MEDIA_NO_FILE = 2  /* without: the video names no file */
};

/* One video's page and player as observed (see db/migrations/sqlite/0007_watching.sql). */
struct model_view {
    int64_t video_id;
    int64_t started_at;   /* the page was first shown */
    int64_t finished_at;  /* older rows only: "finished" (by the player or by answering) */
    bool observed;        /* made since playback is observed (false: an older row) */
    int64_t reported_at;  /* first player report; 0: the page's script never reported */
    int64_t duration_ms;  /* the media's duration as the player gave it; 0: unknown */
    struct model_range *ranges; /* played, merged, sorted; owned (model_progress_clear) */
    size_t n_ranges;
    int64_t played_ms;
    bool ended, skipped, captions_on, transcript_opened, legacy_ended;
    int journal_level;    /* video_played entries journalled so far (0–4) */
    int64_t to_end_at;    /* when it became watched to the end; 0: not (yet) */
    int no_media;         /* enum model_no_media: the page was shown without a playable
                           * video (the latest such showing's reason), or 0 */
    int64_t player_at;    /* the page was first shown with a playable video; 0: never */
};

struct model_answer {
    int64_t question_id;
    int attempt;
    char chosen[MODEL_CHOSEN_MAX]; /* option ids, comma-separated, ascending */
    bool correct;
    int64_t answered_at;
};

struct model_progress {
    struct model_view *views;
    size_t n_views;
    struct model_answer *first;  /* first attempt per answered question */
    size_t n_first;
    struct model_answer *latest; /* latest attempt per answered question */
    size_t n_latest;
    int64_t *asked;              /* question ids the citizen wants to ask about */
    size_t n_asked;
};

struct model_job {
    char kind[32];
    int64_t due_at;
};

void model_option_free(struct model_option *o);
void model_question_free(struct model_question *q);
void model_video_free(struct model_video *v);
/* Frees the pack's contents and the pack itself.  NULL is fine. */
void model_pack_free(struct model_pack *p);
/* Free the contents (not the struct itself). */
void model_group_clear(struct model_group *g);
/* A deep copy of src into *dst (overwritten); clear it with model_group_clear. */
void model_group_copy(struct model_group *dst, const struct model_group *src);
void model_citizen_clear(struct model_citizen *c);
void model_progress_clear(struct model_progress *p);
/* A deep copy of src into *dst (overwritten, not cleared first); clear it with
 * model_progress_clear. */
void model_progress_copy(struct model_progress *dst, const struct model_progress *src);
/* Frees the view's ranges (not the struct itself).  NULL is fine. */
void model_view_clear(struct model_view *v);

/* "da" → LANG_DA, "en" → LANG_EN, anything else → LANG_DA. */
enum lang model_lang_from_code(const char *code);
const char *model_lang_code(enum lang l);
const char *model_status_name(enum model_status s);

#endif
