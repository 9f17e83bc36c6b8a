//! HTTP caching primitives shared by every route: bodies encoded once (plain and gzip) with a
//! strong ETag, `If-None-Match` revalidation and `Accept-Encoding` negotiation; and the 503s the
//! hardening answers with.
//!
//! Every fixed header value here is a `HeaderValue::from_static` constant, so answering builds no
//! header strings; [`respond_with`] is the one place a cached body becomes a response, used by the
//! documents and (with the ETag header kept beside the tile) by the tile cache.

use std::io::Write;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `application/json`.
pub const JSON: &str = "application/json";
/// `application/geo+json`.
pub const GEOJSON: &str = "application/geo+json";
/// Data documents do not change while the server runs; the ETag revalidates across restarts.
pub const CACHE_DATA: &str = "public, max-age=3600, must-revalidate";

/// `Vary: Accept-Encoding`.
pub const VARY_ACCEPT_ENCODING: HeaderValue = HeaderValue::from_static("Accept-Encoding");
/// `Content-Encoding: gzip`.
pub const GZIP: HeaderValue = HeaderValue::from_static("gzip");

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
        let etag = HeaderValue::from_str(&self.etag).ok();
        respond_with(
            self,
            etag.as_ref(),
            headers,
            HeaderValue::from_static(content_type),
            HeaderValue::from_static(cache),
        )
    }
}

/// The response for `encoded` (whose ETag is `etag`, ready as a header value) to a request with
/// `request` headers: 304 when `If-None-Match` names the ETag (or is `*`), else 200 with the gzip
/// body when `Accept-Encoding` accepts gzip and the plain one otherwise. Only the bodies' reference
/// counts change; no header value is built here.
pub fn respond_with(
    encoded: &Encoded,
    etag: Option<&HeaderValue>,
    request: &HeaderMap,
    content_type: HeaderValue,
    cache: HeaderValue,
) -> Response {
    let answer = negotiate(encoded.etag.as_bytes(), request);
    let not_modified = answer == Negotiated::NotModified;
    let gzip_ok = answer == Negotiated::Gzip;
    let (status, body) = match answer {
        Negotiated::NotModified => (StatusCode::NOT_MODIFIED, Body::empty()),
        Negotiated::Gzip => (StatusCode::OK, Body::from(encoded.gzip.clone())),
        Negotiated::Plain => (StatusCode::OK, Body::from(encoded.plain.clone())),
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.reserve(6);
    if let Some(etag) = etag {
        h.insert(header::ETAG, etag.clone());
    }
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(header::VARY, VARY_ACCEPT_ENCODING);
    if !not_modified {
        h.insert(header::CONTENT_TYPE, content_type);
        if gzip_ok {
            h.insert(header::CONTENT_ENCODING, GZIP);
        }
    }
    response
}

/// Which answer a request gets for a body with the ETag `etag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Negotiated {
    /// 304: `If-None-Match` names the ETag (or is `*`).
    NotModified,
    /// 200 with the gzip body: `Accept-Encoding` accepts gzip.
    Gzip,
    /// 200 with the plain body.
    Plain,
}

/// What [`respond_with`] answers `request` with, for a body whose ETag is `etag`: 304 when
/// `If-None-Match` names it, else gzip when `Accept-Encoding` accepts it, else plain.
pub fn negotiate(etag: &[u8], request: &HeaderMap) -> Negotiated {
    if request
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| if_none_match(v.as_bytes(), etag))
    {
        Negotiated::NotModified
    } else if request
        .get(header::ACCEPT_ENCODING)
        .is_some_and(|v| accepts_gzip_bytes(v.as_bytes()))
    {
        Negotiated::Gzip
    } else {
        Negotiated::Plain
    }
}

/// Whether an `If-None-Match` value names `etag` or is `*` (a comma-separated list; weak tags
/// are not ours and never match).
fn if_none_match(value: &[u8], etag: &[u8]) -> bool {
    value.split(|b| *b == b',').any(|t| {
        let t = t.trim_ascii();
        t == etag || t == b"*"
    })
}

