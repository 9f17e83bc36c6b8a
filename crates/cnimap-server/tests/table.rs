//! The table on the real national data, through its two doors: `cnimap table` (the binary) and
//! `GET /api/table` (the router, through `tower::ServiceExt::oneshot`). Expected figures are
//! derived here straight from the raw files (the IoD 2025 and CNI 2023 CSVs and the ONS lookup),
//! independently of cnimap's readers. The generated-input test sends `CNIMAP_FUZZ_CASES` filter
//! and sort strings (default 2,000; `scripts/bench.sh fuzz` sets 100,000) through the parser and
//! the router: nothing may panic, every answer is a 200 or a 400 with a message.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cnimap_core::api::{ErrorBody, IndicatorsResponse, TableCell, TableResponse};
use cnimap_core::reweight::ReweightResponse;
use cnimap_core::table::TableQuery;
use cnimap_server::{app, AppState};
use cnimap_testkit::{data_dir, fuzz_cases, fuzz_seed, Rng};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn cnimap(args: &[&str]) -> std::process::Output {
    let data = data_dir();
    let mut all = vec!["table", "--data", data.to_str().expect("utf-8")];
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(&all)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs")
}

/// Splits one CSV line, honouring double quotes.
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A raw CSV file as rows of named fields.
fn raw(file: &str) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(data_dir().join(file)).expect("read");
    let mut lines = text.lines();
    let header = fields(lines.next().expect("header"));
    lines
        .filter(|l| !l.is_empty())
        .map(|l| header.iter().cloned().zip(fields(l)).collect())
        .collect()
}

fn imd2025() -> &'static Vec<HashMap<String, String>> {
    static ROWS: OnceLock<Vec<HashMap<String, String>>> = OnceLock::new();
    ROWS.get_or_init(|| raw("indicators/imd2025_lsoa21.csv"))
}

/// The CSV body of `cnimap table` or `/api/table`: (comment line, header, rows).
fn parse_csv(text: &str) -> (String, Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let comment = lines.next().expect("comment line").to_string();
    let header = fields(lines.next().expect("header row"));
    (comment, header, lines.map(fields).collect())
}

