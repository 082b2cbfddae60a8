// A server dies right after it placed a letter in the outbox; another server finishes the
// job once the lease has run out.  The journal must say when the letter was placed (the
// XML's modification time, set by its write just before the rename), not when the other
// server found it there, a lease later.  And if the pickup took the files in between, the
// letter must not be placed a second time: the placement marker (.<id>.placed, made just
// before the XML's rename) says it was placed, and when.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cliAsync, enrolBody, freshCpr, isTestBuild, sleep, startServer } from './harness.mjs';

const LEASE_S = 5;
let s;

describe('a server dies after placing a letter; another one records it', { skip: !isTestBuild() && 'fault points are in the test build only' }, () => {
  before(async () => {
    s = await startServer({ config: `[delivery]\nchannels = outbox\njob_lease_s = ${LEASE_S}\n` });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('the journal says when the letter was placed, not when the other server found it there', { timeout: 60_000 }, async () => {
    const run = (env) => cliAsync(['jobs', 'run', '--db', s.db, '--config', s.configFile], { env });
    assert.equal((await run({})).status, 0, 'the demo citizens\' letters go first');
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(e.status, 201, e.text);
    const killed = await run({ VEJLED_FAULT: 'after_channel_write:outbox' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    await sleep((LEASE_S + 3) * 1000); // the lease runs out; the other server takes the job over
    const r = await run({});
    assert.equal(r.status, 0, r.stderr);

    const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
    const [sent] = j.json.entries.filter((x) => x.kind === 'written_guidance_sent');
    assert.ok(sent, 'journalled');
    const xml = path.join(s.outboxDir, `${sent.data.message_id}.xml`);
    const placedAt = Math.floor(fs.statSync(xml).mtimeMs / 1000);
    const recordedAt = Date.parse(sent.at) / 1000;
    assert.ok(Math.abs(recordedAt - placedAt) <= 2,
      `written_guidance_sent at ${sent.at}, the letter was placed at ${new Date(placedAt * 1000).toISOString()} (${recordedAt - placedAt} s apart)`);
    assert.ok(!fs.existsSync(path.join(s.outboxDir, `.${sent.data.message_id}.placed`)), 'the marker is gone once recorded');
  });

  it('the pickup took the files before the other server came: the letter is not placed again', { timeout: 60_000 }, async () => {
    const run = (env) => cliAsync(['jobs', 'run', '--db', s.db, '--config', s.configFile], { env });
    assert.equal((await run({})).status, 0);
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(e.status, 201, e.text);
    const before = new Set(fs.readdirSync(s.outboxDir));
    const killed = await run({ VEJLED_FAULT: 'after_channel_write:outbox' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const placed = fs.readdirSync(s.outboxDir).filter((f) => !before.has(f) && f.endsWith('.xml'));
    assert.equal(placed.length, 1, 'one letter placed before the crash');
    const id = placed[0].slice(0, -4);
    const placedAt = Math.floor(fs.statSync(path.join(s.outboxDir, `${id}.xml`)).mtimeMs / 1000);
    // the pickup (Digital Post's) takes the letter; it ignores the dot-files
    fs.rmSync(path.join(s.outboxDir, `${id}.xml`));
    fs.rmSync(path.join(s.outboxDir, `${id}.pdf`));
    await sleep((LEASE_S + 3) * 1000);
    const r = await run({});
    assert.equal(r.status, 0, r.stderr);

    assert.deepEqual(fs.readdirSync(s.outboxDir).filter((f) => f.includes(id)), [], 'not placed a second time, and no marker left');
    const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
    const sent = j.json.entries.filter((x) => x.kind === 'written_guidance_sent');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].data.message_id, id);
    const recordedAt = Date.parse(sent[0].at) / 1000;
    assert.ok(Math.abs(recordedAt - placedAt) <= 2, `recorded at ${sent[0].at}, placed ${recordedAt - placedAt} s before`);
  });
});
