//! `cnimap export-site`: a prepared build (see `notes/build-layout.md`: PMTiles archives,
//! `api/...json` documents, the search index) plus the built web app, as plain files that any
//! static host serves, with `site.json` at the root, the file by which the app knows it has no
//! server.
//!
//! The site is assembled in a temporary folder beside `--out` and renamed into place, so a failed
//! or interrupted export leaves the previous site untouched. Files are hard-linked from the build
//! and the web app when they are on the same file system (an export of the national build takes a
//! second, not a copy of every byte) and copied otherwise; the web app's compressible files
//! (`.js`, `.wasm`, `.css`, `.html`, `.svg` and the glyph `.pbf`s) get a gzip copy beside them, as
//! every build `.json` has, so nginx's `gzip_static` and object stores can send either (measured:
//! the wasm 1.90 MB -> 508 KB, MapLibre 1.06 MB -> 277 KB, a glyph range 96 -> 54 KB).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

/// The name of the marker file at the site's root (read by the web app's `api::detect`).
pub const SITE_FILE: &str = "site.json";

/// The `kind` written in [`SITE_FILE`].
pub const SITE_KIND: &str = "cnimap-static-site";

/// Extensions of the web app's files that get a `.gz` copy (the build's files are never touched:
/// its JSON has its `.gz` already and PMTiles archives are read by Range requests).
const COMPRESSED_EXTENSIONS: [&str; 6] = ["js", "wasm", "css", "html", "svg", "pbf"];

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportSiteError {
    /// The build folder lacks a file every build has.
    #[error("{build} is not a prepared build: {missing} is missing (run `cnimap prepare --data DIR --out {build}`)", build = .build.display(), missing = .missing.display())]
    NotABuild {
        /// The build folder given.
        build: PathBuf,
        /// The file that is not there.
        missing: PathBuf,
    },
    /// The build's manifest is not the JSON expected.
    #[error("reading the build manifest {}: {source}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The web app folder has no `index.html`.
    #[error("{} has no index.html: build the web app first (bash scripts/build-web.sh), or pass --static-dir", dir.display())]
    NoWebApp {
        /// The folder given.
        dir: PathBuf,
    },
    /// The same path is in the build and in the web app.
    #[error("{} is both in the build and in the web app: the site cannot hold both", path.display())]
    Clash {
        /// The path, relative to the site's root.
        path: PathBuf,
    },
    /// A file system operation failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done ("copying", "renaming", ...).
        what: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

fn io<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> ExportSiteError + 'a {
    move |source| ExportSiteError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    /// Files in the site (including the `.gz` copies and `site.json`).
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Files hard-linked rather than copied.
    pub linked: u64,
}

