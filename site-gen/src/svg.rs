//! Checks a municipality's coat of arms (SVG) before it is published beside
//! the pages: it must be a plain picture. An SVG opened on its own is a
//! document that can run code and load other resources, so anything active
//! or external is refused: scripts, event-handler attributes, embedded HTML
//! (`foreignObject`), references to other files or sites, and DTDs
//! (entities could expand without bound).

/// Elements that run code or embed other documents.
const ACTIVE_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "handler",
    "listener",
    // Animations can set any attribute, a link's target too.
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "discard",
];

/// Why `svg` is not a plain picture, in an editor's words; `Ok` if it is one.
pub fn check_plain_svg(svg: &str) -> Result<(), String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(svg, options)
        .map_err(|e| format!("expected an SVG image, but it is not well-formed XML: {e}"))?;
    if !document
        .root_element()
        .has_tag_name(("http://www.w3.org/2000/svg", "svg"))
    {
        return Err("expected an SVG image: the outermost element must be <svg>".to_owned());
    }
    for node in document.descendants().filter(roxmltree::Node::is_element) {
        let name = node.tag_name().name().to_ascii_lowercase();
        if ACTIVE_ELEMENTS.contains(&name.as_str()) {
            return Err(format!(
                "the SVG contains <{}> (line {}): expected a plain image without scripts or \
                 embedded documents",
                node.tag_name().name(),
                document.text_pos_at(node.range().start).row
            ));
        }
        for attribute in node.attributes() {
            check_attribute(&document, node, attribute)?;
        }
        if name == "style" && node.text().is_some_and(refers_outside) {
            return Err(format!(
                "the SVG's <style> (line {}) loads something from outside: expected a \
                 self-contained image",
                document.text_pos_at(node.range().start).row
            ));
        }
    }
    Ok(())
}

fn check_attribute(
    document: &roxmltree::Document,
    node: roxmltree::Node,
    attribute: roxmltree::Attribute,
) -> Result<(), String> {
    let line = document.text_pos_at(node.range().start).row;
    let name = attribute.name().to_ascii_lowercase();
    let value = attribute.value().trim();
    if value
        .to_ascii_lowercase()
        .replace(char::is_whitespace, "")
        .contains("javascript:")
    {
        return Err(format!(
            "the SVG has a script address in `{}` on <{}> (line {line}): expected a plain image",
            attribute.name(),
            node.tag_name().name()
        ));
    }
    if name.starts_with("on") {
        return Err(format!(
            "the SVG has an event handler `{}` on <{}> (line {line}): expected a plain image \
             without scripts",
            attribute.name(),
            node.tag_name().name()
        ));
    }
    let reference = name == "href" || name == "src";
    if reference && !value.starts_with('#') {
        return Err(format!(
            "the SVG refers to `{value}` (line {line}): expected a self-contained image; \
             only references inside the file (#id) are allowed"
        ));
    }
    if (name == "style" || value.contains("url(")) && refers_outside(value) {
        return Err(format!(
            "the SVG loads `{value}` (line {line}): expected a self-contained image; only \
             url(#id) is allowed"
        ));
    }
    Ok(())
}

/// Does CSS or an attribute value load anything but a fragment of this file?
fn refers_outside(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("@import")
        || lower.contains("javascript:")
        || lower.split("url(").skip(1).any(|rest| {
            let target = rest.trim_start_matches([' ', '"', '\'']);
            !target.starts_with('#')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "xmlns=\"http://www.w3.org/2000/svg\"";

    fn svg(body: &str) -> String {
        format!("<svg {NS} viewBox=\"0 0 10 10\">{body}</svg>")
    }

    #[test]
    fn plain_pictures_pass() {
        let picture = svg("<defs><linearGradient id=\"g\"/></defs>\
             <rect width=\"10\" height=\"10\" fill=\"url(#g)\" style=\"stroke: red\"/>\
             <use href=\"#g\"/>");
        assert_eq!(check_plain_svg(&picture), Ok(()));
    }

    #[test]
    fn anything_active_or_external_is_refused() {
        for (body, expected) in [
            ("<script>alert(1)</script>", "<script>"),
            ("<SCRIPT>alert(1)</SCRIPT>", "<SCRIPT>"),
            ("<rect onload=\"alert(1)\"/>", "event handler `onload`"),
            (
                "<g><circle OnClick=\"x()\"/></g>",
                "event handler `OnClick`",
            ),
            ("<foreignObject><p>x</p></foreignObject>", "<foreignObject>"),
            (
                "<image href=\"https://tracker.example/p.png\"/>",
                "refers to `https://tracker.example/p.png`",
            ),
            (
                "<use xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"other.svg#a\"/>",
                "refers to `other.svg#a`",
            ),
            (
                "<a href=\"javascript:alert(1)\"><rect/></a>",
                "script address in `href`",
            ),
            ("<rect style=\"fill: url(https://x.example/f)\"/>", "loads"),
            (
                "<style>@import url(https://x.example/a.css);</style>",
                "<style>",
            ),
        ] {
            let found = check_plain_svg(&svg(body)).expect_err(body);
            assert!(found.contains(expected), "{body}: {found}");
        }
        let with_dtd = format!("<!DOCTYPE svg [<!ENTITY a \"aaaa\">]>{}", svg("&a;"));
        assert!(check_plain_svg(&with_dtd).is_err());
        assert!(check_plain_svg("<html/>").is_err());
        assert!(check_plain_svg("not xml").is_err());
    }
}
