//! Generated bad input for the data readers: seeded random mutations of small valid CSV and
//! GeoJSON texts (fixtures and the heads of the real files) go through `CsvFile`, the indicator
//! readers and `parse_boundaries`. Each must return `Ok` or an error naming the file; none may
//! panic. The number of cases per target comes from `CNIMAP_FUZZ_CASES` (default 2,000;
//! `scripts/bench.sh fuzz` runs 100,000), the seed from `CNIMAP_FUZZ_SEED`.

use cnimap_testkit::{data_dir, fuzz_cases as cases, fuzz_seed as seed, Rng};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cnimap_data::csvread::CsvFile;
use cnimap_data::{indicators, DataError};

fn fixtures(sub: &str, ext: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("fixture"))
        .collect()
}

/// The header and first `n` rows of a real file.
fn head(path: &Path, n: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: String = text.lines().take(n + 1).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Tokens that break parsers: separators, quotes, numbers at the edges, odd unicode.
const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "{",
    "}",
    "[",
    "]",
    ":",
    "-",
    ".",
    "e",
    "E",
    "1e999",
    "-1e999",
    "NaN",
    "inf",
    "-0",
    "0",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999",
    "-1",
    "1,234",
    "",
    " ",
    "\t",
    "\u{feff}",
    "\u{301}",
    "\u{200d}",
    "é",
    "𝔼",
    "null",
    "true",
    "[[[[",
    "]]]]",
    "\"\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "E01",
    "E0100000",
    "E010000011",
    "W01000001",
    "11",
    "10",
    "1.5",
    "Polygon",
    "MultiPolygon",
    "Point",
    "LineString",
    "FeatureCollection",
    "coordinates",
    "properties",
    "geometry",
    "type",
    "400000",
    "-180.5",
    "91",
    "1e-320",
];

/// Applies one to four random mutations.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => v[at.min(len - 1)] = rng.next() as u8,
            1 => v.insert(at, rng.next() as u8),
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.bytes());
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(len);
                v.drain(at.min(end)..end);
            }
            4 => v.truncate(at),
            5 => {
                // Duplicate a range.
                let end = (at + 1 + rng.below(64)).min(len);
                let piece = v[at.min(end)..end].to_vec();
                let to = rng.below(v.len() + 1);
                v.splice(to..to, piece);
            }
            6 => {
                // Replace a range with a token.
                let end = (at + 1 + rng.below(8)).min(len);
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at.min(end)..end, t.bytes());
            }
            7 if len > 0 => {
                // Swap two bytes.
                let b = rng.below(len);
                v.swap(at.min(len - 1), b);
            }
            _ => {
                // Replace one digit run with a random number.
                if let Some(p) = (at..len).find(|i| v[*i].is_ascii_digit()) {
                    let end = (p..len).find(|i| !v[*i].is_ascii_digit()).unwrap_or(len);
                    let n = format!("{}", rng.next() >> rng.below(64));
                    v.splice(p..end, n.bytes());
                }
            }
        }
    }
    v
}

/// Runs `f`, turning a panic into a test failure that shows the input.
fn no_panic<T>(what: &str, case: u64, input: &[u8], f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(t) => t,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            panic!(
                "{what}: case {case} (seed {}) panicked: {msg}\ninput ({} bytes): {:?}",
                seed(),
                input.len(),
                String::from_utf8_lossy(&input[..input.len().min(4000)])
            )
        }
    }
}

/// The error must be non-empty and name the file.
fn assert_clear(err: &DataError, file: &str, case: u64, input: &[u8]) {
    let text = err.to_string();
    assert!(
        !text.trim().is_empty() && text.contains(file),
        "case {case}: the error {text:?} does not name {file}\ninput: {:?}",
        String::from_utf8_lossy(&input[..input.len().min(2000)])
    );
}

/// Reads every column with every accessor the readers use.
fn read_every_way(path: &Path) -> Result<usize, DataError> {
    let mut csv = CsvFile::open(path)?;
    let headers = csv.headers().to_vec();
    let cols = headers
        .iter()
        .map(|h| csv.column(h))
        .collect::<Result<Vec<_>, _>>()?;
    let _ = csv
        .column("no such column")
        .expect_err("a missing column is an error");
    let mut seen = 0;
    csv.for_each_row(|row| {
        for c in &cols {
            let _ = row.str(c);
            let _ = row.text(c);
            let _ = row.code(c, "E01", "an LSOA 2021");
            let _ = row.opt_u32(c);
            let _ = row.u32(c);
            let _ = row.rank(c, 33_755);
            let _ = row.decile(c);
            let _ = row.opt_f64(c);
            let _ = row.f64(c);
            let _ = row.bool(c);
        }
        // Fail on the first row whose first column is not an LSOA code, as a reader would.
        if let Some(c) = cols.first() {
            row.code(c, "E0", "an area code")?;
        }
        seen += 1;
        Ok(())
    })?;
    Ok(seen)
}

