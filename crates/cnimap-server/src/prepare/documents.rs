//! The whole-layer JSON documents (catalogue, values, codes and names, label points), encoded and
//! compressed once, held in typed maps: a request looks one up by layer or indicator, never by a
//! URL string.

use std::collections::HashMap;

use geo::{Area, InteriorPoint};

use cnimap_core::api::{
    IndicatorMeta, IndicatorsResponse, LayerAreasResponse, LayerMeta, NamedArea, ValuesResponse,
};
use cnimap_core::catalogue::{IndicatorId, Source, BOUNDARY_ATTRIBUTION};
use cnimap_core::classify::decile_method;
use cnimap_core::Level;
use cnimap_data::{AreaLayer, Atlas};

use crate::http::{EncodeError, Encoded};

/// Layers with label points (the browser shows LSOA names only when zoomed in close).
pub const LABELLED: [Level; 5] = [
    Level::Region,
    Level::Lad24,
    Level::Ward17,
    Level::Lsoa21,
    Level::Lsoa11,
];

/// Every pre-encoded document, by what it is about.
#[derive(Debug)]
pub struct Documents {
    /// `/api/indicators`.
    pub catalogue: Encoded,
    /// `/api/values/{layer}/{indicator}` (each indicator has one layer).
    pub values: HashMap<IndicatorId, Encoded>,
    /// `/api/layers/{layer}`.
    pub layers: HashMap<Level, Encoded>,
    /// `/api/labels/{layer}`.
    pub labels: HashMap<Level, Encoded>,
    /// `/api/change/{layer}/{which}`: the change view's documents ([`super::change_docs`]).
    pub change: std::collections::BTreeMap<cnimap_core::change_map::ChangeDocument, Encoded>,
    /// `/api/parents/{layer}`: the table levels' parent areas (the browser's table frames).
    pub parents: HashMap<Level, Encoded>,
    /// `/api/lookup/areas`: every LSOA 2021's facts for a postcode lookup in the browser
    /// ([`cnimap_core::bulk::LookupAreasDocument`]); `None` when the data has no LSOA 2021 layer,
    /// IMD 2025 or CNI 2023.
    pub lookup_areas: Option<Encoded>,
    /// `/api/shapes/lsoa21`: every LSOA 2021 outline for custom areas
    /// ([`cnimap_geometry::shapes`]); `None` without LSOA 2021 boundaries.
    pub lsoa_shapes: Option<crate::custom_areas::ShapesDoc>,
    /// `/api/lineage/lsoa11`: each LSOA 2011's population and the LSOA 2011 -> 2021 lookup
    /// ([`cnimap_core::lineage::LineageDocument`], [`super::lineage`]); `None` without both LSOA
    /// layers.
    pub lineage: Option<Encoded>,
}

/// Every source's attribution and the boundaries'.
pub fn attribution() -> Vec<String> {
    let mut v: Vec<String> = Source::ALL
        .iter()
        .map(|s| s.attribution().to_string())
        .collect();
    v.push(BOUNDARY_ATTRIBUTION.to_string());
    v.push("Postcodes and place names: ONS Postcode Directory 2017 and ONS/House of Commons Library names, Open Government Licence v3.0.".to_string());
    v.push(format!("{}.", cnimap_search::TOWNS_ATTRIBUTION));
    v
}

/// The catalogue: every loaded indicator with its words, and the served layers.
pub fn catalogue(atlas: &Atlas, tiled: &[Level]) -> IndicatorsResponse {
    let indicators = atlas
        .indicators
        .iter()
        .map(|v| {
            let d = v.def;
            IndicatorMeta {
                id: d.id.to_string(),
                title: d.title.to_string(),
                description: d.description.to_string(),
                source: serde_json::to_value(d.source)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default(),
                source_title: d.source.title().to_string(),
                year: d.year(),
                layer: d.level(),
                rank_phrase: d.direction().rank_phrase().to_string(),
                decile_one: d.direction().decile_one_phrase(d.level().areas_noun()),
                parent: d.parent.map(str::to_string),
                has_score: d.has_score,
                decile_published: d.decile_published,
                decile_method: decile_method(d, Some(v.n_ranked)),
                n_ranked: v.n_ranked,
                attribution: d.source.attribution().to_string(),
                score_meaning: d.score_meaning().map(str::to_string),
                measures: cnimap_core::summary::measures_meta(d),
            }
        })
        .collect();
    let layers = tiled
        .iter()
        .filter_map(|l| atlas.layer(*l))
        .map(|l| LayerMeta {
            id: l.level,
            title: l.title.clone(),
            features: l.len() as u32,
            tilejson: format!("/tiles/{}.json", l.level.id()),
        })
        .collect();
    IndicatorsResponse {
        indicators,
        layers,
        attribution: attribution(),
    }
}

