// The caseworker's web: login, sessions, CSRF and Origin, lockout, roles and unit scope,
// the list of citizens, one citizen's page, the access log, training mode, the meeting form.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, cli, csrfOf, decodeEntities, parseLinks, sqlite, startServer, tableCounts, withoutCsrf } from './harness.mjs';
import {
  DEMO_PASSWORD, addUser, ini, assertSummaryOnTop, citizenAnswers, enrolCitizen, errorSummary, formCsrf,
  hiddenFields, loginAs, meetingNow, sha256, staff,
} from './staffkit.mjs';

function count(db, sql) {
  return Number(sqlite(db, sql).trim());
}

describe('staff login and sessions', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 1000, login_max_failures: 3 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the login page sets a pre-login cookie and has a form token', async () => {
    const b = new Browser(s);
    const r = await b.get('/medarbejder/login');
    assert.equal(r.status, 200);
    const set = [].concat(r.headers['set-cookie'] || []);
    assert.equal(set.length, 1);
    assert.match(set[0], /^vejled_login=[A-Za-z0-9_-]{24}; Path=\/medarbejder; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    assert.match(csrfOf(r.text), /^[0-9a-f]{64}$/);
    assert.ok(!r.text.includes('/borger/sprog'), 'no citizen language form on staff pages');
  });

  it('a right password starts a session: HttpOnly, SameSite=Lax, fresh id, stored hashed', async () => {
    const before = count(s.db, 'SELECT count(*) FROM staff_sessions');
    const { browser, res } = await loginAs(s, 'cw1');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/medarbejder/borgere');
    const set = [].concat(res.headers['set-cookie']);
    const cookie = set.find((c) => c.startsWith('vejled_ansat='));
    assert.match(cookie, /^vejled_ansat=[A-Za-z0-9_-]{24}; Path=\/; Max-Age=36000; HttpOnly; SameSite=Lax$/);
    assert.ok(!/Secure/.test(cookie), 'plain http: no Secure flag');
    const id = browser.cookies.get('vejled_ansat');
    assert.equal(count(s.db, 'SELECT count(*) FROM staff_sessions'), before + 1);
    assert.equal(count(s.db, `SELECT count(*) FROM staff_sessions WHERE id_hash = '${sha256(id)}'`), 1);
    assert.equal(count(s.db, `SELECT count(*) FROM staff_sessions WHERE id_hash = '${id}'`), 0);
    const page = await browser.get('/medarbejder/borgere');
    assert.equal(page.status, 200);
    assert.match(page.text, /Demo Sagsbehandler Nord/);
    // a second login gives another session id
    const again = await loginAs(s, 'cw1');
    assert.notEqual(again.browser.cookies.get('vejled_ansat'), id);
  });

  it('wrong password, unknown user, missing fields: refused, no session, same message', async () => {
    const before = tableCounts(s.db).staff_sessions;
    const wrong = await loginAs(s, 'cw2', 'not-the-password');
    assert.equal(wrong.res.status, 401);
    const unknown = await loginAs(s, 'nobody', 'not-the-password');
    assert.equal(unknown.res.status, 401);
    assert.deepEqual(errorSummary(wrong.res.text), errorSummary(unknown.res.text));
    assert.equal(errorSummary(wrong.res.text).length, 1);
    assert.ok(!wrong.res.text.includes('not-the-password'), 'the password is never shown back');
    assert.equal(wrong.browser.cookies.get('vejled_ansat'), undefined);
    const missing = await loginAs(s, '', '');
    assert.equal(missing.res.status, 422);
    assertSummaryOnTop(missing.res.text, ['username', 'password']);
    const long = await loginAs(s, 'x'.repeat(65), 'y'.repeat(200));
    assert.equal(long.res.status, 422);
    assertSummaryOnTop(long.res.text, ['username', 'password']);
    assert.equal(tableCounts(s.db).staff_sessions, before);
    sqlite(s.db, "UPDATE users SET failed_logins = 0 WHERE username = 'cw2'");
  });

  it('missing or wrong CSRF token and a foreign Origin are 403 and log nobody in', async () => {
    const before = tableCounts(s.db).staff_sessions;
    const b = new Browser(s);
    const page = await b.get('/medarbejder/login');
    const csrf = csrfOf(page.text);
    const noToken = await b.post('/medarbejder/login', { username: 'cw1', password: DEMO_PASSWORD });
    assert.equal(noToken.status, 403);
    const badToken = await b.post('/medarbejder/login', { csrf: 'f'.repeat(64), username: 'cw1', password: DEMO_PASSWORD });
    assert.equal(badToken.status, 403);
    const foreign = await b.post('/medarbejder/login', { csrf, username: 'cw1', password: DEMO_PASSWORD },
      { headers: { Origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
    // another browser's token does not fit this browser's pre-login cookie
    const other = new Browser(s);
    await other.get('/medarbejder/login');
    const stolen = await other.post('/medarbejder/login', { csrf, username: 'cw1', password: DEMO_PASSWORD });
    assert.equal(stolen.status, 403);
    assert.equal(tableCounts(s.db).staff_sessions, before);
    // and with everything right it works
    const ok = await b.post('/medarbejder/login', { csrf, username: 'cw1', password: DEMO_PASSWORD });
    assert.equal(ok.status, 303);
  });

  it('CSRF and Origin are checked on every staff form after login', async () => {
    const b = await staff(s, 'cw1');
    const list = await b.get('/medarbejder/borgere');
    const csrf = formCsrf(list.text, '/medarbejder/borgere');
    assert.equal((await b.post('/medarbejder/borgere', { navn: 'Jens' })).status, 403);
    assert.equal((await b.post('/medarbejder/borgere', { csrf: csrf.replace(/./, 'x'), navn: 'Jens' })).status, 403);
    assert.equal((await b.post('/medarbejder/borgere', { csrf, navn: 'Jens' },
      { headers: { Origin: 'https://evil.example' } })).status, 403);
    assert.equal((await b.post('/medarbejder/borgere', { csrf, navn: 'Jens' })).status, 200);
    // the login token is not a session token
    const loginPage = await new Browser(s).get('/medarbejder/login');
    assert.equal((await b.post('/medarbejder/borgere', { csrf: csrfOf(loginPage.text), navn: 'Jens' })).status, 403);
  });

  it('after login_max_failures wrong passwords the account locks, even for the right password, with the same page', async () => {
    assert.equal(addUser(s, 'locky', 'caseworker', 'team-nord', 'locky-password-1').status, 0);
    const before = tableCounts(s.db);
    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push((await loginAs(s, 'locky', 'wrong-password')).res);
    assert.deepEqual(wrong.map((r) => r.status), [401, 401, 401], 'the failure that locks says nothing more');
    assert.ok(count(s.db, "SELECT locked_until FROM users WHERE username = 'locky'") > Date.now() / 1000);
    // this address has failed, so the lock holds for it: the right password does not help,
    // and the answer is the very page a wrong password gets
    const right = await loginAs(s, 'locky', 'locky-password-1');
    assert.equal(right.res.status, 401, 'locked: the right password does not help');
    assert.equal(withoutCsrf(right.res.text), withoutCsrf(wrong[0].text));
    assert.equal(right.res.headers['retry-after'], undefined);
    assert.equal(right.browser.cookies.get('vejled_ansat'), undefined);
    assert.equal(tableCounts(s.db).staff_sessions, before.staff_sessions);
    // when the lock has run out, the right password works
    sqlite(s.db, "UPDATE users SET locked_until = 1 WHERE username = 'locky'");
    assert.equal((await loginAs(s, 'locky', 'locky-password-1')).res.status, 303);
  });

  it('a disabled account cannot log in and its sessions end', async () => {
    assert.equal(addUser(s, 'leaver', 'caseworker', 'team-nord', 'leaver-password-1').status, 0);
    const b = await staff(s, 'leaver', 'leaver-password-1');
    sqlite(s.db, "UPDATE users SET disabled = 1 WHERE username = 'leaver'");
    const r = await b.get('/medarbejder/borgere');
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/medarbejder/login');
    assert.equal((await loginAs(s, 'leaver', 'leaver-password-1')).res.status, 401);
  });

  it('an account named as one of the journal\'s own actors (made before such names were refused) cannot log in', async () => {
    // its acts would be journalled under "citizen" and read as the citizen's own
    assert.equal(addUser(s, 'renamed', 'caseworker', 'team-nord', 'renamed-password-1').status, 0);
    await staff(s, 'renamed', 'renamed-password-1');
    sqlite(s.db, "UPDATE users SET username = 'citizen' WHERE username = 'renamed'");
    const r = (await loginAs(s, 'citizen', 'renamed-password-1')).res;
    assert.equal(r.status, 401);
    assert.ok(![].concat(r.headers['set-cookie'] || []).some((c) => /^vejled_ansat=[^;]/.test(c)), 'no session');
  });

  it('sessions end after the idle timeout and after the absolute timeout', async () => {
    const b = await staff(s, 'cw1');
    const hash = sha256(b.cookies.get('vejled_ansat'));
    assert.equal((await b.get('/medarbejder/borgere')).status, 200);
    sqlite(s.db, `UPDATE staff_sessions SET last_seen_at = last_seen_at - 31 * 60 WHERE id_hash = '${hash}'`);
    assert.equal((await b.get('/medarbejder/borgere')).status, 303, 'idle for 31 minutes: gone');
    const b2 = await staff(s, 'cw1');
    const hash2 = sha256(b2.cookies.get('vejled_ansat'));
    sqlite(s.db, `UPDATE staff_sessions SET expires_at = created_at WHERE id_hash = '${hash2}'`);
    assert.equal((await b2.get('/medarbejder/borgere')).status, 303, 'past the absolute end: gone');
    // the next login clears ended sessions away
    await staff(s, 'cw1');
    assert.equal(count(s.db, `SELECT count(*) FROM staff_sessions WHERE id_hash IN ('${hash}', '${hash2}')`), 0);
  });

  it('without a session: GET redirects to the login page, POST is 403', async () => {
    const anon = new Browser(s);
    for (const p of ['/medarbejder', '/medarbejder/borgere', '/medarbejder/traening', '/admin', '/admin/brugere']) {
      const r = await anon.get(p);
      assert.equal(r.status, 303, p);
      assert.equal(r.headers.location, '/medarbejder/login');
    }
    assert.equal((await anon.post('/medarbejder/borgere', { csrf: 'x', navn: 'a' })).status, 403);
    anon.cookies.set('vejled_ansat', 'AAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal((await anon.get('/medarbejder/borgere')).status, 303);
  });

  it('logout ends the session in the database and clears the cookie', async () => {
    const b = await staff(s, 'cw1');
    const id = b.cookies.get('vejled_ansat');
    const page = await b.get('/medarbejder/borgere');
    const r = await b.post('/medarbejder/logout', { csrf: formCsrf(page.text, '/medarbejder/logout') });
    assert.equal(r.status, 303);
    assert.match([].concat(r.headers['set-cookie']).join('\n'), /vejled_ansat=; Path=\/; Max-Age=0/);
    assert.equal(count(s.db, `SELECT count(*) FROM staff_sessions WHERE id_hash = '${sha256(id)}'`), 0);
    const replay = new Browser(s);
    replay.cookies.set('vejled_ansat', id);
    assert.equal((await replay.get('/medarbejder/borgere')).status, 303);
  });

  it('no password, session id or form token appears in the log', async () => {
    const b = await staff(s, 'cw1');
    const id = b.cookies.get('vejled_ansat');
    const page = await b.get('/medarbejder/borgere');
    const csrf = formCsrf(page.text, '/medarbejder/borgere');
    assert.ok(!s.stderr.includes(DEMO_PASSWORD));
    assert.ok(!s.stderr.includes(id));
    assert.ok(!s.stderr.includes(csrf));
    assert.ok(!s.stderr.includes('locky-password-1'));
  });
});

describe('address throttling of failed logins', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 3 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('more failed logins than allowed from one address: 429 with a clear message', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await loginAs(s, `user${i}`, 'wrong-password')).res.status, 401);
    const r = await loginAs(s, 'cw1');
    assert.equal(r.res.status, 429);
    // the window slides: the address may try again when its failures are 60 s old (counted
    // in 5-second steps, so up to 65 s)
    const wait = Number(r.res.headers['retry-after']);
    assert.ok(wait >= 55 && wait <= 65, `Retry-After ${wait}`);
    assert.match(decodeEntities(r.res.text), /for mange mislykkede login-forsøg/);
    assert.equal(r.browser.cookies.get('vejled_ansat'), undefined);
  });
});

