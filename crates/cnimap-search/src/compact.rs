//! The compact, static form of the search index (issues 10 and 16): written once by
//! `cnimap prepare` into `BUILD/search/`, read back whole by `cnimap serve --build`
//! ([`read_static`]) and, in the browser, from bytes ([`SearchIndex::from_compact_bytes`]) with
//! the postcodes of one outcode added when a query needs them
//! ([`SearchIndex::add_postcode_shard`]). The index read back answers every query exactly as the
//! index it was written from: the same hits, in the same order, with the same points and boxes.
//!
//! Files, under `BUILD/search/`:
//! - [`NAMES_FILE`] (`index.bin`, and `index.bin.gz` beside it for hosts that serve
//!   precompressed files): every place (gazetteer places and towns; the short names of councils
//!   and the name index are derived again on reading, exactly as at load), each LSOA 2021's ward
//!   and council, the postcode sectors and outcodes, the areas' bounding boxes as set by
//!   [`SearchIndex::set_area_bboxes`] (only those a hit can carry: the places' own codes and the
//!   LSOAs 2021), the list of postcode shards and the load counts.
//! - `postcodes/<OUTCODE>.bin` ([`shard_file`]): every postcode of one outcode in the 2017 file,
//!   the English ones with point and LSOAs, the others (Scotland, Wales, Northern Ireland) by
//!   incode only, so that "outside England" is said exactly as the server says it.
//!
//! Encoding: a magic and a format version, then LEB128 varints; signed numbers zigzagged;
//! strings as a length and UTF-8; a coordinate as millionths of a degree when that gives back the
//! very same `f64` (every coordinate of the data so far), else the `f64`'s 8 bytes, so nothing is
//! rounded; postcode points and LSOA numbers as differences from the postcode before. Hand-rolled
//! to keep the wasm build free of serialisation crates. Bytes that are not what this module
//! writes (truncated, corrupted, another version) give [`SearchError::Compact`], which says
//! where and what, and never a panic: every count is checked against the bytes left before
//! anything is allocated for it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
#[cfg(not(target_arch = "wasm32"))]
use std::path::{Path, PathBuf};
use std::time::Duration;

use cnimap_core::api::HitKind;

use crate::error::SearchError;
use crate::gazetteer::{GazetteerCounts, Place};
use crate::names::NameIndex;
use crate::normalise::normalise;
use crate::postcode::{
    is_outcode, lsoa_code, lsoa_num, LsoaNum, PostcodeArea, PostcodeAreas, PostcodeCounts,
    PostcodeStore, ShardPostcode, NO_LSOA,
};
use crate::size::PostcodeDensity;
use crate::towns::TownCounts;
use crate::{short_names, SearchIndex, SearchStats};

/// The folder of the compact index inside a build.
pub const SEARCH_DIR: &str = "search";

/// The names index, relative to [`SEARCH_DIR`].
pub const NAMES_FILE: &str = "index.bin";

/// The folder of the postcode shards, relative to [`SEARCH_DIR`].
pub const POSTCODES_DIR: &str = "postcodes";

/// The format version written and the only one read.
pub const FORMAT_VERSION: u64 = 1;

const NAMES_MAGIC: &[u8; 8] = b"CNIMAPSI";
const SHARD_MAGIC: &[u8; 8] = b"CNIMAPPC";

/// The shard of an outcode, relative to [`SEARCH_DIR`]: `postcodes/CO15.bin`.
pub fn shard_file(outcode: &str) -> String {
    format!("{POSTCODES_DIR}/{outcode}.bin")
}

// ---------------------------------------------------------------------------------------------
// Writing bytes.

