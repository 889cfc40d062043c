//! The eligibility quick-check from `content/quick-check.yaml`: questions,
//! answers and results as a graph, checked so that every id exists, nothing
//! loops, everything is reachable, every path ends in a result and every
//! text is translated. The rules of the law are data here, never code.
//!
//! An answer may put the rest of the check on a *track* (e.g. applying
//! together with one's spouse): the same questions follow, but the track
//! replaces some results by others. Pages carry no state, so each question
//! reachable on a track gets its own page under `quick-check/<track>/`.

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
    #[serde(default)]
    tracks: BTreeMap<String, TrackEntry>,
    questions: BTreeMap<String, QuestionEntry>,
    results: BTreeMap<String, ResultEntry>,
}

/// A track: the results that lead elsewhere once an answer chose the track.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackEntry {
    replace: Spanned<BTreeMap<String, String>>,
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
    /// Puts the rest of the check on this track.
    #[serde(default)]
    track: Option<Spanned<String>>,
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

/// An answer: its id and label per language (where it leads depends on the
/// page it is on: see [`Page::answers`]).
#[derive(Debug, Clone)]
pub struct Answer {
    pub id: String,
    pub label: Translated,
}

/// A question.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: Translated,
    /// Rendered Markdown per language.
    pub hint_html: BTreeMap<Lang, String>,
    pub answers: Vec<Answer>,
}

/// Where a page sits: a question or result, on the main path or on a track.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub track: Option<String>,
    pub id: String,
}

/// One page of the check: a question or result at its place.
#[derive(Debug, Clone)]
pub struct Page {
    pub place: Place,
    /// For a question: where each of its answers leads, in the answers' order.
    pub answers: Vec<Place>,
    /// The page before this one on a shortest path from the start; `None` for the start.
    pub back: Option<Place>,
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
    /// Every page, main path first, in a stable order.
    pub pages: Vec<Page>,
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

    /// The path of the page at `place`, relative to `/<slug>/<lang>/`.
    pub fn page_path(&self, place: &Place) -> String {
        match &place.track {
            None if place.id == self.start => "quick-check/".to_owned(),
            None => format!("quick-check/{}/", place.id),
            Some(track) => format!("quick-check/{track}/{}/", place.id),
        }
    }

