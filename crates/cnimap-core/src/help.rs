//! Help in plain words: the five questions a resident asks of the map, answered for a reading age
//! of about 12, each with its sources, and the Flesch–Kincaid measure that keeps them so.
//!
//! The browser shows each answer one click from where its question arises (the legend, the area
//! panel's code, the left-behind view). The tests measure every answer with
//! [`flesch_kincaid_grade`] and ask for grade 7 or less, a reading age of 12 ([`reading_age`]).

/// A page an answer rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpSource {
    /// What the page is, in words.
    pub title: &'static str,
    /// Its address.
    pub url: &'static str,
}

/// One question and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpTopic {
    /// The question, as a resident would ask it.
    pub question: &'static str,
    /// The answer, a paragraph per entry.
    pub answer: &'static [&'static str],
    /// Where the facts come from.
    pub sources: &'static [HelpSource],
}

/// The questions the help answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HelpId {
    /// What is the Community Needs Index?
    CommunityNeeds,
    /// What is deprivation?
    Deprivation,
    /// What does decile 1 mean?
    Decile,
    /// Why is my neighbourhood called E01021988?
    AreaCode,
    /// What is a left-behind neighbourhood and who decided?
    LeftBehind,
}

const IOD_2025: HelpSource = HelpSource {
    title: "English Indices of Deprivation 2025 (Ministry of Housing, Communities and Local Government)",
    url: "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
};
const IOD_2019: HelpSource = HelpSource {
    title: "English Indices of Deprivation 2019 (Ministry of Housing, Communities and Local Government)",
    url: "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
};
const LEFT_BEHIND_REPORT: HelpSource = HelpSource {
    title: "Left behind? Understanding communities on the edge (Local Trust and OCSI, 2019)",
    url: "https://localtrust.org.uk/insights/research/left-behind-understanding-communities-on-the-edge/",
};
const CNI_DATA: HelpSource = HelpSource {
    title: "Community Needs Index 2023 for each neighbourhood (OCSI for Local Trust, as published in the IMD R package)",
    url: "https://github.com/humaniverse/IMD",
};
const ONS_GEOGRAPHIES: HelpSource = HelpSource {
    title:
        "Statistical geographies: Lower layer Super Output Areas (Office for National Statistics)",
    url: "https://www.ons.gov.uk/methodology/geography/ukgeographies/statisticalgeographies",
};

const COMMUNITY_NEEDS: HelpTopic = HelpTopic {
    question: "What is the Community Needs Index?",
    answer: &[
        "The Community Needs Index looks at what a place has, not at what its people have.",
        "It asks three things. Are there places to meet, like halls, cafés and parks? Is it easy \
         to get to work, to a doctor or to the shops? Do people take part in local life, such as \
         clubs and groups?",
        "A place with few of these things is said to have high need. OCSI, a research firm, made \
         the index for Local Trust, a charity. This map shows the 2023 and the 2019 index.",
    ],
    sources: &[LEFT_BEHIND_REPORT, CNI_DATA],
};

const DEPRIVATION: HelpTopic = HelpTopic {
    question: "What is deprivation?",
    answer: &[
        "Deprivation means people lack things that most of us need for a good life.",
        "The government measures it for every small area in England. It looks at seven things: \
         money, jobs, school and skills, health, crime, homes and services, and the place people \
         live in. It adds them up into one score. This is the Index of Multiple Deprivation, or \
         IMD.",
        "A deprived area is not a bad place. It is a place where more people face these problems. \
         Not everyone who lives there is poor. The newest figures are from 2025.",
    ],
    sources: &[IOD_2025, IOD_2019],
};

const DECILE: HelpTopic = HelpTopic {
    question: "What does decile 1 mean?",
    answer: &[
        "Take all the small areas in England and put them in a line. The most deprived, or the \
         one with the most need, goes first. The line is then cut into ten groups of the same \
         size. Each group is a decile.",
        "Decile 1 is the first tenth of the line: the areas that are worst off on that measure. \
         Decile 10 is the last tenth: the areas that are best off. On the map, decile 1 has the \
         darkest colour.",
        "The rank tells you the exact place in the line. Rank 1 is the very first.",
    ],
    sources: &[IOD_2025],
};

