/* store_memo — the reads a citizen's page repeats, remembered while nothing changes
 * (store_internal.h, "remembered reads", has the rules and why they hold; store.h
 * store_remember()).
 *
 * Every entry belongs to one change mark, the memo's: an entry read in another state is
 * never kept beside them (the memo is emptied first).  Each kind has a few slots, reused
 * round-robin. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "model.h"
#include "token.h"

#define STORE_MEMO_SLOTS 16

struct store_memo_session {
    bool set;
    char id_hash[TOKEN_HASH_HEX_LEN + 1];
    int64_t expires_at;
    struct model_enrolment e;
    bool used;
};

struct store_memo_progress {
    bool set;
    int64_t enrolment_id;
    struct model_progress pr;
};

struct store_memo_group {
    bool set;
    int64_t id;
    struct model_group g;
};

struct store_memo {
    struct db_mark mark;   /* the state every entry was read in */
    bool marked;           /* mark is set (no entry without it) */
    struct db_mark read;   /* the mark taken before the open read snapshot */
    bool read_marked;      /* ... when there was one */
    uint64_t hits;         /* reads answered from here (store_remembered) */
    struct store_memo_session s[STORE_MEMO_SLOTS];
    struct store_memo_progress p[STORE_MEMO_SLOTS];
    struct store_memo_group g[STORE_MEMO_SLOTS];
    unsigned next_s, next_p, next_g;
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

/* Empties every slot. */
static void store_memo_clear(struct store_memo *m)
{
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++) {
        m->s[i].set = false;
        if (m->p[i].set)
            model_progress_clear(&m->p[i].pr);
        m->p[i].set = false;
        if (m->g[i].set)
            model_group_clear(&m->g[i].g);
        m->g[i].set = false;
    }
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

uint64_t store_remembered(const struct store *st)
{
    return st->memo ? st->memo->hits : 0;
}

/* Whether entries of mark may be given now: the memo holds that state, and in a read
 * snapshot none of its statements has run yet. */
static bool store_memo_usable(const struct store *st, const struct db_mark *mark)
{
    const struct store_memo *m = st->memo;
    return m && m->marked && !(st->reading && st->began) &&
           memcmp(mark, &m->mark, sizeof *mark) == 0;
}

/* Before an entry read in mark's state is put: the memo holds mark's state from now on. */
static bool store_memo_admit(struct store *st, const struct db_mark *mark)
{
    struct store_memo *m = st->memo;
    if (!m)
        return false;
    if (!m->marked || memcmp(mark, &m->mark, sizeof *mark) != 0) {
        store_memo_clear(m);
        m->mark = *mark;
        m->marked = true;
    }
    return true;
}

int store_memo_session(struct store *st, const struct db_mark *mark, const char *id_hash,
                       int64_t now, struct model_enrolment *out, bool *used)
{
    if (!store_memo_usable(st, mark))
        return 0;
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++) {
        const struct store_memo_session *e = &st->memo->s[i];
        if (e->set && strcmp(e->id_hash, id_hash) == 0) {
            if (e->expires_at <= now)
                return 0; /* expired since: the query says so */
            *out = e->e;
            *used = e->used;
            st->memo->hits++;
            return 1;
        }
    }
    return 0;
}

void store_memo_put_session(struct store *st, const struct db_mark *mark, const char *id_hash,
                            int64_t expires_at, const struct model_enrolment *en, bool used)
{
    if (strlen(id_hash) > TOKEN_HASH_HEX_LEN || !store_memo_admit(st, mark))
        return;
    struct store_memo_session *e = NULL;
    for (size_t i = 0; i < STORE_MEMO_SLOTS && !e; i++)
        if (st->memo->s[i].set && strcmp(st->memo->s[i].id_hash, id_hash) == 0)
            e = &st->memo->s[i]; /* the same session again: its slot */
    if (!e)
        e = &st->memo->s[st->memo->next_s++ % STORE_MEMO_SLOTS];
    e->set = true;
    memcpy(e->id_hash, id_hash, strlen(id_hash) + 1);
    e->expires_at = expires_at;
    e->e = *en;
    e->used = used;
}

int store_memo_progress(struct store *st, const struct db_mark *mark, int64_t enrolment_id,
                        struct model_progress *out)
{
    if (!store_memo_usable(st, mark))
        return 0;
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++) {
        const struct store_memo_progress *e = &st->memo->p[i];
        if (e->set && e->enrolment_id == enrolment_id) {
            model_progress_copy(out, &e->pr);
            st->memo->hits++;
            return 1;
        }
    }
    return 0;
}

void store_memo_put_progress(struct store *st, const struct db_mark *mark, int64_t enrolment_id,
                             const struct model_progress *pr)
{
    if (!store_memo_admit(st, mark))
        return;
    struct store_memo_progress *e = NULL;
    for (size_t i = 0; i < STORE_MEMO_SLOTS && !e; i++)
        if (st->memo->p[i].set && st->memo->p[i].enrolment_id == enrolment_id)
            e = &st->memo->p[i];
    if (!e)
        e = &st->memo->p[st->memo->next_p++ % STORE_MEMO_SLOTS];
    if (e->set)
        model_progress_clear(&e->pr);
    e->set = true;
    e->enrolment_id = enrolment_id;
    model_progress_copy(&e->pr, pr);
}

int store_memo_group(struct store *st, const struct db_mark *mark, int64_t id,
                     struct model_group *out)
{
    if (!store_memo_usable(st, mark))
        return 0;
    for (size_t i = 0; i < STORE_MEMO_SLOTS; i++) {
        const struct store_memo_group *e = &st->memo->g[i];
        if (e->set && e->id == id) {
            model_group_copy(out, &e->g);
            st->memo->hits++;
            return 1;
        }
    }
    return 0;
}

void store_memo_put_group(struct store *st, const struct db_mark *mark, int64_t id,
                          const struct model_group *g)
{
    if (!store_memo_admit(st, mark))
        return;
    struct store_memo_group *e = NULL;
    for (size_t i = 0; i < STORE_MEMO_SLOTS && !e; i++)
        if (st->memo->g[i].set && st->memo->g[i].id == id)
            e = &st->memo->g[i];
    if (!e)
        e = &st->memo->g[st->memo->next_g++ % STORE_MEMO_SLOTS];
    if (e->set)
        model_group_clear(&e->g);
    e->set = true;
    e->id = id;
    model_group_copy(&e->g, g);
}
