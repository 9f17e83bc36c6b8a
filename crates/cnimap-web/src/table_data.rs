//! The table beside the map (issue 11), its pure half: the table's state in the page URL in the
//! words of `GET /api/table` (`level=lsoa21&columns=...&filter=...&sort=...`), the frame built
//! from the JSON documents the app fetches (`/api/layers`, `/api/parents`, `/api/values`; the
//! same [`TableFrame`] the server builds, so core's `run` and `to_csv` give the server's bytes),
//! the filters the controls write, and the words the table says.
//!
//! Static first: nothing here needs a server; a static site has the same documents as files.

use cnimap_core::api::{LayerAreasResponse, ValuesResponse};
use cnimap_core::bivariate::BivariateClass;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::classify::format_thousands;
use cnimap_core::lineage::LineageDocument;
use cnimap_core::reweight::Weights;
use cnimap_core::summary::{measures_at, summary_levels, Measure};
use cnimap_core::table::{
    weights_text, Cell, Column, FrameIndicator, ParentField, TableError, TableFrame, TableParents,
    TableQuery, TABLE_LEVELS,
};
use cnimap_core::Level;

use crate::what_if::CustomWeights;
use cnimap_core::table::query::{AREAS_BASE, AREAS_LEVEL};

/// The levels whose frame the browser builds from the documents it fetches: every table level
/// (the published levels from their own documents; ward 2024, LAD 2024 and region as summaries
/// of the LSOA 2021 values, with core's [`cnimap_core::table::summary_frame`]).
pub const BROWSER_LEVELS: [Level; 6] = TABLE_LEVELS;

/// Whether `level` is a summary level (its rows summarise LSOAs).
pub fn is_summary_level(level: Level) -> bool {
    summary_levels(Level::Lsoa21).contains(&level)
}

/// The weights the table's custom columns use: the user's what-if weights of an index published
/// at `level`, `preferred`'s index first (the map's indicator), else the first re-weighted one.
pub fn table_weights(
    level: Level,
    custom: &CustomWeights,
    preferred: Option<cnimap_core::reweight::CompositeIndex>,
) -> Option<Weights> {
    let at_level = |w: &&Weights| w.index.indicator().def().level() == level;
    preferred
        .and_then(|p| custom.get(&p))
        .filter(at_level)
        .or_else(|| custom.values().find(at_level))
        .cloned()
}

/// The table as the URL holds it: the same four parameters as `/api/table`, as typed (checked by
/// [`TableSpec::query`], never here, so a link with a mistake shows the parser's message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// `level` (for a table of your areas, the level the map shows under them: LSOA 2021).
    pub level: Level,
    /// Whether the rows are the user's own areas (`level=areas`; see
    /// [`cnimap_core::table::query::AREAS_LEVEL`]).
    pub areas: bool,
    /// `columns`: the column ids after `code` and `name`.
    pub columns: Vec<String>,
    /// `filter`, each one (combined with AND).
    pub filters: Vec<String>,
    /// `sort`.
    pub sort: Option<String>,
}

impl TableSpec {
    /// The table a user opens: every area of `level` with its council and its main indices.
    pub fn new(level: Level) -> TableSpec {
        TableSpec {
            level,
            areas: false,
            columns: default_columns(level),
            filters: Vec::new(),
            sort: None,
        }
    }

