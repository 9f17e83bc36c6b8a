//! The map at larger levels (issue 11): an LSOA 2021 indicator shown for wards (2024), local
//! authorities or regions, and an IoD 2019 indicator (LSOA 2011) for wards (December 2017, by the
//! ONS best-fit lookup), local authorities or regions, by one of MHCLG's summary measures,
//! computed here from the documents the page fetches (`/api/values/{lsoa}/{id}`,
//! `/api/parents/{lsoa}`, `/api/layers/{level}`, and for the IoD 2019 the populations of
//! `/api/lineage/lsoa11`) with the core's [`summarise`], so a static site needs no server. Pure, unit-tested natively:
//! the level and measure in the URL, the values by map feature, the ten classes each measure is
//! drawn in, and the legend's words.
//!
//! Local authorities, regions and wards 2017 are drawn on their own tiles (feature index =
//! position in `/api/layers/{level}`). Wards 2024 have no boundary file: each LSOA 2021 is painted with the
//! value of the ward the ONS best-fit lookup puts it in.

use std::collections::HashMap;

use cnimap_core::api::{LayerAreasResponse, NamedArea, ValuesResponse};
use cnimap_core::catalogue::{Direction, IndicatorId};
use cnimap_core::classify::format_thousands;
use cnimap_core::position::{among_all, within_parent, Position};
use cnimap_core::summary::{measures_at, summarise, Measure, Summary};
use cnimap_core::table::TableParents;
use cnimap_core::Level;

use crate::layers::AreaLayer;

pub mod ward;

/// The levels the map can show an LSOA 2021 indicator at, in picker order.
pub const MAP_LEVELS: [Level; 4] = [Level::Lsoa21, Level::Ward24, Level::Lad24, Level::Region];

/// The levels the map can show an IoD 2019 indicator (LSOA 2011) at, in picker order.
pub const MAP_LEVELS_2011: [Level; 4] = [Level::Lsoa11, Level::Ward17, Level::Lad24, Level::Region];

/// The levels the map can show `indicator` at, its own first (empty: no larger levels, as for the
/// CNI 2019, published on wards).
pub fn map_levels(indicator: IndicatorId) -> &'static [Level] {
    match indicator.def().level() {
        Level::Lsoa21 => &MAP_LEVELS,
        Level::Lsoa11 => &MAP_LEVELS_2011,
        _ => &[],
    }
}

/// The wards' note in the legend: they have no outline file of their own.
pub const WARDS_NOTE: &str =
    "Wards drawn from their LSOAs (ONS best-fit lookup): each neighbourhood is painted with its ward’s value.";

/// A larger level and the summary measure the map shows it by (absent: the indicator's own
/// areas, coloured by decile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MapLevel {
    /// Ward 2024, LAD 2024 or region.
    pub level: Level,
    /// One of [`Measure::SUMMARIES`].
    pub measure: Measure,
}

impl MapLevel {
    /// The level and measure when `indicator` has that measure at that level.
    pub fn new(indicator: IndicatorId, level: Level, measure: Measure) -> Option<MapLevel> {
        (level != indicator.def().level()
            && measures_at(indicator.def(), level).contains(&measure)
            && map_levels(indicator).contains(&level))
        .then_some(MapLevel { level, measure })
    }

    /// `level` at its first measure for `indicator` (the share in decile 1), or `None` when
    /// `level` is the indicator's own or it has no summaries there.
    pub fn first(indicator: IndicatorId, level: Level) -> Option<MapLevel> {
        let measure = *measures_at(indicator.def(), level).first()?;
        MapLevel::new(indicator, level, measure)
    }

    /// The URL words: `map=lad24`, `measure=imd2025.share_decile1` (the table's column id).
    pub fn to_params(self, indicator: IndicatorId) -> [String; 2] {
        [
            format!("map={}", self.level),
            format!("measure={indicator}.{}", self.measure),
        ]
    }

