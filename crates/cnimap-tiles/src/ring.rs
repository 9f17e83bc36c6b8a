//! Small ring utilities shared by every stage: cleaning (duplicate points, spikes) and signed
//! area. Rings are stored open: the closing point is implicit.

/// Removes consecutive duplicate points and zero-area spikes (`a, b, a` becomes `a`), including
/// across the ring's closure, in place. A ring left with fewer than 3 points is cleared.
pub(crate) fn clean_ring<P: Copy + PartialEq>(ring: &mut Vec<P>) {
    let mut out: Vec<P> = Vec::with_capacity(ring.len());
    for &p in ring.iter() {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 && out[out.len() - 2] == p {
            // `p, tip, p`: drop the tip and do not repeat `p`.
            out.pop();
            continue;
        }
        out.push(p);
    }
    // Fix up the closure: the ring wraps from its last point to its first.
    loop {
        let n = out.len();
        if n < 3 {
            break;
        }
        if out[n - 1] == out[0] {
            out.pop();
        } else if out[n - 2] == out[0] {
            // `..., first, tip` then back to `first`: a spike at the end.
            out.pop();
        } else if out[n - 1] == out[1] {
            // `last, first(tip), second == last`: a spike at the start.
            out.drain(0..1);
            out.pop();
        } else {
            break;
        }
    }
    if out.len() < 3 {
        out.clear();
    }
    *ring = out;
}

/// Twice the signed area of a ring by the surveyor's formula. Positive means clockwise when `y`
/// grows downwards (screen and tile coordinates), which is how MVT 2 wants exterior rings.
pub(crate) fn signed_area2<T: Copy + Into<i64>>(ring: &[[T; 2]]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    let mut sum = 0i128;
    for i in 0..n {
        let [x0, y0] = ring[i];
        let [x1, y1] = ring[(i + 1) % n];
        let (x0, y0, x1, y1) = (x0.into(), y0.into(), x1.into(), y1.into());
        sum += i128::from(x0) * i128::from(y1) - i128::from(x1) * i128::from(y0);
    }
    sum as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::duplicates_removed(vec![1, 1, 2, 3, 3, 4], vec![1, 2, 3, 4])]
    #[case::closing_point_removed(vec![1, 2, 3, 1], vec![1, 2, 3])]
    #[case::inner_spike_removed(vec![1, 2, 9, 2, 3, 4], vec![1, 2, 3, 4])]
    #[case::spike_at_end_removed(vec![1, 2, 3, 4, 9, 4], vec![1, 2, 3, 4])]
    #[case::spike_at_start_removed(vec![9, 2, 3, 4, 2], vec![2, 3, 4])]
    #[case::collapsed_ring_cleared(vec![1, 2, 1, 2], vec![])]
    #[case::two_points_cleared(vec![1, 2], vec![])]
    fn clean_ring_removes_degenerate_points(#[case] input: Vec<i32>, #[case] want: Vec<i32>) {
        let mut ring = input;
        clean_ring(&mut ring);
        assert_eq!(ring, want);
    }

    #[test]
    fn clockwise_square_in_screen_coordinates_has_positive_area() {
        // y down: (0,0) -> (10,0) -> (10,10) -> (0,10) is clockwise on screen.
        let ring: [[i64; 2]; 4] = [[0, 0], [10, 0], [10, 10], [0, 10]];
        assert_eq!(signed_area2(&ring), 200.0);
        let rev: Vec<[i64; 2]> = ring.iter().rev().copied().collect();
        assert_eq!(signed_area2(&rev), -200.0);
    }
}
