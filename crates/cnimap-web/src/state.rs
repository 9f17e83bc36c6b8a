//! Application state: signals shared through Leptos context, and the pure functions that turn
//! `/api/values` arrays into map classes with the core's classification and left-behind rule.

use std::collections::HashMap;
use std::sync::Arc;

use cnimap_core::api::{IndicatorsResponse, LayerAreasResponse, ValuesResponse};
use cnimap_core::bivariate::{bivariate_class, BivariateClass};
use cnimap_core::catalogue::{self, Direction};
use cnimap_core::colour::Ramp;
use cnimap_core::left_behind::LeftBehindRule;
use cnimap_core::Level;
use leptos::prelude::*;

use crate::map::Map;
use crate::url_state::{Camera, UrlState, ViewMode};

/// The IMD of the double-disadvantage views.
pub const PAIR_IMD: &str = "imd2025";
/// The CNI of the double-disadvantage views.
pub const PAIR_CNI: &str = "cni2023";
/// The layer of the double-disadvantage views.
pub const PAIR_LAYER: Level = Level::Lsoa21;

/// The IMD 2025 and CNI 2023 values, both on LSOA 2021, for the bivariate and left-behind views.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// IMD 2025.
    pub imd: Arc<ValuesResponse>,
    /// CNI 2023.
    pub cni: Arc<ValuesResponse>,
}

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

/// Every signal of the app. `Copy`, so closures take it by value.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The catalogue from `/api/indicators`.
    pub meta: RwSignal<Option<Arc<IndicatorsResponse>>>,
    /// Indicator shown by the choropleth.
    pub indicator: RwSignal<String>,
    /// View.
    pub view: RwSignal<ViewMode>,
    /// Left-behind threshold, percent.
    pub threshold: RwSignal<u8>,
    /// Hidden legend classes.
    pub hidden: RwSignal<Vec<u8>>,
    /// Selected area code.
    pub selected: RwSignal<Option<String>>,
    /// Whether the map should fit the selected area once its details arrive.
    pub fly_to_selected: RwSignal<bool>,
    /// Current map position.
    pub camera: RwSignal<Option<Camera>>,
    /// Values of the current indicator.
    pub values: RwSignal<Option<Arc<ValuesResponse>>>,
    /// Values of the double-disadvantage pair.
    pub pair: RwSignal<Option<Pair>>,
    /// Codes and names of LSOA 2021 (for the left-behind list), fetched when first needed.
    pub areas21: RwSignal<Option<Arc<LayerAreasResponse>>>,
    /// Whether the map style has loaded.
    pub map_ready: RwSignal<bool>,
    /// Messages for the user about what failed (each once).
    pub errors: RwSignal<Vec<String>>,
    /// How many data requests are in flight.
    pub loading: RwSignal<u32>,
    /// What the pointer is over.
    pub hover: RwSignal<Option<Hover>>,
    /// The MapLibre map, once created.
    pub map: StoredValue<Option<Map>, LocalStorage>,
    /// Values already fetched, by `layer/indicator`.
    pub cache: StoredValue<HashMap<String, Arc<ValuesResponse>>>,
}

impl AppState {
    /// State opened from the URL.
    pub fn from_url(url: &UrlState) -> AppState {
        AppState {
            meta: RwSignal::new(None),
            indicator: RwSignal::new(url.indicator.clone()),
            view: RwSignal::new(url.view),
            threshold: RwSignal::new(url.threshold),
            hidden: RwSignal::new(url.hidden.clone()),
            selected: RwSignal::new(url.area.clone()),
            // A shared link naming an area but no map position opens on that area.
            fly_to_selected: RwSignal::new(url.area.is_some() && url.camera.is_none()),
            camera: RwSignal::new(url.camera),
            values: RwSignal::new(None),
            pair: RwSignal::new(None),
            areas21: RwSignal::new(None),
            map_ready: RwSignal::new(false),
            errors: RwSignal::new(Vec::new()),
            loading: RwSignal::new(0),
            hover: RwSignal::new(None),
            map: StoredValue::new_local(None),
            cache: StoredValue::new(HashMap::new()),
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
        }
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
        let message = message.into();
        tracing::warn!(%message, "reported to the user");
        self.errors.update(|e| {
            if !e.contains(&message) {
                e.push(message);
            }
        });
    }

    /// Switches view, clearing hidden classes (decile and bivariate classes are numbered apart).
    pub fn set_view(&self, view: ViewMode) {
        if self.view.get_untracked() != view {
            self.hidden.set(Vec::new());
            self.view.set(view);
        }
    }
}

/// The app state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// The layer an indicator is published on, `None` for an unknown id.
pub fn indicator_layer(indicator: &str) -> Option<Level> {
    catalogue::find(indicator).map(|d| d.level())
}

/// The colour ramp of an indicator (deprivation or need).
pub fn indicator_ramp(indicator: &str) -> Ramp {
    let direction = catalogue::find(indicator)
        .map(|d| d.direction())
        .unwrap_or(Direction::MostDeprivedFirst);
    Ramp::for_direction(direction)
}

