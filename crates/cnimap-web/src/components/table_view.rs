//! The table beside the map (below it on a phone), for policy staff (issue 11): every area of a
//! level with the columns, filters and sort in the URL, filtered, sorted and exported to CSV in
//! the browser by `cnimap-core`'s table engine over a frame built from the JSON documents
//! ([`crate::table_data`]), so it works on a static site too. Only the rows in view are drawn;
//! areas the filters leave out are faded on the map; a row click selects its area and a
//! selection on the map scrolls the table to its row. At "Your areas" (`level=areas`) the rows are
//! the areas measured in the "Your areas" card ([`crate::components::custom_areas`]), summarised
//! by core's `custom_area::table_frame`; a row click fits the map to its outline and the filters
//! fade the outlines they leave out.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use cnimap_core::api::{LayerAreasResponse, ValuesResponse};
use cnimap_core::bivariate::BivariateClass;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::reweight::Weights;
use cnimap_core::summary::Measure;
use cnimap_core::table::{
    self, Column, CustomValues, TableFrame, TableParents, TableQuery, CUSTOM_MEASURES,
};
use cnimap_core::Level;
use leptos::html;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::layers::{AreaLayer, Part, StyleLayer};
use crate::map;
use crate::state::{use_app, AppState};
use crate::table_data::{
    self, build_frame, build_summary_frame, cell_text, column_heading, count_sentence,
    fade_classes, is_summary_level, range_filter, table_weights, visible_rows, TableSpec,
    BROWSER_LEVELS,
};
use crate::url_state::Selection;

/// Height of one body row, CSS pixels (fixed, so the rows in view follow from the scroll).
const ROW_PX: f64 = 30.0;
/// Rows drawn above and below the visible ones.
const OVERSCAN: usize = 8;
/// The feature-state key of the table's fading (1 kept, 2 left out).
const KEY_TABLE: &str = "t";
/// Opacity of an area the filters leave out.
const FADED_OPACITY: f64 = 0.15;

/// The rows of the current query, with what made them.
#[derive(Clone, PartialEq)]
struct Rows {
    /// Feature indices, in table order.
    rows: Arc<Vec<u32>>,
    /// The frame they index.
    frame: Arc<TableFrame>,
    /// The query they answer.
    query: Arc<TableQuery>,
    /// The custom index of the query's weights, when it has some.
    custom: Option<Arc<CustomValues>>,
}

/// The button that opens and closes the table (in the side card).
#[component]
pub fn TableToggle() -> impl IntoView {
    let app = use_app();
    let open = move || app.table.with(Option::is_some);
    view! {
        <button
            type="button"
            class="table-toggle"
            aria-controls=move || open().then_some("table-view")
            aria-expanded=move || if open() { "true" } else { "false" }
            on:click=move |_| {
                if open() {
                    app.table.set(None);
                } else {
                    // At the map's level, so both show the areas the user plans at.
                    let level = app
                        .map_level
                        .get_untracked()
                        .filter(|_| app.view.get_untracked() == crate::url_state::ViewMode::Choropleth)
                        .map_or(Level::Lsoa21, |l| l.level);
                    app.table.set(Some(TableSpec::new(level)));
                }
            }
        >
            {move || if open() { "Close the table" } else { "Table of areas: filter, sort, download" }}
        </button>
    }
}

/// The table panel, while the URL holds a table.
#[component]
pub fn TableView() -> impl IntoView {
    let app = use_app();
    resize_map_with_table(app);
    view! {
        <Show when=move || app.table.with(Option::is_some)>
            <TablePanel/>
        </Show>
    }
}

/// The map's container changes size when the table opens or closes: MapLibre must be told.
fn resize_map_with_table(app: AppState) {
    Effect::new(move |was: Option<bool>| {
        let open = app.table.with(Option::is_some);
        if was.is_some_and(|w| w != open) {
            request_animation_frame(move || app.with_map(|m| m.resize()));
        }
        open
    });
}

/// The documents fetched once per level: codes and names, and parent areas.
type LevelDocuments = HashMap<Level, (Arc<LayerAreasResponse>, Arc<TableParents>)>;

