// The command line's contract: exit codes 0 / 1 / 2, idempotent migrate and demo.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, ROOT, cli, freshCpr, sqlite } from './harness.mjs';

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

  it('a value a flag may not have is a usage error too: exit 2, one line naming the flag, nothing changed', () => {
    const db = path.join(dir, 'flags.db');
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const users = () => sqlite(db, 'SELECT count(*) FROM users;').trim();
    const before = users();
    const cprName = freshCpr();
    for (const [args, flag] of [
      [['user', 'add', '--db', db, '--username', 'ok1', '--role', 'chef'], '--role'],
      [['user', 'add', '--db', db, '--username', 'Not Ok', '--role', 'caseworker'], '--username'],
      // the journal's name for the citizen: the record would show this user's acts as the citizen's
      [['user', 'add', '--db', db, '--username', 'citizen', '--role', 'caseworker'], '--username'],
      [['user', 'add', '--db', db, '--username', 'api', '--role', 'admin'], '--username'],
      // a CPR number as a name would stay in the journal and the access log
      [['user', 'add', '--db', db, '--username', cprName, '--role', 'caseworker'], '--username'],
      [['user', 'add', '--db', db, '--username', 'ok3', '--role', 'caseworker', '--unit', `team-${cprName}`], '--unit'],
      [['user', 'add', '--db', db, '--username', 'ok2', '--role', 'caseworker', '--unit', 'a b'], '--unit'],
      [['serve', '--db', db, '--listen', 'nowhere'], '--listen'],
      [['stats', '--db', db, '--from', '2026-13-01', '--to', '2026-12-31'], '--from'],
      [['stats', '--db', db, '--repeat', 'abc'], '--repeat'],
      [['stats', '--db', db, '--repeat', '3x'], '--repeat'],
      // checked before the database is opened: a missing one does not hide the usage error
      [['evidence', '--db', path.join(dir, 'none.db'), '--citizen', 'c', '--out', path.join(dir, 'e.pdf'), '--checkpoint-seq', 'x'], '--checkpoint-seq'],
      // a flag the command does not take is not ignored
      [['verify', '--db', db, '--older-than', '5y'], '--older-than'],
      [['backup', '--db', db, '--to', path.join(dir, 'flags-backup.db'), '--format', 'csv'], '--format'],
      [['jobs', 'list', '--db', db, '--citizen', 'x'], '--citizen'],
    ]) {
      const r = cli(args, { input: 'a long enough password\n' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.ok(r.stderr.includes(flag), `names ${flag}: ${r.stderr}`);
      assert.ok(!r.stderr.includes(cprName), 'a CPR number is not echoed');
    }
    assert.equal(users(), before, 'no user added');
    assert.ok(!fs.existsSync(path.join(dir, 'flags-backup.db')), 'no backup written');
    assert.ok(!fs.existsSync(path.join(dir, 'none.db')), 'no database made');
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

  it('jobs run and purge with a --now away from the clock say that the run records that time', () => {
    const db = path.join(dir, 'now.db');
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const ini = path.join(dir, 'now.ini');
    fs.writeFileSync(ini, `[server]\npublic_url = https://vejled.example\n[delivery]\noutbox_dir = ${dir}/now-outbox\n`);
    const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ahead = cli(['jobs', 'run', '--db', db, '--config', ini, '--now', iso(Date.now() + 40.5 * 86400_000)]);
    assert.equal(ahead.status, 0, ahead.stderr);
    assert.match(ahead.stderr, /warning: --now is 40 day\(s\) ahead of this machine's clock; every time this run records/);
    const behind = cli(['purge', '--db', db, '--older-than', '365d', '--now', iso(Date.now() - 3.5 * 3600_000)]);
    assert.equal(behind.status, 0, behind.stderr);
    assert.match(behind.stderr, /warning: --now is 3 hour\(s\) behind this machine's clock/);
    // the machine's own time (or none): no warning
    for (const args of [['--now', iso(Date.now())], []]) {
      const r = cli(['jobs', 'run', '--db', db, '--config', ini, ...args]);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /warning/);
    }
  });

  it('a channel without its address, an unknown channel or a proxy that is no address stops jobs run and serve at start', () => {
    const db = path.join(dir, 'chan.db');
    assert.equal(cli(['demo', '--db', db]).status, 0);
    const pending = () => cli(['jobs', 'list', '--db', db]).stdout.split('\n').filter((l) => l.includes('\tpending\t')).length;
    const owed = pending();
    const cases = [
      ['[delivery]\nchannels = outbox,smtp\n', /\[smtp\] url must be the mail server, smtp:\/\/HOST:PORT/],
      ['[delivery]\nchannels = webhook\n[webhook]\nsecret = s3cret\n', /\[webhook\] url must be the case system's address/],
      ['[delivery]\nchannels = outbox,sms\n', /unknown channel 'sms' \(outbox, smtp, webhook\)/],
      ['[server]\ntrusted_proxy = localhost\n', /trusted_proxy must be the proxy's numeric address/],
    ];
    for (const [text, why] of cases) {
      const ini = path.join(dir, 'chan.ini');
      fs.writeFileSync(ini, text);
      for (const args of [['jobs', 'run', '--db', db, '--config', ini], ['serve', '--db', db, '--listen', '127.0.0.1:0', '--config', ini]]) {
        const r = cli(args);
        assert.equal(r.status, 1, `${args[0]} with ${JSON.stringify(text)}: ${r.stderr}`);
        assert.match(r.stderr, why);
      }
    }
    assert.equal(pending(), owed, 'no letter was tried');
  });

  it('jobs run without a configuration says which channels, outbox and link address it uses; with one it does not', () => {
    const db = path.join(dir, 'noconf.db');
    assert.equal(cli(['demo', '--db', db]).status, 0);
    const r = cli(['jobs', 'run', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^vejled: note: no configuration \(--config FILE or VEJLED_CONFIG\): letters go by 'outbox' \(outbox \S+\/outbox\) with links to http:\/\/127\.0\.0\.1:8080$/m);
    const ini = path.join(dir, 'noconf.ini');
    fs.writeFileSync(ini, '[server]\npublic_url = https://vejled.example\n');
    const c = cli(['jobs', 'run', '--db', db, '--config', ini]);
    assert.equal(c.status, 0, c.stderr);
    assert.doesNotMatch(c.stderr, /note: no configuration/);
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

  it('no documentation example CPR number is a demo citizen', () => {
    const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'citizens.json'), 'utf8'))
      .citizens.map((c) => c.cpr);
    assert.ok(demo.length >= 3);
    for (const c of demo) {
      assert.match(c, /^\d{10}$/);
      const [dd, mm] = [Number(c.slice(0, 2)), Number(c.slice(2, 4))];
      assert.ok(dd >= 1 && dd <= 28 && mm >= 1 && mm <= 12, `${c.slice(0, 6)} is a real date`);
    }
    // every CPR-shaped number in the documentation (README, docs/*.md, any OpenAPI
    // document) and the number the API tests use as their example
    const docs = []; // README.md is among the root's .md files
    for (const d of ['', 'docs']) {
      const folder = path.join(ROOT, d);
      if (!fs.existsSync(folder)) continue;
      for (const f of fs.readdirSync(folder)) if (/openapi|\.ya?ml$|\.md$/i.test(f)) docs.push(path.join(folder, f));
    }
    const examples = new Set(['0101901234']);
    for (const f of docs) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?<![\d-])(\d{6})-?(\d{4})(?![\d-])/g)) examples.add(m[1] + m[2]);
    }
    for (const c of demo) assert.ok(!examples.has(c), `demo CPR ${c.slice(0, 6)}-**** appears as a documentation example`);
    // and the demo really enrols with these numbers
    const db = path.join(dir, 'cprdemo.db');
    assert.equal(cli(['demo', '--db', db]).status, 0);
    assert.equal(sqlite(db, 'SELECT count(*) FROM citizens').trim(), String(demo.length));
  });

  it('apikey add prints only the key on stdout, a new one each time', () => {
    const db = path.join(dir, 'k.db');
    assert.equal(cli(['migrate', '--db', db]).status, 0);
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

  it('a command that works on a database refuses a missing one: exit 1, one line, nothing created', () => {
    const folder = path.join(dir, 'typo');
    const db = path.join(folder, 'typo.db');
    const out = path.join(dir, 'typo-backup.db');
    const commands = [
      ['backup', '--to', out], ['jobs', 'list'], ['jobs', 'run'], ['stats'], ['stats', '--verify'],
      ['purge', '--older-than', '5y'], ['apikey', 'add', '--name', 'x'],
      ['user', 'add', '--username', 'x', '--role', 'admin'], ['evidence', '--citizen', 'x', '--out', path.join(dir, 'typo.pdf')],
      ['verify'],
    ];
    for (const args of commands) {
      // the same beside an existing folder: no file appears there either
      for (const where of [db, path.join(dir, 'typo-here.db')]) {
        const r = cli([...args, '--db', where], { input: 'a long enough password\n' });
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${args.join(' ')} prints one line: ${r.stderr}`);
        assert.match(lines[0], /^vejled: no database at .*typo(-here)?\.db/);
        assert.equal(r.stdout, '');
      }
    }
    assert.ok(!fs.existsSync(folder), 'no folder was created');
    for (const f of fs.readdirSync(dir)) assert.ok(!f.startsWith('typo'), `${f} was created`);
  });

  it('a file that is not a vejled database is refused in one line, and not migrated', () => {
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    for (const args of [['verify'], ['backup', '--to', path.join(dir, 'empty-backup.db')], ['stats'],
      ['apikey', 'add', '--name', 'x'], ['jobs', 'list']]) {
      const r = cli([...args, '--db', empty]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')} prints one line: ${r.stderr}`);
      assert.match(r.stderr, /empty\.db is not a vejled database/);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'empty-backup.db')), 'no backup was written');
    assert.ok(!fs.existsSync(`${empty}.key`), 'no key file was made');
    assert.equal(fs.statSync(empty).size, 0, 'the empty file is still empty: nothing was written into it');
    // another program's SQLite file (rollback journal): refused, and left exactly as it was
    const other = path.join(dir, 'other.db');
    sqlite(other, 'CREATE TABLE t(x); INSERT INTO t VALUES (1);');
    const bytes = fs.readFileSync(other);
    for (const args of [['verify'], ['stats'], ['user', 'add', '--username', 'u1', '--role', 'caseworker']]) {
      const r = cli([...args, '--db', other], { input: 'a long enough password\n' });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /other\.db is not a vejled database/);
    }
    // nor do the commands that make a database add vejled's tables beside another's
    for (const args of [['migrate'], ['demo'], ['serve', '--listen', '127.0.0.1:0']]) {
      const r = cli([...args, '--db', other]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')} prints one line: ${r.stderr}`);
      assert.match(r.stderr, /other\.db holds another program's data, not a vejled database; give a new file/);
    }
    assert.ok(fs.readFileSync(other).equals(bytes), 'not a byte of the file changed');
    assert.equal(sqlite(other, 'PRAGMA journal_mode;').trim(), 'delete', 'not switched to WAL');
    assert.ok(!fs.existsSync(`${other}-wal`), 'no WAL beside it');
    assert.ok(!fs.existsSync(`${other}.key`), 'no key file was made');
    // an empty file is no other program's: migrate makes it a vejled database
    const r = cli(['migrate', '--db', empty]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(cli(['verify', '--db', empty]).status, 0);
  });

  it('an unknown section in the configuration is an error even without a key in it', () => {
    const db = path.join(dir, 'sections.db');
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const ini = path.join(dir, 'sections.ini');
    fs.writeFileSync(ini, '[server]\nlog_requests = 0\n[nosuch]\n');
    const r = cli(['verify', '--db', db, '--config', ini]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /sections\.ini:3: unknown section \[nosuch\]/);
  });

  it('every command lists --config in its --help, and takes the database from the file', () => {
    for (const c of ['serve', 'migrate', 'demo', 'apikey', 'user', 'verify', 'backup', 'jobs',
      'evidence', 'purge', 'stats']) {
      const h = cli([c, '--help']);
      assert.equal(h.status, 0, `${c} --help`);
      assert.match(h.stdout, /--config FILE/, `${c} --help lists --config`);
    }
    const db = path.join(dir, 'fromfile.db');
    const ini = path.join(dir, 'fromfile.ini');
    fs.writeFileSync(ini, `[database]\npath = ${db}\n\n[stats]\nminutes_per_send = 7\n`);
    // no --db, no VEJLED_DB: the file's [database] path is the database, as for serve
    for (const args of [['migrate'], ['jobs', 'run'], ['jobs', 'list'], ['verify'],
      ['purge', '--older-than', '5y'], ['stats', '--verify']]) {
      const r = cli([...args, '--config', ini]);
      assert.equal(r.status, 0, `${args.join(' ')} --config: ${r.stderr}`);
    }
    assert.ok(fs.existsSync(db), 'the file\'s database was used');
    assert.match(cli(['jobs', 'list', '--config', ini]).stdout, /^id\tkind/);
    // VEJLED_CONFIG stands for --config
    assert.equal(cli(['jobs', 'run'], { env: { VEJLED_CONFIG: ini } }).status, 0);
    // --db and VEJLED_DB win over the file
    const other = path.join(dir, 'flag.db');
    assert.equal(cli(['migrate', '--config', ini, '--db', other]).status, 0);
    assert.ok(fs.existsSync(other), '--db wins over [database] path');
    const env = path.join(dir, 'env.db');
    assert.equal(cli(['migrate', '--config', ini], { env: { VEJLED_DB: env } }).status, 0);
    assert.ok(fs.existsSync(env), 'VEJLED_DB wins over [database] path');
    // a file without [database] path still needs --db: exit 2, nothing created
    const bare = path.join(dir, 'bare.ini');
    fs.writeFileSync(bare, '[stats]\nminutes_per_send = 7\n');
    const r = cli(['jobs', 'run', '--config', bare]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /needs --db/);
  });

  it('stats reads [stats] minutes_per_send from --config (documented in --help)', () => {
    assert.match(cli(['stats', '--help']).stdout, /minutes_per_send/);
    const db = path.join(dir, 'mps.db');
    const ini = path.join(dir, 'mps.ini');
    fs.writeFileSync(ini, '[stats]\nminutes_per_send = 11\n');
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const plain = JSON.parse(cli(['stats', '--db', db]).stdout);
    assert.equal(plain.minutes_per_send, 5, 'the default');
    const r = cli(['stats', '--db', db, '--config', ini]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).minutes_per_send, 11);
  });

  it('serve on a port in use exits 1 with a clear line', async () => {
    const db = path.join(dir, 's.db');
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const { port } = blocker.address();
      assert.equal(cli(['migrate', '--db', db]).status, 0);
      const r = cli(['serve', '--db', db, '--listen', `127.0.0.1:${port}`]);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0], new RegExp(`^vejled: cannot listen on 127\\.0\\.0\\.1:${port}\\b`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    assert.ok(fs.existsSync(BIN) && fs.existsSync(path.join(ROOT, 'db', 'migrations')));
  });
});
