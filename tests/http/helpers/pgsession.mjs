// An open psql session on a PostgreSQL database that a test drives statement by statement
// (to hold a lock while servers run), and a wait for what the servers' sessions are doing
// (pg_stat_activity): the tools of the interleaving tests (race_*.test.mjs).
//
//   const t = await pgSession(url);
//   await t.run('BEGIN; LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE;');
//   await waitFor(url, "wait_event = 'advisory'");   // a vejled session waits for the lock
//   await t.run('COMMIT;');
//   await t.close();
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { psql } from '../harness.mjs';

let marks = 0;

/** A psql process on url that runs what run() writes and resolves once psql has done it. */
export async function pgSession(url) {
  const p = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.setEncoding('utf8');
  p.stderr.setEncoding('utf8');
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  const closed = new Promise((resolve) => p.on('close', resolve));
  return {
    async run(sql, timeoutMs = 30_000) {
      const mark = `MARK-${process.pid}-${++marks}`;
      p.stdin.write(`${sql}\n\\echo ${mark}\n`);
      const until = Date.now() + timeoutMs;
      while (!out.includes(mark)) {
        assert.ok(p.exitCode === null, `psql ended: ${err}`);
        assert.ok(Date.now() < until, `psql did not finish ${sql}: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const text = out.slice(0, out.indexOf(mark));
      out = out.slice(out.indexOf(mark) + mark.length + 1);
      return text;
    },
    async close() {
      p.stdin.end();
      await closed;
    },
    kill() {
      if (p.exitCode === null) p.kill('SIGKILL');
    },
  };
}

/** Waits until a session of the program vejled on url's database waits as `where` says
 * (SQL on pg_stat_activity, e.g. "wait_event = 'advisory'"); returns how many do. */
export async function waitFor(url, where, timeoutMs = 30_000) {
  const db = new URL(url).pathname.slice(1);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = Number(psql(url, `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}'
      AND application_name = 'vejled' AND wait_event_type = 'Lock' AND ${where};`).trim());
    if (n > 0) return n;
    assert.ok(Date.now() < until, `no vejled session came to wait where ${where}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
