//! The languages a site can be offered in: ISO 639-1 code, the language's own
//! name (shown in language links, so a reader finds their language without
//! reading German) and its writing direction.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::error::EditorError;

/// Text an editor writes once per language (`de: …`, `en: …`).
pub type Translated = BTreeMap<Lang, String>;

/// Checks that `text` (the field `field` of `file`) has exactly the languages
/// `langs`: a missing one is a missing translation, an extra one a mistake.
/// Where German may stand in for a missing text, use [`unknown_translations`]
/// for errors and [`missing_translations`] for warnings.
pub fn translation_errors(
    file: &Path,
    field: &str,
    text: &Spanned<Translated>,
    langs: &[Lang],
) -> Vec<EditorError> {
    let mut errors = missing_translations(file, field, text, langs);
    errors.extend(unknown_translations(file, field, text, langs));
    errors
}

/// One error (or, where German may stand in, warning) per language of
/// `langs` that `text` has no text for.
pub fn missing_translations(
    file: &Path,
    field: &str,
    text: &Spanned<Translated>,
    langs: &[Lang],
) -> Vec<EditorError> {
    langs
        .iter()
        .filter(|l| !text.value.contains_key(l))
        .map(|lang| {
            EditorError::at(
                file,
                text.referenced,
                0,
                format!("missing translation: `{field}` has no text for `{lang}`"),
            )
        })
        .collect()
}

/// Errors for text in languages that are not among `langs`; German must be there.
pub fn unknown_translations(
    file: &Path,
    field: &str,
    text: &Spanned<Translated>,
    langs: &[Lang],
) -> Vec<EditorError> {
    let mut errors = Vec::new();
    if !text.value.contains_key(&Lang::primary()) {
        errors.extend(missing_translations(file, field, text, &[Lang::primary()]));
    }
    for lang in text.value.keys().filter(|l| !langs.contains(l)) {
        errors.push(EditorError::at(
            file,
            text.referenced,
            0,
            format!(
                "`{field}` has text for `{lang}`, which is not one of the languages ({})",
                {
                    let codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
                    codes.join(", ")
                }
            ),
        ));
    }
    errors
}

use crate::cldr_languages::KNOWN;

/// The text of `text` in `lang`, or German standing in for a missing
/// translation: `(text, Some("de"))` then, so the page can mark it.
pub fn in_lang_or_german(text: &Translated, lang: Lang) -> Option<(&str, Option<&'static str>)> {
    match text.get(&lang) {
        Some(own) => Some((own.as_str(), None)),
        None => text
            .get(&Lang::primary())
            .map(|german| (german.as_str(), Some(PRIMARY))),
    }
}

/// The language every site is written in first; other languages translate it.
pub const PRIMARY: &str = "de";

/// A language code the kit knows how to present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Lang(&'static str);

// Written by hand: a derived impl would tie the input's lifetime to `'static`.
impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::try_from(code).map_err(serde::de::Error::custom)
    }
}

impl Lang {
    pub fn parse(code: &str) -> Option<Self> {
        KNOWN
            .iter()
            .find(|(known, _, _)| *known == code)
            .map(|(known, _, _)| Self(known))
    }

    pub fn primary() -> Self {
        Self(PRIMARY)
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// The language's name in itself, e.g. "Türkçe".
    pub fn own_name(self) -> &'static str {
        KNOWN
            .iter()
            .find(|(code, _, _)| *code == self.0)
            .map_or(self.0, |(_, name, _)| name)
    }

    /// The value of the HTML `dir` attribute for text in this language.
    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    pub fn is_rtl(self) -> bool {
        KNOWN.iter().any(|(code, _, rtl)| *code == self.0 && *rtl)
    }
}

impl TryFrom<String> for Lang {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code).ok_or_else(|| {
            let known: Vec<&str> = KNOWN.iter().map(|(code, _, _)| *code).collect();
            format!(
                "unknown language code `{code}`: expected an ISO 639-1 code, one of {}",
                known.join(", ")
            )
        })
    }
}

impl From<Lang> for String {
    fn from(lang: Lang) -> Self {
        lang.0.to_owned()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_right_to_left_and_german_is_not() {
        assert!(Lang::parse("ar").unwrap().is_rtl());
        assert!(!Lang::primary().is_rtl());
    }

    #[test]
    fn unknown_code_lists_the_known_ones() {
        let error = Lang::try_from("xx".to_owned()).unwrap_err();
        assert!(
            error.contains("`xx`") && error.contains("de, el, en"),
            "{error}"
        );
    }
}
