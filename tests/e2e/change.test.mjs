// The change map (issue 12): IMD 2019 -> IMD 2025 deciles moved on every LSOA 2021. Switching to
// the change view paints every area from the change document (feature state `s`), the legend's
// counts add up to the 33,755 neighbourhoods (compared plus not comparable), the URL round-trips
// `v=change`, the 225 left-behind wards of 2019 toggle as an outline layer (in the URL as
// `wards=1`, stepped by Back and Forward) and download as CSV with the API's columns, the area panel shows both editions with the arrow of change, and
// axe-core finds no WCAG A/AA violation in the view. Runs on `cnimap serve` and on the static
// site (CNIMAP_E2E_TARGET=static): the browser reads the same `api/change/...` documents.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { audit, report } from './axe.mjs';
import {
  getJson, launchBrowser, openApp, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 900 };
const LSOA21 = 33_755;
const WARD_COLUMNS = 'ward17_code,ward17_name,lad17_name,lsoa21_areas,left_behind_lsoa21,still_left_behind,left_behind_lsoa21_codes';

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

/** Opens the app at `query` and waits for the first painted map (`options`: the context's). */
async function open(query = '', options = {}) {
  const opened = await openApp(browser, server.base, query, DESKTOP, options);
  await waitForFirstPaint(opened.page);
  return opened;
}

/** Waits until the change legend shows its counts; returns them per class (1..=8). */
async function legendCounts(page) {
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('[data-testid=change-legend] .count');
    return rows.length === 8 && [...rows].every((r) => /^[\d,]+$/.test(r.textContent.trim()));
  }, null, { timeout: 120_000 });
  return page.$$eval('[data-testid=change-legend] .count', (rows) => rows.map((r) => Number(r.textContent.replace(/,/g, ''))));
}

/** The change class MapLibre holds (feature state `s`) for `n` lsoa21 features spread over the layer. */
function changeStates(page, n = 500) {
  return page.evaluate(([count, total]) => {
    const map = window.cnimap.map;
    const out = [];
    for (let k = 0; k < count; k++) {
      const id = Math.floor((k * total) / count);
      out.push((map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).s ?? null);
    }
    return out;
  }, [n, LSOA21]);
}

/** Waits until the map holds change classes. */
async function waitPainted(page) {
  await page.waitForFunction(() => {
    const map = window.cnimap?.map;
    return map && (map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id: 0 }) || {}).s > 0;
  }, null, { timeout: 120_000 });
  await waitForIdle(page);
}

