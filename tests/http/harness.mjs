// Test harness for the HTTP integration suite: starts the real vejled binary on a free
// loopback port with a temporary database, speaks plain HTTP to it (node:http and raw
// node:net sockets), records every response it receives, checks each response of the API
// against openapi.json (openapi.mjs: a mismatch fails the request, and so the test), and
// stops the server cleanly.
//
// node: built-ins and ajv (pinned to releases that run on Debian's Node 18).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRawResponse, checkResponse, covered } from './openapi.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.VEJLED_BIN
  ? path.resolve(process.env.VEJLED_BIN)
  : path.join(ROOT, 'build', 'vejled');

/* Every command and server of the suite hashes staff passwords at argon2id's minimum cost
 * (the test build's VEJLED_TEST_PWHASH=fast; the production binary ignores it): hundreds
 * of demo accounts and logins would otherwise each fill 64 MB.  The cost a real server
 * pays is asserted where it is the subject (testbuild.test.mjs), with the variable unset. */
if (process.env.VEJLED_TEST_PWHASH === undefined) process.env.VEJLED_TEST_PWHASH = 'fast';

/**
 * The PostgreSQL cluster the suite runs against, when it does (scripts/with-pg.sh starts
 * a throw-away one and sets VEJLED_TEST_PG_URL); '' for SQLite files.  Each server then
 * gets a database of its own in that cluster, and its key files and outbox in its folder.
 */
export const PG_URL = process.env.VEJLED_TEST_PG_URL || '';
export const PG = PG_URL !== '';

/** The skip reason, in the PostgreSQL pass, of a test whose subject never reaches the
 * database differently on the two engines (the HTTP layer alone): it runs in the SQLite
 * pass.  { skip: SAME_ON_BOTH } */
export const SAME_ON_BOTH = PG && 'the same on both engines; run in the SQLite pass';

/* The key files a command makes in the repository's var/ when its configuration names no
 * key_file for a PostgreSQL URL (the places beside the default file): a test's config that
 * lost the database's places (Server.placesIni) would then run with keys of its own.  In
 * the PostgreSQL pass, a test file that leaves them behind fails. */
const STRAY_KEYS = ['var/vejled.db.key', 'var/vejled.db.sign.key'].map((f) => path.join(ROOT, f));
if (PG) {
  const before = STRAY_KEYS.filter((f) => fs.existsSync(f));
  process.on('exit', () => {
    const made = STRAY_KEYS.filter((f) => !before.includes(f) && fs.existsSync(f));
    if (made.length) {
      process.stderr.write(`a command made ${made.join(', ')}: a config without the database's key files\n`);
      process.exitCode = 1;
    }
  });
}

/* For each PostgreSQL test database, by URL: a config file that names only where its key
 * files and outbox are.  cli() adds it to a command that names the database but no
 * configuration, as the SQLite file's own folder would. */
const pgConfigs = new Map();

/** psql on a PostgreSQL URL; rows as lines, columns separated by '|' (as sqlite3 prints). */
export function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', url],
    { input: sql, encoding: 'utf8', timeout: 30_000, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
  return r.stdout;
}

