//! The change map's facts, shared by the server, the build and the browser: the documents it
//! reads ([`ChangeDocument`], one path for `cnimap serve` and the static site), the classes of
//! deciles moved and their diverging colours ([`ShiftClass`]), the words of its legend, and the
//! left-behind wards' CSV ([`wards_csv`], the same columns from the browser, the API and the CLI).

use serde::{Deserialize, Serialize};

use crate::change::{
    ChangeCode, ChangeLayer, LeftBehindWard, ShiftCounts, LEFT_BEHIND_WARDS_METHOD,
};
use crate::colour::{Rgb, NO_DATA};

/// `GET /api/change/lsoa21/imd` (and the build's `api/change/lsoa21/imd.json`): the change layer
/// by feature index and, per IMD domain, each area's decile shift in that domain.
///
/// Written flat (the layer's fields and `domain_shifts` side by side); read back through
/// [`ChangeMapWire`], because serde's `flatten` cannot read the counts' integer map keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "ChangeMapWire")]
pub struct ChangeMapDocument {
    /// The overall change, by feature index.
    #[serde(flatten)]
    pub layer: ChangeLayer,
    /// Per domain (in `layer.domains` order), each area's decile shift in that domain (`null`
    /// when not comparable): where both editions publish the domain, which IMD 2019 and IMD 2025
    /// both do for all seven.
    pub domain_shifts: Vec<Vec<Option<i8>>>,
}

/// [`ChangeMapDocument`] as it is read: every field named (a test checks it reads back what is
/// written).
#[derive(Debug, Deserialize)]
pub struct ChangeMapWire {
    method: String,
    caveat: String,
    shift: Vec<Option<i8>>,
    decile_2019: Vec<Option<u8>>,
    decile_2025: Vec<u8>,
    change: Vec<ChangeCode>,
    driver: Vec<Option<u8>>,
    domains: Vec<String>,
    counts: ShiftCounts,
    domain_shifts: Vec<Vec<Option<i8>>>,
}

impl From<ChangeMapWire> for ChangeMapDocument {
    fn from(w: ChangeMapWire) -> ChangeMapDocument {
        ChangeMapDocument {
            layer: ChangeLayer {
                method: w.method,
                caveat: w.caveat,
                shift: w.shift,
                decile_2019: w.decile_2019,
                decile_2025: w.decile_2025,
                change: w.change,
                driver: w.driver,
                domains: w.domains,
                counts: w.counts,
            },
            domain_shifts: w.domain_shifts,
        }
    }
}

/// A whole document of the change view, written by `cnimap prepare` at `api/<path>.json` and
/// served by `cnimap serve` at `/api/<path>`: the same bytes from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeDocument {
    /// IMD 2019 -> 2025 on every LSOA 2021, arrays by feature index ([`ChangeMapDocument`]).
    ImdLayer,
    /// The 225 left-behind wards of 2019 in 2023 ([`crate::change::ChangeResponse::LeftBehindWards`]).
    LeftBehindWards,
    /// The 225 wards' outlines (GeoJSON; properties `code`, `name`, `lad`, `still`, `left_behind`,
    /// `lsoas`).
    WardOutlines,
}

impl ChangeDocument {
    /// Every change document.
    pub const ALL: [ChangeDocument; 3] = [
        ChangeDocument::ImdLayer,
        ChangeDocument::LeftBehindWards,
        ChangeDocument::WardOutlines,
    ];

    /// Its layer and name, the last two parts of its path.
    pub fn parts(self) -> (&'static str, &'static str) {
        match self {
            ChangeDocument::ImdLayer => ("lsoa21", "imd"),
            ChangeDocument::LeftBehindWards => ("ward17", "left-behind"),
            ChangeDocument::WardOutlines => ("ward17", "outlines"),
        }
    }

    /// Its path under `/api/` (`change/lsoa21/imd`).
    pub fn path(self) -> String {
        let (layer, which) = self.parts();
        format!("change/{layer}/{which}")
    }

    /// The document at `change/{layer}/{which}`, if any.
    pub fn from_parts(layer: &str, which: &str) -> Option<ChangeDocument> {
        ChangeDocument::ALL
            .into_iter()
            .find(|d| d.parts() == (layer, which))
    }

    /// Whether it is GeoJSON (MapLibre reads it) rather than plain JSON.
    pub fn is_geojson(self) -> bool {
        self == ChangeDocument::WardOutlines
    }
}

/// A class of the change map: how many deciles an area moved between IMD 2019 and IMD 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftClass {
    /// Three deciles or more towards the more deprived end.
    MuchMoreDeprived,
    /// Two deciles more deprived.
    TwoMoreDeprived,
    /// One decile more deprived.
    OneMoreDeprived,
    /// The same decile.
    Same,
    /// One decile less deprived.
    OneLessDeprived,
    /// Two deciles less deprived.
    TwoLessDeprived,
    /// Three deciles or more towards the less deprived end.
    MuchLessDeprived,
    /// No 2019 value to compare with (merged across deciles, redrawn, or no parent).
    NotComparable,
}

