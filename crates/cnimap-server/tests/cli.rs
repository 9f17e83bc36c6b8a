//! The `cnimap` binary: `check` on the real data exits 0 with a summary; a broken copy of a file
//! makes it exit non-zero naming the file, line and column.

use cnimap_testkit::data_dir;
use std::process::Command;

use rstest::rstest;

fn cnimap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs")
}

/// A copy of the data folder made of symbolic links, with one file replaced by a broken copy.
fn data_with_broken(file: &str, breaker: impl Fn(String) -> String) -> tempfile::TempDir {
    let src = data_dir();
    let dir = tempfile::tempdir().expect("temp");
    for sub in [
        "indicators",
        "indicators/iod2019_official",
        "boundaries",
        "lookups",
        "search",
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        for entry in std::fs::read_dir(src.join(sub))
            .expect("read_dir")
            .flatten()
        {
            if entry.path().is_file() {
                let to = dir.path().join(sub).join(entry.file_name());
                std::os::unix::fs::symlink(entry.path(), to).expect("symlink");
            }
        }
    }
    let target = dir.path().join(file);
    std::fs::remove_file(&target).expect("remove link");
    let text = std::fs::read_to_string(src.join(file)).expect("read original");
    std::fs::write(&target, breaker(text)).expect("write broken copy");
    dir
}

#[test]
fn check_on_the_national_data_prints_every_dataset_and_exits_zero() {
    let out = cnimap(&["check", "--data", data_dir().to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "imd2025_lsoa21.csv: 33755 rows",
        "CNI 2019 (cni2019_ward17)",
        "boundaries/lsoa21_bgc.geojson",
        "6 with data but no geometry",
        "1262 derived, 1262 published, 0 disagree",
        "uk_postcodes_2017_latlon_lsoa.csv.gz: 1738223 rows",
        "loaded in",
    ] {
        assert!(
            stdout.contains(needle),
            "summary lacks {needle:?}:\n{stdout}"
        );
    }
}

#[rstest]
#[case::renamed_column(
    "indicators/imd2025_lsoa21.csv",
    &["imd2025_lsoa21.csv", "line 1", "missing column \"IMD_rank\""]
)]
#[case::text_in_a_number(
    "indicators/cni2019_ward17.csv",
    &["cni2019_ward17.csv", "line 11", "\"Civic Assets score\"", "\"lots\""]
)]
#[case::truncated_mid_line(
    "lookups/lookup_ltla24_region24.csv",
    &["lookup_ltla24_region24.csv", "line 101", "malformed row"]
)]
#[case::truncated_geojson(
    "boundaries/regions24.geojson",
    &["regions24.geojson", "line 1, column"]
)]
fn a_broken_file_makes_check_fail_naming_file_line_and_column(
    #[case] file: &str,
    #[case] expected: &[&str],
) {
    let dir = data_with_broken(file, |text| match file {
        f if f.ends_with("imd2025_lsoa21.csv") => text.replacen("IMD_rank", "IMD_rnk", 1),
        f if f.ends_with("cni2019_ward17.csv") => {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mut cells: Vec<String> = lines[10].split(',').map(str::to_string).collect();
            cells[4] = "lots".into();
            lines[10] = cells.join(",");
            lines.join("\n")
        }
        f if f.ends_with(".geojson") => text[..text.len() / 3].to_string(),
        _ => {
            // Keep 100 whole lines and half of the 101st.
            let mut lines: Vec<&str> = text.lines().take(101).collect();
            let last = lines.pop().unwrap_or("");
            let cut = last.split(',').next().unwrap_or("");
            format!("{}\n{cut}\n", lines.join("\n"))
        }
    });
    let out = cnimap(&["check", "--data", dir.path().to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "check passed on a broken {file}");
    for part in expected {
        assert!(
            stderr.contains(part),
            "error should mention {part:?}:\n{stderr}"
        );
    }
}

#[test]
fn a_missing_data_directory_is_a_clear_error() {
    let out = cnimap(&["check", "--data", "/no/such/folder"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/folder does not exist"));
}

#[test]
fn export_tiles_writes_a_pmtiles_v3_archive_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("region.pmtiles");
    let run = cnimap(&[
        "export-tiles",
        "--data",
        data_dir().to_str().expect("utf-8"),
        "--layer",
        "region",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(
        run.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).expect("archive written");
    assert_eq!(&bytes[..7], b"PMTiles", "magic");
    assert_eq!(bytes[7], 3, "spec version 3");
    // Tile type (byte 99 of the v3 header) 1 = MVT; tile compression (byte 98) 2 = gzip.
    assert_eq!(bytes[99], 1);
    assert_eq!(bytes[98], 2);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the archive remains: {left:?}");
}

#[test]
fn export_tiles_refuses_an_unknown_layer_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("x.pmtiles");
    let run = cnimap(&[
        "export-tiles",
        "--layer",
        "lsoa99",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown layer \"lsoa99\""));
    assert!(!out.exists());
}

/// Sends `GET path` over plain HTTP/1.1 and returns the status line, or `None` if nothing answers.
fn http_status(addr: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.lines().next().map(str::to_string)
}

#[test]
fn serve_shuts_down_gracefully_on_sigterm() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let static_dir = tempfile::tempdir().expect("temp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args([
            "serve",
            "--no-cache",
            "--data",
            data_dir().to_str().expect("utf-8"),
            "--addr",
            &addr,
        ])
        .arg("--static-dir")
        .arg(static_dir.path())
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let mut healthy = false;
    while std::time::Instant::now() < deadline {
        if let Some(status) = http_status(&addr, "/api/health") {
            healthy = status.contains(" 200 ");
            break;
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let out = child.wait_with_output().expect("exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(healthy, "server never answered /api/health:\n{stderr}");
    assert!(
        out.status.success(),
        "exit status {:?}:\n{stderr}",
        out.status
    );
    assert!(
        stderr.contains("shutting down") && stderr.contains("shut down"),
        "{stderr}"
    );
}
