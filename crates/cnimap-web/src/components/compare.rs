//! Areas side by side (issue 13): up to four areas of any levels (`compare=CODE,CODE` in the URL),
//! a table of indicators × areas with each area's rank and decile, or a larger area's summary
//! measures; an area is added from its panel ([`crate::components::compare_add`]) or a table row
//! and removed here. A ward code (`E05…`) is compared by its area document when it is a ward 2017
//! (CNI 2019, IoD 2019 summaries) and by its ward 2024 summaries, made here in wasm from the
//! documents the page fetches ([`crate::levels::ward`]), when it is a ward 2024: both when it is
//! both. The same on a static site.

use std::sync::Arc;

use cnimap_core::api::{AreaDetail, AreaIndicator};
use cnimap_core::profile::MAX_COMPARED;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::levels::ward::{ward_facts, ward_indicators, with_ward24, WardFacts, MAIN_INDICATORS};
use crate::page_route::profile_href;
use crate::state::use_app;
use crate::url_state::Selection;
use crate::words::rank_phrase;
use cnimap_core::Level;

/// One compared area as loaded.
type Loaded = (String, Result<Arc<AreaDetail>, ApiError>);

/// The cell of one indicator for one area: the decile and rank, or the summary measures.
fn cell(ind: Option<&AreaIndicator>) -> AnyView {
    let Some(ind) = ind else {
        return view! { <td class="none">"not published for this area"</td> }.into_any();
    };
    if !ind.measures.is_empty() {
        let items = ind
            .measures
            .iter()
            .map(|m| view! { <li>{format!("{}: {}", m.label, m.text)}</li> })
            .collect_view();
        let badge = crate::components::panel::badge(ind);
        return view! { <td>{badge}<ul class="measures-list">{items}</ul></td> }.into_any();
    }
    let rank = ind
        .rank
        .map(|r| rank_phrase(r, ind.of))
        .unwrap_or_else(|| "no rank".into());
    let badge = crate::components::panel::badge(ind);
    view! { <td>{badge}" "<span class="rank">{rank}</span></td> }.into_any()
}

/// A ward 2024's facts and summaries (the main indices and the map's indicator when it is on LSOAs
/// 2021), when `code` is a ward 2024's; `None` for any other code.
async fn ward24_figures(
    app: crate::state::AppState,
    code: &str,
) -> Option<(WardFacts, Vec<cnimap_core::api::AreaIndicator>)> {
    if !code.starts_with("E05") {
        return None;
    }
    let parents = crate::components::level_picker::lsoa21_parents(app).await?;
    let facts = ward_facts(&parents, code)?;
    let mut ids = MAIN_INDICATORS.to_vec();
    let shown = app.indicator.get_untracked();
    if shown.def().level() == Level::Lsoa21 && !ids.contains(&shown) {
        ids.push(shown);
    }
    let values =
        futures::future::join_all(ids.iter().map(|id| app.loader.values(Level::Lsoa21, *id))).await;
    let values: Vec<_> = values.into_iter().flatten().collect();
    let refs: Vec<&cnimap_core::api::ValuesResponse> = values.iter().map(Arc::as_ref).collect();
    let indicators = ward_indicators(&parents, &refs, facts.index);
    Some((facts, indicators))
}

/// The compared area's level in words: "Ward (2017 and 2024)" for a ward 2017 whose code is a
/// ward 2024's too (its figures of both years shown).
fn level_words(d: &AreaDetail) -> String {
    let with_2024 = d.level == Level::Ward17
        && d.indicators.iter().any(|i| {
            cnimap_core::catalogue::IndicatorId::parse(&i.id)
                .is_ok_and(|id| id.def().level() == Level::Lsoa21)
        });
    if with_2024 {
        "Ward (2017 and 2024)".into()
    } else {
        d.level.title().into()
    }
}

