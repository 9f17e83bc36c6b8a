//! `cnimap data fetch` against a loopback server, no internet: a mirror of hand-made files, good
//! and broken (truncated, changed, 404, 410, slow, dropped half way), and "sources" that are
//! downloaded as is, converted, moved, or not reproducible. Good files land verified; bad ones
//! fail with the file, the URL and the reason, and leave the output directory as it was.

mod loopback;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cnimap_fetch::{run, FetchArgs, FetchError, FileError, Outcome, Sources, STAGING_DIR};
use loopback::{Behaviour, Server};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn mirror_file(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("mirror").join(rel)).expect("fixture")
}

/// A server with every mirror fixture routed as the tests intend.
fn mirror_server() -> Server {
    let s = Server::start();
    for rel in ["indicators/good.csv", "lookups/good2.csv"] {
        s.route(&format!("/{rel}"), Behaviour::Serve(mirror_file(rel)));
    }
    s.route(
        "/boundaries/truncated.geojson",
        Behaviour::Truncated(mirror_file("boundaries/truncated.geojson")),
    );
    let mut changed = mirror_file("indicators/changed.csv");
    let last = changed.len() - 2;
    changed[last] = b'9'; // same size, one digit different
    s.route("/indicators/changed.csv", Behaviour::Serve(changed));
    s.route("/lookups/moved.csv", Behaviour::Status(404));
    s.route("/lookups/gone.csv", Behaviour::Status(410));
    s.route(
        "/search/slow.csv",
        Behaviour::Slow(mirror_file("search/slow.csv"), Duration::from_secs(3)),
    );
    let dropped = mirror_file("search/dropped.csv");
    let cut = dropped.len() / 3;
    s.route("/search/dropped.csv", Behaviour::Drop(dropped, cut));
    s
}

fn args(out: &Path, mirror: Option<&str>, sources: PathBuf, only: &[&str]) -> FetchArgs {
    FetchArgs {
        out: Some(out.to_path_buf()),
        mirror: mirror.map(str::to_string),
        only: only.iter().map(|s| s.to_string()).collect(),
        sources: Some(sources),
        timeout: 1.0,
        dry_run: false,
        quiet: true,
    }
}

fn mirror_manifest() -> PathBuf {
    fixtures().join("mirror.toml")
}

/// The source manifest with the server's address in its URLs, written into `dir`.
fn source_manifest(dir: &Path, server: &Server) -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join("source.toml")).expect("fixture");
    let p = dir.join("source.toml");
    std::fs::write(&p, text.replace("{{BASE}}", &server.base)).expect("write manifest");
    p
}

/// Every file under `dir`, relative, `/`-separated, the staging directory left out.
fn files_in(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        for e in read.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out.retain(|p| !p.starts_with(&format!("{STAGING_DIR}/")));
    out
}

fn staged(out: &Path) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let staging = out.join(STAGING_DIR);
    if staging.is_dir() {
        for f in files_in(&staging) {
            all.insert(f);
        }
    }
    all
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn failure(result: Result<cnimap_fetch::Summary, FetchError>) -> (Vec<FileError>, usize) {
    match result {
        Err(FetchError::Incomplete { failed, ok }) => (failed, ok),
        other => panic!("expected an incomplete fetch, got {other:?}"),
    }
}

#[test]
fn the_good_files_are_fetched_from_the_mirror_verified_and_nothing_is_left_behind() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let summary = run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["indicators/good.csv", "good2.csv"],
    ))
    .expect("good files fetch");
    assert_eq!(summary.fetched.len(), 2);
    assert_eq!(
        files_in(out.path()),
        set(&["indicators/good.csv", "lookups/good2.csv"])
    );
    for rel in ["indicators/good.csv", "lookups/good2.csv"] {
        assert_eq!(
            std::fs::read(out.path().join(rel)).expect("fetched"),
            mirror_file(rel),
            "{rel}"
        );
    }
    assert!(
        !out.path().join(STAGING_DIR).exists(),
        "the staging directory is removed after a complete run"
    );
}

#[test]
fn a_second_run_finds_the_files_in_place_and_downloads_nothing() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let a = args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["indicators/good.csv"],
    );
    run(&a).expect("first run");
    let requests = server.log().len();
    let summary = run(&a).expect("second run");
    assert_eq!(summary.already, vec!["indicators/good.csv".to_string()]);
    assert_eq!(summary.bytes, 0);
    assert_eq!(
        server.log().len(),
        requests,
        "no request for a verified file"
    );
}

