//! The search index as the server holds it: ready at once (loaded with the data) or read from a
//! build on a background thread while the server already answers everything else. A search
//! request that comes before the index is read waits for it, so it gets the same answer, later.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use cnimap_search::SearchIndex;

use super::manifest;
use super::BuildError;

/// The search index, or the promise of it.
#[derive(Debug, Clone)]
pub struct SearchHandle(Arc<OnceLock<SearchIndex>>);

impl SearchHandle {
    /// An index already loaded.
    pub fn ready(index: SearchIndex) -> SearchHandle {
        let cell = OnceLock::new();
        // A new cell: this is its only value.
        let _ = cell.set(index);
        SearchHandle(Arc::new(cell))
    }

    /// Reads `dir/search/` (`files`: the manifest's entries under `search/`, each checked first)
    /// on a background thread. A build whose search index cannot be read stops the server with
    /// the file named: it cannot answer what it promises.
    pub fn read_in_background(dir: &Path, files: Vec<manifest::FileEntry>) -> SearchHandle {
        let cell = Arc::new(OnceLock::new());
        let dir: PathBuf = dir.to_path_buf();
        let filled = Arc::clone(&cell);
        std::thread::spawn(move || {
            let t = std::time::Instant::now();
            match read(&dir, &files) {
                Ok(index) => {
                    let _ = filled.set(index);
                    tracing::info!(
                        ms = t.elapsed().as_millis() as u64,
                        "search index read from the build"
                    );
                }
                Err(e) => {
                    let mut text = e.to_string();
                    let mut cause = std::error::Error::source(&e);
                    while let Some(c) = cause {
                        text.push_str(&format!(": {c}"));
                        cause = c.source();
                    }
                    tracing::error!("{text}");
                    eprintln!("error: {text}");
                    std::process::exit(1);
                }
            }
        });
        SearchHandle(cell)
    }

    /// Whether the index is ready (a request would not wait).
    pub fn is_ready(&self) -> bool {
        self.0.get().is_some()
    }
}

fn read(dir: &Path, files: &[manifest::FileEntry]) -> Result<SearchIndex, BuildError> {
    if files.is_empty() {
        return Err(BuildError::Listing {
            path: dir.join("search"),
            problem: "the build has no search index".into(),
        });
    }
    for f in files {
        manifest::verify_file(dir, f)?;
    }
    cnimap_search::compact::read_static(dir).map_err(|source| BuildError::Search {
        path: dir.join("search"),
        source,
    })
}

impl Deref for SearchHandle {
    type Target = SearchIndex;

    /// The index, waiting for it while it is being read.
    fn deref(&self) -> &SearchIndex {
        self.0.wait()
    }
}
