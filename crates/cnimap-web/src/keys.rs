//! Keyboard patterns, as pure functions of the key pressed: the WAI-ARIA tabs pattern (arrow
//! keys, Home and End move between tabs, wrapping at the ends).

/// The tab a key moves to from tab `current` of `n` tabs, `None` for keys the tab list leaves
/// alone. `key` is `KeyboardEvent.key`.
pub fn tab_target(key: &str, current: usize, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let current = current.min(n - 1);
    match key {
        "ArrowRight" => Some((current + 1) % n),
        "ArrowLeft" => Some((current + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::right_moves_on(("ArrowRight", 0), Some(1))]
    #[case::right_wraps_to_the_first(("ArrowRight", 2), Some(0))]
    #[case::left_moves_back(("ArrowLeft", 2), Some(1))]
    #[case::left_wraps_to_the_last(("ArrowLeft", 0), Some(2))]
    #[case::home_goes_to_the_first(("Home", 2), Some(0))]
    #[case::end_goes_to_the_last(("End", 0), Some(2))]
    #[case::other_keys_do_nothing(("Enter", 1), None)]
    #[case::up_and_down_are_left_to_the_page(("ArrowDown", 1), None)]
    fn arrow_keys_home_and_end_move_between_three_tabs(
        #[case] (key, from): (&str, usize),
        #[case] expected: Option<usize>,
    ) {
        assert_eq!(tab_target(key, from, 3), expected);
    }

    #[test]
    fn an_empty_tab_list_has_nowhere_to_go() {
        assert_eq!(tab_target("ArrowRight", 0, 0), None);
    }
}
