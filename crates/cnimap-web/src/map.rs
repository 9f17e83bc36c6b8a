//! wasm-bindgen bindings to the parts of MapLibre GL JS (the global `maplibregl`) that cnimap uses,
//! and a few helpers that read MapLibre event objects.
//!
//! Bulk work that would cross the wasm boundary tens of thousands of times (setting the feature
//! state of every area) runs in a small inline JavaScript helper instead.

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::camera::Padding;
use crate::layers::StyleLayer;

#[wasm_bindgen]
extern "C" {
    /// A MapLibre map (`maplibregl.Map`).
    #[wasm_bindgen(js_namespace = maplibregl)]
    #[derive(Clone, Debug)]
    pub type Map;

    /// `new maplibregl.Map(options)`; throws when WebGL is unavailable.
    #[wasm_bindgen(constructor, js_namespace = maplibregl, catch)]
    pub fn new(options: &JsValue) -> Result<Map, JsValue>;

    /// `map.on(event, handler)`.
    #[wasm_bindgen(method)]
    pub fn on(this: &Map, event: &str, handler: &Function);

    /// `map.on(event, layerId, handler)`: events on the features of one layer.
    #[wasm_bindgen(method, js_name = on)]
    pub fn on_layer(this: &Map, event: &str, layer: &str, handler: &Function);

    /// `map.once(event, handler)`.
    #[wasm_bindgen(method)]
    pub fn once(this: &Map, event: &str, handler: &Function);

    /// `map.setFeatureState(feature, state)`.
    #[wasm_bindgen(method, js_name = setFeatureState)]
    pub fn set_feature_state(this: &Map, feature: &JsValue, state: &JsValue);

    /// `map.setPaintProperty(layer, name, value)`.
    #[wasm_bindgen(method, js_name = setPaintProperty)]
    pub fn set_paint_property(this: &Map, layer: &str, name: &str, value: &JsValue);

    /// `map.setLayoutProperty(layer, name, value)`.
    #[wasm_bindgen(method, js_name = setLayoutProperty)]
    pub fn set_layout_property(this: &Map, layer: &str, name: &str, value: &JsValue);

    /// `map.setFilter(layer, filter)`.
    #[wasm_bindgen(method, js_name = setFilter)]
    pub fn set_filter(this: &Map, layer: &str, filter: &JsValue);

    /// `map.flyTo(options)`.
    #[wasm_bindgen(method, js_name = flyTo)]
    pub fn fly_to(this: &Map, options: &JsValue);

    /// `map.fitBounds(bounds, options)`.
    #[wasm_bindgen(method, js_name = fitBounds)]
    pub fn fit_bounds(this: &Map, bounds: &JsValue, options: &JsValue);

    /// `map.jumpTo(options)`.
    #[wasm_bindgen(method, js_name = jumpTo)]
    pub fn jump_to(this: &Map, options: &JsValue);

    /// `map.panBy(offset, options)`.
    #[wasm_bindgen(method, js_name = panBy)]
    pub fn pan_by(this: &Map, offset: &JsValue, options: &JsValue);

    /// `map.queryRenderedFeatures(point, options)`: the features drawn at a screen point.
    #[wasm_bindgen(method, js_name = queryRenderedFeatures)]
    pub fn query_rendered_features(this: &Map, point: &JsValue, options: &JsValue) -> JsValue;

    /// `map.getContainer()`.
    #[wasm_bindgen(method, js_name = getContainer)]
    pub fn get_container(this: &Map) -> web_sys::HtmlElement;

    /// `map.getCanvas()`.
    #[wasm_bindgen(method, js_name = getCanvas)]
    pub fn get_canvas(this: &Map) -> web_sys::HtmlElement;

    /// `map.getCenter()`.
    #[wasm_bindgen(method, js_name = getCenter)]
    pub fn get_center(this: &Map) -> LngLat;

    /// `map.getZoom()`.
    #[wasm_bindgen(method, js_name = getZoom)]
    pub fn get_zoom(this: &Map) -> f64;

    /// `map.addControl(control, position)`.
    #[wasm_bindgen(method, js_name = addControl)]
    pub fn add_control(this: &Map, control: &JsValue, position: &str);

    /// `map.resize()`.
    #[wasm_bindgen(method)]
    pub fn resize(this: &Map);

    /// A longitude and latitude (`maplibregl.LngLat`).
    #[wasm_bindgen(js_namespace = maplibregl)]
    pub type LngLat;

    /// Longitude in degrees.
    #[wasm_bindgen(method, getter)]
    pub fn lng(this: &LngLat) -> f64;

    /// Latitude in degrees.
    #[wasm_bindgen(method, getter)]
    pub fn lat(this: &LngLat) -> f64;

    /// `maplibregl.NavigationControl`.
    #[wasm_bindgen(js_namespace = maplibregl)]
    pub type NavigationControl;

    /// `new maplibregl.NavigationControl(options)`.
    #[wasm_bindgen(constructor, js_namespace = maplibregl)]
    pub fn new(options: &JsValue) -> NavigationControl;

    /// `maplibregl.AttributionControl`.
    #[wasm_bindgen(js_namespace = maplibregl)]
    pub type AttributionControl;

    /// `new maplibregl.AttributionControl(options)`.
    #[wasm_bindgen(constructor, js_namespace = maplibregl)]
    pub fn new(options: &JsValue) -> AttributionControl;

    /// `maplibregl.ScaleControl`.
    #[wasm_bindgen(js_namespace = maplibregl)]
    pub type ScaleControl;

    /// `new maplibregl.ScaleControl(options)`.
    #[wasm_bindgen(constructor, js_namespace = maplibregl)]
    pub fn new(options: &JsValue) -> ScaleControl;
}

