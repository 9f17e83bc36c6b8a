//! Tiles from a PMTiles v3 archive (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>):
//! the header and every directory (root and leaves) are read once into a sorted list of entries;
//! a tile is then a binary search and one positioned read of its gzip bytes. [`TileSource`] answers
//! the server's tile questions the same way whether the tiles are prepared in memory or read
//! from an archive.

use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use cnimap_core::tile::TileCoord;
use cnimap_tiles::{Neighbours, PreparedLayer, TileError};

use super::BuildError;

const HEADER_BYTES: usize = 127;

/// One directory entry: `run_length` tiles from `tile_id` share the bytes at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u32,
    run_length: u32,
}

/// A PMTiles v3 archive of gzip MVT tiles, directories in memory, tile bytes read by offset.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    file: std::fs::File,
    min_zoom: u8,
    max_zoom: u8,
    bounds_wgs84: [f64; 4],
    fields: [(String, String); 2],
    data_offset: u64,
    entries: Vec<Entry>,
    no_neighbours: Neighbours,
}

impl Archive {
    /// Opens an archive and reads its header, metadata and every directory.
    pub fn open(path: &Path) -> Result<Archive, BuildError> {
        let bad = |problem: String| BuildError::Pmtiles {
            path: path.to_path_buf(),
            problem,
        };
        let file = std::fs::File::open(path).map_err(|source| BuildError::Missing {
            path: path.to_path_buf(),
            source,
        })?;
        let read_at = |offset: u64, len: u64| -> Result<Vec<u8>, BuildError> {
            let mut buf = vec![0u8; usize::try_from(len).map_err(|_| bad(format!("{len} bytes")))?];
            file.read_exact_at(&mut buf, offset)
                .map_err(|e| bad(format!("reading {len} bytes at {offset}: {e}")))?;
            Ok(buf)
        };
        let h = read_at(0, HEADER_BYTES as u64)?;
        if &h[..7] != b"PMTiles" || h[7] != 3 {
            return Err(bad("no PMTiles v3 magic number".into()));
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&h[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let (root_offset, root_length) = (u64_at(8), u64_at(16));
        let (meta_offset, meta_length) = (u64_at(24), u64_at(32));
        let leaf_offset = u64_at(40);
        let data_offset = u64_at(56);
        let (internal, tile_compression, tile_type) = (h[97], h[98], h[99]);
        let (min_zoom, max_zoom) = (h[100], h[101]);
        if tile_compression != 2 || tile_type != 1 {
            return Err(bad(format!(
                "tiles must be gzip MVT (compression 2, type 1), found compression {tile_compression}, type {tile_type}"
            )));
        }
        let decompress = |bytes: Vec<u8>| -> Result<Vec<u8>, BuildError> {
            match internal {
                1 => Ok(bytes),
                2 => {
                    gunzip(&bytes).map_err(|e| bad(format!("a directory does not decompress: {e}")))
                }
                c => Err(bad(format!("unsupported internal compression {c}"))),
            }
        };
        let meta = decompress(read_at(meta_offset, meta_length)?)?;
        let meta: serde_json::Value =
            serde_json::from_slice(&meta).map_err(|e| bad(format!("metadata is not JSON: {e}")))?;
        let bounds_wgs84 = meta["bounds"]
            .as_array()
            .and_then(|b| {
                let v: Vec<f64> = b.iter().filter_map(serde_json::Value::as_f64).collect();
                <[f64; 4]>::try_from(v).ok()
            })
            .ok_or_else(|| bad("metadata has no bounds [w, s, e, n]".into()))?;
        let fields: Vec<(String, String)> = meta["vector_layers"][0]["fields"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let fields = <[(String, String); 2]>::try_from(fields)
            .map_err(|_| bad("metadata's vector layer must list two fields (code, name)".into()))?;
        let root = decode_directory(&decompress(read_at(root_offset, root_length)?)?)
            .map_err(|e| bad(format!("root directory: {e}")))?;
        let mut entries = Vec::new();
        for e in root {
            if e.run_length > 0 {
                entries.push(e);
                continue;
            }
            let leaf = decompress(read_at(leaf_offset + e.offset, u64::from(e.length))?)?;
            entries
                .extend(decode_directory(&leaf).map_err(|m| bad(format!("leaf directory: {m}")))?);
        }
        if entries.iter().any(|e| e.run_length == 0)
            || entries.windows(2).any(|w| w[0].tile_id >= w[1].tile_id)
        {
            return Err(bad(
                "directories nest deeper than one leaf level or are not sorted".into(),
            ));
        }
        entries.shrink_to_fit();
        Ok(Archive {
            path: path.to_path_buf(),
            file,
            min_zoom,
            max_zoom,
            bounds_wgs84,
            fields,
            data_offset,
            entries,
            no_neighbours: Neighbours::default(),
        })
    }

    /// Tiles addressed (entries times run lengths).
    pub fn tiles(&self) -> u64 {
        self.entries.iter().map(|e| u64::from(e.run_length)).sum()
    }

    /// The gzip bytes of a tile, or `None` when the archive has none there.
    pub fn gzip_tile(&self, coord: TileCoord) -> Result<Option<Vec<u8>>, TileError> {
        let id = tile_id(coord.z(), coord.x(), coord.y());
        let i = self.entries.partition_point(|e| e.tile_id <= id);
        let Some(e) = i.checked_sub(1).and_then(|i| self.entries.get(i)) else {
            return Ok(None);
        };
        if id - e.tile_id >= u64::from(e.run_length) {
            return Ok(None);
        }
        let mut buf = vec![0u8; e.length as usize];
        self.file
            .read_exact_at(&mut buf, self.data_offset + e.offset)
            .map_err(|source| TileError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(Some(buf))
    }
}

/// The PMTiles tile id of `z/x/y`: the tiles of every lower zoom, then the position along the
/// zoom's Hilbert curve (the spec's `zxyToTileId`).
pub fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let z = u32::from(z.min(31));
    let mut id = ((1u64 << (2 * z)) - 1) / 3;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut s = (1u64 << z) >> 1;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        id += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = s - 1 - (x & (s - 1));
                y = s - 1 - (y & (s - 1));
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    id
}

/// Decodes one directory (already decompressed).
fn decode_directory(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut buf = bytes;
    let n = usize::try_from(varint(&mut buf)?).map_err(|_| "entry count".to_string())?;
    if n > buf.len() {
        return Err(format!("{n} entries in {} bytes", buf.len()));
    }
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut id = 0u64;
    for e in &mut entries {
        id = id
            .checked_add(varint(&mut buf)?)
            .ok_or_else(|| "tile id overflows".to_string())?;
        e.tile_id = id;
    }
    for e in &mut entries {
        e.run_length = u32::try_from(varint(&mut buf)?).map_err(|_| "run length".to_string())?;
    }
    for e in &mut entries {
        e.length = u32::try_from(varint(&mut buf)?).map_err(|_| "length".to_string())?;
    }
    for i in 0..n {
        let v = varint(&mut buf)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1].offset + u64::from(entries[i - 1].length)
        } else {
            v.checked_sub(1)
                .ok_or_else(|| "offset 0 on the first entry".to_string())?
        };
    }
    Ok(entries)
}

fn varint(buf: &mut &[u8]) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = buf
            .split_first()
            .ok_or_else(|| "directory ends inside a number".to_string())?;
        *buf = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(v);
        }
    }
    Err("a number longer than 64 bits".to_string())
}

