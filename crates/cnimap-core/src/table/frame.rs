//! A level's table data: codes, names, parents and every indicator's measures as arrays by
//! feature index. The server builds one per level from the atlas at start-up; the browser can
//! build the same from the JSON documents it fetches.

use crate::api::{LayerAreasResponse, NamedArea, ValuesResponse};
use crate::catalogue::IndicatorId;
use crate::level::Level;
use crate::summary::{Measure, Summary};
use serde::{Deserialize, Serialize};

/// One measure's values by feature index.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Whole numbers (ranks).
    Whole(Vec<Option<u32>>),
    /// Small whole numbers (deciles).
    Small(Vec<Option<u8>>),
    /// Numbers (scores, shares, average ranks).
    Number(Vec<Option<f64>>),
}

impl Values {
    /// The value at feature index `i` as a number.
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Values::Whole(v) => v.get(i).copied().flatten().map(f64::from),
            Values::Small(v) => v.get(i).copied().flatten().map(f64::from),
            Values::Number(v) => v.get(i).copied().flatten(),
        }
    }

    /// The value at `i` as a whole number, for whole-number columns.
    pub fn whole(&self, i: usize) -> Option<u32> {
        match self {
            Values::Whole(v) => v.get(i).copied().flatten(),
            Values::Small(v) => v.get(i).copied().flatten().map(u32::from),
            Values::Number(_) => None,
        }
    }
}

/// The larger area each row lies in, at one parent level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentColumn {
    /// The parent level.
    pub level: Level,
    /// The parent areas.
    pub areas: Vec<NamedArea>,
    /// Each row's index into `areas` (`None` where the lookup has none).
    pub index: Vec<Option<u32>>,
}

/// `GET /api/parents/{layer}`: the larger areas every area of a table level lies in, by feature
/// index, exactly as the server's [`TableFrame`] holds them, so the browser builds the same frame
/// (with `/api/layers/{layer}` and `/api/values/...`) and runs the same queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableParents {
    /// The level of the rows.
    pub layer: Level,
    /// One column per parent level, in [`crate::table::parent_levels`] order.
    pub parents: Vec<ParentColumn>,
}

/// One indicator's measures at the frame's level.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameIndicator {
    /// The indicator.
    pub id: IndicatorId,
    /// How many rows are ranked (LSOAs at the published level, areas for summaries).
    pub n_ranked: u32,
    /// The measures.
    pub measures: Vec<(Measure, Values)>,
}

impl FrameIndicator {
    /// The published measures: rank, decile and, when given, score.
    pub fn published(
        id: IndicatorId,
        n_ranked: u32,
        rank: Vec<Option<u32>>,
        decile: Vec<Option<u8>>,
        score: Option<Vec<Option<f64>>>,
    ) -> FrameIndicator {
        let mut measures = vec![
            (Measure::Rank, Values::Whole(rank)),
            (Measure::Decile, Values::Small(decile)),
        ];
        if let Some(s) = score {
            measures.push((Measure::Score, Values::Number(s)));
        }
        FrameIndicator {
            id,
            n_ranked,
            measures,
        }
    }

    /// The summary measures from [`crate::summary::summarise`]'s output, one entry per row.
    pub fn summaries(id: IndicatorId, rows: &[Option<Summary>]) -> FrameIndicator {
        let share = rows.iter().map(|s| s.map(|s| s.share_decile1)).collect();
        let average = rows.iter().map(|s| s.map(|s| s.average_rank)).collect();
        let rank = rows
            .iter()
            .map(|s| s.map(|s| s.rank_of_average_rank))
            .collect();
        FrameIndicator {
            id,
            n_ranked: rows.iter().flatten().count() as u32,
            measures: vec![
                (Measure::ShareDecile1, Values::Number(share)),
                (Measure::AverageRank, Values::Number(average)),
                (Measure::RankOfAverageRank, Values::Whole(rank)),
            ],
        }
    }

    /// One measure's values.
    pub fn values(&self, measure: Measure) -> Option<&Values> {
        self.measures
            .iter()
            .find(|(m, _)| *m == measure)
            .map(|(_, v)| v)
    }
}

