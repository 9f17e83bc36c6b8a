//! Bulk postcode lookup: a CSV in, the same CSV out with each row's neighbourhood and its indices
//! appended. Pure and streaming, so the same code runs in `cnimap lookup`, `POST /api/lookup` and
//! (later) a browser worker.
//!
//! - [`dialect`]: the delimiter, BOM and line ending read from the first bytes; the postcode column
//!   found by name; files that are not CSV (a workbook, UTF-16, binary) refused with a reason.
//! - [`augment()`]: the streaming pass: every input row written in order with its fields
//!   untouched, then the [`APPENDED_COLUMNS`].
//! - [`summary`]: the batch summary (rows per status, per IMD 2025 decile, left behind) and the
//!   method lines.
//!
//! What a postcode means is not decided here: a [`PostcodeLocator`] (the search index, which owns
//! postcode normalisation) says where the 2017 postcode file puts it, and an [`AreaTable`] (built
//! from the published files by the caller) holds each LSOA 2021's names, ranks and deciles.

pub mod augment;
pub mod dialect;
pub mod error;
pub mod summary;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};

pub use augment::{augment, LookupError, LookupRequest};
pub use summary::BatchSummary;

/// The columns appended to every row, in order, named as elsewhere in cnimap.
pub const APPENDED_COLUMNS: [&str; 13] = [
    "lsoa21.code",
    "lsoa21.name",
    "msoa.name",
    "ward24.name",
    "lad24.code",
    "lad24.name",
    "region.name",
    "imd2025.rank",
    "imd2025.decile",
    "cni2023.rank",
    "cni2023.decile",
    "left_behind",
    "status",
];

/// Where the 2017 postcode file puts one postcode, as a [`PostcodeLocator`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// An English postcode, with the LSOAs the file gives (2021, 2011; either may be missing).
    England {
        /// The LSOA 2021 code, when the file gives one.
        lsoa21: Option<String>,
        /// The LSOA 2011 code, when the file gives one.
        lsoa11: Option<String>,
    },
    /// In the file, but in Scotland, Wales or Northern Ireland.
    OutsideEngland,
    /// Well formed, but not in the file (newer than 2017, retired or mistyped).
    NotInFile,
    /// Not a full postcode.
    Malformed,
}

/// Says where a postcode is. The search index implements it, so postcodes are read (any case and
/// spacing) by the one normaliser cnimap has.
pub trait PostcodeLocator {
    /// Where `postcode` (the field as typed, already known to be UTF-8 and non-empty) is.
    fn locate(&self, postcode: &str) -> Located;
}

/// The outcome of one row, written in the `status` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Found, in England: every appended column is filled.
    Ok,
    /// In the postcode file, but in Scotland, Wales or Northern Ireland.
    NotInEngland,
    /// Well formed but missing from the 2017 postcode file.
    NotInFile,
    /// Not a full postcode (empty, wrong shape, not text).
    Malformed,
    /// The file places the postcode only in an LSOA 2011 that ONS split into several LSOA 2021s,
    /// so no single LSOA 2021 can be named (6 of the file's 1,442,785 English postcodes).
    Lsoa11Split,
}

impl Status {
    /// Every status, in the order summaries list them.
    pub const ALL: [Status; 5] = [
        Status::Ok,
        Status::NotInEngland,
        Status::NotInFile,
        Status::Malformed,
        Status::Lsoa11Split,
    ];

    /// The words written in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NotInEngland => "not in England",
            Status::NotInFile => "not in the 2017 postcode file",
            Status::Malformed => "malformed",
            Status::Lsoa11Split => "LSOA 2011 split: no single LSOA 2021",
        }
    }
}

/// A rank with the number of areas ranked and its decile (1 = the worst 10%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ranked {
    /// Rank, 1 = most deprived or highest need.
    pub rank: Option<u32>,
    /// Areas ranked.
    pub n: u32,
    /// Decile, 1 = the worst 10%.
    pub decile: Option<u8>,
}

