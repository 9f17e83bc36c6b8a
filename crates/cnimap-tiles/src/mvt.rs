//! Mapbox Vector Tile 2.1 encoding (protobuf written by hand: it is small), and a decoder for
//! tests and tools.
//!
//! The encoder writes one layer of polygon features, each with an id and the string properties
//! `code` and `name`. Geometry is a command stream of `MoveTo`, `LineTo` and `ClosePath` with
//! zigzag-encoded deltas; rings must already be oriented (exterior clockwise on screen, i.e.
//! positive surveyor's area with `y` down; holes the other way).

use std::collections::HashMap;

/// Protobuf wire type: varint.
const VARINT: u32 = 0;
/// Protobuf wire type: length-delimited.
const LEN: u32 = 2;

const CMD_MOVE_TO: u32 = 1;
const CMD_LINE_TO: u32 = 2;
const CMD_CLOSE_PATH: u32 = 7;
/// `GeomType.POLYGON`.
const POLYGON: u64 = 3;

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(buf, u64::from((field << 3) | wire));
}

fn put_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(buf, field, LEN);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn command(id: u32, count: usize) -> u64 {
    u64::from(id & 0x7) | ((count as u64) << 3)
}

/// A feature ready to encode.
pub(crate) struct EncodeFeature<'a> {
    /// Feature id.
    pub id: u64,
    /// `code` property.
    pub code: &'a str,
    /// `name` property.
    pub name: &'a str,
    /// Oriented rings in tile units; each exterior ring is followed by its holes.
    pub rings: Vec<Vec<[i64; 2]>>,
}

/// Encodes a tile holding one layer. Returns `None` when there is no feature.
pub(crate) fn encode_tile(
    layer: &str,
    extent: u32,
    features: &[EncodeFeature<'_>],
) -> Option<Vec<u8>> {
    if features.is_empty() {
        return None;
    }
    let mut values: Vec<&str> = Vec::new();
    let mut value_index: HashMap<&str, u32> = HashMap::new();
    let mut body: Vec<u8> = Vec::with_capacity(1024 + features.len() * 64);
    put_key(&mut body, 15, VARINT);
    put_varint(&mut body, 2);
    put_bytes(&mut body, 1, layer.as_bytes());
    let mut feature_buf: Vec<u8> = Vec::new();
    let mut tags: Vec<u8> = Vec::new();
    let mut geometry: Vec<u8> = Vec::new();
    for f in features {
        let mut tag_ids = [0u32; 2];
        for (slot, s) in tag_ids.iter_mut().zip([f.code, f.name]) {
            let next = values.len() as u32;
            let id = *value_index.entry(s).or_insert(next);
            if id == next {
                values.push(s);
            }
            *slot = id;
        }
        tags.clear();
        for (k, v) in tag_ids.iter().enumerate() {
            put_varint(&mut tags, k as u64);
            put_varint(&mut tags, u64::from(*v));
        }
        geometry.clear();
        let (mut cx, mut cy) = (0i64, 0i64);
        for ring in &f.rings {
            if ring.len() < 3 {
                continue;
            }
            put_varint(&mut geometry, command(CMD_MOVE_TO, 1));
            put_varint(&mut geometry, zigzag(ring[0][0] - cx));
            put_varint(&mut geometry, zigzag(ring[0][1] - cy));
            (cx, cy) = (ring[0][0], ring[0][1]);
            put_varint(&mut geometry, command(CMD_LINE_TO, ring.len() - 1));
            for p in &ring[1..] {
                put_varint(&mut geometry, zigzag(p[0] - cx));
                put_varint(&mut geometry, zigzag(p[1] - cy));
                (cx, cy) = (p[0], p[1]);
            }
            put_varint(&mut geometry, command(CMD_CLOSE_PATH, 1));
        }
        feature_buf.clear();
        put_key(&mut feature_buf, 1, VARINT);
        put_varint(&mut feature_buf, f.id);
        put_bytes(&mut feature_buf, 2, &tags);
        put_key(&mut feature_buf, 3, VARINT);
        put_varint(&mut feature_buf, POLYGON);
        put_bytes(&mut feature_buf, 4, &geometry);
        put_bytes(&mut body, 2, &feature_buf);
    }
    for key in ["code", "name"] {
        put_bytes(&mut body, 3, key.as_bytes());
    }
    let mut value_buf = Vec::new();
    for v in values {
        value_buf.clear();
        put_bytes(&mut value_buf, 1, v.as_bytes());
        put_bytes(&mut body, 4, &value_buf);
    }
    put_key(&mut body, 5, VARINT);
    put_varint(&mut body, u64::from(extent));
    let mut tile = Vec::with_capacity(body.len() + 8);
    put_bytes(&mut tile, 3, &body);
    Some(tile)
}

/// A decoded layer.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedLayer {
    /// Layer name (the source-layer).
    pub name: String,
    /// MVT version.
    pub version: u32,
    /// Tile extent.
    pub extent: u32,
    /// The features, in tile order.
    pub features: Vec<DecodedFeature>,
}

