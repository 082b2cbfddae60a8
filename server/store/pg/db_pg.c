/* db_pg — the PostgreSQL engine behind db.h (libpq).
 *
 * A connection is one PGconn in autocommit mode with synchronous_commit on (a COMMIT that
 * returned is durable), lock_timeout = busy_ms (0: 1 ms, as PostgreSQL's 0 would wait for
 * ever), UTF8, TimeZone UTC.  Statements are rewritten from SQLite's placeholders
 * (pg_placeholders.h) at db_prepare() and prepared on the server (PQprepare, "s<counter>")
 * at their first db_step(), with the parameter types the bindings recorded: int8 and text
 * go as text, bytea in binary format.  Results come in text format and are read whole
 * (PQexecPrepared).
 *
 * A lost connection (PQstatus CONNECTION_BAD, or the server's FATAL goodbye already waiting
 * on the socket) is reset by the next db_exec(), db_begin() or first db_step() outside a
 * transaction; the connection's generation goes up and every statement prepares again.
 * Inside a transaction the loss is DB_ERROR, and so is every later statement until the
 * store ends that transaction (ROLLBACK: DB_DONE; COMMIT: DB_ERROR) or begins a new one.
 *
 * Ownership: the connection owns its PGconn (PQfinish) and its error text; a statement
 * owns its rewritten SQL, its parameter values, its PGresult (PQclear) and the bytea
 * columns it decoded for the current row.
 */
#include "db.h"
#include "db_engine.h"

#include <ctype.h>
#include <limits.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dynlib.h"
#include "mem.h"
#include "pg_placeholders.h"

/* libpq (and OpenSSL, Kerberos and LDAP under it: about 3 MB resident) is not linked: it
 * is opened with dlopen() by the first db_pg_open(), so a server on an SQLite file never
 * maps it.  Every PQ… name below is the function found then. */
#define DB_PG_FUNCTIONS(X)                                                                  \
    X(PQclear) X(PQstatus) X(PQexec) X(PQtransactionStatus) X(PQresultErrorField)           \
    X(PQntuples) X(PQprepare) X(PQfinish) X(PQexecPrepared) X(PQerrorMessage)               \
    X(PQcmdStatus) X(PQsocket) X(PQsetNoticeReceiver) X(PQresultStatus) X(PQreset)          \
    X(PQnotifies) X(PQnfields) X(PQisBusy) X(PQgetvalue) X(PQgetlength) X(PQgetisnull)      \
    X(PQftype) X(PQfreemem) X(PQexecParams) X(PQconsumeInput) X(PQconnectdb)                \
    X(PQcmdTuples)                                                                          
#define DB_PG_FIELD(name) __typeof__(&name) name;
#define DB_PG_ENTRY(name) DYNLIB_FN(db_pg_api, name)
static struct {
    DB_PG_FUNCTIONS(DB_PG_FIELD)
} db_pg_api;
static const struct dynlib_fn db_pg_fns[] = {DB_PG_FUNCTIONS(DB_PG_ENTRY)};
static int db_pg_api_ok; /* 1 when db_pg_api is filled; set once under db_pg_api_once */
static pthread_once_t db_pg_api_once = PTHREAD_ONCE_INIT;
static char db_pg_api_err[256];

