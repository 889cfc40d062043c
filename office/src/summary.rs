//! The readable summary of an opened application (`summary.html`), in
//! German for the office: the facts of receipt, then every answer under its
//! section, with the form's own labels and choice names when the form
//! definition is at hand (`--registry`), and the attachments as links. A
//! self-contained page: no script, no outside resource. It is checked like
//! the public pages (axe-core; BITV covers internal tools too) and prints
//! for the file: black text, the reference on every page, terms kept with
//! their values, the attachments' file names written out.

use std::collections::BTreeMap;
use std::fmt::Write;

use form_spec::definition::{Field, FieldType, FormDefinition};
use form_spec::document::{Document, is_reference};
use form_spec::html::escape;
use form_spec::registry::Registry;
use form_spec::validate::Value;

const LANG: &str = "de";

/// Screen and print. On paper (a clerk files it): black on white, the
/// reference on every page, no term parted from its value by a page break,
/// no heading alone at a page's foot, and each link's target (the local
/// file of an attachment) written out, since paper cannot be clicked.
const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#0b0c0c}\
main{max-width:48rem;margin:0 auto;padding:1rem}h1{font-size:1.75rem}h2{font-size:1.35rem;\
border-top:2px solid #0b0c0c;padding-top:.5rem;margin-top:2rem}h3{font-size:1.1rem}\
dl{margin:0}dl>div{display:grid;grid-template-columns:minmax(10rem,1fr) 2fr;gap:0 1rem;\
padding:.2rem 0;border-bottom:1px solid #d0d0d0}dt{font-weight:700}\
dd{margin:0;overflow-wrap:anywhere}.note{border-left:.3rem solid #1d70b8;padding-left:.75rem}\
a{color:#1d4f91}@media (max-width:30rem){dl>div{grid-template-columns:1fr}}\
@media print{body{color:#000;background:#fff;font-size:11pt}main{max-width:none;padding:0}\
h1,h2,h3,h4{break-after:avoid;page-break-after:avoid}h2{border-top-color:#000}\
dl>div{break-inside:avoid;page-break-inside:avoid;border-bottom-color:#888}\
.note{border-left-color:#000}a{color:#000;text-decoration:none}\
a[href]::after{content:\" (Datei: \" attr(href) \")\"}li{break-inside:avoid}}";

/// The summary page; `attachment_files` are the local file names, in order.
pub fn render_summary(
    document: &Document,
    attachment_files: &[&str],
    registry: Option<&Registry>,
) -> String {
    let form = registry.and_then(|r| r.forms.get(&document.form.id));
    let labels = Labels { form, registry };
    let mut html = head(&document.reference);
    render_facts(&mut html, document, form);
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
    render_rest(&mut html, document, &shown, form.is_some());
    render_attachments(&mut html, document, attachment_files, &labels);
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// Everything up to the page's heading: title, style, and on paper the
/// reference and page number in every page's margin.
fn head(reference: &str) -> String {
    let escaped = escape(reference);
    // A reference is letters, digits and hyphens; anything else stays out of CSS.
    let running = if is_reference(reference) {
        format!(
            "@page{{margin:18mm 16mm;@top-left{{content:\"Einbürgerungsantrag {reference}\"}}\
             @bottom-right{{content:\"Seite \" counter(page) \" von \" counter(pages)}}}}"
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Einbürgerungsantrag {escaped}</title>\n<style>{STYLE}{running}</style>\n</head>\n\
         <body>\n<main>\n<h1>Einbürgerungsantrag {escaped}</h1>\n"
    )
}

/// One term and its value, kept together (on paper too); both are HTML.
fn pair(html: &mut String, term: &str, value: &str) {
    let _ = writeln!(html, "<div><dt>{term}</dt><dd>{value}</dd></div>");
}

/// The facts of receipt, and a note where the labels may not fit.
fn render_facts(html: &mut String, document: &Document, form: Option<&FormDefinition>) {
    html.push_str("<dl>\n");
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
        pair(html, term, &escape(&value));
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
}

/// Values no section of the form showed (or all, without the form).
fn render_rest(html: &mut String, document: &Document, shown: &[&str], with_form: bool) {
    let rest: Vec<(&String, &Value)> = document
        .values
        .iter()
        .filter(|(id, _)| !shown.contains(&id.as_str()))
        .collect();
    if rest.is_empty() {
        return;
    }
    html.push_str(if with_form {
        "<h2>Weitere Angaben</h2>\n<dl>\n"
    } else {
        "<h2>Angaben</h2>\n<dl>\n"
    });
    for (id, value) in rest {
        pair(html, &escape(id), &plain_value(value));
    }
    html.push_str("</dl>\n");
}

/// The attachments as links to their local files.
fn render_attachments(
    html: &mut String,
    document: &Document,
    attachment_files: &[&str],
    labels: &Labels,
) {
    html.push_str("<h2>Anlagen</h2>\n");
    if document.attachments.is_empty() {
        html.push_str("<p>Keine Anlagen.</p>\n");
        return;
    }
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
            Some(Value::Text(text)) => pair(
                html,
                &escape(&labels.text(&field.label)),
                &escape(&labels.value(field, text)),
            ),
            Some(Value::Flag(flag)) => pair(
                html,
                &escape(&labels.text(&field.label)),
                if *flag { "ja" } else { "nein" },
            ),
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