/** The URL of database name in the suite's cluster. */
export function pgDatabaseUrl(name) {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A database of its own as an older release left it: the schema of the migrations before
 * `version` ('0033'), on the engine under test (a database of the PostgreSQL cluster, or an
 * SQLite file).  {db, apply(v): runs migration v on it, cleanup()}.
 */
export function databaseBefore(version) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vejled-${version}-`));
  const pgName = `v_${version}_${process.pid}_${path.basename(dir).slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  let db = path.join(dir, 'old.db');
  if (PG) {
    psql(PG_URL, `CREATE DATABASE ${pgName};`);
    db = pgDatabaseUrl(pgName);
  }
  const migrations = path.join(ROOT, 'db', 'migrations', PG ? 'postgres' : 'sqlite');
  const files = fs.readdirSync(migrations).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  const run = (f) => sqlite(db, `\n${fs.readFileSync(path.join(migrations, f), 'utf8')}`);
  for (const f of files.filter((x) => x < version)) run(f);
  return {
    db,
    apply(v) { run(files.find((f) => f.startsWith(`${v}_`))); },
    cleanup() {
      if (PG) psql(PG_URL, `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE);`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The production build (no fault points, no test VFS): for checks that must use it. */
export const PROD_BIN = process.env.VEJLED_PROD_BIN
  ? path.resolve(process.env.VEJLED_PROD_BIN)
  : path.join(ROOT, 'build', 'vejled');

/**
 * True when bin is the test build (-DVEJLED_TESTING): only that one reads VEJLED_TEST_*
 * at start, so a malformed value makes it fail while the production build ignores it.
 */
export function isTestBuild(bin = BIN) {
  const r = spawnSync(bin, ['--help'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, VEJLED_TEST_SYNCHRONOUS: 'sometimes' },
  });
  return r.status === 1 && /VEJLED_TEST_SYNCHRONOUS/.test(r.stderr);
}

/* What a sanitizer prints when it finds something. */
const SANITIZER_MARKS = ['ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer',
  'WARNING: ThreadSanitizer'];

export function assertNoSanitizerReport(text, what) {
  for (const mark of SANITIZER_MARKS) {
    assert.ok(!text.includes(mark), `${what}: sanitizer report (${mark}):\n${text}`);
  }
}

/* ------------------------------------------------------------------ command line */

/* The environment without VEJLED_* settings, so that only the flags count. */
function cleanEnv() {
  const env = { ...process.env };
  delete env.VEJLED_DB;
  delete env.VEJLED_LISTEN;
  delete env.VEJLED_CONFIG;
  return env;
}

/** Runs `vejled ARGS...` synchronously from the repository root. */
export function cli(args, { input, env } = {}) {
  const i = args.indexOf('--db');
  if (i >= 0 && pgConfigs.has(args[i + 1]) && !args.includes('--config') && !env?.VEJLED_CONFIG) {
    args = [...args, '--config', pgConfigs.get(args[i + 1])];
  }
  const r = spawnSync(BIN, args, {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...cleanEnv(), ...env },
  });
  if (r.error) throw r.error;
  assertNoSanitizerReport(r.stderr, `vejled ${args.join(' ')}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `vejled ARGS...` without blocking this process (servers and load in it go on);
 * resolves to {status, signal, stdout, stderr}.  Killed after timeoutMs. */
export function cliAsync(args, { env, timeoutMs = 60_000 } = {}) {
  const i = args.indexOf('--db');
  if (i >= 0 && pgConfigs.has(args[i + 1]) && !args.includes('--config') && !env?.VEJLED_CONFIG) {
    args = [...args, '--config', pgConfigs.get(args[i + 1])];
  }
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      assertNoSanitizerReport(stderr, `vejled ${args.join(' ')}`);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** The rows of `vejled jobs list` for db as objects keyed by its header (id, kind,
 * enrolment, due_at, state, ...), only enrolmentId's when given. */
export function jobsList(db, enrolmentId) {
  const r = cli(['jobs', 'list', '--db', db]);
  if (r.status !== 0) throw new Error(`vejled jobs list: ${r.stderr}`);
  const [head, ...rows] = r.stdout.trim().split('\n');
  const keys = head.split('\t');
  return rows.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [keys[i], v])))
    .filter((j) => !enrolmentId || j.enrolment === enrolmentId);
}

/** sqlite3 CLI on a database file (psql when db is a PostgreSQL URL); throws on failure. */
export function sqlite(db, sql) {
  if (db.startsWith('postgresql://')) return psql(db, sql);
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

/** True when db names a PostgreSQL database (a URL) rather than an SQLite file. */
export function isPgDb(db) {
  return String(db).startsWith('postgresql://');
}

/**
 * The dialect's string aggregate of expr for a query on db: group_concat on SQLite,
 * string_agg on PostgreSQL (SQLite 3.40 has no string_agg, PostgreSQL no group_concat).
 * orderBy orders the values on PostgreSQL; on SQLite they come in the order of the rows
 * (order them in a subquery, which both keep).
 */
export function groupConcat(db, expr, { sep = ',', orderBy = '' } = {}) {
  if (isPgDb(db)) return `string_agg((${expr})::text, '${sep}'${orderBy ? ` ORDER BY ${orderBy}` : ''})`;
  return `group_concat(${expr}, '${sep}')`;
}

/** The dialect's upper-case hex text of a blob expression (SQLite's hex()). */
export function hexOf(db, expr) {
  return isPgDb(db) ? `upper(encode(${expr}, 'hex'))` : `hex(${expr})`;
}

/** The current time in whole seconds (as the database's timestamps are). */
export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** The current time as RFC 3339 in whole seconds (2026-12-06T04:12:09Z). */
export function nowIso() {
  return new Date(nowSeconds() * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Row counts of every table: a fingerprint of "what is written".  Without rate_events:
 * counting a refused guess (a link that did not open, a failed login) is the limit at
 * work, which the tests of those limits check themselves.
 */
export function tableCounts(db) {
  const tables = sqlite(db, db.startsWith('postgresql://')
    ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1;"
    : "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name;")
    .split('\n').filter((t) => t && t !== 'rate_events');
  const sql = tables.map((t) => `SELECT '${t}', count(*) FROM "${t}";`).join('');
  const out = {};
  for (const line of sqlite(db, sql).split('\n').filter(Boolean)) {
    const [t, n] = line.split('|');
    out[t] = Number(n);
  }
  return out;
}

/**
 * Every row of every table as text, one line a row ("table|row"): what a search for data
 * that must be gone looks through on PostgreSQL, where there is no file of one's own to
 * read (a bytea value shows as \x and lowercase hex).  On SQLite the text of `.dump`.
 */
export function allRows(db) {
  if (!isPgDb(db)) {
    const r = spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 1 << 28 });
    if (r.error) throw r.error;
    assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
    return r.stdout;
  }
  const tables = sqlite(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1;")
    .split('\n').filter(Boolean);
  return sqlite(db, tables.map((t) => `SELECT '${t}', t::text FROM "${t}" t ORDER BY 2;`).join(''));
}

/* ------------------------------------------------------------------ the server */

/* Servers still running when this process exits for any reason are killed with it. */
const running = new Set();
process.on('exit', () => {
  for (const p of running) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export class Server {
  constructor(dir) {
    this.dir = dir;
    this.db = path.join(dir, 'v.db');
    this.key = null;
    this.demoLink = null;
    this.port = 0;
    this.proc = null;
    this.stderr = '';
    this.exit = null;
    /** every response received: {method, path, status, head (raw header text), body (Buffer)} */
    this.responses = [];
    /** further arguments for `vejled serve` (e.g. ['--config', file]) */
    this.serveArgs = [];
    /** further environment variables for `vejled serve` (e.g. the test build's VEJLED_TEST_*) */
    this.env = {};
    /** the INI lines that name the key files and the outbox of a PostgreSQL database ('' on
     * SQLite): a test that writes a config of its own starts it with them */
    this.placesIni = '';
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where the server's CPR key, signing key and outbox are (beside an SQLite file; in its
   * folder for a PostgreSQL database, see startServer). */
  get keyFile() {
    return this.db.startsWith('postgresql://') || PG ? path.join(this.dir, 'v.db.key') : `${this.db}.key`;
  }

  get signKeyFile() {
    return this.db.startsWith('postgresql://') || PG ? path.join(this.dir, 'v.db.sign.key') : `${this.db}.sign.key`;
  }

  get outboxDir() {
    return this.db.startsWith('postgresql://') || PG ? path.join(this.dir, 'outbox') : path.join(path.dirname(this.db), 'outbox');
  }

  get origin() {
    return this.base;
  }

  /** Starts `vejled serve` on 127.0.0.1:0 and waits for its "listening" line. */
  async start() {
    assert.equal(this.proc, null, 'server already running');
    this.exit = null;
    const proc = spawn(BIN, ['serve', '--db', this.db, '--listen', '127.0.0.1:0', ...this.serveArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), ...this.env },
    });
    this.proc = proc;
    running.add(proc);
    const offset = this.stderr.length;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => { this.stdout = (this.stdout || '') + d; });
    proc.stderr.on('data', (d) => { this.stderr += d; });
    // this.exit is set on 'exit'; exited settles on 'close', once everything the server
    // wrote to its pipes has been read (on a busy machine its last line comes after the
    // exit; and a process that ended before listening may close its pipes after the next
    // start() has begun, so 'close' must not touch this.exit)
    const exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        running.delete(proc);
        this.exit = { code, signal };
      });
      proc.on('close', (code, signal) => resolve({ code, signal }));
    });
    this.exited = exited;
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`server did not report its port within 30 s:\n${this.stderr}`));
      }, 30_000);
      const onData = () => {
        const m = /vejled: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.stderr.slice(offset));
        if (m) {
          cleanup();
          resolve(Number(m[1]));
        }
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`server exited before listening (${JSON.stringify(this.exit)}):\n${this.stderr}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        proc.stderr.off('data', onData);
        proc.off('exit', onExit);
      };
      proc.stderr.on('data', onData);
      proc.on('exit', onExit);
    });
    assert.ok(port > 0 && port < 65536);
    this.port = port;
    return this;
  }

  /** SIGTERM by pid, waits for the exit; asserts a clean stop and no sanitizer report. */
  async stop() {
    const proc = this.proc;
    if (!proc) return this.exit;
    if (!this.exit) proc.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), 20_000);
    });
    const exit = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (!exit) {
      proc.kill('SIGKILL');
      await this.exited;
      this.proc = null;
      assert.fail(`server did not stop within 20 s of SIGTERM:\n${this.stderr}`);
    }
    this.proc = null;
    assertNoSanitizerReport(this.stderr, 'server stderr');
    assert.deepEqual(exit, { code: 0, signal: null }, `server exit:\n${this.stderr}`);
    assert.match(this.stderr, /vejled: stopped\n?$/, 'last line is "vejled: stopped"');
    return exit;
  }

  /**
   * A copy of the (stopped) server's database under the name label: the file and its WAL
   * beside it on SQLite, a database of the cluster made with this one as its template on
   * PostgreSQL (cli() gives it the same key files; cleanup() drops it).  Returns its --db.
   */
  copyDatabase(label) {
    if (!isPgDb(this.db)) {
      const copy = path.join(this.dir, `${label}.db`);
      for (const ext of ['', '-wal', '-shm']) {
        if (fs.existsSync(this.db + ext)) fs.copyFileSync(this.db + ext, copy + ext);
      }
      return copy;
    }
    const name = `${new URL(this.db).pathname.slice(1)}_${label}`;
    psql(PG_URL, `CREATE DATABASE ${name} TEMPLATE ${new URL(this.db).pathname.slice(1)};`);
    const url = pgDatabaseUrl(name);
    pgConfigs.set(url, pgConfigs.get(this.db));
    this.copies = [...(this.copies || []), url];
    return url;
  }

  /** Last resort for after() hooks: kill a still running server, remove the folder. */
  async cleanup() {
    if (this.proc && !this.exit) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    this.proc = null;
    if (PG && this.db.startsWith('postgresql://')) {
      for (const db of [this.db, ...(this.copies || [])]) {
        pgConfigs.delete(db);
        const name = new URL(db).pathname.slice(1);
        spawnSync('psql', ['-X', '-q', PG_URL, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`],
          { encoding: 'utf8', timeout: 30_000 });
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Keeps a response; throws when an API response does not match openapi.json. */
  record(method, p, status, head, body) {
    this.responses.push({ method, path: p, status, head, body });
    if (method === 'RAW') {
      checkRawResponse(p, status, head, body.toString('utf8'));
    } else if (covered(p.split('?')[0])) {
      const ct = /\r\ncontent-type:\s*([^\r\n]*)/i.exec(head);
      checkResponse(method, p, status, ct ? ct[1] : '', body.toString('utf8'));
    }
  }

  /* -------------------------------------------------------------- HTTP */

  /**
   * One HTTP request with node:http (no redirects followed, no keep-alive).
   * body: string | Buffer | undefined.  Returns {status, headers, rawHeaders, text, buf, json}.
   */
  request(method, p, { headers = {}, body, chunked = false } = {}) {
    return new Promise((resolve, reject) => {
      const hdrs = { ...headers };
      if (body !== undefined && !chunked && !Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-length')) {
        hdrs['Content-Length'] = Buffer.byteLength(body);
      }
      const req = http.request({
        host: '127.0.0.1',
        port: this.port,
        method,
        path: p,
        headers: hdrs,
        agent: false,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n` +
            res.rawHeaders.map((v, i) => (i % 2 ? `${v}\r\n` : `${v}: `)).join('');
          try {
            this.record(method, p, res.statusCode, head, buf);
          } catch (e) {
            reject(e);
            return;
          }
          const text = buf.toString('utf8');
          let json;
          if (/application\/json/.test(res.headers['content-type'] || '')) {
            try { json = JSON.parse(text); } catch { json = undefined; }
          }
          resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, text, buf, json });
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${p}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** An API call with the test key; body objects are sent as JSON. */
  api(method, p, { body, key = this.key, headers = {} } = {}) {
    const h = { ...headers };
    if (key) h.Authorization = `Bearer ${key}`;
    let b = body;
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) b = JSON.stringify(body);
    if (b !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['Content-Type'] = 'application/json';
    }
    return this.request(method, p, { headers: h, body: b });
  }

  /**
   * Raw bytes over a plain TCP socket; resolves with everything the server sent once it
   * has sent one full response (by Content-Length) or closed (untilClose: only when closed).  Returns {status, head, body, raw}.
   */
  raw(data, { timeoutMs = 10_000, endWrite = false, untilClose = false } = {}) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.port, '127.0.0.1');
      let got = Buffer.alloc(0);
      let done = false;
      const finish = (err) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) return reject(err);
        const raw = got.toString('latin1');
        const end = raw.indexOf('\r\n\r\n');
        const head = end < 0 ? raw : raw.slice(0, end + 2);
        const body = end < 0 ? Buffer.alloc(0) : got.subarray(end + 4);
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
        const status = m ? Number(m[1]) : 0;
        try {
          this.record('RAW', data.toString().split('\r\n')[0], status, head, body);
        } catch (e) {
          reject(e);
          return;
        }
        resolve({ status, head, body: body.toString('utf8'), raw });
      };
      const timer = setTimeout(() => finish(new Error(`raw request timed out; got:\n${got.toString('latin1')}`)), timeoutMs);
      sock.on('data', (c) => {
        got = Buffer.concat([got, c]);
        const s = got.toString('latin1');
        const end = s.indexOf('\r\n\r\n');
        if (end >= 0 && !untilClose) {
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(s.slice(0, end + 2));
          if (m && got.length >= end + 4 + Number(m[1])) finish();
        }
      });
      sock.on('end', () => finish());
      sock.on('close', () => finish());
      sock.on('error', (e) => {
        // a reset after the server has answered (it may close without reading the body)
        if (got.length) finish();
        else finish(e);
      });
      sock.write(data);
      if (endWrite) sock.end();
    });
  }

  /** Everything received so far, as one string per response (headers + body). */
  allReceived() {
    return this.responses.map((r) => r.head + '\r\n' + r.body.toString('utf8'));
  }
}

