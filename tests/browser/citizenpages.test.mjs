// What a person sees on the citizen pages, in headless Chromium: readable type sizes, no
// sideways scrolling at 360 px, the ask-at-the-meeting box apart from the answers, the
// language switch keeping the page (and, with JavaScript, the ticked answers), right to
// left for Arabic, the decline confirmation, the receipt; axe on every page in every
// language with JavaScript on and off.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible, assertFitsWidth, closeAll, enrolBody, freshCpr, launch, newContext, startServer,
} from './harness.mjs';

const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const LANGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'languages.json'), 'utf8'));
const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));

let server;
let browser;

before(async () => {
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n' });
  fs.mkdirSync(path.join(server.dir, 'media'));
  browser = await launch();
});

after(() => closeAll(browser, server));

async function enrol(language = 'da') {
  const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
  assert.equal(res.status, 201, res.text);
  return new URL(res.json.link).pathname;
}

async function go(view, p) {
  const res = await view.page.goto(server.base + p);
  return res.status();
}

async function submitAnswers(page) {
  await Promise.all([page.waitForLoadState('load'), page.locator('form.vejled-answers button[type=submit]').click()]);
}

/** Every citizen page of one citizen's journey, as (name, path-or-action) steps. */
async function journey(view, language, visit) {
  await go(view, await enrol(language));
  await visit('overview');
  await go(view, '/borger/video/1');
  await visit('video');
  await submitAnswers(view.page);
  await visit('video with errors');
  const q = PACK.videos[0].questions;
  for (const [qi] of q.entries()) await view.page.locator('fieldset').nth(qi).locator('input').first().check();
  await submitAnswers(view.page);
  await visit('feedback');
  await go(view, '/borger/fravalg');
  await visit('decline');
  await go(view, '/borger/kvittering');
  await visit('receipt');
  assert.equal(await go(view, '/borger/video/99'), 404);
  await visit('404');
  await view.page.locator('main form button[type=submit]').count(); // (no form on a 404)
  await go(view, '/borger/fravalg');
  await Promise.all([view.page.waitForLoadState('load'), view.page.locator('main form button[type=submit]').click()]);
  await visit('receipt after declining');
  await go(view, '/borger');
  await visit('overview after declining');
}