#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn len(&mut self, n: usize) {
        self.varint(n as u64);
    }

    fn signed(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    /// A coordinate as its difference from `base` in millionths of a degree when that gives
    /// back the same `f64` (`2 * zigzag`; `base` becomes it), else `1` and the `f64`'s bytes.
    fn coord(&mut self, v: f64, base: &mut i64) {
        let m = (v * 1e6).round();
        if v.is_finite() && m.abs() < 1e15 && m / 1e6 == v {
            let m = m as i64;
            let d = m - *base;
            *base = m;
            self.varint(((d << 1) ^ (d >> 63)) as u64 * 2);
        } else {
            self.varint(1);
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A point, each coordinate coded against the one before (`bases`: longitude, latitude).
    fn point(&mut self, p: Option<[f64; 2]>, bases: &mut [i64; 2]) {
        match p {
            Some([lon, lat]) => {
                self.u8(1);
                self.coord(lon, &mut bases[0]);
                self.coord(lat, &mut bases[1]);
            }
            None => self.u8(0),
        }
    }

    /// A string as the bytes it shares with `prev` at its start (at most 255) and the rest.
    fn front(&mut self, s: &str, prev: &str) {
        let shared = s
            .bytes()
            .zip(prev.bytes())
            .take_while(|(a, b)| a == b)
            .count()
            .min(255);
        // Never cut a character in two.
        let shared = (0..=shared)
            .rev()
            .find(|&n| s.is_char_boundary(n))
            .unwrap_or(0);
        self.u8(shared as u8);
        self.str(&s[shared..]);
    }

    /// An LSOA number as `num + 1`, `0` for none.
    fn lsoa(&mut self, n: LsoaNum) {
        self.varint(if n == NO_LSOA { 0 } else { u64::from(n) + 1 });
    }
}

// ---------------------------------------------------------------------------------------------
// Reading bytes.

/// A cursor over compact bytes that turns every problem into a [`SearchError::Compact`].
struct In<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'a str,
    section: &'static str,
}

impl<'a> In<'a> {
    fn new(data: &'a [u8], what: &'a str) -> In<'a> {
        In {
            data,
            pos: 0,
            what,
            section: "header",
        }
    }

    fn fail(&self, problem: impl Into<String>) -> SearchError {
        SearchError::Compact {
            what: self.what.to_owned(),
            offset: self.pos as u64,
            section: self.section,
            problem: problem.into(),
        }
    }

    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SearchError> {
        if n > self.left() {
            return Err(self.fail(format!(
                "expected {n} more bytes, found {}: the data is truncated",
                self.left()
            )));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, SearchError> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<u64, SearchError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(self.fail("a number larger than 64 bits"));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.fail("a number larger than 64 bits"))
    }

    fn signed(&mut self) -> Result<i64, SearchError> {
        let z = self.varint()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    /// A count of items that take at least `min_bytes` each: never more than the bytes left allow.
    fn count(&mut self, min_bytes: usize) -> Result<usize, SearchError> {
        let n = self.varint()?;
        let most = self.left() / min_bytes.max(1);
        if n > most as u64 {
            return Err(self.fail(format!(
                "a count of {n} items, more than the {} bytes left can hold",
                self.left()
            )));
        }
        Ok(n as usize)
    }

    fn u32(&mut self, what: &str) -> Result<u32, SearchError> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| self.fail(format!("{what} {v} is out of range")))
    }

    fn str(&mut self) -> Result<&'a str, SearchError> {
        let n = self.count(1)?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|e| self.fail(format!("text is not UTF-8: {e}")))
    }

    fn coord(&mut self, base: &mut i64) -> Result<f64, SearchError> {
        let tag = self.varint()?;
        if tag == 1 {
            let b = self.take(8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            let v = f64::from_le_bytes(a);
            if !v.is_finite() {
                return Err(self.fail("a coordinate that is not a finite number"));
            }
            return Ok(v);
        }
        if tag & 1 == 1 {
            return Err(self.fail(format!("unknown coordinate tag {tag}")));
        }
        let z = tag >> 1;
        let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
        let m = base
            .checked_add(d)
            .filter(|m| m.unsigned_abs() <= 1_000_000_000_000_000)
            .ok_or_else(|| self.fail("a coordinate out of range"))?;
        *base = m;
        Ok(m as f64 / 1e6)
    }

    fn point(&mut self, bases: &mut [i64; 2]) -> Result<Option<[f64; 2]>, SearchError> {
        match self.u8()? {
            0 => Ok(None),
            1 => {
                let lon = self.coord(&mut bases[0])?;
                let lat = self.coord(&mut bases[1])?;
                Ok(Some([lon, lat]))
            }
            b => Err(self.fail(format!("expected 0 or 1 before a point, found {b}"))),
        }
    }

    /// A string written by [`Out::front`] after `prev`.
    fn front(&mut self, prev: &str) -> Result<String, SearchError> {
        let shared = usize::from(self.u8()?);
        let head = prev
            .get(..shared)
            .ok_or_else(|| self.fail(format!("{shared} bytes shared with {prev:?}")))?;
        let tail = self.str()?;
        Ok(format!("{head}{tail}"))
    }

    fn lsoa(&mut self) -> Result<LsoaNum, SearchError> {
        match self.varint()? {
            0 => Ok(NO_LSOA),
            n if n <= 1_000_000 => Ok((n - 1) as LsoaNum),
            n => Err(self.fail(format!("LSOA number {} is out of range", n - 1))),
        }
    }

    fn magic(&mut self, magic: &[u8; 8], what: &str) -> Result<(), SearchError> {
        let found = self.take(8.min(self.left()))?;
        if found != magic {
            let gz = found.starts_with(&[0x1f, 0x8b]);
            return Err(self.fail(format!(
                "not a {what}: it does not start with {:?}{}",
                String::from_utf8_lossy(magic),
                if gz {
                    " (it is gzipped: give the bytes after decompressing)"
                } else {
                    ""
                }
            )));
        }
        let version = self.varint()?;
        if version != FORMAT_VERSION {
            return Err(self.fail(format!(
                "format version {version}; this build reads version {FORMAT_VERSION} only: \
                 prepare the build again"
            )));
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), SearchError> {
        self.section = "end";
        if self.left() != 0 {
            return Err(self.fail(format!("{} bytes left over after the end", self.left())));
        }
        Ok(())
    }
}

fn kind_byte(kind: HitKind) -> u8 {
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

fn kind_of(b: u8) -> Option<HitKind> {
    Some(match b {
        0 => HitKind::LocalAuthority,
        1 => HitKind::Town,
        2 => HitKind::Neighbourhood,
        3 => HitKind::Ward,
        4 => HitKind::Parish,
        5 => HitKind::Lsoa,
        _ => return None,
    })
}

/// A table of repeated strings (councils, regions, wards), each written once.
#[derive(Default)]
struct Dict<'a> {
    ids: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Dict<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        let next = self.list.len() as u32;
        *self.ids.entry(s).or_insert_with(|| {
            self.list.push(s);
            next
        })
    }
}

