//! The name and code index: everything is sorted at load so that a query only binary-searches and
//! scans short ranges.
//!
//! Match tiers, best first:
//! 0. exact: the normalised name (or the code) equals the query;
//! 1. prefix: the name (or the code) starts with the query;
//! 2. word prefix: every query word starts some word of the name (`"jaywick"` in "West Clacton &
//!    Jaywick Sands", `"osyth jay"` in "Jaywick & St Osyth");
//! 3. fuzzy: every query word is within a few typos of a word of the name or of its beginning
//!    (`"jaywik"`, `"tendrng"`).
//!
//! Within a tier hits are ordered by typo cost, then by kind (local authority, neighbourhood, ward,
//! parish, LSOA), then places with coordinates, shorter names, and finally name and code, so the
//! order never depends on hashing or on the file's row order.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::fuzzy::{tolerance, Pattern};
use crate::gazetteer::{importance, Place};

/// Tier of a match (lower is better).
pub(crate) type Tier = u8;

/// Exact name or code.
pub(crate) const EXACT: Tier = 0;
/// Name or code starts with the query.
pub(crate) const PREFIX: Tier = 1;
/// Every query word starts a word of the name.
pub(crate) const WORD_PREFIX: Tier = 2;
/// Every query word is within its typo tolerance of a word of the name.
pub(crate) const FUZZY: Tier = 3;

/// A hasher for place indices (small integers): one multiplication instead of SipHash, which
/// matters when a common word matches thousands of places. Not for untrusted keys; place indices
/// come from the index itself.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Best (tier, cost) found so far per place.
type Found = HashMap<u32, (Tier, u32), BuildHasherDefault<IdHasher>>;

/// One place matched by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameMatch {
    /// Index of the place.
    pub place: u32,
    /// Tier.
    pub tier: Tier,
    /// Typo cost within the tier (0 outside the fuzzy tier).
    pub cost: u32,
}

/// The sorted structures built from the places at load.
pub(crate) struct NameIndex {
    /// Place indices sorted by normalised name.
    by_norm: Vec<u32>,
    /// Per place: its position when all places are sorted by name and code (the final tie-break).
    tie: Vec<u32>,
    /// Per place: kind importance (0 = most important).
    importance: Vec<u8>,
    /// Per place: whether it has coordinates.
    has_point: Vec<bool>,
    /// Distinct words of all normalised names, sorted.
    vocab: Vec<Box<str>>,
    /// Per vocabulary word: the places whose name contains it, ascending.
    postings: Vec<Vec<u32>>,
    /// Per vocabulary word: the set of characters it contains (see [`letter_mask`]).
    letters: Vec<u64>,
    /// `mass[i]` = total length of `postings[..i]`, to size a prefix range in O(1).
    mass: Vec<u64>,
    /// Upper-case codes with their place, sorted.
    codes: Vec<(Box<str>, u32)>,
}

/// The half-open range of indices `0..len` whose key starts with `prefix`; `key(i)` must be sorted.
fn prefix_range<'k>(
    len: usize,
    prefix: &str,
    key: impl Fn(usize) -> &'k str,
) -> std::ops::Range<usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if key(mid) < prefix {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let start = lo;
    hi = len;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if key(mid).starts_with(prefix) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    start..lo
}

/// The typo cost of query word `pattern` against name word `word`, or `None` if too far: 0 when
/// the word starts with the query word, `2d` for a whole word `d` typos away, `2d + 1` for a
/// beginning of the word `d` typos away.
fn word_cost(query_word: &str, pattern: &Pattern, word: &str) -> Option<u32> {
    if word.starts_with(query_word) {
        return Some(0);
    }
    let k = tolerance(pattern.len());
    if k == 0 || word.len() + (k as usize) < pattern.len() {
        return None;
    }
    let d = pattern.distance(word.as_bytes());
    if d.whole <= k {
        Some(2 * d.whole)
    } else if d.prefix <= k {
        Some(2 * d.prefix + 1)
    } else {
        None
    }
}

/// A query word with its prepared pattern.
struct QueryWord<'q> {
    text: &'q str,
    pattern: Option<Pattern>,
}

