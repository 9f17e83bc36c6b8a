// The OpenAPI document checked by tools that are not ours: `cnimap serve` (CNIMAP_BIN, on the
// national data in CNIMAP_DATA) is started, /api/openapi.json is validated against the OpenAPI
// 3.1 schema by @seriousme/openapi-schema-validator, and real answers of every documented
// operation (called with the examples the document gives) and of its errors are checked
// against the document's own schemas with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1):
// status listed, content type listed, body valid.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = process.env.CNIMAP_DATA || path.resolve(REPO, '..', 'shared', 'data');
const BINARY = process.env.CNIMAP_BIN || path.join(REPO, 'target', 'release', 'cnimap');

let server;
let staticDir;
let doc;

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

before(async () => {
  for (const [what, p] of [['cnimap binary (CNIMAP_BIN)', BINARY], ['data directory (CNIMAP_DATA)', DATA]]) {
    if (!fs.existsSync(p)) throw new Error(`openapi test: ${what} not found at ${p}`);
  }
  // The API alone: an empty folder stands in for the web app.
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnimap-openapi-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // --no-cache: the data read in memory, so every route answers in full (a cached build still
  // lacks some, which say 501) and no build is prepared into the user's cache.
  const child = spawn(BINARY, ['serve', '--data', DATA, '--no-cache', '--addr', `127.0.0.1:${port}`, '--static-dir', staticDir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  server = { base, child };
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cnimap serve exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!(await fetch(`${base}/api/health`).then((r) => r.ok, () => false))) {
    throw new Error(`cnimap serve did not become healthy in time:\n${log}`);
  }
  const r = await fetch(`${base}/api/openapi.json`);
  assert.equal(r.status, 200);
  doc = await r.json();
});

after(() => {
  if (server?.child && server.child.exitCode === null) server.child.kill();
  if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
});

// ajv over the document's schemas: each is compiled with the document's components beside it so
// that `#/components/schemas/X` resolves. Formats (int32, double, binary) are annotations here.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    compiled.set(key, ajv.compile({ ...schema, $id: `urn:cnimap:${compiled.size}`, components: doc.components }));
  }
  return compiled.get(key);
}

/** The response `r` (body already read as `text`) against `op`'s documentation. */
function checkAgainst(op, label, r, text) {
  const documented = op.responses[String(r.status)];
  assert.ok(documented, `${label}: status ${r.status} is not documented (${Object.keys(op.responses)}): ${text.slice(0, 300)}`);
  if (r.status === 204 || r.status === 304) return 'no body';
  const type = (r.headers.get('content-type') || '').split(';')[0].trim();
  const content = documented.content || {};
  assert.ok(content[type], `${label}: ${r.status} content type ${type} is not documented (${Object.keys(content)})`);
  const schema = content[type].schema;
  if (!/json/.test(type) || !schema) return type;
  const body = JSON.parse(text);
  const validate = validatorFor(schema);
  assert.ok(validate(body), `${label}: ${r.status} body does not match its schema: ${ajv.errorsText(validate.errors, { separator: '\n' }).slice(0, 2000)}`);
  return type;
}

/** The URL of `template` with each parameter's example (path and query). */
function exampleUrl(template, op) {
  let url = template;
  const query = new URLSearchParams();
  for (const p of op.parameters || []) {
    const ex = p.example ?? p.schema?.example;
    if (p.in === 'path') {
      assert.notEqual(ex, undefined, `${template}: path parameter ${p.name} has no example`);
      url = url.replace(`{${p.name}}`, encodeURIComponent(String(ex)));
    } else if (p.in === 'query' && ex !== undefined) {
      for (const v of Array.isArray(ex) ? ex : [ex]) query.append(p.name, String(v));
    }
  }
  const qs = query.toString();
  return qs ? `${url}?${qs}` : url;
}

async function call(method, url, body) {
  const r = await fetch(server.base + url, { method: method.toUpperCase(), body });
  return { r, text: await r.text() };
}

test('the document is valid OpenAPI 3.1 to an independent validator', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const res = await validator.validate(structuredClone(doc));
  assert.equal(validator.version, '3.1');
  assert.ok(res.valid, `not valid OpenAPI: ${JSON.stringify(res.errors, null, 1)?.slice(0, 3000)}`);
  // The validator does refuse a broken document (so the pass above means something).
  const broken = structuredClone(doc);
  broken.paths['/api/health'].get.responses = { 200: { content: 'json' } };
  assert.equal((await new Validator().validate(broken)).valid, false);
});

