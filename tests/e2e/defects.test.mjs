// One end-to-end test per defect of issue 9 ("What a resident and an officer tripped over in the
// map"), each asserting what would have caught it, in real headless Chromium against
// `cnimap serve` on the national data. Selectors of new controls follow /work/notes/web-contract.md.
// Run: node --test --test-concurrency=1 tests/e2e/defects.test.mjs (after cargo build --release
// -p cnimap-server and scripts/build-web.sh). Screenshots measured here are left in DEBUG_SHOTS.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DEBUG_SHOTS, afterCameraMove, colourDistance, debugShot, getJson, insideAny, insidePoint, jumpTo,
  launchBrowser, legendColours, nearAny, openApp, parseColour, pixelAt, projectAll,
  screenshotPixels, searchAndPick, startServer, stopServer, visibleRects, waitForFirstPaint,
  waitForIdle,
} from './helpers.mjs';

const POSTCODE = 'CO15 2EQ';
const POSTCODE_LSOA_NAME = 'Tendring 018A';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const PHONE_OPTIONS = { isMobile: true, hasTouch: true };
/** What covers the map: the cards and MapLibre's controls. */
const COVERS = '.sidebar, .panel, .maplibregl-ctrl';
/** England's extreme points: north (Marshall Meadows), west (Land's End), east (Lowestoft Ness), south (Lizard Point). */
const ENGLAND_EXTREMES = {
  north: [-2.034, 55.811],
  west: [-5.714, 50.066],
  east: [1.762, 52.481],
  south: [-5.206, 49.959],
};
const HASTINGS = 'Hastings 008A';
const TENDRING_LAD = 'E07000076';
const EAST_OF_ENGLAND = 'E12000006';

let server;
let browser;
/** Facts from the API that the tests compare the page against. */
let known;

/** Feature indices of the areas within the worst `percent`% on both ranks (the left-behind rule). */
function leftBehind(imd, cni, percent) {
  const cutImd = Math.floor((imd.n_ranked * percent) / 100);
  const cutCni = Math.floor((cni.n_ranked * percent) / 100);
  const out = [];
  for (let i = 0; i < imd.rank.length; i++) {
    const a = imd.rank[i];
    const b = cni.rank[i];
    if (a !== null && b !== null && a <= cutImd && b <= cutCni) out.push(i);
  }
  return out;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const search = await getJson(server.base, `/api/search?q=${encodeURIComponent(POSTCODE)}`);
  const hit = search.hits.find((h) => h.kind === 'postcode');
  assert.ok(hit && hit.lsoa21 && hit.point_wgs84, `the API finds ${POSTCODE} with an LSOA and a point`);
  const area = await getJson(server.base, `/api/areas/${hit.lsoa21}`);
  const imd = await getJson(server.base, '/api/values/lsoa21/imd2025');
  const cni = await getJson(server.base, '/api/values/lsoa21/cni2023');
  const areas21 = await getJson(server.base, '/api/layers/lsoa21');
  const areas11 = await getJson(server.base, '/api/layers/lsoa11');
  const flagged = leftBehind(imd, cni, 10);
  assert.equal(flagged.length, 1262, 'the left-behind rule gives the published 1,262 LSOAs at 10%');
  known = { hit, area, imd, cni, areas21, areas11, flagged };
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** Opens the app and waits until the first choropleth is on screen. */
async function ready(query = '', viewport = DESKTOP, options = {}) {
  const opened = await openApp(browser, server.base, query, viewport, options);
  await waitForFirstPaint(opened.page);
  await waitForIdle(opened.page);
  return opened;
}

/** Interior (label) point of feature `index` of `layer`, from the server. */
async function labelPoint(layer, index) {
  const labels = await getJson(server.base, `/api/labels/${layer}`);
  const f = labels.features.find((x) => x.id === index) ?? labels.features[index];
  assert.ok(f, `a label point for feature ${index} of ${layer}`);
  return f.geometry.coordinates;
}

/** The text of the area panel once its name is shown. */
async function panelText(page) {
  const panel = page.getByTestId('area-panel');
  await panel.locator('.area-name').waitFor({ timeout: 30_000 });
  return panel.innerText();
}

/**
 * Share of the uncovered map area (outside the cards and controls, and their shadows) whose
 * screen pixels are in one of `colours`, with the cards present and with the cards hidden
 * (visibility: hidden), plus the share of pixels that differ between the two screenshots.
 * Hiding the cards is the reference: the map's picture does not depend on them.
 */
async function mapColourShare(page, colours, name) {
  const covers = await visibleRects(page, COVERS);
  const shot = await screenshotPixels(page, debugShot(`${name}-cards`));
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.sidebar, .panel')) el.style.setProperty('visibility', 'hidden', 'important');
  });
  const reference = await screenshotPixels(page, debugShot(`${name}-no-cards`));
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.sidebar, .panel')) el.style.removeProperty('visibility');
  });
  const scale = shot.width / (await page.evaluate(() => window.innerWidth));
  let n = 0;
  let inMap = 0;
  let inMapReference = 0;
  let differ = 0;
  for (let y = 0; y < shot.height; y++) {
    for (let x = 0; x < shot.width; x++) {
      // 20 px margin: the cards' shadows (blur 16 px, offset 4 px) darken the map next to them.
      if (insideAny(covers, x / scale, y / scale, 20)) continue;
      n++;
      const a = pixelAt(shot, x, y);
      const b = pixelAt(reference, x, y);
      if (nearAny(a, colours, 30)) inMap++;
      if (nearAny(b, colours, 30)) inMapReference++;
      if (colourDistance(a, b) > 24) differ++;
    }
  }
  const out = { uncovered: n, share: inMap / n, reference: inMapReference / n, differ: differ / n };
  console.log(`${name}: ${JSON.stringify(out, (k, v) => (typeof v === 'number' && v < 1 ? Number(v.toFixed(3)) : v))}`);
  return out;
}

