//! Reading the tidy indicator files into [`SourceTable`]s: one main file keyed by area code, more
//! files of the same dataset joined on that code, each checked for duplicates and truncation.

use std::collections::HashMap;
use std::path::Path;

use cnimap_core::catalogue::Source;

use crate::csvread::{Column, CsvFile, Row};
use crate::error::{DataError, Result};

use super::official::{self, Iod2019Official};
use super::spec::{self, Spec};
use super::table::{SourceTable, CNI2019_WARD_COUNT, LSOA11_COUNT, LSOA21_COUNT};

/// How a dataset's main file is laid out: where its codes and names are and which indicators it
/// holds.
struct MainFile<'a> {
    /// The dataset.
    source: Source,
    /// Path relative to the data directory.
    file: &'a str,
    /// The column of area codes.
    code_col: &'a str,
    /// What every code starts with ("E01").
    code_prefix: &'a str,
    /// The column of area names, if the file has one.
    name_col: Option<&'a str>,
    /// The indicators.
    specs: &'a [Spec],
    /// The published number of areas: rows and the highest rank.
    expected_rows: usize,
    /// Further columns handed to the row callback, in this order.
    extra_cols: &'a [&'a str],
}

/// Codes, names and values read so far, in file order.
struct Rows {
    codes: Vec<String>,
    names: Vec<Option<String>>,
    index: HashMap<String, usize>,
    lines: Vec<u64>,
}

impl Rows {
    fn with_capacity(n: usize) -> Rows {
        Rows {
            codes: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            index: HashMap::with_capacity(n),
            lines: Vec::with_capacity(n),
        }
    }

    /// Adds a code at the next position, or says where it was seen first.
    fn push(&mut self, path: &Path, line: u64, code: &str, name: Option<String>) -> Result<usize> {
        if let Some(&first) = self.index.get(code) {
            return Err(DataError::DuplicateCode {
                path: path.into(),
                line,
                first_line: self.lines[first],
                code: code.to_string(),
            });
        }
        let at = self.codes.len();
        self.index.insert(code.to_string(), at);
        self.codes.push(code.to_string());
        self.lines.push(line);
        self.names.push(name);
        Ok(at)
    }
}

/// Reads a dataset's main file into a new table. `on_row` sees every row with the extra columns
/// and the row's position.
fn read_main(
    dir: &Path,
    layout: &MainFile<'_>,
    mut on_row: impl FnMut(&Row<'_>, &[Column], usize) -> Result<()>,
) -> Result<SourceTable> {
    let path = dir.join(layout.file);
    let expected = layout.expected_rows;
    let mut csv = CsvFile::open(&path)?;
    let code_c = csv.column(layout.code_col)?;
    let name_c = layout.name_col.map(|c| csv.column(c)).transpose()?;
    let resolved = spec::resolve(&csv, layout.specs)?;
    let extra: Vec<Column> = layout
        .extra_cols
        .iter()
        .map(|c| csv.column(c))
        .collect::<Result<_>>()?;
    let n = expected as u32;
    let mut rows = Rows::with_capacity(expected);
    let mut columns = spec::empty_columns(layout.specs, expected);
    let found = csv.for_each_row(|row| {
        let code = row.code(&code_c, layout.code_prefix, "an area")?;
        if rows.codes.len() >= expected {
            // Keep counting so the error reports the real number of rows.
            return Ok(());
        }
        let name = name_c.as_ref().map(|c| row.str(c).to_string());
        let at = rows.push(&path, row.line(), code, name)?;
        spec::read_values(row, &resolved, &mut columns, at, n)?;
        on_row(row, &extra, at)
    })?;
    if found != expected {
        return Err(DataError::RowCount {
            path,
            expected,
            found,
        });
    }
    Ok(SourceTable {
        source: layout.source,
        codes: rows.codes,
        names: rows.names,
        index: rows.index,
        n_ranked: n,
        columns,
        left_behind_flag: None,
        lad: None,
        files: vec![(file_name(&path), found)],
    })
}

/// Adds the columns of a second file of the same dataset (sub-domains), joined on code.
fn read_more(table: &mut SourceTable, path: &Path, code_col: &str, specs: &[Spec]) -> Result<()> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column(code_col)?;
    let resolved = spec::resolve(&csv, specs)?;
    let mut columns = spec::empty_columns(specs, table.codes.len());
    let mut seen = vec![0u64; table.codes.len()];
    let n = table.n_ranked;
    let rows = csv.for_each_row(|row| {
        let code = row.code(&code_c, "E01", "an LSOA")?;
        let Some(&at) = table.index.get(code) else {
            return Err(row.bad(
                &code_c,
                "a code that is in the main file of the same dataset",
            ));
        };
        if seen[at] != 0 {
            return Err(DataError::DuplicateCode {
                path: path.into(),
                line: row.line(),
                first_line: seen[at],
                code: code.to_string(),
            });
        }
        seen[at] = row.line();
        spec::read_values(row, &resolved, &mut columns, at, n)
    })?;
    if rows != table.codes.len() {
        return Err(DataError::RowCount {
            path: path.into(),
            expected: table.codes.len(),
            found: rows,
        });
    }
    table.columns.extend(columns);
    table.files.push((file_name(path), rows));
    Ok(())
}

