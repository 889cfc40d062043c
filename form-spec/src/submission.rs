//! What a citizen sent, read within bounds the form definition sets: how many
//! fields, how long a name, how long each value (by the field it belongs to),
//! how many files and how large. A body that breaks a bound is refused while
//! it is read, before it can grow memory or slow every lookup: a body of
//! millions of empty pairs stops at the first pair past the limit.
//!
//! Fields are kept in a map (the first value of a name counts; browsers send
//! each name once), so every lookup is a logarithmic search, not a scan.

use std::collections::{BTreeMap, HashMap};

use crate::definition::{FieldType, FormDefinition, HONEYPOT_FIELD};

/// Longest text accepted where the definition sets no `max_length`.
pub(crate) const DEFAULT_TEXT_MAX: usize = 200;
/// Longest long text (textarea) accepted where the definition sets none.
pub(crate) const DEFAULT_TEXTAREA_MAX: usize = 4000;
/// Bytes a value may take for a character of its limit (UTF-8 takes up to 4).
const BYTES_PER_CHAR: usize = 4;
/// Fields the form does not define that a submission may still carry
/// (browser extensions, old pages): counted, kept small, never stored.
const UNKNOWN_FIELDS: usize = 32;
/// Longest value of a field the form does not define, and of choices and dates.
const SHORT_VALUE: usize = 256;
/// Files one upload field may carry.
const FILES_PER_FIELD: usize = 20;

/// What arrived: text fields by name and uploaded files.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub fields: BTreeMap<String, String>,
    pub files: Vec<Upload>,
}

#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Submission {
    /// The value sent under `name`, if any.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Whether the spam trap was filled in (people never see it).
    #[must_use]
    pub fn is_spam(&self) -> bool {
        self.value(HONEYPOT_FIELD)
            .is_some_and(|v| !v.trim().is_empty())
    }
}

/// Why a body was refused while it was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("more than {0} fields")]
    TooManyFields(usize),
    #[error("a field name longer than {0} bytes")]
    NameTooLong(usize),
    #[error("a value longer than {limit} bytes for `{field}`")]
    ValueTooLong { field: String, limit: usize },
    #[error("more than {0} files")]
    TooManyFiles(usize),
    #[error("a file part with headers longer than {0} bytes")]
    HeadersTooLong(usize),
}

/// Longest header block of one multipart part (name, file name, type).
pub const MAX_PART_HEADER_BYTES: usize = 4096;

/// The bounds of one form, computed from its definition.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest value in bytes, per field name the form can send.
    values: HashMap<String, usize>,
    /// Upload fields and how many files each may carry.
    file_fields: HashMap<String, usize>,
    max_fields: usize,
    max_name: usize,
    max_files: usize,
}

impl Limits {
    /// The bounds of `form`: every name it can send (groups with all their
    /// entries), each with the longest value its field allows.
    #[must_use]
    pub fn of(form: &FormDefinition) -> Self {
        let mut values = HashMap::new();
        let mut file_fields = HashMap::new();
        for field in form.fields() {
            match field.kind {
                FieldType::Group => {
                    for index in 0..field.max_items.unwrap_or(0) {
                        for sub in &field.fields {
                            let name = format!("{}.{index}.{}", field.id, sub.id);
                            values.insert(name, value_limit(sub.kind, sub.max_length));
                        }
                    }
                }
                FieldType::File => {
                    file_fields
                        .insert(field.id.clone(), field.max_items.unwrap_or(FILES_PER_FIELD));
                }
                kind => {
                    values.insert(field.id.clone(), value_limit(kind, field.max_length));
                }
            }
        }
        for extra in ["lang", HONEYPOT_FIELD] {
            values.insert(extra.to_owned(), SHORT_VALUE);
        }
        let max_name = values
            .keys()
            .chain(file_fields.keys())
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(64);
        Self {
            max_fields: values.len() + UNKNOWN_FIELDS,
            max_name,
            max_files: file_fields.values().sum(),
            values,
            file_fields,
        }
    }

    /// How long a value of `name` may be, in bytes.
    #[must_use]
    pub fn value_bytes(&self, name: &str) -> usize {
        self.values.get(name).copied().unwrap_or(SHORT_VALUE)
    }
}

/// The longest value, in bytes, of a field of `kind` with `max_length` characters.
fn value_limit(kind: FieldType, max_length: Option<usize>) -> usize {
    let chars = match kind {
        FieldType::Textarea => max_length.unwrap_or(DEFAULT_TEXTAREA_MAX),
        FieldType::Text | FieldType::Email | FieldType::Phone | FieldType::Postcode => {
            max_length.unwrap_or(DEFAULT_TEXT_MAX)
        }
        _ => return SHORT_VALUE,
    };
    chars.saturating_mul(BYTES_PER_CHAR)
}

/// Reads a submission within `limits`, one part at a time. The size of the
/// files together is bounded by the body limit and checked by validation,
/// which answers with the form and the citizen's values kept.
#[derive(Debug)]
pub struct BoundedSubmission<'a> {
    limits: &'a Limits,
    submission: Submission,
    fields_seen: usize,
}

