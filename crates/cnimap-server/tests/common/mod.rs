//! What the server's integration tests share: the server's state on the national data, loaded
//! once per test binary.

use std::sync::OnceLock;

use cnimap_server::{AppState, DataSource};
use cnimap_testkit::data_dir;

/// The state `cnimap serve --data` would have, without a web app (`tag` names its empty folder
/// under the temporary directory), loaded on the first call of the test binary.
pub fn national_state(tag: &str) -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| {
        let dist = std::env::temp_dir().join(format!("cnimap-{tag}-test-{}", std::process::id()));
        std::fs::create_dir_all(&dist).expect("temp dir");
        AppState::load(
            &DataSource {
                data_dir: data_dir(),
                manifest: None,
                towns: None,
            },
            dist,
        )
        .expect("loads the national data")
    })
}
