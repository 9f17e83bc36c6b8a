//! The ward panel (issue 11): a ward 2024 picked on the map at ward level, or in a table of wards,
//! has no boundary file and no `/api/areas` document, so its panel is made here in wasm from the
//! documents the page already fetches (`/api/parents/lsoa21`, `/api/layers/lsoa21`,
//! `/api/values/lsoa21/{id}`): its name, code and council, the shown measure's value with its
//! position among England's wards and within its council, its summaries of the main indices
//! ([`crate::levels::ward`], with core's `position` and `summarise`) and its LSOAs, each a link to the LSOA's panel. The ward's
//! LSOAs are outlined on the map. The same on a static site.

use std::sync::Arc;

use cnimap_core::api::LayerAreasResponse;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::summary::Summary;
use cnimap_core::Level;
use leptos::prelude::*;

use crate::levels::ward::{
    measure_lines, summary_cells, ward_councils, ward_facts, ward_summary, WardFacts,
    MAIN_INDICATORS,
};
use crate::state::{use_app, AppState};
use crate::url_state::Selection;

/// Whether `selection` is a ward 2024 (its panel is made here, not fetched).
pub fn is_ward(selection: &Selection) -> bool {
    selection.layer == Some(Level::Ward24)
}

/// Everything the panel shows, loaded.
#[derive(Clone)]
struct Loaded {
    facts: WardFacts,
    lines: Vec<String>,
    summaries: Vec<(IndicatorId, Option<Summary>)>,
    lsoa_names: Arc<LayerAreasResponse>,
}

/// The indicator and measure the panel places the ward by: the map's when it shows wards, else
/// the map's indicator (IMD 2025 when it is not on LSOAs 2021) by its share in decile 1.
fn shown_measure(app: AppState) -> Option<crate::levels::MapLevel> {
    let indicator = app.indicator.get();
    let indicator = if indicator.def().level() == Level::Lsoa21 {
        indicator
    } else {
        IndicatorId::IMD2025
    };
    app.map_level
        .get()
        .filter(|a| a.level == Level::Ward24)
        .and_then(|a| crate::levels::MapLevel::new(indicator, a.level, a.measure))
        .or_else(|| crate::levels::MapLevel::first(indicator, Level::Ward24))
}

async fn load(app: AppState, code: String) -> Result<Loaded, String> {
    use crate::components::level_picker as lp;
    let at = shown_measure(app).ok_or("No summary of this indicator for wards.")?;
    let indicator = app.indicator.get_untracked();
    let shown = if indicator.def().level() == Level::Lsoa21 {
        indicator
    } else {
        IndicatorId::IMD2025
    };
    let parents = lp::lsoa21_parents(app)
        .await
        .ok_or("The LSOA lookups could not be loaded.")?;
    let facts = ward_facts(&parents, &code)
        .ok_or_else(|| format!("No ward 2024 with code {code} in the data."))?;
    let lsoa_names = lp::layer_doc(app, Level::Lsoa21)
        .await
        .ok_or("The neighbourhoods' names could not be loaded.")?;
    let m = lp::summary_at(app, shown, at)
        .await
        .ok_or("The ward summaries could not be made.")?;
    let councils = ward_councils(&parents);
    let lines = measure_lines(
        &m,
        &councils,
        facts.council.as_ref().map(|c| c.name.as_str()),
        facts.index,
    );
    let mut ids: Vec<IndicatorId> = MAIN_INDICATORS.to_vec();
    if !ids.contains(&shown) {
        ids.push(shown);
    }
    let docs =
        futures::future::join_all(ids.iter().map(|id| app.loader.values(Level::Lsoa21, *id))).await;
    let summaries = ids
        .into_iter()
        .zip(docs)
        .map(|(id, v)| (id, v.and_then(|v| ward_summary(&parents, &v, facts.index))))
        .collect();
    Ok(Loaded {
        facts,
        lines,
        summaries,
        lsoa_names,
    })
}

