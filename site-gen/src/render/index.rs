//! The index: how a citizen finds the office for where they live, at the
//! scale of a Land or of Germany, on a cheap phone.
//!
//! `/index.html` stays small: the initial letters and the Kreise with their
//! keys (more than [`PLACES_PER_PAGE`] Kreise get pages of their own,
//! `/orte/kreise/`, and the index links to those). Each letter and each
//! Kreis has its own page of places
//! (`/orte/<letter>/`, `/orte/kreis-<key>/`), split into pages of at most
//! [`PLACES_PER_PAGE`] so that no page grows past about 100 KB however many
//! places there are. All of this works without JavaScript: the browser's
//! find function searches a page, and a key's first five digits name its
//! Kreis. With JavaScript, a search box loads a compact list of every place
//! (`/orte/suche.js`) once and finds by name, key or postcode.

use minijinja::context;
use serde::Serialize;

use super::{Renderer, ser, ui_text};
use crate::directory::{Directory, PLACES_DIR, Place, sort_key};
use crate::error::BuildError;

/// Places listed on one page at most.
pub const PLACES_PER_PAGE: usize = 250;

/// The folder of the pages of Kreise, below [`PLACES_DIR`] (no Kreis key
/// is a word, so it cannot meet `kreis-<key>`).
const KREISE_FOLDER: &str = "kreise";

/// The compact list the search box loads, below [`PLACES_DIR`].
pub const SEARCH_SCRIPT: &str = "suche.js";

/// A page of places: its path below the site root and its HTML.
pub type PlacesPage = (String, String);

#[derive(Debug, Serialize)]
struct PlaceEntry<'a> {
    name: &'a str,
    title: Option<&'a str>,
    key_label: &'a str,
    key: &'a str,
    postcodes: String,
    office: &'a str,
    href: Option<String>,
}

#[derive(Debug, Serialize)]
struct PageLink {
    label: String,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct LetterLink {
    letter: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct KreisLink<'a> {
    key: &'a str,
    name: &'a str,
    href: String,
}

/// The letter a place is listed under: A–Z, or "#" for anything else.
fn initial(place: &Place) -> char {
    sort_key(&place.name)
        .chars()
        .next()
        .filter(char::is_ascii_lowercase)
        .unwrap_or('#')
}

/// The places per initial, in their order ("#", for names that begin with
/// a digit or another letter, first). Names sort by their folded form, so
/// "Ørsted" and "1. Ort" would otherwise split the "#" group in two.
fn by_letter(directory: &Directory) -> std::collections::BTreeMap<char, Vec<&Place>> {
    let mut letters = std::collections::BTreeMap::<char, Vec<&Place>>::new();
    for place in &directory.places {
        letters.entry(initial(place)).or_default().push(place);
    }
    letters
}

/// The folder of a letter's pages: `a`…`z`, or `andere`.
fn letter_folder(letter: char) -> String {
    if letter == '#' {
        "andere".to_owned()
    } else {
        letter.to_string()
    }
}

impl Renderer<'_> {
    fn places_href(&self, folder: &str, page: usize) -> String {
        if page == 0 {
            format!("{}{PLACES_DIR}/{folder}/", self.base)
        } else {
            format!("{}{PLACES_DIR}/{folder}/{}/", self.base, page + 1)
        }
    }

    /// `/index.html`: the ways in (letters, Kreise with their keys, search).
    pub fn render_index(&self, directory: &Directory) -> Result<String, BuildError> {
        let ui = &self.content.primary().ui;
        let letters: Vec<LetterLink> = by_letter(directory)
            .into_keys()
            .map(|letter| LetterLink {
                letter: letter.to_uppercase().to_string(),
                href: self.places_href(&letter_folder(letter), 0),
            })
            .collect();
        let all_kreise = self.kreis_links(directory);
        // Inline while they fit a page; otherwise the pages of Kreise.
        let (kreise, kreis_pages) = if all_kreise.len() <= PLACES_PER_PAGE {
            (all_kreise, Vec::new())
        } else {
            (Vec::new(), self.kreis_page_links(&all_kreise, None))
        };
        let ctx = self.site_page_context(
            ui,
            context! {
                letters => ser(&letters),
                kreise => ser(&kreise),
                kreis_pages => ser(&kreis_pages),
                count => directory.places.len(),
                search => format!("{}{PLACES_DIR}/{SEARCH_SCRIPT}", self.base),
            },
        );
        self.render("index.html", ctx)
    }

