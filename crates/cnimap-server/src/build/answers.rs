//! What a server opened from a build computes from the build's documents, as the browser does on a
//! static site: the table's frames (`api/layers`, `api/parents`, `api/values`), the bulk lookup's
//! table (`api/lookup/areas`, [`AreaTable::from_document`]), each combined index's domain ranks
//! (`api/values`) and the left-behind wards' comparison (`api/change/ward17/left-behind`). Each is
//! decoded on first use and kept ([`crate::state::Derived`]), so start-up reads nothing more.
//!
//! Summary levels (ward 2024, council, region) are summarised from the LSOA 2021 values with
//! core's `summary_frame`, as the browser does. What the documents cannot give is refused by
//! [`super::lacks`]: summaries of indicators published on LSOA 2011 (weighted by populations a
//! build does not hold) and the IMD 2019 -> 2025 comparison as rows (the build holds its map, not
//! each area's 2011 lineage and 2019 rank).

use std::path::PathBuf;

use cnimap_core::api::{IndicatorsResponse, LayerAreasResponse, ValuesResponse};
use cnimap_core::bulk::{AreaTable, LookupAreasDocument};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::change::ChangeResponse;
use cnimap_core::change_map::ChangeDocument;
use cnimap_core::reweight::{CompositeIndex, DomainScores};
use cnimap_core::summary::summary_levels;
use cnimap_core::table::{
    summary_frame as core_summary_frame, FrameIndicator, TableFrame, TableParents,
};
use cnimap_core::Level;
use cnimap_data::domain_ranks::{index_file, IndexInputs};

use crate::http::Encoded;
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

/// The table frame of a published level (LSOA 2021, LSOA 2011, ward 2017) from its documents:
/// codes and names, parents, and every indicator of the level in the catalogue's order (the
/// order the data path's frame has them); `Ok(None)` for a level without one (a summary level:
/// no values of its own).
pub fn table_frame(documents: &Documents, level: Level) -> Result<Option<TableFrame>, AnswerError> {
    let catalogue: IndicatorsResponse = decode(Some(&documents.catalogue), "indicators")?;
    let ids: Vec<IndicatorId> = catalogue
        .indicators
        .iter()
        .filter(|i| i.layer == level)
        .filter_map(|i| IndicatorId::parse(&i.id).ok())
        .collect();
    if ids.is_empty() {
        return summary_frame(documents, &catalogue, level);
    }
    if !documents.parents.contains_key(&level) {
        return Ok(None);
    }
    let areas = layer_areas(documents, level)?;
    let parents_path = format!("parents/{}", level.id());
    let parents: TableParents = decode(documents.parents.get(&level), &parents_path)?;
    let n = areas.codes.len();
    same_length(
        &format!("layers/{}", level.id()),
        "names",
        areas.names.len(),
        n,
    )?;
    for p in &parents.parents {
        same_length(&parents_path, "parent entries", p.index.len(), n)?;
    }
    let mut indicators = Vec::with_capacity(ids.len());
    for id in ids {
        let v = values(documents, id)?;
        let path = format!("values/{}/{}", level.id(), id.as_str());
        same_length(&path, "ranks", v.rank.len(), n)?;
        same_length(&path, "deciles", v.decile.len(), n)?;
        if let Some(s) = &v.score {
            same_length(&path, "scores", s.len(), n)?;
        }
        indicators.push(FrameIndicator::published(
            id, v.n_ranked, v.rank, v.decile, v.score,
        ));
    }
    Ok(Some(TableFrame {
        level,
        codes: areas.codes,
        names: areas.names,
        parents: parents.parents,
        indicators,
    }))
}

/// The indicators published on LSOA 2021, in the catalogue's order.
fn lsoa21_ids(catalogue: &IndicatorsResponse) -> Vec<IndicatorId> {
    catalogue
        .indicators
        .iter()
        .filter(|i| i.layer == Level::Lsoa21)
        .filter_map(|i| IndicatorId::parse(&i.id).ok())
        .collect()
}

