//! The LSOA 2021 shapes document as the server holds it: encoded once (served as
//! `/api/shapes/lsoa21`, written to a build as `api/shapes/lsoa21.json`) and decoded on the first
//! `POST /api/areas`, so the server measures custom areas on the very shapes the browser fetches.

use std::sync::{Arc, OnceLock};

use cnimap_geometry::shapes::{ShapesDocument, ShapesError};
use cnimap_geometry::user_boundaries::LsoaShapes;

use crate::http::{EncodeError, Encoded};

/// The shapes document, encoded, with its decoded shapes kept after first use.
#[derive(Debug)]
pub struct ShapesDoc {
    /// The JSON document as served.
    pub encoded: Encoded,
    decoded: OnceLock<Arc<LsoaShapes>>,
}

/// Why the kept shapes document cannot be decoded (our fault: the build or the data is wrong).
#[derive(Debug, thiserror::Error)]
pub enum ShapesDocError {
    /// Not JSON of the document's shape.
    #[error("the LSOA shapes document is not readable JSON")]
    Json(#[source] serde_json::Error),
    /// JSON, but not a valid shapes document.
    #[error("the LSOA shapes document is invalid")]
    Shapes(#[source] ShapesError),
}

impl ShapesDoc {
    /// Encodes a document.
    pub fn new(doc: &ShapesDocument) -> Result<ShapesDoc, EncodeError> {
        Ok(ShapesDoc::from_encoded(Encoded::json(doc)?))
    }

    /// Wraps a document read back from a build.
    pub fn from_encoded(encoded: Encoded) -> ShapesDoc {
        ShapesDoc {
            encoded,
            decoded: OnceLock::new(),
        }
    }

    /// The decoded shapes, made on first use and kept.
    pub fn shapes(&self) -> Result<Arc<LsoaShapes>, ShapesDocError> {
        if let Some(s) = self.decoded.get() {
            return Ok(s.clone());
        }
        let doc: ShapesDocument =
            serde_json::from_slice(&self.encoded.plain).map_err(ShapesDocError::Json)?;
        let shapes = Arc::new(LsoaShapes::from_document(&doc).map_err(ShapesDocError::Shapes)?);
        Ok(self.decoded.get_or_init(|| shapes).clone())
    }
}