#[wasm_bindgen(inline_js = r#"
export function apply_classes(map, source, sourceLayer, key, classes) {
  // GeoJSON sources take no sourceLayer.
  sourceLayer = sourceLayer || undefined;
  // Only features whose class changed get a new state: MapLibre then rewrites fewer vertices.
  const applied = map.__cnimapClasses || (map.__cnimapClasses = new Map());
  const name = source + '/' + sourceLayer + '/' + key;
  const prev = applied.get(name);
  const same = prev && prev.length === classes.length;
  for (let i = 0; i < classes.length; i++) {
    if (same && prev[i] === classes[i]) continue;
    map.setFeatureState({ source, sourceLayer, id: i }, { [key]: classes[i] });
  }
  applied.set(name, classes);
}
export function expose_map(map) {
  window.cnimap = Object.assign(window.cnimap || {}, { map });
}
export function set_geojson_data(map, source, url) {
  const s = map.getSource(source);
  if (s) s.setData(url);
}
export function collapse_attribution(map) {
  for (const el of map.getContainer().querySelectorAll('.maplibregl-ctrl-attrib.maplibregl-compact-show')) {
    el.classList.remove('maplibregl-compact-show');
  }
}
export function has_maplibre() {
  return typeof window.maplibregl !== 'undefined';
}
export function add_pmtiles_protocol() {
  // Static site: `pmtiles://` sources are read from PMTiles archives by HTTP range requests
  // through the pinned `pmtiles` library (dist/pmtiles.js), once per page.
  if (typeof window.maplibregl === 'undefined' || typeof window.pmtiles === 'undefined') return false;
  if (!window.__cnimapPmtiles) {
    window.__cnimapPmtiles = new window.pmtiles.Protocol();
    window.maplibregl.addProtocol('pmtiles', window.__cnimapPmtiles.tile);
  }
  return true;
}
export function forward_map_keys(container, map) {
  // The map container is the one tab stop of the map; the keys MapLibre's keyboard handler
  // knows (arrows pan, + and - zoom) are passed on to it, which listens on its canvas container.
  map.getCanvas().setAttribute('tabindex', '-1');
  const target = map.getCanvasContainer();
  const keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', '+', '-', '=', '_'];
  container.addEventListener('keydown', (e) => {
    if (e.target !== container || !keys.includes(e.key)) return;
    const copy = new KeyboardEvent('keydown', {
      key: e.key, code: e.code, shiftKey: e.shiftKey, bubbles: false, cancelable: true,
    });
    Object.defineProperty(copy, 'keyCode', { get: () => e.keyCode });
    Object.defineProperty(copy, 'which', { get: () => e.which });
    target.dispatchEvent(copy);
    if (copy.defaultPrevented) e.preventDefault();
  });
}
export function button_control(className, label, text, onClick) {
  // A MapLibre control (IControl) holding one button, in the style of the zoom buttons.
  let box = null;
  return {
    onAdd() {
      box = document.createElement('div');
      box.className = 'maplibregl-ctrl maplibregl-ctrl-group';
      const b = document.createElement('button');
      b.type = 'button';
      b.className = className;
      b.setAttribute('aria-label', label);
      b.title = label;
      b.textContent = text;
      b.addEventListener('click', () => onClick());
      box.appendChild(b);
      return box;
    },
    onRemove() {
      if (box) box.remove();
      box = null;
    },
  };
}
"#)]
extern "C" {
    /// Sets feature state `key` of feature `i` to `classes[i]` for every feature of a vector source
    /// (0 = no class), skipping features whose class is the one this function set last time.
    fn apply_classes(map: &Map, source: &str, source_layer: &str, key: &str, classes: Uint8Array);
    /// Puts the map on `window.cnimap.map` for end-to-end tests and debugging.
    fn expose_map(map: &Map);
    /// `map.getSource(source).setData(url)` when the source exists.
    fn set_geojson_data(map: &Map, source: &str, url: &str);
    /// Folds a compact attribution control to its "i" button (as MapLibre does on the first drag).
    fn collapse_attribution(map: &Map);
    /// Whether the MapLibre script has loaded.
    fn has_maplibre() -> bool;
    /// Registers the `pmtiles://` protocol with MapLibre; false when a script is missing.
    fn add_pmtiles_protocol() -> bool;
    /// Makes the map container the map's one tab stop and passes MapLibre's keys on to it.
    fn forward_map_keys(container: &web_sys::HtmlElement, map: &Map);
    /// A map control with one `<button class={class_name} aria-label={label}>{text}</button>`.
    fn button_control(class_name: &str, label: &str, text: &str, on_click: &Function) -> JsValue;
}

