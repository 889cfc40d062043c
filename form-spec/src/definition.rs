//! The model of a form definition (`content/forms/<id>.yaml`): sections,
//! fields with their types and constraints, texts in every site language,
//! and the checks that make a definition usable (ids, options, translations).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::date::DateBound;

/// Text per language code (`de`, `en`, …).
pub type Translated = BTreeMap<String, String>;

/// The most a form may accept in attachments, all together: 4 MiB. AWS
/// Lambda takes requests of at most 6 MB, and a function URL hands it
/// uploads base64-encoded (4 bytes for every 3), which leaves 4.5 MB for the
/// form with its files; 4 MiB plus the text fields fits on every platform
/// the kit runs on, so the limit the form states is the one that holds.
pub const PLATFORM_MAX_ATTACHMENT_BYTES: u64 = 4 * 1024 * 1024;

/// Submissions up to this size (all attachments together) are accepted by default.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = PLATFORM_MAX_ATTACHMENT_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Date,
    Email,
    Phone,
    Postcode,
    Select,
    Radio,
    Checkbox,
    Country,
    Nationality,
    /// Repeatable group of fields (nationalities, children).
    Group,
    /// Document upload (PDF, JPEG, PNG), checked by content.
    File,
}

/// Why a value was refused; each has a message per language in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    TooShort,
    TooLong,
    Pattern,
    Email,
    Phone,
    Postcode,
    Date,
    DateTooEarly,
    DateTooLate,
    Option,
    TooFew,
    TooMany,
    FileType,
    FileTooLarge,
    /// Invisible or direction-changing characters in a one-line field.
    Characters,
}

impl ErrorCode {
    pub const ALL: [Self; 16] = [
        Self::Required,
        Self::TooShort,
        Self::TooLong,
        Self::Pattern,
        Self::Email,
        Self::Phone,
        Self::Postcode,
        Self::Date,
        Self::DateTooEarly,
        Self::DateTooLate,
        Self::Option,
        Self::TooFew,
        Self::TooMany,
        Self::FileType,
        Self::FileTooLarge,
        Self::Characters,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Pattern => "pattern",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Postcode => "postcode",
            Self::Date => "date",
            Self::DateTooEarly => "date_too_early",
            Self::DateTooLate => "date_too_late",
            Self::Option => "option",
            Self::TooFew => "too_few",
            Self::TooMany => "too_many",
            Self::FileType => "file_type",
            Self::FileTooLarge => "file_too_large",
            Self::Characters => "characters",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Translated,
}

/// A condition that makes a field required: another field of the same
/// scope (the form's top level, or the same entry of a group) has `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The id of the field whose answer counts.
    pub field: String,
    /// The answer (an option value or a country code) that makes the field required.
    pub value: String,
}

/// A country or nationality a list offers (ISO 3166-1 alpha-2, the
/// user-assigned XK for Kosovo, or XXA/XXX).
// No `deny_unknown_fields`: serde cannot combine it with `flatten`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    pub code: String,
    #[serde(flatten)]
    pub names: Translated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Translated,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Translated>,
    /// Longer help where offices often get wrong answers (which card, which
    /// spelling), shown as a "Help" disclosure under the hint. Paragraphs
    /// are separated by a blank line; plain text, no Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Translated>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A regular expression the whole value must match (also the HTML `pattern`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<DateBound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<DateBound>,
    /// Choices of a select or radio field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// The fields of one entry of a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// How many entries of a group the page offers and the server accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// `ltr` for data the office needs in Latin letters as in the passport
    /// (names, places, document numbers): the field stays left to right on a
    /// right-to-left page. Email, phone, postcode and date fields always are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<TextDirection>,
    /// The HTML `autocomplete` token, so browsers can fill in known data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Messages for this field that replace the form's general ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<ErrorCode, Translated>,
    /// Codes a country or nationality field leaves out of its list and
    /// refuses (e.g. `DE` where only foreign nationalities may be named).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// The field is required when any of these conditions holds. The server
    /// enforces it; the page states it in the hint (no HTML `required`, as it
    /// depends on another answer and the page works without JavaScript).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_if: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Translated,
    /// Markdown shown before the fields (e.g. the full text of a declaration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Translated>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    pub id: String,
    pub version: u32,
    pub title: Translated,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Translated>,
    pub sections: Vec<Section>,
    /// General error messages; `{label}` is replaced by the field's label,
    /// `{min}`/`{max}` by the limit.
    pub messages: BTreeMap<ErrorCode, Translated>,
    #[serde(default = "default_max_attachment_bytes")]
    pub max_attachment_bytes: u64,
    /// Words the form itself needs, per language (see [`UiText`]).
    pub ui: BTreeMap<UiText, Translated>,
}