impl QueryWord<'_> {
    /// Cheapest cost of this query word against any word of `norm`; `fuzzy` allows typos.
    fn best_cost(&self, norm: &str, fuzzy: bool) -> Option<u32> {
        let mut best: Option<u32> = None;
        for word in norm.split(' ') {
            let cost = if word.starts_with(self.text) {
                Some(0)
            } else if fuzzy {
                self.pattern
                    .as_ref()
                    .and_then(|p| word_cost(self.text, p, word))
            } else {
                None
            };
            if let Some(c) = cost {
                if c == 0 {
                    return Some(0);
                }
                best = Some(best.map_or(c, |b| b.min(c)));
            }
        }
        best
    }
}

impl NameIndex {
    /// Builds the index over `places`.
    pub fn build(places: &[Place]) -> NameIndex {
        let n = places.len();
        let ids = || 0..n as u32;
        let mut by_norm: Vec<u32> = ids().collect();
        by_norm.sort_by(|&a, &b| {
            places[a as usize]
                .norm
                .cmp(&places[b as usize].norm)
                .then(a.cmp(&b))
        });

        let mut by_name: Vec<u32> = ids().collect();
        by_name.sort_by(|&a, &b| {
            let (pa, pb) = (&places[a as usize], &places[b as usize]);
            pa.name
                .cmp(&pb.name)
                .then_with(|| pa.code.cmp(&pb.code))
                .then(a.cmp(&b))
        });
        let mut tie = vec![0u32; n];
        for (pos, &id) in by_name.iter().enumerate() {
            tie[id as usize] = pos as u32;
        }

        let mut words: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (id, place) in places.iter().enumerate() {
            for word in place.norm.split(' ').filter(|w| !w.is_empty()) {
                let list = words.entry(word).or_default();
                if list.last() != Some(&(id as u32)) {
                    list.push(id as u32);
                }
            }
        }
        let mut vocab = Vec::with_capacity(words.len());
        let mut postings = Vec::with_capacity(words.len());
        let mut mass = Vec::with_capacity(words.len() + 1);
        let mut total = 0u64;
        mass.push(0);
        for (word, list) in words {
            total += list.len() as u64;
            mass.push(total);
            vocab.push(Box::from(word));
            postings.push(list);
        }

        let mut codes: Vec<(Box<str>, u32)> = places
            .iter()
            .enumerate()
            .map(|(id, p)| (Box::from(p.code.to_ascii_uppercase()), id as u32))
            .collect();
        codes.sort();

        let letters = vocab.iter().map(|w| letter_mask(w)).collect();
        NameIndex {
            letters,
            by_norm,
            tie,
            importance: places.iter().map(|p| importance(p.kind)).collect(),
            has_point: places.iter().map(|p| p.point_wgs84.is_some()).collect(),
            vocab,
            postings,
            mass,
            codes,
        }
    }

