// Lockout that protects without excluding: no answer tells which accounts exist or are
// locked; failures count per client address and per account with growing waits; a guesser on
// one address cannot keep the caseworker from logging in on another; an administrator can
// unlock, and every lock and unlock is in the account log.  Client addresses are simulated
// with X-Forwarded-For from the trusted proxy (127.0.0.1), as behind Apache.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { cli, decodeEntities, nowSeconds, sleep, sqlite, startServer, withoutCsrf } from './harness.mjs';
import { DEMO_PASSWORD, addUser, formCsrf, ini, loginAs, staff } from './staffkit.mjs';

let s;

const from = (addr) => ({ headers: { 'X-Forwarded-For': addr } });
const login = (user, password, addr) => loginAs(s, user, password, from(addr));
const count = (sql) => Number(sqlite(s.db, sql).trim());

describe('staff lockout', () => {
  before(async () => {
    s = await startServer({
      config: ini({
        server: { trusted_proxy: '127.0.0.1', log_requests: 0 },
        staff: {
          login_max_failures: 3,
          login_lockout_minutes: 15,
          login_attempts_per_minute: 1000,
          login_address_free_failures: 4,
          login_address_delay_seconds: 2,
          login_address_delay_max_seconds: 60,
        },
      }),
    });
    for (const u of ['victim', 'target', 'other'])
      assert.equal(addUser(s, u, 'caseworker', 'team-nord', `${u}-password-1`).status, 0);
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('unknown user, wrong password and locked account: the same status and page', async () => {
    // lock "victim" from one address
    for (let i = 0; i < 3; i++) assert.equal((await login('victim', 'wrong-password', '192.0.2.10')).res.status, 401);
    assert.ok(count("SELECT locked_until FROM users WHERE username = 'victim'") > Date.now() / 1000, 'victim is locked');
    // from a second address that has failed once (so the lock applies to it) ...
    const unknown = await login('nobody-here', 'some-password-1', '192.0.2.11');
    const wrong = await login('other', 'wrong-password', '192.0.2.11');
    const locked = await login('victim', 'victim-password-1', '192.0.2.11');
    const lockedWrong = await login('victim', 'wrong-password', '192.0.2.11');
    for (const [what, r, username] of [['unknown', unknown, 'nobody-here'], ['wrong', wrong, 'other'],
      ['locked, right password', locked, 'victim'], ['locked, wrong password', lockedWrong, 'victim']]) {
      assert.equal(r.res.status, 401, what);
      assert.equal(r.res.headers['retry-after'], undefined, what);
      assert.equal(r.browser.cookies.get('vejled_ansat'), undefined, what);
      // the username typed stays in its field, in every case alike; nothing else differs
      const typed = /<input class="form-input" type="text" id="username" name="username" value="([^"]*)"/.exec(r.res.text);
      assert.ok(typed, what);
      assert.equal(typed[1], username, `${what}: the username typed is kept`);
      const same = (t, u) => withoutCsrf(t).replace(`name="username" value="${u}"`, 'name="username" value=""');
      assert.equal(same(r.res.text, username), same(unknown.res.text, 'nobody-here'), `${what}: the same page byte for byte`);
      assert.equal(r.res.text.split(username).length - 1, 1, `${what}: the username only in its field`);
      assert.ok(!/password-1|wrong-password/.test(r.res.text), 'the password is never shown back');
    }
    assert.match(decodeEntities(unknown.res.text), /midlertidigt låst/, 'the one message names both causes');
  });

  it('an unknown user costs the same password hash as a known one', async () => {
    const time = async (user, addr) => {
      const t0 = process.hrtime.bigint();
      const r = await login(user, 'wrong-password', addr);
      assert.equal(r.res.status, 401);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const known = [];
    const unknown = [];
    // ten of each, alternating, each from its own address so that no wait comes in; the
    // account's failures are cleared after each so that "target" never reaches its lock.
    // The fastest of each is compared: load on a shared machine only ever adds time (a
    // known user's failure is also written down, which other tests' load on a shared
    // PostgreSQL slows; ten tries make it unlikely that every one of them meets such load).
    const clear = () => sqlite(s.db, "DELETE FROM login_failures WHERE user_id = (SELECT id FROM users WHERE username = 'target')");
    for (let i = 0; i < 10; i++) {
      unknown.push(await time(`ghost${i}`, `192.0.2.${30 + i}`));
      known.push(await time('target', `192.0.2.${40 + i}`));
      clear();
    }
    const fastest = (a) => Math.min(...a);
    // without the hash an unknown user answers in about a millisecond, a known one in tens
    assert.ok(fastest(unknown) > fastest(known) * 0.5,
      `unknown ${fastest(unknown).toFixed(1)} ms vs known ${fastest(known).toFixed(1)} ms`);
  });

  it('a guesser on one address is slowed down, and cannot keep the user out on another', async () => {
    const attacker = '203.0.113.66';
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await login('target', `guess-${i}`, attacker)).res.status);
    // 4 free failures, then the address waits: not even the fifth guess in a row is checked
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((x) => x === 429), statuses.join(' '));
    const throttled = await login('target', 'target-password-1', attacker);
    assert.equal(throttled.res.status, 429, 'the right password from the guessing address is not checked either');
    assert.match(throttled.res.headers['retry-after'] || '', /^[1-9]\d*$/);
    // the waits grow: 2 s after the 5th failure, then 4 s, 8 s …
    const waits = [Number(throttled.res.headers['retry-after'])];
    for (let i = 0; i < 2; i++) {
      await sleep(waits[waits.length - 1] * 1000 + 100);
      assert.equal((await login('target', `late-guess-${i}`, attacker)).res.status, 401, 'after the wait one guess is checked');
      const next = await login('target', `too-soon-${i}`, attacker);
      assert.equal(next.res.status, 429);
      waits.push(Number(next.res.headers['retry-after']));
    }
    assert.ok(waits[1] >= 3 && waits[2] >= 7 && waits[2] > waits[1] && waits[1] > waits[0], `waits grow: ${waits.join(', ')}`);
    // the account is locked (and the lock is in the account log) ...
    assert.ok(count("SELECT locked_until FROM users WHERE username = 'target'") > Date.now() / 1000);
    assert.equal(count("SELECT count(*) FROM account_log WHERE username = 'target' AND event = 'locked' AND actor = 'system'"), 1);
    assert.match(s.stderr, /vejled: account \d+ locked until \d{4}-\d\d-\d\dT/);
    // ... for every address that has failed: a second guesser gets one guess, then the right
    // password does not help it
    assert.equal((await login('target', 'another-guess', '203.0.113.67')).res.status, 401);
    assert.equal((await login('target', 'target-password-1', '203.0.113.67')).res.status, 401);
    // but the caseworker at the office, whose address has not failed, logs in
    const office = await login('target', 'target-password-1', '198.51.100.7');
    assert.equal(office.res.status, 303, office.res.text.slice(0, 300));
    assert.ok(office.browser.cookies.get('vejled_ansat'));
    assert.equal((await office.browser.get('/medarbejder/borgere')).status, 200);
  });

  it('an administrator unlocks an account (POST with CSRF), and the account log shows it', async () => {
    const id = count("SELECT id FROM users WHERE username = 'victim'");
    assert.ok(count("SELECT locked_until FROM users WHERE username = 'victim'") > 0);
    const admin = await staff(s, 'admin');
    const page = await admin.get(`/admin/brugere/${id}`);
    assert.equal(page.status, 200);
    const text = decodeEntities(page.text);
    assert.match(text, /Kontoen er låst/);
    assert.match(text, /Låst indtil/, 'the lock is in the account log on the page');
    const csrf = formCsrf(page.text, `/admin/brugere/${id}`);
    // without the form token nothing happens
    assert.equal((await admin.post(`/admin/brugere/${id}`, { action: 'unlock' })).status, 403);
    // a caseworker may not
    const cw = await staff(s, 'cw1');
    assert.equal((await cw.post(`/admin/brugere/${id}`, { csrf, action: 'unlock' })).status, 403);
    assert.ok(count("SELECT locked_until FROM users WHERE username = 'victim'") > 0);
    const r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'unlock' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/brugere/${id}?laast_op=${id}`);
    assert.equal(count("SELECT locked_until FROM users WHERE username = 'victim'"), 0);
    assert.equal(count(`SELECT count(*) FROM login_failures WHERE user_id = ${id}`), 0);
    assert.equal(sqlite(s.db, `SELECT event, actor, until FROM account_log WHERE user_id = ${id} ORDER BY id`).trim()
      .replace(/\|\d{6,}$/m, '|T'), 'locked|system|T\nunlocked|admin|0');
    // the log line may reach the pipe a moment after the answer (bounded wait)
    const unlocked = new RegExp(`vejled: account ${id} unlocked by admin`);
    for (let i = 0; i < 100 && !unlocked.test(s.stderr); i++) await sleep(50);
    assert.match(s.stderr, unlocked);
    const after = decodeEntities((await admin.get(`/admin/brugere/${id}`)).text);
    assert.match(after, /Kontoen er ikke låst/);
    assert.match(after, /Låst op/);
    // the account log is append-only
    assert.throws(() => sqlite(s.db, 'DELETE FROM account_log'));
    // unlocked: from the address that locked it (which has failed, but is not waiting), the
    // right password works again
    assert.equal((await login('victim', 'victim-password-1', '192.0.2.11')).res.status, 303);
  });

  it('a flood of guesses at one account stores a bounded number of failures', async () => {
    const id = count("SELECT id FROM users WHERE username = 'other'");
    const cap = 3 + 64; // login_max_failures + 64: the lock is at its longest long before
    sqlite(s.db, `DELETE FROM login_failures WHERE user_id = ${id}; ` +
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${cap}) ` +
      `INSERT INTO login_failures(user_id, at) SELECT ${id}, ${nowSeconds()} FROM n`);
    assert.equal((await login('other', 'wrong-password', '192.0.2.77')).res.status, 401);
    assert.equal(count(`SELECT count(*) FROM login_failures WHERE user_id = ${id}`), cap);
    assert.ok(count("SELECT locked_until FROM users WHERE username = 'other'") - Date.now() / 1000 > 23 * 3600,
      'locked for the longest time ([staff] login_lockout_max_minutes)');
  });

  it('every [staff] login limit is checked at start', async () => {
    for (const [key, bad] of [['login_address_free_failures', '-1'], ['login_address_delay_seconds', '0'],
      ['login_address_delay_max_seconds', '0'], ['login_address_window_minutes', '0'],
      ['login_lockout_max_minutes', '0'], ['login_account_window_hours', '0']]) {
      const file = `${s.dir}/bad-${key}.ini`;
      fs.writeFileSync(file, `[staff]\n${key} = ${bad}\n`);
      const r = cli(['migrate', '--db', `${s.dir}/bad.db`, '--config', file]);
      assert.equal(r.status, 1, key);
      assert.match(r.stderr, new RegExp(key));
    }
  });

  it('stops cleanly', async () => {
    await s.stop();
  });
});
