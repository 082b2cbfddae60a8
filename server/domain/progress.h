/* progress — what a citizen does with their guidance, and its documentation.
 *
 * The citizen side of an enrolment: opening the personal link (which starts a browser
 * session; the link counts as opened when that session comes back), watching videos (as
 * the player reports it, see watch.h), answering questions, marking topics to ask about at
 * the meeting, declining ("I'd rather hear it at the meeting") and finishing.  Every step that
 * matters for documentation is written to the journal in the same transaction as the
 * change itself, with the pack version and content hash the citizen was shown.
 *
 * Answers: every attempt is kept; the first is what caseworkers and statistics see, later
 * ones are free for learning.  The enrolment is completed when every question of the pack
 * has an answer.
 */
#ifndef VEJLED_PROGRESS_H
#define VEJLED_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "model.h"
#include "store.h"
#include "token.h"
#include "watch.h"
#include "writer.h"

enum progress_link {
    LINK_OK,      /* a session was started: *session holds its cookie value */
    LINK_UNKNOWN, /* no such link (404) */
    LINK_EXPIRED, /* the link's time ran out, a newer link replaced it, or its enrolment
                   * was closed with another open (a group change: the new one's letter
                   * has a link) (410) */
    LINK_CLOSED,  /* its enrolment was closed and the citizen has no open one: the citizen
                   * left the target group, nothing more to do (410) */
    LINK_FULL,    /* the disk is full: no session was stored (503; the link still works) */
    LINK_ERROR
};

/* Exchanges a citizen link token for a new session of session_hours (session == NULL:
 * only checks the link).  Nothing else: fetching a link is not opening it (mail and
 * Digital Post scanners fetch links before the citizen does), see progress_session_used. */
enum progress_link progress_open_link(struct store *st, const char *token, int64_t now,
                                      unsigned session_hours, char session[TOKEN_LEN + 1],
                                      struct model_enrolment *e);

/* The open enrolment of a live session cookie: 0 and *e, or -1.  *first: no request has
 * carried this session back before (call progress_session_used). */
int progress_session(struct store *st, const char *cookie, int64_t now,
                     struct model_enrolment *e, bool *first);

/* The session's first request back: the citizen has opened the link.  Marks the session
 * used, the enrolment opened (the first time; the statistics count it) and journals
 * "link_opened" — once per session, whatever requests race.  0; 1 when the enrolment was
 * closed since the session was checked (nothing recorded); -1. */
int progress_session_used(struct store *st, const char *cookie,
                          const struct model_enrolment *e, int64_t now);

/* Notes that the citizen opened a video's page (not journalled): the first time, each
 * time it is shown without a playable video (no_media, decided when the page is served;
 * the record then says the video could not be shown, not that it was not played), and the
 * first time it is shown with one after that.  0 or -1. */
int progress_video_seen(struct store *st, const struct model_enrolment *e,
                        const struct model_video *v, enum model_no_media no_media, int64_t now);

enum progress_watch {
    WATCH_REPORT_OK,
    WATCH_REPORT_INVALID,  /* bogus values (no duration, ranges outside it); nothing stored */
    WATCH_REPORT_TOO_MANY, /* the merged ranges would exceed max_ranges; nothing stored */
    WATCH_REPORT_CLOSED,   /* the enrolment was closed meanwhile; nothing stored */
    WATCH_REPORT_ERROR
};

/* Merges a player report into the video's observed playback (the view row is made if the
 * page's first visit did not make it).  Journals without flooding: "video_played" when the
 * played share first rises to a new level (some, 25 %, 50 %, 75 %), "video_watched" once
 * when it becomes watched to the end, "transcript_opened" the first time; each with the
 * ranges known then.  One transaction. */
enum progress_watch progress_watch_report(struct store *st, const struct model_enrolment *e,
                                          const struct model_pack *pack,
                                          const struct model_video *v,
                                          const struct watch_report *r, size_t max_ranges,
                                          int64_t now);

/* The facts of video v in pr (see watch.h): answered = every question of v answered;
 * stated_ms = the length v states (the sentence says when the player's differs). */
void progress_watch_facts(const struct model_progress *pr, const struct model_video *v,
                          struct watch_facts *f);

