// The page of a link that expired or was replaced (410): it says in plain words what
// happened and what to do next — use the newest letter, or ask the job centre (its configured
// contact line) for a new link — and promises the new link only by the channels this
// installation sends letters through (Digital Post for the outbox, e-mail for SMTP, nothing
// when neither is configured), in every language of the citizen pages.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { Browser, decodeEntities, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';

const CONTACT = 'Ring 70 10 20 30 (man-fre 9-15) eller skriv til jobcenter@example.dk';
const servers = [];

function textOf(html) {
  return decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

async function server(config = '') {
  const s = await startServer({ config });
  servers.push(s);
  return s;
}

/* A link replaced by a new one (the API's, as the caseworker's button does). */
async function replacedLink(s) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(r.status, 201, r.text);
  const old = new URL(r.json.link).pathname;
  const n = await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/link`);
  assert.equal(n.status, 201, n.text);
  return old;
}

async function page410(s, p) {
  const r = await new Browser(s).get(p);
  assert.equal(r.status, 410, r.text.slice(0, 300));
  assert.equal(r.headers['set-cookie'], undefined);
  return textOf(r.text);
}

describe('the page of an expired or replaced link', () => {
  after(async () => {
    for (const s of servers) await s.cleanup();
  });

  it('Digital Post (outbox, the default): what happened, what to do, how the new link comes', async () => {
    const s = await server();
    const t = await page410(s, await replacedLink(s));
    assert.match(t, /Linket virker ikke længere/);
    assert.match(t, /Linket er for gammelt, eller jobcentret har sendt dig et nyt link i stedet\./);
    assert.match(t, /kun det nyeste link virker/);
    assert.match(t, /Sådan får du et nyt link/);
    assert.match(t, /Har du fået et nyere brev fra jobcentret\? Så brug linket i det nyeste brev\./);
    assert.ok(t.includes(`bed om et nyt link til videoerne: ${CONTACT}`), t);
    assert.match(t, /Jobcentret sender dig så et brev med det nye link i Digital Post\./);
    assert.ok(!t.includes('e-mail.'), 'no e-mail promised without SMTP');
    assert.match(t, /Det, du allerede har svaret, er gemt\./);

    // expired by time: the same page
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    sqlite(s.db, `UPDATE enrolments SET token_expires_at = 1000 WHERE uuid = '${r.json.enrolment_id}';`);
    assert.equal(await page410(s, new URL(r.json.link).pathname), t);

    // in Arabic, Ukrainian and English: the same steps
    const ar = await page410(s, `${await replacedLink(s)}?sprog=ar`);
    assert.match(ar, /كيف تحصل على رابط جديد/);
    assert.match(ar, /استخدم إذن الرابط الموجود في أحدث رسالة/);
    assert.ok(ar.includes(CONTACT));
    assert.match(ar, /عبر البريد الرقمي \(Digital Post\)\./);
    const uk = await page410(s, `${await replacedLink(s)}?sprog=uk`);
    assert.match(uk, /Як отримати нове посилання/);
    assert.match(uk, /через Digital Post\./);
    const en = await page410(s, `${await replacedLink(s)}?sprog=en`);
    assert.match(en, /How to get a new link/);
    assert.match(en, /The job centre then sends you a letter with the new link in Digital Post\./);
  });

  it('an unknown link promises nothing the job centre cannot keep, and a citizen page says what is saved and why', async () => {
    const s = await server();
    const r = await new Browser(s).get('/v/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(r.status, 404);
    const t = textOf(r.text);
    // the meeting may be over long before a link stops working: no "at your meeting in any case"
    assert.match(t, /Du kan altid få vejledningen hos jobcentret\./);
    assert.doesNotMatch(t, /uanset hvad/);
    const b = new Browser(s);
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal((await b.get(new URL(e.json.link).pathname)).status, 303);
    const page = textOf((await b.get('/borger')).text);
    assert.match(page, /Vi gemmer, hvilke videoer du åbner og afspiller, og dine svar\. Det kommer med i din sag i jobcentret og viser, at du har fået vejledning\./);
    const video = textOf((await b.get('/borger/video/1')).text);
    assert.match(video, /Det er ikke en prøve\./);
  });

  it('SMTP only: the new link comes by e-mail, no Digital Post promised', async () => {
    const s = await server('[delivery]\nchannels = smtp\n[smtp]\nurl = smtp://127.0.0.1:9\nallow_plain = 1\n');
    const t = await page410(s, await replacedLink(s));
    assert.match(t, /Jobcentret sender dig så det nye link på e-mail\./);
    assert.ok(!t.includes('Digital Post'), t);
  });

  it('no letter channel (webhook only): no letter promised, only whom to ask', async () => {
    const s = await server('[delivery]\nchannels = webhook\n[webhook]\nurl = http://127.0.0.1:9/journal\nsecret = s3cret\n');
    const t = await page410(s, await replacedLink(s));
    assert.ok(t.includes(`bed om et nyt link til videoerne: ${CONTACT}`), t);
    assert.ok(!/Jobcentret sender dig/.test(t), t);
  });
});
