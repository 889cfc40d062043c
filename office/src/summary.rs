//! The readable summary of an opened application (`summary.html`), in
//! German for the office: the facts of receipt, then every answer under its
//! section, with the form's own labels and choice names when the form
//! definition is at hand (`--registry`), and the attachments as links. A
//! self-contained page: no script, no outside resource, fit to print.

use std::collections::BTreeMap;
use std::fmt::Write;

use form_spec::definition::{Field, FieldType, FormDefinition};
use form_spec::document::Document;
use form_spec::html::escape;
use form_spec::registry::Registry;
use form_spec::validate::Value;

const LANG: &str = "de";

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#0b0c0c}\
main{max-width:48rem;margin:0 auto;padding:1rem}h1{font-size:1.75rem}h2{font-size:1.35rem;\
border-top:2px solid #0b0c0c;padding-top:.5rem;margin-top:2rem}h3{font-size:1.1rem}\
dl{display:grid;grid-template-columns:minmax(10rem,1fr) 2fr;gap:.25rem 1rem}dt{font-weight:700}\
dd{margin:0;overflow-wrap:anywhere}.note{border-left:.3rem solid #1d70b8;padding-left:.75rem}\
@media print{a{color:inherit}}";

/// The summary page; `attachment_files` are the local file names, in order.
pub fn render_summary(
    document: &Document,
    attachment_files: &[&str],
    registry: Option<&Registry>,
) -> String {
    let form = registry.and_then(|r| r.forms.get(&document.form.id));
    let labels = Labels { form, registry };
    let reference = escape(&document.reference);
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Einbürgerungsantrag {reference}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<main>\n<h1>Einbürgerungsantrag {reference}</h1>\n<dl>\n"
    );
    for (term, value) in [
        ("Referenz", document.reference.clone()),
        ("Eingegangen (UTC)", document.received_at.clone()),
        (
            "Kommune",
            format!(
                "{} ({})",
                document.municipality.name, document.municipality.ags
            ),
        ),
        (
            "Formular",
            format!("{}, Version {}", document.form.id, document.form.version),
        ),
        (
            "Sprache der antragstellenden Person",
            document.language.clone(),
        ),
    ] {
        let _ = writeln!(html, "<dt>{term}</dt><dd>{}</dd>", escape(&value));
    }
    html.push_str("</dl>\n");
    match form {
        Some(form) if form.version != document.form.version => {
            let _ = writeln!(
                html,
                "<p class=\"note\">Die Bezeichnungen stammen aus Version {} des Formulars; \
                 der Antrag wurde mit Version {} gestellt.</p>",
                form.version, document.form.version
            );
        }
        Some(_) => {}
        None => html.push_str(
            "<p class=\"note\">Ohne Formulardefinition (<code>--registry</code>) werden die \
             Angaben mit ihren technischen Namen gezeigt.</p>\n",
        ),
    }
    let mut shown: Vec<&str> = Vec::new();
    if let Some(form) = form {
        for section in &form.sections {
            let present: Vec<&Field> = section
                .fields
                .iter()
                .filter(|f| document.values.contains_key(&f.id))
                .collect();
            if present.is_empty() {
                continue;
            }
            let _ = writeln!(html, "<h2>{}</h2>", escape(&labels.text(&section.title)));
            render_values(&mut html, &labels, &present, &document.values, 3);
            shown.extend(present.iter().map(|f| f.id.as_str()));
        }
    }
    let rest: Vec<(&String, &Value)> = document
        .values
        .iter()
        .filter(|(id, _)| !shown.contains(&id.as_str()))
        .collect();
    if !rest.is_empty() {
        html.push_str(if form.is_some() {
            "<h2>Weitere Angaben</h2>\n<dl>\n"
        } else {
            "<h2>Angaben</h2>\n<dl>\n"
        });
        for (id, value) in rest {
            let _ = writeln!(
                html,
                "<dt>{}</dt><dd>{}</dd>",
                escape(id),
                plain_value(value)
            );
        }
        html.push_str("</dl>\n");
    }
    html.push_str("<h2>Anlagen</h2>\n");
    if document.attachments.is_empty() {
        html.push_str("<p>Keine Anlagen.</p>\n");
    } else {
        html.push_str("<ul>\n");
        for (entry, file) in document.attachments.iter().zip(attachment_files) {
            let _ = writeln!(
                html,
                "<li><a href=\"attachments/{file}\">{name}</a> ({label}; {media}, {size} Bytes; \
                 SHA-256 geprüft)</li>",
                file = escape(file),
                name = escape(&entry.name),
                label = escape(&labels.field_label_by_id(&entry.field)),
                media = escape(&entry.media_type),
                size = entry.size,
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// Labels and choice names from the form definition, in German.
struct Labels<'a> {
    form: Option<&'a FormDefinition>,
    registry: Option<&'a Registry>,
}

impl Labels<'_> {
    fn text(&self, translated: &BTreeMap<String, String>) -> String {
        translated.get(LANG).cloned().unwrap_or_default()
    }

    fn field_label_by_id(&self, id: &str) -> String {
        self.form
            .and_then(|form| form.fields().find(|f| f.id == id))
            .map_or_else(|| id.to_owned(), |f| self.text(&f.label))
    }

    /// A value as the citizen chose it: the choice's or country's name.
    fn value(&self, field: &Field, text: &str) -> String {
        let choice = field
            .options
            .iter()
            .find(|c| c.value == text)
            .map(|c| self.text(&c.label));
        let is_country = matches!(field.kind, FieldType::Country | FieldType::Nationality);
        let country = self
            .registry
            .filter(|_| is_country)
            .and_then(|r| {
                r.countries
                    .iter()
                    .chain(&r.nationality_extra)
                    .find(|c| c.code == text)
            })
            .map(|c| format!("{} ({text})", self.text(&c.names)));
        choice.or(country).unwrap_or_else(|| text.to_owned())
    }
}

fn render_values(
    html: &mut String,
    labels: &Labels,
    fields: &[&Field],
    values: &BTreeMap<String, Value>,
    heading: u8,
) {
    html.push_str("<dl>\n");
    let mut groups = Vec::new();
    for field in fields {
        match values.get(&field.id) {
            Some(Value::Entries(entries)) => groups.push((*field, entries)),
            Some(Value::Text(text)) => {
                let _ = writeln!(
                    html,
                    "<dt>{}</dt><dd>{}</dd>",
                    escape(&labels.text(&field.label)),
                    escape(&labels.value(field, text))
                );
            }
            Some(Value::Flag(flag)) => {
                let _ = writeln!(
                    html,
                    "<dt>{}</dt><dd>{}</dd>",
                    escape(&labels.text(&field.label)),
                    if *flag { "ja" } else { "nein" }
                );
            }
            None => {}
        }
    }
    html.push_str("</dl>\n");
    for (field, entries) in groups {
        let inner: Vec<&Field> = field.fields.iter().collect();
        for (index, entry) in entries.iter().enumerate() {
            let _ = writeln!(
                html,
                "<h{heading}>{}, Eintrag {}</h{heading}>",
                escape(&labels.text(&field.label)),
                index + 1
            );
            render_values(html, labels, &inner, entry, heading + 1);
        }
    }
}

/// A value without a definition to name it.
fn plain_value(value: &Value) -> String {
    match value {
        Value::Text(text) => escape(text),
        Value::Flag(true) => "ja".to_owned(),
        Value::Flag(false) => "nein".to_owned(),
        Value::Entries(entries) => {
            let mut html = String::from("<ol>");
            for entry in entries {
                html.push_str("<li>");
                for (id, value) in entry {
                    let _ = write!(html, "{}: {}; ", escape(id), plain_value(value));
                }
                html.push_str("</li>");
            }
            html.push_str("</ol>");
            html
        }
    }
}
