//! The prepared build (issue 10) against serving from the data, on the national data: tiles in the
//! PMTiles archives are byte for byte what `serve --data` sends; `serve --build` answers every
//! document route with the same bytes; a `prepare` killed mid-write leaves the previous build
//! intact and servable; a corrupted build is refused with the file named. The data is loaded and
//! the build written once for the whole file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use cnimap_core::tile::{lonlat_to_tile, TileCoord};
use cnimap_server::build::pmtiles::TileSource;
use cnimap_server::build::{manifest::Manifest, open::open, write};
use cnimap_server::{app, AppState, DataSource};
use cnimap_testkit::{data_dir, Rng};

struct Fixture {
    /// Serving from the data (everything prepared in memory).
    data: AppState,
    /// Serving from the build written from it.
    build: AppState,
    /// The build folder.
    dir: PathBuf,
    source: DataSource,
}

fn towns() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(cnimap_search::DEFAULT_TOWNS_FILE)
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let source = DataSource {
            data_dir: data_dir(),
            manifest: None,
            towns: Some(towns()),
        };
        // A fixed folder, emptied at the start of each run (statics are never dropped, so a
        // temporary folder would be left behind, a gigabyte each time).
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build_serve");
        if root.exists() {
            std::fs::remove_dir_all(&root).expect("clear the last run's build");
        }
        let dist = root.join("dist");
        std::fs::create_dir_all(&dist).expect("dist");
        let data = AppState::load(&source, dist.clone()).expect("the data loads");
        let dir = root.join("build");
        let inputs = write::input_checksums(&source).expect("inputs");
        write::write_build(&data, inputs, &dir).expect("the build is written");
        let build = open(&dir, dist).expect("the build opens");
        Fixture {
            data,
            build,
            dir,
            source,
        }
    })
}

/// Status, the headers that matter and the body.
type Answer = (StatusCode, Vec<(String, String)>, Vec<u8>);

async fn get(state: &AppState, uri: &str, gzip: bool) -> Answer {
    let mut req = Request::builder()
        .uri(uri)
        .header(header::HOST, "example.test");
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip");
    }
    let r = app(state.clone())
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = r.status();
    let headers = [
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
        header::ETAG,
        header::CACHE_CONTROL,
    ]
    .iter()
    .filter_map(|h| {
        r.headers()
            .get(h)
            .map(|v| (h.to_string(), v.to_str().unwrap_or("?").to_string()))
    })
    .collect();
    let body = r.into_body().collect().await.expect("body").to_bytes();
    (status, headers, body.to_vec())
}

/// Asserts both states answer `uri` identically, with and without gzip; returns the status.
async fn same(uri: &str) -> StatusCode {
    let f = fixture();
    let mut status = StatusCode::OK;
    for gzip in [false, true] {
        let from_data = get(&f.data, uri, gzip).await;
        let from_build = get(&f.build, uri, gzip).await;
        assert_eq!(from_data.0, from_build.0, "{uri} (gzip {gzip}): status");
        assert_eq!(from_data.1, from_build.1, "{uri} (gzip {gzip}): headers");
        assert!(
            from_data.2 == from_build.2,
            "{uri} (gzip {gzip}): bodies differ ({} and {} bytes)",
            from_data.2.len(),
            from_build.2.len()
        );
        status = from_data.0;
    }
    status
}

