//! The compact form of the index on the hand-made fixture: read back whole (as `cnimap serve
//! --build` reads it) or from bytes with postcode shards added on demand (as the browser does),
//! it answers every query exactly as the index it was written from; and corrupted or truncated
//! bytes (a seeded generator) give a clear error, never a panic.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cnimap_search::compact::{self, read_static, shard_file, write_static, SEARCH_DIR};
use cnimap_search::{
    SearchError, SearchIndex, GAZETTEER_FILE, OUTCODE_FILE, POSTCODE_FILE, SECTOR_FILE,
    WARD_LOOKUP_FILE,
};
use cnimap_testkit::{fuzz_cases, fuzz_seed, Rng};
use geo_types::{polygon, MultiPolygon};

fn hand() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hand")
}

/// The fixture index with its towns and boxes, as the server builds it (one box is not a whole
/// number of millionths of a degree, so the exact-float path is exercised).
fn fixture_index() -> SearchIndex {
    let dir = tempfile::tempdir().expect("temp dir");
    for (from, to) in [
        ("gazetteer.csv", GAZETTEER_FILE),
        ("sectors.csv", SECTOR_FILE),
        ("outcodes.csv", OUTCODE_FILE),
        ("lsoa_ward_lad.csv", WARD_LOOKUP_FILE),
    ] {
        let to = dir.path().join(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(hand().join(from), to).expect("copy fixture");
    }
    let csv = std::fs::read(hand().join("postcodes.csv")).expect("postcode fixture");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&csv).expect("gzip");
    std::fs::write(dir.path().join(POSTCODE_FILE), gz.finish().expect("gzip")).expect("write");
    let mut index = SearchIndex::load(dir.path()).expect("the fixture loads");
    let square = |w: f64, s: f64, e: f64, n: f64| {
        MultiPolygon(vec![polygon![
            (x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n), (x: w, y: s)
        ]])
    };
    let squares = [
        ("E01021988", square(1.10, 51.77, 1.13, 51.79)),
        ("E01021989", square(1.13, 51.78, 1.18, 51.80)),
    ];
    index
        .add_towns_file(
            &hand().join("cities.json"),
            squares.iter().map(|(c, o)| (*c, o)),
        )
        .expect("the towns fixture loads");
    index.set_area_bboxes([
        ("E01021988", [1.10, 51.77, 1.13, 51.79]),
        ("E01021989", [1.0 / 3.0, 51.78, 1.18, 51.8 + 1e-9]),
        ("E07000076", [0.95, 51.76, 1.30, 51.96]),
        ("E05011963", [1.09, 51.77, 1.13, 51.80]),
        ("W01001939", [-3.2, 51.4, -3.1, 51.5]),
    ]);
    index
}

/// Queries of every shape the fixture answers: postcodes in several spellings, sectors,
/// outcodes, partial units, postcodes missing or outside England, names, typos, codes, towns.
const QUERIES: &[&str] = &[
    "CO15 2EQ",
    "co152eq",
    " Co15  2eq ",
    "CO15 2",
    "CO15 2E",
    "CO15",
    "co15",
    "CO15 9ZZ",
    "CO16 9XX",
    "AB10 1XG",
    "CF10 1AA",
    "AB10",
    "Tendring",
    "Tendrng",
    "tendring",
    "Tendring 018A",
    "E01021988",
    "e0102198",
    "E05011963",
    "Jaywick & St Osyth",
    "Jaywik",
    "osyth jay",
    "ham petersham",
    "st osyth",
    "Saint Osyth",
    "Clacton-on-Sea",
    "Clacton on Sea",
    "clactononsea",
    "clacton",
    "Holland",
    "west clacton",
    "a",
    "zzzzzz",
];

fn answers(index: &SearchIndex, query: &str) -> String {
    format!("{:?}", index.search(query, 10))
}

/// Answers `query` as the browser does: the shards it needs are added first, from `dir`.
fn browser_answers(index: &mut SearchIndex, dir: &Path, query: &str) -> String {
    for outcode in index.shards_needed(query) {
        let bytes = std::fs::read(dir.join(SEARCH_DIR).join(shard_file(&outcode)))
            .expect("the shard was written");
        let added = index.add_postcode_shard(&bytes).expect("the shard reads");
        assert_eq!(added, outcode);
    }
    answers(index, query)
}

