//! The first choropleth before the wasm (issue 15): `assets/boot.js` makes the MapLibre map and
//! colours the default view from its values while the wasm downloads, compiles and starts; the
//! app then adopts that map (`adopt`) instead of making its own, so there is one map.
//!
//! What the script needs to know (the layer, its source, the feature-state key, the fill
//! expression with the default indicator's colours, England's bounds, the zoom limits) is one
//! JSON object in it, `var BOOT = {...};`, which a test here compares with the app's own facts
//! ([`facts`]): the colour rule stays in `cnimap-core` and the style module, and the script
//! cannot drift from it without a failing test.
//!
//! Not on yet: `assets/index.html` does not load the script (add `<link data-trunk
//! rel="copy-file" href="boot.js">` and `<script src="boot.js"></script>` at the end of `<body>`).
//! Measured against the floor in BENCHMARKS.md ("The first choropleth drawn before the wasm"), it
//! drew the first choropleth no sooner on this 2-core machine and the app was ready later: the
//! tiles' parsing and the software rendering, not the wasm, are the larger part there. Without the
//! script, `adopt` finds no map and `until_drawn` returns at once.

use serde_json::{json, Value};

use crate::camera::ENGLAND_WGS84;
use crate::classes::{active_layer, indicator_ramp};
use crate::endpoints::Endpoints;
use crate::layers::{Part, StyleLayer};
use crate::style::{self, KEY_DECILE};
use crate::url_state::UrlState;

/// The lowest zoom the map allows (the app's and the script's map alike).
pub const MIN_ZOOM: f64 = 4.0;
/// The highest zoom the map allows.
pub const MAX_ZOOM: f64 = 16.0;

/// What `assets/boot.js` must hold in `var BOOT = {...}`: the default view's indicator, layer
/// (its tile source), feature-state key, the style layers on that source (the fill coloured by
/// decile) after the background, England's bounds and the zooms.
pub fn facts() -> Value {
    let url = UrlState::default();
    let layer = active_layer(url.view, url.indicator);
    let fill_id = StyleLayer::Area(layer, Part::Fill).id();
    let fill = style::decile_fill(indicator_ramp(url.indicator), &[]);
    // The first view's layers on its tile source, as the app's style has them (MapLibre reloads
    // a source's tiles when a layer on it is added or changed: the app's style diff must find
    // these as they are), the fill already coloured; the background first. No URLs in them.
    let server = Endpoints::Server {
        origin: String::new(),
    };
    let whole = crate::first_view::first_view_style(style::style(&server), layer);
    let layers: Vec<Value> = whole["layers"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|l| l["type"] == "background" || l["source"] == layer.source())
                .cloned()
                .map(|mut l| {
                    if l["id"] == fill_id {
                        l["paint"]["fill-color"] = fill.clone();
                    }
                    l
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "indicator": url.indicator.as_str(),
        "layer": layer.source(),
        "key": KEY_DECILE,
        "fillId": fill_id,
        "layers": layers,
        "england": [[ENGLAND_WGS84[0], ENGLAND_WGS84[1]], [ENGLAND_WGS84[2], ENGLAND_WGS84[3]]],
        "minZoom": MIN_ZOOM,
        "maxZoom": MAX_ZOOM,
    })
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::prelude::*;

    use crate::map::Map;

    #[wasm_bindgen(inline_js = r#"
export function drawn() {
  const boot = window.__cnimapBoot;
  return boot && boot.drawn ? boot.drawn : Promise.resolve();
}
export function adopt(container, options, indicator, layer) {
  const boot = window.__cnimapBoot;
  if (!boot || typeof boot.adopt !== 'function') return null;
  return boot.adopt(container, options, indicator, layer);
}
"#)]
    extern "C" {
        /// `window.__cnimapBoot.drawn`: resolved once its map has drawn (or cannot), at most 8 s.
        #[wasm_bindgen(js_name = drawn)]
        fn drawn_js() -> js_sys::Promise;
        /// `window.__cnimapBoot.adopt(...)`: `{ map, ready }` or null.
        #[wasm_bindgen(js_name = adopt)]
        fn adopt_js(
            container: &web_sys::HtmlElement,
            options: &JsValue,
            indicator: &str,
            layer: &str,
        ) -> JsValue;
    }

    /// Waits until the bootstrap's map has drawn the first choropleth (at once when there is
    /// none): the app's start holds the main thread, so it mounts after that draw.
    pub async fn until_drawn() {
        let _ = wasm_bindgen_futures::JsFuture::from(drawn_js()).await;
    }

    /// The map `assets/boot.js` made, moved into `container` with the app's style and camera
    /// (`options`, as for `new maplibregl.Map`), when it shows `indicator` on `layer`; `None`
    /// when there is none or it shows something else (it is then removed). The flag says whether
    /// its style is already in (MapLibre's `style.load` has fired and will not fire again).
    pub fn adopt(
        container: &web_sys::HtmlElement,
        options: &JsValue,
        indicator: &str,
        layer: &str,
    ) -> Option<(Map, bool)> {
        let out = adopt_js(container, options, indicator, layer);
        if out.is_null() || out.is_undefined() {
            return None;
        }
        let map = js_sys::Reflect::get(&out, &"map".into()).ok()?;
        let ready = js_sys::Reflect::get(&out, &"ready".into())
            .ok()
            .and_then(|r| r.as_bool())
            .unwrap_or(false);
        tracing::debug!(ready, "adopted the map of the page's bootstrap");
        Some((map.unchecked_into(), ready))
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{adopt, until_drawn};

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = include_str!("../../../assets/boot.js");

    /// The JSON object of `var BOOT = ...;` in the script.
    fn script_facts() -> Value {
        let start = SCRIPT.find("var BOOT = ").expect("boot.js declares BOOT") + 11;
        let end = start + SCRIPT[start..].find(";\n").expect("BOOT ends with ;");
        serde_json::from_str(&SCRIPT[start..end]).expect("BOOT is JSON")
    }

    #[test]
    fn the_bootstrap_draws_the_default_view_with_the_apps_colours_layer_and_bounds() {
        let want = facts();
        assert_eq!(
            script_facts(),
            want,
            "assets/boot.js's BOOT must be {}",
            serde_json::to_string(&want).unwrap_or_default()
        );
    }

    #[test]
    fn the_bootstrap_fetches_the_values_prefetch_preloads() {
        let url = UrlState::default();
        let layer = active_layer(url.view, url.indicator);
        assert!(SCRIPT.contains("'values/' + BOOT.layer + '/' + BOOT.indicator"));
        assert!(
            include_str!("../../../assets/prefetch.js").contains(&format!(
                "DEFAULT_VALUES = 'values/{}/{}'",
                layer.source(),
                url.indicator
            ))
        );
    }

    #[test]
    fn the_default_fill_has_ten_colours_and_a_no_data_colour() {
        let f = facts();
        let layers = f["layers"].as_array().expect("layers");
        assert_eq!(layers[0]["type"], "background");
        assert!(
            layers.len() >= 4,
            "the fill, its borders, hover and selection outlines"
        );
        let fill_layer = layers
            .iter()
            .find(|l| l["id"] == f["fillId"])
            .expect("the fill");
        let fill = &fill_layer["paint"]["fill-color"];
        assert_eq!(fill[0], "match");
        assert_eq!(fill.as_array().map(Vec::len), Some(2 + 20 + 1));
    }
}
