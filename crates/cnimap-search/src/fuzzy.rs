//! Typo-tolerant word matching: Myers' bit-parallel edit distance (Hyyrö's formulation), giving
//! in one pass the Levenshtein distance from a query word to a whole word and to the word's best
//! prefix (for words still being typed).

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

    /// Length of the pattern in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Distances from the pattern to `text` and to the best prefix of `text`.
    pub fn distance(&self, text: &[u8]) -> Distance {
        let m = self.len;
        let high = 1u64 << (m - 1);
        let mut pv = !0u64;
        let mut mv = 0u64;
        let mut score = m as u32;
        let mut best = score;
        for &c in text {
            let eq = self.peq[usize::from(c)];
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & high != 0 {
                score += 1;
            } else if mh & high != 0 {
                score -= 1;
            }
            // Row 0 of a global alignment grows by one per text byte.
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
            best = best.min(score);
        }
        Distance {
            whole: score,
            prefix: best,
        }
    }
}

/// The number of typos tolerated in a query word of `len` bytes: none below 4, one up to 7, two
/// from 8.
pub fn tolerance(len: usize) -> u32 {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    /// Textbook dynamic-programming Levenshtein distance, to check the bit-parallel one.
    fn levenshtein(a: &[u8], b: &[u8]) -> u32 {
        let mut row: Vec<u32> = (0..=b.len() as u32).collect();
        for (i, &ca) in a.iter().enumerate() {
            let mut prev = row[0];
            row[0] = i as u32 + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + u32::from(ca != cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }

    #[rstest]
    #[case::missing_letter("jaywik", "jaywick", 1)]
    #[case::missing_middle_letter("tendrng", "tendring", 1)]
    #[case::swapped_letters("tnedring", "tendring", 2)]
    #[case::same("tendring", "tendring", 0)]
    #[case::unrelated("bath", "york", 4)]
    #[case::empty_text("abc", "", 3)]
    fn whole_word_distance_is_levenshtein(#[case] a: &str, #[case] b: &str, #[case] d: u32) {
        let p = Pattern::new(a.as_bytes()).expect("test value");
        assert_eq!(p.distance(b.as_bytes()).whole, d);
        assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), d);
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
