// Statistics through the real binary: a small scenario through the case-system API and the
// citizen flow (enrol, open, answer, decline, decline-then-complete, change group), letters
// sent by the scheduler's one-pass command, a caseworker reading citizens' pages before and
// after their meetings, meetings recorded over the API — then the administrator's
// dashboard, its CSV extract and GET /api/v1/stats must agree with each other and with the
// figures worked out by hand below.  Plus who may see them, the API's errors and the CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Browser, cli, decodeEntities, enrolBody, freshCpr, parseForms, sleep, sqlite, startServer,
} from './harness.mjs';
import { firstOptions } from './answers.mjs';
import { staff } from './staffkit.mjs';

let s;
const cprs = [];
const NAME = 'Statistik Testesen';

async function enrol(overrides = {}) {
  const cpr = freshCpr();
  cprs.push(cpr);
  const body = enrolBody(cpr, overrides);
  body.citizen.name = NAME;
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, path: new URL(r.json.link).pathname };
}

/* Opens the link in a JS-free browser. */
async function open(e) {
  const b = new Browser(s);
  assert.equal((await b.get(e.path)).status, 303);
  // the link counts as opened when the browser comes back with the link's session
  assert.equal((await b.get('/borger')).status, 200);
  return b;
}

/* Answers every question of every video with the first option. */
async function answerAll(b) {
  for (let n = 1; ; n++) {
    const page = await b.get(`/borger/video/${n}`);
    if (page.status === 404) break;
    assert.equal(page.status, 200, `video ${n}`);
    const r = await b.post(`/borger/video/${n}`, firstOptions(page.text, n));
    assert.equal(r.status, 303, `video ${n}: ${r.text.slice(0, 200)}`);
  }
}

async function decline(b) {
  const page = await b.get('/borger/fravalg');
  const form = parseForms(page.text).find((f) => f.action === '/borger/fravalg');
  const r = await b.post('/borger/fravalg', { csrf: form.inputs.find((i) => i.name === 'csrf').value });
  assert.equal(r.status, 303);
}

