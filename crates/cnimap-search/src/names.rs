//! The name and code index: everything is sorted at load so that a query only binary-searches,
//! scans the vocabulary once or twice and scores short candidate lists.
//!
//! Every place has one or more *entries*: its normalised name, the short names derived for it
//! ([`crate::short_names`]), and each of those without the word "and" and with "st" spelled
//! "saint", when it has them. A query matches an entry in two ways, and the better one counts:
//! - word by word: each query word is a whole word of the entry, the beginning of one (a word
//!   still being typed), or either of those within a few typos;
//! - squashed: the query with its spaces taken out against the entry's words run together, so
//!   that "Clacton on Sea", "clactononsea" and "Black pool" all find their place.
//!
//! Typos are counted as Damerau-Levenshtein edits ([`crate::fuzzy`]): a query may spend one edit
//! from five letters and two from nine ([`query_budget`]), in any of its words, each word taking
//! no more than [`word_cap`].
//!
//! Ranking, best first: fewer edits; then the shape of the match ([`Class`]: the whole name, the
//! name's first words, whole words anywhere, the name's beginning, beginnings of words); then the
//! bigger kind of place (local authority, town or village, neighbourhood, ward, parish, LSOA); then
//! the bigger place of that kind (more postcodes around it); then places with coordinates, shorter
//! names, and finally name and code, so the order never depends on hashing or on the file's row
//! order.
//!
//! Measured on the real data by `examples/recall` (seeded queries made from the gazetteer): see
//! BENCHMARKS.md for recall by kind and name length, and latency.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use cnimap_core::api::HitKind;

use crate::fuzzy::{query_budget, word_cap, Column, Pattern};
use crate::gazetteer::{importance, Place};

/// The shape of a match, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// The whole name: every word, in order, or the squashed name ("clacton on sea").
    Full,
    /// The name's first words, whole ("clacton" in "Clacton North").
    Leading,
    /// Every query word is a whole word of the name ("hull" in "Kingston upon Hull").
    Whole,
    /// The name's beginning, the last word still being typed ("hullb" in "Hullbridge").
    LeadingPartial,
    /// Every query word begins some word of the name ("osyth jay" in "Jaywick & St Osyth").
    Partial,
}

/// How well an entry matches a query: fewer edits first, then the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Score {
    /// Typos (Damerau-Levenshtein edits).
    pub edits: u32,
    /// Shape of the match.
    pub class: Class,
}

/// A hasher for entry and place indices (small integers): one multiplication instead of SipHash,
/// which matters when a common word matches thousands of entries. Not for untrusted keys; indices
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

type IdBuild = BuildHasherDefault<IdHasher>;

/// One place matched by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameMatch {
    /// Index of the place.
    pub place: u32,
    /// How well it matched.
    pub score: Score,
}

/// Sorted keys (words, or squashed names) with the entries holding each, laid out flat: the keys
/// one after another in one string, the entries of all keys in one array, so that walking them in
/// order reads memory in order.
#[derive(Default)]
struct Vocabulary {
    /// The keys, sorted, run together.
    text: String,
    /// Key `i` is `text[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    /// The entries holding each key, ascending per key, key after key.
    entries: Vec<u32>,
    /// Key `i`'s entries are `entries[mass[i]..mass[i + 1]]`; so `mass` also sizes a range of
    /// keys in O(1).
    mass: Vec<u32>,
    /// `shared[i]` = bytes key `i` shares with key `i - 1` at its start (0 for the first key,
    /// at most 255): the trie's shape, for [`Vocabulary::within`].
    shared: Vec<u8>,
    /// The smallest `shared` of each block of [`BLOCK`] keys, to skip a long branch in strides.
    block_min: Vec<u8>,
}

/// Keys per block of [`Vocabulary::block_min`].
const BLOCK: usize = 64;

