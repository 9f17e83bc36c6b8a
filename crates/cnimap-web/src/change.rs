//! The change view's pure parts (issue 12): the map classes of deciles moved between IMD 2019 and
//! IMD 2025 from the change document, their fill expression, an area's change in words (the
//! tooltip, the screen-reader table and the area panel), the 2019 left-behind wards' outline
//! layers, and the CSV download link. Classes, colours, the rule and the CSV come from
//! [`cnimap_core::change_map`]; this module only arranges them for the page.

use cnimap_core::change::{shift_words, ChangeCode, RELATIVE_CAVEAT};
use cnimap_core::change_map::{ChangeMapDocument, ShiftClass};
use cnimap_core::colour::NO_DATA;
use cnimap_core::reweight::CompositeIndex;
use serde_json::{json, Value};

use crate::style::HIDDEN;

/// Feature-state key of the change class ([`ShiftClass::number`], 1..=8; 0 = no value).
pub const KEY_CHANGE: &str = "s";

/// The GeoJSON source of the 2019 left-behind wards' outlines.
pub const WARD_SOURCE: &str = "lbw2019";
/// The outline of wards that still hold left-behind neighbourhoods in 2023 (solid).
pub const WARD_LAYER_STILL: &str = "lbw2019-still";
/// The outline of wards that no longer do (dashed).
pub const WARD_LAYER_NOT: &str = "lbw2019-not";
/// The style layer the outlines are drawn below (names stay readable on top).
pub const WARD_LAYERS_BEFORE: &str = "lad24-labels";

/// The caveat shown with every change figure.
pub const CAVEAT: &str = RELATIVE_CAVEAT;

/// What the change view shows, under the tabs.
pub const VIEW_WORDS: &str = "How many deciles each neighbourhood moved between the Index of Multiple Deprivation 2019 and 2025, on 2021 boundaries. Ranks are relative: see the legend.";

/// The change legend in sentences (screen readers).
pub fn legend_sentence() -> String {
    format!(
        "The map shows how many deciles each neighbourhood moved between IMD 2019 and IMD 2025: orange towards the more deprived end, purple towards the less deprived end, near white for the same decile, grey where no comparison can be made. {} {CAVEAT}",
        cnimap_core::change_map::BOUNDARY_RULE_WORDS
    )
}

/// Change classes by feature index ([`ShiftClass::number`]).
pub fn shift_classes(doc: &ChangeMapDocument) -> Vec<u8> {
    doc.layer
        .shift
        .iter()
        .map(|s| ShiftClass::of(*s).number())
        .collect()
}

/// The fill colour expression of the change map, `hidden` class numbers transparent.
pub fn change_fill(hidden: &[u8]) -> Value {
    let mut expr = vec![json!("match"), json!(["feature-state", KEY_CHANGE])];
    for class in ShiftClass::ALL {
        let n = class.number();
        let colour = if hidden.contains(&n) {
            HIDDEN.to_string()
        } else {
            class.colour().to_hex()
        };
        expr.push(json!(n));
        expr.push(json!(colour));
    }
    expr.push(json!(NO_DATA.to_hex()));
    Value::Array(expr)
}

/// A digest of the document's shifts (FNV-1a), so the classes are set once per document.
pub fn digest(doc: &ChangeMapDocument) -> u64 {
    doc.layer
        .shift
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, s| {
            let v = s.map_or(0xff, |s| s as u8);
            (h ^ u64::from(v)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// How the 2019 decile of an area was found, or why there is none, from its ONS change code.
pub fn basis_words(code: ChangeCode, comparable: bool) -> &'static str {
    match (code, comparable) {
        (ChangeCode::Unchanged, true) => "its own 2019 decile (boundaries unchanged since 2011)",
        (ChangeCode::Split, true) => {
            "the 2019 decile of the larger 2011 area it was split from (that area was ranked as a whole)"
        }
        (ChangeCode::Merged, true) => "the 2019 decile all the 2011 areas merged into it shared",
        (ChangeCode::Merged, false) => {
            "not comparable: merged from 2011 areas that sat in different 2019 deciles"
        }
        (ChangeCode::Irregular, _) => "not comparable: its boundaries were redrawn across 2011 areas",
        (_, false) => "not comparable: no 2011 area with a 2019 value",
    }
}

/// One domain's move, for the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainMove {
    /// The domain's title ("Income").
    pub title: &'static str,
    /// Deciles moved in that domain (`None`: not comparable).
    pub shift: Option<i8>,
    /// Whether this domain drove the overall move.
    pub driver: bool,
}

/// An area's change, for the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaChange {
    /// IMD 2019 decile carried onto the area (`None`: not comparable).
    pub decile_2019: Option<u8>,
    /// IMD 2025 decile.
    pub decile_2025: u8,
    /// Deciles moved.
    pub shift: Option<i8>,
    /// Its ONS change code.
    pub code: ChangeCode,
    /// Each IMD domain's move, in the index's order.
    pub domains: Vec<DomainMove>,
}

impl AreaChange {
    /// The arrow line: "Decile 2 → decile 3 (1 decile less deprived)".
    pub fn arrow(&self) -> String {
        match (self.decile_2019, self.shift) {
            (Some(a), Some(s)) => format!(
                "Decile {a} (2019) → decile {} (2025): {}",
                self.decile_2025,
                shift_words(s)
            ),
            _ => format!(
                "Decile – (2019) → decile {} (2025): not comparable",
                self.decile_2025
            ),
        }
    }

    /// The title of the domain that drove the move, when one did.
    pub fn driver(&self) -> Option<&'static str> {
        self.domains.iter().find(|d| d.driver).map(|d| d.title)
    }
}

