//! Seeded fuzz of the bulk lookup's CSV reading ([`cnimap_core::bulk::augment`]): generated CSVs,
//! many of them broken (any delimiter, byte-order marks, CR LF and lone CR, quotes opened and never
//! closed, quotes inside fields, ragged rows, blank lines, non-UTF-8 bytes, NUL bytes, workbook
//! signatures, overlong fields, cut-off files). Nothing may panic; every refusal is an input error
//! whose message says where (a line) or what the file is; every accepted file comes back with one
//! output record per row plus the header, each row with a known status. The number of cases comes
//! from `CNIMAP_FUZZ_CASES` (default 2,000), the seed from `CNIMAP_FUZZ_SEED`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cnimap_core::bulk::augment::MAX_FIELD_BYTES;
use cnimap_core::bulk::{
    augment, AreaFacts, AreaTable, Located, LookupRequest, PostcodeLocator, Ranked, Status,
};
use cnimap_core::left_behind::LeftBehindRule;
use cnimap_testkit::{fuzz_cases, fuzz_seed, Rng};

/// `AA1 1AA`-like text with an `E` first is English, with `S` Scottish, else not in the file.
struct Fake;

impl PostcodeLocator for Fake {
    fn locate(&self, postcode: &str) -> Located {
        let compact: String = postcode.split_whitespace().collect();
        if compact.len() < 5 || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Located::Malformed;
        }
        match compact.as_bytes()[0].to_ascii_uppercase() {
            b'E' => Located::England {
                lsoa21: Some("E01000001".into()),
                lsoa11: None,
            },
            b'S' => Located::OutsideEngland,
            _ => Located::NotInFile,
        }
    }
}

fn table() -> AreaTable {
    let mut t = AreaTable::new(LeftBehindRule::new(10).expect("valid"));
    let ranked = |rank| Ranked {
        rank: Some(rank),
        n: 100,
        decile: Some(1),
    };
    t.insert(AreaFacts {
        lsoa21_code: "E01000001".into(),
        lsoa21_name: "Somewhere 001A".into(),
        imd2025: ranked(1),
        cni2023: ranked(2),
        ..AreaFacts::default()
    });
    t
}

const HEADERS: [&str; 8] = [
    "postcode",
    "Post Code",
    "PCD",
    "postcode1",
    "name",
    "",
    "status",
    "lsoa21.code",
];
const FIELDS: [&str; 14] = [
    "E1 6AN", "e16an", "S1 1AA", "SW1A 1AA", "", " ", "hello", "12,5", "\"", "\"\"", "a\"b",
    "x\ny", "é", "\u{feff}",
];
const DELIMITERS: [u8; 5] = [b',', b';', b'\t', b'|', b':'];

fn generate(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.below(8) == 0 {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let d = DELIMITERS[rng.below(DELIMITERS.len())];
    let eol: &[u8] = [b"\n".as_slice(), b"\r\n", b"\r"][rng.below(3)];
    let width = 1 + rng.below(4);
    for i in 0..width {
        if i > 0 {
            out.push(d);
        }
        out.extend_from_slice(rng.pick(&HEADERS).as_bytes());
    }
    out.extend_from_slice(eol);
    for _ in 0..rng.below(40) {
        let fields = match rng.below(6) {
            0 => rng.below(width + 3),
            _ => width,
        };
        for i in 0..fields {
            if i > 0 {
                out.push(d);
            }
            let text = rng.pick(&FIELDS);
            match rng.below(5) {
                0 => {
                    out.push(b'"');
                    out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                }
                _ => out.extend_from_slice(text.as_bytes()),
            }
        }
        if rng.below(15) == 0 {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(eol);
    }
    match rng.below(20) {
        0 => out.truncate(rng.below(out.len() + 1)),
        1 => out.insert(rng.below(out.len() + 1), 0xff),
        2 => out.insert(rng.below(out.len() + 1), b'"'),
        3 => out.insert(rng.below(out.len() + 1), 0),
        4 => out
            .splice(0..0, b"PK\x03\x04".iter().copied())
            .for_each(drop),
        5 => {
            let at = rng.below(out.len() + 1);
            out.splice(at..at, std::iter::repeat_n(b'x', MAX_FIELD_BYTES + 1))
                .for_each(drop);
        }
        _ => {}
    }
    out
}

#[test]
fn generated_csvs_never_panic_and_every_refusal_says_where_or_what() {
    let (cases, seed) = (fuzz_cases(), fuzz_seed());
    let table = table();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let (mut accepted, mut refused) = (0u64, 0u64);
    for case in 0..cases {
        let mut rng = Rng::new(seed ^ case);
        let input = generate(&mut rng);
        let request = LookupRequest {
            column: None,
            max_rows: (rng.below(4) == 0).then_some(10),
        };
        let mut output = Vec::new();
        let result = catch_unwind(AssertUnwindSafe(|| {
            augment(&input[..], &mut output, &Fake, &table, &request)
        }))
        .unwrap_or_else(|_| {
            panic!(
                "case {case} panicked on {:?}",
                String::from_utf8_lossy(&input)
            )
        });
        match result {
            Ok(summary) => {
                accepted += 1;
                let total: u64 = summary.statuses.iter().map(|s| s.rows).sum();
                assert_eq!(total, summary.rows, "case {case}");
                let delimiter = match summary.delimiter.as_str() {
                    "semicolon" => b';',
                    "tab" => b'\t',
                    "pipe" => b'|',
                    _ => b',',
                };
                let body = output.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&output);
                let records: Vec<csv::ByteRecord> = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(delimiter)
                    .from_reader(body)
                    .byte_records()
                    .collect::<Result<_, _>>()
                    .expect("our output reads back");
                assert_eq!(
                    records.len() as u64,
                    summary.rows + 1,
                    "case {case}: rows in = rows out"
                );
                let header = &records[0];
                // Ours is the last: the input may have its own `status`.
                let status_at = header
                    .iter()
                    .collect::<Vec<_>>()
                    .iter()
                    .rposition(|h| *h == b"status" || *h == b"cnimap.status")
                    .expect("status column");
                for r in &records[1..] {
                    let s =
                        std::str::from_utf8(r.get(status_at).unwrap_or_default()).expect("utf-8");
                    assert!(statuses.contains(&s), "case {case}: status {s:?}");
                }
            }
            Err(e) => {
                refused += 1;
                assert!(e.is_input_error(), "case {case}: {e}");
                let message = e.to_string();
                assert!(
                    ["line ", "empty", "rows"]
                        .iter()
                        .any(|w| message.contains(w)),
                    "case {case}: {message}"
                );
            }
        }
    }
    assert_eq!(accepted + refused, cases);
    assert!(
        accepted > 0 && refused > 0,
        "both kinds generated: {accepted} accepted, {refused} refused"
    );
}
