// A new personal link over the API (POST /api/v1/enrolments/{id}/link): the old link stops
// working, the new one is journalled and goes to the citizen by letter; a closed or unknown
// enrolment gets a precise error and nothing changes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, cli, enrolBody, freshCpr, sqlite, startServer, tableCounts } from './harness.mjs';

let s;

async function enrol() {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

function journal(enrolmentId, kind) {
  return sqlite(s.db, `SELECT actor, data FROM journal WHERE enrolment_uuid = '${enrolmentId}' AND kind = '${kind}' ORDER BY seq;`)
    .split('\n').filter(Boolean).map((l) => {
      const i = l.indexOf('|');
      return { actor: l.slice(0, i), data: JSON.parse(l.slice(i + 1)) };
    });
}

describe('a new link over the API', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('201 with the link and its expiry; the old link stops working; a letter carries the new one', async () => {
    const e = await enrol();
    const oldPath = new URL(e.link).pathname;
    const holder = new Browser(s);
    assert.equal((await holder.get(oldPath)).status, 303, 'the first link works');
    assert.equal((await holder.get('/borger')).status, 200, 'and opens a session');

    const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`);
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.link, /^http:\/\/127\.0\.0\.1:\d+\/v\/[A-Za-z0-9_-]{24}$/);
    assert.notEqual(r.json.link, e.link);
    assert.ok(Date.parse(r.json.expires_at) > Date.now() + 100 * 86400_000, 'valid for months');
    assert.deepEqual(r.json.jobs.map((j) => j.kind), ['send_new_link']);

    // the old letter's link is no longer in use (410, "you can get a new link"), not
    // unknown (404, "check that you typed all of it"), and it starts no session
    const old = await new Browser(s).get(oldPath);
    assert.equal(old.status, 410, 'the old link is dead, as replaced');
    assert.match(old.text, /jobcentret har sendt dig et nyt link i stedet/);
    assert.equal(old.headers['set-cookie'], undefined);
    // what the old link opened ends with it: whoever held the lost link reads and writes nothing
    assert.equal((await holder.get('/borger')).status, 403, 'the old link\'s session ended');
    assert.equal((await holder.post('/borger/fravalg', { csrf: 'x'.repeat(64) })).status, 403);
    assert.equal((await new Browser(s).get(new URL(r.json.link).pathname)).status, 303, 'the new link works');

    const issued = journal(e.enrolment_id, 'link_issued');
    assert.equal(issued.length, 1, 'the new link');
    assert.equal(issued[0].actor, 'api');
    assert.equal(issued[0].data.reason, 'new_link_letter');

    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(run.status, 0, run.stderr);
    const sent = journal(e.enrolment_id, 'new_link_sent');
    assert.equal(sent.length, 1, 'one letter with the new link');
    assert.equal(sent[0].data.channel, 'outbox');
    const outbox = s.outboxDir;
    const xml = fs.readFileSync(path.join(outbox, `${sent[0].data.message_id}.xml`), 'utf8');
    assert.ok(xml.includes(new URL(r.json.link).pathname), 'the letter carries the very link the API answered');

    // replaced again: both older links say so
    const again = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`);
    assert.equal(again.status, 201, again.text);
    assert.equal((await new Browser(s).get(oldPath)).status, 410, 'the first link, twice replaced');
    assert.equal((await new Browser(s).get(new URL(r.json.link).pathname)).status, 410, 'the second link');
    assert.equal((await new Browser(s).get(new URL(again.json.link).pathname)).status, 303, 'the third works');
  });

  it('a closed enrolment is 409 enrolment_closed; an unknown one 404; no key 401 — nothing changes', async () => {
    const e = await enrol();
    const ch = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2031-05-01T09:00:00Z' },
    });
    assert.equal(ch.status, 201, ch.text);
    const before = tableCounts(s.db);
    const closed = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`);
    assert.equal(closed.status, 409, closed.text);
    assert.equal(closed.json.error.code, 'enrolment_closed');
    const unknown = await s.api('POST', '/api/v1/enrolments/00000000-0000-4000-8000-000000000000/link');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'not_found');
    const nokey = await s.request('POST', `/api/v1/enrolments/${ch.json.enrolment_id}/link`);
    assert.equal(nokey.status, 401);
    const body = await s.api('POST', `/api/v1/enrolments/${ch.json.enrolment_id}/link`, { body: { x: 1 } });
    assert.equal(body.status, 400, body.text);
    assert.equal(body.json.error.code, 'body_not_allowed', 'a body with something in it says the request takes none');
    const big = await s.api('POST', `/api/v1/enrolments/${ch.json.enrolment_id}/link`, { body: ' '.repeat(100) });
    assert.equal(big.status, 413, big.text);
    assert.deepEqual(tableCounts(s.db), before);
  });

  it('an empty body or an empty JSON object, as some clients send with every POST, is no body', async () => {
    const e = await enrol();
    for (const b of ['{}', ' { }\r\n', '']) {
      const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`, { body: b });
      assert.equal(r.status, 201, `${JSON.stringify(b)}: ${r.text}`);
      assert.ok(r.json.link, 'a new link');
    }
    const get = await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`, { body: '{}' });
    assert.equal(get.status, 200, get.text);
    for (const b of ['{}{}', '[]', '{"a":1}', '{ ', 'null']) {
      const before = tableCounts(s.db);
      const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`, { body: b });
      assert.equal(r.status, 400, `${JSON.stringify(b)}: ${r.text}`);
      assert.equal(r.json.error.code, 'body_not_allowed');
      assert.deepEqual(tableCounts(s.db), before, `${JSON.stringify(b)}: nothing changed`);
    }
  });
});