impl<'a> BoundedSubmission<'a> {
    #[must_use]
    pub fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            submission: Submission::default(),
            fields_seen: 0,
        }
    }

    /// Checks a part's name before its value is read.
    pub fn check_name(&self, name: &str) -> Result<(), Refusal> {
        if name.len() > self.limits.max_name {
            return Err(Refusal::NameTooLong(self.limits.max_name));
        }
        if self.fields_seen >= self.limits.max_fields {
            return Err(Refusal::TooManyFields(self.limits.max_fields));
        }
        Ok(())
    }

    /// Adds a text field; values of names the form does not define are
    /// checked but not kept.
    pub fn add_field(&mut self, name: &str, value: &str) -> Result<(), Refusal> {
        self.check_name(name)?;
        self.fields_seen += 1;
        let limit = self.limits.value_bytes(name);
        if value.len() > limit {
            return Err(Refusal::ValueTooLong {
                field: name.to_owned(),
                limit,
            });
        }
        if self.limits.values.contains_key(name) {
            self.submission
                .fields
                .entry(name.to_owned())
                .or_insert_with(|| value.to_owned());
        }
        Ok(())
    }

    /// Whether a file part named `field` may come, before its bytes are read.
    pub fn check_file(&self, field: &str) -> Result<(), Refusal> {
        self.check_name(field)?;
        let max = self.limits.file_fields.get(field).copied().unwrap_or(0);
        let already = self
            .submission
            .files
            .iter()
            .filter(|f| f.field == field)
            .count();
        if already >= max || self.submission.files.len() >= self.limits.max_files {
            return Err(Refusal::TooManyFiles(self.limits.max_files));
        }
        Ok(())
    }

    /// Adds an uploaded file.
    pub fn add_file(&mut self, upload: Upload) -> Result<(), Refusal> {
        self.check_file(&upload.field)?;
        self.fields_seen += 1;
        self.submission.files.push(upload);
        Ok(())
    }

    /// The submission, once everything was read.
    #[must_use]
    pub fn finish(self) -> Submission {
        self.submission
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{ErrorCode, Field, FormDefinition, Section, UiText};

    fn form() -> FormDefinition {
        let text = |s: &str| [("de".to_owned(), s.to_owned())].into_iter().collect();
        let mut name = Field::new("family_name", FieldType::Text, text("Name"));
        name.max_length = Some(10);
        let mut group = Field::new("nationalities", FieldType::Group, text("N"));
        group.max_items = Some(2);
        group.fields = vec![Field::new("country", FieldType::Country, text("C"))];
        let mut documents = Field::new("documents", FieldType::File, text("D"));
        documents.max_items = Some(2);
        FormDefinition {
            id: "f".to_owned(),
            version: 1,
            title: text("T"),
            intro: None,
            sections: vec![Section {
                id: "s".to_owned(),
                title: text("S"),
                intro: None,
                fields: vec![name, group, documents],
            }],
            messages: ErrorCode::ALL.iter().map(|c| (*c, text("m"))).collect(),
            max_attachment_bytes: 1000,
            ui: UiText::ALL.iter().map(|k| (*k, text("u"))).collect(),
        }
    }

    fn upload(field: &str) -> Upload {
        Upload {
            field: field.to_owned(),
            file_name: "a.pdf".to_owned(),
            bytes: b"%PDF".to_vec(),
        }
    }

    #[test]
    fn known_fields_are_kept_first_value_first() {
        let limits = Limits::of(&form());
        let mut reader = BoundedSubmission::new(&limits);
        reader.add_field("family_name", "Yılmaz").unwrap();
        reader.add_field("family_name", "Other").unwrap();
        reader.add_field("nationalities.1.country", "TR").unwrap();
        reader.add_field("unknown", "dropped").unwrap();
        let submission = reader.finish();
        assert_eq!(submission.value("family_name"), Some("Yılmaz"));
        assert_eq!(submission.value("nationalities.1.country"), Some("TR"));
        assert_eq!(submission.value("unknown"), None, "not stored");
    }

    #[test]
    fn a_flood_of_fields_stops_at_the_limit() {
        let limits = Limits::of(&form());
        let mut reader = BoundedSubmission::new(&limits);
        let refused = (0..1_000_000)
            .map(|_| reader.add_field("", ""))
            .position(|r| r.is_err())
            .expect("refused before the end");
        assert!(refused < 100, "stopped after {refused} fields");
        assert!(matches!(
            reader.add_field("", ""),
            Err(Refusal::TooManyFields(_))
        ));
    }

    #[test]
    fn names_values_and_files_are_bounded() {
        let limits = Limits::of(&form());
        let mut reader = BoundedSubmission::new(&limits);
        assert!(matches!(
            reader.add_field(&"n".repeat(65), "x"),
            Err(Refusal::NameTooLong(64))
        ));
        // 10 characters of up to 4 bytes each.
        assert!(reader.add_field("family_name", &"ü".repeat(10)).is_ok());
        assert!(matches!(
            reader.add_field("family_name", &"x".repeat(41)),
            Err(Refusal::ValueTooLong { limit: 40, .. })
        ));
        assert!(matches!(
            reader.add_field("unknown", &"x".repeat(257)),
            Err(Refusal::ValueTooLong { .. })
        ));
        reader.add_file(upload("documents")).unwrap();
        reader.add_file(upload("documents")).unwrap();
        assert!(matches!(
            reader.add_file(upload("documents")),
            Err(Refusal::TooManyFiles(2))
        ));
        assert!(matches!(
            reader.check_file("family_name"),
            Err(Refusal::TooManyFiles(_))
        ));
    }
}