/// Fetches the documents of a frame: codes and names and parents once per level, values through
/// the app's cache. A summary level (ward 2024, LAD 2024, region) is made from the LSOA 2021
/// parents and values.
async fn load_frame(
    app: AppState,
    level: Level,
    ids: BTreeSet<IndicatorId>,
    base: StoredValue<LevelDocuments>,
) -> Option<Result<Arc<TableFrame>, String>> {
    if is_summary_level(level) {
        return load_summary_frame(app, level, ids, base).await;
    }
    let cached = base.with_value(|b| b.get(&level).cloned());
    let (areas, parents) = match cached {
        Some(d) => d,
        None => {
            let url = api::endpoints().table_parents(level);
            let (areas, parents) = futures::join!(
                app.loader.count(api::layer_areas(level)),
                app.loader.count(api::get_json::<TableParents>(&url))
            );
            let both: Result<_, ApiError> =
                areas.and_then(|a| Ok((Arc::new(a), Arc::new(parents?))));
            match both {
                Ok(d) => {
                    base.update_value(|b| {
                        b.insert(level, d.clone());
                    });
                    d
                }
                Err(e) => return Some(Err(e.to_string())),
            }
        }
    };
    // Wards 2017: the IoD 2019 summarised at them from the LSOA 2011 documents.
    let lsoa11 = match lsoa11_documents(app, level, &ids).await {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let (own, summarised): (Vec<IndicatorId>, Vec<IndicatorId>) =
        ids.into_iter().partition(|id| id.def().level() == level);
    let summarised: Vec<IndicatorId> = summarised
        .into_iter()
        .filter(|id| lsoa11.is_some() && table_data::needs_lsoa11(*id, level))
        .collect();
    let (values, values11) = futures::join!(
        futures::future::join_all(own.iter().map(|id| app.loader.values(level, *id))),
        futures::future::join_all(
            summarised
                .iter()
                .map(|id| app.loader.values(Level::Lsoa11, *id))
        )
    );
    let values: Vec<Arc<ValuesResponse>> = values.into_iter().collect::<Option<_>>()?;
    let values11: Vec<Arc<ValuesResponse>> = values11.into_iter().collect::<Option<_>>()?;
    let refs: Vec<&ValuesResponse> = values.iter().map(Arc::as_ref).collect();
    let refs11: Vec<&ValuesResponse> = values11.iter().map(Arc::as_ref).collect();
    let frame = build_frame(&areas, &parents, &refs).map_err(|e| e.to_string());
    let frame = match (frame, &lsoa11) {
        (Ok(f), Some((p, l))) if !refs11.is_empty() => {
            table_data::add_lsoa11_summaries(f, (p.as_ref(), l.as_ref()), &refs11)
        }
        (f, _) => f,
    };
    Some(
        frame
            .map(Arc::new)
            .map_err(|e| format!("The table could not be built: {e}")),
    )
}

/// The LSOA 2021 parents document, once (from the LSOA 2021 table's documents when loaded).
async fn lsoa21_parents(
    app: AppState,
    base: StoredValue<LevelDocuments>,
) -> Result<Arc<TableParents>, String> {
    if let Some((_, p)) = base.with_value(|b| b.get(&Level::Lsoa21).cloned()) {
        return Ok(p);
    }
    // The map's levels fetch the same document (once, shared).
    crate::components::level_picker::lsoa21_parents(app)
        .await
        .ok_or_else(|| "The LSOA lookups could not be loaded.".to_string())
}

/// A summary level's frame: the LSOA 2021 parents and the LSOA values of the indicators the
/// query needs (the IoD 2019 summaries are refused before this, see
/// [`table_data::not_in_browser`]).
async fn load_summary_frame(
    app: AppState,
    level: Level,
    ids: BTreeSet<IndicatorId>,
    base: StoredValue<LevelDocuments>,
) -> Option<Result<Arc<TableFrame>, String>> {
    let parents = match lsoa21_parents(app, base).await {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let lsoa11 = match lsoa11_documents(app, level, &ids).await {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let ids: Vec<IndicatorId> = ids
        .into_iter()
        .filter(|id| {
            id.def().level() == Level::Lsoa21
                || (lsoa11.is_some() && table_data::needs_lsoa11(*id, level))
        })
        .collect();
    let values = futures::future::join_all(
        ids.iter()
            .map(|id| app.loader.values(id.def().level(), *id)),
    )
    .await;
    let values: Vec<Arc<ValuesResponse>> = values.into_iter().collect::<Option<_>>()?;
    let refs: Vec<&ValuesResponse> = values.iter().map(Arc::as_ref).collect();
    let lsoa11 = lsoa11.as_ref().map(|(p, l)| (p.as_ref(), l.as_ref()));
    Some(
        build_summary_frame(level, &parents, lsoa11, &refs)
            .map(Arc::new)
            .map_err(|e| format!("The table could not be built: {e}")),
    )
}

/// The LSOA 2011 parents and lineage documents (`/api/parents/lsoa11`, `/api/lineage/lsoa11`: the
/// populations the IoD 2019 average ranks are weighted by), when a summary table of `level` needs
/// them for one of `ids`; fetched through the browser's HTTP cache.
async fn lsoa11_documents(
    app: AppState,
    level: Level,
    ids: &BTreeSet<IndicatorId>,
) -> Result<
    Option<(
        Arc<TableParents>,
        Arc<cnimap_core::lineage::LineageDocument>,
    )>,
    String,
> {
    if !ids.iter().any(|id| table_data::needs_lsoa11(*id, level)) {
        return Ok(None);
    }
    let parents = api::endpoints().table_parents(Level::Lsoa11);
    let lineage = api::endpoints().lineage_lsoa11();
    let (p, l) = futures::join!(
        app.loader.count(api::get_json::<TableParents>(&parents)),
        app.loader
            .count(api::get_json::<cnimap_core::lineage::LineageDocument>(
                &lineage
            ))
    );
    Ok(Some((
        Arc::new(p.map_err(|e| e.to_string())?),
        Arc::new(l.map_err(|e| e.to_string())?),
    )))
}

#[component]
fn TablePanel() -> impl IntoView {
    let app = use_app();
    let base = StoredValue::new(HashMap::new());
    // The custom index's weights: the user's what-if weights of an index at the table's level.
    let weights = Memo::new(move |_| {
        let level = app
            .table
            .with(|s| s.as_ref().filter(|s| !s.areas).map(|s| s.level))?;
        let preferred = crate::what_if::composite_of(app.indicator.get());
        app.what_if
            .weights
            .with(|w| table_weights(level, w, preferred))
    });
    let query = Memo::new(move |_| {
        let w = weights.get();
        app.table.with(|s| {
            s.as_ref().map(|s| {
                let q = s.query_with(w.as_ref()).map_err(|e| e.to_string())?;
                match table_data::not_in_browser(&q) {
                    Some(why) => Err(why),
                    None => Ok(Arc::new(q)),
                }
            })
        })
    });
    // The documents needed: the level and the indicators the query reads (a sort or a new filter
    // on the same indicators fetches nothing).
    let needs = Memo::new(move |was: Option<&(Level, BTreeSet<IndicatorId>)>| {
        let level = app.table.with(|s| {
            s.as_ref()
                .map(|s| s.level)
                .filter(|_| !s.as_ref().is_some_and(|s| s.areas))
        });
        match (level, query.get()) {
            (Some(level), Some(Ok(q))) => (level, table::export::indicators(&q)),
            // While the query has a mistake, keep what is loaded.
            (Some(level), _) => was
                .filter(|w| w.0 == level)
                .cloned()
                .unwrap_or((level, BTreeSet::new())),
            (None, _) => was.cloned().unwrap_or((Level::Lsoa21, BTreeSet::new())),
        }
    });
    let areas_table = Memo::new(move |_| app.table.with(|s| s.as_ref().is_some_and(|s| s.areas)));
    let frame = LocalResource::new(move || {
        let (level, ids) = needs.get();
        // Your areas: their frame from the measured areas (no fetch), made again when they change.
        let mine = areas_table.get().then(|| {
            crate::components::custom_areas::measured_areas()
                .get()
                .map(|m| Arc::new(m.frame()))
                .ok_or_else(|| crate::components::custom_areas::NONE_MEASURED.to_string())
        });
        async move {
            match mine {
                Some(f) => Some(f),
                None => load_frame(app, level, ids, base).await,
            }
        }
    });
    let millis = RwSignal::new(None::<f64>);
    // What the rows' "Add" (to compare) buttons last said (added, or why not).
    let compare_message = RwSignal::new(None::<String>);
    // The custom index, made once per frame and weights (a filter or a sort reuses it).
    let custom_cache = StoredValue::new(None::<(usize, Weights, Arc<CustomValues>)>);
    let rows = Memo::new(move |_| {
        let q = query.get()?.ok()?;
        let frame = frame.get().flatten()?.ok()?;
        if frame.level != q.level
            || table::export::indicators(&q)
                .iter()
                .any(|id| frame.indicator(*id).is_none() && !is_summary_level(frame.level))
        {
            return None;
        }
        if is_summary_level(frame.level)
            && table::export::indicators(&q).iter().any(|id| {
                frame.indicator(*id).is_none() && table_data::browser_summarises(*id, frame.level)
            })
        {
            return None;
        }
        let t0 = crate::dom::now_ms();
        let custom = match &q.weights {
            None => None,
            Some(w) => {
                let key = Arc::as_ptr(&frame) as usize;
                let cached = custom_cache.with_value(|c| {
                    c.as_ref()
                        .filter(|(k, cw, _)| *k == key && cw == w)
                        .map(|(_, _, v)| v.clone())
                });
                match cached {
                    Some(v) => Some(v),
                    None => match table::custom::compute(&frame, w) {
                        Ok(v) => {
                            let v = Arc::new(v);
                            custom_cache.set_value(Some((key, w.clone(), v.clone())));
                            Some(v)
                        }
                        Err(e) => return Some(Err(e.to_string())),
                    },
                }
            }
        };
        let result = table::run(&frame, custom.as_deref(), &q);
        let ms = crate::dom::now_ms() - t0;
        millis.try_set(Some(ms));
        Some(
            result
                .map(|rows| Rows {
                    rows: Arc::new(rows),
                    frame: frame.clone(),
                    query: q.clone(),
                    custom,
                })
                .map_err(|e| e.to_string()),
        )
    });
    let problem = move || {
        if let Some(Err(e)) = query.get() {
            return Some(e);
        }
        if let Some(Some(Err(e))) = frame.get() {
            return Some(e);
        }
        match rows.get() {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    };
    let current = move || rows.get().and_then(Result::ok);
    let count = move || match (current(), app.table.with(|s| s.as_ref().map(|s| s.level))) {
        (Some(r), Some(_)) if r.query.areas => {
            format!("{} of {} of your areas", r.rows.len(), r.frame.len())
        }
        (Some(r), Some(level)) => count_sentence(r.rows.len(), r.frame.len(), level),
        _ => "Loading the table…".to_string(),
    };

    fade_map(app, rows);
    // Your areas: the outlines the filters leave out fade.
    Effect::new(move |_| {
        if !areas_table.get() {
            return;
        }
        let filtered = app
            .table
            .with(|s| s.as_ref().is_some_and(|s| !s.filters.is_empty()));
        match rows.get() {
            Some(Ok(r)) if r.query.areas && filtered => {
                crate::components::custom_areas::fade_rows(app, Some(&r.rows))
            }
            _ => crate::components::custom_areas::fade_rows(app, None),
        }
    });
    on_cleanup(move || crate::components::custom_areas::fade_rows(app, None));

    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(400.0_f64);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
            viewport.set(f64::from(el.client_height()));
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            request_animation_frame(measure);
        }
    });
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    scroll_to_selection(app, rows, scroller, scroll_top);
    // Closing hands focus back to the button that opens the table (else it falls to the body).
    let close = move |_| {
        app.table.set(None);
        request_animation_frame(|| {
            crate::dom::focus(".table-toggle");
        });
    };
    let download = move |_| {
        if let Some(r) = rows.get_untracked().and_then(Result::ok) {
            let threshold = crate::components::custom_areas::measured_areas()
                .get_untracked()
                .map(|m| m.threshold);
            let (csv, name) = match threshold.filter(|_| r.query.areas) {
                // Your areas: the bytes of `cnimap areas --columns ...` (the rule in the comment).
                Some(t) => (
                    cnimap_core::custom_area::table_csv(&r.frame, &r.query, &r.rows, t),
                    "cnimap-areas-table.csv".to_string(),
                ),
                None => (
                    table::to_csv(&r.frame, r.custom.as_deref(), &r.query, &r.rows),
                    format!("cnimap-{}-table.csv", r.query.level),
                ),
            };
            if let Err(e) = crate::dom::save_file(&name, csv.as_bytes(), "text/csv;charset=utf-8") {
                app.report(format!("The CSV could not be saved: {e}"));
            }
        }
    };

    view! {
        <section id="table-view" class="table-view" aria-labelledby="table-title">
            <header class="table-head">
                <h2 id="table-title">"Table of areas"</h2>
                <button type="button" class="table-close" on:click=close aria-label="Close the table">
                    "×"
                </button>
            </header>
            <div class="table-controls">
                <LevelPicker/>
                <ColumnPicker weights=weights/>
                <Filters rows=rows weights=weights/>
            </div>
            <div class="table-summary">
                <p id="table-count" class="table-count" role="status" aria-live="polite">
                    {count}
                </p>
                <button
                    type="button"
                    class="table-download"
                    on:click=download
                    disabled=move || current().is_none()
                >
                    "Download CSV"
                </button>
            </div>
            <p class="table-problem" role="alert">{problem}</p>
            <p class="table-compare-message small" role="status" data-testid="table-compare-message">
                {move || compare_message.get()}
            </p>
            <div
                class="table-scroll"
                node_ref=scroller
                tabindex="0"
                role="region"
                aria-label="Table rows (scroll)"
                on:scroll=move |_| measure()
            >
                <table
                    class="areas-table"
                    style=move || {
                        query
                            .get()
                            .and_then(Result::ok)
                            .map(|q| format!("min-width:{}px", table_min_px(&q.columns, can_compare(q.level) && !q.areas)))
                            .unwrap_or_default()
                    }
                    aria-labelledby="table-title"
                    aria-describedby="table-count"
                    aria-rowcount=move || current().map(|r| r.rows.len() + 1).unwrap_or(1)
                >
                    <thead>
                        <tr aria-rowindex="1">{move || headings(app, query.get())}</tr>
                    </thead>
                    <tbody>
                        {move || {
                            current()
                                .map(|r| body_rows(app, &r, scroll_top.get(), viewport.get(), compare_message))
                        }}
                    </tbody>
                </table>
            </div>
            <p class="table-foot">
                {move || millis.get().map(|ms| format!("Filtered and sorted in {ms:.0} ms, in your browser."))}
            </p>
        </section>
    }
}

/// The header cells: each a button that sorts by its column, `aria-sort` on the sorted one.
fn headings(app: AppState, query: Option<Result<Arc<TableQuery>, String>>) -> impl IntoView {
    let Some(Ok(q)) = query else {
        return ().into_any();
    };
    let compare_head = (can_compare(q.level) && !q.areas).then(|| {
        view! { <th scope="col" class="compare-col">"Add to compare"</th> }
    });
    let sort = q.sort;
    let heads = q
        .columns
        .iter()
        .map(|c| {
            let column = *c;
            let aria_sort = match sort {
                Some(s) if s.column == column && s.descending => "descending",
                Some(s) if s.column == column => "ascending",
                _ => "none",
            };
            let arrow = match aria_sort {
                "descending" => " ▼",
                "ascending" => " ▲",
                _ => "",
            };
            let removable = !matches!(column, Column::Code | Column::Name);
            let id = column.id();
            let heading = short_heading(&column);
            view! {
                <th scope="col" class=column_class(&column) aria-sort=aria_sort title=id.clone()>
                    <button
                        type="button"
                        class="sort-button"
                        on:click=move |_| {
                            app.table.update(|s| {
                                if let Some(s) = s {
                                    *s = s.sorted_by(&column);
                                }
                            })
                        }
                    >
                        {heading.clone()}
                        <span aria-hidden="true">{arrow}</span>
                    </button>
                    {removable.then(|| {
                        let id = id.clone();
                        view! {
                            <button
                                type="button"
                                class="column-remove"
                                aria-label=format!("Remove the column {heading}")
                                on:click=move |_| {
                                    app.table.update(|s| {
                                        if let Some(s) = s {
                                            *s = s.without_column(&id);
                                        }
                                    })
                                }
                            >
                                "×"
                            </button>
                        }
                    })}
                </th>
            }
        })
        .collect_view();
    view! { {heads} {compare_head} }.into_any()
}

/// A column's heading in the table's narrow columns: the indices by their short names (the
/// column id is the cell's title).
fn short_heading(column: &Column) -> String {
    column_heading(column)
        .replace("Index of Multiple Deprivation", "IMD")
        .replace("Community Needs Index", "CNI")
        .replace("lsoas", "LSOAs")
}

/// The width class of a column (`table.css`): codes and values fixed and narrow, names and
/// parent areas share the rest.
fn column_class(column: &Column) -> &'static str {
    match column {
        Column::Code => "code-col",
        Column::Value { .. } | Column::Custom(_) => "value-col",
        _ => "text-col",
    }
}

