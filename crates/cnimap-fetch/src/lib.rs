//! `cnimap data fetch`: puts every file that `cnimap check` reads into a data directory, from its
//! public source or from a mirror, as `data/sources.toml` says.
//!
//! Each file is downloaded (resuming a partial `.part` file with a Range request) or converted from
//! a published input with cnimap's own CSV reader, checked against the size and SHA-256 of the file
//! this project was built and tested on, and only then renamed into place: a file that fails leaves
//! the output directory as it was. Files that no public source reproduces are named, with the
//! reason, and can only come from a mirror (`--mirror URL`: every file from `URL/<path>`).

pub mod convert;
pub mod digest;
pub mod error;
pub mod fetch;
pub mod http;
pub mod progress;
pub mod sources;

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

pub use error::{ConvertError, FetchError, FileError};
pub use fetch::{Outcome, STAGING_DIR};
pub use sources::{FetchMethod, FileEntry, Sources};

use progress::human_bytes;

/// The environment variable naming a mirror (same as `--mirror`).
pub const MIRROR_ENV: &str = "CNIMAP_DATA_MIRROR";

/// Arguments of `cnimap data fetch`.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// The data directory to fill (default: the default data directory, ../shared/data).
    #[arg(long, env = cnimap_data::DATA_ENV, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Fetch every file from URL/<path in the data directory> (a copy of the data directory)
    /// instead of from its source.
    #[arg(long, env = MIRROR_ENV, value_name = "URL")]
    pub mirror: Option<String>,
    /// Fetch only this file (its path in the data directory or its file name); repeatable.
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,
    /// The sources manifest (default: the one built into the binary, data/sources.toml).
    #[arg(long, value_name = "FILE")]
    pub sources: Option<PathBuf>,
    /// Give up on a server that sends nothing for this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: f64,
    /// Say what would be fetched, from where, and how much; fetch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress line (the per-file messages stay).
    #[arg(long)]
    pub quiet: bool,
}

/// The default read timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 60.0;

impl Default for FetchArgs {
    /// Everything from the sources into the default data directory, 60 s read timeout.
    fn default() -> FetchArgs {
        FetchArgs {
            out: None,
            mirror: None,
            only: Vec::new(),
            sources: None,
            timeout: DEFAULT_TIMEOUT_SECS,
            dry_run: false,
            quiet: false,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The data directory.
    pub out: PathBuf,
    /// Files fetched in this run, with their outcome.
    pub fetched: Vec<(String, Outcome)>,
    /// Files that were already in place and verified.
    pub already: Vec<String>,
    /// Bytes downloaded in this run.
    pub bytes: u64,
}

/// What a run would do (`--dry-run`).
#[derive(Debug, Clone)]
pub struct Plan {
    /// The data directory.
    pub out: PathBuf,
    /// The mirror, when one is given.
    pub mirror: Option<String>,
    /// One line per file: path, size, whether it is present, and where it would come from.
    pub files: Vec<PlannedFile>,
}

/// One file of a [`Plan`].
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Path in the data directory.
    pub path: String,
    /// Its size.
    pub size: u64,
    /// A file of that size is already there (it is verified by SHA-256 when fetching).
    pub present: bool,
    /// Where it would come from, in words.
    pub from: String,
    /// Whether it can be fetched at all (false: mirror only and no mirror given).
    pub available: bool,
}

impl Plan {
    /// Bytes still to fetch (files not present).
    pub fn to_fetch(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| !f.present)
            .map(|f| f.size)
            .sum()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cnimap data fetch into {}", self.out.display())?;
        if let Some(m) = &self.mirror {
            writeln!(f, "every file from the mirror {m}")?;
        }
        for p in &self.files {
            let state = if p.present {
                "present"
            } else if p.available {
                "to fetch"
            } else {
                "MIRROR ONLY"
            };
            writeln!(
                f,
                "  {:<11} {:>8}  {}\n              from {}",
                state,
                human_bytes(p.size),
                p.path,
                p.from
            )?;
        }
        let missing: Vec<&PlannedFile> = self
            .files
            .iter()
            .filter(|p| !p.present && !p.available)
            .collect();
        writeln!(
            f,
            "{} files, {} in all; {} to fetch ({} bytes)",
            self.files.len(),
            human_bytes(self.files.iter().map(|p| p.size).sum()),
            human_bytes(self.to_fetch()),
            self.to_fetch()
        )?;
        if !missing.is_empty() {
            writeln!(
                f,
                "{} of them ({}) have no public source that reproduces them: only --mirror URL can fetch them",
                missing.len(),
                human_bytes(missing.iter().map(|p| p.size).sum())
            )?;
        }
        Ok(())
    }
}