#[tokio::test]
async fn tiles_in_the_archives_are_byte_for_byte_the_served_tiles() {
    let f = fixture();
    let mut rng = Rng::new(10);
    let (mut compared, mut non_empty) = (0, 0);
    for level in &f.data.tiled {
        let served = f.data.tiles.get(level).expect("prepared");
        let Some(TileSource::Archive(archive)) = f.build.tiles.get(level) else {
            panic!("{level}: the build has no archive");
        };
        let layer = f.data.atlas.layer(*level).expect("layer");
        let boxes: Vec<[f64; 4]> = layer.bbox_wgs84.iter().flatten().copied().collect();
        let [w, s, e, n] = served.bounds_wgs84();
        for z in served.min_zoom()..=served.max_zoom() {
            for k in 0..8 {
                // Most tiles at an area's centre (features), some anywhere in the bounds.
                let (lon, lat) = if k < 6 {
                    let b = boxes[rng.below(boxes.len())];
                    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
                } else {
                    let u = |r: &mut Rng| r.below(10_000) as f64 / 10_000.0;
                    (w + (e - w) * u(&mut rng), s + (n - s) * u(&mut rng))
                };
                let t: TileCoord = lonlat_to_tile(lon, lat, z).expect("tile");
                let uri = format!("/tiles/{}/{}/{}/{}.mvt", level.id(), z, t.x(), t.y());
                let (status, _, body) = get(&f.data, &uri, true).await;
                let stored = archive.gzip_tile(t).expect("archive reads");
                match status {
                    StatusCode::OK => {
                        assert_eq!(stored.as_deref(), Some(&body[..]), "{uri}: archive bytes");
                        non_empty += 1;
                    }
                    StatusCode::NO_CONTENT => assert!(stored.is_none(), "{uri}: stored but empty"),
                    other => panic!("{uri}: {other}"),
                }
                assert_eq!(same(&uri).await, status, "{uri}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 500, "{compared} tiles compared");
    assert!(
        non_empty * 2 > compared,
        "only {non_empty} of {compared} had features"
    );
}

#[tokio::test]
async fn serve_build_answers_every_document_route_with_the_same_bytes() {
    let f = fixture();
    let catalogue: cnimap_core::api::IndicatorsResponse =
        serde_json::from_slice(&get(&f.data, "/api/indicators", false).await.2).expect("catalogue");
    let mut uris = vec![
        "/api/indicators".to_string(),
        "/api/search?q=CO15%202EQ".into(),
        "/api/search?q=jaywick".into(),
        "/api/search?q=manchster&limit=5".into(),
        "/api/search?q=tendring".into(),
        "/api/search".into(),
        "/api/nothing/here".into(),
        "/api/values/lsoa99/imd2025".into(),
        "/api/values/lsoa21/imd2019".into(),
        "/api/areas/not-a-code".into(),
        "/api/areas/E01999999".into(),
        "/api/areas/E01021988?layer=ward17".into(),
        "/api/areas/e01021988".into(),
        "/api/areas/E01021988?layer=nowhere".into(),
        "/tiles/region/15/0/0.mvt".into(),
        "/api/lineage/lsoa11".into(),
        "/api/lineage/lsoa21".into(),
    ];
    let mut rng = Rng::new(11);
    for level in &f.data.tiled {
        let id = level.id();
        uris.push(format!("/api/layers/{id}"));
        uris.push(format!("/api/labels/{id}"));
        uris.push(format!("/tiles/{id}.json"));
        let of_layer: Vec<&str> = catalogue
            .indicators
            .iter()
            .filter(|i| i.layer == *level)
            .map(|i| i.id.as_str())
            .collect();
        for _ in 0..3.min(of_layer.len()) {
            uris.push(format!("/api/values/{id}/{}", rng.pick(&of_layer)));
        }
    }
    for layer in f.data.atlas.layers.values() {
        for _ in 0..6 {
            let code = &layer.codes[rng.below(layer.codes.len())];
            uris.push(format!("/api/areas/{code}?layer={}", layer.level.id()));
            uris.push(format!("/api/areas/{code}"));
        }
    }
    let mut statuses = std::collections::BTreeMap::new();
    for uri in &uris {
        *statuses.entry(same(uri).await.as_u16()).or_insert(0) += 1;
    }
    // Real answers and real errors were both compared.
    assert!(
        statuses.get(&200).copied().unwrap_or(0) > 60,
        "{statuses:?}"
    );
    assert!(
        statuses.contains_key(&404) && statuses.contains_key(&400),
        "{statuses:?}"
    );
    let health = get(&f.build, "/api/health", false).await;
    assert_eq!(health.0, StatusCode::OK);
}

/// A copy of the build made of hard links (cheap; files are replaced, never written in place).
fn linked_copy(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            linked_copy(&entry.path(), &target);
        } else {
            std::fs::hard_link(entry.path(), &target).expect("link");
        }
    }
}

fn corrupted(name: &str, corrupt: impl Fn(&Path)) -> String {
    let f = fixture();
    let dir = f.dir.with_file_name(format!("corrupt-{name}"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    linked_copy(&f.dir, &dir);
    corrupt(&dir);
    let err = match open(&dir, PathBuf::new()) {
        Ok(_) => panic!("{name}: a corrupted build opened"),
        Err(e) => e.to_string(),
    };
    std::fs::remove_dir_all(&dir).expect("clean up");
    err
}

fn edit_manifest(dir: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("manifest")).expect("json");
    edit(&mut m);
    std::fs::remove_file(&path).expect("unlink");
    std::fs::write(&path, serde_json::to_vec(&m).expect("json")).expect("write");
}

fn entry<'a>(m: &'a mut serde_json::Value, path: &str) -> &'a mut serde_json::Value {
    m["files"]
        .as_array_mut()
        .expect("files")
        .iter_mut()
        .find(|f| f["path"] == path)
        .expect("listed")
}

#[test]
fn a_corrupted_build_is_refused_with_the_file_named() {
    let deleted_doc = corrupted("doc", |d| {
        std::fs::remove_file(d.join("api/values/lsoa21/imd2025.json")).expect("rm")
    });
    assert!(
        deleted_doc.contains("api/values/lsoa21/imd2025.json") && deleted_doc.contains("missing"),
        "{deleted_doc}"
    );
    let deleted_area = corrupted("area", |d| {
        std::fs::remove_file(d.join("api/areas/lsoa21/E01021988.json")).expect("rm")
    });
    assert!(
        deleted_area.contains("api/areas/lsoa21/E01021988.json"),
        "{deleted_area}"
    );
    let format = corrupted("format", |d| edit_manifest(d, |m| m["format"] = 99.into()));
    assert!(
        format.contains("manifest.json") && format.contains("format 99"),
        "{format}"
    );
    let sha = corrupted("sha", |d| {
        edit_manifest(d, |m| {
            entry(m, "api/indicators.json")["sha256"] = "00".repeat(32).into()
        })
    });
    assert!(
        sha.contains("api/indicators.json") && sha.contains("checksum mismatch"),
        "{sha}"
    );
    let size = corrupted("size", |d| {
        edit_manifest(d, |m| entry(m, "tiles/lsoa21.pmtiles")["bytes"] = 12.into())
    });
    assert!(
        size.contains("tiles/lsoa21.pmtiles") && size.contains("checksum mismatch"),
        "{size}"
    );
    let no_manifest = corrupted("manifest", |d| {
        std::fs::remove_file(d.join("manifest.json")).expect("rm")
    });
    assert!(no_manifest.contains("manifest.json"), "{no_manifest}");
}

#[tokio::test]
async fn a_prepare_killed_mid_write_leaves_the_previous_build_intact_and_servable() {
    use std::io::BufRead;
    let f = fixture();
    let old = f.dir.with_file_name("killed");
    std::fs::create_dir_all(&old).expect("mkdir");
    linked_copy(&f.dir, &old);
    let before = Manifest::read(&old).expect("manifest");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["prepare", "--data"])
        .arg(&f.source.data_dir)
        .arg("--towns")
        .arg(towns())
        .arg("--out")
        .arg(&old)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("prepare starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut writing = false;
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.expect("line");
        if line.contains("archive written") {
            // Writing has started and the first archive is in the temporary folder.
            writing = true;
            break;
        }
    }
    assert!(writing, "prepare never reported writing");
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "prepare finished before it was killed");
    let tmp = old.with_file_name(format!("killed.tmp-{}", child.id()));
    assert!(
        tmp.is_dir(),
        "the half-written build is in {}",
        tmp.display()
    );
    let after = Manifest::read(&old).expect("the old manifest is still there");
    assert_eq!(before, after);
    after
        .verify_all(&old)
        .expect("every file of the old build verifies");
    let served = open(&old, PathBuf::new()).expect("the old build opens");
    let (status, _, body) = get(&served, "/api/indicators", false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, get(&f.build, "/api/indicators", false).await.2);
    // The search index is read in the background: let it finish before the folder goes.
    let (status, _, _) = get(&served, "/api/search?q=CO15%202EQ", false).await;
    assert_eq!(status, StatusCode::OK);
    std::fs::remove_dir_all(&old).expect("clean up");
    std::fs::remove_dir_all(&tmp).expect("clean up");
}

