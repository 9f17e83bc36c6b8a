//! Coalescing areas too small to see into their neighbours, on the shared-arc topology.
//!
//! At low zooms most LSOAs are smaller than a screen pixel. Dropping them leaves holes in the
//! choropleth (reads as missing data); keeping every one of them cannot fit the tile budget (the
//! `code` and `name` strings of the 33,755 LSOAs alone gzip to about 165 KB, and at zooms 4-5 one
//! tile holds 30,000 of them). So, per zoom, areas below a threshold are merged with neighbours,
//! smallest first, each into the neighbour it shares the longest border with, until every group
//! reaches the threshold (tippecanoe's `--coalesce-smallest-as-needed`, on a topology). A group is
//! drawn as one feature carrying the id, code and name of its largest member; its outline is the
//! arcs its members do not share with each other, so it is exactly as gap-free against the other
//! groups as single areas are against their neighbours.

use crate::fxhash::FxHashMap;
use crate::topology::{ArcRef, TopoRing, Topology};
use crate::world::WorldPt;

/// Which features border which, and how long each shared border is.
#[derive(Debug, Default)]
pub(crate) struct Adjacency {
    /// Per feature, its neighbours and the length of the shared border (world units), sorted by
    /// decreasing length.
    pub neighbours: Vec<Vec<(u32, f64)>>,
    /// Per arc, how many ring sides use it (1: an outer edge of the coverage; 2: shared).
    pub uses: Vec<u8>,
}

/// Length of an arc in world units.
fn arc_length(points: &[WorldPt], closed: bool) -> f64 {
    let seg = |a: WorldPt, b: WorldPt| {
        let dx = f64::from(a[0]) - f64::from(b[0]);
        let dy = f64::from(a[1]) - f64::from(b[1]);
        dx.hypot(dy)
    };
    let open: f64 = points.windows(2).map(|w| seg(w[0], w[1])).sum();
    match (closed, points.first(), points.last()) {
        (true, Some(&a), Some(&b)) => open + seg(b, a),
        _ => open,
    }
}

impl Adjacency {
    /// Finds every feature's neighbours from the arcs they share.
    pub(crate) fn build(topology: &Topology) -> Self {
        let mut users: Vec<[u32; 2]> = vec![[u32::MAX; 2]; topology.arcs.len()];
        let mut uses = vec![0u8; topology.arcs.len()];
        for (f, polygons) in topology.features.iter().enumerate() {
            let f = u32::try_from(f).unwrap_or(u32::MAX);
            for r in polygons.iter().flatten().flatten() {
                let a = r.arc as usize;
                if let (Some(u), Some(n)) = (users.get_mut(a), uses.get_mut(a)) {
                    if *n < 2 {
                        u[usize::from(*n)] = f;
                    }
                    *n = n.saturating_add(1);
                }
            }
        }
        let mut pairs: FxHashMap<(u32, u32), f64> = FxHashMap::default();
        for (a, (u, &n)) in users.iter().zip(&uses).enumerate() {
            if n != 2 || u[0] == u[1] {
                continue;
            }
            let key = (u[0].min(u[1]), u[0].max(u[1]));
            let len = arc_length(&topology.arcs[a], topology.closed[a]);
            *pairs.entry(key).or_default() += len;
        }
        let mut neighbours = vec![Vec::new(); topology.features.len()];
        for ((a, b), len) in pairs {
            if let Some(list) = neighbours.get_mut(a as usize) {
                list.push((b, len));
            }
            if let Some(list) = neighbours.get_mut(b as usize) {
                list.push((a, len));
            }
        }
        for list in &mut neighbours {
            list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        }
        Self { neighbours, uses }
    }
}

/// Union-find root with path halving.
fn root(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
}

/// Groups features so that every group's area reaches `threshold` where neighbours allow.
/// `areas` are the features' areas, `order` the feature indices by increasing area. Returns, per
/// feature, the group's representative (its largest member; a feature alone is its own).
pub(crate) fn group(
    areas: &[f64],
    order: &[u32],
    adjacency: &Adjacency,
    threshold: f64,
) -> Vec<u32> {
    let n = areas.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // Per root: the group's area and its largest member.
    let mut area: Vec<f64> = areas.to_vec();
    let mut largest: Vec<u32> = (0..n as u32).collect();
    for &f in order {
        let g = root(&mut parent, f);
        if area[g as usize] >= threshold {
            continue;
        }
        let Some(&(_, h)) = adjacency.neighbours[f as usize]
            .iter()
            .map(|&(nb, _)| (nb, root(&mut parent, nb)))
            .collect::<Vec<_>>()
            .iter()
            .find(|(_, h)| *h != g)
        else {
            continue;
        };
        // Union by area: the bigger group's root stays.
        let (keep, gone) = if area[h as usize] >= area[g as usize] {
            (h, g)
        } else {
            (g, h)
        };
        parent[gone as usize] = keep;
        area[keep as usize] += area[gone as usize];
        let (lk, lg) = (largest[keep as usize], largest[gone as usize]);
        if areas[lg as usize] > areas[lk as usize] {
            largest[keep as usize] = lg;
        }
    }
    (0..n as u32)
        .map(|f| {
            let g = root(&mut parent, f);
            largest[g as usize]
        })
        .collect()
}

