//! End to end: the repository's sample tree builds, and every municipality
//! gets its service page in each of its languages per the URL contract.

mod common;

use common::{Tree, escape};
use site_gen::content::{SERVICE_BLOCKS, load_content};
use site_gen::municipality::load_municipalities;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Every `src`/`href` of resources the browser loads by itself is site-relative.
fn assert_no_foreign_resources(page: &str, html: &str) {
    for tag in html.split('<').skip(1) {
        let name = tag.split([' ', '>']).next().unwrap_or_default();
        let loads = match name {
            "script" | "img" | "iframe" | "source" | "audio" | "video" => "src=\"",
            "link" if !tag.contains("rel=\"alternate\"") => "href=\"",
            _ => continue,
        };
        if let Some(start) = tag.find(loads) {
            let url = &tag[start + loads.len()..];
            assert!(
                url.starts_with('/') && !url.starts_with("//"),
                "{page} loads {url:.60} from elsewhere"
            );
        }
    }
    assert!(
        !html.contains("@import") && !html.contains("url(http"),
        "{page} imports from elsewhere"
    );
}

#[test]
fn every_municipality_has_a_service_page_in_each_language() {
    let tree = Tree::sample(&[]);
    let report = tree.build().expect("the sample tree builds");
    let content = load_content(tree.root()).unwrap();
    let municipalities = load_municipalities(tree.root(), &content).unwrap();
    assert!(municipalities.len() >= 8, "at least 8 sample offices");
    let languages: usize = municipalities.iter().map(|m| m.languages().len()).sum();
    let langs: Vec<_> = content.languages.keys().copied().collect();
    let check = site_gen::quick_check::QuickCheck::load(tree.root(), &langs).unwrap();
    // Service page, quick-check pages (tracks included), application page,
    // and the three public-body pages; Leichte Sprache and sign language in
    // German only.
    let per_language = 1 + check.pages.len() + 1 + 3;
    let german = municipalities.len();
    let places_pages = walkdir::WalkDir::new(tree.out().join("orte"))
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_name() == "index.html"))
        .count();
    assert!(
        places_pages > 26,
        "a page per letter and per Kreis: {places_pages}"
    );
    assert_eq!(
        report.pages,
        languages * per_language + german * 2 + 2 + places_pages,
        "service, quick-check, apply and public-body pages per language, plus index, 404 \
         and the pages of places"
    );

    for m in &municipalities {
        for lang in m.languages() {
            let page = format!("{}/{}/index.html", m.slug, lang.code());
            let html = std::fs::read_to_string(tree.out().join(&page))
                .unwrap_or_else(|_| panic!("{page} is missing"));
            assert!(html.starts_with("<!doctype html>"), "{page}");
            assert!(
                html.contains(&format!(
                    "<html lang=\"{}\" dir=\"{}\">",
                    lang.code(),
                    lang.dir()
                )),
                "{page}: lang"
            );
            assert_eq!(count(&html, "<h1"), 1, "{page}: one h1");
            assert_eq!(count(&html, "<main"), 1, "{page}: one main");
            for other in m.languages().iter().filter(|l| *l != lang) {
                let link = format!(
                    "href=\"/{}/{}/\" hreflang=\"{}\"",
                    m.slug,
                    other.code(),
                    other.code()
                );
                assert!(html.contains(&link), "{page}: link to {}", other.code());
            }
            assert!(
                html.contains(&escape(m.office.name.as_str())),
                "{page}: office name"
            );
            assert!(
                html.contains(&escape(m.office.address.street.as_str())),
                "{page}: address"
            );
            for (id, _) in SERVICE_BLOCKS {
                assert!(
                    html.contains(&format!("<section id=\"{id}\"")),
                    "{page}: block {id}"
                );
            }
            assert_eq!(
                html.contains("role=\"note\""),
                !m.office.contact_verified,
                "{page}: sample-data warning exactly when contact data is unverified"
            );
            assert!(
                !html.contains("{{") && !html.contains("{%"),
                "{page}: unrendered template"
            );
            assert_no_foreign_resources(&page, &html);
        }
    }
}

#[test]
fn pages_state_the_law_in_force() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.build().unwrap();
    let de = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    let en = std::fs::read_to_string(tree.out().join("bielefeld/en/index.html")).unwrap();
    assert!(de.contains("mindestens <strong>5 Jahren</strong>"));
    assert!(de.contains("<strong>Mehrstaatigkeit ist erlaubt:</strong>"));
    assert!(de.contains("seit dem 30. Oktober 2025 <strong>nicht mehr</strong>"));
    assert!(de.contains("255 Euro") && de.contains("51 Euro"));
    assert!(en.contains("at least <strong>5 years</strong>"));
    assert!(
        en.contains("Stadt Bielefeld – Einbürgerung"),
        "office name in English text"
    );
}

