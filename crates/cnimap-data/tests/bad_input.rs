//! Bad input gets a clear error naming the file, line and column: hand-made fixtures for the CSV
//! reader, and broken copies of the real files (made in a temporary folder) for the readers.

use cnimap_testkit::data_dir;
use std::path::{Path, PathBuf};

use cnimap_data::csvread::CsvFile;
use cnimap_data::indicators;
use cnimap_data::DataError;
use rstest::rstest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csv")
        .join(name)
}

/// Reads rank and decile from a fixture the way the indicator readers do.
fn read_ranks(path: &Path) -> Result<Vec<(String, u32, u8)>, DataError> {
    let mut csv = CsvFile::open(path)?;
    let code = csv.column("lsoa21_code")?;
    let rank = csv.column("IMD_rank")?;
    let decile = csv.column("IMD_decile")?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    csv.for_each_row(|row| {
        let c = row.code(&code, "E01", "an LSOA 2021")?.to_string();
        if let Some(first) = seen.insert(c.clone(), row.line()) {
            return Err(DataError::DuplicateCode {
                path: path.into(),
                line: row.line(),
                first_line: first,
                code: c,
            });
        }
        out.push((c, row.rank(&rank, 33_755)?, row.decile(&decile)?));
        Ok(())
    })?;
    Ok(out)
}

#[test]
fn a_byte_order_mark_and_thousands_separators_are_read_as_published() {
    let path = fixture("bom_thousands.csv");
    let mut csv = CsvFile::open(&path).expect("opens");
    assert_eq!(
        csv.headers()[0],
        "LSOA code (2011)",
        "the BOM is not part of the first header"
    );
    let pop = csv
        .column("Total population: mid 2015 (excluding prisoners)")
        .expect("long header");
    let mut values = Vec::new();
    csv.for_each_row(|row| {
        values.push(row.u32(&pop)?);
        Ok(())
    })
    .expect("reads");
    assert_eq!(values, vec![1234, 2345]);
}

#[rstest]
#[case::truncated_row("truncated.csv", &["truncated.csv", "line 3", "expected 3 fields"])]
#[case::renamed_column("renamed_column.csv", &["renamed_column.csv", "line 1", "\"IMD_rank\"", "IMD_rnak"])]
#[case::text_in_a_number("text_in_number.csv", &["text_in_number.csv", "line 3", "\"IMD_rank\"", "a whole number", "\"lots\""])]
#[case::duplicate_code("duplicate_code.csv", &["duplicate_code.csv", "line 3", "E01000001", "line 2"])]
#[case::decile_out_of_range("decile_out_of_range.csv", &["line 2", "\"IMD_decile\"", "a decile from 1 to 10", "\"11\""])]
#[case::malformed_code("bad_code.csv", &["line 2", "\"lsoa21_code\"", "X01000001"])]
fn broken_fixtures_name_the_file_line_and_column(#[case] name: &str, #[case] expected: &[&str]) {
    let err = read_ranks(&fixture(name))
        .expect_err("must fail")
        .to_string();
    for part in expected {
        assert!(err.contains(part), "{err:?} should mention {part:?}");
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let err = CsvFile::open(&fixture("no_such_file.csv"))
        .err()
        .expect("fails")
        .to_string();
    assert!(
        err.contains("no_such_file.csv") && err.contains("cannot read"),
        "{err}"
    );
}

/// A data folder whose `indicators/` holds a broken copy of one real file.
fn broken_copy(file: &str, breaker: impl Fn(String) -> String) -> tempfile::TempDir {
    let src = data_dir().join("indicators").join(file);
    let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("indicators")).expect("mkdir");
    std::fs::write(dir.path().join("indicators").join(file), breaker(text)).expect("write");
    dir
}

#[test]
fn a_real_file_cut_short_is_reported_as_truncated() {
    // Cut at a line boundary halfway: every row is well-formed, but rows are missing.
    let dir = broken_copy("cni2023_lsoa21.csv", |t| {
        t.lines().take(20_000).collect::<Vec<_>>().join("\n")
    });
    let err = indicators::read_cni2023(dir.path())
        .expect_err("fails")
        .to_string();
    assert!(
        err.contains("cni2023_lsoa21.csv") && err.contains("expected 33755 rows, found 19999"),
        "{err}"
    );
}

#[test]
fn a_real_file_cut_mid_line_names_the_line() {
    let dir = broken_copy("cni2023_lsoa21.csv", |t| t[..t.len() / 2].to_string());
    let err = indicators::read_cni2023(dir.path())
        .expect_err("fails")
        .to_string();
    assert!(
        err.contains("cni2023_lsoa21.csv") && err.contains("line "),
        "{err}"
    );
}

#[test]
fn a_renamed_column_in_a_real_file_lists_what_is_there() {
    let dir = broken_copy("cni2023_lsoa21.csv", |t| {
        t.replacen("Civic Assets Domain Rank", "Civic Rank", 1)
    });
    let err = indicators::read_cni2023(dir.path())
        .expect_err("fails")
        .to_string();
    assert!(
        err.contains("missing column \"Civic Assets Domain Rank\""),
        "{err}"
    );
    assert!(err.contains("Civic Rank"), "{err}");
}

#[test]
fn text_in_a_numeric_column_of_a_real_file_names_line_and_column() {
    // Line 101 of the file: replace its CNI score with text.
    let dir = broken_copy("cni2023_lsoa21.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let mut cells: Vec<String> = lines[100].split(',').map(str::to_string).collect();
        cells[2] = "high".into();
        lines[100] = cells.join(",");
        lines.join("\n")
    });
    let err = indicators::read_cni2023(dir.path())
        .expect_err("fails")
        .to_string();
    assert!(err.contains("line 101"), "{err}");
    assert!(
        err.contains("\"Community Needs Index 2023 Score\""),
        "{err}"
    );
    assert!(err.contains("\"high\""), "{err}");
}
