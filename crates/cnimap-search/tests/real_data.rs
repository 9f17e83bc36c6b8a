//! Search over the real national files: `CNIMAP_DATA`, or `<workspace>/../shared/data`. Fails
//! loudly when the data is missing.

use std::path::PathBuf;
use std::sync::OnceLock;

use cnimap_core::api::{HitKind, SearchHit};
use cnimap_search::{PostcodeLookup, QueryError, SearchIndex};
use rstest::rstest;

fn data_dir() -> PathBuf {
    let dir = std::env::var_os("CNIMAP_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    assert!(
        dir.join(cnimap_search::GAZETTEER_FILE).is_file(),
        "real data not found in {} (set CNIMAP_DATA)",
        dir.display()
    );
    dir
}

/// Loaded once for all tests of this file.
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| SearchIndex::load(&data_dir()).expect("the real data loads"))
}

fn first(query: &str) -> SearchHit {
    let response = index().search(query, 10).expect("valid query");
    response
        .hits
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("{query:?} found nothing: {response:?}"))
}

#[test]
fn every_row_of_every_file_is_counted() {
    let stats = index().stats();
    assert_eq!(stats.gazetteer.rows, 78_685);
    assert_eq!(stats.gazetteer.without_coordinates, 3_603);
    assert_eq!(stats.postcodes.rows, 1_738_223);
    // README: 1,442,750 English postcodes matched to an LSOA 2011; a few dozen more have only an
    // LSOA 2021.
    assert!((1_442_750..1_443_000).contains(&stats.postcodes.english));
    assert_eq!(stats.gazetteer.sectors, 9_133);
    assert_eq!(stats.gazetteer.outcodes, 2_237);
}

#[rstest]
#[case::standard("CO15 2EQ")]
#[case::lower_case_without_space("co152eq")]
#[case::odd_spacing(" Co15  2eq ")]
fn a_full_postcode_gives_the_postcode_and_its_lsoa_2021(#[case] query: &str) {
    let hit = first(query);
    assert_eq!(hit.kind, HitKind::Postcode);
    assert_eq!(hit.name, "CO15 2EQ");
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021988"));
    assert_eq!(hit.context, "Tendring, East of England");
    assert!(hit.ward.is_some());
    let [lon, lat] = hit.point_wgs84.expect("a point");
    assert!((1.0..1.3).contains(&lon) && (51.7..51.9).contains(&lat));
}

#[test]
fn a_sector_query_gives_the_sector_first() {
    let hit = first("CO15 2");
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::PostcodeSector, "CO15 2")
    );
}

#[test]
fn an_outcode_query_gives_the_outcode_first() {
    let hit = first("co15");
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::PostcodeOutcode, "CO15")
    );
}

#[test]
fn a_partial_unit_gives_postcodes_with_that_prefix() {
    let response = index().search("CO15 2E", 10).expect("valid query");
    let postcodes: Vec<&SearchHit> = response
        .hits
        .iter()
        .filter(|h| h.kind == HitKind::Postcode)
        .collect();
    assert!(!postcodes.is_empty());
    assert!(postcodes.iter().all(|h| h.name.starts_with("CO15 2E")));
}

#[rstest]
#[case::exact_name("Jaywick & St Osyth")]
#[case::one_word("jaywick")]
#[case::typo("Jaywik")]
fn jaywick_finds_the_neighbourhood_first(#[case] query: &str) {
    let hit = first(query);
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::Neighbourhood, "Jaywick & St Osyth")
    );
    assert_eq!(hit.context, "Tendring, East of England");
}

#[test]
fn a_typo_in_a_local_authority_finds_it() {
    let hit = first("Tendrng");
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::LocalAuthority, "Tendring")
    );
}

#[rstest]
#[case::code("E01021988")]
#[case::name("Tendring 018A")]
fn an_lsoa_is_found_by_code_and_by_name(#[case] query: &str) {
    let hit = first(query);
    assert_eq!(hit.kind, HitKind::Lsoa);
    assert_eq!(hit.code.as_deref(), Some("E01021988"));
    assert_eq!(hit.lsoa21.as_deref(), Some("E01021988"));
}

#[test]
fn a_made_up_well_formed_postcode_is_not_guessed() {
    assert_eq!(
        index().postcode("CO15 2ZZ"),
        Some(PostcodeLookup::NotInFile)
    );
    let response = index().search("CO15 2ZZ", 10).expect("valid query");
    let message = response.message.expect("a message");
    assert!(
        message.contains("not in the 2017 postcode file"),
        "{message}"
    );
    assert!(response.hits.iter().all(|h| h.kind != HitKind::Postcode));
}

#[rstest]
#[case::scotland("AB10 1XG")]
#[case::wales("CF10 1AA")]
fn a_postcode_outside_england_says_so(#[case] query: &str) {
    assert_eq!(
        index().postcode(query),
        Some(PostcodeLookup::OutsideEngland)
    );
    let response = index().search(query, 10).expect("valid query");
    assert!(response.hits.is_empty());
    assert!(response
        .message
        .expect("a message")
        .contains("outside England"));
}

#[test]
fn an_empty_query_is_refused() {
    assert_eq!(index().search("", 10), Err(QueryError::Empty));
}

#[test]
fn no_query_in_a_mix_returns_more_than_the_limit_or_repeats_a_hit() {
    for query in [
        "a",
        "st",
        "london",
        "Birmingam",
        "E0102",
        "M1",
        "b 1",
        "and",
    ] {
        for limit in [1, 7, 50] {
            let hits = index().search(query, limit).expect("valid query").hits;
            assert!(hits.len() <= limit, "{query:?}");
            let mut keys: Vec<(String, Option<String>)> = hits
                .iter()
                .map(|h| (h.name.clone(), h.code.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), hits.len(), "{query:?} repeats a hit");
        }
    }
}
