//! What the app says, in plain words, as pure functions of the data: tooltips, legend lines,
//! search results and panel lines. Domain facts (titles, directions, nouns, the left-behind
//! sentence) come from `cnimap-core`; this module only puts them into sentences.

#[cfg(test)]
use cnimap_core::api::SummaryMeasure;
use cnimap_core::api::{AreaIndicator, Counterpart, HitKind, SearchHit, ValuesResponse};
use cnimap_core::catalogue::{Direction, IndicatorId, Source};
use cnimap_core::classify::format_thousands;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;

use crate::classes::{bivariate_classes, bivariate_of, Pair};
use crate::url_state::Selection;

/// What kind of place a search hit is, as the result list says it.
pub fn kind_label(kind: HitKind) -> &'static str {
    match kind {
        HitKind::Postcode => "Postcode",
        HitKind::PostcodeSector => "Postcode sector",
        HitKind::PostcodeOutcode => "Postcode district",
        HitKind::Neighbourhood => "Neighbourhood",
        HitKind::Ward => "Ward",
        HitKind::Parish => "Parish",
        HitKind::LocalAuthority => "Local authority",
        HitKind::Lsoa => "LSOA",
        HitKind::Town => "Town or village",
    }
}

/// The area whose panel a search hit opens: the LSOA a postcode falls in, the LSOA or local
/// authority itself; other hits only move the map.
pub fn area_of(hit: &SearchHit) -> Option<Selection> {
    let code = match hit.kind {
        HitKind::Lsoa | HitKind::LocalAuthority => hit.code.clone().or(hit.lsoa21.clone()),
        // A town opens the neighbourhood at its centre (GeoNames' point).
        HitKind::Postcode | HitKind::Town => hit.lsoa21.clone(),
        _ => None,
    };
    code.map(Selection::code)
}

/// How close the map goes to a search hit that is a point.
pub fn hit_zoom(kind: HitKind) -> f64 {
    match kind {
        HitKind::Postcode => 14.0,
        HitKind::PostcodeSector => 13.0,
        HitKind::PostcodeOutcode => 11.5,
        HitKind::Town => 12.0,
        _ => 12.5,
    }
}

/// The search status line when nothing matched.
pub fn nothing_found(query: &str) -> String {
    format!("Nothing found for “{}”.", query.trim())
}

/// The panel's note on the neighbourhood a town or village opened (issue 16): a town covers many
/// neighbourhoods, and the one shown is only the one at its centre.
pub fn town_note(town: &str) -> String {
    format!(
        "{town} covers many neighbourhoods: this is the one at its centre. The council area \
         shows the whole town and its surroundings."
    )
}

/// The council a town lies in, from its search hit's context (`"Tendring, East of England"`:
/// the council, then the region, which never holds a comma; `"Bristol, City of, South West"`).
pub fn council_of_context(context: &str) -> &str {
    context
        .rsplit_once(", ")
        .map_or(context, |(council, _)| council)
}

/// The label of the button that opens a town's council from the panel's note.
pub fn town_council_link(council: &str) -> String {
    format!("Show the council area: {council}")
}

/// The tooltip line of a choropleth area: "Decile 3 · rank 7,421 of 33,755".
pub fn describe_decile(values: &ValuesResponse, index: usize) -> String {
    match (
        values.decile.get(index).copied().flatten(),
        values.rank.get(index).copied().flatten(),
    ) {
        (Some(d), Some(r)) => format!(
            "Decile {d} · rank {} of {}",
            format_thousands(r),
            format_thousands(values.n_ranked)
        ),
        (Some(d), None) => format!("Decile {d}"),
        _ => "No value".to_string(),
    }
}

/// The tooltip line of an area in the bivariate view: its class in words.
pub fn describe_bivariate(pair: &Pair, index: usize) -> String {
    bivariate_classes(pair)
        .get(index)
        .copied()
        .and_then(bivariate_of)
        .map(|c| c.label().to_string())
        .unwrap_or_else(|| "No value".to_string())
}

