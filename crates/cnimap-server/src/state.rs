//! Shared state.
/// Shared state.
#[derive(Clone)]
pub struct AppState;
