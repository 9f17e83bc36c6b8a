//! What a server opened from a build computes from the build's documents, as the browser does on a
//! static site: the table's frames (`api/layers`, `api/parents`, `api/values`, and for the IoD
//! 2019 summaries `api/lineage/lsoa11`'s populations), the bulk lookup's table (`api/lookup/areas`,
//! [`AreaTable::from_document`]), each combined index's domain ranks (`api/values`), the
//! LSOA 2011 -> 2021 lookup the IMD 2019 -> 2025 rows are made with (`api/lineage/lsoa11`) and the
//! left-behind wards' comparison (`api/change/ward17/left-behind`). Each is decoded on first use
//! and kept ([`crate::state::Derived`]), so start-up reads nothing more.
//!
//! Summary levels (ward 2024, council, region) are summarised with core's `summary_frame`, as the
//! browser does.

use std::collections::HashMap;

use cnimap_core::api::{IndicatorsResponse, LayerAreasResponse, ValuesResponse};
use cnimap_core::bulk::{AreaTable, LookupAreasDocument};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::change::ChangeResponse;
use cnimap_core::change_map::ChangeDocument;
use cnimap_core::lineage::LineageDocument;
use cnimap_core::reweight::CompositeIndex;
use cnimap_core::summary::summary_levels;
use cnimap_core::table::{
    published_frame, summary_frame as core_summary_frame, with_lsoa11_summaries, FrameIndicator,
    TableFrame, TableParents,
};
use cnimap_core::Level;
use cnimap_data::domain_ranks::{from_layer, IndexInputs};
use cnimap_data::lookups::Change;

use crate::http::Encoded;
use crate::prepare::lineage::change_of;
use crate::prepare::Documents;

/// Why a build's documents do not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The build has no such document.
    #[error("api/{path}.json is not in the build")]
    Missing {
        /// The document's API path.
        path: String,
    },
    /// A document does not parse as what it should be.
    #[error("api/{path}.json does not read as its kind of document")]
    Malformed {
        /// The document's API path.
        path: String,
        /// The parser's reason.
        #[source]
        source: serde_json::Error,
    },
    /// Documents that should agree do not.
    #[error("api/{path}.json: {problem}")]
    Inconsistent {
        /// The document's API path.
        path: String,
        /// What disagrees.
        problem: String,
    },
}

fn decode<T: serde::de::DeserializeOwned>(
    doc: Option<&Encoded>,
    path: &str,
) -> Result<T, AnswerError> {
    let doc = doc.ok_or_else(|| AnswerError::Missing { path: path.into() })?;
    serde_json::from_slice(&doc.plain).map_err(|source| AnswerError::Malformed {
        path: path.into(),
        source,
    })
}

fn layer_areas(documents: &Documents, level: Level) -> Result<LayerAreasResponse, AnswerError> {
    decode(
        documents.layers.get(&level),
        &format!("layers/{}", level.id()),
    )
}

fn values(documents: &Documents, id: IndicatorId) -> Result<ValuesResponse, AnswerError> {
    decode(
        documents.values.get(&id),
        &format!("values/{}/{}", id.def().level().id(), id.as_str()),
    )
}

/// Checks that `found` entries match the `n` areas of the layer.
fn same_length(path: &str, what: &str, found: usize, n: usize) -> Result<(), AnswerError> {
    if found == n {
        Ok(())
    } else {
        Err(AnswerError::Inconsistent {
            path: path.into(),
            problem: format!("{found} {what} for the layer's {n} areas"),
        })
    }
}

/// The table frame of a published level (LSOA 2021, LSOA 2011, ward 2017) from its documents
/// with core's [`published_frame`] (as the browser makes it): codes and names, parents, and every
/// indicator of the level in the catalogue's order (the order the data path's frame has them);
/// `Ok(None)` for a level without one.
pub fn table_frame(documents: &Documents, level: Level) -> Result<Option<TableFrame>, AnswerError> {
    let catalogue: IndicatorsResponse = decode(Some(&documents.catalogue), "indicators")?;
    let ids = ids_at(&catalogue, level);
    if ids.is_empty() {
        return summary_frame(documents, &catalogue, level);
    }
    if !documents.parents.contains_key(&level) {
        return Ok(None);
    }
    let areas = layer_areas(documents, level)?;
    let parents_path = format!("parents/{}", level.id());
    let parents: TableParents = decode(documents.parents.get(&level), &parents_path)?;
    let values = ids
        .into_iter()
        .map(|id| values(documents, id))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&ValuesResponse> = values.iter().collect();
    let frame =
        published_frame(&areas, &parents, &refs).map_err(|e| AnswerError::Inconsistent {
            path: format!("layers/{}", level.id()),
            problem: e.to_string(),
        })?;
    lsoa11_summaries(documents, &catalogue, frame).map(Some)
}

