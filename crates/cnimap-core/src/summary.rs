//! MHCLG's summary measures of LSOA values for larger areas (wards, local authorities, regions),
//! as pure arithmetic over arrays indexed by LSOA feature index, so the server and the browser
//! compute them with the same code; and each measure's method in words.
//!
//! The English Indices of Deprivation technical reports define, for a larger area, the proportion
//! of its LSOAs in the most deprived 10% nationally (unweighted), the population-weighted average
//! rank and the rank of that average (1 = most deprived), the population-weighted average score,
//! the extent (a weighted share of the population in the most deprived 30%) and the local
//! concentration. [`summarise`] computes the first three: the share exactly as MHCLG does, the
//! average rank weighted by population when weights are given (the IoD 2019 mid-2015 denominators)
//! and unweighted otherwise (no population is published with the 2021 LSOAs in the data read), said
//! in each method sentence. Average score and extent need populations (and, for the IoD 2019, the
//! scores the files read do not carry): [`Measure::not_computable`] says why for each.

use serde::{Deserialize, Serialize};

use crate::catalogue::IndicatorDef;
use crate::classify::decile_method;
use crate::level::Level;

/// One larger area's summary of one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// LSOAs of the area with a rank.
    pub n_lsoas: u32,
    /// Share of them in decile 1 (0..=1).
    pub share_decile1: f64,
    /// Mean of their ranks (1 = most deprived or highest need), weighted when weights were given.
    pub average_rank: f64,
    /// Rank of `average_rank` among the areas summarised (1 = lowest average rank; ties broken by
    /// area order).
    pub rank_of_average_rank: u32,
    /// How many areas were ranked.
    pub of: u32,
}