static void db_pg_api_load(void)
{
    db_pg_api_ok = dynlib_load("libpq.so.5", db_pg_fns, sizeof db_pg_fns / sizeof db_pg_fns[0],
                               db_pg_api_err, sizeof db_pg_api_err) == 0;
}
#define PQclear db_pg_api.PQclear
#define PQstatus db_pg_api.PQstatus
#define PQexec db_pg_api.PQexec
#define PQtransactionStatus db_pg_api.PQtransactionStatus
#define PQresultErrorField db_pg_api.PQresultErrorField
#define PQntuples db_pg_api.PQntuples
#define PQprepare db_pg_api.PQprepare
#define PQfinish db_pg_api.PQfinish
#define PQexecPrepared db_pg_api.PQexecPrepared
#define PQerrorMessage db_pg_api.PQerrorMessage
#define PQcmdStatus db_pg_api.PQcmdStatus
#define PQsocket db_pg_api.PQsocket
#define PQsetNoticeReceiver db_pg_api.PQsetNoticeReceiver
#define PQresultStatus db_pg_api.PQresultStatus
#define PQreset db_pg_api.PQreset
#define PQnotifies db_pg_api.PQnotifies
#define PQnfields db_pg_api.PQnfields
#define PQisBusy db_pg_api.PQisBusy
#define PQgetvalue db_pg_api.PQgetvalue
#define PQgetlength db_pg_api.PQgetlength
#define PQgetisnull db_pg_api.PQgetisnull
#define PQftype db_pg_api.PQftype
#define PQfreemem db_pg_api.PQfreemem
#define PQexecParams db_pg_api.PQexecParams
#define PQconsumeInput db_pg_api.PQconsumeInput
#define PQconnectdb db_pg_api.PQconnectdb
#define PQcmdTuples db_pg_api.PQcmdTuples

/* The type OIDs of pg_type that the bindings send. */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

struct pg_db {
    struct db base;
    PGconn *h;
    unsigned busy_ms;
    char begin_write[96]; /* pg_begin's statement for a write, made once at open */
    unsigned long gen;       /* goes up with every (re)connect; statements compare theirs */
    unsigned long next_name; /* the counter behind the statements' names */
    bool in_tx;              /* a transaction is open on the server */
    bool tx_lost;            /* the connection was lost inside a transaction not yet ended */
    bool configured;         /* the session settings hold on this session */
    bool doomed;             /* the server said FATAL: this session is over */
    int64_t changes;
    char **pending;          /* names of statements to DEALLOCATE once no transaction is open */
    size_t npending;
    char err[512];
};

struct pg_col {
    bool decoded;
    unsigned char *buf; /* the bytes of a bytea column of the current row (free()) */
    size_t len;
};

struct pg_stmt {
    struct db_stmt base;
    struct pg_db *db;
    char *sql;      /* with $N placeholders */
    char name[24];  /* the server-side name, "s<counter>" */
    unsigned long gen; /* the generation it was prepared in; 0: not prepared */
    int nparams;
    Oid *types;     /* the types bound now (0: not bound) */
    Oid *prepared;  /* the types it was prepared with */
    char **values;  /* NULL: SQL NULL; else a copy (free()) */
    int *lengths;
    int *formats;   /* 0 text, 1 binary */
    PGresult *res;
    int row;        /* the current row of res; -1 before the first step */
    bool finished;  /* DB_DONE or a failure was returned */
    int ncols;
    struct pg_col *cols; /* ncols entries for the current row */
};

static struct pg_db *conn(struct db *db) { return (struct pg_db *)db; }
static struct pg_stmt *stm(struct db_stmt *s) { return (struct pg_stmt *)s; }

/* Notices (a WARNING that no transaction is in progress, a NOTICE from a migration) may
 * quote data; they go nowhere.  One kind is noted: the FATAL a server sends before it
 * closes the session (pg_terminate_backend, a shutdown), which libpq hands here when it
 * arrives while no command runs — the session is finished even if the socket is not yet. */
static void pg_notice(void *arg, const PGresult *res)
{
    struct pg_db *c = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
        c->doomed = true;
}

/* Copies a libpq message into the connection's error text, one line. */
static void set_err(struct pg_db *c, const char *prefix, const char *msg)
{
    snprintf(c->err, sizeof c->err, "%s%s", prefix, msg ? msg : "");
    size_t n = strlen(c->err);
    for (size_t i = 0; i < n; i++)
        if (c->err[i] == '\n')
            c->err[i] = (i + 1 == n) ? '\0' : ' ';
    while (n > 0 && (c->err[n - 1] == ' ' || c->err[n - 1] == '\0'))
        c->err[--n] = '\0';
}

