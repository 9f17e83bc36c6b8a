//! Running a query over a frame: filter (AND), sort (missing values last, ties by code order) and
//! read cells.

use std::cmp::Ordering;

use crate::bivariate::bivariate_class;
use crate::catalogue::IndicatorId;
use crate::left_behind::LEFT_BEHIND_PAIR;
use crate::summary::Measure;

use super::custom::CustomValues;
use super::frame::{TableFrame, Values};
use super::query::{weights_text, Column, Filter, ParentField, Part, TableError, TableQuery};

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Text (codes, names).
    Text(&'a str),
    /// A whole number (ranks, deciles).
    Whole(u32),
    /// A number (scores, shares, average ranks).
    Number(f64),
    /// No value.
    Missing,
}

/// A row test made from one filter, with its columns looked up once.
enum Test<'a> {
    Range(&'a Values, super::query::Bound, super::query::Bound),
    Parent(&'a [Option<u32>], u32),
    LeftBehind(crate::left_behind::LeftBehindRule, RankPair<'a>),
    Bivariate(crate::bivariate::BivariateClass, RankPair<'a>),
}

/// Two ranked indices: (need ranks, n), (deprivation ranks, n).
type RankPair<'a> = ((&'a Values, u32), (&'a Values, u32));

fn ranks<'a>(
    frame: &'a TableFrame,
    id: IndicatorId,
    at: &Part,
) -> Result<(&'a Values, u32), TableError> {
    frame
        .indicator(id)
        .and_then(|i| Some((i.values(Measure::Rank)?, i.n_ranked)))
        .ok_or_else(|| TableError::NotLoaded {
            at: at.clone(),
            indicator: id,
            level: frame.level,
        })
}

fn test<'a>(
    frame: &'a TableFrame,
    custom: Option<&'a CustomValues>,
    f: &Filter,
    text: &str,
) -> Result<Test<'a>, TableError> {
    let at = Part {
        kind: "filter",
        text: text.to_string(),
    };
    Ok(match f {
        Filter::Range {
            indicator,
            measure,
            lo,
            hi,
        } => {
            let v = frame
                .indicator(*indicator)
                .and_then(|i| i.values(*measure))
                .ok_or_else(|| TableError::NotLoaded {
                    at: at.clone(),
                    indicator: *indicator,
                    level: frame.level,
                })?;
            Test::Range(v, *lo, *hi)
        }
        Filter::Within { level, code } => {
            let unknown = || TableError::UnknownArea {
                at: at.clone(),
                level: *level,
                code: code.clone(),
            };
            let p = frame.parent(*level).ok_or_else(unknown)?;
            let i = p
                .areas
                .iter()
                .position(|a| &a.code == code)
                .ok_or_else(unknown)?;
            Test::Parent(&p.index, i as u32)
        }
        Filter::LeftBehind(rule) => Test::LeftBehind(
            *rule,
            (
                ranks(frame, LEFT_BEHIND_PAIR.need, &at)?,
                ranks(frame, LEFT_BEHIND_PAIR.deprivation, &at)?,
            ),
        ),
        Filter::Custom { measure, lo, hi } => {
            let v = custom
                .and_then(|c| c.values(*measure))
                .ok_or(TableError::CustomWithoutWeights { at })?;
            Test::Range(v, *lo, *hi)
        }
        Filter::Bivariate(class) => Test::Bivariate(
            *class,
            (
                ranks(frame, IndicatorId::CNI2023, &at)?,
                ranks(frame, IndicatorId::IMD2025, &at)?,
            ),
        ),
    })
}

impl Test<'_> {
    fn passes(&self, i: usize) -> bool {
        match self {
            Test::Range(v, lo, hi) => v
                .get(i)
                .is_some_and(|x| Filter::bounds_contain(*lo, *hi, x)),
            Test::Parent(index, p) => index.get(i).copied().flatten() == Some(*p),
            Test::LeftBehind(rule, ((need, nn), (dep, nd))) => {
                LEFT_BEHIND_PAIR.is_left_behind(*rule, (need.whole(i), *nn), (dep.whole(i), *nd))
            }
            Test::Bivariate(class, ((need, nn), (dep, nd))) => {
                match (dep.whole(i), need.whole(i)) {
                    (Some(d), Some(n)) => bivariate_class(d, *nd, n, *nn) == Some(*class),
                    _ => false,
                }
            }
        }
    }
}

