//! The per-file report for `cnimap check`: rows read, rows joined, what did not join (in words,
//! with sample codes), geometries repaired and the time taken.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use crate::boundary::BoundaryFile;
use crate::indicators::SourceTable;

/// What was read from one input file, for `cnimap check`.
#[derive(Debug, Clone, Default)]
pub struct DatasetReport {
    /// The file (relative to the data directory) or dataset.
    pub name: String,
    /// Rows or features read.
    pub rows: usize,
    /// Rows joined to the other side (geometry to data, or data to geometry).
    pub joined: usize,
    /// What did not join, in words ("6 codes without geometry: E05...").
    pub unmatched: Vec<String>,
    /// Geometries repaired.
    pub repaired: usize,
    /// Time taken to read and check it.
    pub elapsed: Duration,
    /// Anything else worth saying.
    pub notes: Vec<String>,
}

/// The report of a table with nothing to join it to: every row counts as joined.
pub(super) fn table_report(
    name: &str,
    rows: usize,
    elapsed: Duration,
    notes: Vec<String>,
) -> DatasetReport {
    DatasetReport {
        name: name.to_string(),
        rows,
        joined: rows,
        elapsed,
        notes,
        ..Default::default()
    }
}

/// `(file, rows)` pairs in words, one note each ("imd2025_lsoa21.csv: 33755 rows").
pub(super) fn files_note(files: &[(String, usize)]) -> Vec<String> {
    files
        .iter()
        .map(|(f, n)| format!("{f}: {n} rows"))
        .collect()
}

/// The report of an outline file drawn as an overlay (nothing to join).
pub(super) fn overlay_report(file: &Path, read: &BoundaryFile, elapsed: Duration) -> DatasetReport {
    DatasetReport {
        name: file.display().to_string(),
        rows: read.features.len(),
        repaired: read.repaired,
        elapsed,
        ..Default::default()
    }
}

/// The report of one boundary file of a layer: what it skipped, its duplicate codes, and how its
/// codes join the layer's first data table (`data`, when the level has data).
pub(super) fn boundary_report(
    file: &Path,
    read: &BoundaryFile,
    elapsed: Duration,
    data: Option<&SourceTable>,
) -> DatasetReport {
    let mut r = DatasetReport {
        name: file.display().to_string(),
        rows: read.features.len(),
        repaired: read.repaired,
        elapsed,
        ..Default::default()
    };
    if read.skipped_other_prefix > 0 {
        r.notes.push(format!(
            "{} features outside England skipped (no data, not an error)",
            read.skipped_other_prefix
        ));
    }
    if !read.duplicates.is_empty() {
        r.notes
            .push(format!("duplicate codes: {}", read.duplicates.join(", ")));
    }
    match data {
        Some(table) => join_report(&mut r, read, table),
        None => r.joined = read.features.len(),
    }
    r
}

/// Counts the codes of `read` with data in `table`, and says which codes are on one side only.
fn join_report(r: &mut DatasetReport, read: &BoundaryFile, table: &SourceTable) {
    let file_codes: HashSet<&str> = read.features.iter().map(|f| f.code.as_str()).collect();
    let (with_data, no_data): (Vec<&str>, Vec<&str>) = file_codes
        .iter()
        .partition(|c| table.index.contains_key(**c));
    r.joined = with_data.len();
    let no_geometry: Vec<&str> = table
        .codes
        .iter()
        .filter(|c| !file_codes.contains(c.as_str()))
        .map(String::as_str)
        .collect();
    if !no_data.is_empty() {
        r.unmatched.push(format!(
            "{} with geometry but no data: {}",
            no_data.len(),
            sample(&no_data)
        ));
    }
    if !no_geometry.is_empty() {
        r.unmatched.push(format!(
            "{} with data but no geometry: {}",
            no_geometry.len(),
            sample(&no_geometry)
        ));
    }
}

/// The first six codes in order, then "..." if there are more.
fn sample(codes: &[&str]) -> String {
    let mut v: Vec<&str> = codes.to_vec();
    v.sort_unstable();
    let shown: Vec<&str> = v.iter().take(6).copied().collect();
    if v.len() > shown.len() {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_shows_six_codes_in_order_and_says_when_there_are_more() {
        let codes = ["E8", "E1", "E7", "E2", "E6", "E3", "E5", "E4"];
        assert_eq!(sample(&codes), "E1, E2, E3, E4, E5, E6, ...");
        assert_eq!(sample(&codes[..3]), "E1, E7, E8");
        assert_eq!(sample(&[]), "");
    }
}
