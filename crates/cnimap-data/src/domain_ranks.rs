//! The inputs of [`cnimap_core::reweight`] from the published files: each combined index's domain
//! ranks, transformed once, beside the published index rank and score.

use std::path::{Path, PathBuf};

use cnimap_core::reweight::{CompositeIndex, DomainScores, ReweightError};
use thiserror::Error;

use crate::error::DataError;
use crate::indicators::{self, SourceTable};

/// What can go wrong assembling an index's domains.
#[derive(Debug, Error)]
pub enum DomainRanksError {
    /// A file could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A column the index needs is not in the table.
    #[error("{file}: no column for {indicator} (needed to rebuild {index})")]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The catalogue id.
        indicator: &'static str,
        /// The index.
        index: CompositeIndex,
    },
    /// An area without a rank.
    #[error("{file}: line {line} ({code}): no {indicator} rank")]
    MissingRank {
        /// The file.
        file: PathBuf,
        /// The line (header = 1).
        line: usize,
        /// The area.
        code: String,
        /// The catalogue id.
        indicator: &'static str,
    },
    /// The ranks do not make a valid input.
    #[error("{file}: rebuilding {index}")]
    Reweight {
        /// The file.
        file: PathBuf,
        /// The index.
        index: CompositeIndex,
        /// What is wrong.
        #[source]
        source: ReweightError,
    },
}

/// One index's areas, published ranks and transformed domains, in file order.
#[derive(Debug, Clone)]
pub struct IndexInputs {
    /// The index.
    pub index: CompositeIndex,
    /// The file the ranks come from, relative to the data directory.
    pub file: PathBuf,
    /// Area codes.
    pub codes: Vec<String>,
    /// Area names, where a file gives them.
    pub names: Vec<Option<String>>,
    /// The published rank of the index.
    pub published_rank: Vec<u32>,
    /// The published score, where published.
    pub published_score: Option<Vec<f64>>,
    /// The published domain ranks, `[domain][area]`.
    pub domain_ranks: Vec<Vec<u32>>,
    /// The transformed domains.
    pub domains: DomainScores,
}

/// The file each index's ranks are read from.
pub fn index_file(index: CompositeIndex) -> &'static str {
    match index {
        CompositeIndex::Imd2025 => "indicators/imd2025_lsoa21.csv",
        CompositeIndex::Imd2019 => "indicators/imd2019_lsoa11.csv",
        CompositeIndex::Cni2023 => "indicators/cni2023_lsoa21.csv",
    }
}

/// Reads an index's file (and, for IMD 2025, the CNI 2023 file for the LSOA 2021 names) and
/// assembles its inputs.
pub fn read_index(dir: &Path, index: CompositeIndex) -> Result<IndexInputs, DomainRanksError> {
    let table = match index {
        CompositeIndex::Imd2025 => {
            let mut t = indicators::read_iod2025(dir)?;
            let names = indicators::read_cni2023(dir)?;
            for (code, name) in t.codes.iter().zip(t.names.iter_mut()) {
                if name.is_none() {
                    *name = names
                        .index
                        .get(code)
                        .and_then(|&i| names.names.get(i).cloned().flatten());
                }
            }
            t
        }
        CompositeIndex::Imd2019 => indicators::read_iod2019(dir)?.0,
        CompositeIndex::Cni2023 => indicators::read_cni2023(dir)?,
    };
    from_table(index, &table)
}

/// Assembles an index's inputs from its read table.
pub fn from_table(
    index: CompositeIndex,
    table: &SourceTable,
) -> Result<IndexInputs, DomainRanksError> {
    let file = PathBuf::from(index_file(index));
    let ranks_of = |indicator: &'static str| -> Result<Vec<u32>, DomainRanksError> {
        let col = table
            .column(indicator)
            .ok_or_else(|| DomainRanksError::MissingColumn {
                file: file.clone(),
                indicator,
                index,
            })?;
        col.rank
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.ok_or_else(|| DomainRanksError::MissingRank {
                    file: file.clone(),
                    line: i + 2,
                    code: table.codes.get(i).cloned().unwrap_or_default(),
                    indicator,
                })
            })
            .collect()
    };
    let published_rank = ranks_of(index.id())?;
    let published_score = table
        .column(index.id())
        .and_then(|c| c.score.as_ref())
        .and_then(|s| s.iter().copied().collect::<Option<Vec<f64>>>());
    let domain_ranks = index
        .domains()
        .iter()
        .map(|d| ranks_of(d.indicator))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u32]> = domain_ranks.iter().map(Vec::as_slice).collect();
    let domains =
        DomainScores::from_ranks(index, &refs).map_err(|source| DomainRanksError::Reweight {
            file: file.clone(),
            index,
            source,
        })?;
    Ok(IndexInputs {
        index,
        file,
        codes: table.codes.clone(),
        names: table.names.clone(),
        published_rank,
        published_score,
        domain_ranks,
        domains,
    })
}

/// Assembles an index's inputs from a loaded atlas (areas in feature-index order, names from the
/// layer); `None` when the atlas does not hold the index's values (a build opened without data).
pub fn from_atlas(
    atlas: &crate::Atlas,
    index: CompositeIndex,
) -> Option<Result<IndexInputs, DomainRanksError>> {
    let layer = atlas.layer(index.indicator().def().level())?;
    from_layer(
        index,
        &layer.codes,
        layer.names.iter().cloned().map(Some).collect(),
        |indicator| {
            atlas
                .values(indicator)
                .map(|v| (&v.rank[..], v.score.as_deref()))
        },
    )
}

/// Assembles an index's inputs from a layer's codes and names (in feature-index order) and each
/// indicator's published ranks and scores on it (`values`, by catalogue id: the atlas's values,
/// or a prepared build's values documents); `None` when an indicator the index needs has no
/// values or not one per area.
pub fn from_layer<'a>(
    index: CompositeIndex,
    codes: &[String],
    names: Vec<Option<String>>,
    values: impl Fn(&'static str) -> Option<(&'a [Option<u32>], Option<&'a [Option<f64>]>)>,
) -> Option<Result<IndexInputs, DomainRanksError>> {
    let file = PathBuf::from(index_file(index));
    let ranks_of = |indicator: &'static str| -> Option<Result<Vec<u32>, DomainRanksError>> {
        let (rank, _) = values(indicator)?;
        if rank.len() != codes.len() {
            return None;
        }
        Some(
            rank.iter()
                .enumerate()
                .map(|(i, r)| {
                    r.ok_or_else(|| DomainRanksError::MissingRank {
                        file: file.clone(),
                        line: 0,
                        code: codes.get(i).cloned().unwrap_or_default(),
                        indicator,
                    })
                })
                .collect(),
        )
    };
    let published_rank = match ranks_of(index.id())? {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    let mut domain_ranks = Vec::new();
    for d in index.domains() {
        match ranks_of(d.indicator)? {
            Ok(r) => domain_ranks.push(r),
            Err(e) => return Some(Err(e)),
        }
    }
    let published_score = values(index.id())
        .and_then(|(_, score)| score)
        .and_then(|s| s.iter().copied().collect::<Option<Vec<f64>>>());
    let refs: Vec<&[u32]> = domain_ranks.iter().map(Vec::as_slice).collect();
    let domains = match DomainScores::from_ranks(index, &refs) {
        Ok(d) => d,
        Err(source) => {
            return Some(Err(DomainRanksError::Reweight {
                file,
                index,
                source,
            }))
        }
    };
    Some(Ok(IndexInputs {
        index,
        file,
        codes: codes.to_vec(),
        names,
        published_rank,
        published_score,
        domain_ranks,
        domains,
    }))
}