/// Everything appended for one LSOA 2021.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AreaFacts {
    /// LSOA 2021 code (`E01021988`).
    pub lsoa21_code: String,
    /// LSOA 2021 name (`Tendring 018A`).
    pub lsoa21_name: String,
    /// House of Commons Library MSOA neighbourhood name, when known.
    pub msoa_name: String,
    /// Ward 2024 name.
    pub ward24_name: String,
    /// LAD 2024 code.
    pub lad24_code: String,
    /// LAD 2024 name.
    pub lad24_name: String,
    /// Region name.
    pub region_name: String,
    /// IMD 2025.
    pub imd2025: Ranked,
    /// Community Needs Index 2023.
    pub cni2023: Ranked,
    /// Left behind under the table's rule ([`LEFT_BEHIND_PAIR`]).
    pub left_behind: bool,
}

/// One LSOA 2021 in a [`LookupAreasDocument`]: code, name, MSOA name, ward 2024 name, LAD 2024
/// code and name, region name, then the IMD 2025 and CNI 2023 ranks and deciles (a JSON array, so
/// 33,755 rows do not repeat 13 field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaRow(
    pub String,
    pub String,
    pub String,
    pub String,
    pub String,
    pub String,
    pub String,
    pub [Option<u32>; 2],
    pub [Option<u8>; 2],
);

/// Everything a postcode lookup needs about the LSOAs, for the browser (`lookup/areas` in a
/// build): the areas, how many are ranked on IMD 2025 and CNI 2023, and each LSOA 2011's LSOA 2021
/// successor (`None`: ONS split it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupAreasDocument {
    /// Areas ranked: `[IMD 2025, CNI 2023]`.
    pub n: [u32; 2],
    /// Every LSOA 2021, in code order.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<(String, String, String, String, String, String, String, [Option<u32>; 2], [Option<u8>; 2])>)
    )]
    pub areas: Vec<AreaRow>,
    /// LSOA 2011 code and its one successor, or `None` for a split, in code order.
    pub successors: Vec<(String, Option<String>)>,
}

/// How an LSOA 2011 became LSOA 2021 areas, as far as a postcode lookup needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Successor {
    /// One LSOA 2021 (unchanged, merged, or redrawn into one).
    One(String),
    /// Several: ONS split it.
    Split,
}

/// The facts of every LSOA 2021 and the LSOA 2011 -> 2021 successors, under one left-behind rule.
#[derive(Debug, Clone)]
pub struct AreaTable {
    rule: LeftBehindRule,
    areas: HashMap<String, AreaFacts>,
    successors: HashMap<String, Successor>,
    n_need: u32,
    n_deprivation: u32,
}

impl AreaTable {
    /// An empty table flagging left-behind areas with `rule`.
    pub fn new(rule: LeftBehindRule) -> AreaTable {
        AreaTable {
            rule,
            areas: HashMap::new(),
            successors: HashMap::new(),
            n_need: 0,
            n_deprivation: 0,
        }
    }

    /// The left-behind rule.
    pub fn rule(&self) -> LeftBehindRule {
        self.rule
    }

    /// LSOA 2021 areas held.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether no area is held.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Adds an LSOA 2021; its `left_behind` is set here from its CNI 2023 and IMD 2025 ranks with
    /// the table's rule (whatever the caller passed).
    pub fn insert(&mut self, mut facts: AreaFacts) {
        facts.left_behind = LEFT_BEHIND_PAIR.is_left_behind(
            self.rule,
            (facts.cni2023.rank, facts.cni2023.n),
            (facts.imd2025.rank, facts.imd2025.n),
        );
        self.n_need = self.n_need.max(facts.cni2023.n);
        self.n_deprivation = self.n_deprivation.max(facts.imd2025.n);
        self.areas.insert(facts.lsoa21_code.clone(), facts);
    }

    /// Records one row of the ONS LSOA 2011 -> 2021 lookup; an LSOA 2011 given two different
    /// successors is split.
    pub fn add_successor(&mut self, lsoa11: &str, lsoa21: &str) {
        let entry = self
            .successors
            .entry(lsoa11.to_string())
            .or_insert_with(|| Successor::One(lsoa21.to_string()));
        if matches!(entry, Successor::One(existing) if existing != lsoa21) {
            *entry = Successor::Split;
        }
    }

    /// The facts of an LSOA 2021.
    pub fn area(&self, lsoa21: &str) -> Option<&AreaFacts> {
        self.areas.get(lsoa21)
    }

