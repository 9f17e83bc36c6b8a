//! The map view as a PNG picture (issue 13): MapLibre's canvas read inside a `render` event (its
//! drawing buffer is only whole then), with the title, the legend, a scale bar and the
//! attribution drawn over it on a 2D canvas; and the button that downloads it.

use cnimap_core::profile::scale_bar;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::map::Map;
use crate::state::{use_app, AppState};

#[wasm_bindgen(inline_js = r#"
export function snapshot_map(map) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the map did not draw')), 10000);
    map.once('render', () => {
      clearTimeout(timer);
      try { resolve(map.getCanvas().toDataURL('image/png')); } catch (e) { reject(e); }
    });
    map.triggerRepaint();
  });
}

export function compose_png(map, title, legendTitle, rows, scalePx, scaleLabel, attribution) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the map did not draw')), 10000);
    map.once('render', () => {
      clearTimeout(timer);
      try {
        const src = map.getCanvas();
        const w = src.width, h = src.height;
        const k = w / (src.clientWidth || w);
        const out = document.createElement('canvas');
        out.width = w; out.height = h;
        const g = out.getContext('2d');
        g.drawImage(src, 0, 0);
        g.scale(k, k);
        const cw = w / k, ch = h / k;
        const font = (px, bold) => `${bold ? '600 ' : ''}${px}px "DejaVu Sans", system-ui, sans-serif`;
        const box = (x, y, bw, bh) => {
          g.fillStyle = 'rgba(255,255,255,0.92)'; g.fillRect(x, y, bw, bh);
          g.strokeStyle = 'rgba(0,0,0,0.25)'; g.lineWidth = 1; g.strokeRect(x + 0.5, y + 0.5, bw - 1, bh - 1);
        };
        // The attribution, wrapped onto as many lines as it needs along the bottom.
        g.font = font(10.5, false);
        const lines = [];
        let line = '';
        for (const word of attribution.split(/\s+/)) {
          const next = line ? `${line} ${word}` : word;
          if (line && g.measureText(next).width > cw - 16) { lines.push(line); line = word; } else line = next;
        }
        if (line) lines.push(line);
        const bh = lines.length * 13 + 8;
        // Title, top left.
        g.font = font(18, true);
        const tw = Math.min(cw - 24, g.measureText(title).width + 24);
        box(12, 12, tw, 34);
        g.fillStyle = '#111'; g.textBaseline = 'middle';
        g.fillText(title, 24, 29, tw - 24);
        // Legend, bottom left.
        const rowH = 18, pad = 8;
        g.font = font(12, false);
        let lw = g.measureText(legendTitle).width;
        for (const r of rows) lw = Math.max(lw, g.measureText(r[1]).width + 26);
        lw = Math.min(lw + 2 * pad, cw / 2);
        const lh = pad * 2 + 18 + rows.length * rowH;
        const ly = ch - lh - bh - 10;
        box(12, ly, lw, lh);
        g.fillStyle = '#111'; g.font = font(12, true);
        g.fillText(legendTitle, 12 + pad, ly + pad + 8, lw - 2 * pad);
        g.font = font(12, false);
        rows.forEach((r, i) => {
          const y = ly + pad + 18 + i * rowH;
          g.fillStyle = r[0]; g.fillRect(12 + pad, y + 2, 16, rowH - 4);
          g.fillStyle = '#111'; g.fillText(r[1], 12 + pad + 22, y + rowH / 2, lw - 2 * pad - 22);
        });
        // Scale bar, bottom right, above the attribution.
        if (scalePx > 0) {
          const sx = cw - 24 - scalePx, sy = ch - bh - 18;
          box(sx - 8, sy - 18, scalePx + 16, 30);
          g.strokeStyle = '#111'; g.lineWidth = 2;
          g.beginPath(); g.moveTo(sx, sy - 4); g.lineTo(sx, sy + 4); g.lineTo(sx + scalePx, sy + 4); g.lineTo(sx + scalePx, sy - 4); g.stroke();
          g.fillStyle = '#111'; g.font = font(11, false); g.textAlign = 'center';
          g.fillText(scaleLabel, sx + scalePx / 2, sy - 8);
          g.textAlign = 'left';
        }
        // Attribution, along the bottom.
        g.font = font(10.5, false);
        box(0, ch - bh, cw, bh);
        g.fillStyle = '#222';
        lines.forEach((l, i) => g.fillText(l, 8, ch - bh + 10 + i * 13));
        resolve(out.toDataURL('image/png'));
      } catch (e) { reject(e); }
    });
    map.triggerRepaint();
  });
}
"#)]
extern "C" {
    /// The map's canvas as a PNG data URL, read inside the next `render` event.
    #[wasm_bindgen(catch)]
    fn snapshot_map(map: &Map) -> Result<js_sys::Promise, JsValue>;

    /// The map's canvas with the title, legend rows (`[colour, label]`), scale bar and
    /// attribution drawn over it, as a PNG data URL.
    #[wasm_bindgen(catch)]
    fn compose_png(
        map: &Map,
        title: &str,
        legend_title: &str,
        rows: &JsValue,
        scale_px: f64,
        scale_label: &str,
        attribution: &str,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// The map as it is drawn now, as a PNG data URL (no overlays): for the profile's printed page.
pub async fn snapshot(map: &Map) -> Result<String, String> {
    let promise = snapshot_map(map).map_err(|e| format!("{e:?}"))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?
        .as_string()
        .ok_or_else(|| "the map gave no picture".to_string())
}

/// The legend as drawn in the side card: its title and its rows (swatch colour, label).
fn legend_from_page() -> (String, Vec<(String, String)>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return (String::new(), Vec::new());
    };
    let text = |sel: &str| {
        doc.query_selector(sel)
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let title = text(".legend .legend-title");
    let mut rows = Vec::new();
    if let Ok(list) = doc.query_selector_all(".legend .legend-row") {
        for i in 0..list.length() {
            let Some(row) = list.item(i) else { continue };
            let Ok(row) = row.dyn_into::<web_sys::Element>() else {
                continue;
            };
            let colour = row
                .query_selector(".swatch")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
                .and_then(|s| s.style().get_property_value("background-color").ok())
                .unwrap_or_default();
            let label = row
                .query_selector(".class-name")
                .ok()
                .flatten()
                .and_then(|e| e.text_content())
                .unwrap_or_default();
            let count = row
                .query_selector(".count")
                .ok()
                .flatten()
                .and_then(|e| e.text_content())
                .unwrap_or_default();
            let label = if count.is_empty() {
                label
            } else {
                format!("{label} ({count})")
            };
            rows.push((colour, label));
        }
    }
    (title, rows)
}

/// Draws the current view with its title, legend, scale and attribution and returns the PNG as
/// a data URL.
pub async fn export(app: AppState) -> Result<String, String> {
    let map = app
        .map
        .with_value(|m| m.clone())
        .ok_or("The map has not loaded yet.")?;
    let (legend_title, rows) = legend_from_page();
    let indicator = app.indicator.get_untracked().def().title;
    let title = if legend_title.is_empty() {
        format!("cnimap: {indicator}")
    } else {
        format!("cnimap: {legend_title}")
    };
    let centre = map.get_center();
    let scale = scale_bar(centre.lat(), map.get_zoom(), 120.0);
    let (scale_px, scale_label) = scale
        .map(|(_, px, l)| (px, l))
        .unwrap_or((0.0, String::new()));
    let attribution = app
        .current_meta()
        .map(|m| m.attribution.join(" · "))
        .unwrap_or_default();
    let rows_js = js_sys::Array::new();
    for (colour, label) in &rows {
        rows_js.push(&js_sys::Array::of2(&colour.into(), &label.into()));
    }
    let promise = compose_png(
        &map,
        &title,
        &legend_title,
        &rows_js,
        scale_px,
        &scale_label,
        &attribution,
    )
    .map_err(|e| format!("{e:?}"))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("The picture could not be made: {e:?}"))?
        .as_string()
        .ok_or_else(|| "the map gave no picture".to_string())
}

/// The bytes of a `data:image/png;base64,...` URL.
fn data_url_bytes(url: &str) -> Option<Vec<u8>> {
    let b64 = url.split_once(',')?.1;
    let decoded = web_sys::window()?.atob(b64).ok()?;
    Some(decoded.chars().map(|c| c as u8).collect())
}

/// The button that downloads the current map view as a PNG.
#[component]
pub fn PngExportButton() -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let on_click = move |_| {
        busy.set(true);
        message.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let result = export(app).await.and_then(|url| {
                let bytes = data_url_bytes(&url).ok_or("the picture could not be read")?;
                crate::dom::save_file("cnimap-map.png", &bytes, "image/png")
            });
            busy.set(false);
            message.set(Some(match result {
                Ok(()) => "Picture saved (cnimap-map.png).".to_string(),
                Err(e) => e,
            }));
        });
    };
    view! {
        <div class="png-export">
            <button type="button" class="secondary" data-testid="png-export" on:click=on_click disabled=move || busy.get()>
                "Save the map as a picture (PNG)"
            </button>
            <p class="small" role="status">{move || message.get()}</p>
        </div>
    }
}
