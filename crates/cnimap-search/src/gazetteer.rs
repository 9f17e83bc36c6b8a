//! Loading `gazetteer_england.csv`: named places (local authorities, MSOA neighbourhoods, wards,
//! parishes, LSOAs) and the English postcode sectors and outcodes.
//!
//! The file lists some places more than once: a ward under several vintages (2016 with a centroid,
//! 2022 without), a parish once per ward it spans. Rows with the same type, normalised name and
//! local authority become one place: the row with coordinates, then the newest vintage, then the
//! first in the file.

use std::collections::HashMap;
use std::path::Path;

use cnimap_core::api::HitKind;
use csv::ByteRecord;

use crate::error::SearchError;
use crate::normalise::normalise;
use crate::postcode::{PostcodeArea, PostcodeAreas};
use crate::table::Table;

/// One named place.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// Display name.
    pub name: String,
    /// Normalised name (see [`normalise`]).
    pub norm: String,
    /// Kind of place.
    pub kind: HitKind,
    /// ONS code.
    pub code: String,
    /// Local authority name (may be blank).
    pub lad: String,
    /// Region name (may be blank).
    pub region: String,
    /// First year of the vintage (`2016`, `2011` for `2011+2021`).
    pub vintage: u16,
    /// `[lon, lat]`.
    pub point_wgs84: Option<[f64; 2]>,
    /// How big the place is, for ranking: English postcodes around its point (see
    /// [`crate::size`]); 0 without a point.
    pub size: u32,
    /// For a town: the LSOA 2021 containing it.
    pub lsoa21: Option<String>,
}

impl Place {
    /// "Tendring, East of England", leaving out blanks.
    pub fn context(&self) -> String {
        match (self.lad.is_empty(), self.region.is_empty()) {
            (false, false) => format!("{}, {}", self.lad, self.region),
            (false, true) => self.lad.clone(),
            (true, false) => self.region.clone(),
            (true, true) => String::new(),
        }
    }
}

/// Counts of the gazetteer, for the load summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GazetteerCounts {
    /// Data rows read.
    pub rows: u64,
    /// Named places kept after merging repeated rows.
    pub places: u64,
    /// Rows merged into another row of the same place.
    pub merged: u64,
    /// Rows without coordinates.
    pub without_coordinates: u64,
    /// Postcode sector rows.
    pub sectors: u64,
    /// Postcode outcode rows.
    pub outcodes: u64,
}

/// The gazetteer's places, in file order after merging.
pub(crate) struct Gazetteer {
    pub places: Vec<Place>,
    pub counts: GazetteerCounts,
}

/// The gazetteer's `type` values the search knows.
const TYPES: &str = "one of ward, msoa_hocl_name, lsoa, local_authority, parish, \
                     postcode_outcode, postcode_sector";

impl Gazetteer {
    /// Loads the gazetteer; sector and outcode rows go into `areas`.
    pub fn load(path: &Path, areas: &mut PostcodeAreas) -> Result<Gazetteer, SearchError> {
        let mut table = Table::open(path)?;
        let [name_i, type_i, vintage_i, code_i, lad_i, region_i, lat_i, lon_i] =
            table.columns([
                "name",
                "type",
                "vintage",
                "code",
                "lad_name",
                "region",
                "latitude",
                "longitude",
            ])?;
        let mut places: Vec<Place> = Vec::with_capacity(70_000);
        let mut seen: HashMap<(u8, String, String), usize> = HashMap::new();
        let mut counts = GazetteerCounts::default();
        let mut record = ByteRecord::new();
        while table.next(&mut record)? {
            counts.rows += 1;
            let name = table.text(&record, name_i, "name")?;
            if name.is_empty() {
                return Err(table.bad_value("name", "a place name", b""));
            }
            let kind_text = table.text(&record, type_i, "type")?;
            let point = table.point(&record, lat_i, lon_i, "latitude", "longitude")?;
            if point.is_none() {
                counts.without_coordinates += 1;
            }
            let code = table.text(&record, code_i, "code")?;
            let kind = match kind_text {
                "ward" => HitKind::Ward,
                "msoa_hocl_name" => HitKind::Neighbourhood,
                "lsoa" => HitKind::Lsoa,
                "local_authority" => HitKind::LocalAuthority,
                "parish" => HitKind::Parish,
                "postcode_sector" | "postcode_outcode" => {
                    if kind_text == "postcode_sector" {
                        counts.sectors += 1;
                    } else {
                        counts.outcodes += 1;
                    }
                    areas.english.insert(
                        name.to_ascii_uppercase(),
                        PostcodeArea {
                            point_wgs84: point,
                            modal_lsoa: (!code.is_empty()).then(|| code.to_owned()),
                        },
                    );
                    continue;
                }
                _ => return Err(table.bad_value("type", TYPES, kind_text.as_bytes())),
            };
            if code.is_empty() {
                return Err(table.bad_value("code", "an ONS area code", b""));
            }
            let vintage_text = table.text(&record, vintage_i, "vintage")?;
            let vintage = vintage_text
                .get(..4)
                .and_then(|y| y.parse::<u16>().ok())
                .ok_or_else(|| {
                    table.bad_value("vintage", "a year such as 2021", vintage_text.as_bytes())
                })?;
            let place = Place {
                name: name.to_owned(),
                norm: normalise(name),
                kind,
                code: code.to_owned(),
                lad: table.text(&record, lad_i, "lad_name")?.to_owned(),
                region: table.text(&record, region_i, "region")?.to_owned(),
                vintage,
                point_wgs84: point,
                size: 0,
                lsoa21: None,
            };
            let key = (importance(kind), place.norm.clone(), place.lad.clone());
            match seen.get(&key) {
                Some(&i) => {
                    counts.merged += 1;
                    if prefer(&place, &places[i]) {
                        places[i] = place;
                    }
                }
                None => {
                    seen.insert(key, places.len());
                    places.push(place);
                }
            }
        }
        counts.places = places.len() as u64;
        Ok(Gazetteer { places, counts })
    }
}

/// Whether `new` should replace `old` as the one row kept for a place: coordinates first, then
/// the newer vintage; on a tie the earlier row stays.
fn prefer(new: &Place, old: &Place) -> bool {
    (new.point_wgs84.is_some(), new.vintage) > (old.point_wgs84.is_some(), old.vintage)
}

/// How important a kind of place is when two hits match equally well (0 = most): local authority,
/// town or village, neighbourhood, ward, parish, LSOA, then postcode areas.
pub(crate) fn importance(kind: HitKind) -> u8 {
    match kind {
        HitKind::LocalAuthority => 0,
        HitKind::Town => 1,
        HitKind::Neighbourhood => 2,
        HitKind::Ward => 3,
        HitKind::Parish => 4,
        HitKind::Lsoa => 5,
        HitKind::PostcodeOutcode => 6,
        HitKind::PostcodeSector => 7,
        HitKind::Postcode => 8,
    }
}
