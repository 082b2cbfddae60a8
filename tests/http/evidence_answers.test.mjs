// The evidence PDF's answers, each with the language of the page it was given on: a
// question is matched to its submission by video and question, since a question's slug
// need not be unique across the videos of a pack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, cli, csrfOf, enrolBody, freshCpr, startServer } from './harness.mjs';
import { answerVideo } from './answers.mjs';
import { ini, staff } from './staffkit.mjs';

let s;

describe('the evidence PDF: the language each answer was given in', () => {
  let pack;
  before(async () => {
    s = await startServer({ config: ini({ content: { demo_dir: '{dir}/demo' } }) });
    // the demo content, but the second video of dagpenge asks its questions under the
    // slugs of the first video's (the pack rules allow it: slugs are per video)
    const demo = path.join(s.dir, 'demo');
    fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
    const file = path.join(demo, 'packs', 'dagpenge.json');
    pack = JSON.parse(fs.readFileSync(file, 'utf8'));
    const [first, second] = pack.videos;
    const renamed = {};
    second.questions.forEach((q, i) => {
      renamed[q.slug] = first.questions[i].slug;
      q.slug = first.questions[i].slug;
    });
    for (const texts of Object.values(pack.translations || {})) {
      for (const key of Object.keys(texts)) {
        const m = /^v\.([^.]+)\.q\.([^.]+)\.(.*)$/.exec(key);
        if (m && m[1] === second.slug && renamed[m[2]]) {
          texts[`v.${m[1]}.q.${renamed[m[2]]}.${m[3]}`] = texts[key];
          delete texts[key];
        }
      }
    }
    fs.writeFileSync(file, JSON.stringify(pack));
    const r = cli(['demo', '--db', s.db, '--config', s.configFile]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('answers to a second video whose questions reuse the first video\'s slugs carry their own submission\'s language', async () => {
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'ar' }) });
    assert.equal(e.status, 201, e.text);
    const b = new Browser(s);
    assert.equal((await b.get(new URL(e.json.link).pathname)).status, 303);
    const home = await b.get('/borger');
    assert.equal(home.status, 200);
    await answerVideo(b, 1); // on an Arabic page
    assert.equal((await b.post('/borger/sprog', { csrf: csrfOf(home.text), lang: 'da', back: '/borger' })).status, 303);
    await answerVideo(b, 2); // on a Danish page, the same question slugs
    const j = await s.api('GET', `/api/v1/citizens/${e.json.citizen_id}/journal`);
    const subs = j.json.entries.filter((x) => x.kind === 'answers_submitted');
    assert.deepEqual(subs.map((x) => [x.data.video, x.data.language]), [[pack.videos[0].slug, 'ar'], [pack.videos[1].slug, 'da']]);
    assert.deepEqual(subs[0].data.answers.map((a) => a.question), subs[1].data.answers.map((a) => a.question), 'the same slugs in both');
    const cw = await staff(s, 'cw1');
    const r = await cw.get(`/medarbejder/borger/${e.json.citizen_id}/dokumentation.pdf`);
    assert.equal(r.status, 200);
    const f = path.join(s.dir, 'answers.pdf');
    fs.writeFileSync(f, r.buf);
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    const answers = text.slice(text.indexOf('Svar (første forsøg)'), text.indexOf('Møde og noter'));
    const note = 'besvaret på arabisk; spørgsmål og svar er gengivet her på dansk';
    const n1 = pack.videos[0].questions.length;
    assert.equal(answers.split(note).length - 1, n1, `only the first video's ${n1} answers say Arabic: ${answers}`);
    // and they are the first video's: each note follows one of its questions
    const notes = answers.split('Svar:').slice(1);
    assert.equal(notes.length, n1 + pack.videos[1].questions.length);
    assert.deepEqual(notes.map((x) => x.includes(note)), notes.map((_, i) => i < n1));
  });
});
