"""Independent check of cnimap's vector tiles: decode them with mapbox-vector-tile and ask GEOS
(shapely) whether every polygon is valid, whether the rings wind the MVT 2.1 way, whether
neighbours overlap, and whether each tile covers what the raw boundaries cover.

Two modes:

  check_tiles.py sample DIR [--data DATA]   the tiles written by the `validity_tiles` example
                                            (DIR/LAYER/Z/X/Y.mvt, uncompressed); exits 1 on any
                                            invalid polygon, wrong winding, overlap or coverage
                                            difference above the tolerances below
  check_tiles.py sweep ARCHIVE.pmtiles      every tile of a PMTiles archive: validity, winding and
                                            overlap per zoom, with the time taken (a benchmark;
                                            exits 1 on any invalid polygon)

Rules, in tile units with y down (as MVT stores them):
- validity: shapely.is_valid of each polygon and of each feature's MultiPolygon (no ring
  self-intersection or self-tangency, holes inside their shells, shells not overlapping); rings of
  zero area, which the decoder silently drops, count as defects too;
- winding: every exterior ring has a positive surveyor's area with y down (clockwise on screen),
  every hole a negative one;
- overlap: the sum of the features' areas within the tile square minus the area of their union,
  as a share of the tile's area; in sample mode it may exceed the raw boundaries' own overlap in
  the same square (some source files overlap or nest, e.g. a shell inside another shell) by at
  most OVERLAP_TOLERANCE;
- gaps (sample mode): cracks between features (holes of their union under 2 units wide on
  average, lying mostly where the raw boundaries cover the ground), at most GAP_TOLERANCE of the
  tile;
- coverage (sample mode): the symmetric difference between the union of the features and the
  union of the raw boundaries (the layer's source for that zoom in boundaries/manifest.toml), both
  within the tile square, at most COVERAGE_TOLERANCE of the tile's area.
"""

import argparse
import gzip
import json
import math
import os
import sys
import time
import tomllib
from collections import Counter, defaultdict
from multiprocessing import Pool

import mapbox_vector_tile
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, shape

# Overlap between features beyond the raw boundaries' own: their borders are the same points, and
# where snapped borders cross the tiler takes the lobe out of one side, so only what rounding a
# crossing to the grid leaves (under a square unit here and there) and one-unit squares standing in
# for areas that collapsed (from zoom 8, 1/64 of a pixel each) are expected. 1e-5 of a tile is
# 2.6 square pixels of a 512-pixel tile.
OVERLAP_TOLERANCE = 1e-5
# Gaps: thin holes (cracks) in the union of a tile's features, away from the tile's edge and lying
# mostly where the raw boundaries cover the ground, as a share of the tile. Shared borders leave
# none, but some source files have hairline cracks between neighbours whose borders share no points
# (so they are simplified apart). Measured on this sample before the valid-geometry work / after:
# ward17 (assembled from several sources) 1.42e-3 / 1.54e-3 of a tile at z7 over London, lsoa11
# 2.3e-4 / 2.2e-4, lad24 9.1e-5 / 8.8e-5. The bound catches the tiler opening gaps of its own;
# closing the sources' cracks is not done.
GAP_TOLERANCE = 2e-3
# Coverage against the raw boundaries: simplification moves coasts and estuaries by up to a couple
# of tile units, and islands under half a pixel are dropped (measured: at most 0.4% of a tile).
COVERAGE_TOLERANCE = 0.01

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def signed_area(ring):
    """Surveyor's area of a closed coordinate list; positive is clockwise on screen (y down)."""
    a = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        a += x0 * y1 - x1 * y0
    return a / 2.0


def enclosed_holes(geom, extent):
    """The holes of a (multi)polygon that do not touch the tile square's edge, as one geometry:
    places its parts enclose but do not cover."""
    edge = box(0, 0, extent, extent).exterior
    holes = []
    for p in getattr(geom, "geoms", [geom]):
        if not isinstance(p, Polygon):
            continue
        for ring in p.interiors:
            hole = Polygon(ring)
            if not hole.intersects(edge):
                holes.append(hole)
    return shapely.union_all(holes) if holes else Polygon()


def feature_polygons(feature):
    """The decoded polygons of a feature as lists of rings (closed coordinate lists)."""
    g = feature["geometry"]
    if g["type"] == "Polygon":
        return [g["coordinates"]]
    if g["type"] == "MultiPolygon":
        return g["coordinates"]
    return []


