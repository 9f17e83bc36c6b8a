//! Application state: the signals the user changes, shared through Leptos context, and the
//! resources that load what the current view needs (Leptos [`LocalResource`]s: each reloads when
//! a signal it reads changes, and only the latest load is kept).

use std::collections::HashMap;
use std::sync::Arc;

use cnimap_core::api::{AreaDetail, IndicatorsResponse, LayerAreasResponse, ValuesResponse};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::camera::CameraRequest;
use crate::classes::{indicator_layer, Pair};
use crate::map::Map;
use crate::url_state::{Camera, Selection, UrlState, ViewMode};

/// What the pointer is over.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    /// Pointer position in the map, CSS pixels.
    pub x: f64,
    /// Pointer position in the map, CSS pixels.
    pub y: f64,
    /// Area name.
    pub name: String,
    /// Its value in words.
    pub detail: String,
}

/// An area's details as loaded for a selection (the selection is kept, so a panel never shows
/// the details of an area that is no longer selected).
pub type LoadedDetail = (Selection, Result<Arc<AreaDetail>, ApiError>);

/// The loading side of the state: counts requests in flight, reports failures once, and keeps
/// values already fetched.
#[derive(Clone, Copy)]
pub struct Loader {
    /// How many data requests are in flight.
    pub loading: RwSignal<u32>,
    /// Messages for the user about what failed (each once).
    pub errors: RwSignal<Vec<String>>,
    /// Values already fetched.
    cache: StoredValue<HashMap<(Level, IndicatorId), Arc<ValuesResponse>>>,
}

/// Counts one request in flight for as long as it lives (also when its future is dropped).
struct InFlight(RwSignal<u32>);

impl InFlight {
    fn start(loading: RwSignal<u32>) -> InFlight {
        loading.update(|n| *n += 1);
        InFlight(loading)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.try_update(|n| *n = n.saturating_sub(1));
    }
}

impl Loader {
    fn new() -> Loader {
        Loader {
            loading: RwSignal::new(0),
            errors: RwSignal::new(Vec::new()),
            cache: StoredValue::new(HashMap::new()),
        }
    }

    /// Tells the user something failed (once per distinct message), and logs it.
    pub fn report(&self, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!(%message, "reported to the user");
        self.errors.update(|e| {
            if !e.contains(&message) {
                e.push(message);
            }
        });
    }

    /// Runs a request, counted in [`Loader::loading`].
    pub async fn count<T>(&self, request: impl std::future::Future<Output = T>) -> T {
        let _in_flight = InFlight::start(self.loading);
        request.await
    }

    /// Runs a request, counted, and reports its failure to the user.
    pub async fn fetch<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Option<T> {
        match self.count(request).await {
            Ok(v) => Some(v),
            Err(e) => {
                self.report(e.to_string());
                None
            }
        }
    }

    /// The values of `indicator` on `layer`, from the cache when already fetched.
    pub async fn values(
        &self,
        layer: Level,
        indicator: IndicatorId,
    ) -> Option<Arc<ValuesResponse>> {
        let key = (layer, indicator);
        if let Some(v) = self.cache.with_value(|c| c.get(&key).cloned()) {
            return Some(v);
        }
        let v = Arc::new(self.fetch(api::values(layer, indicator)).await?);
        self.cache.update_value(|c| {
            c.insert(key, v.clone());
        });
        Some(v)
    }
}

/// A flag that turns on the first time `wanted` is true and stays on: data a view needed once
/// stays loaded when the user switches away and back.
fn once_wanted(wanted: impl Fn() -> bool + Send + Sync + 'static) -> Memo<bool> {
    Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || wanted())
}

/// Every signal and resource of the app. `Copy`, so closures take it by value.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Indicator shown by the choropleth.
    pub indicator: RwSignal<IndicatorId>,
    /// View.
    pub view: RwSignal<ViewMode>,
    /// Left-behind threshold, percent.
    pub threshold: RwSignal<u8>,
    /// Hidden legend classes.
    pub hidden: RwSignal<Vec<u8>>,
    /// Selected area.
    pub selected: RwSignal<Option<Selection>>,
    /// Whether the map should fit the selected area once its details arrive.
    pub fit_selected: RwSignal<bool>,
    /// Current map position (set by the map when it stops moving).
    pub camera: RwSignal<Option<Camera>>,
    /// Where the map should look next: components set it, the map view obeys and clears it.
    pub camera_request: RwSignal<Option<CameraRequest>>,
    /// Whether the map style has loaded.
    pub map_ready: RwSignal<bool>,
    /// What the pointer is over.
    pub hover: RwSignal<Option<Hover>>,
    /// Requests in flight, errors, the values cache.
    pub loader: Loader,
    /// The catalogue from `/api/indicators`.
    pub meta: LocalResource<Option<Arc<IndicatorsResponse>>>,
    /// Values of the current indicator, while the one-indicator view shows.
    pub values: LocalResource<Option<Arc<ValuesResponse>>>,
    /// Values of the double-disadvantage pair, from the first time a view needs them.
    pub pair: LocalResource<Option<Pair>>,
    /// Codes and names of the pair's layer (for the left-behind list), from the first time the
    /// left-behind view shows.
    pub pair_areas: LocalResource<Option<Arc<LayerAreasResponse>>>,
    /// The selected area's details.
    pub detail: LocalResource<Option<LoadedDetail>>,
    /// The MapLibre map, once created.
    pub map: StoredValue<Option<Map>, LocalStorage>,
}

