// End-to-end tests of the cnimap web app in real headless Chromium against `cnimap serve` on the
// national data. Run: node --test tests/e2e/ (after cargo build --release -p cnimap-server and
// scripts/build-web.sh).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SCREENSHOTS, countNear, ensureScreenshotDir, fillOnly, getJson, insidePoint, jumpTo,
  launchBrowser, legendColour, parseColour, pixelsAround, startServer, stopServer,
  waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const POSTCODE = 'CO15 2EQ';
const POSTCODE_LSOA_NAME = 'Tendring 018A';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

let server;
let browser;
/** The postcode's search hit, area detail and IMD 2025 / CNI 2023 values, from the API. */
let known;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const search = await getJson(server.base, `/api/search?q=${encodeURIComponent(POSTCODE)}`);
  const hit = search.hits.find((h) => h.kind === 'postcode');
  assert.ok(hit, `the API finds ${POSTCODE}`);
  assert.ok(hit.lsoa21 && hit.point_wgs84, 'the postcode hit has an LSOA and a point');
  const area = await getJson(server.base, `/api/areas/${hit.lsoa21}`);
  const imd = await getJson(server.base, '/api/values/lsoa21/imd2025');
  const income = await getJson(server.base, '/api/values/lsoa21/imd2025_income');
  known = { hit, area, imd, income };
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
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.base + '/' + query);
  return { context, page, requests, errors };
}

