//! Column specs: which header holds each indicator's score, rank and decile in each published
//! layout, resolving them against a file's header, and reading one row by them.

use cnimap_core::classify::decile_from_rank;

use crate::csvread::{Column, CsvFile, Row};
use crate::error::Result;

use super::table::IndicatorColumn;

/// How one indicator is laid out in a file: score, rank and decile column names.
pub(super) struct Spec {
    id: &'static str,
    score: Option<&'static str>,
    rank: &'static str,
    decile: Option<&'static str>,
}

/// A spec with score, rank and decile columns.
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

/// A spec with rank and decile columns (no score).
const fn ranked(id: &'static str, rank: &'static str, decile: &'static str) -> Spec {
    Spec {
        id,
        score: None,
        rank,
        decile: Some(decile),
    }
}

/// A spec with score and rank columns; the decile is derived from the rank.
const fn cni(id: &'static str, score: &'static str, rank: &'static str) -> Spec {
    Spec {
        id,
        score: Some(score),
        rank,
        decile: None,
    }
}

/// IoD 2025 `imd2025_lsoa21.csv`: the IMD and its seven domains, with scores.
pub(super) const IOD2025_MAIN: &[Spec] = &[
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
/// IoD 2025 `imd2025_lsoa21_subdomains.csv`: the six sub-domains, with scores.
pub(super) const IOD2025_SUB: &[Spec] = &[
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
/// IoD 2019 `imd2019_lsoa11.csv` (tidy): the IMD and its seven domains, ranks and deciles.
pub(super) const IOD2019_MAIN: &[Spec] = &[
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
/// IoD 2019 `imd2019_lsoa11_subdomains.csv` (tidy): the six sub-domains.
pub(super) const IOD2019_SUB: &[Spec] = &[
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
pub(super) const IOD2019_FILE2: &[Spec] = &[
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
/// CNI 2023 `cni2023_lsoa21.csv`: the index and its three domains, scores and ranks (no deciles).
pub(super) const CNI2023: &[Spec] = &[
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
/// CNI 2019 `cni2019_ward17.csv`: the index and its three domains, scores and ranks (no deciles).
pub(super) const CNI2019: &[Spec] = &[
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
pub(super) struct Resolved<'s> {
    spec: &'s Spec,
    score: Option<Column>,
    rank: Column,
    decile: Option<Column>,
}

/// Finds every spec's columns in the header; a missing one is an error naming it.
pub(super) fn resolve<'s>(csv: &CsvFile, specs: &'s [Spec]) -> Result<Vec<Resolved<'s>>> {
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

/// One empty column per spec, `rows` long.
pub(super) fn empty_columns(specs: &[Spec], rows: usize) -> Vec<IndicatorColumn> {
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
pub(super) fn read_values(
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

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::catalogue::{IndicatorId, Source, CATALOGUE};

    const TIDY: [(&[Spec], &str); 6] = [
        (IOD2025_MAIN, "IOD2025_MAIN"),
        (IOD2025_SUB, "IOD2025_SUB"),
        (IOD2019_MAIN, "IOD2019_MAIN"),
        (IOD2019_SUB, "IOD2019_SUB"),
        (CNI2023, "CNI2023"),
        (CNI2019, "CNI2019"),
    ];

    #[test]
    fn every_spec_names_a_catalogue_indicator() {
        for (specs, table) in TIDY.iter().chain(&[(IOD2019_FILE2, "IOD2019_FILE2")]) {
            for spec in *specs {
                assert!(
                    IndicatorId::parse(spec.id).is_ok(),
                    "{table}: {} is not in the catalogue",
                    spec.id
                );
            }
        }
    }

    #[test]
    fn every_catalogue_indicator_is_read_from_exactly_one_tidy_spec() {
        for def in CATALOGUE {
            let found: Vec<&str> = TIDY
                .iter()
                .filter(|(specs, _)| specs.iter().any(|s| s.id == def.id))
                .map(|(_, table)| *table)
                .collect();
            assert_eq!(found.len(), 1, "{} is in {found:?}", def.id);
        }
    }

    #[test]
    fn a_spec_has_a_score_column_exactly_when_the_catalogue_says_so() {
        for (specs, table) in TIDY {
            for spec in specs {
                let def = IndicatorId::parse(spec.id).ok().map(|id| id.def());
                assert_eq!(
                    def.map(|d| d.has_score),
                    Some(spec.score.is_some()),
                    "{table}: {}",
                    spec.id
                );
                assert_eq!(
                    def.map(|d| d.decile_published),
                    Some(spec.decile.is_some()),
                    "{table}: {}",
                    spec.id
                );
            }
        }
    }

    #[test]
    fn the_official_file_2_layout_covers_the_tidy_2019_domains() {
        let tidy: Vec<&str> = IOD2019_MAIN.iter().map(|s| s.id).collect();
        let official: Vec<&str> = IOD2019_FILE2.iter().map(|s| s.id).collect();
        assert_eq!(official, tidy);
        assert!(IOD2019_FILE2
            .iter()
            .all(|s| IndicatorId::parse(s.id).map(|id| id.def().source) == Ok(Source::Iod2019)));
    }
}