#[test]
fn the_index_read_back_answers_every_query_exactly_as_the_one_written() {
    let index = fixture_index();
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_static(&index, dir.path()).expect("written");
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    // The English outcodes CO15 and CO16, and AB10 and CF10 outside England.
    assert_eq!(
        names,
        [
            "search/index.bin",
            "search/index.bin.gz",
            "search/postcodes/AB10.bin",
            "search/postcodes/CF10.bin",
            "search/postcodes/CO15.bin",
            "search/postcodes/CO16.bin",
        ]
    );

    let whole = read_static(dir.path()).expect("read back");
    let names_bytes =
        std::fs::read(dir.path().join(SEARCH_DIR).join(compact::NAMES_FILE)).expect("names");
    let mut browser = SearchIndex::from_compact_bytes(&names_bytes).expect("from bytes");
    for q in QUERIES {
        let expected = answers(&index, q);
        assert_eq!(answers(&whole, q), expected, "read whole: {q:?}");
        assert_eq!(
            browser_answers(&mut browser, dir.path(), q),
            expected,
            "from bytes with shards on demand: {q:?}"
        );
    }
    // The shards were fetched only for what was asked.
    assert!(browser.shards_needed("CO15 2EQ").is_empty());
    assert_eq!(browser.shards_needed("CO16 9XX"), Vec::<String>::new());
    assert_eq!(whole.stats().towns, index.stats().towns);
    assert_eq!(whole.stats().postcodes, index.stats().postcodes);
    assert_eq!(
        whole.postcode("CO15 2EQ"),
        index.postcode("CO15 2EQ"),
        "postcode lookup"
    );
    // A town carries its council's code (from the LSOA 2021 -> LAD 2024 lookup), read back too.
    let town = browser.search("Clacton-on-Sea", 1).expect("valid").hits;
    assert_eq!(town[0].kind, cnimap_core::api::HitKind::Town);
    assert_eq!(town[0].lad_code.as_deref(), Some("E07000076"));
    // Written again from the index read back: the same bytes.
    assert_eq!(whole.to_compact_bytes(), index.to_compact_bytes());
}

#[test]
fn a_fresh_index_from_bytes_asks_for_the_shards_a_postcode_query_needs() {
    let index = fixture_index();
    let bytes = index.to_compact_bytes();
    let fresh = SearchIndex::from_compact_bytes(&bytes).expect("from bytes");
    assert_eq!(fresh.shards_needed("co15 2eq"), ["CO15"]);
    // "CO15" alone reads as the outcode and as sector CO1 5: only shards that exist are asked.
    assert_eq!(fresh.shards_needed("CO15"), Vec::<String>::new());
    assert_eq!(fresh.shards_needed("CO15 2E"), ["CO15"]);
    assert_eq!(fresh.shards_needed("AB10 1XG"), ["AB10"]);
    assert!(fresh.shards_needed("Tendring").is_empty());
    // Names need no shard.
    assert_eq!(answers(&fresh, "Tendrng"), answers(&index, "Tendrng"));
    // A shard holds its own outcode only: CO15's does not bring CO16's postcodes.
    let mut fresh = fresh;
    let co15 = index.shard_bytes("CO15").expect("an outcode");
    assert_eq!(fresh.add_postcode_shard(&co15).expect("reads"), "CO15");
    assert_eq!(fresh.postcode("CO15 2EQ"), index.postcode("CO15 2EQ"));
    assert_eq!(
        fresh.postcode("CO16 9XX"),
        Some(cnimap_search::PostcodeLookup::NotInFile)
    );
    assert_eq!(fresh.shards_needed("CO16 9XX"), ["CO16"]);
}

/// The errors corrupt bytes must give: a `Compact` error naming the offset and the problem.
fn check_error(err: &SearchError, case: u64, what: &str) {
    let text = err.to_string();
    assert!(
        matches!(err, SearchError::Compact { .. }) && text.contains("byte "),
        "case {case} ({what}): {text}"
    );
}

/// Corrupts `bytes`: truncates, flips, replaces, inserts or deletes bytes, or swaps ranges.
fn corrupt(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match rng.below(6) {
        0 => b.truncate(rng.below(b.len())),
        1 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(b.len());
            b[i] = [0x00, 0x7f, 0x80, 0xff][rng.below(4)];
        }
        3 => {
            let i = rng.below(b.len() + 1);
            for _ in 0..1 + rng.below(10) {
                b.insert(i, rng.below(256) as u8);
            }
        }
        4 => {
            let i = rng.below(b.len());
            let n = (1 + rng.below(16)).min(b.len() - i);
            b.drain(i..i + n);
        }
        _ => {
            // A run of 0xff: varints that never end.
            let i = rng.below(b.len());
            for slot in b.iter_mut().skip(i).take(1 + rng.below(12)) {
                *slot = 0xff;
            }
        }
    }
    b
}

