//! "Check a list of postcodes": pick or drop a CSV, get it back with every row's neighbourhood,
//! council, IMD 2025 and CNI 2023 deciles and left-behind flag, and a summary of the batch
//! ([`crate::bulk_lookup`] does the work, in the tools worker: [`crate::worker_client`]).

use std::rc::Rc;

use cnimap_core::bulk::BatchSummary;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::worker_client;
use crate::worker_protocol::{self, FromWorker, Progress, ToWorker};

/// Where a lookup is.
#[derive(Clone)]
enum Stage {
    /// Nothing picked yet, or a new file may be picked.
    Idle,
    /// Working.
    Busy(Progress),
    /// Done: the file name to save as, the CSV and the summary.
    Done(String, Rc<Vec<u8>>, Rc<BatchSummary>),
    /// Stopped with a message.
    Failed(String),
}

/// Reads a picked or dropped file's bytes.
async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The sidebar section.
#[component]
pub fn PostcodeLookup() -> impl IntoView {
    let stage = RwSignal::new_local(Stage::Idle);
    let column = RwSignal::new(String::new());
    let file = StoredValue::new_local(None::<web_sys::File>);
    let file_name = RwSignal::new(String::new());

    let start = move || {
        let Some(f) = file.get_value() else {
            return;
        };
        let wanted = column.get_untracked().trim().to_string();
        let wanted = (!wanted.is_empty()).then_some(wanted);
        let name = worker_protocol::output_name(&f.name());
        leptos::task::spawn_local(async move {
            stage.set(Stage::Busy(Progress::Reading));
            let bytes = match read_file(&f).await {
                Ok(b) => b,
                Err(e) => {
                    stage.set(Stage::Failed(e));
                    return;
                }
            };
            let endpoints = crate::api::endpoints();
            let request = ToWorker::Lookup {
                static_base: endpoints.static_base().map(str::to_string),
                areas_url: endpoints.lookup_areas(),
                lookup_url: endpoints.lookup(),
                column: wanted,
            };
            let reply = worker_client::call(&request, bytes, |m| {
                if let FromWorker::Progress { progress } = m {
                    stage.set(Stage::Busy(*progress));
                }
            })
            .await;
            match (reply.message, reply.bytes) {
                (FromWorker::LookedUp { summary }, Some(csv)) => {
                    column.set(summary.postcode_column.clone());
                    stage.set(Stage::Done(name, Rc::new(csv), Rc::new(*summary)));
                }
                (FromWorker::Failed { message }, _) => stage.set(Stage::Failed(message)),
                (other, _) => stage.set(Stage::Failed(format!(
                    "The tools worker answered something unexpected: {other:?}"
                ))),
            }
        });
    };

    let pick = move |ev: web_sys::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let picked = input.and_then(|i| i.files()).and_then(|l| l.get(0));
        if let Some(f) = picked {
            file_name.set(f.name());
            file.set_value(Some(f));
            column.set(String::new());
            start();
        }
    };
    let drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let dropped = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0));
        if let Some(f) = dropped {
            file_name.set(f.name());
            file.set_value(Some(f));
            column.set(String::new());
            start();
        }
    };
    let busy = move || matches!(stage.get(), Stage::Busy(_));

    view! {
        <details class="postcodes-box">
            <summary>"Check a list of postcodes"</summary>
            <p class="postcodes-intro">
                "Pick a CSV file with a postcode column (up to 100,000 rows). You get the same file back with each row's neighbourhood (LSOA 2021), ward, council, region, IMD 2025 and Community Needs Index 2023 rank and decile, whether it is left behind (worst 10% on both), and a status."
                {move || {
                    if crate::api::static_base().is_some() {
                        " The file never leaves your browser: only the postcode areas it needs are fetched."
                    } else {
                        " The file is sent to this cnimap server, which does not keep it."
                    }
                }}
            </p>
            <div
                class="postcodes-drop"
                on:dragover=|ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=drop
            >
                <label for="postcodes-file">"CSV file (or drop it here)"</label>
                <input
                    id="postcodes-file"
                    type="file"
                    accept=".csv,.tsv,.txt,text/csv"
                    on:change=pick
                    prop:disabled=busy
                />
            </div>
            <label for="postcodes-column">"Postcode column (found by its name when empty)"</label>
            <input
                id="postcodes-column"
                type="text"
                autocomplete="off"
                prop:value=move || column.get()
                on:input=move |ev| column.set(event_target_value(&ev))
            />
            <button
                type="button"
                class="postcodes-again"
                prop:disabled=move || busy() || file_name.with(String::is_empty)
                on:click=move |_| start()
            >
                "Look up again"
            </button>
            <div class="postcodes-status" role="status" aria-live="polite">
                {move || match stage.get() {
                    Stage::Idle => ().into_any(),
                    Stage::Busy(p) => view! {
                        <progress max="100" prop:value=p.percent() aria-label="Lookup progress"></progress>
                        <p>{p.words()}</p>
                    }
                    .into_any(),
                    Stage::Failed(message) => view! { <p class="postcodes-error">{message}</p> }.into_any(),
                    Stage::Done(name, csv, summary) => view! { <BatchResult name csv summary/> }.into_any(),
                }}
            </div>
        </details>
    }
}

/// The summary of a finished batch and its download.
#[component]
fn BatchResult(name: String, csv: Rc<Vec<u8>>, summary: Rc<BatchSummary>) -> impl IntoView {
    let ok = summary
        .statuses
        .iter()
        .find(|s| s.status == "ok")
        .map_or(0, |s| s.rows);
    let most = summary
        .imd2025_deciles
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let save_name = name.clone();
    let save = move |_| {
        if let Err(e) = crate::dom::save_file(&save_name, &csv, "text/csv;charset=utf-8") {
            tracing::warn!(error = %e, "saving the lookup failed");
        }
    };
    let statuses = summary
        .statuses
        .iter()
        .filter(|s| s.rows > 0)
        .map(|s| view! { <li>{format!("{}: {}", s.status, s.rows)}</li> })
        .collect_view();
    let bars = summary
        .imd2025_deciles
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let width = format!("width: {:.1}%", 100.0 * n as f64 / most as f64);
            view! {
                <li>
                    <span class="bar-label">{format!("Decile {}", i + 1)}</span>
                    <span class="bar" style=width></span>
                    <span class="bar-count">{n}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="postcodes-done">
            {format!(
                "{} {} looked up from column \u{201c}{}\u{201d}: {} found in England, {} in left-behind neighbourhoods.",
                summary.rows,
                if summary.rows == 1 { "row" } else { "rows" },
                summary.postcode_column,
                ok,
                summary.left_behind
            )}
        </p>
        <button type="button" class="postcodes-save" on:click=save>
            {format!("Download {name}")}
        </button>
        <ul class="postcodes-statuses">{statuses}</ul>
        <figure class="postcodes-deciles">
            <figcaption>"Rows found, by IMD 2025 decile (1 = most deprived 10%)"</figcaption>
            <ul>{bars}</ul>
        </figure>
    }
}
