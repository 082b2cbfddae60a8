// Retention purge: personal data leaves the database files and the outbox, while the
// journal still verifies (with a tombstone) and the anonymous figures stay the same.
// Also: the jobs and deliveries counters of /metrics.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, cli, csrfOf, enrolBody, freshCpr, parseForms, startServer } from './harness.mjs';

let s;
const OLD = { name: 'Purgeline Æblegrød', email: 'purgeline.old@example.dk', cpr: freshCpr() };
const NEW = { name: 'Beholdt Bøgeskov', email: 'beholdt.new@example.dk', cpr: freshCpr() };
let oldE;
let newE;

before(async () => {
  s = await startServer({
    config: '[delivery]\nchannels = outbox\noutbox_dir = {dir}/outbox\n',
  });
});
after(async () => {
  if (s) await s.cleanup();
});

async function enrol(who, meeting) {
  const body = enrolBody(who.cpr, { first_meeting_at: meeting });
  body.citizen = { cpr: who.cpr, name: who.name, email: who.email };
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Every byte of the database's files (the WAL too), as latin1 text for searching. */
function dbBytes() {
  return ['', '-wal'].map((x) => (fs.existsSync(s.db + x) ? fs.readFileSync(s.db + x) : Buffer.alloc(0)))
    .map((b) => b.toString('latin1')).join('');
}
const has = (text, needle) => text.includes(Buffer.from(needle, 'utf8').toString('latin1'));

function outboxWith(cpr) {
  const dir = path.join(s.dir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.xml'))
    .filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes(cpr));
}

const outboxSent = (text) => Number(/^vejled_deliveries_sent_total\{channel="outbox"\} (\d+)$/m.exec(text)[1]);

async function metrics() {
  const r = await s.request('GET', '/metrics');
  assert.equal(r.status, 200);
  return r.text;
}

describe('retention purge', () => {
  it('two citizens: one whose meeting has been held, one with a meeting years ahead; one still active; letters sent', async () => {
    oldE = await enrol(OLD, '2026-11-20T09:00:00Z');
    newE = await enrol(NEW, '2031-06-02T09:00:00Z');
    // the old citizen answers something and gets a meeting note
    const b = new Browser(s);
    await b.follow(new URL(oldE.link).pathname);
    const page = await b.get('/borger/video/1');
    const form = parseForms(page.text).find((f) => f.action === '/borger/video/1');
    const fields = [['csrf', csrfOf(page.text)]];
    const seen = new Set();
    for (const i of form.inputs) {
      if ((i.type === 'radio' || i.type === 'checkbox') && i.name !== 'ask' && !seen.has(i.name)) {
        seen.add(i.name);
        fields.push([i.name, i.value]);
      }
    }
    assert.equal((await b.post('/borger/video/1', fields)).status, 303);
    const m = await s.api('POST', `/api/v1/enrolments/${oldE.enrolment_id}/meeting`, {
      body: { held_at: '2026-11-20T09:30:00Z', oral_guidance: true, note: 'Talte om rådighed med Purgeline' },
    });
    assert.equal(m.status, 200, m.text);
    assert.equal(outboxSent(await metrics()), 0, 'nothing sent yet');
    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(outboxWith(OLD.cpr).length, 1, 'a letter to the old citizen');
    assert.equal(outboxWith(NEW.cpr).length, 1, 'a letter to the new citizen');
    const text = await metrics();
    const files = fs.readdirSync(path.join(s.dir, 'outbox')).filter((f) => f.endsWith('.xml'));
    assert.ok(files.length >= 2);
    assert.equal(outboxSent(text), files.length, 'every letter in the outbox is counted (the demo citizens\' too)');
    assert.match(text, /^vejled_jobs\{state="failed"\} 0$/m);
    assert.match(text, /^vejled_jobs\{state="pending"\} [1-9]\d*$/m);
  });

  it('a bad period is a usage error and changes nothing', () => {
    const before = fs.statSync(s.db).mtimeMs;
    for (const p of ['', 'x', '0', '-5d', '5w', '99999y', '5d5']) {
      const r = cli(['purge', '--db', s.db, '--older-than', p]);
      assert.equal(r.status, 2, `--older-than '${p}': ${r.stderr}`);
      assert.match(r.stderr, /older-than PERIOD/);
    }
    assert.equal(fs.statSync(s.db).mtimeMs, before);
  });

  it('purge removes the old citizen\'s name, e-mail, note and letters, and nothing of the other', async () => {
    const enrolledBefore = JSON.parse(JSON.stringify((await s.api('GET', `/api/v1/enrolments/${oldE.enrolment_id}`)).json));
    const statsUrl = '/api/v1/stats?from=2026-01-01&to=2026-12-31';
    // generated_at is the clock at the answer, not data: left out of the comparison
    const stats = async () => ({ ...(await s.api('GET', statsUrl)).json, generated_at: undefined });
    const statsBefore = await stats();
    assert.ok(statsBefore.total.enrolled >= 2, JSON.stringify(statsBefore.total));
    await s.stop();
    assert.ok(has(dbBytes(), OLD.name), 'the name is in the database before');
    const r = cli(['purge', '--db', s.db, '--config', s.configFile, '--older-than', '365d', '--now', '2028-06-01T00:00:00Z']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /purge: [1-9]\d* citizen\(s\) older than 365 days purged/); // with the demo citizens
    const bytes = dbBytes();
    for (const secret of [OLD.name, OLD.email, 'Talte om rådighed med Purgeline']) {
      assert.ok(!has(bytes, secret), `"${secret}" is gone from the database files`);
    }
    assert.ok(has(bytes, NEW.name), 'the other citizen is untouched');
    assert.equal(outboxWith(OLD.cpr).length, 0, 'the old letter (which holds the CPR) is gone');
    assert.equal(outboxWith(NEW.cpr).length, 1, 'the other letter stays');
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, `the journal still verifies: ${v.stderr}`);
    // a second run finds nothing more to do
    const again = cli(['purge', '--db', s.db, '--config', s.configFile, '--older-than', '365d', '--now', '2028-06-01T00:00:00Z']);
    assert.match(again.stderr, /purge: 0 citizen\(s\)/);

    await s.start();
    assert.deepEqual(await stats(), statsBefore, 'the statistics are unchanged');
    const j = await s.api('GET', `/api/v1/citizens/${oldE.citizen_id}/journal`);
    const last = j.json.entries.at(-1);
    assert.equal(last.kind, 'citizen_purged');
    assert.equal(last.actor, 'retention');
    assert.deepEqual(last.data, { reason: 'retention', retention_days: 365 });
    // the anonymous record is unchanged: answers, score, meeting
    const e = (await s.api('GET', `/api/v1/enrolments/${oldE.enrolment_id}`)).json;
    assert.deepEqual(e.score, enrolledBefore.score);
    assert.equal(e.oral_guidance_recorded, true);
    // the link from the letter no longer opens anything
    const link = await new Browser(s).get(new URL(oldE.link).pathname);
    assert.ok([404, 410].includes(link.status), `old link: ${link.status}`);
  });

  it('a wrong [retention] purge_after stops the server at start with a clear line', async () => {
    const ini = path.join(s.dir, 'bad.ini');
    fs.writeFileSync(ini, '[retention]\npurge_after = soon\n');
    const r = cli(['serve', '--db', s.db, '--listen', '127.0.0.1:0', '--config', ini]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /purge_after must be a period/);
  });
});
