//! `cnimap lookup` on the real data: 100,000 postcodes sampled (seeded) from the 2017 postcode file
//! plus 1,000 broken ones (malformed, Welsh, Scottish or Northern Irish, unknown). Every row comes
//! out, in order, with its original columns untouched; each row's status, LSOA 2021, council, IMD
//! 2025 decile and left-behind flag are checked against the published files read here on their
//! own (not through cnimap's readers). The sample is seeded by `CNIMAP_FUZZ_SEED`.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use cnimap_testkit::{data_dir, fuzz_seed, Rng};

const SAMPLE: usize = 100_000;
const BROKEN: usize = 1_000;

/// One row of the 2017 postcode file.
#[derive(Debug, Clone)]
struct FileRow {
    postcode: String,
    lsoa11: String,
    lsoa21: String,
}

/// What the published files say, read with the `csv` crate straight from the data directory.
struct Truth {
    /// LSOA 2011 -> its LSOA 2021 successors.
    successors: HashMap<String, Vec<String>>,
    /// LSOA 2021 -> IMD 2025 decile.
    imd_decile: HashMap<String, String>,
    /// LSOA 2021 -> LAD 2024 code.
    lad: HashMap<String, String>,
    /// LSOA 2021 -> the CNI 2023 file's `Left Behind Area?`.
    left_behind: HashMap<String, bool>,
}

fn read_csv(path: &Path) -> csv::Reader<std::fs::File> {
    csv::Reader::from_path(path).expect("published file opens")
}

fn column(r: &mut csv::Reader<std::fs::File>, name: &str) -> usize {
    r.headers()
        .expect("header")
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

fn pairs(path: &Path, key: &str, value: &str) -> Vec<(String, String)> {
    let mut r = read_csv(path);
    let (k, v) = (column(&mut r, key), column(&mut r, value));
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            (rec[k].to_string(), rec[v].to_string())
        })
        .collect()
}

fn truth(dir: &Path) -> Truth {
    let mut successors: HashMap<String, Vec<String>> = HashMap::new();
    for (a, b) in pairs(
        &dir.join("lookups/lookup_lsoa11_lsoa21_ltla22.csv"),
        "lsoa11_code",
        "lsoa21_code",
    ) {
        let list = successors.entry(a).or_default();
        if !list.contains(&b) {
            list.push(b);
        }
    }
    Truth {
        successors,
        imd_decile: pairs(
            &dir.join("indicators/imd2025_lsoa21.csv"),
            "lsoa21_code",
            "IMD_decile",
        )
        .into_iter()
        .collect(),
        lad: pairs(
            &dir.join("lookups/lookup_lsoa21_ward24_ltla24.csv"),
            "lsoa21_code",
            "ltla24_code",
        )
        .into_iter()
        .collect(),
        left_behind: pairs(
            &dir.join("indicators/cni2023_lsoa21.csv"),
            "lsoa21_code",
            "Left Behind Area?",
        )
        .into_iter()
        .map(|(k, v)| (k, v == "True"))
        .collect(),
    }
}

/// Every row of the postcode file, as `(sampled, outside England)`: a seeded reservoir sample of
/// [`SAMPLE`] rows and, separately, of 300 rows with no English LSOA.
fn sample_postcodes(dir: &Path, rng: &mut Rng) -> (Vec<FileRow>, Vec<FileRow>) {
    let file = std::fs::File::open(dir.join("search/uk_postcodes_2017_latlon_lsoa.csv.gz"))
        .expect("postcode file");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("postcode,latitude,longitude,lsoa11cd,lsoa21cd")
    );
    let (mut sample, mut outside) = (Vec::with_capacity(SAMPLE), Vec::new());
    let (mut seen, mut seen_outside) = (0usize, 0usize);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let row = FileRow {
            postcode: f[0].to_string(),
            lsoa11: f[3].to_string(),
            lsoa21: f[4].to_string(),
        };
        if !row.lsoa11.starts_with('E') && !row.lsoa21.starts_with('E') {
            seen_outside += 1;
            reservoir(&mut outside, 300, seen_outside, row.clone(), rng);
        }
        seen += 1;
        reservoir(&mut sample, SAMPLE, seen, row, rng);
    }
    (sample, outside)
}

