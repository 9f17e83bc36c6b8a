//! Postcodes: recognising postcode-shaped queries (full, sector, outcode, partial unit) in any
//! case and spacing, and the compact store of the 2017 postcode file.
//!
//! A postcode is kept as a 7-byte key packed into a `u64`: the outcode padded with spaces to four
//! bytes, then the three-byte incode (`"CO15 2EQ"` -> `b"CO152EQ"`, `"W9 3NW"` -> `b"W9  3NW"`).
//! Keys sort like the padded text, so a sector or partial unit is one contiguous range found by
//! binary search.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use csv::ByteRecord;

use crate::error::SearchError;
use crate::table::{micro_degrees, Table};

/// A postcode-shaped query, as understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeQuery {
    /// A full unit postcode: outcode and incode (`"CO15"`, `"2EQ"`).
    Full {
        /// The outward code.
        outcode: String,
        /// The inward code.
        incode: String,
    },
    /// Outcode and the sector digit (`"CO15 2"`).
    Sector {
        /// The outward code.
        outcode: String,
        /// The sector digit and, when typed, the first unit letter (`"2"` or `"2E"`).
        partial: String,
    },
    /// An outcode alone (`"CO15"`).
    Outcode {
        /// The outward code.
        outcode: String,
    },
}

impl PostcodeQuery {
    /// The query written the standard way (`"CO15 2EQ"`, `"CO15 2E"`, `"CO15"`).
    pub fn display(&self) -> String {
        match self {
            PostcodeQuery::Full { outcode, incode } => format!("{outcode} {incode}"),
            PostcodeQuery::Sector { outcode, partial } => format!("{outcode} {partial}"),
            PostcodeQuery::Outcode { outcode } => outcode.clone(),
        }
    }
}

/// Whether `s` (upper case) is a UK outward code: `A9`, `A99`, `A9A`, `AA9`, `AA99` or `AA9A`.
pub fn is_outcode(s: &[u8]) -> bool {
    let letters = s.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &s[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
        _ => false,
    }
}

/// Whether `s` (upper case) can begin an inward code (`9`, `9A`, `9AA`).
fn is_incode_prefix(s: &[u8]) -> bool {
    match s {
        [d, letters @ ..] if letters.len() <= 2 => {
            d.is_ascii_digit() && letters.iter().all(u8::is_ascii_uppercase)
        }
        _ => false,
    }
}

/// Reads `query` as a postcode, in any case and spacing. Returns the readings in order of
/// preference (empty when the query is not postcode-shaped). Without a space a short query can be
/// read two ways (`"CO15"` is the outcode CO15 or sector CO1 5); both are returned, outcode first.
pub fn parse_postcode_query(query: &str) -> Vec<PostcodeQuery> {
    let upper = query.trim().to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    if words.is_empty()
        || !words
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Vec::new();
    }
    let compact: String = words.concat();
    let bytes = compact.as_bytes();
    let mut readings = Vec::new();
    if words.len() > 1 {
        // The first space separates outcode from incode; further spaces are typos.
        let outcode = words[0].as_bytes();
        push_reading(&mut readings, outcode, &bytes[outcode.len()..]);
    } else {
        // A full postcode always ends in its 3-character incode.
        if bytes.len() >= 5 {
            push_reading(
                &mut readings,
                &bytes[..bytes.len() - 3],
                &bytes[bytes.len() - 3..],
            );
        }
        if readings.is_empty() {
            push_reading(&mut readings, bytes, b"");
            for cut in (2..bytes.len()).rev() {
                if bytes.len() - cut <= 2 {
                    push_reading(&mut readings, &bytes[..cut], &bytes[cut..]);
                }
            }
        }
    }
    readings
}

/// Adds the reading `outcode` + `rest` (a partial incode) when both parts are well formed.
fn push_reading(readings: &mut Vec<PostcodeQuery>, outcode: &[u8], rest: &[u8]) {
    if !is_outcode(outcode) || !(rest.is_empty() || is_incode_prefix(rest)) {
        return;
    }
    let outcode = String::from_utf8_lossy(outcode).into_owned();
    let rest = String::from_utf8_lossy(rest).into_owned();
    readings.push(match rest.len() {
        0 => PostcodeQuery::Outcode { outcode },
        3 => PostcodeQuery::Full {
            outcode,
            incode: rest,
        },
        _ => PostcodeQuery::Sector {
            outcode,
            partial: rest,
        },
    });
}