def raw_ring_areas(tile_bytes):
    """Per feature id, the number of rings of zero area (the decoder drops them)."""
    # mapbox-vector-tile skips zero-area rings; count them from the command stream ourselves.
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    t = vector_tile_pb2.tile()
    t.ParseFromString(tile_bytes)
    zero = Counter()
    for layer in t.layers:
        for f in layer.features:
            g = f.geometry
            i, x, y, ring = 0, 0, 0, []
            while i < len(g):
                cmd, count = g[i] & 7, g[i] >> 3
                i += 1
                if cmd == 7:
                    if len(ring) >= 3 and signed_area(ring + [ring[0]]) == 0:
                        zero[f.id] += 1
                    ring = []
                    continue
                if cmd == 1:
                    ring = []
                for _ in range(count):
                    dx, dy = g[i], g[i + 1]
                    i += 2
                    x += (dx >> 1) ^ -(dx & 1)
                    y += (dy >> 1) ^ -(dy & 1)
                    ring.append((x, y))
    return zero


class TileReport:
    """What one tile holds and what is wrong with it."""

    def __init__(self):
        self.features = 0
        self.polygons = 0
        self.invalid_polygons = 0
        self.invalid_features = 0
        self.bad_winding = 0
        self.zero_rings = 0
        self.reasons = Counter()
        self.examples = []
        self.overlap = 0.0
        self.union = None


def check_tile(tile_bytes, name, want_union=True):
    """Decodes one uncompressed tile and checks every feature; returns a TileReport."""
    rep = TileReport()
    decoded = mapbox_vector_tile.decode(tile_bytes, default_options={"y_coord_down": True})
    zero = raw_ring_areas(tile_bytes)
    rep.zero_rings = sum(zero.values())
    for fid, n in zero.items():
        if len(rep.examples) < 5:
            rep.examples.append(f"{name} id {fid}: {n} zero-area ring(s)")
    geoms = []
    extent = 4096
    for layer in decoded.values():
        extent = layer["extent"]
        for f in layer["features"]:
            rep.features += 1
            polys = []
            for rings in feature_polygons(f):
                rep.polygons += 1
                if signed_area(rings[0]) <= 0 or any(signed_area(h) >= 0 for h in rings[1:]):
                    rep.bad_winding += 1
                    if len(rep.examples) < 5:
                        rep.examples.append(f"{name} id {f['id']}: wrong winding")
                p = Polygon(rings[0], rings[1:])
                if not p.is_valid:
                    rep.invalid_polygons += 1
                    reason = shapely.is_valid_reason(p)
                    rep.reasons[reason.split("[")[0]] += 1
                    if len(rep.examples) < 5:
                        rep.examples.append(f"{name} id {f['id']}: {reason}")
                polys.append(p)
            if not polys:
                continue
            mp = MultiPolygon(polys) if len(polys) > 1 else polys[0]
            if len(polys) > 1 and all(p.is_valid for p in polys) and not mp.is_valid:
                rep.invalid_features += 1
                reason = shapely.is_valid_reason(mp)
                rep.reasons["multipolygon: " + reason.split("[")[0]] += 1
                if len(rep.examples) < 5:
                    rep.examples.append(f"{name} id {f['id']}: {reason}")
            if not mp.is_valid:
                mp = shapely.make_valid(mp, method="structure", keep_collapsed=False)
            geoms.append(mp)
    square = box(0, 0, extent, extent)
    clipped = [g.intersection(square) for g in geoms]
    total = sum(g.area for g in clipped)
    union = shapely.union_all(clipped) if clipped else Polygon()
    rep.overlap = max(0.0, total - union.area) / (extent * extent)
    rep.union = union if want_union else None
    rep.extent = extent
    return rep


class RawLayer:
    """The raw boundaries of a manifest layer, per source, with an STRtree in degrees."""

    def __init__(self, data, layer):
        self.sources = []
        for src in layer["source"]:
            path = os.path.join(data, src["file"])
            with open(path, encoding="utf-8") as fh:
                fc = json.load(fh)
            geoms = []
            for f in fc["features"]:
                code = (f.get("properties") or {}).get(src["code"], "")
                if not str(code).startswith(layer["code_prefix"]) or not f.get("geometry"):
                    continue
                g = shape(f["geometry"])
                if not g.is_valid:
                    g = shapely.make_valid(g, method="structure", keep_collapsed=False)
                geoms.append(g)
            tree = shapely.STRtree(geoms)
            self.sources.append((src["zooms"][0], src["zooms"][1], geoms, tree))

    def coverage(self, z, x, y, extent):
        """The union of the raw boundaries within tile z/x/y, in its tile units (y down), and
        their own overlap there (sum of areas minus the union's, as a share of the tile)."""
        for lo, hi, geoms, tree in self.sources:
            if lo <= z <= hi:
                break
        else:
            return Polygon(), 0.0
        n = 2**z
        lon0, lon1 = x / n * 360 - 180, (x + 1) / n * 360 - 180
        lat = lambda t: math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n))))
        lat0, lat1 = lat(y + 1), lat(y)
        found = [geoms[i] for i in tree.query(box(lon0, lat0, lon1, lat1))]

        def to_tile(coords):
            lon, la = coords[:, 0], np.clip(coords[:, 1], -85.0511, 85.0511)
            tx = ((lon + 180) / 360 * n - x) * extent
            ty = ((1 - np.arcsinh(np.tan(np.radians(la))) / np.pi) / 2 * n - y) * extent
            return np.column_stack([tx, ty])

        square = box(0, 0, extent, extent)
        moved = shapely.transform(np.array(found, dtype=object), to_tile)
        bad = ~shapely.is_valid(moved)
        moved[bad] = shapely.make_valid(moved[bad], method="structure", keep_collapsed=False)
        parts = shapely.intersection(moved, square)
        if not len(parts):
            return Polygon(), 0.0
        union = shapely.union_all(parts)
        overlap = max(0.0, float(shapely.area(parts).sum()) - union.area) / (extent * extent)
        return union, overlap


