//! Entry point of the browser app (built by Trunk). Natively it does nothing: only the pure
//! modules build there, for their unit tests.

fn main() {
    #[cfg(target_arch = "wasm32")]
    cnimap_web::start();
}
