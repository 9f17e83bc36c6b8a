//! The search box: postcode or place, an ARIA combobox usable by keyboard alone (arrow keys,
//! Enter, Escape). Choosing a result flies there and opens the area panel.

use std::time::Duration;

use cnimap_core::api::{HitKind, SearchHit};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::api;
use crate::components::map_view::clear_padding;
use crate::map;
use crate::state::{use_app, AppState};

/// Wait after the last keystroke before searching.
const DEBOUNCE: Duration = Duration::from_millis(180);

fn kind_label(kind: HitKind) -> &'static str {
    match kind {
        HitKind::Postcode => "Postcode",
        HitKind::PostcodeSector => "Postcode sector",
        HitKind::PostcodeOutcode => "Postcode district",
        HitKind::Neighbourhood => "Neighbourhood",
        HitKind::Ward => "Ward",
        HitKind::Parish => "Parish",
        HitKind::LocalAuthority => "Local authority",
        HitKind::Lsoa => "LSOA",
    }
}

/// The area whose panel a hit opens: the LSOA a postcode falls in, the LSOA or local authority
/// itself, otherwise the hit's LSOA 2021 when it has one.
fn area_of(hit: &SearchHit) -> Option<String> {
    match hit.kind {
        HitKind::Lsoa | HitKind::LocalAuthority => hit.code.clone().or(hit.lsoa21.clone()),
        HitKind::Postcode => hit.lsoa21.clone(),
        _ => None,
    }
}

fn choose(app: AppState, hit: &SearchHit) {
    let area = area_of(hit);
    let flew = if let Some([w, s, e, n]) = hit.bbox_wgs84 {
        app.with_map(|m| {
            m.fit_bounds(
                &map::json(&json!([[w, s], [e, n]])),
                &map::json(&json!({ "padding": clear_padding(), "maxZoom": 14, "duration": 900 })),
            )
        });
        true
    } else if let Some([lon, lat]) = hit.point_wgs84 {
        let zoom = match hit.kind {
            HitKind::Postcode => 14.0,
            HitKind::PostcodeSector => 13.0,
            HitKind::PostcodeOutcode => 11.5,
            _ => 12.5,
        };
        // A tiny box around the point, so the padding (not persisted by fitBounds, unlike
        // flyTo) keeps the place clear of the cards.
        let d = 0.0005;
        app.with_map(|m| {
            m.fit_bounds(
                &map::json(&json!([[lon - d, lat - d], [lon + d, lat + d]])),
                &map::json(
                    &json!({ "padding": clear_padding(), "maxZoom": zoom, "duration": 900 }),
                ),
            )
        });
        true
    } else {
        false
    };
    if let Some(code) = area {
        app.fly_to_selected.set(!flew);
        app.selected.set(Some(code));
    }
}

/// The search combobox.
#[component]
pub fn Search() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let hits: RwSignal<Vec<SearchHit>> = RwSignal::new(Vec::new());
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let active: RwSignal<Option<usize>> = RwSignal::new(None);
    let searching = RwSignal::new(false);
    let generation = StoredValue::new(0u32);

    let run =
        move |q: String| {
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            if q.trim().is_empty() {
                hits.set(Vec::new());
                message.set(None);
                open.set(false);
                return;
            }
            searching.set(true);
            spawn_local(async move {
                let result = api::search(q.trim(), 10).await;
                if generation.get_value() != mine {
                    return;
                }
                searching.set(false);
                active.set(None);
                match result {
                    Ok(r) => {
                        let empty = r.hits.is_empty();
                        message.set(r.message.clone().or_else(|| {
                            empty.then(|| format!("Nothing found for “{}”.", q.trim()))
                        }));
                        hits.set(r.hits);
                        open.set(!empty);
                    }
                    Err(e) => {
                        hits.set(Vec::new());
                        open.set(false);
                        message.set(Some(e.to_string()));
                    }
                }
            });
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

    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        query.set(q.clone());
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    run(q);
                }
            },
            DEBOUNCE,
        );
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
                match active.get_untracked() {
                    Some(i) if open.get_untracked() => pick(i),
                    _ if n > 0 && open.get_untracked() => pick(0),
                    _ => {
                        let q = query.get_untracked();
                        // Search now and choose the best hit when it arrives.
                        generation.update_value(|g| *g += 1);
                        let mine = generation.get_value();
                        searching.set(true);
                        spawn_local(async move {
                            let result = api::search(q.trim(), 10).await;
                            if generation.get_value() != mine {
                                return;
                            }
                            searching.set(false);
                            match result {
                                Ok(r) if !r.hits.is_empty() => {
                                    hits.set(r.hits);
                                    message.set(r.message);
                                    pick(0);
                                }
                                Ok(r) => {
                                    hits.set(Vec::new());
                                    message.set(Some(r.message.unwrap_or_else(|| {
                                        format!("Nothing found for “{}”.", q.trim())
                                    })));
                                }
                                Err(e) => message.set(Some(e.to_string())),
                            }
                        });
                    }
                }
            }
            "Escape" => {
                if open.get_untracked() {
                    open.set(false);
                    active.set(None);
                } else {
                    query.set(String::new());
                    hits.set(Vec::new());
                    message.set(None);
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
                on:focus=move |_| open.set(hits.with_untracked(|h| !h.is_empty()))
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
                {move || if searching.get() { Some("Searching…".to_string()) } else { message.get() }}
            </p>
        </div>
    }
}