/// The writing direction of a field's value, whatever the page's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextDirection {
    Ltr,
}

/// The words every rendered form needs besides its fields' own texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiText {
    /// Appended to the label of an optional field, e.g. "(optional)".
    Optional,
    /// Read before an error message, e.g. "Error:".
    ErrorPrefix,
    /// Heading of the error summary, e.g. "There is a problem".
    ErrorSummary,
    /// First entry of a list, e.g. "Please choose".
    Choose,
    /// Label of an entry of a group, followed by its number, e.g. "Entry".
    Entry,
    /// The submit button.
    Submit,
    /// Label of the spam trap people never see, e.g. "Leave empty".
    Honeypot,
    /// The hint of a field that `required_if` makes required; `{conditions}`
    /// is replaced by the conditions, e.g. "Required if you chose {conditions}."
    RequiredIf,
    /// One condition of that hint; `{label}` is the other field's label,
    /// `{value}` the answer's name, e.g. "“{value}” for “{label}”".
    RequiredIfCondition,
    /// Joins conditions, e.g. "or".
    Or,
    /// Summary of a field's help disclosure, e.g. "Help with this question".
    Help,
    /// The assistant's progress, e.g. "Step {step} of {total}".
    Step,
    /// The assistant's button to the previous step.
    Back,
    /// The assistant's button to the next step.
    Continue,
    /// Heading of the assistant's last step, e.g. "Check your answers".
    Review,
    /// Text under that heading: nothing is sent until the button below.
    ReviewIntro,
    /// The link beside an answer on the review step, e.g. "Change".
    Change,
    /// Shown on the review step for an answer left empty.
    NotGiven,
    /// A ticked checkbox on the review step.
    Yes,
    /// A checkbox left empty on the review step.
    No,
    /// Heading of the box that offers to keep a draft on this device.
    DraftTitle,
    /// What keeping a draft means: the risk on a shared device, and that
    /// documents are not kept.
    DraftRisk,
    /// The checkbox that switches keeping a draft on.
    DraftKeep,
    /// Status after saving; `{time}` is when, e.g. "Draft saved at {time}.".
    DraftSaved,
    /// Status after a draft was put back into the form; `{time}` as above.
    DraftRestored,
    /// The button that deletes the draft from this device.
    DraftDelete,
    /// Status after deleting.
    DraftDeleted,
}

