//! The published indicator files: IoD 2025 and 2019 (tidy and official MHCLG layouts) and the
//! Community Needs Index 2023 and 2019.
//!
//! Each file is read into a [`SourceTable`]: area codes in file order and, per indicator in the
//! catalogue, columns of scores, ranks and deciles. Deciles the source does not publish (the CNI
//! publishes ranks only) are derived with [`cnimap_core::classify::decile_from_rank`] and marked as
//! derived in the catalogue.

use std::collections::HashMap;
use std::path::Path;

use cnimap_core::catalogue::Source;
use cnimap_core::classify::decile_from_rank;

use crate::csvread::{Column, CsvFile, Row};
use crate::error::{DataError, Result};

/// Published row counts, used to catch truncated files.
pub const LSOA21_COUNT: usize = 33_755;
/// LSOA 2011 areas in England.
pub const LSOA11_COUNT: usize = 32_844;
/// Wards in the CNI 2019.
pub const CNI2019_WARD_COUNT: usize = 7_433;

/// One indicator's values, aligned with [`SourceTable::codes`].
#[derive(Debug, Clone)]
pub struct IndicatorColumn {
    /// Catalogue id.
    pub id: &'static str,
    /// Scores, when published.
    pub score: Option<Vec<Option<f64>>>,
    /// Ranks (1 = most deprived / highest need).
    pub rank: Vec<Option<u32>>,
    /// Deciles, published or derived from ranks.
    pub decile: Vec<Option<u8>>,
}

/// One source's indicators for every area it covers.
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// The dataset.
    pub source: Source,
    /// Area codes in file order.
    pub codes: Vec<String>,
    /// Area names where the file gives them.
    pub names: Vec<Option<String>>,
    /// Position of each code in `codes`.
    pub index: HashMap<String, usize>,
    /// Ranks run from 1 to this.
    pub n_ranked: u32,
    /// The indicators, in catalogue order.
    pub columns: Vec<IndicatorColumn>,
    /// The `Left Behind Area?` column, where the file has one.
    pub left_behind_flag: Option<Vec<bool>>,
    /// Parent LAD code and name, where the file gives them (CNI 2019, IoD 2019 File 1).
    pub lad: Option<Vec<(String, String)>>,
    /// Rows read per file, for the check summary.
    pub files: Vec<(String, usize)>,
}

impl SourceTable {
    /// The column for an indicator id.
    pub fn column(&self, id: &str) -> Option<&IndicatorColumn> {
        self.columns.iter().find(|c| c.id == id)
    }
}

/// How one indicator is laid out in a file: score, rank and decile column names.
struct Spec {
    id: &'static str,
    score: Option<&'static str>,
    rank: &'static str,
    decile: Option<&'static str>,
}

const fn full(
    id: &'static str,
    score: &'static str,
    rank: &'static str,
    decile: &'static str,
) -> Spec {
    Spec {
        id,
        score: Some(score),
        rank,
        decile: Some(decile),
    }
}
const fn ranked(id: &'static str, rank: &'static str, decile: &'static str) -> Spec {
    Spec {
        id,
        score: None,
        rank,
        decile: Some(decile),
    }
}
const fn cni(id: &'static str, score: &'static str, rank: &'static str) -> Spec {
    Spec {
        id,
        score: Some(score),
        rank,
        decile: None,
    }
}

