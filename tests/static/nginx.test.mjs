// The nginx configuration the static site is tested and deployed with (nginx.conf.template), on a
// tiny hand-made site: Range requests, gzip_static, MIME types and cache headers, and nothing
// compressed on the fly. Needs Debian's nginx (scripts/setup.sh), not the national data.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { startNginx, stopNginx } from './nginx.mjs';

let site;
let server;
const archive = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251));
const values = JSON.stringify({ layer: 'lsoa21', deciles: Array.from({ length: 3000 }, (_, i) => (i % 10) + 1) });

before(async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), 'cnimap-nginx-site-'));
  fs.chmodSync(site, 0o755);
  const put = (rel, body) => {
    fs.mkdirSync(path.dirname(path.join(site, rel)), { recursive: true });
    fs.writeFileSync(path.join(site, rel), body);
  };
  put('site.json', JSON.stringify({ kind: 'cnimap-static-site', format: 1 }));
  put('index.html', '<!doctype html><title>cnimap</title>');
  put('api/values/lsoa21/imd2025.json', values);
  put('api/values/lsoa21/imd2025.json.gz', zlib.gzipSync(values));
  put('tiles/lsoa21.pmtiles', archive);
  put('cnimap-web-0123456789abcdef_bg.wasm', Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  put('maplibre-gl.js', 'var maplibregl = {};'.repeat(200));
  put('glyphs/DejaVu Sans/0-255.pbf', Buffer.alloc(2000, 1));
  // nginx runs as nobody when the tests run as root: everything must be world-readable.
  for (const d of ['api', 'api/values', 'api/values/lsoa21', 'tiles', 'glyphs', 'glyphs/DejaVu Sans']) {
    fs.chmodSync(path.join(site, d), 0o755);
  }
  server = await startNginx(site);
});

after(async () => {
  await stopNginx(server);
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

test('a PMTiles archive answers a Range request with 206 and exactly those bytes, uncompressed', async () => {
  const r = await fetch(`${server.base}/tiles/lsoa21.pmtiles`, {
    headers: { Range: 'bytes=16384-16483', 'Accept-Encoding': 'gzip' },
  });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), `bytes 16384-16483/${archive.length}`);
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.equal(r.headers.get('content-encoding'), null);
  assert.ok(r.headers.get('etag'), 'an ETag lets the pmtiles library notice a replaced archive');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), archive.subarray(16384, 16484));
});

test('JSON is sent from its .gz with Content-Encoding: gzip when accepted, plain otherwise', async () => {
  const gz = await fetch(`${server.base}/api/values/lsoa21/imd2025.json`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  assert.match(gz.headers.get('content-type'), /^application\/json/);
  assert.equal(gz.headers.get('vary'), 'Accept-Encoding');
  assert.match(gz.headers.get('cache-control'), /max-age=3600/);
  assert.equal(await gz.text(), values, 'decoded, the same document');
  // Without gzip, the plain file (node's fetch always asks for gzip, so use a raw request).
  const plain = await rawGet('/api/values/lsoa21/imd2025.json');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), values);
});

test('the hashed wasm is application/wasm and cached for a year; index.html and site.json are revalidated', async () => {
  const wasm = await fetch(`${server.base}/cnimap-web-0123456789abcdef_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal(wasm.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  for (const p of ['/', '/site.json']) {
    const r = await fetch(server.base + p);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-cache', p);
  }
  const glyph = await fetch(`${server.base}/glyphs/DejaVu%20Sans/0-255.pbf`);
  assert.equal(glyph.headers.get('content-type'), 'application/x-protobuf');
});

test('nothing is compressed on the fly (a file without .gz goes as it is)', async () => {
  const r = await rawGet('/maplibre-gl.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.length, 'var maplibregl = {};'.length * 200);
});

test('a CORS preflight for a Range request on the tiles is answered', async () => {
  const r = await fetch(`${server.base}/tiles/lsoa21.pmtiles`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
  });
  assert.equal(r.status, 204);
  assert.match(r.headers.get('access-control-allow-headers'), /Range/);
});

/** A GET with exactly `headers` (node's fetch adds Accept-Encoding). */
async function rawGet(p, headers = {}) {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http.get(server.base + p, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
