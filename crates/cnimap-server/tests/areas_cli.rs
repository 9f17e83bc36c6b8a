//! `cnimap areas` on the real national data: a boundary file whose areas are exactly some local
//! authorities (their own ONS outlines, cut from `boundaries/lad24_bgc.geojson`) gives those
//! authorities' summaries as `cnimap table --level lad24` gives them, and a file with broken
//! features names each one while the good ones still work.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use cnimap_testkit::data_dir;

fn cnimap(args: &[&str]) -> Output {
    let data = data_dir();
    let mut all: Vec<&str> = vec![args[0], "--data", data.to_str().expect("utf-8")];
    all.extend_from_slice(&args[1..]);
    Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(&all)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs")
}

/// The CSV's rows after the comment line, as maps from header to field (names here hold no
/// commas).
fn rows(csv: &str) -> Vec<HashMap<String, String>> {
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

/// Five authorities of different kinds and sizes: a unitary town, a seaside town, a district, an
/// inner London borough and the smallest county.
const LADS: [&str; 5] = [
    "E06000002",
    "E06000009",
    "E07000076",
    "E09000033",
    "E06000017",
];

fn write_lads(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(data_dir().join("boundaries/lad24_bgc.geojson"))
        .expect("read lad24_bgc");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let features = json["features"].as_array_mut().expect("features");
    features.retain(|f| LADS.contains(&f["properties"]["LAD24CD"].as_str().unwrap_or("")));
    assert_eq!(features.len(), LADS.len());
    let path = dir.join("five-lads.geojson");
    std::fs::write(&path, serde_json::to_vec(&json).expect("bytes")).expect("write");
    path
}

#[test]
fn areas_that_are_local_authorities_get_the_authorities_summaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_lads(dir.path());
    let out = cnimap(&[
        "areas",
        "--boundaries",
        file.to_str().expect("utf-8"),
        "--name-property",
        "LAD24NM",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cnimap areas failed: {stderr}");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert!(csv.starts_with("# cnimap custom areas: 5 areas; rule: An LSOA 2021 counts"));
    let areas = rows(&csv);
    assert_eq!(areas.len(), 5);

    let indicators = ["imd2025", "cni2023", "imd2025_income", "cni2023_civic"];
    let columns: Vec<String> = indicators
        .iter()
        .flat_map(|i| [format!("{i}.share_decile1"), format!("{i}.average_rank")])
        .collect();
    let mut args = vec!["table", "--level", "lad24"];
    for c in &columns {
        args.extend(["--columns", c.as_str()]);
    }
    let table = cnimap(&args);
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let lads: HashMap<String, HashMap<String, String>> =
        rows(&String::from_utf8_lossy(&table.stdout))
            .into_iter()
            .map(|r| (r["name"].clone(), r))
            .collect();

    for area in &areas {
        let lad = &lads[&area["name"]];
        let lsoas: usize = area["lsoas"].parse().expect("count");
        assert!(lsoas > 20, "{} covers {lsoas} LSOAs", area["name"]);
        for c in &columns {
            let Some(published) = lad.get(c) else {
                continue;
            };
            let ours: f64 = area[c]
                .parse()
                .unwrap_or_else(|_| panic!("{c} of {}", area["name"]));
            let theirs: f64 = published.parse().expect("number");
            assert!(
                (ours - theirs).abs() < 1e-6,
                "{} {c}: custom area {ours}, local authority {theirs}",
                area["name"]
            );
        }
    }
    let middlesbrough = areas
        .iter()
        .find(|a| a["name"] == "Middlesbrough")
        .expect("Middlesbrough");
    assert_eq!(middlesbrough["imd2025.share_decile1"], "0.5");
}

#[test]
fn broken_features_are_named_and_the_good_ones_still_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mixed.geojson");
    let square = "[[[1.14,51.78],[1.16,51.78],[1.16,51.80],[1.14,51.80],[1.14,51.78]]]";
    let body = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"name":"Clacton square"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}},
        {{"type":"Feature","properties":{{"name":"A road"}},"geometry":{{"type":"LineString","coordinates":[[1.1,51.7],[1.2,51.8]]}}}},
        {{"type":"Feature","properties":{{"name":"Calais"}},"geometry":{{"type":"Polygon","coordinates":[[[1.8,50.9],[1.9,50.9],[1.9,51.0],[1.8,50.9]]]}}}}
        ]}}"#
    );
    std::fs::write(&path, body).expect("write");
    let out = cnimap(&["areas", "--boundaries", path.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped feature 2 (\"A road\"): its geometry is a LineString"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped feature 3 (\"Calais\"): covers no LSOA 2021 in England"),
        "{stderr}"
    );
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    let areas = rows(&csv);
    assert_eq!(areas.len(), 1);
    assert_eq!(areas[0]["name"], "Clacton square");
    assert!(areas[0]["lsoas"].parse::<u32>().expect("count") >= 1);

    let lsoas = cnimap(&[
        "areas",
        "--boundaries",
        path.to_str().expect("utf-8"),
        "--output",
        "lsoas",
    ]);
    assert!(lsoas.status.success());
    let text = String::from_utf8(lsoas.stdout).expect("utf-8");
    assert!(text.starts_with("area,lsoa21.code,share,counts\n"));
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.starts_with("Clacton square,E01")),
        "{text}"
    );

    let bad = cnimap(&["areas", "--boundaries", "/nonexistent.geojson"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent.geojson"));
    let not_json = dir.path().join("x.geojson");
    std::fs::write(&not_json, "name,postcode\n").expect("write");
    let bad = cnimap(&["areas", "--boundaries", not_json.to_str().expect("utf-8")]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not JSON: line 1, column 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
