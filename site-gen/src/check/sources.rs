//! The files `check` reads as text: every Markdown file with the page it is
//! published on, and the YAML files whose texts citizens read.

use std::path::{Path, PathBuf};

use crate::content::{relative, sorted_entries};
use crate::languages::Lang;

/// Where a Markdown file ends up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Published {
    /// A block of every service page in `lang` (`content/<lang>/<block>.md`).
    Service { lang: Lang },
    /// A public body's page (`content/<lang>/pages/<id>.md`).
    Page { lang: Lang, id: String },
    /// A block of one municipality's service page
    /// (`municipalities/<slug>/<lang>/<block>.md`).
    Override { slug: String, lang: Lang },
    /// Not a page: YAML whose texts appear on pages.
    Data,
}

/// A file and its text.
pub(super) struct Source {
    /// Relative to the site root, as editors see it.
    pub file: PathBuf,
    pub text: String,
    pub published: Published,
}

/// Every Markdown and YAML file of the site's content and municipalities.
pub(super) fn read_sources(root: &Path) -> Vec<Source> {
    let mut sources = Vec::new();
    let content = root.join("content");
    for dir in entries(&content) {
        let name = file_name(&dir);
        if let Some(lang) = Lang::parse(&name).filter(|_| dir.is_dir()) {
            add_markdown(root, &dir, &mut sources, |_| Published::Service { lang });
            add_markdown(root, &dir.join("pages"), &mut sources, |id| {
                Published::Page {
                    lang,
                    id: id.to_owned(),
                }
            });
        }
    }
    for file in [content.join("quick-check.yaml")]
        .into_iter()
        .chain(entries(&content.join("forms")))
        .chain(entries(&root.join("municipalities")))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && file_name(p) != "countries.yaml")
    {
        add(root, &file, Published::Data, &mut sources);
    }
    for dir in entries(&root.join("municipalities"))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let slug = file_name(&dir);
        for lang_dir in entries(&dir) {
            if let Some(lang) = Lang::parse(&file_name(&lang_dir)) {
                let slug = slug.clone();
                add_markdown(root, &lang_dir, &mut sources, move |_| {
                    Published::Override {
                        slug: slug.clone(),
                        lang,
                    }
                });
            }
        }
    }
    sources
}

fn add_markdown(
    root: &Path,
    dir: &Path,
    sources: &mut Vec<Source>,
    published: impl Fn(&str) -> Published,
) {
    for path in entries(dir) {
        if path.extension().is_some_and(|e| e == "md") && path.is_file() {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            add(root, &path, published(stem), sources);
        }
    }
}

fn add(root: &Path, path: &Path, published: Published, sources: &mut Vec<Source>) {
    if !path.is_file() {
        return;
    }
    // Unreadable or non-UTF-8 files are the build's to report, with their name.
    if let Ok(text) = std::fs::read_to_string(path) {
        sources.push(Source {
            file: relative(root, path),
            text,
            published,
        });
    }
}

/// A folder's entries, sorted; none when it cannot be read.
fn entries(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir).unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}
