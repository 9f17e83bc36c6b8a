//! Which areas share a border, by feature index, for the area panel's "neighbours" list.

use std::collections::HashMap;

use cnimap_data::AreaLayer;

/// Neighbours by feature index.
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    neighbours: Vec<Vec<u32>>,
}

impl Adjacency {
    /// Two areas are neighbours when their outlines share at least two vertices (a stretch of
    /// border, not a single touching corner). Coordinates are compared at 1e-6 degrees.
    pub fn build(layer: &AreaLayer) -> Adjacency {
        let mut neighbours = vec![Vec::new(); layer.len()];
        let Some(geometry) = layer.geometry.first() else {
            return Adjacency { neighbours };
        };
        let mut owners: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for (index, mp) in &geometry.features {
            let mut keys: Vec<(i64, i64)> =
                mp.0.iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .flat_map(|ring| ring.0.iter())
                    .map(|c| ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64))
                    .collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                owners.entry(k).or_default().push(*index);
            }
        }
        let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
        for list in owners.values().filter(|l| l.len() > 1) {
            for (i, a) in list.iter().enumerate() {
                for b in &list[i + 1..] {
                    let key = if a < b { (*a, *b) } else { (*b, *a) };
                    *shared.entry(key).or_default() += 1;
                }
            }
        }
        for ((a, b), n) in shared {
            if n >= 2 {
                neighbours[a as usize].push(b);
                neighbours[b as usize].push(a);
            }
        }
        for n in &mut neighbours {
            n.sort_unstable();
        }
        Adjacency { neighbours }
    }

    /// The neighbours of one area.
    pub fn of(&self, index: u32) -> &[u32] {
        self.neighbours
            .get(index as usize)
            .map_or(&[], Vec::as_slice)
    }
}