/// Writes the site: `build`'s files and `web_app`'s files under `out` (temporary folder, then
/// rename), plus `site.json` and gzip copies of the web app's text files.
///
/// # Errors
/// [`ExportSiteError::NotABuild`] or [`ExportSiteError::NoWebApp`] when an input is not what it
/// should be, [`ExportSiteError::Clash`] when both hold the same path, and
/// [`ExportSiteError::Io`] for any file that cannot be read or written.
pub fn export(build: &Path, web_app: &Path, out: &Path) -> Result<SiteReport, ExportSiteError> {
    let manifest_path = build.join("manifest.json");
    for required in ["manifest.json", "api/indicators.json", "tiles"] {
        if !build.join(required).exists() {
            return Err(ExportSiteError::NotABuild {
                build: build.to_path_buf(),
                missing: PathBuf::from(required),
            });
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&manifest_path).map_err(io("reading", &manifest_path))?)
            .map_err(|source| ExportSiteError::Manifest {
            path: manifest_path.clone(),
            source,
        })?;
    if !web_app.join("index.html").is_file() {
        return Err(ExportSiteError::NoWebApp {
            dir: web_app.to_path_buf(),
        });
    }

    let tmp = sibling(out, "tmp");
    remove_if_there(&tmp)?;
    fs::create_dir_all(&tmp).map_err(io("creating", &tmp))?;
    let result = (|| {
        let mut report = SiteReport::default();
        copy_tree(web_app, &tmp, true, &mut report)?;
        copy_tree(build, &tmp, false, &mut report)?;
        // The profile pages (`/area/{code}`): the app's page one folder down, with a `<base>`
        // back to the root; the host rewrites `/area/*` to it (tests/static/nginx.conf.template).
        let index = web_app.join("index.html");
        let html = fs::read_to_string(&index).map_err(io("reading", &index))?;
        if let Some(page) = crate::routes::static_files::profile_html(&html) {
            let folder = tmp.join(crate::routes::static_files::PROFILE_FOLDER);
            fs::create_dir_all(&folder).map_err(io("creating", &folder))?;
            let page_path = folder.join("index.html");
            fs::write(&page_path, page.as_bytes()).map_err(io("writing", &page_path))?;
            report.bytes += page.len() as u64 + gzip_file(&page_path, &gz_path(&page_path))?;
            report.files += 2;
        }
        let site = serde_json::json!({
            "kind": SITE_KIND,
            "format": 1,
            "cnimap_version": env!("CARGO_PKG_VERSION"),
            "build": {
                "cnimap_version": manifest.get("cnimap_version"),
                "built_at": manifest.get("built_at"),
            },
        });
        let site_path = tmp.join(SITE_FILE);
        let body =
            serde_json::to_vec_pretty(&site).map_err(|source| ExportSiteError::Manifest {
                path: site_path.clone(),
                source,
            })?;
        fs::write(&site_path, &body).map_err(io("writing", &site_path))?;
        report.files += 1;
        report.bytes += body.len() as u64;
        Ok(report)
    })();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    replace(&tmp, out)?;
    Ok(report)
}

/// `out` with `.{name}.{what}-{pid}` as its last component: beside it, on the same file system.
fn sibling(out: &Path, what: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    out.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

fn remove_if_there(path: &Path) -> Result<(), ExportSiteError> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("removing", path)(e)),
        _ => Ok(()),
    }
}

/// Moves `tmp` to `out`; an existing `out` is moved aside first and removed after.
fn replace(tmp: &Path, out: &Path) -> Result<(), ExportSiteError> {
    if out.exists() {
        let old = sibling(out, "old");
        remove_if_there(&old)?;
        fs::rename(out, &old).map_err(io("moving the previous site aside", out))?;
        if let Err(e) = fs::rename(tmp, out) {
            // Put the previous site back: a failed export changes nothing.
            let _ = fs::rename(&old, out);
            return Err(io("renaming", tmp)(e));
        }
        remove_if_there(&old)?;
    } else {
        fs::rename(tmp, out).map_err(io("renaming", tmp))?;
    }
    Ok(())
}

/// Links or copies every file under `from` to the same path under `to`; with `compress`, adds a
/// `.gz` beside each web text file that has none.
fn copy_tree(
    from: &Path,
    to: &Path,
    compress: bool,
    report: &mut SiteReport,
) -> Result<(), ExportSiteError> {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = from.join(&rel);
        let entries = fs::read_dir(&dir).map_err(io("reading", &dir))?;
        fs::create_dir_all(to.join(&rel)).map_err(io("creating", &to.join(&rel)))?;
        for entry in entries {
            let entry = entry.map_err(io("reading", &dir))?;
            let rel_path = rel.join(entry.file_name());
            let kind = entry.file_type().map_err(io("reading", &entry.path()))?;
            if kind.is_dir() {
                stack.push(rel_path);
                continue;
            }
            let source = entry.path();
            let target = to.join(&rel_path);
            if target.exists() {
                return Err(ExportSiteError::Clash { path: rel_path });
            }
            // Follows symbolic links: the site holds the files themselves.
            let bytes = fs::metadata(&source).map_err(io("reading", &source))?.len();
            if fs::hard_link(&source, &target).is_ok() {
                report.linked += 1;
            } else {
                fs::copy(&source, &target).map_err(io("copying", &source))?;
            }
            report.files += 1;
            report.bytes += bytes;
            if compress && wants_gzip(&rel_path) && !from.join(gz_path(&rel_path)).exists() {
                report.bytes += gzip_file(&source, &to.join(gz_path(&rel_path)))?;
                report.files += 1;
            }
        }
    }
    Ok(())
}

