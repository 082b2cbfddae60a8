// The staff pages as a person sees them (headless Chromium): type large enough to read,
// no sideways scrolling on a phone, the dashboard's headline figures on the first screen
// and its table within the page, the English switch, and axe-core's WCAG 2.1 A/AA audit
// of every staff and administrator page — in Danish and in English, JavaScript off and on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertAccessible, assertFitsWidth, closeAll, enrolBody, freshCpr, launch, newContext, PHONE, sqlite, startServer,
} from './harness.mjs';
import { citizenAnswers, enrolCitizen } from '../http/staffkit.mjs';

const PASSWORD = 'demo-vejled-2026';
const DESKTOP = { width: 1280, height: 800 };

let server;
let browser;
let citizen;
let draftId;

before(async () => {
  server = await startServer();
  for (let i = 0; i < 6; i++) {
    const r = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
  }
  citizen = await enrolCitizen(server, { caseworker: 'cw1' }, 'Vera Visningsen');
  await citizenAnswers(server, citizen);
  // a letter that failed for good, for the administrator's list of letters to send again
  sqlite(server.db, `UPDATE jobs SET state = 'failed', attempts = 8, finished_at = next_attempt_at,
    last_error = 'smtp: could not connect to the mail server' WHERE id = (SELECT min(j.id) FROM jobs j
    JOIN enrolments e ON e.id = j.enrolment_id WHERE j.kind = 'send_written_guidance' AND e.closed_at IS NULL)`);
  assert.equal(sqlite(server.db, "SELECT count(*) FROM jobs WHERE state = 'failed'").trim(), '1');
  browser = await launch();
});

after(() => closeAll(browser, server));

async function login(view, username) {
  await view.page.goto(`${server.base}/medarbejder/login`);
  await view.page.locator('#username').fill(username);
  await view.page.locator('#password').fill(PASSWORD);
  await Promise.all([
    view.page.waitForURL((u) => !u.pathname.endsWith('/login')),
    view.page.locator('form[action="/medarbejder/login"] button[type=submit]').click(),
  ]);
}

/** The computed font size in px of the first element matching selector. */
async function fontSize(page, selector) {
  const loc = page.locator(selector).first();
  assert.ok(await loc.count(), `the page has ${selector}`);
  return loc.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
}