static void set_conn_err(struct pg_db *c) { set_err(c, "", PQerrorMessage(c->h)); }

static enum db_result result_of_sqlstate(const char *state)
{
    if (!state)
        return DB_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return DB_BUSY;
    if (strcmp(state, "53100") == 0) /* disk_full */
        return DB_FULL;
    return DB_ERROR;
}

/* After a command: what the server says about the transaction, and db_changes(). */
static void after_command(struct pg_db *c, bool was_in_tx, const PGresult *res)
{
    if (PQstatus(c->h) != CONNECTION_OK) {
        if (was_in_tx || c->in_tx)
            c->tx_lost = true;
        c->in_tx = false;
        return;
    }
    PGTransactionStatusType ts = PQtransactionStatus(c->h);
    c->in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
    if (res) {
        const char *tag = PQcmdStatus((PGresult *)res);
        if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
            strncmp(tag, "DELETE", 6) == 0 || strncmp(tag, "MERGE", 5) == 0)
            c->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
    }
}

/* The outcome of a result: DB_DONE for success, else the mapped failure (error text set). */
static enum db_result result_of(struct pg_db *c, const PGresult *res)
{
    if (!res) {
        set_conn_err(c);
        return DB_ERROR;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
        return DB_DONE;
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (primary)
        set_err(c, "", primary);
    else
        set_conn_err(c);
    /* a data exception quotes the value it could not take (invalid input syntax for type
     * bigint: "…"): the value may be personal, the message keeps the part before it */
    char *quoted;
    if (state && strncmp(state, "22", 2) == 0 && (quoted = strstr(c->err, ": \"")) != NULL)
        *quoted = '\0';
    return result_of_sqlstate(state);
}

/* Session settings, after every (re)connect. */
static int configure(struct pg_db *c)
{
    char sql[320];
    unsigned lock_ms = c->busy_ms == 0 ? 1 : c->busy_ms > INT_MAX ? INT_MAX : c->busy_ms;
    snprintf(sql, sizeof sql,
             "SET synchronous_commit = on; SET lock_timeout = %u; SET client_encoding = 'UTF8';"
             " SET application_name = 'vejled'; SET TimeZone = 'UTC';"
             " SET bytea_output = 'hex'",
             lock_ms);
    PGresult *res = PQexec(c->h, sql);
    enum db_result r = result_of(c, res);
    PQclear(res);
    c->configured = r == DB_DONE;
    return c->configured ? 0 : -1;
}

/* Reads what the server sent while the connection was idle: after a terminated backend
 * that is a FATAL (pg_notice() marks the session doomed) and the end of the stream, which
 * libpq turns into CONNECTION_BAD. */
static void probe(struct pg_db *c)
{
    for (int i = 0; i < 8 && PQstatus(c->h) == CONNECTION_OK && !c->doomed; i++) {
        struct pollfd pfd = {.fd = PQsocket(c->h), .events = POLLIN};
        if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
            return;
        if (!PQconsumeInput(c->h))
            return;
        (void)PQisBusy(c->h); /* parses what came: a FATAL reaches pg_notice() */
        PGnotify *n;
        while ((n = PQnotifies(c->h)) != NULL)
            PQfreemem(n);
    }
}

static void drop_pending(struct pg_db *c)
{
    for (size_t i = 0; i < c->npending; i++)
        free(c->pending[i]);
    free(c->pending);
    c->pending = NULL;
    c->npending = 0;
}

/* Outside a transaction: deallocates the statements finalized inside one. */
static void flush_pending(struct pg_db *c)
{
    if (!c->npending || PQtransactionStatus(c->h) != PQTRANS_IDLE)
        return;
    for (size_t i = 0; i < c->npending; i++) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", c->pending[i]);
        PQclear(PQexec(c->h, sql));
    }
    drop_pending(c);
}