    /// Reads one URL parameter into `spec` (made when `level` names a table level); `true` when
    /// the key is one of the table's (`level`, `columns`, `filter`, `sort`).
    pub fn read_param(spec: &mut Option<TableSpec>, key: &str, value: &str) -> bool {
        match key {
            "level" if value == AREAS_LEVEL => {
                let keep = spec.take().unwrap_or_else(|| TableSpec {
                    columns: Vec::new(),
                    ..TableSpec::your_areas()
                });
                *spec = Some(TableSpec {
                    level: Level::Lsoa21,
                    areas: true,
                    ..keep
                });
            }
            "level" => {
                if let Some(level) = Level::from_id(value).filter(|l| BROWSER_LEVELS.contains(l)) {
                    let keep = spec.take().unwrap_or_else(|| TableSpec {
                        level,
                        areas: false,
                        columns: Vec::new(),
                        filters: Vec::new(),
                        sort: None,
                    });
                    *spec = Some(TableSpec {
                        level,
                        areas: false,
                        ..keep
                    });
                }
            }
            "columns" => {
                if let Some(s) = spec {
                    s.columns.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string),
                    );
                }
            }
            "filter" => {
                if let Some(s) = spec {
                    if !value.trim().is_empty() {
                        s.filters.push(value.trim().to_string());
                    }
                }
            }
            "sort" => {
                if let Some(s) = spec {
                    s.sort = Some(value.trim().to_string()).filter(|v| !v.is_empty());
                }
            }
            _ => return false,
        }
        true
    }

    /// The URL parameters, `level` first (readable: only `%`, `&`, `#`, `+`, spaces, `<`, `>` and
    /// non-ASCII are escaped). The `columns` parameter is always written, so a link keeps a table
    /// with no extra columns as it is.
    pub fn to_params(&self) -> Vec<String> {
        let mut parts = vec![
            format!("level={}", self.level_word()),
            format!("columns={}", escape(&self.columns.join(","))),
        ];
        for f in &self.filters {
            parts.push(format!("filter={}", escape(f)));
        }
        if let Some(s) = &self.sort {
            parts.push(format!("sort={}", escape(s)));
        }
        parts
    }

    /// The query string of the same table on `GET /api/table` (without `format`).
    pub fn api_query(&self) -> String {
        self.to_params().join("&")
    }

    /// The query string of the same table on `GET /api/table` with the custom index's
    /// `weights` (the page keeps them in `w.INDEX`), when a `custom.*` part uses them.
    pub fn api_query_with(&self, weights: Option<&Weights>) -> String {
        let mut q = self.api_query();
        if let Some(w) = weights.filter(|_| self.uses_custom()) {
            q.push_str(&format!("&weights={}", escape(&weights_text(w))));
        }
        q
    }

    /// Whether a column, filter or the sort reads the custom index (`custom.*`).
    pub fn uses_custom(&self) -> bool {
        let custom = |s: &str| s.trim_start().starts_with("custom.");
        self.columns.iter().any(|c| custom(c))
            || self.filters.iter().any(|f| custom(f))
            || self.sort.as_deref().is_some_and(custom)
    }

    /// The parsed query: what core runs, or the parser's message naming the part that is wrong.
    pub fn query(&self) -> Result<TableQuery, TableError> {
        self.query_with(None)
    }

    /// The parsed query with the custom index's weights (see [`table_weights`]).
    pub fn query_with(&self, weights: Option<&Weights>) -> Result<TableQuery, TableError> {
        let text = weights.map(weights_text);
        TableQuery::parse_with_weights(
            self.level_word(),
            &[self.columns.join(",")],
            &self.filters,
            self.sort.as_deref(),
            text.as_deref().filter(|_| self.uses_custom()),
        )
    }

    /// The table of your areas (`level=areas`): each area's share in the most deprived 10% and
    /// average rank on IMD 2025 and CNI 2023, the worst share first.
    pub fn your_areas() -> TableSpec {
        TableSpec {
            level: Level::Lsoa21,
            areas: true,
            columns: [
                "imd2025.share_decile1",
                "imd2025.average_rank",
                "cni2023.share_decile1",
                "cni2023.average_rank",
            ]
            .map(String::from)
            .to_vec(),
            filters: Vec::new(),
            sort: None,
        }
    }

    /// The level word of the URL and the query: `areas` or the level's id.
    pub fn level_word(&self) -> &'static str {
        if self.areas {
            AREAS_LEVEL
        } else {
            self.level.id()
        }
    }

    /// The level the table's columns and filters are offered at: [`AREAS_BASE`] for your areas,
    /// else the level.
    pub fn table_level(&self) -> Level {
        if self.areas {
            AREAS_BASE
        } else {
            self.level
        }
    }

    /// The spec with a column added (unless already shown).
    pub fn with_column(&self, id: &str) -> TableSpec {
        let mut s = self.clone();
        if !s.columns.iter().any(|c| c == id) {
            s.columns.push(id.to_string());
        }
        s
    }

    /// The spec without a column (and without its sort).
    pub fn without_column(&self, id: &str) -> TableSpec {
        let mut s = self.clone();
        s.columns.retain(|c| c != id);
        if s.sort_column() == Some(id) {
            s.sort = None;
        }
        s
    }

    /// The column the table is sorted by, as written.
    pub fn sort_column(&self) -> Option<&str> {
        self.sort.as_deref().map(|s| {
            s.strip_suffix(":asc")
                .or(s.strip_suffix(":desc"))
                .unwrap_or(s)
        })
    }

    /// The spec sorted by `column`: the worst first on the first click, the other way on the next.
    pub fn sorted_by(&self, column: &Column) -> TableSpec {
        let id = column.id();
        let descending_now = self
            .query()
            .ok()
            .and_then(|q| q.sort)
            .filter(|s| s.column == *column)
            .map(|s| s.descending);
        let descending = match descending_now {
            Some(d) => !d,
            None => column.descends_by_default(),
        };
        TableSpec {
            sort: Some(format!("{id}:{}", if descending { "desc" } else { "asc" })),
            ..self.clone()
        }
    }

    /// The spec with a filter added (a filter given twice is kept once).
    pub fn with_filter(&self, filter: &str) -> TableSpec {
        let mut s = self.clone();
        if !s.filters.iter().any(|f| f == filter) {
            s.filters.push(filter.to_string());
        }
        s
    }

    /// The spec without the filter at `index`.
    pub fn without_filter(&self, index: usize) -> TableSpec {
        let mut s = self.clone();
        if index < s.filters.len() {
            s.filters.remove(index);
        }
        s
    }

    /// The spec with its left-behind filter (if any) at `percent`, or added/removed by `on`.
    pub fn with_left_behind(&self, on: bool, percent: u8) -> TableSpec {
        let mut s = self.clone();
        s.filters.retain(|f| !is_left_behind(f));
        if on {
            s.filters.push(format!("left_behind={percent}"));
        }
        s
    }

    /// Whether the spec has a left-behind filter.
    pub fn has_left_behind(&self) -> bool {
        self.filters.iter().any(|f| is_left_behind(f))
    }

    /// The spec with its bivariate-class filter (if any) replaced by `class`, or removed.
    pub fn with_bivariate(&self, class: Option<BivariateClass>) -> TableSpec {
        let mut s = self.clone();
        s.filters.retain(|f| !is_bivariate(f));
        if let Some(c) = class {
            s.filters.push(bivariate_filter(c));
        }
        s
    }

    /// The class of the spec's bivariate filter, when it has one that reads as a class.
    pub fn bivariate(&self) -> Option<BivariateClass> {
        self.filters.iter().find_map(|f| {
            let (d, n) = f.strip_prefix("bivariate=")?.split_once('x')?;
            BivariateClass::new(d.trim().parse().ok()?, n.trim().parse().ok()?)
        })
    }
}