fn measure_cell(v: &Values, measure: Measure, i: usize) -> Cell<'static> {
    if measure.is_whole() {
        v.whole(i).map_or(Cell::Missing, Cell::Whole)
    } else {
        v.get(i).map_or(Cell::Missing, Cell::Number)
    }
}

/// The cell of `column` at row (feature index) `i` (`custom`: the query's custom index, for
/// `custom.*` columns; without it they are missing).
pub fn cell<'a>(
    frame: &'a TableFrame,
    custom: Option<&CustomValues>,
    column: &Column,
    i: usize,
) -> Cell<'a> {
    match column {
        Column::Custom(measure) => custom
            .and_then(|c| c.values(*measure))
            .map_or(Cell::Missing, |v| measure_cell(v, *measure, i)),
        Column::Code => frame.codes.get(i).map_or(Cell::Missing, |s| Cell::Text(s)),
        Column::Name => frame.names.get(i).map_or(Cell::Missing, |s| Cell::Text(s)),
        Column::Parent { level, field } => {
            let Some(p) = frame.parent(*level) else {
                return Cell::Missing;
            };
            let area = p
                .index
                .get(i)
                .copied()
                .flatten()
                .and_then(|j| p.areas.get(j as usize));
            match (area, field) {
                (Some(a), ParentField::Code) => Cell::Text(&a.code),
                (Some(a), ParentField::Name) => Cell::Text(&a.name),
                (None, _) => Cell::Missing,
            }
        }
        Column::Value { indicator, measure } => {
            let Some(v) = frame.indicator(*indicator).and_then(|x| x.values(*measure)) else {
                return Cell::Missing;
            };
            measure_cell(v, *measure, i)
        }
    }
}

fn compare(a: Cell<'_>, b: Cell<'_>) -> Ordering {
    match (a, b) {
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        (Cell::Whole(x), Cell::Whole(y)) => x.cmp(&y),
        (Cell::Number(x), Cell::Number(y)) => x.total_cmp(&y),
        _ => Ordering::Equal,
    }
}

