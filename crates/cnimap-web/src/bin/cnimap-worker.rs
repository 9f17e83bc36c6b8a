//! The tools worker's entry point (built by Trunk as a `data-type="worker"` binary): the bulk
//! postcode lookup and custom-area measuring off the page's main thread. Natively it does nothing.

fn main() {
    #[cfg(target_arch = "wasm32")]
    cnimap_web::worker::start();
}