impl UiText {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optional => "optional",
            Self::ErrorPrefix => "error_prefix",
            Self::ErrorSummary => "error_summary",
            Self::Choose => "choose",
            Self::Entry => "entry",
            Self::Submit => "submit",
            Self::Honeypot => "honeypot",
            Self::RequiredIf => "required_if",
            Self::RequiredIfCondition => "required_if_condition",
            Self::Or => "or",
            Self::Help => "help",
            Self::Step => "step",
            Self::Back => "back",
            Self::Continue => "continue",
            Self::Review => "review",
            Self::ReviewIntro => "review_intro",
            Self::Change => "change",
            Self::NotGiven => "not_given",
            Self::Yes => "yes",
            Self::No => "no",
            Self::DraftTitle => "draft_title",
            Self::DraftRisk => "draft_risk",
            Self::DraftKeep => "draft_keep",
            Self::DraftSaved => "draft_saved",
            Self::DraftRestored => "draft_restored",
            Self::DraftDelete => "draft_delete",
            Self::DraftDeleted => "draft_deleted",
        }
    }

    pub const ALL: [Self; 27] = [
        Self::Optional,
        Self::ErrorPrefix,
        Self::ErrorSummary,
        Self::Choose,
        Self::Entry,
        Self::Submit,
        Self::Honeypot,
        Self::RequiredIf,
        Self::RequiredIfCondition,
        Self::Or,
        Self::Help,
        Self::Step,
        Self::Back,
        Self::Continue,
        Self::Review,
        Self::ReviewIntro,
        Self::Change,
        Self::NotGiven,
        Self::Yes,
        Self::No,
        Self::DraftTitle,
        Self::DraftRisk,
        Self::DraftKeep,
        Self::DraftSaved,
        Self::DraftRestored,
        Self::DraftDelete,
        Self::DraftDeleted,
    ];
}

fn default_max_attachment_bytes() -> u64 {
    DEFAULT_MAX_ATTACHMENT_BYTES
}

impl Field {
    /// A field with only the essentials set: optional, no constraints.
    pub fn new(id: &str, kind: FieldType, label: Translated) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            label,
            hint: None,
            help: None,
            required: false,
            min_length: None,
            max_length: None,
            pattern: None,
            min: None,
            max: None,
            options: Vec::new(),
            fields: Vec::new(),
            min_items: None,
            max_items: None,
            dir: None,
            autocomplete: None,
            messages: BTreeMap::new(),
            exclude: Vec::new(),
            required_if: Vec::new(),
        }
    }

    /// Whether the field must be filled in, given the values of its scope
    /// (`value_of` answers for a field id of the same scope).
    pub fn is_required<'v>(&self, value_of: impl Fn(&str) -> Option<&'v str>) -> bool {
        self.required
            || self
                .required_if
                .iter()
                .any(|c| value_of(&c.field).is_some_and(|v| v.trim() == c.value))
    }

    /// The countries a country or nationality field offers, in list order,
    /// without its excluded codes (empty for other fields).
    pub fn offered<'a>(
        &'a self,
        countries: &'a [Country],
        nationality_extra: &'a [Country],
    ) -> impl Iterator<Item = &'a Country> + 'a {
        country_list(self.kind, countries, nationality_extra)
            .filter(|c| !self.exclude.contains(&c.code))
    }
}

/// A definition mistake: the dotted path of the element and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DefinitionError {
    pub path: String,
    /// The id the editor wrote, to find the line (empty for the form itself).
    pub id: String,
    pub message: String,
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Fields' names in a submission: `field`, or `group.<index>.field` in a group.
/// The spam trap's field name: one that browsers and password managers do
/// not fill in (they fill `website`, `url`, `email`, `company`, …), so a person
/// whose browser autofills the form is never taken for a bot.
pub const HONEYPOT_FIELD: &str = "hp_leave_empty";

