//! Router tests through `tower::ServiceExt::oneshot` on the real national data: every endpoint and
//! its error cases. The state is loaded once for the whole file.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use cnimap_core::api::{AreaDetail, ErrorBody, IndicatorsResponse, SearchResponse, ValuesResponse};
use cnimap_server::{app, AppState, DataSource};
use http_body_util::BodyExt;
use rstest::rstest;
use tower::ServiceExt;

fn data_dir() -> std::path::PathBuf {
    std::env::var_os("CNIMAP_DATA").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        std::path::PathBuf::from,
    )
}

/// A static folder with an index page, and a secret file beside it that must never be served.
fn static_dir() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("cnimap-api-test-{}", std::process::id()));
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist).expect("temp dir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>cnimap</title><script>init()</script>",
    )
    .expect("index");
    std::fs::write(root.join("secret.txt"), "do not serve").expect("secret");
    dist
}

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| {
        let dir = data_dir();
        assert!(
            dir.is_dir(),
            "national data not found at {}: set CNIMAP_DATA",
            dir.display()
        );
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
            static_dir(),
        )
        .expect("state loads")
    })
}

async fn get(uri: &str) -> Response {
    get_with(uri, &[]).await
}

async fn get_with(uri: &str, headers: &[(header::HeaderName, &str)]) -> Response {
    let mut req = Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    app(state().clone())
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible")
}

