//! Ingest of the real national data: counts, joins, derived figures against the published ones.

use cnimap_testkit::data_dir;
use std::sync::OnceLock;

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::classify::decile_from_rank;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;
use cnimap_data::boundary::Manifest;
use cnimap_data::Atlas;
use rstest::rstest;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let dir = data_dir();
        assert!(
            dir.is_dir(),
            "national data not found at {}: set CNIMAP_DATA",
            dir.display()
        );
        Atlas::load(&dir, &Manifest::embedded().expect("manifest"))
            .expect("the national data loads")
    })
}

#[rstest]
#[case::lsoa21(Level::Lsoa21, 33_755, 33_755)]
#[case::lsoa11(Level::Lsoa11, 32_844, 32_844)]
#[case::ward17(Level::Ward17, 7_433, 7_427)]
#[case::lad24(Level::Lad24, 296, 296)]
#[case::region(Level::Region, 9, 9)]
fn every_layer_has_its_published_number_of_areas(
    #[case] level: Level,
    #[case] areas: usize,
    #[case] outlines: usize,
) {
    let layer = atlas().layer(level).expect("layer");
    assert_eq!(layer.len(), areas);
    assert_eq!(
        layer.bbox_wgs84.iter().filter(|b| b.is_some()).count(),
        outlines
    );
}

#[rstest]
#[case::imd2025("imd2025", 33_755)]
#[case::imd2025_outdoors("imd2025_outdoors", 33_755)]
#[case::cni2023("cni2023", 33_755)]
#[case::imd2019("imd2019", 32_844)]
#[case::imd2019_cyp("imd2019_cyp", 32_844)]
#[case::cni2019("cni2019", 7_433)]
fn every_area_of_a_dataset_has_a_rank_and_a_decile(#[case] id: &str, #[case] n: usize) {
    let v = atlas().values(id).expect("indicator");
    assert_eq!(v.rank.iter().flatten().count(), n);
    assert_eq!(v.decile.iter().flatten().count(), n);
    assert_eq!(v.decile_counts.iter().sum::<u32>() as usize, n);
}

#[test]
fn every_catalogue_indicator_is_loaded() {
    for def in cnimap_core::CATALOGUE {
        assert!(atlas().values(def.id).is_some(), "{} not loaded", def.id);
    }
}

#[test]
fn the_left_behind_rule_reproduces_the_published_flag() {
    let a = atlas();
    let at10 = a.left_behind_lsoa21(LeftBehindRule::default());
    assert_eq!(at10.iter().filter(|f| **f).count(), 1_262);
    assert_eq!(at10, a.cni2023_flag, "derived and published flags differ");
    let at20 = a.left_behind_lsoa21(LeftBehindRule::new(20).expect("rule"));
    assert_eq!(at20.iter().filter(|f| **f).count(), 3_025);
}

#[test]
fn the_official_list_has_225_left_behind_wards_matching_their_outlines() {
    let a = atlas();
    assert_eq!(a.cni2019_official.iter().filter(|f| **f).count(), 225);
    assert_eq!(a.left_behind_outlines.len(), 225);
    let check = a
        .left_behind_checks
        .iter()
        .find(|c| c.title.contains("225"))
        .expect("check");
    assert_eq!(check.disagree, 0);
}

#[test]
fn derived_cni_deciles_follow_the_rank_rule_and_published_iod_deciles_agree_with_it() {
    let a = atlas();
    let cni = a.values("cni2023").expect("cni");
    for (r, d) in cni.rank.iter().zip(&cni.decile) {
        assert_eq!(*d, r.and_then(|r| decile_from_rank(r, 33_755)));
    }
    // The published IMD deciles obey the same rule, which is why the derived ones are comparable.
    let imd = a.values("imd2025").expect("imd");
    for (r, d) in imd.rank.iter().zip(&imd.decile) {
        assert_eq!(*d, r.and_then(|r| decile_from_rank(r, 33_755)));
    }
}

#[test]
fn the_official_iod2019_files_agree_with_the_tidy_ones() {
    let o = &atlas().iod2019_official;
    assert_eq!(o.rows, [32_844; 3]);
    assert!(
        o.differences.is_empty(),
        "{:?}",
        &o.differences[..o.differences.len().min(5)]
    );
    // File 6 writes "1,296" with a thousands separator for City of London 001A.
    assert_eq!(o.population.get("E01000001"), Some(&1_296));
}

#[test]
fn six_cni_2019_wards_have_data_but_no_outline_and_are_reported() {
    let r = atlas()
        .report
        .iter()
        .find(|r| r.name.contains("ward17_cni2019"))
        .expect("report");
    assert!(
        r.unmatched
            .iter()
            .any(|u| u.starts_with("6 with data but no geometry")),
        "{:?}",
        r.unmatched
    );
}

#[test]
fn welsh_lsoas_are_no_data_not_errors() {
    let r = atlas()
        .report
        .iter()
        .find(|r| r.name.contains("lsoa21_bsc"))
        .expect("report");
    assert_eq!(r.rows, 33_755);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("1917 features outside England")),
        "{:?}",
        r.notes
    );
}