/// The layer a view draws.
pub fn active_layer(view: ViewMode, indicator: &str) -> Level {
    match view {
        ViewMode::Choropleth => indicator_layer(indicator).unwrap_or(PAIR_LAYER),
        ViewMode::Bivariate | ViewMode::LeftBehind => PAIR_LAYER,
    }
}

/// Plural noun for the areas of a layer, as sentences say it.
pub fn areas_noun(level: Level) -> &'static str {
    match level {
        Level::Lsoa21 | Level::Lsoa11 => "neighbourhoods",
        Level::Ward17 | Level::Ward24 => "wards",
        Level::Lad24 | Level::Lad19 => "local authorities",
        Level::Region => "regions",
    }
}

/// Decile classes by feature index (0 = no value).
pub fn decile_classes(values: &ValuesResponse) -> Vec<u8> {
    values.decile.iter().map(|d| d.unwrap_or(0)).collect()
}

/// Bivariate classes by feature index: [`BivariateClass::index`] + 1, 0 when either rank is
/// missing.
pub fn bivariate_classes(pair: &Pair) -> Vec<u8> {
    let (imd, cni) = (&pair.imd, &pair.cni);
    imd.rank
        .iter()
        .zip(cni.rank.iter())
        .map(|(i, c)| match (i, c) {
            (Some(i), Some(c)) => bivariate_class(*i, imd.n_ranked, *c, cni.n_ranked)
                .map(|class| class.index() as u8 + 1)
                .unwrap_or(0),
            _ => 0,
        })
        .collect()
}

/// Left-behind flags by feature index: 1 = left behind under `rule`, 2 = not, 0 = a rank missing.
pub fn left_behind_flags(pair: &Pair, rule: LeftBehindRule) -> Vec<u8> {
    let (imd, cni) = (&pair.imd, &pair.cni);
    imd.rank
        .iter()
        .zip(cni.rank.iter())
        .map(|(i, c)| match (i, c) {
            (Some(i), Some(c)) => {
                if rule.is_left_behind(*c, cni.n_ranked, *i, imd.n_ranked) {
                    1
                } else {
                    2
                }
            }
            _ => 0,
        })
        .collect()
}

/// How many features fall in each bivariate class (by class index).
pub fn bivariate_counts(classes: &[u8]) -> [u32; 9] {
    let mut counts = [0u32; 9];
    for &c in classes {
        if (1..=9).contains(&c) {
            counts[usize::from(c - 1)] += 1;
        }
    }
    counts
}

/// The bivariate class of a class number as stored in feature state.
pub fn bivariate_of(number: u8) -> Option<BivariateClass> {
    number
        .checked_sub(1)
        .and_then(|i| BivariateClass::from_index(usize::from(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(indicator: &str, ranks: &[Option<u32>], n: u32) -> Arc<ValuesResponse> {
        Arc::new(ValuesResponse {
            layer: Level::Lsoa21,
            indicator: indicator.into(),
            n_ranked: n,
            decile: ranks
                .iter()
                .map(|r| r.and_then(|r| cnimap_core::classify::decile_from_rank(r, n)))
                .collect(),
            rank: ranks.to_vec(),
            score: None,
            decile_counts: [0; 10],
        })
    }

    #[test]
    fn left_behind_needs_both_ranks_within_the_threshold() {
        let pair = Pair {
            imd: values("imd2025", &[Some(1), Some(1), Some(100), None], 100),
            cni: values("cni2023", &[Some(10), Some(11), Some(1), Some(1)], 100),
        };
        let rule = LeftBehindRule::new(10).map_err(|e| e.to_string());
        assert_eq!(
            rule.map(|r| left_behind_flags(&pair, r)),
            Ok(vec![1, 2, 2, 0])
        );
    }

    #[test]
    fn bivariate_classes_count_into_nine_cells() {
        let pair = Pair {
            imd: values("imd2025", &[Some(1), Some(90), Some(50), None], 90),
            cni: values("cni2023", &[Some(1), Some(90), Some(1), Some(1)], 90),
        };
        let classes = bivariate_classes(&pair);
        assert_eq!(classes[3], 0);
        let counts = bivariate_counts(&classes);
        assert_eq!(counts.iter().sum::<u32>(), 3);
        assert_eq!(counts[0], 1, "most deprived and highest need");
        assert_eq!(counts[8], 1, "least deprived and lowest need");
        assert_eq!(
            bivariate_of(classes[2]).map(|c| (c.deprivation, c.need)),
            Some((2, 1))
        );
    }

    #[test]
    fn views_follow_the_geography_of_their_data() {
        assert_eq!(active_layer(ViewMode::Choropleth, "imd2019"), Level::Lsoa11);
        assert_eq!(
            active_layer(ViewMode::Choropleth, "cni2019_civic"),
            Level::Ward17
        );
        assert_eq!(active_layer(ViewMode::Bivariate, "imd2019"), Level::Lsoa21);
    }
}
