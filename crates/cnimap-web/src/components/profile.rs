//! An area's profile page (issue 13), at `/area/{code}` (or `?profile=CODE` on a static host that
//! cannot rewrite paths): its small map with the area outlined, every indicator on a strip of
//! England's areas per source (national context) with its local authority's figure beside it
//! (local context), left-behind status and how it was decided, change since 2019, its
//! neighbours, sources. Printable as an A4 report (the print styles in `assets/profile.css`).
//! A council's or a ward 2024's change since 2019 is made in wasm ([`AreaChangeSection`]) with
//! core's `change::areas` from the lineage, parents and values documents, so a static site has it.

use std::sync::Arc;

use cnimap_core::api::{AreaDetail, AreaIndicator};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::Level;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::camera::{CameraRequest, FIT_MAX_ZOOM};
use crate::classes::indicator_ramp;
use crate::components::map_view::MapView;
use crate::page_route::{map_href, profile_href};
use crate::profile_chart::{strip_key, strip_svg, strip_text, StripPlace};
use crate::state::AppState;
use crate::url_state::{Selection, UrlState};
use crate::words::{area_error, group_by_source, left_behind_count_sentence, rank_phrase};

/// The sources line printed at the foot of every page.
pub const SOURCE_LINE: &str = "Sources: MHCLG English Indices of Deprivation 2025 and 2019 (OGL \
v3.0); Community Needs Index 2023 and 2019, OCSI / Local Trust; ONS boundaries (OGL v3.0, contains \
OS data © Crown copyright and database right). Made with cnimap.";

/// Sizes the small map to its box and moves it to the area once both the map and the area's details are there, and
/// keeps a picture of the map for the printed page (a WebGL canvas may print blank).
fn fit_and_snapshot(app: AppState, detail: LocalResource<Result<Arc<AreaDetail>, ApiError>>) {
    let fitted = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() || fitted.get_value() {
            return;
        }
        let Some(Ok(d)) = detail.get() else {
            return;
        };
        fitted.set_value(true);
        // The map is made before its box is laid out, so MapLibre falls back to a 400 x 300
        // canvas and its resize observer skips the first change: size it to its box first.
        app.with_map(|m| m.resize());
        app.camera_request.set(Some(CameraRequest::Fit {
            bbox_wgs84: d.bbox_wgs84,
            max_zoom: FIT_MAX_ZOOM,
        }));
    });
}

/// The picture of the small map for print, taken whenever the map settles after it moved or
/// drew new tiles.
fn print_picture(app: AppState) -> RwSignal<Option<String>> {
    let picture = RwSignal::new(None::<String>);
    let hooked = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() || hooked.get_value() {
            return;
        }
        hooked.set_value(true);
        let dirty = std::rc::Rc::new(std::cell::Cell::new(true));
        app.with_map(|m| {
            for event in ["moveend", "sourcedata"] {
                let dirty = dirty.clone();
                m.on(event, &crate::map::callback(move |_| dirty.set(true)));
            }
            let map = m.clone();
            m.on(
                "idle",
                &crate::map::callback(move |_| {
                    if !dirty.replace(false) {
                        return;
                    }
                    let map = map.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        match crate::components::png_export::snapshot(&map).await {
                            Ok(url) => picture.set(Some(url)),
                            Err(e) => tracing::warn!(%e, "no picture of the map for print"),
                        }
                    });
                }),
            );
        });
    });
    picture
}

/// The profile page of area `code`.
#[component]
pub fn ProfilePage(
    /// The area's code, normalised.
    code: String,
    /// Whether the page was opened as `?profile=CODE` (its links keep that form).
    by_query: bool,
) -> impl IntoView {
    let url = UrlState {
        area: Some(Selection::code(code.clone())),
        ..UrlState::default()
    };
    let app = AppState::from_url(&url);
    provide_context(app);
    crate::components::help::provide_help();
    // The change section shows at once (the panel asks for it with a button).
    let change = crate::components::change_view::provide_change(app);
    Effect::new(move |_| change.panel_wants.set(true));
    crate::components::level_picker::provide_levels(app);
    let detail = {
        let code = code.clone();
        LocalResource::new(move || {
            let code = code.clone();
            async move {
                app.loader
                    .count(api::area(&Selection::code(code)))
                    .await
                    .map(Arc::new)
            }
        })
    };
    fit_and_snapshot(app, detail);
    // A click on another area of the small map opens that area's profile.
    let here = code.clone();
    Effect::new(move |_| {
        let Some(picked) = app.selected.get() else {
            return;
        };
        if picked.code != here {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&profile_href(&picked.code, by_query));
            }
        }
    });
    let picture = print_picture(app);
    let title_code = code.clone();
    Effect::new(move |_| {
        if let (Some(doc), Some(Ok(d))) =
            (web_sys::window().and_then(|w| w.document()), detail.get())
        {
            doc.set_title(&format!("{} ({}): area profile · cnimap", d.name, d.code));
        } else if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!("{title_code}: area profile · cnimap"));
        }
    });
    let back = map_href(&code);
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let body = move || {
        let code = code.clone();
        Suspend::new(async move {
            match detail.await {
                Ok(d) => view! { <ProfileBody detail=d by_query picture/> }.into_any(),
                Err(e) => view! {
                    <p class="error-text" role="alert">{area_error(&code, &e)}</p>
                }
                .into_any(),
            }
        })
    };
    view! {
        <div class="profile-page" data-testid="profile">
            <nav class="profile-nav" aria-label="Profile">
                <a href=back>"← Back to the map"</a>
                <button type="button" class="secondary" data-testid="profile-print" on:click=print>
                    "Print this profile"
                </button>
            </nav>
            <main class="profile-main">
                <Suspense fallback=|| view! { <p class="loading">"Loading the area…"</p> }>
                    {body}
                </Suspense>
            </main>
            <footer class="profile-footer">{SOURCE_LINE}</footer>
        </div>
    }
}

