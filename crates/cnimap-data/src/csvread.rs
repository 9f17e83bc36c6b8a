//! Reading published CSV files: optional gzip, a UTF-8 byte-order mark, long human headers,
//! thousands separators ("29,199"), and errors that name the file, line and column.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{DataError, Result};

/// An open CSV file whose header has been read.
pub struct CsvFile {
    path: PathBuf,
    headers: Vec<String>,
    reader: csv::Reader<Box<dyn Read + Send>>,
}

impl CsvFile {
    /// Opens `path` (gzip if it ends in `.gz`) and reads its header, dropping a UTF-8 BOM.
    pub fn open(path: &Path) -> Result<CsvFile> {
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.into(),
            source,
        })?;
        let inner: Box<dyn Read + Send> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)))
        } else {
            Box::new(file)
        };
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 16)
            .from_reader(inner);
        let headers = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        Ok(CsvFile {
            path: path.into(),
            headers,
            reader,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header, BOM removed.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The position of a required column, or a [`DataError::MissingColumn`] listing what is there.
    pub fn column(&self, name: &str) -> Result<Column> {
        self.headers
            .iter()
            .position(|h| h == name)
            .map(|index| Column {
                index,
                name: self.headers[index].clone(),
            })
            .ok_or_else(|| DataError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                found: self.headers.join(", "),
            })
    }

    /// Calls `f` with every data row, in order. Stops at the first error.
    pub fn for_each_row(&mut self, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<usize> {
        let mut record = csv::StringRecord::new();
        let mut count = 0;
        loop {
            match self.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&self.path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            f(&Row {
                path: &self.path,
                line,
                record: &record,
            })?;
            count += 1;
        }
        Ok(count)
    }
}

/// A column found in the header.
#[derive(Debug, Clone)]
pub struct Column {
    index: usize,
    name: String,
}

/// One data row, with enough context to report errors precisely.
pub struct Row<'a> {
    path: &'a Path,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// 1-based line number of the row in the file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The raw text of a cell, trimmed.
    pub fn str(&self, col: &Column) -> &str {
        self.record.get(col.index).unwrap_or("").trim()
    }

    /// An error about this row's cell in `col`.
    pub fn bad(&self, col: &Column, expected: &str) -> DataError {
        DataError::BadValue {
            path: self.path.into(),
            line: self.line,
            column: col.name.clone(),
            expected: expected.to_string(),
            found: self.str(col).to_string(),
        }
    }

    /// A non-empty text cell.
    pub fn text(&self, col: &Column) -> Result<&str> {
        let s = self.str(col);
        if s.is_empty() {
            Err(self.bad(col, "a non-empty value"))
        } else {
            Ok(s)
        }
    }

    /// A code that must start with `prefix` and be nine characters ("E01000001").
    pub fn code(&self, col: &Column, prefix: &str, what: &str) -> Result<&str> {
        let s = self.str(col);
        if s.len() == 9 && s.starts_with(prefix) && s.is_ascii() {
            Ok(s)
        } else {
            Err(self.bad(
                col,
                &format!("{what} code like {prefix}{}", "0".repeat(9 - prefix.len())),
            ))
        }
    }

    /// A whole number, allowing thousands separators ("29,199"); empty is `None`.
    pub fn opt_u32(&self, col: &Column) -> Result<Option<u32>> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(None);
        }
        parse_u32(s)
            .map(Some)
            .ok_or_else(|| self.bad(col, "a whole number"))
    }

    /// A required whole number.
    pub fn u32(&self, col: &Column) -> Result<u32> {
        self.opt_u32(col)?
            .ok_or_else(|| self.bad(col, "a whole number"))
    }

    /// A rank: a whole number from 1 to `n`.
    pub fn rank(&self, col: &Column, n: u32) -> Result<u32> {
        match self.opt_u32(col)? {
            Some(r) if (1..=n).contains(&r) => Ok(r),
            _ => Err(self.bad(col, &format!("a rank from 1 to {n}"))),
        }
    }

    /// A decile: a whole number from 1 to 10.
    pub fn decile(&self, col: &Column) -> Result<u8> {
        match self.opt_u32(col)? {
            Some(d @ 1..=10) => Ok(d as u8),
            _ => Err(self.bad(col, "a decile from 1 to 10")),
        }
    }

    /// A decimal number, allowing thousands separators; empty is `None`.
    pub fn opt_f64(&self, col: &Column) -> Result<Option<f64>> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(None);
        }
        parse_f64(s)
            .map(Some)
            .ok_or_else(|| self.bad(col, "a number"))
    }

    /// A required finite decimal number.
    pub fn f64(&self, col: &Column) -> Result<f64> {
        self.opt_f64(col)?.ok_or_else(|| self.bad(col, "a number"))
    }

    /// A boolean written `True`/`False`/`TRUE`/`FALSE`/`1`/`0`.
    pub fn bool(&self, col: &Column) -> Result<bool> {
        match self.str(col).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(self.bad(col, "True or False")),
        }
    }
}

/// Parses a whole number, allowing thousands separators ("29,199").
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.contains(',') {
        // Thousands separators must group digits in threes.
        let mut parts = s.split(',');
        let first = parts.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        out.push_str(first);
        for p in parts {
            if p.len() != 3 {
                return None;
            }
            out.push_str(p);
        }
        return out.parse().ok();
    }
    s.parse().ok()
}

/// Parses a finite decimal number, allowing thousands separators.
pub fn parse_f64(s: &str) -> Option<f64> {
    let v: f64 = if s.contains(',') {
        s.replace(',', "").parse().ok()?
    } else {
        s.parse().ok()?
    };
    v.is_finite().then_some(v)
}

fn csv_error(path: &Path, e: csv::Error) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => DataError::Io { path: path.into(), source },
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => DataError::MalformedRow {
            path: path.into(),
            line,
            message: format!(
                "expected {expected_len} fields like the header, found {len} (a truncated or broken line?)"
            ),
        },
        csv::ErrorKind::Utf8 { err, .. } => DataError::MalformedRow {
            path: path.into(),
            line,
            message: format!("not valid UTF-8 text: {err}"),
        },
        other => DataError::MalformedRow { path: path.into(), line, message: format!("{other:?}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain("29199", Some(29199))]
    #[case::thousands("29,199", Some(29199))]
    #[case::millions("1,234,567", Some(1_234_567))]
    #[case::bad_grouping("2,91,99", None)]
    #[case::leading_comma(",199", None)]
    #[case::text("n/a", None)]
    #[case::negative("-3", None)]
    fn whole_numbers_accept_thousands_separators_only_in_threes(
        #[case] s: &str,
        #[case] want: Option<u32>,
    ) {
        assert_eq!(parse_u32(s), want);
    }

    #[rstest]
    #[case::decimal("8.742", Some(8.742))]
    #[case::negative("-1.771", Some(-1.771))]
    #[case::nan("NaN", None)]
    #[case::inf("inf", None)]
    fn decimals_must_be_finite(#[case] s: &str, #[case] want: Option<f64>) {
        assert_eq!(parse_f64(s), want);
    }
}
