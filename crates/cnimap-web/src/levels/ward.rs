//! A ward 2024 from the documents the page fetches (issue 11): its council, its LSOAs, its
//! summaries and its position among England's wards and within its council, for the ward panel
//! ([`crate::components::ward_panel`]). Pure, unit-tested natively.

use cnimap_core::api::{AreaDetail, AreaIndicator, NamedArea, ValuesResponse};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::position::{self, measure_sentence, Position};
use cnimap_core::summary::{area_indicator, summarise, Measure, Summary};
use cnimap_core::table::TableParents;
use cnimap_core::Level;

use crate::levels::{measure_label, value_text, SummaryMap};

/// The indices whose ward summaries the panel lists (with the map's indicator when it is another
/// LSOA 2021 indicator).
pub const MAIN_INDICATORS: [IndicatorId; 2] = [IndicatorId::IMD2025, IndicatorId::CNI2023];

/// One ward as the documents place it.
#[derive(Debug, Clone, PartialEq)]
pub struct WardFacts {
    /// The ward's index in the parents document's ward 2024 column.
    pub index: usize,
    /// Code and name.
    pub ward: NamedArea,
    /// Its council: the local authority of its first LSOA (as the ward tables place it).
    pub council: Option<NamedArea>,
    /// Its LSOAs 2021 (feature indices), by the ONS best-fit lookup.
    pub lsoas: Vec<usize>,
}

/// Each ward's council (an index into the local authority column): the council of its first
/// LSOA, as core's `summary_frame` places a ward's parent. Empty without both columns.
pub fn ward_councils(parents: &TableParents) -> Vec<Option<u32>> {
    let column = |l: Level| parents.parents.iter().find(|p| p.level == l);
    let (Some(ward), Some(lad)) = (column(Level::Ward24), column(Level::Lad24)) else {
        return Vec::new();
    };
    let mut out = vec![None; ward.areas.len()];
    for (w, l) in ward.index.iter().zip(&lad.index) {
        if let (Some(w), Some(l)) = (w, l) {
            if let Some(slot) = out.get_mut(*w as usize) {
                slot.get_or_insert(*l);
            }
        }
    }
    out
}

/// The ward with `code`, its council and its LSOAs; `None` when the parents document has no
/// ward 2024 column or no such ward.
pub fn ward_facts(parents: &TableParents, code: &str) -> Option<WardFacts> {
    let ward = parents.parents.iter().find(|p| p.level == Level::Ward24)?;
    let index = ward.areas.iter().position(|a| a.code == code)?;
    let lsoas: Vec<usize> = ward
        .index
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == Some(index as u32))
        .map(|(i, _)| i)
        .collect();
    let council = ward_councils(parents)
        .get(index)
        .copied()
        .flatten()
        .and_then(|l| {
            parents
                .parents
                .iter()
                .find(|p| p.level == Level::Lad24)?
                .areas
                .get(l as usize)
                .cloned()
        });
    Some(WardFacts {
        index,
        ward: ward.areas[index].clone(),
        council,
        lsoas,
    })
}

/// The summary of one LSOA 2021 indicator for ward `ward` (`None` when it has no ranked LSOA or
/// the documents do not fit).
pub fn ward_summary(
    parents: &TableParents,
    values: &ValuesResponse,
    ward: usize,
) -> Option<Summary> {
    let column = parents.parents.iter().find(|p| p.level == Level::Ward24)?;
    if column.index.len() != values.rank.len() {
        return None;
    }
    summarise(
        &column.index,
        column.areas.len(),
        &values.rank,
        &values.decile,
        None,
    )
    .get(ward)
    .copied()
    .flatten()
}

/// What the panel says of the map's measure for ward `ward`: its value ("50%: share in the most
/// deprived 10% on the Index of Multiple Deprivation 2025"), its position among England's wards
/// and within its council (`councils` from [`ward_councils`], `council` its name).
pub fn measure_lines(
    m: &SummaryMap,
    councils: &[Option<u32>],
    council: Option<&str>,
    ward: usize,
) -> Vec<String> {
    let direction = m.indicator.def().direction();
    let measure = m.at.measure;
    let label = measure_label(measure, direction).to_lowercase();
    let title = m.indicator.def().title;
    let Some(value) = m.value(ward) else {
        return vec![format!("No {label} on the {title}: no ranked LSOA.")];
    };
    let mut out = vec![format!(
        "{}: {label} on the {title}",
        value_text(measure, value)
    )];
    let say = |p: Position, within: &str| {
        format!(
            "{}.",
            measure_sentence(p, direction, Level::Ward24.areas_noun(), within, measure)
        )
    };
    if let Some(p) = m.position(ward) {
        out.push(say(p, "England"));
    }
    let values: Vec<Option<f64>> = (0..m.areas.len()).map(|a| m.value(a)).collect();
    if let (Some(name), Some(p)) = (
        council,
        position::within_parent_by_value(councils, &values, measure.worst_is_low(), ward),
    ) {
        out.push(say(p, name));
    }
    out
}