describe('type and layout', () => {
  test('body text and the links of lists are at least 16 px on staff pages', async () => {
    const view = await newContext(browser, { js: true, viewport: DESKTOP });
    try {
      await login(view, 'admin');
      const checks = [
        ['/medarbejder/borgere', ['body', 'main p', '.vejled-caseload td', '.vejled-caseload a', '.vejled-staff-links a', '.vejled-site', '.vejled-filters > summary']],
        [`/medarbejder/borger/${citizen.citizen_id}`, ['body', 'main p', 'main dd']],
        ['/admin', ['body', '.vejled-admin-menu a']],
        ['/admin/brugere', ['body', 'main table td a']],
        ['/admin/statistik', ['body', '.vejled-card-label', '.vejled-card-note', '#stats-summary td', '#stats-summary th', '.vejled-stats-details > summary']],
      ];
      for (const [path, selectors] of checks) {
        await view.page.goto(server.base + path);
        for (const sel of selectors) {
          const px = await fontSize(view.page, sel);
          assert.ok(px >= 16, `${path} ${sel}: ${px}px`);
        }
      }
      // the dashboard's figures are large, not 20 px
      assert.ok(await fontSize(view.page, '.vejled-card-value') >= 28);
    } finally {
      await view.ctx.close();
    }
  });

  test('the staff menu is one line at 1280 px', async () => {
    const view = await newContext(browser, { js: true, viewport: DESKTOP });
    try {
      await login(view, 'admin');
      const box = await view.page.locator('.vejled-header').boundingBox();
      assert.ok(box.height <= 90, `the header is ${box.height}px high`);
      const tops = await view.page.locator('.vejled-staff-links a').evaluateAll((as) => as.map((a) => Math.round(a.getBoundingClientRect().top)));
      assert.equal(new Set(tops).size, 1, `the menu links share one line: ${tops}`);
    } finally {
      await view.ctx.close();
    }
  });

  test('no sideways scrolling at 360 px: the list (as cards, status and score visible), a citizen, the dashboard', async () => {
    const view = await newContext(browser, { js: false, viewport: PHONE });
    try {
      await login(view, 'admin');
      await view.page.goto(`${server.base}/medarbejder/borgere`);
      await assertFitsWidth(view, 'the list on a phone');
      const row = view.page.locator('.vejled-caseload tbody tr').filter({ hasText: 'Vera Visningsen' });
      for (const label of ['Status', 'Svar']) {
        const cell = row.locator(`td[data-label="${label}"]`);
        const b = await cell.boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= PHONE.width, `${label} is on the screen: ${JSON.stringify(b)}`);
        assert.ok((await cell.innerText()).length > 0);
      }
      assert.match(await row.innerText(), /\d+ af \d+ svar rigtige/);
      await view.page.goto(`${server.base}/medarbejder/borger/${citizen.citizen_id}`);
      await assertFitsWidth(view, 'a citizen on a phone');
      await view.page.goto(`${server.base}/admin/statistik`);
      await assertFitsWidth(view, 'the dashboard on a phone');
    } finally {
      await view.ctx.close();
    }
  });

  test("the dashboard at 1280 × 800: the headline cards on the first screen, the group table within the page", async () => {
    const view = await newContext(browser, { js: true, viewport: DESKTOP });
    try {
      await login(view, 'admin');
      await view.page.goto(`${server.base}/admin/statistik`);
      const cards = view.page.locator('#stats-cards > li');
      assert.equal(await cards.count(), 5);
      const box = await view.page.locator('#stats-cards').boundingBox();
      assert.ok(box.y + box.height <= 800, `the cards end at ${box.y + box.height}px`);
      const labels = await cards.locator('.vejled-card-label').allInnerTexts();
      assert.deepEqual(labels, ['Tilmeldt', 'Andel åbnet', 'Andel gennemført', 'Andel korrekt vejledt', 'Minutter sparet (anslået)']);
      // no bare dash: a figure without data says so
      const values = await cards.locator('.vejled-card-value').allInnerTexts();
      for (const v of values) assert.ok(v.trim() !== '–' && v.trim() !== '', `a card value: "${v}"`);
      assert.match(await cards.nth(3).innerText(), /Ingen data i perioden|Skjult \(under 5\)|%/);
      const table = view.page.locator('#stats-summary');
      const t = await table.boundingBox();
      assert.ok(t.x >= 0 && t.x + t.width <= DESKTOP.width, `the table is ${t.width}px wide at x ${t.x}`);
      const region = await table.evaluate((e) => { const r = e.parentElement; return [r.scrollWidth, r.clientWidth]; });
      assert.ok(region[0] <= region[1], `the table does not scroll sideways: ${region}`);
      await assertFitsWidth(view, 'the dashboard at 1280');
      // names, never slugs
      const main = await view.page.locator('main').innerText();
      assert.doesNotMatch(main, /kontanthjaelp-|uddannelseshjaelp|jobafklaring\b/);
      // "I alt" set apart
      const weight = await view.page.locator('#stats-summary tr[data-key="total"] th').evaluate((e) => getComputedStyle(e).fontWeight);
      assert.ok(Number(weight) >= 700);
    } finally {
      await view.ctx.close();
    }
  });
});

for (const js of [false, true]) {
  describe(`the English switch, JavaScript ${js ? 'on' : 'off'}`, () => {
    test('switches the staff pages to English for the session, and back', async () => {
      const view = await newContext(browser, { js, viewport: DESKTOP });
      try {
        await login(view, 'cw1');
        await view.page.getByRole('button', { name: 'English' }).click();
        await view.page.getByRole('heading', { level: 1, name: 'My citizens' }).waitFor();
        assert.equal(await view.page.locator('html').getAttribute('lang'), 'en');
        await view.page.goto(`${server.base}/medarbejder/traening`);
        assert.equal(await view.page.locator('html').getAttribute('lang'), 'en', 'the choice holds on the next page');
        await view.page.getByRole('button', { name: 'Dansk' }).click();
        await view.page.waitForURL('**/medarbejder/traening');
        assert.equal(await view.page.locator('html').getAttribute('lang'), 'da');
      } finally {
        await view.ctx.close();
      }
    });
  });
}