impl FormDefinition {
    /// Every field, with its path (`section.field`), depth first.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    /// Checks that the definition can be rendered and enforced for `languages`.
    pub fn check(&self, languages: &[String]) -> Vec<DefinitionError> {
        let mut errors = Vec::new();
        let mut push = |path: &str, id: &str, message: String| {
            errors.push(DefinitionError {
                path: path.to_owned(),
                id: id.to_owned(),
                message,
            });
        };
        let translated = |text: &Translated| -> Vec<String> {
            languages
                .iter()
                .filter(|lang| text.get(*lang).is_none_or(|t| t.trim().is_empty()))
                .cloned()
                .collect()
        };
        let mut check_text = |path: &str, id: &str, what: &str, text: &Translated| {
            for lang in translated(text) {
                push(
                    path,
                    id,
                    format!("missing translation: {what} has no text for `{lang}`"),
                );
            }
        };
        check_text("title", "", "`title`", &self.title);
        if let Some(intro) = &self.intro {
            check_text("intro", "", "`intro`", intro);
        }
        // Mistakes that are not about a translation, added after the texts.
        let mut missing = Vec::new();
        let mut absent = |path: &str, id: &str, message: String| {
            missing.push(DefinitionError {
                path: path.to_owned(),
                id: id.to_owned(),
                message,
            });
        };
        if self.max_attachment_bytes > PLATFORM_MAX_ATTACHMENT_BYTES {
            absent(
                "max_attachment_bytes",
                "",
                format!(
                    "`max_attachment_bytes` is {}: expected at most {PLATFORM_MAX_ATTACHMENT_BYTES} \
                     (4 MB), the most AWS Lambda can take with the form's text",
                    self.max_attachment_bytes
                ),
            );
        }
        for key in UiText::ALL {
            match self.ui.get(&key) {
                Some(text) => check_text("ui", "", &format!("ui text `{}`", key.as_str()), text),
                None => absent("ui", "", format!("missing ui text `{}`", key.as_str())),
            }
        }
        for code in ErrorCode::ALL {
            match self.messages.get(&code) {
                Some(text) => check_text(
                    "messages",
                    "",
                    &format!("message `{}`", code.as_str()),
                    text,
                ),
                None => absent(
                    "messages",
                    "",
                    format!("missing message `{}`", code.as_str()),
                ),
            }
        }
        for section in &self.sections {
            let path = format!("sections.{}", section.id);
            check_text(&path, &section.id, "`title`", &section.title);
            if let Some(intro) = &section.intro {
                check_text(&path, &section.id, "`intro`", intro);
            }
            if section.fields.is_empty() {
                absent(
                    &path,
                    &section.id,
                    "a section needs at least one field".to_owned(),
                );
            }
            for field in &section.fields {
                check_field_texts(field, &path, &mut check_text);
            }
        }
        if !is_id(&self.id) {
            absent(
                "id",
                &self.id,
                "expected lowercase letters, digits and `_`".to_owned(),
            );
        }
        errors.extend(missing);
        errors.extend(self.structure_errors());
        errors
    }

    /// Ids, options, groups and limits (independent of languages).
    fn structure_errors(&self) -> Vec<DefinitionError> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for section in &self.sections {
            for field in &section.fields {
                field_structure(
                    field,
                    &format!("sections.{}", section.id),
                    &mut seen,
                    false,
                    &mut errors,
                );
            }
        }
        self.each_in_scope(|parent, field, scope| {
            condition_errors(field, parent, scope, &mut errors);
        });
        errors
    }

    /// Checks what depends on the country lists: every `exclude` code is in
    /// the field's list, and a `required_if` on a country or nationality
    /// field names a code that field offers.
    pub fn check_lists(
        &self,
        countries: &[Country],
        nationality_extra: &[Country],
    ) -> Vec<DefinitionError> {
        let mut errors = Vec::new();
        self.each_in_scope(|parent, field, scope| {
            let path = format!("{parent}.{}", field.id);
            let mut push = |message: String| {
                errors.push(DefinitionError {
                    path: path.clone(),
                    id: field.id.clone(),
                    message,
                });
            };
            for code in &field.exclude {
                if !country_list(field.kind, countries, nationality_extra).any(|c| &c.code == code)
                {
                    push(format!("`exclude`: `{code}` is not in the field's list"));
                }
            }
            for condition in &field.required_if {
                let Some(target) = scope.iter().find(|f| f.id == condition.field) else {
                    continue; // named by the structure checks
                };
                let country = matches!(target.kind, FieldType::Country | FieldType::Nationality);
                if country
                    && !target
                        .offered(countries, nationality_extra)
                        .any(|c| c.code == condition.value)
                {
                    push(format!(
                        "`required_if`: `{}` does not offer `{}`",
                        target.id, condition.value
                    ));
                }
            }
        });
        errors
    }

    /// Calls `visit` with the path of its parent, the field and the fields of
    /// its scope, for every field: top-level fields (whose scope is every
    /// top-level field of the form) and the fields of each group.
    fn each_in_scope(&self, mut visit: impl FnMut(&str, &Field, &[&Field])) {
        let top: Vec<&Field> = self.fields().collect();
        for section in &self.sections {
            let parent = format!("sections.{}", section.id);
            for field in &section.fields {
                visit(&parent, field, &top);
                let inner: Vec<&Field> = field.fields.iter().collect();
                let group = format!("{parent}.{}", field.id);
                for sub in &field.fields {
                    visit(&group, sub, &inner);
                }
            }
        }
    }
}

