//! What a public body must publish and say correctly: the accessibility
//! statement, privacy notice, legal notice, Leichte Sprache and sign-language
//! pages for every municipality, linked from every footer; the Land's
//! authorities from data; a Kreis shown with its Kreisschlüssel; and no page
//! that tells spouses of Germans their 3-year route was abolished.

mod common;

use std::path::{Path, PathBuf};

use common::Tree;
use site_gen::EditorError;
use site_gen::content::load_content;
use site_gen::municipality::load_municipalities;

/// Every HTML page of a built site, with its path below the output.
fn html_pages(out: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let html = std::fs::read_to_string(e.path()).expect("page");
            (e.path().strip_prefix(out).unwrap().to_path_buf(), html)
        })
        .collect()
}

/// The `<a …>` tags of a page that carry `marker`.
fn tags_with<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices("<a ")
        .filter_map(|(at, _)| html[at..].find('>').map(|end| &html[at..at + end]))
        .filter(|tag| tag.contains(marker))
        .collect()
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The visible text of a page, tags removed, entities of quotes undone.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"").replace("&amp;", "&")
}

const PUBLIC_PAGES: [&str; 5] = [
    "accessibility",
    "privacy",
    "imprint",
    "easy-read",
    "sign-language",
];

#[test]
fn every_page_links_the_five_public_body_pages_and_every_link_resolves() {
    let tree = Tree::sample(&[]);
    tree.build().expect("sample builds");
    let out = tree.out();
    let pages = html_pages(&out);
    assert!(pages.len() > 500, "{} pages", pages.len());
    for (path, html) in &pages {
        let links = tags_with(html, "data-public-page");
        let hrefs: Vec<&str> = links.iter().filter_map(|t| attribute(t, "href")).collect();
        assert_eq!(hrefs.len(), 5, "{}: five footer links", path.display());
        for (href, page) in hrefs.iter().zip(PUBLIC_PAGES) {
            assert!(
                href.ends_with(&format!("/{page}/")),
                "{}: {href}",
                path.display()
            );
            let target = out.join(href.trim_start_matches('/')).join("index.html");
            assert!(
                target.is_file(),
                "{}: link {href} leads nowhere",
                path.display()
            );
        }
        let page_lang = html
            .split("<html lang=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        for tag in &links[3..] {
            if page_lang == "de" {
                assert_eq!(attribute(tag, "lang"), None, "{}: {tag}", path.display());
            } else {
                assert_eq!(
                    attribute(tag, "lang"),
                    Some("de"),
                    "{}: {tag}",
                    path.display()
                );
                assert_eq!(
                    attribute(tag, "hreflang"),
                    Some("de"),
                    "{}: {tag}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn public_body_pages_exist_in_their_languages_and_say_what_the_law_requires() {
    let tree = Tree::sample(&[]);
    tree.build().expect("sample builds");
    let out = tree.out();
    let content = load_content(tree.root()).unwrap();
    let municipalities = load_municipalities(tree.root(), &content).unwrap();
    let read = |path: String| {
        std::fs::read_to_string(out.join(&path).join("index.html"))
            .unwrap_or_else(|_| panic!("{path} is missing"))
    };
    for m in &municipalities {
        for lang in m.languages() {
            let code = lang.code();
            for page in ["accessibility", "privacy", "imprint"] {
                let html = read(format!("{}/{code}/{page}", m.slug));
                assert_eq!(html.matches("<h1").count(), 1, "{}/{code}/{page}", m.slug);
                assert!(html.contains(&format!("<html lang=\"{code}\"")));
                assert!(
                    html.contains(m.public_body.as_ref().unwrap().name.as_str()),
                    "{}/{code}/{page}: names the public body",
                    m.slug
                );
            }
            let german_only = out.join(&m.slug).join(code).join("easy-read");
            assert_eq!(
                german_only.exists(),
                code == "de",
                "{}",
                german_only.display()
            );
            let privacy = text_of(&read(format!("{}/{code}/privacy", m.slug)));
            // The legal basis of the processing is § 31 StAG; § 37 (the
            // enquiry with the constitution protection office) is not.
            // English writes "Article 6(1)"; the other translations keep the
            // German citation, as the office's files will.
            let article = if code == "en" { "Article" } else { "Art." };
            let basis: Vec<String> = privacy
                .match_indices(if code == "en" {
                    "Article 6(1)"
                } else {
                    "Art. 6 Abs. 1"
                })
                .map(|(at, _)| privacy[at..].chars().take(120).collect::<String>())
                .collect();
            assert!(!basis.is_empty(), "{}/{code}: names Art. 6(1) GDPR", m.slug);
            let first = &basis[0];
            assert!(first.contains("31"), "{}/{code}: {first}", m.slug);
            assert!(!first.contains("37"), "{}/{code}: {first}", m.slug);
            for number in ["9", "10"] {
                assert!(
                    privacy.contains(&format!("{article} {number}")),
                    "{}/{code}: {article} {number}",
                    m.slug
                );
            }
            let land = &content.lands[m.land_key()].file;
            let supervisor = &land.data_protection_authority.name.value[lang];
            assert!(
                privacy.contains(supervisor.as_str()),
                "{}/{code}: {supervisor}",
                m.slug
            );
            let accessibility = text_of(&read(format!("{}/{code}/accessibility", m.slug)));
            let enforcement = &land.accessibility_enforcement.name.value[lang];
            assert!(
                accessibility.contains(enforcement.as_str()),
                "{}/{code}: {enforcement}",
                m.slug
            );
        }
        let sign = read(format!("{}/de/sign-language", m.slug));
        assert!(
            !sign.contains("<iframe") && !sign.contains("<video"),
            "no video is invented"
        );
    }
    let privacy = read("bielefeld/de/privacy".to_owned());
    assert!(
        privacy.contains("Beispieldaten:") && privacy.contains("Noch nicht geprüft:"),
        "unconfirmed public-body and Land data are marked as such"
    );
}

/// A sentence that says a 3-year naturalization ended, without saying that
/// only the fast track for special integration (§ 10 Abs. 3) did.
fn abolished_three_years(text: &str) -> Vec<String> {
    let three = ["3 Jahre", "3 years", "drei Jahre", "three years"];
    let ended = [
        "nicht mehr",
        "abgeschafft",
        "Wegfall",
        "entfällt",
        "no longer",
        "abolished",
    ];
    let qualified = ["Integrationsleistung", "integration", "10 Abs. 3", "10(3)"];
    text.split(['.', '!', '?', '\n'])
        .filter(|s| three.iter().any(|w| s.contains(w)))
        .filter(|s| ended.iter().any(|w| s.contains(w)))
        .filter(|s| !qualified.iter().any(|w| s.contains(w)))
        .map(|s| s.trim().to_owned())
        .collect()
}

#[test]
fn the_wording_check_catches_a_wrong_sentence() {
    assert_eq!(
        abolished_three_years("Die Einbürgerung nach 3 Jahren gibt es nicht mehr. Gut."),
        ["Die Einbürgerung nach 3 Jahren gibt es nicht mehr"]
    );
    assert!(abolished_three_years(
        "Abgeschafft wurde nur die Einbürgerung nach 3 Jahren wegen besonderer Integrationsleistungen."
    )
    .is_empty());
}

#[test]
fn no_page_says_the_three_year_route_for_spouses_was_abolished() {
    let tree = Tree::sample(&[]);
    tree.build().expect("sample builds");
    for (path, html) in html_pages(&tree.out()) {
        let wrong = abolished_three_years(&text_of(&html));
        assert!(wrong.is_empty(), "{}: {wrong:?}", path.display());
    }
    let service = std::fs::read_to_string(tree.out().join("koeln/de/index.html")).unwrap();
    assert!(
        text_of(&service).contains("nach 3 Jahren Aufenthalt eingebürgert werden, wenn die Ehe"),
        "the spouses' 3-year route is stated"
    );
}

#[test]
fn a_kreis_shows_its_kreisschluessel_and_the_keys_of_the_towns_it_serves() {
    let tree = Tree::sample(&[]);
    tree.build().expect("sample builds");
    let out = tree.out();
    let letter =
        |l: &str| std::fs::read_to_string(out.join("orte").join(l).join("index.html")).unwrap();
    assert!(
        letter("k").contains("<dt>Kreisschlüssel</dt><dd>05774</dd>"),
        "Kreis Paderborn"
    );
    assert!(
        letter("b").contains("<dt>Gemeindeschlüssel</dt><dd>05711000</dd>"),
        "Bielefeld"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("<span class=\"key\">05774</span> Kreis Paderborn"),
        "the Kreis by its key on the index"
    );
    for (path, html) in html_pages(&out) {
        assert!(
            !html.contains("05774000") && !html.contains("05754000"),
            "{}: a Kreis key padded with 000 shown as a municipality key",
            path.display()
        );
    }
    let service = std::fs::read_to_string(out.join("kreis-guetersloh/de/index.html")).unwrap();
    assert!(
        service
            .contains("Stadt Gütersloh</strong>? Dann ist die Stadt Gütersloh für Sie zuständig"),
        "the city with its own office is named"
    );
}

fn errors_of(tree: &Tree) -> Vec<EditorError> {
    tree.editor_errors()
}

#[test]
fn editors_learn_of_a_missing_land_a_town_outside_the_kreis_and_an_unknown_operator() {
    let tree = Tree::sample(&["kreis-paderborn"]);
    tree.remove("content/lands/nw.yaml");
    let errors = errors_of(&tree);
    assert!(
        errors.iter().any(
            |e| e.file == Path::new("municipalities/kreis-paderborn.yaml")
                && e.message.contains("no file for Land `05`")
        ),
        "{errors:#?}"
    );

    let tree = Tree::sample(&["kreis-paderborn"]);
    let file = "municipalities/kreis-paderborn.yaml";
    tree.edit(file, "ags: \"05774016\"", "ags: \"05754016\"");
    let errors = errors_of(&tree);
    let text = tree.read(file);
    let line = text.lines().position(|l| l.contains("05754016")).unwrap() + 1;
    assert!(
        errors.iter().any(|e| e.line == line
            && e.message.contains("is not a municipality of this Kreis")
            && e.message.contains("05774")),
        "{errors:#?}"
    );

    let tree = Tree::sample(&["kreis-paderborn"]);
    tree.edit(
        "site.yaml",
        "operator: kreis-paderborn",
        "operator: bielefled",
    );
    let errors = errors_of(&tree);
    assert!(
        errors.iter().any(|e| e.file == Path::new("site.yaml")
            && e.message
                .contains("`operator: bielefled` is not a municipality")),
        "{errors:#?}"
    );

    // German has every page; a translation may lack one (German stands in).
    let tree = Tree::sample(&["kreis-paderborn"]);
    tree.remove("content/de/pages/privacy.md");
    let errors = errors_of(&tree);
    assert!(
        errors
            .iter()
            .any(|e| e.file == Path::new("content/de/pages/privacy.md")
                && e.message.contains("missing the page `privacy`")),
        "{errors:#?}"
    );
}

#[test]
fn a_configured_sign_language_video_is_published_with_captions_and_transcript() {
    let tree = Tree::sample(&["bielefeld"]);
    let video: &[u8] = b"\0\0\0\x18ftypmp42 not really a film";
    std::fs::create_dir_all(tree.path("municipalities/media")).unwrap();
    std::fs::write(tree.path("municipalities/media/dgs.mp4"), video).unwrap();
    tree.write(
        "municipalities/media/dgs.vtt",
        "WEBVTT\n\n00:00.000 --> 00:02.000\nWillkommen\n",
    );
    let file = "municipalities/bielefeld.yaml";
    let with_video = format!(
        "{}\nsign_language:\n  video: media/dgs.mp4\n  captions: media/dgs.vtt\n  transcript: \"Willkommen beim **Einbürgerungs-Service**.\"\n",
        tree.read(file)
    );
    tree.write(file, &with_video);
    tree.build().expect("builds with the video");
    let dir = tree.out().join("bielefeld/de/sign-language");
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        page.contains("<source src=\"dgs.mp4\" type=\"video/mp4\">"),
        "{page}"
    );
    assert!(page.contains(
        "<track kind=\"captions\" srclang=\"de\" label=\"Deutsch\" src=\"dgs.vtt\" default>"
    ));
    assert!(
        page.contains("Willkommen beim <strong>Einbürgerungs-Service</strong>."),
        "transcript"
    );
    assert_eq!(std::fs::read(dir.join("dgs.mp4")).unwrap(), video);
    assert!(
        std::fs::read_to_string(dir.join("dgs.vtt"))
            .unwrap()
            .starts_with("WEBVTT")
    );

    tree.write(
        "municipalities/media/dgs.vtt",
        "1\n00:00:00,000 --> 00:00:02,000\nSRT, not WebVTT\n",
    );
    let errors = errors_of(&tree);
    let line = tree
        .read(file)
        .lines()
        .position(|l| l.contains("captions:"))
        .unwrap()
        + 1;
    assert!(
        errors
            .iter()
            .any(|e| e.line == line && e.message.contains("expected captions in WebVTT")),
        "{errors:#?}"
    );
}

#[test]
fn a_template_variable_as_a_markdown_link_address_is_refused_where_it_is_written() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "content/de/pages/imprint.md";
    let text = format!(
        "{}\nMehr: [Website]({{{{ office.web }}}})\n",
        tree.read(file)
    );
    tree.write(file, &text);
    let errors = errors_of(&tree);
    let line = text.lines().count();
    assert!(
        errors.iter().any(|e| e.file == Path::new(file)
            && e.line == line
            && e.column == 17
            && e.message.contains("cannot be a Markdown link address")),
        "{errors:#?}"
    );
}