    /// Every Kreis with its key and the first page of its places.
    fn kreis_links<'d>(&self, directory: &'d Directory) -> Vec<KreisLink<'d>> {
        directory
            .kreise
            .iter()
            .map(|k| KreisLink {
                key: &k.key,
                name: &k.name,
                href: self.places_href(&format!("kreis-{}", k.key), 0),
            })
            .collect()
    }

    /// The pages of Kreise ("05111 Düsseldorf – 05774 Paderborn"), with
    /// `current` marked.
    fn kreis_page_links(&self, kreise: &[KreisLink], current: Option<usize>) -> Vec<PageLink> {
        kreise
            .chunks(PLACES_PER_PAGE)
            .enumerate()
            .map(|(n, chunk)| {
                let name = |k: Option<&KreisLink>| k.map(|k| format!("{} {}", k.key, k.name));
                PageLink {
                    label: match (name(chunk.first()), name(chunk.last())) {
                        (Some(first), Some(last)) if first != last => format!("{first} – {last}"),
                        (first, _) => first.unwrap_or_default(),
                    },
                    href: self.places_href(KREISE_FOLDER, n),
                    current: current == Some(n),
                }
            })
            .collect()
    }

    /// `/orte/kreise/…`: the Kreise in pages, where the index cannot hold them.
    fn render_kreis_pages(&self, directory: &Directory) -> Result<Vec<PlacesPage>, BuildError> {
        let kreise = self.kreis_links(directory);
        if kreise.len() <= PLACES_PER_PAGE {
            return Ok(Vec::new());
        }
        let ui = &self.content.primary().ui;
        let mut pages = Vec::new();
        for (number, chunk) in kreise.chunks(PLACES_PER_PAGE).enumerate() {
            let links = self.kreis_page_links(&kreise, Some(number));
            let ctx = self.site_page_context(
                ui,
                context! {
                    current => links.get(number).map(|l| l.label.clone()),
                    pages => ser(&links),
                    kreise => ser(chunk),
                },
            );
            pages.push((
                places_path(KREISE_FOLDER, number),
                self.render("kreise.html", ctx)?,
            ));
        }
        Ok(pages)
    }

    /// Every page of places: per letter, then per Kreis; and the pages of
    /// Kreise where there are too many for the index.
    pub fn render_places_pages(
        &self,
        directory: &Directory,
    ) -> Result<Vec<PlacesPage>, BuildError> {
        let ui = &self.content.primary().ui;
        let mut pages = self.render_kreis_pages(directory)?;
        for (letter, places) in by_letter(directory) {
            let heading = ui_text(ui, "places_letter")
                .replace("{letter}", &letter.to_uppercase().to_string());
            pages.extend(self.render_place_list(&letter_folder(letter), &heading, &places)?);
        }
        for kreis in &directory.kreise {
            let places: Vec<&Place> = directory
                .places
                .iter()
                .filter(|p| p.kreis_key == kreis.key)
                .collect();
            let heading = ui_text(ui, "places_kreis")
                .replace("{name}", &kreis.name)
                .replace("{key}", &kreis.key);
            pages.extend(self.render_place_list(
                &format!("kreis-{}", kreis.key),
                &heading,
                &places,
            )?);
        }
        Ok(pages)
    }

    /// One list of places, split into pages of [`PLACES_PER_PAGE`].
    fn render_place_list(
        &self,
        folder: &str,
        heading: &str,
        places: &[&Place],
    ) -> Result<Vec<PlacesPage>, BuildError> {
        let ui = &self.content.primary().ui;
        let chunks: Vec<&[&Place]> = places.chunks(PLACES_PER_PAGE).collect();
        let mut pages = Vec::with_capacity(chunks.len());
        for (number, chunk) in chunks.iter().enumerate() {
            let links: Vec<PageLink> = chunks
                .iter()
                .enumerate()
                .map(|(n, c)| PageLink {
                    label: page_label(c),
                    href: self.places_href(folder, n),
                    current: n == number,
                })
                .collect();
            let entries: Vec<PlaceEntry> = chunk.iter().map(|p| self.place_entry(ui, p)).collect();
            let ctx = self.site_page_context(
                ui,
                context! {
                    current => links.get(number).map(|l| l.label.clone()),
                    heading => heading,
                    pages => ser(&links),
                    places => ser(&entries),
                },
            );
            pages.push((
                places_path(folder, number),
                self.render("places.html", ctx)?,
            ));
        }
        Ok(pages)
    }

    fn place_entry<'p>(
        &self,
        ui: &'p std::collections::BTreeMap<String, String>,
        place: &'p Place,
    ) -> PlaceEntry<'p> {
        let key_label = if place.key.len() == 5 {
            "kreis_key"
        } else {
            "ags"
        };
        PlaceEntry {
            name: &place.name,
            title: place.title.as_deref(),
            key_label: ui_text(ui, key_label),
            key: &place.key,
            postcodes: place.postcodes.join(", "),
            office: &place.office.name,
            href: place
                .office
                .slug
                .as_ref()
                .map(|slug| format!("{}{slug}/de/", self.base)),
        }
    }

    /// `/orte/suche.js`: every place in a compact form for the search box:
    /// the offices once, each place as [name, key, office, postcodes] (the
    /// postcodes only where the place lists some).
    pub fn render_search_script(&self, directory: &Directory) -> String {
        let mut offices: Vec<(&str, String)> = Vec::new();
        let mut office_index = std::collections::HashMap::new();
        let places: Vec<serde_json::Value> = directory
            .places
            .iter()
            .map(|place| {
                let href = place
                    .office
                    .slug
                    .as_ref()
                    .map(|slug| format!("{}{slug}/de/", self.base))
                    .unwrap_or_default();
                let index = *office_index
                    .entry((place.office.name.clone(), href.clone()))
                    .or_insert_with(|| {
                        offices.push((&place.office.name, href));
                        offices.len() - 1
                    });
                if place.postcodes.is_empty() {
                    serde_json::json!([place.name, place.key, index])
                } else {
                    serde_json::json!([place.name, place.key, index, place.postcodes.join(" ")])
                }
            })
            .collect();
        let data = serde_json::json!({ "offices": offices, "places": places });
        format!("self.einbuergerungOrte={data};\n")
    }
}

/// The file of page `number` (from 0) of a list in `folder`.
fn places_path(folder: &str, number: usize) -> String {
    if number == 0 {
        format!("{PLACES_DIR}/{folder}/index.html")
    } else {
        format!("{PLACES_DIR}/{folder}/{}/index.html", number + 1)
    }
}

/// "Aachen – Brühl": the first and last name on a page of places.
fn page_label(places: &[&Place]) -> String {
    match (places.first(), places.last()) {
        (Some(first), Some(last)) if first.name != last.name => {
            format!("{} – {}", first.name, last.name)
        }
        (Some(first), _) => first.name.clone(),
        _ => String::new(),
    }
}
