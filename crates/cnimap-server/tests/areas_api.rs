//! `POST /api/areas` through the router (`tower::ServiceExt::oneshot`) on the real national data:
//! a GeoJSON of real local authorities (cut from `boundaries/lad24_bgc.geojson` at test time)
//! gives byte for byte what `cnimap areas` writes, as CSV and as the LSOA list; the JSON answer
//! holds the same numbers and names the broken feature; the shapes document is served; a bad file
//! is a 400 naming the problem, a body over 20 MiB a 413.

mod common;

use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use cnimap_core::api::ErrorBody;
use cnimap_core::custom_area::CustomAreasResponse;
use cnimap_geometry::shapes::ShapesDocument;
use cnimap_server::routes::custom_areas::{MAX_BODY_BYTES, PROBLEMS_HEADER};
use cnimap_server::{app, AppState};
use cnimap_testkit::data_dir;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> &'static AppState {
    common::national_state("areas")
}

async fn request(r: Request<Body>) -> Response {
    app(state().clone()).oneshot(r).await.expect("infallible")
}

async fn post(uri: &str, body: impl Into<Body>) -> Response {
    request(
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/geo+json")
            .body(body.into())
            .expect("request"),
    )
    .await
}

async fn bytes(r: Response) -> Vec<u8> {
    r.into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

async fn error(r: Response) -> ErrorBody {
    serde_json::from_slice(&bytes(r).await).expect("JSON error body")
}

/// Three authorities and a line (which cannot be an area).
fn three_lads() -> Vec<u8> {
    let text = std::fs::read_to_string(data_dir().join("boundaries/lad24_bgc.geojson"))
        .expect("read lad24_bgc");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let features = json["features"].as_array_mut().expect("features");
    let wanted = ["E06000002", "E06000009", "E06000017"];
    features.retain(|f| wanted.contains(&f["properties"]["LAD24CD"].as_str().unwrap_or("")));
    assert_eq!(features.len(), 3);
    features.push(
        serde_json::json!({"type": "Feature", "properties": {"LAD24NM": "A road"},
        "geometry": {"type": "LineString", "coordinates": [[-1.2, 54.5], [-1.1, 54.6]]}}),
    );
    serde_json::to_vec(&json).expect("bytes")
}

fn cli(file: &std::path::Path, extra: &[&str]) -> Vec<u8> {
    let data = data_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["areas", "--data", data.to_str().expect("utf-8")])
        .arg("--boundaries")
        .arg(file)
        .args(extra)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test]