/// Packs an outcode and a (possibly partial) incode into a key, filling missing incode bytes with
/// `fill` (`0x00` for the start of a range, `0xff` for its end).
fn pack(outcode: &[u8], incode: &[u8], fill: u8) -> u64 {
    let mut bytes = [0u8; 8];
    for (i, slot) in bytes[..4].iter_mut().enumerate() {
        *slot = outcode.get(i).copied().unwrap_or(b' ');
    }
    for (i, slot) in bytes[4..7].iter_mut().enumerate() {
        *slot = incode.get(i).copied().unwrap_or(fill);
    }
    u64::from_be_bytes(bytes)
}

/// The postcode a key stands for, written the standard way.
fn unpack(key: u64) -> String {
    let bytes = key.to_be_bytes();
    let outcode = String::from_utf8_lossy(&bytes[..4]);
    let incode = String::from_utf8_lossy(&bytes[4..7]);
    format!("{} {}", outcode.trim_end(), incode)
}

/// The key of a well-formed postcode field such as `"CO15 2EQ"` (one space).
fn key_of_field(field: &[u8]) -> Option<u64> {
    let space = field.iter().position(|&b| b == b' ')?;
    let (outcode, incode) = (&field[..space], &field[space + 1..]);
    (is_outcode(outcode) && incode.len() == 3 && is_incode_prefix(incode))
        .then(|| pack(outcode, incode, 0))
}

/// An LSOA code `E01` + six digits, kept as its number; [`NO_LSOA`] when absent.
pub(crate) type LsoaNum = u32;

/// No LSOA.
pub(crate) const NO_LSOA: LsoaNum = u32::MAX;

/// The number of an English LSOA code (`"E01021988"` -> `21988`).
pub(crate) fn lsoa_num(code: &str) -> Option<LsoaNum> {
    let digits = code.strip_prefix("E01")?;
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The code of an LSOA number.
pub(crate) fn lsoa_code(num: LsoaNum) -> String {
    format!("E01{num:06}")
}

/// One English postcode.
#[derive(Debug, Clone, Copy)]
struct PostcodeRecord {
    /// Latitude in millionths of a degree.
    lat_e6: i32,
    /// Longitude in millionths of a degree.
    lon_e6: i32,
    /// LSOA 2021, or [`NO_LSOA`].
    lsoa21: LsoaNum,
    /// LSOA 2011, or [`NO_LSOA`].
    lsoa11: LsoaNum,
}

/// One English postcode of a shard of the compact form: its incode, point in millionths of a
/// degree and LSOA numbers ([`NO_LSOA`] when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShardPostcode {
    /// The inward code (`b"2EQ"`).
    pub incode: [u8; 3],
    /// Latitude in millionths of a degree.
    pub lat_e6: i32,
    /// Longitude in millionths of a degree.
    pub lon_e6: i32,
    /// LSOA 2021, or [`NO_LSOA`].
    pub lsoa21: LsoaNum,
    /// LSOA 2011, or [`NO_LSOA`].
    pub lsoa11: LsoaNum,
}

/// An English postcode found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeHit {
    /// The postcode written the standard way (`"CO15 2EQ"`).
    pub postcode: String,
    /// `[lon, lat]` in WGS84 degrees.
    pub point_wgs84: [f64; 2],
    /// The LSOA 2021 containing it (a handful of English postcodes have only an LSOA 2011).
    pub lsoa21: Option<String>,
    /// The LSOA 2011 containing it.
    pub lsoa11: Option<String>,
}

/// What the 2017 postcode file says about one postcode.
#[derive(Debug, Clone, PartialEq)]
pub enum PostcodeLookup {
    /// An English postcode.
    England(PostcodeHit),
    /// In the file, but in Scotland, Wales or Northern Ireland (no English LSOA).
    OutsideEngland,
    /// Not in the file (newer than 2017, retired, or mistyped).
    NotInFile,
}