/// The file's name without its folder, for the check summary.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A row callback for files with no extra columns.
fn no_extra(_: &Row<'_>, _: &[Column], _: usize) -> Result<()> {
    Ok(())
}

/// Reads IoD 2025 (`imd2025_lsoa21.csv` and `imd2025_lsoa21_subdomains.csv`).
pub fn read_iod2025(dir: &Path) -> Result<SourceTable> {
    let layout = MainFile {
        source: Source::Iod2025,
        file: "indicators/imd2025_lsoa21.csv",
        code_col: "lsoa21_code",
        code_prefix: "E01",
        name_col: None,
        specs: spec::IOD2025_MAIN,
        expected_rows: LSOA21_COUNT,
        extra_cols: &[],
    };
    let mut t = read_main(dir, &layout, no_extra)?;
    read_more(
        &mut t,
        &dir.join("indicators/imd2025_lsoa21_subdomains.csv"),
        "lsoa21_code",
        spec::IOD2025_SUB,
    )?;
    Ok(t)
}

/// Reads IoD 2019: the tidy files for values, then the official MHCLG File 1, 2 and 6, which are
/// checked against the tidy values and give LSOA names, LAD 2019 codes and population.
pub fn read_iod2019(dir: &Path) -> Result<(SourceTable, Iod2019Official)> {
    let layout = MainFile {
        source: Source::Iod2019,
        file: "indicators/imd2019_lsoa11.csv",
        code_col: "lsoa11_code",
        code_prefix: "E01",
        name_col: None,
        specs: spec::IOD2019_MAIN,
        expected_rows: LSOA11_COUNT,
        extra_cols: &[],
    };
    let mut t = read_main(dir, &layout, no_extra)?;
    read_more(
        &mut t,
        &dir.join("indicators/imd2019_lsoa11_subdomains.csv"),
        "lsoa11_code",
        spec::IOD2019_SUB,
    )?;
    let official = official::read_official(dir, &mut t)?;
    Ok((t, official))
}

/// Reads the Community Needs Index 2023 by LSOA 2021, with its `Left Behind Area?` flag.
pub fn read_cni2023(dir: &Path) -> Result<SourceTable> {
    let layout = MainFile {
        source: Source::Cni2023,
        file: "indicators/cni2023_lsoa21.csv",
        code_col: "lsoa21_code",
        code_prefix: "E01",
        name_col: Some("lsoa21_name"),
        specs: spec::CNI2023,
        expected_rows: LSOA21_COUNT,
        extra_cols: &["Left Behind Area?"],
    };
    let mut flags = vec![false; LSOA21_COUNT];
    let mut t = read_main(dir, &layout, |row, extra, at| {
        flags[at] = row.bool(&extra[0])?;
        Ok(())
    })?;
    t.left_behind_flag = Some(flags);
    Ok(t)
}

/// Reads the Community Needs Index 2019 by ward 2017, with the official list of left-behind wards.
pub fn read_cni2019(dir: &Path) -> Result<SourceTable> {
    let layout = MainFile {
        source: Source::Cni2019,
        file: "indicators/cni2019_ward17.csv",
        code_col: "ward17_code",
        code_prefix: "E05",
        name_col: Some("ward17_name"),
        specs: spec::CNI2019,
        expected_rows: CNI2019_WARD_COUNT,
        extra_cols: &["Left Behind Area?", "lad19_code", "lad19_name"],
    };
    let mut flags = vec![false; CNI2019_WARD_COUNT];
    let mut lad = vec![(String::new(), String::new()); CNI2019_WARD_COUNT];
    let mut t = read_main(dir, &layout, |row, extra, at| {
        flags[at] = row.bool(&extra[0])?;
        lad[at] = (
            row.code(&extra[1], "E0", "a local authority")?.to_string(),
            row.text(&extra[2])?.to_string(),
        );
        Ok(())
    })?;
    t.left_behind_flag = Some(flags);
    t.lad = Some(lad);
    Ok(t)
}