describe('the configured lockout and password length are the numbers in force', () => {
  let s;
  before(async () => {
    s = await startServer({
      config: ini({ staff: { login_attempts_per_minute: 1000, login_max_failures: 2, login_lockout_minutes: 7, password_min_length: 14 } }),
    });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('an account locks for login_lockout_minutes, doubling with each further failure', async () => {
    assert.equal(addUser(s, 'locky7', 'caseworker', 'team-nord', 'locky-password-long-1').status, 0);
    const lockedUntil = () => count(s.db, "SELECT locked_until FROM users WHERE username = 'locky7'");
    // a failure at some moment within [from, to] (the request's own time, however slow the
    // machine) locks until that moment plus `seconds`, to the second
    const assertLockedFor = (seconds, from, to, what) => {
      const until = lockedUntil();
      assert.ok(until >= Math.floor(from / 1000) + seconds - 1 && until <= Math.ceil(to / 1000) + seconds + 1,
        `${what}: locked until ${until}, the failure came between ${from / 1000} and ${to / 1000}`);
    };
    assert.equal((await loginAs(s, 'locky7', 'wrong-password')).res.status, 401);
    assert.ok(lockedUntil() < Date.now() / 1000, 'one failure does not lock');
    let from = Date.now();
    const r = await loginAs(s, 'locky7', 'wrong-password');
    assertLockedFor(7 * 60, from, Date.now(), 'locked for 7 minutes');
    assert.equal(r.res.status, 401, 'the lock is not announced: no one learns which accounts exist');
    assert.ok(!decodeEntities(r.res.text).includes('{{'), 'no placeholder left');
    from = Date.now();
    assert.equal((await loginAs(s, 'locky7', 'wrong-password')).res.status, 401);
    assertLockedFor(14 * 60, from, Date.now(), 'a further failure doubles the lock');
  });

  it('the password hint and the "too short" error name password_min_length', async () => {
    const admin = await staff(s, 'admin');
    const page = await admin.get('/admin/brugere');
    assert.match(decodeEntities(page.text), /Mindst 14 tegn/);
    assert.ok(!decodeEntities(page.text).includes('{{'));
    const before = tableCounts(s.db);
    const r = await admin.post('/admin/brugere', { csrf: formCsrf(page.text, '/admin/brugere'), username: 'short14', role: 'caseworker', password: 'twelve-chars' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['password']);
    assert.match(decodeEntities(r.text), /Adgangskoden skal være mindst 14 tegn/);
    assert.deepEqual(tableCounts(s.db), before);
    const id = count(s.db, "SELECT id FROM users WHERE username = 'admin'");
    const user = await admin.get(`/admin/brugere/${id}`);
    assert.match(decodeEntities(user.text), /Mindst 14 tegn/);
  });
});

describe('caseworker pages, roles and unit scope', () => {
  let s;
  let cw1;
  let cw2;
  let A; // answered, cw1's unit
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 1000 } }) });
    cw1 = await staff(s, 'cw1');
    cw2 = await staff(s, 'cw2');
    A = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-01-15T09:00:00Z' }, 'Søren <b>Fed</b> & Co');
    await citizenAnswers(s, A);
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('a caseworker cannot reach an administrator route: 403 on GET and POST, nothing changes', async () => {
    const before = tableCounts(s.db);
    for (const p of ['/admin', '/admin/brugere', '/admin/noegler', '/admin/grupper', '/admin/pakker',
      '/admin/pakke/1', '/admin/pakke/1/vis', `/admin/adgangslog/${A.citizen_id}`]) {
      assert.equal((await cw1.get(p)).status, 403, p);
    }
    const page = await cw1.get('/medarbejder/borgere');
    const csrf = formCsrf(page.text, '/medarbejder/borgere');
    for (const [p, f] of [['/admin/brugere', { username: 'evil', role: 'admin', password: 'x'.repeat(12) }],
      ['/admin/noegler', { name: 'evil' }], ['/admin/grupper/dagpenge', { resend_months: '2' }],
      ['/admin/pakker/dagpenge/kladde', {}], ['/admin/pakke/1/udgiv', {}]]) {
      const r = await cw1.post(p, { csrf, ...f });
      assert.equal(r.status, 403, p);
    }
    const after = tableCounts(s.db);
    delete before.access_log; delete after.access_log;
    assert.deepEqual(after, before);
  });

  it('"my citizens": by next meeting, with status, score and a focus marker', async () => {
    const r = await cw1.get('/medarbejder/borgere');
    assert.equal(r.status, 200);
    const links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.ok(links.includes(`/medarbejder/borger/${A.citizen_id}`));
    assert.equal(links.length, 4, 'the three demo citizens and A');
    // the demo citizens meet within days, A in 2031: A is last
    assert.equal(links[links.length - 1], `/medarbejder/borger/${A.citizen_id}`);
    const row = r.text.slice(r.text.indexOf(`/medarbejder/borger/${A.citizen_id}`)).split('</tr>')[0];
    assert.match(row, /I gang/);
    assert.match(row, /Fokusemner/);
    assert.match(row, /\d+ af \d+ svar rigtige/);
    assert.doesNotMatch(row, /besvaret af/);
    assert.ok(r.text.includes('Søren &lt;b&gt;Fed&lt;/b&gt; &amp; Co'), 'the name is escaped');
    assert.ok(!r.text.includes('<b>Fed</b>'));
  });

  it('filters: status, group, meeting dates; an invalid date gives an error summary', async () => {
    let r = await cw1.get('/medarbejder/borgere?status=in_progress');
    let links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.deepEqual(links, [`/medarbejder/borger/${A.citizen_id}`]);
    r = await cw1.get('/medarbejder/borgere?gruppe=uddannelseshjaelp');
    links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.equal(links.length, 1);
    r = await cw1.get('/medarbejder/borgere?fra=2031-01-15&til=2031-01-15');
    links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.deepEqual(links, [`/medarbejder/borger/${A.citizen_id}`]);
    for (const bad of ['2031-02-30', '15-01-2031', 'x'.repeat(300), '<script>']) {
      r = await cw1.get(`/medarbejder/borgere?fra=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 422, bad);
      assertSummaryOnTop(r.text, ['fra']);
      assert.ok(!r.text.includes('<script>'));
    }
  });

  it('search by name and by CPR goes by POST; the CPR never appears in a URL or the page', async () => {
    const page = await cw1.get('/medarbejder/borgere');
    const csrf = formCsrf(page.text, '/medarbejder/borgere');
    let r = await cw1.post('/medarbejder/borgere', { csrf, navn: 'søren <b>' });
    assert.equal(r.status, 200);
    let links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.deepEqual(links, [`/medarbejder/borger/${A.citizen_id}`]);
    const logged = tableCounts(s.db).access_log;
    r = await cw1.post('/medarbejder/borgere', { csrf, navn: '', cpr: A.cpr });
    links = parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
    assert.deepEqual(links, [`/medarbejder/borger/${A.citizen_id}`]);
    assert.ok(!r.text.includes(A.cpr));
    // looking a person up by CPR number is a read of their data: logged
    assert.equal(tableCounts(s.db).access_log, logged + 1);
    assert.equal(sqlite(s.db, `SELECT a.username || ' ' || a.page FROM access_log a JOIN citizens c ON c.id = a.citizen_id
      WHERE c.uuid = '${A.citizen_id}' ORDER BY a.id DESC LIMIT 1`).trim(), 'cw1 search');
    r = await cw1.post('/medarbejder/borgere', { csrf, navn: '', cpr: '3213991234' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['cpr']);
    r = await cw1.post('/medarbejder/borgere', { csrf, navn: '' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['navn']);
    r = await cw1.post('/medarbejder/borgere', { csrf, navn: 'x'.repeat(201) });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['navn']);
    for (const resp of s.responses) assert.ok(!resp.path.includes(A.cpr));
    assert.ok(!s.stderr.includes(A.cpr));
  });

  it('another unit\'s citizen is 404, not in the list, and leaves no access-log row', async () => {
    const before = tableCounts(s.db).access_log;
    const r = await cw2.get(`/medarbejder/borger/${A.citizen_id}`);
    assert.equal(r.status, 404);
    const unknown = await cw2.get('/medarbejder/borger/00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(decodeEntities(r.text).replace(/name="csrf" value="[^"]*"/g, ''),
      decodeEntities(unknown.text).replace(/name="csrf" value="[^"]*"/g, ''), 'no hint that the citizen exists');
    assert.equal((await cw2.get(`/medarbejder/borger/${A.citizen_id}/moede`)).status, 404);
    assert.equal((await cw2.get(`/medarbejder/borger/${A.citizen_id}/dokumentation.pdf`)).status, 404);
    const list = await cw2.get('/medarbejder/borgere');
    assert.equal(parseLinks(list.text).filter((l) => l.startsWith('/medarbejder/borger/')).length, 0);
    const page = await cw2.get('/medarbejder/borgere');
    const byCpr = await cw2.post('/medarbejder/borgere', { csrf: formCsrf(page.text, '/medarbejder/borgere'), cpr: A.cpr });
    assert.equal(parseLinks(byCpr.text).filter((l) => l.startsWith('/medarbejder/borger/')).length, 0);
    assert.equal(tableCounts(s.db).access_log, before);
  });

  it('the evidence document: a PDF with the citizen\'s trail, linked from the citizen page, logged as a read', async () => {
    const page = await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    const href = `/medarbejder/borger/${A.citizen_id}/dokumentation.pdf`;
    assert.ok(parseLinks(page.text).includes(href), 'the citizen page links to it');
    const before = tableCounts(s.db).access_log;
    const r = await cw1.get(href);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/pdf');
    assert.match(r.headers['content-disposition'], /^attachment; filename="dokumentation-[0-9a-f-]{36}\.pdf"$/);
    assert.match(r.headers['cache-control'] || '', /no-store/);
    assert.equal(r.buf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(tableCounts(s.db).access_log, before + 1);
    const file = path.join(s.dir, 'evidence.pdf');
    fs.writeFileSync(file, r.buf);
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).stdout;
    assert.match(text, /Dokumentation for vejledning/);
    assert.ok(!text.includes(A.cpr), 'no CPR in the evidence document');
  });

  it('the citizen page: focus and asked topics on top, every answer right/wrong, the journal in Copenhagen time', async () => {
    const api = (await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`)).json;
    const r = await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    assert.equal(r.status, 200);
    const text = decodeEntities(r.text);
    const focusAt = text.indexOf('Fokusemner (misforstået)');
    const answersAt = text.indexOf('Svar (første forsøg)');
    assert.ok(focusAt > 0 && focusAt < answersAt, 'focus topics come before the answers');
    assert.ok(api.focus_topics.length > 0, 'the first options include a wrong answer');
    for (const t of api.focus_topics) assert.ok(text.slice(focusAt, answersAt).includes(t), t);
    for (const t of api.asked_topics) assert.ok(text.slice(focusAt, answersAt).includes(t), t);
    const answered = api.videos[0].questions;
    const rights = (text.match(/vejled-right">Rigtigt/g) || []).length;
    const wrongs = (text.match(/vejled-wrong">Forkert/g) || []).length;
    assert.equal(rights, answered.filter((q) => q.correct).length);
    assert.equal(wrongs, answered.filter((q) => q.correct === false).length);
    assert.match(text, /Svar afgivet/);
    assert.match(text, /Link åbnet/);
    assert.match(text, /\d+\. [a-zæøå]+ 20\d\d kl\. \d\d\.\d\d/, 'times for people, Copenhagen');
    // the scheduled letters (jobs) of the enrolment
    assert.match(text, /Skriftlig vejledning: (planlagt til|lagt i udbakken til Digital Post den) \d+\. /);
    assert.match(text, /Påmindelse før mødet: planlagt til \d+\. /);
    assert.match(text, /Genudsendelse af skriftlig vejledning: planlagt til \d+\. [a-zæøå]+ 2031/);
    assert.ok(!text.includes(A.cpr));
    assert.ok(r.text.includes('Søren &lt;b&gt;Fed&lt;/b&gt; &amp; Co'));
  });

  it('every read of a citizen page writes exactly one access-log row, shown on the page', async () => {
    const n0 = Number(sqlite(s.db, 'SELECT count(*) FROM access_log').trim());
    await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    const n1 = Number(sqlite(s.db, 'SELECT count(*) FROM access_log').trim());
    assert.equal(n1, n0 + 2);
    const last = sqlite(s.db, 'SELECT username, page, citizen_id FROM access_log ORDER BY id DESC LIMIT 1').trim();
    assert.match(last, /^cw1\|citizen\|\d+$/);
    const r = await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    const access = r.text.slice(r.text.indexOf('vejled-access'));
    assert.match(access, /Demo Sagsbehandler Nord \(cw1\)/);
    assert.equal(Number(sqlite(s.db, 'SELECT count(*) FROM access_log').trim()), n1 + 1);
    // append-only
    assert.throws(() => sqlite(s.db, 'DELETE FROM access_log'), /append-only/);
    assert.throws(() => sqlite(s.db, "UPDATE access_log SET username = 'x'"), /append-only/);
  });

  it('the list and a search by name show names, status and score: a row for each citizen shown, the first time each day', async () => {
    const rows = (page) => sqlite(s.db, `SELECT a.username || ' ' || a.page || ' ' || c.uuid FROM access_log a
      JOIN citizens c ON c.id = a.citizen_id WHERE a.id > ${page} ORDER BY a.id`).trim().split('\n').filter(Boolean);
    const shown = (html) => parseLinks(html).filter((l) => l.startsWith('/medarbejder/borger/'))
      .map((l) => l.split('/').pop());
    const last = () => Number(sqlite(s.db, 'SELECT coalesce(max(id), 0) FROM access_log').trim());
    // a citizen new today, on the list for the first time
    const N = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-02-01T09:00:00Z' }, 'Ny Borger');
    const today = (id) => count(s.db, `SELECT count(*) FROM access_log a JOIN citizens c ON c.id = a.citizen_id
      WHERE c.uuid = '${id}' AND a.username = 'cw1' AND a.page = 'list'`);
    const known = today(A.citizen_id); // A may have been listed by an earlier test today
    let mark = last();
    const list = await cw1.get('/medarbejder/borgere');
    const ids = shown(list.text);
    assert.equal(ids.length, 5);
    assert.ok(rows(mark).includes(`cw1 list ${N.citizen_id}`), 'the new citizen, once');
    assert.deepEqual(rows(mark).filter((r) => !r.startsWith('cw1 list ')), []);
    for (const id of ids) assert.equal(today(id), 1, `one row today for ${id}`);
    assert.equal(today(A.citizen_id), Math.max(known, 1));
    // opened again, or filtered, the same day: nothing more (and nothing written)
    mark = last();
    await cw1.get('/medarbejder/borgere');
    await cw1.get('/medarbejder/borgere?status=in_progress');
    assert.deepEqual(rows(mark), []);
    // another caseworker of the unit shown the same list: their own rows
    mark = last();
    assert.equal(addUser(s, 'cw1b', 'caseworker', 'team-nord', 'colleague-password-1').status, 0);
    const colleague = await staff(s, 'cw1b', 'colleague-password-1');
    const theirs = shown((await colleague.get('/medarbejder/borgere')).text);
    assert.deepEqual(rows(mark).sort(), theirs.map((id) => `cw1b list ${id}`).sort());
    assert.ok(theirs.length > 0);
    // a search by name is its own page: its rows once a day too (the search test above,
    // when it ran, found A by name already today)
    const searched = new Set(rows(0).filter((r) => r.startsWith('cw1 name_search ')).map((r) => r.split(' ')[2]));
    mark = last();
    const csrf = formCsrf(list.text, '/medarbejder/borgere');
    const found = await cw1.post('/medarbejder/borgere', { csrf, navn: 'søren' });
    assert.ok(shown(found.text).includes(A.citizen_id));
    const fresh = shown(found.text).filter((id) => !searched.has(id));
    assert.ok(fresh.length > 0, 'a demo citizen of that name, not searched for before');
    assert.equal(count(s.db, `SELECT count(*) FROM access_log a JOIN citizens c ON c.id = a.citizen_id
      WHERE c.uuid = '${A.citizen_id}' AND a.username = 'cw1' AND a.page = 'name_search'`), 1, 'A once, whichever search found A first');
    assert.deepEqual(rows(mark).sort(), fresh.map((id) => `cw1 name_search ${id}`).sort());
    mark = last();
    await cw1.post('/medarbejder/borgere', { csrf, navn: 'søren' });
    // a search that finds nobody, and a refused one, log nothing
    await cw1.post('/medarbejder/borgere', { csrf, navn: 'ingen-hedder-sådan' });
    assert.equal((await cw1.post('/medarbejder/borgere', { csrf, navn: '' })).status, 422);
    assert.deepEqual(rows(mark), []);
    // the citizen page counts these in one line and lists its own reads one by one
    const page = decodeEntities((await cw1.get(`/medarbejder/borger/${A.citizen_id}`)).text);
    const times = count(s.db, `SELECT count(*) FROM access_log a JOIN citizens c ON c.id = a.citizen_id
      WHERE c.uuid = '${A.citizen_id}' AND a.page IN ('list', 'name_search')`);
    assert.ok(times >= 2);
    assert.match(page, new RegExp(`Borgeren er også vist på borgerlisten eller i en søgning på navn\\. Det logges første gang om dagen for hver medarbejder: ${times} gange, senest \\d+\\. [a-zæøå]+ 20\\d\\d kl\\. \\d\\d\\.\\d\\d\\.`));
    const table = page.slice(page.indexOf('vejled-access'), page.indexOf('</table>', page.indexOf('vejled-access')));
    assert.doesNotMatch(table, /Borgerlisten|Søgning på navn/);
    assert.match(table, /Borgerens side/);
    // the administrator's access log of the citizen has every row, each named
    const admin = await staff(s, 'admin');
    const all = decodeEntities((await admin.get(`/admin/adgangslog/${A.citizen_id}`)).text);
    assert.match(all, /<td data-label="Side">Borgerlisten \(første gang den dag\)<\/td>/);
    assert.match(all, /<td data-label="Side">Søgning på navn \(første gang den dag\)<\/td>/);
    assert.doesNotMatch(all, /<td data-label="Side"><\/td>/, 'every kind of read has a name');
  });

  it('training mode shows every group\'s videos and questions with the right answers and records nothing', async () => {
    const before = tableCounts(s.db);
    const r = await cw1.get('/medarbejder/traening');
    assert.equal(r.status, 200);
    const groups = parseLinks(r.text).filter((l) => /^\/medarbejder\/traening\/[a-z-]+$/.test(l));
    assert.equal(groups.length, 9, 'every group, enabled or not');
    for (const g of groups) {
      const p = await cw1.get(g);
      assert.equal(p.status, 200, g);
      const videos = parseLinks(p.text).filter((l) => l.startsWith(`${g}/`));
      assert.ok(videos.length >= 2, g);
      const v = await cw1.get(videos[0]);
      assert.equal(v.status, 200);
      assert.match(v.text, /rigtigt svar/);
    }
    const cap = await cw1.get('/medarbejder/traening/dagpenge/1/tekst/da');
    assert.equal(cap.status, 200);
    assert.match(cap.text, /^WEBVTT/);
    assert.equal((await cw1.get('/medarbejder/traening/dagpenge/99')).status, 404);
    assert.equal((await cw1.get('/medarbejder/traening/nope')).status, 404);
    assert.deepEqual(tableCounts(s.db), before, 'nothing recorded');
  });

  it('the meeting form: bad input gives an error summary and stores nothing', async () => {
    const page = await cw1.get(`/medarbejder/borger/${A.citizen_id}/moede`);
    assert.equal(page.status, 200);
    const { csrf, forloeb } = hiddenFields(page.text, `/medarbejder/borger/${A.citizen_id}/moede`);
    assert.equal(forloeb, A.enrolment_id, 'the form names the enrolment it writes to');
    const before = tableCounts(s.db);
    for (const [fields, bad] of [
      [{ dato: '', tid: '' }, ['dato', 'tid']],
      [{ dato: '2031-02-30', tid: '09:00' }, ['dato']],
      [{ dato: '2031-01-15', tid: '25:61' }, ['tid']],
      [{ dato: '2031-01-15', tid: '09:00', note: 'n'.repeat(4001) }, ['note']],
    ]) {
      const r = await cw1.post(`/medarbejder/borger/${A.citizen_id}/moede`, { csrf, forloeb, mundtlig: 'ja', ...fields });
      assert.equal(r.status, 422, JSON.stringify(fields));
      assertSummaryOnTop(r.text, bad);
    }
    const html = await cw1.post(`/medarbejder/borger/${A.citizen_id}/moede`,
      { csrf, forloeb, dato: 'x<script>', tid: '09:00', note: '<img src=x onerror=alert(1)>' });
    assert.equal(html.status, 422);
    assert.ok(html.text.includes('&lt;img src=x onerror=alert(1)&gt;'), 'HTML is shown escaped');
    assert.ok(!html.text.includes('<img src=x'));
    const after = tableCounts(s.db);
    delete before.access_log; delete after.access_log;
    assert.deepEqual(after, before);
  });

  it('the meeting form records the meeting in the journal and in GET /api/v1/enrolments/{id}', async () => {
    const page = await cw1.get(`/medarbejder/borger/${A.citizen_id}/moede`);
    const { csrf, forloeb } = hiddenFields(page.text, `/medarbejder/borger/${A.citizen_id}/moede`);
    const before = tableCounts(s.db);
    const future = await cw1.post(`/medarbejder/borger/${A.citizen_id}/moede`,
      { csrf, forloeb, dato: '2099-01-15', tid: '10:30', mundtlig: 'ja' });
    assert.equal(future.status, 422, 'a meeting in the future cannot have been held');
    assertSummaryOnTop(future.text, ['dato']);
    const after = tableCounts(s.db);
    delete before.access_log; delete after.access_log;
    assert.deepEqual(after, before);
    const r = await cw1.post(`/medarbejder/borger/${A.citizen_id}/moede`,
      { csrf, forloeb, ...meetingNow(), mundtlig: 'ja', note: 'Talte om rådighed' });
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(r.headers.location, `/medarbejder/borger/${A.citizen_id}?gemt=moede&forloeb=${A.enrolment_id}`);
    const j = (await s.api('GET', `/api/v1/citizens/${A.citizen_id}/journal`)).json.entries;
    const m = j.find((e) => e.kind === 'meeting_recorded');
    assert.ok(m, 'journalised');
    assert.equal(m.actor, 'cw1');
    assert.equal(m.enrolment_id, A.enrolment_id);
    const e = (await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`)).json;
    assert.equal(e.oral_guidance_recorded, true);
    const p = await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    assert.match(decodeEntities(p.text), /Møde registreret/);
    assert.match(decodeEntities(p.text), /Mundtlig vejledning<\/dt><dd>Givet/);
  });
});

describe('unit scope can be widened by configuration', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { see_all_units: 1 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('with see_all_units = 1 a caseworker of another unit sees every citizen', async () => {
    const A = await enrolCitizen(s, { caseworker: 'cw1' });
    const cw2 = await staff(s, 'cw2');
    assert.equal((await cw2.get(`/medarbejder/borger/${A.citizen_id}`)).status, 200);
    const list = await cw2.get('/medarbejder/borgere');
    assert.ok(parseLinks(list.text).includes(`/medarbejder/borger/${A.citizen_id}`));
  });
});

describe('the caseworker\'s list when it is longer than the page', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { caseload_limit: 10 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('meetings to come first, held ones by the time held, and a note that the list is cut', async () => {
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // ten meetings a week ago, each recorded as held; one in two days, not yet opened
    for (let i = 0; i < 10; i++) {
      const e = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: iso(Date.now() - 7 * 86400e3 + i * 60e3) }, `Tidligere ${i}`);
      const m = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`,
        { body: { held_at: iso(Date.now() + 1000), oral_guidance: true } });
      assert.equal(m.status, 200, m.text);
    }
    await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: iso(Date.now() + 2 * 86400e3) }, 'Snart Mødested');
    const b = await staff(s, 'cw1');
    const page = decodeEntities((await b.get('/medarbejder/borgere')).text);
    const rows = page.split('<tr').slice(2); // the header row first
    assert.equal(rows.length, 10, 'the page shows caseload_limit rows');
    // only the rows shown are reads: ten of the eleven citizens
    assert.equal(count(s.db, "SELECT count(DISTINCT citizen_id) FROM access_log WHERE page = 'list'"), 10);
    assert.equal(count(s.db, "SELECT count(*) FROM access_log WHERE page = 'list'"), 10);
    assert.match(rows[0], /Snart Mødested/, 'the meeting to come is on top, not cut off');
    assert.match(page, /vejled-list-cut/, 'the page says the list is cut');
    assert.match(page, /Der er flere: brug filtrene/);
    // no meeting recorded as held comes before one still to come
    const firstHeld = rows.findIndex((r) => /Afholdt /.test(r));
    const lastToCome = rows.map((r) => !/Afholdt /.test(r)).lastIndexOf(true);
    assert.ok(firstHeld === -1 || firstHeld > lastToCome, 'the meetings to come first');
    // last week's meetings: each by the time it was held
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    const held = decodeEntities((await b.get(`/medarbejder/borgere?fra=${day(Date.now() - 9 * 86400e3)}&til=${day(Date.now() - 5 * 86400e3)}`)).text);
    const heldRows = held.split('<tr').slice(2);
    assert.equal(heldRows.length, 10, 'the ten meetings of last week');
    assert.ok(heldRows.every((r) => /<td data-label="Møde">Afholdt \d+\. \p{L}+ \d{4} kl\. [\d.]+<\/td>/u.test(r)), 'each by the time held');
    assert.doesNotMatch(held, /vejled-list-cut/, 'not cut');
  });
});