/// Every country a field of `kind` can offer before its exclusions: the
/// country list, and for nationalities also the extra entries (stateless, …).
fn country_list<'a>(
    kind: FieldType,
    countries: &'a [Country],
    nationality_extra: &'a [Country],
) -> impl Iterator<Item = &'a Country> + 'a {
    let (list, extra): (&[Country], &[Country]) = match kind {
        FieldType::Country => (countries, &[]),
        FieldType::Nationality => (countries, nationality_extra),
        _ => (&[], &[]),
    };
    list.iter().chain(extra)
}

/// `required_if` belongs on an optional field that can be required, and
/// names a choice field of the same scope and one of its answers.
fn condition_errors(
    field: &Field,
    parent: &str,
    scope: &[&Field],
    errors: &mut Vec<DefinitionError>,
) {
    if field.required_if.is_empty() {
        return;
    }
    let path = format!("{parent}.{}", field.id);
    let mut push = |message: String| {
        errors.push(DefinitionError {
            path: path.clone(),
            id: field.id.clone(),
            message,
        });
    };
    if field.required {
        push("`required_if` has no effect on a required field: keep one of the two".to_owned());
    }
    if matches!(field.kind, FieldType::Group | FieldType::File) {
        push("`required_if` is not for groups or uploads".to_owned());
    }
    for condition in &field.required_if {
        let target = scope.iter().find(|f| f.id == condition.field);
        let problem = match target {
            _ if condition.field == field.id => {
                Some("`required_if`: a field cannot depend on itself".to_owned())
            }
            None => Some(format!(
                "`required_if` names `{}`, which is not a field of the same scope \
                 (the form's top level, or the same group)",
                condition.field
            )),
            Some(target) if matches!(target.kind, FieldType::Select | FieldType::Radio) => {
                (!target.options.iter().any(|o| o.value == condition.value)).then(|| {
                    format!(
                        "`required_if`: `{}` has no option `{}`",
                        target.id, condition.value
                    )
                })
            }
            // Codes are checked against the lists (`check_lists`).
            Some(target) if matches!(target.kind, FieldType::Country | FieldType::Nationality) => {
                None
            }
            Some(target) => Some(format!(
                "`required_if` must name a select, radio, country or nationality field; \
                 `{}` is none of them",
                target.id
            )),
        };
        if let Some(problem) = problem {
            push(problem);
        }
    }
}

/// Every text of a field (and of a group's fields) in every language.
fn check_field_texts(
    field: &Field,
    parent: &str,
    check_text: &mut impl FnMut(&str, &str, &str, &Translated),
) {
    let path = format!("{parent}.{}", field.id);
    check_text(&path, &field.id, "`label`", &field.label);
    if let Some(help) = &field.help {
        check_text(&path, &field.id, "`help`", help);
    }
    if let Some(hint) = &field.hint {
        check_text(&path, &field.id, "`hint`", hint);
    }
    for choice in &field.options {
        check_text(
            &path,
            &field.id,
            &format!("option `{}`", choice.value),
            &choice.label,
        );
    }
    for (code, text) in &field.messages {
        check_text(
            &path,
            &field.id,
            &format!("message `{}`", code.as_str()),
            text,
        );
    }
    for sub in &field.fields {
        check_field_texts(sub, &path, check_text);
    }
}

