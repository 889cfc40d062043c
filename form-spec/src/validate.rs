//! Checking a submission against its form definition: every rule of the
//! definition (required, lengths, patterns, dates, options, groups, uploads)
//! enforced exactly as the HTML form announced it, with messages in the
//! citizen's language. Unknown fields are dropped, never stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::date::Date;
use crate::definition::{Country, ErrorCode, Field, FieldType, FormDefinition, Translated};

use crate::submission::{DEFAULT_TEXT_MAX, DEFAULT_TEXTAREA_MAX};
pub use crate::submission::{Submission, Upload};

/// Characters that change how a line is shown without being seen: direction
/// marks, embeddings, overrides and isolates, and zero-width characters.
/// The zero-width non-joiner and joiner (U+200C, U+200D) are allowed: Persian
/// and other scripts spell words with them.
fn is_spoofing_character(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200E}' | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// A validated value, as it goes into the canonical document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Flag(bool),
    Entries(Vec<BTreeMap<String, Value>>),
}

/// An accepted upload; its media type comes from its content, not its name.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub field: String,
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Validated {
    pub values: BTreeMap<String, Value>,
    pub attachments: Vec<Attachment>,
}

/// A refused value: the field's name in the form, why, and a message for the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

/// The media type of an upload by its first bytes: PDF, JPEG or PNG only.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

struct Checker<'a> {
    form: &'a FormDefinition,
    countries: &'a [Country],
    nationality_extra: &'a [Country],
    lang: &'a str,
    today: Date,
    errors: Vec<FieldError>,
}

/// Checks `submission` against `form`; messages are written in `lang`.
pub fn validate(
    form: &FormDefinition,
    countries: &[Country],
    nationality_extra: &[Country],
    submission: &Submission,
    lang: &str,
    today: Date,
) -> Result<Validated, Vec<FieldError>> {
    let mut checker = Checker {
        form,
        countries,
        nationality_extra,
        lang,
        today,
        errors: Vec::new(),
    };
    let mut values = BTreeMap::new();
    let mut attachments = Vec::new();
    for field in form.fields() {
        match field.kind {
            FieldType::File => attachments.extend(checker.uploads(field, submission)),
            FieldType::Group => {
                let entries = checker.group(field, submission);
                values.insert(field.id.clone(), Value::Entries(entries));
            }
            _ => {
                let required = field.is_required(|id| submission.value(id));
                let raw = submission.value(&field.id);
                if let Some(value) = checker.single(field, &field.id, raw, required) {
                    values.insert(field.id.clone(), value);
                }
            }
        }
    }
    let total: usize = attachments.iter().map(|a| a.bytes.len()).sum();
    if total as u64 > form.max_attachment_bytes
        && let Some(field) = form.fields().find(|f| f.kind == FieldType::File)
    {
        checker.refuse(field, &field.id, ErrorCode::FileTooLarge);
    }
    if checker.errors.is_empty() {
        Ok(Validated {
            values,
            attachments,
        })
    } else {
        Err(checker.errors)
    }
}

fn in_lang<'t>(text: &'t Translated, lang: &str) -> &'t str {
    text.get(lang)
        .or_else(|| text.get("de"))
        .map_or("", String::as_str)
}

