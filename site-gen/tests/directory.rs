//! Every municipality of North Rhine-Westphalia finds its naturalization
//! office on the index without JavaScript: by name through the pages per
//! letter, by key through the pages per Kreis, each pointing to the office
//! the Land's rule makes responsible. No page of the index grows past 150 KB.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use common::{Tree, escape, repo_root};
use site_gen::error::BuildError;
use site_gen::municipality::load_municipalities;

/// The largest page of the index a phone may have to load.
const PAGE_LIMIT: usize = 150 * 1024;

struct Row {
    ags: String,
    name: String,
    kreis_ags: String,
    kreis_name: String,
}

/// The NRW rows of the repository's data, read independently of site-gen.
fn nrw_rows() -> Vec<Row> {
    let csv = std::fs::read_to_string(repo_root().join("data/gemeinden.csv")).unwrap();
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|f| f[4] == "NW")
        .map(|f| Row {
            ags: f[0].to_owned(),
            name: f[1].to_owned(),
            kreis_ags: f[2].to_owned(),
            kreis_name: f[3].to_owned(),
        })
        .collect()
}

/// The große kreisangehörige Städte: key → the Kreis they delegated to, if any.
fn large_towns() -> BTreeMap<String, Option<String>> {
    let text = std::fs::read_to_string(repo_root().join("data/responsibility/nw.yaml")).unwrap();
    let mut towns = BTreeMap::new();
    let mut last = None;
    for line in text.lines().map(str::trim) {
        if let Some(key) = line.strip_prefix("- ags: ") {
            let key = key.trim_matches('"').to_owned();
            towns.insert(key.clone(), None);
            last = Some(key);
        } else if let Some(kreis) = line.strip_prefix("delegated_to: ") {
            let key = last.clone().unwrap();
            towns.insert(key, Some(kreis.trim_matches('"').to_owned()));
        }
    }
    towns
}

/// The office the rule makes responsible: (key, name).
fn expected_office(
    row: &Row,
    towns: &BTreeMap<String, Option<String>>,
    kreise: &BTreeMap<String, String>,
) -> (String, String) {
    if row.ags == row.kreis_ags {
        return (row.ags.clone(), row.name.clone());
    }
    match towns.get(&row.ags) {
        Some(Some(kreis)) => (kreis.clone(), kreise[kreis].clone()),
        Some(None) => (row.ags.clone(), row.name.clone()),
        None => (row.kreis_ags.clone(), row.kreis_name.clone()),
    }
}

/// Every page under `/orte/` reachable from the index by following links.
fn reachable_places_pages(out: &Path) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_owned()]);
    let mut seen = BTreeSet::new();
    while let Some(href) = queue.pop_front() {
        if !seen.insert(href.clone()) {
            continue;
        }
        let html =
            std::fs::read_to_string(out.join(href.trim_start_matches('/')).join("index.html"))
                .unwrap_or_else(|e| panic!("{href}: {e}"));
        for part in html.split("href=\"/orte/").skip(1) {
            let target = format!("/orte/{}", &part[..part.find('"').unwrap()]);
            queue.push_back(target);
        }
        if href != "/" {
            pages.insert(href, html);
        }
    }
    pages
}

/// The `<title>` of a page.
fn title(html: &str) -> &str {
    let start = html.find("<title>").map_or(0, |at| at + "<title>".len());
    let end = html[start..]
        .find("</title>")
        .map_or(start, |at| start + at);
    &html[start..end]
}

/// The entry of `key` on `html`, if the page lists it.
fn entry<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    html.split("<li class=\"place\">")
        .skip(1)
        .map(|e| e.split("</li>").next().unwrap_or(e))
        .find(|e| e.contains(&format!("<dd>{key}</dd>")))
}

