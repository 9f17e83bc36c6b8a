//! Lean CSV reading shared by the loaders: open a plain or gzipped file, find columns by name,
//! turn reader errors into [`SearchError`]s that name the file, line and column.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, ErrorKind, Reader, ReaderBuilder};
use flate2::read::MultiGzDecoder;

use crate::error::SearchError;

/// An open CSV file with its header already read.
pub(crate) struct Table {
    /// The file, for error messages.
    pub file: PathBuf,
    /// Whether the file is gzipped (I/O errors then mean a broken gzip stream).
    gz: bool,
    reader: Reader<Box<dyn Read + Send>>,
    header: Vec<String>,
    /// The line of the last record read (1 = header).
    pub line: u64,
}

impl Table {
    /// Opens `path`, gunzipping it when the name ends in `.gz`, and reads the header.
    pub fn open(path: &Path) -> Result<Table, SearchError> {
        let file = path.to_path_buf();
        let raw = File::open(path).map_err(|source| SearchError::Io {
            file: file.clone(),
            source,
        })?;
        let gz = path.extension().is_some_and(|e| e == "gz");
        let inner: Box<dyn Read + Send> = if gz {
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, raw)))
        } else {
            Box::new(raw)
        };
        let mut reader = ReaderBuilder::new()
            .buffer_capacity(1 << 17)
            .has_headers(true)
            .from_reader(inner);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(&file, gz, 0, e))?
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_owned()
            })
            .collect();
        let table = Table {
            file,
            gz,
            reader,
            header,
            line: 1,
        };
        Ok(table)
    }

    /// The index of each named column, or [`SearchError::MissingColumn`] for the first one absent.
    pub fn columns<const N: usize>(
        &self,
        names: [&'static str; N],
    ) -> Result<[usize; N], SearchError> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.header.iter().position(|h| h == name).ok_or_else(|| {
                SearchError::MissingColumn {
                    file: self.file.clone(),
                    column: name,
                    found: self.header.join(", "),
                }
            })?;
        }
        Ok(out)
    }

    /// Reads the next record into `record`; `Ok(false)` at the end of the file.
    pub fn next(&mut self, record: &mut ByteRecord) -> Result<bool, SearchError> {
        match self.reader.read_byte_record(record) {
            Ok(true) => {
                self.line = record.position().map_or(self.line + 1, |p| p.line());
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => Err(csv_error(&self.file, self.gz, self.line, e)),
        }
    }

    /// A [`SearchError::BadValue`] for `column` on the current line.
    pub fn bad_value(
        &self,
        column: &'static str,
        expected: &'static str,
        value: &[u8],
    ) -> SearchError {
        let text = String::from_utf8_lossy(value);
        SearchError::BadValue {
            file: self.file.clone(),
            line: self.line,
            column,
            expected,
            value: text.chars().take(60).collect(),
        }
    }

    /// A field as UTF-8 text, trimmed.
    pub fn text<'r>(
        &self,
        record: &'r ByteRecord,
        index: usize,
        column: &'static str,
    ) -> Result<&'r str, SearchError> {
        let bytes = record.get(index).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| self.bad_value(column, "UTF-8 text", bytes))
    }

    /// An optional coordinate: blank gives `None`, otherwise a number within `-limit..=limit`.
    pub fn coordinate(
        &self,
        record: &ByteRecord,
        index: usize,
        column: &'static str,
        limit: f64,
    ) -> Result<Option<f64>, SearchError> {
        let bytes = record.get(index).unwrap_or_default().trim_ascii();
        if bytes.is_empty() {
            return Ok(None);
        }
        let expected = if limit <= 90.0 {
            "a latitude in decimal degrees (a number between -90 and 90) or a blank"
        } else {
            "a longitude in decimal degrees (a number between -180 and 180) or a blank"
        };
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite() && v.abs() <= limit)
            .map(Some)
            .ok_or_else(|| self.bad_value(column, expected, bytes))
    }

    /// A latitude and longitude pair given as `[lon, lat]`: both blank gives `None`, one blank is
    /// an error.
    pub fn point(
        &self,
        record: &ByteRecord,
        lat_index: usize,
        lon_index: usize,
        lat_column: &'static str,
        lon_column: &'static str,
    ) -> Result<Option<[f64; 2]>, SearchError> {
        let lat = self.coordinate(record, lat_index, lat_column, 90.0)?;
        let lon = self.coordinate(record, lon_index, lon_column, 180.0)?;
        match (lat, lon) {
            (Some(lat), Some(lon)) => Ok(Some([lon, lat])),
            (None, None) => Ok(None),
            (None, Some(_)) => {
                Err(self.bad_value(lat_column, "a latitude, since the longitude is given", b""))
            }
            (Some(_), None) => {
                Err(self.bad_value(lon_column, "a longitude, since the latitude is given", b""))
            }
        }
    }
}