const AREA_CODE: HelpTopic = HelpTopic {
    question: "Why is my neighbourhood called E01021988?",
    answer: &[
        "To count things in a fair way, the Office for National Statistics cuts England into small \
         areas of about the same size. Each one has about 1,500 people, or 650 homes. They are \
         called Lower layer Super Output Areas, or LSOAs for short.",
        "Each area has a code. The E is for England. The numbers tell one area from the next. A \
         code stays the same when a name changes, so the figures stay tied to the right place.",
        "The name, such as Tendring 018A, is made from the council and a number. The areas were \
         last drawn in 2021, after the census.",
    ],
    sources: &[ONS_GEOGRAPHIES],
};

const LEFT_BEHIND: HelpTopic = HelpTopic {
    question: "What is a left-behind neighbourhood and who decided?",
    answer: &[
        "A left-behind neighbourhood has high need and high deprivation at the same time. On this \
         map it is an area in the worst 10% on both the Community Needs Index and the IMD.",
        "Local Trust, a charity, and OCSI, who made the index, set out this idea in 2019. A group \
         of MPs on left-behind places has used it since.",
        "It is one way to draw the line, not the only one. You can move the slider to choose \
         another share, and see how the map changes.",
    ],
    sources: &[LEFT_BEHIND_REPORT, IOD_2025, CNI_DATA],
};

impl HelpId {
    /// Every question, in the order the help lists them.
    pub const ALL: [HelpId; 5] = [
        HelpId::CommunityNeeds,
        HelpId::Deprivation,
        HelpId::Decile,
        HelpId::AreaCode,
        HelpId::LeftBehind,
    ];

    /// The question and its answer.
    pub fn topic(self) -> &'static HelpTopic {
        match self {
            HelpId::CommunityNeeds => &COMMUNITY_NEEDS,
            HelpId::Deprivation => &DEPRIVATION,
            HelpId::Decile => &DECILE,
            HelpId::AreaCode => &AREA_CODE,
            HelpId::LeftBehind => &LEFT_BEHIND,
        }
    }

    /// A short stable name (for element ids and tests).
    pub fn id(self) -> &'static str {
        match self {
            HelpId::CommunityNeeds => "cni",
            HelpId::Deprivation => "deprivation",
            HelpId::Decile => "decile",
            HelpId::AreaCode => "area-code",
            HelpId::LeftBehind => "left-behind",
        }
    }
}

/// The question about an area's code, asked of the code shown: "Why is it called E01021988?".
pub fn area_code_question(code: &str) -> String {
    format!("Why is it called {code}?")
}

/// The number of syllables of an English word, by the usual rule of thumb: groups of vowels
/// (`y` counts as one), less a silent final `e` (not `-le`), at least one. A token holding a digit
/// (a number, a code) counts as one word of two syllables.
pub fn syllables(word: &str) -> usize {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 2;
    }
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'é');
    let mut groups = 0;
    let mut previous = false;
    for &c in &w {
        let v = vowel(c);
        if v && !previous {
            groups += 1;
        }
        previous = v;
    }
    let n = w.len();
    let silent_e = n > 2 && w[n - 1] == 'e' && !vowel(w[n - 2]);
    let le_ending = n > 2 && w[n - 2] == 'l' && !vowel(w[n - 3]);
    if silent_e && !le_ending {
        groups -= 1;
    }
    groups.max(1)
}

/// Words, sentences and syllables of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextCounts {
    /// Words: runs of letters, digits, apostrophes and inner hyphens or commas in numbers.
    pub words: usize,
    /// Sentences: runs ending in `.`, `?`, `!` or `:` followed by a space or the end.
    pub sentences: usize,
    /// Syllables, by [`syllables`].
    pub syllables: usize,
}

