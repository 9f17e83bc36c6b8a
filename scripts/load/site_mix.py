#!/usr/bin/env python3
"""The requests the page makes, as two wrk lists (scripts/load/mix.lua): one for the static site
(tiles as HTTP range requests on tiles/<layer>.pmtiles, JSON as api/...json files) and one for
`cnimap serve` (the same tiles and documents by their API URLs).

    python3 scripts/load/site_mix.py SITE OUTDIR [SESSIONS]

A session follows the one measured in docs/DEPLOY.md ("What a national audience costs"): the
catalogue, an indicator's values, a map view of 20 tiles (5 x 4) at a zoom 6 to 14 around one of
24 English towns, the label points, an area's panel, a second indicator's values and a second
view of 20 tiles one zoom in. On the static site the pmtiles library also reads the archive's
header and root directory (its first 16 KB) once per session and each leaf directory it needs
once per session, so those ranges are in the static list. Seeded: the same lists every run.
"""

import gzip
import json
import math
import os
import random
import struct
import sys

CITIES = [("London", -0.1276, 51.5072), ("Birmingham", -1.8904, 52.4862),
          ("Manchester", -2.2426, 53.4808), ("Leeds", -1.5491, 53.8008),
          ("Liverpool", -2.9916, 53.4084), ("Newcastle", -1.6178, 54.9783),
          ("Sheffield", -1.4701, 53.3811), ("Bristol", -2.5879, 51.4545),
          ("Nottingham", -1.1581, 52.9548), ("Leicester", -1.1398, 52.6369),
          ("Coventry", -1.5197, 52.4068), ("Hull", -0.3367, 53.7676),
          ("Bradford", -1.7594, 53.7960), ("Stoke", -2.1794, 53.0027),
          ("Plymouth", -4.1427, 50.3755), ("Southampton", -1.4044, 50.9097),
          ("Norwich", 1.2974, 52.6309), ("Middlesbrough", -1.2348, 54.5742),
          ("Blackpool", -3.0357, 53.8175), ("Clacton", 1.1550, 51.7890),
          ("Cambridge", 0.1218, 52.2053), ("York", -1.0815, 53.9600),
          ("Carlisle", -2.9389, 54.8925), ("Truro", -5.0510, 50.2632)]
LAYER = "lsoa21"


def varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def directory(raw, compression):
    buf = gzip.decompress(raw) if compression == 2 else raw
    n, pos = varint(buf, 0)
    ids, runs, lengths, offsets = [], [], [], []
    last = 0
    for _ in range(n):
        d, pos = varint(buf, pos)
        last += d
        ids.append(last)
    for _ in range(n):
        r, pos = varint(buf, pos)
        runs.append(r)
    for _ in range(n):
        v, pos = varint(buf, pos)
        lengths.append(v)
    for i in range(n):
        v, pos = varint(buf, pos)
        offsets.append(offsets[i - 1] + lengths[i - 1] if v == 0 and i > 0 else v - 1)
    return list(zip(ids, runs, lengths, offsets))


def tile_id(z, x, y):
    """The PMTiles v3 tile id: tiles of lower zooms first, then the Hilbert index."""
    base = (4 ** z - 1) // 3
    n = 1 << z
    d = 0
    s = n >> 1
    while s > 0:
        rx = 1 if (x & s) > 0 else 0
        ry = 1 if (y & s) > 0 else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s >>= 1
    return base + d


