/* store_memo — the reads a citizen's page repeats, remembered while nothing changes
 * (store_internal.h, "remembered reads", has the rules and why they hold; store.h
 * store_remember()).
 *
 * Every entry belongs to one change mark, the memo's: an entry read in another state is
 * never kept beside them (the memo is emptied first).  The entries of all three kinds
 * share a few slots, reused round-robin. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "model.h"
#include "token.h"

#define STORE_MEMO_SLOTS 48

enum store_memo_kind { MEMO_FREE, MEMO_SESSION, MEMO_PROGRESS, MEMO_GROUP };

/* One remembered read: a session's enrolment (by the session's hash), an enrolment's
 * progress or a group (by id). */
struct store_memo_entry {
    enum store_memo_kind kind;
    int64_t id;                           /* MEMO_PROGRESS, MEMO_GROUP */
    char id_hash[TOKEN_HASH_HEX_LEN + 1]; /* MEMO_SESSION */
    union {
        struct {
            int64_t expires_at;
            struct model_enrolment e;
            bool used;
        } session;
        struct model_progress progress;
        struct model_group group;
    } v;
};

struct store_memo {
    struct db_mark mark;   /* the state every entry was read in */
    bool marked;           /* mark is set (no entry without it) */
    struct db_mark read;   /* the mark taken before the open read snapshot */
    bool read_marked;      /* ... when there was one */
    uint64_t hits;         /* reads answered from here (store_remembered) */
    struct store_memo_entry slot[STORE_MEMO_SLOTS];
    unsigned next;         /* the slot a new entry takes when its key has none */
};

void store_remember(struct store *st, bool on)
{
    if (on && !st->memo && !store_is_postgres(st))
        st->memo = xcalloc(1, sizeof *st->memo);
    else if (!on && st->memo) {
        store_memo_free(st->memo);
        st->memo = NULL;
    }
}

static void store_memo_entry_clear(struct store_memo_entry *e)
{
    if (e->kind == MEMO_PROGRESS)
        model_progress_clear(&e->v.progress);
    else if (e->kind == MEMO_GROUP)
        model_group_clear(&e->v.group);
    e->kind = MEMO_FREE;
}

/* Empties every slot. */
static void store_memo_clear(struct store_memo *m)
{
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++)
        store_memo_entry_clear(&m->slot[i]);
}

void store_memo_free(struct store_memo *memo)
{
    if (!memo)
        return;
    store_memo_clear(memo);
    free(memo);
}

int store_memo_mark(struct store *st, struct db_mark *m)
{
    if (!st->memo)
        return -1;
    if (st->reading) {
        if (!st->memo->read_marked)
            return -1;
        *m = st->memo->read;
        return 0;
    }
    return db_change_mark(st->db, m);
}

void store_memo_read_begin(struct store *st)
{
    if (st->memo)
        st->memo->read_marked = db_change_mark(st->db, &st->memo->read) == 0;
}

void store_memo_read_end(struct store *st)
{
    if (st->memo)
        st->memo->read_marked = false;
}

#ifdef VEJLED_TESTING
uint64_t store_thread_statements_count(void) { return db_thread_statements(); }
#endif

uint64_t store_remembered(const struct store *st)
{
    return st->memo ? st->memo->hits : 0;
}

/* The entry of that kind and key (id_hash for a session, else id), or NULL. */
static struct store_memo_entry *store_memo_find(struct store_memo *m, enum store_memo_kind kind,
                                                int64_t id, const char *id_hash)
{
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++) {
        struct store_memo_entry *e = &m->slot[i];
        if (e->kind == kind &&
            (kind == MEMO_SESSION ? strcmp(e->id_hash, id_hash) == 0 : e->id == id))
            return e;
    }
    return NULL;
}

/* The entry that may be given for a read of mark's state now, or NULL: the memo holds
 * that state, and in a read snapshot none of its statements has run yet. */
static struct store_memo_entry *store_memo_get(struct store *st, const struct db_mark *mark,
                                               enum store_memo_kind kind, int64_t id,
                                               const char *id_hash)
{
    struct store_memo *m = st->memo;
    if (!m || !m->marked || (st->reading && st->began) ||
        memcmp(mark, &m->mark, sizeof *mark) != 0)
        return NULL;
    return store_memo_find(m, kind, id, id_hash);
}

/* The emptied slot for an entry of that kind and key read in mark's state (the memo
 * holds mark's state from now on), or NULL when nothing is remembered. */
static struct store_memo_entry *store_memo_put(struct store *st, const struct db_mark *mark,
                                               enum store_memo_kind kind, int64_t id,
                                               const char *id_hash)
{
    struct store_memo *m = st->memo;
    if (!m || (id_hash && strlen(id_hash) > TOKEN_HASH_HEX_LEN))
        return NULL;
    if (!m->marked || memcmp(mark, &m->mark, sizeof *mark) != 0) {
        store_memo_clear(m);
        m->mark = *mark;
        m->marked = true;
    }
    struct store_memo_entry *e = store_memo_find(m, kind, id, id_hash);
    if (!e)
        e = &m->slot[m->next++ % STORE_MEMO_SLOTS];
    store_memo_entry_clear(e);
    e->kind = kind;
    e->id = id;
    snprintf(e->id_hash, sizeof e->id_hash, "%s", id_hash ? id_hash : "");
    return e;
}

int store_memo_session(struct store *st, const struct db_mark *mark, const char *id_hash,
                       int64_t now, struct model_enrolment *out, bool *used)
{
    const struct store_memo_entry *e = store_memo_get(st, mark, MEMO_SESSION, 0, id_hash);
    if (!e || e->v.session.expires_at <= now) /* expired since: the query says so */
        return 0;
    *out = e->v.session.e;
    *used = e->v.session.used;
    st->memo->hits++;
    return 1;
}

void store_memo_put_session(struct store *st, const struct db_mark *mark, const char *id_hash,
                            int64_t expires_at, const struct model_enrolment *en, bool used)
{
    struct store_memo_entry *e = store_memo_put(st, mark, MEMO_SESSION, 0, id_hash);
    if (!e)
        return;
    e->v.session.expires_at = expires_at;
    e->v.session.e = *en;
    e->v.session.used = used;
}

int store_memo_progress(struct store *st, const struct db_mark *mark, int64_t enrolment_id,
                        struct model_progress *out)
{
    const struct store_memo_entry *e = store_memo_get(st, mark, MEMO_PROGRESS, enrolment_id,
                                                      NULL);
    if (!e)
        return 0;
    model_progress_copy(out, &e->v.progress);
    st->memo->hits++;
    return 1;
}

void store_memo_put_progress(struct store *st, const struct db_mark *mark, int64_t enrolment_id,
                             const struct model_progress *pr)
{
    struct store_memo_entry *e = store_memo_put(st, mark, MEMO_PROGRESS, enrolment_id, NULL);
    if (e)
        model_progress_copy(&e->v.progress, pr);
}

int store_memo_group(struct store *st, const struct db_mark *mark, int64_t id,
                     struct model_group *out)
{
    const struct store_memo_entry *e = store_memo_get(st, mark, MEMO_GROUP, id, NULL);
    if (!e)
        return 0;
    model_group_copy(out, &e->v.group);
    st->memo->hits++;
    return 1;
}

void store_memo_put_group(struct store *st, const struct db_mark *mark, int64_t id,
                          const struct model_group *g)
{
    struct store_memo_entry *e = store_memo_put(st, mark, MEMO_GROUP, id, NULL);
    if (e)
        model_group_copy(&e->v.group, g);
}