    /// Reads the URL words back: `map` a level id, `measure` a column id whose indicator wins
    /// over `i` (returned with it). `None` when either is missing or does not fit.
    pub fn from_params(
        map: Option<&str>,
        measure: Option<&str>,
        indicator: IndicatorId,
    ) -> Option<(IndicatorId, MapLevel)> {
        let level = Level::from_id(map?)?;
        let (id, m) = match measure?.rsplit_once('.') {
            Some((id, m)) => (IndicatorId::parse(id).ok()?, Measure::from_id(m)?),
            None => (indicator, Measure::from_id(measure?)?),
        };
        MapLevel::new(id, level, m).map(|l| (id, l))
    }

    /// The layer it is drawn on: the level's own tiles, or the LSOA 2021 tiles for wards.
    pub fn layer(self) -> AreaLayer {
        AreaLayer::of(self.level).unwrap_or(AreaLayer::Lsoa21)
    }
}

/// The level picker's name for a level.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Lsoa21 | Level::Lsoa11 => "Neighbourhoods",
        Level::Ward24 => "Wards (2024)",
        Level::Ward17 => "Wards (2017)",
        Level::Lad24 | Level::Lad19 => "Local authorities",
        Level::Region => "Regions",
    }
}

/// The measure picker's name for a measure of an indicator pointing `direction`.
pub fn measure_label(measure: Measure, direction: Direction) -> String {
    let worst = match direction {
        Direction::MostDeprivedFirst => "most deprived",
        Direction::HighestNeedFirst => "highest-need",
    };
    match measure {
        Measure::ShareDecile1 => format!("Share in the {worst} 10%"),
        Measure::AverageRank => "Average rank".into(),
        Measure::RankOfAverageRank => "Rank of average rank".into(),
        other => other.label().into(),
    }
}

/// A measure's value as the legend and the tooltip say it: shares as percentages, ranks whole.
pub fn value_text(measure: Measure, value: f64) -> String {
    match measure {
        Measure::ShareDecile1 => {
            let pct = value * 100.0;
            if (pct - pct.round()).abs() < 0.05 {
                format!("{}%", pct.round())
            } else {
                format!("{pct:.1}%")
            }
        }
        _ => format_thousands(value.round().max(0.0) as u32),
    }
}

/// The lower bounds of the share classes 1..=9 (class 10 is "none"): shares suit fixed breaks
/// (most areas have none, a few half or more), not deciles of the areas.
const SHARE_BREAKS: [f64; 9] = [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05, 0.0];

/// The class (1 = worst ..= 10, 0 = no value) of a measure's value: shares in fixed bands
/// (1 = half or more in decile 1, 10 = none), average ranks by the decile of the LSOA rank they
/// equal (`n_lsoas` ranked), ranks of average rank by their decile among the `n_areas` ranked.
pub fn class_of(measure: Measure, value: Option<f64>, n_lsoas: u32, n_areas: u32) -> u8 {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return 0;
    };
    let tenth = |v: f64, n: u32| {
        if n == 0 {
            0
        } else {
            ((10.0 * v / f64::from(n)).ceil()).clamp(1.0, 10.0) as u8
        }
    };
    match measure {
        Measure::ShareDecile1 => {
            if v <= 0.0 {
                10
            } else {
                SHARE_BREAKS
                    .iter()
                    .position(|b| v >= *b && (*b > 0.0 || v > 0.0))
                    .map_or(9, |i| i as u8 + 1)
            }
        }
        Measure::AverageRank => tenth(v, n_lsoas),
        Measure::RankOfAverageRank => tenth(v, n_areas),
        _ => 0,
    }
}

