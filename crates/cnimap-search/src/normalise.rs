//! Text normalisation so that case, punctuation and "&" versus "and" never decide a match.
//!
//! `"Jaywick & St. Osyth"` and `"jaywick and saint osyth"` both become `"jaywick and st osyth"`:
//! lower case, `&` spelled `and`, the word `saint` spelled `st`, apostrophes and full stops dropped
//! (`Queen's` -> `queens`), every other run of punctuation or whitespace (hyphens included:
//! `Clacton-on-Sea` -> `clacton on sea`) one space, common accented Latin letters folded to ASCII.

/// Normalises a name or a query. The result has single spaces between words and none at the ends.
pub fn normalise(text: &str) -> String {
    let out = fold(text);
    if out.split(' ').any(|w| w == "saint") {
        out.split(' ')
            .map(|w| if w == "saint" { "st" } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        out
    }
}

/// Lower case, `and`, accents and punctuation as in [`normalise`], without the word spellings.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut pending_space = false;
    fn push_word_char(out: &mut String, c: char, pending: &mut bool) {
        if *pending && !out.is_empty() {
            out.push(' ');
        }
        *pending = false;
        out.push(c);
    }
    for c in text.chars() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '.' | '`' => {}
            '&' | '+' => {
                pending_space = true;
                for a in "and".chars() {
                    push_word_char(&mut out, a, &mut pending_space);
                }
                pending_space = true;
            }
            c if c.is_ascii_alphanumeric() => {
                push_word_char(&mut out, c.to_ascii_lowercase(), &mut pending_space);
            }
            c if c.is_alphanumeric() => {
                for l in c.to_lowercase() {
                    push_word_char(&mut out, fold_accent(l), &mut pending_space);
                }
            }
            _ => pending_space = true,
        }
    }
    out
}

/// Folds a lower-case accented Latin letter to its ASCII base letter; other characters unchanged.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'ŵ' => 'w',
        other => other,
    }
}

/// The query as shown back to the user: trimmed, inner whitespace runs collapsed to one space.
pub fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::ampersand_becomes_and("Jaywick & St Osyth", "jaywick and st osyth")]
    #[case::and_stays_and("jaywick and st osyth", "jaywick and st osyth")]
    #[case::ampersand_without_spaces("Jaywick&St Osyth", "jaywick and st osyth")]
    #[case::apostrophe_is_dropped("Queen's Park", "queens park")]
    #[case::full_stop_is_dropped("St. Osyth", "st osyth")]
    #[case::hyphens_and_commas_split_words(
        "Ham, Petersham-and-Richmond",
        "ham petersham and richmond"
    )]
    #[case::brackets_split_words("Hunmanby (part Ryedale)", "hunmanby part ryedale")]
    #[case::whitespace_collapses("  Tendring   018A ", "tendring 018a")]
    #[case::accents_fold("Café Señor", "cafe senor")]
    #[case::saint_is_st("Saint Osyth", "st osyth")]
    #[case::st_dot_is_st("St. Osyth", "st osyth")]
    #[case::saint_inside_a_word_stays("Saintbury", "saintbury")]
    #[case::hyphens_are_spaces("Clacton-on-Sea", "clacton on sea")]
    #[case::curly_apostrophe_is_dropped("King\u{2019}s Lynn", "kings lynn")]
    #[case::only_punctuation_is_empty(" -/- ", "")]
    fn normalise_makes_spelling_variants_equal(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(normalise(input), expected);
    }

    #[test]
    fn tidy_collapses_whitespace_but_keeps_case() {
        assert_eq!(tidy("  Co15   2eq "), "Co15 2eq");
    }
}
