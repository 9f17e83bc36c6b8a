//! The sources manifest, `data/sources.toml`: every file `cnimap check` reads, with its size,
//! SHA-256, licence, attribution, and how `fetch` gets it (download, convert, or mirror only).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::FetchError;

/// The manifest built into the binary (`data/sources.toml` at the repository root).
pub const EMBEDDED: &str = include_str!("../../../data/sources.toml");

/// Where the built-in manifest lives in the repository, for messages.
pub const EMBEDDED_PATH: &str = "data/sources.toml";

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// Downloads that conversions read (published files in a form cnimap does not read).
    #[serde(default, rename = "input")]
    pub inputs: Vec<Input>,
    /// The files of the data directory, in the order they are fetched (a conversion that needs
    /// another output comes after it).
    #[serde(rename = "file")]
    pub files: Vec<FileEntry>,
    /// Where the manifest was read from (set after parsing).
    #[serde(skip)]
    pub origin: PathBuf,
}

/// A published file that a conversion reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The name conversions refer to.
    pub id: String,
    /// Where it is published.
    pub url: String,
    /// Its size in bytes, when known.
    pub size: Option<u64>,
    /// Its SHA-256, when known.
    pub sha256: Option<String>,
    /// What it is.
    pub what: String,
    /// Its licence.
    pub licence: String,
    /// What was and was not confirmed about it.
    pub confirmed: String,
}

/// One file of the data directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path relative to the data directory, with `/` separators.
    pub path: String,
    /// Size in bytes of the file this project was built and tested on.
    pub size: u64,
    /// SHA-256 of that file, 64 lower-case hex digits.
    pub sha256: String,
    /// What it is.
    pub what: String,
    /// Who publishes the data in it.
    pub publisher: String,
    /// Its licence.
    pub licence: String,
    /// The attribution to show with it.
    pub attribution: String,
    /// The publisher's page for the data (documentation; never downloaded).
    pub page: Option<String>,
    /// How `fetch` gets it without a mirror.
    pub fetch: FetchMethod,
    /// For [`FetchMethod::Download`]: the URL of the file exactly as cnimap reads it.
    pub url: Option<String>,
    /// For [`FetchMethod::Convert`]: how it is made from a published input.
    pub convert: Option<Convert>,
    /// For [`FetchMethod::MirrorOnly`]: why no public source reproduces it.
    pub reason: Option<String>,
    /// What was confirmed about this file and its source, and what was not.
    pub confirmed: String,
}

/// How a file is fetched when no mirror is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchMethod {
    /// Downloaded as is from `url`.
    Download,
    /// Made from a published input by a conversion.
    Convert,
    /// Not reproducible from a public source: only a mirror has it.
    MirrorOnly,
}

/// A conversion from a published input to the file cnimap reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Convert {
    /// Which conversion.
    pub kind: ConvertKind,
    /// The [`Input`] it reads.
    pub input: String,
    /// The columns to write, in order.
    pub columns: Vec<ColumnSpec>,
    /// For [`ConvertKind::Cni2023LeftBehind`]: the IMD 2025 file (already fetched) whose deciles
    /// the flag needs, relative to the data directory.
    pub imd: Option<String>,
}

/// The conversions `fetch` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConvertKind {
    /// Select and rename columns of a CSV, reformatting numbers.
    SelectColumns,
    /// Select columns, then add the "Left Behind Area?" flag: CNI decile 1 (dplyr `ntile` of the
    /// CNI rank) and IMD 2025 decile 1, as the humaniverse/IMD package computes it.
    Cni2023LeftBehind,
}

/// One output column of a conversion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The header to write.
    pub name: String,
    /// The input column, by header.
    pub from: Option<String>,
    /// The input column, by 1-based position (when the publisher's headers are not known).
    pub position: Option<usize>,
    /// How to write its values.
    pub format: Format,
}

/// How a converted value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// As it is (trimmed).
    Text,
    /// A whole number (thousands separators dropped).
    Integer,
    /// A decimal number in the shortest form that reads back the same, always with a decimal
    /// point or an exponent ("157.0", "8.742", "1e-05"), as Python writes floats.
    Float,
}

impl Sources {
    /// The manifest built into the binary.
    pub fn embedded() -> Result<Sources, FetchError> {
        Sources::parse(EMBEDDED, Path::new(EMBEDDED_PATH))
    }

    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Sources, FetchError> {
        let text = std::fs::read_to_string(path).map_err(|e| FetchError::Sources {
            path: path.into(),
            message: format!("cannot read the file: {e}"),
        })?;
        Sources::parse(&text, path)
    }

