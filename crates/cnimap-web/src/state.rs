//! Application state: the signals the user changes, shared through Leptos context, and the
//! resources that load what the current view needs (Leptos [`LocalResource`]s: each reloads when
//! a signal it reads changes, and only the latest load is kept).

use std::collections::HashMap;
use std::sync::Arc;

use cnimap_core::api::{AreaDetail, IndicatorsResponse, LayerAreasResponse, ValuesResponse};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::reweight::{CompositeIndex, Weights};
use cnimap_core::Level;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::camera::CameraRequest;
use crate::classes::{indicator_layer, Pair};
use crate::map::Map;
use crate::url_state::{Camera, Selection, UrlState, ViewMode};
use crate::what_if::{self, CustomWeights, Moves, Prepared};

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

/// The last index rebuilt with the user's weights: what the what-if panel reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuilt {
    /// The weights it was made with.
    pub weights: Weights,
    /// Areas that entered or left the worst tenth against the published index.
    pub moves: Moves,
    /// Milliseconds the re-weighting took in wasm (weighted sum, ranks, deciles).
    pub millis: f64,
}

/// What-if weights (issue 12): the user's weights, each index's transformed domains (made once,
/// from the domain values fetched once), and the last result per index.
#[derive(Clone, Copy)]
pub struct WhatIf {
    /// The user's weights per index; an absent index keeps its published weights.
    pub weights: RwSignal<CustomWeights>,
    /// The last rebuilt index per index, for the panel.
    pub rebuilt: RwSignal<std::collections::BTreeMap<CompositeIndex, Rebuilt>>,
    /// The indices whose domains are fetched and transformed (a slider move makes no request).
    pub ready: RwSignal<std::collections::BTreeSet<CompositeIndex>>,
    prepared: StoredValue<HashMap<CompositeIndex, Arc<Prepared>>>,
}

impl WhatIf {
    fn new(weights: CustomWeights) -> WhatIf {
        WhatIf {
            weights: RwSignal::new(weights),
            rebuilt: RwSignal::new(Default::default()),
            ready: RwSignal::new(Default::default()),
            prepared: StoredValue::new(HashMap::new()),
        }
    }

    /// The user's weights for `indicator`, when it is a combined index they re-weighted (tracked).
    pub fn weights_for(&self, indicator: IndicatorId) -> Option<Weights> {
        let index = what_if::composite_of(indicator)?;
        self.weights.with(|w| w.get(&index).cloned())
    }

    /// The transformed domains of `index` on `layer`, made once from the domain values (fetched
    /// through the loader's cache); `None` after telling the user what failed.
    async fn prepared(
        &self,
        loader: Loader,
        layer: Level,
        index: CompositeIndex,
    ) -> Option<Arc<Prepared>> {
        if let Some(p) = self.prepared.with_value(|p| p.get(&index).cloned()) {
            return Some(p);
        }
        let ids = match what_if::domain_indicators(index) {
            Ok(ids) => ids,
            Err(e) => {
                loader.report(e);
                return None;
            }
        };
        let docs = futures::future::join_all(ids.iter().map(|id| loader.values(layer, *id))).await;
        let docs: Vec<Arc<ValuesResponse>> = docs.into_iter().collect::<Option<_>>()?;
        let refs: Vec<&ValuesResponse> = docs.iter().map(Arc::as_ref).collect();
        match what_if::prepare(index, &refs) {
            Ok(p) => {
                let p = Arc::new(p);
                self.prepared.update_value(|m| {
                    m.insert(index, p.clone());
                });
                self.ready.update(|r| {
                    r.insert(index);
                });
                Some(p)
            }
            Err(e) => {
                loader.report(format!("Could not re-weight the index: {e}"));
                None
            }
        }
    }

    /// Fetches and transforms the domains of `index` ahead of the first slider move (when the
    /// user opens the what-if panel), so that moving a slider makes no request.
    pub async fn preload(&self, loader: Loader, index: CompositeIndex) {
        let layer = index.indicator().def().level();
        let _ = self.prepared(loader, layer, index).await;
    }