/* Forgets a server-side statement: now, unless a failed transaction would refuse it (then
 * later, outside the transaction). */
static void forget_on_server(struct pg_db *c, const char *name)
{
    if (PQstatus(c->h) != CONNECTION_OK)
        return;
    PGTransactionStatusType ts = PQtransactionStatus(c->h);
    if (ts == PQTRANS_IDLE || ts == PQTRANS_INTRANS) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
        PQclear(PQexec(c->h, sql));
        return;
    }
    c->pending = xrealloc(c->pending, (c->npending + 1) * sizeof *c->pending);
    c->pending[c->npending++] = xstrdup(name);
}

/* Makes sure there is a usable connection before a command: 0, or -1 (error text set).
 * begin: the command starts a transaction, which ends a lost one. */
static int ready(struct pg_db *c, bool begin)
{
    if (c->tx_lost && !begin) {
        set_err(c, "", "the connection to PostgreSQL was lost inside a transaction");
        return -1;
    }
    c->tx_lost = false;
    probe(c);
    if (PQstatus(c->h) == CONNECTION_OK && !c->doomed) {
        if (!c->configured && !c->in_tx)
            return configure(c);
        flush_pending(c);
        return 0;
    }
    if (c->in_tx && !begin) {
        c->in_tx = false;
        c->tx_lost = true;
        set_err(c, "", "the connection to PostgreSQL was lost inside a transaction");
        return -1;
    }
    c->in_tx = false;
    c->tx_lost = false;
    drop_pending(c); /* they went with the old session */
    c->doomed = false;
    PQreset(c->h);
    if (PQstatus(c->h) != CONNECTION_OK) {
        set_err(c, "cannot connect again: ", PQerrorMessage(c->h));
        return -1;
    }
    c->gen++;
    return configure(c);
}

static void pg_close(struct db *db)
{
    drop_pending(conn(db));
    PQfinish(conn(db)->h);
    free(db);
}

static const char *pg_errmsg(struct db *db) { return conn(db)->err; }

/* The first keyword of sql, upper-cased into out (at most n-1 letters). */
static void first_word(const char *sql, char *out, size_t n)
{
    size_t i = 0;
    while (isspace((unsigned char)*sql))
        sql++;
    while (i + 1 < n && isalpha((unsigned char)sql[i])) {
        out[i] = (char)toupper((unsigned char)sql[i]);
        i++;
    }
    out[i] = '\0';
}

static bool ends_transaction(const char *sql, bool *commit)
{
    char w[16];
    first_word(sql, w, sizeof w);
    *commit = strcmp(w, "COMMIT") == 0 || strcmp(w, "END") == 0;
    if (*commit)
        return true;
    if (strcmp(w, "ROLLBACK") != 0 && strcmp(w, "ABORT") != 0)
        return false;
    /* ROLLBACK TO [SAVEPOINT] x stays inside the transaction */
    const char *p = sql;
    while (isspace((unsigned char)*p))
        p++;
    p += strlen(w);
    while (isspace((unsigned char)*p))
        p++;
    return !(strncasecmp(p, "TO", 2) == 0 && !isalnum((unsigned char)p[2]) && p[2] != '_');
}

static enum db_result pg_exec(struct db *db, const char *sql)
{
    struct pg_db *c = conn(db);
    bool commit = false;
    if (c->tx_lost && ends_transaction(sql, &commit)) {
        c->tx_lost = false;
        if (commit) {
            set_err(c, "", "the connection to PostgreSQL was lost inside the transaction; "
                           "it was not committed");
            return DB_ERROR;
        }
        return DB_DONE; /* what a rollback wanted: the transaction is gone */
    }
    char w[16];
    first_word(sql, w, sizeof w);
    if (ready(c, strcmp(w, "BEGIN") == 0 || strcmp(w, "START") == 0) != 0)
        return DB_ERROR;
    bool was = c->in_tx;
    PGresult *res = PQexec(c->h, sql);
    enum db_result r = result_of(c, res);
    if (r == DB_DONE && (strcmp(w, "COMMIT") == 0 || strcmp(w, "END") == 0) &&
        strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        set_err(c, "", "the transaction had failed and was rolled back, not committed");
        r = DB_ERROR;
    }
    after_command(c, was, res);
    PQclear(res);
    return r;
}

