// Signed checkpoints and evidence bundles through the real binary, checked here with
// node's own crypto by the algorithm the README states (not by vejled's code); the
// evidence PDF and the staff journal in words a board can read.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { startServer, cli, sqlite, isPgDb, ROOT, BIN, assertNoSanitizerReport, enrolBody, freshCpr } from './harness.mjs';
import { staff } from './staffkit.mjs';

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest();
const leaf = (hex) => sha256(Buffer.concat([Buffer.from([0]), Buffer.from(hex, 'hex')]));
const node = (l, r) => sha256(Buffer.concat([Buffer.from([1]), l, r]));

/* RFC 6962 MTH over leaf hashes */
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/* RFC 9162 2.1.3.2 */
function proofRoot(hashHex, index, size, proof) {
  let fn = index, sn = size - 1, r = leaf(hashHex);
  for (const p of proof.map((h) => Buffer.from(h, 'hex'))) {
    if (sn === 0) return null;
    if ((fn & 1) || fn === sn) {
      r = node(p, r);
      while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else r = node(r, p);
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r.toString('hex') : null;
}

function entryHash(e) {
  return sha256([e.prev_hash, String(e.seq), e.at, e.kind, e.actor, e.citizen_uuid, e.enrolment_uuid, e.data].join('\n')).toString('hex');
}

function message(c) {
  return ['vejled-checkpoint-1', c.signed_seq, c.head_hash, c.tree_root, c.signed_at, c.key_id].join('\n');
}

function signatureValid(c) {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(c.public_key, 'base64')]);
  const key = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
  return crypto.verify(null, Buffer.from(message(c)), key, Buffer.from(c.signature, 'base64'));
}

/* Independent check of a bundle, as the README describes it. */
function verifyBundle(b) {
  const c = b.checkpoint;
  assert.ok(signatureValid(c), 'signature');
  assert.equal(sha256(Buffer.from(c.public_key, 'base64')).toString('hex').slice(0, 16), c.key_id);
  assert.equal(proofRoot(c.head_hash, c.signed_seq - 1, c.signed_seq, b.head_proof), c.tree_root);
  for (const e of b.entries) {
    assert.equal(entryHash(e), e.hash, `entry ${e.seq} hash`);
    assert.equal(proofRoot(e.hash, e.seq - 1, c.signed_seq, e.proof), c.tree_root, `entry ${e.seq} proof`);
  }
}

const JOURNAL_COLUMNS = 'seq, at, kind, actor, citizen_uuid, enrolment_uuid, data, prev_hash, hash';

function journalRows(db) {
  if (isPgDb(db)) {
    return JSON.parse(sqlite(db, `SELECT coalesce(json_agg(t ORDER BY t.seq), '[]') FROM (SELECT ${JOURNAL_COLUMNS} FROM journal) t;`));
  }
  const r = spawnSync('sqlite3', ['-json', db, `SELECT ${JOURNAL_COLUMNS} FROM journal ORDER BY seq;`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout || '[]');
}

const KINDS = fs.readFileSync(path.join(ROOT, 'server/domain/journal.c'), 'utf8')
  .match(/journal_kinds\[\] = \{([^}]*)\}/)[1].match(/"([a-z_]+)"/g).map((s) => s.slice(1, -1));
const DA = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/lang/da.json'), 'utf8'));
const EN = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/lang/en.json'), 'utf8'));
const ACTORS = ['api', 'citizen', 'scheduler', 'retention', 'system', 'demo'];
const CHANNELS = ['outbox', 'smtp', 'webhook'];
const STATUSES = ['not_opened', 'opened', 'in_progress', 'completed', 'declined', 'closed'];

