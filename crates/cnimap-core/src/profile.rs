//! The arithmetic of the area profile and the comparison (issue 13): where a rank sits on a strip
//! of England's areas 1..N with its decile bands, and the list of areas compared side by side.

use crate::classify::quantile_rank_range;

/// How many areas the comparison holds at most.
pub const MAX_COMPARED: usize = 4;

/// Where rank `rank` of `n` sits along a strip from the first (0.0) to the last (1.0) area: the
/// middle of its slot, `(rank − ½) ÷ n`. `None` for rank 0, a rank above `n`, or `n` = 0.
pub fn rank_fraction(rank: u32, n: u32) -> Option<f64> {
    (rank >= 1 && rank <= n).then(|| (f64::from(rank) - 0.5) / f64::from(n))
}

/// One decile's band on the strip: its decile and where it starts and ends (fractions of the
/// strip, so the bands tile `0.0..1.0` without gaps).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecileBand {
    /// 1 = the most deprived or highest-need tenth.
    pub decile: u8,
    /// Start, a fraction of the strip.
    pub start: f64,
    /// End, a fraction of the strip.
    pub end: f64,
}

/// The ten decile bands of `n` ranked areas, by MHCLG's rule (decile = ⌈10 × rank ÷ n⌉): each band
/// runs from its first rank's slot to its last rank's slot. Empty deciles (`n` < 10) are left out.
pub fn decile_bands(n: u32) -> Vec<DecileBand> {
    (1..=10u8)
        .filter_map(|decile| {
            let ranks = quantile_rank_range(decile, n, 10)?;
            Some(DecileBand {
                decile,
                start: f64::from(ranks.start() - 1) / f64::from(n),
                end: f64::from(*ranks.end()) / f64::from(n),
            })
        })
        .collect()
}

/// Why an area could not be added to the comparison.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The comparison is full.
    #[error("You can compare up to {MAX_COMPARED} areas: remove one before adding {code}.")]
    Full {
        /// The area refused.
        code: String,
    },
    /// The area is compared already.
    #[error("{code} is already in the comparison.")]
    Already {
        /// The area.
        code: String,
    },
    /// Not an area code.
    #[error("“{code}” is not an area code (codes are letters and digits, like E01021988).")]
    NotACode {
        /// What was given.
        code: String,
    },
}

