//! The table's query language: columns, filters and a sort as strings, parsed into typed values
//! with an error that names the part that is wrong.

use crate::bivariate::BivariateClass;
use crate::catalogue::IndicatorId;
use crate::left_behind::{LeftBehindRule, RuleError};
use crate::level::Level;
use crate::reweight::{CompositeIndex, ReweightError, Weights};
use crate::summary::{measures_at, summary_levels, Measure};

use super::{parent_levels, TABLE_LEVELS};

/// At most this many columns, filters, and characters in one part.
pub const MAX_COLUMNS: usize = 100;
/// At most this many filters.
pub const MAX_FILTERS: usize = 32;
/// At most this many characters in one column, filter or sort string.
pub const MAX_PART_CHARS: usize = 200;

/// Which part of a query an error is about, with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// "level", "column", "filter", "sort" or "weights".
    pub kind: &'static str,
    /// The text as given (cut to [`MAX_PART_CHARS`] characters).
    pub text: String,
}

impl Part {
    fn new(kind: &'static str, text: &str) -> Part {
        Part {
            kind,
            text: text.chars().take(MAX_PART_CHARS).collect(),
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.kind, self.text)
    }
}

/// Why a table query was refused. Every variant names the part that is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// A level that has no table.
    #[error("{at}: unknown level; use one of {known}")]
    UnknownLevel {
        /// The part.
        at: Part,
        /// The table levels, comma-separated.
        known: String,
    },
    /// An empty part.
    #[error("{at}: empty")]
    Empty {
        /// The part.
        at: Part,
    },
    /// A part longer than [`MAX_PART_CHARS`], or too many parts.
    #[error("{at}: too long or too many (at most {max})")]
    TooMany {
        /// The part.
        at: Part,
        /// The limit.
        max: usize,
    },
    /// A column id that is neither `code`, `name`, a parent nor `<indicator>.<measure>`.
    #[error("{at}: not a column; use code, name, a parent such as lad24.name, or <indicator>.<measure> such as imd2025.rank")]
    UnknownColumn {
        /// The part.
        at: Part,
    },
    /// An indicator id the catalogue does not know.
    #[error("{at}: unknown indicator {id:?}; see /api/indicators for the ids")]
    UnknownIndicator {
        /// The part.
        at: Part,
        /// The id given.
        id: String,
    },
    /// An indicator named without a measure.
    #[error("{at}: name a measure after the indicator, one of {available}")]
    MissingMeasure {
        /// The part.
        at: Part,
        /// The measures at this level.
        available: String,
    },
    /// A measure id that does not exist.
    #[error("{at}: unknown measure {measure:?}; measures are {known}")]
    UnknownMeasure {
        /// The part.
        at: Part,
        /// The measure given.
        measure: String,
        /// Every measure id.
        known: String,
    },
    /// A measure that exists but not at this level.
    #[error(
        "{at}: {measure} is not available for {indicator} at level {level}; use one of {available}"
    )]
    MeasureNotAvailable {
        /// The part.
        at: Part,
        /// The indicator.
        indicator: IndicatorId,
        /// The measure.
        measure: Measure,
        /// The level asked for.
        level: Level,
        /// The measures there.
        available: String,
    },
    /// An indicator with no values at this level.
    #[error("{at}: {indicator} has no values at level {level}; it is available at {levels}")]
    IndicatorNotAtLevel {
        /// The part.
        at: Part,
        /// The indicator.
        indicator: IndicatorId,
        /// The level asked for.
        level: Level,
        /// Where it is.
        levels: String,
    },
    /// A measure cnimap cannot compute from the data, with the reason.
    #[error("{at}: not computable: {reason}")]
    NotComputable {
        /// The part.
        at: Part,
        /// Why.
        reason: &'static str,
    },
    /// A parent level that areas of this level do not lie in.
    #[error("{at}: areas of level {level} have no parent {parent}; parents here: {available}")]
    UnknownParent {
        /// The part.
        at: Part,
        /// The parent level given.
        parent: String,
        /// The table's level.
        level: Level,
        /// The parents there.
        available: String,
    },
    /// A filter that is not of any accepted form.
    #[error("{at}: {reason}")]
    BadFilter {
        /// The part.
        at: Part,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A value that is not a number of the kind the measure takes.
    #[error("{at}: {value:?} is not {expected}")]
    BadNumber {
        /// The part.
        at: Part,
        /// The value text.
        value: String,
        /// "a whole number", "a number".
        expected: &'static str,
    },
    /// A value outside the measure's range (decile 11).
    #[error("{at}: {measure} {value} is out of range: {range}")]
    OutOfRange {
        /// The part.
        at: Part,
        /// The measure.
        measure: Measure,
        /// The value.
        value: f64,
        /// The range in words.
        range: &'static str,
    },
    /// A range or comparison that no value can meet (`decile=3..1`, `rank<1`).
    #[error("{at}: the range is empty: no value can meet it")]
    EmptyRange {
        /// The part.
        at: Part,
    },
    /// A left-behind threshold out of range.
    #[error("{at}: {source}")]
    BadThreshold {
        /// The part.
        at: Part,
        /// The rule's reason.
        #[source]
        source: RuleError,
    },
    /// A sort that is not `<column>[:asc|:desc]`.
    #[error("{at}: {reason}")]
    BadSort {
        /// The part.
        at: Part,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parent filter naming an area that does not exist (found when the table is run).
    #[error("{at}: no {level} with code {code:?}")]
    UnknownArea {
        /// The part.
        at: Part,
        /// The parent level.
        level: Level,
        /// The code given.
        code: String,
    },
    /// `weights` that do not read as `INDEX:WEIGHTS`, or weights the reweighting refuses.
    #[error("{at}: {reason}")]
    BadWeights {
        /// The part.
        at: Part,
        /// What is wrong and what is expected.
        reason: String,
        /// The reweighting's error, when it refused the weights themselves.
        #[source]
        source: Option<ReweightError>,
    },
    /// A `custom.*` column, filter or sort in a query without `weights`.
    #[error("{at}: the custom index needs weights: add weights=INDEX:WEIGHTS, such as weights=imd2025:income=30,employment=30,health=40 or weights=cni2023:equal")]
    CustomWithoutWeights {
        /// The part.
        at: Part,
    },
    /// Weights of an index that is not published at the table's level.
    #[error("{at}: {index} is published on level {published}, so its custom columns are available at level {published} only, not {level}")]
    CustomNotAtLevel {
        /// The part.
        at: Part,
        /// The index.
        index: CompositeIndex,
        /// Its level.
        published: Level,
        /// The table's level.
        level: Level,
    },
    /// A column, filter or sort a table of the user's own areas (`level=areas`) cannot have.
    #[error("{at}: {reason}")]
    NotForAreas {
        /// The part.
        at: Part,
        /// What is wrong and what your areas have.
        reason: String,
    },
    /// An indicator whose values were not loaded (found when the table is run).
    #[error("{at}: no values loaded for {indicator} at level {level}")]
    NotLoaded {
        /// The part.
        at: Part,
        /// The indicator.
        indicator: IndicatorId,
        /// The level.
        level: Level,
    },
}

impl TableError {
    /// The part of the query the error is about.
    pub fn part(&self) -> &Part {
        match self {
            TableError::UnknownLevel { at, .. }
            | TableError::Empty { at }
            | TableError::TooMany { at, .. }
            | TableError::UnknownColumn { at }
            | TableError::UnknownIndicator { at, .. }
            | TableError::MissingMeasure { at, .. }
            | TableError::UnknownMeasure { at, .. }
            | TableError::MeasureNotAvailable { at, .. }
            | TableError::IndicatorNotAtLevel { at, .. }
            | TableError::NotComputable { at, .. }
            | TableError::UnknownParent { at, .. }
            | TableError::BadFilter { at, .. }
            | TableError::BadNumber { at, .. }
            | TableError::OutOfRange { at, .. }
            | TableError::EmptyRange { at }
            | TableError::BadThreshold { at, .. }
            | TableError::BadSort { at, .. }
            | TableError::UnknownArea { at, .. }
            | TableError::BadWeights { at, .. }
            | TableError::CustomWithoutWeights { at }
            | TableError::CustomNotAtLevel { at, .. }
            | TableError::NotForAreas { at, .. }
            | TableError::NotLoaded { at, .. } => at,
        }
    }
}

/// Which field of a parent area a column shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParentField {
    /// Its ONS code.
    Code,
    /// Its name.
    Name,
}