describe('labels', () => {
  it('every journal kind the code can write, every actor, channel and status has a Danish and an English label', () => {
    assert.ok(KINDS.length >= 15 && KINDS.includes('checkpoint') && KINDS.includes('written_guidance_sent'));
    // every literal kind passed to journal_append and every kind the scheduler journals is in the table
    const src = fs.readdirSync(path.join(ROOT, 'server'), { recursive: true }).filter((f) => f.endsWith('.c'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'server', f), 'utf8')).join('\n');
    const literal = [...src.matchAll(/journal_append\([^,]+,[^,]+,\s*"([a-z_]+)"/g)].map((m) => m[1]);
    const sched = [...fs.readFileSync(path.join(ROOT, 'server/delivery/scheduler.c'), 'utf8').matchAll(/return "([a-z_]+_(?:sent|resent))"/g)].map((m) => m[1]);
    assert.ok(literal.length >= 10 && sched.length >= 4 && sched.includes('new_link_sent'), `${literal} ${sched}`);
    for (const k of [...literal, ...sched]) assert.ok(KINDS.includes(k), `${k} is in journal_kinds`);
    const keys = [...KINDS.map((k) => `journal_${k}`), ...ACTORS.map((a) => `actor_${a}`), 'actor_staff',
      ...CHANNELS.map((c) => `channel_${c}`), ...STATUSES.map((s) => `status_${s}`)];
    for (const k of keys) {
      assert.ok(typeof DA[k] === 'string' && DA[k].length > 0, `da.json has ${k}`);
      assert.ok(typeof EN[k] === 'string' && EN[k].length > 0, `en.json has ${k}`);
    }
  });
});

