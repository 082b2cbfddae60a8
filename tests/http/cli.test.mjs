// The command line's contract: exit codes 0 / 1 / 2, idempotent migrate and demo.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, ROOT, cli } from './harness.mjs';

let dir;

describe('command line', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-cli-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('vejled --help exits 0 and lists the commands', () => {
    const r = cli(['--help']);
    assert.equal(r.status, 0);
    for (const c of ['serve', 'migrate', 'demo', 'apikey', 'verify']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
    for (const c of ['serve', 'migrate', 'demo', 'verify']) {
      const h = cli([c, '--help']);
      assert.equal(h.status, 0, `${c} --help`);
      assert.ok(h.stdout.length > 0, `${c} --help prints help on stdout`);
    }
  });

  it('no command, an unknown command or a missing --db is a usage error: exit 2', () => {
    assert.equal(cli([]).status, 2);
    const r = cli(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /frobnicate/);
    assert.equal(r.stdout, '');
    assert.equal(cli(['migrate']).status, 2);
    assert.equal(cli(['apikey', 'add', '--db', path.join(dir, 'k.db')]).status, 2, 'apikey add without --name');
  });

  it('migrate twice is fine (exit 0 both)', () => {
    const db = path.join(dir, 'm.db');
    const a = cli(['migrate', '--db', db]);
    assert.equal(a.status, 0, a.stderr);
    assert.ok(fs.existsSync(db));
    const b = cli(['migrate', '--db', db]);
    assert.equal(b.status, 0, b.stderr);
    // VEJLED_DB stands for --db
    const c = cli(['migrate'], { env: { VEJLED_DB: db } });
    assert.equal(c.status, 0, c.stderr);
    const v = cli(['verify', '--db', db]);
    assert.equal(v.status, 0, v.stderr);
  });

  it('demo twice is fine and prints a working citizen link each time', () => {
    const db = path.join(dir, 'd.db');
    for (let i = 0; i < 2; i++) {
      const r = cli(['demo', '--db', db]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Demo citizen link \(dagpenge\): http:\/\/127\.0\.0\.1:8080\/v\/[A-Za-z0-9_-]{24}$/m);
    }
    assert.equal(cli(['verify', '--db', db]).status, 0);
  });

  it('apikey add prints only the key on stdout, a new one each time', () => {
    const db = path.join(dir, 'k.db');
    const a = cli(['apikey', 'add', '--db', db, '--name', 'one']);
    const b = cli(['apikey', 'add', '--db', db, '--name', 'two']);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.match(a.stdout, /^\S{20,}\n$/);
    assert.match(b.stdout, /^\S{20,}\n$/);
    assert.notEqual(a.stdout, b.stdout);
    assert.ok(!a.stderr.includes(a.stdout.trim()), 'the key is not on stderr');
  });

  it('verify on a missing database exits 1 with one line on stderr', () => {
    const r = cli(['verify', '--db', path.join(dir, 'none.db')]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.ok(!fs.existsSync(path.join(dir, 'none.db')), 'verify creates nothing');
  });

  it('serve on a port in use exits 1 with a clear line', async () => {
    const db = path.join(dir, 's.db');
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const { port } = blocker.address();
      const r = cli(['serve', '--db', db, '--listen', `127.0.0.1:${port}`]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${port}`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    assert.ok(fs.existsSync(BIN) && fs.existsSync(path.join(ROOT, 'db', 'migrations')));
  });
});