for (const js of [false, true]) {
  describe(`citizen pages, JavaScript ${js ? 'on' : 'off'}`, () => {
    for (const { code } of LANGS) {
      test(`${code}: axe finds nothing and nothing scrolls sideways at 360 px, on every page`, async () => {
        const view = await newContext(browser, { js });
        try {
          await journey(view, code, async (what) => {
            await assertAccessible(view, `${code} ${what}`);
            await assertFitsWidth(view, `${code} ${what}`);
            const lang = await view.page.evaluate(() => document.documentElement.lang);
            assert.equal(lang, code, `${code} ${what}: <html lang>`);
          });
        } finally {
          await view.ctx.close();
        }
      });
    }

    test('text is at least 16 px: body text, the video links, the site name, the legal basis', async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol());
        const sizes = await view.page.evaluate(() => {
          const px = (el) => parseFloat(getComputedStyle(el).fontSize);
          return {
            body: px(document.body),
            paragraph: px(document.querySelector('main p')),
            links: [...document.querySelectorAll('.vejled-video-link')].map(px),
            site: px(document.querySelector('.solution-heading a, .solution-heading span')),
            lang: [...document.querySelectorAll('.vejled-cz-lang-list button, .vejled-cz-lang-list span')].map(px),
          };
        });
        assert.ok(sizes.body >= 16, `body ${sizes.body}px`);
        assert.ok(sizes.paragraph >= 16, `paragraph ${sizes.paragraph}px`);
        assert.equal(sizes.links.length, PACK.videos.length);
        for (const s of sizes.links) assert.ok(s >= 16, `video link ${s}px`);
        assert.ok(sizes.site >= 16, `site name ${sizes.site}px`);
        for (const s of sizes.lang) assert.ok(s >= 16, `language switch ${s}px`);
        await go(view, '/borger/video/1');
        const legal = await view.page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.vejled-legal')).fontSize));
        assert.ok(legal >= 16, `legal basis ${legal}px`);
      } finally {
        await view.ctx.close();
      }
    });

    test('the ask-at-the-meeting box is outside the answers\' fieldset, after it, in a box of its own', async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol());
        await go(view, '/borger/video/1');
        const facts = await view.page.evaluate(() => [...document.querySelectorAll('.vejled-question')].map((g) => {
          const fs = g.querySelector('fieldset');
          const ask = g.querySelector('input[name=ask]');
          const box = ask.closest('.vejled-ask');
          const style = getComputedStyle(box);
          return {
            inside: fs.contains(ask),
            after: !!(fs.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING),
            below: box.getBoundingClientRect().top >= fs.getBoundingClientRect().bottom,
            background: style.backgroundColor,
            heading: box.querySelector('.vejled-ask-heading')?.textContent.trim(),
          };
        }));
        assert.equal(facts.length, PACK.videos[0].questions.length);
        for (const f of facts) {
          assert.equal(f.inside, false, 'not one more answer');
          assert.ok(f.after && f.below, 'after the answers');
          assert.notEqual(f.background, 'rgba(0, 0, 0, 0)', 'a box with its own background');
          assert.equal(f.heading, 'Til mødet');
        }
        // the same behaviour as before: a ticked box is saved with the answers
        for (const [qi] of PACK.videos[0].questions.entries()) await view.page.locator('fieldset').nth(qi).locator('input').first().check();
        await view.page.locator('input[name=ask]').first().check();
        await submitAnswers(view.page);
        assert.match(await view.page.locator('main').textContent(), /Du vil gerne spørge om dette til mødet/);
      } finally {
        await view.ctx.close();
      }
    });

    test(`the language switch returns to the same page${js ? ' and keeps the ticked answers' : ''}`, async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol());
        await go(view, '/borger/video/2');
        const first = view.page.locator('fieldset').first().locator('input').nth(1);
        await first.check();
        const id = await first.getAttribute('id');
        await Promise.all([view.page.waitForLoadState('load'), view.page.getByRole('button', { name: 'English' }).click()]);
        assert.equal(new URL(view.page.url()).pathname, '/borger/video/2');
        assert.equal(await view.page.evaluate(() => document.documentElement.lang), 'en');
        assert.equal(await view.page.locator('h1').textContent(), PACK.videos[1].title.en);
        if (js) assert.equal(await view.page.locator(`#${id}`).isChecked(), true, 'the ticked answer is kept');
        else assert.equal(await view.page.locator(`#${id}`).isChecked(), false, 'without JavaScript: the page, not the ticks');
        // and the ticks are not carried to another visit
        await go(view, '/borger/video/2');
        assert.equal(await view.page.locator(`#${id}`).isChecked(), false);
      } finally {
        await view.ctx.close();
      }
    });

    test('Arabic reads right to left: dir="rtl", the layout mirrors, captions and controls follow', async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol('ar'));
        await go(view, '/borger/video/1');
        const f = await view.page.evaluate(() => {
          const box = (el) => el.getBoundingClientRect();
          const h1 = box(document.querySelector('h1'));
          const label = document.querySelector('fieldset label');
          const input = document.getElementById(label.getAttribute('for'));
          const ask = document.querySelector('.vejled-ask');
          return {
            dir: document.documentElement.dir,
            lang: document.documentElement.lang,
            width: window.innerWidth,
            h1Left: h1.left, h1Right: h1.right,
            inputCenter: box(input).left + box(input).width / 2,
            labelLeft: box(label).left, labelRight: box(label).right,
            askBorderRight: getComputedStyle(ask).borderRightWidth,
            askBorderLeft: getComputedStyle(ask).borderLeftWidth,
          };
        });
        assert.equal(f.dir, 'rtl');
        assert.equal(f.lang, 'ar');
        // the heading hugs the right edge; the radio sits at the right of its label
        assert.ok(f.width - f.h1Right < 40, `h1 right edge ${f.h1Right} of ${f.width}`);
        assert.ok(f.inputCenter > (f.labelLeft + f.labelRight) / 2, 'the radio is on the right of its text');
        assert.equal(f.askBorderRight, '4px', 'the ask box\'s accent is on the right');
        await go(view, '/borger');
        const da = await newContext(browser, { js });
        try {
          await go(da, await enrol('da'));
          await go(da, '/borger/video/1');
          const ltr = await da.page.evaluate(() => {
            const label = document.querySelector('fieldset label');
            const input = document.getElementById(label.getAttribute('for'));
            const l = label.getBoundingClientRect();
            const i = input.getBoundingClientRect();
            return { inputCenter: i.left + i.width / 2, mid: (l.left + l.right) / 2, dir: document.documentElement.dir };
          });
          assert.equal(ltr.dir, 'ltr');
          assert.ok(ltr.inputCenter < ltr.mid, 'Danish: the radio on the left (the check above can fail)');
        } finally {
          await da.ctx.close();
        }
      } finally {
        await view.ctx.close();
      }
    });

    test('declining is confirmed calmly; the overview says so without zeros', async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol());
        await view.page.getByRole('link', { name: 'Jeg vil hellere høre det til mødet' }).click();
        assert.match(await view.page.locator('main').textContent(), /Dit valg påvirker ikke din ydelse/);
        await Promise.all([view.page.waitForLoadState('load'), view.page.getByRole('button', { name: 'Ja, jeg vil hellere høre det til mødet' }).click()]);
        const receipt = await view.page.locator('main').textContent();
        assert.match(receipt, /Du har valgt at få vejledningen til mødet\. Det påvirker ikke din ydelse\./);
        assert.match(receipt, /Du er færdig – du kan lukke siden/);
        assert.doesNotMatch(receipt, /ikke færdig|0 af 12/);
        await go(view, '/borger');
        const overview = await view.page.locator('main').textContent();
        assert.match(overview, /Du har valgt at få vejledningen til mødet/);
        assert.doesNotMatch(overview, /Du har svaret på|Ikke besvaret endnu/);
      } finally {
        await view.ctx.close();
      }
    });

    test('the receipt: reference, print (a button with JavaScript), the meeting and how to move it', async () => {
      const view = await newContext(browser, { js });
      try {
        await go(view, await enrol());
        await go(view, '/borger/video/1');
        for (const [qi] of PACK.videos[0].questions.entries()) await view.page.locator('fieldset').nth(qi).locator('input').first().check();
        await submitAnswers(view.page);
        await go(view, '/borger/kvittering');
        const main = await view.page.locator('main').textContent();
        assert.match(main, /Kvitteringsnummer\s*VJ-[0-9A-Z]{5}-[0-9A-Z]{5}/);
        assert.match(main, /Dit møde/);
        // the municipality's address, said as such: the case system gives no meeting place
        assert.match(main, /Jobcentrets adresse\s*Jobcenter Eksempelby/);
        assert.match(main, /Kan du ikke komme\?/);
        const print = view.page.getByRole('button', { name: 'Udskriv eller gem som PDF' });
        assert.equal(await print.isVisible(), js, js ? 'the print button shows' : 'no dead button without JavaScript');
        assert.match(main, /udskriv-funktion/, 'how to print without the button');
        // the print stylesheet leaves out the language switch and the buttons
        await view.page.emulateMedia({ media: 'print' });
        assert.equal(await view.page.locator('.vejled-cz-langbar').isVisible(), false);
        assert.equal(await view.page.locator('.vejled-print-line').isVisible(), false);
        assert.equal(await view.page.locator('.vejled-reference').isVisible(), true);
        await view.page.emulateMedia({ media: 'screen' });
      } finally {
        await view.ctx.close();
      }
    });
  });
}
