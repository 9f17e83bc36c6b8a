//! Tests of the parts that need a browser, run in headless Chromium by wasm-bindgen-test
//! (`cargo test -p cnimap-web --target wasm32-unknown-unknown`, see scripts/test.sh): the HTTP
//! client's errors, measuring what covers the map, and components mounted on a real page.

#![cfg(target_arch = "wasm32")]

use cnimap_core::api::ValuesResponse;
use cnimap_web::api::{get_json, ApiError};
use cnimap_web::camera::MARGIN;
use cnimap_web::components::controls::Controls;
use cnimap_web::components::help::provide_help;
use cnimap_web::components::legend::Legend;
use cnimap_web::dom::covered_padding;
use cnimap_web::state::AppState;
use cnimap_web::url_state::{Camera, UrlState, ViewMode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Waits `ms` milliseconds (lets effects and resources run).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A positioned `<div>` on the page.
fn div(class: &str, style: &str) -> web_sys::HtmlElement {
    let el = document()
        .create_element("div")
        .expect("a div")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("an HTML element");
    el.set_class_name(class);
    el.set_attribute("style", style).expect("a style");
    document()
        .body()
        .expect("a body")
        .append_child(&el)
        .expect("appended");
    el
}

#[wasm_bindgen_test]
async fn json_is_decoded_and_a_wrong_shape_is_a_decode_error_naming_the_url() {
    let url = "data:application/json,%7B%22ok%22%3A1%7D";
    let value: Result<serde_json::Value, ApiError> = get_json(url).await;
    assert_eq!(
        value.ok().map(|v| v["ok"].clone()),
        Some(serde_json::json!(1))
    );
    let wrong: Result<ValuesResponse, ApiError> = get_json(url).await;
    match wrong {
        Err(ApiError::Decode { url: u, .. }) => assert_eq!(u, url),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_server_that_cannot_be_reached_is_said_to_be_unreachable() {
    let result: Result<serde_json::Value, ApiError> = get_json("http://127.0.0.1:9/api/x").await;
    match result {
        Err(e @ ApiError::Unreachable { .. }) => {
            assert!(e.to_string().contains("could not be reached"), "{e}");
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn the_cards_on_the_page_become_the_padding_of_the_map() {
    let map = div(
        "test-map",
        "position:fixed;left:0;top:0;width:1000px;height:700px",
    );
    let sidebar = div(
        "sidebar",
        "position:fixed;left:12px;top:12px;width:300px;height:600px",
    );
    let panel = div(
        "panel",
        "position:fixed;left:788px;top:12px;width:200px;height:400px",
    );
    let p = covered_padding(&map);
    assert_eq!(p.left, 312.0 + MARGIN);
    assert_eq!(p.right, 1000.0 - 788.0 + MARGIN);
    assert_eq!((p.top, p.bottom), (MARGIN, MARGIN));
    for el in [map, sidebar, panel] {
        el.remove();
    }
}

#[wasm_bindgen_test]
fn a_bottom_sheet_is_padded_at_its_full_height_because_it_grows_when_its_area_loads() {
    let map = div(
        "test-map",
        "position:fixed;left:0;top:0;width:400px;height:800px",
    );
    // A sheet on the map's bottom edge, 100 px tall now, up to 400 px once its area loads.
    let sheet = div(
        "panel",
        "position:fixed;left:0;top:700px;width:400px;height:100px;max-height:400px",
    );
    let p = covered_padding(&map);
    assert_eq!(p.bottom, 400.0 + MARGIN);
    // Another card there is taken as it is.
    sheet.set_class_name("sidebar");
    assert_eq!(covered_padding(&map).bottom, 100.0 + MARGIN);
    for el in [map, sheet] {
        el.remove();
    }
}

#[wasm_bindgen_test]
async fn the_decile_legend_has_ten_classes_and_clicking_one_hides_it() {
    let host = div("test-host", "");
    let handle = leptos::mount::mount_to(host.clone(), || {
        let app = AppState::from_url(&UrlState::default());
        provide_context(app);
        // The legend's "What does decile 1 mean?" buttons open the app's help dialog.
        provide_help();
        view! { <Legend/> }
    });
    sleep(20).await;
    let rows = host
        .query_selector_all("[data-testid=decile-legend] button")
        .expect("legend rows");
    assert_eq!(rows.length(), 10);
    let title = host
        .query_selector(".legend-title")
        .ok()
        .flatten()
        .and_then(|t| t.text_content());
    assert_eq!(title.as_deref(), Some("Index of Multiple Deprivation 2025"));
    let third = rows
        .item(2)
        .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .expect("a third row");
    assert_eq!(third.get_attribute("aria-pressed").as_deref(), Some("true"));
    third.click();
    sleep(20).await;
    assert_eq!(
        third.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn a_view_change_makes_a_history_entry_a_camera_move_does_not_and_back_restores_the_view() {
    let window = web_sys::window().expect("a window");
    let history = window.history().expect("a history");
    let host = div("test-host", "");
    let app = StoredValue::new_local(None::<AppState>);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let state = AppState::from_url(&UrlState::default());
        cnimap_web::history::sync(state);
        app.set_value(Some(state));
    });
    sleep(20).await;
    let state = app.get_value().expect("the state");
    let entries = history.length().expect("a length");
    assert_eq!(
        window.location().search().ok().as_deref(),
        Some("?i=imd2025")
    );

    state.view.set(ViewMode::Bivariate);
    sleep(20).await;
    assert_eq!(
        history.length().ok(),
        Some(entries + 1),
        "the view change is an entry"
    );
    assert_eq!(
        window.location().search().ok().as_deref(),
        Some("?i=imd2025&v=bivariate")
    );

    state.camera.set(Some(Camera {
        lon: 0.5,
        lat: 52.0,
        zoom: 8.0,
    }));
    sleep(20).await;
    assert_eq!(
        history.length().ok(),
        Some(entries + 1),
        "the camera is not an entry"
    );
    assert!(window
        .location()
        .search()
        .is_ok_and(|s| s.contains("c=0.5000,52.0000,8.00")));

    history.back().expect("back");
    sleep(100).await;
    assert_eq!(
        state.view.get_untracked(),
        ViewMode::Choropleth,
        "Back restores the view"
    );
    assert_eq!(state.camera.get_untracked(), None);
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn the_view_tabs_follow_the_arrow_keys_with_a_roving_tabindex() {
    let host = div("test-host", "");
    let app = StoredValue::new_local(None::<AppState>);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let state = AppState::from_url(&UrlState::default());
        provide_context(state);
        app.set_value(Some(state));
        view! { <Controls/> }
    });
    sleep(20).await;
    let state = app.get_value().expect("the state");
    let tab = |id: &str| {
        host.query_selector(&format!("#tab-{id}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .expect("a tab")
    };
    let press = |el: &web_sys::HtmlElement, key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("a key event");
        el.dispatch_event(&ev).expect("dispatched");
    };
    let first = tab("map");
    assert_eq!(first.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(
        tab("bivariate").get_attribute("tabindex").as_deref(),
        Some("-1")
    );
    first.focus().expect("focus");
    press(&first, "ArrowRight");
    sleep(20).await;
    assert_eq!(state.view.get_untracked(), ViewMode::Bivariate);
    let second = tab("bivariate");
    assert_eq!(
        second.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    assert_eq!(second.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(first.get_attribute("tabindex").as_deref(), Some("-1"));
    let focused = document().active_element().map(|e| e.id());
    assert_eq!(
        focused.as_deref(),
        Some("tab-bivariate"),
        "focus follows the selection"
    );
    press(&second, "End");
    sleep(20).await;
    assert_eq!(
        state.view.get_untracked(),
        ViewMode::Change,
        "End selects the last tab"
    );
    press(&tab("change"), "ArrowLeft");
    sleep(20).await;
    assert_eq!(state.view.get_untracked(), ViewMode::LeftBehind);
    press(&tab("left-behind"), "ArrowRight");
    sleep(20).await;
    assert_eq!(state.view.get_untracked(), ViewMode::Change);
    press(&tab("change"), "ArrowRight");
    sleep(20).await;
    assert_eq!(
        state.view.get_untracked(),
        ViewMode::Choropleth,
        "the last tab wraps to the first"
    );
    let panel = host
        .query_selector("[role=tabpanel]")
        .ok()
        .flatten()
        .expect("a tab panel");
    assert_eq!(
        panel.get_attribute("aria-labelledby").as_deref(),
        Some("tab-map")
    );
    drop(handle);
    host.remove();
}

/// Static search (issue 10): the compact index built in wasm answers exactly as the native search
/// does. The fixture (the hand-made index's names and CO15's shard) and the native answers as JSON
/// are written and checked by `cnimap-search`'s `tests/compact.rs`.
#[wasm_bindgen_test]
fn the_wasm_search_answers_typos_and_postcodes_as_the_native_search_does() {
    const INDEX: &[u8] = include_bytes!("../../cnimap-search/tests/fixtures/compact/index.bin");
    const CO15: &[u8] = include_bytes!("../../cnimap-search/tests/fixtures/compact/CO15.bin");
    const ANSWERS: &str = include_str!("../../cnimap-search/tests/fixtures/compact/answers.json");
    let queries = ["Tendrng", "Jaywik", "clactononsea", "CO15 2EQ", "co15 2e"];
    let mut index =
        cnimap_web::search_static::build_index(INDEX, "index.bin").expect("the index builds");
    let mut answers = Vec::new();
    for q in queries {
        for outcode in index.shards_needed(q) {
            assert_eq!(outcode, "CO15", "{q}");
            index.add_postcode_shard(CO15).expect("the shard reads");
        }
        answers.push(index.search(q, 10).expect("a valid query"));
    }
    assert_eq!(
        answers[0].hits[0].name, "Tendring",
        "the typo finds its council"
    );
    let json = serde_json::to_string_pretty(&answers).expect("JSON");
    assert_eq!(json, ANSWERS, "wasm and native answers differ");
}