/// The rows (feature indices) that pass every filter, in the query's order: sorted by its sort
/// column (missing values last whichever the direction; ties in code order), else code order.
/// Fails when a filter names an area or an indicator the frame does not have, when the frame
/// is of another level, or when the query has weights and `custom` is not their index (made by
/// [`super::custom::for_query`]).
pub fn run(
    frame: &TableFrame,
    custom: Option<&CustomValues>,
    query: &TableQuery,
) -> Result<Vec<u32>, TableError> {
    if let Some(w) = &query.weights {
        if custom.is_none_or(|c| &c.weights != w) {
            return Err(TableError::NotLoaded {
                at: Part {
                    kind: "weights",
                    text: weights_text(w),
                },
                indicator: w.index.indicator(),
                level: frame.level,
            });
        }
    }
    if frame.level != query.level {
        return Err(TableError::UnknownLevel {
            at: Part {
                kind: "level",
                text: query.level.to_string(),
            },
            known: frame.level.to_string(),
        });
    }
    let tests = query
        .filters
        .iter()
        .zip(&query.filter_text)
        .map(|(f, t)| test(frame, custom, f, t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows: Vec<u32> = (0..frame.len())
        .filter(|i| tests.iter().all(|t| t.passes(*i)))
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    if let Some(sort) = &query.sort {
        let keys: Vec<Cell<'_>> = rows
            .iter()
            .map(|i| cell(frame, custom, &sort.column, *i as usize))
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (keys[*a], keys[*b]);
            let by_value = match (x, y) {
                (Cell::Missing, Cell::Missing) => Ordering::Equal,
                (Cell::Missing, _) => Ordering::Greater,
                (_, Cell::Missing) => Ordering::Less,
                _ if sort.descending => compare(y, x),
                _ => compare(x, y),
            };
            by_value.then(rows[*a].cmp(&rows[*b]))
        });
        rows = order.into_iter().map(|k| rows[k]).collect();
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NamedArea;
    use crate::level::Level;
    use crate::table::frame::{FrameIndicator, ParentColumn};

    /// Four LSOAs in two councils; IMD ranks 1, 3, 2 and none of n = 4; CNI ranks 1, 4, 2, 3.
    fn frame() -> TableFrame {
        TableFrame {
            level: Level::Lsoa21,
            codes: ["E01000001", "E01000002", "E01000003", "E01000004"]
                .map(String::from)
                .to_vec(),
            names: ["A 001A", "A 001B", "B 001A", "B 001B"]
                .map(String::from)
                .to_vec(),
            parents: vec![ParentColumn {
                level: Level::Lad24,
                areas: vec![
                    NamedArea {
                        code: "E06000001".into(),
                        name: "A".into(),
                    },
                    NamedArea {
                        code: "E06000002".into(),
                        name: "B".into(),
                    },
                ],
                index: vec![Some(0), Some(0), Some(1), Some(1)],
            }],
            indicators: vec![
                FrameIndicator::published(
                    IndicatorId::IMD2025,
                    4,
                    vec![Some(1), Some(3), Some(2), None],
                    vec![Some(1), Some(7), Some(5), None],
                    Some(vec![Some(50.0), Some(10.0), Some(30.0), None]),
                ),
                FrameIndicator::published(
                    IndicatorId::CNI2023,
                    4,
                    vec![Some(1), Some(4), Some(2), Some(3)],
                    vec![Some(3), Some(10), Some(5), Some(8)],
                    None,
                ),
            ],
        }
    }

    fn rows(cols: &[&str], filters: &[&str], sort: Option<&str>) -> Vec<u32> {
        let q = TableQuery::parse("lsoa21", cols, filters, sort).expect("query");
        run(&frame(), None, &q).expect("runs")
    }

    #[test]
    fn filters_combine_with_and() {
        assert_eq!(rows(&[], &["imd2025.rank<=2"], None), [0, 2]);
        assert_eq!(
            rows(&[], &["imd2025.rank<=2", "lad24=E06000002"], None),
            [2]
        );
        assert_eq!(
            rows(&[], &["imd2025.decile=1..5", "cni2023.rank>1"], None),
            [2]
        );
    }

    #[test]
    fn sorting_puts_missing_values_last_in_both_directions() {
        assert_eq!(rows(&[], &[], Some("imd2025.rank")), [0, 2, 1, 3]);
        assert_eq!(rows(&[], &[], Some("imd2025.rank:desc")), [1, 2, 0, 3]);
        // Scores: higher is worse, so a plain sort descends.
        assert_eq!(rows(&[], &[], Some("imd2025.score")), [0, 2, 1, 3]);
        assert_eq!(rows(&[], &[], Some("lad24.name:desc")), [2, 3, 0, 1]);
    }

    #[test]
    fn left_behind_and_bivariate_use_the_core_rules() {
        // At 50% of 4: rank <= 2 on both: rows 0 and 2.
        assert_eq!(rows(&[], &["left_behind=50"], None), [0, 2]);
        // Terciles of 4: rank 1 -> 1, rank 2 -> 2, rank 3 -> 3.
        assert_eq!(rows(&[], &["bivariate=1x1"], None), [0]);
        assert_eq!(rows(&[], &["bivariate=2x2"], None), [2]);
    }

    #[test]
    fn an_unknown_parent_code_is_refused_when_run() {
        let q = TableQuery::parse("lsoa21", &[], &["lad24=E06009999"], None).expect("parses");
        let e = run(&frame(), None, &q).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "filter \"lad24=E06009999\": no lad24 with code \"E06009999\""
        );
    }

    #[test]
    fn cells_read_codes_parents_and_values() {
        let f = frame();
        let q = TableQuery::parse(
            "lsoa21",
            &["lad24.name,imd2025.rank,imd2025.score"],
            &[],
            None,
        )
        .expect("query");
        let cells: Vec<Cell<'_>> = q.columns.iter().map(|c| cell(&f, None, c, 2)).collect();
        assert_eq!(
            cells,
            [
                Cell::Text("E01000003"),
                Cell::Text("B 001A"),
                Cell::Text("B"),
                Cell::Whole(2),
                Cell::Number(30.0)
            ]
        );
        assert_eq!(cell(&f, None, &q.columns[3], 3), Cell::Missing);
    }
}