/* The scheduler thread is off unless a test's config turns it on, so that only a test's
 * own requests write to the database. */
const SCHEDULER_OFF = '\n[delivery]\nscheduler = 0\n';

/**
 * A fresh server: temp folder, `vejled demo`, `vejled apikey add`, `vejled serve`.
 * Options: {demo: true, apikey: true, start: true, config}.  config is an INI text for
 * `serve --config` ("{dir}" stands for the server's temporary folder; the file is
 * s.configFile); unless it sets [delivery] scheduler, the scheduler thread is off.
 */
export async function startServer({ demo = true, apikey = true, start = true, config = '' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-http-'));
  const s = new Server(dir);
  try {
    // an INI text; "{dir}" stands for the server's temporary folder
    const file = path.join(dir, 'vejled.ini');
    let ini = config.replaceAll('{dir}', dir);
    if (PG) {
      // a database of its own; key files and outbox where the SQLite file's would be
      const name = `v_${path.basename(dir).replace(/[^a-zA-Z0-9]/g, '').toLowerCase()}`;
      psql(PG_URL, `CREATE DATABASE ${name};`);
      s.db = pgDatabaseUrl(name);
      const places = `[database]\nkey_file = ${s.keyFile}\nsign_key_file = ${s.signKeyFile}\n` +
        `[delivery]\noutbox_dir = ${s.outboxDir}\n`;
      const placesFile = path.join(dir, 'places.ini');
      fs.writeFileSync(placesFile, places);
      pgConfigs.set(s.db, placesFile);
      s.placesIni = places;
      ini = `${places}\n${ini}`;
    }
    fs.writeFileSync(file, /^\s*scheduler\s*=/m.test(ini) ? ini : ini + SCHEDULER_OFF);
    s.serveArgs = ['--config', file];
    s.configFile = file;
    if (demo) {
      const r = cli(['demo', '--db', s.db]);
      assert.equal(r.status, 0, `vejled demo failed: ${r.stderr}`);
      const m = /Demo citizen link \(dagpenge\): (http:\/\/\S+\/v\/(\S+))/.exec(r.stdout);
      assert.ok(m, `demo printed no citizen link: ${r.stdout}`);
      s.demoLink = m[1];
      s.demoToken = m[2];
    }
    if (apikey) {
      const r = cli(['apikey', 'add', '--db', s.db, '--name', 'test']);
      assert.equal(r.status, 0, `vejled apikey add failed: ${r.stderr}`);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, 'apikey add prints the key alone on stdout');
      s.key = lines[0].trim();
      assert.ok(s.key.length >= 20, 'the key looks like a key');
    }
    if (start) await s.start();
  } catch (e) {
    await s.cleanup();
    throw e;
  }
  return s;
}

