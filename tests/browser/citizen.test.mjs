// The citizen's whole journey in a real browser (headless Chromium), on a 360 px phone:
// once with JavaScript off, once with it on.  Every page is audited with axe-core
// (WCAG 2.1 A and AA: 0 violations) and must fit the screen's width.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible, assertFitsWidth, closeAll, enrolBody, freshCpr, launch, newContext, startServer,
} from './harness.mjs';

const PACK = JSON.parse(fs.readFileSync(
  path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'db', 'demo', 'packs', 'dagpenge.json'),
  'utf8',
));

let server;
let browser;

before(async () => {
  // media in an empty folder of the test's own: the pages must cope with a video whose
  // file is not there (and the test does not depend on `make run` having made videos)
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n' });
  fs.mkdirSync(path.join(server.dir, 'media'));
  browser = await launch();
});

after(() => closeAll(browser, server));

/** A new enrolment in dagpenge; returns the path of its personal link. */
async function enrol(language = 'da') {
  const res = await server.api('POST', '/api/v1/enrolments', {
    body: enrolBody(freshCpr(), { language }),
  });
  assert.equal(res.status, 201, res.text);
  return new URL(res.json.link).pathname;
}

/** Checks every option of question q (index qi on the page) as wanted: right or wrong. */
async function answer(page, video, { wrongFirst = false, ask = false } = {}) {
  for (const [qi, q] of video.questions.entries()) {
    const fieldset = page.locator('fieldset').nth(qi);
    const wrong = wrongFirst && qi === 0;
    const pick = wrong
      ? [q.options.find((o) => !o.correct)]
      : q.options.filter((o) => o.correct);
    for (const o of pick) await fieldset.getByLabel(o.text.da, { exact: true }).check();
    if (ask && qi === 0) await page.locator('.vejled-ask input').nth(qi).check();
  }
}

async function check(view, what) {
  await assertAccessible(view, what);
  await assertFitsWidth(view, what);
}

