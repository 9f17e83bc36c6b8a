//! Custom areas measured in the tools worker: a user's boundary file read and measured against
//! every LSOA 2021 with the same code as `cnimap areas` and `POST /api/areas`
//! ([`cnimap_geometry::user_boundaries`]), on the LSOA shapes document fetched on first use and
//! kept for the next file.

use std::cell::RefCell;
use std::rc::Rc;

use cnimap_geometry::shapes::ShapesDocument;
use cnimap_geometry::user_boundaries::{
    outlines_geojson, property_names, read_user_boundaries, LsoaShapes,
};

use crate::global_fetch::{body_bytes, fetch};
use crate::worker_protocol::{MeasuredFile, WireArea};

thread_local! {
    /// The LSOA outlines once loaded, by the URL they came from.
    static SHAPES: RefCell<Option<(String, Rc<LsoaShapes>)>> = const { RefCell::new(None) };
}

/// What the page shows while the outlines load.
pub const LOADING: &str =
    "Loading the outlines of England's 33,755 neighbourhoods (first use only)…";

/// What the page shows while the areas are measured.
pub const MEASURING: &str = "Measuring your areas…";

/// Fetches and decodes the shapes document at `url`.
async fn load_shapes(url: &str) -> Result<LsoaShapes, String> {
    let failed = |e: String| format!("The LSOA outlines could not be loaded: {e}");
    let response = fetch(url, None).await.map_err(failed)?;
    if !response.ok() {
        return Err(failed(format!("{url} answered {}", response.status())));
    }
    let body = body_bytes(&response).await.map_err(failed)?;
    let doc: ShapesDocument =
        serde_json::from_slice(&body).map_err(|e| failed(format!("{url}: {e}")))?;
    drop(body);
    LsoaShapes::from_document(&doc).map_err(|e| failed(e.to_string()))
}

/// The shapes from `url`, loaded once.
async fn shapes(url: &str, busy: &impl Fn(&str)) -> Result<Rc<LsoaShapes>, String> {
    let kept = SHAPES.with(|s| {
        s.borrow()
            .as_ref()
            .filter(|(u, _)| u == url)
            .map(|(_, shapes)| shapes.clone())
    });
    if let Some(shapes) = kept {
        return Ok(shapes);
    }
    busy(LOADING);
    let shapes = Rc::new(load_shapes(url).await?);
    SHAPES.with(|s| *s.borrow_mut() = Some((url.to_string(), shapes.clone())));
    Ok(shapes)
}

/// Reads the boundary file `bytes` (areas named by `name_property`, guessed when `None`) and
/// measures each area against the shapes at `shapes_url`; `Err` with a sentence for the user
/// when the file cannot be used or the outlines cannot be loaded.
pub async fn measure(
    shapes_url: &str,
    name_property: Option<&str>,
    bytes: &[u8],
    busy: impl Fn(&str),
) -> Result<MeasuredFile, String> {
    let unusable = |e: cnimap_geometry::user_boundaries::UserFileError| {
        format!("This file cannot be used: {e}")
    };
    let properties = property_names(bytes).map_err(unusable)?;
    let file = read_user_boundaries(bytes, name_property).map_err(unusable)?;
    let shapes = shapes(shapes_url, &busy).await?;
    busy(MEASURING);
    let t = js_sys::Date::now();
    let (areas, problems) = shapes.areas(&file);
    let millis = js_sys::Date::now() - t;
    tracing::info!(
        areas = areas.len(),
        millis,
        "custom areas measured in the worker"
    );
    // Each measured area's outline carries `row`, its index among the areas (the table of your
    // areas selects and fades outlines by it); an area that covers no LSOA has none.
    let mut outlines = outlines_geojson(&file);
    let dropped: std::collections::HashSet<usize> = problems.iter().map(|p| p.feature).collect();
    let mut row = 0u32;
    for f in outlines["features"].as_array_mut().into_iter().flatten() {
        let feature = f["properties"]["feature"].as_u64().unwrap_or(0) as usize;
        if !dropped.contains(&feature) {
            f["properties"]["row"] = serde_json::json!(row);
            row += 1;
        }
    }
    Ok(MeasuredFile {
        properties,
        name_property: file.name_property.clone(),
        areas: areas.iter().map(WireArea::from).collect(),
        problems: problems.iter().map(ToString::to_string).collect(),
        repaired: file.repaired.iter().map(ToString::to_string).collect(),
        outlines,
        millis,
    })
}
