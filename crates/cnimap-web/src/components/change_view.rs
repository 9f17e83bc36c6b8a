//! The change view (issue 12): IMD 2019 -> IMD 2025 deciles moved on every LSOA 2021, its legend
//! with counts, the rule and the caveat, the 2019 left-behind wards as an outline layer with
//! their CSV, and the area panel's change section. Its documents come from
//! `api/change/...` ([`ChangeDocument`]), the same files on a server and on a static site.
//!
//! Its state ([`ChangeState`]) is its own, provided beside the app's: the shared components call
//! it with one line each.

use std::cell::Cell;
use std::sync::Arc;

use cnimap_core::api::AreaDetail;
use cnimap_core::change::{
    shift_words, ChangeResponse, LeftBehindWard, CHANGE_METHOD, LEFT_BEHIND_WARDS_METHOD,
};
use cnimap_core::change_map::{
    class_counts, wards_csv, ChangeDocument, ChangeMapDocument, ShiftClass, BOUNDARY_RULE_WORDS,
};
use cnimap_core::classify::format_thousands;
use cnimap_core::Level;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::api::{endpoints, get_json};
use crate::change::{self as pure, CAVEAT, KEY_CHANGE};
use crate::map::{self, Map};
use crate::state::AppState;
use crate::url_state::ViewMode;

#[wasm_bindgen]
extern "C" {
    /// `map.addSource(id, source)`.
    #[wasm_bindgen(method, js_name = addSource)]
    fn add_source(this: &Map, id: &str, source: &JsValue);

    /// `map.addLayer(layer, beforeId)`.
    #[wasm_bindgen(method, js_name = addLayer)]
    fn add_layer(this: &Map, layer: &JsValue, before: &str);
}

/// The 2019 left-behind wards in 2023, as the page uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct WardsList {
    /// How the list was made.
    pub method: String,
    /// Every ward, in code order.
    pub wards: Vec<LeftBehindWard>,
    /// Of which still holding left-behind neighbourhoods.
    pub still: usize,
}

/// The change view's signals and documents.
#[derive(Clone, Copy)]
pub struct ChangeState {
    /// The change map's document, from the first time the view or the panel needs it.
    pub map_doc: LocalResource<Option<Arc<ChangeMapDocument>>>,
    /// The 2019 left-behind wards, from the first time the view shows.
    pub wards: LocalResource<Option<Arc<WardsList>>>,
    /// Whether the wards' outlines are drawn.
    pub show_wards: RwSignal<bool>,
    /// Whether an area panel asked for the change document.
    pub panel_wants: RwSignal<bool>,
}

thread_local! {
    static CHANGE: Cell<Option<ChangeState>> = const { Cell::new(None) };
}

/// A flag that turns on the first time `wanted` is true and stays on.
fn once_wanted(wanted: impl Fn() -> bool + Send + Sync + 'static) -> Memo<bool> {
    Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || wanted())
}

/// Creates the change view's state (inside the app's owner) and provides it.
pub fn provide_change(app: AppState) -> ChangeState {
    let view = app.view;
    let loader = app.loader;
    // In the URL (`wards=1`): the app's signal, so Back and Forward restore it.
    let show_wards = app.show_wards;
    let panel_wants = RwSignal::new(false);
    let wants_map = once_wanted(move || view.get() == ViewMode::Change || panel_wants.get());
    let map_doc = LocalResource::new(move || {
        let wanted = wants_map.get();
        async move {
            if !wanted {
                return None;
            }
            let url = endpoints().change(ChangeDocument::ImdLayer);
            loader
                .fetch(get_json::<ChangeMapDocument>(&url))
                .await
                .map(Arc::new)
        }
    });
    let wants_wards = once_wanted(move || view.get() == ViewMode::Change || show_wards.get());
    let wards = LocalResource::new(move || {
        let wanted = wants_wards.get();
        async move {
            if !wanted {
                return None;
            }
            let url = endpoints().change(ChangeDocument::LeftBehindWards);
            match loader.fetch(get_json::<ChangeResponse>(&url)).await? {
                ChangeResponse::LeftBehindWards {
                    method,
                    wards,
                    still_left_behind,
                    ..
                } => Some(Arc::new(WardsList {
                    method,
                    wards,
                    still: still_left_behind,
                })),
                ChangeResponse::Imd { .. } => {
                    loader.report(format!("{url} is not the list of left-behind wards"));
                    None
                }
            }
        }
    });
    let state = ChangeState {
        map_doc,
        wards,
        show_wards,
        panel_wants,
    };
    provide_context(state);
    CHANGE.with(|c| c.set(Some(state)));
    state
}