/// Runs `cnimap data fetch`: every selected file is put in place and verified, or named with the
/// reason it could not be. With `--dry-run` it writes the [`Plan`] to standard output instead.
pub fn run(args: &FetchArgs) -> Result<Summary, FetchError> {
    let sources = match &args.sources {
        Some(p) => Sources::load(p)?,
        None => Sources::embedded()?,
    };
    let selected = select(&sources, &args.only)?;
    let mirror = match &args.mirror {
        Some(m) if m.starts_with("http://") || m.starts_with("https://") => {
            Some(m.trim_end_matches('/').to_string())
        }
        Some(m) => return Err(FetchError::BadMirror { url: m.clone() }),
        None => None,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(cnimap_data::default_data_dir);

    if args.dry_run {
        let plan = plan(&sources, &selected, &out, mirror.as_deref());
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (| head) is not an error worth reporting.
        let _ = write!(stdout, "{plan}");
        return Ok(Summary {
            out,
            ..Summary::default()
        });
    }

    std::fs::create_dir_all(&out).map_err(|source| FetchError::OutDir {
        path: out.clone(),
        source,
    })?;
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.05, 3600.0));
    let fetcher = fetch::Fetcher {
        sources: &sources,
        out: &out,
        mirror: mirror.as_deref(),
        client: http::Client::new(timeout, args.quiet),
    };
    let total: u64 = selected.iter().map(|e| e.size).sum();
    tracing::info!(
        "fetching {} files ({}) into {}{}",
        selected.len(),
        human_bytes(total),
        out.display(),
        mirror
            .as_deref()
            .map(|m| format!(" from the mirror {m}"))
            .unwrap_or_default()
    );
    let mut summary = Summary {
        out: out.clone(),
        ..Summary::default()
    };
    let mut failed = Vec::new();
    for (i, entry) in selected.iter().enumerate() {
        let label = format!("[{}/{}] {}", i + 1, selected.len(), entry.path);
        match fetcher.fetch_one(entry, &label) {
            Ok(Outcome::AlreadyInPlace) => {
                tracing::info!("{label}: already in place, SHA-256 verified");
                summary.already.push(entry.path.clone());
            }
            Ok(
                o @ Outcome::Fetched {
                    bytes,
                    resumed_from,
                },
            ) => {
                let resumed = if resumed_from > 0 {
                    format!(", resumed after {}", human_bytes(resumed_from))
                } else {
                    String::new()
                };
                tracing::info!(
                    "{label}: fetched and verified ({}{resumed})",
                    human_bytes(entry.size)
                );
                summary.bytes += bytes;
                summary.fetched.push((entry.path.clone(), o));
            }
            Err(e) => {
                tracing::error!("{e}");
                failed.push(e);
            }
        }
    }
    let staging = out.join(STAGING_DIR);
    if failed.is_empty() {
        if staging.exists() {
            if let Err(e) = std::fs::remove_dir_all(&staging) {
                tracing::warn!("could not remove {}: {e}", staging.display());
            }
        }
        tracing::info!(
            "all {} files in place and verified in {} ({} downloaded)",
            selected.len(),
            out.display(),
            human_bytes(summary.bytes)
        );
        Ok(summary)
    } else {
        remove_empty_dirs(&staging);
        Err(FetchError::Incomplete {
            ok: summary.fetched.len() + summary.already.len(),
            failed,
        })
    }
}

