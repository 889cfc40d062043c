//! The eligibility quick-check from `content/quick-check.yaml`: questions,
//! answers and results as a graph, checked so that every id exists, nothing
//! loops, everything is reachable, every path ends in a result and every
//! text is translated. The rules of the law are data here, never code.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::error::{BuildError, EditorError, EditorErrors};
use crate::languages::{Lang, Translated, translation_errors};
use crate::markdown::render_section_markdown;
use crate::yaml::{parse_yaml, read_text};

/// Where the rules live, relative to the site root.
pub const QUICK_CHECK_FILE: &str = "content/quick-check.yaml";

/// What a result means for the citizen (fixed ids: pages and tests rely on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Eligible,
    NotYet,
    NotEligible,
    AskOffice,
    ParentsApply,
}

impl Outcome {
    pub fn id(self) -> &'static str {
        match self {
            Self::Eligible => "eligible",
            Self::NotYet => "not_yet",
            Self::NotEligible => "not_eligible",
            Self::AskOffice => "ask_office",
            Self::ParentsApply => "parents_apply",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    start: Spanned<String>,
    questions: BTreeMap<String, QuestionEntry>,
    results: BTreeMap<String, ResultEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionEntry {
    text: Spanned<Translated>,
    #[serde(default)]
    hint: Option<Spanned<Translated>>,
    answers: Spanned<Vec<AnswerEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerEntry {
    id: Spanned<String>,
    label: Spanned<Translated>,
    next: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultEntry {
    outcome: Outcome,
    title: Spanned<Translated>,
    requirement: Spanned<Translated>,
    norm: Spanned<Translated>,
    next_steps: Spanned<Translated>,
}

/// An answer: its label per language and the node it leads to.
#[derive(Debug, Clone)]
pub struct Answer {
    pub id: String,
    pub label: Translated,
    pub next: String,
}

/// A question page.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: Translated,
    /// Rendered Markdown per language.
    pub hint_html: BTreeMap<Lang, String>,
    pub answers: Vec<Answer>,
    /// The node before this one on a shortest path from the start; `None` for the start.
    pub back: Option<String>,
    /// The most questions still to come after this one on any path.
    pub remaining_at_most: usize,
}

/// A result page.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub id: String,
    pub outcome: Outcome,
    pub title: Translated,
    pub requirement_html: BTreeMap<Lang, String>,
    pub norm: Translated,
    pub next_steps_html: BTreeMap<Lang, String>,
}

/// The checked rules, ready to render.
#[derive(Debug, Clone)]
pub struct QuickCheck {
    pub start: String,
    pub questions: BTreeMap<String, Question>,
    pub results: BTreeMap<String, CheckResult>,
}

impl QuickCheck {
    /// Loads and checks `content/quick-check.yaml` for the site's languages.
    pub fn load(root: &Path, languages: &[Lang]) -> Result<Self, BuildError> {
        let file = Path::new(QUICK_CHECK_FILE);
        let text = read_text(&root.join(file), file)?;
        Self::parse(&text, file, languages)
    }

    /// Parses and checks rules written in `text` (named `file` in errors).
    pub fn parse(text: &str, file: &Path, languages: &[Lang]) -> Result<Self, BuildError> {
        let rules: RulesFile = parse_yaml(text, file, 0)?;
        check_rules(&rules, file, languages)?;
        Ok(compile(&rules))
    }

    /// The page path of node `id`, relative to `/<slug>/<lang>/`.
    pub fn page_path(&self, id: &str) -> String {
        if id == self.start {
            "quick-check/".to_owned()
        } else {
            format!("quick-check/{id}/")
        }
    }

    /// Every page id: questions first, then results.
    pub fn node_ids(&self) -> impl Iterator<Item = &String> {
        self.questions.keys().chain(self.results.keys())
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_rules(rules: &RulesFile, file: &Path, languages: &[Lang]) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    let at = |spanned: serde_saphyr::Location, message: String| {
        EditorError::at(file, spanned, 0, message)
    };
    let bad_id = "expected lowercase letters, digits and `_` (it becomes part of a web address)";

    for (id, question) in &rules.questions {
        if !is_id(id) {
            errors.push(at(
                question.text.referenced,
                format!("question `{id}`: {bad_id}"),
            ));
        }
        if rules.results.contains_key(id) {
            errors.push(at(
                question.text.referenced,
                format!("`{id}` is both a question and a result: ids must be unique"),
            ));
        }
        let field = |name: &str| format!("questions.{id}.{name}");
        errors.extend(translation_errors(
            file,
            &field("text"),
            &question.text,
            languages,
        ));
        if let Some(hint) = &question.hint {
            errors.extend(translation_errors(file, &field("hint"), hint, languages));
        }
        if question.answers.value.len() < 2 {
            errors.push(at(
                question.answers.referenced,
                format!("question `{id}` needs at least two answers"),
            ));
        }
        let mut answer_ids = BTreeSet::new();
        for answer in &question.answers.value {
            let answer_id = &answer.id.value;
            if !is_id(answer_id) {
                errors.push(at(
                    answer.id.referenced,
                    format!("answer `{answer_id}`: {bad_id}"),
                ));
            }
            if !answer_ids.insert(answer_id) {
                errors.push(at(
                    answer.id.referenced,
                    format!("question `{id}` has the answer `{answer_id}` twice"),
                ));
            }
            errors.extend(translation_errors(
                file,
                &format!("questions.{id}.answers.{answer_id}.label"),
                &answer.label,
                languages,
            ));
            let next = &answer.next.value;
            if !rules.questions.contains_key(next) && !rules.results.contains_key(next) {
                errors.push(at(
                    answer.next.referenced,
                    format!(
                        "answer `{answer_id}` of `{id}` leads to `{next}`, which is neither a \
                         question nor a result: expected one of the ids under `questions:` or `results:`"
                    ),
                ));
            }
        }
    }
    for (id, result) in &rules.results {
        if !is_id(id) {
            errors.push(at(
                result.title.referenced,
                format!("result `{id}`: {bad_id}"),
            ));
        }
        for (name, text) in [
            ("title", &result.title),
            ("requirement", &result.requirement),
            ("norm", &result.norm),
            ("next_steps", &result.next_steps),
        ] {
            errors.extend(translation_errors(
                file,
                &format!("results.{id}.{name}"),
                text,
                languages,
            ));
        }
    }
    if !rules.questions.contains_key(&rules.start.value) {
        errors.push(at(
            rules.start.referenced,
            format!(
                "`start: {}` is not a question: expected the id of the first question",
                rules.start.value
            ),
        ));
    }
    // The graph checks need every reference to exist.
    errors.into_result()?;

    let mut errors = EditorErrors::default();
    if let Some(cycle) = find_cycle(rules) {
        let first = &rules.questions[&cycle[0]];
        errors.push(at(
            first.text.referenced,
            format!(
                "the questions loop: {}; every path must end in a result",
                cycle.join(" → ")
            ),
        ));
    }
    let reachable = reachable_from(rules, &rules.start.value);
    for (id, question) in &rules.questions {
        if !reachable.contains(id.as_str()) {
            errors.push(at(
                question.text.referenced,
                format!(
                    "question `{id}` is never asked: no answer leads to it from `{}`",
                    rules.start.value
                ),
            ));
        }
    }
    for (id, result) in &rules.results {
        if !reachable.contains(id.as_str()) {
            errors.push(at(
                result.title.referenced,
                format!("result `{id}` is never reached: no answer leads to it"),
            ));
        }
    }
    errors.into_result()
}

fn next_ids<'a>(rules: &'a RulesFile, id: &str) -> Vec<&'a str> {
    rules.questions.get(id).map_or_else(Vec::new, |q| {
        q.answers
            .value
            .iter()
            .map(|a| a.next.value.as_str())
            .collect()
    })
}

/// A loop among the questions, as the ids along it, if there is one.
fn find_cycle(rules: &RulesFile) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        rules: &'a RulesFile,
        id: &'a str,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match marks.get(id) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let from = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[from..].iter().map(|s| (*s).to_owned()).collect();
                cycle.push(id.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(id, Mark::Visiting);
        path.push(id);
        for next in next_ids(rules, id) {
            if let Some(cycle) = visit(rules, next, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(id, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    rules
        .questions
        .keys()
        .find_map(|id| visit(rules, id, &mut marks, &mut Vec::new()))
}

fn reachable_from<'a>(rules: &'a RulesFile, start: &'a str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(id) = queue.pop_front() {
        for next in next_ids(rules, id) {
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    seen
}

/// Turns checked rules into pages: Markdown rendered once per language,
/// back links along shortest paths, and how many questions may still come.
fn compile(rules: &RulesFile) -> QuickCheck {
    let start = rules.start.value.clone();
    let mut back: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start.as_str()]);
    let mut seen = BTreeSet::from([start.as_str()]);
    while let Some(id) = queue.pop_front() {
        for next in next_ids(rules, id) {
            if seen.insert(next) {
                back.insert(next, id);
                queue.push_back(next);
            }
        }
    }
    let mut remaining = BTreeMap::new();
    for id in rules.questions.keys() {
        questions_after(rules, id, &mut remaining);
    }
    let markdown = |text: &Translated| -> BTreeMap<Lang, String> {
        text.iter()
            .map(|(lang, md)| (*lang, render_section_markdown(md)))
            .collect()
    };
    let questions = rules
        .questions
        .iter()
        .map(|(id, q)| {
            let question = Question {
                id: id.clone(),
                text: q.text.value.clone(),
                hint_html: q
                    .hint
                    .as_ref()
                    .map(|h| markdown(&h.value))
                    .unwrap_or_default(),
                answers: q
                    .answers
                    .value
                    .iter()
                    .map(|a| Answer {
                        id: a.id.value.clone(),
                        label: a.label.value.clone(),
                        next: a.next.value.clone(),
                    })
                    .collect(),
                back: back.get(id.as_str()).map(|b| (*b).to_owned()),
                remaining_at_most: remaining.get(id.as_str()).copied().unwrap_or(0),
            };
            (id.clone(), question)
        })
        .collect();
    let results = rules
        .results
        .iter()
        .map(|(id, r)| {
            let result = CheckResult {
                id: id.clone(),
                outcome: r.outcome,
                title: r.title.value.clone(),
                requirement_html: markdown(&r.requirement.value),
                norm: r.norm.value.clone(),
                next_steps_html: markdown(&r.next_steps.value),
            };
            (id.clone(), result)
        })
        .collect();
    QuickCheck {
        start,
        questions,
        results,
    }
}

/// The most questions that can follow question `id` (the graph is acyclic).
fn questions_after<'a>(
    rules: &'a RulesFile,
    id: &'a str,
    memo: &mut BTreeMap<&'a str, usize>,
) -> usize {
    if let Some(known) = memo.get(id) {
        return *known;
    }
    let most = next_ids(rules, id)
        .into_iter()
        .filter(|next| rules.questions.contains_key(*next))
        .map(|next| 1 + questions_after(rules, next, memo))
        .max()
        .unwrap_or(0);
    memo.insert(id, most);
    most
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "content/quick-check.yaml";

    fn langs() -> Vec<Lang> {
        vec![Lang::primary(), Lang::parse("en").unwrap()]
    }

    /// A small valid rule file: two questions, three results.
    fn rules() -> String {
        r#"start: age
questions:
  age:
    text: { de: Alter?, en: Age? }
    answers:
      - { id: young, label: { de: Jung, en: Young }, next: parents }
      - { id: old, label: { de: Alt, en: Old }, next: years }
  years:
    text: { de: Jahre?, en: Years? }
    hint: { de: Hinweis, en: Hint }
    answers:
      - { id: few, label: { de: Wenige, en: Few }, next: wait }
      - { id: many, label: { de: Viele, en: Many }, next: yes_result }
results:
  parents: { outcome: parents_apply, title: { de: P, en: P }, requirement: { de: r, en: r }, norm: { de: n, en: n }, next_steps: { de: s, en: s } }
  wait: { outcome: not_yet, title: { de: W, en: W }, requirement: { de: r, en: r }, norm: { de: n, en: n }, next_steps: { de: s, en: s } }
  yes_result: { outcome: eligible, title: { de: E, en: E }, requirement: { de: r, en: r }, norm: { de: n, en: n }, next_steps: { de: s, en: s } }
"#
        .to_owned()
    }

    fn errors(text: &str) -> Vec<EditorError> {
        match QuickCheck::parse(text, Path::new(FILE), &langs()) {
            Err(BuildError::Editor(errors)) => errors,
            Err(other) => panic!("expected editor errors, got {other}"),
            Ok(_) => panic!("expected the rules to be refused"),
        }
    }

    fn one_error(text: &str) -> EditorError {
        let found = errors(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        found.into_iter().next().unwrap()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn valid_rules_compile_with_back_links_and_progress() {
        let check = QuickCheck::parse(&rules(), Path::new(FILE), &langs()).unwrap();
        assert_eq!(check.page_path("age"), "quick-check/");
        assert_eq!(check.page_path("years"), "quick-check/years/");
        assert_eq!(check.questions["age"].back, None);
        assert_eq!(check.questions["years"].back.as_deref(), Some("age"));
        assert_eq!(check.questions["age"].remaining_at_most, 1);
        assert_eq!(check.questions["years"].remaining_at_most, 0);
        assert_eq!(
            check.questions["years"].hint_html[&Lang::primary()],
            "<p>Hinweis</p>\n"
        );
        assert_eq!(check.results["wait"].outcome, Outcome::NotYet);
    }

    #[test]
    fn unknown_next_id_is_refused_where_it_is_written() {
        let text = rules().replace("next: wait", "next: wiat");
        let error = one_error(&text);
        assert_eq!(error.line, line_of(&text, "next: wiat"));
        assert!(
            error
                .message
                .contains("leads to `wiat`, which is neither a question nor a result"),
            "{error}"
        );
    }

    #[test]
    fn a_loop_is_refused() {
        let text = rules().replace("next: wait", "next: age");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("the questions loop: age → years → age")),
            "{found:#?}"
        );
    }

    #[test]
    fn unreachable_question_and_result_are_refused() {
        let text = rules().replace("next: parents", "next: wait");
        let error = one_error(&text);
        assert!(
            error.message.contains("result `parents` is never reached"),
            "{error}"
        );
        assert_eq!(error.line, line_of(&text, "  parents:"));
        let text = rules().replace("start: age", "start: years");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("question `age` is never asked")),
            "{found:#?}"
        );
    }

    #[test]
    fn missing_translation_names_the_field_and_language() {
        let text = rules().replace("{ de: Jahre?, en: Years? }", "{ de: Jahre? }");
        let error = one_error(&text);
        assert_eq!(error.line, line_of(&text, "Jahre?"));
        assert!(
            error
                .message
                .contains("missing translation: `questions.years.text` has no text for `en`"),
            "{error}"
        );
    }

    #[test]
    fn start_must_be_a_question() {
        let error = errors(&rules().replace("start: age", "start: wait"));
        assert!(
            error
                .iter()
                .any(|e| e.message.contains("`start: wait` is not a question")),
            "{error:#?}"
        );
    }

    #[test]
    fn answers_must_be_unique_and_at_least_two() {
        let error = one_error(&rules().replace("id: many", "id: few"));
        assert!(
            error.message.contains("has the answer `few` twice"),
            "{error}"
        );
        let text = rules().replace(
            "      - { id: many, label: { de: Viele, en: Many }, next: yes_result }\n",
            "",
        );
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("needs at least two answers")),
            "{found:#?}"
        );
    }

    #[test]
    fn unknown_outcome_and_unknown_key_are_refused_by_the_parser() {
        let error = one_error(&rules().replace("outcome: not_yet", "outcome: later"));
        assert!(error.message.contains("later"), "{error}");
        let error = one_error(&rules().replace("    hint:", "    hnit:"));
        assert!(error.message.contains("unknown field `hnit`"), "{error}");
    }

    #[test]
    fn ids_must_fit_in_a_web_address() {
        let error = one_error(&rules().replace("id: young", "id: Jung/alt"));
        assert!(
            error
                .message
                .contains("answer `Jung/alt`: expected lowercase"),
            "{error}"
        );
    }

    #[test]
    fn the_repository_rules_are_valid_and_use_the_fixed_ids() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let check = QuickCheck::load(&root, &langs()).unwrap();
        let questions: Vec<&str> = check.questions.keys().map(String::as_str).collect();
        for id in [
            "age",
            "residence_years",
            "married_to_german",
            "marriage_years",
            "residence_status",
            "identity",
            "livelihood",
            "german_b1",
            "citizenship_test",
            "convictions",
            "fdgo",
            "responsibility",
            "monogamy",
        ] {
            assert!(questions.contains(&id), "question {id}");
        }
        assert_eq!(questions.len(), 13, "no other questions");
        let outcomes: BTreeSet<&str> = check.results.values().map(|r| r.outcome.id()).collect();
        assert_eq!(
            outcomes.len(),
            5,
            "every outcome is reachable: {outcomes:?}"
        );
    }
}