class ZoomTotals:
    def __init__(self):
        self.tiles = 0
        self.features = 0
        self.polygons = 0
        self.invalid = 0
        self.bad_winding = 0
        self.zero_rings = 0
        self.max_overlap = 0.0
        self.max_coverage = 0.0
        self.max_excess = 0.0
        self.max_gaps = 0.0
        self.reasons = Counter()
        self.seconds = 0.0

    def add(self, rep):
        self.tiles += 1
        self.features += rep.features
        self.polygons += rep.polygons
        self.invalid += rep.invalid_polygons + rep.invalid_features
        self.bad_winding += rep.bad_winding
        self.zero_rings += rep.zero_rings
        self.max_overlap = max(self.max_overlap, rep.overlap)
        self.reasons.update(rep.reasons)


def print_table(title, totals, with_coverage):
    print(title)
    head = "zoom  tiles  features  polygons  invalid  %invalid  winding  zero_rings  max_overlap"
    print(head + ("  over_raw  max_gaps  max_cover_diff" if with_coverage else "") + "  seconds")
    for z in sorted(totals):
        t = totals[z]
        pct = 100.0 * t.invalid / max(1, t.polygons)
        line = (
            f"{z:>4} {t.tiles:>6} {t.features:>9} {t.polygons:>9} {t.invalid:>8} {pct:>9.2f}"
            f" {t.bad_winding:>8} {t.zero_rings:>11} {t.max_overlap:>12.2e}"
        )
        if with_coverage:
            line += f" {t.max_excess:>9.2e} {t.max_gaps:>9.2e} {t.max_coverage:>15.4f}"
        print(line + f" {t.seconds:>8.1f}")
    reasons = Counter()
    for t in totals.values():
        reasons.update(t.reasons)
    if reasons:
        print("reasons: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))


RAW = None  # the RawLayer being checked, shared with the worker processes by fork


def sample_one(item):
    """Checks one sample tile against the raw boundaries in RAW (run in a worker process)."""
    path, layer_id, z, x, y = item
    s = time.time()
    with open(path, "rb") as fh:
        data = fh.read()
    rep = check_tile(data, f"{layer_id} {z}/{x}/{y}")
    cover, raw_overlap = RAW.coverage(z, x, y, rep.extent)
    diff = rep.union.symmetric_difference(cover).area / (rep.extent**2)
    # A gap: a place the features enclose but leave uncovered where the raw boundaries cover the
    # ground (an inlet of the sea closed by simplification encloses sea, which they do not cover).
    # A crack between neighbours is a thin hole (mean width 2 * area / perimeter under 2 units)
    # mostly on covered ground; a wide one is water or a place the source itself leaves open or
    # draws differently (an invalid source ring repaired one way by GEOS and another by the tiler).
    holes = enclosed_holes(rep.union, rep.extent)
    gaps = [
        h
        for h in getattr(holes, "geoms", [holes])
        if 2 * h.area < 2.0 * h.length and h.intersection(cover).area > 0.5 * h.area
    ]
    rep.gaps = sum(h.area for h in gaps) / (rep.extent**2)
    rep.union = None
    return z, x, y, rep, raw_overlap, diff, time.time() - s


def sample(args):
    global RAW
    with open(os.path.join(REPO, "boundaries", "manifest.toml"), "rb") as fh:
        manifest = {l["id"]: l for l in tomllib.load(fh)["layer"]}
    started = time.time()
    failures = []
    grand = ZoomTotals()
    for layer_id in sorted(os.listdir(args.dir)):
        if not os.path.isdir(os.path.join(args.dir, layer_id)):
            continue
        if layer_id not in manifest:
            failures.append(f"{layer_id}: not a layer of boundaries/manifest.toml")
            continue
        t0 = time.time()
        RAW = RawLayer(args.data, manifest[layer_id])
        totals = defaultdict(ZoomTotals)
        print(f"\n{layer_id}: raw boundaries read in {time.time() - t0:.1f}s")
        root = os.path.join(args.dir, layer_id)
        items = [
            (os.path.join(root, z, x, name), layer_id, int(z), int(x), int(name.split(".")[0]))
            for z in os.listdir(root)
            for x in os.listdir(os.path.join(root, z))
            for name in os.listdir(os.path.join(root, z, x))
        ]
        # Heaviest (lowest zoom) first, so the processes finish together.
        items.sort(key=lambda i: (i[2], i[3], i[4]))
        with Pool(args.jobs) as pool:
            results = pool.map(sample_one, items, chunksize=1)
        for z, x, y, rep, raw_overlap, diff, secs in results:
            tile = f"{layer_id} {z}/{x}/{y}"
            excess = rep.overlap - raw_overlap
            zt = totals[z]
            zt.add(rep)
            grand.add(rep)
            zt.max_coverage = max(zt.max_coverage, diff)
            zt.max_excess = max(zt.max_excess, excess)
            grand.max_excess = max(grand.max_excess, excess)
            zt.max_gaps = max(zt.max_gaps, rep.gaps)
            grand.max_gaps = max(grand.max_gaps, rep.gaps)
            zt.seconds += secs
            bad = rep.invalid_polygons + rep.invalid_features + rep.bad_winding + rep.zero_rings
            if bad:
                failures.append(f"{tile}: {bad} defect(s): " + "; ".join(rep.examples[:2]))
            if excess > OVERLAP_TOLERANCE:
                failures.append(
                    f"{tile}: features overlap on {rep.overlap:.2e} of the tile, "
                    f"the raw boundaries on {raw_overlap:.2e}"
                )
            if rep.gaps > GAP_TOLERANCE:
                failures.append(f"{tile}: gaps between features on {rep.gaps:.2e} of the tile")
            if diff > COVERAGE_TOLERANCE:
                failures.append(f"{tile}: coverage differs from the raw boundaries on {diff:.4f} of the tile")
        print_table(f"{layer_id} (sample; seconds are per-tile CPU summed over {args.jobs} processes)", totals, True)
    print(
        f"\nchecked {grand.tiles} tiles, {grand.features} features, {grand.polygons} polygons in "
        f"{time.time() - started:.1f}s: {grand.invalid} invalid, {grand.bad_winding} wrongly wound, "
        f"{grand.zero_rings} zero-area rings, max overlap {grand.max_overlap:.2e} of a tile "
        f"({grand.max_excess:.2e} beyond the raw boundaries' own), gaps at most {grand.max_gaps:.2e} "
        f"of a tile"
    )
    if failures:
        print(f"\n{len(failures)} failure(s):")
        for f in failures[:40]:
            print("  " + f)
    ok = grand.tiles > 0 and not failures
    print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


def sweep_one(item):
    (z, x, y), data = item
    s = time.time()
    rep = check_tile(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data, f"{z}/{x}/{y}", False)
    return z, rep, time.time() - s


def sweep(args):
    from pmtiles.reader import MmapSource, all_tiles

    started = time.time()
    totals = defaultdict(ZoomTotals)
    examples = []
    with open(args.archive, "rb") as fh:
        source = MmapSource(fh)
        tiles = list(all_tiles(source))
    read = time.time() - started
    with Pool(args.jobs) as pool:
        for z, rep, secs in pool.imap_unordered(sweep_one, tiles, chunksize=16):
            totals[z].add(rep)
            totals[z].seconds += secs
            examples.extend(rep.examples[: max(0, 10 - len(examples))])
    wall = time.time() - started
    print_table(f"{args.archive}: every tile (read {read:.1f}s, {args.jobs} processes)", totals, False)
    n = sum(t.tiles for t in totals.values())
    polys = sum(t.polygons for t in totals.values())
    bad = sum(t.invalid + t.bad_winding + t.zero_rings for t in totals.values())
    over = max((t.max_overlap for t in totals.values()), default=0.0)
    print(f"swept {n} tiles, {polys} polygons in {wall:.1f}s wall: {bad} defects, max overlap {over:.2e}")
    for e in examples:
        print("  " + e)
    return 0 if bad == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("sample")
    s.add_argument("dir")
    s.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    s.add_argument("--data", default=os.environ.get("CNIMAP_DATA", os.path.join(REPO, "..", "shared", "data")))
    w = sub.add_parser("sweep")
    w.add_argument("archive")
    w.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    return sample(args) if args.mode == "sample" else sweep(args)


if __name__ == "__main__":
    sys.exit(main())