/// Ward `ward`'s summaries of `values` (LSOA 2021 indicators) as an area document lists its
/// indicators (core's [`cnimap_core::summary::area_indicator`], the server's words for councils
/// and regions), for the comparison; indicators without a ranked LSOA in the ward are left out.
pub fn ward_indicators(
    parents: &TableParents,
    values: &[&ValuesResponse],
    ward: usize,
) -> Vec<AreaIndicator> {
    values
        .iter()
        .filter_map(|v| {
            let id = IndicatorId::parse(&v.indicator).ok()?;
            let s = ward_summary(parents, v, ward)?;
            Some(area_indicator(id.def(), &s, v.n_ranked, Level::Ward24))
        })
        .collect()
}

/// A compared area with a ward's figures made here: an area document (a ward 2017 by the same
/// code, with its CNI 2019 and IoD 2019 figures) gains the ward 2024's indicators it lacks (an
/// unchanged ward code names the same area in both years); without one, the ward 2024 alone
/// (`facts`, `indicators` from [`ward_facts`] and [`ward_indicators`]) becomes the document.
/// `None` when there is neither.
pub fn with_ward24(
    code: &str,
    doc: Option<AreaDetail>,
    ward: Option<(WardFacts, Vec<AreaIndicator>)>,
) -> Option<AreaDetail> {
    match (doc, ward) {
        (Some(mut d), Some((_, indicators))) => {
            for i in indicators {
                if !d.indicators.iter().any(|x| x.id == i.id) {
                    d.indicators.push(i);
                }
            }
            Some(d)
        }
        (Some(d), None) => Some(d),
        (None, Some((facts, indicators))) => Some(AreaDetail {
            code: code.to_string(),
            name: facts.ward.name.clone(),
            level: Level::Ward24,
            feature_index: facts.index as u32,
            neighbourhood: None,
            ward: None,
            lad: facts.council.clone(),
            region: None,
            bbox_wgs84: [0.0; 4],
            indicators,
            left_behind: None,
            neighbours: Vec::new(),
            summary_method: Some(WARD24_METHOD.to_string()),
            left_behind_count: None,
            counterparts: Vec::new(),
        }),
        (None, None) => None,
    }
}

/// How a ward 2024's figures are made, in words.
pub const WARD24_METHOD: &str = "Wards publish no figures of their own: these are MHCLG's summary measures of the ward's LSOAs (2021), placed in it by the ONS best-fit lookup, computed by cnimap (average ranks unweighted).";

