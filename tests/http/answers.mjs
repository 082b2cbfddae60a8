// Citizens ready to submit answers: shared by the group-commit, crash and benchmark code.
import assert from 'node:assert/strict';

import { Browser, enrolBody, freshCpr, parseForms, sqlite } from './harness.mjs';

/**
 * The answer form of video n on its page html, as [name, value] pairs: its csrf and the
 * first option of every question.
 */
export function firstOptions(html, n) {
  const form = parseForms(html).find((f) => f.action === `/borger/video/${n}` && f.method === 'post');
  assert.ok(form, `video ${n} has an answer form`);
  // the hidden fields as a browser sends them (the token, the page's language), then
  // the first option of every question
  const fields = form.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]);
  assert.ok(fields.some(([name]) => name === 'csrf'), 'the form carries its token');
  const seen = new Set();
  for (const i of form.inputs) {
    if (/^q\d+$/.test(i.name) && !seen.has(i.name)) {
      seen.add(i.name);
      fields.push([i.name, i.value]);
    }
  }
  return fields;
}

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
  const fields = firstOptions(page.text, 1);
  const questions = fields.filter(([name]) => /^q\d+$/.test(name)).length;
  assert.ok(questions > 0, 'the video has questions');
  return { browser: b, enrolment: r.json.enrolment_id, citizen: r.json.citizen_id, fields, questions };
}

/** Answers every question of video n with its first option, as browser b (a citizen with a
 * session), and asserts the answers were acknowledged. */
export async function answerVideo(b, n) {
  const page = await b.get(`/borger/video/${n}`);
  assert.equal(page.status, 200);
  const r = await b.post(`/borger/video/${n}`, firstOptions(page.text, n));
  assert.equal(r.status, 303, r.text.slice(0, 300));
}

/** Posts the answers; true when the server acknowledged them (303 to the feedback page). */
export async function submit(c) {
  const res = await c.browser.post('/borger/video/1', c.fields);
  return res.status === 303 && /\/borger\/video\/1\/svar$/.test(res.headers.location || '');
}

/**
 * Asserts that every acknowledged submission of citizen c is stored, each whole: every
 * question has as many attempts as any other, numbered 1..n without gaps, n at least the
 * acknowledged count, and one 'answers_submitted' journal entry per stored submission.
 */
export function assertStoredWhole(db, c, acknowledged) {
  const rows = sqlite(db, `SELECT a.question_id, count(*), max(a.attempt)
    FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
    WHERE e.uuid = '${c.enrolment}' GROUP BY a.question_id;`).split('\n').filter(Boolean)
    .map((l) => l.split('|').map(Number));
  if (acknowledged > 0) assert.equal(rows.length, c.questions, 'every question has answers');
  assert.ok(new Set(rows.map((r) => r[1])).size <= 1, `each submission whole or not at all: ${JSON.stringify(rows)}`);
  for (const [, n, max] of rows) {
    assert.equal(n, max, 'attempts are 1..n without gaps');
    assert.ok(n >= acknowledged, `stored ${n} submissions, ${acknowledged} were acknowledged`);
  }
  const journalled = Number(sqlite(db, `SELECT count(*) FROM journal
    WHERE kind = 'answers_submitted' AND enrolment_uuid = '${c.enrolment}';`).trim());
  assert.equal(journalled, rows.length ? rows[0][1] : 0, 'one journal entry per stored submission');
}
