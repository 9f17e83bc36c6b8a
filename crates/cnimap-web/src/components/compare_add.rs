//! The panel's "Add to compare" button (issue 13): adds the area to the comparison in the URL,
//! or says why not (a fifth area, one already there).

use cnimap_core::profile::{add_compared, MAX_COMPARED};
use leptos::prelude::*;

use crate::state::{use_app, AppState};

/// Adds `code` to the comparison; the message says what happened (or why not).
pub fn add(app: AppState, code: &str) -> String {
    let list = app.pages.with_untracked(|p| p.compare.clone());
    match add_compared(&list, code) {
        Ok(list) => {
            let n = list.len();
            app.pages.update(|p| p.compare = list);
            format!("Added to the comparison ({n} of {MAX_COMPARED}).")
        }
        Err(e) => e.to_string(),
    }
}

/// The panel's "Add to compare" button, with the message it leaves.
#[component]
pub fn AddToCompare(
    /// The area's code.
    code: String,
) -> impl IntoView {
    let app = use_app();
    let message = RwSignal::new(None::<String>);
    let in_list = {
        let code = code.clone();
        move || app.pages.with(|p| p.compare.contains(&code))
    };
    view! {
        <div class="add-compare">
            <button
                type="button"
                class="secondary"
                data-testid="add-compare"
                disabled=in_list
                on:click=move |_| message.set(Some(add(app, &code)))
            >
                "Add to compare"
            </button>
            <p class="small" role="status">{move || message.get()}</p>
        </div>
    }
}
