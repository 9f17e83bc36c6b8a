//! `cnimap table`: the table query language on the command line, over the data directory (as
//! `cnimap check` reads it): the same strings and the same messages as `GET /api/table`.

use std::io::Write;

use anyhow::Context;

use cnimap_core::table::TableQuery;

use crate::routes::table::{render, Format};
use crate::DataSource;

/// The query, as flags.
#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    /// The level of the rows: lsoa21, lsoa11, ward17, ward24, lad24 or region.
    #[arg(long)]
    pub level: String,
    /// Columns after code and name: `<indicator>.<measure>` (imd2025.rank) or a parent
    /// (lad24.name); comma-separated, or the flag repeated.
    #[arg(long)]
    pub columns: Vec<String>,
    /// A filter (repeat for AND): imd2025.decile=1, imd2025.decile=1..2, imd2025.rank<=100,
    /// lad24=E06000002, left_behind[=PERCENT], bivariate=1x1.
    #[arg(long)]
    pub filter: Vec<String>,
    /// The sort: a column, worst first by default (ranks and deciles up, shares and scores
    /// down), or with :asc or :desc.
    #[arg(long)]
    pub sort: Option<String>,
    /// The custom index of the custom.score, custom.rank and custom.decile columns and
    /// filters: INDEX:WEIGHTS, such as imd2025:income=30,employment=30,health=40, cni2023:equal
    /// or imd2025:health (one domain only), at the index's own level.
    #[arg(long)]
    pub weights: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// Parses the query (before reading any data, so a bad query fails at once), loads the atlas,
/// builds the level's frame and writes the rows to standard output.
pub fn run(source: &DataSource, args: &TableArgs) -> anyhow::Result<()> {
    let query = TableQuery::parse_with_weights(
        &args.level,
        &args.columns,
        &args.filter,
        args.sort.as_deref(),
        args.weights.as_deref(),
    )?;
    if query.areas {
        anyhow::bail!(
            "--level areas: your areas come from your boundary file: use `cnimap areas --boundaries FILE` with the same --columns, --filter and --sort"
        );
    }
    let atlas = source.load_atlas()?;
    let frame = cnimap_data::frames::table_frame(&atlas, query.level)
        .with_context(|| format!("no table data for level {}", query.level))?;
    let (_, body) = render(&frame, &query, args.format)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&body)?;
    if args.format == Format::Json {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
