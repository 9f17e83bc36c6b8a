//! `GET /api/parents/{layer}` on the real national data: the document the browser builds its table
//! frame from is the server's own frame's parents (so the browser's CSV equals `/api/table`'s), and
//! the prepared build writes (and `serve --build` reads back) the same bytes the server answers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cnimap_core::api::ErrorBody;
use cnimap_core::table::{TableParents, TABLE_LEVELS};
use cnimap_core::Level;
use cnimap_server::build::documents::{api_documents, documents_from_paths};
use cnimap_server::{app, AppState};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> &'static AppState {
    common::national_state("parents")
}

async fn get(path: &str) -> (StatusCode, Vec<u8>) {
    let response = app(state().clone())
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("answers");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, body.to_vec())
}

#[tokio::test]
async fn every_table_level_has_the_parents_of_the_servers_own_frame() {
    let s = state();
    for level in TABLE_LEVELS {
        let frame = s.tables.get(&level).expect("a frame per table level");
        let (status, body) = get(&format!("/api/parents/{level}")).await;
        assert_eq!(status, StatusCode::OK, "{level}");
        let doc: TableParents = serde_json::from_slice(&body).expect("a TableParents document");
        assert_eq!(doc.layer, level);
        assert_eq!(doc.parents, frame.parents, "{level}");
        for p in &doc.parents {
            assert_eq!(p.index.len(), frame.len(), "{level} -> {}", p.level);
        }
    }
}

#[tokio::test]
async fn lsoa21_rows_lie_in_a_ward_a_council_and_a_region() {
    let (_, body) = get("/api/parents/lsoa21").await;
    let doc: TableParents = serde_json::from_slice(&body).expect("document");
    let levels: Vec<Level> = doc.parents.iter().map(|p| p.level).collect();
    assert_eq!(levels, [Level::Ward24, Level::Lad24, Level::Region]);
    let region = &doc.parents[2];
    assert_eq!(region.areas.len(), 9, "England's nine regions");
    assert_eq!(region.index.len(), 33_755);
    assert!(region.index.iter().all(Option::is_some));
}

#[tokio::test]
async fn the_builds_document_is_the_bytes_the_server_answers() {
    let s = state();
    let written = api_documents(&s.documents);
    for level in TABLE_LEVELS {
        let path = format!("parents/{level}");
        let doc = written
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, d)| *d)
            .unwrap_or_else(|| panic!("the build writes {path}"));
        let (_, body) = get(&format!("/api/{path}")).await;
        assert_eq!(doc.plain.as_ref(), body.as_slice(), "{path}");
    }
    // serve --build reads the same list back into the same documents.
    let back = documents_from_paths(written.iter().map(|(p, d)| (p.clone(), (*d).clone())))
        .expect("read back");
    for level in TABLE_LEVELS {
        assert_eq!(
            back.parents.get(&level).map(|d| &d.plain),
            s.documents.parents.get(&level).map(|d| &d.plain),
            "{level}"
        );
    }
}

#[tokio::test]
async fn a_level_without_a_table_is_a_404_naming_the_levels() {
    let (status, body) = get("/api/parents/lad19").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let e: ErrorBody = serde_json::from_slice(&body).expect("error body");
    assert!(e.message.contains("lsoa21"), "{}", e.message);
}