/// Counts of the postcode file, for the load summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostcodeCounts {
    /// Data rows read.
    pub rows: u64,
    /// Rows with an English LSOA (kept with coordinates).
    pub english: u64,
}

/// Every postcode of the 2017 file: English ones with point and LSOAs, the others by key only.
#[derive(Debug, Default)]
pub(crate) struct PostcodeStore {
    english_keys: Vec<u64>,
    english: Vec<PostcodeRecord>,
    other_keys: Vec<u64>,
    pub counts: PostcodeCounts,
}

impl PostcodeStore {
    /// Loads `uk_postcodes_2017_latlon_lsoa.csv.gz` (columns `postcode`, `latitude`, `longitude`,
    /// `lsoa11cd`, `lsoa21cd`).
    pub fn load(path: &Path) -> Result<PostcodeStore, SearchError> {
        let mut table = Table::open(path)?;
        let [pc, lat, lon, l11, l21] =
            table.columns(["postcode", "latitude", "longitude", "lsoa11cd", "lsoa21cd"])?;
        let mut store = PostcodeStore {
            english_keys: Vec::with_capacity(1_500_000),
            english: Vec::with_capacity(1_500_000),
            other_keys: Vec::with_capacity(300_000),
            counts: PostcodeCounts::default(),
        };
        let mut record = ByteRecord::new();
        while table.next(&mut record)? {
            store.counts.rows += 1;
            let field = record.get(pc).unwrap_or_default();
            let key = key_of_field(field).ok_or_else(|| {
                table.bad_value("postcode", "a postcode like \"CO15 2EQ\"", field)
            })?;
            let lsoa11 = lsoa_field(&table, &record, l11, "lsoa11cd")?;
            let lsoa21 = lsoa_field(&table, &record, l21, "lsoa21cd")?;
            if lsoa11 == NO_LSOA && lsoa21 == NO_LSOA {
                store.other_keys.push(key);
                continue;
            }
            let lat_e6 = degrees_field(&table, &record, lat, "latitude", 90.0)?;
            let lon_e6 = degrees_field(&table, &record, lon, "longitude", 180.0)?;
            store.english_keys.push(key);
            store.english.push(PostcodeRecord {
                lat_e6,
                lon_e6,
                lsoa21,
                lsoa11,
            });
        }
        store.counts.english = store.english_keys.len() as u64;
        store.sort();
        Ok(store)
    }

    /// Sorts both key lists (the file is not in key order) and drops repeated postcodes, keeping
    /// the smallest record so the result does not depend on the sort.
    fn sort(&mut self) {
        if !self.english_keys.is_sorted() {
            let mut pairs: Vec<(u64, PostcodeRecord)> = self
                .english_keys
                .iter()
                .copied()
                .zip(self.english.iter().copied())
                .collect();
            pairs.sort_unstable_by_key(|(k, r)| (*k, r.lat_e6, r.lon_e6, r.lsoa21, r.lsoa11));
            pairs.dedup_by_key(|p| p.0);
            self.english_keys = pairs.iter().map(|p| p.0).collect();
            self.english = pairs.into_iter().map(|p| p.1).collect();
        }
        self.other_keys.sort_unstable();
        self.other_keys.dedup();
    }

    /// Looks one postcode up by outcode and incode (upper case).
    pub fn lookup(&self, outcode: &str, incode: &str) -> PostcodeLookup {
        let key = pack(outcode.as_bytes(), incode.as_bytes(), 0);
        if let Ok(i) = self.english_keys.binary_search(&key) {
            return PostcodeLookup::England(self.hit(i));
        }
        if self.other_keys.binary_search(&key).is_ok() {
            return PostcodeLookup::OutsideEngland;
        }
        PostcodeLookup::NotInFile
    }

    /// English postcodes starting with outcode + `partial` incode, in order, at most `limit`.
    pub fn with_prefix(&self, outcode: &str, partial: &str, limit: usize) -> Vec<PostcodeHit> {
        let lo = pack(outcode.as_bytes(), partial.as_bytes(), 0);
        let hi = pack(outcode.as_bytes(), partial.as_bytes(), 0xff);
        let start = self.english_keys.partition_point(|&k| k < lo);
        let end = self.english_keys.partition_point(|&k| k <= hi);
        (start..end).take(limit).map(|i| self.hit(i)).collect()
    }

