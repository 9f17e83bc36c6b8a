//! The map's level and measure pickers (issue 11), the summaries they draw (computed in wasm by
//! [`crate::levels`] from the documents the page fetches: a static site needs no server), and an
//! area's position within its parent in the panel.

use std::collections::HashMap;
use std::sync::Arc;

use cnimap_core::api::{AreaDetail, LayerAreasResponse};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::lineage::LineageDocument;
use cnimap_core::summary::{measures_at, Measure};
use cnimap_core::table::TableParents;
use cnimap_core::Level;
use leptos::prelude::*;

use crate::api;
use crate::levels::{
    area_position_sentence, level_label, lsoa_position_sentence, map_levels, measure_label,
    MapLevel, SummaryMap,
};
use crate::state::{use_app, AppState};
use crate::url_state::ViewMode;

/// The LSOA 2011 parents (with the best-fit ward 2017 column) and lineage (the mid-2015
/// populations) documents, which summarise the IoD 2019.
type Lsoa11Docs = (Arc<TableParents>, Arc<LineageDocument>);

/// The documents fetched once for the summaries, and the summary the map shows.
#[derive(Clone, Copy)]
pub struct Levels {
    parents: StoredValue<Option<Arc<TableParents>>>,
    lsoa11: StoredValue<Option<Lsoa11Docs>>,
    tiles: StoredValue<HashMap<Level, Arc<LayerAreasResponse>>>,
    /// The summary the map shows at a larger level (`None` at the indicator's own level).
    pub summary: LocalResource<Option<Arc<SummaryMap>>>,
}

thread_local! {
    /// The levels' state, also for map callbacks that run outside any reactive owner (the
    /// tooltip), where context cannot be read.
    static LEVELS: std::cell::Cell<Option<Levels>> = const { std::cell::Cell::new(None) };
}

/// The levels' state.
pub fn use_levels() -> Levels {
    LEVELS
        .with(std::cell::Cell::get)
        .unwrap_or_else(expect_context::<Levels>)
}

/// Makes the summary resource and provides it; call once in the root component.
pub fn provide_levels(app: AppState) {
    let parents = StoredValue::new(None);
    let lsoa11 = StoredValue::new(None);
    let tiles = StoredValue::new(HashMap::new());
    let summary = LocalResource::new(move || {
        let (view, indicator, at) = (app.view.get(), app.indicator.get(), app.map_level.get());
        async move {
            if view != ViewMode::Choropleth {
                return None;
            }
            let at = MapLevel::new(indicator, at?.level, at?.measure)?;
            summary_for(app, parents, lsoa11, tiles, indicator, at).await
        }
    });
    let levels = Levels {
        parents,
        lsoa11,
        tiles,
        summary,
    };
    LEVELS.with(|l| l.set(Some(levels)));
    provide_context(levels);
    link_table_and_map(app);
}

/// `/api/parents/lsoa21`, fetched once for the levels, the tables and the ward panel.
pub async fn lsoa21_parents(app: AppState) -> Option<Arc<TableParents>> {
    parents_doc(app, use_levels().parents).await
}

/// `/api/layers/{level}` (codes and names by feature index), fetched once.
pub async fn layer_doc(app: AppState, level: Level) -> Option<Arc<LayerAreasResponse>> {
    layer_doc_in(app, use_levels().tiles, level).await
}

/// `indicator` summarised at `at` (the ward panel's figures).
pub async fn summary_at(
    app: AppState,
    indicator: IndicatorId,
    at: MapLevel,
) -> Option<Arc<SummaryMap>> {
    let levels = use_levels();
    summary_for(
        app,
        levels.parents,
        levels.lsoa11,
        levels.tiles,
        indicator,
        at,
    )
    .await
}