#[test]
fn mutated_csv_text_gives_rows_or_an_error_naming_the_file() {
    let data = data_dir();
    let mut seeds = fixtures("csv", "csv");
    for f in [
        "cni2023_lsoa21.csv",
        "cni2019_ward17.csv",
        "imd2025_lsoa21.csv",
        "imd2019_lsoa11.csv",
    ] {
        seeds.push(head(&data.join("indicators").join(f), 8));
    }
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("fuzz_case.csv");
    let mut rng = Rng::new(seed());
    let (mut ok, mut err) = (0u64, 0u64);
    for case in 0..cases() {
        let k = rng.below(seeds.len());
        let input = mutate(&mut rng, &seeds[k]);
        std::fs::write(&path, &input).expect("write");
        match no_panic("CsvFile", case, &input, || read_every_way(&path)) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert_clear(&e, "fuzz_case.csv", case, &input);
                err += 1;
            }
        }
    }
    eprintln!("CsvFile: {} cases, {ok} read, {err} clear errors", cases());
    assert_eq!(ok + err, cases());
}

/// An indicator reader and the file it reads first.
type Reader = fn(&Path) -> Result<(), DataError>;

#[test]
fn mutated_indicator_files_give_an_error_naming_the_file() {
    let data = data_dir();
    let readers: [(&str, Reader); 4] = [
        ("cni2023_lsoa21.csv", |d| {
            indicators::read_cni2023(d).map(drop)
        }),
        ("cni2019_ward17.csv", |d| {
            indicators::read_cni2019(d).map(drop)
        }),
        ("imd2025_lsoa21.csv", |d| {
            indicators::read_iod2025(d).map(drop)
        }),
        ("imd2019_lsoa11.csv", |d| {
            indicators::read_iod2019(d).map(drop)
        }),
    ];
    let heads: Vec<Vec<u8>> = readers
        .iter()
        .map(|(f, _)| head(&data.join("indicators").join(f), 40))
        .collect();
    // The whole ward file (7,433 rows) now and then, so mutations also land past the head.
    let whole = std::fs::read(data.join("indicators/cni2019_ward17.csv")).expect("cni2019");
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("indicators")).expect("mkdir");
    let mut rng = Rng::new(seed() ^ 1);
    let mut errors = 0u64;
    for case in 0..cases() {
        let k = rng.below(readers.len());
        let (file, read) = readers[k];
        let (file, read, input) = if case % 50 == 49 {
            let (f, r) = readers[1];
            (f, r, mutate(&mut rng, &whole))
        } else {
            (file, read, mutate(&mut rng, &heads[k]))
        };
        let path = dir.path().join("indicators").join(file);
        std::fs::write(&path, &input).expect("write");
        let result = no_panic(file, case, &input, || read(dir.path()));
        // A head is never the whole file, and a mutated whole file may still read: both fine.
        if let Err(e) = result {
            assert_clear(&e, file, case, &input);
            errors += 1;
        }
        std::fs::remove_file(&path).expect("remove");
    }
    eprintln!(
        "indicator readers: {} cases, {errors} clear errors",
        cases()
    );
    assert!(
        errors >= cases() * 9 / 10,
        "heads of files must not read as whole files"
    );
}

