//! Every URL the app requests, for both back ends: a `cnimap serve` (the HTTP API of `docs/API.md`)
//! or a static copy of the site made by `cnimap export-site` (`api/...json` files and PMTiles
//! archives read through the `pmtiles` library's MapLibre protocol). Pure, so unit-tested natively;
//! [`crate::api`] decides which back end the page has and owns the one [`Endpoints`] value.

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::Level;

/// The file a static site has at its root and a cnimap server does not serve: its presence is how
/// the app knows it has no server (see `cnimap export-site`).
pub const SITE_FILE: &str = "site.json";

/// The value of `kind` in [`SITE_FILE`].
pub const SITE_KIND: &str = "cnimap-static-site";

/// The layers an area without a layer is looked for in, in the server's order
/// (`cnimap_server::detail::LOOKUP_ORDER`): a static site tries each file in turn.
pub const AREA_LOOKUP_ORDER: [Level; 5] = [
    Level::Lsoa21,
    Level::Lsoa11,
    Level::Ward17,
    Level::Lad24,
    Level::Region,
];

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoints {
    /// A `cnimap serve` at `origin` (`http://host:port`, no trailing slash).
    Server {
        /// Scheme, host and port of the page.
        origin: String,
    },
    /// A static site whose files sit under `base` (an absolute URL ending in `/`: the folder of
    /// `index.html`, so the site works under any sub-path).
    Static {
        /// The site's root folder.
        base: String,
    },
}

impl Endpoints {
    /// Whether this is a static site (no server: no search API, files instead of endpoints).
    pub fn is_static(&self) -> bool {
        matches!(self, Endpoints::Static { .. })
    }

    /// The static site's root folder (ends in `/`), `None` on a server.
    pub fn static_base(&self) -> Option<&str> {
        match self {
            Endpoints::Static { base } => Some(base),
            Endpoints::Server { .. } => None,
        }
    }

    /// The indicator catalogue (`GET /api/indicators`).
    pub fn indicators(&self) -> String {
        self.document("indicators")
    }

    /// One indicator's values on one layer, by feature index.
    pub fn values(&self, layer: Level, indicator: IndicatorId) -> String {
        self.document(&format!("values/{layer}/{indicator}"))
    }

    /// A layer's codes and names, by feature index.
    pub fn layer_areas(&self, layer: Level) -> String {
        self.document(&format!("layers/{layer}"))
    }

    /// The larger areas every area of a table level lies in (`/api/parents/{layer}`).
    pub fn table_parents(&self, layer: Level) -> String {
        self.document(&format!("parents/{layer}"))
    }

    /// Each LSOA 2011's population and the LSOA 2011 -> 2021 lookup (`/api/lineage/lsoa11`,
    /// `api/lineage/lsoa11.json` on a static site): the IoD 2019 summaries' weights.
    pub fn lineage_lsoa11(&self) -> String {
        self.document("lineage/lsoa11")
    }

    /// A change-view document (issue 12): `/api/change/...` or `api/change/....json`.
    pub fn change(&self, doc: cnimap_core::change_map::ChangeDocument) -> String {
        self.document(&doc.path())
    }

    /// What a postcode lookup in the browser needs about every LSOA 2021
    /// (`/api/lookup/areas`, `api/lookup/areas.json` on a static site).
    pub fn lookup_areas(&self) -> String {
        self.document("lookup/areas")
    }

    /// The LSOA 2021 shapes document custom areas are measured on (`/api/shapes/lsoa21`,
    /// `api/shapes/lsoa21.json` on a static site).
    pub fn lsoa_shapes(&self) -> String {
        self.document("shapes/lsoa21")
    }

    /// `POST /api/lookup` on a server; `None` on a static site (it looks postcodes up itself).
    pub fn lookup(&self) -> Option<String> {
        match self {
            Endpoints::Server { origin } => Some(format!("{origin}/api/lookup")),
            Endpoints::Static { .. } => None,
        }
    }

    /// A layer's label points (GeoJSON; MapLibre fetches it).
    pub fn labels(&self, layer: &str) -> String {
        self.document(&format!("labels/{}", encode(layer)))
    }