fn field_structure(
    field: &Field,
    parent: &str,
    seen: &mut BTreeSet<String>,
    in_group: bool,
    errors: &mut Vec<DefinitionError>,
) {
    let path = format!("{parent}.{}", field.id);
    let mut push = |message: &str| {
        errors.push(DefinitionError {
            path: path.clone(),
            id: field.id.clone(),
            message: message.to_owned(),
        });
    };
    if !is_id(&field.id) {
        push("expected an id of lowercase letters, digits and `_`, starting with a letter");
    }
    if !in_group && !seen.insert(field.id.clone()) {
        push("this id is used twice: every field needs its own");
    }
    if field.id == HONEYPOT_FIELD {
        push("`hp_leave_empty` is reserved for the spam trap");
    }
    if !field.exclude.is_empty()
        && !matches!(field.kind, FieldType::Country | FieldType::Nationality)
    {
        push("`exclude` is only for country and nationality fields");
    }
    let choices = matches!(field.kind, FieldType::Select | FieldType::Radio);
    if choices && field.options.len() < 2 {
        push("a select or radio field needs at least two `options`");
    }
    if !choices && !field.options.is_empty() {
        push("`options` are only for select and radio fields");
    }
    let mut values = BTreeSet::new();
    for choice in &field.options {
        if !values.insert(&choice.value) || choice.value.is_empty() {
            push(&format!(
                "option value `{}` is empty or used twice",
                choice.value
            ));
        }
    }
    let is_group = field.kind == FieldType::Group;
    if is_group == field.fields.is_empty() {
        push("a group needs `fields`, and only a group has them");
    }
    if is_group && in_group {
        push("groups cannot be nested");
    }
    if !is_group && (field.min_items.is_some() || field.max_items.is_some()) {
        push("`min_items`/`max_items` are only for groups");
    }
    if is_group {
        match (field.min_items.unwrap_or(0), field.max_items) {
            (_, None) => push("a group needs `max_items`: the page offers that many entries"),
            (min, Some(max)) if max == 0 || min > max || max > 20 => {
                push("expected 0 ≤ min_items ≤ max_items ≤ 20, and max_items at least 1");
            }
            _ => {}
        }
        let mut inner = BTreeSet::new();
        for sub in &field.fields {
            if !inner.insert(sub.id.clone()) {
                errors.push(DefinitionError {
                    path: format!("{path}.{}", sub.id),
                    id: sub.id.clone(),
                    message: "this id is used twice in the group".to_owned(),
                });
            }
            field_structure(sub, &path, seen, true, errors);
        }
        return;
    }
    let dates = field.kind == FieldType::Date;
    if !dates && (field.min.is_some() || field.max.is_some()) {
        push("`min`/`max` are only for date fields");
    }
    if let (Some(min), Some(max)) = (field.min_length, field.max_length)
        && min > max
    {
        push("`min_length` is greater than `max_length`");
    }
    if let Some(pattern) = &field.pattern
        && regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_err()
    {
        push(&format!(
            "`pattern` is not a valid regular expression: {pattern}"
        ));
    }
    if field.kind == FieldType::File && field.required {
        push("uploads cannot be required: people without a scanner must be able to apply");
    }
}