fn reservoir(kept: &mut Vec<FileRow>, size: usize, seen: usize, row: FileRow, rng: &mut Rng) {
    if kept.len() < size {
        kept.push(row);
    } else {
        let j = rng.below(seen);
        if j < size {
            kept[j] = row;
        }
    }
}

/// The status and LSOA 2021 the files say a file row should get.
fn expected(row: &FileRow, truth: &Truth) -> (&'static str, Option<String>) {
    if row.lsoa21.starts_with("E01") {
        return ("ok", Some(row.lsoa21.clone()));
    }
    if row.lsoa11.starts_with("E01") {
        return match truth.successors.get(&row.lsoa11).map(Vec::as_slice) {
            Some([one]) => ("ok", Some(one.clone())),
            Some(_) => ("LSOA 2011 split: no single LSOA 2021", None),
            None => ("not in England", None),
        };
    }
    ("not in England", None)
}

/// The postcode written the way people type them: case and spacing varied.
fn retype(postcode: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => postcode.to_string(),
        1 => postcode.to_ascii_lowercase(),
        2 => postcode.replace(' ', ""),
        _ => format!("  {}  ", postcode.replace(' ', "  ")),
    }
}

const MALFORMED: [&str; 12] = [
    "",
    "   ",
    "hello",
    "12345",
    "CO15-2EQ",
    "CO152EQQ",
    "CO15 2E",
    "SW1A",
    "E01021988",
    "CO15 2EQ!",
    "n/a",
    "ZZZZ ZZZ",
];

#[test]
fn a_hundred_thousand_real_postcodes_and_a_thousand_broken_ones_come_back_in_order_with_the_right_status(
) {
    let dir = data_dir();
    let truth = truth(&dir);
    let mut rng = Rng::new(fuzz_seed());
    let (sample, outside) = sample_postcodes(&dir, &mut rng);
    assert_eq!(sample.len(), SAMPLE);
    // (typed postcode, expected status, expected LSOA 2021)
    let mut cases: Vec<(String, &'static str, Option<String>)> =
        vec![("co15 2eq".to_string(), "ok", Some("E01021988".to_string()))];
    for row in &sample {
        let (status, lsoa) = expected(row, &truth);
        cases.push((retype(&row.postcode, &mut rng), status, lsoa));
    }
    for i in 0..BROKEN {
        let at = 1 + rng.below(cases.len());
        let case = match i % 3 {
            0 => (
                MALFORMED[rng.below(MALFORMED.len())].to_string(),
                "malformed",
                None,
            ),
            1 => (
                outside[rng.below(outside.len())].postcode.clone(),
                "not in England",
                None,
            ),
            // No UK postcode area starts with Q: well formed, never in the file.
            _ => (
                format!(
                    "Q{}{} {}{}{}",
                    char::from(b'A' + rng.below(26) as u8),
                    1 + rng.below(9),
                    rng.below(10),
                    char::from(b'A' + rng.below(26) as u8),
                    char::from(b'A' + rng.below(26) as u8)
                ),
                "not in the 2017 postcode file",
                None,
            ),
        };
        cases.insert(at, case);
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let input = tmp.path().join("in.csv");
    let output = tmp.path().join("out.csv");
    let mut w = csv::Writer::from_path(&input).expect("write input");
    w.write_record(["id", "Post Code", "note"]).expect("header");
    let notes = ["", "plain", "with, comma", "with \"quotes\"", "two\nlines"];
    for (i, (typed, _, _)) in cases.iter().enumerate() {
        w.write_record([&i.to_string(), typed, notes[i % notes.len()]])
            .expect("row");
    }
    w.flush().expect("flush");
    drop(w);

    let run = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["lookup", "--data"])
        .arg(&dir)
        .arg(&input)
        .arg("--out")
        .arg(&output)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stderr: {stderr}");

    let mut r = csv::Reader::from_path(&output).expect("output");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("output column {name}"))
    };
    assert_eq!(&header[..3], ["id", "Post Code", "note"]);
    let (code, lad, decile, left, status) = (
        at("lsoa21.code"),
        at("lad24.code"),
        at("imd2025.decile"),
        at("left_behind"),
        at("status"),
    );
    let mut rows = 0;
    let mut ok = 0;
    for (i, rec) in r.records().enumerate() {
        let rec = rec.expect("output row");
        let (typed, want_status, want_lsoa) = &cases[i];
        assert_eq!(rec[0], i.to_string(), "order kept");
        assert_eq!(&rec[1], typed.as_str(), "postcode field untouched, row {i}");
        assert_eq!(&rec[2], notes[i % notes.len()], "note untouched, row {i}");
        assert_eq!(&rec[status], *want_status, "status of {typed:?}, row {i}");
        assert_eq!(
            Some(&rec[code]).filter(|c| !c.is_empty()),
            want_lsoa.as_deref(),
            "LSOA 2021 of {typed:?}"
        );
        if let Some(lsoa) = want_lsoa {
            ok += 1;
            assert_eq!(
                Some(&rec[decile]),
                truth.imd_decile.get(lsoa).map(String::as_str)
            );
            assert_eq!(Some(&rec[lad]), truth.lad.get(lsoa).map(String::as_str));
            let flagged = truth.left_behind.get(lsoa).copied().unwrap_or(false);
            assert_eq!(&rec[left], if flagged { "yes (10%)" } else { "no (10%)" });
        } else {
            assert_eq!(&rec[decile], "");
        }
        rows += 1;
    }
    assert_eq!(rows, cases.len(), "rows in = rows out");
    assert!(
        stderr.contains(&format!("{} rows", cases.len())) && stderr.contains(&format!("{ok}  ok")),
        "summary on stderr: {stderr}"
    );
}

