// make shots: screenshots of every page, for people to look at.
//
// Starts its own server (the real binary, a temporary database with the demo, a free
// loopback port; stopped by its pid at the end), drives headless Chromium (playwright-core,
// /usr/bin/chromium, the browser tests' launch flags) through the citizen pages in every
// language of templates/lang/languages.json and through every caseworker and admin page
// (the draft editor in every content language, the forms with their errors, the staff
// error pages before and after login) in Danish and English, at 360 px and 1280 px wide,
// with JavaScript on and off, and writes full-page PNGs and an index.html to build/shots/
// (or SHOTS_DIR), and last, on a server of its own, the notices of content whose validity
// ended.  SHOTS_ONLY=staff, SHOTS_ONLY=citizen or SHOTS_ONLY=validity takes one part only;
// SHOTS_LANGS=da,ar the citizen pages in those languages only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, enrolBody, freshCpr, FULL_CHROMIUM, launch, sqlite, startServer } from '../tests/browser/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.resolve(process.env.SHOTS_DIR || path.join(ROOT, 'build', 'shots'));
// SHOTS_LANGS=da,ar: the citizen pages in those languages only
const LANGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8'))
  .filter((l) => !process.env.SHOTS_LANGS || process.env.SHOTS_LANGS.split(',').includes(l.code));
const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const WIDTHS = [360, 1280];
const PASSWORD = 'demo-vejled-2026';
const MEDIA = path.join(ROOT, 'var', 'media');

const shots = [];

async function shoot(page, meta) {
  const name = [meta.area, meta.page, meta.lang, `${meta.width}`, meta.js ? 'js' : 'nojs'].join('-');
  const file = `${name}.png`;
  await page.screenshot({ path: path.join(OUT, file), fullPage: !meta.viewport });
  shots.push({ ...meta, file, title: await page.title(), url: new URL(page.url()).pathname });
}

async function enrol(server, language, { full = false } = {}) {
  const res = await server.api('POST', '/api/v1/enrolments', {
    body: enrolBody(freshCpr(), { language, target_group: 'dagpenge' }),
  });
  if (res.status !== 201) throw new Error(`enrolment failed: ${res.status} ${res.text}`);
  return full ? { ...res.json, path: new URL(res.json.link).pathname } : new URL(res.json.link).pathname;
}

/** Records the enrolment's first meeting as held yesterday (begun the day before). */
async function meetingHeld(server, id) {
  const day = 86400_000;
  const begun = Math.floor((Date.now() - 2 * day) / 1000);
  sqlite(server.db, `UPDATE enrolments SET created_at = ${begun} WHERE uuid = '${id}';
    UPDATE stats_enrolment SET created_at = ${begun} WHERE enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${id}');`);
  const held = new Date(Date.now() - day).toISOString().replace(/\.\d+Z$/, 'Z');
  const r = await server.api('POST', `/api/v1/enrolments/${id}/meeting`, { body: { held_at: held, oral_guidance: true } });
  if (r.status !== 200) throw new Error(`meeting: ${r.status} ${r.text}`);
}

/** Ticks answers on the video page n (1-based): right ones, or the first option. */
async function tick(page, n, { right = true } = {}) {
  const video = PACK.videos[n - 1];
  for (const [qi, q] of video.questions.entries()) {
    const inputs = page.locator('fieldset').nth(qi).locator('input');
    const pick = right ? q.options.map((o, i) => (o.correct ? i : -1)).filter((i) => i >= 0) : [0];
    for (const i of pick) await inputs.nth(i).check();
  }
}

async function submit(page) {
  await Promise.all([page.waitForLoadState('load'), page.locator('form.vejled-answers button[type=submit]').click()]);
}