/* Every staff and administrator page, as the given user. */
function pages() {
  return [
    ['cw1', '/medarbejder/borgere'],
    ['cw1', '/medarbejder/borgere?status=in_progress'],
    ['cw1', `/medarbejder/borger/${citizen.citizen_id}`],
    ['cw1', `/medarbejder/borger/${citizen.citizen_id}/moede?forloeb=${citizen.enrolment_id}`],
    ['cw1', '/medarbejder/traening'],
    ['cw1', '/medarbejder/traening/dagpenge'],
    ['cw1', '/medarbejder/traening/dagpenge/1'],
    ['admin', '/admin'],
    ['admin', '/admin/brugere'],
    ['admin', '/admin/brugere/1'],
    ['admin', '/admin/enheder'],
    ['admin', '/admin/noegler'],
    ['admin', '/admin/grupper'],
    ['admin', '/admin/pakker'],
    ['admin', '/admin/statistik'],
    ['admin', '/admin/statistik/spoergsmaal/1'],
    ['admin', '/admin/breve'],
    ['admin', `/admin/adgangslog/${citizen.citizen_id}`],
    ['admin', () => `/admin/pakke/${draftId}`],
    ['admin', () => `/admin/pakke/${draftId}/video/1`],
    ['admin', () => `/admin/pakke/${draftId}/vis/1`],
    ['admin', () => `/admin/pakke/${draftId}/sprog/ar`],
    ['admin', () => `/admin/pakke/${draftId}/sprog/ar/video/1`],
    ['admin', () => `/admin/pakke/${draftId}/sprog/uk/video/2`],
    ['admin', () => `/admin/pakke/${draftId}/video/ny`],
    ['admin', () => `/admin/pakke/${draftId}/video/1/spoergsmaal/ny`],
    ['admin', () => `/admin/pakke/${draftId}/video/1/spoergsmaal/1/svar/ny`],
  ];
}

/* The staff pages before login and the staff error pages: [path, status]. */
const SESSIONLESS = [
  ['/medarbejder/login', 200],
  ['/medarbejder/findes-ikke', 404],
  ['/admin/findes/ikke', 404],
];
/* Error pages after login: [user, path, status]. */
const STAFF_ERRORS = [
  ['cw1', '/admin', 403],
  ['cw1', '/medarbejder/borger/00000000-0000-4000-8000-000000000000', 404],
  ['admin', '/admin/pakke/999999', 404],
];

/** The group's draft (made by the admin view when there is none). */
async function ensureDraft(view) {
  if (draftId) return;
  const r = sqlite(server.db, "SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'dagpenge' AND p.state = 'draft'").trim();
  if (r) {
    draftId = Number(r);
    return;
  }
  await view.page.goto(`${server.base}/admin/pakker`);
  await view.page.locator('form[action="/admin/pakker/dagpenge/kladde"] button').click();
  await view.page.waitForURL(/\/admin\/pakke\/\d+$/);
  draftId = Number(/\/admin\/pakke\/(\d+)$/.exec(view.page.url())[1]);
}

