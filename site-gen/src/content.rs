//! The shared content: per language, the description blocks of the service
//! (Markdown with front matter, rendered to HTML once) and the interface
//! strings of the theme, checked to be translated completely from German.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, EditorError, EditorErrors};
use crate::land::{Lands, load_lands};
use crate::languages::Lang;
use crate::markdown::{parse_document, render_page_markdown, render_section_markdown};
use crate::values::{NonEmpty, is_slug};
use crate::yaml::{parse_yaml, read_text};

/// The description blocks portals use for a service (FIM / LeiKa), by the file
/// name of their Markdown (`content/<lang>/<id>.md`) and their FIM name.
pub const SERVICE_BLOCKS: &[(&str, &str)] = &[
    ("leistungsbezeichnung", "Leistungsbezeichnung"),
    ("kurztext", "Kurztext"),
    ("volltext", "Volltext"),
    ("voraussetzungen", "Voraussetzungen"),
    ("unterlagen", "Erforderliche Unterlagen"),
    ("kosten", "Kosten"),
    ("bearbeitungsdauer", "Bearbeitungsdauer"),
    ("fristen", "Fristen"),
    ("verfahrensablauf", "Verfahrensablauf"),
    ("formulare", "Formulare"),
    ("rechtsgrundlagen", "Rechtsgrundlagen"),
    ("hinweise", "Hinweise"),
    (
        "weiterfuehrende-informationen",
        "Weiterführende Informationen",
    ),
    ("zustaendige-stelle", "Zuständige Stelle"),
];

/// One of the pages every public body publishes. Its text is
/// `content/<lang>/pages/<id>.md`, Markdown with template variables.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PublicPage {
    /// Also the last part of the address, `/<slug>/<lang>/<id>/`.
    pub id: &'static str,
    /// Leichte Sprache and sign language are German by nature.
    pub german_only: bool,
    /// Shows the public body's data (controller, contacts), so the page says
    /// when they are not yet confirmed.
    pub names_public_body: bool,
    /// Shows the Land's authorities, so the page says when they are not yet verified.
    pub names_land: bool,
}

/// The public body's pages, in the order the footer links them.
pub const PUBLIC_PAGES: &[PublicPage] = &[
    PublicPage {
        id: "accessibility",
        german_only: false,
        names_public_body: true,
        names_land: true,
    },
    PublicPage {
        id: "privacy",
        german_only: false,
        names_public_body: true,
        names_land: true,
    },
    PublicPage {
        id: "imprint",
        german_only: false,
        names_public_body: true,
        names_land: false,
    },
    PublicPage {
        id: "easy-read",
        german_only: true,
        names_public_body: false,
        names_land: false,
    },
    PublicPage {
        id: "sign-language",
        german_only: true,
        names_public_body: false,
        names_land: false,
    },
];

impl PublicPage {
    /// Whether the page is published in `lang`.
    pub fn exists_in(&self, lang: Lang) -> bool {
        !self.german_only || lang == Lang::primary()
    }
}

/// Front matter of a description block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockFront {
    /// The section heading readers see.
    pub heading: NonEmpty,
    /// Position on the page, ascending; a municipality's replacement may omit it.
    #[serde(default)]
    pub order: Option<u32>,
}

/// One section of the service page, its Markdown already rendered to HTML
/// (which may still contain template variables such as `{{ office.name }}`).
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub id: String,
    pub heading: String,
    pub order: u32,
    #[serde(skip)]
    pub html: String,
    /// Where the editor wrote it, relative to the site root.
    #[serde(skip)]
    pub source: PathBuf,
    /// The language the text is written in: the page's, or German where a
    /// translation is missing and the German text stands in (marked
    /// `lang="de"` on the page, with a note in the page's language).
    #[serde(skip)]
    pub text_lang: Lang,
}

impl Block {
    /// Whether this is German standing in for a missing translation into `lang`.
    #[must_use]
    pub fn falls_back(&self, lang: Lang) -> bool {
        self.text_lang != lang
    }
}

/// Everything written in one language.
#[derive(Debug)]
pub struct LanguageContent {
    pub lang: Lang,
    /// Sorted by `order`.
    pub blocks: Vec<Block>,
    /// Interface strings of the theme (`content/<lang>/ui.yaml`).
    pub ui: BTreeMap<String, String>,
    /// The public body's pages (`content/<lang>/pages/*.md`), by file name.
    pub pages: Vec<Block>,
    /// Whether a person fluent in the language and the subject checked the
    /// translation (`content/<lang>/review.yaml`); German is the original.
    pub review: Review,
}

