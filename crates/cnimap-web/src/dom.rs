//! Reading the page: what covers the map (the cards, for camera padding), the window size, and
//! focus.

use wasm_bindgen::JsCast;

use crate::camera::{padding_for, Padding, Rect};

/// The elements that cover the map: the side (or top) card and the area panel (or bottom sheet).
pub const COVERS: &str = ".sidebar, .panel";

/// The element that may grow after it is measured (the panel fills in when its area loads).
const GROWS: &str = "panel";

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

fn rect_of(el: &web_sys::Element) -> Rect {
    let r = el.get_bounding_client_rect();
    Rect {
        left: r.left(),
        top: r.top(),
        right: r.right(),
        bottom: r.bottom(),
    }
}

/// Its CSS `max-height` in pixels, when it resolves to pixels.
fn max_height(el: &web_sys::Element) -> Option<f64> {
    let style = web_sys::window()?.get_computed_style(el).ok()??;
    let value = style.get_property_value("max-height").ok()?;
    value.strip_suffix("px")?.trim().parse().ok()
}

/// The rectangle a cover may come to occupy: a card attached to the bottom edge (the phone's
/// bottom sheet) is taken at its full `max-height`, because it grows when its content arrives.
fn reach_of(el: &web_sys::Element, map: Rect) -> Rect {
    let mut r = rect_of(el);
    let at_bottom = (map.bottom - r.bottom).abs() < 2.0;
    if el.class_list().contains(GROWS) && at_bottom {
        if let Some(max) = max_height(el) {
            r.top = r.top.min(r.bottom - max);
        }
    }
    r
}

/// The padding that keeps a place clear of whatever covers the map element `map` right now.
pub fn covered_padding(map: &web_sys::Element) -> Padding {
    let map_rect = rect_of(map);
    let mut covers = Vec::new();
    if let Some(list) = document().and_then(|d| d.query_selector_all(COVERS).ok()) {
        for i in 0..list.length() {
            if let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                covers.push(reach_of(&el, map_rect));
            }
        }
    }
    let p = padding_for(map_rect, &covers);
    tracing::debug!(?p, "padding of the cards over the map");
    p
}

/// The padding of the cards over the map element (`.map`) right now.
pub fn map_padding() -> Option<Padding> {
    let map = document()?.query_selector(".map").ok()??;
    Some(covered_padding(&map))
}

/// The element that has focus.
pub fn active_element() -> Option<web_sys::HtmlElement> {
    document()?
        .active_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Focuses the first element matching `selector`; whether one was found.
pub fn focus(selector: &str) -> bool {
    let el = document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match el {
        Some(el) => el.focus().is_ok(),
        None => false,
    }
}

/// Whether focus is inside the element matching `selector`.
pub fn focus_within(selector: &str) -> bool {
    let Some(active) = document().and_then(|d| d.active_element()) else {
        return false;
    };
    active.closest(selector).ok().flatten().is_some()
}

/// Whether the element has been removed from the page.
pub fn is_detached(el: &web_sys::HtmlElement) -> bool {
    !el.is_connected()
}

/// Milliseconds from the page's time origin (`performance.now()`), for timings the page reports.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Saves `bytes` as a file called `name` of type `mime` (the browser's download: a CSV of the
/// table, a looked-up postcode file).
pub fn save_file(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download reads the object URL after this returns; revoke it a while later.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 30_000);
    }
    Ok(())
}
