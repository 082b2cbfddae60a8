// Browser test harness: Debian's Chromium, headless, driven by playwright-core, with
// axe-core for accessibility.  The server comes from the HTTP harness (the real binary on
// a free loopback port with a temporary database).
//
// Pages are checked twice over: a context with JavaScript off (what a citizen on an old
// phone or with scripts blocked gets) and one with it on (no console errors, no failed
// requests).  axe-core cannot run inside a page whose scripts are disabled, so for a
// JavaScript-off page the harness takes the page's HTML as the browser received it and
// audits that, unchanged, in a scratch page of a JavaScript-on context in which every
// script the page itself would load is blocked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export { startServer, freshCpr, enrolBody, cli, sqlite } from '../http/harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// Debian's headless shell of Chromium (the same Blink and V8 as /usr/bin/chromium, without
// the desktop browser's window, compositor and extra processes): on two cores the suite
// takes 0.6 times as long as with the full browser.  CHROMIUM=/usr/bin/chromium runs it
// on the full browser; the screenshots (scripts/shots.mjs) are taken with that one.
export const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
export const FULL_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM = process.env.CHROMIUM || HEADLESS_SHELL;

/** A small phone: the citizen's most likely screen. */
export const PHONE = { width: 360, height: 740 };

/** Launches headless Chromium (executable: default CHROMIUM); close it in after(). */
export async function launch(executable = CHROMIUM) {
  return chromium.launch({
    executablePath: executable,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context with a record of what went wrong in it: console errors, uncaught page
 * errors and responses of 400 or more (expected ones are listed by the test and checked
 * separately).
 */
export async function newContext(browser, { js = true, viewport = PHONE, locale = 'da-DK' } = {}) {
  const ctx = await browser.newContext({ javaScriptEnabled: js, viewport, locale });
  const problems = [];
  ctx.on('page', (page) => watch(page, problems));
  // a page that is not as expected fails within seconds, not after half a minute
  ctx.setDefaultTimeout(Number(process.env.BROWSER_TIMEOUT_MS || 5000));
  const page = await ctx.newPage();
  return { ctx, page, problems, js };
}

function watch(page, problems) {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} (${page.url()})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
}

/** Runs axe in page (scripts enabled) and returns its violations. */
async function axeIn(page) {
  await page.evaluate(AXE_SOURCE);
  // only the violations are read: axe then skips gathering the passes' nodes (a third of
  // its time per page)
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  return result.violations;
}

function describe(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`)
    .join('\n');
}

let scratch = null; // one JS-on context for auditing JS-off pages, shared per browser

/**
 * Asserts 0 WCAG 2.1 A/AA violations on the page as it is now.  what names the page in
 * the failure message.
 */
export async function assertAccessible(view, what) {
  let violations;
  if (view.js) {
    violations = await axeIn(view.page);
  } else {
    const browser = view.ctx.browser();
    if (!scratch || scratch.browser !== browser) {
      // one page, kept: a new page per audit cost a renderer each time
      const ctx = await browser.newContext({ javaScriptEnabled: true, viewport: PHONE });
      const page = await ctx.newPage();
      scratch = { browser, ctx, page, audited: null };
      await page.route('**/*', async (route) => {
        const req = route.request();
        const a = scratch && scratch.audited;
        if (a && req.url() === a.url && req.resourceType() === 'document') {
          return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: a.html });
        }
        if (req.resourceType() === 'script') return route.abort();
        return route.continue();
      });
    }
    scratch.audited = { url: view.page.url(), html: await view.page.content() };
    try {
      await scratch.page.goto('about:blank'); // a new document even when only a #fragment differs
      await scratch.page.goto(scratch.audited.url, { waitUntil: 'load' });
      violations = await axeIn(scratch.page);
    } finally {
      scratch.audited = null;
    }
  }
  assert.equal(violations.length, 0, `${what}: axe WCAG 2.1 AA violations:\n${describe(violations)}`);
}

/** Fails when the page is wider than the viewport (sideways scrolling on a phone). */
export async function assertFitsWidth(view, what) {
  const { scroll, width } = await view.page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${what}: page is ${scroll}px wide on a ${width}px screen`);
}

/** Closes the scratch context of a browser (call before browser.close()). */
export async function closeScratch() {
  if (scratch) await scratch.ctx.close().catch(() => {});
  scratch = null;
}

/** Closes what a browser test file opened: the scratch context, the browser, the server
 * (each may be missing when its start failed). */
export async function closeAll(browser, server) {
  await closeScratch();
  if (browser) await browser.close();
  if (server) {
    await server.stop();
    await server.cleanup();
  }
}

/** A short H.264 MP4 (ffmpeg, an even colour; with audio a sine tone in AAC) at file: the
 * video page then has a player that really plays. */
export function makeVideo(file, { seconds = 2, fps = 10, audio = false } = {}) {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x1f4e5f:s=320x180:r=${fps}:d=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=44100:duration=${seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-profile:v', 'main', '-g', String(fps), '-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-t', String(seconds));
  args.push('-movflags', '+faststart', file);
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `ffmpeg: ${r.stderr}`);
}
