// The test build and the production build: only the test build (-DVEJLED_TESTING, the
// sanitizer build the HTTP suite runs on) has fault points, the slow-sync / power-cut VFS
// and the cheapest password hash on request; the production binary (build/vejled) neither
// contains nor obeys them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, PROD_BIN, SAME_ON_BOTH, isTestBuild } from './harness.mjs';

const HOOKS = ['VEJLED_FAULT', 'VEJLED_TEST_', 'X-Vejled-Test-'];

function run(bin, args, env = {}, input = undefined) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000, input, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return { ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/* `vejled user add` of a fresh caseworker with VEJLED_TEST_PWHASH as given; its stored hash. */
function addUser(bin, db, name, pwhash) {
  const r = run(bin, ['user', 'add', '--db', db, '--username', name, '--role', 'caseworker'],
    { VEJLED_TEST_PWHASH: pwhash }, 'a long enough password');
  const q = spawnSync('sqlite3', [db, `SELECT password_hash FROM users WHERE username = '${name}';`], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  return { ...r, hash: q.stdout.trim() };
}

/* argon2id at libsodium's interactive cost (64 MB, 2 passes) and at its minimum. */
const FULL_COST = /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/;
const MIN_COST = /^\$argon2id\$v=19\$m=8,t=1,p=1\$/;

function keys(db) {
  const r = spawnSync('sqlite3', [db, 'SELECT count(*) FROM api_keys;'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

// the binaries and their test hooks on an SQLite file of its own: nothing of the PostgreSQL store
describe('test build and production build', { skip: SAME_ON_BOTH }, () => {
  let dir;
  let db;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-build-'));
    db = path.join(dir, 'v.db');
    const r = run(PROD_BIN, ['migrate', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the production binary carries no fault point or test VFS', () => {
    assert.ok(fs.existsSync(PROD_BIN), `${PROD_BIN} is built`);
    const bytes = fs.readFileSync(PROD_BIN).toString('latin1');
    for (const h of HOOKS) assert.ok(!bytes.includes(h), `${PROD_BIN} contains ${h}`);
    assert.equal(isTestBuild(PROD_BIN), false, 'the production binary ignores VEJLED_TEST_*');
  });

  it('the production binary ignores a power cut and a slow sync asked for', () => {
    const before = keys(db);
    const r = run(PROD_BIN, ['apikey', 'add', '--db', db, '--name', 'p'], {
      VEJLED_TEST_POWERLOSS_AFTER: '1', VEJLED_TEST_SYNC_DELAY_MS: '1500', VEJLED_FAULT: 'after_channel_write',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.ms < 1500, `no sync delay (${r.ms} ms)`);
    assert.equal(keys(db), before + 1);
  });

  it('the production binary hashes passwords at full cost whatever VEJLED_TEST_PWHASH says', () => {
    const u = addUser(PROD_BIN, db, 'prodfast', 'fast');
    assert.equal(u.status, 0, u.stderr);
    assert.match(u.hash, FULL_COST);
  });

  it('the test build hashes at full cost unless VEJLED_TEST_PWHASH is "fast", and refuses any other value', { skip: !isTestBuild(BIN) && 'not the test build' }, () => {
    const full = addUser(BIN, db, 'testfull', '');
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.hash, FULL_COST);
    const fast = addUser(BIN, db, 'testfast', 'fast');
    assert.equal(fast.status, 0, fast.stderr);
    assert.match(fast.hash, MIN_COST);
    const bad = addUser(BIN, db, 'testbad', 'sometimes');
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /VEJLED_TEST_PWHASH/);
    assert.equal(bad.hash, '', 'no account made');
  });

  it('the test build cuts the power: nothing unsynced survives', { skip: !isTestBuild(BIN) && 'not the test build' }, () => {
    const before = keys(db);
    const r = run(BIN, ['apikey', 'add', '--db', db, '--name', 't'], { VEJLED_TEST_POWERLOSS_AFTER: '1' });
    assert.equal(r.signal, 'SIGKILL', `${r.status} ${r.stderr}`);
    assert.match(r.stderr, /test power cut after 1 file events/);
    assert.equal(r.stdout, '', 'no key was handed out');
    assert.equal(keys(db), before, 'the key did not reach the disk');
    const v = run(PROD_BIN, ['verify', '--db', db]);
    assert.equal(v.status, 0, v.stderr);
  });

  it('the test build sleeps in every sync', { skip: !isTestBuild(BIN) && 'not the test build' }, () => {
    const r = run(BIN, ['apikey', 'add', '--db', db, '--name', 's'], { VEJLED_TEST_SYNC_DELAY_MS: '1500' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.ms >= 1500, `the commit waited for the slow sync (${r.ms} ms)`);
  });

  it('the test build refuses malformed test settings', { skip: !isTestBuild(BIN) && 'not the test build' }, () => {
    for (const [k, v] of [['VEJLED_TEST_SYNC_DELAY_MS', 'soon'], ['VEJLED_TEST_POWERLOSS_SEED', '-1'],
      ['VEJLED_TEST_SYNCHRONOUS', 'sometimes'], ['VEJLED_TEST_POWERLOSS_SPAN', '0']]) {
      const r = run(BIN, ['migrate', '--db', db], { [k]: v });
      assert.equal(r.status, 1, `${k}=${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(k));
    }
  });
});