/// Every row of a level with what the table can show of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFrame {
    /// The level.
    pub level: Level,
    /// Codes by feature index.
    pub codes: Vec<String>,
    /// Names by feature index.
    pub names: Vec<String>,
    /// The larger areas the rows lie in.
    pub parents: Vec<ParentColumn>,
    /// The indicators with values at this level.
    pub indicators: Vec<FrameIndicator>,
}

impl TableFrame {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// An indicator's measures.
    pub fn indicator(&self, id: IndicatorId) -> Option<&FrameIndicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// A parent column.
    pub fn parent(&self, level: Level) -> Option<&ParentColumn> {
        self.parents.iter().find(|p| p.level == level)
    }
}

/// Why a summary frame cannot be made from the documents given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SummaryFrameError {
    /// The level is not a summary level (ward 2024, LAD 2024, region).
    #[error("{0} is not a summary level: tables of ward24, lad24 and region summarise LSOAs")]
    NotSummaryLevel(Level),
    /// The LSOA parents document has no column for the level.
    #[error("parents/{lsoas} has no {level} column")]
    NoParentColumn {
        /// The LSOA level of the document.
        lsoas: Level,
        /// The level looked for.
        level: Level,
    },
    /// An indicator's values are not of the LSOA level its document is for.
    #[error("values of {indicator} are published on {published}, not on {given}")]
    WrongLevel {
        /// The indicator.
        indicator: IndicatorId,
        /// Where it is published.
        published: Level,
        /// The document given for it.
        given: Level,
    },
    /// The LSOA 2011 parents' column for a published level lists other areas than its layer.
    #[error("parents/lsoa11's {level} column lists {found} areas that are not the {expected} rows of layers/{level}")]
    OtherAreas {
        /// The level.
        level: Level,
        /// Areas in the column.
        found: usize,
        /// Rows of the level.
        expected: usize,
    },
    /// IoD 2019 summaries are population-weighted and no populations were given.
    #[error("{indicator}'s summaries at {level} are weighted by the LSOA 2011 populations, which this page does not have")]
    NeedsPopulation {
        /// The indicator.
        indicator: IndicatorId,
        /// The level.
        level: Level,
    },
}

/// The frame of a summary level (ward 2024, LAD 2024, region) made from LSOA documents, as the
/// server makes it from the atlas: rows are the areas of `lsoa21`'s column for `level` (sorted by
/// code), each parent the parent of the area's first LSOA 2021, and each indicator's summary
/// measures from [`crate::summary::summarise`] over its published LSOAs (`lsoa11` for indicators
/// on LSOA 2011, with `population11`, each LSOA 2011's population, for their weighted average
/// ranks). `published` holds LSOA values as [`FrameIndicator::published`] makes them.
pub fn summary_frame(
    level: Level,
    lsoa21: &TableParents,
    lsoa11: Option<&TableParents>,
    population11: Option<&[Option<u32>]>,
    published: &[&FrameIndicator],
) -> Result<TableFrame, SummaryFrameError> {
    use super::parent_levels;
    use crate::summary::{summarise, summary_levels};
    if !summary_levels(Level::Lsoa21).contains(&level) {
        return Err(SummaryFrameError::NotSummaryLevel(level));
    }
    fn column(doc: &TableParents, l: Level) -> Result<&ParentColumn, SummaryFrameError> {
        doc.parents
            .iter()
            .find(|p| p.level == l)
            .ok_or(SummaryFrameError::NoParentColumn {
                lsoas: doc.layer,
                level: l,
            })
    }
    let own = column(lsoa21, level)?;
    let n = own.areas.len();
    let mut parents = Vec::new();
    for &p in parent_levels(level) {
        let Ok(up) = column(lsoa21, p) else {
            continue;
        };
        let mut index = vec![None; n];
        for (c, q) in own.index.iter().zip(&up.index) {
            if let (Some(c), Some(q)) = (c, q) {
                if let Some(slot) = index.get_mut(*c as usize) {
                    slot.get_or_insert(*q);
                }
            }
        }
        parents.push(ParentColumn {
            level: p,
            areas: up.areas.clone(),
            index,
        });
    }
    let mut indicators = Vec::with_capacity(published.len());
    for fi in published {
        let at = fi.id.def().level();
        if !summary_levels(at).contains(&level) {
            continue;
        }
        let (doc, weight) = match at {
            Level::Lsoa21 => (lsoa21, None),
            _ => {
                let Some(doc) = lsoa11.filter(|d| d.layer == at) else {
                    return Err(SummaryFrameError::WrongLevel {
                        indicator: fi.id,
                        published: at,
                        given: lsoa21.layer,
                    });
                };
                let Some(w) = population11 else {
                    return Err(SummaryFrameError::NeedsPopulation {
                        indicator: fi.id,
                        level,
                    });
                };
                (doc, Some(w))
            }
        };
        let index = &column(doc, level)?.index;
        let rank: Vec<Option<u32>> = match fi.values(Measure::Rank) {
            Some(Values::Whole(v)) => v.clone(),
            _ => continue,
        };
        let decile: Vec<Option<u8>> = match fi.values(Measure::Decile) {
            Some(Values::Small(v)) => v.clone(),
            _ => continue,
        };
        let rows = summarise(index, n, &rank, &decile, weight);
        indicators.push(FrameIndicator::summaries(fi.id, &rows));
    }
    Ok(TableFrame {
        level,
        codes: own.areas.iter().map(|a| a.code.clone()).collect(),
        names: own.areas.iter().map(|a| a.name.clone()).collect(),
        parents,
        indicators,
    })
}

