//! The embeddable view (`?embed=1`, issue 13): the map and its legend only, for council and
//! charity websites, with a link to the full map.

use leptos::prelude::*;

use crate::state::use_app;

/// "View on cnimap": the same view without `embed=1`, in a new tab. Shown only when embedded.
#[component]
pub fn EmbedLink() -> impl IntoView {
    let app = use_app();
    let href = move || {
        let mut url = app.to_url();
        url.pages.embed = false;
        format!("./{}", url.to_query())
    };
    view! {
        <Show when=move || app.pages.with(|p| p.embed)>
            <a class="embed-link" href=href target="_blank" rel="noopener" data-testid="embed-link">
                "View on cnimap"
            </a>
        </Show>
    }
}