async function citizen(server, browser, lang, width, js) {
  const ctx = await browser.newContext({
    javaScriptEnabled: js, viewport: { width, height: 800 }, locale: lang,
  });
  const page = await ctx.newPage();
  const meta = { area: 'citizen', lang, width, js };
  try {
    // a citizen on the way
    await page.goto(server.base + await enrol(server, lang));
    await shoot(page, { ...meta, page: '01-overview' });
    await page.goto(`${server.base}/borger/video/1`);
    await shoot(page, { ...meta, page: '02-video' });
    await submit(page);
    await shoot(page, { ...meta, page: '03-video-errors' });
    // the screen as it is when the summary is jumped to from the bottom of the page
    await page.evaluate(() => { window.scrollTo(0, document.body.scrollHeight); location.hash = '#error-summary'; });
    await shoot(page, { ...meta, page: '03b-video-errors-summary-in-view', viewport: true });
    await page.evaluate(() => { history.replaceState(null, '', location.pathname); window.scrollTo(0, 0); });
    await tick(page, 1, { right: false });
    await page.locator('.vejled-ask input').first().check();
    await submit(page);
    await shoot(page, { ...meta, page: '04-feedback-some-wrong' });
    await page.goto(`${server.base}/borger`);
    await shoot(page, { ...meta, page: '05-overview-started' });
    await page.goto(`${server.base}/borger/fravalg`);
    await shoot(page, { ...meta, page: '06-decline' });
    await page.goto(`${server.base}/borger/kvittering`);
    await shoot(page, { ...meta, page: '07-receipt-in-progress' });
    await page.goto(`${server.base}/borger/findes-ikke`);
    await shoot(page, { ...meta, page: '08-error-404-session' });
    // a citizen who answers everything right
    await page.goto(server.base + await enrol(server, lang));
    for (let n = 1; n <= PACK.videos.length; n++) {
      await page.goto(`${server.base}/borger/video/${n}`);
      await tick(page, n);
      await submit(page);
    }
    await shoot(page, { ...meta, page: '09-feedback-all-right' });
    await page.goto(`${server.base}/borger/kvittering`);
    await shoot(page, { ...meta, page: '10-receipt-completed' });
    // a citizen who would rather hear it at the meeting
    await page.goto(server.base + await enrol(server, lang));
    await page.goto(`${server.base}/borger/fravalg`);
    await Promise.all([page.waitForLoadState('load'), page.locator('main form button[type=submit]').click()]);
    await shoot(page, { ...meta, page: '11-receipt-declined' });
    await page.goto(`${server.base}/borger`);
    await shoot(page, { ...meta, page: '12-overview-declined' });
    // a citizen whose first meeting has been held, one video answered
    const held = await enrol(server, lang, { full: true });
    await page.goto(server.base + held.path);
    await page.goto(`${server.base}/borger/video/1`);
    await tick(page, 1);
    await submit(page);
    await meetingHeld(server, held.enrolment_id);
    await page.goto(`${server.base}/borger`);
    await shoot(page, { ...meta, page: '15-overview-after-meeting' });
    await page.goto(`${server.base}/borger/kvittering`);
    await shoot(page, { ...meta, page: '16-receipt-after-meeting' });
    await page.goto(`${server.base}/borger/fravalg`);
    await shoot(page, { ...meta, page: '17-decline-after-meeting' });
  } finally {
    await ctx.close();
  }
  // no session: the browser's language decides
  const anon = await browser.newContext({
    javaScriptEnabled: js, viewport: { width, height: 800 }, locale: lang,
    extraHTTPHeaders: { 'Accept-Language': `${lang};q=1` },
  });
  try {
    const p = await anon.newPage();
    await p.goto(`${server.base}/`);
    await shoot(p, { ...meta, page: '00-home' });
    await p.goto(`${server.base}/v/denne-side-findes-ikke-1234`);
    await shoot(p, { ...meta, page: '13-error-404-link' });
    await p.goto(`${server.base}/borger`);
    await shoot(p, { ...meta, page: '14-error-403-no-session' });
    // a link replaced by a new one
    const old = await enrol(server, lang, { full: true });
    const n = await server.api('POST', `/api/v1/enrolments/${old.enrolment_id}/link`);
    if (n.status !== 201) throw new Error(`new link: ${n.status} ${n.text}`);
    await p.goto(`${server.base}${old.path}`);
    await shoot(p, { ...meta, page: '18-error-410-link' });
    // the link of an enrolment the case system closed (the citizen found work)
    const ended = await enrol(server, lang, { full: true });
    const closed = await server.api('POST', `/api/v1/enrolments/${ended.enrolment_id}/close`, { body: { reason: 'job' } });
    if (closed.status !== 200) throw new Error(`close: ${closed.status} ${closed.text}`);
    await p.goto(`${server.base}${ended.path}`);
    await shoot(p, { ...meta, page: '19-error-410-closed' });
  } finally {
    await anon.close();
  }
}

