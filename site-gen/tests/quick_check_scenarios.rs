//! The quick-check as a citizen uses it: starting from the service page, each
//! scenario follows the answer links through the built HTML pages and must end
//! on the expected outcome, for every sample municipality and language.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::Tree;
use site_gen::content::load_content;
use site_gen::municipality::load_municipalities;
use site_gen::quick_check::QuickCheck;

/// Answers from age onwards that meet every requirement up to `residence_status`.
const ADULT_5Y: &[(&str, &str)] = &[("age", "16_or_older"), ("residence_years", "5_or_more")];
const ALL_MET_AFTER_STATUS: &[(&str, &str)] = &[
    ("residence_status", "settled"),
    ("identity", "yes"),
    ("livelihood", "yes"),
    ("german_b1", "yes"),
    ("citizenship_test", "yes"),
    ("convictions", "none"),
    ("fdgo", "yes"),
    ("responsibility", "yes"),
    ("monogamy", "yes"),
];

/// A path that answers `ALL_MET_AFTER_STATUS` until `question`, which gets `answer`.
fn deviate_at(question: &str, answer: &str) -> Vec<(&'static str, String)> {
    let mut path: Vec<(&str, String)> = ADULT_5Y
        .iter()
        .map(|(q, a)| (*q, (*a).to_owned()))
        .collect();
    for (q, a) in ALL_MET_AFTER_STATUS {
        if *q == question {
            path.push((q, answer.to_owned()));
            return path;
        }
        path.push((q, (*a).to_owned()));
    }
    panic!("{question} is not on the main path");
}

fn scenarios() -> Vec<(Vec<(&'static str, String)>, &'static str)> {
    let owned = |steps: &[(&'static str, &str)]| {
        steps
            .iter()
            .map(|(q, a)| (*q, (*a).to_owned()))
            .collect::<Vec<_>>()
    };
    let mut all_met = owned(ADULT_5Y);
    all_met.extend(owned(ALL_MET_AFTER_STATUS));
    let mut spouse = owned(&[
        ("age", "16_or_older"),
        ("residence_years", "3_to_5"),
        ("married_to_german", "yes"),
        ("marriage_years", "yes"),
    ]);
    spouse.extend(owned(ALL_MET_AFTER_STATUS));
    let mut minor_conviction = all_met.clone();
    for step in &mut minor_conviction {
        if step.0 == "convictions" {
            step.1 = "minor".to_owned();
        }
    }
    vec![
        (owned(&[("age", "under_16")]), "parents_apply"),
        (
            owned(&[("age", "16_or_older"), ("residence_years", "under_3")]),
            "not_yet",
        ),
        (
            owned(&[
                ("age", "16_or_older"),
                ("residence_years", "3_to_5"),
                ("married_to_german", "no"),
            ]),
            "not_yet",
        ),
        (
            owned(&[
                ("age", "16_or_older"),
                ("residence_years", "3_to_5"),
                ("married_to_german", "yes"),
                ("marriage_years", "no"),
            ]),
            "not_yet",
        ),
        (all_met, "eligible"),
        (spouse, "eligible"),
        (minor_conviction, "eligible"),
        (deviate_at("residence_status", "temporary"), "not_yet"),
        (deviate_at("residence_status", "unsure"), "ask_office"),
        (deviate_at("identity", "no"), "ask_office"),
        (deviate_at("livelihood", "no"), "not_yet"),
        (deviate_at("livelihood", "unsure"), "ask_office"),
        (deviate_at("german_b1", "no"), "not_yet"),
        (deviate_at("german_b1", "cannot"), "ask_office"),
        (deviate_at("citizenship_test", "no"), "not_yet"),
        (deviate_at("citizenship_test", "cannot"), "ask_office"),
        (deviate_at("convictions", "serious"), "ask_office"),
        (deviate_at("fdgo", "no"), "not_eligible"),
        (deviate_at("responsibility", "no"), "not_eligible"),
        (deviate_at("monogamy", "no"), "not_eligible"),
    ]
}

/// The values of `attribute` on every element of a page.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect()
}

/// The `href` of the `<a>` carrying `data-answer="answer"`.
fn answer_href(html: &str, answer: &str) -> Option<String> {
    let at = html.find(&format!("data-answer=\"{answer}\""))?;
    let tag_start = html[..at].rfind("<a ")?;
    let tag = &html[tag_start..at + html[at..].find('>')?];
    attribute_values(tag, "href").into_iter().next()
}

fn read_page(out: &Path, href: &str) -> String {
    let file = out.join(href.trim_start_matches('/')).join("index.html");
    std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("link {href} leads to no page"))
}

