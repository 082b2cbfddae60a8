// The error summary at the top of a form that came back with problems: when it gets focus
// from anywhere on the page (the script focuses it on load; a link to #error-summary jumps
// to it), it lies wholly inside a 360 px phone's screen, clear of the top edge, with its
// focus ring visible, and nothing lies over it — in Danish and in Arabic (right to left).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  closeAll, enrolBody, freshCpr, launch, newContext, startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(() => closeAll(browser, server));

/* Where the summary lies in the viewport and whether its corners are its own (not covered). */
function where(page) {
  return page.evaluate(() => {
    const el = document.getElementById('error-summary');
    const r = el.getBoundingClientRect();
    const own = (x, y) => {
      const hit = document.elementFromPoint(x, y);
      return !!hit && (hit === el || el.contains(hit));
    };
    const inset = 8; // inside the rounded corners
    return {
      top: r.top, bottom: r.bottom, left: r.left, right: r.right,
      vh: window.innerHeight, vw: window.innerWidth,
      focused: document.activeElement === el,
      corners: [own(r.left + inset, r.top + inset), own(r.right - inset, r.top + inset),
        own(r.left + inset, r.bottom - inset), own(r.right - inset, r.bottom - inset)],
      outline: parseFloat(getComputedStyle(el).outlineWidth) + parseFloat(getComputedStyle(el).outlineOffset),
    };
  });
}

/* Where the legend of the question whose fieldset has the id lies, and whether its first
 * answer has focus. */
function questionSeen(page, id) {
  return page.evaluate((id) => {
    const target = document.getElementById(id);
    const fieldset = target.closest('fieldset');
    const r = fieldset.querySelector('legend').getBoundingClientRect();
    return {
      kind: target.tagName, top: r.top, bottom: r.bottom, vh: window.innerHeight,
      firstFocused: document.activeElement === fieldset.querySelector('input'),
    };
  }, id);
}

function assertSeenWhole(w, what) {
  assert.ok(w.focused, `${what}: the summary has focus`);
  // the focus ring is drawn outside the box: it needs that much room above it
  assert.ok(w.top >= w.outline + 4, `${what}: its top (${w.top}px) clear of the screen's edge (ring ${w.outline}px)`);
  assert.ok(w.bottom <= w.vh, `${what}: its bottom (${w.bottom}px) on a ${w.vh}px screen`);
  assert.ok(w.left >= 0 && w.right <= w.vw, `${what}: within the width`);
  assert.deepEqual(w.corners, [true, true, true, true], `${what}: nothing lies over it`);
}

for (const lang of ['da', 'ar']) {
  describe(`the error summary on a phone (${lang})`, () => {
    let view;
    before(async () => {
      view = await newContext(browser, { js: true });
      const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: lang }) });
      assert.equal(res.status, 201, res.text);
      await view.page.goto(server.base + new URL(res.json.link).pathname);
      await view.page.goto(`${server.base}/borger/video/1`);
      await Promise.all([
        view.page.waitForResponse((r) => r.request().method() === 'POST'),
        view.page.locator('form.vejled-answers button[type=submit]').click(),
      ]);
      await view.page.waitForLoadState('load');
      await view.page.locator('#error-summary').waitFor();
    });
    after(async () => {
      await view.ctx.close();
    });

    test('focused from the bottom of the page, it is seen whole', async () => {
      await view.page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, document.body.scrollHeight); });
      await view.page.evaluate(() => document.getElementById('error-summary').focus());
      assertSeenWhole(await where(view.page), `${lang}: focus()`);
    });

    test('its link to a question shows the question, not only the answer, and focuses the answer', async () => {
      await view.page.evaluate(() => window.scrollTo(0, 0));
      const link = view.page.locator('#error-summary a').last();
      const target = (await link.getAttribute('href')).slice(1);
      await link.click();
      const w = await questionSeen(view.page, target);
      assert.equal(w.kind, 'FIELDSET', `${lang}: the link names the question's fieldset`);
      assert.ok(w.firstFocused, `${lang}: the question's first answer has focus`);
      assert.ok(w.top >= 0 && w.bottom <= w.vh, `${lang}: the question (${w.top}–${w.bottom}px) is on the ${w.vh}px screen`);
    });

    test('jumped to by its address (#error-summary), it is seen whole', async () => {
      await view.page.evaluate(() => { window.scrollTo(0, document.body.scrollHeight); });
      await view.page.evaluate(() => { location.hash = ''; location.hash = '#error-summary'; });
      await view.page.evaluate(() => document.getElementById('error-summary').focus({ preventScroll: true }));
      assertSeenWhole(await where(view.page), `${lang}: #error-summary`);
    });
  });
}

