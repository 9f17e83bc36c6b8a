// Levels on the map (issue 11): an LSOA 2021 indicator drawn for local authorities by one of
// MHCLG's summary measures, computed in the browser (wasm) from the documents the page fetches,
// so the static site (no server) draws the same. Picks "Local authorities" and the share in the
// most deprived 10%; Middlesbrough's share (0.5, the figure MHCLG publishes, recomputed here in
// node from the values and parents documents) puts it in class 1, drawn in the legend's class-1
// colour; the legend names the level, the measure and its method; the URL holds level and measure
// and Back/Forward round-trip them; clicking Middlesbrough opens its panel with its position among
// England's local authorities; a neighbourhood's panel says its position in its council; wards
// are drawn on the LSOA tiles and the legend says so; axe-core finds no WCAG A/AA violation. The
// time to switch level is printed (a benchmark, never a pass/fail).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { audit, report } from './axe.mjs';
import {
  countNear, fillOnly, getJson, insidePoint, launchBrowser, parseColour,
  pixelsAround, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1440, height: 900 };
const MIDDLESBROUGH = 'E06000002';
const MIDDLESBROUGH_LNGLAT = [-1.2346, 54.5590];

let server;
let browser;
let docs;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const [values, parents, lads] = await Promise.all([
    getJson(server.base, '/api/values/lsoa21/imd2025'),
    getJson(server.base, '/api/parents/lsoa21'),
    getJson(server.base, '/api/layers/lad24'),
  ]);
  docs = { values, parents, lads };
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** Each local authority's share of LSOAs in decile 1, by its code, computed here in node. */
function sharesByCode() {
  const lad = docs.parents.parents.find((p) => p.level === 'lad24');
  const n = new Array(lad.areas.length).fill(0);
  const d1 = new Array(lad.areas.length).fill(0);
  docs.values.rank.forEach((r, i) => {
    const p = lad.index[i];
    if (r === null || p === null) return;
    n[p] += 1;
    if (docs.values.decile[i] === 1) d1[p] += 1;
  });
  return new Map(lad.areas.map((a, i) => [a.code, n[i] ? d1[i] / n[i] : null]));
}

async function open(query) {
  // bypassCSP: axe-core is injected as an inline script (the server's CSP rightly refuses those).
  const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && /panicked/.test(m.text())) errors.push(m.text()); });
  await page.goto(`${server.base}/${query}`);
  await waitForFirstPaint(page);
  return { context, page, errors };
}

/** Waits until feature `id` of `source` has the summary class set (feature state `m`). */
async function waitForClass(page, source, id) {
  await page.waitForFunction(
    ([s, i]) => {
      const st = window.cnimap.map.getFeatureState({ source: s, sourceLayer: s, id: i });
      return st && st.m !== undefined && window.cnimap.map.getLayoutProperty(`${s}-fill`, 'visibility') === 'visible';
    },
    [source, id],
    { timeout: 120_000, polling: 50 },
  );
  return page.evaluate(([s, i]) => window.cnimap.map.getFeatureState({ source: s, sourceLayer: s, id: i }).m, [source, id]);
}

function query(url) {
  return new URL(url).searchParams;
}

