//! Shared-arc topology, as TopoJSON builds it.
//!
//! Rings are snapped to the world grid first, so two neighbours' common border is the same
//! sequence of points in both rings (possibly reversed). A point is a *junction* when it is seen
//! with different neighbours in different places (where three areas meet, where a shared border
//! meets the coast, or where a ring touches itself). Cutting every ring at its junctions yields
//! *arcs*; an arc shared by two rings is stored once. Rings without any junction (islands, or an
//! enclave and the hole it fills) become one closed arc, canonicalised so both rings find it.
//!
//! Simplifying each arc once and reassembling the rings from the simplified arcs gives neighbours
//! exactly the same border: no gaps, no overlaps along seams.

use crate::fxhash::FxHashMap;
use crate::world::WorldPt;

/// A ring's use of an arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArcRef {
    /// Index into [`Topology::arcs`].
    pub arc: u32,
    /// Whether the ring walks the arc backwards.
    pub reversed: bool,
}

/// One ring as a sequence of arcs.
pub(crate) type TopoRing = Vec<ArcRef>;

/// One polygon: exterior ring first, then holes.
pub(crate) type TopoPolygon = Vec<TopoRing>;

/// Arcs and the polygons of every feature, in input order.
#[derive(Debug, Default)]
pub(crate) struct Topology {
    /// Arc points. Open arcs start and end at junctions; closed arcs (`closed[i]`) are rings
    /// stored without repeating their first point.
    pub arcs: Vec<Vec<WorldPt>>,
    /// Whether each arc is a closed ring.
    pub closed: Vec<bool>,
    /// Per feature, its polygons.
    pub features: Vec<Vec<TopoPolygon>>,
}

#[derive(Clone, Copy)]
enum Seen {
    Pair(WorldPt, WorldPt),
    Junction,
}

fn key(p: WorldPt) -> u64 {
    (u64::from(p[0]) << 32) | u64::from(p[1])
}

/// Builds the topology of features given as polygons of cleaned rings (open, at least 3 points,
/// no consecutive duplicates; see [`crate::ring::clean_ring`]). An empty ring is skipped; a
/// polygon whose exterior is empty is skipped with its holes.
pub(crate) fn build(features: &[Vec<Vec<Vec<WorldPt>>>]) -> Topology {
    let seen = junctions(features);
    let is_junction = |p: WorldPt| matches!(seen.get(&key(p)), Some(Seen::Junction));
    let mut table = ArcTable::default();
    let mut out_features = Vec::with_capacity(features.len());
    for feature in features {
        let mut polygons = Vec::with_capacity(feature.len());
        for polygon in feature {
            let mut rings: TopoPolygon = Vec::with_capacity(polygon.len());
            for (r, ring) in polygon.iter().enumerate() {
                if ring.len() < 3 {
                    if r == 0 {
                        break;
                    }
                    continue;
                }
                rings.push(cut_ring(ring, &is_junction, &mut table));
            }
            if !rings.is_empty() {
                polygons.push(rings);
            }
        }
        out_features.push(polygons);
    }
    let (arcs, closed) = table.into_arcs();
    Topology {
        arcs,
        closed,
        features: out_features,
    }
}

/// Pass 1: every point with the pair of points next to it, or [`Seen::Junction`] once it has been
/// seen with two different pairs.
fn junctions(features: &[Vec<Vec<Vec<WorldPt>>>]) -> FxHashMap<u64, Seen> {
    let total: usize = features.iter().flatten().flatten().map(Vec::len).sum();
    let mut seen: FxHashMap<u64, Seen> = FxHashMap::default();
    seen.reserve(total);
    for ring in features.iter().flatten().flatten() {
        let n = ring.len();
        if n < 3 {
            continue;
        }
        for i in 0..n {
            let p = ring[i];
            let a = ring[(i + n - 1) % n];
            let b = ring[(i + 1) % n];
            let pair = if a <= b { (a, b) } else { (b, a) };
            seen.entry(key(p))
                .and_modify(|s| {
                    if let Seen::Pair(x, y) = *s {
                        if (x, y) != pair {
                            *s = Seen::Junction;
                        }
                    }
                })
                .or_insert(Seen::Pair(pair.0, pair.1));
        }
    }
    seen
}

/// The arcs found so far, each stored once in its canonical form.
#[derive(Default)]
struct ArcTable {
    index: FxHashMap<Vec<WorldPt>, u32>,
    closed: Vec<bool>,
}

impl ArcTable {
    /// The id of an arc given in canonical form, added if new.
    fn intern(&mut self, canon: Vec<WorldPt>, is_closed: bool) -> u32 {
        let next = u32::try_from(self.closed.len()).unwrap_or(u32::MAX);
        let id = *self.index.entry(canon).or_insert(next);
        if id == next {
            self.closed.push(is_closed);
        }
        id
    }

    /// The arcs' points by id, and whether each is closed.
    fn into_arcs(self) -> (Vec<Vec<WorldPt>>, Vec<bool>) {
        let mut arcs = vec![Vec::new(); self.closed.len()];
        for (canon, id) in self.index {
            if let Some(slot) = arcs.get_mut(id as usize) {
                *slot = canon;
            }
        }
        (arcs, self.closed)
    }
}

