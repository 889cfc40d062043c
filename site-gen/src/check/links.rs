//! Links and images an editor wrote in Markdown: every link within the site
//! leads to a page that exists and, with `#…`, to an anchor on it; every
//! image has a text alternative. Links are resolved against the pages as
//! rendered for a municipality that publishes the file, in memory.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::sources::{Published, Source};
use super::{Finding, position};
use crate::build::SiteData;
use crate::languages::Lang;
use crate::municipality::Municipality;
use crate::render::Renderer;

/// A link or image found in a Markdown file, with its byte offset.
struct Found {
    offset: usize,
    kind: FoundKind,
}

enum FoundKind {
    Link(String),
    Image { alt: String },
}

/// Links and images of a Markdown text, with their offsets in `text`.
fn scan(text: &str) -> Vec<Found> {
    let body = markdown_body(text);
    let start = text.len() - body.len();
    let mut found = Vec::new();
    let mut image: Option<(usize, String)> = None;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let offset = start + range.start;
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let at = offset + body[range].find("](").map_or(0, |i| i + 2);
                found.push(Found {
                    offset: at,
                    kind: FoundKind::Link(dest_url.to_string()),
                });
            }
            Event::Start(Tag::Image { .. }) => image = Some((offset, String::new())),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&text);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((at, alt)) = image.take() {
                    found.push(Found {
                        offset: at,
                        kind: FoundKind::Image { alt },
                    });
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => scan_html(&html, offset, &mut found),
            _ => {}
        }
    }
    found
}

/// `href="…"` and `<img …>` in raw HTML an editor wrote.
fn scan_html(html: &str, offset: usize, found: &mut Vec<Found>) {
    for (at, _) in html.match_indices("href=\"") {
        let rest = &html[at + 6..];
        if let Some(end) = rest.find('"') {
            found.push(Found {
                offset: offset + at + 6,
                kind: FoundKind::Link(rest[..end].to_owned()),
            });
        }
    }
    for (at, _) in html.match_indices("<img") {
        let tag = &html[at..html[at..].find('>').map_or(html.len(), |end| at + end)];
        let alt = attribute(tag, "alt");
        found.push(Found {
            offset: offset + at,
            kind: FoundKind::Image {
                alt: alt.unwrap_or_default().to_owned(),
            },
        });
    }
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The Markdown after the front matter (the whole text when there is none).
fn markdown_body(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    text
}

/// Images without a text alternative, in every Markdown file.
pub(super) fn check_images(sources: &[Source]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for source in sources.iter().filter(|s| s.published != Published::Data) {
        for found in scan(&source.text) {
            if let FoundKind::Image { alt } = found.kind
                && alt.trim().is_empty()
            {
                let (line, column) = position(&source.text, found.offset);
                findings.push(Finding::error(
                    &source.file,
                    line,
                    column,
                    "image-alt",
                    "image without a text alternative: write what it shows, \
                     e.g. ![Wappen der Stadt](wappen.svg), or leave decorative images out"
                        .to_owned(),
                ));
            }
        }
    }
    findings
}

/// The pages of the site as rendered, by path below the base (`/koeln/de/`),
/// with the ids on each; filled one municipality at a time.
struct RenderedPages<'a> {
    data: &'a SiteData,
    renderer: &'a Renderer<'a>,
    pages: BTreeMap<String, BTreeSet<String>>,
    done: BTreeSet<String>,
}

impl RenderedPages<'_> {
    /// Renders every page of the municipality `slug` in every language, once.
    fn ensure(&mut self, slug: &str) {
        if !self.done.insert(slug.to_owned()) {
            return;
        }
        let Some(m) = self.data.municipalities.iter().find(|m| m.slug == slug) else {
            return;
        };
        for lang in m.languages() {
            for (path, html) in self.render(m, *lang) {
                let key = format!("/{}/{}/{path}", m.slug, lang.code());
                self.pages.insert(key, ids(&html));
            }
        }
    }

    /// (path below `/<slug>/<lang>/`, HTML) of every page of `m` in `lang`;
    /// a page that does not render is the build's to report.
    fn render(&self, m: &Municipality, lang: Lang) -> Vec<(String, String)> {
        let mut pages = Vec::new();
        if let Ok(html) = self.renderer.render_service_page(m, lang) {
            pages.push((String::new(), html));
        }
        pages.extend(
            self.renderer
                .render_quick_check_pages(m, lang)
                .unwrap_or_default(),
        );
        if let Ok((apply, _)) = self.renderer.render_apply_pages(m, lang) {
            pages.extend(apply);
        }
        pages.extend(
            self.renderer
                .render_public_pages(m, lang)
                .unwrap_or_default(),
        );
        pages
    }

    /// Whether `path` is a page, after rendering its municipality.
    fn page(&mut self, path: &str) -> Option<&BTreeSet<String>> {
        if let Some(slug) = path.trim_start_matches('/').split('/').next() {
            self.ensure(slug);
        }
        self.pages.get(path)
    }
}