/// The words of class `class` (1..=10) of a measure in the legend.
pub fn class_text(measure: Measure, class: u8, n_lsoas: u32, n_areas: u32) -> String {
    let range = |n: u32| {
        let lo = (u64::from(class - 1) * u64::from(n)) / 10 + 1;
        let hi = (u64::from(class) * u64::from(n)) / 10;
        format!(
            "{} – {}",
            format_thousands(lo as u32),
            format_thousands(hi as u32)
        )
    };
    match (measure, class) {
        (Measure::ShareDecile1, 1) => "50% or more".into(),
        (Measure::ShareDecile1, 10) => "none".into(),
        (Measure::ShareDecile1, 9) => "under 5%".into(),
        (Measure::ShareDecile1, c @ 2..=8) => {
            let (lo, hi) = (
                SHARE_BREAKS[usize::from(c) - 1],
                SHARE_BREAKS[usize::from(c) - 2],
            );
            format!("{}% – {}%", (lo * 100.0).round(), (hi * 100.0).round())
        }
        (Measure::AverageRank, _) => format!("average rank {}", range(n_lsoas)),
        (Measure::RankOfAverageRank, _) => {
            format!("{} of {}", range(n_areas), format_thousands(n_areas))
        }
        _ => String::new(),
    }
}

/// One indicator summarised at one level and drawn by one measure: what the map, the legend and
/// the tooltip show.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryMap {
    /// The indicator summarised.
    pub indicator: IndicatorId,
    /// Level and measure.
    pub at: MapLevel,
    /// The larger areas, as in `/api/parents/{lsoa}` (sorted by code).
    pub areas: Vec<NamedArea>,
    /// Each larger area's summary.
    pub summaries: Vec<Option<Summary>>,
    /// Each map feature's larger area (an index into `areas`): a feature of the level's own
    /// tiles, or an LSOA 2021 for wards 2024.
    pub feature_area: Vec<Option<u32>>,
    /// LSOAs ranked nationally.
    pub n_lsoas: u32,
}

/// Why the documents do not make a summary map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryError {
    /// The parents document has no column for the level.
    NoParents(Level),
    /// The values are of another LSOA layer than the parents document.
    OtherLayer {
        /// The values' layer.
        values: Level,
        /// The parents document's layer.
        parents: Level,
    },
    /// A document has the wrong length.
    WrongLength {
        /// Which document.
        document: String,
        /// Its length.
        found: usize,
        /// The number of LSOAs.
        expected: usize,
    },
}

impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SummaryError::NoParents(level) => {
                write!(
                    f,
                    "the LSOA parents have no {level} column; reload the page"
                )
            }
            SummaryError::OtherLayer { values, parents } => write!(
                f,
                "values of {values} were given with parents/{parents}; reload the page"
            ),
            SummaryError::WrongLength {
                document,
                found,
                expected,
            } => write!(
                f,
                "{document} has {found} entries for {expected} neighbourhoods; reload the page"
            ),
        }
    }
}

impl std::error::Error for SummaryError {}

impl SummaryMap {
    /// Summarises `values` (an LSOA indicator) at `at.level` with the parents document of its
    /// LSOA layer, and places each larger area on its tiles through `tiles`
    /// (`/api/layers/{level}`: feature index = position of its code; `None` for wards 2024, drawn
    /// on the LSOA tiles). `weights`: each LSOA's population, which weights the average ranks
    /// (the IoD 2019's mid-2015 populations, as the table and `GET /api/table` weight them).
    pub fn build(
        values: &ValuesResponse,
        parents: &TableParents,
        at: MapLevel,
        tiles: Option<&LayerAreasResponse>,
        weights: Option<&[Option<u32>]>,
    ) -> Result<SummaryMap, SummaryError> {
        if values.layer != parents.layer {
            return Err(SummaryError::OtherLayer {
                values: values.layer,
                parents: parents.layer,
            });
        }
        let column = parents
            .parents
            .iter()
            .find(|p| p.level == at.level)
            .ok_or(SummaryError::NoParents(at.level))?;
        let n = values.rank.len();
        if column.index.len() != n {
            return Err(SummaryError::WrongLength {
                document: format!("parents/{} ({})", parents.layer, at.level),
                found: column.index.len(),
                expected: n,
            });
        }
        let summaries = summarise(
            &column.index,
            column.areas.len(),
            &values.rank,
            &values.decile,
            weights,
        );
        let feature_area = match tiles {
            None => column.index.clone(),
            Some(t) => {
                let by_code: HashMap<&str, u32> = (0u32..)
                    .zip(&column.areas)
                    .map(|(i, a)| (a.code.as_str(), i))
                    .collect();
                t.codes
                    .iter()
                    .map(|c| by_code.get(c.as_str()).copied())
                    .collect()
            }
        };
        let indicator = IndicatorId::parse(&values.indicator).unwrap_or(IndicatorId::IMD2025);
        Ok(SummaryMap {
            indicator,
            at,
            areas: column.areas.clone(),
            summaries,
            feature_area,
            n_lsoas: values.n_ranked,
        })
    }

