//! The change view's whole documents ([`ChangeDocument`]), made once from the atlas at start-up
//! (and so written into a prepared build by `cnimap prepare`): the IMD 2019 -> 2025 change layer
//! by feature index, the 225 left-behind wards of 2019 in 2023, and their outlines as GeoJSON.
//! [`change_layer`] and [`wards_response`] are also what `GET /api/change` and `cnimap change`
//! send.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use cnimap_core::change::{
    ChangeLayer, ChangeResponse, LeftBehindWard, CHANGE_METHOD, LEFT_BEHIND_WARDS_METHOD,
    RELATIVE_CAVEAT,
};
use cnimap_core::change_map::{ChangeDocument, ChangeMapDocument};
use cnimap_core::reweight::CompositeIndex;
use cnimap_data::boundary::geojson::BoundaryFeature;
use cnimap_data::domain_ranks::{self, IndexInputs};
use cnimap_data::lineage::{self, ImdChange, WardList};
use cnimap_data::lookups::Lookups;
use cnimap_data::Atlas;

use crate::http::{EncodeError, Encoded};

/// The change map's document: arrays in `imd25`'s order (the layer's feature index when read
/// from the atlas), with each domain's decile shift.
pub fn change_map_document(change: &ImdChange) -> ChangeMapDocument {
    let layer = change_layer(change);
    let mut rows: Vec<_> = change.rows.iter().collect();
    rows.sort_by_key(|r| r.at);
    let domain_shifts = (0..layer.domains.len())
        .map(|d| {
            rows.iter()
                .map(|r| r.domain_shifts.get(d).copied().flatten())
                .collect()
        })
        .collect();
    ChangeMapDocument {
        layer,
        domain_shifts,
    }
}

/// The change layer: arrays in `imd25`'s order (the layer's feature index when read from the
/// atlas).
pub fn change_layer(change: &ImdChange) -> ChangeLayer {
    let mut rows: Vec<_> = change.rows.iter().collect();
    rows.sort_by_key(|r| r.at);
    let domains = CompositeIndex::Imd2025.domains();
    ChangeLayer {
        method: CHANGE_METHOD.to_string(),
        caveat: RELATIVE_CAVEAT.to_string(),
        shift: rows.iter().map(|r| r.shift).collect(),
        decile_2019: rows.iter().map(|r| r.carried.decile()).collect(),
        decile_2025: rows.iter().map(|r| r.decile_2025).collect(),
        change: rows.iter().map(|r| r.change).collect(),
        driver: rows
            .iter()
            .map(|r| r.driver.and_then(|d| u8::try_from(d).ok()))
            .collect(),
        domains: domains.iter().map(|d| d.key.to_string()).collect(),
        counts: change.shifts.clone(),
    }
}

/// The left-behind wards as the API sends them, in code order.
pub fn wards_response(
    wards: &WardList<'_>,
    lookups: &Lookups,
    cni23: &IndexInputs,
    imd25: &IndexInputs,
) -> ChangeResponse {
    let flags = lineage::left_behind_lsoa21(cni23, imd25);
    let mut rows: Vec<LeftBehindWard> =
        lineage::left_behind_wards(wards, lookups, &imd25.codes, &flags)
            .into_iter()
            .map(|w| LeftBehindWard {
                still_left_behind: w.holding.still_left_behind(),
                code: w.code,
                name: w.name,
                lad: w.lad,
                holding: w.holding,
                left_behind_lsoa21: w.left_behind_lsoas,
            })
            .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    ChangeResponse::LeftBehindWards {
        method: LEFT_BEHIND_WARDS_METHOD.to_string(),
        wards_2019: rows.len(),
        still_left_behind: rows.iter().filter(|w| w.still_left_behind).count(),
        wards: rows,
    }
}

/// The 225 wards' outlines as GeoJSON (coordinates to 5 decimal places, about a metre), each with
/// what it holds in 2023 from `wards` (a ward missing from the list has `still` null).
pub fn ward_outlines(outlines: &[BoundaryFeature], wards: &[LeftBehindWard]) -> serde_json::Value {
    let by_code: HashMap<&str, &LeftBehindWard> =
        wards.iter().map(|w| (w.code.as_str(), w)).collect();
    let round = |v: f64| (v * 1e5).round() / 1e5;
    let mut sorted: Vec<&BoundaryFeature> = outlines.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let features: Vec<serde_json::Value> = sorted
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let polygons: Vec<Vec<Vec<[f64; 2]>>> = f
                .geometry_wgs84
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|ring| ring.0.iter().map(|c| [round(c.x), round(c.y)]).collect())
                        .collect()
                })
                .collect();
            let w = by_code.get(f.code.as_str());
            json!({
                "type": "Feature",
                "id": i,
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                "properties": {
                    "code": f.code,
                    "name": w.map_or(f.name.as_str(), |w| w.name.as_str()),
                    "lad": w.map(|w| w.lad.as_str()),
                    "still": w.map(|w| w.still_left_behind),
                    "left_behind": w.map(|w| w.holding.left_behind),
                    "lsoas": w.map(|w| w.holding.lsoas),
                },
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// Every change document the atlas holds the data for; a document whose inputs are not loaded
/// (a data directory without IMD 2019, say) is left out and said in the log.
pub fn encode(atlas: &Atlas) -> Result<BTreeMap<ChangeDocument, Encoded>, EncodeError> {
    let mut out = BTreeMap::new();
    let inputs = |index: CompositeIndex| match domain_ranks::from_atlas(atlas, index) {
        Some(Ok(i)) => Some(i),
        Some(Err(e)) => {
            tracing::warn!(%index, error = %e, "no change documents from this index");
            None
        }
        None => {
            tracing::info!(%index, "not loaded: no change documents from it");
            None
        }
    };
    let Some(imd25) = inputs(CompositeIndex::Imd2025) else {
        return Ok(out);
    };
    if let Some(imd19) = inputs(CompositeIndex::Imd2019) {
        let change = lineage::imd_change(&imd19, &imd25, &atlas.lookups.lsoa11_21);
        out.insert(
            ChangeDocument::ImdLayer,
            Encoded::json(&change_map_document(&change))?,
        );
    }
    let wards = WardList::from_atlas(atlas);
    if let (Some(cni23), Some(wards)) = (inputs(CompositeIndex::Cni2023), wards) {
        let resp = wards_response(&wards, &atlas.lookups, &cni23, &imd25);
        if let ChangeResponse::LeftBehindWards { wards, .. } = &resp {
            if !atlas.left_behind_outlines.is_empty() {
                out.insert(
                    ChangeDocument::WardOutlines,
                    Encoded::json(&ward_outlines(&atlas.left_behind_outlines, wards))?,
                );
            }
        }
        out.insert(ChangeDocument::LeftBehindWards, Encoded::json(&resp)?);
    }
    Ok(out)
}
