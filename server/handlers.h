/* handlers — what each route does, one function per row of the route table (app.c).
 *
 * h_api.c: the case-system JSON API (CONTRACT §3).  h_citizen.c: the citizen's pages
 * (CONTRACT §4).  h_static.c: static files and media.  Handlers parse and check the
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
void h_api_meeting(struct app_call *c);
void h_api_target_group(struct app_call *c);
void h_api_health(struct app_call *c);
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
void h_citizen_finished(struct app_call *c);
void h_citizen_captions(struct app_call *c);
void h_citizen_decline(struct app_call *c);
void h_citizen_receipt(struct app_call *c);
void h_citizen_language(struct app_call *c);

void h_static_file(struct app_call *c);
void h_static_media(struct app_call *c);

#endif
