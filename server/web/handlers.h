/* handlers — what each route does, one function per row of the route table (app.c).
 *
 * h_api.c: the case-system JSON API (README: API).  h_citizen.c: the citizen's pages
 * (README: citizen pages).  h_staff.c: the caseworker's pages.  h_admin.c: the administrator's
 * pages.  h_static.c: static files and media.  Handlers parse and check the
 * request's own fields, call the domain (enrol, progress, content, journal) and reply
 * through app_page()/app_json(); they never see SQL or libmicrohttpd, and every word a
 * person reads comes from templates/ and templates/lang/.
 */
#ifndef VEJLED_HANDLERS_H
#define VEJLED_HANDLERS_H

#include "app.h"

void h_api_enrol(struct app_call *c);
void h_api_enrolment(struct app_call *c);
void h_api_journal(struct app_call *c);
void h_api_link(struct app_call *c);
void h_api_meeting(struct app_call *c);
void h_api_planned_meeting(struct app_call *c);
void h_api_close(struct app_call *c);
void h_api_target_group(struct app_call *c);
void h_api_health(struct app_call *c);
void h_api_me(struct app_call *c);
void h_api_openapi(struct app_call *c);
void h_api_stats(struct app_call *c);

void h_stats_page(struct app_call *c);
void h_stats_csv(struct app_call *c);
void h_stats_question(struct app_call *c);

void h_citizen_home(struct app_call *c);
void h_citizen_link(struct app_call *c);
void h_citizen_overview(struct app_call *c);
void h_citizen_video(struct app_call *c);
void h_citizen_answer(struct app_call *c);
void h_citizen_feedback(struct app_call *c);
void h_citizen_playback(struct app_call *c);
void h_citizen_captions(struct app_call *c);
void h_citizen_decline(struct app_call *c);
void h_citizen_receipt(struct app_call *c);
void h_citizen_language(struct app_call *c);

/* h_staff.c: the caseworker's pages (routes under /medarbejder). */
void h_staff_login(struct app_call *c);
/* A staff page without a session (the login page, an error before login): Danish or
 * English by the switch (?sprog=), the login form's sprog field, else the browser's
 * Accept-Language between the two; sets c->ui and c->lang, and puts the switch
 * (staff_switch: {href, code}) and login_lang into ctx. */
void h_staff_sessionless_language(struct app_call *c, json_t *ctx);
void h_staff_logout(struct app_call *c);
void h_staff_home(struct app_call *c);
void h_staff_language(struct app_call *c);
void h_staff_citizens(struct app_call *c);
void h_staff_citizen_page(struct app_call *c);
void h_staff_evidence(struct app_call *c);
void h_staff_meeting(struct app_call *c);
void h_staff_new_link(struct app_call *c);
void h_staff_training(struct app_call *c);
void h_staff_training_group(struct app_call *c);
void h_staff_training_captions(struct app_call *c);

/* h_admin.c: the administrator's pages (routes under /admin). */
void h_admin_home(struct app_call *c);
void h_admin_users(struct app_call *c);
void h_admin_user(struct app_call *c);
void h_admin_keys(struct app_call *c);
void h_admin_key_revoke(struct app_call *c);
void h_admin_groups(struct app_call *c);
void h_admin_units(struct app_call *c);
void h_admin_unit(struct app_call *c);
void h_admin_group(struct app_call *c);
void h_admin_group_new(struct app_call *c);
void h_admin_packs(struct app_call *c);
void h_admin_draft_new(struct app_call *c);
void h_admin_draft(struct app_call *c);
void h_admin_draft_video(struct app_call *c);
void h_admin_lang(struct app_call *c);
void h_admin_draft_upload(struct app_call *c);
void h_admin_video_new(struct app_call *c);
void h_admin_video_move(struct app_call *c);
void h_admin_question_new(struct app_call *c);
void h_admin_option_new(struct app_call *c);
/* Removes the video, question or option the path names (one handler for all three). */
void h_admin_remove(struct app_call *c);
void h_admin_preview(struct app_call *c);
void h_admin_preview_captions(struct app_call *c);
void h_admin_publish(struct app_call *c);
void h_admin_unplan(struct app_call *c);
void h_admin_discard(struct app_call *c);
void h_admin_letters(struct app_call *c);
void h_admin_letter_retry(struct app_call *c);
void h_admin_journal_retry(struct app_call *c);
void h_admin_access(struct app_call *c);
/* What the pack editor's largest form, a video's (h_admin_draft_video), may hold: a video
 * of MODEL_MAX_QUESTIONS questions with MODEL_MAX_OPTIONS options each, every text at its
 * limit in characters (content.h; the long ones max_content_text) of up to four bytes
 * each, every byte percent-encoded: its fields, and its body in bytes.  The draft page,
 * the language forms and the forms that add a question or an option hold less. */
