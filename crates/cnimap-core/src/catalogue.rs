//! The indicator catalogue: every measure the map can show, where it comes from and how to read it.
//!
//! The catalogue is static data shared by the server (which fills in values) and the browser (which
//! shows titles, descriptions and legends), so the words a user reads are the same everywhere.

use serde::Serialize;

use crate::level::Level;

/// Which way the numbers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// English Indices of Deprivation: rank 1 and decile 1 are the most deprived.
    MostDeprivedFirst,
    /// Community Needs Index: rank 1 and decile 1 are the highest community need.
    HighestNeedFirst,
}

impl Direction {
    /// "rank 1 = most deprived" or "rank 1 = highest need".
    pub fn rank_phrase(self) -> &'static str {
        match self {
            Direction::MostDeprivedFirst => "rank 1 = most deprived",
            Direction::HighestNeedFirst => "rank 1 = highest need",
        }
    }

    /// Plain words for decile 1, given the kind of area ("neighbourhoods", "wards").
    pub fn decile_one_phrase(self, areas: &str) -> String {
        match self {
            Direction::MostDeprivedFirst => {
                format!("1 = the most deprived 10% of {areas} in England")
            }
            Direction::HighestNeedFirst => {
                format!("1 = the 10% of {areas} in England with the highest community need")
            }
        }
    }
}

/// A published dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// English Indices of Deprivation 2025 (MHCLG).
    Iod2025,
    /// English Indices of Deprivation 2019 (MHCLG).
    Iod2019,
    /// Community Needs Index 2023 (OCSI for Local Trust).
    Cni2023,
    /// Community Needs Index 2019 (OCSI for Local Trust).
    Cni2019,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 4] = [
        Source::Iod2025,
        Source::Iod2019,
        Source::Cni2023,
        Source::Cni2019,
    ];

    /// The dataset's name.
    pub fn title(self) -> &'static str {
        match self {
            Source::Iod2025 => "English Indices of Deprivation 2025",
            Source::Iod2019 => "English Indices of Deprivation 2019",
            Source::Cni2023 => "Community Needs Index 2023",
            Source::Cni2019 => "Community Needs Index 2019",
        }
    }

    /// The attribution line to show wherever its numbers appear.
    pub fn attribution(self) -> &'static str {
        match self {
            Source::Iod2025 => "English Indices of Deprivation 2025, Ministry of Housing, Communities and Local Government. Open Government Licence v3.0.",
            Source::Iod2019 => "English Indices of Deprivation 2019, Ministry of Housing, Communities and Local Government. Open Government Licence v3.0.",
            Source::Cni2023 => "Community Needs Index 2023, OCSI / Local Trust (open data via the UK Data Service).",
            Source::Cni2019 => "Community Needs Index 2019, OCSI / Local Trust.",
        }
    }

    /// Publication year.
    pub fn year(self) -> u16 {
        match self {
            Source::Iod2025 => 2025,
            Source::Iod2019 => 2019,
            Source::Cni2023 => 2023,
            Source::Cni2019 => 2019,
        }
    }

    /// The geography the data is published on.
    pub fn level(self) -> Level {
        match self {
            Source::Iod2025 | Source::Cni2023 => Level::Lsoa21,
            Source::Iod2019 => Level::Lsoa11,
            Source::Cni2019 => Level::Ward17,
        }
    }

    /// Which way its ranks run.
    pub fn direction(self) -> Direction {
        match self {
            Source::Iod2025 | Source::Iod2019 => Direction::MostDeprivedFirst,
            Source::Cni2023 | Source::Cni2019 => Direction::HighestNeedFirst,
        }
    }
}

/// The attribution for the boundaries (ONS, OS).
pub const BOUNDARY_ATTRIBUTION: &str = "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains OS data © Crown copyright and database right.";

