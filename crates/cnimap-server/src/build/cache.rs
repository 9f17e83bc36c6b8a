//! `serve --data`'s cache of builds: a build per fingerprint of the inputs (each input's path, size
//! and modification time, and the cnimap binary's own), so a second start with unchanged inputs
//! opens the cached build instead of preparing again. Hashing sizes and times costs about a
//! millisecond where a SHA-256 of the 190 MB of inputs costs about a second (BENCHMARKS.md); the
//! build's manifest still records each input's SHA-256.

use std::path::{Path, PathBuf};

use sha2::Digest;

use super::manifest::{hex, relative};
use super::BuildError;
use crate::DataSource;

/// Cached builds kept besides the one in use (the rest are removed after a new one is written).
pub const KEEP: usize = 2;

/// Every input file: each regular file under the data directory (sorted), the towns file when
/// one is used, and a boundary manifest given on the command line.
pub fn input_files(source: &DataSource) -> Result<Vec<PathBuf>, BuildError> {
    let mut out = Vec::new();
    walk(&source.data_dir, &mut out)?;
    out.sort();
    if let Some(m) = &source.manifest {
        out.push(m.clone());
    }
    match &source.towns {
        Some(t) => out.push(t.clone()),
        None => {
            let t = PathBuf::from(cnimap_search::DEFAULT_TOWNS_FILE);
            if t.is_file() {
                out.push(t);
            }
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BuildError> {
    let entries = std::fs::read_dir(dir).map_err(|source| BuildError::Missing {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in entries {
        let e = e.map_err(|source| BuildError::Missing {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = e.path();
        let kind = e.file_type().map_err(|source| BuildError::Missing {
            path: path.clone(),
            source,
        })?;
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if kind.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// The fingerprint of the inputs and of the running binary: SHA-256 (hex) over each input's
/// relative path, size and modification time, the build format and the cnimap version.
pub fn fingerprint(source: &DataSource) -> Result<String, BuildError> {
    let mut h = sha2::Sha256::new();
    h.update(format!(
        "format {} cnimap {}\n",
        super::FORMAT,
        env!("CARGO_PKG_VERSION")
    ));
    let exe = std::env::current_exe().ok();
    let mut files = input_files(source)?;
    files.extend(exe);
    for path in files {
        let meta = std::fs::metadata(&path).map_err(|source| BuildError::Missing {
            path: path.clone(),
            source,
        })?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.update(format!(
            "{}\t{}\t{mtime}\n",
            relative(&source.data_dir, &path),
            meta.len()
        ));
    }
    Ok(hex(&h.finalize()))
}

/// The default cache folder: `$XDG_CACHE_HOME/cnimap/builds`, else `$HOME/.cache/cnimap/builds`,
/// else `.cnimap-cache/builds` in the working directory.
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map_or_else(|| PathBuf::from(".cnimap-cache"), |c| c.join("cnimap"))
        .join("builds")
}

/// The build for these inputs in `cache`, opened for serving: the cached one when it is there and
/// opens (the opening checks it whole: every file listed, the documents' checksums), else prepared
/// into it first (progress in the log) and then opened.
pub fn open_or_prepare(
    source: &DataSource,
    cache: &Path,
    static_dir: PathBuf,
) -> anyhow::Result<crate::AppState> {
    use anyhow::Context as _;
    let t = std::time::Instant::now();
    let key = fingerprint(source)?;
    let dir = cache.join(&key[..16]);
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        build = %dir.display(),
        "inputs fingerprinted"
    );
    // Only the manifest's presence is checked here: opening reads and checks it anyway, so a
    // second parse (25 MB, 152k entries) would only add time and memory to every start.
    if dir.join(super::manifest::MANIFEST).is_file() {
        match super::open::open(&dir, static_dir.clone()) {
            Ok(state) => {
                tracing::info!(build = %dir.display(), "inputs unchanged: serving the cached build");
                return Ok(state);
            }
            Err(e) => {
                tracing::warn!(error = %e, "the cached build is unusable: preparing it again")
            }
        }
    } else {
        tracing::info!(
            build = %dir.display(),
            "no build for these inputs (or this cnimap binary) yet: preparing it, a few minutes \
             with progress below; later starts open it in about a second (--no-cache serves \
             from memory instead)"
        );
    }
    super::prepare(source, &dir)?;
    prune(cache, &dir);
    super::open::open(&dir, static_dir)
        .with_context(|| format!("opening the build just prepared in {}", dir.display()))
}

/// Removes cached builds beyond the [`KEEP`] most recent besides `current`.
fn prune(cache: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != current && p.join(super::manifest::MANIFEST).is_file())
        .filter_map(|p| {
            let t = std::fs::metadata(p.join(super::manifest::MANIFEST))
                .and_then(|m| m.modified())
                .ok()?;
            Some((t, p))
        })
        .collect();
    builds.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (_, p) in builds.into_iter().skip(KEEP) {
        tracing::info!(build = %p.display(), "removing an old cached build");
        if let Err(e) = std::fs::remove_dir_all(&p) {
            tracing::warn!(build = %p.display(), error = %e, "could not remove an old cached build");
        }
    }
}
