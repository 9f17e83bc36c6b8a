//! data/sources.toml against the national data directory: it lists every file `cnimap check`
//! reads, with the size and SHA-256 of the files the project was built and tested on, and the two
//! conversions that can be checked here reproduce their reference files byte for byte.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use cnimap_fetch::digest::sha256_file;
use cnimap_fetch::Sources;

fn sources() -> Sources {
    Sources::embedded().expect("data/sources.toml parses")
}

#[test]
fn every_listed_file_has_the_recorded_size_and_sha256_in_the_data_directory() {
    let data = cnimap_testkit::data_dir();
    let mut wrong = Vec::new();
    for f in &sources().files {
        let (sha, size) = sha256_file(&data.join(&f.path))
            .unwrap_or_else(|e| panic!("{}: cannot read: {e}", f.path));
        if sha != f.sha256 || size != f.size {
            wrong.push(format!(
                "{}: {size} bytes, SHA-256 {sha}; sources.toml says {} bytes, {}",
                f.path, f.size, f.sha256
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_boundary_file_of_the_manifest_is_listed() {
    let listed: BTreeSet<String> = sources().files.iter().map(|f| f.path.clone()).collect();
    let manifest = cnimap_data::boundary::Manifest::embedded().expect("boundary manifest");
    let mut files: Vec<String> = manifest
        .layers
        .iter()
        .flat_map(|l| l.sources.iter().map(|s| s.file.clone()))
        .chain(manifest.overlays.iter().map(|o| o.file.clone()))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    files.sort();
    files.dedup();
    assert!(files.len() >= 10, "the manifest names {files:?}");
    let missing: Vec<&String> = files.iter().filter(|f| !listed.contains(*f)).collect();
    assert!(missing.is_empty(), "not in data/sources.toml: {missing:?}");
}

/// A data directory holding only the listed files (as symbolic links) loads, atlas and search
/// index, as `cnimap check` loads them: nothing they read is missing from sources.toml.
#[test]
#[cfg(unix)]
fn the_listed_files_alone_are_enough_for_the_loader() {
    let data = cnimap_testkit::data_dir();
    let data = data.canonicalize().expect("data dir");
    let only = tempfile::tempdir().expect("temp dir");
    for f in &sources().files {
        let link = only.path().join(&f.path);
        std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(data.join(&f.path), &link).expect("symlink");
    }
    let manifest = cnimap_data::boundary::Manifest::embedded().expect("boundary manifest");
    if let Err(e) = cnimap_data::Atlas::load(only.path(), &manifest) {
        panic!("the loader needs a file data/sources.toml does not list: {e}");
    }
    if let Err(e) = cnimap_search::SearchIndex::load(only.path()) {
        panic!("the search index needs a file data/sources.toml does not list: {e}");
    }
}

#[test]
fn converting_iod2019_file_2_with_the_imd2019_columns_gives_the_reference_file() {
    // File 2 has the same rank and decile headers as File 7, the published input: the column
    // selection, renaming and number formatting are the ones fetch applies to File 7.
    let data = cnimap_testkit::data_dir();
    let s = sources();
    let entry = s.find("indicators/imd2019_lsoa11.csv").expect("listed");
    let spec = entry.convert.as_ref().expect("a conversion");
    let out = tempfile::tempdir().expect("temp dir");
    let made = out.path().join("imd2019_lsoa11.csv");
    let file2 =
        data.join("indicators/iod2019_official/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz");
    cnimap_fetch::convert::convert(spec, &file2, &data, &made).expect("converts");
    let (sha, size) = sha256_file(&made).expect("hash");
    assert_eq!((sha.as_str(), size), (entry.sha256.as_str(), entry.size));
}

/// The published CNI 2023 CSV (humaniverse/IMD) writes "157" and TRUE/FALSE where the reference
/// file writes "157.0" and True/False, and its flag is not the IMD 2025 one. Rebuild that form from
/// the reference (every flag set to FALSE, so the flag must be recomputed) and convert it back.
#[test]
fn converting_the_published_form_of_cni2023_recomputes_the_flag_and_gives_the_reference_file() {
    let data = cnimap_testkit::data_dir();
    let s = sources();
    let entry = s.find("indicators/cni2023_lsoa21.csv").expect("listed");
    let spec = entry.convert.as_ref().expect("a conversion");
    let out = tempfile::tempdir().expect("temp dir");
    let published = out.path().join("cni2023_england_lsoa21.csv");
    {
        let mut reader = csv::Reader::from_path(data.join(&entry.path)).expect("reference file");
        let headers = reader.headers().expect("header").clone();
        let flag = headers.len() - 1;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_path(&published)
            .expect("write");
        w.write_record(&headers).expect("write");
        let mut trues = 0;
        for r in reader.records() {
            let r = r.expect("row");
            let row: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if i == flag {
                        trues += usize::from(v == "True");
                        "FALSE".to_string()
                    } else if headers[i].ends_with("Score") {
                        v.strip_suffix(".0").unwrap_or(v).to_string()
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            w.write_record(&row).expect("write");
        }
        w.flush().expect("flush");
        assert_eq!(trues, 1262, "the reference flags 1,262 LSOAs");
    }
    let made = out.path().join("cni2023_lsoa21.csv");
    cnimap_fetch::convert::convert(spec, &published, &data, &made).expect("converts");
    let (sha, size) = sha256_file(&made).expect("hash");
    if sha != entry.sha256 {
        let mut err = std::io::stderr();
        let _ = writeln!(err, "made {size} bytes, reference {} bytes", entry.size);
    }
    assert_eq!((sha.as_str(), size), (entry.sha256.as_str(), entry.size));
}

#[test]
fn every_file_says_how_it_is_fetched_and_what_was_confirmed() {
    let s = sources();
    for f in &s.files {
        assert!(
            !f.licence.is_empty() && !f.attribution.is_empty(),
            "{}",
            f.path
        );
        assert!(f.confirmed.len() > 10, "{}: say what was confirmed", f.path);
        assert!(
            Path::new(&f.path).extension().is_some(),
            "{}: a file, not a folder",
            f.path
        );
    }
}