/// The title of an IMD domain by its key (`income` -> "Income").
pub fn domain_title(key: &str) -> &'static str {
    CompositeIndex::Imd2025
        .domains()
        .iter()
        .find(|d| d.key == key)
        .map_or("", |d| d.title)
}

/// Feature `index`'s change, `None` outside the document.
pub fn area_change(doc: &ChangeMapDocument, index: usize) -> Option<AreaChange> {
    let l = &doc.layer;
    let driver = l.driver.get(index).copied().flatten();
    Some(AreaChange {
        decile_2019: *l.decile_2019.get(index)?,
        decile_2025: *l.decile_2025.get(index)?,
        shift: *l.shift.get(index)?,
        code: *l.change.get(index)?,
        domains: l
            .domains
            .iter()
            .enumerate()
            .map(|(d, key)| DomainMove {
                title: domain_title(key),
                shift: doc
                    .domain_shifts
                    .get(d)
                    .and_then(|s| s.get(index))
                    .copied()
                    .flatten(),
                driver: driver == u8::try_from(d).ok(),
            })
            .collect(),
    })
}

/// Feature `index`'s change in one line, for the tooltip and the screen-reader table.
pub fn describe(doc: &ChangeMapDocument, index: usize) -> String {
    let Some(c) = area_change(doc, index) else {
        return "No value".to_string();
    };
    match c.shift {
        Some(_) => {
            let driver = c
                .driver()
                .map(|t| format!("; driven by {}", t.to_lowercase()))
                .unwrap_or_default();
            format!("IMD {}{driver}", c.arrow().to_lowercase())
        }
        None => format!(
            "IMD 2025 decile {}; 2019 {}",
            c.decile_2025,
            basis_words(c.code, false)
        ),
    }
}

/// The key that sorts the areas most moved towards deprivation first (screen-reader table).
pub fn sort_key(doc: &ChangeMapDocument, index: usize) -> u16 {
    match doc.layer.shift.get(index).copied().flatten() {
        Some(s) => u16::try_from(i16::from(s) + 20).unwrap_or(99),
        None => 99,
    }
}

/// The two line layers of the ward outlines: solid for wards that still hold left-behind
/// neighbourhoods in 2023, dashed for those that no longer do.
pub fn ward_layers() -> [Value; 2] {
    let width = json!(["interpolate", ["linear"], ["zoom"], 5, 1.2, 12, 3.0]);
    [
        json!({
            "id": WARD_LAYER_STILL, "type": "line", "source": WARD_SOURCE,
            "filter": ["==", ["get", "still"], true],
            "layout": { "line-join": "round", "visibility": "visible" },
            "paint": { "line-color": "#111111", "line-width": width }
        }),
        json!({
            "id": WARD_LAYER_NOT, "type": "line", "source": WARD_SOURCE,
            "filter": ["!=", ["get", "still"], true],
            "layout": { "line-join": "round", "visibility": "visible" },
            "paint": { "line-color": "#111111", "line-width": width, "line-dasharray": [2, 1.5] }
        }),
    ]
}

/// A `data:` URL holding `csv`, for a download link (`<a download>`): no object URL to revoke.
pub fn csv_data_url(csv: &str) -> String {
    format!(
        "data:text/csv;charset=utf-8,{}",
        crate::endpoints::encode(csv)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::change::{ChangeLayer, ShiftCounts};

    fn doc() -> ChangeMapDocument {
        ChangeMapDocument {
            layer: ChangeLayer {
                method: String::new(),
                caveat: String::new(),
                shift: vec![Some(-1), Some(0), None, Some(4)],
                decile_2019: vec![Some(3), Some(5), None, Some(2)],
                decile_2025: vec![2, 5, 1, 6],
                change: vec![
                    ChangeCode::Unchanged,
                    ChangeCode::Split,
                    ChangeCode::Irregular,
                    ChangeCode::Merged,
                ],
                driver: vec![Some(0), None, None, Some(1)],
                domains: vec!["income".into(), "employment".into()],
                counts: ShiftCounts::default(),
            },
            domain_shifts: vec![
                vec![Some(-2), Some(0), None, Some(1)],
                vec![Some(0), Some(0), None, Some(3)],
            ],
        }
    }

    #[test]
    fn classes_number_each_shift_and_grey_the_not_comparable() {
        assert_eq!(shift_classes(&doc()), vec![3, 4, 8, 7]);
        let fill = change_fill(&[4]);
        let items = fill.as_array().expect("match");
        assert_eq!(items[2 + 2 * 3 + 1], json!(HIDDEN), "class 4 hidden");
        assert_eq!(
            items[2 + 1],
            json!(ShiftClass::MuchMoreDeprived.colour().to_hex())
        );
    }

    #[test]
    fn an_area_says_both_editions_the_arrow_and_the_driving_domain() {
        let d = doc();
        let c = area_change(&d, 0).expect("area 0");
        assert_eq!(
            c.arrow(),
            "Decile 3 (2019) → decile 2 (2025): 1 decile more deprived"
        );
        assert_eq!(c.driver(), Some("Income"));
        assert_eq!(c.domains[0].shift, Some(-2));
        assert!(describe(&d, 0).contains("driven by income"));
        assert!(describe(&d, 2).contains("redrawn"), "{}", describe(&d, 2));
        assert_eq!(area_change(&d, 9), None);
        assert!(sort_key(&d, 0) < sort_key(&d, 1) && sort_key(&d, 1) < sort_key(&d, 2));
    }

    #[test]
    fn the_csv_link_carries_the_whole_text() {
        let url = csv_data_url("a,b\n1,\"x y\"\n");
        assert!(url.starts_with("data:text/csv;charset=utf-8,a%2Cb%0A"));
        assert!(!url.contains(' ') && !url.contains('\n'));
    }
}