    /// The shown measure of larger area `area`.
    pub fn value(&self, area: usize) -> Option<f64> {
        let s = self.summaries.get(area).copied().flatten()?;
        Some(match self.at.measure {
            Measure::ShareDecile1 => s.share_decile1,
            Measure::AverageRank => s.average_rank,
            _ => f64::from(s.rank_of_average_rank),
        })
    }

    /// How many larger areas have a value.
    pub fn n_areas(&self) -> u32 {
        self.summaries.iter().flatten().count() as u32
    }

    /// The class of every map feature (0 = no value).
    pub fn classes(&self) -> Vec<u8> {
        let n_areas = self.n_areas();
        let by_area: Vec<u8> = (0..self.areas.len())
            .map(|a| class_of(self.at.measure, self.value(a), self.n_lsoas, n_areas))
            .collect();
        self.feature_area
            .iter()
            .map(|a| {
                a.and_then(|a| by_area.get(a as usize).copied())
                    .unwrap_or(0)
            })
            .collect()
    }

    /// How many larger areas fall in each class (1..=10).
    pub fn counts(&self) -> [u32; 10] {
        let n_areas = self.n_areas();
        let mut out = [0u32; 10];
        for a in 0..self.areas.len() {
            let c = class_of(self.at.measure, self.value(a), self.n_lsoas, n_areas);
            if (1..=10).contains(&c) {
                out[usize::from(c - 1)] += 1;
            }
        }
        out
    }

    /// The larger area a map feature shows.
    pub fn area_of_feature(&self, feature: usize) -> Option<usize> {
        self.feature_area
            .get(feature)
            .copied()
            .flatten()
            .map(|a| a as usize)
    }

    /// The index of the larger area with `code`.
    pub fn area_index(&self, code: &str) -> Option<usize> {
        self.areas.iter().position(|a| a.code == code)
    }

    /// The position of larger area `area` among all of its level by the shown measure.
    pub fn position(&self, area: usize) -> Option<Position> {
        let values: Vec<Option<f64>> = (0..self.areas.len()).map(|a| self.value(a)).collect();
        among_all(&values, self.at.measure.worst_is_low(), area)
    }

    /// What the tooltip says of map feature `feature`: "Middlesbrough: 50%, share in the most
    /// deprived 10%".
    pub fn describe(&self, feature: usize) -> Option<(String, String)> {
        let a = self.area_of_feature(feature)?;
        let name = self.areas.get(a)?.name.clone();
        let direction = self.indicator.def().direction();
        let label = measure_label(self.at.measure, direction).to_lowercase();
        let detail = match self.value(a) {
            Some(v) => format!("{}: {label}", value_text(self.at.measure, v)),
            None => "no value".into(),
        };
        Some((name, detail))
    }
}

