//! `cnimap serve --build`: an [`AppState`] from a prepared build, without the national data. The
//! manifest is read and checked (format, every file present with its size; the documents read
//! into memory are checked against their SHA-256), the tile archives' directories are read, the
//! whole-layer documents are held in memory as the data path holds them, and area details are
//! read from their files per request. The search index is read last, on a thread of its own:
//! tiles and documents answer at once and a search waits for it ([`SearchHandle`]).
//!
//! Start-up is file reading (BENCHMARKS.md, "Start-up from a prepared build"): the manifest is
//! parsed into strings borrowed from its bytes (152k entries, 25 MB, for the national build),
//! each area folder's listing is compared with the manifest's names by sorting both (no hashing
//! of 74k strings), and two threads share the rest: the file check and the tile archives' directories on
//! one, the documents and the layers' codes and names on the other.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use cnimap_core::api::LayerAreasResponse;
use cnimap_core::Level;
use cnimap_data::{AreaLayer, Atlas};

use super::documents::documents_from_paths;
use super::manifest::{self, AreaLayerEntry, FileEntry, TiledLayer, FORMAT, MANIFEST};
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

/// What opening a build reads of `manifest.json` ([`manifest::Manifest`]'s fields, the inputs and
/// build time skipped), its strings borrowed from the file's bytes.
#[derive(Deserialize)]
struct ManifestView<'a> {
    format: u32,
    #[serde(borrow)]
    cnimap_version: Cow<'a, str>,
    layers: Vec<TiledLayer>,
    #[serde(default)]
    areas: Vec<AreaLayerEntry>,
    #[serde(borrow)]
    files: Vec<FileView<'a>>,
}

/// A [`FileEntry`] borrowed from the manifest's bytes.
#[derive(Deserialize)]
struct FileView<'a> {
    #[serde(borrow)]
    path: Cow<'a, str>,
    bytes: u64,
    #[serde(borrow)]
    sha256: Cow<'a, str>,
}

impl FileView<'_> {
    fn to_entry(&self) -> FileEntry {
        FileEntry {
            path: self.path.to_string(),
            bytes: self.bytes,
            sha256: self.sha256.to_string(),
        }
    }
}

impl<'a> ManifestView<'a> {
    /// Parses `bytes` (read from `path`) and checks the format, with the errors of
    /// [`manifest::Manifest::read`].
    fn parse(path: &Path, bytes: &'a [u8]) -> Result<ManifestView<'a>, BuildError> {
        let view: ManifestView<'a> =
            serde_json::from_slice(bytes).map_err(|source| BuildError::BadManifest {
                path: path.to_path_buf(),
                source,
            })?;
        if view.format != FORMAT {
            return Err(BuildError::Format {
                path: path.to_path_buf(),
                found: view.format,
                expected: FORMAT,
            });
        }
        Ok(view)
    }
}

/// Opens a build for serving.
pub fn open(dir: &Path, static_dir: PathBuf) -> Result<AppState, BuildError> {
    let t0 = Instant::now();
    let manifest_path = dir.join(MANIFEST);
    let manifest_bytes = std::fs::read(&manifest_path).map_err(|source| BuildError::Missing {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest = ManifestView::parse(&manifest_path, &manifest_bytes)?;
    if manifest.cnimap_version != env!("CARGO_PKG_VERSION") {
        tracing::warn!(
            build = %manifest.cnimap_version,
            this = env!("CARGO_PKG_VERSION"),
            "the build was written by another cnimap version"
        );
    }
    let mut startup = vec![("read manifest", t0.elapsed().as_millis())];
    // Two threads: the file check then the tile archives; the documents (read and hashed)
    // then the layers' codes and names parsed from them.
    let t = Instant::now();
    let (checked, read) = std::thread::scope(|s| {
        let checked = s.spawn(|| {
            check_listing(dir, &manifest.files)?;
            let check_ms = t.elapsed().as_millis();
            let mut tiles = HashMap::new();
            let mut tiled = Vec::new();
            for l in &manifest.layers {
                let archive = Archive::open(&dir.join(&l.tiles))?;
                tiled.push(l.layer);
                tiles.insert(l.layer, TileSource::Archive(archive));
            }
            Ok::<_, BuildError>((tiles, tiled, check_ms, t.elapsed().as_millis()))
        });
        let read = read_documents(dir, &manifest.files).and_then(|(documents, layers_json)| {
            let read_ms = t.elapsed().as_millis();
            let atlas = skeleton_atlas(dir, &manifest, layers_json)?;
            Ok((documents, atlas, read_ms, t.elapsed().as_millis()))
        });
        (checked.join(), read)
    });
    let (tiles, tiled, check_ms, archives_ms) =
        checked.map_err(|_| BuildError::Stopped("the file check"))??;
    let (documents, atlas, read_ms, atlas_ms) = read?;
    startup.extend([
        ("check files", check_ms),
        ("then open tile archives", archives_ms),
        ("read documents", read_ms),
        ("then layers' codes and names", atlas_ms),
        ("check, open, read and parse", t.elapsed().as_millis()),
    ]);
    // Last, once everything else checked out: a build that fails to open starts no reader.
    let search_files: Vec<FileEntry> = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("search/"))
        .map(FileView::to_entry)
        .collect();
    drop(manifest);
    drop(manifest_bytes);
    let search = SearchHandle::read_in_background(dir, search_files);
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
        // The table's frames and the bulk lookup's table are decoded from the documents on first
        // use (AppState::table_frame, AppState::lookup_table), so start-up reads nothing more.
        tables: Default::default(),
        lookup: Arc::new(cnimap_core::bulk::AreaTable::new(Default::default())),
        build: Some(dir.to_path_buf()),
        static_dir,
        startup,
        derived: Default::default(),
    })))
}