fn wants_gzip(rel: &Path) -> bool {
    rel.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSED_EXTENSIONS.contains(&e))
}

fn gz_path(rel: &Path) -> PathBuf {
    let mut name = rel.as_os_str().to_owned();
    name.push(".gz");
    PathBuf::from(name)
}

/// Writes `source` gzipped (best compression) to `target`; returns the bytes written.
fn gzip_file(source: &Path, target: &Path) -> Result<u64, ExportSiteError> {
    let body = fs::read(source).map_err(io("reading", source))?;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(&body)
        .and_then(|()| encoder.finish())
        .and_then(|gz| fs::write(target, &gz).map(|()| gz.len() as u64))
        .map_err(io("compressing", source))
}

/// Where the build comes from.
#[derive(Debug, Clone)]
pub enum BuildInput {
    /// A folder written by `cnimap prepare`.
    Build(PathBuf),
    /// A data directory: `cnimap prepare` runs first, into a temporary folder beside the site.
    Data(PathBuf),
}

/// `cnimap export-site`: prepares when given data (by running this binary's `prepare`), then
/// [`export`]s, and logs what it wrote.
pub fn run(input: &BuildInput, web_app: &Path, out: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let started = std::time::Instant::now();
    let (build, temporary) = match input {
        BuildInput::Build(b) => (b.clone(), None),
        BuildInput::Data(data) => {
            let build = sibling(out, "build");
            let exe =
                std::env::current_exe().context("finding the cnimap binary to run prepare")?;
            tracing::info!(data = %data.display(), build = %build.display(), "preparing the build first");
            let status = std::process::Command::new(&exe)
                .arg("prepare")
                .arg("--data")
                .arg(data)
                .arg("--out")
                .arg(&build)
                .status()
                .with_context(|| format!("running {} prepare", exe.display()))?;
            anyhow::ensure!(
                status.success(),
                "`cnimap prepare --data {}` failed ({status}); nothing was exported",
                data.display()
            );
            (build.clone(), Some(build))
        }
    };
    let result = export(&build, web_app, out);
    if let Some(t) = temporary {
        let _ = fs::remove_dir_all(t);
    }
    let report = result.with_context(|| format!("exporting the site to {}", out.display()))?;
    tracing::info!(
        files = report.files,
        megabytes = report.bytes / 1_000_000,
        linked = report.linked,
        seconds = started.elapsed().as_secs_f64(),
        out = %out.display(),
        "static site written"
    );
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]
mod tests {
    use super::*;

