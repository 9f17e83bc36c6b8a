//! The streaming pass of a bulk lookup: reads a CSV record by record and writes each one back, in
//! order, with its fields untouched and the [`APPENDED_COLUMNS`] after them. Memory stays at one
//! record plus the sniffed prefix, whatever the number of rows.
//!
//! Rows are kept whatever their shape: a row shorter than the header is padded with empty fields so
//! the appended columns stay under their names; the fields of a row longer than the header (they
//! have no name) are written after the appended columns. Both are counted in the summary with
//! their line numbers. Blank lines hold no row and are skipped. Fields are written back with the
//! input's delimiter and line ending, quoted only where CSV needs it, and a byte-order mark at the
//! start is kept.
//!
//! Refused, with the line: a file that is not CSV text, a header without a postcode column, a field
//! over [`MAX_FIELD_BYTES`] or a quote never closed (both swallow the rest of the file into one
//! field), more rows than the caller allows.

use std::io::{self, Read, Write};

use csv::ByteRecord;

use super::dialect::{find_postcode_column, shown, sniff, BOM, SNIFF_BYTES};
pub use super::error::LookupError;
use super::summary::BatchSummary;
use super::{AreaFacts, AreaTable, PostcodeLocator, Status, APPENDED_COLUMNS};

/// The longest field accepted, in bytes: a longer one is almost always a quote never closed.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// A postcode field longer than this (in characters) is malformed without being looked up.
pub const MAX_POSTCODE_CHARS: usize = 32;

/// What the caller asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupRequest {
    /// The postcode column's name; found by name when `None`.
    pub column: Option<String>,
    /// The most data rows accepted; `None` for no limit.
    pub max_rows: Option<u64>,
}

/// Passes bytes through, counting the double quotes.
struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        Ok(n)
    }
}

/// Reads up to [`SNIFF_BYTES`] from the start of `input`.
fn read_prefix(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    input.take(SNIFF_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// The names of the appended columns, each clashing with an input column (ignoring case and
/// surrounding spaces) renamed `cnimap.NAME` (then `cnimap.NAME.2`, ...). Returns the names and
/// the renames made.
fn appended_names(headers: &ByteRecord) -> (Vec<String>, Vec<(String, String)>) {
    let taken: std::collections::HashSet<Vec<u8>> = headers
        .iter()
        .map(|h| h.trim_ascii().to_ascii_lowercase())
        .collect();
    let free = |name: &str| !taken.contains(name.to_ascii_lowercase().as_bytes());
    let mut renamed = Vec::new();
    let names = APPENDED_COLUMNS
        .iter()
        .map(|&name| {
            if free(name) {
                return name.to_string();
            }
            let mut candidate = format!("cnimap.{name}");
            let mut n = 2;
            while !free(&candidate) {
                candidate = format!("cnimap.{name}.{n}");
                n += 1;
            }
            renamed.push((name.to_string(), candidate.clone()));
            candidate
        })
        .collect();
    (names, renamed)
}

/// Refuses a record with a field longer than [`MAX_FIELD_BYTES`].
fn check_field_lengths(
    record: &ByteRecord,
    headers: &ByteRecord,
    line: u64,
) -> Result<(), LookupError> {
    match record.iter().position(|f| f.len() > MAX_FIELD_BYTES) {
        None => Ok(()),
        Some(i) => Err(LookupError::FieldTooLong {
            line,
            column: i + 1,
            name: headers.get(i).map_or_else(|| "no name".to_string(), shown),
            max: MAX_FIELD_BYTES,
        }),
    }
}

/// Takes the CR of a CRLF line ending off the record's last field (`scratch` is reused). Returns
/// whether the record is a blank line (one empty field), which holds no row.
fn strip_cr(record: &mut ByteRecord, scratch: &mut ByteRecord) -> bool {
    let last = record.len().saturating_sub(1);
    if record.get(last).is_some_and(|f| f.ends_with(b"\r")) {
        scratch.clear();
        for (i, field) in record.iter().enumerate() {
            scratch.push_field(if i == last {
                &field[..field.len() - 1]
            } else {
                field
            });
        }
        scratch.set_position(record.position().cloned());
        std::mem::swap(record, scratch);
    }
    record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty)
}

/// The status and area of one postcode field (`None` when the row is too short to have one).
fn look_up<'t, L: PostcodeLocator + ?Sized>(
    field: Option<&[u8]>,
    locator: &L,
    table: &'t AreaTable,
) -> (Status, Option<&'t AreaFacts>) {
    let Some(text) = field.and_then(|f| std::str::from_utf8(f).ok()) else {
        return (Status::Malformed, None);
    };
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_POSTCODE_CHARS {
        return (Status::Malformed, None);
    }
    table.resolve(&locator.locate(text))
}

