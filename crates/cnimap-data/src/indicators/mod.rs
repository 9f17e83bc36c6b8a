//! The published indicator files: IoD 2025 and 2019 (tidy and official MHCLG layouts) and the
//! Community Needs Index 2023 and 2019.
//!
//! Each file is read into a [`SourceTable`]: area codes in file order and, per indicator in the
//! catalogue, columns of scores, ranks and deciles. Deciles the source does not publish (the CNI
//! publishes ranks only) are derived with [`cnimap_core::classify::decile_from_rank`] and marked as
//! derived in the catalogue.
//!
//! - `table`: what a read file becomes ([`SourceTable`], [`IndicatorColumn`], published counts);
//! - `spec`: which column holds which indicator in each layout;
//! - `read`: the tidy files, with duplicate and truncation checks;
//! - `official`: the official IoD2019 files, cross-checked against the tidy ones.

mod official;
mod read;
mod spec;
mod table;

pub use official::Iod2019Official;
pub use read::{read_cni2019, read_cni2023, read_iod2019, read_iod2025};
pub use table::{IndicatorColumn, SourceTable, CNI2019_WARD_COUNT, LSOA11_COUNT, LSOA21_COUNT};
