//! The IoD2019 cross-check: the official MHCLG files (File 1, 2 and 6, long human headers,
//! thousands separators) read beside the tidy ones, every rank and decile compared, and the LSOA
//! names, LAD 2019 parents and population they add.

use std::collections::HashMap;
use std::path::Path;

use cnimap_core::catalogue::IndicatorId;

use crate::csvread::{Column, CsvFile, Row};
use crate::error::{DataError, Result};

use super::spec;
use super::table::{SourceTable, LSOA11_COUNT};

/// What the official MHCLG IoD2019 files added to the tidy ones.
#[derive(Debug, Clone, Default)]
pub struct Iod2019Official {
    /// Rows of File 1, File 2 and File 6.
    pub rows: [usize; 3],
    /// Ranks or deciles in File 1 or File 2 that differ from the tidy file (expected: none).
    pub differences: Vec<String>,
    /// Total population mid-2015 (excluding prisoners) by LSOA 2011 code, from File 6.
    pub population: HashMap<String, u32>,
}

/// The folder of the official files, under the data directory.
const FOLDER: &str = "indicators/iod2019_official";
/// File 1: the IMD with names and LAD 2019.
const FILE_1: &str = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz";
/// File 2: every domain's rank and decile.
const FILE_2: &str = "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz";
/// File 6: population denominators.
const FILE_6: &str = "File_6_-_IoD2019_Population_Denominators.csv.gz";

/// Reads File 1, 2 and 6 against the tidy IoD2019 table `t`: fills its LSOA names and LAD 2019
/// parents, records every rank or decile that differs, and checks each file has every LSOA.
pub(super) fn read_official(dir: &Path, t: &mut SourceTable) -> Result<Iod2019Official> {
    let folder = dir.join(FOLDER);
    let mut report = Iod2019Official::default();
    let files = [
        folder.join(FILE_1),
        folder.join(FILE_2),
        folder.join(FILE_6),
    ];
    report.rows[0] = read_file1(&files[0], t, &mut report.differences)?;
    report.rows[1] = read_file2(&files[1], t, &mut report.differences)?;
    report.rows[2] = read_file6(&files[2], &mut report.population)?;
    for (i, (path, rows)) in files.into_iter().zip(report.rows).enumerate() {
        if rows != LSOA11_COUNT {
            return Err(DataError::RowCount {
                path,
                expected: LSOA11_COUNT,
                found: rows,
            });
        }
        t.files
            .push((format!("iod2019_official/File_{}", [1, 2, 6][i]), rows));
    }
    Ok(report)
}

/// The position of an LSOA 2011 code in the tidy table, or an error naming the official file.
fn tidy_position<'r>(
    t: &SourceTable,
    row: &'r Row<'_>,
    code_c: &Column,
) -> Result<(usize, &'r str)> {
    let code = row.code(code_c, "E01", "an LSOA 2011")?;
    match t.index.get(code) {
        Some(&at) => Ok((at, code)),
        None => Err(row.bad(code_c, "an LSOA 2011 code that is in imd2019_lsoa11.csv")),
    }
}

/// File 1: names, LAD 2019, and the IMD rank/decile with thousands separators.
fn read_file1(path: &Path, t: &mut SourceTable, differences: &mut Vec<String>) -> Result<usize> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let name_c = csv.column("LSOA name (2011)")?;
    let lad_c = csv.column("Local Authority District code (2019)")?;
    let lad_name_c = csv.column("Local Authority District name (2019)")?;
    let rank_c = csv.column("Index of Multiple Deprivation (IMD) Rank")?;
    let decile_c = csv.column("Index of Multiple Deprivation (IMD) Decile")?;
    let mut lad = vec![(String::new(), String::new()); t.codes.len()];
    let imd = t.column(IndicatorId::IMD2019.as_str()).cloned();
    let n = t.n_ranked;
    let rows = csv.for_each_row(|row| {
        let (at, code) = tidy_position(t, row, &code_c)?;
        t.names[at] = Some(row.text(&name_c)?.to_string());
        lad[at] = (
            row.code(&lad_c, "E0", "a local authority")?.to_string(),
            row.text(&lad_name_c)?.to_string(),
        );
        let rank = row.rank(&rank_c, n)?;
        let decile = row.decile(&decile_c)?;
        if let Some(imd) = &imd {
            if imd.rank[at] != Some(rank) || imd.decile[at] != Some(decile) {
                differences.push(format!(
                    "File 1 line {}: {code} IMD rank {rank} decile {decile}",
                    row.line()
                ));
            }
        }
        Ok(())
    })?;
    t.lad = Some(lad);
    Ok(rows)
}

/// File 2: every domain's rank and decile under long human headers, compared with the tidy file.
fn read_file2(path: &Path, t: &SourceTable, differences: &mut Vec<String>) -> Result<usize> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let resolved = spec::resolve(&csv, spec::IOD2019_FILE2)?;
    let mut columns = spec::empty_columns(spec::IOD2019_FILE2, t.codes.len());
    let n = t.n_ranked;
    let rows = csv.for_each_row(|row| {
        let (at, _) = tidy_position(t, row, &code_c)?;
        spec::read_values(row, &resolved, &mut columns, at, n)
    })?;
    for official in &columns {
        let Some(tidy) = t.column(official.id) else {
            continue;
        };
        for (i, code) in t.codes.iter().enumerate() {
            if tidy.rank[i] != official.rank[i] || tidy.decile[i] != official.decile[i] {
                differences.push(format!("File 2: {code} {}", official.id));
            }
        }
    }
    Ok(rows)
}

/// File 6: population denominators with thousands separators.
fn read_file6(path: &Path, population: &mut HashMap<String, u32>) -> Result<usize> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let pop_c = csv.column("Total population: mid 2015 (excluding prisoners)")?;
    csv.for_each_row(|row| {
        let code = row.code(&code_c, "E01", "an LSOA 2011")?;
        population.insert(code.to_string(), row.u32(&pop_c)?);
        Ok(())
    })
}