/// One indicator the map can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndicatorDef {
    /// Stable identifier used in URLs and the API (`imd2025`, `cni2023_civic`, ...).
    pub id: &'static str,
    /// Full title ("Income deprivation").
    pub title: &'static str,
    /// One plain-language sentence: what a high need or deprivation here means.
    pub description: &'static str,
    /// The dataset.
    pub source: Source,
    /// The overall index this belongs to, for domains and sub-domains (`None` for the index itself).
    pub parent: Option<&'static str>,
    /// `true` when the file publishes scores (IoD2019 tidy files carry ranks and deciles only).
    pub has_score: bool,
    /// `true` when deciles are published; `false` when cnimap derives them from the rank with
    /// [`crate::classify::decile_from_rank`] (the CNI publishes ranks only).
    pub decile_published: bool,
}

impl IndicatorDef {
    /// The geography the indicator is published on.
    pub fn level(&self) -> Level {
        self.source.level()
    }

    /// Which way its ranks run.
    pub fn direction(&self) -> Direction {
        self.source.direction()
    }

    /// Publication year.
    pub fn year(&self) -> u16 {
        self.source.year()
    }

    /// What its score is and which way it runs, in plain words, when scores are published.
    pub fn score_meaning(&self) -> Option<&'static str> {
        if !self.has_score {
            return None;
        }
        let is_index = self.parent.is_none();
        Some(match (self.source, self.id) {
            (Source::Iod2025 | Source::Iod2019, _) if is_index => {
                "Score: the seven domain scores combined with MHCLG's weights; higher means more deprived."
            }
            (Source::Iod2025 | Source::Iod2019, id) if id.ends_with("_income") => {
                "Score: the share of people living on a low income (0.25 = 25%); higher means more deprived."
            }
            (Source::Iod2025 | Source::Iod2019, id) if id.ends_with("_employment") => {
                "Score: the share of working-age people involuntarily out of work (0.25 = 25%); higher means more deprived."
            }
            (Source::Iod2025 | Source::Iod2019, _) => {
                "Score: MHCLG's standardised measure for this domain (around 0 for England as a whole); higher means more deprived."
            }
            (Source::Cni2023 | Source::Cni2019, _) if is_index => {
                "Score: OCSI's combined measure of the three domains; higher means more community need."
            }
            (Source::Cni2023 | Source::Cni2019, _) => {
                "Score: OCSI's measure for this domain; higher means more community need."
            }
        })
    }
}

/// Looks an indicator up by id.
pub fn find(id: &str) -> Option<&'static IndicatorDef> {
    CATALOGUE.iter().find(|d| d.id == id)
}

/// An indicator the catalogue knows, as a typed value: made only from the catalogue, so holding one
/// means the indicator exists. Serialised as its string id (`"imd2025"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndicatorId(u8);

/// An indicator id that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown indicator \"{0}\": see /api/indicators for the list")]
pub struct UnknownIndicator(pub String);

impl IndicatorId {
    /// Index of Multiple Deprivation 2025.
    pub const IMD2025: IndicatorId = IndicatorId::known("imd2025");
    /// Index of Multiple Deprivation 2019.
    pub const IMD2019: IndicatorId = IndicatorId::known("imd2019");
    /// Community Needs Index 2023.
    pub const CNI2023: IndicatorId = IndicatorId::known("cni2023");
    /// Community Needs Index 2019.
    pub const CNI2019: IndicatorId = IndicatorId::known("cni2019");

    /// The id of a catalogue entry, checked when the constant is compiled: an id missing from
    /// the catalogue stops the build.
    const fn known(id: &str) -> IndicatorId {
        let mut i = 0;
        while i < CATALOGUE.len() {
            if const_str_eq(CATALOGUE[i].id, id) {
                return IndicatorId(i as u8);
            }
            i += 1;
        }
        panic!("indicator id not in the catalogue");
    }

    /// Looks an id up in the catalogue.
    pub fn parse(id: &str) -> Result<IndicatorId, UnknownIndicator> {
        CATALOGUE
            .iter()
            .position(|d| d.id == id)
            .and_then(|i| u8::try_from(i).ok())
            .map(IndicatorId)
            .ok_or_else(|| UnknownIndicator(id.to_string()))
    }

    /// Every indicator, in catalogue order.
    pub fn all() -> impl Iterator<Item = IndicatorId> {
        (0..CATALOGUE.len()).filter_map(|i| u8::try_from(i).ok().map(IndicatorId))
    }

