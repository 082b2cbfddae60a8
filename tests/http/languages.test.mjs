// The citizen pages' languages as data, titles, error pages in the citizen's language, the
// receipt and the decline confirmation, over plain HTTP (no JavaScript).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Browser, ROOT, cli, csrfOf, decodeEntities, enrolBody, freshCpr, parseForms, startServer,
} from './harness.mjs';

const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const SITE = 'Vejledning om rettigheder og pligter';

function title(html) {
  return decodeEntities(/<title>([^<]*)<\/title>/.exec(html)[1]);
}

function htmlTag(html) {
  const m = /<html lang="([^"]+)" dir="([^"]+)">/.exec(html);
  assert.ok(m, 'the page has <html lang dir>');
  return { lang: m[1], dir: m[2] };
}

/** A citizen with a session: enrolled in dagpenge in language, link opened. */
async function citizen(s, language = 'da') {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
  assert.equal(r.status, 201, r.text);
  const b = new Browser(s);
  assert.equal((await b.get(new URL(r.json.link).pathname)).status, 303);
  b.enrolment = r.json.enrolment_id;
  return b;
}

/** Answers video n with the first option of every question (not all right). */
async function answerFirst(b, n) {
  const page = await b.get(`/borger/video/${n}`);
  const form = parseForms(page.text).find((f) => f.action === `/borger/video/${n}`);
  const fields = [['csrf', csrfOf(page.text)]];
  const seen = new Set();
  for (const i of form.inputs) {
    if (/^q\d+$/.test(i.name) && !seen.has(i.name)) {
      seen.add(i.name);
      fields.push([i.name, i.value]);
    }
  }
  return b.post(`/borger/video/${n}`, fields);
}

describe('languages, titles, receipt', () => {
  let s;
  before(async () => {
    s = await startServer({ config: '[citizen]\ntoken_misses_per_minute = 3\n' });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('every page has its own title; a video page says which video of how many', async () => {
    const b = await citizen(s);
    assert.equal(title((await b.get('/borger')).text), `Dine videoer – ${SITE}`);
    assert.equal(title((await b.get('/borger/video/2')).text),
      `Video 2 af 4: ${PACK.videos[1].title.da} – ${SITE}`);
    const v1 = await b.get('/borger/video/1');
    assert.equal(title(v1.text), `Video 1 af 4: ${PACK.videos[0].title.da} – ${SITE}`);
    // the demo's content is valid with no last day: the legal-basis line names none (the
    // last day, in words, is held by validity.test.mjs)
    assert.equal(PACK.videos[0].valid_to, '');
    assert.ok(decodeEntities(v1.text).includes(`Lovgrundlag: <bdi lang="da">${PACK.videos[0].legal_basis}</bdi></p>`), 'the legal basis, no last day');
    // a form sent with nothing chosen: "Fejl: " first
    const bad = await b.post('/borger/video/1', { csrf: csrfOf(v1.text) });
    assert.equal(bad.status, 422);
    assert.equal(title(bad.text), `Fejl: Video 1 af 4: ${PACK.videos[0].title.da} – ${SITE}`);
    assert.equal((await answerFirst(b, 1)).status, 303);
    const fb = await b.get('/borger/video/1/svar');
    assert.equal(title(fb.text), `Forklaring til dine svar: Video 1 af 4: ${PACK.videos[0].title.da} – ${SITE}`);
    assert.equal(title((await b.get('/borger/kvittering')).text), `Det har vi gemt – ${SITE}`);
    assert.equal(title((await b.get('/borger/fravalg')).text), `Hør om det til mødet – ${SITE}`);
    // an error page says which error
    const nf = await b.get('/borger/video/99');
    assert.equal(nf.status, 404);
    assert.equal(title(nf.text), `Siden findes ikke – ${SITE}`);
    // the front page is the site itself: its name once, not "name – name"
    assert.equal(title((await b.get('/')).text), SITE);
  });

  it('the progress line: video n of m, the whole time from the durations, what is left', async () => {
    // each video's whole minutes, rounded up, as the overview shows them; the line sums those
    const mins = PACK.videos.map((v) => Math.ceil(v.duration_seconds / 60));
    const total = mins.reduce((a, m) => a + m, 0);
    const b = await citizen(s);
    const line = (html) => decodeEntities(/id="vejled-progress">(.*?)<\/p>/s.exec(html)[1]).replace(/<[^>]+>/g, '');
    assert.equal(line((await b.get('/borger')).text), `4 videoer, ca. ${total} min. i alt`);
    assert.equal(line((await b.get('/borger/video/3')).text), `Video 3 af 4 · ca. ${total} min. i alt`);
    const v1 = await b.get('/borger/video/1');
    const form = parseForms(v1.text).find((f) => f.action === '/borger/video/1');
    const fields = [['csrf', csrfOf(v1.text)]];
    for (const [qi, q] of PACK.videos[0].questions.entries()) {
      const inputs = form.inputs.filter((i) => /^q\d+$/.test(i.name));
      const names = [...new Set(inputs.map((i) => i.name))];
      const mine = inputs.filter((i) => i.name === names[qi]);
      q.options.forEach((o, oi) => { if (o.correct) fields.push([names[qi], mine[oi].value]); });
    }
    assert.equal((await b.post('/borger/video/1', fields)).status, 303);
    const left = mins.slice(1).reduce((a, m) => a + m, 0);
    assert.equal(line((await b.get('/borger/video/1/svar')).text),
      `Video 1 af 4 · Tid til de videoer, du mangler: ca. ${left} min. (alle videoer: ca. ${total} min.)`);
    const fb = decodeEntities((await b.get('/borger/video/1/svar')).text);
    assert.match(fb, /3 af 3 rigtige/, 'the feedback sums up');
  });

  it('minutes: each video\'s the same on the overview, its page and the receipt, and the line adds them up', async () => {
    const b = await citizen(s);
    const text = (html) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    const overview = decodeEntities((await b.get('/borger')).text);
    const perVideo = [...overview.matchAll(/<span class="vejled-video-meta">(\d+) min\./g)].map((m) => Number(m[1]));
    assert.equal(perVideo.length, PACK.videos.length);
    const total = perVideo.reduce((a, m) => a + m, 0);
    assert.ok(text(overview).includes(`4 videoer, ca. ${total} min. i alt`), 'the line is the sum of the videos\' minutes');
    for (const [vi, m] of perVideo.entries()) {
      assert.ok(text((await b.get(`/borger/video/${vi + 1}`)).text).includes(`Videoens længde: ${m} min.`),
        `video ${vi + 1}: its page gives the overview's minutes`);
    }
    assert.equal((await answerFirst(b, 2)).status, 303);
    const receipt = text((await b.get('/borger/kvittering')).text);
    for (const [vi, v] of PACK.videos.entries()) {
      assert.ok(receipt.includes(`${v.title.da} (${perVideo[vi]} min.)`), `receipt: video ${vi + 1}'s minutes`);
    }
    const left = total - perVideo[1];
    assert.ok(receipt.includes(`Tid til de videoer, du mangler: ca. ${left} min. (alle videoer: ca. ${total} min.)`), receipt);
  });

  it('the receipt says which videos\' questions were answered and when, and no more', async () => {
    const b = await citizen(s);
    const text = (html) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    const before = Date.now();
    assert.equal((await answerFirst(b, 2)).status, 303);
    const receipt = text((await b.get('/borger/kvittering')).text);
    assert.ok(receipt.includes('Dine svar Du har svaret på 3 af 12 spørgsmål.'), receipt);
    const items = receipt.split(/(?=Du skal stå til rådighed|Jobsøgning, CV og Min joblog|Møder, og hvis|Sygdom og ferie)/).slice(1);
    assert.equal(items.length, 4);
    // the answered video: how many of its questions, and when they were sent (Copenhagen time)
    const sent = /Du har svaret på 3 af 3 spørgsmål, sendt (\d+)\. ([a-zæø]+) (\d{4}) kl\. (\d\d)\.(\d\d) ?\./.exec(items[1]);
    assert.ok(sent, items[1]);
    const cph = new Intl.DateTimeFormat('da-DK', { timeZone: 'Europe/Copenhagen', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const parts = Object.fromEntries(cph.formatToParts(new Date(before)).map((p) => [p.type, p.value]));
    assert.equal(Number(sent[1]), Number(parts.day), 'sent today');
    // the others: plainly not answered, no "0 af 3", no "færdig" for a video not watched
    for (const i of [0, 2, 3]) {
      assert.ok(items[i].includes('Ingen svar endnu.'), items[i]);
      assert.ok(!/0 af 3/.test(items[i]), items[i]);
    }
    assert.ok(!receipt.includes('færdig Afspilning'), 'no "done" beside the playback');
    assert.ok(!receipt.includes('Svar gemt:'), 'the old overstating heading is gone');
  });

  it('counts read right in Arabic (zero, one, two, few, many) and Ukrainian (one, few, many)', async () => {
    const text = (html) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    const ar = await citizen(s, 'ar');
    let t = text((await ar.get('/borger')).text);
    assert.ok(t.includes('4 مقاطع فيديو, حوالي 4 دقائق في المجموع'), t); // 4: few
    assert.equal((t.match(/دقيقة واحدة/g) || []).length, 4, 'each 1-minute video: "one minute", no numeral');
    assert.ok(!/\b1 دقيقة/.test(t), 'not "1 دقيقة"');
    assert.ok(t.includes('لقد أجبت عن 0 من 12 سؤالًا'), t); // 12: many
    assert.equal((await answerFirst(ar, 1)).status, 303);
    t = text((await ar.get('/borger/kvittering')).text);
    assert.ok(t.includes('حوالي 3 دقائق (كل المقاطع: حوالي 4 دقائق)'), t);
    assert.ok(t.includes('لقد أجبت عن 3 من 3 أسئلة'), t); // 3: few
    const uk = await citizen(s, 'uk');
    t = text((await uk.get('/borger')).text);
    assert.ok(t.includes('Ви відповіли на 0 з 12 запитань'), t); // 12: many
    assert.equal((await answerFirst(uk, 1)).status, 303);
    t = text((await uk.get('/borger/kvittering')).text);
    assert.ok(t.includes('Ви відповіли на 3 з 3 запитань'), t); // 3: few
    const en = await citizen(s, 'en');
    t = text((await en.get('/borger')).text);
    assert.ok(t.includes('4 videos, about 4 min. in all'), t);
    assert.ok(t.includes('You have answered 0 of 12 questions'), t);
  });

  it('feedback: "n af m rigtige" and each chosen answer on its own line', async () => {
    const b = await citizen(s);
    await answerFirst(b, 2);
    const fb = decodeEntities((await b.get('/borger/video/2/svar')).text);
    // only the first option chosen: right when it is the one right option
    const right = PACK.videos[1].questions
      .filter((q) => q.options[0].correct && q.options.filter((o) => o.correct).length === 1).length;
    assert.match(fb, new RegExp(`${right} af 3 rigtige`));
    const chosen = /<ul class="vejled-choices">(.*?)<\/ul>/s.exec(fb);
    assert.ok(chosen, 'the chosen answers are a list');
    assert.equal(chosen[1].match(/<li>/g).length, 1);
  });

  it('the receipt: a stable reference (also in the API), date and time, the meeting and how to move it', async () => {
    const b = await citizen(s);
    await answerFirst(b, 1);
    const r1 = decodeEntities((await b.get('/borger/kvittering')).text);
    const ref = /class="vejled-reference">([^<]+)</.exec(r1)[1];
    assert.match(ref, /^VJ-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    const r2 = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(r2.includes(ref), 'the same reference on every visit');
    const api = await s.api('GET', `/api/v1/enrolments/${b.enrolment}`);
    assert.equal(api.json.receipt_reference, ref, 'the API gives the same reference');
    const other = await citizen(s);
    assert.ok(!decodeEntities((await other.get('/borger/kvittering')).text).includes(ref),
      'another enrolment has another');
    assert.match(r1, /Dato og tid<\/dt><dd><bdi dir="ltr">\d+\. [a-zæø]+ \d{4} kl\. \d\d\.\d\d<\/bdi>/);
    assert.match(r1, /1\. marts 2030 kl\. 10\.00/, 'the meeting time (Copenhagen)');
    assert.ok(r1.includes('Jobcenter Eksempelby'), 'the meeting place from [delivery]');
    assert.ok(r1.includes('Kan du ikke komme?'), 'how to move the meeting');
    assert.ok(r1.includes('Udskriv eller gem som PDF'), 'the print button');
    assert.ok(!r1.includes('Du er færdig'), 'not finished: no "you are done"');
  });

  it('declining: a calm confirmation, no zeros, no "not finished"', async () => {
    const b = await citizen(s);
    const page = await b.get('/borger/fravalg');
    assert.ok(decodeEntities(page.text).includes('Dit valg påvirker ikke din ydelse'));
    assert.equal((await b.post('/borger/fravalg', { csrf: csrfOf(page.text) })).status, 303);
    const receipt = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(receipt.includes('Du har valgt at få vejledningen til mødet. Det påvirker ikke din ydelse.'));
    assert.ok(receipt.includes('Du er færdig – du kan lukke siden'));
    assert.ok(!receipt.includes('0 af 12'), 'no zeros');
    assert.ok(!receipt.includes('ikke færdig'), 'not "not finished"');
    const overview = decodeEntities((await b.get('/borger')).text);
    assert.ok(overview.includes('Du har valgt at få vejledningen til mødet.'));
    assert.ok(!overview.includes('Du har svaret på'), 'no answered-count on a declined overview');
    assert.ok(!overview.includes('Ikke besvaret endnu'), 'no per-video "not answered"');
    // nothing is "left" for a citizen who chose the meeting, even with a video answered
    assert.equal((await answerFirst(b, 1)).status, 303);
    for (const p of ['/borger', '/borger/kvittering', '/borger/video/2']) {
      const t = decodeEntities((await b.get(p)).text);
      assert.ok(!t.includes('Tilbage:'), `${p}: no time left`);
      assert.match(t, /ca\. \d+ min\. i alt/, `${p}: the whole time`);
    }
    const again = decodeEntities((await b.get('/borger/fravalg')).text);
    assert.ok(again.includes('Du får vejledningen til mødet'), 'the decline page confirms it too');
  });

  it('the language switch offers every listed language and returns to the same page', async () => {
    const langs = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8'));
    const b = await citizen(s);
    const page = await b.get('/borger/video/2');
    const form = parseForms(page.text).find((f) => f.action === '/borger/sprog');
    assert.equal(form.inputs.find((i) => i.name === 'back').value, '/borger/video/2');
    for (const l of langs.filter((x) => x.code !== 'da')) {
      assert.ok(page.text.includes(`name="lang" value="${l.code}"`), `a button for ${l.code}`);
    }
    const r = await b.post('/borger/sprog', { csrf: csrfOf(page.text), lang: 'ar', back: '/borger/video/2' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/borger/video/2');
    const ar = await b.get('/borger/video/2');
    assert.deepEqual(htmlTag(ar.text), { lang: 'ar', dir: 'rtl' });
    assert.ok(decodeEntities(ar.text).includes(PACK.translations.ar['v.joblog-cv.title']), 'the pack text in Arabic');
    assert.ok(decodeEntities(ar.text).includes(PACK.translations.ar['v.joblog-cv.q.joblog-cv-1.o1']), 'options too');
    assert.ok(decodeEntities(ar.text).includes('ترجمة كمثال'), 'marked as an example translation ("example": true)');
    // a language not offered changes nothing
    const bad = await b.post('/borger/sprog', { csrf: csrfOf(ar.text), lang: 'xx', back: '/borger' });
    assert.equal(bad.status, 400);
    assert.equal(htmlTag((await b.get('/borger')).text).lang, 'ar');
  });

  it('captions: one track per language the video has, srclang set; others are 404', async () => {
    const b = await citizen(s, 'uk');
    const vtt = await b.get('/borger/video/1/tekst/uk');
    assert.equal(vtt.status, 200);
    assert.match(vtt.text, /^WEBVTT/);
    assert.ok(vtt.text.includes('dagpenge'));
    assert.equal((await b.get('/borger/video/1/tekst/ar')).status, 200);
    assert.equal((await b.get('/borger/video/1/tekst/xx')).status, 404);
    assert.equal((await b.get('/borger/video/1/tekst/..')).status, 404);
  });

  it('the enrolment language comes from the API body; an unknown one is refused', async () => {
    const ok = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'uk' }) });
    assert.equal(ok.status, 201, ok.text);
    const d = await s.api('GET', `/api/v1/enrolments/${ok.json.enrolment_id}`);
    assert.equal(d.json.language, 'uk');
    const b = new Browser(s);
    await b.get(new URL(ok.json.link).pathname);
    assert.deepEqual(htmlTag((await b.get('/borger')).text), { lang: 'uk', dir: 'ltr' });
    const bad = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'xx' }) });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.field, 'language');
  });

  it('error pages: the session\'s language, else ?sprog=, else Accept-Language, with a switch', async () => {
    const b = await citizen(s, 'ar');
    const nf = await b.get('/borger/video/99');
    assert.equal(nf.status, 404);
    assert.deepEqual(htmlTag(nf.text), { lang: 'ar', dir: 'rtl' });
    const unrouted = await b.get('/borger/findes/ikke');
    assert.equal(unrouted.status, 404);
    assert.equal(htmlTag(unrouted.text).lang, 'ar', 'a path no route has: still the session\'s language');
    const anon = new Browser(s);
    const uk = await anon.get('/borger', { headers: { 'Accept-Language': 'uk-UA,uk;q=0.9,en;q=0.5' } });
    assert.equal(uk.status, 403);
    assert.equal(htmlTag(uk.text).lang, 'uk');
    const en = await anon.get('/borger', { headers: { 'Accept-Language': 'fr;q=1, en-GB;q=0.8' } });
    assert.equal(htmlTag(en.text).lang, 'en');
    const none = await anon.get('/borger', { headers: { 'Accept-Language': 'fr, de;q=0.5' } });
    assert.equal(htmlTag(none.text).lang, 'da', 'nothing offered: Danish');
    const asked = await anon.get('/borger?sprog=ar', { headers: { 'Accept-Language': 'uk' } });
    assert.equal(htmlTag(asked.text).lang, 'ar', 'the switch wins over the browser');
    assert.ok(asked.text.includes('href="?sprog=da"'), 'the switch: the same address in another language');
    const link = await anon.get('/v/this-link-is-not-real-0000', { headers: { 'Accept-Language': 'uk' } });
    assert.equal(link.status, 404);
    assert.equal(htmlTag(link.text).lang, 'uk');
    assert.ok(!link.text.includes('this-link-is-not-real'), 'the link is not echoed');
    const home = await anon.get('/', { headers: { 'Accept-Language': 'ar-EG' } });
    assert.deepEqual(htmlTag(home.text), { lang: 'ar', dir: 'rtl' }, 'the home page too');
    assert.ok(home.text.includes('href="?sprog=en"'));
    // 429 after [citizen] token_misses_per_minute unknown links, in the browser's language
    let last;
    for (let i = 0; i < 5; i++) last = await anon.get(`/v/unknown-${i}-xxxxxxxxxxxxxxxx`, { headers: { 'Accept-Language': 'ar' } });
    assert.equal(last.status, 429);
    assert.deepEqual(htmlTag(last.text), { lang: 'ar', dir: 'rtl' });
    assert.equal(title(last.text), 'محاولات كثيرة جدًا – إرشادات حول حقوقك وواجباتك');
  });
});