describe('checkpoints and evidence bundles', () => {
  let s, citizen, bundleFile, pdfFile;
  before(async () => {
    s = await startServer({ config: '[delivery]\nchannels = outbox\noutbox_dir = {dir}/outbox\n' });
  });
  after(async () => { await s?.cleanup(); });

  it('the signing key is made 0600 on start; keys show prints only the public key and its id', () => {
    const keyFile = s.signKeyFile;
    const st = fs.statSync(keyFile);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.size, 32);
    const r = cli(['keys', 'show', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    const pk = /^public_key (\S+)$/m.exec(r.stdout)[1];
    const id = /^key_id ([0-9a-f]{16})$/m.exec(r.stdout)[1];
    assert.equal(Buffer.from(pk, 'base64').length, 32);
    assert.equal(sha256(Buffer.from(pk, 'base64')).toString('hex').slice(0, 16), id);
    const secret = fs.readFileSync(keyFile);
    for (const enc of ['hex', 'base64']) assert.ok(!(r.stdout + r.stderr).includes(secret.toString(enc)), 'no secret');
    // a key others may read is refused, by keys show and by serve
    fs.chmodSync(keyFile, 0o640);
    const bad = cli(['keys', 'show', '--db', s.db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /may be read or written by others.*chmod 600\)$/m, 'nothing about making a key');
    const elsewhere = path.join(s.dir, 'elsewhere.ini');
    fs.writeFileSync(elsewhere, '[database]\nsign_key_file = /nonexistent/sign.key\n');
    const none = cli(['keys', 'show', '--db', s.db, '--config', elsewhere]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^vejled: no signing key at \/nonexistent\/sign\.key: the server makes it on its first start; if it has run, \[database\] sign_key_file names the key it made$/m);
    const serve = cli(['serve', '--db', s.db, '--listen', '127.0.0.1:0']);
    assert.equal(serve.status, 1);
    assert.match(serve.stderr, /chmod 600/);
    fs.chmodSync(keyFile, 0o600);
  });

  it('the scheduler signs a moved head and journals the checkpoint (for the webhook); verify checks it', () => {
    const r = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(r.status, 0, r.stderr);
    const rows = journalRows(s.db);
    const cps = rows.filter((e) => e.kind === 'checkpoint');
    assert.equal(cps.length, 1);
    const c = JSON.parse(cps[0].data);
    assert.equal(c.signed_seq, cps[0].seq - 1);
    assert.equal(c.head_hash, rows[c.signed_seq - 1].hash);
    assert.equal(mth(rows.slice(0, c.signed_seq).map((e) => leaf(e.hash))).toString('hex'), c.tree_root);
    assert.ok(signatureValid(c));
    assert.equal(cps[0].actor, 'system');
    // the head did not move: a second pass signs nothing new
    assert.equal(cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]).status, 0);
    assert.equal(journalRows(s.db).filter((e) => e.kind === 'checkpoint').length, 1);
    citizen = rows.find((e) => e.kind === 'written_guidance_sent').citizen_uuid;
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /journal intact: \d+ entries, 1 signed checkpoints/);
  });

  it('[database] checkpoint_minutes: a moved head is signed once the last checkpoint is that old', () => {
    const count = () => journalRows(s.db).filter((e) => e.kind === 'checkpoint').length;
    const at = (min) => new Date(Date.now() + min * 60e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const cfg = path.join(s.dir, 'cp.ini');
    fs.writeFileSync(cfg, fs.readFileSync(s.configFile, 'utf8') + '\n[database]\ncheckpoint_minutes = 30\n');
    assert.equal(cli(['demo', '--db', s.db]).status, 0); // a new link: the head moved
    const before = count();
    assert.equal(cli(['jobs', 'run', '--db', s.db, '--config', cfg, '--now', at(20)]).status, 0);
    assert.equal(count(), before, 'not before 30 minutes');
    assert.equal(cli(['jobs', 'run', '--db', s.db, '--config', cfg, '--now', at(31)]).status, 0);
    assert.equal(count(), before + 1, 'after 30 minutes');
    for (const bad of ['0', '61', 'x']) {
      fs.writeFileSync(cfg, `${s.placesIni}[database]\ncheckpoint_minutes = ${bad}\n`);
      const r = cli(['verify', '--db', s.db, '--config', cfg]);
      assert.equal(r.status, 1, bad);
      assert.match(r.stderr, /checkpoint_minutes/);
    }
  });

  it('evidence writes the PDF and a bundle that verifies, here and by the README algorithm', () => {
    pdfFile = path.join(s.dir, 'borger.pdf');
    bundleFile = `${pdfFile}.json`;
    const r = cli(['evidence', '--db', s.db, '--citizen', citizen, '--out', pdfFile]);
    assert.equal(r.status, 0, r.stderr);
    const b = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    assert.equal(b.citizen_uuid, citizen);
    assert.ok(b.entries.length >= 2 && b.entries.every((e) => e.citizen_uuid === citizen));
    assert.ok(!JSON.stringify(b).includes('"kind":"checkpoint"'));
    verifyBundle(b);
    const v = cli(['verify-evidence', bundleFile]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /evidence intact: \d+ entries, checkpoint of entry \d+ signed by key [0-9a-f]{16}/);
    // the export signs the head (here the scheduler's checkpoint still covers it: reused),
    // and the checkpoint is journalled
    const cps = journalRows(s.db).filter((e) => e.kind === 'checkpoint');
    assert.equal(JSON.parse(cps[cps.length - 1].data).signature, b.checkpoint.signature);
    // the README's openssl recipe verifies the same signature, its sha256sum an entry, and
    // its Python block the hashes and proofs (the blocks are taken from the README itself)
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = (lang, marker) => [...readme.matchAll(new RegExp('```' + lang + '\\n([^]*?)```', 'g'))]
      .map((m) => m[1]).find((t) => t.includes(marker));
    const recipe = block('sh', 'openssl pkeyutl').replace('b=FILE.json', `b=${bundleFile}`);
    const entryLine = /and an entry's hash: `([^`]+)`/.exec(readme)[1].replace('FILE.json', bundleFile);
    const sh = spawnSync('bash', ['-c', `set -e; cd ${s.dir}\n${recipe}\n${entryLine}`], { encoding: 'utf8' });
    assert.equal(sh.status, 0, sh.stderr);
    assert.match(sh.stdout, /Signature Verified Successfully/);
    fs.writeFileSync(path.join(s.dir, 'check.py'), block('python', 'RFC 9162'));
    const py = spawnSync('python3', [path.join(s.dir, 'check.py'), bundleFile], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr + py.stdout);
    assert.match(py.stdout, /intact/);
    const broken = structuredClone(b);
    broken.entries[0].seq += 1;
    fs.writeFileSync(path.join(s.dir, 'broken.json'), JSON.stringify(broken));
    assert.equal(spawnSync('python3', [path.join(s.dir, 'check.py'), path.join(s.dir, 'broken.json')]).status, 1);
    assert.ok(sh.stdout.includes(b.entries[0].hash), sh.stdout);
    // a wrong citizen: an error, and nothing signed or written
    const n = journalRows(s.db).length;
    const none = cli(['evidence', '--db', s.db, '--citizen', '00000000-0000-4000-8000-000000000000', '--out', path.join(s.dir, 'x.pdf')]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no citizen with that id/);
    assert.equal(journalRows(s.db).length, n);
    assert.ok(!fs.existsSync(path.join(s.dir, 'x.pdf')));
    // --public-key: another key is refused
    const other = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
    const w = cli(['verify-evidence', bundleFile, '--public-key', other]);
    assert.equal(w.status, 1);
    assert.match(w.stderr, /not with the key given/);
  });

  it('verify-evidence fails on a changed entry, a changed hash and a wrong signature', () => {
    const b = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    const cases = [
      ['content does not match its hash', (x) => { x.entries[0].data = x.entries[0].data.replace('}', ',"x":1}'); }],
      ['content does not match its hash', (x) => { x.entries[1].hash = '0'.repeat(64); }],
      ['signature is not valid', (x) => { const s2 = Buffer.from(x.checkpoint.signature, 'base64'); s2[10] ^= 1; x.checkpoint.signature = s2.toString('base64'); }],
      ['not in the signed journal', (x) => { x.entries[0].kind = 'declined'; x.entries[0].hash = entryHash(x.entries[0]); }],
    ];
    for (const [want, change] of cases) {
      const x = structuredClone(b);
      change(x);
      const f = path.join(s.dir, 'bad.json');
      fs.writeFileSync(f, JSON.stringify(x));
      const v = cli(['verify-evidence', f]);
      assert.equal(v.status, 1, `${want}: ${v.stdout}`);
      assert.ok(v.stderr.includes(want), `${want}: ${v.stderr}`);
      assert.equal(v.stderr.trim().split('\n').length, 1);
    }
    const none = cli(['verify-evidence', path.join(s.dir, 'missing.json')]);
    assert.equal(none.status, 1);
    // [database] max_bundle_bytes: a larger file is refused before it is read
    const small = path.join(s.dir, 'small.ini');
    const size = fs.statSync(bundleFile).size;
    fs.writeFileSync(small, `[database]\nmax_bundle_bytes = ${size - 1}\n`);
    const big = cli(['verify-evidence', bundleFile, '--config', small]);
    assert.equal(big.status, 1);
    assert.match(big.stderr, new RegExp(`larger than ${size - 1} bytes`));
    fs.writeFileSync(small, `[database]\nmax_bundle_bytes = ${size}\n`);
    assert.equal(cli(['verify-evidence', bundleFile, '--config', small]).status, 0);
    assert.equal(cli(['verify-evidence']).status, 2, 'no file: usage');
  });

  it('the evidence PDF: Danish labels, no raw codes, legal basis, language, metadata and bookmarks', () => {
    const text = spawnSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' }).stdout;
    // the letter went to the outbox for Digital Post, and the PDF says that, not "sent"
    assert.ok(!text.replace(/\s+/g, ' ').includes('sendt via Digital Post'), 'the outbox is not called sending');
    for (const want of [DA.journal_written_guidance_sent_outbox, DA.journal_enrolled, DA.actor_api, DA.actor_scheduler, 'Digital Post', 'Retsgrundlag:', 'Indholdsversionen gælder fra']) {
      assert.ok(text.replace(/\s+/g, ' ').includes(want.replace(/\s+/g, ' ')), `PDF has "${want}"`);
    }
    // ('demo' is left out: the demo citizens' names say "(demo)")
    const raw = new RegExp(`\\b(${[...KINDS, ...ACTORS.filter((a) => a !== 'demo'), ...CHANNELS, ...STATUSES].join('|')})\\b`);
    assert.ok(!raw.test(text), `no raw code in the PDF: ${raw.exec(text)?.[0]}`);
    const pi = spawnSync('pdfinfo', [pdfFile], { encoding: 'utf8' });
    assert.equal(pi.stderr, '', 'poppler reads it without complaint');
    const info = pi.stdout;
    // the language, which cairo 1.16 cannot write, is in the catalog of an incremental update
    // whose cross-reference offsets are right
    const bytes = fs.readFileSync(pdfFile, 'latin1');
    const tail = bytes.slice(bytes.lastIndexOf('%%EOF', bytes.length - 7));
    assert.match(tail, /\/Type \/Catalog[^]*\/Lang \(da\)[^]*\/PageMode \/UseOutlines/);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(bytes)[1]);
    assert.equal(bytes.slice(startxref, startxref + 4), 'xref');
    const [, root, off] = /xref\n(\d+) 1\n(\d{10}) 00000 n \n/.exec(bytes.slice(startxref));
    assert.equal(bytes.slice(Number(off), Number(off) + `${root} 0 obj`.length), `${root} 0 obj`);
    assert.match(info, /^Title:\s+Dokumentation for vejledning$/m);
    // tagged: a structure tree with the title as H1, the headings as H2, paragraphs as P
    assert.match(info, /^Tagged:\s+yes$/m);
    const tree = spawnSync('pdfinfo', ['-struct-text', pdfFile], { encoding: 'utf8' }).stdout;
    assert.match(tree, /^Document\n\s+H1 \(block\)\n\s+"Dokumentation for vejledning"/);
    assert.ok((tree.match(/^\s+H2 \(block\)$/gm) || []).length >= 3, 'headings are H2');
    assert.ok((tree.match(/^\s+P \(block\)$/gm) || []).length >= 10, 'paragraphs are P');
    assert.match(info, /^Author:\s+\S+/m);
    assert.match(info, /^Subject:\s+\S+/m);
    // the checkpoint it was made against, in words
    const b = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    assert.ok(text.includes(DA.evidence_checkpoint), 'the signature section');
    // the outbox channel only: no case system has the checkpoint, and the PDF does not claim it
    const flat = text.replace(/\s+/g, ' ');
    assert.ok(!flat.includes('sendt til sagssystemet'), 'no claim of a delivery that did not happen');
    assert.ok(flat.includes(DA.evidence_checkpoint_not_delivered), 'the checkpoint not delivered, said so');
    assert.ok(text.includes(b.checkpoint.key_id) && text.includes(b.checkpoint.tree_root));
    const xml = spawnSync('pdftohtml', ['-xml', '-i', '-stdout', pdfFile], { encoding: 'utf8' }).stdout;
    assert.match(xml, /<outline>\s*<item page="1">Dokumentation for vejledning<\/item>/);
    assert.match(xml, /<item page="\d+">Hele journalen<\/item>/);
  });

  it('the staff journal shows labels, not codes', async () => {
    const b = await staff(s, 'cw1');
    const r = await b.get(`/medarbejder/borger/${citizen}`);
    assert.equal(r.status, 200);
    const table = r.text.slice(r.text.indexOf(DA.staff_journal_title));
    assert.ok(table.includes(DA.journal_written_guidance_sent_outbox));
    assert.ok(table.includes(DA.actor_scheduler), 'the scheduler named in words');
    assert.ok(!/>(written_guidance_sent|scheduler|api|enrolled)</.test(table), 'no raw code in the journal table');
    // the staff export signs the head too, and the PDF names that checkpoint
    assert.equal(cli(['demo', '--db', s.db]).status, 0); // the head moved
    const n = journalRows(s.db).filter((e) => e.kind === 'checkpoint').length;
    const pdf = await b.get(`/medarbejder/borger/${citizen}/dokumentation.pdf`);
    assert.equal(pdf.status, 200);
    const cps = journalRows(s.db).filter((e) => e.kind === 'checkpoint');
    assert.equal(cps.length, n + 1, s.stderr.split("\n").filter((l) => !/ http /.test(l)).join("\n"));
    assert.equal(JSON.parse(cps[n].data).signed_seq, cps[n].seq - 1);
  });

  it('the PDF the staff pages give cites no bundle beside it: it says who downloaded it, that it shows what their unit may see, and how an administrator makes the bundle; the CLI\'s PDF still cites its bundle', async () => {
    // pdftotext may break a line at a hyphen and drop it: compare without spaces and hyphens
    const flat = (t) => t.replace(/[\s-]+/g, '');
    const read = (buf, name) => {
      const f = path.join(s.dir, name);
      fs.writeFileSync(f, buf);
      const r = spawnSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return flat(r.stdout);
    };
    const beside = flat('ved siden af denne PDF');
    const cw = await staff(s, 'cw1');
    const res = await cw.get(`/medarbejder/borger/${citizen}/dokumentation.pdf`);
    assert.equal(res.status, 200);
    const mine = read(res.buf, 'staff-cw1.pdf');
    assert.ok(!mine.includes(beside), 'no bundle beside a downloaded copy');
    assert.ok(!mine.includes(flat('viser, at borgerens')), 'no bundle said to show anything');
    assert.ok(!mine.includes(flat('ikke i beviset')), 'no entry said to be left out of a bundle');
    const unit = sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw1';").trim();
    assert.ok(unit.length > 0);
    for (const want of [
      'Denne kopi er hentet på medarbejdersiderne af Demo Sagsbehandler Nord (cw1) den',
      `Den viser kun de forløb og journalposter, som enheden ${unit} må se, og tallene i den gælder kun dem.`,
      'En administrator kan danne beviset med vejled evidence',
      'Af posterne i denne kopi er',
    ]) assert.ok(mine.includes(flat(want)), `the downloaded copy says "${want}"`);
    // an administrator's copy shows every enrolment, and says so
    const all = read((await (await staff(s, 'admin')).get(`/medarbejder/borger/${citizen}/dokumentation.pdf`)).buf, 'staff-admin.pdf');
    assert.ok(all.includes(flat('Den viser alle borgerens forløb og journalposter.')));
    assert.ok(!all.includes(beside));
    // the CLI writes the bundle beside its PDF, and its PDF says so as before
    const cliText = flat(spawnSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8' }).stdout);
    assert.ok(cliText.includes(beside), 'the CLI\'s PDF cites the bundle beside it');
    assert.ok(cliText.includes(flat(DA.evidence_journal_intro)));
    assert.ok(!cliText.includes(flat('Denne kopi er hentet')));
  });

  let heldFile;
  it('the webhook delivers the checkpoints to the case system, which thus holds a copy', async () => {
    const got = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { got.push(body); res.end('ok'); });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    const cfg = path.join(s.dir, 'hook.ini');
    fs.writeFileSync(cfg, `${s.placesIni}[delivery]\nscheduler = 0\nchannels = outbox,webhook\noutbox_dir = ${s.dir}/outbox\n[webhook]\nurl = http://127.0.0.1:${hook.address().port}/journal\nsecret = s3cret\n`);
    const clean = { ...process.env };
    for (const k of ['VEJLED_DB', 'VEJLED_LISTEN', 'VEJLED_CONFIG']) delete clean[k];
    const r = await new Promise((resolve, reject) => {
      const p = spawn(BIN, ['jobs', 'run', '--db', s.db, '--config', cfg], { cwd: ROOT, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d) => { stderr += d; });
      p.on('error', reject);
      p.on('close', (status) => resolve({ status, stderr }));
    });
    await new Promise((r) => hook.close(r));
    assertNoSanitizerReport(r.stderr, 'vejled jobs run');
    assert.equal(r.status, 0, r.stderr);
    const entries = got.map((b) => JSON.parse(b));
    const cps = entries.filter((e) => e.kind === 'checkpoint');
    const b = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    const mine = cps.find((e) => e.data.signed_seq === b.checkpoint.signed_seq);
    assert.ok(mine, `the bundle's checkpoint was delivered (${cps.length} checkpoints)`);
    assert.ok(signatureValid(mine.data));
    heldFile = path.join(s.dir, 'held.json');
    fs.writeFileSync(heldFile, got[entries.indexOf(mine)]); // the body exactly as received
    const v = cli(['verify-evidence', bundleFile, '--checkpoint', heldFile]);
    assert.equal(v.status, 0, v.stderr);
  });

  it('key rotation: a new key file signs from then on; checkpoints of the old key still verify', () => {
    const keyFile = s.signKeyFile;
    const old = cli(['keys', 'show', '--db', s.db]).stdout;
    fs.renameSync(keyFile, `${keyFile}.old`);
    assert.equal(cli(['demo', '--db', s.db]).status, 0); // the head moved
    const out = path.join(s.dir, 'rotated.pdf');
    const r = cli(['evidence', '--db', s.db, '--citizen', citizen, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const now = cli(['keys', 'show', '--db', s.db]).stdout;
    const oldId = /key_id (\S+)/.exec(old)[1];
    const newId = /key_id (\S+)/.exec(now)[1];
    assert.notEqual(newId, oldId);
    assert.equal(JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')).checkpoint.key_id, newId);
    const keys = sqlite(s.db, 'SELECT key_id FROM signing_keys ORDER BY first_used_at, key_id;').trim().split('\n');
    assert.deepEqual(keys.sort(), [oldId, newId].sort());
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(cli(['verify-evidence', bundleFile, '--public-key', /public_key (\S+)/.exec(old)[1]]).status, 0);
    assert.equal(cli(['verify-evidence', `${out}.json`]).status, 0);
  });

  it('a PDF against an older checkpoint says which of the citizen\'s entries its bundle holds', async () => {
    const pdfText = (file) => spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    const signedSeq = (r) => Number(/checkpoint of entry (\d+)/.exec(r.stderr)[1]);
    // a checkpoint signed before the citizen existed
    const first = cli(['evidence', '--db', s.db, '--citizen', citizen, '--out', path.join(s.dir, 'c0.pdf')]);
    assert.equal(first.status, 0, first.stderr);
    const before = signedSeq(first);
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    const later = cli(['evidence', '--db', s.db, '--citizen', r.json.citizen_id, '--out', path.join(s.dir, 'c1.pdf'), '--checkpoint-seq', String(before)]);
    assert.equal(later.status, 0, later.stderr);
    const bundle = JSON.parse(fs.readFileSync(path.join(s.dir, 'c1.pdf.json'), 'utf8'));
    assert.equal(bundle.entries.length, 0);
    const none = pdfText(path.join(s.dir, 'c1.pdf'));
    assert.ok(none.includes('Ingen af borgerens poster er omfattet af dette kontrolpunkt'), 'says none is covered');
    assert.ok(!none.includes('viser, at borgerens'), 'never that the bundle shows them');
    assert.ok(none.includes('(efter kontrolpunktet, ikke i beviset)'), 'each entry marked');
    // a checkpoint over the citizen's entries, then a new link: two more entries after it
    const now = cli(['evidence', '--db', s.db, '--citizen', r.json.citizen_id, '--out', path.join(s.dir, 'c2.pdf')]);
    assert.equal(now.status, 0, now.stderr);
    const covering = signedSeq(now);
    const all = pdfText(path.join(s.dir, 'c2.pdf'));
    assert.ok(!all.includes('efter kontrolpunktet'), 'a fresh checkpoint covers every entry');
    const n = JSON.parse(fs.readFileSync(path.join(s.dir, 'c2.pdf.json'), 'utf8')).entries.length;
    assert.ok(all.includes(`viser, at borgerens ${n} poster til og med post ${covering} indgår`), 'the covered count');
    assert.equal((await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/link`)).status, 201);
    const old = cli(['evidence', '--db', s.db, '--citizen', r.json.citizen_id, '--out', path.join(s.dir, 'c3.pdf'), '--checkpoint-seq', String(covering)]);
    assert.equal(old.status, 0, old.stderr);
    const part = pdfText(path.join(s.dir, 'c3.pdf'));
    const after = journalRows(s.db).filter((e) => e.citizen_uuid === r.json.citizen_id && e.seq > covering).length;
    assert.ok(after >= 1);
    assert.ok(part.includes(`viser, at borgerens ${n} poster til og med post ${covering} indgår`));
    assert.ok(part.includes(`Borgerens ${after} poster efter post ${covering} er ikke omfattet af kontrolpunktet`), 'the later ones said');
    assert.equal(part.split('(efter kontrolpunktet, ikke i beviset)').length - 1, after, 'and each marked');
  });

  it('a chain rewritten consistently in the database no longer matches the checkpoint held elsewhere', () => {
    const held = JSON.parse(fs.readFileSync(heldFile, 'utf8')).data; // as the webhook delivered it
    // the attacker: change one of the citizen's entries and re-hash everything after it
    const rows = journalRows(s.db);
    const target = rows.find((e) => e.citizen_uuid === citizen && e.kind === 'written_guidance_sent');
    target.data = target.data.replace(/"channel":"[a-z]+"/, '"channel":"smtp"');
    let prev = rows[target.seq - 2].hash;
    const sql = [`DROP TRIGGER journal_no_update${isPgDb(s.db) ? ' ON journal' : ''};`];
    for (const e of rows.slice(target.seq - 1)) {
      e.prev_hash = prev;
      e.hash = entryHash(e);
      prev = e.hash;
      sql.push(`UPDATE journal SET data = '${e.data.replaceAll("'", "''")}', prev_hash = '${e.prev_hash}', hash = 'tmp${e.seq}' WHERE seq = ${e.seq};`);
      sql.push(`UPDATE journal SET hash = '${e.hash}' WHERE seq = ${e.seq};`);
    }
    sqlite(s.db, sql.join('\n'));
    // the chain alone is consistent again, but its head at the signed seq is not the signed one
    const forged = journalRows(s.db);
    assert.notEqual(forged[held.signed_seq - 1].hash, held.head_hash);
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 1);
    assert.match(v.stderr, /checkpoint of entry \d+ does not verify: the journal no longer matches/);
    // a bundle against the old checkpoint cannot be made ...
    const again = cli(['evidence', '--db', s.db, '--citizen', citizen, '--out', path.join(s.dir, 'b2.pdf'), '--checkpoint-seq', String(held.signed_seq)]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /no longer matches the checkpoint/);
    // ... and one signed now over the rewritten chain (after a new entry moved the head) is consistent alone, but not with the held copy
    assert.equal(cli(['demo', '--db', s.db]).status, 0);
    const fresh = cli(['evidence', '--db', s.db, '--citizen', citizen, '--out', path.join(s.dir, 'b3.pdf')]);
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(cli(['verify-evidence', path.join(s.dir, 'b3.pdf.json')]).status, 0);
    const x = cli(['verify-evidence', path.join(s.dir, 'b3.pdf.json'), '--checkpoint', heldFile]);
    assert.equal(x.status, 1);
    assert.match(x.stderr, /not the one held elsewhere/);
    // the bundle made before the rewrite still verifies against the held copy
    assert.equal(cli(['verify-evidence', bundleFile, '--checkpoint', heldFile]).status, 0);
  });
});
