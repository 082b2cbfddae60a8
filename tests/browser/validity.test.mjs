// The notices of content validity as a person sees them, in headless Chromium on a 360 px
// phone: the citizen's overview and video page when the rules ended (Danish, and Arabic
// right to left) and the administrator's list of content to review. Each page is audited
// with axe-core (WCAG 2.1 A and AA), must fit the screen's width, and the notice must be
// on screen above the video, not below it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible, assertFitsWidth, cli, closeAll, enrolBody, freshCpr, launch, newContext, startServer,
} from './harness.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const yesterday = () => {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
};

let server;
let browser;

before(async () => {
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\ndemo_dir = {dir}/demo\n' });
  fs.mkdirSync(path.join(server.dir, 'media'));
  const demo = path.join(server.dir, 'demo');
  fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
  const file = path.join(demo, 'packs', 'dagpenge.json');
  const pack = JSON.parse(fs.readFileSync(file, 'utf8'));
  pack.valid_to = yesterday();
  fs.writeFileSync(file, JSON.stringify(pack));
  const r = cli(['demo', '--db', server.db, '--config', server.configFile]);
  assert.equal(r.status, 0, r.stderr);
  browser = await launch();
});

after(() => closeAll(browser, server));

async function enrol(language) {
  const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
  assert.equal(res.status, 201, res.text);
  return new URL(res.json.link).pathname;
}

describe('content whose validity ended, as the citizen and the administrator see it', () => {
  for (const lang of ['da', 'ar']) {
    for (const js of [false, true]) {
      test(`the citizen's overview and video page say so above the video (${lang}, JavaScript ${js ? 'on' : 'off'})`, async () => {
        const view = await newContext(browser, { js });
        try {
          await view.page.goto(server.base + await enrol(lang));
          const notice = view.page.locator('main .vejled-validity');
          assert.equal(await notice.count(), 1, 'one notice on the overview');
          assert.ok(await notice.isVisible());
          assert.match(await notice.innerText(), lang === 'da' ? /gjaldt kun til/ : /سارية فقط حتى/);
          await assertAccessible(view, `overview (${lang})`);
          await assertFitsWidth(view, `overview (${lang})`);
          await view.page.goto(`${server.base}/borger/video/1`);
          assert.equal(await notice.count(), 1, 'one notice on the video page');
          // above the player, or the text version that stands in for it
          const top = await notice.boundingBox();
          const below = await view.page.locator('main .vejled-player, main .vejled-transcript').first().boundingBox();
          assert.ok(top.y + top.height <= below.y, `the notice (${top.y}) is above the video (${below.y})`);
          await assertAccessible(view, `video page (${lang})`);
          await assertFitsWidth(view, `video page (${lang})`);
          assert.deepEqual(view.problems, []);
        } finally {
          await view.ctx.close();
        }
      });
    }
  }

  test('the administrator\'s start page lists it to review, and the link leads to the group\'s packs', async () => {
    const view = await newContext(browser, { js: false });
    try {
      await view.page.goto(`${server.base}/medarbejder/login`);
      await view.page.locator('#username').fill('admin');
      await view.page.locator('#password').fill('demo-vejled-2026');
      await Promise.all([view.page.waitForLoadState('load'), view.page.locator('form[action="/medarbejder/login"] button[type=submit]').click()]);
      await view.page.goto(`${server.base}/admin`);
      const review = view.page.locator('main .vejled-review');
      assert.ok(await review.isVisible());
      assert.match(await review.innerText(), /Dagpenge .*gyldigheden sluttede/);
      await assertAccessible(view, 'admin start page');
      await assertFitsWidth(view, 'admin start page');
      await Promise.all([view.page.waitForLoadState('load'), review.getByRole('link').first().click()]);
      assert.match(view.page.url(), /\/admin\/pakker#g-dagpenge$/);
      assert.ok(await view.page.locator('#g-dagpenge').isVisible());
      await assertAccessible(view, 'pack list');
    } finally {
      await view.ctx.close();
    }
  });
});