    /// Number of distinct words in all names.
    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }

    /// The best `limit` places for a normalised query, best first.
    pub fn search(&self, places: &[Place], query: &str, limit: usize) -> Vec<NameMatch> {
        let mut found = Found::default();
        fn note(found: &mut Found, place: u32, tier: Tier, cost: u32) {
            let slot = found.entry(place).or_insert((tier, cost));
            if (tier, cost) < *slot {
                *slot = (tier, cost);
            }
        }
        if query.is_empty() {
            return Vec::new();
        }

        // Codes: "E01021988", "e0102198".
        if looks_like_code(query) {
            let upper = query.to_ascii_uppercase();
            let range = prefix_range(self.codes.len(), &upper, |i| &self.codes[i].0);
            for (code, place) in self.codes[range].iter().take(limit.max(8)) {
                let tier = if **code == *upper { EXACT } else { PREFIX };
                note(&mut found, *place, tier, 0);
            }
        }

        // Tiers 0 and 1: the whole name.
        let range = prefix_range(self.by_norm.len(), query, |i| {
            places[self.by_norm[i] as usize].norm.as_str()
        });
        for &place in &self.by_norm[range] {
            let tier = if places[place as usize].norm == query {
                EXACT
            } else {
                PREFIX
            };
            note(&mut found, place, tier, 0);
        }

        // A repeated query word adds nothing (matches need not be distinct words).
        let mut texts: Vec<&str> = Vec::new();
        for text in query.split(' ') {
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        let words: Vec<QueryWord> = texts
            .into_iter()
            .map(|text| QueryWord {
                text,
                pattern: Pattern::new(text.as_bytes()),
            })
            .collect();

        // Tier 2: every query word starts a word of the name. Start from the word with the
        // fewest candidate places, check the others on each candidate.
        if found.len() < limit {
            let pivot = (0..words.len())
                .min_by_key(|&i| {
                    let r = prefix_range(self.vocab.len(), words[i].text, |j| &self.vocab[j]);
                    self.mass[r.end] - self.mass[r.start]
                })
                .unwrap_or(0);
            let range = prefix_range(self.vocab.len(), words[pivot].text, |j| &self.vocab[j]);
            for list in &self.postings[range] {
                for &place in list {
                    if found.contains_key(&place) {
                        continue;
                    }
                    let norm = &places[place as usize].norm;
                    let all = words
                        .iter()
                        .enumerate()
                        .all(|(i, w)| i == pivot || w.best_cost(norm, false).is_some());
                    if all {
                        note(&mut found, place, WORD_PREFIX, 0);
                    }
                }
            }
        }

        // Tier 3: typos. Scan the vocabulary with the longest query word, check the others on
        // each candidate.
        if found.len() < limit && words.iter().any(|w| tolerance(w.text.len()) > 0) {
            let pivot = (0..words.len())
                .max_by_key(|&i| (words[i].text.len(), std::cmp::Reverse(i)))
                .unwrap_or(0);
            if let Some(pattern) = &words[pivot].pattern {
                let k = tolerance(pattern.len());
                let wanted = letter_mask(words[pivot].text);
                for ((word, list), &has) in self.vocab.iter().zip(&self.postings).zip(&self.letters)
                {
                    // Each character of the query word missing from the word costs an edit.
                    if (wanted & !has).count_ones() > k {
                        continue;
                    }
                    let Some(pivot_cost) = word_cost(words[pivot].text, pattern, word) else {
                        continue;
                    };
                    for &place in list {
                        if found.get(&place).is_some_and(|&(t, _)| t < FUZZY) {
                            continue;
                        }
                        let norm = &places[place as usize].norm;
                        let mut cost = pivot_cost;
                        let mut all = true;
                        for (i, w) in words.iter().enumerate() {
                            if i == pivot {
                                continue;
                            }
                            match w.best_cost(norm, true) {
                                Some(c) => cost += c,
                                None => {
                                    all = false;
                                    break;
                                }
                            }
                        }
                        if all {
                            note(&mut found, place, FUZZY, cost);
                        }
                    }
                }
            }
        }

        let mut ranked: Vec<(u64, NameMatch)> = found
            .into_iter()
            .map(|(place, (tier, cost))| {
                let m = NameMatch { place, tier, cost };
                (self.sort_key(places, m), m)
            })
            .collect();
        if ranked.len() > limit {
            ranked.select_nth_unstable_by_key(limit - 1, |r| r.0);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by_key(|r| r.0);
        ranked.into_iter().map(|r| r.1).collect()
    }

    /// One integer that orders matches: tier, cost, importance, coordinates, name length, then the
    /// name-and-code position (unique per place, so the order is total).
    fn sort_key(&self, places: &[Place], m: NameMatch) -> u64 {
        let p = m.place as usize;
        let len = places[p].norm.len().min(255) as u64;
        (u64::from(m.tier) << 60)
            | (u64::from(m.cost.min(255)) << 52)
            | (u64::from(self.importance[p]) << 48)
            | (u64::from(!self.has_point[p]) << 47)
            | (len << 39)
            | u64::from(self.tie[p])
    }
}

/// The set of characters in `word` as bits: `a`-`z` and `0`-`9` one bit each, anything else bit
/// 63. A word within `k` edits of (a prefix of) another lacks at most `k` of its characters.
fn letter_mask(word: &str) -> u64 {
    word.bytes().fold(0u64, |mask, b| {
        mask | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << (26 + b - b'0'),
            _ => 1 << 63,
        }
    })
}

/// Whether a normalised query could be (the start of) an ONS code: one letter then at least three
/// digits (`e01021988`, `e0500`).
fn looks_like_code(query: &str) -> bool {
    let b = query.as_bytes();
    b.len() >= 4 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
}
