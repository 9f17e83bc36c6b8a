//! Reading every input file once: the boundary files on two threads (LSOA 2021, the heaviest,
//! alone; the other layers together) while the indicator files and lookups load, then the overlay
//! outlines; each file timed for the report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cnimap_core::catalogue::Source;
use cnimap_core::Level;

use crate::boundary::{self, BoundaryFeature, BoundaryFile, Manifest, ZoomRange};
use crate::error::{DataError, Result};
use crate::indicators::{self, Iod2019Official, SourceTable};
use crate::lookups::{self, Lookups};

use super::report::{self, DatasetReport};

/// One boundary file, read.
pub(super) struct ReadSource {
    /// The layer it draws.
    pub(super) level: Level,
    /// The zooms it draws.
    pub(super) zooms: ZoomRange,
    /// The file, relative to the data directory.
    pub(super) source_file: PathBuf,
    /// "BSC", "BGC", ...
    pub(super) generalisation: String,
    /// Its features.
    pub(super) file: BoundaryFile,
    /// Time taken to read it.
    pub(super) elapsed: Duration,
}

/// Every indicator table and the lookups.
pub(super) struct Tables {
    /// IoD 2025 by LSOA 2021.
    pub(super) iod2025: SourceTable,
    /// IoD 2019 by LSOA 2011 (tidy files).
    pub(super) iod2019: SourceTable,
    /// What the official IoD 2019 files added.
    pub(super) official: Iod2019Official,
    /// CNI 2023 by LSOA 2021.
    pub(super) cni2023: SourceTable,
    /// CNI 2019 by ward 2017.
    pub(super) cni2019: SourceTable,
    /// The ONS lookups.
    pub(super) lookups: Lookups,
}

impl Tables {
    /// The table of a source.
    pub(super) fn of(&self, source: Source) -> &SourceTable {
        match source {
            Source::Iod2025 => &self.iod2025,
            Source::Iod2019 => &self.iod2019,
            Source::Cni2023 => &self.cni2023,
            Source::Cni2019 => &self.cni2019,
        }
    }

    /// The tables published on `level`, in [`Source::ALL`] order (IoD before CNI).
    pub(super) fn at_level(&self, level: Level) -> Vec<&SourceTable> {
        Source::ALL
            .into_iter()
            .filter(|s| s.level() == level)
            .map(|s| self.of(s))
            .collect()
    }
}

/// Everything read from the data directory, before any joining.
pub(super) struct Inputs {
    /// Every boundary file of every layer, in manifest order.
    pub(super) boundaries: Vec<ReadSource>,
    /// Indicator tables and lookups.
    pub(super) tables: Tables,
    /// The first overlay's outlines (the 225 left-behind wards), if the manifest has one.
    pub(super) outlines: Vec<BoundaryFeature>,
    /// One entry per table, then the overlay.
    pub(super) report: Vec<DatasetReport>,
}

/// Reads every file the manifest and the indicator layout name, in parallel where it pays.
pub(super) fn read_inputs(data_dir: &Path, manifest: &Manifest) -> Result<Inputs> {
    // Boundary files are the heavy part: read them on a second thread while the CSVs load.
    let (boundaries, (tables, mut report)) = std::thread::scope(|s| {
        let big = s.spawn(|| read_boundary_sources(data_dir, manifest, |l| l == Level::Lsoa21));
        let rest = s.spawn(|| read_boundary_sources(data_dir, manifest, |l| l != Level::Lsoa21));
        let tables = read_tables(data_dir);
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<Vec<ReadSource>>>| {
            h.join().unwrap_or_else(|_| Err(panicked(data_dir)))
        };
        let mut b = joined(big)?;
        b.extend(joined(rest)?);
        Ok::<_, DataError>((b, tables?))
    })?;
    let mut outlines = Vec::new();
    if let Some(overlay) = manifest.overlays.first() {
        let t = Instant::now();
        let read = boundary::read_overlay(data_dir, overlay)?;
        report.push(report::overlay_report(&overlay.file, &read, t.elapsed()));
        outlines = read.features;
    }
    Ok(Inputs {
        boundaries,
        tables,
        outlines,
        report,
    })
}

/// The error for a reader thread that panicked.
fn panicked(data_dir: &Path) -> DataError {
    DataError::Io {
        path: data_dir.to_path_buf(),
        source: std::io::Error::other("a reader thread stopped unexpectedly"),
    }
}

/// Reads the boundary files of the manifest's layers whose level passes `want`.
fn read_boundary_sources(
    data_dir: &Path,
    manifest: &Manifest,
    want: impl Fn(Level) -> bool,
) -> Result<Vec<ReadSource>> {
    let mut out = Vec::new();
    for layer in manifest.layers.iter().filter(|l| want(l.level)) {
        for src in &layer.sources {
            let t = Instant::now();
            let file = boundary::read_layer_source(data_dir, layer, src)?;
            out.push(ReadSource {
                level: layer.level,
                zooms: src.zooms,
                source_file: src.file.clone(),
                generalisation: src.generalisation.clone(),
                file,
                elapsed: t.elapsed(),
            });
        }
    }
    Ok(out)
}

/// Reads the indicator files and lookups one after another, with a report entry for each.
fn read_tables(dir: &Path) -> Result<(Tables, Vec<DatasetReport>)> {
    let mut reports = Vec::new();
    let t = Instant::now();
    let iod2025 = indicators::read_iod2025(dir)?;
    reports.push(report::table_report(
        "IoD2025 (imd2025_lsoa21 + subdomains)",
        iod2025.codes.len(),
        t.elapsed(),
        report::files_note(&iod2025.files),
    ));
    let t = Instant::now();
    let (iod2019, official) = indicators::read_iod2019(dir)?;
    let mut notes = report::files_note(&iod2019.files);
    notes.push(format!(
        "official MHCLG File 1/2 agree with the tidy file: {} differences",
        official.differences.len()
    ));
    reports.push(report::table_report(
        "IoD2019 (tidy + official File 1, 2, 6)",
        iod2019.codes.len(),
        t.elapsed(),
        notes,
    ));
    let t = Instant::now();
    let cni2023 = indicators::read_cni2023(dir)?;
    reports.push(report::table_report(
        "CNI 2023 (cni2023_lsoa21)",
        cni2023.codes.len(),
        t.elapsed(),
        Vec::new(),
    ));
    let t = Instant::now();
    let cni2019 = indicators::read_cni2019(dir)?;
    let flagged = cni2019
        .left_behind_flag
        .as_ref()
        .map_or(0, |f| f.iter().filter(|x| **x).count());
    reports.push(report::table_report(
        "CNI 2019 (cni2019_ward17)",
        cni2019.codes.len(),
        t.elapsed(),
        vec![format!("{flagged} official left-behind wards")],
    ));
    let t = Instant::now();
    let lookups = lookups::read_lookups(dir)?;
    let rows = lookups.files.iter().map(|(_, n)| n).sum();
    reports.push(report::table_report(
        "Lookups",
        rows,
        t.elapsed(),
        report::files_note(&lookups.files),
    ));
    let tables = Tables {
        iod2025,
        iod2019,
        official,
        cni2023,
        cni2019,
        lookups,
    };
    Ok((tables, reports))
}