fn is_bivariate(filter: &str) -> bool {
    filter.trim_start().starts_with("bivariate")
}

/// The filter of one bivariate class: `bivariate=1x3` (IMD 2025 tercile, then CNI 2023 tercile).
pub fn bivariate_filter(class: BivariateClass) -> String {
    format!("bivariate={}x{}", class.deprivation, class.need)
}

fn is_left_behind(filter: &str) -> bool {
    filter == "left_behind" || filter.starts_with("left_behind=")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'%' | b'&' | b'#' | b'+' | b' ' | b'<' | b'>' | b'"' | 0x80..=0xff | 0..=0x1f => {
                out.push_str(&format!("%{b:02X}"))
            }
            _ => out.push(b as char),
        }
    }
    out
}

/// The columns a new table of `level` shows after its code and name.
pub fn default_columns(level: Level) -> Vec<String> {
    let summaries = |parents: &[&str]| {
        parents
            .iter()
            .map(|p| p.to_string())
            .chain(
                [
                    "imd2025.share_decile1",
                    "imd2025.rank_of_average_rank",
                    "cni2023.share_decile1",
                    "cni2023.rank_of_average_rank",
                ]
                .map(String::from),
            )
            .collect()
    };
    let (parents, indices): (&[&str], &[IndicatorId]) = match level {
        Level::Lsoa21 => (
            &["lad24.name"],
            &[IndicatorId::IMD2025, IndicatorId::CNI2023],
        ),
        Level::Lsoa11 => (&["lad24.name"], &[IndicatorId::IMD2019]),
        Level::Ward24 => return summaries(&["lad24.name"]),
        Level::Lad24 => return summaries(&["region.name"]),
        Level::Region => return summaries(&[]),
        _ => (&[], &[IndicatorId::CNI2019]),
    };
    let mut out: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
    for id in indices {
        out.push(format!("{id}.rank"));
        out.push(format!("{id}.decile"));
    }
    if level == Level::Ward17 {
        // The IoD 2019 summarised at the same wards (best-fit lookup).
        out.extend(["imd2019.share_decile1", "imd2019.rank_of_average_rank"].map(String::from));
    }
    out
}

/// The indicators with values at `level` (the ones a table of it can show and filter on), in
/// catalogue order.
pub fn indicators_at(level: Level) -> Vec<IndicatorId> {
    IndicatorId::all()
        .filter(|id| !measures_at(id.def(), level).is_empty())
        .filter(|id| browser_summarises(*id, level))
        .collect()
}

