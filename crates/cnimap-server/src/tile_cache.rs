//! A byte-bounded, first-in first-out cache of cut tiles, shared by every request.
//!
//! The cache is read far more often than written (once warm, every tile request is a hit), so the
//! read path takes only a shared lock on one of [`SHARDS`] shards, picked by the tile's key, and
//! counts hits and misses with relaxed atomics; it hands out an [`Arc`] of the entry, whose
//! response headers were built once when the tile was kept. Writes (a tile cut on a miss) take the
//! one lock on the insertion order, then the shard's write lock.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::http::HeaderValue;
use cnimap_core::tile::TileCoord;
use cnimap_core::Level;

use crate::http::Encoded;

/// Default cache budget: 256 MiB of compressed tiles.
pub const CACHE_BYTES: usize = 256 << 20;

/// Shards of the map (a power of two).
pub const SHARDS: usize = 16;

/// A tile as the cache keeps it: its bodies and its ETag as a ready header value.
#[derive(Debug)]
pub struct CachedTile {
    /// Plain and gzip bodies and the ETag.
    pub encoded: Encoded,
    /// `encoded.etag` as a header value (`None` only if the ETag were not a valid header value,
    /// which [`Encoded`]'s hex ETags always are).
    pub etag: Option<HeaderValue>,
}

impl CachedTile {
    /// Wraps a tile, building its ETag header once.
    pub fn new(encoded: Encoded) -> CachedTile {
        let etag = HeaderValue::from_str(&encoded.etag).ok();
        CachedTile { encoded, etag }
    }

    fn size(&self) -> usize {
        self.encoded.plain.len() + self.encoded.gzip.len()
    }
}

/// The layer and tile packed into one number: layer (8 bits), zoom (8), x (24), y (24). Zooms
/// up to 24 fit; [`TileCoord`] stops at 22.
fn key(level: Level, coord: TileCoord) -> u64 {
    let layer = Level::ALL.iter().position(|l| *l == level).unwrap_or(0xff) as u64;
    (layer << 56)
        | (u64::from(coord.z()) << 48)
        | (u64::from(coord.x()) << 24)
        | u64::from(coord.y())
}

/// A hasher for keys that are already well spread integers: one multiply (Fibonacci hashing).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Shard = HashMap<u64, Arc<CachedTile>, BuildHasherDefault<KeyHasher>>;

/// A byte-bounded first-in first-out cache of cut tiles.
pub struct TileCache {
    budget: usize,
    shards: [RwLock<Shard>; SHARDS],
    /// Insertion order and bytes held: taken only to keep a tile.
    order: Mutex<Order>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct Order {
    keys: VecDeque<(u64, usize)>,
    bytes: usize,
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
            shards: std::array::from_fn(|_| RwLock::new(Shard::default())),
            order: Mutex::new(Order::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn shard(&self, key: u64) -> &RwLock<Shard> {
        // The low bits of y and x: neighbouring tiles land in different shards.
        let i = ((key ^ (key >> 24)) as usize) & (SHARDS - 1);
        &self.shards[i]
    }

    /// The tile, if cut before and still held.
    pub fn get(&self, level: Level, coord: TileCoord) -> Option<Arc<CachedTile>> {
        let k = key(level, coord);
        let hit = self.shard(k).read().ok()?.get(&k).cloned();
        let counter = if hit.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        hit
    }

    /// `answer` of the tile, if cut before and still held, made under the shard's shared lock
    /// (no reference count is touched: the entry's counter is a cache line of its own that a busy
    /// server would otherwise miss on every request). Counts a hit; a miss is not counted, as the
    /// [`TileCache::get`] that follows a miss counts it.
    pub fn with_held<T>(
        &self,
        level: Level,
        coord: TileCoord,
        answer: impl FnOnce(&CachedTile) -> T,
    ) -> Option<T> {
        let k = key(level, coord);
        let shard = self.shard(k).read().ok()?;
        let tile = shard.get(&k)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(answer(tile))
    }

    /// Keeps a tile, evicting the oldest until it fits (a tile larger than the budget is not
    /// kept), and returns it as held (the entry already there when another request cut the same
    /// tile first).
    pub fn put(&self, level: Level, coord: TileCoord, tile: Encoded) -> Arc<CachedTile> {
        let tile = Arc::new(CachedTile::new(tile));
        let k = key(level, coord);
        let size = tile.size();
        if size > self.budget {
            return tile;
        }
        let Ok(mut order) = self.order.lock() else {
            return tile;
        };
        if let Some(held) = self.shard(k).read().ok().and_then(|s| s.get(&k).cloned()) {
            return held;
        }
        while order.bytes + size > self.budget {
            let Some((old, old_size)) = order.keys.pop_front() else {
                break;
            };
            if let Ok(mut shard) = self.shard(old).write() {
                shard.remove(&old);
            }
            order.bytes -= old_size;
        }
        let Ok(mut shard) = self.shard(k).write() else {
            return tile;
        };
        shard.insert(k, Arc::clone(&tile));
        order.bytes += size;
        order.keys.push_back((k, size));
        tile
    }

    /// What the cache holds.
    pub fn stats(&self) -> CacheStats {
        let (tiles, bytes) = self
            .order
            .lock()
            .map_or((0, 0), |o| (o.keys.len(), o.bytes));
        CacheStats {
            tiles,
            bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(n: usize) -> Encoded {
        Encoded {
            plain: vec![0u8; n].into(),
            gzip: bytes::Bytes::new(),
            etag: format!("\"{n:016x}\""),
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

    #[test]
    fn a_tile_kept_twice_is_held_once_and_the_first_copy_wins() {
        let cache = TileCache::new(1000);
        let first = cache.put(Level::Lsoa21, coord(7), tile(10));
        let mut again = tile(10);
        again.etag = "\"other\"".into();
        let second = cache.put(Level::Lsoa21, coord(7), again);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(cache.stats().bytes, 10);
        let held = cache.get(Level::Lsoa21, coord(7)).expect("held");
        assert_eq!(
            held.etag.as_ref().map(HeaderValue::as_bytes),
            Some(&b"\"000000000000000a\""[..])
        );
    }

    #[test]
    fn a_borrowed_lookup_counts_hits_only() {
        let cache = TileCache::new(1000);
        cache.put(Level::Lsoa21, coord(1), tile(10));
        let len = cache.with_held(Level::Lsoa21, coord(1), |t| t.encoded.plain.len());
        assert_eq!(len, Some(10));
        assert_eq!(cache.with_held(Level::Lsoa21, coord(2), |_| ()), None);
        let s = cache.stats();
        assert_eq!((s.hits, s.misses), (1, 0));
    }

    #[test]
    fn different_layers_zooms_and_rows_do_not_share_a_key() {
        let a = TileCoord::new(14, 100, 200).expect("tile");
        let b = TileCoord::new(14, 200, 100).expect("tile");
        let c = TileCoord::new(13, 100, 200).expect("tile");
        let keys = [
            key(Level::Lsoa21, a),
            key(Level::Lsoa21, b),
            key(Level::Lsoa21, c),
            key(Level::Lsoa11, a),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(keys.iter().filter(|o| *o == k).count(), 1, "key {i}");
        }
        let far = TileCoord::new(22, (1 << 22) - 1, (1 << 22) - 1).expect("tile");
        assert_ne!(key(Level::Lsoa21, far), key(Level::Lsoa11, far));
    }
}
