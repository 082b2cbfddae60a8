// A throw-away PostgreSQL cluster for tests (scripts/pgtmp.sh), and psql on it.
//
//   const pg = startPg();                 // initdb + start in a fresh temp folder
//   const url = createDb(pg, 'app');      // a new database; its URL
//   psql(pg, 'SELECT 1', { db: 'app' });  // stdout (unaligned, tuples only); throws on error
//   stopPg(pg);                           // stops the server by its pid, removes the folder
//
// A cluster still running when the test process exits (a failed assertion before stopPg)
// is stopped by the exit handler, so no postgres process outlives the tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PGTMP = path.join(ROOT, 'scripts', 'pgtmp.sh');

const running = new Set();
process.on('exit', () => {
  for (const pg of running) stopPg(pg);
});

/** True when the PostgreSQL server binaries scripts/pgtmp.sh needs are installed. */
export function havePg() {
  try {
    return fs.readdirSync('/usr/lib/postgresql').some((v) =>
      fs.existsSync(path.join('/usr/lib/postgresql', v, 'bin', 'initdb')));
  } catch {
    return false;
  }
}

/**
 * Starts a cluster in a new temporary folder: { url, dir, pid }.  url names the database
 * postgres as the superuser vejled over loopback TCP (trust).
 */
export function startPg({ durable = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-pg-'));
  const args = ['start', dir];
  if (durable) args.push('--durable');
  const r = spawnSync(PGTMP, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) {
    spawnSync(PGTMP, ['stop', dir], { timeout: 30_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`pgtmp.sh start failed (${r.status}): ${r.stderr || r.error}`);
  }
  const url = r.stdout.trim().split('\n').pop();
  const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8').trim());
  const pg = { url, dir, pid };
  running.add(pg);
  return pg;
}

/** Stops the cluster (fast shutdown, then SIGKILL) and removes its folder.  Idempotent. */
export function stopPg(pg) {
  if (!pg) return;
  spawnSync(PGTMP, ['stop', pg.dir], { encoding: 'utf8', timeout: 30_000 });
  fs.rmSync(pg.dir, { recursive: true, force: true });
  running.delete(pg);
}

/** True while the cluster's postmaster runs. */
export function pgRunning(pg) {
  try {
    process.kill(pg.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The URL of database db on the cluster. */
export function dbUrl(pg, db = 'postgres') {
  return pg.url.replace(/\/[^/]*$/, `/${db}`);
}

/**
 * psql on database db (default postgres), ON_ERROR_STOP, unaligned tuples-only output,
 * verbose errors (the SQLSTATE is in the message): { status, stdout, stderr }.  Runs sql
 * given on standard input (any length, several statements), or the file opts.file (-f), or
 * only what opts.args say (sql null, e.g. ['-c', text]: one simple query).  single: one
 * transaction (-1).  Never throws for SQL errors.
 */
export function psqlRun(pg, sql, { db = 'postgres', single = false, file = null, args = [] } = {}) {
  const source = file ? ['-f', file] : sql != null ? ['-f', '-'] : [];
  const argv = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose',
    ...(single ? ['-1'] : []), ...args, ...source, dbUrl(pg, db)];
  const r = spawnSync('psql', argv, { input: file || sql == null ? '' : sql, encoding: 'utf8',
    timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** psql (see psqlRun) that throws on failure; returns standard output. */
export function psql(pg, sql, opts = {}) {
  const r = psqlRun(pg, sql, opts);
  assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
  return r.stdout;
}

/** The rows of one query as objects (through json_agg). */
export function psqlRows(pg, query, opts = {}) {
  const out = psql(pg, `SELECT coalesce(json_agg(q), '[]'::json) FROM (${query}) AS q;`, opts);
  return JSON.parse(out);
}

/** Creates database name (owned by vejled); returns its URL. */
export function createDb(pg, name) {
  assert.match(name, /^[a-z_][a-z0-9_]*$/, 'createDb: a plain lower-case name');
  psql(pg, `CREATE DATABASE ${name};`);
  return dbUrl(pg, name);
}