/// Encodes every whole-layer document once.
pub fn encode(atlas: &Atlas, tiled: &[Level]) -> Result<Documents, EncodeError> {
    let catalogue = Encoded::json(&catalogue(atlas, tiled))?;
    let mut values = HashMap::new();
    for v in &atlas.indicators {
        let Ok(id) = IndicatorId::parse(v.def.id) else {
            continue;
        };
        let doc = ValuesResponse {
            layer: v.def.level(),
            indicator: v.def.id.to_string(),
            n_ranked: v.n_ranked,
            decile: v.decile.clone(),
            rank: v.rank.clone(),
            score: v.score.clone(),
            decile_counts: v.decile_counts,
        };
        values.insert(id, Encoded::json(&doc)?);
    }
    let (mut layers, mut labels) = (HashMap::new(), HashMap::new());
    for layer in atlas.layers.values() {
        let (lads, lad) = current_councils(atlas, layer);
        let doc = LayerAreasResponse {
            layer: layer.level,
            codes: layer.codes.clone(),
            names: layer.names.clone(),
            lads,
            lad,
        };
        layers.insert(layer.level, Encoded::json(&doc)?);
        if LABELLED.contains(&layer.level) {
            labels.insert(layer.level, Encoded::json(&label_points(layer))?);
        }
    }
    let mut parents = HashMap::new();
    for level in cnimap_core::table::TABLE_LEVELS {
        if let Some(doc) = cnimap_data::frames::parents_document(atlas, level) {
            parents.insert(level, Encoded::json(&doc)?);
        }
    }
    Ok(Documents {
        catalogue,
        values,
        layers,
        labels,
        parents,
        change: super::change_docs::encode(atlas)?,
        lookup_areas: crate::lookup::table_from_atlas(atlas, Default::default())
            .ok()
            .map(|t| Encoded::json(&t.to_document()))
            .transpose()?,
        lsoa_shapes: cnimap_data::custom_areas::lsoa_shapes_document(atlas)
            .map(|d| crate::custom_areas::ShapesDoc::new(&d))
            .transpose()?,
        lineage: super::lineage::document(atlas)
            .map(|d| Encoded::json(&d))
            .transpose()?,
    })
}

/// The 2024 council of each LSOA 2021 (ONS LSOA 2021 -> LAD 2024 lookup), as a list of councils
/// and an index into it by feature index; empty for other layers.
fn current_councils(atlas: &Atlas, layer: &AreaLayer) -> (Vec<NamedArea>, Vec<Option<u32>>) {
    if layer.level != Level::Lsoa21 {
        return (Vec::new(), Vec::new());
    }
    let mut lads: Vec<NamedArea> = Vec::new();
    let mut position: HashMap<String, u32> = HashMap::new();
    let lad = layer
        .codes
        .iter()
        .map(|code| {
            let parent = &atlas.lookups.lsoa21.get(code)?.lad;
            let next = lads.len() as u32;
            let i = *position.entry(parent.code.clone()).or_insert_with(|| {
                lads.push(parent.clone());
                next
            });
            Some(i)
        })
        .collect();
    (lads, lad)
}

/// Label points (an interior point of each area's largest part) as GeoJSON, by feature index.
fn label_points(layer: &AreaLayer) -> serde_json::Value {
    let mut features = Vec::new();
    // The lightest outlines are plenty to place a label.
    if let Some(g) = layer.geometry.first() {
        for (i, mp) in &g.features {
            let largest =
                mp.0.iter()
                    .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()));
            let Some(p) = largest.and_then(|p| p.interior_point()) else {
                continue;
            };
            features.push(serde_json::json!({
                "type": "Feature",
                "id": i,
                "geometry": {"type": "Point", "coordinates": [round6(p.x()), round6(p.y())]},
                "properties": {"code": layer.codes[*i as usize], "name": layer.names[*i as usize]},
            }));
        }
    }
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
