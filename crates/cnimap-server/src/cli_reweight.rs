//! `cnimap reweight` and `cnimap change`: the same computations and output as `GET /api/reweight`
//! and `GET /api/change`, over the data directory's files (read directly: no boundaries, no
//! atlas), written to standard output; a summary line goes to standard error.

use std::io::Write;

use anyhow::Context;

use cnimap_core::reweight::{CompositeIndex, Weights};
use cnimap_data::domain_ranks::read_index;
use cnimap_data::lineage::{self, WardList};

use crate::routes::change::{self, Comparison};
use crate::routes::reweight::{self, Format};
use crate::DataSource;

/// `cnimap reweight`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ReweightArgs {
    /// The index to rebuild: imd2025, imd2019 or cni2023.
    #[arg(long)]
    pub index: String,
    /// official (the published weights), equal, one domain's key (that domain only), or
    /// key=number pairs, comma-separated (income=30,employment=20,...; normalised to 100%,
    /// domains not named weigh zero). IMD keys: income, employment, education, health, crime,
    /// housing, environment; CNI keys: civic, connectedness, engaged.
    #[arg(long, default_value = "official")]
    pub weights: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// `cnimap change`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ChangeArgs {
    /// The earlier edition: imd2019 or cni2019.
    #[arg(long, required_unless_present = "left_behind_wards")]
    pub from: Option<String>,
    /// The later edition: imd2025 or cni2023.
    #[arg(long, required_unless_present = "left_behind_wards")]
    pub to: Option<String>,
    /// The 225 left-behind wards of 2019 in 2023 (the same as --from cni2019 --to cni2023).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub left_behind_wards: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

fn write_out(body: &[u8], format: Format, summary: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(body)?;
    if format == Format::Json {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    writeln!(std::io::stderr().lock(), "{summary}")?;
    Ok(())
}

/// Parses the index and weights first (a bad one fails before any file is read), reads the
/// index's file, re-weights and writes the areas.
pub fn run_reweight(source: &DataSource, args: &ReweightArgs) -> anyhow::Result<()> {
    let index = CompositeIndex::parse(&args.index)?;
    let weights = Weights::parse(index, &args.weights)?;
    let dir = crate::checked_data_dir(&source.data_dir)?;
    let inputs = read_index(dir, index)
        .with_context(|| format!("reading {index} from {}", dir.display()))?;
    let resp = reweight::compute(&inputs, &weights);
    let (_, body) = reweight::render(&resp, args.format);
    let r = resp.against_official;
    let summary = format!(
        "{index} with {}: {}; {} of {} ranks equal to the published ranks",
        weights.describe(),
        resp.top_decile.summary,
        r.exact,
        r.n
    );
    write_out(&body, args.format, &summary)
}

/// Parses the pair, reads the files it needs, applies the change rule and writes the rows.
pub fn run_change(source: &DataSource, args: &ChangeArgs) -> anyhow::Result<()> {
    let comparison = if args.left_behind_wards {
        Comparison::LeftBehindWards
    } else {
        Comparison::parse(
            args.from.as_deref().unwrap_or_default(),
            args.to.as_deref().unwrap_or_default(),
        )
        .map_err(anyhow::Error::msg)?
    };
    let dir = crate::checked_data_dir(&source.data_dir)?;
    let imd25 = read_index(dir, CompositeIndex::Imd2025)?;
    let lookups = cnimap_data::lookups::read_lookups(dir)?;
    let (resp, summary) = match comparison {
        Comparison::Imd => {
            let imd19 = read_index(dir, CompositeIndex::Imd2019)?;
            let c = lineage::imd_change(&imd19, &imd25, &lookups.lsoa11_21);
            let (up, same, down) = c.shifts.up_same_down();
            let mut codes: Vec<String> = cnimap_core::change::ChangeCode::ALL
                .iter()
                .map(|k| format!("{} {}", k.letter(), c.by_code.get(k).copied().unwrap_or(0)))
                .collect();
            codes.sort();
            let summary = format!(
                "IMD 2019 -> 2025 on {} LSOA 2021 areas ({}): {up} moved to a less deprived decile, {same} stayed, {down} moved to a more deprived decile, {} not comparable",
                c.rows.len(),
                codes.join(", "),
                c.shifts.not_comparable
            );
            (change::imd_response(&imd19, &imd25, &c), summary)
        }
        Comparison::LeftBehindWards => {
            let cni23 = read_index(dir, CompositeIndex::Cni2023)?;
            let cni19 = cnimap_data::indicators::read_cni2019(dir)?;
            let wards = WardList::from_table(&cni19)
                .context("the CNI 2019 file has no Left Behind Area? column")?;
            let resp = change::wards_response(&wards, &lookups, &cni23, &imd25);
            let summary = match &resp {
                cnimap_core::change::ChangeResponse::LeftBehindWards {
                    wards_2019,
                    still_left_behind,
                    ..
                } => format!(
                    "{still_left_behind} of the {wards_2019} left-behind wards of 2019 still hold left-behind neighbourhoods in 2023"
                ),
                _ => String::new(),
            };
            (resp, summary)
        }
    };
    let (_, body) = change::render(&resp, args.format);
    write_out(&body, args.format, &summary)
}
