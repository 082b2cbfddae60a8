// What the citizen pages say, as a person with little Danish meets it: the video player's
// caption menu names each language in itself, not by a code; each "ask at the meeting" box
// is named with its question; the questions' instructions do
// not contradict a question that takes several answers; the Danish error pages use everyday
// words, not the English "feedback", and say what happened to answers not sent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, ROOT, decodeEntities, enrolBody, freshCpr, startServer } from './harness.mjs';

const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const LANGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8'));

/** The text of a page's <main>, tags removed. */
function mainText(html) {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)[1];
  return decodeEntities(main.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

describe('the words on the citizen pages', () => {
  let s;
  before(async () => {
    s = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n' });
    fs.mkdirSync(path.join(s.dir, 'media'));
    // a file under video 1's name: its page has the player (the bytes are not played here)
    fs.writeFileSync(path.join(s.dir, 'media', PACK.videos[0].media), Buffer.alloc(64));
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  async function citizen(language) {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
    assert.equal(r.status, 201, r.text);
    const b = new Browser(s);
    assert.equal((await b.get(new URL(r.json.link).pathname)).status, 303);
    return b;
  }

  for (const lang of ['da', 'ar']) {
    it(`${lang}: the caption tracks are named by their language's own name`, async () => {
      const b = await citizen(lang);
      const page = await b.get('/borger/video/1');
      assert.equal(page.status, 200);
      const tracks = [...page.text.matchAll(/<track [^>]*>/g)].map((m) => m[0]);
      assert.ok(tracks.length >= 2, `the player offers captions in several languages (${tracks.length})`);
      for (const t of tracks) {
        const code = /srclang="([^"]+)"/.exec(t)[1];
        const label = decodeEntities(/label="([^"]*)"/.exec(t)[1]);
        const name = LANGS.find((l) => l.code === code).name;
        assert.equal(label, name, `the ${code} track's label`);
      }
    });
  }

  it('the questions\' instruction does not ask for one answer where a question takes several', async () => {
    const b = await citizen('da');
    const page = await b.get('/borger/video/1');
    assert.match(page.text, /type="checkbox" class="form-checkbox" id="q/, 'video 1 has a question with several answers');
    const intro = decodeEntities(/<h2>[^<]*<\/h2>\s*<p>([^<]*)<\/p>\s*<form[^>]*class="vejled-answers"/.exec(page.text)[1]);
    assert.doesNotMatch(intro, /Vælg det svar|Vælg ét svar/, `the intro: "${intro}"`);
  });

  it('each "ask at the meeting" box is named with its question, so a list of the form\'s controls tells them apart', async () => {
    const b = await citizen('da');
    const page = await b.get('/borger/video/1');
    const labels = [...page.text.matchAll(/<label class="form-label" for="ask-[^"]*">([\s\S]*?)<\/label>/g)]
      .map((m) => decodeEntities(m[1].replace(/<[^>]+>/g, '')));
    assert.equal(labels.length, PACK.videos[0].questions.length);
    assert.deepEqual(labels, labels.map((_, i) => `Jeg vil gerne spørge om dette til mødet (Spørgsmål ${i + 1})`));
  });

  it('a citizen\'s session outlasts a day\'s break: at least 20 hours by default (no time limit without warning)', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'da' }) });
    assert.equal(r.status, 201, r.text);
    const open = await new Browser(s).get(new URL(r.json.link).pathname);
    assert.equal(open.status, 303);
    const cookie = [].concat(open.headers['set-cookie']).find((c) => /^vejled_borger=/.test(c)) || '';
    const maxAge = Number((/Max-Age=(\d+)/.exec(cookie) || [])[1]);
    assert.ok(maxAge >= 20 * 3600, `the session cookie lives ${maxAge} s: ${cookie}`);
  });

  it('the Danish page for a missing or ended session is in everyday words', async () => {
    const b = new Browser(s);
    const page = await b.get('/borger', { headers: { 'Accept-Language': 'da' } });
    assert.equal(page.status, 403);
    const text = mainText(page.text);
    assert.doesNotMatch(text, /feedback/i, 'no English word in the Danish text');
    assert.match(text, /ikke nåede at sende/, 'says that answers not sent are not saved');
  });
});
