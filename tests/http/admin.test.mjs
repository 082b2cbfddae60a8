// The administrator's web: users, API keys, target groups, guidance packs as versions
// (draft, edit, upload, preview, publish) and the access log of a citizen.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, cli, decodeEntities, freshCpr, groupConcat, parseForms, parseLinks, sqlite, startServer, tableCounts } from './harness.mjs';
import {
  DEMO_PASSWORD, addUser, assertSummaryOnTop, ini, enrolCitizen, formCsrf, formFields, loginAs, multipart, setField,
  sha256, staff,
} from './staffkit.mjs';

const one = (db, sql) => sqlite(db, sql).trim();

function fakeMp4(size) {
  const b = Buffer.alloc(size, 7);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  return b;
}

describe('administrator pages', () => {
  let s;
  let admin;
  let mediaDir;
  before(async () => {
    // media in the server's own folder; a small upload limit so that "too large" is testable
    s = await startServer({
      config: ini({
        staff: { login_attempts_per_minute: 1000, max_upload: 65536 },
        content: { media_dir: '{dir}/media' },
      }),
    });
    mediaDir = `${s.dir}/media`;
    fs.mkdirSync(mediaDir, { recursive: true });
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('an administrator lands on /admin; every admin page answers 200', async () => {
    const { res } = await loginAs(s, 'admin');
    assert.equal(res.headers.location, '/admin');
    for (const p of ['/admin', '/admin/brugere', '/admin/noegler', '/admin/grupper', '/admin/pakker']) {
      const r = await admin.get(p);
      assert.equal(r.status, 200, p);
    }
  });

  it('the start page and the staff navigation link to the implementation dashboard (admins only)', async () => {
    const home = await admin.get('/admin');
    const main = home.text.slice(home.text.indexOf('<main'));
    assert.ok(parseLinks(main).some((l) => l === '/admin/statistik'), 'the start page links to /admin/statistik');
    const nav = /<nav class="vejled-staff-nav"[\s\S]*?<\/nav>/.exec(home.text)[0];
    assert.ok(nav.includes('href="/admin/statistik"'), 'so does the staff navigation');
    assert.equal((await admin.get('/admin/statistik')).status, 200);
    const cw = await staff(s, 'cw1');
    const cwPage = await cw.get('/medarbejder/borgere');
    assert.ok(!cwPage.text.includes('href="/admin/statistik"'), 'not offered to a caseworker');
    assert.equal((await cw.get('/admin/statistik')).status, 403);
  });

  it('users: create through the form, then log in as the new user', async () => {
    const page = await admin.get('/admin/brugere');
    const csrf = formCsrf(page.text, '/admin/brugere');
    const r = await admin.post('/admin/brugere', {
      csrf, username: 'cw9', display_name: 'Ny Sagsbehandler', role: 'caseworker', unit: 'team-nord', password: 'new-user-password-1',
    });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.match(one(s.db, "SELECT role || '|' || unit FROM users WHERE username = 'cw9'"), /^caseworker\|team-nord$/);
    await staff(s, 'cw9', 'new-user-password-1');
    const list = await admin.get('/admin/brugere');
    assert.ok(!list.text.includes('new-user-password-1'), 'passwords are never shown');
  });

  it('users: bad input gives an error summary and stores nothing', async () => {
    const cprName = freshCpr();
    const page = await admin.get('/admin/brugere');
    const csrf = formCsrf(page.text, '/admin/brugere');
    const before = tableCounts(s.db);
    const cases = [
      [{ username: '', role: 'caseworker', password: '' }, ['username', 'password']],
      [{ username: 'Has Space', role: 'caseworker', password: 'long-enough-pw' }, ['username']],
      [{ username: 'u'.repeat(65), role: 'caseworker', password: 'long-enough-pw' }, ['username']],
      [{ username: 'okname', role: 'boss', password: 'long-enough-pw' }, ['role']],
      [{ username: 'okname', role: 'caseworker', unit: 'Not A Unit!', password: 'long-enough-pw' }, ['unit']],
      [{ username: 'okname', role: 'caseworker', display_name: 'd'.repeat(201), password: 'long-enough-pw' }, ['display_name']],
      [{ username: 'okname', role: 'caseworker', password: 'short' }, ['password']],
      [{ username: 'okname', role: 'caseworker', password: 'p'.repeat(129) }, ['password']],
      [{ username: 'cw1', role: 'caseworker', password: 'long-enough-pw' }, ['username']],
      // the journal's names for the citizen and the case system
      [{ username: 'citizen', role: 'caseworker', password: 'long-enough-pw' }, ['username']],
      [{ username: 'api', role: 'admin', password: 'long-enough-pw' }, ['username']],
      // a CPR number as a name would stay in the journal and the access log
      [{ username: cprName, role: 'caseworker', password: 'long-enough-pw' }, ['username']],
      [{ username: 'okname', role: 'caseworker', unit: `team-${cprName}`, password: 'long-enough-pw' }, ['unit']],
    ];
    for (const [fields, bad] of cases) {
      const r = await admin.post('/admin/brugere', { csrf, ...fields });
      assert.equal(r.status, 422, JSON.stringify(fields));
      assertSummaryOnTop(r.text, bad);
      if ([cprName, `team-${cprName}`].includes(fields.username) || fields.unit === `team-${cprName}`) {
        assert.ok(r.text.includes('Navnet må ikke indeholde et CPR-nummer'), r.text);
        assert.ok(!r.text.includes(cprName), 'the CPR number is not echoed back');
      }
      if (['citizen', 'api'].includes(fields.username))
        assert.ok(r.text.includes('Navnet er forbeholdt: journalen bruger api, citizen, scheduler, retention, system og demo'), r.text);
      assert.ok(!fields.password || fields.password.length < 5 || !r.text.includes(fields.password), 'the password is not echoed');
    }
    const html = await admin.post('/admin/brugere', { csrf, username: '<b>x</b>', display_name: '<script>alert(1)</script>', role: 'caseworker', password: 'x' });
    assert.equal(html.status, 422);
    assert.ok(html.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.text.includes('<script>alert'));
    assert.deepEqual(tableCounts(s.db), before);
  });

  it('staff forms count the limits they name in characters: display name, password, API key name, the caseworkers\' name search', async () => {
    const wide = (n) => '\u{1F600}'.repeat(n); // four bytes a character
    const long = `cw7${'x'.repeat(61)}`; // a username of the most, 64
    const page = await admin.get('/admin/brugere');
    const csrf = formCsrf(page.text, '/admin/brugere');
    const before = tableCounts(s.db);
    delete before.access_log;
    const counts = () => {
      const c = tableCounts(s.db);
      delete c.access_log;
      return c;
    };
    for (const [fields, field, message] of [
      [{ display_name: 'ø'.repeat(201) }, 'display_name', /^Navnet må højst være 200 tegn uden kontroltegn$/],
      [{ password: 'æ'.repeat(129) }, 'password', /^Adgangskoden er for lang \(højst 128 tegn\)$/],
    ]) {
      const r = await admin.post('/admin/brugere', { csrf, username: long, role: 'caseworker', unit: 'team-nord', password: 'æ'.repeat(128), ...fields });
      assert.equal(r.status, 422, field);
      assert.match(assertSummaryOnTop(r.text, [field]).find((e) => e.field === field).text, message);
      assert.deepEqual(counts(), before);
    }
    // at the limits, in characters of four bytes: more than the 4 KB the form once had
    const fields = { csrf, username: long, display_name: wide(200), role: 'caseworker', unit: 'team-nord', password: wide(128) };
    assert.ok(new URLSearchParams(fields).toString().length > 4096);
    let r = await admin.post('/admin/brugere', fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(one(s.db, `SELECT display_name FROM users WHERE username = '${long}'`), wide(200));
    await staff(s, long, wide(128));
    const id = one(s.db, `SELECT id FROM users WHERE username = '${long}'`);
    const edit = formCsrf((await admin.get(`/admin/brugere/${id}`)).text, `/admin/brugere/${id}`);
    r = await admin.post(`/admin/brugere/${id}`, { csrf: edit, action: 'save', display_name: 'æ'.repeat(200), role: 'caseworker', unit: 'team-nord' });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(one(s.db, `SELECT display_name FROM users WHERE id = ${id}`), 'æ'.repeat(200));
    assert.ok(decodeEntities((await admin.get(`/admin/brugere/${id}`)).text).includes('æ'.repeat(200)), 'shown whole');

    // an API key's name: 100 characters (more than the 1 KB the form once had), not 101
    const keys = formCsrf((await admin.get('/admin/noegler')).text, '/admin/noegler');
    const k0 = counts().api_keys;
    r = await admin.post('/admin/noegler', { csrf: keys, name: wide(101) });
    assert.equal(r.status, 422);
    assert.match(assertSummaryOnTop(r.text, ['name'])[0].text, /^Navnet er for langt \(højst 100 tegn\)$/);
    assert.equal(counts().api_keys, k0);
    r = await admin.post('/admin/noegler', { csrf: keys, name: wide(100) });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.ok(decodeEntities((await admin.get('/admin/noegler')).text).includes(wide(100)), 'listed whole');

    // the command line by the same rules
    let c = addUser(s, 'cw6', 'caseworker', 'team-nord', 'æ'.repeat(129));
    assert.equal(c.status, 1);
    assert.match(c.stderr, /the password must be at most 128 characters/);
    assert.equal(addUser(s, 'cw6', 'caseworker', 'team-nord', 'æ'.repeat(128)).status, 0);
    await staff(s, 'cw6', 'æ'.repeat(128));
    c = cli(['apikey', 'add', '--db', s.db, '--name', 'æ'.repeat(101)]);
    assert.equal(c.status, 2);
    assert.equal(cli(['apikey', 'add', '--db', s.db, '--name', 'æ'.repeat(100)]).status, 0);

    // the caseworkers' search by name
    const cw = await staff(s, 'cw1');
    const search = formCsrf((await cw.get('/medarbejder/borgere')).text, '/medarbejder/borgere');
    assert.equal((await cw.post('/medarbejder/borgere', { csrf: search, navn: 'æ'.repeat(200) })).status, 200);
    r = await cw.post('/medarbejder/borgere', { csrf: search, navn: 'æ'.repeat(201) });
    assert.equal(r.status, 422);
    assert.match(assertSummaryOnTop(r.text, ['navn'])[0].text, /^Navnet er for langt \(højst 200 tegn\)$/);
  });

  it('users: disable ends sessions, reset password, change role; an admin cannot demote themselves', async () => {
    const cw9 = await staff(s, 'cw9', 'new-user-password-1');
    const id = one(s.db, "SELECT id FROM users WHERE username = 'cw9'");
    let page = await admin.get(`/admin/brugere/${id}`);
    assert.equal(page.status, 200);
    const csrf = formCsrf(page.text, `/admin/brugere/${id}`);
    let r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'save', display_name: 'Ny', role: 'caseworker', unit: 'team-syd', disabled: 'ja' });
    assert.equal(r.status, 303);
    assert.equal((await cw9.get('/medarbejder/borgere')).status, 303, 'the session ended');
    assert.equal((await loginAs(s, 'cw9', 'new-user-password-1')).res.status, 401);
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'save', display_name: 'Ny', role: 'admin', unit: 'team-syd' });
    assert.equal(r.status, 303);
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'password', password: 'short' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['password']);
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'password', password: 'another-password-2' });
    assert.equal(r.status, 303);
    assert.equal((await loginAs(s, 'cw9', 'new-user-password-1')).res.status, 401);
    const { res } = await loginAs(s, 'cw9', 'another-password-2');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/admin', 'now an administrator');
    const self = one(s.db, "SELECT id FROM users WHERE username = 'admin'");
    page = await admin.get(`/admin/brugere/${self}`);
    r = await admin.post(`/admin/brugere/${self}`, { csrf: formCsrf(page.text, `/admin/brugere/${self}`), action: 'save', role: 'caseworker', unit: '' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['role']);
    assert.equal(one(s.db, "SELECT role FROM users WHERE username = 'admin'"), 'admin');
    assert.equal((await admin.get('/admin/brugere/99999')).status, 404);
  });

  it('API keys: created and shown once, work on the API, can be revoked', async () => {
    let page = await admin.get('/admin/noegler');
    const csrf = formCsrf(page.text, '/admin/noegler');
    const r = await admin.post('/admin/noegler', { csrf, name: 'Sagssystem test' });
    assert.equal(r.status, 201);
    const key = /<code class="vejled-key">([^<]+)<\/code>/.exec(r.text)[1];
    assert.match(key, /^vk_[A-Za-z0-9_-]{24}$/);
    assert.equal(one(s.db, `SELECT count(*) FROM api_keys WHERE key_hash = '${sha256(key)}'`), '1');
    assert.equal(one(s.db, `SELECT count(*) FROM api_keys WHERE key_hash = '${key}'`), '0');
    assert.equal((await s.api('GET', '/api/v1/enrolments/x', { key })).status, 404, 'the key works');
    page = await admin.get('/admin/noegler');
    assert.ok(!page.text.includes(key), 'never shown again');
    const id = one(s.db, `SELECT id FROM api_keys WHERE key_hash = '${sha256(key)}'`);
    // "Spær" asks first, naming the key; the key still works until confirmed
    let rv = await admin.post(`/admin/noegler/${id}/spaer`, { csrf });
    assert.equal(rv.status, 200);
    assert.match(decodeEntities(rv.text), /<h1>Spær API-nøglen – er du sikker\?<\/h1>/);
    assert.match(decodeEntities(rv.text), /<strong>Sagssystem test<\/strong>/);
    const confirmForm = parseForms(rv.text).find((f) => f.action === `/admin/noegler/${id}/spaer`);
    assert.ok(confirmForm.inputs.some((i) => i.name === 'confirm' && i.value === 'ja'));
    assert.equal((await s.api('GET', '/api/v1/enrolments/x', { key })).status, 404, 'not revoked before the confirmation');
    rv = await admin.post(`/admin/noegler/${id}/spaer`, { csrf, confirm: 'ja' });
    assert.equal(rv.status, 303);
    assert.equal(rv.headers.location, `/admin/noegler?spaerret=${id}`);
    assert.equal((await s.api('GET', '/api/v1/enrolments/x', { key })).status, 401, 'revoked');
    // the list then says which key was revoked
    assert.match(decodeEntities((await admin.get(rv.headers.location)).text),
      /role="status" id="revoked"[\s\S]*API-nøglen <strong>Sagssystem test<\/strong> er spærret\./);
    assert.ok(!(await admin.get('/admin/noegler')).text.includes('id="revoked"'), 'no message without a revocation');
    assert.equal((await admin.post(`/admin/noegler/${id}/spaer`, { csrf, confirm: 'ja' })).status, 404, 'already revoked');
    assert.equal((await admin.post(`/admin/noegler/${id}/spaer`, { csrf })).status, 404, 'already revoked: nothing to ask');
    const before = tableCounts(s.db);
    for (const name of ['', 'n'.repeat(101)]) {
      const bad = await admin.post('/admin/noegler', { csrf, name });
      assert.equal(bad.status, 422);
      assertSummaryOnTop(bad.text, ['name']);
    }
    assert.deepEqual(tableCounts(s.db), before);
  });

  it('target groups: enable/disable and resend months; bad months give an error summary', async () => {
    const page = await admin.get('/admin/grupper');
    const csrf = formCsrf(page.text, '/admin/grupper/jobafklaring');
    assert.equal(one(s.db, "SELECT enabled FROM target_groups WHERE slug = 'dagpenge'"), '1');
    let r = await admin.post('/admin/grupper/dagpenge', { csrf, resend_months: '9' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, "SELECT enabled || '|' || resend_months FROM target_groups WHERE slug = 'dagpenge'"), '0|9');
    const refused = await s.api('POST', '/api/v1/enrolments', { body: { citizen: { cpr: '0101711234', name: 'X' }, target_group: 'dagpenge', first_meeting_at: '2031-01-01T09:00:00Z', caseworker: 'cw1' } });
    assert.equal(refused.status, 422, 'a disabled group takes no enrolments');
    r = await admin.post('/admin/grupper/dagpenge', { csrf, enabled: 'ja', resend_months: '6' });
    assert.equal(one(s.db, "SELECT enabled || '|' || resend_months FROM target_groups WHERE slug = 'dagpenge'"), '1|6');
    const before = tableCounts(s.db);
    for (const m of ['0', '61', 'x', '', '<b>6</b>']) {
      r = await admin.post('/admin/grupper/dagpenge', { csrf, enabled: 'ja', resend_months: m });
      assert.equal(r.status, 422, m);
      assertSummaryOnTop(r.text, ['resend-dagpenge']);
      assert.ok(!r.text.includes('<b>6</b>'));
    }
    assert.equal((await admin.post('/admin/grupper/nope', { csrf, resend_months: '6' })).status, 404);
    assert.deepEqual(tableCounts(s.db), before);
    assert.equal(one(s.db, "SELECT resend_months FROM target_groups WHERE slug = 'dagpenge'"), '6');
  });

  let draftId;
  let before1; // enrolled before the new version

  it('packs: a draft is a full copy of the published version under the next number', async () => {
    before1 = await enrolCitizen(s, { caseworker: 'cw1' });
    const page = await admin.get('/admin/pakker');
    const csrf = formCsrf(page.text, '/admin/pakker/dagpenge/kladde');
    const r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf });
    assert.equal(r.status, 303);
    draftId = Number(/^\/admin\/pakke\/(\d+)$/.exec(r.headers.location)[1]);
    assert.equal(one(s.db, `SELECT version || '|' || state FROM packs WHERE id = ${draftId}`), '2|draft');
    const pub = one(s.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'dagpenge' AND p.state = 'published'");
    assert.equal(one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${draftId}`), one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${pub}`));
    // asking again gives the same draft
    const again = await admin.post('/admin/pakker/dagpenge/kladde', { csrf });
    assert.equal(again.headers.location, `/admin/pakke/${draftId}`);
  });

  it('packs: bad input on the draft and video forms gives an error summary and changes nothing', async () => {
    const snapshot = () => sqlite(s.db, `SELECT guidance_da FROM packs WHERE id = ${draftId}; SELECT title_da, captions_da, media FROM videos WHERE pack_id = ${draftId}; SELECT ${groupConcat(s.db, 'o.correct', { orderBy: 'o.id' })} FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${draftId};`);
    const before = snapshot();
    let page = await admin.get(`/admin/pakke/${draftId}`);
    const fields = formFields(page.text, `/admin/pakke/${draftId}`);
    for (const [name, value, field] of [
      ['guidance_da', '', 'guidance_da'], ['guidance_da', 'g'.repeat(20001), 'guidance_da'],
      ['valid_from', '2026-13-01', 'valid_from'], ['valid_to', 'tomorrow', 'valid_to'],
    ]) {
      const r = await admin.post(`/admin/pakke/${draftId}`, setField([...fields], name, value));
      assert.equal(r.status, 422, name);
      assertSummaryOnTop(r.text, [field]);
    }
    page = await admin.get(`/admin/pakke/${draftId}/video/1`);
    assert.equal(page.status, 200);
    const vf = formFields(page.text, `/admin/pakke/${draftId}/video/1`);
    const wrongRight = vf.filter(([n]) => n !== 'q1_right');
    for (const [f, field] of [
      [setField([...vf], 'title_da', ''), 'title_da'],
      [setField([...vf], 'title_da', 't'.repeat(201)), 'title_da'],
      [setField([...vf], 'transcript_da', ''), 'transcript_da'],
      [setField([...vf], 'captions_da', 'not webvtt'), 'captions_da'],
      [setField([...vf], 'media', '../../etc/passwd'), 'media'],
      [setField([...vf], 'media', 'missing.mp4'), 'media'],
      [setField([...vf], 'q1_text', ''), 'q1_text'],
      [wrongRight, 'q1_o1'],
    ]) {
      const r = await admin.post(`/admin/pakke/${draftId}/video/1`, f);
      assert.equal(r.status, 422, field);
      assertSummaryOnTop(r.text, [field]);
    }
    const html = await admin.post(`/admin/pakke/${draftId}/video/1`, setField(setField([...vf], 'title_da', '<script>x</script>'), 'transcript_da', ''));
    assert.equal(html.status, 422);
    assert.ok(html.text.includes('&lt;script&gt;x&lt;/script&gt;'));
    assert.ok(!html.text.includes('<script>x</script>'));
    assert.equal(snapshot(), before);
  });

  it('packs: upload a video (type and size checked), stored content-addressed and served with Range', async () => {
    const page = await admin.get(`/admin/pakke/${draftId}/video/1`);
    const csrf = formCsrf(page.text, `/admin/pakke/${draftId}/video/1/fil`);
    const upload = (parts) => {
      const mp = multipart(parts);
      return admin.server.request('POST', `/admin/pakke/${draftId}/video/1/fil`, {
        headers: admin.headers({ 'Content-Type': mp.type, Origin: s.origin }), body: mp.body,
      });
    };
    const before = fs.readdirSync(mediaDir).length;
    let r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'x.mp4', type: 'text/plain', data: Buffer.from('hello, not a video') }]);
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['file']);
    r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'x.mp4', type: 'video/mp4', data: Buffer.from('hello, not a video at all') }]);
    assert.equal(r.status, 422, 'the bytes decide, not the declared type');
    r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'big.mp4', type: 'video/mp4', data: fakeMp4(65537) }]);
    assert.equal(r.status, 422, 'over max_upload');
    r = await upload([{ name: 'csrf', value: csrf }]);
    assert.equal(r.status, 422, 'no file');
    r = await upload([{ name: 'file', filename: 'x.mp4', type: 'video/mp4', data: fakeMp4(2000) }]);
    assert.equal(r.status, 403, 'no form token');
    assert.equal(fs.readdirSync(mediaDir).length, before);
    const video = fakeMp4(5000);
    r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'film.mp4', type: 'video/mp4', data: video }]);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    const name = `${crypto.createHash('sha256').update(video).digest('hex')}.mp4`;
    assert.ok(fs.existsSync(path.join(mediaDir, name)));
    assert.equal(one(s.db, `SELECT media FROM videos WHERE pack_id = ${draftId} AND position = 1`), name);
    const range = await s.request('GET', `/media/${name}`, { headers: { Range: 'bytes=0-99' } });
    assert.equal(range.status, 206);
    assert.equal(range.buf.length, 100);
    assert.ok(range.buf.equals(video.subarray(0, 100)));
    // the stated length is the new file's own, never the replaced one's: none from bytes that
    // do not say it, the real length from a real file
    const stated = () => one(s.db, `SELECT duration_s FROM videos WHERE pack_id = ${draftId} AND position = 1`);
    assert.equal(stated(), '0', 'the fake file says no length, and the replaced file\'s is not kept');
    const real = path.join(s.dir, 'real.mp4');
    const ff = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
      '-i', 'color=c=0x1f4e5f:s=160x90:r=5:d=3', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
      '-movflags', '+faststart', real], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(ff.status, 0, ff.stderr);
    r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'real.mp4', type: 'video/mp4', data: fs.readFileSync(real) }]);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(stated(), '3');
    // back to the first file, as the tests below expect
    r = await upload([{ name: 'csrf', value: csrf }, { name: 'file', filename: 'film.mp4', type: 'video/mp4', data: video }]);
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT media FROM videos WHERE pack_id = ${draftId} AND position = 1`), name);
  });

  it('packs: edit the draft, preview it, publish; enrolled citizens keep their version, new ones get the new', async () => {
    let page = await admin.get(`/admin/pakke/${draftId}`);
    let r = await admin.post(`/admin/pakke/${draftId}`, setField(formFields(page.text, `/admin/pakke/${draftId}`), 'guidance_da', 'Ny skriftlig vejledning.\n\nAfsnit to.'));
    assert.equal(r.status, 303);
    page = await admin.get(`/admin/pakke/${draftId}/video/1`);
    r = await admin.post(`/admin/pakke/${draftId}/video/1`, setField(formFields(page.text, `/admin/pakke/${draftId}/video/1`), 'title_da', 'Ny titel på video 1'));
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const preview = await admin.get(`/admin/pakke/${draftId}/vis`);
    assert.match(preview.text, /Ny titel på video 1/);
    assert.match(preview.text, /Ny skriftlig vejledning\./);
    assert.equal((await admin.get(`/admin/pakke/${draftId}/vis/1`)).status, 200);
    // the draft is not what citizens see
    assert.equal((await s.api('GET', `/api/v1/enrolments/${before1.enrolment_id}`)).json.pack_version, 1);
    page = await admin.get(`/admin/pakke/${draftId}`);
    r = await admin.post(`/admin/pakke/${draftId}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${draftId}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draftId}`), 'published');
    assert.match(one(s.db, `SELECT content_hash FROM packs WHERE id = ${draftId}`), /^[0-9a-f]{64}$/);
    assert.equal(one(s.db, `SELECT ${groupConcat(s.db, 'version || state', { orderBy: 'version' })} FROM (SELECT p.version, p.state FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'dagpenge' ORDER BY p.version) AS t`), '1retired,2published');
    const old = (await s.api('GET', `/api/v1/enrolments/${before1.enrolment_id}`)).json;
    assert.equal(old.pack_version, 1, 'enrolled before: keeps version 1');
    assert.notEqual(old.videos[0].title, 'Ny titel på video 1');
    const fresh = await enrolCitizen(s, { caseworker: 'cw1' });
    const now = (await s.api('GET', `/api/v1/enrolments/${fresh.enrolment_id}`)).json;
    assert.equal(now.pack_version, 2, 'enrolled after: version 2');
    assert.equal(now.videos[0].title, 'Ny titel på video 1');
    // the citizens' own pages agree
    const a = new Browser(s);
    await a.get(before1.path);
    assert.ok(!(await a.get('/borger')).text.includes('Ny titel på video 1'));
    const b = new Browser(s);
    await b.get(fresh.path);
    assert.ok((await b.get('/borger')).text.includes('Ny titel på video 1'));
  });

  it('published content is never changed in place', async () => {
    assert.equal((await admin.get(`/admin/pakke/${draftId}`)).status, 409);
    assert.equal((await admin.get(`/admin/pakke/${draftId}/video/1`)).status, 409);
    const page = await admin.get('/admin/pakker');
    const csrf = formCsrf(page.text, '/admin/pakker/jobafklaring/kladde');
    assert.equal((await admin.post(`/admin/pakke/${draftId}`, { csrf, guidance_da: 'x' })).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${draftId}/udgiv`, { csrf })).status, 409);
    assert.throws(() => sqlite(s.db, `UPDATE videos SET title_da = 'x' WHERE pack_id = ${draftId}`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `UPDATE packs SET guidance_da = 'x' WHERE id = ${draftId}`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `UPDATE options SET correct = 1 - correct WHERE question_id IN (SELECT q.id FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${draftId})`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `UPDATE packs SET state = 'published' WHERE state = 'retired'`), /only retires/);
    assert.throws(() => sqlite(s.db, `DELETE FROM options WHERE question_id IN (SELECT q.id FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${draftId})`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `DELETE FROM packs WHERE id = ${draftId}`), /never changed in place/);
  });

  it('running `vejled demo` again leaves the administrator\'s version in force', () => {
    const r = cli(['demo', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(one(s.db, `SELECT ${groupConcat(s.db, 'version || state', { orderBy: 'version' })} FROM (SELECT p.version, p.state FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'dagpenge' ORDER BY p.version) AS t`), '1retired,2published');
  });

  it('publishing checks the draft by the pack rules', async () => {
    const page = await admin.get('/admin/pakker');
    const r = await admin.post('/admin/pakker/jobafklaring/kladde', { csrf: formCsrf(page.text, '/admin/pakker/jobafklaring/kladde') });
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    // break the draft behind the forms' back: a question without a right option
    sqlite(s.db, `UPDATE options SET correct = 0 WHERE question_id = (SELECT q.id FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} ORDER BY v.position, q.position LIMIT 1)`);
    const d = await admin.get(`/admin/pakke/${id}`);
    const pub = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${id}/udgiv`) });
    assert.equal(pub.status, 422);
    assertSummaryOnTop(pub.text, ['publish']);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'draft');
  });

  it('the access log of a citizen: listed for administrators (and that listing is logged too)', async () => {
    const cw1 = await staff(s, 'cw1');
    await cw1.get(`/medarbejder/borger/${before1.citizen_id}`);
    const n0 = Number(one(s.db, 'SELECT count(*) FROM access_log'));
    const r = await admin.get(`/admin/adgangslog/${before1.citizen_id}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /Demo Sagsbehandler Nord \(cw1\)/);
    assert.match(r.text, /Borgerens side/);
    assert.equal(Number(one(s.db, 'SELECT count(*) FROM access_log')), n0 + 1);
    assert.equal((await admin.get('/admin/adgangslog/00000000-0000-4000-8000-000000000000')).status, 404);
    // an administrator sees every unit's citizens
    assert.equal((await admin.get(`/medarbejder/borger/${before1.citizen_id}`)).status, 200);
  });

  it('nothing secret in the log', () => {
    assert.ok(!s.stderr.includes(DEMO_PASSWORD));
    assert.ok(!s.stderr.includes('another-password-2'));
    assert.ok(!/vk_[A-Za-z0-9_-]{24}/.test(s.stderr));
  });
});


