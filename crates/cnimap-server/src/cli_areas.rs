//! `cnimap areas`: a user's boundary file (GeoJSON, WGS84 or British National Grid) in, one row
//! per area out with how many LSOAs it covers and, for every LSOA 2021 indicator, the summary
//! measures a local authority gets (`imd2025.share_decile1`, `imd2025.average_rank`, ...).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use cnimap_core::custom_area::{self, DEFAULT_THRESHOLD};
use cnimap_core::table::query::AREAS_LEVEL;
use cnimap_core::table::TableQuery;
use cnimap_core::Level;
use cnimap_data::custom_areas::{lsoa_shapes_document, read_user_boundaries, LsoaShapes, UserCrs};

use crate::DataSource;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AreasOutput {
    /// One row per area: name, lsoas, then each indicator's summaries.
    Summary,
    /// One row per LSOA an area touches: area, lsoa21.code, share, counts.
    Lsoas,
}

/// The flags.
#[derive(Debug, Clone, clap::Args)]
pub struct AreasArgs {
    /// The boundary file: a GeoJSON FeatureCollection (or Feature) of polygons, in WGS84
    /// longitude/latitude or British National Grid metres.
    #[arg(long)]
    pub boundaries: PathBuf,
    /// The property that names each area (default: `name`, or a property ending in NM).
    #[arg(long)]
    pub name_property: Option<String>,
    /// The share of an LSOA's area, in percent, that must lie inside an area for it to count.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD * 100.0)]
    pub threshold: f64,
    /// What to write: the summary per area, or the LSOAs each area covers with their shares.
    #[arg(long, value_enum, default_value = "summary")]
    pub output: AreasOutput,
    /// Output format (CSV only: the summary's first line names the rule and the sources).
    #[arg(long, default_value = "csv", value_parser = ["csv"])]
    pub format: String,
    /// Columns after code and name, comma-separated, as `cnimap table`'s at level areas:
    /// imd2025.share_decile1, cni2023.average_rank, ... (any LSOA 2021 indicator's
    /// share_decile1 or average_rank). With --filter or --sort, the output is the table of your
    /// areas (code area1, area2, ... in file order) instead of the summary.
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// A filter (repeat for AND), as `cnimap table`'s: imd2025.share_decile1>=0.2.
    #[arg(long)]
    pub filter: Vec<String>,
    /// The sort, as `cnimap table`'s: imd2025.average_rank (worst first by default), :asc or
    /// :desc may follow.
    #[arg(long)]
    pub sort: Option<String>,
}

impl AreasArgs {
    /// The table query of `--columns`, `--filter` and `--sort` at level areas, when any is
    /// given.
    fn table_query(&self) -> anyhow::Result<Option<TableQuery>> {
        if self.columns.is_empty() && self.filter.is_empty() && self.sort.is_none() {
            return Ok(None);
        }
        if self.output == AreasOutput::Lsoas {
            anyhow::bail!(
                "--output lsoas lists each area's LSOAs: it takes no --columns, --filter or --sort"
            );
        }
        Ok(Some(TableQuery::parse(
            AREAS_LEVEL,
            &self.columns,
            &self.filter,
            self.sort.as_deref(),
        )?))
    }
}

/// Reads the file (before the national data, so a bad file fails at once), loads the atlas,
/// measures every area against the LSOA 2021 outlines and writes the CSV to standard output.
/// Features that cannot be used are named on standard error; the run fails only when none can.
pub fn run(source: &DataSource, args: &AreasArgs) -> anyhow::Result<()> {
    if !(0.0..=100.0).contains(&args.threshold) || args.threshold.is_nan() {
        anyhow::bail!(
            "--threshold {}: expected a percentage from 0 to 100",
            args.threshold
        );
    }
    let threshold = args.threshold / 100.0;
    // The table words are checked before anything is read.
    let query = args.table_query()?;
    let bytes = std::fs::read(&args.boundaries)
        .with_context(|| format!("reading {}", args.boundaries.display()))?;
    let file = read_user_boundaries(&bytes, args.name_property.as_deref())
        .with_context(|| format!("{}", args.boundaries.display()))?;
    tracing::info!(
        areas = file.areas.len(),
        problems = file.problems.len(),
        crs = if file.crs == UserCrs::BritishNationalGrid {
            "EPSG:27700"
        } else {
            "EPSG:4326"
        },
        names = file.name_property.as_deref().unwrap_or("(numbered)"),
        "boundary file read"
    );

    let atlas = source.load_atlas()?;
    let layer = atlas
        .layer(Level::Lsoa21)
        .context("the data has no LSOA 2021 layer")?;
    // The same decoded shapes document the browser and `POST /api/areas` measure on.
    let doc = lsoa_shapes_document(&atlas).context("the data has no LSOA 2021 boundaries")?;
    let shapes = LsoaShapes::from_document(&doc)?;
    let (areas, problems) = shapes.areas(&file);
    {
        let mut err = std::io::stderr().lock();
        for p in &file.repaired {
            writeln!(err, "{}: {p}", args.boundaries.display())?;
        }
        for p in &problems {
            writeln!(err, "{}: skipped {p}", args.boundaries.display())?;
        }
    }
    if areas.is_empty() {
        anyhow::bail!(
            "{}: no area covers an LSOA in England",
            args.boundaries.display()
        );
    }
    let body = match args.output {
        AreasOutput::Summary => {
            // The same table frame (and so the same indicators, in the same order) as the
            // server's and the browser's.
            let frame = cnimap_data::frames::table_frame(&atlas, Level::Lsoa21)
                .context("the data has no LSOA 2021 indicators")?;
            let values = custom_area::frame_values(&frame);
            match &query {
                Some(q) => custom_area::table_answer(&areas, threshold, &values, q)?,
                None => custom_area::to_csv(&areas, threshold, &values),
            }
        }
        AreasOutput::Lsoas => custom_area::covers_csv(&areas, threshold, &layer.codes),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(body.as_bytes())?;
    out.flush()?;
    Ok(())
}
