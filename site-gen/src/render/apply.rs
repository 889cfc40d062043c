//! The application pages of a municipality: the form (rendered by form-spec,
//! the same code form-fn uses to show it again with errors) and the
//! confirmation page; or, where no form endpoint is configured, a page that
//! explains how to apply at the office.

use form_spec::html::{FORM_SLOT, FormPage};
use minijinja::context;

use super::Renderer;
use super::quick_check::Page;
use crate::error::BuildError;
use crate::languages::Lang;
use crate::municipality::Municipality;

impl Renderer<'_> {
    /// Where `m` sends applications, if anywhere. The site's endpoint
    /// applies to a municipality only once it has started to set up
    /// delivery (a key or a transport): a new municipality stays offline,
    /// while a half-configured one is the build's error.
    pub fn form_endpoint<'a>(&'a self, m: &'a Municipality) -> Option<&'a str> {
        let set_up = !m.recipients.is_empty() || m.transport.is_some();
        m.form_endpoint
            .as_ref()
            .or(self.default_endpoint.as_ref().filter(|_| set_up))
            .map(|e| e.as_str())
    }

    /// `apply/` (and `apply/done/` when the form is online) for `m` in `lang`,
    /// and, when online, the form page's shell for form-fn.
    pub fn render_apply_pages(
        &self,
        m: &Municipality,
        lang: Lang,
    ) -> Result<(Vec<Page>, Option<String>), BuildError> {
        let home = format!("{}{}/{}/", self.base, m.slug, lang.code());
        let data = self.block_context(m, lang);
        let start_href = format!("{home}{}", self.quick_check.start_path());
        let Some((endpoint, form)) = self
            .form_endpoint(m)
            .zip(self.forms.definitions.values().next())
        else {
            let extra = context! {
                start_href => start_href,
                documents_href => format!("{home}#unterlagen"),
            };
            let ctx = self.municipality_page(m, lang, &data, "apply/", extra);
            return Ok((
                vec![("apply/".to_owned(), self.render("apply.html", ctx)?)],
                None,
            ));
        };
        let shell = self.render_form_shell(m, lang, &form.id)?;
        let action = format!("{endpoint}{}", form_spec::submit_path(&m.slug, &form.id));
        let intro = |section: &str| {
            self.form_intros
                .get(&(form.id.clone(), section.to_owned(), lang))
                .cloned()
        };
        let page = FormPage {
            form,
            countries: &self.forms.countries,
            nationality_extra: &self.forms.nationality_extra,
            lang: lang.code(),
            action: &action,
            intro_html: &intro,
            submitted: None,
            errors: &[],
        };
        let form_page = shell.replacen(FORM_SLOT, &page.render(), 1);
        let done = self.render(
            "apply-done.html",
            self.municipality_page(
                m,
                lang,
                &data,
                "apply/done/",
                context! { start_href => start_href },
            ),
        )?;
        Ok((
            vec![
                ("apply/".to_owned(), form_page),
                ("apply/done/".to_owned(), done),
            ],
            Some(shell),
        ))
    }

    /// The form page without the form itself: [`FORM_SLOT`] marks its place.
    pub fn render_form_shell(
        &self,
        m: &Municipality,
        lang: Lang,
        form_id: &str,
    ) -> Result<String, BuildError> {
        let data = self.block_context(m, lang);
        let form = self.forms.definitions.get(form_id);
        let title = form
            .and_then(|f| f.title.get(lang.code()))
            .cloned()
            .unwrap_or_default();
        let extra = context! { form_title => title, form_slot => minijinja::Value::from_safe_string(FORM_SLOT.to_owned()) };
        self.render(
            "apply-form.html",
            self.municipality_page(m, lang, &data, "apply/", extra),
        )
    }
}