test('`cnimap openapi` prints the document the server sends', () => {
  const out = spawnSync(BINARY, ['openapi'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), doc);
});

test('every documented operation, called with its examples, answers as documented', async () => {
  const csv = 'ref,Post Code\n1,CO15 2EQ\n2,SW1A 1AA\n3,nonsense\n';
  // A square over Clacton-on-Sea, named by the property the example names (LAD24NM).
  const square = [[1.13, 51.78], [1.17, 51.78], [1.17, 51.80], [1.13, 51.80], [1.13, 51.78]];
  const geojson = JSON.stringify({
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { LAD24NM: 'Clacton square' }, geometry: { type: 'Polygon', coordinates: [square] } }],
  });
  /** A body of the type the operation documents. */
  const bodyFor = (op) => (Object.keys(op.requestBody.content).some((t) => /json/.test(t)) ? geojson : csv);
  const seen = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      const url = exampleUrl(template, op);
      const { r, text } = await call(method, url, op.requestBody ? bodyFor(op) : undefined);
      assert.ok(!/nothing at/.test(text), `${method} ${url}: no route answers (${text.slice(0, 200)})`);
      assert.ok(r.status < 400, `${method} ${url}: ${r.status} ${text.slice(0, 300)}`);
      seen.push(`${method} ${url} -> ${r.status} ${checkAgainst(op, `${method} ${url}`, r, text)}`);
    }
  }
  assert.ok(seen.length >= 15, seen.join('\n'));
  // The schemas do refuse a wrong body (so the passes above mean something).
  const health = validatorFor(doc.paths['/api/health'].get.responses['200'].content['application/json'].schema);
  assert.equal(health({ status: 'ok' }), false, 'a health body without areas passes');
  const values = validatorFor(doc.paths['/api/values/{layer}/{indicator}'].get.responses['200'].content['application/json'].schema);
  assert.equal(values({ layer: 'lsoa21', indicator: 'x', n_ranked: 1, decile: ['1'], rank: [1], score: null, decile_counts: [] }), false, 'a decile as text passes');
});

test('every operation documented with 304 answers 304 to its own ETag in If-None-Match', async () => {
  let checked = 0;
  for (const [template, item] of Object.entries(doc.paths)) {
    const op = item.get;
    if (!op || !op.responses['304']) continue;
    assert.ok(op.parameters.some((p) => p.in === 'header' && p.name === 'If-None-Match'), `${template}: If-None-Match not documented`);
    const url = exampleUrl(template, op);
    const first = await fetch(server.base + url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    assert.ok(etag, `${url}: no ETag`);
    assert.ok(op.responses['200'].headers.ETag, `${template}: ETag header not documented`);
    const again = await fetch(server.base + url, { headers: { 'If-None-Match': etag } });
    const text = await again.text();
    assert.equal(again.status, 304, `${url}: ${again.status} ${text.slice(0, 200)}`);
    checkAgainst(op, `${url} (revalidated)`, again, text);
    checked += 1;
  }
  assert.ok(checked >= 8, `only ${checked} operations answer 304`);
});

test('other formats and variants of the answers match their schemas', async () => {
  const cases = [
    ['get', '/api/areas/E06000002', '/api/areas/{code}'], // a council: summary measures
    ['get', '/api/areas/E01021988', '/api/areas/{code}'], // Tendring 018A
    ['get', '/api/search?q=Middlesbrough&limit=3', '/api/search'],
    ['get', '/api/change?from=cni2019&to=cni2023', '/api/change'],
    ['get', '/api/change?from=imd2019&to=imd2025&format=csv', '/api/change'],
    ['get', '/api/change/ward17/left-behind', '/api/change/{layer}/{which}'],
    ['get', '/api/change/ward17/outlines', '/api/change/{layer}/{which}'],
    ['get', '/api/table?level=lsoa21&columns=imd2025.rank,imd2025.score,lad24.name&filter=imd2025.rank%3C%3D50&sort=imd2025.rank&format=json', '/api/table'],
    ['get', '/api/table?level=lad24&columns=imd2025.share_decile1', '/api/table'],
    ['get', '/api/reweight?index=cni2023&weights=equal&format=csv', '/api/reweight'],
    ['get', '/api/values/lsoa11/imd2019_income', '/api/values/{layer}/{indicator}'],
    ['get', '/api/layers/lsoa21', '/api/layers/{layer}'],
    ['get', '/tiles/lsoa21/14/8192/5000.mvt', '/tiles/{layer}/{z}/{x}/{y}.mvt'],
  ];
  const types = [];
  for (const [method, url, template] of cases) {
    const op = doc.paths[template][method];
    const { r, text } = await call(method, url);
    assert.ok(r.status < 400, `${url}: ${r.status} ${text.slice(0, 300)}`);
    types.push(checkAgainst(op, url, r, text));
  }
  assert.ok(types.includes('text/csv'), 'a CSV answer was checked');
  // The lookup's CSV answer and its summary header (the summary's schema).
  const op = doc.paths['/api/lookup'].post;
  const { r, text } = await call('post', '/api/lookup', 'ref,Post Code\n1,co15 2eq\n');
  assert.equal(checkAgainst(op, 'lookup csv', r, text), 'text/csv');
  assert.ok(op.responses['200'].headers['cnimap-lookup-summary']);
  const summary = JSON.parse(r.headers.get('cnimap-lookup-summary'));
  const validate = validatorFor(op.responses['200'].content['application/json'].schema);
  assert.ok(validate(summary), ajv.errorsText(validate.errors));
  assert.equal(summary.rows, 1);
  // Your areas as JSON (the documented examples ask for the table of your areas, a CSV).
  const areas = doc.paths['/api/areas'].post;
  const square = [[1.13, 51.78], [1.17, 51.78], [1.17, 51.80], [1.13, 51.80], [1.13, 51.78]];
  const geojson = JSON.stringify({
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: 'Clacton square' }, geometry: { type: 'Polygon', coordinates: [square] } }],
  });
  const json = await call('post', '/api/areas?format=json', geojson);
  assert.equal(json.r.status, 200, json.text.slice(0, 300));
  assert.equal(checkAgainst(areas, 'areas json', json.r, json.text), 'application/json');
});