const IOD2025_MAIN: &[Spec] = &[
    full("imd2025", "IMD_score", "IMD_rank", "IMD_decile"),
    full(
        "imd2025_income",
        "Income_score",
        "Income_rank",
        "Income_decile",
    ),
    full(
        "imd2025_employment",
        "Employment_score",
        "Employment_rank",
        "Employment_decile",
    ),
    full(
        "imd2025_education",
        "Education_score",
        "Education_rank",
        "Education_decile",
    ),
    full(
        "imd2025_health",
        "Health_score",
        "Health_rank",
        "Health_decile",
    ),
    full("imd2025_crime", "Crime_score", "Crime_rank", "Crime_decile"),
    full(
        "imd2025_housing",
        "Housing_and_Services_score",
        "Housing_and_Services_rank",
        "Housing_and_Services_decile",
    ),
    full(
        "imd2025_environment",
        "Environment_score",
        "Environment_rank",
        "Environment_decile",
    ),
];
const IOD2025_SUB: &[Spec] = &[
    full(
        "imd2025_cyp",
        "children_and_young_people_score",
        "children_and_young_people_rank",
        "children_and_young_people_decile",
    ),
    full(
        "imd2025_adult_skills",
        "adult_skills_score",
        "adult_skills_rank",
        "adult_skills_decile",
    ),
    full(
        "imd2025_geographical_barriers",
        "geographical_barriers_score",
        "geographical_barriers_rank",
        "geographical_barriers_decile",
    ),
    full(
        "imd2025_wider_barriers",
        "wider_barriers_score",
        "wider_barriers_rank",
        "wider_barriers_decile",
    ),
    full(
        "imd2025_indoors",
        "indoors_score",
        "indoors_rank",
        "indoors_decile",
    ),
    full(
        "imd2025_outdoors",
        "outdoors_score",
        "outdoors_rank",
        "outdoors_decile",
    ),
];
const IOD2019_MAIN: &[Spec] = &[
    ranked("imd2019", "IMD_rank", "IMD_decile"),
    ranked("imd2019_income", "Income_rank", "Income_decile"),
    ranked("imd2019_employment", "Employment_rank", "Employment_decile"),
    ranked("imd2019_education", "Education_rank", "Education_decile"),
    ranked("imd2019_health", "Health_rank", "Health_decile"),
    ranked("imd2019_crime", "Crime_rank", "Crime_decile"),
    ranked(
        "imd2019_housing",
        "Housing_and_Access_rank",
        "Housing_and_Access_decile",
    ),
    ranked(
        "imd2019_environment",
        "Environment_rank",
        "Environment_decile",
    ),
];
const IOD2019_SUB: &[Spec] = &[
    ranked(
        "imd2019_cyp",
        "Children_and_young_people_rank",
        "Children_and_young_people_decile",
    ),
    ranked(
        "imd2019_adult_skills",
        "Adult_skills_rank",
        "Adult_skills_decile",
    ),
    ranked(
        "imd2019_geographical_barriers",
        "Geographical_barriers_rank",
        "Geographical_barriers_decile",
    ),
    ranked(
        "imd2019_wider_barriers",
        "Wider_barriers_rank",
        "Wider_barriers_decile",
    ),
    ranked("imd2019_indoors", "Indoors_rank", "Indoors_decile"),
    ranked("imd2019_outdoors", "Outdoors_rank", "Outdoors_decile"),
];
/// The official MHCLG File 2 layout: long human headers.
const IOD2019_FILE2: &[Spec] = &[
    ranked(
        "imd2019",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_income",
        "Income Rank (where 1 is most deprived)",
        "Income Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_employment",
        "Employment Rank (where 1 is most deprived)",
        "Employment Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_education",
        "Education, Skills and Training Rank (where 1 is most deprived)",
        "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_health",
        "Health Deprivation and Disability Rank (where 1 is most deprived)",
        "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_crime",
        "Crime Rank (where 1 is most deprived)",
        "Crime Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_housing",
        "Barriers to Housing and Services Rank (where 1 is most deprived)",
        "Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)",
    ),
    ranked(
        "imd2019_environment",
        "Living Environment Rank (where 1 is most deprived)",
        "Living Environment Decile (where 1 is most deprived 10% of LSOAs)",
    ),
];
const CNI2023: &[Spec] = &[
    cni(
        "cni2023",
        "Community Needs Index 2023 Score",
        "Community Needs Index 2023 Rank",
    ),
    cni(
        "cni2023_civic",
        "Civic Assets Domain Score",
        "Civic Assets Domain Rank",
    ),
    cni(
        "cni2023_connectedness",
        "Connectedness Domain Score",
        "Connectedness Domain Rank",
    ),
    cni(
        "cni2023_engaged",
        "Active and Engaged Community Domain Score",
        "Active and Engaged Community Domain Rank",
    ),
];
const CNI2019: &[Spec] = &[
    cni(
        "cni2019",
        "Community Needs Index score",
        "Community Needs Index rank",
    ),
    cni("cni2019_civic", "Civic Assets score", "Civic Assets rank"),
    cni(
        "cni2019_connectedness",
        "Connectedness score",
        "Connectedness rank",
    ),
    cni(
        "cni2019_engaged",
        "Engaged community score",
        "Engaged community rank",
    ),
];