#[test]
fn sitemap_robots_404_and_assets_are_written() {
    let tree = Tree::sample(&["bielefeld", "kreis-paderborn"]);
    tree.build().unwrap();
    let sitemap = std::fs::read_to_string(tree.out().join("sitemap.xml")).unwrap();
    assert!(sitemap.starts_with("<?xml"));
    for url in [
        "bielefeld/de/",
        "bielefeld/en/",
        "kreis-paderborn/de/",
        "kreis-paderborn/en/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://einbuergerung.example/{url}</loc>")),
            "{url}"
        );
    }
    assert!(
        sitemap.contains("hreflang=\"en\" href=\"https://einbuergerung.example/bielefeld/en/\"")
    );
    let robots = std::fs::read_to_string(tree.out().join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://einbuergerung.example/sitemap.xml"));
    let not_found = std::fs::read_to_string(tree.out().join("404.html")).unwrap();
    assert_eq!(count(&not_found, "<h1"), 1);
    assert!(not_found.contains("Seite nicht gefunden"));
    // Every language of the site says it too, in its own direction, so a
    // citizen who followed a broken link finds the way back in their language.
    for (lang, dir, title) in [
        ("en", "ltr", "Page not found"),
        ("ar", "rtl", "الصفحة غير موجودة"),
        ("tr", "ltr", "Sayfa bulunamadı"),
        ("fa", "rtl", "صفحه پیدا نشد"),
    ] {
        let block = format!("<div class=\"in-language\" lang=\"{lang}\" dir=\"{dir}\">");
        let at = not_found
            .find(&block)
            .unwrap_or_else(|| panic!("404 lacks {lang}"));
        assert!(not_found[at..].contains(&format!("<h2>{title}")), "{lang}");
    }
    let index = std::fs::read_to_string(tree.out().join("index.html")).unwrap();
    for lang in ["en", "ar", "tr", "ru", "uk", "fa"] {
        assert!(
            index.contains(&format!("<li lang=\"{lang}\" dir=")),
            "index lacks {lang}"
        );
    }
    let page = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    let css = asset_link(&page, "style.", ".css");
    let js = asset_link(&page, "site.", ".js");
    for (name, source) in [(&css, "style.css"), (&js, "site.js")] {
        let published = std::fs::read(tree.out().join("assets").join(name)).unwrap();
        assert_eq!(
            published,
            std::fs::read(tree.path(&format!("themes/default/assets/{source}"))).unwrap()
        );
    }
    assert!(
        !tree.out().join("assets/style.css").exists(),
        "only the fingerprinted name"
    );
    // A change of the stylesheet gives it a new name, so cached copies never go stale.
    tree.edit("themes/default/assets/style.css", "}", "}\n/* changed */");
    tree.build().unwrap();
    let page = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    let changed = asset_link(&page, "style.", ".css");
    assert_ne!(changed, css);
    assert!(tree.out().join("assets").join(&changed).is_file());
    assert!(!tree.out().join("assets").join(&css).exists());
    assert_eq!(
        asset_link(&page, "site.", ".js"),
        js,
        "the script kept its name"
    );
}

/// The file name of the asset `/assets/<stem><16 hex digits><extension>` a page links.
fn asset_link(page: &str, stem: &str, extension: &str) -> String {
    let start = page.find(&format!("/assets/{stem}")).expect("asset linked") + "/assets/".len();
    let name: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let hash = &name[stem.len()..name.len() - extension.len()];
    assert!(name.ends_with(extension), "{name}");
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{name}"
    );
    name
}

#[test]
fn municipal_override_and_local_notes_appear_only_for_that_municipality() {
    let tree = Tree::sample(&["kreis-paderborn", "paderborn"]);
    tree.build().unwrap();
    let kreis = std::fs::read_to_string(tree.out().join("kreis-paderborn/de/index.html")).unwrap();
    let stadt = std::fs::read_to_string(tree.out().join("paderborn/de/index.html")).unwrap();
    let replaced = "außer der Stadt Paderborn: Altenbeken (05774004), Bad Lippspringe (05774008)";
    assert!(
        kreis.contains(replaced),
        "override rendered with the Kreis's data"
    );
    assert!(
        !kreis.contains("Zuständig ist die Einbürgerungsbehörde Ihres Wohnorts"),
        "shared block replaced"
    );
    assert!(
        kreis.contains("Hinweise Ihrer Behörde")
            && kreis.contains("<strong>Stadt Paderborn</strong>")
    );
    assert!(!stadt.contains(replaced) && !stadt.contains("Hinweise Ihrer Behörde"));
    assert!(stadt.contains("Zuständig ist die Einbürgerungsbehörde Ihres Wohnorts"));
    let english =
        std::fs::read_to_string(tree.out().join("kreis-paderborn/en/index.html")).unwrap();
    assert!(english.contains("except the city of Paderborn"));
}