/// Summarises one indicator for every parent area.
///
/// `parent[i]` is the parent index (`0..n_parents`) of the LSOA at feature index `i`, `rank[i]` and
/// `decile[i]` its values; `weight[i]`, when given, its population (an LSOA with weight 0 or none
/// counts in the share but not in the weighted average; a parent whose LSOAs all lack a weight
/// falls back to the unweighted mean). Slices shorter than `parent` are read as missing values.
/// Returns one entry per parent, `None` for a parent with no ranked LSOA. Ties in the average are
/// broken by parent index, so the result never depends on hash order.
pub fn summarise(
    parent: &[Option<u32>],
    n_parents: usize,
    rank: &[Option<u32>],
    decile: &[Option<u8>],
    weight: Option<&[Option<u32>]>,
) -> Vec<Option<Summary>> {
    #[derive(Default, Clone, Copy)]
    struct Acc {
        n: u32,
        d1: u32,
        sum: f64,
        wsum: f64,
        w: f64,
    }
    let mut acc = vec![Acc::default(); n_parents];
    for (i, p) in parent.iter().enumerate() {
        let (Some(p), Some(Some(r))) = (p, rank.get(i)) else {
            continue;
        };
        let Some(a) = acc.get_mut(*p as usize) else {
            continue;
        };
        a.n += 1;
        a.d1 += u32::from(decile.get(i).copied().flatten() == Some(1));
        a.sum += f64::from(*r);
        if let Some(Some(w)) = weight.and_then(|w| w.get(i)) {
            a.wsum += f64::from(*w) * f64::from(*r);
            a.w += f64::from(*w);
        }
    }
    let mut out: Vec<Option<Summary>> = acc
        .iter()
        .map(|a| {
            (a.n > 0).then(|| Summary {
                n_lsoas: a.n,
                share_decile1: f64::from(a.d1) / f64::from(a.n),
                average_rank: if a.w > 0.0 {
                    a.wsum / a.w
                } else {
                    a.sum / f64::from(a.n)
                },
                rank_of_average_rank: 0,
                of: 0,
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..out.len()).filter(|i| out[*i].is_some()).collect();
    order.sort_by(|a, b| {
        let key = |i: usize| out[i].map_or(f64::INFINITY, |s| s.average_rank);
        key(*a).total_cmp(&key(*b)).then(a.cmp(b))
    });
    let of = order.len() as u32;
    for (position, i) in (1u32..).zip(order) {
        if let Some(s) = out[i].as_mut() {
            s.rank_of_average_rank = position;
            s.of = of;
        }
    }
    out
}

/// A column of an indicator in a table: a published value of an area, or a summary measure of a
/// larger area's LSOAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The published rank (1 = most deprived or highest need).
    Rank,
    /// The decile, published or derived from the rank.
    Decile,
    /// The published score.
    Score,
    /// Share of the area's LSOAs in decile 1 nationally.
    ShareDecile1,
    /// Mean rank of the area's LSOAs.
    AverageRank,
    /// Rank of that mean among the areas of the level.
    RankOfAverageRank,
    /// MHCLG's population-weighted average score: not computable from the data read.
    AverageScore,
    /// MHCLG's extent: not computable from the data read.
    Extent,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 8] = [
        Measure::Rank,
        Measure::Decile,
        Measure::Score,
        Measure::ShareDecile1,
        Measure::AverageRank,
        Measure::RankOfAverageRank,
        Measure::AverageScore,
        Measure::Extent,
    ];

    /// The summary measures cnimap computes for larger areas.
    pub const SUMMARIES: [Measure; 3] = [
        Measure::ShareDecile1,
        Measure::AverageRank,
        Measure::RankOfAverageRank,
    ];

    /// The id used in column ids (`imd2025.share_decile1`).
    pub fn id(self) -> &'static str {
        match self {
            Measure::Rank => "rank",
            Measure::Decile => "decile",
            Measure::Score => "score",
            Measure::ShareDecile1 => "share_decile1",
            Measure::AverageRank => "average_rank",
            Measure::RankOfAverageRank => "rank_of_average_rank",
            Measure::AverageScore => "average_score",
            Measure::Extent => "extent",
        }
    }

    /// Parses an id made by [`Measure::id`].
    pub fn from_id(id: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.id() == id)
    }

    /// A short label ("Share of LSOAs in decile 1").
    pub fn label(self) -> &'static str {
        match self {
            Measure::Rank => "Rank",
            Measure::Decile => "Decile",
            Measure::Score => "Score",
            Measure::ShareDecile1 => "Share of LSOAs in decile 1",
            Measure::AverageRank => "Average rank of LSOAs",
            Measure::RankOfAverageRank => "Rank of average rank",
            Measure::AverageScore => "Average score",
            Measure::Extent => "Extent",
        }
    }

    /// Whether values are whole numbers (ranks, deciles).
    pub fn is_whole(self) -> bool {
        matches!(
            self,
            Measure::Rank | Measure::Decile | Measure::RankOfAverageRank
        )
    }

    /// Whether the worst areas come first when sorted ascending (ranks, deciles, average ranks);
    /// `false` for shares and scores, where higher is worse.
    pub fn worst_is_low(self) -> bool {
        !matches!(
            self,
            Measure::Score | Measure::ShareDecile1 | Measure::AverageScore | Measure::Extent
        )
    }

    /// Whether this is a summary measure of a larger area's LSOAs.
    pub fn is_summary(self) -> bool {
        matches!(
            self,
            Measure::ShareDecile1
                | Measure::AverageRank
                | Measure::RankOfAverageRank
                | Measure::AverageScore
                | Measure::Extent
        )
    }

    /// Why cnimap cannot compute this measure of `def`, or `None` when it can (at some level).
    pub fn not_computable(self, def: &IndicatorDef) -> Option<&'static str> {
        match self {
            Measure::Score if !def.has_score => Some(
                "the files read publish no scores for this indicator (the IoD 2019 tidy files carry ranks and deciles only)",
            ),
            Measure::AverageScore if def.level() == Level::Lsoa11 => Some(
                "MHCLG's average score is population-weighted and the IoD 2019 files read carry no LSOA scores",
            ),
            Measure::AverageScore => Some(
                "MHCLG's average score is weighted by each LSOA's population, and the data read has no population for the 2021 LSOAs; an unweighted mean would not be MHCLG's measure",
            ),
            Measure::Extent if def.level() == Level::Lsoa11 => Some(
                "MHCLG's extent needs each LSOA's population and its percentile with a sliding weight for the 11-30% band; the mid-2015 populations (File 6) are read, but cnimap does not compute extent yet",
            ),
            Measure::Extent => Some(
                "MHCLG's extent is the share of the population living in the most deprived 30% with a sliding weight, and the data read has no population for the 2021 LSOAs",
            ),
            _ => None,
        }
    }

    /// How the measure is made for `def`, in one sentence (`weighted`: whether average ranks are
    /// population-weighted, as they are for the IoD 2019).
    pub fn method(self, def: &IndicatorDef) -> String {
        let worst = match def.direction() {
            crate::Direction::MostDeprivedFirst => "most deprived",
            crate::Direction::HighestNeedFirst => "highest-need",
        };
        let lsoas = match def.level() {
            Level::Lsoa11 => "LSOAs (2011)",
            _ => "LSOAs (2021)",
        };
        let placed = match def.level() {
            Level::Lsoa11 => "each LSOA 2011 is placed in the 2024 local authority and region of the first LSOA 2021 it became (ONS LSOA 2011 to 2021 lookup), and wholly in one December 2017 ward by the ONS best-fit LSOA 2011 to ward 2017 lookup (the ward holding the LSOA's population-weighted centroid; a best fit, so a ward's LSOAs need not tile it exactly)",
            _ => "LSOAs are placed in wards, local authorities and regions with the ONS LSOA 2021 to ward 2024 to LAD 2024 lookup",
        };
        if let Some(why) = self.not_computable(def) {
            return format!("Not computed: {why}.");
        }
        match self {
            Measure::Rank => format!(
                "The rank as published in the {} (rank 1 = the {worst} of all ranked areas).",
                def.source.title()
            ),
            Measure::Decile => decile_method(def, None),
            Measure::Score => format!(
                "The score as published in the {}{}",
                def.source.title(),
                def.score_meaning()
                    .map_or_else(|| ".".to_string(), |m| format!("; {m}"))
            ),
            Measure::ShareDecile1 => format!(
                "Share of the area's {lsoas} in decile 1 nationally (the {worst} 10% of LSOAs in England), each LSOA counted once as in MHCLG's \"proportion of LSOAs in the most deprived 10% nationally\"; {placed}."
            ),
            Measure::AverageRank => {
                let weighting = if def.level() == Level::Lsoa11 {
                    "weighted by each LSOA's mid-2015 population (MHCLG's IoD 2019 denominators, File 6), as MHCLG's \"average rank\""
                } else {
                    "unweighted: MHCLG weights by population and the data read has no population for the 2021 LSOAs, so it can differ from MHCLG's published average rank"
                };
                format!(
                    "Mean of the national ranks of the area's {lsoas} (rank 1 = the {worst}), {weighting}; {placed}."
                )
            }
            Measure::RankOfAverageRank => format!(
                "Rank of the average rank among all areas of the same kind, 1 = the lowest average rank (the {worst}); ties broken by code."
            ),
            Measure::AverageScore | Measure::Extent => String::new(),
        }
    }
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One larger area's summary of `def` as an area's panel and the comparison show it: the three
/// measures, each named in words ("Share of its 90 neighbourhoods among the 10% most deprived in
/// England"), the rank of average rank as the rank, its decile among the `s.of` areas (⌈10 × rank
/// ÷ n⌉) and a meaning sentence; `n_ranked`: the LSOAs ranked nationally, `level`: the area's.
/// The server's area documents and the page's wards 2024 (made in wasm) say it the same way.
pub fn area_indicator(
    def: &IndicatorDef,
    s: &Summary,
    n_ranked: u32,
    level: Level,
) -> crate::api::AreaIndicator {
    use crate::api::{AreaIndicator, SummaryMeasure};
    use crate::classify::{decile_from_rank, format_thousands};
    let areas = level.areas_noun();
    let worst = match def.direction() {
        crate::Direction::MostDeprivedFirst => "most deprived",
        crate::Direction::HighestNeedFirst => "highest-need",
    };
    let share = format!("{:.0}%", s.share_decile1 * 100.0);
    let measures = vec![
        SummaryMeasure {
            id: Measure::ShareDecile1.id().into(),
            label: format!(
                "Share of its {} neighbourhoods among the 10% {worst} in England",
                format_thousands(s.n_lsoas)
            ),
            value: s.share_decile1,
            text: share.clone(),
        },
        SummaryMeasure {
            id: Measure::AverageRank.id().into(),
            label: format!(
                "Average rank of its neighbourhoods (1 = {worst} of {})",
                format_thousands(n_ranked)
            ),
            value: s.average_rank,
            text: format_thousands(s.average_rank.round().max(0.0) as u32),
        },
        SummaryMeasure {
            id: Measure::RankOfAverageRank.id().into(),
            label: format!("Rank of that average among the {} {areas}", s.of),
            value: f64::from(s.rank_of_average_rank),
            text: format!(
                "{} of {}",
                format_thousands(s.rank_of_average_rank),
                format_thousands(s.of)
            ),
        },
    ];
    AreaIndicator {
        id: def.id.to_string(),
        title: def.title.to_string(),
        score: None,
        rank: Some(s.rank_of_average_rank),
        of: s.of,
        decile: decile_from_rank(s.rank_of_average_rank, s.of),
        meaning: format!(
            "{share} of its neighbourhoods are among the 10% {worst} in England; by average rank it is {} of {} {areas}.",
            format_thousands(s.rank_of_average_rank),
            format_thousands(s.of)
        ),
        score_meaning: None,
        measures,
    }
}