impl Checker<'_> {
    fn refuse(&mut self, field: &Field, name: &str, code: ErrorCode) {
        let template = field
            .messages
            .get(&code)
            .or_else(|| self.form.messages.get(&code))
            .map_or("", |t| in_lang(t, self.lang));
        let min = field
            .min_length
            .or(field.min_items)
            .map(|n| n.to_string())
            .or_else(|| field.min.map(|d| d.resolve(self.today).to_string()))
            .unwrap_or_default();
        let max = field
            .max_length
            .or(field.max_items)
            .map(|n| n.to_string())
            .or_else(|| field.max.map(|d| d.resolve(self.today).to_string()))
            .unwrap_or_default();
        let message = template
            .replace("{label}", in_lang(&field.label, self.lang))
            .replace("{min}", &min)
            .replace("{max}", &max);
        self.errors.push(FieldError {
            field: name.to_owned(),
            code,
            message,
        });
    }

    /// One non-group, non-file field under the form name `name`; `required`
    /// says whether it must be filled in (by `required` or `required_if`).
    fn single(
        &mut self,
        field: &Field,
        name: &str,
        raw: Option<&str>,
        required: bool,
    ) -> Option<Value> {
        if field.kind == FieldType::Checkbox {
            let checked = raw.is_some_and(|v| !v.is_empty());
            if required && !checked {
                self.refuse(field, name, ErrorCode::Required);
            }
            return Some(Value::Flag(checked));
        }
        let text = raw.unwrap_or("").trim();
        if text.is_empty() {
            if required {
                self.refuse(field, name, ErrorCode::Required);
            }
            return None;
        }
        let multiline = field.kind == FieldType::Textarea;
        // One spelling per text (NFC), so the office sees and searches what
        // the citizen saw.
        let text: String = if multiline {
            text.replace("\r\n", "\n").nfc().collect()
        } else {
            text.nfc().collect()
        };
        let length = text.chars().count();
        let max = field.max_length.unwrap_or(if multiline {
            DEFAULT_TEXTAREA_MAX
        } else {
            DEFAULT_TEXT_MAX
        });
        let control = text
            .chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
        if length > max {
            self.refuse(field, name, ErrorCode::TooLong);
            return None;
        }
        if field.min_length.is_some_and(|min| length < min) {
            self.refuse(field, name, ErrorCode::TooShort);
            return None;
        }
        let code = match field.kind {
            _ if control => Some(ErrorCode::Pattern),
            // A name must look in the office's files as it was typed:
            // no hidden characters, no reordering of what is shown.
            _ if !multiline && text.chars().any(is_spoofing_character) => {
                Some(ErrorCode::Characters)
            }
            FieldType::Email if !is_email(&text) => Some(ErrorCode::Email),
            FieldType::Phone if !is_phone(&text) => Some(ErrorCode::Phone),
            FieldType::Postcode
                if !(text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Some(ErrorCode::Postcode)
            }
            FieldType::Date => self.date_error(field, &text),
            FieldType::Select | FieldType::Radio
                if !field.options.iter().any(|o| o.value == text) =>
            {
                Some(ErrorCode::Option)
            }
            FieldType::Country | FieldType::Nationality
                if !field
                    .offered(self.countries, self.nationality_extra)
                    .any(|c| c.code == text) =>
            {
                Some(ErrorCode::Option)
            }
            _ => None,
        };
        let code = code.or_else(|| {
            let pattern = field.pattern.as_ref()?;
            let matches = regex_lite::Regex::new(&format!("^(?:{pattern})$"))
                .map(|re| re.is_match(&text))
                .unwrap_or(false);
            (!matches).then_some(ErrorCode::Pattern)
        });
        match code {
            Some(code) => {
                self.refuse(field, name, code);
                None
            }
            None => Some(Value::Text(text)),
        }
    }

    fn date_error(&self, field: &Field, text: &str) -> Option<ErrorCode> {
        let Some(date) = Date::parse(text) else {
            return Some(ErrorCode::Date);
        };
        if field.min.is_some_and(|min| date < min.resolve(self.today)) {
            return Some(ErrorCode::DateTooEarly);
        }
        if field.max.is_some_and(|max| date > max.resolve(self.today)) {
            return Some(ErrorCode::DateTooLate);
        }
        None
    }

    /// The filled-in entries of a group (`group.<i>.<field>`); empty entries are skipped.
    fn group(&mut self, group: &Field, submission: &Submission) -> Vec<BTreeMap<String, Value>> {
        let mut entries = Vec::new();
        for index in 0..group.max_items.unwrap_or(0) {
            let name = |sub: &Field| format!("{}.{index}.{}", group.id, sub.id);
            let filled = group.fields.iter().any(|sub| {
                let value = submission.value(&name(sub));
                match sub.kind {
                    FieldType::Checkbox => value.is_some_and(|v| !v.is_empty()),
                    _ => value.is_some_and(|v| !v.trim().is_empty()),
                }
            });
            if !filled {
                continue;
            }
            let mut entry = BTreeMap::new();
            for sub in &group.fields {
                let sub_name = name(sub);
                // `required_if` looks at the same entry.
                let required =
                    sub.is_required(|id| submission.value(&format!("{}.{index}.{id}", group.id)));
                let raw = submission.value(&sub_name);
                if let Some(value) = self.single(sub, &sub_name, raw, required) {
                    entry.insert(sub.id.clone(), value);
                }
            }
            entries.push(entry);
        }
        let min = group.min_items.unwrap_or(0);
        if entries.len() < min {
            let first = group.fields.first().map_or_else(
                || group.id.clone(),
                |sub| format!("{}.{}.{}", group.id, entries.len(), sub.id),
            );
            self.refuse(group, &first, ErrorCode::TooFew);
        }
        entries
    }

    fn uploads(&mut self, field: &Field, submission: &Submission) -> Vec<Attachment> {
        let mut accepted = Vec::new();
        for upload in submission.files.iter().filter(|u| u.field == field.id) {
            if upload.bytes.is_empty() && upload.file_name.is_empty() {
                continue; // an empty file input
            }
            match sniff_media_type(&upload.bytes) {
                Some(media_type) => accepted.push(Attachment {
                    field: field.id.clone(),
                    name: safe_file_name(&upload.file_name),
                    media_type,
                    bytes: upload.bytes.clone(),
                }),
                None => self.refuse(field, &field.id, ErrorCode::FileType),
            }
        }
        accepted
    }
}

