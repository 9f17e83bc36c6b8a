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

/** Each ward's (2024) LSOAs, share in decile 1 and council (the council of its first LSOA), in node. */
function wardsInNode() {
  const ward = docs.parents.parents.find((p) => p.level === 'ward24');
  const lad = docs.parents.parents.find((p) => p.level === 'lad24');
  const n = ward.areas.map(() => 0);
  const d1 = ward.areas.map(() => 0);
  const council = ward.areas.map(() => null);
  const lsoas = ward.areas.map(() => []);
  ward.index.forEach((w, i) => {
    if (w === null) return;
    lsoas[w].push(i);
    if (council[w] === null && lad.index[i] !== null) council[w] = lad.index[i];
    if (docs.values.rank[i] === null) return;
    n[w] += 1;
    if (docs.values.decile[i] === 1) d1[w] += 1;
  });
  const share = n.map((k, w) => (k ? d1[w] / k : null));
  return { ward, lad, share, council, lsoas };
}

/** Competition position of `member` by `values` (higher is worse), among `among` (indices). */
function positionOf(values, member, among) {
  const v = values[member];
  const counted = among.filter((i) => values[i] !== null);
  const better = counted.filter((i) => values[i] > v).length;
  const joint = counted.filter((i) => values[i] === v).length > 1;
  return { text: `${joint ? 'joint ' : ''}${ordinal(better + 1)}`, of: counted.length };
}