/// Normalises an area code as the server does (trimmed, upper case); `None` when it is empty or
/// holds anything but ASCII letters and digits, or is longer than 16 characters.
pub fn normalise_code(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    (!code.is_empty() && code.len() <= 16 && code.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(code)
}

/// `list` with `code` added at the end; refused when the list is full, already holds it, or it
/// is not a code.
pub fn add_compared(list: &[String], code: &str) -> Result<Vec<String>, CompareError> {
    let Some(code) = normalise_code(code) else {
        return Err(CompareError::NotACode {
            code: code.to_string(),
        });
    };
    if list.contains(&code) {
        return Err(CompareError::Already { code });
    }
    if list.len() >= MAX_COMPARED {
        return Err(CompareError::Full { code });
    }
    let mut out = list.to_vec();
    out.push(code);
    Ok(out)
}

/// Reads a `compare=CODE,CODE` list: codes normalised, duplicates and non-codes dropped, at most
/// [`MAX_COMPARED`] kept (the first ones).
pub fn parse_compared(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in value.split(',').filter_map(normalise_code) {
        if out.len() < MAX_COMPARED && !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// Metres per CSS pixel at latitude `lat` (degrees) and zoom `zoom` on MapLibre's 512-pixel
/// Web Mercator tiles.
pub fn metres_per_pixel(lat: f64, zoom: f64) -> f64 {
    const EARTH_CIRCUMFERENCE_M: f64 = 40_075_016.686;
    EARTH_CIRCUMFERENCE_M * lat.to_radians().cos() / (512.0 * 2f64.powf(zoom))
}

/// A scale bar no longer than `max_px` CSS pixels: a round distance (1, 2 or 5 × 10ⁿ metres) and
/// its length in pixels, with its label ("500 m", "20 km"). `None` when the inputs are not finite
/// or the scale is degenerate.
pub fn scale_bar(lat: f64, zoom: f64, max_px: f64) -> Option<(f64, f64, String)> {
    let mpp = metres_per_pixel(lat, zoom);
    if !mpp.is_finite() || mpp <= 0.0 || !max_px.is_finite() || max_px <= 0.0 {
        return None;
    }
    let max_m = mpp * max_px;
    let magnitude = 10f64.powf(max_m.log10().floor());
    let metres = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * magnitude)
        .find(|m| *m <= max_m)?;
    let label = if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    };
    Some((metres, metres / mpp, label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::decile_from_rank;

    #[test]
    fn ranks_sit_in_the_middle_of_their_slot_and_out_of_range_ranks_have_no_place() {
        assert_eq!(rank_fraction(1, 10), Some(0.05));
        assert_eq!(rank_fraction(10, 10), Some(0.95));
        assert_eq!(rank_fraction(0, 10), None);
        assert_eq!(rank_fraction(11, 10), None);
        assert_eq!(rank_fraction(1, 0), None);
    }

    #[test]
    fn the_bands_tile_the_strip_and_every_rank_falls_in_its_own_decile_band() {
        for n in [10, 11, 296, 7_264, 33_755] {
            let bands = decile_bands(n);
            assert_eq!(bands.len(), 10, "n = {n}");
            assert_eq!(bands[0].start, 0.0);
            assert_eq!(bands[9].end, 1.0);
            for pair in bands.windows(2) {
                assert_eq!(pair[0].end, pair[1].start, "n = {n}");
            }
            for rank in [1, n / 3, n / 2 + 1, n] {
                let x = rank_fraction(rank, n).expect("in range");
                let band = bands
                    .iter()
                    .find(|b| b.start <= x && x < b.end)
                    .expect("a band");
                assert_eq!(
                    Some(band.decile),
                    decile_from_rank(rank, n),
                    "rank {rank} of {n}"
                );
            }
        }
        // Fewer areas than deciles: the empty deciles are left out.
        assert_eq!(decile_bands(9).len(), 9);
        assert!(decile_bands(0).is_empty());
    }

    #[test]
    fn the_comparison_takes_four_areas_refuses_a_fifth_and_a_repeat() {
        let mut list = Vec::new();
        for code in ["e01021988", "E05004134", "E07000076", "E12000006"] {
            list = add_compared(&list, code).expect("room");
        }
        assert_eq!(list[0], "E01021988");
        assert_eq!(
            add_compared(&list, "E01000001"),
            Err(CompareError::Full {
                code: "E01000001".into()
            })
        );
        assert!(add_compared(&list[..3], " e01021988 ").is_err());
        assert!(matches!(
            add_compared(&[], "E01 <x>"),
            Err(CompareError::NotACode { .. })
        ));
        let message = CompareError::Full { code: "X1".into() }.to_string();
        assert!(message.contains("up to 4 areas"), "{message}");
    }

    #[test]
    fn a_compare_list_from_a_url_is_cleaned_and_cut_at_four() {
        assert_eq!(
            parse_compared("e01021988,,E01021988,E07000076,bad code,E1,E2,E3"),
            vec!["E01021988", "E07000076", "E1", "E2"]
        );
        assert!(parse_compared("").is_empty());
    }

    #[test]
    fn the_scale_bar_is_a_round_distance_no_longer_than_asked() {
        // At the equator, zoom 0: 40,075 km over 512 px.
        assert!((metres_per_pixel(0.0, 0.0) - 78_271.517).abs() < 0.01);
        let (m, px, label) = scale_bar(51.8, 12.0, 100.0).expect("a scale");
        assert!(px <= 100.0 && px > 40.0, "{px}");
        assert_eq!((m, label.as_str()), (1000.0, "1 km"));
        let (m, _, label) = scale_bar(52.5, 6.0, 120.0).expect("a scale");
        assert_eq!((m, label.as_str()), (50_000.0, "50 km"));
        let (m, _, label) = scale_bar(51.8, 16.0, 100.0).expect("a scale");
        assert_eq!((m, label.as_str()), (50.0, "50 m"));
        assert_eq!(scale_bar(f64::NAN, 6.0, 100.0), None);
        assert_eq!(scale_bar(52.0, 6.0, 0.0), None);
    }
}
