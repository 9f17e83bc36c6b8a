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
