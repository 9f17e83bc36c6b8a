//! Generated bad requests on the real national data: tile coordinates straight into
//! [`cnimap_server::routes::tiles::parse_tile`], and tile paths, search query strings, area codes and
//! layer/indicator names through the whole router (`tower::ServiceExt::oneshot`). Nothing may
//! panic or answer 5xx; every refusal has a non-empty body. The number of cases per target comes
//! from `CNIMAP_FUZZ_CASES` (default 2,000; `scripts/bench.sh fuzz` runs 100,000), the seed from
//! `CNIMAP_FUZZ_SEED`. The state is loaded once for the whole file.

use cnimap_testkit::{fuzz_cases as cases, fuzz_seed as seed, Rng};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use cnimap_core::api::ErrorBody;
use cnimap_server::{app, AppState, DataSource};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| {
        let dir = std::env::var_os("CNIMAP_DATA").map_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
            std::path::PathBuf::from,
        );
        assert!(
            dir.is_dir(),
            "national data not found at {}: set CNIMAP_DATA",
            dir.display()
        );
        let dist = std::env::temp_dir().join(format!("cnimap-fuzz-test-{}", std::process::id()));
        std::fs::create_dir_all(&dist).expect("temp dir");
        AppState::load(
            &DataSource {
                data_dir: dir,
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

const LAYERS: &[&str] = &[
    "lsoa21",
    "lsoa11",
    "ward17",
    "lad24",
    "region",
    "ward24",
    "lad19",
    "LSOA21",
    "lsoa",
    "",
    " ",
    "lsoa21.json",
    "..",
    "%2e%2e",
    "régión",
    "lsoa21\u{0}",
];

/// Text that is almost, or not at all, a whole number.
fn number_text(rng: &mut Rng) -> String {
    match rng.below(12) {
        0..=3 => rng.below(20).to_string(),
        4 | 5 => (rng.next() >> rng.below(64)).to_string(),
        6 => format!("-{}", rng.below(100)),
        7 => format!("+{}", rng.below(100)),
        8 => format!("0{}", rng.below(100)),
        9 => rng
            .pick(&[
                "",
                " ",
                "1.0",
                "1e3",
                "0x10",
                "４",
                "²",
                "NaN",
                "256",
                "4294967296",
                "18446744073709551616",
                "99999999999999999999999999",
                "1 ",
                "٣",
            ])
            .to_string(),
        _ => (0..rng.below(6))
            .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
    }
}

fn tile_file(rng: &mut Rng) -> String {
    let y = number_text(rng);
    let ext = rng.pick(&[
        ".mvt", ".mvt", ".mvt", ".pbf", ".png", "", ".MVT", ".mvt.gz", ".", "mvt",
    ]);
    format!("{y}{ext}")
}

/// A tile coordinate that is valid for the layer half the time.
fn tile_parts(rng: &mut Rng) -> (String, String, String, String) {
    let layer = if rng.below(3) == 0 {
        rng.pick(LAYERS).to_string()
    } else {
        "lsoa21".to_string()
    };
    if rng.below(2) == 0 {
        // Valid numbers, possibly out of range, around England or anywhere.
        let z = rng.below(17) as u32;
        let n = 1u64 << z;
        let (x, y) = if rng.below(2) == 0 {
            // Near England: lon -6..2, lat 50..56.
            let fx = (rng.below(800) as f64 / 100.0 - 6.0 + 180.0) / 360.0;
            let lat = (50.0 + rng.below(600) as f64 / 100.0).to_radians();
            let fy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
            ((fx * n as f64) as u64, (fy * n as f64) as u64)
        } else {
            (rng.next() % (n + 2), rng.next() % (n + 2))
        };
        (layer, z.to_string(), x.to_string(), format!("{y}.mvt"))
    } else {
        (layer, number_text(rng), number_text(rng), tile_file(rng))
    }
}

/// Percent-encodes everything but unreserved characters, so any text makes a valid URI.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn generated_tile_coordinates_parse_or_give_a_clear_error() {
    let state = state();
    let mut rng = Rng::new(seed());
    let (mut ok, mut refused) = (0u64, 0u64);
    for case in 0..cases() {
        let (layer, z, x, y) = tile_parts(&mut rng);
        let result = catch_unwind(AssertUnwindSafe(|| {
            cnimap_server::routes::tiles::parse_tile(state, &layer, &z, &x, &y)
        }));
        let Ok(result) = result else {
            panic!("case {case}: parse_tile({layer:?}, {z:?}, {x:?}, {y:?}) panicked");
        };
        match result {
            Ok((_, c)) => {
                let n = 1u64 << c.z();
                assert!(
                    u64::from(c.x()) < n && u64::from(c.y()) < n && c.z() <= 14,
                    "case {case}: {layer}/{z}/{x}/{y} accepted as {c:?}"
                );
                ok += 1;
            }
            Err(e) => {
                assert!(
                    !e.to_string().trim().is_empty(),
                    "case {case}: empty message"
                );
                refused += 1;
            }
        }
    }
    eprintln!(
        "parse_tile: {} cases, {ok} valid, {refused} refused",
        cases()
    );
    assert!(ok > 0 && refused > 0, "the generator must make both kinds");
}

/// What the router answered, by status and content type.
#[derive(Default)]
struct Tally(
    BTreeMap<(u16, String), u64>,
    BTreeMap<(u16, String), String>,
);

impl Tally {
    fn report(&self, what: &str) {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, n)| {
                let example = self.1.get(k).map(String::as_str).unwrap_or("");
                format!("\n  {} {}: {n} (e.g. {example})", k.0, k.1)
            })
            .collect();
        eprintln!("{what}:{}", parts.join(""));
    }
}

