//! Which page the address asks for (the map, or an area's profile at `/area/{code}` or
//! `?profile=CODE`), and the URL words of issue 13's other views: the comparison
//! (`compare=CODE,CODE`) and the embeddable map (`embed=1`). Pure, so unit-tested natively.

use cnimap_core::profile::{normalise_code, parse_compared};

/// Percent-decodes a path segment or query value (`+` is a space); invalid escapes stay as
/// they are.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The folder segment of a profile's path: `/area/{code}`.
pub const PROFILE_SEGMENT: &str = "area";

/// The query word of a profile on a static host that cannot rewrite paths.
pub const PROFILE_PARAM: &str = "profile";

/// The page the address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The map (with its panel, table, comparison...).
    Map,
    /// An area's profile.
    Profile {
        /// The area's code, normalised.
        code: String,
        /// Whether the address was `?profile=CODE` (links then stay in that form).
        by_query: bool,
    },
}

/// The page of a path (`location.pathname`) and query (`location.search`): `/area/{code}` (under
/// any sub-path) or `?profile=CODE`; the map otherwise.
pub fn page_of(path: &str, query: &str) -> Page {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let [.., folder, code] = segments[..] {
        if folder == PROFILE_SEGMENT {
            if let Some(code) = normalise_code(&decode(code)) {
                return Page::Profile {
                    code,
                    by_query: false,
                };
            }
        }
    }
    for pair in query.trim_start_matches('?').split('&') {
        if let Some((PROFILE_PARAM, value)) = pair.split_once('=') {
            if let Some(code) = normalise_code(&decode(value)) {
                return Page::Profile {
                    code,
                    by_query: true,
                };
            }
        }
    }
    Page::Map
}

/// The link to an area's profile, relative to the site's root (the profile page's `<base>`
/// points there too): `area/{code}`, or `?profile={code}` when the current page was opened that
/// way (a static host without the rewrite).
pub fn profile_href(code: &str, by_query: bool) -> String {
    let code = crate::endpoints::encode(code);
    if by_query {
        format!("./?{PROFILE_PARAM}={code}")
    } else {
        format!("{PROFILE_SEGMENT}/{code}")
    }
}

/// The link back to the map with the area selected, relative to the site's root.
pub fn map_href(code: &str) -> String {
    format!("./?a={}", crate::endpoints::encode(code))
}

/// Issue 13's URL words on the map page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageParams {
    /// Areas compared side by side (`compare=CODE,CODE`, at most four).
    pub compare: Vec<String>,
    /// The embeddable view (`embed=1`): the map and its legend only.
    pub embed: bool,
}

impl PageParams {
    /// Reads `key=value` into `params` when the key is one of these words; `false` otherwise.
    pub fn read_param(params: &mut PageParams, key: &str, value: &str) -> bool {
        match key {
            "compare" => params.compare = parse_compared(value),
            "embed" => params.embed = matches!(value, "1" | "true" | "yes"),
            _ => return false,
        }
        true
    }

    /// The words to write (nothing for defaults).
    pub fn to_params(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.compare.is_empty() {
            let codes: Vec<String> = self
                .compare
                .iter()
                .map(|c| crate::endpoints::encode(c))
                .collect();
            out.push(format!("compare={}", codes.join(",")));
        }
        if self.embed {
            out.push("embed=1".to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(code: &str, by_query: bool) -> Page {
        Page::Profile {
            code: code.into(),
            by_query,
        }
    }

    #[test]
    fn a_profile_is_found_by_path_under_any_sub_path_or_by_query() {
        assert_eq!(page_of("/area/E01021988", ""), profile("E01021988", false));
        assert_eq!(
            page_of("/maps/cnimap/area/e07000076/", "?x=1"),
            profile("E07000076", false)
        );
        assert_eq!(
            page_of("/", "?i=imd2025&profile=E05004134"),
            profile("E05004134", true)
        );
        assert_eq!(page_of("/", "?i=imd2025&a=E01021988"), Page::Map);
        assert_eq!(page_of("/area/", ""), Page::Map);
        assert_eq!(page_of("/area/%3Cscript%3E", ""), Page::Map);
        assert_eq!(page_of("/index.html", ""), Page::Map);
    }

    #[test]
    fn escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(decode("E0102%31988"), "E01021988");
        assert_eq!(decode("a+b%zz%4"), "a b%zz%4");
        assert_eq!(
            page_of("/area/e0102%31988", ""),
            profile("E01021988", false)
        );
    }

    #[test]
    fn profile_links_keep_the_form_the_page_was_opened_with() {
        assert_eq!(profile_href("E01021988", false), "area/E01021988");
        assert_eq!(profile_href("E01021988", true), "./?profile=E01021988");
        assert_eq!(map_href("E01021988"), "./?a=E01021988");
    }

    #[test]
    fn compare_and_embed_round_trip_and_defaults_write_nothing() {
        let mut p = PageParams::default();
        assert!(p.to_params().is_empty());
        assert!(PageParams::read_param(
            &mut p,
            "compare",
            "E01021988,e07000076"
        ));
        assert!(PageParams::read_param(&mut p, "embed", "1"));
        assert!(!PageParams::read_param(&mut p, "i", "imd2025"));
        assert_eq!(
            p.to_params(),
            vec!["compare=E01021988,E07000076", "embed=1"]
        );
    }
}
