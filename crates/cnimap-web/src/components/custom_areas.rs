//! "Your areas": upload a GeoJSON boundary file (picked or dropped) or draw a polygon on the map;
//! each area is measured against every LSOA 2021 in the browser, in the tools worker
//! ([`crate::worker::areas`], so the main wasm does not link `cnimap-geometry`), with the same
//! code as `cnimap areas` and `POST /api/areas`, on the LSOA shapes document the worker fetches on
//! first use; the page summarises the covers with [`cnimap_core::custom_area`]. The outlines
//! show on the map, each area's summaries and LSOAs in the card, and the CSV downloads are byte for
//! byte the command line's.
//!
//! In the URL ([`crate::url_state::areas_url`]): a drawn polygon as `draw=<encoded polyline>`, so
//! a shared link reopens and measures it again; an uploaded file as `areas=file`, the file itself
//! kept in this browser's `localStorage` (nothing leaves the browser), and a link opened where
//! the file is not kept says so.

use std::rc::Rc;
use std::sync::Arc;

use cnimap_core::api::ValuesResponse;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::custom_area::{self, AreaSummary, CustomArea, LsoaValues, DEFAULT_THRESHOLD};
use cnimap_core::Level;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api;
use crate::draw;
use crate::map::{self, LngLat, Map};
use crate::state::{use_app, AppState};
use crate::url_state::areas_url::AreasUrl;
use crate::worker_client;
use crate::worker_protocol::{FromWorker, MeasuredFile, ToWorker};

/// The map source and layers of the outlines.
const SOURCE: &str = "custom-areas";
const DRAFT_SOURCE: &str = "custom-areas-draft";
const LINE_LAYER: &str = "custom-areas-line";
const DRAFT_LINE_LAYER: &str = "custom-areas-draft-line";
const DRAFT_POINT_LAYER: &str = "custom-areas-draft-point";

#[wasm_bindgen]
extern "C" {
    /// `map.addSource(id, source)`.
    #[wasm_bindgen(method, catch, js_name = addSource)]
    fn areas_add_source(this: &Map, id: &str, source: &JsValue) -> Result<(), JsValue>;

    /// `map.addLayer(layer)` (on top).
    #[wasm_bindgen(method, catch, js_name = addLayer)]
    fn areas_add_layer(this: &Map, layer: &JsValue) -> Result<(), JsValue>;

    /// `map.getSource(id)`.
    #[wasm_bindgen(method, catch, js_name = getSource)]
    fn areas_get_source(this: &Map, id: &str) -> Result<JsValue, JsValue>;

    /// `map.setPaintProperty(layer, name, value)`.
    #[wasm_bindgen(method, catch, js_name = setPaintProperty)]
    fn areas_set_paint(this: &Map, layer: &str, name: &str, value: &JsValue)
        -> Result<(), JsValue>;

    /// `map.unproject([x, y])`.
    #[wasm_bindgen(method, catch, js_name = unproject)]
    fn areas_unproject(this: &Map, point: &JsValue) -> Result<LngLat, JsValue>;
}

/// What the page summarises with: the LSOA codes and every LSOA indicator's values, in the
/// catalogue's order (the command line's and the server's order). The outlines are the worker's.
struct Measurer {
    codes: Vec<String>,
    values: Vec<(IndicatorId, Arc<ValuesResponse>)>,
    titles: Vec<(String, String)>,
}

impl Measurer {
    fn lsoa_values(&self) -> Vec<LsoaValues<'_>> {
        self.values
            .iter()
            .map(|(id, v)| LsoaValues {
                id: *id,
                rank: &v.rank,
                decile: &v.decile,
            })
            .collect()
    }

    fn title(&self, id: &str) -> String {
        self.titles
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_string(), |(_, t)| t.clone())
    }
}

/// Fetches the LSOA codes and every LSOA indicator's values.
async fn load_measurer(app: AppState) -> Result<Measurer, String> {
    let (areas, meta) = futures::join!(
        app.loader.count(api::layer_areas(Level::Lsoa21)),
        app.loader.count(api::indicators()),
    );
    let areas = areas.map_err(|e| e.to_string())?;
    let meta = meta.map_err(|e| e.to_string())?;
    let ids: Vec<(IndicatorId, String)> = meta
        .indicators
        .iter()
        .filter(|m| m.layer == Level::Lsoa21)
        .filter_map(|m| Some((IndicatorId::parse(&m.id).ok()?, m.title.clone())))
        .collect();
    let fetched = futures::future::join_all(
        ids.iter()
            .map(|(id, _)| app.loader.values(Level::Lsoa21, *id)),
    )
    .await;
    let mut values = Vec::with_capacity(ids.len());
    for ((id, _), v) in ids.iter().zip(fetched) {
        let v = v.ok_or_else(|| format!("The values of {id} could not be loaded"))?;
        values.push((*id, v));
    }
    Ok(Measurer {
        codes: areas.codes,
        values,
        titles: ids
            .into_iter()
            .map(|(id, t)| (id.as_str().to_string(), t))
            .collect(),
    })
}

