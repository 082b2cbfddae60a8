// The staff login page and the staff error pages in English too: chosen by the browser's
// Accept-Language (between Danish and English) before login, switched with a link, kept
// through a failed login and into the session; target groups by their English names on
// the English caseworker list, never Danish-only where English exists, never slugs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, csrfOf, decodeEntities, parseLinks, startServer } from './harness.mjs';
import { DEMO_PASSWORD, enrolCitizen, ini, staff } from './staffkit.mjs';

function htmlLang(html) {
  const m = /<html lang="([^"]+)"/.exec(html);
  assert.ok(m, 'the page has <html lang>');
  return m[1];
}

function h1(html) {
  return decodeEntities(/<h1>([\s\S]*?)<\/h1>/.exec(html)[1]).trim();
}

const EN = { 'Accept-Language': 'en-GB,en;q=0.9' };

describe('staff pages in English before login', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 1000 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the login page in the browser\'s language: English for en, Danish otherwise; a third language does not count', async () => {
    const cases = [
      [{}, 'da'],
      [EN, 'en'],
      [{ 'Accept-Language': 'da-DK,da;q=0.9,en;q=0.5' }, 'da'],
      [{ 'Accept-Language': 'ar,en;q=0.5' }, 'en'], // Arabic is a citizen page language only
      [{ 'Accept-Language': 'de' }, 'da'],
    ];
    for (const [headers, lang] of cases) {
      const r = await new Browser(s).get('/medarbejder/login', { headers });
      assert.equal(r.status, 200);
      assert.equal(htmlLang(r.text), lang, JSON.stringify(headers));
      assert.equal(h1(r.text), lang === 'en' ? 'Staff login' : 'Log ind som medarbejder');
    }
  });

  it('a switch link changes the language; the switch wins over the browser', async () => {
    const b = new Browser(s);
    const da = await b.get('/medarbejder/login');
    const link = parseLinks(da.text).find((l) => l === '?sprog=en');
    assert.ok(link, 'a link to the English page');
    assert.match(da.text, /<a class="vejled-staff-switch" href="\?sprog=en" hreflang="en" lang="en">English<\/a>/);
    const en = await b.get('/medarbejder/login?sprog=en', { headers: { 'Accept-Language': 'da' } });
    assert.equal(htmlLang(en.text), 'en');
    assert.match(en.text, /href="\?sprog=da" hreflang="da" lang="da">Dansk<\/a>/);
    assert.equal(htmlLang((await b.get('/medarbejder/login?sprog=da', { headers: EN })).text), 'da');
    // nothing else is taken as a language
    assert.equal(htmlLang((await b.get('/medarbejder/login?sprog=ar')).text), 'da');
  });

  it('a failed login answers in the language of the form; a good one carries it into the session', async () => {
    const b = new Browser(s);
    const page = await b.get('/medarbejder/login?sprog=en');
    const bad = await b.post('/medarbejder/login', { csrf: csrfOf(page.text), sprog: 'en', username: 'cw1', password: 'wrong-password-1' });
    assert.equal(bad.status, 401);
    assert.equal(htmlLang(bad.text), 'en');
    assert.match(decodeEntities(bad.text), /You were not logged in/);
    const ok = await b.post('/medarbejder/login', { csrf: csrfOf(bad.text), sprog: 'en', username: 'cw1', password: DEMO_PASSWORD });
    assert.equal(ok.status, 303);
    const list = await b.get('/medarbejder/borgere');
    assert.equal(htmlLang(list.text), 'en');
    assert.equal(h1(list.text), 'My citizens');
  });

  it('staff error pages before login: in the browser\'s language, in the staff look, with a way to log in', async () => {
    // a form sent without a session
    const anon = new Browser(s);
    const r = await anon.post('/medarbejder/logout', { csrf: 'x' }, { headers: EN });
    assert.equal(r.status, 403);
    assert.equal(htmlLang(r.text), 'en');
    assert.ok(r.text.includes('/static/dkfds/css/dkfds.min.css'), 'the staff look');
    assert.match(decodeEntities(r.text), /<h1>(You are not logged in|The form could not be accepted)/);
    assert.match(r.text, /href="\/medarbejder\/login\?sprog=en">Go to login<\/a>/);
    assert.match(r.text, /href="\/medarbejder\/login\?sprog=da" hreflang="da" lang="da">Dansk<\/a>/, 'the switch leads to the login page');
    // an address under the staff pages that does not exist
    for (const path of ['/medarbejder/findes-ikke', '/admin/findes/ikke']) {
      const nf = await anon.get(path, { headers: EN });
      assert.equal(nf.status, 404, path);
      assert.equal(htmlLang(nf.text), 'en', path);
      assert.equal(h1(nf.text), 'The page does not exist');
      assert.ok(nf.text.includes('dkfds.min.css') && !nf.text.includes('dkfds-borgerdk'), `${path}: the staff look`);
      assert.equal(htmlLang((await anon.get(path)).text), 'da', `${path}: Danish without a wish`);
    }
  });

  it('staff error pages after login: in the session\'s language', async () => {
    const cw = await staff(s, 'cw1');
    const page = await cw.get('/medarbejder/borgere');
    const sw = await cw.post('/medarbejder/sprog', { csrf: csrfOf(page.text), lang: 'en', back: '/medarbejder/borgere' });
    assert.equal(sw.status, 303);
    const forbidden = await cw.get('/admin/enheder', { headers: { 'Accept-Language': 'da' } });
    assert.equal(forbidden.status, 403);
    assert.equal(htmlLang(forbidden.text), 'en');
    assert.equal(h1(forbidden.text), 'You do not have access');
    const nf = await cw.get('/medarbejder/borger/00000000-0000-4000-8000-000000000000');
    assert.equal(nf.status, 404);
    assert.equal(htmlLang(nf.text), 'en');
  });
});

