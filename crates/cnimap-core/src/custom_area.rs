//! Custom areas (a Big Local area, a housing association's patch, an ICB's locality): which LSOAs
//! each covers, by the share of each LSOA's area inside it, and the same summary measures as a
//! local authority's, as CSV.
//!
//! The geometry (how much of each LSOA lies inside a boundary) is worked out by the caller (the
//! data crate, with `geo`); this module holds the rule, the arithmetic and the output, so the
//! command line, the server and the browser agree.

use crate::catalogue::IndicatorId;
use crate::summary::Measure;
use crate::summary::{summarise, Summary};
use crate::table::export::{csv_field, number_text};
use crate::table::{TableFrame, Values};

/// The default share of an LSOA's area that must lie inside an area for the LSOA to count in it.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The rule in words, for a threshold in `0..=1`.
pub fn rule_words(threshold: f64) -> String {
    format!(
        "An LSOA 2021 counts in an area when at least {}% of its land area lies inside the area's \
         boundary (area share; no population is published for the 2021 LSOAs, so population \
         share cannot be used). Areas are measured on the LSOA boundaries generalised to 20 m \
         (ONS BGC). An LSOA can count in more than one area when areas overlap. Summaries are \
         MHCLG's measures computed by cnimap over the LSOAs that count: the share in decile 1 \
         nationally and the unweighted average of their ranks.",
        number_text(threshold * 100.0)
    )
}

/// How much of one LSOA lies inside an area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cover {
    /// The LSOA 2021's feature index.
    pub lsoa: u32,
    /// The share of the LSOA's area inside the area (`0..=1`).
    pub share: f64,
}

/// One custom area: its name and the LSOAs it touches.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomArea {
    /// The name, from the property the user picked.
    pub name: String,
    /// Every LSOA whose area overlaps the boundary, by feature index.
    pub covers: Vec<Cover>,
}

impl CustomArea {
    /// The LSOAs that count in the area at `threshold` (share at least `threshold`).
    pub fn members(&self, threshold: f64) -> Vec<u32> {
        self.covers
            .iter()
            .filter(|c| c.share >= threshold)
            .map(|c| c.lsoa)
            .collect()
    }
}

/// One LSOA 2021 indicator's published ranks and deciles by feature index.
#[derive(Debug, Clone, Copy)]
pub struct LsoaValues<'a> {
    /// The indicator.
    pub id: IndicatorId,
    /// Ranks by LSOA feature index.
    pub rank: &'a [Option<u32>],
    /// Deciles by LSOA feature index.
    pub decile: &'a [Option<u8>],
}

/// The summary of one indicator over `members`: the same arithmetic as a local authority's
/// ([`summarise`]); `rank_of_average_rank` is 1 of 1 (custom areas are not ranked against each
/// other). `None` when no member has a rank.
pub fn summarise_members(members: &[u32], values: &LsoaValues<'_>) -> Option<Summary> {
    let rank: Vec<Option<u32>> = members
        .iter()
        .map(|&i| values.rank.get(i as usize).copied().flatten())
        .collect();
    let decile: Vec<Option<u8>> = members
        .iter()
        .map(|&i| values.decile.get(i as usize).copied().flatten())
        .collect();
    let parent = vec![Some(0); members.len()];
    summarise(&parent, 1, &rank, &decile, None)
        .into_iter()
        .next()
        .flatten()
}

/// The summary CSV: a comment line (rule, sources), a header (`name`, `lsoas`, then
/// `<indicator>.share_decile1` and `<indicator>.average_rank` for each of `values`), one row per
/// area in input order.
pub fn to_csv(areas: &[CustomArea], threshold: f64, values: &[LsoaValues<'_>]) -> String {
    let mut sources: Vec<&'static str> = Vec::new();
    for v in values {
        let s = v.id.def().source.attribution();
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    let mut out = format!(
        "# cnimap custom areas: {} areas; rule: {} sources: {} ONS LSOA 2021 boundaries (BGC), Office for National Statistics, Open Government Licence v3.0.",
        areas.len(),
        rule_words(threshold),
        sources.join(" ")
    )
    .replace(['\n', '\r'], " ");
    out.push_str("\nname,lsoas");
    for v in values {
        out.push_str(&format!(
            ",{id}.share_decile1,{id}.average_rank",
            id = v.id.as_str()
        ));
    }
    out.push('\n');
    for area in areas {
        let members = area.members(threshold);
        csv_field(&mut out, &area.name);
        out.push(',');
        out.push_str(&members.len().to_string());
        for v in values {
            match summarise_members(&members, v) {
                Some(s) => {
                    out.push(',');
                    out.push_str(&number_text(s.share_decile1));
                    out.push(',');
                    out.push_str(&number_text(s.average_rank));
                }
                None => out.push_str(",,"),
            }
        }
        out.push('\n');
    }
    out
}

/// The LSOAs of each area as CSV: `area`, `lsoa21.code`, `share`, `counts` (whether the share
/// reaches the threshold), for every LSOA an area touches.
pub fn covers_csv(areas: &[CustomArea], threshold: f64, lsoa_codes: &[String]) -> String {
    let mut out = String::from("area,lsoa21.code,share,counts\n");
    for area in areas {
        for c in &area.covers {
            csv_field(&mut out, &area.name);
            out.push(',');
            out.push_str(lsoa_codes.get(c.lsoa as usize).map_or("", String::as_str));
            out.push(',');
            out.push_str(&number_text(c.share));
            out.push_str(if c.share >= threshold {
                ",yes\n"
            } else {
                ",no\n"
            });
        }
    }
    out
}

/// Every indicator of an LSOA 2021 table frame (`cnimap_data::frames::table_frame`, or the
/// browser's frame from the same documents) with its ranks and deciles, in the frame's order: the
/// one list of values the command line, the server and the browser summarise.
pub fn frame_values(frame: &TableFrame) -> Vec<LsoaValues<'_>> {
    frame
        .indicators
        .iter()
        .filter_map(
            |i| match (i.values(Measure::Rank), i.values(Measure::Decile)) {
                (Some(Values::Whole(rank)), Some(Values::Small(decile))) => Some(LsoaValues {
                    id: i.id,
                    rank,
                    decile,
                }),
                _ => None,
            },
        )
        .collect()
}

/// One indicator's summary over an area's LSOAs (`None`: no LSOA of the area is ranked on it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorSummary {
    /// The indicator id (`imd2025`).
    pub indicator: String,
    /// The share of the area's LSOAs in decile 1 nationally (`0..=1`).
    pub share_decile1: Option<f64>,
    /// The unweighted average of their ranks.
    pub average_rank: Option<f64>,
}