    /// Whether any postcode outside England starts with outcode + `partial`.
    pub fn any_outside_england(&self, outcode: &str, partial: &str) -> bool {
        let lo = pack(outcode.as_bytes(), partial.as_bytes(), 0);
        let hi = pack(outcode.as_bytes(), partial.as_bytes(), 0xff);
        let start = self.other_keys.partition_point(|&k| k < lo);
        self.other_keys.get(start).is_some_and(|&k| k <= hi)
    }

    /// The postcodes of one outcode, for the compact form ([`crate::compact`]): the English ones
    /// as `(incode, lat_e6, lon_e6, lsoa21, lsoa11)` and the incodes of the others, both in key
    /// order. `padded` is the outcode padded with spaces to four bytes.
    pub(crate) fn shard(&self, padded: [u8; 4]) -> (Vec<ShardPostcode>, Vec<[u8; 3]>) {
        let lo = u64::from_be_bytes([padded[0], padded[1], padded[2], padded[3], 0, 0, 0, 0]);
        let hi = lo | 0xffff_ffff;
        let range =
            |keys: &[u64]| keys.partition_point(|&k| k < lo)..keys.partition_point(|&k| k <= hi);
        let incode = |k: u64| {
            let b = k.to_be_bytes();
            [b[4], b[5], b[6]]
        };
        let english = range(&self.english_keys)
            .map(|i| {
                let r = self.english[i];
                ShardPostcode {
                    incode: incode(self.english_keys[i]),
                    lat_e6: r.lat_e6,
                    lon_e6: r.lon_e6,
                    lsoa21: r.lsoa21,
                    lsoa11: r.lsoa11,
                }
            })
            .collect();
        let other = range(&self.other_keys)
            .map(|i| incode(self.other_keys[i]))
            .collect();
        (english, other)
    }

    /// The padded outcodes (four bytes) holding any postcode, English or not, in key order.
    pub(crate) fn outcodes(&self) -> Vec<[u8; 4]> {
        let mut out: Vec<[u8; 4]> = Vec::new();
        let mut push = |k: &u64| {
            let b = k.to_be_bytes();
            let o = [b[0], b[1], b[2], b[3]];
            if out.last() != Some(&o) {
                out.push(o);
            }
        };
        self.english_keys.iter().for_each(&mut push);
        self.other_keys.iter().for_each(&mut push);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Makes room for `english` and `other` more postcodes at once, so shards inserted one
    /// after another do not grow the store by doubling (up to half of it unused). Native only:
    /// its one caller reads every shard from disk ([`crate::compact::read_static`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn reserve_exact(&mut self, english: usize, other: usize) {
        self.english_keys.reserve_exact(english);
        self.english.reserve_exact(english);
        self.other_keys.reserve_exact(other);
    }

    /// Adds the postcodes of one outcode (`padded` to four bytes) read from the compact form,
    /// replacing any held for it. Keys stay sorted: the shard's keys are one contiguous range.
    pub(crate) fn insert_shard(
        &mut self,
        padded: [u8; 4],
        english: &[ShardPostcode],
        other: &[[u8; 3]],
    ) {
        let key = |incode: [u8; 3]| {
            u64::from_be_bytes([
                padded[0], padded[1], padded[2], padded[3], incode[0], incode[1], incode[2], 0,
            ])
        };
        let lo = key([0; 3]);
        let hi = lo | 0xffff_ffff;
        let mut keys: Vec<u64> = english.iter().map(|p| key(p.incode)).collect();
        let mut records: Vec<PostcodeRecord> = english
            .iter()
            .map(|p| PostcodeRecord {
                lat_e6: p.lat_e6,
                lon_e6: p.lon_e6,
                lsoa21: p.lsoa21,
                lsoa11: p.lsoa11,
            })
            .collect();
        if !keys.is_sorted() || keys.windows(2).any(|w| w[0] == w[1]) {
            let mut pairs: Vec<(u64, PostcodeRecord)> = keys.into_iter().zip(records).collect();
            pairs.sort_by_key(|p| p.0);
            pairs.dedup_by_key(|p| p.0);
            (keys, records) = pairs.into_iter().unzip();
        }
        let start = self.english_keys.partition_point(|&k| k < lo);
        let end = self.english_keys.partition_point(|&k| k <= hi);
        self.english_keys.splice(start..end, keys);
        self.english.splice(start..end, records);
        let mut others: Vec<u64> = other.iter().map(|&i| key(i)).collect();
        others.sort_unstable();
        others.dedup();
        let start = self.other_keys.partition_point(|&k| k < lo);
        let end = self.other_keys.partition_point(|&k| k <= hi);
        self.other_keys.splice(start..end, others);
        self.counts.english = self.english_keys.len() as u64;
    }