/// The loaded profile.
#[component]
fn ProfileBody(
    detail: Arc<AreaDetail>,
    by_query: bool,
    picture: RwSignal<Option<String>>,
) -> impl IntoView {
    let d = detail;
    let app = crate::state::use_app();
    // The local authority's own figures, for local context (one more document).
    let lad = d.lad.clone().filter(|_| d.level != Level::Lad24);
    let lad_detail = LocalResource::new(move || {
        let lad = lad.clone();
        async move {
            let lad = lad?;
            app.loader
                .count(api::area(&Selection::on(lad.code.clone(), Level::Lad24)))
                .await
                .ok()
                .map(Arc::new)
        }
    });
    let link = |code: &str, name: &str| {
        view! { <a href=profile_href(code, by_query)>{name.to_string()}</a> }
    };
    let place = |label: &'static str, value: Option<AnyView>| {
        value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
    };
    let names = view! {
        <dl class="names">
            {place("Neighbourhood", d.neighbourhood.clone().map(|n| n.into_any()))}
            {place("Ward", d.ward.as_ref().map(|w| link(&w.code, &format!("{} ({})", w.name, w.code)).into_any()))}
            {place("Local authority", d.lad.as_ref().map(|l| link(&l.code, &format!("{} ({})", l.name, l.code)).into_any()))}
            {place("Region", d.region.as_ref().map(|r| link(&r.code, &r.name).into_any()))}
        </dl>
    };
    let left_behind = d.left_behind.as_ref().map(|lb| {
        let verdict = if lb.left_behind {
            "Left behind"
        } else {
            "Not left behind"
        };
        view! {
            <p class=format!("left-behind-status {}", if lb.left_behind { "left-behind-yes" } else { "left-behind-no" })>
                <strong>{verdict}</strong>
            </p>
            <p>{format!("How this was decided: {}", lb.method)}</p>
        }
    });
    let left_behind_count = d.left_behind_count.as_ref().map(|c| {
        view! {
            <p class="left-behind-status"><strong>{left_behind_count_sentence(c.count, c.of)}</strong></p>
            <p>{format!("How this was counted: {}", c.method)}</p>
        }
    });
    let has_left_behind = left_behind.is_some() || left_behind_count.is_some();
    let change = crate::components::change_view::panel_section(&d);
    let larger = matches!(d.level, Level::Lad24 | Level::Ward24)
        .then(|| view! { <AreaChangeSection level=d.level code=d.code.clone()/> }.into_any());
    let change = change.map(|c| c.into_any()).or(larger).or_else(|| {
        (d.level != Level::Lsoa21).then(|| {
            view! {
                <p>
                    "Change between the 2019 and 2025 indices is shown for neighbourhoods (LSOA 2021): open a neighbourhood’s profile from the map to see how it moved."
                </p>
            }
            .into_any()
        })
    });
    let has_change = change.is_some();
    let groups = group_by_source(&d.indicators)
        .into_iter()
        .map(|(source, list)| {
            let key = list.iter().find(|i| i.rank.is_some()).and_then(|i| {
                let id = IndicatorId::parse(&i.id).ok()?;
                Some(strip_key(indicator_ramp(id), d.level, i.of))
            });
            let rows = list
                .into_iter()
                .map(|ind| view! { <IndicatorRow ind level=d.level lad_detail/> })
                .collect_view();
            view! {
                <section class="profile-section profile-group">
                    <h2>{source.title()}</h2>
                    {key.map(|k| view! { <p class="small strip-key">{k}</p> })}
                    <ul class="profile-indicators">{rows}</ul>
                </section>
            }
        })
        .collect_view();
    let neighbours = (!d.neighbours.is_empty()).then(|| {
        let items = d
            .neighbours
            .iter()
            .map(|n| view! { <li>{link(&n.code, &format!("{} ({})", n.name, n.code))}</li> })
            .collect_view();
        view! {
            <section class="profile-section profile-neighbours">
                <h2>"Neighbouring areas"</h2>
                <ul class="neighbour-list">{items}</ul>
            </section>
        }
    });
    let attribution = move || {
        app.current_meta().map(|m| {
            m.attribution
                .iter()
                .map(|a| view! { <li>{a.clone()}</li> })
                .collect_view()
        })
    };
    let summary_method = d
        .summary_method
        .clone()
        .map(|m| view! { <p class="small">{m}</p> });
    view! {
        <header class="profile-head">
            <p class="profile-kicker">"Area profile · cnimap"</p>
            <h1 class="area-name">{d.name.clone()}</h1>
            <p class="area-code">{format!("{} · {}", d.code, d.level.title())}</p>
            {names}
            <p class="profile-actions">
                <a href=format!("./?a={code}&compare={code}", code = crate::endpoints::encode(&d.code))>
                    "Compare with other areas on the map"
                </a>
            </p>
        </header>
        <section class="profile-section profile-map-section" aria-label="Map of the area">
            <div class="profile-map">
                <MapView/>
            </div>
            {move || {
                picture
                    .get()
                    .map(|src| view! { <img class="profile-map-print" src=src alt="Map of the area, outlined"/> })
            }}
            <p class="small">"The area is outlined on the map; the colours are IMD 2025 deciles (darkest: the most deprived 10%)."</p>
        </section>
        <Show when=move || has_left_behind>
            <section class="profile-section profile-left-behind">
                <h2>"Left behind?"</h2>
                {left_behind.clone()}
                {left_behind_count.clone()}
            </section>
        </Show>
        {has_change.then(|| view! {
            <section class="profile-section profile-change">
                <h2>"Change since 2019"</h2>
                {change}
            </section>
        })}
        <section class="profile-section profile-how">
            <h2>"How to read this profile"</h2>
            <p>
                "Every area in England is ranked on each measure: rank 1 is the most deprived (or, for the Community Needs Index, the highest need). Deciles split the ranking into ten equal groups: decile 1 is the most deprived 10%. Each strip below shows all of England’s areas of this kind, from rank 1 on the left, with this area marked."
            </p>
            {summary_method}
        </section>
        {groups}
        {neighbours}
        <section class="profile-section profile-sources">
            <h2>"Sources and attribution"</h2>
            <ul>{attribution}</ul>
        </section>
    }
}