/// A decoded feature.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedFeature {
    /// Feature id, if present.
    pub id: Option<u64>,
    /// Properties as key and value; non-string values are rendered with `Debug`-like text.
    pub properties: Vec<(String, String)>,
    /// Geometry type (3 = polygon).
    pub geom_type: u32,
    /// Rings (polygons) or lines/points, in tile units, without closing points.
    pub rings: Vec<Vec<[i64; 2]>>,
}

impl DecodedFeature {
    /// The value of a property, if present.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A malformed tile.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The buffer ended inside a value.
    #[error("truncated protobuf at byte {offset}")]
    Truncated {
        /// Byte offset within the message being read.
        offset: usize,
    },
    /// A wire type this decoder does not handle.
    #[error("unsupported wire type {wire} at byte {offset}")]
    WireType {
        /// The wire type.
        wire: u64,
        /// Byte offset within the message being read.
        offset: usize,
    },
    /// A tag or command refers to something that does not exist.
    #[error("invalid reference: {what}")]
    Reference {
        /// What was wrong.
        what: String,
    },
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or(DecodeError::Truncated { offset: self.pos })?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(DecodeError::Truncated { offset: self.pos })
    }

    fn field(&mut self) -> Result<Option<(u64, Field<'a>)>, DecodeError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (field, wire) = (key >> 3, key & 7);
        let value = match wire {
            0 => Field::Varint(self.varint()?),
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| DecodeError::Truncated { offset: self.pos })?;
                let end = self.pos.saturating_add(len);
                let bytes = self
                    .buf
                    .get(self.pos..end)
                    .ok_or(DecodeError::Truncated { offset: self.pos })?;
                self.pos = end;
                Field::Bytes(bytes)
            }
            1 => {
                self.pos += 8;
                Field::Varint(0)
            }
            5 => {
                self.pos += 4;
                Field::Varint(0)
            }
            other => {
                return Err(DecodeError::WireType {
                    wire: other,
                    offset: self.pos,
                })
            }
        };
        Ok(Some((field, value)))
    }
}

fn packed(bytes: &[u8]) -> Result<Vec<u64>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while r.pos < bytes.len() {
        out.push(r.varint()?);
    }
    Ok(out)
}

fn decode_value(bytes: &[u8]) -> Result<String, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = String::new();
    while let Some((field, v)) = r.field()? {
        match (field, v) {
            (1, Field::Bytes(b)) => out = String::from_utf8_lossy(b).into_owned(),
            (_, Field::Varint(n)) => out = n.to_string(),
            _ => {}
        }
    }
    Ok(out)
}

fn decode_geometry(cmds: &[u64]) -> Result<Vec<Vec<[i64; 2]>>, DecodeError> {
    let unzig = |v: u64| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let mut rings: Vec<Vec<[i64; 2]>> = Vec::new();
    let (mut x, mut y) = (0i64, 0i64);
    let mut i = 0;
    while i < cmds.len() {
        let (id, count) = (cmds[i] & 7, (cmds[i] >> 3) as usize);
        i += 1;
        match id {
            1 | 2 => {
                if id == 1 {
                    rings.push(Vec::new());
                }
                for _ in 0..count {
                    let (dx, dy) = match (cmds.get(i), cmds.get(i + 1)) {
                        (Some(a), Some(b)) => (unzig(*a), unzig(*b)),
                        _ => {
                            return Err(DecodeError::Reference {
                                what: "geometry ends inside a command".into(),
                            })
                        }
                    };
                    i += 2;
                    x += dx;
                    y += dy;
                    rings
                        .last_mut()
                        .ok_or(DecodeError::Reference {
                            what: "LineTo before MoveTo".into(),
                        })?
                        .push([x, y]);
                }
            }
            7 => {}
            other => {
                return Err(DecodeError::Reference {
                    what: format!("unknown command {other}"),
                })
            }
        }
    }
    Ok(rings)
}