#[test]
fn corrupted_or_truncated_bytes_give_a_clear_error_and_never_panic() {
    let index = fixture_index();
    let names = index.to_compact_bytes();
    let shard = index.shard_bytes("CO15").expect("an outcode");
    // Every truncation.
    for n in 0..names.len() {
        let err = SearchIndex::from_compact_bytes(&names[..n]).expect_err("truncated");
        check_error(&err, n as u64, "names truncated");
    }
    let mut base = SearchIndex::from_compact_bytes(&names).expect("whole");
    for n in 0..shard.len() {
        let err = base.add_postcode_shard(&shard[..n]).expect_err("truncated");
        check_error(&err, n as u64, "shard truncated");
    }
    // Seeded corruptions: the reader may accept bytes whose corruption still reads as a valid
    // index (a changed letter in a name), but never panics and never gives another error.
    let mut rng = Rng::new(fuzz_seed());
    let (mut refused, mut accepted) = (0u64, 0u64);
    for case in 0..fuzz_cases() {
        let (target, bytes) = if rng.below(2) == 0 {
            ("names", corrupt(&names, &mut rng))
        } else {
            ("shard", corrupt(&shard, &mut rng))
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            if target == "names" {
                SearchIndex::from_compact_bytes(&bytes)
                    .map(|i| i.search("clacton", 10).map(|r| r.hits.len()).unwrap_or(0))
            } else {
                let mut index = SearchIndex::from_compact_bytes(&names).expect("whole");
                index.add_postcode_shard(&bytes).map(|_| {
                    index
                        .search("CO15 2", 10)
                        .map(|r| r.hits.len())
                        .unwrap_or(0)
                })
            }
        }));
        let Ok(result) = result else {
            panic!(
                "case {case} (seed {}): reading corrupted {target} bytes panicked",
                fuzz_seed()
            );
        };
        match result {
            Ok(_) => accepted += 1,
            Err(e) => {
                check_error(&e, case, target);
                refused += 1;
            }
        }
    }
    eprintln!(
        "compact: {} corrupted indexes and shards, {refused} refused, {accepted} read",
        fuzz_cases()
    );
    assert!(refused > accepted, "most corruptions must be caught");
}

#[test]
fn gzipped_bytes_or_another_version_are_named_as_such() {
    let index = fixture_index();
    let names = index.to_compact_bytes();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&names).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let text = SearchIndex::from_compact_bytes(&gz)
        .expect_err("gzipped")
        .to_string();
    assert!(text.contains("gzipped"), "{text}");
    let mut other = names.clone();
    other[8] = 99;
    let text = SearchIndex::from_compact_bytes(&other)
        .expect_err("version 99")
        .to_string();
    assert!(text.contains("format version 99"), "{text}");
}

/// The queries of the browser test (`cnimap-web/tests/browser.rs`): typos, a squashed town and
/// postcodes.
const BROWSER_QUERIES: &[&str] = &["Tendrng", "Jaywik", "clactononsea", "CO15 2EQ", "co15 2e"];

/// The browser test's fixture (`tests/fixtures/compact/`): the hand-made fixture's names index,
/// CO15's shard, and the native answers to [`BROWSER_QUERIES`] as JSON. The browser test builds
/// the index from these bytes in wasm and must give the same JSON. `CNIMAP_BLESS=1` rewrites
/// the files after a deliberate format change.
#[test]
fn the_browser_fixture_is_what_the_fixture_index_writes_and_answers() {
    let index = fixture_index();
    let answers: Vec<_> = BROWSER_QUERIES
        .iter()
        .map(|q| index.search(q, 10).expect("valid query"))
        .collect();
    let files: [(&str, Vec<u8>); 3] = [
        ("index.bin", index.to_compact_bytes()),
        ("CO15.bin", index.shard_bytes("CO15").expect("an outcode")),
        (
            "answers.json",
            serde_json::to_vec_pretty(&answers).expect("JSON"),
        ),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compact");
    for (name, bytes) in files {
        let path = dir.join(name);
        if std::env::var_os("CNIMAP_BLESS").is_some() {
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with CNIMAP_BLESS=1)", path.display()));
        assert!(
            committed == bytes,
            "{} is not what the fixture index writes now: run with CNIMAP_BLESS=1",
            path.display()
        );
    }
    // The typo queries find their places.
    assert_eq!(answers[0].hits[0].name, "Tendring");
    assert_eq!(
        (answers[1].hits[0].kind, answers[1].hits[0].name.as_str()),
        (cnimap_core::api::HitKind::Town, "Jaywick")
    );
}