async function status(e) {
  const r = await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`);
  assert.equal(r.status, 200);
  return r.json.status;
}

const iso = (sec) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nowSec = () => Math.floor(Date.now() / 1000);
/* A question's place in the "most wrong" order: a shown rate above 0, wrong answers with a
 * hidden rate, no wrong answer. */
const tier = (x) => (x.wrong === 0 ? 2 : x.error_rate === null ? 1 : 0);

/* The letters: one scheduler pass (`vejled jobs run`, outbox channel into the temp folder). */
function sendLetters() {
  const r = cli(['jobs', 'run', '--db', s.db, '--now', iso(nowSec())], {
    env: { VEJLED_CONFIG: path.join(s.dir, 'vejled.ini') },
  });
  assert.equal(r.status, 0, `jobs run failed: ${r.stderr}`);
  return 'scheduler';
}

/* The caseworker opens the citizen's page (answers, focus topics): an access-log row. */
async function view(cw, e) {
  const r = await cw.get(`/medarbejder/borger/${e.citizen_id}`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
}

/* The meeting form only: a staff read of the citizen that shows no answers. */
async function openMeetingForm(cw, e) {
  const r = await cw.get(`/medarbejder/borger/${e.citizen_id}/moede?forloeb=${e.enrolment_id}`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
}

async function meeting(e, heldAt, oral) {
  const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
    body: { held_at: iso(heldAt), oral_guidance: oral, note: '' },
  });
  assert.equal(r.status, 200, r.text);
}

/* The current quarter in Copenhagen, as the dashboard defaults to it. */
function currentQuarter() {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const y = Number(local.find((p) => p.type === 'year').value);
  const m = Number(local.find((p) => p.type === 'month').value);
  const q = Math.floor((m - 1) / 3);
  const from = `${y}-${String(q * 3 + 1).padStart(2, '0')}-01`;
  const last = new Date(Date.UTC(y, q * 3 + 3, 0)).getUTCDate();
  const to = `${y}-${String(q * 3 + 3).padStart(2, '0')}-${last}`;
  return { key: `${y}-${q + 1}`, from, to };
}

/* The table of the dashboard with id, as {rowKey: [cell texts as seen]} (percent signs
 * dropped, the words for screen readers left out). */
function pageTable(html, id) {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  assert.ok(table, `the page has table ${id}`);
  const rows = {};
  const re = /<tr data-key="([^"]*)"[^>]*>([\s\S]*?)<\/tr>/g;
  let m;
  while ((m = re.exec(table[1]))) {
    rows[decodeEntities(m[1])] = [...m[2].matchAll(/<td>([\s\S]*?)<\/td>/g)]
      .map((c) => decodeEntities(c[1].replace(/<span class="sr-only">[^<]*<\/span>/g, '')
        .replace(/<[^>]*>/g, '')).replace(/\s*%$/, ''));
  }
  return rows;
}

/* The CSV parsed back: [{column: value}], after checking the BOM and the separator. */
function parseCsv(buf, sep) {
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
  const text = buf.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'), 'CRLF line ends');
  const lines = text.slice(0, -2).split('\r\n');
  const split = (l) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < l.length; i++) {
      const ch = l[i];
      if (quoted) {
        if (ch === '"' && l[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === sep) { out.push(cur); cur = ''; } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    assert.equal(cells.length, head.length, `every row has ${head.length} cells: ${l}`);
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  });
}

const COUNT_COLS = ['enrolled', 'opened', 'not_opened', 'completed', 'declined',
  'first_meetings_passed', 'correctly_guided', 'meetings_held', 'answers_viewed_before_meeting',
  'written_guidance_sent', 'resends_sent', 'minutes_saved'];
const RATE_COLS = { opened_rate: 'opened', completed_rate: 'completed', declined_rate: 'declined',
  correctly_guided_rate: 'correctly_guided', caseworker_uptake_rate: 'caseworker_uptake' };
/* The count each share is of. */
const RATE_OF = { opened_rate: 'enrolled', completed_rate: 'enrolled', declined_rate: 'enrolled',
  correctly_guided_rate: 'first_meetings_passed', caseworker_uptake_rate: 'meetings_held' };

/* Checks a row of the CSV or the page (texts by column) against an API row: counts as
 * written ("<5" for null, "–" for a figure worked out from a hidden count: "not opened"
 * when "opened" is hidden, minutes saved); shares as percent with one decimal rounded down,
 * as the API's four decimals are ("–" for null when hidden, noData when there is nothing
 * to count: "" in the CSV, "ingen data" on the page). */
function assertSameRow(got, row, comma, what, noData = '') {
  for (const c of COUNT_COLS) {
    const hidden = c === 'minutes_saved' || (c === 'not_opened' && row.opened === null) ? '–' : '<5';
    assert.equal(got[c], row[c] === null ? hidden : String(row[c]), `${what} ${c}`);
  }
  for (const [c, k] of Object.entries(RATE_COLS)) {
    const v = row.rates[k];
    if (v === null) {
      assert.equal(got[c], row[RATE_OF[c]] === 0 ? noData : '–', `${what} ${c}`);
      continue;
    }
    const want = (Math.floor(Math.round(v * 10000) / 10) / 10).toFixed(1);
    assert.equal(got[c], comma ? want.replace('.', ',') : want, `${what} ${c}: ${v}`);
  }
}

describe('statistics', () => {
  const q = currentQuarter();
  const D = []; // dagpenge, caseworker cw1 (team-nord)
  const S = []; // sygedagpenge, caseworker cw2 (team-syd)
  let how;
  let api;

  before(async () => {
    s = await startServer({ start: false });
    fs.writeFileSync(path.join(s.dir, 'vejled.ini'),
      // the scheduler thread off: the letters go out in the one pass below, after D10's
      // group change has cancelled its letter (on PostgreSQL: the key files of `demo`)
      `${s.placesIni}[delivery]\nscheduler = 0\nchannels = outbox\noutbox_dir = ${path.join(s.dir, 'outbox')}\n`
      + '[stats]\nminutes_per_send = 7\ntop_questions = 3\n');
    s.serveArgs = ['--config', path.join(s.dir, 'vejled.ini')];
    await s.start();
  });
  after(async () => {
    if (s) {
      await s.stop();
      const all = s.allReceived().join('\n') + s.stderr;
      for (const c of cprs) assert.ok(!all.includes(c), 'a CPR leaked');
      await s.cleanup();
    }
  });

  it('a scenario: 15 citizens in two groups through the API and the citizen flow', async () => {
    for (let i = 0; i < 12; i++) D.push(await enrol({ caseworker: 'cw1' }));
    for (let i = 0; i < 3; i++) S.push(await enrol({ target_group: 'sygedagpenge', caseworker: 'cw2' }));
    // D0-D5 complete; D6 declines; D7 declines, then completes after all; D8, D9 only open;
    // D10 never opens and changes group before the meeting; D11 never opens
    for (let i = 0; i < 6; i++) await answerAll(await open(D[i]));
    await decline(await open(D[6]));
    const d7 = await open(D[7]);
    await decline(d7);
    await answerAll(d7);
    await open(D[8]);
    await open(D[9]);
    await answerAll(await open(S[0]));
    await decline(await open(S[1]));
    assert.equal(await status(D[0]), 'completed');
    assert.equal(await status(D[6]), 'declined');
    assert.equal(await status(D[7]), 'completed');
    assert.equal(await status(D[8]), 'opened');
    const r = await s.api('PUT', `/api/v1/citizens/${D[10].citizen_id}/target-group`, {
      body: { target_group: 'kontanthjaelp-jobparat', changed_at: iso(nowSec()), next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(await status(D[10]), 'closed');
  });

  it('letters go out, caseworkers read, meetings are held', async () => {
    await sleep(1100);
    how = sendLetters();
    // cw1 reads D0-D4 before their meetings …
    const cw = await staff(s, 'cw1');
    for (let i = 0; i < 5; i++) await view(cw, D[i]);
    // … and opens only the meeting form of D5-D8, which shows no answers: not counted
    for (let i = 5; i < 9; i++) await openMeetingForm(cw, D[i]);
    // … which are held (after the letters) a second later: D0-D8 and S0-S1, with oral
    // guidance for the declined D6 and S1
    const held = nowSec() + 1;
    for (let i = 0; i < 9; i++) await meeting(D[i], held, i === 6);
    await meeting(S[0], held, false);
    await meeting(S[1], held, true);
    while (nowSec() <= held + 1) await sleep(200);
    // … and D5 only after its meeting: does not count
    await view(cw, D[5]);
    const sent = sqlite(s.db, `SELECT count(DISTINCT d.job_id) FROM deliveries d JOIN jobs j ON j.id = d.job_id
      WHERE d.state = 'sent' AND j.kind = 'send_written_guidance';`).trim();
    // D10's letter was cancelled with its enrolment by the group change
    assert.equal(Number(sent), 18, `every open enrolment's letter sent once (${how})`);
  });

  it('GET /api/v1/stats has the figures worked out by hand', async () => {
    const r = await s.api('GET', `/api/v1/stats?from=${q.from}&to=${q.to}`);
    assert.equal(r.status, 200, r.text);
    api = r.json;
    assert.equal(api.from, q.from);
    assert.equal(api.to, q.to);
    assert.equal(api.small_count_threshold, 5);
    assert.equal(api.goal_correctly_guided, 0.9);
    const dp = api.target_groups.find((g) => g.target_group === 'dagpenge');
    // 13 enrolled (D0-D11 and `vejled demo`'s dagpenge citizen); opened D0-D9 (3 not:
    // suppressed); completed D0-D5 + D7; declined D6 (1: suppressed); first meetings
    // passed: held D0-D8 (D9, D11 and the demo citizen meet later; D10 closed before its
    // meeting); correctly guided: letter before, and completed (7) or oral (D6) = 8 of 9;
    // read before the meeting D0-D4 = 5 of 9 held (D5-D8's meeting forms show no answers);
    // 12 letters (D10's was cancelled by its
    // group change), no resends, 84 minutes ([stats] minutes_per_send = 7)
    assert.deepEqual(
      Object.fromEntries(COUNT_COLS.map((c) => [c, dp[c]])),
      { enrolled: 13, opened: 10, not_opened: null, completed: 7, declined: null,
        first_meetings_passed: 9, correctly_guided: 8, meetings_held: 9,
        answers_viewed_before_meeting: 5, written_guidance_sent: 12, resends_sent: 0,
        minutes_saved: 84 });
    assert.equal(dp.rates.opened, 0.7692);
    assert.equal(dp.rates.completed, 0.5384); // 7 ÷ 13 = 0.53846…, rounded down
    assert.equal(dp.rates.declined, null);
    assert.equal(dp.rates.correctly_guided, 0.8888);
    assert.equal(dp.rates.caseworker_uptake, 0.5555);
    const sd = api.target_groups.find((g) => g.target_group === 'sygedagpenge');
    assert.equal(sd.enrolled, null); // 3
    assert.equal(sd.rates.opened, null);
    const kj = api.target_groups.find((g) => g.target_group === 'kontanthjaelp-jobparat');
    assert.equal(kj.enrolled, null); // the group change's new enrolment and a demo citizen
    assert.equal(kj.first_meetings_passed, 0);
    // total: 19 enrolled (3 demo), 12 opened, 8 completed, 11 due, 10 guided (dagpenge's 8,
    // S0 completed, S1 oral), 18 letters
    assert.equal(api.total.enrolled, 19);
    assert.equal(api.total.opened, 12);
    assert.equal(api.total.completed, 8);
    assert.equal(api.total.first_meetings_passed, 11);
    assert.equal(api.total.correctly_guided, 10);
    assert.equal(api.total.written_guidance_sent, 18);
    assert.equal(api.total.minutes_saved, 126);
    assert.equal(api.minutes_per_send, 7);
    // units: cw1's team-nord has the 12 dagpenge, the new enrolment and the 3 demo
    // citizens; cw2's team-syd 3
    const nord = api.units.find((u) => u.unit === 'team-nord');
    assert.equal(nord.enrolled, 16);
    assert.equal(api.units.find((u) => u.unit === 'team-syd').enrolled, null);
    // the questions: first attempts of 8 completers, highest error rate first
    assert.ok(api.questions.length > 0);
    const rates = api.questions.map((x) => x.error_rate).filter((x) => x !== null);
    assert.deepEqual(rates, [...rates].sort((a, b) => b - a));
    // shown rates above 0 first, then wrong answers with a hidden rate, then no wrong
    // answer: a 0 % never ranks above a question with errors
    const tiers = api.questions.map(tier);
    assert.deepEqual(tiers, [...tiers].sort((a, b) => a - b), 'questions in "most wrong" order');
    // no person in it
    const text = r.text;
    assert.ok(!text.includes(NAME));
    for (const c of cprs) assert.ok(!text.includes(c));
    for (const e of [...D, ...S]) assert.ok(!text.includes(e.citizen_id) && !text.includes(e.enrolment_id));
  });

  it('only administrators see the dashboard and the CSV', async () => {
    const anon = new Browser(s);
    const cw = await staff(s, 'cw1');
    for (const p of ['/admin/statistik', `/admin/statistik.csv?kvartal=${q.key}`, '/admin/statistik/spoergsmaal/1']) {
      const r = await anon.get(p);
      assert.ok([303, 403].includes(r.status), `${p} without a session: ${r.status}`);
      assert.ok(!r.text.includes('Statistik over brugen') && !r.text.includes('enrolled'), p);
      assert.equal((await cw.get(p)).status, 403, `${p} as a caseworker`);
    }
  });

  it('the dashboard shows the same numbers as the API', async () => {
    const b = await staff(s, 'admin');
    const page = await b.get('/admin/statistik');
    assert.equal(page.status, 200);
    const groups = pageTable(page.text, 'stats-groups');
    const cols = [...COUNT_COLS.slice(0, 5), 'opened_rate', 'completed_rate', 'declined_rate',
      ...COUNT_COLS.slice(5, 7), 'correctly_guided_rate', ...COUNT_COLS.slice(7, 9),
      'caseworker_uptake_rate', ...COUNT_COLS.slice(9)];
    const byCol = (cells) => Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
    for (const g of api.target_groups) {
      assert.ok(groups[g.target_group], `row ${g.target_group}`);
      assertSameRow(byCol(groups[g.target_group]), g, true, `page ${g.target_group}`, 'ingen data');
    }
    assertSameRow(byCol(groups.total), api.total, true, 'page total', 'ingen data');
    const units = pageTable(page.text, 'stats-units');
    for (const u of api.units) assertSameRow(byCol(units[u.unit]), u, true, `page unit ${u.unit}`, 'ingen data');
    // first meetings count once their time has passed, held (as recorded) or as planned:
    // the heading and the definitions say so, not "held"
    const text = decodeEntities(page.text);
    assert.ok(text.includes('Første samtaler (tidspunktet passeret)'));
    assert.ok(text.includes('samtalen, som den blev holdt, når den er registreret, ellers som den var planlagt, når tidspunktet er passeret'));
    assert.ok(!text.includes('Første samtaler holdt'));
    // the quarter is not over: its figures still move, and the goal is judged "so far"
    assert.match(text, /Perioden er ikke slut endnu, så tallene kan stadig ændre sig\./);
    // the goal, the picker, the chart
    assert.match(page.text, /88,8 %/); // 8 of 9, rounded down
    assert.match(page.text, /90,0 %/);
    // in total 10 of 11 (90.9 %) against 90 %: the goal card is marked as met, in its class
    // and in words
    const goalCard = /<li class="(vejled-card vejled-card-goal[^"]*)">([\s\S]*?)<\/li>/.exec(page.text);
    assert.equal(goalCard[1], 'vejled-card vejled-card-goal vejled-card-goal-met');
    assert.match(goalCard[2], /90,9 %[\s\S]*Målet er nået indtil nu\./);
    assert.match(page.text, new RegExp(`<option value="${q.key}" selected>`));
    assert.match(page.text, /<ul class="vejled-bars vejled-guided-chart" aria-labelledby="graf-vejledt">/);
    // a bar per group: a width in whole per cent, the figure as text beside it
    assert.match(page.text, /<span class="vejled-bar vejled-w\d{1,3}( vejled-bar-met)?"><\/span>/);
    assert.match(page.text, /<svg class="vejled-chart vejled-trend-chart" role="img"/);
    // the short table per target group has the same headline figures as the full one
    // (a figure that cannot be shown reads "ingen data", not a bare dash or an empty cell)
    const table = /<table[^>]*id="stats-summary"[^>]*>([\s\S]*?)<\/table>/.exec(page.text)[1];
    const summary = {};
    for (const m of table.matchAll(/<tr data-key="([^"]*)"[^>]*>([\s\S]*?)<\/tr>/g)) {
      summary[m[1]] = [...m[2].matchAll(/<td>([\s\S]*?)<\/td>/g)]
        .map((c) => decodeEntities(c[1].replace(/<span class="sr-only">[^<]*<\/span>/g, '')
          .replace(/<[^>]*>/g, '')).replace(/\s*%$/, ''));
    }
    // a share not shown reads "ingen data" only when there is nothing to count (denominator
    // 0), else "–" (hidden); a group with no citizen in the period has no row
    const idle = (g) => COUNT_COLS.every((c) => g[c] === 0);
    for (const g of api.target_groups) {
      if (idle(g)) {
        assert.ok(!summary[g.target_group], `${g.target_group}: no citizens, no row`);
        continue;
      }
      const full = byCol(groups[g.target_group]);
      assert.deepEqual(summary[g.target_group].slice(0, 4),
        [full.enrolled, full.opened_rate, full.completed_rate, full.correctly_guided_rate], g.target_group);
    }
    assert.ok(api.target_groups.some(idle), 'the scenario has groups without citizens');
    assert.equal(summary.sygedagpenge[1], '–', '3 enrolled: hidden, not "no data"');
    assert.equal(summary['kontanthjaelp-jobparat'][3], 'ingen data', 'no first meeting: no data');
    assert.match(page.text, /<tr data-key="total" class="vejled-total">/, '"I alt" is set apart');
    // [stats] top_questions = 3: at most three questions with a shown rate above 0 on the
    // page, none at 0 %; the API has them all
    const wrongShown = api.questions.filter((x) => tier(x) === 0);
    const listed = /<table[^>]*id="stats-questions"[^>]*>([\s\S]*?)<\/table>/.exec(page.text);
    assert.equal(Boolean(listed), wrongShown.length > 0);
    if (listed) {
      assert.equal((listed[1].match(/href="\/admin\/statistik\/spoergsmaal\/\d+"/g) || []).length,
        Math.min(3, wrongShown.length));
      assert.ok(!/<td>0,0 %<\/td>/.test(listed[1]), 'no 0 % question among the most wrong');
    }
    // wrong answers with a hidden rate: apart, unranked, the share said to be hidden
    const hiddenTable = /<table[^>]*id="stats-questions-hidden"[^>]*>([\s\S]*?)<\/table>/.exec(page.text);
    assert.equal(Boolean(hiddenTable), api.questions.some((x) => tier(x) === 1));
    if (hiddenTable) assert.match(hiddenTable[1], /<span aria-hidden="true">–<\/span><span class="sr-only">skjult<\/span>/);
    assert.ok(api.questions.length > 3);
    // the questions link to their content
    const link = /<a href="(\/admin\/statistik\/spoergsmaal\/\d+)">/.exec(page.text);
    assert.ok(link, 'a question links to its content');
    const qp = await b.get(link[1]);
    assert.equal(qp.status, 200);
    assert.match(qp.text, /rigtigt/);
    const training = /<a href="(\/medarbejder\/traening\/[a-z-]+\/\d+)">/.exec(qp.text);
    assert.ok(training, 'the question page links to the video in training mode');
    assert.equal((await b.get(training[1])).status, 200);
    assert.equal((await b.get('/admin/statistik/spoergsmaal/999999')).status, 404);
    assert.equal((await b.get('/admin/statistik/spoergsmaal/x')).status, 404);
    // an unknown quarter: a clear error, the current quarter shown
    const bad = await b.get('/admin/statistik?kvartal=2026-7');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Der er problemer/);
    // another quarter: nothing in it
    const prev = await b.get('/admin/statistik?kvartal=2025-1');
    assert.equal(prev.status, 200);
    assert.equal(pageTable(prev.text, 'stats-groups').total[0], '0');
  });

  it('the CSV extracts parse back to the same numbers, with no CPR and no name', async () => {
    const b = await staff(s, 'admin');
    for (const [sep, ch] of [['semicolon', ';'], ['comma', ',']]) {
      const r = await b.get(`/admin/statistik.csv?kvartal=${q.key}&sep=${sep}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(r.headers['content-disposition'], /^attachment; filename="vejled-statistik-\d{4}-\d\.csv"$/);
      const rows = parseCsv(r.buf, ch);
      const text = r.buf.toString('utf8');
      assert.ok(!text.includes(NAME), 'no name');
      for (const c of cprs) assert.ok(!text.includes(c), 'no CPR');
      assert.ok(!/\d{6}-?\d{4}/.test(text), 'nothing shaped like a CPR number');
      for (const g of api.target_groups) {
        const row = rows.find((x) => x.dimension === 'target_group' && x.key === g.target_group);
        assert.ok(row, `CSV row ${g.target_group}`);
        assert.equal(row.from, q.from);
        assert.equal(row.to, q.to);
        assertSameRow(row, g, ch === ';', `${sep} ${g.target_group}`);
      }
      assertSameRow(rows.find((x) => x.dimension === 'total'), api.total, ch === ';', `${sep} total`);
      for (const u of api.units) {
        assertSameRow(rows.find((x) => x.dimension === 'unit' && x.key === u.unit), u, ch === ';', `${sep} unit`);
      }
      assert.equal(rows.filter((x) => x.dimension === 'unit').length, api.units.length);
    }
    assert.equal((await b.get('/admin/statistik.csv?sep=tab')).status, 400);
    const bad = await b.get('/admin/statistik.csv?kvartal=1999-1');
    assert.equal(bad.status, 400);
    // a staff page's error speaks to staff, and leads back to the staff pages, not the login
    assert.match(decodeEntities(bad.text), /Noget gik galt\. Gå tilbage, og prøv igen om lidt\./);
    assert.doesNotMatch(decodeEntities(bad.text), /Dine tidligere svar er gemt/);
    assert.match(bad.text, /<a href="\/medarbejder">Til medarbejdersiderne<\/a>/);
    assert.doesNotMatch(bad.text, /Gå til log ind/);
  });

  it('bad periods are 422 naming the field; no key is 401', async () => {
    const cases = [
      ['', 'from'],
      [`?from=${q.from}`, 'to'],
      ['?from=2026-02-30&to=2026-03-31', 'from'],
      ['?from=2026-01-01&to=31-03-2026', 'to'],
      ['?from=2026-04-01&to=2026-03-31', 'to'],
      ['?from=2024-01-01&to=2027-01-01', 'to'], // 1097 days: over [stats] max_range_days
    ];
    for (const [query, field] of cases) {
      const r = await s.api('GET', `/api/v1/stats${query}`);
      assert.equal(r.status, 422, query);
      assert.equal(r.json.error.field, field, query);
    }
    assert.equal((await s.api('GET', '/api/v1/stats?from=2024-01-01&to=2026-12-31')).status, 200);
    assert.equal((await s.api('GET', `/api/v1/stats?from=${q.from}&to=${q.to}`, { key: 'vk_wrong' })).status, 401);
  });

  it('vejled stats prints the same, and the aggregates agree with a recount', () => {
    const r = cli(['stats', '--db', s.db, '--config', path.join(s.dir, 'vejled.ini'), '--from', q.from, '--to', q.to]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.target_groups, api.target_groups);
    const v = cli(['stats', '--db', s.db, '--verify']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(cli(['stats', '--db', s.db, '--from', '2026-01-01']).status, 2);
    const bad = cli(['stats', '--db', s.db, '--from', '2026-04-01', '--to', '2026-01-01']);
    assert.equal(bad.status, 2, 'a value a flag may not have is a usage error');
    assert.match(bad.stderr, /--from must not be after --to/);
  });
});

describe('statistics: the row without a unit', () => {
  let s;
  before(async () => {
    s = await startServer({ demo: true });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('is "unit": null in the API, "(ingen enhed)" in the CSV, last; the page says idle units are left out', async () => {
    // enrolled without a caseworker (one who is no user is refused): the enrolment has no unit
    for (let i = 0; i < 5; i++) {
      const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { caseworker: undefined }) });
      assert.equal(r.status, 201, r.text);
    }
    const today = new Date();
    const day = (d) => new Date(today.getTime() + d * 86400000).toISOString().slice(0, 10);
    const api = (await s.api('GET', `/api/v1/stats?from=${day(-1)}&to=${day(1)}`)).json;
    const none = api.units.filter((u) => u.unit === null);
    assert.equal(none.length, 1, JSON.stringify(api.units.map((u) => u.unit)));
    assert.equal(none[0].enrolled, 5);
    assert.ok(!api.units.some((u) => u.unit === ''), 'never an empty string');
    assert.equal(api.units[api.units.length - 1].unit, null, 'the no-unit row is last');
    assert.ok(api.units.some((u) => u.unit === 'team-nord'), 'the demo citizens are team-nord\'s');
    assert.ok(!api.units.some((u) => u.unit === 'team-syd'), 'a unit without activity is not listed');

    const b = await staff(s, 'admin');
    const csv = await b.get('/admin/statistik.csv?sep=semicolon');
    assert.equal(csv.status, 200);
    const rows = parseCsv(csv.buf, ';').filter((x) => x.dimension === 'unit');
    assert.deepEqual(rows.map((x) => x.key), [...api.units.slice(0, -1).map((u) => u.unit), '(ingen enhed)']);
    assert.equal(rows[rows.length - 1].name, '(ingen enhed)');
    assert.equal(rows[rows.length - 1].enrolled, '5');

    const page = decodeEntities((await b.get('/admin/statistik')).text);
    assert.match(page, /Enheder uden aktivitet i perioden er ikke med i listen/);
    assert.match(page, /Også i filen er enheder uden aktivitet i perioden ikke med/);
    assert.match(page, /<th scope="row">\(ingen enhed\)<\/th>/);
  });
});

describe('statistics: hidden is not "no data"', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  async function meetings(n) {
    const held = Math.floor(Date.now() / 1000) + 1;
    for (let i = 0; i < n; i++) {
      const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
      assert.equal(r.status, 201, r.text);
      const m = await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/meeting`, {
        body: { held_at: new Date(held * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), oral_guidance: true, note: '' },
      });
      assert.equal(m.status, 200, m.text);
    }
    while (Date.now() / 1000 <= held + 1) await sleep(200);
  }
  const card = (html) => /<li class="vejled-card vejled-card-goal[^"]*">([\s\S]*?)<\/li>/.exec(html)[1];

  it('1-4 first meetings: the goal card says hidden (under 5); a quarter with none says no data', async () => {
    await meetings(2);
    const b = await staff(s, 'admin');
    const page = decodeEntities((await b.get('/admin/statistik')).text);
    const goal = card(page);
    assert.match(goal, /Skjult[\s\S]*Tallene bag andelen er under 5/);
    assert.doesNotMatch(goal, /under 5\)/, 'no "(under 5)" beside a share');
    assert.ok(!/Ingen data/.test(goal), 'two first meetings are not "no data"');
    const empty = decodeEntities((await b.get('/admin/statistik?kvartal=2025-1')).text);
    assert.match(card(empty), /Ingen data i perioden/);
    // no share to judge: neither met nor missed, in class or words
    assert.match(page, /<li class="vejled-card vejled-card-goal">/);
    assert.match(empty, /<li class="vejled-card vejled-card-goal">/);
    assert.ok(!/Målet er (ikke )?nået/.test(card(page)) && !/Målet er (ikke )?nået/.test(card(empty)));
    assert.ok(!/Skjult/.test(card(empty)));
    const en = await staff(s, 'admin');
    const sw = await en.get('/admin/statistik');
    const csrf = /name="csrf" value="([^"]+)"/.exec(sw.text)[1];
    assert.equal((await en.post('/medarbejder/sprog', { csrf, lang: 'en', back: '/admin/statistik' })).status, 303);
    assert.match(card(decodeEntities((await en.get('/admin/statistik')).text)), /Hidden[\s\S]*The figures behind the share are under 5/);
  });

  it('5 first meetings without the written guidance sent first: 0 %, the goal card marked as missed', async () => {
    await meetings(3);
    const b = await staff(s, 'admin');
    const page = decodeEntities((await b.get('/admin/statistik')).text);
    assert.match(page, /<li class="vejled-card vejled-card-goal vejled-card-goal-missed">/);
    assert.match(card(page), /0,0 %[\s\S]*Målet er ikke nået indtil nu\./);
  });
});