#[test]
fn cli_lists_middlesbrough_first_with_the_share_derived_from_the_raw_files() {
    let out = cnimap(&[
        "--level",
        "lad24",
        "--columns",
        "imd2025.share_decile1",
        "--sort",
        "imd2025.share_decile1",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (comment, header, rows) = parse_csv(&String::from_utf8_lossy(&out.stdout));
    assert!(comment.starts_with("# cnimap table"), "{comment}");
    assert!(
        comment.contains("English Indices of Deprivation 2025"),
        "{comment}"
    );
    assert!(
        comment.contains("imd2025.share_decile1: Share of"),
        "{comment}"
    );
    assert_eq!(header, ["code", "name", "imd2025.share_decile1"]);
    assert_eq!(rows.len(), 296, "every English council");
    assert_eq!(rows[0], ["E06000002", "Middlesbrough", "0.5"]);
    // Shares descend.
    let shares: Vec<f64> = rows.iter().map(|r| r[2].parse().expect("number")).collect();
    assert!(shares.windows(2).all(|w| w[0] >= w[1]));

    // The same shares straight from the raw IoD 2025 file and the ONS lookup, for six councils
    // (MHCLG's File 10 was not available to check against: these are derived independently).
    let decile: HashMap<&str, &str> = imd2025()
        .iter()
        .map(|r| (r["lsoa21_code"].as_str(), r["IMD_decile"].as_str()))
        .collect();
    let mut by_lad: HashMap<String, (u32, u32)> = HashMap::new();
    for r in raw("lookups/lookup_lsoa21_ward24_ltla24.csv") {
        if let Some(d) = decile.get(r["lsoa21_code"].as_str()) {
            let e = by_lad.entry(r["ltla24_code"].clone()).or_default();
            e.0 += 1;
            e.1 += u32::from(*d == "1");
        }
    }
    let ours: HashMap<&str, f64> = rows.iter().map(|r| (r[0].as_str(), shares_of(r))).collect();
    for lad in [
        "E06000002", // Middlesbrough
        "E06000009", // Blackpool
        "E06000010", // Kingston upon Hull
        "E08000011", // Knowsley
        "E08000012", // Liverpool
        "E07000076", // Tendring
    ] {
        let (n, d1) = by_lad[lad];
        let expected = f64::from(d1) / f64::from(n);
        assert!(
            (ours[lad] - expected).abs() < 1e-6,
            "{lad}: ours {} derived {expected} ({d1} of {n})",
            ours[lad]
        );
    }
    assert_eq!(
        by_lad["E06000002"],
        (2 * by_lad["E06000002"].1, by_lad["E06000002"].1)
    );
}

fn shares_of(r: &[String]) -> f64 {
    r[2].parse().expect("number")
}

#[test]
fn cli_two_decile_filters_give_the_1262_left_behind_lsoas_of_the_cni_file() {
    let out = cnimap(&[
        "--level",
        "lsoa21",
        "--filter",
        "imd2025.decile=1",
        "--filter",
        "cni2023.decile=1",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (comment, header, rows) = parse_csv(&String::from_utf8_lossy(&out.stdout));
    assert!(
        comment.contains("1262 of 33755 neighbourhoods"),
        "{comment}"
    );
    assert_eq!(header, ["code", "name"]);
    assert_eq!(rows.len(), 1_262);
    let ours: BTreeSet<String> = rows.into_iter().map(|r| r[0].clone()).collect();
    let flagged: BTreeSet<String> = raw("indicators/cni2023_lsoa21.csv")
        .into_iter()
        .filter(|r| r["Left Behind Area?"] == "True")
        .map(|r| r["lsoa21_code"].clone())
        .collect();
    assert_eq!(ours, flagged);
}

#[test]
fn cli_refuses_decile_11_naming_the_filter_before_reading_any_data() {
    let out = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["table", "--data", "/nonexistent", "--level", "lsoa21"])
        .args(["--filter", "imd2025.decile=11"])
        .env("RUST_LOG", "off")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = TableQuery::parse("lsoa21", &[] as &[&str], &["imd2025.decile=11"], None)
        .expect_err("refused")
        .to_string();
    assert_eq!(
        expected,
        "filter \"imd2025.decile=11\": decile 11 is out of range: deciles run 1 to 10"
    );
    assert!(stderr.contains(&format!("error: {expected}")), "{stderr}");
}

fn state() -> &'static AppState {
    common::national_state("table")
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// `(status, content type, body)` of a GET through the router.
fn get(uri: &str) -> (StatusCode, String, Vec<u8>) {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    runtime().block_on(async {
        let r = app(state().clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = r.status();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = r
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, ct, body)
    })
}

#[test]
fn api_ranges_count_what_the_raw_file_counts() {
    let in_12 = imd2025()
        .iter()
        .filter(|r| matches!(r["IMD_decile"].as_str(), "1" | "2"))
        .count();
    let top100 = imd2025()
        .iter()
        .filter(|r| r["IMD_rank"].parse::<u32>().expect("rank") <= 100)
        .count();
    assert_eq!(top100, 100);
    for (filter, expected) in [
        ("imd2025.decile%3D1..2", in_12),
        ("imd2025.rank%3C%3D100", top100),
    ] {
        let (status, ct, body) = get(&format!(
            "/api/table?level=lsoa21&columns=imd2025.rank,lad24.name&filter={filter}&sort=imd2025.rank&format=json"
        ));
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert!(ct.starts_with("application/json"), "{ct}");
        let t: TableResponse = serde_json::from_slice(&body).expect("json");
        assert_eq!(t.count as usize, expected, "{filter}");
        assert_eq!(t.rows.len(), expected);
        assert_eq!(t.of, 33_755);
        assert_eq!(t.columns, ["code", "name", "imd2025.rank", "lad24.name"]);
    }
    // The CSV of the same query has the same rows in the same order.
    let (status, ct, body) = get(
        "/api/table?level=lsoa21&columns=imd2025.rank&filter=imd2025.rank%3C%3D100&sort=imd2025.rank",
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "text/csv; charset=utf-8");
    let (_, _, rows) = parse_csv(&String::from_utf8_lossy(&body));
    let ranks: Vec<u32> = rows.iter().map(|r| r[2].parse().expect("rank")).collect();
    assert_eq!(ranks, (1..=100).collect::<Vec<u32>>());
}

#[test]
fn api_refuses_bad_queries_with_a_400_naming_the_part() {
    for (uri, says) in [
        (
            "/api/table?level=lsoa21&filter=imd2025.decile%3D11",
            "filter \"imd2025.decile=11\": decile 11 is out of range",
        ),
        (
            "/api/table?level=lsoa21&filter=imd2026.rank%3D1",
            "unknown indicator \"imd2026\"",
        ),
        (
            "/api/table?level=lsoa21&filter=imd2025.decile%3D3..1",
            "the range is empty",
        ),
        (
            "/api/table?level=lad24&columns=imd2025.rank",
            "column \"imd2025.rank\": rank is not available for imd2025 at level lad24",
        ),
        (
            "/api/table?level=lsoa21&filter=lad24%3DE06999999",
            "no lad24 with code \"E06999999\"",
        ),
        ("/api/table?level=lsoa99", "level \"lsoa99\": unknown level"),
        (
            "/api/table?level=lsoa21&filters=x",
            "unknown parameter \"filters\"",
        ),
        ("/api/table?level=lsoa21&format=xml", "use csv or json"),
    ] {
        let (status, _, body) = get(uri);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let e: ErrorBody = serde_json::from_slice(&body).expect("error body");
        assert_eq!(e.error, "bad_request");
        assert!(e.message.contains(says), "{uri}: {}", e.message);
    }
}

#[test]
fn api_summaries_at_every_level_and_their_methods_in_the_catalogue() {
    for (level, n) in [("region", 9), ("lad24", 296)] {
        let (status, _, body) = get(&format!(
            "/api/table?level={level}&columns=imd2019.average_rank,imd2019.rank_of_average_rank,cni2023.share_decile1,imd2025.average_rank&format=json"
        ));
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let t: TableResponse = serde_json::from_slice(&body).expect("json");
        assert_eq!(t.count, n);
        assert!(t.methods.iter().any(|m| m.method.contains("mid-2015")));
    }
    let (_, _, body) = get("/api/table?level=ward24&columns=lad24.name,imd2025.rank_of_average_rank&sort=imd2025.rank_of_average_rank&format=json");
    let t: TableResponse = serde_json::from_slice(&body).expect("json");
    assert!(t.count > 6_000, "{}", t.count);
    let (_, _, body) = get("/api/indicators");
    let c: IndicatorsResponse = serde_json::from_slice(&body).expect("json");
    let imd = c
        .indicators
        .iter()
        .find(|i| i.id == "imd2025")
        .expect("imd2025");
    let share = imd
        .measures
        .iter()
        .find(|m| m.id == "share_decile1")
        .expect("share");
    assert!(share.computable && share.method.contains("proportion of LSOAs"));
    let extent = imd
        .measures
        .iter()
        .find(|m| m.id == "extent")
        .expect("extent");
    assert!(!extent.computable && extent.method.starts_with("Not computed"));
}

/// The weights the custom-index tests use, as the page's URL, the API and the CLI take them.
const WEIGHTS: &str = "imd2025:income=30,employment=30,health=40";

#[test]
fn custom_columns_are_the_index_cnimap_reweight_rebuilds_and_the_cli_gives_the_apis_bytes() {
    let query = "level=lsoa21&columns=custom.score,custom.rank,custom.decile,imd2025.rank&filter=custom.decile%3D1&sort=custom.rank";
    let (status, _, api_csv) = get(&format!(
        "/api/table?{query}&weights={}",
        percent_encode(WEIGHTS)
    ));
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&api_csv)
    );
    let out = cnimap(&[
        "--level",
        "lsoa21",
        "--columns",
        "custom.score,custom.rank,custom.decile,imd2025.rank",
        "--filter",
        "custom.decile=1",
        "--sort",
        "custom.rank",
        "--weights",
        WEIGHTS,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, api_csv, "cnimap table and /api/table differ");
    let text = String::from_utf8(api_csv).expect("utf-8");
    let (comment, header, rows) = parse_csv(&text);
    assert!(
        comment.contains("&weights=imd2025:income=30,employment=30,education=0,health=40,crime=0,housing=0,environment=0"),
        "{comment}"
    );
    assert!(
        comment.contains("custom.score: the Index of Multiple Deprivation 2025 rebuilt from its domains with custom weights (income 30%, employment 30%, education 0%, health 40%"),
        "{comment}"
    );
    assert_eq!(
        header,
        [
            "code",
            "name",
            "custom.score",
            "custom.rank",
            "custom.decile",
            "imd2025.rank"
        ]
    );
    // The same index as the reweight door: every area in decile 1 there, with its rank.
    let (status, _, body) = get(
        "/api/reweight?index=imd2025&weights=income%3D30,employment%3D30,health%3D40&format=json",
    );
    assert_eq!(status, StatusCode::OK);
    let r: ReweightResponse = serde_json::from_slice(&body).expect("json");
    let mut expected: Vec<(String, u32)> = r
        .areas
        .iter()
        .filter(|a| a.decile == 1)
        .map(|a| (a.code.clone(), a.rank))
        .collect();
    expected.sort_by_key(|(c, rank)| (*rank, c.clone()));
    let ours: Vec<(String, u32)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[3].parse().expect("rank")))
        .collect();
    // ⌈10 × rank ÷ 33,755⌉ = 1 for ranks up to 3,375 (no ties at the edge).
    assert_eq!(ours.len(), 3_375);
    assert_eq!(ours, expected);
    // And the scores agree to the CSV's six decimals.
    let by_code: HashMap<&str, f64> = r.areas.iter().map(|a| (a.code.as_str(), a.score)).collect();
    for row in &rows {
        let ours: f64 = row[2].parse().expect("score");
        assert!((ours - by_code[row[0].as_str()]).abs() < 1e-5, "{row:?}");
    }
}