describe('single sign-on through a trusted proxy', () => {
  let s;
  let s2;
  before(async () => {
    s = await startServer({ config: ini({ server: { trusted_proxy: '127.0.0.1' }, staff: { sso_header: 'X-Remote-User' } }) });
    s2 = await startServer({ config: ini({ server: { trusted_proxy: '10.9.9.9' }, staff: { sso_header: 'X-Remote-User' } }) });
  });
  after(async () => {
    for (const x of [s, s2]) {
      if (x) {
        await x.stop();
        await x.cleanup();
      }
    }
  });

  it('the proxy\'s user header logs an existing user in; Secure when the proxy says https', async () => {
    const b = new Browser(s);
    const r = await b.get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'cw1', 'X-Forwarded-Proto': 'https' } });
    assert.equal(r.status, 200);
    const cookie = [].concat(r.headers['set-cookie']).find((c) => c.startsWith('vejled_ansat='));
    assert.match(cookie, /; HttpOnly; SameSite=Lax; Secure$/);
    const unknown = await new Browser(s).get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'nobody' } });
    assert.equal(unknown.status, 303);
  });

  it('a session cookie does not outlast the proxy naming another user (a shared computer)', async () => {
    const b = new Browser(s);
    const first = await b.get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'cw1' } });
    assert.equal(first.status, 200);
    assert.match(first.text, /Demo Sagsbehandler Nord/);
    const old = b.cookies.get('vejled_ansat');
    assert.ok(old);
    // the same browser, the next person signed in at the identity provider
    const next = await b.get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'admin' } });
    assert.equal(next.status, 200);
    assert.doesNotMatch(next.text, /Demo Sagsbehandler Nord/, 'not the previous user\'s pages');
    assert.notEqual(b.cookies.get('vejled_ansat'), old, 'a new session for the new user');
    assert.equal((await b.get('/admin', { headers: { 'X-Remote-User': 'admin' } })).status, 200, 'the admin is the admin');
    // the previous user's session is over, whoever sends its cookie
    const stale = new Browser(s);
    stale.cookies.set('vejled_ansat', old);
    assert.equal((await stale.get('/medarbejder/borgere')).status, 303, 'the old session ended');
    // the same user named again keeps the session
    const same = b.cookies.get('vejled_ansat');
    assert.equal((await b.get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'admin' } })).status, 200);
    assert.equal(b.cookies.get('vejled_ansat'), same, 'the same user keeps the session');
  });

  it('the header from any other address is ignored', async () => {
    const r = await new Browser(s2).get('/medarbejder/borgere', { headers: { 'X-Remote-User': 'admin', 'X-Forwarded-Proto': 'https' } });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/medarbejder/login');
    const { res } = await loginAs(s2, 'cw1', DEMO_PASSWORD, { headers: { 'X-Forwarded-Proto': 'https' } });
    const cookie = [].concat(res.headers['set-cookie']).find((c) => c.startsWith('vejled_ansat='));
    assert.ok(!/Secure/.test(cookie), 'X-Forwarded-Proto from an untrusted address does not count');
  });
});

