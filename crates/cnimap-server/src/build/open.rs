//! `cnimap serve --build`: an [`AppState`] from a prepared build, without the national data. The
//! manifest is read and checked (format, every file present with its size; the documents read
//! into memory are checked against their SHA-256), the tile archives' directories are read, the
//! whole-layer documents are held in memory as the data path holds them, and area details are
//! read from their files per request.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::http::header;
use axum::response::{IntoResponse, Response};

use cnimap_core::api::LayerAreasResponse;
use cnimap_core::Level;
use cnimap_data::{AreaLayer, Atlas};

use super::documents::documents_from_paths;
use super::manifest::{self, Manifest};
use super::pmtiles::{Archive, TileSource};
use super::search::SearchHandle;
use super::BuildError;
use crate::detail::LOOKUP_ORDER;
use crate::error::{AppError, AppResult};
use crate::http::{fnv1a, Encoded};
use crate::state::{AppState, Inner};
use crate::tile_cache::TileCache;

/// The tile cache's budget when tiles come from archives: a miss costs one positioned read and a
/// gunzip (tens of microseconds) rather than a cut, so a smaller cache keeps resident memory
/// under 300 MB with the search index held (BENCHMARKS.md).
pub const BUILD_CACHE_BYTES: usize = 64 << 20;

/// Opens a build for serving.
pub fn open(dir: &Path, static_dir: PathBuf) -> Result<AppState, BuildError> {
    let t0 = Instant::now();
    let manifest = Manifest::read(dir)?;
    if manifest.cnimap_version != env!("CARGO_PKG_VERSION") {
        tracing::warn!(
            build = manifest.cnimap_version,
            this = env!("CARGO_PKG_VERSION"),
            "the build was written by another cnimap version"
        );
    }
    let mut startup = vec![("read manifest", t0.elapsed().as_millis())];
    // The file check and the documents (read and hashed) side by side.
    let t = Instant::now();
    let (checked, read) = std::thread::scope(|s| {
        let checked = s.spawn(|| check_listing(dir, &manifest));
        let read = read_documents(dir, &manifest);
        (checked.join(), read)
    });
    checked.map_err(|_| BuildError::Stopped("the file check"))??;
    let (documents, layers_json) = read?;
    startup.push(("check files, read documents", t.elapsed().as_millis()));
    let t = Instant::now();
    let mut tiles = HashMap::new();
    let mut tiled = Vec::new();
    for l in &manifest.layers {
        let archive = Archive::open(&dir.join(&l.tiles))?;
        tiled.push(l.layer);
        tiles.insert(l.layer, TileSource::Archive(archive));
    }
    startup.push(("open tile archives", t.elapsed().as_millis()));
    let atlas = skeleton_atlas(dir, &manifest, &layers_json)?;
    // Last, once everything else checked out: a build that fails to open starts no reader.
    let search = SearchHandle::read_in_background(dir, &manifest);
    startup.push(("total", t0.elapsed().as_millis()));
    for (what, ms) in &startup {
        tracing::info!(what, ms = *ms as u64, "start-up from the build");
    }
    Ok(AppState(Arc::new(Inner {
        atlas,
        search,
        tiled,
        tiles,
        tile_cache: TileCache::new(BUILD_CACHE_BYTES),
        documents,
        vintages: Default::default(),
        left_behind_counts: Default::default(),
        // The table's frames need the atlas's values, which a build does not hold yet: /api/table
        // answers 404 for a server opened from a build.
        tables: Default::default(),
        // Likewise the bulk lookup's table: POST /api/lookup answers 404 from a build.
        lookup: cnimap_core::bulk::AreaTable::new(Default::default()),
        build: Some(dir.to_path_buf()),
        static_dir,
        startup,
        derived: Default::default(),
    })))
}

/// Every listed file exists (area details: listed in their folder; others: with their size),
/// and the build holds no area file the manifest does not list.
fn check_listing(dir: &Path, manifest: &Manifest) -> Result<(), BuildError> {
    let mut folders: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
    for f in &manifest.files {
        if let Some(rest) = f.path.strip_prefix("api/areas/") {
            let folder = rest.split('/').next().unwrap_or_default();
            let names = match folders.get_mut(folder) {
                Some(n) => n,
                None => {
                    let path = dir.join("api/areas").join(folder);
                    let names = std::fs::read_dir(&path)
                        .map_err(|source| BuildError::Missing {
                            path: path.clone(),
                            source,
                        })?
                        .filter_map(|e| {
                            e.ok().map(|e| e.file_name().to_string_lossy().into_owned())
                        })
                        .collect();
                    folders.entry(folder).or_insert(names)
                }
            };
            let name = f.path.rsplit('/').next().unwrap_or_default();
            if !names.remove(name) {
                return Err(BuildError::Listing {
                    path: dir.join(&f.path),
                    problem: "listed in the manifest but missing from the build".into(),
                });
            }
        } else {
            let path = dir.join(&f.path);
            let meta = std::fs::metadata(&path).map_err(|source| BuildError::Missing {
                path: path.clone(),
                source,
            })?;
            if meta.len() != f.bytes {
                return Err(BuildError::Checksum {
                    path,
                    expected: format!("{} bytes", f.bytes),
                    found: format!("{} bytes", meta.len()),
                });
            }
        }
    }
    for (folder, left) in folders {
        if let Some(extra) = left.iter().min() {
            return Err(BuildError::Listing {
                path: dir.join("api/areas").join(folder).join(extra),
                problem: "in the build but not in its manifest".into(),
            });
        }
    }
    Ok(())
}

