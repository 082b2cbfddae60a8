// A server dies right after it placed a letter in the outbox; another server finishes the
// job once the lease has run out.  README (Delivery): every sending is journalled "at the
// moment the channel took the letter (the time is read right after the outbox's rename
// ...)".  The second server finds the files already there (channel_outbox_write writes
// nothing) and sched_letter_send records sent_at = its own clock_now(): the journal's
// written_guidance_sent and the delivery's sent_at carry the time of the takeover, a full
// lease (10 minutes by default) after the letter was placed, and possibly picked up and
// delivered to the citizen.  The files' own modification time (set by the write just
// before the rename) says when they were placed.
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
  });
});
