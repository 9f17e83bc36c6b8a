//! The left-behind view: the threshold slider, the live count and the clickable list of areas.

use cnimap_core::classify::format_thousands;
use cnimap_core::help::HelpId;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use leptos::prelude::*;

use crate::classes::{flagged_indices, left_behind_flags, left_behind_method};
use crate::components::help::HelpButton;
use crate::state::use_app;
use crate::style::{left_behind_colour, NOT_LEFT_BEHIND};
use crate::url_state::Selection;
use crate::words::level_short_title;

/// Most list entries drawn at once (the count is always exact).
const LIST_LIMIT: usize = 1500;

/// Slider (5..=30%), count and list of the areas within the worst X% on both indices.
#[component]
pub fn LeftBehindPanel() -> impl IntoView {
    let app = use_app();
    let rule = Memo::new(move |_| app.rule());
    let flagged = Memo::new(move |_| {
        let rule = rule.get();
        app.current_pair()
            .map(|p| flagged_indices(&left_behind_flags(&p, rule)))
    });
    let method = move || {
        let rule = rule.get();
        app.current_pair().map(|p| left_behind_method(&p, rule))
    };
    let noun = LEFT_BEHIND_PAIR.level.areas_noun();
    let list = move || {
        let Some(indices) = flagged.get() else {
            return view! { <p class="small">"Loading…"</p> }.into_any();
        };
        let Some(areas) = app.pair_areas.get().flatten() else {
            return view! { <p class="small">"Loading names…"</p> }.into_any();
        };
        // The current council beside each name: LSOA names predate the 2023 reorganisations.
        let council = |i: usize| -> Option<String> {
            let l = (*areas.lad.get(i)?)? as usize;
            areas.lads.get(l).map(|a| a.name.clone())
        };
        let mut rows: Vec<(String, String, Option<String>)> = indices
            .iter()
            .filter_map(|&i| {
                Some((
                    areas.names.get(i)?.clone(),
                    areas.codes.get(i)?.clone(),
                    council(i),
                ))
            })
            .collect();
        rows.sort();
        let more = rows.len().saturating_sub(LIST_LIMIT);
        let items = rows
            .into_iter()
            .take(LIST_LIMIT)
            .map(|(name, code, council)| {
                let c = code.clone();
                view! {
                    <li>
                        <button
                            type="button"
                            class="link"
                            on:click=move |_| app.select(Selection::on(c.clone(), LEFT_BEHIND_PAIR.level), true)
                        >
                            {name}
                            {council.map(|lad| view! { <span class="council">{format!(" ({lad})")}</span> })}
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
            <p class="help-links"><HelpButton topic=HelpId::LeftBehind/></p>
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
                {format!(" {noun} ({}) left behind", level_short_title(LEFT_BEHIND_PAIR.level))}
            </p>
            <p class="small">
                <span class="swatch inline" style:background-color=NOT_LEFT_BEHIND></span>
                {format!(" other {noun}. ")} {method}
            </p>
            {list}
        </section>
    }
}