#[test]
fn a_truncated_file_fails_with_both_sizes_and_writes_nothing() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let (failed, ok) = failure(run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["boundaries/truncated.geojson"],
    )));
    assert_eq!(ok, 0);
    let full = mirror_file("boundaries/truncated.geojson").len() as u64;
    match &failed[..] {
        [FileError::Size {
            path,
            url,
            expected,
            found,
        }] => {
            assert_eq!(path, "boundaries/truncated.geojson");
            assert_eq!(
                url,
                &format!("{}/boundaries/truncated.geojson", server.base)
            );
            assert_eq!(*expected, full);
            assert_eq!(*found, full / 2);
        }
        other => panic!("expected one size error, got {other:?}"),
    }
    assert!(files_in(out.path()).is_empty());
    assert!(
        staged(out.path()).is_empty(),
        "a complete but wrong file is not kept"
    );
}

#[test]
fn a_changed_file_fails_naming_the_file_the_url_and_both_hashes() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let (failed, _) = failure(run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["indicators/changed.csv"],
    )));
    let sources = Sources::load(&mirror_manifest()).expect("manifest");
    let expected = &sources
        .find("indicators/changed.csv")
        .expect("listed")
        .sha256;
    let [e @ FileError::Checksum { found, .. }] = &failed[..] else {
        panic!("expected one checksum error, got {failed:?}");
    };
    assert_ne!(found, expected);
    let msg = e.to_string();
    for needle in [
        "indicators/changed.csv",
        &format!("{}/indicators/changed.csv", server.base),
        expected.as_str(),
        found.as_str(),
        "checksum changed",
    ] {
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    }
    assert!(files_in(out.path()).is_empty());
    assert!(staged(out.path()).is_empty());
}

#[test]
fn a_moved_or_withdrawn_source_is_named_with_its_url_and_status() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let (failed, _) = failure(run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["lookups/moved.csv", "lookups/gone.csv"],
    )));
    let mut statuses = Vec::new();
    for e in &failed {
        let FileError::Moved { path, url, status } = e else {
            panic!("expected a moved-source error, got {e:?}");
        };
        assert_eq!(url, &format!("{}/{path}", server.base));
        assert!(e.to_string().contains("has moved or been withdrawn"), "{e}");
        statuses.push(*status);
    }
    assert_eq!(statuses, [404, 410], "in the manifest's order");
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn a_slow_server_times_out_with_a_clear_message_and_writes_nothing() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let mut a = args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["search/slow.csv"],
    );
    a.timeout = 0.3;
    let started = std::time::Instant::now();
    let (failed, _) = failure(run(&a));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up before the server's 3 s delay ended"
    );
    let [e @ FileError::Network { path, got, .. }] = &failed[..] else {
        panic!("expected one network error, got {failed:?}");
    };
    assert_eq!(path, "search/slow.csv");
    assert_eq!(*got, 0);
    assert!(e.to_string().contains("/search/slow.csv"), "{e}");
    assert!(files_in(out.path()).is_empty());
    assert!(
        staged(out.path()).is_empty(),
        "nothing received, nothing kept"
    );
}

#[test]
fn an_existing_file_is_untouched_when_its_replacement_is_bad() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    // An old copy that differs from the expected file: fetch tries to replace it, the mirror's
    // copy is bad, the old copy stays as it was.
    let target = out.path().join("indicators/changed.csv");
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(&target, b"an older copy\n").expect("write");
    let (failed, _) = failure(run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["indicators/changed.csv"],
    )));
    assert!(matches!(&failed[..], [FileError::Checksum { .. }]));
    assert_eq!(
        std::fs::read(&target).expect("still there"),
        b"an older copy\n"
    );
    // A verified copy is not even asked for again, whatever the mirror now serves.
    let good = out.path().join("indicators/good.csv");
    std::fs::write(&good, mirror_file("indicators/good.csv")).expect("write");
    server.route("/indicators/good.csv", Behaviour::Status(404));
    let summary = run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["indicators/good.csv"],
    ))
    .expect("in place");
    assert_eq!(summary.already.len(), 1);
    assert_eq!(
        std::fs::read(&good).expect("good"),
        mirror_file("indicators/good.csv")
    );
}

