//! Tile cutting by zoom on the real `lsoa21` layer (on-demand cutting, no pre-cut tiles): the tile
//! over central London at each zoom, the densest case. Also the whole-layer prepare.

#![allow(missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use cnimap_core::tile::lonlat_to_tile;
use cnimap_tiles::{PreparedLayer, TileOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn tiles(c: &mut Criterion) {
    let options = TileOptions {
        precut_max_zoom: None,
        ..TileOptions::default()
    };
    let layer = PreparedLayer::prepare_with(support::lsoa21_spec(), &options).expect("prepare");
    let mut group = c.benchmark_group("cut_london_tile");
    group.sample_size(20);
    for z in [4u8, 6, 8, 9, 10, 12, 14] {
        let t = lonlat_to_tile(-0.1278, 51.5074, z).expect("valid zoom");
        group.bench_with_input(BenchmarkId::from_parameter(z), &t, |b, &t| {
            b.iter(|| layer.tile(t).expect("tile"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("prepare");
    group.sample_size(10);
    let spec = support::lsoa21_spec();
    group.bench_function("lsoa21", |b| {
        b.iter(|| PreparedLayer::prepare(spec.clone()).expect("prepare"))
    });
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);