/// `content/<lang>/review.yaml`: until `reviewed: true`, every page in the
/// language says that the office has not checked the translation yet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub reviewed: bool,
    /// Who checked it (a person and their office), required with `reviewed: true`.
    #[serde(default)]
    pub reviewed_by: Option<NonEmpty>,
    /// When, as written (e.g. 2026-11-24).
    #[serde(default)]
    pub reviewed_on: Option<NonEmpty>,
}

/// Reads `review.yaml` of a language folder; without it the language counts
/// as not reviewed.
fn load_review(root: &Path, dir: &Path) -> Result<Review, EditorError> {
    let path = dir.join("review.yaml");
    if !path.is_file() {
        return Ok(Review::default());
    }
    let shown = relative(root, &path);
    let text = read_text(&path, &shown)?;
    let review: Review = parse_yaml(&text, &shown, 0)?;
    if review.reviewed && review.reviewed_by.is_none() {
        return Err(EditorError::whole_file(
            &shown,
            "`reviewed: true` needs `reviewed_by:` (who checked the translation, and for which \
             office), so readers and auditors can trust it",
        ));
    }
    Ok(review)
}

/// All languages the content is written in; German is always there.
#[derive(Debug)]
pub struct SiteContent {
    pub languages: BTreeMap<Lang, LanguageContent>,
    /// What differs per Land (`content/lands/`), by the Land's number.
    pub lands: Lands,
    /// Blocks and pages a language lacks, where German stands in: the build
    /// warns, `site-gen check` lists them.
    pub missing_translations: Vec<EditorError>,
}

impl SiteContent {
    pub fn get(&self, lang: Lang) -> Option<&LanguageContent> {
        self.languages.get(&lang)
    }

    pub fn primary(&self) -> &LanguageContent {
        // `load_content` refuses a tree without German, so this always holds.
        &self.languages[&Lang::primary()]
    }
}

/// A block file as the editor wrote it, its Markdown rendered.
pub struct LoadedBlock {
    pub id: String,
    pub front: BlockFront,
    pub html: String,
    pub source: PathBuf,
}

/// Loads every `*.md` directly inside `dir`, sorted by file name, as
/// sections of the service page.
pub fn load_block_dir(root: &Path, dir: &Path) -> Result<Vec<LoadedBlock>, Vec<EditorError>> {
    load_markdown_dir(root, dir, render_section_markdown)
}

