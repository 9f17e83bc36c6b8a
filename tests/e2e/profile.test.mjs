// Area profiles, comparison, picture export and the embeddable view (issue 13): a profile opens by
// URL (/area/{code}) and from the area panel; it prints to an A4 PDF whose text holds the area's
// name and the sources (the pages are also rendered to PNG for a person to look at); two areas of
// different levels are compared side by side, one is removed, a fifth is refused; the map view is
// saved as a PNG of the map's size that is not one colour; ?embed=1 shows the map and its legend
// only; axe-core finds no WCAG 2.2 A/AA violation on the profile, the comparison and the embed.
// A council's profile shows its change since 2019 (IMD 2019 on LSOA 2011 beside IMD 2025 on LSOA
// 2021, counts equal to a recomputation from the raw CSVs and ONS lookups here).
// Run on `cnimap serve` and on the static site (CNIMAP_E2E_TARGET=static): same assertions.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  DATA, TARGET, decodePng, getJson, launchBrowser, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';
import { audit, report } from './axe.mjs';

const DESKTOP = { width: 1280, height: 800 };
// Tendring 018A (Jaywick), IMD 2025 decile 1; and its council.
const LSOA = 'E01021988';
const LAD = 'E07000076';
const OUT = path.join(os.tmpdir(), `cnimap-e2e-profile-${TARGET}`);

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fs.mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** A new page (CSP bypassed for axe's inline script) at `url`, with its errors collected. */
async function open(url, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.base}/${url}`);
  return { context, page, errors };
}

/** Waits for the profile of `name` to show with its strips drawn. */
async function waitForProfile(page, name) {
  await page.waitForSelector('[data-testid=profile] h1.area-name', { timeout: 120_000 });
  assert.equal((await page.textContent('h1.area-name')).trim(), name);
  await page.waitForSelector('.strip-box svg.strip', { timeout: 60_000 });
}

// ---------- PDF text, without a PDF library: Chromium (Skia) writes each font's text as hex glyph
// ids with a ToUnicode CMap; this inflates the streams, reads the CMaps and decodes the text. ----------
function pdfObjects(buf) {
  const text = buf.toString('latin1');
  const objects = new Map();
  const re = /(\d+) 0 obj([\s\S]*?)endobj/g;
  let m;
  while ((m = re.exec(text))) {
    const body = m[2];
    const s = body.indexOf('stream');
    let stream = null;
    if (s >= 0) {
      let start = m.index + m[0].indexOf('stream') + 'stream'.length;
      if (text[start] === '\r') start++;
      if (text[start] === '\n') start++;
      const end = text.indexOf('endstream', start);
      let bytes = buf.subarray(start, end);
      if (/\/FlateDecode/.test(body.slice(0, s))) {
        try { bytes = zlib.inflateSync(bytes); } catch { bytes = zlib.inflateSync(bytes.subarray(0, bytes.length - 1)); }
      }
      stream = bytes.toString('latin1');
    }
    objects.set(Number(m[1]), { dict: s >= 0 ? body.slice(0, s) : body, stream });
  }
  return objects;
}

function parseCmap(cmap) {
  const map = new Map();
  const hex = (h) => parseInt(h, 16);
  const uni = (h) => String.fromCodePoint(...(h.match(/.{4}/g) || []).map(hex));
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, g, u] of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(hex(g), uni(u));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, a, b, u] of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      for (let g = hex(a), c = hex(u); g <= hex(b); g++, c++) map.set(g, String.fromCodePoint(c));
    }
  }
  return map;
}

/** The text of each page of a Chromium PDF, as decoded strings (runs joined by spaces). */
function pdfPagesText(buf) {
  const objects = pdfObjects(buf);
  const ref = (dict, key) => Number((dict.match(new RegExp(`/${key}\\s+(\\d+) 0 R`)) || [])[1]);
  const pages = [...objects.values()].filter((o) => /\/Type\s*\/Page\b/.test(o.dict));
  return pages.map((p) => {
    // Fonts: the page's resources (inline or by reference).
    let resources = p.dict;
    const resRef = ref(p.dict, 'Resources');
    if (resRef) resources = objects.get(resRef)?.dict || '';
    const fontDict = (resources.match(/\/Font\s*<<([\s\S]*?)>>/) || [])[1] || '';
    const cmaps = new Map();
    for (const [, name, num] of fontDict.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
      const font = objects.get(Number(num));
      const tu = font && ref(font.dict, 'ToUnicode');
      if (tu && objects.get(tu)?.stream) cmaps.set(name, parseCmap(objects.get(tu).stream));
    }
    const contentRefs = [...(p.dict.match(/\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/) || ['', ''])[1].matchAll(/(\d+) 0 R/g)].map((x) => Number(x[1]));
    let out = '';
    for (const c of contentRefs) {
      const content = objects.get(c)?.stream || '';
      let cmap = new Map();
      for (const tok of content.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|(ET)/g)) {
        if (tok[1]) cmap = cmaps.get(tok[1]) || new Map();
        else if (tok[3]) out += ' ';
        else if (tok[2] !== undefined) {
          for (const g of tok[2].match(/.{4}/g) || []) out += cmap.get(parseInt(g, 16)) ?? '';
        }
      }
    }
    return out.replace(/\s+/g, ' ');
  });
}

describe('the area profile', () => {
  test('opens by URL, shows every indicator on a strip with words, and has no axe violation', async () => {
    const detail = await getJson(server.base, `/api/areas/${LSOA}`);
    const { context, page, errors } = await open(`area/${LSOA}`);
    try {
      await waitForProfile(page, detail.name);
      const ranked = detail.indicators.filter((i) => i.rank != null).length;
      assert.ok(ranked > 10, `ranked indicators: ${ranked}`);
      assert.equal(await page.locator('.strip-box svg.strip').count(), ranked);
      // Each strip has its words: role=img with a name saying the rank.
      const label = await page.getAttribute(`[data-indicator=imd2025] svg.strip`, 'aria-label');
      const imd = detail.indicators.find((i) => i.id === 'imd2025');
      assert.match(label, new RegExp(`rank ${imd.rank.toLocaleString('en-GB')} of 33,755 neighbourhoods`));
      // Left-behind status and how it was decided; sources.
      assert.match(await page.textContent('.profile-left-behind'), /How this was decided/);
      assert.match(await page.textContent('.profile-sources'), /Office for National Statistics/);
      // The small map has loaded and outlines the area.
      await waitForFirstPaint(page);
      await waitForIdle(page);
      // The map's canvas fills its box (not MapLibre's 400 x 300 fallback for a box laid out
      // after the map was made), so the controls sit on the map.
      const sizes = await page.evaluate(() => {
        const box = document.querySelector('.profile-map').getBoundingClientRect();
        const canvas = document.querySelector('.profile-map canvas').getBoundingClientRect();
        return { box: [Math.round(box.width), Math.round(box.height)], canvas: [Math.round(canvas.width), Math.round(canvas.height)] };
      });
      assert.deepEqual(sizes.canvas, sizes.box, 'the profile map canvas against its box');
      const r = await audit(page);
      assert.equal(r.violations.length, 0, `axe violations on the profile:\n${report('profile', r)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('opens from the area panel, and a council opens at its own level', async () => {
    const { context, page } = await open(`?a=${LSOA}`);
    try {
      await page.waitForSelector('[data-testid=open-profile]', { timeout: 120_000 });
      await Promise.all([page.waitForURL(`**/area/${LSOA}`), page.click('[data-testid=open-profile]')]);
      const detail = await getJson(server.base, `/api/areas/${LSOA}`);
      await waitForProfile(page, detail.name);
      // The council link leads to the council's profile, with its summary measures.
      await Promise.all([page.waitForURL(`**/area/${LAD}`), page.click(`a[href="area/${LAD}"]`)]);
      const lad = await getJson(server.base, `/api/areas/${LAD}`);
      await waitForProfile(page, lad.name);
      assert.match(await page.textContent('.profile-main'), /Local authority/);
    } finally {
      await context.close();
    }
  });

  test('a council\'s change since 2019 counts what the raw files count, with the method and the caveat', async () => {
    const { context, page, errors } = await open(`area/${LAD}`);
    try {
      const lad = await getJson(server.base, `/api/areas/${LAD}`);
      await waitForProfile(page, lad.name);
      const words = page.locator('[data-testid=area-change]');
      await words.waitFor({ timeout: 120_000 });
      const cells = async (year) => (await page.locator(`.area-change-table tr[data-year="${year}"] td`).allTextContents()).map((t) => t.trim());
      const [n19, d19] = (await cells(2019)).map(Number);
      const [n25, d25] = (await cells(2025)).map(Number);
      const raw = areaChangeFromRawFiles(LAD);
      assert.deepEqual({ n19, d19, n25, d25 }, raw, 'the counts from the raw files');
      assert.match(await words.textContent(), /^In England's most deprived 10%: [\d.]+% of \d+ neighbourhoods in 2019, [\d.]+% of \d+ in 2025/);
      const section = await page.locator('.profile-change').textContent();
      assert.match(section, /How this was compared: Each index on its own geography/);
      assert.match(section, /Ranks are relative/);
      console.log(`change since 2019, ${lad.name}: ${await words.textContent()}`);
      const r = await audit(page, { include: '.profile-change' });
      assert.equal(r.violations.length, 0, report('profile change', r));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('prints to an A4 PDF holding the name and the sources on every page', async () => {
    const detail = await getJson(server.base, `/api/areas/${LSOA}`);
    const { context, page } = await open(`area/${LSOA}`);
    try {
      await waitForProfile(page, detail.name);
      await waitForFirstPaint(page);
      await waitForIdle(page);
      // The change since 2019 has loaded.
      await page.waitForSelector('[data-testid=change-arrow]', { timeout: 60_000 });
      // The picture of the map the printed page shows instead of the WebGL canvas.
      await page.waitForSelector('img.profile-map-print', { state: 'attached', timeout: 60_000 });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const file = path.join(OUT, 'profile.pdf');
      fs.writeFileSync(file, pdf);
      const texts = pdfPagesText(pdf);
      console.log(`profile PDF: ${pdf.length} bytes, ${texts.length} A4 pages, ${file}`);
      assert.ok(texts.length >= 2 && texts.length <= 12, `pages: ${texts.length}`);
      const all = texts.join(' ');
      assert.ok(all.includes(detail.name), `the PDF text lacks "${detail.name}": ${all.slice(0, 400)}`);
      assert.ok(all.includes('Income'), 'the PDF lacks the Income domain');
      // The source line on every page.
      texts.forEach((t, i) => assert.ok(t.includes('Sources: MHCLG'), `page ${i + 1} has no source line: ${t.slice(-300)}`));
      texts.forEach((t, i) => assert.ok(t.includes(`Page ${i + 1} of ${texts.length}`), `page ${i + 1} has no page number`));
      assert.ok(all.includes('Local Trust'));
      // The controls are not printed.
      assert.ok(!all.includes('Print this profile'), 'the print button is printed');
      // Pages as pictures, for a person to look at (pdftoppm when installed; else the page as
      // printed, by print emulation).
      const pdftoppm = spawnSync('pdftoppm', ['-png', '-r', '60', file, path.join(OUT, 'profile-page')]);
      if (pdftoppm.status !== 0) {
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: path.join(OUT, 'profile-print.png'), fullPage: true });
      }
    } finally {
      await context.close();
    }
  });

  test('an unknown code says so', async () => {
    const { context, page } = await open('area/E01999999');
    try {
      await page.waitForSelector('[data-testid=profile] .error-text', { timeout: 60_000 });
      assert.match(await page.textContent('.error-text'), /E01999999/);
    } finally {
      await context.close();
    }
  });
});

describe('comparison', () => {
  test('two areas of different levels side by side; one removed; a fifth refused', async () => {
    const lsoa = await getJson(server.base, `/api/areas/${LSOA}`);
    const lad = await getJson(server.base, `/api/areas/${LAD}`);
    const { context, page, errors } = await open(`?a=${LSOA}`);
    try {
      await page.waitForSelector('[data-testid=add-compare]', { timeout: 120_000 });
      await page.click('[data-testid=add-compare]');
      await page.waitForSelector('[data-testid=compare-table]', { timeout: 60_000 });
      // The council from the URL as well: both in the table, its head naming each.
      await page.evaluate((lad) => {
        const u = new URL(location.href);
        u.searchParams.set('compare', `${u.searchParams.get('compare')},${lad}`);
        history.pushState(null, '', u);
        dispatchEvent(new PopStateEvent('popstate'));
      }, LAD);
      await page.waitForFunction(() => document.querySelectorAll('.compare-area').length === 2, null, { timeout: 60_000 });
      const heads = await page.locator('.compare-area .compare-name').allTextContents();
      assert.deepEqual(heads, [lsoa.name, lad.name]);
      assert.match(page.url(), new RegExp(`compare=${LSOA}(,|%2C)${LAD}`));
      // The IMD row: the neighbourhood's rank, the council's summary measures.
      const row = await page.locator('[data-testid=compare-table] tr[data-indicator=imd2025]').textContent();
      const imd = lsoa.indicators.find((i) => i.id === 'imd2025');
      assert.ok(row.includes(`rank ${imd.rank.toLocaleString('en-GB')} of 33,755`), row);
      assert.match(row, /average rank/i);
      const r = await audit(page, { include: '[data-testid=compare]' });
      assert.equal(r.violations.length, 0, `axe violations in the comparison:\n${report('compare', r)}`);
      // Remove the neighbourhood.
      await page.click(`[data-testid=compare-remove][aria-label="Remove ${lsoa.name} from the comparison"]`);
      await page.waitForFunction(() => document.querySelectorAll('.compare-area').length === 1);
      assert.ok(!page.url().includes(`${LSOA},`), page.url());
      // Fill to four from the URL, then a fifth from the panel is refused with a message.
      await page.goto(`${server.base}/?a=${LSOA}&compare=E01000001,E01000002,E01000003,${LAD}`);
      await page.waitForFunction(() => document.querySelectorAll('.compare-area').length === 4, null, { timeout: 120_000 });
      await page.click('[data-testid=add-compare]');
      await page.waitForFunction(() => /up to 4 areas/.test(document.querySelector('.add-compare [role=status]')?.textContent || ''));
      assert.equal(await page.locator('.compare-area').count(), 4);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

// Wards in the comparison (issue 11, helper 40): a ward 2024 has no area document, so its summary
// measures are made in wasm from /api/parents/lsoa21 and /api/values/lsoa21/{id}; a ward 2017's
// document carries its CNI 2019 figures and its IoD 2019 summaries (ONS best-fit lookup). Both are
// added (from the ward panel and from a ward table row) and shown beside a council; the figures
// are checked against the same summaries computed here in node.
describe('wards in the comparison', () => {
  /** Each area's share of LSOAs in decile 1 at parent level `level`, by code, in node. */
  function sharesAt(values, parents, level) {
    const col = parents.parents.find((p) => p.level === level);
    const n = new Array(col.areas.length).fill(0);
    const d1 = new Array(col.areas.length).fill(0);
    values.rank.forEach((r, i) => {
      const p = col.index[i];
      if (r === null || p === null) return;
      n[p] += 1;
      if (values.decile[i] === 1) d1[p] += 1;
    });
    return new Map(col.areas.map((a, i) => [a.code, { name: a.name, share: n[i] ? d1[i] / n[i] : null }]));
  }

  /** The share a compare cell's "Share of its N neighbourhoods…: 12%" line says, as 0..1. */
  function shownShare(text) {
    const m = /Share of its [\d,]+ neighbourhoods[^:]*: (\d+)%/.exec(text);
    assert.ok(m, text);
    return Number(m[1]) / 100;
  }

  test('a ward 2024 from its panel and a ward 2017 and a ward table row beside a council, with their summary measures', async () => {
    const [v21, p21, v11, p11, w17] = await Promise.all([
      getJson(server.base, '/api/values/lsoa21/imd2025'),
      getJson(server.base, '/api/parents/lsoa21'),
      getJson(server.base, '/api/values/lsoa11/imd2019'),
      getJson(server.base, '/api/parents/lsoa11'),
      getJson(server.base, '/api/layers/ward17'),
    ]);
    const wards24 = sharesAt(v21, p21, 'ward24');
    const wards17 = sharesAt(v11, p11, 'ward17');
    const codes17 = new Set(w17.codes);
    // Tendring 018A's ward 2024, and a ward 2017 whose code is no ward 2024's, with shares > 0.
    const ward24Col = p21.parents.find((p) => p.level === 'ward24');
    const lsoas = await getJson(server.base, '/api/layers/lsoa21');
    const ward24 = ward24Col.areas[ward24Col.index[lsoas.codes.indexOf(LSOA)]];
    assert.ok(ward24 && !codes17.has(ward24.code), `Jaywick's ward 2024 ${JSON.stringify(ward24)} is not a 2017 code`);
    const [ward17] = [...wards17].find(([c, w]) => !wards24.has(c) && w.share > 0.3);
    const lad = await getJson(server.base, `/api/areas/${LAD}`);

    const { context, page, errors } = await open(`?i=imd2025&a=${ward24.code}&l=ward24`);
    try {
      const panel = page.locator('[data-testid=ward-panel]');
      await panel.waitFor({ timeout: 120_000 });
      await panel.locator('[data-testid=add-compare]').click();
      await page.waitForSelector('[data-testid=compare-table]', { timeout: 60_000 });
      await page.evaluate(([w, l]) => {
        const u = new URL(location.href);
        u.searchParams.set('compare', `${u.searchParams.get('compare')},${w},${l}`);
        history.pushState(null, '', u);
        dispatchEvent(new PopStateEvent('popstate'));
      }, [ward17, LAD]);
      await page.waitForFunction(() => document.querySelectorAll('.compare-area').length === 3, null, { timeout: 120_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-table] tr[data-indicator=imd2019] .measures-list').length >= 1, null, { timeout: 60_000 });
      const heads = await page.locator('.compare-area .compare-name').allTextContents();
      assert.deepEqual(heads, [ward24.name, wards17.get(ward17).name, lad.name]);
      const subs = await page.locator('.compare-area .small').allTextContents();
      assert.match(subs[0], /Ward \(2024\)/);
      assert.match(subs[1], /Ward \(2017\)/);
      // IMD 2025: the ward 2024's share (made in wasm) as node computes it; the council's too.
      const imd = page.locator('[data-testid=compare-table] tr[data-indicator=imd2025] td');
      const ward24Share = shownShare(await imd.nth(0).textContent());
      assert.ok(Math.abs(ward24Share - wards24.get(ward24.code).share) <= 0.005 + 1e-9, `${ward24Share} vs ${wards24.get(ward24.code).share}`);
      assert.match(await imd.nth(0).textContent(), /Rank of that average among the [\d,]+ wards/);
      assert.match(await imd.nth(2).textContent(), /average rank/i);
      // IMD 2019: the ward 2017's best-fit summary (its document), none for the ward 2024.
      const imd19 = page.locator('[data-testid=compare-table] tr[data-indicator=imd2019] td');
      const ward17Share = shownShare(await imd19.nth(1).textContent());
      assert.ok(Math.abs(ward17Share - wards17.get(ward17).share) <= 0.005 + 1e-9, `${ward17Share} vs ${wards17.get(ward17).share}`);
      assert.match(await imd19.nth(0).textContent(), /not published/);
      // CNI 2019: the ward 2017's published rank.
      assert.match(await page.locator('[data-testid=compare-table] tr[data-indicator=cni2019] td').nth(1).textContent(), /rank [\d,]+ of/);
      console.log(`compare: ${heads.join(' | ')}: IMD 2025 share ${ward24Share}, IMD 2019 share ${ward17Share}`);
      const r = await audit(page, { include: '[data-testid=compare]' });
      assert.equal(r.violations.length, 0, `axe violations in the comparison:\n${report('compare wards', r)}`);

      // A ward 2024 table row adds its ward too.
      await page.goto(`${server.base}/?i=imd2025&level=ward24&columns=imd2025.share_decile1&sort=imd2025.share_decile1`);
      const row = page.locator('.areas-table tbody tr[data-code]').first();
      await row.waitFor({ timeout: 120_000 });
      const code = await row.getAttribute('data-code');
      await row.locator('.row-compare').click();
      await page.waitForFunction((c) => (new URL(location.href).searchParams.get('compare') || '') === c, code);
      await page.locator('.compare-name').filter({ hasText: wards24.get(code).name }).waitFor({ timeout: 60_000 });
      const cell = await page.locator('[data-testid=compare-table] tr[data-indicator=imd2025] td').first().textContent();
      assert.ok(Math.abs(shownShare(cell) - wards24.get(code).share) <= 0.005 + 1e-9, cell);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('picture export and embed', () => {
  test('the map view downloads as a PNG of the map canvas size, not one colour', async () => {
    const { context, page } = await open(`?a=${LSOA}`);
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.click('[data-testid=png-export]'),
      ]);
      assert.equal(download.suggestedFilename(), 'cnimap-map.png');
      const file = path.join(OUT, 'map-export.png');
      await download.saveAs(file);
      const png = decodePng(fs.readFileSync(file));
      const canvas = await page.evaluate(() => {
        const c = window.cnimap.map.getCanvas();
        return { width: c.width, height: c.height };
      });
      assert.deepEqual({ width: png.width, height: png.height }, canvas);
      const colours = new Set();
      for (let i = 0; i < png.data.length; i += png.channels * 97) {
        colours.add(png.data.readUIntBE(i, 3));
      }
      console.log(`PNG export: ${png.width} x ${png.height}, ${colours.size} distinct colours in a sample`);
      assert.ok(colours.size > 20, `only ${colours.size} colours`);
    } finally {
      await context.close();
    }
  });

  test('?embed=1 shows the map and its legend only, with a link to the full map', async () => {
    const { context, page, errors } = await open('?embed=1');
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);
      assert.ok(await page.isVisible('[data-testid=map]'));
      assert.ok(await page.isVisible('.legend'));
      for (const hidden of ['#search-input', '.brand', '[data-testid=png-export]', '.table-toggle']) {
        assert.ok(!(await page.isVisible(hidden)), `${hidden} shows in the embed`);
      }
      const href = await page.getAttribute('[data-testid=embed-link]', 'href');
      assert.ok(!href.includes('embed=1'), href);
      // A click on the map opens no panel.
      await page.mouse.click(700, 400);
      await page.waitForTimeout(500);
      assert.ok(!(await page.isVisible('[data-testid=area-panel]')));
      const r = await audit(page);
      assert.equal(r.violations.length, 0, `axe violations in the embed:\n${report('embed', r)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

/** The rows of a CSV in the data folder (quoted fields allowed) as objects by header. */
function csvRows(relative) {
  const text = fs.readFileSync(path.join(DATA, relative), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const split = (line) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i], v])));
}

/** A council's IMD 2019 and 2025 counts from the raw files alone: LSOA 2021 -> council from the
 * ONS best-fit lookup; each LSOA 2011 in the council holding most of its 2021 successors in the
 * ONS 2011 -> 2021 lookup (ties: the first in the file). */
function areaChangeFromRawFiles(lad) {
  const areaOf = new Map(csvRows('lookups/lookup_lsoa21_ward24_ltla24.csv').map((r) => [r.lsoa21_code, r.ltla24_code]));
  const deciles = (file, key) => new Map(csvRows(file).map((r) => [r[key], Number(r.IMD_decile)]));
  const d25 = deciles('indicators/imd2025_lsoa21.csv', 'lsoa21_code');
  const d19 = deciles('indicators/imd2019_lsoa11.csv', 'lsoa11_code');
  const out = { n19: 0, d19: 0, n25: 0, d25: 0 };
  for (const [code, a] of areaOf) {
    if (a === lad && d25.has(code)) { out.n25++; if (d25.get(code) === 1) out.d25++; }
  }
  const tally = new Map();
  for (const r of csvRows('lookups/lookup_lsoa11_lsoa21_ltla22.csv')) {
    const a = areaOf.get(r.lsoa21_code);
    if (a === undefined) continue;
    if (!tally.has(r.lsoa11_code)) tally.set(r.lsoa11_code, []);
    const t = tally.get(r.lsoa11_code);
    const e = t.find((x) => x[0] === a);
    if (e) e[1]++; else t.push([a, 1]);
  }
  for (const [code, t] of tally) {
    let best = null;
    for (const e of t) if (!best || e[1] > best[1]) best = e;
    if (best && best[0] === lad && d19.has(code)) { out.n19++; if (d19.get(code) === 1) out.d19++; }
  }
  return out;
}
