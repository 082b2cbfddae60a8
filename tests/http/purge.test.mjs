// Retention purge: personal data leaves the database files and the outbox, while the
// journal still verifies (with a tombstone) and the anonymous figures stay the same.
// Also: the jobs and deliveries counters of /metrics.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, PG, allRows, cli, csrfOf, decodeEntities, enrolBody, freshCpr, jobsList, nowIso, parseForms, sqlite, startServer } from './harness.mjs';
import { formCsrf, staff } from './staffkit.mjs';

let s;
const OLD = { name: 'Purgeline Æblegrød', email: 'purgeline.old@example.dk', cpr: freshCpr() };
const NEW = { name: 'Beholdt Bøgeskov', email: 'beholdt.new@example.dk', cpr: freshCpr() };
let oldE;
let newE;

before(async () => {
  s = await startServer({
    config: '[api]\nidempotency_hours = 2\n[delivery]\nchannels = outbox\noutbox_dir = {dir}/outbox\n',
  });
});
after(async () => {
  if (s) await s.cleanup();
});

/** JSON with the keys of every object sorted, compact: how the server canonicalises a body. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha = (text) => crypto.createHash('sha256').update(text, 'utf8').digest();

/**
 * Every derivative of a citizen's data an unkeyed digest could leave behind: the CPR, name
 * and e-mail themselves, and the SHA-256 (hex and raw) of the CPR and of the enrolment
 * request body (as sent and canonicalised), each as [label, bytes].
 */
function derivatives(who) {
  const out = [['cpr', Buffer.from(who.cpr)], ['name', Buffer.from(who.name)], ['email', Buffer.from(who.email)]];
  const digests = [['sha256(cpr)', who.cpr], ['sha256(body)', JSON.stringify(who.body)], ['sha256(canonical body)', canonical(who.body)]];
  for (const [label, text] of digests) {
    out.push([`${label} hex`, Buffer.from(sha(text).toString('hex'))]);
    out.push([`${label} HEX`, Buffer.from(sha(text).toString('hex').toUpperCase())]);
    out.push([`${label} raw`, sha(text)]);
  }
  return out;
}

async function enrol(who, meeting) {
  const body = enrolBody(who.cpr, { first_meeting_at: meeting });
  body.citizen = { cpr: who.cpr, name: who.name, email: who.email };
  who.body = body;
  // with an Idempotency-Key: the replay cache holds a hash of the body (CPR, name, e-mail)
  const headers = { 'Idempotency-Key': `purge-${who.cpr}` };
  const r = await s.api('POST', '/api/v1/enrolments', { body, headers });
  assert.equal(r.status, 201, r.text);
  const again = await s.api('POST', '/api/v1/enrolments', { body, headers });
  assert.equal(again.text, r.text, 'the replay answers the same');
  return r.json;
}

/**
 * Every byte of the database's files (the WAL too); on PostgreSQL, where the files are the
 * cluster's, the text of every row of every table (a bytea value as hex, which the hex
 * needles of derivatives() cover).
 */
function dbBuffer() {
  if (PG) return Buffer.from(allRows(s.db), 'utf8');
  return Buffer.concat(['', '-wal'].map((x) => (fs.existsSync(s.db + x) ? fs.readFileSync(s.db + x) : Buffer.alloc(0))));
}

const idemRows = (citizenId) => Number(sqlite(s.db,
  `SELECT count(*) FROM idempotency WHERE citizen_id = (SELECT id FROM citizens WHERE uuid = '${citizenId}');`).trim());