/// German and English text, for tests throughout the crate.
#[cfg(test)]
pub(crate) fn de_en(de: &str, en: &str) -> Translated {
    [("de", de), ("en", en)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(de: &str, en: &str) -> Translated {
        de_en(de, en)
    }

    fn field(id: &str, kind: FieldType) -> Field {
        Field::new(id, kind, text("L", "L"))
    }

    fn form(fields: Vec<Field>) -> FormDefinition {
        FormDefinition {
            id: "test".to_owned(),
            version: 1,
            title: text("T", "T"),
            intro: None,
            sections: vec![Section {
                id: "s".to_owned(),
                title: text("S", "S"),
                intro: None,
                fields,
            }],
            messages: ErrorCode::ALL
                .iter()
                .map(|c| (*c, text("m", "m")))
                .collect(),
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            ui: UiText::ALL.iter().map(|k| (*k, text("u", "u"))).collect(),
        }
    }

    fn langs() -> Vec<String> {
        vec!["de".to_owned(), "en".to_owned()]
    }

    fn messages(form: &FormDefinition) -> Vec<String> {
        form.check(&langs())
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn attachments_are_limited_to_what_every_platform_takes() {
        let mut big = form(vec![field("docs", FieldType::File)]);
        big.max_attachment_bytes = PLATFORM_MAX_ATTACHMENT_BYTES;
        assert!(messages(&big).is_empty(), "{:?}", messages(&big));
        big.max_attachment_bytes = 10 * 1024 * 1024;
        let found = messages(&big);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("expected at most 4194304 (4 MB)"),
            "{found:?}"
        );
    }

    #[test]
    fn a_sound_definition_has_no_errors() {
        let mut select = field("sex", FieldType::Select);
        select.options = vec![
            Choice {
                value: "f".to_owned(),
                label: text("w", "f"),
            },
            Choice {
                value: "m".to_owned(),
                label: text("m", "m"),
            },
        ];
        assert_eq!(
            messages(&form(vec![field("name", FieldType::Text), select])),
            Vec::<String>::new()
        );
    }

    #[test]
    fn missing_translation_is_named() {
        let mut name = field("name", FieldType::Text);
        name.label.remove("en");
        assert_eq!(
            messages(&form(vec![name])),
            ["sections.s.name: missing translation: `label` has no text for `en`"]
        );
    }

    #[test]
    fn structural_mistakes_are_named() {
        let duplicate = vec![field("a", FieldType::Text), field("a", FieldType::Text)];
        assert!(messages(&form(duplicate))[0].contains("used twice"));
        assert!(
            messages(&form(vec![field("sex", FieldType::Radio)]))[0]
                .contains("at least two `options`")
        );
        let mut group = field("children", FieldType::Group);
        group.fields = vec![field("name", FieldType::Text)];
        assert!(messages(&form(vec![group.clone()]))[0].contains("needs `max_items`"));
        group.max_items = Some(3);
        assert!(messages(&form(vec![group])).is_empty());
        let mut bad = field("code", FieldType::Text);
        bad.pattern = Some("[a-".to_owned());
        assert!(messages(&form(vec![bad]))[0].contains("not a valid regular expression"));
        let mut upload = field("docs", FieldType::File);
        upload.required = true;
        assert!(messages(&form(vec![upload]))[0].contains("cannot be required"));
    }

    fn choice(id: &str, kind: FieldType, values: &[&str]) -> Field {
        let mut field = field(id, kind);
        field.options = values
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: text(v, v),
            })
            .collect();
        field
    }

    fn condition(field: &str, value: &str) -> Condition {
        Condition {
            field: field.to_owned(),
            value: value.to_owned(),
        }
    }

    fn countries() -> Vec<Country> {
        ["DE", "TR"]
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

    fn list_messages(form: &FormDefinition) -> Vec<String> {
        form.check_lists(&countries(), &extra())
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn exclude_is_for_country_lists_and_names_codes_of_the_list() {
        let mut nationality = field("nat", FieldType::Nationality);
        nationality.exclude = vec!["DE".to_owned(), "XXA".to_owned()];
        let mut country = field("born", FieldType::Country);
        country.exclude = vec!["DE".to_owned()];
        let sound = form(vec![nationality.clone(), country.clone()]);
        assert!(messages(&sound).is_empty(), "{:?}", messages(&sound));
        assert!(
            list_messages(&sound).is_empty(),
            "{:?}",
            list_messages(&sound)
        );
        let offered: Vec<String> = nationality
            .offered(&countries(), &extra())
            .map(|c| c.code.clone())
            .collect();
        assert_eq!(offered, ["TR"]);
        // Stateless is a nationality, not a country of birth.
        country.exclude = vec!["XXA".to_owned(), "ZZ".to_owned()];
        assert_eq!(
            list_messages(&form(vec![country])),
            [
                "sections.s.born: `exclude`: `XXA` is not in the field's list",
                "sections.s.born: `exclude`: `ZZ` is not in the field's list"
            ]
        );
        let mut name = field("name", FieldType::Text);
        name.exclude = vec!["DE".to_owned()];
        assert_eq!(
            messages(&form(vec![name])),
            ["sections.s.name: `exclude` is only for country and nationality fields"]
        );
    }

    #[test]
    fn required_if_names_a_choice_of_the_same_scope() {
        let convicted = choice("convicted", FieldType::Radio, &["no", "yes"]);
        let pending = choice("pending", FieldType::Radio, &["no", "yes"]);
        let mut details = field("details", FieldType::Textarea);
        details.required_if = vec![condition("convicted", "yes"), condition("pending", "yes")];
        let sound = vec![convicted.clone(), pending, details.clone()];
        assert!(messages(&form(sound.clone())).is_empty());
        let mut wrong = details.clone();
        wrong.required_if = vec![
            condition("convicted", "ja"),
            condition("missing", "yes"),
            condition("details", "yes"),
            condition("name", "x"),
        ];
        wrong.required = true;
        assert_eq!(
            messages(&form(vec![
                convicted.clone(),
                field("name", FieldType::Text),
                wrong
            ])),
            [
                "sections.s.details: `required_if` has no effect on a required field: keep one of the two",
                "sections.s.details: `required_if`: `convicted` has no option `ja`",
                "sections.s.details: `required_if` names `missing`, which is not a field of the same \
                 scope (the form's top level, or the same group)",
                "sections.s.details: `required_if`: a field cannot depend on itself",
                "sections.s.details: `required_if` must name a select, radio, country or nationality \
                 field; `name` is none of them",
            ]
        );
        // In a group, conditions look at the same entry: a top-level field is out of scope.
        let mut group = field("children", FieldType::Group);
        group.max_items = Some(2);
        group.fields = vec![choice("kind", FieldType::Select, &["a", "b"]), details];
        assert_eq!(
            messages(&form(vec![convicted, group.clone()])),
            [
                "sections.s.children.details: `required_if` names `convicted`, which is not a field of \
                 the same scope (the form's top level, or the same group)",
                "sections.s.children.details: `required_if` names `pending`, which is not a field of \
                 the same scope (the form's top level, or the same group)",
            ]
        );
        group.fields[1].required_if = vec![condition("kind", "b")];
        assert!(messages(&form(vec![group])).is_empty());
    }

    #[test]
    fn required_if_on_a_country_names_a_code_the_field_offers() {
        let mut spouse = field("spouse_nationality", FieldType::Nationality);
        let mut since = field("spouse_german_since", FieldType::Date);
        since.required_if = vec![condition("spouse_nationality", "DE")];
        let sound = form(vec![spouse.clone(), since.clone()]);
        assert!(messages(&sound).is_empty() && list_messages(&sound).is_empty());
        spouse.exclude = vec!["DE".to_owned()];
        assert_eq!(
            list_messages(&form(vec![spouse, since])),
            [
                "sections.s.spouse_german_since: `required_if`: `spouse_nationality` does not offer `DE`"
            ]
        );
    }

    #[test]
    fn every_message_must_exist() {
        let mut definition = form(vec![field("name", FieldType::Text)]);
        definition.messages.remove(&ErrorCode::Pattern);
        assert_eq!(
            messages(&definition),
            ["messages: missing message `pattern`"]
        );
        definition.sections[0].fields.clear();
        assert!(
            messages(&definition)
                .contains(&"sections.s: a section needs at least one field".to_owned())
        );
    }
}
