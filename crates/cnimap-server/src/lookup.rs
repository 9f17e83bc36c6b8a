//! `cnimap lookup IN.csv [--column NAME] [--out OUT.csv]`: the bulk postcode lookup on the command
//! line (the pass itself is [`cnimap_core::bulk::augment()`]), and the [`AreaTable`] it and
//! `POST /api/lookup` read, built from the published files ([`table_from_files`], without the
//! boundaries) or from the server's atlas ([`table_from_atlas`]) by the same code.
//!
//! The input is streamed (a file, or `-` for standard input); the result goes to standard output,
//! or to `--out FILE`, written to a temporary file and renamed so a failed run leaves nothing
//! half-written. The batch summary goes to standard error.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use cnimap_core::bulk::{augment, AreaFacts, AreaTable, BatchSummary, LookupRequest, Ranked};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::LeftBehindRule;
use cnimap_core::Level;
use cnimap_data::indicators::{read_cni2023, read_iod2025, IndicatorColumn, SourceTable};
use cnimap_data::lookups::{read_lookups, Lookups};
use cnimap_data::Atlas;
use cnimap_search::SearchIndex;

/// Why the lookup table could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// A published file could not be read.
    #[error("reading the data for the lookup")]
    Data(#[from] cnimap_data::DataError),
    /// A file or the atlas lacks what the table needs.
    #[error("the data has no {0}")]
    Missing(&'static str),
}

/// One LSOA 2021's own values, before the lookups add its parents.
struct Lsoa21Values<'a> {
    code: &'a str,
    name: &'a str,
    imd2025: Ranked,
    cni2023: Ranked,
}

/// Adds each LSOA 2021 with its MSOA name, ward, LAD and region from `lookups`, and the LSOA
/// 2011 -> 2021 successors.
fn fill<'a>(
    rule: LeftBehindRule,
    lookups: &Lookups,
    rows: impl Iterator<Item = Lsoa21Values<'a>>,
) -> AreaTable {
    let mut table = AreaTable::new(rule);
    for row in rows {
        let parents = lookups.lsoa21.get(row.code);
        let lad = parents.map(|p| &p.lad);
        table.insert(AreaFacts {
            lsoa21_code: row.code.to_string(),
            lsoa21_name: row.name.to_string(),
            msoa_name: lookups
                .neighbourhood(row.name, true)
                .unwrap_or_default()
                .to_string(),
            ward24_name: parents.map(|p| p.ward.name.clone()).unwrap_or_default(),
            lad24_code: lad.map(|l| l.code.clone()).unwrap_or_default(),
            lad24_name: lad.map(|l| l.name.clone()).unwrap_or_default(),
            region_name: lad
                .and_then(|l| lookups.lad24_region.get(&l.code))
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            imd2025: row.imd2025,
            cni2023: row.cni2023,
            left_behind: false,
        });
    }
    for (lsoa11, _, lsoa21) in &lookups.lsoa11_21 {
        table.add_successor(lsoa11, lsoa21);
    }
    table
}

/// The column of indicator `id` in `table`.
fn column(table: &SourceTable, id: IndicatorId) -> Result<&IndicatorColumn, TableError> {
    table
        .column(id.as_str())
        .ok_or(TableError::Missing(id.def().title))
}

/// Builds the table from the published files in `data_dir`: the lookups, IoD 2025 and CNI 2023
/// (no boundaries: a second or so).
pub fn table_from_files(data_dir: &Path, rule: LeftBehindRule) -> Result<AreaTable, TableError> {
    let lookups = read_lookups(data_dir)?;
    let imd = read_iod2025(data_dir)?;
    let cni = read_cni2023(data_dir)?;
    let imd_column = column(&imd, IndicatorId::IMD2025)?;
    let cni_column = column(&cni, IndicatorId::CNI2023)?;
    let (imd_rank, imd_decile) = (&imd_column.rank, &imd_column.decile);
    let (cni_rank, cni_decile) = (&cni_column.rank, &cni_column.decile);
    let rows = cni.codes.iter().enumerate().map(|(i, code)| {
        let at = imd.index.get(code).copied();
        Lsoa21Values {
            code,
            name: cni
                .names
                .get(i)
                .and_then(Option::as_deref)
                .unwrap_or_default(),
            imd2025: Ranked {
                rank: at.and_then(|j| imd_rank.get(j).copied().flatten()),
                n: imd.n_ranked,
                decile: at.and_then(|j| imd_decile.get(j).copied().flatten()),
            },
            cni2023: Ranked {
                rank: cni_rank.get(i).copied().flatten(),
                n: cni.n_ranked,
                decile: cni_decile.get(i).copied().flatten(),
            },
        }
    });
    Ok(fill(rule, &lookups, rows))
}