/* A write transaction takes the one write lock of all servers (store.c), so one left open
 * by a server that lost its power or network, or froze, would stop every writer until its
 * TCP connection is found dead (hours).  PostgreSQL ends such a transaction once it has
 * sat idle busy_ms (at least a second): vejled never waits between the statements of a
 * write, so only a lost server's transaction sits that long, and the writers waiting for
 * the lock go on.  Read transactions are left alone (an export may read for long). */
static enum db_result pg_begin(struct db *db, enum db_begin kind)
{
    return pg_exec(db, kind == DB_BEGIN_WRITE ? conn(db)->begin_write
                                              : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int64_t pg_changes(struct db *db) { return conn(db)->changes; }

static int pg_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
    (void)db;
    (void)dest;
    snprintf(err, errlen, "a PostgreSQL database is backed up with pg_dump or pg_basebackup, "
                          "not by vejled");
    return -1;
}

static enum db_result pg_nothing(struct db *db)
{
    (void)db;
    return DB_DONE;
}

/* Every connection sets synchronous_commit = on: a COMMIT returns once it is on disk (and
 * only then do other transactions see it), so there is no later sync to defer to. */
static int pg_log_defer(struct db *db)
{
    (void)db;
    return -1;
}

static int pg_log_sync(struct db *db)
{
    (void)db;
    return 0;
}

/* Only the server knows whether anything committed: no mark (db.h). */
static int pg_change_mark(struct db *db, struct db_mark *out)
{
    (void)db;
    (void)out;
    return -1;
}

/* ---- statements ---- */

static void clear_row(struct pg_stmt *s)
{
    for (int i = 0; i < s->ncols; i++) {
        free(s->cols[i].buf);
        s->cols[i] = (struct pg_col){0};
    }
}

static void clear_result(struct pg_stmt *s)
{
    clear_row(s);
    free(s->cols);
    s->cols = NULL;
    s->ncols = 0;
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->finished = false;
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
    struct pg_db *c = conn(db);
    int n = 0;
    char *text = pg_placeholders(sql, &n);
    if (!text) {
        set_err(c, "", "a malformed parameter placeholder (?0 or a number above 65535)");
        return NULL;
    }
    struct pg_stmt *s = xcalloc(1, sizeof *s);
    s->base.engine = db->engine;
    s->db = c;
    s->sql = text;
    snprintf(s->name, sizeof s->name, "s%lu", ++c->next_name);
    s->nparams = n;
    size_t k = n > 0 ? (size_t)n : 1;
    s->types = xcalloc(k, sizeof *s->types);
    s->prepared = xcalloc(k, sizeof *s->prepared);
    s->values = xcalloc(k, sizeof *s->values);
    s->lengths = xcalloc(k, sizeof *s->lengths);
    s->formats = xcalloc(k, sizeof *s->formats);
    s->row = -1;
    return &s->base;
}

static void clear_bindings(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->types[i] = 0;
        s->lengths[i] = 0;
        s->formats[i] = 0;
    }
}

static void pg_finalize(struct db_stmt *st)
{
    struct pg_stmt *s = stm(st);
    struct pg_db *c = s->db;
    if (s->gen == c->gen)
        forget_on_server(c, s->name);
    clear_result(s);
    clear_bindings(s);
    free(s->types);
    free(s->prepared);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->sql);
    free(s);
}

static int pg_param_count(struct db_stmt *s) { return stm(s)->nparams; }

static void pg_reset(struct db_stmt *st)
{
    clear_result(stm(st));
    clear_bindings(stm(st));
}

