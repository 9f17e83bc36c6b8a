//! Reads the published national data (indices, boundaries, lookups, search) into one validated
//! in-memory [`atlas::Atlas`].
//!
//! Every input problem becomes a [`DataError`] naming the file, line and column, and every
//! derived figure (decile from rank, left-behind flag, area summary) says how it was made.

pub mod csvread;
pub mod error;
pub mod indicators;
pub mod lookups;

pub use error::{DataError, Result};
