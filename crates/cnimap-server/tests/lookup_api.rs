//! `POST /api/lookup` through the router (`tower::ServiceExt::oneshot`) on the real national data:
//! a CSV in, the same CSV out with the columns appended and the summary in a header; its limits
//! (413 past 10 MiB or 100,000 rows) and its refusals (400 naming the line and the problem).

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use cnimap_core::api::ErrorBody;
use cnimap_core::bulk::{BatchSummary, Status};
use cnimap_server::routes::lookup::{MAX_BODY_BYTES, MAX_ROWS, SUMMARY_HEADER};
use cnimap_server::{app, AppState, DataSource};
use cnimap_testkit::data_dir;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| {
        let dist = std::env::temp_dir().join(format!("cnimap-lookup-test-{}", std::process::id()));
        std::fs::create_dir_all(&dist).expect("temp dir");
        AppState::load(
            &DataSource {
                data_dir: data_dir(),
                manifest: None,
                towns: Some(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../..")
                        .join(cnimap_search::DEFAULT_TOWNS_FILE),
                ),
            },
            dist,
        )
        .expect("state loads")
    })
}

async fn post(uri: &str, body: impl Into<Body>) -> Response {
    app(state().clone())
        .oneshot(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "text/csv")
                .body(body.into())
                .expect("request"),
        )
        .await
        .expect("infallible")
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

/// The IMD 2025 decile of an LSOA 2021 as the IoD2025 file gives it.
fn imd_decile_in_file(code: &str) -> String {
    let text = std::fs::read_to_string(data_dir().join("indicators/imd2025_lsoa21.csv"))
        .expect("IoD2025 file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "IMD_decile")
        .expect("IMD_decile column");
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == code)
        .map(|f| f[at].to_string())
        .expect("LSOA in the file")
}

#[tokio::test]
async fn a_csv_comes_back_with_its_rows_in_order_and_the_summary_in_a_header() {
    let r = post(
        "/api/lookup",
        "ref,Postcode,status\n1,co15 2eq,a\n2,EH1 1YZ,b\n3,QQ1 1AA,c\n4,hello,d\n",
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let summary: BatchSummary =
        serde_json::from_str(r.headers()[SUMMARY_HEADER].to_str().expect("ASCII header"))
            .expect("summary JSON");
    let text = String::from_utf8(bytes(r).await).expect("utf-8");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][..3], ["ref", "Postcode", "status"]);
    // The input's own `status` column is kept; cnimap's is renamed.
    assert_eq!(rows[0].last(), Some(&"cnimap.status"));
    let code = rows[0]
        .iter()
        .position(|h| *h == "lsoa21.code")
        .expect("code");
    let decile = rows[0]
        .iter()
        .position(|h| *h == "imd2025.decile")
        .expect("decile");
    assert_eq!(&rows[1][..3], ["1", "co15 2eq", "a"]);
    assert_eq!(rows[1][code], "E01021988");
    assert_eq!(rows[1][decile], imd_decile_in_file("E01021988"));
    assert_eq!(rows[1][decile], "1");
    let statuses: Vec<&str> = rows[1..]
        .iter()
        .map(|r| *r.last().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            "ok",
            "not in England",
            "not in the 2017 postcode file",
            "malformed"
        ]
    );
    assert_eq!(summary.rows, 4);
    assert_eq!(summary.rows_with(Status::Ok), 1);
    assert_eq!(summary.imd2025_deciles[0], 1);
    assert_eq!(summary.renamed_columns.len(), 1);
    assert!(summary.method.iter().any(|m| m.contains("split")));
}

#[tokio::test]
async fn the_summary_alone_comes_as_json() {
    let r = post(
        "/api/lookup?format=summary&column=where",
        "id;where\n1;CO15 2EQ\n2;CO15 2EQ\n",
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let summary: BatchSummary = serde_json::from_slice(&bytes(r).await).expect("JSON");
    assert_eq!((summary.rows, summary.left_behind), (2, 2));
    assert_eq!(summary.delimiter, "semicolon");
    assert_eq!(summary.postcode_column, "where");
}

#[tokio::test]
async fn more_rows_than_allowed_is_413_saying_the_limit() {
    let mut body = String::from("postcode\n");
    for _ in 0..=MAX_ROWS {
        body.push_str("CO15 2EQ\n");
    }
    assert!(body.len() < MAX_BODY_BYTES);
    let r = post("/api/lookup", body).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e = error(r).await;
    assert!(e.message.contains("100000 rows"), "{}", e.message);
}

#[tokio::test]
async fn a_body_over_the_byte_limit_is_413() {
    // Streamed without a length: the route's limit answers, with our JSON message.
    let r = post("/api/lookup", vec![b'a'; MAX_BODY_BYTES + 1]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error(r).await.message.contains("MiB"));
    // With a Content-Length over the limit it is refused before the body is read.
    let r = app(state().clone())
        .oneshot(
            Request::post("/api/lookup")
                .header(header::CONTENT_LENGTH, MAX_BODY_BYTES + 1)
                .body(Body::from(vec![b'a'; MAX_BODY_BYTES + 1]))
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The other routes keep the small limit.
    let r = app(state().clone())
        .oneshot(
            Request::get("/api/health")
                .header(header::CONTENT_LENGTH, 64 * 1024)
                .body(Body::from(vec![b'a'; 64 * 1024]))
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unreadable_csvs_are_400_naming_the_line_and_the_problem() {
    for (body, words) in [
        (
            "name,town\nx,Clacton\n",
            vec!["line 1", "no postcode column", "\"town\""],
        ),
        (
            "postcode,note\nCO15 2EQ,\"never closed\nCO15 2EQ,x\n",
            vec!["line 2", "never closed"],
        ),
        ("", vec!["empty"]),
        ("PK\u{3}\u{4}workbook", vec!["not a CSV file"]),
    ] {
        let r = post("/api/lookup", body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body:?}");
        let e = error(r).await;
        for w in words {
            assert!(e.message.contains(w), "{body:?}: {}", e.message);
        }
    }
    let r = post("/api/lookup?column=zip", "postcode\nCO15 2EQ\n").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(error(r).await.message.contains("\"zip\""));
}