/// Counts the words, sentences and syllables of `text`.
pub fn counts(text: &str) -> TextCounts {
    let mut c = TextCounts {
        words: 0,
        sentences: 0,
        syllables: 0,
    };
    for token in text.split_whitespace() {
        let word = token.trim_matches(|ch: char| !ch.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        // A hyphenated word ("left-behind") is read as its parts.
        for part in word.split('-').filter(|p| !p.is_empty()) {
            c.words += 1;
            c.syllables += syllables(part);
        }
        if token.ends_with(['.', '?', '!', ':']) {
            c.sentences += 1;
        }
    }
    if c.words > 0 && !text.trim_end().ends_with(['.', '?', '!', ':']) {
        c.sentences += 1;
    }
    c
}

/// The Flesch–Kincaid grade level of `text` (Kincaid et al., 1975):
/// `0.39 × words ÷ sentences + 11.8 × syllables ÷ words − 15.59`. `None` for a text without words.
pub fn flesch_kincaid_grade(text: &str) -> Option<f64> {
    let c = counts(text);
    if c.words == 0 || c.sentences == 0 {
        return None;
    }
    let (w, s, y) = (c.words as f64, c.sentences as f64, c.syllables as f64);
    Some(0.39 * w / s + 11.8 * y / w - 15.59)
}

/// The reading age of a US school grade: grade + 5 (grade 1 is read at about 6).
pub fn reading_age(grade: f64) -> f64 {
    grade + 5.0
}

/// The whole text of a topic as it is read: the question, then the answer.
pub fn topic_text(topic: &HelpTopic) -> String {
    std::iter::once(topic.question)
        .chain(topic.answer.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// The grade the help texts may not exceed: reading age 12.
    const MAX_GRADE: f64 = 7.0;

    #[rstest]
    #[case::one("cat", 1)]
    #[case::silent_e("make", 1)]
    #[case::le_ending("table", 2)]
    #[case::two("money", 2)]
    #[case::three("community", 4)]
    #[case::deprivation("deprivation", 4)]
    #[case::number("1,500", 2)]
    fn syllables_follow_the_rule_of_thumb(#[case] word: &str, #[case] expected: usize) {
        assert_eq!(syllables(word), expected);
    }

    #[test]
    fn counts_words_sentences_and_syllables() {
        let c = counts("The cat sat. Is it a left-behind road?");
        assert_eq!(
            c,
            TextCounts {
                words: 9,
                sentences: 2,
                syllables: 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 1
            }
        );
    }

    #[test]
    fn grade_rises_with_long_sentences_and_long_words() {
        let easy = flesch_kincaid_grade("The cat sat on the mat. It was warm.").expect("words");
        let hard = flesch_kincaid_grade(
            "Multidimensional socioeconomic deprivation indicators characterise \
             neighbourhoods comprehensively, notwithstanding methodological limitations.",
        )
        .expect("words");
        assert!(easy < 2.0, "{easy}");
        assert!(hard > 20.0, "{hard}");
        assert_eq!(flesch_kincaid_grade("  "), None);
    }

    #[test]
    fn every_help_answer_reads_at_grade_7_or_below() {
        let mut all = String::new();
        let mut too_hard = Vec::new();
        for id in HelpId::ALL {
            let text = topic_text(id.topic());
            let Some(grade) = flesch_kincaid_grade(&text) else {
                panic!("{}: no words", id.id());
            };
            eprintln!(
                "help: {:<12} Flesch-Kincaid grade {grade:4.1}, reading age {:4.1} ({:?})",
                id.id(),
                reading_age(grade),
                counts(&text)
            );
            if grade > MAX_GRADE {
                too_hard.push(format!("{}: grade {grade:.1}", id.id()));
            }
            all.push_str(&text);
            all.push(' ');
        }
        let Some(overall) = flesch_kincaid_grade(&all) else {
            panic!("no help text");
        };
        eprintln!(
            "help: all together  Flesch-Kincaid grade {overall:4.1}, reading age {:4.1}",
            reading_age(overall)
        );
        assert!(too_hard.is_empty(), "help too hard to read: {too_hard:?}");
    }

    #[test]
    fn every_topic_has_a_question_an_answer_and_a_linked_source() {
        for id in HelpId::ALL {
            let t = id.topic();
            assert!(t.question.ends_with('?'), "{}", id.id());
            assert!(!t.answer.is_empty(), "{}", id.id());
            assert!(!t.sources.is_empty(), "{}", id.id());
            for s in t.sources {
                assert!(s.url.starts_with("https://"), "{}: {}", id.id(), s.url);
            }
        }
        assert_eq!(
            HelpId::AreaCode.topic().question,
            "Why is my neighbourhood called E01021988?"
        );
        assert_eq!(
            area_code_question("E01000001"),
            "Why is it called E01000001?"
        );
    }
}
