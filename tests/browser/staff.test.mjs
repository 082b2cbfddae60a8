// The staff web in a real browser (headless Chromium): a caseworker logs in, finds a
// citizen who answered, sees the focus topics and records the meeting; an administrator
// edits a draft and publishes it.  Every staff page (also with its error summary showing)
// is audited with axe-core: WCAG 2.1 A and AA, 0 violations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  assertAccessible, assertFitsWidth, closeAll, launch, newContext, sqlite, startServer,
} from './harness.mjs';
import { citizenAnswers, enrolCitizen, meetingNow } from '../http/staffkit.mjs';

const PASSWORD = 'demo-vejled-2026';
const DESKTOP = { width: 1280, height: 900 };

let server;
let browser;
let citizen;

before(async () => {
  server = await startServer({ config: '[content]\nmedia_dir = {dir}/media\n' });
  fs.mkdirSync(path.join(server.dir, 'media'));
  citizen = await enrolCitizen(server, { caseworker: 'cw1' }, 'Birgitte Browsertest');
  await citizenAnswers(server, citizen);
  browser = await launch();
});

after(() => closeAll(browser, server));

async function login(view, username) {
  await view.page.goto(`${server.base}/medarbejder/login`);
  await view.page.getByLabel('Brugernavn').fill(username);
  await view.page.getByLabel('Adgangskode').fill(PASSWORD);
  await view.page.getByRole('button', { name: 'Log ind' }).click();
}

async function audit(view, what, { fit = true } = {}) {
  await assertAccessible(view, what);
  if (fit) await assertFitsWidth(view, what);
}

