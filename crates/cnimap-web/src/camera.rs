//! Where the map looks: the requests components make ([`CameraRequest`]; only the map view moves
//! the camera) and the padding that keeps a place clear of the cards covering the map
//! ([`padding_for`]), on every layout.

use crate::url_state::Camera;

/// England, `[west, south, east, north]` in WGS84 degrees: the first view and the reset view.
pub const ENGLAND_WGS84: [f64; 4] = [-6.0, 49.9, 1.8, 55.8];

/// The closest a fit goes, so a small area is shown with its surroundings.
pub const FIT_MAX_ZOOM: f64 = 14.0;

/// A request to move the camera. Components set [`crate::state::AppState`]'s `camera_request`;
/// the map view obeys it with the padding of whatever covers the map at that moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CameraRequest {
    /// Fit a box, `[west, south, east, north]` in WGS84 degrees, zooming no closer than
    /// `max_zoom`.
    Fit {
        /// The box.
        bbox_wgs84: [f64; 4],
        /// The closest zoom.
        max_zoom: f64,
    },
    /// Show the whole of England.
    England,
    /// Jump to a position (Back and Forward restore the camera of their entry).
    JumpTo(Camera),
    /// The cards covering the map changed (the bottom sheet closed): pan so that what was in the
    /// middle of the clear part of the map stays in the middle of the clear part. `before` is
    /// the padding before the change.
    KeepClear {
        /// What covered the map before.
        before: Padding,
    },
}

impl CameraRequest {
    /// Fit a point at `zoom`: a tiny box around it, so the padding keeps it clear of the cards
    /// (MapLibre keeps the padding of `flyTo` for later moves, but not that of `fitBounds`).
    pub fn point(lon: f64, lat: f64, zoom: f64) -> CameraRequest {
        let d = 0.0005;
        CameraRequest::Fit {
            bbox_wgs84: [lon - d, lat - d, lon + d, lat + d],
            max_zoom: zoom,
        }
    }
}

/// Space to leave clear on each side of the map, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Padding {
    /// From the top edge.
    pub top: f64,
    /// From the right edge.
    pub right: f64,
    /// From the bottom edge.
    pub bottom: f64,
    /// From the left edge.
    pub left: f64,
}

impl Padding {
    /// The centre of the clear part of a `width` x `height` map, from its top left corner.
    pub fn clear_centre(&self, width: f64, height: f64) -> (f64, f64) {
        (
            self.left + (width - self.left - self.right) / 2.0,
            self.top + (height - self.top - self.bottom) / 2.0,
        )
    }
}

/// How far to pan (`map.panBy`, CSS pixels) after the cards over a `width` x `height` map changed
/// from `before` to `after`, so that what was in the middle of the clear part stays clear: `None`
/// while it is still in the clear part (a card shrank or went away), otherwise the offset that
/// brings it to the middle of the new clear part (a card grew over it, as the phone's top card
/// does when the bottom sheet closes).
pub fn keep_clear_offset(
    before: Padding,
    after: Padding,
    width: f64,
    height: f64,
) -> Option<(f64, f64)> {
    let (bx, by) = before.clear_centre(width, height);
    let still_clear = bx >= after.left
        && bx <= width - after.right
        && by >= after.top
        && by <= height - after.bottom;
    if still_clear {
        return None;
    }
    let (ax, ay) = after.clear_centre(width, height);
    Some((bx - ax, by - ay))
}

/// A rectangle on screen, CSS pixels from the viewport's top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

impl Rect {
    fn width(&self) -> f64 {
        self.right - self.left
    }

    fn height(&self) -> f64 {
        self.bottom - self.top
    }

    fn intersect(&self, other: &Rect) -> Option<Rect> {
        let r = Rect {
            left: self.left.max(other.left),
            top: self.top.max(other.top),
            right: self.right.min(other.right),
            bottom: self.bottom.min(other.bottom),
        };
        (r.width() > 0.0 && r.height() > 0.0).then_some(r)
    }
}

/// Space kept between a card and the place fitted beside it.
pub const MARGIN: f64 = 16.0;

/// The least of the map left clear in each direction, so a fit always has room.
pub const MIN_CLEAR: f64 = 120.0;