class Archive:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        h = self.data[:127]
        if h[:7] != b"PMTiles" or h[7] != 3:
            raise SystemExit(f"{path}: not a PMTiles v3 archive")
        (self.root_off, self.root_len, _mo, _ml, self.leaf_off, _ll, self.tile_off, _tl) = \
            struct.unpack_from("<8Q", h, 8)
        self.compression = h[97]
        self.root = directory(self.data[self.root_off:self.root_off + self.root_len],
                              self.compression)

    def find(self, tid):
        """(tile range or None, the leaf directory ranges read to find it)."""
        entries, leaves = self.root, []
        for _ in range(4):
            lo, hi, hit = 0, len(entries) - 1, None
            while lo <= hi:
                mid = (lo + hi) // 2
                if entries[mid][0] <= tid:
                    hit, lo = entries[mid], mid + 1
                else:
                    hi = mid - 1
            if hit is None:
                return None, leaves
            eid, run, length, offset = hit
            if run == 0:
                start = self.leaf_off + offset
                leaves.append((start, length))
                entries = directory(self.data[start:start + length], self.compression)
                continue
            if tid < eid + run:
                return (self.tile_off + offset, length), leaves
            return None, leaves
        return None, leaves


def tile_of(lon, lat, z):
    n = 2 ** z
    lat = math.radians(lat)
    x = math.floor((lon + 180) / 360 * n)
    y = math.floor((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    return x, y


def viewport(lon, lat, z, w=5, h=4):
    cx, cy = tile_of(lon, lat, z)
    return [(z, x, y) for y in range(cy - h // 2, cy - h // 2 + h)
            for x in range(cx - w // 2, cx - w // 2 + w)]


def main():
    site, out = sys.argv[1], sys.argv[2]
    sessions = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rng = random.Random(20261201)
    archive = Archive(os.path.join(site, "tiles", f"{LAYER}.pmtiles"))
    values = sorted(f[:-5] for f in os.listdir(os.path.join(site, "api", "values", LAYER))
                    if f.endswith(".json"))
    codes = sorted(f[:-5] for f in os.listdir(os.path.join(site, "api", "areas", LAYER))
                   if f.endswith(".json"))
    static, served = [], []

    def doc(api_path, file_path):
        served.append(api_path)
        static.append(file_path)

    def view(lon, lat, z, seen_leaves):
        for (tz, tx, ty) in viewport(lon, lat, z):
            served.append(f"/tiles/{LAYER}/{tz}/{tx}/{ty}.mvt")
            rng_, leaves = archive.find(tile_id(tz, tx, ty))
            for start, length in leaves:
                if (start, length) not in seen_leaves:
                    seen_leaves.add((start, length))
                    static.append(f"/tiles/{LAYER}.pmtiles\tbytes={start}-{start + length - 1}")
            if rng_ is not None:
                start, length = rng_
                static.append(f"/tiles/{LAYER}.pmtiles\tbytes={start}-{start + length - 1}")
            else:
                # Not in the archive (an empty tile): the library asks for nothing.
                pass

    for _ in range(sessions):
        _, lon, lat = rng.choice(CITIES)
        lon += rng.uniform(-0.05, 0.05)
        lat += rng.uniform(-0.03, 0.03)
        z = rng.randint(6, 13)
        first, second = rng.sample(values, 2)
        code = rng.choice(codes)
        seen = set()
        static.append(f"/tiles/{LAYER}.pmtiles\tbytes=0-16383")
        doc("/api/indicators", "/api/indicators.json")
        doc(f"/api/values/{LAYER}/{first}", f"/api/values/{LAYER}/{first}.json")
        view(lon, lat, z, seen)
        doc(f"/api/labels/{LAYER}", f"/api/labels/{LAYER}.json")
        doc(f"/api/areas/{code}?layer={LAYER}", f"/api/areas/{LAYER}/{code}.json")
        doc(f"/api/values/{LAYER}/{second}", f"/api/values/{LAYER}/{second}.json")
        view(lon, lat, z + 1, seen)
    with open(os.path.join(out, "static.txt"), "w") as f:
        f.writelines(line + "\n" for line in static)
    with open(os.path.join(out, "serve.txt"), "w") as f:
        f.writelines(line + "\n" for line in served)
    print(json.dumps({"sessions": sessions, "static_requests": len(static),
                      "serve_requests": len(served), "values_documents": len(values),
                      "areas": len(codes)}))


if __name__ == "__main__":
    main()
