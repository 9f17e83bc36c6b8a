//! One file at a time: skip it when it is already in place and verified, else download (from its
//! source or a mirror) or convert into the staging directory, verify size and SHA-256, and rename
//! into place. A failed file leaves the output directory as it was.

use std::path::{Path, PathBuf};

use crate::convert;
use crate::digest::sha256_file;
use crate::error::FileError;
use crate::http::{remove, Client};
use crate::progress::human_bytes;
use crate::sources::{FetchMethod, FileEntry, Sources};

/// The hidden staging directory inside the output directory: `.part` files of unfinished
/// downloads (kept so that the next run resumes them) and verified inputs of conversions. It is
/// removed when a run fetches everything; cnimap never reads it.
pub const STAGING_DIR: &str = ".fetch-partial";

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It was already there with the right size and SHA-256.
    AlreadyInPlace,
    /// It was downloaded (or converted) and verified; `bytes` were transferred in this run.
    Fetched {
        /// Bytes downloaded in this run (a resumed download counts only the rest).
        bytes: u64,
        /// Bytes of a partial file from an earlier run that this run continued.
        resumed_from: u64,
    },
}

/// Where a run reads from and writes to.
pub struct Fetcher<'a> {
    /// The manifest.
    pub sources: &'a Sources,
    /// The output (data) directory.
    pub out: &'a Path,
    /// The mirror base URL, without a trailing slash.
    pub mirror: Option<&'a str>,
    /// The HTTP client.
    pub client: Client,
}

impl Fetcher<'_> {
    fn staging(&self) -> PathBuf {
        self.out.join(STAGING_DIR)
    }

    /// Puts one file in place; `label` prefixes progress and messages.
    pub fn fetch_one(&self, entry: &FileEntry, label: &str) -> Result<Outcome, FileError> {
        let target = self.out.join(&entry.path);
        if target.is_file() {
            let (sha, size) =
                sha256_file(&target).map_err(|e| io(entry, "cannot read", &target, e))?;
            if sha == entry.sha256 && size == entry.size {
                return Ok(Outcome::AlreadyInPlace);
            }
            tracing::warn!(
                "{label}: the file in place differs from the expected one ({size} bytes, SHA-256 {sha}): fetching it again; it is replaced only once the new one is verified"
            );
        }
        if let Some(mirror) = self.mirror {
            let url = format!("{mirror}/{}", encode_path(&entry.path));
            return self.download_verified(entry, label, &url, &target);
        }
        match entry.fetch {
            FetchMethod::Download => {
                let url = entry.url.as_deref().unwrap_or_default();
                self.download_verified(entry, label, url, &target)
            }
            FetchMethod::Convert => self.convert_verified(entry, label, &target),
            FetchMethod::MirrorOnly => Err(FileError::MirrorOnly {
                path: entry.path.clone(),
                reason: entry.reason.clone().unwrap_or_default(),
            }),
        }
    }

    fn download_verified(
        &self,
        entry: &FileEntry,
        label: &str,
        url: &str,
        target: &Path,
    ) -> Result<Outcome, FileError> {
        let part = self.staging().join(format!("{}.part", entry.path));
        let got = self
            .client
            .download(&entry.path, label, url, &part, Some(entry.size))?;
        verify(entry, url, &part, Some(entry.size), Some(&entry.sha256))?;
        place(entry, &part, target)?;
        Ok(Outcome::Fetched {
            bytes: got.size - got.resumed_from,
            resumed_from: got.resumed_from,
        })
    }

    fn convert_verified(
        &self,
        entry: &FileEntry,
        label: &str,
        target: &Path,
    ) -> Result<Outcome, FileError> {
        let spec = entry
            .convert
            .as_ref()
            .ok_or_else(|| FileError::MirrorOnly {
                path: entry.path.clone(),
                reason: "sources.toml gives no conversion for it.".into(),
            })?;
        let input = self
            .sources
            .input(&spec.input)
            .ok_or_else(|| FileError::MirrorOnly {
                path: entry.path.clone(),
                reason: format!("sources.toml has no input {:?}.", spec.input),
            })?;
        // Inputs are kept, verified, in the staging directory while the run lasts: several files
        // may be made from one input.
        let inputs = self.staging().join("inputs");
        let have = inputs.join(format!("{}.csv", input.id));
        let mut outcome = Outcome::Fetched {
            bytes: 0,
            resumed_from: 0,
        };
        if !have.is_file() {
            let part = inputs.join(format!("{}.csv.part", input.id));
            let in_label = format!("{label} <- {}", input.id);
            let got =
                self.client
                    .download(&entry.path, &in_label, &input.url, &part, input.size)?;
            verify(
                entry,
                &input.url,
                &part,
                input.size,
                input.sha256.as_deref(),
            )?;
            std::fs::rename(&part, &have).map_err(|e| io(entry, "cannot rename", &part, e))?;
            outcome = Outcome::Fetched {
                bytes: got.size - got.resumed_from,
                resumed_from: got.resumed_from,
            };
        }
        let made = self.staging().join(format!("{}.converting", entry.path));
        if let Some(parent) = made.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(entry, "cannot create", parent, e))?;
        }
        tracing::info!("{label}: converting {} ({})", input.id, spec_kind(spec));
        let result =
            convert::convert(spec, &have, self.out, &made).map_err(|source| FileError::Convert {
                path: entry.path.clone(),
                input: input.url.clone(),
                source: Box::new(source),
            });
        if let Err(e) = result {
            let _ = remove(&made);
            return Err(e);
        }
        verify(
            entry,
            &input.url,
            &made,
            Some(entry.size),
            Some(&entry.sha256),
        )?;
        place(entry, &made, target)?;
        Ok(outcome)
    }
}

