//! Colour-blind-safe colour ramps for deciles, and readable label colours.
//!
//! Both ramps are samples of the perceptually uniform colour maps of Stéfan van der Walt and
//! Nathaniel Smith, made for matplotlib (2015) and designed to stay readable with the common forms
//! of colour blindness and in greyscale. Their lightness rises steadily along the ramp, so the order
//! of the classes reads without relying on hue. Decile 1 (most deprived, highest need) is the
//! darkest colour in both.
//!
//! The hex values are the entries of matplotlib's 256-entry lookup tables
//! (`lib/matplotlib/_cm_listed.py`, 0–1 channels × 255, rounded):
//! - [`Ramp::Deprivation`] is `magma`, entries `round(255 × (0.10 + 0.85 × (decile − 1) ÷ 9))`
//!   (26, 50, 74, …, 242): dark violet through red and orange to cream. The ends of magma are cut
//!   because entry 0 is almost black and would hide area outlines.
//! - [`Ramp::Need`] is `viridis`, entries `round(255 × (decile − 1) ÷ 9)` (0, 28, 57, …, 255): dark
//!   purple through blue and green to yellow, the same colours as R's `viridisLite::viridis(10)`.

use serde::{Deserialize, Serialize};

use crate::catalogue::Direction;

/// An sRGB colour with 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Black, for labels on light colours.
pub const BLACK: Rgb = Rgb(0x00, 0x00, 0x00);

/// White, for labels on dark colours.
pub const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);

/// Light grey for areas with no value (for example a Welsh LSOA, or a ward missing from the CNI).
/// It differs from every ramp colour and from the lightest bivariate class (`#f0f0f0`).
pub const NO_DATA: Rgb = Rgb(0xCC, 0xCC, 0xCC);

/// The WCAG 2 minimum contrast ratio for normal-size text (success criterion 1.4.3, level AA).
pub const WCAG_AA_TEXT_CONTRAST: f64 = 4.5;

