//! Errors: [`SearchError`] for files that cannot be loaded, [`QueryError`] for queries the caller
//! should not have sent (the server answers those with HTTP 400).

use std::path::PathBuf;

use thiserror::Error;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// The largest number of hits one query may ask for.
pub const MAX_LIMIT: usize = 50;

/// A data file could not be loaded. Every variant names the file; row-level variants name the line
/// (1-based, the header is line 1) and the column, and say what was expected, so that whoever
/// maintains the data can fix it.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the file: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },

    /// The gzip stream is corrupt or ends early (for example a truncated download).
    #[error(
        "{}: the gzip data is corrupt or truncated (stopped after line {line}): {source}; \
         download the file again",
        file.display()
    )]
    Gzip {
        /// The file.
        file: PathBuf,
        /// The last line read completely before the stream broke.
        line: u64,
        /// The decompressor's reason.
        #[source]
        source: std::io::Error,
    },

    /// The header row lacks a column the search needs.
    #[error(
        "{}: line 1: missing column `{column}` (the header has: {found})",
        file.display()
    )]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column expected.
        column: &'static str,
        /// The columns found, comma-separated.
        found: String,
    },

    /// A row has a different number of fields from the header (often an unquoted comma).
    #[error(
        "{}: line {line}: expected {expected} fields like the header, found {found} \
         (a name containing a comma must be in double quotes)",
        file.display()
    )]
    MalformedRow {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// Number of fields in the header.
        expected: u64,
        /// Number of fields in this row.
        found: u64,
    },

    /// A field does not hold what its column should (text in a latitude, an unknown type...).
    #[error(
        "{}: line {line}, column `{column}`: expected {expected}, found {value:?}",
        file.display()
    )]
    BadValue {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column.
        column: &'static str,
        /// What the column should hold.
        expected: &'static str,
        /// What it held (cut to 60 characters).
        value: String,
    },

    /// The CSV reader failed for another reason (invalid UTF-8 in a text column).
    #[error("{}: line {line}: {source}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// The line (0 when unknown).
        line: u64,
        /// The CSV reader's error.
        #[source]
        source: csv::Error,
    },

    /// A JSON file (the towns file) is not valid JSON of the expected shape.
    #[error("{}: line {line}, column {column}: {source}", file.display())]
    Json {
        /// The file.
        file: PathBuf,
        /// The line (1-based).
        line: u64,
        /// The column (1-based).
        column: u64,
        /// The parser's reason.
        #[source]
        source: serde_json::Error,
    },

    /// An entry of a JSON array holds a field the search cannot use (text in a latitude...).
    #[error(
        "{}: entry {entry} (0-based), field `{field}`: expected {expected}, found {value:?}",
        file.display()
    )]
    BadEntry {
        /// The file.
        file: PathBuf,
        /// The entry's position in the array.
        entry: u64,
        /// The field.
        field: &'static str,
        /// What the field should hold.
        expected: &'static str,
        /// What it held (cut to 60 characters).
        value: String,
    },

    /// Bytes of the compact index ([`crate::compact`]) are not what it writes: truncated,
    /// corrupted, or of another format version.
    #[error("{what}: byte {offset}, {section}: {problem}")]
    Compact {
        /// The file, or what the bytes were.
        what: String,
        /// Where the problem was found, in bytes from the start.
        offset: u64,
        /// The part of the index being read.
        section: &'static str,
        /// What was wrong.
        problem: String,
    },
}

/// A query the index refuses to run. All are the caller's mistake.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// The query is empty or only whitespace.
    #[error("the search query is empty: type a place name, postcode or area code")]
    Empty,

    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error("the search query is {chars} characters long; the limit is {max}")]
    TooLong {
        /// Characters in the query.
        chars: usize,
        /// The limit.
        max: usize,
    },

    /// The limit is outside `1..=MAX_LIMIT`.
    #[error("limit must be between 1 and {max}, got {limit}")]
    LimitOutOfRange {
        /// The limit asked for.
        limit: usize,
        /// The largest limit allowed.
        max: usize,
    },
}