/// The indicator and map level that show `spec`'s level: at a neighbourhood level (LSOA 2021 or
/// 2011) the map's indicator when it is published there (else IMD 2025 or IMD 2019) on its own
/// areas; at a larger level the indicator and measure of the table's sort when it is a summary
/// (or, for wards 2017, a CNI 2019 column on its own areas), else of its first such column, else
/// `current`'s first measure (IMD 2025's when `current` has no summaries there; the CNI 2019 for
/// wards 2017). The outer `None`: the map has no such level.
pub fn map_for_table(
    spec: &crate::table_data::TableSpec,
    current: IndicatorId,
) -> Option<(IndicatorId, Option<MapLevel>)> {
    let level = spec.level;
    let own_default = match level {
        Level::Lsoa21 => Some(IndicatorId::IMD2025),
        Level::Lsoa11 => Some(IndicatorId::IMD2019),
        _ => None,
    };
    if let Some(default) = own_default {
        let id = if current.def().level() == level {
            current
        } else {
            default
        };
        return Some((id, None));
    }
    if !MAP_LEVELS.contains(&level) && !MAP_LEVELS_2011.contains(&level) {
        return None;
    }
    let shown_by = |column: &str| {
        let (id, m) = column.trim().rsplit_once('.')?;
        let id = IndicatorId::parse(id).ok()?;
        if id.def().level() == level {
            return Some((id, None));
        }
        MapLevel::new(id, level, Measure::from_id(m)?).map(|at| (id, Some(at)))
    };
    let fallback = if level == Level::Ward17 {
        return spec
            .sort_column()
            .and_then(shown_by)
            .or_else(|| spec.columns.iter().find_map(|c| shown_by(c)))
            .or(Some((IndicatorId::CNI2019, None)));
    } else if MapLevel::first(current, level).is_some() {
        current
    } else {
        IndicatorId::IMD2025
    };
    spec.sort_column()
        .and_then(shown_by)
        .or_else(|| spec.columns.iter().find_map(|c| shown_by(c)))
        .or_else(|| MapLevel::first(fallback, level).map(|at| (fallback, Some(at))))
}

/// An LSOA's position among the LSOAs of its local authority by `values`' rank, with the
/// authority's name: "5th most deprived of 90 neighbourhoods in Middlesbrough".
pub fn lsoa_position_sentence(
    values: &ValuesResponse,
    parents: &TableParents,
    lsoa: usize,
) -> Option<String> {
    let lad = parents.parents.iter().find(|p| p.level == Level::Lad24)?;
    let position = within_parent(&lad.index, &values.rank, lsoa)?;
    let name = &lad.areas.get((*lad.index.get(lsoa)?)? as usize)?.name;
    let id = IndicatorId::parse(&values.indicator).ok()?;
    Some(format!(
        "{} on the {}",
        cnimap_core::position::sentence(
            position,
            id.def().direction(),
            Level::Lsoa21.areas_noun(),
            name
        ),
        id.def().title
    ))
}

