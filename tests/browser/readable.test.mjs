// What axe cannot judge on the citizen pages, checked as a person would meet it:
// - text twice as large (1.4.4) on a 320 px wide screen (1.4.10, what 1280 px at 400 % zoom
//   gives): no page wider than the screen, no word sticking out past its edge (long Danish
//   compound words in the legal basis, the job centre's e-mail address in the footer);
// - the text spacing of 1.4.12 (line height 1.5, paragraphs 2 em apart, letters 0.12 em and
//   words 0.16 em apart): the same, and no text cut off by a box that hides its overflow;
// - the video player shows where the keyboard is (2.4.7) when Tab reaches it;
// - without JavaScript, a refused answer form is shown with the keyboard's place on its
//   error summary (2.4.3, 3.3.1), so that Tab goes to the first problem and a screen reader
//   reads what went wrong;
// in Danish, English and Arabic (right to left).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  closeAll, enrolBody, freshCpr, launch, makeVideo, newContext, startServer,
} from './harness.mjs';

const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const LANGS = ['da', 'en', 'ar'];

// the user's own style sheet, as a browser setting or a bookmarklet would add it
const TEXT_200 = 'html { font-size: 125% !important; }'; // DKFDS' 62.5 % root, doubled
const SPACING = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }'
  + ' p { margin-bottom: 2em !important; }';

let server;
let browser;

before(async () => {
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n' });
  fs.mkdirSync(path.join(server.dir, 'media'));
  makeVideo(path.join(server.dir, 'media', PACK.videos[0].media));
  browser = await launch();
});

after(() => closeAll(browser, server));

async function enrol(language) {
  const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
  assert.equal(res.status, 201, res.text);
  return new URL(res.json.link).pathname;
}

async function submitAnswers(page) {
  await Promise.all([page.waitForLoadState('load'), page.locator('form.vejled-answers button[type=submit]').click()]);
}

/** What sticks out of the screen or is cut off by a box, on the page as it is now. */
function outside(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > vw) found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
    for (const el of document.querySelectorAll('body *')) {
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // a visually hidden element (the skip link until it has focus) is clipped on purpose
      if (r.width <= 1 || r.height <= 1 || el.closest('.skipnav')) continue;
      const what = `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}> "${(el.textContent || '').trim().slice(0, 40)}"`;
      if (r.right > vw + 0.5 || r.left < -0.5) found.push(`${what} lies at ${Math.round(r.left)}–${Math.round(r.right)}px`);
      const hides = (o) => o === 'hidden' || o === 'clip';
      if (el.tagName !== 'VIDEO' && ((hides(cs.overflowX) && el.scrollWidth > el.clientWidth + 1)
        || (hides(cs.overflowY) && el.scrollHeight > el.clientHeight + 1))) found.push(`${what} cuts off its text`);
    }
    return found.slice(0, 8);
  });
}

/** Every citizen page of a journey, each checked with the style sheet css added. */
async function everyPage(lang, css, check) {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: lang, bypassCSP: true });
  const page = await ctx.newPage();
  ctx.setDefaultTimeout(Number(process.env.BROWSER_TIMEOUT_MS || 5000));
  const at = async (what) => {
    await page.addStyleTag({ content: css });
    await check(page, `${lang} ${what}`);
  };
  try {
    await page.goto(server.base + await enrol(lang));
    await at('overview');
    await page.goto(`${server.base}/borger/video/1`);
    await at('video page');
    await submitAnswers(page);
    await at('video page with errors');
    for (const [qi] of PACK.videos[0].questions.entries()) await page.locator('fieldset').nth(qi).locator('input').first().check();
    await page.locator('.vejled-ask input').first().check();
    await submitAnswers(page);
    await at('feedback');
    await page.goto(`${server.base}/borger/fravalg`);
    await at('decline');
    await page.goto(`${server.base}/borger/kvittering`);
    await at('receipt');
    await page.goto(`${server.base}/borger/video/99`);
    await at('not found');
    await ctx.clearCookies();
    await page.goto(`${server.base}/v/denne-side-findes-ikke-1234?sprog=${lang}`);
    await at('unknown link');
  } finally {
    await ctx.close();
  }
}

describe('the citizen pages on a 320 px screen', () => {
  for (const lang of LANGS) {
    test(`${lang}: text twice as large, nothing sticks out past the screen's edge`, async () => {
      await everyPage(lang, TEXT_200, async (page, what) => {
        assert.deepEqual(await outside(page), [], `${what}, text at 200 %`);
      });
    });

    test(`${lang}: with wider text spacing nothing is cut off or sticks out`, async () => {
      await everyPage(lang, SPACING, async (page, what) => {
        assert.deepEqual(await outside(page), [], `${what}, text spacing`);
      });
    });
  }
});

/* The pixels of a band just outside an element's box: what its focus ring would change. */
async function ringBand(page, selector) {
  const r = await page.locator(selector).evaluate((el) => {
    const b = el.getBoundingClientRect();
    return { x: b.left, y: b.top, w: b.width, h: b.height };
  });
  return Promise.all([
    page.screenshot({ clip: { x: r.x, y: r.y - 4, width: r.w, height: 3 } }), // above it
    page.screenshot({ clip: { x: r.x - 4, y: r.y, width: 3, height: r.h } }), // beside it
  ]);
}

describe('where the keyboard is', () => {
  for (const lang of ['da', 'ar']) {
    test(`${lang}: Tab onto the video player shows a focus ring around it`, async () => {
      const view = await newContext(browser, { js: true });
      try {
        await view.page.goto(server.base + await enrol(lang));
        await view.page.goto(`${server.base}/borger/video/1`);
        await view.page.locator('video').scrollIntoViewIfNeeded();
        const before = await ringBand(view.page, 'video');
        // the control before the player in the page's order is the language switch's last
        await view.page.locator('.vejled-cz-lang-list button').last().focus();
        await view.page.keyboard.press('Tab');
        assert.equal(await view.page.evaluate(() => document.activeElement.tagName), 'VIDEO', 'Tab reaches the player');
        await view.page.locator('video').scrollIntoViewIfNeeded();
        const focused = await ringBand(view.page, 'video');
        assert.ok(!before[0].equals(focused[0]) && !before[1].equals(focused[1]),
          `${lang}: with the keyboard on the player, the edge around it looks the same as without`);
      } finally {
        await view.ctx.close();
      }
    });
  }

  for (const lang of ['da', 'ar']) {
    test(`${lang}, no JavaScript: a refused form comes back with the keyboard on its error summary`, async () => {
      const view = await newContext(browser, { js: false });
      try {
        await view.page.goto(server.base + await enrol(lang));
        await view.page.goto(`${server.base}/borger/video/2`);
        await submitAnswers(view.page);
        // the browser applies autofocus when it next renders the page, shortly after load
        let focused = '';
        for (let i = 0; i < 30 && focused !== 'error-summary'; i++) {
          if (i) await new Promise((r) => setTimeout(r, 100));
          focused = await view.page.evaluate(() => (document.activeElement && document.activeElement.id) || '');
        }
        assert.equal(focused, 'error-summary', 'the error summary has the focus');
        await view.page.keyboard.press('Tab');
        const next = await view.page.evaluate(() => document.activeElement.getAttribute('href'));
        assert.equal(next, `#${await view.page.locator('fieldset').first().getAttribute('id')}`,
          'Tab goes on to the first problem');
      } finally {
        await view.ctx.close();
      }
    });
  }
});
