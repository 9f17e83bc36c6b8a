//! A table's rows as CSV (UTF-8, a first comment line naming sources, editions and methods, then
//! one header row of column ids) or as the JSON [`TableResponse`].

use std::collections::BTreeSet;

use crate::api::{ColumnMethod, TableCell, TableResponse};
use crate::bivariate::BIVARIATE_METHOD;
use crate::catalogue::IndicatorId;
use crate::left_behind::LEFT_BEHIND_PAIR;

use super::custom::CustomValues;
use super::frame::TableFrame;
use super::query::{Column, Filter, TableQuery};
use super::run::{cell, Cell};

/// The lookups' attribution, named when rows are placed in larger areas.
const LOOKUP_SOURCE: &str = "ONS LSOA, ward, local authority and region lookups, Office for National Statistics, Open Government Licence v3.0.";

/// The indicators a query reads (columns, sort and filters), in catalogue order: what a frame
/// must hold to run it (the browser fetches only these).
pub fn indicators(query: &TableQuery) -> BTreeSet<IndicatorId> {
    let mut ids = BTreeSet::new();
    let mut add_column = |c: &Column| {
        if let Column::Value { indicator, .. } = c {
            ids.insert(*indicator);
        }
    };
    query.columns.iter().for_each(&mut add_column);
    if let Some(s) = &query.sort {
        add_column(&s.column);
    }
    for f in &query.filters {
        match f {
            Filter::Range { indicator, .. } => {
                ids.insert(*indicator);
            }
            Filter::LeftBehind(_) => {
                ids.insert(LEFT_BEHIND_PAIR.need);
                ids.insert(LEFT_BEHIND_PAIR.deprivation);
            }
            Filter::Bivariate(_) => {
                ids.insert(IndicatorId::IMD2025);
                ids.insert(IndicatorId::CNI2023);
            }
            Filter::Within { .. } | Filter::Custom { .. } => {}
        }
    }
    if let Some(w) = &query.weights {
        ids.extend(
            w.index
                .domains()
                .iter()
                .filter_map(|d| IndicatorId::parse(d.indicator).ok()),
        );
    }
    ids
}

/// The sources of what the query shows or filters on, each with its attribution.
pub fn sources(query: &TableQuery) -> Vec<String> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for id in indicators(query) {
        let source = id.def().source;
        if !seen.contains(&source) {
            seen.push(source);
            out.push(source.attribution().to_string());
        }
    }
    let uses_lookups = query
        .columns
        .iter()
        .chain(query.sort.as_ref().map(|s| &s.column))
        .any(|c| match c {
            Column::Parent { .. } => true,
            Column::Value { measure, .. } => measure.is_summary(),
            _ => false,
        })
        || query.filters.iter().any(|f| {
            matches!(f, Filter::Within { .. })
                || matches!(f, Filter::Range { measure, .. } if measure.is_summary())
        });
    if uses_lookups {
        out.push(LOOKUP_SOURCE.to_string());
    }
    out
}

/// How each indicator column and each rule filter was made.
pub fn methods(frame: &TableFrame, query: &TableQuery) -> Vec<ColumnMethod> {
    let mut out: Vec<ColumnMethod> = query
        .columns
        .iter()
        .filter_map(|c| match c {
            Column::Value { indicator, measure } => Some(ColumnMethod {
                column: c.id(),
                method: measure.method(indicator.def()),
            }),
            Column::Custom(_) => query.weights.as_ref().map(|w| ColumnMethod {
                column: c.id(),
                method: custom_method(w),
            }),
            _ => None,
        })
        .collect();
    let n = |id: IndicatorId| frame.indicator(id).map_or(0, |i| i.n_ranked);
    for (f, text) in query.filters.iter().zip(&query.filter_text) {
        let method = match f {
            Filter::LeftBehind(rule) => LEFT_BEHIND_PAIR.method(
                *rule,
                n(LEFT_BEHIND_PAIR.need),
                n(LEFT_BEHIND_PAIR.deprivation),
            ),
            Filter::Bivariate(class) => format!("{}: {BIVARIATE_METHOD}", class.label()),
            Filter::Custom { .. }
                if !query.columns.iter().any(|c| matches!(c, Column::Custom(_))) =>
            {
                match &query.weights {
                    Some(w) => custom_method(w),
                    None => continue,
                }
            }
            _ => continue,
        };
        out.push(ColumnMethod {
            column: text.clone(),
            method,
        });
    }
    out
}

/// How the custom columns were made, in words: the index, the weights and the method.
pub fn custom_method(weights: &crate::reweight::Weights) -> String {
    format!(
        "the {} rebuilt from its domains with custom weights ({}): {}",
        weights.index.indicator().def().title,
        weights.describe(),
        weights.method_sentence()
    )
}

/// The CSV's first line: `# ` then the query, the row count, the sources and the methods, on one
/// line.
pub fn comment_line(frame: &TableFrame, query: &TableQuery, count: usize) -> String {
    let (title, noun) = if query.areas {
        ("Your areas", "areas")
    } else {
        (query.level.title(), query.level.areas_noun())
    };
    let mut s = format!(
        "# cnimap table ({}): {} of {} {}; query: {}; sources: {}",
        title,
        count,
        frame.len(),
        noun,
        query.to_query_string(),
        sources(query).join(" "),
    );
    let m = methods(frame, query);
    if !m.is_empty() {
        s.push_str("; methods: ");
        s.push_str(
            &m.iter()
                .map(|c| format!("{}: {}", c.column, c.method))
                .collect::<Vec<_>>()
                .join(" | "),
        );
    }
    s.replace(['\n', '\r'], " ")
}