async fn the_api_answers_what_the_command_line_writes() {
    let body = three_lads();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("three.geojson");
    std::fs::write(&file, &body).expect("write");

    let r = post("/api/areas?name_property=LAD24NM", body.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()
            .get(PROBLEMS_HEADER)
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let csv = bytes(r).await;
    assert_eq!(
        String::from_utf8_lossy(&csv),
        String::from_utf8_lossy(&cli(&file, &["--name-property", "LAD24NM"]))
    );

    let r = post(
        "/api/areas?name_property=LAD24NM&threshold=90&format=lsoas",
        body.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        bytes(r).await,
        cli(
            &file,
            &[
                "--name-property",
                "LAD24NM",
                "--threshold",
                "90",
                "--output",
                "lsoas"
            ]
        )
    );

    let r = post("/api/areas?name_property=LAD24NM&format=json", body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let json: CustomAreasResponse = serde_json::from_slice(&bytes(r).await).expect("JSON");
    let names: Vec<&str> = json.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Middlesbrough", "Blackpool", "Rutland"]);
    assert_eq!(json.problems.len(), 1);
    assert!(
        json.problems[0].starts_with("feature 4 (\"A road\"): its geometry is a LineString"),
        "{:?}",
        json.problems
    );
    // The CSV's numbers: the count, then IMD 2025's share and average rank.
    let text = String::from_utf8(csv).expect("utf-8");
    let row: Vec<&str> = text
        .lines()
        .nth(2)
        .expect("first area")
        .split(',')
        .collect();
    assert_eq!(row[1], json.areas[0].lsoas.to_string());
    let imd = &json.areas[0].indicators[0];
    assert_eq!(imd.indicator, "imd2025");
    let share: f64 = row[2].parse().expect("a share");
    assert!((share - imd.share_decile1.expect("ranked")).abs() < 1e-6);
    assert!(json.areas[0]
        .covers
        .iter()
        .all(|c| c.code.starts_with("E01")));
}

#[tokio::test]
async fn the_shapes_document_is_served_and_decodes() {
    let r = request(
        Request::get("/api/shapes/lsoa21")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc: ShapesDocument = serde_json::from_slice(&bytes(r).await).expect("JSON");
    assert_eq!(doc.shapes.len(), 33_755);
    let shapes =
        cnimap_geometry::user_boundaries::LsoaShapes::from_document(&doc).expect("decodes");
    assert_eq!(shapes.len(), 33_755);
}

#[tokio::test]
async fn bad_files_are_refused_with_the_problem_named() {
    let r = post("/api/areas", "{\"type\":").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(error(r)
        .await
        .message
        .starts_with("not JSON: line 1, column 8"));

    let point = "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[0,52]}}";
    let r = post("/api/areas", point).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(error(r)
        .await
        .message
        .contains("feature 1 (\"Area 1\"): its geometry is a Point"));

    let square = "{\"type\":\"Feature\",\"properties\":{\"name\":\"A\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1.1,51.78],[1.16,51.78],[1.16,51.8],[1.1,51.78]]]}}";
    for (query, want) in [
        (
            "threshold=150",
            "threshold 150: expected a percentage from 0 to 100",
        ),
        (
            "format=xml",
            "format must be csv, lsoas or json, not \"xml\"",
        ),
        (
            "name_property=NAME",
            "no feature has the property \"NAME\" (properties found: name)",
        ),
    ] {
        let r = post(&format!("/api/areas?{query}"), square).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(error(r).await.message, want);
    }

    let big = vec![b' '; MAX_BODY_BYTES + 1];
    let r = post("/api/areas", big).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error(r).await.message.contains("larger than 20 MiB"));
}

#[tokio::test]
async fn the_table_of_your_areas_answers_what_the_command_line_writes_with_the_summaries_numbers() {
    let body = three_lads();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("three.geojson");
    std::fs::write(&file, &body).expect("write");
    let words = "name_property=LAD24NM&columns=imd2025.share_decile1,cni2023.average_rank&filter=imd2025.share_decile1%3E=0&sort=imd2025.share_decile1:desc";
    let r = post(&format!("/api/areas?{words}"), body.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let table = String::from_utf8(bytes(r).await).expect("utf-8");
    let from_cli = cli(
        &file,
        &[
            "--name-property",
            "LAD24NM",
            "--columns",
            "imd2025.share_decile1,cni2023.average_rank",
            "--filter",
            "imd2025.share_decile1>=0",
            "--sort",
            "imd2025.share_decile1:desc",
        ],
    );
    assert_eq!(table, String::from_utf8_lossy(&from_cli));
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("# cnimap table (Your areas): 3 of 3 areas; query: level=areas&"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "code,name,imd2025.share_decile1,cni2023.average_rank"
    );
    // The same numbers as the JSON summaries, in the order of the sort.
    let r = post("/api/areas?name_property=LAD24NM&format=json", body.clone()).await;
    let json: CustomAreasResponse = serde_json::from_slice(&bytes(r).await).expect("JSON");
    let mut want: Vec<(String, f64, f64)> = json
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let of = |id: &str| a.indicators.iter().find(|s| s.indicator == id).expect(id);
            (
                format!("area{}", i + 1),
                of("imd2025").share_decile1.expect("share"),
                of("cni2023").average_rank.expect("average"),
            )
        })
        .collect();
    want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(lines.len(), 2 + want.len());
    for (line, (code, share, avg)) in lines[2..].iter().zip(&want) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], code);
        assert!(
            (cells[2].parse::<f64>().expect("share") - share).abs() < 1e-6,
            "{line}"
        );
        assert!(
            (cells[3].parse::<f64>().expect("average") - avg).abs() < 1e-6,
            "{line}"
        );
    }
    // Words your areas do not have are refused by name; so is GET /api/table?level=areas.
    for (query, says) in [
        (
            "columns=lad24.name",
            "column \"lad24.name\": your areas have no parents",
        ),
        (
            "columns=imd2025.rank",
            "imd2025.rank is a measure of single neighbourhoods",
        ),
        (
            "filter=left_behind",
            "filter \"left_behind\": this filter is about single neighbourhoods",
        ),
        (
            "columns=imd2025.average_rank&format=json",
            "the table of your areas, which is CSV",
        ),
        (
            "filters=imd2025.share_decile1%3E0",
            "unknown parameter \"filters\"",
        ),
    ] {
        let r = post(&format!("/api/areas?{query}"), body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        let message = error(r).await.message;
        assert!(message.contains(says), "{query}: {message}");
    }
    let r = request(
        Request::get("/api/table?level=areas&columns=imd2025.average_rank")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(error(r).await.message.contains("POST it to /api/areas"));
}