/// Lets MapLibre read `pmtiles://` sources (a static site's tiles); false when MapLibre or the
/// `pmtiles` script did not load.
pub fn register_pmtiles() -> bool {
    add_pmtiles_protocol()
}

/// Sets one feature-state key on every feature of the vector source `source` (whose source layer
/// has the same name), feature `i` getting `classes[i]`.
pub fn set_classes(map: &Map, source: &str, key: &str, classes: &[u8]) {
    apply_classes(map, source, source, key, Uint8Array::from(classes));
}

/// Sets one feature-state key on every feature of the GeoJSON source `source`, feature `i`
/// getting `classes[i]`.
pub fn set_point_classes(map: &Map, source: &str, key: &str, classes: &[u8]) {
    apply_classes(map, source, "", key, Uint8Array::from(classes));
}

/// `map.setLayoutProperty` on a typed layer.
pub fn set_layout(map: &Map, layer: StyleLayer, name: &str, value: &JsValue) {
    map.set_layout_property(layer.id(), name, value);
}

/// `map.setPaintProperty` on a typed layer.
pub fn set_paint(map: &Map, layer: StyleLayer, name: &str, value: &JsValue) {
    map.set_paint_property(layer.id(), name, value);
}

/// `map.setFilter` on a typed layer.
pub fn set_layer_filter(map: &Map, layer: StyleLayer, filter: &JsValue) {
    map.set_filter(layer.id(), filter);
}

/// `map.on(event, layer, handler)` on a typed layer.
pub fn on_style_layer(map: &Map, event: &str, layer: StyleLayer, handler: &Function) {
    map.on_layer(event, layer.id(), handler);
}

