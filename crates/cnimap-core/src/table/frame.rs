//! A level's table data: codes, names, parents and every indicator's measures as arrays by
//! feature index. The server builds one per level from the atlas at start-up; the browser can
//! build the same from the JSON documents it fetches.

use crate::api::NamedArea;
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
