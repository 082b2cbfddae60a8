// The case-system API over real HTTP: enrolment, idempotency, bad input (with "nothing
// written" checked), framing, auth, routing errors, health, static files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ROOT, enrolBody, freshCpr, sqlite, startServer, tableCounts } from './harness.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const HEX64 = /^[0-9a-f]{64}$/;

let s;
const usedCprs = [];

function cpr() {
  const c = freshCpr();
  usedCprs.push(c);
  return c;
}

/* The documented error shape, exactly. */
function assertError(res, status, code, field) {
  assert.equal(res.status, status, `status for ${code}: ${res.text}`);
  assert.match(res.headers['content-type'] || '', /^application\/json; charset=utf-8$/);
  assert.ok(res.json && typeof res.json === 'object', `JSON body: ${res.text}`);
  assert.deepEqual(Object.keys(res.json), ['error']);
  const e = res.json.error;
  assert.equal(e.code, code, res.text);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  if (field === undefined) {
    assert.ok(!('field' in e), `no field expected: ${res.text}`);
  } else {
    assert.equal(e.field, field, res.text);
  }
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'field'].includes(k), `unexpected key ${k}`);
}

/* Walks a JSON value; calls fn(key, value) for every member. */
function walk(v, fn) {
  if (Array.isArray(v)) v.forEach((x) => walk(x, fn));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      fn(k, x);
      walk(x, fn);
    }
  }
}

const ms = (t) => Date.parse(t);

