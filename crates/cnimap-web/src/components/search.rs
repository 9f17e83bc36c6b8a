//! The search box: postcode or place, an ARIA combobox usable by keyboard alone (arrow keys,
//! Enter, Escape). Choosing a result moves the map there and opens the area panel.
//!
//! One resource makes every search request: it reloads whenever the query asked changes (typing,
//! after a short pause, or Enter at once), and only the answer to the latest query is kept.

use std::time::Duration;

use cnimap_core::api::{SearchHit, SearchResponse};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::camera::{CameraRequest, FIT_MAX_ZOOM};
use crate::state::{use_app, AppState};
use crate::url_state::Selection;
use crate::words::{
    area_of, council_of_context, hit_zoom, kind_label, nothing_found, town_council_link, town_note,
};

/// Wait after the last keystroke before searching.
const DEBOUNCE: Duration = Duration::from_millis(180);

/// A search answer, with the query it answers.
type Answer = (String, Result<SearchResponse, ApiError>);

thread_local! {
    /// The town or village last chosen, for the panel's note on the neighbourhood it opened.
    /// Reference-counted, not owned by whichever component read it first: an owned signal was
    /// disposed with the first panel that read it, and the next panel panicked reading it.
    static CHOSEN_TOWN: ArcRwSignal<Option<SearchHit>> = ArcRwSignal::new(None);
}

/// The town or village last chosen in the search box (`None` after choosing anything else).
fn chosen_town() -> ArcRwSignal<Option<SearchHit>> {
    CHOSEN_TOWN.with(Clone::clone)
}

/// The panel's note on a neighbourhood that a town opened (issue 16): a town covers many
/// neighbourhoods, with a button that opens the town's council. Shows nothing for `code` unless
/// the last hit chosen was a town whose centre lies in it.
#[component]
pub fn TownNote(
    /// The code of the area the panel shows.
    code: String,
) -> impl IntoView {
    let app = use_app();
    move || {
        let town = chosen_town()
            .get()
            .filter(|t| t.lsoa21.as_deref() == Some(code.as_str()))?;
        let council = council_of_context(&town.context).to_string();
        let button = town.lad_code.clone().map(|lad| {
            view! {
                <button
                    type="button"
                    class="link-button town-council"
                    data-testid="town-council"
                    on:click=move |_| {
                        chosen_town().set(None);
                        app.select(Selection::code(lad.clone()), true);
                    }
                >
                    {town_council_link(&council)}
                </button>
            }
        });
        Some(view! {
            <p class="town-note" data-testid="town-note">
                {town_note(&town.name)}
                " "
                {button}
            </p>
        })
    }
}

/// Moves the map to a hit and selects the area it opens, if any.
fn choose(app: AppState, hit: &SearchHit) {
    chosen_town().set((hit.kind == cnimap_core::api::HitKind::Town).then(|| hit.clone()));
    let request = match (hit.bbox_wgs84, hit.point_wgs84) {
        (Some(bbox_wgs84), _) => Some(CameraRequest::Fit {
            bbox_wgs84,
            max_zoom: FIT_MAX_ZOOM,
        }),
        (None, Some([lon, lat])) => Some(CameraRequest::point(lon, lat, hit_zoom(hit.kind))),
        (None, None) => None,
    };
    let moved = request.is_some();
    if let Some(request) = request {
        app.camera_request.set(Some(request));
    }
    if let Some(selection) = area_of(hit) {
        app.select(selection, !moved);
    }
}

