//! "What if?": a slider and a number per domain of a combined index, presets, and what moved.
//! Every change re-weights in wasm from the domain values already fetched (no request), and the
//! map, the legend and the left-behind views follow through [`crate::state::WhatIf`].

use cnimap_core::classify::format_thousands;
use cnimap_core::left_behind::LEFT_BEHIND_PAIR;
use cnimap_core::reweight::{CompositeIndex, Weights};
use leptos::prelude::*;

use crate::state::use_app;
use crate::url_state::ViewMode;
use crate::what_if::{self, composite_of};

/// The combined indices the current view draws, which the user may re-weight.
fn indices_in_view(
    view: ViewMode,
    indicator: cnimap_core::catalogue::IndicatorId,
) -> Vec<CompositeIndex> {
    match view {
        ViewMode::Choropleth => composite_of(indicator).into_iter().collect(),
        ViewMode::Change => Vec::new(),
        ViewMode::Bivariate | ViewMode::LeftBehind => {
            [LEFT_BEHIND_PAIR.deprivation, LEFT_BEHIND_PAIR.need]
                .into_iter()
                .filter_map(composite_of)
                .collect()
        }
    }
}

/// The what-if panel: one editor per combined index the view draws (none for a single domain).
#[component]
pub fn WhatIfWeights() -> impl IntoView {
    let app = use_app();
    let indices = Memo::new(move |_| indices_in_view(app.view.get(), app.indicator.get()));
    // Opening the panel fetches and transforms the domains, so a slider move makes no request.
    let opened = RwSignal::new(false);
    let _preload = LocalResource::new(move || {
        let wanted = if opened.get() {
            indices.get()
        } else {
            Vec::new()
        };
        async move {
            for index in wanted {
                app.what_if.preload(app.loader, index).await;
            }
        }
    });
    view! {
        <Show when=move || !indices.with(Vec::is_empty)>
            <details
                class="what-if"
                open=move || app.what_if.weights.with(|w| !w.is_empty())
                on:toggle=move |ev| opened.set(event_target::<web_sys::Element>(&ev).has_attribute("open"))
            >
                <summary>"What if? Weigh the domains yourself"</summary>
                <For
                    each=move || indices.get()
                    key=|index| *index
                    children=move |index| view! { <WeightsEditor index=index/> }
                />
            </details>
        </Show>
    }
}