#[test]
fn every_nrw_municipality_finds_its_office_by_name_and_by_key() {
    let tree = Tree::sample(&[]);
    tree.build().unwrap();
    let content = site_gen::content::load_content(tree.root()).unwrap();
    let files: BTreeMap<String, String> = load_municipalities(tree.root(), &content)
        .unwrap()
        .into_iter()
        .map(|m| (m.ags.value.as_str().to_owned(), m.slug))
        .collect();
    let rows = nrw_rows();
    assert_eq!(rows.len(), 396);
    let towns = large_towns();
    assert_eq!(towns.len(), 35);
    let kreise: BTreeMap<String, String> = rows
        .iter()
        .map(|r| (r.kreis_ags.clone(), r.kreis_name.clone()))
        .collect();
    let pages = reachable_places_pages(&tree.out());
    let (mut online, mut not_online) = (0, 0);
    for row in &rows {
        let (office_key, office_name) = expected_office(row, &towns, &kreise);
        let kreis_page = format!("/orte/kreis-{}/", &row.ags[..5]);
        let by_letter: Vec<&str> = pages
            .iter()
            .filter(|(href, _)| !href.starts_with("/orte/kreis-"))
            .filter_map(|(_, html)| entry(html, &row.ags))
            .collect();
        assert_eq!(
            by_letter.len(),
            1,
            "{} ({}) on exactly one letter page",
            row.name,
            row.ags
        );
        let by_kreis = entry(&pages[&kreis_page], &row.ags)
            .unwrap_or_else(|| panic!("{} on {kreis_page}", row.ags));
        for found in [by_letter[0], by_kreis] {
            match files.get(&office_key) {
                Some(slug) => {
                    online += 1;
                    let link = format!("<a href=\"/{slug}/de/\">{}</a>", escape(&office_name));
                    assert!(found.contains(&link), "{}: {link} in {found}", row.ags);
                }
                None => {
                    not_online += 1;
                    assert!(
                        found.contains(&format!(
                            "{} <span class=\"not-online\">",
                            escape(&office_name)
                        )),
                        "{}: {office_name} named, not online, in {found}",
                        row.ags
                    );
                    assert!(!found.contains("<a "), "{}: no invented link", row.ags);
                }
            }
        }
    }
    assert!(
        online > 0 && not_online > 0,
        "{online} online, {not_online} not"
    );
    // The cases the rule turns on, spelled out.
    let office_of = |key: &str| {
        let html = pages.iter().find_map(|(_, html)| entry(html, key)).unwrap();
        html.to_owned()
    };
    assert!(
        office_of("05774020").contains(">Kreis Paderborn</a>"),
        "Delbrück: its Kreis"
    );
    assert!(
        office_of("05774032").contains(">Stadt Paderborn</a>"),
        "Paderborn: große kreisangehörige Stadt"
    );
    assert!(
        office_of("05711000").contains(">Stadt Bielefeld</a>"),
        "Bielefeld: kreisfreie Stadt"
    );
    assert!(
        office_of("05158028").contains("Kreis Mettmann <span"),
        "Ratingen: delegated to its Kreis"
    );
    assert!(
        office_of("05158004").contains("Kreis Mettmann <span"),
        "Erkrath: its Kreis"
    );
    for (href, html) in &pages {
        assert!(html.len() <= PAGE_LIMIT, "{href} is {} bytes", html.len());
    }
    let index = std::fs::read_to_string(tree.out().join("index.html")).unwrap();
    assert!(
        index.contains("Quelle: Deutscher Wetterdienst"),
        "the data's attribution"
    );
    let search = std::fs::read_to_string(tree.out().join("orte/suche.js")).unwrap();
    for row in &rows {
        assert!(
            search.contains(&format!("\"{}\"", row.ags)),
            "{} searchable",
            row.ags
        );
    }
}

#[test]
fn long_lists_are_split_into_pages_no_larger_than_150_kb() {
    let tree = Tree::sample(&["kreis-paderborn"]);
    // 700 more places beginning with B in the Kreis Paderborn: more than
    // two pages' worth, on the letter page and on the Kreis page.
    let mut csv = tree.read("data/gemeinden.csv");
    for n in 0..700 {
        csv.push_str(&format!(
            "05774{:03},Gemeinde Beispieldorf {n:03},05774000,Kreis Paderborn,NW\n",
            100 + n
        ));
    }
    // Names that begin with neither A nor Z sort on both sides of the
    // alphabet; they still share one list.
    csv.push_str("05774801,Gemeinde 1. Testort,05774000,Kreis Paderborn,NW\n");
    csv.push_str("05774802,Gemeinde Ørsted,05774000,Kreis Paderborn,NW\n");
    tree.write("data/gemeinden.csv", &csv);
    tree.build().unwrap();
    let pages = reachable_places_pages(&tree.out());
    let others = &pages["/orte/andere/"];
    assert!(entry(others, "05774801").is_some() && entry(others, "05774802").is_some());
    let index = tree.read("public/index.html");
    assert_eq!(
        index.matches("href=\"/orte/andere/\"").count(),
        1,
        "one list for other initials"
    );
    for folder in ["/orte/b/", "/orte/kreis-05774/"] {
        let split: Vec<&String> = pages.keys().filter(|h| h.starts_with(folder)).collect();
        assert!(split.len() >= 3, "{folder} split into pages: {split:?}");
        let titles: BTreeSet<&str> = split.iter().map(|href| title(&pages[*href])).collect();
        assert_eq!(
            titles.len(),
            split.len(),
            "each page of {folder} has its own title"
        );
        assert!(
            pages[folder].contains("aria-current=\"page\""),
            "{folder} says which page it is"
        );
    }
    for (href, html) in &pages {
        assert!(html.len() <= PAGE_LIMIT, "{href} is {} bytes", html.len());
    }
    for n in [0, 349, 699] {
        let key = format!("05774{:03}", 100 + n);
        let listed = pages
            .iter()
            .filter(|(href, _)| href.starts_with("/orte/b/"))
            .filter(|(_, html)| entry(html, &key).is_some())
            .count();
        assert_eq!(listed, 1, "{key} on exactly one page of B");
    }
}