#[test]
fn a_dropped_download_keeps_its_part_file_and_the_next_run_resumes_it_with_a_range_request() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let a = args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["search/dropped.csv"],
    );
    let content = mirror_file("search/dropped.csv");
    let cut = content.len() / 3;

    let (failed, _) = failure(run(&a));
    let [e @ FileError::Network { got, .. }] = &failed[..] else {
        panic!("expected one network error, got {failed:?}");
    };
    assert_eq!(*got, cut as u64);
    assert!(e.to_string().contains("run again to resume"), "{e}");
    assert!(files_in(out.path()).is_empty(), "nothing in place");
    assert_eq!(staged(out.path()), set(&["search/dropped.csv.part"]));

    // The connection is fine again: the next run asks only for the rest.
    server.route("/search/dropped.csv", Behaviour::Serve(content.clone()));
    let summary = run(&a).expect("resumed");
    assert_eq!(
        summary.fetched,
        vec![(
            "search/dropped.csv".to_string(),
            Outcome::Fetched {
                bytes: (content.len() - cut) as u64,
                resumed_from: cut as u64,
            }
        )]
    );
    let last = server.log().pop().expect("a request");
    assert_eq!(
        last,
        ("/search/dropped.csv".into(), Some(format!("bytes={cut}-")))
    );
    assert_eq!(
        std::fs::read(out.path().join("search/dropped.csv")).expect("in place"),
        content
    );
    assert!(!out.path().join(STAGING_DIR).exists());
}

#[test]
fn a_part_file_left_by_hand_is_continued_not_restarted() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let content = mirror_file("lookups/good2.csv");
    let part = out.path().join(STAGING_DIR).join("lookups/good2.csv.part");
    std::fs::create_dir_all(part.parent().expect("parent")).expect("mkdir");
    std::fs::write(&part, &content[..10]).expect("write part");
    let summary = run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &["lookups/good2.csv"],
    ))
    .expect("resumed");
    assert_eq!(
        summary.fetched[0].1,
        Outcome::Fetched {
            bytes: content.len() as u64 - 10,
            resumed_from: 10
        }
    );
    assert_eq!(
        server.log(),
        vec![("/lookups/good2.csv".into(), Some("bytes=10-".into()))]
    );
    assert_eq!(
        std::fs::read(out.path().join("lookups/good2.csv")).expect("file"),
        content
    );
}

#[test]
fn a_full_run_places_every_good_file_and_names_every_bad_one() {
    let server = mirror_server();
    let out = tempfile::tempdir().expect("temp dir");
    let (failed, ok) = failure(run(&args(
        out.path(),
        Some(&server.base),
        mirror_manifest(),
        &[],
    )));
    assert_eq!(ok, 2);
    let bad: BTreeSet<String> = failed.iter().map(|e| e.path().to_string()).collect();
    assert_eq!(
        bad,
        set(&[
            "boundaries/truncated.geojson",
            "indicators/changed.csv",
            "lookups/moved.csv",
            "lookups/gone.csv",
            "search/slow.csv",
            "search/dropped.csv",
        ])
    );
    assert_eq!(
        files_in(out.path()),
        set(&["indicators/good.csv", "lookups/good2.csv"])
    );
    assert_eq!(
        staged(out.path()),
        set(&["search/dropped.csv.part"]),
        "only the resumable download is kept"
    );
    let msg = FetchError::Incomplete { failed, ok }.to_string();
    assert!(
        msg.starts_with("6 of 8 files could not be fetched"),
        "{msg}"
    );
}