size_t h_admin_editor_fields(void);
size_t h_admin_editor_body(size_t max_content_text);
/* What a video's own fields (without its questions) may hold in bytes, counted as above:
 * the form that adds a video (h_admin_video_new) sends them beside its file.  Multipart
 * sends a text's bytes as they are, so this is more than they take there. */
size_t h_admin_video_body(size_t max_content_text);
/* What the meeting form (h_staff_meeting) may hold in bytes: its note at max_field_length
 * characters of up to four bytes, percent-encoded, and its short fields. */
size_t h_staff_meeting_body(size_t max_field_length);

/* Shared by h_staff.c and h_admin.c (defined in h_staff.c). */
/* A field of the staff form (c->form), "" when absent.  Borrowed. */
const char *h_staff_field(const struct app_call *c, const char *name);
/* Adds an error-summary entry for field_id with the UI string key to ctx ("errors",
 * "has_errors", and "err_<field_id>" for the field's own message). */
void h_staff_error(struct app_call *c, json_t *ctx, const char *field_id, const char *key);
/* The same with a message already in the reader's language (copied). */
void h_staff_error_msg(json_t *ctx, const char *field_id, const char *message);
/* The UI string key with every "{{name}}" replaced by n: a configured number in a text
 * (caller frees). */
char *h_staff_fill(const struct app_call *c, const char *key, const char *name, unsigned n);
/* A copy of a form's text with a browser's CRLF line breaks as LF, so that a text saved
 * unchanged stays the same (caller frees). */
char *h_staff_text_lf(const char *src);
/* Adds an error for field_id whose UI string key names a number: "{{name}}" as n (a limit,
 * a configured minimum). */
void h_staff_error_n(struct app_call *c, json_t *ctx, const char *field_id, const char *key,
                     const char *name, unsigned n);
/* The same with a text (a date, …) for "{{name}}" (caller frees). */
char *h_staff_fill_text(const struct app_call *c, const char *key, const char *name,
                        const char *value);
/* The form field name, echoed into ctx; NULL (with an error added) when required and
 * empty, or longer than max characters (utf8.h). */
const char *h_staff_text(struct app_call *c, json_t *ctx, const char *name, size_t max,
                         int required, const char *missing_key, const char *long_key);
/* A name in the page's language (a group's, …), the Danish one when it has none. Borrowed
 * from names. */
const char *h_staff_name(const struct app_call *c, char *const names[LANG_COUNT]);
/* Copenhagen time for people under key (nothing when t is 0), in the page's language. */
void h_staff_time(const struct app_call *c, json_t *obj, const char *key, int64_t t);
void h_staff_fail(struct app_call *c);
/* After writing the access log's rows for a read, before the page is shown: 0 when rc is
 * STORE_OK, else -1 having replied (503 when the disk is full, else 500), for a read that
 * cannot be logged is not shown. */
int h_staff_logged(struct app_call *c, enum store_status rc);
/* The path's citizen (params[0]) when in the user's scope: 0, or -1 having replied 404. */
int h_staff_citizen(struct app_call *c, struct model_citizen *out);
/* The newest `limit` access-log rows of a citizen for a page, in the reader's scope; the
 * list's and the name search's only when with_lists (new reference). */
json_t *h_staff_access_rows(struct app_call *c, int64_t citizen_id, bool with_lists,
                            size_t limit);
/* The 1-based video number in params[i], or 0. */
size_t h_staff_video_n(const struct app_call *c, size_t i, const struct model_pack *pack);
/* A pack read-only, for training and preview: the overview (n 0) or video n, with links
 * under base; ctx (stolen, may be NULL) gets the rest. */
void h_staff_pack_page(struct app_call *c, const struct model_pack *pack, size_t n,
                       const char *base, json_t *ctx);
/* The captions of video n in lang ("da"/"en"), or 404. */
void h_staff_pack_captions(struct app_call *c, const struct model_pack *pack, size_t n,
                           const char *lang);

void h_static_file(struct app_call *c);
void h_static_media(struct app_call *c);

/* h_ops.c: GET /metrics (Prometheus text; block it at the public proxy). */
void h_ops_metrics(struct app_call *c);

#endif