for (const js of [false, true]) {
  describe(`caseworker, JavaScript ${js ? 'on' : 'off'}`, () => {
    let view;
    before(async () => {
      view = await newContext(browser, { js, viewport: DESKTOP });
    });
    after(async () => {
      await view.ctx.close();
    });

    test('a wrong password shows the error summary on top; the login page is accessible', async () => {
      await view.page.goto(`${server.base}/medarbejder/login`);
      await audit(view, 'login');
      await view.page.getByLabel('Brugernavn').fill('cw1');
      await view.page.getByLabel('Adgangskode').fill('wrong-password');
      await view.page.getByRole('button', { name: 'Log ind' }).click();
      await view.page.locator('#error-summary').waitFor();
      assert.match(await view.page.locator('#error-summary').innerText(), /Brugernavn eller adgangskode er forkert/);
      await audit(view, 'login with errors');
      sqlite(server.db, "DELETE FROM login_failures WHERE user_id = (SELECT id FROM users WHERE username = 'cw1')");
    });

    test('logs in, finds the citizen by name, sees the focus topics, records the meeting', async () => {
      await login(view, 'cw1');
      await view.page.waitForURL('**/medarbejder/borgere');
      await audit(view, 'my citizens');
      // the search is folded away under the list until it is opened
      assert.equal(await view.page.getByLabel('Navn (eller en del af det)').isVisible(), false);
      await view.page.locator('details.vejled-filters > summary').click();
      await view.page.getByLabel('Navn (eller en del af det)').fill('browsertest');
      await view.page.getByRole('button', { name: 'Søg', exact: true }).click();
      const link = view.page.getByRole('link', { name: 'Birgitte Browsertest' });
      await link.waitFor();
      await audit(view, 'search result');
      await link.click();
      await view.page.waitForURL(`**/medarbejder/borger/${citizen.citizen_id}`);
      const api = (await server.api('GET', `/api/v1/enrolments/${citizen.enrolment_id}`)).json;
      assert.ok(api.focus_topics.length > 0);
      const focus = view.page.locator('.vejled-focus-list').first();
      for (const t of api.focus_topics) assert.ok((await focus.innerText()).includes(t), t);
      await audit(view, 'citizen page', { fit: false });
      await view.page.getByRole('link', { name: /^(Registrér mødet|Ret det registrerede møde)$/ }).first().click();
      await view.page.waitForURL(`**/moede?forloeb=${citizen.enrolment_id}`);
      await audit(view, 'meeting form');
      // oral guidance is a choice the caseworker makes: neither answer is chosen on load
      const yes = view.page.getByLabel('Ja, borgeren har fået mundtlig vejledning');
      const no = view.page.getByLabel('Nej, borgeren har ikke fået mundtlig vejledning');
      assert.equal(await yes.isChecked(), false);
      assert.equal(await no.isChecked(), false);
      assert.equal(await view.page.locator('input[type=checkbox]').count(), 0);
      const journalBefore = (await server.api('GET', `/api/v1/citizens/${citizen.citizen_id}/journal`)).json.entries.length;
      // no choice: the error summary links to the question, nothing is stored
      const when = meetingNow();
      await view.page.getByLabel('Dato for mødet').fill(when.dato);
      await view.page.getByLabel('Tidspunkt').fill(when.tid);
      await view.page.getByRole('button', { name: 'Gem mødet' }).click();
      await view.page.locator('#error-summary').waitFor();
      const summary = view.page.locator('#error-summary');
      assert.match(await summary.innerText(), /Der er problemer/);
      assert.match(await summary.innerText(), /Vælg, om borgeren har fået mundtlig vejledning/);
      assert.equal(await summary.locator('a').first().getAttribute('href'), '#mundtlig');
      assert.equal(await yes.isChecked(), false);
      assert.equal(await no.isChecked(), false);
      await audit(view, 'meeting form without a choice');
      assert.equal((await server.api('GET', `/api/v1/citizens/${citizen.citizen_id}/journal`)).json.entries.length, journalBefore,
        'nothing recorded');
      // a date in the future: error summary, nothing stored
      await view.page.getByLabel('Dato for mødet').fill('2099-01-01');
      await yes.check();
      await view.page.getByRole('button', { name: 'Gem mødet' }).click();
      await view.page.locator('#error-summary').waitFor();
      await audit(view, 'meeting form with errors');
      await view.page.getByLabel('Dato for mødet').fill(when.dato);
      await view.page.getByLabel('Tidspunkt').fill(when.tid);
      await view.page.getByLabel(/Notat/).fill(`Ekstra vejledning om rådighed (${js ? 'js' : 'nojs'})`);
      await view.page.getByLabel('Ja, borgeren har fået mundtlig vejledning').check();
      await view.page.getByRole('button', { name: 'Gem mødet' }).click();
      await view.page.waitForURL(`**/medarbejder/borger/${citizen.citizen_id}?gemt=moede&forloeb=${citizen.enrolment_id}`);
      const saved = await view.page.locator('#gemt').innerText();
      assert.match(saved, /Mødet er registreret/);
      assert.match(saved, /Mundtlig vejledning givet\s+Ja/);
      assert.match(saved, new RegExp(`Ekstra vejledning om rådighed \\(${js ? 'js' : 'nojs'}\\)`));
      assert.match(saved, /Demo Sagsbehandler Nord \(cw1\)/);
      assert.match(await view.page.locator('main').innerText(), /Møde registreret/);
      await audit(view, 'citizen page after the meeting', { fit: false });
      const e = (await server.api('GET', `/api/v1/enrolments/${citizen.enrolment_id}`)).json;
      assert.equal(e.oral_guidance_recorded, true);
    });

    test('sends the citizen a new link by letter; the page confirms it and never shows the link', async () => {
      await view.page.goto(`${server.base}/medarbejder/borger/${citizen.citizen_id}`);
      const state = view.page.locator('.vejled-link').first();
      assert.match(await state.innerText(), /Åbnet/);
      const issuedBefore = (await server.api('GET', `/api/v1/citizens/${citizen.citizen_id}/journal`)).json.entries
        .filter((x) => x.kind === 'link_issued').length;
      await view.page.getByRole('button', { name: 'Send et nyt link til borgeren' }).first().click();
      await view.page.waitForURL(`**/medarbejder/borger/${citizen.citizen_id}?gemt=link&forloeb=${citizen.enrolment_id}`);
      assert.match(await view.page.locator('#gemt').innerText(), /Der er udstedt et nyt link/);
      assert.ok(!(await view.page.content()).includes('/v/'), 'the link is not on the page');
      await audit(view, 'citizen page after a new link', { fit: false });
      const issued = (await server.api('GET', `/api/v1/citizens/${citizen.citizen_id}/journal`)).json.entries
        .filter((x) => x.kind === 'link_issued');
      assert.equal(issued.length, issuedBefore + 1);
      assert.equal(issued.at(-1).actor, 'cw1');
    });

    test('training mode pages are accessible', async () => {
      await view.page.goto(`${server.base}/medarbejder/traening`);
      await audit(view, 'training');
      await view.page.getByRole('link', { name: /Dagpenge/ }).first().click();
      await audit(view, 'training group');
      await view.page.goto(`${server.base}/medarbejder/traening/dagpenge/1`);
      await audit(view, 'training video');
    });
  });
}

