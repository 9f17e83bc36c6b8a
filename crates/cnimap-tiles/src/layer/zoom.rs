//! One zoom of a source, assembled once at start-up: every arc simplified and quantised to the
//! zoom's grid, small areas coalesced where the zoom does, every feature (or group) reassembled
//! from the simplified arcs, and the result indexed by bounding box.

use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

use crate::coalesce::{boundary, group, Adjacency};
use crate::crossing::touching_arcs;
use crate::fxhash::FxHashMap;
use crate::ring::{clean_ring, signed_area2};
use crate::simplify::{simplify_closed, simplify_open};
use crate::topology::{assemble_ring, TopoRing, Topology};
use crate::valid::{make_valid, subtract};
use crate::world::{quantise, world_per_tile_unit, zoom_shift, WorldPt};

use super::options::{TileOptions, EXTENT_BITS};

/// A ring on a zoom's global tile grid (tile `x` covers `x * extent .. (x + 1) * extent`).
pub(super) type ZoomRing = Vec<[i32; 2]>;

/// One feature's geometry at one zoom: polygons, each an exterior ring then its holes, oriented
/// for MVT.
#[derive(Debug)]
pub(super) struct ZoomFeature {
    pub(super) polygons: Vec<Vec<ZoomRing>>,
    /// `[min_x, min_y, max_x, max_y]` on the zoom's global tile grid.
    pub(super) bbox: [i64; 4],
}

impl Default for ZoomFeature {
    /// No polygons, and an empty bounding box that any point grows.
    fn default() -> Self {
        Self {
            polygons: Vec::new(),
            bbox: [i64::MAX, i64::MAX, i64::MIN, i64::MIN],
        }
    }
}

impl ZoomFeature {
    fn push(&mut self, rings: Vec<ZoomRing>) {
        if let Some(exterior) = rings.first() {
            for p in exterior {
                let (x, y) = (i64::from(p[0]), i64::from(p[1]));
                let b = &mut self.bbox;
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            self.polygons.push(rings);
        }
    }
}

/// One zoom of a source: its grid, its features (by slot) and their index.
#[derive(Debug)]
pub(super) struct ZoomLayer {
    /// log2 of the zoom's tile extent.
    pub(super) extent_bits: u32,
    /// Per feature slot (into the source's features); empty when merged into another.
    pub(super) features: Vec<ZoomFeature>,
    /// Non-empty feature slots by bounding box on the zoom's grid.
    pub(super) tree: RTree<GeomWithData<Rectangle<[i64; 2]>, u32>>,
}

/// Everything the per-zoom passes need about a source, computed once.
pub(super) struct SourceTopology<'a> {
    /// The source's shared-arc topology, features by slot.
    pub(super) topology: &'a Topology,
    /// Which features border which, and how many rings use each arc.
    pub(super) adjacency: &'a Adjacency,
    /// Per feature, its area in world units squared.
    pub(super) areas: &'a [f64],
    /// Feature slots by increasing area.
    pub(super) order: &'a [u32],
    /// Per feature, where a collapsed feature's placeholder goes.
    pub(super) centres: &'a [WorldPt],
    /// Per arc, the slots of the features using it (`u32::MAX` for none).
    pub(super) arc_users: &'a [[u32; 2]],
    /// Pairs of features (slots) known to overlap: they walk an arc the same way, or one's
    /// representative point lies inside the other.
    pub(super) overlapping: &'a [(u32, u32)],
}