impl Vocabulary {
    fn build<'a>(pairs: impl Iterator<Item = (&'a str, u32)>) -> Vocabulary {
        let mut map: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (key, entry) in pairs {
            let list = map.entry(key).or_default();
            if list.last() != Some(&entry) {
                list.push(entry);
            }
        }
        let mut v = Vocabulary {
            starts: vec![0],
            mass: vec![0],
            ..Vocabulary::default()
        };
        let mut prev = "";
        for (key, list) in map {
            let shared = prev
                .bytes()
                .zip(key.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            v.shared.push(shared.min(255) as u8);
            v.text.push_str(key);
            v.starts.push(v.text.len() as u32);
            v.entries.extend_from_slice(&list);
            v.mass.push(v.entries.len() as u32);
            prev = key;
        }
        v.block_min = v
            .shared
            .chunks(BLOCK)
            .map(|c| c.iter().copied().min().unwrap_or(0))
            .collect();
        v
    }

    /// The first key after `i` sharing fewer than `depth` bytes with the key before it: the end of
    /// the branch that key `i` starts at `depth`.
    fn branch_end(&self, i: usize, depth: usize) -> usize {
        let n = self.len();
        let inside = |j: usize| usize::from(self.shared[j]) >= depth;
        let mut j = i + 1;
        // To the end of this block, then whole blocks, then within the last block.
        while j < n && !j.is_multiple_of(BLOCK) {
            if !inside(j) {
                return j;
            }
            j += 1;
        }
        while j < n && usize::from(self.block_min[j / BLOCK]) >= depth {
            j += BLOCK;
        }
        while j < n && inside(j) {
            j += 1;
        }
        j.min(n)
    }

    /// Number of keys.
    fn len(&self) -> usize {
        self.shared.len()
    }

    /// Key `i`.
    fn key(&self, i: usize) -> &str {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// The entries of the keys in `range`, key after key.
    fn entries_of(&self, range: Range<usize>) -> &[u32] {
        &self.entries[self.mass[range.start] as usize..self.mass[range.end] as usize]
    }

    fn prefix_range(&self, prefix: &str) -> Range<usize> {
        prefix_range(self.len(), prefix, |i| self.key(i))
    }

    /// Total entries of the keys starting with `prefix`.
    fn exact(&self, key: &str) -> Option<&[u32]> {
        let r = self.prefix_range(key);
        (!r.is_empty() && self.key(r.start) == key).then(|| self.entries_of(r.start..r.start + 1))
    }

    /// Calls `each` with the postings of every key whose beginning (or whole) is within `k`
    /// edits of `pattern`.
    ///
    /// The sorted keys are walked as a trie: the distance columns of the bytes a key shares with
    /// the previous one are kept, a branch whose column minimum exceeds `k` is skipped whole
    /// (Ukkonen's cut-off), and a branch that already holds a beginning within `k` is taken
    /// whole. A query word so visits a few hundred trie nodes, not every key.
    ///
    /// With `beginnings` false only whole keys count: a key is in when its whole distance is
    /// within `k`.
    fn within<'s>(
        &'s self,
        pattern: &Pattern,
        k: u32,
        beginnings: bool,
        mut each: impl FnMut(&'s [u32]),
    ) {
        let text = self.text.as_bytes();
        // `columns[d]` is the column after the first `d` bytes of the key being read; the keys
        // read before it share `path_len` of them.
        let mut columns: Vec<Column> = vec![pattern.start()];
        let mut path_len = 0;
        let mut i = 0;
        while i < self.len() {
            let key = &text[self.starts[i] as usize..self.starts[i + 1] as usize];
            // The previous key read shares these bytes with this one (whether it was read to its
            // end or cut short, every key skipped since shared them too).
            path_len = path_len.min(usize::from(self.shared[i]));
            columns.truncate(path_len + 1);
            let mut next = i + 1;
            while path_len < key.len() {
                let col = pattern.step(columns[path_len], key[path_len]);
                path_len += 1;
                columns.push(col);
                let take = beginnings && col.best <= k;
                if path_len == key.len() && !take && col.score <= k {
                    // The whole key is close enough; longer keys after it are read next.
                    each(self.entries_of(i..i + 1));
                }
                if take || !pattern.column_within(&col, k) {
                    // Every key in this branch (the keys that follow sharing `path_len` bytes or
                    // more) is in, a beginning being close enough, or out.
                    next = self.branch_end(i, path_len);
                    if take {
                        each(self.entries_of(i..next));
                    }
                    break;
                }
            }
            i = next;
        }
    }
}

/// The sorted structures built from the places at load.
pub(crate) struct NameIndex {
    /// Per entry: its place.
    entry_place: Vec<u32>,
    /// Per entry: its normalised words, joined by single spaces.
    entry_norm: Vec<Box<str>>,
    /// Per entry: its words run together.
    entry_squash: Vec<Box<str>>,
    /// Entries sorted by squashed name.
    by_squash: Vec<u32>,
    /// Distinct words of the entries, LSOA names aside.
    words: Vocabulary,
    /// Distinct words of the LSOA names ("tendring", "018a"): kept apart so that a common word
    /// does not bring its thousands of LSOAs as typo candidates.
    lsoa_words: Vocabulary,
    /// Distinct squashed names of the entries, LSOA names aside (nobody types "tendring018a"
    /// with a typo).
    squashes: Vocabulary,
    /// Per place: its position when all places are sorted by name and code (the final tie-break).
    tie: Vec<u32>,
    /// Per place: kind importance (0 = most important).
    importance: Vec<u8>,
    /// Per place: its size (postcodes around it).
    size: Vec<u32>,
    /// Per place: whether it has coordinates.
    has_point: Vec<bool>,
    /// Upper-case codes with their place, sorted.
    codes: Vec<(Box<str>, u32)>,
}

/// The half-open range of indices `0..len` whose key starts with `prefix`; `key(i)` must be sorted.
fn prefix_range<'k>(len: usize, prefix: &str, key: impl Fn(usize) -> &'k str) -> Range<usize> {
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

/// A query word with its prepared pattern and the most edits it may take.
struct QueryWord<'q> {
    text: &'q str,
    pattern: Option<Pattern>,
    cap: u32,
    /// Whether it may match the beginning of a word with typos (five letters or more: a
    /// shorter fragment with a typo matches too much to mean anything).
    beginnings: bool,
}