/// The area a click (or Enter) on feature `feature` of `layer` picks: at ward level the ward the
/// LSOA under the pointer is in (its panel is made in wasm), else the feature's own area `code`.
pub fn picked_untracked(
    app: AppState,
    layer: crate::layers::AreaLayer,
    feature: usize,
    code: String,
) -> crate::url_state::Selection {
    use crate::url_state::Selection;
    let ward = shown_layer_untracked(app)
        .filter(|l| *l == layer)
        .and_then(|_| use_levels().summary.get_untracked().flatten())
        .filter(|m| m.at.level == Level::Ward24)
        .and_then(|m| {
            let a = m.area_of_feature(feature)?;
            m.areas.get(a).map(|w| w.code.clone())
        });
    match ward {
        Some(w) => Selection::on(w, Level::Ward24),
        None => Selection::on(code, layer.level()),
    }
}

/// Keeps the map at the table's level, so the user sees both at the level they plan at: a table
/// opened (or moved) at wards 2024, local authorities or regions draws the map there (by the
/// measure of the table's sort or first summary column, in the choropleth view), a table of
/// neighbourhoods the map's own areas; the map's level picker moves an open table to its level.
fn link_table_and_map(app: AppState) {
    let table_level = Memo::new(move |_| app.table.with(|s| s.as_ref().map(|s| s.level)));
    let map_level = Memo::new(move |_| app.map_level.get().map_or(Level::Lsoa21, |l| l.level));
    Effect::new(move |before: Option<(Option<Level>, Level)>| {
        let (table, map) = (table_level.get(), map_level.get());
        let table_moved = before.is_none_or(|(t, _)| t != table);
        let map_moved = before.is_some_and(|(_, m)| m != map);
        match table {
            Some(t) if table_moved && t != map => {
                if let Some((indicator, at)) = app.table.with_untracked(|s| {
                    s.as_ref().and_then(|s| {
                        crate::levels::map_for_table(s, app.indicator.get_untracked())
                    })
                }) {
                    app.hidden.set(Vec::new());
                    if app.indicator.get_untracked() != indicator {
                        app.indicator.set(indicator);
                    }
                    app.set_view(ViewMode::Choropleth);
                    app.map_level.set(at);
                    return (table, at.map_or(Level::Lsoa21, |a| a.level));
                }
            }
            Some(t)
                if map_moved && t != map && crate::table_data::BROWSER_LEVELS.contains(&map) =>
            {
                app.table.set(Some(crate::table_data::TableSpec::new(map)));
                return (Some(map), map);
            }
            _ => {}
        }
        (table, map)
    });
}

/// `/api/parents/lsoa21`, fetched once.
async fn parents_doc(
    app: AppState,
    parents: StoredValue<Option<Arc<TableParents>>>,
) -> Option<Arc<TableParents>> {
    if let Some(p) = parents.get_value() {
        return Some(p);
    }
    let url = api::endpoints().table_parents(Level::Lsoa21);
    let doc = Arc::new(
        app.loader
            .fetch(api::get_json::<TableParents>(&url))
            .await?,
    );
    parents.set_value(Some(doc.clone()));
    Some(doc)
}

/// `/api/layers/{level}` in `tiles`, fetched once.
async fn layer_doc_in(
    app: AppState,
    tiles: StoredValue<HashMap<Level, Arc<LayerAreasResponse>>>,
    level: Level,
) -> Option<Arc<LayerAreasResponse>> {
    if let Some(t) = tiles.with_value(|t| t.get(&level).cloned()) {
        return Some(t);
    }
    let t = Arc::new(app.loader.fetch(api::layer_areas(level)).await?);
    tiles.update_value(|m| {
        m.insert(level, t.clone());
    });
    Some(t)
}