/// The tooltip line of an area in the left-behind view: the verdict and both ranks.
pub fn describe_left_behind(pair: &Pair, rule: LeftBehindRule, index: usize) -> String {
    let need = pair.need.rank.get(index).copied().flatten();
    let dep = pair.deprivation.rank.get(index).copied().flatten();
    match (need, dep) {
        (Some(n), Some(d)) => {
            let verdict = if LEFT_BEHIND_PAIR.is_left_behind(
                rule,
                (Some(n), pair.need.n_ranked),
                (Some(d), pair.deprivation.n_ranked),
            ) {
                "Left behind"
            } else {
                "Not left behind"
            };
            format!(
                "{verdict} · {} rank {} · {} rank {}",
                short_name(LEFT_BEHIND_PAIR.need),
                format_thousands(n),
                short_name(LEFT_BEHIND_PAIR.deprivation),
                format_thousands(d)
            )
        }
        _ => "No value".to_string(),
    }
}

/// The short name of an index's source ("CNI", "IMD").
pub fn short_name(indicator: IndicatorId) -> &'static str {
    match indicator.def().source {
        Source::Iod2025 | Source::Iod2019 => "IMD",
        Source::Cni2023 | Source::Cni2019 => "CNI",
    }
}

/// The short name of a level's geography, the part of its title in brackets ("LSOA 2021" of
/// "Neighbourhood (LSOA 2021)"), or its title when there is none.
pub fn level_short_title(level: Level) -> &'static str {
    let title = level.title();
    title
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(title)
}

/// How an index's deciles were made, in words, with a worked example from its own layer (core's
/// sentence: the server's catalogue says the same).
pub fn decile_method(indicator: IndicatorId, n: Option<u32>) -> String {
    cnimap_core::classify::decile_method(indicator.def(), n)
}

/// "rank 1,204 of 33,755".
pub fn rank_phrase(rank: u32, of: u32) -> String {
    format!(
        "rank {} of {}",
        format_thousands(rank),
        format_thousands(of)
    )
}

/// A score as shown: at most three decimals, no trailing zeros ("94.223", "28.28", "0.25").
pub fn format_score(score: f64) -> String {
    let text = format!("{score:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Indicators grouped by their source, sources in the order they first appear (the server sends
/// the catalogue's order). Ids the catalogue does not know are left out.
pub fn group_by_source(indicators: &[AreaIndicator]) -> Vec<(Source, Vec<AreaIndicator>)> {
    let mut groups: Vec<(Source, Vec<AreaIndicator>)> = Vec::new();
    for ind in indicators {
        let Ok(id) = IndicatorId::parse(&ind.id) else {
            continue;
        };
        let source = id.def().source;
        match groups.iter_mut().find(|(s, _)| *s == source) {
            Some((_, list)) => list.push(ind.clone()),
            None => groups.push((source, vec![ind.clone()])),
        }
    }
    groups
}

/// A column of a larger area's measures table.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureColumn {
    /// The measure id (`share_decile1`, `average_rank`, `rank_of_average_rank`).
    pub id: String,
    /// Its short name, for the column head.
    pub short: &'static str,
    /// Its full name, from the server, said once.
    pub label: String,
}

/// The short name of a summary measure, for a column head.
pub fn measure_short_name(id: &str) -> &'static str {
    match id {
        "share_decile1" => "Share in worst 10%",
        "average_rank" => "Average rank",
        "rank_of_average_rank" => "Rank",
        _ => "Measure",
    }
}

/// The columns of a measures table for indicators of one source: the measures of the first
/// indicator that has any, `None` when none has (a neighbourhood's indicators).
pub fn measure_columns(indicators: &[AreaIndicator]) -> Option<Vec<MeasureColumn>> {
    let first = indicators.iter().find(|i| !i.measures.is_empty())?;
    Some(
        first
            .measures
            .iter()
            .map(|m| MeasureColumn {
                id: m.id.clone(),
                short: measure_short_name(&m.id),
                label: m.label.clone(),
            })
            .collect(),
    )
}

/// "15 of its 89 neighbourhoods are left behind".
pub fn left_behind_count_sentence(count: u32, of: u32) -> String {
    let noun = LEFT_BEHIND_PAIR.level.areas_noun();
    match count {
        1 => format!("1 of its {} {noun} is left behind", format_thousands(of)),
        _ => format!(
            "{} of its {} {noun} are left behind",
            format_thousands(count),
            format_thousands(of)
        ),
    }
}

/// The line above the links to the same place in the other LSOA vintage.
pub fn counterparts_intro(counterparts: &[Counterpart]) -> String {
    let level = counterparts.first().map(|c| c.level);
    let vintage = level.map(level_short_title).unwrap_or("other");
    match counterparts.len() {
        1 => format!("The same place as an {vintage} area:"),
        n => format!("The same place as {n} {vintage} areas:"),
    }
}

