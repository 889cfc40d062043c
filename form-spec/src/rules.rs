//! The form's rules for the browser: every check of [`crate::validate`],
//! compiled for one language into a JSON document that the page carries
//! (`<script type="application/json" id="form-rules">`), so the step-by-step
//! assistant refuses the same fields with the same codes and messages as
//! form-fn. The browser only interprets this; the server stays the
//! authority. Written from the definition here, so the two cannot drift.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::definition::{Country, ErrorCode, Field, FieldType, FormDefinition, Translated, UiText};
use crate::submission::{DEFAULT_TEXT_MAX, DEFAULT_TEXTAREA_MAX};

/// The rules of one form in one language.
#[derive(Debug, Serialize)]
pub struct BrowserRules<'a> {
    pub form: &'a str,
    pub version: u32,
    pub lang: &'a str,
    /// All attachments together may not exceed this (`file_too_large`).
    pub max_attachment_bytes: u64,
    /// The form's message templates (`{label}`, `{min}`, `{max}`).
    pub messages: BTreeMap<ErrorCode, &'a str>,
    /// The form's own words, by [`UiText`] key.
    pub ui: BTreeMap<&'static str, &'a str>,
    pub sections: Vec<SectionRules<'a>>,
}

/// One section: one step of the assistant.
#[derive(Debug, Serialize)]
pub struct SectionRules<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub fields: Vec<FieldRules<'a>>,
}

/// What the server checks for one field (or group).
#[derive(Debug, Serialize)]
pub struct FieldRules<'a> {
    pub id: &'a str,
    pub kind: FieldType,
    pub label: &'a str,
    pub required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_if: Vec<ConditionRule<'a>>,
    /// The longest value in characters (the server's default where the
    /// definition sets none); only for fields that take text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_chars: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'a str>,
    /// Date limits as written: `YYYY-MM-DD`, `today` or `today-<N>y`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_max: Option<String>,
    /// What `{min}` and `{max}` stand for in messages when not a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_max: Option<String>,
    /// The accepted values of a select, radio, country or nationality field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// This field's own message templates, replacing the form's.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<ErrorCode, &'a str>,
    /// The fields of one entry of a group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldRules<'a>>,
}

/// "Required when `field` has `value`" (same scope).
#[derive(Debug, Serialize)]
pub struct ConditionRule<'a> {
    pub field: &'a str,
    pub value: &'a str,
}

fn in_lang<'t>(text: &'t Translated, lang: &str) -> &'t str {
    text.get(lang)
        .or_else(|| text.get("de"))
        .map_or("", String::as_str)
}

/// Compiles `form` for the language `lang`.
pub fn compile<'a>(
    form: &'a FormDefinition,
    countries: &'a [Country],
    nationality_extra: &'a [Country],
    lang: &'a str,
) -> BrowserRules<'a> {
    let field = |f: &'a Field| field_rules(f, countries, nationality_extra, lang);
    BrowserRules {
        form: &form.id,
        version: form.version,
        lang,
        max_attachment_bytes: form.max_attachment_bytes,
        messages: form
            .messages
            .iter()
            .map(|(code, text)| (*code, in_lang(text, lang)))
            .collect(),
        ui: UiText::ALL
            .iter()
            .map(|key| {
                let text = form.ui.get(key).map_or("", |t| in_lang(t, lang));
                (key.as_str(), text)
            })
            .collect(),
        sections: form
            .sections
            .iter()
            .map(|section| SectionRules {
                id: &section.id,
                title: in_lang(&section.title, lang),
                fields: section.fields.iter().map(field).collect(),
            })
            .collect(),
    }
}

fn field_rules<'a>(
    field: &'a Field,
    countries: &'a [Country],
    nationality_extra: &'a [Country],
    lang: &'a str,
) -> FieldRules<'a> {
    let takes_text = !matches!(
        field.kind,
        FieldType::Group | FieldType::File | FieldType::Checkbox
    );
    let default_max = if field.kind == FieldType::Textarea {
        DEFAULT_TEXTAREA_MAX
    } else {
        DEFAULT_TEXT_MAX
    };
    let options = match field.kind {
        FieldType::Select | FieldType::Radio => {
            field.options.iter().map(|o| o.value.as_str()).collect()
        }
        FieldType::Country | FieldType::Nationality => field
            .offered(countries, nationality_extra)
            .map(|c| c.code.as_str())
            .collect(),
        _ => Vec::new(),
    };
    FieldRules {
        id: &field.id,
        kind: field.kind,
        label: in_lang(&field.label, lang),
        required: field.required,
        required_if: field
            .required_if
            .iter()
            .map(|c| ConditionRule {
                field: &c.field,
                value: &c.value,
            })
            .collect(),
        max_chars: takes_text.then(|| field.max_length.unwrap_or(default_max)),
        min_chars: field.min_length.filter(|_| takes_text),
        pattern: field.pattern.as_deref(),
        date_min: field.min.map(String::from),
        date_max: field.max.map(String::from),
        limit_min: field.min_length.or(field.min_items).map(|n| n.to_string()),
        limit_max: field.max_length.or(field.max_items).map(|n| n.to_string()),
        options,
        min_items: field.min_items,
        max_items: field.max_items,
        messages: field
            .messages
            .iter()
            .map(|(code, text)| (*code, in_lang(text, lang)))
            .collect(),
        fields: field
            .fields
            .iter()
            .map(|sub| field_rules(sub, countries, nationality_extra, lang))
            .collect(),
    }
}

/// The rules as the content of a `<script type="application/json">`: JSON
/// with `<`, `>` and `&` escaped, so no text in it can end the element.
#[must_use]
pub fn to_script_json(rules: &BrowserRules<'_>) -> String {
    serde_json::to_string(rules)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
