//! Typo-tolerant word matching: Myers' bit-parallel edit distance with Hyyrö's extension for
//! transpositions, giving in one pass the Damerau-Levenshtein distance (optimal string alignment:
//! a letter dropped, added, replaced, or two neighbouring letters swapped each count as one edit)
//! from a query word to a whole word and to the word's best prefix (for words still being typed).
//!
//! Hyyrö, "A bit-vector algorithm for computing Levenshtein and Damerau edit distances", Nordic
//! Journal of Computing 10 (2003). One pass over a word costs a dozen word-sized operations per
//! letter, whatever the pattern's length up to 64 bytes.

/// A query word prepared for repeated comparison: one bit mask per byte value.
pub struct Pattern {
    peq: [u64; 256],
    len: usize,
}

/// Distances from a pattern to one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distance {
    /// Edit distance to the whole word.
    pub whole: u32,
    /// Smallest edit distance to any prefix of the word (never more than `whole`).
    pub prefix: u32,
}

impl Pattern {
    /// Prepares `word` (1 to 64 bytes). Returns `None` outside that range.
    pub fn new(word: &[u8]) -> Option<Pattern> {
        if word.is_empty() || word.len() > 64 {
            return None;
        }
        let mut peq = [0u64; 256];
        for (i, &b) in word.iter().enumerate() {
            peq[usize::from(b)] |= 1 << i;
        }
        Some(Pattern {
            peq,
            len: word.len(),
        })
    }

    /// Damerau-Levenshtein (optimal string alignment) distances from the pattern to `text` and to
    /// the best prefix of `text`.
    pub fn distance(&self, text: &[u8]) -> Distance {
        let end = text.iter().fold(self.start(), |col, &c| self.step(col, c));
        Distance {
            whole: end.score,
            prefix: end.best,
        }
    }

    /// The column before any text byte.
    pub fn start(&self) -> Column {
        Column {
            vp: !0,
            vn: 0,
            d0: 0,
            pm_prev: 0,
            text_len: 0,
            diagonal: 0,
            score: self.len as u32,
            best: self.len as u32,
        }
    }

