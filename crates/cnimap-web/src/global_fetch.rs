//! `fetch` from whichever global the code runs in: the page's `window` or the tools worker's
//! `WorkerGlobalScope` (the lookup and the measuring run in the worker, the search box in the
//! page, over the same code).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the browser said when a promise failed, in words.
pub fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "network error".to_string())
}

/// Starts `fetch(request)` on the page's or the worker's global.
fn start(request: &web_sys::Request) -> Result<js_sys::Promise, String> {
    let global = js_sys::global();
    if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        return Ok(w.fetch_with_request(request));
    }
    if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        return Ok(w.fetch_with_request(request));
    }
    Err("this browser context cannot fetch".to_string())
}

/// Fetches `url` (with `init`, or a plain GET) and gives the response, whatever its status;
/// `Err` with the browser's words when there was no response.
pub async fn fetch(
    url: &str,
    init: Option<&web_sys::RequestInit>,
) -> Result<web_sys::Response, String> {
    let request = match init {
        Some(init) => web_sys::Request::new_with_str_and_init(url, init),
        None => web_sys::Request::new_with_str(url),
    }
    .map_err(|e| js_message(&e))?;
    JsFuture::from(start(&request)?)
        .await
        .map_err(|e| js_message(&e))?
        .dyn_into()
        .map_err(|e| js_message(&e))
}

/// The body of `response` as bytes.
pub async fn body_bytes(response: &web_sys::Response) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(response.array_buffer().map_err(|e| js_message(&e))?)
        .await
        .map_err(|e| js_message(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
