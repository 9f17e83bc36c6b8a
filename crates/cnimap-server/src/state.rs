//! The state shared by every request, built once at start-up from the data: the atlas (without
//! its geometry, which only start-up reads), the search index, prepared tile layers (with their
//! neighbours) and pre-encoded JSON in typed maps.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use cnimap_core::Level;
use cnimap_data::Atlas;

use crate::build::pmtiles::TileSource;
use crate::error::AppError;
use crate::prepare::{self, Documents, LeftBehindCounts, Vintages};
use crate::tile_cache::{TileCache, CACHE_BYTES};
use crate::DataSource;

/// Shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The atlas: codes, names, values, lookups and summaries (geometry dropped after start-up).
    pub atlas: Atlas,
    /// Place and postcode search (from a build: read in the background; a search waits for it).
    pub search: crate::build::search::SearchHandle,
    /// The served layers, in [`Level`] order (those the manifest marks `tiled`).
    pub tiled: Vec<Level>,
    /// Tile layers: prepared in memory (with the neighbours their shared-arc topology found), or
    /// read from a build's PMTiles archives.
    pub tiles: HashMap<Level, TileSource>,
    /// Cut, compressed tiles.
    pub tile_cache: TileCache,
    /// Pre-encoded JSON documents.
    pub documents: Documents,
    /// LSOA 2011 <-> 2021 pairs, for the area panel.
    pub vintages: Vintages,
    /// Left-behind neighbourhoods per larger area, for the area panel.
    pub left_behind_counts: LeftBehindCounts,
    /// The table's data per level (`/api/table`), built once from the atlas (empty from a build:
    /// see [`AppState::table_frame`]).
    pub tables: HashMap<Level, Arc<cnimap_core::table::TableFrame>>,
    /// The build served from (`serve --build`): area details are read from its files, and the
    /// atlas holds only each layer's title, codes and names.
    pub build: Option<PathBuf>,
    /// Every LSOA 2021's names, ranks and deciles for `POST /api/lookup` (left behind at 10%;
    /// empty from a build: see [`AppState::lookup_table`]).
    pub lookup: Arc<cnimap_core::bulk::AreaTable>,
    /// The built web app.
    pub static_dir: PathBuf,
    /// Start-up timings in milliseconds, for `/api/health` and the log.
    pub startup: Vec<(&'static str, u128)>,
    /// Figures that depend only on the loaded data, made on first use and kept.
    pub derived: Derived,
}

/// Figures made from the loaded data on first use and kept for every later request: each
/// combined index's domain ranks transformed (the re-weighting and change routes), and the change
/// comparisons. A request then only re-weights (a weighted sum and a sort) or encodes. (The
/// change view's whole documents are prepared with the others: `Documents::change`.)
#[derive(Default)]
pub struct Derived {
    /// Per [`cnimap_core::reweight::CompositeIndex::ALL`] position.
    inputs: [OnceLock<Arc<cnimap_data::domain_ranks::IndexInputs>>; 3],
    /// IMD 2019 -> 2025 and the left-behind wards, by `Comparison` position.
    changes: [OnceLock<Arc<cnimap_core::change::ChangeResponse>>; 2],
    /// From a build: the table's frames decoded from its documents, by level.
    frames: std::sync::Mutex<HashMap<Level, Arc<cnimap_core::table::TableFrame>>>,
    /// From a build: the bulk lookup's table decoded from `api/lookup/areas`.
    lookup: OnceLock<Arc<cnimap_core::bulk::AreaTable>>,
}

/// The kept value of `cell`, made by `make` the first time it succeeds (a failure is not kept).
fn kept<T, E>(cell: &OnceLock<Arc<T>>, make: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
    if let Some(v) = cell.get() {
        return Ok(v.clone());
    }
    let v = Arc::new(make()?);
    Ok(cell.get_or_init(|| v).clone())
}

impl Derived {
    /// `index`'s inputs (`slot` = its position in `CompositeIndex::ALL`), made once by `make`.
    pub fn inputs<E>(
        &self,
        slot: usize,
        make: impl FnOnce() -> Result<cnimap_data::domain_ranks::IndexInputs, E>,
    ) -> Result<Arc<cnimap_data::domain_ranks::IndexInputs>, E> {
        match self.inputs.get(slot) {
            Some(cell) => kept(cell, make),
            None => make().map(Arc::new),
        }
    }