#[test]
fn invalid_polygons_are_repaired_and_counted() {
    let repaired = |file: &str| {
        atlas()
            .report
            .iter()
            .find(|r| r.name.contains(file))
            .map(|r| r.repaired)
    };
    assert_eq!(repaired("lsoa21_bgc"), Some(121));
    assert_eq!(repaired("lsoa11_bgc"), Some(6));
}

#[test]
fn lad_summaries_follow_mhclg_measures() {
    let a = atlas();
    let lads = &a.summaries.by_level[&Level::Lad24]["imd2025"];
    assert_eq!(lads.len(), 296);
    let ranks: std::collections::BTreeSet<u32> =
        lads.values().map(|s| s.rank_of_average_rank).collect();
    assert_eq!(
        ranks,
        (1..=296).collect(),
        "ranks of average rank run 1..=296 without gaps"
    );
    // Recompute Tendring's share of LSOAs in decile 1 straight from the LSOA values.
    let layer = a.layer(Level::Lsoa21).expect("lsoa21");
    let imd = a.values("imd2025").expect("imd");
    let (mut n, mut d1) = (0u32, 0u32);
    for (i, code) in layer.codes.iter().enumerate() {
        if a.lookups
            .lsoa21
            .get(code)
            .is_some_and(|p| p.lad.code == "E07000076")
        {
            n += 1;
            d1 += u32::from(imd.decile[i] == Some(1));
        }
    }
    let t = &lads["E07000076"];
    assert_eq!(t.n_lsoas, n);
    assert!((t.share_decile1 - f64::from(d1) / f64::from(n)).abs() < 1e-12);
    let regions = &a.summaries.by_level[&Level::Region]["cni2023"];
    assert_eq!(regions.len(), 9);
    assert_eq!(regions.values().map(|s| s.n_lsoas).sum::<u32>(), 33_755);
}

#[test]
fn iod2019_summaries_reach_2024_councils_through_the_2011_to_2021_lookup() {
    let a = atlas();
    let lads = &a.summaries.by_level[&Level::Lad24]["imd2019"];
    assert_eq!(lads.len(), 296);
    assert_eq!(
        lads.values().map(|s| s.n_lsoas).sum::<u32>(),
        32_844,
        "every LSOA 2011 lands in one 2024 council"
    );
    // Tendring kept its code from 2017 to 2024: the 2011 -> 2021 -> LAD 2024 path must give the
    // same LSOAs as the ONS LSOA 2011 -> LAD 2017 best-fit lookup, and the same share in decile 1.
    let layer = a.layer(Level::Lsoa11).expect("lsoa11");
    let imd = a.values("imd2019").expect("imd2019");
    let (mut n, mut d1) = (0u32, 0u32);
    for (i, code) in layer.codes.iter().enumerate() {
        if a.lookups
            .lsoa11
            .get(code)
            .is_some_and(|p| p.lad.code == "E07000076")
        {
            n += 1;
            d1 += u32::from(imd.decile[i] == Some(1));
        }
    }
    let t = &lads["E07000076"];
    assert_eq!((t.n_lsoas, n > 0), (n, true));
    assert!((t.share_decile1 - f64::from(d1) / f64::from(n)).abs() < 1e-12);
    assert!(!a.summaries.by_level[&Level::Ward24].contains_key("imd2019"));
}

#[test]
fn the_atlas_tiles_what_the_manifest_marks_tiled() {
    let manifest = Manifest::embedded().expect("manifest");
    let expected = [
        Level::Lsoa21,
        Level::Lsoa11,
        Level::Ward17,
        Level::Lad24,
        Level::Region,
    ];
    assert_eq!(manifest.tiled_levels(), expected);
    assert_eq!(atlas().tiled_levels(), expected);
    assert!(!atlas().layer(Level::Lad19).expect("lad19").tiled);
}

#[test]
fn every_typed_indicator_id_finds_the_values_its_string_id_finds() {
    let a = atlas();
    for id in IndicatorId::all() {
        let typed = a.values_by_id(id).expect("loaded");
        let by_str = a.values(id.as_str()).expect("loaded");
        assert!(std::ptr::eq(typed, by_str), "{id}");
        assert_eq!(typed.def.id, id.as_str());
    }
}

#[test]
fn the_rule_check_compares_the_left_behind_pair_with_the_file_and_they_agree() {
    let a = atlas();
    let by_pair = a.left_behind(LEFT_BEHIND_PAIR, LeftBehindRule::default());
    assert_eq!(
        by_pair.len(),
        a.layer(LEFT_BEHIND_PAIR.level).expect("layer").len()
    );
    let check = a
        .left_behind_checks
        .iter()
        .find(|c| c.title.contains("Left Behind Area?"))
        .expect("check");
    assert!(
        check.title.contains(LEFT_BEHIND_PAIR.need.def().title)
            && check
                .title
                .contains(LEFT_BEHIND_PAIR.deprivation.def().title),
        "{}",
        check.title
    );
    assert_eq!(check.derived, by_pair.iter().filter(|f| **f).count());
    assert_eq!(
        (check.derived, check.published, check.disagree),
        (1_262, 1_262, 0)
    );
}
