// "Your areas" (issue 13): a GeoJSON of real local authorities (cut from lad24_bgc at test time,
// written to a temporary folder) uploaded in the page gives each authority's summary, and the
// downloaded CSV is byte for byte what `cnimap areas` writes for the same file; a broken feature
// is named while the others work; a polygon drawn with mouse clicks gets its summary; a file that
// is not JSON says so; axe-core finds no WCAG A/AA violation in the card. The page measures in
// wasm on both targets, in the tools worker (cnimap-worker: a Worker is created from it; the shapes
// document is fetched there on first use). While drawing, a drag pans the map and adds no corner.
// In the URL and the table (issue 13): a drawn polygon is in the URL as an encoded polyline, the
// table opens at Your areas with its row (a row click outlines it, a filter fades it), and the link
// reopens it; an uploaded file is kept in the browser for its `areas=file` link (reloaded, its
// areas are a sorted table) and a fresh browser is told to upload it again.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { audit, report } from './axe.mjs';
import {
  BINARY, DATA, STATIC, jumpTo, launchBrowser, project, startServer, stopServer, waitForFirstPaint,
} from './helpers.mjs';

let server;
let browser;
let dir;
let lads;

/** Middlesbrough, Blackpool and Rutland: small authorities of different kinds. */
const LADS = ['E06000002', 'E06000009', 'E06000017'];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnimap-areas-'));
  const all = JSON.parse(fs.readFileSync(path.join(DATA, 'boundaries', 'lad24_bgc.geojson'), 'utf8'));
  const features = all.features.filter((f) => LADS.includes(f.properties.LAD24CD));
  assert.equal(features.length, LADS.length);
  // A fourth feature that is a line, not an area: named in the page, the others still work.
  features.push({ type: 'Feature', properties: { LAD24CD: 'X', LAD24NM: 'A road' }, geometry: { type: 'LineString', coordinates: [[-1.2, 54.5], [-1.1, 54.6]] } });
  lads = path.join(dir, 'three-lads.geojson');
  fs.writeFileSync(lads, JSON.stringify({ type: 'FeatureCollection', features }));
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What `cnimap areas` writes for `file`. */
function cliAreas(file, ...args) {
  const r = spawnSync(BINARY, ['areas', '--data', DATA, '--boundaries', file, ...args], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `cnimap areas failed: ${r.stderr}`);
  return r.stdout;
}