/// A number as the CSVs write it: rounded to 6 decimals, no "-0".
pub(crate) fn number_text(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    // Avoid "-0".
    if r == 0.0 {
        "0".into()
    } else {
        r.to_string()
    }
}

/// Appends a CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The rows as CSV: the comment line, a header of column ids, one line per row (`\n` endings;
/// numbers rounded to 6 decimals; an empty field where an area has no value).
pub fn to_csv(
    frame: &TableFrame,
    custom: Option<&CustomValues>,
    query: &TableQuery,
    rows: &[u32],
) -> String {
    let mut out = comment_line(frame, query, rows.len());
    out.push('\n');
    let header: Vec<String> = query.columns.iter().map(Column::id).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for &i in rows {
        for (k, c) in query.columns.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            match cell(frame, custom, c, i as usize) {
                Cell::Text(t) => csv_field(&mut out, t),
                Cell::Whole(v) => out.push_str(&v.to_string()),
                Cell::Number(v) => out.push_str(&number_text(v)),
                Cell::Missing => {}
            }
        }
        out.push('\n');
    }
    out
}

/// The rows as the JSON response.
pub fn to_response(
    frame: &TableFrame,
    custom: Option<&CustomValues>,
    query: &TableQuery,
    rows: &[u32],
) -> TableResponse {
    TableResponse {
        level: query.level,
        query: query.to_query_string(),
        columns: query.columns.iter().map(Column::id).collect(),
        count: rows.len() as u32,
        of: frame.len() as u32,
        sources: sources(query),
        methods: methods(frame, query),
        rows: rows
            .iter()
            .map(|&i| {
                query
                    .columns
                    .iter()
                    .map(|c| match cell(frame, custom, c, i as usize) {
                        Cell::Text(t) => Some(TableCell::Text(t.to_string())),
                        Cell::Whole(v) => Some(TableCell::Whole(v)),
                        Cell::Number(v) => Some(TableCell::Number(v)),
                        Cell::Missing => None,
                    })
                    .collect()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NamedArea;
    use crate::level::Level;
    use crate::summary::summarise;
    use crate::table::frame::{FrameIndicator, ParentColumn};
    use crate::table::run::run;

    fn lads() -> TableFrame {
        let s = summarise(
            &[Some(0), Some(0), Some(1)],
            2,
            &[Some(1), Some(9), Some(5)],
            &[Some(1), Some(9), Some(5)],
            None,
        );
        TableFrame {
            level: Level::Lad24,
            codes: vec!["E06000001".into(), "E06000002".into()],
            names: vec!["Hartlepool".into(), "Bristol, City of".into()],
            parents: vec![ParentColumn {
                level: Level::Region,
                areas: vec![NamedArea {
                    code: "E12000001".into(),
                    name: "North East".into(),
                }],
                index: vec![Some(0), None],
            }],
            indicators: vec![FrameIndicator::summaries(IndicatorId::IMD2025, &s)],
        }
    }

    #[test]
    fn csv_has_one_comment_line_a_header_of_ids_and_quoted_names() {
        let f = lads();
        let q = TableQuery::parse(
            "lad24",
            &["imd2025.share_decile1,region.name"],
            &[],
            Some("imd2025.share_decile1"),
        )
        .expect("query");
        let rows = run(&f, None, &q).expect("rows");
        let csv = to_csv(&f, None, &q, &rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[0].starts_with("# cnimap table (Local authority (2024)): 2 of 2 local authorities; query: level=lad24&columns=imd2025.share_decile1,region.name&sort=imd2025.share_decile1:desc; sources: English Indices of Deprivation 2025"), "{}", lines[0]);
        assert!(
            lines[0].contains("methods: imd2025.share_decile1: Share of"),
            "{}",
            lines[0]
        );
        assert_eq!(lines[1], "code,name,imd2025.share_decile1,region.name");
        assert_eq!(lines[2], "E06000001,Hartlepool,0.5,North East");
        assert_eq!(lines[3], "E06000002,\"Bristol, City of\",0,");
    }

    #[test]
    fn json_rows_carry_typed_cells_and_nulls() {
        let f = lads();
        let q = TableQuery::parse(
            "lad24",
            &["imd2025.rank_of_average_rank,region.code"],
            &[],
            None,
        )
        .expect("query");
        let rows = run(&f, None, &q).expect("rows");
        let r = to_response(&f, None, &q, &rows);
        assert_eq!((r.count, r.of), (2, 2));
        assert_eq!(r.rows[0][2], Some(TableCell::Whole(1)));
        assert_eq!(r.rows[1][2], Some(TableCell::Whole(2)));
        assert_eq!(r.rows[1][3], None);
        let json = serde_json::to_string(&r).expect("json");
        let back: TableResponse = serde_json::from_str(&json).expect("back");
        assert_eq!(back, r);
    }
}