/**
 * A second server beside a: the same database, key files, outbox and configuration, its own
 * folder and port.  The caller stops it (and removes its folder, b.dir).
 */
export async function startPeer(a) {
  const b = new Server(fs.mkdtempSync(path.join(path.dirname(a.dir), 'vejled-http-b-')));
  b.db = a.db;
  b.key = a.key;
  b.serveArgs = ['--config', a.configFile];
  await b.start();
  return b;
}

/* ------------------------------------------------------------------ a JS-free browser */

export function decodeEntities(s) {
  return s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function parseAttrs(tag) {
  const attrs = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  const inner = tag.replace(/^<[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    const v = m[2] ?? m[3] ?? m[4];
    attrs[m[1].toLowerCase()] = v === undefined ? '' : decodeEntities(v);
  }
  return attrs;
}

/** The forms of a page: [{action, method, inputs: [{type, name, value, checked}]}]. */
export function parseForms(html) {
  const forms = [];
  const re = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = /<form\b[^>]*>/i.exec(m[0])[0];
    const a = parseAttrs(open);
    const inputs = [];
    const ire = /<(input|button|textarea|select)\b[^>]*>/gi;
    let im;
    while ((im = ire.exec(m[1]))) {
      const at = parseAttrs(im[0]);
      if (im[1].toLowerCase() !== 'input' || !at.name) continue;
      inputs.push({ type: (at.type || 'text').toLowerCase(), name: at.name, value: at.value ?? '', checked: 'checked' in at, id: at.id });
    }
    forms.push({ action: a.action, method: (a.method || 'get').toLowerCase(), inputs });
  }
  return forms;
}

/** Links (href) of a page, decoded. */
export function parseLinks(html) {
  const out = [];
  const re = /<a\b[^>]*\bhref="([^"]*)"/gi;
  let m;
  while ((m = re.exec(html))) out.push(decodeEntities(m[1]));
  return out;
}