    /// The path of the first question, relative to `/<slug>/<lang>/`.
    pub fn start_path(&self) -> String {
        self.page_path(&Place {
            track: None,
            id: self.start.clone(),
        })
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

const BAD_ID: &str =
    "expected lowercase letters, digits and `_` (it becomes part of a web address)";

/// Every check of the rules: ids and translations first, then, once every
/// reference exists, the graph (loops, reachability, tracks in use).
fn check_rules(rules: &RulesFile, file: &Path, languages: &[Lang]) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    for (id, question) in &rules.questions {
        check_question(rules, id, question, file, languages, &mut errors);
    }
    check_tracks(rules, file, &mut errors);
    check_results(rules, file, languages, &mut errors);
    if !rules.questions.contains_key(&rules.start.value) {
        errors.push(EditorError::at(
            file,
            rules.start.referenced,
            0,
            format!(
                "`start: {}` is not a question: expected the id of the first question",
                rules.start.value
            ),
        ));
    }
    // The graph checks need every reference to exist.
    errors.into_result()?;
    check_graph(rules, file)
}

/// One question: its id, texts and answers, and that each answer leads to
/// a question or result and chooses only a defined track.
fn check_question(
    rules: &RulesFile,
    id: &str,
    question: &QuestionEntry,
    file: &Path,
    languages: &[Lang],
    errors: &mut EditorErrors,
) {
    let at = |location, message: String| EditorError::at(file, location, 0, message);
    if !is_id(id) {
        errors.push(at(
            question.text.referenced,
            format!("question `{id}`: {BAD_ID}"),
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
                format!("answer `{answer_id}`: {BAD_ID}"),
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
        check_answer_targets(rules, id, answer, file, errors);
    }
}

/// Where an answer leads exists, and so does the track it chooses.
fn check_answer_targets(
    rules: &RulesFile,
    question: &str,
    answer: &AnswerEntry,
    file: &Path,
    errors: &mut EditorErrors,
) {
    let answer_id = &answer.id.value;
    let next = &answer.next.value;
    if !rules.questions.contains_key(next) && !rules.results.contains_key(next) {
        errors.push(EditorError::at(
            file,
            answer.next.referenced,
            0,
            format!(
                "answer `{answer_id}` of `{question}` leads to `{next}`, which is neither a \
                 question nor a result: expected one of the ids under `questions:` or `results:`"
            ),
        ));
    }
    if let Some(track) = &answer.track
        && !rules.tracks.contains_key(&track.value)
    {
        errors.push(EditorError::at(
            file,
            track.referenced,
            0,
            format!(
                "answer `{answer_id}` of `{question}` chooses the track `{}`, which is not \
                 defined: expected one of the ids under `tracks:`",
                track.value
            ),
        ));
    }
}

/// Every result: its id and its texts in every language.
fn check_results(rules: &RulesFile, file: &Path, languages: &[Lang], errors: &mut EditorErrors) {
    for (id, result) in &rules.results {
        if !is_id(id) {
            errors.push(EditorError::at(
                file,
                result.title.referenced,
                0,
                format!("result `{id}`: {BAD_ID}"),
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
}

/// No loops; every question asked, every result reached, every track chosen.
fn check_graph(rules: &RulesFile, file: &Path) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    let at = |location, message: String| EditorError::at(file, location, 0, message);
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
    let walk = walk_pages(rules);
    let reachable: BTreeSet<&str> = walk.order.iter().map(|(_, id)| *id).collect();
    for (track, entry) in &rules.tracks {
        if !walk.order.iter().any(|(t, _)| *t == Some(track.as_str())) {
            errors.push(at(
                entry.replace.referenced,
                format!("track `{track}` is never chosen: no answer has `track: {track}`"),
            ));
        }
    }
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

/// The tracks' own rules: ids that fit in a web address and do not clash,
/// replacements from one result to another.
fn check_tracks(rules: &RulesFile, file: &Path, errors: &mut EditorErrors) {
    for (track, entry) in &rules.tracks {
        let at = |message: String| EditorError::at(file, entry.replace.referenced, 0, message);
        if !is_id(track) {
            errors.push(at(format!(
                "track `{track}`: expected lowercase letters, digits and `_` (it becomes part of a web address)"
            )));
        }
        if rules.questions.contains_key(track) || rules.results.contains_key(track) {
            errors.push(at(format!(
                "track `{track}` has the id of a question or result: ids must be unique"
            )));
        }
        for (from, to) in &entry.replace.value {
            for id in [from, to] {
                if !rules.results.contains_key(id) {
                    errors.push(at(format!(
                        "track `{track}` replaces `{from}` by `{to}`, but `{id}` is not a result: \
                         a track replaces results by results"
                    )));
                }
            }
        }
    }
}

/// A page of the check while rules are checked: (track, question or result id).
type State<'a> = (Option<&'a str>, &'a str);

/// Where each answer of the question at `state` leads, with the answer's id.
fn successors<'a>(rules: &'a RulesFile, (track, id): State<'a>) -> Vec<(&'a str, State<'a>)> {
    let Some(question) = rules.questions.get(id) else {
        return Vec::new();
    };
    question
        .answers
        .value
        .iter()
        .map(|answer| {
            let track = answer.track.as_ref().map(|t| t.value.as_str()).or(track);
            let next = answer.next.value.as_str();
            let next = track
                .and_then(|t| rules.tracks.get(t))
                .and_then(|t| t.replace.value.get(next))
                .map_or(next, String::as_str);
            (answer.id.value.as_str(), (track, next))
        })
        .collect()
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

/// Every page reachable from the start, breadth first, with the page that
/// first led to each (a shortest way back).
struct Walk<'a> {
    order: Vec<State<'a>>,
    back: BTreeMap<State<'a>, State<'a>>,
}

fn walk_pages(rules: &RulesFile) -> Walk<'_> {
    let start: State = (None, rules.start.value.as_str());
    let mut walk = Walk {
        order: vec![start],
        back: BTreeMap::new(),
    };
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(state) = queue.pop_front() {
        for (_, next) in successors(rules, state) {
            if seen.insert(next) {
                walk.back.insert(next, state);
                walk.order.push(next);
                queue.push_back(next);
            }
        }
    }
    walk
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

/// Turns checked rules into pages: Markdown rendered once per language,
/// back links along shortest paths, and how many questions may still come.
fn compile(rules: &RulesFile) -> QuickCheck {
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
                    })
                    .collect(),
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
        start: rules.start.value.clone(),
        questions,
        results,
        pages: compile_pages(rules),
    }
}

/// One page per place a citizen can reach, in the order a walk finds them.
fn compile_pages(rules: &RulesFile) -> Vec<Page> {
    let place = |(track, id): State| Place {
        track: track.map(str::to_owned),
        id: id.to_owned(),
    };
    let walk = walk_pages(rules);
    let mut remaining = BTreeMap::new();
    walk.order
        .iter()
        .map(|state| Page {
            place: place(*state),
            answers: successors(rules, *state)
                .into_iter()
                .map(|(_, next)| place(next))
                .collect(),
            back: walk.back.get(state).copied().map(place),
            remaining_at_most: questions_after(rules, *state, &mut remaining),
        })
        .collect()
}

/// The most questions that can follow the page at `state` (the graph is acyclic).
fn questions_after<'a>(
    rules: &'a RulesFile,
    state: State<'a>,
    memo: &mut BTreeMap<State<'a>, usize>,
) -> usize {
    if let Some(known) = memo.get(&state) {
        return *known;
    }
    let most = successors(rules, state)
        .into_iter()
        .filter(|(_, (_, next))| rules.questions.contains_key(*next))
        .map(|(_, next)| 1 + questions_after(rules, next, memo))
        .max()
        .unwrap_or(0);
    memo.insert(state, most);
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

    fn main(id: &str) -> Place {
        Place {
            track: None,
            id: id.to_owned(),
        }
    }

    fn on_track(track: &str, id: &str) -> Place {
        Place {
            track: Some(track.to_owned()),
            id: id.to_owned(),
        }
    }

    /// `rules()` with a track: answering `years: few` together with someone
    /// continues to a last question whose `yes_result` becomes `together`.
    fn rules_with_track() -> String {
        rules()
            .replace("start: age\n", "start: age\ntracks:\n  jointly:\n    replace: { yes_result: together }\n")
            .replace(
                "      - { id: many, label: { de: Viele, en: Many }, next: yes_result }\n",
                "      - { id: many, label: { de: Viele, en: Many }, next: last }\n      - { id: together, label: { de: Z, en: T }, next: last, track: jointly }\n  last:\n    text: { de: L?, en: L? }\n    answers:\n      - { id: ok, label: { de: Ja, en: \"Yes\" }, next: yes_result }\n      - { id: not_ok, label: { de: Nein, en: \"No\" }, next: wait }\n",
            )
            + "  together: { outcome: ask_office, title: { de: T, en: T }, requirement: { de: r, en: r }, norm: { de: n, en: n }, next_steps: { de: s, en: s } }\n"
    }

    #[test]
    fn a_track_gets_its_own_pages_and_replaces_results() {
        let check = QuickCheck::parse(&rules_with_track(), Path::new(FILE), &langs()).unwrap();
        let page = |place: Place| check.pages.iter().find(|p| p.place == place).unwrap();
        assert_eq!(
            page(main("years")).answers,
            [main("wait"), main("last"), on_track("jointly", "last")]
        );
        assert_eq!(
            page(main("last")).answers,
            [main("yes_result"), main("wait")]
        );
        let last = page(on_track("jointly", "last"));
        assert_eq!(
            last.answers,
            [on_track("jointly", "together"), on_track("jointly", "wait")],
            "on the track, `yes_result` becomes `together`; other results stay"
        );
        assert_eq!(last.back, Some(main("years")));
        assert_eq!(page(main("age")).remaining_at_most, 2);
        assert_eq!(
            check.page_path(&on_track("jointly", "last")),
            "quick-check/jointly/last/"
        );
        assert!(
            !check.pages.iter().any(|p| p.place == main("together")),
            "`together` exists only on the track"
        );
    }

    #[test]
    fn a_track_must_be_defined_chosen_and_replace_results_by_results() {
        let text = rules_with_track().replace("track: jointly", "track: jointyl");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.line == line_of(&text, "track: jointyl")
                    && e.message
                        .contains("chooses the track `jointyl`, which is not defined")),
            "{found:#?}"
        );
        let text = rules_with_track().replace(", track: jointly", "");
        let found = errors(&text);
        assert!(
            found.iter().any(|e| e.line == line_of(&text, "replace:")
                && e.message.contains("track `jointly` is never chosen")),
            "{found:#?}"
        );
        let text = rules_with_track().replace("{ yes_result: together }", "{ yes_result: years }");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("`years` is not a result")),
            "{found:#?}"
        );
        let text = rules_with_track()
            .replace("  jointly:\n", "  last:\n")
            .replace("track: jointly", "track: last");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("track `last` has the id of a question")),
            "{found:#?}"
        );
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
        assert_eq!(check.start_path(), "quick-check/");
        assert_eq!(check.page_path(&main("years")), "quick-check/years/");
        let page = |id: &str| check.pages.iter().find(|p| p.place == main(id)).unwrap();
        assert_eq!(check.pages.len(), 5, "two questions, three results");
        assert_eq!(page("age").back, None);
        assert_eq!(page("years").back, Some(main("age")));
        assert_eq!(page("age").remaining_at_most, 1);
        assert_eq!(page("years").remaining_at_most, 0);
        assert_eq!(page("years").answers, [main("wait"), main("yes_result")]);
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
        let languages: Vec<Lang> = ["de", "en", "ar", "tr", "ru", "uk", "fa"]
            .iter()
            .filter_map(|code| Lang::parse(code))
            .collect();
        let check = QuickCheck::load(&root, &languages).unwrap();
        let questions: Vec<&str> = check.questions.keys().map(String::as_str).collect();
        for id in [
            "age",
            "residence_years",
            "married_to_german",
            "family_applies",
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
        assert_eq!(questions.len(), 14, "no other questions");
        let outcomes: BTreeSet<&str> = check.results.values().map(|r| r.outcome.id()).collect();
        assert_eq!(
            outcomes.len(),
            5,
            "every outcome is reachable: {outcomes:?}"
        );
    }
}