/// Looks up every row of the CSV `input` and writes it, augmented, to `output`; returns the batch
/// summary. `input` is read once, front to back; nothing is held but the current record.
pub fn augment<R, W, L>(
    mut input: R,
    output: W,
    locator: &L,
    table: &AreaTable,
    request: &LookupRequest,
) -> Result<BatchSummary, LookupError>
where
    R: Read,
    W: Write,
    L: PostcodeLocator + ?Sized,
{
    let read_error = |line: u64| {
        move |e: csv::Error| LookupError::Read {
            line,
            source: io::Error::from(e),
        }
    };
    let write_error = |e: csv::Error| LookupError::Write(io::Error::from(e));
    let prefix = read_prefix(&mut input).map_err(|source| LookupError::Read { line: 1, source })?;
    let dialect = sniff(&prefix)?;
    let mut start = io::Cursor::new(prefix);
    if dialect.bom {
        start.set_position(BOM.len() as u64);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .has_headers(false)
        .flexible(true)
        // Lines end at LF; a CR before it is taken off the last field (see `strip_cr`), which keeps
        // line numbers right for CRLF files.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(QuoteCounter {
            inner: start.chain(input),
            quotes: 0,
        });
    let mut headers = ByteRecord::new();
    let mut scratch = ByteRecord::new();
    // The header is the first line that is not blank.
    loop {
        if !reader
            .read_byte_record(&mut headers)
            .map_err(read_error(1))?
        {
            return Err(LookupError::Empty);
        }
        if !strip_cr(&mut headers, &mut scratch) {
            break;
        }
    }
    if headers.iter().all(|h| h.trim_ascii().is_empty()) {
        return Err(LookupError::Empty);
    }
    check_field_lengths(&headers, &headers, 1)?;
    let column = find_postcode_column(&headers, request.column.as_deref())?;
    let width = headers.len();
    let (names, renamed) = appended_names(&headers);
    let mut output = output;
    if dialect.bom {
        output.write_all(BOM).map_err(LookupError::Write)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .terminator(if dialect.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .flexible(true)
        .from_writer(output);
    writer
        .write_record(headers.iter().chain(names.iter().map(String::as_bytes)))
        .map_err(write_error)?;
    let mut summary = BatchSummary::new(
        &dialect,
        shown(headers.get(column).unwrap_or_default()),
        renamed,
        table,
    );
    let percent = table.rule().percent();
    let (yes, no) = (format!("yes ({percent}%)"), format!("no ({percent}%)"));
    let mut record = ByteRecord::new();
    let mut last = (1u64, false);
    let mut number = String::new();
    loop {
        let line = last.0;
        if !reader
            .read_byte_record(&mut record)
            .map_err(read_error(line))?
        {
            break;
        }
        if strip_cr(&mut record, &mut scratch) {
            continue;
        }
        let line = record.position().map_or(line, csv::Position::line);
        if request.max_rows.is_some_and(|max| summary.rows >= max) {
            return Err(LookupError::TooManyRows {
                max: summary.rows,
                line,
            });
        }
        check_field_lengths(&record, &headers, line)?;
        last = (line, record.iter().any(|f| f.contains(&b'\n')));
        if record.len() != width {
            summary.note_ragged(line, record.len() < width);
        }
        let (status, facts) = look_up(record.get(column), locator, table);
        summary.count(status, facts);
        for field in record.iter().take(width) {
            writer.write_field(field).map_err(write_error)?;
        }
        for _ in record.len()..width {
            writer.write_field(b"").map_err(write_error)?;
        }
        match facts {
            Some(f) => {
                for text in [
                    &f.lsoa21_code,
                    &f.lsoa21_name,
                    &f.msoa_name,
                    &f.ward24_name,
                    &f.lad24_code,
                    &f.lad24_name,
                    &f.region_name,
                ] {
                    writer.write_field(text).map_err(write_error)?;
                }
                for value in [
                    f.imd2025.rank,
                    f.imd2025.decile.map(u32::from),
                    f.cni2023.rank,
                    f.cni2023.decile.map(u32::from),
                ] {
                    number.clear();
                    if let Some(v) = value {
                        number.push_str(&v.to_string());
                    }
                    writer.write_field(&number).map_err(write_error)?;
                }
                writer
                    .write_field(if f.left_behind { &yes } else { &no })
                    .map_err(write_error)?;
            }
            None => {
                for _ in 0..APPENDED_COLUMNS.len() - 1 {
                    writer.write_field(b"").map_err(write_error)?;
                }
            }
        }
        writer.write_field(status.as_str()).map_err(write_error)?;
        for field in record.iter().skip(width) {
            writer.write_field(field).map_err(write_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(write_error)?;
    }
    // An odd number of quotes and a line break inside the last record: its quote never closed.
    if reader.get_ref().quotes % 2 == 1 && last.1 {
        return Err(LookupError::UnclosedQuote { line: last.0 });
    }
    writer.flush().map_err(LookupError::Write)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::super::{Located, Ranked};
    use super::*;
    use crate::left_behind::LeftBehindRule;

    /// Knows `AA1 1AA` (English), `ZZ1 1ZZ` (Scottish); any other postcode-ish text is not in the
    /// file, text with `!` is malformed.
    struct Fake;

    impl PostcodeLocator for Fake {
        fn locate(&self, postcode: &str) -> Located {
            match postcode.to_ascii_uppercase().replace(' ', "").as_str() {
                "AA11AA" => Located::England {
                    lsoa21: Some("E01000001".into()),
                    lsoa11: None,
                },
                "ZZ11ZZ" => Located::OutsideEngland,
                s if s.contains('!') => Located::Malformed,
                _ => Located::NotInFile,
            }
        }
    }

    fn table() -> AreaTable {
        let mut t = AreaTable::new(LeftBehindRule::new(10).expect("valid"));
        t.insert(AreaFacts {
            lsoa21_code: "E01000001".into(),
            lsoa21_name: "Somewhere 001A".into(),
            msoa_name: "Middle, \"Quoted\"".into(),
            ward24_name: "Ward".into(),
            lad24_code: "E06000001".into(),
            lad24_name: "Council".into(),
            region_name: "North East".into(),
            imd2025: Ranked {
                rank: Some(3),
                n: 100,
                decile: Some(1),
            },
            cni2023: Ranked {
                rank: Some(7),
                n: 100,
                decile: Some(1),
            },
            left_behind: false,
        });
        t
    }

    fn run(input: &[u8], request: &LookupRequest) -> Result<(String, BatchSummary), LookupError> {
        let mut out = Vec::new();
        let summary = augment(input, &mut out, &Fake, &table(), request)?;
        Ok((String::from_utf8(out).expect("utf-8"), summary))
    }

    #[test]
    fn rows_keep_their_order_and_fields_and_gain_the_columns() {
        let (out, summary) = run(
            b"id;Post Code;note\n1;aa11aa;\"a;b\"\n2;ZZ1 1ZZ;x\n3;XX9 9XX;y\n4;!!;z\n",
            &LookupRequest::default(),
        )
        .expect("looked up");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            format!("id;Post Code;note;{}", APPENDED_COLUMNS.join(";"))
        );
        assert_eq!(
            lines[1],
            "1;aa11aa;\"a;b\";E01000001;Somewhere 001A;\"Middle, \"\"Quoted\"\"\";Ward;E06000001;\
             Council;North East;3;1;7;1;yes (10%);ok"
        );
        assert!(lines[2].starts_with("2;ZZ1 1ZZ;x;;;") && lines[2].ends_with(";not in England"));
        assert!(lines[3].ends_with(";not in the 2017 postcode file"));
        assert!(lines[4].starts_with("4;!!;z;") && lines[4].ends_with(";malformed"));
        assert_eq!(summary.rows, 4);
        assert_eq!(summary.imd2025_deciles[0], 1);
        assert_eq!(summary.left_behind, 1);
        assert_eq!(summary.postcode_column, "Post Code");
        assert_eq!(summary.delimiter, "semicolon");
    }

    #[test]
    fn bom_and_crlf_come_back_and_ragged_rows_keep_every_field() {
        let (out, summary) = run(
            b"\xEF\xBB\xBFpostcode,a\r\nAA1 1AA\r\nAA1 1AA,1,extra\r\n",
            &LookupRequest::default(),
        )
        .expect("looked up");
        assert!(out.starts_with("\u{feff}postcode,a,lsoa21.code"));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{out:?}");
        assert!(lines[1].starts_with("AA1 1AA,,E01000001,"));
        assert!(lines[2].starts_with("AA1 1AA,1,E01000001,") && lines[2].ends_with(",ok,extra"));
        assert_eq!((summary.short_rows, summary.long_rows), (1, 1));
        assert_eq!(summary.ragged_lines, vec![2, 3]);
    }

    #[test]
    fn clashing_names_are_renamed_and_reported() {
        let (out, summary) =
            run(b"status,postcode\nx,AA1 1AA\n", &LookupRequest::default()).expect("looked up");
        let header = out.lines().next().expect("header");
        assert!(header.starts_with("status,postcode,lsoa21.code"));
        assert!(header.ends_with(",left_behind,cnimap.status"));
        assert_eq!(summary.renamed_columns.len(), 1);
    }

    #[test]
    fn limits_and_broken_files_are_refused_with_the_line() {
        let many = LookupRequest {
            max_rows: Some(2),
            ..LookupRequest::default()
        };
        let err = run(b"postcode\na\nb\nc\n", &many).expect_err("too many");
        assert!(
            matches!(err, LookupError::TooManyRows { max: 2, line: 4 }),
            "{err}"
        );
        let err = run(
            b"postcode,x\nAA1 1AA,\"open\nAA1 1AA,1\n",
            &LookupRequest::default(),
        )
        .expect_err("unclosed");
        assert!(
            matches!(err, LookupError::UnclosedQuote { line: 2 }),
            "{err}"
        );
        let err = run(b"", &LookupRequest::default()).expect_err("empty");
        assert!(matches!(err, LookupError::Empty), "{err}");
        let err = run(b"name,town\nx,y\n", &LookupRequest::default()).expect_err("no column");
        assert!(err.to_string().contains("\"town\""), "{err}");
    }
}