/// `/api/parents/lsoa11` and `/api/lineage/lsoa11`, fetched once.
async fn lsoa11_docs(app: AppState, lsoa11: StoredValue<Option<Lsoa11Docs>>) -> Option<Lsoa11Docs> {
    if let Some(d) = lsoa11.get_value() {
        return Some(d);
    }
    let parents = api::endpoints().table_parents(Level::Lsoa11);
    let lineage = api::endpoints().lineage_lsoa11();
    let (p, l) = futures::join!(
        app.loader.fetch(api::get_json::<TableParents>(&parents)),
        app.loader.fetch(api::get_json::<LineageDocument>(&lineage))
    );
    let d = (Arc::new(p?), Arc::new(l?));
    lsoa11.set_value(Some(d.clone()));
    Some(d)
}

/// An indicator summarised at a level, from the loader's values and the documents fetched once:
/// an LSOA 2021 indicator with `/api/parents/lsoa21`, an IoD 2019 one (LSOA 2011) with
/// `/api/parents/lsoa11` and its average ranks weighted by `/api/lineage/lsoa11`'s populations.
async fn summary_for(
    app: AppState,
    parents: StoredValue<Option<Arc<TableParents>>>,
    lsoa11: StoredValue<Option<Lsoa11Docs>>,
    tiles: StoredValue<HashMap<Level, Arc<LayerAreasResponse>>>,
    indicator: IndicatorId,
    at: MapLevel,
) -> Option<Arc<SummaryMap>> {
    let published = indicator.def().level();
    let values = app.loader.values(published, indicator).await?;
    let (parents, lineage) = match published {
        Level::Lsoa11 => {
            let (p, l) = lsoa11_docs(app, lsoa11).await?;
            (p, Some(l))
        }
        _ => (parents_doc(app, parents).await?, None),
    };
    let weights = lineage.as_ref().map(|l| l.population.as_slice());
    let layer_doc = match crate::layers::AreaLayer::of(at.level) {
        None => None,
        Some(_) => Some(layer_doc_in(app, tiles, at.level).await?),
    };
    let t0 = crate::dom::now_ms();
    match SummaryMap::build(&values, &parents, at, layer_doc.as_deref(), weights) {
        Ok(m) => {
            tracing::debug!(ms = crate::dom::now_ms() - t0, level = %at.level, "summarised");
            Some(Arc::new(m))
        }
        Err(e) => {
            app.report(e.to_string());
            None
        }
    }
}

/// The summary the map shows, tracked (`None` at the indicator's own level or while loading).
pub fn current_summary() -> Option<Arc<SummaryMap>> {
    use_levels().summary.get().flatten()
}

/// What the tooltip says of feature `index` at a larger level (untracked): `None` at the
/// indicator's own level, so the caller says the decile.
pub fn describe_untracked(app: AppState, index: usize) -> Option<String> {
    app.map_level.get_untracked()?;
    if app.view.get_untracked() != ViewMode::Choropleth {
        return None;
    }
    let m = use_levels().summary.get_untracked().flatten();
    let Some(m) = m else {
        return Some("Loading…".into());
    };
    let (name, detail) = m.describe(index)?;
    Some(match m.at.level {
        Level::Ward24 | Level::Ward17 => format!("{name} ward: {detail}"),
        _ => detail,
    })
}

/// The layer drawn at a larger level (the level's own tiles, the LSOA tiles for wards), untracked;
/// `None` at the indicator's own level.
pub fn shown_layer_untracked(app: AppState) -> Option<crate::layers::AreaLayer> {
    if app.view.get_untracked() != ViewMode::Choropleth {
        return None;
    }
    let at = app.map_level.get_untracked()?;
    MapLevel::new(app.indicator.get_untracked(), at.level, at.measure).map(MapLevel::layer)
}

