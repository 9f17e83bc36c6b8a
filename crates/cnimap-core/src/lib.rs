//! Pure core of cnimap.
//!
//! Everything here is deterministic and free of IO so that it builds for native targets and for
//! `wasm32-unknown-unknown`, and so the browser and the server classify, colour and flag areas with
//! exactly the same code.
//!
//! - [`level`]: the geography levels (LSOA 2021, LSOA 2011, ward 2017, LAD, region).
//! - [`catalogue`]: every indicator the map can show, with its source, year and direction.
//! - [`classify`]: deciles and quantiles from ranks.
//! - [`colour`]: colour-blind-safe ramps.
//! - [`colour_vision`]: colour-vision deficiencies simulated, and colour differences (CIEDE2000).
//! - [`bivariate`]: the 3 x 3 IMD x CNI classes.
//! - [`bulk`]: bulk postcode lookup: a CSV in, the same CSV out with each row's neighbourhood.
//! - [`help`]: the plain-word help (five questions, their sources) and its reading-age measure.
//! - [`left_behind`]: the "worst X% on both indices" rule.
//! - [`tile`]: Web Mercator tile maths.
//! - [`bng`]: British National Grid to WGS84 (the OS's formulas), for users' boundary files.
//! - [`custom_area`]: users' own areas: which LSOAs each covers, their summaries as CSV.
//! - [`position`]: an area's position within its parent ("5th most deprived of 90 ...").
//! - [`summary`]: MHCLG's summary measures of LSOA values for larger areas, with their methods.
//! - [`table`]: the table's query language, filters, sort and CSV/JSON export.
//! - [`reweight`]: a combined index rebuilt from its domain ranks with any weights.
//! - [`change`]: IMD 2019 -> 2025 on LSOA 2021 through ONS change codes; left-behind wards.
//! - [`change_map`]: the change map: its documents, diverging classes, legend words, wards CSV.
//! - [`lineage`]: the LSOA 2011 layer's populations and its 2011 -> 2021 lookup, as a document.
//! - [`api`]: the JSON shapes the server sends and the browser reads.

pub mod api;
pub mod bivariate;
pub mod bng;
pub mod bulk;
pub mod catalogue;
pub mod change;
pub mod change_map;
pub mod classify;
pub mod colour;
pub mod colour_vision;
pub mod custom_area;
pub mod help;
pub mod left_behind;
pub mod level;
pub mod lineage;
pub mod position;
pub mod profile;
pub mod reweight;
pub mod summary;
pub mod table;
pub mod tile;

pub use catalogue::{Direction, IndicatorDef, Source, CATALOGUE};
pub use level::Level;
