//! The area panel: everything `/api/areas/{code}` knows about the selected area. A side panel on
//! desktop, a bottom sheet on a phone. The details come from `AppState::detail`, a resource that
//! reloads with the selection; the panel suspends while it loads.

use std::sync::Arc;

use cnimap_core::api::{AreaDetail, AreaIndicator, IndicatorsResponse};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::classify::format_thousands;
use cnimap_core::colour::{decile_colour, NO_DATA};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::classes::indicator_ramp;
use crate::dom;
use crate::state::use_app;
use crate::url_state::Selection;

/// Moves focus into the panel when it opens (to its close button), and back where it was when it
/// closes and focus was inside it. A panel open when the page loads leaves focus alone.
fn manage_focus(app: crate::state::AppState) {
    let before = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let open = Memo::new(move |_| app.selected.with(Option::is_some));
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        match (was_open, is_open) {
            (Some(false), true) => {
                before.set_value(dom::active_element());
                request_animation_frame(|| {
                    dom::focus(CLOSE_SELECTOR);
                });
            }
            (Some(true), false) => {
                let Some(el) = before.get_value() else {
                    return is_open;
                };
                before.set_value(None);
                // Once the panel has left the page: focus inside it went with it.
                request_animation_frame(move || {
                    let lost = dom::active_element().is_none_or(|active| {
                        active.tag_name().eq_ignore_ascii_case("body") || dom::is_detached(&active)
                    });
                    if lost && !dom::is_detached(&el) {
                        let _ = el.focus();
                    }
                });
            }
            _ => {}
        }
        is_open
    });
}

/// The panel's close button.
const CLOSE_SELECTOR: &str = "[data-testid=area-panel] button.panel-close";

/// The area panel, shown while an area is selected.
#[component]
pub fn Panel() -> impl IntoView {
    let app = use_app();
    manage_focus(app);
    let close = move || app.close_panel();
    let loading = || {
        view! { <p class="loading"><span class="spinner" aria-hidden="true"></span>"Loading area…"</p> }
    };
    view! {
        <Show when=move || app.selected.with(Option::is_some)>
            <aside class="panel" aria-label="Area details" data-testid="area-panel">
                <button type="button" class="close panel-close" aria-label="Close" title="Close area details" on:click=move |_| close()>
                    "×"
                </button>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        match app.detail.await {
                            Some((selection, result)) => body(selection, result).into_any(),
                            None => ().into_any(),
                        }
                    })}
                </Suspense>
            </aside>
        </Show>
    }
}

fn body(selection: Selection, result: Result<Arc<AreaDetail>, ApiError>) -> impl IntoView {
    match result {
        Ok(detail) => view! { <AreaBody detail/> }.into_any(),
        Err(e) => {
            let message = if e.is_not_found() {
                format!("No area with code {} in the data. {e}", selection.code)
            } else {
                e.to_string()
            };
            view! { <p class="error-text" role="alert">{message}</p> }.into_any()
        }
    }
}

fn source_of(meta: &Option<Arc<IndicatorsResponse>>, id: &str) -> (String, u16) {
    meta.as_ref()
        .and_then(|m| m.indicators.iter().find(|i| i.id == id))
        .map(|i| (i.source_title.clone(), i.year))
        .or_else(|| {
            IndicatorId::parse(id)
                .ok()
                .map(|i| (i.def().source.title().to_string(), i.def().year()))
        })
        .unwrap_or_else(|| ("Unknown source".to_string(), 0))
}

/// The body of the panel for a loaded area.
#[component]
fn AreaBody(detail: Arc<AreaDetail>) -> impl IntoView {
    let app = use_app();
    let meta = app.meta.get_untracked().flatten();
    let d = detail;
    let place = |label: &'static str, value: Option<String>| {
        value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
    };
    let names = view! {
        <dl class="names">
            {place("Neighbourhood", d.neighbourhood.clone())}
            {place("Ward", d.ward.as_ref().map(|w| format!("{} ({})", w.name, w.code)))}
            {place("Local authority", d.lad.as_ref().map(|l| format!("{} ({})", l.name, l.code)))}
            {place("Region", d.region.as_ref().map(|r| r.name.clone()))}
        </dl>
    };
    let left_behind = d.left_behind.as_ref().map(|lb| {
        let class = if lb.left_behind {
            "left-behind-yes"
        } else {
            "left-behind-no"
        };
        view! {
            <div class=format!("left-behind-status {class}")>
                <strong>{if lb.left_behind { "Left behind" } else { "Not left behind" }}</strong>
                <p>{lb.method.clone()}</p>
            </div>
        }
    });
    // Group indicators by source, keeping the server's order.
    let mut groups: Vec<((String, u16), Vec<AreaIndicator>)> = Vec::new();
    for ind in &d.indicators {
        let key = source_of(&meta, &ind.id);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(ind.clone()),
            None => groups.push((key, vec![ind.clone()])),
        }
    }
    let tables = groups
        .into_iter()
        .map(|((title, year), list)| {
            let rows = list.into_iter().map(indicator_row).collect_view();
            view! {
                <section class="source-group">
                    <h3>{if year > 0 { format!("{title} ({year})") } else { title }}</h3>
                    <ul class="indicators">{rows}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <h2 class="area-name">{d.name.clone()}</h2>
        <p class="area-code">{format!("{} · {}", d.code, d.level.title())}</p>
        {names}
        {left_behind}
        {tables}
    }
}

fn indicator_row(ind: AreaIndicator) -> impl IntoView {
    let rank = ind
        .rank
        .map(|r| {
            format!(
                "rank {} of {}",
                format_thousands(r),
                format_thousands(ind.of)
            )
        })
        .unwrap_or_else(|| "no rank".to_string());
    let decile = ind
        .decile
        .map(|x| x.to_string())
        .unwrap_or_else(|| "–".into());
    let badge = ind
        .decile
        .zip(IndicatorId::parse(&ind.id).ok())
        .and_then(|(x, id)| decile_colour(indicator_ramp(id), x))
        .unwrap_or(NO_DATA);
    let score = ind
        .score
        .map(|s| format!(" · score {s:.3}"))
        .unwrap_or_default();
    view! {
        <li class="indicator" data-indicator=ind.id.clone()>
            <div class="indicator-head">
                <span
                    class="decile-badge"
                    style:background-color=badge.to_hex()
                    style:color=badge.text_colour().to_hex()
                    aria-label=format!("decile {decile}")
                >
                    {decile.clone()}
                </span>
                <span class="indicator-title">{ind.title.clone()}</span>
            </div>
            <div class="indicator-rank">{format!("{rank}{score}")}</div>
            <div class="indicator-meaning">{ind.meaning.clone()}</div>
        </li>
    }
}
