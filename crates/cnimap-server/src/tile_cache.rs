//! A byte-bounded, first-in first-out cache of cut tiles, shared by every request.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use cnimap_core::tile::TileCoord;
use cnimap_core::Level;

use crate::http::Encoded;

/// Default cache budget: 256 MiB of compressed tiles.
pub const CACHE_BYTES: usize = 256 << 20;

type Key = (Level, TileCoord);

/// A byte-bounded first-in first-out cache of cut tiles.
pub struct TileCache {
    budget: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<Key, Encoded>,
    order: VecDeque<Key>,
    bytes: usize,
    hits: u64,
    misses: u64,
}

/// What the cache holds and how it has been used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Tiles held.
    pub tiles: usize,
    /// Bytes held (plain and gzip).
    pub bytes: usize,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to cut the tile.
    pub misses: u64,
}

impl TileCache {
    /// A cache holding at most `budget` bytes of tiles.
    pub fn new(budget: usize) -> TileCache {
        TileCache {
            budget,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    /// The tile, if cut before and still held.
    pub fn get(&self, level: Level, coord: TileCoord) -> Option<Encoded> {
        let mut inner = self.inner.lock().ok()?;
        let hit = inner.map.get(&(level, coord)).cloned();
        if hit.is_some() {
            inner.hits += 1;
        } else {
            inner.misses += 1;
        }
        hit
    }

    /// Keeps a tile, evicting the oldest until it fits (a tile larger than the budget is not kept).
    pub fn put(&self, level: Level, coord: TileCoord, tile: Encoded) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let key = (level, coord);
        let size = tile.plain.len() + tile.gzip.len();
        if size > self.budget || inner.map.contains_key(&key) {
            return;
        }
        while inner.bytes + size > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(t) = inner.map.remove(&old) {
                inner.bytes -= t.plain.len() + t.gzip.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key);
        inner.map.insert(key, tile);
    }

    /// What the cache holds.
    pub fn stats(&self) -> CacheStats {
        self.inner.lock().map_or(
            CacheStats {
                tiles: 0,
                bytes: 0,
                hits: 0,
                misses: 0,
            },
            |i| CacheStats {
                tiles: i.map.len(),
                bytes: i.bytes,
                hits: i.hits,
                misses: i.misses,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(n: usize) -> Encoded {
        Encoded {
            plain: vec![0u8; n].into(),
            gzip: bytes::Bytes::new(),
            etag: String::new(),
        }
    }

    fn coord(x: u32) -> TileCoord {
        TileCoord::new(10, x, 0).unwrap_or_else(|| panic!("valid tile"))
    }

    #[test]
    fn the_oldest_tiles_go_first_and_the_budget_holds() {
        let cache = TileCache::new(100);
        cache.put(Level::Lsoa21, coord(1), tile(40));
        cache.put(Level::Lsoa21, coord(2), tile(40));
        cache.put(Level::Lsoa21, coord(3), tile(40));
        assert!(cache.get(Level::Lsoa21, coord(1)).is_none());
        assert!(cache.get(Level::Lsoa21, coord(3)).is_some());
        assert!(cache.get(Level::Lsoa11, coord(3)).is_none());
        cache.put(Level::Lsoa21, coord(4), tile(101));
        let s = cache.stats();
        assert_eq!((s.tiles, s.bytes, s.hits, s.misses), (2, 80, 1, 2));
    }
}