/// What the panel says when an area could not be loaded: the server's explanation, once, and
/// what to do.
pub fn area_error(code: &str, error: &impl std::fmt::Display) -> String {
    let said = error.to_string();
    let said = said.trim().trim_end_matches('.');
    let what = if said.is_empty() {
        format!("The area {code} could not be loaded")
    } else {
        let mut chars = said.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    };
    format!("{what}. Check the link, or search for the place by name or postcode.")
}

/// The legend line for decile 10, given the kind of area ("neighbourhoods", "wards").
pub fn decile_ten_phrase(direction: Direction, areas: &str) -> String {
    match direction {
        Direction::HighestNeedFirst => {
            format!("10 = the 10% of {areas} with the lowest community need")
        }
        Direction::MostDeprivedFirst => format!("10 = the least deprived 10% of {areas}"),
    }
}

/// Most areas the text alternative of the map lists (the count is always exact).
pub const MAP_TEXT_ROWS: usize = 25;

/// The lowest zoom at which the text alternative lists the areas in view (below it, thousands).
pub const MAP_TEXT_MIN_ZOOM: f64 = 8.0;

/// The first line of the text alternative of the map: how many areas are in view and which are
/// listed. `in_view` of them, `listed` shown.
pub fn map_text_summary(in_view: usize, listed: usize, areas: &str) -> String {
    let n = format_thousands(in_view as u32);
    match (in_view, listed) {
        (0, _) => format!("No {areas} in view."),
        (_, l) if l == in_view => format!("{n} {areas} in view, the worst off first."),
        _ => format!("{n} {areas} in view; the {listed} worst off are listed."),
    }
}

/// The line under the list when it is cut: how many more there are.
pub fn map_text_more(more: usize, areas: &str) -> String {
    format!(
        "…and {} more {areas} in view: zoom in to list them.",
        format_thousands(more as u32)
    )
}

