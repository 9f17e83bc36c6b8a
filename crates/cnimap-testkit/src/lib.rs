//! Test support shared by cnimap's crates (a dev-dependency only): where the national data is,
//! and a small seeded generator so that generated-input tests reproduce from their case number.

use std::path::{Path, PathBuf};

/// The national data directory: `CNIMAP_DATA`, or `../shared/data` beside the workspace.
///
/// # Panics
/// When the directory does not exist: tests on the real data must fail loudly, not skip.
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("CNIMAP_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "national data not found at {}: set CNIMAP_DATA",
        dir.display()
    );
    dir
}

/// How many generated inputs each fuzz test runs: `CNIMAP_FUZZ_CASES`, default 2,000
/// (`scripts/bench.sh fuzz` sets 100,000).
pub fn fuzz_cases() -> u64 {
    env_u64("CNIMAP_FUZZ_CASES").unwrap_or(2_000)
}

/// The generators' seed: `CNIMAP_FUZZ_SEED`, default fixed so a failure reproduces.
pub fn fuzz_seed() -> u64 {
    env_u64("CNIMAP_FUZZ_SEED").unwrap_or(0x00c0_ffee)
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// xorshift64*: small, seeded, reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value, zero included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence_and_below_stays_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1_000 {
            assert_eq!(a.next(), b.next());
            assert!(a.below(13) < 13);
            b.below(13);
        }
        assert_ne!(Rng::new(1).next(), Rng::new(2).next());
        assert_eq!(Rng::new(3).below(0), 0);
    }
}