describe('API', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  let first; // the first enrolment of the suite

  it('GET /healthz is 200 {"status":"ok"} without a key; HEAD works too', async () => {
    const r = await s.request('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(r.json, { status: 'ok' });
    const h = await s.request('HEAD', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.buf.length, 0, 'HEAD has no body');
    assert.equal(h.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(Number(h.headers['content-length']), r.buf.length);
  });

  it('enrols a citizen: 201 with ids, link on the bound port, expiry and jobs', async () => {
    const c = cpr();
    const meeting = '2030-03-01T09:00:00Z';
    const before = Date.now();
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(c, { first_meeting_at: meeting }) });
    const after = Date.now();
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    const b = r.json;
    assert.match(b.enrolment_id, UUID);
    assert.match(b.citizen_id, UUID);
    assert.notEqual(b.enrolment_id, b.citizen_id);
    assert.equal(b.target_group, 'dagpenge');
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/v\/([A-Za-z0-9_-]{24})$/.exec(b.link);
    assert.ok(m, `link ${b.link}`);
    assert.equal(Number(m[1]), s.port, 'the link points at the bound port');
    assert.match(b.expires_at, RFC3339Z);
    assert.ok(ms(b.expires_at) > after + 86400e3, 'the link is valid for more than a day');
    // jobs: written guidance now, a reminder before the meeting, the resend 6 months after it
    assert.deepEqual(b.jobs.map((j) => j.kind),
      ['send_written_guidance', 'remind_before_meeting', 'resend_written_guidance']);
    for (const j of b.jobs) assert.match(j.due_at, RFC3339Z);
    const [send, remind, resend] = b.jobs.map((j) => ms(j.due_at));
    assert.ok(send >= Math.floor(before / 1000) * 1000 - 1000 && send <= after + 1000, 'written guidance is due now');
    assert.ok(remind > after && remind < ms(meeting), 'the reminder is due before the meeting');
    assert.ok(ms(meeting) - remind <= 14 * 86400e3, 'the reminder is due shortly before the meeting');
    // first meeting + 6 months, in Danish local time (so the UTC hour may move by one)
    assert.ok(Math.abs(resend - ms('2030-09-01T09:00:00Z')) <= 3600e3, `resend at ${b.jobs[2].due_at}`);
    assert.ok(!r.text.includes(c), 'no CPR in the response');
    first = { ...b, cpr: c, meeting, token: m[2] };
  });

  it('describes the enrolment: not_opened, score, videos with questions, no CPR', async () => {
    const r = await s.api('GET', `/api/v1/enrolments/${first.enrolment_id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    const e = r.json;
    assert.equal(e.enrolment_id, first.enrolment_id);
    assert.equal(e.citizen_id, first.citizen_id);
    assert.equal(e.target_group, 'dagpenge');
    assert.equal(e.status, 'not_opened');
    assert.ok(Number.isInteger(e.pack_version) && e.pack_version >= 1);
    assert.equal(e.first_meeting_at, first.meeting);
    assert.equal(e.opened_at, null);
    assert.equal(e.completed_at, null);
    assert.ok(Array.isArray(e.videos) && e.videos.length > 0);
    let questions = 0;
    for (const v of e.videos) {
      assert.equal(typeof v.id, 'string');
      assert.equal(typeof v.title, 'string');
      assert.equal(v.finished, false);
      assert.ok(Array.isArray(v.questions) && v.questions.length > 0, `video ${v.id} has questions`);
      for (const q of v.questions) {
        questions++;
        assert.equal(typeof q.id, 'string');
        assert.equal(typeof q.topic, 'string');
        assert.equal(typeof q.text, 'string');
        assert.deepEqual(q.answer, []);
        assert.equal(q.correct, null);
        assert.equal(q.answered_at, null);
      }
    }
    assert.ok(e.score.total > 0);
    assert.deepEqual(e.score, { correct: 0, answered: 0, total: questions });
    assert.deepEqual(e.focus_topics, []);
    assert.deepEqual(e.asked_topics, []);
    assert.equal(e.oral_guidance_recorded, false);
    walk(e, (k) => assert.ok(!/cpr/i.test(k), `member ${k}`));
    assert.ok(!r.text.includes(first.cpr));
    assert.ok(!r.text.includes(`${first.cpr.slice(0, 6)}-${first.cpr.slice(6)}`));
  });

  it('journals the enrolment as one entry with a hash chain link', async () => {
    const r = await s.api('GET', `/api/v1/citizens/${first.citizen_id}/journal`);
    assert.equal(r.status, 200, r.text);
    const { entries } = r.json;
    assert.equal(entries.length, 1);
    const [e] = entries;
    assert.equal(e.kind, 'enrolled');
    assert.equal(e.actor, 'api');
    assert.equal(e.enrolment_id, first.enrolment_id);
    assert.ok(Number.isInteger(e.seq) && e.seq > 1, 'after the demo citizens');
    assert.match(e.at, RFC3339Z);
    assert.match(e.prev_hash, HEX64);
    assert.match(e.hash, HEX64);
    assert.equal(typeof e.data, 'object');
    assert.ok(!r.text.includes(first.cpr));
  });

  it('a dashed CPR (DDMMYY-SSSS) is refused as the API documents: exactly 10 digits; nothing written', async () => {
    const dashed = `${first.cpr.slice(0, 6)}-${first.cpr.slice(6)}`;
    const counts = tableCounts(s.db);
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(dashed) });
    assertError(r, 422, 'invalid_cpr', 'citizen.cpr');
    assert.ok(!r.text.includes(first.cpr) && !r.text.includes(dashed));
    assert.deepEqual(tableCounts(s.db), counts, 'nothing written');
    // the same citizen in another group, given as 10 digits, is fine and keeps its citizen id
    const other = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(first.cpr, { target_group: 'sygedagpenge' }) });
    assert.equal(other.status, 201, other.text);
    assert.equal(other.json.citizen_id, first.citizen_id);
    assert.equal(other.json.target_group, 'sygedagpenge');
    assert.notEqual(other.json.enrolment_id, first.enrolment_id);
  });

  it('Idempotency-Key: a retry returns the first answer byte for byte, once', async () => {
    const c = cpr();
    const body = enrolBody(c);
    const key = `idem-${c}-a`;
    const counts = tableCounts(s.db);
    const r1 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r1.status, 201, r1.text);
    const r2 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r2.status, 201);
    assert.equal(r2.text, r1.text, 'byte-equal JSON');
    assert.equal(r2.headers['content-type'], 'application/json; charset=utf-8');
    // the same JSON with other whitespace is the same request
    const spaced = JSON.stringify(body, null, 2);
    const r3 = await s.api('POST', '/api/v1/enrolments', { body: spaced, headers: { 'Idempotency-Key': key } });
    assert.equal(r3.status, 201);
    assert.equal(r3.text, r1.text);
    const after = tableCounts(s.db);
    assert.equal(after.enrolments, counts.enrolments + 1, 'one enrolment');
    assert.equal(after.citizens, counts.citizens + 1, 'one citizen');
    assert.equal(after.journal, counts.journal + 1, 'one journal entry');
    // a retry without the key (or with another) is a new request: the citizen is enrolled
    const r4 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': `${key}-other` } });
    assertError(r4, 409, 'already_enrolled', 'target_group');
    const r5 = await s.api('POST', '/api/v1/enrolments', { body });
    assertError(r5, 409, 'already_enrolled', 'target_group');
    // the same key with a different body is refused, and writes nothing
    const before6 = tableCounts(s.db);
    const r6 = await s.api('POST', '/api/v1/enrolments', {
      body: enrolBody(c, { first_meeting_at: '2030-04-01T09:00:00Z' }),
      headers: { 'Idempotency-Key': key },
    });
    assertError(r6, 422, 'idempotency_key_reused', r6.json?.error?.field);
    const r7 = await s.api('POST', '/api/v1/enrolments', {
      body: enrolBody(cpr()),
      headers: { 'Idempotency-Key': key },
    });
    assertError(r7, 422, 'idempotency_key_reused', r7.json?.error?.field);
    assert.deepEqual(tableCounts(s.db), before6, 'nothing written');
    // the first answer still stands
    const r8 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r8.text, r1.text);
    const j = await s.api('GET', `/api/v1/citizens/${r1.json.citizen_id}/journal`);
    assert.equal(j.json.entries.length, 1);
    const e = await s.api('GET', `/api/v1/enrolments/${r1.json.enrolment_id}`);
    assert.equal(e.status, 200);
    assert.equal(e.json.first_meeting_at, body.first_meeting_at);
    // the key holds the CPR here, as a case system may build it: only its keyed hash is kept
    const keys = sqlite(s.db, 'SELECT key FROM idempotency;');
    assert.ok(!keys.includes(c) && !keys.includes(key), 'no key as sent, no CPR');
    assert.match(keys.trim().split('\n').pop(), /^[0-9a-f]{64}$/);
  });

  it('Idempotency-Key: a row kept before keys were hashed still answers its retry', async () => {
    const c = cpr();
    const body = enrolBody(c);
    const key = `legacy-${Date.now()}`;
    const r1 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r1.status, 201, r1.text);
    // as an earlier version stored it: the key as sent
    sqlite(s.db, `UPDATE idempotency SET key = '${key}'
      WHERE citizen_id = (SELECT id FROM citizens WHERE uuid = '${r1.json.citizen_id}');`);
    assert.equal(sqlite(s.db, `SELECT count(*) FROM idempotency WHERE key = '${key}';`).trim(), '1');
    const r2 = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.text, r1.text, 'the first answer, found under the key as sent');
  });

  it('an Idempotency-Key that is not 1-255 visible ASCII characters is 400', async () => {
    const counts = tableCounts(s.db);
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr()), headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    assertError(r, 400, 'bad_request');
    assert.deepEqual(tableCounts(s.db), counts);
  });

  describe('bad input: a precise error and nothing written', () => {
    const rejected = []; // CPRs whose requests were refused: each must still enrol afterwards
    let counts;

    before(() => {
      counts = tableCounts(s.db);
    });

    const post = (body, headers = {}) => s.api('POST', '/api/v1/enrolments', { body, headers });

    it('malformed JSON is 400 malformed_json and does not echo the input', async () => {
      const c = cpr();
      rejected.push(c);
      for (const text of [
        `{"citizen": {"cpr": "${c}", "name": "X"}, "target_group": "dagpenge",`,
        `{"citizen": {"cpr": ${c}x}}`,
        `{"citizen": {"cpr": "${c}", "cpr": "${c}"}, "target_group": "dagpenge", "first_meeting_at": "2030-03-01T09:00:00Z"}`,
        '',
        'null x',
        "{'single': 'quotes'}",
        `${'['.repeat(30000)}${']'.repeat(30000)}`, // deeper than any parser should go
      ]) {
        const r = await post(text);
        assertError(r, 400, 'malformed_json');
        assert.ok(!r.text.includes(c), `no CPR echoed: ${r.text}`);
      }
    });

    it('a text holding U+0000 is valid JSON but no text of ours: 422 naming the member, never a key the client made up', async () => {
      const c = cpr();
      rejected.push(c);
      for (const [body, field] of [
        [`{"citizen": {"cpr": "${c}", "name": "a\\u0000b"}, "target_group": "dagpenge", "first_meeting_at": "2030-03-01T09:00:00Z"}`, 'citizen.name'],
        [`{"citizen": {"cpr": "${c}", "name": "A"}, "target_group": "dag\\u0000penge"}`, 'target_group'],
        [`{"citizen": {"cpr": "${c}", "name": "A"}, "${c}": ["x", "\\u0000"]}`, undefined],
      ]) {
        const r = await post(body);
        assertError(r, 422, 'invalid_body', field);
        assert.ok(!r.text.includes(c), `no CPR echoed: ${r.text}`);
      }
    });

    it('a body that is not JSON by its Content-Type is 415', async () => {
      const c = cpr();
      rejected.push(c);
      const json = JSON.stringify(enrolBody(c));
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
        assertError(await post(json, { 'Content-Type': ct }), 415, 'unsupported_media_type');
      }
      // no Content-Type at all
      const r = await s.request('POST', '/api/v1/enrolments', { headers: { Authorization: `Bearer ${s.key}` }, body: json });
      assertError(r, 415, 'unsupported_media_type');
    });

    it('a body over 65536 bytes is 413, answered without waiting for the body', async () => {
      const c = cpr();
      rejected.push(c);
      const head = (len) => 'POST /api/v1/enrolments HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${s.key}\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`;
      // only the headers: the answer comes at once, from the declared length
      let r = await s.raw(head(65537), { timeoutMs: 5000 });
      assert.equal(r.status, 413, r.raw);
      assert.equal(JSON.parse(r.body).error.code, 'body_too_large');
      r = await s.raw(head(10 * 1024 * 1024 * 1024), { timeoutMs: 5000 });
      assert.equal(r.status, 413, r.raw);
      // the whole oversized body, with its Content-Length: a valid enrolment padded with spaces
      const padded = (n) => {
        const j = JSON.stringify(enrolBody(c));
        return j.slice(0, -1) + ' '.repeat(n - Buffer.byteLength(j)) + '}';
      };
      r = await s.raw(head(65537) + padded(65537));
      assert.equal(r.status, 413, r.raw);
      assert.deepEqual(Object.keys(JSON.parse(r.body).error).sort(), ['code', 'message']);
      // chunked, no Content-Length: counted while read
      const big = padded(70000);
      r = await s.raw('POST /api/v1/enrolments HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${s.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
      assert.equal(r.status, 413, r.raw);
      assert.equal(JSON.parse(r.body).error.code, 'body_too_large');
      // a chunked body that goes on past [server] max_body_drain bytes over the limit (a
      // chunk of 10 MB declared, 200 000 bytes of it sent, the rest never): its connection is
      // closed then, not read for as long as it is sent; within it, the 413 at its end
      const chunkedHead = (server) => 'POST /api/v1/enrolments HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${server.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const drain = await startServer({ config: '[server]\nmax_body_drain = 100000\n' });
      try {
        r = await drain.raw(`${chunkedHead(drain)}989680\r\n${' '.repeat(200000)}`, { timeoutMs: 5000, untilClose: true });
        assert.equal(r.status, 0, 'closed without a reply');
        const over = ' '.repeat(65536 + 90000);
        r = await drain.raw(`${chunkedHead(drain)}${over.length.toString(16)}\r\n${over}\r\n0\r\n\r\n`);
        assert.equal(r.status, 413, 'within the drain: answered at its end');
        assert.equal((await drain.request('GET', '/healthz')).status, 200);
      } finally {
        await drain.cleanup();
      }
      // node:http with a declared length over the limit
      const n = await post(padded(65537));
      assertError(n, 413, 'body_too_large');
      assert.ok(!n.text.includes(c));
    });

    it('unknown or missing target_group is 422 with field target_group', async () => {
      const c = cpr();
      rejected.push(c);
      assertError(await post(enrolBody(c, { target_group: 'nope' })), 422, 'unknown_target_group', 'target_group');
      assertError(await post(enrolBody(c, { target_group: 'DAGPENGE' })), 422, 'unknown_target_group', 'target_group');
      // not a string, or longer than any slug: not a target group (not "missing")
      for (const g of [42, 'd'.repeat(64)]) {
        const r = await post(enrolBody(c, { target_group: g }));
        assertError(r, 422, 'unknown_target_group', 'target_group');
        assert.match(r.json.error.message, /a string of at most 63 bytes/);
      }
      const { target_group, ...without } = enrolBody(c);
      assert.ok(target_group);
      assertError(await post(without), 422, 'missing_field', 'target_group');
    });

    it('an invalid CPR is 422 with field citizen.cpr, never echoed', async () => {
      for (const bad of ['3102901234', '3002901234', '2902011234', '0013901234', '0113901234',
        '12345', 'abcdefghij', '01019012345', '010190123', '010190-12345', '01019-01234', '010190-1234',
        '0101901234 ', ' 0101901234', '０１０１９０１２３４', '', 101901234, null, ['0101901234']]) {
        const r = await post(enrolBody(bad));
        assertError(r, 422, 'invalid_cpr', 'citizen.cpr');
        if (typeof bad === 'string' && bad.length >= 5) assert.ok(!r.text.includes(bad.trim()), r.text);
      }
      const { citizen: { cpr: _ignored, ...noCpr }, ...rest } = enrolBody('0101901234');
      assertError(await post({ ...rest, citizen: noCpr }), 422, 'invalid_cpr', 'citizen.cpr');
    });

    it('a bad first_meeting_at is 422 with field first_meeting_at', async () => {
      const c = cpr();
      rejected.push(c);
      for (const t of ['2030-13-01T09:00:00Z', '2030-02-30T09:00:00Z', '2030-03-01T24:00:00Z',
        'tomorrow', '2030-03-01', '2030-03-01T09:00:00', '2030-03-01T09:00Z', '', 1900000000, null,
        // outside any sensible range (and years that would not fit the RFC 3339 format once
        // the resend six months later is planned)
        '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2100-01-01T00:00:00Z', '1999-12-31T23:59:59Z']) {
        assertError(await post(enrolBody(c, { first_meeting_at: t })), 422, 'invalid_time', 'first_meeting_at');
      }
    });

    it('other invalid content is 422 with the JSON path in field', async () => {
      const c = cpr();
      rejected.push(c);
      assertError(await post([]), 422, 'invalid_body');
      assertError(await post('"text"'), 422, 'invalid_body');
      assertError(await post('null'), 422, 'invalid_body');
      assertError(await post(' 42 '), 422, 'invalid_body');
      assertError(await post({}), 422, 'missing_field', 'citizen');
      assertError(await post(enrolBody(c, { citizen: 'x' })), 422, 'missing_field', 'citizen');
      assertError(await post(enrolBody(c, { citizen: { cpr: c } })), 422, 'invalid_name', 'citizen.name');
      assertError(await post(enrolBody(c, { citizen: { cpr: c, name: '' } })), 422, 'invalid_name', 'citizen.name');
      assertError(await post(enrolBody(c, { citizen: { cpr: c, name: 'n'.repeat(201) } })), 422, 'invalid_name', 'citizen.name');
      assertError(await post(enrolBody(c, { citizen: { cpr: c, name: 'æ'.repeat(201) } })), 422, 'invalid_name', 'citizen.name');
      assertError(await post(enrolBody(c, { citizen: { cpr: c, name: 7 } })), 422, 'invalid_name', 'citizen.name');
      assertError(await post(enrolBody(c, { citizen: { cpr: c, name: 'N', email: 'not-an-address' } })),
        422, 'invalid_email', 'citizen.email');
      const lang = await post(enrolBody(c, { language: 'fr' }));
      assertError(lang, 422, 'invalid_language', 'language');
      // the answer itself says which codes are accepted: those of templates/lang/languages.json
      const codes = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8')).map((l) => l.code);
      assert.equal(lang.json.error.message, `language must be one of the service's languages: ${codes.join(', ')}.`);
      assert.doesNotMatch(lang.json.error.message, /GET \//, 'no endpoint that does not exist');
      assertError(await post(enrolBody(c, { caseworker: 7 })), 422, 'invalid_caseworker', 'caseworker');
      // a CPR number where a user name belongs would stay in the append-only journal for good
      for (const cw of ['0303905555', '030390-5555', 'sb-0303905555']) {
        const r = await post(enrolBody(c, { caseworker: cw }));
        assertError(r, 422, 'invalid_caseworker', 'caseworker');
        assert.ok(!r.text.includes('5555'), 'the answer does not repeat it');
      }
      // a name that is no user here (a typing error, an account not made yet): no caseworker's
      // list would show the citizen, so it is refused, saying how to put it right
      const unknown = await post(enrolBody(c, { caseworker: 'cw-findes-ikke' }));
      assertError(unknown, 422, 'invalid_caseworker', 'caseworker');
      assert.match(unknown.json.error.message, /names no user of this service.*or leave caseworker out/);
    });

    it('no key or a wrong key is 401 with WWW-Authenticate', async () => {
      const c = cpr();
      rejected.push(c);
      const body = JSON.stringify(enrolBody(c));
      for (const auth of [undefined, 'Bearer ', 'Bearer vk_wrong', `Basic ${s.key}`, s.key, `Bearer ${s.key}x`]) {
        const headers = { 'Content-Type': 'application/json' };
        if (auth !== undefined) headers.Authorization = auth;
        const r = await s.request('POST', '/api/v1/enrolments', { headers, body });
        assertError(r, 401, 'unauthorized');
        assert.match(r.headers['www-authenticate'] || '', /^Bearer/);
      }
      for (const p of [`/api/v1/enrolments/${first.enrolment_id}`, `/api/v1/citizens/${first.citizen_id}/journal`]) {
        const r = await s.request('GET', p);
        assertError(r, 401, 'unauthorized');
        assert.ok(!r.text.includes(first.enrolment_id));
        const w = await s.request('GET', p, { headers: { Authorization: 'Bearer vk_AAAAAAAAAAAAAAAAAAAAAAAA' } });
        assertError(w, 401, 'unauthorized');
      }
    });

    it('conflicting framing is 400 (raw socket)', async () => {
      const c = cpr();
      rejected.push(c);
      const json = JSON.stringify(enrolBody(c));
      const len = Buffer.byteLength(json);
      const start = `POST /api/v1/enrolments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\n`;
      let r = await s.raw(`${start}Content-Length: ${len}\r\nContent-Length: ${len + 1}\r\n\r\n${json} `);
      assert.equal(r.status, 400, r.raw);
      assert.equal(JSON.parse(r.body).error.code, 'conflicting_content_length');
      r = await s.raw(`${start}Content-Length: ${len}\r\nTransfer-Encoding: chunked\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`);
      assert.equal(r.status, 400, r.raw);
      assert.equal(JSON.parse(r.body).error.code, 'ambiguous_framing');
      r = await s.raw(`${start}Transfer-Encoding: chunked\r\nContent-Length: ${len}\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`);
      assert.equal(r.status, 400, r.raw);
      // a transfer coding other than one "chunked" cannot be framed reliably (RFC 9112 §6.3)
      for (const te of ['gzip, chunked', 'chunked, gzip', 'identity', 'chunked\r\nTransfer-Encoding: chunked']) {
        r = await s.raw(`${start}Transfer-Encoding: ${te}\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`, { timeoutMs: 5000 });
        assert.equal(r.status, 400, `${te}: ${r.raw}`);
        assert.equal(JSON.parse(r.body).error.code, 'bad_request');
      }
      // a smuggled second request after a framing error is never answered
      const smuggled = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
      r = await s.raw(`${start}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`, { untilClose: true });
      assert.equal(r.status, 400, r.raw);
      assert.equal(r.raw.match(/HTTP\/1\.1 /g).length, 1, `one response only:\n${r.raw}`);
    });

    it('wrote nothing, and every refused CPR still enrols with 201', async () => {
      assert.deepEqual(tableCounts(s.db), counts, 'no table changed');
      for (const c of rejected) {
        const r = await post(enrolBody(c));
        assert.equal(r.status, 201, r.text);
        const j = await s.api('GET', `/api/v1/citizens/${r.json.citizen_id}/journal`);
        assert.deepEqual(j.json.entries.map((e) => e.kind), ['enrolled']);
      }
    });
  });

  it('the limit is exactly 65536 bytes: a padded valid body of that size is accepted', async () => {
    const j = JSON.stringify(enrolBody(cpr()));
    const body = j.slice(0, -1) + ' '.repeat(65536 - Buffer.byteLength(j)) + '}';
    assert.equal(Buffer.byteLength(body), 65536);
    const r = await s.api('POST', '/api/v1/enrolments', { body });
    assert.equal(r.status, 201, r.text);
  });

  it('names count in characters: 200 Danish letters are fine; email is optional', async () => {
    const enrolNamed = (citizen) => {
      const c = cpr();
      return s.api('POST', '/api/v1/enrolments', { body: enrolBody(c, { citizen: { cpr: c, ...citizen } }) });
    };
    for (const citizen of [
      { name: 'Æble Øster Ågård '.repeat(12).slice(0, 200) },
      { name: 'æ'.repeat(200) },
      { name: 'N' },
      { name: 'N', email: '' },
      { name: 'N', email: null },
    ]) {
      const r = await enrolNamed(citizen);
      assert.equal(r.status, 201, `${JSON.stringify(citizen).slice(0, 40)}: ${r.text}`);
    }
    // a time with an offset is stored and answered in UTC
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr(), { first_meeting_at: '2030-03-01T10:00:00+01:00' }) });
    assert.equal(r.status, 201, r.text);
    const e = await s.api('GET', `/api/v1/enrolments/${r.json.enrolment_id}`);
    assert.equal(e.json.first_meeting_at, '2030-03-01T09:00:00Z');
  });

  it('concurrent retries with one Idempotency-Key all get the first answer', async () => {
    const body = enrolBody(cpr());
    const counts = tableCounts(s.db);
    const rs = await Promise.all(Array.from({ length: 8 }, () =>
      s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': `conc-${body.citizen.cpr}` } })));
    assert.deepEqual(rs.map((r) => r.status), Array(8).fill(201));
    assert.equal(new Set(rs.map((r) => r.text)).size, 1, 'one answer');
    assert.equal(tableCounts(s.db).enrolments, counts.enrolments + 1);
  });

  it('concurrent enrolments of one citizen without a key: one 201, the rest 409', async () => {
    const body = enrolBody(cpr());
    const rs = await Promise.all(Array.from({ length: 8 }, () => s.api('POST', '/api/v1/enrolments', { body })));
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of rs.filter((x) => x.status === 409)) assertError(r, 409, 'already_enrolled', 'target_group');
  });

  it('oversized request lines and headers are refused, and the server goes on', async () => {
    const long = await s.request('GET', `/healthz/${'a'.repeat(100_000)}`);
    assert.ok(long.status === 414 || long.status === 400 || long.status === 404, `long URL: ${long.status}`);
    const big = await s.request('GET', '/healthz', { headers: { 'X-Big': 'a'.repeat(60_000) } });
    assert.ok(big.status === 431 || big.status === 400 || big.status === 413, `big header: ${big.status}`);
    const g = await s.raw('GARBAGE\r\n\r\n', { timeoutMs: 5000 });
    assert.ok(g.status === 0 || g.status === 400, `garbage: ${g.raw}`);
    const ok = await s.request('GET', '/healthz?probe=1');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { status: 'ok' });
  });

  it('Content-Type application/json with parameters and any case is accepted', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', {
      body: enrolBody(cpr()), headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    });
    assert.equal(r.status, 201, r.text);
  });

  it('unknown API routes and ids are 404 JSON', async () => {
    for (const p of ['/api/v1/nope', '/api/v2/enrolments', '/api/', '/api/v1/enrolments/x/y']) {
      assertError(await s.api('GET', p), 404, 'not_found');
      assertError(await s.request('GET', p), 404, 'not_found');
    }
    assertError(await s.api('GET', '/api/v1/enrolments/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    assertError(await s.api('GET', '/api/v1/enrolments/not-a-uuid'), 404, 'not_found');
    assertError(await s.api('GET', '/api/v1/citizens/00000000-0000-4000-8000-000000000000/journal'), 404, 'not_found');
    // an enrolment id is not a citizen id
    assertError(await s.api('GET', `/api/v1/citizens/${first.enrolment_id}/journal`), 404, 'not_found');
    const html = await s.request('GET', '/nothing-here');
    assert.equal(html.status, 404);
    assert.match(html.headers['content-type'], /^text\/html; charset=utf-8$/);
  });

  it('a wrong method is 405 with an Allow header', async () => {
    const cases = [
      ['DELETE', '/api/v1/enrolments', 'POST'],
      ['GET', '/api/v1/enrolments', 'POST'],
      ['PUT', '/api/v1/enrolments', 'POST'],
      ['POST', `/api/v1/enrolments/${first.enrolment_id}`, 'GET, HEAD'],
      ['DELETE', `/api/v1/citizens/${first.citizen_id}/journal`, 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await s.api(method, p);
      assertError(r, 405, 'method_not_allowed');
      assert.equal(r.headers.allow, allow, `${method} ${p}`);
    }
    const html = await s.request('DELETE', '/borger');
    assert.equal(html.status, 405);
    assert.equal(html.headers.allow, 'GET, HEAD');
    assert.match(html.headers['content-type'], /^text\/html/);
  });

  it('API answers carry the security headers', async () => {
    const r = await s.api('GET', `/api/v1/enrolments/${first.enrolment_id}`);
    assert.match(r.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'same-origin');
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  describe('static files', () => {
    const file = path.join(ROOT, 'build', 'static', 'css', 'vejled.css');
    let full;
    let etag;

    it('GET /static/css/vejled.css: 200, type, ETag, Accept-Ranges, the file', async () => {
      const r = await s.request('GET', '/static/css/vejled.css');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
      assert.equal(r.headers['accept-ranges'], 'bytes');
      assert.match(r.headers['cache-control'], /max-age=\d+/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      etag = r.headers.etag;
      assert.match(etag, /^"[^"]+"$/);
      assert.ok(r.buf.length > 100);
      assert.equal(Number(r.headers['content-length']), r.buf.length);
      assert.ok(r.buf.equals(fs.readFileSync(file)), 'the bytes of the file');
      full = r.buf;
      const h = await s.request('HEAD', '/static/css/vejled.css');
      assert.equal(h.status, 200);
      assert.equal(h.buf.length, 0);
      assert.equal(Number(h.headers['content-length']), full.length);
      assert.equal(h.headers.etag, etag);
    });

    it('If-None-Match with the ETag is 304 without a body', async () => {
      const r = await s.request('GET', '/static/css/vejled.css', { headers: { 'If-None-Match': etag } });
      assert.equal(r.status, 304);
      assert.equal(r.buf.length, 0);
      assert.equal(r.headers.etag, etag);
      const list = await s.request('GET', '/static/css/vejled.css', { headers: { 'If-None-Match': `"other", ${etag}` } });
      assert.equal(list.status, 304);
      const other = await s.request('GET', '/static/css/vejled.css', { headers: { 'If-None-Match': '"other"' } });
      assert.equal(other.status, 200);
      assert.ok(other.buf.equals(full));
    });

    it('a single Range is 206 with the right bytes and Content-Range', async () => {
      const size = full.length;
      const cases = [
        ['bytes=0-9', 0, 9],
        ['bytes=10-19', 10, 19],
        [`bytes=${size - 5}-`, size - 5, size - 1],
        ['bytes=-7', size - 7, size - 1],
        [`bytes=5-${size + 100}`, 5, size - 1],
        ['bytes=0-0', 0, 0],
      ];
      for (const [range, a, b] of cases) {
        const r = await s.request('GET', '/static/css/vejled.css', { headers: { Range: range } });
        assert.equal(r.status, 206, range);
        assert.equal(r.headers['content-range'], `bytes ${a}-${b}/${size}`, range);
        assert.equal(Number(r.headers['content-length']), b - a + 1);
        assert.ok(r.buf.equals(full.subarray(a, b + 1)), `bytes of ${range}`);
      }
      // If-Range with the current ETag honours the range; a stale one gets the whole file
      let r = await s.request('GET', '/static/css/vejled.css', { headers: { Range: 'bytes=0-3', 'If-Range': etag } });
      assert.equal(r.status, 206);
      r = await s.request('GET', '/static/css/vejled.css', { headers: { Range: 'bytes=0-3', 'If-Range': '"stale"' } });
      assert.equal(r.status, 200);
      assert.ok(r.buf.equals(full));
      // several ranges or a malformed one: the whole file
      for (const range of ['bytes=0-1,4-5', 'bytes=9-2', 'lines=1-2', 'bytes=x-']) {
        r = await s.request('GET', '/static/css/vejled.css', { headers: { Range: range } });
        assert.equal(r.status, 200, range);
        assert.ok(r.buf.equals(full));
      }
    });

    it('an unsatisfiable Range is 416 with Content-Range bytes */size', async () => {
      for (const range of [`bytes=${full.length}-`, `bytes=${full.length + 10}-${full.length + 20}`, 'bytes=-0']) {
        const r = await s.request('GET', '/static/css/vejled.css', { headers: { Range: range } });
        assert.equal(r.status, 416, range);
        assert.equal(r.headers['content-range'], `bytes */${full.length}`);
        assert.equal(r.buf.length, 0);
      }
    });

    it('path traversal and hidden or unknown files are 404, never file contents', async () => {
      const makefile = fs.readFileSync(path.join(ROOT, 'Makefile'), 'utf8');
      const paths = [
        '/static/../Makefile',
        '/static/%2e%2e/Makefile',
        '/static/%2E%2E/Makefile',
        '/static/..%2fMakefile',
        '/static/..%2FMakefile',
        '/static/css/../../Makefile',
        '/static/css/..%2f..%2fMakefile',
        '/static/./css/vejled.css',
        '/static//etc/passwd',
        '/static/%2fetc%2fpasswd',
        '/static/..%5c..%5cMakefile',
        '/static/css/vejled.css%00.png',
        '/static/css/',
        '/static/',
        '/static/css/vejled.css/',
        '/static/.hidden.css',
        '/static/css/vejled.scss',
        '/static/nothing.css',
        '/media/../db/migrations/sqlite/0001_init.sql',
        '/media/%2e%2e/db/migrations/sqlite/0001_init.sql',
        '/media/..%2fdb%2fmigrations%2f0001_init.sql',
        '/media/%2e%2e/%2e%2e/etc/passwd',
        '/media/nothing.mp4',
        '/media/../../etc/passwd',
      ];
      for (const p of paths) {
        let r;
        try {
          r = await s.request('GET', p);
        } catch (e) {
          assert.fail(`${p}: ${e.message}`);
        }
        if (p === '/static/css/vejled.css%00.png' && r.status === 200) {
          // a NUL ends the path: it may serve vejled.css itself, never anything else
          assert.ok(r.buf.equals(full));
          continue;
        }
        assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
        assert.ok(!r.text.includes('.DEFAULT_GOAL') && !r.text.includes(makefile.slice(0, 40)), `${p} leaks the Makefile`);
        assert.ok(!r.text.includes('CREATE TABLE'), `${p} leaks the schema`);
        assert.ok(!r.text.includes('root:x:0'), `${p} leaks /etc/passwd`);
      }
      // the same through a raw socket, where no client library can normalise the path
      for (const p of ['/static/../Makefile', '/static/css/../../Makefile', '/media/../db/migrations/sqlite/0001_init.sql']) {
        const r = await s.raw(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        assert.equal(r.status, 404, p);
        assert.ok(!r.body.includes('.DEFAULT_GOAL') && !r.body.includes('CREATE TABLE'));
      }
    });
  });

  it('no CPR sent in this file appears in any response or in the server log', async () => {
    assert.ok(usedCprs.length > 5);
    const received = s.allReceived();
    assert.ok(received.length > 50);
    for (const c of usedCprs) {
      const dashed = `${c.slice(0, 6)}-${c.slice(6)}`;
      for (const text of received) {
        assert.ok(!text.includes(c) && !text.includes(dashed), `CPR in a response:\n${text.slice(0, 2000)}`);
      }
      assert.ok(!s.stderr.includes(c) && !s.stderr.includes(dashed), 'CPR in the log');
    }
  });

  it('stops cleanly on SIGTERM (exit 0, "vejled: stopped", no sanitizer report)', async () => {
    await s.stop();
    // one log line per request
    const lines = s.stderr.split('\n').filter((l) => / http /.test(l));
    assert.ok(lines.length >= s.responses.length - 5, `${lines.length} log lines for ${s.responses.length} responses`);
    for (const c of usedCprs) assert.ok(!s.stderr.includes(c));
  });
});
