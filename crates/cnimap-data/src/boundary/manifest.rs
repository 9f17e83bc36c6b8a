//! The boundary manifest (`boundaries/manifest.toml`): which boundary file feeds which map layer,
//! at which zooms, and which properties hold the code and the name.

use std::path::{Path, PathBuf};

use cnimap_core::Level;
use serde::Deserialize;

use crate::error::DataError;

/// The highest zoom level the map is tiled for.
pub const MAX_ZOOM: u8 = 14;

/// The manifest as shipped with the source, so that the binary works from any directory.
const EMBEDDED_MANIFEST: &str = include_str!("../../../../boundaries/manifest.toml");

/// The parsed and validated boundary manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Where the manifest was read from (`<embedded>` for [`Manifest::embedded`]).
    pub path: PathBuf,
    /// Choropleth layers, in manifest order.
    pub layers: Vec<LayerConfig>,
    /// Outline overlays drawn above the choropleth (the left-behind wards).
    pub overlays: Vec<OverlayConfig>,
}

/// One map layer: a geography level and the boundary files that draw it.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerConfig {
    /// The geography level (parsed from `id`).
    pub level: Level,
    /// Human title ("Neighbourhoods (LSOA 2021)").
    pub title: String,
    /// Vintage of the boundaries ("2021").
    pub vintage: String,
    /// Keep only features whose code starts with this ("E01" keeps England's LSOAs).
    pub code_prefix: Option<String>,
    /// Whether the layer is cut into vector tiles (`false` for lookup-only layers like LAD 2019).
    pub tiled: bool,
    /// The boundary files, each for its own zoom range; ranges are disjoint.
    pub sources: Vec<SourceConfig>,
}

/// One boundary file of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// Path relative to the data directory (`boundaries/lsoa21_bgc.geojson`).
    pub file: PathBuf,
    /// Generalisation of the published file ("BGC", "BSC", "BUC", ...).
    pub generalisation: String,
    /// Property holding the area code.
    pub code: String,
    /// Property holding the area name.
    pub name: String,
    /// Inclusive zoom range `[min, max]` this file is tiled for.
    pub zooms: ZoomRange,
}

/// An inclusive range of zoom levels, within `0..=MAX_ZOOM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoomRange {
    /// Lowest zoom, inclusive.
    pub min: u8,
    /// Highest zoom, inclusive.
    pub max: u8,
}

impl ZoomRange {
    /// Whether `zoom` is in the range.
    pub fn contains(self, zoom: u8) -> bool {
        (self.min..=self.max).contains(&zoom)
    }

    /// Whether the two ranges share a zoom level.
    pub fn overlaps(self, other: ZoomRange) -> bool {
        self.min <= other.max && other.min <= self.max
    }
}

/// An outline overlay (not a choropleth): its file and properties.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayConfig {
    /// Identifier used in URLs (`left_behind_wards`).
    pub id: String,
    /// Path relative to the data directory.
    pub file: PathBuf,
    /// Property holding the area code.
    pub code: String,
    /// Property holding the area name.
    pub name: String,
    /// Keep only features whose code starts with this.
    pub code_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default, rename = "layer")]
    layers: Vec<RawLayer>,
    #[serde(default, rename = "overlay")]
    overlays: Vec<RawOverlay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    id: String,
    title: String,
    vintage: String,
    #[serde(default)]
    code_prefix: Option<String>,
    #[serde(default = "default_tiled")]
    tiled: bool,
    #[serde(default, rename = "source")]
    sources: Vec<RawSource>,
}

fn default_tiled() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    file: String,
    generalisation: String,
    code: String,
    name: String,
    zooms: Vec<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    id: String,
    file: String,
    code: String,
    name: String,
    #[serde(default)]
    code_prefix: Option<String>,
}