/// The summary measures of one indicator, in the panel's words: share, average rank, rank of
/// average rank.
pub fn summary_cells(s: &Summary) -> [String; 3] {
    [
        value_text(Measure::ShareDecile1, s.share_decile1),
        value_text(Measure::AverageRank, s.average_rank),
        format!(
            "{} of {}",
            value_text(
                Measure::RankOfAverageRank,
                f64::from(s.rank_of_average_rank)
            ),
            value_text(Measure::RankOfAverageRank, f64::from(s.of))
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::table::ParentColumn;

    fn area(code: &str, name: &str) -> NamedArea {
        NamedArea {
            code: code.into(),
            name: name.into(),
        }
    }

    /// Five LSOAs: wards W1 (LSOAs 0, 1; council A), W2 (2, 3; council A), W3 (4; council B).
    fn parents() -> TableParents {
        TableParents {
            layer: Level::Lsoa21,
            parents: vec![
                ParentColumn {
                    level: Level::Ward24,
                    areas: vec![
                        area("E05000001", "W1"),
                        area("E05000002", "W2"),
                        area("E05000003", "W3"),
                    ],
                    index: vec![Some(0), Some(0), Some(1), Some(1), Some(2)],
                },
                ParentColumn {
                    level: Level::Lad24,
                    areas: vec![area("E06000001", "A"), area("E06000002", "B")],
                    index: vec![Some(0), Some(0), Some(0), Some(0), Some(1)],
                },
            ],
        }
    }

    fn values() -> ValuesResponse {
        ValuesResponse {
            layer: Level::Lsoa21,
            indicator: "imd2025".into(),
            n_ranked: 10,
            rank: vec![Some(1), Some(9), Some(2), Some(3), Some(10)],
            decile: vec![Some(1), Some(9), Some(2), Some(3), Some(10)],
            score: None,
            decile_counts: [1, 1, 1, 0, 0, 0, 0, 0, 1, 1],
        }
    }

    #[test]
    fn a_ward_2024_is_compared_by_its_summaries_or_joins_its_2017_document() {
        let (p, v) = (parents(), values());
        let facts = ward_facts(&p, "E05000001").expect("ward");
        let inds = ward_indicators(&p, &[&v], facts.index);
        assert_eq!(inds.len(), 1);
        // W1: LSOAs ranked 1 and 9 of 10: half in decile 1, average 5, 2nd of 3 wards (W2: 2.5).
        let texts: Vec<&str> = inds[0].measures.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["50%", "5", "2 of 3"]);
        let alone = with_ward24("E05000001", None, Some((facts.clone(), inds.clone())))
            .expect("a document");
        assert_eq!((alone.level, alone.name.as_str()), (Level::Ward24, "W1"));
        assert_eq!(alone.lad.as_ref().map(|l| l.name.as_str()), Some("A"));
        // A ward 2017 by the same code keeps its own figures and gains the 2024 ones.
        let mut w17 = alone.clone();
        w17.level = Level::Ward17;
        w17.indicators = vec![AreaIndicator {
            id: "cni2019".into(),
            ..inds[0].clone()
        }];
        let both = with_ward24("E05000001", Some(w17), Some((facts, inds))).expect("both");
        let ids: Vec<&str> = both.indicators.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            (both.level, ids),
            (Level::Ward17, vec!["cni2019", "imd2025"])
        );
        assert_eq!(with_ward24("E05000009", None, None), None);
    }

    #[test]
    fn a_ward_is_found_with_its_council_and_its_lsoas() {
        let f = ward_facts(&parents(), "E05000002").expect("ward");
        assert_eq!((f.index, f.lsoas.clone()), (1, vec![2, 3]));
        assert_eq!(f.council.map(|c| c.name), Some("A".to_string()));
        assert_eq!(ward_councils(&parents()), [Some(0), Some(0), Some(1)]);
        assert_eq!(ward_facts(&parents(), "E05999999"), None);
    }

    #[test]
    fn the_ward_is_summarised_and_placed_in_england_and_in_its_council() {
        let (p, v) = (parents(), values());
        let s = ward_summary(&p, &v, 0).expect("summary");
        assert_eq!((s.share_decile1, s.average_rank), (0.5, 5.0));
        // Average ranks: W1 5, W2 2.5, W3 10.
        assert_eq!(summary_cells(&s), ["50%", "5", "2 of 3"]);
        let at = crate::levels::MapLevel::first(IndicatorId::IMD2025, Level::Ward24).expect("at");
        let m = SummaryMap::build(&v, &p, at, None, None).expect("map");
        let lines = measure_lines(&m, &ward_councils(&p), Some("A"), 0);
        assert_eq!(
            lines[0],
            "50%: share in the most deprived 10% on the Index of Multiple Deprivation 2025"
        );
        assert_eq!(
            lines[1],
            "1st most deprived of 3 wards in England by share of LSOAs in decile 1."
        );
        assert_eq!(
            lines[2],
            "1st most deprived of 2 wards in A by share of LSOAs in decile 1."
        );
        // W2 has no LSOA in decile 1: joint 2nd in England with W3, 2nd of 2 in A.
        let lines = measure_lines(&m, &ward_councils(&p), Some("A"), 1);
        assert_eq!(
            lines[0],
            "0%: share in the most deprived 10% on the Index of Multiple Deprivation 2025"
        );
        assert!(lines[1].starts_with("joint 2nd most deprived of 3 wards in England"));
        assert!(lines[2].starts_with("2nd most deprived of 2 wards in A"));
    }
}