/// The levels an indicator published on `published` is summarised at (the IoD 2019, on LSOA
/// 2011, at December 2017 wards through the ONS best-fit lookup, and at 2024 councils and regions).
pub fn summary_levels(published: Level) -> &'static [Level] {
    match published {
        Level::Lsoa21 => &[Level::Ward24, Level::Lad24, Level::Region],
        Level::Lsoa11 => &[Level::Ward17, Level::Lad24, Level::Region],
        _ => &[],
    }
}

/// The measures of `def` available at `level`, in column order (empty when the indicator has no
/// values at that level).
pub fn measures_at(def: &IndicatorDef, level: Level) -> Vec<Measure> {
    if level == def.level() {
        let mut v = vec![Measure::Rank, Measure::Decile];
        if def.has_score {
            v.push(Measure::Score);
        }
        v
    } else if summary_levels(def.level()).contains(&level) {
        Measure::SUMMARIES.to_vec()
    } else {
        Vec::new()
    }
}

/// Every measure of `def` for `/api/indicators`: where it is available and how it is made, or
/// why it is not.
pub fn measures_meta(def: &IndicatorDef) -> Vec<crate::api::MeasureMeta> {
    Measure::ALL
        .into_iter()
        .map(|m| {
            let computable = m.not_computable(def).is_none();
            let levels = if !computable {
                Vec::new()
            } else if m.is_summary() {
                summary_levels(def.level()).to_vec()
            } else {
                vec![def.level()]
            };
            let method = if computable && levels.is_empty() {
                format!(
                    "Not computed: {} is published on {}, which cnimap does not summarise into larger areas.",
                    def.id,
                    def.level().title()
                )
            } else {
                m.method(def)
            };
            crate::api::MeasureMeta {
                id: m.id().to_string(),
                label: m.label().to_string(),
                computable: computable && !levels.is_empty(),
                levels,
                method,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::IndicatorId;

    #[test]
    fn summaries_count_shares_average_ranks_and_rank_the_averages() {
        // Parent 0: ranks 1 (decile 1) and 9; parent 1: rank 5; parent 2: none.
        let parent = [Some(0), Some(1), Some(0), None];
        let rank = [Some(1), Some(5), Some(9), Some(2)];
        let decile = [Some(1), Some(5), Some(9), Some(1)];
        let s = summarise(&parent, 3, &rank, &decile, None);
        let a = s[0].expect("parent 0");
        assert_eq!((a.n_lsoas, a.share_decile1, a.average_rank), (2, 0.5, 5.0));
        let b = s[1].expect("parent 1");
        assert_eq!((b.share_decile1, b.average_rank), (0.0, 5.0));
        // A tie on 5.0: the lower parent index ranks first.
        assert_eq!((a.rank_of_average_rank, b.rank_of_average_rank), (1, 2));
        assert_eq!((a.of, b.of), (2, 2));
        assert_eq!(s[2], None);
    }

    #[test]
    fn weights_move_the_average_rank_but_not_the_share() {
        let parent = [Some(0), Some(0)];
        let rank = [Some(1), Some(9)];
        let decile = [Some(1), Some(9)];
        let w = [Some(3), Some(1)];
        let s = summarise(&parent, 1, &rank, &decile, Some(&w))[0].expect("summary");
        assert_eq!(s.average_rank, 3.0);
        assert_eq!(s.share_decile1, 0.5);
        // Short or out-of-range input is read as missing, never a panic.
        let s = summarise(&[Some(7), Some(0)], 1, &[Some(2)], &[], None);
        assert_eq!(s, vec![None]);
    }

    #[test]
    fn an_areas_summary_reads_as_three_named_measures_and_a_decile() {
        let s = Summary {
            n_lsoas: 90,
            share_decile1: 0.5,
            average_rank: 4_321.4,
            rank_of_average_rank: 30,
            of: 296,
        };
        let a = area_indicator(IndicatorId::IMD2025.def(), &s, 33_755, Level::Lad24);
        assert_eq!((a.rank, a.of, a.decile), (Some(30), 296, Some(2)));
        let texts: Vec<&str> = a.measures.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["50%", "4,321", "30 of 296"]);
        assert!(a.measures[0].label.contains("90 neighbourhoods"));
        assert!(
            a.meaning.ends_with("30 of 296 local authorities."),
            "{}",
            a.meaning
        );
    }

    #[test]
    fn every_measure_has_an_id_and_a_method_or_a_reason() {
        for m in Measure::ALL {
            assert_eq!(Measure::from_id(m.id()), Some(m));
        }
        let imd = IndicatorId::IMD2025.def();
        assert!(Measure::AverageRank.method(imd).contains("unweighted"));
        assert!(Measure::Extent.not_computable(imd).is_some());
        let imd19 = IndicatorId::IMD2019.def();
        assert!(Measure::AverageRank.method(imd19).contains("mid-2015"));
        assert!(Measure::Score.not_computable(imd19).is_some());
        assert_eq!(
            measures_at(imd, Level::Lad24),
            [
                Measure::ShareDecile1,
                Measure::AverageRank,
                Measure::RankOfAverageRank
            ]
        );
        assert!(measures_at(imd19, Level::Ward24).is_empty());
        assert_eq!(measures_at(imd19, Level::Ward17), Measure::SUMMARIES);
        assert!(measures_at(imd, Level::Ward17).is_empty());
        assert!(Measure::ShareDecile1.method(imd19).contains("best-fit"));
        assert!(measures_at(IndicatorId::CNI2019.def(), Level::Lad24).is_empty());
        for m in Measure::ALL {
            assert!(!m.method(imd).contains('\n'));
        }
        let cni19 = measures_meta(IndicatorId::CNI2019.def());
        let share = cni19
            .iter()
            .find(|m| m.id == "share_decile1")
            .expect("share");
        assert!(!share.computable && share.method.starts_with("Not computed"));
        assert!(cni19.iter().any(|m| m.id == "rank" && m.computable));
    }
}
