// A case system recomputes every journal hash from GET /api/v1/citizens/{id}/journal, as
// the README describes: SHA-256 of prev_hash, seq, at, kind, actor, the citizen's id, the
// enrolment's id and data, joined by "\n", where data is the entry's "data" text exactly as
// it stands in the answer.  Watching reports hold numbers with fractions (seconds, shares,
// ranges); those are where a re-printed number would differ from the hashed one.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { csrfOf, startServer } from './harness.mjs';

/**
 * The raw text of every entry's "data" in a journal answer, in order: a small scanner over
 * the JSON text that keeps strings and depth, so nothing is parsed and printed again.
 */
function rawData(text) {
  const out = [];
  let depth = 0;
  let i = 0;
  let key = null; // the last string read as a key at depth 3 (an entry's member)
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = text.slice(i + 1, j);
      i = j + 1;
      if (depth === 3 && text[i] === ':') {
        key = str;
        if (key === 'data') {
          // the value: an object from i + 1 to its matching brace
          let k = i + 1;
          let d = 0;
          const start = k;
          do {
            if (text[k] === '"') {
              k++;
              while (text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
            } else if (text[k] === '{' || text[k] === '[') d++;
            else if (text[k] === '}' || text[k] === ']') d--;
            k++;
          } while (d > 0);
          out.push(text.slice(start, k));
          i = k;
        }
      }
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    i++;
  }
  return out;
}

const sha256 = (x) => crypto.createHash('sha256').update(x, 'utf8').digest('hex');

describe('the journal through the API', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('every hash recomputes from the answer\'s own text, fractions in watching reports included', async () => {
    const c = await readyCitizen(s);
    const csrf = csrfOf((await c.browser.get('/borger/video/1')).text);
    const play = (fields) => c.browser.post('/borger/video/1/afspilning', { csrf, ...fields });
    assert.equal((await play({ d: '40', p: '0-13.3' })).status, 204);
    assert.equal((await play({ d: '40.4', p: '0-13.3,13.5-40.4', e: '1' })).status, 204);
    assert.ok(await submit(c), 'answers acknowledged');

    const r = await s.api('GET', `/api/v1/citizens/${c.citizen}/journal`);
    assert.equal(r.status, 200, r.text);
    const { entries } = r.json;
    const raw = rawData(r.text);
    assert.equal(raw.length, entries.length, 'one data per entry');
    const kinds = entries.map((e) => e.kind);
    for (const k of ['enrolled', 'link_opened', 'video_played', 'video_watched', 'answers_submitted'])
      assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    let fractions = 0;
    entries.forEach((e, i) => {
      assert.deepEqual(JSON.parse(raw[i]), e.data, `entry ${e.seq}: the scanner read its data`);
      const input = [e.prev_hash, e.seq, e.at, e.kind, e.actor, c.citizen, e.enrolment_id || '', raw[i]].join('\n');
      assert.equal(sha256(input), e.hash, `entry ${e.seq} (${e.kind}) recomputes: ${raw[i]}`);
      if (/\d\.\d*[1-9]/.test(raw[i])) fractions++;
    });
    assert.ok(fractions >= 2, 'the watching entries hold numbers with fractions');
    // and the chain runs through them
    for (let i = 1; i < entries.length; i++)
      assert.ok(entries[i].seq > entries[i - 1].seq);
  });
});