/// The padded outcode of a shard (four bytes, spaces after) as text.
fn outcode_text(padded: [u8; 4]) -> String {
    String::from_utf8_lossy(&padded).trim_end().to_owned()
}

/// The padded form of an outcode, or `None` when it is not one.
fn padded(outcode: &str) -> Option<[u8; 4]> {
    let b = outcode.as_bytes();
    if !is_outcode(b) {
        return None;
    }
    let mut out = [b' '; 4];
    out[..b.len()].copy_from_slice(b);
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// The names index.

impl SearchIndex {
    /// The names index in its compact form (the bytes of [`NAMES_FILE`]).
    pub fn to_compact_bytes(&self) -> Vec<u8> {
        let mut o = Out::default();
        o.0.extend_from_slice(NAMES_MAGIC);
        o.varint(FORMAT_VERSION);

        // Repeated strings first, so each place refers to them by number.
        let mut dict = Dict::default();
        let place_refs: Vec<(u32, u32)> = self
            .places
            .iter()
            .map(|p| (dict.id(&p.lad), dict.id(&p.region)))
            .collect();
        let mut lsoas: BTreeMap<LsoaNum, (Option<u32>, Option<u32>)> = BTreeMap::new();
        let mut ward_codes: Vec<(&String, &String)> = self.wards.iter().collect();
        ward_codes.sort();
        for (code, ward) in ward_codes {
            if let Some(n) = lsoa_num(code) {
                lsoas.entry(n).or_default().0 = Some(dict.id(ward));
            }
        }
        let mut lad_codes: Vec<(&String, &String)> = self.lads.iter().collect();
        lad_codes.sort();
        for (code, lad) in lad_codes {
            if let Some(n) = lsoa_num(code) {
                lsoas.entry(n).or_default().1 = Some(dict.id(lad));
            }
        }
        o.len(dict.list.len());
        for s in &dict.list {
            o.str(s);
        }

        // Places.
        o.len(self.places.len());
        o.len(self.gazetteer_places);
        let mut bases = [0i64; 2];
        let (mut prev_name, mut prev_code) = ("", "");
        for (p, (lad, region)) in self.places.iter().zip(&place_refs) {
            o.front(&p.name, prev_name);
            o.u8(kind_byte(p.kind));
            o.front(&p.code, prev_code);
            (prev_name, prev_code) = (&p.name, &p.code);
            o.varint(u64::from(*lad));
            o.varint(u64::from(*region));
            o.varint(u64::from(p.vintage));
            o.point(p.point_wgs84, &mut bases);
            o.varint(u64::from(p.size));
            match p.lsoa21.as_deref().map(|c| (c, lsoa_num(c))) {
                None => o.u8(0),
                Some((_, Some(n))) => {
                    o.u8(1);
                    o.varint(u64::from(n));
                }
                Some((c, None)) => {
                    o.u8(2);
                    o.str(c);
                }
            }
        }

        // Ward and council of each LSOA 2021 (`id + 1`, 0 for none); LSOA numbers ascending.
        o.len(lsoas.len());
        let mut prev = 0i64;
        for (n, (ward, lad)) in &lsoas {
            o.signed(i64::from(*n) - prev);
            prev = i64::from(*n);
            o.varint(ward.map_or(0, |w| u64::from(w) + 1));
            o.varint(lad.map_or(0, |l| u64::from(l) + 1));
        }
        // Codes of the lookup that are not LSOA numbers (none in the data; kept for fidelity).
        let odd: Vec<(&String, &String, bool)> = self
            .wards
            .iter()
            .map(|(c, w)| (c, w, true))
            .chain(self.lads.iter().map(|(c, l)| (c, l, false)))
            .filter(|(c, _, _)| lsoa_num(c).is_none())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        o.len(odd.len());
        for (c, v, is_ward) in odd {
            o.u8(u8::from(is_ward));
            o.str(c);
            o.str(v);
        }

        // Postcode sectors and outcodes.
        o.len(self.areas.english.len());
        let mut bases = [0i64; 2];
        let mut prev = "";
        for (name, area) in &self.areas.english {
            o.front(name, prev);
            prev = name;
            o.point(area.point_wgs84, &mut bases);
            match &area.modal_lsoa {
                Some(c) => {
                    o.u8(1);
                    o.str(c);
                }
                None => o.u8(0),
            }
        }
        let outside: BTreeSet<&String> = self.areas.outside.iter().collect();
        o.len(outside.len());
        for name in outside {
            o.str(name);
        }

        // Bounding boxes a hit can carry: the places' codes and LSOA 2021 codes.
        let place_codes: HashSet<&str> = self
            .places
            .iter()
            .flat_map(|p| [Some(p.code.as_str()), p.lsoa21.as_deref()])
            .flatten()
            .collect();
        let mut boxes: Vec<(&String, &[f64; 4])> = self
            .bboxes
            .iter()
            .filter(|(code, _)| lsoa_num(code).is_some() || place_codes.contains(code.as_str()))
            .collect();
        boxes.sort_by(|a, b| a.0.cmp(b.0));
        // West and south against the box before, east and north against its own west and south.
        o.len(boxes.len());
        let (mut west, mut south) = (0i64, 0i64);
        let mut prev = "";
        for (code, b) in boxes {
            o.front(code, prev);
            prev = code;
            o.coord(b[0], &mut west);
            o.coord(b[1], &mut south);
            let (mut w, mut s) = (west, south);
            o.coord(b[2], &mut w);
            o.coord(b[3], &mut s);
        }

        // Postcode shards: outcodes in key order.
        let outcodes = self.shard_outcodes();
        o.len(outcodes.len());
        for padded in &outcodes {
            o.str(&outcode_text(*padded));
        }

        // Counts.
        let s = &self.stats;
        let g = &s.gazetteer;
        for v in [
            g.rows,
            g.places,
            g.merged,
            g.without_coordinates,
            g.sectors,
            g.outcodes,
            s.postcodes.rows,
            s.postcodes.english,
            s.sector_rows,
            s.outcode_rows,
            s.ward_lookup_rows,
        ] {
            o.varint(v);
        }
        match &s.towns {
            None => o.u8(0),
            Some(t) => {
                o.u8(1);
                for v in [t.rows, t.english, t.inside, t.snapped, t.merged, t.towns] {
                    o.varint(v);
                }
                o.0.extend_from_slice(&t.snapped_max_metres.to_le_bytes());
                o.len(t.dropped.len());
                for d in &t.dropped {
                    o.str(d);
                }
            }
        }
        o.0
    }

    /// The outcodes holding any postcode, loaded or not, padded, in key order.
    fn shard_outcodes(&self) -> Vec<[u8; 4]> {
        let mut all: BTreeSet<[u8; 4]> = self.postcodes.outcodes().into_iter().collect();
        all.extend(self.pending_shards.iter().filter_map(|o| padded(o)));
        all.into_iter().collect()
    }

    /// Reads the names index from the bytes of [`NAMES_FILE`] (as [`SearchIndex::to_compact_bytes`]
    /// wrote them), with no postcodes yet: add each outcode's shard with
    /// [`SearchIndex::add_postcode_shard`] before a query that needs it
    /// ([`SearchIndex::shards_needed`]). Needs no file system: this is how the browser builds
    /// the index. Bytes that are not such an index give [`SearchError::Compact`].
    pub fn from_compact_bytes(bytes: &[u8]) -> Result<SearchIndex, SearchError> {
        Self::from_compact(bytes, NAMES_FILE)
    }

    fn from_compact(bytes: &[u8], what: &str) -> Result<SearchIndex, SearchError> {
        let started = web_time_now();
        let parsed = Parsed::read(bytes, what)?;
        tracing::debug!(
            ms = web_time_since(started).as_millis() as u64,
            "compact names index parsed"
        );
        Ok(parsed.build(started))
    }
}

/// The names index as read, before the name index is built from it.
struct Parsed {
    places: Vec<Place>,
    gazetteer_places: usize,
    wards: HashMap<String, String>,
    lads: HashMap<String, String>,
    areas: PostcodeAreas,
    bboxes: HashMap<String, [f64; 4]>,
    pending_shards: HashSet<String>,
    counts: [u64; 11],
    towns: Option<TownCounts>,
}

impl Parsed {
    fn read(bytes: &[u8], what: &str) -> Result<Parsed, SearchError> {
        let mut r = In::new(bytes, what);
        r.magic(NAMES_MAGIC, "cnimap search index")?;

        r.section = "strings";
        let n = r.count(1)?;
        let mut dict: Vec<&str> = Vec::with_capacity(n);
        for _ in 0..n {
            dict.push(r.str()?);
        }
        let text = |r: &In, i: u64| -> Result<String, SearchError> {
            usize::try_from(i)
                .ok()
                .and_then(|i| dict.get(i))
                .map(|s| (*s).to_owned())
                .ok_or_else(|| r.fail(format!("string number {i} of {} does not exist", n)))
        };

        r.section = "places";
        let n = r.count(8)?;
        let gazetteer_places = r.varint()?;
        if gazetteer_places > n as u64 {
            return Err(r.fail(format!(
                "{gazetteer_places} gazetteer places of only {n} places"
            )));
        }
        let mut places: Vec<Place> = Vec::with_capacity(n);
        let mut bases = [0i64; 2];
        let (mut prev_name, mut prev_code) = (String::new(), String::new());
        for _ in 0..n {
            let name = r.front(&prev_name)?;
            if name.is_empty() {
                return Err(r.fail("a place without a name"));
            }
            let b = r.u8()?;
            let kind = kind_of(b).ok_or_else(|| r.fail(format!("unknown kind of place {b}")))?;
            let code = r.front(&prev_code)?;
            prev_name.clone_from(&name);
            prev_code.clone_from(&code);
            let lad = r.varint()?;
            let lad = text(&r, lad)?;
            let region = r.varint()?;
            let region = text(&r, region)?;
            let vintage = r.varint()?;
            let vintage =
                u16::try_from(vintage).map_err(|_| r.fail(format!("vintage {vintage}")))?;
            let point_wgs84 = r.point(&mut bases)?;
            let size = r.u32("size")?;
            let lsoa21 = match r.u8()? {
                0 => None,
                1 => {
                    let n = r.u32("LSOA number")?;
                    if n > 999_999 {
                        return Err(r.fail(format!("LSOA number {n} is out of range")));
                    }
                    Some(lsoa_code(n))
                }
                2 => Some(r.str()?.to_owned()),
                b => return Err(r.fail(format!("expected 0, 1 or 2 before an LSOA, found {b}"))),
            };
            places.push(Place {
                norm: normalise(&name),
                name,
                kind,
                code,
                lad,
                region,
                vintage,
                point_wgs84,
                size,
                lsoa21,
            });
        }

        r.section = "wards and councils of LSOAs";
        let n = r.count(3)?;
        let mut wards: HashMap<String, String> = HashMap::with_capacity(n);
        let mut lads: HashMap<String, String> = HashMap::with_capacity(n);
        let mut num = 0i64;
        for _ in 0..n {
            num += r.signed()?;
            if !(0..=999_999).contains(&num) {
                return Err(r.fail(format!("LSOA number {num} is out of range")));
            }
            let code = lsoa_code(num as LsoaNum);
            let ward = r.varint()?;
            if ward > 0 {
                wards.insert(code.clone(), text(&r, ward - 1)?);
            }
            let lad = r.varint()?;
            if lad > 0 {
                lads.insert(code, text(&r, lad - 1)?);
            }
        }
        let n = r.count(3)?;
        for _ in 0..n {
            let is_ward = r.u8()?;
            let code = r.str()?.to_owned();
            let value = r.str()?.to_owned();
            match is_ward {
                1 => wards.insert(code, value),
                0 => lads.insert(code, value),
                b => return Err(r.fail(format!("expected 0 or 1, found {b}"))),
            };
        }

        r.section = "postcode sectors and outcodes";
        let mut areas = PostcodeAreas::default();
        let n = r.count(3)?;
        let mut bases = [0i64; 2];
        let mut prev = String::new();
        for _ in 0..n {
            let name = r.front(&prev)?;
            prev.clone_from(&name);
            let point_wgs84 = r.point(&mut bases)?;
            let modal_lsoa = match r.u8()? {
                0 => None,
                1 => Some(r.str()?.to_owned()),
                b => return Err(r.fail(format!("expected 0 or 1, found {b}"))),
            };
            areas.english.insert(
                name,
                PostcodeArea {
                    point_wgs84,
                    modal_lsoa,
                },
            );
        }
        let n = r.count(1)?;
        for _ in 0..n {
            areas.outside.insert(r.str()?.to_owned());
        }

        r.section = "bounding boxes";
        let n = r.count(5)?;
        let mut bboxes: HashMap<String, [f64; 4]> = HashMap::with_capacity(n);
        let (mut west, mut south) = (0i64, 0i64);
        let mut prev = String::new();
        for _ in 0..n {
            let code = r.front(&prev)?;
            prev.clone_from(&code);
            let w = r.coord(&mut west)?;
            let s = r.coord(&mut south)?;
            let (mut ww, mut ss) = (west, south);
            let e = r.coord(&mut ww)?;
            let n = r.coord(&mut ss)?;
            bboxes.insert(code, [w, s, e, n]);
        }

        r.section = "postcode shards";
        let n = r.count(2)?;
        let mut pending_shards: HashSet<String> = HashSet::with_capacity(n);
        for _ in 0..n {
            let outcode = r.str()?;
            if padded(outcode).is_none() {
                return Err(r.fail(format!("{outcode:?} is not an outcode")));
            }
            pending_shards.insert(outcode.to_owned());
        }

        r.section = "counts";
        let mut c = [0u64; 11];
        for v in &mut c {
            *v = r.varint()?;
        }
        let towns = match r.u8()? {
            0 => None,
            1 => {
                let mut t = [0u64; 6];
                for v in &mut t {
                    *v = r.varint()?;
                }
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let n = r.count(1)?;
                let mut dropped = Vec::with_capacity(n);
                for _ in 0..n {
                    dropped.push(r.str()?.to_owned());
                }
                Some(TownCounts {
                    rows: t[0],
                    english: t[1],
                    inside: t[2],
                    snapped: t[3],
                    merged: t[4],
                    towns: t[5],
                    snapped_max_metres: f64::from_le_bytes(a),
                    dropped,
                })
            }
            b => return Err(r.fail(format!("expected 0 or 1, found {b}"))),
        };
        r.end()?;
        Ok(Parsed {
            places,
            gazetteer_places: gazetteer_places as usize,
            wards,
            lads,
            areas,
            bboxes,
            pending_shards,
            counts: c,
            towns,
        })
    }

    /// Derives the short names and builds the name index, as at load.
    fn build(self, started: Option<std::time::Instant>) -> SearchIndex {
        let Parsed {
            places,
            gazetteer_places,
            wards,
            lads,
            areas,
            bboxes,
            pending_shards,
            counts: c,
            towns,
        } = self;
        let short = short_names::short_names(&places);
        let names = NameIndex::build(&places, &short);
        tracing::debug!(
            ms = web_time_since(started).as_millis() as u64,
            "compact names index: name index built"
        );
        let stats = SearchStats {
            gazetteer: GazetteerCounts {
                rows: c[0],
                places: c[1],
                merged: c[2],
                without_coordinates: c[3],
                sectors: c[4],
                outcodes: c[5],
            },
            postcodes: PostcodeCounts {
                rows: c[6],
                english: c[7],
            },
            sector_rows: c[8],
            outcode_rows: c[9],
            ward_lookup_rows: c[10],
            vocabulary: names.vocabulary_len(),
            short_names: short.len(),
            towns,
            load_time: web_time_since(started),
        };
        SearchIndex::from_parts(
            places,
            names,
            PostcodeStore::default(),
            areas,
            wards,
            lads,
            PostcodeDensity::default(),
            gazetteer_places,
            bboxes,
            pending_shards,
            stats,
        )
    }
}

impl SearchIndex {
    /// The postcodes of one outcode in compact form (the bytes of its [`shard_file`]), or `None`
    /// when `outcode` is not one.
    pub fn shard_bytes(&self, outcode: &str) -> Option<Vec<u8>> {
        let padded = padded(outcode)?;
        let (english, other) = self.postcodes.shard(padded);
        let mut o = Out::default();
        o.0.extend_from_slice(SHARD_MAGIC);
        o.varint(FORMAT_VERSION);
        o.str(outcode);
        o.len(english.len());
        let mut prev = ShardPostcode {
            incode: [0; 3],
            lat_e6: 0,
            lon_e6: 0,
            lsoa21: 0,
            lsoa11: 0,
        };
        for p in &english {
            o.0.extend_from_slice(&p.incode);
            o.signed(i64::from(p.lat_e6) - i64::from(prev.lat_e6));
            o.signed(i64::from(p.lon_e6) - i64::from(prev.lon_e6));
            // LSOAs: 0 = same as the postcode before, else the number (+1, 0 for none) after a 1.
            for (now, before) in [(p.lsoa21, prev.lsoa21), (p.lsoa11, prev.lsoa11)] {
                if now == before {
                    o.u8(0);
                } else {
                    o.u8(1);
                    o.lsoa(now);
                }
            }
            prev = *p;
        }
        o.len(other.len());
        for incode in &other {
            o.0.extend_from_slice(incode);
        }
        Some(o.0)
    }

    /// Adds the postcodes of one outcode from the bytes of its [`shard_file`]; returns the
    /// outcode. Adding a shard again replaces it. Bytes that are not a shard give
    /// [`SearchError::Compact`] and leave the index as it was.
    pub fn add_postcode_shard(&mut self, bytes: &[u8]) -> Result<String, SearchError> {
        self.add_shard_named(bytes, "a postcode shard")
    }

    fn add_shard_named(&mut self, bytes: &[u8], what: &str) -> Result<String, SearchError> {
        let shard = Shard::read(bytes, what)?;
        Ok(self.insert(shard))
    }

    /// Adds a shard read.
    fn insert(&mut self, shard: Shard) -> String {
        self.postcodes
            .insert_shard(shard.padded, &shard.english, &shard.other);
        self.pending_shards.remove(&shard.outcode);
        shard.outcode
    }

    /// The outcodes whose shards a query needs and the index does not hold yet (fetch
    /// [`shard_file`] of each and add it with [`SearchIndex::add_postcode_shard`]); empty for
    /// an index loaded from the data or read whole.
    pub fn shards_needed(&self, query: &str) -> Vec<String> {
        if self.pending_shards.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for reading in crate::postcode::parse_postcode_query(&crate::normalise::tidy(query)) {
            let outcode = match reading {
                crate::PostcodeQuery::Full { outcode, .. }
                | crate::PostcodeQuery::Sector { outcode, .. } => outcode,
                crate::PostcodeQuery::Outcode { .. } => continue,
            };
            if self.pending_shards.contains(&outcode) && !out.contains(&outcode) {
                out.push(outcode);
            }
        }
        out
    }
}

/// One outcode's postcodes, read from its shard.
struct Shard {
    outcode: String,
    padded: [u8; 4],
    english: Vec<ShardPostcode>,
    other: Vec<[u8; 3]>,
}

impl Shard {
    fn read(bytes: &[u8], what: &str) -> Result<Shard, SearchError> {
        let mut r = In::new(bytes, what);
        r.magic(SHARD_MAGIC, "cnimap postcode shard")?;
        r.section = "outcode";
        let outcode = r.str()?.to_owned();
        let pad =
            padded(&outcode).ok_or_else(|| r.fail(format!("{outcode:?} is not an outcode")))?;
        r.section = "English postcodes";
        let n = r.count(7)?;
        let mut english: Vec<ShardPostcode> = Vec::with_capacity(n);
        let mut prev = ShardPostcode {
            incode: [0; 3],
            lat_e6: 0,
            lon_e6: 0,
            lsoa21: 0,
            lsoa11: 0,
        };
        let incode = |r: &mut In| -> Result<[u8; 3], SearchError> {
            let b = r.take(3)?;
            if !(b[0].is_ascii_digit() && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()) {
                return Err(r.fail(format!(
                    "{:?} is not an incode (a digit and two letters)",
                    String::from_utf8_lossy(b)
                )));
            }
            Ok([b[0], b[1], b[2]])
        };
        for _ in 0..n {
            let code = incode(&mut r)?;
            let lat = i64::from(prev.lat_e6) + r.signed()?;
            let lon = i64::from(prev.lon_e6) + r.signed()?;
            if lat.abs() > 90_000_000 || lon.abs() > 180_000_000 {
                return Err(r.fail(format!("a point at {lat}, {lon} millionths of a degree")));
            }
            let mut lsoa = [prev.lsoa21, prev.lsoa11];
            for slot in &mut lsoa {
                match r.u8()? {
                    0 => {}
                    1 => *slot = r.lsoa()?,
                    b => return Err(r.fail(format!("expected 0 or 1 before an LSOA, found {b}"))),
                }
            }
            if lsoa == [NO_LSOA, NO_LSOA] {
                return Err(r.fail("an English postcode without an LSOA"));
            }
            prev = ShardPostcode {
                incode: code,
                lat_e6: lat as i32,
                lon_e6: lon as i32,
                lsoa21: lsoa[0],
                lsoa11: lsoa[1],
            };
            english.push(prev);
        }
        r.section = "postcodes outside England";
        let n = r.count(3)?;
        let mut other: Vec<[u8; 3]> = Vec::with_capacity(n);
        for _ in 0..n {
            other.push(incode(&mut r)?);
        }
        r.end()?;
        Ok(Shard {
            outcode,
            padded: pad,
            english,
            other,
        })
    }
}

/// Writes the compact index of `index` into `build_dir/search/` ([`SEARCH_DIR`]): the names
/// index ([`NAMES_FILE`], with a gzipped copy) and one shard per outcode. Returns every file
/// written, in order. The folder should be new (a build being prepared): files of an older build
/// that this one no longer has are not removed.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_static(index: &SearchIndex, build_dir: &Path) -> Result<Vec<PathBuf>, SearchError> {
    let dir = build_dir.join(SEARCH_DIR);
    let shards = dir.join(POSTCODES_DIR);
    std::fs::create_dir_all(&shards).map_err(|source| SearchError::Io {
        file: shards.clone(),
        source,
    })?;
    let write = |path: PathBuf, bytes: &[u8]| -> Result<PathBuf, SearchError> {
        std::fs::write(&path, bytes).map_err(|source| SearchError::Io {
            file: path.clone(),
            source,
        })?;
        Ok(path)
    };
    let mut written = Vec::new();
    let names = index.to_compact_bytes();
    written.push(write(dir.join(NAMES_FILE), &names)?);
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let gz = gz
        .write_all(&names)
        .and_then(|()| gz.finish())
        .map_err(|source| SearchError::Io {
            file: dir.join(format!("{NAMES_FILE}.gz")),
            source,
        })?;
    written.push(write(dir.join(format!("{NAMES_FILE}.gz")), &gz)?);
    for padded in index.shard_outcodes() {
        let outcode = outcode_text(padded);
        if let Some(bytes) = index.shard_bytes(&outcode) {
            written.push(write(dir.join(shard_file(&outcode)), &bytes)?);
        }
    }
    Ok(written)
}