    /// Every English postcode's point as `(lon, lat)` in millionths of a degree.
    pub fn english_points(&self) -> impl Iterator<Item = (i32, i32)> + Clone + '_ {
        self.english.iter().map(|r| (r.lon_e6, r.lat_e6))
    }

    fn hit(&self, i: usize) -> PostcodeHit {
        let r = self.english[i];
        let code = |n: LsoaNum| (n != NO_LSOA).then(|| lsoa_code(n));
        PostcodeHit {
            postcode: unpack(self.english_keys[i]),
            point_wgs84: [f64::from(r.lon_e6) / 1e6, f64::from(r.lat_e6) / 1e6],
            lsoa21: code(r.lsoa21),
            lsoa11: code(r.lsoa11),
        }
    }
}

/// A required coordinate field in millionths of a degree.
fn degrees_field(
    table: &Table,
    record: &ByteRecord,
    index: usize,
    column: &'static str,
    limit: f64,
) -> Result<i32, SearchError> {
    let field = record.get(index).unwrap_or_default();
    micro_degrees(field.trim_ascii(), limit).ok_or_else(|| {
        table.bad_value(
            column,
            if limit <= 90.0 {
                "a latitude in decimal degrees (a number between -90 and 90)"
            } else {
                "a longitude in decimal degrees (a number between -180 and 180)"
            },
            field,
        )
    })
}

/// An LSOA code field: blank or a non-English code (not starting `E`) gives [`NO_LSOA`], `E01` + six digits its
/// number, anything else an error.
fn lsoa_field(
    table: &Table,
    record: &ByteRecord,
    index: usize,
    column: &'static str,
) -> Result<LsoaNum, SearchError> {
    let field = record.get(index).unwrap_or_default().trim_ascii();
    if field.first() != Some(&b'E') {
        return Ok(NO_LSOA);
    }
    std::str::from_utf8(field)
        .ok()
        .and_then(lsoa_num)
        .ok_or_else(|| table.bad_value(column, "an LSOA code like E01021988 or a blank", field))
}

/// A postcode sector or outcode of England, from the gazetteer.
#[derive(Debug, Clone)]
pub(crate) struct PostcodeArea {
    /// `[lon, lat]`: the mean of its postcodes.
    pub point_wgs84: Option<[f64; 2]>,
    /// Its most common LSOA 2011 (for context).
    pub modal_lsoa: Option<String>,
}

/// Postcode sectors and outcodes: the English ones with points (from the gazetteer), and the names
/// of those outside England (from the UK centroid files).
#[derive(Debug, Default)]
pub(crate) struct PostcodeAreas {
    /// English sectors (`"CO15 2"`) and outcodes (`"CO15"`), by name.
    pub english: BTreeMap<String, PostcodeArea>,
    /// Sectors and outcodes outside England.
    pub outside: HashSet<String>,
}

impl PostcodeAreas {
    /// Reads a UK centroid file (`sector` or `outcode` column, `lsoa11_mode`), recording the names
    /// without an English LSOA as outside England. Returns the number of rows.
    pub fn load_outside(
        &mut self,
        path: &Path,
        name_column: &'static str,
    ) -> Result<u64, SearchError> {
        let mut table = Table::open(path)?;
        let [name, mode] = table.columns([name_column, "lsoa11_mode"])?;
        let mut record = ByteRecord::new();
        let mut rows = 0;
        while table.next(&mut record)? {
            rows += 1;
            let area = table.text(&record, name, name_column)?;
            let lsoa = table.text(&record, mode, "lsoa11_mode")?;
            if !lsoa.starts_with('E') {
                self.outside.insert(area.to_ascii_uppercase());
            }
        }
        Ok(rows)
    }

