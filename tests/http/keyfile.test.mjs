// A missing CPR key file is made anew only for a database that has sealed nothing yet:
// a server or command whose configuration lost the key (or a new server not given it)
// refuses to start instead of making a second key that cannot read the citizens there.
// Another installation's key, or a key others may read, is refused too.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
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

  it('another installation\'s key: serve and commands refuse instead of finding no citizen again', async () => {
    const mine = fs.readFileSync(s.keyFile);
    fs.writeFileSync(s.keyFile, crypto.randomBytes(32), { mode: 0o600 });
    for (const args of [['jobs', 'list', '--db', s.db], ['jobs', 'run', '--db', s.db, '--config', s.configFile]]) {
      const r = cli(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /key file .* does not open the CPR numbers in this database: it is not this installation's key/);
    }
    await assert.rejects(s.start(), /exited before listening/);
    assert.match(s.stderr, /does not open the CPR numbers in this database/);
    s.proc = null;
    fs.writeFileSync(s.keyFile, mine, { mode: 0o600 });
    assert.equal(cli(['jobs', 'list', '--db', s.db]).status, 0);
  });

  it('a key file others may read, or of the wrong size, is refused with what to do', () => {
    const mine = fs.readFileSync(s.keyFile);
    fs.chmodSync(s.keyFile, 0o644);
    let r = cli(['jobs', 'list', '--db', s.db]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /key file .* may be read or written by others \(mode 644\); allow only its owner \(chmod 600\)/);
    fs.chmodSync(s.keyFile, 0o600);
    fs.writeFileSync(s.keyFile, Buffer.concat([mine, Buffer.from('\n')]));
    r = cli(['jobs', 'list', '--db', s.db]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /key file .* is damaged \(expected 32 bytes\)/);
    fs.writeFileSync(s.keyFile, mine);
    assert.equal(cli(['jobs', 'list', '--db', s.db]).status, 0);
  });
});
