// What the citizen pages say, as a person with little Danish meets it: the video player's
// caption menu names each language in itself, not by a code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, ROOT, decodeEntities, enrolBody, freshCpr, startServer } from './harness.mjs';

const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const LANGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8'));

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
});
