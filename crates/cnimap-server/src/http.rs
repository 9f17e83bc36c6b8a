//! HTTP caching primitives shared by every route: bodies encoded once (plain and gzip) with a
//! strong ETag, `If-None-Match` revalidation and `Accept-Encoding` negotiation.

use std::io::Write;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `application/json`.
pub const JSON: &str = "application/json";
/// `application/geo+json`.
pub const GEOJSON: &str = "application/geo+json";
/// Data documents do not change while the server runs; the ETag revalidates across restarts.
pub const CACHE_DATA: &str = "public, max-age=3600, must-revalidate";

/// A body encoded once: plain and gzip bytes and a strong ETag.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The plain bytes (empty for an empty tile).
    pub plain: bytes::Bytes,
    /// The same, gzip-compressed (empty when `plain` is).
    pub gzip: bytes::Bytes,
    /// `"<hash>"`.
    pub etag: String,
}

impl Encoded {
    /// Encodes a value as JSON.
    pub fn json(value: &impl serde::Serialize) -> Result<Encoded, EncodeError> {
        let json = serde_json::to_vec(value)?;
        Ok(Encoded::from_bytes(json)?)
    }

    /// Wraps bytes already encoded (an empty body stays empty, without a gzip member).
    pub fn from_bytes(plain: Vec<u8>) -> std::io::Result<Encoded> {
        let gzip = if plain.is_empty() {
            Vec::new()
        } else {
            gzip(&plain)?
        };
        let etag = format!("\"{:016x}\"", fnv1a(&plain));
        Ok(Encoded {
            plain: plain.into(),
            gzip: gzip.into(),
            etag,
        })
    }

    /// A response honouring `If-None-Match` and `Accept-Encoding`.
    pub fn respond(
        &self,
        headers: &HeaderMap,
        content_type: &'static str,
        cache: &'static str,
    ) -> Response {
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == self.etag || t.trim() == "*")
            });
        let builder = Response::builder()
            .header(header::ETAG, &self.etag)
            .header(header::CACHE_CONTROL, cache)
            .header(header::VARY, "Accept-Encoding");
        if matches {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
        }
        let builder = builder.header(header::CONTENT_TYPE, content_type);
        let gzip_ok = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(accepts_gzip);
        let (builder, body) = if gzip_ok {
            (
                builder.header(header::CONTENT_ENCODING, "gzip"),
                self.gzip.clone(),
            )
        } else {
            (builder, self.plain.clone())
        };
        builder
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// Why a document could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Serialising to JSON failed.
    #[error("serialising JSON")]
    Json(#[from] serde_json::Error),
    /// Compressing failed.
    #[error("compressing")]
    Gzip(#[from] std::io::Error),
}

/// Whether an `Accept-Encoding` value accepts gzip (RFC 9110 §12.5.3): `gzip` or `*` listed with
/// a quality above zero, and `gzip` not refused with `q=0` (which wins over `*`).
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("q")).then(|| v.trim().parse::<f32>().ok())?
            })
            .next()
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// gzip at the default level.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// FNV-1a 64-bit, for ETags.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain_gzip("gzip", true)]
    #[case::browser("gzip, deflate, br, zstd", true)]
    #[case::weighted("br;q=1.0, gzip;q=0.8", true)]
    #[case::refused("gzip;q=0", false)]
    #[case::refused_with_decimals("gzip; q=0.000", false)]
    #[case::refused_beats_star("*, gzip;q=0", false)]
    #[case::star("*", true)]
    #[case::star_refused("*;q=0", false)]
    #[case::identity_only("identity", false)]
    #[case::upper_case("GZIP", true)]
    #[case::empty("", false)]
    fn gzip_is_sent_only_when_the_client_accepts_it(#[case] header: &str, #[case] ok: bool) {
        assert_eq!(accepts_gzip(header), ok, "{header:?}");
    }

    #[test]
    fn an_empty_body_has_no_gzip_member_and_a_stable_etag() {
        let e = Encoded::from_bytes(Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.gzip.is_empty());
        let again = Encoded::from_bytes(Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.etag, again.etag);
    }
}