/// Your areas as measured, at the card's threshold: what the table at "Your areas"
/// ([`crate::components::table_view`]) makes its frame from.
#[derive(Clone)]
pub struct MeasuredAreas {
    areas: Arc<Vec<CustomArea>>,
    measurer: Arc<Measurer>,
    /// The threshold, `0..=1`.
    pub threshold: f64,
    outlines: Arc<serde_json::Value>,
}

impl MeasuredAreas {
    /// The table frame of your areas ([`custom_area::table_frame`], codes `area1`, ...).
    pub fn frame(&self) -> cnimap_core::table::TableFrame {
        custom_area::table_frame(&self.areas, self.threshold, &self.measurer.lsoa_values())
    }

    /// How many areas.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }
}

thread_local! {
    /// Your areas once measured (`None` before, while measuring, or when a file failed). A
    /// reference-counted signal, owned by no component, so the table can read it wherever it is.
    static MEASURED: ArcRwSignal<Option<MeasuredAreas>> = ArcRwSignal::new(None);
}

/// The signal of your measured areas (see [`MeasuredAreas`]).
pub fn measured_areas() -> ArcRwSignal<Option<MeasuredAreas>> {
    MEASURED.with(Clone::clone)
}

/// What the table says when it is opened at "Your areas" before any are measured.
pub const NONE_MEASURED: &str = "No areas of yours are measured in this page yet: draw an area or upload a GeoJSON file in “Your areas” in the side card. A link to uploaded areas opens them only in the browser that uploaded them: there, upload the file again.";

