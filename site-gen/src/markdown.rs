//! Markdown with YAML front matter: splitting the two, and turning Markdown
//! into HTML for a section of a page.

use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::de::DeserializeOwned;

use crate::error::EditorError;
use crate::yaml::parse_yaml;

/// A Markdown file split into its parsed front matter and its body.
pub struct Document<T> {
    pub front: T,
    pub body: String,
}

/// Parses `---\n<yaml>\n---\n<markdown>`; `file` names the file in errors.
pub fn parse_document<T: DeserializeOwned>(
    text: &str,
    file: &Path,
) -> Result<Document<T>, EditorError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Err(EditorError::new(
            file,
            1,
            1,
            "expected front matter: the file must start with a line `---`, \
             the YAML fields, and another line `---`",
        ));
    };
    let mut offset = 0;
    let mut yaml_end = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            yaml_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = yaml_end else {
        return Err(EditorError::new(
            file,
            1,
            1,
            "front matter is not closed: expected a line `---` after the YAML fields",
        ));
    };
    let front = parse_yaml(&rest[..yaml_end], file, 1)?;
    Ok(Document {
        front,
        body: rest[body_start..].to_owned(),
    })
}

/// Renders Markdown as HTML for a section whose own heading is an `h2`:
/// the editor's `#` becomes `h3`, so the page keeps one `h1` and a sound outline.
pub fn render_section_markdown(markdown: &str) -> String {
    render_markdown(markdown, demote)
}

/// Renders Markdown as HTML for a whole page under its `h1`: `##` stays
/// `h2`, and a `#` also becomes `h2`, so the page keeps its one `h1`.
pub fn render_page_markdown(markdown: &str) -> String {
    render_markdown(markdown, |level| match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        other => other,
    })
}

fn render_markdown(markdown: &str, level_of: fn(HeadingLevel) -> HeadingLevel) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: level_of(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(level_of(level))),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Front {
        heading: String,
    }

    #[test]
    fn splits_front_matter_and_body() {
        let doc: Document<Front> =
            parse_document("---\nheading: Kosten\n---\nText\n", Path::new("k.md")).unwrap();
        assert_eq!(doc.front.heading, "Kosten");
        assert_eq!(doc.body, "Text\n");
    }

    #[test]
    fn front_matter_errors_point_into_the_file() {
        let error = parse_document::<Front>("---\nheading: a\ntitel: b\n---\n", Path::new("k.md"))
            .err()
            .unwrap();
        assert_eq!((error.line, error.column), (3, 1));
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_refused() {
        assert!(parse_document::<Front>("# Kosten\n", Path::new("k.md")).is_err());
        assert!(parse_document::<Front>("---\nheading: a\n", Path::new("k.md")).is_err());
    }

    #[test]
    fn a_page_keeps_its_sections_at_h2_and_its_one_h1() {
        let html = render_page_markdown("# Eins\n\n## Zwei\n\n### Drei");
        assert!(
            html.contains("<h2>Eins</h2>") && html.contains("<h2>Zwei</h2>"),
            "{html}"
        );
        assert!(html.contains("<h3>Drei</h3>"), "{html}");
    }

    #[test]
    fn headings_are_demoted_below_the_section_heading() {
        let html = render_section_markdown("# Unterpunkt\n\nText");
        assert!(html.contains("<h3>Unterpunkt</h3>"), "{html}");
    }
}
