// End-to-end checks written with the web app's fixes (issue 9), beside the main suite in
// map.test.mjs: each opens the app in headless Chromium against `cnimap serve` on the national
// data and checks one behaviour a user relies on. Run: node --test tests/e2e/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  getJson, jumpTo, launchBrowser, project, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const PHONE_OPTIONS = { isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

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
async function open(query = '', viewport = DESKTOP, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
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
    assert.ok(requests.some((u) => /\/api\/layers\/lsoa21(\.json)?$/.test(u)), 'the names were requested');
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

  test('on a phone England opens below the top card, and closing the sheet keeps the area in view (issue 9, item 8)', async () => {
    const { context, page } = await open('', PHONE, PHONE_OPTIONS);
    await waitForFirstPaint(page);
    await waitForIdle(page);
    const card = await page.locator('.sidebar').boundingBox();
    const north = await project(page, [-2.03, 55.77]); // Berwick-upon-Tweed
    const south = await project(page, [-5.71, 50.07]); // Land's End
    assert.ok(north.y > card.y + card.height, `the north (y ${north.y}) is below the top card (bottom ${card.y + card.height})`);
    assert.ok(south.y < PHONE.height, `the south (y ${south.y}) is on screen`);
    await context.close();

    const area = await getJson(server.base, `/api/areas/${postcode.lsoa21}`);
    const [w, s, e, n] = area.bbox_wgs84;
    const middle = [(w + e) / 2, (s + n) / 2];
    const phone = await open(`?a=${area.code}`, PHONE, PHONE_OPTIONS);
    const panel = phone.page.getByTestId('area-panel');
    await panel.locator('.area-name').waitFor();
    await waitForIdle(phone.page);
    await phone.page.getByRole('button', { name: 'Close' }).first().click();
    await panel.waitFor({ state: 'detached' });
    await phone.page.waitForTimeout(400);
    await waitForIdle(phone.page);
    const grown = await phone.page.locator('.sidebar').boundingBox();
    const p = await project(phone.page, middle);
    console.log(`after closing: area at y ${p.y}, top card bottom ${grown.y + grown.height}`);
    assert.ok(p.y > grown.y + grown.height && p.y < PHONE.height, `the area (y ${p.y}) is clear of the top card (bottom ${grown.y + grown.height})`);
    await phone.context.close();
  });

  test('the reset control shows the whole of England again (issue 9, item 9)', async () => {
    const { context, page } = await open();
    await waitForFirstPaint(page);
    await jumpTo(page, postcode.point_wgs84, 13);
    const reset = page.locator('button.reset-view');
    assert.equal(await reset.getAttribute('aria-label'), 'Whole of England');
    await reset.click();
    await page.waitForFunction(() => window.cnimap.map.getZoom() < 8 && !window.cnimap.map.isMoving());
    await waitForIdle(page);
    const card = await page.locator('.sidebar').boundingBox();
    const north = await project(page, [-2.03, 55.77]);
    const east = await project(page, [1.76, 52.47]); // Lowestoft
    const west = await project(page, [-5.71, 50.07]);
    assert.ok(west.x > card.x + card.width, `the west (x ${west.x}) is clear of the side card`);
    assert.ok(east.x < DESKTOP.width && north.y > 0, 'the east and the north are on screen');
    await context.close();
  });

  test('Enter on the focused map chooses the area under its crosshair, arrows pan (issue 9, item 10)', async () => {
    const { context, page } = await open();
    await waitForFirstPaint(page);
    await jumpTo(page, postcode.point_wgs84, 14);
    const map = page.locator('.map');
    assert.equal(await map.getAttribute('tabindex'), '0');
    assert.ok((await map.getAttribute('aria-label')).includes('Enter'));
    await map.focus();
    await page.locator('.map-crosshair').waitFor();
    const west = await page.evaluate(() => window.cnimap.map.getCenter().lng);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((before) => window.cnimap.map.getCenter().lng > before + 1e-5, west);
    await waitForIdle(page);
    await jumpTo(page, postcode.point_wgs84, 14);
    await map.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('area-panel');
    await panel.locator('.area-name').waitFor();
    const area = await getJson(server.base, `/api/areas/${postcode.lsoa21}`);
    assert.equal(await panel.locator('.area-name').textContent(), area.name);
    await context.close();
  });
});
