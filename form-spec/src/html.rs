//! The HTML of a form: fieldsets with legends, labels, hints, HTML5
//! constraints from the definition, and (when a submission was refused) an
//! error summary linking to each field with the citizen's values kept.
//! One renderer for both sides: site-gen writes the empty form, form-fn the
//! form with errors, so the two can never drift apart.

use std::fmt::Write;

use crate::definition::{
    Country, Field, FieldType, FormDefinition, HONEYPOT_FIELD, Translated, UiText,
};
use crate::validate::{FieldError, Submission};

/// Marks where the form goes in a page shell: site-gen writes the page
/// around it, form-fn puts the form (with errors) in its place.
pub const FORM_SLOT: &str = "<!--form-->";

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The `id` of the control for the form name `name` (`children.0.given_names`).
pub fn control_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

/// What the renderer needs besides the definition.
pub struct FormPage<'a> {
    pub form: &'a FormDefinition,
    pub countries: &'a [Country],
    pub nationality_extra: &'a [Country],
    pub lang: &'a str,
    /// Where the form posts to.
    pub action: &'a str,
    /// Markdown already rendered to HTML per section id (and `""` for the form intro).
    pub intro_html: &'a dyn Fn(&str) -> Option<String>,
    /// The refused submission to show again, if any.
    pub submitted: Option<&'a Submission>,
    pub errors: &'a [FieldError],
}

fn text<'t>(translated: &'t Translated, lang: &str) -> &'t str {
    translated
        .get(lang)
        .or_else(|| translated.get("de"))
        .map_or("", String::as_str)
}

