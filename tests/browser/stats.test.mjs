// The implementation dashboard in a real browser (headless Chromium): it renders with its
// tables and accessible charts, the quarter picker works as a plain GET form with
// JavaScript off (and on), the CSV links follow the chosen quarter, and axe-core finds
// 0 WCAG 2.1 A/AA violations — on a desktop screen and on a 360 px phone, where the wide
// tables scroll inside their own focusable region instead of the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible, assertFitsWidth, closeAll, enrolBody, freshCpr, launch, newContext, PHONE, startServer,
} from './harness.mjs';

let server;
let browser;
const DESKTOP = { width: 1280, height: 900 };
const PASSWORD = 'demo-vejled-2026'; // `vejled demo`'s staff

/* Logs in as the demo administrator in view's context (the dashboard is for admins). */
async function loginAdmin(view) {
  await view.page.goto(`${server.base}/medarbejder/login`);
  await view.page.getByLabel('Brugernavn').fill('admin');
  await view.page.getByLabel('Adgangskode').fill(PASSWORD);
  await Promise.all([
    view.page.waitForURL((u) => !u.pathname.endsWith('/login')),
    view.page.getByRole('button', { name: 'Log ind' }).click(),
  ]);
}

before(async () => {
  server = await startServer();
  browser = await launch();
  // six citizens in dagpenge, so that the dagpenge row shows numbers rather than "<5"
  for (let i = 0; i < 6; i++) {
    const r = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
  }
});

after(() => closeAll(browser, server));

/* The value and label of the option that is selected in the quarter picker. */
async function selectedQuarter(page) {
  return page.locator('#kvartal').evaluate((s) => s.value);
}

for (const js of [false, true]) {
  describe(`dashboard, JavaScript ${js ? 'on' : 'off'}`, () => {
    let view;

    before(async () => {
      view = await newContext(browser, { js, viewport: DESKTOP });
      await loginAdmin(view);
    });
    after(async () => {
      await view.ctx.close();
    });

    test('renders the figures, the goal and an accessible chart per group', async () => {
      const res = await view.page.goto(`${server.base}/admin/statistik`);
      assert.equal(res.status(), 200);
      await assert.doesNotReject(view.page.getByRole('heading', { level: 1, name: 'Statistik over brugen' }).waitFor());
      const row = view.page.locator('#stats-summary tr[data-key="dagpenge"]');
      assert.equal(await row.locator('th').innerText(), 'Dagpenge');
      // 6 + the demo citizen in dagpenge
      assert.equal(await row.locator('td').first().innerText(), '7');
      // one trend chart (an image with a name and a description), its numbers in a table
      // behind a details: a row per target group, a column per quarter
      const charts = view.page.getByRole('img', { name: /Andel korrekt vejledt pr\. kvartal/ });
      assert.equal(await charts.count(), 1);
      const desc = await view.page.locator('svg.vejled-trend-chart desc').textContent();
      assert.match(desc, /Korrekt vejledte: 90,0 %/);
      assert.equal(await view.page.locator('#stats-trend').count(), 1);
      assert.equal(await view.page.locator('#stats-trend tbody tr').count(), 9);
      assert.equal(await view.page.locator('#stats-trend thead th').count(), 9, 'the group column and eight quarters');
      // the chart of correctly guided per target group names every group, never a slug
      const guided = view.page.getByRole('list', { name: 'Andel korrekt vejledt pr. målgruppe' });
      assert.equal(await guided.count(), 1);
      const gdesc = await guided.textContent();
      assert.match(gdesc, /Dagpenge: /);
      assert.doesNotMatch(gdesc, /kontanthjaelp-|[a-z]+-[a-z]+:/);
      await assertAccessible(view, 'dashboard');
    });

    test('the quarter picker is a plain form: choosing a quarter shows it', async () => {
      const current = await selectedQuarter(view.page);
      const options = await view.page.locator('#kvartal option').evaluateAll((os) => os.map((o) => o.value));
      assert.equal(options[0], current, 'the current quarter first and chosen');
      const earlier = options[4];
      await view.page.selectOption('#kvartal', earlier);
      await Promise.all([
        view.page.waitForURL((u) => u.searchParams.get('kvartal') === earlier),
        view.page.getByRole('button', { name: 'Vis' }).click(),
      ]);
      assert.equal(await selectedQuarter(view.page), earlier);
      // nothing happened a year ago
      assert.equal(await view.page.locator('#stats-summary tr[data-key="total"] td').first().innerText(), '0');
      await assertAccessible(view, 'dashboard, earlier quarter');
    });

    test('the CSV links carry the chosen quarter', async () => {
      const hrefs = await view.page.locator('a[href^="/admin/statistik.csv"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const q = await selectedQuarter(view.page);
      assert.deepEqual(hrefs, [`/admin/statistik.csv?kvartal=${q}&sep=semicolon`, `/admin/statistik.csv?kvartal=${q}&sep=comma`]);
    });
  });
}

describe('dashboard on a phone, JavaScript off', () => {
  let view;
  before(async () => {
    view = await newContext(browser, { js: false, viewport: PHONE });
    await loginAdmin(view);
  });
  after(async () => {
    await view.ctx.close();
  });

  test('fits the screen: the wide tables scroll in their own region', async () => {
    await view.page.goto(`${server.base}/admin/statistik`);
    await assertFitsWidth(view, 'dashboard on a phone');
    await assertAccessible(view, 'dashboard on a phone');
  });

  test('an unknown quarter shows the error summary and the current quarter', async () => {
    const res = await view.page.goto(`${server.base}/admin/statistik?kvartal=1999-9`);
    assert.equal(res.status(), 400);
    await assert.doesNotReject(view.page.getByRole('heading', { name: 'Der er problemer' }).waitFor());
    await assertAccessible(view, 'dashboard with an error');
    view.problems.length = 0; // the 400 was asked for
  });
});