/// Whether the page can make `indicator`'s values at `level`: its own level's, and every summary
/// core makes of it there (the IoD 2019 ones of councils and regions weighted by the populations
/// of `/api/lineage/lsoa11`, as `GET /api/table` and `cnimap table` weight them).
pub fn browser_summarises(indicator: IndicatorId, level: Level) -> bool {
    indicator.def().level() == level || summary_levels(indicator.def().level()).contains(&level)
}

/// Whether a table of `level` with `indicator` needs the LSOA 2011 documents (`/api/parents/lsoa11`
/// and `/api/lineage/lsoa11`): an IoD 2019 indicator summarised at a larger level (wards 2017,
/// councils, regions).
pub fn needs_lsoa11(indicator: IndicatorId, level: Level) -> bool {
    level != Level::Lsoa11
        && indicator.def().level() == Level::Lsoa11
        && summary_levels(Level::Lsoa11).contains(&level)
}

/// Why the page cannot make a query's table, when one of its indicators has no values the page can
/// make at the query's level (none does today: kept as the one place that would say so).
pub fn not_in_browser(query: &TableQuery) -> Option<String> {
    let id = cnimap_core::table::export::indicators(query)
        .into_iter()
        .find(|id| !browser_summarises(*id, query.level))?;
    Some(format!(
        "{} has no values this page can make for {}: get this table from GET /api/table?{} or `cnimap table`.",
        id.def().title,
        query.level.areas_noun(),
        query.to_query_string()
    ))
}

/// The measures of `indicator` a table of `level` can show.
pub fn measures_of(indicator: IndicatorId, level: Level) -> Vec<Measure> {
    measures_at(indicator.def(), level)
}

/// The filter the range controls write: `imd2025.decile=1`, `imd2025.rank=1..100`,
/// `imd2025.rank<=100`, `imd2025.decile>=9`, `imd2025.share_decile1>=0.2`, `custom.decile=1`
/// (`head`: an indicator id or `custom`); `None` when neither end is given.
pub fn range_filter(
    head: &str,
    measure: Measure,
    from: Option<f64>,
    to: Option<f64>,
) -> Option<String> {
    let column = format!("{head}.{measure}");
    let n = |v: f64| {
        if measure.is_whole() {
            format!("{}", v.round().max(0.0) as u64)
        } else {
            format!("{v}")
        }
    };
    Some(match (from, to) {
        (Some(a), Some(b)) if n(a) == n(b) => format!("{column}={}", n(a)),
        (Some(a), Some(b)) => format!("{column}={}..{}", n(a.min(b)), n(a.max(b))),
        (Some(a), None) => format!("{column}>={}", n(a)),
        (None, Some(b)) => format!("{column}<={}", n(b)),
        (None, None) => return None,
    })
}

