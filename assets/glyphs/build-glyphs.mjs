// Builds MapLibre glyph ranges (signed distance fields in protobuf) from local TrueType fonts.
//
// Usage: node assets/glyphs/build-glyphs.mjs OUT_DIR
// Reads assets/glyphs/fonts.json ({ "Font Stack Name": "/path/to/font.ttf", ... }) and writes
// OUT_DIR/<Font Stack Name>/<start>-<end>.pbf for every 256-codepoint range of the Basic Multilingual
// Plane (empty ranges too, so MapLibre never meets a 404). Offline and deterministic: the only input
// is the font file, parsed with opentype.js; the distance field is computed exactly from the
// flattened outlines (no rasteriser, no canvas).
//
// Glyph metrics follow node-fontnik / sdf-glyph-foundry, which MapLibre expects: 24 px em, a
// 3 px buffer around each bitmap, 8 px distance radius, cutoff 0.25, `top` relative to the ascender.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import opentype from 'opentype.js';

const SIZE = 24;
const BUFFER = 3;
const RADIUS = 8;
const CUTOFF = 0.25;
const CURVE_STEPS = 8;

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node build-glyphs.mjs OUT_DIR');
  process.exit(2);
}
const stacks = JSON.parse(fs.readFileSync(path.join(here, 'fonts.json'), 'utf8'));

// ---------- protobuf writer (just what glyphs.proto needs) ----------
class Pbf {
  constructor() { this.bytes = []; }
  varint(n) {
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (v > 0n);
  }
  key(field, wire) { this.varint((field << 3) | wire); }
  uint(field, n) { this.key(field, 0); this.varint(n); }
  sint(field, n) { this.key(field, 0); this.varint(n >= 0 ? 2 * n : -2 * n - 1); }
  raw(field, bytes) { this.key(field, 2); this.varint(bytes.length); for (const b of bytes) this.bytes.push(b); }
  string(field, s) { this.raw(field, Buffer.from(s, 'utf8')); }
  message(field, pbf) { this.raw(field, pbf.bytes); }
}

// ---------- outline -> segments ----------
function segmentsOf(glyphPath) {
  const segs = [];
  let sx = 0, sy = 0, x = 0, y = 0;
  for (const c of glyphPath.commands) {
    switch (c.type) {
      case 'M': x = sx = c.x; y = sy = c.y; break;
      case 'L': segs.push([x, y, c.x, c.y]); x = c.x; y = c.y; break;
      case 'Q':
        for (let i = 1; i <= CURVE_STEPS; i++) {
          const t = i / CURVE_STEPS, u = 1 - t;
          const nx = u * u * x + 2 * u * t * c.x1 + t * t * c.x;
          const ny = u * u * y + 2 * u * t * c.y1 + t * t * c.y;
          const prev = i === 1 ? [x, y] : segs[segs.length - 1].slice(2);
          segs.push([prev[0], prev[1], nx, ny]);
        }
        x = c.x; y = c.y; break;
      case 'C':
        for (let i = 1; i <= CURVE_STEPS; i++) {
          const t = i / CURVE_STEPS, u = 1 - t;
          const nx = u * u * u * x + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x;
          const ny = u * u * u * y + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y;
          const prev = i === 1 ? [x, y] : segs[segs.length - 1].slice(2);
          segs.push([prev[0], prev[1], nx, ny]);
        }
        x = c.x; y = c.y; break;
      case 'Z':
        if (x !== sx || y !== sy) segs.push([x, y, sx, sy]);
        x = sx; y = sy; break;
      default: break;
    }
  }
  return segs;
}

function distanceToSegment(px, py, s) {
  const [ax, ay, bx, by] = s;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  const qx = ax + t * dx - px, qy = ay + t * dy - py;
  return Math.sqrt(qx * qx + qy * qy);
}

// Non-zero winding number (TrueType fill rule).
function winding(px, py, segs) {
  let w = 0;
  for (const [ax, ay, bx, by] of segs) {
    if (ay <= py) {
      if (by > py && (bx - ax) * (py - ay) - (px - ax) * (by - ay) > 0) w++;
    } else if (by <= py && (bx - ax) * (py - ay) - (px - ax) * (by - ay) < 0) w--;
  }
  return w;
}

function renderGlyph(font, glyph, ascender) {
  const scale = SIZE / font.unitsPerEm;
  const advance = Math.round(glyph.advanceWidth * scale);
  const p = glyph.getPath(0, 0, SIZE); // y grows downwards, baseline at 0
  const segs = segmentsOf(p);
  if (segs.length === 0) {
    return { width: 0, height: 0, left: 0, top: 0, advance, bitmap: null };
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [ax, ay, bx, by] of segs) {
    minX = Math.min(minX, ax, bx); maxX = Math.max(maxX, ax, bx);
    minY = Math.min(minY, ay, by); maxY = Math.max(maxY, ay, by);
  }
  const left = Math.floor(minX);
  const topUp = Math.ceil(-minY); // highest point above the baseline
  const width = Math.ceil(maxX) - left;
  const height = topUp + Math.ceil(maxY);
  const w = width + 2 * BUFFER, h = height + 2 * BUFFER;
  const bitmap = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    const py = -topUp - BUFFER + j + 0.5;
    for (let i = 0; i < w; i++) {
      const px = left - BUFFER + i + 0.5;
      let d = Infinity;
      for (const s of segs) d = Math.min(d, distanceToSegment(px, py, s));
      if (winding(px, py, segs) !== 0) d = -d;
      const v = Math.round(255 - 255 * (d / RADIUS + CUTOFF));
      bitmap[j * w + i] = Math.max(0, Math.min(255, v));
    }
  }
  return { width, height, left, top: topUp - ascender, advance, bitmap };
}

let files = 0, glyphCount = 0;
for (const [name, fontPath] of Object.entries(stacks)) {
  if (!fs.existsSync(fontPath)) {
    console.error(`build-glyphs: font file for "${name}" not found: ${fontPath}`);
    console.error('On Debian or Ubuntu: apt-get install fonts-dejavu-core');
    process.exit(1);
  }
  const buf = fs.readFileSync(fontPath);
  const font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const ascender = Math.round(font.ascender * SIZE / font.unitsPerEm);
  const byCode = new Map();
  for (let g = 0; g < font.glyphs.length; g++) {
    const glyph = font.glyphs.get(g);
    for (const u of glyph.unicodes || []) if (u < 65536 && !byCode.has(u)) byCode.set(u, glyph);
  }
  const dir = path.join(outDir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (let start = 0; start < 65536; start += 256) {
    const end = start + 255;
    const stack = new Pbf();
    stack.string(1, name);
    stack.string(2, `${start}-${end}`);
    for (let cp = start; cp <= end; cp++) {
      const glyph = byCode.get(cp);
      if (!glyph) continue;
      const m = renderGlyph(font, glyph, ascender);
      const g = new Pbf();
      g.uint(1, cp);
      if (m.bitmap) g.raw(2, m.bitmap);
      g.uint(3, m.width);
      g.uint(4, m.height);
      g.sint(5, m.left);
      g.sint(6, m.top);
      g.uint(7, m.advance);
      stack.message(3, g);
      glyphCount++;
    }
    const root = new Pbf();
    root.message(1, stack);
    fs.writeFileSync(path.join(dir, `${start}-${end}.pbf`), Buffer.from(root.bytes));
    files++;
  }
}
console.log(`build-glyphs: wrote ${glyphCount} glyphs in ${files} ranges to ${outDir}`);
