// Helpers for the staff and administrator HTTP tests: logging in as demo staff (created by
// `vejled demo`), reading forms, error summaries, the list of letters and the evidence PDF's
// text, enrolling citizens who answer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { firstOptions } from './answers.mjs';
import { Browser, cli, csrfOf, decodeEntities, enrolBody, freshCpr, parseForms } from './harness.mjs';

export const DEMO_PASSWORD = 'demo-vejled-2026';

export function sha256(s) {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** {section: {key: value}} as the INI text startServer({config}) takes. */
export function ini(config) {
  return Object.entries(config)
    .map(([sec, kv]) => `[${sec}]\n` + Object.entries(kv).map(([k, v]) => `${k} = ${v}`).join('\n'))
    .join('\n\n') + '\n';
}

/** The login page, then the login form posted; returns {browser, res}. */
export async function loginAs(s, username, password = DEMO_PASSWORD, { headers } = {}) {
  const b = new Browser(s);
  const page = await b.get('/medarbejder/login');
  assert.equal(page.status, 200, page.text);
  const csrf = csrfOf(page.text);
  assert.ok(csrf, 'the login form has a csrf field');
  const res = await b.post('/medarbejder/login', { csrf, username, password }, { headers });
  return { browser: b, res };
}

/** A logged-in Browser for a demo user (asserts the login worked). */
export async function staff(s, username, password = DEMO_PASSWORD) {
  const { browser, res } = await loginAs(s, username, password);
  assert.equal(res.status, 303, `login as ${username}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.ok(browser.cookies.get('vejled_ansat'), 'a staff session cookie');
  return browser;
}

/** The csrf of a page's form posting to action (or the first form with one). */
export function formCsrf(html, action) {
  const f = parseForms(html).find((x) => (!action || x.action === action) && x.inputs.some((i) => i.name === 'csrf'));
  assert.ok(f, `a form posting to ${action}`);
  const c = f.inputs.find((i) => i.name === 'csrf');
  assert.ok(c && c.value, `the form for ${action} has a csrf field`);
  return c.value;
}

/** The hidden fields (csrf, forloeb, …) of the form posting to action, as an object. */
export function hiddenFields(html, action) {
  const f = parseForms(html).find((x) => x.action === action);
  assert.ok(f, `a form posting to ${action}`);
  return Object.fromEntries(f.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]));
}

/** The entries of the DKFDS error summary at the top of a page: [{href, text}]. */
export function errorSummary(html) {
  const m = /<div class="alert alert-error vejled-error-summary"[\s\S]*?<\/ul>/.exec(html);
  if (!m) return [];
  const out = [];
  const re = /<a class="function-link" href="#([^"]*)">([^<]*)<\/a>/g;
  let x;
  while ((x = re.exec(m[0]))) out.push({ field: x[1], text: decodeEntities(x[2]) });
  return out;
}

/** The lines of the list of letters on a citizen's page, as browser (staff) reads it. */
export async function lettersOnPage(browser, citizenId) {
  const r = await browser.get(`/medarbejder/borger/${citizenId}`);
  assert.equal(r.status, 200);
  return [...r.text.matchAll(/<li class="vejled-letter[^"]*">([^<]*)<\/li>/g)].map((m) => decodeEntities(m[1]));
}

/** The text of a PDF (pdftotext), written as name in the server's folder first. */
export function pdfText(s, buf, name) {
  const file = path.join(s.dir, name);
  fs.writeFileSync(file, buf);
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The error summary comes before the H1, as the DKFDS pattern says. */
export function assertSummaryOnTop(html, fields) {
  const sum = errorSummary(html);
  assert.ok(sum.length > 0, `an error summary:\n${html.slice(0, 2000)}`);
  const main = html.slice(html.indexOf('<main'));
  assert.ok(main.indexOf('vejled-error-summary') < main.indexOf('<h1'), 'the summary is above the H1');
  for (const f of fields) {
    assert.ok(sum.some((e) => e.field === f), `the summary names ${f}: ${JSON.stringify(sum)}`);
    assert.ok(html.includes(`id="${f}"`), `the summary links to an existing field #${f}`);
  }
  return sum;
}

/** Enrols a citizen through the API; returns the API answer plus cpr and link path. */
export async function enrolCitizen(s, overrides = {}, name) {
  const cpr = freshCpr();
  const body = enrolBody(cpr, overrides);
  if (name) body.citizen.name = name;
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, cpr, path: new URL(r.json.link).pathname };
}

/** The citizen opens the link and answers every question of video 1 with its first
 * option (some are wrong: focus topics). Returns the citizen's browser. */
export async function citizenAnswers(s, enrolment) {
  const b = new Browser(s);
  const open = await b.get(enrolment.path);
  assert.equal(open.status, 303);
  const page = await b.get('/borger/video/1');
  assert.equal(page.status, 200);
  const fields = firstOptions(page.text, 1);
  const form = parseForms(page.text).find((f) => f.action === '/borger/video/1');
  const ask = form.inputs.find((i) => i.name === 'ask');
  if (ask) fields.push(['ask', ask.value]);
  const r = await b.post('/borger/video/1', fields);
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return b;
}

/** `vejled user add` with the password on stdin. */
export function addUser(s, username, role, unit, password = 'a-good-password-1') {
  const args = ['user', 'add', '--db', s.db, '--username', username, '--role', role];
  if (unit) args.push('--unit', unit);
  return cli(args, { input: `${password}\n` });
}

/**
 * A meeting time the staff form accepts, as its fields {dato, tid}: Copenhagen wall time
 * `minutes` from now.  Two minutes by default, so that the form's whole minute is never
 * before an enrolment made a moment ago (a meeting before the enrolment began is refused).
 */
export function meetingNow(minutes = 2) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60_000)).map((p) => [p.type, p.value]));
  return { dato: `${parts.year}-${parts.month}-${parts.day}`, tid: `${parts.hour}:${parts.minute}` };
}

/** The fields of the first form posting to action, as [name, value] pairs: inputs (checked
 * boxes only) and textareas. */
export function formFields(html, action) {
  const f = parseForms(html).find((x) => x.action === action);
  assert.ok(f, `a form posting to ${action}`);
  const out = [];
  for (const i of f.inputs) {
    if ((i.type === 'checkbox' || i.type === 'radio') && !i.checked) continue;
    out.push([i.name, i.value]);
  }
  const start = html.indexOf(`action="${action}"`);
  const part = html.slice(start, html.indexOf('</form>', start));
  const re = /<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g;
  let m;
  while ((m = re.exec(part))) out.push([m[1], decodeEntities(m[2])]);
  return out;
}

/** fields with name set to value (added when missing); returns fields. */
export function setField(fields, name, value) {
  const i = fields.findIndex(([n]) => n === name);
  if (i >= 0) fields[i] = [name, value];
  else fields.push([name, value]);
  return fields;
}

/** A multipart/form-data body. parts: [{name, value} | {name, filename, type, data: Buffer}] */
export function multipart(parts) {
  const boundary = '----vejledtest' + Math.random().toString(16).slice(2);
  const chunks = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"\r\nContent-Type: ${p.type}`;
    chunks.push(Buffer.from(head + '\r\n\r\n'));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs a multipart form as browser (a staff Browser) would, from the server's origin. */
export function postMultipart(browser, p, parts) {
  const mp = multipart(parts);
  return browser.server.request('POST', p, {
    headers: browser.headers({ 'Content-Type': mp.type, Origin: browser.server.origin }), body: mp.body,
  });
}