type LayersJson = Vec<(Level, Vec<u8>)>;

/// Reads every whole-layer document (`.json` and `.json.gz`), each checked against the manifest.
fn read_documents(
    dir: &Path,
    manifest: &Manifest,
) -> Result<(crate::prepare::Documents, LayersJson), BuildError> {
    let by_path: HashMap<&str, &manifest::FileEntry> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let read = |rel: &str| -> Result<Vec<u8>, BuildError> {
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).map_err(|source| BuildError::Missing {
            path: path.clone(),
            source,
        })?;
        let entry = by_path.get(rel).ok_or_else(|| BuildError::Listing {
            path: path.clone(),
            problem: "not in the manifest".into(),
        })?;
        manifest::check(
            &path,
            entry,
            bytes.len() as u64,
            &manifest::sha256_hex(&bytes),
        )?;
        Ok(bytes)
    };
    let mut docs = Vec::new();
    let mut layers = Vec::new();
    for f in &manifest.files {
        let Some(path) = f
            .path
            .strip_prefix("api/")
            .and_then(|p| p.strip_suffix(".json"))
        else {
            continue;
        };
        if path.starts_with("areas/") {
            continue;
        }
        let plain = read(&f.path)?;
        let gzip = read(&format!("{}.gz", f.path))?;
        if let Some(level) = path.strip_prefix("layers/").and_then(Level::from_id) {
            layers.push((level, plain.clone()));
        }
        let etag = format!("\"{:016x}\"", fnv1a(&plain));
        docs.push((
            path.to_string(),
            Encoded {
                plain: plain.into(),
                gzip: gzip.into(),
                etag,
            },
        ));
    }
    let documents = documents_from_paths(docs).map_err(|problem| BuildError::Listing {
        path: dir.join("api"),
        problem,
    })?;
    Ok((documents, layers))
}

/// The atlas a build stands for, as far as requests read it: each layer's title, codes and
/// names (from `api/layers/<layer>.json`); no values, lookups or geometry (the build's documents
/// and area files carry those).
fn skeleton_atlas(
    dir: &Path,
    manifest: &Manifest,
    layers_json: &LayersJson,
) -> Result<Atlas, BuildError> {
    let mut layers = BTreeMap::new();
    for a in &manifest.areas {
        let json = layers_json
            .iter()
            .find(|(l, _)| *l == a.layer)
            .map(|(_, j)| j)
            .ok_or_else(|| BuildError::Listing {
                path: dir.join(format!("api/layers/{}.json", a.layer.id())),
                problem: "missing: every layer with areas has one".into(),
            })?;
        let doc: LayerAreasResponse =
            serde_json::from_slice(json).map_err(|source| BuildError::BadManifest {
                path: dir.join(format!("api/layers/{}.json", a.layer.id())),
                source,
            })?;
        let index = doc
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        let n = doc.codes.len();
        layers.insert(
            a.layer,
            AreaLayer {
                level: a.layer,
                title: a.title.clone(),
                codes: doc.codes,
                names: doc.names,
                index,
                bbox_wgs84: vec![None; n],
                geometry: Vec::new(),
                tiled: manifest.layers.iter().any(|l| l.layer == a.layer),
            },
        );
    }
    Ok(Atlas {
        data_dir: dir.to_path_buf(),
        layers,
        indicators: Vec::new(),
        lookups: Default::default(),
        cni2023_flag: Vec::new(),
        cni2019_official: Vec::new(),
        left_behind_outlines: Vec::new(),
        summaries: Default::default(),
        iod2019_official: Default::default(),
        report: Vec::new(),
        left_behind_checks: Vec::new(),
        elapsed: std::time::Duration::ZERO,
    })
}

/// `GET /api/areas/{code}` from the build's files: the same bytes and errors as computing it.
/// `code` is already checked to be a letter and 8 digits.
pub async fn area_response(dir: &Path, code: &str, layer: Option<Level>) -> AppResult<Response> {
    let order: &[Level] = match &layer {
        Some(l) => std::slice::from_ref(l),
        None => &LOOKUP_ORDER,
    };
    for l in order {
        let path = dir.join(format!("api/areas/{}/{code}.json", l.id()));
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                return Ok(([(header::CONTENT_TYPE, crate::http::JSON)], bytes).into_response())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot read an area file");
                return Err(AppError::Invariant(
                    "an area file of the build cannot be read",
                ));
            }
        }
    }
    Err(match layer {
        Some(l) => AppError::NotFound(format!("no area with code {code} in layer {l}")),
        None => AppError::NotFound(format!("no area with code {code} in the data")),
    })
}