    fn write(path: &Path, body: &str) {
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).unwrap();
        }
        fs::write(path, body).unwrap();
    }

    /// A tiny build and web app in a temp dir.
    fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let build = dir.path().join("build");
        let web = dir.path().join("dist");
        write(
            &build.join("manifest.json"),
            r#"{"format":1,"cnimap_version":"0.1.0","built_at":"2026-12-01T19:00:00Z"}"#,
        );
        write(&build.join("api/indicators.json"), r#"{"indicators":[]}"#);
        write(&build.join("api/indicators.json.gz"), "gz");
        write(&build.join("tiles/region.pmtiles"), "PMTiles");
        write(&web.join("index.html"), "<html>app</html>");
        write(&web.join("app-0123.wasm"), &"wasm ".repeat(1000));
        write(&web.join("glyphs/DejaVu Sans/0-255.pbf"), "glyph");
        (dir, build, web)
    }

    #[test]
    fn the_site_holds_the_build_the_app_gzip_copies_and_the_marker() {
        let (dir, build, web) = fixture();
        let out = dir.path().join("site");
        let report = export(&build, &web, &out).unwrap();
        for f in [
            "index.html",
            "index.html.gz",
            "app-0123.wasm",
            "app-0123.wasm.gz",
            "glyphs/DejaVu Sans/0-255.pbf",
            "api/indicators.json",
            "api/indicators.json.gz",
            "tiles/region.pmtiles",
            "manifest.json",
        ] {
            assert!(out.join(f).is_file(), "{f} is missing");
        }
        assert!(out.join("glyphs/DejaVu Sans/0-255.pbf.gz").is_file());
        // The build's files are copied as they are: never a gzip of a PMTiles archive.
        assert!(!out.join("tiles/region.pmtiles.gz").exists());
        let site: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join(SITE_FILE)).unwrap()).unwrap();
        assert_eq!(site["kind"], SITE_KIND);
        assert_eq!(site["build"]["built_at"], "2026-12-01T19:00:00Z");
        // The gzip copy decodes to the original.
        let gz = fs::read(out.join("app-0123.wasm.gz")).unwrap();
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain)
            .unwrap();
        assert_eq!(plain, "wasm ".repeat(1000));
        assert_eq!(report.files, 11);
        // No temporary folder is left beside the site.
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }

    #[test]
    fn the_profile_page_is_the_app_page_with_a_base_back_to_the_root() {
        let (dir, build, web) = fixture();
        write(
            &web.join("index.html"),
            "<html><head><title>app</title></head></html>",
        );
        let out = dir.path().join("site");
        export(&build, &web, &out).unwrap();
        let page = fs::read_to_string(out.join("area/index.html")).unwrap();
        assert_eq!(
            page,
            "<html><head><base href=\"../\"><title>app</title></head></html>"
        );
        assert!(out.join("area/index.html.gz").is_file());
    }

    #[test]
    fn a_second_export_replaces_the_first_and_a_failed_one_leaves_it() {
        let (dir, build, web) = fixture();
        let out = dir.path().join("site");
        export(&build, &web, &out).unwrap();
        write(&out.join("stale.txt"), "from before");
        export(&build, &web, &out).unwrap();
        assert!(!out.join("stale.txt").exists());
        write(&out.join("stale.txt"), "from before");
        // The web app now clashes with the build: the export fails and the old site stays.
        write(&web.join("api/indicators.json"), "{}");
        let err = export(&build, &web, &out).unwrap_err();
        assert!(matches!(err, ExportSiteError::Clash { .. }), "{err}");
        assert!(err.to_string().contains("api/indicators.json"), "{err}");
        assert!(out.join("stale.txt").is_file());
        assert!(out.join(SITE_FILE).is_file());
    }

    #[test]
    fn a_folder_that_is_not_a_build_is_named_with_what_it_lacks() {
        let (dir, build, web) = fixture();
        fs::remove_file(build.join("api/indicators.json")).unwrap();
        let err = export(&build, &web, &dir.path().join("site")).unwrap_err();
        assert!(
            err.to_string().contains("api/indicators.json is missing"),
            "{err}"
        );
        let err = export(&dir.path().join("nowhere"), &web, &dir.path().join("site")).unwrap_err();
        assert!(matches!(err, ExportSiteError::NotABuild { .. }), "{err}");
        let empty = dir.path().join("empty");
        fs::create_dir_all(&empty).unwrap();
        fixture_build_again(&build);
        let err = export(&build, &empty, &dir.path().join("site")).unwrap_err();
        assert!(matches!(err, ExportSiteError::NoWebApp { .. }), "{err}");
        assert!(!dir.path().join("site").exists());
    }

    fn fixture_build_again(build: &Path) {
        write(&build.join("api/indicators.json"), r#"{"indicators":[]}"#);
    }
}
