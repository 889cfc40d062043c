//! Legal wording that held before 2024 or October 2025 and misleads now, when
//! stated as if it still held: a residence period of 8 years, the fast track
//! after 3 years for special integration, a duty to give up one's
//! citizenship. A sentence that marks the rule as old or abolished is fine.

use super::sources::Source;
use super::{Finding, position};

/// One outdated rule: its code, the words that state it (all of one group
/// must appear), and what to write instead.
struct Rule {
    code: &'static str,
    /// Each inner list: at least one of its words must be in the sentence.
    needs: &'static [&'static [&'static str]],
    fix: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        code: "outdated-residence",
        needs: &[&["8 jahre", "acht jahre", "8 years", "eight years"]],
        fix: "since 27 June 2024 the residence period is 5 years (§ 10 Abs. 1 StAG), \
              3 years for spouses of Germans (§ 9)",
    },
    Rule {
        code: "outdated-fast-track",
        needs: &[
            &[
                "integrationsleistung",
                "special integration",
                "integration achievement",
            ],
            &["3 jahre", "drei jahre", "3 years", "three years"],
        ],
        fix: "the fast track after 3 years for special integration (§ 10 Abs. 3 StAG) was \
              abolished on 30 October 2025; say so, or leave it out",
    },
    Rule {
        code: "outdated-renunciation",
        needs: &[
            &[
                "aufgeben",
                "aufgabe der",
                "aufgabe ihrer",
                "aufgabe seiner",
                "entlassung aus",
                "verzicht auf",
                "give up",
                "giving up",
                "renounce",
            ],
            &["staatsangehörigkeit", "citizenship", "nationality"],
        ],
        fix: "since 27 June 2024 nobody has to give up their citizenship to be naturalized; \
              only the other state's law may take it away",
    },
];

/// Words that mark a sentence as speaking of the old rule or denying it.
const NOT_AS_IF_IT_HELD: &[&str] = &[
    "nicht mehr",
    "nicht ",
    "kein",
    "abgeschafft",
    "wegfall",
    "gestrichen",
    "entfällt",
    "entfallen",
    "früher",
    "vorher",
    "zusicherung",
    "einbürgerungszusicherung",
    "assurance",
    "alte ",
    "alten ",
    "bisher galt",
    "bisher waren",
    "statt",
    "behalten",
    "no longer",
    "not ",
    "abolished",
    "deleted",
    "former",
    "old ",
    "previously",
    "instead",
    "keep",
];

/// Outdated wording in every text citizens read, at the sentence that states it.
pub(super) fn check(sources: &[Source]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for source in sources {
        for (offset, sentence) in sentences(&source.text) {
            let lower = sentence.to_lowercase();
            if NOT_AS_IF_IT_HELD
                .iter()
                .any(|w| word_at(&lower, w).is_some())
            {
                continue;
            }
            for rule in RULES {
                let states = rule
                    .needs
                    .iter()
                    .all(|group| group.iter().any(|w| word_at(&lower, w).is_some()));
                if states {
                    // At the first word that states the rule, where lowercase
                    // kept the byte positions (else at the sentence).
                    let word = rule.needs[0]
                        .iter()
                        .filter_map(|w| word_at(&lower, w))
                        .min();
                    let at = word
                        .filter(|at| {
                            lower.len() == sentence.len() && sentence.is_char_boundary(*at)
                        })
                        .unwrap_or(0);
                    let (line, column) = position(&source.text, offset + at);
                    findings.push(Finding::error(
                        &source.file,
                        line,
                        column,
                        rule.code,
                        format!("outdated legal wording: {}", rule.fix),
                    ));
                }
            }
        }
    }
    findings
}

/// Where `needle` first occurs in `text` at the start of a word ("18 jahre"
/// is not "8 jahre").
fn word_at(text: &str, needle: &str) -> Option<usize> {
    text.match_indices(needle).map(|(at, _)| at).find(|at| {
        text[..*at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "abs", "nr", "s", "art", "z", "b", "bzw", "ca", "vgl", "u", "a", "d", "h",
];

/// The sentences of a text with their byte offsets; a line break ends one too.
fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (at, c) in text.char_indices() {
        let ends = match c {
            '\n' => true,
            '.' | '!' | '?' => {
                let next_is_space = bytes.get(at + 1).is_none_or(|b| b.is_ascii_whitespace());
                let word = text[start..at]
                    .rsplit(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or_default()
                    .to_lowercase();
                next_is_space && !ABBREVIATIONS.contains(&word.as_str())
            }
            _ => false,
        };
        if ends {
            if !text[start..at].trim().is_empty() {
                found.push((start, &text[start..at]));
            }
            start = at + c.len_utf8();
        }
    }
    if !text[start..].trim().is_empty() {
        found.push((start, &text[start..]));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn codes(text: &str) -> Vec<&'static str> {
        let source = Source {
            file: PathBuf::from("t.md"),
            text: text.to_owned(),
            published: super::super::sources::Published::Data,
        };
        check(&[source]).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn outdated_rules_stated_as_if_they_held_are_found() {
        assert_eq!(
            codes("Sie müssen seit 8 Jahren in Deutschland leben."),
            ["outdated-residence"]
        );
        assert_eq!(
            codes("Mit besonderen Integrationsleistungen reichen 3 Jahre."),
            ["outdated-fast-track"]
        );
        assert_eq!(
            codes("You must give up your current citizenship."),
            ["outdated-renunciation"]
        );
    }

    #[test]
    fn the_old_rule_named_as_old_is_fine() {
        assert!(codes("Früher waren 8 Jahre nötig.").is_empty());
        assert!(
            codes("Das gilt für Kinder unter 18 Jahren.").is_empty(),
            "18 is not 8"
        );
        assert!(codes("Die Einbürgerung nach 3 Jahren wegen besonderer Integrationsleistungen wurde abgeschafft.").is_empty());
        assert!(codes("Sie dürfen Ihre Staatsangehörigkeit behalten.").is_empty());
        assert!(codes("You no longer have to give up your citizenship.").is_empty());
    }

    #[test]
    fn sentences_do_not_end_at_abbreviations() {
        let text = "Nach § 10 Abs. 1 S. 1 gilt das. Dann das.";
        let found: Vec<&str> = sentences(text).into_iter().map(|(_, s)| s.trim()).collect();
        assert_eq!(found, ["Nach § 10 Abs. 1 S. 1 gilt das", "Dann das"]);
    }
}