/// A random JSON value: numbers at the edges, odd strings, nesting.
fn random_json(rng: &mut Rng, depth: u32) -> serde_json::Value {
    use serde_json::{json, Value};
    match rng.below(if depth > 2 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(f64::from_bits(rng.next()) % 1e7),
        3 => json!([-180.0, -90.0, 0.0, 1e-300, 1e300, 700000.0, -0.0][rng.below(7)]),
        4 => json!(rng.next() >> rng.below(64)),
        5 => json!(TOKENS[rng.below(TOKENS.len())]),
        6 => Value::Array(
            (0..rng.below(5))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        7 => json!([[random_json(rng, depth + 1), random_json(rng, depth + 1)]]),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                m.insert(
                    TOKENS[rng.below(TOKENS.len())].to_string(),
                    random_json(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

/// Visits a random node of `v` and changes it: replaced, removed, emptied, numbers nudged.
fn mutate_value(rng: &mut Rng, v: &mut serde_json::Value, depth: u32) {
    use serde_json::Value;
    let stop = rng.below(4) == 0 || depth > 12;
    match v {
        Value::Array(items) if !items.is_empty() && !stop => {
            let i = rng.below(items.len());
            match rng.below(8) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.insert(i, copy);
                }
                2 => items.truncate(i),
                _ => mutate_value(rng, &mut items[i], depth + 1),
            }
        }
        Value::Object(map) if !map.is_empty() && !stop => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let k = &keys[rng.below(keys.len())];
            match rng.below(8) {
                0 => {
                    map.remove(k);
                }
                1 => {
                    if let Some(x) = map.remove(k) {
                        map.insert(TOKENS[rng.below(TOKENS.len())].to_string(), x);
                    }
                }
                _ => {
                    if let Some(x) = map.get_mut(k) {
                        mutate_value(rng, x, depth + 1);
                    }
                }
            }
        }
        Value::Number(n) if rng.below(2) == 0 => {
            let x = n.as_f64().unwrap_or(0.0);
            let nudged = match rng.below(4) {
                0 => x + 1e-9,
                1 => x * 1000.0,
                2 => -x,
                _ => x + (rng.below(200) as f64 - 100.0) * 1e-3,
            };
            *v = serde_json::json!(nudged);
        }
        _ => *v = random_json(rng, depth),
    }
}

/// One to three structural mutations of a JSON document (still valid JSON).
fn mutate_json(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(seed) else {
        return mutate(rng, seed);
    };
    for _ in 0..1 + rng.below(3) {
        mutate_value(rng, &mut v, 0);
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// The first few features of a real boundary file, as compact GeoJSON.
fn real_geojson_head(path: &Path, n: usize) -> Vec<u8> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("boundary file")).expect("JSON");
    let features: Vec<serde_json::Value> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .take(n)
        .cloned()
        .collect();
    serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features}))
        .expect("encode")
}

#[test]
fn mutated_geojson_gives_boundaries_or_an_error_naming_the_file() {
    let data = data_dir();
    let mut seeds: Vec<(Vec<u8>, &str, &str, Option<&str>)> = fixtures("boundary", "geojson")
        .into_iter()
        .map(|b| (b, "code", "name", Some("E0")))
        .collect();
    seeds.push((
        real_geojson_head(&data.join("boundaries/lad24_buc.geojson"), 6),
        "ltla24_code",
        "ltla24_name",
        Some("E"),
    ));
    seeds.push((
        real_geojson_head(&data.join("boundaries/ward17_left_behind_225.geojson"), 4),
        "lba_code",
        "lba_name",
        None,
    ));
    let path = Path::new("fuzz_case.geojson");
    let mut rng = Rng::new(seed() ^ 2);
    let (mut ok, mut err) = (0u64, 0u64);
    for case in 0..cases() {
        let k = rng.below(seeds.len());
        let (seed_bytes, code, name, prefix) = &seeds[k];
        // Half the cases keep the JSON valid and change its structure or numbers instead.
        let input = if case % 2 == 0 {
            mutate(&mut rng, seed_bytes)
        } else {
            mutate_json(&mut rng, seed_bytes)
        };
        let result = no_panic("parse_boundaries", case, &input, || {
            cnimap_data::boundary::parse_boundaries(&input, path, code, name, *prefix)
        });
        match result {
            Ok(file) => {
                for f in &file.features {
                    assert!(
                        !f.code.is_empty(),
                        "case {case}: a kept feature has no code"
                    );
                }
                ok += 1;
            }
            Err(e) => {
                assert_clear(&e, "fuzz_case.geojson", case, &input);
                err += 1;
            }
        }
    }
    eprintln!(
        "parse_boundaries: {} cases, {ok} parsed, {err} clear errors",
        cases()
    );
    assert_eq!(ok + err, cases());
}