/// The panel's body for a ward 2024.
#[component]
pub fn WardBody(
    /// The ward's code.
    code: String,
) -> impl IntoView {
    let app = use_app();
    sync_ward_outline(app);
    let loaded = LocalResource::new(move || {
        let code = code.clone();
        // Tracked: the map's measure and indicator place the ward.
        let _ = shown_measure(app);
        async move { load(app, code).await }
    });
    let loading = || {
        view! { <p class="loading"><span class="spinner" aria-hidden="true"></span>"Loading ward…"</p> }
    };
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(l) => ward_view(app, l).into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn ward_view(app: AppState, l: Loaded) -> impl IntoView {
    let Loaded {
        facts,
        lines,
        summaries,
        lsoa_names,
    } = l;
    let council = facts
        .council
        .as_ref()
        .map(|c| view! { <dt>"Local authority"</dt><dd>{format!("{} ({})", c.name, c.code)}</dd> });
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(k, t)| {
            let id = [
                "ward-measure",
                "ward-position-england",
                "ward-position-council",
            ]
            .get(k)
            .copied()
            .unwrap_or("ward-line");
            view! { <p class="area-position" data-testid=id>{t}</p> }
        })
        .collect_view();
    let rows = summaries
        .into_iter()
        .map(|(id, s)| {
            let cells = match s {
                Some(s) => summary_cells(&s)
                    .into_iter()
                    .map(|c| view! { <td>{c}</td> })
                    .collect_view()
                    .into_any(),
                None => view! { <td colspan="3">"no ranked LSOA"</td> }.into_any(),
            };
            view! {
                <tr class="indicator" data-indicator=id.as_str()>
                    <th scope="row">{id.def().title}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let n = facts.lsoas.len();
    let lsoas = facts
        .lsoas
        .iter()
        .filter_map(|&i| {
            let code = lsoa_names.codes.get(i)?.clone();
            let name = lsoa_names.names.get(i).cloned().unwrap_or_default();
            let selection = Selection::on(code.clone(), Level::Lsoa21);
            Some(view! {
                <li>
                    <button
                        type="button"
                        class="link"
                        data-code=code.clone()
                        on:click=move |_| app.select(selection.clone(), false)
                    >
                        {name}
                        <span class="code">{code.clone()}</span>
                    </button>
                </li>
            })
        })
        .collect_view();
    view! {
        <div data-testid="ward-panel">
            <h2 class="area-name">{facts.ward.name.clone()}</h2>
            <p class="area-code">{format!("{} · {}", facts.ward.code, Level::Ward24.title())}</p>
            <dl class="names">{council}</dl>
            {lines}
            <section class="source-group">
                <h3>"The main indices, summarised for the ward"</h3>
                <table class="measures" data-testid="ward-summaries">
                    <thead>
                        <tr>
                            <th scope="col">"Index"</th>
                            <th scope="col" title="Share of the ward's LSOAs in decile 1 nationally">"Share in decile 1"</th>
                            <th scope="col" title="Mean of the ward's LSOA ranks (1 = worst)">"Average rank"</th>
                            <th scope="col" title="Rank of the average rank among England's wards (1 = worst)">"Rank of average rank"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <p class="small">
                    "Wards publish no figures of their own: these are MHCLG's summary measures of the ward's LSOAs (2021), placed in it by the ONS best-fit lookup."
                </p>
            </section>
            <crate::components::compare_add::AddToCompare code=facts.ward.code.clone()/>
            <section class="source-group">
                <h3>{format!("Its {n} neighbourhoods (LSOAs 2021)")}</h3>
                <ul class="area-list" data-testid="ward-lsoas">{lsoas}</ul>
            </section>
        </div>
    }
}

/// Outlines the selected ward's LSOAs on the LSOA tiles (the selection outline filters by code,
/// and a ward 2024 has no tiles of its own), while the ward panel shows.
pub fn sync_ward_outline(app: AppState) {
    let outline = LocalResource::new(move || {
        let selected = app.selected.get().filter(is_ward);
        let ready = app.map_ready.get();
        async move {
            let s = selected.filter(|_| ready)?;
            let parents = crate::components::level_picker::lsoa21_parents(app).await?;
            let names = crate::components::level_picker::layer_doc(app, Level::Lsoa21).await?;
            let facts = ward_facts(&parents, &s.code)?;
            let codes: Vec<String> = facts
                .lsoas
                .iter()
                .filter_map(|&i| names.codes.get(i).cloned())
                .collect();
            Some((s, codes))
        }
    });
    Effect::new(move |_| {
        let Some(Some((s, codes))) = outline.get() else {
            return;
        };
        if app.selected.with_untracked(|now| now.as_ref() != Some(&s)) {
            return;
        }
        let filter = serde_json::json!(["in", ["get", "code"], ["literal", codes]]);
        app.with_map(|m| {
            crate::map::set_layer_filter(
                m,
                crate::layers::StyleLayer::Area(
                    crate::layers::AreaLayer::Lsoa21,
                    crate::layers::Part::Selected,
                ),
                &crate::map::json(&filter),
            );
        });
    });
}