/// The IoD 2019 summaries (indicators published on LSOA 2011) of a published level's rows: each
/// of `published`'s LSOA 2011 indicators summarised at `frame`'s level (December 2017 wards) with
/// [`crate::summary::summarise`] through `lsoa11`'s column for that level (the ONS best-fit LSOA
/// 2011 -> ward 2017 lookup), average ranks weighted by `population11` as for councils and
/// regions, appended to `frame`'s indicators. The column's areas must be the frame's rows (the
/// ward 2017 layer's, in feature order). Indicators not summarised at the level are skipped.
pub fn with_lsoa11_summaries(
    mut frame: TableFrame,
    lsoa11: &TableParents,
    population11: Option<&[Option<u32>]>,
    published: &[&FrameIndicator],
) -> Result<TableFrame, SummaryFrameError> {
    use crate::summary::{summarise, summary_levels};
    let level = frame.level;
    let wanted: Vec<&&FrameIndicator> = published
        .iter()
        .filter(|fi| {
            fi.id.def().level() == Level::Lsoa11 && summary_levels(Level::Lsoa11).contains(&level)
        })
        .collect();
    if wanted.is_empty() {
        return Ok(frame);
    }
    if lsoa11.layer != Level::Lsoa11 {
        return Err(SummaryFrameError::WrongLevel {
            indicator: wanted[0].id,
            published: Level::Lsoa11,
            given: lsoa11.layer,
        });
    }
    let Some(weight) = population11 else {
        return Err(SummaryFrameError::NeedsPopulation {
            indicator: wanted[0].id,
            level,
        });
    };
    let column = lsoa11.parents.iter().find(|p| p.level == level).ok_or(
        SummaryFrameError::NoParentColumn {
            lsoas: Level::Lsoa11,
            level,
        },
    )?;
    let same_rows = column.areas.len() == frame.codes.len()
        && column
            .areas
            .iter()
            .zip(&frame.codes)
            .all(|(a, c)| a.code == *c);
    if !same_rows {
        return Err(SummaryFrameError::OtherAreas {
            level,
            found: column.areas.len(),
            expected: frame.codes.len(),
        });
    }
    for fi in wanted {
        let (Some(Values::Whole(rank)), Some(Values::Small(decile))) =
            (fi.values(Measure::Rank), fi.values(Measure::Decile))
        else {
            continue;
        };
        let rows = summarise(&column.index, frame.codes.len(), rank, decile, Some(weight));
        frame
            .indicators
            .push(FrameIndicator::summaries(fi.id, &rows));
    }
    Ok(frame)
}

