//! Users' own boundary files and the LSOAs each area covers: the code moved to
//! [`cnimap_geometry`] so the browser (wasm) runs the same; re-exported here for the native
//! callers, with the one function that makes the LSOA 2021 shapes document from the atlas.

pub use cnimap_geometry::user_boundaries::*;

use cnimap_core::Level;
use cnimap_geometry::shapes::{self, ShapesDocument};

use crate::Atlas;

/// The LSOA 2021 shapes document ([`cnimap_geometry::shapes`]) from the most detailed outlines
/// the atlas holds (the ones drawn at the highest zooms, BGC); `None` without LSOA 2021
/// boundaries (or after the geometry was dropped). `cnimap prepare`, `cnimap serve` and
/// `cnimap areas` all measure custom areas on this document, decoded, as the browser does.
pub fn lsoa_shapes_document(atlas: &Atlas) -> Option<ShapesDocument> {
    let layer = atlas.layer(Level::Lsoa21)?;
    let outlines = layer.geometry.iter().max_by_key(|g| g.zooms.max)?;
    if outlines.features.is_empty() {
        return None;
    }
    Some(shapes::encode(
        Level::Lsoa21.id(),
        layer.len(),
        &outlines.features,
    ))
}
