//! Rebuilding a combined index from its domain ranks, with the published weights or any others.
//!
//! The English Indices of Deprivation combine their seven domains this way (MHCLG's technical
//! report, the exponential transformation of Noble et al.), and so does OCSI's Community Needs
//! Index 2023 with its three domains (equal weights; reproduced from the published files, see
//! below):
//!
//! 1. each domain's ranks (1 = most deprived or highest need) are scaled to
//!    `R = (n + 1 − rank) ÷ n`, so `R = 1/n` for the least deprived area and `R = 1` for the most
//!    deprived; areas sharing a published rank take the mean of the places they share
//!    (`rank + (k − 1) ÷ 2` for `k` areas tied at `rank`);
//! 2. each is transformed to an exponential distribution,
//!    `X = −23 ln(1 − R (1 − e^(−100/23)))`, which runs from 0 to 100 and puts about 10% of areas
//!    above 50, so that deprivation in one domain is not cancelled out by its absence in another;
//! 3. the transformed domains are weighted (the weights normalised to add to 100%) and summed;
//! 4. the sums are ranked again from the highest (areas with equal sums share the lowest rank,
//!    as in competition ranking) and deciles are `⌈10 × rank ÷ n⌉`
//!    ([`crate::classify::decile_from_rank`]).
//!
//! Measured on the published files (`cnimap-data/tests/reweight_real_data.rs`): IMD 2025 from its
//! domain ranks reproduces all 33,755 published ranks; IMD 2019 32,814 of 32,844 (the other 30 are
//! within one place: neighbours whose sums differ by less than 2 × 10⁻⁶, below the precision
//! MHCLG's pipeline kept); CNI 2023 with equal weights 33,728 of 33,755, all within one place (17
//! areas share a published rank with a neighbour, the rest are pairs closer than 10⁻⁵). Taking
//! tied domain ranks as they are printed, instead of the mean of the places they share, loses 78
//! exact IMD 2019 ranks.
//!
//! The work is split so that the browser can re-weight live: [`DomainScores::from_ranks`]
//! transforms once, [`DomainScores::combine`] is a weighted sum and a sort per call.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::catalogue::IndicatorId;
use crate::classify::decile_from_rank;

/// The constant of MHCLG's exponential transformation: 10% of areas score above 50.
pub const EXP_CONSTANT: f64 = 23.0;

/// One domain of a combined index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Domain {
    /// The key used in weights (`income`, `civic`).
    pub key: &'static str,
    /// The catalogue id of the domain's published values (`imd2025_income`).
    pub indicator: &'static str,
    /// Its title.
    pub title: &'static str,
    /// The published weight, in percent.
    pub official_percent: f64,
}

const fn dom(
    key: &'static str,
    indicator: &'static str,
    title: &'static str,
    official_percent: f64,
) -> Domain {
    Domain {
        key,
        indicator,
        title,
        official_percent,
    }
}

const IMD2025_DOMAINS: [Domain; 7] = [
    dom("income", "imd2025_income", "Income", 22.5),
    dom("employment", "imd2025_employment", "Employment", 22.5),
    dom(
        "education",
        "imd2025_education",
        "Education, skills and training",
        13.5,
    ),
    dom(
        "health",
        "imd2025_health",
        "Health deprivation and disability",
        13.5,
    ),
    dom("crime", "imd2025_crime", "Crime", 9.3),
    dom(
        "housing",
        "imd2025_housing",
        "Barriers to housing and services",
        9.3,
    ),
    dom(
        "environment",
        "imd2025_environment",
        "Living environment",
        9.3,
    ),
];

const IMD2019_DOMAINS: [Domain; 7] = [
    dom("income", "imd2019_income", "Income", 22.5),
    dom("employment", "imd2019_employment", "Employment", 22.5),
    dom(
        "education",
        "imd2019_education",
        "Education, skills and training",
        13.5,
    ),
    dom(
        "health",
        "imd2019_health",
        "Health deprivation and disability",
        13.5,
    ),
    dom("crime", "imd2019_crime", "Crime", 9.3),
    dom(
        "housing",
        "imd2019_housing",
        "Barriers to housing and services",
        9.3,
    ),
    dom(
        "environment",
        "imd2019_environment",
        "Living environment",
        9.3,
    ),
];