    /// A change comparison (`slot` = its position), made once by `make`.
    pub fn change<E>(
        &self,
        slot: usize,
        make: impl FnOnce() -> Result<cnimap_core::change::ChangeResponse, E>,
    ) -> Result<Arc<cnimap_core::change::ChangeResponse>, E> {
        match self.changes.get(slot) {
            Some(cell) => kept(cell, make),
            None => make().map(Arc::new),
        }
    }
}

/// A build's documents that do not give an answer: logged with the cause, a 500 for the client
/// (the build was checked when it was opened, so this is ours, not the client's).
fn answer_error(e: &crate::build::answers::AnswerError) -> AppError {
    tracing::error!(error = %e, "answering from the build's documents");
    AppError::Invariant("the build's documents do not give this answer")
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Loads and prepares everything.
    pub fn load(source: &DataSource, static_dir: PathBuf) -> anyhow::Result<AppState> {
        let t0 = Instant::now();
        let t = Instant::now();
        let (mut atlas, search) = source.load()?;
        let mut startup = vec![("load data", t.elapsed().as_millis())];
        let tiled = atlas.tiled_levels();
        let prepared = prepare::prepare(&atlas, &tiled)?;
        startup.extend(prepared.timings);
        // Requests never read the outlines: the tiles, labels and neighbours hold what they need.
        drop(atlas.take_geometry());
        drop(std::mem::take(&mut atlas.left_behind_outlines));
        startup.push(("total", t0.elapsed().as_millis()));
        for (what, ms) in &startup {
            tracing::info!(what, ms = *ms as u64, "start-up");
        }
        let lookup = crate::lookup::table_from_atlas(&atlas, Default::default())?;
        let tables = cnimap_core::table::TABLE_LEVELS
            .iter()
            .filter_map(|l| Some((*l, Arc::new(cnimap_data::frames::table_frame(&atlas, *l)?))))
            .collect();
        Ok(AppState(Arc::new(Inner {
            atlas,
            search: crate::build::search::SearchHandle::ready(search),
            tiled,
            tiles: prepared
                .tiles
                .into_iter()
                .map(|(l, t)| (l, TileSource::Prepared(t)))
                .collect(),
            tile_cache: TileCache::new(CACHE_BYTES),
            documents: prepared.documents,
            vintages: prepared.vintages,
            left_behind_counts: prepared.left_behind_counts,
            tables,
            build: None,
            lookup: Arc::new(lookup),
            static_dir,
            startup,
            derived: Derived::default(),
        })))
    }

    /// The table frame of `level`: the one built from the atlas, or (from a build) the one
    /// decoded from the build's documents on first use; a 404 when there is none.
    pub fn table_frame(
        &self,
        level: Level,
    ) -> Result<Arc<cnimap_core::table::TableFrame>, AppError> {
        let none = || AppError::NotFound(format!("no table data for level {level} in this server"));
        if let Some(frame) = self.tables.get(&level) {
            return Ok(frame.clone());
        }
        if self.build.is_none() {
            return Err(none());
        }
        let mut frames = self
            .derived
            .frames
            .lock()
            .map_err(|_| AppError::Invariant("the table frames' lock is poisoned"))?;
        if let Some(frame) = frames.get(&level) {
            return Ok(frame.clone());
        }
        let frame = crate::build::answers::table_frame(&self.documents, level)
            .map_err(|e| answer_error(&e))?
            .map(Arc::new)
            .ok_or_else(none)?;
        frames.insert(level, frame.clone());
        Ok(frame)
    }

    /// The bulk lookup's table: the one built from the atlas, or (from a build) the one decoded
    /// from `api/lookup/areas` on first use.
    pub fn lookup_table(&self) -> Result<Arc<cnimap_core::bulk::AreaTable>, AppError> {
        if self.build.is_none() || !self.lookup.is_empty() {
            return Ok(self.lookup.clone());
        }
        kept(&self.derived.lookup, || {
            crate::build::answers::lookup_table(&self.documents).map_err(|e| answer_error(&e))
        })
    }

    /// A served layer by id, or the 404 that lists the served ones.
    pub fn served_layer(&self, id: &str) -> Result<Level, AppError> {
        Level::from_id(id)
            .filter(|l| self.tiled.contains(l))
            .ok_or_else(|| AppError::UnknownLayer {
                given: id.to_string(),
                known: self
                    .tiled
                    .iter()
                    .map(|l| l.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}