async fn body(r: Response) -> Vec<u8> {
    r.into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

async fn json<T: serde::de::DeserializeOwned>(r: Response) -> T {
    let b = body(r).await;
    serde_json::from_slice(&b).unwrap_or_else(|e| {
        panic!(
            "not the expected JSON ({e}): {}",
            String::from_utf8_lossy(&b)
        )
    })
}

#[tokio::test]
async fn health_reports_every_layer() {
    let r = get("/api/health").await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = json(r).await;
    assert_eq!(v["status"], "ok");
    assert_eq!(v["areas"]["lsoa21"], 33_755);
    assert_eq!(v["areas"]["ward17"], 7_433);
}

#[tokio::test]
async fn catalogue_lists_indicators_layers_and_attribution() {
    let r = get("/api/indicators").await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: IndicatorsResponse = json(r).await;
    let imd = v
        .indicators
        .iter()
        .find(|i| i.id == "imd2025")
        .expect("imd2025");
    assert_eq!(imd.n_ranked, 33_755);
    assert_eq!(
        imd.decile_one,
        "1 = the most deprived 10% of neighbourhoods in England"
    );
    let cni = v
        .indicators
        .iter()
        .find(|i| i.id == "cni2019")
        .expect("cni2019");
    assert_eq!(cni.n_ranked, 7_433);
    assert!(!cni.decile_published);
    assert_eq!(v.layers.len(), 5);
    assert!(v.attribution.iter().any(|a| a.contains("OCSI")));
    assert!(v
        .attribution
        .iter()
        .any(|a| a.contains("Office for National Statistics")));
}

#[tokio::test]
async fn values_are_indexed_by_feature_index_and_equal_the_published_figures() {
    let v: ValuesResponse = json(get("/api/values/lsoa21/imd2025").await).await;
    assert_eq!(v.rank.len(), 33_755);
    assert_eq!(v.decile_counts.iter().sum::<u32>(), 33_755);
    let i = state()
        .atlas
        .layer(cnimap_core::Level::Lsoa21)
        .and_then(|l| l.find("E01021988"))
        .expect("Tendring 018A");
    assert_eq!(v.rank[i as usize], Some(1));
    assert_eq!(v.decile[i as usize], Some(1));
    // The published score of E01000001 (City of London 001A) in imd2025_lsoa21.csv is 8.742.
    let j = state()
        .atlas
        .layer(cnimap_core::Level::Lsoa21)
        .and_then(|l| l.find("E01000001"))
        .expect("E01000001");
    assert_eq!(v.score.as_ref().and_then(|s| s[j as usize]), Some(8.742));
}

#[rstest]
#[case::unknown_layer("/api/values/lsoa99/imd2025", StatusCode::NOT_FOUND)]
#[case::unknown_indicator("/api/values/lsoa21/imd2099", StatusCode::NOT_FOUND)]
#[case::indicator_on_the_wrong_layer("/api/values/lsoa21/imd2019", StatusCode::NOT_FOUND)]
#[case::malformed_code("/api/areas/not-a-code", StatusCode::BAD_REQUEST)]
#[case::unknown_code("/api/areas/E01999999", StatusCode::NOT_FOUND)]
#[case::missing_query("/api/search", StatusCode::BAD_REQUEST)]
#[case::empty_query("/api/search?q=", StatusCode::BAD_REQUEST)]
#[case::zero_limit("/api/search?q=leeds&limit=0", StatusCode::BAD_REQUEST)]
#[case::text_limit("/api/search?q=leeds&limit=many", StatusCode::BAD_REQUEST)]
#[case::duplicate_query_key("/api/search?q=a&q=b", StatusCode::BAD_REQUEST)]
#[case::path_not_utf8("/api/areas/%FF%FE", StatusCode::BAD_REQUEST)]
#[case::tile_path_not_utf8("/tiles/lsoa21/%FF/1/1.mvt", StatusCode::BAD_REQUEST)]
#[case::unknown_api_route("/api/nope", StatusCode::NOT_FOUND)]
#[case::unknown_tile_layer("/tiles/nope/1/1/1.mvt", StatusCode::NOT_FOUND)]
#[case::tile_zoom_not_numeric("/tiles/lsoa21/a/1/1.mvt", StatusCode::BAD_REQUEST)]
#[case::tile_x_out_of_range("/tiles/lsoa21/3/8/1.mvt", StatusCode::BAD_REQUEST)]
#[case::tile_negative("/tiles/lsoa21/3/-1/1.mvt", StatusCode::BAD_REQUEST)]
#[case::tile_zoom_too_deep("/tiles/lsoa21/30/1/1.mvt", StatusCode::BAD_REQUEST)]
#[case::tile_without_suffix("/tiles/lsoa21/3/1/1", StatusCode::NOT_FOUND)]
#[case::unknown_tilejson("/tiles/nope.json", StatusCode::NOT_FOUND)]
#[case::unknown_route("/no/such/page", StatusCode::NOT_FOUND)]
#[tokio::test]
async fn bad_requests_get_a_json_error_with_the_right_status(
    #[case] uri: &str,
    #[case] status: StatusCode,
) {
    let r = get(uri).await;
    assert_eq!(r.status(), status, "{uri}");
    let e: ErrorBody = json(r).await;
    assert!(!e.message.is_empty());
}

#[tokio::test]
async fn an_overlong_query_is_refused() {
    let q = "a".repeat(101);
    let r = get(&format!("/api/search?q={q}")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tendring_018a_is_the_most_deprived_neighbourhood_and_left_behind() {
    let r = get("/api/areas/E01021988").await;
    assert_eq!(r.status(), StatusCode::OK);
    let a: AreaDetail = json(r).await;
    assert_eq!(a.name, "Tendring 018A");
    assert_eq!(a.neighbourhood.as_deref(), Some("Jaywick & St Osyth"));
    assert_eq!(a.lad.as_ref().map(|l| l.name.as_str()), Some("Tendring"));
    assert_eq!(
        a.region.as_ref().map(|l| l.name.as_str()),
        Some("East of England")
    );
    let imd = a
        .indicators
        .iter()
        .find(|i| i.id == "imd2025")
        .expect("imd2025");
    assert_eq!((imd.rank, imd.of, imd.decile), (Some(1), 33_755, Some(1)));
    assert_eq!(
        imd.meaning,
        "Among the 10% most deprived neighbourhoods in England"
    );
    assert!(a.indicators.iter().any(|i| i.id == "cni2023_civic"));
    let lb = a.left_behind.expect("status");
    assert!(lb.left_behind, "{}", lb.method);
    assert!(lb.method.contains("rank 1 of 33,755"), "{}", lb.method);
    assert!(!a.neighbours.is_empty());
    let [w, s, e, n] = a.bbox_wgs84;
    assert!(
        w < 1.11 && e > 1.11 && s < 51.78 && n > 51.77,
        "{:?}",
        a.bbox_wgs84
    );
}

#[tokio::test]
async fn a_lad_shows_summaries_that_say_how_they_were_made() {
    let a: AreaDetail = json(get("/api/areas/E07000076").await).await;
    assert_eq!(a.name, "Tendring");
    let imd = a
        .indicators
        .iter()
        .find(|i| i.id == "imd2025")
        .expect("summary");
    assert_eq!(imd.of, 296);
    let method = a.summary_method.as_deref().unwrap_or_default();
    assert!(method.contains("MHCLG"), "{method}");
}

#[tokio::test]
async fn a_ward_on_the_official_list_is_left_behind() {
    // Becontree (E05000028) is the first feature of ward17_left_behind_225.geojson.
    let a: AreaDetail = json(get("/api/areas/E05000028").await).await;
    assert!(a.left_behind.expect("status").left_behind);
}

#[rstest]
#[case::spaced("CO15%202EQ")]
#[case::squashed_lower_case("co152eq")]
#[tokio::test]
async fn a_postcode_finds_its_neighbourhood_first(#[case] q: &str) {
    let r = get(&format!("/api/search?q={q}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: SearchResponse = json(r).await;
    let first = s.hits.first().expect("a hit");
    assert_eq!(first.lsoa21.as_deref(), Some("E01021988"));
    assert!(first.point_wgs84.is_some());
}

#[tokio::test]
async fn the_z12_tile_holding_tendring_018a_carries_its_code_and_feature_index() {
    let layer = state()
        .atlas
        .layer(cnimap_core::Level::Lsoa21)
        .expect("lsoa21");
    let index = layer.find("E01021988").expect("code");
    let t = cnimap_core::tile::lonlat_to_tile(1.1105, 51.7770, 12).expect("tile");
    let r = get(&format!("/tiles/lsoa21/12/{}/{}.mvt", t.x(), t.y())).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/vnd.mapbox-vector-tile"
    );
    let bytes = body(r).await;
    let layers = cnimap_tiles::mvt::decode(&bytes).expect("decodes");
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].name, "lsoa21");
    let f = layers[0]
        .features
        .iter()
        .find(|f| f.property("code") == Some("E01021988"))
        .expect("feature");
    assert_eq!(f.id, Some(u64::from(index)));
    assert_eq!(f.property("name"), Some("Tendring 018A"));
    // Every feature's id names its own code.
    for f in &layers[0].features {
        let id = f.id.expect("id") as usize;
        assert_eq!(f.property("code"), Some(layer.codes[id].as_str()));
    }
}

#[tokio::test]
async fn tiles_and_documents_revalidate_with_their_etag() {
    let r = get("/tiles/lad24/6/31/20.mvt").await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_string();
    assert!(r.headers()[header::CACHE_CONTROL]
        .to_str()
        .expect("cc")
        .contains("max-age"));
    let again = get_with(
        "/tiles/lad24/6/31/20.mvt",
        &[(header::IF_NONE_MATCH, &etag)],
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let gz = get_with(
        "/api/values/lsoa21/cni2023",
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
}

#[rstest]
#[case::regions("region", 9)]
#[case::lads("lad24", 296)]
#[case::lsoas("lsoa21", 33_755)]
#[tokio::test]
async fn label_points_name_every_area_of_a_layer(#[case] layer: &str, #[case] n: usize) {
    let v: serde_json::Value = json(get(&format!("/api/labels/{layer}")).await).await;
    let features = v["features"].as_array().expect("features");
    assert_eq!(features.len(), n);
    let names = &state()
        .atlas
        .layer(cnimap_core::Level::from_id(layer).expect("level"))
        .expect("layer")
        .names;
    for f in features {
        let i = f["id"].as_u64().expect("id") as usize;
        assert_eq!(f["properties"]["name"].as_str(), Some(names[i].as_str()));
        let [lon, lat] = [
            &f["geometry"]["coordinates"][0],
            &f["geometry"]["coordinates"][1],
        ]
        .map(|c| c.as_f64().expect("coordinate"));
        assert!(
            (-6.5..2.0).contains(&lon) && (49.8..56.0).contains(&lat),
            "{f}"
        );
    }
}

#[tokio::test]
async fn tilejson_describes_the_layer() {
    let v: serde_json::Value = json(get("/tiles/lsoa21.json").await).await;
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(v["vector_layers"][0]["id"], "lsoa21");
    assert_eq!(v["vector_layers"][0]["fields"]["code"], "String");
    assert!(v["tiles"][0]
        .as_str()
        .expect("url")
        .ends_with("/tiles/lsoa21/{z}/{x}/{y}.mvt"));
    assert!(v["attribution"]
        .as_str()
        .expect("attribution")
        .contains("Office for National Statistics"));
}

#[tokio::test]
async fn responses_carry_security_headers_and_public_cors() {
    let r = get_with("/", &[(header::ORIGIN, "https://example.org")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("csp");
    assert!(csp.contains("default-src 'self'"));
    assert!(csp.contains("'wasm-unsafe-eval'"));
    // The hash of the inline script in index.html, so it runs without 'unsafe-inline'.
    assert!(csp.contains("'sha256-"), "{csp}");
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .expect("script-src");
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
}

#[rstest]
#[case::dot_dot("/../secret.txt")]
#[case::encoded("/%2e%2e/secret.txt")]
#[case::double_encoded("/%252e%252e/secret.txt")]
#[case::backslash("/..%5csecret.txt")]
#[case::nested("/assets/../../secret.txt")]
#[tokio::test]
async fn static_files_never_escape_their_folder(#[case] uri: &str) {
    let r = get(uri).await;
    let status = r.status();
    let b = body(r).await;
    assert!(status.is_client_error(), "{uri} gave {status}");
    assert!(
        !String::from_utf8_lossy(&b).contains("do not serve"),
        "{uri} leaked the file"
    );
}

#[tokio::test]
async fn an_lsoa_asked_for_as_2011_shows_its_iod2019_values_and_its_2021_areas() {
    // Hastings 008A kept its code in 2021: without a layer the 2021 area answers, with
    // layer=lsoa11 the 2011 one, with the IMD 2019 and no 2025 figure.
    let a: AreaDetail = json(get("/api/areas/E01020975?layer=lsoa11").await).await;
    assert_eq!(a.level, cnimap_core::Level::Lsoa11);
    assert!(a.indicators.iter().any(|i| i.id == "imd2019"));
    assert!(a.indicators.iter().all(|i| !i.id.starts_with("imd2025")));
    assert_eq!(a.counterparts.len(), 1);
    assert_eq!(a.counterparts[0].area.code, "E01020975");
    assert_eq!(a.counterparts[0].change, "unchanged");
    let b: AreaDetail = json(get("/api/areas/E01020975").await).await;
    assert_eq!(b.level, cnimap_core::Level::Lsoa21);
    // Middlesbrough 001G was split in two in 2021.
    let s: AreaDetail = json(get("/api/areas/E01033468?layer=lsoa11").await).await;
    let codes: Vec<&str> = s
        .counterparts
        .iter()
        .map(|c| c.area.code.as_str())
        .collect();
    assert_eq!(codes, ["E01035189", "E01035190"], "{:?}", s.counterparts);
    assert!(s.counterparts.iter().all(|c| c.change == "split"));
}

#[rstest]
#[case::unknown_layer("/api/areas/E01020975?layer=lsoa99", StatusCode::NOT_FOUND)]
#[case::code_not_in_layer("/api/areas/E07000076?layer=lsoa11", StatusCode::NOT_FOUND)]
#[tokio::test]
async fn a_wrong_layer_for_an_area_is_refused_clearly(
    #[case] uri: &str,
    #[case] status: StatusCode,
) {
    let r = get(uri).await;
    assert_eq!(r.status(), status);
    let e: ErrorBody = json(r).await;
    assert!(!e.message.is_empty());
}

#[tokio::test]
async fn a_council_panel_names_each_measure_says_the_method_once_and_counts_left_behind_areas() {
    let a: AreaDetail = json(get("/api/areas/E07000076").await).await;
    let method = a.summary_method.as_deref().unwrap_or_default();
    assert!(method.contains("average"), "{method}");
    for i in &a.indicators {
        assert!(
            !i.meaning.contains("MHCLG"),
            "{}: method repeated: {}",
            i.id,
            i.meaning
        );
        assert!(i.decile.is_some(), "{} has no decile badge", i.id);
        let ids: Vec<&str> = i.measures.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["share_decile1", "average_rank", "rank_of_average_rank"],
            "{}",
            i.id
        );
        assert!(
            i.score.is_none(),
            "{}: an average rank shown as a score",
            i.id
        );
    }
    // Catalogue order: the IMD, then its domains, before the CNI.
    let ids: Vec<&str> = a.indicators.iter().map(|i| i.id.as_str()).collect();
    let pos = |id: &str| ids.iter().position(|x| *x == id).expect(id);
    assert!(pos("imd2025") < pos("imd2025_income"));
    assert!(pos("imd2025_income") < pos("imd2025_crime"));
    assert!(pos("imd2025_crime") < pos("cni2023"));
    // The 2019 editions too, after 2025's.
    assert!(
        pos("cni2023") < pos("imd2019"),
        "no IMD 2019 figure for the council"
    );
    let lb = a
        .left_behind_count
        .expect("a count of left-behind neighbourhoods");
    assert!(lb.count > 0 && lb.count < lb.of, "{lb:?}");
    assert!(
        lb.method.contains("Left behind: within the 10%"),
        "{}",
        lb.method
    );
}

#[tokio::test]
async fn gzip_refused_with_q_zero_gets_the_plain_body() {
    let r = get_with(
        "/api/indicators",
        &[(header::ACCEPT_ENCODING, "gzip;q=0, identity")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
    let body = r.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body.first(), Some(&b'{'));
}

#[rstest]
#[case::hyphens("Clacton-on-Sea")]
#[case::spaces("Clacton%20on%20Sea")]
#[case::short("clacton")]
#[tokio::test]
async fn a_town_is_found_first_and_placed_in_a_neighbourhood(#[case] q: &str) {
    let s: SearchResponse = json(get(&format!("/api/search?q={q}")).await).await;
    let first = s.hits.first().expect("a hit");
    assert_eq!(first.kind, cnimap_core::api::HitKind::Town, "{:?}", s.hits);
    assert_eq!(first.name, "Clacton-on-Sea");
    let lsoa = first.lsoa21.as_deref().expect("the LSOA at its centre");
    let a: AreaDetail = json(get(&format!("/api/areas/{lsoa}")).await).await;
    assert_eq!(a.lad.map(|l| l.name).as_deref(), Some("Tendring"));
}

#[tokio::test]
async fn the_catalogue_credits_geonames_for_towns() {
    let v: IndicatorsResponse = json(get("/api/indicators").await).await;
    assert!(v.attribution.iter().any(|a| a.contains("GeoNames")));
}

#[tokio::test]
async fn the_lsoa_list_carries_each_area_s_current_council() {
    let l: cnimap_core::api::LayerAreasResponse = json(get("/api/layers/lsoa21").await).await;
    assert_eq!(l.lad.len(), l.codes.len());
    let i = l
        .codes
        .iter()
        .position(|c| c == "E01019095")
        .expect("Allerdale 005A");
    assert_eq!(l.names[i], "Allerdale 005A");
    let lad = l.lad[i]
        .and_then(|k| l.lads.get(k as usize))
        .expect("a council");
    assert_eq!(
        lad.name, "Cumberland",
        "named for the council abolished in 2023"
    );
    let o: cnimap_core::api::LayerAreasResponse = json(get("/api/layers/lsoa11").await).await;
    assert!(o.lads.is_empty() && o.lad.is_empty());
}
