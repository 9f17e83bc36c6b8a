//! Errors raised while reading the published files.
//!
//! Every variant names the file and, where it applies, the line and column, and says what was
//! expected, so that a policy analyst can find and fix the problem in the file itself.

use std::path::PathBuf;

/// Something is wrong with an input file.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A required column is not in the header.
    #[error("{path}: line 1: missing column {column:?} (the header has: {found})")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that was expected.
        column: String,
        /// The columns that were found, comma-separated.
        found: String,
    },
    /// A cell holds something other than what the column needs.
    #[error("{path}: line {line}, column {column:?}: expected {expected}, found {found:?}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// The column's header.
        column: String,
        /// What the column needs ("a whole number", "an LSOA 2021 code like E01000001").
        expected: String,
        /// What was there.
        found: String,
    },
    /// A row is malformed: wrong number of fields, a broken quote, a truncated line.
    #[error("{path}: line {line}: malformed row: {message}")]
    MalformedRow {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The same code appears twice where codes must be unique.
    #[error("{path}: line {line}: duplicate code {code} (first seen on line {first_line})")]
    DuplicateCode {
        /// The file.
        path: PathBuf,
        /// Where the second one is.
        line: u64,
        /// Where the first one is.
        first_line: u64,
        /// The code.
        code: String,
    },
    /// The file holds fewer or more rows than the published dataset.
    #[error(
        "{path}: expected {expected} rows, found {found}: the file looks truncated or mixed up"
    )]
    RowCount {
        /// The file.
        path: PathBuf,
        /// The published count.
        expected: usize,
        /// What was read.
        found: usize,
    },
    /// A GeoJSON file could not be parsed, or a feature lacks what the manifest says it has.
    #[error("{path}: {location}: {message}")]
    GeoJson {
        /// The file.
        path: PathBuf,
        /// "line 3, column 17" for syntax errors, or "feature 1,204 (E01000001)".
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The boundary manifest is malformed.
    #[error("boundary manifest {path}: {message}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reprojection failed.
    #[error("{path}: cannot reproject from {from}: {message}")]
    Reproject {
        /// The file.
        path: PathBuf,
        /// The source CRS.
        from: String,
        /// What PROJ said.
        message: String,
    },
}

/// Shorthand.
pub type Result<T, E = DataError> = std::result::Result<T, E>;