for (const lang of ['da', 'en']) {
  describe(`every staff page at 360 px, ${lang}: no sideways scrolling`, () => {
    test('logged in, before login, and the error pages', async () => {
      const views = {};
      try {
        for (const user of ['cw1', 'admin']) {
          views[user] = await newContext(browser, { js: false, viewport: PHONE, locale: lang === 'en' ? 'en-GB' : 'da-DK' });
          await login(views[user], user);
          if (lang === 'en' && await views[user].page.locator('html').getAttribute('lang') !== 'en') {
            await views[user].page.getByRole('button', { name: 'English' }).click();
            await views[user].page.waitForLoadState();
          }
        }
        await ensureDraft(views.admin);
        for (const [user, p] of pages()) {
          const path = typeof p === 'function' ? p() : p;
          const res = await views[user].page.goto(server.base + path);
          assert.equal(res.status(), 200, path);
          assert.equal(await views[user].page.locator('html').getAttribute('lang'), lang, path);
          await assertFitsWidth(views[user], `${path} (${lang}) at 360 px`);
        }
        for (const [user, path, status] of STAFF_ERRORS) {
          const res = await views[user].page.goto(server.base + path);
          assert.equal(res.status(), status, path);
          assert.equal(await views[user].page.locator('html').getAttribute('lang'), lang, path);
          await assertFitsWidth(views[user], `${path} (${lang}) at 360 px`);
          await assertAccessible(views[user], `${path} (${lang})`);
        }
        // before login: the browser's language decides
        const anon = await newContext(browser, { js: false, viewport: PHONE, locale: lang === 'en' ? 'en-GB' : 'da-DK' });
        try {
          for (const [path, status] of SESSIONLESS) {
            const res = await anon.page.goto(server.base + path);
            assert.equal(res.status(), status, path);
            assert.equal(await anon.page.locator('html').getAttribute('lang'), lang, path);
            await assertFitsWidth(anon, `${path} (${lang}, no session) at 360 px`);
            await assertAccessible(anon, `${path} (${lang}, no session)`);
          }
          // the login form with errors, in the same language
          await anon.page.goto(`${server.base}/medarbejder/login`);
          await anon.page.locator('form[action="/medarbejder/login"] button[type=submit]').click();
          await anon.page.locator('#error-summary').waitFor();
          assert.equal(await anon.page.locator('html').getAttribute('lang'), lang);
          await assertFitsWidth(anon, `login with errors (${lang}) at 360 px`);
          await assertAccessible(anon, `login with errors (${lang})`);
          anon.problems.length = 0; // the 404s and the 422 were asked for
        } finally {
          await anon.ctx.close();
        }
        for (const v of Object.values(views)) v.problems.length = 0; // the 403/404s were asked for
      } finally {
        for (const v of Object.values(views)) await v.ctx.close();
      }
    });
  });
}

describe('the draft editor in a right-to-left language', () => {
  test('every Arabic field is right-to-left and marked Arabic; the Danish text beside it is left-to-right', async () => {
    const view = await newContext(browser, { js: true, viewport: DESKTOP });
    try {
      await login(view, 'admin');
      await ensureDraft(view);
      await view.page.goto(`${server.base}/admin/pakke/${draftId}/sprog/ar/video/1`);
      const controls = view.page.locator('form.vejled-tr-form :is(input[type=text], textarea)');
      const n = await controls.count();
      assert.ok(n >= 10, `${n} fields`);
      const seen = await controls.evaluateAll((els) => els.map((e) => [e.name, e.lang, getComputedStyle(e).direction]));
      for (const [name, l, dir] of seen) {
        assert.equal(l, 'ar', `${name} lang`);
        assert.equal(dir, 'rtl', `${name} direction`);
      }
      const danish = await view.page.locator('.vejled-tr-danish [lang=da], .vejled-tr-danish[lang=da]').evaluateAll((els) => els.map((e) => getComputedStyle(e).direction));
      assert.ok(danish.length > 0 && danish.every((d) => d === 'ltr'), `the Danish texts: ${danish}`);
      // typing Arabic and saving keeps it (without JavaScript-only help)
      await view.page.locator('#title').fill('عنوان تجريبي');
      await Promise.all([view.page.waitForLoadState('load'), view.page.locator('form.vejled-tr-form button[type=submit]').click()]);
      assert.equal(await view.page.locator('#title').inputValue(), 'عنوان تجريبي');
      await assertAccessible(view, 'the Arabic editor after saving');
      await assertFitsWidth(view, 'the Arabic editor at 1280 px');
    } finally {
      await view.ctx.close();
    }
  });
});

