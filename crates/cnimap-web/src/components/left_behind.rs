//! The left-behind view: the threshold slider, the live count and the clickable list of areas.

use cnimap_core::catalogue::Direction;
use cnimap_core::classify::format_thousands;
use cnimap_core::left_behind::{LeftBehindRule, RankedIndex};
use leptos::prelude::*;

use crate::state::{left_behind_flags, use_app};
use crate::style::{left_behind_colour, NOT_LEFT_BEHIND};

/// Most list entries drawn at once (the count is always exact).
const LIST_LIMIT: usize = 1500;

/// Slider (5..=30%), count and list of the areas within the worst X% on both indices.
#[component]
pub fn LeftBehindPanel() -> impl IntoView {
    let app = use_app();
    let rule = Memo::new(move |_| LeftBehindRule::new(app.threshold.get()).unwrap_or_default());
    let flagged = Memo::new(move |_| {
        let rule = rule.get();
        app.pair.with(|p| {
            p.as_ref().map(|p| {
                left_behind_flags(p, rule)
                    .iter()
                    .enumerate()
                    .filter(|(_, &f)| f == 1)
                    .map(|(i, _)| i)
                    .collect::<Vec<usize>>()
            })
        })
    });
    let method = move || {
        let rule = rule.get();
        app.pair.with(|p| {
            p.as_ref().map(|p| {
                let cni = RankedIndex {
                    title: "Community Needs Index 2023",
                    direction: Direction::HighestNeedFirst,
                    n: p.cni.n_ranked,
                };
                let imd = RankedIndex {
                    title: "Index of Multiple Deprivation 2025",
                    direction: Direction::MostDeprivedFirst,
                    n: p.imd.n_ranked,
                };
                rule.method(&cni, &imd, "neighbourhoods")
            })
        })
    };
    let list = move || {
        let Some(indices) = flagged.get() else {
            return view! { <p class="small">"Loading…"</p> }.into_any();
        };
        let Some(areas) = app.areas21.get() else {
            return view! { <p class="small">"Loading names…"</p> }.into_any();
        };
        let mut rows: Vec<(String, String)> = indices
            .iter()
            .filter_map(|&i| Some((areas.names.get(i)?.clone(), areas.codes.get(i)?.clone())))
            .collect();
        rows.sort();
        let more = rows.len().saturating_sub(LIST_LIMIT);
        let items = rows
            .into_iter()
            .take(LIST_LIMIT)
            .map(|(name, code)| {
                let c = code.clone();
                view! {
                    <li>
                        <button
                            type="button"
                            class="link"
                            on:click=move |_| {
                                app.fly_to_selected.set(true);
                                app.selected.set(Some(c.clone()));
                            }
                        >
                            {name}
                            <span class="code">{code}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="area-list" data-testid="left-behind-list">{items}</ul>
            <Show when=move || { more > 0 }>
                <p class="small">{format!("…and {} more.", format_thousands(more as u32))}</p>
            </Show>
        }
        .into_any()
    };
    view! {
        <section class="left-behind" aria-label="Left-behind neighbourhoods">
            <h2 class="legend-title">"Left behind: worst on both indices"</h2>
            <label class="field-label" for="threshold">
                "Worst " <output for="threshold">{move || app.threshold.get()}</output> "% on both"
            </label>
            <input
                id="threshold"
                type="range"
                min=LeftBehindRule::UI_MIN_PERCENT
                max=LeftBehindRule::UI_MAX_PERCENT
                step="1"
                prop:value=move || app.threshold.get().to_string()
                on:input=move |ev| {
                    if let Ok(t) = event_target_value(&ev).parse::<u8>() {
                        app.threshold.set(t);
                    }
                }
            />
            <p class="count-line" aria-live="polite">
                <span class="swatch inline" style:background-color=left_behind_colour()></span>
                <strong data-testid="left-behind-count">
                    {move || flagged.get().map(|f| format_thousands(f.len() as u32)).unwrap_or_else(|| "…".into())}
                </strong>
                " neighbourhoods (LSOA 2021) left behind"
            </p>
            <p class="small">
                <span class="swatch inline" style:background-color=NOT_LEFT_BEHIND></span>
                " other neighbourhoods. " {method}
            </p>
            {list}
        </section>
    }
}