    /// Sectors of an outcode in order (`"CO15"` -> `"CO15 1"`, `"CO15 2"`...).
    pub fn sectors_of<'a>(
        &'a self,
        outcode: &str,
    ) -> impl Iterator<Item = (&'a String, &'a PostcodeArea)> + 'a {
        let start = format!("{outcode} ");
        let end = format!("{outcode}!");
        self.english.range(start..end)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn full(o: &str, i: &str) -> PostcodeQuery {
        PostcodeQuery::Full {
            outcode: o.into(),
            incode: i.into(),
        }
    }

    fn sector(o: &str, p: &str) -> PostcodeQuery {
        PostcodeQuery::Sector {
            outcode: o.into(),
            partial: p.into(),
        }
    }

    fn outcode(o: &str) -> PostcodeQuery {
        PostcodeQuery::Outcode { outcode: o.into() }
    }

    #[rstest]
    #[case::standard("CO15 2EQ", vec![full("CO15", "2EQ")])]
    #[case::lower_case_without_space("co152eq", vec![full("CO15", "2EQ")])]
    #[case::odd_spacing(" Co15  2eq ", vec![full("CO15", "2EQ")])]
    #[case::space_inside_incode("CO15 2 EQ", vec![full("CO15", "2EQ")])]
    #[case::short_outcode("w93nw", vec![full("W9", "3NW")])]
    #[case::letter_in_outcode("EC1A 1BB", vec![full("EC1A", "1BB")])]
    #[case::sector("CO15 2", vec![sector("CO15", "2")])]
    #[case::unit_prefix("CO15 2E", vec![sector("CO15", "2E")])]
    #[case::outcode_with_space(" co15 ", vec![outcode("CO15"), sector("CO1", "5")])]
    #[case::sector_without_space("CO152", vec![sector("CO15", "2")])]
    #[case::two_character_outcode("E1", vec![outcode("E1")])]
    #[case::place_name_is_not_a_postcode("Tendring", vec![])]
    #[case::lsoa_code_is_not_a_postcode("E01021988", vec![])]
    #[case::punctuation_is_not_a_postcode("CO15-2EQ", vec![])]
    #[case::digits_only_is_not_a_postcode("12345", vec![])]
    fn postcode_queries_are_read_in_any_case_and_spacing(
        #[case] query: &str,
        #[case] expected: Vec<PostcodeQuery>,
    ) {
        assert_eq!(parse_postcode_query(query), expected);
    }

    #[test]
    fn keys_sort_like_padded_postcodes_and_round_trip() {
        let a = key_of_field(b"W1 3AB").expect("test value");
        let b = key_of_field(b"W10 1AA").expect("test value");
        let c = key_of_field(b"W9 3NW").expect("test value");
        assert!(a < b && b < c);
        assert_eq!(unpack(c), "W9 3NW");
        assert_eq!(
            unpack(key_of_field(b"CO15 2EQ").expect("test value")),
            "CO15 2EQ"
        );
    }

    #[test]
    fn a_sector_range_holds_exactly_its_postcodes() {
        let lo = pack(b"CO15", b"2", 0);
        let hi = pack(b"CO15", b"2", 0xff);
        let inside = key_of_field(b"CO15 2EQ").expect("test value");
        let other_sector = key_of_field(b"CO15 3AA").expect("test value");
        let other_outcode = key_of_field(b"CO1 2AA").expect("test value");
        assert!(lo <= inside && inside <= hi);
        assert!(!(lo..=hi).contains(&other_sector));
        assert!(!(lo..=hi).contains(&other_outcode));
    }

    #[rstest]
    #[case::english("E01021988", Some(21988))]
    #[case::welsh("W01000001", None)]
    #[case::short("E0102198", None)]
    #[case::letters("E01ABCDEF", None)]
    fn lsoa_numbers_round_trip_for_english_codes(#[case] code: &str, #[case] num: Option<u32>) {
        assert_eq!(lsoa_num(code), num);
        if let Some(n) = num {
            assert_eq!(lsoa_code(n), code);
        }
    }
}
