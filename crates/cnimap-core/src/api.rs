//! The JSON shapes of the HTTP API, shared by the server (which serialises them) and the browser
//! (which deserialises them). See `docs/API.md` for the endpoints.
//!
//! Areas of a layer are numbered `0..n` in a fixed order (the layer's *feature index*). Vector tiles
//! carry that index as the feature id, and [`ValuesResponse`] arrays are indexed by it, so the
//! browser can recolour every area from one small JSON document without touching geometry.

use serde::{Deserialize, Serialize};

use crate::level::Level;

/// `GET /api/indicators`: the catalogue as the browser needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorsResponse {
    /// Every indicator, in catalogue order.
    pub indicators: Vec<IndicatorMeta>,
    /// The map layers and how many areas each has.
    pub layers: Vec<LayerMeta>,
    /// Attribution lines for every dataset shown (indicators and boundaries).
    pub attribution: Vec<String>,
}

/// One indicator, with everything needed to label and explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorMeta {
    /// Stable id (`imd2025_income`).
    pub id: String,
    /// Full title.
    pub title: String,
    /// One plain-language sentence.
    pub description: String,
    /// Source id (`iod2025`, `cni2023`, ...).
    pub source: String,
    /// Source title ("English Indices of Deprivation 2025").
    pub source_title: String,
    /// Publication year.
    pub year: u16,
    /// The layer its values belong to.
    pub layer: Level,
    /// "rank 1 = most deprived" or "rank 1 = highest need".
    pub rank_phrase: String,
    /// Plain words for decile 1 ("1 = the most deprived 10% of neighbourhoods in England").
    pub decile_one: String,
    /// The overall index for domains and sub-domains.
    pub parent: Option<String>,
    /// Whether scores are published.
    pub has_score: bool,
    /// Whether deciles are published (otherwise derived from ranks, see `decile_method`).
    pub decile_published: bool,
    /// How the deciles shown were made.
    pub decile_method: String,
    /// Number of ranked areas ("of N").
    pub n_ranked: u32,
    /// Attribution line.
    pub attribution: String,
    /// What the score is and which way it runs, where scores are published ("Score: ...; higher
    /// means more deprived").
    #[serde(default)]
    pub score_meaning: Option<String>,
    /// Every measure of the indicator (published and summary), the levels it is available at
    /// and its method in words; measures cnimap cannot compute say why.
    #[serde(default)]
    pub measures: Vec<MeasureMeta>,
}

/// One measure of an indicator: `imd2025.share_decile1` in a table column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureMeta {
    /// Measure id (`rank`, `decile`, `score`, `share_decile1`, `average_rank`,
    /// `rank_of_average_rank`, `average_score`, `extent`).
    pub id: String,
    /// Short label.
    pub label: String,
    /// The levels it is available at (empty when not computable).
    pub levels: Vec<Level>,
    /// How it is made, in one sentence, or why it is not computed.
    pub method: String,
    /// Whether cnimap computes it.
    pub computable: bool,
}

/// A map layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LayerMeta {
    /// Layer id.
    pub id: Level,
    /// Human title.
    pub title: String,
    /// Number of features (the length of every values array of this layer).
    pub features: u32,
    /// The TileJSON URL.
    pub tilejson: String,
}

/// `GET /api/values/{layer}/{indicator}`: one indicator for every area of a layer, indexed by
/// feature index. `null` where the area has no value (for example a Welsh LSOA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValuesResponse {
    /// The layer.
    pub layer: Level,
    /// The indicator id.
    pub indicator: String,
    /// Number of ranked areas (ranks run 1..=n_ranked).
    pub n_ranked: u32,
    /// Deciles (1..=10), published or derived.
    pub decile: Vec<Option<u8>>,
    /// Ranks (1 = most deprived / highest need).
    pub rank: Vec<Option<u32>>,
    /// Scores, when published.
    pub score: Option<Vec<Option<f64>>>,
    /// How many areas fall in each decile (index 0 = decile 1).
    pub decile_counts: [u32; 10],
}

