//! Search on the static site (issue 10): no server, so the browser runs the very search the
//! server runs (`cnimap-search` compiled to wasm, same ranking and typo tolerance) over the
//! compact index `cnimap prepare` writes under `search/` (see `cnimap_search::compact`).
//!
//! The names index (`search/index.bin`, about 2 MB gzip on the national data) is fetched once,
//! lazily: on the first focus of the search box ([`preload`]) or the first query. A postcode
//! query fetches the shard of its outcode (`search/postcodes/<OUTCODE>.bin`, a few KB) the first
//! time one is needed; later queries in that outcode need no request. A failed load is forgotten,
//! so the next query tries again.

use std::cell::RefCell;
use std::rc::Rc;

use cnimap_core::api::SearchResponse;
use cnimap_search::compact::{shard_file, NAMES_FILE, SEARCH_DIR};
use cnimap_search::SearchIndex;
use futures::future::{FutureExt, LocalBoxFuture, Shared};

use crate::api::ApiError;

/// The index once loaded, shared by every query.
type Loaded = Result<Rc<RefCell<SearchIndex>>, ApiError>;

thread_local! {
    /// The names index being fetched or fetched, by the site's root URL it came from.
    static INDEX: RefCell<Option<(String, Shared<LocalBoxFuture<'static, Loaded>>)>> =
        const { RefCell::new(None) };
}

/// The URL of a file of the compact index (`file` relative to `search/`) on the site at `base`
/// (its root folder, ending in `/`).
pub fn url(base: &str, file: &str) -> String {
    format!("{base}{SEARCH_DIR}/{file}")
}

/// Fetches `url` as bytes (from the page or the tools worker: [`crate::global_fetch`]).
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, ApiError> {
    let unreachable = |message: String| ApiError::Unreachable {
        url: url.to_string(),
        message,
    };
    let response = crate::global_fetch::fetch(url, None)
        .await
        .map_err(unreachable)?;
    if !response.ok() {
        let status = response.status();
        return Err(ApiError::Status {
            url: url.to_string(),
            status,
            message: format!(
                "Search could not load its index ({url} answered {status}): this copy of the \
                 site may be incomplete."
            ),
        });
    }
    crate::global_fetch::body_bytes(&response)
        .await
        .map_err(unreachable)
}

/// Builds the names index from the bytes of `search/index.bin` (fetched from `url`, named in
/// errors). Postcodes are added per outcode later.
pub fn build_index(bytes: &[u8], url: &str) -> Result<SearchIndex, ApiError> {
    SearchIndex::from_compact_bytes(bytes).map_err(|e| ApiError::Decode {
        url: url.to_string(),
        message: e.to_string(),
    })
}

/// The names index of the site at `base`: fetching, or fetched.
fn index(base: &str) -> Shared<LocalBoxFuture<'static, Loaded>> {
    INDEX.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some((b, loading)) = slot.as_ref() {
            if b == base {
                return loading.clone();
            }
        }
        let names_url = url(base, NAMES_FILE);
        let loading = async move {
            let bytes = fetch_bytes(&names_url).await?;
            let index = build_index(&bytes, &names_url)?;
            tracing::info!(
                bytes = bytes.len(),
                places = index.stats().gazetteer.places,
                "static search index built"
            );
            Ok(Rc::new(RefCell::new(index)))
        }
        .boxed_local()
        .shared();
        *slot = Some((base.to_string(), loading.clone()));
        loading
    })
}

/// Starts fetching the names index of the site at `base` without waiting for it (the search box
/// got focus: the index is likely ready by the time the first word is typed).
pub fn preload(base: &str) {
    let loading = index(base);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = loading.await {
            tracing::warn!(error = %e, "static search index did not load");
            INDEX.with(|cell| cell.borrow_mut().take());
        }
    });
}

/// Answers `query` with at most `limit` hits as `GET /api/search` would, on the static site at
/// `base`: the names index loaded first if need be, then the shards of the outcodes the query
/// reads as (fetched once each). A query the search refuses (empty, too long) gives
/// [`ApiError::Status`] 400 with the same sentence the server sends.
pub async fn search(base: &str, query: &str, limit: usize) -> Result<SearchResponse, ApiError> {
    let index = match index(base).await {
        Ok(index) => index,
        Err(e) => {
            INDEX.with(|cell| cell.borrow_mut().take());
            return Err(e);
        }
    };
    let needed = index.borrow().shards_needed(query);
    for outcode in needed {
        let shard_url = url(base, &shard_file(&outcode));
        let bytes = fetch_bytes(&shard_url).await?;
        index
            .borrow_mut()
            .add_postcode_shard(&bytes)
            .map_err(|e| ApiError::Decode {
                url: shard_url,
                message: e.to_string(),
            })?;
    }
    let answer = index.borrow().search(query, limit);
    answer.map_err(|e| ApiError::Status {
        url: url(base, NAMES_FILE),
        status: 400,
        message: e.to_string(),
    })
}

/// The names index of the site at `base`, loaded (fetched first if need be); a failed load is
/// forgotten so the next call tries again.
pub async fn loaded_index(base: &str) -> Result<Rc<RefCell<SearchIndex>>, ApiError> {
    index(base).await.inspect_err(|_| {
        INDEX.with(|cell| cell.borrow_mut().take());
    })
}

/// Fetches the postcode shards of `outcodes` into `index`, eight at a time, calling `done` with
/// the count fetched so far. An outcode without a shard (404: no postcode of the 2017 file has it)
/// is skipped: its postcodes are then "not in the 2017 postcode file".
pub async fn add_shards(
    base: &str,
    index: &Rc<RefCell<SearchIndex>>,
    outcodes: Vec<String>,
    done: impl Fn(usize),
) -> Result<(), ApiError> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    let mut fetched = 0usize;
    let mut shards = stream::iter(outcodes.into_iter().map(|outcode| {
        let shard_url = url(base, &shard_file(&outcode));
        async move {
            match fetch_bytes(&shard_url).await {
                Ok(bytes) => Ok(Some((shard_url, bytes))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        }
    }))
    .buffer_unordered(8);
    while let Some(shard) = shards.try_next().await? {
        if let Some((shard_url, bytes)) = shard {
            index
                .borrow_mut()
                .add_postcode_shard(&bytes)
                .map_err(|e| ApiError::Decode {
                    url: shard_url,
                    message: e.to_string(),
                })?;
        }
        fetched += 1;
        done(fetched);
    }
    Ok(())
}