/// Fits the map to your area of table row `row` and outlines it thicker than the others.
pub fn show_row(app: AppState, row: u32) {
    let Some(m) = MEASURED.with(|s| s.get_untracked()) else {
        return;
    };
    let features: Vec<serde_json::Value> = m.outlines["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["properties"]["row"].as_u64() == Some(u64::from(row)))
        .cloned()
        .collect();
    fit_to(
        app,
        &serde_json::json!({"type": "FeatureCollection", "features": features}),
    );
    app.with_map(|map| {
        let width = serde_json::json!(["case", ["==", ["get", "row"], row], 6, 3]);
        let _ = map.areas_set_paint(LINE_LAYER, "line-width", &map::json(&width));
    });
}

/// Fades the outlines of your areas a table filter leaves out (`kept`: the rows kept, `None`:
/// no filter, every outline as drawn).
pub fn fade_rows(app: AppState, kept: Option<&[u32]>) {
    let opacity = match kept {
        None => serde_json::json!(0.9),
        Some(rows) => {
            serde_json::json!(["case", ["in", ["get", "row"], ["literal", rows]], 0.9, 0.2])
        }
    };
    LAST_OPACITY.with(|o| *o.borrow_mut() = opacity.clone());
    app.with_map(|map| {
        let _ = map.areas_set_paint(LINE_LAYER, "line-opacity", &map::json(&opacity));
    });
}

thread_local! {
    /// The outlines' last fading, put back when their layer is added after it was set.
    static LAST_OPACITY: std::cell::RefCell<serde_json::Value> =
        std::cell::RefCell::new(serde_json::json!(0.9));
}

/// Sets the outlines' source data and their last fading.
fn set_outlines(m: &Map, outlines: &serde_json::Value) {
    set_data(m, SOURCE, outlines);
    let opacity = LAST_OPACITY.with(|o| o.borrow().clone());
    let _ = m.areas_set_paint(LINE_LAYER, "line-opacity", &map::json(&opacity));
}

/// A file measured: its areas with their covers, what could not be used, and the outlines.
#[derive(Clone)]
struct Measured {
    areas: Arc<Vec<CustomArea>>,
    problems: Arc<Vec<String>>,
    repaired: Arc<Vec<String>>,
    outlines: Arc<serde_json::Value>,
    millis: f64,
}

/// Where the card is.
#[derive(Clone)]
enum Stage {
    Idle,
    Busy(String),
    Failed(String),
    Done(Measured),
}

/// Reads a picked or dropped file's bytes.
async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The sidebar card.
#[component]
pub fn YourAreas() -> impl IntoView {
    let app = use_app();
    let stage = RwSignal::new_local(Stage::Idle);
    let measurer = StoredValue::new_local(None::<Arc<Measurer>>);
    let bytes = StoredValue::new_local(None::<Rc<Vec<u8>>>);
    let properties = RwSignal::new(Vec::<String>::new());
    let name_property = RwSignal::new(String::new());
    let threshold = RwSignal::new(DEFAULT_THRESHOLD * 100.0);
    let file_name = RwSignal::new(String::new());
    let drawing = RwSignal::new(false);
    let corners = StoredValue::new_local(Vec::<(f64, f64)>::new());
    let overlay = StoredValue::new_local(None::<Drawing>);
    let typed = RwSignal::new(String::new());
    let typed_error = RwSignal::new(String::new());

    // Measures the kept bytes with the chosen name property: the worker reads and measures the
    // file while the page loads what it summarises with (once).
    let run = move || {
        let Some(input) = bytes.get_value() else {
            return;
        };
        let wanted = name_property.get_untracked();
        leptos::task::spawn_local(async move {
            stage.set(Stage::Busy("Measuring your areas…".into()));
            let request = ToWorker::Measure {
                shapes_url: api::endpoints().lsoa_shapes(),
                name_property: (!wanted.is_empty()).then_some(wanted),
            };
            let summarise_with = async {
                match measurer.get_value() {
                    Some(m) => Ok(m),
                    None => load_measurer(app).await.map(|m| {
                        let m = Arc::new(m);
                        measurer.set_value(Some(m.clone()));
                        m
                    }),
                }
            };
            let measuring = worker_client::call(&request, input.to_vec(), |m| {
                if let FromWorker::Busy { words } = m {
                    stage.set(Stage::Busy(words.clone()));
                }
            });
            let (m, reply) = futures::join!(summarise_with, measuring);
            let file: MeasuredFile = match reply.message {
                FromWorker::Measured(file) => *file,
                FromWorker::Failed { message } => {
                    if message.starts_with("This file cannot be used") {
                        properties.set(Vec::new());
                        bytes.set_value(None);
                    }
                    stage.set(Stage::Failed(message));
                    return;
                }
                other => {
                    stage.set(Stage::Failed(format!(
                        "The tools worker answered something unexpected: {other:?}"
                    )));
                    return;
                }
            };
            if let Err(e) = m {
                stage.set(Stage::Failed(e));
                return;
            }
            properties.set(file.properties);
            if let Some(p) = &file.name_property {
                name_property.set(p.clone());
            }
            tracing::info!(
                areas = file.areas.len(),
                millis = file.millis,
                "custom areas measured"
            );
            show_outlines(app, &file.outlines);
            if file.areas.is_empty() {
                stage.set(Stage::Failed(format!(
                    "No area in this file covers a neighbourhood in England: {}",
                    file.problems.join("; ")
                )));
                return;
            }
            stage.set(Stage::Done(Measured {
                areas: Arc::new(file.areas.into_iter().map(CustomArea::from).collect()),
                problems: Arc::new(file.problems),
                repaired: Arc::new(file.repaired),
                outlines: Arc::new(file.outlines),
                millis: file.millis,
            }));
        });
    };

    let take_bytes = move |name: String, input: Vec<u8>| {
        // A file (not a drawn polygon) is kept in this browser for `areas=file` links.
        if name != draw::DRAWN_NAME {
            keep_file(&name, &input);
            app.custom_areas.set(AreasUrl::uploaded());
        }
        file_name.set(name);
        name_property.set(String::new());
        bytes.set_value(Some(Rc::new(input)));
        run();
    };
    let take_file = move |f: web_sys::File| {
        leptos::task::spawn_local(async move {
            stage.set(Stage::Busy("Reading the file…".into()));
            match read_file(&f).await {
                Ok(b) => take_bytes(f.name(), b),
                Err(e) => stage.set(Stage::Failed(e)),
            }
        });
    };
    let pick = move |ev: web_sys::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(f) = input.and_then(|i| i.files()).and_then(|l| l.get(0)) {
            take_file(f);
        }
    };
    let drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if let Some(f) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0))
        {
            take_file(f);
        }
    };

    // Drawing: clicks on the map add corners, drags and the wheel still move it; keys go to a
    // focusable overlay (see `Drawing`). Its listeners are removed once the current event is
    // handled (a listener must not be dropped while it runs).
    let finish_drawing = move |keep: bool| {
        let mut ended = None;
        overlay.update_value(|d| ended = d.take());
        if let Some(d) = ended {
            leptos::task::spawn_local(async move { std::mem::drop(d) });
        }
        drawing.set(false);
        let points = corners.get_value();
        corners.set_value(Vec::new());
        show_draft(app, &[]);
        if keep {
            match draw::polygon_file(&points, draw::DRAWN_NAME) {
                Some(b) => {
                    app.custom_areas.set(AreasUrl::drawn(&points));
                    take_bytes(draw::DRAWN_NAME.to_string(), b)
                }
                None => stage.set(Stage::Failed(
                    "An area needs at least 3 corners: click the map 3 times or more, then double-click or press Enter.".into(),
                )),
            }
        }
        crate::dom::focus("#areas-draw");
    };
    let start_drawing = move |_| {
        if drawing.get_untracked() {
            finish_drawing(false);
            return;
        }
        let mut made = None;
        app.with_map(|m| made = make_overlay(m, corners, app, finish_drawing));
        match made {
            Some(d) => {
                corners.set_value(Vec::new());
                drawing.set(true);
                let _ = d.overlay.focus();
                overlay.set_value(Some(d));
            }
            None => stage.set(Stage::Failed(
                "The map is still loading: try drawing again in a moment.".into(),
            )),
        }
    };
    let use_typed = move |_| match draw::parse_corners(&typed.get_untracked()) {
        Ok(points) => {
            typed_error.set(String::new());
            if let Some(b) = draw::polygon_file(&points, draw::DRAWN_NAME) {
                app.custom_areas.set(AreasUrl::drawn(&points));
                take_bytes(draw::DRAWN_NAME.to_string(), b);
            }
        }
        Err(e) => typed_error.set(e),
    };

    // A link with areas: the drawn polygon measured again, or the file kept in this browser (or
    // a message saying it is not here). Once, when the card is made.
    let from_url = app.custom_areas.get_untracked();
    if !from_url.is_empty() {
        leptos::task::spawn_local(async move {
            open_card();
            if from_url.uploaded {
                match kept_file() {
                    Some((name, b)) => {
                        file_name.set(name);
                        name_property.set(String::new());
                        bytes.set_value(Some(Rc::new(b)));
                        run();
                    }
                    None => stage.set(Stage::Failed(NOT_KEPT.into())),
                }
            } else if let Some(b) = draw::polygon_file(&from_url.drawn, draw::DRAWN_NAME) {
                take_bytes(draw::DRAWN_NAME.to_string(), b);
            }
        });
    }

    // The table at "Your areas" reads the measured areas at the card's threshold.
    Effect::new(move |_| {
        let t = threshold.get() / 100.0;
        let now = match stage.get() {
            Stage::Done(d) => measurer.get_value().map(|m| MeasuredAreas {
                areas: d.areas.clone(),
                measurer: m,
                threshold: t,
                outlines: d.outlines.clone(),
            }),
            _ => None,
        };
        measured_areas().set(now);
    });

    let busy = move || matches!(stage.get(), Stage::Busy(_));
    view! {
        <details class="areas-box" id="your-areas">
            <summary>"Your areas"</summary>
            <p class="areas-intro">
                "Upload a GeoJSON file of your own areas (WGS84 or British National Grid) or draw one on the map, and see which neighbourhoods (LSOA 2021) each covers and the same summaries as a council: share in the most deprived 10% and average rank, for every indicator."
                {move || {
                    if api::static_base().is_some() {
                        " Your file never leaves your browser."
                    } else {
                        " Your file is measured in your browser; it is not sent anywhere."
                    }
                }}
            </p>
            <div
                class="areas-drop"
                on:dragover=|ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=drop
            >
                <label for="areas-file">"GeoJSON file (or drop it here)"</label>
                <input
                    id="areas-file"
                    type="file"
                    accept=".geojson,.json,application/geo+json,application/json"
                    on:change=pick
                    prop:disabled=busy
                />
            </div>
            <Show when=move || !properties.with(Vec::is_empty)>
                <label for="areas-name">"Name each area by"</label>
                <select
                    id="areas-name"
                    on:change=move |ev| {
                        name_property.set(event_target_value(&ev));
                        run();
                    }
                >
                    {move || {
                        let chosen = name_property.get();
                        properties
                            .get()
                            .into_iter()
                            .map(|p| {
                                let selected = p == chosen;
                                view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </Show>
            <label for="areas-threshold">"Count a neighbourhood when at least this % of its area is inside"</label>
            <input
                id="areas-threshold"
                type="number"
                min="0"
                max="100"
                step="1"
                prop:value=move || threshold.get().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        if (0.0..=100.0).contains(&v) {
                            threshold.set(v);
                        }
                    }
                }
            />
            <div class="areas-draw-row">
                <button
                    type="button"
                    id="areas-draw"
                    aria-pressed=move || drawing.get().to_string()
                    on:click=start_drawing
                    prop:disabled=busy
                >
                    {move || if drawing.get() { "Cancel drawing" } else { "Draw an area on the map" }}
                </button>
            </div>
            <Show when=move || drawing.get()>
                <p class="areas-draw-help" role="note">{draw::DRAW_HELP}</p>
            </Show>
            <details class="areas-typed">
                <summary>"Type the corners instead"</summary>
                <label for="areas-corners">"Corners, one \u{201c}longitude, latitude\u{201d} per line"</label>
                <textarea
                    id="areas-corners"
                    rows="4"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                ></textarea>
                <button type="button" on:click=use_typed>"Use these corners"</button>
                <Show when=move || !typed_error.with(String::is_empty)>
                    <p class="areas-error">{move || typed_error.get()}</p>
                </Show>
            </details>
            <div class="areas-status" role="status" aria-live="polite">
                {move || match stage.get() {
                    Stage::Idle => ().into_any(),
                    Stage::Busy(words) => view! { <p class="areas-busy">{words}</p> }.into_any(),
                    Stage::Failed(message) => view! { <p class="areas-error">{message}</p> }.into_any(),
                    Stage::Done(measured) => {
                        let m = measurer.get_value();
                        let name = file_name.get();
                        match m {
                            Some(m) => view! { <AreasResult measured m threshold name/> }.into_any(),
                            None => ().into_any(),
                        }
                    }
                }}
            </div>
        </details>
    }
}

/// The results of a measured file at the current threshold.
#[component]
fn AreasResult(
    measured: Measured,
    m: Arc<Measurer>,
    threshold: RwSignal<f64>,
    name: String,
) -> impl IntoView {
    let app = use_app();
    let outlines = measured.outlines.clone();
    let fit = move |_| fit_to(app, &outlines);
    let problems: Vec<String> = measured.problems.to_vec();
    let repaired: Vec<String> = measured.repaired.to_vec();
    let n_problems = measured.problems.len();
    let n_repaired = measured.repaired.len();
    let stem = name
        .trim_end_matches(".geojson")
        .trim_end_matches(".json")
        .to_string();
    let areas = measured.areas.clone();
    let m2 = m.clone();
    let body = move || {
        let t = threshold.get() / 100.0;
        let values = m2.lsoa_values();
        let summaries = custom_area::summaries(&areas, t, &values, &m2.codes);
        let csv = Arc::new(custom_area::to_csv(&areas, t, &values));
        let lsoas_csv = Arc::new(custom_area::covers_csv(&areas, t, &m2.codes));
        let (stem1, stem2) = (stem.clone(), stem.clone());
        let save = move |_| {
            let _ = crate::dom::save_file(
                &format!("{stem1}-summary.csv"),
                csv.as_bytes(),
                "text/csv;charset=utf-8",
            );
        };
        let save_lsoas = move |_| {
            let _ = crate::dom::save_file(
                &format!("{stem2}-lsoas.csv"),
                lsoas_csv.as_bytes(),
                "text/csv;charset=utf-8",
            );
        };
        let cards = summaries
            .into_iter()
            .map(|s| area_card(&m2, s))
            .collect_view();
        view! {
            <p class="areas-rule">{custom_area::rule_words(t)}</p>
            <div class="areas-downloads">
                <button type="button" id="areas-save" on:click=save>"Download the summary (CSV)"</button>
                <button type="button" id="areas-save-lsoas" on:click=save_lsoas>"Download the neighbourhoods (CSV)"</button>
            </div>
            {cards}
        }
    };
    view! {
        <p class="areas-done" data-millis=format!("{:.0}", measured.millis)>
            {format!(
                "{} {} measured in {:.0} ms.",
                measured.areas.len(),
                if measured.areas.len() == 1 { "area" } else { "areas" },
                measured.millis
            )}
            " "
            <button type="button" class="link-button" on:click=fit>"Show on the map"</button>
        </p>
        {(n_problems > 0).then(|| view! {
            <div class="areas-problems">
                <p>{format!("{n_problems} {} could not be used:", if n_problems == 1 { "feature" } else { "features" })}</p>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        })}
        {(n_repaired > 0).then(|| view! {
            <details class="areas-repaired">
                <summary>{format!("{n_repaired} repaired")}</summary>
                <ul>{repaired.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </details>
        })}
        {body}
    }
}

/// One area's card: headline summaries, every indicator, and its LSOAs.
fn area_card(m: &Measurer, s: AreaSummary) -> impl IntoView {
    let percent =
        |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{:.1}%", v * 100.0));
    let rank = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.0}"));
    let headline = ["imd2025", "cni2023"]
        .iter()
        .filter_map(|id| s.indicators.iter().find(|i| i.indicator == *id))
        .map(|i| {
            view! {
                <tr>
                    <th scope="row">{m.title(&i.indicator)}</th>
                    <td>{percent(i.share_decile1)}</td>
                    <td>{rank(i.average_rank)}</td>
                </tr>
            }
        })
        .collect_view();
    let all = s
        .indicators
        .iter()
        .map(|i| {
            view! {
                <tr>
                    <th scope="row">{m.title(&i.indicator)}</th>
                    <td>{percent(i.share_decile1)}</td>
                    <td>{rank(i.average_rank)}</td>
                </tr>
            }
        })
        .collect_view();
    let touched = s.covers.len();
    let lsoas = s
        .covers
        .iter()
        .map(|c| {
            view! {
                <tr class:counts=c.counts>
                    <td>{c.code.clone()}</td>
                    <td>{format!("{:.1}%", c.share * 100.0)}</td>
                    <td>{if c.counts { "yes" } else { "no" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="area-result" aria-label=s.name.clone()>
            <h3>{s.name.clone()}</h3>
            <p class="area-count">
                {format!(
                    "{} {} counted ({} touched).",
                    s.lsoas,
                    if s.lsoas == 1 { "neighbourhood" } else { "neighbourhoods" },
                    touched
                )}
            </p>
            <table class="area-summary">
                <thead>
                    <tr><th scope="col">"Indicator"</th><th scope="col">"In decile 1"</th><th scope="col">"Average rank"</th></tr>
                </thead>
                <tbody>{headline}</tbody>
            </table>
            <details>
                <summary>"Every indicator"</summary>
                <table class="area-summary">
                    <thead>
                        <tr><th scope="col">"Indicator"</th><th scope="col">"In decile 1"</th><th scope="col">"Average rank"</th></tr>
                    </thead>
                    <tbody>{all}</tbody>
                </table>
            </details>
            <details>
                <summary>{format!("Neighbourhoods ({touched})")}</summary>
                <table class="area-lsoas">
                    <thead>
                        <tr><th scope="col">"LSOA 2021"</th><th scope="col">"Share inside"</th><th scope="col">"Counts"</th></tr>
                    </thead>
                    <tbody>{lsoas}</tbody>
                </table>
            </details>
        </section>
    }
}

/// The source `id`, when the map has it.
fn source(map: &Map, id: &str) -> Option<JsValue> {
    map.areas_get_source(id)
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
}

/// Adds the sources and layers once; false when the map's style has not loaded yet.
fn ensure_layers(map: &Map) -> bool {
    if source(map, SOURCE).is_some() {
        return true;
    }
    let empty = serde_json::json!({"type": "FeatureCollection", "features": []});
    let geojson = map::json(&serde_json::json!({"type": "geojson", "data": empty}));
    let layers = [
        serde_json::json!({
            "id": LINE_LAYER, "type": "line", "source": SOURCE,
            "paint": {"line-color": "#1a1a1a", "line-width": 3, "line-opacity": 0.9},
        }),
        serde_json::json!({
            "id": DRAFT_LINE_LAYER, "type": "line", "source": DRAFT_SOURCE,
            "filter": ["==", ["geometry-type"], "LineString"],
            "paint": {"line-color": "#c2185b", "line-width": 2.5, "line-dasharray": [2, 1]},
        }),
        serde_json::json!({
            "id": DRAFT_POINT_LAYER, "type": "circle", "source": DRAFT_SOURCE,
            "filter": ["==", ["geometry-type"], "Point"],
            "paint": {"circle-radius": 5, "circle-color": "#c2185b", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5},
        }),
    ];
    let added = map.areas_add_source(SOURCE, &geojson).is_ok()
        && map.areas_add_source(DRAFT_SOURCE, &geojson).is_ok()
        && layers
            .iter()
            .all(|l| map.areas_add_layer(&map::json(l)).is_ok());
    if !added {
        tracing::warn!("the map is not ready for the custom areas' outlines");
    }
    added
}

/// Sets a GeoJSON source's data.
fn set_data(map: &Map, id: &str, data: &serde_json::Value) {
    let Some(s) = source(map, id) else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&s, &"setData".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&s, &map::json(data));
        }
    }
}

fn show_outlines(app: AppState, outlines: &serde_json::Value) {
    let mut shown = false;
    app.with_map(|m| {
        shown = ensure_layers(m);
        set_outlines(m, outlines);
    });
    if shown {
        fit_to(app, outlines);
        return;
    }
    // A link opened with areas can be measured before the map's style has loaded: try again
    // for up to 30 s.
    let outlines = outlines.clone();
    leptos::task::spawn_local(async move {
        for _ in 0..60 {
            wait_ms(500).await;
            let mut ready = false;
            app.with_map(|m| {
                ready = ensure_layers(m);
                if ready {
                    set_outlines(m, &outlines);
                }
            });
            if ready {
                fit_to(app, &outlines);
                return;
            }
        }
        tracing::warn!("the map never became ready for the custom areas' outlines");
    });
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// What a link with `areas=file` says where the file is not kept.
pub const NOT_KEPT: &str = "This link refers to areas uploaded in another browser (or removed from this one): upload the file again. Uploaded files are kept only in the browser that uploaded them; nothing is sent anywhere.";

/// The `localStorage` keys of the kept file: its name and its text.
const KEPT_NAME: &str = "cnimap.areas.name";
const KEPT_TEXT: &str = "cnimap.areas.text";

/// `window.localStorage`, when the browser allows it.
fn local_storage() -> Option<JsValue> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"localStorage".into())
        .ok()
        .filter(|s| !s.is_null() && !s.is_undefined())
}

/// Calls `storage.<method>(args...)`.
fn storage_call(method: &str, args: &[&str]) -> Result<JsValue, JsValue> {
    let s = local_storage().ok_or_else(|| JsValue::from_str("no localStorage"))?;
    let f: js_sys::Function = js_sys::Reflect::get(&s, &method.into())?.dyn_into()?;
    let a = js_sys::Array::new();
    for x in args {
        a.push(&JsValue::from_str(x));
    }
    f.apply(&s, &a)
}

/// Keeps an uploaded file (UTF-8 text: GeoJSON) in this browser, for `areas=file` links. A file
/// the storage cannot hold (over its quota, about 5 MB) is not kept, and said so in the log.
fn keep_file(name: &str, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let kept = storage_call("setItem", &[KEPT_TEXT, text])
        .and_then(|_| storage_call("setItem", &[KEPT_NAME, name]));
    if let Err(e) = kept {
        let _ = storage_call("removeItem", &[KEPT_TEXT]);
        tracing::warn!(error = ?e, bytes = bytes.len(), "the uploaded file could not be kept in this browser");
    }
}

/// The file kept by [`keep_file`], when there is one.
fn kept_file() -> Option<(String, Vec<u8>)> {
    let text = storage_call("getItem", &[KEPT_TEXT]).ok()?.as_string()?;
    let name = storage_call("getItem", &[KEPT_NAME])
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "your-areas.geojson".into());
    Some((name, text.into_bytes()))
}

