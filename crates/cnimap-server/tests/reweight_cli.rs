//! `cnimap reweight` and `cnimap change` on the national data: `--weights official` gives back
//! the published ranks, other weights move areas in and out of the worst 10% and say so on
//! standard error, a bad weight list exits non-zero naming the bad part, and `change` accounts
//! for every LSOA 2021 and all 225 left-behind wards.

use std::process::{Command, Output};

use cnimap_testkit::data_dir;

fn cnimap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(args)
        .arg("--data")
        .arg(data_dir())
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs")
}

/// `(rank, official_rank)` per data row of a reweight CSV whose header ends
/// `rank,decile,official_rank,official_decile` (names may hold quoted commas: read from the end).
fn ranks(csv: &str) -> Vec<(u32, u32)> {
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header = lines.next().expect("header");
    assert!(
        header.ends_with("rank,decile,official_rank,official_decile"),
        "{header}"
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.rsplit(',').take(4).collect();
            (
                f[3].parse().expect("rank"),
                f[1].parse().expect("official rank"),
            )
        })
        .collect()
}

#[test]
fn official_weights_give_back_the_published_imd_2025_ranks() {
    let out = cnimap(&["reweight", "--index", "imd2025", "--weights", "official"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = ranks(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(rows.len(), 33_755);
    let equal = rows.iter().filter(|(a, b)| a == b).count();
    assert_eq!(equal, rows.len());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("0 areas moved into the most deprived 10% and 0 moved out"),
        "{err}"
    );
}

#[test]
fn other_weights_move_areas_and_say_how_many() {
    let out = cnimap(&[
        "reweight",
        "--index",
        "imd2025",
        "--weights",
        "income=10,employment=10,education=10,health=10,crime=20,housing=20,environment=20",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let entered = v["top_decile"]["entered"]
        .as_array()
        .expect("entered")
        .len();
    let left = v["top_decile"]["left"].as_array().expect("left").len();
    assert!(entered > 0 && left > 0, "{entered} {left}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{entered} areas moved into the most deprived 10% and {left} moved out"
        )),
        "{err}"
    );
    assert_eq!(v["areas"].as_array().expect("areas").len(), 33_755);
}

#[test]
fn a_bad_weight_list_exits_non_zero_naming_the_bad_part() {
    let out = cnimap(&[
        "reweight",
        "--index",
        "cni2023",
        "--weights",
        "civic=1,wealth=2",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wealth") && err.contains("civic, connectedness, engaged"),
        "{err}"
    );
}

#[test]
fn change_accounts_for_every_lsoa_2021_and_every_left_behind_ward() {
    let out = cnimap(&["change", "--from", "imd2019", "--to", "imd2025"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = String::from_utf8_lossy(&out.stdout);
    let rows = body.lines().filter(|l| !l.starts_with('#')).count() - 1;
    assert_eq!(rows, 33_755);
    let out = cnimap(&["change", "--left-behind-wards", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["wards"].as_array().expect("wards").len(), 225);
    let still = v["still_left_behind"].as_u64().expect("count");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{still} of the 225")));
}
