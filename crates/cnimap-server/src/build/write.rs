//! `cnimap prepare`: loads and prepares everything once and writes the build to
//! `BUILD.tmp-<pid>` beside `BUILD`, then swaps it in (the old build is moved aside, then removed),
//! so a failed or killed run leaves the previous build untouched.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cnimap_core::Level;

use super::documents::api_documents;
use super::manifest::{self, AreaLayerEntry, FileEntry, Manifest, TiledLayer, FORMAT, MANIFEST};
use super::pmtiles::TileSource;
use super::BuildError;
use crate::state::AppState;
use crate::DataSource;

/// What [`prepare`] wrote: files and bytes per part of the build, and the time each part took.
#[derive(Debug, Clone, Default)]
pub struct WriteReport {
    /// `(part, files, bytes, milliseconds)`: `tiles`, `documents`, `areas`, `search`, `manifest`.
    pub parts: Vec<(&'static str, u64, u64, u128)>,
}

/// Loads the data, prepares it and writes the build to `out` (atomically).
pub fn prepare(source: &DataSource, out: &Path) -> anyhow::Result<(Manifest, WriteReport)> {
    use anyhow::Context;
    let t0 = Instant::now();
    let inputs = std::thread::scope(|s| {
        let inputs = s.spawn(|| input_checksums(source));
        let state = AppState::load(source, PathBuf::new());
        let inputs = inputs
            .join()
            .map_err(|_| BuildError::Stopped("the input checksummer"))?;
        anyhow::Ok((state?, inputs?))
    });
    let (state, inputs) = inputs?;
    tracing::info!(
        stage = "loaded",
        inputs = inputs.len(),
        ms = t0.elapsed().as_millis() as u64,
        "data loaded and prepared"
    );
    let (manifest, report) = write_build(&state, inputs, out)
        .with_context(|| format!("writing the build {}", out.display()))?;
    tracing::info!(
        stage = "done",
        files = manifest.files.len() + 1,
        ms = t0.elapsed().as_millis() as u64,
        out = %out.display(),
        "build written"
    );
    Ok((manifest, report))
}

/// Size and SHA-256 of every input: each file under the data directory, the towns file and a
/// boundary manifest given on the command line.
pub fn input_checksums(source: &DataSource) -> Result<Vec<FileEntry>, BuildError> {
    let mut out = Vec::new();
    for path in super::cache::input_files(source)? {
        let (bytes, sha256) = manifest::hash_file(&path).map_err(|e| BuildError::Missing {
            path: path.clone(),
            source: e,
        })?;
        out.push(FileEntry {
            path: manifest::relative(&source.data_dir, &path),
            bytes,
            sha256,
        });
    }
    Ok(out)
}

/// Writes a loaded state as a build at `out`: to `out.tmp-<pid>`, then renamed into place.
pub fn write_build(
    state: &AppState,
    inputs: Vec<FileEntry>,
    out: &Path,
) -> Result<(Manifest, WriteReport), BuildError> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "build".to_string());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&parent).map_err(|source| BuildError::Write {
        path: parent.clone(),
        source,
    })?;
    remove_stale(&parent, &name);
    let tmp = parent.join(format!("{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        remove_dir(&tmp);
    }
    std::fs::create_dir(&tmp).map_err(|source| BuildError::Write {
        path: tmp.clone(),
        source,
    })?;
    tracing::info!(stage = "writing", tmp = %tmp.display(), "writing the build");
    let written = write_parts(state, inputs, &tmp);
    let (manifest, report) = match written {
        Ok(m) => m,
        Err(e) => {
            remove_dir(&tmp);
            return Err(e);
        }
    };
    swap_in(&tmp, out, &parent, &name)?;
    Ok((manifest, report))
}

