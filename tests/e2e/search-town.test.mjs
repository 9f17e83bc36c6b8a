// End-to-end: search finds towns and says what a town is (issue 16). Choosing the town
// "Clacton-on-Sea" opens the neighbourhood at its centre, whose panel says that a town covers many
// neighbourhoods and offers the town's council, Tendring, which opens when asked. Runs against
// `cnimap serve` and, with CNIMAP_E2E_TARGET=static, against the static site, where the search
// runs in wasm over the compact index. Run: node --test tests/e2e/search-town.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startServer, stopServer, waitForFirstPaint } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

describe('search and towns (issue 16)', () => {
  test('choosing Clacton-on-Sea opens its centre with a note on towns, and the note opens Tendring', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.base + '/');
    await waitForFirstPaint(page);

    await page.locator('#search-input').fill('Clacton-on-Sea');
    const option = page.locator('.search-option').first();
    await option.waitFor({ timeout: 30_000 });
    const label = await option.textContent();
    assert.match(label, /^Clacton-on-Sea/, 'the town comes first');
    assert.match(label, /Town or village/);
    await option.click();

    const panel = page.getByTestId('area-panel');
    const note = panel.getByTestId('town-note');
    await note.waitFor({ timeout: 30_000 });
    assert.match(await note.textContent(), /Clacton-on-Sea covers many neighbourhoods/);
    assert.match(await panel.locator('.area-name').textContent(), /^Tendring \d{3}[A-Z]$/,
      'the panel shows the neighbourhood at the town centre');

    const council = note.getByTestId('town-council');
    assert.match(await council.textContent(), /Tendring/);
    await council.click();
    await panel.locator('.area-name', { hasText: /^Tendring$/ }).waitFor({ timeout: 30_000 });
    assert.equal(await panel.getByTestId('town-note').count(), 0, 'the council panel has no town note');
    assert.match(page.url(), /E07000076/, 'the URL holds the council');
    await context.close();
  });
});