#[test]
fn more_kreise_than_fit_the_index_get_pages_of_their_own() {
    let tree = Tree::sample(&["kreis-paderborn"]);
    // 1,000 kreisfreie Städte of a test Land beside NRW's 53 Kreise: more
    // Kreise than one page should list.
    let mut csv = tree.read("data/gemeinden.csv");
    for k in 0..1000 {
        csv.push_str(&format!(
            "99{k:03}000,Stadt Teststadt {k:03},99{k:03}000,Stadt Teststadt {k:03},XX\n"
        ));
    }
    tree.write("data/gemeinden.csv", &csv);
    tree.write(
        "data/responsibility/xx.yaml",
        "land: XX\nrule:\n  own_office: [kreisfreie_stadt]\n  otherwise: kreis\n  source: \"test\"\n",
    );
    tree.build().unwrap();
    let index = tree.read("public/index.html");
    assert!(
        index.len() <= PAGE_LIMIT,
        "the index is {} bytes",
        index.len()
    );
    assert!(
        !index.contains("href=\"/orte/kreis-99"),
        "the Kreise are not listed on the index itself"
    );
    let pages = reachable_places_pages(&tree.out());
    let kreis_lists: Vec<&String> = pages
        .keys()
        .filter(|href| href.starts_with("/orte/kreise/"))
        .collect();
    assert_eq!(
        kreis_lists.len(),
        5,
        "1,053 Kreise in pages of 250: {kreis_lists:?}"
    );
    assert!(pages["/orte/kreise/"].contains("aria-current=\"page\""));
    let titles: BTreeSet<&str> = kreis_lists
        .iter()
        .map(|href| title(&pages[*href]))
        .collect();
    assert_eq!(
        titles.len(),
        kreis_lists.len(),
        "each page has its own title"
    );
    for kreis in ["05774", "99000", "99499", "99999"] {
        let href = format!("/orte/kreis-{kreis}/");
        assert!(pages.contains_key(&href), "{href} reachable from the index");
    }
    for (href, html) in &pages {
        assert!(html.len() <= PAGE_LIMIT, "{href} is {} bytes", html.len());
    }
}

#[test]
fn mistakes_in_the_data_name_file_line_and_what_was_expected() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        "data/responsibility/nw.yaml",
        "- ags: \"05774032\"",
        "- ags: \"05774999\"",
    );
    let errors = tree.editor_errors();
    let error = errors
        .iter()
        .find(|e| e.file.ends_with("data/responsibility/nw.yaml"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(
        error.line > 0 && error.message.contains("05774999"),
        "{error:?}"
    );
    assert!(
        error.message.contains("not a municipality of Land NW"),
        "{error:?}"
    );

    let tree = Tree::sample(&["bielefeld"]);
    let csv = tree.read("data/gemeinden.csv");
    tree.write(
        "data/gemeinden.csv",
        &format!("{csv}0577403,Stadt Kaputt,05774000,Kreis Paderborn,NW\n"),
    );
    let errors = tree.editor_errors();
    let line = csv.lines().count() + 1;
    assert!(
        errors.iter().any(|e| e.file.ends_with("data/gemeinden.csv")
            && e.line == line
            && e.message.contains("8 digits")),
        "{errors:?}"
    );

    let tree = Tree::sample(&["bielefeld"]);
    std::fs::rename(
        tree.path("municipalities/bielefeld.yaml"),
        tree.path("municipalities/orte.yaml"),
    )
    .unwrap();
    match tree.build() {
        Err(BuildError::Editor(errors)) => assert!(
            errors
                .iter()
                .any(|e| e.file.ends_with("orte.yaml") && e.message.contains("folder of the site")),
            "{errors:?}"
        ),
        other => panic!("expected an editor error, got {other:?}"),
    }
}
