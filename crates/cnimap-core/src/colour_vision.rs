//! How the map's colours look to people with the common colour-vision deficiencies, and how far
//! apart two colours look: the check that every ramp and the bivariate scheme stay readable.
//!
//! - [`simulate`] applies the matrices of Machado, Oliveira and Fernandes, "A Physiologically-based
//!   Model for Simulation of Color Vision Deficiency" (IEEE TVCG 15(6), 2009), at severity 1.0
//!   (protanopia, deuteranopia, tritanopia: one kind of cone missing), to linear RGB: sRGB is
//!   linearised, multiplied by the matrix, clamped to 0..1 and encoded again.
//! - [`delta_e_2000`] is the CIEDE2000 colour difference (Sharma, Wu and Dalal, "The CIEDE2000
//!   Color-Difference Formula", Color Research & Application 30(1), 2005) between two sRGB colours
//!   through CIE L\*a\*b\* (D65 white).
//!
//! [`MIN_DISTINCT_DELTA_E`] is the difference the tests ask of classes that must be told apart.

use crate::colour::Rgb;

/// The smallest CIEDE2000 difference the tests accept between two classes a reader must tell
/// apart (adjacent deciles of a ramp; any two of the nine bivariate classes; no data and any
/// class), under normal vision and every simulated deficiency. About 1 to 2 is just noticeable
/// with the two colours side by side; 3.5, about twice that, is told apart between neighbouring
/// areas and against the legend. Measured minimums (issue 14; the test prints them:
/// `cargo test -p cnimap-core colour_vision -- --nocapture`): viridis 3.89 (protanopia, deciles 9
/// and 10, lime and yellow), magma 4.50 (protanopia, deciles 3 and 4), the bivariate scheme 15.0,
/// the change map's PuOr (adjacent classes, mirrored classes, grey against each): see the test.
pub const MIN_DISTINCT_DELTA_E: f64 = 3.5;

/// A colour-vision deficiency, simulated at full severity (one cone type missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deficiency {
    /// No long-wavelength (red) cones.
    Protanopia,
    /// No medium-wavelength (green) cones: the most common.
    Deuteranopia,
    /// No short-wavelength (blue) cones: rare.
    Tritanopia,
}

impl Deficiency {
    /// All three, in the order above.
    pub const ALL: [Deficiency; 3] = [
        Deficiency::Protanopia,
        Deficiency::Deuteranopia,
        Deficiency::Tritanopia,
    ];

    /// Machado et al. (2009), table of severity 1.0, applied to linear RGB column vectors.
    fn matrix(self) -> [[f64; 3]; 3] {
        match self {
            Deficiency::Protanopia => [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ],
            Deficiency::Deuteranopia => [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ],
            Deficiency::Tritanopia => [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ],
        }
    }

    /// Its name, lower case.
    pub fn name(self) -> &'static str {
        match self {
            Deficiency::Protanopia => "protanopia",
            Deficiency::Deuteranopia => "deuteranopia",
            Deficiency::Tritanopia => "tritanopia",
        }
    }
}