/// Reads the compact index that [`write_static`] wrote into `build_dir/search/`, every postcode
/// shard included: the whole index, answering exactly as the one written. The shards are read
/// and decoded on a second thread while the name index is built.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_static(build_dir: &Path) -> Result<SearchIndex, SearchError> {
    let started = std::time::Instant::now();
    let dir = build_dir.join(SEARCH_DIR);
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| SearchError::Io {
            file: path.to_path_buf(),
            source,
        })
    };
    let names_path = dir.join(NAMES_FILE);
    let bytes = read(&names_path)?;
    let parsed = Parsed::read(&bytes, &names_path.display().to_string())?;
    // In key order, each shard goes at the end of the store.
    let mut outcodes: Vec<[u8; 4]> = parsed
        .pending_shards
        .iter()
        .filter_map(|o| padded(o))
        .collect();
    outcodes.sort_unstable();
    let (index, shards) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            outcodes
                .iter()
                .map(|pad| {
                    let path = dir.join(shard_file(&outcode_text(*pad)));
                    Shard::read(&read(&path)?, &path.display().to_string())
                })
                .collect::<Result<Vec<Shard>, SearchError>>()
        });
        let index = parsed.build(Some(started));
        let shards = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (index, shards)
    });
    let (mut index, shards) = (index, shards?);
    index.postcodes.reserve_exact(
        shards.iter().map(|s| s.english.len()).sum(),
        shards.iter().map(|s| s.other.len()).sum(),
    );
    for shard in shards {
        index.insert(shard);
    }
    index.stats.load_time = started.elapsed();
    tracing::info!(
        places = index.places.len(),
        postcodes = index.postcodes.counts.english,
        ms = index.stats.load_time.as_millis() as u64,
        "compact search index read"
    );
    Ok(index)
}

/// A start time that works on wasm32 too (where `Instant::now` panics): `None` there.
#[cfg(not(target_arch = "wasm32"))]
fn web_time_now() -> Option<std::time::Instant> {
    Some(std::time::Instant::now())
}

#[cfg(target_arch = "wasm32")]
fn web_time_now() -> Option<std::time::Instant> {
    None
}

fn web_time_since(start: Option<std::time::Instant>) -> Duration {
    start.map_or(Duration::ZERO, |t| t.elapsed())
}