/* Takes ownership of value (NULL: SQL NULL). */
static int bind(struct pg_stmt *s, int idx, Oid type, char *value, int length, int format)
{
    if (idx < 1 || idx > s->nparams) {
        free(value);
        snprintf(s->db->err, sizeof s->db->err, "parameter %d out of range (1..%d)", idx,
                 s->nparams);
        return -1;
    }
    if (s->res) /* a binding drops the result of the last run */
        clear_result(s);
    free(s->values[idx - 1]);
    s->values[idx - 1] = value;
    s->types[idx - 1] = type;
    s->lengths[idx - 1] = length;
    s->formats[idx - 1] = format;
    return 0;
}

static int pg_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    char *text = xmalloc(24);
    snprintf(text, 24, "%lld", (long long)v);
    return bind(stm(s), idx, OID_INT8, text, 0, 0);
}

static int pg_bind_text(struct db_stmt *s, int idx, const char *v)
{
    if (!v)
        return bind(stm(s), idx, OID_TEXT, NULL, 0, 0);
    return bind(stm(s), idx, OID_TEXT, xstrdup(v), 0, 0);
}

static int pg_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    if (n > 0x3fffffff) {
        snprintf(stm(s)->db->err, sizeof stm(s)->db->err, "a blob of %zu bytes is too big", n);
        return -1;
    }
    char *copy = xmalloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    return bind(stm(s), idx, OID_BYTEA, copy, (int)n, 1);
}

static int pg_bind_null(struct db_stmt *s, int idx, enum db_type type)
{
    Oid oid = type == DB_INT64 ? OID_INT8 : type == DB_TEXT ? OID_TEXT : OID_BYTEA;
    return bind(stm(s), idx, oid, NULL, 0, 0);
}

/* Prepares s on the server when it is not prepared in this connection's generation or the
 * bound types differ from the prepared ones.  DB_DONE or a failure. */
static enum db_result prepare_on_server(struct pg_stmt *s)
{
    struct pg_db *c = s->db;
    bool same = s->gen == c->gen;
    for (int i = 0; same && i < s->nparams; i++)
        if (s->types[i] && s->types[i] != s->prepared[i])
            same = false;
    if (same)
        return DB_DONE;
    bool was = c->in_tx;
    if (s->gen == c->gen) { /* the types changed: a new name, the old one goes */
        forget_on_server(c, s->name);
        snprintf(s->name, sizeof s->name, "s%lu", ++c->next_name);
    }
    for (int i = 0; i < s->nparams; i++)
        s->prepared[i] = s->types[i];
    PGresult *res = PQprepare(c->h, s->name, s->sql, s->nparams, s->prepared);
    enum db_result r = result_of(c, res);
    PQclear(res);
    if (r != DB_DONE) {
        after_command(c, was, NULL);
        return r;
    }
    s->gen = c->gen;
    return DB_DONE;
}

static enum db_result pg_step(struct db_stmt *st)
{
    struct pg_stmt *s = stm(st);
    struct pg_db *c = s->db;
    if (s->res && !s->finished) {
        clear_row(s);
        s->row++;
        if (s->row < PQntuples(s->res))
            return DB_ROW;
        s->finished = true;
        return DB_DONE;
    }
    clear_result(s); /* a step after DB_DONE runs the statement again, as SQLite does */
    if (ready(c, false) != 0) {
        s->finished = true;
        return DB_ERROR;
    }
    enum db_result r = prepare_on_server(s);
    if (r != DB_DONE) {
        s->finished = true;
        return r;
    }
    bool was = c->in_tx;
    PGresult *res = PQexecPrepared(c->h, s->name, s->nparams, (const char *const *)s->values,
                                   s->lengths, s->formats, 0);
    r = result_of(c, res);
    after_command(c, was, r == DB_DONE ? res : NULL);
    if (r != DB_DONE) {
        PQclear(res);
        s->finished = true;
        return r;
    }
    s->res = res;
    s->ncols = PQnfields(res);
    s->cols = xcalloc(s->ncols > 0 ? (size_t)s->ncols : 1, sizeof *s->cols);
    s->row = 0;
    if (PQntuples(res) > 0)
        return DB_ROW;
    s->finished = true;
    return DB_DONE;
}