/// Pass 2 for one ring (at least 3 points): cuts it at its junctions into arcs, or keeps it
/// whole as one closed arc when it has none.
fn cut_ring(
    ring: &[WorldPt],
    is_junction: &impl Fn(WorldPt) -> bool,
    table: &mut ArcTable,
) -> TopoRing {
    let junctions: Vec<usize> = (0..ring.len()).filter(|&i| is_junction(ring[i])).collect();
    if junctions.is_empty() {
        let (canon, reversed) = canonical_closed(ring);
        return vec![ArcRef {
            arc: table.intern(canon, true),
            reversed,
        }];
    }
    let n = ring.len();
    let mut refs = Vec::with_capacity(junctions.len());
    for (k, &start) in junctions.iter().enumerate() {
        let end = junctions[(k + 1) % junctions.len()];
        let len = if end > start {
            end - start
        } else {
            end + n - start
        };
        let seq: Vec<WorldPt> = (0..=len).map(|i| ring[(start + i) % n]).collect();
        let (canon, reversed) = canonical_open(seq);
        refs.push(ArcRef {
            arc: table.intern(canon, false),
            reversed,
        });
    }
    refs
}

/// The orientation of an open arc both its users agree on: the lexicographically smaller of the
/// sequence and its reverse. Returns the canonical sequence and whether the input was reversed.
fn canonical_open(mut seq: Vec<WorldPt>) -> (Vec<WorldPt>, bool) {
    let n = seq.len();
    for i in 0..n / 2 {
        let (a, b) = (seq[i], seq[n - 1 - i]);
        if a < b {
            return (seq, false);
        }
        if a > b {
            seq.reverse();
            return (seq, true);
        }
    }
    (seq, false)
}

/// The canonical form of a ring without junctions: rotated to start at its smallest point and
/// walked towards the smaller of that point's two neighbours. Returns it and whether the input
/// ring runs the other way.
fn canonical_closed(ring: &[WorldPt]) -> (Vec<WorldPt>, bool) {
    let n = ring.len();
    let start = (0..n).min_by_key(|&i| ring[i]).unwrap_or(0);
    let next = ring[(start + 1) % n];
    let prev = ring[(start + n - 1) % n];
    if next <= prev {
        ((0..n).map(|i| ring[(start + i) % n]).collect(), false)
    } else {
        ((0..n).map(|i| ring[(start + n - i) % n]).collect(), true)
    }
}

/// Walks a ring's arcs and returns its points (open ring), taking each arc's points from
/// `arc_points` (which may be a simplified version of the topology's arcs).
pub(crate) fn assemble_ring<P: Copy + PartialEq>(
    ring: &[ArcRef],
    arc_points: &[Vec<P>],
    out: &mut Vec<P>,
) {
    out.clear();
    for r in ring {
        let Some(points) = arc_points.get(r.arc as usize) else {
            continue;
        };
        let mut push = |p: P| {
            if out.last() != Some(&p) {
                out.push(p);
            }
        };
        if r.reversed {
            points.iter().rev().for_each(|&p| push(p));
        } else {
            points.iter().for_each(|&p| push(p));
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: u32, y: u32, s: u32) -> Vec<WorldPt> {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s]]
    }

    #[test]
    fn two_squares_sharing_an_edge_share_one_arc() {
        // Left square and right square share the edge x = 10 from y = 0 to y = 10. The right square
        // has an extra point on the shared edge so it is more than a single segment.
        let left = vec![[0, 0], [10, 0], [10, 5], [10, 10], [0, 10]];
        let right = vec![[10, 0], [20, 0], [20, 10], [10, 10], [10, 5]];
        let topo = build(&[vec![vec![left.clone()]], vec![vec![right.clone()]]]);
        let arcs_of =
            |f: usize| -> Vec<u32> { topo.features[f][0][0].iter().map(|r| r.arc).collect() };
        let shared: Vec<u32> = arcs_of(0)
            .into_iter()
            .filter(|a| arcs_of(1).contains(a))
            .collect();
        assert_eq!(shared.len(), 1);
        assert_eq!(topo.arcs[shared[0] as usize].len(), 3);
        // Reassembly gives back the input rings (up to rotation).
        for (f, input) in [(0, &left), (1, &right)] {
            let mut ring = Vec::new();
            assemble_ring(&topo.features[f][0][0], &topo.arcs, &mut ring);
            assert_eq!(ring.len(), input.len());
            let start = ring
                .iter()
                .position(|p| *p == input[0])
                .expect("start point kept");
            let rotated: Vec<WorldPt> = (0..ring.len())
                .map(|i| ring[(start + i) % ring.len()])
                .collect();
            assert_eq!(&rotated, input);
        }
    }

    #[test]
    fn an_enclave_and_its_hole_share_one_closed_arc() {
        let outer = square(0, 0, 30);
        let hole: Vec<WorldPt> = square(10, 10, 10).into_iter().rev().collect();
        let enclave = square(10, 10, 10);
        let topo = build(&[vec![vec![outer, hole]], vec![vec![enclave]]]);
        let hole_ref = topo.features[0][0][1][0];
        let enclave_ref = topo.features[1][0][0][0];
        assert_eq!(hole_ref.arc, enclave_ref.arc);
        assert!(topo.closed[hole_ref.arc as usize]);
        assert_ne!(hole_ref.reversed, enclave_ref.reversed);
    }

    #[test]
    fn a_self_touching_ring_survives_and_reassembles() {
        // A figure of eight touching itself at (10, 10).
        let ring = vec![
            [0, 0],
            [10, 0],
            [10, 10],
            [20, 10],
            [20, 20],
            [10, 20],
            [10, 10],
            [0, 10],
        ];
        let topo = build(&[vec![vec![ring.clone()]]]);
        let mut out = Vec::new();
        assemble_ring(&topo.features[0][0][0], &topo.arcs, &mut out);
        assert_eq!(out.len(), ring.len());
    }
}