/// Sends one GET; asserts no 5xx, and that every refusal is a JSON `ErrorBody` with a message.
async fn check(uri: &str, case: u64, tally: &mut Tally) {
    let Ok(req) = Request::builder()
        .uri(uri)
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
    else {
        // The URI itself does not parse: the HTTP layer refuses it before our code runs.
        *tally.0.entry((0, "unparseable URI".into())).or_default() += 1;
        return;
    };
    let response = app(state().clone()).oneshot(req).await.expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(
        !status.is_server_error(),
        "case {case}: GET {uri} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    if status.is_client_error() {
        assert!(
            !body.is_empty(),
            "case {case}: GET {uri} answered {status} with no body"
        );
        assert!(
            content_type.starts_with("application/json"),
            "case {case}: GET {uri} answered {status} as {content_type:?}, not JSON: {}",
            String::from_utf8_lossy(&body)
        );
        let e: ErrorBody = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("case {case}: GET {uri}: error body is not an ErrorBody: {e}")
        });
        assert!(
            !e.message.trim().is_empty(),
            "case {case}: GET {uri}: empty message"
        );
    } else {
        assert!(
            status == StatusCode::OK || status == StatusCode::NO_CONTENT,
            "case {case}: GET {uri} answered {status}"
        );
    }
    let key = (
        status.as_u16(),
        content_type.split(';').next().unwrap_or("").to_string(),
    );
    if status.is_client_error() {
        tally.1.entry(key.clone()).or_insert_with(|| {
            let text = String::from_utf8_lossy(&body);
            format!(
                "GET {uri} -> {}",
                text.chars().take(160).collect::<String>()
            )
        });
    } else {
        tally
            .1
            .entry(key.clone())
            .or_insert_with(|| format!("GET {uri}"));
    }
    *tally.0.entry(key).or_default() += 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_tile_paths_through_the_router_never_fail_on_our_side() {
    let mut rng = Rng::new(seed() ^ 1);
    let mut tally = Tally::default();
    for case in 0..cases() {
        let (layer, z, x, y) = tile_parts(&mut rng);
        let uri = if rng.below(4) == 0 {
            // Extra or missing segments.
            let extra = rng.pick(&["", "/", "/0", "//", "/a/b"]);
            format!(
                "/tiles/{}/{}/{}{extra}",
                encode(&layer),
                encode(&z),
                encode(&x)
            )
        } else {
            format!(
                "/tiles/{}/{}/{}/{}",
                encode(&layer),
                encode(&z),
                encode(&x),
                encode(&y)
            )
        };
        check(&uri, case, &mut tally).await;
    }
    tally.report("tile paths");
}