/// The change map's colours: ColorBrewer's diverging PuOr (Cynthia Brewer, colorbrewer2.org,
/// marked colour-blind safe there; checked with every simulated deficiency in
/// [`crate::colour_vision`]): orange towards more deprived, purple towards less deprived, near
/// white for the same decile.
const PU_OR: [Rgb; 7] = [
    Rgb(0xb3, 0x58, 0x06),
    Rgb(0xf1, 0xa3, 0x40),
    Rgb(0xfe, 0xe0, 0xb6),
    Rgb(0xf7, 0xf7, 0xf7),
    Rgb(0xd8, 0xda, 0xeb),
    Rgb(0x99, 0x8e, 0xc3),
    Rgb(0x54, 0x27, 0x88),
];

impl ShiftClass {
    /// Every class, more deprived first, not comparable last (the legend's order).
    pub const ALL: [ShiftClass; 8] = [
        ShiftClass::MuchMoreDeprived,
        ShiftClass::TwoMoreDeprived,
        ShiftClass::OneMoreDeprived,
        ShiftClass::Same,
        ShiftClass::OneLessDeprived,
        ShiftClass::TwoLessDeprived,
        ShiftClass::MuchLessDeprived,
        ShiftClass::NotComparable,
    ];

    /// The class of a decile shift (2025 minus 2019; `None`: not comparable).
    pub fn of(shift: Option<i8>) -> ShiftClass {
        match shift {
            None => ShiftClass::NotComparable,
            Some(s) if s <= -3 => ShiftClass::MuchMoreDeprived,
            Some(-2) => ShiftClass::TwoMoreDeprived,
            Some(-1) => ShiftClass::OneMoreDeprived,
            Some(0) => ShiftClass::Same,
            Some(1) => ShiftClass::OneLessDeprived,
            Some(2) => ShiftClass::TwoLessDeprived,
            Some(_) => ShiftClass::MuchLessDeprived,
        }
    }

