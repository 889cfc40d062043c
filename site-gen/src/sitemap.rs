//! `sitemap.xml` (with language alternates, so search engines offer each
//! reader their language) and `robots.txt`.

use std::fmt::Write;

use crate::municipality::Municipality;
use crate::site::SiteConfig;

/// Escapes text for XML character data and attribute values.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One `<url>` per page, each listing its translations as alternates;
/// `pages` are the paths below `/<slug>/<lang>/` worth finding by search.
pub fn render_sitemap(
    site: &SiteConfig,
    municipalities: &[Municipality],
    pages: &[&str],
) -> String {
    let origin = site.origin_and_prefix();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let _ = writeln!(xml, "  <url><loc>{}/</loc></url>", xml_escape(origin));
    for m in municipalities {
        for path in pages {
            let page = |code: &str| xml_escape(&format!("{origin}/{}/{code}/{path}", m.slug));
            for lang in m.languages() {
                let _ = write!(xml, "  <url><loc>{}</loc>", page(lang.code()));
                for other in m.languages() {
                    let _ = write!(
                        xml,
                        "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        other.code(),
                        page(other.code())
                    );
                }
                xml.push_str("</url>\n");
            }
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn render_robots(site: &SiteConfig) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
        site.origin_and_prefix()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_specials() {
        assert_eq!(xml_escape("a&b<c>\""), "a&amp;b&lt;c&gt;&quot;");
    }
}