#[tokio::test]
async fn the_change_documents_in_the_build_are_the_servers_bytes() {
    use cnimap_core::change::ChangeResponse;
    use cnimap_core::change_map::{class_counts, wards_csv, ChangeDocument, ChangeMapDocument};
    let f = fixture();
    for doc in ChangeDocument::ALL {
        let uri = format!("/api/{}", doc.path());
        let served = get(&f.data, &uri, false).await;
        assert_eq!(served.0, StatusCode::OK, "{uri}");
        let in_build = std::fs::read(f.dir.join(format!("api/{}.json", doc.path())))
            .unwrap_or_else(|e| panic!("{uri}: not in the build: {e}"));
        assert!(served.2 == in_build, "{uri}: the build's file differs");
        let gz = get(&f.data, &uri, true).await;
        let gz_in_build = std::fs::read(f.dir.join(format!("api/{}.json.gz", doc.path())))
            .expect("the gzip copy");
        assert!(gz.2 == gz_in_build, "{uri}: the build's gzip differs");
        assert_eq!(same(&uri).await, StatusCode::OK, "{uri}");
    }
    // What the browser reads: every LSOA 2021 in a class, the 225 wards, their outlines.
    let body = get(&f.data, "/api/change/lsoa21/imd", false).await.2;
    let map: ChangeMapDocument = serde_json::from_slice(&body).expect("change map");
    let n = f
        .data
        .atlas
        .layer(cnimap_core::Level::Lsoa21)
        .expect("lsoa21")
        .len();
    assert_eq!(map.layer.shift.len(), n);
    let counts = class_counts(&map.layer.shift);
    assert_eq!(counts.iter().sum::<usize>(), n);
    assert_eq!(counts[7], map.layer.counts.not_comparable);
    assert_eq!(map.domain_shifts.len(), map.layer.domains.len());
    assert!(map.domain_shifts.iter().all(|d| d.len() == n));
    let wards = get(&f.data, "/api/change/ward17/left-behind", false)
        .await
        .2;
    let wards: ChangeResponse = serde_json::from_slice(&wards).expect("wards");
    let ChangeResponse::LeftBehindWards { method, wards, .. } = wards else {
        panic!("not the wards");
    };
    assert_eq!(wards.len(), 225);
    let outlines = get(&f.data, "/api/change/ward17/outlines", false).await.2;
    let outlines: serde_json::Value = serde_json::from_slice(&outlines).expect("geojson");
    let features = outlines["features"].as_array().expect("features");
    assert_eq!(features.len(), 225);
    let still = |v: &serde_json::Value| v["properties"]["still"].as_bool();
    assert_eq!(
        features.iter().filter(|f| still(f) == Some(true)).count(),
        wards.iter().filter(|w| w.still_left_behind).count()
    );
    // The API's CSV is the browser's: the same function over the same list.
    let csv = get(
        &f.data,
        "/api/change?from=cni2019&to=cni2023&format=csv",
        false,
    )
    .await;
    assert_eq!(csv.0, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&csv.2), wards_csv(&method, &wards));
    let missing = get(&f.data, "/api/change/lsoa11/imd", false).await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
}

