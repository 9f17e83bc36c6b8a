//! `GET /site.json` on a cnimap server: the marker the web app reads first to learn which back
//! end serves it. A static site (`cnimap export-site`) has a file here saying
//! [`crate::export_site::SITE_KIND`]; a server answers with its own kind, so the page's first
//! request is a 200 rather than a 404 logged in every visitor's console.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The `kind` a server answers with: anything but the static site's kind means "ask `/api/`".
pub const SERVER_KIND: &str = "cnimap-server";

/// `GET /site.json`: `{"kind":"cnimap-server"}`, revalidated on every load like `index.html`.
pub async fn site() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        format!("{{\"kind\":\"{SERVER_KIND}\"}}"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn a_server_says_it_is_not_a_static_site() {
        let response = site().await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL]
                .to_str()
                .expect("ascii"),
            "no-cache"
        );
        let body = to_bytes(response.into_body(), 1024).await.expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(json["kind"], SERVER_KIND);
        assert_ne!(json["kind"], crate::export_site::SITE_KIND);
    }
}
