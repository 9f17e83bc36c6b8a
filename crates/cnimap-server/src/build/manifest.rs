//! `manifest.json`: what a prepared build holds (format, version, build time, the inputs' and every
//! file's size and SHA-256, the tiled layers and the layers with area details), read and checked.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use cnimap_core::Level;

use super::BuildError;

/// The layout version this binary writes and reads (docs: /work/notes/build-layout.md).
pub const FORMAT: u32 = 1;

/// The manifest's file name inside a build.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// The cnimap version that wrote the build.
    pub cnimap_version: String,
    /// When the build was written (RFC 3339, UTC).
    pub built_at: String,
    /// Every input file read, relative to the data directory (absolute for files outside it).
    pub inputs: Vec<FileEntry>,
    /// The tiled layers, in served order.
    pub layers: Vec<TiledLayer>,
    /// Every layer with area details (all loaded layers), in the atlas's order.
    #[serde(default)]
    pub areas: Vec<AreaLayerEntry>,
    /// Every other file of the build, relative to it, `/`-separated.
    pub files: Vec<FileEntry>,
}

/// One file: path, size and SHA-256 (lower-case hex).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A tiled layer and its archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TiledLayer {
    /// The layer.
    pub layer: Level,
    /// `tiles/<layer>.pmtiles`.
    pub tiles: String,
    /// The first zoom with tiles.
    pub minzoom: u8,
    /// The last zoom with tiles.
    pub maxzoom: u8,
}

/// A layer with area details under `api/areas/<layer>/`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AreaLayerEntry {
    /// The layer.
    pub layer: Level,
    /// Its title (as in TileJSON's `description`).
    pub title: String,
    /// How many areas it has.
    pub features: u32,
}

impl Manifest {
    /// Reads `dir/manifest.json` and checks its format.
    pub fn read(dir: &Path) -> Result<Manifest, BuildError> {
        let path = dir.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(|source| BuildError::Missing {
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|source| BuildError::BadManifest {
                path: path.clone(),
                source,
            })?;
        if manifest.format != FORMAT {
            return Err(BuildError::Format {
                path,
                found: manifest.format,
                expected: FORMAT,
            });
        }
        Ok(manifest)
    }

    /// The entry of a file, by relative path.
    pub fn file(&self, rel: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == rel)
    }

    /// Re-reads every listed file and checks its size and SHA-256; the first mismatch is an error
    /// naming the file.
    pub fn verify_all(&self, dir: &Path) -> Result<(), BuildError> {
        for f in &self.files {
            verify_file(dir, f)?;
        }
        Ok(())
    }
}

/// Checks one file's size and SHA-256 against its entry.
pub fn verify_file(dir: &Path, entry: &FileEntry) -> Result<(), BuildError> {
    let path = dir.join(&entry.path);
    let (bytes, sha256) = hash_file(&path).map_err(|source| BuildError::Missing {
        path: path.clone(),
        source,
    })?;
    check(&path, entry, bytes, &sha256)
}

/// Compares a file's measured size and hash with its entry.
pub fn check(path: &Path, entry: &FileEntry, bytes: u64, sha256: &str) -> Result<(), BuildError> {
    if bytes != entry.bytes || sha256 != entry.sha256 {
        return Err(BuildError::Checksum {
            path: path.to_path_buf(),
            expected: format!("{} bytes, sha256 {}", entry.bytes, entry.sha256),
            found: format!("{bytes} bytes, sha256 {sha256}"),
        });
    }
    Ok(())
}

/// Size and SHA-256 (hex) of a file, read in 1 MiB blocks.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex(&h.finalize())))
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// The time now as RFC 3339 UTC (`2026-12-01T19:04:05Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 UTC (Howard Hinnant's civil-from-days).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// A path relative to `base`, `/`-separated; absolute (lossy) when it is not under `base`.
pub fn relative(base: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(base)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates_match_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_151_845), "2026-12-01T19:04:05Z");
    }

    #[test]
    fn hex_is_lower_case_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
