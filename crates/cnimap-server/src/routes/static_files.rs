//! The built web app (Trunk's `dist/`) at `/`, and the Content-Security-Policy that lets exactly
//! its scripts run.

use std::path::Path;

use axum::http::HeaderValue;
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