impl QueryWord<'_> {
    /// The match of this query word on one word of a name: `(edits, whole word)`, or `None` if
    /// too far. Fewer edits win; at equal edits a whole word beats a beginning.
    fn against(&self, word: &str, fuzzy: bool) -> Option<(u32, bool)> {
        if word == self.text {
            return Some((0, true));
        }
        if word.starts_with(self.text) {
            return Some((0, false));
        }
        let pattern = self.pattern.as_ref().filter(|_| fuzzy && self.cap > 0)?;
        if word.len() + (self.cap as usize) < self.text.len() {
            return None;
        }
        let d = pattern.distance(word.as_bytes());
        if self.beginnings && d.prefix < d.whole && d.prefix <= self.cap {
            Some((d.prefix, false))
        } else if d.whole <= self.cap {
            Some((d.whole, true))
        } else {
            None
        }
    }
}

/// A prepared query.
struct Query<'q> {
    /// The normalised query.
    norm: &'q str,
    /// Its distinct words, in order.
    words: Vec<QueryWord<'q>>,
    /// Its words run together.
    squash: String,
    squash_pattern: Option<Pattern>,
    /// Edits allowed over the whole query.
    budget: u32,
    /// Whether a word holds a digit (only then are LSOA names, "Tendring 018A", typo
    /// candidates).
    has_digit: bool,
}

