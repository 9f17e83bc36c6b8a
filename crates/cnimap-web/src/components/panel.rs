//! The area panel: everything `/api/areas/{code}` knows about the selected area. A side panel on
//! desktop, a bottom sheet on a phone. The details come from `AppState::detail`, a resource that
//! reloads with the selection; the panel suspends while it loads.

use std::sync::Arc;

use cnimap_core::api::{AreaDetail, AreaIndicator};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::colour::{decile_colour, NO_DATA};
use cnimap_core::help::{area_code_question, HelpId};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::classes::indicator_ramp;
use crate::components::help::HelpButton;
use crate::dom;
use crate::state::use_app;
use crate::url_state::Selection;
use crate::words::{
    area_error, counterparts_intro, format_score, group_by_source, left_behind_count_sentence,
    measure_columns, rank_phrase, MeasureColumn,
};

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
                {move || match app.selected.get().filter(crate::components::ward_panel::is_ward) {
                    // A ward 2024 has no area document: its panel is made in wasm.
                    Some(ward) => view! { <crate::components::ward_panel::WardBody code=ward.code/> }.into_any(),
                    None => view! {
                        <Suspense fallback=loading>
                            {move || Suspend::new(async move {
                                match app.detail.await {
                                    Some((selection, result)) => body(selection, result).into_any(),
                                    None => ().into_any(),
                                }
                            })}
                        </Suspense>
                    }.into_any(),
                }}
            </aside>
        </Show>
    }
}

fn body(selection: Selection, result: Result<Arc<AreaDetail>, ApiError>) -> impl IntoView {
    match result {
        Ok(detail) => view! { <AreaBody detail/> }.into_any(),
        Err(e) => view! {
            <p class="error-text" role="alert">{area_error(&selection.code, &e)}</p>
        }
        .into_any(),
    }
}

