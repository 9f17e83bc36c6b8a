//! The OpenAPI document against the router: every route `routes::router` registers is documented
//! (a route added without a `#[utoipa::path]` fails here), every documented path is a route, the
//! document is OpenAPI 3.1 with every `$ref` resolving, and its three doors (`cnimap openapi`,
//! `GET /api/openapi.json`, [`cnimap_server::openapi::to_json`]) give the same bytes. The
//! independent validator and real responses checked against the schemas are in
//! tests/openapi/openapi.test.mjs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use axum::body::to_bytes;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

use cnimap_server::openapi;

/// One route as `routes/mod.rs` registers it: method and full path (`get /api/values/{layer}/{indicator}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    method: String,
    path: String,
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// The string literal starting at `s[at..]` (which must open with `"`), and the index after it.
fn literal(s: &str, at: usize) -> Option<(String, usize)> {
    let rest = s.get(at..)?.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some((rest[..end].to_string(), at + end + 2))
}

/// The index of the `)` closing the `(` at `open`.
fn closing(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads the routes out of `routes/mod.rs`: each `let NAME = Router::new()` chain's `.route("PATH",
/// get(..).post(..))` calls, prefixed by the `.nest("PREFIX", NAME)` that mounts the chain. Any
/// other way of adding routes (`merge`, `nest_service`, `route_service`, a nest of something
/// that is not a chain here) fails, so this reader cannot silently miss routes.
fn router_routes(source: &str) -> Vec<Route> {
    // Comments out, so a commented-out route does not count.
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    for banned in [".merge(", ".nest_service(", ".route_service("] {
        assert!(
            !code.contains(banned),
            "routes/mod.rs uses {banned}: teach tests/openapi.rs to read the routes it adds"
        );
    }
    let mut chains: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        if let Some(after) = rest.strip_prefix("let ") {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let tail = after[name.len()..].trim_start();
            current = tail
                .strip_prefix('=')
                .filter(|t| t.trim_start().starts_with("Router::new()"))
                .map(|_| name.clone());
            i += 4 + name.len();
            continue;
        }
        // The root router (`Router::new()` not bound to a name) holds the web app's pages.
        if rest.starts_with("Router::new()") && current.is_none() {
            current = Some(ROOT.to_string());
            prefixes.insert(ROOT.to_string(), String::new());
            i += "Router::new()".len();
            continue;
        }
        if rest.starts_with(".route(") {
            let open = i + ".route".len();
            let close = closing(&code, open).expect(".route( is closed");
            let args = &code[open + 1..close];
            let start = args
                .find('"')
                .expect(".route's first argument is a string literal");
            let (path, after) = literal(args, start).expect("a closed string literal");
            let handler = &args[after..];
            let methods: Vec<String> = METHODS
                .iter()
                .filter(|m| {
                    handler.match_indices(&format!("{m}(")).any(|(at, _)| {
                        at == 0
                            || !handler[..at]
                                .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                    })
                })
                .map(|m| m.to_string())
                .collect();
            assert!(
                !methods.is_empty(),
                "route {path}: no method found in {handler:?}"
            );
            let chain = current.clone().unwrap_or_else(|| {
                panic!("route {path} is outside a `let NAME = Router::new()` chain")
            });
            chains.entry(chain).or_default().push((path, methods));
            i = close;
            continue;
        }
        if rest.starts_with(".nest(") {
            let open = i + ".nest".len();
            let close = closing(&code, open).expect(".nest( is closed");
            let args = &code[open + 1..close];
            let start = args
                .find('"')
                .expect(".nest's first argument is a string literal");
            let (prefix, after) = literal(args, start).expect("a closed string literal");
            let name = args[after..]
                .trim_start_matches([',', ' ', '\n'])
                .trim()
                .to_string();
            prefixes.insert(name, prefix);
            i = close;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    let mut routes = Vec::new();
    for (chain, list) in chains {
        let prefix = prefixes.get(&chain).unwrap_or_else(|| {
            panic!("router chain {chain} is never nested: where is it mounted?")
        });
        for (path, methods) in list {
            for method in methods {
                routes.push(Route {
                    method,
                    path: format!("{prefix}{path}"),
                });
            }
        }
    }
    routes
}

/// The name given to the root router's chain.
const ROOT: &str = "<root>";

/// The web app's pages: HTML for browsers (the area profile) and the web app's own marker file
/// (`/site.json`, which tells the page it has a server), routed beside the API but not part of
/// it, so not in the OpenAPI document. Every route the root router has must be one of these.
const PAGES: [&str; 2] = ["/area/{code}", "/site.json"];

/// The router's routes that belong to the HTTP API (every route but the pages).
fn api_routes() -> Vec<Route> {
    let routes = router_routes(&mod_rs());
    for page in PAGES {
        assert!(
            routes.iter().any(|r| r.path == page),
            "the page {page} is no longer routed: update PAGES"
        );
    }
    routes
        .into_iter()
        .filter(|r| !PAGES.contains(&r.path.as_str()))
        .collect()
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// Whether the router path (axum: `{param}` is a whole segment) answers the documented path
/// (OpenAPI: a template may be part of a segment, `{layer}.json`).
fn matches(router: &str, documented: &str) -> bool {
    let (r, d) = (segments(router), segments(documented));
    r.len() == d.len()
        && r.iter().zip(&d).all(|(r, d)| {
            (r.starts_with('{') && r.ends_with('}') && !r.starts_with("{*")) || r == d
        })
}

fn document() -> Value {
    openapi::to_value().expect("the document serialises")
}

fn documented(doc: &Value) -> Vec<Route> {
    let paths = doc["paths"].as_object().expect("paths is an object");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method).is_some() {
                out.push(Route {
                    method: method.to_string(),
                    path: path.clone(),
                });
            }
        }
    }
    out
}

