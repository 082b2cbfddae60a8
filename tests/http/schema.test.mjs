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
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, ROOT, SAME_ON_BOTH, cli } from './harness.mjs';
import { createDb, dbUrl, havePg, pgRunning, psql, psqlRows, psqlRun, startPg, stopPg } from './helpers/pg.mjs';

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
    .replace(/[()]/g, '').replace(/\s+/g, ' ').trim()
    // PostgreSQL keeps `x IN (a, b)` as `x = ANY (ARRAY[a, b])`
    .replace(/= any array\[([^\]]*)\]/g, 'in $1');
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
    const r = psqlRun(pg, null, { db, single: true, file: path.join(PG_DIR, f) });
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

/** The Copenhagen calendar day of t (days since 1970-01-01) by the JavaScript runtime's
 * ICU.  From the parts, not the formatted string: how a locale writes a date differs
 * between ICU versions (Debian 12's Node 18 writes en-CA as 1/8/1996). */
const cphFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Copenhagen',
  year: 'numeric', month: 'numeric', day: 'numeric' });
function cphDay(t) {
  const part = {};
  for (const p of cphFormat.formatToParts(new Date(t * 1000))) part[p.type] = Number(p.value);
  return Date.UTC(part.year, part.month - 1, part.day) / 86_400_000;
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

// Citizens, enrolments, meetings, reads, letters and answers around the daylight-saving
// changes of 2024 (31 March and 27 October, 01:00 UTC) and local midnights; then changes
// of every moment the statistics follow.  Written in the SQL both engines run, using only
// columns that exist by 0003.
const SPRING = at(2024, 3, 31, 1);          // CET → CEST
const FALL = at(2024, 10, 27, 1);           // CEST → CET
const MID_MAR31 = at(2024, 3, 30, 23);      // 00:00 CET, 31 March
const MID_OCT27 = at(2024, 10, 26, 22);     // 00:00 CEST, 27 October
const MID_OCT28 = at(2024, 10, 27, 23);     // 00:00 CET, 28 October
const MID_JUL2 = at(2024, 7, 1, 22);        // 00:00 CEST, 2 July
function activity() {
  const cit = [];
  const enr = [];
  const created = [SPRING - 1, SPRING, MID_MAR31 - 1, MID_MAR31, FALL - 1, FALL, MID_OCT27 - 1,
    MID_OCT27, MID_OCT28 - 1, MID_OCT28, MID_JUL2 - 1, MID_JUL2];
  const meeting = [MID_JUL2, MID_JUL2 - 1, FALL, FALL - 1, MID_OCT28, MID_OCT28 - 1, SPRING + 86400,
    MID_MAR31 + 7 * 86400, MID_OCT27 + 86400, FALL + 3600, MID_OCT27, MID_OCT28 + 10];
  const workers = ['anna', 'bo', '', 'nobody', 'anna', 'bo', 'anna', '', 'bo', 'anna', 'bo', 'anna'];
  created.forEach((c, i) => {
    const n = i + 1;
    cit.push(`(${n}, 'c-${n}', 'l-${n}', {{x'0${n % 10}'}}, 'Person ${n}', ${c - 100})`);
    const opened = n % 3 === 0 ? c + 50 : 'NULL';
    enr.push(`(${n}, 'e-${n}', ${n}, ${1 + (n % 2)}, ${1 + (n % 2)}, '${workers[i]}', ${meeting[i]},
      't-${n}', ${c + 1e6}, ${c}, ${opened})`);
  });
  return `${CONTENT}
UPDATE packs SET state = 'published', published_at = 5000 WHERE id = 2 AND state = 'draft';
INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at) VALUES ${cit.join(',\n  ')};
INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker, first_meeting_at,
    token_hash, token_expires_at, created_at, opened_at) VALUES ${enr.join(',\n  ')};
-- opening, completing, declining (and completing after all), a group change before the
-- meeting (closed, enrolled again in the other group), a moved meeting
UPDATE enrolments SET opened_at = created_at + 60 WHERE id IN (1, 2, 4, 5, 7);
UPDATE enrolments SET completed_at = ${SPRING - 1} WHERE id = 1;
UPDATE enrolments SET completed_at = ${FALL} WHERE id = 2;
UPDATE enrolments SET completed_at = ${MID_OCT28 - 1} WHERE id = 4;
UPDATE enrolments SET declined_at = ${FALL - 10} WHERE id IN (5, 6);
UPDATE enrolments SET completed_at = ${FALL + 10} WHERE id = 6;
UPDATE enrolments SET closed_at = ${MID_OCT27} WHERE id = 8;
INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker, first_meeting_at,
    token_hash, token_expires_at, created_at) VALUES (13, 'e-13', 8, 2, 2, 'bo', ${MID_OCT28 + 86400},
    't-13', ${MID_OCT27 + 1e6}, ${MID_OCT27});
UPDATE enrolments SET first_meeting_at = ${FALL + 86400} WHERE id = 9;
UPDATE enrolments SET first_meeting_at = first_meeting_at WHERE id = 10;
UPDATE enrolments SET closed_at = ${MID_JUL2 + 86400 * 30} WHERE id = 11;
-- meetings (oral guidance on some), one recorded again with another time
INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by, recorded_at)
  VALUES (1, ${MID_JUL2 - 1}, 0, 'anna', ${MID_JUL2}), (2, ${FALL - 1}, 1, 'bo', ${FALL}),
         (3, ${FALL}, 0, 'anna', ${FALL}), (7, ${MID_OCT28}, 1, 'anna', ${MID_OCT28}),
         (12, ${MID_OCT28 + 5}, 0, 'anna', ${MID_OCT28 + 5});
INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by, recorded_at)
  VALUES (3, ${FALL - 1}, 1, 'anna', ${FALL + 5})
  ON CONFLICT(enrolment_id) DO UPDATE SET held_at = excluded.held_at,
    oral_guidance = excluded.oral_guidance;
INSERT INTO meetings(enrolment_id, held_at, oral_guidance, recorded_by, recorded_at)
  VALUES (7, ${MID_OCT28}, 1, 'anna', ${MID_OCT28 + 9})
  ON CONFLICT(enrolment_id) DO UPDATE SET held_at = excluded.held_at,
    oral_guidance = excluded.oral_guidance;
-- staff reads: before the meeting, after it, of the access log itself and of the meeting
-- form (neither shows the answers), before enrolment
INSERT INTO access_log(at, user_id, username, citizen_id, page) VALUES
  (${MID_JUL2 - 100}, 1, 'anna', 1, 'citizen'), (${MID_JUL2 - 200}, 1, 'anna', 1, 'citizen'),
  (${FALL + 100}, 2, 'bo', 2, 'citizen'), (${FALL - 500}, 3, 'admin', 3, 'access_log'),
  (${FALL - 600}, 1, 'anna', 3, 'meeting'),
  (${MID_OCT28 - 100}, 1, 'anna', 7, 'evidence'), (1000, 1, 'anna', 12, 'citizen'),
  (${MID_OCT27 + 5}, 2, 'bo', 8, 'citizen');
-- letters: a job's first delivery counts, a second channel of the same job does not
INSERT INTO jobs(id, kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at) VALUES
  (1, 'send_written_guidance', 1, 'k1', 1000, 1000, 1000),
  (2, 'resend_written_guidance', 1, 'k2', 1000, 1000, 1000),
  (3, 'send_written_guidance', 2, 'k3', 1000, 1000, 1000),
  (4, 'send_written_guidance', 7, 'k4', 1000, 1000, 1000),
  (5, 'deliver_journal', NULL, 'k5', 1000, 1000, 1000),
  (6, 'send_written_guidance', 13, 'k6', 1000, 1000, 1000);
INSERT INTO deliveries(id, job_id, channel, message_id, created_at) VALUES
  (1, 1, 'outbox', 'm1', 1000), (2, 1, 'smtp', 'm2', 1000), (3, 2, 'webhook', 'm3', 1000),
  (4, 3, 'outbox', 'm4', 1000), (5, 4, 'smtp', 'm5', 1000), (6, 5, 'webhook', 'm6', 1000),
  (7, 6, 'outbox', 'm7', 1000);
UPDATE deliveries SET state = 'sent', sent_at = ${MID_JUL2 - 5000} WHERE id = 1;
UPDATE deliveries SET state = 'sent', sent_at = ${MID_JUL2 + 5000} WHERE id = 2;
UPDATE deliveries SET state = 'sent', sent_at = ${FALL - 1} WHERE id = 3;
UPDATE deliveries SET state = 'sent', sent_at = ${FALL} WHERE id = 4;
UPDATE deliveries SET state = 'sent', sent_at = ${MID_OCT28 - 1} WHERE id IN (5, 6);
UPDATE deliveries SET sha256 = 'x' WHERE id = 7;
-- answers: first attempts count (right or wrong), later ones do not
INSERT INTO answers(enrolment_id, question_id, attempt, chosen, correct, answered_at) VALUES
  (1, 3, 1, '1', 1, ${SPRING - 1}), (1, 3, 2, '1', 1, ${SPRING}),
  (2, 1, 1, '2', 0, ${SPRING}), (2, 2, 1, '1', 1, ${SPRING}), (4, 1, 1, '1', 1, ${MID_MAR31 - 1}),
  (4, 2, 1, '2', 0, ${MID_MAR31}), (5, 3, 1, '1', 0, ${FALL - 1}), (6, 1, 1, '1', 1, ${FALL}),
  (6, 1, 2, '2', 0, ${FALL + 1}), (7, 3, 1, '1', 1, ${MID_OCT28}), (8, 1, 1, '2', 0, ${MID_OCT28 - 1});
-- what 0007 and 0009 change when they run on existing rows
INSERT INTO video_views(enrolment_id, video_id, started_at, finished_at) VALUES
  (1, 2, 2000, 2100), (2, 1, 2000, 2100), (4, 1, 2000, NULL);
INSERT INTO journal(seq, at, kind, actor, enrolment_uuid, data, prev_hash, hash) VALUES
  (1, '2024-01-01T00:00:00Z', 'video_finished', 'citizen', 'e-1', '{"video":"v1","reported_by":"player"}', '', 'h1'),
  (2, '2024-01-01T00:00:01Z', 'video_finished', 'citizen', 'e-2', '{"video":"v1","reported_by":"answers"}', 'h1', 'h2');
INSERT INTO citizen_sessions(id_hash, enrolment_id, created_at, expires_at) VALUES ('s1', 1, 2000, 9000);
INSERT INTO api_keys(id, name, key_hash, created_at) VALUES (1, 'case', 'kh', 1000);
INSERT INTO idempotency(api_key_id, key, request_hash, status, response_box, created_at)
  VALUES (1, 'i1', 'rh', 201, {{x'00'}}, 1000);
`;
}

/** Every aggregate row and the rows the data migrations change, on both engines. */
function aggregates(sdb, pdb) {
  const out = {};
  for (const [name, q] of [
    ['stats_enrolment', 'SELECT * FROM stats_enrolment ORDER BY enrolment_id'],
    ['stats_group_day', 'SELECT * FROM stats_group_day ORDER BY day, group_id'],
    ['stats_unit_day', 'SELECT * FROM stats_unit_day ORDER BY day, unit'],
    ['stats_question_day', 'SELECT * FROM stats_question_day ORDER BY day, question_id'],
  ]) {
    out[name] = rowsOf(sdb, pdb, q);
  }
  return out;
}

function assertSameAggregates(agg) {
  for (const [name, { sqlite, postgres }] of Object.entries(agg)) {
    assert.ok(sqlite.length > 0, `${name} has rows`);
    assert.equal(postgres.length, sqlite.length, `${name}: as many rows on both`);
    sqlite.forEach((row, i) => assert.deepEqual(postgres[i], row, `${name} row ${i + 1}`));
  }
  // Every sum is exercised (not all zero), so an arithmetic slip shows.
  for (const col of ['enrolled', 'opened', 'completed', 'declined', 'due', 'guided', 'held', 'viewed',
    'sends', 'resends']) {
    assert.ok(agg.stats_group_day.sqlite.some((r) => r[col] > 0), `stats_group_day.${col} exercised`);
    assert.ok(agg.stats_unit_day.sqlite.some((r) => r[col] > 0), `stats_unit_day.${col} exercised`);
  }
  assert.ok(agg.stats_question_day.sqlite.some((r) => r.wrong > 0));
  // The day numbers are Copenhagen's calendar days.
  for (const r of agg.stats_enrolment.sqlite) {
    assert.equal(r.created_day, cphDay(r.created_at), `enrolment ${r.enrolment_id} created_day`);
    assert.equal(r.meeting_day, cphDay(r.meeting_at), `enrolment ${r.enrolment_id} meeting_day`);
  }
}

/* ------------------------------------------------------------------ the tests */

// it starts its own cluster and compares both engines: once, in the SQLite pass
describe('PostgreSQL schema', { skip: SAME_ON_BOTH || (!havePg() && 'PostgreSQL not installed') }, () => {
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
    assert.equal(Object.keys(s.triggers).length, 34, 'triggers read');
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
      const r = psqlRun(pg, null, { db, args: ['-c', text] });
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
        VALUES (1, 'h1', 'r1', '2024-01-01T00:00:00Z', 'k1', 'sig', 2);
      INSERT INTO jobs(id, kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at)
        VALUES (1, 'send_written_guidance', 1, 'k-1', 1000, 1000, 1000);
      INSERT INTO deliveries(id, job_id, channel, message_id, created_at)
        VALUES (1, 1, 'outbox', 'm-1', 1000), (2, 1, 'smtp', 'm-2', 1000);`);
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
      ['packs_plan_frozen', "UPDATE packs SET publish_on = '2030-01-01' WHERE id = 2", 'a published pack does not change'],
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
    // A change that two guards refuse is refused on both; which message comes first differs
    // (SQLite runs the newest trigger first, PostgreSQL in the order of the names).
    for (const sql of ["UPDATE packs SET state = 'draft', guidance_da = 'x', translations = '{}' WHERE id = 1",
      "UPDATE packs SET state = 'draft', translations = '{}' WHERE id = 1"]) {
      const s = sqliteRun(sdb, `${sql};`);
      assert.ok(s.status !== 0 && /\(19\)/.test(s.stderr), `SQLite refuses ${sql}: ${s.stderr}`);
      const p = psqlRun(pg, `${sql};`, { db: pdb });
      assert.match(p.stderr, /ERROR:\s+23000:/, `PostgreSQL refuses ${sql}`);
    }
    // CHECK constraints refuse alike (0014's GLOB is a regular expression in PostgreSQL).
    for (const sql of ["UPDATE enrolments SET language_tag = 'DE' WHERE id = 1",
      "UPDATE enrolments SET language_tag = 'd' WHERE id = 1",
      "UPDATE enrolments SET language_tag = 'de_at' WHERE id = 1",
      "UPDATE users SET disabled = 2 WHERE id = 1",
      // 0027: a delivery is skipped with its reason and time, and only then has them
      "UPDATE deliveries SET state = 'gone' WHERE id = 2",
      "UPDATE deliveries SET state = 'skipped' WHERE id = 2",
      "UPDATE deliveries SET state = 'skipped', skipped_at = 2000, skipped_reason = 'other' WHERE id = 2",
      "UPDATE deliveries SET state = 'skipped', skipped_reason = 'link_replaced' WHERE id = 2",
      "UPDATE deliveries SET skipped_at = 2000, skipped_reason = 'link_replaced' WHERE id = 2"]) {
      const s = sqliteRun(sdb, `${sql};`);
      assert.ok(s.status !== 0 && /CHECK constraint failed/.test(s.stderr), `SQLite refuses ${sql}: ${s.stderr}`);
      const p = psqlRun(pg, `${sql};`, { db: pdb });
      assert.match(p.stderr, /ERROR:\s+23514:/, `PostgreSQL refuses ${sql}`);
    }
    // … and what is allowed stays allowed on both.
    both(sdb, pdb, `
      UPDATE enrolments SET language_tag = 'de-at' WHERE id = 1;
      UPDATE deliveries SET state = 'sent', sent_at = 2000 WHERE id = 1;
      UPDATE deliveries SET state = 'skipped', skipped_at = 2000, skipped_reason = 'link_replaced' WHERE id = 2;
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
  test('the statistics triggers build the same aggregates on both engines', () => {
    const sdb = sqliteMigrated();
    const pdb = pgMigrated();
    both(sdb, pdb, activity());
    assertSameAggregates(aggregates(sdb, pdb));
  });

  test('the data-changing migrations do the same on rows that exist before them', () => {
    // SQLite: 0001-0003 as the store runs them, the rows, then `vejled migrate` for the rest.
    const sdb = path.join(tmp, `s${++dbCount}.db`);
    const early = migrations(SQLITE_DIR).filter((f) => f < '0004');
    sqliteExec(sdb, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
        name TEXT NOT NULL, applied_at INTEGER NOT NULL);
      ${early.map((f) => `BEGIN IMMEDIATE;\n${fs.readFileSync(path.join(SQLITE_DIR, f), 'utf8')};
        INSERT INTO schema_migrations VALUES (${Number(f.slice(0, 4))}, '${f}', 0);\nCOMMIT;`).join('\n')}`);
    const pdb = pgMigrated(early);
    both(sdb, pdb, activity());
    const r = cli(['migrate', '--db', sdb]);
    assert.equal(r.status, 0, `vejled migrate failed: ${r.stderr}`);
    const later = migrations(SQLITE_DIR).filter((f) => f >= '0004').length;
    assert.match(r.stderr + r.stdout, new RegExp(`applied ${later} migration`));
    for (const f of migrations(PG_DIR).filter((x) => x >= '0004')) {
      const p = psqlRun(pg, null, { db: pdb, single: true, file: path.join(PG_DIR, f) });
      assert.equal(p.status, 0, `${f} failed on PostgreSQL with rows: ${p.stderr}`);
    }
    const agg = aggregates(sdb, pdb);
    assertSameAggregates(agg);
    // The backfill is what the triggers would have built.
    const live = sqliteMigrated();
    sqliteExec(live, forEngine(activity(), 'sqlite'));
    // (the live sums keep rows that went back to zero; the backfill writes none)
    const nonZero = (rows) => rows.filter((r) => Object.entries(r).some(([k, v]) =>
      !['day', 'group_id', 'unit', 'question_id'].includes(k) && v !== 0));
    for (const name of ['stats_group_day', 'stats_unit_day', 'stats_question_day']) {
      assert.deepEqual(nonZero(agg[name].sqlite), nonZero(sqliteRows(live, `SELECT * FROM ${name} ORDER BY 1, 2`)), name);
    }
    for (const [what, q] of [
      ['0007 legacy_ended', 'SELECT enrolment_id, video_id, observed, legacy_ended FROM video_views ORDER BY 1, 2'],
      ['0007 used_at', 'SELECT id_hash, used_at FROM citizen_sessions'],
      ['0009 idempotency emptied', 'SELECT count(*) AS n FROM idempotency'],
      ['0015 units', 'SELECT id, name, disabled FROM units ORDER BY id'],
      // SQLite made the table again: every row comes through, as PostgreSQL kept it
      ['0027 deliveries', `SELECT id, job_id, channel, message_id, state, sha256, created_at, sent_at,
        data, link_hash, skipped_at, skipped_reason FROM deliveries ORDER BY id`],
    ]) {
      const { sqlite, postgres } = rowsOf(sdb, pdb, q);
      assert.deepEqual(postgres, sqlite, what);
    }
    assert.ok(sqliteRows(sdb, "SELECT count(*) AS n FROM deliveries WHERE state = 'sent'")[0].n > 0,
      'the deliveries came through 0027');
    assert.deepEqual(sqliteRows(sdb, 'SELECT enrolment_id FROM video_views WHERE legacy_ended = 1'),
      [{ enrolment_id: 1 }]);
    assert.deepEqual(sqliteRows(sdb, 'SELECT name FROM units ORDER BY id'), [{ name: 'Nord' }, { name: 'Syd' }]);
  });

  test('Copenhagen day numbers agree on every daylight-saving change 1996-2037', () => {
    const ts = new Set();
    for (let y = 1996; y <= 2037; y++) {
      for (const month of [3, 10]) {
        // the last Sunday of the month, 01:00 UTC
        const last = new Date(Date.UTC(y, month, 0));
        const change = at(y, month, last.getUTCDate() - last.getUTCDay(), 1);
        for (const d of [-3601, -3600, -1, 0, 1, 3599, 3600]) ts.add(change + d);
        for (const day of [-2, -1, 0, 1]) {
          for (const h of [21, 22, 23]) {
            const m = change - 3600 + day * 86400 + h * 3600;
            ts.add(m - 1);
            ts.add(m);
          }
        }
      }
    }
    for (let t = at(2024, 1, 1); t < at(2026, 1, 1); t += 3600) ts.add(t);
    let seed = 12345;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      ts.add(at(1996, 1, 1) + (seed % (at(2038, 1, 1) - at(1996, 1, 1))));
    }
    const list = [...ts].sort((a, b) => a - b);
    const sdb = sqliteMigrated();
    const pdb = pgMigrated();
    const rows = [];
    for (let i = 0; i < list.length; i += 500) {
      rows.push(`INSERT INTO stats_enrolment(enrolment_id, citizen_id, group_id, unit, created_at,
        first_meeting_at, held_at, completed_at) VALUES ${list.slice(i, i + 500)
        .map((t, j) => `(${i + j + 1}, 0, 0, '', ${t}, ${t}, ${t}, ${t})`).join(',')};`);
    }
    both(sdb, pdb, rows.join('\n'));
    const q = 'SELECT enrolment_id, created_at, created_day, meeting_day, held_day, completed_day FROM stats_enrolment ORDER BY enrolment_id';
    const { sqlite, postgres } = rowsOf(sdb, pdb, q);
    assert.equal(sqlite.length, list.length);
    const wrong = [];
    sqlite.forEach((r, i) => {
      const p = postgres[i];
      const want = cphDay(r.created_at);
      if (r.created_day !== want || p.created_day !== want || p.meeting_day !== want ||
          p.held_day !== want || p.completed_day !== want || r.held_day !== want) {
        wrong.push(`${new Date(r.created_at * 1000).toISOString()}: sqlite ${r.created_day} postgres ${p.created_day} ICU ${want}`);
      }
    });
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} instants disagree`);
  });
  test('concurrent writers keep the sums exact on PostgreSQL', async () => {
    const pdb = pgMigrated();
    psql(pg, `${CONTENT}
      INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)
        SELECT n, 'c-' || n, 'l-' || n, '\\x00'::bytea, 'P', ${MID_JUL2} FROM generate_series(1, 200) AS n;`, { db: pdb });
    // 4 sessions, 50 transactions each, every one adding to the same day rows.
    const session = (k) => new Promise((resolve, reject) => {
      const sql = Array.from({ length: 50 }, (_, i) => {
        const n = k * 50 + i + 1;
        return `INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, caseworker,
          first_meeting_at, token_hash, token_expires_at, created_at, opened_at)
          VALUES (${n}, 'e-${n}', ${n}, 1, 1, 'anna', ${MID_JUL2 + 86400}, 't-${n}', ${MID_JUL2 + 1e6},
          ${MID_JUL2 + n}, ${n % 2 ? MID_JUL2 + 500 : 'NULL'});
          UPDATE enrolments SET completed_at = ${MID_JUL2 + 1000} WHERE id = ${n} AND ${n % 4} = 0;`;
      }).join('\n');
      const p = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', dbUrl(pg, pdb)], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`session ${k}: ${err}`))));
      p.stdin.end(sql);
    });
    await Promise.all([0, 1, 2, 3].map(session));
    const [g] = psqlRows(pg, `SELECT enrolled, opened, completed, due FROM stats_group_day
      WHERE day = ${cphDay(MID_JUL2)} AND group_id = 1`, { db: pdb });
    assert.deepEqual(g, { enrolled: 200, opened: 100, completed: 50, due: 0 });
    const [u] = psqlRows(pg, `SELECT enrolled, opened, completed FROM stats_unit_day
      WHERE day = ${cphDay(MID_JUL2)} AND unit = 'Nord'`, { db: pdb });
    assert.deepEqual(u, { enrolled: 200, opened: 100, completed: 50 });
    const [d] = psqlRows(pg, `SELECT due FROM stats_group_day WHERE day = ${cphDay(MID_JUL2 + 86400)} AND group_id = 1`, { db: pdb });
    assert.deepEqual(d, { due: 200 });
  });
});