impl<'q> Query<'q> {
    fn new(norm: &'q str) -> Query<'q> {
        let squash: String = norm.split(' ').collect();
        let budget = query_budget(squash.len());
        let mut words: Vec<QueryWord> = Vec::new();
        for text in norm.split(' ').filter(|w| !w.is_empty()) {
            if words.iter().all(|w| w.text != text) {
                words.push(QueryWord {
                    text,
                    pattern: Pattern::new(text.as_bytes()),
                    cap: word_cap(text.len()).min(budget),
                    beginnings: text.len() >= MIN_TYPED_BEGINNING,
                });
            }
        }
        Query {
            norm,
            words,
            squash_pattern: (budget > 0)
                .then(|| Pattern::new(squash.as_bytes()))
                .flatten(),
            has_digit: squash.bytes().any(|b| b.is_ascii_digit()),
            squash,
            budget,
        }
    }
}

/// Words of a name, without allocating for names of up to 16 words.
fn split_words(norm: &str) -> ([&str; 16], usize, Option<Vec<&str>>) {
    let mut fixed = [""; 16];
    let mut n = 0;
    for w in norm.split(' ') {
        if n == 16 {
            return (fixed, 0, Some(norm.split(' ').collect()));
        }
        fixed[n] = w;
        n += 1;
    }
    (fixed, n, None)
}

impl NameIndex {
    /// Builds the index over `places` and their extra names (`(place, normalised name)`).
    pub fn build(places: &[Place], extra_names: &[(u32, String)]) -> NameIndex {
        let n = places.len();
        let mut entry_place: Vec<u32> = (0..n as u32).collect();
        let mut entry_norm: Vec<Box<str>> =
            places.iter().map(|p| Box::from(p.norm.as_str())).collect();
        for (place, name) in extra_names {
            entry_place.push(*place);
            entry_norm.push(Box::from(name.as_str()));
        }
        // Names joined by "and" ("Jaywick & St Osyth") are also written without it
        // ("JaywickStOsyth", "Jaywick St Osyth"), and names with a saint with it spelled out for
        // the squashed form ("SaintOsyth": a query's word "saint" is read as "st", but a squashed
        // query has no words).
        for e in 0..entry_norm.len() {
            let words: Vec<&str> = entry_norm[e].split(' ').collect();
            let mut variants: Vec<String> = Vec::new();
            if words.contains(&"and") {
                let without: Vec<&str> = words.iter().copied().filter(|w| *w != "and").collect();
                if !without.is_empty() {
                    variants.push(without.join(" "));
                }
            }
            if words.contains(&"st") {
                let saint: Vec<&str> = words
                    .iter()
                    .map(|w| if *w == "st" { "saint" } else { w })
                    .collect();
                variants.push(saint.join(" "));
            }
            for v in variants {
                entry_place.push(entry_place[e]);
                entry_norm.push(v.into_boxed_str());
            }
        }
        let entry_squash: Vec<Box<str>> = entry_norm
            .iter()
            .map(|norm| norm.split(' ').collect::<String>().into_boxed_str())
            .collect();
        let mut by_squash: Vec<u32> = (0..entry_norm.len() as u32).collect();
        by_squash.sort_by(|&a, &b| {
            entry_squash[a as usize]
                .cmp(&entry_squash[b as usize])
                .then(a.cmp(&b))
        });

        let mut by_name: Vec<u32> = (0..n as u32).collect();
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

        let is_lsoa = |e: usize| places[entry_place[e] as usize].kind == HitKind::Lsoa;
        let words_of = |lsoa: bool| {
            Vocabulary::build(
                entry_norm
                    .iter()
                    .enumerate()
                    .filter(|(e, _)| is_lsoa(*e) == lsoa)
                    .flat_map(|(e, norm)| {
                        norm.split(' ')
                            .filter(|w| !w.is_empty())
                            .map(move |w| (w, e as u32))
                    }),
            )
        };
        let words = words_of(false);
        let lsoa_words = words_of(true);
        let squashes = Vocabulary::build(
            entry_norm
                .iter()
                .zip(&entry_squash)
                .enumerate()
                .filter(|(e, _)| !is_lsoa(*e))
                .map(|(e, (_, squash))| (&**squash, e as u32)),
        );

        let mut codes: Vec<(Box<str>, u32)> = places
            .iter()
            .enumerate()
            .map(|(id, p)| (Box::from(p.code.to_ascii_uppercase()), id as u32))
            .filter(|(code, _): &(Box<str>, u32)| !code.is_empty())
            .collect();
        codes.sort();

        NameIndex {
            entry_place,
            entry_norm,
            entry_squash,
            by_squash,
            words,
            lsoa_words,
            squashes,
            tie,
            importance: places.iter().map(|p| importance(p.kind)).collect(),
            size: places.iter().map(|p| p.size).collect(),
            has_point: places.iter().map(|p| p.point_wgs84.is_some()).collect(),
            codes,
        }
    }

    /// Number of distinct words in all names.
    pub fn vocabulary_len(&self) -> usize {
        self.words.len() + self.lsoa_words.len()
    }

    /// Sets each place's size (see [`crate::size`]), used in ranking.
    pub fn set_sizes(&mut self, places: &[Place]) {
        self.size = places.iter().map(|p| p.size).collect();
    }

