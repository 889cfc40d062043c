//! The pages every public body publishes: accessibility statement, privacy
//! notice and legal notice in every language of the municipality, Leichte
//! Sprache and sign language in German. Their text is the editors'
//! Markdown (`content/<lang>/pages/`), templated with the municipality, its
//! public body and its Land; the footer of every page links to all five.

use minijinja::{Value, context};
use serde::Serialize;

use super::quick_check::Page;
use super::{Renderer, block_error, template_name};
use crate::content::PUBLIC_PAGES;
use crate::error::BuildError;
use crate::languages::Lang;
use crate::municipality::Municipality;

/// A footer link to one of the public body's pages.
#[derive(Debug, Serialize)]
pub(super) struct PublicLink {
    href: String,
    label: String,
    /// Set when the page is in another language than the page linking to it.
    lang: Option<&'static str>,
}

impl Renderer<'_> {
    /// The footer links of a page of `slug` in `lang`: German-only pages are
    /// linked in German, with their German name, from every language.
    pub(super) fn public_links(&self, slug: &str, lang: Lang) -> Vec<PublicLink> {
        let german = Lang::primary();
        PUBLIC_PAGES
            .iter()
            .map(|page| {
                let target = if page.german_only { german } else { lang };
                let id = page.id;
                let label_key = format!("page_{}", id.replace('-', "_"));
                let ui = &self.language(target).ui;
                PublicLink {
                    href: format!("{}{slug}/{}/{id}/", self.base, target.code()),
                    label: ui.get(&label_key).cloned().unwrap_or_default(),
                    lang: (target != lang).then_some(target.code()),
                }
            })
            .collect()
    }

    /// The public body's pages of `m` in `lang`, as (path below
    /// `/<slug>/<lang>/`, HTML).
    pub fn render_public_pages(
        &self,
        m: &Municipality,
        lang: Lang,
    ) -> Result<Vec<Page>, BuildError> {
        let data = self.block_context(m, lang);
        let mut pages = Vec::new();
        for kind in PUBLIC_PAGES.iter().filter(|p| p.exists_in(lang)) {
            let id = kind.id;
            let Some(page) = self.language(lang).pages.iter().find(|p| p.id == id) else {
                continue;
            };
            let html = self
                .env
                .get_template(&template_name(page))
                .and_then(|t| t.render(&data))
                .map_err(|e| BuildError::Editor(vec![block_error(page, &e)]))?;
            let path = format!("{id}/");
            let extra = context! {
                page => context! {
                    id => id,
                    heading => &page.heading,
                    html => html,
                    text_lang => page.falls_back(lang).then(|| page.text_lang.code()),
                    names_public_body => kind.names_public_body,
                    names_land => kind.names_land,
                },
                sign_language => data.get_attr("sign_language").unwrap_or_default(),
                public_body => data.get_attr("public_body").unwrap_or_default(),
                land => data.get_attr("land").unwrap_or_default(),
            };
            let languages: &[Lang] = if kind.german_only {
                &[Lang::primary()]
            } else {
                m.languages()
            };
            let ctx = self.municipality_page_in(m, lang, &data, &path, extra, languages);
            pages.push((path, self.render("public-page.html", ctx)?));
        }
        Ok(pages)
    }

    /// The public pages' footer links for pages of the whole site (index,
    /// 404): those of the municipality that operates the site, if named.
    pub(super) fn site_public_links(&self) -> Value {
        match &self.operator {
            Some(slug) => super::ser(self.public_links(slug, Lang::primary())),
            None => super::ser(Vec::<PublicLink>::new()),
        }
    }
}
