//! Measures the compact static index on the real data: writes it (`compact::write_static`) into
//! a temporary build folder, prints the size of the names index (raw and gzip), the number of
//! postcode shards with their mean and largest size, and how long reading it back takes, whole
//! (`compact::read_static`, as `cnimap serve --build`) and the names index alone from bytes
//! (`SearchIndex::from_compact_bytes`, as the browser). Figures for BENCHMARKS.md.
//!
//! `cargo run --release -p cnimap-search --example compact`; data from `CNIMAP_DATA` or
//! `<workspace>/../shared/data`, towns from `CNIMAP_TOWNS` or the workspace's `node_modules`.
#![allow(clippy::print_stdout)] // A measuring tool: its output is the report.

#[path = "recall/data.rs"]
mod data;

use std::io::Write;
use std::time::Instant;

use cnimap_search::compact::{self, SEARCH_DIR};
use cnimap_search::SearchIndex;
use cnimap_testkit::data_dir;

fn gzip(bytes: &[u8]) -> Result<usize, std::io::Error> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "cnimap_search::compact=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let dir = data_dir();
    let started = Instant::now();
    let mut index = data::load_with_towns(&dir, &data::towns_file())?;
    let outlines = data::lsoa21_outlines(&dir)?;
    let boxes = data::bboxes(&outlines);
    let exact = boxes
        .iter()
        .flat_map(|(_, b)| b.iter())
        .filter(|v| ((**v * 1e6).round() / 1e6) == **v)
        .count();
    println!(
        "box coordinates in whole millionths of a degree: {exact} of {}",
        boxes.len() * 4
    );
    index.set_area_bboxes(boxes.iter().map(|(c, b)| (c.as_str(), *b)));
    println!(
        "loaded from the data in {} ms",
        started.elapsed().as_millis()
    );

    let build = tempfile::tempdir()?;
    let t = Instant::now();
    let written = compact::write_static(&index, build.path())?;
    println!(
        "written in {} ms: {} files",
        t.elapsed().as_millis(),
        written.len()
    );

    let search = build.path().join(SEARCH_DIR);
    let names = std::fs::read(search.join(compact::NAMES_FILE))?;
    let names_gz = std::fs::metadata(search.join(format!("{}.gz", compact::NAMES_FILE)))?.len();
    println!(
        "names index: {} bytes, gzip {} bytes",
        names.len(),
        names_gz
    );
    let mut sizes: Vec<u64> = Vec::new();
    let mut gz_total = 0usize;
    for p in written
        .iter()
        .filter(|p| p.starts_with(search.join(compact::POSTCODES_DIR)))
    {
        let bytes = std::fs::read(p)?;
        gz_total += gzip(&bytes)?;
        sizes.push(bytes.len() as u64);
    }
    sizes.sort_unstable();
    let total: u64 = sizes.iter().sum();
    println!(
        "postcode shards: {}, {} bytes in all (gzip {gz_total}), mean {} bytes, median {}, max {}",
        sizes.len(),
        total,
        total / sizes.len().max(1) as u64,
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0)
    );

    for run in 0..3 {
        let t = Instant::now();
        let whole = compact::read_static(build.path())?;
        let whole_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let browser = SearchIndex::from_compact_bytes(&names)?;
        let names_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "run {run}: read_static (everything) {whole_ms:.0} ms, from_compact_bytes (names \
             only) {names_ms:.0} ms ({} postcodes, {} pending shards)",
            whole.stats().postcodes.english,
            browser.shards_needed("CO15 2EQ").len()
        );
    }
    Ok(())
}
