//! The custom (re-weighted) index of a table query (issue 12): the query's `weights` applied to
//! the domain ranks its frame holds, with [`crate::reweight`]'s method, so the page (in wasm),
//! `GET /api/table?weights=...` and `cnimap table --weights ...` compute the same `custom.*`
//! columns from the same code.

use crate::reweight::{DomainScores, Weights};
use crate::summary::Measure;

use super::frame::{TableFrame, Values};
use super::query::{weights_text, Part, TableError, TableQuery};

/// The custom index over a frame's rows: score, rank and decile by feature index.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomValues {
    /// The weights it was made with.
    pub weights: Weights,
    /// How many rows every domain ranks (the rows ranked).
    pub n_ranked: u32,
    /// Scores on the published index's scale (higher = worse).
    pub score: Values,
    /// Ranks, 1 = the highest score.
    pub rank: Values,
    /// Deciles, `⌈10 × rank ÷ n⌉`.
    pub decile: Values,
}

impl CustomValues {
    /// One measure's values (`score`, `rank` or `decile`).
    pub fn values(&self, measure: Measure) -> Option<&Values> {
        match measure {
            Measure::Score => Some(&self.score),
            Measure::Rank => Some(&self.rank),
            Measure::Decile => Some(&self.decile),
            _ => None,
        }
    }
}

/// The custom index of `weights` over `frame`: each domain's ranks (over the rows every domain
/// ranks) transformed, weighted, summed and ranked again. Fails, naming the weights, when the
/// frame lacks a domain's ranks.
pub fn compute(frame: &TableFrame, weights: &Weights) -> Result<CustomValues, TableError> {
    let index = weights.index;
    let at = || Part {
        kind: "weights",
        text: weights_text(weights),
    };
    let mut columns: Vec<&Values> = Vec::with_capacity(index.domains().len());
    for d in index.domains() {
        let id = crate::catalogue::IndicatorId::parse(d.indicator).map_err(|e| {
            TableError::BadWeights {
                at: at(),
                reason: format!("domain {}: {e}", d.key),
                source: None,
            }
        })?;
        let v = frame
            .indicator(id)
            .and_then(|i| i.values(Measure::Rank))
            .ok_or_else(|| TableError::NotLoaded {
                at: at(),
                indicator: id,
                level: frame.level,
            })?;
        columns.push(v);
    }
    let n = frame.len();
    let positions: Vec<usize> = (0..n)
        .filter(|&i| columns.iter().all(|c| c.whole(i).is_some()))
        .collect();
    let ranks: Vec<Vec<u32>> = columns
        .iter()
        .map(|c| positions.iter().filter_map(|&i| c.whole(i)).collect())
        .collect();
    let slices: Vec<&[u32]> = ranks.iter().map(Vec::as_slice).collect();
    // Ranks among the rows every domain ranks: re-ranked when some domain ranks more rows.
    let dense: Vec<Vec<u32>> = slices.iter().map(|s| rerank(s)).collect();
    let dense_slices: Vec<&[u32]> = dense.iter().map(Vec::as_slice).collect();
    let scores =
        DomainScores::from_ranks(index, &dense_slices).map_err(|e| TableError::BadWeights {
            at: at(),
            reason: e.to_string(),
            source: Some(e),
        })?;
    let combined = scores.combine(weights);
    let mut score = vec![None; n];
    let mut rank = vec![None; n];
    let mut decile = vec![None; n];
    for (k, &i) in positions.iter().enumerate() {
        score[i] = combined.score.get(k).copied();
        rank[i] = combined.rank.get(k).copied();
        decile[i] = combined.decile.get(k).copied();
    }
    Ok(CustomValues {
        weights: weights.clone(),
        n_ranked: u32::try_from(positions.len()).unwrap_or(u32::MAX),
        score: Values::Number(score),
        rank: Values::Whole(rank),
        decile: Values::Small(decile),
    })
}

/// Ranks `1..=n` keeping the order (and the ties) of `ranks`; unchanged when they already are.
fn rerank(ranks: &[u32]) -> Vec<u32> {
    let n = ranks.len() as u32;
    if ranks.iter().all(|&r| r >= 1 && r <= n) {
        return ranks.to_vec();
    }
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by_key(|&i| ranks[i]);
    let mut out = vec![0u32; ranks.len()];
    let mut prev: Option<(u32, u32)> = None;
    for (k, &i) in order.iter().enumerate() {
        let r = match prev {
            Some((was, given)) if was == ranks[i] => given,
            _ => k as u32 + 1,
        };
        out[i] = r;
        prev = Some((ranks[i], r));
    }
    out
}