describe('administrator', () => {
  let view;
  before(async () => {
    view = await newContext(browser, { js: true, viewport: DESKTOP });
  });
  after(async () => {
    await view.ctx.close();
  });

  test('every administration page is accessible, also with its error summary', async () => {
    await login(view, 'admin');
    await view.page.waitForURL('**/admin');
    await audit(view, 'admin home');
    for (const p of ['/admin/brugere', '/admin/noegler', '/admin/grupper', '/admin/pakker']) {
      await view.page.goto(server.base + p);
      await audit(view, p);
    }
    await view.page.goto(`${server.base}/admin/brugere`);
    await view.page.getByRole('button', { name: 'Opret bruger' }).click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'users with errors');
    // a caseworker without a unit: what happened, and that they will see no citizens
    await view.page.getByLabel('Brugernavn').fill('uden-enhed');
    await view.page.getByLabel('Adgangskode').fill('a-good-password-1');
    await view.page.getByRole('button', { name: 'Opret bruger' }).click();
    await view.page.locator('#no-unit').waitFor();
    assert.equal(await view.page.locator('#done').innerText(), 'Brugeren uden-enhed er oprettet.');
    await audit(view, 'user created without a unit');
    await view.page.goto(`${server.base}/admin/brugere`);
    await view.page.getByRole('link', { name: 'cw1' }).click();
    await audit(view, 'one user');
    await view.page.goto(`${server.base}/admin/noegler`);
    await view.page.getByLabel('Navn på nøglen').fill('Browser-test');
    await view.page.getByRole('button', { name: 'Opret nøgle' }).click();
    await view.page.locator('.vejled-key').waitFor();
    await audit(view, 'new API key');
    // revoking asks first, then says which key was revoked
    await view.page.getByRole('button', { name: 'Spær Browser-test' }).click();
    await view.page.getByRole('heading', { name: 'Spær API-nøglen – er du sikker?' }).waitFor();
    await audit(view, 'revoke an API key: the confirmation');
    await view.page.getByRole('button', { name: 'Ja, spær nøglen' }).click();
    await view.page.locator('#revoked').waitFor();
    assert.match(await view.page.locator('#revoked').innerText(), /Browser-test/);
    await audit(view, 'API key revoked');
    await view.page.goto(`${server.base}/admin/grupper`);
    await view.page.locator('#resend-dagpenge').fill('99');
    await view.page.locator('form[action="/admin/grupper/dagpenge"] button').click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'groups with errors');
    await view.page.goto(`${server.base}/admin/adgangslog/${citizen.citizen_id}`);
    await audit(view, 'access log');
  });

  test('a locked account\'s page (lock, unlock button, account log) is accessible; unlocking shows', async () => {
    const id = sqlite(server.db, "SELECT id FROM users WHERE username = 'cw2'").trim();
    sqlite(server.db, "UPDATE users SET locked_until = strftime('%s') + 900 WHERE username = 'cw2'; " +
      `INSERT INTO account_log(at, user_id, username, event, actor, until) VALUES (strftime('%s'), ${id}, 'cw2', 'locked', 'system', strftime('%s') + 900)`);
    await view.page.goto(`${server.base}/admin/brugere/${id}`);
    await view.page.getByText('Kontoen er låst').waitFor();
    await audit(view, 'locked user');
    await view.page.getByRole('button', { name: 'Lås kontoen op' }).click();
    await view.page.getByText('Kontoen er ikke låst.').waitFor();
    await view.page.locator('.vejled-account-log').getByText('Låst op').waitFor();
    await audit(view, 'unlocked user with its account log');
    assert.equal(sqlite(server.db, "SELECT locked_until FROM users WHERE username = 'cw2'").trim(), '0');
  });

  test('edits a draft and publishes it', async () => {
    await view.page.goto(`${server.base}/admin/pakker`);
    await view.page.getByRole('button', { name: /Lav kladde fra udgivet version Dagpenge/ }).click();
    await view.page.waitForURL(/\/admin\/pakke\/\d+$/);
    const draft = /\/admin\/pakke\/(\d+)$/.exec(view.page.url())[1];
    await audit(view, 'draft');
    await view.page.getByLabel('Skriftlig vejledning (dansk)').fill('');
    await view.page.getByRole('button', { name: 'Gem', exact: true }).click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'draft with errors');
    await view.page.getByLabel('Skriftlig vejledning (dansk)').fill('Den nye skriftlige vejledning.');
    await view.page.getByRole('button', { name: 'Gem', exact: true }).click();
    await view.page.waitForURL(`**/admin/pakke/${draft}`);
    await view.page.locator('#video-list a').first().click();
    await view.page.waitForURL(`**/admin/pakke/${draft}/video/1`);
    await audit(view, 'video form');
    await view.page.getByLabel('Titel (dansk)').fill('');
    await view.page.getByRole('button', { name: 'Gem', exact: true }).click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'video form with errors');
    await view.page.getByLabel('Titel (dansk)').fill('En helt ny titel');
    await view.page.getByRole('button', { name: 'Gem', exact: true }).click();
    await view.page.locator('#error-summary').waitFor({ state: 'detached', timeout: 3000 }).catch(async (e) => { throw new Error(await view.page.locator('#error-summary').innerText()); });
    // a new question with two options, through the add forms
    await view.page.goto(`${server.base}/admin/pakke/${draft}/video/1`);
    await view.page.getByRole('link', { name: 'Tilføj et spørgsmål' }).click();
    await view.page.waitForURL(`**/admin/pakke/${draft}/video/1/spoergsmaal/ny`);
    await audit(view, 'add a question');
    await view.page.getByRole('button', { name: 'Tilføj et spørgsmål' }).click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'add a question with errors');
    await view.page.getByLabel('Spørgsmål (dansk)').fill('Browser-spørgsmål: hvad gælder?');
    await view.page.getByLabel('Emne (dansk)').fill('Browser-emne');
    await view.page.getByLabel('Forklaring af det rigtige svar (dansk)').fill('Fordi begge gælder.');
    await view.page.getByLabel('Flere rigtige svar').check();
    await view.page.getByRole('button', { name: 'Tilføj et spørgsmål' }).click();
    await view.page.waitForURL(`**/admin/pakke/${draft}/video/1`);
    await audit(view, 'video form with a new question');
    for (const [text, right] of [['Det første svar', true], ['Det andet svar', false]]) {
      await view.page.getByRole('link', { name: /Tilføj en svarmulighed/ }).last().click();
      await view.page.waitForURL(/\/svar\/ny$/);
      if (right) {
        await audit(view, 'add an option');
        await view.page.getByRole('button', { name: 'Tilføj en svarmulighed' }).click();
        await view.page.locator('#error-summary').waitFor();
        await audit(view, 'add an option with errors');
      }
      await view.page.getByLabel('Svarmulighed (dansk)').fill(text);
      if (right) await view.page.getByLabel('Rigtigt svar').check();
      await view.page.getByRole('button', { name: 'Tilføj en svarmulighed' }).click();
      await view.page.waitForURL(`**/admin/pakke/${draft}/video/1`);
    }
    assert.match(await view.page.locator('main').innerText(), /Det andet svar/);
    await view.page.goto(`${server.base}/admin/pakke/${draft}/video/ny`);
    await audit(view, 'add a video');
    await view.page.getByRole('button', { name: 'Tilføj en video' }).click();
    await view.page.locator('#error-summary').waitFor();
    await audit(view, 'add a video with errors');
    await view.page.goto(`${server.base}/admin/pakke/${draft}/vis`);
    assert.match(await view.page.locator('main').innerText(), /En helt ny titel/);
    await audit(view, 'preview');
    await view.page.goto(`${server.base}/admin/pakke/${draft}/vis/1`);
    await audit(view, 'preview video');
    await view.page.goto(`${server.base}/admin/pakke/${draft}`);
    await view.page.getByRole('button', { name: 'Udgiv kladden' }).click();
    // a confirmation step with the changes, before anything is published
    await view.page.getByRole('heading', { level: 1, name: 'Udgiv – tjek ændringerne' }).waitFor();
    assert.match(await view.page.locator('main').innerText(), /En helt ny titel/);
    assert.equal(sqlite(server.db, `SELECT state FROM packs WHERE id = ${draft}`).trim(), 'draft');
    await audit(view, 'publish confirmation');
    await view.page.getByRole('button', { name: 'Ja, udgiv nu' }).click();
    await view.page.waitForURL('**/admin/pakker');
    assert.equal(sqlite(server.db, `SELECT state FROM packs WHERE id = ${draft}`).trim(), 'published');
    const fresh = await enrolCitizen(server, { caseworker: 'cw1' });
    const e = (await server.api('GET', `/api/v1/enrolments/${fresh.enrolment_id}`)).json;
    assert.equal(e.videos[0].title, 'En helt ny titel');
    assert.equal(sqlite(server.db, `SELECT q.kind || ':' || group_concat(o.text_da || '=' || o.correct, ',') FROM questions q JOIN videos v ON v.id = q.video_id JOIN options o ON o.question_id = q.id WHERE v.pack_id = ${draft} AND v.position = 1 AND q.text_da LIKE 'Browser-spørgsmål%' GROUP BY q.id`).trim(),
      'multiple:Det første svar=1,Det andet svar=0', 'the added question and its options are published');
    const old = (await server.api('GET', `/api/v1/enrolments/${citizen.enrolment_id}`)).json;
    assert.notEqual(old.videos[0].title, 'En helt ny titel');
  });
});