    /// `official` as it is, or rebuilt with `weights`: the domain values come through the
    /// loader's cache (fetched once), the transformation is made once per index, and each call
    /// is a weighted sum, a sort and deciles.
    async fn apply(
        &self,
        loader: Loader,
        official: Arc<ValuesResponse>,
        weights: Option<Weights>,
    ) -> Option<Arc<ValuesResponse>> {
        let Some(weights) = weights else {
            return Some(official);
        };
        let index = weights.index;
        let Some(prepared) = self.prepared(loader, official.layer, index).await else {
            return Some(official);
        };
        let t0 = crate::dom::now_ms();
        let rebuilt = what_if::rebuilt_values(&official, &prepared, &weights);
        let millis = crate::dom::now_ms() - t0;
        let moves = what_if::moves(&official, &rebuilt);
        self.rebuilt.update(|r| {
            r.insert(
                index,
                Rebuilt {
                    weights,
                    moves,
                    millis,
                },
            );
        });
        Some(Arc::new(rebuilt))
    }
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
    /// The user's domain weights and the indices rebuilt with them.
    pub what_if: WhatIf,
    /// The table beside the map, when open ([`crate::components::table_view`]).
    pub table: RwSignal<Option<crate::table_data::TableSpec>>,
    /// Whether the 2019 left-behind wards are outlined (the change view's toggle, `wards=1`).
    pub show_wards: RwSignal<bool>,
    /// The comparison and the embeddable view ([`crate::components::compare`]).
    pub pages: RwSignal<crate::page_route::PageParams>,
    /// The map at a larger level and measure ([`crate::components::level_picker`]).
    pub map_level: RwSignal<Option<crate::levels::MapLevel>>,
    /// The user's own areas as the URL says them (`draw=...`, `areas=file`;
    /// [`crate::components::custom_areas`] measures and sets them).
    pub custom_areas: RwSignal<crate::url_state::areas_url::AreasUrl>,
}

impl AppState {
    /// State opened from the URL, with the resources that load what it shows. Must run inside a
    /// reactive owner (a component).
    pub fn from_url(url: &UrlState) -> AppState {
        let indicator = RwSignal::new(url.indicator);
        let view = RwSignal::new(url.view);
        let selected = RwSignal::new(url.area.clone());
        let loader = Loader::new();
        let what_if = WhatIf::new(url.weights.clone());
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
            let weights = what_if.weights_for(indicator);
            async move {
                if view != ViewMode::Choropleth {
                    return None;
                }
                let official = loader
                    .values(indicator_layer(indicator).level(), indicator)
                    .await?;
                what_if.apply(loader, official, weights).await
            }
        });
        let wants_pair =
            once_wanted(move || !matches!(view.get(), ViewMode::Choropleth | ViewMode::Change));
        let pair = LocalResource::new(move || {
            let wanted = wants_pair.get();
            let need_weights = what_if.weights_for(LEFT_BEHIND_PAIR.need);
            let deprivation_weights = what_if.weights_for(LEFT_BEHIND_PAIR.deprivation);
            async move {
                if !wanted {
                    return None;
                }
                let layer = LEFT_BEHIND_PAIR.level;
                let (need, deprivation) = futures::join!(
                    loader.values(layer, LEFT_BEHIND_PAIR.need),
                    loader.values(layer, LEFT_BEHIND_PAIR.deprivation)
                );
                let (need, deprivation) = futures::join!(
                    what_if.apply(loader, need?, need_weights),
                    what_if.apply(loader, deprivation?, deprivation_weights)
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
                // A ward 2024 has no area document (its panel is made in wasm).
                let selection = selection.filter(|s| s.layer != Some(Level::Ward24))?;
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
            what_if,
            table: RwSignal::new(url.table.clone()),
            show_wards: RwSignal::new(url.wards),
            pages: RwSignal::new(url.pages.clone()),
            map_level: RwSignal::new(url.map_level),
            custom_areas: RwSignal::new(url.custom_areas.clone()),
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
            weights: self.what_if.weights.get_untracked(),
            unknown_indicator: None,
            table: self.table.get_untracked(),
            wards: self.show_wards.get_untracked(),
            pages: self.pages.get_untracked(),
            map_level: self.map_level.get_untracked(),
            custom_areas: self.custom_areas.get_untracked(),
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
        if self.map_level.get_untracked() != url.map_level {
            self.map_level.set(url.map_level);
        }
        if self.table.get_untracked() != url.table {
            self.table.set(url.table.clone());
        }
        if self.show_wards.get_untracked() != url.wards {
            self.show_wards.set(url.wards);
        }
        if self.pages.get_untracked() != url.pages {
            self.pages.set(url.pages.clone());
        }
        if self.custom_areas.get_untracked() != url.custom_areas {
            self.custom_areas.set(url.custom_areas.clone());
        }
        if self.what_if.weights.get_untracked() != url.weights {
            self.what_if.weights.set(url.weights.clone());
        }
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