/// The text alternative's line while the map is zoomed out too far to list the areas.
pub fn map_text_zoom_in(areas: &str) -> String {
    format!(
        "Too many {areas} in view to list. Zoom in (the plus key on the map) to list the {areas} \
in view with their values."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn values(indicator: IndicatorId, ranks: &[Option<u32>], n: u32) -> Arc<ValuesResponse> {
        Arc::new(ValuesResponse {
            layer: Level::Lsoa21,
            indicator: indicator.as_str().into(),
            n_ranked: n,
            decile: ranks
                .iter()
                .map(|r| r.and_then(|r| cnimap_core::classify::decile_from_rank(r, n)))
                .collect(),
            rank: ranks.to_vec(),
            score: None,
            decile_counts: [0; 10],
        })
    }

    fn hit(kind: HitKind, code: Option<&str>, lsoa21: Option<&str>) -> SearchHit {
        SearchHit {
            name: "x".into(),
            kind,
            code: code.map(Into::into),
            context: String::new(),
            lsoa21: lsoa21.map(Into::into),
            ward: None,
            point_wgs84: None,
            bbox_wgs84: None,
            lad_code: None,
        }
    }

    #[test]
    fn a_town_note_names_the_town_and_its_council_without_the_region() {
        assert!(
            town_note("Clacton-on-Sea").starts_with("Clacton-on-Sea covers many neighbourhoods")
        );
        assert_eq!(council_of_context("Tendring, East of England"), "Tendring");
        assert_eq!(
            council_of_context("Bristol, City of, South West"),
            "Bristol, City of"
        );
        assert_eq!(council_of_context("Tendring"), "Tendring");
        assert_eq!(
            town_council_link("Tendring"),
            "Show the council area: Tendring"
        );
    }

    #[test]
    fn a_postcode_opens_its_lsoa_and_a_ward_only_moves_the_map() {
        assert_eq!(
            area_of(&hit(HitKind::Postcode, None, Some("E01021988"))),
            Some(Selection::code("E01021988"))
        );
        assert_eq!(
            area_of(&hit(HitKind::LocalAuthority, Some("E07000076"), None)),
            Some(Selection::code("E07000076"))
        );
        assert_eq!(
            area_of(&hit(HitKind::Ward, Some("E05000001"), Some("E01000001"))),
            None
        );
        assert_eq!(
            area_of(&hit(HitKind::Town, None, Some("E01021984"))),
            Some(Selection::code("E01021984"))
        );
    }

    #[test]
    fn scores_keep_at_most_three_decimals_without_trailing_zeros() {
        assert_eq!(format_score(94.223), "94.223");
        assert_eq!(format_score(28.28), "28.28");
        assert_eq!(format_score(0.25), "0.25");
        assert_eq!(format_score(-1.2345), "-1.234");
        assert_eq!(format_score(3.0), "3");
        assert_eq!(format_score(-0.0001), "0");
    }

    fn indicator(id: &str) -> AreaIndicator {
        AreaIndicator {
            id: id.into(),
            title: id.into(),
            score: None,
            rank: None,
            of: 1,
            decile: None,
            meaning: String::new(),
            score_meaning: None,
            measures: Vec::new(),
        }
    }

    #[test]
    fn indicators_are_grouped_by_source_in_the_order_sent() {
        let groups = group_by_source(&[
            indicator("imd2025"),
            indicator("imd2025_income"),
            indicator("cni2023"),
            indicator("nonsense"),
            indicator("cni2023_civic"),
        ]);
        let shape: Vec<(Source, usize)> = groups.iter().map(|(s, l)| (*s, l.len())).collect();
        assert_eq!(shape, vec![(Source::Iod2025, 2), (Source::Cni2023, 2)]);
        // The heading is the source's title, which names its year once.
        assert_eq!(
            Source::Iod2025.title(),
            "English Indices of Deprivation 2025"
        );
    }

    #[test]
    fn a_larger_areas_measures_become_columns_named_once() {
        let mut share = indicator("imd2025");
        share.measures = vec![
            SummaryMeasure {
                id: "share_decile1".into(),
                label: "Share of its 89 neighbourhoods among the 10% most deprived in England"
                    .into(),
                value: 0.2,
                text: "20%".into(),
            },
            SummaryMeasure {
                id: "average_rank".into(),
                label: "Average rank of its neighbourhoods (1 = most deprived of 33,755)".into(),
                value: 10_496.75,
                text: "10,497".into(),
            },
        ];
        let columns = measure_columns(&[indicator("x"), share]).unwrap_or_default();
        let heads: Vec<&str> = columns.iter().map(|c| c.short).collect();
        assert_eq!(heads, vec!["Share in worst 10%", "Average rank"]);
        assert!(columns[1]
            .label
            .starts_with("Average rank of its neighbourhoods"));
        assert_eq!(measure_columns(&[indicator("imd2025")]), None);
    }

    #[test]
    fn a_count_of_left_behind_areas_reads_as_a_sentence() {
        assert_eq!(
            left_behind_count_sentence(15, 89),
            "15 of its 89 neighbourhoods are left behind"
        );
        assert_eq!(
            left_behind_count_sentence(1, 3_758),
            "1 of its 3,758 neighbourhoods is left behind"
        );
    }

    #[test]
    fn a_bad_link_is_explained_once() {
        let message = area_error("E01999999", &"no area with code E01999999 in the data");
        assert_eq!(
            message,
            "No area with code E01999999 in the data. Check the link, or search for the place by name or postcode."
        );
        assert_eq!(message.matches("E01999999").count(), 1);
        assert!(area_error("X", &"").starts_with("The area X could not be loaded."));
    }

    #[test]
    fn short_titles_name_the_geography() {
        assert_eq!(level_short_title(Level::Lsoa21), "LSOA 2021");
        assert_eq!(level_short_title(Level::Ward17), "2017");
        assert_eq!(level_short_title(Level::Region), "Region");
    }

    #[test]
    fn the_tooltip_names_decile_and_rank_of_the_layers_own_count() {
        let v = values(IndicatorId::CNI2019, &[Some(1), None, Some(7_433)], 7_433);
        assert_eq!(describe_decile(&v, 0), "Decile 1 · rank 1 of 7,433");
        assert_eq!(describe_decile(&v, 1), "No value");
        assert_eq!(describe_decile(&v, 2), "Decile 10 · rank 7,433 of 7,433");
        assert_eq!(describe_decile(&v, 99), "No value");
    }

    #[test]
    fn the_left_behind_tooltip_gives_the_verdict_and_both_ranks() {
        let pair = Pair {
            need: values(IndicatorId::CNI2023, &[Some(10), Some(11)], 100),
            deprivation: values(IndicatorId::IMD2025, &[Some(1), Some(1)], 100),
        };
        let rule = LeftBehindRule::default();
        assert_eq!(
            describe_left_behind(&pair, rule, 0),
            "Left behind · CNI rank 10 · IMD rank 1"
        );
        assert!(describe_left_behind(&pair, rule, 1).starts_with("Not left behind"));
    }
}
