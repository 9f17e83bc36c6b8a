// "Your areas" (issue 13): a GeoJSON of real local authorities (cut from lad24_bgc at test time,
// written to a temporary folder) uploaded in the page gives each authority's summary, and the
// downloaded CSV is byte for byte what `cnimap areas` writes for the same file; a broken feature
// is named while the others work; a polygon drawn with mouse clicks gets its summary; a file that
// is not JSON says so; axe-core finds no WCAG A/AA violation in the card. The page measures in
// wasm on both targets, in the tools worker (cnimap-worker: a Worker is created from it; the shapes
// document is fetched there on first use). While drawing, a drag pans the map and adds no corner.

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