/* One question's answer as submitted: the chosen option ids. */
struct progress_choice {
    int64_t question_id;
    int64_t options[MODEL_MAX_OPTIONS];
    size_t n_options;
};

/* Why a submission was refused, per question (index into the video's questions). */
struct progress_problems {
    size_t n;
    struct {
        size_t question_index;
        enum { PROBLEM_MISSING, PROBLEM_ONE_ONLY, PROBLEM_INVALID } kind;
    } items[32];
};

enum progress_submit {
    SUBMIT_OK,
    SUBMIT_INVALID, /* see problems; nothing was written */
    SUBMIT_ERROR
};

/* Records the answers to all questions of video v (one choice per question is required),
 * unless the enrolment was closed meanwhile (the transaction gives STORE_NOT_FOUND, the
 * call SUBMIT_ERROR, and nothing is written),
 * the asked-about marks for v's questions (asked: question ids that are checked; the
 * others are cleared).  Answering never marks the video watched (watch.h).  Journals
 * "answers_submitted" with what was known of the playback then and the code of the page
 * language the citizen answered in (language: "da", "ar", …) (and "asked_topics" when
 * the marks changed, "completed" when this finished the pack).  All in one transaction: committed through the group
 * commit writer w when given (returns once its batch is durable), else on st by itself. */
enum progress_submit progress_submit_answers(struct store *st, struct writer *w,
                                             const struct model_enrolment *e,
                                             const struct model_pack *pack,
                                             const struct model_video *v,
                                             const struct progress_choice *choices,
                                             size_t n_choices, const int64_t *asked,
                                             size_t n_asked, const char *language,
                                             int64_t now, struct progress_problems *problems);

/* The same, for a write that does not hold the caller's thread: checks the submission
 * (SUBMIT_INVALID with problems: nothing to write) and copies it into *out (SUBMIT_OK; free
 * with progress_submission_free), or SUBMIT_ERROR (no memory, or more than
 * PROGRESS_MAX_QUESTIONS choices or PROGRESS_MAX_ASKED marks).  The pack must outlive it
 * (cached packs do).  progress_submission_txn is the transaction to run (through the
 * writer): all of progress_submit_answers' writes, all-or-nothing. */
#define PROGRESS_MAX_QUESTIONS MODEL_MAX_QUESTIONS
#define PROGRESS_MAX_ASKED MODEL_MAX_QUESTIONS /* one mark per question at most */
struct progress_submission;
enum progress_submit progress_submission_new(const struct model_enrolment *e,
                                             const struct model_pack *pack,
                                             const struct model_video *v,
                                             const struct progress_choice *choices,
                                             size_t n_choices, const int64_t *asked,
                                             size_t n_asked, const char *language,
                                             int64_t now, struct progress_problems *problems,
                                             struct progress_submission **out);
enum store_status progress_submission_txn(struct store *st, void *submission);
void progress_submission_free(void *submission);

/* The citizen would rather hear it at the meeting: journals "declined" the first time.
 * 0; 1 when the first meeting is over (meeting_state: recorded, or its planned time has
 * passed), refused and nothing changed; 2 when the enrolment was closed meanwhile, nothing
 * changed; -1 on a store error. */
int progress_decline(struct store *st, const struct model_enrolment *e, int64_t now);

/* Changes the language of the citizen's pages to lang, a well-formed code (lang.h; the
 * caller checks that the service offers it).  0, or -1 (malformed code, store error). */
int progress_set_language(struct store *st, const struct model_enrolment *e, const char *lang);

/* true when the answer's chosen ids equal the question's right options. */
int progress_is_correct(const struct model_question *q, const int64_t *chosen, size_t n);

/* Room for the comma-separated list of a choice's ids (model.h). */
#define PROGRESS_CHOSEN_MAX MODEL_CHOSEN_MAX

/* Writes ids[0..n) comma-separated into out (outlen bytes).  0, or -1 (out is "") when
 * they do not fit: never writes past outlen. */
int progress_format_chosen(const int64_t *ids, size_t n, char *out, size_t outlen);

/* Whether the comma-separated id list holds id. */
int progress_chosen_has(const char *chosen, int64_t id);

#endif
