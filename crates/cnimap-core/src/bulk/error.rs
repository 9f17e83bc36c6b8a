//! Why a bulk lookup refused its input or failed, each message saying where and what to do: a
//! leaf that the dialect sniffing and the streaming pass both report through.

use std::io;

/// Why a CSV could not be looked up. Each message says where and what to do.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// No header row.
    #[error(
        "the CSV is empty: expected a header row naming the columns, then one row per postcode"
    )]
    Empty,
    /// A workbook or UTF-16 text.
    #[error("line 1: this is not a CSV file but {what}: save it as CSV (UTF-8) and try again")]
    NotCsv {
        /// What it looks like.
        what: &'static str,
    },
    /// A NUL byte.
    #[error("line {line}: found a NUL byte: this looks like a binary file, not CSV text")]
    Binary {
        /// The line holding it.
        line: u64,
    },
    /// No header name looks like a postcode column.
    #[error(
        "line 1 (the header): no postcode column found among {headers}: name it with --column NAME \
         (API: ?column=NAME)"
    )]
    NoPostcodeColumn {
        /// The header's names.
        headers: String,
    },
    /// The column the caller named is not in the header.
    #[error("line 1 (the header): no column named {given:?} among {headers}")]
    ColumnNotFound {
        /// The name given.
        given: String,
        /// The header's names.
        headers: String,
    },
    /// A field too long to be real.
    #[error(
        "line {line}, column {column} ({name}): a field of more than {max} bytes: is a quote opened \
         there and never closed?"
    )]
    FieldTooLong {
        /// The line the record starts on.
        line: u64,
        /// The column, counted from 1.
        column: usize,
        /// The column's header name.
        name: String,
        /// The limit.
        max: usize,
    },
    /// The last record swallowed the lines after it into a quoted field.
    #[error(
        "line {line}: a quote opened in this row is never closed, so every line after it would be \
         read as one field: close the quote (a quote inside a quoted field is written twice, \"\")"
    )]
    UnclosedQuote {
        /// The line the record starts on.
        line: u64,
    },
    /// More rows than allowed.
    #[error(
        "more than {max} rows (row {} is on line {line}): split the file, or use the command line \
         (`cnimap lookup`), which has no limit",
        max + 1
    )]
    TooManyRows {
        /// The limit.
        max: u64,
        /// The line of the first row over it.
        line: u64,
    },
    /// The input could not be read.
    #[error("reading the CSV at line {line}")]
    Read {
        /// The line reached.
        line: u64,
        /// The reader's error.
        #[source]
        source: io::Error,
    },
    /// The output could not be written.
    #[error("writing the result")]
    Write(#[source] io::Error),
}

impl LookupError {
    /// Whether the input is at fault (a client's 400) rather than the reading or writing.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, LookupError::Read { .. } | LookupError::Write(_))
    }
}
