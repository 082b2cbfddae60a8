// The reminder to watch the videos is cancelled the moment the citizen completes or
// declines, not only when it comes due (then it would stay "pending" in jobs list and in
// the /metrics gauge for weeks).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, cli, csrfOf, jobsList, parseForms, startServer } from './harness.mjs';
import { readyCitizen } from './answers.mjs';

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

function reminderOf(enrolmentId) {
  return jobsList(s.db, enrolmentId).find((j) => j.kind === 'remind_before_meeting');
}

/** Answers every video's questions with the first option of each, in order. */
async function answerAll(b) {
  for (let n = 1; ; n++) {
    const page = await b.get(`/borger/video/${n}`);
    if (page.status === 404) return n - 1;
    assert.equal(page.status, 200);
    const form = parseForms(page.text).find((f) => f.action === `/borger/video/${n}`);
    const fields = [['csrf', csrfOf(page.text)]];
    const seen = new Set();
    for (const i of form.inputs) {
      if ((i.type === 'radio' || i.type === 'checkbox') && i.name !== 'ask' && !seen.has(i.name)) {
        seen.add(i.name);
        fields.push([i.name, i.value]);
      }
    }
    assert.equal((await b.post(`/borger/video/${n}`, fields)).status, 303);
  }
}

describe('reminder cancelled at once', () => {
  it('a citizen who completes: the pending reminder is cancelled in the same transaction', async () => {
    const c = await readyCitizen(s);
    assert.equal(reminderOf(c.enrolment).state, 'pending');
    const videos = await answerAll(c.browser);
    assert.ok(videos >= 2);
    const e = (await s.api('GET', `/api/v1/enrolments/${c.enrolment}`)).json;
    assert.equal(e.status, 'completed');
    assert.equal(reminderOf(c.enrolment).state, 'cancelled');
  });

  it('a citizen who declines: the pending reminder is cancelled, other jobs stay', async () => {
    const c = await readyCitizen(s);
    const page = await c.browser.get('/borger/fravalg');
    assert.equal((await c.browser.post('/borger/fravalg', { csrf: csrfOf(page.text) })).status, 303);
    assert.equal(reminderOf(c.enrolment).state, 'cancelled');
    const r = cli(['jobs', 'list', '--db', s.db]);
    const resend = r.stdout.split('\n').find((l) => l.includes(c.enrolment) && l.includes('resend_written_guidance'));
    assert.match(resend, /\tpending\t/, 'the resend after the meeting is still planned');
  });

  it('a citizen who only answers some questions keeps the reminder', async () => {
    const c = await readyCitizen(s);
    const b = new Browser(s);
    b.cookies = c.browser.cookies;
    assert.equal((await b.post('/borger/video/1', c.fields)).status, 303);
    assert.equal(reminderOf(c.enrolment).state, 'pending');
  });
});
