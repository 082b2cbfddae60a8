// Watching as observed, in a real browser: headless Chromium plays a real (short, H.264)
// video through the page's own script, seeks past a part and back, and the record (API and
// caseworker page) says exactly what the player did; a citizen who never presses play is
// recorded as having answered without playing.  Playback is sped up with playbackRate, but
// every fact comes from the player's own events (timeupdate, seeking, ended, `played`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible, assertFitsWidth, cli, closeAll, enrolBody, freshCpr, launch, makeVideo, newContext, startServer,
} from './harness.mjs';

const PACK = JSON.parse(fs.readFileSync(
  path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'db', 'demo', 'packs', 'dagpenge.json'),
  'utf8',
));
const SECONDS = 6;
const PASSWORD = 'demo-vejled-2026';

let server;
let browser;

before(async () => {
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n', start: false });
  // the demo's dagpenge pack again, its first video stated at the test file's length: "to
  // the end" is judged against the stated length when the player's is much shorter
  const demo = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'db', 'demo');
  const packs = path.join(server.dir, 'packs-src');
  fs.mkdirSync(path.join(packs, 'packs'), { recursive: true });
  fs.cpSync(path.join(demo, 'captions'), path.join(packs, 'captions'), { recursive: true });
  const pack = structuredClone(PACK);
  pack.videos[0].duration_seconds = SECONDS;
  fs.writeFileSync(path.join(packs, 'packs', 'dagpenge.json'), JSON.stringify(pack));
  const loaded = cli(['packs', 'load', '--db', server.db, '--dir', packs]);
  assert.equal(loaded.status, 0, loaded.stderr);
  await server.start();
  fs.mkdirSync(path.join(server.dir, 'media'));
  makeVideo(path.join(server.dir, 'media', PACK.videos[0].media), { seconds: SECONDS, fps: 20, audio: true });
  browser = await launch();
});

after(() => closeAll(browser, server));

async function enrol() {
  const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(res.status, 201, res.text);
  return { ...res.json, path: new URL(res.json.link).pathname };
}

async function video1(id) {
  const r = await server.api('GET', `/api/v1/enrolments/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.videos[0];
}

/* Polls the API until ok(video 1) holds (the script's reports are asynchronous). */
async function until(id, ok, what) {
  let v;
  for (let i = 0; i < 50; i++) {
    v = await video1(id);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: ${JSON.stringify(v && v.watched)}`);
}

/* Plays until currentTime reaches t (then pauses, unless pause is false) or the end;
 * resolves with currentTime. */
function play(page, t, pause = true) {
  return page.evaluate(([stopAt, pausing]) => new Promise((resolve, reject) => {
    const v = document.querySelector('video');
    v.muted = true;
    v.playbackRate = 2;
    const done = () => {
      v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('ended', done);
      resolve(v.currentTime);
    };
    const onTime = () => {
      if (stopAt !== null && v.currentTime >= stopAt) {
        if (pausing) v.pause();
        done();
      }
    };
    v.addEventListener('timeupdate', onTime);
    v.addEventListener('ended', done);
    v.play().catch(reject);
  }), [t, pause]);
}

function seek(page, t) {
  return page.evaluate((to) => new Promise((resolve) => {
    const v = document.querySelector('video');
    v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
    v.currentTime = to;
  }), t);
}

/* The player's own played ranges, in seconds. */
function playedRanges(page) {
  return page.evaluate(() => {
    const r = document.querySelector('video').played;
    return Array.from({ length: r.length }, (_, i) => [r.start(i), r.end(i)]);
  });
}

function assertSameRanges(api, player, what) {
  assert.equal(api.length, player.length, `${what}: ${JSON.stringify(api)} vs ${JSON.stringify(player)}`);
  for (const [i, [a, b]] of api.entries()) {
    assert.ok(Math.abs(a - player[i][0]) <= 0.3 && Math.abs(b - player[i][1]) <= 0.3,
      `${what}: ${JSON.stringify(api)} vs ${JSON.stringify(player)}`);
  }
}

async function caseworkerPage(view, citizenId) {
  await view.page.goto(`${server.base}/medarbejder/login`);
  await view.page.getByLabel('Brugernavn').fill('cw1');
  await view.page.getByLabel('Adgangskode').fill(PASSWORD);
  await view.page.getByRole('button', { name: 'Log ind' }).click();
  await view.page.waitForURL(/\/medarbejder/);
  const res = await view.page.goto(`${server.base}/medarbejder/borger/${citizenId}`);
  assert.equal(res.status(), 200);
  return view.page.locator('main').innerText();
}

