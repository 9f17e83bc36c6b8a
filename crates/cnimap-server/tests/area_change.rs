//! IMD 2019 -> 2025 at councils and wards 2024 (`cnimap_core::change::areas`), fed with the
//! documents the page fetches (`/api/lineage/lsoa11`, `/api/parents/lsoa21`, the two values
//! documents) through the router, checked against an independent recomputation from the raw
//! files (the IoD CSVs and the ONS lookups, joined by code with hash maps), on the real data.

mod common;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cnimap_core::api::ValuesResponse;
use cnimap_core::change::areas::{area_change, place_lsoa11, AreaChange};
use cnimap_core::lineage::LineageDocument;
use cnimap_core::table::TableParents;
use cnimap_core::Level;
use cnimap_server::{app, AppState};
use cnimap_testkit::data_dir;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> &'static AppState {
    common::national_state("change")
}

async fn json<T: serde::de::DeserializeOwned>(uri: &str) -> T {
    let r = app(state().clone())
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(r.status(), StatusCode::OK, "{uri}");
    let b = r.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&b).expect("JSON")
}

/// Each row of a raw CSV as a map of column name to value.
fn rows(relative: &str) -> Vec<HashMap<String, String>> {
    let path = data_dir().join(relative);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The counts of `area` (a LAD24 or ward 24 code, `column` of the LSOA 2021 lookup) from the raw
/// files alone.
fn from_raw_files(area: &str, column: &str) -> AreaChange {
    let area_of: HashMap<String, String> = rows("lookups/lookup_lsoa21_ward24_ltla24.csv")
        .into_iter()
        .map(|r| (r["lsoa21_code"].clone(), r[column].clone()))
        .collect();
    let decile = |file: &str, key: &str| -> HashMap<String, u8> {
        rows(file)
            .into_iter()
            .filter_map(|r| Some((r[key].clone(), r["IMD_decile"].parse().ok()?)))
            .collect()
    };
    let d25 = decile("indicators/imd2025_lsoa21.csv", "lsoa21_code");
    let d19 = decile("indicators/imd2019_lsoa11.csv", "lsoa11_code");
    let mut out = AreaChange::default();
    for (code, a) in &area_of {
        if a == area {
            if let Some(d) = d25.get(code) {
                out.lsoas_2025 += 1;
                out.decile1_2025 += u32::from(*d == 1);
            }
        }
    }
    // Each LSOA 2011: the area holding most of its successors, ties to the first in the file.
    let mut tally: Vec<(String, Vec<(String, u32)>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in rows("lookups/lookup_lsoa11_lsoa21_ltla22.csv") {
        let Some(a) = area_of.get(&r["lsoa21_code"]) else {
            continue;
        };
        let k = *at.entry(r["lsoa11_code"].clone()).or_insert_with(|| {
            tally.push((r["lsoa11_code"].clone(), Vec::new()));
            tally.len() - 1
        });
        let t = &mut tally[k].1;
        match t.iter_mut().find(|(x, _)| x == a) {
            Some((_, n)) => *n += 1,
            None => t.push((a.clone(), 1)),
        }
    }
    for (code, t) in tally {
        let mut best: Option<&(String, u32)> = None;
        for e in &t {
            if best.is_none_or(|b| e.1 > b.1) {
                best = Some(e);
            }
        }
        if best.is_some_and(|b| b.0 == area) {
            if let Some(d) = d19.get(&code) {
                out.lsoas_2019 += 1;
                out.decile1_2019 += u32::from(*d == 1);
            }
        }
    }
    out
}

#[tokio::test]
async fn councils_and_wards_change_since_2019_as_the_raw_files_say() {
    let lineage: LineageDocument = json("/api/lineage/lsoa11").await;
    let parents: TableParents = json("/api/parents/lsoa21").await;
    let v25: ValuesResponse = json("/api/values/lsoa21/imd2025").await;
    let v19: ValuesResponse = json("/api/values/lsoa11/imd2019").await;
    let lookup = lineage
        .rows(v19.decile.len(), v25.decile.len())
        .expect("the lineage fits its layers");
    for (level, column, codes) in [
        (
            Level::Lad24,
            "ltla24_code",
            &["E06000002", "E06000009", "E08000011", "E06000017"][..],
        ),
        (
            Level::Ward24,
            "ward24_code",
            &["E05009861", "E05009862"][..],
        ),
    ] {
        let col = parents
            .parents
            .iter()
            .find(|p| p.level == level)
            .expect("a parent column");
        let placed = place_lsoa11(&lookup, v19.decile.len(), &col.index);
        for code in codes {
            let area = col
                .areas
                .iter()
                .position(|a| a.code == *code)
                .expect("the area") as u32;
            let ours = area_change(area, &placed, &v19.decile, &col.index, &v25.decile);
            let raw = from_raw_files(code, column);
            assert_eq!(ours, raw, "{level} {code}");
            assert!(
                ours.lsoas_2019 > 0 && ours.lsoas_2025 > 0,
                "{code}: {ours:?}"
            );
        }
    }
}
