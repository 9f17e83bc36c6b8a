//! Prints tile sizes per zoom (mean and max, raw and gzip) for the `lsoa21` layer: every tile over
//! England at z0-8, a sample at z9-14, plus the prepare time.
//!
//! `cargo run --release -p cnimap-tiles --example tile_sizes` (data from `CNIMAP_DATA` or
//! `../shared/data`). Optional args: `tolerance min_ring_area sample_per_zoom [z/x/y]` (the last
//! inspects one tile; `TILE_SIZES_DUMP=/tmp/t.mvt` writes it out). Environment overrides for sweeps:
//! `MIN_FEATURE_AREA`, `COALESCE_MAX_ZOOM`, `LOW_ZOOM_EXTENT`, `LOW_ZOOM_MAX` (`none` disables the
//! last two kinds), `TILE_SIZES_MAX_ZOOM` (stop the table early). With
//! `TILE_SIZES_PMTILES=/tmp/lsoa21.pmtiles` it also times a full export.

#![allow(clippy::print_stdout, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::time::Instant;

use cnimap_core::tile::{lonlat_to_tile, tiles_covering, TileCoord};
use cnimap_tiles::{PreparedLayer, TileOptions};

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip to memory");
    enc.finish().expect("gzip to memory").len()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = TileOptions::default();
    if let Some(t) = args.first() {
        options.tolerance = t.parse().expect("tolerance");
    }
    if let Some(a) = args.get(1) {
        options.min_ring_area = a.parse().expect("min_ring_area");
    }
    // Optional overrides of the other options, for sweeps.
    let env = |k: &str| std::env::var(k).ok();
    if let Some(v) = env("MIN_FEATURE_AREA") {
        options.min_feature_area = v.parse().expect("MIN_FEATURE_AREA");
    }
    if let Some(v) = env("COALESCE_MAX_ZOOM") {
        options.coalesce_max_zoom = v.parse().ok();
    }
    if let Some(v) = env("LOW_ZOOM_EXTENT") {
        options.low_zoom_extent = v.parse().expect("LOW_ZOOM_EXTENT");
    }
    if let Some(v) = env("LOW_ZOOM_MAX") {
        options.low_zoom_max = v.parse().ok();
    }
    let last_zoom: Option<u8> = env("TILE_SIZES_MAX_ZOOM").and_then(|v| v.parse().ok());
    if let Some(spec) = args.get(3) {
        // Inspect one tile: z/x/y.
        let parts: Vec<u32> = spec.split('/').map(|p| p.parse().expect("z/x/y")).collect();
        let layer = PreparedLayer::prepare_with(support::lsoa21_spec(), &options).expect("prepare");
        let t = TileCoord::new(parts[0] as u8, parts[1], parts[2]).expect("valid tile");
        let raw = layer.tile(t).expect("tile").unwrap_or_default();
        if let Some(out) = std::env::var_os("TILE_SIZES_DUMP") {
            std::fs::write(out, &raw).expect("dump tile");
        }
        let layers = cnimap_tiles::mvt::decode(&raw).expect("decodes");
        for l in &layers {
            let points: usize = l.features.iter().flat_map(|f| &f.rings).map(Vec::len).sum();
            println!(
                "{t}: {} bytes, {} features, {points} points",
                raw.len(),
                l.features.len()
            );
        }
        return;
    }
    let sample: usize = args.get(2).map_or(400, |s| s.parse().expect("sample size"));

    let t0 = Instant::now();
    let spec = support::lsoa21_spec();
    let read = t0.elapsed();
    let t1 = Instant::now();
    let layer = PreparedLayer::prepare_with(spec, &options).expect("prepare");
    let prepare = t1.elapsed();
    println!(
        "lsoa21: read+parse {:.2}s, prepare {:.2}s ({} threads), options {:?}",
        read.as_secs_f64(),
        prepare.as_secs_f64(),
        rayon::current_num_threads(),
        options
    );
    let bounds = layer.bounds_wgs84();
    println!("bounds {bounds:?}");
    println!("zoom  tiles  non-empty  mean_raw_KB  max_raw_KB  mean_gz_KB  max_gz_KB  mean_ms  max_ms  max_tile (features)");
    let mut all_gz: Vec<usize> = Vec::new();
    for z in layer.min_zoom()..=last_zoom.unwrap_or(u8::MAX).min(layer.max_zoom()) {
        let all: Vec<TileCoord> = tiles_covering(bounds, z).collect();
        let tiles: Vec<TileCoord> = if z <= 8 || all.len() <= sample {
            all
        } else {
            // A deterministic sample: tiles around the centroids of every k-th LSOA would need the
            // data; take evenly spaced tiles over the bounds plus a few known dense places.
            let step = all.len() / sample;
            let mut t: Vec<TileCoord> = all.iter().step_by(step.max(1)).copied().collect();
            for (lon, lat) in [
                (-0.1278, 51.5074),
                (-2.2426, 53.4808),
                (-1.8904, 52.4862),
                (1.1162, 51.7794),
            ] {
                t.extend(lonlat_to_tile(lon, lat, z));
            }
            t
        };
        let (mut n, mut raw_sum, mut raw_max, mut gz_sum, mut gz_max) =
            (0usize, 0usize, 0usize, 0usize, 0usize);
        let (mut ms_sum, mut ms_max) = (0.0f64, 0.0f64);
        let mut max_tile = None;
        let mut max_features = 0;
        for &t in &tiles {
            let s = Instant::now();
            let tile = layer.tile(t).expect("tile");
            let ms = s.elapsed().as_secs_f64() * 1e3;
            let Some(raw) = tile else { continue };
            ms_sum += ms;
            ms_max = ms_max.max(ms);
            let gz = gzip_len(&raw);
            n += 1;
            raw_sum += raw.len();
            gz_sum += gz;
            all_gz.push(gz);
            raw_max = raw_max.max(raw.len());
            if gz > gz_max {
                gz_max = gz;
                max_tile = Some(t);
                max_features = cnimap_tiles::mvt::decode(&raw)
                    .expect("decodes")
                    .first()
                    .map_or(0, |l| l.features.len());
            }
        }
        let kb = |b: usize| b as f64 / 1024.0;
        let mean = |s: usize| if n == 0 { 0.0 } else { kb(s) / n as f64 };
        println!(
            "{z:>4} {:>6} {n:>10} {:>12.1} {:>11.1} {:>11.1} {:>10.1} {:>8.2} {:>7.2}  {} ({max_features})",
            tiles.len(),
            mean(raw_sum),
            kb(raw_max),
            mean(gz_sum),
            kb(gz_max),
            if n == 0 { 0.0 } else { ms_sum / n as f64 },
            ms_max,
            max_tile.map(|t| t.to_string()).unwrap_or_default()
        );
    }
    if let Some(path) = std::env::var_os("TILE_SIZES_PMTILES") {
        let s = Instant::now();
        let report =
            cnimap_tiles::write_pmtiles(&layer, std::path::Path::new(&path)).expect("export");
        println!(
            "pmtiles export {:.1}s: {} tiles ({} empty skipped), {:.1} MB tiles, {:.1} MB file, per zoom {:?}",
            s.elapsed().as_secs_f64(),
            report.tiles,
            report.empty_tiles,
            report.tile_bytes as f64 / 1e6,
            report.file_bytes as f64 / 1e6,
            report.tiles_per_zoom
        );
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("{line}");
        }
    }
    let total: usize = all_gz.iter().sum();
    println!(
        "all measured non-empty tiles: {}, mean gzip {:.1} KB, max gzip {:.1} KB",
        all_gz.len(),
        total as f64 / 1024.0 / all_gz.len().max(1) as f64,
        all_gz.iter().max().copied().unwrap_or(0) as f64 / 1024.0
    );
}