    /// Its catalogue entry.
    pub fn def(self) -> &'static IndicatorDef {
        // Made only from positions in CATALOGUE, so always in range.
        &CATALOGUE[usize::from(self.0)]
    }

    /// The string id (`imd2025`).
    pub fn as_str(self) -> &'static str {
        self.def().id
    }
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl std::fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for IndicatorId {
    type Err = UnknownIndicator;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndicatorId::parse(s)
    }
}

impl Serialize for IndicatorId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for IndicatorId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        IndicatorId::parse(&s).map_err(serde::de::Error::custom)
    }
}

const fn iod(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    source: Source,
    parent: Option<&'static str>,
) -> IndicatorDef {
    let is_2025 = matches!(source, Source::Iod2025);
    IndicatorDef {
        id,
        title,
        description,
        source,
        parent,
        has_score: is_2025,
        decile_published: true,
    }
}

const fn cni(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    source: Source,
    parent: Option<&'static str>,
) -> IndicatorDef {
    IndicatorDef {
        id,
        title,
        description,
        source,
        parent,
        has_score: true,
        decile_published: false,
    }
}

const IMD_DESC: &str = "Overall deprivation: income, jobs, education, health, crime, housing and living environment combined.";
const INCOME_DESC: &str = "Share of people on low incomes, in or out of work.";
const EMPLOYMENT_DESC: &str = "Share of working-age people involuntarily out of work through unemployment, sickness, disability or caring.";
const EDUCATION_DESC: &str =
    "Lack of attainment and skills among children, young people and adults.";
const HEALTH_DESC: &str =
    "Risk of early death and impaired quality of life through poor physical or mental health.";
const CRIME_DESC: &str =
    "Risk of personal and material victimisation: violence, burglary, theft and criminal damage.";
const HOUSING_DESC: &str = "Physical and financial access to housing and to local services.";
const ENVIRONMENT_DESC: &str = "Quality of the local environment, indoors (housing condition) and outdoors (air quality, road traffic accidents).";
const CYP_DESC: &str =
    "Attainment, absence and staying on in education among children and young people.";
const ADULT_SKILLS_DESC: &str =
    "Adults with low or no qualifications, or who cannot speak English well.";
const GEO_DESC: &str =
    "Road distance to a post office, primary school, GP surgery and general store or supermarket.";
const WIDER_DESC: &str = "Household overcrowding, homelessness and housing affordability.";
const INDOORS_DESC: &str =
    "Housing in poor condition or without central heating, and energy efficiency.";
const OUTDOORS_DESC: &str =
    "Air quality and road traffic accidents involving pedestrians and cyclists.";
const CNI_DESC: &str = "Community need: a lack of places to meet, poor connections to the wider economy and low civic engagement.";
const CIVIC_DESC: &str = "Few places to meet and take part: community centres, pubs, libraries, green space and sports facilities.";
const CONNECT_DESC: &str =
    "Poor connections: access to jobs, public transport, digital infrastructure and key services.";
const ENGAGED_DESC: &str =
    "Low civic and community activity: charities, volunteering, turnout and participation.";

