//! Loading indicator and error banner.

use leptos::prelude::*;

use crate::state::use_app;

/// Shows "Loading…" while data requests are in flight, and the last error with a dismiss button.
#[component]
pub fn Status() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="status" aria-live="polite">
            <Show when=move || { app.loading.get() > 0 }>
                <p class="loading"><span class="spinner" aria-hidden="true"></span>"Loading…"</p>
            </Show>
        </div>
        <Show when=move || app.error.with(Option::is_some)>
            <div class="error" role="alert">
                <p>{move || app.error.get().unwrap_or_default()}</p>
                <button type="button" on:click=move |_| app.error.set(None)>"Dismiss"</button>
            </div>
        </Show>
    }
}
