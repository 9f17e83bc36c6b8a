//! Typed ids of the MapLibre sources and style layers cnimap draws: a layer is named by what it
//! is ([`StyleLayer::Area`] of [`AreaLayer::Lsoa11`] and [`Part::Fill`]), never by a string built
//! where it is used.

use cnimap_core::Level;

/// A level the map colours by feature state: the levels indicators are published on (from
/// `/api/values`), and local authorities and regions (summaries computed in the browser, see
/// [`crate::levels`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AreaLayer {
    /// LSOA 2021 (IoD2025, CNI 2023, the double-disadvantage views).
    Lsoa21,
    /// LSOA 2011 (IoD2019).
    Lsoa11,
    /// Wards, December 2017 (CNI 2019).
    Ward17,
    /// Local authority districts, May 2024 (summaries of LSOA 2021 indicators).
    Lad24,
    /// English regions (summaries of LSOA 2021 indicators).
    Region,
}

impl AreaLayer {
    /// Every colourable layer, in style order.
    pub const ALL: [AreaLayer; 5] = [
        AreaLayer::Lsoa21,
        AreaLayer::Lsoa11,
        AreaLayer::Ward17,
        AreaLayer::Lad24,
        AreaLayer::Region,
    ];

    /// The geography level.
    pub fn level(self) -> Level {
        match self {
            AreaLayer::Lsoa21 => Level::Lsoa21,
            AreaLayer::Lsoa11 => Level::Lsoa11,
            AreaLayer::Ward17 => Level::Ward17,
            AreaLayer::Lad24 => Level::Lad24,
            AreaLayer::Region => Level::Region,
        }
    }

    /// The colourable layer of a level, `None` for levels without tiles (wards 2024).
    pub fn of(level: Level) -> Option<AreaLayer> {
        AreaLayer::ALL.into_iter().find(|l| l.level() == level)
    }

    /// The vector tile source id (also its MVT layer name): the level id, `lsoa21`.
    pub fn source(self) -> &'static str {
        self.level().id()
    }

    /// The GeoJSON source of its label points (`/api/labels/{level}`, feature id = feature index),
    /// empty until first needed.
    pub fn points_source(self) -> &'static str {
        match self {
            AreaLayer::Lsoa21 => "lsoa21-points",
            AreaLayer::Lsoa11 => "lsoa11-points",
            AreaLayer::Ward17 => "ward17-points",
            AreaLayer::Lad24 => "lad24-points",
            AreaLayer::Region => "region-points",
        }
    }
}

/// One of the style layers drawn for every [`AreaLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The choropleth fill, coloured from feature state.
    Fill,
    /// Thin white borders, from zoom 7.
    Line,
    /// The outline of the area under the pointer.
    Hover,
    /// The outline of the selected area.
    Selected,
    /// Area names at their label points, from [`crate::style::NAMES_MIN_ZOOM`].
    Labels,
    /// Highlighted areas drawn as dots at their label points, so areas too small to see at low
    /// zoom still show (left-behind areas).
    Markers,
}

impl Part {
    /// Every part, in drawing order within a layer.
    pub const ALL: [Part; 6] = [
        Part::Fill,
        Part::Line,
        Part::Hover,
        Part::Selected,
        Part::Labels,
        Part::Markers,
    ];
}

/// A style layer of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StyleLayer {
    /// The background (land and sea alike).
    Background,
    /// A part of a colourable layer.
    Area(AreaLayer, Part),
    /// Local authority borders.
    LadLine,
    /// Region borders.
    RegionLine,
    /// Local authority names.
    LadLabels,
    /// Region names.
    RegionLabels,
}

impl StyleLayer {
    /// The MapLibre layer id.
    pub fn id(self) -> &'static str {
        use AreaLayer::*;
        use Part::*;
        match self {
            StyleLayer::Background => "background",
            StyleLayer::LadLine => "lad24-line",
            StyleLayer::RegionLine => "region-line",
            StyleLayer::LadLabels => "lad24-labels",
            StyleLayer::RegionLabels => "region-labels",
            StyleLayer::Area(layer, part) => match (layer, part) {
                (Lsoa21, Fill) => "lsoa21-fill",
                (Lsoa21, Line) => "lsoa21-line",
                (Lsoa21, Hover) => "lsoa21-hover",
                (Lsoa21, Selected) => "lsoa21-selected",
                (Lsoa21, Labels) => "lsoa21-labels",
                (Lsoa21, Markers) => "lsoa21-markers",
                (Lsoa11, Fill) => "lsoa11-fill",
                (Lsoa11, Line) => "lsoa11-line",
                (Lsoa11, Hover) => "lsoa11-hover",
                (Lsoa11, Selected) => "lsoa11-selected",
                (Lsoa11, Labels) => "lsoa11-labels",
                (Lsoa11, Markers) => "lsoa11-markers",
                (Ward17, Fill) => "ward17-fill",
                (Ward17, Line) => "ward17-line",
                (Ward17, Hover) => "ward17-hover",
                (Ward17, Selected) => "ward17-selected",
                (Ward17, Labels) => "ward17-labels",
                (Ward17, Markers) => "ward17-markers",
                // `lad24-line` and `lad24-labels` are the borders and names drawn over every
                // level ([`StyleLayer::LadLine`], [`StyleLayer::LadLabels`]).
                (Lad24, Fill) => "lad24-fill",
                (Lad24, Line) => "lad24-borders",
                (Lad24, Hover) => "lad24-hover",
                (Lad24, Selected) => "lad24-selected",
                (Lad24, Labels) => "lad24-names",
                (Lad24, Markers) => "lad24-markers",
                (Region, Fill) => "region-fill",
                (Region, Line) => "region-borders",
                (Region, Hover) => "region-hover",
                (Region, Selected) => "region-selected",
                (Region, Labels) => "region-names",
                (Region, Markers) => "region-markers",
            },
        }
    }

    /// Every layer drawn for a colourable layer.
    pub fn parts_of(layer: AreaLayer) -> impl Iterator<Item = StyleLayer> {
        Part::ALL
            .into_iter()
            .map(move |part| StyleLayer::Area(layer, part))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_area_layer_id_names_its_level_and_is_unique() {
        let mut ids = Vec::new();
        for layer in AreaLayer::ALL {
            for style_layer in StyleLayer::parts_of(layer) {
                let id = style_layer.id();
                assert!(id.starts_with(layer.source()), "{id}");
                ids.push(id);
            }
            assert!(layer.points_source().starts_with(layer.source()));
        }
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn levels_with_tiles_are_colourable_and_wards_2024_are_not() {
        assert_eq!(AreaLayer::of(Level::Lsoa11), Some(AreaLayer::Lsoa11));
        assert_eq!(AreaLayer::of(Level::Ward17), Some(AreaLayer::Ward17));
        assert_eq!(AreaLayer::of(Level::Lad24), Some(AreaLayer::Lad24));
        assert_eq!(AreaLayer::of(Level::Region), Some(AreaLayer::Region));
        assert_eq!(AreaLayer::of(Level::Ward24), None);
        assert_eq!(AreaLayer::of(Level::Lad19), None);
    }
}