    /// The column after one more text byte.
    #[inline]
    pub fn step(&self, col: Column, c: u8) -> Column {
        let high = 1u64 << (self.len - 1);
        let Column {
            vp,
            vn,
            d0,
            pm_prev,
            mut score,
            ..
        } = col;
        let pm = self.peq[usize::from(c)];
        // A swap of this text byte and the previous one with two pattern bytes.
        let tr = ((!d0 & pm) << 1) & pm_prev;
        let d0 = (((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn | tr;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        if hp & high != 0 {
            score += 1;
        } else if hn & high != 0 {
            score -= 1;
        }
        // Row 0 of a global alignment grows by one per text byte.
        let x = (hp << 1) | 1;
        // The main diagonal: row j + 1 holds row j of the previous column, plus one unless the
        // diagonal step is free (`d0` bit j).
        let j = col.text_len as usize;
        let diagonal = if j < self.len {
            col.diagonal + u32::from((d0 >> j) & 1 == 0)
        } else {
            col.diagonal
        };
        Column {
            vp: (hn << 1) | !(x | d0),
            vn: x & d0,
            d0,
            pm_prev: pm,
            text_len: col.text_len + 1,
            diagonal,
            score,
            best: col.best.min(score),
        }
    }

    /// Whether some beginning of the pattern (the empty one included) is within `k` of the text
    /// read so far. Once none is, no longer text comes within `k` of any beginning of the
    /// pattern, nor of the whole of it (Ukkonen's cut-off; it holds with swaps too, since a swap
    /// reaches back only through cells that an ordinary edit bounds).
    #[inline]
    pub fn column_within(&self, col: &Column, k: u32) -> bool {
        // Row i holds at least |i - j| (j = text bytes read), so only rows j - k ..= j + k can
        // be within k: walk them from a row whose value is known, the main diagonal (row j)
        // while the text is no longer than the pattern, else the last row (the score).
        let (m, j, k) = (self.len, col.text_len as usize, k as i64);
        let delta = |row: usize| -> i64 {
            // Row `row` minus row `row - 1`.
            ((col.vp >> (row - 1)) & 1) as i64 - ((col.vn >> (row - 1)) & 1) as i64
        };
        let (start, value) = if j <= m {
            (j, i64::from(col.diagonal))
        } else if j - m <= k as usize {
            (m, i64::from(col.score))
        } else {
            return false;
        };
        let lo = j.saturating_sub(k as usize);
        let hi = (j + k as usize).min(m);
        let mut v = value;
        for row in start..=hi {
            if row > start {
                v += delta(row);
            }
            if v <= k {
                return true;
            }
        }
        v = value;
        for row in (lo..start).rev() {
            v -= delta(row + 1);
            if v <= k {
                return true;
            }
        }
        false
    }

    /// The smallest distance from any beginning of the pattern to the text read so far (for
    /// tests; the search asks [`Pattern::column_within`]).
    #[cfg(test)]
    pub fn column_min(&self, col: &Column) -> u32 {
        let mut v = col.text_len as i64;
        let mut min = v;
        for i in 0..self.len {
            v += ((col.vp >> i) & 1) as i64 - ((col.vn >> i) & 1) as i64;
            min = min.min(v);
        }
        min.max(0) as u32
    }
}

/// The state of the distance computation after some text bytes: one column of the dynamic
/// programming table as bit vectors.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Rows where the value grows by one from the row above.
    vp: u64,
    /// Rows where it shrinks by one.
    vn: u64,
    /// Where the diagonal step costs nothing (for swaps at the next byte).
    d0: u64,
    /// Pattern positions of the last text byte.
    pm_prev: u64,
    /// Text bytes read.
    text_len: u32,
    /// The value on the main diagonal (row = text bytes read), while the text is no longer than
    /// the pattern.
    diagonal: u32,
    /// Distance from the whole pattern to the text read.
    pub score: u32,
    /// Smallest `score` over every beginning of the text read (the empty one included).
    pub best: u32,
}

/// The edits allowed over a whole query of `letters` letters and digits (spaces not counted),
/// spent in any of its words: none up to three, one from four, two from nine. (One edit from four
/// letters rather than five: a five-letter name with a letter dropped is typed in four. Measured by
/// `examples/recall`: one-edit queries on names of up to five letters find their place in the top
/// five 85% of the time, against 58% with one edit from five, at no cost in latency; typo matches
/// only ever come after every match without typos.)
pub fn query_budget(letters: usize) -> u32 {
    match letters {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

/// The most edits one query word of `len` bytes may take out of the query's budget: none for one
/// or two letters ("st", "on"), one from three ("sde" for "side"), two from nine.
pub fn word_cap(len: usize) -> u32 {
    match len {
        0..=2 => 0,
        3..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    /// Textbook dynamic-programming optimal string alignment distance (Levenshtein plus swaps of
    /// neighbours), to check the bit-parallel one.
    fn levenshtein(a: &[u8], b: &[u8]) -> u32 {
        let (n, m) = (a.len(), b.len());
        let mut d = vec![vec![0u32; m + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i as u32;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j as u32;
        }
        for i in 1..=n {
            for j in 1..=m {
                let sub = u32::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + sub);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[n][m]
    }

    #[rstest]
    #[case::missing_letter("jaywik", "jaywick", 1)]
    #[case::missing_middle_letter("tendrng", "tendring", 1)]
    #[case::swapped_letters_are_one_edit("tnedring", "tendring", 1)]
    #[case::swap_in_fulford("fulofrd", "fulford", 1)]
    #[case::swap_in_kinsham("kinsahm", "kinsham", 1)]
    #[case::swap_in_haynes("hyanes", "haynes", 1)]
    #[case::swap_in_farley("falrey", "farley", 1)]
    #[case::two_swaps("ufloford", "fulford", 2)]
    #[case::same("tendring", "tendring", 0)]
    #[case::unrelated("bath", "york", 4)]
    #[case::empty_text("abc", "", 3)]
    fn whole_word_distance_counts_a_swap_as_one_edit(
        #[case] a: &str,
        #[case] b: &str,
        #[case] d: u32,
    ) {
        let p = Pattern::new(a.as_bytes()).expect("test value");
        assert_eq!(p.distance(b.as_bytes()).whole, d);
        assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), d);
    }

    #[test]
    fn bit_parallel_distance_matches_the_textbook_on_random_words() {
        // Small alphabets make swaps, repeats and near-misses common.
        let mut rng = cnimap_testkit::Rng::new(16);
        for case in 0..20_000 {
            let alphabet = [b"ab".as_slice(), b"abc", b"abcd", b"aeiolnrst"][case % 4];
            let mut word = |max: usize| -> Vec<u8> {
                (0..rng.below(max + 1))
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect()
            };
            let a = word(12);
            let b = word(14);
            let Some(p) = Pattern::new(&a) else {
                assert!(a.is_empty());
                continue;
            };
            let d = p.distance(&b);
            assert_eq!(d.whole, levenshtein(&a, &b), "{a:?} -> {b:?}");
            let best_prefix = (0..=b.len())
                .map(|k| levenshtein(&a, &b[..k]))
                .min()
                .expect("test value");
            assert_eq!(d.prefix, best_prefix, "{a:?} -> prefix of {b:?}");
            // The column minimum after each text byte: the best beginning of the pattern.
            if case % 4 != 0 {
                continue;
            }
            let mut col = p.start();
            for j in 1..=b.len() {
                col = p.step(col, b[j - 1]);
                let min = (0..=a.len())
                    .map(|i| levenshtein(&a[..i], &b[..j]))
                    .min()
                    .expect("test value");
                assert_eq!(p.column_min(&col), min, "{a:?} against {:?}", &b[..j]);
                for k in 0..3 {
                    assert_eq!(
                        p.column_within(&col, k),
                        min <= k,
                        "{a:?} against {:?}",
                        &b[..j]
                    );
                }
            }
        }
    }

    #[test]
    fn a_64_byte_pattern_is_measured_like_a_short_one() {
        let long: Vec<u8> = (0..64).map(|i| b'a' + (i % 26) as u8).collect();
        let mut swapped = long.clone();
        swapped.swap(10, 11);
        swapped.remove(40);
        let p = Pattern::new(&long).expect("test value");
        assert_eq!(p.distance(&swapped).whole, 2);
        assert_eq!(p.distance(&long).whole, 0);
    }

    #[test]
    fn bit_parallel_distance_matches_the_textbook_on_many_pairs() {
        let words = [
            "tendring",
            "tendrng",
            "jaywick",
            "jaywik",
            "clacton",
            "osyth",
            "st",
            "a",
            "middlesbrough",
            "midlesbro",
            "abcabcabc",
            "cab",
            "and",
            "bath",
            "batch",
        ];
        for a in words {
            let p = Pattern::new(a.as_bytes()).expect("test value");
            for b in words {
                let d = p.distance(b.as_bytes());
                assert_eq!(
                    d.whole,
                    levenshtein(a.as_bytes(), b.as_bytes()),
                    "{a} -> {b}"
                );
                let best_prefix = (0..=b.len())
                    .map(|k| levenshtein(a.as_bytes(), &b.as_bytes()[..k]))
                    .min()
                    .expect("test value");
                assert_eq!(d.prefix, best_prefix, "{a} -> prefix of {b}");
            }
        }
    }

    #[test]
    fn a_partly_typed_word_with_a_typo_is_close_to_a_prefix() {
        let p = Pattern::new(b"midlesbro").expect("test value");
        let d = p.distance(b"middlesbrough");
        assert_eq!(d.prefix, 1);
        assert!(d.whole > 2);
    }

    #[test]
    fn patterns_longer_than_64_bytes_are_refused() {
        assert!(Pattern::new(&[b'a'; 65]).is_none());
        assert!(Pattern::new(b"").is_none());
    }
}