describe('levels on the map', () => {
  test('local authorities by share in the most deprived 10%: Middlesbrough, legend, URL, panel', async () => {
    const shares = sharesByCode();
    const share = shares.get(MIDDLESBROUGH);
    assert.equal(share, 0.5, 'MHCLG publishes 0.5 for Middlesbrough');
    const ladIndex = docs.lads.codes.indexOf(MIDDLESBROUGH);
    assert.ok(ladIndex >= 0);

    const { context, page, errors } = await open('?i=imd2025');
    // The picker offers the four levels for an LSOA 2021 indicator.
    const levels = await page.locator('#map-level option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(levels, ['lsoa21', 'ward24', 'lad24', 'region']);
    const t0 = Date.now();
    await page.selectOption('#map-level', 'lad24');
    const cls = await waitForClass(page, 'lad24', ladIndex);
    console.log(`levels: neighbourhoods -> local authorities (first time, documents fetched): ${Date.now() - t0} ms`);
    assert.equal(cls, 1, 'a share of 50% is class 1');
    assert.equal(await page.locator('#map-measure').inputValue(), 'share_decile1');
    const q = query(page.url());
    assert.equal(q.get('map'), 'lad24');
    assert.equal(q.get('measure'), 'imd2025.share_decile1');

    // The legend: level, measure, the method in words, and class counts computed in node.
    const heading = await page.locator('[data-testid=level-legend-heading]').textContent();
    assert.match(heading, /Local authorities/);
    assert.match(heading, /Share in the most deprived 10%/);
    const method = await page.locator('[data-testid=level-legend-method]').textContent();
    assert.match(method, /Share of the area's LSOAs \(2021\) in decile 1 nationally/);
    const rows = page.locator('[data-testid=level-legend] li');
    assert.equal(await rows.count(), 10);
    assert.match(await rows.nth(0).textContent(), /50% or more/);
    const inClassOne = [...shares.values()].filter((s) => s !== null && s >= 0.5).length;
    assert.match(await rows.nth(0).locator('.count').textContent(), new RegExp(`^${inClassOne}$`));
    const none = [...shares.values()].filter((s) => s === 0).length;
    assert.equal(Number((await rows.nth(9).locator('.count').textContent()).replace(/,/g, '')), none);

    // Middlesbrough is drawn in the legend's class-1 colour.
    await page.evaluate(() => window.cnimap.map.jumpTo({ center: [-1.2346, 54.5590], zoom: 9 }));
    await waitForIdle(page);
    await fillOnly(page);
    const swatch = parseColour(await rows.nth(0).locator('.swatch').evaluate((el) => getComputedStyle(el).backgroundColor));
    const at = await insidePoint(page, MIDDLESBROUGH_LNGLAT, 'lad24-fill', ladIndex);
    const pixels = await pixelsAround(page, at);
    assert.ok(countNear(pixels, swatch, 6) >= 20, `Middlesbrough in class 1's colour ${swatch}: ${JSON.stringify(pixels.slice(0, 3))}`);

    // The map in words (the screen reader's text alternative) lists local authorities, not the
    // neighbourhoods under them, with the measure's value: Middlesbrough at 50%.
    await page.waitForFunction(() => / local authorit(y|ies) in view/.test(document.querySelector('[data-testid=map-text-summary]')?.textContent || ''), null, { timeout: 30_000 });
    const spoken = await page.$$eval('[data-testid=map-text-table] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    const boro = spoken.find((r) => r[1] === MIDDLESBROUGH);
    assert.ok(boro, `Middlesbrough is listed in the map in words: ${JSON.stringify(spoken.slice(0, 5))}`);
    assert.match(boro[2], /^50%: share in the most deprived 10%$/);
    assert.ok(spoken.every((r) => /^E0[6-9]/.test(r[1])), 'only local authority codes are listed');
    assert.match(await page.locator('[data-testid=map-text-legend]').textContent(), /local authorities, by share/);

    // Switching back and forth, timed (documents cached): a benchmark, printed.
    const times = [];
    for (const level of ['lsoa21', 'lad24', 'region', 'lad24', 'lsoa21', 'lad24']) {
      const t = Date.now();
      await page.selectOption('#map-level', level);
      if (level === 'lsoa21') {
        await page.locator('[data-testid=decile-legend]').waitFor();
        await waitForIdle(page);
      } else {
        await waitForClass(page, level, 0);
        await waitForIdle(page);
      }
      times.push(Date.now() - t);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`levels: switch level (to painted, idle) ${times.join(', ')} ms; median ${sorted[Math.floor(sorted.length / 2)]} ms`);

    // Clicking Middlesbrough opens its panel with its position among England's authorities.
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('[data-testid=area-panel]');
    await panel.locator('.area-name').filter({ hasText: 'Middlesbrough' }).waitFor({ timeout: 60_000 });
    const better = [...shares.values()].filter((s) => s !== null && s > share).length;
    const joint = [...shares.values()].filter((s) => s === share).length > 1;
    const counted = [...shares.values()].filter((s) => s !== null).length;
    assert.equal(counted, 296);
    const ordinal = (n) => `${n}${[11, 12, 13].includes(n % 100) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
    const expected = `${joint ? 'joint ' : ''}${ordinal(better + 1)} most deprived of 296 local authorities in England by share of LSOAs in decile 1`;
    const position = await panel.locator('[data-testid=area-position]').textContent({ timeout: 60_000 });
    assert.ok(position.includes(expected), `"${position}" says "${expected}"`);
    console.log(`panel: ${position}`);
    assert.equal(query(page.url()).get('a'), MIDDLESBROUGH);

    // axe-core (tests/e2e/axe.mjs) on the level view with the panel open, the legend in view.
    await page.locator('[data-testid=level-legend]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const r = await audit(page);
    console.log(report('levels', r));
    assert.equal(r.violations.length, 0, report('levels', r));

    // Back closes the panel, Back again returns to neighbourhoods, Forward to local authorities.
    await page.goBack();
    await panel.waitFor({ state: 'detached' });
    assert.equal(query(page.url()).get('map'), 'lad24');
    // The switches above made their own entries: step back until neighbourhoods show.
    let steps = 0;
    while (query(page.url()).get('map') !== null && steps < 10) {
      await page.goBack();
      steps += 1;
    }
    await page.locator('[data-testid=decile-legend]').waitFor();
    assert.equal(await page.locator('#map-level').inputValue(), 'lsoa21');
    await page.goForward();
    await page.locator('[data-testid=level-legend-heading]').waitFor();
    assert.equal(await page.locator('#map-level').inputValue(), query(page.url()).get('map'));
    assert.deepEqual(errors, []);
    await context.close();

    // A shared link opens the same level and measure.
    const shared = await open('?i=imd2025&map=lad24&measure=imd2025.rank_of_average_rank');
    assert.equal(await waitForClass(shared.page, 'lad24', ladIndex) >= 1, true);
    assert.equal(await shared.page.locator('#map-level').inputValue(), 'lad24');
    assert.equal(await shared.page.locator('#map-measure').inputValue(), 'rank_of_average_rank');
    assert.match(await shared.page.locator('[data-testid=level-legend-heading]').textContent(), /Rank of average rank/);
    await shared.context.close();
  });

  test("a neighbourhood's panel says its position in its council", async () => {
    const lad = docs.parents.parents.find((p) => p.level === 'lad24');
    const m = lad.areas.findIndex((a) => a.code === MIDDLESBROUGH);
    const members = [];
    docs.values.rank.forEach((r, i) => { if (lad.index[i] === m && r !== null) members.push([i, r]); });
    members.sort((a, b) => a[1] - b[1]);
    const [feature] = members[4];
    const areas = await getJson(server.base, '/api/layers/lsoa21');
    const code = areas.codes[feature];
    const { context, page } = await open(`?i=imd2025&a=${code}&l=lsoa21`);
    const position = await page.locator('[data-testid=area-position]').textContent({ timeout: 60_000 });
    const expected = `5th most deprived of ${members.length} neighbourhoods in Middlesbrough on the Index of Multiple Deprivation 2025`;
    assert.equal(position, expected);
    console.log(`panel: ${code}: ${position}`);
    await context.close();
  });

  test('wards are drawn on the LSOA tiles with their best-fit ward value, and the legend says so', async () => {
    const { context, page } = await open('?i=imd2025&map=ward24&measure=imd2025.share_decile1');
    const cls = await waitForClass(page, 'lsoa21', 0);
    assert.ok(cls >= 1 && cls <= 10, `class ${cls}`);
    assert.match(await page.locator('[data-testid=wards-note]').textContent(), /ONS best-fit lookup/);
    assert.match(await page.locator('[data-testid=level-legend-heading]').textContent(), /Wards \(2024\)/);
    // Every LSOA of one ward has the same class.
    const ward = docs.parents.parents.find((p) => p.level === 'ward24');
    const w = ward.index[0];
    const same = ward.index.map((x, i) => [x, i]).filter(([x]) => x === w).map(([, i]) => i);
    const classes = await page.evaluate((ids) => ids.map((id) => window.cnimap.map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }).m), same);
    assert.ok(classes.every((c) => c === cls), JSON.stringify(classes));
    await context.close();
  });
});