    /// How well entry `e` matches `q`, or `None`; without `fuzzy`, only matches without typos.
    fn score(&self, q: &Query, e: usize, fuzzy: bool) -> Option<Score> {
        let mut best: Option<Score> = None;
        let mut offer = |s: Score| {
            if best.is_none_or(|b| s < b) {
                best = Some(s);
            }
        };

        // Squashed.
        let squash = &*self.entry_squash[e];
        if squash == q.squash {
            return Some(Score {
                edits: 0,
                class: Class::Full,
            });
        }
        if squash.starts_with(q.squash.as_str()) {
            offer(Score {
                edits: 0,
                class: Class::LeadingPartial,
            });
        } else if let Some(p) = q.squash_pattern.as_ref().filter(|_| fuzzy) {
            if squash.len() + q.budget as usize >= q.squash.len() {
                let d = p.distance(squash.as_bytes());
                if d.whole <= q.budget {
                    offer(Score {
                        edits: d.whole,
                        class: Class::Full,
                    });
                }
                if d.prefix <= q.budget {
                    offer(Score {
                        edits: d.prefix,
                        class: Class::LeadingPartial,
                    });
                }
            }
        }

        // Word by word.
        let (fixed, count, long) = split_words(&self.entry_norm[e]);
        let words: &[&str] = long.as_deref().unwrap_or(&fixed[..count]);
        let n = q.words.len();
        let mut free_edits = 0;
        let mut free_whole = true;
        let mut lead_edits = 0;
        let mut lead_whole = true;
        let mut leading = n <= words.len();
        for (i, qw) in q.words.iter().enumerate() {
            let mut best_word: Option<(u32, bool)> = None;
            for (j, w) in words.iter().enumerate() {
                let Some((d, whole)) = qw.against(w, fuzzy) else {
                    if j == i {
                        leading = false;
                    }
                    continue;
                };
                if j == i {
                    lead_edits += d;
                    lead_whole &= whole;
                }
                if best_word.is_none_or(|(bd, bw)| (d, !whole) < (bd, !bw)) {
                    best_word = Some((d, whole));
                }
            }
            let (d, whole) = best_word?;
            free_edits += d;
            free_whole &= whole;
        }
        if free_edits > q.budget {
            return best;
        }
        let mut class = if free_whole {
            Class::Whole
        } else {
            Class::Partial
        };
        if leading && lead_edits == free_edits {
            let lead_class = match (lead_whole, n == words.len()) {
                (true, true) => Class::Full,
                (true, false) => Class::Leading,
                (false, _) => Class::LeadingPartial,
            };
            class = class.min(lead_class);
        }
        offer(Score {
            edits: free_edits,
            class,
        });
        best
    }

    /// The best `limit` places for a normalised query, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<NameMatch> {
        if query.is_empty() {
            return Vec::new();
        }
        fn note(found: &mut HashMap<u32, Score, IdBuild>, place: u32, s: Score) {
            let slot = found.entry(place).or_insert(s);
            if s < *slot {
                *slot = s;
            }
        }
        let q = Query::new(query);
        let mut found: HashMap<u32, Score, IdBuild> = HashMap::default();
        let mut seen: HashSet<u32, IdBuild> = HashSet::default();
        // Scores an entry once: without typos in the exact stages (an entry that only matches
        // with typos is left for the typo stage), with them in the typo stage.
        let mut consider = |e: u32, fuzzy: bool, found: &mut HashMap<u32, Score, IdBuild>| {
            if seen.contains(&e) {
                return;
            }
            if let Some(s) = self.score(&q, e as usize, fuzzy) {
                seen.insert(e);
                note(found, self.entry_place[e as usize], s);
            } else if fuzzy {
                seen.insert(e);
            }
        };

        // Codes: "E01021988", "e0102198".
        if looks_like_code(q.norm) {
            let upper = q.norm.to_ascii_uppercase();
            let range = prefix_range(self.codes.len(), &upper, |i| &self.codes[i].0);
            for (code, place) in self.codes[range].iter().take(limit.max(8)) {
                let class = if **code == *upper {
                    Class::Full
                } else {
                    Class::LeadingPartial
                };
                found.insert(*place, Score { edits: 0, class });
            }
        }

        // The name's beginning, squashed: "clacton", "clacton on s", "clactononsea". These are
        // the whole name or its beginning; the better classes (first words, whole words) come
        // from the next stage, which scores every entry holding all the query words.
        let range = prefix_range(self.by_squash.len(), &q.squash, |i| {
            &self.entry_squash[self.by_squash[i] as usize]
        });
        for &e in &self.by_squash[range] {
            let class = if *self.entry_squash[e as usize] == *q.squash {
                Class::Full
            } else {
                Class::LeadingPartial
            };
            note(
                &mut found,
                self.entry_place[e as usize],
                Score { edits: 0, class },
            );
        }

        // Whole words anywhere: "hull" in "Kingston upon Hull". Start from the rarest word.
        let vocabularies = [&self.words, &self.lsoa_words];
        let holding = |w: &QueryWord| -> [&[u32]; 2] {
            vocabularies.map(|v| v.exact(w.text).unwrap_or_default())
        };
        if let Some(rarest) = q
            .words
            .iter()
            .map(holding)
            .min_by_key(|lists| lists.iter().map(|l| l.len()).sum::<usize>())
        {
            for &e in rarest.iter().flat_map(|l| l.iter()) {
                consider(e, false, &mut found);
            }
        }