/// Opens the "Your areas" card.
fn open_card() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("your-areas"))
    {
        let _ = el.set_attribute("open", "");
    }
}

fn show_draft(app: AppState, corners: &[(f64, f64)]) {
    app.with_map(|m| {
        ensure_layers(m);
        set_data(m, DRAFT_SOURCE, &draw::draft_geojson(corners));
    });
}

/// Fits the map to the outlines' bounds.
fn fit_to(app: AppState, outlines: &serde_json::Value) {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut visit = |p: &serde_json::Value| {
        if let (Some(x), Some(y)) = (p[0].as_f64(), p[1].as_f64()) {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    };
    for f in outlines["features"].as_array().into_iter().flatten() {
        for poly in f["geometry"]["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for ring in poly.as_array().into_iter().flatten() {
                for p in ring.as_array().into_iter().flatten() {
                    visit(p);
                }
            }
        }
    }
    if !b[0].is_finite() {
        return;
    }
    app.with_map(|m| {
        m.fit_bounds(
            &map::json(&serde_json::json!([[b[0], b[1]], [b[2], b[3]]])),
            &map::json(&serde_json::json!({"padding": 40, "duration": 0, "maxZoom": 14})),
        );
    });
}

/// A DOM listener on the map's container while drawing: its event type and the closure.
type Listener = (&'static str, Closure<dyn FnMut(web_sys::Event)>);

/// A drawing in progress: the focusable overlay over the map (it takes no pointer events, so the
/// map still pans and zooms under it; it holds the keyboard focus and its outline) and the
/// listeners on the map's container. Dropping it removes both.
struct Drawing {
    overlay: web_sys::HtmlElement,
    container: web_sys::HtmlElement,
    listeners: Vec<Listener>,
}

impl Drop for Drawing {
    fn drop(&mut self) {
        for (kind, f) in &self.listeners {
            let _ = self.container.remove_event_listener_with_callback_and_bool(
                kind,
                f.as_ref().unchecked_ref(),
                true,
            );
        }
        let _ = self.container.class_list().remove_1(draw::DRAWING_CLASS);
        self.overlay.remove();
    }
}

/// Starts drawing on `m`: a click (a press and release that did not move the map) adds the
/// corner under it (`map.unproject`), a drag pans and the wheel zooms as always, a double-click
/// finishes (instead of zooming), and Enter, Backspace and Escape work wherever the focus is in
/// the map. The clicks are taken in the capture phase, before MapLibre sees them, so a click
/// does not also select the area under it. `None` when the map's style is not ready.
fn make_overlay(
    m: &Map,
    corners: StoredValue<Vec<(f64, f64)>, LocalStorage>,
    app: AppState,
    finish: impl Fn(bool) + Copy + 'static,
) -> Option<Drawing> {
    if !ensure_layers(m) {
        return None;
    }
    let container = m.get_container();
    let document = web_sys::window()?.document()?;
    let el: web_sys::HtmlElement = document.create_element("div").ok()?.dyn_into().ok()?;
    el.set_class_name("draw-overlay");
    el.set_id("draw-overlay");
    let _ = el.set_attribute("tabindex", "0");
    let _ = el.set_attribute("role", "application");
    let _ = el.set_attribute(
        "aria-label",
        "Drawing an area: click to add corners, drag to move the map, Enter to finish, Escape to cancel",
    );
    let pressed_at = std::rc::Rc::new(std::cell::Cell::new(None::<(i32, i32)>));
    let mut listeners: Vec<Listener> = Vec::new();
    let down = {
        let pressed_at = pressed_at.clone();
        move |ev: web_sys::Event| {
            if let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() {
                pressed_at.set(Some((ev.client_x(), ev.client_y())));
            }
        }
    };
    listeners.push(("mousedown", Closure::new(down)));
    let click = {
        let m = m.clone();
        let el = el.clone();
        move |ev: web_sys::Event| {
            let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
                return;
            };
            let at = (ev.client_x(), ev.client_y());
            if !draw::is_click(pressed_at.take(), at) {
                return; // the end of a drag: the map moved, no corner
            }
            let Some(target) = ev.target() else {
                return;
            };
            let on_map = target.dyn_ref::<web_sys::Element>().is_some_and(|t| {
                t.class_list().contains("maplibregl-canvas") || t.id() == "draw-overlay"
            });
            if !on_map {
                return; // a click on the map's own controls
            }
            ev.stop_propagation();
            ev.prevent_default();
            let rect = m.get_container().get_bounding_client_rect();
            let p = js_sys::Array::of2(
                &JsValue::from_f64(f64::from(at.0) - rect.left()),
                &JsValue::from_f64(f64::from(at.1) - rect.top()),
            );
            let Ok(ll) = m.areas_unproject(&p) else {
                return;
            };
            corners.update_value(|c| draw::add_corner(c, (ll.lng(), ll.lat())));
            show_draft(app, &corners.get_value());
            let _ = el.focus();
        }
    };
    listeners.push(("click", Closure::new(click)));
    let dbl = move |ev: web_sys::Event| {
        let on_canvas = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| {
                t.class_list().contains("maplibregl-canvas") || t.id() == "draw-overlay"
            });
        if on_canvas {
            ev.stop_propagation();
            ev.prevent_default();
            finish(true);
        }
    };
    listeners.push(("dblclick", Closure::new(dbl)));
    let key = move |ev: web_sys::Event| {
        let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                ev.stop_propagation();
                finish(true);
            }
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                finish(false);
            }
            "Backspace" => {
                ev.prevent_default();
                ev.stop_propagation();
                corners.update_value(|c| {
                    c.pop();
                });
                show_draft(app, &corners.get_value());
            }
            _ => {}
        }
    };
    listeners.push(("keydown", Closure::new(key)));
    for (kind, f) in &listeners {
        let _ = container.add_event_listener_with_callback_and_bool(
            kind,
            f.as_ref().unchecked_ref(),
            true,
        );
    }
    let _ = container.class_list().add_1(draw::DRAWING_CLASS);
    container.append_child(&el).ok()?;
    Some(Drawing {
        overlay: el,
        container,
        listeners,
    })
}