/// Status, content type, the lookup's summary header and body of `method uri` with `body`.
async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, Vec<Option<String>>, Vec<u8>) {
    let r = app(state.clone())
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::HOST, "example.test")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
        .expect("infallible");
    let status = r.status();
    let headers = [header::CONTENT_TYPE.as_str(), "cnimap-lookup-summary"]
        .iter()
        .map(|h| {
            r.headers()
                .get(*h)
                .map(|v| v.to_str().unwrap_or("?").to_string())
        })
        .collect();
    let body = r.into_body().collect().await.expect("body").to_bytes();
    (status, headers, body.to_vec())
}

#[tokio::test]
async fn the_table_lookup_reweighting_and_wards_from_a_build_are_the_datas_bytes() {
    let f = fixture();
    let postcodes = "ref,postcode\n1,CO15 2EQ\n2,SW1A 1AA\n3,not a postcode\n4,E1 6AN\n";
    let asks = [
        ("GET", "/api/table?level=lsoa21", ""),
        (
            "GET",
            "/api/table?level=lsoa21&columns=imd2025.score,cni2023.rank,lad24.name&filter=imd2025.decile=1&filter=cni2023.decile%3C=2&sort=imd2025.score:desc&format=json",
            "",
        ),
        (
            "GET",
            "/api/table?level=lsoa21&columns=imd2025.rank&filter=left_behind=20&sort=imd2025.rank",
            "",
        ),
        (
            "GET",
            "/api/table?level=lsoa11&columns=imd2019.decile,imd2019.score&filter=imd2019.rank%3C=500",
            "",
        ),
        (
            "GET",
            "/api/table?level=ward17&columns=cni2019.rank&sort=cni2019.rank&format=json",
            "",
        ),
        ("GET", "/api/table?level=lsoa21&filter=imd2025.decile=11", ""),
        (
            "GET",
            "/api/table?level=lad24&columns=imd2025.rank_of_average_rank,cni2023.share_decile1,region.name&sort=imd2025.rank_of_average_rank",
            "",
        ),
        ("GET", "/api/table?level=region&format=json", ""),
        (
            "GET",
            "/api/table?level=ward24&columns=imd2025.average_rank,lad24.code&filter=imd2025.share_decile1%3E=0.5&format=json",
            "",
        ),
        // IoD 2019 summaries of councils and regions (weighted by api/lineage/lsoa11's
        // populations), beside the 2025 ones.
        (
            "GET",
            "/api/table?level=lad24&columns=imd2019.share_decile1,imd2019.average_rank,imd2019.rank_of_average_rank,imd2025.average_rank&sort=imd2019.rank_of_average_rank",
            "",
        ),
        (
            "GET",
            "/api/table?level=lad24&columns=imd2019_income.average_rank,region.name&filter=imd2019.share_decile1%3E=0.2&sort=imd2019_income.average_rank:desc&format=json",
            "",
        ),
        (
            "GET",
            "/api/table?level=region&columns=imd2019.average_rank,imd2019_health.share_decile1&format=json",
            "",
        ),
        (
            "GET",
            "/api/table?level=region&filter=imd2019.share_decile1%3E=0.1",
            "",
        ),
        // IoD 2019 at wards 2017 (the best-fit column of api/parents/lsoa11), beside CNI 2019.
        (
            "GET",
            "/api/table?level=ward17&columns=imd2019.share_decile1,imd2019.average_rank,imd2019_income.rank_of_average_rank,cni2019.rank&sort=imd2019.average_rank",
            "",
        ),
        ("GET", "/api/areas/E05001645?layer=ward17", ""),
        // The IMD 2019 -> 2025 rows (the lookup from api/lineage/lsoa11).
        ("GET", "/api/change?from=imd2019&to=imd2025", ""),
        ("GET", "/api/change?from=imd2019&to=imd2025&format=csv", ""),
        ("POST", "/api/lookup", postcodes),
        ("POST", "/api/lookup?format=summary", postcodes),
        ("POST", "/api/lookup", "ref\n1\n"),
        ("GET", "/api/reweight?index=imd2025", ""),
        (
            "GET",
            "/api/reweight?index=imd2025&weights=income=80,employment=20&format=csv",
            "",
        ),
        ("GET", "/api/reweight?index=cni2023&weights=equal", ""),
        ("GET", "/api/reweight?index=imd2019&format=csv", ""),
        ("GET", "/api/reweight?index=imd2025&weights=nonsense=3", ""),
        ("GET", "/api/change?from=cni2019&to=cni2023", ""),
        ("GET", "/api/change?from=cni2019&to=cni2023&format=csv", ""),
    ];
    let mut ok = 0;
    for (method, uri, body) in asks {
        let from_data = send(&f.data, method, uri, body).await;
        let from_build = send(&f.build, method, uri, body).await;
        assert_eq!(from_data.0, from_build.0, "{method} {uri}: status");
        assert_eq!(from_data.1, from_build.1, "{method} {uri}: headers");
        assert!(
            from_data.2 == from_build.2,
            "{method} {uri}: bodies differ ({} and {} bytes): {:?} / {:?}",
            from_data.2.len(),
            from_build.2.len(),
            String::from_utf8_lossy(&from_data.2[..from_data.2.len().min(300)]),
            String::from_utf8_lossy(&from_build.2[..from_build.2.len().min(300)]),
        );
        ok += usize::from(from_data.0 == StatusCode::OK);
    }
    // Real answers (not only errors) were compared, and at least one error too.
    assert!(ok >= 21, "{ok} answered 200");
}