/// Converts a CSV reader error into a [`SearchError`] for `file`; `last_line` is the line of the
/// last record read successfully.
fn csv_error(file: &Path, gz: bool, last_line: u64, err: csv::Error) -> SearchError {
    let line = err.position().map_or(last_line + 1, |p| p.line());
    let file = file.to_path_buf();
    if let ErrorKind::UnequalLengths {
        expected_len, len, ..
    } = err.kind()
    {
        return SearchError::MalformedRow {
            file,
            line,
            expected: *expected_len,
            found: *len,
        };
    }
    if !err.is_io_error() {
        return SearchError::Csv {
            file,
            line,
            source: err,
        };
    }
    match err.into_kind() {
        ErrorKind::Io(source) if gz => SearchError::Gzip {
            file,
            line: last_line,
            source,
        },
        ErrorKind::Io(source) => SearchError::Io { file, source },
        _ => SearchError::Csv {
            file,
            line,
            source: csv::Error::from(std::io::Error::other("unexpected CSV error")),
        },
    }
}

/// Parses decimal degrees into millionths of a degree, rounding. Plain decimals (`51.775011`,
/// `-2.1`) take a fast path; anything else (`1e-06`) goes through the standard float parser.
/// `None` for text that is not a finite number within `-limit..=limit` degrees.
pub(crate) fn micro_degrees(field: &[u8], limit: f64) -> Option<i32> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    let mut value: i64 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut seen_digit = false;
    let mut fast = digits.len() <= 16;
    for &b in digits {
        match b {
            b'0'..=b'9' if !seen_point || scale < 7 => {
                value = value * 10 + i64::from(b - b'0');
                seen_digit = true;
                if seen_point {
                    scale += 1;
                }
            }
            b'0'..=b'9' => {}
            b'.' if !seen_point => seen_point = true,
            _ => {
                fast = false;
                break;
            }
        }
    }
    if fast && seen_digit {
        // `value` has `scale` decimals: bring it to 7 and round to 6.
        let tenths_of_micro = value * 10i64.pow(7 - scale);
        let micro = (tenths_of_micro + 5) / 10;
        let micro = if negative { -micro } else { micro };
        return (micro.unsigned_abs() as f64 <= limit * 1e6)
            .then(|| i32::try_from(micro).ok())
            .flatten();
    }
    let degrees: f64 = std::str::from_utf8(field).ok()?.parse().ok()?;
    (degrees.is_finite() && degrees.abs() <= limit).then(|| (degrees * 1e6).round() as i32)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::six_decimals("51.775011", Some(51_775_011))]
    #[case::negative("-2.114848", Some(-2_114_848))]
    #[case::few_decimals("1.1", Some(1_100_000))]
    #[case::integer("52", Some(52_000_000))]
    #[case::rounds_seventh_decimal("0.0000005", Some(1))]
    #[case::many_decimals("51.4346123456", Some(51_434_612))]
    #[case::exponent("1e-06", Some(1))]
    #[case::negative_exponent("-7.1e-05", Some(-71))]
    #[case::text("fifty-one", None)]
    #[case::empty("", None)]
    #[case::lone_minus("-", None)]
    #[case::out_of_range("91.0", None)]
    #[case::two_points("51.7.1", None)]
    fn micro_degrees_parses_decimals_and_refuses_text(
        #[case] text: &str,
        #[case] expected: Option<i32>,
    ) {
        assert_eq!(micro_degrees(text.as_bytes(), 90.0), expected);
    }
}
