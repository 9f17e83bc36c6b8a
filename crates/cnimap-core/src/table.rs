//! The table: every area of a level with the columns, filters and sort a user asks for, in one
//! small query language shared by the page URL, `GET /api/table` and `cnimap table`.
//!
//! Pure and wasm-able: [`query`] parses the strings into a typed [`TableQuery`] (every refusal a
//! [`TableError`] naming the part that is wrong, never a panic), [`frame`] holds a level's values
//! as arrays by feature index (built by the server from the atlas, or by the browser from the
//! JSON documents it fetches), [`run`] filters and sorts, and [`export`] writes CSV or the JSON
//! response.
//!
//! The grammar, in short (docs/API.md has the examples):
//!
//! ```text
//! column  = "code" | "name" | PARENT ".code" | PARENT ".name" | INDICATOR "." MEASURE
//! filter  = INDICATOR "." MEASURE OP VALUE        OP: = <= >= < >   ("=" also takes A..B)
//!         | PARENT "=" CODE                       (within a ward, local authority or region)
//!         | "left_behind" [ "=" PERCENT ]         (LSOA 2021 only; default 10)
//!         | "bivariate=" D "x" N                  (LSOA 2021 only; terciles 1..3 of IMD 2025, CNI 2023)
//!         | "custom." MEASURE OP VALUE            (the custom index: needs weights)
//! sort    = COLUMN [ ":asc" | ":desc" ]           (default: worst first for measures, A-Z for text)
//! column  = ... | "custom.score" | "custom.rank" | "custom.decile"
//! weights = INDEX ":" WEIGHTS                     (imd2025:income=30,employment=20,..., cni2023:equal;
//!                                                  at the index's own level; see `cnimap reweight`)
//! ```

pub mod custom;
pub mod export;
pub mod frame;
pub mod query;
pub mod run;

pub use custom::CustomValues;
pub use export::{to_csv, to_response};
pub use frame::{
    published_frame, summary_frame, with_lsoa11_summaries, FrameError, FrameIndicator,
    ParentColumn, TableFrame, TableParents, Values,
};
pub use query::{
    parse_weights, weights_text, Bound, Column, Filter, ParentField, Sort, TableError, TableQuery,
    CUSTOM, CUSTOM_MEASURES,
};
pub use run::{run, Cell};

use crate::level::Level;

/// The levels a table can be made at.
pub const TABLE_LEVELS: [Level; 6] = [
    Level::Lsoa21,
    Level::Lsoa11,
    Level::Ward17,
    Level::Ward24,
    Level::Lad24,
    Level::Region,
];

/// The larger areas each area of `level` lies in, as parent columns and `within` filters.
pub fn parent_levels(level: Level) -> &'static [Level] {
    match level {
        Level::Lsoa21 => &[Level::Ward24, Level::Lad24, Level::Region],
        Level::Lsoa11 => &[Level::Ward17, Level::Lad24, Level::Region],
        Level::Ward24 => &[Level::Lad24, Level::Region],
        Level::Lad24 => &[Level::Region],
        _ => &[],
    }
}