impl Rgb {
    /// `#rrggbb` in lower case, as CSS and MapLibre style expressions take it.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance, from 0 (black) to 1 (white): the sRGB channels are linearised and
    /// weighted 0.2126 R + 0.7152 G + 0.0722 B.
    pub fn relative_luminance(self) -> f64 {
        fn linear(channel: u8) -> f64 {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG 2 contrast ratio between two colours, from 1 (none) to 21 (black on white).
    pub fn contrast_ratio(self, other: Rgb) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The label colour, black or white, with the higher WCAG contrast on this background. The
    /// better of the two always reaches at least 4.58:1, above the 4.5:1 that WCAG AA asks of text.
    pub fn text_colour(self) -> Rgb {
        if self.contrast_ratio(BLACK) >= self.contrast_ratio(WHITE) {
            BLACK
        } else {
            WHITE
        }
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A sequential 10-class ramp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ramp {
    /// For the Indices of Deprivation: `magma`, dark violet (most deprived) to cream.
    Deprivation,
    /// For the Community Needs Index: `viridis`, dark purple (highest need) to yellow.
    Need,
}

/// magma entries 26, 50, 74, 98, 122, 146, 170, 194, 218, 242; decile 1 first.
const MAGMA_10: [Rgb; 10] = [
    Rgb(0x15, 0x0E, 0x38),
    Rgb(0x39, 0x0F, 0x6E),
    Rgb(0x60, 0x18, 0x80),
    Rgb(0x86, 0x27, 0x81),
    Rgb(0xAD, 0x34, 0x7C),
    Rgb(0xD3, 0x43, 0x6E),
    Rgb(0xF1, 0x60, 0x5D),
    Rgb(0xFC, 0x8C, 0x63),
    Rgb(0xFE, 0xB9, 0x7F),
    Rgb(0xFD, 0xE5, 0xA7),
];

/// viridis entries 0, 28, 57, 85, 113, 142, 170, 198, 227, 255; decile 1 first.
const VIRIDIS_10: [Rgb; 10] = [
    Rgb(0x44, 0x01, 0x54),
    Rgb(0x48, 0x28, 0x78),
    Rgb(0x3E, 0x4A, 0x89),
    Rgb(0x31, 0x68, 0x8E),
    Rgb(0x26, 0x82, 0x8E),
    Rgb(0x1F, 0x9E, 0x89),
    Rgb(0x35, 0xB7, 0x79),
    Rgb(0x6C, 0xCD, 0x5A),
    Rgb(0xB5, 0xDE, 0x2B),
    Rgb(0xFD, 0xE7, 0x25),
];

impl Ramp {
    /// Both ramps.
    pub const ALL: [Ramp; 2] = [Ramp::Deprivation, Ramp::Need];

    /// The ramp for an index whose ranks run in `direction`.
    pub fn for_direction(direction: Direction) -> Ramp {
        match direction {
            Direction::MostDeprivedFirst => Ramp::Deprivation,
            Direction::HighestNeedFirst => Ramp::Need,
        }
    }

    /// The ten colours, decile 1 first.
    pub fn colours(self) -> &'static [Rgb; 10] {
        match self {
            Ramp::Deprivation => &MAGMA_10,
            Ramp::Need => &VIRIDIS_10,
        }
    }

    /// Where the colours come from, for the legend's small print.
    pub fn source(self) -> &'static str {
        match self {
            Ramp::Deprivation => {
                "Colours: magma (van der Walt and Smith, matplotlib), colour-blind safe."
            }
            Ramp::Need => {
                "Colours: viridis (van der Walt and Smith, matplotlib), colour-blind safe."
            }
        }
    }
}

/// The colour of `decile` (1..=10) on `ramp`; `None` outside 1..=10 (use [`NO_DATA`] then).
pub fn decile_colour(ramp: Ramp, decile: u8) -> Option<Rgb> {
    let index = usize::from(decile).checked_sub(1)?;
    ramp.colours().get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::deprivation(Ramp::Deprivation)]
    #[case::need(Ramp::Need)]
    fn each_ramp_has_ten_distinct_colours_and_none_is_the_no_data_grey(#[case] ramp: Ramp) {
        let mut hexes: Vec<String> = ramp.colours().iter().map(|c| c.to_hex()).collect();
        hexes.sort();
        hexes.dedup();
        assert_eq!(hexes.len(), 10);
        assert!(!hexes.contains(&NO_DATA.to_hex()));
    }

    #[rstest]
    #[case::deprivation(Ramp::Deprivation)]
    #[case::need(Ramp::Need)]
    fn luminance_rises_strictly_from_decile_one_to_ten(#[case] ramp: Ramp) {
        let lum: Vec<f64> = (1..=10)
            .filter_map(|d| decile_colour(ramp, d))
            .map(Rgb::relative_luminance)
            .collect();
        assert_eq!(lum.len(), 10);
        for pair in lum.windows(2) {
            assert!(pair[0] < pair[1], "{lum:?}");
        }
    }

    #[rstest]
    #[case::deprivation(Ramp::Deprivation)]
    #[case::need(Ramp::Need)]
    fn labels_on_every_class_meet_wcag_aa_contrast(#[case] ramp: Ramp) {
        for colour in ramp.colours().iter().copied().chain([NO_DATA]) {
            let ratio = colour.contrast_ratio(colour.text_colour());
            assert!(ratio >= WCAG_AA_TEXT_CONTRAST, "{colour}: {ratio:.2}");
        }
    }

    #[test]
    fn decile_one_is_darkest_and_takes_white_text() {
        for ramp in Ramp::ALL {
            let first = decile_colour(ramp, 1).map(Rgb::text_colour);
            let last = decile_colour(ramp, 10).map(Rgb::text_colour);
            assert_eq!(first, Some(WHITE), "{ramp:?}");
            assert_eq!(last, Some(BLACK), "{ramp:?}");
        }
    }

    #[rstest]
    #[case::zero(0)]
    #[case::eleven(11)]
    #[case::max(u8::MAX)]
    fn deciles_outside_one_to_ten_have_no_colour(#[case] decile: u8) {
        assert_eq!(decile_colour(Ramp::Need, decile), None);
    }

    #[test]
    fn ramps_differ_and_follow_the_index_direction() {
        assert_ne!(Ramp::Deprivation.colours(), Ramp::Need.colours());
        assert_eq!(
            Ramp::for_direction(Direction::MostDeprivedFirst),
            Ramp::Deprivation
        );
        assert_eq!(Ramp::for_direction(Direction::HighestNeedFirst), Ramp::Need);
    }

    #[rstest]
    #[case::black(BLACK, "#000000", 0.0)]
    #[case::white(WHITE, "#ffffff", 1.0)]
    #[case::mid_grey(Rgb(0x77, 0x77, 0x77), "#777777", 0.184)]
    #[case::viridis_first(Rgb(0x44, 0x01, 0x54), "#440154", 0.0189)]
    fn hex_and_luminance_match_the_wcag_definitions(
        #[case] colour: Rgb,
        #[case] hex: &str,
        #[case] luminance: f64,
    ) {
        assert_eq!(colour.to_hex(), hex);
        assert!(
            (colour.relative_luminance() - luminance).abs() < 5e-4,
            "{colour}"
        );
    }

    #[test]
    fn black_on_white_has_the_maximum_contrast_of_21() {
        assert!((BLACK.contrast_ratio(WHITE) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast_ratio(BLACK) - 21.0).abs() < 1e-9);
    }
}