/// The table's least width in CSS pixels (the fixed columns' widths in `table.css` and 75 px per
/// name column), so many
/// columns scroll sideways rather than squeeze the names away.
fn table_min_px(columns: &[Column], compare: bool) -> f64 {
    let fixed: f64 = columns
        .iter()
        .map(|c| match column_class(c) {
            "code-col" => 85.0,
            "value-col" => 60.0,
            _ => 75.0,
        })
        .sum();
    fixed + if compare { 55.0 } else { 0.0 }
}

/// Whether rows of `level` can be added to the comparison: every table level (it loads each
/// area's document; a ward 2024's figures are made in wasm, see `compare`).
fn can_compare(level: Level) -> bool {
    matches!(
        level,
        Level::Lsoa21
            | Level::Lsoa11
            | Level::Ward17
            | Level::Ward24
            | Level::Lad24
            | Level::Region
    )
}

/// The rows in view (and a few more), between two spacer rows of the height of those left out.
fn body_rows(
    app: AppState,
    r: &Rows,
    scroll: f64,
    viewport: f64,
    compare_message: RwSignal<Option<String>>,
) -> impl IntoView {
    let total = r.rows.len();
    let (start, end) = visible_rows(scroll, viewport, ROW_PX, total, OVERSCAN);
    let level = r.query.level;
    let mine = r.query.areas;
    let compare_rows = can_compare(level) && !mine;
    let columns = r.query.columns.len() + usize::from(compare_rows);
    let compared = app.pages.with(|p| p.compare.clone());
    let spacer = |rows: usize| {
        (rows > 0).then(|| {
            view! {
                <tr class="spacer" aria-hidden="true">
                    <td colspan=columns style=format!("height:{}px", rows as f64 * ROW_PX)></td>
                </tr>
            }
        })
    };
    let selected = app.selected.with(|s| s.as_ref().map(|s| s.code.clone()));
    let shown = r.rows[start..end]
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let frame = &r.frame;
            let code = frame.codes.get(i as usize).cloned().unwrap_or_default();
            let is_selected = selected.as_deref() == Some(code.as_str());
            let cells = r
                .query
                .columns
                .iter()
                .map(|c| {
                    let text =
                        cell_text(table::run::cell(frame, r.custom.as_deref(), c, i as usize));
                    let title = text.clone();
                    match c {
                        Column::Name => view! {
                            <td class="name-cell" title=title>
                                <button type="button" class="row-link">{text}</button>
                            </td>
                        }
                        .into_any(),
                        Column::Value { .. } | Column::Custom(_) => {
                            view! { <td class="num">{text}</td> }.into_any()
                        }
                        _ => view! { <td title=title>{text}</td> }.into_any(),
                    }
                })
                .collect_view();
            let compare = compare_rows.then(|| {
                let name = frame.names.get(i as usize).cloned().unwrap_or_default();
                let in_list = compared.contains(&code);
                let add_code = code.clone();
                view! {
                    <td class="compare-cell">
                        <button
                            type="button"
                            class="row-compare"
                            aria-label=format!("{} {name} to compare", if in_list { "Added" } else { "Add" })
                            disabled=in_list
                            on:click=move |ev| {
                                ev.stop_propagation();
                                let said = crate::components::compare_add::add(app, &add_code);
                                compare_message.set(Some(said));
                            }
                        >
                            {if in_list { "Added" } else { "Add" }}
                        </button>
                    </td>
                }
            });
            let select_code = code.clone();
            view! {
                <tr
                    aria-rowindex=start + k + 2
                    class:selected=is_selected
                    aria-current=if is_selected { Some("true") } else { None }
                    data-code=code
                    on:click=move |_| {
                        if mine {
                            crate::components::custom_areas::show_row(app, i);
                        } else {
                            app.select(Selection::on(select_code.clone(), level), true)
                        }
                    }
                >
                    {cells}
                    {compare}
                </tr>
            }
        })
        .collect_view();
    view! {
        {spacer(start)}
        {shown}
        {spacer(total - end)}
    }
}