/// One column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The area's code.
    Code,
    /// The area's name.
    Name,
    /// The code or name of the larger area it lies in.
    Parent {
        /// The parent's level.
        level: Level,
        /// Code or name.
        field: ParentField,
    },
    /// A measure of an indicator.
    Value {
        /// The indicator.
        indicator: IndicatorId,
        /// The measure.
        measure: Measure,
    },
    /// The query's custom index (its `weights`): `custom.score`, `custom.rank` or
    /// `custom.decile`.
    Custom(Measure),
}

/// The head of the custom index's column ids (`custom.rank`).
pub const CUSTOM: &str = "custom";

/// The measures of the custom index, in column order.
pub const CUSTOM_MEASURES: [Measure; 3] = [Measure::Score, Measure::Rank, Measure::Decile];

fn list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Column {
    /// The column id, as in the query and the CSV header (`imd2025.rank`, `lad24.name`).
    pub fn id(&self) -> String {
        match self {
            Column::Code => "code".into(),
            Column::Name => "name".into(),
            Column::Parent { level, field } => format!(
                "{level}.{}",
                match field {
                    ParentField::Code => "code",
                    ParentField::Name => "name",
                }
            ),
            Column::Value { indicator, measure } => format!("{indicator}.{measure}"),
            Column::Custom(measure) => format!("{CUSTOM}.{measure}"),
        }
    }

    /// Parses a column id for a table of `level`; `at` names the part for errors.
    pub fn parse(text: &str, level: Level, at: &Part) -> Result<Column, TableError> {
        let err_at = || at.clone();
        match text {
            "code" => return Ok(Column::Code),
            "name" => return Ok(Column::Name),
            "" => return Err(TableError::Empty { at: err_at() }),
            _ => {}
        }
        let Some((head, tail)) = text.split_once('.') else {
            if let Ok(id) = IndicatorId::parse(text) {
                return Err(TableError::MissingMeasure {
                    at: err_at(),
                    available: list(measures_at(id.def(), level)),
                });
            }
            return Err(TableError::UnknownColumn { at: err_at() });
        };
        if head == CUSTOM {
            return Measure::from_id(tail)
                .filter(|m| CUSTOM_MEASURES.contains(m))
                .map(Column::Custom)
                .ok_or_else(|| TableError::UnknownMeasure {
                    at: err_at(),
                    measure: tail.to_string(),
                    known: list(CUSTOM_MEASURES),
                });
        }
        if let Some(parent) = Level::from_id(head) {
            if !parent_levels(level).contains(&parent) {
                return Err(TableError::UnknownParent {
                    at: err_at(),
                    parent: head.to_string(),
                    level,
                    available: parents_text(level),
                });
            }
            let field = match tail {
                "code" => ParentField::Code,
                "name" => ParentField::Name,
                _ => return Err(TableError::UnknownColumn { at: err_at() }),
            };
            return Ok(Column::Parent {
                level: parent,
                field,
            });
        }
        let indicator = IndicatorId::parse(head).map_err(|_| TableError::UnknownIndicator {
            at: err_at(),
            id: head.to_string(),
        })?;
        let measure = Measure::from_id(tail).ok_or_else(|| TableError::UnknownMeasure {
            at: err_at(),
            measure: tail.to_string(),
            known: list(Measure::ALL),
        })?;
        let def = indicator.def();
        if let Some(reason) = measure.not_computable(def) {
            return Err(TableError::NotComputable {
                at: err_at(),
                reason,
            });
        }
        let available = measures_at(def, level);
        if available.is_empty() {
            let mut levels = vec![def.level()];
            levels.extend_from_slice(summary_levels(def.level()));
            return Err(TableError::IndicatorNotAtLevel {
                at: err_at(),
                indicator,
                level,
                levels: list(levels),
            });
        }
        if !available.contains(&measure) {
            return Err(TableError::MeasureNotAvailable {
                at: err_at(),
                indicator,
                measure,
                level,
                available: list(available),
            });
        }
        Ok(Column::Value { indicator, measure })
    }

    /// Whether a plain sort on this column is descending (the worst first: high shares and
    /// scores; ranks, deciles and text ascend).
    pub fn descends_by_default(&self) -> bool {
        match self {
            Column::Value { measure, .. } | Column::Custom(measure) => !measure.worst_is_low(),
            _ => false,
        }
    }
}