const STAFF_LANGS = ['da', 'en'];

/** Logs in on the login page (in whatever language it is); leaves the page where it lands. */
async function staffLogin(page, server, user, lang) {
  await page.goto(`${server.base}/medarbejder/login?sprog=${lang}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/login')),
    page.locator('form[action="/medarbejder/login"] button[type=submit]').click(),
  ]);
}

async function staffLogout(page) {
  const logout = page.locator('form.vejled-logout button');
  if (await logout.count()) await Promise.all([page.waitForLoadState('load'), logout.click()]);
}

/** The group's draft (made from its published version when it has none). */
async function draftOf(page, server, slug) {
  await page.goto(`${server.base}/admin/pakker`);
  const edit = page.locator(`section[aria-labelledby="g-${slug}"] a[href^="/admin/pakke/"]:not([href$="/vis"])`);
  if (await edit.count()) return (await edit.first().getAttribute('href')).split('/').pop();
  await Promise.all([
    page.waitForURL(/\/admin\/pakke\/\d+$/),
    page.locator(`form[action="/admin/pakker/${slug}/kladde"] button`).click(),
  ]);
  return new URL(page.url()).pathname.split('/').pop();
}

/** Every caseworker and administrator page, and the staff error pages, in lang. */
async function staff(server, browser, width, js, lang) {
  const ctx = await browser.newContext({
    javaScriptEnabled: js, viewport: { width, height: 800 }, locale: lang,
    extraHTTPHeaders: { 'Accept-Language': `${lang};q=1` },
  });
  const page = await ctx.newPage();
  const meta = { lang, width, js };
  const at = async (area, name, url) => {
    if (url) await page.goto(server.base + url);
    await shoot(page, { ...meta, area, page: name });
  };
  try {
    // before login: the login page (by the browser's language), its errors, error pages
    await at('staff', '01-login', '/medarbejder/login');
    await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/medarbejder/login"] button[type=submit]').click()]);
    await at('staff', '01-login-errors');
    await at('staff', '20-error-404-no-session', '/medarbejder/findes-ikke');
    // a form whose token no longer holds (the login token cookie is gone)
    await page.goto(`${server.base}/medarbejder/login`);
    await ctx.clearCookies();
    await page.locator('#username').fill('cw1');
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/medarbejder/login"] button[type=submit]').click()]);
    await at('staff', '21-error-403-form');

    // the caseworker
    await staffLogin(page, server, 'cw1', lang);
    await at('staff', '02-citizens', '/medarbejder/borgere');
    await at('staff', '02-citizens-filtered', '/medarbejder/borgere?status=not_opened&fra=2026-13-40');
    await page.goto(`${server.base}/medarbejder/borgere`);
    const first = page.locator('main a[href^="/medarbejder/borger/"]').first();
    let citizenUrl = null;
    if (await first.count()) {
      citizenUrl = await first.getAttribute('href');
      await at('staff', '03-citizen', citizenUrl);
      const meeting = page.locator('main a[href*="/moede?forloeb="]').first();
      if (await meeting.count()) {
        await at('staff', '05-meeting', await meeting.getAttribute('href'));
        await Promise.all([page.waitForLoadState('load'), page.locator('main form.vejled-form button[type=submit]').first().click()]);
        await at('staff', '05-meeting-errors');
      }
    }
    await at('staff', '04-training', '/medarbejder/traening');
    await at('staff', '04-training-group', '/medarbejder/traening/dagpenge');
    await at('staff', '04-training-video', '/medarbejder/traening/dagpenge/1');
    await at('staff', '22-error-404', '/medarbejder/borger/00000000-0000-4000-8000-000000000000');
    await at('staff', '23-error-403-admin-only', '/admin');
    await staffLogout(page);

    // the administrator
    await staffLogin(page, server, 'admin', lang);
    await at('admin', '01-home', '/admin');
    await at('admin', '02-users', '/admin/brugere');
    // a new account named as the journal names the citizen: refused with its own message
    await page.locator('form[action="/admin/brugere"] #username').fill('citizen');
    await page.locator('form[action="/admin/brugere"] #password').fill('a long enough password');
    await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/admin/brugere"] button[type=submit]').click()]);
    await at('admin', '02-users-errors');
    await at('admin', '02-user-edit', '/admin/brugere/2');
    await at('admin', '03-units', '/admin/enheder');
    await at('admin', '04-groups', '/admin/grupper');
    // the new group's form sent empty: refused, each field named
    await Promise.all([page.waitForLoadState('load'), page.locator('form[action="/admin/grupper"] button[type=submit]').click()]);
    await at('admin', '04-groups-errors');
    await at('admin', '05-keys', '/admin/noegler');
    await at('admin', '06-packs', '/admin/pakker');
    const id = await draftOf(page, server, 'dagpenge');
    await at('admin', '07-draft', `/admin/pakke/${id}`);
    await at('admin', '08-video', `/admin/pakke/${id}/video/1`);
    // a title one character over its limit, in letters of two bytes: refused, the limit named
    const videoForm = `form[action="/admin/pakke/${id}/video/1"]`;
    await page.locator(`${videoForm} #title_da`).fill('ø'.repeat(201));
    await Promise.all([page.waitForLoadState('load'), page.locator(`${videoForm} button[type=submit]`).first().click()]);
    await at('admin', '08-video-errors');
    await at('admin', '09-lang-ar', `/admin/pakke/${id}/sprog/ar`);
    await at('admin', '09-lang-ar-video', `/admin/pakke/${id}/sprog/ar/video/1`);
    // an edit in Arabic, so that the publish confirmation has a change to show
    await page.locator('#title').fill('يجب أن تكون متاحًا للعمل (مراجعة)');
    await Promise.all([page.waitForLoadState('load'), page.locator('form.vejled-tr-form button[type=submit]').click()]);
    await at('admin', '09-lang-uk-video', `/admin/pakke/${id}/sprog/uk/video/2`);
    await at('admin', '10-add-video', `/admin/pakke/${id}/video/ny`);
    await at('admin', '10-add-question', `/admin/pakke/${id}/video/1/spoergsmaal/ny`);
    await at('admin', '10-add-option', `/admin/pakke/${id}/video/1/spoergsmaal/1/svar/ny`);
    await at('admin', '11-preview', `/admin/pakke/${id}/vis/1`);
    await page.goto(`${server.base}/admin/pakke/${id}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#publish button[type=submit]').click()]);
    await at('admin', '12-publish-confirm');
    // new rules from a later day: the confirmation offers that day; planned, the list and
    // the draft say so (the plan is taken away again, so that every run starts alike)
    const later = new Date(Date.now() + 25 * 86_400_000).toISOString().slice(0, 10);
    const packForm = `form.vejled-form[action="/admin/pakke/${id}"]`;
    await page.goto(`${server.base}/admin/pakke/${id}`);
    await page.locator(`${packForm} #valid_from`).fill(later);
    await Promise.all([page.waitForLoadState('load'), page.locator(`${packForm} button[type=submit]`).click()]);
    await Promise.all([page.waitForLoadState('load'), page.locator('#publish button[type=submit]').click()]);
    await at('admin', '12-publish-plan');
    // its group switched off for the while (as a new group is): the switch is offered,
    // ticked, and the plan says so on the lists and the groups page
    const group = `(SELECT group_id FROM packs WHERE id = ${id})`;
    sqlite(server.db, `UPDATE target_groups SET enabled = 0 WHERE id = ${group}`);
    await page.goto(`${server.base}/admin/pakke/${id}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#publish button[type=submit]').click()]);
    await page.locator('#slaa_til').check();
    await at('admin', '12-publish-plan-switch');
    await Promise.all([page.waitForLoadState('load'), page.locator('button[name=when][value=planlagt]').click()]);
    await at('admin', '12-packs-planned');
    await at('admin', '12-draft-planned', `/admin/pakke/${id}`);
    await at('admin', '12-groups-switch-planned', '/admin/grupper');
    // a correction while the plan waits: a draft of its own, which says that the planned
    // version does not get it; deleted again, so that the pages after are as before
    await page.goto(`${server.base}/admin/pakker`);
    await Promise.all([
      page.waitForURL(/\/admin\/pakke\/\d+$/),
      page.locator('form[action="/admin/pakker/dagpenge/kladde"] button').click(),
    ]);
    const fix = new URL(page.url()).pathname.split('/').pop();
    await at('admin', '12-correction-draft');
    await Promise.all([page.waitForLoadState('load'), page.locator('#discard button[type=submit]').click()]);
    await Promise.all([page.waitForLoadState('load'), page.locator(`form[action="/admin/pakke/${fix}/slet"] button.button-primary`).click()]);
    // deleting the draft: its confirmation (not confirmed here)
    await page.goto(`${server.base}/admin/pakke/${id}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#discard button[type=submit]').click()]);
    await at('admin', '12-discard-confirm');
    await page.goto(`${server.base}/admin/pakke/${id}`);
    await Promise.all([page.waitForLoadState('load'), page.locator(`#plan-${id} button[type=submit]`).click()]);
    sqlite(server.db, `UPDATE target_groups SET enabled = 1 WHERE id = ${group}`);
    // a letter that failed for good: the start page's notice and the list to send it again
    sqlite(server.db, `UPDATE jobs SET state = 'failed', attempts = 8, finished_at = next_attempt_at,
    last_error = 'smtp: could not connect to the mail server' WHERE id = (SELECT min(j.id) FROM jobs j
    JOIN enrolments e ON e.id = j.enrolment_id WHERE j.kind = 'send_written_guidance' AND e.closed_at IS NULL)`);
    // the case system refusing the journal: the first entry owed, five attempts made
    const nowS = Math.floor(Date.now() / 1000);
    sqlite(server.db, `INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, state, attempts, next_attempt_at,
      last_error, created_at, ref) VALUES ('deliver_journal', NULL, 'deliver_journal:1', ${nowS - 7200}, 'pending', 5,
      ${nowS + 1800}, 'webhook: HTTP 503', ${nowS - 7200}, 1) ON CONFLICT(unique_key) DO NOTHING`);
    await at('admin', '16-home-letters-failed', '/admin');
    await at('admin', '16-letters', '/admin/breve');
    await at('admin', '13-stats', '/admin/statistik');
    await at('admin', '13-stats-question', '/admin/statistik/spoergsmaal/1');
    if (citizenUrl) await at('admin', '14-access-log', citizenUrl.replace('/medarbejder/borger/', '/admin/adgangslog/'));
    await at('admin', '15-error-404', '/admin/pakke/999999');
    // the citizens list as someone who is not their caseworker: whose citizen each is
    await at('admin', '17-citizens', '/medarbejder/borgere');
    // an enrolment the case system closed (the citizen found work): the record says why
    // (a citizen of its own, off the open lists once closed)
    const left = await server.api('POST', '/api/v1/enrolments', {
      body: enrolBody(freshCpr(), { caseworker: 'cw1', target_group: 'dagpenge' }),
    });
    if (left.status !== 201) throw new Error(`enrolment failed: ${left.status} ${left.text}`);
    const closed = await server.api('POST', `/api/v1/enrolments/${left.json.enrolment_id}/close`, { body: { reason: 'job' } });
    if (closed.status !== 200) throw new Error(`close failed: ${closed.status} ${closed.text}`);
    await at('admin', '18-citizen-closed', `/medarbejder/borger/${left.json.citizen_id}`);
    await staffLogout(page);
  } finally {
    await ctx.close();
  }
}

/** Content whose validity ended yesterday, on a server of its own (its demo folder a copy
 * with dagpenge's last day moved): the citizen's notices in Danish and Arabic, and the
 * administrator's list of content to review in Danish and English, JavaScript on. */
async function validity(browser, media) {
  const server = await startServer({ config: `${media || '[content]\n'}demo_dir = {dir}/demo\n` });
  try {
    const demo = path.join(server.dir, 'demo');
    fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());
    const pack = structuredClone(PACK);
    pack.valid_to = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    fs.writeFileSync(path.join(demo, 'packs', 'dagpenge.json'), JSON.stringify(pack));
    const r = cli(['demo', '--db', server.db, '--config', server.configFile]);
    if (r.status !== 0) throw new Error(`vejled demo: ${r.stderr}`);
    for (const width of WIDTHS) {
      for (const lang of ['da', 'ar']) {
        const ctx = await browser.newContext({ viewport: { width, height: 800 }, locale: lang });
        const page = await ctx.newPage();
        const meta = { area: 'citizen', lang, width, js: true };
        try {
          await page.goto(server.base + await enrol(server, lang));
          await shoot(page, { ...meta, page: '10-validity-ended-overview' });
          await page.goto(`${server.base}/borger/video/1`);
          await shoot(page, { ...meta, page: '10-validity-ended-video' });
        } finally {
          await ctx.close();
        }
      }
      for (const lang of STAFF_LANGS) {
        const ctx = await browser.newContext({
          viewport: { width, height: 800 }, locale: lang, extraHTTPHeaders: { 'Accept-Language': `${lang};q=1` },
        });
        const page = await ctx.newPage();
        try {
          await staffLogin(page, server, 'admin', lang);
          await page.goto(`${server.base}/admin`);
          await shoot(page, { area: 'admin', page: '16-review', lang, width, js: true });
          await page.goto(`${server.base}/admin/pakker`);
          await shoot(page, { area: 'admin', page: '16-review-packs', lang, width, js: true });
        } finally {
          await ctx.close();
        }
      }
    }
  } finally {
    await server.stop();
    await server.cleanup();
  }
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}

function index() {
  const groups = new Map();
  for (const s of shots) {
    const key = `${s.area} · ${s.page}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  let html = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>vejled screenshots</title>'
    + '<style>body{font:16px system-ui,sans-serif;margin:1rem}figure{display:inline-block;vertical-align:top;'
    + 'margin:0 1rem 1rem 0}img{border:1px solid #ccc;display:block}figcaption{font-size:14px}</style></head><body>'
    + `<h1>vejled screenshots</h1><p>${shots.length} pages, taken ${esc(new Date().toISOString())}.</p>`;
  for (const [key, list] of groups) {
    html += `<h2>${esc(key)}</h2><p>${esc(list[0].url)}</p>`;
    for (const s of list) {
      const w = s.width === 360 ? 180 : 320;
      html += `<figure><a href="${esc(s.file)}"><img src="${esc(s.file)}" width="${w}" alt="${esc(s.title)}" loading="lazy"></a>`
        + `<figcaption>${esc(s.lang)} · ${s.width}px · JS ${s.js ? 'on' : 'off'}<br>${esc(s.title)}</figcaption></figure>`;
    }
  }
  fs.writeFileSync(path.join(OUT, 'index.html'), html + '</body></html>\n');
}

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const media = fs.existsSync(MEDIA) ? `[content]\nmedia_dir = ${MEDIA}\n` : '';
  // every language and width opens unknown, replaced and closed links from this one
  // address: more than the guard's default lets through in a minute
  const server = await startServer({ config: `${media}[citizen]\ntoken_misses_per_minute = 10000\n` });
  let browser;
  try {
    browser = await launch(process.env.CHROMIUM || FULL_CHROMIUM);
    for (const { code } of ['staff', 'validity'].includes(process.env.SHOTS_ONLY) ? [] : LANGS) {
      for (const width of WIDTHS) {
        for (const js of [true, false]) await citizen(server, browser, code, width, js);
      }
    }
    for (const lang of ['citizen', 'validity'].includes(process.env.SHOTS_ONLY) ? [] : STAFF_LANGS) {
      for (const width of WIDTHS) {
        for (const js of [true, false]) await staff(server, browser, width, js, lang);
      }
    }
    if (['', 'validity'].includes(process.env.SHOTS_ONLY || '')) await validity(browser, media);
    index();
    console.log(`${shots.length} screenshots in ${OUT}/index.html`);
  } finally {
    if (browser) await browser.close();
    await server.stop();
    await server.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