impl Manifest {
    /// The manifest in the source tree: `<workspace>/boundaries/manifest.toml`, anchored on this
    /// crate's directory at build time.
    pub fn default_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../boundaries/manifest.toml")
    }

    /// The manifest compiled into the binary (the same file as [`Manifest::default_path`] at build
    /// time), so that the program works from any directory.
    pub fn embedded() -> Result<Manifest, DataError> {
        Manifest::from_toml_str(EMBEDDED_MANIFEST, Path::new("<embedded>"))
    }

    /// Reads and validates a manifest file.
    pub fn load(path: &Path) -> Result<Manifest, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Manifest::from_toml_str(&text, path)
    }

    /// Parses and validates manifest text; `path` is only used in error messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Manifest, DataError> {
        let err = |message: String| DataError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawManifest = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if raw.layers.is_empty() {
            return Err(err(
                "no [[layer]] tables: at least one layer is needed".into()
            ));
        }
        let mut layers: Vec<LayerConfig> = Vec::with_capacity(raw.layers.len());
        for (i, layer) in raw.layers.into_iter().enumerate() {
            let layer = parse_layer(layer, i, &layers).map_err(&err)?;
            layers.push(layer);
        }
        let mut overlays: Vec<OverlayConfig> = Vec::with_capacity(raw.overlays.len());
        for (i, overlay) in raw.overlays.into_iter().enumerate() {
            let overlay = parse_overlay(overlay, i, &overlays).map_err(&err)?;
            overlays.push(overlay);
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            layers,
            overlays,
        })
    }

    /// The levels of the layers cut into vector tiles (`tiled`, the default), in manifest order.
    /// The shipped manifest gives lsoa21, lsoa11, ward17, lad24, region (lad19 is lookup-only).
    pub fn tiled_levels(&self) -> Vec<Level> {
        self.layers
            .iter()
            .filter(|l| l.tiled)
            .map(|l| l.level)
            .collect()
    }

    /// The layer for a level, if the manifest has one.
    pub fn layer(&self, level: Level) -> Option<&LayerConfig> {
        self.layers.iter().find(|l| l.level == level)
    }

    /// The overlay with this id, if any.
    pub fn overlay(&self, id: &str) -> Option<&OverlayConfig> {
        self.overlays.iter().find(|o| o.id == id)
    }
}

impl LayerConfig {
    /// The boundary file drawn at `zoom`, if any.
    pub fn source_for_zoom(&self, zoom: u8) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.zooms.contains(zoom))
    }
}

/// Validates the `i`-th (0-based) `[[layer]]` table; `earlier` are the layers before it.
fn parse_layer(layer: RawLayer, i: usize, earlier: &[LayerConfig]) -> Result<LayerConfig, String> {
    let at = format!("layer {} ({:?})", i + 1, layer.id);
    let level = Level::from_id(&layer.id).ok_or_else(|| {
        let known: Vec<&str> = Level::ALL.iter().map(|l| l.id()).collect();
        format!(
            "{at}: unknown layer id {:?}; expected one of {}",
            layer.id,
            known.join(", ")
        )
    })?;
    if earlier.iter().any(|l| l.level == level) {
        return Err(format!("{at}: layer id {:?} appears twice", layer.id));
    }
    non_empty(&layer.title, "title", &at)?;
    non_empty(&layer.vintage, "vintage", &at)?;
    let code_prefix = optional_prefix(layer.code_prefix, &at)?;
    if layer.sources.is_empty() {
        return Err(format!(
            "{at}: no [[layer.source]]: a layer needs at least one boundary file"
        ));
    }
    let mut sources: Vec<SourceConfig> = Vec::with_capacity(layer.sources.len());
    for (j, source) in layer.sources.into_iter().enumerate() {
        let source = parse_source(source, &format!("{at}, source {}", j + 1), &sources)?;
        sources.push(source);
    }
    sources.sort_by_key(|s| s.zooms.min);
    Ok(LayerConfig {
        level,
        title: layer.title,
        vintage: layer.vintage,
        code_prefix,
        tiled: layer.tiled,
        sources,
    })
}

/// Validates one `[[layer.source]]` (`at` says which, for messages); `earlier` are the layer's
/// sources before it, whose zooms it must not overlap.
fn parse_source(
    source: RawSource,
    at: &str,
    earlier: &[SourceConfig],
) -> Result<SourceConfig, String> {
    let at = format!("{at} ({:?})", source.file);
    non_empty(&source.file, "file", &at)?;
    non_empty(&source.generalisation, "generalisation", &at)?;
    non_empty(&source.code, "code", &at)?;
    non_empty(&source.name, "name", &at)?;
    let zooms = zoom_range(&source.zooms, &at)?;
    if let Some(other) = earlier.iter().find(|s| s.zooms.overlaps(zooms)) {
        return Err(format!(
            "{at}: zooms {}..={} overlap those of {} ({}..={}); each zoom must come \
             from one file",
            zooms.min,
            zooms.max,
            other.file.display(),
            other.zooms.min,
            other.zooms.max
        ));
    }
    Ok(SourceConfig {
        file: PathBuf::from(source.file),
        generalisation: source.generalisation,
        code: source.code,
        name: source.name,
        zooms,
    })
}