    /// The status of a located postcode and, when found, its area.
    pub fn resolve(&self, located: &Located) -> (Status, Option<&AreaFacts>) {
        match located {
            Located::England { lsoa21, lsoa11 } => {
                if let Some(facts) = lsoa21.as_deref().and_then(|c| self.areas.get(c)) {
                    return (Status::Ok, Some(facts));
                }
                match lsoa11.as_deref().and_then(|c| self.successors.get(c)) {
                    Some(Successor::One(code)) => match self.areas.get(code) {
                        Some(facts) => (Status::Ok, Some(facts)),
                        None => (Status::NotInEngland, None),
                    },
                    Some(Successor::Split) => (Status::Lsoa11Split, None),
                    // An LSOA code no English table knows: not an English neighbourhood.
                    None => (Status::NotInEngland, None),
                }
            }
            Located::OutsideEngland => (Status::NotInEngland, None),
            Located::NotInFile => (Status::NotInFile, None),
            Located::Malformed => (Status::Malformed, None),
        }
    }

    /// The table as a document a browser can build it back from ([`AreaTable::from_document`]):
    /// what `cnimap prepare` writes so that a static site looks postcodes up with no server.
    /// Rows are in code order, so the bytes do not depend on hash order.
    pub fn to_document(&self) -> LookupAreasDocument {
        let mut areas: Vec<AreaRow> = self
            .areas
            .values()
            .map(|f| {
                AreaRow(
                    f.lsoa21_code.clone(),
                    f.lsoa21_name.clone(),
                    f.msoa_name.clone(),
                    f.ward24_name.clone(),
                    f.lad24_code.clone(),
                    f.lad24_name.clone(),
                    f.region_name.clone(),
                    [f.imd2025.rank, f.cni2023.rank],
                    [f.imd2025.decile, f.cni2023.decile],
                )
            })
            .collect();
        areas.sort_by(|a, b| a.0.cmp(&b.0));
        let mut successors: Vec<(String, Option<String>)> = self
            .successors
            .iter()
            .map(|(old, s)| {
                let new = match s {
                    Successor::One(code) => Some(code.clone()),
                    Successor::Split => None,
                };
                (old.clone(), new)
            })
            .collect();
        successors.sort();
        LookupAreasDocument {
            n: [self.n_deprivation, self.n_need],
            areas,
            successors,
        }
    }

    /// Builds the table back from [`AreaTable::to_document`]'s document, flagging left-behind
    /// areas with `rule`.
    pub fn from_document(doc: &LookupAreasDocument, rule: LeftBehindRule) -> AreaTable {
        let mut table = AreaTable::new(rule);
        let [n_imd, n_cni] = doc.n;
        for a in &doc.areas {
            table.insert(AreaFacts {
                lsoa21_code: a.0.clone(),
                lsoa21_name: a.1.clone(),
                msoa_name: a.2.clone(),
                ward24_name: a.3.clone(),
                lad24_code: a.4.clone(),
                lad24_name: a.5.clone(),
                region_name: a.6.clone(),
                imd2025: Ranked {
                    rank: a.7[0],
                    n: n_imd,
                    decile: a.8[0],
                },
                cni2023: Ranked {
                    rank: a.7[1],
                    n: n_cni,
                    decile: a.8[1],
                },
                left_behind: false,
            });
        }
        for (old, new) in &doc.successors {
            table.successors.insert(
                old.clone(),
                match new {
                    Some(code) => Successor::One(code.clone()),
                    None => Successor::Split,
                },
            );
        }
        table
    }

