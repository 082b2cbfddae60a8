/* h_admin — what the administrator's page files (h_admin.c, h_admin_packs.c) share. */
#ifndef VEJLED_H_ADMIN_H
#define VEJLED_H_ADMIN_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

/* The pack editor's field limits in bytes; the written guidance, transcripts and captions
 * have [staff] max_content_text (README: administrator pages). */
#define H_ADMIN_TITLE_MAX 200
#define H_ADMIN_SUMMARY_MAX 1000
#define H_ADMIN_MEDIA_MAX 200
#define H_ADMIN_LEGAL_MAX 500
#define H_ADMIN_QUESTION_MAX 1000
#define H_ADMIN_TOPIC_MAX 200
#define H_ADMIN_EXPLANATION_MAX 2000
#define H_ADMIN_OPTION_MAX 500

/* The positive number in path parameter i, or 0 when it is not one. */
int64_t h_admin_id(const struct app_call *c, size_t i);
/* Whether a page context carries form errors. */
int h_admin_has_errors(const json_t *ctx);

#endif