/// Every listed file exists (area details: listed in their folder; others: with their size),
/// and the build holds no area file the manifest does not list. Each area folder's names (74k
/// for LSOAs) and the manifest's are sorted and walked side by side.
fn check_listing(dir: &Path, files: &[FileView<'_>]) -> Result<(), BuildError> {
    // Folder -> (file name, path in the build).
    let mut folders: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for f in files {
        if let Some(rest) = f.path.strip_prefix("api/areas/") {
            let folder = rest.split('/').next().unwrap_or_default();
            let name = f.path.rsplit('/').next().unwrap_or_default();
            folders.entry(folder).or_default().push((name, &f.path));
        } else {
            let path = dir.join(f.path.as_ref());
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
    for (folder, mut listed) in folders {
        let path = dir.join("api/areas").join(folder);
        let mut on_disk: Vec<std::ffi::OsString> = std::fs::read_dir(&path)
            .map_err(|source| BuildError::Missing {
                path: path.clone(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        listed.sort_unstable();
        on_disk.sort_unstable();
        let (mut i, mut j) = (0, 0);
        loop {
            let (l, d) = (listed.get(i), on_disk.get(j));
            let l_name = l.map(|(name, _)| std::ffi::OsStr::new(*name));
            match (l_name, d.map(|d| d.as_os_str())) {
                (None, None) => break,
                (Some(ln), dn) if dn.is_none_or(|dn| ln < dn) => {
                    let rel = l.map_or("", |(_, p)| *p);
                    return Err(BuildError::Listing {
                        path: dir.join(rel),
                        problem: "listed in the manifest but missing from the build".into(),
                    });
                }
                (ln, Some(dn)) if ln.is_none_or(|ln| dn < ln) => {
                    return Err(BuildError::Listing {
                        path: path.join(dn),
                        problem: "in the build but not in its manifest".into(),
                    });
                }
                _ => {
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    Ok(())
}

type LayersJson = Vec<(Level, bytes::Bytes)>;

/// Reads every whole-layer document (`.json` and `.json.gz`), each checked against the manifest.
fn read_documents(
    dir: &Path,
    files: &[FileView<'_>],
) -> Result<(crate::prepare::Documents, LayersJson), BuildError> {
    let documents: Vec<&FileView<'_>> = files
        .iter()
        .filter(|f| f.path.starts_with("api/") && !f.path.starts_with("api/areas/"))
        .collect();
    let by_path: HashMap<&str, &FileView<'_>> =
        documents.iter().map(|f| (f.path.as_ref(), *f)).collect();
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
            &entry.to_entry(),
            bytes.len() as u64,
            &manifest::sha256_hex(&bytes),
        )?;
        Ok(bytes)
    };
    let mut docs = Vec::new();
    let mut layers = Vec::new();
    for f in documents {
        let Some(path) = f
            .path
            .strip_prefix("api/")
            .and_then(|p| p.strip_suffix(".json"))
        else {
            continue;
        };
        let plain: bytes::Bytes = read(&f.path)?.into();
        let gzip = read(&format!("{}.gz", f.path))?;
        if let Some(level) = path.strip_prefix("layers/").and_then(Level::from_id) {
            layers.push((level, plain.clone()));
        }
        let etag = format!("\"{:016x}\"", fnv1a(&plain));
        docs.push((
            path.to_string(),
            Encoded {
                plain,
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
    manifest: &ManifestView<'_>,
    layers_json: LayersJson,
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
            serde_json::from_slice(json.as_ref()).map_err(|source| BuildError::BadManifest {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn view(path: &str) -> FileView<'_> {
        FileView {
            path: Cow::Borrowed(path),
            bytes: 2,
            sha256: Cow::Borrowed(""),
        }
    }

    /// A build folder with area files `names` under `api/areas/lsoa21/` and a 2-byte `tiles/a`.
    fn build_with(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let areas = dir.path().join("api/areas/lsoa21");
        std::fs::create_dir_all(&areas).expect("mkdir");
        for n in names {
            std::fs::write(areas.join(n), "{}").expect("write");
        }
        std::fs::create_dir_all(dir.path().join("tiles")).expect("mkdir");
        std::fs::write(dir.path().join("tiles/a"), "ab").expect("write");
        dir
    }

    #[test]
    fn a_listing_that_matches_the_folder_passes_in_any_order() {
        let dir = build_with(&["E2.json", "E1.json", "E3.json"]);
        let files = [
            view("api/areas/lsoa21/E3.json"),
            view("tiles/a"),
            view("api/areas/lsoa21/E1.json"),
            view("api/areas/lsoa21/E2.json"),
        ];
        check_listing(dir.path(), &files).expect("the listing matches");
    }

    #[test]
    fn an_area_file_missing_or_extra_or_a_wrong_size_is_named() {
        let dir = build_with(&["E1.json", "E3.json"]);
        let missing = check_listing(
            dir.path(),
            &[
                view("api/areas/lsoa21/E1.json"),
                view("api/areas/lsoa21/E2.json"),
                view("api/areas/lsoa21/E3.json"),
            ],
        )
        .expect_err("E2 is missing")
        .to_string();
        assert!(
            missing.contains("api/areas/lsoa21/E2.json") && missing.contains("missing"),
            "{missing}"
        );
        let extra = check_listing(dir.path(), &[view("api/areas/lsoa21/E1.json")])
            .expect_err("E3 is not listed")
            .to_string();
        assert!(
            extra.contains("api/areas/lsoa21/E3.json") && extra.contains("not in its manifest"),
            "{extra}"
        );
        let duplicate = check_listing(
            dir.path(),
            &[
                view("api/areas/lsoa21/E1.json"),
                view("api/areas/lsoa21/E1.json"),
                view("api/areas/lsoa21/E3.json"),
            ],
        )
        .expect_err("E1 is listed twice, there once");
        assert!(duplicate.to_string().contains("E1.json"), "{duplicate}");
        let mut wrong = view("tiles/a");
        wrong.bytes = 3;
        let size = check_listing(dir.path(), &[wrong])
            .expect_err("the size differs")
            .to_string();
        assert!(
            size.contains("tiles/a") && size.contains("3 bytes"),
            "{size}"
        );
    }

    #[test]
    fn the_manifest_view_refuses_another_format_naming_the_file() {
        let bytes = br#"{"format": 99, "cnimap_version": "0", "layers": [], "files": []}"#;
        let err = ManifestView::parse(Path::new("b/manifest.json"), bytes)
            .err()
            .expect("format 99 is refused")
            .to_string();
        assert!(
            err.contains("b/manifest.json") && err.contains("format 99"),
            "{err}"
        );
        let escaped = format!(
            r#"{{"format": {FORMAT}, "cnimap_version": "0", "layers": [],
            "files": [{{"path": "api/a\u00e9.json", "bytes": 1, "sha256": "ab"}}]}}"#
        );
        let view =
            ManifestView::parse(Path::new("manifest.json"), escaped.as_bytes()).expect("parses");
        assert_eq!(view.files[0].path, "api/aé.json");
    }
}