/// Simplifies every arc once for zoom `z`, coalesces small areas if the zoom does, then
/// reassembles every feature (or group) from the simplified arcs and indexes the result.
pub(super) fn zoom_layer(p: &SourceTopology<'_>, z: u8, options: &TileOptions) -> ZoomLayer {
    let extent_bits = options.extent_bits(z);
    let shift = zoom_shift(z, extent_bits);
    let fine_unit = world_per_tile_unit(z, EXTENT_BITS);
    let tolerance = (options.tolerance * fine_unit).max(0.5 * world_per_tile_unit(z, extent_bits));
    let arcs = zoom_arcs(p.topology, tolerance, shift);
    // Areas of the finest grid, in units of this zoom's grid.
    let scale = f64::from(1u32 << (EXTENT_BITS - extent_bits));
    let min_area2 = 2.0 * options.min_ring_area / (scale * scale);

    let topology = p.topology;
    let n = topology.features.len();
    let coalesces = options.coalesces(z);
    let reps: Vec<u32> = if coalesces {
        let threshold = options.min_feature_area * fine_unit * fine_unit;
        group(p.areas, p.order, p.adjacency, threshold)
    } else {
        (0..u32::try_from(n).unwrap_or(u32::MAX)).collect()
    };
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (f, &rep) in reps.iter().enumerate() {
        if rep as usize != f {
            members.entry(rep).or_default().push(f as u32);
        }
    }

    let features: Vec<ZoomFeature> = (0..n)
        .into_par_iter()
        .map(|f| {
            let mut out = ZoomFeature::default();
            if reps[f] as usize != f {
                return out; // drawn as part of its group
            }
            match members.get(&(f as u32)) {
                None => single(
                    &topology.features[f],
                    &arcs,
                    p.adjacency,
                    min_area2,
                    &mut out,
                ),
                Some(others) => {
                    let rings = std::iter::once(f as u32)
                        .chain(others.iter().copied())
                        .flat_map(|m| topology.features[m as usize].iter().flatten());
                    merged(&boundary(rings, topology), &arcs, min_area2, &mut out);
                }
            }
            // Above the coalescing zooms every area must be in its tiles: one that collapsed
            // gets a one-unit square (it overlaps the neighbours that cover its place by that
            // unit). Where groups are drawn, a collapsed group is left out: its neighbours,
            // built from the same arcs, already cover its place, and a square would overlap them.
            if !coalesces && out.polygons.is_empty() && !topology.features[f].is_empty() {
                let [x, y] = quantise(p.centres[f], shift);
                out.push(vec![vec![[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]]]);
            }
            out
        })
        .collect();
    let mut features = features;
    let separated = separate_overlaps(&mut features, &arcs, p, &reps);
    if separated > 0 {
        tracing::trace!(z, separated, "overlaps taken out where snapped arcs touch");
    }
    let tree = index(&features);
    ZoomLayer {
        extent_bits,
        features,
        tree,
    }
}

/// Every arc of the topology simplified once (Douglas-Peucker, `tolerance` in world units,
/// closed arcs as rings) and quantised to the zoom's grid (`shift` from world units), without
/// consecutive repeats.
fn zoom_arcs(topology: &Topology, tolerance: f64, shift: u32) -> Vec<Vec<[i32; 2]>> {
    topology
        .arcs
        .par_iter()
        .zip(topology.closed.par_iter())
        .map(|(arc, &closed)| {
            let simplified = if closed {
                simplify_closed(arc, tolerance)
            } else {
                simplify_open(arc, tolerance)
            };
            let mut q: Vec<[i32; 2]> = Vec::with_capacity(simplified.len());
            for pt in simplified {
                let pt = quantise(pt, shift);
                if q.last() != Some(&pt) {
                    q.push(pt);
                }
            }
            q
        })
        .collect()
}

/// The non-empty features' slots by bounding box.
fn index(features: &[ZoomFeature]) -> RTree<GeomWithData<Rectangle<[i64; 2]>, u32>> {
    RTree::bulk_load(
        features
            .iter()
            .enumerate()
            .filter(|(_, zf)| !zf.polygons.is_empty())
            .map(|(slot, zf)| {
                let [x0, y0, x1, y1] = zf.bbox;
                GeomWithData::new(
                    Rectangle::from_corners([x0, y0], [x1, y1]),
                    u32::try_from(slot).unwrap_or(u32::MAX),
                )
            })
            .collect(),
    )
}

/// Assembles a ring from the zoom's arcs, cleaned; returns it with twice its signed area.
fn zoom_ring(ring: &TopoRing, arcs: &[Vec<[i32; 2]>]) -> (ZoomRing, f64) {
    let mut buf = Vec::new();
    assemble_ring(ring, arcs, &mut buf);
    clean_ring(&mut buf);
    let area2 = signed_area2(&buf);
    (buf, area2)
}

/// Whether no other ring uses any arc of `ring` (an island's coast, or a hole nothing fills).
fn unshared(ring: &TopoRing, adjacency: &Adjacency) -> bool {
    ring.iter()
        .all(|r| adjacency.uses.get(r.arc as usize).is_some_and(|&n| n < 2))
}

/// One feature on its own: its polygons from the zoom's arcs, made valid.
fn single(
    polygons: &[Vec<TopoRing>],
    arcs: &[Vec<[i32; 2]>],
    adjacency: &Adjacency,
    min_area2: f64,
    out: &mut ZoomFeature,
) {
    let mut rings: Vec<ZoomRing> = Vec::new();
    for polygon in polygons {
        for (r, ring) in polygon.iter().enumerate() {
            let (mut pts, area2) = zoom_ring(ring, arcs);
            let drop = area2 == 0.0 || (area2.abs() < min_area2 && unshared(ring, adjacency));
            if drop {
                if r == 0 {
                    // The exterior is gone: its holes go with it.
                    break;
                }
                continue;
            }
            if (area2 > 0.0) != (r == 0) {
                pts.reverse();
            }
            rings.push(pts);
        }
    }
    push_valid(&rings, out);
}

