// A stand-in for `cnimap prepare` (issue 10), used only while the binary has no `prepare`
// subcommand: reads every document a running `cnimap serve` answers and writes them in the build
// layout of notes/build-layout.md (api/...json with a .json.gz beside each), then exports each
// tiled layer with `cnimap export-tiles`. Written to OUT.tmp-<pid>, then renamed.
//
//   node tests/static/standin-build.mjs --base http://127.0.0.1:8080 --bin target/release/cnimap \
//        --data ../shared/data --out BUILD

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TILED = ['lsoa21', 'lsoa11', 'ward17', 'lad24', 'region'];
// The server's lookup order for an area without ?layer= (detail::LOOKUP_ORDER).
const AREA_LAYERS = ['lsoa21', 'lsoa11', 'ward17', 'lad24', 'region'];

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['base', 'bin', 'data', 'out']) {
    if (!out[k]) throw new Error(`standin-build: --${k} is required`);
  }
  return out;
}

async function get(base, p) {
  const r = await fetch(base + p);
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`standin-build: GET ${p} answered ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

function write(root, rel, body) {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
}

/** Runs `jobs` (async thunks) with at most `n` at once. */
async function pool(jobs, n) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await job();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}

async function main() {
  const a = args();
  const out = path.resolve(a.out);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });

  const indicatorsBody = await get(a.base, '/api/indicators');
  write(tmp, 'api/indicators.json', indicatorsBody);
  const catalogue = JSON.parse(indicatorsBody);
  const layers = [...new Set([...AREA_LAYERS, ...catalogue.indicators.map((i) => i.layer)])];
  const jobs = [];
  for (const layer of layers) {
    for (const doc of ['layers', 'labels']) {
      jobs.push(async () => {
        const body = await get(a.base, `/api/${doc}/${layer}`);
        if (body) write(tmp, `api/${doc}/${layer}.json`, body);
      });
    }
    for (const ind of catalogue.indicators) {
      jobs.push(async () => {
        const body = await get(a.base, `/api/values/${layer}/${ind.id}`);
        if (body) write(tmp, `api/values/${layer}/${ind.id}.json`, body);
      });
    }
  }
  await pool(jobs, 8);

  const areaJobs = [];
  for (const layer of AREA_LAYERS) {
    const file = path.join(tmp, 'api', 'layers', `${layer}.json`);
    if (!fs.existsSync(file)) continue;
    const { codes } = JSON.parse(fs.readFileSync(file));
    for (const code of codes) {
      areaJobs.push(async () => {
        const body = await get(a.base, `/api/areas/${code}?layer=${layer}`);
        if (body) write(tmp, `api/areas/${layer}/${code}.json`, body);
      });
    }
  }
  await pool(areaJobs, 16);

  fs.mkdirSync(path.join(tmp, 'tiles'), { recursive: true });
  const manifestLayers = [];
  for (const layer of TILED) {
    const file = path.join(tmp, 'tiles', `${layer}.pmtiles`);
    const r = spawnSync(a.bin, ['export-tiles', '--data', a.data, '--layer', layer, '--out', file], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`standin-build: export-tiles ${layer} failed (${r.status})`);
    manifestLayers.push({ layer, tiles: `tiles/${layer}.pmtiles` });
  }
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({
    format: 1, standin: true, built_at: new Date().toISOString(), layers: manifestLayers,
  }, null, 1));
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  process.stderr.write(`standin-build: ${areaJobs.length} areas, ${jobs.length} documents -> ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
