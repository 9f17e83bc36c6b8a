//! What reading an indicator file produces: a [`SourceTable`] of area codes in file order and one
//! [`IndicatorColumn`] per catalogue indicator, plus the published row counts that catch truncation.

use std::collections::HashMap;

use cnimap_core::catalogue::Source;

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
