//! A CSV's dialect read from its first bytes (delimiter, byte-order mark, line ending), files that
//! are not CSV refused with a reason, and the postcode column found by name.
//!
//! The delimiter is the one of `,` `;` tab `|` that appears, outside quotes, the same number of
//! times on the most of the first lines (the header's count breaking ties, then that order); a
//! file where none appears in the header has one column.

use csv::ByteRecord;

use super::error::LookupError;

/// How many bytes the dialect is read from.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// How many lines the delimiter is read from.
const SNIFF_LINES: usize = 50;

/// The delimiters recognised, in order of preference.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What was read from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the file starts with a UTF-8 byte-order mark (kept in the output).
    pub bom: bool,
    /// Whether lines end with CR LF (kept in the output).
    pub crlf: bool,
}

impl Dialect {
    /// The delimiter as people say it.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b',' => "comma",
            b';' => "semicolon",
            b'\t' => "tab",
            b'|' => "pipe",
            _ => "other",
        }
    }
}

/// Reads the dialect from `prefix`, the first [`SNIFF_BYTES`] of the file (or all of it), and
/// refuses what is not a text CSV.
pub fn sniff(prefix: &[u8]) -> Result<Dialect, LookupError> {
    refuse_non_csv(prefix)?;
    let bom = prefix.starts_with(BOM);
    let text = if bom { &prefix[BOM.len()..] } else { prefix };
    let lines = split_lines(text);
    let crlf = lines.first().is_some_and(|l| l.crlf);
    let delimiter = DELIMITERS
        .iter()
        .enumerate()
        .filter_map(|(preference, &d)| {
            let header_count = lines.first()?.count(d);
            let agreeing = lines.iter().filter(|l| l.count(d) == header_count).count();
            (header_count > 0)
                .then_some(((agreeing, header_count, std::cmp::Reverse(preference)), d))
        })
        .max_by_key(|(key, _)| *key)
        .map_or(b',', |(_, d)| d);
    Ok(Dialect {
        delimiter,
        bom,
        crlf,
    })
}

/// Refuses files that are not text CSV: a workbook, UTF-16 text, binary data.
fn refuse_non_csv(prefix: &[u8]) -> Result<(), LookupError> {
    if prefix.starts_with(b"PK\x03\x04") {
        return Err(LookupError::NotCsv {
            what: "a ZIP archive (an Excel .xlsx or OpenDocument workbook?)",
        });
    }
    if prefix.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(LookupError::NotCsv {
            what: "an old Excel .xls workbook",
        });
    }
    if prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF") {
        return Err(LookupError::NotCsv {
            what: "UTF-16 text",
        });
    }
    if let Some(at) = prefix.iter().position(|&b| b == 0) {
        let line = 1 + prefix[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        return Err(LookupError::Binary { line });
    }
    Ok(())
}

/// One physical line of the sniffed prefix, with its delimiters counted outside quotes.
struct SniffedLine {
    counts: [usize; DELIMITERS.len()],
    crlf: bool,
}

impl SniffedLine {
    fn count(&self, d: u8) -> usize {
        DELIMITERS
            .iter()
            .position(|&x| x == d)
            .map_or(0, |i| self.counts[i])
    }
}

/// The first [`SNIFF_LINES`] complete records of `text`, quotes respected (a quoted line break does
/// not end a line). A last line cut off by the end of the prefix is dropped unless it is the only
/// one.
fn split_lines(text: &[u8]) -> Vec<SniffedLine> {
    let mut lines = Vec::new();
    let mut current = SniffedLine {
        counts: [0; DELIMITERS.len()],
        crlf: false,
    };
    let mut in_quotes = false;
    let mut previous = 0u8;
    let mut started = false;
    for &b in text {
        if lines.len() >= SNIFF_LINES {
            break;
        }
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                current.crlf = previous == b'\r';
                if started {
                    lines.push(std::mem::replace(
                        &mut current,
                        SniffedLine {
                            counts: [0; DELIMITERS.len()],
                            crlf: false,
                        },
                    ));
                }
                started = false;
                previous = b;
                continue;
            }
            _ if !in_quotes => {
                if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                    current.counts[i] += 1;
                }
            }
            _ => {}
        }
        if b != b'\r' {
            started = true;
        }
        previous = b;
    }
    if started && lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// A header name reduced for matching: ASCII letters and digits, lower case (`"Post Code"` ->
/// `"postcode"`, `"PCD_2"` -> `"pcd2"`).
pub fn normalise_header(name: &[u8]) -> String {
    name.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

/// Header names taken for a postcode column, after [`normalise_header`], best first; `postcode`
/// followed by digits (`postcode1`, `Postcode 2`) comes after these.
pub const POSTCODE_NAMES: [&str; 14] = [
    "postcode",
    "postcodes",
    "postalcode",
    "pcds",
    "pcd",
    "pcd7",
    "pcd8",
    "pcd2",
    "pcode",
    "postcodeunit",
    "unitpostcode",
    "postcodefull",
    "fullpostcode",
    "zipcode",
];

/// How good a postcode column name is (lower is better), or `None` when it is not one.
fn postcode_name_rank(norm: &str) -> Option<usize> {
    if let Some(i) = POSTCODE_NAMES.iter().position(|&n| n == norm) {
        return Some(i);
    }
    let digits = norm.strip_prefix("postcode")?;
    let n: usize = digits.parse().ok()?;
    Some(POSTCODE_NAMES.len() + n.min(1_000))
}

/// A header field for messages (lossy UTF-8, at most 60 characters).
pub fn shown(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push_str("...");
    }
    out
}

