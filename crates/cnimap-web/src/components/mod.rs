//! Leptos components. They stay thin: classification, colours and the left-behind rule come from
//! `cnimap-core`, data from [`crate::api`], map calls from [`crate::map`], state from
//! [`crate::state::AppState`] in context.

pub mod app;
pub mod change_view;
pub mod compare;
pub mod compare_add;
pub mod controls;
pub mod custom_areas;
pub mod embed;
pub mod help;
pub mod left_behind;
pub mod legend;
pub mod level_picker;
pub mod map_camera;
pub mod map_sync;
pub mod map_text;
pub mod map_view;
pub mod pages;
pub mod panel;
pub mod png_export;
pub mod postcodes;
pub mod profile;
pub mod search;
pub mod status;
pub mod table_view;
pub mod ward_panel;