/// Validates the `i`-th (0-based) `[[overlay]]` table; `earlier` are the overlays before it.
fn parse_overlay(
    overlay: RawOverlay,
    i: usize,
    earlier: &[OverlayConfig],
) -> Result<OverlayConfig, String> {
    let at = format!("overlay {} ({:?})", i + 1, overlay.id);
    non_empty(&overlay.id, "id", &at)?;
    non_empty(&overlay.file, "file", &at)?;
    non_empty(&overlay.code, "code", &at)?;
    non_empty(&overlay.name, "name", &at)?;
    if earlier.iter().any(|o| o.id == overlay.id) {
        return Err(format!("{at}: overlay id {:?} appears twice", overlay.id));
    }
    let code_prefix = optional_prefix(overlay.code_prefix, &at)?;
    Ok(OverlayConfig {
        id: overlay.id,
        file: PathBuf::from(overlay.file),
        code: overlay.code,
        name: overlay.name,
        code_prefix,
    })
}

fn non_empty(value: &str, key: &str, at: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{at}: `{key}` is empty"))
    } else {
        Ok(())
    }
}

fn optional_prefix(prefix: Option<String>, at: &str) -> Result<Option<String>, String> {
    match prefix {
        Some(p) if p.trim().is_empty() => Err(format!(
            "{at}: `code_prefix` is empty; leave it out to keep every code"
        )),
        other => Ok(other),
    }
}

fn zoom_range(zooms: &[i64], at: &str) -> Result<ZoomRange, String> {
    let [min, max] = zooms else {
        return Err(format!(
            "{at}: `zooms` must be two numbers [min, max], found {} number(s)",
            zooms.len()
        ));
    };
    let in_range = |z: i64| (0..=i64::from(MAX_ZOOM)).contains(&z);
    if !in_range(*min) || !in_range(*max) {
        return Err(format!(
            "{at}: zooms [{min}, {max}] must lie within 0..={MAX_ZOOM}"
        ));
    }
    if min > max {
        return Err(format!(
            "{at}: zooms [{min}, {max}]: the first must not exceed the second"
        ));
    }
    // Both are within 0..=14, so they fit in a u8.
    Ok(ZoomRange {
        min: u8::try_from(*min).unwrap_or(0),
        max: u8::try_from(*max).unwrap_or(MAX_ZOOM),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_manifest_names_six_layers_and_one_overlay() {
        let manifest = Manifest::embedded().unwrap();
        assert_eq!(manifest.layers.len(), 6);
        assert_eq!(manifest.overlays.len(), 1);
        let lsoa21 = manifest.layer(Level::Lsoa21).unwrap();
        assert_eq!(lsoa21.source_for_zoom(9).unwrap().code, "lsoa21_code");
        assert_eq!(lsoa21.source_for_zoom(10).unwrap().code, "lsoa21cd");
        assert!(!manifest.layer(Level::Lad19).unwrap().tiled);
    }

    #[test]
    fn the_embedded_manifest_tiles_five_layers_in_the_order_the_server_serves_them() {
        let manifest = Manifest::embedded().unwrap();
        assert_eq!(
            manifest.tiled_levels(),
            [
                Level::Lsoa21,
                Level::Lsoa11,
                Level::Ward17,
                Level::Lad24,
                Level::Region
            ]
        );
    }

    #[test]
    fn a_layer_is_tiled_unless_the_manifest_says_otherwise() {
        let source = |id: &str| {
            format!(
                "[[layer]]\nid = \"{id}\"\ntitle = \"t\"\nvintage = \"v\"\n{}\n\
                 [[layer.source]]\nfile = \"f.geojson\"\ngeneralisation = \"BGC\"\n\
                 code = \"c\"\nname = \"n\"\nzooms = [0, 14]\n",
                if id == "lad19" { "tiled = false" } else { "" }
            )
        };
        let text = ["region", "lad19", "lsoa21"].map(source).concat();
        let manifest = Manifest::from_toml_str(&text, Path::new("test.toml")).unwrap();
        assert_eq!(manifest.layers.len(), 3);
        assert_eq!(manifest.tiled_levels(), [Level::Region, Level::Lsoa21]);
    }
}
