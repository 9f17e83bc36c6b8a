//! `write_pmtiles` writes a PMTiles v3 archive that reads back: header, metadata and tiles.

use std::io::Read;

use bytes::Bytes;
use cnimap_core::tile::lonlat_to_tile;
use cnimap_tiles::mvt::decode;
use cnimap_tiles::{write_pmtiles, InputFeature, LayerSpec, PreparedLayer, SourceGeometry};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use pmtiles::{Compression, Header, TileType};

fn square(index: u32, code: &str, lon: f64, lat: f64, size: f64) -> InputFeature {
    let coords = [
        (0.0, 0.0),
        (size, 0.0),
        (size, size),
        (0.0, size),
        (0.0, 0.0),
    ]
    .iter()
    .map(|&(dx, dy)| Coord {
        x: lon + dx,
        y: lat + dy,
    })
    .collect();
    InputFeature {
        index,
        code: code.to_owned(),
        name: format!("Area {code}"),
        geometry_wgs84: MultiPolygon(vec![Polygon::new(LineString(coords), vec![])]),
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn varint(buf: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = buf[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Entries `(tile_id, offset, length, run_length)` of a decompressed PMTiles directory.
fn directory(buf: &[u8]) -> Vec<(u64, u64, u64, u64)> {
    let mut pos = 0;
    let n = varint(buf, &mut pos) as usize;
    let mut ids = Vec::with_capacity(n);
    let mut last = 0;
    for _ in 0..n {
        last += varint(buf, &mut pos);
        ids.push(last);
    }
    let runs: Vec<u64> = (0..n).map(|_| varint(buf, &mut pos)).collect();
    let lengths: Vec<u64> = (0..n).map(|_| varint(buf, &mut pos)).collect();
    let mut offsets: Vec<u64> = Vec::with_capacity(n);
    for i in 0..n {
        let v = varint(buf, &mut pos);
        let off = if v == 0 && i > 0 {
            offsets[i - 1] + lengths[i - 1]
        } else {
            v.saturating_sub(1)
        };
        offsets.push(off);
    }
    (0..n)
        .map(|i| (ids[i], offsets[i], lengths[i], runs[i]))
        .collect()
}

fn u64_at(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
}

#[test]
fn written_archive_reads_back_with_header_metadata_and_tiles() {
    let spec = LayerSpec {
        id: "demo".to_owned(),
        sources: vec![SourceGeometry {
            min_zoom: 0,
            max_zoom: 6,
            features: vec![
                square(0, "E01000001", 0.0, 51.0, 1.0),
                square(1, "E01000002", 1.0, 51.0, 1.0),
            ],
        }],
    };
    let layer = PreparedLayer::prepare(spec).expect("prepare");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.pmtiles");
    let report = write_pmtiles(&layer, &path).expect("write");
    assert!(report.tiles > 0);
    assert_eq!(report.tiles_per_zoom.len(), 7);
    let bytes = std::fs::read(&path).expect("read archive");
    assert_eq!(report.file_bytes, bytes.len() as u64);
    // Nothing but the archive is left in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);

    let header = Header::try_from_bytes(Bytes::from(bytes.clone())).expect("v3 header");
    assert_eq!(header.spec_version(), 3);
    assert_eq!(header.tile_type, TileType::Mvt);
    assert_eq!(header.tile_compression, Compression::Gzip);
    assert_eq!((header.min_zoom, header.max_zoom), (0, 6));
    assert!((header.min_longitude - 0.0).abs() < 1e-6 && (header.max_longitude - 2.0).abs() < 1e-6);

    // Raw header fields (spec v3 layout) to find the root directory, metadata and data.
    let (root_off, root_len) = (u64_at(&bytes, 8) as usize, u64_at(&bytes, 16) as usize);
    let (meta_off, meta_len) = (u64_at(&bytes, 24) as usize, u64_at(&bytes, 32) as usize);
    let data_off = u64_at(&bytes, 56) as usize;
    let metadata: serde_json::Value =
        serde_json::from_slice(&gunzip(&bytes[meta_off..meta_off + meta_len]))
            .expect("metadata json");
    assert_eq!(metadata["vector_layers"][0]["id"], "demo");
    assert_eq!(metadata["vector_layers"][0]["fields"]["code"], "String");

    let entries = directory(&gunzip(&bytes[root_off..root_off + root_len]));
    assert_eq!(
        entries.len() as u64,
        report.tiles,
        "one entry per distinct tile, no leaves"
    );
    let t = lonlat_to_tile(1.0, 51.5, 6).expect("valid zoom");
    let id =
        pmtiles::TileId::from(pmtiles::TileCoord::new(t.z(), t.x(), t.y()).expect("valid")).value();
    let (_, offset, length, _) = entries
        .iter()
        .copied()
        .find(|e| e.0 == id)
        .expect("tile in directory");
    let start = data_off + offset as usize;
    let tile = gunzip(&bytes[start..start + length as usize]);
    assert_eq!(Some(tile.clone()), layer.tile(t).expect("tile"));
    let layers = decode(&tile).expect("decodes");
    let mut codes: Vec<&str> = layers[0]
        .features
        .iter()
        .filter_map(|f| f.property("code"))
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["E01000001", "E01000002"]);
}
