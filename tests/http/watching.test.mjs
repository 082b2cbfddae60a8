// Watching and opening as observed: the player's reports merged per video, their limits,
// the words every place uses ("afspillet …", "svarede uden at afspille videoen", no
// JavaScript, older "video_finished" rows shown as "svarede"), and a link scanner's GET and
// HEAD counting as nothing while the citizen's own return with the session counts once.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import {
  Browser, ROOT, cli, csrfOf, decodeEntities, enrolBody, freshCpr, sleep, sqlite, startServer,
} from './harness.mjs';
import { answerVideo } from './answers.mjs';
import { ini, staff } from './staffkit.mjs';

const MAX_RANGES = 4;
/* Every demo video's file is on the server (a stand-in: the pages only look for it) but
 * this one's, dagpenge's fourth: its page has no player. */
const MISSING = 'dagpenge-sygdom-ferie.mp4';
const DEMO_PACKS = path.join(ROOT, 'db', 'demo', 'packs');
const PER_MINUTE = 12;
const MAX_BODY = 600;

let s;
let cw1;

async function enrol(overrides = {}) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), overrides) });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, path: new URL(r.json.link).pathname };
}

async function describeEnrolment(id) {
  const r = await s.api('GET', `/api/v1/enrolments/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function journal(citizenId) {
  const r = await s.api('GET', `/api/v1/citizens/${citizenId}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

/* The citizen opens the link and follows the redirect, as a browser does. */
async function citizen(e) {
  const b = new Browser(s);
  assert.equal((await b.get(e.path)).status, 303);
  assert.equal((await b.get('/borger')).status, 200);
  return b;
}

async function report(b, n, fields, opts) {
  const csrf = csrfOf((await b.get(`/borger/video/${n}`)).text);
  return b.post(`/borger/video/${n}/afspilning`, { csrf, ...fields }, opts);
}

function openedInStats() {
  return Number(sqlite(s.db, 'SELECT coalesce(sum(opened), 0) FROM stats_group_day;').trim());
}

function statsVerify() {
  const r = cli(['stats', '--db', s.db, '--verify']);
  assert.equal(r.status, 0, `stats --verify: ${r.stdout}${r.stderr}`);
}

async function staffPage(citizenId) {
  const r = await cw1.get(`/medarbejder/borger/${citizenId}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return decodeEntities(r.text);
}

async function evidenceText(citizenId) {
  const r = await cw1.get(`/medarbejder/borger/${citizenId}/dokumentation.pdf`);
  assert.equal(r.status, 200);
  const file = path.join(s.dir, `evidence-${citizenId}.pdf`);
  fs.writeFileSync(file, r.buf);
  const out = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.replace(/\s+/g, ' ');
}

const sha256 = (x) => crypto.createHash('sha256').update(x).digest('hex');

describe('watching and opening as observed', () => {
  before(async () => {
    s = await startServer({
      config: ini({
        citizen: { watch_max_ranges: MAX_RANGES, watch_reports_per_minute: PER_MINUTE, watch_max_body: MAX_BODY },
        content: { media_dir: '{dir}/media' },
      }),
    });
    fs.mkdirSync(path.join(s.dir, 'media'));
    for (const f of fs.readdirSync(DEMO_PACKS).filter((x) => x.endsWith('.json'))) {
      for (const v of JSON.parse(fs.readFileSync(path.join(DEMO_PACKS, f), 'utf8')).videos) {
        if (v.media && v.media !== MISSING) fs.writeFileSync(path.join(s.dir, 'media', v.media), 'stand-in');
      }
    }
    cw1 = await staff(s, 'cw1');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('a link scanner\'s GET and HEAD change no statistic and journal nothing; the citizen\'s return counts once', async () => {
    const A = await enrol();
    const openedBefore = openedInStats();
    // a scanner: no cookies kept, GET and HEAD of the link, then the redirect target
    const head = await s.request('HEAD', A.path);
    assert.equal(head.status, 303);
    assert.equal(head.headers['set-cookie'], undefined, 'HEAD starts no session');
    const get = await s.request('GET', A.path);
    assert.equal(get.status, 303);
    assert.equal((await s.request('GET', '/borger')).status, 403, 'no cookie: no page');
    assert.equal((await describeEnrolment(A.enrolment_id)).status, 'not_opened');
    assert.deepEqual((await journal(A.citizen_id)).map((j) => j.kind), ['enrolled']);
    assert.equal(openedInStats(), openedBefore, 'the statistics did not count the scanner');
    statsVerify();
    // the citizen: the link, then the page with the session it set
    const b = new Browser(s);
    assert.equal((await b.get(A.path)).status, 303);
    assert.equal((await describeEnrolment(A.enrolment_id)).status, 'not_opened');
    // a POST with the session from another site is refused and records nothing either
    const foreign = await b.post('/borger/video/1/afspilning', { csrf: 'x', d: '40', p: '0-1' },
      { headers: { Origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal((await describeEnrolment(A.enrolment_id)).status, 'not_opened', 'a refused request opened nothing');
    assert.deepEqual((await journal(A.citizen_id)).map((j) => j.kind), ['enrolled']);
    assert.equal((await b.get('/borger')).status, 200);
    assert.equal((await b.get('/borger/video/1')).status, 200);
    const e = await describeEnrolment(A.enrolment_id);
    assert.notEqual(e.status, 'not_opened');
    assert.ok(e.opened_at);
    const kinds = (await journal(A.citizen_id)).map((j) => j.kind);
    assert.deepEqual(kinds, ['enrolled', 'link_opened'], 'once, however many pages follow');
    assert.equal(openedInStats(), openedBefore + 1);
    statsVerify();
  });

  let B;
  let bB;

  it('player reports merge into the video\'s ranges; the journal gets levels, not beacons', async () => {
    B = await enrol();
    bB = await citizen(B);
    // the page's first report: the script runs, nothing played yet
    assert.equal((await report(bB, 1, { d: '40' })).status, 204);
    let v = (await describeEnrolment(B.enrolment_id)).videos[0];
    assert.equal(v.watched.observed, 'not_played');
    assert.equal(v.watched.page_viewed, true);
    assert.equal(v.watched.seconds, 0);
    assert.equal((await report(bB, 1, { d: '40', p: '0-10' })).status, 204);
    assert.equal((await report(bB, 1, { d: '40', p: '0-10,12-20' })).status, 204);
    v = (await describeEnrolment(B.enrolment_id)).videos[0];
    assert.deepEqual(v.watched.ranges, [[0, 10], [12, 20]]);
    assert.equal(v.watched.seconds, 18);
    assert.equal((await report(bB, 1, { d: '40', p: '9-12.1' })).status, 204);
    v = (await describeEnrolment(B.enrolment_id)).videos[0];
    assert.deepEqual(v.watched.ranges, [[0, 20]]);
    assert.equal(v.watched.share, 0.5);
    assert.equal(v.watched.to_end, false);
    assert.equal(v.finished, false);
    assert.equal(v.watched.text, 'afspillet 0:00–0:20 af 0:40 (50 %)');
    let entries = await journal(B.citizen_id);
    const played = entries.filter((j) => j.kind === 'video_played');
    assert.equal(played.length, 2, 'first play at 25 %, then 50 %: not one entry per report');
    assert.deepEqual(played[1].data.ranges, [[0, 20]]);
    assert.equal(played[1].data.video, v.id);
    // to the end: one video_watched, and the same words everywhere
    assert.equal((await report(bB, 1, { d: '40', p: '20-40', e: '1', c: '1' })).status, 204);
    assert.equal((await report(bB, 1, { d: '40', p: '0-40', e: '1' })).status, 204);
    v = (await describeEnrolment(B.enrolment_id)).videos[0];
    assert.deepEqual(v.watched.ranges, [[0, 40]]);
    assert.equal(v.watched.to_end, true);
    assert.equal(v.watched.captions_on, true);
    assert.equal(v.finished, true);
    assert.equal(v.answered, false, 'watched is not answered');
    const words = 'afspillet 0:00–0:40 af 0:40 (100 %)';
    assert.ok(v.watched.text.startsWith(words), v.watched.text);
    entries = await journal(B.citizen_id);
    assert.equal(entries.filter((j) => j.kind === 'video_watched').length, 1);
    assert.equal(entries.filter((j) => j.kind === 'video_played').length, 2);
    assert.equal(entries.filter((j) => j.kind === 'video_finished').length, 0);
    assert.ok((await staffPage(B.citizen_id)).includes(words), 'the caseworker page');
    assert.ok((await evidenceText(B.citizen_id)).includes(words), 'the evidence PDF');
    assert.ok(decodeEntities((await bB.get('/borger/kvittering')).text).includes(words), 'the receipt');
  });

  it('the transcript opened is recorded once', async () => {
    assert.equal((await report(bB, 2, { t: '1' })).status, 204);
    assert.equal((await report(bB, 2, { t: '1' })).status, 204);
    const v = (await describeEnrolment(B.enrolment_id)).videos[1];
    assert.equal(v.watched.transcript_opened, true);
    assert.ok(v.watched.text.includes('tekstversionen blev åbnet'), v.watched.text);
    assert.equal((await journal(B.citizen_id)).filter((j) => j.kind === 'transcript_opened').length, 1);
  });

  it('the end reached after seeking past unplayed parts is not watched to the end', async () => {
    const C = await enrol();
    const b = await citizen(C);
    assert.equal((await report(b, 1, { d: '40', p: '0-5', s: '5-38' })).status, 204);
    assert.equal((await report(b, 1, { d: '40', p: '0-5,38-40', e: '1' })).status, 204);
    const v = (await describeEnrolment(C.enrolment_id)).videos[0];
    assert.equal(v.watched.ended, true);
    assert.equal(v.watched.skipped, true);
    assert.equal(v.watched.to_end, false);
    assert.equal(v.watched.text, 'afspillet 0:00–0:05, 0:38–0:40 af 0:40 (18 %)');
    // backwards seeks and seeks within what was played are no skip; the end then counts
    // (0:00–0:39.2 of 0:40, the end reported; a player length far shorter than the video's
    // stated 0:40 would be judged against 0:40, see below)
    const D = await enrol();
    const d = await citizen(D);
    assert.equal((await report(d, 1, { d: '40', p: '0-6', s: '6-1,1-6' })).status, 204);
    assert.equal((await report(d, 1, { d: '40', p: '0-39.2', e: '1' })).status, 204);
    const w = (await describeEnrolment(D.enrolment_id)).videos[0];
    assert.equal(w.watched.skipped, false);
    assert.equal(w.watched.to_end, true, 'ended without skipping');
    // the report of the end may arrive before the report of the seek (two requests in
    // flight): a gap in the played ranges is skipping all the same
    const E = await enrol();
    const e = await citizen(E);
    assert.equal((await report(e, 1, { d: '30', p: '0-5,28-30', e: '1' })).status, 204);
    const x = (await describeEnrolment(E.enrolment_id)).videos[0];
    assert.equal(x.watched.ended, true);
    assert.equal(x.watched.to_end, false, 'a gap before the end is no watching to the end');
    assert.equal((await report(e, 1, { d: '30', p: '0-5,28-30', s: '5-28' })).status, 204);
    assert.equal((await describeEnrolment(E.enrolment_id)).videos[0].watched.to_end, false);
  });

  it('a player length far shorter than the video\'s stated one: the share and "to the end" are judged against the stated length, and the record says both', async () => {
    // video 1 is stated to be 0:40: a player that reports a 1 s file played "to the end" (a
    // cut file, or a page made to report so) is not taken at its word that the video was
    // played to its end; the record says what was played, of which length, and both lengths
    const C = await enrol();
    const b = await citizen(C);
    assert.equal((await report(b, 1, { d: '1', p: '0-1', e: '1' })).status, 204);
    const v = (await describeEnrolment(C.enrolment_id)).videos[0];
    assert.equal(v.watched.to_end, false, 'not to the end of a 40 s video');
    assert.equal(v.finished, false);
    assert.equal(v.watched.share, 0.025);
    assert.equal(v.watched.duration, 1, 'the player\'s length, as it reported it');
    assert.equal(v.watched.stated_duration, 40, 'and the length the share was judged against');
    const played = (await s.api('GET', `/api/v1/citizens/${C.citizen_id}/journal`)).json.entries.find((x) => x.kind === 'video_played');
    assert.deepEqual([played.data.duration, played.data.stated_duration, played.data.share], [1, 40, 0.025],
      'the journal entry\'s figures add up');
    assert.equal(v.watched.text, 'afspillet 0:00–0:01 af 0:40 (3 %); '
      + 'afspilleren angav videoens længde til 0:01, men videoen er opgivet til 0:40');
    const kinds = (await s.api('GET', `/api/v1/citizens/${C.citizen_id}/journal`)).json.entries.map((x) => x.kind);
    assert.ok(!kinds.includes('video_watched'), `no "played to the end" entry: ${kinds.join(' ')}`);
    const ev = await evidenceText(C.citizen_id);
    assert.ok(ev.includes('men videoen er opgivet til 0:40'), 'the evidence says it too');
    assert.ok(!/afspillet til ende/.test(ev), 'and never that it was played to the end');
    // a player length longer than the stated one is the player's: judged against it
    const L = await enrol();
    const l = await citizen(L);
    assert.equal((await report(l, 1, { d: '60', p: '0-60', e: '1' })).status, 204);
    const lv = (await describeEnrolment(L.enrolment_id)).videos[0].watched;
    assert.equal(lv.to_end, true);
    assert.equal(lv.text, 'afspillet 0:00–1:00 af 1:00 (100 %); afspillet til ende; '
      + 'afspilleren angav videoens længde til 1:00, men videoen er opgivet til 0:40');
    // within a tenth of the stated length nothing more is said
    const D = await enrol();
    const d = await citizen(D);
    assert.equal((await report(d, 1, { d: '39.6', p: '0-39.6', e: '1' })).status, 204);
    const dw = (await describeEnrolment(D.enrolment_id)).videos[0].watched;
    assert.equal(dw.text, 'afspillet 0:00–0:40 af 0:40 (100 %); afspillet til ende');
    assert.equal(dw.stated_duration, undefined, 'judged against the player\'s own length');
  });

  it('"ended" with played ranges that stop far before the end is not watched to the end', async () => {
    const F = await enrol();
    const b = await citizen(F);
    assert.equal((await report(b, 1, { d: '40', p: '0-20', e: '1' })).status, 204);
    const v = (await describeEnrolment(F.enrolment_id)).videos[0];
    assert.equal(v.watched.ended, true);
    assert.equal(v.watched.skipped, false);
    assert.equal(v.watched.to_end, false);
    assert.equal(v.finished, false);
    assert.equal(v.watched.text, 'afspillet 0:00–0:20 af 0:40 (50 %)');
    const kinds = (await journal(F.citizen_id)).map((j) => j.kind);
    assert.ok(!kinds.includes('video_watched'), kinds.join(' '));
    const page = await staffPage(F.citizen_id);
    assert.ok(page.includes(`Afspilning: ${v.watched.text}`), 'the caseworker page');
    assert.ok(!page.includes('afspillet til ende') && !page.includes('set til ende'), 'nothing says watched');
    const pdf = await evidenceText(F.citizen_id);
    assert.ok(pdf.includes(v.watched.text), 'the evidence PDF');
    assert.ok(!/afspillet til ende|set til ende/.test(pdf), 'the PDF never says watched');
    // the rest played: now it is
    assert.equal((await report(b, 1, { d: '40', p: '0-40', e: '1' })).status, 204);
    assert.equal((await describeEnrolment(F.enrolment_id)).videos[0].watched.to_end, true);
    assert.equal((await journal(F.citizen_id)).filter((j) => j.kind === 'video_watched').length, 1);
  });

  it('limits: too big 413, too many ranges 422, bogus 400, too many reports 429; nothing changed', async () => {
    const E = await enrol();
    const b = await citizen(E);
    assert.equal((await report(b, 1, { d: '60', p: '0-1,10-11,20-21' })).status, 204);
    const c2 = csrfOf((await b.get('/borger/video/2')).text);
    const before = await describeEnrolment(E.enrolment_id);
    const journalBefore = await journal(E.citizen_id);
    const csrf = csrfOf((await b.get('/borger/video/1')).text);
    const post = (fields) => b.post('/borger/video/1/afspilning', { csrf, ...fields });
    assert.equal((await post({ d: '60', p: '0-1', pad: 'x'.repeat(MAX_BODY) })).status, 413, 'over watch_max_body');
    // the fourth range is allowed, a fifth is not (merged result over watch_max_ranges)
    assert.equal((await post({ d: '60', p: '30-31,40-41' })).status, 422);
    for (const bad of [{ d: '60', p: '0-999' }, { d: '60', p: 'x' }, { d: '-1' }, { d: '60', e: '2' },
      { d: '60', p: '5-1' }, { d: 'NaN' }, { d: '60', s: '1-x' }]) {
      assert.equal((await post(bad)).status, 400, JSON.stringify(bad));
    }
    // played ranges on a video whose duration the player never gave
    assert.equal((await b.post('/borger/video/2/afspilning', { csrf: c2, p: '0-1' })).status, 400, 'no duration');
    assert.deepEqual(await describeEnrolment(E.enrolment_id), before, 'nothing stored');
    assert.deepEqual(await journal(E.citizen_id), journalBefore, 'nothing journalled');
    // per-session rate: within one clock minute, watch_reports_per_minute then 429
    const F = await enrol();
    const f = await citizen(F);
    const csrfF = csrfOf((await f.get('/borger/video/1')).text);
    if (new Date().getSeconds() > 45) await sleep((61 - new Date().getSeconds()) * 1000);
    const minute = Math.floor(Date.now() / 60000);
    for (let i = 0; i < PER_MINUTE; i++) {
      const r = await f.post('/borger/video/1/afspilning', { csrf: csrfF, d: '60', p: `0-${i + 1}` });
      assert.equal(r.status, 204, `report ${i + 1}`);
    }
    const fBefore = await describeEnrolment(F.enrolment_id);
    const r = await f.post('/borger/video/1/afspilning', { csrf: csrfF, d: '60', p: '0-59' });
    assert.equal(r.status, 429);
    assert.match(r.headers['retry-after'] || '', /^\d+$/);
    assert.equal(Math.floor(Date.now() / 60000), minute, 'the test ran within one clock minute');
    assert.deepEqual(await describeEnrolment(F.enrolment_id), fBefore, 'the refused report changed nothing');
    // another session is not limited by it
    assert.equal((await report(b, 2, { d: '60' })).status, 204);
  });

  it('answers without playing: to_end false, "svarede uden at afspille videoen" on the API, the caseworker page and the receipt', async () => {
    const G = await enrol();
    const b = await citizen(G);
    // the page's script reported (the player loaded), nothing was played
    assert.equal((await report(b, 1, { d: '40' })).status, 204);
    await answerVideo(b, 1);
    const e = await describeEnrolment(G.enrolment_id);
    const v = e.videos[0];
    assert.equal(v.answered, true);
    assert.equal(v.finished, false);
    assert.equal(v.watched.to_end, false);
    assert.equal(v.watched.observed, 'not_played');
    const words = 'svarede uden at afspille videoen';
    assert.equal(v.watched.text, words);
    const entries = await journal(G.citizen_id);
    const submitted = entries.find((j) => j.kind === 'answers_submitted');
    assert.deepEqual(submitted.data.watched, { observed: 'not_played', seconds: 0, share: 0, to_end: false });
    assert.equal(entries.filter((j) => /^video_/.test(j.kind)).length, 0, 'no video entry at all');
    assert.ok((await staffPage(G.citizen_id)).includes(words), 'the caseworker page');
    assert.ok((await evidenceText(G.citizen_id)).includes(words), 'the evidence PDF');
    // the citizen's own receipt says the same fact in the citizen's words
    const receipt = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(receipt.includes('du svarede på spørgsmålene; videoen blev ikke afspillet her'), 'the receipt');
    assert.ok(!receipt.includes(words));
    // a completed pack without playing: answered everything, never "watched all videos"
    for (let n = 2; n <= e.videos.length; n++) await answerVideo(b, n);
    assert.equal((await describeEnrolment(G.enrolment_id)).status, 'completed');
    const done = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(done.includes('Du har svaret på alle spørgsmål'), 'completed');
    assert.ok(!done.includes('set alle videoer'), 'no "watched all videos" on the receipt');
    assert.ok(!decodeEntities((await b.get('/borger')).text).includes('set alle videoer'), 'nor on the overview');
  });

  it('without JavaScript: "siden med videoen blev vist; om videoen blev afspillet, ved vi ikke (browseren sendte ingen oplysning om afspilning)"', async () => {
    const H = await enrol();
    const b = await citizen(H);
    await answerVideo(b, 1);
    const v = (await describeEnrolment(H.enrolment_id)).videos[0];
    assert.equal(v.watched.observed, 'no_script');
    assert.equal(v.watched.to_end, false);
    const words = 'siden med videoen blev vist; om videoen blev afspillet, ved vi ikke (browseren sendte ingen oplysning om afspilning)';
    assert.equal(v.watched.text, words);
    assert.ok((await staffPage(H.citizen_id)).includes(words));
    // the citizen's own receipt: the same fact, without the browser talk
    const own = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(own.includes('siden med videoen blev vist; vi kan ikke se, om videoen blev afspillet'), own.slice(0, 300));
    assert.ok(!own.includes('browseren'));
    // and so does the citizen's app, which reads with the link's token
    const app = await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${H.link.split('/').pop()}` } });
    assert.equal(app.status, 200, app.text);
    assert.equal(app.json.videos[0].watched.text, 'siden med videoen blev vist; vi kan ikke se, om videoen blev afspillet');
    // in English on the citizen's own receipt
    const He = await enrol({ language: 'en' });
    const be = await citizen(He);
    await answerVideo(be, 1);
    const receipt = decodeEntities((await be.get('/borger/kvittering')).text);
    assert.ok(receipt.includes('the page with the video was shown; we cannot see whether the video was played'),
      receipt.slice(0, 300));
  });

  it('an older "video_finished" reported_by "answers" shows as "svarede", never as watched', async () => {
    const K = await enrol();
    const b = await citizen(K);
    await answerVideo(b, 1);
    const slug = (await describeEnrolment(K.enrolment_id)).videos[0].id;
    // what the earlier version left: the view marked finished by the answers, and its
    // journal entry (appended with the hash chain intact)
    sqlite(s.db, `UPDATE video_views SET observed = 0, finished_at = started_at
      WHERE enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${K.enrolment_id}');`);
    const [seq, prev] = sqlite(s.db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1;').trim().split('|');
    const pack = sqlite(s.db, `SELECT p.version || '|' || p.content_hash FROM enrolments e JOIN packs p ON p.id = e.pack_id
      WHERE e.uuid = '${K.enrolment_id}';`).trim().split('|');
    const row = {
      seq: Number(seq) + 1, at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), kind: 'video_finished', actor: 'citizen',
      data: JSON.stringify({ content_hash: pack[1], pack_version: Number(pack[0]), reported_by: 'answers', video: slug }),
    };
    const hash = sha256([prev, row.seq, row.at, row.kind, row.actor, K.citizen_id, K.enrolment_id, row.data].join('\n'));
    sqlite(s.db, `INSERT INTO journal(seq, at, kind, actor, citizen_uuid, enrolment_uuid, data, prev_hash, hash)
      VALUES (${row.seq}, '${row.at}', 'video_finished', 'citizen', '${K.citizen_id}', '${K.enrolment_id}',
              '${row.data}', '${prev}', '${hash}');`);
    const verify = cli(['verify', '--db', s.db]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const v = (await describeEnrolment(K.enrolment_id)).videos[0];
    assert.equal(v.finished, false, 'API: not watched');
    assert.equal(v.watched.to_end, false);
    assert.equal(v.watched.observed, 'legacy');
    assert.match(v.watched.text, /^svarede(;|$)/);
    const page = await staffPage(K.citizen_id);
    assert.ok(page.includes('Svarede (ældre registrering'), 'the journal row says "svarede"');
    assert.ok(!page.includes('afspillet til ende'), 'and nothing says watched');
    assert.ok(page.includes(`Afspilning: ${v.watched.text}`));
    const pdf = await evidenceText(K.citizen_id);
    assert.ok(pdf.includes('Svarede (ældre registrering'), 'the PDF journal says "svarede"');
    assert.ok(pdf.includes(v.watched.text));
    assert.ok(!/afspillet til ende/.test(pdf), 'the PDF never says watched');
  });

  it('a page shown without a playable video: "videoen kunne ikke vises", never "without playing"; played later wins', async () => {
    const words = 'videoen kunne ikke vises; teksten til videoen blev vist i stedet';
    // the file is missing: the page says so, opens the text version, shows no player
    const M = await enrol();
    const b = await citizen(M);
    const page = decodeEntities((await b.get('/borger/video/4')).text);
    assert.ok(page.includes('Videoen kan ikke vises lige nu'), 'the page says so');
    assert.ok(!page.includes('<video'), 'no player');
    // the page's script reports (it ran; nothing could be played), the citizen answers
    assert.equal((await report(b, 4, {})).status, 204);
    await answerVideo(b, 4);
    const v = (await describeEnrolment(M.enrolment_id)).videos[3];
    assert.equal(v.answered, true);
    assert.equal(v.watched.observed, 'no_media');
    assert.equal(v.watched.to_end, false);
    assert.equal(v.watched.text, words);
    const submitted = (await journal(M.citizen_id)).find((j) => j.kind === 'answers_submitted');
    assert.deepEqual(submitted.data.watched, { observed: 'no_media', seconds: 0, share: 0, to_end: false });
    const staffText = await staffPage(M.citizen_id);
    assert.ok(staffText.includes(`Afspilning: ${words}`), 'the caseworker page');
    assert.ok(!staffText.includes('svarede uden at afspille'), 'never "answered without playing"');
    const pdf = await evidenceText(M.citizen_id);
    assert.ok(pdf.includes(words), 'the evidence PDF');
    assert.ok(!pdf.includes('svarede uden at afspille'));
    const receipt = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(receipt.includes(words), 'the receipt');
    assert.ok(!receipt.includes('svarede uden at afspille'));
    // in English on an English citizen's receipt; without JavaScript (no report) the same
    const Me = await enrol({ language: 'en' });
    const be = await citizen(Me);
    await answerVideo(be, 4);
    assert.equal((await describeEnrolment(Me.enrolment_id)).videos[3].watched.observed, 'no_media');
    assert.ok(decodeEntities((await be.get('/borger/kvittering')).text)
      .includes('the video could not be shown; its text version was shown instead'));
    // the file arrives; a page with the player, and nothing played yet: still the fact that
    // the page was shown without a video (the citizen answered then) ...
    fs.writeFileSync(path.join(s.dir, 'media', MISSING), 'stand-in');
    await sleep(1100); // the server looks for the file again after a second
    assert.ok((await b.get('/borger/video/4')).text.includes('<video'), 'now a player');
    assert.equal((await report(b, 4, { d: '40' })).status, 204);
    const both = (await describeEnrolment(M.enrolment_id)).videos[3].watched;
    assert.equal(both.observed, 'no_media');
    // ... and that at another visit the page had the video, nothing played
    const other = 'ved et andet besøg blev siden vist med videoen, men der blev ikke registreret nogen afspilning';
    assert.equal(both.player_shown, true);
    assert.equal(both.text, `${words}; ${other}`);
    assert.ok((await staffPage(M.citizen_id)).includes(`Afspilning: ${words}; ${other}`));
    assert.equal(v.watched.player_shown, false, 'before, it had not');
    // ... and once it is played, the played facts win
    assert.equal((await report(b, 4, { d: '40', p: '0-40', e: '1' })).status, 204);
    const w = (await describeEnrolment(M.enrolment_id)).videos[3].watched;
    assert.equal(w.observed, 'played');
    assert.equal(w.to_end, true);
    assert.equal(w.text, 'afspillet 0:00–0:40 af 0:40 (100 %); afspillet til ende');
    assert.equal(w.player_shown, false, 'played: the played facts alone');
    // the other way round: first with the player, then without it (the file gone again)
    const P = await enrol();
    const bp = await citizen(P);
    assert.ok((await bp.get('/borger/video/4')).text.includes('<video'));
    const first = (await describeEnrolment(P.enrolment_id)).videos[3].watched;
    assert.equal(first.observed, 'no_script');
    assert.equal(first.player_shown, false, 'only said of a page also shown without the video');
    fs.unlinkSync(path.join(s.dir, 'media', MISSING));
    await sleep(1100);
    assert.ok(!(await bp.get('/borger/video/4')).text.includes('<video'), 'no player now');
    await answerVideo(bp, 4);
    const later = (await describeEnrolment(P.enrolment_id)).videos[3].watched;
    assert.equal(later.observed, 'no_media');
    assert.equal(later.player_shown, true);
    assert.equal(later.text, `${words}; ${other}`);
    assert.ok((await evidenceText(P.citizen_id)).includes(other), 'the evidence PDF says both');
  });

  it('the language the citizen answered in: journalled, on the caseworker page and in the evidence', async () => {
    const A = await enrol({ language: 'ar' });
    const ba = await citizen(A);
    await answerVideo(ba, 1);
    const D = await enrol();
    await answerVideo(await citizen(D), 1);
    const subA = (await journal(A.citizen_id)).find((j) => j.kind === 'answers_submitted');
    const subD = (await journal(D.citizen_id)).find((j) => j.kind === 'answers_submitted');
    assert.equal(subA.data.language, 'ar');
    assert.equal(subD.data.language, 'da');
    // the citizen switches to English and answers video 2: that submission says English
    const page = await ba.get('/borger');
    assert.equal((await ba.post('/borger/sprog', { csrf: csrfOf(page.text), lang: 'en', back: '/borger' })).status, 303);
    await answerVideo(ba, 2);
    const subs = (await journal(A.citizen_id)).filter((j) => j.kind === 'answers_submitted');
    assert.deepEqual(subs.map((j) => j.data.language), ['ar', 'en']);
    const staff = await staffPage(A.citizen_id);
    assert.ok(staff.includes('<dt>Sprog på borgersiderne</dt><dd>engelsk</dd>'), 'the pages\' language now');
    assert.ok(staff.includes('Svar afgivet (på arabisk)') && staff.includes('Svar afgivet (på engelsk)'),
      'each submission\'s language in the journal');
    assert.ok(!(await staffPage(D.citizen_id)).includes('Svar afgivet (på'), 'Danish: nothing added');
    const pdf = await evidenceText(A.citizen_id);
    assert.ok(pdf.includes('Sprog på borgersiderne nu: engelsk'));
    assert.ok(pdf.includes('besvaret på arabisk; spørgsmål og svar er gengivet her på dansk'), 'video 1\'s answers');
    assert.ok(pdf.includes('besvaret på engelsk; spørgsmål og svar er gengivet her på dansk'), 'video 2\'s answers');
    const pdfD = await evidenceText(D.citizen_id);
    assert.ok(pdfD.includes('Sprog på borgersiderne nu: dansk'));
    assert.ok(!pdfD.includes('besvaret på'), 'answered in Danish: nothing added');
  });

  it('the journal verifies and the statistics agree with a recount', () => {
    const r = cli(['verify', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    statsVerify();
  });
});

// A database made before migration 0007, with what the earlier version wrote: a link
// "opened" when it was fetched, a session, a video the player reported ended, and a video
// "finished" by answering.  Serving it applies 0007; the record then tells the two apart.
describe('a database from before 0007', () => {
  let o;
  let cw;
  const facts = {};

  before(async () => {
    o = await startServer({ demo: false, apikey: false, start: false });
    const mig = path.join(o.dir, 'migrations-0006');
    for (const engine of ['sqlite', 'postgres']) {
      fs.mkdirSync(path.join(mig, engine), { recursive: true });
      for (const f of fs.readdirSync(path.join(ROOT, 'db', 'migrations', engine))) {
        // 0001–0006, plus the later tables and columns that the current binary's `demo` and
        // `verify` use and 0007 does not touch: 0010 (checkpoints), 0014 (languages) and
        // 0028 (a draft's plan, which every enrolment asks about)
        if (/^(000[1-6]|0010|0014|0028)_.*\.sql$/.test(f)) {
          fs.copyFileSync(path.join(ROOT, 'db', 'migrations', engine, f), path.join(mig, engine, f));
        }
      }
    }
    const conf = path.join(o.dir, 'old.ini');
    fs.writeFileSync(conf, `${o.placesIni}[content]\nmigrations_dir = ${mig}\n\n[delivery]\nscheduler = 0\n`);
    const env = { VEJLED_CONFIG: conf };
    for (const args of [['migrate', '--db', o.db], ['demo', '--db', o.db]]) {
      const r = cli(args, { env });
      assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`);
    }
    assert.equal(sqlite(o.db, 'SELECT count(*) FROM schema_migrations WHERE version = 7;').trim(), '0');
    const key = cli(['apikey', 'add', '--db', o.db, '--name', 'test'], { env });
    o.key = key.stdout.trim();
    const [eid, euuid, cuuid, packId] = sqlite(o.db, `SELECT e.id, e.uuid, c.uuid, e.pack_id FROM enrolments e
      JOIN citizens c ON c.id = e.citizen_id JOIN target_groups g ON g.id = e.group_id
      WHERE g.slug = 'dagpenge' AND e.caseworker = 'cw1' AND e.closed_at IS NULL LIMIT 1;`).trim().split('|');
    const vids = sqlite(o.db, `SELECT id, slug FROM videos WHERE pack_id = ${packId} ORDER BY position;`)
      .trim().split('\n').map((l) => l.split('|'));
    const [version, contentHash] = sqlite(o.db, `SELECT version, content_hash FROM packs WHERE id = ${packId};`).trim().split('|');
    const qs = sqlite(o.db, `SELECT q.id, min(o.id) FROM questions q JOIN options o ON o.question_id = q.id
      WHERE q.video_id = ${vids[1][0]} GROUP BY q.id;`).trim().split('\n').map((l) => l.split('|'));
    const now = Math.floor(Date.now() / 1000) - 600;
    const token = crypto.randomBytes(18).toString('base64url');
    Object.assign(facts, { euuid, cuuid, token });
    let sql = `UPDATE enrolments SET opened_at = ${now} WHERE id = ${eid};
      INSERT INTO citizen_sessions(id_hash, enrolment_id, created_at, expires_at) VALUES ('${sha256(token)}', ${eid}, ${now}, ${now + 7200});
      INSERT INTO video_views(enrolment_id, video_id, started_at, finished_at) VALUES (${eid}, ${vids[0][0]}, ${now}, ${now + 60}), (${eid}, ${vids[1][0]}, ${now + 70}, ${now + 80});`;
    for (const [q, opt] of qs) {
      sql += `INSERT INTO answers(enrolment_id, question_id, attempt, chosen, correct, answered_at) VALUES (${eid}, ${q}, 1, '${opt}', 0, ${now + 80});`;
    }
    let [seq, prev] = sqlite(o.db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1;').trim().split('|');
    seq = Number(seq);
    const base = (slug) => ({ content_hash: contentHash, pack_version: Number(version), video: slug });
    const entries = [
      ['link_opened', null, now],
      ['video_finished', { ...base(vids[0][1]), reported_by: 'player' }, now + 60],
      ['video_finished', { ...base(vids[1][1]), reported_by: 'answers' }, now + 80],
    ];
    for (const [kind, data, t] of entries) {
      seq += 1;
      const at = new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const text = data ? JSON.stringify(Object.fromEntries(Object.entries(data).sort())) : '{}';
      const hash = sha256([prev, seq, at, kind, 'citizen', cuuid, euuid, text].join('\n'));
      sql += `INSERT INTO journal(seq, at, kind, actor, citizen_uuid, enrolment_uuid, data, prev_hash, hash)
        VALUES (${seq}, '${at}', '${kind}', 'citizen', '${cuuid}', '${euuid}', '${text}', '${prev}', '${hash}');`;
      prev = hash;
    }
    sqlite(o.db, sql);
    assert.equal(cli(['verify', '--db', o.db]).status, 0);
    await o.start(); // applies 0007
    cw = await staff(o, 'cw1');
  });
  after(async () => {
    if (o) await o.cleanup();
  });

  it('migrates: the player-ended video and the answered one are told apart, neither is "watched"', async () => {
    assert.equal(sqlite(o.db, 'SELECT count(*) FROM schema_migrations WHERE version = 7;').trim(), '1');
    const r = await o.api('GET', `/api/v1/enrolments/${facts.euuid}`);
    assert.equal(r.status, 200, r.text);
    const [v1, v2] = r.json.videos;
    assert.equal(v1.watched.observed, 'legacy');
    assert.equal(v1.watched.to_end, false, 'an end without ranges is not watched to the end');
    assert.equal(v1.finished, false);
    assert.equal(v1.watched.text, 'afspilleren meldte slutningen (ældre registrering uden afspillede tidsrum)');
    assert.equal(v2.watched.observed, 'legacy');
    assert.equal(v2.answered, true);
    assert.equal(v2.finished, false, 'answered is not watched');
    assert.equal(v2.watched.text, 'svarede; siden blev vist (før afspilning blev registreret)');
    const page = await cw.get(`/medarbejder/borger/${facts.cuuid}`);
    const text = decodeEntities(page.text);
    assert.ok(text.includes('Svarede (ældre registrering'), 'the answers entry says "svarede"');
    assert.ok(text.includes('Afspilleren meldte videoens slutning'), 'the player entry says what it was');
    assert.ok(!text.includes('afspillet til ende'));
  });

  it('a session from before counts as used: its next request journals no second opening', async () => {
    const before = (await o.api('GET', `/api/v1/citizens/${facts.cuuid}/journal`)).json.entries.length;
    const b = new Browser(o);
    b.cookies.set('vejled_borger', facts.token);
    assert.equal((await b.get('/borger')).status, 200);
    const after = (await o.api('GET', `/api/v1/citizens/${facts.cuuid}/journal`)).json.entries;
    assert.equal(after.length, before);
    assert.equal(cli(['verify', '--db', o.db]).status, 0);
    assert.equal(cli(['stats', '--db', o.db, '--verify']).status, 0);
  });
});