/// Fades the areas the filters leave out on the map (feature state [`KEY_TABLE`] and the fill
/// layer's opacity), and shows every area again when the table closes or has no filter. At a
/// summary level the map shows the same level ([`crate::components::level_picker`] keeps them
/// together): its features are placed by the summary map, so a local authority or region fades on
/// its own tiles and a ward fades its LSOAs (the best-fit lookup's) on the LSOA tiles.
fn fade_map(app: AppState, rows: Memo<Option<Result<Rows, String>>>) {
    let applied = StoredValue::new(None::<(AreaLayer, Level, usize, u64)>);
    let faded = StoredValue::new(None::<AreaLayer>);
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let filtered = app
            .table
            .with(|s| s.as_ref().map(|s| (s.level, !s.filters.is_empty())));
        let summary = crate::components::level_picker::current_summary();
        let want = match (filtered, rows.get()) {
            (Some((level, true)), Some(Ok(r))) if r.frame.level == level => {
                if is_summary_level(level) {
                    summary
                        .filter(|m| m.at.level == level && m.areas.len() == r.frame.len())
                        .map(|m| {
                            let kept = fade_classes(r.frame.len(), &r.rows);
                            let classes: Vec<u8> = m
                                .feature_area
                                .iter()
                                .map(|a| a.and_then(|a| kept.get(a as usize).copied()).unwrap_or(2))
                                .collect();
                            (m.at.layer(), level, r.rows.clone(), classes)
                        })
                } else {
                    AreaLayer::of(level).map(|l| {
                        let classes = fade_classes(r.frame.len(), &r.rows);
                        (l, level, r.rows.clone(), classes)
                    })
                }
            }
            _ => None,
        };
        app.with_map(|m| {
            if let Some((layer, level, rows, classes)) = &want {
                let key = (*layer, *level, rows.len(), digest(rows));
                if applied.get_value() != Some(key) {
                    // After the table has painted: setting 33,755 feature states takes a while.
                    let (m, source, classes) = (m.clone(), layer.source(), classes.clone());
                    set_timeout(
                        move || map::set_classes(&m, source, KEY_TABLE, &classes),
                        std::time::Duration::ZERO,
                    );
                    applied.set_value(Some(key));
                }
            }
            let layer_now = want.as_ref().map(|(l, ..)| *l);
            if faded.get_value() != layer_now {
                for l in AreaLayer::ALL {
                    let opacity = if Some(l) == layer_now {
                        serde_json::json!([
                            "case",
                            ["==", ["feature-state", KEY_TABLE], 2],
                            FADED_OPACITY,
                            1.0
                        ])
                    } else {
                        serde_json::json!(1.0)
                    };
                    map::set_paint(
                        m,
                        StyleLayer::Area(l, Part::Fill),
                        "fill-opacity",
                        &map::json(&opacity),
                    );
                }
                faded.set_value(layer_now);
            }
        });
    });
}