describe('administrator: adding, removing and moving the content of a draft', () => {
  let s;
  let admin;
  let mediaDir;
  const VTT = 'WEBVTT\n\n00:00.000 --> 00:02.000\nHej\n';
  const groupDraft = async (slug) => {
    const page = await admin.get('/admin/pakker');
    const r = await admin.post(`/admin/pakker/${slug}/kladde`, { csrf: formCsrf(page.text, `/admin/pakker/${slug}/kladde`) });
    assert.equal(r.status, 303);
    return Number(/(\d+)$/.exec(r.headers.location)[1]);
  };
  const csrfOn = async (p) => {
    const page = await admin.get(p);
    assert.equal(page.status, 200, p);
    return formCsrf(page.text, p);
  };
  const postMultipart = (p, parts, origin = s.origin) => {
    const mp = multipart(parts);
    return admin.server.request('POST', p, { headers: admin.headers({ 'Content-Type': mp.type, Origin: origin }), body: mp.body });
  };
  const tree = (id) => sqlite(s.db, `SELECT v.position, v.slug, v.title_da, v.media FROM videos v WHERE v.pack_id = ${id} ORDER BY v.position;
    SELECT v.position, q.position, q.kind, q.topic_key, q.text_da, q.text_en FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} ORDER BY 1, 2;
    SELECT v.position, q.position, o.position, o.text_da, o.text_en, o.correct FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} ORDER BY 1, 2, 3;`);
  const nVideos = (id) => Number(one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${id}`));

  before(async () => {
    s = await startServer({
      config: ini({ staff: { login_attempts_per_minute: 1000, max_upload: 65536 }, content: { media_dir: '{dir}/media' } }),
    });
    mediaDir = `${s.dir}/media`;
    fs.mkdirSync(mediaDir, { recursive: true });
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('add a video (with a file), a question and its options; publishing checks them; new enrolments get them', async () => {
    const id = await groupDraft('dagpenge');
    const n0 = nVideos(id);
    const draft = await admin.get(`/admin/pakke/${id}`);
    assert.ok(parseLinks(draft.text).includes(`/admin/pakke/${id}/video/ny`), 'the draft links to "add a video"');
    const csrf = await csrfOn(`/admin/pakke/${id}/video/ny`);
    const film = fakeMp4(3000);
    let r = await postMultipart(`/admin/pakke/${id}/video/ny`, [
      { name: 'csrf', value: csrf }, { name: 'title_da', value: 'Ny video om rådighed' }, { name: 'title_en', value: 'New video' },
      { name: 'summary_da', value: 'Kort' }, { name: 'media', value: '' }, { name: 'captions_da', value: VTT },
      { name: 'captions_en', value: '' }, { name: 'transcript_da', value: 'Hele teksten' }, { name: 'transcript_en', value: '' },
      { name: 'file', filename: 'film.mp4', type: 'video/mp4', data: film },
    ]);
    assert.equal(r.status, 303, r.text.slice(0, 600));
    assert.equal(r.headers.location, `/admin/pakke/${id}/video/${n0 + 1}`);
    const name = `${crypto.createHash('sha256').update(film).digest('hex')}.mp4`;
    assert.ok(fs.existsSync(path.join(mediaDir, name)));
    assert.equal(one(s.db, `SELECT title_da || '|' || media || '|' || captions_da FROM videos WHERE pack_id = ${id} AND position = ${n0 + 1}`), `Ny video om rådighed|${name}|${VTT.trim()}`);

    const vpath = `/admin/pakke/${id}/video/${n0 + 1}`;
    const vpage = await admin.get(vpath);
    assert.ok(parseLinks(vpage.text).includes(`${vpath}/spoergsmaal/ny`));
    const qcsrf = await csrfOn(`${vpath}/spoergsmaal/ny`);
    r = await admin.post(`${vpath}/spoergsmaal/ny`, {
      csrf: qcsrf, text_da: 'Hvornår skal du være til rådighed?', text_en: 'When must you be available?', kind: 'single',
      topic_da: 'Rådighed og ferie', topic_en: 'Availability', explanation_da: 'Fra dag ét.', explanation_en: 'From day one.',
    });
    assert.equal(r.status, 303, r.text.slice(0, 600));
    assert.equal(r.headers.location, vpath);
    assert.equal(one(s.db, `SELECT q.kind || '|' || q.topic_key || '|' || q.text_en FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = ${n0 + 1}`),
      'single|raadighed-og-ferie|When must you be available?');

    // a question without options cannot be published: the summary names it, nothing changes
    const pubCsrf = formCsrf((await admin.get(`/admin/pakke/${id}`)).text, `/admin/pakke/${id}/udgiv`);
    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: pubCsrf });
    assert.equal(r.status, 422);
    const sum = assertSummaryOnTop(r.text, ['publish']);
    assert.match(sum[0].text, /færre end to svarmuligheder/);
    assert.match(decodeEntities(r.text), new RegExp(`video ${n0 + 1}, spørgsmål 1`, 'i'));
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'draft');

    const opath = `${vpath}/spoergsmaal/1/svar/ny`;
    const ocsrf = await csrfOn(opath);
    r = await admin.post(opath, { csrf: ocsrf, text_da: 'Fra første dag', text_en: 'From the first day', right: 'ja' });
    assert.equal(r.status, 303, r.text.slice(0, 600));
    r = await admin.post(opath, { csrf: ocsrf, text_da: 'Efter en måned', text_en: 'After a month' });
    assert.equal(r.status, 303);
    // a single-choice question has one right answer: a second one is refused
    const before = tree(id);
    r = await admin.post(opath, { csrf: ocsrf, text_da: 'Også rigtig?', right: 'ja' });
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['right']);
    assert.equal(tree(id), before);
    assert.equal(one(s.db, `SELECT ${groupConcat(s.db, "o.text_da || ':' || o.correct", { orderBy: 'o.id' })} FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = ${n0 + 1}`),
      'Fra første dag:1,Efter en måned:0');
    // the video form still saves (the new question's right answer is marked)
    r = await admin.post(vpath, formFields((await admin.get(vpath)).text, vpath));
    assert.equal(r.status, 303, r.text.slice(0, 600));

    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: pubCsrf, confirm: 'ja' });
    assert.equal(r.status, 303, r.text.slice(0, 600));
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'published');
    const fresh = await enrolCitizen(s, { caseworker: 'cw1' });
    const e = (await s.api('GET', `/api/v1/enrolments/${fresh.enrolment_id}`)).json;
    assert.equal(e.videos.length, n0 + 1);
    assert.equal(e.videos[n0].title, 'Ny video om rådighed');
  });

  it('the form that adds a video takes its texts at their limits in characters of four bytes beside a file of [staff] max_upload', async () => {
    const id = await groupDraft('ledighedsydelse');
    const n0 = nVideos(id);
    const csrf = await csrfOn(`/admin/pakke/${id}/video/ny`);
    const wide = (n) => '\u{1F600}'.repeat(n);
    const film = fakeMp4(65536);
    const parts = [
      { name: 'csrf', value: csrf }, { name: 'title_da', value: wide(200) }, { name: 'title_en', value: wide(200) },
      { name: 'summary_da', value: wide(1000) }, { name: 'media', value: '' },
      { name: 'captions_da', value: `WEBVTT\n${wide(20000 - 7)}` }, { name: 'captions_en', value: `WEBVTT\n${wide(20000 - 7)}` },
      { name: 'transcript_da', value: wide(20000) }, { name: 'transcript_en', value: wide(20000) },
      { name: 'file', filename: 'film.mp4', type: 'video/mp4', data: film },
    ];
    // more than max_upload + [server] max_body_form, the limit this form once had
    assert.ok(multipart(parts).body.length > 65536 + 32768);
    const r = await postMultipart(`/admin/pakke/${id}/video/ny`, parts);
    assert.equal(r.status, 303, r.text.slice(0, 600));
    assert.equal(nVideos(id), n0 + 1);
    assert.equal(one(s.db, `SELECT transcript_en FROM videos WHERE pack_id = ${id} AND position = ${n0 + 1}`), wide(20000));
  });

  it('move a video up and down, remove an option, a question and a video; numbers out of range are 404', async () => {
    const id = await groupDraft('jobafklaring');
    const n0 = nVideos(id);
    assert.ok(n0 >= 2, 'the demo pack has two videos or more');
    const slugs = () => sqlite(s.db, `SELECT slug FROM videos WHERE pack_id = ${id} ORDER BY position`).trim().split('\n');
    const order = slugs();
    const csrf = formCsrf((await admin.get(`/admin/pakke/${id}`)).text, `/admin/pakke/${id}/video/1/flyt`);
    let r = await admin.post(`/admin/pakke/${id}/video/1/flyt`, { csrf, retning: 'ned' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/pakke/${id}`);
    assert.deepEqual(slugs(), [order[1], order[0], ...order.slice(2)]);
    r = await admin.post(`/admin/pakke/${id}/video/2/flyt`, { csrf, retning: 'op' });
    assert.equal(r.status, 303);
    assert.deepEqual(slugs(), order);
    // the first cannot go up, the last not down, and only "op"/"ned" are directions
    const before = tree(id);
    for (const [n, dir] of [[1, 'op'], [n0, 'ned'], [1, 'sideways']]) {
      r = await admin.post(`/admin/pakke/${id}/video/${n}/flyt`, { csrf, retning: dir });
      assert.equal(r.status, 422, `${n} ${dir}`);
      assertSummaryOnTop(r.text, ['video-list']);
    }
    for (const p of ['video/99/fjern', 'video/0/fjern', 'video/x/flyt', 'video/1/spoergsmaal/99/fjern', 'video/1/spoergsmaal/1/svar/99/fjern', 'video/99/spoergsmaal/ny']) {
      assert.equal((await admin.post(`/admin/pakke/${id}/${p}`, { csrf, retning: 'op', text_da: 'x', topic_da: 'y', kind: 'single' })).status, 404, p);
    }
    assert.equal((await admin.get(`/admin/pakke/${id}/video/1/spoergsmaal/99/svar/ny`)).status, 404);
    assert.equal(tree(id), before);

    const count = (sql) => Number(one(s.db, sql));
    const opts = () => count(`SELECT count(*) FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = 1 AND q.position = 1`);
    const qs = () => count(`SELECT count(*) FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = 1`);
    const o0 = opts();
    const secondText = one(s.db, `SELECT o.text_da FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = 1 AND q.position = 1 AND o.position = 2`);
    const vpage = await admin.get(`/admin/pakke/${id}/video/1`);
    const removeOption = `/admin/pakke/${id}/video/1/spoergsmaal/1/svar/1/fjern`;
    // the button asks first: a page naming what goes, nothing removed yet
    r = await admin.post(removeOption, { csrf: formCsrf(vpage.text, removeOption) });
    assert.equal(r.status, 200);
    assert.match(decodeEntities(r.text), /<h1>Fjern fra kladden – er du sikker\?<\/h1>/);
    assert.match(decodeEntities(r.text), /Svarmulighed 1 til spørgsmål 1 i video 1: <strong>/);
    const confirmForm = parseForms(r.text).find((f) => f.action === removeOption);
    assert.ok(confirmForm.inputs.some((i) => i.name === 'confirm' && i.value === 'ja'), 'the confirmation posts confirm=ja');
    assert.equal(opts(), o0, 'nothing removed before the confirmation');
    r = await admin.post(removeOption, { csrf: confirmForm.inputs.find((i) => i.name === 'csrf').value, confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/pakke/${id}/video/1?fjernet=svar&nr=1&spm=1`);
    assert.equal(opts(), o0 - 1);
    // … and the page then says what was done
    const removed = decodeEntities((await admin.get(r.headers.location)).text);
    assert.match(removed, /role="status" id="removed"[\s\S]*Svarmulighed 1 til spørgsmål 1 er fjernet fra videoen i kladden\./);
    assert.ok(!decodeEntities(vpage.text).includes('er fjernet fra'), 'no such message without a removal');
    assert.equal(one(s.db, `SELECT o.text_da FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} AND v.position = 1 AND q.position = 1 AND o.position = 1`), secondText, 'the others move up');
    const q0 = qs();
    r = await admin.post(`/admin/pakke/${id}/video/1/spoergsmaal/1/fjern`, { csrf });
    assert.equal(r.status, 200, 'a question: asked first');
    assert.match(decodeEntities(r.text), /Spørgsmål 1 i video 1: <strong>/);
    assert.equal(qs(), q0);
    r = await admin.post(`/admin/pakke/${id}/video/1/spoergsmaal/1/fjern`, { csrf, confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/pakke/${id}/video/1?fjernet=spoergsmaal&nr=1`);
    assert.match(decodeEntities((await admin.get(r.headers.location)).text), /Spørgsmål 1 er fjernet fra videoen i kladden\./);
    assert.equal(qs(), q0 - 1);
    r = await admin.post(`/admin/pakke/${id}/video/${n0}/fjern`, { csrf });
    assert.equal(r.status, 200, 'a video: asked first');
    assert.match(decodeEntities(r.text), new RegExp(`Du er ved at fjerne video ${n0}: <strong>`));
    assert.equal(nVideos(id), n0);
    r = await admin.post(`/admin/pakke/${id}/video/${n0}/fjern`, { csrf, confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/pakke/${id}?fjernet=video&nr=${n0}`);
    assert.match(decodeEntities((await admin.get(r.headers.location)).text), new RegExp(`Video ${n0} er fjernet fra kladden\\.`));
    assert.equal(nVideos(id), n0 - 1);
    assert.deepEqual(slugs(), order.slice(0, n0 - 1));
    // the published version is untouched by all this
    const pub = one(s.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'jobafklaring' AND p.state = 'published'");
    assert.equal(nVideos(pub), n0);
  });

  it('bad input on the add forms: error summary on top, HTML escaped, nothing stored; CSRF and Origin checked', async () => {
    const id = Number(one(s.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'jobafklaring' AND p.state = 'draft'"));
    const before = tree(id);
    const files = fs.readdirSync(mediaDir).length;
    const csrf = await csrfOn(`/admin/pakke/${id}/video/ny`);
    const good = { title_da: 'Titel', transcript_da: 'Tekst', captions_da: '', media: '' };
    const video = (over, file) => postMultipart(`/admin/pakke/${id}/video/ny`, [
      { name: 'csrf', value: csrf }, ...Object.entries({ ...good, ...over }).map(([n, v]) => ({ name: n, value: v })), ...(file ? [file] : []),
    ]);
    for (const [over, file, field] of [
      [{ title_da: '' }, null, 'title_da'],
      [{ title_da: 't'.repeat(201) }, null, 'title_da'],
      [{ transcript_da: '' }, null, 'transcript_da'],
      [{ captions_da: 'not webvtt' }, null, 'captions_da'],
      [{ media: '../../etc/passwd' }, null, 'media'],
      [{ media: 'missing.mp4' }, null, 'media'],
      [{}, { name: 'file', filename: 'x.mp4', type: 'video/mp4', data: Buffer.from('not a video at all, no') }, 'file'],
      [{}, { name: 'file', filename: 'big.mp4', type: 'video/mp4', data: fakeMp4(65537) }, 'file'],
      [{ title_da: '' }, { name: 'file', filename: 'ok.mp4', type: 'video/mp4', data: fakeMp4(4000) }, 'title_da'],
    ]) {
      const r = await video(over, file);
      assert.equal(r.status, 422, field);
      assertSummaryOnTop(r.text, [field]);
    }
    let r = await video({ title_da: '<script>alert(1)</script>', transcript_da: '' });
    assert.equal(r.status, 422);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && !r.text.includes('<script>alert'));
    assert.equal((await postMultipart(`/admin/pakke/${id}/video/ny`, [{ name: 'title_da', value: 'x' }, { name: 'transcript_da', value: 'y' }])).status, 403, 'no form token');
    assert.equal((await postMultipart(`/admin/pakke/${id}/video/ny`, [{ name: 'csrf', value: csrf }, ...Object.entries(good).map(([n, v]) => ({ name: n, value: v }))], 'https://evil.example')).status, 403, 'foreign Origin');

    const qp = `/admin/pakke/${id}/video/1/spoergsmaal/ny`;
    const qcsrf = await csrfOn(qp);
    const q = { text_da: 'Spørgsmål?', kind: 'single', topic_da: 'Emne', explanation_da: 'Fordi.' };
    for (const [over, field] of [
      [{ text_da: '' }, 'text_da'], [{ text_da: 'x'.repeat(1001) }, 'text_da'], [{ topic_da: '' }, 'topic_da'],
      [{ topic_da: 'x'.repeat(201) }, 'topic_da'], [{ kind: 'some' }, 'kind'], [{ kind: '' }, 'kind'],
      [{ explanation_da: 'x'.repeat(2001) }, 'explanation_da'], [{ explanation_da: '' }, 'explanation_da'], [{ text_en: 'x'.repeat(1001) }, 'text_en'],
    ]) {
      r = await admin.post(qp, { csrf: qcsrf, ...q, ...over });
      assert.equal(r.status, 422, field);
      assertSummaryOnTop(r.text, [field]);
    }
    r = await admin.post(qp, { csrf: qcsrf, ...q, topic_da: '', text_da: '<b>fed</b>' });
    assert.ok(r.text.includes('&lt;b&gt;fed&lt;/b&gt;'));
    assert.equal((await admin.post(qp, q)).status, 403, 'no form token');

    const op = `/admin/pakke/${id}/video/1/spoergsmaal/1/svar/ny`;
    const ocsrf = await csrfOn(op);
    for (const [over, field] of [[{ text_da: '' }, 'text_da'], [{ text_da: 'x'.repeat(501) }, 'text_da'], [{ text_en: 'x'.repeat(501) }, 'text_en']]) {
      r = await admin.post(op, { csrf: ocsrf, text_da: 'Svar', ...over });
      assert.equal(r.status, 422, field);
      assertSummaryOnTop(r.text, [field]);
    }
    assert.equal((await admin.post(`/admin/pakke/${id}/video/1/fjern`, {})).status, 403, 'remove without a form token');
    assert.equal(tree(id), before);
    assert.equal(fs.readdirSync(mediaDir).length, files, 'no file stored');
  });

  it('publishing validates the whole draft: no videos, a video without questions', async () => {
    const id = Number(one(s.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'jobafklaring' AND p.state = 'draft'"));
    const csrf = formCsrf((await admin.get(`/admin/pakke/${id}`)).text, `/admin/pakke/${id}/udgiv`);
    // a video without questions
    let r = await postMultipart(`/admin/pakke/${id}/video/ny`, [{ name: 'csrf', value: csrf }, { name: 'title_da', value: 'Tom video' }, { name: 'transcript_da', value: 'Tekst' }]);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    // (the question removed earlier leaves the draft's first video possibly fine; publish names the first problem)
    while (Number(one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${id}`)) > 1) {
      assert.equal((await admin.post(`/admin/pakke/${id}/video/1/fjern`, { csrf, confirm: 'ja' })).status, 303);
    }
    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf });
    assert.equal(r.status, 422);
    assert.match(assertSummaryOnTop(r.text, ['publish'])[0].text, /En video har ingen spørgsmål/);
    assert.equal((await admin.post(`/admin/pakke/${id}/video/1/fjern`, { csrf, confirm: 'ja' })).status, 303);
    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf });
    assert.equal(r.status, 422);
    assert.match(assertSummaryOnTop(r.text, ['publish'])[0].text, /Kladden har ingen videoer/);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'draft');
  });

  it('a published version takes no new videos, questions or options (by the forms or in the database)', async () => {
    const pub = Number(one(s.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'dagpenge' AND p.state = 'published'"));
    const before = tree(pub);
    const csrf = formCsrf((await admin.get('/admin/pakker')).text, '/admin/pakker/dagpenge/kladde');
    assert.equal((await admin.get(`/admin/pakke/${pub}/video/ny`)).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${pub}/video/1/fjern`, { csrf, confirm: 'ja' })).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${pub}/video/1/flyt`, { csrf, retning: 'ned' })).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${pub}/video/1/spoergsmaal/ny`, { csrf, text_da: 'x', topic_da: 'y', kind: 'single' })).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${pub}/video/1/spoergsmaal/1/svar/ny`, { csrf, text_da: 'x' })).status, 409);
    assert.equal((await admin.post(`/admin/pakke/${pub}/video/1/spoergsmaal/1/fjern`, { csrf, confirm: 'ja' })).status, 409);
    assert.throws(() => sqlite(s.db, `INSERT INTO videos(pack_id, position, slug, title_da) VALUES (${pub}, 99, 'sneaky', 'x')`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `INSERT INTO questions(video_id, position, slug, kind, topic_key, topic_da, text_da) SELECT id, 99, 'sneaky', 'single', 'x', 'x', 'x' FROM videos WHERE pack_id = ${pub} LIMIT 1`), /never changed in place/);
    assert.throws(() => sqlite(s.db, `INSERT INTO options(question_id, position, text_da, correct) SELECT q.id, 99, 'x', 0 FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${pub} LIMIT 1`), /never changed in place/);
    assert.equal(tree(pub), before);
  });
});

