// End-to-end checks written with the web app's fixes (issue 9), beside the main suite in
// map.test.mjs: each opens the app in headless Chromium against `cnimap serve` on the national
// data and checks one behaviour a user relies on. Run: node --test tests/e2e/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  getJson, jumpTo, launchBrowser, project, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };

let server;
let browser;
/** The search hit of a known postcode. */
let postcode;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const search = await getJson(server.base, `/api/search?q=${encodeURIComponent('CO15 2EQ')}`);
  postcode = search.hits.find((h) => h.kind === 'postcode');
  assert.ok(postcode?.point_wgs84, 'the API finds CO15 2EQ');
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** Opens the app and records every request it makes. */
async function open(query = '', viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(server.base + '/' + query);
  return { context, page, requests };
}

describe('the web app', () => {
  test('the left-behind list loads after the IMD x CNI view (issue 9, item 2)', async () => {
    const { context, page, requests } = await open();
    await waitForFirstPaint(page);
    await page.getByRole('tab', { name: 'IMD × CNI' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=bivariate-legend]')?.textContent.includes('…'));
    await page.getByRole('tab', { name: 'Left behind' }).click();
    await page.getByTestId('left-behind-list').locator('li').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('left-behind-list').locator('li').count(), 1262);
    assert.ok(requests.some((u) => u.endsWith('/api/layers/lsoa21')), 'the names were requested');
    await context.close();
  });

  test('Back closes the panel a click opened, and Forward opens it again (issue 9, item 7)', async () => {
    const { context, page } = await open();
    await waitForFirstPaint(page);
    await jumpTo(page, postcode.point_wgs84, 14);
    const before = page.url();
    const { x, y } = await project(page, postcode.point_wgs84);
    await page.mouse.click(x, y);
    const panel = page.getByTestId('area-panel');
    await panel.locator('.area-name').waitFor();
    await page.waitForFunction(() => location.search.includes('a='));
    await page.goBack();
    await panel.waitFor({ state: 'detached' });
    assert.equal(page.url(), before, 'Back returns to the map without the area, in the app');
    await page.goForward();
    await panel.locator('.area-name').waitFor();
    await waitForIdle(page);
    await context.close();
  });
});