/// FNV-1a over the row numbers (the fading is set again only when the rows change).
fn digest(rows: &[u32]) -> u64 {
    rows.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, r| {
        (h ^ u64::from(*r)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Keeps the right rows in view: a selection (on the map, from search or a shared link) scrolls
/// the table to its row when it is out of view; new rows (a filter or a sort) show the selected
/// area's row when it is among them, else the top of the table.
fn scroll_to_selection(
    app: AppState,
    rows: Memo<Option<Result<Rows, String>>>,
    scroller: NodeRef<html::Div>,
    scroll_top: RwSignal<f64>,
) {
    Effect::new(move |before: Option<Option<Arc<Vec<u32>>>>| {
        let code = app.selected.with(|s| s.as_ref().map(|s| s.code.clone()));
        let Some(Ok(r)) = rows.get() else {
            return before.flatten();
        };
        let new_rows = !before.flatten().is_some_and(|b| Arc::ptr_eq(&b, &r.rows));
        let pos = code.as_ref().and_then(|code| {
            r.rows
                .iter()
                .position(|&i| r.frame.codes.get(i as usize) == Some(code))
        });
        let Some(el) = scroller.get_untracked() else {
            return Some(r.rows);
        };
        let (now, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
        let target = match pos {
            Some(p) => {
                let top = p as f64 * ROW_PX;
                // The header row takes one row's height at the top.
                if top >= now && top + 2.0 * ROW_PX <= now + height {
                    return Some(r.rows);
                }
                (top - height / 3.0).max(0.0)
            }
            None if new_rows => 0.0,
            None => return Some(r.rows),
        };
        // Draw the rows there first (the spacers give the table its full height), then scroll
        // the container once they are in the page.
        scroll_top.set(target);
        request_animation_frame(move || {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(target as i32);
            }
        });
        Some(r.rows)
    });
}

/// The level of the rows.
#[component]
fn LevelPicker() -> impl IntoView {
    let app = use_app();
    let options = BROWSER_LEVELS
        .into_iter()
        .map(|l| view! { <option value=l.id()>{l.title()}</option> })
        .collect_view();
    let areas_level = cnimap_core::table::query::AREAS_LEVEL;
    view! {
        <label class="field-label" for="table-level">"Areas"</label>
        <select
            id="table-level"
            prop:value=move || app.table.with(|s| s.as_ref().map(|s| s.level_word()).unwrap_or_default())
            on:change=move |ev| {
                let word = event_target_value(&ev);
                if word == areas_level {
                    app.table.set(Some(TableSpec::your_areas()));
                } else if let Some(level) = Level::from_id(&word) {
                    app.table.set(Some(TableSpec::new(level)));
                }
            }
        >
            {options}
            <option value=areas_level>"Your areas"</option>
        </select>
    }
}

/// Adds a column: a parent area, a measure of an indicator, or of the custom index (when the
/// user has what-if weights for an index at the table's level).
#[component]
fn ColumnPicker(weights: Memo<Option<Weights>>) -> impl IntoView {
    let app = use_app();
    let chosen = RwSignal::new(String::new());
    // A memo: the options are drawn again only when the level changes.
    let level = Memo::new(move |_| {
        app.table
            .with(|s| s.as_ref().map(|s| (s.table_level(), s.areas)))
    });
    let options = move || {
        let Some((level, mine)) = level.get() else {
            return ().into_any();
        };
        // Your areas have no parents and no rank of average rank.
        let parent_levels: &[Level] = if mine {
            &[]
        } else {
            table::parent_levels(level)
        };
        let parents = parent_levels
            .iter()
            .map(|p| {
                let c = Column::Parent {
                    level: *p,
                    field: table::ParentField::Name,
                };
                view! { <option value=c.id()>{column_heading(&c)}</option> }
            })
            .collect_view();
        let indicators = table_data::indicators_at(level)
            .into_iter()
            .map(|id| {
                let options = table_data::measures_of(id, level)
                    .into_iter()
                    .filter(|m| !(mine && *m == Measure::RankOfAverageRank))
                    .map(|m| {
                        let c = Column::Value {
                            indicator: id,
                            measure: m,
                        };
                        view! { <option value=c.id()>{column_heading(&c)}</option> }
                    })
                    .collect_view();
                view! { <optgroup label=id.def().title>{options}</optgroup> }
            })
            .collect_view();
        let custom = weights.get().map(|w| {
            let label = format!(
                "Custom index: the {} with your weights",
                w.index.indicator().def().title
            );
            let options = CUSTOM_MEASURES
                .into_iter()
                .map(|m| {
                    let c = Column::Custom(m);
                    view! { <option value=c.id()>{column_heading(&c)}</option> }
                })
                .collect_view();
            view! { <optgroup label=label>{options}</optgroup> }
        });
        view! {
            <option value="">"Choose a column…"</option>
            {(!parent_levels.is_empty())
                .then(|| view! { <optgroup label="Larger areas">{parents}</optgroup> })}
            {custom}
            {indicators}
        }
        .into_any()
    };
    view! {
        <div class="table-row-controls">
            <label class="field-label" for="table-add-column">"Add a column"</label>
            <select
                id="table-add-column"
                prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))
            >
                {options}
            </select>
            <button
                type="button"
                on:click=move |_| {
                    let id = chosen.get_untracked();
                    if !id.is_empty() {
                        app.table.update(|s| {
                            if let Some(s) = s {
                                *s = s.with_column(&id);
                            }
                        });
                        chosen.set(String::new());
                    }
                }
            >
                "Add column"
            </button>
        </div>
    }
}

/// The filters: the active ones with their remove buttons, a range of a decile or a rank, a
/// larger area typed by name, and left-behind at the map's threshold.
#[component]
fn Filters(
    rows: Memo<Option<Result<Rows, String>>>,
    weights: Memo<Option<Weights>>,
) -> impl IntoView {
    let app = use_app();
    let level = Memo::new(move |_| {
        app.table
            .with(|s| s.as_ref().map(|s| s.table_level()).unwrap_or(Level::Lsoa21))
    });
    let level = move || level.get();
    // The filter's column head: an indicator id, or `custom` for the custom index.
    let indicator = RwSignal::new(IndicatorId::IMD2025.as_str().to_string());
    let measure = RwSignal::new(Measure::Decile);
    // The measures the chosen head has at this level (deciles and ranks, or summaries).
    let measures = Memo::new(move |_| {
        let head = indicator.get();
        if head == table::CUSTOM {
            return vec![Measure::Decile, Measure::Rank, Measure::Score];
        }
        IndicatorId::parse(&head)
            .map(|id| table_data::measures_of(id, level()))
            .unwrap_or_default()
    });
    Effect::new(move |_| {
        let m = measures.get();
        if !m.contains(&measure.get_untracked()) {
            if let Some(first) = m.first() {
                measure.set(*first);
            }
        }
    });
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    // Keep the chosen indicator one the level has.
    Effect::new(move |_| {
        let at = table_data::indicators_at(level());
        let head = indicator.get_untracked();
        let custom_ok = head == table::CUSTOM && weights.get().is_some();
        let known = IndicatorId::parse(&head).is_ok_and(|id| at.contains(&id));
        if !custom_ok && !known {
            if let Some(first) = at.first() {
                indicator.set(first.as_str().to_string());
            }
        }
    });
    // The left-behind filter follows the map's threshold.
    Effect::new(move |_| {
        let percent = app.threshold.get();
        let has = app
            .table
            .with_untracked(|s| s.as_ref().is_some_and(TableSpec::has_left_behind));
        if has {
            app.table.update(|s| {
                if let Some(s) = s {
                    let next = s.with_left_behind(true, percent);
                    if next != *s {
                        *s = next;
                    }
                }
            });
        }
    });
    let add_range = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parse = |s: String| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let filter = range_filter(
            &indicator.get_untracked(),
            measure.get_untracked(),
            parse(from.get_untracked()),
            parse(to.get_untracked()),
        );
        match filter {
            Some(f) => app.table.update(|s| {
                if let Some(s) = s {
                    *s = s.with_filter(&f);
                }
            }),
            None => app.report("Give a lowest or a highest value (or both) for the filter."),
        }
    };
    // The larger areas rows can be filtered to (a memo: the datalist is drawn again only when
    // the level changes, not on every filter).
    let places = Memo::new(move |_| {
        rows.with(|r| {
            let Some(Ok(r)) = r else {
                return Vec::new();
            };
            r.frame
                .parents
                .iter()
                .filter(|p| p.level != Level::Ward24)
                .flat_map(|p| {
                    let what = column_heading(&Column::Parent {
                        level: p.level,
                        field: table::ParentField::Name,
                    });
                    p.areas.iter().map(move |a| {
                        (
                            format!("{} ({what})", a.name),
                            format!("{}={}", p.level, a.code),
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let add_place = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = place.get_untracked().trim().to_lowercase();
        let all = places.get_untracked();
        let found = all
            .iter()
            .find(|(label, _)| label.to_lowercase() == typed)
            .or_else(|| {
                all.iter()
                    .find(|(label, _)| label.to_lowercase().starts_with(&typed))
            });
        match found {
            Some((_, f)) if !typed.is_empty() => {
                app.table.update(|s| {
                    if let Some(s) = s {
                        *s = s.with_filter(f);
                    }
                });
                place.set(String::new());
            }
            _ => app.report(format!(
                "No region or local authority called “{}”: choose one from the list.",
                place.get_untracked().trim()
            )),
        }
    };
    let active = move || {
        let filters = app
            .table
            .with(|s| s.as_ref().map(|s| s.filters.clone()).unwrap_or_default());
        let names: HashMap<String, String> =
            places.with(|p| p.iter().map(|(l, f)| (f.clone(), l.clone())).collect());
        filters
            .into_iter()
            .enumerate()
            .map(|(k, f)| {
                let words = names
                    .get(&f)
                    .map(|n| format!("within {n}"))
                    .unwrap_or_else(|| f.clone());
                view! {
                    <li>
                        <code>{words.clone()}</code>
                        <button
                            type="button"
                            class="filter-remove"
                            aria-label=format!("Remove the filter {words}")
                            on:click=move |_| {
                                app.table.update(|s| {
                                    if let Some(s) = s {
                                        *s = s.without_filter(k);
                                    }
                                })
                            }
                        >
                            "Remove"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let indicator_options = move || {
        let custom = weights.get().map(|w| {
            view! {
                <option value=table::CUSTOM>
                    {format!("Custom index ({} with your weights)", w.index.indicator().def().title)}
                </option>
            }
        });
        let published = table_data::indicators_at(level())
            .into_iter()
            .map(|id| view! { <option value=id.as_str()>{id.def().title}</option> })
            .collect_view();
        view! { {custom} {published} }
    };
    let measure_options = move || {
        measures
            .get()
            .into_iter()
            .map(|m| {
                let words = match m {
                    Measure::Decile => "Decile (1 = most deprived or highest need)",
                    Measure::Rank => "Rank (1 = most deprived or highest need)",
                    Measure::RankOfAverageRank => "Rank of average rank (1 = worst)",
                    Measure::ShareDecile1 => "Share of LSOAs in decile 1 (0 to 1)",
                    other => other.label(),
                };
                view! { <option value=m.id()>{words}</option> }
            })
            .collect_view()
    };
    let whole = move || measure.get().is_whole();
    let is_lsoa21 = move || level() == Level::Lsoa21;
    let bivariate_options = move || {
        BivariateClass::ALL
            .into_iter()
            .map(|c| {
                view! {
                    <option value=table_data::bivariate_filter(c)>
                        {format!("{}x{}: {}", c.deprivation, c.need, c.label())}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="table-filters">
            <legend>"Filters (an area must meet all of them)"</legend>
            <ul class="active-filters" aria-label="Filters in use">{active}</ul>
            <form class="table-row-controls" on:submit=add_range aria-label="Filter by decile or rank">
                <label class="field-label" for="table-filter-indicator">"Indicator"</label>
                <select
                    id="table-filter-indicator"
                    prop:value=move || indicator.get()
                    on:change=move |ev| indicator.set(event_target_value(&ev))
                >
                    {indicator_options}
                </select>
                <label class="field-label" for="table-filter-measure">"By"</label>
                <select
                    id="table-filter-measure"
                    prop:value=move || measure.get().id()
                    on:change=move |ev| {
                        if let Some(m) = Measure::from_id(&event_target_value(&ev)) {
                            measure.set(m);
                        }
                    }
                >
                    {measure_options}
                </select>
                <label class="field-label" for="table-filter-from">"From"</label>
                <input
                    id="table-filter-from"
                    type="number"
                    min="0"
                    step=move || if whole() { "1" } else { "any" }
                    inputmode=move || if whole() { "numeric" } else { "decimal" }
                    prop:value=move || from.get()
                    on:input=move |ev| from.set(event_target_value(&ev))
                />
                <label class="field-label" for="table-filter-to">"To"</label>
                <input
                    id="table-filter-to"
                    type="number"
                    min="0"
                    step=move || if whole() { "1" } else { "any" }
                    inputmode=move || if whole() { "numeric" } else { "decimal" }
                    prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev))
                />
                <button type="submit" id="table-filter-add">"Add filter"</button>
            </form>
            <form class="table-row-controls" on:submit=add_place aria-label="Filter by place">
                <label class="field-label" for="table-filter-place">
                    "Within a region or local authority"
                </label>
                <input
                    id="table-filter-place"
                    type="text"
                    list="table-places"
                    autocomplete="off"
                    prop:value=move || place.get()
                    on:input=move |ev| place.set(event_target_value(&ev))
                />
                <datalist id="table-places">
                    {move || {
                        places
                            .get()
                            .into_iter()
                            .map(|(label, _)| view! { <option value=label></option> })
                            .collect_view()
                    }}
                </datalist>
                <button type="submit">"Add place"</button>
            </form>
            <Show when=is_lsoa21>
                <div class="table-row-controls">
                    <label class="field-label" for="table-filter-bivariate">
                        "Double disadvantage class (IMD 2025 third x CNI 2023 third)"
                    </label>
                    <select
                        id="table-filter-bivariate"
                        prop:value=move || {
                            app.table
                                .with(|s| s.as_ref().and_then(TableSpec::bivariate))
                                .map(table_data::bivariate_filter)
                                .unwrap_or_default()
                        }
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let class = v
                                .strip_prefix("bivariate=")
                                .and_then(|c| c.split_once('x'))
                                .and_then(|(d, n)| BivariateClass::new(d.parse().ok()?, n.parse().ok()?));
                            app.table.update(|s| {
                                if let Some(s) = s {
                                    *s = s.with_bivariate(class);
                                }
                            });
                        }
                    >
                        <option value="">"Any class"</option>
                        {bivariate_options}
                    </select>
                </div>
                <label class="table-check">
                    <input
                        type="checkbox"
                        id="table-filter-left-behind"
                        prop:checked=move || app.table.with(|s| s.as_ref().is_some_and(TableSpec::has_left_behind))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let percent = app.threshold.get_untracked();
                            app.table.update(|s| {
                                if let Some(s) = s {
                                    *s = s.with_left_behind(on, percent);
                                }
                            });
                        }
                    />
                    {move || format!(
                        "Only left-behind neighbourhoods (worst {}% on both the IMD and the CNI; the threshold is set in the Left behind view)",
                        app.threshold.get()
                    )}
                </label>
            </Show>
        </fieldset>
    }
}
