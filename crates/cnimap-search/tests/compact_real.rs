//! The compact form of the real index (national files, GeoNames' towns, the LSOA 2021 boxes)
//! answers exactly as the index built from the data: every query of the search benchmark's
//! seeded set (`examples/recall`: exact names, one and two edits, squashed, spaced) and a seeded
//! sample of real postcodes in several spellings, through both readers: the whole index read
//! back (`cnimap serve --build`) and the names index from bytes with each outcode's shard added
//! when a query needs it (the browser). Sizes and load times are measured by
//! `examples/compact.rs`, never asserted.

#[path = "../examples/recall/data.rs"]
mod data;
#[path = "../examples/recall/queries.rs"]
mod queries;

use std::io::BufReader;
use std::path::Path;

use cnimap_search::compact::{self, read_static, shard_file, write_static, SEARCH_DIR};
use cnimap_search::{SearchIndex, POSTCODE_FILE};
use cnimap_testkit::{data_dir, fuzz_seed, Rng};

/// Hits asked for per query (what the web app asks for, and the benchmark).
const LIMIT: usize = 10;

/// A seeded sample of the postcode file's postcodes (English and not), each in several forms:
/// as written, squashed in lower case, its sector, a partial unit and its outcode.
fn postcode_queries(data: &Path, rng: &mut Rng) -> Vec<String> {
    let file = std::fs::File::open(data.join(POSTCODE_FILE)).expect("the postcode file opens");
    let gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
    let mut reader = csv::Reader::from_reader(gz);
    let mut all: Vec<String> = Vec::new();
    for row in reader.records() {
        let row = row.expect("a postcode row");
        all.push(row[0].to_owned());
    }
    let mut out = Vec::new();
    for _ in 0..1_500 {
        let pc = &all[rng.below(all.len())];
        let Some((outcode, incode)) = pc.split_once(' ') else {
            continue;
        };
        out.push(pc.clone());
        out.push(pc.replace(' ', "").to_lowercase());
        out.push(format!("{outcode} {}", &incode[..1]));
        out.push(format!("{outcode} {}", &incode[..2]));
        out.push(outcode.to_owned());
        // A unit that may not exist: the message must match too.
        out.push(format!("{outcode} {}ZZ", &incode[..1]));
    }
    out
}

#[test]
fn the_compact_index_answers_the_benchmark_queries_exactly_as_the_index_from_the_data() {
    let data = data_dir();
    let mut index = data::load_with_towns(&data, &data::towns_file())
        .unwrap_or_else(|e| panic!("the real data and towns load: {e}"));
    let outlines = data::lsoa21_outlines(&data).expect("the LSOA 2021 outlines read");
    let boxes = data::bboxes(&outlines);
    index.set_area_bboxes(boxes.iter().map(|(c, b)| (c.as_str(), *b)));

    let build = tempfile::tempdir().expect("temp dir");
    write_static(&index, build.path()).expect("the compact index is written");
    let whole = read_static(build.path()).expect("the compact index reads back");
    let search = build.path().join(SEARCH_DIR);
    let names = std::fs::read(search.join(compact::NAMES_FILE)).expect("names index");
    let mut browser = SearchIndex::from_compact_bytes(&names).expect("from bytes");

    let mut rng = Rng::new(fuzz_seed());
    let targets = queries::targets(
        &data.join(cnimap_search::GAZETTEER_FILE),
        &data::towns_file(),
        &mut rng,
    )
    .expect("the gazetteer and towns read");
    let mut texts: Vec<String> = queries::queries(&targets, &mut rng)
        .into_iter()
        .map(|q| q.text)
        .collect();
    let names_count = texts.len();
    texts.extend(postcode_queries(&data, &mut rng));
    let (mut with_hits, mut shards_fetched) = (0usize, 0usize);
    for q in &texts {
        let expected = index.search(q, LIMIT);
        assert_eq!(whole.search(q, LIMIT), expected, "read whole: {q:?}");
        for outcode in browser.shards_needed(q) {
            let bytes = std::fs::read(search.join(shard_file(&outcode))).expect("shard");
            browser.add_postcode_shard(&bytes).expect("the shard reads");
            shards_fetched += 1;
        }
        assert_eq!(
            browser.search(q, LIMIT),
            expected,
            "from bytes, shards on demand: {q:?}"
        );
        with_hits += usize::from(expected.is_ok_and(|r| !r.hits.is_empty()));
    }
    eprintln!(
        "{} queries ({names_count} names, {} postcodes) equal through both readers; {with_hits} \
         with hits; {shards_fetched} shards fetched on demand",
        texts.len(),
        texts.len() - names_count
    );
    assert!(names_count > 10_000, "the benchmark set is too small");
    assert!(shards_fetched > 500, "too few shards exercised");
    assert!(
        with_hits > texts.len() / 2,
        "most queries must find something"
    );
    assert_eq!(whole.stats().postcodes, index.stats().postcodes);
}