impl FormPage<'_> {
    fn ui(&self, key: UiText) -> &str {
        self.form.ui.get(&key).map_or("", |t| text(t, self.lang))
    }

    fn value(&self, name: &str) -> &str {
        self.submitted.and_then(|s| s.value(name)).unwrap_or("")
    }

    fn error(&self, name: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == name)
    }

    /// The whole `<form>`, starting with the error summary if there are errors.
    pub fn render(&self) -> String {
        let mut html = String::with_capacity(16 * 1024);
        if !self.errors.is_empty() {
            let _ = write!(
                html,
                "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" aria-labelledby=\"error-summary-title\">\
                 <h2 id=\"error-summary-title\">{}</h2><ul>",
                escape(self.ui(UiText::ErrorSummary))
            );
            for error in self.errors {
                let _ = write!(
                    html,
                    "<li><a href=\"#{}\">{}</a></li>",
                    control_id(&error.field),
                    escape(&error.message)
                );
            }
            html.push_str("</ul></div>\n");
        }
        let _ = write!(
            html,
            "<form class=\"application\" method=\"post\" action=\"{}\" enctype=\"multipart/form-data\" accept-charset=\"UTF-8\">\n\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">\n",
            escape(self.action),
            escape(self.lang)
        );
        if let Some(intro) = (self.intro_html)("") {
            let _ = writeln!(html, "<div class=\"form-intro\">{intro}</div>");
        }
        for section in &self.form.sections {
            let _ = writeln!(
                html,
                "<fieldset class=\"section\" id=\"section-{}\"><legend><h2>{}</h2></legend>",
                escape(&section.id),
                escape(text(&section.title, self.lang))
            );
            if let Some(intro) = (self.intro_html)(&section.id) {
                let _ = writeln!(html, "<div class=\"section-intro\">{intro}</div>");
            }
            for field in &section.fields {
                self.field(&mut html, field, &field.id, field.required);
            }
            html.push_str("</fieldset>\n");
        }
        let _ = write!(
            html,
            "<div class=\"hp\" aria-hidden=\"true\"><label for=\"{id}\">{}</label>\
             <input type=\"text\" id=\"{id}\" name=\"{HONEYPOT_FIELD}\" tabindex=\"-1\" autocomplete=\"off\"></div>\n\
             <button type=\"submit\" class=\"button\">{}</button>\n</form>\n",
            escape(self.ui(UiText::Honeypot)),
            escape(self.ui(UiText::Submit)),
            id = control_id(HONEYPOT_FIELD),
        );
        // The same checks for the assistant in the browser (form.js); data,
        // never run as script, so the pages' policy needs no exception.
        let rules =
            crate::rules::compile(self.form, self.countries, self.nationality_extra, self.lang);
        let _ = writeln!(
            html,
            "<script type=\"application/json\" id=\"form-rules\">{}</script>",
            crate::rules::to_script_json(&rules)
        );
        html
    }

    /// A field's help as a disclosure that works without JavaScript.
    fn help(&self, html: &mut String, field: &Field) {
        let Some(help) = &field.help else { return };
        let _ = write!(
            html,
            "<details class=\"help\"><summary>{}</summary><div class=\"help-text\">",
            escape(self.ui(UiText::Help))
        );
        for paragraph in text(help, self.lang).split("\n\n") {
            let paragraph = paragraph.trim();
            if !paragraph.is_empty() {
                let _ = write!(html, "<p>{}</p>", escape(paragraph));
            }
        }
        html.push_str("</div></details>");
    }

    /// The label text with "(optional)" where the field may stay empty (a
    /// field that other answers can make required says so in its hint).
    fn label(&self, field: &Field, required: bool) -> String {
        let label = escape(text(&field.label, self.lang));
        let conditional = !field.required_if.is_empty();
        if required || conditional || matches!(field.kind, FieldType::Checkbox | FieldType::Group) {
            label
        } else {
            format!(
                "{label} <span class=\"optional\">{}</span>",
                escape(self.ui(UiText::Optional))
            )
        }
    }

    /// Hint and error lines, and the `aria-describedby` that points at them.
    /// The hint ends with the answers that make the field required, if any.
    fn hint_and_error(&self, html: &mut String, field: &Field, name: &str) -> String {
        let id = control_id(name);
        let mut described = Vec::new();
        let hint = field.hint.as_ref().map(|hint| text(hint, self.lang));
        let condition = self.conditions(field, name);
        let parts: Vec<&str> = hint.into_iter().chain(condition.as_deref()).collect();
        if !parts.is_empty() {
            let _ = write!(
                html,
                "<p class=\"hint\" id=\"{id}-hint\">{}</p>",
                escape(&parts.join(" "))
            );
            described.push(format!("{id}-hint"));
        }
        self.help(html, field);
        if let Some(error) = self.error(name) {
            let _ = write!(
                html,
                "<p class=\"error-message\" id=\"{id}-error\"><span class=\"visually-hidden\">{}</span> {}</p>",
                escape(self.ui(UiText::ErrorPrefix)),
                escape(&error.message)
            );
            described.push(format!("{id}-error"));
        }
        if described.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{}\"", described.join(" "))
        }
    }

    fn field(&self, html: &mut String, field: &Field, name: &str, required: bool) {
        let id = control_id(name);
        let error_class = if self.error(name).is_some() {
            " field-error"
        } else {
            ""
        };
        match field.kind {
            FieldType::Group => self.group(html, field),
            FieldType::Radio => {
                let _ = write!(
                    html,
                    "<div class=\"field{error_class}\"><fieldset class=\"choices\"><legend>{}</legend>",
                    self.label(field, required)
                );
                let described = self.hint_and_error(html, field, name);
                let _ = write!(html, "<div class=\"radios\"{described}>");
                for (index, choice) in field.options.iter().enumerate() {
                    // The first radio carries the control id so error links land on it.
                    let choice_id = if index == 0 {
                        id.clone()
                    } else {
                        format!("{id}-{index}")
                    };
                    let checked = if self.value(name) == choice.value {
                        " checked"
                    } else {
                        ""
                    };
                    let required_attr = if required { " required" } else { "" };
                    let _ = write!(
                        html,
                        "<div class=\"radio\"><input type=\"radio\" id=\"{choice_id}\" name=\"{}\" value=\"{}\"{checked}{required_attr}>\
                         <label for=\"{choice_id}\">{}</label></div>",
                        escape(name),
                        escape(&choice.value),
                        escape(text(&choice.label, self.lang))
                    );
                }
                html.push_str("</div></fieldset></div>\n");
            }
            FieldType::Checkbox => {
                let _ = write!(html, "<div class=\"field checkbox{error_class}\">");
                let described = self.hint_and_error(html, field, name);
                let checked = if self.value(name).is_empty() {
                    ""
                } else {
                    " checked"
                };
                let required_attr = if required { " required" } else { "" };
                let _ = writeln!(
                    html,
                    "<input type=\"checkbox\" id=\"{id}\" name=\"{}\" value=\"yes\"{checked}{required_attr}{described}>\
                     <label for=\"{id}\">{}</label></div>",
                    escape(name),
                    self.label(field, required)
                );
            }
            _ => {
                let _ = write!(
                    html,
                    "<div class=\"field{error_class}\"><label for=\"{id}\">{}</label>",
                    self.label(field, required)
                );
                let described = self.hint_and_error(html, field, name);
                let invalid = if self.error(name).is_some() {
                    " aria-invalid=\"true\""
                } else {
                    ""
                };
                let attrs = self.constraints(field, required);
                let value = escape(self.value(name));
                match field.kind {
                    FieldType::Textarea => {
                        let _ = write!(
                            html,
                            "<textarea id=\"{id}\" name=\"{}\" rows=\"5\"{attrs}{described}{invalid}>{value}</textarea>",
                            escape(name)
                        );
                    }
                    FieldType::Select | FieldType::Country | FieldType::Nationality => {
                        let _ = write!(
                            html,
                            "<select id=\"{id}\" name=\"{}\"{attrs}{described}{invalid}>",
                            escape(name)
                        );
                        let _ = write!(
                            html,
                            "<option value=\"\">{}</option>",
                            escape(self.ui(UiText::Choose))
                        );
                        let chosen = self.value(name);
                        let mut option = |value: &str, label: &str| {
                            let selected = if chosen == value { " selected" } else { "" };
                            let _ = write!(
                                html,
                                "<option value=\"{}\"{selected}>{}</option>",
                                escape(value),
                                escape(label)
                            );
                        };
                        match field.kind {
                            FieldType::Select => {
                                for choice in &field.options {
                                    option(&choice.value, text(&choice.label, self.lang));
                                }
                            }
                            _ => {
                                for country in field.offered(self.countries, self.nationality_extra)
                                {
                                    option(&country.code, text(&country.names, self.lang));
                                }
                            }
                        }
                        html.push_str("</select>");
                    }
                    FieldType::File => {
                        let _ = write!(
                            html,
                            "<input type=\"file\" id=\"{id}\" name=\"{}\" multiple accept=\"application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png\"{described}{invalid}>",
                            escape(name)
                        );
                    }
                    _ => {
                        let _ = write!(
                            html,
                            "<input id=\"{id}\" name=\"{}\" value=\"{value}\"{attrs}{described}{invalid}>",
                            escape(name)
                        );
                    }
                }
                html.push_str("</div>\n");
            }
        }
    }

    /// "Required if you chose …" for a field with `required_if`, naming the
    /// other fields by their labels and the answers by their names.
    fn conditions(&self, field: &Field, name: &str) -> Option<String> {
        if field.required_if.is_empty() {
            return None;
        }
        let template = self.ui(UiText::RequiredIfCondition);
        let parts: Vec<String> = field
            .required_if
            .iter()
            .map(|condition| {
                let other = self.in_scope(name, &condition.field);
                let label = other.map_or(condition.field.as_str(), |f| text(&f.label, self.lang));
                let value = other.map_or(condition.value.as_str(), |f| {
                    self.answer_name(f, &condition.value)
                });
                template.replace("{label}", label).replace("{value}", value)
            })
            .collect();
        let joined = parts.join(&format!(" {} ", self.ui(UiText::Or)));
        Some(self.ui(UiText::RequiredIf).replace("{conditions}", &joined))
    }

    /// The field `id` in the scope of the form name `name`: the same group
    /// entry for `group.<i>.field`, else the form's top level.
    fn in_scope(&self, name: &str, id: &str) -> Option<&Field> {
        match name.split_once('.') {
            Some((group, _)) => self
                .form
                .fields()
                .find(|f| f.id == group)
                .and_then(|g| g.fields.iter().find(|f| f.id == id)),
            None => self.form.fields().find(|f| f.id == id),
        }
    }

    /// How the page names the answer `value` of `field`: its option's or country's name.
    fn answer_name<'f>(&'f self, field: &'f Field, value: &'f str) -> &'f str {
        let option = field
            .options
            .iter()
            .find(|o| o.value == value)
            .map(|o| text(&o.label, self.lang));
        let country = || {
            field
                .offered(self.countries, self.nationality_extra)
                .find(|c| c.code == value)
                .map(|c| text(&c.names, self.lang))
        };
        option.or_else(country).unwrap_or(value)
    }

    /// `type`, `required`, lengths, pattern, date limits and autocomplete.
    fn constraints(&self, field: &Field, required: bool) -> String {
        let mut attrs = String::new();
        let kind = match field.kind {
            FieldType::Text => Some("text"),
            FieldType::Date => Some("date"),
            FieldType::Email => Some("email"),
            FieldType::Phone => Some("tel"),
            FieldType::Postcode => Some("text\" inputmode=\"numeric"),
            _ => None,
        };
        if let Some(kind) = kind {
            let _ = write!(attrs, " type=\"{kind}\"");
        }
        if required {
            attrs.push_str(" required");
        }
        if let Some(max) = field.max_length {
            let _ = write!(attrs, " maxlength=\"{max}\"");
        }
        if let Some(min) = field.min_length {
            let _ = write!(attrs, " minlength=\"{min}\"");
        }
        let pattern = match field.kind {
            FieldType::Postcode => Some("[0-9]{5}"),
            _ => field.pattern.as_deref(),
        };
        if let Some(pattern) = pattern {
            let _ = write!(attrs, " pattern=\"{}\"", escape(pattern));
        }
        if let Some(autocomplete) = &field.autocomplete {
            let _ = write!(attrs, " autocomplete=\"{}\"", escape(autocomplete));
        }
        // Date limits relative to today would go stale in a static page:
        // only fixed dates become HTML attributes; form-fn checks all of them.
        if let Some(crate::date::DateBound::Fixed(date)) = field.min {
            let _ = write!(attrs, " min=\"{date}\"");
        }
        if let Some(crate::date::DateBound::Fixed(date)) = field.max {
            let _ = write!(attrs, " max=\"{date}\"");
        }
        // Addresses, numbers and names as in the passport read left to right
        // also on a right-to-left page.
        let ltr = matches!(
            field.kind,
            FieldType::Email | FieldType::Phone | FieldType::Postcode | FieldType::Date
        ) || field.dir == Some(crate::definition::TextDirection::Ltr);
        if ltr {
            attrs.push_str(" dir=\"ltr\"");
        }
        attrs
    }

    /// A repeatable group: one fieldset per offered entry; only the first
    /// `min_items` entries are required, the others may stay empty.
    fn group(&self, html: &mut String, group: &Field) {
        let id = control_id(&group.id);
        let _ = write!(
            html,
            "<fieldset class=\"group\" id=\"{id}\"><legend>{}</legend>",
            escape(text(&group.label, self.lang))
        );
        if let Some(hint) = &group.hint {
            let _ = write!(
                html,
                "<p class=\"hint\">{}</p>",
                escape(text(hint, self.lang))
            );
        }
        self.help(html, group);
        let min = group.min_items.unwrap_or(0);
        for index in 0..group.max_items.unwrap_or(0) {
            let _ = write!(
                html,
                "<fieldset class=\"entry\"><legend>{} {}</legend>",
                escape(self.ui(UiText::Entry)),
                index + 1
            );
            for sub in &group.fields {
                let name = format!("{}.{index}.{}", group.id, sub.id);
                self.field(html, sub, &name, sub.required && index < min);
            }
            html.push_str("</fieldset>");
        }
        html.push_str("</fieldset>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{
        Choice, Condition, DEFAULT_MAX_ATTACHMENT_BYTES, ErrorCode, Section, de_en,
    };

    fn field(id: &str, kind: FieldType, label: &str) -> Field {
        Field::new(id, kind, de_en(label, label))
    }

    fn form() -> FormDefinition {
        let mut convicted = field("convicted", FieldType::Radio, "Verurteilt?");
        convicted.required = true;
        convicted.options = ["no", "yes"]
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: de_en(if *v == "yes" { "Ja" } else { "Nein" }, v),
            })
            .collect();
        let mut pending = convicted.clone();
        pending.id = "pending".to_owned();
        pending.label = de_en("Verfahren?", "Pending?");
        let mut details = field("details", FieldType::Textarea, "Angaben");
        details.hint = Some(de_en("Gericht und Datum.", "Court and date."));
        details.required_if = ["convicted", "pending"]
            .iter()
            .map(|f| Condition {
                field: (*f).to_owned(),
                value: "yes".to_owned(),
            })
            .collect();
        let mut own = field("nationality", FieldType::Nationality, "Staatsangehörigkeit");
        own.exclude = vec!["DE".to_owned()];
        let spouse = field("spouse", FieldType::Nationality, "Ehegatte");
        let ui = [
            (UiText::Optional, "(freiwillig)"),
            (
                UiText::RequiredIf,
                "Pflichtangabe, wenn Sie {conditions} gewählt haben.",
            ),
            (UiText::RequiredIfCondition, "bei „{label}“ „{value}“"),
            (UiText::Or, "oder"),
        ];
        FormDefinition {
            id: "test".to_owned(),
            version: 1,
            title: de_en("T", "T"),
            intro: None,
            sections: vec![Section {
                id: "s".to_owned(),
                title: de_en("S", "S"),
                intro: None,
                fields: vec![convicted, pending, details, own, spouse],
            }],
            messages: ErrorCode::ALL
                .iter()
                .map(|c| (*c, de_en("m", "m")))
                .collect(),
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            ui: UiText::ALL
                .iter()
                .map(|k| {
                    let text = ui.iter().find(|(key, _)| key == k).map_or("u", |(_, t)| t);
                    (*k, de_en(text, text))
                })
                .collect(),
        }
    }

    fn render(form: &FormDefinition) -> String {
        let countries: Vec<Country> = [("DE", "Deutschland"), ("TR", "Türkei")]
            .iter()
            .map(|(code, name)| Country {
                code: (*code).to_owned(),
                names: de_en(name, name),
            })
            .collect();
        let none = |_: &str| None;
        FormPage {
            form,
            countries: &countries,
            nationality_extra: &[],
            lang: "de",
            action: "/submit",
            intro_html: &none,
            submitted: None,
            errors: &[],
        }
        .render()
    }

    #[test]
    fn a_conditional_field_states_its_conditions_and_is_not_required_in_html() {
        let html = render(&form());
        assert!(
            html.contains(
                "<label for=\"f-details\">Angaben</label><p class=\"hint\" id=\"f-details-hint\">\
             Gericht und Datum. Pflichtangabe, wenn Sie bei „Verurteilt?“ „Ja“ oder bei \
             „Verfahren?“ „Ja“ gewählt haben.</p><textarea id=\"f-details\" name=\"details\" \
             rows=\"5\" aria-describedby=\"f-details-hint\"></textarea>"
            ),
            "{html}"
        );
        assert!(!html.contains("Angaben <span class=\"optional\">"));
    }

    #[test]
    fn excluded_codes_are_not_offered() {
        let html = render(&form());
        let own = html
            .split("name=\"nationality\"")
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default();
        assert!(
            own.contains("value=\"TR\"") && !own.contains("value=\"DE\""),
            "{own}"
        );
        let spouse = html
            .split("name=\"spouse\"")
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default();
        assert!(
            spouse.contains("<option value=\"DE\">Deutschland</option>"),
            "{spouse}"
        );
    }

    #[test]
    fn help_is_a_disclosure_with_paragraphs_and_escaped() {
        let mut form = form();
        form.sections[0].fields[2].help = Some(de_en(
            "Wie im <Pass>.\n\nSonst fragen Sie die Behörde.",
            "As in the passport.",
        ));
        let html = render(&form);
        assert!(
            html.contains(
                "<p class=\"hint\" id=\"f-details-hint\">Gericht und Datum. Pflichtangabe, wenn Sie bei \
                 „Verurteilt?“ „Ja“ oder bei „Verfahren?“ „Ja“ gewählt haben.</p><details class=\"help\">\
                 <summary>u</summary><div class=\"help-text\"><p>Wie im &lt;Pass&gt;.</p>\
                 <p>Sonst fragen Sie die Behörde.</p></div></details><textarea"
            ),
            "{html}"
        );
    }

    #[test]
    fn the_page_carries_the_rules_as_data_that_cannot_end_its_element() {
        let mut form = form();
        form.sections[0].fields[2].label = de_en("</script><b>", "x");
        let html = render(&form);
        let (_, rules) = html
            .split_once("<script type=\"application/json\" id=\"form-rules\">")
            .unwrap_or_default();
        let (json, _) = rules.split_once("</script>").unwrap_or_default();
        let rules: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        let details = &rules["sections"][0]["fields"][2];
        assert_eq!(details["label"], "</script><b>", "{json}");
        assert_eq!(
            details["max_chars"], 4000,
            "the server's default for a textarea"
        );
        assert_eq!(
            details["required_if"][1],
            serde_json::json!({"field": "pending", "value": "yes"})
        );
        let own = &rules["sections"][0]["fields"][3];
        assert_eq!(
            own["options"],
            serde_json::json!(["TR"]),
            "excluded codes are refused"
        );
        assert_eq!(
            rules["ui"]["required_if"],
            "Pflichtangabe, wenn Sie {conditions} gewählt haben."
        );
    }
}
