// Citizens ready to submit answers: shared by the group-commit, crash and benchmark code.
import assert from 'node:assert/strict';

import { Browser, enrolBody, freshCpr, parseForms } from './harness.mjs';

/**
 * Enrols a new citizen through the API, opens the link in a JS-free browser and reads the
 * answer form of video 1.  Returns {browser, enrolment, citizen, fields} where fields are
 * the form's entries (csrf + the first option of every question), ready to post.
 */
export async function readyCitizen(s) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(r.status, 201, r.text);
  const b = new Browser(s);
  const path = new URL(r.json.link).pathname;
  const open = await b.follow(path);
  assert.equal(open.status, 200, `opening the link: ${open.status}`);
  const page = await b.get('/borger/video/1');
  assert.equal(page.status, 200, 'video page');
  const form = parseForms(page.text).find((f) => f.action === '/borger/video/1' && f.method === 'post');
  assert.ok(form, 'answer form');
  const fields = [];
  const seen = new Set();
  for (const i of form.inputs) {
    if (i.name === 'csrf') fields.push(['csrf', i.value]);
    else if (/^q\d+$/.test(i.name) && !seen.has(i.name)) {
      seen.add(i.name);
      fields.push([i.name, i.value]);
    }
  }
  assert.ok(seen.size > 0, 'the video has questions');
  return { browser: b, enrolment: r.json.enrolment_id, citizen: r.json.citizen_id, fields, questions: seen.size };
}

/** Posts the answers; true when the server acknowledged them (303 to the feedback page). */
export async function submit(c) {
  const res = await c.browser.post('/borger/video/1', c.fields);
  return res.status === 303 && /\/borger\/video\/1\/svar$/.test(res.headers.location || '');
}