/// Loads every `*.md` directly inside `dir`, sorted by file name, rendering
/// the Markdown with `render`.
fn load_markdown_dir(
    root: &Path,
    dir: &Path,
    render: fn(&str) -> String,
) -> Result<Vec<LoadedBlock>, Vec<EditorError>> {
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    for path in sorted_entries(dir).map_err(|e| vec![e.relative_to(root)])? {
        if path.extension().is_none_or(|ext| ext != "md") || !path.is_file() {
            continue;
        }
        let shown = relative(root, &path);
        let id = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_owned();
        if !is_slug(&id) {
            errors.push(EditorError::whole_file(
                &shown,
                "expected a file name of lowercase letters, digits and hyphens \
                 (it becomes the section's anchor), e.g. `kosten.md`",
            ));
            continue;
        }
        let loaded = read_text(&path, &shown).and_then(|text| {
            template_in_link_address(&text, &shown).map_or(Ok(()), Err)?;
            parse_document::<BlockFront>(&text, &shown)
        });
        match loaded {
            Ok(doc) => {
                blocks.push(LoadedBlock {
                    id,
                    front: doc.front,
                    html: render(&doc.body),
                    source: shown,
                });
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(blocks)
    } else {
        Err(errors)
    }
}

/// Loads `content/<lang>/` for every language folder and checks that each
/// language translates German completely, and that German has every FIM block.
pub fn load_content(root: &Path) -> Result<SiteContent, BuildError> {
    let content_dir = root.join("content");
    let mut errors = EditorErrors::default();
    let mut languages = BTreeMap::new();
    let entries = sorted_entries(&content_dir).map_err(|e| e.relative_to(root))?;
    for dir in entries.into_iter().filter(|p| p.is_dir()) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // Two-letter folders are languages; others (forms/) hold other content.
        if name.len() != 2 {
            continue;
        }
        let Some(lang) = Lang::parse(name) else {
            errors.push(EditorError::whole_file(
                &relative(root, &dir),
                format!("`{name}` is not a language this kit knows (ISO 639-1 code expected)"),
            ));
            continue;
        };
        match load_language(root, &dir, lang) {
            Ok(content) => {
                languages.insert(lang, content);
            }
            Err(found) => errors.extend(found),
        }
    }
    errors.into_result()?;
    let codes: Vec<Lang> = languages.keys().copied().collect();
    let lands = load_lands(root, &codes)?;
    let mut content = SiteContent {
        languages,
        lands,
        missing_translations: Vec::new(),
    };
    check_translations(root, &content)?;
    check_public_pages(&content)?;
    content.missing_translations = fill_from_german(&mut content);
    Ok(content)
}

/// Puts the German block or page where a language lacks its translation,
/// so a language can be added one text at a time; returns one warning each.
fn fill_from_german(content: &mut SiteContent) -> Vec<EditorError> {
    let Some(german) = content.languages.get(&Lang::primary()) else {
        return Vec::new();
    };
    let (blocks, pages) = (german.blocks.clone(), german.pages.clone());
    let mut warnings = Vec::new();
    for other in content.languages.values_mut() {
        if other.lang == Lang::primary() {
            continue;
        }
        let dir = PathBuf::from("content").join(other.lang.code());
        for block in &blocks {
            if !other.blocks.iter().any(|b| b.id == block.id) {
                warnings.push(missing(&dir.join(format!("{}.md", block.id)), block));
                other.blocks.push(block.clone());
            }
        }
        other
            .blocks
            .sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        for page in PUBLIC_PAGES.iter().filter(|p| p.exists_in(other.lang)) {
            let translated = other.pages.iter().any(|p| p.id == page.id);
            if let Some(german_page) = pages.iter().find(|p| p.id == page.id && !translated) {
                warnings.push(missing(
                    &dir.join("pages").join(format!("{}.md", page.id)),
                    german_page,
                ));
                other.pages.push(german_page.clone());
            }
        }
    }
    warnings
}

fn missing(file: &Path, german: &Block) -> EditorError {
    EditorError::whole_file(
        file,
        format!(
            "missing translation of {}: the German text stands in, marked as German",
            german.source.display()
        ),
    )
}

fn load_language(root: &Path, dir: &Path, lang: Lang) -> Result<LanguageContent, Vec<EditorError>> {
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    match load_block_dir(root, dir) {
        Ok(loaded) => {
            for block in loaded {
                match block.front.order {
                    Some(order) => blocks.push(Block {
                        id: block.id,
                        heading: block.front.heading.to_string(),
                        order,
                        html: block.html,
                        source: block.source,
                        text_lang: lang,
                    }),
                    None => errors.push(EditorError::new(
                        &block.source,
                        2,
                        1,
                        "missing field `order`: expected the block's position on the page, \
                         e.g. `order: 30`",
                    )),
                }
            }
        }
        Err(found) => errors.extend(found),
    }
    blocks.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    let pages = load_pages(root, &dir.join("pages"), lang).unwrap_or_else(|found| {
        errors.extend(found);
        Vec::new()
    });
    let ui_path = dir.join("ui.yaml");
    let ui_shown = relative(root, &ui_path);
    let ui = read_text(&ui_path, &ui_shown)
        .and_then(|text| parse_yaml::<BTreeMap<String, String>>(&text, &ui_shown, 0));
    let review = load_review(root, dir).unwrap_or_else(|error| {
        errors.push(error);
        Review::default()
    });
    match ui {
        Ok(ui) if errors.is_empty() => Ok(LanguageContent {
            lang,
            blocks,
            ui,
            pages,
            review,
        }),
        Ok(_) => Err(errors),
        Err(error) => {
            errors.push(error);
            Err(errors)
        }
    }
}

fn check_translations(root: &Path, content: &SiteContent) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    let Some(german) = content.get(Lang::primary()) else {
        return Err(EditorError::whole_file(
            Path::new("content/de"),
            "missing the German content: every site is written in German first",
        )
        .into());
    };
    let german_dir = PathBuf::from("content/de");
    let german_ui_text =
        std::fs::read_to_string(root.join("content/de/ui.yaml")).unwrap_or_default();
    for (id, fim_name) in SERVICE_BLOCKS {
        if !german.blocks.iter().any(|b| b.id == *id) {
            errors.push(EditorError::whole_file(
                &german_dir.join(format!("{id}.md")),
                format!(
                    "missing the description block \"{fim_name}\": every service page offers it"
                ),
            ));
        }
    }
    for other in content.languages.values().filter(|c| c.lang != german.lang) {
        let dir = PathBuf::from("content").join(other.lang.code());
        for block in &other.blocks {
            if !german.blocks.iter().any(|b| b.id == block.id) {
                errors.push(EditorError::whole_file(
                    &block.source,
                    format!(
                        "no German original content/de/{}.md: German is written first, \
                         then translated",
                        block.id
                    ),
                ));
            }
        }
        let ui_file = dir.join("ui.yaml");
        for key in german.ui.keys().filter(|k| !other.ui.contains_key(*k)) {
            let line = line_of_key(&german_ui_text, key);
            errors.push(EditorError::whole_file(
                &ui_file,
                format!("missing translation of `{key}` (content/de/ui.yaml line {line})"),
            ));
        }
        let other_text = std::fs::read_to_string(root.join(&ui_file)).unwrap_or_default();
        for key in other.ui.keys().filter(|k| !german.ui.contains_key(*k)) {
            errors.push(EditorError::new(
                &ui_file,
                line_of_key(&other_text, key),
                1,
                format!("unknown key `{key}`: expected one of the keys in content/de/ui.yaml"),
            ));
        }
    }
    errors.into_result()
}