fn mod_rs() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes/mod.rs");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn every_route_the_router_has_is_in_the_document() {
    let routes = api_routes();
    assert!(routes.len() >= 15, "too few routes read: {routes:?}");
    let doc = document();
    let ops = documented(&doc);
    let missing: Vec<&Route> = routes
        .iter()
        .filter(|r| {
            !ops.iter()
                .any(|o| o.method == r.method && matches(&r.path, &o.path))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "routes with no #[utoipa::path] in crate::openapi::ApiDoc: {missing:?}"
    );
}

#[test]
fn every_documented_operation_is_a_route_of_the_router() {
    let routes = api_routes();
    let doc = document();
    let stray: Vec<Route> = documented(&doc)
        .into_iter()
        .filter(|o| {
            !routes
                .iter()
                .any(|r| r.method == o.method && matches(&r.path, &o.path))
        })
        .collect();
    assert!(stray.is_empty(), "documented but not routed: {stray:?}");
}

#[test]
fn the_route_reader_sees_nesting_methods_pages_and_refuses_merges() {
    let src = r#"
        let api = Router::new()
            .route("/a/{x}", get(a::a))
            // .route("/commented", get(c::c))
            .route(
                "/b",
                post(b::b).layer(DefaultBodyLimit::max(1)),
            );
        let tiles = Router::new().route("/{file}", get(t::t).post(t::u));
        let files = service(dir);
        Router::new().route("/page/{c}", get(p::p)).nest("/api", api).nest("/tiles", tiles)
    "#;
    let mut got = router_routes(src);
    got.sort();
    let want = [
        ("get", "/api/a/{x}"),
        ("post", "/api/b"),
        ("get", "/tiles/{file}"),
        ("post", "/tiles/{file}"),
        ("get", "/page/{c}"),
    ]
    .map(|(m, p)| Route {
        method: m.into(),
        path: p.into(),
    });
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want);
    assert!(matches("/tiles/{file}", "/tiles/{layer}.json"));
    assert!(!matches("/tiles/{file}", "/tiles/{layer}/{z}/{x}/{y}.mvt"));
    assert!(!matches("/api/search", "/api/searches"));
    let merged = std::panic::catch_unwind(|| router_routes("let r = Router::new().merge(other);"));
    assert!(merged.is_err(), "a merge must not be read as no routes");
}

/// Every `"$ref": "#/components/schemas/X"` in `v`.
fn refs<'a>(v: &'a Value, out: &mut BTreeSet<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.insert(r);
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    let mut found = BTreeSet::new();
    refs(&doc, &mut found);
    assert!(found.len() > 20, "few references: {found:?}");
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the schemas: {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
}

#[test]
fn every_operation_documents_its_errors_with_the_error_body() {
    let doc = document();
    for op in documented(&doc) {
        let responses = doc["paths"][&op.path][&op.method]["responses"]
            .as_object()
            .expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{op:?} has no success answer"
        );
        for (status, r) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{op:?} {status}"
                );
            }
        }
        for status in ["500", "503"] {
            assert!(responses.contains_key(status), "{op:?} lacks {status}");
        }
        if responses.contains_key("304") {
            let params = doc["paths"][&op.path][&op.method]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == "If-None-Match" && p["in"] == "header"),
                "{op:?} answers 304 but does not say to what"
            );
            assert!(
                responses["200"]["headers"].get("ETag").is_some(),
                "{op:?}: its 200's ETag is not documented"
            );
        }
        if op.path.contains('{') {
            let params = doc["paths"][&op.path][&op.method]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for name in op
                .path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next())
            {
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path"),
                    "{op:?}: path parameter {name} is not described"
                );
            }
        }
    }
    // The content types that are not JSON.
    let ct = |path: &str, method: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["responses"]["200"]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert!(ct("/api/table", "get").contains("text/csv"));
    assert!(ct("/api/lookup", "post").contains("text/csv"));
    assert!(
        ct("/tiles/{layer}/{z}/{x}/{y}.mvt", "get").contains("application/vnd.mapbox-vector-tile")
    );
    assert!(doc["paths"]["/api/lookup"]["post"]["responses"]
        .get("413")
        .is_some());
}

#[tokio::test]
async fn the_route_and_the_command_line_send_the_same_document() {
    let expected = openapi::to_json().expect("serialises");
    let response = cnimap_server::routes::openapi::openapi(HeaderMap::new())
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert!(response.headers().contains_key(header::ETAG));
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert_eq!(std::str::from_utf8(&body).expect("UTF-8"), expected);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .arg("openapi")
        .output()
        .expect("cnimap openapi runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).expect("UTF-8").trim_end(),
        expected
    );
}