#[tokio::test]
async fn the_builds_iod2019_council_summaries_are_weighted_by_the_file_6_populations() {
    let f = fixture();
    // The lineage document holds every LSOA 2011's File 6 population by feature index.
    let (status, _, body) = send(&f.build, "GET", "/api/lineage/lsoa11", "").await;
    assert_eq!(status, StatusCode::OK);
    let doc: cnimap_core::lineage::LineageDocument =
        serde_json::from_slice(&body).expect("a lineage document");
    let lsoa11 = f
        .data
        .atlas
        .layer(cnimap_core::Level::Lsoa11)
        .expect("lsoa11");
    let population = &f.data.atlas.iod2019_official.population;
    assert_eq!(doc.population.len(), lsoa11.codes.len());
    for (code, p) in lsoa11.codes.iter().zip(&doc.population) {
        assert_eq!(population.get(code), p.as_ref(), "{code}");
    }
    assert!(doc.population.iter().all(Option::is_some));
    // Every English row of the ONS lookup: as many as the data path's IMD rows read.
    let english = f
        .data
        .atlas
        .lookups
        .lsoa11_21
        .iter()
        .filter(|(a, _, b)| a.starts_with("E01") && b.starts_with("E01"))
        .count();
    assert_eq!(doc.lookup.lsoa11.len(), english);
    // Weighted: Tendring's IMD 2019 average rank from the build is the File 6 weighted mean of
    // its LSOAs' ranks, not their plain mean.
    let uri = "/api/table?level=lad24&columns=imd2019.average_rank&format=json";
    let (status, _, body) = send(&f.build, "GET", uri, "").await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    let table: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let rows = table["rows"].as_array().expect("rows");
    let tendring = rows.iter().find(|r| r[0] == "E07000076").expect("Tendring");
    let ours = tendring[2].as_f64().expect("a number");
    let parents = &f.data.atlas.summaries.hierarchy.lsoa11[&cnimap_core::Level::Lad24];
    let lads = &f.data.atlas.summaries.hierarchy.areas[&cnimap_core::Level::Lad24];
    let at = lads
        .iter()
        .position(|a| a.code == "E07000076")
        .expect("in the list") as u32;
    let imd = f.data.atlas.values("imd2019").expect("imd2019");
    let (mut wsum, mut w, mut sum, mut n) = (0.0, 0.0, 0.0, 0.0);
    for (i, p) in parents.iter().enumerate() {
        if *p == Some(at) {
            let r = f64::from(imd.rank[i].expect("ranked"));
            let pop = f64::from(doc.population[i].expect("population"));
            wsum += pop * r;
            w += pop;
            sum += r;
            n += 1.0;
        }
    }
    assert!(n > 40.0, "Tendring has {n} LSOAs 2011");
    assert!(
        (ours - wsum / w).abs() < 1e-6,
        "ours {ours}, weighted {}",
        wsum / w
    );
    assert!(
        (ours - sum / n).abs() > 1.0,
        "weighting moved it: plain {}",
        sum / n
    );
    // A bad query is still a 400 where the data path says so.
    for (uri, status) in [
        ("/api/indicators", StatusCode::OK),
        ("/api/areas/E01021988", StatusCode::OK),
        ("/api/search?q=CO15%202EQ", StatusCode::OK),
        (
            "/api/change?from=imd2019&to=cni2023",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/table?level=nowhere", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(send(&f.build, "GET", uri, "").await.0, status, "{uri}");
        assert_eq!(send(&f.data, "GET", uri, "").await.0, status, "{uri}");
    }
}

#[test]
fn a_cached_build_for_unchanged_inputs_is_opened_without_preparing_again() {
    use std::os::unix::fs::MetadataExt;
    let f = fixture();
    let cache = f.dir.with_file_name("cache");
    if cache.exists() {
        std::fs::remove_dir_all(&cache).expect("clear the cache");
    }
    let key = cnimap_server::build::cache::fingerprint(&f.source).expect("fingerprint");
    let cached = cache.join(&key[..16]);
    std::fs::create_dir_all(&cached).expect("mkdir");
    linked_copy(&f.dir, &cached);
    let inode = |p: &Path| std::fs::metadata(p).expect("metadata").ino();
    let before = (inode(&cached), inode(&cached.join("manifest.json")));
    let state = cnimap_server::build::cache::open_or_prepare(&f.source, &cache, PathBuf::new())
        .expect("the cached build opens");
    // The same folder and manifest: nothing was prepared or renamed into place.
    assert_eq!(
        before,
        (inode(&cached), inode(&cached.join("manifest.json")))
    );
    assert_eq!(state.build.as_deref(), Some(cached.as_path()));
    let entries = std::fs::read_dir(&cache).expect("read_dir").count();
    assert_eq!(entries, 1, "only the one cached build is in the cache");
    // The search index is read in the background: let it finish before the folder goes.
    let search: &cnimap_search::SearchIndex = &state.search;
    assert!(search.search("CO15 2EQ", 1).is_ok() && state.search.is_ready());
    std::fs::remove_dir_all(&cache).expect("clean up");
}
