//! The plain-word help: a button beside each place a question arises (the legend, the area
//! panel's code, the left-behind view) opens a dialog with the answer and its sources, from
//! [`cnimap_core::help`]. The dialog is modal: focus moves to its heading, Tab stays inside it,
//! Escape or Close shuts it and focus goes back to the button that opened it.

use cnimap_core::help::HelpId;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::dom;

/// Which answer is open, and the element to give focus back to.
#[derive(Clone, Copy)]
pub struct HelpState {
    /// The open question, if any.
    pub open: RwSignal<Option<HelpId>>,
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl HelpState {
    /// Opens `topic`, remembering where focus was (when no help was open).
    pub fn show(&self, topic: HelpId) {
        if self.open.get_untracked().is_none() {
            self.opener.set_value(dom::active_element());
        }
        self.open.set(Some(topic));
    }

    /// Closes the help and gives focus back to what opened it.
    pub fn close(&self) {
        self.open.set(None);
        if let Some(el) = self.opener.get_value() {
            self.opener.set_value(None);
            if !dom::is_detached(&el) {
                request_animation_frame(move || {
                    let _ = el.focus();
                });
            }
        }
    }
}

/// Puts the help state in context (once, in the app).
pub fn provide_help() -> HelpState {
    let state = HelpState {
        open: RwSignal::new(None),
        opener: StoredValue::new_local(None),
    };
    provide_context(state);
    state
}

/// The help state from context.
pub fn use_help() -> HelpState {
    expect_context::<HelpState>()
}

/// A small button that opens the answer to `topic`; its text is `label` (the question itself when
/// not given).
#[component]
pub fn HelpButton(
    /// The question it answers.
    topic: HelpId,
    /// Its text, when not the question.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let help = use_help();
    let text = move || {
        label
            .map(|l| l.get())
            .unwrap_or_else(|| topic.topic().question.to_string())
    };
    view! {
        <button
            type="button"
            class="help-button"
            data-help=topic.id()
            aria-haspopup="dialog"
            on:click=move |_| help.show(topic)
        >
            <span class="help-mark" aria-hidden="true">"?"</span>
            {text}
        </button>
    }
}

/// The elements Tab stops at inside `root`.
fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all("a[href], button, [tabindex='0']") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// The help dialog, shown while a question is open.
#[component]
pub fn HelpDialog() -> impl IntoView {
    let help = use_help();
    let dialog: NodeRef<leptos::html::Div> = NodeRef::new();
    // Focus goes to the heading each time a question opens (and when another is chosen).
    Effect::new(move |_| {
        if help.open.get().is_some() {
            request_animation_frame(|| {
                dom::focus("#help-title");
            });
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            // The app's own Escape (closing the area panel) must not see it.
            ev.stop_propagation();
            ev.prevent_default();
            help.close();
        }
        "Tab" => {
            // Modal: Tab and Shift+Tab wrap round inside the dialog.
            let Some(root) = dialog.get_untracked() else {
                return;
            };
            let stops = focusables(&root);
            let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
                return;
            };
            let active = dom::active_element();
            let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el);
            let heading = active.as_ref().is_some_and(|a| a.id() == "help-title");
            if ev.shift_key() && (at(first) || heading) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && at(last) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    let body = move || {
        help.open.get().map(|id| {
            let t = id.topic();
            let paragraphs = t
                .answer
                .iter()
                .map(|p| view! { <p>{*p}</p> })
                .collect_view();
            let sources = t
                .sources
                .iter()
                .map(|s| {
                    view! {
                        <li>
                            <a href=s.url target="_blank" rel="noopener noreferrer">{s.title}</a>
                        </li>
                    }
                })
                .collect_view();
            let others = HelpId::ALL
                .into_iter()
                .filter(|o| *o != id)
                .map(|o| {
                    view! {
                        <li>
                            <button type="button" class="link" on:click=move |_| help.show(o)>
                                {o.topic().question}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h2 id="help-title" tabindex="-1">{t.question}</h2>
                {paragraphs}
                <h3>"Sources"</h3>
                <ul class="help-sources">{sources}</ul>
                <h3>"Other questions"</h3>
                <ul class="help-others">{others}</ul>
            }
        })
    };
    view! {
        <Show when=move || help.open.with(Option::is_some)>
            <div class="help-backdrop" on:click=move |ev| {
                // A click on the shaded page outside the dialog closes it.
                let outside = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.class_list().contains("help-backdrop"));
                if outside {
                    help.close();
                }
            }>
                <div
                    class="help"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="help-title"
                    data-testid="help"
                    node_ref=dialog
                    on:keydown=on_keydown
                >
                    <button
                        type="button"
                        class="close help-close"
                        aria-label="Close help"
                        title="Close help"
                        on:click=move |_| help.close()
                    >
                        "×"
                    </button>
                    {body}
                </div>
            </div>
        </Show>
    }
}
