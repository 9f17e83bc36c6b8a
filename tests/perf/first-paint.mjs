// First choropleth only (issue 15): web app builds A, B, ... of cnimap against the floor page,
// interleaved round by round in one headless Chromium, cold (fresh context, cache disabled).
// Each build is served by its own `cnimap serve --build BUILD --static-dir DIST`; the floor page
// (tests/perf/floor.html) draws the same tiles at the view cnimap showed in round 1. The load
// average is read before every round.
//
// Run: node tests/perf/first-paint.mjs --build BUILD --rounds 5 NAME=DIST [NAME=DIST ...]
// Env: CNIMAP_BIN (default target/release/cnimap), CHROMIUM (default /usr/bin/chromium).
// The full client harness (switch, frames, warm loads) is tests/perf/client.mjs.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const BINARY = process.env.CNIMAP_BIN || path.join(REPO, 'target', 'release', 'cnimap');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const BUILD = opt('--build', null);
const ROUNDS = Number(opt('--rounds', 5));
const QUERY = opt('--query', '');
const builds = args.filter((a) => /^[\w-]+=/.test(a)).map((a) => {
  const [name, dist] = a.split('=');
  return { name, dist: path.resolve(dist) };
});
if (!BUILD || builds.length === 0) {
  console.error('usage: node tests/perf/first-paint.mjs --build BUILD [--rounds N] [--query ?...] NAME=DIST ...');
  process.exit(2);
}

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

async function serve(dist) {
  const port = await freePort();
  const child = spawn(BINARY, ['serve', '--build', BUILD, '--static-dir', dist, '--addr', `127.0.0.1:${port}`], {
    stdio: 'ignore', env: { ...process.env, RUST_LOG: 'warn' },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { base, child };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`cnimap serve --static-dir ${dist} did not start`);
}

/** The floor page and MapLibre from node_modules, gzipped like a static host. */
async function floorServer() {
  const files = {
    '/floor.html': [path.join(HERE, 'floor.html'), 'text/html; charset=utf-8'],
    '/maplibre-gl.js': [path.join(REPO, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.js'), 'text/javascript'],
    '/maplibre-gl.css': [path.join(REPO, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.css'), 'text/css'],
  };
  const { gzipSync } = await import('node:zlib');
  const body = Object.fromEntries(Object.entries(files).map(([k, [f, t]]) => [k, [gzipSync(fs.readFileSync(f)), t]]));
  const port = await freePort();
  const srv = http.createServer((req, res) => {
    const hit = body[new URL(req.url, 'http://x').pathname];
    if (!hit) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': hit[1], 'content-encoding': 'gzip', 'access-control-allow-origin': '*' });
    res.end(hit[0]);
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${port}`, srv };
}

async function firstPaint(browser, url, mark, mapExpr) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    return await load(page, context, url, mark, mapExpr);
  } catch (e) {
    throw new Error(`${url}: ${e.message}; page errors: ${errors.join('; ') || 'none'}`);
  } finally {
    await context.close().catch(() => {});
  }
}

/** One cold load of `url`: the first and the last entry of `mark`, and the view drawn. */
async function load(page, context, url, mark, mapExpr) {
  {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { timeout: 180_000, polling: 50 });
    const ms = await page.evaluate((m) => performance.getEntriesByName(m)[0].startTime, mark);
    // cnimap sets the mark again once the app has adopted the bootstrap's map (assets/boot.js)
    // and drawn its own paint: the app's first choropleth, or its readiness when boot.js drew first.
    await page.waitForFunction((expr) => { try { return !!new Function(`return ${expr}`)(); } catch { return false; } }, mapExpr, { timeout: 180_000, polling: 50 });
    await page.waitForFunction((m) => performance.getEntriesByName(m).length > 1 || !window.__cnimapBoot || !window.__cnimapBoot.adopted, mark, { timeout: 180_000, polling: 50 }).catch(() => {});
    const appMs = await page.evaluate((m) => { const e = performance.getEntriesByName(m); return e[e.length - 1].startTime; }, mark);
    const view = await page.evaluate((expr) => {
      // eslint-disable-next-line no-new-func
      const map = new Function(`return ${expr}`)();
      const c = map.getCenter();
      const canvas = map.getCanvas();
      return { lng: c.lng, lat: c.lat, zoom: map.getZoom(), w: canvas.clientWidth, h: canvas.clientHeight };
    }, mapExpr);
    return { ms, appMs, view };
  }
}

const servers = [];
let floor = null;
let browser = null;
try {
  for (const b of builds) servers.push({ ...b, ...(await serve(b.dist)) });
  floor = await floorServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run'],
  });
  // One warm-up load per server (the first page of a fresh server pays its own start).
  for (const s of servers) await firstPaint(browser, `${s.base}/${QUERY}`, 'cnimap:first-choropleth', 'window.cnimap.map');
  const results = Object.fromEntries([...servers.map((s) => [s.name, []]), ['floor', []]]);
  let view = null;
  for (let round = 0; round < ROUNDS; round++) {
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
    const line = [`round ${round + 1} (load ${load})`];
    for (const s of servers) {
      const r = await firstPaint(browser, `${s.base}/${QUERY}`, 'cnimap:first-choropleth', 'window.cnimap.map');
      view ||= r.view;
      results[s.name].push(r.ms);
      (results[`${s.name} (app's own mark)`] ||= []).push(r.appMs);
      line.push(`${s.name} ${r.ms.toFixed(0)} (app ${r.appMs.toFixed(0)})`);
    }
    const f = await firstPaint(browser, `${floor.base}/floor.html?tiles=${encodeURIComponent(servers[0].base)}&lng=${view.lng}&lat=${view.lat}&zoom=${view.zoom}&w=${view.w}&h=${view.h}`, 'floor:first-choropleth', 'window.floor.map');
    results.floor.push(f.ms);
    line.push(`floor ${f.ms.toFixed(0)}`);
    line.push(servers.map((s) => `${s.name}/floor ${(results[s.name][round] / f.ms).toFixed(2)}x`).join(', '));
    console.log(line.join('; '));
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`view ${JSON.stringify(view)}`);
  for (const [name, xs] of Object.entries(results)) {
    console.log(`${name}: median ${med(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`
      + (name === 'floor' ? '' : `; median of per-round ratios ${med(xs.map((x, i) => x / results.floor[i])).toFixed(2)}x`));
  }
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const s of servers) s.child.kill();
  if (floor) floor.srv.close();
}