/// Decompresses gzip.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() * 3);
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// A served layer's tiles: prepared in memory (from the data) or read from a build's archive.
/// Both answer with the same bytes.
#[derive(Debug)]
pub enum TileSource {
    /// Cut on demand from the prepared layer (also the source of the neighbours).
    Prepared(PreparedLayer),
    /// Read from a PMTiles archive.
    Archive(Archive),
}

impl TileSource {
    /// The first zoom with tiles.
    pub fn min_zoom(&self) -> u8 {
        match self {
            TileSource::Prepared(p) => p.min_zoom(),
            TileSource::Archive(a) => a.min_zoom,
        }
    }

    /// The last zoom with tiles.
    pub fn max_zoom(&self) -> u8 {
        match self {
            TileSource::Prepared(p) => p.max_zoom(),
            TileSource::Archive(a) => a.max_zoom,
        }
    }

    /// `[w, s, e, n]` in degrees.
    pub fn bounds_wgs84(&self) -> [f64; 4] {
        match self {
            TileSource::Prepared(p) => p.bounds_wgs84(),
            TileSource::Archive(a) => a.bounds_wgs84,
        }
    }

    /// The tiles' feature properties and their types.
    pub fn fields(&self) -> [(&str, &str); 2] {
        match self {
            TileSource::Prepared(p) => p.fields(),
            TileSource::Archive(a) => [
                (a.fields[0].0.as_str(), a.fields[0].1.as_str()),
                (a.fields[1].0.as_str(), a.fields[1].1.as_str()),
            ],
        }
    }