    /// The URLs that may hold one area's details, to be tried in order until one is not a 404:
    /// one on a server (it resolves a code without a layer itself), one per layer of
    /// [`AREA_LOOKUP_ORDER`] on a static site when the layer is not known.
    pub fn area(&self, code: &str, layer: Option<Level>) -> Vec<String> {
        match self {
            Endpoints::Server { origin } => vec![match layer {
                Some(layer) => format!("{origin}/api/areas/{}?layer={layer}", encode(code)),
                None => format!("{origin}/api/areas/{}", encode(code)),
            }],
            Endpoints::Static { base } => {
                // The files are named by the code as the server normalises it.
                let code = encode(&code.trim().to_ascii_uppercase());
                let layers = match layer {
                    Some(l) => vec![l],
                    None => AREA_LOOKUP_ORDER.to_vec(),
                };
                layers
                    .into_iter()
                    .map(|l| format!("{base}api/areas/{l}/{code}.json"))
                    .collect()
            }
        }
    }

    /// The search URL, `None` on a static site (it has no search endpoint; see
    /// `crate::api::search`).
    pub fn search(&self, query: &str, limit: u8) -> Option<String> {
        match self {
            Endpoints::Server { origin } => Some(format!(
                "{origin}/api/search?q={}&limit={limit}",
                encode(query)
            )),
            Endpoints::Static { .. } => None,
        }
    }

    /// The `url` of a vector tile source: the server's TileJSON, or the PMTiles archive through
    /// the `pmtiles://` protocol (registered in `index.html`'s script by [`crate::map`]).
    pub fn tiles(&self, source: &str) -> String {
        match self {
            Endpoints::Server { origin } => format!("{origin}/tiles/{source}.json"),
            Endpoints::Static { base } => format!("pmtiles://{base}tiles/{source}.pmtiles"),
        }
    }

    /// MapLibre's glyph URL template (the PBFs generated at build time, part of the web app).
    pub fn glyphs(&self) -> String {
        format!("{}glyphs/{{fontstack}}/{{range}}.pbf", self.root())
    }

    /// The folder the web app's own files are in, ending in `/`.
    fn root(&self) -> String {
        match self {
            Endpoints::Server { origin } => format!("{origin}/"),
            Endpoints::Static { base } => base.clone(),
        }
    }

    /// A whole document: `/api/{path}` on a server, `api/{path}.json` on a static site.
    fn document(&self, path: &str) -> String {
        match self {
            Endpoints::Server { origin } => format!("{origin}/api/{path}"),
            Endpoints::Static { base } => format!("{base}api/{path}.json"),
        }
    }
}

/// The folder of a page URL (up to and including its last `/`, without query or fragment): the
/// static site's base when the page is its `index.html`.
pub fn folder_of(page: &str) -> String {
    let end = page.find(['?', '#']).unwrap_or(page.len());
    let path = &page[..end];
    match path.rfind('/') {
        Some(i) if path[..i].ends_with('/') => format!("{path}/"), // "https://host" has no path
        Some(i) => path[..=i].to_string(),
        None => format!("{path}/"),
    }
}