describe('admin: publishing a draft that is the published version', () => {
  let s;
  let admin;
  const versions = (slug) => one(s.db, `SELECT ${groupConcat(s.db, 'version || state', { orderBy: 'version' })} FROM (SELECT p.version, p.state FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = '${slug}' ORDER BY p.version) AS t`);
  const journal = () => one(s.db, 'SELECT count(*) FROM journal');
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('is refused with a clear message, at the confirmation and at the publishing, and nothing changes', async () => {
    const list = await admin.get('/admin/pakker');
    const r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(list.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(r.status, 303);
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    const csrf = formCsrf((await admin.get(`/admin/pakke/${id}`)).text, `/admin/pakke/${id}/udgiv`);
    const counts = tableCounts(s.db);
    const entries = journal();
    for (const confirm of [undefined, 'ja']) {
      const pub = await admin.post(`/admin/pakke/${id}/udgiv`, confirm ? { csrf, confirm } : { csrf });
      assert.equal(pub.status, 422, `confirm=${confirm}`);
      const [first] = assertSummaryOnTop(pub.text, ['publish']);
      assert.equal(first.text, 'Kladden er magen til den udgivne version. Der er intet nyt at udgive – ret først noget i kladden');
      assert.doesNotMatch(pub.text, /name="confirm" value="ja"/, 'no button to publish it anyway');
    }
    // no new version, the old one still in force, no journal entry, no row anywhere
    assert.equal(versions('dagpenge'), '1published,2draft');
    assert.equal(journal(), entries);
    assert.deepEqual(tableCounts(s.db), counts);
    // changed and changed back: the same again, still refused
    let page = await admin.get(`/admin/pakke/${id}`);
    const fields = formFields(page.text, `/admin/pakke/${id}`);
    const original = fields.find(([n]) => n === 'guidance_da')[1];
    assert.equal((await admin.post(`/admin/pakke/${id}`, setField([...fields], 'guidance_da', 'Noget nyt.'))).status, 303);
    assert.equal((await admin.post(`/admin/pakke/${id}`, setField([...fields], 'guidance_da', original))).status, 303);
    assert.equal((await admin.post(`/admin/pakke/${id}/udgiv`, { csrf, confirm: 'ja' })).status, 422);
    assert.equal(versions('dagpenge'), '1published,2draft');
    // a real change publishes
    page = await admin.get(`/admin/pakke/${id}`);
    assert.equal((await admin.post(`/admin/pakke/${id}`, setField(formFields(page.text, `/admin/pakke/${id}`), 'guidance_da', 'Noget nyt.'))).status, 303);
    const confirmPage = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf });
    assert.equal(confirmPage.status, 200);
    assert.equal((await admin.post(`/admin/pakke/${id}/udgiv`, { csrf, confirm: 'ja' })).status, 303);
    assert.equal(versions('dagpenge'), '1retired,2published');
  });
});