#[test]
fn co15_2eq_is_tendring_018a_in_imd_2025_decile_1_as_the_iod2025_file_says() {
    let dir = data_dir();
    let truth = truth(&dir);
    let run = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["lookup", "--data"])
        .arg(&dir)
        .arg("-")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"name;postcode\r\nJaywick;CO15 2EQ\r\n")?;
            child.wait_with_output()
        })
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let out = String::from_utf8(run.stdout).expect("utf-8");
    let mut lines = out.split("\r\n");
    let header: Vec<&str> = lines.next().expect("header").split(';').collect();
    let row: Vec<&str> = lines.next().expect("row").split(';').collect();
    let get = |name: &str| row[header.iter().position(|h| *h == name).expect("column")];
    assert_eq!(get("lsoa21.code"), "E01021988");
    assert_eq!(get("lsoa21.name"), "Tendring 018A");
    assert_eq!(
        Some(get("imd2025.decile")),
        truth.imd_decile.get("E01021988").map(String::as_str)
    );
    assert_eq!(get("imd2025.decile"), "1");
    assert_eq!(get("status"), "ok");
}

#[test]
fn a_csv_without_a_postcode_column_fails_naming_the_header_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let input = tmp.path().join("in.csv");
    std::fs::write(&input, "name,town\nx,Clacton\n").expect("write");
    let output = tmp.path().join("out.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_cnimap"))
        .args(["lookup", "--data"])
        .arg(data_dir())
        .arg(&input)
        .arg("--out")
        .arg(&output)
        .env("RUST_LOG", "off")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("line 1") && stderr.contains("\"town\"") && stderr.contains("--column"),
        "{stderr}"
    );
    assert!(!output.exists(), "nothing half-written");
    assert_eq!(
        std::fs::read_dir(tmp.path()).expect("list").count(),
        1,
        "no temporary file left"
    );
}
