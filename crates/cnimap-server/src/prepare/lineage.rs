//! The LSOA 2011 layer's lineage document ([`LineageDocument`], `/api/lineage/lsoa11`) from the
//! atlas: each LSOA 2011's mid-2015 population (File 6) and the ONS LSOA 2011 -> 2021 lookup rows
//! between areas on the map, by feature index. A server opened from a build summarises IMD 2019
//! for councils and regions and makes the IMD 2019 -> 2025 rows from it; the browser summarises
//! with it.

use std::collections::HashMap;

use cnimap_core::change::ChangeCode;
use cnimap_core::lineage::{LineageDocument, LineageLookup, POPULATION_SOURCE};
use cnimap_core::Level;
use cnimap_data::lookups::Change;
use cnimap_data::Atlas;

/// The ONS letter's code of a lookup row.
pub fn code_of(change: Change) -> ChangeCode {
    match change {
        Change::Unchanged => ChangeCode::Unchanged,
        Change::Split => ChangeCode::Split,
        Change::Merged => ChangeCode::Merged,
        Change::Irregular => ChangeCode::Irregular,
    }
}

/// The lookup's change of a code read back from the document.
pub fn change_of(code: ChangeCode) -> Change {
    match code {
        ChangeCode::Unchanged => Change::Unchanged,
        ChangeCode::Split => Change::Split,
        ChangeCode::Merged => Change::Merged,
        ChangeCode::Irregular => Change::Irregular,
    }
}

/// The document, or `None` without both LSOA layers.
pub fn document(atlas: &Atlas) -> Option<LineageDocument> {
    let lsoa11 = atlas.layer(Level::Lsoa11)?;
    let lsoa21 = atlas.layer(Level::Lsoa21)?;
    let population_2011 = &atlas.iod2019_official.population;
    let population = if population_2011.is_empty() {
        Vec::new()
    } else {
        lsoa11
            .codes
            .iter()
            .map(|c| population_2011.get(c).copied())
            .collect()
    };
    let index = |codes: &[String]| -> HashMap<String, u32> {
        (0u32..).zip(codes).map(|(i, c)| (c.clone(), i)).collect()
    };
    let (at11, at21) = (index(&lsoa11.codes), index(&lsoa21.codes));
    let mut lookup = LineageLookup::default();
    for (c11, change, c21) in &atlas.lookups.lsoa11_21 {
        if let (Some(&a), Some(&b)) = (at11.get(c11), at21.get(c21)) {
            lookup.lsoa11.push(a);
            lookup.lsoa21.push(b);
            lookup.change.push_str(code_of(*change).letter());
        }
    }
    Some(LineageDocument {
        layer: Level::Lsoa11,
        population_source: POPULATION_SOURCE.to_string(),
        population,
        lookup,
    })
}