#[test]
fn custom_columns_in_json_and_their_refusals_name_the_weights() {
    let (status, _, body) = get(&format!(
        "/api/table?level=lsoa21&columns=custom.rank&sort=custom.rank&format=json&weights={}",
        percent_encode("imd2025:official")
    ));
    assert_eq!(status, StatusCode::OK);
    let t: TableResponse = serde_json::from_slice(&body).expect("json");
    assert_eq!(t.rows[0][2], Some(TableCell::Whole(1)));
    assert!(t
        .methods
        .iter()
        .any(|m| m.column == "custom.rank" && m.method.contains("MHCLG's domain weights")));
    for (uri, says) in [
        (
            "/api/table?level=lsoa21&columns=custom.rank".to_string(),
            "column \"custom.rank\": the custom index needs weights",
        ),
        (
            format!(
                "/api/table?level=lsoa21&columns=custom.rank&weights={}",
                percent_encode("imd2025:wealth=1")
            ),
            "weights \"imd2025:wealth=1\"",
        ),
        (
            format!(
                "/api/table?level=lad24&columns=custom.rank&weights={}",
                percent_encode("imd2025:equal")
            ),
            "available at level lsoa21 only, not lad24",
        ),
        (
            "/api/table?level=lsoa21&filter=bivariate%3D4x1".to_string(),
            "filter \"bivariate=4x1\": bivariate takes =DxN with terciles 1 to 3",
        ),
    ] {
        let (status, _, body) = get(&uri);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let e: ErrorBody = serde_json::from_slice(&body).expect("error body");
        assert!(e.message.contains(says), "{uri}: {}", e.message);
    }
    let out = cnimap(&[
        "--level",
        "lsoa21",
        "--columns",
        "custom.rank",
        "--weights",
        "cni2023",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: weights \"cni2023\": weights are INDEX:WEIGHTS"),
        "{stderr}"
    );
}

