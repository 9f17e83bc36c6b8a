// The table beside the map (issue 11): a two-criterion filter built in the UI gives the 1,262
// left-behind neighbourhoods, the count says so in a live region and the map fades the others;
// sorting by a header sets aria-sort; the CSV made in the browser (core's to_csv in wasm, from the
// JSON documents) is byte for byte the one GET /api/table gives for the same query (on the static
// target, where there is no API, the one `cnimap table` gives on the same data: the same core
// code through the other door); a shared link opens the same table; a row selects its area and a
// selection scrolls to its row; tables of local authorities, regions and 2024 wards are made in
// the browser from the LSOA documents (Middlesbrough first with 0.5) and give `cnimap table`'s and
// `/api/table`'s bytes; the custom index of the URL's what-if weights is a column and a filter
// with the same bytes as `--weights`/`weights=`; the bivariate-class control filters to one
// class; on a phone the table is below the map; axe-core finds no WCAG 2.2 A/AA violation (also on
// the new controls). Filter + sort + repaint timings are printed (a benchmark, never a pass/fail).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { audit, report } from './axe.mjs';
import {
  BINARY, DATA, STATIC, launchBrowser, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 375, height: 740 };
const LSOAS = 33_755;

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

/** Opens the app at `query` and waits for the first choropleth. */
async function open(query, viewport = DESKTOP, options = {}) {
  // bypassCSP: axe-core is injected as an inline script (the server's CSP rightly refuses those).
  const context = await browser.newContext({ viewport, acceptDownloads: true, bypassCSP: true, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.base}/${query}`);
  await waitForFirstPaint(page);
  return { context, page, errors };
}

/** The live count's text once it matches `pattern`. */
async function countText(page, pattern) {
  await page.waitForFunction(
    (p) => new RegExp(p).test(document.querySelector('#table-count')?.textContent || ''),
    pattern.source,
    { timeout: 120_000 },
  );
  return page.locator('#table-count').textContent();
}

/** Adds a decile or rank filter with the table's controls. */
async function addRange(page, indicator, measure, from, to) {
  await page.selectOption('#table-filter-indicator', indicator);
  await page.selectOption('#table-filter-measure', measure);
  await page.fill('#table-filter-from', String(from));
  await page.fill('#table-filter-to', String(to));
  await page.click('#table-filter-add');
}

/**
 * The table's parameters in the page URL, as a query string for /api/table: the page keeps the
 * custom index's weights as `w.INDEX=...` (the what-if panel's), the API and the CLI take them as
 * `weights=INDEX:...` (`index`: which of the URL's weights the table uses).
 */
function tableQuery(pageUrl, index = null) {
  const params = new URL(pageUrl).searchParams;
  const out = new URLSearchParams();
  for (const key of ['level', 'columns', 'filter', 'sort']) {
    for (const v of params.getAll(key)) out.append(key, v);
  }
  if (index && params.get(`w.${index}`)) out.append('weights', `${index}:${params.get(`w.${index}`)}`);
  return out;
}

/** `cnimap table` for the same query (the third door, on both targets). */
function cliCsv(query) {
  const args = ['table', '--data', DATA, '--level', query.get('level'), '--format', 'csv'];
  if (query.get('columns')) args.push('--columns', query.get('columns'));
  for (const f of query.getAll('filter')) args.push('--filter', f);
  if (query.get('sort')) args.push('--sort', query.get('sort'));
  if (query.get('weights')) args.push('--weights', query.get('weights'));
  const r = spawnSync(BINARY, args, { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'warn' }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The CSV the page downloads. */
async function downloadCsv(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.table-download')]);
  return { name: download.suggestedFilename(), csv: fs.readFileSync(await download.path(), 'utf8') };
}

/** Asserts two CSVs are the same line by line (a readable first difference), then byte for byte. */
function sameCsv(mine, theirs, what) {
  const a = mine.split('\n');
  const b = theirs.split('\n');
  for (let i = 0; i < Math.min(a.length, b.length); i++) assert.equal(a[i], b[i], `${what}: line ${i + 1}`);
  assert.equal(a.length, b.length, `${what}: as many lines`);
  assert.equal(mine, theirs, `${what}: byte for byte`);
}

/** The reference CSV for the same query: GET /api/table, or `cnimap table` on the static target. */
async function referenceCsv(query) {
  if (!STATIC) {
    const r = await fetch(`${server.base}/api/table?${query}&format=csv`);
    assert.equal(r.status, 200, await r.clone().text());
    return r.text();
  }
  return cliCsv(query);
}

/** How many lsoa21 features the map fades (feature state t = 2) and keeps (t = 1). */
function fading(page) {
  return page.evaluate((n) => {
    const map = window.cnimap.map;
    let kept = 0;
    let faded = 0;
    for (let id = 0; id < n; id++) {
      const t = (map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).t;
      if (t === 1) kept++;
      if (t === 2) faded++;
    }
    return { kept, faded, opacity: JSON.stringify(map.getPaintProperty('lsoa21-fill', 'fill-opacity')) };
  }, LSOAS);
}

/** Median and 95th percentile. */
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

describe('the table beside the map', () => {
  test('a two-criterion filter, its count, the faded map, a sort and a CSV equal to /api/table', async () => {
    const { context, page, errors } = await open('?i=imd2025');
    try {
      await page.click('.table-toggle');
      const all = await countText(page, /^33,755 of 33,755 neighbourhoods$/);
      assert.equal(all, '33,755 of 33,755 neighbourhoods');
      // Only the rows in view are in the document.
      const drawn = await page.locator('.areas-table tbody tr:not(.spacer)').count();
      assert.ok(drawn > 5 && drawn < 120, `rows drawn: ${drawn}`);
      assert.equal(await page.locator('.areas-table').getAttribute('aria-rowcount'), String(LSOAS + 1));

      await addRange(page, 'imd2025', 'decile', 1, 1);
      await countText(page, /^3,\d{3} of 33,755 neighbourhoods$/);
      await addRange(page, 'cni2023', 'decile', 1, 1);
      const count = await countText(page, /^1,262 of 33,755 neighbourhoods$/);
      assert.equal(count, '1,262 of 33,755 neighbourhoods');
      assert.equal(await page.locator('#table-count').getAttribute('aria-live'), 'polite');
      const url = new URL(page.url());
      assert.deepEqual(url.searchParams.getAll('filter'), ['imd2025.decile=1', 'cni2023.decile=1']);

      await waitForIdle(page);
      const f = await fading(page);
      assert.equal(f.kept, 1262, 'areas kept on the map');
      assert.equal(f.faded, LSOAS - 1262, 'areas faded on the map');
      assert.match(f.opacity, /feature-state/, 'the fill opacity reads the fading');

      // Sort by IMD 2025 rank: ascending, then descending.
      const sortButton = page.locator('th[title="imd2025.rank"] .sort-button');
      await sortButton.click();
      await page.waitForSelector('th[title="imd2025.rank"][aria-sort=ascending]');
      await sortButton.click();
      await page.waitForSelector('th[title="imd2025.rank"][aria-sort=descending]');
      assert.equal(new URL(page.url()).searchParams.get('sort'), 'imd2025.rank:desc');
      const ranks = await page.$$eval('.areas-table tbody tr:not(.spacer)', (rows) => rows.slice(0, 5).map((r) => r.children[3].textContent));
      const numbers = ranks.map((t) => Number(t.replace(/,/g, '')));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), `ranks descend: ${ranks}`);

      // The CSV, made in the browser, against the API for the same query.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('.table-download')]);
      assert.equal(download.suggestedFilename(), 'cnimap-lsoa21-table.csv');
      const csv = fs.readFileSync(await download.path(), 'utf8');
      const query = tableQuery(page.url());
      const reference = await referenceCsv(query);
      const mine = csv.split('\n');
      const theirs = reference.split('\n');
      assert.equal(mine.length, theirs.length, 'as many lines as /api/table');
      assert.equal(mine.length, 1262 + 3, 'comment, header, 1,262 rows and the final newline');
      for (let i = 0; i < theirs.length; i++) assert.equal(mine[i], theirs[i], `line ${i + 1}`);
      assert.equal(csv, reference, 'byte for byte');
      assert.match(mine[0], /^# cnimap table \(Neighbourhood \(LSOA 2021\)\): 1262 of 33755/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a shared link opens the same table; a row selects its area and a selection scrolls to its row', async () => {
    const link = '?i=imd2025&level=lsoa21&columns=lad24.name,region.name,imd2025.rank,cni2023.decile&filter=imd2025.decile=1..2&sort=imd2025.rank:asc';
    const { context, page, errors } = await open(link);
    try {
      const count = await countText(page, /^\d[\d,]* of 33,755 neighbourhoods$/);
      const reference = (await referenceCsv(tableQuery(page.url()))).split('\n');
      assert.equal(count, `${(reference.length - 3).toLocaleString('en-GB')} of 33,755 neighbourhoods`);
      const headers = await page.$$eval('.areas-table thead th:not(.compare-col)', (th) => th.map((t) => t.getAttribute('title')));
      assert.deepEqual(headers, ['code', 'name', 'lad24.name', 'region.name', 'imd2025.rank', 'cni2023.decile']);
      assert.equal(await page.locator('th[title="imd2025.rank"]').getAttribute('aria-sort'), 'ascending');
      // The first row is the most deprived neighbourhood.
      const first = await page.locator('.areas-table tbody tr:not(.spacer)').first();
      assert.equal(await first.getAttribute('data-code'), reference[2].split(',')[0]);

      // A row selects its area: the panel opens and the URL names it.
      await first.locator('.row-link').click();
      await page.locator('[data-testid=area-panel] .area-name').waitFor({ timeout: 30_000 });
      assert.equal(new URL(page.url()).searchParams.get('a'), reference[2].split(',')[0]);
      await page.waitForSelector('.areas-table tr.selected[aria-current=true]');

      // A selection made elsewhere (here the URL, as a map click sets it) scrolls to its row.
      const far = reference[2 + 1500].split(',')[0];
      await page.goto(`${server.base}/${link}&a=${far}&l=lsoa21`);
      await waitForFirstPaint(page);
      await page.waitForSelector(`.areas-table tr[data-code="${far}"].selected`, { timeout: 60_000 });
      const inView = await page.evaluate((code) => {
        const row = document.querySelector(`.areas-table tr[data-code="${code}"]`).getBoundingClientRect();
        const box = document.querySelector('.table-scroll').getBoundingClientRect();
        return row.top >= box.top && row.bottom <= box.bottom;
      }, far);
      assert.ok(inView, 'the selected row is scrolled into view');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a table of local authorities made in the browser: Middlesbrough first, the CSV equal to cnimap table and /api/table', async () => {
    const { context, page, errors } = await open('?i=imd2025&level=lad24&columns=imd2025.share_decile1&sort=imd2025.share_decile1');
    try {
      const count = await countText(page, /^296 of 296 /);
      assert.match(count, /^296 of 296 local authorities$/);
      const headers = await page.$$eval('.areas-table thead th:not(.compare-col)', (th) => th.map((t) => t.getAttribute('title')));
      assert.deepEqual(headers, ['code', 'name', 'imd2025.share_decile1']);
      const first = page.locator('.areas-table tbody tr:not(.spacer)').first();
      assert.equal(await first.getAttribute('data-code'), 'E06000002', 'Middlesbrough first');
      assert.equal((await first.locator('td').nth(2).textContent()).trim(), '0.5');

      const { name, csv } = await downloadCsv(page);
      assert.equal(name, 'cnimap-lad24-table.csv');
      const query = tableQuery(page.url());
      sameCsv(csv, cliCsv(query), 'cnimap table');
      if (!STATIC) sameCsv(csv, await referenceCsv(query), 'GET /api/table');
      const lines = csv.split('\n');
      assert.equal(lines[1], 'code,name,imd2025.share_decile1');
      assert.equal(lines[2], 'E06000002,Middlesbrough,0.5');
      assert.equal(lines.length, 296 + 3);

      // The level picker: regions and 2024 wards, with their summaries and parents.
      await page.selectOption('#table-level', 'region');
      assert.equal(await countText(page, /^9 of 9 /), '9 of 9 regions');
      await page.selectOption('#table-level', 'ward24');
      const wards = await countText(page, /^[\d,]+ of [\d,]+ wards/);
      const { csv: wardCsv } = await downloadCsv(page);
      sameCsv(wardCsv, cliCsv(tableQuery(page.url())), 'cnimap table (ward24)');
      console.log(`browser summary tables: 296 local authorities, 9 regions, ${wards}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the custom index with the what-if weights: columns, a filter and a CSV equal to the other doors', async () => {
    const weights = 'income=30,employment=30,health=40';
    const { context, page, errors } = await open(`?i=imd2025&w.imd2025=${weights}&level=lsoa21&columns=imd2025.rank&filter=custom.decile=1`);
    try {
      // ⌈10 × rank ÷ 33,755⌉ = 1 for the first 3,375 ranks of the rebuilt index.
      assert.equal(await countText(page, /^3,375 of 33,755/), '3,375 of 33,755 neighbourhoods');
      // A benchmark, printed: the custom index rebuilt in wasm (7 domains, 33,755 areas) with the filter.
      console.log(`custom index table (${STATIC ? 'static' : 'server'}): ${await page.locator('.table-foot').textContent()}`);
      // The column picker offers the custom index; add its rank and sort by it.
      await page.selectOption('#table-add-column', 'custom.rank');
      await page.click('.table-row-controls button:has-text("Add column")');
      await page.waitForSelector('th[title="custom.rank"]');
      await page.locator('th[title="custom.rank"] .sort-button').click();
      await page.waitForSelector('th[title="custom.rank"][aria-sort=ascending]');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('columns'), 'imd2025.rank,custom.rank');
      assert.equal(url.searchParams.get('sort'), 'custom.rank:asc');
      const firstRank = await page.locator('.areas-table tbody tr:not(.spacer)').first().locator('td').nth(3).textContent();
      assert.equal(firstRank.trim(), '1');

      const { csv } = await downloadCsv(page);
      const query = tableQuery(page.url(), 'imd2025');
      assert.equal(query.get('weights'), 'imd2025:income=30,employment=30,education=0,health=40,crime=0,housing=0,environment=0', 'the page writes the weights in their canonical form');
      sameCsv(csv, cliCsv(query), 'cnimap table --weights');
      if (!STATIC) sameCsv(csv, await referenceCsv(query), 'GET /api/table?weights=');
      const lines = csv.split('\n');
      assert.match(lines[0], /&weights=imd2025:income=30,employment=30,education=0,health=40,crime=0,housing=0,environment=0/);
      assert.match(lines[0], /custom\.rank: the Index of Multiple Deprivation 2025 rebuilt from its domains with custom weights \(income 30%, employment 30%/);
      assert.match(lines[0], /exponential distribution/);
      assert.equal(lines[1], 'code,name,imd2025.rank,custom.rank');
      assert.equal(lines.length, 3375 + 3);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the bivariate-class control filters to one class, in the URL, with the CSV of the other doors', async () => {
    const { context, page, errors } = await open('?i=imd2025&level=lsoa21&columns=imd2025.rank,cni2023.rank');
    try {
      await countText(page, /^33,755 of 33,755/);
      await page.selectOption('#table-filter-bivariate', 'bivariate=1x1');
      const count = await countText(page, /^[\d,]+ of 33,755 neighbourhoods$/);
      assert.notEqual(count, '33,755 of 33,755 neighbourhoods');
      assert.deepEqual(new URL(page.url()).searchParams.getAll('filter'), ['bivariate=1x1']);
      const { csv } = await downloadCsv(page);
      const query = tableQuery(page.url());
      sameCsv(csv, cliCsv(query), 'cnimap table');
      if (!STATIC) sameCsv(csv, await referenceCsv(query), 'GET /api/table');
      // Every row is in the first third of both indices' ranks: ⌈3 × rank ÷ 33,755⌉ = 1.
      const rows = csv.trimEnd().split('\n').slice(2).map((l) => l.split(',').slice(-2).map(Number));
      assert.equal(rows.length, Number(count.split(' ')[0].replace(/,/g, '')));
      assert.ok(rows.every(([imd, cni]) => Math.ceil((3 * imd) / LSOAS) === 1 && Math.ceil((3 * cni) / LSOAS) === 1));
      // Another class replaces it; "Any class" removes it.
      await page.selectOption('#table-filter-bivariate', 'bivariate=3x1');
      await page.waitForFunction(() => new URL(location.href).searchParams.getAll('filter').join() === 'bivariate=3x1');
      await page.selectOption('#table-filter-bivariate', '');
      await countText(page, /^33,755 of 33,755/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at 1280 px the council table shows its chosen value columns without sideways scrolling', async () => {
    const { context, page, errors } = await open('?i=imd2025&level=lad24&columns=region.name,imd2025.share_decile1,imd2025.rank_of_average_rank,cni2023.share_decile1,cni2023.rank_of_average_rank&sort=imd2025.share_decile1', { width: 1280, height: 800 });
    try {
      await countText(page, /^296 of 296 /);
      await waitForIdle(page);
      const fit = await page.evaluate(() => {
        const box = document.querySelector('.table-scroll');
        const right = box.getBoundingClientRect().right;
        const heads = [...document.querySelectorAll('.areas-table thead th')].map((th) => ({ id: th.getAttribute('title'), right: th.getBoundingClientRect().right }));
        const cut = document.querySelector('.areas-table tbody tr:not(.spacer) td:nth-child(3)');
        return { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, right, heads, regionTitle: cut.getAttribute('title'), regionText: cut.textContent };
      });
      fs.mkdirSync('/tmp/cnimap-e2e', { recursive: true });
      await page.screenshot({ path: `/tmp/cnimap-e2e/table-lad-1280-${STATIC ? 'static' : 'server'}.png` });
      console.log(`table at 1280 px: scrollWidth ${fit.scrollWidth}, clientWidth ${fit.clientWidth}; ${JSON.stringify(fit.heads.map((h) => [h.id, Math.round(h.right)]))}, box right ${Math.round(fit.right)}`);
      assert.ok(fit.scrollWidth <= fit.clientWidth, `no sideways scroll: ${fit.scrollWidth} > ${fit.clientWidth}`);
      for (const h of fit.heads) assert.ok(h.right <= fit.right + 0.5, `${h.id} ends at ${h.right}, inside ${fit.right}`);
      // A cut parent name keeps its full text in the cell's title.
      assert.equal(fit.regionTitle, fit.regionText);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a row adds its area to the comparison (up to four), with axe-core clean', async () => {
    const { context, page, errors } = await open('?i=imd2025&level=lad24&columns=imd2025.share_decile1&sort=imd2025.share_decile1');
    try {
      await countText(page, /^296 of 296 /);
      const rows = page.locator('.areas-table tbody tr:not(.spacer)');
      const codes = [];
      for (let k = 0; k < 4; k++) {
        const row = rows.nth(k);
        codes.push(await row.getAttribute('data-code'));
        const name = (await row.locator('.row-link').textContent()).trim();
        const button = row.getByRole("button", { name: `Add ${name} to compare` });
        await button.click();
        await page.waitForFunction((n) => (new URL(location.href).searchParams.get('compare') || '').split(',').length === n, k + 1);
        assert.match(await page.locator('[data-testid=table-compare-message]').textContent(), new RegExp(`\\(${k + 1} of 4\\)`));
        assert.equal(await row.locator('.row-compare').isDisabled(), true, 'an area already compared cannot be added again');
      }
      assert.equal(new URL(page.url()).searchParams.get('compare'), codes.join(','));
      assert.equal(codes[0], 'E06000002', 'Middlesbrough, the first row, is compared first');
      // The row did not select its area: the button acts on its own.
      assert.equal(new URL(page.url()).searchParams.get('a'), null);
      await page.locator('[data-testid=compare-table]').waitFor({ timeout: 60_000 });
      await page.locator('.compare-name').filter({ hasText: 'Middlesbrough' }).waitFor({ timeout: 60_000 });
      // A fifth is refused, with the reason.
      await rows.nth(4).locator('.row-compare').click();
      assert.match(await page.locator('[data-testid=table-compare-message]').textContent(), /You can compare up to 4 areas/);
      assert.equal(new URL(page.url()).searchParams.get('compare').split(',').length, 4);
      await waitForIdle(page);
      const r = await audit(page);
      console.log(report('table compare', r));
      assert.equal(r.violations.length, 0, report('table compare', r));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('on a phone the table is below the map', async () => {
    const { context, page, errors } = await open('?i=imd2025&level=lsoa21&columns=imd2025.decile&filter=imd2025.decile=1', PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      await countText(page, /^3,\d{3} of 33,755 neighbourhoods$/);
      const map = await page.locator('.map').boundingBox();
      const table = await page.locator('#table-view').boundingBox();
      assert.ok(table.y >= map.y + map.height - 1, `table top ${table.y} below map bottom ${map.y + map.height}`);
      assert.ok(map.height > 200, `the map keeps ${map.height} px`);
      assert.ok(Math.abs(table.width - PHONE.width) <= 1, `table width ${table.width}`);
      assert.ok(table.y + table.height <= PHONE.height + 1, 'the table fits on the screen');
      assert.ok(await page.locator('.areas-table tbody tr:not(.spacer)').count() > 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('axe-core finds no WCAG 2.2 A/AA violation with the new controls: a council table, custom columns, a bivariate class', async () => {
    for (const link of [
      '?i=imd2025&level=lad24&columns=region.name,imd2025.share_decile1,imd2025.rank_of_average_rank&filter=imd2025.share_decile1>=0.2&sort=imd2025.share_decile1',
      '?i=imd2025&w.imd2025=income=50,health=50&level=lsoa21&columns=custom.score,custom.rank,custom.decile&filter=bivariate=1x1&filter=custom.decile=1..2&sort=custom.rank',
    ]) {
      const { context, page } = await open(link);
      try {
        await countText(page, /^[\d,]+ of [\d,]+ /);
        await page.selectOption('#table-filter-indicator', { index: 0 });
        await waitForIdle(page);
        const r = await audit(page);
        console.log(report(`table ${link}`, r));
        assert.equal(r.violations.length, 0, report(`table ${link}`, r));
      } finally {
        await context.close();
      }
    }
  });

  test('axe-core finds no WCAG 2.2 A/AA violation with the table open and filtered', async () => {
    const { context, page } = await open('?i=imd2025&level=lsoa21&columns=lad24.name,imd2025.rank,imd2025.decile&filter=imd2025.decile=1&filter=left_behind=10&sort=imd2025.rank:asc');
    try {
      await countText(page, /of 33,755 neighbourhoods$/);
      await waitForIdle(page);
      const r = await audit(page);
      console.log(report('table open and filtered', r));
      assert.equal(r.violations.length, 0, report('table open and filtered', r));
    } finally {
      await context.close();
    }
  });

  test('benchmark: filter + sort + repaint over 33,755 rows (printed, never a pass/fail)', async () => {
    const { context, page } = await open('?i=imd2025&level=lsoa21&columns=imd2025.rank,cni2023.rank');
    try {
      await countText(page, /^33,755 of 33,755/);
      // Load every document the loop needs first (left-behind reads both indices' ranks).
      await page.click('#table-filter-left-behind');
      await countText(page, /^1,262 of/);
      await page.click('#table-filter-left-behind');
      await countText(page, /^33,755 of/);
      await waitForIdle(page);
      const times = [];
      const tableTimes = [];
      for (let k = 0; k < 16; k++) {
        const { ms, table } = await page.evaluate(async () => {
          const count = document.querySelector('#table-count');
          const before = count.textContent;
          const t0 = performance.now();
          document.querySelector('#table-filter-left-behind').click();
          document.querySelector('th[title="cni2023.rank"] .sort-button').click();
          await new Promise((resolve) => {
            const check = () => (count.textContent !== before ? resolve() : requestAnimationFrame(check));
            check();
          });
          // The table has its new rows in the page: the next frame paints them.
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const table = performance.now() - t0;
          await new Promise((resolve) => {
            const map = window.cnimap.map;
            map.once('idle', () => requestAnimationFrame(resolve));
            map.triggerRepaint();
          });
          return { ms: performance.now() - t0, table };
        });
        times.push(ms);
        tableTimes.push(table);
      }
      const s = stats(times);
      const t = stats(tableTimes);
      console.log(`table benchmark (${STATIC ? 'static' : 'server'}): filter (left-behind on/off) + sort over ${LSOAS} rows, ${times.length} runs: table painted median ${t.median.toFixed(0)} ms, p95 ${t.p95.toFixed(0)} ms; with the map faded and repainted median ${s.median.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms`);
      assert.equal(times.length, 16);
    } finally {
      await context.close();
    }
  });
});

// IoD 2019 for councils in the browser (helper 31): the page weights the IoD 2019 average ranks by
// each LSOA 2011's mid-2015 population (/api/lineage/lsoa11, a file on the static site), as
// `cnimap table` and /api/table do; the shares reproduce MHCLG's published IoD 2019 ones
// (Middlesbrough 48.8%, Liverpool 48.7%, Knowsley 46.9%; Blackpool's rank of average rank 1).
test('IoD 2019 for local authorities made in the browser, weighted by the 2011 populations: the CSV equal to cnimap table and /api/table', async () => {
  const { context, page, errors } = await open(
    '?i=imd2025&level=lad24&columns=imd2019.share_decile1,imd2019.average_rank,imd2019.rank_of_average_rank&sort=imd2019.share_decile1',
  );
  try {
    assert.equal(await countText(page, /^296 of 296 /), '296 of 296 local authorities');
    const { csv } = await downloadCsv(page);
    const query = tableQuery(page.url());
    sameCsv(csv, cliCsv(query), 'cnimap table');
    if (!STATIC) sameCsv(csv, await referenceCsv(query), 'GET /api/table');
    const lines = csv.split('\n');
    assert.equal(lines[1], 'code,name,imd2019.share_decile1,imd2019.average_rank,imd2019.rank_of_average_rank');
    const rows = lines.slice(2, 8).map((l) => l.split(','));
    assert.deepEqual(rows.slice(0, 3).map((r) => [r[0], Number(r[2]).toFixed(3)]), [
      ['E06000002', '0.488'],
      ['E08000012', '0.487'],
      ['E08000011', '0.469'],
    ]);
    assert.equal(rows.find((r) => r[0] === 'E06000009')?.[4], '1', 'Blackpool: rank of average rank 1');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