async function openCard() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, bypassCSP: true });
  // The scripts of the Workers the page creates (MapLibre's are blob: URLs).
  await context.addInitScript(() => {
    const Base = window.Worker;
    window.__cnimapWorkers = [];
    window.Worker = class extends Base {
      constructor(url, options) {
        super(url, options);
        window.__cnimapWorkers.push(String(url));
      }
    };
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.base}/`);
  await waitForFirstPaint(page);
  await page.locator('#your-areas > summary').click();
  return { context, page, errors };
}

describe('your areas in the page', () => {
  test('an uploaded file of local authorities gives their summaries and the CSV of cnimap areas', async () => {
    const { context, page, errors } = await openCard();
    const started = Date.now();
    await page.locator('#areas-file').setInputFiles(lads);
    await page.locator('#areas-save').waitFor({ timeout: 180_000 });
    const firstMs = Date.now() - started;
    const workers = await page.evaluate(() => window.__cnimapWorkers.filter((u) => /cnimap-worker/.test(u)));
    assert.equal(workers.length, 1, 'measured in the tools worker');
    await page.locator('#areas-name').selectOption('LAD24NM');
    await page.locator('.area-result h3', { hasText: 'Rutland' }).waitFor({ timeout: 60_000 });
    const names = await page.locator('.area-result h3').allTextContents();
    assert.deepEqual(names, ['Middlesbrough', 'Blackpool', 'Rutland']);
    const counts = await page.locator('.area-result .area-count').allTextContents();
    for (const c of counts) assert.match(c, /^\d+ neighbourhoods counted \(\d+ touched\)\.$/);
    // The broken feature is named; the valid ones still work.
    const problems = await page.locator('.areas-problems').textContent();
    assert.match(problems, /feature 4 \("A road"\): its geometry is a LineString/);
    // IMD 2025 and CNI 2023 in each card.
    const first = await page.locator('.area-result').first().locator('.area-summary').first().textContent();
    assert.match(first, /Index of Multiple Deprivation/i);
    assert.match(first, /Community Needs/i);
    const millis = Number(await page.locator('.areas-done').getAttribute('data-millis'));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#areas-save')]);
    const saved = fs.readFileSync(await download.path());
    const expected = cliAreas(lads, '--name-property', 'LAD24NM');
    assert.equal(saved.toString('utf8'), expected.toString('utf8'));
    assert.ok(saved.equals(expected), 'byte for byte');

    // Another threshold: the page and the command line still agree.
    await page.locator('#areas-threshold').fill('90');
    await page.locator('#areas-threshold').dispatchEvent('change');
    await page.locator('.areas-rule', { hasText: 'at least 90%' }).waitFor({ timeout: 30_000 });
    const [download90] = await Promise.all([page.waitForEvent('download'), page.click('#areas-save')]);
    const saved90 = fs.readFileSync(await download90.path());
    assert.ok(saved90.equals(cliAreas(lads, '--name-property', 'LAD24NM', '--threshold', '90')), 'byte for byte at 90%');

    const r = await audit(page, { include: '#your-areas' });
    assert.equal(r.violations.length, 0, report('your areas, results', r));
    assert.deepEqual(errors, []);
    console.log(`custom areas: first use (fetch the shapes and values, measure 3 areas) ${firstMs} ms; measuring in wasm ${millis} ms (${STATIC ? 'static site' : 'cnimap serve'})`);
    await context.close();
  });

  test('a polygon drawn with mouse clicks gets its summary', async () => {
    const { context, page, errors } = await openCard();
    // Clacton-on-Sea and Jaywick.
    await jumpTo(page, [1.14, 51.79], 12);
    await page.locator('#areas-draw').click();
    await page.locator('#draw-overlay').waitFor();
    assert.match(await page.locator('.areas-draw-help').textContent(), /Escape to cancel/);
    // A drag while drawing pans the map and adds no corner; then back where we were.
    const before = await page.evaluate(() => window.cnimap.map.getCenter().toArray());
    await page.mouse.move(640, 450);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(640 + 15 * i, 450 + 5 * i);
    await page.mouse.up();
    const panned = await page.evaluate(() => window.cnimap.map.getCenter().toArray());
    assert.ok(Math.abs(panned[0] - before[0]) > 1e-4, `the drag panned the map: ${before} -> ${panned}`);
    const draft = await page.evaluate(() => window.cnimap.map.getSource('custom-areas-draft').getData());
    assert.equal((draft.features ?? []).length, 0, 'a drag adds no corner');
    await page.evaluate((c) => window.cnimap.map.jumpTo({ center: c }), before);
    const corners = [[1.10, 51.77], [1.17, 51.77], [1.17, 51.81], [1.10, 51.81]];
    for (const c of corners) {
      const p = await project(page, c);
      await page.mouse.click(p.x, p.y);
    }
    const last = await project(page, corners[0]);
    await page.mouse.dblclick(last.x + 40, last.y - 40);
    const heading = page.locator('.area-result h3', { hasText: 'Drawn area' });
    await heading.waitFor({ timeout: 180_000 });
    const count = await page.locator('.area-result .area-count').textContent();
    const n = Number(count.match(/^(\d+)/)[1]);
    assert.ok(n > 5, `the drawn area counts neighbourhoods: ${count}`);
    assert.equal(await page.locator('#draw-overlay').count(), 0, 'the overlay is gone');
    // Its outline is on the map.
    const outlines = await page.evaluate(() => window.cnimap.map.querySourceFeatures('custom-areas').length);
    assert.ok(outlines > 0, 'the outline source has the drawn area');

    // Escape cancels a drawing without measuring.
    await page.locator('#areas-draw').click();
    await page.locator('#draw-overlay').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#draw-overlay').waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a file that is not GeoJSON says what is wrong', async () => {
    const bad = path.join(dir, 'broken.geojson');
    fs.writeFileSync(bad, '{"type": "FeatureCollection", "features": [');
    const { context, page } = await openCard();
    await page.locator('#areas-file').setInputFiles(bad);
    const error = page.locator('.areas-error');
    await error.waitFor({ timeout: 60_000 });
    assert.match(await error.textContent(), /^This file cannot be used: not JSON: line 1, column \d+/);
    const r = await audit(page, { include: '#your-areas' });
    assert.equal(r.violations.length, 0, report('your areas, error', r));
    await context.close();
  });
});

describe('your areas in the URL and the table', () => {
  test('a drawn polygon is in the URL, is a row of the table at Your areas, and a reload draws it again', async () => {
    const { context, page, errors } = await openCard();
    await jumpTo(page, [1.14, 51.79], 12);
    await page.locator('#areas-draw').click();
    await page.locator('#draw-overlay').waitFor();
    const corners = [[1.10, 51.77], [1.17, 51.77], [1.17, 51.81], [1.10, 51.81]];
    for (const c of corners) {
      const p = await project(page, c);
      await page.mouse.click(p.x, p.y);
    }
    const last = await project(page, corners[0]);
    await page.mouse.dblclick(last.x + 40, last.y - 40);
    await page.locator('.area-result h3', { hasText: 'Drawn area' }).waitFor({ timeout: 180_000 });
    const counted = Number((await page.locator('.area-result .area-count').textContent()).match(/^(\d+)/)[1]);

    // The polygon is in the URL as an encoded polyline of its corners (to 10^-5 degrees).
    await page.waitForFunction(() => new URL(location.href).searchParams.get('draw'));
    const drawn = new URL(page.url()).searchParams.get('draw');
    const back = decodePolyline(drawn);
    // The four clicks, and the first click of the double-click that finished the drawing.
    assert.equal(back.length, 5, `five corners: ${drawn}`);
    for (const [lon, lat] of back) {
      assert.ok(lon > 1.05 && lon < 1.22 && lat > 51.72 && lat < 51.86, `a corner near Clacton: ${lon},${lat}`);
    }

    // The table at Your areas: one row, the drawn area, with the card's numbers.
    await page.locator('.table-toggle').click();
    await page.locator('#table-level').selectOption('areas');
    await page.locator('#table-count', { hasText: '1 of 1 of your areas' }).waitFor({ timeout: 60_000 });
    const row = page.locator('#table-view tbody tr[data-code="area1"]');
    await row.waitFor();
    assert.match(await row.textContent(), /Drawn area/);
    const headers = await page.locator('#table-view thead th').evaluateAll((ths) => ths.map((t) => t.dataset.column ?? t.textContent));
    assert.ok(headers.length >= 6, `code, name and four summaries: ${headers}`);
    await row.locator('.row-link').click();
    const width = await page.evaluate(() => window.cnimap.map.getPaintProperty('custom-areas-line', 'line-width'));
    assert.deepEqual(width, ['case', ['==', ['get', 'row'], 0], 6, 3], 'the row\'s outline is drawn thicker');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('level') === 'areas');
    const link = page.url();
    assert.match(link, /[?&]draw=/);

    // The link opened again, with a filter no area passes: the polygon is measured again and
    // drawn, the card opens, and the table's filter fades its outline.
    const again = `${link}&filter=imd2025.average_rank%3C%3D1`;
    await page.goto(again);
    await waitForFirstPaint(page);
    await page.locator('.area-result h3', { hasText: 'Drawn area' }).waitFor({ timeout: 180_000 });
    assert.equal(await page.locator('#your-areas').getAttribute('open'), '', 'the card opens by itself');
    const recount = Number((await page.locator('.area-result .area-count').textContent()).match(/^(\d+)/)[1]);
    assert.equal(recount, counted, 'the same neighbourhoods count');
    await page.waitForFunction(() => window.cnimap.map.getSource('custom-areas')?.serialize().data.features?.length > 0);
    await page.locator('#table-count', { hasText: '0 of 1 of your areas' }).waitFor({ timeout: 60_000 });
    const opacity = await page.evaluate(() => window.cnimap.map.getPaintProperty('custom-areas-line', 'line-opacity'));
    assert.deepEqual(opacity, ['case', ['in', ['get', 'row'], ['literal', []]], 0.9, 0.2], 'the filtered-out outline fades');
    const r = await audit(page, { include: '#table-view' });
    assert.equal(r.violations.length, 0, report('the table at your areas', r));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an uploaded file is kept in this browser for its link, and another browser is told to upload it again', async () => {
    const { context, page } = await openCard();
    await page.locator('#areas-file').setInputFiles(lads);
    await page.locator('.area-result h3', { hasText: 'Middlesbrough' }).waitFor({ timeout: 180_000 });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('areas') === 'file');
    const link = page.url();
    assert.doesNotMatch(link, /draw=/);
    await page.goto(`${link}&level=areas&columns=imd2025.share_decile1&sort=imd2025.share_decile1`);
    await waitForFirstPaint(page);
    await page.locator('.area-result h3', { hasText: 'Rutland' }).waitFor({ timeout: 180_000 });
    await page.locator('#table-count', { hasText: '3 of 3 of your areas' }).waitFor({ timeout: 60_000 });
    const names = await page.locator('#table-view tbody tr[data-code] .row-link').allTextContents();
    assert.deepEqual(names, ['Middlesbrough', 'Blackpool', 'Rutland'], 'the worst share in decile 1 first');
    // The table's CSV is byte for byte `cnimap areas --columns ... --sort ...`.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.table-download')]);
    const saved = fs.readFileSync(await download.path());
    const expected = cliAreas(lads, '--name-property', 'LAD24NM', '--columns', 'imd2025.share_decile1', '--sort', 'imd2025.share_decile1');
    assert.equal(saved.toString('utf8'), expected.toString('utf8'));
    await context.close();

    // Another browser (a fresh context has no storage): the link says what to do.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const fresh = await other.newPage();
    await fresh.goto(`${server.base}/?areas=file&level=areas&columns=imd2025.share_decile1`);
    await waitForFirstPaint(fresh);
    const said = fresh.locator('#your-areas .areas-error');
    await said.waitFor({ timeout: 60_000 });
    assert.match(await said.textContent(), /^This link refers to areas uploaded in another browser .*upload the file again/);
    assert.match(await fresh.locator('.table-problem').textContent(), /No areas of yours are measured in this page yet/);
    await other.close();
  });
});

/** Google's encoded polyline (latitude first, 10^-5) back to [longitude, latitude] pairs. */
function decodePolyline(text) {
  const out = [];
  let i = 0;
  let lat = 0;
  let lon = 0;
  const next = () => {
    let result = 0;
    let shift = 0;
    let b;
    do {
      b = text.charCodeAt(i++) - 63;
      result |= (b & 0x1f) << shift;
      shift += 5;
    } while (b >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (i < text.length) {
    lat += next();
    lon += next();
    out.push([lon / 1e5, lat / 1e5]);
  }
  return out;
}