    /// The method lines every batch summary carries: the postcode file, the LSOA 2011 -> 2021
    /// rule for split areas, deciles and the left-behind rule.
    pub fn method(&self) -> Vec<String> {
        vec![
            "Postcodes are read in any case and spacing and looked up in the ONS postcode file of \
             2017: a postcode newer than 2017 is not in it (status \"not in the 2017 postcode \
             file\"); one in Scotland, Wales or Northern Ireland has no English neighbourhood \
             (\"not in England\")."
                .to_string(),
            "The 2017 file places each English postcode in an LSOA 2021. The few it places only in \
             an LSOA 2011 are moved to LSOA 2021 with the ONS LSOA 2011 -> 2021 lookup: an \
             unchanged, merged or redrawn LSOA has one successor, which is used; one ONS split has \
             several, and choosing among them would need the postcode's exact place in the 2021 \
             outlines, so the row is given status \"LSOA 2011 split: no single LSOA 2021\" with the \
             area columns blank."
                .to_string(),
            "IMD 2025 ranks and deciles as published by MHCLG; CNI 2023 deciles derived from its \
             ranks with MHCLG's rule, decile = ceil(10 x rank / n). Rank 1 is the most deprived or \
             highest-need LSOA."
                .to_string(),
            format!(
                "left_behind: {}",
                LEFT_BEHIND_PAIR.method(self.rule, self.n_need, self.n_deprivation)
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(code: &str, cni: u32, imd: u32) -> AreaFacts {
        AreaFacts {
            lsoa21_code: code.into(),
            cni2023: Ranked {
                rank: Some(cni),
                n: 100,
                decile: None,
            },
            imd2025: Ranked {
                rank: Some(imd),
                n: 100,
                decile: None,
            },
            ..AreaFacts::default()
        }
    }

    #[test]
    fn the_document_builds_the_same_table_back() {
        let t = table();
        let doc = t.to_document();
        assert_eq!(doc.areas.len(), 3);
        assert_eq!(doc.successors.len(), 4);
        assert_eq!(
            doc.successors[1],
            ("E01900002".to_string(), None),
            "a split"
        );
        let json = serde_json::to_string(&doc).expect("json");
        let back: LookupAreasDocument = serde_json::from_str(&json).expect("parse");
        let rebuilt = AreaTable::from_document(&back, t.rule());
        assert_eq!(rebuilt.areas, t.areas);
        assert_eq!(rebuilt.successors, t.successors);
        assert_eq!(
            (rebuilt.n_need, rebuilt.n_deprivation),
            (t.n_need, t.n_deprivation)
        );
        // Left-behind follows the rule given, not the one the document was made under.
        let wider = AreaTable::from_document(&back, LeftBehindRule::new(20).expect("valid"));
        let flagged = |t: &AreaTable| t.areas.values().filter(|a| a.left_behind).count();
        assert_eq!(flagged(&t), 1);
        assert_eq!(flagged(&wider), 2);
    }

    fn table() -> AreaTable {
        let mut t = AreaTable::new(LeftBehindRule::new(10).expect("valid"));
        t.insert(facts("E01000001", 5, 9));
        t.insert(facts("E01000002", 5, 11));
        t.insert(facts("E01000003", 50, 50));
        t.add_successor("E01900001", "E01000001");
        t.add_successor("E01900002", "E01000002");
        t.add_successor("E01900002", "E01000003");
        t.add_successor("E01900003", "E01000003");
        t.add_successor("E01900004", "E01000003");
        t
    }

    #[test]
    fn left_behind_is_set_by_the_tables_rule_not_the_caller() {
        let t = table();
        assert!(t.area("E01000001").is_some_and(|a| a.left_behind));
        assert!(t.area("E01000002").is_some_and(|a| !a.left_behind));
    }

    #[test]
    fn an_lsoa11_only_postcode_takes_its_one_successor_and_a_split_one_is_said_to_be_split() {
        let t = table();
        let only11 = |c: &str| Located::England {
            lsoa21: None,
            lsoa11: Some(c.into()),
        };
        let (s, f) = t.resolve(&only11("E01900001"));
        assert_eq!(
            (s, f.map(|f| f.lsoa21_code.as_str())),
            (Status::Ok, Some("E01000001"))
        );
        assert_eq!(t.resolve(&only11("E01900002")).0, Status::Lsoa11Split);
        // Merged: two 2011 areas into one 2021 area is still one successor each.
        assert_eq!(t.resolve(&only11("E01900004")).0, Status::Ok);
        assert_eq!(t.resolve(&only11("W01000001")).0, Status::NotInEngland);
    }

    #[test]
    fn the_file_lsoa21_wins_over_the_lookup() {
        let t = table();
        let located = Located::England {
            lsoa21: Some("E01000003".into()),
            lsoa11: Some("E01900001".into()),
        };
        assert_eq!(
            t.resolve(&located).1.map(|f| f.lsoa21_code.as_str()),
            Some("E01000003")
        );
    }

    #[test]
    fn every_status_has_distinct_words() {
        let words: std::collections::HashSet<_> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(words.len(), Status::ALL.len());
    }
}
