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

/// One scenario: the answers given, in order, and the result page they must
/// end on (its id, the last part of its address) with its outcome.
struct Scenario {
    answers: Vec<(&'static str, String)>,
    result: &'static str,
    outcome: &'static str,
}

const ADULT_5Y: &[(&str, &str)] = &[("age", "16_or_older"), ("residence_years", "5_or_more")];
/// Applying together with a family member before the 5 years.
const ADULT_JOINTLY: &[(&str, &str)] = &[
    ("age", "16_or_older"),
    ("residence_years", "under_3"),
    ("family_applies", "yes"),
];
/// Answers from `residence_status` onwards that meet every requirement.
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

fn owned(steps: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    steps.iter().map(|(q, a)| (*q, (*a).to_owned())).collect()
}

/// `before`, then `ALL_MET_AFTER_STATUS` until `question`, which gets `answer`.
fn deviate_at(
    before: &[(&'static str, &str)],
    question: &str,
    answer: &str,
) -> Vec<(&'static str, String)> {
    let mut path = owned(before);
    for (q, a) in ALL_MET_AFTER_STATUS {
        if *q == question {
            path.push((q, answer.to_owned()));
            return path;
        }
        path.push((q, (*a).to_owned()));
    }
    panic!("{question} is not on the main path");
}

fn all_met(before: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut path = owned(before);
    path.extend(owned(ALL_MET_AFTER_STATUS));
    path
}

fn scenario(
    answers: Vec<(&'static str, String)>,
    result: &'static str,
    outcome: &'static str,
) -> Scenario {
    Scenario {
        answers,
        result,
        outcome,
    }
}

/// Every path through the check that ends in a different way.
fn scenarios() -> Vec<Scenario> {
    let mut minor_conviction = all_met(ADULT_5Y);
    for step in &mut minor_conviction {
        if step.0 == "convictions" {
            step.1 = "minor".to_owned();
        }
    }
    let spouse_of_german = [
        ("age", "16_or_older"),
        ("residence_years", "3_to_5"),
        ("married_to_german", "yes"),
        ("marriage_years", "yes"),
    ];
    let not_married_jointly = [
        ("age", "16_or_older"),
        ("residence_years", "3_to_5"),
        ("married_to_german", "no"),
        ("family_applies", "yes"),
    ];
    let mut all = vec![
        scenario(
            owned(&[("age", "under_16")]),
            "parents_apply",
            "parents_apply",
        ),
        scenario(
            owned(&[
                ("age", "16_or_older"),
                ("residence_years", "under_3"),
                ("family_applies", "no"),
            ]),
            "not_yet_residence",
            "not_yet",
        ),
        scenario(
            owned(&[
                ("age", "16_or_older"),
                ("residence_years", "3_to_5"),
                ("married_to_german", "no"),
                ("family_applies", "no"),
            ]),
            "not_yet_residence",
            "not_yet",
        ),
        scenario(
            owned(&[
                ("age", "16_or_older"),
                ("residence_years", "3_to_5"),
                ("married_to_german", "yes"),
                ("marriage_years", "no"),
            ]),
            "not_yet_marriage",
            "not_yet",
        ),
        scenario(all_met(ADULT_5Y), "eligible", "eligible"),
        scenario(all_met(&spouse_of_german), "eligible", "eligible"),
        scenario(minor_conviction, "eligible", "eligible"),
        scenario(
            all_met(ADULT_JOINTLY),
            "ask_office_co_naturalization",
            "ask_office",
        ),
        scenario(
            all_met(&not_married_jointly),
            "ask_office_co_naturalization",
            "ask_office",
        ),
    ];
    // Every way to leave the main path, on its own and on the
    // co-naturalization track (where the same results apply).
    for (question, answer, result, outcome) in DEVIATIONS {
        for before in [ADULT_5Y, ADULT_JOINTLY] {
            all.push(scenario(
                deviate_at(before, question, answer),
                result,
                outcome,
            ));
        }
    }
    all
}

/// (question, answer, result, outcome) for every answer that leaves the
/// path on which all requirements are met.
const DEVIATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "residence_status",
        "temporary",
        "not_yet_residence_status",
        "not_yet",
    ),
    (
        "residence_status",
        "unsure",
        "ask_office_residence_status",
        "ask_office",
    ),
    ("identity", "no", "ask_office_identity", "ask_office"),
    ("livelihood", "no", "not_yet_livelihood", "not_yet"),
    (
        "livelihood",
        "exception",
        "ask_office_livelihood_exception",
        "ask_office",
    ),
    (
        "livelihood",
        "unsure",
        "ask_office_livelihood",
        "ask_office",
    ),
    ("german_b1", "no", "not_yet_german", "not_yet"),
    (
        "german_b1",
        "spoken_only",
        "ask_office_german_spoken",
        "ask_office",
    ),
    ("german_b1", "cannot", "ask_office_german", "ask_office"),
    ("citizenship_test", "no", "not_yet_test", "not_yet"),
    (
        "citizenship_test",
        "cannot",
        "ask_office_test",
        "ask_office",
    ),
    (
        "convictions",
        "serious",
        "ask_office_convictions",
        "ask_office",
    ),
    ("fdgo", "no", "not_eligible_fdgo", "not_eligible"),
    (
        "responsibility",
        "no",
        "not_eligible_responsibility",
        "not_eligible",
    ),
    ("monogamy", "no", "not_eligible_monogamy", "not_eligible"),
];

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
            for Scenario {
                answers,
                result,
                outcome,
            } in scenarios()
            {
                let (href, html) = walk(&tree.out(), &m.slug, lang.code(), &answers);
                assert!(
                    href.ends_with(&format!("/{result}/")),
                    "{href}: expected the result {result} after {answers:?}"
                );
                assert_eq!(
                    attribute_values(&html, "data-outcome"),
                    [outcome],
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
                    outcome == "eligible",
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
        .flat_map(|s| s.answers.into_iter().map(|(q, a)| (q.to_owned(), a)))
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
    let results: BTreeSet<&str> = scenarios().iter().map(|s| s.result).collect();
    let all: BTreeSet<&str> = check.results.keys().map(String::as_str).collect();
    assert_eq!(results, all, "every result is some scenario's end");
    let outcomes: BTreeSet<&str> = scenarios().iter().map(|s| s.outcome).collect();
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
fn the_scenarios_walk_through_every_page_of_the_check_tracks_included() {
    let tree = Tree::sample(&["koeln"]);
    tree.build().expect("sample builds");
    let out = tree.out();
    let mut visited = BTreeSet::new();
    for Scenario { answers, .. } in scenarios() {
        for end in 0..=answers.len() {
            let (href, _) = walk_prefix(&out, &answers[..end]);
            visited.insert(href);
        }
    }
    let root = out.join("koeln/de/quick-check");
    let on_disk: BTreeSet<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            let dir = e.path().parent().unwrap().strip_prefix(&out).unwrap();
            format!("/{}/", dir.display())
        })
        .collect();
    assert!(
        on_disk.iter().any(|p| p.contains("/co_naturalization/")),
        "the track has pages"
    );
    let missed: Vec<&String> = on_disk.difference(&visited).collect();
    assert!(missed.is_empty(), "pages no scenario reaches: {missed:#?}");
}

/// The page reached after `answers` (questions checked on the way).
fn walk_prefix(out: &Path, answers: &[(&str, String)]) -> (String, String) {
    let mut href = "/koeln/de/quick-check/".to_owned();
    for (question, answer) in answers {
        let html = read_page(out, &href);
        assert_eq!(
            attribute_values(&html, "data-question"),
            [*question],
            "{href}"
        );
        href = answer_href(&html, answer).unwrap_or_else(|| panic!("{href}: no answer {answer}"));
    }
    let html = read_page(out, &href);
    (href, html)
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
