//! `cnimap check`: load and validate everything and print a summary.

use std::io::Write;
use std::time::Instant;

use cnimap_data::Atlas;
use cnimap_search::SearchIndex;

use crate::DataSource;

/// Loads every dataset and writes the summary to standard output.
pub fn run(source: &DataSource) -> anyhow::Result<()> {
    let start = Instant::now();
    let (atlas, search) = source.load()?;
    let total = start.elapsed();
    let mut out = std::io::stdout().lock();
    write_report(&mut out, &atlas, &search, total)?;
    Ok(())
}

/// Writes the check summary.
pub fn write_report(
    out: &mut impl Write,
    atlas: &Atlas,
    search: &SearchIndex,
    total: std::time::Duration,
) -> std::io::Result<()> {
    writeln!(out, "cnimap check: {}", atlas.data_dir.display())?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<48} {:>9} {:>9} {:>9} {:>8}  unmatched / notes",
        "dataset", "rows", "joined", "repaired", "ms"
    )?;
    for r in &atlas.report {
        writeln!(
            out,
            "{:<48} {:>9} {:>9} {:>9} {:>8}  {}",
            r.name,
            r.rows,
            r.joined,
            r.repaired,
            r.elapsed.as_millis(),
            if r.unmatched.is_empty() {
                "0 unmatched".to_string()
            } else {
                r.unmatched.join("; ")
            }
        )?;
        for n in &r.notes {
            writeln!(out, "    {n}")?;
        }
    }
    let stats = search.stats();
    writeln!(out)?;
    writeln!(out, "search index:")?;
    for line in stats.to_string().lines() {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)?;
    writeln!(out, "layers:")?;
    for layer in atlas.layers.values() {
        let with_geometry = layer.bbox_wgs84.iter().filter(|b| b.is_some()).count();
        writeln!(
            out,
            "  {:<8} {:>6} areas, {:>6} with outlines, {} geometry files",
            layer.level.id(),
            layer.len(),
            with_geometry,
            layer.geometry.len()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "derived figures:")?;
    for c in &atlas.left_behind_checks {
        writeln!(
            out,
            "  left behind, {}: {} derived, {} published, {} disagree",
            c.title, c.derived, c.published, c.disagree
        )?;
    }
    for (level, by_ind) in &atlas.summaries.by_level {
        let n = by_ind.get("imd2025").map_or(0, |m| m.len());
        writeln!(
            out,
            "  summaries for {level}: {} indicators x {n} areas",
            by_ind.len()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "loaded in {} ms (atlas {} ms)",
        total.as_millis(),
        atlas.elapsed.as_millis()
    )?;
    Ok(())
}
