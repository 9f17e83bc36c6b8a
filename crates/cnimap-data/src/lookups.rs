//! ONS lookups: LSOA -> ward -> LAD -> region, LSOA 2011 <-> 2021 with change codes, MSOA
//! neighbourhood names and ward centroids.

use std::collections::HashMap;
use std::path::Path;

use cnimap_core::api::NamedArea;

use crate::csvread::CsvFile;
use crate::error::{DataError, Result};

/// How an LSOA 2011 became LSOA 2021 areas (ONS change codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Unchanged.
    Unchanged,
    /// Split into several 2021 areas.
    Split,
    /// Merged with others into one 2021 area.
    Merged,
    /// Irregular: redrawn.
    Irregular,
}

impl Change {
    fn from_code(s: &str) -> Option<Change> {
        match s {
            "U" => Some(Change::Unchanged),
            "S" => Some(Change::Split),
            "M" => Some(Change::Merged),
            "X" => Some(Change::Irregular),
            _ => None,
        }
    }

    /// Plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Split => "split",
            Change::Merged => "merged",
            Change::Irregular => "redrawn",
        }
    }
}

/// Parents of an area.
#[derive(Debug, Clone)]
pub struct Parents {
    /// Ward.
    pub ward: NamedArea,
    /// Local authority district.
    pub lad: NamedArea,
}

/// Every lookup, read once.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// LSOA 2021 -> ward 2024 and LAD 2024 (England and Wales).
    pub lsoa21: HashMap<String, Parents>,
    /// LSOA 2011 -> ward 2017 and LAD 2017 (ONS best fit).
    pub lsoa11: HashMap<String, Parents>,
    /// LAD 2024 -> region.
    pub lad24_region: HashMap<String, NamedArea>,
    /// LAD 2019 -> region.
    pub lad19_region: HashMap<String, NamedArea>,
    /// Ward 2017 -> LAD 2017.
    pub ward17_lad: HashMap<String, NamedArea>,
    /// LSOA 2011 <-> 2021 pairs with the change code.
    pub lsoa11_21: Vec<(String, Change, String)>,
    /// MSOA 2021 name ("Tendring 018") -> House of Commons Library name ("Jaywick & St Osyth").
    pub msoa21_names: HashMap<String, String>,
    /// MSOA 2011 name -> House of Commons Library name.
    pub msoa11_names: HashMap<String, String>,
    /// Ward centroids `[lon, lat]`, for wards without an outline.
    pub ward_centroids: HashMap<String, [f64; 2]>,
    /// Rows read per file.
    pub files: Vec<(String, usize)>,
}

impl Lookups {
    /// The House of Commons Library neighbourhood name of an LSOA, from its official name
    /// ("Tendring 018A" is in MSOA "Tendring 018").
    pub fn neighbourhood(&self, lsoa_name: &str, vintage_2021: bool) -> Option<&str> {
        let msoa = lsoa_name.get(..lsoa_name.len().checked_sub(1)?)?;
        let names = if vintage_2021 {
            &self.msoa21_names
        } else {
            &self.msoa11_names
        };
        names.get(msoa).map(String::as_str)
    }
}

fn named(code: &str, name: &str) -> NamedArea {
    NamedArea {
        code: code.to_string(),
        name: name.to_string(),
    }
}

/// Reads all lookups from `dir/lookups`.
pub fn read_lookups(dir: &Path) -> Result<Lookups> {
    let dir = dir.join("lookups");
    let mut l = Lookups::default();
    // One after another, in this order: the first error is the first file's.
    l.files = vec![
        read_lsoa21_parents(&dir, &mut l.lsoa21)?,
        read_lsoa11_parents(&dir, &mut l.lsoa11)?,
        read_lad_regions(&dir, "24", &mut l.lad24_region)?,
        read_lad_regions(&dir, "19", &mut l.lad19_region)?,
        read_ward17_lads(&dir, &mut l.ward17_lad)?,
        read_lsoa_changes(&dir, &mut l.lsoa11_21)?,
        read_msoa_names(&dir, &mut l.msoa21_names, &mut l.msoa11_names)?,
        read_ward_centroids(&dir, &mut l.ward_centroids)?,
    ];
    if l.lsoa21.is_empty() {
        return Err(DataError::RowCount {
            path: dir.join(LSOA21_FILE),
            expected: 35_672,
            found: 0,
        });
    }
    Ok(l)
}