describe('issue 9: the defects a resident and an officer tripped over', () => {
  test('1. on a phone or a narrow window the whole uncovered screen shows the map in its colours, before and after finding CO15 2EQ', async () => {
    // Pixels within 30 (largest channel difference) of a legend colour count as map colours; the
    // page and map background #f3f1ec is 69 away from the palest decile. Outlines, labels and the
    // sea are not map colours, in both screenshots alike, so the share is compared with the
    // cards-hidden reference rather than with 100%.
    const failures = [];
    for (const [viewport, options, label] of [
      [PHONE, PHONE_OPTIONS, 'phone 375x740'],
      [{ width: 600, height: 800 }, {}, 'window 600x800'],
      [DESKTOP, {}, 'desktop 1280x800'],
    ]) {
      const { context, page } = await ready('', viewport, options);
      const colours = await legendColours(page);
      const tag = `defect1-${viewport.width}x${viewport.height}`;
      const england = await mapColourShare(page, colours, `${tag}-england`);
      await searchAndPick(page, POSTCODE);
      await page.getByTestId('area-panel').locator('.area-name').waitFor();
      await page.waitForTimeout(1000); // the flight to the area
      await waitForIdle(page);
      const found = await mapColourShare(page, colours, `${tag}-found`);
      for (const [state, m] of [['England', england], [POSTCODE, found]]) {
        if (m.reference < 0.1) failures.push(`${label}, ${state}: the map itself shows little colour (${m.reference.toFixed(3)}): is it drawn?`);
        if (m.share < 0.95 * m.reference) {
          failures.push(`${label}, ${state}: ${(100 * m.share).toFixed(1)}% of the uncovered screen in map colours, ${(100 * m.reference).toFixed(1)}% with the cards hidden`);
        }
        if (m.differ > 0.01) failures.push(`${label}, ${state}: ${(100 * m.differ).toFixed(1)}% of the uncovered screen differs from the cards-hidden screenshot`);
      }
      await context.close();
    }
    assert.deepEqual(failures, [], `the map is hidden where nothing covers it (screenshots in ${DEBUG_SHOTS}):\n${failures.join('\n')}`);
  });

  test('2. going One indicator, then IMD x CNI, then Left behind loads the list of left-behind names', async () => {
    const { context, page, requests } = await ready();
    await page.getByRole('tab', { name: 'IMD × CNI' }).click();
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid=bivariate-legend]')?.textContent;
      return t && !t.includes('…');
    }, null, { timeout: 60_000 });
    await page.getByRole('tab', { name: 'Left behind' }).click();
    await page.waitForFunction(
      () => /\d/.test(document.querySelector('[data-testid=left-behind-count]')?.textContent || ''),
      null,
      { timeout: 60_000 },
    );
    assert.equal(await page.getByTestId('left-behind-count').textContent(), '1,262');
    try {
      await page.getByTestId('left-behind-list').locator('li').first().waitFor({ timeout: 30_000 });
    } catch {
      // fall through to the assertions, which say what is missing
    }
    assert.ok(requests.some((u) => u.includes('/api/layers/lsoa21')), 'the names of the areas were requested');
    assert.equal(await page.getByTestId('left-behind-list').locator('li').count(), 1262, 'the list holds every left-behind area');
    assert.doesNotMatch(await page.locator('.sidebar').innerText(), /Loading names/);
    await context.close();
  });

  test('3. in the IMD 2019 view, clicking Hastings 008A opens it as an LSOA 2011 with its 2019 values and a link to its 2021 area', async () => {
    const index11 = known.areas11.names.indexOf(HASTINGS);
    assert.ok(index11 >= 0, `${HASTINGS} is an LSOA 2011`);
    const code = known.areas11.codes[index11];
    const values19 = await getJson(server.base, '/api/values/lsoa11/imd2019');
    const rank19 = values19.rank[index11];
    assert.ok(rank19 > 0, `${HASTINGS} has an IMD 2019 rank`);
    const fmt = (n) => n.toLocaleString('en-GB');

    const { context, page, requests } = await ready('?i=imd2019');
    await jumpTo(page, await labelPoint('lsoa11', index11), 14);
    const at = await insidePoint(page, await labelPoint('lsoa11', index11), 'lsoa11-fill', index11);
    await page.mouse.move(at.x, at.y);
    await page.locator('.tooltip').waitFor();
    assert.match(await page.locator('.tooltip').innerText(), new RegExp(`rank ${fmt(rank19)} of ${fmt(values19.n_ranked)}`), 'the tooltip shows the 2019 rank');
    await page.mouse.click(at.x, at.y);
    const text = await panelText(page);
    console.log('area requests:', requests.filter((u) => u.includes('/api/areas/')).map((u) => new URL(u).pathname + new URL(u).search));
    assert.equal(await page.getByTestId('area-panel').locator('.area-name').innerText(), HASTINGS);
    assert.match(text, /LSOA 2011/, 'the panel says the area is an LSOA 2011');
    assert.match(text, new RegExp(`rank ${fmt(rank19)} of ${fmt(values19.n_ranked)}`), `the panel shows the IMD 2019 rank ${fmt(rank19)} of ${fmt(values19.n_ranked)}`);
    // The link to the matching 2021 area (here the same code and name) opens it as an LSOA 2021.
    // (Not the help button "Why is it called E0…?", which names the code too.)
    const link = page.getByTestId('area-panel').locator('a, button:not(.help-button)').filter({ hasText: new RegExp(`${code}|${HASTINGS}`) })
      .filter({ hasNotText: /^×$/ });
    assert.ok(await link.count() >= 1, `the panel links to the 2021 area ${code}`);
    await link.first().click();
    await page.waitForFunction(
      () => /LSOA 2021/.test(document.querySelector('[data-testid=area-panel] .area-code')?.textContent || ''),
      null,
      { timeout: 30_000 },
    );
    // Its details arrive after the heading changes.
    await page.waitForFunction(() => /of 33,755/.test(document.querySelector('[data-testid=area-panel]')?.innerText || ''), null, { timeout: 30_000 });
    assert.match(await page.getByTestId('area-panel').innerText(), /of 33,755/, 'the 2021 area shows its 2025 ranks');
    await context.close();
  });

  test('4. the left-behind view shows every one of its 1,262 areas at national zoom', async () => {
    // The measure: for each left-behind area whose interior point is on the uncovered map, is there
    // a pixel of the left-behind colour within 3 px of that point? A marker of a few pixels at the
    // interior point (web-contract.md) puts one there for every area, even where several areas
    // share a pixel. 95% leaves room for points under the region names and their halos, which
    // are drawn above the fills; with small areas merged into their neighbours at low zoom (the
    // defect) only the few large rural areas show, a small fraction.
    const { context, page } = await ready('?v=left-behind');
    await page.waitForFunction(() => document.querySelector('[data-testid=left-behind-count]')?.textContent === '1,262', null, { timeout: 60_000 });
    await waitForIdle(page);
    // The highlight colour, from the swatch beside the count (the map and markers use the same).
    const swatch = page.getByTestId('left-behind-count').locator('xpath=..').locator('.swatch').first();
    const colour = parseColour(await swatch.evaluate((el) => getComputedStyle(el).backgroundColor));
    const labels = await getJson(server.base, '/api/labels/lsoa21');
    const points = known.flagged.map((i) => (labels.features.find((f) => f.id === i) ?? labels.features[i]).geometry.coordinates);
    const screen = await projectAll(page, points);
    const covers = await visibleRects(page, COVERS);
    const png = await screenshotPixels(page, debugShot('defect4-left-behind-england'));
    const { width, height } = DESKTOP;
    let onMap = 0;
    let seen = 0;
    const cells = new Set();
    for (const p of screen) {
      if (p.x < 3 || p.y < 3 || p.x > width - 4 || p.y > height - 4 || insideAny(covers, p.x, p.y, 3)) continue;
      onMap++;
      cells.add(`${Math.round(p.x)},${Math.round(p.y)}`);
      let hit = false;
      for (let dy = -3; dy <= 3 && !hit; dy++) {
        for (let dx = -3; dx <= 3 && !hit; dx++) {
          hit = colourDistance(pixelAt(png, Math.round(p.x) + dx, Math.round(p.y) + dy), colour) <= 24;
        }
      }
      if (hit) seen++;
    }
    let highlighted = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!insideAny(covers, x, y) && colourDistance(pixelAt(png, x, y), colour) <= 24) highlighted++;
      }
    }
    console.log(`left behind at national zoom: ${onMap} areas on the uncovered map (${cells.size} distinct pixels), ${seen} visible, ${highlighted} highlighted pixels`);
    assert.ok(onMap > 1000, `most left-behind areas lie on the uncovered map at national zoom (${onMap})`);
    assert.ok(seen >= 0.95 * onMap, `${seen} of ${onMap} left-behind areas are visible (at least 95% expected)`);
    assert.ok(highlighted >= cells.size, `at least one highlighted pixel per distinct area position (${highlighted} pixels for ${cells.size} positions)`);
    await context.close();
  });

  test('5. council and region panels state the method once, name each measure, order indicators like the neighbourhood panel, and add 2019 figures and the left-behind count', async (t) => {
    const { context, page } = await ready(`?a=${known.area.code}`);
    await panelText(page);
    const lsoaOrder = await page.locator('[data-testid=area-panel] [data-indicator]').evaluateAll((els) => els.map((e) => e.dataset.indicator));
    await context.close();
    // The left-behind areas inside Tendring and the East of England, from each area's detail.
    const inside = { [TENDRING_LAD]: 0, [EAST_OF_ENGLAND]: 0 };
    const queue = [...known.flagged];
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (queue.length) {
        const d = await getJson(server.base, `/api/areas/${known.areas21.codes[queue.pop()]}`);
        for (const c of [d.lad?.code, d.region?.code]) if (c in inside) inside[c]++;
      }
    }));
    assert.ok(inside[TENDRING_LAD] > 0 && inside[EAST_OF_ENGLAND] > inside[TENDRING_LAD], JSON.stringify(inside));

    for (const [code, kind] of [[TENDRING_LAD, 'council'], [EAST_OF_ENGLAND, 'region']]) {
      const expectedCount = inside[code];
      await t.test(`the ${kind} panel (${code}, ${expectedCount} left-behind neighbourhoods)`, async () => {
        const opened = await ready(`?a=${code}`);
        const panel = opened.page.getByTestId('area-panel');
        const text = await panelText(opened.page);
        // Every check is made and every problem reported at once, so the report says all that is left.
        const problems = [];
        // The method once: the server's method paragraph appears once in the panel (open or
        // folded), and no long sentence is repeated from one indicator to the next (the defect:
        // the same ~90 words under each of 18 indicators). A short key per table of measures may
        // repeat between editions (IoD 2025 and 2019).
        const detail = await getJson(server.base, `/api/areas/${code}`);
        const all = await panel.evaluate((e) => e.textContent);
        if (detail.summary_method) {
          const times = all.split(detail.summary_method).length - 1;
          if (times !== 1) problems.push(`the method paragraph appears ${times} times`);
        }
        const rows = await panel.locator('[data-indicator]').evaluateAll((els) => els.map((e) => e.textContent));
        const long = (x) => x.split(/(?<=[.!?])\s+/).map((y) => y.trim()).filter((y) => y.length >= 60);
        const perRow = rows.map((r) => new Set(long(r)));
        const shared = [...new Set(perRow.flatMap((set, i) => [...set].filter((x) => perRow.some((other, j) => j !== i && other.has(x)))))];
        if (shared.length) problems.push(`the method is repeated under each indicator: ${JSON.stringify(shared.map((x) => x.slice(0, 60) + '…'))}`);
        if (!/average rank/i.test(text)) problems.push('the average rank is not named "average rank"');
        const asScore = text.match(/score \d+\.\d{3}/g);
        if (asScore) problems.push(`average ranks shown as three-decimal scores: ${JSON.stringify(asScore.slice(0, 3))}`);
        const badges = await panel.locator('.decile-badge').allInnerTexts();
        const empty = badges.filter((x) => /^[\s–-]*$/.test(x)).length;
        if (empty) problems.push(`${empty} of ${badges.length} badges say nothing ("–")`);
        const order = await panel.locator('[data-indicator]').evaluateAll((els) => els.map((e) => e.dataset.indicator));
        const common = order.filter((id) => lsoaOrder.includes(id));
        const expected = lsoaOrder.filter((id) => common.includes(id));
        if (JSON.stringify(common) !== JSON.stringify(expected)) problems.push(`indicators not in the neighbourhood panel's order: ${common.join(', ')}`);
        if (!/Index of Multiple Deprivation 2019|IMD 2019|Indices of Deprivation 2019/.test(text)) problems.push('no 2019 figures');
        // "15 of its 89 neighbourhoods are left behind", "Left-behind neighbourhoods: 15": the
        // numbers (not percentages) of the sentence that says "left behind".
        const said = [...text.matchAll(/[^.\n]{0,100}left[- ]behind[^.\n]{0,60}/gi)].map((m) => m[0]);
        const counts = said.flatMap((x) => [...x.matchAll(/(\d[\d,]*)(?![\d,]*\s*%)/g)].map((m) => Number(m[1].replace(/,/g, ''))));
        if (!counts.includes(expectedCount)) {
          problems.push(`no count of its ${expectedCount} left-behind neighbourhoods (sentences: ${JSON.stringify(said)})`);
        }
        assert.deepEqual(problems, [], `${kind} panel ${code}`);
        await opened.context.close();
      });
    }
  });

  test('6. every legend explains deciles with an example from its own layer (7,433 wards for CNI 2019)', async (t) => {
    const cases = [
      ['cni2019', 'ward17', ['33,755', '3,375', 'neighbourhoods of 2021']],
      ['imd2019', 'lsoa11', ['33,755', '3,375']],
      ['cni2023', 'lsoa21', []],
    ];
    for (const [indicator, layer, foreign] of cases) {
      await t.test(`${indicator} on ${layer}`, async () => {
        const values = await getJson(server.base, `/api/values/${layer}/${indicator}`);
        const { context, page } = await ready(`?i=${indicator}`);
        await page.waitForFunction(() => !document.querySelector('[data-testid=decile-legend]')?.textContent.includes('…'), null, { timeout: 60_000 });
        const legend = await page.locator('.legend-box').innerText();
        for (const f of foreign) assert.ok(!legend.includes(f), `the ${indicator} legend does not mention "${f}" of another layer:\n${legend}`);
        // Derived deciles need a worked example, which must use this layer's count.
        if (/derived|⌈/.test(legend)) {
          assert.ok(legend.includes(values.n_ranked.toLocaleString('en-GB')), `the ${indicator} legend's example uses its ${values.n_ranked} areas:\n${legend}`);
        }
        await context.close();
      });
    }
  });

  test('7. Back and Forward close and reopen the panel and restore the view, without leaving the app', async () => {
    const { context, page } = await ready();
    const start = page.url();
    const lengthAtStart = await page.evaluate(() => history.length);
    await jumpTo(page, [-1.5, 53.0], 7);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => history.length), lengthAtStart, 'moving the map adds no history entry');

    await searchAndPick(page, POSTCODE);
    await page.getByTestId('area-panel').locator('.area-name').waitFor();
    await page.waitForFunction((code) => location.search.includes(`a=${code}`), known.area.code);
    await page.goBack();
    assert.equal(new URL(page.url()).origin, new URL(start).origin, 'Back stays in the app');
    await page.getByTestId('area-panel').waitFor({ state: 'detached', timeout: 10_000 });
    assert.doesNotMatch(page.url(), /[?&]a=/, 'the URL no longer names the area');
    await page.goForward();
    assert.equal(await page.getByTestId('area-panel').locator('.area-name').innerText(), POSTCODE_LSOA_NAME, 'Forward reopens the area');

    await page.getByRole('tab', { name: 'Left behind' }).click();
    await page.waitForFunction(() => /v=left-behind/.test(location.search));
    await page.goBack();
    await page.waitForFunction(() => !/v=left-behind/.test(location.search), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[role=tab][aria-selected=true]')?.textContent.includes('One indicator'), null, { timeout: 10_000 });
    assert.ok(await page.locator('#indicator').isVisible(), 'Back restores the one-indicator view');
    await context.close();
  });

  test('8. the camera fits England and the found area clear of the cards, on a phone and a desktop', async (t) => {
    for (const [viewport, options, label] of [[PHONE, PHONE_OPTIONS, 'phone'], [DESKTOP, {}, 'desktop']]) {
      await t.test(label, async () => {
        const { context, page } = await ready('', viewport, options);
        const covers = await visibleRects(page, '.sidebar, .panel');
        const pts = await projectAll(page, Object.values(ENGLAND_EXTREMES));
        const hidden = Object.keys(ENGLAND_EXTREMES).filter((k, i) => {
          const p = pts[i];
          return insideAny(covers, p.x, p.y) || p.x < 0 || p.y < 0 || p.x > viewport.width || p.y > viewport.height;
        });
        assert.deepEqual(hidden, [], `England's extremes are all on the uncovered map at first load (${JSON.stringify(pts.map((p) => [Math.round(p.x), Math.round(p.y)]))}, cards ${JSON.stringify(covers)})`);

        await searchAndPick(page, POSTCODE);
        await page.getByTestId('area-panel').locator('.area-name').waitFor();
        await page.waitForTimeout(1000);
        await waitForIdle(page);
        const [w, s, e, n] = known.area.bbox_wgs84;
        const corners = [[w, s], [w, n], [e, s], [e, n]];
        const check = async (when) => {
          const cardRects = await visibleRects(page, '.sidebar, .panel');
          const cs = await projectAll(page, corners);
          const bad = cs.filter((p) => insideAny(cardRects, p.x, p.y) || p.x < 0 || p.y < 0 || p.x > viewport.width || p.y > viewport.height);
          assert.deepEqual(bad, [], `${when}: ${POSTCODE_LSOA_NAME} lies clear of the cards (corners ${JSON.stringify(cs.map((p) => [Math.round(p.x), Math.round(p.y)]))}, cards ${JSON.stringify(cardRects)})`);
        };
        await check('with the panel open');
        await page.getByTestId('area-panel').getByRole('button', { name: /^Close/ }).click();
        await page.getByTestId('area-panel').waitFor({ state: 'detached' });
        await page.waitForTimeout(1000);
        await waitForIdle(page);
        await check('after closing the panel');
        await context.close();
      });
    }
  });

  test('9. a "Whole of England" control brings England back into view, clear of the cards', async (t) => {
    for (const [viewport, options, label] of [[DESKTOP, {}, 'desktop'], [PHONE, PHONE_OPTIONS, 'phone']]) {
      await t.test(label, async () => {
        const { context, page } = await ready('', viewport, options);
        await jumpTo(page, known.hit.point_wgs84, 13);
        const reset = page.locator('button.reset-view[aria-label="Whole of England"]');
        assert.equal(await reset.count(), 1, 'there is one "Whole of England" button');
        await afterCameraMove(page, () => reset.click());
        const covers = await visibleRects(page, '.sidebar, .panel');
        const pts = await projectAll(page, Object.values(ENGLAND_EXTREMES));
        const hidden = Object.keys(ENGLAND_EXTREMES).filter((k, i) => {
          const p = pts[i];
          return insideAny(covers, p.x, p.y) || p.x < 0 || p.y < 0 || p.x > viewport.width || p.y > viewport.height;
        });
        assert.deepEqual(hidden, [], `all of England is in view after the reset (${JSON.stringify(pts.map((p) => [Math.round(p.x), Math.round(p.y)]))})`);
        assert.ok(await page.evaluate(() => window.cnimap.map.getZoom()) < 7.5, 'the map zoomed out to England');
        await context.close();
      });
    }
  });

  test('10. a keyboard user can pick the area under the centre of the focused map with Enter, and pan with the arrow keys', async () => {
    const { context, page } = await ready();
    const map = page.locator('.map');
    assert.equal(await map.getAttribute('tabindex'), '0', 'the map is focusable');
    assert.ok((await map.getAttribute('aria-label'))?.trim(), 'the map has a name');
    const point = await labelPoint('lsoa21', known.area.feature_index);
    await jumpTo(page, point, 14);
    await map.focus();
    const crosshair = page.locator('.map-crosshair');
    await crosshair.waitFor({ state: 'visible', timeout: 5_000 });
    // Put the area's interior point under the crosshair, wherever the app draws it.
    const box = await crosshair.boundingBox();
    const [target] = await projectAll(page, [point]);
    await page.evaluate(([dx, dy]) => window.cnimap.map.panBy([dx, dy], { animate: false }), [target.x - (box.x + box.width / 2), target.y - (box.y + box.height / 2)]);
    await waitForIdle(page);
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('area-panel').locator('.area-name').innerText({ timeout: 30_000 }), POSTCODE_LSOA_NAME);

    await page.keyboard.press('Escape');
    await page.getByTestId('area-panel').waitFor({ state: 'detached' });
    await map.focus();
    const before = await page.evaluate(() => window.cnimap.map.getCenter().lng);
    await afterCameraMove(page, () => page.keyboard.press('ArrowRight'));
    const after = await page.evaluate(() => window.cnimap.map.getCenter().lng);
    assert.ok(after > before, `ArrowRight pans east (${before} -> ${after})`);
    await page.locator('#search-input').focus();
    await crosshair.waitFor({ state: 'hidden', timeout: 5_000 });
    await context.close();
  });

  test('11. a skip link, tabs that follow the arrow keys, and focus that moves into the panel and back', async (t) => {
    await t.test('the first Tab reaches a visible "Skip to search" link that moves focus to the search box', async () => {
      const { context, page } = await ready();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return { cls: el.className, href: el.getAttribute('href'), text: el.textContent.trim(), visible: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight };
      });
      assert.match(focused.cls, /\bskip-link\b/, `the first focusable element is the skip link (got ${JSON.stringify(focused)})`);
      assert.equal(focused.href, '#search-input');
      assert.equal(focused.text, 'Skip to search');
      assert.ok(focused.visible, 'the skip link is visible on focus');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'search-input', null, { timeout: 5_000 });
      await context.close();
    });

    await t.test('the view tabs are a WAI-ARIA tablist moved with ArrowLeft/ArrowRight/Home/End', async () => {
      const { context, page } = await ready();
      const tabs = page.locator('[role=tablist] [role=tab]');
      const n = await tabs.count();
      assert.equal(n, 4); // one indicator, IMD x CNI, left behind, change (issue 12)
      const state = () => tabs.evaluateAll((ts) => ts.map((x) => ({
        selected: x.getAttribute('aria-selected'),
        tabindex: x.getAttribute('tabindex'),
        focused: document.activeElement === x,
      })));
      const expectAt = async (k, key) => {
        await page.waitForFunction((i) => document.querySelectorAll('[role=tablist] [role=tab]')[i]?.getAttribute('aria-selected') === 'true', k, { timeout: 5_000 })
          .catch(() => {});
        const s = await state();
        assert.deepEqual(s.map((x) => x.selected), s.map((_, i) => (i === k ? 'true' : 'false')), `after ${key}, tab ${k} is selected: ${JSON.stringify(s)}`);
        assert.deepEqual(s.map((x) => x.tabindex), s.map((_, i) => (i === k ? '0' : '-1')), `after ${key}, roving tabindex: ${JSON.stringify(s)}`);
        assert.ok(s[k].focused, `after ${key}, tab ${k} has focus`);
      };
      await tabs.nth(0).focus();
      await page.keyboard.press('ArrowRight');
      await expectAt(1, 'ArrowRight');
      await page.keyboard.press('End');
      await expectAt(n - 1, 'End');
      await page.keyboard.press('Home');
      await expectAt(0, 'Home');
      await page.keyboard.press('ArrowLeft');
      await expectAt(n - 1, 'ArrowLeft from the first tab');
      assert.match(page.url(), /v=change/);
      await context.close();
    });

    await t.test('opening the panel moves focus to its Close button; Escape closes it and returns focus', async () => {
      const { context, page } = await ready();
      await searchAndPick(page, POSTCODE);
      await page.getByTestId('area-panel').locator('.area-name').waitFor();
      await page.waitForFunction(() => document.activeElement?.matches('[data-testid=area-panel] button.panel-close'), null, { timeout: 5_000 })
        .catch(() => {});
      const focused = await page.evaluate(() => ({ cls: document.activeElement?.className, label: document.activeElement?.getAttribute('aria-label') }));
      assert.match(focused.cls || '', /\bpanel-close\b/, `focus is on the panel's close button (got ${JSON.stringify(focused)})`);
      assert.equal(focused.label, 'Close');
      await page.keyboard.press('Escape');
      await page.getByTestId('area-panel').waitFor({ state: 'detached', timeout: 5_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input', 'focus returns to the search box');
      await context.close();
    });
  });

  test('12. plain words: no repeated years, decile lines that read one way, scores explained, a readable phone legend, the sources line in full, one error per bad link, current councils in the left-behind list', async (t) => {
    await t.test('the panel names each source once, with no repeated year, and decile lines read one way', async () => {
      const { context, page } = await ready(`?a=${known.area.code}`);
      const text = await panelText(page);
      const headings = await page.locator('[data-testid=area-panel] h3').allInnerTexts();
      assert.ok(headings.length > 0);
      assert.deepEqual(headings.filter((h) => /\b(\d{4})\b.*\b\1\b/.test(h)), [], 'no heading repeats its year');
      assert.doesNotMatch(text, /more deprived than \d+%[^.]*less deprived than \d+%/, 'no "more deprived than X% ... less deprived than Y%"');
      assert.doesNotMatch(text, /more need than \d+%[^.]*less need than \d+%/);
      await context.close();
    });

    await t.test('every score shown says what it measures and which way is worse', async () => {
      // Barking and Dagenham 015A or any area with middle deciles: its lines were the confusing ones.
      const i2 = known.imd.decile.indexOf(2);
      for (const code of [known.area.code, known.areas21.codes[i2]]) {
        const { context, page } = await ready(`?a=${code}`);
        await panelText(page);
        const rows = await page.locator('[data-testid=area-panel] [data-indicator]').evaluateAll((els) => els.map((e) => ({ id: e.dataset.indicator, text: e.innerText })));
        const withScore = rows.filter((r) => /\bscore\b/i.test(r.text));
        assert.ok(withScore.length > 0, 'some rows show a score');
        const unexplained = withScore.filter((r) => !/higher|lower/i.test(r.text)).map((r) => r.id);
        assert.deepEqual(unexplained, [], `rows whose score is not explained (${code})`);
        const twoWay = rows.filter((r) => /more deprived than \d+%[^.]*less deprived than \d+%/.test(r.text)).map((r) => r.text);
        assert.deepEqual(twoWay, [], 'decile lines read one way');
        await context.close();
      }
    });

    await t.test('the phone legend shows decile numbers and sets the counts apart', async () => {
      const { context, page } = await ready('', PHONE, PHONE_OPTIONS);
      await page.waitForFunction(() => !document.querySelector('[data-testid=decile-legend]')?.textContent.includes('…'), null, { timeout: 60_000 });
      const rows = await page.locator('[data-testid=decile-legend] li').allInnerTexts();
      assert.equal(rows.length, 10);
      const missing = rows.map((r, i) => [i + 1, r]).filter(([d, r]) => !r.split(/\s+/).includes(String(d))).map(([d]) => d);
      assert.deepEqual(missing, [], `each phone legend class shows its decile number (${JSON.stringify(rows)})`);
      const countsShown = await page.locator('[data-testid=decile-legend] .count').evaluateAll((els) => els.some((e) => e.offsetParent !== null && e.textContent.trim()));
      if (countsShown) {
        const legend = await page.locator('.legend-box').innerText();
        const outside = legend.split('\n').filter((l) => !rows.some((r) => r.includes(l.trim())));
        assert.ok(outside.some((l) => /(neighbourhoods|areas|wards)\b.*\b(each|per|in)\b|\b(number|count)s?\b/i.test(l)), `a caption says what the numbers under the classes count:\n${legend}`);
      }
      await context.close();
    });

    for (const [viewport, options, label] of [[DESKTOP, {}, 'desktop'], [PHONE, PHONE_OPTIONS, 'phone']]) {
      await t.test(`the sources line is shown in full in the ${label} card`, async () => {
        const { context, page } = await ready('', viewport, options);
        const m = await page.evaluate(() => {
          const card = document.querySelector('.sidebar');
          const line = card?.querySelector('.sources summary') ?? card?.querySelector('.sources');
          if (!card || !line) return null;
          return { card: card.getBoundingClientRect().bottom, line: line.getBoundingClientRect().bottom, scrollTop: card.scrollTop };
        });
        assert.ok(m, 'the card has a sources line (.sidebar .sources)');
        assert.equal(m.scrollTop, 0);
        assert.ok(m.line <= m.card, `the sources line ends (${m.line.toFixed(0)} px) inside the card (${m.card.toFixed(0)} px)`);
        await context.close();
      });
    }

    for (const query of ['?a=E01999999', '?a=nope', '?i=nope']) {
      await t.test(`a bad link (${query}) shows its error once`, async () => {
        const { context, page } = await openApp(browser, server.base, query, DESKTOP);
        await page.locator('[role=alert]').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(2000); // let every request that could report it finish
        const alerts = await page.locator('[role=alert]').allInnerTexts();
        const body = (await page.locator('body').innerText()).toLowerCase();
        // Every sentence of every error, compared without case or final stop: "No area with code
        // X in the data. no area with code X in the data" says it twice.
        const sentences = alerts.flatMap((a) => a.split(/(?<=[.!?])\s+|\n/))
          .map((x) => x.trim().replace(/[.!?]$/, ''))
          .filter((x) => x.length >= 15);
        assert.ok(sentences.length > 0, `the bad link is reported (alerts: ${JSON.stringify(alerts)})`);
        const twice = [...new Set(sentences.filter((x) => body.split(x.toLowerCase()).length - 1 > 1))];
        assert.deepEqual(twice, [], `each error is said once (alerts: ${JSON.stringify(alerts)})`);
        await context.close();
      });
    }

    await t.test('the left-behind list shows the current council beside each name', async () => {
      const renamed = known.flagged.filter((i) => /^(Allerdale|Barrow-in-Furness|Carlisle|Copeland|Harrogate|Scarborough|Selby|Sedgemoor|South Somerset|Somerset West and Taunton) /.test(known.areas21.names[i]));
      assert.ok(renamed.length > 10, 'some left-behind LSOAs carry the name of a council abolished in 2023');
      const { context, page } = await ready('?v=left-behind');
      await page.getByTestId('left-behind-list').locator('li').first().waitFor({ timeout: 60_000 });
      const items = await page.getByTestId('left-behind-list').locator('li').allInnerTexts();
      const wrong = [];
      for (const i of renamed.slice(0, 12)) {
        const code = known.areas21.codes[i];
        const lad = (await getJson(server.base, `/api/areas/${code}`)).lad?.name;
        const item = items.find((x) => x.includes(code));
        if (!lad || !item || !item.includes(lad)) wrong.push(`${known.areas21.names[i]} (${code}): council ${lad}, list item ${JSON.stringify(item)}`);
      }
      assert.deepEqual(wrong, [], 'list items name the current council');
      await context.close();
    });
  });
});