fn spec_kind(spec: &crate::sources::Convert) -> &'static str {
    match spec.kind {
        crate::sources::ConvertKind::SelectColumns => "select and rename columns",
        crate::sources::ConvertKind::Cni2023LeftBehind => {
            "select columns, add the left-behind flag from IMD 2025"
        }
    }
}

/// Checks the size (when known) then the SHA-256 (when known) of `file`; on a mismatch removes it
/// (a complete but wrong file is no use to resume) and says what was expected and found.
fn verify(
    entry: &FileEntry,
    url: &str,
    file: &Path,
    size: Option<u64>,
    sha: Option<&str>,
) -> Result<(), FileError> {
    let (found, found_size) = sha256_file(file).map_err(|e| io(entry, "cannot read", file, e))?;
    if let Some(expected) = size.filter(|s| *s != found_size) {
        let _ = remove(file);
        return Err(FileError::Size {
            path: entry.path.clone(),
            url: url.into(),
            expected,
            found: found_size,
        });
    }
    if let Some(expected) = sha.filter(|s| *s != found) {
        let _ = remove(file);
        return Err(FileError::Checksum {
            path: entry.path.clone(),
            url: url.into(),
            expected: expected.into(),
            found,
        });
    }
    Ok(())
}

/// Renames a verified file into place (same file system: both are inside the output directory).
fn place(entry: &FileEntry, from: &Path, target: &Path) -> Result<(), FileError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(entry, "cannot create", parent, e))?;
    }
    std::fs::rename(from, target).map_err(|e| io(entry, "cannot rename into place", target, e))?;
    tracing::debug!("{}: in place ({})", entry.path, human_bytes(entry.size));
    Ok(())
}

fn io(entry: &FileEntry, what: &'static str, file: &Path, source: std::io::Error) -> FileError {
    FileError::Io {
        path: entry.path.clone(),
        what,
        file: file.into(),
        source,
    }
}

/// Percent-encodes each path segment for a URL (letters, digits and `-._~` stay as they are).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn paths_are_encoded_for_urls_and_slashes_kept() {
        assert_eq!(
            encode_path("indicators/iod2019_official/File_1_-_IMD2019.csv.gz"),
            "indicators/iod2019_official/File_1_-_IMD2019.csv.gz"
        );
        assert_eq!(encode_path("a b/c?.csv"), "a%20b/c%3F.csv");
    }
}