/// Builds the table from a loaded atlas (the server's), with the same rule as
/// [`table_from_files`].
pub fn table_from_atlas(atlas: &Atlas, rule: LeftBehindRule) -> Result<AreaTable, TableError> {
    let layer = atlas
        .layer(Level::Lsoa21)
        .ok_or(TableError::Missing("LSOA 2021 layer"))?;
    let imd = atlas
        .values_by_id(IndicatorId::IMD2025)
        .ok_or(TableError::Missing("IMD 2025"))?;
    let cni = atlas
        .values_by_id(IndicatorId::CNI2023)
        .ok_or(TableError::Missing("Community Needs Index 2023"))?;
    let ranked = |v: &cnimap_data::IndicatorValues, i: usize| Ranked {
        rank: v.rank.get(i).copied().flatten(),
        n: v.n_ranked,
        decile: v.decile.get(i).copied().flatten(),
    };
    let rows = layer
        .codes
        .iter()
        .enumerate()
        .map(|(i, code)| Lsoa21Values {
            code,
            name: layer.names.get(i).map(String::as_str).unwrap_or_default(),
            imd2025: ranked(imd, i),
            cni2023: ranked(cni, i),
        });
    Ok(fill(rule, &atlas.lookups, rows))
}

/// What `cnimap lookup` was asked to do.
#[derive(Debug, Clone)]
pub struct LookupJob {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The CSV to read, or `-` for standard input.
    pub input: PathBuf,
    /// The postcode column's name (found by name when absent).
    pub column: Option<String>,
    /// Where to write the result (standard output when absent).
    pub out: Option<PathBuf>,
    /// The left-behind threshold, in percent.
    pub left_behind_percent: u8,
}

/// Runs `cnimap lookup`: loads the search index and the table side by side, streams the input
/// through [`augment()`], writes the summary to standard error.
pub fn run(job: &LookupJob) -> anyhow::Result<()> {
    let dir = crate::checked_data_dir(&job.data_dir)?;
    let rule = LeftBehindRule::new(job.left_behind_percent)?;
    let t = Instant::now();
    let (search, table) = std::thread::scope(|s| {
        let search = s.spawn(|| SearchIndex::load(dir));
        let table = table_from_files(dir, rule);
        let search = search
            .join()
            .map_err(|_| anyhow::anyhow!("search loader stopped"))?;
        anyhow::Ok((search?, table?))
    })
    .with_context(|| format!("loading {}", dir.display()))?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        areas = table.len(),
        "lookup data loaded"
    );
    let input: Box<dyn Read> = if job.input.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file =
            File::open(&job.input).with_context(|| format!("opening {}", job.input.display()))?;
        Box::new(file)
    };
    let input = BufReader::with_capacity(256 * 1024, input);
    let request = LookupRequest {
        column: job.column.clone(),
        max_rows: None,
    };
    let t = Instant::now();
    let name = job.input.display().to_string();
    let summary = match &job.out {
        None => {
            let mut out = BufWriter::with_capacity(256 * 1024, io::stdout().lock());
            let summary = augment(input, &mut out, &search, &table, &request)
                .with_context(|| format!("looking up {name}"))?;
            out.flush().context("writing to standard output")?;
            summary
        }
        Some(path) => write_atomically(path, |out| {
            augment(input, out, &search, &table, &request)
                .with_context(|| format!("looking up {name}"))
        })?,
    };
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        rows = summary.rows,
        "lookup done"
    );
    report(&summary)?;
    Ok(())
}

/// Writes `path` through `write` into a temporary file beside it, renamed into place on success.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> anyhow::Result<BatchSummary>,
) -> anyhow::Result<BatchSummary> {
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(".part");
    let tmp = path.with_file_name(tmp_name);
    let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let result = write(&mut out).and_then(|summary| {
        out.flush()
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
        Ok(summary)
    });
    if result.is_err() {
        // Nothing half-written: the partial file goes (a failure to remove it changes nothing).
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes the batch summary to standard error.
fn report(summary: &BatchSummary) -> io::Result<()> {
    let mut err = io::stderr().lock();
    write!(err, "{summary}")?;
    err.flush()
}
