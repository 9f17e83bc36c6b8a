//! Which areas share a border, read off the shared-arc [`topology`](crate::topology): two areas
//! are neighbours when both use the same arc.
//!
//! An arc is a stretch of outline between junctions, stored once however many rings walk it, so
//! sharing an arc means sharing a border of positive length through the same points (snapped to
//! the world grid, about 1 cm). Areas that only touch at a point (a corner where four areas meet
//! diagonally, or two separate points) share a junction but no arc, so they are not neighbours.
//! No vertex hashing beyond what the topology already did: the rings' arc references are sorted
//! by arc, and every run of users of one arc gives pairs.
//!
//! Measured on `lsoa21` (BGC, 33,755 LSOAs, 105,896 arcs): 97,671 pairs, about six neighbours an
//! LSOA; only Isles of Scilly 001A has none. The plain rule "shares a border segment" and the
//! server's former rule "shares at least two vertices at 1e-6 degrees" both give one pair more,
//! Barrow-in-Furness 004C and 009A, which touch only through zero-area polygons of 009A (rings
//! that run out and back along a line), dropped when rings are cleaned. The extra preparation
//! time is about 20 ms of CPU on one thread (17-25 ms over five runs, read from
//! `/proc/thread-self/schedstat`; 40-240 ms wall clock on two shared cores under load 7-19),
//! against 2.3 s wall clock for the whole prepare on a quiet machine (`SIZES.md`).
//! `RUST_LOG=cnimap_tiles=debug` logs the wall clock as `neighbours found ... ms`.

use crate::topology::Topology;

/// The neighbours of every feature of a layer, by feature index ([`InputFeature::index`]).
///
/// **Rule:** two features are neighbours when their outlines in the layer's most detailed source
/// (the one cut for the deepest zooms) share at least one arc of the shared-arc topology, that is
/// a common border of positive length drawn through the same points (after snapping to a grid of
/// about 1 cm). Touching at a single point, or at several isolated points, does not count. An
/// enclave and the area around it are neighbours. Borders that the source draws with different
/// points on each side (a crack or an overlap) share no arc and so do not count either, nor do
/// polygons without area (rings that run out and back along a line), which preparation drops.
/// A feature without usable geometry has no neighbours.
///
/// Each list is sorted by feature index, without repeats and without the feature itself, and the
/// relation is symmetric.
///
/// [`InputFeature::index`]: crate::InputFeature::index
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbours {
    /// Feature indices with a list, increasing.
    indices: Vec<u32>,
    /// The neighbours of `indices[i]` are `lists[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    /// Every list, one after the other.
    lists: Vec<u32>,
}

impl Neighbours {
    /// Reads the neighbours off a topology whose feature slots carry the feature indices
    /// `indices` (`indices[slot]`; unique, as [`crate::PreparedLayer::prepare`] checks). A slot
    /// without an index is ignored.
    pub(crate) fn from_topology(topology: &Topology, indices: &[u32]) -> Self {
        let index_of = |slot: u32| indices.get(slot as usize).copied();
        // Both directions of every pair, as (feature index, neighbour index): sorted, they are
        // the lists one after the other.
        let mut directed: Vec<u64> = Vec::new();
        for pair in shared_arc_pairs(topology) {
            let (a, b) = unpack(pair);
            if let (Some(i), Some(j)) = (index_of(a), index_of(b)) {
                directed.extend([pack(i, j), pack(j, i)]);
            }
        }
        directed.sort_unstable();
        directed.dedup();
        let mut features: Vec<u32> = (0..topology.features.len())
            .filter_map(|slot| indices.get(slot).copied())
            .collect();
        features.sort_unstable();
        features.dedup();
        let mut out = Self {
            offsets: Vec::with_capacity(features.len() + 1),
            lists: Vec::with_capacity(directed.len()),
            indices: Vec::new(),
        };
        out.offsets.push(0);
        let mut next = directed.iter().map(|&d| unpack(d)).peekable();
        for &index in &features {
            while let Some((_, neighbour)) = next.next_if(|&(from, _)| from == index) {
                out.lists.push(neighbour);
            }
            out.offsets.push(out.lists.len());
        }
        out.indices = features;
        out
    }

    /// The neighbours of the feature with index `index`, sorted; empty for a feature without
    /// neighbours or an index the layer does not have.
    pub fn of(&self, index: u32) -> &[u32] {
        // Feature indices are normally 0..n, so the index is usually its own position.
        let at = match self.indices.get(index as usize) {
            Some(&i) if i == index => Some(index as usize),
            _ => self.indices.binary_search(&index).ok(),
        };
        let Some((&start, &end)) =
            at.and_then(|i| Some((self.offsets.get(i)?, self.offsets.get(i + 1)?)))
        else {
            return &[];
        };
        self.lists.get(start..end).unwrap_or(&[])
    }