/// A group's outline rings (exteriors one way, holes the other, as [`boundary`] gives them),
/// made valid: each hole ends up in the exterior holding it.
fn merged(rings: &[TopoRing], arcs: &[Vec<[i32; 2]>], min_area2: f64, out: &mut ZoomFeature) {
    let mut kept: Vec<ZoomRing> = Vec::with_capacity(rings.len());
    for ring in rings {
        let (pts, area2) = zoom_ring(ring, arcs);
        if area2.abs() < min_area2.max(f64::MIN_POSITIVE) {
            continue;
        }
        kept.push(pts);
    }
    push_valid(&kept, out);
}

/// Rebuilds a feature's rings into valid polygons ([`make_valid`]) and adds them to `out`.
fn push_valid(rings: &[ZoomRing], out: &mut ZoomFeature) {
    let mut polygons = Vec::new();
    make_valid(rings, &mut polygons);
    for polygon in polygons {
        out.push(polygon);
    }
}

/// Where two snapped arcs touch or cross ([`touching_arcs`]), the features using them may overlap
/// (a lobe between two borders simplified across each other, the two banks of an estuary snapped
/// over each other); so do two features walking an arc the same way (a shell nested in another
/// feature's shell, as some source files have it) and two features one of which lies inside the
/// other (an outline given without the hole its enclave fills). For every pair of such features, the overlap
/// is taken out of one of them ([`subtract`]): the one in the later slot, or the other when that
/// takes nothing out (the crossing rounded to the grid can leave the lobe in one of the two only)
/// or would leave nothing (the area nested in the other: the other gets the hole). Returns how
/// many features changed.
fn separate_overlaps(
    features: &mut [ZoomFeature],
    arcs: &[Vec<[i32; 2]>],
    p: &SourceTopology<'_>,
    reps: &[u32],
) -> usize {
    let pairs = touching_arcs(arcs, &p.topology.closed);
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    let mut users: Vec<u32> = Vec::with_capacity(4);
    for (a, b) in pairs {
        users.clear();
        for arc in [a, b] {
            for &u in p.arc_users.get(arc as usize).into_iter().flatten() {
                if let Some(&rep) = reps.get(u as usize) {
                    users.push(rep);
                }
            }
        }
        users.sort_unstable();
        users.dedup();
        for (i, &x) in users.iter().enumerate() {
            candidates.extend(users[i + 1..].iter().map(|&y| (x, y)));
        }
    }
    for &(f, g) in p.overlapping {
        if let (Some(&x), Some(&y)) = (reps.get(f as usize), reps.get(g as usize)) {
            if x != y {
                candidates.push((x.min(y), x.max(y)));
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut changed = 0;
    for (first, second) in candidates {
        let (Some(a), Some(b)) = (features.get(first as usize), features.get(second as usize))
        else {
            continue;
        };
        let (x, y) = (a.bbox, b.bbox);
        if x[0] > y[2] || y[0] > x[2] || x[1] > y[3] || y[1] > x[3] {
            continue;
        }
        for (keep, lose) in [(first, second), (second, first)] {
            if let Some(separated) = without(&features[lose as usize], &features[keep as usize]) {
                features[lose as usize] = separated;
                changed += 1;
                break;
            }
        }
    }
    changed
}

/// `lose` without what it shares with `keep`, or `None` when that takes nothing out or would
/// leave nothing.
fn without(lose: &ZoomFeature, keep: &ZoomFeature) -> Option<ZoomFeature> {
    if lose.polygons.is_empty() || keep.polygons.is_empty() {
        return None;
    }
    let subject: Vec<&ZoomRing> = lose.polygons.iter().flatten().collect();
    let clip: Vec<&ZoomRing> = keep.polygons.iter().flatten().collect();
    let before: f64 = subject.iter().map(|r| signed_area2(r)).sum();
    let mut out = Vec::new();
    subtract(&subject, &clip, &mut out);
    let after: f64 = out.iter().flatten().map(|r| signed_area2(r)).sum();
    if out.is_empty() || after >= before {
        return None;
    }
    let mut separated = ZoomFeature::default();
    for polygon in out {
        separated.push(polygon);
    }
    Some(separated)
}
