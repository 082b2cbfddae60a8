// The PostgreSQL schema (db/migrations/postgres) against the SQLite one (db/migrations/sqlite):
// the same tables, columns, keys, indexes, constraints and triggers read from each engine's
// catalog, and the same behaviour from the same statements — every guard refuses the same
// change, and the statistics triggers build the same aggregate rows (also across the
// daylight-saving changes, whose day numbers SQLite computes with a formula and PostgreSQL
// with its time zone database).
//
// SQLite is migrated by the real binary (vejled migrate); PostgreSQL by psql, one
// transaction per file, on a cluster of its own (helpers/pg.mjs) that is stopped at the end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, ROOT, cli } from './harness.mjs';
import { createDb, havePg, pgRunning, psql, psqlRows, psqlRun, startPg, stopPg } from './helpers/pg.mjs';

const SQLITE_DIR = path.join(ROOT, 'db', 'migrations', 'sqlite');
const PG_DIR = path.join(ROOT, 'db', 'migrations', 'postgres');
const migrations = (dir) => fs.readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();

// Keys the store always gives (the journal's next seq, a checkpoint's seq, an enrolment's
// id): SQLite's INTEGER PRIMARY KEY would number them, PostgreSQL's are plain keys, not
// identity columns.  Every other INTEGER PRIMARY KEY is an identity column there.
const ALWAYS_GIVEN = new Set(['journal.seq', 'checkpoints.signed_seq', 'stats_enrolment.enrolment_id',
  'meetings.enrolment_id', 'enrolment_links.enrolment_id']);

/* ------------------------------------------------------------------ the two engines */