describe('target groups by their English names on English staff pages', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 1000 } }) });
    await enrolCitizen(s, { caseworker: 'cw1', target_group: 'dagpenge' }, 'Dagny Dansk');
    await enrolCitizen(s, { caseworker: 'cw1', target_group: 'sygedagpenge' }, 'Sigurd Syg');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the caseworker list: English names in the rows and the filter, Danish ones in Danish', async () => {
    const cw = await staff(s, 'cw1');
    let page = await cw.get('/medarbejder/borgere');
    const rowOf = (html, name) => decodeEntities(new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*${name}[\\s\\S]*?</tr>`).exec(html)[0]);
    assert.match(rowOf(page.text, 'Sigurd Syg'), /data-label="Målgruppe">Sygedagpenge</);
    await cw.post('/medarbejder/sprog', { csrf: csrfOf(page.text), lang: 'en', back: '/medarbejder/borgere' });
    page = await cw.get('/medarbejder/borgere');
    assert.equal(htmlLang(page.text), 'en');
    assert.match(rowOf(page.text, 'Dagny Dansk'), /data-label="Target group">Unemployment benefits \(dagpenge\)</);
    assert.match(rowOf(page.text, 'Sigurd Syg'), /data-label="Target group">Sickness benefit \(sygedagpenge\)</);
    assert.match(decodeEntities(page.text), /<option value="sygedagpenge">Sickness benefit \(sygedagpenge\)<\/option>/);
    // the filtered list too
    page = await cw.get('/medarbejder/borgere?gruppe=sygedagpenge');
    assert.match(rowOf(page.text, 'Sigurd Syg'), /Sickness benefit \(sygedagpenge\)/);
  });

  it('the English citizen page: the group by its English name, what is known of playback in English', async () => {
    const cw = await staff(s, 'cw1');
    let page = await cw.get('/medarbejder/borgere');
    await cw.post('/medarbejder/sprog', { csrf: csrfOf(page.text), lang: 'en', back: '/medarbejder/borgere' });
    page = await cw.get('/medarbejder/borgere');
    const href = new RegExp('href="(/medarbejder/borger/[^"]+)">Sigurd Syg').exec(page.text)[1];
    const one = decodeEntities((await cw.get(href)).text);
    assert.match(one, /Sickness benefit \(sygedagpenge\)/);
    assert.ok(one.includes("the video's page was not opened"), 'the playback sentence in English');
    assert.ok(!one.includes('videoens side blev ikke åbnet'), 'not in Danish');
  });
});