describe('watching, in Chromium', () => {
  let view;
  let A;

  before(async () => {
    view = await newContext(browser, { js: true });
  });
  after(async () => {
    await view.ctx.close();
  });

  test('Debian\'s Chromium plays the H.264 MP4 of the page', async () => {
    A = await enrol();
    await view.page.goto(server.base + A.path);
    assert.equal(new URL(view.page.url()).pathname, '/borger');
    const [hello] = await Promise.all([
      view.page.waitForResponse((r) => r.url().endsWith('/borger/video/1/afspilning')),
      view.page.goto(`${server.base}/borger/video/1`),
    ]);
    assert.equal(hello.status(), 204, 'the page\'s first report');
    const media = await view.page.evaluate(() => new Promise((resolve) => {
      const v = document.querySelector('video');
      const go = () => resolve({ duration: v.duration, mp4: v.canPlayType('video/mp4; codecs="avc1.4D401E, mp4a.40.2"') });
      if (v.readyState >= 1) go(); else v.addEventListener('loadedmetadata', go, { once: true });
    }));
    assert.equal(media.mp4, 'probably');
    assert.ok(Math.abs(media.duration - SECONDS) < 0.2, `duration ${media.duration}`);
    await assertAccessible(view, 'video page with a player');
    await assertFitsWidth(view, 'video page with a player');
    const v = await video1(A.enrolment_id);
    assert.equal(v.watched.observed, 'not_played');
  });

  test('played, seeked past a part to the end: ended, but not watched to the end', async () => {
    assert.ok((await play(view.page, 1.5)) >= 1.5);
    // far enough ahead that a late timeupdate on a loaded machine (at double speed) still
    // leaves a real gap: the server merges ranges less than 0.25 s apart
    await seek(view.page, 4.5);
    await play(view.page, null); // to the end
    const player = await playedRanges(view.page);
    assert.equal(player.length, 2, `the player skipped a part: ${JSON.stringify(player)}`);
    assert.ok(player[1][0] - player[0][1] >= 1, `a skipped part of a second or more: ${JSON.stringify(player)}`);
    // at the end the player fires pause (a report with the seek) and then ended (a report
    // with the end): two requests in flight at once, either may be stored first
    const v = await until(A.enrolment_id, (x) => x.watched.ended && x.watched.skipped,
      'the end and the skipped part reported');
    assert.equal(v.watched.observed, 'played');
    assert.equal(v.watched.skipped, true);
    assert.equal(v.watched.to_end, false);
    assert.equal(v.finished, false);
    assertSameRanges(v.watched.ranges, player, 'API ranges = the player\'s played ranges');
  });

  test('back to the skipped part and played: watched to the end; the API and the caseworker page agree', async () => {
    await seek(view.page, 1.2);
    await play(view.page, 4.7);
    const player = await playedRanges(view.page);
    assert.equal(player.length, 1, JSON.stringify(player));
    const v = await until(A.enrolment_id, (x) => x.watched.to_end, 'watched to the end');
    assertSameRanges(v.watched.ranges, player, 'API ranges = the player\'s played ranges');
    assert.equal(v.watched.share, 1);
    assert.ok(v.watched.text.startsWith(`afspillet 0:00–0:0${SECONDS} af 0:0${SECONDS} (100 %)`), v.watched.text);
    const cw = await newContext(browser, { js: true });
    try {
      const text = await caseworkerPage(cw, A.citizen_id);
      assert.ok(text.includes(v.watched.text), `the caseworker page says "${v.watched.text}"`);
      await assertAccessible(cw, 'caseworker citizen page');
      assert.deepEqual(cw.problems, []);
    } finally {
      await cw.ctx.close();
    }
    assert.deepEqual(view.problems, []);
  });
});

describe('leaving the page while it plays, in Chromium', () => {
  test('the report sent with sendBeacon on pagehide carries what was played', async () => {
    const view = await newContext(browser, { js: true });
    try {
      const C = await enrol();
      await view.page.goto(server.base + C.path);
      await Promise.all([
        view.page.waitForResponse((r) => r.url().endsWith('/borger/video/1/afspilning')),
        view.page.goto(`${server.base}/borger/video/1`),
      ]);
      // playing, not paused: no report is due before the 10 s batch
      assert.ok((await play(view.page, 1.5, false)) >= 1.5);
      const player = await playedRanges(view.page);
      assert.equal((await video1(C.enrolment_id)).watched.seconds, 0, 'nothing reported while playing');
      await view.page.goto(`${server.base}/borger`); // pagehide: the beacon
      const v = await until(C.enrolment_id, (x) => x.watched.seconds > 0, 'the beacon arrived');
      assert.equal(v.watched.ranges.length, 1);
      assert.ok(v.watched.ranges[0][0] <= 0.3 && v.watched.ranges[0][1] >= player[0][1] - 0.3,
        `${JSON.stringify(v.watched.ranges)} vs ${JSON.stringify(player)}`);
      assert.deepEqual(view.problems, []);
    } finally {
      await view.ctx.close();
    }
  });
});

describe('a citizen who never plays, in Chromium', () => {
  test('answers without playing: recorded as such on the API, the receipt and the caseworker page', async () => {
    const view = await newContext(browser, { js: true });
    try {
      const B = await enrol();
      await view.page.goto(server.base + B.path);
      const [hello] = await Promise.all([
        view.page.waitForResponse((r) => r.url().endsWith('/borger/video/1/afspilning')),
        view.page.goto(`${server.base}/borger/video/1`),
      ]);
      assert.equal(hello.status(), 204);
      for (const [qi, q] of PACK.videos[0].questions.entries()) {
        const fieldset = view.page.locator('fieldset').nth(qi);
        for (const o of q.options.filter((x) => x.correct)) {
          await fieldset.getByLabel(o.text.da, { exact: true }).check();
        }
      }
      await view.page.getByRole('button', { name: 'Send svar' }).click();
      assert.equal(new URL(view.page.url()).pathname, '/borger/video/1/svar');
      const words = 'svarede uden at afspille videoen';
      const v = await video1(B.enrolment_id);
      assert.equal(v.answered, true);
      assert.equal(v.watched.to_end, false);
      assert.equal(v.watched.seconds, 0);
      assert.equal(v.watched.text, words);
      await view.page.goto(`${server.base}/borger/kvittering`);
      assert.ok((await view.page.locator('main').innerText()).includes('du svarede på spørgsmålene; videoen blev ikke afspillet her'),
        'the receipt, in the citizen\'s words');
      await assertAccessible(view, 'receipt');
      await assertFitsWidth(view, 'receipt');
      assert.deepEqual(view.problems, []);
      const cw = await newContext(browser, { js: true });
      try {
        assert.ok((await caseworkerPage(cw, B.citizen_id)).includes(words), 'the caseworker page');
      } finally {
        await cw.ctx.close();
      }
    } finally {
      await view.ctx.close();
    }
  });
});
