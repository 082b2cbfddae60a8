// "Watched to the end" rests on the player's evidence, weighed against the video's stated
// length, and the order in which the reports arrive must not matter (README, Watching and
// opening).  The server keeps the largest
// duration reported, and judges "to the end" again on every report: a to-the-end reached
// against a smaller duration is taken back when a larger one comes, so the record does not
// say "afspillet til ende" of a video of which a quarter was played.  The journal keeps what it
// was told when: a video_watched entry made before carries the figures it was made on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, csrfOf, enrolBody, freshCpr, startServer } from './harness.mjs';
import { ini } from './staffkit.mjs';

const DEMO_PACKS = path.join(ROOT, 'db', 'demo', 'packs');
let s;

async function watchedAfter(reports) {
  const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(e.status, 201, e.text);
  const b = new Browser(s);
  assert.equal((await b.get(new URL(e.json.link).pathname)).status, 303);
  const page = await b.get('/borger/video/1');
  assert.equal(page.status, 200);
  const csrf = csrfOf(page.text);
  for (const r of reports) {
    const res = await b.post('/borger/video/1/afspilning', { csrf, ...r });
    assert.equal(res.status, 204, res.text.slice(0, 200));
  }
  const d = await s.api('GET', `/api/v1/enrolments/${e.json.enrolment_id}`);
  const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
  return { watched: d.json.videos[0].watched, entries: j.json.entries };
}

describe('to the end does not depend on the order of the player reports', () => {
  before(async () => {
    s = await startServer({ config: ini({ content: { media_dir: '{dir}/media' } }) });
    fs.mkdirSync(path.join(s.dir, 'media'));
    for (const f of fs.readdirSync(DEMO_PACKS).filter((x) => x.endsWith('.json')))
      for (const v of JSON.parse(fs.readFileSync(path.join(DEMO_PACKS, f), 'utf8')).videos)
        if (v.media) fs.writeFileSync(path.join(s.dir, 'media', v.media), 'stand-in');
  });
  after(async () => { if (s) await s.cleanup(); });

  it('a short duration reported before the real one does not leave "afspillet til ende" on a video not played to its end', async () => {
    // the first video is stated to be 0:40; one report gives a 37 s duration (the player's
    // early estimate, or a report from a tab that had another file: within a tenth of the
    // stated length, so it is the player's word that counts), the other the real 40 s
    const short = { d: '37', p: '0-37', e: '1' };
    const real = { d: '40', p: '0-37' };
    const a = await watchedAfter([short, real]);
    const b = await watchedAfter([real, short]);
    // the same facts in both orders: 0:00–0:37 of 0:40 played (92.5 %)
    assert.deepEqual([a.watched.seconds, a.watched.duration, a.watched.share], [37, 40, 0.925]);
    assert.deepEqual([b.watched.seconds, b.watched.duration, b.watched.share], [37, 40, 0.925]);
    assert.equal(b.watched.to_end, false, 'in this order: not watched to the end');
    assert.equal(a.watched.to_end, b.watched.to_end, 'the order of the reports does not change to_end');
    assert.equal(a.watched.text, b.watched.text, 'the same sentence in both orders');
    assert.ok(!a.watched.text.includes('afspillet til ende'), `the record does not say watched to the end: ${a.watched.text}`);
    assert.ok(!b.entries.some((x) => x.kind === 'video_watched'), 'none in the order that never showed the end');
    // the other order was told, for a moment, of a 37-second video played to its end: its
    // entry says exactly that, not that the 40-second video was watched
    const told = a.entries.filter((x) => x.kind === 'video_watched');
    assert.equal(told.length, 1);
    assert.equal(told[0].data.duration, 37, JSON.stringify(told[0].data));
  });

  it('a duration far shorter than the stated length never makes "to the end", in either order', async () => {
    // a 10 s report of a video stated to be 0:40 (a cut file, or a report made up)
    const short = { d: '10', p: '0-10', e: '1' };
    const real = { d: '40', p: '0-10' };
    for (const order of [[short, real], [real, short], [short]]) {
      const x = await watchedAfter(order);
      assert.equal(x.watched.to_end, false, JSON.stringify(order));
      assert.equal(x.watched.share, 0.25);
      assert.ok(!x.entries.some((e) => e.kind === 'video_watched'), 'no "played to the end" entry');
    }
  });
});