fn select<'a>(sources: &'a Sources, only: &[String]) -> Result<Vec<&'a FileEntry>, FetchError> {
    if only.is_empty() {
        return Ok(sources.files.iter().collect());
    }
    let mut out: Vec<&FileEntry> = Vec::new();
    for name in only {
        let entry = sources.find(name).ok_or_else(|| FetchError::UnknownFile {
            name: name.clone(),
            sources: sources.origin.clone(),
            known: sources
                .files
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        if !out.iter().any(|e| e.path == entry.path) {
            out.push(entry);
        }
    }
    // Keep the manifest's order: a conversion may need a file listed before it.
    out.sort_by_key(|e| sources.files.iter().position(|f| f.path == e.path));
    Ok(out)
}

/// What a run with these settings would fetch.
pub fn plan(
    sources: &Sources,
    selected: &[&FileEntry],
    out: &std::path::Path,
    mirror: Option<&str>,
) -> Plan {
    let files = selected
        .iter()
        .map(|e| {
            let present = std::fs::metadata(out.join(&e.path)).is_ok_and(|m| m.len() == e.size);
            let (from, available) = match (mirror, e.fetch) {
                (Some(m), _) => (format!("{m}/{}", fetch::encode_path(&e.path)), true),
                (None, FetchMethod::Download) => (e.url.clone().unwrap_or_default(), true),
                (None, FetchMethod::Convert) => {
                    let input = e
                        .convert
                        .as_ref()
                        .and_then(|c| sources.input(&c.input))
                        .map_or("?", |i| i.url.as_str());
                    (format!("{input} (converted)"), true)
                }
                (None, FetchMethod::MirrorOnly) => (
                    format!(
                        "nowhere public: {}",
                        e.reason.as_deref().unwrap_or_default()
                    ),
                    false,
                ),
            };
            PlannedFile {
                path: e.path.clone(),
                size: e.size,
                present,
                from,
                available,
            }
        })
        .collect();
    Plan {
        out: out.to_path_buf(),
        mirror: mirror.map(str::to_string),
        files,
    }
}

/// Removes empty directories under `dir` (and `dir` itself when it ends up empty), so a failed
/// run leaves only resumable `.part` files and verified inputs behind.
fn remove_empty_dirs(dir: &std::path::Path) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_empty_dirs(&entry.path());
        }
    }
    // Fails, as it should, when the directory is not empty.
    let _ = std::fs::remove_dir(dir);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser, Subcommand};

    /// The shape `cnimap data fetch` has in the server's command line.
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        Data {
            #[command(subcommand)]
            command: DataCommand,
        },
    }

    #[derive(Subcommand)]
    enum DataCommand {
        Fetch(FetchArgs),
    }

    #[test]
    fn the_arguments_parse_as_the_command_line_gives_them() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "cnimap",
            "data",
            "fetch",
            "--out",
            "d",
            "--mirror",
            "http://m/",
            "--only",
            "a.csv",
            "--only",
            "lookups/b.csv",
            "--timeout",
            "2.5",
            "--dry-run",
        ])
        .expect("parses");
        let Command::Data {
            command: DataCommand::Fetch(a),
        } = cli.command;
        assert_eq!(a.out, Some(PathBuf::from("d")));
        assert_eq!(a.mirror.as_deref(), Some("http://m/"));
        assert_eq!(a.only, ["a.csv", "lookups/b.csv"]);
        assert!((a.timeout - 2.5).abs() < f64::EPSILON);
        assert!(a.dry_run && !a.quiet);
    }

    #[test]
    fn the_default_arguments_wait_a_minute_for_a_silent_server() {
        assert!((FetchArgs::default().timeout - 60.0).abs() < f64::EPSILON);
    }
}
