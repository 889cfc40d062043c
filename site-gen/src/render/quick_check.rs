//! Pages of the quick-check for one municipality and language: one page per
//! question (its answers are links to the next page), one per result (with
//! the office's contact).

use std::collections::BTreeMap;

use minijinja::{Value, context};

use super::Renderer;
use crate::error::BuildError;
use crate::languages::{Lang, Translated};
use crate::municipality::Municipality;
use crate::quick_check::{CheckResult, Page as QuickCheckPage, Place, Question, QuickCheck};

/// A rendered page: its path below `/<slug>/<lang>/` and its HTML.
pub type Page = (String, String);

fn in_lang(text: &Translated, lang: Lang) -> &str {
    text.get(&lang).map_or("", String::as_str)
}

fn html_in_lang(text: &BTreeMap<Lang, String>, lang: Lang) -> Option<&str> {
    text.get(&lang).map(String::as_str)
}

impl Renderer<'_> {
    /// Every page of the quick-check of `m` in `lang`.
    pub fn render_quick_check_pages(
        &self,
        m: &Municipality,
        lang: Lang,
    ) -> Result<Vec<Page>, BuildError> {
        let check = self.quick_check;
        let links = Links {
            home: format!("{}{}/{}/", self.base, m.slug, lang.code()),
            check,
        };
        let data = self.block_context(m, lang);
        let mut pages = Vec::with_capacity(check.pages.len());
        for page in &check.pages {
            let (template, extra) = if let Some(question) = check.questions.get(&page.place.id) {
                (
                    "quick-check-question.html",
                    question_context(question, page, lang, &links),
                )
            } else if let Some(result) = check.results.get(&page.place.id) {
                (
                    "quick-check-result.html",
                    result_context(result, lang, &links),
                )
            } else {
                continue;
            };
            let path = check.page_path(&page.place);
            let ctx = self.municipality_page(m, lang, &data, &path, extra);
            pages.push((path, self.render(template, ctx)?));
        }
        Ok(pages)
    }
}

/// Absolute links within one municipality's quick-check in one language.
struct Links<'a> {
    home: String,
    check: &'a QuickCheck,
}

impl Links<'_> {
    fn to(&self, place: &Place) -> String {
        format!("{}{}", self.home, self.check.page_path(place))
    }

    fn start(&self) -> String {
        format!("{}{}", self.home, self.check.start_path())
    }
}

fn question_context(
    question: &Question,
    page: &QuickCheckPage,
    lang: Lang,
    links: &Links,
) -> Value {
    let answers: Vec<_> = question
        .answers
        .iter()
        .zip(&page.answers)
        .map(|(a, next)| context! { id => &a.id, label => in_lang(&a.label, lang), href => links.to(next) })
        .collect();
    context! {
        question => context! {
            id => &question.id,
            text => in_lang(&question.text, lang),
            hint_html => html_in_lang(&question.hint_html, lang),
            answers => answers,
            back_href => page.back.as_ref().map_or_else(|| links.home.clone(), |b| links.to(b)),
            remaining => page.remaining_at_most,
        },
        start_href => links.start(),
    }
}

fn result_context(result: &CheckResult, lang: Lang, links: &Links) -> Value {
    context! {
        result => context! {
            id => &result.id,
            outcome => result.outcome.id(),
            title => in_lang(&result.title, lang),
            requirement_html => html_in_lang(&result.requirement_html, lang),
            norm => in_lang(&result.norm, lang),
            next_steps_html => html_in_lang(&result.next_steps_html, lang),
        },
        start_href => links.start(),
        apply_href => format!("{}apply/", links.home),
    }
}