/* The current row's value of col, or NULL (SQL NULL, no row, no such column). */
static const char *value(struct pg_stmt *s, int col)
{
    if (!s->res || s->finished || col < 0 || col >= s->ncols || s->row < 0 ||
        s->row >= PQntuples(s->res) || PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static bool pg_col_null(struct db_stmt *s, int col) { return value(stm(s), col) == NULL; }

static int64_t pg_col_int64(struct db_stmt *s, int col)
{
    const char *v = value(stm(s), col);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    if (v[0] == 'f' && v[1] == '\0')
        return 0;
    return (int64_t)strtoll(v, NULL, 10); /* numeric "12" and "12.5" read as 12 */
}

static double pg_col_double(struct db_stmt *s, int col)
{
    const char *v = value(stm(s), col);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    return strtod(v, NULL);
}

static const char *pg_col_text(struct db_stmt *s, int col) { return value(stm(s), col); }

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The bytes of col in the current row: a bytea decoded from its hex text (kept until the
 * next step or reset), anything else its text. */
static const struct pg_col *bytes_of(struct pg_stmt *s, int col)
{
    static const struct pg_col none = {0};
    const char *v = value(s, col);
    if (!v)
        return &none;
    struct pg_col *pc = &s->cols[col];
    if (pc->decoded)
        return pc;
    pc->decoded = true;
    size_t len = (size_t)PQgetlength(s->res, s->row, col);
    if (PQftype(s->res, col) == OID_BYTEA && len >= 2 && v[0] == '\\' && v[1] == 'x') {
        size_t n = (len - 2) / 2;
        pc->buf = xmalloc(n ? n : 1);
        for (size_t i = 0; i < n; i++) {
            int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
            pc->buf[i] = (unsigned char)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
        }
        pc->len = n;
    } else {
        pc->buf = xmalloc(len ? len : 1);
        memcpy(pc->buf, v, len);
        pc->len = len;
    }
    return pc;
}

static const void *pg_col_blob(struct db_stmt *s, int col)
{
    const struct pg_col *pc = bytes_of(stm(s), col);
    return pc->len ? pc->buf : NULL;
}

static size_t pg_col_bytes(struct db_stmt *s, int col) { return bytes_of(stm(s), col)->len; }

static enum db_result pg_serialize(struct db *db, int64_t key)
{
    struct pg_db *c = conn(db);
    if (ready(c, false) != 0)
        return DB_ERROR;
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)key);
    const char *values[1] = {text};
    const Oid types[1] = {OID_INT8};
    bool was = c->in_tx;
    PGresult *res = PQexecParams(c->h, "SELECT pg_advisory_xact_lock($1)", 1, types, values,
                                 NULL, NULL, 0);
    enum db_result r = result_of(c, res);
    after_command(c, was, NULL);
    PQclear(res);
    return r;
}

static const struct db_engine pg_engine = {
    .dialect = DB_POSTGRES,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .exec = pg_exec,
    .begin = pg_begin,
    .serialize = pg_serialize,
    .changes = pg_changes,
    .backup = pg_backup,
    .secure_delete = pg_nothing,
    .truncate_wal = pg_nothing,
    .log_defer = pg_log_defer,
    .log_sync = pg_log_sync,
    .change_mark = pg_change_mark,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .param_count = pg_param_count,
    .reset = pg_reset,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_null = pg_col_null,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_bytes = pg_col_bytes,
};

/* ---- the URL's password kept out of messages ---- */