/// The comparison table, shown while the URL names areas to compare.
#[component]
pub fn CompareView() -> impl IntoView {
    let app = use_app();
    let codes = Memo::new(move |_| app.pages.with(|p| p.compare.clone()));
    let loaded = LocalResource::new(move || {
        let codes = codes.get();
        let loader = app.loader;
        async move {
            let requests = codes.into_iter().map(|code| async move {
                let selection = Selection::code(code.clone());
                let (doc, ward) = futures::join!(
                    loader.count(api::area(&selection)),
                    ward24_figures(app, &code)
                );
                let result = match doc {
                    Ok(d) => Ok(with_ward24(&code, Some(d.clone()), ward).unwrap_or(d)),
                    Err(e) => with_ward24(&code, None, ward).ok_or(e),
                }
                .map(Arc::new);
                (code, result)
            });
            futures::future::join_all(requests).await
        }
    });
    let remove = move |code: String| {
        app.pages.update(|p| p.compare.retain(|c| *c != code));
    };
    let table = move |areas: Vec<Loaded>| {
        let heads = areas
            .iter()
            .map(|(code, result)| {
                let code_remove = code.clone();
                let (name, sub) = match result {
                    Ok(d) => (d.name.clone(), format!("{} · {}", level_words(d), d.code)),
                    Err(e) => (code.clone(), crate::words::area_error(code, e)),
                };
                let href = profile_href(code, false);
                view! {
                    <th scope="col" class="compare-area">
                        <span class="compare-name">{name.clone()}</span>
                        <span class="small">{sub}</span>
                        <span class="compare-actions">
                            <a href=href>"Profile"</a>
                            <button
                                type="button"
                                class="link"
                                aria-label=format!("Remove {name} from the comparison")
                                data-testid="compare-remove"
                                on:click=move |_| remove(code_remove.clone())
                            >
                                "Remove"
                            </button>
                        </span>
                    </th>
                }
            })
            .collect_view();
        // Indicators in the order they first appear.
        let mut ids: Vec<(String, String)> = Vec::new();
        for (_, result) in &areas {
            if let Ok(d) = result {
                for ind in &d.indicators {
                    if !ids.iter().any(|(id, _)| *id == ind.id) {
                        ids.push((ind.id.clone(), ind.title.clone()));
                    }
                }
            }
        }
        let rows = ids
            .into_iter()
            .map(|(id, title)| {
                let cells = areas
                    .iter()
                    .map(|(_, result)| {
                        let ind = result
                            .as_ref()
                            .ok()
                            .and_then(|d| d.indicators.iter().find(|i| i.id == id));
                        cell(ind)
                    })
                    .collect_view();
                view! {
                    <tr data-indicator=id.clone()>
                        <th scope="row">{title}</th>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="compare-scroll" tabindex="0" role="region" aria-label="Comparison table">
                <table class="compare-table" data-testid="compare-table">
                    <caption class="sr-only">"Indicators of the compared areas: decile and rank, or summary measures for larger areas"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Indicator"</th>
                            {heads}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    };
    view! {
        <Show when=move || !codes.with(Vec::is_empty)>
            <section class="compare" aria-labelledby="compare-title" data-testid="compare">
                <header class="compare-head">
                    <h2 id="compare-title">{move || format!("Comparing {} of up to {MAX_COMPARED} areas", codes.with(Vec::len))}</h2>
                    <button
                        type="button"
                        class="close"
                        aria-label="Close the comparison"
                        title="Close the comparison"
                        on:click=move |_| app.pages.update(|p| p.compare.clear())
                    >
                        "×"
                    </button>
                </header>
                <p class="small">
                    "Rank 1 is the most deprived (or highest need) in England. Deciles: 1 is the most deprived 10%. Local authorities, wards and regions show MHCLG's summary measures of their neighbourhoods."
                </p>
                <Suspense fallback=|| view! { <p class="loading">"Loading the areas…"</p> }>
                    {move || Suspend::new(async move { table(loaded.await) })}
                </Suspense>
            </section>
        </Show>
    }
}