fn parents_text(level: Level) -> String {
    let p = parent_levels(level);
    if p.is_empty() {
        "none".into()
    } else {
        list(p)
    }
}

/// One end of a value range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// No limit.
    Open,
    /// The value itself included.
    Inclusive(f64),
    /// The value itself excluded.
    Exclusive(f64),
}

/// One filter; a row passes a query when it passes every filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// A measure within a range.
    Range {
        /// The indicator.
        indicator: IndicatorId,
        /// The measure.
        measure: Measure,
        /// Lower end.
        lo: Bound,
        /// Upper end.
        hi: Bound,
    },
    /// Within a larger area.
    Within {
        /// The parent level.
        level: Level,
        /// The parent's code.
        code: String,
    },
    /// Left behind under a rule (the [`crate::left_behind::LEFT_BEHIND_PAIR`]).
    LeftBehind(LeftBehindRule),
    /// In one bivariate class (IMD 2025 x CNI 2023 terciles).
    Bivariate(BivariateClass),
    /// A measure of the query's custom index within a range (`custom.decile=1`).
    Custom {
        /// The measure.
        measure: Measure,
        /// Lower end.
        lo: Bound,
        /// Upper end.
        hi: Bound,
    },
}

impl Filter {
    /// Whether a value passes a range filter's bounds.
    pub fn bounds_contain(lo: Bound, hi: Bound, v: f64) -> bool {
        let above = match lo {
            Bound::Open => true,
            Bound::Inclusive(x) => v >= x,
            Bound::Exclusive(x) => v > x,
        };
        let below = match hi {
            Bound::Open => true,
            Bound::Inclusive(x) => v <= x,
            Bound::Exclusive(x) => v < x,
        };
        above && below
    }