/// The change view's state (set by [`provide_change`]; also outside the component tree, in map
/// event handlers).
pub fn use_change() -> ChangeState {
    CHANGE
        .with(Cell::get)
        .unwrap_or_else(expect_context::<ChangeState>)
}

/// What `map_sync::sync_layers` paints in the change view, once the document is here (tracked):
/// the feature-state key, a tag of the data, the classes by feature index and the fill.
pub fn map_classes(hidden: &[u8]) -> Option<(&'static str, String, Vec<u8>, serde_json::Value)> {
    let doc = use_change().map_doc.get().flatten()?;
    Some((
        KEY_CHANGE,
        format!("change#{:x}", pure::digest(&doc)),
        pure::shift_classes(&doc),
        pure::change_fill(hidden),
    ))
}

/// Feature `index`'s change in words for the tooltip (untracked), `None` while loading.
pub fn describe_untracked(index: usize) -> Option<String> {
    let doc = use_change().map_doc.get_untracked().flatten()?;
    Some(pure::describe(&doc, index))
}

/// The change document, tracked (the screen-reader table).
pub fn current_doc() -> Option<Arc<ChangeMapDocument>> {
    use_change().map_doc.get().flatten()
}

/// Adds the wards' outline source and layers the first time they are shown, and shows or hides
/// them with the toggle.
pub fn sync_ward_outlines(app: AppState) {
    let change = use_change();
    let added = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let show = change.show_wards.get();
        if !show && !added.get_value() {
            return;
        }
        app.with_map(|m| {
            if !added.get_value() {
                let source = serde_json::json!({
                    "type": "geojson",
                    "data": endpoints().change(ChangeDocument::WardOutlines),
                });
                m.add_source(pure::WARD_SOURCE, &map::json(&source));
                for layer in pure::ward_layers() {
                    m.add_layer(&map::json(&layer), pure::WARD_LAYERS_BEFORE);
                }
                added.set_value(true);
            }
            let visibility = JsValue::from_str(if show { "visible" } else { "none" });
            for id in [pure::WARD_LAYER_STILL, pure::WARD_LAYER_NOT] {
                m.set_layout_property(id, "visibility", &visibility);
            }
        });
    });
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