    /// The areas sharing a border (empty when read from an archive: the build's area details
    /// already list them).
    pub fn neighbours(&self) -> &Neighbours {
        match self {
            TileSource::Prepared(p) => p.neighbours(),
            TileSource::Archive(a) => &a.no_neighbours,
        }
    }

    /// The plain MVT bytes of a tile, `None` when it is empty.
    ///
    /// # Errors
    /// [`TileError::ZoomOutOfRange`] outside the layer's zooms; [`TileError::Io`] when the
    /// archive cannot be read or a tile does not decompress.
    pub fn tile(&self, coord: TileCoord) -> Result<Option<Vec<u8>>, TileError> {
        match self {
            TileSource::Prepared(p) => p.tile(coord),
            TileSource::Archive(a) => {
                let z = coord.z();
                if z < a.min_zoom || z > a.max_zoom {
                    return Err(TileError::ZoomOutOfRange {
                        layer: a.path.display().to_string(),
                        zoom: z,
                        min_zoom: a.min_zoom,
                        max_zoom: a.max_zoom,
                    });
                }
                a.gzip_tile(coord)?
                    .map(|gz| {
                        gunzip(&gz).map_err(|source| TileError::Io {
                            path: a.path.clone(),
                            source,
                        })
                    })
                    .transpose()
            }
        }
    }

    /// The prepared layer, when the tiles are cut in memory.
    pub fn prepared(&self) -> Option<&PreparedLayer> {
        match self {
            TileSource::Prepared(p) => Some(p),
            TileSource::Archive(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ids_follow_the_spec_hilbert_order() {
        // The spec's examples: z0 is 0, z1 runs (0,0) (0,1) (1,1) (1,0), z2 starts at 5.
        assert_eq!(tile_id(0, 0, 0), 0);
        let z1: Vec<u64> = [(0, 0), (0, 1), (1, 1), (1, 0)]
            .iter()
            .map(|&(x, y)| tile_id(1, x, y))
            .collect();
        assert_eq!(z1, vec![1, 2, 3, 4]);
        assert_eq!(tile_id(2, 0, 0), 5);
        // Every id of a zoom is used once.
        let mut z3: Vec<u64> = (0..8)
            .flat_map(|x| (0..8).map(move |y| tile_id(3, x, y)))
            .collect();
        z3.sort_unstable();
        assert_eq!(z3, (21..85).collect::<Vec<u64>>());
    }

    #[test]
    fn a_directory_round_trips_through_its_varints() {
        // Two entries: ids 5 and 7, run lengths 1 and 2, lengths 10 and 4, offsets 0 and 10
        // (the second written as 0: "right after the previous").
        let bytes = [2, 5, 2, 1, 2, 10, 4, 1, 0];
        let d = decode_directory(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            d,
            vec![
                Entry {
                    tile_id: 5,
                    offset: 0,
                    length: 10,
                    run_length: 1
                },
                Entry {
                    tile_id: 7,
                    offset: 10,
                    length: 4,
                    run_length: 2
                },
            ]
        );
        assert!(decode_directory(&[3, 1]).is_err());
    }
}