    /// Parses a filter for a table of `level`.
    pub fn parse(text: &str, level: Level) -> Result<Filter, TableError> {
        let at = Part::new("filter", text);
        let text = text.trim();
        if text.is_empty() {
            return Err(TableError::Empty { at });
        }
        if text == "left_behind" {
            only_lsoa21(level, &at, "left_behind")?;
            return Ok(Filter::LeftBehind(LeftBehindRule::default()));
        }
        let Some(pos) = text.find(['<', '>', '=']) else {
            // A column without a comparison: say what a filter looks like (or what is wrong
            // with the column).
            Column::parse(text, level, &at)?;
            return Err(bad(&at, "a filter compares a column with a value, such as imd2025.decile=1, imd2025.decile=1..2 or imd2025.rank<=100"));
        };
        let (lhs, rest) = text.split_at(pos);
        let (op, value) = ["<=", ">=", "<", ">", "="]
            .into_iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (op, v)))
            .unwrap_or(("=", rest));
        let lhs = lhs.trim();
        let value = value.trim();
        match lhs {
            "left_behind" => {
                only_lsoa21(level, &at, "left_behind")?;
                if op != "=" {
                    return Err(bad(
                        &at,
                        "left_behind takes = and a whole percentage, such as left_behind=20",
                    ));
                }
                let percent = value.parse::<u8>().map_err(|_| TableError::BadNumber {
                    at: at.clone(),
                    value: value.to_string(),
                    expected: "a whole percentage from 1 to 50",
                })?;
                let rule = LeftBehindRule::new(percent)
                    .map_err(|source| TableError::BadThreshold { at, source })?;
                return Ok(Filter::LeftBehind(rule));
            }
            "bivariate" => {
                only_lsoa21(level, &at, "bivariate")?;
                let class = (op == "=")
                    .then(|| value.split_once('x'))
                    .flatten()
                    .and_then(|(d, n)| BivariateClass::new(d.parse().ok()?, n.parse().ok()?));
                return class.map(Filter::Bivariate).ok_or_else(|| {
                    bad(&at, "bivariate takes =DxN with terciles 1 to 3, deprivation (IMD 2025) then need (CNI 2023): bivariate=1x1 is the most deprived and highest-need third on both")
                });
            }
            _ => {}
        }
        if let Some(parent) = Level::from_id(lhs) {
            if !parent_levels(level).contains(&parent) {
                return Err(TableError::UnknownParent {
                    at,
                    parent: lhs.to_string(),
                    level,
                    available: parents_text(level),
                });
            }
            let code_like = !value.is_empty()
                && value.len() <= 16
                && value.chars().all(|c| c.is_ascii_alphanumeric());
            if op != "=" || !code_like {
                return Err(bad(
                    &at,
                    "a parent filter takes = and an ONS code, such as lad24=E06000002 or region=E12000001",
                ));
            }
            return Ok(Filter::Within {
                level: parent,
                code: value.to_string(),
            });
        }
        let (indicator, measure) = match Column::parse(lhs, level, &at)? {
            Column::Value { indicator, measure } => (Some(indicator), measure),
            Column::Custom(measure) => (None, measure),
            _ => {
                return Err(bad(
                    &at,
                    "filters compare an <indicator>.<measure> or name a parent (lad24=CODE); code, name and parent names cannot be compared",
                ))
            }
        };
        let number = |s: &str| parse_value(s, measure, &at);
        let (lo, hi) = match op {
            "=" => match value.split_once("..") {
                Some((a, b)) => (Bound::Inclusive(number(a)?), Bound::Inclusive(number(b)?)),
                None => {
                    let v = number(value)?;
                    (Bound::Inclusive(v), Bound::Inclusive(v))
                }
            },
            "<=" => (Bound::Open, Bound::Inclusive(number(value)?)),
            "<" => (Bound::Open, Bound::Exclusive(number(value)?)),
            ">=" => (Bound::Inclusive(number(value)?), Bound::Open),
            _ => (Bound::Exclusive(number(value)?), Bound::Open),
        };
        if is_empty(lo, hi, measure) {
            return Err(TableError::EmptyRange { at });
        }
        Ok(match indicator {
            Some(indicator) => Filter::Range {
                indicator,
                measure,
                lo,
                hi,
            },
            None => Filter::Custom { measure, lo, hi },
        })
    }
}

fn bad(at: &Part, reason: &str) -> TableError {
    TableError::BadFilter {
        at: at.clone(),
        reason: reason.to_string(),
    }
}

fn only_lsoa21(level: Level, at: &Part, what: &str) -> Result<(), TableError> {
    if level == Level::Lsoa21 {
        Ok(())
    } else {
        Err(bad(
            at,
            &format!("{what} compares LSOA 2021 ranks and is available at level lsoa21 only, not {level}"),
        ))
    }
}

/// The smallest and largest values a measure takes, and the range in words.
fn domain(measure: Measure) -> (f64, f64, &'static str) {
    match measure {
        Measure::Decile => (1.0, 10.0, "deciles run 1 to 10"),
        Measure::Rank | Measure::RankOfAverageRank => {
            (1.0, f64::from(u32::MAX), "ranks start at 1")
        }
        Measure::AverageRank => (1.0, f64::from(u32::MAX), "average ranks start at 1"),
        Measure::ShareDecile1 => (0.0, 1.0, "shares run 0 to 1 (0.5 = 50%)"),
        _ => (f64::MIN, f64::MAX, "any finite number"),
    }
}