/// Writes every part into `dir` and the manifest last.
fn write_parts(
    state: &AppState,
    inputs: Vec<FileEntry>,
    dir: &Path,
) -> Result<(Manifest, WriteReport), BuildError> {
    let mut files = Vec::new();
    let mut report = WriteReport::default();
    // Tiles: one PMTiles archive per tiled layer.
    let t = Instant::now();
    let mut layers = Vec::new();
    mkdir(&dir.join("tiles"))?;
    let mut tile_bytes = 0;
    for level in &state.tiled {
        let Some(prepared) = state.tiles.get(level).and_then(TileSource::prepared) else {
            continue;
        };
        let rel = format!("tiles/{}.pmtiles", level.id());
        let path = dir.join(&rel);
        let tl = Instant::now();
        let r =
            cnimap_tiles::write_pmtiles(prepared, &path).map_err(|source| BuildError::Tiles {
                layer: *level,
                source,
            })?;
        tracing::info!(
            stage = "tiles",
            layer = level.id(),
            tiles = r.tiles,
            bytes = r.file_bytes,
            ms = tl.elapsed().as_millis() as u64,
            "archive written"
        );
        let entry = entry_of(dir, &rel)?;
        tile_bytes += entry.bytes;
        files.push(entry);
        layers.push(TiledLayer {
            layer: *level,
            tiles: rel,
            minzoom: prepared.min_zoom(),
            maxzoom: prepared.max_zoom(),
        });
    }
    report.parts.push((
        "tiles",
        layers.len() as u64,
        tile_bytes,
        t.elapsed().as_millis(),
    ));
    // Whole-layer documents, plain and gzip.
    let t = Instant::now();
    let docs = api_documents(&state.documents);
    let mut doc_bytes = 0;
    for (path, doc) in &docs {
        for (rel, bytes) in [
            (format!("api/{path}.json"), &doc.plain),
            (format!("api/{path}.json.gz"), &doc.gzip),
        ] {
            let e = write_file(dir, &rel, bytes)?;
            doc_bytes += e.bytes;
            files.push(e);
        }
    }
    tracing::info!(
        stage = "documents",
        documents = docs.len(),
        bytes = doc_bytes,
        "documents written"
    );
    report.parts.push((
        "documents",
        2 * docs.len() as u64,
        doc_bytes,
        t.elapsed().as_millis(),
    ));
    // Area details, one file per area.
    let t = Instant::now();
    let (area_files, areas) = write_areas(state, dir)?;
    let area_bytes = area_files.iter().map(|f| f.bytes).sum();
    report.parts.push((
        "areas",
        area_files.len() as u64,
        area_bytes,
        t.elapsed().as_millis(),
    ));
    files.extend(area_files);
    // Search.
    let t = Instant::now();
    let search_files = write_search(state, dir)?;
    report.parts.push((
        "search",
        search_files.len() as u64,
        search_files.iter().map(|f| f.bytes).sum(),
        t.elapsed().as_millis(),
    ));
    files.extend(search_files);
    // The manifest, last.
    let t = Instant::now();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT,
        cnimap_version: env!("CARGO_PKG_VERSION").to_string(),
        built_at: manifest::now_rfc3339(),
        inputs,
        layers,
        areas,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BuildError::Encode {
        what: MANIFEST.to_string(),
        source: e.into(),
    })?;
    let path = dir.join(MANIFEST);
    // No fsync: the rename makes the build appear whole to other processes and a killed run
    // never touches the old build; surviving a power cut would need every file synced, which on
    // this machine's disk costs minutes for 150k files.
    std::fs::write(&path, &json).map_err(|source| BuildError::Write { path, source })?;
    report
        .parts
        .push(("manifest", 1, json.len() as u64, t.elapsed().as_millis()));
    Ok((manifest, report))
}

/// Writes `api/areas/<layer>/<code>.json` (and `.json.gz`) for every area of every layer, on two
/// threads.
fn write_areas(
    state: &AppState,
    dir: &Path,
) -> Result<(Vec<FileEntry>, Vec<AreaLayerEntry>), BuildError> {
    let mut files = Vec::new();
    let mut layers = Vec::new();
    for layer in state.atlas.layers.values() {
        let level = layer.level;
        mkdir(&dir.join(format!("api/areas/{}", level.id())))?;
        let codes: Vec<&String> = layer.codes.iter().collect();
        let half = codes.len().div_ceil(2).max(1);
        let written: Vec<Result<Vec<FileEntry>, BuildError>> = std::thread::scope(|s| {
            let handles: Vec<_> = codes
                .chunks(half)
                .map(|chunk| s.spawn(move || write_area_chunk(state, dir, level, chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| BuildError::Stopped("an area writer"))?
                })
                .collect()
        });
        for w in written {
            files.extend(w?);
        }
        tracing::info!(
            stage = "areas",
            layer = level.id(),
            areas = layer.codes.len(),
            "area details written"
        );
        layers.push(AreaLayerEntry {
            layer: level,
            title: layer.title.clone(),
            features: layer.codes.len() as u32,
        });
    }
    Ok((files, layers))
}

