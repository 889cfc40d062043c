//! Pages of the quick-check for one municipality and language: one page per
//! question (its answers are links to the next page), one per result (with
//! the office's contact).

use std::collections::BTreeMap;

use minijinja::context;

use super::Renderer;
use crate::error::BuildError;
use crate::languages::{Lang, Translated};
use crate::municipality::Municipality;

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
        let home = format!("{}{}/{}/", self.base, m.slug, lang.code());
        let href = |id: &str| format!("{home}{}", check.page_path(id));
        let start_href = href(&check.start);
        let data = self.block_context(m, lang);
        let mut pages = Vec::with_capacity(check.questions.len() + check.results.len());
        for question in check.questions.values() {
            let answers: Vec<_> = question
                .answers
                .iter()
                .map(|a| context! { id => &a.id, label => in_lang(&a.label, lang), href => href(&a.next) })
                .collect();
            let extra = context! {
                question => context! {
                    id => &question.id,
                    text => in_lang(&question.text, lang),
                    hint_html => html_in_lang(&question.hint_html, lang),
                    answers => answers,
                    back_href => question.back.as_deref().map_or_else(|| home.clone(), &href),
                    remaining => question.remaining_at_most,
                },
                start_href => &start_href,
            };
            let path = check.page_path(&question.id);
            let ctx = self.municipality_page(m, lang, &data, &path, extra);
            pages.push((path, self.render("quick-check-question.html", ctx)?));
        }
        for result in check.results.values() {
            let extra = context! {
                result => context! {
                    id => &result.id,
                    outcome => result.outcome.id(),
                    title => in_lang(&result.title, lang),
                    requirement_html => html_in_lang(&result.requirement_html, lang),
                    norm => in_lang(&result.norm, lang),
                    next_steps_html => html_in_lang(&result.next_steps_html, lang),
                },
                start_href => &start_href,
                apply_href => format!("{home}apply/"),
            };
            let path = check.page_path(&result.id);
            let ctx = self.municipality_page(m, lang, &data, &path, extra);
            pages.push((path, self.render("quick-check-result.html", ctx)?));
        }
        Ok(pages)
    }
}