/// The outline of a group: the rings of its members with every arc used both ways (a border
/// between two members) removed, chained back into closed rings. Rings come out oriented as the
/// members' rings were (exteriors one way, holes the other).
pub(crate) fn boundary<'a>(
    member_rings: impl Iterator<Item = &'a TopoRing>,
    topology: &Topology,
) -> Vec<TopoRing> {
    let mut net: FxHashMap<u32, i32> = FxHashMap::default();
    for r in member_rings.flatten() {
        *net.entry(r.arc).or_default() += if r.reversed { -1 } else { 1 };
    }
    let mut open: Vec<ArcRef> = Vec::new();
    let mut rings: Vec<TopoRing> = Vec::new();
    let mut arcs: Vec<(u32, i32)> = net.into_iter().filter(|&(_, n)| n != 0).collect();
    arcs.sort_unstable();
    for (arc, n) in arcs {
        let r = ArcRef {
            arc,
            reversed: n < 0,
        };
        for _ in 0..n.unsigned_abs() {
            if topology.closed.get(arc as usize).copied().unwrap_or(false) {
                rings.push(vec![r]);
            } else {
                open.push(r);
            }
        }
    }
    let ends = |r: &ArcRef| -> Option<(WorldPt, WorldPt)> {
        let pts = topology.arcs.get(r.arc as usize)?;
        let (a, b) = (*pts.first()?, *pts.last()?);
        Some(if r.reversed { (b, a) } else { (a, b) })
    };
    let key = |p: WorldPt| (u64::from(p[0]) << 32) | u64::from(p[1]);
    let mut starting: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (i, r) in open.iter().enumerate() {
        if let Some((s, _)) = ends(r) {
            starting.entry(key(s)).or_default().push(i);
        }
    }
    let mut used = vec![false; open.len()];
    for first in 0..open.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        let Some((start, mut end)) = ends(&open[first]) else {
            continue;
        };
        let mut ring = vec![open[first]];
        while end != start {
            let next = starting
                .get(&key(end))
                .and_then(|c| c.iter().copied().find(|&i| !used[i]));
            let Some(i) = next else { break };
            used[i] = true;
            ring.push(open[i]);
            match ends(&open[i]) {
                Some((_, e)) => end = e,
                None => break,
            }
        }
        rings.push(ring);
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{assemble_ring, build};

    fn square(x: u32, y: u32, s: u32) -> Vec<WorldPt> {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s]]
    }

    #[test]
    fn two_neighbours_merge_into_one_square_outline() {
        let topo = build(&[vec![vec![square(0, 0, 10)]], vec![vec![square(10, 0, 10)]]]);
        let rings = boundary(topo.features.iter().flatten().flatten(), &topo);
        assert_eq!(rings.len(), 1);
        let mut pts = Vec::new();
        assemble_ring(&rings[0], &topo.arcs, &mut pts);
        crate::ring::clean_ring(&mut pts);
        let mut corners = pts.clone();
        corners.sort();
        // The shared edge x = 10 is gone; its end points stay as collinear points.
        assert!(corners.contains(&[0, 0]) && corners.contains(&[20, 10]));
        assert_eq!(crate::ring::signed_area2(&pts).abs(), 2.0 * 200.0);
    }

    #[test]
    fn an_enclave_merged_into_its_surround_fills_the_hole() {
        let outer = square(0, 0, 30);
        let hole: Vec<WorldPt> = square(10, 10, 10).into_iter().rev().collect();
        let topo = build(&[vec![vec![outer, hole]], vec![vec![square(10, 10, 10)]]]);
        let rings = boundary(topo.features.iter().flatten().flatten(), &topo);
        assert_eq!(rings.len(), 1, "only the outer ring is left");
    }

    #[test]
    fn small_areas_join_the_neighbour_with_the_longest_border_and_large_ones_stay() {
        // A row: big (0..100), small (100..101), medium (101..121), tall strips.
        let topo = build(&[
            vec![vec![vec![[0, 0], [100, 0], [100, 100], [0, 100]]]],
            vec![vec![vec![[100, 0], [101, 0], [101, 100], [100, 100]]]],
            vec![vec![vec![[101, 0], [121, 0], [121, 100], [101, 100]]]],
        ]);
        let adjacency = Adjacency::build(&topo);
        let areas = [10_000.0, 100.0, 2_000.0];
        let reps = group(&areas, &[1, 2, 0], &adjacency, 1_000.0);
        assert_eq!(reps[0], 0);
        assert_eq!(
            reps[2], 2,
            "the medium area is above the threshold and stays alone"
        );
        assert!(
            reps[1] == 0 || reps[1] == 2,
            "the small one joins a neighbour"
        );
    }
}