/// `n` with thousands separators.
fn thousands(n: usize) -> String {
    format_thousands(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The change view's legend: a row per class with its count (click to hide or show it), the
/// total compared, the rule for split, merged and redrawn areas, the caveat, and the wards.
#[component]
pub fn ChangeLegend() -> impl IntoView {
    let app = crate::state::use_app();
    let change = use_change();
    let counts = Memo::new(move |_| {
        change
            .map_doc
            .get()
            .flatten()
            .map(|d| (class_counts(&d.layer.shift), d.layer.shift.len()))
    });
    let rows = move || {
        ShiftClass::ALL
            .into_iter()
            .map(|class| {
                let n = class.number();
                let rgb = class.colour();
                let (colour, ink) = (rgb.to_hex(), rgb.text_colour().to_hex());
                let count = move || {
                    counts
                        .get()
                        .map(|(c, _)| thousands(c[usize::from(n - 1)]))
                        .unwrap_or_else(|| "…".to_string())
                };
                let shown = move || !app.hidden.with(|h| h.contains(&n));
                view! {
                    <li>
                        <button
                            type="button"
                            class="legend-row"
                            class:off=move || !shown()
                            aria-pressed=move || if shown() { "true" } else { "false" }
                            title="Click to hide or show this class"
                            data-class=n
                            on:click=move |_| toggle(app, n)
                        >
                            <span class="swatch" style:background-color=colour style:color=ink></span>
                            <span class="class-name">{class.label()}</span>
                            <span class="count">{count}</span>
                            <span class="sr-only">" neighbourhoods"</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let total = move || {
        counts.get().map(|(c, n)| {
            let excluded = c[usize::from(ShiftClass::NotComparable.number() - 1)];
            format!(
                "{} of {} neighbourhoods (LSOA 2021) compared; {} not comparable (grey).",
                thousands(n - excluded),
                thousands(n),
                thousands(excluded)
            )
        })
    };
    view! {
        <h2 class="legend-title">"Change in deprivation: IMD 2019 → IMD 2025"</h2>
        <p class="legend-phrase">
            "Deciles moved by each neighbourhood between the two editions: orange towards the more deprived end, purple towards the less deprived end."
        </p>
        <ul class="legend-rows" data-testid="change-legend">{rows}</ul>
        <p class="legend-phrase" data-testid="change-total">{total}</p>
        <p class="small">{BOUNDARY_RULE_WORDS}</p>
        <p class="small caveat" data-testid="change-caveat">{CAVEAT}</p>
        <details class="summary-method">
            <summary>"How the change is made"</summary>
            <p class="small">{CHANGE_METHOD}</p>
        </details>
        <WardOutlines/>
    }
}

/// The toggle of the 2019 left-behind wards' outlines, what they hold in 2023 and the CSV.
#[component]
pub fn WardOutlines() -> impl IntoView {
    let change = use_change();
    let list = move || change.wards.get().flatten();
    let summary = move || {
        list().map(|l| {
            format!(
                "{} of the {} wards still hold left-behind neighbourhoods in 2023 (solid outline); {} no longer do (dashed).",
                l.still,
                l.wards.len(),
                l.wards.len() - l.still
            )
        })
    };
    let download = move || {
        list().map(|l| {
            let href = pure::csv_data_url(&wards_csv(&l.method, &l.wards));
            view! {
                <a class="download" href=href download="left-behind-wards-2019-in-2023.csv" data-testid="wards-csv">
                    "Download the 225 wards (CSV)"
                </a>
            }
        })
    };
    view! {
        <section class="ward-outlines" aria-labelledby="ward-outlines-title">
            <h3 id="ward-outlines-title" class="legend-subtitle">"Left-behind wards of 2019"</h3>
            <label class="check">
                <input
                    type="checkbox"
                    id="ward-outlines"
                    prop:checked=move || change.show_wards.get()
                    on:change=move |ev| change.show_wards.set(event_target_checked(&ev))
                />
                " Outline the 225 wards on OCSI’s 2019 left-behind list"
            </label>
            <p class="small" data-testid="wards-summary">{summary}</p>
            <details class="summary-method">
                <summary>"How “still left behind” is worked out"</summary>
                <p class="small">{LEFT_BEHIND_WARDS_METHOD}</p>
            </details>
            {download}
        </section>
    }
}

/// The area panel's change section for an LSOA 2021 (nothing for other layers, or where the
/// change view's state was not provided, as in a panel mounted on its own).
pub fn panel_section(detail: &AreaDetail) -> Option<impl IntoView> {
    let provided = CHANGE.with(Cell::get).is_some() || use_context::<ChangeState>().is_some();
    (detail.level == Level::Lsoa21 && provided).then(|| {
        let index = detail.feature_index as usize;
        view! { <AreaChangeSection index/> }
    })
}

/// Both editions with the arrow of change, the domain that drove it and each domain's move.
#[component]
fn AreaChangeSection(index: usize) -> impl IntoView {
    let change = use_change();
    let body = move || {
        let doc = change.map_doc.get().flatten()?;
        let c = pure::area_change(&doc, index)?;
        let basis = pure::basis_words(c.code, c.shift.is_some());
        let driver = c.driver().map(|t| {
            view! { <p data-testid="change-driver">{format!("The domain that drove the move most: {t}.")}</p> }
        });
        let domains = (c.shift.is_some()).then(|| {
            let rows = c
                .domains
                .iter()
                .map(|d| {
                    let words = d
                        .shift
                        .map(shift_words)
                        .unwrap_or_else(|| "not comparable".to_string());
                    view! {
                        <tr class:driver=d.driver>
                            <th scope="row">{d.title}</th>
                            <td>{words}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="domain-change">
                    <caption class="small">"Each domain, 2019 → 2025 decile"</caption>
                    <thead><tr><th scope="col">"Domain"</th><th scope="col">"Moved"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        });
        Some(view! {
            <p class="change-arrow" data-testid="change-arrow"><strong>{c.arrow()}</strong></p>
            <p class="small">{format!("Compared with {basis}.")}</p>
            {driver}
            {domains}
            <p class="small caveat">{CAVEAT}</p>
            <p class="small">"The driving domain is the one whose weighted move (its exponentially transformed rank times its IMD weight) is largest in the direction of the overall move."</p>
        })
    };
    // Outside the change view the document (1.0 MB, 174 KB gzip) is fetched only on request.
    let app = crate::state::use_app();
    let wanted = move || app.view.get() == ViewMode::Change || change.panel_wants.get();
    view! {
        <section class="area-change" data-testid="area-change">
            <h3>"Index of Multiple Deprivation, 2019 → 2025"</h3>
            {move || match (wanted(), body()) {
                (false, _) => view! {
                    <button type="button" class="link" on:click=move |_| change.panel_wants.set(true)>
                        "Compare with IMD 2019"
                    </button>
                }
                .into_any(),
                (true, Some(v)) => v.into_any(),
                (true, None) => view! { <p class="small">"Loading the change…"</p> }.into_any(),
            }}
        </section>
    }
}