/// Every indicator, grouped by source, each index before its domains.
pub const CATALOGUE: &[IndicatorDef] = &[
    // IoD 2025, LSOA 2021.
    iod(
        "imd2025",
        "Index of Multiple Deprivation 2025",
        IMD_DESC,
        Source::Iod2025,
        None,
    ),
    iod(
        "imd2025_income",
        "Income",
        INCOME_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_employment",
        "Employment",
        EMPLOYMENT_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_education",
        "Education, Skills and Training",
        EDUCATION_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_health",
        "Health Deprivation and Disability",
        HEALTH_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_crime",
        "Crime",
        CRIME_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_housing",
        "Barriers to Housing and Services",
        HOUSING_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_environment",
        "Living Environment",
        ENVIRONMENT_DESC,
        Source::Iod2025,
        Some("imd2025"),
    ),
    iod(
        "imd2025_cyp",
        "Children and Young People (sub-domain)",
        CYP_DESC,
        Source::Iod2025,
        Some("imd2025_education"),
    ),
    iod(
        "imd2025_adult_skills",
        "Adult Skills (sub-domain)",
        ADULT_SKILLS_DESC,
        Source::Iod2025,
        Some("imd2025_education"),
    ),
    iod(
        "imd2025_geographical_barriers",
        "Geographical Barriers (sub-domain)",
        GEO_DESC,
        Source::Iod2025,
        Some("imd2025_housing"),
    ),
    iod(
        "imd2025_wider_barriers",
        "Wider Barriers (sub-domain)",
        WIDER_DESC,
        Source::Iod2025,
        Some("imd2025_housing"),
    ),
    iod(
        "imd2025_indoors",
        "Indoors Living Environment (sub-domain)",
        INDOORS_DESC,
        Source::Iod2025,
        Some("imd2025_environment"),
    ),
    iod(
        "imd2025_outdoors",
        "Outdoors Living Environment (sub-domain)",
        OUTDOORS_DESC,
        Source::Iod2025,
        Some("imd2025_environment"),
    ),
    // CNI 2023, LSOA 2021.
    cni(
        "cni2023",
        "Community Needs Index 2023",
        CNI_DESC,
        Source::Cni2023,
        None,
    ),
    cni(
        "cni2023_civic",
        "Civic Assets",
        CIVIC_DESC,
        Source::Cni2023,
        Some("cni2023"),
    ),
    cni(
        "cni2023_connectedness",
        "Connectedness",
        CONNECT_DESC,
        Source::Cni2023,
        Some("cni2023"),
    ),
    cni(
        "cni2023_engaged",
        "Active and Engaged Community",
        ENGAGED_DESC,
        Source::Cni2023,
        Some("cni2023"),
    ),
    // IoD 2019, LSOA 2011.
    iod(
        "imd2019",
        "Index of Multiple Deprivation 2019",
        IMD_DESC,
        Source::Iod2019,
        None,
    ),
    iod(
        "imd2019_income",
        "Income",
        INCOME_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_employment",
        "Employment",
        EMPLOYMENT_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_education",
        "Education, Skills and Training",
        EDUCATION_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_health",
        "Health Deprivation and Disability",
        HEALTH_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_crime",
        "Crime",
        CRIME_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_housing",
        "Barriers to Housing and Services",
        HOUSING_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_environment",
        "Living Environment",
        ENVIRONMENT_DESC,
        Source::Iod2019,
        Some("imd2019"),
    ),
    iod(
        "imd2019_cyp",
        "Children and Young People (sub-domain)",
        CYP_DESC,
        Source::Iod2019,
        Some("imd2019_education"),
    ),
    iod(
        "imd2019_adult_skills",
        "Adult Skills (sub-domain)",
        ADULT_SKILLS_DESC,
        Source::Iod2019,
        Some("imd2019_education"),
    ),
    iod(
        "imd2019_geographical_barriers",
        "Geographical Barriers (sub-domain)",
        GEO_DESC,
        Source::Iod2019,
        Some("imd2019_housing"),
    ),
    iod(
        "imd2019_wider_barriers",
        "Wider Barriers (sub-domain)",
        WIDER_DESC,
        Source::Iod2019,
        Some("imd2019_housing"),
    ),
    iod(
        "imd2019_indoors",
        "Indoors Living Environment (sub-domain)",
        INDOORS_DESC,
        Source::Iod2019,
        Some("imd2019_environment"),
    ),
    iod(
        "imd2019_outdoors",
        "Outdoors Living Environment (sub-domain)",
        OUTDOORS_DESC,
        Source::Iod2019,
        Some("imd2019_environment"),
    ),
    // CNI 2019, ward 2017.
    cni(
        "cni2019",
        "Community Needs Index 2019",
        CNI_DESC,
        Source::Cni2019,
        None,
    ),
    cni(
        "cni2019_civic",
        "Civic Assets",
        CIVIC_DESC,
        Source::Cni2019,
        Some("cni2019"),
    ),
    cni(
        "cni2019_connectedness",
        "Connectedness",
        CONNECT_DESC,
        Source::Cni2019,
        Some("cni2019"),
    ),
    cni(
        "cni2019_engaged",
        "Active and Engaged Community",
        ENGAGED_DESC,
        Source::Cni2019,
        Some("cni2019"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_parents_exist_in_the_same_source() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate indicator ids");
        for def in CATALOGUE {
            if let Some(parent) = def.parent {
                let p =
                    find(parent).unwrap_or_else(|| panic!("{}: parent {parent} missing", def.id));
                assert_eq!(p.source, def.source, "{}", def.id);
            }
        }
    }

    #[test]
    fn every_published_score_says_which_way_it_runs() {
        for def in CATALOGUE {
            match def.score_meaning() {
                Some(m) => {
                    assert!(def.has_score, "{}", def.id);
                    assert!(m.contains("higher means more"), "{}: {m}", def.id);
                }
                None => assert!(!def.has_score, "{}", def.id),
            }
        }
    }

    #[test]
    fn indicator_ids_round_trip_through_text_and_json() {
        assert_eq!(IndicatorId::all().count(), CATALOGUE.len());
        for id in IndicatorId::all() {
            assert_eq!(IndicatorId::parse(id.as_str()), Ok(id));
            let json = serde_json::to_string(&id).unwrap_or_default();
            assert_eq!(json, format!("\"{id}\""));
            assert_eq!(serde_json::from_str::<IndicatorId>(&json).ok(), Some(id));
        }
        assert_eq!(
            IndicatorId::IMD2025.def().title,
            "Index of Multiple Deprivation 2025"
        );
        assert_eq!(IndicatorId::CNI2019.def().source, Source::Cni2019);
        assert!(IndicatorId::parse("imd2026").is_err());
        assert!(serde_json::from_str::<IndicatorId>("\"imd2026\"").is_err());
    }

    #[test]
    fn cni_deciles_are_derived_and_iod_deciles_published() {
        for def in CATALOGUE {
            let is_cni = matches!(def.source, Source::Cni2019 | Source::Cni2023);
            assert_eq!(def.decile_published, !is_cni, "{}", def.id);
        }
    }

    #[test]
    fn decile_one_is_described_in_plain_words() {
        let s = Direction::MostDeprivedFirst.decile_one_phrase("neighbourhoods");
        assert_eq!(s, "1 = the most deprived 10% of neighbourhoods in England");
    }
}

/// One line of plain words for a decile: "Among the 10% most deprived neighbourhoods in England".
/// `areas` names the kind of area ("neighbourhoods", "wards").
pub fn decile_meaning(direction: Direction, decile: u8, areas: &str) -> String {
    let (worst, best) = match direction {
        Direction::MostDeprivedFirst => ("most deprived", "least deprived"),
        Direction::HighestNeedFirst => ("highest-need", "lowest-need"),
    };
    match decile {
        1 => format!("Among the 10% {worst} {areas} in England"),
        10 => format!("Among the 10% {best} {areas} in England"),
        2..=5 => format!(
            "Among the {}% {worst} {areas} in England (decile {decile} of 10)",
            u32::from(decile) * 10
        ),
        6..=9 => format!(
            "Among the {}% {best} {areas} in England (decile {decile} of 10)",
            u32::from(11 - decile) * 10
        ),
        _ => "No value published for this area".to_string(),
    }
}

#[cfg(test)]
mod meaning_tests {
    use super::*;

    #[test]
    fn decile_meanings_name_the_direction_and_the_share() {
        assert_eq!(
            decile_meaning(Direction::MostDeprivedFirst, 1, "neighbourhoods"),
            "Among the 10% most deprived neighbourhoods in England"
        );
        assert_eq!(
            decile_meaning(Direction::HighestNeedFirst, 10, "wards"),
            "Among the 10% lowest-need wards in England"
        );
        assert_eq!(
            decile_meaning(Direction::MostDeprivedFirst, 3, "neighbourhoods"),
            "Among the 30% most deprived neighbourhoods in England (decile 3 of 10)"
        );
        assert_eq!(
            decile_meaning(Direction::HighestNeedFirst, 8, "wards"),
            "Among the 30% lowest-need wards in England (decile 8 of 10)"
        );
        for d in 1..=10u8 {
            let m = decile_meaning(Direction::MostDeprivedFirst, d, "areas");
            assert!(!m.contains("than"), "decile {d}: {m}");
        }
        assert_eq!(
            decile_meaning(Direction::MostDeprivedFirst, 0, "x"),
            "No value published for this area"
        );
    }
}
