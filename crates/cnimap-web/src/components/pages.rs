//! The root: the page the address asks for ([`crate::page_route::page_of`]): an area's profile,
//! or the map.

use leptos::prelude::*;

use crate::page_route::{page_of, Page};

/// The page at the current address.
#[component]
pub fn Root() -> impl IntoView {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    let query = crate::history::current_query();
    match page_of(&path, &query) {
        Page::Profile { code, by_query } => {
            view! { <crate::components::profile::ProfilePage code by_query/> }.into_any()
        }
        Page::Map => view! { <crate::components::app::App/> }.into_any(),
    }
}
