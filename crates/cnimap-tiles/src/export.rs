//! Writing a whole layer to a PMTiles v3 archive (gzip-compressed MVT tiles, TileJSON-style
//! metadata with `vector_layers`), for static hosting, QGIS or `pmtiles serve`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use pmtiles::{Compression, PmTilesWriter, TileId, TileType};
use rayon::prelude::*;

use cnimap_core::tile::{tiles_covering, TileCoord};

use crate::error::TileError;
use crate::layer::PreparedLayer;

/// What [`write_pmtiles`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct PmtilesReport {
    /// The archive.
    pub path: PathBuf,
    /// Non-empty tiles written, per zoom from `min_zoom`.
    pub tiles_per_zoom: Vec<(u8, u64)>,
    /// Tiles written in all.
    pub tiles: u64,
    /// Tiles within the layer's bounds that were empty (not stored).
    pub empty_tiles: u64,
    /// Sum of the gzip-compressed tile sizes, in bytes.
    pub tile_bytes: u64,
    /// Size of the archive, in bytes.
    pub file_bytes: u64,
}

/// Tiles cut in parallel per batch (bounds memory: a batch of compressed tiles is held at once).
const BATCH: usize = 1024;

/// Gzips a tile.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::default(),
    );
    enc.write_all(bytes)?;
    enc.finish()
}

/// The metadata JSON: name, format and `vector_layers` for MapLibre, QGIS and TileJSON readers.
fn metadata(layer: &PreparedLayer) -> serde_json::Value {
    let fields: serde_json::Map<String, serde_json::Value> = layer
        .fields()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    serde_json::json!({
        "name": layer.id(),
        "format": "pbf",
        "type": "overlay",
        "minzoom": layer.min_zoom(),
        "maxzoom": layer.max_zoom(),
        "bounds": layer.bounds_wgs84(),
        "attribution": "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains OS data © Crown copyright and database right.",
        "vector_layers": [{
            "id": layer.id(),
            "fields": fields,
            "minzoom": layer.min_zoom(),
            "maxzoom": layer.max_zoom(),
        }],
    })
}

/// Writes every non-empty tile of the layer, at every zoom, over the layer's bounds, to a PMTiles v3
/// archive at `path`. Tiles are cut and gzipped in parallel and added in tile-id order. The archive
/// is written to a temporary file next to `path` and renamed into place, so `path` is never left
/// half-written.
///
/// # Errors
/// [`TileError::Io`] for file errors, [`TileError::Pmtiles`] from the writer,
/// [`TileError::Metadata`] if the metadata cannot be serialised, and any error of
/// [`PreparedLayer::tile`].
pub fn write_pmtiles(layer: &PreparedLayer, path: &Path) -> Result<PmtilesReport, TileError> {
    let io = |source: std::io::Error| TileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tiles.pmtiles".to_owned());
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = write_to(layer, path, &tmp);
    match result {
        Ok(mut report) => {
            std::fs::rename(&tmp, path).map_err(io)?;
            report.file_bytes = std::fs::metadata(path).map_err(io)?.len();
            Ok(report)
        }
        Err(e) => {
            if let Err(rm) = std::fs::remove_file(&tmp) {
                tracing::warn!(path = %tmp.display(), error = %rm, "could not remove temporary file");
            }
            Err(e)
        }
    }
}

fn write_to(layer: &PreparedLayer, path: &Path, tmp: &Path) -> Result<PmtilesReport, TileError> {
    let io = |source: std::io::Error| TileError::Io {
        path: tmp.to_path_buf(),
        source,
    };
    let pmt = |source: pmtiles::PmtError| TileError::Pmtiles {
        path: path.to_path_buf(),
        source,
    };
    let meta = serde_json::to_string(&metadata(layer)).map_err(|source| TileError::Metadata {
        path: path.to_path_buf(),
        source,
    })?;
    let [w, s, e, n] = layer.bounds_wgs84();
    let file = File::create(tmp).map_err(io)?;
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .precompressed(Compression::Gzip)
        .min_zoom(layer.min_zoom())
        .max_zoom(layer.max_zoom())
        .bounds(w, s, e, n)
        .center((w + e) / 2.0, (s + n) / 2.0)
        .center_zoom(layer.min_zoom().max(6).min(layer.max_zoom()))
        .metadata(meta)
        .create(file)
        .map_err(pmt)?;
    let mut report = PmtilesReport {
        path: path.to_path_buf(),
        tiles_per_zoom: Vec::new(),
        tiles: 0,
        empty_tiles: 0,
        tile_bytes: 0,
        file_bytes: 0,
    };
    for z in layer.min_zoom()..=layer.max_zoom() {
        let mut coords: Vec<(u64, TileCoord)> = tiles_covering(layer.bounds_wgs84(), z)
            .map(|t| {
                let id = TileId::from(pmtiles::TileCoord::new(t.z(), t.x(), t.y()).map_err(pmt)?);
                Ok((id.value(), t))
            })
            .collect::<Result<_, TileError>>()?;
        coords.sort_unstable_by_key(|(id, _)| *id);
        let mut written = 0u64;
        for batch in coords.chunks(BATCH) {
            let tiles: Vec<Option<Vec<u8>>> = batch
                .par_iter()
                .map(|(_, t)| match layer.tile(*t)? {
                    Some(raw) => gzip(&raw).map(Some).map_err(io),
                    None => Ok(None),
                })
                .collect::<Result<_, TileError>>()?;
            for ((_, t), data) in batch.iter().zip(tiles) {
                match data {
                    Some(data) => {
                        let c = pmtiles::TileCoord::new(t.z(), t.x(), t.y()).map_err(pmt)?;
                        writer.add_tile(c, &data).map_err(pmt)?;
                        written += 1;
                        report.tile_bytes += data.len() as u64;
                    }
                    None => report.empty_tiles += 1,
                }
            }
        }
        tracing::debug!(layer = layer.id(), z, written, "zoom written");
        report.tiles += written;
        report.tiles_per_zoom.push((z, written));
    }
    writer.finalize().map_err(pmt)?;
    Ok(report)
}
