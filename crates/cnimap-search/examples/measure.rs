//! Loads the real search index, reports the load time and per-query latency percentiles over a
//! mix of queries, and prints the top hits of each query.
//!
//! `cargo run --release -p cnimap-search --example measure [-- QUERY...]`; the data directory is
//! `CNIMAP_DATA` or `<workspace>/../shared/data`. Load timings are logged at debug level
//! (`RUST_LOG`, default `cnimap_search=debug`).
#![allow(clippy::print_stdout)] // A measuring tool: its output is the report.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cnimap_search::SearchIndex;

/// The query mix: postcodes in several spellings, partial postcodes, names, codes and typos.
const QUERIES: &[&str] = &[
    "CO15 2EQ",
    "co152eq",
    " Co15  2eq ",
    "CO15 2",
    "CO15",
    "CO15 2E",
    "CO15 9ZZ",
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
    "London",
    "st",
    "a",
    "newcastle upon tyne",
    "Clacton",
    "west clacton",
    "middlesbro",
    "Midlesbro",
    "Kensington and Chelsea",
    "Southend",
    "SW1A 1AA",
    "M1",
    "b",
    "Ham Petersham",
    "queens park",
    "Harwich & Dovercourt",
    "Scarborugh",
    "Hunmanby",
    "E05011963",
    "zzzzzz",
    "Liverpool Riverside",
    "Brighton",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "cnimap_search=debug".into()),
        )
        .init();
    let data = std::env::var_os("CNIMAP_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let started = Instant::now();
    let index = SearchIndex::load(&data)?;
    println!("load: {} ms", started.elapsed().as_millis());
    println!("{}", index.stats());

    let args: Vec<String> = std::env::args().skip(1).collect();
    let queries: Vec<&str> = if args.is_empty() {
        QUERIES.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for q in &queries {
        let r = index.search(q, 10)?;
        println!("\n{q:?} -> {:?} message={:?}", r.query, r.message);
        for h in r.hits.iter().take(5) {
            println!(
                "  {:?} {} [{}] code={:?} lsoa21={:?} ward={:?} point={:?}",
                h.kind, h.name, h.context, h.code, h.lsoa21, h.ward, h.point_wgs84
            );
        }
    }

    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..50 {
        for q in &queries {
            let t = Instant::now();
            let r = index.search(q, 10)?;
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "\n{} queries: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        times.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        times[times.len() - 1]
    );
    let mut slowest: Vec<(Duration, &str)> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            let _ = index.search(q, 10);
            (t.elapsed(), *q)
        })
        .collect();
    slowest.sort();
    println!("slowest: {:?}", &slowest[slowest.len().saturating_sub(5)..]);
    Ok(())
}
