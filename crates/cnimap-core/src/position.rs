//! Position within a parent: where one area stands among the areas it is compared with ("5th most
//! deprived of 90 neighbourhoods in Middlesbrough", "1st of 296 local authorities in England"),
//! as pure arithmetic over arrays indexed by feature index, and the sentence that says it.
//!
//! Positions use competition ranking: an area's position is one more than the number of areas
//! strictly worse than it, so areas with the same value share a position (and are said to be
//! "joint"). Areas without a value are left out of both the position and the count.

use crate::catalogue::Direction;
use crate::classify::format_thousands;
use crate::summary::Measure;

/// Where one area stands among others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1 = the worst (most deprived or highest need).
    pub position: u32,
    /// How many areas with a value it was compared with (itself included).
    pub of: u32,
    /// Whether another area has the same value (the position is shared).
    pub joint: bool,
}

/// The position of the area at `member` among the areas with the same parent, by `rank`
/// (1 = worst). `parent[i]` is the parent index of area `i` and `rank[i]` its rank; an area with
/// no parent or no rank is not counted. `None` when `member` has no parent or no rank (or is out
/// of range). Slices shorter than `parent` are read as missing ranks.
pub fn within_parent(
    parent: &[Option<u32>],
    rank: &[Option<u32>],
    member: usize,
) -> Option<Position> {
    let p = (*parent.get(member)?)?;
    let r = (*rank.get(member)?)?;
    let (mut worse, mut of, mut same) = (0u32, 0u32, 0u32);
    for (i, q) in parent.iter().enumerate() {
        if *q != Some(p) {
            continue;
        }
        let Some(Some(other)) = rank.get(i) else {
            continue;
        };
        of += 1;
        if *other < r {
            worse += 1;
        } else if *other == r {
            same += 1;
        }
    }
    Some(Position {
        position: worse + 1,
        of,
        joint: same > 1,
    })
}

/// The position of the area at `member` among all areas by `values` of a measure: when
/// `worst_is_low` (ranks, average ranks) the lowest value is 1st, otherwise (shares, scores) the
/// highest. `None` when `member` has no value. NaN values are not counted.
pub fn among_all(values: &[Option<f64>], worst_is_low: bool, member: usize) -> Option<Position> {
    let v = (*values.get(member)?).filter(|v| !v.is_nan())?;
    let (mut worse, mut of, mut same) = (0u32, 0u32, 0u32);
    for other in values.iter().flatten().filter(|o| !o.is_nan()) {
        of += 1;
        let is_worse = if worst_is_low { *other < v } else { *other > v };
        if is_worse {
            worse += 1;
        } else if *other == v {
            same += 1;
        }
    }
    Some(Position {
        position: worse + 1,
        of,
        joint: same > 1,
    })
}

/// The position of the area at `member` among the areas with the same parent by `values` of a
/// measure (`worst_is_low` as in [`among_all`]): a ward among its council's wards by its share in
/// decile 1. `parent[i]` is area `i`'s parent index; areas with no parent or no value are not
/// counted. `None` when `member` has no parent or no value.
pub fn within_parent_by_value(
    parent: &[Option<u32>],
    values: &[Option<f64>],
    worst_is_low: bool,
    member: usize,
) -> Option<Position> {
    let p = (*parent.get(member)?)?;
    let same: Vec<Option<f64>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.filter(|_| parent.get(i).copied().flatten() == Some(p)))
        .collect();
    among_all(&same, worst_is_low, member)
}

/// An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd, 1,111th.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{}{suffix}", format_thousands(n))
}

/// What "worst" means for an index: "most deprived" or "highest-need".
pub fn worst_words(direction: Direction) -> &'static str {
    match direction {
        Direction::MostDeprivedFirst => "most deprived",
        Direction::HighestNeedFirst => "highest-need",
    }
}

/// "5th most deprived of 90 neighbourhoods in Middlesbrough" (`areas`: the plural noun, `within`:
/// the parent's name or "England"); "joint 3rd ..." when the position is shared.
pub fn sentence(position: Position, direction: Direction, areas: &str, within: &str) -> String {
    let joint = if position.joint { "joint " } else { "" };
    format!(
        "{joint}{} {} of {} {areas} in {within}",
        ordinal(position.position),
        worst_words(direction),
        format_thousands(position.of)
    )
}