/// The indicators whose summaries at `level` a build cannot make: those published on another
/// level than LSOA 2021 (IMD 2019 on LSOA 2011), whose council and region summaries are weighted by
/// the LSOA 2011 populations, which a build does not hold.
pub fn unsummarised(level: Level) -> Vec<IndicatorId> {
    IndicatorId::all()
        .filter(|id| {
            let at = id.def().level();
            at != Level::Lsoa21 && summary_levels(at).contains(&level)
        })
        .collect()
}

/// The frame of a summary level (ward 2024, LAD 2024, region) from the LSOA 2021 documents, with
/// core's [`summary_frame`] (as the browser makes it): the summaries of every LSOA 2021
/// indicator; those of [`unsummarised`] indicators are left out (refused by [`super::lacks`]).
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
    let n = lsoa21.parents.first().map_or(0, |p| p.index.len());
    let mut published = Vec::new();
    for id in lsoa21_ids(catalogue) {
        let v = values(documents, id)?;
        let vpath = format!("values/lsoa21/{}", id.as_str());
        same_length(&vpath, "ranks", v.rank.len(), n)?;
        same_length(&vpath, "deciles", v.decile.len(), n)?;
        published.push(FrameIndicator::published(
            id, v.n_ranked, v.rank, v.decile, v.score,
        ));
    }
    let refs: Vec<&FrameIndicator> = published.iter().collect();
    core_summary_frame(level, &lsoa21, None, None, &refs)
        .map(Some)
        .map_err(|e| AnswerError::Inconsistent {
            path: path.into(),
            problem: e.to_string(),
        })
}

/// The bulk lookup's table from `api/lookup/areas` (left behind at the default threshold, as the
/// data path's).
pub fn lookup_table(documents: &Documents) -> Result<AreaTable, AnswerError> {
    let doc: LookupAreasDocument = decode(documents.lookup_areas.as_ref(), "lookup/areas")?;
    Ok(AreaTable::from_document(&doc, Default::default()))
}

/// `index`'s inputs from its values documents (the published rank and each domain's ranks) and
/// its layer's codes and names: what the data path assembles from the atlas
/// ([`cnimap_data::domain_ranks::from_atlas`]), in the layer's feature order.
pub fn index_inputs(
    documents: &Documents,
    index: CompositeIndex,
) -> Result<IndexInputs, AnswerError> {
    let level = index.indicator().def().level();
    let areas = layer_areas(documents, level)?;
    let n = areas.codes.len();
    let ranks_of = |indicator: &str| -> Result<Vec<u32>, AnswerError> {
        let path = format!("values/{}/{indicator}", level.id());
        let id = IndicatorId::parse(indicator).map_err(|e| AnswerError::Inconsistent {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        let v = values(documents, id)?;
        same_length(&path, "ranks", v.rank.len(), n)?;
        v.rank
            .iter()
            .zip(&areas.codes)
            .map(|(r, code)| {
                r.ok_or_else(|| AnswerError::Inconsistent {
                    path: path.clone(),
                    problem: format!("{code} has no rank"),
                })
            })
            .collect()
    };
    let published_rank = ranks_of(index.id())?;
    let published_score = IndicatorId::parse(index.id())
        .ok()
        .and_then(|id| values(documents, id).ok())
        .and_then(|v| v.score)
        .and_then(|s| s.into_iter().collect::<Option<Vec<f64>>>());
    let domain_ranks = index
        .domains()
        .iter()
        .map(|d| ranks_of(d.indicator))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u32]> = domain_ranks.iter().map(Vec::as_slice).collect();
    let domains =
        DomainScores::from_ranks(index, &refs).map_err(|e| AnswerError::Inconsistent {
            path: format!("values/{}/{}", level.id(), index.id()),
            problem: e.to_string(),
        })?;
    Ok(IndexInputs {
        index,
        file: PathBuf::from(index_file(index)),
        codes: areas.codes,
        names: areas.names.into_iter().map(Some).collect(),
        published_rank,
        published_score,
        domain_ranks,
        domains,
    })
}

/// The 225 left-behind wards of 2019 in 2023: the build's document is the comparison itself.
pub fn left_behind_wards(documents: &Documents) -> Result<ChangeResponse, AnswerError> {
    let doc = ChangeDocument::LeftBehindWards;
    decode(documents.change.get(&doc), &doc.path())
}