/// Makes `container` the map's one tab stop: the canvas leaves the tab order, and the keys
/// MapLibre's keyboard handler knows (arrows, + and -) pressed on the container reach it.
pub fn keyboard_on_container(map: &Map, container: &web_sys::HtmlElement) {
    forward_map_keys(container, map);
}

/// A map control holding one button that calls `on_click`.
pub fn button(
    class_name: &str,
    label: &str,
    text: &str,
    on_click: impl FnMut() + 'static,
) -> JsValue {
    let mut on_click = on_click;
    button_control(class_name, label, text, &callback(move |_| on_click()))
}

/// MapLibre's padding object.
pub fn padding(p: Padding) -> serde_json::Value {
    serde_json::json!({
        "top": p.top.round(), "right": p.right.round(), "bottom": p.bottom.round(), "left": p.left.round()
    })
}

/// The first feature of `layer` drawn at screen point (`x`, `y`) of the map: its id and its `code`
/// and `name` properties.
pub fn feature_at(map: &Map, x: f64, y: f64, layer: StyleLayer) -> Option<(u32, String, String)> {
    let point = js_sys::Array::of2(&JsValue::from_f64(x), &JsValue::from_f64(y));
    let options = json(&serde_json::json!({ "layers": [layer.id()] }));
    let features = map.query_rendered_features(&point, &options);
    let wrapper = Object::new();
    let _ = Reflect::set(&wrapper, &"features".into(), &features);
    first_feature(&wrapper.into())
}

/// Points the GeoJSON source `source` at `url` (MapLibre fetches it).
pub fn set_data_url(map: &Map, source: &str, url: &str) {
    set_geojson_data(map, source, url);
}

/// Puts the map on `window.cnimap.map` (used by the end-to-end tests).
pub fn expose(map: &Map) {
    expose_map(map);
}

/// Folds the compact attribution to its button; the full list stays one click away and in the
/// side card.
pub fn fold_attribution(map: &Map) {
    collapse_attribution(map);
}

/// Whether `maplibregl` is present (the script may have failed to load).
pub fn maplibre_loaded() -> bool {
    has_maplibre()
}

/// Parses a JSON document into a plain JavaScript value (objects stay objects, not `Map`s).
pub fn json(value: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// Reads `obj[key]`, `undefined` when absent.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The first feature of a layer mouse event: its id and its `code` and `name` properties.
pub fn first_feature(event: &JsValue) -> Option<(u32, String, String)> {
    let features = get(event, "features");
    let first = Reflect::get(&features, &JsValue::from_f64(0.0)).ok()?;
    if first.is_undefined() || first.is_null() {
        return None;
    }
    let id = get(&first, "id").as_f64()?;
    let props = get(&first, "properties");
    let code = get(&props, "code").as_string().unwrap_or_default();
    let name = get(&props, "name").as_string().unwrap_or_default();
    Some((id as u32, code, name))
}

/// The screen point (`event.point`) of a mouse event, in CSS pixels from the map's top left.
pub fn event_point(event: &JsValue) -> Option<(f64, f64)> {
    let point = get(event, "point");
    Some((get(&point, "x").as_f64()?, get(&point, "y").as_f64()?))
}

/// A feature reference for `setFeatureState` on a vector source whose source layer has its name.
pub fn feature_ref(source: &str, id: u32) -> JsValue {
    let obj = Object::new();
    let _ = Reflect::set(&obj, &"source".into(), &source.into());
    let _ = Reflect::set(&obj, &"sourceLayer".into(), &source.into());
    let _ = Reflect::set(&obj, &"id".into(), &JsValue::from_f64(f64::from(id)));
    obj.into()
}

/// Wraps a Rust closure as a JavaScript function that lives as long as the page (map handlers are
/// registered once).
pub fn callback(f: impl FnMut(JsValue) + 'static) -> Function {
    let closure = Closure::<dyn FnMut(JsValue)>::new(f);
    let function: Function = closure.as_ref().unchecked_ref::<Function>().clone();
    closure.forget();
    function
}
