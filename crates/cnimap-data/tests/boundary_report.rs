//! A printed report (not a pass/fail test): reads every boundary file in the manifest and prints
//! counts and timings. Run with
//! `cargo test -p cnimap-data --release --test boundary_report -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]

use std::path::PathBuf;
use std::time::Instant;

use cnimap_data::boundary::{read_layer_source, read_overlay, BoundaryFile, Manifest};

fn data_dir() -> PathBuf {
    std::env::var_os("CNIMAP_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    )
}

fn line(name: &str, file: &BoundaryFile, seconds: f64) {
    eprintln!(
        "{name:<32} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8.3}",
        file.features.len(),
        file.skipped_other_prefix,
        file.repaired,
        file.extra.invalid_polygons,
        file.extra.rebuilt,
        file.duplicates.len(),
        file.extra.still_invalid.len(),
        seconds
    );
}

#[test]
#[ignore = "a printed report on the national data; run on demand"]
fn report_every_boundary_file() {
    let data = data_dir();
    assert!(
        data.is_dir(),
        "data directory {} is missing",
        data.display()
    );
    let manifest = Manifest::load(&Manifest::default_path()).unwrap();
    eprintln!(
        "{:<32} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "file", "kept", "skipped", "repaired", "inv.pol", "rebuilt", "dups", "still", "seconds"
    );
    let all = Instant::now();
    for layer in &manifest.layers {
        for source in &layer.sources {
            let t = Instant::now();
            let file = read_layer_source(&data, layer, source).unwrap();
            line(
                &source.file.display().to_string(),
                &file,
                t.elapsed().as_secs_f64(),
            );
        }
    }
    for overlay in &manifest.overlays {
        let t = Instant::now();
        let file = read_overlay(&data, overlay).unwrap();
        line(
            &overlay.file.display().to_string(),
            &file,
            t.elapsed().as_secs_f64(),
        );
    }
    eprintln!("total {:.3} s", all.elapsed().as_secs_f64());
}