/** sqlite3 -json with sql on standard input; rows (of the last statement that has any). */
function sqliteRun(db, sql) {
  const r = spawnSync('sqlite3', ['-json', '-bail', db], { input: sql, encoding: 'utf8',
    timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function sqliteRows(db, sql) {
  const r = sqliteRun(db, sql);
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}\n${sql.slice(0, 400)}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}
function sqliteExec(db, sql) {
  sqliteRows(db, `PRAGMA foreign_keys = ON;\n${sql}`);
}

/** Statements written once for both engines; {{x'hex'}} is a blob literal. */
function forEngine(sql, engine) {
  return sql.replace(/\{\{x'([0-9a-f]*)'\}\}/g, (_, hex) =>
    (engine === 'sqlite' ? `x'${hex}'` : `'\\x${hex}'::bytea`));
}

/* ------------------------------------------------------------------ reading the catalogs */

const norm = (s) => (s == null ? null : String(s).replace(/\s+/g, ' ').trim());

function normType(t) {
  const s = (t || '').toLowerCase();
  if (s === '') return 'any';
  if (/^(integer|int|bigint|smallint)$/.test(s)) return 'int';
  if (s === 'text') return 'text';
  if (/^(blob|bytea)$/.test(s)) return 'blob';
  if (/^(real|double precision|double)$/.test(s)) return 'real';
  return s;
}

/** A default or a predicate as text both engines print alike. */
function normExpr(e) {
  if (e == null) return null;
  return String(e).toLowerCase().replace(/::[a-z]+( precision| varying)?/g, '')
    .replace(/[()]/g, '').replace(/\s+/g, ' ').trim();
}

function parseTrigger(def) {
  const m = norm(def).match(
    /CREATE (?:CONSTRAINT )?TRIGGER (\w+) (BEFORE|AFTER|INSTEAD OF) (INSERT|UPDATE|DELETE)(?: OF (.+?))? ON (?:\w+\.)?(\w+)/i);
  assert.ok(m, `cannot read trigger: ${def}`);
  return { name: m[1], timing: m[2].toUpperCase(), event: m[3].toUpperCase(),
    columns: m[4] ? m[4].split(',').map((c) => c.trim()).join(',') : '', table: m[5] };
}

function countChecks(createSql) {
  const noComments = createSql.replace(/--[^\n]*/g, '');
  return (noComments.match(/\bCHECK\s*\(/gi) || []).length;
}

function emptySchema() {
  return { tables: {}, views: {}, triggers: {} };
}
function tableOf(schema, name) {
  schema.tables[name] ??= { columns: [], indexes: [], fks: [], checks: 0 };
  return schema.tables[name];
}
function finish(schema) {
  for (const t of Object.values(schema.tables)) {
    t.indexes.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    t.fks.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return schema;
}

/** The schema of an SQLite file, from sqlite_master and the pragmas. */
export function sqliteSchema(db) {
  const s = emptySchema();
  const master = sqliteRows(db, `SELECT type, name, tbl_name, sql FROM sqlite_master
    WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'schema_migrations'`);
  const sqlOf = Object.fromEntries(master.map((m) => [m.name, m.sql || '']));
  for (const m of master) {
    if (m.type === 'table') tableOf(s, m.name).checks = countChecks(m.sql);
    if (m.type === 'view') s.views[m.name] = [];
    if (m.type === 'trigger') {
      const t = parseTrigger(m.sql);
      s.triggers[t.name] = { table: t.table, timing: t.timing, event: t.event, columns: t.columns };
    }
  }
  const cols = sqliteRows(db, `SELECT m.type AS kind, m.name AS tbl, c.cid, c.name, c.type,
      c."notnull" AS nn, c.dflt_value AS dflt, c.pk, c.hidden
    FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c
    WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> 'schema_migrations' ORDER BY m.name, c.cid`);
  const pks = {};
  for (const c of cols) {
    if (c.kind === 'view') {
      s.views[c.tbl].push(c.name);
      continue;
    }
    const t = tableOf(s, c.tbl);
    const withoutRowid = /WITHOUT\s+ROWID\s*$/i.test(sqlOf[c.tbl].trim());
    const rowidAlias = c.pk === 1 && c.type.toUpperCase() === 'INTEGER' && !withoutRowid &&
      cols.filter((x) => x.tbl === c.tbl && x.pk > 0).length === 1;
    t.columns.push({ name: c.name, type: normType(c.type), notnull: c.nn === 1 || c.pk > 0,
      default: normExpr(c.dflt), generated: c.hidden === 2 || c.hidden === 3,
      identity: rowidAlias && !ALWAYS_GIVEN.has(`${c.tbl}.${c.name}`) });
    if (c.pk > 0) (pks[c.tbl] ??= [])[c.pk - 1] = c.name;
  }
  for (const [tbl, pk] of Object.entries(pks)) tableOf(s, tbl).pk = pk.join(',');
  const idx = sqliteRows(db, `SELECT m.name AS tbl, il.name AS idx, il."unique" AS uniq,
      il.origin, ii.seqno, ii.name AS col
    FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
    WHERE m.type = 'table' AND m.name <> 'schema_migrations' ORDER BY 1, 2, 5`);
  const byIdx = {};
  for (const r of idx) {
    if (r.origin === 'pk') continue;
    const i = (byIdx[r.idx] ??= { tbl: r.tbl, name: r.origin === 'c' ? r.idx : null,
      unique: r.uniq === 1, columns: [], where: null });
    i.columns.push(r.col);
    if (r.origin === 'c') {
      const w = (sqlOf[r.idx] || '').match(/\bWHERE\b([\s\S]*)$/i);
      i.where = w ? normExpr(w[1]) : null;
    }
  }
  for (const i of Object.values(byIdx)) {
    tableOf(s, i.tbl).indexes.push({ name: i.name, unique: i.unique,
      columns: i.columns.join(','), where: i.where });
  }
  const fks = sqliteRows(db, `SELECT m.name AS tbl, f.id, f.seq, f."table" AS ref,
      f."from" AS col, f."to" AS refcol, f.on_delete
    FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table' ORDER BY 1, 2, 3`);
  const byFk = {};
  for (const f of fks) {
    const k = `${f.tbl}#${f.id}`;
    const e = (byFk[k] ??= { tbl: f.tbl, columns: [], ref: f.ref, refColumns: [], onDelete: f.on_delete });
    e.columns.push(f.col);
    e.refColumns.push(f.refcol);
  }
  for (const f of Object.values(byFk)) {
    tableOf(s, f.tbl).fks.push({ columns: f.columns.join(','), ref: f.ref,
      refColumns: f.refColumns.join(','), onDelete: f.onDelete });
  }
  return finish(s);
}

const ON_DELETE = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** The schema of a PostgreSQL database (schema public), from pg_catalog. */
export function pgSchema(pg, db) {
  const s = emptySchema();
  const cols = psqlRows(pg, `SELECT c.relname AS tbl, c.relkind AS kind, a.attnum, a.attname AS name,
      format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS nn,
      pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attgenerated AS gen, a.attidentity AS ident
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
    ORDER BY c.relname, a.attnum`, { db });
  for (const c of cols) {
    if (c.kind === 'v') {
      (s.views[c.tbl] ??= []).push(c.name);
      continue;
    }
    tableOf(s, c.tbl).columns.push({ name: c.name, type: normType(c.type), notnull: c.nn,
      default: c.gen === 's' ? null : normExpr(c.dflt), generated: c.gen === 's',
      identity: c.ident !== '' });
  }
  const idx = psqlRows(pg, `SELECT c.relname AS tbl, ic.relname AS idx, i.indisprimary AS primary,
      i.indisunique AS uniq, pg_get_expr(i.indpred, i.indrelid) AS pred,
      (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
         FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS cols,
      EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid
              AND x.conrelid = i.indrelid AND x.contype IN ('u', 'p')) AS is_constraint
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = 'public'::regnamespace`, { db });
  for (const i of idx) {
    const t = tableOf(s, i.tbl);
    if (i.primary) {
      t.pk = i.cols;
      continue;
    }
    t.indexes.push({ name: i.is_constraint ? null : i.idx, unique: i.uniq, columns: i.cols,
      where: normExpr(i.pred) });
  }
  const fks = psqlRows(pg, `SELECT c.relname AS tbl, r.relname AS ref, x.confdeltype AS del,
      (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = x.conrelid AND a.attnum = k.attnum) AS cols,
      (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.confkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = x.confrelid AND a.attnum = k.attnum) AS refcols
    FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid JOIN pg_class r ON r.oid = x.confrelid
    WHERE x.contype = 'f' AND c.relnamespace = 'public'::regnamespace`, { db });
  for (const f of fks) {
    tableOf(s, f.tbl).fks.push({ columns: f.cols, ref: f.ref, refColumns: f.refcols,
      onDelete: ON_DELETE[f.del] });
  }
  const checks = psqlRows(pg, `SELECT c.relname AS tbl, count(*)::int AS n
    FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid
    WHERE x.contype = 'c' AND c.relnamespace = 'public'::regnamespace GROUP BY 1`, { db });
  for (const c of checks) tableOf(s, c.tbl).checks = c.n;
  const trg = psqlRows(pg, `SELECT pg_get_triggerdef(t.oid) AS def
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace`, { db });
  for (const r of trg) {
    const t = parseTrigger(r.def);
    s.triggers[t.name] = { table: t.table, timing: t.timing, event: t.event, columns: t.columns };
  }
  return finish(s);
}

/* ------------------------------------------------------------------ the comparison */

const show = (v) => JSON.stringify(v);

/** Every difference between two schemas, as readable lines (empty: the same). */
export function schemaDiff(a, b, la = 'sqlite', lb = 'postgres') {
  const out = [];
  const names = (x, y) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  for (const t of names(a.tables, b.tables)) {
    const ta = a.tables[t];
    const tb = b.tables[t];
    if (!ta || !tb) {
      out.push(`table ${t}: only in ${ta ? la : lb}`);
      continue;
    }
    const ca = ta.columns.map((c) => c.name);
    const cb = tb.columns.map((c) => c.name);
    if (show(ca) !== show(cb)) out.push(`table ${t}: columns ${la} ${ca.join(',')} vs ${lb} ${cb.join(',')}`);
    for (const c of ta.columns) {
      const d = tb.columns.find((x) => x.name === c.name);
      if (!d) continue;
      for (const k of ['type', 'notnull', 'default', 'generated', 'identity']) {
        if (show(c[k]) !== show(d[k])) out.push(`table ${t} column ${c.name}: ${k} ${la} ${show(c[k])} vs ${lb} ${show(d[k])}`);
      }
    }
    if ((ta.pk || '') !== (tb.pk || '')) out.push(`table ${t}: primary key ${la} (${ta.pk || ''}) vs ${lb} (${tb.pk || ''})`);
    if (ta.checks !== tb.checks) out.push(`table ${t}: ${ta.checks} CHECK constraints in ${la}, ${tb.checks} in ${lb}`);
    const list = (x) => x.map(show);
    for (const [what, xa, xb] of [['index', ta.indexes, tb.indexes], ['foreign key', ta.fks, tb.fks]]) {
      const sa = list(xa);
      const sb = list(xb);
      for (const i of sa) if (!sb.includes(i)) out.push(`table ${t}: ${what} only in ${la}: ${i}`);
      for (const i of sb) if (!sa.includes(i)) out.push(`table ${t}: ${what} only in ${lb}: ${i}`);
    }
  }
  for (const v of names(a.views, b.views)) {
    if (!a.views[v] || !b.views[v]) out.push(`view ${v}: only in ${a.views[v] ? la : lb}`);
    else if (show(a.views[v]) !== show(b.views[v])) out.push(`view ${v}: columns ${la} ${a.views[v]} vs ${lb} ${b.views[v]}`);
  }
  for (const n of names(a.triggers, b.triggers)) {
    const x = a.triggers[n];
    const y = b.triggers[n];
    if (!x || !y) out.push(`trigger ${n}: only in ${x ? la : lb}`);
    else if (show(x) !== show(y)) out.push(`trigger ${n}: ${la} ${show(x)} vs ${lb} ${show(y)}`);
  }
  return out;
}

/* ------------------------------------------------------------------ building databases */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-schema-'));
let pg = null;
let dbCount = 0;

/** A new SQLite file migrated by the real binary. */
function sqliteMigrated() {
  const file = path.join(tmp, `s${++dbCount}.db`);
  const r = cli(['migrate', '--db', file]);
  assert.equal(r.status, 0, `vejled migrate failed: ${r.stderr}`);
  return file;
}

/** A new PostgreSQL database with the postgres migrations applied, each with psql -1 -f. */
function pgMigrated(files = migrations(PG_DIR)) {
  const db = `p${++dbCount}`;
  createDb(pg, db);
  for (const f of files) {
    const r = psqlRun(pg, '', { db, single: true, args: ['-f', path.join(PG_DIR, f)] });
    assert.equal(r.status, 0, `${f} failed on PostgreSQL: ${r.stderr}`);
  }
  return db;
}

/** Runs the same statements on both; each must succeed. */
function both(sdb, pdb, sql) {
  sqliteExec(sdb, forEngine(sql, 'sqlite'));
  psql(pg, forEngine(sql, 'postgres'), { db: pdb, single: true });
}

/** Rows of one query on both engines. */
function rowsOf(sdb, pdb, query) {
  return { sqlite: sqliteRows(sdb, query), postgres: psqlRows(pg, query, { db: pdb }) };
}

const at = (y, mo, d, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

/** The Copenhagen calendar day of t (days since 1970-01-01) by the JavaScript runtime's ICU. */
const cphFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen',
  year: 'numeric', month: '2-digit', day: '2-digit' });
function cphDay(t) {
  const [y, m, d] = cphFormat.format(new Date(t * 1000)).split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

/* ------------------------------------------------------------------ content and people */

// Shared by the guard and statistics cases: written once, valid on both engines and on the
// schema as of 0003 (the backfill case loads it before 0004 exists).
const CONTENT = `
INSERT INTO target_groups(id, slug, name_da, name_en, created_at)
  VALUES (1, 'g1', 'G1', 'G1', 1000), (2, 'g2', 'G2', 'G2', 1000);
INSERT INTO packs(id, group_id, version, state, created_at)
  VALUES (1, 1, 1, 'draft', 1000), (2, 2, 1, 'draft', 1000), (3, 1, 2, 'draft', 1000);
INSERT INTO videos(id, pack_id, position, slug, title_da)
  VALUES (1, 1, 1, 'v1', 'V1'), (2, 2, 1, 'v1', 'V1'), (3, 3, 1, 'v1', 'V1');
INSERT INTO questions(id, video_id, position, slug, kind, topic_key, topic_da, text_da)
  VALUES (1, 1, 1, 'q1', 'single', 't', 'T', 'Q1'), (2, 1, 2, 'q2', 'single', 't', 'T', 'Q2'),
         (3, 2, 1, 'q1', 'single', 't', 'T', 'Q1'), (4, 3, 1, 'q1', 'single', 't', 'T', 'Q1');
INSERT INTO options(id, question_id, position, text_da, correct)
  VALUES (1, 1, 1, 'a', 1), (2, 1, 2, 'b', 0), (3, 2, 1, 'a', 1), (4, 3, 1, 'a', 1),
         (5, 4, 1, 'a', 1);
UPDATE packs SET state = 'published', published_at = 2000 WHERE id IN (1, 2);
UPDATE packs SET state = 'retired', retired_at = 3000 WHERE id = 2;
INSERT INTO users(id, username, role, unit, password_hash, created_at)
  VALUES (1, 'anna', 'caseworker', 'Nord', '', 1000), (2, 'bo', 'caseworker', 'Syd', '', 1000),
         (3, 'admin', 'admin', '', '', 1000);
`;

/* ------------------------------------------------------------------ the tests */

describe('PostgreSQL schema', { skip: !havePg() && 'PostgreSQL not installed' }, () => {
  before(() => {
    pg = startPg();
  });
  after(() => {
    const stopped = pg;
    stopPg(pg);
    fs.rmSync(tmp, { recursive: true, force: true });
    assert.ok(!stopped || !pgRunning(stopped), 'the cluster is stopped');
  });

  test('every SQLite migration has a PostgreSQL twin of the same number and name', () => {
    assert.deepEqual(migrations(PG_DIR), migrations(SQLITE_DIR));
    for (const f of migrations(PG_DIR)) {
      const text = fs.readFileSync(path.join(PG_DIR, f), 'utf8').replace(/--[^\n]*/g, '');
      assert.doesNotMatch(text, /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;/im, `${f}: the store runs each file in its own transaction`);
      assert.doesNotMatch(text, /CONCURRENTLY|^\s*\\/im, `${f}: no CONCURRENTLY, no psql meta-commands`);
    }
  });

  test('the two schemas are the same, read from the catalogs', () => {
    const s = sqliteSchema(sqliteMigrated());
    const p = pgSchema(pg, pgMigrated());
    const diff = schemaDiff(s, p);
    assert.deepEqual(diff, [], `the schemas differ:\n  ${diff.join('\n  ')}`);
    // What was compared is the whole schema, not an empty one.
    assert.ok(Object.keys(s.tables).length >= 30, 'tables read');
    assert.equal(Object.keys(s.triggers).length, 33, 'triggers read');
    assert.deepEqual(s.views, { stats_delta: ['day', 'group_id', 'unit', 'enrolled', 'opened',
      'completed', 'declined', 'due', 'guided', 'held', 'viewed', 'sends', 'resends'] });
    assert.ok(s.tables.packs.indexes.some((i) => i.name === 'packs_one_published' && i.unique &&
      i.where === "state = 'published'"), 'partial unique index read');
    assert.ok(s.tables.stats_enrolment.columns.find((c) => c.name === 'guided').generated);
    assert.equal(s.tables.enrolments.checks, 2);
  });

  test('the comparison names every kind of difference', () => {
    const s = sqliteSchema(sqliteMigrated());
    assert.deepEqual(schemaDiff(s, structuredClone(s)), []);
    const broken = structuredClone(s);
    broken.tables.enrolments.columns = broken.tables.enrolments.columns.filter((c) => c.name !== 'closed_at');
    broken.tables.users.columns.find((c) => c.name === 'disabled').type = 'boolean';
    broken.tables.citizens.columns.find((c) => c.name === 'email').notnull = true;
    broken.tables.jobs.indexes = broken.tables.jobs.indexes.filter((i) => i.name !== 'jobs_due');
    broken.tables.login_failures.fks[0].onDelete = 'NO ACTION';
    broken.tables.video_views.pk = 'enrolment_id';
    delete broken.triggers.journal_no_delete;
    broken.triggers.stats_answer.event = 'UPDATE';
    delete broken.tables.units;
    const diff = schemaDiff(s, broken).join('\n');
    for (const want of ['table enrolments: columns', 'column disabled: type', 'column email: notnull',
      'jobs_due', 'table login_failures: foreign key only in sqlite', 'table video_views: primary key',
      'trigger journal_no_delete: only in sqlite', 'trigger stats_answer:', 'table units: only in sqlite']) {
      assert.ok(diff.includes(want), `the diff names ${want}:\n${diff}`);
    }
    const checks = structuredClone(s);
    checks.tables.units.checks -= 1;
    assert.match(schemaDiff(s, checks).join('\n'), /units: 2 CHECK constraints in sqlite, 1 in postgres/);
  });

  test('each postgres migration also runs as one simple query, as the store sends it', () => {
    const db = `p${++dbCount}`;
    createDb(pg, db);
    for (const f of migrations(PG_DIR)) {
      const text = fs.readFileSync(path.join(PG_DIR, f), 'utf8');
      const r = psqlRun(pg, '', { db, args: ['-c', text] });
      assert.equal(r.status, 0, `${f} as one simple query: ${r.stderr}`);
    }
    assert.deepEqual(schemaDiff(pgSchema(pg, db), sqliteSchema(sqliteMigrated()), 'postgres', 'sqlite'), []);
  });

  test('every guard refuses the same change on both engines, with the same message', () => {
    const sdb = sqliteMigrated();
    const pdb = pgMigrated();
    both(sdb, pdb, `${CONTENT}
      INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)
        VALUES (1, 'c-1', 'l-1', {{x'01'}}, 'Test Person', 1000);
      INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker, first_meeting_at,
          token_hash, token_expires_at, created_at)
        VALUES (1, 'e-1', 1, 1, 1, 'anna', 5000, 't-1', 9000, 1000);
      INSERT INTO access_log(id, at, user_id, username, citizen_id, page) VALUES (1, 1500, 1, 'anna', 1, 'record');
      INSERT INTO account_log(id, at, user_id, username, event, actor) VALUES (1, 1500, 1, 'anna', 'locked', 'system');
      INSERT INTO journal(seq, at, kind, actor, data, prev_hash, hash)
        VALUES (1, '2024-01-01T00:00:00Z', 'enrolled', 'api', '{}', '', 'h1');
      INSERT INTO signing_keys(key_id, public_key, first_used_at) VALUES ('k1', 'pk1', 1000);
      INSERT INTO checkpoints(signed_seq, head_hash, tree_root, signed_at, key_id, signature, journal_seq)
        VALUES (1, 'h1', 'r1', '2024-01-01T00:00:00Z', 'k1', 'sig', 2);`);
    const FROZEN = 'published content is never changed in place';
    const refused = [
      ['journal_no_update', "UPDATE journal SET kind = 'x' WHERE seq = 1", 'the journal is append-only'],
      ['journal_no_delete', 'DELETE FROM journal WHERE seq = 1', 'the journal is append-only'],
      ['access_log_no_update', "UPDATE access_log SET page = 'x'", 'the access log is append-only'],
      ['access_log_no_delete', 'DELETE FROM access_log', 'the access log is append-only'],
      ['account_log_no_update', 'UPDATE account_log SET until = 5', 'the account log is append-only'],
      ['account_log_no_delete', 'DELETE FROM account_log', 'the account log is append-only'],
      ['checkpoints_no_update', "UPDATE checkpoints SET signature = 'x'", 'checkpoints are append-only'],
      ['checkpoints_no_delete', 'DELETE FROM checkpoints', 'checkpoints are append-only'],
      ['signing_keys_no_update', 'UPDATE signing_keys SET first_used_at = 5', 'signing keys are append-only'],
      ['signing_keys_no_delete', 'DELETE FROM signing_keys', 'signing keys are append-only'],
      ['packs_frozen (published)', "UPDATE packs SET guidance_da = 'x' WHERE id = 1", FROZEN],
      ['packs_frozen (retired)', 'UPDATE packs SET example_content = 1 WHERE id = 2', FROZEN],
      ['packs_no_unretire (published to draft)', "UPDATE packs SET state = 'draft' WHERE id = 1", 'a published version only retires'],
      ['packs_no_unretire (retired)', "UPDATE packs SET state = 'published' WHERE id = 2", 'a published version only retires'],
      ['packs_translations_frozen', `UPDATE packs SET translations = '{"de": {}}' WHERE id = 1`, 'a published pack does not change'],
      ['packs_no_delete', 'DELETE FROM packs WHERE id = 2', FROZEN],
      ['videos_frozen', "UPDATE videos SET title_da = 'x' WHERE id = 1", FROZEN],
      ['videos_no_delete', 'DELETE FROM videos WHERE id = 2', FROZEN],
      ['videos_no_insert', "INSERT INTO videos(pack_id, position, slug, title_da) VALUES (1, 9, 'v9', 'x')", FROZEN],
      ['questions_frozen', "UPDATE questions SET text_da = 'x' WHERE id = 1", FROZEN],
      ['questions_no_delete', 'DELETE FROM questions WHERE id = 3', FROZEN],
      ['questions_no_insert', "INSERT INTO questions(video_id, position, slug, kind, topic_key, topic_da, text_da) VALUES (2, 9, 'q9', 'single', 't', 'T', 'x')", FROZEN],
      ['options_frozen', 'UPDATE options SET correct = 0 WHERE id = 1', FROZEN],
      ['options_no_delete', 'DELETE FROM options WHERE id = 4', FROZEN],
      ['options_no_insert', "INSERT INTO options(question_id, position, text_da, correct) VALUES (3, 9, 'x', 0)", FROZEN],
    ];
    for (const [name, sql, message] of refused) {
      const s = sqliteRun(sdb, `PRAGMA foreign_keys = ON;\n${sql};`);
      assert.notEqual(s.status, 0, `${name}: SQLite refuses ${sql}`);
      assert.ok(s.stderr.includes(message) && /\(19\)/.test(s.stderr), `${name}: SQLite says ${s.stderr}`);
      const p = psqlRun(pg, `${sql};`, { db: pdb });
      assert.notEqual(p.status, 0, `${name}: PostgreSQL refuses ${sql}`);
      assert.match(p.stderr, new RegExp(`ERROR:\\s+23000: ${message}\\n`), `${name}: PostgreSQL says ${p.stderr}`);
    }
    // CHECK constraints refuse alike (0014's GLOB is a regular expression in PostgreSQL).
    for (const sql of ["UPDATE enrolments SET language_tag = 'DE' WHERE id = 1",
      "UPDATE enrolments SET language_tag = 'd' WHERE id = 1",
      "UPDATE enrolments SET language_tag = 'de_at' WHERE id = 1",
      "UPDATE users SET disabled = 2 WHERE id = 1"]) {
      const s = sqliteRun(sdb, `${sql};`);
      assert.ok(s.status !== 0 && /CHECK constraint failed/.test(s.stderr), `SQLite refuses ${sql}: ${s.stderr}`);
      const p = psqlRun(pg, `${sql};`, { db: pdb });
      assert.match(p.stderr, /ERROR:\s+23514:/, `PostgreSQL refuses ${sql}`);
    }
    // … and what is allowed stays allowed on both.
    both(sdb, pdb, `
      UPDATE enrolments SET language_tag = 'de-at' WHERE id = 1;
      UPDATE videos SET title_da = 'y' WHERE id = 3;
      INSERT INTO videos(id, pack_id, position, slug, title_da) VALUES (10, 3, 2, 'v2', 'V2');
      INSERT INTO questions(id, video_id, position, slug, kind, topic_key, topic_da, text_da)
        VALUES (10, 10, 1, 'q1', 'single', 't', 'T', 'Q');
      INSERT INTO options(id, question_id, position, text_da, correct) VALUES (10, 10, 1, 'a', 1);
      UPDATE options SET text_da = 'b' WHERE id = 10;
      DELETE FROM options WHERE id = 10;
      DELETE FROM questions WHERE id = 10;
      DELETE FROM videos WHERE id = 10;
      UPDATE packs SET guidance_da = 'g', translations = '{"de": {}}' WHERE id = 3;
      UPDATE packs SET content_hash = 'h' WHERE id = 1;
      UPDATE packs SET state = 'retired', retired_at = 4000 WHERE id = 1;
      UPDATE packs SET state = 'published', published_at = 4000 WHERE id = 3;
      INSERT INTO journal(seq, at, kind, actor, data, prev_hash, hash)
        VALUES (2, '2024-01-01T00:00:01Z', 'checkpoint', 'system', '{}', 'h1', 'h2');`);
    const q = (x) => `SELECT (SELECT count(*) FROM journal) AS j, (SELECT count(*) FROM access_log) AS a,
      (SELECT count(*) FROM videos) AS v, (SELECT ${x} FROM (SELECT state FROM packs ORDER BY id) AS p) AS s`;
    assert.deepEqual(sqliteRows(sdb, q("group_concat(state, ',')")), [{ j: 2, a: 1, v: 3, s: 'retired,retired,published' }]);
    assert.deepEqual(psqlRows(pg, q("string_agg(state, ',')"), { db: pdb }), [{ j: 2, a: 1, v: 3, s: 'retired,retired,published' }]);
  });
});