/// Follows the answers from the service page; returns the outcome page's path and HTML.
fn walk(out: &Path, slug: &str, lang: &str, answers: &[(&str, String)]) -> (String, String) {
    let service = read_page(out, &format!("/{slug}/{lang}/"));
    let start = format!("/{slug}/{lang}/quick-check/");
    assert!(
        service.contains(&format!("href=\"{start}\"")),
        "{slug}/{lang}: service page links the quick-check"
    );
    let mut href = start;
    for (question, answer) in answers {
        let html = read_page(out, &href);
        assert_eq!(
            attribute_values(&html, "data-question"),
            [*question],
            "{href}: expected question {question}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{href}: one h1");
        assert!(html.contains("data-back"), "{href}: back link");
        href = answer_href(&html, answer).unwrap_or_else(|| panic!("{href}: no answer {answer}"));
    }
    let html = read_page(out, &href);
    assert!(
        attribute_values(&html, "data-question").is_empty(),
        "{href}: still a question, not an outcome"
    );
    (href, html)
}

#[test]
fn every_scenario_ends_in_its_outcome_for_every_municipality_and_language() {
    let tree = Tree::sample(&[]);
    tree.build().expect("sample builds");
    let content = load_content(tree.root()).unwrap();
    let municipalities = load_municipalities(tree.root(), &content).unwrap();
    for m in &municipalities {
        for lang in m.languages() {
            for (answers, expected) in scenarios() {
                let (href, html) = walk(&tree.out(), &m.slug, lang.code(), &answers);
                assert_eq!(
                    attribute_values(&html, "data-outcome"),
                    [expected],
                    "{href} after {answers:?}"
                );
                assert!(
                    html.contains(m.office.name.as_str())
                        || html.contains(&m.office.name.as_str().replace('&', "&amp;")),
                    "{href}: office named"
                );
                let apply = format!("href=\"/{}/{}/apply/\"", m.slug, lang.code());
                assert_eq!(
                    html.contains(&apply),
                    expected == "eligible",
                    "{href}: application link only when eligible"
                );
            }
        }
    }
}

#[test]
fn scenarios_cover_every_answer_and_every_outcome() {
    let root = common::repo_root();
    let content = load_content(&root).unwrap();
    let languages: Vec<_> = content.languages.keys().copied().collect();
    let check = QuickCheck::load(&root, &languages).unwrap();
    let used: BTreeSet<(String, String)> = scenarios()
        .into_iter()
        .flat_map(|(answers, _)| answers.into_iter().map(|(q, a)| (q.to_owned(), a)))
        .collect();
    for question in check.questions.values() {
        for answer in &question.answers {
            assert!(
                used.contains(&(question.id.clone(), answer.id.clone())),
                "no scenario answers {}: {}",
                question.id,
                answer.id
            );
        }
    }
    let outcomes: BTreeSet<&str> = scenarios().into_iter().map(|(_, o)| o).collect();
    assert_eq!(
        outcomes,
        BTreeSet::from([
            "ask_office",
            "eligible",
            "not_eligible",
            "not_yet",
            "parents_apply"
        ])
    );
}

#[test]
fn question_pages_carry_back_links_progress_and_translated_texts() {
    let tree = Tree::sample(&["koeln"]);
    tree.build().unwrap();
    let start = read_page(&tree.out(), "/koeln/de/quick-check/");
    assert!(start.contains("<h1 id=\"question-heading\">Wie alt sind Sie?</h1>"));
    assert!(
        start.contains("href=\"/koeln/de/\" data-back"),
        "first question goes back to the service page"
    );
    assert!(start.contains("Danach noch höchstens 12 Fragen"));
    assert!(
        start.contains("href=\"/koeln/en/quick-check/\" hreflang=\"en\""),
        "same question in English"
    );
    let status = read_page(&tree.out(), "/koeln/en/quick-check/residence_status/");
    assert!(status.contains("What right of residence do you have?"));
    assert!(status.contains("href=\"/koeln/en/quick-check/residence_years/\" data-back"));
    let last = read_page(&tree.out(), "/koeln/de/quick-check/monogamy/");
    assert!(last.contains("Letzte Frage"));
    let result = read_page(&tree.out(), "/koeln/de/quick-check/not_yet_german/");
    assert!(
        result.contains("B1")
            && result.contains("Rechtsgrundlage: § 10 Abs. 1 S. 1 Nr. 6 und Abs. 4 StAG")
    );
    assert!(
        result.contains("Ob Sie eingebürgert werden, entscheidet Ihre Einbürgerungsbehörde."),
        "no promise"
    );
    assert!(
        result.contains("Öffnungszeiten"),
        "office contact with opening hours"
    );
}
