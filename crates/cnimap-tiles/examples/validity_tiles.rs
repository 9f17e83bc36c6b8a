//! Writes a sample of tiles of every tiled layer of `boundaries/manifest.toml` to a directory, for
//! the independent validity checker (`tests/validity/check_tiles.py`, run by `make test`).
//!
//! `cargo run --release -p cnimap-tiles --example validity_tiles -- OUT_DIR [LAYER,LAYER,...]`
//! (data from `CNIMAP_DATA` or `../shared/data`). For every layer and every zoom of it, the tiles
//! holding a fixed list of English towns, coasts and islands (so a few hundred tiles in all) are
//! cut with the default options and written uncompressed as `OUT_DIR/LAYER/Z/X/Y.mvt`. With
//! `VALIDITY_PMTILES=1` every tile of each layer is also written to `OUT_DIR/LAYER.pmtiles`, for
//! `check_tiles.py sweep`.

#![allow(clippy::print_stdout, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use cnimap_core::tile::{lonlat_to_tile, TileCoord};
use cnimap_tiles::PreparedLayer;

/// Places whose tiles are written at every zoom: dense cities, towns, coasts with islands and
/// estuaries, and the Isles of Scilly.
const PLACES: [(&str, f64, f64); 10] = [
    ("Westminster", -0.1357, 51.4975),
    ("Manchester", -2.2426, 53.4808),
    ("Birmingham", -1.8904, 52.4862),
    ("Leeds", -1.5491, 53.8008),
    ("Bristol", -2.5879, 51.4545),
    ("Jaywick", 1.1162, 51.7794),
    ("Barrow-in-Furness", -3.2270, 54.1108),
    ("Norwich", 1.2974, 52.6309),
    ("Plymouth", -4.1427, 50.3755),
    ("Isles of Scilly", -6.3130, 49.9160),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .expect("usage: validity_tiles OUT_DIR [LAYERS]"),
    );
    let only: Option<Vec<String>> = args
        .get(1)
        .map(|s| s.split(',').map(str::to_owned).collect());
    let mut written = 0usize;
    for layer in support::manifest_layers() {
        if only.as_ref().is_some_and(|o| !o.contains(&layer.id)) {
            continue;
        }
        let t0 = Instant::now();
        let spec = support::manifest_spec(&layer);
        let read = t0.elapsed();
        let t1 = Instant::now();
        let prepared = PreparedLayer::prepare(spec).expect("prepare");
        let prepare = t1.elapsed();
        let mut tiles: BTreeSet<TileCoord> = BTreeSet::new();
        for z in prepared.min_zoom()..=prepared.max_zoom() {
            for (_, lon, lat) in PLACES {
                tiles.extend(lonlat_to_tile(lon, lat, z));
            }
        }
        let t2 = Instant::now();
        let mut n = 0;
        for t in &tiles {
            let Some(raw) = prepared.tile(*t).expect("tile") else {
                continue;
            };
            let dir = out
                .join(&layer.id)
                .join(t.z().to_string())
                .join(t.x().to_string());
            std::fs::create_dir_all(&dir).expect("create the output directory");
            std::fs::write(dir.join(format!("{}.mvt", t.y())), raw).expect("write a tile");
            n += 1;
        }
        written += n;
        println!(
            "{}: read {:.1}s, prepare {:.1}s, {n} tiles cut in {:.2}s",
            layer.id,
            read.as_secs_f64(),
            prepare.as_secs_f64(),
            t2.elapsed().as_secs_f64()
        );
        if std::env::var_os("VALIDITY_PMTILES").is_some() {
            std::fs::create_dir_all(&out).expect("create the output directory");
            let path = out.join(format!("{}.pmtiles", layer.id));
            let s = Instant::now();
            let report = cnimap_tiles::write_pmtiles(&prepared, &path).expect("write PMTiles");
            println!(
                "{}: {} tiles written to {} in {:.1}s",
                layer.id,
                report.tiles,
                path.display(),
                s.elapsed().as_secs_f64()
            );
        }
    }
    println!("{written} tiles written to {}", out.display());
}
