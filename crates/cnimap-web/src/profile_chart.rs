//! The area profile's small charts, as SVG text made in Rust: a strip of England's areas from
//! rank 1 to N, coloured by decile band, with the area's place marked, and the same in words for
//! screen readers and print. Pure, so unit-tested natively.

use cnimap_core::classify::format_thousands;
use cnimap_core::colour::{decile_colour, Ramp, NO_DATA};
use cnimap_core::profile::{decile_bands, rank_fraction};
use cnimap_core::Level;

/// Width of a strip, in SVG units (it scales to its box).
pub const STRIP_WIDTH: f64 = 300.0;

/// Height of a strip, in SVG units.
pub const STRIP_HEIGHT: f64 = 26.0;

/// One indicator's place on its strip.
#[derive(Debug, Clone, PartialEq)]
pub struct StripPlace {
    /// The indicator's title ("Income").
    pub title: String,
    /// Rank (1 = most deprived / highest need).
    pub rank: u32,
    /// Ranked out of.
    pub of: u32,
    /// Decile.
    pub decile: Option<u8>,
    /// The colour ramp of the indicator.
    pub ramp: Ramp,
    /// The level whose areas are ranked.
    pub level: Level,
}

/// What the strip's two ends mean for a ramp.
fn ends(ramp: Ramp) -> (&'static str, &'static str) {
    match ramp {
        Ramp::Deprivation => ("most deprived", "least deprived"),
        Ramp::Need => ("highest need", "lowest need"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The place in words: "Income: rank 1,234 of 33,755 neighbourhoods in England (1 = most
/// deprived), decile 1: further towards the most deprived end than 96% of them."
pub fn strip_text(place: &StripPlace) -> String {
    let (first, _) = ends(place.ramp);
    let decile = place
        .decile
        .map(|d| format!(", decile {d} of 10"))
        .unwrap_or_default();
    let behind = u64::from(place.of - place.rank.min(place.of)) * 100 / u64::from(place.of.max(1));
    format!(
        "{}: rank {} of {} {} in England (1 = {first}){decile}; {behind}% of them are less {}.",
        place.title,
        format_thousands(place.rank),
        format_thousands(place.of),
        place.level.areas_noun(),
        match place.ramp {
            Ramp::Deprivation => "deprived",
            Ramp::Need => "in need",
        }
    )
}

/// The strip as an SVG element: ten decile bands (pale), the area's decile band outlined, a
/// marker at its rank, rank 1 on the left. `None` when the rank is out of range.
pub fn strip_svg(place: &StripPlace) -> Option<String> {
    let x = rank_fraction(place.rank, place.of)? * STRIP_WIDTH;
    let (w, h) = (STRIP_WIDTH, STRIP_HEIGHT);
    let bar_top = 8.0;
    let bar_h = 12.0;
    let mut svg = format!(
        "<svg class=\"strip\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(&strip_text(place))
    );
    for band in decile_bands(place.of) {
        let colour = decile_colour(place.ramp, band.decile).unwrap_or(NO_DATA);
        let here = Some(band.decile) == place.decile;
        svg.push_str(&format!(
            "<rect x=\"{:.2}\" y=\"{bar_top}\" width=\"{:.2}\" height=\"{bar_h}\" fill=\"{}\" \
             fill-opacity=\"{}\"/>",
            band.start * w,
            (band.end - band.start) * w,
            colour.to_hex(),
            if here { "0.9" } else { "0.35" },
        ));
    }
    // The marker: a dark line with a white halo, and a triangle above.
    svg.push_str(&format!(
        "<line x1=\"{x:.2}\" y1=\"4\" x2=\"{x:.2}\" y2=\"{}\" stroke=\"#fff\" stroke-width=\"5\"/>\
         <line x1=\"{x:.2}\" y1=\"4\" x2=\"{x:.2}\" y2=\"{}\" stroke=\"#111\" stroke-width=\"2.5\"/>\
         <path d=\"M{:.2} 0 L{:.2} 0 L{x:.2} 6 Z\" fill=\"#111\"/>",
        h - 2.0,
        h - 2.0,
        x - 4.0,
        x + 4.0,
    ));
    svg.push_str("</svg>");
    Some(svg)
}

/// The words under a group of strips: which end is which.
pub fn strip_key(ramp: Ramp, level: Level, of: u32) -> String {
    let (first, last) = ends(ramp);
    format!(
        "Each strip is England’s {} {}, rank 1 ({first}) on the left to rank {} ({last}) on the \
         right, coloured by decile; the mark is this area.",
        format_thousands(of),
        level.areas_noun(),
        format_thousands(of)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(rank: u32, of: u32) -> StripPlace {
        StripPlace {
            title: "Income & <jobs>".into(),
            rank,
            of,
            decile: cnimap_core::classify::decile_from_rank(rank, of),
            ramp: Ramp::Deprivation,
            level: Level::Lsoa21,
        }
    }

    #[test]
    fn the_marker_sits_at_the_rank_and_the_areas_decile_band_is_the_strong_one() {
        let svg = strip_svg(&place(1, 33_755)).expect("in range");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        // Rank 1 of 33,755: the marker at the far left.
        assert!(svg.contains("x1=\"0.00\""), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 10);
        assert_eq!(svg.matches("fill-opacity=\"0.9\"").count(), 1);
        // The last rank: the far right.
        let last = strip_svg(&place(33_755, 33_755)).expect("in range");
        assert!(last.contains("x1=\"300.00\""), "{last}");
        assert_eq!(strip_svg(&place(0, 10)), None);
    }

    #[test]
    fn the_text_alternative_says_the_rank_the_decile_and_is_escaped_in_the_svg() {
        let text = strip_text(&place(3_376, 33_755));
        assert!(
            text.starts_with("Income & <jobs>: rank 3,376 of 33,755 neighbourhoods"),
            "{text}"
        );
        assert!(text.contains("decile 2 of 10"), "{text}");
        assert!(text.contains("89% of them are less deprived"), "{text}");
        let svg = strip_svg(&place(3_376, 33_755)).expect("in range");
        assert!(svg.contains("Income &amp; &lt;jobs&gt;"), "{svg}");
        assert!(!svg.contains("<jobs>"));
    }

    #[test]
    fn the_key_names_both_ends() {
        let key = strip_key(Ramp::Need, Level::Lad24, 296);
        assert!(key.contains("296 local authorities"), "{key}");
        assert!(
            key.contains("highest need") && key.contains("lowest need"),
            "{key}"
        );
    }
}
