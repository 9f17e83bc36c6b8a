//! Geography levels: the kinds of area the map can show.

use serde::{Deserialize, Serialize};

/// A geography level, named by what it is and its vintage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Lower-layer Super Output Areas, 2021 boundaries (33,755 in England).
    Lsoa21,
    /// Lower-layer Super Output Areas, 2011 boundaries (32,844 in England).
    Lsoa11,
    /// Electoral wards, December 2017 (the CNI 2019 geography).
    Ward17,
    /// Electoral wards, 2024 (for summaries of LSOA 2021 data).
    Ward24,
    /// Local authority districts, May 2024.
    Lad24,
    /// Local authority districts, 2019 (the IoD2019 geography).
    Lad19,
    /// English regions (2024).
    Region,
}

impl Level {
    /// Every level, in a stable order.
    pub const ALL: [Level; 7] = [
        Level::Lsoa21,
        Level::Lsoa11,
        Level::Ward17,
        Level::Ward24,
        Level::Lad24,
        Level::Lad19,
        Level::Region,
    ];

    /// The identifier used in URLs and JSON (`lsoa21`, `ward17`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Level::Lsoa21 => "lsoa21",
            Level::Lsoa11 => "lsoa11",
            Level::Ward17 => "ward17",
            Level::Ward24 => "ward24",
            Level::Lad24 => "lad24",
            Level::Lad19 => "lad19",
            Level::Region => "region",
        }
    }

    /// Parses an identifier produced by [`Level::id`].
    pub fn from_id(id: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.id() == id)
    }

    /// A short human name ("neighbourhood (LSOA 2021)").
    pub fn title(self) -> &'static str {
        match self {
            Level::Lsoa21 => "Neighbourhood (LSOA 2021)",
            Level::Lsoa11 => "Neighbourhood (LSOA 2011)",
            Level::Ward17 => "Ward (2017)",
            Level::Ward24 => "Ward (2024)",
            Level::Lad24 => "Local authority (2024)",
            Level::Lad19 => "Local authority (2019)",
            Level::Region => "Region",
        }
    }
}

impl Level {
    /// What its areas are called in a sentence, plural ("neighbourhoods", "wards", "local
    /// authorities", "regions"): the one place every legend, method and meaning line takes it from.
    pub fn areas_noun(self) -> &'static str {
        match self {
            Level::Lsoa21 | Level::Lsoa11 => "neighbourhoods",
            Level::Ward17 | Level::Ward24 => "wards",
            Level::Lad24 | Level::Lad19 => "local authorities",
            Level::Region => "regions",
        }
    }

    /// One of its areas, singular ("neighbourhood", "ward", "local authority", "region").
    pub fn area_noun(self) -> &'static str {
        match self {
            Level::Lsoa21 | Level::Lsoa11 => "neighbourhood",
            Level::Ward17 | Level::Ward24 => "ward",
            Level::Lad24 | Level::Lad19 => "local authority",
            Level::Region => "region",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_id_round_trips() {
        for level in Level::ALL {
            assert_eq!(Level::from_id(level.id()), Some(level));
        }
        assert_eq!(Level::from_id("lsoa99"), None);
    }

    #[test]
    fn every_level_has_a_plural_that_extends_its_singular_noun() {
        for level in Level::ALL {
            let (one, many) = (level.area_noun(), level.areas_noun());
            assert!(!one.is_empty(), "{level}");
            let stem = one.strip_suffix('y').unwrap_or(one);
            assert!(many.starts_with(stem), "{level}: {one} / {many}");
            assert_ne!(one, many, "{level}");
        }
    }
}