/// The padding that keeps a fitted place clear of `covers` (the cards over the map), on a map
/// occupying `map`.
///
/// A card spanning most of the map's width (a phone's top card or bottom sheet) covers the top or
/// the bottom, whichever its middle is nearer; any other card covers the left or the right. Each
/// side gets the deepest reach of the cards on it plus [`MARGIN`]. When cards on opposite sides
/// leave less than [`MIN_CLEAR`] between them, both paddings shrink in proportion, so the fit
/// still happens (MapLibre refuses a fit whose padding leaves no room).
pub fn padding_for(map: Rect, covers: &[Rect]) -> Padding {
    let mut p = Padding {
        top: MARGIN,
        right: MARGIN,
        bottom: MARGIN,
        left: MARGIN,
    };
    let (mid_x, mid_y) = ((map.left + map.right) / 2.0, (map.top + map.bottom) / 2.0);
    for cover in covers {
        let Some(r) = map.intersect(cover) else {
            continue;
        };
        if r.width() >= 0.6 * map.width() {
            if (r.top + r.bottom) / 2.0 < mid_y {
                p.top = p.top.max(r.bottom - map.top + MARGIN);
            } else {
                p.bottom = p.bottom.max(map.bottom - r.top + MARGIN);
            }
        } else if (r.left + r.right) / 2.0 < mid_x {
            p.left = p.left.max(r.right - map.left + MARGIN);
        } else {
            p.right = p.right.max(map.right - r.left + MARGIN);
        }
    }
    let fit = |a: &mut f64, b: &mut f64, size: f64| {
        let room = (size - MIN_CLEAR).max(0.0);
        if *a + *b > room && *a + *b > 0.0 {
            let scale = room / (*a + *b);
            *a *= scale;
            *b *= scale;
        }
    };
    fit(&mut p.left, &mut p.right, map.width());
    fit(&mut p.top, &mut p.bottom, map.height());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(left: f64, top: f64, right: f64, bottom: f64) -> Rect {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    #[test]
    fn on_a_desktop_the_side_cards_pad_the_left_and_right() {
        let map = rect(0.0, 0.0, 1280.0, 800.0);
        let sidebar = rect(12.0, 12.0, 352.0, 736.0);
        let panel = rect(878.0, 12.0, 1268.0, 670.0);
        let p = padding_for(map, &[sidebar, panel]);
        assert_eq!(p.left, 352.0 + MARGIN);
        assert_eq!(p.right, 1280.0 - 878.0 + MARGIN);
        assert_eq!((p.top, p.bottom), (MARGIN, MARGIN));
    }

    #[test]
    fn on_a_phone_the_top_card_and_the_bottom_sheet_pad_the_top_and_bottom() {
        let map = rect(0.0, 0.0, 375.0, 812.0);
        let top_card = rect(0.0, 0.0, 375.0, 300.0);
        let sheet = rect(0.0, 500.0, 375.0, 812.0);
        let p = padding_for(map, &[top_card, sheet]);
        assert_eq!(p.top, 300.0 + MARGIN);
        assert_eq!(p.bottom, 312.0 + MARGIN);
        assert_eq!((p.left, p.right), (MARGIN, MARGIN));
    }

    #[test]
    fn cards_that_leave_no_room_are_shrunk_so_a_fit_still_happens() {
        let map = rect(0.0, 0.0, 700.0, 800.0);
        let p = padding_for(
            map,
            &[
                rect(12.0, 12.0, 352.0, 700.0),
                rect(298.0, 12.0, 688.0, 600.0),
            ],
        );
        assert!(p.left + p.right <= 700.0 - MIN_CLEAR + 1e-9, "{p:?}");
        assert!(p.left > 0.0 && p.right > 0.0);
    }

    #[test]
    fn cards_outside_the_map_and_hidden_cards_are_ignored() {
        let map = rect(0.0, 0.0, 1000.0, 800.0);
        let p = padding_for(
            map,
            &[rect(1100.0, 0.0, 1300.0, 800.0), rect(0.0, 0.0, 0.0, 0.0)],
        );
        assert_eq!(p, padding_for(map, &[]));
    }

    #[test]
    fn closing_the_sheet_pans_what_was_in_view_out_from_under_the_growing_top_card() {
        let sheet_open = Padding {
            top: 70.0,
            bottom: 430.0,
            ..Padding::default()
        };
        let sheet_closed = Padding {
            top: 330.0,
            bottom: 16.0,
            ..Padding::default()
        };
        // The middle of the strip between the search box and the sheet was at y = 220, now under
        // the top card: the map pans so that point lands in the middle of the new clear part.
        let offset = keep_clear_offset(sheet_open, sheet_closed, 375.0, 800.0);
        let (_, new_y) = sheet_closed.clear_centre(375.0, 800.0);
        assert_eq!(offset, Some((0.0, 220.0 - new_y)));
    }

    #[test]
    fn closing_a_side_panel_leaves_the_map_where_it_is() {
        let panel_open = Padding {
            left: 368.0,
            right: 418.0,
            ..Padding::default()
        };
        let panel_closed = Padding {
            left: 368.0,
            right: 16.0,
            ..Padding::default()
        };
        assert_eq!(
            keep_clear_offset(panel_open, panel_closed, 1280.0, 800.0),
            None
        );
    }

    #[test]
    fn the_clear_centre_moves_up_when_the_sheet_covers_the_bottom() {
        let open = Padding {
            top: 80.0,
            bottom: 400.0,
            ..Padding::default()
        };
        let closed = Padding {
            top: 300.0,
            ..Padding::default()
        };
        let (_, y_open) = open.clear_centre(375.0, 800.0);
        let (_, y_closed) = closed.clear_centre(375.0, 800.0);
        assert_eq!(y_open, 80.0 + 320.0 / 2.0);
        assert_eq!(y_closed, 300.0 + 500.0 / 2.0);
    }
}