/// Why a published level's documents do not make a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A document is about another level than the table's.
    #[error("{document} is about {found}, not {expected}")]
    WrongLayer {
        /// Which document.
        document: String,
        /// Its layer.
        found: Level,
        /// The table's level.
        expected: Level,
    },
    /// A document's arrays do not have one entry per area.
    #[error("{document} has {found} entries for {expected} areas")]
    WrongLength {
        /// Which document.
        document: String,
        /// Its length.
        found: usize,
        /// The number of areas.
        expected: usize,
    },
}

/// The frame of a published level (LSOA 2021, LSOA 2011, ward 2017) from its documents: codes and
/// names (`/api/layers/{level}`), the parents (`/api/parents/{level}`) and the values of the
/// indicators given (`/api/values/{level}/{id}`, in the order given; a document whose indicator
/// this cnimap does not know is skipped). The browser and a server opened from a build both make
/// their frames with it, so they hold what the server's frame from the atlas holds.
pub fn published_frame(
    areas: &LayerAreasResponse,
    parents: &TableParents,
    values: &[&ValuesResponse],
) -> Result<TableFrame, FrameError> {
    let level = areas.layer;
    let n = areas.codes.len();
    let check_len = |document: String, found: usize| {
        if found == n {
            Ok(())
        } else {
            Err(FrameError::WrongLength {
                document,
                found,
                expected: n,
            })
        }
    };
    check_len(format!("layers/{level} names"), areas.names.len())?;
    if parents.layer != level {
        return Err(FrameError::WrongLayer {
            document: format!("parents/{}", parents.layer),
            found: parents.layer,
            expected: level,
        });
    }
    for p in &parents.parents {
        check_len(format!("parents/{level} ({})", p.level), p.index.len())?;
    }
    let mut indicators = Vec::with_capacity(values.len());
    for v in values {
        let document = format!("values/{}/{}", v.layer, v.indicator);
        if v.layer != level {
            return Err(FrameError::WrongLayer {
                document,
                found: v.layer,
                expected: level,
            });
        }
        let Ok(id) = IndicatorId::parse(&v.indicator) else {
            continue;
        };
        check_len(document.clone(), v.rank.len())?;
        check_len(document.clone(), v.decile.len())?;
        if let Some(s) = &v.score {
            check_len(document, s.len())?;
        }
        indicators.push(FrameIndicator::published(
            id,
            v.n_ranked,
            v.rank.clone(),
            v.decile.clone(),
            v.score.clone(),
        ));
    }
    Ok(TableFrame {
        level,
        codes: areas.codes.clone(),
        names: areas.names.clone(),
        parents: parents.parents.clone(),
        indicators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(code: &str, name: &str) -> NamedArea {
        NamedArea {
            code: code.into(),
            name: name.into(),
        }
    }

    /// Four LSOAs in two LADs of one region; IMD ranks 1, 2, 4, 3 of 4, deciles 1, 1, 10, 8.
    fn parents() -> TableParents {
        TableParents {
            layer: Level::Lsoa21,
            parents: vec![
                ParentColumn {
                    level: Level::Lad24,
                    areas: vec![area("E06000001", "A"), area("E06000002", "B")],
                    index: vec![Some(1), Some(0), Some(0), Some(1)],
                },
                ParentColumn {
                    level: Level::Region,
                    areas: vec![area("E12000001", "North East")],
                    index: vec![Some(0), Some(0), Some(0), None],
                },
            ],
        }
    }

    #[test]
    fn a_summary_frame_from_lsoa_documents_summarises_each_lad_and_finds_its_region() {
        let imd = FrameIndicator::published(
            IndicatorId::IMD2025,
            4,
            vec![Some(1), Some(2), Some(4), Some(3)],
            vec![Some(1), Some(1), Some(10), Some(8)],
            None,
        );
        let f = summary_frame(Level::Lad24, &parents(), None, None, &[&imd]).expect("frame");
        assert_eq!(f.codes, ["E06000001", "E06000002"]);
        let share = f
            .indicator(IndicatorId::IMD2025)
            .and_then(|i| i.values(Measure::ShareDecile1))
            .expect("share");
        // A: LSOAs 1 and 2 (deciles 1, 10): 0.5; B: LSOAs 0 and 3 (deciles 1, 8): 0.5.
        assert_eq!((share.get(0), share.get(1)), (Some(0.5), Some(0.5)));
        let avg = f
            .indicator(IndicatorId::IMD2025)
            .and_then(|i| i.values(Measure::AverageRank))
            .expect("average");
        assert_eq!((avg.get(0), avg.get(1)), (Some(3.0), Some(2.0)));
        let region = f.parent(Level::Region).expect("region");
        assert_eq!(region.index, [Some(0), Some(0)]);
    }

    #[test]
    fn iod2019_ward17_summaries_join_the_published_ward_frame_weighted_by_population() {
        // Three LSOAs 2011 in two wards 2017: W1 holds LSOAs 0 and 2, W2 LSOA 1.
        let p11 = TableParents {
            layer: Level::Lsoa11,
            parents: vec![ParentColumn {
                level: Level::Ward17,
                areas: vec![area("E05000001", "W1"), area("E05000002", "W2")],
                index: vec![Some(0), Some(1), Some(0)],
            }],
        };
        let wards = TableFrame {
            level: Level::Ward17,
            codes: vec!["E05000001".into(), "E05000002".into()],
            names: vec!["W1".into(), "W2".into()],
            parents: Vec::new(),
            indicators: Vec::new(),
        };
        let imd19 = FrameIndicator::published(
            IndicatorId::IMD2019,
            3,
            vec![Some(1), Some(2), Some(3)],
            vec![Some(1), Some(1), Some(10)],
            None,
        );
        let weights = [Some(300), Some(10), Some(100)];
        let f =
            with_lsoa11_summaries(wards.clone(), &p11, Some(&weights), &[&imd19]).expect("frame");
        let s = f.indicator(IndicatorId::IMD2019).expect("imd2019");
        // W1: (300 x 1 + 100 x 3) / 400 = 1.5; half its LSOAs in decile 1.
        assert_eq!(
            s.values(Measure::AverageRank).and_then(|v| v.get(0)),
            Some(1.5)
        );
        assert_eq!(
            s.values(Measure::ShareDecile1).and_then(|v| v.get(0)),
            Some(0.5)
        );
        assert_eq!(
            s.values(Measure::RankOfAverageRank).and_then(|v| v.get(1)),
            Some(2.0)
        );
        // A column of other areas, or no populations, is refused by name.
        let mut other = p11.clone();
        other.parents[0].areas.pop();
        assert!(matches!(
            with_lsoa11_summaries(wards.clone(), &other, Some(&weights), &[&imd19]),
            Err(SummaryFrameError::OtherAreas { .. })
        ));
        assert!(matches!(
            with_lsoa11_summaries(wards, &p11, None, &[&imd19]),
            Err(SummaryFrameError::NeedsPopulation { .. })
        ));
    }

    #[test]
    fn iod2019_summaries_are_refused_without_populations_and_other_levels_by_name() {
        let imd19 =
            FrameIndicator::published(IndicatorId::IMD2019, 1, vec![Some(1)], vec![Some(1)], None);
        let mut p11 = parents();
        p11.layer = Level::Lsoa11;
        let e = summary_frame(Level::Lad24, &parents(), Some(&p11), None, &[&imd19])
            .expect_err("refused");
        assert!(
            matches!(e, SummaryFrameError::NeedsPopulation { .. }),
            "{e}"
        );
        assert!(matches!(
            summary_frame(Level::Lsoa21, &parents(), None, None, &[]),
            Err(SummaryFrameError::NotSummaryLevel(Level::Lsoa21))
        ));
    }
}