/// Every `id="…"` of a page.
fn ids(html: &str) -> BTreeSet<String> {
    html.match_indices(" id=\"")
        .filter_map(|(at, _)| {
            let rest = &html[at + 5..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// Links within the site that lead nowhere, or to a missing anchor.
pub(super) fn check_links(
    data: &SiteData,
    renderer: &Renderer<'_>,
    sources: &[Source],
) -> Vec<Finding> {
    let base = data.site.base_path();
    let mut rendered = RenderedPages {
        data,
        renderer,
        pages: BTreeMap::new(),
        done: BTreeSet::new(),
    };
    // The index is a page of the whole site.
    rendered.pages.insert("/".to_owned(), BTreeSet::new());
    let mut findings = Vec::new();
    for source in sources {
        let Some(page) = published_at(data, &source.published) else {
            continue;
        };
        for found in scan(&source.text) {
            let FoundKind::Link(dest) = found.kind else {
                continue;
            };
            let Some((path, anchor)) = resolve(&page, &dest, &base) else {
                continue;
            };
            let problem = match rendered.page(&path) {
                None => Some((
                    "broken-link",
                    format!("link `{dest}` leads to {path}, which is not a page of the site"),
                )),
                Some(ids) => anchor.filter(|a| !ids.contains(a)).map(|a| {
                    (
                        "missing-anchor",
                        format!("link `{dest}`: the page {path} has no anchor `#{a}`"),
                    )
                }),
            };
            if let Some((code, message)) = problem {
                let (line, column) = position(&source.text, found.offset);
                findings.push(Finding::error(&source.file, line, column, code, message));
            }
        }
    }
    findings
}

/// The page a Markdown file is published on, below the base: for shared
/// texts, that of the first municipality offering the language.
fn published_at(data: &SiteData, published: &Published) -> Option<String> {
    let first_with = |lang: Lang| {
        data.municipalities
            .iter()
            .find(|m| m.languages().contains(&lang))
            .map(|m| m.slug.clone())
    };
    match published {
        Published::Service { lang } => Some(format!("/{}/{}/", first_with(*lang)?, lang.code())),
        Published::Page { lang, id } => {
            Some(format!("/{}/{}/{id}/", first_with(*lang)?, lang.code()))
        }
        Published::Override { slug, lang } => Some(format!("/{slug}/{}/", lang.code())),
        Published::Data => None,
    }
}

/// The page path (below the base, ending in `/`) and anchor a link on
/// `page` leads to; `None` for links that leave the site, template links,
/// and files that are not pages (assets, the sitemap).
fn resolve(page: &str, dest: &str, base: &str) -> Option<(String, Option<String>)> {
    if dest.contains("{{") || dest.contains("{%") || dest.starts_with("//") {
        return None;
    }
    if dest
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_owned())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let joined = if path.is_empty() {
        page.to_owned()
    } else if let Some(absolute) = path.strip_prefix(base) {
        format!("/{absolute}")
    } else if path.starts_with('/') {
        // Outside the site's base path: not a page of this site.
        return Some((path.to_owned(), anchor));
    } else {
        format!("{page}{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." {
            segments.pop()?;
        } else {
            segments.push(segment);
        }
    }
    match segments.last() {
        Some(&"index.html") => {
            segments.pop();
        }
        Some(last) if last.contains('.') => return None,
        _ => {}
    }
    let mut resolved = String::from("/");
    for segment in segments {
        resolved.push_str(segment);
        resolved.push('/');
    }
    Some((resolved, anchor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_a_browser_below_the_base() {
        let page = "/koeln/en/privacy/";
        assert_eq!(
            resolve(page, "../../de/easy-read/", "/"),
            Some(("/koeln/de/easy-read/".to_owned(), None))
        );
        assert_eq!(
            resolve(page, "../#unterlagen", "/"),
            Some(("/koeln/en/".to_owned(), Some("unterlagen".to_owned())))
        );
        assert_eq!(
            resolve(page, "#top", "/"),
            Some((page.to_owned(), Some("top".to_owned())))
        );
        assert_eq!(
            resolve(page, "/sub/koeln/de/", "/sub/"),
            Some(("/koeln/de/".to_owned(), None))
        );
        assert_eq!(resolve(page, "https://example.org/", "/"), None);
        assert_eq!(resolve(page, "mailto:a@b.de", "/"), None);
        assert_eq!(resolve(page, "{{ office.web }}", "/"), None);
        assert_eq!(
            resolve(page, "../coat-of-arms.svg", "/"),
            None,
            "a file, not a page"
        );
        assert_eq!(resolve("/a/", "../../../x/", "/"), None, "above the root");
    }

    #[test]
    fn links_images_and_html_are_found_where_they_are_written() {
        let text = "---\nheading: H\n---\nSee [costs](#kosten) and ![](x.png).\n\n<a href=\"../apply/\">Apply</a> <img src=\"y.png\">\n";
        let found = scan(text);
        let at = |kind: &FoundKind| match kind {
            FoundKind::Link(dest) => format!("link {dest}"),
            FoundKind::Image { alt } => format!("image '{alt}'"),
        };
        let listed: Vec<(usize, usize, String)> = found
            .iter()
            .map(|f| {
                let (line, column) = position(text, f.offset);
                (line, column, at(&f.kind))
            })
            .collect();
        assert_eq!(
            listed,
            [
                (4, 13, "link #kosten".to_owned()),
                (4, 26, "image ''".to_owned()),
                (6, 10, "link ../apply/".to_owned()),
                (6, 31, "image ''".to_owned()),
            ]
        );
    }
}