/// `GET /api/layers/{layer}`: the codes and names of a layer, by feature index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LayerAreasResponse {
    /// The layer.
    pub layer: Level,
    /// Area codes by feature index.
    pub codes: Vec<String>,
    /// Area names by feature index.
    pub names: Vec<String>,
    /// The current (2024) local authorities of the layer's areas, for LSOA 2021 (empty
    /// elsewhere): names like "Allerdale 005A" predate the 2023 reorganisations, so lists show the
    /// council beside them.
    #[serde(default)]
    pub lads: Vec<NamedArea>,
    /// Each area's index into `lads`, by feature index (`null` where the lookup has none).
    #[serde(default)]
    pub lad: Vec<Option<u32>>,
}

/// A code and a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedArea {
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// `GET /api/areas/{code}`: everything known about one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaDetail {
    /// ONS code.
    pub code: String,
    /// Official name ("Tendring 018A").
    pub name: String,
    /// Level.
    pub level: Level,
    /// Feature index in its layer's tiles and values arrays.
    pub feature_index: u32,
    /// For an LSOA, the House of Commons Library MSOA neighbourhood name ("Jaywick & St Osyth").
    pub neighbourhood: Option<String>,
    /// Parent ward (2024 for LSOA 2021, 2017 for LSOA 2011).
    pub ward: Option<NamedArea>,
    /// Local authority district.
    pub lad: Option<NamedArea>,
    /// Region.
    pub region: Option<NamedArea>,
    /// `[west, south, east, north]` in WGS84 degrees.
    pub bbox_wgs84: [f64; 4],
    /// Every indicator published for this area.
    pub indicators: Vec<AreaIndicator>,
    /// Left-behind status, where the level has one.
    pub left_behind: Option<LeftBehindStatus>,
    /// Areas of the same level sharing a border.
    pub neighbours: Vec<NamedArea>,
    /// For a larger area (local authority, region): how its summary figures were made, said once.
    #[serde(default)]
    pub summary_method: Option<String>,
    /// For a larger area: how many of its neighbourhoods are left behind.
    #[serde(default)]
    pub left_behind_count: Option<LeftBehindCount>,
    /// The same place in the other LSOA vintage: for an LSOA 2011 the LSOA 2021 areas it became,
    /// for an LSOA 2021 the LSOA 2011 areas it came from (ONS lookup with its change codes).
    #[serde(default)]
    pub counterparts: Vec<Counterpart>,
}

/// An area of another vintage that covers the same place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counterpart {
    /// Its level (`lsoa21` or `lsoa11`).
    pub level: Level,
    /// Code and name.
    pub area: NamedArea,
    /// How the 2011 area became the 2021 one, in words ("unchanged", "split", "merged",
    /// "redrawn").
    pub change: String,
}

/// How many neighbourhoods of a larger area are left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftBehindCount {
    /// Left-behind neighbourhoods inside.
    pub count: u32,
    /// Neighbourhoods inside.
    pub of: u32,
    /// How the count was made, in words.
    pub method: String,
}

/// One named summary measure of a larger area ("Share of its 90 neighbourhoods in the most
/// deprived 10%": 0.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryMeasure {
    /// Stable id: `share_decile1`, `average_rank`, `rank_of_average_rank`.
    pub id: String,
    /// What it is, in words.
    pub label: String,
    /// The value.
    pub value: f64,
    /// The value as shown ("50%", "4,012.3", "5 of 296").
    pub text: String,
}

