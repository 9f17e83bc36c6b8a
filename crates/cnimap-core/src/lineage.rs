//! `GET /api/lineage/lsoa11` (`api/lineage/lsoa11.json` in a prepared build and on a static
//! site): what the LSOA 2011 layer needs beyond its values to be compared and summarised, by
//! feature index. Each LSOA 2011's mid-2015 population (IoD 2019 File 6), which weights the
//! IoD 2019 average ranks of councils and regions ([`crate::table::summary_frame`]), and the ONS
//! LSOA 2011 -> 2021 lookup rows with their change codes, which carry IMD 2019 onto LSOA 2021
//! ([`crate::change`]). A server opened from a build and the browser read it instead of the data
//! directory's files, so they make the same figures as `cnimap serve --data`.

use serde::{Deserialize, Serialize};

use crate::change::ChangeCode;
use crate::level::Level;

/// Where the populations come from, said in the document.
pub const POPULATION_SOURCE: &str = "Total population mid-2015 (excluding prisoners), English \
Indices of Deprivation 2019 File 6 (MHCLG), by LSOA 2011";

/// The LSOA 2011 layer's populations and lineage, arrays by feature index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineageDocument {
    /// Always `lsoa11`: the layer whose feature indexes `population` and `lookup.lsoa11` use.
    pub layer: Level,
    /// Where `population` comes from.
    pub population_source: String,
    /// Each LSOA 2011's population by feature index (`null` where File 6 has none); empty when
    /// the data has no File 6.
    pub population: Vec<Option<u32>>,
    /// The ONS LSOA 2011 -> 2021 lookup, in the file's order, for the rows whose two areas are
    /// both on the map (English LSOAs).
    pub lookup: LineageLookup,
}

/// The lookup's rows as three parallel arrays (one entry per row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineageLookup {
    /// The LSOA 2011 of each row, by its feature index on `lsoa11`.
    pub lsoa11: Vec<u32>,
    /// The LSOA 2021 of each row, by its feature index on `lsoa21`.
    pub lsoa21: Vec<u32>,
    /// The ONS change code of each row, one letter a row (`U`, `S`, `M`, `X`).
    pub change: String,
}

/// Why a lineage document does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineageError {
    /// The lookup's arrays differ in length.
    #[error("lineage/lsoa11: the lookup has {lsoa11} LSOA 2011 entries, {lsoa21} LSOA 2021 entries and {change} change codes")]
    Lengths {
        /// `lookup.lsoa11`'s length.
        lsoa11: usize,
        /// `lookup.lsoa21`'s length.
        lsoa21: usize,
        /// `lookup.change`'s length.
        change: usize,
    },
    /// A change code is not one of ONS's letters.
    #[error("lineage/lsoa11: lookup row {row} has change code {found:?}, not U, S, M or X")]
    Change {
        /// The row (0-based).
        row: usize,
        /// The character found.
        found: char,
    },
    /// An index is outside its layer.
    #[error(
        "lineage/lsoa11: lookup row {row} names {layer} feature {index}, but the layer has {n}"
    )]
    Index {
        /// The row (0-based).
        row: usize,
        /// The layer.
        layer: Level,
        /// The index found.
        index: u32,
        /// The layer's feature count.
        n: usize,
    },
}

impl LineageDocument {
    /// The lookup's rows as `(lsoa11 index, change, lsoa21 index)`, checked against the layers'
    /// feature counts `n11` and `n21`.
    pub fn rows(
        &self,
        n11: usize,
        n21: usize,
    ) -> Result<Vec<(u32, ChangeCode, u32)>, LineageError> {
        let l = &self.lookup;
        let letters: Vec<char> = l.change.chars().collect();
        if l.lsoa11.len() != l.lsoa21.len() || l.lsoa11.len() != letters.len() {
            return Err(LineageError::Lengths {
                lsoa11: l.lsoa11.len(),
                lsoa21: l.lsoa21.len(),
                change: letters.len(),
            });
        }
        let check = |row: usize, layer: Level, index: u32, n: usize| {
            if (index as usize) < n {
                Ok(index)
            } else {
                Err(LineageError::Index {
                    row,
                    layer,
                    index,
                    n,
                })
            }
        };
        (0..letters.len())
            .map(|row| {
                let c = letters[row];
                let change = ChangeCode::from_letter(c.encode_utf8(&mut [0; 4]))
                    .ok_or(LineageError::Change { row, found: c })?;
                Ok((
                    check(row, Level::Lsoa11, l.lsoa11[row], n11)?,
                    change,
                    check(row, Level::Lsoa21, l.lsoa21[row], n21)?,
                ))
            })
            .collect()
    }

    /// The populations to weight by, `None` when the document has none.
    pub fn weights(&self) -> Option<&[Option<u32>]> {
        (!self.population.is_empty()).then_some(self.population.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> LineageDocument {
        LineageDocument {
            layer: Level::Lsoa11,
            population_source: POPULATION_SOURCE.into(),
            population: vec![Some(1500), None],
            lookup: LineageLookup {
                lsoa11: vec![0, 1, 1],
                lsoa21: vec![0, 1, 2],
                change: "USS".into(),
            },
        }
    }

    #[test]
    fn the_lookup_rows_read_back_with_their_change_codes() {
        let rows = doc().rows(2, 3).expect("rows");
        assert_eq!(
            rows,
            [
                (0, ChangeCode::Unchanged, 0),
                (1, ChangeCode::Split, 1),
                (1, ChangeCode::Split, 2)
            ]
        );
        assert_eq!(doc().weights(), Some(&[Some(1500), None][..]));
    }

    #[test]
    fn a_lookup_that_does_not_fit_its_layers_is_refused_by_row() {
        assert!(matches!(
            doc().rows(2, 2),
            Err(LineageError::Index {
                row: 2,
                layer: Level::Lsoa21,
                ..
            })
        ));
        let mut bad = doc();
        bad.lookup.change = "UZS".into();
        assert_eq!(
            bad.rows(2, 3).expect_err("refused").to_string(),
            "lineage/lsoa11: lookup row 1 has change code 'Z', not U, S, M or X"
        );
        bad.lookup.change = "U".into();
        assert!(matches!(bad.rows(2, 3), Err(LineageError::Lengths { .. })));
        let mut none = doc();
        none.population.clear();
        assert_eq!(none.weights(), None);
    }
}