/// A larger area's position among all of its level by the shown measure: "1st most deprived of
/// 296 local authorities in England by share of LSOAs in decile 1".
pub fn area_position_sentence(map: &SummaryMap, code: &str) -> Option<String> {
    let a = map.area_index(code)?;
    let position = map.position(a)?;
    Some(format!(
        "{} on the {}",
        cnimap_core::position::measure_sentence(
            position,
            map.indicator.def().direction(),
            map.at.level.areas_noun(),
            "England",
            map.at.measure
        ),
        map.indicator.def().title
    ))
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

    /// Four LSOAs in two councils: A (ranks 1 and 9, one in decile 1) and B (ranks 5 and 7).
    fn documents() -> (ValuesResponse, TableParents) {
        let values = ValuesResponse {
            layer: Level::Lsoa21,
            indicator: "imd2025".into(),
            n_ranked: 10,
            rank: vec![Some(1), Some(5), Some(9), Some(7)],
            decile: vec![Some(1), Some(5), Some(9), Some(7)],
            score: None,
            decile_counts: [0; 10],
        };
        let parents = TableParents {
            layer: Level::Lsoa21,
            parents: vec![ParentColumn {
                level: Level::Lad24,
                areas: vec![area("E06000001", "A"), area("E06000002", "B")],
                index: vec![Some(0), Some(1), Some(0), Some(1)],
            }],
        };
        (values, parents)
    }

    #[test]
    fn the_level_and_measure_round_trip_in_the_tables_words() {
        let at = MapLevel::first(IndicatorId::IMD2025, Level::Lad24).expect("lad24");
        assert_eq!(at.measure, Measure::ShareDecile1);
        let [map, measure] = at.to_params(IndicatorId::IMD2025);
        assert_eq!(
            (map.as_str(), measure.as_str()),
            ("map=lad24", "measure=imd2025.share_decile1")
        );
        assert_eq!(
            MapLevel::from_params(
                Some("lad24"),
                Some("imd2025.share_decile1"),
                IndicatorId::CNI2023
            ),
            Some((IndicatorId::IMD2025, at))
        );
        // The indicator's own level, a level without summaries, or a measure that is not a
        // summary is no larger level.
        assert_eq!(MapLevel::first(IndicatorId::IMD2025, Level::Lsoa21), None);
        assert_eq!(MapLevel::first(IndicatorId::IMD2019, Level::Ward24), None);
        assert_eq!(MapLevel::first(IndicatorId::IMD2019, Level::Lsoa11), None);
        assert_eq!(MapLevel::first(IndicatorId::IMD2025, Level::Ward17), None);
        assert_eq!(MapLevel::first(IndicatorId::CNI2019, Level::Lad24), None);
        assert_eq!(
            MapLevel::from_params(Some("lad24"), Some("imd2025.rank"), IndicatorId::IMD2025),
            None
        );
        assert_eq!(
            MapLevel::from_params(Some("lad24"), None, IndicatorId::IMD2025),
            None
        );
    }

    #[test]
    fn an_iod2019_indicator_is_offered_at_wards_2017_councils_and_regions() {
        assert_eq!(
            map_levels(IndicatorId::IMD2019),
            [Level::Lsoa11, Level::Ward17, Level::Lad24, Level::Region]
        );
        assert_eq!(map_levels(IndicatorId::IMD2025)[0], Level::Lsoa21);
        assert!(map_levels(IndicatorId::CNI2019).is_empty());
        for level in [Level::Ward17, Level::Lad24, Level::Region] {
            let at = MapLevel::first(IndicatorId::parse("imd2019_income").expect("income"), level)
                .expect("a level");
            assert_eq!(at.measure, Measure::ShareDecile1);
            let [map, measure] =
                at.to_params(IndicatorId::parse("imd2019_income").expect("income"));
            assert_eq!(
                MapLevel::from_params(
                    map.strip_prefix("map="),
                    measure.strip_prefix("measure="),
                    IndicatorId::IMD2025
                ),
                Some((IndicatorId::parse("imd2019_income").expect("income"), at))
            );
        }
        // Wards 2017 have tiles of their own (the CNI 2019's); wards 2024 are drawn on LSOAs.
        let at = MapLevel::first(IndicatorId::IMD2019, Level::Ward17).expect("ward17");
        assert_eq!(at.layer(), AreaLayer::Ward17);
        assert_eq!(level_label(Level::Ward17), "Wards (2017)");
    }

    #[test]
    fn iod2019_wards_are_weighted_by_population_and_drawn_on_their_own_tiles() {
        // Three LSOAs 2011: ward W1 holds LSOAs 0 (rank 1, 300 people) and 2 (rank 9, 100).
        let values = ValuesResponse {
            layer: Level::Lsoa11,
            indicator: "imd2019".into(),
            n_ranked: 10,
            rank: vec![Some(1), Some(5), Some(9)],
            decile: vec![Some(1), Some(5), Some(9)],
            score: None,
            decile_counts: [0; 10],
        };
        let parents = TableParents {
            layer: Level::Lsoa11,
            parents: vec![ParentColumn {
                level: Level::Ward17,
                areas: vec![area("E05000001", "W1"), area("E05000002", "W2")],
                index: vec![Some(0), Some(1), Some(0)],
            }],
        };
        let tiles = LayerAreasResponse {
            layer: Level::Ward17,
            codes: vec!["E05000001".into(), "E05000002".into()],
            names: vec!["W1".into(), "W2".into()],
            lads: Vec::new(),
            lad: Vec::new(),
        };
        let at = MapLevel::new(IndicatorId::IMD2019, Level::Ward17, Measure::AverageRank)
            .expect("ward17");
        let weights = [Some(300), Some(50), Some(100)];
        let m =
            SummaryMap::build(&values, &parents, at, Some(&tiles), Some(&weights)).expect("map");
        // W1: (300 x 1 + 100 x 9) / 400 = 3 (unweighted it would be 5).
        assert_eq!(m.value(0), Some(3.0));
        assert_eq!(m.classes(), [3, 5]);
        assert_eq!(m.describe(0), Some(("W1".into(), "3: average rank".into())));
        assert_eq!(
            area_position_sentence(&m, "E05000001").as_deref(),
            Some("1st most deprived of 2 wards in England by average rank of LSOAs on the Index of Multiple Deprivation 2019")
        );
        // Values of one LSOA layer with the parents of the other are refused.
        let (v21, _) = documents();
        assert!(matches!(
            SummaryMap::build(&v21, &parents, at, Some(&tiles), None),
            Err(SummaryError::OtherLayer { .. })
        ));
    }

    #[test]
    fn councils_are_summarised_and_placed_on_their_tiles_by_code() {
        let (values, parents) = documents();
        // The tiles list the councils in another order, with one the lookup does not know.
        let tiles = LayerAreasResponse {
            layer: Level::Lad24,
            codes: vec!["E06000002".into(), "E06000001".into(), "E06000099".into()],
            names: vec!["B".into(), "A".into(), "Z".into()],
            lads: Vec::new(),
            lad: Vec::new(),
        };
        let at = MapLevel::first(IndicatorId::IMD2025, Level::Lad24).expect("lad24");
        let m = SummaryMap::build(&values, &parents, at, Some(&tiles), None).expect("map");
        assert_eq!(m.value(0), Some(0.5));
        assert_eq!(m.value(1), Some(0.0));
        // Feature 0 is B (no LSOA in decile 1: class 10), feature 1 is A (half: class 1).
        assert_eq!(m.classes(), [10, 1, 0]);
        assert_eq!(m.counts()[0], 1);
        assert_eq!(m.counts()[9], 1);
        assert_eq!(
            m.describe(1),
            Some(("A".into(), "50%: share in the most deprived 10%".into()))
        );
        assert_eq!(
            area_position_sentence(&m, "E06000001").as_deref(),
            Some("1st most deprived of 2 local authorities in England by share of LSOAs in decile 1 on the Index of Multiple Deprivation 2025")
        );
    }

    #[test]
    fn wards_paint_each_lsoa_with_its_wards_value() {
        let (values, mut parents) = documents();
        parents.parents[0].level = Level::Ward24;
        let at = MapLevel::new(IndicatorId::IMD2025, Level::Ward24, Measure::AverageRank)
            .expect("ward24");
        let m = SummaryMap::build(&values, &parents, at, None, None).expect("map");
        // Ward A: average rank 5 of 10 LSOAs (class 5); ward B: 6 (class 6).
        assert_eq!(m.classes(), [5, 6, 5, 6]);
        assert_eq!(at.layer(), AreaLayer::Lsoa21);
        let short = ValuesResponse {
            rank: vec![Some(1)],
            ..values
        };
        assert!(matches!(
            SummaryMap::build(&short, &parents, at, None, None),
            Err(SummaryError::WrongLength { .. })
        ));
    }

    #[test]
    fn classes_suit_each_measure() {
        let share = |v| class_of(Measure::ShareDecile1, Some(v), 0, 0);
        assert_eq!(
            [
                share(0.5),
                share(0.45),
                share(0.12),
                share(0.01),
                share(0.0)
            ],
            [1, 2, 7, 9, 10]
        );
        assert_eq!(class_of(Measure::AverageRank, Some(3375.0), 33_755, 296), 1);
        assert_eq!(class_of(Measure::AverageRank, Some(3376.0), 33_755, 296), 2);
        assert_eq!(
            class_of(Measure::RankOfAverageRank, Some(30.0), 33_755, 296),
            2
        );
        assert_eq!(
            class_of(Measure::RankOfAverageRank, Some(1.0), 33_755, 296),
            1
        );
        assert_eq!(class_of(Measure::ShareDecile1, None, 0, 0), 0);
        assert_eq!(class_text(Measure::ShareDecile1, 1, 0, 0), "50% or more");
        assert_eq!(class_text(Measure::ShareDecile1, 3, 0, 0), "30% – 40%");
        assert_eq!(
            class_text(Measure::RankOfAverageRank, 1, 33_755, 296),
            "1 – 29 of 296"
        );
        assert_eq!(value_text(Measure::ShareDecile1, 0.5), "50%");
        assert_eq!(value_text(Measure::ShareDecile1, 0.123), "12.3%");
    }

    #[test]
    fn a_neighbourhood_is_placed_in_its_council() {
        let (values, parents) = documents();
        assert_eq!(
            lsoa_position_sentence(&values, &parents, 2).as_deref(),
            Some("2nd most deprived of 2 neighbourhoods in A on the Index of Multiple Deprivation 2025")
        );
    }

    #[test]
    fn a_table_puts_the_map_at_its_level_by_its_sort_or_first_summary_column() {
        use crate::table_data::TableSpec;
        let mut spec = TableSpec::new(Level::Lad24);
        spec.sort = Some("cni2023.rank_of_average_rank:asc".into());
        let (id, at) = map_for_table(&spec, IndicatorId::IMD2025).expect("lad24");
        assert_eq!(id, IndicatorId::CNI2023);
        assert_eq!(
            at.map(|a| (a.level, a.measure)),
            Some((Level::Lad24, Measure::RankOfAverageRank))
        );
        // No sort: the first summary column (the default columns start with IMD 2025's share).
        spec.sort = None;
        let (id, at) = map_for_table(&spec, IndicatorId::CNI2023).expect("lad24");
        assert_eq!(
            (id, at.map(|a| a.measure)),
            (IndicatorId::IMD2025, Some(Measure::ShareDecile1))
        );
        // No summary column: the map's indicator by its first measure (IMD 2025 for one without
        // summaries at the level).
        spec.columns = vec!["region.name".into()];
        assert_eq!(
            map_for_table(&spec, IndicatorId::IMD2019).map(|(id, _)| id),
            Some(IndicatorId::IMD2019)
        );
        assert_eq!(
            map_for_table(&spec, IndicatorId::CNI2019).map(|(id, _)| id),
            Some(IndicatorId::IMD2025)
        );
        // Wards 2017: the IoD 2019 summary the table sorts by, or the CNI 2019 on its own areas.
        let mut wards = TableSpec::new(Level::Ward17);
        wards.sort = Some("imd2019.average_rank".into());
        assert_eq!(
            map_for_table(&wards, IndicatorId::IMD2025).and_then(|(_, at)| at),
            MapLevel::new(IndicatorId::IMD2019, Level::Ward17, Measure::AverageRank)
        );
        wards.sort = Some("cni2019.rank".into());
        assert_eq!(
            map_for_table(&wards, IndicatorId::IMD2025),
            Some((IndicatorId::CNI2019, None))
        );
        // Neighbourhoods: the map's own areas; the 2019 editions' levels: no map level.
        assert_eq!(
            map_for_table(&TableSpec::new(Level::Lsoa21), IndicatorId::CNI2023),
            Some((IndicatorId::CNI2023, None))
        );
        assert_eq!(
            map_for_table(&TableSpec::new(Level::Lsoa11), IndicatorId::IMD2025),
            Some((IndicatorId::IMD2019, None))
        );
        assert_eq!(
            map_for_table(
                &TableSpec::new(Level::Lsoa11),
                IndicatorId::parse("imd2019_health").expect("health")
            ),
            Some((IndicatorId::parse("imd2019_health").expect("health"), None))
        );
    }
}
