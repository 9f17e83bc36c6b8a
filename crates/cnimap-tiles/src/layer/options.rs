//! The tuning knobs of preparation and cutting ([`TileOptions`]) and the tile grid they imply per
//! zoom.

/// log2 of [`crate::EXTENT`], the finest grid.
pub(super) const EXTENT_BITS: u32 = 12;

/// Tuning of simplification, coalescing and tile detail. [`Default`] is what the map uses.
///
/// Lengths and areas are in units of the finest grid (1/4096 of a tile, 8 units to the pixel on a
/// 512-pixel tile) whatever the zoom's [`extent`](Self::extent), so each option means the same
/// size on screen at every zoom.
#[derive(Debug, Clone, PartialEq)]
pub struct TileOptions {
    /// Douglas-Peucker tolerance. Arcs are simplified in world coordinates, so this is a distance
    /// on the map; at zooms with a coarser extent it is at least half a unit of that grid.
    pub tolerance: f64,
    /// Islands (polygons that touch no other area) and holes that no other area fills are dropped
    /// when smaller than this. 32 is half a pixel: invisible, and nothing next to them goes
    /// missing. Rings shared with neighbours are only dropped when they collapse to nothing.
    pub min_ring_area: f64,
    /// At zooms up to [`coalesce_max_zoom`](Self::coalesce_max_zoom), areas smaller than this are
    /// merged with neighbours (see the crate docs) until each group reaches it; the group is
    /// drawn with the id, code and name of its largest member.
    pub min_feature_area: f64,
    /// The last zoom that coalesces small areas; from the next zoom on every area is its own
    /// feature. `None` never coalesces.
    pub coalesce_max_zoom: Option<u8>,
    /// Tile extent at zooms up to [`low_zoom_max`](Self::low_zoom_max): a power of two from 256 to
    /// 4096 (other values are rounded down into that range). A coarser grid means shorter
    /// coordinates and fewer points; MapLibre reads the extent from each tile.
    pub low_zoom_extent: u32,
    /// The last zoom cut with [`low_zoom_extent`](Self::low_zoom_extent); deeper zooms use
    /// [`EXTENT`](crate::EXTENT). `None` uses [`EXTENT`](crate::EXTENT) everywhere.
    pub low_zoom_max: Option<u8>,
    /// Tiles at zooms up to this one are cut during
    /// [`PreparedLayer::prepare`](crate::PreparedLayer::prepare) and kept in memory
    /// (there are few of them, and they are the slowest to cut because they hold most features);
    /// deeper tiles are cut on demand. `None` cuts everything on demand.
    pub precut_max_zoom: Option<u8>,
}

impl Default for TileOptions {
    fn default() -> Self {
        Self {
            tolerance: 2.0,
            min_ring_area: 32.0,
            min_feature_area: 320.0,
            coalesce_max_zoom: Some(7),
            low_zoom_extent: 512,
            low_zoom_max: Some(7),
            precut_max_zoom: Some(8),
        }
    }
}

impl TileOptions {
    /// log2 of the tile extent at zoom `z`.
    pub(super) fn extent_bits(&self, z: u8) -> u32 {
        if self.low_zoom_max.is_some_and(|last| z <= last) {
            self.low_zoom_extent.max(1).ilog2().clamp(8, EXTENT_BITS)
        } else {
            EXTENT_BITS
        }
    }

    /// The tile extent (coordinates run from 0 to it) at zoom `z`.
    pub fn extent(&self, z: u8) -> u32 {
        1 << self.extent_bits(z)
    }

    /// Whether zoom `z` coalesces small areas.
    pub(super) fn coalesces(&self, z: u8) -> bool {
        self.coalesce_max_zoom.is_some_and(|last| z <= last)
    }
}