    /// Every feature index of the most detailed source with its neighbours, by increasing index.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> + '_ {
        self.indices
            .iter()
            .zip(self.offsets.windows(2))
            .map(|(&index, w)| (index, self.lists.get(w[0]..w[1]).unwrap_or(&[])))
    }

    /// How many pairs of neighbours there are (each pair counted once).
    pub fn pair_count(&self) -> usize {
        self.lists.len() / 2
    }
}

/// `(a, b)` as one sortable word, `a` first.
fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The two halves of [`pack`].
fn unpack(v: u64) -> (u32, u32) {
    ((v >> 32) as u32, v as u32)
}

/// Every pair of feature slots `(a, b)`, `a < b`, that share at least one arc, packed with
/// [`pack`], sorted and without repeats. An arc walked by more than two features (overlapping
/// input) makes every pair of them neighbours; a feature whose own rings share an arc (two of its
/// polygons side by side) is not its own neighbour.
fn shared_arc_pairs(topology: &Topology) -> Vec<u64> {
    // (arc, slot) for every use of an arc, sorted: each arc's users in a run, by slot.
    let mut uses: Vec<u64> = Vec::new();
    for (slot, polygons) in topology.features.iter().enumerate() {
        let slot = u32::try_from(slot).unwrap_or(u32::MAX);
        uses.extend(
            polygons
                .iter()
                .flatten()
                .flatten()
                .map(|r| pack(r.arc, slot)),
        );
    }
    uses.sort_unstable();
    uses.dedup();
    let mut pairs: Vec<u64> = Vec::with_capacity(uses.len() / 2);
    for users in uses.chunk_by(|x, y| x >> 32 == y >> 32) {
        for (i, &a) in users.iter().enumerate() {
            for &b in &users[i + 1..] {
                pairs.push(pack(a as u32, b as u32));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::build;
    use crate::world::WorldPt;

    fn square(x: u32, y: u32, s: u32) -> Vec<WorldPt> {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s]]
    }

    #[test]
    fn squares_sharing_an_edge_are_neighbours_and_squares_meeting_at_a_corner_are_not() {
        // 0 1
        // 2 3
        let topo = build(&[
            vec![vec![square(0, 0, 10)]],
            vec![vec![square(10, 0, 10)]],
            vec![vec![square(0, 10, 10)]],
            vec![vec![square(10, 10, 10)]],
        ]);
        let n = Neighbours::from_topology(&topo, &[0, 1, 2, 3]);
        assert_eq!(n.of(0), &[1, 2]);
        assert_eq!(n.of(1), &[0, 3]);
        assert_eq!(n.of(2), &[0, 3]);
        assert_eq!(n.of(3), &[1, 2]);
        assert_eq!(n.pair_count(), 4);
    }

    #[test]
    fn an_enclave_neighbours_its_surround() {
        let outer = square(0, 0, 30);
        let hole: Vec<WorldPt> = square(10, 10, 10).into_iter().rev().collect();
        let topo = build(&[vec![vec![outer, hole]], vec![vec![square(10, 10, 10)]]]);
        let n = Neighbours::from_topology(&topo, &[5, 9]);
        assert_eq!(n.of(5), &[9]);
        assert_eq!(n.of(9), &[5]);
    }

    #[test]
    fn lists_are_by_feature_index_not_by_slot() {
        // Slots 0, 1, 2 in a row carry indices 20, 10, 30: the middle one borders both others.
        let topo = build(&[
            vec![vec![square(0, 0, 10)]],
            vec![vec![square(10, 0, 10)]],
            vec![vec![square(20, 0, 10)]],
        ]);
        let n = Neighbours::from_topology(&topo, &[20, 10, 30]);
        assert_eq!(n.of(10), &[20, 30]);
        assert_eq!(n.of(20), &[10]);
        assert_eq!(n.of(30), &[10]);
        assert!(n.of(0).is_empty() && n.of(11).is_empty() && n.of(u32::MAX).is_empty());
        let order: Vec<u32> = n.iter().map(|(i, _)| i).collect();
        assert_eq!(order, [10, 20, 30]);
    }

    #[test]
    fn two_polygons_of_one_feature_sharing_an_edge_do_not_make_it_its_own_neighbour() {
        let topo = build(&[
            vec![vec![square(0, 0, 10)], vec![square(10, 0, 10)]],
            vec![vec![square(20, 0, 10)]],
        ]);
        let n = Neighbours::from_topology(&topo, &[0, 1]);
        assert_eq!(n.of(0), &[1]);
        assert_eq!(n.of(1), &[0]);
    }

    #[test]
    fn overlapping_copies_of_a_border_make_every_user_a_neighbour() {
        // Features 1 and 2 are the same square: all three share the edge x = 10.
        let topo = build(&[
            vec![vec![square(0, 0, 10)]],
            vec![vec![square(10, 0, 10)]],
            vec![vec![square(10, 0, 10)]],
        ]);
        let n = Neighbours::from_topology(&topo, &[0, 1, 2]);
        assert_eq!(n.of(0), &[1, 2]);
        assert_eq!(n.of(1), &[0, 2]);
    }
}