/// The body of the panel for a loaded area.
#[component]
fn AreaBody(detail: Arc<AreaDetail>) -> impl IntoView {
    let app = use_app();
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
    // The same place on the map of the other LSOA vintage.
    let counterparts = (!d.counterparts.is_empty()).then(|| {
        let intro = counterparts_intro(&d.counterparts);
        let items = d
            .counterparts
            .iter()
            .map(|c| {
                let selection = Selection::on(c.area.code.clone(), c.level);
                view! {
                    <li>
                        <button
                            type="button"
                            class="link"
                            on:click=move |_| app.select(selection.clone(), false)
                        >
                            {c.area.name.clone()}
                            <span class="code">{format!("{} · {}", c.area.code, c.change)}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="counterparts">
                <p class="small">{intro}</p>
                <ul class="area-list">{items}</ul>
            </div>
        }
    });
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
    let left_behind_count = d.left_behind_count.as_ref().map(|c| {
        let class = if c.count > 0 {
            "left-behind-yes"
        } else {
            "left-behind-no"
        };
        view! {
            <div class=format!("left-behind-status left-behind-count {class}")>
                <strong>{left_behind_count_sentence(c.count, c.of)}</strong>
                <p>{c.method.clone()}</p>
            </div>
        }
    });
    let summary_method = d.summary_method.clone().map(|m| {
        view! {
            <details class="summary-method">
                <summary>"How these figures are made"</summary>
                <p class="small">{m}</p>
            </details>
        }
    });
    let tables = group_by_source(&d.indicators)
        .into_iter()
        .map(|(source, list)| {
            // A larger area's indicators share their measures: one table, each measure named once.
            let body = match measure_columns(&list) {
                Some(columns) => measures_table(columns, list).into_any(),
                None => {
                    let rows = list.into_iter().map(indicator_row).collect_view();
                    view! { <ul class="indicators">{rows}</ul> }.into_any()
                }
            };
            view! {
                <section class="source-group">
                    <h3>{source.title()}</h3>
                    {body}
                </section>
            }
        })
        .collect_view();
    view! {
        <h2 class="area-name">{d.name.clone()}</h2>
        <p class="area-code">{format!("{} · {}", d.code, d.level.title())}</p>
        <crate::components::search::TownNote code=d.code.clone()/>
        <p class="help-links">
            <HelpButton topic=HelpId::AreaCode label=Signal::stored(area_code_question(&d.code))/>
        </p>
        <p class="profile-links">
            <a href=crate::page_route::profile_href(&d.code, false) data-testid="open-profile">"Open the profile"</a>
        </p>
        <crate::components::compare_add::AddToCompare code=d.code.clone()/>
        {names}
        <crate::components::level_picker::PositionInParent detail=d.clone()/>
        {counterparts}
        {left_behind}
        {left_behind_count}
        {crate::components::change_view::panel_section(&d)}
        {summary_method}
        {tables}
    }
}

/// The decile badge of an indicator: its decile on the indicator's ramp.
pub(crate) fn badge(ind: &AreaIndicator) -> impl IntoView {
    let id = IndicatorId::parse(&ind.id).ok();
    let decile = ind
        .decile
        .map(|x| x.to_string())
        .unwrap_or_else(|| "–".into());
    let colour = ind
        .decile
        .zip(id)
        .and_then(|(x, id)| decile_colour(indicator_ramp(id), x))
        .unwrap_or(NO_DATA);
    view! {
        <span
            class="decile-badge"
            style:background-color=colour.to_hex()
            style:color=colour.text_colour().to_hex()
        >
            // A span has no role, so it may not carry a name (aria-label): the word is read instead.
            <span class="sr-only">"decile "</span>
            {decile.clone()}
        </span>
    }
}

/// The summary measures of a larger area's indicators as one table: the measures' full names
/// said once above it, short names as column heads, a row per indicator.
fn measures_table(columns: Vec<MeasureColumn>, list: Vec<AreaIndicator>) -> impl IntoView {
    let key = columns
        .iter()
        .map(|c| format!("{}: {}.", c.short, c.label))
        .collect::<Vec<_>>()
        .join(" ");
    let heads = columns
        .iter()
        .map(|c| view! { <th scope="col" title=c.label.clone()>{c.short}</th> })
        .collect_view();
    let rows = list
        .into_iter()
        .map(|ind| {
            let cells = columns
                .iter()
                .map(|c| {
                    let text = ind
                        .measures
                        .iter()
                        .find(|m| m.id == c.id)
                        .map(|m| m.text.clone())
                        .unwrap_or_else(|| "–".into());
                    view! { <td>{text}</td> }
                })
                .collect_view();
            view! {
                <tr class="indicator" data-indicator=ind.id.clone() title=ind.meaning.clone()>
                    <th scope="row">
                        <span class="indicator-head">
                            {badge(&ind)}
                            <span class="indicator-title">{ind.title.clone()}</span>
                        </span>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="small measure-key">{key}</p>
        <table class="measures">
            <thead>
                <tr>
                    <th scope="col">"Indicator (decile)"</th>
                    {heads}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn indicator_row(ind: AreaIndicator) -> impl IntoView {
    let id = IndicatorId::parse(&ind.id).ok();
    let rank = ind
        .rank
        .map(|r| rank_phrase(r, ind.of))
        .unwrap_or_else(|| "no rank".to_string());
    let score = ind
        .score
        .map(|s| format!(" · score {}", format_score(s)))
        .unwrap_or_default();
    let score_meaning = ind.score.and(
        ind.score_meaning
            .clone()
            .or_else(|| id.and_then(|i| i.def().score_meaning()).map(str::to_string)),
    );
    view! {
        <li class="indicator" data-indicator=ind.id.clone()>
            <div class="indicator-head">
                {badge(&ind)}
                <span class="indicator-title">{ind.title.clone()}</span>
            </div>
            <div class="indicator-rank">{format!("{rank}{score}")}</div>
            <div class="indicator-meaning">{ind.meaning.clone()}</div>
            {score_meaning.map(|m| view! { <div class="indicator-score">{m}</div> })}
        </li>
    }
}
