//! The view tabs (one indicator, IMD x CNI, left behind) and the indicator picker.

use cnimap_core::catalogue::{IndicatorId, Source, CATALOGUE};
use leptos::prelude::*;

use crate::state::use_app;
use crate::url_state::ViewMode;

const VIEWS: [(ViewMode, &str); 3] = [
    (ViewMode::Choropleth, "One indicator"),
    (ViewMode::Bivariate, "IMD × CNI"),
    (ViewMode::LeftBehind, "Left behind"),
];

/// View tabs and, for the choropleth, the indicator `<select>` grouped by dataset.
#[component]
pub fn Controls() -> impl IntoView {
    let app = use_app();
    let tabs = VIEWS
        .into_iter()
        .map(|(view, label)| {
            let selected = move || app.view.get() == view;
            view! {
                <button
                    type="button"
                    role="tab"
                    class="tab"
                    id=format!("tab-{}", view.id())
                    aria-selected=move || if selected() { "true" } else { "false" }
                    class:active=selected
                    on:click=move |_| app.set_view(view)
                >
                    {label}
                </button>
            }
        })
        .collect_view();

    let description = move || {
        let id = app.indicator.get();
        let from_meta = app.current_meta().and_then(|m| {
            m.indicators.iter().find(|i| i.id == id.as_str()).map(|i| {
                format!(
                    "{} Source: {}; {}.",
                    i.description, i.source_title, i.rank_phrase
                )
            })
        });
        let def = id.def();
        from_meta.unwrap_or_else(|| format!("{} Source: {}.", def.description, def.source.title()))
    };

    view! {
        <div class="tabs" role="tablist" aria-label="What the map shows">{tabs}</div>
        <Show when=move || app.view.get() == ViewMode::Choropleth>
            <label class="field-label" for="indicator">"Indicator"</label>
            <select
                id="indicator"
                prop:value=move || app.indicator.get().as_str()
                on:change=move |ev| match IndicatorId::parse(&event_target_value(&ev)) {
                    Ok(id) => app.indicator.set(id),
                    Err(e) => app.report(e.to_string()),
                }
            >
                {indicator_options()}
            </select>
            <p class="description">{description}</p>
        </Show>
    }
}

/// The `<optgroup>`s of the indicator picker: one per dataset, domains and sub-domains indented.
fn indicator_options() -> impl IntoView {
    Source::ALL
        .into_iter()
        .map(|source| {
            let options = CATALOGUE
                .iter()
                .filter(|d| d.source == source)
                .map(|d| {
                    let depth = match d.parent {
                        None => "",
                        Some(p) if p.contains('_') => "\u{2003}\u{2003}",
                        Some(_) => "\u{2003}",
                    };
                    view! { <option value=d.id>{format!("{depth}{}", d.title)}</option> }
                })
                .collect_view();
            view! { <optgroup label=source.title()>{options}</optgroup> }
        })
        .collect_view()
}