/// Columns of one spec resolved against a header.
struct Resolved<'s> {
    spec: &'s Spec,
    score: Option<Column>,
    rank: Column,
    decile: Option<Column>,
}

fn resolve<'s>(csv: &CsvFile, specs: &'s [Spec]) -> Result<Vec<Resolved<'s>>> {
    specs
        .iter()
        .map(|spec| {
            Ok(Resolved {
                spec,
                score: spec.score.map(|c| csv.column(c)).transpose()?,
                rank: csv.column(spec.rank)?,
                decile: spec.decile.map(|c| csv.column(c)).transpose()?,
            })
        })
        .collect()
}

fn empty_columns(specs: &[Spec], rows: usize) -> Vec<IndicatorColumn> {
    specs
        .iter()
        .map(|s| IndicatorColumn {
            id: s.id,
            score: s.score.map(|_| vec![None; rows]),
            rank: vec![None; rows],
            decile: vec![None; rows],
        })
        .collect()
}

/// Reads one row's values for every resolved spec into `columns` at position `at`.
fn read_values(
    row: &Row<'_>,
    resolved: &[Resolved<'_>],
    columns: &mut [IndicatorColumn],
    at: usize,
    n: u32,
) -> Result<()> {
    for (r, col) in resolved.iter().zip(columns.iter_mut()) {
        debug_assert_eq!(r.spec.id, col.id);
        let rank = row.rank(&r.rank, n)?;
        col.rank[at] = Some(rank);
        col.decile[at] = match &r.decile {
            Some(c) => Some(row.decile(c)?),
            None => decile_from_rank(rank, n),
        };
        if let (Some(c), Some(scores)) = (&r.score, col.score.as_mut()) {
            scores[at] = Some(row.f64(c)?);
        }
    }
    Ok(())
}

/// Reads a file keyed by `code_col` into a new table. `extra` sees every row with its position.
#[allow(clippy::too_many_arguments)]
fn read_primary(
    path: &Path,
    source: Source,
    code_col: &str,
    code_prefix: &str,
    name_col: Option<&str>,
    specs: &[Spec],
    expected_rows: usize,
    extra_cols: &[&str],
    mut on_row: impl FnMut(&Row<'_>, &[Column], usize) -> Result<()>,
) -> Result<SourceTable> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column(code_col)?;
    let name_c = name_col.map(|c| csv.column(c)).transpose()?;
    let resolved = resolve(&csv, specs)?;
    let n = expected_rows as u32;
    let mut codes = Vec::with_capacity(expected_rows);
    let mut names = Vec::with_capacity(expected_rows);
    let mut index = HashMap::with_capacity(expected_rows);
    let mut lines = Vec::with_capacity(expected_rows);
    let mut columns = empty_columns(specs, expected_rows);
    let extra: Vec<Column> = extra_cols
        .iter()
        .map(|c| csv.column(c))
        .collect::<Result<_>>()?;
    let rows = csv.for_each_row(|row| {
        let code = row.code(&code_c, code_prefix, "an area")?;
        let at = codes.len();
        if at >= expected_rows {
            // Keep counting so the error reports the real number of rows.
            return Ok(());
        }
        if let Some(&first) = index.get(code) {
            return Err(DataError::DuplicateCode {
                path: path.into(),
                line: row.line(),
                first_line: lines[first],
                code: code.to_string(),
            });
        }
        index.insert(code.to_string(), at);
        codes.push(code.to_string());
        lines.push(row.line());
        names.push(name_c.as_ref().map(|c| row.str(c).to_string()));
        read_values(row, &resolved, &mut columns, at, n)?;
        on_row(row, &extra, at)
    })?;
    if rows != expected_rows {
        return Err(DataError::RowCount {
            path: path.into(),
            expected: expected_rows,
            found: rows,
        });
    }
    Ok(SourceTable {
        source,
        codes,
        names,
        index,
        n_ranked: n,
        columns,
        left_behind_flag: None,
        lad: None,
        files: vec![(file_name(path), rows)],
    })
}

/// Adds the columns of a second file of the same dataset (sub-domains), joined on code.
fn read_secondary(
    table: &mut SourceTable,
    path: &Path,
    code_col: &str,
    specs: &[Spec],
) -> Result<()> {
    let mut csv = CsvFile::open(path)?;
    let code_c = csv.column(code_col)?;
    let resolved = resolve(&csv, specs)?;
    let mut columns = empty_columns(specs, table.codes.len());
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
        read_values(row, &resolved, &mut columns, at, n)
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

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn no_extra(_: &Row<'_>, _: &[Column], _: usize) -> Result<()> {
    Ok(())
}

/// Reads IoD 2025 (`imd2025_lsoa21.csv` and `imd2025_lsoa21_subdomains.csv`).
pub fn read_iod2025(dir: &Path) -> Result<SourceTable> {
    let mut t = read_primary(
        &dir.join("indicators/imd2025_lsoa21.csv"),
        Source::Iod2025,
        "lsoa21_code",
        "E01",
        None,
        IOD2025_MAIN,
        LSOA21_COUNT,
        &[],
        no_extra,
    )?;
    read_secondary(
        &mut t,
        &dir.join("indicators/imd2025_lsoa21_subdomains.csv"),
        "lsoa21_code",
        IOD2025_SUB,
    )?;
    Ok(t)
}

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

/// Reads IoD 2019: the tidy files for values, then the official MHCLG File 1, 2 and 6, which are
/// checked against the tidy values and give LSOA names, LAD 2019 codes and population.
pub fn read_iod2019(dir: &Path) -> Result<(SourceTable, Iod2019Official)> {
    let mut t = read_primary(
        &dir.join("indicators/imd2019_lsoa11.csv"),
        Source::Iod2019,
        "lsoa11_code",
        "E01",
        None,
        IOD2019_MAIN,
        LSOA11_COUNT,
        &[],
        no_extra,
    )?;
    read_secondary(
        &mut t,
        &dir.join("indicators/imd2019_lsoa11_subdomains.csv"),
        "lsoa11_code",
        IOD2019_SUB,
    )?;

    let official = dir.join("indicators/iod2019_official");
    let mut report = Iod2019Official::default();
    let n = t.n_ranked;

    // File 1: names, LAD 2019, and the IMD rank/decile with thousands separators.
    let f1 = official.join("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz");
    let mut csv = CsvFile::open(&f1)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let name_c = csv.column("LSOA name (2011)")?;
    let lad_c = csv.column("Local Authority District code (2019)")?;
    let lad_name_c = csv.column("Local Authority District name (2019)")?;
    let rank_c = csv.column("Index of Multiple Deprivation (IMD) Rank")?;
    let decile_c = csv.column("Index of Multiple Deprivation (IMD) Decile")?;
    let mut lad = vec![(String::new(), String::new()); t.codes.len()];
    let imd = t.column("imd2019").cloned();
    report.rows[0] = csv.for_each_row(|row| {
        let code = row.code(&code_c, "E01", "an LSOA 2011")?;
        let Some(&at) = t.index.get(code) else {
            return Err(row.bad(&code_c, "an LSOA 2011 code that is in imd2019_lsoa11.csv"));
        };
        t.names[at] = Some(row.text(&name_c)?.to_string());
        lad[at] = (
            row.code(&lad_c, "E0", "a local authority")?.to_string(),
            row.text(&lad_name_c)?.to_string(),
        );
        let rank = row.rank(&rank_c, n)?;
        let decile = row.decile(&decile_c)?;
        if let Some(imd) = &imd {
            if imd.rank[at] != Some(rank) || imd.decile[at] != Some(decile) {
                report.differences.push(format!(
                    "File 1 line {}: {code} IMD rank {rank} decile {decile}",
                    row.line()
                ));
            }
        }
        Ok(())
    })?;
    t.lad = Some(lad);

    // File 2: every domain's rank and decile under long human headers.
    let f2 = official.join("File_2_-_IoD2019_Domains_of_Deprivation.csv.gz");
    let mut csv = CsvFile::open(&f2)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let resolved = resolve(&csv, IOD2019_FILE2)?;
    let mut columns = empty_columns(IOD2019_FILE2, t.codes.len());
    report.rows[1] = csv.for_each_row(|row| {
        let code = row.code(&code_c, "E01", "an LSOA 2011")?;
        let Some(&at) = t.index.get(code) else {
            return Err(row.bad(&code_c, "an LSOA 2011 code that is in imd2019_lsoa11.csv"));
        };
        read_values(row, &resolved, &mut columns, at, n)
    })?;
    for official_col in &columns {
        if let Some(tidy) = t.column(official_col.id) {
            for (i, code) in t.codes.iter().enumerate() {
                if tidy.rank[i] != official_col.rank[i] || tidy.decile[i] != official_col.decile[i]
                {
                    report
                        .differences
                        .push(format!("File 2: {code} {}", official_col.id));
                }
            }
        }
    }

    // File 6: population denominators with thousands separators.
    let f6 = official.join("File_6_-_IoD2019_Population_Denominators.csv.gz");
    let mut csv = CsvFile::open(&f6)?;
    let code_c = csv.column("LSOA code (2011)")?;
    let pop_c = csv.column("Total population: mid 2015 (excluding prisoners)")?;
    report.rows[2] = csv.for_each_row(|row| {
        let code = row.code(&code_c, "E01", "an LSOA 2011")?;
        report.population.insert(code.to_string(), row.u32(&pop_c)?);
        Ok(())
    })?;
    for (i, (path, rows)) in [
        (f1, report.rows[0]),
        (f2, report.rows[1]),
        (f6, report.rows[2]),
    ]
    .into_iter()
    .enumerate()
    {
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
    Ok((t, report))
}

/// Reads the Community Needs Index 2023 by LSOA 2021, with its `Left Behind Area?` flag.
pub fn read_cni2023(dir: &Path) -> Result<SourceTable> {
    let mut flags = vec![false; LSOA21_COUNT];
    let mut t = read_primary(
        &dir.join("indicators/cni2023_lsoa21.csv"),
        Source::Cni2023,
        "lsoa21_code",
        "E01",
        Some("lsoa21_name"),
        CNI2023,
        LSOA21_COUNT,
        &["Left Behind Area?"],
        |row, extra, at| {
            flags[at] = row.bool(&extra[0])?;
            Ok(())
        },
    )?;
    t.left_behind_flag = Some(flags);
    Ok(t)
}

/// Reads the Community Needs Index 2019 by ward 2017, with the official list of left-behind wards.
pub fn read_cni2019(dir: &Path) -> Result<SourceTable> {
    let mut flags = vec![false; CNI2019_WARD_COUNT];
    let mut lad = vec![(String::new(), String::new()); CNI2019_WARD_COUNT];
    let mut t = read_primary(
        &dir.join("indicators/cni2019_ward17.csv"),
        Source::Cni2019,
        "ward17_code",
        "E05",
        Some("ward17_name"),
        CNI2019,
        CNI2019_WARD_COUNT,
        &["Left Behind Area?", "lad19_code", "lad19_name"],
        |row, extra, at| {
            flags[at] = row.bool(&extra[0])?;
            lad[at] = (
                row.code(&extra[1], "E0", "a local authority")?.to_string(),
                row.text(&extra[2])?.to_string(),
            );
            Ok(())
        },
    )?;
    t.left_behind_flag = Some(flags);
    t.lad = Some(lad);
    Ok(t)
}