/// A published level's frame with the IoD 2019 summaries core's [`with_lsoa11_summaries`] makes
/// there (December 2017 wards, by the best-fit lookup in `api/parents/lsoa11`, weighted by
/// `api/lineage/lsoa11`'s populations), as the data path's frame has them; the frame as it is for
/// other levels, and from a build written before `parents/lsoa11` had a ward 2017 column.
fn lsoa11_summaries(
    documents: &Documents,
    catalogue: &IndicatorsResponse,
    frame: TableFrame,
) -> Result<TableFrame, AnswerError> {
    let ids11 = ids_at(catalogue, Level::Lsoa11);
    if !summary_levels(Level::Lsoa11).contains(&frame.level) || ids11.is_empty() {
        return Ok(frame);
    }
    let (Some(doc), Some(_)) = (
        documents.parents.get(&Level::Lsoa11),
        documents.lineage.as_ref(),
    ) else {
        return Ok(frame);
    };
    let p: TableParents = decode(Some(doc), "parents/lsoa11")?;
    if !p.parents.iter().any(|c| c.level == frame.level) {
        return Ok(frame);
    }
    let l = lineage(documents)?;
    let all = published(documents, Level::Lsoa11, ids11, &p)?;
    let refs: Vec<&FrameIndicator> = all.iter().collect();
    with_lsoa11_summaries(frame, &p, Some(l.population.as_slice()), &refs).map_err(|e| {
        AnswerError::Inconsistent {
            path: "parents/lsoa11".into(),
            problem: e.to_string(),
        }
    })
}

/// The indicators published on `level`, in the catalogue's order.
fn ids_at(catalogue: &IndicatorsResponse, level: Level) -> Vec<IndicatorId> {
    catalogue
        .indicators
        .iter()
        .filter(|i| i.layer == level)
        .filter_map(|i| IndicatorId::parse(&i.id).ok())
        .collect()
}

/// The LSOA 2011 lineage document (`api/lineage/lsoa11`).
fn lineage(documents: &Documents) -> Result<LineageDocument, AnswerError> {
    decode(documents.lineage.as_ref(), "lineage/lsoa11")
}

/// The published values of `ids` (on `level`) as frame indicators, each checked to have one
/// entry per area of `parents`.
fn published(
    documents: &Documents,
    level: Level,
    ids: Vec<IndicatorId>,
    parents: &TableParents,
) -> Result<Vec<FrameIndicator>, AnswerError> {
    let n = parents.parents.first().map_or(0, |p| p.index.len());
    ids.into_iter()
        .map(|id| {
            let v = values(documents, id)?;
            let vpath = format!("values/{}/{}", level.id(), id.as_str());
            same_length(&vpath, "ranks", v.rank.len(), n)?;
            same_length(&vpath, "deciles", v.decile.len(), n)?;
            Ok(FrameIndicator::published(
                id, v.n_ranked, v.rank, v.decile, v.score,
            ))
        })
        .collect()
}

/// The frame of a summary level (ward 2024, LAD 2024, region) with core's [`summary_frame`] (as
/// the browser makes it): the summaries of every LSOA 2021 indicator from the LSOA 2021
/// documents, and, where the level summarises them, of every LSOA 2011 indicator (IoD 2019) from
/// the LSOA 2011 documents, their average ranks weighted by the populations of
/// `api/lineage/lsoa11` (as the data path weights them by File 6).
fn summary_frame(
    documents: &Documents,
    catalogue: &IndicatorsResponse,
    level: Level,
) -> Result<Option<TableFrame>, AnswerError> {
    if !summary_levels(Level::Lsoa21).contains(&level) {
        return Ok(None);
    }
    let path = "parents/lsoa21";
    let Some(doc) = documents.parents.get(&Level::Lsoa21) else {
        return Ok(None);
    };
    let lsoa21: TableParents = decode(Some(doc), path)?;
    let mut all = published(
        documents,
        Level::Lsoa21,
        ids_at(catalogue, Level::Lsoa21),
        &lsoa21,
    )?;
    let ids11 = ids_at(catalogue, Level::Lsoa11);
    let with11 = summary_levels(Level::Lsoa11).contains(&level) && !ids11.is_empty();
    // A build written before api/lineage/lsoa11 existed summarises the LSOA 2021 indicators only.
    let (lsoa11, lineage) = match (with11, documents.parents.get(&Level::Lsoa11)) {
        (true, Some(doc)) if documents.lineage.is_some() => {
            let p: TableParents = decode(Some(doc), "parents/lsoa11")?;
            let l = lineage(documents)?;
            all.extend(published(documents, Level::Lsoa11, ids11, &p)?);
            (Some(p), Some(l))
        }
        _ => (None, None),
    };
    let refs: Vec<&FrameIndicator> = all.iter().collect();
    core_summary_frame(
        level,
        &lsoa21,
        lsoa11.as_ref(),
        lineage.as_ref().map(|l| l.population.as_slice()),
        &refs,
    )
    .map(Some)
    .map_err(|e| AnswerError::Inconsistent {
        path: path.into(),
        problem: e.to_string(),
    })
}

