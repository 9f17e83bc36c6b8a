//! Query latency on the full gazetteer and postcode file, over a mix of postcodes, partial
//! postcodes, names, codes and typos. Before the criterion groups it prints the load time and the
//! p50/p99 of single queries over the mix.
//!
//! `cargo bench -p cnimap-search --bench search`; data from `CNIMAP_DATA` or
//! `<workspace>/../shared/data`.

#![allow(missing_docs)] // `criterion_group!` generates an undocumented function.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cnimap_search::SearchIndex;
use criterion::{criterion_group, criterion_main, Criterion};

/// The query mix.
const QUERIES: &[&str] = &[
    "CO15 2EQ",
    "co152eq",
    " Co15  2eq ",
    "CO15 2",
    "CO15",
    "CO15 2E",
    "CO15 2ZZ",
    "AB10 1XG",
    "Jaywick & St Osyth",
    "jaywick",
    "Jaywik",
    "Tendrng",
    "Tendring",
    "Tendring 018A",
    "E01021988",
    "e0102198",
    "manchester",
    "Birmingam",
    "london",
    "st",
    "a",
    "Midlesbro",
    "newcastle upon tyne",
    "west clacton",
    "Scarborugh",
    "queens park",
    "Ham Petersham",
];

fn load() -> SearchIndex {
    let data = std::env::var_os("CNIMAP_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let started = Instant::now();
    let index = match SearchIndex::load(&data) {
        Ok(index) => index,
        Err(e) => panic!("cannot load the real data from {}: {e}", data.display()),
    };
    eprintln!("load: {:?}", started.elapsed());
    index
}

fn percentiles(index: &SearchIndex) {
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..200 {
        for q in QUERIES {
            let t = Instant::now();
            let r = index.search(q, 10);
            times.push(t.elapsed());
            std::hint::black_box(r).ok();
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "{} single queries: p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}

fn bench(c: &mut Criterion) {
    let index = load();
    percentiles(&index);
    c.bench_function("search mix (27 queries, limit 10)", |b| {
        b.iter(|| {
            for q in QUERIES {
                std::hint::black_box(index.search(q, 10)).ok();
            }
        })
    });
    let mut group = c.benchmark_group("search");
    for q in ["CO15 2EQ", "jaywick", "Tendrng", "a", "Midlesbro"] {
        group.bench_function(q, |b| {
            b.iter(|| std::hint::black_box(index.search(q, 10)).ok())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
