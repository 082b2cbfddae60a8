/* store_api — API keys and the stored answers of Idempotency-Key requests (declared in
 * store.h, "API keys and idempotency"). */
#include "store.h"
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------ API keys */

enum store_status store_apikey_insert(struct store *st, const char *name, const char *key_hash,
                                      int64_t now, int64_t *id)
{
    struct db_stmt *s = store_stmt(st,
                                 "INSERT INTO api_keys(name, key_hash, created_at)"
                                 " VALUES (?,?,?) RETURNING id",
                                 "tti", name, key_hash, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_apikey_find(struct store *st, const char *key_hash, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", "t", key_hash);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_idem_get(struct store *st, int64_t api_key_id, const char *key,
                                 int64_t not_before, struct store_idem *out)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT request_hash, status, response_box FROM idempotency"
                                 " WHERE api_key_id = ? AND key = ? AND created_at >= ?",
                                 "iti", api_key_id, key, not_before);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    memset(out, 0, sizeof *out);
    store_col_copy(s, 0, out->request_hash, sizeof out->request_hash);
    out->status = db_col_int(s, 1);
    out->boxlen = (size_t)db_col_bytes(s, 2);
    out->box = xmalloc(out->boxlen);
    if (out->boxlen)
        memcpy(out->box, db_col_blob(s, 2), out->boxlen);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_idem_put(struct store *st, int64_t api_key_id, const char *key,
                                 const char *request_hash, int status, const void *box,
                                 size_t boxlen, int64_t citizen_id, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO idempotency(api_key_id, key,"
                                     " request_hash, status, response_box, citizen_id,"
                                     " created_at) VALUES (?,?,?,?,?,?,?)"
                                     " ON CONFLICT(api_key_id, key) DO UPDATE SET"
                                     " request_hash = excluded.request_hash,"
                                     " status = excluded.status,"
                                     " response_box = excluded.response_box,"
                                     " citizen_id = excluded.citizen_id,"
                                     " created_at = excluded.created_at",
                                     "ittibIi", api_key_id, key, request_hash, (int64_t)status,
                                     box, boxlen, citizen_id, now));
}