/// The LSOA 2021 -> ward 2024 -> LAD 2024 lookup (England and Wales).
const LSOA21_FILE: &str = "lookup_lsoa21_ward24_ltla24.csv";

/// `(file name, rows)` for the check summary.
type FileRows = (String, usize);

/// Reads [`LSOA21_FILE`]: each LSOA 2021's ward and LAD.
fn read_lsoa21_parents(dir: &Path, out: &mut HashMap<String, Parents>) -> Result<FileRows> {
    let mut csv = CsvFile::open(&dir.join(LSOA21_FILE))?;
    let [lsoa, ward, ward_nm, lad, lad_nm] = [
        "lsoa21_code",
        "ward24_code",
        "ward24_name",
        "ltla24_code",
        "ltla24_name",
    ]
    .map(|c| csv.column(c));
    let (lsoa, ward, ward_nm, lad, lad_nm) = (lsoa?, ward?, ward_nm?, lad?, lad_nm?);
    let n = csv.for_each_row(|row| {
        let code = row.text(&lsoa)?.to_string();
        let parents = Parents {
            ward: named(row.text(&ward)?, row.text(&ward_nm)?),
            lad: named(row.text(&lad)?, row.text(&lad_nm)?),
        };
        out.insert(code, parents);
        Ok(())
    })?;
    Ok((LSOA21_FILE.into(), n))
}

/// Reads the LSOA 2011 -> ward 2017 -> LAD 2017 best-fit lookup.
fn read_lsoa11_parents(dir: &Path, out: &mut HashMap<String, Parents>) -> Result<FileRows> {
    let file = "lookup_lsoa11_ward17_lad17.csv";
    let mut csv = CsvFile::open(&dir.join(file))?;
    let [lsoa, ward, ward_nm, lad, lad_nm] =
        ["LSOA11CD", "WD17CD", "WD17NM", "LAD17CD", "LAD17NM"].map(|c| csv.column(c));
    let (lsoa, ward, ward_nm, lad, lad_nm) = (lsoa?, ward?, ward_nm?, lad?, lad_nm?);
    let n = csv.for_each_row(|row| {
        let parents = Parents {
            ward: named(row.text(&ward)?, row.text(&ward_nm)?),
            lad: named(row.text(&lad)?, row.text(&lad_nm)?),
        };
        out.insert(row.text(&lsoa)?.to_string(), parents);
        Ok(())
    })?;
    Ok((file.into(), n))
}

/// Reads `lookup_ltla{year}_region{year}.csv`: each LAD's region.
fn read_lad_regions(
    dir: &Path,
    year: &str,
    out: &mut HashMap<String, NamedArea>,
) -> Result<FileRows> {
    let file = format!("lookup_ltla{year}_region{year}.csv");
    let mut csv = CsvFile::open(&dir.join(&file))?;
    let lad = csv.column(&format!("ltla{year}_code"))?;
    let rgn = csv.column(&format!("region{year}_code"))?;
    let rgn_nm = csv.column(&format!("region{year}_name"))?;
    let n = csv.for_each_row(|row| {
        out.insert(
            row.text(&lad)?.to_string(),
            named(row.code(&rgn, "E12", "a region")?, row.text(&rgn_nm)?),
        );
        Ok(())
    })?;
    Ok((file, n))
}