/// Users' boundary files (`cnimap areas`, uploads): mutated fixtures and real outlines go through
/// `read_user_boundaries`. Each gives areas (with a name and a non-empty outline inside England's
/// extent, every skipped feature named by number) or a whole-file error with a message; none
/// panics.
#[test]
fn mutated_user_boundaries_give_areas_or_a_clear_error() {
    use cnimap_data::custom_areas::read_user_boundaries;
    use geo::BoundingRect;

    let data = data_dir();
    let mut seeds: Vec<Vec<u8>> = fixtures("boundary", "geojson");
    seeds.push(real_geojson_head(
        &data.join("boundaries/lad24_buc.geojson"),
        4,
    ));
    seeds.push(real_geojson_head(
        &data.join("boundaries/ward17_left_behind_225.geojson"),
        3,
    ));
    let mut rng = Rng::new(seed() ^ 5);
    let (mut ok, mut err) = (0u64, 0u64);
    for case in 0..cases() {
        let k = rng.below(seeds.len());
        let input = if case % 2 == 0 {
            mutate(&mut rng, &seeds[k])
        } else {
            mutate_json(&mut rng, &seeds[k])
        };
        let result = no_panic("read_user_boundaries", case, &input, || {
            read_user_boundaries(&input, None)
        });
        match result {
            Ok(file) => {
                assert!(!file.areas.is_empty(), "case {case}: Ok with no area");
                for a in &file.areas {
                    assert!(!a.name.is_empty(), "case {case}: an area without a name");
                    let b = a.geometry.bounding_rect();
                    assert!(b.is_some(), "case {case}: an empty outline kept");
                }
                for p in file.problems.iter().chain(&file.repaired) {
                    assert!(
                        p.to_string().starts_with(&format!("feature {}", p.feature)),
                        "case {case}: {p}"
                    );
                }
                ok += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty(), "case {case}: an empty message");
                err += 1;
            }
        }
    }
    eprintln!(
        "read_user_boundaries: {} cases, {ok} read, {err} clear errors",
        cases()
    );
    assert_eq!(ok + err, cases());
}

/// The LSOA shapes document (`/api/shapes/lsoa21`, decoded by the browser, the server and
/// `cnimap areas`): random outlines on the 10^-5 degree grid come back exactly, and random or
/// truncated number arrays decode or give a clear error naming the outline; none panics.
#[test]
fn shapes_documents_round_trip_or_give_a_clear_error() {
    use cnimap_geometry::shapes::{decode, encode, ShapesDocument, FORMAT, SCALE};
    use geo_types::{LineString, MultiPolygon, Polygon};

    let mut rng = Rng::new(seed() ^ 11);
    let (mut exact, mut refused) = (0u64, 0u64);
    for case in 0..cases() {
        // A few outlines of a few polygons of a few rings, on the grid.
        let n = 1 + rng.below(4);
        let ring = |rng: &mut Rng| {
            let mut pts: Vec<(f64, f64)> = Vec::new();
            for _ in 0..3 + rng.below(6) {
                pts.push((
                    (-600_000 + rng.below(800_000) as i64) as f64 / SCALE,
                    (5_000_000 + rng.below(600_000) as i64) as f64 / SCALE,
                ));
            }
            pts.push(pts[0]);
            LineString::from(pts)
        };
        let mut outlines: Vec<(u32, MultiPolygon<f64>)> = Vec::new();
        for i in 0..n {
            let mut polygons = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let exterior = ring(&mut rng);
                let holes = (0..rng.below(2)).map(|_| ring(&mut rng)).collect();
                polygons.push(Polygon::new(exterior, holes));
            }
            outlines.push((i as u32 * 2, MultiPolygon(polygons)));
        }
        let doc = encode("lsoa21", 2 * n, &outlines);
        let back = no_panic("shapes decode", case, b"", || decode(&doc)).expect("decodes");
        assert_eq!(back, outlines, "case {case}: round trip");
        exact += 1;

        // Mutated numbers: a random cut, a random change.
        let mut numbers = doc.shapes[0].clone();
        match rng.below(3) {
            0 => numbers.truncate(rng.below(numbers.len())),
            1 => {
                let at = rng.below(numbers.len());
                numbers[at] = rng.below(2000) as i64 - 1000;
            }
            _ => numbers.push(rng.below(10) as i64),
        }
        let bad = ShapesDocument {
            format: FORMAT.into(),
            layer: "lsoa21".into(),
            scale: SCALE as u32,
            shapes: vec![numbers],
        };
        if let Err(e) = no_panic("shapes decode", case, b"", || decode(&bad)) {
            assert!(e.to_string().contains("outline 0"), "case {case}: {e}");
            refused += 1;
        }
    }
    eprintln!(
        "shapes documents: {} cases, {exact} exact round trips, {refused} mutated documents refused",
        cases()
    );
}