/// The counts of a council's or ward 2024's change since 2019 ([`cnimap_core::change::areas`]),
/// from the documents the map's table uses too (the LSOA 2021 parents, the LSOA 2011 lineage,
/// the IMD 2025 and IMD 2019 values), or what is missing.
async fn area_change_of(
    app: AppState,
    level: Level,
    code: &str,
) -> Result<cnimap_core::change::areas::AreaChange, String> {
    use cnimap_core::change::areas::{area_change, place_lsoa11};
    let parents_url = api::endpoints().table_parents(Level::Lsoa21);
    let lineage_url = api::endpoints().lineage_lsoa11();
    let (parents, lineage, v25, v19) = futures::join!(
        app.loader
            .count(api::get_json::<cnimap_core::table::TableParents>(
                &parents_url
            )),
        app.loader
            .count(api::get_json::<cnimap_core::lineage::LineageDocument>(
                &lineage_url
            )),
        app.loader.values(Level::Lsoa21, IndicatorId::IMD2025),
        app.loader.values(Level::Lsoa11, IndicatorId::IMD2019),
    );
    let unavailable = |what: &str| format!("The change since 2019 cannot be shown: {what}.");
    let parents = parents.map_err(|e| unavailable(&e.to_string()))?;
    let lineage = lineage.map_err(|e| unavailable(&e.to_string()))?;
    let (Some(v25), Some(v19)) = (v25, v19) else {
        return Err(unavailable("the IMD values could not be loaded"));
    };
    let column = parents
        .parents
        .iter()
        .find(|p| p.level == level)
        .ok_or_else(|| unavailable(&format!("no {} column in the LSOA parents", level.title())))?;
    let area = column
        .areas
        .iter()
        .position(|a| a.code == code)
        .ok_or_else(|| unavailable(&format!("{code} is not in the LSOA lookup")))?;
    let rows = lineage
        .rows(v19.decile.len(), v25.decile.len())
        .map_err(|e| unavailable(&e.to_string()))?;
    let placed = place_lsoa11(&rows, v19.decile.len(), &column.index);
    Ok(area_change(
        area as u32,
        &placed,
        &v19.decile,
        &column.index,
        &v25.decile,
    ))
}

