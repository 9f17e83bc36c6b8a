//! The atlas: every layer's areas, geometry and indicator values, joined, checked and indexed,
//! with a report of what was read.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cnimap_core::catalogue::{self, IndicatorDef, Source};
use cnimap_core::classify::decile_counts;
use cnimap_core::left_behind::LeftBehindRule;
use cnimap_core::Level;
use geo_types::MultiPolygon;

use crate::boundary::{self, BoundaryFeature, BoundaryFile, Manifest, ZoomRange};
use crate::error::Result;
use crate::indicators::{self, Iod2019Official, SourceTable};
use crate::lookups::{self, Lookups};
use crate::summary::{self, Summaries};

/// Geometry of a layer from one boundary file, for a range of zooms.
#[derive(Debug, Clone)]
pub struct LayerGeometry {
    /// Zooms this file draws.
    pub zooms: ZoomRange,
    /// The file, relative to the data directory.
    pub file: PathBuf,
    /// "BSC", "BGC", ...
    pub generalisation: String,
    /// `(feature index, outline)` for every area the file has.
    pub features: Vec<(u32, MultiPolygon<f64>)>,
}

/// The areas of one geography level, numbered by feature index (codes sorted).
#[derive(Debug, Clone)]
pub struct AreaLayer {
    /// The level.
    pub level: Level,
    /// Title from the manifest.
    pub title: String,
    /// Codes by feature index, sorted.
    pub codes: Vec<String>,
    /// Names by feature index.
    pub names: Vec<String>,
    /// Feature index by code.
    pub index: HashMap<String, u32>,
    /// Bounding boxes `[w, s, e, n]` by feature index (from the most detailed file).
    pub bbox_wgs84: Vec<Option<[f64; 4]>>,
    /// Geometry per source file.
    pub geometry: Vec<LayerGeometry>,
    /// Whether the manifest asks for tiles.
    pub tiled: bool,
}

impl AreaLayer {
    /// The feature index of a code.
    pub fn find(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the layer has no areas.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// One indicator's values aligned with its layer's feature index.
#[derive(Debug, Clone)]
pub struct IndicatorValues {
    /// The catalogue entry.
    pub def: &'static IndicatorDef,
    /// Ranks run 1..=n_ranked.
    pub n_ranked: u32,
    /// Scores, when published.
    pub score: Option<Vec<Option<f64>>>,
    /// Ranks.
    pub rank: Vec<Option<u32>>,
    /// Deciles (published, or derived from ranks for the CNI).
    pub decile: Vec<Option<u8>>,
    /// Areas per decile.
    pub decile_counts: [u32; 10],
}

/// What was read from one input file, for `cnimap check`.
#[derive(Debug, Clone, Default)]
pub struct DatasetReport {
    /// The file (relative to the data directory) or dataset.
    pub name: String,
    /// Rows or features read.
    pub rows: usize,
    /// Rows joined to the other side (geometry to data, or data to geometry).
    pub joined: usize,
    /// What did not join, in words ("6 codes without geometry: E05...").
    pub unmatched: Vec<String>,
    /// Geometries repaired.
    pub repaired: usize,
    /// Time taken to read and check it.
    pub elapsed: Duration,
    /// Anything else worth saying.
    pub notes: Vec<String>,
}

/// A derived left-behind flag and how it compares with the published one.
#[derive(Debug, Clone)]
pub struct LeftBehindCheck {
    /// Which indices ("CNI 2023 x IMD 2025").
    pub title: String,
    /// The rule.
    pub percent: u8,
    /// Areas flagged by the rule.
    pub derived: usize,
    /// Areas flagged in the file.
    pub published: usize,
    /// Areas where the two disagree.
    pub disagree: usize,
}

/// Everything the map needs, read once.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// The data directory it was read from.
    pub data_dir: PathBuf,
    /// Layers by level.
    pub layers: BTreeMap<Level, AreaLayer>,
    /// Indicator values, in catalogue order.
    pub indicators: Vec<IndicatorValues>,
    /// Lookups.
    pub lookups: Lookups,
    /// The published CNI 2023 `Left Behind Area?` flag by LSOA 2021 feature index.
    pub cni2023_flag: Vec<bool>,
    /// The official list of 225 left-behind wards (CNI 2019) by ward 2017 feature index.
    pub cni2019_official: Vec<bool>,
    /// The real outlines of the 225 left-behind wards.
    pub left_behind_outlines: Vec<BoundaryFeature>,
    /// LAD, region and ward 2024 summaries of LSOA 2021 indicators.
    pub summaries: Summaries,
    /// What the official IoD2019 files added.
    pub iod2019_official: Iod2019Official,
    /// Read report, one entry per file or dataset.
    pub report: Vec<DatasetReport>,
    /// Derived flags checked against the published ones.
    pub left_behind_checks: Vec<LeftBehindCheck>,
    /// Total load time.
    pub elapsed: Duration,
}

impl Atlas {
    /// A layer.
    pub fn layer(&self, level: Level) -> Option<&AreaLayer> {
        self.layers.get(&level)
    }