fn write_area_chunk(
    state: &AppState,
    dir: &Path,
    level: Level,
    codes: &[&String],
) -> Result<Vec<FileEntry>, BuildError> {
    let mut out = Vec::with_capacity(codes.len() * 2);
    for code in codes {
        let what = || format!("the area {code} of {}", level.id());
        let detail = crate::detail::area_detail(state, code, Some(level)).map_err(|e| {
            BuildError::Encode {
                what: what(),
                source: std::io::Error::other(e.chain()).into(),
            }
        })?;
        let json = serde_json::to_vec(&detail).map_err(|e| BuildError::Encode {
            what: what(),
            source: e.into(),
        })?;
        let gz = crate::http::gzip(&json).map_err(|e| BuildError::Encode {
            what: what(),
            source: e.into(),
        })?;
        let rel = format!("api/areas/{}/{code}.json", level.id());
        out.push(write_file(dir, &rel, &json)?);
        out.push(write_file(dir, &format!("{rel}.gz"), &gz)?);
    }
    Ok(out)
}

/// The compact search index under `search/` (its format belongs to `cnimap-search`).
fn write_search(state: &AppState, dir: &Path) -> Result<Vec<FileEntry>, BuildError> {
    let written = cnimap_search::compact::write_static(&state.search, dir).map_err(|source| {
        BuildError::Search {
            path: dir.join("search"),
            source,
        }
    })?;
    let files = written
        .iter()
        .map(|p| entry_of(dir, &manifest::relative(dir, p)))
        .collect::<Result<Vec<_>, _>>()?;
    tracing::info!(
        stage = "search",
        files = files.len(),
        "search index written"
    );
    Ok(files)
}

fn mkdir(path: &Path) -> Result<(), BuildError> {
    std::fs::create_dir_all(path).map_err(|source| BuildError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `dir/rel` (creating its folder) and returns its entry.
fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<FileEntry, BuildError> {
    let path = dir.join(rel);
    if let Some(p) = path.parent() {
        mkdir(p)?;
    }
    std::fs::write(&path, bytes).map_err(|source| BuildError::Write { path, source })?;
    Ok(FileEntry {
        path: rel.to_string(),
        bytes: bytes.len() as u64,
        sha256: manifest::sha256_hex(bytes),
    })
}

/// The entry of a file already written.
fn entry_of(dir: &Path, rel: &str) -> Result<FileEntry, BuildError> {
    let path = dir.join(rel);
    let (bytes, sha256) =
        manifest::hash_file(&path).map_err(|source| BuildError::Missing { path, source })?;
    Ok(FileEntry {
        path: rel.to_string(),
        bytes,
        sha256,
    })
}

/// Moves `out` aside (when it exists), renames `tmp` to `out`, then removes the old build.
fn swap_in(tmp: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), BuildError> {
    let old = parent.join(format!("{name}.old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|source| BuildError::Write {
            path: out.to_path_buf(),
            source,
        })?;
    }
    if let Err(source) = std::fs::rename(tmp, out) {
        if had_old {
            // Put the previous build back.
            if let Err(e) = std::fs::rename(&old, out) {
                tracing::error!(old = %old.display(), error = %e, "could not restore the previous build");
            }
        }
        remove_dir(tmp);
        return Err(BuildError::Write {
            path: out.to_path_buf(),
            source,
        });
    }
    if had_old {
        remove_dir(&old);
    }
    Ok(())
}

/// Removes `<name>.tmp-<pid>` and `<name>.old-<pid>` folders left by runs that are no longer
/// running (killed mid-write).
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(name) else {
            continue;
        };
        let pid = rest
            .strip_prefix(".tmp-")
            .or_else(|| rest.strip_prefix(".old-"))
            .and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            tracing::info!(path = %e.path().display(), "removing a build left by an interrupted run");
            remove_dir(&e.path());
        }
    }
}

fn remove_dir(path: &Path) {
    if let Err(e) = std::fs::remove_dir_all(path) {
        tracing::warn!(path = %path.display(), error = %e, "could not remove a temporary build");
    }
}
