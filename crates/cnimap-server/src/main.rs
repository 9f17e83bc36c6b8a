//! The `cnimap` command line (being written).
fn main() {}