/// Percent-encodes `s` as JavaScript's `encodeURIComponent` does (every byte but
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn server() -> Endpoints {
        Endpoints::Server {
            origin: "http://127.0.0.1:8080".into(),
        }
    }

    fn site() -> Endpoints {
        Endpoints::Static {
            base: "https://cdn.example.org/maps/cnimap/".into(),
        }
    }

    #[test]
    fn a_server_is_asked_its_api_paths() {
        let s = server();
        assert_eq!(s.indicators(), "http://127.0.0.1:8080/api/indicators");
        assert_eq!(
            s.values(Level::Lsoa21, IndicatorId::IMD2025),
            "http://127.0.0.1:8080/api/values/lsoa21/imd2025"
        );
        assert_eq!(
            s.layer_areas(Level::Lsoa21),
            "http://127.0.0.1:8080/api/layers/lsoa21"
        );
        assert_eq!(s.tiles("lsoa21"), "http://127.0.0.1:8080/tiles/lsoa21.json");
        assert_eq!(
            s.area("E01021988", Some(Level::Lsoa11)),
            vec!["http://127.0.0.1:8080/api/areas/E01021988?layer=lsoa11"]
        );
        assert_eq!(
            s.search("CO15 2EQ", 10).as_deref(),
            Some("http://127.0.0.1:8080/api/search?q=CO15%202EQ&limit=10")
        );
        assert!(!s.is_static());
        assert_eq!(
            s.lookup().as_deref(),
            Some("http://127.0.0.1:8080/api/lookup")
        );
        assert_eq!(s.lookup_areas(), "http://127.0.0.1:8080/api/lookup/areas");
        assert_eq!(s.static_base(), None);
    }

    #[test]
    fn a_static_site_is_read_as_files_under_its_base() {
        let s = site();
        assert_eq!(
            s.indicators(),
            "https://cdn.example.org/maps/cnimap/api/indicators.json"
        );
        assert_eq!(
            s.values(Level::Ward17, IndicatorId::CNI2019),
            "https://cdn.example.org/maps/cnimap/api/values/ward17/cni2019.json"
        );
        assert_eq!(
            s.labels("lad24"),
            "https://cdn.example.org/maps/cnimap/api/labels/lad24.json"
        );
        assert_eq!(
            s.tiles("region"),
            "pmtiles://https://cdn.example.org/maps/cnimap/tiles/region.pmtiles"
        );
        assert_eq!(
            s.glyphs(),
            "https://cdn.example.org/maps/cnimap/glyphs/{fontstack}/{range}.pbf"
        );
        assert_eq!(
            s.change(cnimap_core::change_map::ChangeDocument::ImdLayer),
            "https://cdn.example.org/maps/cnimap/api/change/lsoa21/imd.json"
        );
        assert_eq!(s.search("Jaywick", 10), None);
        assert!(s.is_static());
        assert_eq!(s.lookup(), None);
        assert!(
            s.lookup_areas().ends_with("api/lookup/areas.json"),
            "{}",
            s.lookup_areas()
        );
        assert_eq!(
            s.static_base(),
            Some("https://cdn.example.org/maps/cnimap/")
        );
    }

    #[test]
    fn a_static_area_without_a_layer_is_looked_for_in_the_servers_order() {
        let urls = site().area(" e01021988", None);
        assert_eq!(urls.len(), AREA_LOOKUP_ORDER.len());
        assert_eq!(
            urls[0],
            "https://cdn.example.org/maps/cnimap/api/areas/lsoa21/E01021988.json"
        );
        assert_eq!(
            urls[4],
            "https://cdn.example.org/maps/cnimap/api/areas/region/E01021988.json"
        );
        assert_eq!(
            site().area("E05000001", Some(Level::Ward17)),
            vec!["https://cdn.example.org/maps/cnimap/api/areas/ward17/E05000001.json"]
        );
    }

    #[rstest]
    #[case::root("http://127.0.0.1:8080/", "http://127.0.0.1:8080/")]
    #[case::query("http://127.0.0.1:8080/?v=bivariate#x", "http://127.0.0.1:8080/")]
    #[case::sub_path(
        "https://h.org/maps/cnimap/index.html?a=1",
        "https://h.org/maps/cnimap/"
    )]
    #[case::folder("https://h.org/maps/cnimap/", "https://h.org/maps/cnimap/")]
    #[case::bare_host("https://h.org", "https://h.org/")]
    fn the_base_is_the_pages_folder(#[case] page: &str, #[case] base: &str) {
        assert_eq!(folder_of(page), base);
    }

    #[test]
    fn encoding_matches_encode_uri_component() {
        assert_eq!(encode("CO15 2EQ"), "CO15%202EQ");
        assert_eq!(encode("a/b?c&d"), "a%2Fb%3Fc%26d");
        assert_eq!(encode("St Osyth's (x)"), "St%20Osyth's%20(x)");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
