//! The legend: deciles with counts (click a class to hide or show it), or the 3 x 3 bivariate
//! square.

use cnimap_core::bivariate::{BivariateClass, BIVARIATE_METHOD};
use cnimap_core::catalogue::Source;
use cnimap_core::classify::format_thousands;
use cnimap_core::colour::{decile_colour, Ramp, NO_DATA};
use cnimap_core::help::HelpId;
use leptos::prelude::*;

use crate::classes::{bivariate_classes, bivariate_counts, indicator_layer, indicator_ramp};
use crate::components::help::HelpButton;
use crate::state::{use_app, AppState};
use crate::url_state::ViewMode;
use crate::words::{decile_method, decile_ten_phrase};

/// One row of a ten-class legend: a button that hides or shows class `class` (1..=10), with its
/// swatch in `ramp`'s colour, its name and its count. The name read out is the visible text and
/// the noun: "Decile 1 3,375 neighbourhoods" (WCAG 2.5.3 label in name).
fn class_row(
    app: AppState,
    ramp: Ramp,
    class: u8,
    label: String,
    count: String,
    noun: &'static str,
) -> impl IntoView {
    let rgb = decile_colour(ramp, class).unwrap_or(NO_DATA);
    let (colour, ink) = (rgb.to_hex(), rgb.text_colour().to_hex());
    let shown = move || !app.hidden.with(|h| h.contains(&class));
    view! {
        <li>
            <button
                type="button"
                class="legend-row"
                class:off=move || !shown()
                aria-pressed=move || if shown() { "true" } else { "false" }
                title="Click to hide or show this class"
                on:click=move |_| toggle(app, class)
            >
                <span class="swatch" style:background-color=colour style:color=ink>
                    <span class="decile-number" aria-hidden="true">{class}</span>
                </span>
                <span class="class-name">{label}</span>
                <span class="count">{count}</span>
                <span class="sr-only">{format!(" {noun}")}</span>
            </button>
        </li>
    }
}

fn toggle(app: AppState, class: u8) {
    app.hidden.update(|h| {
        if let Some(pos) = h.iter().position(|&c| c == class) {
            h.remove(pos);
        } else {
            h.push(class);
            h.sort_unstable();
        }
    });
}

/// The legend of the current view.
#[component]
pub fn Legend() -> impl IntoView {
    let app = use_app();
    view! {
        <section class="legend" aria-label="Legend">
            {move || match app.view.get() {
                ViewMode::Choropleth if app.map_level.get().is_some_and(|a| {
                    crate::levels::MapLevel::new(app.indicator.get(), a.level, a.measure).is_some()
                }) => view! { <SummaryLegend/> }.into_any(),
                ViewMode::Choropleth => view! { <DecileLegend/> }.into_any(),
                ViewMode::Bivariate => view! { <BivariateLegend/> }.into_any(),
                ViewMode::LeftBehind => ().into_any(),
                ViewMode::Change => view! { <crate::components::change_view::ChangeLegend/> }.into_any(),
            }}
        </section>
    }
}

/// Ten decile rows with colour, meaning and count.
#[component]
fn DecileLegend() -> impl IntoView {
    let app = use_app();
    let phrases = move || {
        let id = app.indicator.get();
        let def = id.def();
        let noun = indicator_layer(id).level().areas_noun();
        let meta = app.current_meta();
        let meta = meta
            .as_ref()
            .and_then(|m| m.indicators.iter().find(|i| i.id == id.as_str()));
        let one = meta
            .map(|i| i.decile_one.clone())
            .unwrap_or_else(|| def.direction().decile_one_phrase(noun));
        let ten = decile_ten_phrase(def.direction(), noun);
        // The example counts this layer's ranked areas: from the values, or the catalogue.
        let n = app
            .current_values()
            .filter(|v| v.indicator == id.as_str())
            .map(|v| v.n_ranked)
            .or_else(|| meta.map(|i| i.n_ranked));
        (one, ten, decile_method(id, n))
    };
    let rows = move || {
        let id = app.indicator.get();
        let ramp = indicator_ramp(id);
        let counts = app
            .current_values()
            .filter(|v| v.indicator == id.as_str())
            .map(|v| v.decile_counts);
        let noun = indicator_layer(id).level().areas_noun();
        (1..=10u8)
            .map(|decile| {
                let count = counts
                    .map(|c| format_thousands(c[usize::from(decile - 1)]))
                    .unwrap_or_else(|| "…".to_string());
                class_row(app, ramp, decile, format!("Decile {decile}"), count, noun)
            })
            .collect_view()
    };
    view! {
        <h2 class="legend-title">
            {move || {
                let id = app.indicator.get();
                // The map shows the user's re-weighted index (what-if): the title says so.
                match app.what_if.weights_for(id) {
                    Some(_) => format!("{} (your weights)", id.def().title),
                    None => id.def().title.to_string(),
                }
            }}
        </h2>
        <p class="legend-phrase">{move || phrases().0}</p>
        <ul class="legend-rows" data-testid="decile-legend">{rows}</ul>
        <p class="legend-phrase">{move || phrases().1}</p>
        <p class="legend-phrase legend-counts">
            {move || {
                let noun = indicator_layer(app.indicator.get()).level().areas_noun();
                format!("Numbers: how many {noun} are in each decile.")
            }}
        </p>
        // The questions come after the classes, so a phone's first screen reaches the colours.
        <p class="help-links">
            {move || {
                let topic = match app.indicator.get().def().source {
                    Source::Cni2023 | Source::Cni2019 => HelpId::CommunityNeeds,
                    Source::Iod2025 | Source::Iod2019 => HelpId::Deprivation,
                };
                view! { <HelpButton topic/> }
            }}
            <HelpButton topic=HelpId::Decile/>
        </p>
        <p class="small">
            <span class="swatch inline" style:background-color=NO_DATA.to_hex()></span>
            " no value · click a class to hide or show it. "
            {move || phrases().2}
        </p>
    }
}