describe('vejled user add', () => {
  let s;
  before(async () => {
    s = await startServer({ start: false, apikey: false });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('reads the password from stdin, stores only an argon2id hash; refuses bad input with exit 1 (taken, too short, no password) or 2 (a flag missing or with a value it may not have)', () => {
    const r = addUser(s, 'newcw', 'caseworker', 'team-x', 'secret-password-9');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok(!r.stderr.includes('secret-password-9'));
    const row = sqlite(s.db, "SELECT role, unit, password_hash FROM users WHERE username = 'newcw'").trim();
    assert.match(row, /^caseworker\|team-x\|\$argon2id\$/);
    assert.ok(!row.includes('secret-password-9'));
    assert.equal(addUser(s, 'newcw', 'caseworker', 'team-x').status, 1, 'taken');
    assert.equal(addUser(s, 'short', 'caseworker', '', 'short').status, 1, 'too short');
    assert.equal(addUser(s, 'Bad Name', 'caseworker', '').status, 2, 'a username that is not allowed: usage');
    assert.equal(addUser(s, 'x', 'boss', '').status, 2, 'a role that does not exist: usage');
    assert.equal(cli(['user', 'add', '--db', s.db, '--username', 'y']).status, 2, 'no role: usage');
    assert.equal(cli(['user', 'add', '--db', s.db, '--username', 'z', '--role', 'admin'], { input: '' }).status, 1, 'no password');
    assert.equal(cli(['user', '--help']).status, 0);
  });
});
