// The API description: GET /api/v1/openapi.json serves the repository's openapi.json (no
// key), its path is a config key, and the contract check the harness runs on every API
// response really refuses what the document does not allow.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SAME_ON_BOTH, cli, enrolBody, freshCpr, nowIso, startServer } from './harness.mjs';
import { OPENAPI_FILE, checkRawResponse, checkResponse, openapi } from './openapi.mjs';

const JSON_CT = 'application/json; charset=utf-8';

describe('GET /api/v1/openapi.json', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('serves the repository file without a key, as JSON', async () => {
    const r = await s.request('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.deepEqual(r.json, JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')));
    assert.equal(r.json.openapi, '3.1.0');
  });

  it('documents every /api/v1 route of the server (one request per route, all checked)', async () => {
    const documented = Object.keys(openapi.paths).filter((p) => p.startsWith('/api/v1/'));
    assert.deepEqual(documented.sort(), [
      '/api/v1/citizens/{id}/journal', '/api/v1/citizens/{id}/target-group',
      '/api/v1/enrolments', '/api/v1/enrolments/{id}', '/api/v1/enrolments/{id}/close', '/api/v1/enrolments/{id}/link',
      '/api/v1/enrolments/{id}/meeting', '/api/v1/enrolments/{id}/planned-meeting', '/api/v1/me',
      '/api/v1/openapi.json', '/api/v1/stats'].sort());
    const e = await s.api('POST', '/api/v1/enrolments', {
      body: enrolBody(freshCpr()), headers: { 'Idempotency-Key': 'openapi-test-1' },
    });
    assert.equal(e.status, 201);
    const { enrolment_id: eid, citizen_id: cid } = e.json;
    assert.equal((await s.api('GET', `/api/v1/enrolments/${eid}`)).status, 200);
    assert.equal((await s.api('PUT', `/api/v1/enrolments/${eid}/planned-meeting`, {
      body: { first_meeting_at: '2030-04-01T09:00:00Z' },
    })).status, 200);
    assert.equal((await s.api('POST', `/api/v1/enrolments/${eid}/meeting`, {
      body: { held_at: nowIso(), oral_guidance: true, note: 'x' },
    })).status, 200);
    const link = await s.api('POST', `/api/v1/enrolments/${eid}/link`);
    assert.equal(link.status, 201);
    const token = new URL(link.json.link).pathname.split('/').pop();
    assert.equal((await s.api('GET', '/api/v1/me', { key: token })).status, 200);
    assert.equal((await s.api('GET', '/api/v1/me', { key: 'wrong' })).status, 401);
    assert.equal((await s.request('OPTIONS', '/api/v1/me')).status, 204);
    assert.equal((await s.api('GET', `/api/v1/citizens/${cid}/journal`)).status, 200);
    const changed = await s.api('PUT', `/api/v1/citizens/${cid}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2026-02-01T09:00:00Z' },
    });
    assert.equal(changed.status, 201);
    const close = (body) => s.api('POST', `/api/v1/enrolments/${changed.json.enrolment_id}/close`, { body });
    assert.equal((await close({ reason: 'someday' })).status, 422);
    assert.equal((await close({ reason: 'job' })).status, 200);
    assert.equal((await close({ reason: 'job' })).status, 409);
    assert.equal((await s.api('GET', '/api/v1/stats?from=2026-01-01&to=2026-03-31')).status, 200);
    // errors: each is checked against its documented code list
    assert.equal((await s.api('GET', '/api/v1/stats?from=2026-13-01&to=2026-03-31')).status, 422);
    assert.equal((await s.api('GET', `/api/v1/enrolments/${eid}`, { key: 'wrong' })).status, 401);
    assert.equal((await s.api('DELETE', `/api/v1/enrolments/${eid}`)).status, 405);
    assert.equal((await s.api('GET', '/api/v1/nothing-here')).status, 404);
    assert.equal((await s.api('POST', '/api/v1/enrolments', { body: '{' })).status, 400);
    const raw = await s.raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(raw.status, 200);
  });

  it('[content] openapi_file names the file; a missing or broken one stops the start', async () => {
    const alt = path.join(s.dir, 'alt.json');
    fs.writeFileSync(alt, JSON.stringify({ openapi: '3.1.0', info: { title: 'other' }, paths: {} }));
    const o = await startServer({ config: `[content]\nopenapi_file = ${alt}\n` });
    try {
      const r = await o.request('GET', '/api/v1/openapi.json');
      assert.equal(r.status, 200);
      assert.equal(r.json.info.title, 'other');
      await o.stop();
      for (const [name, text] of [['missing.json', null], ['broken.json', '{"openapi":'], ['list.json', '[]']]) {
        const f = path.join(o.dir, name);
        if (text !== null) fs.writeFileSync(f, text);
        fs.writeFileSync(o.configFile, `${o.placesIni}[content]\nopenapi_file = ${f}\n[delivery]\nscheduler = 0\n`);
        const r2 = cli(['serve', '--db', o.db, '--listen', '127.0.0.1:0', '--config', o.configFile]);
        assert.notEqual(r2.status, 0, `${name}: serve must refuse to start`);
        assert.ok(r2.stderr.includes(f), `${name}: the error names the file:\n${r2.stderr}`);
      }
    } finally {
      await o.cleanup();
    }
  });
});

describe('the contract check refuses what openapi.json does not allow', { skip: SAME_ON_BOTH }, () => {
  const enrolment = {
    enrolment_id: '0b6f8a3e-2f7c-4d3a-9e57-1c2d3e4f5a6b',
    citizen_id: '1b6f8a3e-2f7c-4d3a-9e57-1c2d3e4f5a6b',
    target_group: 'dagpenge',
    link: 'http://127.0.0.1:8080/v/abc',
    expires_at: '2026-12-01T09:00:00Z',
    jobs: [{ kind: 'send_written_guidance', due_at: '2026-11-01T09:00:00Z' }],
  };
  const ok = (body, status = 201) =>
    checkResponse('POST', '/api/v1/enrolments', status, JSON_CT, JSON.stringify(body));

  it('accepts a body as documented', () => {
    ok(enrolment);
    checkResponse('GET', '/healthz', 200, JSON_CT, '{"status":"ok"}');
    checkResponse('PATCH', '/api/v1/stats', 405, JSON_CT,
      '{"error":{"code":"method_not_allowed","message":"m"}}');
  });

  it('refuses a missing required member, an extra member, a wrong type or format', () => {
    const { link, ...noLink } = enrolment;
    assert.ok(link);
    assert.throws(() => ok(noLink), /must have required property 'link'/);
    assert.throws(() => ok({ ...enrolment, cpr: '0101011234' }), /must NOT have additional properties/);
    assert.throws(() => ok({ ...enrolment, jobs: {} }), /must be array/);
    assert.throws(() => ok({ ...enrolment, enrolment_id: 'not-a-uuid' }), /must match format "uuid"/);
    assert.throws(() => ok({ ...enrolment, jobs: [{ kind: 'other', due_at: '2026-11-01T09:00:00Z' }] }),
      /must be equal to one of the allowed values/);
    assert.throws(() => checkResponse('GET', '/healthz', 200, JSON_CT, '{"status":"fine"}'), /does not match/);
    assert.throws(() => checkResponse('GET', '/healthz', 200, JSON_CT, 'ok'), /not JSON/);
  });

  it('refuses an error code, status, method, path or media type not documented', () => {
    const error = (code) => JSON.stringify({ error: { code, message: 'm' } });
    assert.throws(() => ok(JSON.parse(error('not_found')), 422), /allowed values/);
    assert.throws(() => ok({ error: { code: 'invalid_cpr', message: 'm', cpr: 'x' } }, 422),
      /additional properties/);
    assert.throws(() => ok(enrolment, 200), /status not documented/);
    assert.throws(() => checkResponse('GET', '/api/v1/stats', 418, JSON_CT, error('x')), /status not documented/);
    assert.throws(() => checkResponse('DELETE', '/api/v1/stats', 200, JSON_CT, '{}'), /method not in the document/);
    assert.throws(() => checkResponse('GET', '/api/v1/other', 200, JSON_CT, '{}'), /path is not in the document/);
    assert.throws(() => checkResponse('GET', '/healthz', 200, 'text/plain', '{"status":"ok"}'), /Content-Type/);
    assert.throws(() => checkRawResponse('GET /healthz HTTP/1.1', 200, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n',
      '{"status":"ok","extra":1}'), /does not match/);
  });
});