fn parse_value(text: &str, measure: Measure, at: &Part) -> Result<f64, TableError> {
    let text = text.trim();
    let v = if measure.is_whole() {
        text.parse::<u32>()
            .map(f64::from)
            .map_err(|_| TableError::BadNumber {
                at: at.clone(),
                value: text.to_string(),
                expected: "a whole number",
            })?
    } else {
        // Only plain decimals: no "inf", "NaN" or exponents.
        let plain = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
        text.parse::<f64>()
            .ok()
            .filter(|v| plain && v.is_finite())
            .ok_or_else(|| TableError::BadNumber {
                at: at.clone(),
                value: text.to_string(),
                expected: "a number",
            })?
    };
    let (min, max, range) = domain(measure);
    if v < min || v > max {
        return Err(TableError::OutOfRange {
            at: at.clone(),
            measure,
            value: v,
            range,
        });
    }
    Ok(v)
}

/// Whether no value of `measure` can lie between `lo` and `hi`.
fn is_empty(lo: Bound, hi: Bound, measure: Measure) -> bool {
    let (min, max, _) = domain(measure);
    let step = if measure.is_whole() { 1.0 } else { 0.0 };
    // Turn both ends into inclusive ends (whole measures) or keep strictness (numbers).
    let (l, l_strict) = match lo {
        Bound::Open => (min, false),
        Bound::Inclusive(x) => (x, false),
        Bound::Exclusive(x) if step > 0.0 => (x + step, false),
        Bound::Exclusive(x) => (x, true),
    };
    let (h, h_strict) = match hi {
        Bound::Open => (max, false),
        Bound::Inclusive(x) => (x, false),
        Bound::Exclusive(x) if step > 0.0 => (x - step, false),
        Bound::Exclusive(x) => (x, true),
    };
    let (l, h) = (l.max(min), h.min(max));
    if l_strict || h_strict {
        l >= h
    } else {
        l > h
    }
}

/// The sort: one column, ascending or descending; missing values always last, ties by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Descending.
    pub descending: bool,
}

impl Sort {
    /// Parses `<column>`, `<column>:asc` or `<column>:desc` for a table of `level`.
    pub fn parse(text: &str, level: Level) -> Result<Sort, TableError> {
        let at = Part::new("sort", text);
        let text = text.trim();
        if text.is_empty() {
            return Err(TableError::Empty { at });
        }
        let (col, dir) = match text.rsplit_once(':') {
            Some((c, "asc")) => (c, Some(false)),
            Some((c, "desc")) => (c, Some(true)),
            Some(_) => {
                return Err(TableError::BadSort {
                    at,
                    reason: "a sort is <column>, <column>:asc or <column>:desc",
                })
            }
            None => (text, None),
        };
        let column = Column::parse(col.trim(), level, &at)?;
        Ok(Sort {
            column,
            descending: dir.unwrap_or_else(|| column.descends_by_default()),
        })
    }

    /// The sort as a query string part (`imd2025.rank:asc`).
    pub fn text(&self) -> String {
        format!(
            "{}:{}",
            self.column.id(),
            if self.descending { "desc" } else { "asc" }
        )
    }
}

/// The level word of a table of the user's own areas (custom areas: a drawn polygon or an
/// uploaded boundary file): `level=areas`.
pub const AREAS_LEVEL: &str = "areas";

/// The level a table of the user's own areas is parsed and run at: like a ward 2024 it summarises
/// LSOA 2021 indicators (share in decile 1 and average rank), with no parents and no rank of
/// average rank (your areas are not ranked against each other). [`TableQuery::areas`] says the
/// rows are your areas.
pub const AREAS_BASE: Level = Level::Ward24;

/// What a table of your areas has, for its refusals.
const AREAS_HAVE: &str = "a table of your areas (level=areas) has code, name and <indicator>.share_decile1 or <indicator>.average_rank of an LSOA 2021 indicator (imd2025, cni2023 and their domains), no parent areas, no rank of average rank (your areas are not ranked against each other), and no left_behind or bivariate filter (they are about single neighbourhoods)";

/// A whole table query.
#[derive(Debug, Clone, PartialEq)]
pub struct TableQuery {
    /// The level of the rows ([`AREAS_BASE`] for a table of your areas).
    pub level: Level,
    /// Whether the rows are the user's own areas (`level=areas`), summarised like
    /// [`AREAS_BASE`]'s areas from the LSOAs each covers.
    pub areas: bool,
    /// The columns, `code` and `name` first.
    pub columns: Vec<Column>,
    /// The filters, combined with AND.
    pub filters: Vec<Filter>,
    /// The filters as given (trimmed), for the query line of an export.
    pub filter_text: Vec<String>,
    /// The sort; `None` keeps code order.
    pub sort: Option<Sort>,
    /// The weights of the custom index (`weights=imd2025:income=30,...`), when a `custom.*`
    /// column, filter or sort uses it (weights no part of the query uses are checked, then
    /// dropped).
    pub weights: Option<Weights>,
}