#[test]
fn from_sources_a_file_is_downloaded_or_converted_and_a_mirror_only_file_is_named_plainly() {
    let server = Server::start();
    let published = fixtures().join("published");
    for f in ["input.csv", "direct.csv"] {
        server.route(
            &format!("/published/{f}"),
            Behaviour::Serve(std::fs::read(published.join(f)).expect("fixture")),
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = source_manifest(dir.path(), &server);
    let out = dir.path().join("data");
    let (failed, ok) = failure(run(&args(&out, None, manifest, &[])));
    assert_eq!(ok, 2);
    assert_eq!(
        std::fs::read(out.join("src/direct.csv")).expect("downloaded"),
        std::fs::read(published.join("direct.csv")).expect("fixture")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("src/converted.csv")).expect("converted"),
        std::fs::read_to_string(published.join("converted_expected.csv")).expect("fixture"),
        "BOM dropped, columns chosen by name and position, \"29,199\" -> 29199, 157 -> 157.0"
    );
    assert_eq!(failed.len(), 2);
    let mirror_only = failed
        .iter()
        .find(|e| e.path() == "src/handmade.csv")
        .expect("handmade reported");
    let msg = mirror_only.to_string();
    assert!(
        msg.contains("no public source reproduces this file"),
        "{msg}"
    );
    assert!(msg.contains("It was assembled by hand."), "{msg}");
    assert!(msg.contains("--mirror URL"), "{msg}");
    let withdrawn = failed
        .iter()
        .find(|e| e.path() == "src/withdrawn.csv")
        .expect("withdrawn reported");
    assert!(
        matches!(withdrawn, FileError::Moved { status: 404, url, .. } if url.ends_with("/published/withdrawn.csv")),
        "{withdrawn:?}"
    );
    assert_eq!(
        files_in(&out),
        set(&["src/converted.csv", "src/direct.csv"])
    );
}

#[test]
fn a_conversion_whose_result_differs_writes_nothing_and_names_the_input_url() {
    let server = Server::start();
    // The published input changed: one score differs, so the converted file's hash does too.
    let input = std::fs::read_to_string(fixtures().join("published/input.csv")).expect("fixture");
    server.route(
        "/published/input.csv",
        Behaviour::Serve(input.replace("6.208", "6.209").into_bytes()),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(fixtures().join("source.toml"))
        .expect("fixture")
        .replace("{{BASE}}", &server.base);
    // Without the input's own checksum, only the result can be checked.
    let text = text.replace(
        "size = 328\nsha256 = \"96ab26e4cdc53e21b89cb2dd958bebb4e8bc8a08b205f9f881ee96782faf73d3\"\n",
        "",
    );
    let manifest = dir.path().join("source.toml");
    std::fs::write(&manifest, text).expect("write");
    let out = dir.path().join("data");
    let (failed, _) = failure(run(&args(&out, None, manifest, &["src/converted.csv"])));
    let [FileError::Checksum { path, url, .. }] = &failed[..] else {
        panic!("expected one checksum error, got {failed:?}");
    };
    assert_eq!(path, "src/converted.csv");
    assert_eq!(url, &format!("{}/published/input.csv", server.base));
    assert!(files_in(&out).is_empty());
}

#[test]
fn an_unknown_only_name_and_a_bad_mirror_are_refused_before_anything_is_fetched() {
    let out = tempfile::tempdir().expect("temp dir");
    let err =
        run(&args(out.path(), None, mirror_manifest(), &["nope.csv"])).expect_err("unknown file");
    assert!(matches!(err, FetchError::UnknownFile { .. }), "{err}");
    assert!(err.to_string().contains("indicators/good.csv"), "{err}");
    let err =
        run(&args(out.path(), Some("ftp://x"), mirror_manifest(), &[])).expect_err("bad mirror");
    assert!(matches!(err, FetchError::BadMirror { .. }), "{err}");
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn the_plan_says_how_much_would_be_fetched_and_what_needs_a_mirror() {
    let sources = Sources::load(&mirror_manifest()).expect("manifest");
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(out.path().join("indicators")).expect("mkdir");
    std::fs::write(
        out.path().join("indicators/good.csv"),
        mirror_file("indicators/good.csv"),
    )
    .expect("write");
    let all: Vec<_> = sources.files.iter().collect();
    let plan = cnimap_fetch::plan(&sources, &all, out.path(), None);
    let total: u64 = sources.files.iter().map(|f| f.size).sum();
    let good = mirror_file("indicators/good.csv").len() as u64;
    assert_eq!(plan.to_fetch(), total - good);
    let text = plan.to_string();
    assert!(
        text.contains(&format!("({} bytes)", total - good)),
        "{text}"
    );
    assert!(text.contains("7 of them"), "{text}");
    let with_mirror = cnimap_fetch::plan(&sources, &all, out.path(), Some("http://m"));
    assert!(with_mirror.files.iter().all(|f| f.available));
    assert!(with_mirror
        .to_string()
        .contains("http://m/search/dropped.csv"));
}
