//! The built web app (Trunk's `dist/`) at `/`, its page at `/area/{code}` (an area's profile:
//! the same `index.html` with a `<base>` pointing back at the root, so its relative asset paths
//! still work one folder down), and the Content-Security-Policy that lets exactly its scripts run.
//! The tools worker's files, which Trunk does not content-hash, are sent `no-cache` (revalidated
//! by `Last-Modified`), as the nginx template and docs/DEPLOY.md serve them.

use std::path::Path;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::Digest;
use tower_http::services::ServeDir;

use super::not_found;

/// Static files from `dir`, gzip variants when present, our JSON 404 otherwise. Paths cannot
/// escape `dir` (`ServeDir` refuses `..` and absolute components).
pub fn service(
    dir: &Path,
) -> ServeDir<tower_http::set_status::SetStatus<axum::routing::MethodRouter>> {
    ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .precompressed_gzip()
        .not_found_service(axum::routing::any(not_found))
}

/// The start of the tools worker's file names (`cnimap-worker.js`, `cnimap-worker_bg.wasm`,
/// `cnimap-worker_loader.js`): Trunk names a worker by its binary, so they keep their names from
/// one build to the next and must be revalidated, not kept.
pub const WORKER_FILE_PREFIX: &str = "cnimap-worker";

/// Whether a request path names one of the tools worker's files (its last segment starts with
/// [`WORKER_FILE_PREFIX`]).
pub fn is_worker_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with(WORKER_FILE_PREFIX))
}

/// [`service`] with `Cache-Control: no-cache` on the tools worker's files (their 200s and 304s),
/// so a browser revalidates them (`If-Modified-Since`; `ServeDir` sends `Last-Modified`) and a new
/// deploy's worker always matches its page. Other files are answered as [`service`] answers them.
pub fn app_files(dir: &Path) -> axum::Router {
    axum::Router::new()
        .fallback_service(service(dir))
        .layer(axum::middleware::from_fn(worker_no_cache))
}

/// The middleware of [`app_files`].
async fn worker_no_cache(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let worker = is_worker_file(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if worker && (status.is_success() || status == StatusCode::NOT_MODIFIED) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// The folder of the profile pages: `/area/{code}` (the static site has the page as
/// `area/index.html`, see [`profile_html`]).
pub const PROFILE_FOLDER: &str = "area";

/// The app's `index.html` as served one folder down (`/area/{code}`): a `<base href="../">` first
/// in `<head>`, so every relative URL (Trunk's assets, `site.json`, the API files of a static
/// site) resolves against the site's root. `None` when the page has no `<head>`.
pub fn profile_html(index_html: &str) -> Option<String> {
    let head = index_html.find("<head")?;
    let open_end = head + index_html[head..].find('>')? + 1;
    let mut out = String::with_capacity(index_html.len() + 24);
    out.push_str(&index_html[..open_end]);
    out.push_str("<base href=\"../\">");
    out.push_str(&index_html[open_end..]);
    Some(out)
}

/// `GET /area/{code}`: the app's page (it shows the area's profile; the code is read by the app,
/// which says so when there is no such area), never cached.
pub async fn area_page(State(state): State<crate::state::AppState>) -> Response {
    let path = state.static_dir.join("index.html");
    let page = std::fs::read_to_string(&path)
        .ok()
        .and_then(|html| profile_html(&html));
    match page {
        Some(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html,
        )
            .into_response(),
        None => {
            tracing::warn!(path = %path.display(), "no web app page to answer /area/ with");
            (
                StatusCode::NOT_FOUND,
                "The web app is not built here (no index.html), so there is no profile page.",
            )
                .into_response()
        }
    }
}

/// The Content-Security-Policy: our own origin only, plus what the app needs: WebAssembly
/// compilation, MapLibre's blob: workers, inline styles MapLibre sets, and the SHA-256 of each
/// inline script Trunk writes into `index.html` (read once here).
pub fn content_security_policy(static_dir: &Path) -> HeaderValue {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    if let Ok(html) = std::fs::read_to_string(static_dir.join("index.html")) {
        for body in inline_scripts(&html) {
            let digest = sha2::Sha256::digest(body.as_bytes());
            script_src.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
    }
    let csp = format!(
        "default-src 'self'; script-src {script_src}; worker-src 'self' blob:; child-src blob:; \
         img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The bodies of inline `<script>` elements (those without `src`).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            out.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    async fn answer(app: &axum::Router, uri: &str, since: Option<&str>) -> Response {
        let mut req = axum::http::Request::builder().uri(uri);
        if let Some(s) = since {
            req = req.header(header::IF_MODIFIED_SINCE, s);
        }
        app.clone()
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("infallible")
    }

    #[tokio::test]
    async fn the_worker_files_are_sent_no_cache_and_revalidate_and_others_are_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in [
            "cnimap-worker.js",
            "cnimap-worker_bg.wasm",
            "cnimap-worker_loader.js",
            "cnimap-web-0123abcd_bg.wasm",
            "index.html",
        ] {
            std::fs::write(dir.path().join(f), f).expect("file");
        }
        let app = app_files(dir.path());
        for f in [
            "cnimap-worker.js",
            "cnimap-worker_bg.wasm",
            "cnimap-worker_loader.js",
        ] {
            let r = answer(&app, &format!("/{f}"), None).await;
            assert_eq!(r.status(), StatusCode::OK, "{f}");
            assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache", "{f}");
            let modified = r.headers()[header::LAST_MODIFIED]
                .to_str()
                .expect("a date")
                .to_string();
            // Revalidation: the same file since its own date is a 304, still no-cache.
            let again = answer(&app, &format!("/{f}"), Some(&modified)).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{f}");
            assert_eq!(again.headers()[header::CACHE_CONTROL], "no-cache", "{f}");
        }
        for f in ["/cnimap-web-0123abcd_bg.wasm", "/index.html", "/"] {
            let r = answer(&app, f, None).await;
            assert_eq!(r.status(), StatusCode::OK, "{f}");
            assert!(r.headers().get(header::CACHE_CONTROL).is_none(), "{f}");
        }
        // A missing worker file is our 404, not a cacheable answer.
        let r = answer(&app, "/cnimap-worker-nope.js", None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.headers().get(header::CACHE_CONTROL).is_none());
        assert!(is_worker_file("/sub/path/cnimap-worker.js"));
        assert!(!is_worker_file("/cnimap-worker/index.html"));
    }

    #[test]
    fn the_profile_page_gets_a_base_first_in_head_and_keeps_everything_else() {
        let index = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <script>boot()</script>\n  </head></html>";
        let page = profile_html(index).expect("a head");
        assert!(
            page.contains("<head><base href=\"../\">\n    <script>boot()</script>"),
            "{page}"
        );
        assert_eq!(page.replace("<base href=\"../\">", ""), index);
        // The inline scripts (and so the CSP hashes) are unchanged.
        assert_eq!(inline_scripts(&page), inline_scripts(index));
        assert_eq!(profile_html("<html><body></body></html>"), None);
    }
}
