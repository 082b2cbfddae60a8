// scripts/check-node.sh (run first by `make test`): the installed Node against the
// "engines.node" range of every npm package, one line when it is too old.  Run on a copy
// of the script beside a made-up node_modules, with ranges around the running Node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ROOT, SAME_ON_BOTH } from './harness.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);

describe('scripts/check-node.sh', { skip: SAME_ON_BOTH }, () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-checknode-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'check-node.sh'), path.join(dir, 'scripts', 'check-node.sh'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(range, nested = false) {
    const nm = path.join(dir, 'node_modules');
    fs.rmSync(nm, { recursive: true, force: true });
    const pkg = nested ? path.join(nm, 'outer', 'node_modules', '@scope', 'inner') : path.join(nm, 'tool');
    fs.mkdirSync(pkg, { recursive: true });
    if (nested) fs.writeFileSync(path.join(nm, 'outer', 'package.json'), '{"name":"outer","version":"1.0.0"}');
    fs.writeFileSync(path.join(pkg, 'package.json'),
      JSON.stringify({ name: nested ? '@scope/inner' : 'tool', version: '1.2.3', engines: { node: range } }));
    const r = spawnSync('sh', [path.join(dir, 'scripts', 'check-node.sh')], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stderr: r.stderr };
  }

  it('passes the ranges the running Node meets', () => {
    for (const range of [`>=${major}`, `>= ${major}.${minor}`, `^${major}`, `~${major}.${minor}`,
      `${major}.x`, `>=${major - 2} <${major + 1}`, `^${major - 1} || ^${major}`,
      `${major - 2} - ${major}`, '*', `>=${major - 10}`]) {
      const r = check(range);
      assert.equal(r.status, 0, `${range}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
  });

  it('fails with one line naming the package when the Node is too old, also for nested packages', () => {
    for (const [range, nested] of [[`>=${major + 1}`, false], [`^${major + 2}`, false],
      [`>${major}`, false], [`<${major}`, false], [`>=${major}.${minor + 1}`, true]]) {
      const r = check(range, nested);
      assert.equal(r.status, 1, `${range} must fail`);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0], new RegExp(`^check-node: Node\\.js v${process.versions.node} is too old`));
      assert.ok(lines[0].includes(`${nested ? '@scope/inner' : 'tool'}@1.2.3 needs node ${range}`), lines[0]);
    }
  });

  it('the repository\'s own packages accept Debian 12\'s Node 18', () => {
    // what package-lock.json installs: every engines range must admit 18.20
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    for (const [where, p] of Object.entries(lock.packages)) {
      const range = p.engines && p.engines.node;
      if (!where || !range) continue;
      assert.match(range, /^>=\s*(\d+)/, `${where}: ${range}`);
      assert.ok(Number(/^>=\s*(\d+)/.exec(range)[1]) <= 18, `${where} wants node ${range}`);
    }
  });
});