/// The custom index a query needs over `frame`: `None` when it has no `weights`.
pub fn for_query(
    frame: &TableFrame,
    query: &TableQuery,
) -> Result<Option<CustomValues>, TableError> {
    query
        .weights
        .as_ref()
        .map(|w| compute(frame, w))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::IndicatorId;
    use crate::reweight::CompositeIndex;
    use crate::table::frame::FrameIndicator;
    use crate::table::{run, to_csv};
    use crate::Level;

    fn id(s: &str) -> IndicatorId {
        IndicatorId::parse(s).expect("id")
    }

    /// Five LSOAs; the CNI 2023 domains rank them in three different orders; the fifth is not
    /// ranked by the engaged-community domain.
    fn frame() -> TableFrame {
        let ranks = |r: [Option<u32>; 5]| r.to_vec();
        let dom = |name: &str, r: [Option<u32>; 5]| {
            FrameIndicator::published(id(name), 5, ranks(r), vec![Some(1); 5], None)
        };
        TableFrame {
            level: Level::Lsoa21,
            codes: (1..=5).map(|i| format!("E0100000{i}")).collect(),
            names: (1..=5).map(|i| format!("Area {i}")).collect(),
            parents: Vec::new(),
            indicators: vec![
                dom(
                    "cni2023_civic",
                    [Some(1), Some(2), Some(3), Some(4), Some(5)],
                ),
                dom(
                    "cni2023_connectedness",
                    [Some(4), Some(3), Some(2), Some(1), Some(5)],
                ),
                dom(
                    "cni2023_engaged",
                    [Some(2), Some(1), Some(4), Some(3), None],
                ),
            ],
        }
    }

    fn query(
        cols: &str,
        filters: &[&str],
        weights: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        TableQuery::parse_with_weights("lsoa21", &[cols], filters, None, weights)
    }

    #[test]
    fn one_domain_only_ranks_the_areas_as_that_domain_does() {
        let f = frame();
        let q = query("custom.rank,custom.decile", &[], Some("cni2023:civic")).expect("query");
        let c = for_query(&f, &q).expect("computed").expect("weights");
        assert_eq!(c.n_ranked, 4);
        let ranks: Vec<Option<u32>> = (0..5).map(|i| c.rank.whole(i)).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(3), Some(4), None]);
        let deciles: Vec<Option<u32>> = (0..5).map(|i| c.decile.whole(i)).collect();
        // ⌈10 × rank ÷ 4⌉.
        assert_eq!(deciles, [Some(3), Some(5), Some(8), Some(10), None]);
    }

    #[test]
    fn the_other_domain_alone_turns_the_order_round_and_filters_read_it() {
        let f = frame();
        let q = query(
            "custom.rank",
            &["custom.rank<=2"],
            Some("cni2023:connectedness"),
        )
        .expect("query");
        let c = for_query(&f, &q).expect("computed");
        let rows = run(&f, c.as_ref(), &q).expect("rows");
        assert_eq!(rows, [2, 3]);
    }

    #[test]
    fn the_csv_states_the_weights_and_the_method_and_the_query_keeps_them() {
        let f = frame();
        let q = query(
            "custom.score,custom.rank",
            &[],
            Some(" cni2023:civic=2,engaged=1 "),
        )
        .expect("query");
        assert!(
            q.to_query_string()
                .ends_with("&weights=cni2023:civic=66.7,connectedness=0,engaged=33.3"),
            "{}",
            q.to_query_string()
        );
        let c = for_query(&f, &q).expect("computed");
        let rows = run(&f, c.as_ref(), &q).expect("rows");
        let csv = to_csv(&f, c.as_ref(), &q, &rows);
        let first = csv.lines().next().expect("comment");
        assert!(
            first.contains("custom.score: the Community Needs Index 2023 rebuilt from its domains with custom weights (civic 66.7%, connectedness 0%, engaged 33.3%)")
                || first.contains("rebuilt from its domains with custom weights (civic 66.7%"),
            "{first}"
        );
        assert!(first.contains("exponential distribution"), "{first}");
        assert_eq!(
            csv.lines().nth(1),
            Some("code,name,custom.score,custom.rank")
        );
        // The fifth area has no engaged-community rank: no custom values.
        assert_eq!(csv.lines().last(), Some("E01000005,Area 5,,"));
    }

    #[test]
    fn custom_columns_without_weights_or_at_another_level_are_refused_by_name() {
        let e = query("custom.rank", &[], None).expect_err("refused");
        assert!(
            e.to_string()
                .starts_with("column \"custom.rank\": the custom index needs weights"),
            "{e}"
        );
        let e = TableQuery::parse_with_weights(
            "lsoa11",
            &["custom.rank"],
            &[],
            None,
            Some("imd2025:equal"),
        )
        .expect_err("refused");
        assert!(
            e.to_string()
                .contains("available at level lsoa21 only, not lsoa11"),
            "{e}"
        );
        for (w, says) in [
            ("imd2026:equal", "imd2026"),
            ("imd2025", "weights are INDEX:WEIGHTS"),
            ("imd2025:income=-1", "income"),
            ("cni2023:civic=x", "civic"),
        ] {
            let e = query("custom.rank", &[], Some(w)).expect_err("refused");
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("weights {w:?}")), "{msg}");
            assert!(msg.contains(says), "{msg}");
        }
        let e = query("custom.extent", &[], Some("imd2025:equal")).expect_err("refused");
        assert!(
            e.to_string().contains("measures are score, rank, decile"),
            "{e}"
        );
        // Weights no part of the query uses are checked, then dropped.
        let q = query("imd2025.rank", &[], Some("imd2025:equal")).expect("query");
        assert_eq!(q.weights, None);
        assert!(query("imd2025.rank", &[], Some("imd2025:nope")).is_err());
    }

    #[test]
    fn running_without_the_custom_values_is_refused_not_answered_with_blanks() {
        let f = frame();
        let q = query("custom.rank", &[], Some("cni2023:equal")).expect("query");
        assert!(run(&f, None, &q).is_err());
        let civic =
            crate::reweight::Weights::only(CompositeIndex::Cni2023, "civic").expect("weights");
        let other = compute(&f, &civic).expect("computed");
        assert!(run(&f, Some(&other), &q).is_err());
    }
}