/// The same sentence for a summary measure, naming it: "1st most deprived of 296 local
/// authorities in England by share of LSOAs in decile 1".
pub fn measure_sentence(
    position: Position,
    direction: Direction,
    areas: &str,
    within: &str,
    measure: Measure,
) -> String {
    let label = measure.label();
    let mut chars = label.chars();
    let lowered = chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    format!(
        "{} by {lowered}",
        sentence(position, direction, areas, within)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ward_is_placed_among_its_councils_wards_by_a_measure() {
        // Council 0 holds shares 0.5, 0.2, 0.5; council 1 holds 0.9; one ward has no council.
        let parent = [Some(0), Some(0), Some(1), Some(0), None];
        let share = [Some(0.5), Some(0.2), Some(0.9), Some(0.5), Some(1.0)];
        assert_eq!(
            within_parent_by_value(&parent, &share, false, 1),
            Some(Position {
                position: 3,
                of: 3,
                joint: false
            })
        );
        assert_eq!(
            within_parent_by_value(&parent, &share, false, 0),
            Some(Position {
                position: 1,
                of: 3,
                joint: true
            })
        );
        // Ranks: the lowest is worst.
        assert_eq!(
            within_parent_by_value(&parent, &share, true, 1).map(|p| p.position),
            Some(1)
        );
        assert_eq!(within_parent_by_value(&parent, &share, false, 4), None);
        assert_eq!(within_parent_by_value(&parent, &[None; 5], false, 0), None);
    }

    #[test]
    fn a_neighbourhood_is_placed_among_those_of_its_own_council_only() {
        // Two councils: 0 holds ranks 40, 7, 300; 1 holds ranks 1 and 2; one area has no council.
        let parent = [Some(0), Some(0), Some(1), Some(0), Some(1), None];
        let rank = [Some(40), Some(7), Some(1), Some(300), Some(2), Some(3)];
        assert_eq!(
            within_parent(&parent, &rank, 0),
            Some(Position {
                position: 2,
                of: 3,
                joint: false
            })
        );
        assert_eq!(
            within_parent(&parent, &rank, 1).map(|p| p.position),
            Some(1)
        );
        assert_eq!(
            within_parent(&parent, &rank, 3).map(|p| p.position),
            Some(3)
        );
        assert_eq!(
            within_parent(&parent, &rank, 4),
            Some(Position {
                position: 2,
                of: 2,
                joint: false
            })
        );
        assert_eq!(within_parent(&parent, &rank, 5), None, "no council");
        assert_eq!(within_parent(&parent, &rank, 99), None, "out of range");
    }

    #[test]
    fn areas_without_a_rank_are_not_counted() {
        let parent = [Some(0), Some(0), Some(0)];
        let rank = [Some(5), None, Some(2)];
        assert_eq!(
            within_parent(&parent, &rank, 0),
            Some(Position {
                position: 2,
                of: 2,
                joint: false
            })
        );
        assert_eq!(within_parent(&parent, &rank, 1), None);
        // A short rank slice reads as missing ranks, never a panic.
        assert_eq!(within_parent(&parent, &[Some(1)], 0).map(|p| p.of), Some(1));
    }

    #[test]
    fn shares_put_the_highest_first_and_ranks_the_lowest() {
        let share = [Some(0.5), Some(0.0), Some(0.25), None, Some(0.0)];
        assert_eq!(
            among_all(&share, false, 0),
            Some(Position {
                position: 1,
                of: 4,
                joint: false
            })
        );
        assert_eq!(among_all(&share, false, 2).map(|p| p.position), Some(2));
        // Two areas with no LSOA in decile 1 share 3rd place.
        assert_eq!(
            among_all(&share, false, 1),
            Some(Position {
                position: 3,
                of: 4,
                joint: true
            })
        );
        assert_eq!(among_all(&share, false, 3), None);
        let average = [Some(9000.0), Some(120.5), Some(f64::NAN)];
        assert_eq!(
            among_all(&average, true, 1),
            Some(Position {
                position: 1,
                of: 2,
                joint: false
            })
        );
        assert_eq!(among_all(&average, true, 2), None);
    }

    #[test]
    fn ordinals_follow_english_usage() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 102, 111, 296, 1111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "102nd", "111th", "296th", "1,111th"
            ]
        );
    }

    #[test]
    fn the_sentence_names_the_position_the_count_and_the_parent() {
        let p = Position {
            position: 5,
            of: 90,
            joint: false,
        };
        assert_eq!(
            sentence(
                p,
                Direction::MostDeprivedFirst,
                "neighbourhoods",
                "Middlesbrough"
            ),
            "5th most deprived of 90 neighbourhoods in Middlesbrough"
        );
        let p = Position {
            position: 3,
            of: 296,
            joint: true,
        };
        assert_eq!(
            measure_sentence(
                p,
                Direction::HighestNeedFirst,
                "local authorities",
                "England",
                Measure::ShareDecile1
            ),
            "joint 3rd highest-need of 296 local authorities in England by share of LSOAs in decile 1"
        );
    }
}