#[test]
fn editor_text_is_escaped_and_verified_contacts_show_no_warning() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "municipalities/bielefeld.yaml";
    tree.edit(
        file,
        "name: \"Stadt Bielefeld – Einbürgerung\"",
        "name: \"Amt <b>A</b> & B\"",
    );
    tree.edit(
        file,
        "  contact_verified: false",
        "  contact_verified: true",
    );
    tree.edit(
        file,
        "  web: \"https://www.bielefeld.de/\"",
        "  web: \"https://www.bielefeld.de/\"\n  phone: \"+49 521 51-0\"\n  email: \"einbuergerung@bielefeld.example\"",
    );
    tree.build().unwrap();
    let html = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    assert!(
        html.contains("Amt &lt;b&gt;A&lt;/b&gt; &amp; B"),
        "office name escaped everywhere"
    );
    assert!(!html.contains("<b>A</b>"));
    assert!(
        !html.contains("role=\"note\""),
        "no sample-data warning once verified"
    );
    assert!(html.contains("href=\"tel:+49521510\" dir=\"ltr\">+49 521 51-0</a>"));
    assert!(html.contains("href=\"mailto:einbuergerung@bielefeld.example\""));
    assert!(html.contains("Montag – Freitag: <span dir=\"ltr\">08:00–12:00</span> Uhr"));
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let tree = Tree::sample(&["bielefeld"]);
    site_gen::build(&site_gen::BuildOptions {
        base_url: Some(
            "https://land.example/einbuergerung/"
                .to_owned()
                .try_into()
                .unwrap(),
        ),
        ..site_gen::BuildOptions::new(tree.root(), tree.out())
    })
    .unwrap();
    let html = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    assert!(html.contains("href=\"/einbuergerung/bielefeld/en/\""));
    assert!(html.contains("href=\"/einbuergerung/assets/style."));
    let sitemap = std::fs::read_to_string(tree.out().join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://land.example/einbuergerung/bielefeld/de/</loc>"));
}

#[test]
fn right_to_left_languages_get_dir_rtl() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.use_own_recipient("bielefeld");
    tree.use_own_signing_key();
    tree.build_with_endpoint(Some("https://forms.example"))
        .unwrap();
    for lang in ["ar", "fa"] {
        let page = std::fs::read_to_string(tree.out().join(format!("bielefeld/{lang}/index.html")))
            .unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\" dir=\"rtl\">")));
        assert!(
            page.contains("<address dir=\"ltr\" lang=\"de\">"),
            "{lang}: the German address reads left to right"
        );
        assert!(
            page.contains("<p class=\"caption\"><bdi>\u{2068}Bielefeld\u{2069}</bdi>"),
            "{lang}: the German name isolated, also where Markdown names it"
        );
    }
    let german = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    assert!(
        german.contains("hreflang=\"ar\" lang=\"ar\" dir=\"rtl\">العربية</a>"),
        "language link in its own script and direction"
    );
    let form = std::fs::read_to_string(tree.out().join("bielefeld/ar/apply/index.html")).unwrap();
    assert!(
        form.contains("autocomplete=\"family-name\" dir=\"ltr\""),
        "names as in the passport stay left to right"
    );
}

#[test]
fn timings_say_where_the_time_went_phase_by_phase() {
    let tree = Tree::sample(&["bielefeld"]);
    let report = tree.build().unwrap();
    let phases: Vec<&str> = report.timings.iter().map(|(phase, _)| *phase).collect();
    assert_eq!(
        phases,
        [
            "inputs",
            "load",
            "Markdown",
            "validate",
            "templates",
            "write"
        ]
    );
    let summed: std::time::Duration = report.timings.iter().map(|(_, took)| *took).sum();
    assert!(
        summed <= report.elapsed,
        "phases add up to no more than the build"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .args(["build", "--timings", "--root"])
        .arg(tree.root())
        .arg("--out")
        .arg(tree.out())
        .arg("--function-out")
        .arg(tree.function_out())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("timings: "))
        .expect("a timings line");
    let named: Vec<&str> = line["timings: ".len()..]
        .split(" · ")
        .map(|part| part.rsplitn(3, ' ').nth(2).unwrap_or_default())
        .collect();
    assert_eq!(named, phases, "{line}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no progress bar when not on a terminal"
    );
}