/// Why a request was answered 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// It took longer than the request timeout.
    Timeout,
    /// Too many requests were in flight (with `Retry-After: 1`).
    Overloaded,
}

/// The 503 for `why`, with the JSON error body every error has.
pub fn unavailable(why: Unavailable) -> Response {
    let (error, message) = match why {
        Unavailable::Timeout => ("timeout", "the request took too long; try again"),
        Unavailable::Overloaded => ("overloaded", "the server is busy; try again in a moment"),
    };
    let mut r = (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(cnimap_core::api::ErrorBody {
            error: error.into(),
            message: message.into(),
        }),
    )
        .into_response();
    if why == Unavailable::Overloaded {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
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
    accepts_gzip_bytes(accept_encoding.as_bytes())
}

/// [`accepts_gzip`] on the header's bytes, without allocating: the common values (`gzip`, a
/// browser's `gzip, deflate, br, zstd`) are decided in one pass.
pub fn accepts_gzip_bytes(accept_encoding: &[u8]) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in accept_encoding.split(|b| *b == b',') {
        let mut parts = item.split(|b| *b == b';');
        let coding = parts.next().unwrap_or_default().trim_ascii();
        let is_gzip =
            coding.eq_ignore_ascii_case(b"gzip") || coding.eq_ignore_ascii_case(b"x-gzip");
        let is_any = coding == b"*";
        if !is_gzip && !is_any {
            continue;
        }
        let q = parts
            .filter_map(|p| {
                let eq = p.iter().position(|b| *b == b'=')?;
                let (k, v) = (p[..eq].trim_ascii(), p[eq + 1..].trim_ascii());
                k.eq_ignore_ascii_case(b"q").then(|| quality(v))?
            })
            .next()
            .unwrap_or(1.0);
        if is_gzip {
            gzip = Some(q > 0.0);
        } else {
            any = Some(q > 0.0);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// A quality value (`0`, `0.5`, `1.000`), or `None` when it is not a number.
fn quality(v: &[u8]) -> Option<f32> {
    std::str::from_utf8(v).ok()?.parse::<f32>().ok()
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
    #[case::x_gzip("x-gzip", true)]
    #[case::spaced_quality("gzip ; Q = 0", false)]
    #[case::bad_quality_is_ignored("gzip;q=lots", true)]
    #[case::gzip_inside_another_name("gzipped", false)]
    #[case::empty("", false)]
    fn gzip_is_sent_only_when_the_client_accepts_it(#[case] header: &str, #[case] ok: bool) {
        assert_eq!(accepts_gzip(header), ok, "{header:?}");
    }

    #[rstest]
    #[case::exact("\"abc\"", true)]
    #[case::in_a_list("\"x\", \"abc\"", true)]
    #[case::star("*", true)]
    #[case::weak("W/\"abc\"", false)]
    #[case::other("\"abd\"", false)]
    fn if_none_match_names_the_etag_or_star(#[case] value: &str, #[case] matches: bool) {
        assert_eq!(if_none_match(value.as_bytes(), b"\"abc\""), matches);
    }

    #[test]
    fn an_empty_body_has_no_gzip_member_and_a_stable_etag() {
        let e = Encoded::from_bytes(Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.gzip.is_empty());
        let again = Encoded::from_bytes(Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.etag, again.etag);
    }

    #[test]
    fn a_response_carries_the_etag_and_the_body_the_client_accepts() {
        let e = Encoded::from_bytes(b"{\"a\":1}".to_vec()).unwrap_or_else(|e| panic!("{e}"));
        let mut request = HeaderMap::new();
        request.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let r = e.respond(&request, JSON, CACHE_DATA);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::ETAG].as_bytes(), e.etag.as_bytes());
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[header::CONTENT_TYPE], JSON);
        assert_eq!(r.headers()[header::VARY], "Accept-Encoding");
        request.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&e.etag).unwrap_or_else(|e| panic!("{e}")),
        );
        let r = e.respond(&request, JSON, CACHE_DATA);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()[header::CACHE_CONTROL], CACHE_DATA);
    }
}