    /// An indicator's values.
    pub fn values(&self, id: &str) -> Option<&IndicatorValues> {
        self.indicators.iter().find(|v| v.def.id == id)
    }

    /// Finds an area by code in any layer (LSOA 2021 first, as codes of unchanged LSOAs are shared
    /// by both vintages).
    pub fn find_area(&self, code: &str) -> Option<(Level, u32)> {
        self.layers
            .values()
            .find_map(|l| l.find(code).map(|i| (l.level, i)))
    }

    /// The CNI 2023 x IMD 2025 left-behind flag by LSOA 2021 feature index under `rule`.
    pub fn left_behind_lsoa21(&self, rule: LeftBehindRule) -> Vec<bool> {
        match (self.values("cni2023"), self.values("imd2025")) {
            (Some(cni), Some(imd)) => cni
                .rank
                .iter()
                .zip(&imd.rank)
                .map(|(c, i)| match (c, i) {
                    (Some(c), Some(i)) => rule.is_left_behind(*c, cni.n_ranked, *i, imd.n_ranked),
                    _ => false,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Reads and checks everything in `data_dir` with the boundary `manifest`.
    pub fn load(data_dir: &Path, manifest: &Manifest) -> Result<Atlas> {
        let start = Instant::now();
        // Boundary files are the heavy part: read them on a second thread while the CSVs load.
        let (boundaries, tables) = std::thread::scope(|s| {
            let big = s.spawn(|| read_boundary_sources(data_dir, manifest, |l| l == Level::Lsoa21));
            let rest =
                s.spawn(|| read_boundary_sources(data_dir, manifest, |l| l != Level::Lsoa21));
            let tables = read_tables(data_dir);
            let joined = |h: std::thread::ScopedJoinHandle<'_, Result<Vec<ReadSource>>>| {
                h.join().unwrap_or_else(|_| Err(panicked(data_dir)))
            };
            let mut b = joined(big)?;
            b.extend(joined(rest)?);
            Ok::<_, crate::DataError>((b, tables?))
        })?;
        let Tables {
            iod2025,
            iod2019,
            official,
            cni2023,
            cni2019,
            lookups,
            reports,
        } = tables;
        let mut report = reports;

        let overlay_cfg = manifest.overlays.first();
        let left_behind_outlines = match overlay_cfg {
            Some(o) => {
                let t = Instant::now();
                let f = boundary::read_overlay(data_dir, o)?;
                report.push(DatasetReport {
                    name: o.file.display().to_string(),
                    rows: f.features.len(),
                    repaired: f.repaired,
                    elapsed: t.elapsed(),
                    ..Default::default()
                });
                f.features
            }
            None => Vec::new(),
        };

        // Which codes carry data at each level.
        let data_codes: HashMap<Level, Vec<&SourceTable>> = HashMap::from([
            (Level::Lsoa21, vec![&iod2025, &cni2023]),
            (Level::Lsoa11, vec![&iod2019]),
            (Level::Ward17, vec![&cni2019]),
        ]);

        let mut layers = BTreeMap::new();
        for cfg in &manifest.layers {
            let level = cfg.level;
            let sources: Vec<&ReadSource> =
                boundaries.iter().filter(|b| b.level == level).collect();
            let mut names: BTreeMap<String, String> = BTreeMap::new();
            for src in &sources {
                for f in &src.file.features {
                    names
                        .entry(f.code.clone())
                        .or_insert_with(|| f.name.clone());
                }
            }
            for t in data_codes.get(&level).into_iter().flatten() {
                for (i, code) in t.codes.iter().enumerate() {
                    let name = t.names[i].clone().unwrap_or_default();
                    names.entry(code.clone()).or_insert(name);
                }
            }
            // Areas with data but no outline (six CNI 2019 wards) keep the name from the data.
            let codes: Vec<String> = names.keys().cloned().collect();
            let names: Vec<String> = names.into_values().collect();
            let index: HashMap<String, u32> = codes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i as u32))
                .collect();
            let mut bbox = vec![None; codes.len()];
            let mut geometry = Vec::new();
            for src in &sources {
                let mut features = Vec::with_capacity(src.file.features.len());
                for f in &src.file.features {
                    let i = index[&f.code];
                    bbox[i as usize] = Some(f.bbox_wgs84);
                    features.push((i, f.geometry_wgs84.clone()));
                }
                let data_tables = data_codes.get(&level);
                let mut r = DatasetReport {
                    name: src.source_file.display().to_string(),
                    rows: src.file.features.len(),
                    repaired: src.file.repaired,
                    elapsed: src.elapsed,
                    ..Default::default()
                };
                if src.file.skipped_other_prefix > 0 {
                    r.notes.push(format!(
                        "{} features outside England skipped (no data, not an error)",
                        src.file.skipped_other_prefix
                    ));
                }
                if !src.file.duplicates.is_empty() {
                    r.notes.push(format!(
                        "duplicate codes: {}",
                        src.file.duplicates.join(", ")
                    ));
                }
                if let Some(tables) = data_tables {
                    let t = tables[0];
                    let file_codes: HashSet<&str> =
                        src.file.features.iter().map(|f| f.code.as_str()).collect();
                    r.joined = file_codes
                        .iter()
                        .filter(|c| t.index.contains_key(**c))
                        .count();
                    let no_data: Vec<&str> = file_codes
                        .iter()
                        .filter(|c| !t.index.contains_key(**c))
                        .copied()
                        .collect();
                    let no_geom: Vec<&str> = t
                        .codes
                        .iter()
                        .filter(|c| !file_codes.contains(c.as_str()))
                        .map(String::as_str)
                        .collect();
                    if !no_data.is_empty() {
                        r.unmatched.push(format!(
                            "{} with geometry but no data: {}",
                            no_data.len(),
                            sample(&no_data)
                        ));
                    }
                    if !no_geom.is_empty() {
                        r.unmatched.push(format!(
                            "{} with data but no geometry: {}",
                            no_geom.len(),
                            sample(&no_geom)
                        ));
                    }
                } else {
                    r.joined = src.file.features.len();
                }
                report.push(r);
                geometry.push(LayerGeometry {
                    zooms: src.zooms,
                    file: src.source_file.clone(),
                    generalisation: src.generalisation.clone(),
                    features,
                });
            }
            layers.insert(
                level,
                AreaLayer {
                    level,
                    title: cfg.title.clone(),
                    codes,
                    names,
                    index,
                    bbox_wgs84: bbox,
                    geometry,
                    tiled: cfg.tiled,
                },
            );
        }

        // Align indicator values with each layer's feature index.
        let mut values = Vec::new();
        for def in catalogue::CATALOGUE {
            let table = match def.source {
                Source::Iod2025 => &iod2025,
                Source::Iod2019 => &iod2019,
                Source::Cni2023 => &cni2023,
                Source::Cni2019 => &cni2019,
            };
            let (Some(layer), Some(col)) = (layers.get(&def.level()), table.column(def.id)) else {
                continue;
            };
            let n = layer.len();
            let mut v = IndicatorValues {
                def,
                n_ranked: table.n_ranked,
                score: col.score.as_ref().map(|_| vec![None; n]),
                rank: vec![None; n],
                decile: vec![None; n],
                decile_counts: [0; 10],
            };
            for (row, code) in table.codes.iter().enumerate() {
                let Some(i) = layer.find(code) else { continue };
                let i = i as usize;
                v.rank[i] = col.rank[row];
                v.decile[i] = col.decile[row];
                if let (Some(dst), Some(src)) = (v.score.as_mut(), col.score.as_ref()) {
                    dst[i] = src[row];
                }
            }
            v.decile_counts = decile_counts(v.decile.iter().copied());
            values.push(v);
        }

        let align_flags = |table: &SourceTable, level: Level| -> Vec<bool> {
            let Some(layer) = layers.get(&level) else {
                return Vec::new();
            };
            let mut out = vec![false; layer.len()];
            if let Some(flags) = &table.left_behind_flag {
                for (row, code) in table.codes.iter().enumerate() {
                    if let Some(i) = layer.find(code) {
                        out[i as usize] = flags[row];
                    }
                }
            }
            out
        };
        let cni2023_flag = align_flags(&cni2023, Level::Lsoa21);
        let cni2019_official = align_flags(&cni2019, Level::Ward17);

        let summaries = summary::summarise(&layers, &values, &lookups);

        let mut atlas = Atlas {
            data_dir: data_dir.to_path_buf(),
            layers,
            indicators: values,
            lookups,
            cni2023_flag,
            cni2019_official,
            left_behind_outlines,
            summaries,
            iod2019_official: official,
            report,
            left_behind_checks: Vec::new(),
            elapsed: Duration::ZERO,
        };
        atlas.left_behind_checks = atlas.check_left_behind();
        atlas.elapsed = start.elapsed();
        Ok(atlas)
    }

    /// Compares the rule with the published flags: CNI 2023 x IMD 2025 at 10% against the file's
    /// `Left Behind Area?` column; and the official 225 wards against their outlines file.
    fn check_left_behind(&self) -> Vec<LeftBehindCheck> {
        let rule = LeftBehindRule::default();
        let derived = self.left_behind_lsoa21(rule);
        let published = &self.cni2023_flag;
        let disagree = derived
            .iter()
            .zip(published)
            .filter(|(a, b)| a != b)
            .count();
        let mut checks = vec![LeftBehindCheck {
            title: format!("CNI 2023 x IMD 2025 by LSOA 2021, worst {}% on both (rule) vs the file's Left Behind Area? column", rule.percent()),
            percent: rule.percent(),
            derived: derived.iter().filter(|f| **f).count(),
            published: published.iter().filter(|f| **f).count(),
            disagree,
        }];
        if let Some(wards) = self.layer(Level::Ward17) {
            let outlines: HashSet<&str> = self
                .left_behind_outlines
                .iter()
                .map(|f| f.code.as_str())
                .collect();
            let official: Vec<bool> = self.cni2019_official.clone();
            let disagree = wards
                .codes
                .iter()
                .zip(&official)
                .filter(|(c, f)| **f != outlines.contains(c.as_str()))
                .count();
            checks.push(LeftBehindCheck {
                title: "official 225 wards, CNI 2019 list vs the outlines file".into(),
                percent: rule.percent(),
                derived: outlines.len(),
                published: official.iter().filter(|f| **f).count(),
                disagree,
            });
        }
        checks
    }
}

fn sample(codes: &[&str]) -> String {
    let mut v: Vec<&str> = codes.to_vec();
    v.sort_unstable();
    let shown: Vec<&str> = v.iter().take(6).copied().collect();
    if v.len() > shown.len() {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn panicked(data_dir: &Path) -> crate::DataError {
    crate::DataError::Io {
        path: data_dir.to_path_buf(),
        source: std::io::Error::other("a reader thread stopped unexpectedly"),
    }
}

/// One boundary file, read.
struct ReadSource {
    level: Level,
    zooms: ZoomRange,
    source_file: PathBuf,
    generalisation: String,
    file: BoundaryFile,
    elapsed: Duration,
}

fn read_boundary_sources(
    data_dir: &Path,
    manifest: &Manifest,
    want: impl Fn(Level) -> bool,
) -> Result<Vec<ReadSource>> {
    let mut out = Vec::new();
    for layer in manifest.layers.iter().filter(|l| want(l.level)) {
        for src in &layer.sources {
            let t = Instant::now();
            let file = boundary::read_layer_source(data_dir, layer, src)?;
            out.push(ReadSource {
                level: layer.level,
                zooms: src.zooms,
                source_file: src.file.clone(),
                generalisation: src.generalisation.clone(),
                file,
                elapsed: t.elapsed(),
            });
        }
    }
    Ok(out)
}

struct Tables {
    iod2025: SourceTable,
    iod2019: SourceTable,
    official: Iod2019Official,
    cni2023: SourceTable,
    cni2019: SourceTable,
    lookups: Lookups,
    reports: Vec<DatasetReport>,
}

fn read_tables(dir: &Path) -> Result<Tables> {
    let mut reports = Vec::new();
    let mut timed = |name: &str, t: Instant, rows: usize, notes: Vec<String>| {
        reports.push(DatasetReport {
            name: name.to_string(),
            rows,
            joined: rows,
            elapsed: t.elapsed(),
            notes,
            ..Default::default()
        });
    };
    let t = Instant::now();
    let iod2025 = indicators::read_iod2025(dir)?;
    timed(
        "IoD2025 (imd2025_lsoa21 + subdomains)",
        t,
        iod2025.codes.len(),
        files_note(&iod2025),
    );
    let t = Instant::now();
    let (iod2019, official) = indicators::read_iod2019(dir)?;
    let mut notes = files_note(&iod2019);
    notes.push(format!(
        "official MHCLG File 1/2 agree with the tidy file: {} differences",
        official.differences.len()
    ));
    timed(
        "IoD2019 (tidy + official File 1, 2, 6)",
        t,
        iod2019.codes.len(),
        notes,
    );
    let t = Instant::now();
    let cni2023 = indicators::read_cni2023(dir)?;
    timed(
        "CNI 2023 (cni2023_lsoa21)",
        t,
        cni2023.codes.len(),
        Vec::new(),
    );
    let t = Instant::now();
    let cni2019 = indicators::read_cni2019(dir)?;
    let lb = cni2019
        .left_behind_flag
        .as_ref()
        .map_or(0, |f| f.iter().filter(|x| **x).count());
    timed(
        "CNI 2019 (cni2019_ward17)",
        t,
        cni2019.codes.len(),
        vec![format!("{lb} official left-behind wards")],
    );
    let t = Instant::now();
    let lookups = lookups::read_lookups(dir)?;
    let rows = lookups.files.iter().map(|(_, n)| n).sum();
    let notes = lookups
        .files
        .iter()
        .map(|(f, n)| format!("{f}: {n} rows"))
        .collect();
    timed("Lookups", t, rows, notes);
    Ok(Tables {
        iod2025,
        iod2019,
        official,
        cni2023,
        cni2019,
        lookups,
        reports,
    })
}

fn files_note(t: &SourceTable) -> Vec<String> {
    t.files
        .iter()
        .map(|(f, n)| format!("{f}: {n} rows"))
        .collect()
}