/// The 3 x 3 square: deprivation thirds by need thirds, with counts.
#[component]
fn BivariateLegend() -> impl IntoView {
    let app = use_app();
    let counts = Memo::new(move |_| {
        app.current_pair()
            .map(|p| bivariate_counts(&bivariate_classes(&p)))
    });
    let cells = move || {
        BivariateClass::ALL
            .into_iter()
            .map(|class| {
                let index = class.index() as u8;
                let colour = class.colour().to_hex();
                let text = class.colour().text_colour().to_hex();
                let count = move || {
                    counts
                        .get()
                        .map(|c| format_thousands(c[usize::from(index)]))
                        .unwrap_or_else(|| "…".to_string())
                };
                let shown = move || !app.hidden.with(|h| h.contains(&index));
                view! {
                    <button
                        type="button"
                        class="bivariate-cell"
                        class:off=move || !shown()
                        style:background-color=colour
                        style:color=text
                        aria-pressed=move || if shown() { "true" } else { "false" }
                        title=class.label()
                        aria-label=move || format!("{}: {} neighbourhoods", class.label(), count())
                        on:click=move |_| toggle(app, index)
                    >
                        {count}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <h2 class="legend-title">"Deprivation (IMD 2025) × community need (CNI 2023)"</h2>
        <p class="help-links">
            <HelpButton topic=HelpId::Deprivation/>
            <HelpButton topic=HelpId::CommunityNeeds/>
        </p>
        <div class="bivariate">
            <div class="axis-y">"↑ more deprived (IMD thirds)"</div>
            <div class="bivariate-grid" data-testid="bivariate-legend">{cells}</div>
            <div class="axis-x">"← higher need (CNI thirds)"</div>
        </div>
        <p class="small">
            "Top-left: the most deprived third of neighbourhoods that are also in the highest-need third. "
            {BIVARIATE_METHOD}
        </p>
    }
}

/// The legend of a larger level: which level and measure, ten classes suited to the measure with
/// how many areas fall in each (click to hide or show), and the measure's method in words.
#[component]
fn SummaryLegend() -> impl IntoView {
    let app = use_app();
    let at = move || {
        let id = app.indicator.get();
        app.map_level
            .get()
            .and_then(|a| crate::levels::MapLevel::new(id, a.level, a.measure))
            .map(|a| (id, a))
    };
    let summary = crate::components::level_picker::current_summary;
    let heading = move || {
        at().map(|(id, a)| {
            format!(
                "{} · {}",
                crate::levels::level_label(a.level),
                crate::levels::measure_label(a.measure, id.def().direction())
            )
        })
    };
    let rows = move || {
        let (id, a) = at()?;
        let s = summary().filter(|s| s.at == a && s.indicator == id);
        let ramp = indicator_ramp(id);
        let counts = s.as_ref().map(|s| s.counts());
        let (n_lsoas, n_areas) = s.as_ref().map_or((0, 0), |s| (s.n_lsoas, s.n_areas()));
        let noun = a.level.areas_noun();
        Some(
            (1..=10u8)
                .map(|class| {
                    let label = if s.is_some() {
                        crate::levels::class_text(a.measure, class, n_lsoas, n_areas)
                    } else {
                        "…".to_string()
                    };
                    let count = counts
                        .map(|c| format_thousands(c[usize::from(class - 1)]))
                        .unwrap_or_else(|| "…".to_string());
                    class_row(app, ramp, class, label, count, noun)
                })
                .collect_view(),
        )
    };
    let method = move || {
        let (id, a) = at()?;
        Some(a.measure.method(id.def()))
    };
    let wards = move || {
        at().filter(|(_, a)| a.level == cnimap_core::Level::Ward24)
            .map(|_| view! { <p class="legend-phrase" data-testid="wards-note">{crate::levels::WARDS_NOTE}</p> })
    };
    view! {
        <h2 class="legend-title">{move || app.indicator.get().def().title}</h2>
        <p class="legend-phrase legend-level" data-testid="level-legend-heading">{heading}</p>
        {wards}
        <ul class="legend-rows" data-testid="level-legend">{rows}</ul>
        <p class="legend-phrase legend-counts">
            {move || at().map(|(_, a)| format!("Numbers: how many {} are in each class.", a.level.areas_noun()))}
        </p>
        <p class="small" data-testid="level-legend-method">
            <span class="swatch inline" style:background-color=NO_DATA.to_hex()></span>
            " no value · click a class to hide or show it. "
            {method}
        </p>
    }
}