describe('a pack first loaded by a citizen page', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('keeps its translations after that page (the cache is not the request\'s memory)', async () => {
    // the demo link is the first request that needs the dagpenge pack: it is loaded into
    // the content cache while a citizen page is built
    const b = new Browser(s);
    assert.equal((await b.follow(new URL(s.demoLink).pathname)).status, 200);
    for (let i = 0; i < 3; i++) {
      assert.equal((await b.get('/borger')).status, 200);
      assert.equal((await b.get('/borger/video/1')).status, 200);
      assert.equal((await b.get('/borger/video/1/tekst/ar')).status, 200);
    }
    assert.equal(s.exit, null, 'the server is still running');
  });
});

describe('a language added as data only', () => {
  let s;
  before(async () => {
    // a copy of the templates with one more language: a list entry and a strings file
    s = await startServer({ start: false });
    const dir = path.join(s.dir, 'templates');
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    const list = JSON.parse(fs.readFileSync(path.join(dir, 'lang', 'languages.json'), 'utf8'));
    list.push({ code: 'tr', name: 'Türkçe', dir: 'ltr' });
    fs.writeFileSync(path.join(dir, 'lang', 'languages.json'), JSON.stringify(list));
    fs.writeFileSync(path.join(dir, 'lang', 'tr.json'), JSON.stringify({ overview_title: 'Videolarınız' }));
    fs.appendFileSync(s.configFile, `\n[content]\ntemplate_dir = ${dir}\n`);
    await s.start();
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('is offered, taken by the API, shown, and falls back to Danish per string and per text', async () => {
    const b = await citizen(s, 'tr');
    const page = await b.get('/borger');
    assert.deepEqual(htmlTag(page.text), { lang: 'tr', dir: 'ltr' });
    const text = decodeEntities(page.text);
    assert.ok(text.includes('<h1>Videolarınız</h1>'), 'its own string');
    assert.ok(text.includes('Se de korte videoer'), 'a string it lacks: Danish');
    assert.ok(text.includes(PACK.videos[0].title.da), 'a pack text it lacks: Danish');
    // the pack has no Turkish texts at all: its Danish texts are marked as Danish, so that a
    // screen reader reads them as Danish and a right-to-left page lays them out left to right
    assert.ok(text.includes(`class="vejled-video-link" lang="da" dir="ltr">${PACK.videos[0].title.da}<`), 'marked Danish');
    const video = decodeEntities((await b.get('/borger/video/1')).text);
    assert.ok(video.includes(`<h1 lang="da" dir="ltr">${PACK.videos[0].title.da}</h1>`), 'the video page\'s title marked Danish');
    assert.match(video, /<label class="form-label" for="[^"]+" lang="da" dir="ltr">/, 'the answers marked Danish');
    // a pack that has the page's language: its texts are not marked
    const ar = decodeEntities((await (await citizen(s, 'ar')).get('/borger')).text);
    assert.ok(ar.includes('class="vejled-video-link">'), 'Arabic texts on an Arabic page');
    assert.ok(!ar.includes('class="vejled-video-link" lang='), 'not marked');
    assert.ok(!text.includes('Eksempeloversættelse'), 'not listed as an example: no example-translation notice');
    // the switch of a citizen page offers the pack's languages (and the current one)
    assert.ok(page.text.includes('aria-current="true">Türkçe<'), 'its own name, marked current');
    const other = await citizen(s, 'da');
    const da = (await other.get('/borger')).text;
    assert.ok(!da.includes('value="tr"'), 'dagpenge has no Turkish texts: not offered');
    assert.ok(da.includes('value="ar"') && da.includes('value="uk"'), 'its translations are');
    const r = await s.api('POST', '/api/v1/enrolments',
      { body: enrolBody(freshCpr(), { language: 'da', target_group: 'sygedagpenge' }) });
    const syg = new Browser(s);
    await syg.get(new URL(r.json.link).pathname);
    const sygPage = (await syg.get('/borger')).text;
    assert.ok(sygPage.includes('value="en"') && !sygPage.includes('value="ar"'), 'a pack without translations: da, en');
    // a page without a session offers every language
    assert.ok((await new Browser(s).get('/')).text.includes('href="?sprog=tr"'));
  });
});

describe('a pack translated in part', () => {
  let s;
  const V = PACK.videos[0];
  const [Q1, Q2] = V.questions;
  const AR = PACK.translations.ar;
  const left = [`v.${V.slug}.title`, `v.${V.slug}.transcript`, `v.${V.slug}.q.${Q1.slug}.text`,
    `v.${V.slug}.q.${Q1.slug}.o1`, `v.${V.slug}.q.${Q1.slug}.explanation`,
    `v.${V.slug}.q.${Q1.slug}.topic`, 'group.name'];
  before(async () => {
    // the demo content with some of dagpenge's Arabic texts left out
    s = await startServer({ demo: false, apikey: false, start: false, config: '[content]\ndemo_dir = {dir}/demo\n' });
    const demo = path.join(s.dir, 'demo');
    fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
    const pack = structuredClone(PACK);
    for (const k of left) {
      assert.ok(pack.translations.ar[k], `the demo pack translates ${k}`);
      delete pack.translations.ar[k];
    }
    fs.writeFileSync(path.join(demo, 'packs', 'dagpenge.json'), JSON.stringify(pack));
    const r = cli(['demo', '--db', s.db, '--config', s.configFile]);
    assert.equal(r.status, 0, r.stderr);
    const k = cli(['apikey', 'add', '--db', s.db, '--name', 'test', '--config', s.configFile]);
    assert.equal(k.status, 0, k.stderr);
    s.key = k.stdout.trim();
    await s.start();
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('marks each text shown in Danish, and only those, on every page that shows it', async () => {
    const b = await citizen(s, 'ar');
    const dl = ' lang="da" dir="ltr"';
    const ov = decodeEntities((await b.get('/borger')).text);
    assert.ok(ov.includes(`<p class="font-lead"${dl}>${PACK.group.name.da}</p>`), 'the group name');
    assert.ok(ov.includes(`class="vejled-video-link"${dl}>${V.title.da}<`), 'the untranslated title');
    assert.ok(ov.includes(`class="vejled-video-link">${AR[`v.${PACK.videos[1].slug}.title`]}<`),
      'a translated title: not marked');
    assert.ok(ov.includes(`<p class="vejled-video-summary">${AR[`v.${V.slug}.summary`]}</p>`),
      'the translated summary of the same video: not marked');

    const page = await b.get('/borger/video/1');
    const vp = decodeEntities(page.text);
    assert.ok(vp.includes(`<h1${dl}>${V.title.da}</h1>`), 'the title');
    assert.ok(vp.includes(`<p class="font-lead">${AR[`v.${V.slug}.summary`]}</p>`), 'the summary: not marked');
    assert.ok(vp.includes(`<div class="details-text"${dl}>`), 'the transcript');
    assert.ok(vp.includes(`<bdi${dl}>${Q1.text.da}</bdi>`), 'question 1');
    assert.ok(vp.includes(`: ${AR[`v.${V.slug}.q.${Q2.slug}.text`]}</legend>`), 'question 2: not marked');
    assert.match(vp, new RegExp(`${dl}>${Q1.options[0].text.da}</label>`), 'option 1 of question 1');
    assert.ok(vp.includes(`">${AR[`v.${V.slug}.q.${Q1.slug}.o2`]}</label>`), 'option 2: not marked');
    assert.ok(vp.includes(`<p class="vejled-contact"${dl}>`), 'the job centre\'s contact line (configured in Danish)');
    assert.equal((vp.match(/(?<!lang-button") lang="da" dir="ltr"/g) || []).length, 5,
      'title, transcript, question 1 (bdi), its first option and the contact line: nothing else');

    // answers (the first option of each question) and both topics marked to ask about
    const form = parseForms(page.text).find((f) => f.action === '/borger/video/1');
    const fields = [['csrf', csrfOf(page.text)]];
    const seen = new Set();
    for (const i of form.inputs) {
      if (/^q\d+$/.test(i.name) && !seen.has(i.name)) {
        seen.add(i.name);
        fields.push([i.name, i.value]);
      }
      if (i.name === 'ask') fields.push(['ask', i.value]);
    }
    const posted = await b.post('/borger/video/1', fields);
    assert.equal(posted.status, 303);
    const fb = decodeEntities((await b.get(posted.headers.location)).text);
    assert.ok(fb.includes(`<p class="vejled-cz-video-name"${dl}>${V.title.da}</p>`), 'feedback: the title');
    assert.ok(fb.includes(`<bdi${dl}>${Q1.text.da}</bdi>`), 'feedback: question 1');
    assert.ok(fb.includes(`<li${dl}>${Q1.options[0].text.da}</li>`), 'feedback: the chosen option');
    assert.ok(fb.includes(`<li>${AR[`v.${V.slug}.q.${Q2.slug}.o1`]}</li>`), 'a translated chosen option: not marked');
    assert.ok(fb.includes(`<bdi${dl}>${Q1.explanation.da}</bdi>`), 'feedback: the explanation');
    assert.ok(fb.includes(`</strong> ${AR[`v.${V.slug}.q.${Q2.slug}.explanation`]}</p>`), 'a translated explanation: not marked');

    const rc = decodeEntities((await b.get('/borger/kvittering')).text);
    assert.ok(rc.includes(`<dd${dl}>${PACK.group.name.da}</dd>`), 'receipt: the group');
    assert.ok(rc.includes(`<span class="vejled-receipt-video"${dl}>${V.title.da}</span>`), 'receipt: the title');
    assert.ok(rc.includes(`<li${dl}>${Q1.topic.da}</li>`), 'receipt: the untranslated topic');
    assert.ok(rc.includes(`<li>${AR[`v.${V.slug}.q.${Q2.slug}.topic`]}</li>`), 'receipt: a translated topic: not marked');

    // a Danish page marks nothing
    const da = decodeEntities((await (await citizen(s, 'da')).get('/borger/video/1')).text);
    assert.ok(da.includes(`<h1>${V.title.da}</h1>`) && da.includes('<div class="details-text">') &&
      da.includes(`>${Q1.options[0].text.da}</label>`) && !da.includes(`${dl}>${Q1.options[0].text.da}</label>`),
      'nothing marked on a Danish page');
  });
});