/// The last path segment of an uploaded name, without control characters.
fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

/// A plain syntax check of an e-mail address (name@domain.tld).
pub fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !text
                .chars()
                .any(|c| c.is_whitespace() || "<>\"(),;:".contains(c))
    })
}

fn is_phone(text: &str) -> bool {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b" +-/()".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::DateBound;
    use crate::definition::HONEYPOT_FIELD;
    use crate::definition::{
        Choice, Condition, DEFAULT_MAX_ATTACHMENT_BYTES, Section, de_en as text,
    };

    fn field(id: &str, kind: FieldType, required: bool) -> Field {
        Field {
            required,
            ..Field::new(id, kind, text(&format!("{id}-de"), &format!("{id}-en")))
        }
    }

    fn form() -> FormDefinition {
        let mut birth = field("birth_date", FieldType::Date, true);
        birth.min = Some(DateBound::try_from("1900-01-01".to_owned()).unwrap());
        birth.max = Some(DateBound::try_from("today-16y".to_owned()).unwrap());
        let mut sex = field("sex", FieldType::Radio, true);
        sex.options = ["female", "male", "diverse"]
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: text(v, v),
            })
            .collect();
        let mut name = field("family_name", FieldType::Text, true);
        name.max_length = Some(10);
        let mut nationalities = field("nationalities", FieldType::Group, false);
        let mut country = field("country", FieldType::Nationality, true);
        country.exclude = vec!["DE".to_owned()];
        let mut proof = field("proof", FieldType::Select, false);
        proof.options = choices(&["passport", "other"]);
        let mut proof_note = field("proof_note", FieldType::Text, false);
        proof_note.required_if = vec![condition("proof", "other")];
        nationalities.fields = vec![
            country,
            field("since", FieldType::Date, false),
            proof,
            proof_note,
        ];
        nationalities.min_items = Some(1);
        nationalities.max_items = Some(3);
        let mut code = field("permit_number", FieldType::Text, false);
        code.pattern = Some("[A-Z0-9]{9}".to_owned());
        let mut convicted = field("convicted", FieldType::Radio, true);
        convicted.options = choices(&["no", "yes"]);
        let mut pending = field("pending", FieldType::Radio, false);
        pending.options = choices(&["no", "yes"]);
        let mut details = field("details", FieldType::Textarea, false);
        details.required_if = vec![condition("convicted", "yes"), condition("pending", "yes")];
        let messages = ErrorCode::ALL
            .iter()
            .map(|c| {
                (
                    *c,
                    text(
                        &format!("{{label}}: {} de", c.as_str()),
                        &format!("{{label}}: {} en", c.as_str()),
                    ),
                )
            })
            .collect();
        FormDefinition {
            id: "test".to_owned(),
            version: 3,
            title: text("T", "T"),
            intro: None,
            sections: vec![Section {
                id: "person".to_owned(),
                title: text("P", "P"),
                intro: None,
                fields: vec![
                    name,
                    birth,
                    sex,
                    field("email", FieldType::Email, false),
                    field("postcode", FieldType::Postcode, false),
                    nationalities,
                    field("spouse_nationality", FieldType::Nationality, false),
                    code,
                    convicted,
                    pending,
                    details,
                    field("consent", FieldType::Checkbox, true),
                    field("documents", FieldType::File, false),
                ],
            }],
            messages,
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            ui: crate::definition::UiText::ALL
                .iter()
                .map(|k| (*k, text("u", "u")))
                .collect(),
        }
    }

    fn choices(values: &[&str]) -> Vec<Choice> {
        values
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: text(v, v),
            })
            .collect()
    }

    fn condition(field: &str, value: &str) -> Condition {
        Condition {
            field: field.to_owned(),
            value: value.to_owned(),
        }
    }

    fn countries() -> Vec<Country> {
        ["DE", "TR", "SY"]
            .iter()
            .map(|c| Country {
                code: (*c).to_owned(),
                names: text(c, c),
            })
            .collect()
    }

    fn extra() -> Vec<Country> {
        vec![Country {
            code: "XXA".to_owned(),
            names: text("staatenlos", "stateless"),
        }]
    }

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    fn valid() -> Submission {
        let fields = [
            ("family_name", "Yılmaz"),
            ("birth_date", "1990-05-17"),
            ("sex", "female"),
            ("nationalities.0.country", "TR"),
            ("nationalities.1.country", ""),
            ("convicted", "no"),
            ("consent", "yes"),
            ("unknown_field", "dropped"),
        ];
        Submission {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            files: Vec::new(),
        }
    }

    fn check(submission: &Submission, lang: &str) -> Result<Validated, Vec<FieldError>> {
        validate(&form(), &countries(), &extra(), submission, lang, today())
    }

    fn with(mut submission: Submission, name: &str, value: &str) -> Submission {
        submission.fields.insert(name.to_owned(), value.to_owned());
        submission
    }

    fn codes(result: Result<Validated, Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_valid_submission_keeps_known_fields_only() {
        let validated = check(&valid(), "de").unwrap();
        assert_eq!(
            validated.values["family_name"],
            Value::Text("Yılmaz".to_owned())
        );
        assert_eq!(validated.values["consent"], Value::Flag(true));
        let Value::Entries(entries) = &validated.values["nationalities"] else {
            panic!()
        };
        assert_eq!(entries.len(), 1, "empty entries are skipped");
        assert!(!validated.values.contains_key("unknown_field"));
    }

    #[test]
    fn text_is_stored_in_one_spelling_and_hidden_characters_are_refused() {
        // "José" typed with a combining accent is stored precomposed (NFC).
        let decomposed = with(valid(), "family_name", "Jose\u{0301}");
        let validated = check(&decomposed, "de").unwrap();
        assert_eq!(
            validated.values["family_name"],
            Value::Text("Jos\u{e9}".to_owned())
        );
        for spoof in [
            "Yı\u{202E}lmaz",         // right-to-left override
            "Yıl\u{200B}maz",         // zero-width space
            "\u{2067}Yılmaz\u{2069}", // right-to-left isolate
            "Yılmaz\u{FEFF}",         // zero-width no-break space
        ] {
            assert_eq!(
                codes(check(&with(valid(), "family_name", spoof), "de")),
                [("family_name".to_owned(), ErrorCode::Characters)],
                "{spoof:?}"
            );
        }
        // Persian writes "می‌کنم" with a zero-width non-joiner: that is spelling.
        let persian = with(valid(), "family_name", "می\u{200C}کنم");
        assert!(check(&persian, "de").is_ok());
    }

    #[test]
    fn required_fields_are_reported_in_the_citizens_language() {
        let mut empty = Submission::default();
        empty
            .fields
            .insert("family_name".to_owned(), "   ".to_owned());
        let errors = check(&empty, "en").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "family_name",
                "birth_date",
                "sex",
                "nationalities.0.country",
                "convicted",
                "consent"
            ]
        );
        assert_eq!(errors[0].message, "family_name-en: required en");
        assert_eq!(errors[3].code, ErrorCode::TooFew);
    }

    #[test]
    fn each_rule_refuses_a_wrong_value() {
        let cases = [
            ("family_name", "Elfzeichen!", ErrorCode::TooLong),
            ("birth_date", "17.05.1990", ErrorCode::Date),
            ("birth_date", "1890-01-01", ErrorCode::DateTooEarly),
            ("birth_date", "2015-01-01", ErrorCode::DateTooLate),
            ("sex", "other", ErrorCode::Option),
            ("email", "a@b", ErrorCode::Email),
            ("postcode", "3360", ErrorCode::Postcode),
            ("nationalities.0.country", "XX", ErrorCode::Option),
            ("permit_number", "abc", ErrorCode::Pattern),
            ("family_name", "A\u{0}B", ErrorCode::Pattern),
        ];
        for (name, value, code) in cases {
            assert_eq!(
                codes(check(&with(valid(), name, value), "de")),
                [(name.to_owned(), code)],
                "{name}={value}"
            );
        }
    }

    #[test]
    fn stateless_is_a_nationality_and_group_entries_are_numbered() {
        let submission = with(
            with(valid(), "nationalities.1.country", "XXA"),
            "nationalities.1.since",
            "2001-02-03",
        );
        let validated = check(&submission, "de").unwrap();
        let Value::Entries(entries) = &validated.values["nationalities"] else {
            panic!()
        };
        assert_eq!(entries[1]["since"], Value::Text("2001-02-03".to_owned()));
        let wrong = with(valid(), "nationalities.2.since", "2001-02-30");
        assert_eq!(
            codes(check(&wrong, "de")),
            [
                ("nationalities.2.country".to_owned(), ErrorCode::Required),
                ("nationalities.2.since".to_owned(), ErrorCode::Date)
            ]
        );
    }

    #[test]
    fn excluded_codes_are_refused_where_excluded_only() {
        assert_eq!(
            codes(check(&with(valid(), "nationalities.0.country", "DE"), "en")),
            [("nationalities.0.country".to_owned(), ErrorCode::Option)]
        );
        let errors = check(&with(valid(), "nationalities.0.country", "DE"), "en").unwrap_err();
        assert_eq!(errors[0].message, "country-en: option en");
        let spouse = with(valid(), "spouse_nationality", "DE");
        let validated = check(&spouse, "de").unwrap();
        assert_eq!(
            validated.values["spouse_nationality"],
            Value::Text("DE".to_owned())
        );
    }

    #[test]
    fn required_if_requires_a_field_when_any_condition_holds() {
        for (name, value) in [("convicted", "yes"), ("pending", "yes")] {
            let errors = check(&with(valid(), name, value), "de").unwrap_err();
            assert_eq!(errors.len(), 1, "{name}: {errors:?}");
            assert_eq!(errors[0].field, "details");
            assert_eq!(errors[0].code, ErrorCode::Required);
            assert_eq!(errors[0].message, "details-de: required de");
            let filled = with(with(valid(), name, value), "details", "AG Bielefeld, 2019");
            assert!(check(&filled, "de").is_ok(), "{name}");
        }
        // No condition holds: the field may stay empty.
        assert!(check(&with(valid(), "pending", "no"), "de").is_ok());
        // Answers are compared as the server reads them: trimmed.
        assert_eq!(
            codes(check(&with(valid(), "convicted", " yes "), "de")),
            [("details".to_owned(), ErrorCode::Required)]
        );
    }

    #[test]
    fn required_if_in_a_group_looks_at_the_same_entry() {
        let other = with(valid(), "nationalities.0.proof", "other");
        assert_eq!(
            codes(check(&other, "de")),
            [("nationalities.0.proof_note".to_owned(), ErrorCode::Required)]
        );
        let noted = with(
            other.clone(),
            "nationalities.0.proof_note",
            "Personalausweis",
        );
        assert!(check(&noted, "de").is_ok());
        // Another entry's answer does not count.
        let elsewhere = with(
            with(other, "nationalities.1.country", "SY"),
            "nationalities.1.proof_note",
            "",
        );
        assert_eq!(
            codes(check(&elsewhere, "de")),
            [("nationalities.0.proof_note".to_owned(), ErrorCode::Required)]
        );
    }

    #[test]
    fn uploads_are_checked_by_content_and_size() {
        let mut submission = valid();
        submission.files.push(Upload {
            field: "documents".to_owned(),
            file_name: "C:\\scan\\pass.pdf".to_owned(),
            bytes: b"%PDF-1.7 ...".to_vec(),
        });
        let validated = check(&submission, "de").unwrap();
        assert_eq!(validated.attachments[0].media_type, "application/pdf");
        assert_eq!(validated.attachments[0].name, "pass.pdf");
        submission.files.push(Upload {
            field: "documents".to_owned(),
            file_name: "photo.png".to_owned(),
            bytes: b"MZ\x90\x00 not an image".to_vec(),
        });
        assert_eq!(
            codes(check(&submission, "de")),
            [("documents".to_owned(), ErrorCode::FileType)]
        );
        let mut large = valid();
        let mut bytes = b"%PDF-".to_vec();
        bytes.resize(DEFAULT_MAX_ATTACHMENT_BYTES as usize + 1, b' ');
        large.files.push(Upload {
            field: "documents".to_owned(),
            file_name: "big.pdf".to_owned(),
            bytes,
        });
        assert_eq!(
            codes(check(&large, "de")),
            [("documents".to_owned(), ErrorCode::FileTooLarge)]
        );
    }

    #[test]
    fn the_honeypot_marks_spam() {
        assert!(!valid().is_spam());
        assert!(with(valid(), HONEYPOT_FIELD, "http://spam.example").is_spam());
    }
}