/// Reads the ward 2017 -> LAD 2017 lookup.
fn read_ward17_lads(dir: &Path, out: &mut HashMap<String, NamedArea>) -> Result<FileRows> {
    let file = "lookup_ward17_lad17.csv";
    let mut csv = CsvFile::open(&dir.join(file))?;
    let (ward, lad, lad_nm) = (
        csv.column("WD17CD")?,
        csv.column("LAD17CD")?,
        csv.column("LAD17NM")?,
    );
    let n = csv.for_each_row(|row| {
        out.insert(
            row.text(&ward)?.to_string(),
            named(row.text(&lad)?, row.text(&lad_nm)?),
        );
        Ok(())
    })?;
    Ok((file.into(), n))
}

/// Reads the LSOA 2011 <-> 2021 lookup with ONS change codes.
fn read_lsoa_changes(dir: &Path, out: &mut Vec<(String, Change, String)>) -> Result<FileRows> {
    let file = "lookup_lsoa11_lsoa21_ltla22.csv";
    let mut csv = CsvFile::open(&dir.join(file))?;
    let (a, change, b) = (
        csv.column("lsoa11_code")?,
        csv.column("change_code")?,
        csv.column("lsoa21_code")?,
    );
    let n = csv.for_each_row(|row| {
        let c = Change::from_code(row.str(&change))
            .ok_or_else(|| row.bad(&change, "an ONS change code: U, S, M or X"))?;
        out.push((row.text(&a)?.to_string(), c, row.text(&b)?.to_string()));
        Ok(())
    })?;
    Ok((file.into(), n))
}

/// Reads the House of Commons Library MSOA names, 2021 and 2011.
fn read_msoa_names(
    dir: &Path,
    names21: &mut HashMap<String, String>,
    names11: &mut HashMap<String, String>,
) -> Result<FileRows> {
    let file = "msoa_names.csv";
    let mut csv = CsvFile::open(&dir.join(file))?;
    let cols = [
        "MSOANM",
        "MSOAHCLNM",
        "MSOA21CD",
        "MSOA11NM",
        "MSOA11HCLNM",
        "MSOA11CD",
    ]
    .map(|c| csv.column(c));
    let [nm21, hcl21, cd21, nm11, hcl11, cd11] = cols;
    let (nm21, hcl21, cd21, nm11, hcl11, cd11) = (nm21?, hcl21?, cd21?, nm11?, hcl11?, cd11?);
    let n = csv.for_each_row(|row| {
        if !row.str(&cd21).is_empty() && !row.str(&hcl21).is_empty() {
            names21.insert(row.str(&nm21).to_string(), row.str(&hcl21).to_string());
        }
        if !row.str(&cd11).is_empty() && !row.str(&hcl11).is_empty() {
            names11.insert(row.str(&nm11).to_string(), row.str(&hcl11).to_string());
        }
        Ok(())
    })?;
    Ok((file.into(), n))
}

/// Reads ward centroids, checking each is a longitude and latitude in degrees.
fn read_ward_centroids(dir: &Path, out: &mut HashMap<String, [f64; 2]>) -> Result<FileRows> {
    let file = "ward_centroids.csv";
    let mut csv = CsvFile::open(&dir.join(file))?;
    let (code, lon, lat) = (
        csv.column("wdcd")?,
        csv.column("longitude")?,
        csv.column("latitude")?,
    );
    let n = csv.for_each_row(|row| {
        let lon_v = row.f64(&lon)?;
        let lat_v = row.f64(&lat)?;
        if !(-180.0..=180.0).contains(&lon_v) {
            return Err(row.bad(&lon, "a longitude in degrees"));
        }
        if !(-90.0..=90.0).contains(&lat_v) {
            return Err(row.bad(&lat, "a latitude in degrees"));
        }
        out.insert(row.text(&code)?.to_string(), [lon_v, lat_v]);
        Ok(())
    })?;
    Ok((file.into(), n))
}