    /// Parses and checks a manifest; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Sources, FetchError> {
        let bad = |message: String| FetchError::Sources {
            path: path.into(),
            message,
        };
        let mut sources: Sources = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        sources.origin = path.into();
        let mut ids = HashSet::new();
        for input in &sources.inputs {
            if !ids.insert(input.id.as_str()) {
                return Err(bad(format!("input {:?} is listed twice", input.id)));
            }
            check_url(&input.url).map_err(|m| bad(format!("input {:?}: {m}", input.id)))?;
            if let Some(h) = &input.sha256 {
                check_sha(h).map_err(|m| bad(format!("input {:?}: {m}", input.id)))?;
            }
        }
        let mut paths = HashSet::new();
        for (i, f) in sources.files.iter().enumerate() {
            let here = |m: String| bad(format!("file {:?}: {m}", f.path));
            check_relative(&f.path).map_err(here)?;
            if !paths.insert(f.path.as_str()) {
                return Err(here("listed twice".into()));
            }
            check_sha(&f.sha256).map_err(here)?;
            match f.fetch {
                FetchMethod::Download => {
                    let url = f
                        .url
                        .as_deref()
                        .ok_or_else(|| here("fetch = \"download\" needs a url".into()))?;
                    check_url(url).map_err(here)?;
                }
                FetchMethod::Convert => {
                    let c = f
                        .convert
                        .as_ref()
                        .ok_or_else(|| here("fetch = \"convert\" needs [file.convert]".into()))?;
                    if !ids.contains(c.input.as_str()) {
                        return Err(here(format!(
                            "convert.input {:?} is not an [[input]]",
                            c.input
                        )));
                    }
                    for col in &c.columns {
                        if col.from.is_some() == col.position.is_some() {
                            return Err(here(format!(
                                "column {:?} needs exactly one of from or position",
                                col.name
                            )));
                        }
                    }
                    if c.kind == ConvertKind::Cni2023LeftBehind {
                        let imd = c.imd.as_deref().ok_or_else(|| {
                            here("kind = \"cni2023-left-behind\" needs imd".into())
                        })?;
                        // The IMD file must be fetched first.
                        if !sources.files[..i].iter().any(|g| g.path == imd) {
                            return Err(here(format!(
                                "convert.imd {imd:?} must be listed before it"
                            )));
                        }
                    }
                }
                FetchMethod::MirrorOnly => {
                    if f.reason.as_deref().is_none_or(str::is_empty) {
                        return Err(here("fetch = \"mirror-only\" needs a reason".into()));
                    }
                }
            }
        }
        Ok(sources)
    }

    /// The input with this id.
    pub fn input(&self, id: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.id == id)
    }

    /// The total size of the files, in bytes.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The entry whose path, or file name, is `name`.
    pub fn find(&self, name: &str) -> Option<&FileEntry> {
        self.files
            .iter()
            .find(|f| f.path == name)
            .or_else(|| self.files.iter().find(|f| f.file_name() == name))
    }
}

impl FileEntry {
    /// The last component of the path.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(format!("url {url:?} is not http:// or https://"))
    }
}

fn check_sha(h: &str) -> Result<(), String> {
    if h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(format!("sha256 {h:?} is not 64 lower-case hex digits"))
    }
}

/// A path must stay inside the data directory: relative, `/`-separated, no `..`, no empty or
/// hidden components (hidden names are kept for fetch's own staging directory).
fn check_relative(path: &str) -> Result<(), String> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && !c.starts_with('.') && c != "..");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "path {path:?} must be relative, /-separated, without empty, hidden or .. parts"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[file]]
path = "a/b.csv"
size = 3
sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
what = "x"
publisher = "p"
licence = "l"
attribution = "a"
fetch = "mirror-only"
reason = "made by hand."
confirmed = "nothing"
"#;

    #[test]
    fn a_minimal_manifest_parses() {
        let s = Sources::parse(MINIMAL, Path::new("t.toml")).expect("parses");
        assert_eq!(s.files.len(), 1);
        assert_eq!(s.total_size(), 3);
        assert_eq!(s.find("b.csv").map(|f| f.path.as_str()), Some("a/b.csv"));
    }

    #[test]
    fn a_path_that_leaves_the_data_directory_is_refused() {
        for bad in ["../x.csv", "/etc/x", "a//b", ".fetch-partial/x", "a\\\\b"] {
            let text = MINIMAL.replace("a/b.csv", bad);
            let err = Sources::parse(&text, Path::new("t.toml")).expect_err(bad);
            assert!(err.to_string().contains("must be relative"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_bad_checksum_is_refused() {
        let text = MINIMAL.replace("ba7816bf", "BA7816BF");
        let err = Sources::parse(&text, Path::new("t.toml")).expect_err("upper case");
        assert!(err.to_string().contains("64 lower-case hex"), "{err}");
    }

    #[test]
    fn mirror_only_without_a_reason_is_refused() {
        let text = MINIMAL.replace("reason = \"made by hand.\"\n", "");
        let err = Sources::parse(&text, Path::new("t.toml")).expect_err("no reason");
        assert!(err.to_string().contains("needs a reason"), "{err}");
    }

    #[test]
    fn the_built_in_manifest_parses() {
        let s = Sources::embedded().expect("data/sources.toml parses");
        assert!(!s.files.is_empty());
    }
}