describe('the map', () => {
  test('draws England in class colours: the pixel over a known area has its decile colour', async () => {
    const { context, page, errors } = await open();
    const ms = await waitForFirstPaint(page);
    console.log(`first choropleth painted ${ms.toFixed(0)} ms after navigation start`);
    await waitForIdle(page);
    ensureScreenshotDir();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-england.png') });

    // Non-blank: the England view shows many distinct colours.
    const sample = await pixelsAround(page, { x: 800, y: 450 }, 41);
    const distinct = new Set(sample.map((p) => p.join(','))).size;
    assert.ok(distinct > 5, `the canvas shows several colours (saw ${distinct})`);

    await jumpTo(page, known.hit.point_wgs84, 14);
    await fillOnly(page);
    const decile = known.imd.decile[known.area.feature_index];
    assert.ok(decile >= 1 && decile <= 10, 'the known area has a decile');
    const expected = await legendColour(page, decile);
    const pixels = await pixelsAround(page, await insidePoint(page, known.hit.point_wgs84, 'lsoa21-fill', known.area.feature_index));
    assert.ok(
      countNear(pixels, expected) >= 20,
      `most pixels at ${POSTCODE} have decile ${decile}'s colour ${expected}; saw ${JSON.stringify(pixels.slice(0, 5))}`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('switching indicator recolours the map from one values request and no tile request', async () => {
    const { context, page, requests } = await open();
    await waitForFirstPaint(page);
    await jumpTo(page, known.hit.point_wgs84, 14);
    await fillOnly(page);
    const before = requests.length;
    await page.selectOption('#indicator', 'imd2025_income');
    await page.waitForFunction(() => document.querySelector('.legend-title')?.textContent === 'Income');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=decile-legend] .count')?.textContent.includes('…'),
    );
    await fillOnly(page);
    const after = requests.slice(before);
    assert.ok(after.some((u) => u.includes('/api/values/lsoa21/imd2025_income')), 'the income values were fetched');
    assert.deepEqual(after.filter((u) => u.includes('/tiles/')), [], 'no tile was requested');
    const decile = known.income.decile[known.area.feature_index];
    const expected = await legendColour(page, decile);
    const pixels = await pixelsAround(page, await insidePoint(page, known.hit.point_wgs84, 'lsoa21-fill', known.area.feature_index));
    assert.ok(
      countNear(pixels, expected) >= 20,
      `the area now has income decile ${decile}'s colour ${expected}; saw ${JSON.stringify(pixels)}`,
    );
    assert.match(page.url(), /i=imd2025_income/);
    await context.close();
  });

  test(`searching ${POSTCODE} by keyboard opens the panel for ${POSTCODE_LSOA_NAME}`, async () => {
    const { context, page } = await open();
    await waitForFirstPaint(page);
    const input = page.locator('#search-input');
    await input.fill(POSTCODE);
    await page.waitForSelector('#search-results [role=option]');
    await input.press('ArrowDown');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'search-option-0');
    await input.press('Enter');
    const panel = page.getByTestId('area-panel');
    await panel.locator('.area-name').waitFor();
    assert.equal(await panel.locator('.area-name').textContent(), POSTCODE_LSOA_NAME);
    const text = await panel.textContent();
    assert.match(text, /of 33,755/);
    assert.match(text, /Left behind|Not left behind/);
    await page.waitForFunction((code) => location.search.includes(`a=${code}`), known.area.code);
    await waitForIdle(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-area.png') });
    // Escape in the map closes the panel.
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await context.close();
  });

  test('nothing found and a postcode missing from the data are said plainly', async () => {
    const { context, page } = await open();
    await waitForFirstPaint(page);
    const input = page.locator('#search-input');
    await input.fill('qqqzzzxxyy');
    await page.waitForFunction(() => /Nothing/.test(document.querySelector('.search-status')?.textContent || ''));
    await input.fill('CO15 9QX');
    await page.waitForFunction(() => /CO15 9QX/.test(document.querySelector('.search-status')?.textContent || ''));
    await context.close();
  });

  test('an unreachable server is reported', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.goto(server.base + '/');
    await page.waitForFunction(() => /could not be reached/.test(document.querySelector('[role=alert]')?.textContent || ''));
    await context.close();
  });

  test('the URL holds the whole view: reloading it opens the same view', async () => {
    const code = known.area.code;
    const query = `?i=cni2023_civic&a=${code}&h=2,3&c=1.1500,51.7900,12.50`;
    const first = await open(query);
    await waitForFirstPaint(first.page);
    await first.page.getByTestId('area-panel').locator('.area-name').waitFor();
    await waitForIdle(first.page);
    const url = first.page.url();
    await first.context.close();
    const second = await open(new URL(url).search);
    await waitForFirstPaint(second.page);
    const state = await second.page.evaluate(() => {
      const m = window.cnimap.map;
      return { lng: m.getCenter().lng, lat: m.getCenter().lat, zoom: m.getZoom() };
    });
    assert.ok(Math.abs(state.lng - 1.15) < 1e-3 && Math.abs(state.lat - 51.79) < 1e-3, JSON.stringify(state));
    assert.ok(Math.abs(state.zoom - 12.5) < 1e-2);
    assert.equal(await second.page.inputValue('#indicator'), 'cni2023_civic');
    assert.equal(await second.page.getByTestId('area-panel').locator('.area-name').textContent(), POSTCODE_LSOA_NAME);
    const pressed = await second.page.locator('[data-testid=decile-legend] button').evaluateAll(
      (bs) => bs.map((b) => b.getAttribute('aria-pressed')),
    );
    assert.deepEqual(pressed.map((p, i) => [i + 1, p]).filter(([, p]) => p === 'false').map(([d]) => d), [2, 3]);
    await second.context.close();
  });

  test('the bivariate view colours areas with the nine legend colours and counts every area', async () => {
    const { context, page } = await open('?v=bivariate');
    await waitForFirstPaint(page);
    await page.waitForFunction(() => !document.querySelector('[data-testid=bivariate-legend]')?.textContent.includes('…'));
    const cells = page.locator('[data-testid=bivariate-legend] button');
    assert.equal(await cells.count(), 9);
    const counts = (await cells.allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    const both = known.imd.rank.filter((r) => r !== null).length;
    assert.ok(counts.reduce((a, b) => a + b, 0) <= both && counts.every((c) => c > 0), JSON.stringify(counts));
    const colours = await cells.evaluateAll((bs) => bs.map((b) => getComputedStyle(b).backgroundColor));
    await jumpTo(page, [-0.35, 51.72], 8.6);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-bivariate.png') });
    await jumpTo(page, known.hit.point_wgs84, 14);
    await fillOnly(page);
    const pixels = await pixelsAround(page, await insidePoint(page, known.hit.point_wgs84, 'lsoa21-fill', known.area.feature_index));
    const best = Math.max(...colours.map((c) => countNear(pixels, parseColour(c))));
    assert.ok(best >= 20, 'the known area shows one of the nine class colours');
    await context.close();
  });

  test('the left-behind view counts 1,262 neighbourhoods at 10% and lists them', async () => {
    const { context, page } = await open('?v=left-behind');
    await waitForFirstPaint(page);
    const count = page.getByTestId('left-behind-count');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=left-behind-count]')?.textContent || ''));
    assert.equal(await count.textContent(), '1,262');
    await page.getByTestId('left-behind-list').locator('li').first().waitFor();
    assert.equal(await page.getByTestId('left-behind-list').locator('li').count(), 1262);
    await page.locator('#threshold').fill('20');
    await page.waitForFunction(() => document.querySelector('[data-testid=left-behind-count]').textContent !== '1,262');
    const at20 = Number((await count.textContent()).replace(/,/g, ''));
    assert.ok(at20 > 1262, `more areas at 20% (${at20})`);
    assert.match(page.url(), /t=20/);
    await page.locator('#threshold').fill('10');
    await page.waitForFunction(() => document.querySelector('[data-testid=left-behind-count]').textContent === '1,262');
    await jumpTo(page, [-1.75, 54.2], 7.4);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-left-behind.png') });
    await page.getByTestId('left-behind-list').locator('button').first().click();
    await page.getByTestId('area-panel').locator('.left-behind-status').waitFor();
    assert.match(await page.getByTestId('area-panel').locator('.left-behind-status').textContent(), /^Left behind/);
    await context.close();
  });

  test('on a 375 px phone the area panel is a bottom sheet', async () => {
    const { context, page } = await open(`?a=${known.area.code}`, PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await waitForFirstPaint(page);
    const panel = page.getByTestId('area-panel');
    await panel.locator('.area-name').waitFor();
    const box = await panel.boundingBox();
    assert.ok(box, 'the panel is visible');
    assert.equal(Math.round(box.x), 0);
    assert.equal(Math.round(box.width), PHONE.width);
    assert.equal(Math.round(box.y + box.height), PHONE.height, 'the sheet sits on the bottom edge');
    assert.ok(box.height < PHONE.height * 0.7, 'the map stays visible above the sheet');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= PHONE.width, 'nothing overflows sideways');
    await waitForIdle(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-area.png') });
    // Closing the sheet brings the controls back.
    await panel.getByRole('button', { name: /^Close/ }).click(); // "Close" (web-contract.md) or the older "Close area details"
    await panel.waitFor({ state: 'detached' });
    assert.ok(await page.locator('#indicator').isVisible(), 'the indicator picker is back');
    const fresh = await context.newPage();
    await fresh.goto(`${server.base}/?c=-0.1000,51.4500,9.20`);
    await waitForFirstPaint(fresh);
    await waitForIdle(fresh);
    await fresh.screenshot({ path: path.join(SCREENSHOTS, 'phone-map.png') });
    // The first view on a phone: all of England below the top card.
    await fresh.goto(`${server.base}/`);
    await waitForFirstPaint(fresh);
    await waitForIdle(fresh);
    await fresh.screenshot({ path: path.join(SCREENSHOTS, 'phone-england.png') });
    await context.close();
  });
});
