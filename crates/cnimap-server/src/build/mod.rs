//! The prepared build (issue 10; layout in /work/notes/build-layout.md): [`write`] prepares
//! everything once from the data and writes it atomically; [`open`] reads it back into an
//! [`crate::AppState`] without the national data; [`pmtiles`] reads tiles from the archives;
//! [`cache`] keys `serve --data`'s cached builds by the inputs; [`manifest`] lists and checks files;
//! [`answers`] decodes the table, the bulk lookup, the domain ranks and the left-behind wards from
//! the build's documents (as the browser does on a static site); [`lacks`] answers 501 for what a
//! build does not hold (a bulk lookup without `api/lookup/areas`).
//!
//! Area details are one file per area (`api/areas/<layer>/<code>.json`): a static host serves
//! them with no code at all, a request reads one small file (the OS page cache keeps the hot ones),
//! and a build of 74k areas is written in a few seconds (figures in BENCHMARKS.md).

pub mod answers;
pub mod cache;
pub mod documents;
pub mod lacks;
pub mod manifest;
pub mod open;
pub mod pmtiles;
pub mod search;
pub mod write;

use std::path::PathBuf;

pub use manifest::{Manifest, FORMAT};
pub use write::prepare;

/// Why a build could not be written or read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file the build needs is missing or unreadable.
    #[error("{}: missing or unreadable in the build", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file on disk is not what the manifest says.
    #[error("{}: checksum mismatch: the manifest says {expected}, the file has {found}", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
        /// What the manifest lists.
        expected: String,
        /// What was read.
        found: String,
    },
    /// A file in the build is not listed in the manifest, or a listed one is absent.
    #[error("{}: {problem}", path.display())]
    Listing {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("{}: not a valid build manifest", path.display())]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// The parser's reason.
        #[source]
        source: serde_json::Error,
    },
    /// The build was written in another layout version.
    #[error("{}: build format {found}, but this cnimap reads format {expected}: run cnimap prepare again", path.display())]
    Format {
        /// The manifest.
        path: PathBuf,
        /// The format found.
        found: u32,
        /// The format this binary reads.
        expected: u32,
    },
    /// A PMTiles archive is malformed.
    #[error("{}: not a usable PMTiles v3 archive: {problem}", path.display())]
    Pmtiles {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// Writing failed.
    #[error("writing {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The tiler failed writing an archive.
    #[error("writing the tiles of {layer}")]
    Tiles {
        /// The layer.
        layer: cnimap_core::Level,
        /// The tiler's reason.
        #[source]
        source: cnimap_tiles::TileError,
    },
    /// A document could not be encoded.
    #[error("encoding {what}")]
    Encode {
        /// What.
        what: String,
        /// Why.
        #[source]
        source: crate::http::EncodeError,
    },
    /// The search index could not be written or read.
    #[error("the search index in {}", path.display())]
    Search {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: cnimap_search::SearchError,
    },
    /// A worker thread stopped.
    #[error("{0} stopped unexpectedly")]
    Stopped(&'static str),
}
