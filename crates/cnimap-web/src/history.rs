//! The URL and the browser history, kept in step with the state: a selection or a change of
//! view, indicator or threshold makes a new history entry, a camera move updates the current one
//! ([`HistoryOp::between`]); Back and Forward put the state back as their entry says.

use leptos::prelude::*;

use crate::state::AppState;
use crate::url_state::{HistoryOp, UrlState};

/// Within this many milliseconds of a threshold-only entry, another threshold change updates
/// that entry (the slider is being dragged).
const SLIDER_COALESCE_MS: f64 = 1500.0;

/// The query string of the page (`?i=...`), empty when there is none.
pub fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes `query` into the history: a new entry or the current one.
fn write(op: HistoryOp, query: &str) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let null = wasm_bindgen::JsValue::NULL;
    let result = match op {
        HistoryOp::Push => history.push_state_with_url(&null, "", Some(query)),
        HistoryOp::Replace => history.replace_state_with_url(&null, "", Some(query)),
    };
    if let Err(e) = result {
        tracing::warn!(?e, ?op, "the browser refused a history update");
    }
}

/// Keeps the URL in step with the state, and the state with the URL on Back and Forward.
pub fn sync(app: AppState) {
    let last_threshold_push = StoredValue::new(None::<f64>);
    Effect::new(move |_| {
        app.indicator.track();
        app.view.track();
        app.threshold.track();
        app.hidden.track();
        app.selected.track();
        app.camera.track();
        app.what_if.weights.track();
        app.table.track();
        app.show_wards.track();
        app.map_level.track();
        app.pages.track();
        app.custom_areas.track();
        let next = app.to_url();
        let query = next.to_query();
        let here = current_query();
        if here == query {
            return;
        }
        let current = UrlState::parse(&here);
        let now = js_sys::Date::now();
        let coalesce = last_threshold_push
            .get_value()
            .is_some_and(|t| now - t < SLIDER_COALESCE_MS);
        let op = HistoryOp::between(&current, &next, coalesce).unwrap_or(HistoryOp::Replace);
        if HistoryOp::only_threshold_changed(&current, &next) {
            last_threshold_push.set_value(Some(now));
        } else if op == HistoryOp::Push {
            last_threshold_push.set_value(None);
        }
        write(op, &query);
    });
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        app.restore(&UrlState::parse(&current_query()));
    });
}
