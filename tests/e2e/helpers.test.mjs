// Unit tests of the end-to-end helpers (no server or browser needed).

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { colourDistance, countNear, decodePng, parseColour } from './helpers.mjs';

function crcless(type, body) {
  // decodePng ignores CRCs, so zeros are fine here.
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, body, Buffer.alloc(4)]);
}

test('colours are read from hex and rgb() strings', () => {
  assert.deepEqual(parseColour('#0a0b0c'), [10, 11, 12]);
  assert.deepEqual(parseColour('rgb(1, 2, 3)'), [1, 2, 3]);
  assert.throws(() => parseColour('blue'));
  assert.equal(colourDistance([0, 0, 0], [3, 9, 1]), 9);
  assert.equal(countNear([[0, 0, 0], [10, 10, 10]], [1, 1, 1], 2), 1);
});

test('a PNG with sub and up filters decodes to its pixels', () => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  // Row 0, filter 1 (sub): (10,20,30) then +(5,5,5). Row 1, filter 2 (up): +(1,1,1) each.
  const raw = Buffer.from([1, 10, 20, 30, 5, 5, 5, 2, 1, 1, 1, 1, 1, 1]);
  const png = Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    crcless('IHDR', ihdr),
    crcless('IDAT', zlib.deflateSync(raw)),
    crcless('IEND', Buffer.alloc(0)),
  ]);
  const out = decodePng(png);
  assert.equal(out.channels, 3);
  assert.deepEqual([...out.data], [10, 20, 30, 15, 25, 35, 11, 21, 31, 16, 26, 36]);
});
