//! The URL, kept in step with the state (the current history entry is updated).

use leptos::prelude::*;

use crate::state::AppState;
use crate::url_state::HistoryOp;

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

/// Keeps the URL in step with the state.
pub fn sync(app: AppState) {
    Effect::new(move |_| {
        app.indicator.track();
        app.view.track();
        app.threshold.track();
        app.hidden.track();
        app.selected.track();
        app.camera.track();
        let next = app.to_url();
        let query = next.to_query();
        let here = current_query();
        if here == query {
            return;
        }
        write(HistoryOp::Replace, &query);
    });
}