fn to_linear(channel: u8) -> f64 {
    let c = f64::from(channel) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn to_srgb(linear: f64) -> u8 {
    let l = linear.clamp(0.0, 1.0);
    let c = if l <= 0.003_130_8 {
        12.92 * l
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    };
    // In 0..=255 after the clamp, so the cast cannot wrap.
    (c * 255.0).round() as u8
}

/// How `colour` looks to someone with `deficiency` (Machado et al. 2009, severity 1.0, in linear
/// RGB).
pub fn simulate(colour: Rgb, deficiency: Deficiency) -> Rgb {
    let rgb = [
        to_linear(colour.0),
        to_linear(colour.1),
        to_linear(colour.2),
    ];
    let m = deficiency.matrix();
    let row = |r: [f64; 3]| r[0] * rgb[0] + r[1] * rgb[1] + r[2] * rgb[2];
    Rgb(to_srgb(row(m[0])), to_srgb(row(m[1])), to_srgb(row(m[2])))
}

/// CIE L\*a\*b\* of an sRGB colour (D65 white, 2° observer).
pub fn lab(colour: Rgb) -> [f64; 3] {
    let (r, g, b) = (
        to_linear(colour.0),
        to_linear(colour.1),
        to_linear(colour.2),
    );
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = 0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x / 0.950_47), f(y), f(z / 1.088_83));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The CIEDE2000 difference between two L\*a\*b\* colours (kL = kC = kH = 1).
pub fn delta_e_2000_lab(lab1: [f64; 3], lab2: [f64; 3]) -> f64 {
    use std::f64::consts::PI;
    let [l1, a1, b1] = lab1;
    let [l2, a2, b2] = lab2;
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let c7 = c_bar.powi(7);
    let g = 0.5 * (1.0 - (c7 / (c7 + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            let h = b.atan2(a).to_degrees();
            if h < 0.0 {
                h + 360.0
            } else {
                h
            }
        }
    };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dl = l2 - l1;
    let dc = c2p - c1p;
    let dh = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let dh_big = 2.0 * (c1p * c2p).sqrt() * (dh.to_radians() / 2.0).sin();
    let l_bar = (l1 + l2) / 2.0;
    let cp_bar = (c1p + c2p) / 2.0;
    let hp_bar = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let t = 1.0 - 0.17 * (hp_bar - 30.0).to_radians().cos()
        + 0.24 * (2.0 * hp_bar).to_radians().cos()
        + 0.32 * (3.0 * hp_bar + 6.0).to_radians().cos()
        - 0.20 * (4.0 * hp_bar - 63.0).to_radians().cos();
    let d_theta = 30.0 * (-((hp_bar - 275.0) / 25.0).powi(2)).exp();
    let cp7 = cp_bar.powi(7);
    let r_c = 2.0 * (cp7 / (cp7 + 25f64.powi(7))).sqrt();
    let l50 = (l_bar - 50.0).powi(2);
    let s_l = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let s_c = 1.0 + 0.045 * cp_bar;
    let s_h = 1.0 + 0.015 * cp_bar * t;
    let r_t = -(2.0 * d_theta * PI / 180.0).sin() * r_c;
    let (x, y, z) = (dl / s_l, dc / s_c, dh_big / s_h);
    (x * x + y * y + z * z + r_t * y * z).sqrt()
}

/// The CIEDE2000 difference between two sRGB colours.
pub fn delta_e_2000(a: Rgb, b: Rgb) -> f64 {
    delta_e_2000_lab(lab(a), lab(b))
}

/// The smallest CIEDE2000 difference between any two of `pairs`, as seen with `deficiency`
/// (`None`: normal vision), and the pair it is found at.
pub fn min_difference(
    pairs: &[(Rgb, Rgb)],
    deficiency: Option<Deficiency>,
) -> Option<(f64, Rgb, Rgb)> {
    let seen = |c: Rgb| deficiency.map_or(c, |d| simulate(c, d));
    pairs
        .iter()
        .map(|&(a, b)| (delta_e_2000(seen(a), seen(b)), a, b))
        .min_by(|x, y| x.0.total_cmp(&y.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bivariate::BivariateClass;
    use crate::colour::{Ramp, NO_DATA};
    use rstest::rstest;

    // Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 25 of their test data.
    #[rstest]
    #[case::pair_1([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425)]
    #[case::pair_7([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669)]
    #[case::pair_17([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492)]
    #[case::pair_25([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644)]
    fn ciede2000_matches_the_published_test_data(
        #[case] a: [f64; 3],
        #[case] b: [f64; 3],
        #[case] expected: f64,
    ) {
        let got = delta_e_2000_lab(a, b);
        assert!((got - expected).abs() < 1e-4, "{got} != {expected}");
        assert!(
            (delta_e_2000_lab(b, a) - expected).abs() < 1e-4,
            "symmetric"
        );
    }

    #[test]
    fn lab_of_white_and_black_are_the_ends_of_lightness() {
        let w = lab(Rgb(255, 255, 255));
        assert!(
            (w[0] - 100.0).abs() < 0.01 && w[1].abs() < 0.01 && w[2].abs() < 0.01,
            "{w:?}"
        );
        assert!(lab(Rgb(0, 0, 0))[0].abs() < 1e-9);
    }

    #[test]
    fn greys_look_the_same_to_everyone_and_red_and_green_merge_without_red_or_green_cones() {
        for d in Deficiency::ALL {
            // Each matrix row sums to 1, so a grey stays (within rounding) the same grey.
            let g = simulate(Rgb(0x80, 0x80, 0x80), d);
            for c in [g.0, g.1, g.2] {
                assert!(c.abs_diff(0x80) <= 1, "{} turns grey into {g}", d.name());
            }
        }
        let (red, green) = (Rgb(0xd0, 0x40, 0x40), Rgb(0x60, 0x90, 0x40));
        let normal = delta_e_2000(red, green);
        for d in [Deficiency::Protanopia, Deficiency::Deuteranopia] {
            let seen = delta_e_2000(simulate(red, d), simulate(green, d));
            assert!(seen < normal / 2.0, "{}: {seen} vs {normal}", d.name());
        }
    }

    /// Adjacent classes of a ramp, decile 1 with 2, 2 with 3, …, and the last with no data.
    fn adjacent(ramp: Ramp) -> Vec<(Rgb, Rgb)> {
        let c = ramp.colours();
        c.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// Every pair of the nine bivariate classes.
    fn bivariate_pairs() -> Vec<(Rgb, Rgb)> {
        let all = BivariateClass::ALL;
        let mut pairs = Vec::new();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                pairs.push((a.colour(), b.colour()));
            }
        }
        pairs
    }

    /// The minimum difference per scheme and vision, printed (run with `--nocapture`), and
    /// checked against [`MIN_DISTINCT_DELTA_E`].
    fn check(scheme: &str, pairs: &[(Rgb, Rgb)]) {
        let mut failures = Vec::new();
        let visions = std::iter::once(None).chain(Deficiency::ALL.into_iter().map(Some));
        for vision in visions {
            let name = vision.map_or("normal vision", Deficiency::name);
            let Some((min, a, b)) = min_difference(pairs, vision) else {
                panic!("{scheme}: no pairs");
            };
            eprintln!("colour vision: {scheme:<22} {name:<14} min ΔE00 {min:5.2} ({a} vs {b})");
            if min < MIN_DISTINCT_DELTA_E {
                failures.push(format!("{name}: {min:.2} between {a} and {b}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{scheme}: classes closer than ΔE00 {MIN_DISTINCT_DELTA_E}: {failures:?}"
        );
    }

    #[test]
    fn adjacent_deciles_of_every_ramp_stay_distinct_with_each_deficiency() {
        for ramp in Ramp::ALL {
            check(&format!("{ramp:?} ramp"), &adjacent(ramp));
        }
    }

    #[test]
    fn the_nine_bivariate_classes_stay_distinct_with_each_deficiency() {
        check("bivariate 3 x 3", &bivariate_pairs());
    }

    #[test]
    fn adjacent_classes_of_the_change_map_stay_distinct_with_each_deficiency() {
        use crate::change_map::ShiftClass;
        let c: Vec<Rgb> = ShiftClass::ALL[..7].iter().map(|c| c.colour()).collect();
        let mut pairs: Vec<(Rgb, Rgb)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        // The two sides must not be confused: each class against its mirror on the other side.
        pairs.extend((0..3).map(|i| (c[i], c[6 - i])));
        // Not comparable (grey) against every class.
        pairs.extend(c.iter().map(|&x| (ShiftClass::NotComparable.colour(), x)));
        check("change map (PuOr 7)", &pairs);
    }

    #[test]
    fn no_data_grey_differs_from_every_class_with_each_deficiency() {
        let mut pairs: Vec<(Rgb, Rgb)> = Ramp::ALL
            .iter()
            .flat_map(|r| r.colours().iter().map(|&c| (NO_DATA, c)))
            .collect();
        pairs.extend(BivariateClass::ALL.iter().map(|c| (NO_DATA, c.colour())));
        check("no data vs classes", &pairs);
    }
}