/// Sliders, numbers and presets for one index, and what the user's weights changed.
#[component]
fn WeightsEditor(index: CompositeIndex) -> impl IntoView {
    let app = use_app();
    let what_if_state = app.what_if;
    let current = Memo::new(move |_| {
        what_if_state
            .weights
            .with(|w| w.get(&index).cloned())
            .unwrap_or_else(|| Weights::official(index))
    });
    let set = move |w: Weights| {
        what_if_state.weights.update(|all| what_if::put(all, w));
    };
    let set_domain = move |at: usize, value: &str| {
        let Ok(v) = value.trim().trim_end_matches('%').parse::<f64>() else {
            return;
        };
        match what_if::set_domain(&current.get_untracked(), at, v) {
            Ok(w) => set(w),
            Err(e) => app.report(e.to_string()),
        }
    };
    let title = index.indicator().def().title;
    let rows = index
        .domains()
        .iter()
        .enumerate()
        .map(|(at, d)| {
            let slider_id = format!("w-{}-{}", index.id(), d.key);
            let percent = move || current.with(|w| w.percent().get(at).copied().unwrap_or(0.0));
            view! {
                <div class="weight-row">
                    <label for=slider_id.clone()>{d.title}</label>
                    <input
                        type="range"
                        id=slider_id
                        min="0"
                        max="100"
                        step="1"
                        data-domain=d.key
                        prop:value=move || format!("{:.0}", percent())
                        aria-valuetext=move || format!("{:.1}%", percent())
                        on:input=move |ev| set_domain(at, &event_target_value(&ev))
                    />
                    <input
                        type="number"
                        class="weight-number"
                        min="0"
                        max="100"
                        step="0.1"
                        aria-label=format!("{} weight, percent", d.title)
                        prop:value=move || format!("{:.1}", percent())
                        on:change=move |ev| set_domain(at, &event_target_value(&ev))
                    />
                    <span aria-hidden="true">"%"</span>
                </div>
            }
        })
        .collect_view();
    let only_options = index
        .domains()
        .iter()
        .map(|d| view! { <option value=d.key>{d.title}</option> })
        .collect_view();
    let status = move || {
        if current.with(Weights::is_official) {
            return format!("The published {title}, with its published weights.");
        }
        let rebuilt = what_if_state.rebuilt.with(|r| r.get(&index).cloned());
        match rebuilt {
            Some(r) if r.weights == current.get() => {
                let moved = !(r.moves.entered.is_empty() && r.moves.left.is_empty());
                let sentence = what_if::moves_sentence(index, &r.moves);
                if moved {
                    format!("{sentence} The list below names them.")
                } else {
                    sentence
                }
            }
            _ => "Re-weighting…".to_string(),
        }
    };
    let millis = move || {
        what_if_state
            .rebuilt
            .with(|r| r.get(&index).map(|r| format!("{:.1}", r.millis)))
            .unwrap_or_default()
    };
    let method = move || current.with(Weights::method_sentence);
    let is_custom = move || !current.with(Weights::is_official);

    view! {
        <fieldset
            class="weights"
            data-index=index.id()
            data-ready=move || what_if_state.ready.with(|r| r.contains(&index)).to_string()
        >
            <legend>{format!("{title}: domain weights")}</legend>
            <div class="weight-presets" role="group" aria-label=format!("Presets for the {title}")>
                <button type="button" on:click=move |_| set(Weights::official(index))>"Published"</button>
                <button type="button" on:click=move |_| set(Weights::equal(index))>"Equal"</button>
                <select
                    id=format!("w-{}-only", index.id())
                    aria-label=format!("One domain only, for the {title}")
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Ok(w) = Weights::only(index, &key) {
                            set(w);
                        }
                    }
                >
                    <option value="" selected>"One domain only…"</option>
                    {only_options}
                </select>
            </div>
            {rows}
            <p class="weights-status" role="status" aria-live="polite" data-ms=millis>{status}</p>
            <Show when=is_custom>
                <MovedList index=index/>
            </Show>
            <details class="method">
                <summary>"How this index is made"</summary>
                <p>{method}</p>
            </details>
        </fieldset>
    }
}

/// Up to this many areas are named in each list of movers.
const LIST_LIMIT: usize = 50;

/// The areas that moved into and out of the worst tenth, named once the user opens the list (the
/// layer's names are fetched then, once).
#[component]
fn MovedList(index: CompositeIndex) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    let level = index.indicator().def().level();
    let names = LocalResource::new(move || {
        let wanted = open.get();
        let loader = app.loader;
        async move {
            if !wanted {
                return None;
            }
            loader.fetch(crate::api::layer_areas(level)).await
        }
    });
    let list = move |entered: bool| {
        let moves = app
            .what_if
            .rebuilt
            .with(|r| r.get(&index).map(|r| r.moves.clone()))
            .unwrap_or_default();
        let positions = if entered { moves.entered } else { moves.left };
        let total = positions.len();
        let areas = names.get().flatten();
        let items = positions
            .iter()
            .take(LIST_LIMIT)
            .map(|&i| {
                let (code, name) = areas
                    .as_ref()
                    .and_then(|a| Some((a.codes.get(i)?.clone(), a.names.get(i)?.clone())))
                    .unwrap_or_else(|| (format!("area {i}"), String::new()));
                view! { <li><span class="code">{code}</span>" "{name}</li> }
            })
            .collect_view();
        let more = (total > LIST_LIMIT).then(|| {
            format!(
                "and {} more (export them with cnimap reweight or /api/reweight).",
                format_thousands(u32::try_from(total - LIST_LIMIT).unwrap_or(0))
            )
        });
        view! { <ul class="moved">{items}</ul><p class="more">{more}</p> }
    };
    view! {
        <details
            class="moved-list"
            on:toggle=move |ev| open.set(event_target::<web_sys::Element>(&ev).has_attribute("open"))
        >
            <summary>"Which areas moved"</summary>
            <h4>{format!("Into the {} 10%", index.worst_words())}</h4>
            {move || list(true)}
            <h4>{format!("Out of the {} 10%", index.worst_words())}</h4>
            {move || list(false)}
        </details>
    }
}
