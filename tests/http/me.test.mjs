// GET /api/v1/me: the citizen's own progress for the municipality's citizen app, by the
// personal link's token as bearer or by the session cookie of the citizen pages; only that
// citizen's enrolment, never the CPR or the name; reading with the token is not opening the
// link; unknown and expired tokens are 401 and count against the link-guessing limit; CORS
// only for the origins in [citizen] app_origins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, enrolBody, freshCpr, parseForms, sqlite, startServer, tableCounts } from './harness.mjs';

const APP = 'https://app.kommune.dk';

async function enrol(s, overrides = {}) {
  const cpr = freshCpr();
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, overrides) });
  assert.equal(r.status, 201, r.text);
  const token = new URL(r.json.link).pathname.split('/').pop();
  return { cpr, id: r.json.enrolment_id, link: new URL(r.json.link).pathname, token };
}

function me(s, token, headers = {}) {
  const h = { ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  return s.request('GET', '/api/v1/me', { headers: h });
}

function journalKinds(s, id) {
  return sqlite(s.db, `SELECT kind FROM journal WHERE enrolment_uuid = '${id}' ORDER BY seq;`)
    .split('\n').filter(Boolean);
}

/* Everything a read could change: the row counts, the whole journal, the enrolments. */
function snapshot(s) {
  return {
    counts: tableCounts(s.db),
    journal: sqlite(s.db, 'SELECT seq, kind, hash FROM journal ORDER BY seq;'),
    enrolments: sqlite(s.db, 'SELECT id, opened_at, completed_at, declined_at FROM enrolments ORDER BY id;'),
    sessions: sqlite(s.db, 'SELECT count(*), sum(CASE WHEN used_at IS NOT NULL THEN 1 ELSE 0 END) FROM citizen_sessions;'),
  };
}

const corsHeaders = (res) => Object.keys(res.headers).filter((k) => k.startsWith('access-control-'));

describe('GET /api/v1/me', () => {
  let s;
  before(async () => {
    s = await startServer({ config: `[citizen]\napp_origins = ${APP}, http://localhost:5173\n` });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('with the link token: the citizen\'s own enrolment, and reading it is not opening the link', async () => {
    const e = await enrol(s);
    const day = new Date().toISOString().slice(0, 10);
    const stats = async () => {
      const { generated_at: _, ...figures } = (await s.api('GET', `/api/v1/stats?from=${day}&to=${day}`)).json;
      return figures;
    };
    const before = snapshot(s);
    const statsBefore = await stats();
    const r = await me(s, e.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(snapshot(s), before, 'a read with the token changes nothing');
    assert.deepEqual(await stats(), statsBefore, 'nor the statistics');
    assert.ok(!journalKinds(s, e.id).includes('link_opened'), 'no link_opened');
    assert.equal(r.json.status, 'not_opened');
    assert.deepEqual(r.json.target_group.slug, 'dagpenge');
    assert.ok(r.json.target_group.name.length > 0);
    assert.equal(r.json.language, 'da');
    assert.equal(r.json.first_meeting_at, '2030-03-01T09:00:00Z');
    assert.equal(r.json.meeting_at, '2030-03-01T09:00:00Z');
    assert.equal(r.json.meeting_recorded, false);
    assert.equal(r.json.completed_at, null);
    assert.equal(r.json.declined_at, null);
    assert.match(r.headers['cache-control'], /no-store/);

    // the same facts the case system sees, for this enrolment only
    const d = await s.api('GET', `/api/v1/enrolments/${e.id}`);
    assert.equal(d.status, 200);
    assert.equal(r.json.receipt_reference, d.json.receipt_reference);
    assert.deepEqual(r.json.score, d.json.score);
    assert.deepEqual(r.json.videos, d.json.videos.map((v) => ({
      id: v.id, title: v.title, answered: v.answered, watched: v.watched,
    })));
    assert.ok(r.json.videos.length > 0);
  });

  it('with the session cookie: the first use opens the link, as on the pages', async () => {
    const e = await enrol(s);
    const b = new Browser(s);
    assert.equal((await b.get(e.link)).status, 303);
    assert.ok(!journalKinds(s, e.id).includes('link_opened'), 'fetching the link is not opening it');
    const opened = () => sqlite(s.db, `SELECT CASE WHEN opened_at IS NOT NULL THEN 1 ELSE 0 END FROM enrolments WHERE uuid = '${e.id}';`).trim();
    assert.equal(opened(), '0');
    const r = await b.get('/api/v1/me');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(journalKinds(s, e.id).filter((k) => k === 'link_opened'), ['link_opened']);
    assert.equal(r.json.status, 'opened');
    assert.equal(opened(), '1', 'opened: the statistics count it');
    const again = await b.get('/api/v1/me');
    assert.equal(again.status, 200);
    assert.deepEqual(journalKinds(s, e.id).filter((k) => k === 'link_opened'), ['link_opened'], 'once');
  });

  it('follows what the citizen did: a video answered on the pages is answered here', async () => {
    const e = await enrol(s);
    const b = new Browser(s);
    await b.follow(e.link);
    const page = await b.get('/borger/video/1');
    const form = parseForms(page.text).find((f) => f.action === '/borger/video/1' && f.method === 'post');
    const fields = [];
    const seen = new Set();
    for (const i of form.inputs) {
      if (i.name === 'csrf') fields.push(['csrf', i.value]);
      else if (/^q\d+$/.test(i.name) && !seen.has(i.name)) {
        seen.add(i.name);
        fields.push([i.name, i.value]);
      }
    }
    assert.equal((await b.post('/borger/video/1', fields)).status, 303);
    const r = await me(s, e.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'in_progress');
    assert.equal(r.json.videos[0].answered, true);
    assert.equal(r.json.videos[0].watched.page_viewed, true);
    // this server has no video files: the page showed the text version, no player
    assert.equal(r.json.videos[0].watched.observed, 'no_media');
    assert.equal(typeof r.json.videos[0].watched.text, 'string');
    assert.equal(r.json.videos[1].answered, false);
    assert.equal(r.json.score.answered, seen.size);
  });

  it('never the CPR, the name or the e-mail, and another citizen\'s token sees only their own', async () => {
    const a = await enrol(s);
    const b = await enrol(s, { target_group: 'sygedagpenge', language: 'en' });
    const ra = await me(s, a.token);
    const rb = await me(s, b.token);
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200, rb.text);
    for (const [r, e] of [[ra, a], [rb, b]]) {
      assert.ok(!r.text.includes(e.cpr), 'no CPR');
      assert.ok(!r.text.includes(`${e.cpr.slice(0, 6)}-${e.cpr.slice(6)}`), 'no CPR with a dash');
      assert.ok(!r.text.includes('Testesen'), 'no name');
      assert.ok(!r.text.includes('test@example.dk'), 'no e-mail');
      assert.ok(!r.text.includes(e.id), 'not even the enrolment id');
    }
    const da = await s.api('GET', `/api/v1/enrolments/${a.id}`);
    const db = await s.api('GET', `/api/v1/enrolments/${b.id}`);
    assert.equal(ra.json.receipt_reference, da.json.receipt_reference);
    assert.equal(rb.json.receipt_reference, db.json.receipt_reference);
    assert.notEqual(ra.json.receipt_reference, rb.json.receipt_reference);
    assert.equal(rb.json.target_group.slug, 'sygedagpenge');
    assert.equal(rb.json.language, 'en');
    assert.notEqual(rb.json.target_group.name, '');
    // English texts where the pack has them
    assert.ok(rb.json.videos.some((v, i) => v.title !== db.json.videos[i].title), 'titles in English');
  });

  it('an unknown, malformed or expired token, or none: 401 in the API error shape, nothing changed', async () => {
    const e = await enrol(s);
    sqlite(s.db, `UPDATE enrolments SET token_expires_at = 1000 WHERE uuid = '${e.id}';`);
    const before = snapshot(s);
    for (const auth of [`Bearer ${e.token}`, 'Bearer AAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer x', 'Basic Zm9vOmJhcg==']) {
      const r = await s.request('GET', '/api/v1/me', { headers: { Authorization: auth } });
      assert.equal(r.status, 401, `${auth}: ${r.text}`);
      assert.equal(r.json.error.code, 'unauthorized');
      assert.match(r.headers['www-authenticate'], /^Bearer/);
    }
    const none = await s.request('GET', '/api/v1/me');
    assert.equal(none.status, 401);
    const badCookie = await s.request('GET', '/api/v1/me', { headers: { Cookie: 'vejled_borger=AAAAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(badCookie.status, 401);
    assert.deepEqual(snapshot(s), before, 'nothing changed');
    assert.ok(!journalKinds(s, e.id).includes('link_opened'));
    // but every bearer token that did not open counted against the address's guess limit
    assert.equal(Number(sqlite(s.db, "SELECT count(*) FROM rate_events WHERE scope = 'link';").trim()), 4);
  });

  it('CORS: a listed origin may read it (also its 401), and the preflight answers', async () => {
    const e = await enrol(s);
    const r = await me(s, e.token, { Origin: APP });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.match(r.headers.vary, /Origin/);
    assert.equal(r.headers['access-control-allow-credentials'], undefined, 'no credentials mode');

    const second = await me(s, e.token, { Origin: 'http://localhost:5173' });
    assert.equal(second.headers['access-control-allow-origin'], 'http://localhost:5173');

    const denied = await me(s, undefined, { Origin: APP });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['access-control-allow-origin'], APP, 'the app can read why');

    const pre = await s.request('OPTIONS', '/api/v1/me', {
      headers: { Origin: APP, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.text, '');
    assert.equal(pre.headers['access-control-allow-origin'], APP);
    assert.equal(pre.headers['access-control-allow-methods'], 'GET');
    assert.match(pre.headers['access-control-allow-headers'], /^Authorization$/i);
    assert.match(pre.headers.allow, /GET/);
    assert.match(pre.headers.allow, /OPTIONS/);
  });

  it('CORS: any other origin gets no CORS headers; OPTIONS elsewhere is still 405', async () => {
    const e = await enrol(s);
    for (const origin of ['https://evil.example', 'https://app.kommune.dk.evil.example', 'https://APP.kommune.dk', 'null', s.origin]) {
      const r = await me(s, e.token, { Origin: origin });
      assert.equal(r.status, 200);
      assert.deepEqual(corsHeaders(r), [], origin);
      const pre = await s.request('OPTIONS', '/api/v1/me', {
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(pre.status, 204);
      assert.deepEqual(corsHeaders(pre), [], `preflight from ${origin}`);
    }
    const other = await s.request('OPTIONS', '/api/v1/stats', { headers: { Origin: APP } });
    assert.equal(other.status, 405);
    assert.deepEqual(corsHeaders(other), []);
    const page = await s.request('OPTIONS', '/borger', { headers: { Origin: APP } });
    assert.equal(page.status, 405);
  });
});

describe('GET /api/v1/me: guessing tokens', () => {
  let s;
  before(async () => {
    s = await startServer({ config: '[citizen]\ntoken_misses_per_minute = 3\n' });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('unknown tokens count against [citizen] token_misses_per_minute, like unknown links (429)', async () => {
    const e = await enrol(s);
    for (let i = 0; i < 3; i++) {
      const r = await me(s, `AAAAAAAAAAAAAAAAAAAAAAA${i}`);
      assert.equal(r.status, 401);
    }
    const r = await me(s, e.token);
    assert.equal(r.status, 429, 'blocked, even with a good token');
    assert.equal(r.json.error.code, 'too_many_requests');
    assert.equal(r.headers['retry-after'], '60');
    const link = await s.request('GET', '/v/BBBBBBBBBBBBBBBBBBBBBBBB');
    assert.equal(link.status, 429, 'the same limit as unknown links');
    const cookie = await new Browser(s).get('/api/v1/me');
    assert.equal(cookie.status, 401, 'without a token: not a guess, not limited');
  });
});

describe('[citizen] app_origins', () => {
  for (const bad of ['app.kommune.dk', 'https://app.kommune.dk/', 'https://app.kommune.dk/path', 'ftp://x.dk', '*', 'https://App.kommune.dk', 'https://x.dk:99999999']) {
    it(`refuses "${bad}" at start`, async () => {
      const s = await startServer({ start: false, apikey: false, demo: false, config: `[citizen]\napp_origins = https://ok.dk, ${bad}\n` });
      try {
        await assert.rejects(s.start(), /server exited before listening/);
        assert.notEqual(s.exit.code, 0);
        assert.match(s.stderr, /\[citizen\] app_origins: "[^"]*" is not an origin/);
      } finally {
        await s.cleanup();
      }
    });
  }
});
