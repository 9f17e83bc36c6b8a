// Client-speed harness: cnimap against a plain MapLibre page in headless Chromium.
//
// Starts `cnimap serve` (the real national data, the built web app in dist/) and a tiny loopback
// static server for tests/perf/baseline.html (a plain MapLibre page that fetches
// lsoa21_bsc.geojson and the IoD 2025 CSV and joins them in the browser). For each page it records:
// time from navigation start to the first choropleth (cold: fresh context, cache disabled; warm:
// a reload with the HTTP cache), bytes transferred and requests by kind (CDP Network events),
// time to switch indicator (IMD -> Income, to map idle with the new colours) and the requests made
// during the switch, and requestAnimationFrame deltas over a scripted ~5 s pan/zoom sequence.
// Prints a table with the ratios (baseline / cnimap) and writes the markdown section
// "## Client speed (browser)" of BENCHMARKS.md (only that section) plus a raw JSON file in
// target/bench/.
//
// Run: scripts/bench-client.sh   (or node tests/perf/client.mjs [--runs N] [--warm N] [--no-write])
// Env: CNIMAP_DATA, CNIMAP_BIN, CHROMIUM as in tests/e2e/helpers.mjs.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const DATA = process.env.CNIMAP_DATA || path.resolve(REPO, '..', 'shared', 'data');
const BINARY = process.env.CNIMAP_BIN || path.join(REPO, 'target', 'release', 'cnimap');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DIST = process.env.CNIMAP_DIST ? path.resolve(process.env.CNIMAP_DIST) : path.join(REPO, 'dist');
const VIEWPORT = { width: 1280, height: 800 };
const CNIMAP_MARK = 'cnimap:first-choropleth';
const BASELINE_MARK = 'baseline:first-choropleth';
const FLOOR_MARK = 'floor:first-choropleth';
const DROPPED_MS = 33;

const args = process.argv.slice(2);
const argValue = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
};
const RUNS = argValue('--runs', 5);
const WARM = argValue('--warm', 3);
// --no-baseline: cnimap and the floor only (issue 15's ratios; implies --no-write).
const NO_BASELINE = args.includes('--no-baseline');
const WRITE = !args.includes('--no-write') && !NO_BASELINE;