/// Markdown percent-encodes a link address, so `[text]({{ office.web }})`
/// would become a dead link: say so where it is written.
fn template_in_link_address(text: &str, file: &Path) -> Option<EditorError> {
    let (at, _) = text
        .match_indices("](")
        .find(|(at, _)| text[at + 2..].trim_start().starts_with("{{"))?;
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].chars().rev().take_while(|c| *c != '\n').count() + 3;
    Some(EditorError::new(
        file,
        line,
        column,
        "a template variable cannot be a Markdown link address (it would be encoded into a \
         dead link): write the link as HTML, e.g. <a href=\"{{ office.web }}\">{{ office.web }}</a>",
    ))
}

/// Loads `content/<lang>/pages/*.md`; a language without the folder has none.
fn load_pages(root: &Path, dir: &Path, lang: Lang) -> Result<Vec<Block>, Vec<EditorError>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let loaded = load_markdown_dir(root, dir, render_page_markdown)?;
    Ok(loaded
        .into_iter()
        .map(|page| Block {
            id: page.id,
            heading: page.front.heading.to_string(),
            order: page.front.order.unwrap_or(0),
            html: page.html,
            source: page.source,
            text_lang: lang,
        })
        .collect())
}

/// German has every public body's page (the German-only ones too), and no
/// folder holds a page the kit does not publish.
fn check_public_pages(content: &SiteContent) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    for language in content.languages.values() {
        let dir = PathBuf::from("content")
            .join(language.lang.code())
            .join("pages");
        for page in PUBLIC_PAGES {
            let id = page.id;
            // Other languages may lack a page: German stands in (fill_from_german).
            let german = language.lang == Lang::primary();
            if german && page.exists_in(language.lang) && !language.pages.iter().any(|p| p.id == id)
            {
                errors.push(EditorError::whole_file(
                    &dir.join(format!("{id}.md")),
                    format!(
                        "missing the page `{id}`: every public body publishes it in every \
                         language of its site"
                    ),
                ));
            }
        }
        for page in &language.pages {
            let known = PUBLIC_PAGES
                .iter()
                .any(|p| p.id == page.id && p.exists_in(language.lang));
            if !known {
                let expected: Vec<&str> = PUBLIC_PAGES.iter().map(|p| p.id).collect();
                errors.push(EditorError::whole_file(
                    &page.source,
                    format!(
                        "unknown page `{}`: expected one of {} (Leichte Sprache and sign \
                         language in German only)",
                        page.id,
                        expected.join(", ")
                    ),
                ));
            }
        }
    }
    errors.into_result()
}

/// The line of a top-level `key:` in a YAML text, for pointing at it.
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(0, |index| index + 1)
}

/// `path` relative to the site root, as editors see it.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The entries of a folder, sorted so that builds and errors are
/// reproducible; hidden entries (`.DS_Store`, an editor's `.x.swp`) are not
/// sources and are left out, as `serve`'s watcher leaves them out.
pub fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, EditorError> {
    let read = std::fs::read_dir(dir)
        .map_err(|error| EditorError::whole_file(dir, format!("cannot read folder: {error}")))?;
    let mut paths = Vec::new();
    for entry in read {
        let entry = entry.map_err(|error| {
            EditorError::whole_file(dir, format!("cannot read folder: {error}"))
        })?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort();
    Ok(paths)
}

impl EditorError {
    /// Shows the file relative to the site root.
    pub fn relative_to(mut self, root: &Path) -> Self {
        self.file = relative(root, &self.file);
        self
    }
}
