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
use crate::table::query::AREAS_BASE;
use crate::table::{FrameIndicator, TableFrame, TableQuery, Values};

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

/// The code of the `index`-th area (0-based, file order) in a table of your areas: `area1`,
/// `area2`, ... (a user's areas have no official code; the page selects rows by it).
pub fn area_code(index: usize) -> String {
    format!("area{}", index + 1)
}

/// The table frame of your areas (`level=areas`, run at [`AREAS_BASE`]): one row per area in
/// file order (codes from [`area_code`], the names given), and for every indicator of `values`
/// the summaries of [`summarise_members`] over the LSOAs that count at `threshold`: the same
/// numbers as [`to_csv`], so a table query's columns, filters, sort and CSV work on them with the
/// table's own code ([`crate::table::run`], [`crate::table::to_csv`]).
pub fn table_frame(areas: &[CustomArea], threshold: f64, values: &[LsoaValues<'_>]) -> TableFrame {
    let members: Vec<Vec<u32>> = areas.iter().map(|a| a.members(threshold)).collect();
    TableFrame {
        level: AREAS_BASE,
        codes: (0..areas.len()).map(area_code).collect(),
        names: areas.iter().map(|a| a.name.clone()).collect(),
        parents: Vec::new(),
        indicators: values
            .iter()
            .map(|v| {
                let rows: Vec<Option<Summary>> =
                    members.iter().map(|m| summarise_members(m, v)).collect();
                FrameIndicator::summaries(v.id, &rows)
            })
            .collect(),
    }
}

/// A table query's rows of your areas as CSV ([`crate::table::to_csv`]) with the rule of
/// [`rule_words`] at `threshold` added to the comment line. `query` must be a table of your
/// areas (`level=areas`); `rows` from [`crate::table::run`] on `frame`.
pub fn table_csv(frame: &TableFrame, query: &TableQuery, rows: &[u32], threshold: f64) -> String {
    let csv = crate::table::to_csv(frame, None, query, rows);
    match csv.split_once('\n') {
        Some((comment, rest)) => format!(
            "{comment}; rule: {}\n{rest}",
            rule_words(threshold).replace(['\n', '\r'], " ")
        ),
        None => csv,
    }
}

/// A table query of your areas answered as CSV: the frame of [`table_frame`], the rows of
/// [`crate::table::run`], the CSV of [`table_csv`]. The one path of `cnimap areas --columns ...`,
/// `POST /api/areas?columns=...` and the page's table at Your areas. Fails, naming the part, when
/// `query` is not a table of your areas or its run is refused.
pub fn table_answer(
    areas: &[CustomArea],
    threshold: f64,
    values: &[LsoaValues<'_>],
    query: &TableQuery,
) -> Result<String, crate::table::TableError> {
    if !query.areas {
        return Err(crate::table::TableError::UnknownLevel {
            at: crate::table::query::Part {
                kind: "level",
                text: query.level.to_string(),
            },
            known: crate::table::query::AREAS_LEVEL.to_string(),
        });
    }
    let frame = table_frame(areas, threshold, values);
    let rows = crate::table::run(&frame, None, query)?;
    Ok(table_csv(&frame, query, &rows, threshold))
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

    type Ranks = Vec<Option<u32>>;
    type Deciles = Vec<Option<u8>>;

    /// Three areas over six LSOAs; IMD 2025 and CNI 2023 ranks and deciles by hand.
    fn three_areas() -> (Vec<CustomArea>, Ranks, Deciles, Ranks, Deciles) {
        let areas = vec![
            area("North", &[(0, 1.0), (1, 0.8), (2, 0.3)]),
            area("South, by the sea", &[(3, 0.9), (4, 0.6)]),
            area("East", &[(5, 0.55), (2, 0.7)]),
        ];
        let imd_rank = vec![
            Some(100),
            Some(30000),
            Some(2000),
            Some(50),
            Some(60),
            Some(20000),
        ];
        let imd_decile = vec![Some(1), Some(9), Some(1), Some(1), Some(1), Some(6)];
        let cni_rank = vec![Some(5), Some(6), Some(7), Some(9000), Some(8000), None];
        let cni_decile = vec![Some(1), Some(1), Some(1), Some(3), Some(3), None];
        (areas, imd_rank, imd_decile, cni_rank, cni_decile)
    }

    #[test]
    fn a_table_of_your_areas_has_the_summaries_of_the_csv_and_sorts_and_filters_them() {
        let (areas, ir, id, cr, cd) = three_areas();
        let values = [
            LsoaValues {
                id: IndicatorId::IMD2025,
                rank: &ir,
                decile: &id,
            },
            LsoaValues {
                id: IndicatorId::CNI2023,
                rank: &cr,
                decile: &cd,
            },
        ];
        let frame = table_frame(&areas, 0.5, &values);
        assert_eq!(frame.codes, ["area1", "area2", "area3"]);
        // Each cell is the summary of the members, recomputed here from the raw arrays.
        for (k, a) in areas.iter().enumerate() {
            let m = a.members(0.5);
            for v in &values {
                let ranked: Vec<u32> = m.iter().filter_map(|&i| v.rank[i as usize]).collect();
                let share = frame
                    .indicator(v.id)
                    .and_then(|i| i.values(Measure::ShareDecile1))
                    .and_then(|x| x.get(k));
                let avg = frame
                    .indicator(v.id)
                    .and_then(|i| i.values(Measure::AverageRank))
                    .and_then(|x| x.get(k));
                if ranked.is_empty() {
                    assert_eq!((share, avg), (None, None));
                    continue;
                }
                let d1 = m
                    .iter()
                    .filter(|&&i| v.decile[i as usize] == Some(1))
                    .count();
                let expect_avg =
                    ranked.iter().map(|&r| f64::from(r)).sum::<f64>() / ranked.len() as f64;
                assert!(
                    (avg.expect("average") - expect_avg).abs() < 1e-9,
                    "{} {}",
                    a.name,
                    v.id
                );
                assert!((share.expect("share") - d1 as f64 / ranked.len() as f64).abs() < 1e-12);
            }
        }
        let q = TableQuery::parse(
            crate::table::query::AREAS_LEVEL,
            &["imd2025.share_decile1,cni2023.average_rank"],
            &["imd2025.share_decile1>=0.5"],
            Some("cni2023.average_rank"),
        )
        .expect("query");
        assert!(q.areas);
        assert!(q.to_query_string().starts_with("level=areas&columns=imd2025.share_decile1,cni2023.average_rank&filter=imd2025.share_decile1>=0.5&sort=cni2023.average_rank:asc"), "{}", q.to_query_string());
        let rows = crate::table::run(&frame, None, &q).expect("rows");
        // North: IMD shares 1/2 (LSOA 0 and 1 count), CNI average 5.5; South: 1, 8500; East:
        // 1/2 (LSOAs 5 and 2), CNI average 7 (LSOA 5 unranked).
        assert_eq!(rows, [0, 2, 1]);
        let csv = table_csv(&frame, &q, &rows, 0.5);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].starts_with("# cnimap table (Your areas): 3 of 3 areas; query: level=areas&"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains("; rule: An LSOA 2021 counts in an area when at least 50%"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            "code,name,imd2025.share_decile1,cni2023.average_rank"
        );
        assert_eq!(lines[2], "area1,North,0.5,5.5");
        assert_eq!(lines[3], "area3,East,0.5,7");
        assert_eq!(lines[4], "area2,\"South, by the sea\",1,8500");
        // The table's numbers are the summary CSV's.
        let summary = to_csv(&areas, 0.5, &values);
        assert!(summary.contains("\nNorth,2,0.5,15050,1,5.5\n"), "{summary}");
    }

    #[test]
    fn a_table_of_your_areas_refuses_what_your_areas_do_not_have_by_name() {
        let areas = crate::table::query::AREAS_LEVEL;
        for (col, says) in [
            (
                "imd2025.rank",
                "imd2025.rank is a measure of single neighbourhoods",
            ),
            (
                "imd2025.rank_of_average_rank",
                "rank_of_average_rank ranks England",
            ),
            ("lad24.name", "your areas have no parents"),
            (
                "imd2019.average_rank",
                "imd2019 is not an LSOA 2021 indicator",
            ),
            (
                "imd2025",
                "name a measure after the indicator, one of share_decile1, average_rank",
            ),
        ] {
            let e = TableQuery::parse(areas, &[col], &[], None).expect_err(col);
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("column {col:?}: ")), "{msg}");
            assert!(msg.contains(says), "{msg}");
        }
        for (filter, says) in [
            ("left_behind", "about single neighbourhoods"),
            ("lad24=E06000002", "no parents"),
            ("imd2025.rank_of_average_rank<=3", "rank_of_average_rank"),
        ] {
            let e = TableQuery::parse(areas, &["imd2025.average_rank"], &[filter], None)
                .expect_err(filter);
            assert!(
                e.to_string().starts_with(&format!("filter {filter:?}: ")),
                "{e}"
            );
            assert!(e.to_string().contains(says), "{e}");
        }
        let e = TableQuery::parse(
            areas,
            &["imd2025.average_rank"],
            &[],
            Some("imd2025.rank_of_average_rank"),
        )
        .expect_err("sort");
        assert!(e.to_string().starts_with("sort "), "{e}");
        let e = TableQuery::parse_with_weights(
            areas,
            &["custom.rank"],
            &[],
            None,
            Some("imd2025:equal"),
        )
        .expect_err("weights");
        assert!(e.to_string().contains("single neighbourhoods"), "{e}");
        // A ward table is still a ward table.
        let q = TableQuery::parse("ward24", &["imd2025.rank_of_average_rank"], &[], None)
            .expect("wards");
        assert!(!q.areas);
        assert!(q.to_query_string().starts_with("level=ward24"));
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
