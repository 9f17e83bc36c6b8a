//! The whole-layer documents by API path: [`api_documents`] is the one list of `(path, body)`
//! pairs the build writer writes (`api/<path>.json` and `.json.gz`) and [`documents_from_paths`]
//! reads back for `serve --build`.

use std::collections::HashMap;

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::change_map::ChangeDocument;
use cnimap_core::Level;

use crate::http::Encoded;
use crate::prepare::Documents;

/// Every whole-layer document with its API path under `/api/` (`indicators`,
/// `values/lsoa21/imd2025`, `layers/lsoa21`, `labels/lsoa21`, ...): the one list the build writer
/// writes (`api/<path>.json` and `.json.gz`) and [`documents_from_paths`] reads back. A new kind
/// of whole-layer document is added here and in [`documents_from_paths`], nowhere else.
pub fn api_documents(documents: &Documents) -> Vec<(String, &Encoded)> {
    let mut out = vec![("indicators".to_string(), &documents.catalogue)];
    for (id, doc) in &documents.values {
        out.push((
            format!("values/{}/{}", id.def().level().id(), id.as_str()),
            doc,
        ));
    }
    for (level, doc) in &documents.layers {
        out.push((format!("layers/{}", level.id()), doc));
    }
    for (level, doc) in &documents.labels {
        out.push((format!("labels/{}", level.id()), doc));
    }
    for (level, doc) in &documents.parents {
        out.push((format!("parents/{}", level.id()), doc));
    }
    for (doc, body) in &documents.change {
        out.push((doc.path(), body));
    }
    if let Some(body) = &documents.lookup_areas {
        out.push(("lookup/areas".to_string(), body));
    }
    if let Some(doc) = &documents.lsoa_shapes {
        out.push(("shapes/lsoa21".to_string(), &doc.encoded));
    }
    if let Some(body) = &documents.lineage {
        out.push(("lineage/lsoa11".to_string(), body));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The documents again from `(API path, body)` pairs as [`api_documents`] names them; `None` for a
/// path this build of cnimap does not know (the caller says which file).
pub fn documents_from_paths(
    docs: impl IntoIterator<Item = (String, Encoded)>,
) -> Result<Documents, String> {
    let mut catalogue = None;
    let (mut values, mut layers, mut labels) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut parents = HashMap::new();
    let mut change = std::collections::BTreeMap::new();
    let mut lookup_areas = None;
    let mut lsoa_shapes = None;
    let mut lineage = None;
    for (path, doc) in docs {
        let parts: Vec<&str> = path.split('/').collect();
        let level =
            |id: &str| Level::from_id(id).ok_or_else(|| format!("{path}: unknown layer {id:?}"));
        match parts.as_slice() {
            ["indicators"] => catalogue = Some(doc),
            ["values", layer, indicator] => {
                let id = IndicatorId::parse(indicator).map_err(|e| format!("{path}: {e}"))?;
                if id.def().level() != level(layer)? {
                    return Err(format!("{path}: {indicator} is not published on {layer}"));
                }
                values.insert(id, doc);
            }
            ["layers", layer] => {
                layers.insert(level(layer)?, doc);
            }
            ["labels", layer] => {
                labels.insert(level(layer)?, doc);
            }
            ["parents", layer] => {
                parents.insert(level(layer)?, doc);
            }
            ["change", layer, which] => {
                let which = ChangeDocument::from_parts(layer, which)
                    .ok_or_else(|| format!("{path}: not a change document this cnimap knows"))?;
                change.insert(which, doc);
            }
            ["lookup", "areas"] => lookup_areas = Some(doc),
            ["shapes", "lsoa21"] => {
                lsoa_shapes = Some(crate::custom_areas::ShapesDoc::from_encoded(doc))
            }
            ["lineage", "lsoa11"] => lineage = Some(doc),
            _ => return Err(format!("{path}: not a document this cnimap knows")),
        }
    }
    Ok(Documents {
        catalogue: catalogue.ok_or_else(|| "indicators: the catalogue is missing".to_string())?,
        values,
        layers,
        labels,
        parents,
        change,
        lookup_areas,
        lsoa_shapes,
        lineage,
    })
}