for (const js of [false, true]) {
  for (const lang of ['da', 'en']) {
    describe(`axe on every staff page, ${lang}, JavaScript ${js ? 'on' : 'off'}`, () => {
      const views = {};
      before(async () => {
        for (const user of ['cw1', 'admin']) {
          views[user] = await newContext(browser, { js, viewport: DESKTOP });
          await login(views[user], user);
          if (lang === 'en') {
            await views[user].page.getByRole('button', { name: 'English' }).click();
            await views[user].page.waitForLoadState();
          }
        }
        await ensureDraft(views.admin);
      });
      after(async () => {
        for (const v of Object.values(views)) await v.ctx.close();
      });

      test('0 violations', async () => {
        for (const [user, p] of pages()) {
          const path = typeof p === 'function' ? p() : p;
          const view = views[user];
          const res = await view.page.goto(server.base + path);
          assert.equal(res.status(), 200, path);
          assert.equal(await view.page.locator('html').getAttribute('lang'), lang, path);
          await assertAccessible(view, `${path} (${lang})`);
        }
        // the filters open, the publish confirmation and the units form with an error
        const cw = views.cw1;
        await cw.page.goto(`${server.base}/medarbejder/borgere?fra=2026-13-40`);
        await assertAccessible(cw, `list with a filter error (${lang})`);
        const admin = views.admin;
        await admin.page.goto(`${server.base}/admin/pakke/${draftId}`);
        await admin.page.locator('#publish button[type=submit]').click();
        await admin.page.locator('form input[name=confirm]').first().waitFor({ state: 'attached' });
        await assertAccessible(admin, `publish confirmation (${lang})`);
        // rules from a later day: the confirmation with its two ways, and the plan shown on
        // the pack list and the draft; then the draft as it was
        const packForm = `form.vejled-form[action="/admin/pakke/${draftId}"]`;
        await admin.page.goto(`${server.base}/admin/pakke/${draftId}`);
        const from = await admin.page.locator(`${packForm} #valid_from`).inputValue();
        const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
        await admin.page.locator(`${packForm} #valid_from`).fill(later);
        await Promise.all([admin.page.waitForLoadState('load'), admin.page.locator(`${packForm} button[type=submit]`).click()]);
        // its group switched off for the while: the confirmation also offers to switch it on
        const group = `(SELECT group_id FROM packs WHERE id = ${draftId})`;
        sqlite(server.db, `UPDATE target_groups SET enabled = 0 WHERE id = ${group}`);
        await Promise.all([admin.page.waitForLoadState('load'), admin.page.locator('#publish button[type=submit]').click()]);
        assert.equal(await admin.page.locator('#slaa_til').count(), 1, 'the switch offered');
        await assertAccessible(admin, `publish confirmation with a plan (${lang})`);
        sqlite(server.db, `UPDATE target_groups SET enabled = 1 WHERE id = ${group}`);
        await Promise.all([admin.page.waitForLoadState('load'), admin.page.locator('button[name=when][value=planlagt]').click()]);
        assert.match(new URL(admin.page.url()).pathname, /^\/admin\/pakker$/);
        assert.equal(await admin.page.locator(`#plan-${draftId}`).count(), 1, 'the plan on the pack list');
        await assertAccessible(admin, `pack list with a plan (${lang})`);
        await admin.page.goto(`${server.base}/admin/pakke/${draftId}`);
        await assertAccessible(admin, `draft with a plan (${lang})`);
        await Promise.all([admin.page.waitForLoadState('load'), admin.page.locator(`#plan-${draftId} button[type=submit]`).click()]);
        assert.equal(await admin.page.locator(`#plan-${draftId}`).count(), 0, 'the plan taken away');
        await admin.page.goto(`${server.base}/admin/pakke/${draftId}`);
        await admin.page.locator(`${packForm} #valid_from`).fill(from);
        await Promise.all([admin.page.waitForLoadState('load'), admin.page.locator(`${packForm} button[type=submit]`).click()]);
        await admin.page.goto(`${server.base}/admin/enheder`);
        await admin.page.locator('#name').fill('Ikke Gyldig!');
        await admin.page.locator('form[action="/admin/enheder"] button[type=submit]').click();
        await admin.page.locator('#error-summary').waitFor();
        await assertAccessible(admin, `units with an error (${lang})`);
        for (const v of Object.values(views)) v.problems.length = 0; // the 422s were asked for
      });
    });
  }
}