/// The level and measure pickers, for an indicator published on LSOA 2021 or 2011.
#[component]
pub fn LevelPicker() -> impl IntoView {
    let app = use_app();
    let has_levels = move || !map_levels(app.indicator.get()).is_empty();
    let level_value = move || {
        app.map_level
            .get()
            .map(|l| l.level)
            .unwrap_or_else(|| app.indicator.get().def().level())
            .id()
    };
    let on_level = move |ev: leptos::ev::Event| {
        let indicator = app.indicator.get_untracked();
        let Some(level) = Level::from_id(&event_target_value(&ev)) else {
            return;
        };
        // Keep the measure when the new level has it too.
        let keep = app.map_level.get_untracked().map(|l| l.measure);
        let next = keep
            .and_then(|m| MapLevel::new(indicator, level, m))
            .or_else(|| MapLevel::first(indicator, level));
        app.hidden.set(Vec::new());
        app.map_level.set(next);
    };
    let on_measure = move |ev: leptos::ev::Event| {
        let indicator = app.indicator.get_untracked();
        let Some(at) = app.map_level.get_untracked() else {
            return;
        };
        if let Some(next) = Measure::from_id(&event_target_value(&ev))
            .and_then(|m| MapLevel::new(indicator, at.level, m))
        {
            app.hidden.set(Vec::new());
            app.map_level.set(Some(next));
        }
    };
    let level_options = move || {
        map_levels(app.indicator.get())
            .iter()
            .map(|l| view! { <option value=l.id()>{level_label(*l)}</option> })
            .collect_view()
    };
    let measure_options = move || {
        let id = app.indicator.get();
        let level = app
            .map_level
            .get()
            .map(|l| l.level)
            .unwrap_or_else(|| id.def().level());
        measures_at(id.def(), level)
            .into_iter()
            .filter(|m| m.is_summary())
            .map(|m| {
                view! { <option value=m.id()>{measure_label(m, id.def().direction())}</option> }
            })
            .collect_view()
    };
    view! {
        <Show when=has_levels>
            <div class="level-picker">
                <label class="field-label" for="map-level">"Areas"</label>
                <select id="map-level" prop:value=level_value on:change=on_level>
                    {level_options}
                </select>
                <Show when=move || app.map_level.with(Option::is_some)>
                    <label class="field-label" for="map-measure">"Measure"</label>
                    <select
                        id="map-measure"
                        prop:value=move || app.map_level.get().map(|l| l.measure.id()).unwrap_or("")
                        on:change=on_measure
                    >
                        {measure_options}
                    </select>
                </Show>
            </div>
        </Show>
    }
}

/// Where the area stands within its parent, in the panel: an LSOA 2021 among its local
/// authority's by the shown indicator's rank; a local authority or region among all of England's
/// by the map's measure (the share in decile 1 while the map shows neighbourhoods).
#[component]
pub fn PositionInParent(
    /// The area the panel shows.
    detail: Arc<AreaDetail>,
) -> impl IntoView {
    let app = use_app();
    let levels = use_levels();
    let (code, level, feature) = (detail.code.clone(), detail.level, detail.feature_index);
    let text = LocalResource::new(move || {
        let indicator = app.indicator.get();
        let at = app.map_level.get();
        let code = code.clone();
        async move {
            let published = indicator.def().level();
            if map_levels(indicator).is_empty() {
                return None;
            }
            match level {
                Level::Lsoa21 | Level::Lsoa11 if level == published => {
                    let values = app.loader.values(published, indicator).await?;
                    let parents = match published {
                        Level::Lsoa11 => lsoa11_docs(app, levels.lsoa11).await?.0,
                        _ => parents_doc(app, levels.parents).await?,
                    };
                    lsoa_position_sentence(&values, &parents, feature as usize)
                }
                Level::Lad24 | Level::Region | Level::Ward24 | Level::Ward17 => {
                    let measure = at
                        .filter(|a| a.level == level)
                        .map_or(Measure::ShareDecile1, |a| a.measure);
                    let at = MapLevel::new(indicator, level, measure)?;
                    let m = summary_for(
                        app,
                        levels.parents,
                        levels.lsoa11,
                        levels.tiles,
                        indicator,
                        at,
                    )
                    .await?;
                    area_position_sentence(&m, &code)
                }
                _ => None,
            }
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                text.await.map(|t| view! { <p class="area-position" data-testid="area-position">{t}</p> })
            })}
        </Suspense>
    }
}
