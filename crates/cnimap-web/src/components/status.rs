//! Loading indicator and error banner.

use leptos::prelude::*;

use crate::state::use_app;

/// Shows "Loading…" while data requests are in flight, and the last error with a dismiss button.
#[component]
pub fn Status() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="status" aria-live="polite">
            <Show when=move || { app.loader.loading.get() > 0 }>
                <p class="loading"><span class="spinner" aria-hidden="true"></span>"Loading…"</p>
            </Show>
        </div>
        <Show when=move || app.loader.errors.with(|e| !e.is_empty())>
            <div class="error" role="alert">
                <ul>
                    {move || {
                        app.loader.errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()
                    }}
                </ul>
                <button type="button" on:click=move |_| app.loader.errors.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}
