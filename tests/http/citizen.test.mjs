// The citizen's pages end to end, as a browser with JavaScript turned off would use them
// (plain links and forms, a cookie jar), checked against the API and the journal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  Browser, cli, csrfOf, decodeEntities, enrolBody, freshCpr, parseForms, parseLinks,
  startServer, withoutCsrf,
} from './harness.mjs';

const HEX64 = /^[0-9a-f]{64}$/;

let s;
const cprs = [];

async function enrol(overrides = {}) {
  const cpr = freshCpr();
  cprs.push(cpr);
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, overrides) });
  assert.equal(r.status, 201, r.text);
  const link = new URL(r.json.link);
  assert.equal(Number(link.port), s.port);
  return { ...r.json, cpr, path: link.pathname };
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

function assertSecurityHeaders(res, what) {
  assert.equal(res.headers['cache-control'], 'no-store', `${what}: Cache-Control`);
  assert.equal(res.headers['referrer-policy'], 'same-origin', `${what}: Referrer-Policy`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  const csp = res.headers['content-security-policy'] || '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(csp, /script-src 'self'/, `${what}: CSP script-src`);
  assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: no unsafe CSP`);
}

function assertHtml(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status}\n${res.text.slice(0, 500)}`);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', what);
  assert.match(res.text, /^<!DOCTYPE html>/i, what);
  // the contact line is the installation's own ([delivery] municipality_contact), never an
  // example number written into the language files
  // on a line of its own, left to right, so that it does not wrap out of order on an
  // Arabic page
  assert.ok(res.text.includes('<p class="vejled-contact" lang="da" dir="ltr">Ring 70 10 20 30 (man-fre 9-15) eller skriv til jobcenter@example.dk</p>'),
    `${what}: the configured contact line`);
  assert.ok(!res.text.includes('70 00 00 00'), `${what}: no example number`);
}

/* The answer form of video n on its page. */
function videoForm(html, n) {
  const form = parseForms(html).find((f) => f.action === `/borger/video/${n}` && f.method === 'post');
  assert.ok(form, `video ${n} has its answer form`);
  const csrf = form.inputs.find((i) => i.name === 'csrf' && i.type === 'hidden');
  assert.ok(csrf && csrf.value, 'the form has a hidden csrf field');
  const questions = new Map(); // name -> {type, options: [value]}
  for (const i of form.inputs) {
    if (!/^q\d+$/.test(i.name)) continue;
    assert.ok(i.type === 'radio' || i.type === 'checkbox', `${i.name} is ${i.type}`);
    if (!questions.has(i.name)) questions.set(i.name, { type: i.type, options: [] });
    questions.get(i.name).options.push(i.value);
  }
  assert.ok(questions.size > 0, `video ${n} has questions`);
  const asks = form.inputs.filter((i) => i.name === 'ask' && i.type === 'checkbox').map((i) => i.value);
  return { csrf: csrf.value, questions, asks, form };
}

/* Every question answered with its first option, as URLSearchParams entries. */
function firstAnswers(vf) {
  const fields = [['csrf', vf.csrf]];
  for (const [name, q] of vf.questions) fields.push([name, q.options[0]]);
  return fields;
}