/// Reads `weights=INDEX:WEIGHTS` (`imd2025:income=30,employment=20,...`, `cni2023:equal`,
/// `imd2019:official`, `imd2025:health`: one domain only), naming what is wrong.
pub fn parse_weights(text: &str) -> Result<Weights, TableError> {
    let at = Part::new("weights", text);
    let text = text.trim();
    if text.is_empty() {
        return Err(TableError::Empty { at });
    }
    let known = list(CompositeIndex::ALL);
    let Some((index, weights)) = text.split_once(':') else {
        return Err(TableError::BadWeights {
            at,
            reason: format!("weights are INDEX:WEIGHTS, such as imd2025:income=30,employment=20,... or cni2023:equal; the index is one of {known}"),
            source: None,
        });
    };
    let index = CompositeIndex::parse(index.trim()).map_err(|e| TableError::BadWeights {
        at: at.clone(),
        reason: format!("{e}; the index is one of {known}"),
        source: Some(e),
    })?;
    Weights::parse(index, weights).map_err(|e| TableError::BadWeights {
        at,
        reason: e.to_string(),
        source: Some(e),
    })
}

/// `weights` as the query writes them: `imd2025:income=30,employment=20,...` (one decimal place).
pub fn weights_text(weights: &Weights) -> String {
    format!("{}:{}", weights.index, weights.to_query())
}

impl TableQuery {
    /// Parses a query: a level id, column lists (each may hold several ids separated by commas),
    /// filters and an optional sort. `code` and `name` always come first; a column named twice
    /// is shown once.
    pub fn parse<S: AsRef<str>>(
        level: &str,
        columns: &[S],
        filters: &[S],
        sort: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        TableQuery::parse_with_weights(level, columns, filters, sort, None)
    }

    /// [`TableQuery::parse`] with the custom index's `weights` (see [`parse_weights`]): needed
    /// when a `custom.*` column, filter or sort is named, and only at the index's level.
    pub fn parse_with_weights<S: AsRef<str>>(
        level: &str,
        columns: &[S],
        filters: &[S],
        sort: Option<&str>,
        weights: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        if level.trim() == AREAS_LEVEL {
            return TableQuery::parse_areas(columns, filters, sort, weights);
        }
        let mut q = TableQuery::parse_parts(level, columns, filters, sort)?;
        let weights = match weights.map(str::trim) {
            None | Some("") => None,
            Some(w) if w.chars().count() > MAX_PART_CHARS => {
                return Err(TableError::TooMany {
                    at: Part::new("weights", w),
                    max: MAX_PART_CHARS,
                })
            }
            Some(w) => Some((parse_weights(w)?, w)),
        };
        let Some(first) = q.first_custom_part() else {
            return Ok(q);
        };
        let Some((weights, text)) = weights else {
            return Err(TableError::CustomWithoutWeights { at: first });
        };
        let published = weights.index.indicator().def().level();
        if published != q.level {
            return Err(TableError::CustomNotAtLevel {
                at: Part::new("weights", text),
                index: weights.index,
                published,
                level: q.level,
            });
        }
        q.weights = Some(weights);
        Ok(q)
    }

    /// A table of your areas (`level=areas`): the parts parsed at [`AREAS_BASE`], then anything
    /// your areas do not have refused by name ([`TableError::NotForAreas`]).
    fn parse_areas<S: AsRef<str>>(
        columns: &[S],
        filters: &[S],
        sort: Option<&str>,
        weights: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        let refuse = |at: Part, what: &str| TableError::NotForAreas {
            at,
            reason: format!("{what}: {AREAS_HAVE}"),
        };
        if weights.is_some_and(|w| !w.trim().is_empty()) {
            return Err(refuse(
                Part::new("weights", weights.unwrap_or_default()),
                "the custom index ranks single neighbourhoods",
            ));
        }
        let base = AREAS_BASE.id();
        let mut q = TableQuery::parse_parts(base, columns, filters, sort).map_err(|e| {
            let at = e.part().clone();
            match e {
                TableError::IndicatorNotAtLevel { indicator, .. } => {
                    refuse(at, &format!("{indicator} is not an LSOA 2021 indicator"))
                }
                TableError::MeasureNotAvailable {
                    indicator, measure, ..
                } => refuse(
                    at,
                    &format!("{indicator}.{measure} is a measure of single neighbourhoods"),
                ),
                TableError::UnknownParent { .. } => refuse(at, "your areas have no parents"),
                TableError::BadFilter { ref reason, .. } if reason.contains("lsoa21 only") => {
                    refuse(at, "this filter is about single neighbourhoods")
                }
                TableError::MissingMeasure { .. } => TableError::MissingMeasure {
                    at,
                    available: list([Measure::ShareDecile1, Measure::AverageRank]),
                },
                other => other,
            }
        })?;
        let ranked = |c: &Column| {
            matches!(
                c,
                Column::Value {
                    measure: Measure::RankOfAverageRank,
                    ..
                }
            )
        };
        let no_rank = "rank_of_average_rank ranks England's areas of a level";
        let parent = |c: &Column| matches!(c, Column::Parent { .. });
        if let Some(c) = q.columns.iter().find(|c| parent(c)) {
            return Err(refuse(
                Part::new("column", &c.id()),
                "your areas have no parents",
            ));
        }
        if let Some(s) = q.sort.filter(|s| parent(&s.column)) {
            return Err(refuse(
                Part::new("sort", &s.text()),
                "your areas have no parents",
            ));
        }
        if let Some(c) = q.columns.iter().find(|c| ranked(c)) {
            return Err(refuse(Part::new("column", &c.id()), no_rank));
        }
        for (f, t) in q.filters.iter().zip(&q.filter_text) {
            match f {
                Filter::Range {
                    measure: Measure::RankOfAverageRank,
                    ..
                } => return Err(refuse(Part::new("filter", t), no_rank)),
                Filter::Within { .. } => {
                    return Err(refuse(Part::new("filter", t), "your areas have no parents"))
                }
                _ => {}
            }
        }
        if let Some(s) = q.sort.filter(|s| ranked(&s.column)) {
            return Err(refuse(Part::new("sort", &s.text()), no_rank));
        }
        q.areas = true;
        Ok(q)
    }