describe('change map', () => {
  test('the change view paints every area, its legend counts them all, and the URL round-trips', async () => {
    const { context, page, errors } = await open('?i=imd2025');
    await page.locator('#tab-change').click();
    assert.equal(await page.locator('#tab-change').getAttribute('aria-selected'), 'true');
    await waitPainted(page);

    // Feature states: every sampled LSOA 2021 holds a class 1..=8, and they are the document's.
    const doc = await getJson(server.base, '/api/change/lsoa21/imd');
    assert.equal(doc.shift.length, LSOA21);
    const classOf = (s) => (s === null ? 8 : s <= -3 ? 1 : s >= 3 ? 7 : 4 + s);
    const states = await changeStates(page);
    states.forEach((s, k) => {
      const id = Math.floor((k * LSOA21) / states.length);
      assert.equal(s, classOf(doc.shift[id]), `feature ${id}`);
    });

    // The legend: eight classes, the seven compared ones add up to 33,755 minus the excluded.
    const counts = await legendCounts(page);
    const excluded = counts[7];
    assert.equal(excluded, doc.counts.not_comparable, 'not comparable, as the document counts');
    assert.ok(excluded > 0 && excluded < LSOA21 / 10, `${excluded} not comparable`);
    assert.equal(counts.slice(0, 7).reduce((a, b) => a + b, 0), LSOA21 - excluded);
    const total = await page.locator('[data-testid=change-total]').textContent();
    assert.match(total, new RegExp(`${(LSOA21 - excluded).toLocaleString('en-GB')} of 33,755`));
    assert.match(await page.locator('[data-testid=change-caveat]').textContent(), /Ranks are relative/);
    assert.match(await page.locator('.legend').textContent(), /split from a larger 2011 one/);
    console.log(`change map: per class ${counts.join(', ')}; compared ${LSOA21 - excluded}, not comparable ${excluded}`);

    // The URL holds the view, and a reload opens it again.
    await page.waitForFunction(() => new URL(location.href).searchParams.get('v') === 'change');
    await page.reload();
    await waitForFirstPaint(page);
    assert.equal(await page.locator('#tab-change').getAttribute('aria-selected'), 'true');
    await waitPainted(page);
    assert.deepEqual(await legendCounts(page), counts);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the 2019 left-behind wards toggle as outlines and download as CSV', async () => {
    const { context, page } = await open('?v=change');
    await waitPainted(page);
    const visibility = () => page.evaluate(() => {
      const map = window.cnimap.map;
      return ['lbw2019-still', 'lbw2019-not'].map((id) => (map.getLayer(id) ? map.getLayoutProperty(id, 'visibility') : 'absent'));
    });
    assert.deepEqual(await visibility(), ['absent', 'absent'], 'no outlines before the toggle');

    await page.locator('#ward-outlines').check();
    await page.waitForFunction(() => window.cnimap.map.getSource('lbw2019') && window.cnimap.map.isSourceLoaded('lbw2019'), null, { timeout: 60_000 });
    await waitForIdle(page);
    assert.deepEqual(await visibility(), ['visible', 'visible']);
    const drawn = await page.evaluate(() => new Set(window.cnimap.map.querySourceFeatures('lbw2019').map((f) => f.properties.code)).size);
    assert.ok(drawn > 0 && drawn <= 225, `${drawn} ward outlines in view`);

    const wards = await getJson(server.base, '/api/change/ward17/left-behind');
    assert.equal(wards.wards.length, 225);
    const summary = await page.locator('[data-testid=wards-summary]').textContent();
    assert.match(summary, new RegExp(`^${wards.still_left_behind} of the 225 wards still hold`));

    // The CSV: the method, the API's columns, one row per ward.
    const href = await page.locator('[data-testid=wards-csv]').getAttribute('href');
    assert.match(href, /^data:text\/csv;charset=utf-8,/);
    const csv = decodeURIComponent(href.slice(href.indexOf(',') + 1));
    const lines = csv.trimEnd().split('\n');
    assert.match(lines[0], /^# The 225 wards/);
    assert.equal(lines[1], WARD_COLUMNS);
    assert.equal(lines.length, 2 + 225);
    assert.equal(lines.filter((l) => /,true,/.test(l)).length, wards.still_left_behind);
    console.log(`left-behind wards: ${wards.still_left_behind} of 225 still hold left-behind neighbourhoods in 2023; ${drawn} outlines in view`);

    await page.locator('#ward-outlines').uncheck();
    await waitForIdle(page);
    assert.deepEqual(await visibility(), ['none', 'none']);
    await context.close();
  });

  test('the wards toggle is in the URL (wards=1): a link opens it, Back and Forward step it', async () => {
    const { context, page, errors } = await open('?v=change&wards=1');
    await waitPainted(page);
    const visibility = () => page.evaluate(() => {
      const map = window.cnimap.map;
      return ['lbw2019-still', 'lbw2019-not'].map((id) => (map.getLayer(id) ? map.getLayoutProperty(id, 'visibility') : 'absent'));
    });
    // A shared link opens with the outlines drawn and the box ticked.
    await page.waitForFunction(() => window.cnimap.map.getSource('lbw2019') && window.cnimap.map.isSourceLoaded('lbw2019'), null, { timeout: 60_000 });
    await waitForIdle(page);
    assert.ok(await page.locator('#ward-outlines').isChecked(), 'the box is ticked from the link');
    assert.deepEqual(await visibility(), ['visible', 'visible']);

    // Unticking writes the URL and makes a history step.
    await page.locator('#ward-outlines').uncheck();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('wards'));
    await waitForIdle(page);
    assert.deepEqual(await visibility(), ['none', 'none']);

    // Back restores the outlines, Forward hides them again.
    await page.goBack();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('wards') === '1');
    await page.waitForFunction(() => document.querySelector('#ward-outlines')?.checked === true);
    await waitForIdle(page);
    assert.deepEqual(await visibility(), ['visible', 'visible']);
    await page.goForward();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('wards'));
    await page.waitForFunction(() => document.querySelector('#ward-outlines')?.checked === false);
    await waitForIdle(page);
    assert.deepEqual(await visibility(), ['none', 'none']);
    assert.equal(new URL(page.url()).searchParams.get('v'), 'change', 'the view stays');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the area panel shows both editions with the arrow of change and the driving domain', async () => {
    const doc = await getJson(server.base, '/api/change/lsoa21/imd');
    const areas = await getJson(server.base, '/api/layers/lsoa21');
    // The first area that moved: a comparable one with a driving domain.
    const index = doc.shift.findIndex((s, i) => s !== null && s !== 0 && doc.driver[i] !== null);
    const code = areas.codes[index];
    const { context, page } = await open(`?v=change&a=${code}&l=lsoa21`);
    const arrow = page.locator('[data-testid=change-arrow]');
    await arrow.waitFor({ timeout: 60_000 });
    const text = await arrow.textContent();
    assert.match(text, new RegExp(`^Decile ${doc.decile_2019[index]} \\(2019\\) → decile ${doc.decile_2025[index]} \\(2025\\)`));
    assert.match(text, /deciles? (more|less) deprived$/);
    assert.match(await page.locator('[data-testid=change-driver]').textContent(), /drove the move/);
    assert.equal(await page.locator('[data-testid=area-change] table.domain-change tbody tr').count(), doc.domains.length);
    assert.match(await page.locator('[data-testid=area-change]').textContent(), /Ranks are relative/);
    console.log(`panel: ${code}: ${text}`);
    await context.close();
  });

  test('axe-core finds no WCAG A/AA violation in the change view', async () => {
    // bypassCSP: the server's CSP (rightly) refuses inline scripts; axe is injected as one.
    const { context, page } = await open('?v=change', { bypassCSP: true });
    await waitPainted(page);
    await legendCounts(page);
    await page.locator('#ward-outlines').check();
    await page.locator('[data-testid=wards-csv]').waitFor();
    const r = await audit(page);
    console.log(report('change view', r));
    assert.equal(r.violations.length, 0, report('change view', r));
    await context.close();
  });
});
