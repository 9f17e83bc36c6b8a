//! Errors of `cnimap data fetch`: one [`FileError`] per file that could not be put in place, and
//! the [`FetchError`] that `run` returns.

use std::fmt;
use std::path::PathBuf;

/// Why one file could not be fetched. Every variant names the file (its path relative to the data
/// directory) and, where there is one, the URL it was fetched from.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The server answered 404 or 410: the source has moved or been withdrawn.
    #[error("{path}: the source has moved or been withdrawn: HTTP {status} for {url}")]
    Moved {
        /// The file.
        path: String,
        /// The URL that was asked for.
        url: String,
        /// 404 or 410.
        status: u16,
    },
    /// Any other unsuccessful HTTP status.
    #[error("{path}: HTTP {status} for {url}")]
    Http {
        /// The file.
        path: String,
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The connection failed or timed out before the download finished.
    #[error("{path}: download from {url} failed after {got} bytes{resume}: {source}")]
    Network {
        /// The file.
        path: String,
        /// The URL.
        url: String,
        /// Bytes held in the partial file when it stopped.
        got: u64,
        /// ", run again to resume" when a partial file was kept.
        resume: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The download finished with a different size from the one recorded.
    #[error("{path}: {url} gave {found} bytes, expected {expected}: the file is truncated or has changed (nothing was written)")]
    Size {
        /// The file.
        path: String,
        /// The URL.
        url: String,
        /// The size in sources.toml.
        expected: u64,
        /// The size received.
        found: u64,
    },
    /// The content differs from the one this project was built and tested on.
    #[error("{path}: checksum changed: {url} gave SHA-256 {found}, expected {expected} (nothing was written)")]
    Checksum {
        /// The file.
        path: String,
        /// The URL (for a converted file, the URL of its input).
        url: String,
        /// The SHA-256 in sources.toml.
        expected: String,
        /// The SHA-256 of what was received or made.
        found: String,
    },
    /// No public source reproduces this file; only a mirror can provide it.
    #[error("{path}: no public source reproduces this file: {reason} Fetch it from a copy of the data directory with --mirror URL")]
    MirrorOnly {
        /// The file.
        path: String,
        /// Why, from sources.toml.
        reason: String,
    },
    /// Converting a downloaded input into the file cnimap reads failed.
    #[error("{path}: converting {input} failed: {source}")]
    Convert {
        /// The file being made.
        path: String,
        /// The input file.
        input: String,
        /// The cause.
        #[source]
        source: Box<ConvertError>,
    },
    /// A local file could not be read or written.
    #[error("{path}: {what} {file}: {source}")]
    Io {
        /// The data file concerned.
        path: String,
        /// What was being done ("cannot write").
        what: &'static str,
        /// The local file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl FileError {
    /// The data file this error is about.
    pub fn path(&self) -> &str {
        match self {
            FileError::Moved { path, .. }
            | FileError::Http { path, .. }
            | FileError::Network { path, .. }
            | FileError::Size { path, .. }
            | FileError::Checksum { path, .. }
            | FileError::MirrorOnly { path, .. }
            | FileError::Convert { path, .. }
            | FileError::Io { path, .. } => path,
        }
    }
}

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The input could not be read as cnimap reads CSV (missing column, bad value, bad row).
    #[error(transparent)]
    Read(#[from] cnimap_data::DataError),
    /// A column named by position is past the end of the header.
    #[error("{file}: column {position} does not exist (the header has {found} columns)")]
    NoSuchPosition {
        /// The input file.
        file: PathBuf,
        /// The 1-based position asked for.
        position: usize,
        /// How many columns there are.
        found: usize,
    },
    /// A column named by position has a header that appears more than once.
    #[error("{file}: column {position} ({name:?}) is not the only column with that header")]
    AmbiguousPosition {
        /// The input file.
        file: PathBuf,
        /// The 1-based position.
        position: usize,
        /// Its header.
        name: String,
    },
    /// A file this conversion needs has not been fetched yet.
    #[error("it needs {needs}, which is not in the output directory yet (fetch it first)")]
    Needs {
        /// The needed file, relative to the data directory.
        needs: String,
    },
    /// Writing the output failed.
    #[error("writing {file}: {source}")]
    Write {
        /// The output file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Why `cnimap data fetch` failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// sources.toml could not be read or is malformed.
    #[error("{path}: {message}")]
    Sources {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, with the line when the TOML parser gives one.
        message: String,
    },
    /// `--only` named a file that is not in the manifest.
    #[error("--only {name}: no such file in {sources} (it lists: {known})")]
    UnknownFile {
        /// The name given.
        name: String,
        /// The manifest.
        sources: PathBuf,
        /// The files it lists.
        known: String,
    },
    /// `--mirror` is not an http:// or https:// URL.
    #[error("--mirror {url}: expected an http:// or https:// URL")]
    BadMirror {
        /// The value given.
        url: String,
    },
    /// The output directory could not be created.
    #[error("cannot create the output directory {path}: {source}")]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Some files could not be fetched; the others are in place.
    #[error("{}", Incomplete(.failed, *.ok))]
    Incomplete {
        /// The files that failed, each with its reason.
        failed: Vec<FileError>,
        /// How many files are in place and verified.
        ok: usize,
    },
}

struct Incomplete<'a>(&'a [FileError], usize);

impl fmt::Display for Incomplete<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Incomplete(failed, ok) = self;
        write!(
            f,
            "{} of {} files could not be fetched ({ok} in place and verified):",
            failed.len(),
            failed.len() + ok
        )?;
        for e in *failed {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}
