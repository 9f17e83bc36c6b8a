//! Times re-weighting a combined index on the national data: the one-off transformation of the
//! domain ranks and then [`cnimap_core::reweight::DomainScores::combine`] (weighted sum, sort,
//! deciles) per new set of weights, as the browser will call it when a slider moves.
//!
//! `cargo run --release -p cnimap-data --example reweight_bench [-- DATA_DIR]`

use std::io::Write;
use std::time::Instant;

use cnimap_core::reweight::{CompositeIndex, DomainScores, Weights};
use cnimap_data::domain_ranks::read_index;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(cnimap_data::default_data_dir);
    for index in [CompositeIndex::Imd2025, CompositeIndex::Cni2023] {
        let inputs = read_index(&dir, index)?;
        let refs: Vec<&[u32]> = inputs.domain_ranks.iter().map(Vec::as_slice).collect();
        let runs = 50;
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(DomainScores::from_ranks(index, &refs)?);
        }
        let transform_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        let weights = [
            Weights::official(index),
            Weights::equal(index),
            Weights::only(index, index.domains()[0].key)?,
        ];
        let t = Instant::now();
        for k in 0..runs {
            let w = &weights[k as usize % weights.len()];
            std::hint::black_box(inputs.domains.combine(w));
        }
        let combine_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        // Timings are this example's output, on standard output by design.
        writeln!(
            std::io::stdout().lock(),
            "{index}: {} areas, {} domains: transform once {transform_ms:.2} ms, re-weight {combine_ms:.2} ms (mean of {runs})",
            inputs.codes.len(),
            index.domains().len()
        )?;
    }
    Ok(())
}