const THIRD: f64 = 100.0 / 3.0;

const CNI2023_DOMAINS: [Domain; 3] = [
    dom("civic", "cni2023_civic", "Civic assets", THIRD),
    dom(
        "connectedness",
        "cni2023_connectedness",
        "Connectedness",
        THIRD,
    ),
    dom(
        "engaged",
        "cni2023_engaged",
        "Active and engaged community",
        THIRD,
    ),
];

/// A combined index that can be rebuilt from its domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CompositeIndex {
    /// Index of Multiple Deprivation 2025 (LSOA 2021).
    Imd2025,
    /// Index of Multiple Deprivation 2019 (LSOA 2011).
    Imd2019,
    /// Community Needs Index 2023 (LSOA 2021).
    Cni2023,
}

impl CompositeIndex {
    /// Every index, in this order.
    pub const ALL: [CompositeIndex; 3] = [
        CompositeIndex::Imd2025,
        CompositeIndex::Imd2019,
        CompositeIndex::Cni2023,
    ];

    /// Its id (`imd2025`), as in the catalogue.
    pub fn id(self) -> &'static str {
        self.indicator().as_str()
    }

    /// Parses an id (`imd2025`, `imd2019`, `cni2023`).
    pub fn parse(s: &str) -> Result<CompositeIndex, ReweightError> {
        CompositeIndex::ALL
            .into_iter()
            .find(|i| i.id() == s)
            .ok_or_else(|| ReweightError::UnknownIndex {
                given: s.to_string(),
            })
    }

    /// The catalogue entry of the published index.
    pub fn indicator(self) -> IndicatorId {
        match self {
            CompositeIndex::Imd2025 => IndicatorId::IMD2025,
            CompositeIndex::Imd2019 => IndicatorId::IMD2019,
            CompositeIndex::Cni2023 => IndicatorId::CNI2023,
        }
    }

    /// Its domains, in the publisher's order.
    pub fn domains(self) -> &'static [Domain] {
        match self {
            CompositeIndex::Imd2025 => &IMD2025_DOMAINS,
            CompositeIndex::Imd2019 => &IMD2019_DOMAINS,
            CompositeIndex::Cni2023 => &CNI2023_DOMAINS,
        }
    }

    /// The published score is this many times the weighted mean of the transformed domains: 1
    /// for the IMD (its score is the weighted mean, 0 to 100); 3 for the CNI 2023, whose score is
    /// the plain sum of its three transformed domains (0 to 300).
    pub fn score_scale(self) -> f64 {
        match self {
            CompositeIndex::Imd2025 | CompositeIndex::Imd2019 => 1.0,
            CompositeIndex::Cni2023 => 3.0,
        }
    }

    /// "most deprived" or "highest need": what rank 1 means.
    pub fn worst_words(self) -> &'static str {
        match self {
            CompositeIndex::Imd2025 | CompositeIndex::Imd2019 => "most deprived",
            CompositeIndex::Cni2023 => "highest need",
        }
    }

    /// Where the domain weights come from, in words.
    pub fn weights_source(self) -> &'static str {
        match self {
            CompositeIndex::Imd2025 | CompositeIndex::Imd2019 => {
                "MHCLG's domain weights from the IoD technical report"
            }
            CompositeIndex::Cni2023 => {
                "equal weights, found by reproducing OCSI's published ranks (the published score is the sum of the three transformed domains)"
            }
        }
    }
}