    /// The first column, filter or sort that reads the custom index, as a part for errors.
    fn first_custom_part(&self) -> Option<Part> {
        if let Some(c) = self.columns.iter().find(|c| matches!(c, Column::Custom(_))) {
            return Some(Part::new("column", &c.id()));
        }
        if let Some((_, t)) = self
            .filters
            .iter()
            .zip(&self.filter_text)
            .find(|(f, _)| matches!(f, Filter::Custom { .. }))
        {
            return Some(Part::new("filter", t));
        }
        self.sort
            .filter(|s| matches!(s.column, Column::Custom(_)))
            .map(|s| Part::new("sort", &s.text()))
    }

    fn parse_parts<S: AsRef<str>>(
        level: &str,
        columns: &[S],
        filters: &[S],
        sort: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        let level_at = Part::new("level", level);
        let level = Level::from_id(level.trim())
            .filter(|l| TABLE_LEVELS.contains(l))
            .ok_or_else(|| TableError::UnknownLevel {
                at: level_at,
                known: list(TABLE_LEVELS),
            })?;
        let mut cols = vec![Column::Code, Column::Name];
        for group in columns {
            let group = group.as_ref();
            if group.chars().count() > MAX_COLUMNS * MAX_PART_CHARS {
                return Err(TableError::TooMany {
                    at: Part::new("column", group),
                    max: MAX_COLUMNS,
                });
            }
            for piece in group.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let at = Part::new("column", piece);
                if piece.chars().count() > MAX_PART_CHARS {
                    return Err(TableError::TooMany {
                        at,
                        max: MAX_PART_CHARS,
                    });
                }
                let c = Column::parse(piece, level, &at)?;
                if !cols.contains(&c) {
                    if cols.len() >= MAX_COLUMNS {
                        return Err(TableError::TooMany {
                            at,
                            max: MAX_COLUMNS,
                        });
                    }
                    cols.push(c);
                }
            }
        }
        if filters.len() > MAX_FILTERS {
            return Err(TableError::TooMany {
                at: Part::new("filter", filters[MAX_FILTERS].as_ref()),
                max: MAX_FILTERS,
            });
        }
        let mut parsed = Vec::with_capacity(filters.len());
        let mut filter_text = Vec::with_capacity(filters.len());
        for f in filters {
            let f = f.as_ref();
            if f.chars().count() > MAX_PART_CHARS {
                return Err(TableError::TooMany {
                    at: Part::new("filter", f),
                    max: MAX_PART_CHARS,
                });
            }
            parsed.push(Filter::parse(f, level)?);
            filter_text.push(f.trim().to_string());
        }
        let sort = match sort.map(str::trim) {
            None | Some("") => None,
            Some(s) if s.chars().count() > MAX_PART_CHARS => {
                return Err(TableError::TooMany {
                    at: Part::new("sort", s),
                    max: MAX_PART_CHARS,
                })
            }
            Some(s) => Some(Sort::parse(s, level)?),
        };
        Ok(TableQuery {
            level,
            columns: cols,
            filters: parsed,
            filter_text,
            sort,
            weights: None,
            areas: false,
        })
    }

    /// The query as URL query parameters (`level=lad24&columns=...&filter=...&sort=...`), the
    /// same for the page URL, the API and the export's comment line. Values are not
    /// percent-encoded: the grammar's characters (`.`, `,`, `=`, `<`, `>`, `:`) are kept as typed.
    pub fn to_query_string(&self) -> String {
        let mut s = if self.areas {
            format!("level={AREAS_LEVEL}")
        } else {
            format!("level={}", self.level)
        };
        let extra: Vec<String> = self
            .columns
            .iter()
            .filter(|c| !matches!(c, Column::Code | Column::Name))
            .map(Column::id)
            .collect();
        if !extra.is_empty() {
            s.push_str(&format!("&columns={}", extra.join(",")));
        }
        for f in &self.filter_text {
            s.push_str(&format!("&filter={f}"));
        }
        if let Some(sort) = &self.sort {
            s.push_str(&format!("&sort={}", sort.text()));
        }
        if let Some(w) = &self.weights {
            s.push_str(&format!("&weights={}", weights_text(w)));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn q(
        level: &str,
        cols: &[&str],
        filters: &[&str],
        sort: Option<&str>,
    ) -> Result<TableQuery, TableError> {
        TableQuery::parse(level, cols, filters, sort)
    }

    #[test]
    fn columns_put_code_and_name_first_and_read_indicator_dot_measure() {
        let t = q(
            "lad24",
            &["imd2025.share_decile1,region.name", "code"],
            &[],
            None,
        )
        .expect("ok");
        let ids: Vec<String> = t.columns.iter().map(Column::id).collect();
        assert_eq!(
            ids,
            ["code", "name", "imd2025.share_decile1", "region.name"]
        );
    }

    #[test]
    fn a_plain_sort_puts_the_worst_first_and_a_suffix_overrides_it() {
        let s = Sort::parse("imd2025.share_decile1", Level::Lad24).expect("ok");
        assert!(s.descending);
        let s = Sort::parse("imd2025.rank", Level::Lsoa21).expect("ok");
        assert!(!s.descending);
        let s = Sort::parse("imd2025.rank:desc", Level::Lsoa21).expect("ok");
        assert!(s.descending);
        assert!(matches!(
            Sort::parse("imd2025.rank:down", Level::Lsoa21),
            Err(TableError::BadSort { .. })
        ));
    }

    #[test]
    fn ranges_and_comparisons_become_bounds() {
        let f = Filter::parse("imd2025.decile=1..2", Level::Lsoa21).expect("ok");
        assert_eq!(
            f,
            Filter::Range {
                indicator: IndicatorId::IMD2025,
                measure: Measure::Decile,
                lo: Bound::Inclusive(1.0),
                hi: Bound::Inclusive(2.0)
            }
        );
        let f = Filter::parse("imd2025.rank<=100", Level::Lsoa21).expect("ok");
        let Filter::Range { lo, hi, .. } = f else {
            panic!("range")
        };
        assert!(Filter::bounds_contain(lo, hi, 100.0));
        assert!(!Filter::bounds_contain(lo, hi, 101.0));
        assert_eq!(
            Filter::parse("lad24=E06000002", Level::Lsoa21),
            Ok(Filter::Within {
                level: Level::Lad24,
                code: "E06000002".into()
            })
        );
        assert!(matches!(
            Filter::parse("left_behind=20", Level::Lsoa21),
            Ok(Filter::LeftBehind(r)) if r.percent() == 20
        ));
        assert!(matches!(
            Filter::parse("bivariate=1x3", Level::Lsoa21),
            Ok(Filter::Bivariate(c)) if c.deprivation == 1 && c.need == 3
        ));
    }

    #[rstest]
    #[case::unknown_indicator("imd2026.decile=1", "unknown indicator \"imd2026\"")]
    #[case::decile_11("imd2025.decile=11", "decile 11 is out of range")]
    #[case::empty_range("imd2025.decile=3..1", "the range is empty")]
    #[case::rank_below_one("imd2025.rank<1", "the range is empty")]
    #[case::not_at_level("imd2025.share_decile1>0", "not available for imd2025 at level lsoa21")]
    #[case::not_computable("imd2025.extent>0", "not computable")]
    #[case::half_decile("imd2025.decile=1.5", "is not a whole number")]
    #[case::nan_score("imd2025.score>NaN", "is not a number")]
    #[case::no_operator("imd2025.decile", "a filter compares")]
    #[case::threshold("left_behind=90", "out of range")]
    #[case::bivariate("bivariate=4x1", "terciles 1 to 3")]
    #[case::wrong_parent("lad19=E06000002", "no parent lad19")]
    #[case::lsoa11_index("imd2019.rank<=5", "has no values at level lsoa21")]
    fn bad_filters_are_refused_naming_the_part(#[case] filter: &str, #[case] says: &str) {
        let e = Filter::parse(filter, Level::Lsoa21).expect_err("refused");
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("filter {filter:?}")), "{msg}");
        assert!(msg.contains(says), "{msg}");
        assert_eq!(e.part().text, filter);
    }

    #[test]
    fn levels_and_sorts_are_checked_too() {
        let e = q("lsoa99", &[], &[], None).expect_err("refused");
        assert!(
            e.to_string().starts_with("level \"lsoa99\": unknown level"),
            "{e}"
        );
        let e = q("region", &[], &["left_behind"], None).expect_err("refused");
        assert!(e.to_string().contains("lsoa21 only"), "{e}");
        let e = q("lad24", &[], &[], Some("imd2025.rank")).expect_err("refused");
        assert!(e.to_string().starts_with("sort \"imd2025.rank\""), "{e}");
        let t = q(
            "lsoa21",
            &["imd2025.rank"],
            &[" imd2025.decile=1 "],
            Some("imd2025.rank"),
        )
        .expect("ok");
        assert_eq!(
            t.to_query_string(),
            "level=lsoa21&columns=imd2025.rank&filter=imd2025.decile=1&sort=imd2025.rank:asc"
        );
    }
}
