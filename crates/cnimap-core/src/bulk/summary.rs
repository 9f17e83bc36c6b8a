//! The summary of one batch: rows per status, ok rows per IMD 2025 decile, left-behind rows, what
//! was read (delimiter, postcode column, renamed columns, ragged rows) and the method lines. One
//! shape for the command line (shown on stderr) and the API (JSON).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::dialect::Dialect;
use super::{AreaFacts, AreaTable, Status};

/// Ragged rows whose lines are listed.
pub const RAGGED_LINES_SHOWN: usize = 20;

/// Rows with one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    /// The status as written in the `status` column.
    pub status: String,
    /// Rows with it.
    pub rows: u64,
}

/// An appended column renamed because the input already had its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenamedColumn {
    /// cnimap's name.
    pub from: String,
    /// The name used.
    pub to: String,
}

/// What a batch came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchSummary {
    /// Data rows read and written (the header not counted).
    pub rows: u64,
    /// Rows per status, every status listed, in [`Status::ALL`] order.
    pub statuses: Vec<StatusCount>,
    /// `ok` rows per IMD 2025 decile, decile 1 (most deprived 10%) first.
    pub imd2025_deciles: [u64; 10],
    /// `ok` rows in left-behind neighbourhoods.
    pub left_behind: u64,
    /// The left-behind threshold (worst X% on both indices).
    pub left_behind_percent: u8,
    /// The delimiter read: `comma`, `semicolon`, `tab` or `pipe`.
    pub delimiter: String,
    /// The postcode column's header.
    pub postcode_column: String,
    /// Appended columns renamed to avoid the input's names.
    pub renamed_columns: Vec<RenamedColumn>,
    /// Rows with fewer fields than the header (padded with empty fields).
    pub short_rows: u64,
    /// Rows with more fields than the header (the extra fields follow the appended columns).
    pub long_rows: u64,
    /// Lines of the first [`RAGGED_LINES_SHOWN`] short or long rows.
    pub ragged_lines: Vec<u64>,
    /// How the columns were made.
    pub method: Vec<String>,
}

impl BatchSummary {
    /// An empty summary for a batch read with `dialect`.
    pub(crate) fn new(
        dialect: &Dialect,
        postcode_column: String,
        renamed: Vec<(String, String)>,
        table: &AreaTable,
    ) -> BatchSummary {
        BatchSummary {
            rows: 0,
            statuses: Status::ALL
                .iter()
                .map(|s| StatusCount {
                    status: s.as_str().to_string(),
                    rows: 0,
                })
                .collect(),
            imd2025_deciles: [0; 10],
            left_behind: 0,
            left_behind_percent: table.rule().percent(),
            delimiter: dialect.delimiter_name().to_string(),
            postcode_column,
            renamed_columns: renamed
                .into_iter()
                .map(|(from, to)| RenamedColumn { from, to })
                .collect(),
            short_rows: 0,
            long_rows: 0,
            ragged_lines: Vec::new(),
            method: table.method(),
        }
    }

    /// Counts one row.
    pub(crate) fn count(&mut self, status: Status, facts: Option<&AreaFacts>) {
        self.rows += 1;
        if let Some(i) = Status::ALL.iter().position(|&s| s == status) {
            self.statuses[i].rows += 1;
        }
        if let Some(f) = facts {
            if let Some(d) = f.imd2025.decile.filter(|d| (1..=10).contains(d)) {
                self.imd2025_deciles[usize::from(d) - 1] += 1;
            }
            self.left_behind += u64::from(f.left_behind);
        }
    }

    /// Notes a row with fewer (`short`) or more fields than the header.
    pub(crate) fn note_ragged(&mut self, line: u64, short: bool) {
        if short {
            self.short_rows += 1;
        } else {
            self.long_rows += 1;
        }
        if self.ragged_lines.len() < RAGGED_LINES_SHOWN {
            self.ragged_lines.push(line);
        }
    }

    /// Rows with `status`.
    pub fn rows_with(&self, status: Status) -> u64 {
        self.statuses
            .iter()
            .find(|c| c.status == status.as_str())
            .map_or(0, |c| c.rows)
    }
}

impl fmt::Display for BatchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} rows ({} delimited, postcodes in column {:?})",
            self.rows, self.delimiter, self.postcode_column
        )?;
        for c in &self.statuses {
            writeln!(f, "  {:>9}  {}", c.rows, c.status)?;
        }
        write!(f, "IMD 2025 decile of the ok rows (1 = most deprived 10%):")?;
        for (i, n) in self.imd2025_deciles.iter().enumerate() {
            write!(f, " {}: {n}", i + 1)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "left behind (worst {}% on both CNI 2023 and IMD 2025): {} rows",
            self.left_behind_percent, self.left_behind
        )?;
        for r in &self.renamed_columns {
            writeln!(
                f,
                "column {:?} is named {:?}: the input has one called {:?}",
                r.from, r.to, r.from
            )?;
        }
        if self.short_rows + self.long_rows > 0 {
            writeln!(
                f,
                "ragged rows: {} shorter than the header (padded), {} longer (extra fields after the \
                 added columns); lines {:?}{}",
                self.short_rows,
                self.long_rows,
                self.ragged_lines,
                if self.short_rows + self.long_rows > self.ragged_lines.len() as u64 {
                    " and more"
                } else {
                    ""
                }
            )?;
        }
        for m in &self.method {
            writeln!(f, "method: {m}")?;
        }
        Ok(())
    }
}
