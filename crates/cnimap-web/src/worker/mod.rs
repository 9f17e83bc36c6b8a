//! The tools worker (`cnimap-worker`, a second wasm binary loaded by the page as a Web Worker):
//! the bulk postcode lookup ([`crate::bulk_lookup`]) and the measuring of custom areas
//! ([`areas`]) run here, off the page's main thread, and only this binary links them (issue 15).
//!
//! It answers [`ToWorker`] requests with [`FromWorker`] replies ([`crate::worker_protocol`]); the
//! page's side is [`crate::worker_client`]. Once its message handler is set it posts
//! `[0, "ready"]`, so the page holds its requests until then (a message sent while the wasm is
//! still loading would find no handler).

pub mod areas;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::worker_protocol::{FromWorker, ToWorker, READY};

/// Starts the worker: panics and `tracing` to the console, the message handler set, and
/// [`READY`] posted.
pub fn start() {
    crate::console_logging();
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        tracing::error!("cnimap-worker started outside a dedicated worker");
        return;
    };
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
            wasm_bindgen_futures::spawn_local(handle(ev.data()));
        });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let ready = js_sys::Array::of2(&JsValue::from_f64(0.0), &JsValue::from_str(READY));
    if let Err(e) = scope.post_message(&ready) {
        tracing::error!(error = ?e, "cnimap-worker could not say it is ready");
    }
}

/// Posts `reply` to request `id`, with `bytes` transferred (not copied) when there are some.
fn post(id: f64, reply: &FromWorker, bytes: Option<Vec<u8>>) {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let json = serde_json::to_string(reply).unwrap_or_else(|e| {
        serde_json::json!({"kind": "failed", "message": format!("the worker's reply could not be written: {e}")})
            .to_string()
    });
    let message = js_sys::Array::of2(&JsValue::from_f64(id), &JsValue::from_str(&json));
    let sent = match bytes {
        Some(b) => {
            let array = js_sys::Uint8Array::from(b.as_slice());
            drop(b);
            message.push(&array);
            scope.post_message_with_transfer(&message, &js_sys::Array::of1(&array.buffer()))
        }
        None => scope.post_message(&message),
    };
    if let Err(e) = sent {
        tracing::error!(error = ?e, "cnimap-worker could not post its reply");
    }
}

/// Reads one request `[id, json, bytes]` and answers it.
async fn handle(data: JsValue) {
    let Ok(message) = data.dyn_into::<js_sys::Array>() else {
        tracing::warn!("cnimap-worker: a message that is not [id, json, bytes]");
        return;
    };
    let id = message.get(0).as_f64().unwrap_or(-1.0);
    let json = message.get(1).as_string().unwrap_or_default();
    let bytes = message
        .get(2)
        .dyn_into::<js_sys::Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let request = match serde_json::from_str::<ToWorker>(&json) {
        Ok(r) => r,
        Err(e) => {
            let message = format!("The page sent the worker a request it cannot read: {e}");
            post(id, &FromWorker::Failed { message }, None);
            return;
        }
    };
    match request {
        ToWorker::Lookup {
            static_base,
            areas_url,
            lookup_url,
            column,
        } => {
            let outcome = crate::bulk_lookup::run(
                static_base.as_deref(),
                &areas_url,
                lookup_url.as_deref(),
                &bytes,
                column,
                |progress| post(id, &FromWorker::Progress { progress }, None),
            )
            .await;
            drop(bytes);
            match outcome {
                Ok(o) => post(
                    id,
                    &FromWorker::LookedUp {
                        summary: Box::new(o.summary),
                    },
                    Some(o.csv),
                ),
                Err(message) => post(id, &FromWorker::Failed { message }, None),
            }
        }
        ToWorker::Measure {
            shapes_url,
            name_property,
        } => {
            let busy = |words: &str| {
                let words = words.to_string();
                post(id, &FromWorker::Busy { words }, None);
            };
            match areas::measure(&shapes_url, name_property.as_deref(), &bytes, busy).await {
                Ok(m) => post(id, &FromWorker::Measured(Box::new(m)), None),
                Err(message) => post(id, &FromWorker::Failed { message }, None),
            }
        }
    }
}