    /// Its number in the map's feature state: 1..=8 in [`ShiftClass::ALL`] order (0 = no value).
    pub fn number(self) -> u8 {
        ShiftClass::ALL
            .iter()
            .position(|c| *c == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The class numbered `n` by [`ShiftClass::number`].
    pub fn from_number(n: u8) -> Option<ShiftClass> {
        ShiftClass::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// Its colour.
    pub fn colour(self) -> Rgb {
        match self {
            ShiftClass::NotComparable => NO_DATA,
            c => PU_OR[usize::from(c.number() - 1)],
        }
    }

    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            ShiftClass::MuchMoreDeprived => "3 or more deciles more deprived",
            ShiftClass::TwoMoreDeprived => "2 deciles more deprived",
            ShiftClass::OneMoreDeprived => "1 decile more deprived",
            ShiftClass::Same => "Same decile",
            ShiftClass::OneLessDeprived => "1 decile less deprived",
            ShiftClass::TwoLessDeprived => "2 deciles less deprived",
            ShiftClass::MuchLessDeprived => "3 or more deciles less deprived",
            ShiftClass::NotComparable => "Not comparable",
        }
    }
}

/// Areas per class, in [`ShiftClass::ALL`] order.
pub fn class_counts(shifts: &[Option<i8>]) -> [usize; 8] {
    let mut counts = [0; 8];
    for s in shifts {
        counts[usize::from(ShiftClass::of(*s).number() - 1)] += 1;
    }
    counts
}

/// The rule for areas whose boundaries changed, in plain words (the legend's; the full sentence
/// is [`crate::change::CHANGE_METHOD`]).
pub const BOUNDARY_RULE_WORDS: &str = "Most neighbourhoods kept their 2011 boundaries and are compared with their own 2019 decile. A neighbourhood split from a larger 2011 one is compared with that whole area's 2019 decile. Neighbourhoods merged from several 2011 ones are compared only when all of those shared a 2019 decile; the others, and those whose boundaries were redrawn, are grey: not comparable.";

/// The columns of the left-behind wards' CSV, everywhere it is written.
pub const WARDS_CSV_COLUMNS: [&str; 7] = [
    "ward17_code",
    "ward17_name",
    "lad17_name",
    "lsoa21_areas",
    "left_behind_lsoa21",
    "still_left_behind",
    "left_behind_lsoa21_codes",
];

/// Quotes a CSV field when it needs it (a comma, a quote or a line break).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The left-behind wards as CSV: a `#` line with the method, the header
/// ([`WARDS_CSV_COLUMNS`]), one row per ward (LSOA codes joined by `;`). The browser's download,
/// `GET /api/change?from=cni2019&to=cni2023&format=csv` and `cnimap change --from cni2019 --to
/// cni2023 --format csv` all write it with this function.
pub fn wards_csv(method: &str, wards: &[LeftBehindWard]) -> String {
    let mut out = String::with_capacity(wards.len() * 96 + method.len() + 160);
    out.push_str("# ");
    out.push_str(&method.replace(['\n', '\r'], " "));
    out.push('\n');
    out.push_str(&WARDS_CSV_COLUMNS.join(","));
    out.push('\n');
    for w in wards {
        let row = [
            csv_field(&w.code),
            csv_field(&w.name),
            csv_field(&w.lad),
            w.holding.lsoas.to_string(),
            w.holding.left_behind.to_string(),
            w.still_left_behind.to_string(),
            w.left_behind_lsoa21.join(";"),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The method of the ward list, for the panel and the legend ([`LEFT_BEHIND_WARDS_METHOD`]).
pub fn wards_method() -> &'static str {
    LEFT_BEHIND_WARDS_METHOD
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::WardHolding;

    #[test]
    fn every_document_has_one_path_and_is_found_from_it() {
        for d in ChangeDocument::ALL {
            let path = d.path();
            let parts: Vec<&str> = path.split('/').collect();
            assert_eq!(parts.len(), 3, "{path}");
            assert_eq!(parts[0], "change");
            assert_eq!(ChangeDocument::from_parts(parts[1], parts[2]), Some(d));
        }
        assert_eq!(ChangeDocument::ImdLayer.path(), "change/lsoa21/imd");
        assert_eq!(ChangeDocument::from_parts("lsoa11", "imd"), None);
    }

    #[test]
    fn shifts_fall_in_seven_classes_and_not_comparable_areas_in_an_eighth() {
        assert_eq!(ShiftClass::of(Some(-9)), ShiftClass::MuchMoreDeprived);
        assert_eq!(ShiftClass::of(Some(-3)), ShiftClass::MuchMoreDeprived);
        assert_eq!(ShiftClass::of(Some(-2)), ShiftClass::TwoMoreDeprived);
        assert_eq!(ShiftClass::of(Some(0)), ShiftClass::Same);
        assert_eq!(ShiftClass::of(Some(3)), ShiftClass::MuchLessDeprived);
        assert_eq!(ShiftClass::of(None), ShiftClass::NotComparable);
        for c in ShiftClass::ALL {
            assert_eq!(ShiftClass::from_number(c.number()), Some(c));
        }
        assert_eq!(ShiftClass::from_number(0), None);
        let counts = class_counts(&[Some(-4), Some(0), Some(0), None, Some(2)]);
        assert_eq!(counts, [1, 0, 0, 2, 0, 1, 0, 1]);
        assert_eq!(counts.iter().sum::<usize>(), 5);
    }

    #[test]
    fn the_scheme_diverges_from_a_light_middle() {
        let l: Vec<f64> = ShiftClass::ALL[..7]
            .iter()
            .map(|c| c.colour().relative_luminance())
            .collect();
        // Lightness rises to the middle class and falls away from it on both sides.
        assert!(l[0] < l[1] && l[1] < l[2] && l[2] < l[3], "{l:?}");
        assert!(l[3] > l[4] && l[4] > l[5] && l[5] > l[6], "{l:?}");
    }

    #[test]
    fn the_change_document_reads_back_what_is_written() {
        let doc = ChangeMapDocument {
            layer: ChangeLayer {
                method: "m".into(),
                caveat: "c".into(),
                shift: vec![Some(-5), None, Some(2)],
                decile_2019: vec![Some(7), None, Some(1)],
                decile_2025: vec![2, 4, 3],
                change: vec![
                    ChangeCode::Unchanged,
                    ChangeCode::Irregular,
                    ChangeCode::Split,
                ],
                driver: vec![Some(0), None, Some(1)],
                domains: vec!["income".into(), "health".into()],
                counts: ShiftCounts::count([Some(-5), None, Some(2)]),
            },
            domain_shifts: vec![vec![Some(-3), None, Some(0)], vec![Some(0), None, Some(4)]],
        };
        let json = serde_json::to_string(&doc).expect("written");
        assert!(
            json.contains("\"domain_shifts\"") && json.contains("\"-5\":1"),
            "{json}"
        );
        let back: ChangeMapDocument = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, doc);
    }

    #[test]
    fn the_wards_csv_has_the_method_the_columns_and_quoted_names() {
        let w = LeftBehindWard {
            code: "E05000001".into(),
            name: "Hill, North".into(),
            lad: "Somewhere".into(),
            holding: WardHolding {
                lsoas: 4,
                left_behind: 2,
            },
            still_left_behind: true,
            left_behind_lsoa21: vec!["E01000001".into(), "E01000002".into()],
        };
        let csv = wards_csv("one\nmethod", &[w]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "# one method");
        assert_eq!(lines[1], WARDS_CSV_COLUMNS.join(","));
        assert_eq!(
            lines[2],
            "E05000001,\"Hill, North\",Somewhere,4,2,true,E01000001;E01000002"
        );
    }
}
