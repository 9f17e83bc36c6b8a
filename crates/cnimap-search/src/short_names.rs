//! Short names of councils, derived from their official names rather than from a hand list, so
//! that "Hull" finds "Kingston upon Hull, City of" and "Bristol" finds "Bristol, City of" as
//! exactly as their full names do.
//!
//! Two rules, on the normalised official name of each local authority:
//! 1. ONS writes a city or county council with its title after a comma: `"Bristol, City of"`,
//!    `"Herefordshire, County of"`. The name before the comma is a short name (`"bristol"`). A
//!    title written first (`"City of London"`) is part of the name and stays.
//! 2. A name of the form `"A upon B"`, `"A-on-B"` or `"A-under-B"` (`"Newcastle upon Tyne"`,
//!    `"Stoke-on-Trent"`) is usually called A (`"newcastle"`, `"stoke"`): B is the river or the
//!    sea. Where the council's own ward, parish and neighbourhood names never use A but do use B
//!    as a word, the place goes by B: Kingston upon Hull has a "Hull City Centre" and no
//!    "Kingston ...", so it is `"hull"`.
//!
//! A town (GeoNames) whose normalised name is a council's name without its title (the town
//! "Kingston upon Hull") gets the council's short names too.

use std::collections::HashMap;

use cnimap_core::api::HitKind;

use crate::gazetteer::Place;

/// The words that join a settlement to its river or sea in a place name.
const JOINS: [&str; 3] = ["upon", "on", "under"];

/// Extra normalised names for places: `(place index, name)`, never a place's own name.
pub(crate) fn short_names(places: &[Place]) -> Vec<(u32, String)> {
    // Words used by each council's own smaller places (wards, parishes, neighbourhoods).
    let mut local_words: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in places {
        if matches!(
            p.kind,
            HitKind::Ward | HitKind::Parish | HitKind::Neighbourhood
        ) && !p.lad.is_empty()
        {
            local_words
                .entry(p.lad.as_str())
                .or_default()
                .extend(p.norm.split(' '));
        }
    }
    let mut out = Vec::new();
    // Council base name (title dropped) -> its short names, for the towns.
    let mut by_base: HashMap<String, Vec<String>> = HashMap::new();
    for (i, p) in places.iter().enumerate() {
        if p.kind != HitKind::LocalAuthority {
            continue;
        }
        let base = untitled(&p.name).map_or_else(|| p.norm.clone(), crate::normalise::normalise);
        let mut names = Vec::new();
        if base != p.norm {
            names.push(base.clone());
        }
        let words = local_words
            .get(p.name.as_str())
            .map_or(&[][..], Vec::as_slice);
        if let Some(short) = river_short_name(&base, words) {
            names.push(short);
        }
        names.retain(|n| !n.is_empty() && *n != p.norm);
        names.dedup();
        out.extend(names.iter().map(|n| (i as u32, n.clone())));
        by_base.entry(base).or_default().extend(names);
    }
    for (i, p) in places.iter().enumerate() {
        if p.kind == HitKind::Town {
            if let Some(names) = by_base.get(&p.norm) {
                out.extend(
                    names
                        .iter()
                        .filter(|n| **n != p.norm)
                        .map(|n| (i as u32, n.clone())),
                );
            }
        }
    }
    out
}

/// `"Bristol"` for `"Bristol, City of"`: the name before a trailing `", <Title> of"`.
fn untitled(name: &str) -> Option<&str> {
    let (base, title) = name.rsplit_once(", ")?;
    let title = title.trim();
    (title.ends_with(" of") && title.split(' ').count() <= 3).then_some(base.trim())
}

/// The short name of `"a upon b"` (normalised), by rule 2 of the module docs; `local` are the
/// words of the council's own smaller places.
fn river_short_name(base: &str, local: &[&str]) -> Option<String> {
    let words: Vec<&str> = base.split(' ').collect();
    let at = words.iter().position(|w| JOINS.contains(w))?;
    if at == 0 || at + 1 == words.len() {
        return None;
    }
    let (a, b) = (words[..at].join(" "), words[at + 1..].join(" "));
    let uses = |part: &str| part.split(' ').all(|w| local.contains(&w));
    if !uses(&a) && uses(&b) {
        Some(b)
    } else {
        Some(a)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::normalise::normalise;

    fn place(name: &str, kind: HitKind, lad: &str) -> Place {
        Place {
            name: name.to_owned(),
            norm: normalise(name),
            kind,
            code: String::new(),
            lad: lad.to_owned(),
            region: String::new(),
            vintage: 2024,
            point_wgs84: None,
            size: 0,
            lsoa21: None,
        }
    }

    fn names_of(places: &[Place], i: u32) -> Vec<String> {
        short_names(places)
            .into_iter()
            .filter(|(p, _)| *p == i)
            .map(|(_, n)| n)
            .collect()
    }

    #[rstest]
    #[case::city_title_after_a_comma("Bristol, City of", &["bristol"])]
    #[case::county_title_after_a_comma("Herefordshire, County of", &["herefordshire"])]
    #[case::title_first_is_part_of_the_name("City of London", &[])]
    #[case::upon_a_river("Newcastle upon Tyne", &["newcastle"])]
    #[case::hyphenated_on("Stoke-on-Trent", &["stoke"])]
    #[case::under("Newcastle-under-Lyme", &["newcastle"])]
    #[case::plain_name("Tendring", &[])]
    #[case::a_list_after_a_comma("Bournemouth, Christchurch and Poole", &[])]
    fn councils_get_short_names_from_their_official_names(
        #[case] name: &str,
        #[case] expected: &[&str],
    ) {
        let places = vec![place(name, HitKind::LocalAuthority, name)];
        assert_eq!(names_of(&places, 0), expected);
    }

    #[test]
    fn a_council_whose_own_places_use_the_river_part_goes_by_it() {
        let lad = "Kingston upon Hull, City of";
        let places = vec![
            place(lad, HitKind::LocalAuthority, lad),
            place("Hull City Centre", HitKind::Neighbourhood, lad),
            place("Sutton", HitKind::Ward, lad),
            place("Kingston upon Hull", HitKind::Town, ""),
        ];
        assert_eq!(names_of(&places, 0), ["kingston upon hull", "hull"]);
        assert_eq!(names_of(&places, 3), ["hull"]);
    }

    #[test]
    fn a_council_whose_own_places_use_both_parts_keeps_the_first() {
        let lad = "Stoke-on-Trent";
        let places = vec![
            place(lad, HitKind::LocalAuthority, lad),
            place("Stoke", HitKind::Ward, lad),
            place("Trent Vale & Oak Hill", HitKind::Ward, lad),
        ];
        assert_eq!(names_of(&places, 0), ["stoke"]);
    }
}