describe('citizen pages', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  let A; // the citizen who does everything
  let browserA;
  let videos; // from the API
  let overviewBefore;

  it('without a session every citizen page is 403', async () => {
    const anon = new Browser(s);
    for (const p of ['/borger', '/borger/video/1', '/borger/video/1/svar', '/borger/kvittering',
      '/borger/fravalg', '/borger/video/1/tekst/da']) {
      const r = await anon.get(p);
      assertHtml(r, 403, p);
      assert.equal(r.headers['set-cookie'], undefined);
    }
    for (const p of ['/borger/video/1', '/borger/video/1/afspilning', '/borger/fravalg', '/borger/sprog']) {
      assertHtml(await anon.post(p, { csrf: 'x', lang: 'en' }), 403, `POST ${p}`);
    }
    anon.cookies.set('vejled_borger', 'AAAAAAAAAAAAAAAAAAAAAAAA');
    assertHtml(await anon.get('/borger'), 403, 'a made-up session');
    anon.cookies.set('vejled_borger', '../../etc/passwd');
    assertHtml(await anon.get('/borger'), 403, 'a malformed session');
  });

  it('enrolment for the flow', async () => {
    A = await enrol();
    const e = await describeEnrolment(A.enrolment_id);
    assert.equal(e.status, 'not_opened');
    videos = e.videos;
    assert.ok(videos.length >= 2, 'the dagpenge pack has several videos');
  });

  it('opening the link: 303 to /borger with a session cookie; opened when the session comes back', async () => {
    browserA = new Browser(s);
    const r = await browserA.get(A.path);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.location, '/borger');
    assertSecurityHeaders(r, 'link');
    const set = [].concat(r.headers['set-cookie'] || []);
    assert.equal(set.length, 1);
    const cookie = set[0];
    assert.match(cookie, /^vejled_borger=[A-Za-z0-9_-]{24,}; /);
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=(Lax|Strict)/i);
    assert.match(cookie, /; Path=\//);
    assert.ok(!cookie.includes(A.path.slice(3)), 'the session is not the link token');
    assert.ok(browserA.cookies.get('vejled_borger'));
    // fetching the link is not opening it (a link scanner does that too)
    const before = await describeEnrolment(A.enrolment_id);
    assert.equal(before.status, 'not_opened');
    assert.deepEqual((await journal(A.citizen_id)).map((j) => j.kind), ['enrolled']);
    // the browser follows the redirect with the session: now it is opened
    assertHtml(await browserA.get('/borger'), 200, 'overview after the link');
    const e = await describeEnrolment(A.enrolment_id);
    assert.equal(e.status, 'opened');
    assert.ok(e.opened_at);
    const entries = await journal(A.citizen_id);
    assert.deepEqual(entries.map((j) => j.kind), ['enrolled', 'link_opened']);
    assert.deepEqual(entries[1].data, { by: 'session' });
  });

  it('the overview lists every video; HEAD works on it', async () => {
    const r = await browserA.get('/borger');
    assertHtml(r, 200, 'overview');
    assertSecurityHeaders(r, 'overview');
    assert.match(r.text, /<html lang="da"/);
    const links = new Set(parseLinks(r.text).filter((l) => /^\/borger\/video\/\d+$/.test(l)));
    assert.deepEqual([...links].sort(), videos.map((_, i) => `/borger/video/${i + 1}`).sort());
    overviewBefore = r.text;
    const h = await browserA.get('/borger', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.buf.length, 0);
    assert.equal(h.headers['content-type'], 'text/html; charset=utf-8');
    // a video number that does not exist
    assertHtml(await browserA.get(`/borger/video/${videos.length + 1}`), 404, 'no such video');
    assertHtml(await browserA.get('/borger/video/0'), 404, 'video 0');
    assertHtml(await browserA.get('/borger/video/x'), 404, 'video x');
  });

  it('a video page: its form, its captions (text/vtt)', async () => {
    const r = await browserA.get('/borger/video/1');
    assertHtml(r, 200, 'video 1');
    assertSecurityHeaders(r, 'video');
    const vf = videoForm(r.text, 1);
    assert.equal(vf.questions.size, videos[0].questions.length);
    assert.equal(vf.asks.length, videos[0].questions.length, 'an "ask" box per question');
    const vtt = await browserA.get('/borger/video/1/tekst/da');
    assert.equal(vtt.status, 200);
    assert.match(vtt.headers['content-type'], /^text\/vtt/);
    assert.match(vtt.text, /^WEBVTT/);
    assert.equal((await browserA.get('/borger/video/1/tekst/xx')).status, 404);
    // the API does not count a page view as progress yet
    assert.equal((await describeEnrolment(A.enrolment_id)).score.answered, 0);
  });

  describe('CSRF and Origin', () => {
    let vf;
    let journalBefore;

    before(async () => {
      vf = videoForm((await browserA.get('/borger/video/1')).text, 1);
      journalBefore = await journal(A.citizen_id);
    });

    it('a POST without the csrf field, or with a wrong one, is 403', async () => {
      const answers = firstAnswers(vf).filter(([k]) => k !== 'csrf');
      assertHtml(await browserA.post('/borger/video/1', answers), 403, 'no csrf');
      assertHtml(await browserA.post('/borger/video/1', [['csrf', ''], ...answers]), 403, 'empty csrf');
      assertHtml(await browserA.post('/borger/video/1', [['csrf', 'f'.repeat(64)], ...answers]), 403, 'wrong csrf');
      assertHtml(await browserA.post('/borger/video/1', [['csrf', vf.csrf.slice(0, -1)], ...answers]), 403, 'short csrf');
      assertHtml(await browserA.post('/borger/video/1/afspilning', {}), 403, 'player report without csrf');
      assertHtml(await browserA.post('/borger/fravalg', {}), 403, 'decline without csrf');
      assertHtml(await browserA.post('/borger/sprog', { lang: 'en', back: '/borger' }), 403, 'language without csrf');
    });

    it('another session\'s csrf is 403', async () => {
      const other = new Browser(s);
      assert.equal((await other.get(A.path)).status, 303);
      const otherCsrf = csrfOf((await other.get('/borger/video/1')).text);
      assert.ok(otherCsrf && otherCsrf !== vf.csrf);
      const answers = firstAnswers(vf).filter(([k]) => k !== 'csrf');
      assertHtml(await browserA.post('/borger/video/1', [['csrf', otherCsrf], ...answers]), 403, 'foreign csrf');
      journalBefore = await journal(A.citizen_id); // the second device's link_opened
    });

    it('a foreign Origin is 403 even with the right csrf', async () => {
      for (const origin of ['http://evil.example', `http://127.0.0.1:${s.port + 1}`, 'null', 'http://127.0.0.1', `http://evil.example:${s.port}`]) {
        const r = await browserA.post('/borger/video/1', firstAnswers(vf), { headers: { Origin: origin } });
        assertHtml(r, 403, `Origin ${origin}`);
        // the page says plainly that what was sent is not saved, not that a session ran out
        assert.match(r.text, /<h1>Det, du sendte, blev ikke gemt<\/h1>/, `Origin ${origin}: heading`);
        assert.ok(!r.text.includes('Så kan du fortsætte'), `Origin ${origin}: no talk of expiry`);
      }
      const r = await browserA.post('/borger/video/1/afspilning', { csrf: vf.csrf }, { headers: { Origin: 'http://evil.example' } });
      assertHtml(r, 403, 'player report with a foreign Origin');
      const d = await browserA.post('/borger/fravalg', { csrf: vf.csrf }, { headers: { Origin: 'http://evil.example' } });
      assertHtml(d, 403, 'decline with a foreign Origin');
      const n = await browserA.post('/borger/video/1/afspilning', { csrf: vf.csrf },
        { headers: { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' } });
      assertHtml(n, 403, 'Origin null from another site');
    });


    it('a missing answer is 422 "Der er problemer" and keeps the given answers', async () => {
      const fields = firstAnswers(vf);
      const [firstName] = vf.questions.keys();
      const missing = fields.filter(([k]) => k !== firstName);
      const r = await browserA.post('/borger/video/1', missing);
      assertHtml(r, 422, 'missing answer');
      assert.ok(r.text.includes('Der er problemer'), 'the error summary');
      const again = videoForm(r.text, 1);
      const checked = again.form.inputs.filter((i) => i.checked && /^q\d+$/.test(i.name)).map((i) => i.name);
      assert.deepEqual(checked.sort(), [...vf.questions.keys()].filter((k) => k !== firstName).sort());
      // an option that is not one of the question's, and two answers to a one-answer question
      const bad = fields.map(([k, v]) => [k, k === firstName ? '999999999' : v]);
      assertHtml(await browserA.post('/borger/video/1', bad), 422, 'unknown option');
      const q = vf.questions.get(firstName);
      if (q.type === 'radio' && q.options.length > 1) {
        assertHtml(await browserA.post('/borger/video/1', [...fields, [firstName, q.options[1]]]), 422, 'two answers');
      }
      // an "ask" mark for a question of another video
      const otherVideoQ = (await browserA.get('/borger/video/2')).text;
      const foreignAsk = videoForm(otherVideoQ, 2).asks[0];
      assertHtml(await browserA.post('/borger/video/1', [...fields, ['ask', foreignAsk]]), 422, 'foreign ask');
    });

    it('recorded nothing', async () => {
      const e = await describeEnrolment(A.enrolment_id);
      assert.equal(e.score.answered, 0);
      assert.equal(e.declined_at, null);
      assert.ok(e.videos.every((v) => !v.finished));
      assert.deepEqual(e.asked_topics, []);
      assert.equal(e.language, 'da');
      assert.deepEqual(await journal(A.citizen_id), journalBefore);
    });

    it('Origin "null" from a page of its own (a browser under Referrer-Policy: no-referrer) is accepted with Sec-Fetch-Site', async () => {
      const r = await browserA.post('/borger/video/1/afspilning', { csrf: vf.csrf },
        { headers: { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' } });
      assert.equal(r.status, 204, r.text);
    });
  });

  it('form limits: too big is 413, too many fields 400, not a form 415; nothing recorded', async () => {
    const journalBefore = await journal(A.citizen_id);
    const csrf = csrfOf((await browserA.get('/borger/video/1')).text);
    assertHtml(await browserA.post('/borger/video/1', [['csrf', csrf], ['pad', 'x'.repeat(33_000)]]), 413, 'form over 32768 bytes');
    assertHtml(await browserA.post('/borger/video/1/afspilning', [['csrf', csrf], ['pad', 'x'.repeat(2100)]]), 413, 'a player report over watch_max_body');
    assertHtml(await browserA.post('/borger/video/1', [['csrf', csrf], ...Array.from({ length: 600 }, (_, i) => [`f${i}`, '1'])]), 400, '600 fields, more than an answer form can hold (546)');
    assertHtml(await browserA.post('/borger/video/1', [['csrf', csrf], ...Array.from({ length: 40 }, () => ['ask', '1'])]), 400, '40 ask marks');
    const multipart = await s.request('POST', '/borger/video/1', {
      headers: { ...browserA.headers(), 'Content-Type': 'multipart/form-data; boundary=x', Origin: s.origin },
      body: `--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n--x--\r\n`,
    });
    assertHtml(multipart, 415, 'multipart');
    const badPct = await s.request('POST', '/borger/video/1', {
      headers: { ...browserA.headers(), 'Content-Type': 'application/x-www-form-urlencoded', Origin: s.origin },
      body: `csrf=${csrf}&%zz=1&a=%`,
    });
    assertHtml(badPct, 400, 'bad percent-encoding');
    assert.equal((await describeEnrolment(A.enrolment_id)).score.answered, 0);
    assert.deepEqual(await journal(A.citizen_id), journalBefore);
  });

  it('the player reports video 1 played to the end: 204, journalled once as video_watched', async () => {
    const csrf = csrfOf((await browserA.get('/borger/video/1')).text);
    const r = await browserA.post('/borger/video/1/afspilning', { csrf, d: '40', p: '0-40', e: '1' });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.buf.length, 0);
    const e = await describeEnrolment(A.enrolment_id);
    assert.equal(e.videos[0].finished, true);
    assert.equal(e.videos[0].watched.to_end, true);
    assert.ok(e.videos.slice(1).every((v) => !v.finished));
    // twice is once
    assert.equal((await browserA.post('/borger/video/1/afspilning', { csrf, d: '40', p: '0-40', e: '1' })).status, 204);
    const kinds = (await journal(A.citizen_id)).map((j) => j.kind);
    assert.equal(kinds.filter((k) => k === 'video_watched').length, 1);
    assert.equal(kinds.filter((k) => k === 'video_played').length, 0, 'watched at once: no partial entry');
  });

  let askedTopic;

  it('answers video 1, marking the first question to ask about at the meeting', async () => {
    const vf = videoForm((await browserA.get('/borger/video/1')).text, 1);
    const fields = [...firstAnswers(vf), ['ask', vf.asks[0]]];
    const r = await browserA.post('/borger/video/1', fields);
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.location, '/borger/video/1/svar');
    const fb = await browserA.get('/borger/video/1/svar');
    assertHtml(fb, 200, 'feedback 1');
    const e = await describeEnrolment(A.enrolment_id);
    assert.equal(e.status, 'in_progress');
    assert.equal(e.score.answered, videos[0].questions.length);
    askedTopic = e.videos[0].questions[0].topic;
    assert.deepEqual(e.asked_topics, [askedTopic]);
  });

  it('resumes on another device: a fresh cookie jar sees the same progress', async () => {
    const other = new Browser(s);
    const r = await other.get(A.path);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/borger');
    const sessionB = other.cookies.get('vejled_borger');
    assert.ok(sessionB && sessionB !== browserA.cookies.get('vejled_borger'), 'a new session');
    const viewB = await other.get('/borger');
    assertHtml(viewB, 200, 'overview on device B');
    const viewA = await browserA.get('/borger');
    assert.equal(withoutCsrf(viewB.text), withoutCsrf(viewA.text), 'the same overview on both devices');
    assert.notEqual(withoutCsrf(viewA.text), withoutCsrf(overviewBefore), 'the overview shows the progress');
    // the answers given on device A show as checked on device B's page of video 1
    const v1 = videoForm((await other.get('/borger/video/1')).text, 1);
    assert.ok(v1.form.inputs.some((i) => i.name === 'ask' && i.checked), 'the ask mark is kept');
    // and device A still works
    assert.equal((await browserA.get('/borger')).status, 200);
  });

  it('answers every remaining video: 303 to the feedback page, which is 200', async () => {
    for (let n = 2; n <= videos.length; n++) {
      const page = await browserA.get(`/borger/video/${n}`);
      assertHtml(page, 200, `video ${n}`);
      const vf = videoForm(page.text, n);
      assert.equal(vf.questions.size, videos[n - 1].questions.length);
      const r = await browserA.post(`/borger/video/${n}`, firstAnswers(vf));
      assert.equal(r.status, 303, `video ${n}: ${r.text.slice(0, 300)}`);
      assert.equal(r.headers.location, `/borger/video/${n}/svar`);
      assertHtml(await browserA.get(`/borger/video/${n}/svar`), 200, `feedback ${n}`);
    }
  });

  it('the receipt is 200 and lists the topic to ask about', async () => {
    const r = await browserA.get('/borger/kvittering');
    assertHtml(r, 200, 'receipt');
    assertSecurityHeaders(r, 'receipt');
    assert.ok(decodeEntities(r.text).includes(askedTopic), `receipt names "${askedTopic}"`);
  });

  it('the API shows the enrolment completed with every answer', async () => {
    const e = await describeEnrolment(A.enrolment_id);
    assert.equal(e.status, 'completed');
    assert.ok(e.completed_at);
    assert.equal(e.score.answered, e.score.total);
    assert.equal(e.score.total, videos.reduce((n, v) => n + v.questions.length, 0));
    assert.ok(e.score.correct >= 0 && e.score.correct <= e.score.total);
    let correct = 0;
    const wrongTopics = new Set();
    for (const [i, v] of e.videos.entries()) {
      // answering is not watching: only video 1's player reported playback
      assert.equal(v.finished, i === 0, `video ${v.id} watched to the end: only video 1`);
      for (const q of v.questions) {
        assert.equal(q.answer.length, 1, `question ${q.id} has one answer`);
        assert.equal(typeof q.answer[0], 'string');
        assert.equal(typeof q.correct, 'boolean');
        assert.ok(q.answered_at);
        if (q.correct) correct++;
        else wrongTopics.add(q.topic);
      }
    }
    assert.equal(e.score.correct, correct);
    assert.deepEqual(new Set(e.focus_topics), wrongTopics);
    assert.deepEqual(e.asked_topics, [askedTopic]);
  });

  it('the journal holds every step, chained by prev_hash', async () => {
    const entries = await journal(A.citizen_id);
    const kinds = entries.map((j) => j.kind);
    const count = (k) => kinds.filter((x) => x === k).length;
    assert.equal(kinds[0], 'enrolled');
    assert.equal(kinds[kinds.length - 1], 'completed');
    assert.equal(count('enrolled'), 1);
    assert.equal(count('link_opened'), 3, 'device A, the csrf test device, device B');
    assert.equal(count('answers_submitted'), videos.length, 'one per video');
    assert.equal(count('video_finished'), 0, 'answering never says a video was watched');
    assert.equal(count('video_watched'), 1, 'video 1, played by its player');
    assert.equal(count('asked_topics'), 1);
    assert.equal(count('completed'), 1);
    assert.equal(entries.length, 1 + 3 + videos.length + 1 + 1 + 1);
    const submitted = entries.filter((j) => j.kind === 'answers_submitted').map((j) => j.data.video);
    assert.deepEqual(submitted, videos.map((v) => v.id), 'answers per video, in order');
    for (const [i, j] of entries.entries()) {
      assert.match(j.hash, HEX64);
      assert.match(j.prev_hash, HEX64);
      assert.equal(j.enrolment_id, A.enrolment_id);
      if (i > 0) {
        assert.ok(j.seq > entries[i - 1].seq, 'in order');
        assert.ok(j.at >= entries[i - 1].at, 'time goes forward');
      }
    }
    // nothing else happened on this server while the citizen went through: one unbroken run
    for (let i = 1; i < entries.length; i++) {
      assert.equal(entries[i].seq, entries[i - 1].seq + 1, 'consecutive entries');
      assert.equal(entries[i].prev_hash, entries[i - 1].hash, `entry ${entries[i].seq} links to ${entries[i - 1].seq}`);
    }
    assert.equal(new Set(entries.map((j) => j.hash)).size, entries.length);
  });

  it('`vejled verify` finds the journal intact while the server runs', () => {
    const r = cli(['verify', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /journal intact/);
  });

  it('declining: 303 to the receipt, status declined, journal "declined" once', async () => {
    const B = await enrol({ target_group: 'sygedagpenge' });
    const b = new Browser(s);
    assert.equal((await b.get(B.path)).status, 303);
    const page = await b.get('/borger/fravalg');
    assertHtml(page, 200, 'decline page');
    const form = parseForms(page.text).find((f) => f.action === '/borger/fravalg');
    assert.ok(form && form.method === 'post', 'a plain form to decline');
    const csrf = form.inputs.find((i) => i.name === 'csrf').value;
    const r = await b.post('/borger/fravalg', { csrf });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/borger/kvittering');
    assertHtml(await b.get('/borger/kvittering'), 200, 'receipt after declining');
    const e = await describeEnrolment(B.enrolment_id);
    assert.equal(e.status, 'declined');
    assert.ok(e.declined_at);
    assert.equal(e.target_group, 'sygedagpenge');
    // again: no second entry
    assert.equal((await b.post('/borger/fravalg', { csrf })).status, 303);
    const kinds = (await journal(B.citizen_id)).map((j) => j.kind);
    assert.deepEqual(kinds, ['enrolled', 'link_opened', 'declined']);

    // the language switch: back only to our own pages
    let l = await b.post('/borger/sprog', { csrf, lang: 'en', back: '/borger/kvittering' });
    assert.equal(l.status, 303);
    assert.equal(l.headers.location, '/borger/kvittering');
    assert.match((await b.get('/borger')).text, /<html lang="en"/);
    assert.equal((await describeEnrolment(B.enrolment_id)).language, 'en');
    for (const back of ['//evil.example/borger', 'https://evil.example/', '/borger//evil', '/borger\\x', '']) {
      l = await b.post('/borger/sprog', { csrf, lang: 'da', back });
      assert.equal(l.status, 303, back);
      assert.equal(l.headers.location, '/borger', `back=${back}`);
    }
    assertHtml(await b.post('/borger/sprog', { csrf, lang: 'fr', back: '/borger' }), 400, 'unknown language');
    // a CR LF in back never becomes a header of its own
    l = await b.post('/borger/sprog', { csrf, lang: 'da', back: '/borger\r\nSet-Cookie: injected=1' });
    assert.equal(l.status, 303);
    assert.equal(l.headers.location, '/borger', 'a back with control characters goes to the overview');
    assert.ok(!JSON.stringify(l.rawHeaders).toLowerCase().includes('injected'), 'no header injection');
    assert.ok(!b.cookies.has('injected'));
    assert.match((await b.get('/borger')).text, /<html lang="da"/);
  });

  it('after declining, the overview still shows which videos the citizen has answered, and only those', async () => {
    const C = await enrol({ target_group: 'sygedagpenge' });
    const b = new Browser(s);
    assert.equal((await b.get(C.path)).status, 303);
    const vf = videoForm((await b.get('/borger/video/1')).text, 1);
    assert.equal((await b.post('/borger/video/1', firstAnswers(vf))).status, 303);
    assert.equal((await b.post('/borger/fravalg', { csrf: vf.csrf })).status, 303);
    const overview = await b.get('/borger');
    assertHtml(overview, 200, 'overview after declining');
    const items = overview.text.split('<li class="vejled-video-item">').slice(1);
    assert.ok(items.length > 1);
    assert.match(items[0], /vejled-state-done">Færdig</, 'the answered video is shown as done');
    // the others are not labelled: no "not answered yet" for a citizen who chose the meeting
    assert.ok(items.slice(1).every((li) => !li.includes('vejled-state')), 'the others carry no state');
  });

  it('an unknown or garbage token is 404, with the same page for both', async () => {
    const anon = new Browser(s);
    const unknown = await anon.get('/v/AAAAAAAAAAAAAAAAAAAAAAAA');
    assertHtml(unknown, 404, 'unknown token');
    assertSecurityHeaders(unknown, 'unknown token');
    assert.equal(unknown.headers['set-cookie'], undefined);
    assert.equal(unknown.headers.location, undefined);
    assert.ok(!unknown.text.includes('AAAAAAAAAAAAAAAAAAAAAAAA'), 'the token is not echoed');
    // A's token with one character changed is just as unknown
    const t = A.path.slice(3);
    const near = `/v/${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
    for (const p of ['/v/garbage', '/v/%3Cscript%3Ealert(1)%3C%5Cscript%3E', `/v/${'x'.repeat(200)}`, near, '/v/AAAAAAAAAAAAAAAAAAAAAAA=']) {
      const r = await anon.get(p);
      assertHtml(r, 404, p);
      assert.equal(r.text, unknown.text, `${p}: the same page`);
      assert.ok(!r.text.includes('<script>'));
    }
    assert.equal(anon.cookies.size, 0);
  });

  it('no CPR appears in any response, header, journal or log line', async () => {
    // the journals, read once more so that they are among the responses checked
    await journal(A.citizen_id);
    const received = s.allReceived();
    assert.ok(received.length > 50);
    assert.ok(cprs.length >= 2);
    for (const c of cprs) {
      const dashed = `${c.slice(0, 6)}-${c.slice(6)}`;
      for (const text of received) {
        assert.ok(!text.includes(c) && !text.includes(dashed), `CPR in a response:\n${text.slice(0, 1000)}`);
      }
      for (const line of s.stderr.split('\n')) {
        assert.ok(!line.includes(c) && !line.includes(dashed), `CPR in the log: ${line}`);
      }
    }
  });

  it('stops cleanly on SIGTERM (exit 0, "vejled: stopped", no sanitizer report)', async () => {
    await s.stop();
    for (const c of cprs) assert.ok(!s.stderr.includes(c));
    const r = cli(['verify', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /journal intact/);
  });
});