impl AppState {
    /// State opened from the URL, with the resources that load what it shows. Must run inside a
    /// reactive owner (a component).
    pub fn from_url(url: &UrlState) -> AppState {
        let indicator = RwSignal::new(url.indicator);
        let view = RwSignal::new(url.view);
        let selected = RwSignal::new(url.area.clone());
        let loader = Loader::new();
        if let Some(unknown) = &url.unknown_indicator {
            loader.report(format!(
                "There is no indicator called “{unknown}”: showing the {} instead.",
                indicator.get_untracked().def().title
            ));
        }

        let meta = LocalResource::new(move || async move {
            loader.fetch(api::indicators()).await.map(Arc::new)
        });
        let values = LocalResource::new(move || {
            let (view, indicator) = (view.get(), indicator.get());
            async move {
                if view != ViewMode::Choropleth {
                    return None;
                }
                loader
                    .values(indicator_layer(indicator).level(), indicator)
                    .await
            }
        });
        let wants_pair = once_wanted(move || view.get() != ViewMode::Choropleth);
        let pair = LocalResource::new(move || {
            let wanted = wants_pair.get();
            async move {
                if !wanted {
                    return None;
                }
                let layer = LEFT_BEHIND_PAIR.level;
                let (need, deprivation) = futures::join!(
                    loader.values(layer, LEFT_BEHIND_PAIR.need),
                    loader.values(layer, LEFT_BEHIND_PAIR.deprivation)
                );
                Some(Pair {
                    need: need?,
                    deprivation: deprivation?,
                })
            }
        });
        let wants_areas = once_wanted(move || view.get() == ViewMode::LeftBehind);
        let pair_areas = LocalResource::new(move || {
            let wanted = wants_areas.get();
            async move {
                if !wanted {
                    return None;
                }
                loader
                    .fetch(api::layer_areas(LEFT_BEHIND_PAIR.level))
                    .await
                    .map(Arc::new)
            }
        });
        let detail = LocalResource::new(move || {
            let selection = selected.get();
            async move {
                let selection = selection?;
                let result = loader.count(api::area(&selection)).await.map(Arc::new);
                Some((selection, result))
            }
        });

        AppState {
            indicator,
            view,
            threshold: RwSignal::new(url.threshold),
            hidden: RwSignal::new(url.hidden.clone()),
            selected,
            // A shared link naming an area but no map position opens on that area.
            fit_selected: RwSignal::new(url.area.is_some() && url.camera.is_none()),
            camera: RwSignal::new(url.camera),
            camera_request: RwSignal::new(None),
            map_ready: RwSignal::new(false),
            hover: RwSignal::new(None),
            loader,
            meta,
            values,
            pair,
            pair_areas,
            detail,
            map: StoredValue::new_local(None),
        }
    }

    /// The state as the URL should hold it (untracked reads).
    pub fn to_url(&self) -> UrlState {
        UrlState {
            indicator: self.indicator.get_untracked(),
            view: self.view.get_untracked(),
            threshold: self.threshold.get_untracked(),
            area: self.selected.get_untracked(),
            hidden: self.hidden.get_untracked(),
            camera: self.camera.get_untracked(),
            unknown_indicator: None,
        }
    }

    /// Puts the state back as `url` says (Back and Forward), moving the camera to its position.
    pub fn restore(&self, url: &UrlState) {
        self.indicator.set(url.indicator);
        self.view.set(url.view);
        self.threshold.set(url.threshold);
        self.hidden.set(url.hidden.clone());
        self.fit_selected.set(false);
        if self.selected.get_untracked() != url.area {
            self.selected.set(url.area.clone());
        }
        self.camera.set(url.camera);
        self.camera_request.set(Some(match url.camera {
            Some(c) => CameraRequest::JumpTo(c),
            None => CameraRequest::England,
        }));
    }

    /// Runs `f` with the map, if it exists.
    pub fn with_map(&self, f: impl FnOnce(&Map)) {
        self.map.with_value(|m| {
            if let Some(map) = m {
                f(map)
            }
        });
    }

    /// Tells the user something failed (once per distinct message), and logs it.
    pub fn report(&self, message: impl Into<String>) {
        self.loader.report(message);
    }

    /// Selects an area; `fit` moves the map to it once its details arrive.
    pub fn select(&self, selection: Selection, fit: bool) {
        self.fit_selected.set(fit);
        self.selected.set(Some(selection));
    }

    /// Closes the area panel. The map then pans if the cards that grow back (the phone's top card,
    /// when the bottom sheet closes) would cover what the user was looking at.
    pub fn close_panel(&self) {
        if self.selected.get_untracked().is_none() {
            return;
        }
        if let Some(before) = crate::dom::map_padding() {
            self.camera_request
                .set(Some(CameraRequest::KeepClear { before }));
        }
        self.selected.set(None);
    }

    /// Switches view, clearing hidden classes (decile and bivariate classes are numbered apart).
    pub fn set_view(&self, view: ViewMode) {
        if self.view.get_untracked() != view {
            self.hidden.set(Vec::new());
            self.view.set(view);
        }
    }

    /// The left-behind rule at the current threshold.
    pub fn rule(&self) -> LeftBehindRule {
        LeftBehindRule::new(self.threshold.get()).unwrap_or_default()
    }

    /// The left-behind rule at the current threshold, untracked.
    pub fn rule_untracked(&self) -> LeftBehindRule {
        LeftBehindRule::new(self.threshold.get_untracked()).unwrap_or_default()
    }

    /// The current values, once loaded (tracked).
    pub fn current_values(&self) -> Option<Arc<ValuesResponse>> {
        self.values.get().flatten()
    }

    /// The pair's values, once loaded (tracked).
    pub fn current_pair(&self) -> Option<Pair> {
        self.pair.get().flatten()
    }

    /// The catalogue, once loaded (tracked).
    pub fn current_meta(&self) -> Option<Arc<IndicatorsResponse>> {
        self.meta.get().flatten()
    }
}

/// The app state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