/// The search combobox.
#[component]
pub fn Search() -> impl IntoView {
    let app = use_app();
    // The text in the box, and the query last asked of the server.
    let query = RwSignal::new(String::new());
    let asked = RwSignal::new(String::new());
    let answer: LocalResource<Option<Answer>> = LocalResource::new(move || {
        let q = asked.get();
        async move {
            if q.is_empty() {
                return None;
            }
            // A static site has no search API: the same search runs here, in wasm.
            let result = match api::static_base() {
                Some(base) => {
                    crate::search_static::search(&base, &q, usize::from(api::SEARCH_LIMIT)).await
                }
                None => api::search(&q).await,
            };
            Some((q, result))
        }
    });
    let hits: RwSignal<Vec<SearchHit>> = RwSignal::new(Vec::new());
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let active: RwSignal<Option<usize>> = RwSignal::new(None);
    // Enter was pressed before the answer came: choose its best hit when it comes.
    let pick_on_answer = RwSignal::new(false);
    // The query the hits shown answer: Enter never picks from an answer to other words (an
    // earlier keystroke's, while the latest is still on its way: on a static site the first
    // search fetches the index and then the postcode's shard).
    let shown_for = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let searching = move || {
        let q = asked.get();
        !q.is_empty()
            && answer.with(|a| {
                a.as_ref()
                    .and_then(|a| a.as_ref())
                    .map(|(aq, _)| aq != &q)
                    .unwrap_or(true)
            })
    };

    let pick = move |i: usize| {
        if let Some(hit) = hits.with_untracked(|h| h.get(i).cloned()) {
            query.set(hit.name.clone());
            open.set(false);
            active.set(None);
            message.set(None);
            choose(app, &hit);
        }
    };

    // Show each answer as it arrives.
    Effect::new(move |_| {
        let Some(latest) = answer.get() else {
            return;
        };
        active.set(None);
        let Some((q, result)) = latest else {
            hits.set(Vec::new());
            message.set(None);
            open.set(false);
            return;
        };
        let current = q == asked.get_untracked();
        shown_for.set(q.clone());
        match result {
            Ok(r) => {
                let empty = r.hits.is_empty();
                message.set(r.message.or_else(|| empty.then(|| nothing_found(&q))));
                hits.set(r.hits);
                if pick_on_answer.get_untracked() && !empty && current {
                    pick_on_answer.set(false);
                    pick(0);
                } else {
                    if current {
                        pick_on_answer.set(false);
                    }
                    open.set(!empty);
                }
            }
            Err(e) => {
                pick_on_answer.set(false);
                hits.set(Vec::new());
                open.set(false);
                message.set(Some(e.to_string()));
            }
        }
    });

    let ask = move |q: String| {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(None);
        asked.set(q.trim().to_string());
    };

    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        query.set(q.clone());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || ask(q), DEBOUNCE).ok();
        pending.set_value(handle);
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = hits.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                if n > 0 {
                    open.set(true);
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
                }
            }
            "ArrowUp" => {
                ev.prevent_default();
                if n > 0 {
                    open.set(true);
                    active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
                }
            }
            "Enter" => {
                ev.prevent_default();
                let fresh = shown_for.with_untracked(|s| *s == query.get_untracked().trim());
                match active.get_untracked() {
                    Some(i) if open.get_untracked() && fresh => pick(i),
                    _ if n > 0 && open.get_untracked() && fresh => pick(0),
                    _ => {
                        // Search now and choose the best hit when the answer comes.
                        let q = query.get_untracked();
                        if !q.trim().is_empty() {
                            pick_on_answer.set(true);
                            ask(q);
                        }
                    }
                }
            }
            "Escape" => {
                if open.get_untracked() {
                    open.set(false);
                    active.set(None);
                } else {
                    query.set(String::new());
                    ask(String::new());
                }
            }
            _ => {}
        }
    };

    let options = move || {
        hits.get()
            .into_iter()
            .enumerate()
            .map(|(i, hit)| {
                let is_active = move || active.get() == Some(i);
                view! {
                    <li
                        role="option"
                        id=format!("search-option-{i}")
                        class="search-option"
                        class:active=is_active
                        aria-selected=move || if is_active() { "true" } else { "false" }
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            pick(i);
                        }
                    >
                        <span class="hit-name">{hit.name.clone()}</span>
                        <span class="hit-context">
                            {format!("{} · {}", kind_label(hit.kind), hit.context)}
                        </span>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <div class="search">
            <label class="sr-only" for="search-input">"Search for a postcode or place"</label>
            <input
                id="search-input"
                type="search"
                role="combobox"
                autocomplete="off"
                spellcheck="false"
                placeholder="Postcode or place, e.g. CO15 2EQ"
                aria-autocomplete="list"
                aria-controls="search-results"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-activedescendant=move || active.get().map(|i| format!("search-option-{i}"))
                prop:value=move || query.get()
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| open.set(false)
                on:focus=move |_| {
                    if let Some(base) = api::static_base() {
                        crate::search_static::preload(&base);
                    }
                    open.set(hits.with_untracked(|h| !h.is_empty()))
                }
            />
            <ul
                id="search-results"
                role="listbox"
                aria-label="Search results"
                class="search-results"
                hidden=move || !open.get()
            >
                {options}
            </ul>
            <p class="search-status" aria-live="polite">
                {move || if searching() { Some("Searching…".to_string()) } else { message.get() }}
            </p>
        </div>
    }
}