#[test]
fn the_bivariate_filter_keeps_the_lsoas_of_its_class_on_both_indices() {
    // Class 1x1: the most deprived third on the IMD 2025 and the highest-need third on the CNI
    // 2023, ⌈3 × rank ÷ n⌉ = 1 on both, counted here from the ranks the API gives.
    let (status, _, body) =
        get("/api/table?level=lsoa21&columns=imd2025.rank,cni2023.rank&format=json");
    assert_eq!(status, StatusCode::OK);
    let all: TableResponse = serde_json::from_slice(&body).expect("json");
    let third = |cell: &Option<TableCell>, n: u32| match cell {
        Some(TableCell::Whole(r)) => Some((3 * r).div_ceil(n)),
        _ => None,
    };
    let expected: BTreeSet<String> = all
        .rows
        .iter()
        .filter(|r| third(&r[2], 33_755) == Some(1) && third(&r[3], 33_755) == Some(1))
        .filter_map(|r| match &r[0] {
            Some(TableCell::Text(c)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert!(expected.len() > 5_000, "{}", expected.len());
    let (status, _, body) = get("/api/table?level=lsoa21&filter=bivariate%3D1x1&format=json");
    assert_eq!(status, StatusCode::OK);
    let t: TableResponse = serde_json::from_slice(&body).expect("json");
    let ours: BTreeSet<String> = t
        .rows
        .iter()
        .filter_map(|r| match &r[0] {
            Some(TableCell::Text(c)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ours, expected);
}

/// A filter or sort string: mostly near the grammar, sometimes anything.
fn generated(rng: &mut Rng) -> String {
    const HEADS: &[&str] = &[
        "imd2025",
        "cni2023",
        "imd2019",
        "cni2019",
        "imd2025_income",
        "imd2026",
        "IMD2025",
        "",
        "lad24",
        "region",
        "ward24",
        "lsoa21",
        "left_behind",
        "bivariate",
        "custom",
        "code",
        "name",
        "é",
        "imd2025.",
    ];
    const MEASURES: &[&str] = &[
        "rank",
        "decile",
        "score",
        "share_decile1",
        "average_rank",
        "rank_of_average_rank",
        "extent",
        "average_score",
        "",
        "name",
        "code",
        "Rank",
        "decile.decile",
    ];
    const OPS: &[&str] = &["=", "<=", ">=", "<", ">", "==", "=<", "!=", "", "=..", ":"];
    const VALUES: &[&str] = &[
        "1",
        "0",
        "10",
        "11",
        "1..2",
        "2..1",
        "1..",
        "..2",
        "0.5",
        "-1",
        "1e3",
        "NaN",
        "inf",
        "E06000002",
        "E12000001",
        "1x1",
        "3x3",
        "4x0",
        "2x",
        "x1",
        "1X1",
        "1x1x1",
        "0x2",
        "1-1",
        "",
        " ",
        "٣",
        "18446744073709551616",
        "1..2..3",
        "%",
        "asc",
    ];
    match rng.below(10) {
        0 => (0..rng.below(12))
            .map(|_| char::from_u32(rng.below(0x800) as u32).unwrap_or('?'))
            .collect(),
        1 => format!("{}{}", rng.pick(HEADS), rng.pick(OPS)),
        _ => {
            let mut s = rng.pick(HEADS).to_string();
            if rng.below(4) > 0 {
                s.push('.');
                s.push_str(rng.pick(MEASURES));
            }
            if rng.below(3) == 0 {
                s.push_str(rng.pick(&[":asc", ":desc", ":up", ""]));
            } else {
                s.push_str(rng.pick(OPS));
                s.push_str(rng.pick(VALUES));
            }
            s
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn generated_filters_and_sorts_never_panic_and_every_refusal_is_a_400_with_a_message() {
    const LEVELS: &[&str] = &[
        "lsoa21", "lad24", "region", "ward24", "lsoa11", "ward17", "lad19", "x",
    ];
    let mut rng = Rng::new(fuzz_seed());
    let (mut ok, mut refused) = (0u64, 0u64);
    for case in 0..fuzz_cases() {
        let level = rng.pick(LEVELS);
        let filters: Vec<String> = (0..rng.below(3)).map(|_| generated(&mut rng)).collect();
        let sort = generated(&mut rng);
        // The custom index: weights near the grammar, sometimes anything, sometimes none.
        let weights: Option<String> = match rng.below(4) {
            0 => None,
            1 => Some(generated(&mut rng)),
            _ => Some(format!(
                "{}:{}",
                rng.pick(&["imd2025", "imd2019", "cni2023", "imd2026", ""]),
                rng.pick(&[
                    "official",
                    "equal",
                    "income",
                    "civic",
                    "income=30,health=70",
                    "civic=1,engaged=2",
                    "income=-1",
                    "income=0",
                    "income=1e400",
                    "wealth=1",
                    "income=1,income=2",
                    "",
                    ",",
                ])
            )),
        };
        let columns: Vec<String> = if rng.below(3) == 0 {
            vec![rng
                .pick(&[
                    "custom.rank",
                    "custom.score,custom.decile",
                    "custom.extent",
                    "custom",
                ])
                .to_string()]
        } else {
            Vec::new()
        };
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            TableQuery::parse_with_weights(
                level,
                &columns,
                &filters,
                Some(&sort),
                weights.as_deref(),
            )
        }));
        let Ok(parsed) = parsed else {
            panic!("case {case}: parser panicked on {level:?} {columns:?} {filters:?} {sort:?} {weights:?}");
        };
        if let Err(e) = &parsed {
            assert!(!e.to_string().is_empty());
        }
        // Through the router: at lsoa21 only every 20th case runs (a valid query there encodes
        // up to 33,755 rows).
        if level == "lsoa21" && parsed.is_ok() && case % 20 != 0 {
            continue;
        }
        let mut uri = format!("/api/table?level={level}&sort={}", percent_encode(&sort));
        for c in &columns {
            uri.push_str("&columns=");
            uri.push_str(&percent_encode(c));
        }
        if let Some(w) = &weights {
            uri.push_str("&weights=");
            uri.push_str(&percent_encode(w));
        }
        for f in &filters {
            uri.push_str("&filter=");
            uri.push_str(&percent_encode(f));
        }
        if rng.below(10) == 0 {
            uri.push_str(rng.pick(&[
                "&filter=%zz",
                "&sort=%ff",
                "&x=1",
                "&format=json",
                "&level=lad24",
                "&filter",
            ]));
        }
        let (status, _, body) = get(&uri);
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST => {
                refused += 1;
                let e: ErrorBody = serde_json::from_slice(&body)
                    .unwrap_or_else(|_| panic!("case {case}: 400 without a JSON body: {uri}"));
                assert!(!e.message.is_empty(), "case {case}: {uri}");
                if let Err(p) = &parsed {
                    // The router says what the parser says (unless the extra junk was refused first).
                    if !uri.contains("%zz")
                        && !uri.contains("%ff")
                        && !uri.contains("&x=")
                        && !uri.contains("&level=lad24")
                        && !uri.ends_with("&filter")
                    {
                        assert_eq!(e.message, p.to_string(), "case {case}: {uri}");
                    }
                }
            }
            other => panic!("case {case}: {other} for {uri}"),
        }
    }
    eprintln!(
        "table fuzz: {} cases, {ok} sent through the router answered 200, {refused} refused with a 400",
        fuzz_cases()
    );
    assert!(ok > 0 && refused > 0, "ok {ok}, refused {refused}");
}

/// `LSOA 2011 code -> mid-2015 population` straight from MHCLG's File 6 (gzip, BOM, "1,296").
fn file6_population() -> HashMap<String, f64> {
    use std::io::Read;
    let dir = data_dir().join("indicators/iod2019_official");
    let path = std::fs::read_dir(&dir)
        .expect("iod2019_official")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("File_6"))
        })
        .expect("File 6");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut lines = text.lines();
    let header = fields(lines.next().expect("header").trim_start_matches('\u{feff}'));
    let col = |prefix: &str| {
        header
            .iter()
            .position(|h| h.starts_with(prefix))
            .expect("column")
    };
    let (code, pop) = (col("LSOA code"), col("Total population"));
    lines
        .map(fields)
        .map(|f| {
            let people: f64 = f[pop].replace(',', "").parse().expect("population");
            (f[code].clone(), people)
        })
        .collect()
}

#[test]
fn ward17_iod2019_summaries_are_the_best_fit_lookups_lsoas_summed_from_the_raw_files() {
    let columns =
        "imd2019.share_decile1,imd2019.average_rank,imd2019.rank_of_average_rank,cni2019.rank";
    let out = cnimap(&[
        "--level",
        "ward17",
        "--columns",
        columns,
        "--sort",
        "imd2019.rank_of_average_rank",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (comment, header, rows) = parse_csv(&text);
    assert!(comment.contains("best-fit"), "{comment}");
    assert!(comment.contains("mid-2015"), "{comment}");
    assert_eq!(header[2..], columns.split(',').collect::<Vec<_>>()[..]);
    // The rows are the CNI 2019 wards (the ward 2017 layer), whatever the LSOAs.
    let cni_wards: BTreeSet<String> = raw("indicators/cni2019_ward17.csv")
        .into_iter()
        .map(|r| r["ward17_code"].clone())
        .collect();
    assert_eq!(rows.len(), cni_wards.len());

    // Independently: each LSOA 2011's IMD 2019 rank and decile (the tidy file), its ward by the
    // ONS best-fit lookup and its population (File 6); a ward's share is its LSOAs in decile 1
    // over its LSOAs, its average rank the population-weighted mean rank.
    let imd: HashMap<String, (f64, bool)> = raw("indicators/imd2019_lsoa11.csv")
        .into_iter()
        .map(|r| {
            let rank: f64 = r["IMD_rank"].parse().expect("rank");
            (r["lsoa11_code"].clone(), (rank, r["IMD_decile"] == "1"))
        })
        .collect();
    let population = file6_population();
    // ward -> (LSOAs, in decile 1, sum of population x rank, population)
    let mut by_ward: HashMap<String, (u32, u32, f64, f64)> = HashMap::new();
    for r in raw("lookups/lookup_lsoa11_ward17_lad17.csv") {
        let Some((rank, d1)) = imd.get(&r["LSOA11CD"]) else {
            continue;
        };
        let people = population[&r["LSOA11CD"]];
        let e = by_ward.entry(r["WD17CD"].clone()).or_default();
        e.0 += 1;
        e.1 += u32::from(*d1);
        e.2 += people * rank;
        e.3 += people;
    }
    let mut averages: Vec<(f64, &str)> = Vec::new();
    let mut checked = 0;
    for r in &rows {
        let Some(&(n, d1, wsum, w)) = by_ward.get(&r[0]) else {
            // A CNI ward the best-fit lookup gives no LSOA: no summary.
            assert_eq!(r[2..5], ["", "", ""], "{}", r[0]);
            continue;
        };
        let share: f64 = r[2].parse().expect("share");
        let average: f64 = r[3].parse().expect("average rank");
        assert!((share - f64::from(d1) / f64::from(n)).abs() < 1e-6, "{r:?}");
        assert!((average - wsum / w).abs() < 1e-3, "{r:?}: {}", wsum / w);
        averages.push((wsum / w, r[0].as_str()));
        checked += 1;
    }
    assert!(checked > 7_400, "{checked} wards summarised");
    // The rank of the average rank: the ward's place among the summarised wards.
    averages.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    let rank_of: HashMap<&str, usize> = averages
        .iter()
        .enumerate()
        .map(|(i, (_, c))| (*c, i + 1))
        .collect();
    for r in rows.iter().filter(|r| !r[4].is_empty()) {
        let ours: usize = r[4].replace(',', "").parse().expect("rank of average");
        let derived = rank_of[r[0].as_str()];
        // Averages equal to 1e-3 may swap places: the rank agrees to within one.
        assert!(ours.abs_diff(derived) <= 1, "{}: {ours} vs {derived}", r[0]);
    }
    assert_eq!(rows[0][4], "1", "sorted by the rank of average rank");

    // The API gives the same bytes for the same query.
    let (status, _, body) = get(&format!(
        "/api/table?level=ward17&columns={columns}&sort=imd2019.rank_of_average_rank&format=csv"
    ));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&body), text);
}