impl std::fmt::Display for CompositeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// What can be wrong with an index name, a weight list or the domain ranks, each naming the bad
/// part.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReweightError {
    /// An index that cannot be rebuilt from domains.
    #[error("unknown index {given:?}: use imd2025, imd2019 or cni2023")]
    UnknownIndex {
        /// What was given.
        given: String,
    },
    /// A domain name the index does not have.
    #[error("weights: {index} has no domain {given:?}: use {known}")]
    UnknownDomain {
        /// The index.
        index: CompositeIndex,
        /// What was given.
        given: String,
        /// Its domains, comma-separated.
        known: String,
    },
    /// A part of a weight list that is not `domain=number`.
    #[error("weights: {part:?} is not domain=number (e.g. income=30), nor official, equal or a domain name")]
    Malformed {
        /// The part.
        part: String,
    },
    /// A weight that is not a finite number.
    #[error("weights: {domain}={given:?}: expected a number")]
    NotANumber {
        /// The domain.
        domain: String,
        /// What was given.
        given: String,
    },
    /// A negative weight.
    #[error("weights: {domain}={value}: a weight cannot be negative")]
    Negative {
        /// The domain.
        domain: String,
        /// The value.
        value: f64,
    },
    /// A domain named twice.
    #[error("weights: {domain} is given twice")]
    Duplicate {
        /// The domain.
        domain: String,
    },
    /// Every weight zero, or none given.
    #[error("weights: at least one weight must be above zero")]
    AllZero,
    /// Domain rank columns of different lengths.
    #[error("domain {domain}: {found} ranks, expected {expected} (one per area)")]
    Length {
        /// The domain.
        domain: &'static str,
        /// Areas expected.
        expected: usize,
        /// Ranks found.
        found: usize,
    },
    /// A rank outside 1..=n.
    #[error("domain {domain}: area {area} has rank {rank}, expected 1 to {n}")]
    RankOutOfRange {
        /// The domain.
        domain: &'static str,
        /// The area's position.
        area: usize,
        /// The rank.
        rank: u32,
        /// Areas ranked.
        n: usize,
    },
    /// A number of domain columns different from the index's domains.
    #[error("{index} has {expected} domains, {found} rank columns given")]
    DomainCount {
        /// The index.
        index: CompositeIndex,
        /// Its domains.
        expected: usize,
        /// Columns given.
        found: usize,
    },
}

/// Validated domain weights, in percent, one per domain of `index`: normalised to add to 100,
/// except the official IMD weights, kept as published (they add to 99.9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    /// The index.
    pub index: CompositeIndex,
    /// Percent per domain, in [`CompositeIndex::domains`] order.
    percent: Vec<f64>,
}

impl Weights {
    /// The published weights, exactly as published: MHCLG's seven IMD weights add to 99.9%
    /// (each rounded to one decimal place), and are kept so, so that the rebuilt score equals the
    /// published one; every other set of weights is normalised to add to 100%.
    pub fn official(index: CompositeIndex) -> Weights {
        Weights {
            index,
            percent: index.domains().iter().map(|d| d.official_percent).collect(),
        }
    }

    /// Every domain the same weight.
    pub fn equal(index: CompositeIndex) -> Weights {
        let n = index.domains().len();
        Weights {
            index,
            percent: vec![100.0 / n as f64; n],
        }
    }

    /// One domain only (100%), the others zero.
    pub fn only(index: CompositeIndex, key: &str) -> Result<Weights, ReweightError> {
        let at = domain_position(index, key)?;
        let mut percent = vec![0.0; index.domains().len()];
        percent[at] = 100.0;
        Ok(Weights { index, percent })
    }

    /// Weights from `(domain key, weight)` pairs in any unit (they are normalised to add to
    /// 100%); domains not named weigh zero.
    pub fn from_pairs<'a>(
        index: CompositeIndex,
        pairs: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> Result<Weights, ReweightError> {
        let mut raw: Vec<Option<f64>> = vec![None; index.domains().len()];
        for (key, value) in pairs {
            let at = domain_position(index, key)?;
            if !value.is_finite() {
                return Err(ReweightError::NotANumber {
                    domain: key.to_string(),
                    given: value.to_string(),
                });
            }
            if value < 0.0 {
                return Err(ReweightError::Negative {
                    domain: key.to_string(),
                    value,
                });
            }
            if raw[at].replace(value).is_some() {
                return Err(ReweightError::Duplicate {
                    domain: key.to_string(),
                });
            }
        }
        let raw: Vec<f64> = raw.into_iter().map(|v| v.unwrap_or(0.0)).collect();
        let total: f64 = raw.iter().sum();
        if total <= 0.0 {
            return Err(ReweightError::AllZero);
        }
        let percent: Vec<f64> = raw.iter().map(|v| v * 100.0 / total).collect();
        let official = Weights::official(index);
        let official_total: f64 = official.percent.iter().sum();
        let proportional = percent
            .iter()
            .zip(&official.percent)
            .all(|(p, o)| (p - o * 100.0 / official_total).abs() < 1e-9);
        if proportional {
            // The published weights in another unit: keep them as published (see `official`).
            return Ok(official);
        }
        Ok(Weights { index, percent })
    }