/// A feature as read: id, tags, geometry type, geometry commands.
type RawFeature = (Option<u64>, Vec<u64>, u32, Vec<u64>);

/// Decodes a (decompressed) vector tile. Meant for tests and diagnostics, not speed.
///
/// # Errors
/// [`DecodeError`] when the protobuf is malformed or a tag refers to a missing key or value.
pub fn decode(tile: &[u8]) -> Result<Vec<DecodedLayer>, DecodeError> {
    let mut layers = Vec::new();
    let mut r = Reader::new(tile);
    while let Some((field, v)) = r.field()? {
        let (3, Field::Bytes(layer_bytes)) = (field, v) else {
            continue;
        };
        let mut lr = Reader::new(layer_bytes);
        let mut layer = DecodedLayer {
            name: String::new(),
            version: 1,
            extent: 4096,
            features: Vec::new(),
        };
        let mut keys = Vec::new();
        let mut values = Vec::new();
        let mut raw_features: Vec<RawFeature> = Vec::new();
        while let Some((field, v)) = lr.field()? {
            match (field, v) {
                (15, Field::Varint(n)) => layer.version = n as u32,
                (1, Field::Bytes(b)) => layer.name = String::from_utf8_lossy(b).into_owned(),
                (5, Field::Varint(n)) => layer.extent = n as u32,
                (3, Field::Bytes(b)) => keys.push(String::from_utf8_lossy(b).into_owned()),
                (4, Field::Bytes(b)) => values.push(decode_value(b)?),
                (2, Field::Bytes(b)) => {
                    let mut fr = Reader::new(b);
                    let mut feat = (None, Vec::new(), 0u32, Vec::new());
                    while let Some((field, v)) = fr.field()? {
                        match (field, v) {
                            (1, Field::Varint(n)) => feat.0 = Some(n),
                            (2, Field::Bytes(b)) => feat.1 = packed(b)?,
                            (3, Field::Varint(n)) => feat.2 = n as u32,
                            (4, Field::Bytes(b)) => feat.3 = packed(b)?,
                            _ => {}
                        }
                    }
                    raw_features.push(feat);
                }
                _ => {}
            }
        }
        for (id, tags, geom_type, geometry) in raw_features {
            let mut properties = Vec::new();
            for pair in tags.chunks(2) {
                let (Some(k), Some(v)) = (
                    pair.first().and_then(|&k| keys.get(k as usize)),
                    pair.get(1).and_then(|&v| values.get(v as usize)),
                ) else {
                    return Err(DecodeError::Reference {
                        what: format!("tag pair {pair:?} outside keys/values tables"),
                    });
                };
                properties.push((k.clone(), v.clone()));
            }
            layer.features.push(DecodedFeature {
                id,
                properties,
                geom_type,
                rings: decode_geometry(&geometry)?,
            });
        }
        layers.push(layer);
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_tile_decodes_to_the_same_features() {
        let features = vec![
            EncodeFeature {
                id: 7,
                code: "E01000001",
                name: "City of London 001A",
                rings: vec![vec![[0, 0], [100, 0], [100, 100], [0, 100]]],
            },
            EncodeFeature {
                id: 300,
                code: "E01000002",
                name: "City of London 001B",
                rings: vec![
                    vec![[200, 200], [400, 200], [400, 400], [200, 400]],
                    vec![[250, 250], [250, 300], [300, 300], [300, 250]],
                ],
            },
        ];
        let bytes = encode_tile("lsoa21", 4096, &features).expect("non-empty");
        let layers = decode(&bytes).expect("decodes");
        assert_eq!(layers.len(), 1);
        let layer = &layers[0];
        assert_eq!(
            (layer.name.as_str(), layer.version, layer.extent),
            ("lsoa21", 2, 4096)
        );
        assert_eq!(layer.features.len(), 2);
        for (got, want) in layer.features.iter().zip(&features) {
            assert_eq!(got.id, Some(want.id));
            assert_eq!(got.geom_type, 3);
            assert_eq!(got.property("code"), Some(want.code));
            assert_eq!(got.property("name"), Some(want.name));
            assert_eq!(got.rings, want.rings);
        }
    }

    #[test]
    fn no_features_encode_to_nothing() {
        assert!(encode_tile("x", 4096, &[]).is_none());
    }

    #[test]
    fn zigzag_matches_the_protobuf_definition() {
        assert_eq!([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
    }
}
