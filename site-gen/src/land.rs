//! What differs per Land (federal state): who is the naturalization
//! authority there, which authority supervises data protection and which
//! body enforces accessibility. One file per Land in `content/lands/`, so
//! the kit serves any Land and no page hard-codes North Rhine-Westphalia.
//! A municipality's Land follows from the first two digits of its key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::content::{relative, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::languages::{Lang, Translated, translation_errors};
use crate::markdown::render_section_markdown;
use crate::values::{Email, HttpsUrl};
use crate::yaml::{parse_yaml, read_text};

/// Where the Land files live, relative to the site root.
pub const LANDS_DIR: &str = "content/lands";

/// An authority citizens may turn to, as the Land publishes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub name: Spanned<Translated>,
    pub web: HttpsUrl,
    #[serde(default)]
    pub email: Option<Email>,
}

/// One `content/lands/<code>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandFile {
    /// The Land's number, the first two digits of every key in it (`"05"`).
    pub key: Spanned<String>,
    pub name: Spanned<Translated>,
    /// Who decides on naturalization in this Land (Markdown).
    pub naturalization_authorities: Spanned<Translated>,
    /// The data protection supervisory authority (GDPR Art. 77).
    pub data_protection_authority: Authority,
    /// Where citizens turn when an accessibility complaint is not resolved.
    pub accessibility_enforcement: Authority,
    /// `false` until someone checked names and addresses with the Land's own
    /// publications; pages then mark them as not yet verified.
    pub verified: bool,
    /// Where the data was taken from (shown to editors only).
    #[serde(default)]
    pub sources: Vec<HttpsUrl>,
}

/// A Land, loaded and checked, keyed by its two-digit number.
#[derive(Debug, Clone)]
pub struct Land {
    pub file: LandFile,
    /// `naturalization_authorities` rendered from Markdown, per language.
    pub authorities_html: BTreeMap<Lang, String>,
}

/// Every Land with a file, by its two-digit number.
pub type Lands = BTreeMap<String, Land>;

/// Loads every `content/lands/*.yaml` and checks its key and translations.
pub fn load_lands(root: &Path, languages: &[Lang]) -> Result<Lands, BuildError> {
    let dir = root.join(LANDS_DIR);
    let mut lands = Lands::new();
    let mut errors = EditorErrors::default();
    let files = sorted_entries(&dir).map_err(|e| e.relative_to(root))?;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
    {
        let shown = relative(root, path);
        let file: LandFile = match read_text(path, &shown).and_then(|t| parse_yaml(&t, &shown, 0)) {
            Ok(file) => file,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        check_land_file(&file, &shown, &lands, languages, &mut errors);
        let authorities_html = file
            .naturalization_authorities
            .value
            .iter()
            .map(|(lang, md)| (*lang, render_section_markdown(md)))
            .collect();
        lands.insert(
            file.key.value.clone(),
            Land {
                file,
                authorities_html,
            },
        );
    }
    errors.into_result()?;
    Ok(lands)
}

/// One Land file: a valid, unused Land number and every text translated.
fn check_land_file(
    file: &LandFile,
    shown: &Path,
    lands: &Lands,
    languages: &[Lang],
    errors: &mut EditorErrors,
) {
    let key = &file.key;
    let valid = key.value.len() == 2
        && key.value.bytes().all(|b| b.is_ascii_digit())
        && key.value.parse::<u8>().is_ok_and(|n| (1..=16).contains(&n));
    if !valid {
        errors.push(EditorError::at(
            shown,
            key.referenced,
            0,
            format!(
                "`{}` is not a Land's number: expected two digits 01–16 in quotes, e.g. \"05\"",
                key.value
            ),
        ));
    } else if lands.contains_key(&key.value) {
        errors.push(EditorError::at(
            shown,
            key.referenced,
            0,
            format!("Land `{}` has a second file: one file per Land", key.value),
        ));
    }
    for (field, text) in [
        ("name", &file.name),
        (
            "naturalization_authorities",
            &file.naturalization_authorities,
        ),
        (
            "data_protection_authority.name",
            &file.data_protection_authority.name,
        ),
        (
            "accessibility_enforcement.name",
            &file.accessibility_enforcement.name,
        ),
    ] {
        errors.extend(translation_errors(shown, field, text, languages));
    }
}

/// The view of an authority that templates see, in one language.
#[derive(Debug, Serialize)]
pub struct AuthorityView<'a> {
    pub name: &'a str,
    pub web: &'a str,
    pub email: Option<&'a str>,
}

impl Authority {
    /// The authority as seen in `lang` (German where a text is missing).
    pub fn view(&self, lang: Lang) -> AuthorityView<'_> {
        AuthorityView {
            name: in_lang(&self.name.value, lang),
            web: self.web.as_str(),
            email: self.email.as_ref().map(Email::as_str),
        }
    }
}

/// What templates see of a Land, in one language.
#[derive(Debug, Serialize)]
pub struct LandView<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub naturalization_authorities_html: &'a str,
    pub data_protection_authority: AuthorityView<'a>,
    pub accessibility_enforcement: AuthorityView<'a>,
    pub verified: bool,
}

impl Land {
    /// The Land as seen in `lang`.
    pub fn view(&self, lang: Lang) -> LandView<'_> {
        let file = &self.file;
        LandView {
            key: &file.key.value,
            name: in_lang(&file.name.value, lang),
            naturalization_authorities_html: self
                .authorities_html
                .get(&lang)
                .or_else(|| self.authorities_html.get(&Lang::primary()))
                .map_or("", String::as_str),
            data_protection_authority: file.data_protection_authority.view(lang),
            accessibility_enforcement: file.accessibility_enforcement.view(lang),
            verified: file.verified,
        }
    }
}

fn in_lang(text: &Translated, lang: Lang) -> &str {
    text.get(&lang)
        .or_else(|| text.get(&Lang::primary()))
        .map_or("", String::as_str)
}