/// One indicator's value for one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaIndicator {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Score, when published.
    pub score: Option<f64>,
    /// Rank (1 = most deprived / highest need).
    pub rank: Option<u32>,
    /// Ranked out of.
    pub of: u32,
    /// Decile, published or derived.
    pub decile: Option<u8>,
    /// One line of plain words ("Among the 10% most deprived neighbourhoods in England").
    pub meaning: String,
    /// What the score is and which way it runs, when a score is shown.
    #[serde(default)]
    pub score_meaning: Option<String>,
    /// For a larger area: its summary measures, each named.
    #[serde(default)]
    pub measures: Vec<SummaryMeasure>,
}

/// Whether an area is "left behind" and how that was decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftBehindStatus {
    /// The verdict.
    pub left_behind: bool,
    /// How it was made ("CNI 2023 rank 1,204 and IMD 2025 rank 3 are both within the worst 10%
    /// (rank ≤ 3,375) ...", or "official list of 225 left-behind wards, OCSI 2019").
    pub method: String,
}

/// The kind of thing a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A full postcode.
    Postcode,
    /// A postcode sector ("CO15 2").
    PostcodeSector,
    /// A postcode outcode ("CO15").
    PostcodeOutcode,
    /// A House of Commons Library MSOA neighbourhood name.
    Neighbourhood,
    /// A ward.
    Ward,
    /// A parish.
    Parish,
    /// A local authority.
    LocalAuthority,
    /// An LSOA (by name or code).
    Lsoa,
    /// A town or village (GeoNames); `lsoa21` is the LSOA 2021 containing its point.
    Town,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// Display name ("CO15 2EQ", "Jaywick & St Osyth").
    pub name: String,
    /// Kind.
    pub kind: HitKind,
    /// The thing's own code where it has one.
    pub code: Option<String>,
    /// Context to tell similar names apart ("Tendring, East of England").
    pub context: String,
    /// The LSOA 2021 it falls in, when known.
    pub lsoa21: Option<String>,
    /// The ward it belongs to, when known.
    pub ward: Option<String>,
    /// `[lon, lat]` to fly to.
    pub point_wgs84: Option<[f64; 2]>,
    /// `[west, south, east, north]` to fit, for areas.
    pub bbox_wgs84: Option<[f64; 4]>,
    /// For a town or village: the code of the local authority district (2024) it lies in, so
    /// that the app can offer the whole council (a town covers many neighbourhoods). Absent
    /// for other hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lad_code: Option<String>,
}

/// `GET /api/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// The query as understood.
    pub query: String,
    /// Hits, best first.
    pub hits: Vec<SearchHit>,
    /// A message for the user when something needs saying ("CO15 9ZZ is not in the 2017 postcode
    /// file: it may be newer than the data").
    pub message: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable kind (`not_found`, `bad_request`, ...).
    pub error: String,
    /// A sentence for people.
    pub message: String,
}

/// One cell of `GET /api/table?format=json`: a whole number, a number or text (`null` when the
/// area has no value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum TableCell {
    /// Ranks, deciles.
    Whole(u32),
    /// Scores, shares, average ranks.
    Number(f64),
    /// Codes, names.
    Text(String),
}

/// How one column of a table was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnMethod {
    /// Column id (`imd2025.share_decile1`), or the filter it explains (`left_behind=10`).
    pub column: String,
    /// The method in one sentence.
    pub method: String,
}

/// `GET /api/table?format=json`: the rows of a table query, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableResponse {
    /// The level of the rows.
    pub level: Level,
    /// The query as query-string parameters (`level=lad24&columns=...&sort=...`).
    pub query: String,
    /// Column ids, `code` and `name` first; each row has one cell per column.
    pub columns: Vec<String>,
    /// Rows that pass the filters.
    pub count: u32,
    /// Rows at the level before filtering.
    pub of: u32,
    /// The sources of the values shown, with their attribution.
    pub sources: Vec<String>,
    /// How each indicator column (and each rule filter) was made.
    pub methods: Vec<ColumnMethod>,
    /// The rows, each a list of cells in column order.
    pub rows: Vec<Vec<Option<TableCell>>>,
}