describe('admin: the user forms say what happened', () => {
  let s;
  let admin;
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });
  const text = (html, id) => {
    const m = new RegExp(`<div class="alert[^"]*"[^>]*id="${id}"[^>]*>([\\s\\S]*?)</div></div>`).exec(html);
    return m && decodeEntities(m[1].replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  };
  async function create(fields) {
    const page = await admin.get('/admin/brugere');
    const r = await admin.post('/admin/brugere', { csrf: formCsrf(page.text, '/admin/brugere'), password: 'a-good-password-1', ...fields });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const id = one(s.db, `SELECT id FROM users WHERE username = '${fields.username}'`);
    assert.equal(r.headers.location, `/admin/brugere?oprettet=${id}`);
    return { id, page: (await admin.get(r.headers.location)).text };
  }

  it('creating a caseworker without a unit: a confirmation naming them and a warning that they see no citizens', async () => {
    const { id, page } = await create({ username: 'uden', display_name: 'Ulla Uden', role: 'caseworker', unit: '' });
    assert.equal(text(page, 'done'), 'Brugeren Ulla Uden (uden) er oprettet.');
    assert.equal(text(page, 'no-unit'), 'Brugeren ser ingen borgere endnu En sagsbehandler uden enhed ser ingen borgere, før brugeren får en enhed. Vælg en enhed til brugeren uden');
    assert.match(page, new RegExp(`<a href="/admin/brugere/${id}#unit">Vælg en enhed til brugeren`));
    // the list says it too, in the unit column
    assert.match(page, /<td><a href="\/admin\/brugere\/\d+">uden<\/a><\/td><td>Ulla Uden<\/td><td>Sagsbehandler<\/td><td><span class="vejled-no-unit">Ingen enhed – ser ingen borgere<\/span><\/td>/);
    // and the user's own page, until a unit is chosen
    const own = (await admin.get(`/admin/brugere/${id}`)).text;
    assert.match(text(own, 'no-unit'), /^Brugeren ser ingen borgere endnu/);
    assert.equal(text(own, 'done'), null, 'nothing happened on a plain visit');
    // a plain visit of the list says nothing either, nor a stale or strange id
    for (const q of ['', '?oprettet=99999', '?oprettet=x', '?gemt=']) {
      const l = (await admin.get(`/admin/brugere${q}`)).text;
      assert.equal(text(l, 'done'), null, q);
      assert.equal(text(l, 'no-unit'), null, q);
    }
  });

  it('with a unit, or an administrator: the confirmation and no warning', async () => {
    let { page } = await create({ username: 'med', display_name: '', role: 'caseworker', unit: 'team-nord' });
    assert.equal(text(page, 'done'), 'Brugeren med er oprettet.');
    assert.equal(text(page, 'no-unit'), null);
    ({ page } = await create({ username: 'chef', display_name: 'Chef', role: 'admin', unit: '' }));
    assert.equal(text(page, 'done'), 'Brugeren Chef (chef) er oprettet.');
    assert.equal(text(page, 'no-unit'), null, 'administrators see every unit');
  });

  it('changing a user, a password, a lock: each says what happened', async () => {
    const id = one(s.db, "SELECT id FROM users WHERE username = 'uden'");
    const csrf = formCsrf((await admin.get(`/admin/brugere/${id}`)).text, `/admin/brugere/${id}`);
    let r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'save', display_name: 'Ulla Ny', role: 'caseworker', unit: '' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/brugere?gemt=${id}`);
    let page = (await admin.get(r.headers.location)).text;
    assert.equal(text(page, 'done'), 'Ændringerne for Ulla Ny (uden) er gemt.');
    assert.match(text(page, 'no-unit'), /^Brugeren ser ingen borgere endnu/, 'still without a unit');
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'save', display_name: 'Ulla Ny', role: 'caseworker', unit: 'team-syd' });
    page = (await admin.get(r.headers.location)).text;
    assert.equal(text(page, 'done'), 'Ændringerne for Ulla Ny (uden) er gemt.');
    assert.equal(text(page, 'no-unit'), null, 'a unit now');
    assert.equal(text((await admin.get(`/admin/brugere/${id}`)).text, 'no-unit'), null);
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'password', password: 'another-password-2' });
    assert.equal(r.headers.location, `/admin/brugere?adgangskode=${id}`);
    page = (await admin.get(r.headers.location)).text;
    assert.equal(text(page, 'done'), 'Den nye adgangskode for Ulla Ny (uden) er gemt. Giv den til brugeren på en sikker måde.');
    assert.ok(!page.includes('another-password-2'));
    r = await admin.post(`/admin/brugere/${id}`, { csrf, action: 'unlock' });
    page = (await admin.get(r.headers.location)).text;
    assert.equal(text(page, 'done'), 'Kontoen Ulla Ny (uden) er låst op. Brugeren kan logge ind igen.');
    // in English too
    const sw = await admin.get('/admin/brugere');
    assert.equal((await admin.post('/medarbejder/sprog', { csrf: /name="csrf" value="([^"]+)"/.exec(sw.text)[1], lang: 'en', back: '/admin/brugere' })).status, 303);
    page = (await admin.get(`/admin/brugere?gemt=${id}`)).text;
    assert.equal(text(page, 'done'), 'The changes for Ulla Ny (uden) have been saved.');
  });
});

describe('admin: an empty list says why and what to do', () => {
  let s;
  let admin;
  before(async () => {
    // no demo: no units, no target groups, no packs, no API keys; one administrator
    s = await startServer({ demo: false, apikey: false });
    const r = addUser(s, 'boss', 'admin', '');
    assert.equal(r.status, 0, r.stderr);
    admin = await staff(s, 'boss', 'a-good-password-1');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('units, API keys, target groups and packs', async () => {
    const cases = [
      ['/admin/enheder', 'units-none', /^Der er ingen enheder endnu\. Uden en enhed ser en sagsbehandler ingen borgere\. Tilføj den første enhed herunder/],
      ['/admin/noegler', 'keys-none', /^Der er ingen API-nøgler endnu\. Sagssystemet skal have en nøgle for at kunne tilmelde borgere\. Opret en nøgle herunder/],
      ['/admin/grupper', 'groups-none', /^Der er ingen målgrupper endnu\. Opret den første herunder/],
      ['/admin/pakker', 'packs-none', /^Der er ingen målgrupper endnu\. Opret den første målgruppe/],
    ];
    for (const [path, id, want] of cases) {
      const page = await admin.get(path);
      assert.equal(page.status, 200, path);
      const m = new RegExp(`<p id="${id}">([\\s\\S]*?)</p>`).exec(page.text);
      assert.ok(m, `${path} says why it is empty`);
      assert.match(decodeEntities(m[1].replace(/<[^>]*>/g, '')), want, path);
      assert.doesNotMatch(page.text, /<tbody>\s*<\/tbody>/, `${path}: no empty table`);
    }
    // a list with something in it says nothing of the kind
    const page = await admin.get('/admin/noegler');
    const r = await admin.post('/admin/noegler', { csrf: formCsrf(page.text, '/admin/noegler'), name: 'Sagssystem' });
    assert.equal(r.status, 201);
    assert.doesNotMatch(r.text, /id="keys-none"/);
  });
});