/// One LSOA an area touches.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverRow {
    /// The LSOA 2021 code.
    pub code: String,
    /// The share of its area inside the area (`0..=1`).
    pub share: f64,
    /// Whether the share reaches the threshold (the LSOA counts in the area).
    pub counts: bool,
}

/// One area's summaries and LSOAs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaSummary {
    /// The area's name.
    pub name: String,
    /// How many LSOAs count in it.
    pub lsoas: usize,
    /// Every indicator's summary, in the CSV's column order.
    pub indicators: Vec<IndicatorSummary>,
    /// Every LSOA it touches, with its share.
    pub covers: Vec<CoverRow>,
}

/// The JSON answer of `POST /api/areas?format=json`: the same numbers as the CSV.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomAreasResponse {
    /// The rule in words ([`rule_words`]).
    pub rule: String,
    /// The threshold in percent.
    pub threshold: f64,
    /// The areas, in file order.
    pub areas: Vec<AreaSummary>,
    /// The features that could not be used, each naming the feature and the problem.
    pub problems: Vec<String>,
    /// The features that were repaired (and are used).
    pub repaired: Vec<String>,
}

/// Every area's summaries and LSOAs (the numbers of [`to_csv`] and [`covers_csv`]).
pub fn summaries(
    areas: &[CustomArea],
    threshold: f64,
    values: &[LsoaValues<'_>],
    lsoa_codes: &[String],
) -> Vec<AreaSummary> {
    areas
        .iter()
        .map(|area| {
            let members = area.members(threshold);
            AreaSummary {
                name: area.name.clone(),
                lsoas: members.len(),
                indicators: values
                    .iter()
                    .map(|v| {
                        let s = summarise_members(&members, v);
                        IndicatorSummary {
                            indicator: v.id.as_str().to_string(),
                            share_decile1: s.map(|s| s.share_decile1),
                            average_rank: s.map(|s| s.average_rank),
                        }
                    })
                    .collect(),
                covers: area
                    .covers
                    .iter()
                    .map(|c| CoverRow {
                        code: lsoa_codes.get(c.lsoa as usize).cloned().unwrap_or_default(),
                        share: c.share,
                        counts: c.share >= threshold,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(name: &str, shares: &[(u32, f64)]) -> CustomArea {
        CustomArea {
            name: name.into(),
            covers: shares
                .iter()
                .map(|&(lsoa, share)| Cover { lsoa, share })
                .collect(),
        }
    }

    #[test]
    fn members_are_the_lsoas_at_or_above_the_threshold() {
        let a = area("A", &[(0, 1.0), (1, 0.5), (2, 0.49), (3, 0.01)]);
        assert_eq!(a.members(0.5), vec![0, 1]);
        assert_eq!(a.members(0.0), vec![0, 1, 2, 3]);
        assert_eq!(a.members(1.0), vec![0]);
    }

    #[test]
    fn summaries_use_the_members_ranks_and_deciles() {
        let rank = [Some(10), Some(30), None, Some(5000)];
        let decile = [Some(1), Some(1), None, Some(2)];
        let v = LsoaValues {
            id: IndicatorId::IMD2025,
            rank: &rank,
            decile: &decile,
        };
        let s = summarise_members(&[0, 1, 3], &v).expect("ranked members");
        assert_eq!(s.n_lsoas, 3);
        assert!((s.share_decile1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.average_rank - 5040.0 / 3.0).abs() < 1e-9);
        assert_eq!(summarise_members(&[2], &v), None);
        assert_eq!(summarise_members(&[], &v), None);
    }

    #[test]
    fn the_csv_names_the_rule_and_keeps_input_order_with_quoted_names() {
        let rank = [Some(1), Some(2)];
        let decile = [Some(1), Some(3)];
        let v = LsoaValues {
            id: IndicatorId::IMD2025,
            rank: &rank,
            decile: &decile,
        };
        let areas = [area("Zeta, north", &[(1, 0.9)]), area("Alpha", &[(0, 0.2)])];
        let csv = to_csv(&areas, 0.5, &[v]);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("# cnimap custom areas: 2 areas; rule: An LSOA 2021 counts"));
        assert!(lines[0].contains("at least 50%"));
        assert_eq!(
            lines[1],
            "name,lsoas,imd2025.share_decile1,imd2025.average_rank"
        );
        assert_eq!(lines[2], "\"Zeta, north\",1,0,2");
        assert_eq!(lines[3], "Alpha,0,,");
        let covers = covers_csv(&areas, 0.5, &["E01".into(), "E02".into()]);
        assert_eq!(
            covers,
            "area,lsoa21.code,share,counts\n\"Zeta, north\",E02,0.9,yes\nAlpha,E01,0.2,no\n"
        );
    }
}