/// The ONS LSOA 2011 -> 2021 lookup rows between areas on the map, from `api/lineage/lsoa11` and
/// the two layers' codes: the rows of the data's lookup that [`cnimap_data::lineage::imd_change`]
/// reads, in the file's order, so the IMD 2019 -> 2025 rows are the data path's.
pub fn lsoa11_21(documents: &Documents) -> Result<Vec<(String, Change, String)>, AnswerError> {
    let doc = lineage(documents)?;
    let l11 = layer_areas(documents, Level::Lsoa11)?;
    let l21 = layer_areas(documents, Level::Lsoa21)?;
    let rows =
        doc.rows(l11.codes.len(), l21.codes.len())
            .map_err(|e| AnswerError::Inconsistent {
                path: "lineage/lsoa11".into(),
                problem: e.to_string(),
            })?;
    Ok(rows
        .into_iter()
        .map(|(a, c, b)| {
            (
                l11.codes[a as usize].clone(),
                change_of(c),
                l21.codes[b as usize].clone(),
            )
        })
        .collect())
}

/// The bulk lookup's table from `api/lookup/areas` (left behind at the default threshold, as the
/// data path's).
pub fn lookup_table(documents: &Documents) -> Result<AreaTable, AnswerError> {
    let doc: LookupAreasDocument = decode(documents.lookup_areas.as_ref(), "lookup/areas")?;
    Ok(AreaTable::from_document(&doc, Default::default()))
}

/// `index`'s inputs from its values documents (the published rank and each domain's ranks) and
/// its layer's codes and names, assembled by the data path's own
/// [`cnimap_data::domain_ranks::from_layer`] (as [`cnimap_data::domain_ranks::from_atlas`] does
/// from the atlas), in the layer's feature order.
pub fn index_inputs(
    documents: &Documents,
    index: CompositeIndex,
) -> Result<IndexInputs, AnswerError> {
    let level = index.indicator().def().level();
    let areas = layer_areas(documents, level)?;
    let path = format!("values/{}/{}", level.id(), index.id());
    let inconsistent = |problem: String| AnswerError::Inconsistent {
        path: path.clone(),
        problem,
    };
    let mut docs: HashMap<&'static str, ValuesResponse> = HashMap::new();
    for indicator in std::iter::once(index.id()).chain(index.domains().iter().map(|d| d.indicator))
    {
        let id = IndicatorId::parse(indicator).map_err(|e| inconsistent(e.to_string()))?;
        let v = values(documents, id)?;
        same_length(
            &format!("values/{}/{indicator}", level.id()),
            "ranks",
            v.rank.len(),
            areas.codes.len(),
        )?;
        docs.insert(indicator, v);
    }
    let names = areas.names.into_iter().map(Some).collect();
    from_layer(index, &areas.codes, names, |indicator| {
        docs.get(indicator)
            .map(|v| (&v.rank[..], v.score.as_deref()))
    })
    .ok_or_else(|| inconsistent("a domain's values are missing".into()))?
    .map_err(|e| inconsistent(e.to_string()))
}

/// The 225 left-behind wards of 2019 in 2023: the build's document is the comparison itself.
pub fn left_behind_wards(documents: &Documents) -> Result<ChangeResponse, AnswerError> {
    let doc = ChangeDocument::LeftBehindWards;
    decode(documents.change.get(&doc), &doc.path())
}