describe('statistics: a figure worked out from a hidden count is hidden, never "<5"', () => {
  // Figures arranged in the day sums of a past quarter (2025 Q1; the rows the triggers keep),
  // so that they can be large and exact:
  //   dagpenge:     20 enrolled, 3 opened (so "not opened" would give 3 away as 20 − 17);
  //                 2500 first meetings, 2249 correctly guided = 89.96 %;
  //                 10 letters and 2 resends (12 × 5 minutes would give the 2 away)
  //   sygedagpenge: 3 enrolled, 2 opened (hidden shares); 10 first meetings, 9 guided = 90.0 %;
  //                 2 letters (10 minutes are no "<5")
  //   kontanthjaelp-jobparat: nobody enrolled in the period (no share: "no data"), 5 meetings
  //   every other group: nothing at all; unit team-tom: a day row that went back to 0
  let s;
  const DAY = Date.UTC(2025, 0, 15) / 86400000;
  let api;
  let page;
  before(async () => {
    s = await startServer();
    const id = (slug) => `(SELECT id FROM target_groups WHERE slug = '${slug}')`;
    const cols = 'enrolled, opened, completed, declined, due, guided, held, viewed, sends, resends';
    sqlite(s.db, `
      INSERT INTO stats_group_day(day, group_id, ${cols}) VALUES
        (${DAY}, ${id('dagpenge')}, 20, 3, 0, 0, 2500, 2249, 0, 0, 10, 2),
        (${DAY}, ${id('sygedagpenge')}, 3, 2, 0, 0, 10, 9, 0, 0, 2, 0),
        (${DAY}, ${id('kontanthjaelp-jobparat')}, 0, 0, 0, 0, 5, 5, 0, 0, 0, 0);
      INSERT INTO stats_unit_day(day, unit, ${cols}) VALUES
        (${DAY}, 'team-nord', 23, 5, 0, 0, 2515, 2263, 0, 0, 10, 2),
        (${DAY}, 'team-tom', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);`);
    api = (await s.api('GET', '/api/v1/stats?from=2025-01-01&to=2025-03-31')).json;
    const b = await staff(s, 'admin');
    page = decodeEntities((await b.get('/admin/statistik?kvartal=2025-1')).text);
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('the API: null for a difference, minutes and a share resting on a hidden count; shares rounded down', () => {
    const dp = api.target_groups.find((g) => g.target_group === 'dagpenge');
    assert.equal(dp.enrolled, 20);
    assert.equal(dp.opened, null);
    assert.equal(dp.not_opened, null, '20 − 17 would give the hidden 3 away');
    assert.equal(dp.written_guidance_sent, 10);
    assert.equal(dp.resends_sent, null);
    assert.equal(dp.minutes_saved, null, '60 minutes would give the 2 resends away');
    assert.equal(dp.rates.correctly_guided, 0.8996);
    assert.equal(api.total.correctly_guided, 2263);
    assert.equal(api.total.rates.correctly_guided, 0.8998, '2263 ÷ 2515 = 0.89980…, rounded down');
    // a unit whose every figure is 0 has no figure in the period: not listed
    assert.deepEqual(api.units.map((u) => u.unit), ['team-nord']);
  });

  it('the goal card: 89.96 % reads 89,9 % and not met; 90.0 % is met', () => {
    const card = /<li class="(vejled-card vejled-card-goal[^"]*)">([\s\S]*?)<\/li>/.exec(page);
    assert.equal(card[1], 'vejled-card vejled-card-goal vejled-card-goal-missed');
    assert.match(card[2], /89,9 %[\s\S]*Målet er ikke nået i perioden/);
    assert.doesNotMatch(page, /Perioden er ikke slut/, 'a quarter that is over');
    // the figure shown (89.96 % rounds to 90,0 %, which read "not reached" before)
    assert.equal(/<span class="vejled-card-value[^"]*">([^<]*)</.exec(card[2])[1], '89,9 %');
    // the bars: dagpenge 89.96 % short of the goal, sygedagpenge 9 of 10 on it
    const bar = (name) => new RegExp(`<span class="vejled-bar-name">${name}<[\\s\\S]*?</li>`).exec(page)[0];
    assert.match(bar('Dagpenge'), /vejled-w89"[\s\S]*89,9 %/);
    assert.doesNotMatch(bar('Dagpenge'), /vejled-bar-met/);
    assert.match(bar('Sygedagpenge'), /vejled-w90 vejled-bar-met"[\s\S]*90,0 %/);
  });

  it('the goal card: a share hidden for a count of 1-4 guided among 5 or more is still marked as missed', async () => {
    // 2025 Q2: 200 first meetings, 3 correctly guided (1.5 %, shown as hidden)
    const day = Date.UTC(2025, 3, 15) / 86400000;
    const cols = 'enrolled, opened, completed, declined, due, guided, held, viewed, sends, resends';
    sqlite(s.db, `
      INSERT INTO stats_group_day(day, group_id, ${cols}) VALUES
        (${day}, (SELECT id FROM target_groups WHERE slug = 'dagpenge'), 200, 150, 3, 0, 200, 3, 0, 0, 200, 0);
      INSERT INTO stats_unit_day(day, unit, ${cols}) VALUES (${day}, 'team-nord', 200, 150, 3, 0, 200, 3, 0, 0, 200, 0);`);
    const b = await staff(s, 'admin');
    const q2 = decodeEntities((await b.get('/admin/statistik?kvartal=2025-2')).text);
    const card = /<li class="(vejled-card vejled-card-goal[^"]*)">([\s\S]*?)<\/li>/.exec(q2);
    assert.equal(card[1], 'vejled-card vejled-card-goal vejled-card-goal-missed');
    assert.match(card[2], /Skjult[\s\S]*Målet er ikke nået i perioden/);
    assert.doesNotMatch(card[2], /\b3\b|1,5/, 'the hidden count stays hidden');
  });

  it('minutes saved never read "<5": hidden, saying why', () => {
    const cards = [...page.matchAll(/<li class="vejled-card[^"]*">([\s\S]*?)<\/li>/g)].map((m) => m[1]);
    const minutes = cards.find((c) => /Minutter sparet/.test(c));
    assert.doesNotMatch(minutes, /&lt;5|<5/);
    assert.doesNotMatch(minutes, /\b60\b/);
    assert.match(minutes, /Skjult[\s\S]*Antallet af afsendelser bag tallet er under 5/);
  });

  /* The cells of a row of a table, tags dropped: [{text, hidden, empty}]. */
  function cells(id, key) {
    const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(page)[1];
    const row = new RegExp(`<tr data-key="${key}"[^>]*>([\\s\\S]*?)</tr>`).exec(table);
    assert.ok(row, `${id} has a row ${key}`);
    return [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => ({
      text: c[1].replace(/<span class="sr-only">[^<]*<\/span>/g, '').replace(/<[^>]*>/g, ''),
      hidden: /vejled-hidden-figure/.test(c[1]),
      empty: /vejled-no-data/.test(c[1]),
      said: c[1].replace(/<[^>]*>/g, ''),
    }));
  }
  const FULL = ['enrolled', 'opened', 'not_opened', 'completed', 'declined', 'opened_rate',
    'completed_rate', 'declined_rate', 'first_meetings_passed', 'correctly_guided',
    'correctly_guided_rate', 'meetings_held', 'answers_viewed_before_meeting',
    'caseworker_uptake_rate', 'written_guidance_sent', 'resends_sent', 'minutes_saved',
    'median_hours_to_completion'];
  const byCol = (row) => Object.fromEntries(FULL.map((c, i) => [c, row[i]]));

  it('"Alle tal": hidden reads – (said "skjult"), nothing to count reads "ingen data", never an empty cell', () => {
    const dp = byCol(cells('stats-groups', 'dagpenge'));
    assert.equal(dp.opened.text, '<5');
    for (const c of ['not_opened', 'opened_rate', 'minutes_saved']) {
      assert.ok(dp[c].hidden, `dagpenge ${c} is hidden`);
      assert.equal(dp[c].text, '–', `dagpenge ${c}`);
      assert.equal(dp[c].said, '–skjult', `dagpenge ${c}: a screen reader hears "skjult"`);
    }
    assert.equal(dp.correctly_guided_rate.text, '89,9 %');
    assert.ok(dp.median_hours_to_completion.empty, 'no completion: no data, not hidden');
    const kj = byCol(cells('stats-groups', 'kontanthjaelp-jobparat'));
    assert.ok(kj.opened_rate.empty && !kj.opened_rate.hidden, 'nobody enrolled: no data');
    assert.equal(kj.opened_rate.text, 'ingen data');
    assert.equal(kj.correctly_guided_rate.text, '100,0 %');
    const sd = byCol(cells('stats-groups', 'sygedagpenge'));
    assert.ok(sd.opened_rate.hidden && !sd.opened_rate.empty, '2 of 3: hidden, not no data');
    assert.equal(sd.written_guidance_sent.text, '<5');
    assert.ok(sd.minutes_saved.hidden, '2 letters: the minutes are hidden, not "<5"');
    for (const id of ['stats-groups', 'stats-units']) {
      for (const m of page.matchAll(new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`, 'g'))) {
        assert.doesNotMatch(m[0], /<td><\/td>/, `${id}: no empty cell`);
      }
    }
    // what the marks mean is said beside the tables and in the definitions
    assert.match(page, /<5: 1 til 4\. –: skjult, fordi tallet regnes ud fra et tal under 5\. ingen data: intet at tælle i perioden\./);
    assert.match(page, /Andele rundes ned til én decimal: 89,96 % vises som 89,9 %/);
    // "<5" is only ever a count: never a share, minutes or hours
    for (const c of ['opened_rate', 'completed_rate', 'declined_rate', 'correctly_guided_rate',
      'caseworker_uptake_rate', 'minutes_saved', 'median_hours_to_completion']) {
      for (const key of ['dagpenge', 'sygedagpenge', 'total']) {
        assert.notEqual(byCol(cells('stats-groups', key))[c].text, '<5', `${key} ${c}`);
      }
    }
  });

  it('groups with no citizen in the period are one line, not rows of zeros', () => {
    const summary = /<table[^>]*id="stats-summary"[^>]*>([\s\S]*?)<\/table>/.exec(page)[1];
    const keys = [...summary.matchAll(/<tr data-key="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(keys, ['dagpenge', 'kontanthjaelp-jobparat', 'sygedagpenge', 'total']);
    const idle = /<p id="stats-idle-groups">([^<]*)<\/p>/.exec(page);
    assert.ok(idle, 'the idle groups are named');
    assert.match(idle[1], /^Ingen borgere i perioden: .+\.$/);
    assert.doesNotMatch(idle[1], /Dagpenge|Sygedagpenge/);
    const bars = [...page.matchAll(/<span class="vejled-bar-name">([^<]*)</g)].map((m) => m[1]);
    assert.equal(bars.length, 3, `a bar only for the groups with citizens: ${bars}`);
    // the units: only team-nord, which has figures
    const units = /<table[^>]*id="stats-units-summary"[^>]*>([\s\S]*?)<\/table>/.exec(page)[1];
    assert.doesNotMatch(units, /team-tom/);
  });

  it('the CSV: – for hidden, empty only for nothing to count, shares rounded down', async () => {
    const b = await staff(s, 'admin');
    const r = await b.get('/admin/statistik.csv?kvartal=2025-1&sep=semicolon');
    const rows = parseCsv(r.buf, ';');
    const dp = rows.find((x) => x.key === 'dagpenge');
    assert.equal(dp.opened, '<5');
    assert.equal(dp.not_opened, '–');
    assert.equal(dp.minutes_saved, '–');
    assert.equal(dp.opened_rate, '–');
    assert.equal(dp.correctly_guided_rate, '89,9');
    assert.equal(rows.find((x) => x.key === 'kontanthjaelp-jobparat').opened_rate, '');
    assert.equal(rows.find((x) => x.key === 'sygedagpenge').correctly_guided_rate, '90,0');
    assert.deepEqual(rows.filter((x) => x.dimension === 'unit').map((x) => x.key), ['team-nord']);
  });
});
