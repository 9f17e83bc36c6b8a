//! The page's side of the tools worker (`cnimap-worker`, see [`crate::worker`]): started on first
//! use, one for the page, its requests held until it says it is ready, each reply routed back to
//! the call that asked. A worker that fails to load or stops fails the calls waiting on it, and
//! the next call starts a new one.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::worker_protocol::{FromWorker, ToWorker, READY, WORKER_SCRIPT};

/// A reply from the worker and the bytes that came with it.
#[derive(Debug)]
pub struct Reply {
    /// The reply.
    pub message: FromWorker,
    /// The bytes beside it (the looked-up CSV).
    pub bytes: Option<Vec<u8>>,
}

/// The running worker.
struct Client {
    worker: web_sys::Worker,
    ready: bool,
    queued: Vec<js_sys::Array>,
    next_id: u32,
    waiting: HashMap<u32, UnboundedSender<Reply>>,
    _onmessage: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// The worker script's absolute URL: [`WORKER_SCRIPT`] at the site's root (the page's base, so a
/// profile page one folder down, with its `<base href="../">`, finds it too).
fn script_url() -> Result<String, String> {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .ok_or("the page has no address")?;
    web_sys::Url::new_with_base(WORKER_SCRIPT, &base)
        .map(|u| u.href())
        .map_err(|e| crate::global_fetch::js_message(&e))
}

/// Fails every waiting call with `message` and forgets the worker.
fn fail_all(message: &str) {
    let client = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(client) = client {
        client.worker.terminate();
        for (_, tx) in client.waiting {
            let _ = tx.unbounded_send(Reply {
                message: FromWorker::Failed {
                    message: message.to_string(),
                },
                bytes: None,
            });
        }
    }
}

/// Routes one message from the worker.
fn on_message(data: JsValue) {
    let Ok(message) = data.dyn_into::<js_sys::Array>() else {
        return;
    };
    let id = message.get(0).as_f64().unwrap_or(-1.0);
    let json = message.get(1).as_string().unwrap_or_default();
    if id == 0.0 && json == READY {
        CLIENT.with(|c| {
            if let Some(client) = c.borrow_mut().as_mut() {
                client.ready = true;
                for m in client.queued.drain(..) {
                    post(&client.worker, &m);
                }
            }
        });
        return;
    }
    let reply = match serde_json::from_str::<FromWorker>(&json) {
        Ok(r) => r,
        Err(e) => FromWorker::Failed {
            message: format!("The worker sent a reply the page cannot read: {e}"),
        },
    };
    let last = !matches!(reply, FromWorker::Progress { .. } | FromWorker::Busy { .. });
    let bytes = message
        .get(2)
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|b| b.to_vec());
    CLIENT.with(|c| {
        if let Some(client) = c.borrow_mut().as_mut() {
            let key = id as u32;
            let tx = if last {
                client.waiting.remove(&key)
            } else {
                client.waiting.get(&key).cloned()
            };
            if let Some(tx) = tx {
                let _ = tx.unbounded_send(Reply {
                    message: reply,
                    bytes,
                });
            }
        }
    });
}

/// Posts `message` with its bytes (the third element, if any) transferred.
fn post(worker: &web_sys::Worker, message: &js_sys::Array) {
    let sent = match message.get(2).dyn_into::<js_sys::Uint8Array>() {
        Ok(bytes) => {
            worker.post_message_with_transfer(message, &js_sys::Array::of1(&bytes.buffer()))
        }
        Err(_) => worker.post_message(message),
    };
    if let Err(e) = sent {
        tracing::error!(error = ?e, "a request could not be posted to the tools worker");
    }
}

/// Starts the worker.
fn spawn() -> Result<Client, String> {
    let url = script_url()?;
    let worker = web_sys::Worker::new(&url).map_err(|e| {
        format!(
            "The tools worker ({url}) could not start: {}",
            crate::global_fetch::js_message(&e)
        )
    })?;
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
            on_message(ev.data());
        });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        let words = ev
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it could not be loaded".to_string());
        tracing::error!(%words, "the tools worker failed");
        fail_all(&format!(
            "The tools worker stopped ({words}): reload the page and try again."
        ));
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    tracing::info!(%url, "tools worker started");
    Ok(Client {
        worker,
        ready: false,
        queued: Vec::new(),
        next_id: 1,
        waiting: HashMap::new(),
        _onmessage: onmessage,
        _onerror: onerror,
    })
}

/// Sends `request` with `bytes` (moved to the worker) and waits for its answer, passing each
/// progress or busy reply to `on_update` on the way. The answer is never a progress reply; a
/// worker that cannot start or stops gives [`FromWorker::Failed`].
pub async fn call(request: &ToWorker, bytes: Vec<u8>, on_update: impl Fn(&FromWorker)) -> Reply {
    let failed = |message: String| Reply {
        message: FromWorker::Failed { message },
        bytes: None,
    };
    let json = match serde_json::to_string(request) {
        Ok(j) => j,
        Err(e) => return failed(format!("The request could not be written: {e}")),
    };
    let (tx, mut rx) = unbounded();
    let sent = CLIENT.with(|c| -> Result<(), String> {
        let mut slot = c.borrow_mut();
        if slot.is_none() {
            *slot = Some(spawn()?);
        }
        let Some(client) = slot.as_mut() else {
            return Err("the tools worker is not running".into());
        };
        let id = client.next_id;
        client.next_id += 1;
        client.waiting.insert(id, tx);
        let message =
            js_sys::Array::of2(&JsValue::from_f64(f64::from(id)), &JsValue::from_str(&json));
        message.push(&js_sys::Uint8Array::from(bytes.as_slice()));
        if client.ready {
            post(&client.worker, &message);
        } else {
            client.queued.push(message);
        }
        Ok(())
    });
    drop(bytes);
    if let Err(e) = sent {
        return failed(e);
    }
    while let Some(reply) = rx.next().await {
        match reply.message {
            FromWorker::Progress { .. } | FromWorker::Busy { .. } => on_update(&reply.message),
            _ => return reply,
        }
    }
    failed("The tools worker stopped: reload the page and try again.".into())
}