    /// Parses `official`, `equal`, a domain key (that domain only) or
    /// `income=30,employment=20,...` (normalised to 100%; domains not named weigh zero).
    pub fn parse(index: CompositeIndex, s: &str) -> Result<Weights, ReweightError> {
        let s = s.trim();
        match s {
            "official" => return Ok(Weights::official(index)),
            "equal" => return Ok(Weights::equal(index)),
            _ => {}
        }
        if !s.contains('=') {
            if index.domains().iter().any(|d| d.key == s) {
                return Weights::only(index, s);
            }
            if s.is_empty() || s.contains(',') {
                return Err(ReweightError::Malformed {
                    part: s.to_string(),
                });
            }
            return Err(unknown_domain(index, s));
        }
        let mut pairs = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| ReweightError::Malformed {
                    part: part.to_string(),
                })?;
            let (key, value) = (key.trim(), value.trim().trim_end_matches('%'));
            domain_position(index, key)?;
            let v: f64 = value.parse().map_err(|_| ReweightError::NotANumber {
                domain: key.to_string(),
                given: value.to_string(),
            })?;
            pairs.push((key, v));
        }
        Weights::from_pairs(index, pairs)
    }

    /// Percent per domain, in [`CompositeIndex::domains`] order (adding to 100, or 99.9 for the
    /// official IMD weights).
    pub fn percent(&self) -> &[f64] {
        &self.percent
    }

    /// Whether these are the published weights (to within 10⁻⁹ of a percent).
    pub fn is_official(&self) -> bool {
        self.percent
            .iter()
            .zip(self.index.domains())
            .all(|(p, d)| (p - d.official_percent).abs() < 1e-9)
    }

    /// `income 22.5%, employment 22.5%, ...` (one decimal place).
    pub fn describe(&self) -> String {
        self.index
            .domains()
            .iter()
            .zip(&self.percent)
            .map(|(d, p)| format!("{} {}%", d.key, trim_number(*p)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The canonical query form, `income=22.5,employment=22.5,...` (one decimal place), which
    /// [`Weights::parse`] reads back.
    pub fn to_query(&self) -> String {
        self.index
            .domains()
            .iter()
            .zip(&self.percent)
            .map(|(d, p)| format!("{}={}", d.key, trim_number(*p)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The method in one sentence, with these weights.
    pub fn method_sentence(&self) -> String {
        let official = if self.is_official() {
            format!(" ({})", self.index.weights_source())
        } else {
            String::new()
        };
        format!(
            "Each domain's ranks (1 = {worst}; tied ranks take the mean of the places they share) are scaled to R = (n + 1 − rank) ÷ n and transformed to an exponential distribution, X = −23 ln(1 − R(1 − e^(−100/23))), which runs from 0 to 100 with about 10% of areas above 50, so that one domain cannot cancel out another; the transformed domains are weighted ({weights}{official}), summed and ranked again from the highest sum (equal sums share a rank), and deciles are ⌈10 × rank ÷ n⌉.",
            worst = self.index.worst_words(),
            weights = self.describe(),
        )
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn domain_position(index: CompositeIndex, key: &str) -> Result<usize, ReweightError> {
    index
        .domains()
        .iter()
        .position(|d| d.key == key)
        .ok_or_else(|| unknown_domain(index, key))
}

fn unknown_domain(index: CompositeIndex, key: &str) -> ReweightError {
    ReweightError::UnknownDomain {
        index,
        given: key.to_string(),
        known: index
            .domains()
            .iter()
            .map(|d| d.key)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// MHCLG's exponential transformation of a rank (1 = most deprived, fractional for ties) among
/// `n` areas: `R = (n + 1 − rank) ÷ n`, `X = −23 ln(1 − R (1 − e^(−100/23)))`. 100 for rank 1,
/// near 0 for rank `n`.
///
/// Precondition: `n > 0` and `1 ≤ rank ≤ n`.
pub fn exponential_transform(rank: f64, n: usize) -> f64 {
    let n = n as f64;
    let r = (n + 1.0 - rank) / n;
    -EXP_CONSTANT * (1.0 - r * (1.0 - (-100.0 / EXP_CONSTANT).exp())).ln()
}

/// Ranks with ties replaced by the mean of the places they share: `k` areas printed with rank `r`
/// (competition ranking: the next rank printed is `r + k`) take `r + (k − 1) ÷ 2`.
///
/// Precondition: every rank is in `1..=ranks.len()` (checked by [`DomainScores::from_ranks`]).
pub fn mean_tied_ranks(ranks: &[u32]) -> Vec<f64> {
    let mut count = vec![0u32; ranks.len() + 2];
    for &r in ranks {
        if let Some(c) = count.get_mut(r as usize) {
            *c += 1;
        }
    }
    ranks
        .iter()
        .map(|&r| {
            let k = count.get(r as usize).copied().unwrap_or(1).max(1);
            f64::from(r) + f64::from(k - 1) / 2.0
        })
        .collect()
}

/// Every domain's exponentially transformed ranks, computed once per index; [`Self::combine`]
/// re-weights them.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainScores {
    /// The index.
    pub index: CompositeIndex,
    /// Areas.
    pub n: usize,
    /// `transformed[domain][area]`, 0 to 100, higher = more deprived or more need.
    pub transformed: Vec<Vec<f64>>,
}

/// A rebuilt index: one score, rank and decile per area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Combined {
    /// Scores on the published scale ([`CompositeIndex::score_scale`]); higher = worse.
    pub score: Vec<f64>,
    /// Ranks, 1 = the highest score; equal scores share the lowest rank.
    pub rank: Vec<u32>,
    /// Deciles, `⌈10 × rank ÷ n⌉`.
    pub decile: Vec<u8>,
}

impl DomainScores {
    /// Transforms the domain ranks (`ranks[domain][area]`, in [`CompositeIndex::domains`]
    /// order, each `1..=n`), checking their shape.
    pub fn from_ranks(index: CompositeIndex, ranks: &[&[u32]]) -> Result<Self, ReweightError> {
        let domains = index.domains();
        if ranks.len() != domains.len() {
            return Err(ReweightError::DomainCount {
                index,
                expected: domains.len(),
                found: ranks.len(),
            });
        }
        let n = ranks.first().map_or(0, |r| r.len());
        let mut transformed = Vec::with_capacity(ranks.len());
        for (d, col) in domains.iter().zip(ranks) {
            if col.len() != n {
                return Err(ReweightError::Length {
                    domain: d.key,
                    expected: n,
                    found: col.len(),
                });
            }
            if let Some((area, &rank)) = col
                .iter()
                .enumerate()
                .find(|(_, &r)| r == 0 || r as usize > n)
            {
                return Err(ReweightError::RankOutOfRange {
                    domain: d.key,
                    area,
                    rank,
                    n,
                });
            }
            transformed.push(
                mean_tied_ranks(col)
                    .into_iter()
                    .map(|r| exponential_transform(r, n))
                    .collect(),
            );
        }
        Ok(DomainScores {
            index,
            n,
            transformed,
        })
    }

    /// The weighted sum for every area, ranked and put in deciles.
    ///
    /// Precondition: `weights.index == self.index` (otherwise the domains are zipped in order).
    pub fn combine(&self, weights: &Weights) -> Combined {
        let scale = self.index.score_scale() / 100.0;
        let mut score = vec![0.0; self.n];
        for (col, p) in self.transformed.iter().zip(weights.percent()) {
            if *p == 0.0 {
                continue;
            }
            let w = p * scale;
            for (s, x) in score.iter_mut().zip(col) {
                *s += w * x;
            }
        }
        let rank = rank_descending(&score);
        let n = u32::try_from(self.n).unwrap_or(u32::MAX);
        let decile = rank
            .iter()
            .map(|&r| decile_from_rank(r, n).unwrap_or(10))
            .collect();
        Combined {
            score,
            rank,
            decile,
        }
    }
}

/// Competition ranks of `score`, highest first: rank = 1 + the number of strictly higher scores.
pub fn rank_descending(score: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..score.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| score[b as usize].total_cmp(&score[a as usize]));
    let mut rank = vec![0u32; score.len()];
    let mut prev: Option<(f64, u32)> = None;
    for (k, &i) in order.iter().enumerate() {
        let s = score[i as usize];
        let r = match prev {
            Some((ps, pr)) if ps == s => pr,
            _ => k as u32 + 1,
        };
        rank[i as usize] = r;
        prev = Some((s, r));
    }
    rank
}

/// How closely rebuilt ranks match the published ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reproduction {
    /// Areas compared.
    pub n: usize,
    /// Ranks equal.
    pub exact: usize,
    /// Within one place.
    pub within_1: usize,
    /// Within ten places.
    pub within_10: usize,
    /// The largest difference.
    pub max_diff: u32,
}

impl Reproduction {
    /// Compares `rebuilt` with `published`, area by area (equal lengths).
    pub fn compare(rebuilt: &[u32], published: &[u32]) -> Reproduction {
        let mut r = Reproduction {
            n: rebuilt.len().min(published.len()),
            exact: 0,
            within_1: 0,
            within_10: 0,
            max_diff: 0,
        };
        for (a, b) in rebuilt.iter().zip(published) {
            let d = a.abs_diff(*b);
            r.exact += usize::from(d == 0);
            r.within_1 += usize::from(d <= 1);
            r.within_10 += usize::from(d <= 10);
            r.max_diff = r.max_diff.max(d);
        }
        r
    }
}

/// Areas that moved into or out of the worst 10% (decile 1) against the official index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopDecileMoves {
    /// Positions of areas in decile 1 now but not officially.
    pub entered: Vec<usize>,
    /// Positions of areas officially in decile 1 but not now.
    pub left: Vec<usize>,
}

impl TopDecileMoves {
    /// Compares decile 1 membership of `rebuilt` deciles with the `official` ranks among `n`.
    pub fn between(official_rank: &[u32], rebuilt_decile: &[u8], n: usize) -> TopDecileMoves {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let mut m = TopDecileMoves::default();
        for (i, (&r, &d)) in official_rank.iter().zip(rebuilt_decile).enumerate() {
            let was = decile_from_rank(r, n) == Some(1);
            let is = d == 1;
            match (was, is) {
                (false, true) => m.entered.push(i),
                (true, false) => m.left.push(i),
                _ => {}
            }
        }
        m
    }

    /// One line: "12 areas moved into the most deprived 10% and 12 moved out of it".
    pub fn summary(&self, index: CompositeIndex) -> String {
        format!(
            "{} areas moved into the {} 10% and {} moved out of it, against the official {}",
            self.entered.len(),
            index.worst_words(),
            self.left.len(),
            index.id()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn the_transformation_runs_from_100_for_the_worst_to_near_0_for_the_best() {
        let n = 1000;
        assert!((exponential_transform(1.0, n) - 100.0).abs() < 1e-9);
        let best = exponential_transform(n as f64, n);
        assert!(best > 0.0 && best < 0.1, "{best}");
        // About 10% of areas score above 50 (10.2%: the constant 23 is rounded).
        let above = (1..=n)
            .filter(|r| exponential_transform(*r as f64, n) > 50.0)
            .count();
        assert!((100..=103).contains(&above), "{above}");
    }

    #[test]
    fn tied_ranks_take_the_mean_of_the_places_they_share() {
        assert_eq!(
            mean_tied_ranks(&[1, 2, 2, 4, 5]),
            vec![1.0, 2.5, 2.5, 4.0, 5.0]
        );
        assert_eq!(mean_tied_ranks(&[3, 1, 1, 1]), vec![3.0, 2.0, 2.0, 2.0]);
    }

    #[test]
    fn equal_scores_share_the_lowest_rank() {
        assert_eq!(rank_descending(&[1.0, 3.0, 3.0, 0.5]), vec![3, 1, 1, 4]);
    }

    #[test]
    fn official_weights_add_to_100_and_are_recognised() {
        for index in CompositeIndex::ALL {
            let w = Weights::official(index);
            let sum: f64 = w.percent().iter().sum();
            assert!((sum - 100.0).abs() < 0.11, "{index}: {sum}");
            assert!(w.is_official());
            assert_eq!(Weights::parse(index, "official"), Ok(w.clone()));
            assert_eq!(
                Weights::parse(index, &w.to_query()).map(|p| p.is_official()),
                Ok(true)
            );
        }
        assert!(!Weights::equal(CompositeIndex::Imd2025).is_official());
        // The CNI's official weights are equal.
        assert!(Weights::equal(CompositeIndex::Cni2023).is_official());
    }

    #[test]
    fn weights_are_normalised_to_100_percent() {
        let w = Weights::parse(CompositeIndex::Cni2023, "civic=1,connectedness=1,engaged=2")
            .expect("valid");
        assert_eq!(w.percent(), &[25.0, 25.0, 50.0]);
        assert_eq!(w.describe(), "civic 25%, connectedness 25%, engaged 50%");
        let only = Weights::parse(CompositeIndex::Imd2025, "health").expect("valid");
        assert_eq!(only.percent()[3], 100.0);
        assert_eq!(only.percent().iter().sum::<f64>(), 100.0);
    }

    #[rstest]
    #[case::unknown_domain("wealth=10", "no domain \"wealth\"")]
    #[case::unknown_single("wealth", "no domain \"wealth\"")]
    #[case::negative("income=-5,employment=10", "cannot be negative")]
    #[case::not_a_number("income=lots", "income=\"lots\": expected a number")]
    #[case::missing_equals("income=10,employment", "\"employment\" is not domain=number")]
    #[case::duplicate("income=10,income=20", "income is given twice")]
    #[case::all_zero("income=0", "at least one weight")]
    #[case::empty("", "is not domain=number")]
    #[case::infinite("income=inf", "expected a number")]
    fn bad_weights_are_refused_naming_the_bad_part(#[case] given: &str, #[case] words: &str) {
        let e = Weights::parse(CompositeIndex::Imd2025, given).expect_err(given);
        assert!(e.to_string().contains(words), "{given}: {e}");
    }

    #[test]
    fn an_unknown_index_is_refused() {
        let e = CompositeIndex::parse("imd2015").expect_err("unknown");
        assert!(e.to_string().contains("imd2015"));
        assert_eq!(
            CompositeIndex::parse("cni2023"),
            Ok(CompositeIndex::Cni2023)
        );
    }

    #[test]
    fn one_domain_only_reproduces_that_domains_ranks() {
        // Three areas, two domains: with all the weight on one domain the ranks are its ranks.
        let ranks_a = [2u32, 1, 3];
        let ranks_b = [1u32, 3, 2];
        let d =
            DomainScores::from_ranks(CompositeIndex::Cni2023, &[&ranks_a, &ranks_b, &[3, 2, 1]])
                .expect("valid");
        for (key, expected) in [("civic", ranks_a), ("connectedness", ranks_b)] {
            let w = Weights::only(CompositeIndex::Cni2023, key).expect("domain");
            assert_eq!(d.combine(&w).rank, expected, "{key}");
        }
    }

    #[test]
    fn one_high_domain_is_not_cancelled_by_a_low_one() {
        // Area 0 is the worst of 100 on one domain and the best on the other; area 1 is middling
        // on both. Averaging ranks would tie them; the exponential transformation puts area 0
        // first.
        let n = 100u32;
        let a: Vec<u32> = (1..=n).collect();
        let b: Vec<u32> = (1..=n).rev().collect();
        let d = DomainScores::from_ranks(CompositeIndex::Cni2023, &[&a, &b, &a]).expect("valid");
        let w = Weights::parse(CompositeIndex::Cni2023, "civic=1,connectedness=1").expect("ok");
        let c = d.combine(&w);
        let middling = (n / 2) as usize;
        assert!(
            c.score[0] > c.score[middling],
            "{} vs {}",
            c.score[0],
            c.score[middling]
        );
    }

    #[test]
    fn bad_rank_columns_are_refused() {
        let e = DomainScores::from_ranks(CompositeIndex::Cni2023, &[&[1, 2], &[1, 2], &[1, 3]])
            .expect_err("rank 3 of 2");
        assert!(e.to_string().contains("engaged"), "{e}");
        let e = DomainScores::from_ranks(CompositeIndex::Cni2023, &[&[1, 2], &[1]])
            .expect_err("two columns");
        assert!(e.to_string().contains("3 domains"), "{e}");
        let e = DomainScores::from_ranks(CompositeIndex::Cni2023, &[&[1, 2], &[1], &[1, 2]])
            .expect_err("short");
        assert!(e.to_string().contains("connectedness"), "{e}");
    }

    #[test]
    fn moves_into_and_out_of_the_worst_tenth_are_counted() {
        let official = [
            1u32, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ];
        let mut deciles: Vec<u8> = official
            .iter()
            .map(|&r| decile_from_rank(r, 20).unwrap_or(10))
            .collect();
        deciles.swap(1, 5);
        let m = TopDecileMoves::between(&official, &deciles, 20);
        assert_eq!(m.entered, vec![5]);
        assert_eq!(m.left, vec![1]);
        assert!(m
            .summary(CompositeIndex::Imd2025)
            .starts_with("1 areas moved into the most deprived 10%"));
    }

    #[test]
    fn the_method_sentence_names_the_weights() {
        let s = Weights::official(CompositeIndex::Imd2025).method_sentence();
        assert!(s.contains("income 22.5%"), "{s}");
        assert!(s.contains("MHCLG"), "{s}");
        let s = Weights::parse(CompositeIndex::Imd2025, "income=1")
            .expect("ok")
            .method_sentence();
        assert!(s.contains("income 100%, employment 0%"), "{s}");
    }
}

/// One area of a re-weighted index, as `/api/reweight` sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReweightArea {
    /// Area code.
    pub code: String,
    /// Area name (empty when no file gives it).
    pub name: String,
    /// Re-weighted score (published scale).
    pub score: f64,
    /// Re-weighted rank.
    pub rank: u32,
    /// Re-weighted decile.
    pub decile: u8,
    /// The published rank.
    pub official_rank: u32,
    /// The published decile.
    pub official_decile: u8,
}

/// The areas that moved into or out of the worst 10%, with the count line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopDecileReport {
    /// Areas now in the worst 10% that officially are not.
    pub entered: Vec<ReweightArea>,
    /// Areas officially in the worst 10% that now are not.
    pub left: Vec<ReweightArea>,
    /// The count in one sentence.
    pub summary: String,
}

/// `GET /api/reweight?format=json`: a re-weighted index and what changed against the official one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReweightResponse {
    /// The index id.
    pub index: CompositeIndex,
    /// Percent per domain key, in the index's domain order.
    pub weights: Vec<(String, f64)>,
    /// Whether these are the published weights.
    pub official: bool,
    /// The method in one sentence.
    pub method: String,
    /// Areas ranked.
    pub n: usize,
    /// How the re-weighted ranks compare with the published ranks.
    pub against_official: Reproduction,
    /// Moves into and out of the worst 10%.
    pub top_decile: TopDecileReport,
    /// Every area, in code order.
    pub areas: Vec<ReweightArea>,
}