test('errors answer with their documented status and the ErrorBody shape', async () => {
  const cases = [
    ['get', '/api/values/lsoa21/nope', '/api/values/{layer}/{indicator}', 404],
    ['get', '/api/values/lsoa11/imd2025', '/api/values/{layer}/{indicator}', 404],
    ['get', '/api/layers/atlantis', '/api/layers/{layer}', 404],
    ['get', '/api/areas/E01999999', '/api/areas/{code}', 404],
    ['get', '/api/areas/not-a-code', '/api/areas/{code}', 400],
    ['get', '/api/search', '/api/search', 400],
    ['get', '/api/search?q=CO15&limit=500', '/api/search', 400],
    ['get', '/api/table?level=lsoa21&filter=imd2025.decile=11', '/api/table', 400],
    ['get', '/api/table?level=lsoa21&filters=x', '/api/table', 400],
    ['get', '/api/reweight?index=cni2023&weights=civic=1,wealth=2', '/api/reweight', 400],
    ['get', '/api/change?from=imd2019&to=cni2023', '/api/change', 400],
    ['get', '/tiles/lsoa21/99/0/0.mvt', '/tiles/{layer}/{z}/{x}/{y}.mvt', 400],
    ['get', '/tiles/atlantis.json', '/tiles/{layer}.json', 404],
    ['get', '/api/change/lsoa21/outlines', '/api/change/{layer}/{which}', 404],
    ['get', '/api/parents/atlantis', '/api/parents/{layer}', 404],
    ['post', '/api/lookup', '/api/lookup', 400, 'name,town\nx,y\n'],
    // More than 100,000 rows in under 10 MiB: the server reads the whole body, then refuses.
    ['post', '/api/lookup', '/api/lookup', 413, 'postcode\n' + 'CO15 2EQ\n'.repeat(100_001)],
  ];
  for (const [method, url, template, status, body] of cases) {
    const op = doc.paths[template][method];
    const { r, text } = await call(method, url, body);
    assert.equal(r.status, status, `${method} ${url}: ${text.slice(0, 300)}`);
    assert.equal(checkAgainst(op, `${method} ${url}`, r, text), 'application/json');
    const e = JSON.parse(text);
    assert.ok(e.error && e.message, text);
  }
});