// Without the script the browser alone follows the link: the question's text and the staff
// field's label must still be on the screen, not scrolled away above what the link lands on.
describe('the error summary\'s links without JavaScript, on a phone', () => {
  let view;
  before(async () => {
    view = await newContext(browser, { js: false });
  });
  after(async () => {
    await view.ctx.close();
  });

  test('a link to a question lands on the question, its text on the screen', async () => {
    const res = await server.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(res.status, 201, res.text);
    await view.page.goto(server.base + new URL(res.json.link).pathname);
    await view.page.goto(`${server.base}/borger/video/1`);
    await view.page.locator('form.vejled-answers button[type=submit]').click();
    await view.page.locator('#error-summary').waitFor();
    const links = view.page.locator('#error-summary a');
    const n = await links.count();
    assert.ok(n >= 2, `every unanswered question is listed (${n})`);
    for (let i = 0; i < n; i++) {
      await view.page.evaluate(() => window.scrollTo(0, 0));
      const target = (await links.nth(i).getAttribute('href')).slice(1);
      await links.nth(i).click();
      const w = await questionSeen(view.page, target);
      assert.equal(w.kind, 'FIELDSET', `link ${i + 1} names the question's fieldset`);
      assert.ok(w.top >= 0 && w.bottom <= w.vh, `link ${i + 1}: the question (${w.top}–${w.bottom}px) is on the ${w.vh}px screen`);
    }
  });

  test('a link to a staff form\'s field shows its label, hint and message above it', async () => {
    await view.page.goto(`${server.base}/medarbejder/login`);
    await view.page.getByLabel('Brugernavn').fill('admin');
    await view.page.getByLabel('Adgangskode').fill('demo-vejled-2026');
    await view.page.getByRole('button', { name: 'Log ind' }).click();
    await view.page.waitForURL('**/admin');
    await view.page.goto(`${server.base}/admin/brugere`);
    await view.page.getByRole('button', { name: 'Opret bruger' }).click();
    await view.page.locator('#error-summary').waitFor();
    const links = view.page.locator('#error-summary a');
    const n = await links.count();
    assert.ok(n >= 2, `the missing username and password are listed (${n})`);
    for (let i = 0; i < n; i++) {
      await view.page.evaluate(() => window.scrollTo(0, 0));
      const target = (await links.nth(i).getAttribute('href')).slice(1);
      await links.nth(i).click();
      const w = await view.page.evaluate((id) => {
        const field = document.getElementById(id);
        const group = field.closest('.form-group');
        const label = group.querySelector('label[for="' + id + '"]').getBoundingClientRect();
        const f = field.getBoundingClientRect();
        return { label: label.top, field: f.bottom, scrolled: window.scrollY, vh: window.innerHeight };
      }, target);
      assert.ok(w.scrolled > 0, `link ${i + 1} (#${target}): the page was scrolled to the field`);
      assert.ok(w.label >= 0 && w.field <= w.vh, `link ${i + 1} (#${target}): its label (${w.label}px) and the field (to ${w.field}px) are on the ${w.vh}px screen`);
    }
  });
});
