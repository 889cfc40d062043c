//! Turns loaded content and municipalities into HTML with the theme's
//! minijinja templates. Content blocks were rendered from Markdown once per
//! language; here they are templated per municipality (office name, address…).
//! The quick-check's pages are in [`quick_check`].

mod apply;
mod index;
mod public_pages;
mod quick_check;

pub use index::{PLACES_PER_PAGE, SEARCH_SCRIPT};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::Serialize;

use crate::content::{Block, LanguageContent, SiteContent, sorted_entries};
use crate::error::{BuildError, EditorError, describe_template_error};
use crate::forms::Forms;
use crate::languages::Lang;
use crate::markdown::render_section_markdown;
use crate::municipality::{Kind, Municipality, Office, PublicBody, Weekday};
use crate::quick_check::QuickCheck;
use crate::site::SiteConfig;
use crate::values::{FormEndpoint, origin_of};

/// Site-relative URLs of the theme's assets, with a content hash so that
/// browsers may cache them for long and still see every change.
#[derive(Debug, Clone, Serialize)]
pub struct AssetUrls {
    pub css: String,
    pub js: String,
    /// The application form's assistant and draft, linked from the form page only.
    pub form_js: String,
}

/// A link to the same page in another language.
#[derive(Debug, Serialize)]
struct Alternate {
    code: &'static str,
    name: &'static str,
    dir: &'static str,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct OpeningRow {
    days: String,
    hours: String,
}

pub struct Renderer<'c> {
    env: Environment<'static>,
    content: &'c SiteContent,
    quick_check: &'c QuickCheck,
    forms: &'c Forms,
    default_endpoint: Option<FormEndpoint>,
    /// Markdown intros of the forms, rendered once: (form, section or "", language).
    form_intros: BTreeMap<(String, String, Lang), String>,
    base: String,
    /// `scheme://host[:port]` of the site, for the pages' security policy.
    origin: String,
    /// Converted once: every page needs them.
    assets_value: Value,
    ui_values: BTreeMap<Lang, Value>,
    /// The languages of the site-wide pages (index, 404) besides German, in
    /// the order municipalities list them.
    site_languages: Vec<Lang>,
    /// The municipality whose public-body pages the site-wide pages link to.
    operator: Option<String>,
}

