// Pre-rendering changes no byte: two servers on one database, one as configured (each
// language's strings rendered into the templates once, pack texts kept per published
// version) and one with VEJLED_NO_PRERENDER=1 (every page made from scratch), give the
// same citizen the very same bytes for every citizen page kind — overview, video page
// (also with errors), feedback, receipt, decline, error — in Danish, English and a
// right-to-left language, before and after declining.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { Browser, ROOT, Server, cli, csrfOf, startServer } from './harness.mjs';

describe('pre-rendered pages are the pages made from scratch', () => {
  let s; // pre-rendering on
  let plain; // VEJLED_NO_PRERENDER=1
  let c; // the citizen, on s
  let twin; // the same cookies, on plain
  before(async () => {
    s = await startServer();
    plain = new Server(s.dir);
    plain.db = s.db; // the same database (on PostgreSQL a URL, not the folder's file)
    plain.serveArgs = s.serveArgs;
    plain.env = { VEJLED_NO_PRERENDER: '1' };
    await plain.start();
    c = await readyCitizen(s);
    twin = new Browser(plain);
    twin.cookies = new Map(c.browser.cookies);
  });
  after(async () => {
    if (plain) await plain.stop();
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  /** GET on both; the same status, headers that matter and bytes.  A page that shows the
   * time (the receipt) may cross a minute between two requests: then the first server is
   * asked again. */
  async function same(p, what, { minBytes = 2000 } = {}) {
    const a = await c.browser.get(p);
    const b = await twin.get(p);
    let a2 = a;
    if (!a.buf.equals(b.buf)) a2 = await c.browser.get(p);
    assert.equal(b.status, a.status, `${what}: status`);
    assert.equal(b.headers['content-type'], a.headers['content-type'], `${what}: type`);
    assert.ok(a.buf.equals(b.buf) || a2.buf.equals(b.buf), `${what}: ${p} differs:\n${a.text}\n---\n${b.text}`);
    assert.ok(a.buf.length >= minBytes, `${what}: a whole page (${a.buf.length} bytes)`);
    return a;
  }

  /** POST of the same form to both (a refused one: it changes nothing). */
  async function samePost(p, fields, what) {
    const a = await c.browser.post(p, fields);
    const b = await twin.post(p, fields);
    assert.equal(b.status, a.status, `${what}: status`);
    assert.ok(a.buf.equals(b.buf), `${what}: ${p} differs:\n${a.text}\n---\n${b.text}`);
    return a;
  }

  async function setLanguage(lang) {
    const page = await c.browser.get('/borger');
    const r = await c.browser.post('/borger/sprog', [['csrf', csrfOf(page.text)], ['lang', lang], ['back', '/borger']]);
    assert.equal(r.status, 303, `language ${lang}`);
  }

  async function everyPage(lang, state) {
    const tag = `${lang}, ${state}`;
    const overview = await same('/borger', `overview (${tag})`);
    assert.match(overview.text, new RegExp(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`));
    await same('/borger/video/1', `video page 1 (${tag})`);
    await same('/borger/video/2', `video page 2 (${tag})`);
    await same('/borger/video/1/svar', `feedback (${tag})`);
    await same('/borger/kvittering', `receipt (${tag})`);
    await same('/borger/fravalg', `decline (${tag})`);
    await same('/borger/video/99', `error: no such video (${tag})`, { minBytes: 1000 });
    await same('/borger/findes-ikke', `error: no such page (${tag})`, { minBytes: 1000 });
    // the video page again with the form's errors: answers missing (422, nothing stored)
    const page = await c.browser.get('/borger/video/2');
    const r = await samePost('/borger/video/2', [['csrf', csrfOf(page.text)]], `video page with errors (${tag})`);
    assert.equal(r.status, 422);
    // a refused form (no CSRF): the error page
    const bad = await samePost('/borger/video/2', [['q1', '1']], `error: forbidden (${tag})`);
    assert.equal(bad.status, 403);
  }

  it('every citizen page kind, in Danish, English and Arabic (right to left), the same bytes', async () => {
    // answers to video 1 (feedback), one question marked to ask about (overview, receipt)
    const fields = [...c.fields, ['ask', c.fields.find(([k]) => /^q\d+$/.test(k))[0].slice(1)]];
    const r = await c.browser.post('/borger/video/1', fields);
    assert.equal(r.status, 303);
    for (const lang of ['da', 'en', 'ar']) {
      await setLanguage(lang);
      await everyPage(lang, 'answered');
    }
    // the overview and the video page are filled by position: every hole is one the
    // server knows (else the page is made from scratch, the same bytes, and it says so)
    assert.doesNotMatch(s.stderr, /hole this server does not fill/);
  });

  it('after declining: the same bytes again', async () => {
    const page = await c.browser.get('/borger/fravalg');
    const r = await c.browser.post('/borger/fravalg', [['csrf', csrfOf(page.text)]]);
    assert.equal(r.status, 303);
    for (const lang of ['ar', 'en', 'da']) {
      await setLanguage(lang);
      await everyPage(lang, 'declined');
    }
  });

  it('pages without a session (start page, unknown link) are the same too', async () => {
    for (const [p, lang] of [['/', 'da'], ['/?sprog=en', 'en'], ['/?sprog=ar', 'ar'], ['/v/unknown-link-token', 'da']]) {
      const a = await new Browser(s).get(p);
      const b = await new Browser(plain).get(p);
      assert.equal(b.status, a.status, p);
      assert.ok(a.buf.equals(b.buf), `${p} (${lang}) differs`);
    }
  });

  it('a pack version published while the server runs is shown to the citizens on it, pre-rendered; the older one stays for its citizens', async () => {
    const before = await c.browser.get('/borger/video/1');
    assert.match(before.text, /Du skal stå til rådighed|You must be available for work|<html lang="da"/);
    // publish a new version of the dagpenge pack: `vejled demo` with a changed copy
    const demo = path.join(s.dir, 'demo2');
    fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
    const file = path.join(demo, 'packs', 'dagpenge.json');
    const pack = JSON.parse(fs.readFileSync(file, 'utf8'));
    pack.videos[0].title = { da: 'Ny udgave: du skal stå til rådighed', en: 'New version: be available' };
    fs.writeFileSync(file, JSON.stringify(pack, null, 2));
    const ini = path.join(s.dir, 'demo2.ini');
    fs.writeFileSync(ini, `${s.placesIni}[content]\ndemo_dir = ${demo}\n`);
    const r = cli(['demo', '--db', s.db, '--config', ini]);
    assert.equal(r.status, 0, r.stderr);
    // a citizen enrolled now is on the new version, on both servers the same bytes
    const fresh = await readyCitizen(s);
    const twin2 = new Browser(plain);
    twin2.cookies = new Map(fresh.browser.cookies);
    const a = await fresh.browser.get('/borger/video/1');
    const b = await twin2.get('/borger/video/1');
    assert.match(a.text, /Ny udgave: du skal stå til rådighed/);
    assert.ok(a.buf.equals(b.buf), 'the new version pre-rendered is the new version made from scratch');
    const o = await fresh.browser.get('/borger');
    assert.ok(o.buf.equals((await twin2.get('/borger')).buf), 'overview of the new version');
    assert.match(o.text, /Ny udgave: du skal stå til rådighed/);
    // the earlier citizen keeps the version of their enrolment
    const again = await c.browser.get('/borger/video/1');
    assert.doesNotMatch(again.text, /Ny udgave/);
    assert.ok(again.buf.equals((await twin.get('/borger/video/1')).buf));
  });
});
