/* h_admin — what the administrator's page files (h_admin.c, h_admin_packs.c) share. */
#ifndef VEJLED_H_ADMIN_H
#define VEJLED_H_ADMIN_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

/* The positive number in path parameter i, or 0 when it is not one. */
int64_t h_admin_id(const struct app_call *c, size_t i);
/* Whether a page context carries form errors. */
int h_admin_has_errors(const json_t *ctx);
/* The published content that needs review ([content] review_days): per target group its
 * pack or a video whose validity has ended, ends within the review period or has not
 * begun, as {"items": [...]} for admin/review.html; NULL when there is none (new
 * reference). */
json_t *h_admin_review(struct app_call *c);

#endif