/// A search query string: `q` and `limit` in any state.
fn search_query(rng: &mut Rng) -> String {
    let q: String = match rng.below(5) {
        0 => rng
            .pick(&[
                "CO15 2EQ",
                "co15",
                "Jaywick",
                "E01021988",
                "london",
                "st",
                "Birmingam",
            ])
            .to_string(),
        1 => (0..rng.below(120))
            .map(|_| char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{301}'))
            .collect(),
        2 => format!(
            "a{}",
            (0..rng.below(200))
                .map(|_| char::from_u32(0x300 + rng.below(0x70) as u32).unwrap_or('\u{301}'))
                .collect::<String>()
        ),
        3 => "x".repeat(rng.below(300)),
        _ => (0..rng.below(20))
            .map(|_| char::from(b' ' + rng.below(95) as u8))
            .collect(),
    };
    let limit = number_text(rng);
    let raw_tails = [
        "",
        "&q=again",
        "&limit=1&limit=2",
        "&q",
        "&=",
        "&&",
        "&q=%ZZ",
        "&q=%FF%FE",
        "&q=%",
        "&unknown=1",
        "&limit",
        "#frag",
    ];
    let tail = rng.pick(&raw_tails);
    match rng.below(6) {
        0 => format!("/api/search?limit={}{tail}", encode(&limit)),
        1 => format!("/api/search?q={}{tail}", encode(&q)),
        2 => format!("/api/search{tail}"),
        _ => format!(
            "/api/search?q={}&limit={}{tail}",
            encode(&q),
            encode(&limit)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_search_query_strings_never_fail_on_our_side() {
    let mut rng = Rng::new(seed() ^ 2);
    let mut tally = Tally::default();
    for case in 0..cases() {
        let uri = search_query(&mut rng);
        check(&uri, case, &mut tally).await;
    }
    tally.report("search query strings");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_area_codes_and_layer_names_never_fail_on_our_side() {
    let mut rng = Rng::new(seed() ^ 3);
    let mut tally = Tally::default();
    let prefixes = [
        "E01", "E02", "E05", "E06", "E07", "E08", "E09", "E12", "W01", "e01", "X99", "",
    ];
    for case in 0..cases() {
        let code = match rng.below(4) {
            0 => format!("{}{:06}", rng.pick(&prefixes), rng.below(1_000_000)),
            1 => format!("{}{}", rng.pick(&prefixes), number_text(&mut rng)),
            2 => format!(" {}{:06} ", rng.pick(&prefixes), rng.below(40_000)),
            _ => (0..rng.below(12))
                .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
                .collect(),
        };
        let indicator = rng.pick(&[
            "imd2025",
            "imd2019",
            "cni2023",
            "cni2019",
            "imd2025_income",
            "left_behind",
            "",
            "x",
            "imd2025.json",
        ]);
        let uri = match rng.below(4) {
            0 | 1 => format!("/api/areas/{}", encode(&code)),
            2 => format!(
                "/api/values/{}/{}",
                encode(rng.pick(LAYERS)),
                encode(indicator)
            ),
            _ => format!(
                "/api/{}/{}",
                rng.pick(&["layers", "labels"]),
                encode(rng.pick(LAYERS))
            ),
        };
        check(&uri, case, &mut tally).await;
    }
    tally.report("area codes and layer names");
}
