//! Generated search queries on the real index, towns included: arbitrary unicode (combining
//! marks, joiners, right-to-left text, control characters, astral characters), postcode-like and
//! code-like strings with mutations, very long strings and limits outside the allowed range. Every query
//! must return `Ok` (at most `limit` hits) or a `QueryError` with a message, never panic. The
//! number of queries comes from `CNIMAP_FUZZ_CASES` (default 2,000; `scripts/bench.sh fuzz` runs
//! 100,000), the seed from `CNIMAP_FUZZ_SEED`.

#[path = "../examples/recall/data.rs"]
mod data;

use cnimap_testkit::{data_dir, fuzz_cases as cases, fuzz_seed as seed, Rng};
use std::panic::{catch_unwind, AssertUnwindSafe};

use cnimap_search::{QueryError, SearchIndex};

/// The real index with its towns, as the server builds it.
fn index() -> SearchIndex {
    data::load_with_towns(&data_dir(), &data::towns_file())
        .unwrap_or_else(|e| panic!("the real data and towns load: {e}"))
}

/// Real-looking starting points.
const SEEDS: &[&str] = &[
    "CO15 2EQ",
    "co152eq",
    "CO15 2",
    "CO15",
    "SW1A 1AA",
    "AB10 1XG",
    "E01021988",
    "e0102198",
    "E05000026",
    "Jaywick & St Osyth",
    "Tendring 018A",
    "Newcastle upon Tyne",
    "Stoke-on-Trent",
    "St Mary's Bay & Brookland",
    "Westhumble and Pixham",
    "Ynys Môn",
    "Saint-Étienne",
    "london",
    "a",
    "st",
    "Clacton-on-Sea",
    "clactononsea",
    "Kingston upon Hull",
    "Fulofrd",
    "Moss Sde",
    "Saint Leonards-on-Sea",
    "Bournemouth, Christchurch and Poole 043A",
];

/// Characters that break naive text handling.
const ODD: &[char] = &[
    '\u{0301}', '\u{0308}', '\u{0327}', '\u{20dd}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{202e}',
    '\u{feff}', '\u{fffd}', '\u{0000}', '\u{0007}', '\u{001b}', '\u{007f}', '\u{0085}', '\u{00a0}',
    '\u{2028}', '\u{3000}', 'ß', 'ẞ', 'İ', 'ı', 'ﬁ', 'Å', 'Ω', 'й', 'ا', 'ש', '中', '🏴', '👩',
    '🏽', '𝔼', '&', '\'', '"', '%', '+', '-', '/', '\\', '.', ',', ';', '*', '?', ' ', '\t', '\n',
    '0', '9',
];

fn random_char(rng: &mut Rng) -> char {
    match rng.below(6) {
        0 => ODD[rng.below(ODD.len())],
        1 => char::from(b' ' + rng.below(95) as u8),
        2 => char::from_u32(0x300 + rng.below(0x70) as u32).unwrap_or('x'), // combining marks
        3 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
        4 => char::from(b'A' + rng.below(26) as u8),
        _ => char::from(b'0' + rng.below(10) as u8),
    }
}

fn query(rng: &mut Rng) -> String {
    match rng.below(8) {
        // Arbitrary text of any length, sometimes far past the limit.
        0 => {
            let n = [0, 1, 2, 5, 20, 99, 100, 101, 500, 10_000][rng.below(10)];
            (0..n).map(|_| random_char(rng)).collect()
        }
        // A base letter drowned in combining marks.
        1 => {
            let mut s = String::from(SEEDS[rng.below(SEEDS.len())]);
            for _ in 0..rng.below(120) {
                s.push(char::from_u32(0x300 + rng.below(0x70) as u32).unwrap_or('\u{301}'));
            }
            s
        }
        // Postcode shapes: letters and digits in postcode patterns, odd spacing.
        2 => {
            let mut s = String::new();
            for part in ["A", "A9", "A9A", "AA9", "AA99", "AA9A"][rng.below(6)].chars() {
                s.push(if part == 'A' {
                    char::from(b'A' + rng.below(26) as u8)
                } else {
                    char::from(b'0' + rng.below(10) as u8)
                });
            }
            s.push_str(["", " ", "  ", "\t", "-"][rng.below(5)]);
            for _ in 0..rng.below(4) {
                s.push(if rng.below(2) == 0 {
                    char::from(b'A' + rng.below(26) as u8)
                } else {
                    char::from(b'0' + rng.below(10) as u8)
                });
            }
            s
        }
        // A real-looking query with characters inserted, deleted or replaced.
        _ => {
            let mut chars: Vec<char> = SEEDS[rng.below(SEEDS.len())].chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len() + 1);
                match rng.below(3) {
                    0 => chars.insert(at, random_char(rng)),
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ if at < chars.len() => chars[at] = random_char(rng),
                    _ => chars.push(random_char(rng)),
                }
            }
            chars.into_iter().collect()
        }
    }
}

#[test]
fn generated_queries_return_hits_or_a_query_error_and_never_panic() {
    let index = index();
    let mut rng = Rng::new(seed());
    let (mut hits, mut empty, mut refused) = (0u64, 0u64, 0u64);
    for case in 0..cases() {
        let q = query(&mut rng);
        let limit = if rng.below(10) == 0 {
            [0, 51, 100, usize::MAX][rng.below(4)]
        } else {
            1 + rng.below(50)
        };
        let result = catch_unwind(AssertUnwindSafe(|| index.search(&q, limit)));
        let Ok(result) = result else {
            panic!(
                "case {case} (seed {}): search({q:?}, {limit}) panicked",
                seed()
            );
        };
        match result {
            Ok(r) => {
                assert!(
                    r.hits.len() <= limit,
                    "case {case}: {} hits for limit {limit} on {q:?}",
                    r.hits.len()
                );
                if r.hits.is_empty() {
                    empty += 1;
                } else {
                    hits += 1;
                }
            }
            Err(e) => {
                assert!(
                    !e.to_string().trim().is_empty(),
                    "case {case}: empty message"
                );
                match e {
                    QueryError::TooLong { chars: c, .. } => {
                        assert_eq!(c, q.chars().count(), "case {case}");
                    }
                    QueryError::LimitOutOfRange { limit: l, .. } => {
                        assert_eq!(l, limit, "case {case}");
                    }
                    QueryError::Empty => assert!(
                        q.chars().all(char::is_whitespace),
                        "case {case}: {q:?} is not blank but was called empty"
                    ),
                }
                refused += 1;
            }
        }
        if !(1..=50).contains(&limit) || q.chars().count() > 100 {
            assert!(
                index.search(&q, limit).is_err(),
                "case {case}: {q:?} with limit {limit} must be refused"
            );
        }
    }
    eprintln!(
        "search: {} queries, {hits} with hits, {empty} without, {refused} refused",
        cases()
    );
    assert_eq!(hits + empty + refused, cases());
}