function ordinal(n) {
  return `${n.toLocaleString('en-GB')}${[11, 12, 13].includes(n % 100) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
}

/** How many features of `source` (ids 0..n-1) the table fades (t = 2) and keeps (t = 1). */
function fadingOf(page, source, n) {
  return page.evaluate(([s, k]) => {
    const map = window.cnimap.map;
    let kept = 0;
    let faded = 0;
    for (let id = 0; id < k; id++) {
      const t = (map.getFeatureState({ source: s, sourceLayer: s, id }) || {}).t;
      if (t === 1) kept++;
      if (t === 2) faded++;
    }
    return { kept, faded, opacity: JSON.stringify(map.getPaintProperty(`${s}-fill`, 'fill-opacity')) };
  }, [source, n]);
}

/** The live count of the table once it matches `pattern`. */
async function tableCount(page, pattern) {
  await page.waitForFunction(
    (p) => new RegExp(p).test(document.querySelector('#table-count')?.textContent || ''),
    pattern.source,
    { timeout: 120_000 },
  );
  return page.locator('#table-count').textContent();
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

  test('the table and the map at one level: a council table draws councils, the map picker moves the table, fading and selection at every level', async () => {
    const shares = sharesByCode();
    const { context, page, errors } = await open('?i=imd2025&level=lad24&columns=region.name,imd2025.share_decile1&filter=imd2025.share_decile1>=0.2&sort=imd2025.share_decile1');
    try {
      // The table of councils puts the map at councils, by the table's sort measure.
      const kept = [...shares.values()].filter((v) => v !== null && v >= 0.2).length;
      assert.equal(await tableCount(page, /^\d+ of 296 /), `${kept} of 296 local authorities`);
      await waitForClass(page, 'lad24', docs.lads.codes.indexOf(MIDDLESBROUGH));
      assert.equal(await page.locator('#map-level').inputValue(), 'lad24');
      assert.equal(await page.locator('#map-measure').inputValue(), 'share_decile1');
      assert.equal(query(page.url()).get('map'), 'lad24');
      // The councils outside the filter are faded on their own tiles.
      await page.waitForFunction((k) => {
        const map = window.cnimap.map;
        let n = 0;
        for (let id = 0; id < 400; id++) if ((map.getFeatureState({ source: 'lad24', sourceLayer: 'lad24', id }) || {}).t === 1) n++;
        return n === k;
      }, kept, { timeout: 60_000 });
      const lad = await fadingOf(page, 'lad24', docs.lads.codes.length);
      const known = docs.lads.codes.filter((c) => shares.has(c)).length;
      assert.equal(lad.kept, kept, 'councils kept');
      assert.equal(lad.faded, docs.lads.codes.length - kept, `councils faded (${known} with a summary)`);
      assert.match(lad.opacity, /feature-state/);
      console.log(`levels+table: ${kept} of 296 councils kept, ${lad.faded} faded`);

      // A row selects its council on the map (panel, URL, outline) ...
      await page.locator(`.areas-table tr[data-code="${MIDDLESBROUGH}"] .row-link`).click();
      await page.locator('[data-testid=area-panel] .area-name').filter({ hasText: 'Middlesbrough' }).waitFor({ timeout: 60_000 });
      assert.equal(query(page.url()).get('a'), MIDDLESBROUGH);
      const outline = await page.evaluate(() => JSON.stringify(window.cnimap.map.getFilter('lad24-selected')));
      assert.ok(outline.includes(MIDDLESBROUGH), outline);
      // ... and a click on the map selects the council's row.
      await page.locator('[data-testid=area-panel] button.panel-close').click();
      await page.evaluate(() => window.cnimap.map.jumpTo({ center: [-1.2346, 54.5590], zoom: 9 }));
      await waitForIdle(page);
      const at = await insidePoint(page, MIDDLESBROUGH_LNGLAT, 'lad24-fill', docs.lads.codes.indexOf(MIDDLESBROUGH));
      await page.mouse.click(at.x, at.y);
      await page.waitForSelector(`.areas-table tr[data-code="${MIDDLESBROUGH}"].selected[aria-current=true]`, { timeout: 60_000 });
      await page.locator('[data-testid=area-panel] button.panel-close').click();

      // The map's level picker moves the table: regions, then wards.
      await page.selectOption('#map-level', 'region');
      assert.equal(await tableCount(page, /^9 of 9 /), '9 of 9 regions');
      assert.equal(await page.locator('#table-level').inputValue(), 'region');
      await page.selectOption('#map-level', 'ward24');
      const wardCount = await tableCount(page, /^[\d,]+ of [\d,]+ wards/);
      assert.equal(await page.locator('#table-level').inputValue(), 'ward24');
      assert.equal(query(page.url()).get('level'), 'ward24');

      // Wards: a filter fades the LSOAs of the wards outside it (the best-fit lookup's).
      const w = wardsInNode();
      await page.selectOption('#table-filter-indicator', 'imd2025');
      await page.selectOption('#table-filter-measure', 'share_decile1');
      await page.fill('#table-filter-from', '0.5');
      await page.fill('#table-filter-to', '1');
      await page.click('#table-filter-add');
      const keptWards = new Set(w.share.map((s, i) => [s, i]).filter(([s]) => s !== null && s >= 0.5).map(([, i]) => i));
      await tableCount(page, new RegExp(`^${keptWards.size.toLocaleString('en-GB')} of `));
      const keptLsoas = w.ward.index.filter((x) => x !== null && keptWards.has(x)).length;
      await page.waitForFunction((k) => {
        const map = window.cnimap.map;
        let n = 0;
        for (let id = 0; id < 33_755; id++) if ((map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).t === 1) n++;
        return n === k;
      }, keptLsoas, { timeout: 60_000 });
      const f = await fadingOf(page, 'lsoa21', 33_755);
      assert.equal(f.kept, keptLsoas, 'LSOAs of the wards kept');
      assert.equal(f.faded, 33_755 - keptLsoas, 'LSOAs of the other wards faded');
      assert.match(f.opacity, /feature-state/);
      console.log(`levels+table: ${wardCount}; ${keptWards.size} wards with half or more of their LSOAs in decile 1: ${keptLsoas} LSOAs kept, ${f.faded} faded`);

      // A ward's row opens the ward's panel, and the map outlines its LSOAs.
      const firstWard = await page.locator('.areas-table tbody tr:not(.spacer)').first().getAttribute('data-code');
      await page.locator('.areas-table tbody tr:not(.spacer)').first().locator('.row-link').click();
      await page.locator('[data-testid=ward-panel]').waitFor({ timeout: 60_000 });
      assert.equal(query(page.url()).get('a'), firstWard);
      assert.equal(query(page.url()).get('l'), 'ward24');
      await page.waitForFunction((code) => JSON.stringify(window.cnimap.map.getFilter('lsoa21-selected')).includes('literal'), firstWard, { timeout: 30_000 });
      const wi = w.ward.areas.findIndex((a) => a.code === firstWard);
      const lsoaCodes = await getJson(server.base, '/api/layers/lsoa21');
      const outlined = await page.evaluate(() => window.cnimap.map.getFilter('lsoa21-selected')[2][1]);
      assert.deepEqual([...outlined].sort(), w.lsoas[wi].map((i) => lsoaCodes.codes[i]).sort(), 'the ward\'s LSOAs are outlined');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a ward 2024 picked on the map opens a ward panel made in the browser: council, value, positions, summaries, its LSOAs', async () => {
    const w = wardsInNode();
    const { context, page, errors } = await open('?i=imd2025&map=ward24&measure=imd2025.share_decile1');
    try {
      await waitForClass(page, 'lsoa21', 0);
      // Click in Middlesbrough: the ward of the LSOA under the pointer opens, not the LSOA.
      await page.evaluate(() => window.cnimap.map.jumpTo({ center: [-1.2346, 54.5590], zoom: 12 }));
      await waitForIdle(page);
      await fillOnly(page);
      const box = await page.locator('.map').boundingBox();
      const hit = await page.evaluate(([x, y]) => {
        const f = window.cnimap.map.queryRenderedFeatures([x, y], { layers: ['lsoa21-fill'] })[0];
        return f ? f.id : null;
      }, [box.width / 2, box.height / 2]);
      assert.notEqual(hit, null, 'an LSOA under the middle of the map');
      const wi = w.ward.index[hit];
      const ward = w.ward.areas[wi];
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const panel = page.locator('[data-testid=ward-panel]');
      await panel.waitFor({ timeout: 60_000 });
      assert.equal(query(page.url()).get('a'), ward.code);
      assert.equal(query(page.url()).get('l'), 'ward24');
      assert.equal((await panel.locator('.area-name').textContent()).trim(), ward.name);
      assert.equal((await panel.locator('.area-code').textContent()).trim(), `${ward.code} · Ward (2024)`);
      const council = w.lad.areas[w.council[wi]];
      assert.match(await panel.locator('.names').textContent(), new RegExp(`${council.name} \\(${council.code}\\)`));
      // The measure's value and its positions, computed here in node.
      const share = w.share[wi];
      const pct = Math.round(share * 1000) / 10;
      const valueText = Math.abs(pct - Math.round(pct)) < 0.05 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
      assert.equal(await panel.locator('[data-testid=ward-measure]').textContent(), `${valueText}: share in the most deprived 10% on the Index of Multiple Deprivation 2025`);
      const all = w.share.map((_, i) => i);
      const england = positionOf(w.share, wi, all);
      assert.equal(await panel.locator('[data-testid=ward-position-england]').textContent(), `${england.text} most deprived of ${england.of.toLocaleString('en-GB')} wards in England by share of LSOAs in decile 1.`);
      const inCouncil = positionOf(w.share, wi, all.filter((i) => w.council[i] === w.council[wi]));
      assert.equal(await panel.locator('[data-testid=ward-position-council]').textContent(), `${inCouncil.text} most deprived of ${inCouncil.of} wards in ${council.name} by share of LSOAs in decile 1.`);
      console.log(`ward panel: ${ward.name}: ${await panel.locator('[data-testid=ward-position-england]').textContent()} ${await panel.locator('[data-testid=ward-position-council]').textContent()}`);
      // The main indices' summaries: IMD 2025's share agrees.
      const imdRow = panel.locator('[data-testid=ward-summaries] tr[data-indicator=imd2025] td');
      assert.equal(await imdRow.nth(0).textContent(), valueText);
      assert.equal(await panel.locator('[data-testid=ward-summaries] tr[data-indicator=cni2023]').count(), 1);
      // Its LSOAs, each a link to the LSOA's panel.
      const links = panel.locator('[data-testid=ward-lsoas] button');
      assert.equal(await links.count(), w.lsoas[wi].length);
      assert.ok(box.width > 0);

      // axe-core on the ward panel.
      const r = await audit(page);
      console.log(report('ward panel', r));
      assert.equal(r.violations.length, 0, report('ward panel', r));

      const lsoaCode = await links.first().getAttribute('data-code');
      await links.first().click();
      await page.locator('[data-testid=area-panel] .area-code').filter({ hasText: lsoaCode }).waitFor({ timeout: 60_000 });
      assert.equal(query(page.url()).get('a'), lsoaCode);
      assert.equal(query(page.url()).get('l'), 'lsoa21');
      // Back returns to the ward's panel (its state is in the URL).
      await page.goBack();
      await panel.waitFor({ timeout: 60_000 });
      assert.equal(query(page.url()).get('a'), ward.code);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
  // IoD 2019 at larger levels on the map (helper 40): an LSOA 2011 indicator summarised in wasm
  // from /api/values/lsoa11, /api/parents/lsoa11 (its council, region and best-fit ward 2017
  // columns) and /api/lineage/lsoa11 (the File 6 populations), painted on the councils' and the
  // wards 2017's own tiles, with the legend naming level, measure and method.
  test('an IoD 2019 indicator at councils and at wards 2017: shares computed in node, councils and wards painted, the legend names the measure', async () => {
    const [values, parents11, wards17] = await Promise.all([
      getJson(server.base, '/api/values/lsoa11/imd2019'),
      getJson(server.base, '/api/parents/lsoa11'),
      getJson(server.base, '/api/layers/ward17'),
    ]);
    // Shares in decile 1 by council and by ward 2017, in node.
    const shares = (level) => {
      const col = parents11.parents.find((p) => p.level === level);
      assert.ok(col, `parents/lsoa11 has a ${level} column`);
      const n = new Array(col.areas.length).fill(0);
      const d1 = new Array(col.areas.length).fill(0);
      values.rank.forEach((r, i) => {
        const p = col.index[i];
        if (r === null || p === null) return;
        n[p] += 1;
        if (values.decile[i] === 1) d1[p] += 1;
      });
      return { col, share: col.areas.map((a, i) => (n[i] ? d1[i] / n[i] : null)) };
    };
    const breaks = [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05];
    const shareClass = (v) => (v <= 0 ? 10 : (breaks.findIndex((b) => v >= b) + 1 || 9));
    const lads = shares('lad24');
    const m = lads.col.areas.findIndex((a) => a.code === MIDDLESBROUGH);
    assert.equal(lads.share[m].toFixed(3), '0.488', 'MHCLG publishes 48.8% for Middlesbrough in 2019');
    const ladIndex = docs.lads.codes.indexOf(MIDDLESBROUGH);

    const { context, page, errors } = await open('?i=imd2019');
    try {
      const levels = await page.locator('#map-level option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(levels, ['lsoa11', 'ward17', 'lad24', 'region']);
      await page.selectOption('#map-level', 'lad24');
      assert.equal(await waitForClass(page, 'lad24', ladIndex), shareClass(lads.share[m]), '48.8% is class 2');
      const q = query(page.url());
      assert.equal(q.get('map'), 'lad24');
      assert.equal(q.get('measure'), 'imd2019.share_decile1');
      const heading = await page.locator('[data-testid=level-legend-heading]').textContent();
      assert.match(heading, /Local authorities/);
      assert.match(heading, /Share in the most deprived 10%/);
      assert.match(await page.locator('.legend-title').first().textContent(), /2019/);
      const method = await page.locator('[data-testid=level-legend-method]').textContent();
      assert.match(method, /LSOAs \(2011\) in decile 1 nationally/);
      const rows = page.locator('[data-testid=level-legend] li');
      const inClassOne = lads.share.filter((s) => s !== null && s >= 0.5).length;
      assert.equal(Number((await rows.nth(0).locator('.count').textContent()).replace(/,/g, '')), inClassOne);
      const inClassTwo = lads.share.filter((s) => s !== null && s >= 0.4 && s < 0.5).length;
      assert.equal(Number((await rows.nth(1).locator('.count').textContent()).replace(/,/g, '')), inClassTwo);

      // Middlesbrough, clicked, says its place among England's councils on the IMD 2019.
      await page.evaluate((c) => window.cnimap.map.jumpTo({ center: c, zoom: 9 }), MIDDLESBROUGH_LNGLAT);
      await waitForIdle(page);
      const at = await insidePoint(page, MIDDLESBROUGH_LNGLAT, 'lad24-fill', ladIndex);
      await page.mouse.click(at.x, at.y);
      const panel = page.locator('[data-testid=area-panel]');
      await panel.locator('.area-name').filter({ hasText: 'Middlesbrough' }).waitFor({ timeout: 60_000 });
      const better = lads.share.filter((s) => s !== null && s > lads.share[m]).length;
      const counted = lads.share.filter((s) => s !== null).length;
      const expected = `${ordinal(better + 1)} most deprived of ${counted} local authorities in England by share of LSOAs in decile 1 on the Index of Multiple Deprivation 2019`;
      const position = await panel.locator('[data-testid=area-position]').textContent({ timeout: 60_000 });
      assert.ok(position.includes(expected), `"${position}" says "${expected}"`);
      console.log(`IoD 2019 at councils: ${position}`);
      await panel.locator('button.panel-close').click();

      // Wards 2017 on their own tiles (the CNI 2019's), by the ONS best-fit lookup.
      await page.selectOption('#map-level', 'ward17');
      const w = shares('ward17');
      assert.deepEqual(w.col.areas.map((a) => a.code), wards17.codes, "the ward column is the ward 2017 layer's areas");
      const worst = w.share.reduce((b, s, i) => (s !== null && (b < 0 || s > w.share[b]) ? i : b), -1);
      assert.equal(await waitForClass(page, 'ward17', worst), shareClass(w.share[worst]));
      const some = w.share.findIndex((s) => s !== null && s > 0 && s < 0.1);
      assert.equal(await waitForClass(page, 'ward17', some), shareClass(w.share[some]));
      assert.match(await page.locator('[data-testid=level-legend-heading]').textContent(), /Wards \(2017\)/);
      assert.match(await page.locator('[data-testid=level-legend-method]').textContent(), /best-fit/);
      assert.equal(query(page.url()).get('map'), 'ward17');
      console.log(`IoD 2019 at wards 2017: ${w.share.filter((s) => s !== null).length} of ${wards17.codes.length} wards summarised`);

      // A table of wards 2017 sorted by the IoD 2019 share: its rows are the shares from node.
      await page.goto(`${server.base}/?i=imd2019&level=ward17&columns=imd2019.share_decile1,cni2019.rank&sort=imd2019.share_decile1`);
      await waitForFirstPaint(page);
      await tableCount(page, /^[\d,]+ of 7,433 wards/);
      await page.locator('.areas-table tbody tr[data-code]').first().waitFor({ timeout: 60_000 });
      const first = await page.$$eval('.areas-table tbody tr[data-code]', (trs) => trs.slice(0, 5).map((tr) => [tr.getAttribute('data-code'), [...tr.querySelectorAll('td')].map((td) => td.textContent)]));
      const byCode = new Map(w.col.areas.map((a, i) => [a.code, w.share[i]]));
      const top = Math.max(...w.share.filter((s) => s !== null));
      for (const [code, cells] of first) {
        const shown = cells.map(Number).find((x) => Number.isFinite(x) && x > 0 && x <= 1);
        assert.ok(Math.abs(shown - byCode.get(code)) < 0.0005, `${code}: ${cells} vs ${byCode.get(code)}`);
      }
      assert.ok(Math.abs(byCode.get(first[0][0]) - top) < 1e-9, 'the worst ward first');
      assert.equal(await page.locator('#map-level').inputValue(), 'ward17', 'the map follows the table to wards 2017');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