/// Why the documents do not make a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A document is about another level than the table's.
    WrongLayer {
        /// Which document.
        document: String,
        /// Its layer.
        found: Level,
        /// The table's level.
        expected: Level,
    },
    /// A document's arrays do not have one entry per area.
    WrongLength {
        /// Which document.
        document: String,
        /// Its length.
        found: usize,
        /// The number of areas.
        expected: usize,
    },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::WrongLayer {
                document,
                found,
                expected,
            } => write!(f, "{document} is about {found}, not {expected}"),
            FrameError::WrongLength {
                document,
                found,
                expected,
            } => write!(
                f,
                "{document} has {found} entries for {expected} areas; reload the page"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

/// The table frame of a level from its documents: codes and names (`/api/layers/{level}`), the
/// parents (`/api/parents/{level}`) and the values of the indicators a query needs
/// (`/api/values/{level}/{id}`) — the frame the server builds from the atlas, for those
/// indicators.
pub fn build_frame(
    areas: &LayerAreasResponse,
    parents: &TableParents,
    values: &[&ValuesResponse],
) -> Result<TableFrame, FrameError> {
    use cnimap_core::table::FrameError as Core;
    cnimap_core::table::published_frame(areas, parents, values).map_err(|e| match e {
        Core::WrongLayer {
            document,
            found,
            expected,
        } => FrameError::WrongLayer {
            document,
            found,
            expected,
        },
        Core::WrongLength {
            document,
            found,
            expected,
        } => FrameError::WrongLength {
            document,
            found,
            expected,
        },
    })
}

/// "412 of 33,755 neighbourhoods".
pub fn count_sentence(count: usize, of: usize, level: Level) -> String {
    format!(
        "{} of {} {}",
        format_thousands(count as u32),
        format_thousands(of as u32),
        level.areas_noun()
    )
}

/// A column's heading in plain words ("IMD 2025 rank", "Local authority").
pub fn column_heading(column: &Column) -> String {
    match column {
        Column::Code => "Code".into(),
        Column::Name => "Name".into(),
        Column::Parent { level, field } => {
            let what = match level {
                Level::Ward24 | Level::Ward17 => "Ward",
                Level::Lad24 | Level::Lad19 => "Local authority",
                Level::Region => "Region",
                _ => level.title(),
            };
            match field {
                ParentField::Name => what.to_string(),
                ParentField::Code => format!("{what} code"),
            }
        }
        Column::Value { indicator, measure } => {
            format!(
                "{} {}",
                indicator.def().title,
                measure.label().to_lowercase()
            )
        }
        Column::Custom(measure) => {
            format!("Custom index {}", measure.label().to_lowercase())
        }
    }
}

/// The summary-level frame from the LSOA 2021 parents document, the LSOA 2011 parents and lineage
/// documents when an IoD 2019 indicator is summarised (`lsoa11`), and the published values of the
/// indicators a query needs (core's [`cnimap_core::table::summary_frame`], the server's figures).
pub fn build_summary_frame(
    level: Level,
    lsoa21: &TableParents,
    lsoa11: Option<(&TableParents, &LineageDocument)>,
    values: &[&ValuesResponse],
) -> Result<TableFrame, String> {
    let published: Vec<FrameIndicator> = values
        .iter()
        .filter_map(|v| {
            let id = IndicatorId::parse(&v.indicator).ok()?;
            Some(FrameIndicator::published(
                id,
                v.n_ranked,
                v.rank.clone(),
                v.decile.clone(),
                v.score.clone(),
            ))
        })
        .collect();
    let length = |p: &TableParents| p.parents.first().map_or(0, |p| p.index.len());
    for v in values {
        let n = match v.layer {
            Level::Lsoa21 => length(lsoa21),
            Level::Lsoa11 => lsoa11.map_or(v.rank.len(), |(p, _)| length(p)),
            _ => continue,
        };
        if v.rank.len() != n {
            return Err(FrameError::WrongLength {
                document: format!("values/{}/{}", v.layer, v.indicator),
                found: v.rank.len(),
                expected: n,
            }
            .to_string());
        }
    }
    let refs: Vec<&FrameIndicator> = published.iter().collect();
    cnimap_core::table::summary_frame(
        level,
        lsoa21,
        lsoa11.map(|(p, _)| p),
        lsoa11.map(|(_, l)| l.population.as_slice()),
        &refs,
    )
    .map_err(|e| e.to_string())
}

/// A published level's frame (wards 2017) with the IoD 2019 summaries of its rows, from the LSOA
/// 2011 parents (their ward 2017 column: the ONS best-fit lookup) and lineage (the populations)
/// documents and the LSOA 2011 values given (core's
/// [`cnimap_core::table::with_lsoa11_summaries`], as `GET /api/table` and `cnimap table`).
pub fn add_lsoa11_summaries(
    frame: TableFrame,
    lsoa11: (&TableParents, &LineageDocument),
    values: &[&ValuesResponse],
) -> Result<TableFrame, String> {
    let (parents, lineage) = lsoa11;
    let n = parents.parents.first().map_or(0, |p| p.index.len());
    let mut published = Vec::with_capacity(values.len());
    for v in values {
        let Ok(id) = IndicatorId::parse(&v.indicator) else {
            continue;
        };
        if v.layer != Level::Lsoa11 || v.rank.len() != n || v.decile.len() != n {
            return Err(FrameError::WrongLength {
                document: format!("values/{}/{}", v.layer, v.indicator),
                found: v.rank.len(),
                expected: n,
            }
            .to_string());
        }
        published.push(FrameIndicator::published(
            id,
            v.n_ranked,
            v.rank.clone(),
            v.decile.clone(),
            None,
        ));
    }
    let refs: Vec<&FrameIndicator> = published.iter().collect();
    cnimap_core::table::with_lsoa11_summaries(
        frame,
        parents,
        Some(lineage.population.as_slice()),
        &refs,
    )
    .map_err(|e| e.to_string())
}

/// A cell as the table shows it: whole numbers with thousands separators, other numbers to three
/// decimals at most, a dash for no value.
pub fn cell_text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Text(t) => t.to_string(),
        Cell::Whole(v) => format_thousands(v),
        Cell::Number(v) => {
            let s = format!("{v:.3}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        }
        Cell::Missing => "–".into(),
    }
}

/// Map classes for fading: 1 for a row the filters keep, 2 for one they leave out (feature `i`
/// gets entry `i`).
pub fn fade_classes(n: usize, kept: &[u32]) -> Vec<u8> {
    let mut out = vec![2u8; n];
    for &i in kept {
        if let Some(c) = out.get_mut(i as usize) {
            *c = 1;
        }
    }
    out
}

/// The rows of the table a scroll position shows: `(first, last)` row positions (last
/// exclusive), with `overscan` rows either side, for rows of `row_px` in a viewport of
/// `viewport_px`.
pub fn visible_rows(
    scroll_px: f64,
    viewport_px: f64,
    row_px: f64,
    total: usize,
    overscan: usize,
) -> (usize, usize) {
    if total == 0 || row_px <= 0.0 {
        return (0, 0);
    }
    let first = (scroll_px.max(0.0) / row_px).floor() as usize;
    let shown = (viewport_px.max(0.0) / row_px).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = (first + shown + overscan).min(total);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::api::NamedArea;
    use cnimap_core::table::{run, to_csv, ParentColumn};

    fn spec() -> TableSpec {
        TableSpec {
            level: Level::Lsoa21,
            areas: false,
            columns: vec!["lad24.name".into(), "imd2025.decile".into()],
            filters: vec!["imd2025.decile=1".into(), "cni2023.rank<=100".into()],
            sort: Some("imd2025.rank:desc".into()),
        }
    }

    fn read(query: &str) -> Option<TableSpec> {
        let mut s = None;
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = v
                .replace("%3C", "<")
                .replace("%3E", ">")
                .replace("%26", "&");
            TableSpec::read_param(&mut s, k, &v);
        }
        s
    }

    #[test]
    fn a_table_round_trips_through_the_url_in_the_words_of_the_api() {
        let s = spec();
        let q = s.api_query();
        assert_eq!(
            q,
            "level=lsoa21&columns=lad24.name,imd2025.decile&filter=imd2025.decile=1&filter=cni2023.rank%3C=100&sort=imd2025.rank:desc"
        );
        assert_eq!(read(&q), Some(s));
    }

    #[test]
    fn a_table_of_your_areas_round_trips_and_parses_at_the_areas_level() {
        let s = TableSpec::your_areas().with_filter("imd2025.share_decile1>=0.2");
        let query = s.to_params().join("&");
        assert!(
            query.starts_with("level=areas&columns=imd2025.share_decile1,"),
            "{query}"
        );
        let back = read(&query).expect("a table");
        assert_eq!(back, s);
        assert!(back.areas);
        assert_eq!(back.table_level(), cnimap_core::table::query::AREAS_BASE);
        let q = back.query().expect("parses");
        assert!(q.areas);
        // Another level after it makes it a table of that level again.
        let mut t = Some(back);
        TableSpec::read_param(&mut t, "level", "lad24");
        assert!(t.is_some_and(|t| !t.areas && t.level == Level::Lad24));
    }

    #[test]
    fn a_table_without_columns_or_filters_round_trips() {
        let s = TableSpec {
            columns: Vec::new(),
            ..TableSpec::new(Level::Ward17)
        };
        assert_eq!(read(&s.api_query()), Some(s));
    }

    #[test]
    fn without_a_level_the_other_words_open_no_table() {
        assert_eq!(read("columns=imd2025.rank&filter=imd2025.decile=1"), None);
        // A level with no table is not opened either; summary levels are.
        assert_eq!(read("level=lad19&columns=imd2025.share_decile1"), None);
        let lad = read("level=lad24&columns=imd2025.share_decile1").expect("lad24");
        assert_eq!(lad.level, Level::Lad24);
        assert!(lad.query().is_ok());
    }

    #[test]
    fn every_levels_default_columns_parse() {
        for level in BROWSER_LEVELS {
            let s = TableSpec::new(level);
            assert!(s.query().is_ok(), "{level}: {:?}", s.query());
            assert!(!s.columns.is_empty());
        }
        // The IoD 2019 summaries are offered for councils and regions (weighted by the populations
        // of /api/lineage/lsoa11), not for 2024 wards (no summary there on any door).
        assert!(indicators_at(Level::Lad24).contains(&IndicatorId::IMD2019));
        assert!(indicators_at(Level::Region).contains(&IndicatorId::IMD2019));
        assert!(!indicators_at(Level::Ward24).contains(&IndicatorId::IMD2019));
        assert!(indicators_at(Level::Lad24).contains(&IndicatorId::IMD2025));
        assert!(needs_lsoa11(IndicatorId::IMD2019, Level::Region));
        assert!(!needs_lsoa11(IndicatorId::IMD2025, Level::Region));
        assert!(!needs_lsoa11(IndicatorId::IMD2019, Level::Lsoa11));
        // December 2017 wards: the CNI 2019 published there, the IoD 2019 summarised (best fit).
        assert!(needs_lsoa11(IndicatorId::IMD2019, Level::Ward17));
        assert!(indicators_at(Level::Ward17).contains(&IndicatorId::IMD2019));
        assert!(indicators_at(Level::Ward17).contains(&IndicatorId::CNI2019));
        assert!(TableSpec::new(Level::Ward17)
            .columns
            .contains(&"imd2019.share_decile1".to_string()));
        let q = TableSpec {
            columns: vec!["imd2019.share_decile1".into()],
            ..TableSpec::new(Level::Region)
        }
        .query()
        .expect("parses");
        assert_eq!(not_in_browser(&q), None);
    }

    #[test]
    fn custom_columns_take_the_users_weights_of_an_index_at_the_tables_level() {
        use cnimap_core::reweight::CompositeIndex;
        let mut custom = CustomWeights::new();
        let imd = Weights::parse(CompositeIndex::Imd2025, "income=50,health=50").expect("w");
        let imd19 = Weights::parse(CompositeIndex::Imd2019, "equal").expect("w");
        custom.insert(CompositeIndex::Imd2025, imd.clone());
        custom.insert(CompositeIndex::Imd2019, imd19.clone());
        assert_eq!(
            table_weights(Level::Lsoa21, &custom, None),
            Some(imd.clone())
        );
        assert_eq!(
            table_weights(Level::Lsoa11, &custom, Some(CompositeIndex::Imd2025)),
            Some(imd19)
        );
        assert_eq!(table_weights(Level::Lad24, &custom, None), None);
        let s = TableSpec::new(Level::Lsoa21).with_column("custom.rank");
        assert!(s.uses_custom());
        let q = s.query_with(Some(&imd)).expect("parses");
        assert_eq!(q.weights.as_ref(), Some(&imd));
        assert!(s
            .api_query_with(Some(&imd))
            .ends_with("&weights=imd2025:income=50,employment=0,education=0,health=50,crime=0,housing=0,environment=0"));
        // Without weights the parser says what is missing.
        assert!(s
            .query()
            .expect_err("refused")
            .to_string()
            .contains("needs weights"));
        // A table that does not use them does not carry them.
        assert!(!TableSpec::new(Level::Lsoa21)
            .api_query_with(Some(&imd))
            .contains("weights"));
    }

    #[test]
    fn the_bivariate_control_writes_one_class_filter() {
        let c = BivariateClass::new(1, 3).expect("class");
        let s = TableSpec::new(Level::Lsoa21).with_bivariate(Some(c));
        assert_eq!(s.filters, ["bivariate=1x3"]);
        assert_eq!(s.bivariate(), Some(c));
        let d = BivariateClass::new(2, 2).expect("class");
        assert_eq!(s.with_bivariate(Some(d)).filters, ["bivariate=2x2"]);
        assert!(s.with_bivariate(None).filters.is_empty());
        assert!(s.query().is_ok());
    }

    #[test]
    fn the_spec_parses_with_the_cores_parser_and_reports_its_errors() {
        let q = spec().query().expect("parses");
        assert_eq!(q.filters.len(), 2);
        let bad = spec().with_filter("imd2025.decile=11");
        let e = bad.query().expect_err("refused");
        assert!(e.to_string().contains("imd2025.decile=11"), "{e}");
    }

    #[test]
    fn sorting_a_column_twice_turns_it_round() {
        let s = TableSpec::new(Level::Lsoa21);
        let rank = Column::Value {
            indicator: IndicatorId::IMD2025,
            measure: Measure::Rank,
        };
        let once = s.sorted_by(&rank);
        assert_eq!(once.sort.as_deref(), Some("imd2025.rank:asc"));
        let twice = once.sorted_by(&rank);
        assert_eq!(twice.sort.as_deref(), Some("imd2025.rank:desc"));
        assert_eq!(twice.sort_column(), Some("imd2025.rank"));
        assert_eq!(twice.without_column("imd2025.rank").sort, None);
    }

    #[test]
    fn the_left_behind_filter_follows_the_threshold() {
        let s = TableSpec::new(Level::Lsoa21).with_left_behind(true, 10);
        assert!(s.has_left_behind());
        let s = s.with_left_behind(true, 20);
        assert_eq!(s.filters, ["left_behind=20"]);
        assert!(!s.with_left_behind(false, 20).has_left_behind());
    }

    #[test]
    fn range_controls_write_the_query_language() {
        let d = |a, b| range_filter("imd2025", Measure::Decile, a, b);
        assert_eq!(d(Some(1.0), Some(1.0)).as_deref(), Some("imd2025.decile=1"));
        assert_eq!(
            d(Some(3.0), Some(1.0)).as_deref(),
            Some("imd2025.decile=1..3")
        );
        assert_eq!(d(None, Some(2.0)).as_deref(), Some("imd2025.decile<=2"));
        assert_eq!(d(Some(9.0), None).as_deref(), Some("imd2025.decile>=9"));
        assert_eq!(d(None, None), None);
        let share = range_filter("imd2025", Measure::ShareDecile1, Some(0.25), None);
        assert_eq!(share.as_deref(), Some("imd2025.share_decile1>=0.25"));
        let custom = range_filter("custom", Measure::Decile, Some(1.0), Some(1.0));
        assert_eq!(custom.as_deref(), Some("custom.decile=1"));
    }

    fn documents() -> (LayerAreasResponse, TableParents, ValuesResponse) {
        let areas = LayerAreasResponse {
            layer: Level::Lsoa21,
            codes: vec!["E01000001".into(), "E01000002".into(), "E01000003".into()],
            names: vec!["A 001A".into(), "A 001B".into(), "B, C 001A".into()],
            lads: Vec::new(),
            lad: Vec::new(),
        };
        let parents = TableParents {
            layer: Level::Lsoa21,
            parents: vec![ParentColumn {
                level: Level::Lad24,
                areas: vec![
                    NamedArea {
                        code: "E06000001".into(),
                        name: "A".into(),
                    },
                    NamedArea {
                        code: "E06000002".into(),
                        name: "B, C".into(),
                    },
                ],
                index: vec![Some(0), Some(0), Some(1)],
            }],
        };
        let values = ValuesResponse {
            layer: Level::Lsoa21,
            indicator: "imd2025".into(),
            n_ranked: 3,
            decile: vec![Some(1), Some(10), Some(4)],
            rank: vec![Some(1), Some(3), Some(2)],
            score: Some(vec![Some(50.5), Some(1.25), None]),
            decile_counts: [1, 0, 0, 1, 0, 0, 0, 0, 0, 1],
        };
        (areas, parents, values)
    }

    #[test]
    fn a_frame_from_the_documents_runs_and_exports_with_the_core() {
        let (areas, parents, values) = documents();
        let frame = build_frame(&areas, &parents, &[&values]).expect("frame");
        let s = TableSpec {
            level: Level::Lsoa21,
            areas: false,
            columns: vec!["lad24.name".into(), "imd2025.score".into()],
            filters: vec!["imd2025.decile<=4".into()],
            sort: Some("imd2025.rank".into()),
        };
        let q = s.query().expect("query");
        let rows = run(&frame, None, &q).expect("rows");
        assert_eq!(rows, [0, 2]);
        let csv = to_csv(&frame, None, &q, &rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "code,name,lad24.name,imd2025.score");
        assert_eq!(lines[2], "E01000001,A 001A,A,50.5");
        assert_eq!(lines[3], "E01000003,\"B, C 001A\",\"B, C\",");
        assert_eq!(fade_classes(3, &rows), [1, 2, 1]);
    }

    #[test]
    fn documents_that_do_not_fit_are_refused_by_name() {
        let (areas, parents, mut values) = documents();
        values.rank.pop();
        let e = build_frame(&areas, &parents, &[&values]).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "values/lsoa21/imd2025 has 2 entries for 3 areas; reload the page"
        );
        let mut other = parents.clone();
        other.layer = Level::Lsoa11;
        assert!(matches!(
            build_frame(&areas, &other, &[]),
            Err(FrameError::WrongLayer { .. })
        ));
    }

    #[test]
    fn words_for_counts_cells_and_headings() {
        assert_eq!(
            count_sentence(412, 33_755, Level::Lsoa21),
            "412 of 33,755 neighbourhoods"
        );
        assert_eq!(cell_text(Cell::Whole(1262)), "1,262");
        assert_eq!(cell_text(Cell::Number(0.5)), "0.5");
        assert_eq!(cell_text(Cell::Number(12.34567)), "12.346");
        assert_eq!(cell_text(Cell::Missing), "–");
        let lad = Column::Parent {
            level: Level::Lad24,
            field: ParentField::Name,
        };
        assert_eq!(column_heading(&lad), "Local authority");
    }

    #[test]
    fn only_the_rows_in_view_and_a_few_more_are_drawn() {
        assert_eq!(visible_rows(0.0, 300.0, 30.0, 33_755, 5), (0, 16));
        assert_eq!(visible_rows(3000.0, 300.0, 30.0, 33_755, 5), (95, 116));
        assert_eq!(visible_rows(1e9, 300.0, 30.0, 40, 5), (40, 40));
        assert_eq!(visible_rows(0.0, 300.0, 30.0, 0, 5), (0, 0));
    }
}
