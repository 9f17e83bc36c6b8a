//! The areas an area sits in: MSOA neighbourhood name, ward, local authority and region, from the
//! ONS lookups of its vintage.

use cnimap_core::api::NamedArea;
use cnimap_core::Level;
use cnimap_data::Atlas;

/// `(neighbourhood name, ward, local authority, region)`.
pub type Parents = (
    Option<String>,
    Option<NamedArea>,
    Option<NamedArea>,
    Option<NamedArea>,
);

/// The parents of an area of `level`.
pub fn parents(atlas: &Atlas, level: Level, code: &str, name: &str) -> Parents {
    let l = &atlas.lookups;
    match level {
        Level::Lsoa21 => {
            let p = l.lsoa21.get(code);
            let region = p.and_then(|p| l.lad24_region.get(&p.lad.code)).cloned();
            (
                l.neighbourhood(name, true).map(str::to_string),
                p.map(|p| p.ward.clone()),
                p.map(|p| p.lad.clone()),
                region,
            )
        }
        Level::Lsoa11 => {
            let p = l.lsoa11.get(code);
            let region = p
                .and_then(|p| {
                    l.lad19_region
                        .get(&p.lad.code)
                        .or_else(|| l.lad24_region.get(&p.lad.code))
                })
                .cloned();
            (
                l.neighbourhood(name, false).map(str::to_string),
                p.map(|p| p.ward.clone()),
                p.map(|p| p.lad.clone()),
                region,
            )
        }
        Level::Ward17 => {
            let lad = l.ward17_lad.get(code).cloned();
            let region = lad
                .as_ref()
                .and_then(|p| {
                    l.lad19_region
                        .get(&p.code)
                        .or_else(|| l.lad24_region.get(&p.code))
                })
                .cloned();
            (None, None, lad, region)
        }
        Level::Lad24 => (None, None, None, l.lad24_region.get(code).cloned()),
        _ => (None, None, None, None),
    }
}
