//! Cutting one tile from a prepared zoom, per request: query the zoom's R-tree, translate the
//! stored rings to the tile, clip them to the buffered tile square, drop rings clipping left
//! empty, encode. No topology or simplification here.

use rstar::AABB;

use cnimap_core::tile::TileCoord;

use crate::clip::clip_ring;
use crate::mvt::{encode_tile, EncodeFeature};
use crate::ring::{clean_ring, signed_area2};
use crate::valid::make_valid;
use crate::BUFFER;

use super::options::EXTENT_BITS;
use super::prepare::PreparedSource;
use super::zoom::ZoomFeature;

/// Cuts tile `coord` of `source` (which must cover its zoom) as an uncompressed MVT with one layer
/// named `layer`. `None` when no feature touches the tile or the source has no such zoom.
pub(super) fn cut_tile(layer: &str, source: &PreparedSource, coord: TileCoord) -> Option<Vec<u8>> {
    let z = coord.z();
    let zoom = source
        .zooms
        .get(usize::from(z.checked_sub(source.min_zoom)?))?;
    let extent = 1i64 << zoom.extent_bits;
    let buffer = i64::from(BUFFER) >> (EXTENT_BITS - zoom.extent_bits);
    let origin = (i64::from(coord.x()) * extent, i64::from(coord.y()) * extent);
    let (lo, hi) = (-buffer, extent + buffer);
    let envelope = AABB::from_corners(
        [origin.0 + lo, origin.1 + lo],
        [origin.0 + hi, origin.1 + hi],
    );
    let mut slots: Vec<u32> = zoom
        .tree
        .locate_in_envelope_intersecting(&envelope)
        .map(|g| g.data)
        .collect();
    slots.sort_unstable();

    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    for slot in slots {
        let (Some(meta), Some(zf)) = (
            source.meta.get(slot as usize),
            zoom.features.get(slot as usize),
        ) else {
            continue;
        };
        let rings = clip_feature(zf, origin, (lo, hi), &mut scratch);
        if !rings.is_empty() {
            out.push(EncodeFeature {
                id: u64::from(meta.index),
                code: &meta.code,
                name: &meta.name,
                rings,
            });
        }
    }
    encode_tile(layer, 1 << zoom.extent_bits, &out)
}

/// Buffers reused from ring to ring.
#[derive(Default)]
struct Scratch {
    local: Vec<[i64; 2]>,
    clipped: Vec<[i64; 2]>,
}

/// A feature's rings moved to the tile whose top-left corner is `origin` (on the zoom's global
/// grid) and clipped to `lo..hi` on both axes: each exterior followed by its holes, exteriors
/// clockwise on screen, holes anticlockwise. A feature wholly inside the window is only moved
/// (it is valid as prepared). Clipping a concave ring can leave zero-width bridges along the
/// window's edge and rounding the crossings can make a ring touch itself, so a feature that was
/// cut is rebuilt valid ([`make_valid`]).
fn clip_feature(
    zf: &ZoomFeature,
    origin: (i64, i64),
    (lo, hi): (i64, i64),
    scratch: &mut Scratch,
) -> Vec<Vec<[i64; 2]>> {
    let Scratch { local, clipped } = scratch;
    let [x0, y0, x1, y1] = zf.bbox;
    let inside =
        x0 - origin.0 >= lo && y0 - origin.1 >= lo && x1 - origin.0 <= hi && y1 - origin.1 <= hi;
    let mut rings = Vec::new();
    for polygon in &zf.polygons {
        for (r, ring) in polygon.iter().enumerate() {
            local.clear();
            local.extend(
                ring.iter()
                    .map(|p| [i64::from(p[0]) - origin.0, i64::from(p[1]) - origin.1]),
            );
            if inside {
                rings.push(local.clone());
                continue;
            }
            clip_ring(local, lo, hi, clipped);
            clean_ring(clipped);
            let area2 = signed_area2(clipped);
            if area2 == 0.0 {
                if r == 0 {
                    break; // exterior gone: its holes go with it
                }
                continue;
            }
            let exterior = r == 0;
            if (area2 > 0.0) != exterior {
                clipped.reverse();
            }
            rings.push(std::mem::take(clipped));
        }
    }
    if inside || rings.is_empty() {
        return rings;
    }
    let mut polygons = Vec::new();
    make_valid(&rings, &mut polygons);
    polygons.into_iter().flatten().collect()
}
