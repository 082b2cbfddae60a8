// The written guidance letter in the citizen's language: for a language other than Danish
// and English whose guidance the pack has, the letter is the Danish letter (the legal text,
// always first) followed by the guidance in that language; the journal entry of the letter
// names that language.  Without the language in the pack, or in English, nothing changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { decodeEntities, enrolBody, freshCpr, parseForms, sleep, startServer } from './harness.mjs';
import { formCsrf, ini, staff } from './staffkit.mjs';

const AR_GUIDANCE = 'هذا إرشاد مكتوب تجريبي.\n\nفقرة ثانية عن حقوقك وواجباتك.';
const DA_START = 'Du skal stå til rådighed'; // in the demo dagpenge guidance

let s;

function letters(outbox) {
  if (!fs.existsSync(outbox)) return [];
  return fs.readdirSync(outbox).filter((f) => f.endsWith('.xml')).map((f) => {
    const xml = fs.readFileSync(path.join(outbox, f), 'utf8');
    return { recipient: (/<memo:recipientID>([^<]*)</.exec(xml) || [])[1], file: path.join(outbox, f) };
  });
}

async function waitFor(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function pdfText(file) {
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, ' '); // lines wrap where the page is full
}

/** Arabic letters only, for comparing texts whatever order a PDF extractor gives them in. */
const arabicLetters = (t) => [...t.replace(/[^\u0621-\u064a]/g, '')].sort().join('');

async function enrolAndLetter(language, group = 'dagpenge') {
  const cpr = freshCpr();
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, { language, target_group: group }) });
  assert.equal(r.status, 201, r.text);
  const outbox = path.join(s.dir, 'outbox');
  const letter = await waitFor('the outbox letter', () => letters(outbox).find((l) => l.recipient === cpr));
  const text = pdfText(letter.file.replace(/\.xml$/, '.pdf'));
  const j = await s.api('GET', `/api/v1/citizens/${r.json.citizen_id}/journal`);
  assert.equal(j.status, 200, j.text);
  const entry = await waitFor('the journal entry', () => j.json.entries.find((e) => e.kind === 'written_guidance_sent'));
  return { text, entry };
}

describe('the written guidance letter in the citizen\'s language', () => {
  before(async () => {
    s = await startServer({ config: ini({ delivery: { scheduler: 1, channels: 'outbox' }, staff: { login_attempts_per_minute: 1000 } }) });
    // an administrator gives the dagpenge guidance in Arabic and publishes it
    const admin = await staff(s, 'admin');
    const packs = await admin.get('/admin/pakker');
    let r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(packs.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(r.status, 303);
    const id = /\/admin\/pakke\/(\d+)$/.exec(r.headers.location)[1];
    const page = await admin.get(`/admin/pakke/${id}/sprog/ar`);
    r = await admin.post(`/admin/pakke/${id}/sprog/ar`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/sprog/ar`), guidance: AR_GUIDANCE });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const draft = await admin.get(`/admin/pakke/${id}`);
    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(draft.text, `/admin/pakke/${id}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('Arabic: the Danish letter first, then the guidance in Arabic; the journal names the language', async () => {
    const { text, entry } = await enrolAndLetter('ar');
    const da = text.indexOf(DA_START);
    assert.ok(da >= 0, `the Danish guidance:\n${text}`);
    assert.ok(text.indexOf('Venlig hilsen') > da, 'the whole Danish letter comes first');
    // the Arabic part after it: its heading and the text (letters compared as a set, as a
    // PDF extractor may give right-to-left text in either order)
    const tail = text.slice(text.indexOf('Venlig hilsen'));
    assert.ok(/[\u0621-\u064a]/.test(tail), `Arabic after the Danish letter:\n${tail}`);
    assert.ok(!/[\u0621-\u064a]/.test(text.slice(0, text.indexOf('Venlig hilsen'))), 'no Arabic before it');
    for (const want of ['الإرشاد بلغتك', AR_GUIDANCE]) {
      const letters = arabicLetters(want);
      assert.ok(arabicLetters(tail).includes(letters) || [...letters].every((c) => tail.includes(c)), `the Arabic text ${want}`);
    }
    assert.ok(arabicLetters(tail).length >= arabicLetters(AR_GUIDANCE).length, 'the whole Arabic guidance');
    assert.equal(entry.data.language, 'ar');
    assert.equal(entry.data.target_group, 'dagpenge');
    assert.match(entry.data.pdf_sha256, /^[0-9a-f]{64}$/);
  });

  it('English, Danish, or a language the pack lacks: the letter and its journal entry as before', async () => {
    const en = await enrolAndLetter('en');
    assert.ok(en.text.includes('Written guidance on your rights and duties'));
    assert.ok(!/[\u0621-\u064a]/.test(en.text), 'no Arabic in an English letter');
    assert.ok(!('language' in en.entry.data));
    const da = await enrolAndLetter('da');
    assert.ok(da.text.includes(DA_START));
    assert.ok(!/[\u0621-\u064a]/.test(da.text));
    assert.ok(!('language' in da.entry.data));
    // Ukrainian: dagpenge has no Ukrainian guidance, so the Danish letter alone
    const uk = await enrolAndLetter('uk');
    assert.ok(uk.text.includes(DA_START));
    assert.ok(!/[\u0400-\u04ff]/.test(uk.text), 'no Ukrainian part');
    assert.ok(!('language' in uk.entry.data));
    // Arabic in a group whose pack has no Arabic guidance: Danish only
    const ar = await enrolAndLetter('ar', 'sygedagpenge');
    assert.ok(!/[\u0621-\u064a]/.test(ar.text));
    assert.ok(!('language' in ar.entry.data));
  });
});