/* A percent-decoded copy of the n bytes at p (free()). */
static char *pct_decode(const char *p, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            out[o++] = (char)(hexval(p[i + 1]) << 4 | hexval(p[i + 2]));
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Where the URL's passwords are: the one in user:password@ and password= in the query.
 * Sets up to two (start, length) pairs; returns how many. */
static int password_spans(const char *url, size_t start[2], size_t len[2])
{
    int k = 0;
    const char *auth = strstr(url, "://");
    if (!auth)
        return 0;
    auth += 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', alen);
    if (at) {
        /* the last '@' of the authority ends the user information */
        const char *a;
        while ((a = memchr(at + 1, '@', alen - (size_t)(at + 1 - auth))) != NULL)
            at = a;
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon && at > colon + 1) {
            start[k] = (size_t)(colon + 1 - url);
            len[k++] = (size_t)(at - colon - 1);
        }
    }
    const char *q = strchr(url, '?');
    while (q && k < 2) {
        q++;
        if (strncmp(q, "password=", 9) == 0) {
            size_t n = strcspn(q + 9, "&#");
            if (n) {
                start[k] = (size_t)(q + 9 - url);
                len[k++] = n;
            }
        }
        q = strchr(q, '&');
    }
    return k;
}

/* The URL with every password replaced by "***" (free()). */
static char *redact_url(const char *url)
{
    size_t start[2], len[2];
    int k = password_spans(url, start, len);
    size_t n = strlen(url);
    char *out = xmalloc(n + 8);
    size_t o = 0, i = 0;
    for (int j = 0; j < k; j++) {
        memcpy(out + o, url + i, start[j] - i);
        o += start[j] - i;
        memcpy(out + o, "***", 3);
        o += 3;
        i = start[j] + len[j];
    }
    memcpy(out + o, url + i, n - i);
    out[o + n - i] = '\0';
    return out;
}

/* Replaces every occurrence of secret in msg (in place) with '*'. */
static void scrub(char *msg, const char *secret)
{
    size_t n = strlen(secret);
    if (n == 0)
        return;
    char *p;
    while ((p = strstr(msg, secret)) != NULL)
        memset(p, '*', n);
}

static void scrub_passwords(char *msg, const char *url)
{
    size_t start[2], len[2];
    int k = password_spans(url, start, len);
    for (int j = 0; j < k; j++) {
        char *raw = xstrndup(url + start[j], len[j]);
        char *dec = pct_decode(url + start[j], len[j]);
        scrub(msg, raw);
        scrub(msg, dec);
        free(raw);
        free(dec);
    }
}

int db_pg_open(const char *url, unsigned busy_ms, struct db **out, char *err, size_t errlen)
{
    *out = NULL;
    pthread_once(&db_pg_api_once, db_pg_api_load);
    if (!db_pg_api_ok) {
        snprintf(err, errlen, "%s", db_pg_api_err);
        return -1;
    }
    struct pg_db *c = xcalloc(1, sizeof *c);
    c->base.engine = &pg_engine;
    c->busy_ms = busy_ms;
    unsigned idle_ms = busy_ms < 1000 ? 1000 : busy_ms > INT_MAX ? INT_MAX : busy_ms;
    snprintf(c->begin_write, sizeof c->begin_write,
             "BEGIN; SET LOCAL idle_in_transaction_session_timeout = %u", idle_ms);
    c->gen = 1;
    c->h = PQconnectdb(url);
    if (!c->h) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: out of memory");
        free(c);
        return -1;
    }
    PQsetNoticeReceiver(c->h, pg_notice, c);
    const char *what = "cannot connect to";
    if (PQstatus(c->h) != CONNECTION_OK)
        set_conn_err(c);
    else if (configure(c) != 0)
        what = "cannot configure the connection to";
    else {
        *out = &c->base;
        return 0;
    }
    char *shown = redact_url(url);
    snprintf(err, errlen, "%s %s: %s", what, shown, c->err);
    free(shown);
    scrub_passwords(err, url);
    pg_close(&c->base);
    return -1;
}
