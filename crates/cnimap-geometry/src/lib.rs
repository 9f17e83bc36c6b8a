//! Pure geometry that the command line, the server and the browser share, so the three give the
//! same answer for the same file: polygon repair ([`repair`]), users' boundary files
//! ([`user_boundaries`]), the compact LSOA 2021 shapes document ([`shapes`]) and the share of each
//! LSOA inside an area ([`user_boundaries::LsoaShapes`]). No IO; builds for native and wasm32.

pub mod repair;
pub mod shapes;
pub mod user_boundaries;