for (const js of [false, true]) {
  describe(`citizen flow, JavaScript ${js ? 'on' : 'off'}`, () => {
    let view;

    before(async () => {
      view = await newContext(browser, { js });
    });
    after(async () => {
      await view.ctx.close();
    });

    test('the link from the letter leads to the overview, on a clean URL', async () => {
      const link = await enrol();
      const res = await view.page.goto(server.base + link);
      assert.equal(res.status(), 200);
      assert.equal(new URL(view.page.url()).pathname, '/borger', 'the token is gone from the address bar');
      await assert.doesNotReject(view.page.getByRole('heading', { level: 1, name: 'Dine videoer' }).waitFor());
      assert.equal(await view.page.locator('.vejled-video-item').count(), PACK.videos.length);
      assert.equal(await view.page.getAttribute('html', 'lang'), 'da');
      await check(view, 'overview');
    });

    test('a form sent with nothing chosen shows the error summary, linked to the questions', async () => {
      await view.page.getByRole('link', { name: 'Start med første video' }).click();
      assert.equal(new URL(view.page.url()).pathname, '/borger/video/1');
      await check(view, 'video page');
      // no file for the video in this installation: the page says so and opens the text
      await assert.doesNotReject(view.page.locator('.vejled-media-missing').waitFor());
      assert.equal(await view.page.locator('details#transcript').getAttribute('open'), '');
      const [res] = await Promise.all([
        view.page.waitForResponse((r) => r.request().method() === 'POST'),
        view.page.getByRole('button', { name: 'Send svar' }).click(),
      ]);
      assert.equal(res.status(), 422);
      // the page's referrer policy lets the browser name this site as the form's origin, so
      // a browser that sends no Sec-Fetch-Site (Safari before 16.4) is not refused
      assert.equal((await res.request().allHeaders()).origin, new URL(server.base).origin);
      await view.page.waitForLoadState();
      const summary = view.page.locator('#error-summary');
      assert.ok(await summary.isVisible(), 'the error summary is shown');
      const links = summary.locator('a');
      assert.equal(await links.count(), PACK.videos[0].questions.length, 'one link per unanswered question');
      const target = (await links.first().getAttribute('href')).slice(1);
      assert.equal(await view.page.locator(`[id="${target}"]`).count(), 1, 'the summary links to the question');
      if (js) {
        // the script moves focus to the summary so a screen reader reads it first
        assert.equal(await view.page.evaluate(() => document.activeElement && document.activeElement.id), 'error-summary');
      }
      await check(view, 'video page with errors');
      view.problems.splice(0); // the 422 above is expected
    });

    test('all videos answered: feedback explains right and wrong answers', async () => {
      for (const [vi, video] of PACK.videos.entries()) {
        const n = vi + 1;
        if (vi > 0) {
          await view.page.getByRole('link', { name: 'Næste video' }).click();
          assert.equal(new URL(view.page.url()).pathname, `/borger/video/${n}`);
        }
        assert.equal(await view.page.locator('h1').textContent(), video.title.da);
        const wrong = vi === 1;
        await answer(view.page, video, { wrongFirst: wrong, ask: wrong });
        await view.page.getByRole('button', { name: 'Send svar' }).click();
        assert.equal(new URL(view.page.url()).pathname, `/borger/video/${n}/svar`);
        if (wrong) {
          assert.equal(await view.page.locator('.vejled-feedback-notquite').count(), 1);
          const right = video.questions[0].options.find((o) => o.correct).text.da;
          assert.match(await view.page.locator('.vejled-feedback-notquite').textContent(), new RegExp(right.slice(0, 20)));
        } else {
          assert.equal(await view.page.locator('.vejled-feedback-notquite').count(), 0);
          assert.ok(await view.page.locator('.alert-success').isVisible(), 'all right is praised');
        }
        await check(view, `feedback ${n}`);
      }
    });

    test('the receipt shows completion and the topic the citizen wants to ask about', async () => {
      await view.page.getByRole('link', { name: 'Se hvad der er gemt' }).first().click();
      assert.equal(new URL(view.page.url()).pathname, '/borger/kvittering');
      const text = await view.page.locator('main').textContent();
      // no video file here, so nothing was played: answered, never "watched all videos";
      // the pages showed the text version instead, with JavaScript or without
      assert.match(text, /Du har svaret på alle spørgsmål/);
      assert.doesNotMatch(text, /set alle videoer/);
      assert.match(text, /videoen kunne ikke vises; teksten til videoen blev vist i stedet/);
      assert.doesNotMatch(text, /svarede uden at afspille videoen|ved vi ikke/);
      assert.match(text, new RegExp(PACK.videos[1].questions[0].topic.da));
      await check(view, 'receipt');
    });

    test('the language switch shows the same page in English and back', async () => {
      await view.page.getByRole('button', { name: 'English' }).click();
      assert.equal(await view.page.getAttribute('html', 'lang'), 'en');
      // the same page (the receipt), now in English
      await assert.doesNotReject(view.page.getByRole('heading', { level: 1, name: 'What we have saved' }).waitFor());
      assert.equal(new URL(view.page.url()).pathname, '/borger/kvittering');
      await view.page.goto(`${server.base}/borger/video/1`);
      assert.equal(await view.page.locator('h1').textContent(), PACK.videos[0].title.en);
      await check(view, 'video page in English');
      await view.page.getByRole('button', { name: 'Dansk' }).click();
      assert.equal(await view.page.getAttribute('html', 'lang'), 'da');
    });

    test('a second citizen declines: the choice is confirmed and saved', async () => {
      const link = await enrol();
      await view.page.goto(server.base + link);
      await view.page.getByRole('link', { name: 'Jeg vil hellere høre det til mødet' }).click();
      assert.equal(new URL(view.page.url()).pathname, '/borger/fravalg');
      await check(view, 'decline page');
      await view.page.getByRole('button', { name: 'Ja, jeg vil hellere høre det til mødet' }).click();
      assert.equal(new URL(view.page.url()).pathname, '/borger/kvittering', 'the receipt confirms it');
      assert.match(await view.page.locator('main').textContent(), /Du har valgt at få vejledningen til mødet/);
      await check(view, 'receipt after declining');
      await view.page.goto(`${server.base}/borger`);
      assert.ok(await view.page.locator('.vejled-calm').first().isVisible(), 'the overview remembers the choice');
      await check(view, 'overview after declining');
    });

    test('an unknown link gets a plain page that reveals nothing', async () => {
      const res = await view.page.goto(`${server.base}/v/AAAAAAAAAAAAAAAAAAAAAAAA`);
      assert.equal(res.status(), 404);
      assert.equal(await view.page.locator('h1').count(), 1);
      await check(view, 'unknown link page');
      view.problems.splice(0); // the 404 above is expected
    });

    test('nothing went wrong in the browser on the way', () => {
      assert.deepEqual(view.problems, []);
    });
  });
}

describe('a double tap on a slow network, JavaScript on', () => {
  let view;
  before(async () => {
    view = await newContext(browser, { js: true });
  });
  after(async () => {
    await view.ctx.close();
  });

  test('sends the answers once: one submission is recorded, not two', async () => {
    const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(res.status, 201, res.text);
    await view.page.goto(server.base + new URL(res.json.link).pathname);
    await view.page.goto(`${server.base}/borger/video/1`);
    await answer(view.page, PACK.videos[0]);
    // the network is slow: each answer form on its way takes a second
    let posts = 0;
    await view.page.route('**/borger/video/1', async (route) => {
      if (route.request().method() === 'POST') {
        posts++;
        await new Promise((r) => setTimeout(r, 1000));
      }
      await route.continue().catch(() => {}); // a request the page gave up is gone
    });
    // a tap, and a second one while the first is on its way (the page still shows the form)
    await view.page.evaluate(async () => {
      const send = document.querySelector('form.vejled-answers button[type=submit]');
      send.click();
      await new Promise((r) => setTimeout(r, 200));
      send.click();
    });
    await view.page.waitForURL(/\/borger\/video\/1\/svar/, { timeout: 10_000 });
    assert.equal(posts, 1, 'the browser sent the form once');
    const journal = await server.api('GET', `/api/v1/citizens/${res.json.citizen_id}/journal`);
    const submitted = journal.json.entries.filter((e) => e.kind === 'answers_submitted');
    assert.equal(submitted.length, 1, 'one submission recorded');
  });
});