/** dbBuffer() as latin1 text for searching. */
function dbBytes() {
  return dbBuffer().toString('latin1');
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
      body: { held_at: nowIso(), oral_guidance: true, note: 'Talte om rådighed med Purgeline' },
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
    // nothing written: the file untouched (on PostgreSQL: every row the same)
    const written = () => (PG ? allRows(s.db) : fs.statSync(s.db).mtimeMs);
    const before = written();
    for (const p of ['', 'x', '0', '5', '1825', '-5d', '5w', '99999y', '5d5']) {
      const r = cli(['purge', '--db', s.db, '--older-than', p]);
      assert.equal(r.status, 2, `--older-than '${p}': ${r.stderr}`);
      assert.match(r.stderr, /older-than PERIOD/);
    }
    assert.equal(written(), before);
  });

  it('purge removes the old citizen\'s name, e-mail, note and letters, and nothing of the other', async () => {
    const enrolledBefore = JSON.parse(JSON.stringify((await s.api('GET', `/api/v1/enrolments/${oldE.enrolment_id}`)).json));
    const statsUrl = '/api/v1/stats?from=2026-01-01&to=2026-12-31';
    const figures = async () => {
      const { generated_at: _, ...rest } = (await s.api('GET', statsUrl)).json;
      return rest;
    };
    const statsBefore = await figures();
    assert.ok(statsBefore.total.enrolled >= 2, JSON.stringify(statsBefore.total));
    // a replaced link leaves its token's hash behind (so that it answers 410): purged too
    const relink = await s.api('POST', `/api/v1/enrolments/${oldE.enrolment_id}/link`);
    assert.equal(relink.status, 201, relink.text);
    const replacedRows = () => Number(sqlite(s.db,
      `SELECT count(*) FROM replaced_links WHERE enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${oldE.enrolment_id}');`).trim());
    await s.stop();
    assert.equal(replacedRows(), 1, 'the replaced link is kept as a hash before the purge');
    assert.ok(has(dbBytes(), OLD.name), 'the name is in the database before');
    assert.equal(idemRows(oldE.citizen_id), 1, 'the replay cache holds the old citizen\'s answer');
    const live = dbBuffer();
    for (const [label, bytes] of derivatives(OLD).filter(([l]) => l.startsWith('sha256'))) {
      assert.ok(!live.includes(bytes), `no unkeyed ${label} in the database files, even before the purge`);
    }
    // letters still owed to the old citizen (the resend after the meeting, the new link):
    // cancelled with the purge, since their name and CPR go; the journal's delivery stays
    const lettersOwed = jobsList(s.db, oldE.enrolment_id).filter((x) => x.state === 'pending' && x.kind !== 'deliver_journal');
    assert.ok(lettersOwed.length >= 2, JSON.stringify(lettersOwed));
    // what a pass stopped between writing and renaming leaves beside a letter: the CPR too
    const outbox = path.join(s.dir, 'outbox');
    const strayOf = (cpr) => path.join(outbox, `.${outboxWith(cpr)[0]}.tmp`);
    const [strayOld, strayNew] = [strayOf(OLD.cpr), strayOf(NEW.cpr)];
    fs.copyFileSync(path.join(outbox, outboxWith(OLD.cpr)[0]), strayOld);
    fs.copyFileSync(path.join(outbox, outboxWith(NEW.cpr)[0]), strayNew);
    const r = cli(['purge', '--db', s.db, '--config', s.configFile, '--older-than', '365d', '--now', '2028-06-01T00:00:00Z']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!fs.existsSync(strayOld), 'the purged citizen\'s unfinished outbox file is gone');
    assert.ok(fs.existsSync(strayNew), 'the other citizen\'s stays');
    fs.unlinkSync(strayNew);
    assert.deepEqual(jobsList(s.db, oldE.enrolment_id).filter((x) => x.state === 'pending' && x.kind !== 'deliver_journal'), [],
      'no letter is left to go to the purged citizen');
    assert.ok(jobsList(s.db, newE.enrolment_id).some((x) => x.state === 'pending'), 'the other citizen\'s letters stay');
    assert.match(r.stderr, /purge: [1-9]\d* citizen\(s\) older than 365 days purged/); // with the demo citizens
    const bytes = dbBytes();
    for (const secret of [OLD.name, OLD.email, 'Talte om rådighed med Purgeline']) {
      assert.ok(!has(bytes, secret), `"${secret}" is gone from the database files`);
    }
    const files = dbBuffer();
    for (const [label, needle] of derivatives(OLD)) {
      assert.ok(!files.includes(needle), `${label} of the purged citizen is not in the database files`);
    }
    assert.equal(idemRows(oldE.citizen_id), 0, 'the replay cache of the purged citizen is gone');
    assert.equal(replacedRows(), 0, 'the replaced link\'s hash of the purged citizen is gone');
    assert.equal(idemRows(newE.citizen_id), 1, 'the other citizen\'s stays (until it expires)');
    assert.ok(has(bytes, NEW.name), 'the other citizen is untouched');
    assert.equal(outboxWith(OLD.cpr).length, 0, 'the old letter (which holds the CPR) is gone');
    assert.equal(outboxWith(NEW.cpr).length, 1, 'the other letter stays');
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, `the journal still verifies: ${v.stderr}`);
    // a second run finds nothing more to do
    const again = cli(['purge', '--db', s.db, '--config', s.configFile, '--older-than', '365d', '--now', '2028-06-01T00:00:00Z']);
    assert.match(again.stderr, /purge: 0 citizen\(s\)/);

    await s.start();
    assert.deepEqual(await figures(), statsBefore, 'the statistics are unchanged');
    const j = await s.api('GET', `/api/v1/citizens/${oldE.citizen_id}/journal`);
    const last = j.json.entries.at(-1);
    assert.equal(last.kind, 'citizen_purged');
    assert.equal(last.actor, 'retention');
    assert.deepEqual(last.data, { reason: 'retention', retention_days: 365, letters_cancelled: lettersOwed.length });
    // the anonymous record is unchanged: answers, score, meeting
    const e = (await s.api('GET', `/api/v1/enrolments/${oldE.enrolment_id}`)).json;
    assert.deepEqual(e.score, enrolledBefore.score);
    assert.equal(e.oral_guidance_recorded, true);
    // the link from the letter no longer opens anything
    const link = await new Browser(s).get(new URL(oldE.link).pathname);
    assert.ok([404, 410].includes(link.status), `old link: ${link.status}`);
  });

  it('the purged citizen\'s open enrolment gets no new link, meeting, plan or group: 409 citizen_purged, and nothing changes', async () => {
    const counts = () => sqlite(s.db, `SELECT (SELECT count(*) FROM journal) || ' ' || (SELECT count(*) FROM jobs)
      || ' ' || (SELECT count(*) FROM enrolments) || ' ' || (SELECT count(*) FROM meetings WHERE note_box IS NOT NULL)
      || ' ' || (SELECT count(*) FROM enrolment_links)`).trim();
    const before = counts();
    const token = sqlite(s.db, `SELECT token_hash FROM enrolments WHERE uuid = '${oldE.enrolment_id}'`).trim();
    for (const [method, url, body] of [
      ['POST', `/api/v1/enrolments/${oldE.enrolment_id}/link`, undefined],
      ['POST', `/api/v1/enrolments/${oldE.enrolment_id}/meeting`, { held_at: nowIso(), oral_guidance: true, note: 'Efter sletningen' }],
      ['PUT', `/api/v1/enrolments/${oldE.enrolment_id}/planned-meeting`, { first_meeting_at: '2031-01-05T09:00:00Z' }],
      ['PUT', `/api/v1/citizens/${oldE.citizen_id}/target-group`, { target_group: 'sygedagpenge', next_meeting_at: '2031-01-05T09:00:00Z' }],
    ]) {
      const r = await s.api(method, url, body === undefined ? {} : { body });
      assert.equal(r.status, 409, `${method} ${url}: ${r.text}`);
      assert.equal(r.json.error.code, 'citizen_purged', r.text);
      assert.match(r.json.error.message, /enrol the citizen anew/);
    }
    assert.equal(counts(), before, 'nothing written');
    assert.equal(sqlite(s.db, `SELECT token_hash FROM enrolments WHERE uuid = '${oldE.enrolment_id}'`).trim(), token);
    // the caseworker's page says so and offers neither; a form posted anyway is 409
    const admin = await staff(s, 'admin');
    const page = await admin.get(`/medarbejder/borger/${oldE.citizen_id}`);
    assert.equal(page.status, 200);
    const said = decodeEntities(page.text);
    assert.match(said, /Borgerens personoplysninger er slettet efter opbevaringsperioden\. Der kan ikke registreres et møde eller sendes et nyt link til forløbet\./);
    assert.ok(!said.includes(`/moede?forloeb=${oldE.enrolment_id}`), 'no meeting button');
    assert.ok(!said.includes('/nyt-link'), 'no new-link form');
    const csrf = formCsrf(page.text, '/medarbejder/logout');
    const refused = await admin.post(`/medarbejder/borger/${oldE.citizen_id}/nyt-link`, { csrf, forloeb: oldE.enrolment_id });
    assert.equal(refused.status, 409, refused.text.slice(0, 300));
    assert.match(decodeEntities(refused.text), /<h1>Borgerens oplysninger er slettet<\/h1>/);
    assert.equal(counts(), before, 'still nothing written (but the access log)');
    // the same person enrolled anew is a new citizen, with a link that works
    const anew = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(OLD.cpr, { target_group: 'sygedagpenge' }) });
    assert.equal(anew.status, 201, anew.text);
    assert.notEqual(anew.json.citizen_id, oldE.citizen_id);
  });

  it('Idempotency-Key answers are deleted by the scheduler after [api] idempotency_hours', async () => {
    const created = Number(sqlite(s.db, 'SELECT max(created_at) FROM idempotency;').trim());
    assert.ok(idemRows(newE.citizen_id) === 1 && created > 0);
    const pass = (t) => cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')]);
    // the config's idempotency_hours = 2: still there just inside the window
    assert.equal(pass(created + 2 * 3600).status, 0);
    assert.equal(idemRows(newE.citizen_id), 1, 'kept while it can be replayed');
    assert.equal(pass(created + 2 * 3600 + 1).status, 0);
    assert.equal(Number(sqlite(s.db, 'SELECT count(*) FROM idempotency;').trim()), 0, 'gone once it can no longer be replayed');
  });

  it('jobs run purges too when [retention] purge_after is set, after the letters due', () => {
    const ini = path.join(s.dir, 'retention.ini');
    fs.writeFileSync(ini, `${fs.readFileSync(s.configFile, 'utf8')}\n[retention]\npurge_after = 365d\n`);
    const before = jobsList(s.db, newE.enrolment_id);
    assert.ok(before.some((x) => x.state === 'pending'));
    const r = cli(['jobs', 'run', '--db', s.db, '--config', ini, '--now', '2040-01-01T00:00:00Z']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /jobs run: retention purge \(\[retention\] purge_after = 365d\): [1-9]\d* citizen\(s\)/);
    assert.equal(sqlite(s.db, `SELECT purged_at IS NOT NULL FROM citizens WHERE uuid = '${newE.citizen_id}';`).trim(), PG ? 't' : '1');
    // its letters that were due went out in the pass before the purge; none is left pending
    assert.deepEqual(jobsList(s.db, newE.enrolment_id).filter((x) => x.state === 'pending' && x.kind !== 'deliver_journal'), []);
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
  });

  it('a period without its unit is refused (5 could mean years, it would purge after 5 days)', () => {
    const ini = path.join(s.dir, 'bare.ini');
    fs.writeFileSync(ini, `${fs.readFileSync(s.configFile, 'utf8')}\n[retention]\npurge_after = 5\n`);
    const jobsBefore = jobsList(s.db);
    const r = cli(['jobs', 'run', '--db', s.db, '--config', ini, '--now', '2041-01-01T00:00:00Z']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /purge_after must be a period such as 5y, 60m or 1825d, not '5'/);
    assert.deepEqual(jobsList(s.db), jobsBefore, 'nothing ran');
  });

  it('a wrong [retention] purge_after stops the server at start with a clear line', async () => {
    const ini = path.join(s.dir, 'bad.ini');
    fs.writeFileSync(ini, `${s.placesIni}[retention]\npurge_after = soon\n`);
    const r = cli(['serve', '--db', s.db, '--listen', '127.0.0.1:0', '--config', ini]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /purge_after must be a period/);
  });
});
