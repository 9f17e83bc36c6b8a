// Shared helpers of the end-to-end tests: start `cnimap serve`, launch headless Chromium, read
// pixels from screenshots. Paths are anchored on this file, never on the working directory.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { startNginx, stopNginx } from '../static/nginx.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA = process.env.CNIMAP_DATA || path.resolve(REPO, '..', 'shared', 'data');
export const BINARY = process.env.CNIMAP_BIN || path.join(REPO, 'target', 'release', 'cnimap');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The README's screenshots come from the server run; the static run (CNIMAP_E2E_TARGET=static)
// writes its own beside the debugging shots, so it never overwrites them.
export const SCREENSHOTS = process.env.CNIMAP_E2E_TARGET === 'static'
  ? path.join(os.tmpdir(), 'cnimap-e2e', 'static-screenshots')
  : path.join(REPO, 'docs', 'screenshots');
// The built web app: dist/ unless CNIMAP_DIST names another folder (so two people can run the
// suite against their own builds at once: `bash scripts/build-web.sh --dist /tmp/mine`).
export const DIST = process.env.CNIMAP_DIST ? path.resolve(process.env.CNIMAP_DIST) : path.join(REPO, 'dist');
export const FIRST_PAINT_MARK = 'cnimap:first-choropleth';
// Which target the suite runs against: `cnimap serve` (default) or, with
// CNIMAP_E2E_TARGET=static, the static site (cnimap export-site) served by nginx. Same tests,
// same assertions.
export const TARGET = process.env.CNIMAP_E2E_TARGET === 'static' ? 'static' : 'server';
export const STATIC = TARGET === 'static';
// Where the static target keeps its prepared build (one per binary: keyed by its mtime and size)
// and exports the site (same file system, so the export hard-links instead of copying). As root,
// nginx runs as nobody, who cannot enter root's home: then under the temp folder.
const IS_ROOT = process.getuid && process.getuid() === 0;
export const STATIC_CACHE = process.env.CNIMAP_E2E_CACHE || (IS_ROOT
  ? path.join(os.tmpdir(), 'cnimap-e2e-static')
  : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cnimap', 'e2e-static'));

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

/**
 * Starts the target under test: `cnimap serve` on a free port (waits until /api/health answers),
 * or with CNIMAP_E2E_TARGET=static the static site on nginx (see startStaticSite).
 */
export async function startServer() {
  if (STATIC && !process.env.CNIMAP_BASE_URL) return startStaticSite();
  return startCnimapServe();
}

/** Starts `cnimap serve` (with `extra` arguments instead of --data DATA when given). */
async function startCnimapServe(extra) {
  if (process.env.CNIMAP_BASE_URL) {
    // A server someone else started (for example during development).
    return { base: process.env.CNIMAP_BASE_URL.replace(/\/$/, ''), child: null, log: () => '' };
  }
  for (const [what, p] of [['cnimap binary', BINARY], ['data directory', DATA], ['web build (run scripts/build-web.sh)', path.join(DIST, 'index.html')]]) {
    if (!fs.existsSync(p)) throw new Error(`e2e: ${what} not found at ${p}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // --no-cache: the data read in memory (seconds to a minute) rather than a full prepare into the
  // build cache (minutes) whenever the binary is new; the static target tests the build.
  const child = spawn(BINARY, ['serve', ...(extra || ['--data', DATA, '--no-cache']), '--addr', `127.0.0.1:${port}`, '--static-dir', DIST], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`e2e: cnimap serve exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return { base, child, log: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`e2e: cnimap serve did not become healthy in time:\n${log}`);
}

/**
 * The prepared build of DATA for this binary (`cnimap prepare`), made once and kept in
 * STATIC_CACHE, keyed by the binary's mtime and size (older keys are removed). CNIMAP_E2E_BUILD
 * names a build to use instead.
 */
async function preparedBuild() {
  if (process.env.CNIMAP_E2E_BUILD) return path.resolve(process.env.CNIMAP_E2E_BUILD);
  const st = fs.statSync(BINARY);
  const key = `${Math.floor(st.mtimeMs)}-${st.size}`;
  const dir = path.join(STATIC_CACHE, key);
  const build = path.join(dir, 'build');
  if (fs.existsSync(path.join(build, 'manifest.json'))) return build;
  fs.mkdirSync(dir, { recursive: true });
  for (const old of fs.readdirSync(STATIC_CACHE)) {
    if (old !== key && old !== 'search-answers.json') fs.rmSync(path.join(STATIC_CACHE, old), { recursive: true, force: true });
  }
  const started = Date.now();
  const r = spawnSync(BINARY, ['prepare', '--data', DATA, '--out', build], {
    stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  if (r.status !== 0) throw new Error(`e2e: cnimap prepare --data ${DATA} failed (${r.status})`);
  console.log(`e2e static: prepared the build in ${((Date.now() - started) / 1000).toFixed(0)} s at ${build}`);
  return build;
}

/**
 * The static target: the build (prepared once), exported with the web app by `cnimap export-site`
 * next to it, served by nginx from tests/static/nginx.conf.template on a free loopback port.
 */
async function startStaticSite() {
  for (const [what, p] of [['cnimap binary', BINARY], ['data directory', DATA], ['web build (run scripts/build-web.sh)', path.join(DIST, 'index.html')]]) {
    if (!fs.existsSync(p)) throw new Error(`e2e: ${what} not found at ${p}`);
  }
  const build = await preparedBuild();
  const site = path.join(path.dirname(build), `site-${process.pid}`);
  const r = spawnSync(BINARY, ['export-site', '--build', build, '--static-dir', DIST, '--out', site], {
    stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  if (r.status !== 0) throw new Error(`e2e: cnimap export-site failed (${r.status})`);
  const nginx = await startNginx(site);
  return { ...nginx, site, build, static: true };
}

/** Stops the server started by startServer. */
export async function stopServer(server) {
  if (server && server.static) {
    await stopNginx(server);
    await stopServer(server.oracle);
    // The reference server started for search answers (searchAnswer): its pipes would keep the
    // test file's process alive after its last test.
    await stopServer(oracle);
    oracle = null;
    fs.rmSync(server.site, { recursive: true, force: true });
    return;
  }
  if (!server || !server.child || server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

/** Launches headless Chromium (WebGL through SwiftShader). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--no-first-run',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

// The server's lookup order for an area without ?layer= (cnimap_server::detail::LOOKUP_ORDER).
const AREA_LOOKUP_ORDER = ['lsoa21', 'lsoa11', 'ward17', 'lad24', 'region'];

/**
 * The static site's file(s) for an API path, as the web app reads them: `/api/x` -> `/api/x.json`,
 * `/api/areas/CODE?layer=L` -> `/api/areas/L/CODE.json` (without a layer, each layer in the
 * server's order). `null` for the search API, which has no file.
 */
export function staticPaths(p) {
  const url = new URL(p, 'http://x');
  const area = /^\/api\/areas\/([^/]+)$/.exec(url.pathname);
  if (area) {
    const code = decodeURIComponent(area[1]).trim().toUpperCase();
    const layer = url.searchParams.get('layer');
    return (layer ? [layer] : AREA_LOOKUP_ORDER).map((l) => `/api/areas/${l}/${code}.json`);
  }
  if (url.pathname === '/api/search') return null;
  return [`${url.pathname}.json`];
}

/**
 * A `cnimap serve` beside the static site, asked only for search answers the tests take as
 * known facts (the static site has no search API; its search runs in the browser). Started once
 * per test file; answers are cached on disk beside the build, so usually it never starts.
 */
let oracle = null;
async function searchAnswer(p) {
  const cache = path.join(STATIC_CACHE, 'search-answers.json');
  let answers = {};
  try { answers = JSON.parse(fs.readFileSync(cache, 'utf8')); } catch { /* none yet */ }
  const st = fs.statSync(BINARY);
  const key = `${Math.floor(st.mtimeMs)}-${st.size} ${p}`;
  if (answers[key]) return answers[key];
  if (!oracle) {
    console.log('e2e static: the static site has no search API; the tests\' known search facts come from a cnimap serve on the same data');
    oracle = await startCnimapServe();
  }
  const r = await fetch(oracle.base + p);
  if (!r.ok) throw new Error(`e2e: GET ${p} answered ${r.status} on the reference server: ${await r.text()}`);
  answers[key] = await r.json();
  fs.mkdirSync(STATIC_CACHE, { recursive: true });
  fs.writeFileSync(cache, JSON.stringify(answers));
  return answers[key];
}
process.on('exit', () => { if (oracle?.child && oracle.child.exitCode === null) oracle.child.kill('SIGTERM'); });

/**
 * Fetches JSON from the server under test. On the static target an API path is read from the
 * site's files (the URLs the web app uses), so every document the tests check is the one the
 * static site serves; search answers come from searchAnswer.
 */
export async function getJson(base, p) {
  if (STATIC && !process.env.CNIMAP_BASE_URL && p.startsWith('/api/')) {
    const files = staticPaths(p);
    if (!files) return searchAnswer(p);
    for (const f of files) {
      const r = await fetch(base + f);
      if (r.status === 404) continue;
      if (!r.ok) throw new Error(`e2e: GET ${f} (for ${p}) answered ${r.status}`);
      return r.json();
    }
    throw new Error(`e2e: no file on the static site for ${p} (tried ${files.join(', ')})`);
  }
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`e2e: GET ${p} answered ${r.status}: ${await r.text()}`);
  return r.json();
}

/**
 * Waits for the first-choropleth performance mark and returns its time since navigation (ms).
 * When assets/boot.js drew the first choropleth before the app (issue 15), it also waits for the
 * app's own mark (set again once the app has adopted that map and painted its classes).
 */
export async function waitForFirstPaint(page, timeout = 120_000) {
  await page.waitForFunction(
    (mark) => {
      const boot = window.__cnimapBoot;
      return performance.getEntriesByName(mark).length >= (boot && boot.drew ? 2 : 1);
    },
    FIRST_PAINT_MARK,
    { timeout, polling: 100 },
  );
  return page.evaluate((mark) => performance.getEntriesByName(mark)[0].startTime, FIRST_PAINT_MARK);
}

/** Waits until the map has no pending tiles or transitions. */
export async function waitForIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => window.cnimap && window.cnimap.map, null, { timeout });
  await page.evaluate(
    () => new Promise((resolve) => {
      const map = window.cnimap.map;
      const done = () => requestAnimationFrame(() => requestAnimationFrame(resolve));
      if (map.loaded() && !map.isMoving()) {
        map.once('idle', done);
        map.triggerRepaint();
      } else {
        map.once('idle', done);
      }
    }),
  );
}

/** Moves the map without animation and waits until it has drawn. */
export async function jumpTo(page, center, zoom) {
  await page.evaluate(([c, z]) => window.cnimap.map.jumpTo({ center: c, zoom: z }), [center, zoom]);
  await waitForIdle(page);
}

/** Hides symbol and outline layers so a pixel shows the fill colour alone. */
export async function fillOnly(page) {
  await page.evaluate(() => {
    const map = window.cnimap.map;
    for (const layer of map.getStyle().layers) {
      if (layer.type === 'symbol' || layer.type === 'line') map.setLayoutProperty(layer.id, 'visibility', 'none');
    }
  });
  await waitForIdle(page);
}

/** The screen position of a longitude/latitude. */
export function project(page, lngLat) {
  return page.evaluate((ll) => {
    const p = window.cnimap.map.project(ll);
    const r = window.cnimap.map.getContainer().getBoundingClientRect();
    return { x: Math.round(r.left + p.x), y: Math.round(r.top + p.y) };
  }, lngLat);
}

// ---------- PNG decoding (8-bit RGB/RGBA, as Chromium writes screenshots) ----------
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG buffer into { width, height, channels, data }. */
export function decodePng(buf) {
  let pos = 8;
  let width = 0, height = 0, colorType = 0, bitDepth = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      bitDepth = body[8]; colorType = body[9];
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6)) {
    throw new Error(`decodePng: unsupported PNG (bit depth ${bitDepth}, colour type ${colorType})`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const v = line[x];
      let out;
      switch (filter) {
        case 0: out = v; break;
        case 1: out = v + a; break;
        case 2: out = v + b; break;
        case 3: out = v + ((a + b) >> 1); break;
        case 4: out = v + paeth(a, b, c); break;
        default: throw new Error(`decodePng: bad filter ${filter}`);
      }
      data[y * stride + x] = out & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** The colours of a square of `size` pixels centred on (x, y), as [r, g, b] triples. */
export async function pixelsAround(page, { x, y }, size = 5) {
  const half = Math.floor(size / 2);
  const png = decodePng(await page.screenshot({ clip: { x: x - half, y: y - half, width: size, height: size } }));
  const out = [];
  for (let i = 0; i < png.width * png.height; i++) {
    out.push([png.data[i * png.channels], png.data[i * png.channels + 1], png.data[i * png.channels + 2]]);
  }
  return out;
}

/** Parses "#rrggbb" or "rgb(r, g, b)" into [r, g, b]. */
export function parseColour(s) {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s.trim());
  if (hex) return hex.slice(1).map((h) => parseInt(h, 16));
  const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(s);
  if (rgb) return rgb.slice(1, 4).map(Number);
  throw new Error(`parseColour: cannot read ${s}`);
}

/** Largest channel difference between two colours. */
export function colourDistance(a, b) {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

/** How many of `pixels` are within `tolerance` of `colour`. */
export function countNear(pixels, colour, tolerance = 6) {
  return pixels.filter((p) => colourDistance(p, colour) <= tolerance).length;
}

/** The background colour of the legend swatch of `decile` (1..=10). */
export async function legendColour(page, decile) {
  const css = await page.locator('[data-testid=decile-legend] li').nth(decile - 1).locator('.swatch')
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  return parseColour(css);
}

export function ensureScreenshotDir() {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}

/**
 * A screen point near `lngLat` whose 5 x 5 pixel square lies inside feature `featureId` of the
 * fill layer `layerId` (a postcode can sit close to an area's edge). Throws when none is found.
 */
export async function insidePoint(page, lngLat, layerId, featureId) {
  const found = await page.evaluate(([ll, layer, id]) => {
    const map = window.cnimap.map;
    const r = map.getContainer().getBoundingClientRect();
    const c = map.project(ll);
    const inside = (x, y) => {
      const f = map.queryRenderedFeatures([x, y], { layers: [layer] });
      return f.length > 0 && f[0].id === id;
    };
    for (let radius = 0; radius <= 120; radius += 4) {
      const steps = Math.max(1, Math.round((2 * Math.PI * radius) / 4));
      for (let k = 0; k < steps; k++) {
        const x = Math.round(c.x + radius * Math.cos((2 * Math.PI * k) / steps));
        const y = Math.round(c.y + radius * Math.sin((2 * Math.PI * k) / steps));
        if (x < 400 || y < 4 || x > r.width - 4 || y > r.height - 4) continue; // clear of the sidebar
        if ([[0, 0], [-3, -3], [3, -3], [-3, 3], [3, 3]].every(([dx, dy]) => inside(x + dx, y + dy))) {
          return { x: Math.round(r.left + x), y: Math.round(r.top + y) };
        }
      }
    }
    return null;
  }, [lngLat, layerId, featureId]);
  if (!found) throw new Error(`insidePoint: no point inside feature ${featureId} of ${layerId} near ${lngLat}`);
  return found;
}


// ---------- Shared by the defect tests (issue 9) ----------

/** Where failing or measuring tests leave their screenshots (never the repository). */
export const DEBUG_SHOTS = path.join(os.tmpdir(), 'cnimap-e2e');

/** A path for a debugging screenshot called `name`, in DEBUG_SHOTS. */
export function debugShot(name) {
  fs.mkdirSync(DEBUG_SHOTS, { recursive: true });
  return path.join(DEBUG_SHOTS, `${name}.png`);
}

/** Opens the app at `query` in a fresh browser context; records requests and page errors. */
export async function openApp(browser, base, query = '', viewport = { width: 1280, height: 800 }, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/' + query);
  return { context, page, requests, errors };
}

/**
 * Rectangles (CSS pixels, { left, top, right, bottom }) of the rendered elements matching
 * `selector`: what covers the map.
 */
export function visibleRects(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((e) => {
      const s = getComputedStyle(e);
      return s.display !== 'none' && s.visibility !== 'hidden';
    })
    .map((e) => e.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0)
    .map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom })), selector);
}

/** Whether CSS point (x, y) lies inside one of `rects` grown by `margin` pixels. */
export function insideAny(rects, x, y, margin = 0) {
  return rects.some((r) => x >= r.left - margin && x < r.right + margin && y >= r.top - margin && y < r.bottom + margin);
}

/** The decoded screenshot of the viewport (also written to `file` when given). */
export async function screenshotPixels(page, file) {
  return decodePng(await page.screenshot(file ? { path: file } : {}));
}

/** The [r, g, b] of pixel (x, y) of a decoded PNG. */
export function pixelAt(png, x, y) {
  const i = (y * png.width + x) * png.channels;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

/** Whether `rgb` is within `tolerance` of one of `colours`. */
export function nearAny(rgb, colours, tolerance) {
  return colours.some((c) => colourDistance(rgb, c) <= tolerance);
}

/** The ten decile colours of the legend, decile 1 first. */
export async function legendColours(page) {
  const out = [];
  for (let d = 1; d <= 10; d++) out.push(await legendColour(page, d));
  return out;
}

/** Projects many longitude/latitude pairs to page coordinates (CSS pixels) at once. */
export function projectAll(page, lngLats) {
  return page.evaluate((lls) => {
    const map = window.cnimap.map;
    const r = map.getContainer().getBoundingClientRect();
    return lls.map((ll) => {
      const p = map.project(ll);
      return { x: r.left + p.x, y: r.top + p.y };
    });
  }, lngLats);
}

/** Waits until the map has started and finished a camera move triggered by `action`. */
export async function afterCameraMove(page, action, timeout = 30_000) {
  await page.evaluate(() => {
    window.__cnimapMoved = false;
    window.cnimap.map.once('moveend', () => { window.__cnimapMoved = true; });
  });
  await action();
  await page.waitForFunction(() => window.__cnimapMoved === true, null, { timeout });
  await waitForIdle(page);
}

/** Selects the first search hit for `query` with the keyboard (type, ArrowDown, Enter). */
export async function searchAndPick(page, query) {
  const input = page.locator('#search-input');
  await input.fill(query);
  await page.waitForSelector('#search-results [role=option]');
  await input.press('ArrowDown');
  await input.press('Enter');
}