impl<'c> Renderer<'c> {
    /// Loads the theme's templates and compiles every content block (shared
    /// and municipal) as a template; a broken block is the editor's error.
    pub fn new(
        root: &Path,
        site: &SiteConfig,
        content: &'c SiteContent,
        quick_check: &'c QuickCheck,
        forms: &'c Forms,
        municipalities: &[Municipality],
        assets: AssetUrls,
    ) -> Result<Self, BuildError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_formatter(escape_html_text);
        let templates = root.join("themes").join(&site.theme).join("templates");
        let files = sorted_entries(&templates).map_err(|e| BuildError::Theme {
            name: templates.display().to_string(),
            detail: e.message,
        })?;
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
        {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let source = std::fs::read_to_string(path)
                .map_err(|e| BuildError::io("read template", path, e))?;
            env.add_template_owned(name.clone(), source)
                .map_err(|e| BuildError::theme(&name, &e))?;
        }
        let mut errors = Vec::new();
        let shared = content
            .languages
            .values()
            .flat_map(|c| c.blocks.iter().chain(&c.pages));
        let own = municipalities
            .iter()
            .flat_map(|m| m.overrides.values().flatten());
        for block in shared.chain(own) {
            if let Err(error) = env.add_template_owned(template_name(block), block.html.clone()) {
                errors.push(block_error(block, &error));
            }
        }
        if !errors.is_empty() {
            return Err(BuildError::Editor(errors));
        }
        let ui_values = content
            .languages
            .iter()
            .map(|(lang, c)| (*lang, ser(&c.ui)))
            .collect();
        let mut form_intros = BTreeMap::new();
        for form in forms.definitions.values() {
            let intros = std::iter::once((String::new(), form.intro.as_ref())).chain(
                form.sections
                    .iter()
                    .map(|s| (s.id.clone(), s.intro.as_ref())),
            );
            for (section, intro) in intros {
                for (code, markdown) in intro.into_iter().flatten() {
                    if let Some(lang) = Lang::parse(code) {
                        let html = render_section_markdown(markdown);
                        form_intros.insert((form.id.clone(), section.clone(), lang), html);
                    }
                }
            }
        }
        Ok(Self {
            env,
            content,
            quick_check,
            forms,
            default_endpoint: site.form_endpoint.clone(),
            form_intros,
            base: site.base_path(),
            origin: site.origin(),
            assets_value: ser(&assets),
            ui_values,
            site_languages: site_languages(content, municipalities),
            operator: site.operator.as_ref().map(|o| o.value.clone()),
        })
    }

    /// The forms' intros as HTML for the registry: form → section → language.
    pub fn form_intros_by_form(
        &self,
    ) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
        let mut by_form: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> =
            BTreeMap::new();
        for ((form, section, lang), html) in &self.form_intros {
            by_form
                .entry(form.clone())
                .or_default()
                .entry(section.clone())
                .or_default()
                .insert(lang.code().to_owned(), html.clone());
        }
        by_form
    }

    fn language(&self, lang: Lang) -> &LanguageContent {
        self.content
            .get(lang)
            .unwrap_or_else(|| self.content.primary())
    }

    fn render(&self, template: &str, ctx: Value) -> Result<String, BuildError> {
        self.env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|e| BuildError::theme(template, &e))
    }

    /// What content blocks may refer to: the municipality, its office and the
    /// interface strings, as seen in `lang`.
    fn block_context(&self, m: &Municipality, lang: Lang) -> Value {
        let ui = &self.language(lang).ui;
        context! {
            municipality => context! {
                slug => &m.slug,
                name => isolate(m.name.as_str(), lang),
                ags => m.ags.value.as_str(),
                key => m.shown_key(),
                key_label => ui_text(ui, key_label_key(m)),
                kind => ui_text(ui, m.kind.ui_key()),
                postcodes => ser(&m.postcodes.value),
                serves => ser(m.served_labels()),
                coat_of_arms => m.coat_of_arms.as_ref().map(|_| format!("{}{}/coat-of-arms.svg", self.base, m.slug)),
            },
            office => office_view(&m.office, lang, ui),
            land => self.content.lands.get(m.land_key()).map(|land| ser(land.view(lang))),
            sign_language => sign_language_view(m),
            public_body => ser(public_body_view(m)),
            t => self.ui_value(lang),
            lang => lang.code(),
        }
    }

    /// The interface strings of `lang` as a template value, converted once.
    fn ui_value(&self, lang: Lang) -> Value {
        self.ui_values
            .get(&lang)
            .or_else(|| self.ui_values.get(&Lang::primary()))
            .cloned()
            .unwrap_or_default()
    }

    /// The frame every page of a municipality shares (language, links to the
    /// same page in its other languages, assets, the municipality and its
    /// office), merged with the page's own `extra` context.
    /// `page` is the path below `/<slug>/<lang>/`, e.g. `quick-check/`.
    /// `data` is [`Self::block_context`] of `m` in `lang`, built once per
    /// municipality and language and shared by all its pages.
    fn municipality_page(
        &self,
        m: &Municipality,
        lang: Lang,
        data: &Value,
        page: &str,
        extra: Value,
    ) -> Value {
        self.municipality_page_in(m, lang, data, page, extra, m.languages())
    }

    /// [`Self::municipality_page`] for a page that exists only in `languages`.
    fn municipality_page_in(
        &self,
        m: &Municipality,
        lang: Lang,
        data: &Value,
        page: &str,
        extra: Value,
        languages: &[Lang],
    ) -> Value {
        let alternates = self.alternates(languages, lang, |code| {
            format!("{}{}/{code}/{page}", self.base, m.slug)
        });
        let translation = self.translation_notice(lang, &alternates);
        context! {
            lang => lang.code(),
            dir => lang.dir(),
            translation => translation,
            base => &self.base,
            csp => self.content_security_policy(self.form_endpoint(m)),
            assets => self.assets_value.clone(),
            t => self.ui_value(lang),
            alternates => ser(&alternates),
            municipality => data.get_attr("municipality").unwrap_or_default(),
            office => data.get_attr("office").unwrap_or_default(),
            home => format!("{}{}/{}/", self.base, m.slug, lang.code()),
            public_links => ser(self.public_links(&m.slug, lang)),
            ..extra
        }
    }

    /// `/<slug>/<lang>/index.html`: the service description for one municipality.
    pub fn render_service_page(&self, m: &Municipality, lang: Lang) -> Result<String, BuildError> {
        let language = self.language(lang);
        let block_ctx = self.block_context(m, lang);
        let mut sections = Vec::new();
        for block in m.blocks(&language.blocks, lang) {
            let html = self
                .env
                .get_template(&template_name(block))
                .and_then(|t| t.render(&block_ctx))
                .map_err(|e| BuildError::Editor(vec![block_error(block, &e)]))?;
            sections.push(context! {
                id => &block.id,
                heading => &block.heading,
                html => html,
                text_lang => block.falls_back(lang).then(|| block.text_lang.code()),
            });
        }
        let extra = context! {
            sections => sections,
            local_notes => m.local_notes_html(lang).map(|(html, from)| context! { html => html, lang => from }),
        };
        self.render(
            "service.html",
            self.municipality_page(m, lang, &block_ctx, "", extra),
        )
    }

    /// `/404.html`: served by the storage for any unknown path.
    pub fn render_not_found(&self) -> Result<String, BuildError> {
        let ui = &self.content.primary().ui;
        self.render("404.html", self.site_page_context(ui, context! {}))
    }

    /// Context of pages that belong to the whole site: German, with the
    /// other languages' texts beside it (`others`, each with its `lang` and
    /// `dir`), so a citizen finds their language before choosing an office.
    fn site_page_context(&self, ui: &BTreeMap<String, String>, extra: Value) -> Value {
        let others: Vec<Value> = self
            .site_languages
            .iter()
            .map(|lang| {
                context! {
                    code => lang.code(),
                    dir => lang.dir(),
                    name => lang.own_name(),
                    t => self.ui_value(*lang),
                }
            })
            .collect();
        context! {
            lang => Lang::primary().code(),
            dir => "ltr",
            translation => (),
            base => &self.base,
            csp => self.content_security_policy(None),
            assets => self.assets_value.clone(),
            t => ser(ui),
            others => others,
            alternates => ser(Vec::<Alternate>::new()),
            home => &self.base,
            public_links => self.site_public_links(),
            ..extra
        }
    }

    /// The policy every page carries in a `<meta>` (for hosts that cannot
    /// send headers; the AWS template sends a stricter one as a header): only
    /// the site's own files, and forms sent only to the site or the form
    /// endpoint. The site's origin is named besides `'self'`, because form-fn
    /// shows a refused application from its own origin with the site's files.
    /// `frame-ancestors` works only as a header, so it is not here.
    fn content_security_policy(&self, endpoint: Option<&str>) -> String {
        let own = format!("'self' {}", self.origin);
        let mut form_action = own.clone();
        if let Some(endpoint) = endpoint.map(origin_of).filter(|e| *e != self.origin) {
            form_action = format!("{form_action} {endpoint}");
        }
        format!(
            "default-src 'none'; script-src {own}; style-src {own}; img-src {own}; media-src {own}; \
             form-action {form_action}; base-uri 'none'"
        )
    }

    /// On a page not in German: whether the translation was reviewed, and
    /// the German page, which is the binding text.
    fn translation_notice(&self, lang: Lang, alternates: &[Alternate]) -> Value {
        if lang == Lang::primary() {
            return Value::from(());
        }
        let german = alternates.iter().find(|a| a.code == Lang::primary().code());
        context! {
            reviewed => self.language(lang).review.reviewed,
            german_href => german.map(|a| a.href.as_str()),
        }
    }

    fn alternates(
        &self,
        languages: &[Lang],
        current: Lang,
        href: impl Fn(&str) -> String,
    ) -> Vec<Alternate> {
        languages
            .iter()
            .map(|lang| Alternate {
                code: lang.code(),
                name: lang.own_name(),
                dir: lang.dir(),
                href: href(lang.code()),
                current: *lang == current,
            })
            .collect()
    }

    /// Finds editors' template mistakes before anything is written: every
    /// variable a block uses must exist, and every page must render.
    pub fn check_blocks(&self, m: &Municipality) -> Result<(), BuildError> {
        let mut errors = Vec::new();
        for lang in m.languages() {
            let ctx = self.block_context(m, *lang);
            let mut known = BTreeSet::new();
            collect_paths(&ctx, "", &mut known);
            collect_paths(&optional_paths(), "", &mut known);
            let language = self.language(*lang);
            for block in m
                .blocks(&language.blocks, *lang)
                .into_iter()
                .chain(&language.pages)
            {
                let Ok(template) = self.env.get_template(&template_name(block)) else {
                    continue;
                };
                let mut unknown: Vec<String> = template
                    .undeclared_variables(true)
                    .into_iter()
                    .filter(|var| !known.contains(var))
                    .collect();
                unknown.sort();
                for var in unknown {
                    let choices: Vec<&str> = known
                        .iter()
                        .map(String::as_str)
                        .filter(|p| !p.starts_with("t."))
                        .collect();
                    errors.push(EditorError::whole_file(
                        &block.source,
                        format!(
                            "unknown template variable `{var}`: expected one of {}, or t.<key> \
                             for an interface string",
                            choices.join(", ")
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(BuildError::Editor(errors));
        }
        for lang in m.languages() {
            self.render_service_page(m, *lang)?;
            self.render_public_pages(m, *lang)?;
        }
        Ok(())
    }
}

/// Escapes strings for HTML text and attributes, like minijinja's default,
/// except that `/` stays readable: `href="/koeln/de/"`, not `&#x2f;koeln…`.
fn escape_html_text(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => out
            .write_str(&form_spec::html::escape(text))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Any serializable value as a template value.
fn ser<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The sign-language video as the page shows it: file names (published
/// beside the page), media type and the transcript as HTML.
fn sign_language_view(m: &Municipality) -> Option<Value> {
    let video = m.sign_language.as_ref()?;
    let [file, captions] = video.published_names();
    Some(context! {
        video => file,
        media_type => video.media_type(),
        captions => captions,
        transcript_html => Value::from_safe_string(render_section_markdown(video.transcript.value.as_str())),
    })
}

/// The parts of the context that a municipality may leave out, fully
/// filled in, so that a text may use them (behind `{% if %}`) even when the
/// municipality that proves the texts has none.
fn optional_paths() -> Value {
    let address = serde_json::json!({ "street": "", "postcode": "", "city": "" });
    let contact = serde_json::json!({ "name": "", "email": "", "phone": "", "address": address });
    ser(serde_json::json!({
        "public_body": {
            "address": address,
            "data_protection_officer": contact,
            "accessibility_feedback": contact,
        },
        "sign_language": { "video": "", "media_type": "", "captions": "", "transcript_html": "" },
    }))
}

/// The interface string naming the key a citizen sees for `m`.
fn key_label_key(m: &Municipality) -> &'static str {
    if m.kind == Kind::Kreis {
        "kreis_key"
    } else {
        "ags"
    }
}

/// The public body as templates see it: the municipality's own data, or
/// only its name (marked unverified) where the file has none.
fn public_body_view(m: &Municipality) -> PublicBody {
    m.public_body.clone().unwrap_or_else(|| PublicBody {
        name: m.name.clone(),
        represented_by: None,
        address: None,
        phone: None,
        email: None,
        web: None,
        data_protection_officer: None,
        accessibility_feedback: None,
        operator: None,
        verified: false,
    })
}

fn template_name(block: &Block) -> String {
    block.source.display().to_string()
}

fn block_error(block: &Block, error: &minijinja::Error) -> EditorError {
    EditorError::whole_file(
        &block.source,
        format!("template error: {}", describe_template_error(error)),
    )
}

/// Every dotted path of a context (`office.address.city`, …), for checking
/// the variables a block uses.
fn collect_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if value.kind() != ValueKind::Map {
        return;
    }
    let Ok(keys) = value.try_iter() else { return };
    for key in keys {
        let Some(name) = key.as_str() else { continue };
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        if let Ok(child) = value.get_item(&key) {
            collect_paths(&child, &path, out);
        }
        out.insert(path);
    }
}

/// German names and addresses inside right-to-left text, isolated (U+2068
/// FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE) so their letters,
/// numbers and punctuation keep their order wherever an editor writes them,
/// in Markdown as in templates. Left-to-right languages get them as they are.
fn isolate(text: &str, lang: Lang) -> String {
    if lang.is_rtl() {
        format!("\u{2068}{text}\u{2069}")
    } else {
        text.to_owned()
    }
}

fn ui_text<'a>(ui: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    ui.get(key).map_or("", String::as_str)
}

/// The languages of the site-wide pages besides German: those with content,
/// in the order they first appear in the municipalities' `languages:`, then
/// any other language with content.
fn site_languages(content: &SiteContent, municipalities: &[Municipality]) -> Vec<Lang> {
    let listed = municipalities
        .iter()
        .flat_map(|m| m.languages().iter().copied());
    let mut languages: Vec<Lang> = Vec::new();
    for lang in listed.chain(content.languages.keys().copied()) {
        if lang != Lang::primary() && content.get(lang).is_some() && !languages.contains(&lang) {
            languages.push(lang);
        }
    }
    languages
}

/// The office as templates show it: opening hours in words of `lang`,
/// a dialable phone link, notes in the reader's language.
fn office_view(office: &Office, lang: Lang, ui: &BTreeMap<String, String>) -> Value {
    let rows: Vec<OpeningRow> = office
        .opening_hours
        .iter()
        .map(|h| OpeningRow {
            days: day_range(&h.days, ui),
            hours: format!("{}–{}", h.opens, h.closes.value),
        })
        .collect();
    // `{text, lang}`: `lang` is "de" where German stands in for a translation.
    let note = |text: Option<&serde_saphyr::Spanned<crate::languages::Translated>>| {
        text.and_then(|t| crate::languages::in_lang_or_german(&t.value, lang))
            .map(|(text, from)| context! { text => text, lang => from })
    };
    let access = &office.accessibility;
    context! {
        name => isolate(office.name.as_str(), lang),
        address => context! {
            street => isolate(office.address.street.as_str(), lang),
            postcode => office.address.postcode.as_str(),
            city => isolate(office.address.city.as_str(), lang),
        },
        phone => office.phone.as_ref().map(|p| p.as_str()),
        phone_href => office.phone.as_ref().map(|p| format!("tel:{}", p.as_str().replace([' ', '-', '/'], ""))),
        email => office.email.as_ref().map(|e| e.as_str()),
        web => office.web.as_ref().map(|w| w.as_str()),
        opening_hours => ser(&rows),
        opening_hours_note => note(office.opening_hours_note.as_ref()),
        appointment_required => office.appointment_required,
        appointment_url => office.appointment_url.as_ref().map(|u| u.as_str()),
        accessibility => context! {
            step_free => access.step_free,
            accessible_toilet => access.accessible_toilet,
            hearing_loop => access.hearing_loop,
            note => note(access.note.as_ref()),
        },
        contact_verified => office.contact_verified,
    }
}

/// "Montag – Freitag" for a run of three or more days, else "Montag, Mittwoch".
fn day_range(days: &[Weekday], ui: &BTreeMap<String, String>) -> String {
    let name = |day: &Weekday| {
        let key = format!("day_{}", format!("{day:?}").to_lowercase());
        ui.get(&key).cloned().unwrap_or(key)
    };
    let consecutive = days.windows(2).all(|w| w[1] as u8 == w[0] as u8 + 1);
    match days {
        [first, .., last] if days.len() >= 3 && consecutive => {
            format!("{} – {}", name(first), name(last))
        }
        _ => days.iter().map(name).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_sort_with_their_base_letter() {
        let mut names = vec!["Zülpich", "Ötisheim", "Oberhausen", "Paderborn"];
        names.sort_by_cached_key(|n| crate::directory::sort_key(n));
        assert_eq!(names, ["Oberhausen", "Ötisheim", "Paderborn", "Zülpich"]);
    }

    #[test]
    fn weekday_runs_are_shortened() {
        let ui: BTreeMap<String, String> =
            [("day_mon", "Mo"), ("day_fri", "Fr"), ("day_wed", "Mi")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
        use Weekday::*;
        assert_eq!(day_range(&[Mon, Tue, Wed, Thu, Fri], &ui), "Mo – Fr");
        assert_eq!(day_range(&[Mon, Wed], &ui), "Mo, Mi");
    }
}
