// A missing CPR key file is made anew only for a database that has sealed nothing yet:
// a server or command whose configuration lost the key (or a new server not given it)
// refuses to start instead of making a second key that cannot read the citizens there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { cli, startServer } from './harness.mjs';

describe('the CPR key file', () => {
  let s;
  before(async () => { s = await startServer({ start: false }); });
  after(async () => { if (s) await s.cleanup(); });

  it('missing while the database holds sealed CPR numbers: serve and commands refuse, no new key', async () => {
    assert.ok(fs.existsSync(s.keyFile), 'the demo made the key');
    fs.renameSync(s.keyFile, `${s.keyFile}.away`);
    for (const args of [['jobs', 'list', '--db', s.db], ['demo', '--db', s.db]]) {
      const r = cli(args);
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /key file .* is missing, but the database holds CPR numbers/);
      assert.equal(fs.existsSync(s.keyFile), false, 'no second key was made');
    }
    await assert.rejects(s.start(), /exited before listening/);
    assert.match(s.stderr, /key file .* is missing/);
    s.proc = null; // it exited
    assert.equal(fs.existsSync(s.keyFile), false);
    fs.renameSync(`${s.keyFile}.away`, s.keyFile);
    await s.start();
    await s.stop();
  });
});
