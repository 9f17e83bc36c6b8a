//! The one place the camera moves: the map view obeys `AppState::camera_request` with the padding
//! of whatever covers the map at that moment. With `prefers-reduced-motion: reduce` every move is
//! a jump (duration 0), whatever MapLibre's own default.

use leptos::prelude::*;
use serde_json::json;

use crate::camera::{keep_clear_offset, CameraRequest, ENGLAND_WGS84};
use crate::dom;
use crate::map::{self, Map};
use crate::state::AppState;

/// `[[west, south], [east, north]]` for MapLibre.
pub fn bounds(bbox_wgs84: [f64; 4]) -> serde_json::Value {
    let [w, s, e, n] = bbox_wgs84;
    json!([[w, s], [e, n]])
}

/// The one place the camera moves: each request is carried out on the next animation frame (so
/// the cards it must keep clear of are laid out), with the padding of what covers the map then.
pub fn obey_camera_requests(app: AppState, container: NodeRef<leptos::html::Div>) {
    Effect::new(move |_| {
        let Some(request) = app.camera_request.get() else {
            return;
        };
        app.camera_request.set(None);
        request_animation_frame(move || {
            let Some(div) = container.get_untracked() else {
                return;
            };
            app.with_map(|m| move_camera(m, &div, request));
        });
    });
}

/// Whether the reader asked for less motion (`prefers-reduced-motion: reduce`, WCAG 2.3.3).
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|q| q.matches())
}

/// An animation's duration in milliseconds: `ms`, or 0 (a jump) when motion is to be reduced.
fn duration(ms: u32) -> u32 {
    if prefers_reduced_motion() {
        0
    } else {
        ms
    }
}

fn move_camera(m: &Map, div: &web_sys::HtmlDivElement, request: CameraRequest) {
    let padding = dom::covered_padding(div);
    tracing::debug!(?request, ?padding, "camera");
    match request {
        CameraRequest::Fit {
            bbox_wgs84,
            max_zoom,
        } => m.fit_bounds(
            &map::json(&bounds(bbox_wgs84)),
            &map::json(&json!({
                "padding": map::padding(padding), "maxZoom": max_zoom, "duration": duration(900)
            })),
        ),
        CameraRequest::England => m.fit_bounds(
            &map::json(&bounds(ENGLAND_WGS84)),
            &map::json(&json!({ "padding": map::padding(padding), "duration": duration(700) })),
        ),
        CameraRequest::JumpTo(c) => m.jump_to(&map::json(&json!({
            "center": [c.lon, c.lat], "zoom": c.zoom
        }))),
        CameraRequest::KeepClear { before } => {
            let (w, h) = (
                f64::from(div.client_width()),
                f64::from(div.client_height()),
            );
            if let Some((dx, dy)) = keep_clear_offset(before, padding, w, h) {
                m.pan_by(
                    &map::json(&json!([dx, dy])),
                    &map::json(&json!({ "duration": duration(300) })),
                );
            }
        }
    }
}