        let exact_places =
            |found: &HashMap<u32, Score, IdBuild>| found.values().filter(|s| s.edits == 0).count();

        // Beginnings of words anywhere: "osyth jay". Start from the word with the fewest
        // candidates.
        if exact_places(&found) < limit {
            let beginning = |w: &QueryWord| -> [&[u32]; 2] {
                vocabularies.map(|v| v.entries_of(v.prefix_range(w.text)))
            };
            if let Some(pivot) = q
                .words
                .iter()
                .map(beginning)
                .min_by_key(|lists| lists.iter().map(|l| l.len()).sum::<usize>())
            {
                for &e in pivot.iter().flat_map(|l| l.iter()) {
                    consider(e, false, &mut found);
                }
            }
        }

        // Typos, when the exact matches do not fill the list. An entry matching with typos has
        // every query word within that word's edits of one of its words, so each query word
        // gives a superset of the candidates: the vocabulary walked for the longest word (a word
        // too short for typos must begin one exactly), narrowed by the next longest while the set
        // is large. The squashed query within the budget of a squashed
        // name adds its own candidates.
        if q.budget > 0 && exact_places(&found) < limit {
            let searched = if q.has_digit {
                &vocabularies[..]
            } else {
                &vocabularies[..1]
            };
            let candidates_of = |w: &QueryWord| -> Vec<&[u32]> {
                let mut lists: Vec<&[u32]> = Vec::new();
                for v in searched {
                    match w.pattern.as_ref().filter(|_| w.cap > 0) {
                        Some(p) => v.within(p, w.cap, w.beginnings, |l| lists.push(l)),
                        None => lists.push(v.entries_of(v.prefix_range(w.text))),
                    }
                }
                lists
            };
            // Longer words first: they usually have fewer candidates, and a walk costs time.
            let mut order: Vec<&QueryWord> = q.words.iter().collect();
            order.sort_by_key(|w| std::cmp::Reverse(w.text.len()));
            let mut candidates: Vec<u32> = order
                .first()
                .map(|w| candidates_of(w).concat())
                .unwrap_or_default();
            let mut member = vec![0u64; self.entry_place.len().div_ceil(64)];
            for w in order.iter().skip(1) {
                if candidates.len() <= NARROW_ABOVE {
                    break;
                }
                member.fill(0);
                for &e in candidates_of(w).iter().flat_map(|l| l.iter()) {
                    member[e as usize / 64] |= 1 << (e % 64);
                }
                candidates.retain(|&e| member[e as usize / 64] & (1 << (e % 64)) != 0);
            }
            if let Some(p) = &q.squash_pattern {
                self.squashes
                    .within(p, q.budget, true, |l| candidates.extend_from_slice(l));
            }
            for e in candidates {
                consider(e, true, &mut found);
            }
        }

        let mut ranked: Vec<(RankKey, NameMatch)> = found
            .into_iter()
            .map(|(place, score)| {
                let m = NameMatch { place, score };
                (self.rank_key(m), m)
            })
            .collect();
        if ranked.len() > limit {
            ranked.select_nth_unstable_by_key(limit - 1, |r| r.0);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by_key(|r| r.0);
        ranked.into_iter().map(|r| r.1).collect()
    }

    /// The order of matches: score, kind, size, coordinates, then the name-and-code position
    /// (unique per place, so the order is total).
    fn rank_key(&self, m: NameMatch) -> RankKey {
        let p = m.place as usize;
        (
            m.score,
            self.importance[p],
            std::cmp::Reverse(self.size[p]),
            !self.has_point[p],
            self.entry_norm[p].len(),
            self.tie[p],
        )
    }
}

/// The shortest query word that may match the beginning of a longer word with typos.
const MIN_TYPED_BEGINNING: usize = 5;

/// Typo candidates are narrowed by a further query word while more than this many remain.
const NARROW_ABOVE: usize = 256;

/// See [`NameIndex::rank_key`].
type RankKey = (Score, u8, std::cmp::Reverse<u32>, bool, usize, u32);

/// Whether a normalised query could be (the start of) an ONS code: one letter then at least three
/// digits (`e01021988`, `e0500`).
fn looks_like_code(query: &str) -> bool {
    let b = query.as_bytes();
    b.len() >= 4 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
}