/** A cookie jar and a client that behaves like a browser with JavaScript turned off. */
export class Browser {
  constructor(server) {
    this.server = server;
    this.cookies = new Map();
  }

  store(res) {
    let set = res.headers['set-cookie'] || [];
    if (!Array.isArray(set)) set = [set];
    for (const line of set) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      const expired = maxAge && Number(maxAge.split('=')[1]) <= 0;
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  headers(extra = {}) {
    const h = { 'User-Agent': 'vejled-http-test (no JavaScript)', Accept: 'text/html', ...extra };
    if (this.cookies.size) {
      h.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    return h;
  }

  async get(p, { headers = {}, method = 'GET' } = {}) {
    const res = await this.server.request(method, p, { headers: this.headers(headers) });
    this.store(res);
    return res;
  }

  /** POST of a form, url-encoded, with the Origin a browser would send. */
  async post(p, fields, { headers = {} } = {}) {
    const body = new URLSearchParams(fields).toString();
    const h = this.headers({
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: this.server.origin,
      ...headers,
    });
    const res = await this.server.request('POST', p, { headers: h, body });
    this.store(res);
    return res;
  }

  /** GET, following redirects on the same server. */
  async follow(p, { max = 5 } = {}) {
    let res = await this.get(p);
    for (let i = 0; i < max && [301, 302, 303, 307, 308].includes(res.status); i++) {
      const loc = new URL(res.headers.location, this.server.base);
      res = await this.get(loc.pathname + loc.search);
    }
    return res;
  }
}

/** The csrf value of the first form on a page that has one. */
export function csrfOf(html) {
  for (const f of parseForms(html)) {
    const c = f.inputs.find((i) => i.name === 'csrf');
    if (c) return c.value;
  }
  return undefined;
}

/** An HTML page with the csrf values blanked: for comparing two sessions' views. */
export function withoutCsrf(html) {
  return html.replace(/(name="csrf" value=")[^"]*"/g, '$1"').replace(/data-csrf="[^"]*"/g, 'data-csrf=""');
}

/* ------------------------------------------------------------------ test data */

let cprCounter = 0;

/**
 * A fresh, valid, made-up CPR number (DDMMYYSSSS) per call within one process: the date
 * part is a real date, the serial part counts up.  Not any real person's number.
 */
export function freshCpr() {
  cprCounter++;
  const day = 1 + (cprCounter % 28);
  const month = 1 + (Math.floor(cprCounter / 28) % 12);
  const serial = 1000 + ((process.pid * 7 + cprCounter * 13) % 8999);
  const dd = String(day).padStart(2, '0');
  const mm = String(month).padStart(2, '0');
  return `${dd}${mm}71${String(serial).padStart(4, '0')}`;
}

export function enrolBody(cpr, overrides = {}) {
  return {
    citizen: { cpr, name: 'Test Testesen', email: 'test@example.dk' },
    target_group: 'dagpenge',
    first_meeting_at: '2030-03-01T09:00:00Z',
    caseworker: 'cw1',
    language: 'da',
    ...overrides,
  };
}

/**
 * Moves the beginning of an enrolment (its created_at, and the statistics row made from it)
 * back to `at` (a Date or RFC 3339 text), as if it had been enrolled then: a meeting is
 * accepted only once its enrolment existed, so a test that records a meeting on a fixed past
 * date (to pin a month end or a change of daylight saving time) begins the enrolment earlier.
 */
export function backdateEnrolment(db, enrolmentId, at) {
  const t = Math.floor(new Date(at).getTime() / 1000);
  assert.ok(Number.isFinite(t), `not a time: ${at}`);
  sqlite(db, `UPDATE enrolments SET created_at = ${t} WHERE uuid = '${enrolmentId}';
    UPDATE stats_enrolment SET created_at = ${t} WHERE enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${enrolmentId}');`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