/** Rejects after `ms` with a message naming what timed out. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- servers

/** Starts `cnimap serve` on a free loopback port; resolves when /api/health answers. */
async function startCnimap() {
  for (const [what, p] of [['cnimap binary', BINARY], ['data directory', DATA], ['web build (scripts/build-web.sh)', path.join(DIST, 'index.html')]]) {
    if (!fs.existsSync(p)) throw new Error(`perf: ${what} not found at ${p}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  // CNIMAP_PERF_BUILD=DIR serves a prepared build (starts in seconds where --no-cache prepares
  // everything first: minutes on a loaded machine).
  const source = process.env.CNIMAP_PERF_BUILD ? ['--build', process.env.CNIMAP_PERF_BUILD] : ['--data', DATA, '--no-cache'];
  const child = spawn(BINARY, ['serve', ...source, '--addr', `127.0.0.1:${port}`, '--static-dir', DIST], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const server = { base, child, startupMs: 0 };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`perf: cnimap serve exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) { server.startupMs = Date.now() - t0; return server; }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopChild(child);
  throw new Error(`perf: cnimap serve did not become healthy in 180 s:\n${log}`);
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * A loopback static server for the baseline page: the page itself, the pinned maplibre-gl.js/css
 * from node_modules, and the data files read from CNIMAP_DATA (never copied into the repository).
 * Like an ordinary static host it gzips on request (compressed once, kept in memory) and sends
 * an ETag with Cache-Control: max-age=3600.
 */
async function startStatic() {
  const routes = {
    '/baseline.html': [path.join(HERE, 'baseline.html'), 'text/html; charset=utf-8'],
    '/floor.html': [path.join(HERE, 'floor.html'), 'text/html; charset=utf-8'],
    '/maplibre-gl.js': [path.join(REPO, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.js'), 'text/javascript'],
    '/maplibre-gl.css': [path.join(REPO, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.css'), 'text/css'],
    '/data/lsoa21_bsc.geojson': [path.join(DATA, 'boundaries', 'lsoa21_bsc.geojson'), 'application/geo+json'],
    '/data/imd2025_lsoa21.csv': [path.join(DATA, 'indicators', 'imd2025_lsoa21.csv'), 'text/csv'],
  };
  const cache = new Map();
  const load = (p) => {
    if (!cache.has(p)) {
      const [file, type] = routes[p];
      const raw = fs.readFileSync(file);
      cache.set(p, { raw, gz: zlib.gzipSync(raw, { level: 6 }), type, etag: `"${crypto.createHash('sha1').update(raw).digest('hex').slice(0, 16)}"` });
    }
    return cache.get(p);
  };
  for (const p of Object.keys(routes)) load(p); // compress before timing anything
  const srv = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (!routes[p]) { res.writeHead(404); res.end(); return; }
    const f = load(p);
    const headers = { 'Content-Type': f.type, ETag: f.etag, 'Cache-Control': 'public, max-age=3600', Vary: 'Accept-Encoding' };
    if (req.headers['if-none-match'] === f.etag) { res.writeHead(304, headers); res.end(); return; }
    const gz = /\bgzip\b/.test(req.headers['accept-encoding'] || '');
    const body = gz ? f.gz : f.raw;
    if (gz) headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', resolve); });
  const sizes = Object.fromEntries(Object.keys(routes).map((p) => [p, { raw: cache.get(p).raw.length, gz: cache.get(p).gz.length }]));
  return { base: `http://127.0.0.1:${srv.address().port}`, srv, sizes };
}

// ---------------------------------------------------------------- network accounting

/** The kind of a request, by URL. */
function kindOf(url) {
  const u = new URL(url);
  const p = u.pathname;
  if (/^\/tiles\/.+\.mvt$/.test(p)) return 'tile';
  if (/^\/tiles\/.+\.json$/.test(p)) return 'tilejson';
  if (p.startsWith('/api/values/')) return 'values';
  if (p.startsWith('/api/')) return 'api-other';
  if (p.startsWith('/glyphs/')) return 'glyphs';
  if (p.endsWith('.geojson')) return 'geojson';
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.wasm')) return 'wasm';
  if (p.endsWith('.js')) return 'js';
  if (p.endsWith('.css')) return 'css';
  if (p === '/' || p.endsWith('.html')) return 'html';
  return 'other';
}

/**
 * Records every request of `page` and of its dedicated workers (MapLibre fetches tiles from its
 * workers, which a page-level CDP session does not see). Bytes per request come from Playwright's
 * `request.sizes()`: response headers plus the encoded (over-the-wire, compressed) body, which
 * Playwright takes from CDP `Network.loadingFinished` `encodedDataLength`. A CDP session on the
 * page sets `Network.setCacheDisabled` for the cold runs (each cold run also uses a fresh context,
 * so its cache starts empty either way).
 */
async function recordNetwork(context, page, { cacheDisabled }) {
  const requests = [];
  const pending = [];
  const byRequest = new Map();
  const onRequest = (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    const rec = { url: u, kind: kindOf(u), bytes: 0, done: false };
    byRequest.set(r, rec);
    requests.push(rec);
  };
  const onFinished = (r) => {
    const rec = byRequest.get(r);
    if (!rec) return;
    pending.push(r.sizes().then((s) => {
      rec.bytes = s.responseBodySize + s.responseHeadersSize;
      rec.done = true;
    }).catch(() => {}));
  };
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled });
  return {
    /** Every request so far, in order (bytes filled in once `settle` has resolved). */
    list: () => requests,
    /** Waits (bounded) for the sizes of finished requests. */
    settle: () => withTimeout(Promise.allSettled(pending), 10_000, 'request sizes'),
    detach: async () => {
      page.off('request', onRequest);
      page.off('requestfinished', onFinished);
      await cdp.detach().catch(() => {});
    },
  };
}

/** Requests by kind: { kind: count } and bytes by kind. */
function summarise(requests) {
  const count = {};
  const bytes = {};
  for (const r of requests) {
    count[r.kind] = (count[r.kind] || 0) + 1;
    bytes[r.kind] = (bytes[r.kind] || 0) + r.bytes;
  }
  return { total: requests.length, bytes: requests.reduce((a, r) => a + r.bytes, 0), count, bytesByKind: bytes };
}

// ---------------------------------------------------------------- in-page measurements

/** Waits for a performance mark; returns its startTime (ms since navigation start). */
async function waitForMark(page, mark, timeout = 180_000) {
  await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0 || window.baselineError, mark, { timeout, polling: 50 });
  const err = await page.evaluate(() => window.baselineError || null);
  if (err) throw new Error(`baseline page failed: ${err}`);
  return page.evaluate((m) => performance.getEntriesByName(m)[0].startTime, mark);
}

/** Waits (in the page) for the map to be idle; `getMap` is an expression naming the map. */
async function waitIdle(page, getMap, timeout = 120_000) {
  await withTimeout(page.evaluate((expr) => new Promise((resolve) => {
    // eslint-disable-next-line no-new-func
    const map = new Function(`return ${expr}`)();
    const done = () => requestAnimationFrame(() => resolve());
    map.once('idle', done);
    map.triggerRepaint();
  }), getMap), timeout, 'map idle');
}

/**
 * The pan/zoom script, run in the page: rAF deltas are collected from its start to its end.
 * The same sequence of camera moves (relative to the starting view) for both pages.
 */
async function panZoom(page, getMap) {
  return withTimeout(page.evaluate(async (expr) => {
    // eslint-disable-next-line no-new-func
    const map = new Function(`return ${expr}`)();
    const deltas = [];
    let last = null;
    let running = true;
    const tick = (t) => {
      if (last !== null) deltas.push(t - last);
      last = t;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    const z0 = map.getZoom();
    const c0 = map.getCenter();
    const steps = [
      () => map.panBy([250, 120], { duration: 600 }),
      () => map.panBy([-400, -80], { duration: 600 }),
      () => map.easeTo({ zoom: z0 + 1.5, duration: 900 }),
      () => map.panBy([300, -200], { duration: 600 }),
      () => map.zoomTo(z0 + 2.5, { duration: 700 }),
      () => map.panBy([-250, 250], { duration: 500 }),
      () => map.easeTo({ center: c0, zoom: z0, duration: 1100 }),
    ];
    const t0 = performance.now();
    for (const step of steps) {
      step();
      // eslint-disable-next-line no-await-in-loop
      await new Promise((r) => { map.once('moveend', r); });
      // eslint-disable-next-line no-await-in-loop
      await wait(50);
    }
    running = false;
    return { deltas, elapsed: performance.now() - t0 };
  }, getMap), 60_000, 'pan/zoom script');
}

/**
 * Zoom and pan over London from z10 to z14 and back (issue 15): requestAnimationFrame deltas,
 * and the main thread's busy time per frame from CDP Performance.getMetrics (TaskDuration), since
 * software WebGL may make the frame times say more about the rasteriser than about the page.
 * Starts from London at z10 once the map is idle there (its tiles loaded), the same moves for
 * every page.
 */
async function londonFrames(context, page, getMap) {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    await withTimeout(page.evaluate((expr) => new Promise((resolve) => {
      // eslint-disable-next-line no-new-func
      const map = new Function(`return ${expr}`)();
      map.jumpTo({ center: [-0.1276, 51.5072], zoom: 10 });
      map.once('idle', () => resolve());
    }), getMap), 120_000, 'London z10 idle');
    const metric = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    };
    const before = await metric();
    const run = await withTimeout(page.evaluate(async (expr) => {
      // eslint-disable-next-line no-new-func
      const map = new Function(`return ${expr}`)();
      const deltas = [];
      let last = null;
      let running = true;
      const tick = (t) => {
        if (last !== null) deltas.push(t - last);
        last = t;
        if (running) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const steps = [
        () => map.zoomTo(11, { duration: 600 }),
        () => map.panBy([300, 150], { duration: 600 }),
        () => map.zoomTo(12, { duration: 600 }),
        () => map.panBy([-300, 200], { duration: 600 }),
        () => map.zoomTo(13, { duration: 600 }),
        () => map.panBy([250, -250], { duration: 600 }),
        () => map.zoomTo(14, { duration: 600 }),
        () => map.panBy([-250, -100], { duration: 600 }),
        () => map.easeTo({ center: [-0.1276, 51.5072], zoom: 10, duration: 1200 }),
      ];
      const t0 = performance.now();
      for (const step of steps) {
        step();
        // eslint-disable-next-line no-await-in-loop
        await new Promise((r) => { map.once('moveend', r); });
      }
      running = false;
      return { deltas, elapsed: performance.now() - t0 };
    }, getMap), 120_000, 'London pan/zoom script');
    const after = await metric();
    const busyMs = 1000 * ((after.TaskDuration || 0) - (before.TaskDuration || 0));
    const scriptMs = 1000 * ((after.ScriptDuration || 0) - (before.ScriptDuration || 0));
    return { ...run, busyMs, scriptMs, frames: run.deltas.length };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

function stats(values) {
  if (values.length === 0) return { n: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
}

// ---------------------------------------------------------------- the two pages

/** cnimap: switch IMD 2025 -> Income and wait until feature states hold income deciles, then idle. */
function cnimapTarget(server) {
  return {
    name: 'cnimap',
    mapExpr: 'window.cnimap.map',
    mark: CNIMAP_MARK,
    url: () => `${server.base}/`,
    async prepare() {
      const imd = await (await fetch(`${server.base}/api/values/lsoa21/imd2025`)).json();
      const inc = await (await fetch(`${server.base}/api/values/lsoa21/imd2025_income`)).json();
      // Probe features whose IMD and income deciles differ: the switch is done when all carry income.
      const probes = [];
      for (let i = 0; i < inc.decile.length && probes.length < 50; i += 97) {
        if (inc.decile[i] && imd.decile[i] && inc.decile[i] !== imd.decile[i]) probes.push([i, inc.decile[i]]);
      }
      this.probes = probes;
      // Areas whose decile (the map's class) changes from IMD to Income: the feature states a
      // switch has to rewrite.
      this.changed = inc.decile.filter((d, i) => d !== imd.decile[i]).length;
      this.areas = inc.decile.length;
    },
    async switchIndicator(page) {
      // Where the switch's time goes (issue 15): the main thread's time inside setFeatureState
      // calls (the app's classes are feature states) and inside setPaintProperty calls (a web app
      // that puts the classes in the fill expression, as tried for issue 15, see BENCHMARKS.md),
      // and how many there are; the rest is the values request and MapLibre's repaint.
      await page.evaluate(() => {
        const map = window.cnimap.map;
        const wrap = (name, calls, ms) => {
          const f = map[name];
          window[calls] = 0;
          window[ms] = 0;
          map[name] = function (...a) {
            const t = performance.now();
            try { return f.apply(this, a); } finally { window[ms] += performance.now() - t; window[calls] += 1; }
          };
        };
        wrap('setFeatureState', '__stateCalls', '__stateMs');
        wrap('setPaintProperty', '__paintCalls', '__paintMs');
        window.__switchT0 = performance.now();
      });
      await page.selectOption('#indicator', 'imd2025_income');
      // The classes the map draws: from the feature states, or, in a web app that exposes
      // window.cnimap.classes (the classes in the fill expression), read back from the paint value.
      await page.waitForFunction((probes) => {
        const map = window.cnimap.map;
        const drawn = window.cnimap.classes ? window.cnimap.classes('lsoa21', 'd') : null;
        const classOf = (id) => (window.cnimap.classes ? (drawn || [])[id]
          : (map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).d);
        return probes.every(([id, d]) => classOf(id) === d);
      }, this.probes, { timeout: 60_000, polling: 100 });
      await waitIdle(page, this.mapExpr);
      const out = await page.evaluate(() => ({
        ms: performance.now() - window.__switchT0,
        calls: window.__stateCalls,
        stateMs: window.__stateMs,
        paintCalls: window.__paintCalls,
        paintMs: window.__paintMs,
      }));
      this.lastSwitch = out;
      return out.ms;
    },
  };
}

/** The plain MapLibre page; view and map size copied from cnimap's first view. */
function baselineTarget(stat, view) {
  return {
    name: 'baseline',
    mapExpr: 'window.baseline.map',
    mark: BASELINE_MARK,
    url: () => `${stat.base}/baseline.html?lng=${view.lng}&lat=${view.lat}&zoom=${view.zoom}&w=${view.w}&h=${view.h}`,
    async prepare() {},
    async switchIndicator(page) {
      await page.evaluate(() => { window.__switchT0 = performance.now(); window.baseline.setIndicator('Income_decile'); });
      await waitIdle(page, this.mapExpr);
      return page.evaluate(() => performance.now() - window.__switchT0);
    },
  };
}

/**
 * The floor (issue 15): MapLibre alone on cnimap's own lsoa21 tiles, coloured from the feature id
 * (tests/perf/floor.html). Its switch is one full repaint of the same view: a new fill expression.
 */
function floorTarget(stat, server, view) {
  return {
    name: 'floor',
    mapExpr: 'window.floor.map',
    mark: FLOOR_MARK,
    url: () => `${stat.base}/floor.html?tiles=${encodeURIComponent(server.base)}&lng=${view.lng}&lat=${view.lat}&zoom=${view.zoom}&w=${view.w}&h=${view.h}`,
    async prepare() {},
    async switchIndicator(page) {
      await page.evaluate(() => { window.__switchT0 = performance.now(); window.floor.recolour(); });
      await waitIdle(page, this.mapExpr);
      return page.evaluate(() => performance.now() - window.__switchT0);
    },
  };
}

/** One cold run: fresh context, cache disabled; first paint, switch, pan/zoom. */
async function coldRun(browser, target) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const net = await recordNetwork(context, page, { cacheDisabled: true });
    const bad = [];
    page.on('response', (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); });
    page.on('requestfailed', (r) => bad.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(target.url(), { waitUntil: 'commit', timeout: 60_000 });
    let firstMs;
    try {
      firstMs = await waitForMark(page, target.mark);
    } catch (e) {
      throw new Error(`${target.name}: no first choropleth (${e.message}); page errors: ${errors.join('; ') || 'none'}; bad responses: ${bad.join('; ') || 'none'}`);
    }
    await waitIdle(page, target.mapExpr);
    await new Promise((r) => setTimeout(r, 300)); // let trailing requestfinished events arrive
    await net.settle();
    const load = summarise(net.list());
    const view = await page.evaluate((expr) => {
      // eslint-disable-next-line no-new-func
      const map = new Function(`return ${expr}`)();
      const c = map.getCenter();
      const canvas = map.getCanvas();
      return { lng: c.lng, lat: c.lat, zoom: map.getZoom(), w: canvas.clientWidth, h: canvas.clientHeight };
    }, target.mapExpr);

    const before = net.list().length;
    const switchMs = await target.switchIndicator(page);
    await new Promise((r) => setTimeout(r, 200));
    await net.settle();
    const during = net.list().slice(before);
    const sw = summarise(during);
    const switchUrls = during.map((r) => r.url);
    const tileRequestsDuringSwitch = during.filter((r) => r.kind === 'tile').length;

    const switchDetail = target.lastSwitch || null;
    const frames = await panZoom(page, target.mapExpr);
    const london = await londonFrames(context, page, target.mapExpr);
    await net.detach();
    return { firstMs, load, view, switchMs, switchNet: sw, switchUrls, tileRequestsDuringSwitch, switchDetail, frames, london, errors };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Warm: one priming load, then `n` reloads with the HTTP cache on. */
async function warmRuns(browser, target, n) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(target.url(), { waitUntil: 'commit', timeout: 60_000 });
    await waitForMark(page, target.mark);
    await waitIdle(page, target.mapExpr);
    const out = [];
    for (let i = 0; i < n; i++) {
      const net = await recordNetwork(context, page, { cacheDisabled: false });
      await page.goto(target.url(), { waitUntil: 'commit', timeout: 60_000 });
      const firstMs = await waitForMark(page, target.mark);
      await waitIdle(page, target.mapExpr);
      await new Promise((r) => setTimeout(r, 300));
      await net.settle();
      const load = summarise(net.list());
      await net.detach();
      out.push({ firstMs, load });
    }
    return out;
  } finally {
    await context.close().catch(() => {});
  }
}

// ---------------------------------------------------------------- report

const median = (xs) => stats(xs).p50;
const fmtMs = (x) => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-GB')} ms` : 'n/a');
const fmtMs1 = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
const fmtBytes = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const ratio = (b, c) => (c > 0 && Number.isFinite(b / c) ? `${(b / c).toFixed(2)}×` : 'n/a');

function aggregate(cold, warm) {
  const frames = cold.flatMap((r) => r.frames.deltas);
  const kinds = {};
  for (const r of cold) for (const [k, v] of Object.entries(r.load.count)) (kinds[k] ||= []).push(v);
  const kindBytes = {};
  for (const r of cold) for (const [k, v] of Object.entries(r.load.bytesByKind)) (kindBytes[k] ||= []).push(v);
  return {
    first: cold.map((r) => r.firstMs),
    firstMedian: median(cold.map((r) => r.firstMs)),
    warmMedian: median(warm.map((r) => r.firstMs)),
    warm: warm.map((r) => r.firstMs),
    warmBytes: median(warm.map((r) => r.load.bytes)),
    warmRequests: median(warm.map((r) => r.load.total)),
    bytes: median(cold.map((r) => r.load.bytes)),
    requests: median(cold.map((r) => r.load.total)),
    kinds: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, median(v)])),
    kindBytes: Object.fromEntries(Object.entries(kindBytes).map(([k, v]) => [k, median(v)])),
    switchMs: cold.map((r) => r.switchMs),
    switchMedian: median(cold.map((r) => r.switchMs)),
    switchBytes: median(cold.map((r) => r.switchNet.bytes)),
    switchRequests: median(cold.map((r) => r.switchUrls.length)),
    switchTiles: Math.max(...cold.map((r) => r.tileRequestsDuringSwitch)),
    frames: stats(frames),
    dropped: frames.filter((d) => d > DROPPED_MS).length,
    frameCount: frames.length,
    scriptMs: median(cold.map((r) => r.frames.elapsed)),
    london: (() => {
      const runs = cold.map((r) => r.london).filter(Boolean);
      const deltas = runs.flatMap((r) => r.deltas);
      return {
        frames: stats(deltas),
        busyPerFrame: median(runs.map((r) => r.busyMs / Math.max(1, r.frames))),
        scriptPerFrame: median(runs.map((r) => r.scriptMs / Math.max(1, r.frames))),
        elapsed: median(runs.map((r) => r.elapsed)),
      };
    })(),
    switchStateMs: median(cold.map((r) => (r.switchDetail ? r.switchDetail.stateMs : NaN)).filter(Number.isFinite)),
    switchStateCalls: median(cold.map((r) => (r.switchDetail ? r.switchDetail.calls : NaN)).filter(Number.isFinite)),
    switchPaintMs: median(cold.map((r) => (r.switchDetail ? r.switchDetail.paintMs : NaN)).filter(Number.isFinite)),
    switchPaintCalls: median(cold.map((r) => (r.switchDetail ? r.switchDetail.paintCalls : NaN)).filter(Number.isFinite)),
  };
}

function table(c, b) {
  const rows = [
    ['time to first choropleth, cold (median)', fmtMs(c.firstMedian), fmtMs(b.firstMedian), ratio(b.firstMedian, c.firstMedian)],
    ['time to first choropleth, warm cache (median)', fmtMs(c.warmMedian), fmtMs(b.warmMedian), ratio(b.warmMedian, c.warmMedian)],
    ['bytes transferred, cold load (median)', fmtBytes(c.bytes), fmtBytes(b.bytes), ratio(b.bytes, c.bytes)],
    ['requests, cold load (median)', String(c.requests), String(b.requests), ratio(b.requests, c.requests)],
    ['bytes transferred, warm reload (median)', fmtBytes(c.warmBytes), fmtBytes(b.warmBytes), ratio(b.warmBytes, c.warmBytes)],
    ['time to switch indicator IMD → Income (median)', fmtMs(c.switchMedian), fmtMs(b.switchMedian), ratio(b.switchMedian, c.switchMedian)],
    ['requests during the switch (tile requests)', `${c.switchRequests} (${c.switchTiles})`, `${b.switchRequests} (${b.switchTiles})`, ''],
    ['frame time during pan/zoom: mean', fmtMs1(c.frames.mean), fmtMs1(b.frames.mean), ratio(b.frames.mean, c.frames.mean)],
    ['frame time: p50', fmtMs1(c.frames.p50), fmtMs1(b.frames.p50), ratio(b.frames.p50, c.frames.p50)],
    ['frame time: p95', fmtMs1(c.frames.p95), fmtMs1(b.frames.p95), ratio(b.frames.p95, c.frames.p95)],
    ['frame time: p99', fmtMs1(c.frames.p99), fmtMs1(b.frames.p99), ratio(b.frames.p99, c.frames.p99)],
    [`dropped frames (> ${DROPPED_MS} ms) / frames`, `${c.dropped} / ${c.frameCount} (${(100 * c.dropped / c.frameCount).toFixed(0)}%)`,
      `${b.dropped} / ${b.frameCount} (${(100 * b.dropped / b.frameCount).toFixed(0)}%)`,
      ratio(b.dropped / b.frameCount, c.dropped / c.frameCount)],
  ];
  return rows;
}

function markdownTable(header, rows) {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function kindsLine(agg) {
  return Object.keys(agg.kinds).sort().map((k) => `${k} ${agg.kinds[k]} (${fmtBytes(agg.kindBytes[k] || 0)})`).join(', ');
}

/** cnimap against the floor (MapLibre alone on the same tiles): ratios cnimap / floor, 1.00× is the floor. */
function floorRows(c, f) {
  return [
    ['time to first choropleth, cold (median)', fmtMs(c.firstMedian), fmtMs(f.firstMedian), ratio(c.firstMedian, f.firstMedian)],
    ['time to first choropleth, warm cache (median)', fmtMs(c.warmMedian), fmtMs(f.warmMedian), ratio(c.warmMedian, f.warmMedian)],
    ['bytes transferred, cold load (median)', fmtBytes(c.bytes), fmtBytes(f.bytes), ratio(c.bytes, f.bytes)],
    ['requests, cold load (median)', String(c.requests), String(f.requests), ratio(c.requests, f.requests)],
    ['switch indicator / full repaint (median)', fmtMs(c.switchMedian), fmtMs(f.switchMedian), ratio(c.switchMedian, f.switchMedian)],
    ['frame time during pan/zoom: p50', fmtMs1(c.frames.p50), fmtMs1(f.frames.p50), ratio(c.frames.p50, f.frames.p50)],
    ['frame time: p95', fmtMs1(c.frames.p95), fmtMs1(f.frames.p95), ratio(c.frames.p95, f.frames.p95)],
    ['London z10-z14 frame time: p50', fmtMs1(c.london.frames.p50), fmtMs1(f.london.frames.p50), ratio(c.london.frames.p50, f.london.frames.p50)],
    ['London z10-z14 frame time: p95', fmtMs1(c.london.frames.p95), fmtMs1(f.london.frames.p95), ratio(c.london.frames.p95, f.london.frames.p95)],
    ['London z10-z14 main-thread busy per frame (median)', fmtMs1(c.london.busyPerFrame), fmtMs1(f.london.busyPerFrame), ratio(c.london.busyPerFrame, f.london.busyPerFrame)],
  ];
}

function section(c, b, f, meta) {
  const rows = table(c, b);
  const list = (xs) => xs.map((x) => Math.round(x).toLocaleString('en-GB')).join(', ');
  return `## Client speed (browser)

What a visitor's browser does with cnimap, against what a user would otherwise build: a plain
MapLibre GL JS page ([\`tests/perf/baseline.html\`](tests/perf/baseline.html)) that fetches
\`lsoa21_bsc.geojson\` (ONS LSOA 2021 super-generalised, ${fmtBytes(meta.sizes['/data/lsoa21_bsc.geojson'].raw)}) and the
IoD 2025 CSV (${fmtBytes(meta.sizes['/data/imd2025_lsoa21.csv'].raw)}), joins them in the browser (the \`*_decile\` columns
copied onto each feature) and draws one fill layer coloured by IMD decile with a \`match\` on the
property. Both pages use the same pinned \`maplibre-gl.js\` (${meta.maplibre}), the same decile colours,
the same initial view (cnimap's first view) and the same map canvas size (${c.view.w}×${c.view.h} px, as
cnimap's canvas in a ${VIEWPORT.width}×${VIEWPORT.height} viewport). The baseline is served by a small loopback static server
that gzips like an ordinary static host (geojson ${fmtBytes(meta.sizes['/data/lsoa21_bsc.geojson'].gz)} gzipped, CSV
${fmtBytes(meta.sizes['/data/imd2025_lsoa21.csv'].gz)}) and sends an ETag with \`max-age=3600\`.

Run: \`scripts/bench-client.sh\` (checks that \`dist/\` and \`target/release/cnimap\` exist, then runs
\`node tests/perf/client.mjs\`; raw figures in \`target/bench/client.json\`).

**Machine**: 2 shared cores (other agents compiling on them during the run; load average
${meta.load} at the start), headless Chromium ${meta.chromium} with **software WebGL** (SwiftShader,
\`--use-angle=swiftshader\`, no GPU). Frame times and paint times are therefore far slower than on a
laptop with a GPU; read the ratios rather than the absolute figures. Server, static server and
browser share the same 2 cores over loopback (no network latency or bandwidth limit). Measured
${meta.date}, commit \`${meta.commit}\` (runs retried after a failure: ${meta.retries}).

Method: ${RUNS} cold runs per page (a fresh browser context each, HTTP cache disabled through CDP) and
${WARM} warm reloads (same context, cache on, after one priming load). *First choropleth* is the time
from navigation start to the page's performance mark, set at the first map \`idle\` after the
values are applied (cnimap: \`cnimap:first-choropleth\`; baseline: after the joined source and the
fill layer are added). *Bytes* are response headers plus encoded (compressed, over-the-wire) bodies of every
request of the page and its workers (MapLibre fetches tiles from workers), from Playwright's
\`request.sizes()\`, which reads CDP \`Network.loadingFinished\` \`encodedDataLength\`. *Switch* is from the indicator
change (cnimap: the \`#indicator\` select; baseline: \`setPaintProperty\` to \`Income_decile\`) to the
next map \`idle\` with the new colours (cnimap: the feature states of 50 probe areas hold their income
deciles). *Frames* are \`requestAnimationFrame\` deltas in the page over a scripted pan/zoom sequence
(7 animated \`panBy\`/\`easeTo\`/\`zoomTo\` moves from the first view, 5.0 s of animation in all,
zooming in 2.5 levels and back; each move waits for \`moveend\`, so on slow frames the script
took a median ${fmtMs(c.scriptMs)} for cnimap and ${fmtMs(b.scriptMs)} for the baseline), pooled over the cold runs; a
frame over ${DROPPED_MS} ms counts as dropped. Ratios above 1 mean the baseline takes longer or
transfers more.

${markdownTable(['measure', 'cnimap', 'plain MapLibre + GeoJSON', 'ratio (baseline / cnimap)'], rows)}

${reading(c, b)}

Per run (ms): cnimap first choropleth cold ${list(c.first)}, warm ${list(c.warm)}; switch ${list(c.switchMs)}.
Baseline first choropleth cold ${list(b.first)}, warm ${list(b.warm)}; switch ${list(b.switchMs)}.

Requests on a cold load by kind (median count and bytes): cnimap: ${kindsLine(c)}.
Baseline: ${kindsLine(b)}.

### Against the floor (issue 15)

The floor ([\`tests/perf/floor.html\`](tests/perf/floor.html)) is MapLibre alone drawing cnimap's own
lsoa21 tiles from the same \`cnimap serve\`, each area coloured from its feature id: no app, no wasm,
no values. Its *switch* is one full repaint of the same view (a new fill expression that changes
every area's colour). Same view, canvas, runs and method as above; ratios are cnimap / floor
(1.00× is the floor; the target for the first choropleth is 1.1×).

${markdownTable(['measure', 'cnimap', 'floor', 'ratio (cnimap / floor)'], floorRows(c, f))}

Floor per run (ms): first choropleth cold ${list(f.first)}, warm ${list(f.warm)}; repaint ${list(f.switchMs)}.
Floor requests on a cold load by kind: ${kindsLine(f)}.
`;
}

/** Plain statements read off the figures (so they stay true when the harness is re-run). */
function reading(c, b) {
  const out = [];
  out.push(`Reading: the baseline takes ${ratio(b.firstMedian, c.firstMedian)} as long as cnimap to its first choropleth (cold) and `
    + `transfers ${ratio(b.bytes, c.bytes)} the bytes, in ${b.requests} requests against cnimap's ${c.requests} (cnimap: vector tiles for the view, `
    + `one values array, the app's wasm). The baseline downloads, parses and tiles the whole national GeoJSON and CSV before `
    + `anything shows, and repeats the parsing and tiling on every visit (warm reload ${fmtMs(b.warmMedian)}, ${fmtBytes(b.warmBytes)} transferred).`);
  if (c.switchMedian > b.switchMedian) {
    out.push(`Switching indicator is ${ratio(c.switchMedian, b.switchMedian)} slower in cnimap than in the baseline: cnimap fetches the `
      + `new values (${fmtBytes(c.switchBytes)}, no tile) and sets a feature state on each of the 33,755 areas, where the baseline re-lays out `
      + `its tiles in its worker from the GeoJSON it already holds (a data-driven paint change).`);
  } else {
    out.push(`Switching indicator is ${ratio(b.switchMedian, c.switchMedian)} faster in cnimap than in the baseline (cnimap: one values request of ${fmtBytes(c.switchBytes)}, no tile).`);
  }
  if (c.dropped === c.frameCount && b.dropped === b.frameCount) {
    out.push(`Every frame of both pages took over ${DROPPED_MS} ms during pan/zoom (p50 ${fmtMs1(c.frames.p50)} and ${fmtMs1(b.frames.p50)}): `
      + `with software WebGL on 2 shared cores rasterisation dominates, so these frame times say only that the two are of the same `
      + `order here; a machine with a GPU is needed to compare smoothness.`);
  }
  return out.join('\n');
}

function writeSection(md) {
  const file = path.join(REPO, 'BENCHMARKS.md');
  const text = fs.readFileSync(file, 'utf8');
  const head = '## Client speed (browser)';
  const start = text.indexOf(`\n${head}\n`);
  let out;
  if (start < 0) {
    out = `${text.replace(/\s*$/, '')}\n\n${md}`;
  } else {
    const rest = text.slice(start + 1 + head.length);
    const next = rest.search(/\n## /);
    const tail = next < 0 ? '' : rest.slice(next);
    out = `${text.slice(0, start + 1)}${md.replace(/\s*$/, '\n')}${tail}`;
  }
  fs.writeFileSync(file, out);
}

// ---------------------------------------------------------------- main

/**
 * Runs `f`; on failure logs it and runs it once more (another helper may rebuild dist/ while the
 * harness runs, which breaks one page load). Retries are counted in the report.
 */
let retries = 0;
async function retryOnce(f, what) {
  try {
    return await f();
  } catch (e) {
    retries += 1;
    console.error(`${what} failed, retrying once: ${e.message}`);
    return f();
  }
}

async function main() {
  let server = null;
  let stat = null;
  let browser = null;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await stopChild(server?.child);
    if (stat) await new Promise((r) => { stat.srv.closeAllConnections?.(); stat.srv.close(() => r()); setTimeout(r, 2000); });
  };
  const onSignal = () => { cleanup().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
    [server, stat] = await Promise.all([startCnimap(), startStatic()]);
    console.error(`cnimap serve healthy at ${server.base} after ${server.startupMs} ms; static server at ${stat.base}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-gpu', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    const cn = cnimapTarget(server);
    await cn.prepare();
    const results = { cnimap: { cold: [], warm: [] }, baseline: { cold: [], warm: [] }, floor: { cold: [], warm: [] } };
    let view = null;
    let bl = null;
    let fl = null;
    // Interleave the two pages run by run so drifting machine load hits both alike.
    for (let i = 0; i < RUNS; i++) {
      const rc = await retryOnce(() => coldRun(browser, cn), `cold ${i + 1} cnimap`);
      results.cnimap.cold.push(rc);
      if (!view) {
        view = rc.view;
        bl = baselineTarget(stat, view);
        fl = floorTarget(stat, server, view);
      }
      console.error(`cold ${i + 1}/${RUNS} cnimap: first ${rc.firstMs.toFixed(0)} ms, ${fmtBytes(rc.load.bytes)} in ${rc.load.total} requests, switch ${rc.switchMs.toFixed(0)} ms [${rc.switchUrls.map((u) => new URL(u).pathname).join(' ')}], frames ${stats(rc.frames.deltas).p50.toFixed(1)}/${stats(rc.frames.deltas).p95.toFixed(1)} ms${rc.errors.length ? `, page errors: ${rc.errors.join('; ')}` : ''}`);
      const rb = NO_BASELINE ? null : await retryOnce(() => coldRun(browser, bl), `cold ${i + 1} baseline`);
      if (rb) results.baseline.cold.push(rb);
      const rf = await retryOnce(() => coldRun(browser, fl), `cold ${i + 1} floor`);
      results.floor.cold.push(rf);
      console.error(`cold ${i + 1}/${RUNS} floor: first ${rf.firstMs.toFixed(0)} ms, ${fmtBytes(rf.load.bytes)} in ${rf.load.total} requests, switch ${rf.switchMs.toFixed(0)} ms, frames ${stats(rf.frames.deltas).p50.toFixed(1)}/${stats(rf.frames.deltas).p95.toFixed(1)} ms${rf.errors.length ? `, page errors: ${rf.errors.join('; ')}` : ''}`);
      if (rb) console.error(`cold ${i + 1}/${RUNS} baseline: first ${rb.firstMs.toFixed(0)} ms, ${fmtBytes(rb.load.bytes)} in ${rb.load.total} requests, switch ${rb.switchMs.toFixed(0)} ms, frames ${stats(rb.frames.deltas).p50.toFixed(1)}/${stats(rb.frames.deltas).p95.toFixed(1)} ms${rb.errors.length ? `, page errors: ${rb.errors.join('; ')}` : ''}`);
    }
    results.cnimap.warm = await retryOnce(() => warmRuns(browser, cn, WARM), "warm cnimap");
    if (!NO_BASELINE) results.baseline.warm = await retryOnce(() => warmRuns(browser, bl, WARM), "warm baseline");
    results.floor.warm = await retryOnce(() => warmRuns(browser, fl, WARM), "warm floor");
    console.error(`warm cnimap: ${results.cnimap.warm.map((r) => `${r.firstMs.toFixed(0)} ms/${fmtBytes(r.load.bytes)}`).join(', ')}`);
    console.error(`warm baseline: ${results.baseline.warm.map((r) => `${r.firstMs.toFixed(0)} ms/${fmtBytes(r.load.bytes)}`).join(', ')}`);

    const c = aggregate(results.cnimap.cold, results.cnimap.warm);
    const b = NO_BASELINE ? null : aggregate(results.baseline.cold, results.baseline.warm);
    const f = aggregate(results.floor.cold, results.floor.warm);
    c.view = view;
    const rows = table(c, b || c);
    const widths = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => String(r[k]).length), 10));
    if (b) {
      console.log(['measure', 'cnimap', 'baseline', 'baseline/cnimap'].map((h, k) => h.padEnd(widths[k])).join('  '));
      for (const r of rows) console.log(r.map((x, k) => String(x).padEnd(widths[k])).join('  '));
      console.log(`baseline cold load by kind: ${kindsLine(b)}`);
    }
    console.log(`cnimap cold load by kind: ${kindsLine(c)}`);
    console.log(`load average at the start: ${load}; cnimap switch: ${cn.changed} of ${cn.areas} areas change class, `
      + `setFeatureState ${c.switchStateCalls} calls, ${fmtMs1(c.switchStateMs)} inside them, setPaintProperty ${c.switchPaintCalls} calls, ${fmtMs1(c.switchPaintMs)} inside them (medians); per run ${c.switchMs.map((x) => Math.round(x)).join(', ')} ms; `
      + `floor repaint per run ${f.switchMs.map((x) => Math.round(x)).join(', ')} ms`);
    console.log(`first choropleth per run: cnimap ${c.first.map((x) => Math.round(x)).join(', ')}; floor ${f.first.map((x) => Math.round(x)).join(', ')}`);
    for (const r of floorRows(c, f)) console.log(r.map((x, k) => String(x).padEnd(k === 0 ? widths[0] : 12)).join('  '));
    console.log(`floor cold load by kind: ${kindsLine(f)}`);

    let commit = 'unknown';
    try {
      const { execFileSync } = await import('node:child_process');
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    } catch { /* not a git checkout */ }
    const meta = {
      sizes: stat.sizes,
      maplibre: `v${JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'maplibre-gl', 'package.json'), 'utf8')).version}`,
      chromium: browser.version(),
      load,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      commit,
      retries,
    };
    const outDir = path.join(REPO, 'target', 'bench');
    fs.mkdirSync(outDir, { recursive: true });
    const strip = (runs) => runs.map((r) => ({ ...r, frames: r.frames ? { elapsed: r.frames.elapsed, deltas: r.frames.deltas.map((d) => +d.toFixed(2)) } : undefined }));
    fs.writeFileSync(path.join(outDir, 'client.json'), JSON.stringify({
      meta, summary: { cnimap: c, baseline: b, floor: f },
      raw: {
        cnimap: { cold: strip(results.cnimap.cold), warm: results.cnimap.warm },
        baseline: { cold: strip(results.baseline.cold), warm: results.baseline.warm },
        floor: { cold: strip(results.floor.cold), warm: results.floor.warm },
      },
    }, null, 1));
    if (WRITE) {
      writeSection(section(c, b, f, meta));
      console.error('wrote the "## Client speed (browser)" section of BENCHMARKS.md');
    }
  } finally {
    await cleanup();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e?.stack || e); process.exit(1); });