/// "Change since 2019" for a council or a ward 2024: the share of its neighbourhoods in
/// England's most deprived 10% on the IMD 2019 and on the IMD 2025, each on its own geography,
/// with the method and the caveat that ranks are relative.
#[component]
fn AreaChangeSection(level: Level, code: String) -> impl IntoView {
    let app = crate::state::use_app();
    let result = LocalResource::new(move || {
        let code = code.clone();
        async move { area_change_of(app, level, &code).await }
    });
    let percent = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{:.1}%", v * 100.0));
    move || {
        match result.get() {
        None => view! { <p class="small">"Working out the change since 2019…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="small">{e}</p> }.into_any(),
        Some(Ok(c)) => view! {
            <p class="area-change-words" data-testid="area-change">{c.words()}</p>
            <table class="area-change-table">
                <caption class="small">"Neighbourhoods in England’s most deprived 10%"</caption>
                <thead>
                    <tr><th scope="col">"Index"</th><th scope="col">"Neighbourhoods"</th><th scope="col">"In the most deprived 10%"</th><th scope="col">"Share"</th></tr>
                </thead>
                <tbody>
                    <tr data-year="2019">
                        <th scope="row">"IMD 2019 (LSOA 2011)"</th>
                        <td>{c.lsoas_2019}</td>
                        <td>{c.decile1_2019}</td>
                        <td>{percent(c.share_2019())}</td>
                    </tr>
                    <tr data-year="2025">
                        <th scope="row">"IMD 2025 (LSOA 2021)"</th>
                        <td>{c.lsoas_2025}</td>
                        <td>{c.decile1_2025}</td>
                        <td>{percent(c.share_2025())}</td>
                    </tr>
                </tbody>
            </table>
            <p class="small">{format!("How this was compared: {}", cnimap_core::change::areas::AREA_CHANGE_METHOD)}</p>
            <p class="small">{cnimap_core::change::RELATIVE_CAVEAT}</p>
        }
        .into_any(),
    }
    }
}

/// `text` with its first letter in lower case ("Share of ..." -> "share of ..."), the rest as it is.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One indicator: its strip (or its summary measures), its words, and the local authority's
/// figure for the same indicator.
#[component]
fn IndicatorRow(
    ind: AreaIndicator,
    level: Level,
    lad_detail: LocalResource<Option<Arc<AreaDetail>>>,
) -> impl IntoView {
    let id = IndicatorId::parse(&ind.id).ok();
    let place = ind.rank.zip(id).map(|(rank, id)| StripPlace {
        title: ind.title.clone(),
        rank,
        of: ind.of,
        decile: ind.decile,
        ramp: indicator_ramp(id),
        level,
    });
    let chart = place.as_ref().and_then(|p| {
        let svg = strip_svg(p)?;
        Some(view! {
            <figure class="strip-figure">
                <div class="strip-box" inner_html=svg></div>
                <figcaption class="sr-only">{strip_text(p)}</figcaption>
            </figure>
        })
    });
    let rank = ind.rank.map(|r| rank_phrase(r, ind.of)).unwrap_or_default();
    let measures = (!ind.measures.is_empty()).then(|| {
        let items = ind
            .measures
            .iter()
            .map(|m| view! { <li>{format!("{}: {}", m.label, m.text)}</li> })
            .collect_view();
        view! { <ul class="measures-list">{items}</ul> }
    });
    let ind_id = ind.id.clone();
    let local = move || {
        let lad = lad_detail.get().flatten()?;
        let theirs = lad.indicators.iter().find(|i| i.id == ind_id)?;
        let text = theirs
            .measures
            .iter()
            .map(|m| format!("{} {}", lower_first(&m.label), m.text))
            .collect::<Vec<_>>()
            .join("; ");
        (!text.is_empty()).then(|| {
            view! { <p class="small local-context">{format!("{} as a whole: {text}.", lad.name)}</p> }
        })
    };
    let badge = crate::components::panel::badge(&ind);
    view! {
        <li class="profile-indicator" data-indicator=ind.id.clone()>
            <div class="indicator-head">
                {badge}
                <span class="indicator-title">{ind.title.clone()}</span>
                <span class="indicator-rank">{rank}</span>
            </div>
            {chart}
            {measures}
            <p class="indicator-meaning">{ind.meaning.clone()}</p>
            {local}
        </li>
    }
}