/// The header's names for messages: at most 20, quoted, comma-separated.
pub fn header_list(headers: &ByteRecord) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .take(20)
        .map(|h| format!("{:?}", shown(h)))
        .collect();
    if headers.len() > 20 {
        names.push(format!("and {} more", headers.len() - 20));
    }
    names.join(", ")
}

/// The index of the postcode column: the one named `given` (exactly, else after
/// [`normalise_header`]), or the best-named postcode column (first of equals).
pub fn find_postcode_column(
    headers: &ByteRecord,
    given: Option<&str>,
) -> Result<usize, LookupError> {
    if let Some(given) = given {
        let trimmed = given.trim().as_bytes();
        if let Some(i) = headers.iter().position(|h| h.trim_ascii() == trimmed) {
            return Ok(i);
        }
        let norm = normalise_header(trimmed);
        if !norm.is_empty() {
            if let Some(i) = headers.iter().position(|h| normalise_header(h) == norm) {
                return Ok(i);
            }
        }
        return Err(LookupError::ColumnNotFound {
            given: given.to_string(),
            headers: header_list(headers),
        });
    }
    headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| postcode_name_rank(&normalise_header(h)).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i)
        .ok_or_else(|| LookupError::NoPostcodeColumn {
            headers: header_list(headers),
        })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::comma("postcode,name\nCO15 2EQ,a\n", b',')]
    #[case::semicolon("name;postcode;amount\nSmith, J;CO15 2EQ;5,00\n", b';')]
    #[case::tab("postcode\tname\nCO15 2EQ\ta, b\n", b'\t')]
    #[case::pipe("postcode|name\nCO15 2EQ|a;b\n", b'|')]
    #[case::single_column("postcode\nCO15 2EQ\n", b',')]
    #[case::quoted_delimiters_do_not_count("\"a;b\",postcode\n\"x;y\",CO15 2EQ\n", b',')]
    #[case::quoted_line_break_keeps_the_record_whole(
        "id;note;postcode\n1;\"two\nlines, here\";CO15 2EQ\n",
        b';'
    )]
    fn the_delimiter_is_the_one_used_consistently(#[case] text: &str, #[case] expected: u8) {
        assert_eq!(
            sniff(text.as_bytes()).ok().map(|d| d.delimiter),
            Some(expected)
        );
    }

    #[test]
    fn a_bom_and_crlf_are_noticed() {
        let d = sniff(b"\xEF\xBB\xBFpostcode;x\r\nCO15 2EQ;1\r\n").expect("sniffed");
        assert_eq!(
            d,
            Dialect {
                delimiter: b';',
                bom: true,
                crlf: true
            }
        );
    }

    #[rstest]
    #[case::xlsx(b"PK\x03\x04rest".as_slice(), "ZIP")]
    #[case::xls(b"\xD0\xCF\x11\xE0rest".as_slice(), ".xls")]
    #[case::utf16(b"\xFF\xFEp\0o\0".as_slice(), "UTF-16")]
    #[case::binary(b"postcode\nCO15\x002EQ\n".as_slice(), "line 2")]
    fn files_that_are_not_csv_are_refused_with_what_they_look_like(
        #[case] bytes: &[u8],
        #[case] words: &str,
    ) {
        let message = sniff(bytes).expect_err("refused").to_string();
        assert!(message.contains(words), "{message}");
    }

    fn header(names: &[&str]) -> ByteRecord {
        ByteRecord::from(names.to_vec())
    }

    #[rstest]
    #[case::plain(&["name", "postcode"], 1)]
    #[case::spaced_and_cased(&["Name", "Post Code"], 1)]
    #[case::underscored(&["PCD_2", "x"], 0)]
    #[case::numbered(&["id", "Postcode1", "Postcode2"], 1)]
    #[case::exact_beats_numbered(&["postcode2", "postcode"], 1)]
    #[case::ons_pcds(&["pcds", "lat"], 0)]
    fn the_postcode_column_is_found_by_name(#[case] names: &[&str], #[case] expected: usize) {
        assert_eq!(
            find_postcode_column(&header(names), None).ok(),
            Some(expected)
        );
    }

    #[test]
    fn a_named_column_wins_and_a_missing_one_lists_the_headers() {
        let h = header(&["postcode", "Home PC"]);
        assert_eq!(find_postcode_column(&h, Some("home pc")).ok(), Some(1));
        let message = find_postcode_column(&h, Some("zip"))
            .expect_err("missing")
            .to_string();
        assert!(
            message.contains("\"zip\"") && message.contains("\"Home PC\""),
            "{message}"
        );
        let none = find_postcode_column(&header(&["name", "town"]), None)
            .expect_err("none")
            .to_string();
        assert!(
            none.contains("\"town\"") && none.contains("--column"),
            "{none}"
        );
    }
}
