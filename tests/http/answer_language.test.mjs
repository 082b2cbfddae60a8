// The language an answer is journalled (and shown in the evidence PDF) as given in is the
// language of the page whose form the citizen sent, not the language the session has at
// the moment the POST arrives.  Two tabs (or the Back button after the
// language switch, which returns to the same page in the new language) make the two differ.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, csrfOf, enrolBody, freshCpr, startServer } from './harness.mjs';
import { firstOptions } from './answers.mjs';
import { pdfText, staff } from './staffkit.mjs';

let s;

/** The text of the citizen's evidence PDF as a caseworker downloads it, spaces folded. */
async function evidenceText(citizenId) {
  const cw = await staff(s, 'cw1');
  const r = await cw.get(`/medarbejder/borger/${citizenId}/dokumentation.pdf`);
  assert.equal(r.status, 200);
  return pdfText(s, r.buf, `ev-${citizenId}.pdf`).replace(/\s+/g, ' ');
}

describe('the answer language is the language of the page that was answered', () => {
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('a Danish page answered after another tab switched the session to Arabic is not recorded as answered in Arabic', async () => {
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'da' }) });
    assert.equal(e.status, 201, e.text);
    const b = new Browser(s); // one browser, two tabs: the same session cookie
    assert.equal((await b.get(new URL(e.json.link).pathname)).status, 303);
    // tab 1: the video page, in Danish
    const page = await b.get('/borger/video/1');
    assert.equal(page.status, 200);
    assert.match(page.text, /<html[^>]*\blang="da"/, 'tab 1 shows the questions in Danish');
    // tab 2: the citizen (or a relative helping) switches the pages to Arabic
    const home = await b.get('/borger');
    const sw = await b.post('/borger/sprog', { csrf: csrfOf(home.text), lang: 'ar', back: '/borger' });
    assert.equal(sw.status, 303);
    // tab 1: the Danish form is sent
    const r = await b.post('/borger/video/1', firstOptions(page.text, 1));
    assert.equal(r.status, 303, r.text.slice(0, 200));

    // the evidence PDF first (it is what a sanction case reads), then the journal it rests on
    const text = await evidenceText(e.json.citizen_id);
    assert.ok(!text.includes('besvaret på arabisk'),
      'the evidence PDF does not say the Danish page was answered in Arabic');
    const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
    const sub = j.json.entries.find((x) => x.kind === 'answers_submitted');
    assert.equal(sub.data.language, 'da', 'the journal names the language of the page that was answered');
  });

  it('an Arabic page answered after another tab switched the session to Danish is recorded as answered in Arabic', async () => {
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'ar' }) });
    assert.equal(e.status, 201, e.text);
    const b = new Browser(s);
    assert.equal((await b.get(new URL(e.json.link).pathname)).status, 303);
    const page = await b.get('/borger/video/1');
    assert.match(page.text, /<html[^>]*\blang="ar"/, 'tab 1 shows the questions in Arabic');
    const home = await b.get('/borger');
    assert.equal((await b.post('/borger/sprog', { csrf: csrfOf(home.text), lang: 'da', back: '/borger' })).status, 303);
    assert.equal((await b.post('/borger/video/1', firstOptions(page.text, 1))).status, 303);
    const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
    const sub = j.json.entries.find((x) => x.kind === 'answers_submitted');
    assert.equal(sub.data.language, 'ar', 'the journal names the language of the page that was answered');
    const text = await evidenceText(e.json.citizen_id);
    assert.ok(text.includes('besvaret på arabisk'), 'the evidence PDF says the answers were given on an Arabic page');
  });
});
